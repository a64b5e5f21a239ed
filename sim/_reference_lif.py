"""Slow NumPy stepping of an LIF network: a test oracle for the numba kernel only.

It runs the same sampled network (``rnmf.sim.spiking._prepare``) and the same
external random bits as :func:`rnmf.sim.spiking.simulate_lif`, but stores the
synapses as dense per-delay matrices and computes the recurrent input of step
``n`` as ``sum_d W_d s(n - d)`` from the spike history, instead of pushing
spikes through a ring buffer.  Neuron update: Brunel (2000, J Comput Neurosci
8:183, eq. 1) integrated exactly (Rotter & Diesmann 1999, Biol Cybern 81:381,
eqs. 3-6), NEST ``iaf_psc_delta``/``iaf_psc_exp`` refractoriness.
"""

from __future__ import annotations

import numpy as np

from .spiking import _Setup, propagators


def reference_lif(setup: _Setup) -> dict:
    """Run the network of ``setup`` in float64 with dense matrices.

    Returns
    -------
    dict
        ``senders`` (int), ``steps`` (step index of each spike), ``V`` (all
        potentials after each step, shape (n_steps, N)).
    """
    net = setup.net
    conn = setup.conn
    N = sum(net.N)
    D = conn.max_delay
    Wd = conn.dense(setup.W, setup.pop_of, D)  # [d, target, source]
    P22, P21, P11 = propagators(net, setup.dt)
    pop = setup.pop_of.astype(np.int64)
    vinf = np.asarray(net.mu_ext, dtype=float)[pop]
    jext = np.asarray(net.J_ext, dtype=float)[pop]
    exp_syn = net.tau_s > 0
    scale = net.tau_m / net.tau_s if exp_syn else 0.0
    bitgen = np.random.default_rng(setup.ext_seed).bit_generator
    V = setup.V0.astype(float).copy()
    I = np.zeros(N)
    ref = np.zeros(N, dtype=np.int64)
    history = np.zeros((D + 1, N))  # history[d] = spikes of step n - d
    senders, steps, Vs = [], [], []
    low = np.uint64(0xFFFFFFFF)
    for n in range(setup.n_steps):
        inp = np.zeros(N)
        for d in range(1, D + 1):
            if history[d - 1].any():
                inp += Wd[d] @ history[d - 1]
        if setup.has_ext:
            words = bitgen.random_raw(setup.n_words)
            u = np.empty(N, dtype=np.uint64)
            u[0::2] = words[: (N + 1) // 2] & low
            u[1::2] = words[: N // 2] >> np.uint64(32)
            k = np.empty(N, dtype=np.int64)
            for a in range(net.P):
                m = pop == a
                k[m] = np.searchsorted(setup.cdf[a], u[m], side="right")
            inp = inp + (k * jext)
        active = ref == 0
        if exp_syn:
            V = np.where(active, vinf + (V - vinf) * P22 + P21 * I, V)
            I = I * P11 + inp * scale
        else:
            V = np.where(active, vinf + (V - vinf) * P22 + inp, V)
        ref = np.where(active, ref, ref - 1)
        spk = V >= net.V_th
        V[spk] = net.V_reset
        ref[spk] = setup.ref_steps
        idx = np.flatnonzero(spk)
        senders.append(idx)
        steps.append(np.full(idx.size, n))
        Vs.append(V.copy())
        history = np.roll(history, 1, axis=0)
        history[0] = spk
    return {
        "senders": np.concatenate(senders),
        "steps": np.concatenate(steps),
        "V": np.array(Vs),
    }
