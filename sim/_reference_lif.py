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


def reference_lif_format(setup: _Setup, prec, key: int) -> dict:
    """Run the network of ``setup`` in the emulated formats of ``prec`` (slow twin).

    Same rounding sequence as :func:`rnmf.sim._kernels.spiking.lif_run_format`, written
    with the vectorised NumPy rounding of :mod:`rnmf.sim._reference_formats` over all
    neurons of a step; PSPs are accumulated per synapse in CSR order (a rounded sum
    depends on its order).  ``key`` is the stochastic-rounding key.

    Returns
    -------
    dict
        ``senders``, ``steps``, ``V`` (as :func:`reference_lif`) and ``n_overflow``,
        ``n_overflow_ring``.
    """
    from ._kernels.spiking import LIF_SITES as S
    from ._reference_formats import round_reference

    net = setup.net
    conn = setup.conn
    N = sum(net.N)
    P = net.P
    L = conn.max_delay + 1
    fw = prec.weights.params()
    fs = prec.state.params()
    fa = prec.accumulator.params()
    fn = prec.accumulator.with_rounding("nearest").params()
    # host-prepared constants (sites 14-18 of rnmf.sim.spiking._round_lif)
    P22, P21, P11 = propagators(net, setup.dt)
    scale = net.tau_m / net.tau_s if net.tau_s > 0 else 0.0
    fpar, _ = round_reference([P22, P21, P11, net.V_th, net.V_reset, scale], fn, seed=key, site=14)
    P22, P21, P11, V_th, V_reset, scale = fpar
    vinf_p, _ = round_reference(np.asarray(net.mu_ext, dtype=float), fn, seed=key, site=15)
    kk = np.arange(setup.cdf.shape[1])
    ext_val, _ = round_reference(
        kk[None, :] * np.asarray(net.J_ext, dtype=float)[:, None], fw, seed=key, site=16
    )
    ext_val = ext_val.reshape(P, -1)
    W, _ = round_reference(setup.W, fw, seed=key, site=17)
    W = W.reshape(P, P)
    V, _ = round_reference(setup.V0, fs, seed=key, site=18)
    pop = setup.pop_of.astype(np.int64)
    vinf = vinf_p[pop]
    exp_syn = net.tau_s > 0
    idx = np.arange(N)
    n_over = [0, 0]

    def R(x, f, step, site, index=idx, slot=0, mask=None):
        v, o = round_reference(x, f, seed=key, step=step, site=S[site], index=index)
        if mask is not None:  # count the overflows of the neurons the kernel updates only
            o = round_reference(np.asarray(x)[mask], f, seed=key, step=step, site=S[site],
                                index=np.asarray(index)[mask])[1]  # fmt: skip
        n_over[slot] += o
        return v

    bitgen = np.random.default_rng(setup.ext_seed).bit_generator
    I = np.zeros(N)
    ref = np.zeros(N, dtype=np.int64)
    ring = np.zeros((L, N))
    senders, steps, Vs = [], [], []
    low = np.uint64(0xFFFFFFFF)
    for n in range(setup.n_steps):
        inp = ring[n % L].copy()
        ring[n % L] = 0.0
        if setup.has_ext:
            words = bitgen.random_raw(setup.n_words)
            u = np.empty(N, dtype=np.uint64)
            u[0::2] = words[: (N + 1) // 2] & low
            u[1::2] = words[: N // 2] >> np.uint64(32)
            k = np.empty(N, dtype=np.int64)
            for a in range(P):
                m = pop == a
                k[m] = np.searchsorted(setup.cdf[a], u[m], side="right")
            inp = R(inp + ext_val[pop, k], fa, n, "input")
        act = ref == 0
        d = R(V - vinf, fa, n, "diff", mask=act)
        v = R(vinf + R(d * P22, fa, n, "decay", mask=act), fa, n, "relax", mask=act)
        if exp_syn:
            v = R(v + R(P21 * I, fa, n, "syn_term", mask=act), fa, n, "syn_add", mask=act)
        else:
            v = R(v + inp, fa, n, "jump", mask=act)
        v = R(v, fs, n, "state", mask=act)
        V = np.where(act, v, V)
        if exp_syn:
            c = R(R(I * P11, fa, n, "current_decay") + R(inp * scale, fa, n, "current_input"),
                  fa, n, "current_add")  # fmt: skip
            I = R(c, fs, n, "current")
        ref = np.where(act, ref, ref - 1)
        spk = V >= V_th
        V[spk] = V_reset
        ref[spk] = setup.ref_steps
        fired = np.flatnonzero(spk)
        senders.append(fired)
        steps.append(np.full(fired.size, n))
        Vs.append(V.copy())
        for j in fired:
            b = pop[j]
            for a in range(P):
                for q in range(conn.offsets[j, a], conn.offsets[j, a + 1]):
                    dq = conn.const_delay if conn.const_delay > 0 else int(conn.delays[q])
                    s, t = (n + dq) % L, conn.targets[q]
                    ring[s, t] = R(ring[s, t] + W[a, b], fa, n, "ring", np.array([q]), 1)[0]
    return {
        "senders": np.concatenate(senders),
        "steps": np.concatenate(steps),
        "V": np.array(Vs),
        "n_overflow": n_over[0],
        "n_overflow_ring": n_over[1],
    }
