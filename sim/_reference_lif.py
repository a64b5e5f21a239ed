"""Slow NumPy stepping of an LIF network: a test oracle for the numba kernel only.

It runs the same sampled network (``rnmf.sim._spiking_setup._prepare``) and the same
external random bits as :func:`rnmf.sim.spiking.simulate_lif`, but stores the
synapses as dense per-delay matrices and computes the recurrent input of step
``n`` as ``sum_d W_d s(n - d)`` from the spike history, instead of pushing
spikes through a ring buffer.  Neuron update: Brunel (2000, J Comput Neurosci
8:183, eq. 1) integrated exactly (Rotter & Diesmann 1999, Biol Cybern 81:381,
eqs. 3-6), NEST ``iaf_psc_delta``/``iaf_psc_exp`` refractoriness.
"""

from __future__ import annotations

import numpy as np

from ._spiking_setup import _Setup, neuron_constants


def _uniforms(words: np.ndarray, N: int) -> np.ndarray:
    """32-bit uniforms of neurons 0..N-1 from one block of ``ceil(N/2)`` 64-bit words."""
    low = np.uint64(0xFFFFFFFF)
    u = np.empty(N, dtype=np.uint64)
    u[0::2] = words[: (N + 1) // 2] & low
    u[1::2] = words[: N // 2] >> np.uint64(32)
    return u


def _counts(setup: _Setup, words: np.ndarray, pop: np.ndarray) -> list:
    """Poisson counts ``k[q]`` (array of N, -1 where population has no source q)."""
    N = pop.size
    S, n_words = setup.n_slots, setup.n_words
    out = []
    for q in range(S):
        u = _uniforms(words[q * n_words : (q + 1) * n_words], N)
        k = np.full(N, -1, dtype=np.int64)
        for a in range(setup.net.P):
            if q < setup.n_src[a]:
                m = pop == a
                k[m] = np.searchsorted(setup.cdf[a * S + q], u[m], side="right")
        out.append(k)
    return out


def _add_external(inp: np.ndarray, setup: _Setup, words: np.ndarray, pop: np.ndarray):
    """``inp + k_1 J_1 + k_2 J_2 + ...`` per neuron, added source by source as the kernel."""
    for q, k in enumerate(_counts(setup, words, pop)):
        inp = np.where(k >= 0, inp + np.maximum(k, 0) * setup.J_src[pop, q], inp)
    return inp


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
    pop = setup.pop_of.astype(np.int64)
    c = neuron_constants(net, setup.dt)[pop]  # per neuron: P22, P21, P11, V_th, V_reset, scale
    P22, P21, P11, V_th, V_reset, scale = c.T
    vinf = setup.V_inf[pop]
    exp_syn = net.neuron("tau_s")[pop] > 0
    ref_steps = setup.ref_steps[pop]
    S, n_words = setup.n_slots, setup.n_words
    bitgen = np.random.default_rng(setup.ext_seed).bit_generator
    V = setup.V0.astype(float).copy()
    I = np.zeros(N)
    ref = np.zeros(N, dtype=np.int64)
    history = np.zeros((D + 1, N))  # history[d] = spikes of step n - d
    senders, steps, Vs = [], [], []
    for n in range(setup.n_steps):
        inp = np.zeros(N)
        for d in range(1, D + 1):
            if history[d - 1].any():
                inp += Wd[d] @ history[d - 1]
        if setup.has_ext:
            inp = _add_external(inp, setup, bitgen.random_raw(S * n_words), pop)
        active = ref == 0
        V = np.where(active, vinf + (V - vinf) * P22 + np.where(exp_syn, P21 * I, inp), V)
        I = np.where(exp_syn, I * P11 + inp * scale, 0.0)
        ref = np.where(active, ref, ref - 1)
        spk = V >= V_th
        V[spk] = V_reset[spk]
        ref[spk] = ref_steps[spk]
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
    # host-prepared constants (sites 14-19 of rnmf.sim._spiking_formats._round_lif)
    fpar, _ = round_reference(neuron_constants(net, setup.dt), fn, seed=key, site=14)
    pop = setup.pop_of.astype(np.int64)
    P22, P21, P11, V_th, V_reset, scale = fpar.reshape(P, 6)[pop].T
    vinf_p, _ = round_reference(setup.V_inf, fn, seed=key, site=15)
    kk = np.arange(setup.cdf.shape[1])
    ext_val, _ = round_reference(
        kk[None, :] * setup.J_src.reshape(-1)[:, None], fw, seed=key, site=16
    )
    Sl = setup.n_slots
    ext_val = ext_val.reshape(P * Sl, -1)
    W, _ = round_reference(setup.W, fw, seed=key, site=17)
    W = W.reshape(P, P)
    V, _ = round_reference(setup.V0, fs, seed=key, site=18)
    if conn.weights.size:
        wq, _ = round_reference(conn.weights.astype(float), fw, seed=key, site=19)
    vinf = vinf_p[pop]
    exp_syn = net.neuron("tau_s")[pop] > 0
    any_exp = bool(exp_syn.any())
    ref_steps = setup.ref_steps[pop]
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
    for n in range(setup.n_steps):
        inp = ring[n % L].copy()
        ring[n % L] = 0.0
        if setup.has_ext:
            counts = _counts(setup, bitgen.random_raw(Sl * setup.n_words), pop)
            for q, k in enumerate(counts):
                m = k >= 0
                new = R(inp + ext_val[pop * Sl + q, np.maximum(k, 0)], fa, n, "input",
                        idx + q * N, mask=m)  # fmt: skip
                inp = np.where(m, new, inp)
        act = ref == 0
        d = R(V - vinf, fa, n, "diff", mask=act)
        v = R(vinf + R(d * P22, fa, n, "decay", mask=act), fa, n, "relax", mask=act)
        ae, ad = act & exp_syn, act & ~exp_syn
        v_exp = R(v + R(P21 * I, fa, n, "syn_term", mask=ae), fa, n, "syn_add", mask=ae)
        v_del = R(v + inp, fa, n, "jump", mask=ad)
        v = R(np.where(exp_syn, v_exp, v_del), fs, n, "state", mask=act)
        V = np.where(act, v, V)
        if any_exp:
            c = R(R(I * P11, fa, n, "current_decay", mask=exp_syn)
                  + R(inp * scale, fa, n, "current_input", mask=exp_syn),
                  fa, n, "current_add", mask=exp_syn)  # fmt: skip
            I = np.where(exp_syn, R(c, fs, n, "current", mask=exp_syn), I)
        ref = np.where(act, ref, ref - 1)
        spk = V >= V_th
        V[spk] = V_reset[spk]
        ref[spk] = ref_steps[spk]
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
                    w = wq[q] if conn.weights.size else W[a, b]
                    ring[s, t] = R(ring[s, t] + w, fa, n, "ring", np.array([q]), 1)[0]
    return {
        "senders": np.concatenate(senders),
        "steps": np.concatenate(steps),
        "V": np.array(Vs),
        "n_overflow": n_over[0],
        "n_overflow_ring": n_over[1],
    }
