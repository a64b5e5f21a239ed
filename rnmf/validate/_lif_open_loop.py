"""Open-loop pathway gains of the simulated LIF neuron, for the error model of
:mod:`rnmf.validate._lif_spectra`: unconnected neurons receive the network's Poisson input,
one pathway's presynaptic rate modulated, and are advanced with the same exact update as
:func:`rnmf.sim.simulate_lif` (Rotter & Diesmann 1999); the ratio of the measured rate
response to the diffusion theory's (Brunel & Hakim 1999; Lindner, Doiron & Longtin 2005) is
the gain the linear response misses.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..models import LIFNetwork

#: Time step and rate bin (ms) of the simulations compared with the theory.
DT = 0.1

__all__ = ["open_loop_gain"]


def _poisson_cdf(lam: float) -> np.ndarray:
    """CDF of Poisson(lam) for k < lam + 12 sqrt(lam) + 12 (the tail beyond is below 1e-16),
    the last entry lifted above 1 so that every uniform maps inside (inverse transform)."""
    k_max = int(lam + 12.0 * math.sqrt(lam) + 12.0)
    k = np.arange(k_max)
    logp = -lam + k * math.log(lam) - np.cumsum(np.log(np.maximum(k, 1))) if lam > 0 else None
    if logp is None:
        return np.ones(1)
    c = np.cumsum(np.exp(logp))
    c[-1] = 1.0 + 1e-12
    return c


def open_loop_gain(
    net: LIFNetwork,
    freq: Any,
    pathway: int,
    *,
    rate_in: float | None = None,
    n_neurons: int = 20000,
    T: float = 4000.0,
    burn_in: float = 300.0,
    eps: float = 0.03,
    dt: float = DT,
    rng: None | int | np.random.Generator = None,
) -> dict[str, Any]:
    r"""Measured rate response of unconnected neurons to one modulated input pathway.

    ``n_neurons`` neurons of population 0 of ``net`` (homogeneous populations, delta
    synapses), each with the network's input drawn as independent Poisson counts per step
    of ``dt``: the external sources, and ``K_0b`` inputs of weight ``J_0b`` at rate
    ``rate_in`` from every population b, the rate of ``pathway`` modulated as
    ``rate_in (1 + eps sum_k cos(2 pi f_k t + phi_k))``.  The neuron update is the
    simulator's (:func:`rnmf.sim.simulate_lif`, delta synapses: ``V <- V_inf + (V -
    V_inf) e^{-dt/tau_m} + input`` when not refractory, spike and reset at ``V >= V_th``).
    The response ``v_b(f) = delta nu_out / delta nu_b`` (Hz/Hz) is the ratio of the Fourier
    coefficients of the output and input rates at ``f_k``; in the diffusion theory it is
    ``M_0b(f) / E[e^{-i omega D}]`` (:func:`rnmf.theory.lif.effective_connectivity`,
    Bos et al. 2016, eq. 12; Brunel 2000, Sec. 4).

    Returns
    -------
    dict
        ``gain`` (F,) complex, ``se`` (F,) standard error of each of its components (from
        the output's shot noise, ``sqrt(2 nu_out / (n T)) / (eps rate_in)``, T in s), ``rate`` the
        mean output rate (Hz), ``freq``.
    """
    from rnmf._checks import as_rng

    f = np.atleast_1d(np.asarray(freq, dtype=float))
    if net.tau_s != 0.0 or not net.homogeneous:
        raise ValueError("open_loop_gain needs delta synapses and homogeneous populations")
    if not 0 <= int(pathway) < net.P:
        raise ValueError(f"pathway must be a population index in [0, {net.P}), got {pathway}")
    if not 0.0 < eps * f.size < 1.0:
        raise ValueError(f"eps * len(freq) must lie in (0, 1), got {eps * f.size:g}")
    gen = as_rng(rng)
    if rate_in is None:
        from rnmf.theory import lif

        rate_in = float(lif.stationary_rates(net).rates[0])
    tau, V_th, V_r = float(net.tau_m), float(net.V_th), float(net.V_reset)
    V_inf = float(net.E_L) + float(np.asarray(net.mu_ext, dtype=float).ravel()[0])
    ref_steps = int(round(float(net.t_ref) / dt))
    P22 = math.exp(-dt / tau)
    nu_e, C_e, J_e = (a[0] for a in net.external())
    K, J = np.asarray(net.K, dtype=float)[0], np.asarray(net.J, dtype=float)[0]
    # sources grouped by weight (a sum of Poisson processes is Poisson)
    weights = sorted({float(x) for x in np.concatenate([J_e, J]) if x != 0.0})
    base = {w: 0.0 for w in weights}
    for r, c, w in zip(nu_e, C_e, J_e, strict=True):
        if w != 0.0:
            base[float(w)] += c * r
    for b in range(net.P):
        if J[b] != 0.0 and b != pathway:
            base[float(J[b])] += K[b] * rate_in
    w_mod = float(J[pathway])
    n_burn, n = int(round(burn_in / dt)), int(round(T / dt))
    t = (np.arange(n) + 1) * dt / 1000.0
    phi = gen.uniform(0.0, 2 * math.pi, f.size)
    mod = eps * np.cos(2 * math.pi * f[:, None] * t[None] + phi[:, None]).sum(axis=0)
    V = gen.uniform(0.0, V_th, n_neurons)
    ref = np.zeros(n_neurons, dtype=np.int64)
    counts = np.zeros(n, dtype=np.int64)
    for s in range(n_burn + n):
        m = mod[s - n_burn] if s >= n_burn else 0.0
        inp = np.zeros(n_neurons)
        for w in weights:
            lam = base[w] + (K[pathway] * rate_in * (1.0 + m) if w == w_mod else 0.0)
            lam *= dt / 1000.0
            if lam > 0:
                inp += w * np.searchsorted(_poisson_cdf(lam), gen.random(n_neurons), side="right")
        active = ref == 0
        ref[~active] -= 1
        V[active] = V_inf + (V[active] - V_inf) * P22 + inp[active]
        fired = V >= V_th
        V[fired] = V_r
        ref[fired] = ref_steps
        if s >= n_burn:
            counts[s - n_burn] = int(fired.sum())
    r = counts / (n_neurons * dt / 1000.0)
    e = np.exp(-2j * math.pi * f[:, None] * t[None])
    gain = ((r - r.mean())[None] * e).mean(axis=1) / (rate_in * (mod[None] * e).mean(axis=1))
    nu_out = float(r.mean())
    se = math.sqrt(2.0 * nu_out / (n_neurons * T / 1000.0)) / (eps * rate_in)
    return {"gain": gain, "se": np.full(f.size, se), "rate": nu_out, "freq": f}
