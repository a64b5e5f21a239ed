"""Validation and setup shared by :func:`rnmf.sim.spiking.simulate_lif` and its NumPy twin.

External Poisson tables (inversion on 32-bit uniforms), the sampled network and
initial state (:class:`_Setup`), the exact propagators, argument checks and the
memory estimate.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from rnmf._checks import as_rng, check_array, check_choice, check_nonnegative, check_positive
from rnmf.models import LIFNetwork

from ._shared import _resolve_units as _resolve_rate_units
from ._spiking_connect import (
    _CHUNK_DRAWS,
    Connectivity,
    _delay_plan,
    _delay_steps,
    _has_spread,
    build_connectivity,
)

_CHUNK_WORDS = 1 << 20  # 64-bit random words per simulation chunk


def poisson_cdf_table(lam: np.ndarray) -> np.ndarray:
    r"""Inversion table of the Poisson distribution on 32-bit uniforms.

    Row ``a`` holds ``T[k] = floor(2^32 P(X <= k))`` for ``X ~ Poisson(lam[a])``,
    padded with ``2^32``; a 32-bit uniform integer ``u`` maps to the count
    ``k = min{k : u < T[k]}``, so ``P(k) = (T[k] - T[k-1]) / 2^32``, the Poisson
    probability to within ``2^{-32}`` (inversion method, Devroye 1986, *Non-Uniform
    Random Variate Generation*, Sec. X.3.3).

    Parameters
    ----------
    lam : array of float, shape (P,)
        Mean counts per step (``C_ext nu_ext dt``), ``>= 0``.

    Returns
    -------
    numpy.ndarray of uint64, shape (P, kmax + 1)
    """
    lam = np.atleast_1d(np.asarray(lam, dtype=float))
    two32 = float(2**32)
    rows = []
    for lm in lam:
        if lm <= 0.0:
            rows.append(np.array([2**32], dtype=np.uint64))
            continue
        kmax = int(lm + 12.0 * math.sqrt(lm) + 30)
        k = np.arange(kmax + 1)
        cdf = special.pdtr(k, lm)
        t = np.floor(cdf * two32)
        t[-1] = two32
        t = np.minimum(t, two32)
        last = int(np.argmax(t >= two32))
        rows.append(t[: last + 1].astype(np.uint64))
    width = max(r.size for r in rows)
    out = np.full((lam.size, width), 2**32, dtype=np.uint64)
    for a, r in enumerate(rows):
        out[a, : r.size] = r
    return out


def guide_table(cdf: np.ndarray) -> np.ndarray:
    """Start indices of the inversion search: ``guide[a, h] = min{k : T[a, k] > h 2^24}``.

    Indexed search (Chen & Asau 1974, Computing 13:253; Devroye 1986, Sec. III.2.4):
    the top 8 bits of the uniform ``u`` select where the linear search starts, so the
    search usually ends after one comparison.  Exact: the result is the same ``k``.
    """
    h = (np.arange(256, dtype=np.uint64) << np.uint64(24))[None, :]
    out = np.empty((cdf.shape[0], 256), dtype=np.int64)
    for a in range(cdf.shape[0]):
        out[a] = np.searchsorted(cdf[a], h[0], side="right")
    return out


@dataclass(frozen=True)
class _Setup:
    """The sampled network, initial state and per-population constants of one run.

    ``lam[a, q]`` (mean count per step) and ``J_src[a, q]`` (mV) describe the ``q``-th
    Poisson source of population ``a`` after merging the model's sources of equal
    weight (a sum of independent Poisson processes is Poisson); ``n_src[a]`` of the
    ``S`` columns are used, the rest hold zeros.
    """

    net: LIFNetwork
    dt: float
    n_steps: int
    conn: Connectivity
    V0: np.ndarray
    ext_seed: int
    lam: np.ndarray
    cdf: np.ndarray
    ref_steps: np.ndarray
    pop_of: np.ndarray
    W: np.ndarray
    J_src: np.ndarray
    n_src: np.ndarray
    V_inf: np.ndarray

    @property
    def has_ext(self) -> bool:
        return bool(np.any(self.lam > 0))

    @property
    def n_words(self) -> int:
        """Random 64-bit words per step and source slot."""
        return (sum(self.net.N) + 1) // 2

    @property
    def n_slots(self) -> int:
        """Source slots S (columns of ``lam``)."""
        return int(self.lam.shape[1])


def _sources(net: LIFNetwork, dt: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Poisson sources per population, merged by weight: ``(lam, J, n_src)``, shapes
    (P, S), (P, S), (P,); ``lam = C_ext nu_ext dt`` summed over sources of equal ``J_ext``."""
    nu, C, J = net.external()
    P = net.P
    rows = []
    for a in range(P):
        merged: dict[float, float] = {}
        for q in range(nu.shape[1]):
            lam = float(C[a, q] * nu[a, q] * dt * 1e-3)
            if lam > 0.0:
                merged[float(J[a, q])] = merged.get(float(J[a, q]), 0.0) + lam
        rows.append(list(merged.items()))
    S = max(1, max(len(r) for r in rows))
    lam = np.zeros((P, S))
    Js = np.zeros((P, S))
    n_src = np.zeros(P, dtype=np.int64)
    for a, r in enumerate(rows):
        n_src[a] = len(r)
        for q, (j, lm) in enumerate(r):
            lam[a, q], Js[a, q] = lm, j
    if S == 1 and not np.all(n_src):  # one slot: keep the old layout (J_ext where lam = 0)
        Js[n_src == 0, 0] = J[n_src == 0, 0]
    return lam, Js, n_src


def _prepare(net: LIFNetwork, T: float, dt: float, rng: Any, V0: Any) -> tuple[_Setup, float]:
    if not isinstance(net, LIFNetwork):
        raise ValueError(f"net must be an rnmf.models.LIFNetwork, got {type(net).__name__}")
    T = check_positive("T (ms)", T)
    dt = check_positive("dt (ms)", dt)
    n_steps = int(round(T / dt))
    if n_steps < 1 or abs(n_steps * dt - T) > 1e-6 * max(T, dt):
        raise ValueError(f"T = {T:g} ms must be a positive multiple of dt = {dt:g} ms")
    _delay_steps(net, dt)
    rng = as_rng(rng)
    N = sum(net.N)
    t0 = time.perf_counter()
    conn = build_connectivity(net, dt=dt, rng=rng)
    build = time.perf_counter() - t0
    if V0 is None:
        lo = np.minimum(net.neuron("E_L"), net.neuron("V_reset"))
        hi = net.neuron("V_th")
        if np.all(lo == lo[0]) and np.all(hi == hi[0]):
            V0 = rng.uniform(float(lo[0]), float(hi[0]), size=N)
        else:
            pop = np.repeat(np.arange(net.P), net.N)
            V0 = rng.uniform(lo[pop], hi[pop])
    else:
        V0a = check_array("V0 (mV)", V0, finite=False).reshape(np.shape(V0))
        if V0a.ndim == 0:
            V0a = np.full(N, float(V0a))
        V0 = check_array("V0 (mV)", V0a, shape=(N,))
    ext_seed = int(rng.integers(0, 2**63))
    lam, J_src, n_src = _sources(net, dt)
    pop_of = np.repeat(np.arange(net.P), net.N).astype(np.int8 if net.P < 128 else np.int16)
    setup = _Setup(
        net=net,
        dt=dt,
        n_steps=n_steps,
        conn=conn,
        V0=V0,
        ext_seed=ext_seed,
        lam=lam,
        cdf=poisson_cdf_table(lam.ravel()),
        ref_steps=np.rint(net.neuron("t_ref") / dt).astype(np.int64),
        pop_of=pop_of,
        W=np.asarray(net.J, dtype=float),
        J_src=J_src,
        n_src=n_src,
        V_inf=net.neuron("E_L") + np.asarray(net.mu_ext, dtype=float),
    )
    return setup, build


def _propagator(tau_m: float, tau_s: float, dt: float) -> tuple[float, float, float]:
    P22 = math.exp(-dt / tau_m)
    if tau_s == 0.0:
        return P22, 0.0, 0.0
    P11 = math.exp(-dt / tau_s)
    x = dt * (1.0 / tau_s - 1.0 / tau_m)
    if abs(x) < 1e-12:
        P21 = dt / tau_m * P22
    else:
        P21 = tau_s / (tau_s - tau_m) * P22 * math.expm1(-x)
    return P22, P21, P11


def propagators(net: LIFNetwork, dt: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Exact one-step propagators ``(P22, P21, P11)`` of the (V, I) system, per population.

    For ``tau_m dV/dt = -(V - E_L) + mu + I`` and ``tau_s dI/dt = -I``:
    ``P22 = e^{-dt/tau_m}``, ``P11 = e^{-dt/tau_s}`` and
    ``P21 = tau_s / (tau_s - tau_m) (e^{-dt/tau_s} - e^{-dt/tau_m})`` (Rotter & Diesmann
    1999, Biol Cybern 81:381, eq. 6 / Appendix), written with ``expm1`` so that it
    stays accurate as ``tau_s -> tau_m`` (limit ``dt/tau_m e^{-dt/tau_m}``).
    ``P21 = P11 = 0`` for delta synapses.  Each is an array of P (one per population).
    """
    tm, ts = net.neuron("tau_m"), net.neuron("tau_s")
    out = np.array([_propagator(float(m), float(s), dt) for m, s in zip(tm, ts, strict=True)])
    return out[:, 0], out[:, 1], out[:, 2]


def neuron_constants(net: LIFNetwork, dt: float) -> np.ndarray:
    """``(P, 6)`` rows ``[P22, P21, P11, V_th, V_reset, tau_m / tau_s]`` (last 0 for delta)."""
    P22, P21, P11 = propagators(net, dt)
    tm, ts = net.neuron("tau_m"), net.neuron("tau_s")
    scale = np.divide(tm, ts, out=np.zeros_like(tm), where=ts > 0)
    return np.stack([P22, P21, P11, net.neuron("V_th"), net.neuron("V_reset"), scale], axis=1)


# ---------------------------------------------------------------------------
# public entry point


def _resolve_units(record_units: Any, N: int) -> np.ndarray:
    """``record_units`` of the LIF simulator: the shared rule of the rate simulator, with
    whole-number float arrays and ``None`` also accepted."""
    return _resolve_rate_units(record_units, N, noun="neuron", integral_floats=True)


def _n_synapses(net: LIFNetwork) -> float:
    """Expected number of synapses (exact for fixed in-degrees), as a float: no overflow."""
    K = np.asarray(net.K, dtype=float)
    return float(np.asarray(net.N, dtype=float) @ K.sum(axis=1))


def memory_estimate(
    net: LIFNetwork,
    T: float,
    *,
    dt: float = 0.1,
    burn_in: float = 0.0,
    record_units: Any = 0,
    record_spikes: bool = True,
    max_spikes: int | None = None,
    record_rates_bin: float | None = None,
    fmt: str = "float64",
) -> dict[str, int]:
    """Bytes that :func:`simulate_lif` allocates, by part, computed before any allocation.

    Parts: the synapses (one ``int32`` target each, plus one ``uint8``/``uint16`` delay
    with distributed delays), the CSR offsets and the counts of the build pass
    (``8 (3P + 1)`` bytes per neuron), the ring buffer (``(max_delay_steps + 1) N``
    numbers), the neuron state, the first spike buffer (8 bytes per spike; it grows
    with the spikes, up to ``max_spikes``), the population rates, the membrane traces
    of ``record_units`` and the random-number chunks.  Same arguments as
    :func:`simulate_lif`.
    """
    if not isinstance(net, LIFNetwork):
        raise ValueError(f"net must be an rnmf.models.LIFNetwork, got {type(net).__name__}")
    check_choice("fmt", fmt, ("float64", "float32"))
    item = np.dtype(fmt).itemsize
    dt = check_positive("dt (ms)", dt)
    n_steps = _steps("T (ms)", T, dt, allow_zero=False)
    n_burn = _steps("burn_in (ms)", burn_in, dt, allow_zero=True)
    spb = _rate_bin_steps(record_rates_bin, dt)
    N = sum(net.N)
    units = _resolve_units(record_units, N)
    plan = _delay_plan(net, dt)
    d_hi = plan.hi
    M = _n_synapses(net)
    per_syn = 4 + (0 if plan.const else (1 if d_hi <= 255 else 2)) + (4 if _has_spread(net) else 0)
    S = _sources(net, dt)[0].shape[1]
    cap = 0 if not record_spikes else max(1024, 4 * N)
    if max_spikes is not None:
        cap = min(cap, int(max_spikes))
    return {
        "synapses": int(M * per_syn),
        "CSR offsets and build counts": int(8 * N * (3 * net.P + 1)),
        "ring buffer": int((d_hi + 1) * N * item),
        "neuron state": int(N * (2 * item + 4 + 4 + 8 + 8 + 8 + 1)),
        "spike buffer": int(8 * cap),
        "population rates": int(16 * net.P * (-(-n_steps // spb) + -(-n_burn // spb))),
        "membrane traces": int(n_steps * units.size * item),
        "random-number chunks": int(
            8 * S * _CHUNK_WORDS + (24 if _has_spread(net) else 16) * _CHUNK_DRAWS
        ),
    }


def _steps(name: str, value: Any, dt: float, *, allow_zero: bool) -> int:
    """A duration in ms as a whole number of steps of ``dt``."""
    v = check_nonnegative(name, value) if allow_zero else check_positive(name, value)
    if v > 0 and v < dt * (1 - 1e-9):
        raise ValueError(f"dt (ms) = {dt:g} is longer than {name} = {v:g}; pass a smaller dt")
    if v / dt > 2**31 - 2:
        raise ValueError(
            f"{name} = {v:g} ms is {v / dt:.3g} steps of dt = {dt:g} ms; at most 2^31 - 2 fit"
        )
    n = int(round(v / dt))
    if abs(n * dt - v) > 1e-6 * max(v, dt):
        raise ValueError(f"{name} = {v:g} must be a multiple of dt = {dt:g} ms")
    return n


def _rate_bin_steps(record_rates_bin: float | None, dt: float) -> int:
    if record_rates_bin is None:
        return max(1, int(round(1.0 / dt)))
    rb = check_positive("record_rates_bin (ms)", record_rates_bin)
    if rb / dt > 2**31 - 2:
        raise ValueError(f"record_rates_bin = {rb:g} ms is too long ({rb / dt:.3g} steps)")
    spb = int(round(rb / dt))
    if spb < 1 or abs(spb * dt - rb) > 1e-6 * rb:
        raise ValueError(f"record_rates_bin = {rb:g} ms must be a positive multiple of dt = {dt:g}")
    return spb
