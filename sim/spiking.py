r"""Time-driven simulation of sparse LIF networks (Brunel 2000).

:func:`simulate_lif` runs an :class:`rnmf.models.LIFNetwork` with a numba kernel
(``rnmf.sim._kernels.spiking``):

* exact integration of the subthreshold dynamics between grid points (Rotter &
  Diesmann 1999, Biol Cybern 81:381, eqs. 3-6): with delta synapses
  ``V <- V_inf + (V - V_inf) e^{-dt/tau_m}`` followed by the jump ``sum J``; with
  exponential current synapses the exact propagator of the linear (V, I) system;
* a neuron that reaches ``V_th`` spikes, is reset to ``V_reset`` and ignores
  input for ``t_ref`` (NEST ``iaf_psc_delta`` convention; with exponential synapses
  the current keeps integrating while V is clamped, as in ``iaf_psc_exp``);
* spikes travel along a CSR out-adjacency and land in a per-neuron ring buffer
  ``delay_steps`` ahead (Morrison et al. 2005, Neural Comput 17:1776, Sec. 3);
* each neuron receives ``k ~ Poisson(C_ext nu_ext dt)`` external inputs of
  ``J_ext`` per step (Brunel 2000, Sec. 2), drawn by inverting a 32-bit CDF table with
  random bits from the caller's ``numpy.random.Generator``.

Spike times follow NEST: a spike found in the step ``(t, t + dt]`` is stamped
``t + dt``; a spike emitted at ``t_s`` changes its targets' ``V`` at ``t_s + D``.

Memory: the CSR stores one ``int32`` target per synapse (4 bytes); distributed
delays add one ``uint8`` (two bytes past 255 steps); weights are shared per
population pair and cost nothing per synapse.  Offsets cost ``8 (P + 1)`` bytes per
neuron and the ring buffer ``(max_delay_steps + 1) x 8`` bytes per neuron in float64.
With a single delay, 16 GiB hold about ``4.2e9`` synapses, e.g. ``1e5`` neurons with
``4e4`` inputs each or ``4e5`` neurons with ``1e4`` each (distributed delays:
``3.4e9``).  Building needs no memory beyond the CSR and one chunk of draws (two
passes over the same random stream: count, then fill).  :func:`memory_estimate` sums
these parts from the model alone, and :func:`simulate_lif` refuses a run that needs more
than 80 % of the available memory before it allocates or draws anything (Brunel's model
with ``N_E = 1e8`` has 1.6e15 synapses: refused at once).
"""

from __future__ import annotations

import math
import numbers
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import special

from rnmf._checks import (
    as_rng,
    check_array,
    check_choice,
    check_int,
    check_nonnegative,
    check_positive,
)
from rnmf.models import LIFNetwork
from rnmf.results import Result, Status

from ._kernels.spiking import Net, Params, Record, State, fill_csr, lif_run, lif_run_format
from ._memory import check_memory, progress_bar
from .formats import MixedPrecision, as_precision, quantize

__all__ = [
    "LIFResult",
    "build_connectivity",
    "guide_table",
    "memory_estimate",
    "poisson_cdf_table",
    "simulate_lif",
]

_CHUNK_DRAWS = 1 << 22  # synapses drawn per chunk while building
_CHUNK_WORDS = 1 << 20  # 64-bit random words per simulation chunk
_CHUNK_STEPS = 1000  # steps per chunk at most: progress updates and the divergence check


# ---------------------------------------------------------------------------
# external Poisson input


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


# ---------------------------------------------------------------------------
# connectivity


def _in_degrees(net: LIFNetwork) -> np.ndarray:
    K = np.asarray(net.K, dtype=float)
    if net.connectivity == "fixed_indegree":
        Ki = np.rint(K)
        if np.any(np.abs(Ki - K) > 1e-9):
            raise ValueError(
                f"fixed in-degree connectivity needs integer in-degrees K, got {net.K!r}; "
                "round K or use connectivity='bernoulli'"
            )
        return Ki.astype(np.int64)
    return K


def _pairs(net: LIFNetwork, seed: int, pop_start: np.ndarray):
    """Yield ``(a, b, tgt, src)`` chunks (global int32 indices), target-ascending per block.

    The stream is a pure function of ``seed``, so the two build passes see the same pairs.
    """
    rng = np.random.default_rng(seed)
    K = _in_degrees(net)
    P = net.P
    for a in range(P):
        n_a = net.N[a]
        lo_a = int(pop_start[a])
        for b in range(P):
            n_b = net.N[b]
            lo_b = int(pop_start[b])
            if net.connectivity == "fixed_indegree":
                k = int(K[a, b])
                if k == 0:
                    continue
                step = max(1, _CHUNK_DRAWS // k)
                for t0 in range(0, n_a, step):
                    t1 = min(n_a, t0 + step)
                    src = rng.integers(0, n_b, size=(t1 - t0) * k, dtype=np.int64)
                    tgt = np.repeat(np.arange(lo_a + t0, lo_a + t1, dtype=np.int32), k)
                    yield a, b, tgt, (src + lo_b).astype(np.int32)
            else:
                p = float(K[a, b]) / n_b
                if p <= 0.0:
                    continue
                size = n_a * n_b  # flattened (target, source) positions of block (a, b)
                step = max(1, int(_CHUNK_DRAWS / p))
                for p0 in range(0, size, step):
                    p1 = min(size, p0 + step)
                    if p >= 1.0:
                        pos = np.arange(p0, p1, dtype=np.int64)
                    else:
                        # Bernoulli process by geometric gaps (Batagelj & Brandes 2005,
                        # Phys Rev E 71:036113, Alg. 1)
                        parts = []
                        cur = p0 - 1
                        while True:
                            m = int((p1 - cur) * p + 5.0 * math.sqrt((p1 - cur) * p + 1.0) + 16)
                            gaps = rng.geometric(p, size=m)
                            chunk = cur + np.cumsum(gaps)
                            parts.append(chunk[chunk < p1])
                            if chunk[-1] >= p1:
                                break
                            cur = int(chunk[-1])
                        pos = np.concatenate(parts)
                    tgt = (lo_a + pos // n_b).astype(np.int32)
                    src = (lo_b + pos % n_b).astype(np.int32)
                    yield a, b, tgt, src


@dataclass(frozen=True)
class Connectivity:
    """CSR out-adjacency of a sampled :class:`~rnmf.models.LIFNetwork`.

    Attributes
    ----------
    targets : ndarray of int32, shape (M,)
        Targets of source ``j`` onto population ``a`` are
        ``targets[offsets[j, a]:offsets[j, a + 1]]`` (ascending).
    offsets : ndarray of int64, shape (N, P + 1)
    delays : ndarray of uint8 or uint16
        Per-synapse delay steps, empty when all synapses share ``const_delay``.
    const_delay : int
        Shared delay in steps (0 when delays are per synapse).
    max_delay : int
        Longest delay in steps.
    in_degree : dict
        ``(a, b) -> (mean, std, min, max)`` of the realised in-degrees.
    """

    targets: np.ndarray
    offsets: np.ndarray
    delays: np.ndarray
    const_delay: int
    max_delay: int
    pop_start: np.ndarray
    in_degree: dict = field(default_factory=dict)

    @property
    def n_synapses(self) -> int:
        """Number of synapses M."""
        return int(self.targets.size)

    @property
    def nbytes(self) -> int:
        """Bytes held by the adjacency (targets, delays, offsets)."""
        return int(self.targets.nbytes + self.delays.nbytes + self.offsets.nbytes)

    def dense(self, W: np.ndarray, pop_of: np.ndarray, n_delay: int) -> np.ndarray:
        """Dense ``(n_delay + 1, N, N)`` weights ``[d, target, source]``; small networks only."""
        N = self.offsets.shape[0]
        P = self.offsets.shape[1] - 1
        out = np.zeros((n_delay + 1, N, N))
        for j in range(N):
            for a in range(P):
                lo, hi = self.offsets[j, a], self.offsets[j, a + 1]
                d = (
                    np.full(hi - lo, self.const_delay)
                    if self.const_delay > 0
                    else self.delays[lo:hi].astype(np.int64)
                )
                np.add.at(out, (d, self.targets[lo:hi], j), W[a, pop_of[j]])
        return out


def _delay_steps(net: LIFNetwork, dt: float) -> tuple[int, int]:
    lo = net.delay
    hi = net.delay if net.delay_max is None else net.delay_max
    if lo < dt * (1.0 - 1e-9):
        raise ValueError(
            f"LIFNetwork.delay = {lo:g} ms is shorter than the time step dt = {dt:g} ms; "
            "pass a smaller dt or a longer delay"
        )
    return int(round(lo / dt)), int(round(hi / dt))


def build_connectivity(
    net: LIFNetwork, *, dt: float = 0.1, rng: None | int | np.random.Generator = None
) -> Connectivity:
    """Sample the synapses of ``net`` into a CSR out-adjacency.

    Fixed in-degree: each neuron of population a draws ``K[a][b]`` sources of b
    uniformly with replacement (multapses and autapses allowed, NEST's default).
    Bernoulli: each ordered pair (autapses included) is connected with probability
    ``K[a][b] / N[b]`` (Brunel 2000, Sec. 2).  Delays are uniform in
    ``[delay, delay_max]`` and rounded to the grid (as NEST does).

    Parameters
    ----------
    net : LIFNetwork
    dt : float
        Time step in ms (delays are quantised to it).
    rng : None, int or numpy.random.Generator

    Returns
    -------
    Connectivity
    """
    if not isinstance(net, LIFNetwork):
        raise ValueError(f"net must be an rnmf.models.LIFNetwork, got {type(net).__name__}")
    dt = check_positive("dt (ms)", dt)
    d_lo, d_hi = _delay_steps(net, dt)
    rng = as_rng(rng)
    seed_conn, seed_delay = (int(x) for x in rng.integers(0, 2**63, size=2))
    N = sum(net.N)
    if N >= 2**31:
        raise ValueError(f"at most 2^31 - 1 neurons fit int32 indices, got N = {N}")
    P = net.P
    pop_start = np.concatenate([[0], np.cumsum(net.N)]).astype(np.int64)
    # pass 1: count synapses per (source, target population) and the in-degrees
    counts = np.zeros(N * P, dtype=np.int64)
    indeg: dict = {}
    cur_block = None
    block_deg = None
    for a, b, tgt, src in _pairs(net, seed_conn, pop_start):
        if (a, b) != cur_block:
            if cur_block is not None:
                indeg[cur_block] = block_deg
            cur_block = (a, b)
            block_deg = np.zeros(net.N[a], dtype=np.int64)
        counts += np.bincount(src.astype(np.int64) * P + a, minlength=N * P)
        block_deg += np.bincount(tgt - pop_start[a], minlength=net.N[a])
    if cur_block is not None:
        indeg[cur_block] = block_deg
    stats = {}
    for a in range(P):
        for b in range(P):
            d = indeg.get((a, b), np.zeros(1))
            stats[(a, b)] = (float(d.mean()), float(d.std()), int(d.min()), int(d.max()))
    cum = np.concatenate([[0], np.cumsum(counts)])
    offsets = cum[np.arange(N)[:, None] * P + np.arange(P + 1)[None, :]]
    M = int(cum[-1])
    targets = np.empty(M, dtype=np.int32)
    if d_hi > d_lo:
        ddtype = np.uint8 if d_hi <= 255 else np.uint16
        if d_hi > 65535:
            raise ValueError(f"delays of more than 65535 steps are not supported (got {d_hi})")
        delays = np.empty(M, dtype=ddtype)
        drng = np.random.default_rng(seed_delay)
        hi_ms = net.delay_max
    else:
        ddtype = np.uint8
        delays = np.empty(0, dtype=np.uint8)
    no_delays = np.empty(0, dtype=ddtype)
    fill = np.ascontiguousarray(offsets[:, :P])
    for a, _b, tgt, src in _pairs(net, seed_conn, pop_start):
        if delays.size:
            dsteps = np.rint(drng.uniform(net.delay, hi_ms, size=src.size) / dt)
            dsteps = np.clip(dsteps, max(d_lo, 1), d_hi).astype(ddtype)
        else:
            dsteps = no_delays
        fill_csr(src, tgt, dsteps, a, fill, targets, delays)
    return Connectivity(
        targets=targets,
        offsets=offsets,
        delays=delays,
        const_delay=d_lo if d_hi == d_lo else 0,
        max_delay=d_hi,
        pop_start=pop_start,
        in_degree=stats,
    )


# ---------------------------------------------------------------------------
# result


@dataclass(frozen=True, kw_only=True, repr=False)
class LIFResult(Result):
    """Spikes, population rates and membrane traces of an LIF network simulation.

    Attributes
    ----------
    T, dt : float
        Recorded time and step (ms).
    burn_in : float
        Time simulated before recording started (ms); recorded times lie in
        ``(burn_in, burn_in + T]``.
    fmt : str
        Number format of the state.
    senders : ndarray of int32
        Index of the neuron of each recorded spike (populations are contiguous,
        see ``pop_slices``).
    times : ndarray of float64
        Spike times in ms (end of the step in which threshold was crossed).
    n_spikes : int
        All spikes after the burn-in, recorded or not.
    overflow : bool
        True if ``max_spikes`` was reached; recording stopped there (the rates,
        ``spike_counts`` and the dynamics are complete).
    spike_counts : ndarray of int64, shape (N,)
        Spikes per neuron after the burn-in.
    pop_slices : tuple of (start, stop)
        Neuron index range of each population.
    rate_bin : float
        Bin width (ms) of ``pop_rates``.
    pop_rates : ndarray, shape (n_bins, P)
        Population rates in Hz per bin; bin ``b`` covers
        ``burn_in + (b, b + 1] * rate_bin``.
    units : ndarray of int64
        Neurons whose membrane potential was recorded (``record_units``).
    V : ndarray, shape (n_steps, len(units))
        Membrane potential (mV) after each step, at ``V_times``.
    build_time, run_time : float
        Wall-clock seconds to sample the network and to simulate it.
    n_synapses : int
    bytes_per_synapse : float
        Adjacency memory per synapse (targets, delays, offsets).
    in_degree : dict
        ``(a, b) -> (mean, std, min, max)`` of the realised in-degrees.
    diverged : bool
        The state (V or the synaptic current) became non-finite (a number-format
        overflow, e.g. from enormous PSPs); checked after every chunk of at most 1000
        steps.  The run stopped there, ``converged`` is False, ``status`` is
        ``Status.DIVERGED`` and a RuntimeWarning said so.
    diverged_at : float or None
        Start (ms from the run start) of the chunk in which it happened; records from
        there on are NaN and later spikes are dropped.
    diverged_reason : str
        What became non-finite ("" when the run did not diverge).
    n_overflow : int
        Emulated formats (``fmt`` not float64/float32): roundings of the neuron update
        beyond the format's range (saturated, wrapped, or inf / NaN).
    n_overflow_ring : int
        The same for the ring-buffer accumulation of the PSPs.
    """

    T: float
    dt: float
    fmt: str
    senders: np.ndarray
    times: np.ndarray
    n_spikes: int
    overflow: bool
    spike_counts: np.ndarray
    pop_slices: tuple
    rate_bin: float
    pop_rates: np.ndarray
    units: np.ndarray
    V: np.ndarray
    build_time: float
    run_time: float
    n_synapses: int
    bytes_per_synapse: float
    in_degree: dict
    burn_in: float = 0.0
    diverged: bool = False
    diverged_at: float | None = None
    diverged_reason: str = ""
    n_overflow: int = 0
    n_overflow_ring: int = 0

    _base_hidden = ("model", "options", "in_degree", "pop_slices", "converged", "status")

    @property
    def V_index(self) -> np.ndarray:
        """Old name of :attr:`units`."""
        return self.units

    @property
    def V_times(self) -> np.ndarray:
        """Times (ms, from the start of the run) of the rows of ``V``."""
        return self.burn_in + (np.arange(self.V.shape[0]) + 1) * self.dt

    @property
    def rate_times(self) -> np.ndarray:
        """Centres (ms, from the start of the run) of the ``pop_rates`` bins."""
        return self.burn_in + (np.arange(self.pop_rates.shape[0]) + 0.5) * self.rate_bin

    @property
    def mean_rates(self) -> np.ndarray:
        """Mean firing rate of each population over the run (Hz)."""
        return np.array(
            [self.spike_counts[lo:hi].mean() / (self.T * 1e-3) for lo, hi in self.pop_slices]
        )

    def spikes(self, population: int | str) -> tuple[np.ndarray, np.ndarray]:
        """``(senders, times)`` of one population (by index or name)."""
        if isinstance(population, str):
            names = list(getattr(self.model, "populations", ()))
            if population not in names:
                raise ValueError(f"unknown population {population!r}; choose from {names}")
            population = names.index(population)
        lo, hi = self.pop_slices[population]
        m = (self.senders >= lo) & (self.senders < hi)
        return self.senders[m], self.times[m]

    def _repr_rows(self) -> list[tuple[str, str]]:
        rows = [
            ("T, dt (ms)", f"{self.T:g}, {self.dt:g} ({self.fmt})")
            if not self.burn_in
            else ("burn_in, T, dt (ms)", f"{self.burn_in:g}, {self.T:g}, {self.dt:g} ({self.fmt})"),
            ("mean rates (Hz)", ", ".join(f"{r:.4g}" for r in self.mean_rates)),
            ("spikes", f"{self.n_spikes} ({self.senders.size} recorded, overflow={self.overflow})"),
            ("synapses", f"{self.n_synapses} ({self.bytes_per_synapse:.2f} B each)"),
            ("build, run (s)", f"{self.build_time:.3g}, {self.run_time:.3g}"),
        ]
        if self.diverged:
            rows.append(("DIVERGED", f"at t = {self.diverged_at:g} ms: {self.diverged_reason}"))
        return rows


# ---------------------------------------------------------------------------
# setup shared by the kernel and the NumPy reference


@dataclass(frozen=True)
class _Setup:
    net: LIFNetwork
    dt: float
    n_steps: int
    conn: Connectivity
    V0: np.ndarray
    ext_seed: int
    lam: np.ndarray
    cdf: np.ndarray
    ref_steps: int
    pop_of: np.ndarray
    W: np.ndarray

    @property
    def has_ext(self) -> bool:
        return bool(np.any(self.lam > 0))

    @property
    def n_words(self) -> int:
        return (sum(self.net.N) + 1) // 2


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
        V0 = rng.uniform(min(0.0, net.V_reset), net.V_th, size=N)
    else:
        V0a = check_array("V0 (mV)", V0, finite=False).reshape(np.shape(V0))
        if V0a.ndim == 0:
            V0a = np.full(N, float(V0a))
        V0 = check_array("V0 (mV)", V0a, shape=(N,))
    ext_seed = int(rng.integers(0, 2**63))
    lam = np.asarray(net.C_ext, dtype=float) * np.asarray(net.nu_ext, dtype=float) * dt * 1e-3
    pop_of = np.repeat(np.arange(net.P), net.N).astype(np.int8 if net.P < 128 else np.int16)
    setup = _Setup(
        net=net,
        dt=dt,
        n_steps=n_steps,
        conn=conn,
        V0=V0,
        ext_seed=ext_seed,
        lam=lam,
        cdf=poisson_cdf_table(lam),
        ref_steps=int(round(net.t_ref / dt)),
        pop_of=pop_of,
        W=np.asarray(net.J, dtype=float),
    )
    return setup, build


def propagators(net: LIFNetwork, dt: float) -> tuple[float, float, float]:
    r"""Exact one-step propagators ``(P22, P21, P11)`` of the (V, I) system.

    For ``tau_m dV/dt = -V + mu + I`` and ``tau_s dI/dt = -I``:
    ``P22 = e^{-dt/tau_m}``, ``P11 = e^{-dt/tau_s}`` and
    ``P21 = tau_s / (tau_s - tau_m) (e^{-dt/tau_s} - e^{-dt/tau_m})`` (Rotter & Diesmann
    1999, Biol Cybern 81:381, eq. 6 / Appendix), written with ``expm1`` so that it
    stays accurate as ``tau_s -> tau_m`` (limit ``dt/tau_m e^{-dt/tau_m}``).
    ``P21 = P11 = 0`` for delta synapses.
    """
    P22 = math.exp(-dt / net.tau_m)
    if net.tau_s == 0.0:
        return P22, 0.0, 0.0
    P11 = math.exp(-dt / net.tau_s)
    x = dt * (1.0 / net.tau_s - 1.0 / net.tau_m)
    if abs(x) < 1e-12:
        P21 = dt / net.tau_m * P22
    else:
        P21 = net.tau_s / (net.tau_s - net.tau_m) * P22 * math.expm1(-x)
    return P22, P21, P11


# ---------------------------------------------------------------------------
# public entry point


def _resolve_units(record_units: Any, N: int) -> np.ndarray:
    """``record_units`` (int n: the first n neurons, index array, or "all") as int64 indices."""
    if isinstance(record_units, str):
        if record_units != "all":
            raise ValueError(
                f"record_units must be an int, an array of neuron indices or 'all', got {record_units!r}"
            )
        return np.arange(N, dtype=np.int64)
    if isinstance(record_units, numbers.Integral) and not isinstance(record_units, bool):
        n = int(record_units)
        if n < 0:
            raise ValueError(f"record_units must be >= 0 (number of neurons to record), got {n}")
        return np.arange(min(n, N), dtype=np.int64)
    if isinstance(record_units, bool):
        raise ValueError(
            f"record_units must be an int, an index array or 'all', got {record_units!r}"
        )
    try:
        arr = np.asarray(record_units if record_units is not None else (), dtype=float).ravel()
    except (TypeError, ValueError):
        raise ValueError(
            f"record_units must be an int, a 1-D array of neuron indices or 'all', got {record_units!r}"
        ) from None
    if arr.size and (
        np.any(~np.isfinite(arr)) or np.any(arr != np.rint(arr)) or arr.min() < 0 or arr.max() >= N
    ):
        raise ValueError(
            f"record_units indices must be integers in [0, {N - 1}] for N = {N}, got {record_units!r}"
        )
    return arr.astype(np.int64)


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
    d_lo, d_hi = _delay_steps(net, dt)
    M = _n_synapses(net)
    per_syn = 4 + (0 if d_hi == d_lo else (1 if d_hi <= 255 else 2))
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
        "random-number chunks": int(8 * _CHUNK_WORDS + 16 * _CHUNK_DRAWS),
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


def _resolve_lif_format(fmt: Any) -> tuple[MixedPrecision | None, str]:
    """(None, name) for the native float64/float32 paths, else (precision, its name)."""
    if isinstance(fmt, str) and fmt in ("float64", "float32"):
        return None, fmt
    try:
        prec = as_precision(fmt)
    except ValueError as err:
        raise ValueError(
            f"fmt must be 'float64', 'float32', a format name, a NumberFormat or a "
            f"MixedPrecision: {err}"
        ) from None
    return prec, str(prec)


def _round_lif(prec: MixedPrecision, par: Params, knet: Net, st: State, key: int):
    """Weights to the weight format, V0 to the state format, constants to nearest in the
    accumulator format (prepared once by the host)."""
    acc = prec.accumulator.with_rounding("nearest")
    fpar = quantize(par.fpar, acc, seed=key, site=14)
    V_inf = quantize(par.V_inf, acc, seed=key, site=15)
    ext_val = quantize(par.ext_val, prec.weights, seed=key, site=16)
    W = quantize(knet.W, prec.weights, seed=key, site=17)
    V = quantize(st.V, prec.state, seed=key, site=18)
    return (
        par._replace(fpar=fpar, V_inf=V_inf, ext_val=ext_val),
        knet._replace(W=W),
        st._replace(V=V),
    )


def simulate_lif(
    net: LIFNetwork,
    T: float,
    *,
    dt: float = 0.1,
    rng: None | int | np.random.Generator = None,
    V0: None | float | np.ndarray = None,
    burn_in: float = 0.0,
    record_units: int | np.ndarray | str = 0,
    record_spikes: bool = True,
    max_spikes: int | None = None,
    record_rates_bin: float | None = None,
    fmt: Any = "float64",
    progress: bool | None = None,
    record_V: Any = None,
) -> LIFResult:
    r"""Simulate an LIF network for ``burn_in + T`` ms and record the last ``T`` ms.

    Subthreshold dynamics (Brunel 2000, J Comput Neurosci 8:183, eq. 1)
    ``tau_m dV/dt = -V + mu_ext + RI_syn`` are integrated exactly between grid
    points (Rotter & Diesmann 1999, Biol Cybern 81:381, eqs. 3-6); see the module
    docstring for the update order, conventions and memory use.  The memory the run
    needs (:func:`memory_estimate`) is checked against the available memory before
    anything is allocated.

    Parameters
    ----------
    net : LIFNetwork
    T : float
        Recorded time in ms (a multiple of ``dt``).
    dt : float
        Time step in ms; every delay must be ``>= dt``.
    rng : None, int or numpy.random.Generator
        Seeds connectivity, initial potentials and external input; the same seed
        gives bitwise identical output.
    V0 : None, float or array of shape (N,)
        Initial membrane potentials (mV).  Default: uniform on
        ``[min(0, V_reset), V_th)``, i.e. ``U(0, 20)`` mV for Brunel's model, as in the
        NEST and Brian2 examples of that network.
    burn_in : float
        Time (ms, a multiple of ``dt``) simulated before recording starts; not part of
        ``T``.  Spikes, rates and membrane potentials of the burn-in are not recorded;
        spike times count from the start of the run, so recorded times lie in
        ``(burn_in, burn_in + T]``.
    record_units : int, array of int or "all"
        Neurons whose membrane potential is recorded at every step: ``n`` the first n
        (0, the default: none), an index array, or every neuron.
    record_spikes : bool
        Keep ``(senders, times)`` of every spike.
    max_spikes : int, optional
        Upper bound on the recorded spikes (memory: 8 bytes each).  When reached,
        recording stops and ``overflow`` is set; the run itself continues.
    record_rates_bin : float, optional
        Bin (ms, a multiple of ``dt``) of the recorded population rates; default the
        multiple of ``dt`` closest to 1 ms.
    fmt : "float64", "float32", a format name, NumberFormat or MixedPrecision
        Number format of the state, ring buffer and weights.  "float64" and "float32"
        run the native kernel.  Any other format (:mod:`rnmf.sim.formats`; a name
        such as "bf16", "fp16-sr", "q7.8") is emulated exactly by
        :func:`rnmf.sim._kernels.spiking.lif_run_format`: the PSPs ``J``, ``J_ext``
        rounded once to the weight format, ``V0`` to the state format, the
        propagators and thresholds to nearest in the accumulator format, and every
        operation of the voltage, current and ring-buffer updates rounded to the
        accumulator format with stores of V and I rounded to the state format.
        Stochastic rounding draws the counter-based stream keyed by the integer
        ``rng`` (or a key drawn from it), so a seed fixes the run bit for bit;
        overflows are counted in ``n_overflow`` and ``n_overflow_ring``.
    progress : bool or None
        None (default): a progress bar on stderr (tqdm) that appears when the run lasts
        more than 2 s; True: from the start; False: silent.
    record_V : sequence of int, optional
        Deprecated alias of ``record_units`` (a DeprecationWarning says so).

    Returns
    -------
    LIFResult

    Raises
    ------
    ValueError
        On a non-positive ``T`` or ``dt``, delays shorter than ``dt``, a malformed
        ``V0``, ``record_units``, ``burn_in`` or ``max_spikes``.
    rnmf.sim._memory.InsufficientMemoryError
        (a MemoryError and a ValueError) when the run needs more than 80 % of the
        available memory; the message gives the bytes of each part.

    References
    ----------
    Brunel N (2000) J Comput Neurosci 8:183, eq. 1 and Sec. 2 (model).
    Rotter S, Diesmann M (1999) Biol Cybern 81:381, eqs. 3-6 (exact integration).
    Morrison A, Mehring C, Geisel T, Aertsen A, Diesmann M (2005) Neural Comput
    17:1776 (ring buffers, CSR delivery).
    """
    if record_V is not None:
        if not (isinstance(record_units, numbers.Integral) and record_units == 0):
            raise ValueError("record_V is the old name of record_units; give record_units only")
        try:
            _resolve_units(record_V, sum(net.N) if isinstance(net, LIFNetwork) else 0)
        except ValueError as exc:
            raise ValueError(str(exc).replace("record_units", "record_V")) from None
        warnings.warn(
            "simulate_lif(record_V=...) is deprecated; use record_units=...",
            DeprecationWarning,
            stacklevel=2,
        )
        record_units = record_V
    if not isinstance(net, LIFNetwork):
        raise ValueError(f"net must be an rnmf.models.LIFNetwork, got {type(net).__name__}")
    prec, fmt = _resolve_lif_format(fmt)
    if not isinstance(record_spikes, bool | np.bool_):
        raise ValueError(f"record_spikes must be True or False, got {record_spikes!r}")
    if progress is not None and not isinstance(progress, bool | np.bool_):
        raise ValueError(f"progress must be True, False or None (automatic), got {progress!r}")
    dtype = np.dtype(fmt) if prec is None else np.dtype(np.float64)
    if max_spikes is not None:
        max_spikes = check_int("max_spikes", max_spikes, minimum=0)
    dt = check_positive("dt (ms)", dt)
    n_steps = _steps("T (ms)", T, dt, allow_zero=False)
    n_burn = _steps("burn_in (ms)", burn_in, dt, allow_zero=True)
    spb = _rate_bin_steps(record_rates_bin, dt)
    rb = spb * dt
    N = sum(net.N)
    rec_idx = _resolve_units(record_units, N)
    if N >= 2**31:
        raise ValueError(f"at most 2^31 - 1 neurons fit int32 indices, got N = {N}")
    check_memory(
        "simulate_lif",
        memory_estimate(
            net,
            n_steps * dt,
            dt=dt,
            burn_in=n_burn * dt,
            record_units=rec_idx,
            record_spikes=record_spikes,
            max_spikes=max_spikes,
            record_rates_bin=rb,
            fmt=fmt if prec is None else "float64",
        ),
        hint=f"The network has {_n_synapses(net):.3g} synapses; reduce N or K, "
        "record_units or T, or pass max_spikes.",
    )
    seed = int(rng) if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) else None
    if prec is not None and not isinstance(rng, np.random.Generator):
        rng = as_rng(rng)
    setup, build_time = _prepare(net, (n_burn + n_steps) * dt, dt, rng, V0)
    if prec is not None:
        key = seed if seed is not None and seed >= 0 else int(rng.integers(0, 2**63))
    conn = setup.conn
    L = conn.max_delay + 1
    P22, P21, P11 = propagators(net, dt)
    fpar = np.array(
        [P22, P21, P11, net.V_th, net.V_reset, (net.tau_m / net.tau_s) if net.tau_s else 0.0],
        dtype=dtype,
    )
    cdf = setup.cdf
    ext_val = (np.arange(cdf.shape[1])[None, :] * np.asarray(net.J_ext)[:, None]).astype(dtype)
    par = Params(
        fpar=fpar,
        V_inf=np.asarray(net.mu_ext, dtype=dtype),
        ext_val=ext_val,
        cdf=cdf,
        guide=guide_table(cdf),
        ref_steps=setup.ref_steps,
        exp_syn=net.tau_s > 0.0,
        has_ext=setup.has_ext,
    )
    knet = Net(
        targets=conn.targets,
        offsets=conn.offsets,
        delays=conn.delays,
        const_delay=conn.const_delay,
        W=setup.W.astype(dtype),
        pop_start=conn.pop_start,
        pop_of=setup.pop_of,
    )
    st = State(
        V=setup.V0.astype(dtype),
        I=np.zeros(N, dtype=dtype),
        ref=np.zeros(N, dtype=np.int32),
        ring=np.zeros((L, N), dtype=dtype),
        fired=np.zeros(N, dtype=np.int32),
    )
    fcounts = np.zeros(2, dtype=np.int64)
    if prec is not None:
        par, knet, st = _round_lif(prec, par, knet, st, key)
        fs, fa = prec.state.params(), prec.accumulator.params()
    if not record_spikes:
        cap_limit = 0
    else:
        cap_limit = max_spikes if max_spikes is not None else np.iinfo(np.int64).max
    cap = int(min(cap_limit, max(1024, 4 * N)))
    rec = Record(
        spk_i=np.empty(cap, dtype=np.int32),
        spk_t=np.empty(cap, dtype=np.int32),
        counters=np.array([0, 0, 0, 1 if record_spikes and cap_limit > 0 else 0], dtype=np.int64),
        counts=np.zeros(N, dtype=np.int64),
        rates=np.zeros((-(-n_steps // spb), net.P), dtype=np.int64),
        steps_per_bin=spb,
        V_idx=rec_idx,
        V_trace=np.zeros((n_steps if rec_idx.size else 0, rec_idx.size), dtype=dtype),
        first_step=n_burn,
    )
    # the burn-in records nothing: a scratch record with spikes off and no traces
    burn = Record(
        spk_i=np.empty(0, dtype=np.int32),
        spk_t=np.empty(0, dtype=np.int32),
        counters=np.zeros(4, dtype=np.int64),
        counts=np.zeros(N if n_burn else 0, dtype=np.int64),
        rates=np.zeros((-(-n_burn // spb), net.P), dtype=np.int64),
        steps_per_bin=spb,
        V_idx=np.empty(0, dtype=np.int64),
        V_trace=np.zeros((0, 0), dtype=dtype),
        first_step=0,
    )
    bitgen = np.random.default_rng(setup.ext_seed).bit_generator
    chunk = max(1, min(n_burn + n_steps, _CHUNK_STEPS, _CHUNK_WORDS // setup.n_words))
    bad_from = None  # first step of the chunk in which the state became non-finite
    empty_ext = np.zeros((0, 0), dtype=np.uint64)
    bar = progress_bar(progress, n_burn + n_steps, "rnmf.sim.simulate_lif")
    t0 = time.perf_counter()
    try:
        for lo, hi, recording in ((0, n_burn, False), (n_burn, n_burn + n_steps, True)):
            step0 = lo
            while step0 < hi:
                n = min(chunk, hi - step0)
                if par.has_ext:
                    ext = bitgen.random_raw(n * setup.n_words).reshape(n, setup.n_words)
                else:
                    ext = empty_ext
                if not recording and prec is not None:
                    lif_run_format(
                        knet, par, st, burn, ext, step0, 0, n, False, fs, fa, key, fcounts
                    )
                elif not recording:
                    lif_run(knet, par, st, burn, ext, step0, 0, n, False)
                else:
                    s = 0
                    while s < n:
                        growable = cap < cap_limit
                        if prec is None:
                            s = lif_run(knet, par, st, rec, ext, step0, s, n, growable)
                        else:
                            s = lif_run_format(
                                knet, par, st, rec, ext, step0, s, n, growable, fs, fa, key,
                                fcounts,
                            )  # fmt: skip
                        if s < n:  # grow the spike buffer and resume
                            cap = int(min(cap_limit, 2 * cap + N))
                            spk_i = np.empty(cap, dtype=np.int32)
                            spk_t = np.empty(cap, dtype=np.int32)
                            c = int(rec.counters[0])
                            spk_i[:c] = rec.spk_i[:c]
                            spk_t[:c] = rec.spk_t[:c]
                            rec = rec._replace(spk_i=spk_i, spk_t=spk_t)
                if not (np.all(np.isfinite(st.V)) and np.all(np.isfinite(st.I))):
                    bad_from = step0
                    break
                step0 += n
                if bar is not None:
                    bar.update(n)
            if bad_from is not None:
                break
    finally:
        if bar is not None:
            bar.close()
    run_time = time.perf_counter() - t0
    c = int(rec.counters[0])
    senders = rec.spk_i[:c].copy()
    times = (rec.spk_t[:c].astype(np.float64) + 1.0) * dt
    pop_slices = tuple((int(conn.pop_start[a]), int(conn.pop_start[a + 1])) for a in range(net.P))
    rates = rec.rates / (np.asarray(net.N, dtype=float)[None, :] * spb * dt * 1e-3)
    V_trace = rec.V_trace
    diverged_at, reason = None, ""
    if bad_from is not None:
        n_bad = int(np.sum(~(np.isfinite(st.V) & np.isfinite(st.I))))
        diverged_at = bad_from * dt
        reason = (
            f"the membrane potential or synaptic current of {n_bad} neurons became non-finite "
            f"between t = {bad_from * dt:g} and {(bad_from + chunk) * dt:g} ms"
        )
        keep = rec.spk_t[:c] < bad_from
        senders, times = senders[keep], times[keep]
        first = max(0, bad_from - n_burn)
        rates[first // spb :] = np.nan
        V_trace = V_trace.astype(float)
        V_trace[first:] = np.nan
        warnings.warn(
            f"simulate_lif: the run diverged at t = {diverged_at:g} ms: {reason}; it stopped "
            "there and the records from that time on are NaN (spikes dropped). Check the PSP "
            "amplitudes J, J_ext and the drive mu_ext (the number format overflows).",
            RuntimeWarning,
            stacklevel=2,
        )
    return LIFResult(
        model=net,
        method="time-driven exact integration (numba)",
        options={
            "dt": dt,
            "burn_in": n_burn * dt,
            "fmt": fmt,
            "max_spikes": max_spikes,
            "record_rates_bin": rb,
            "record_spikes": record_spikes,
        },
        n_iter=n_burn + n_steps if bad_from is None else bad_from,
        converged=bad_from is None,
        status=Status.CONVERGED if bad_from is None else Status.DIVERGED,
        diverged=bad_from is not None,
        diverged_at=diverged_at,
        diverged_reason=reason,
        T=n_steps * dt,
        burn_in=n_burn * dt,
        dt=dt,
        fmt=fmt,
        senders=senders,
        times=times,
        n_spikes=int(rec.counters[1]),
        overflow=bool(rec.counters[2]),
        spike_counts=rec.counts,
        pop_slices=pop_slices,
        rate_bin=rb,
        pop_rates=rates,
        units=rec_idx,
        V=V_trace,
        build_time=build_time,
        run_time=run_time,
        n_synapses=conn.n_synapses,
        bytes_per_synapse=conn.nbytes / max(conn.n_synapses, 1),
        in_degree=conn.in_degree,
        n_overflow=int(fcounts[0]),
        n_overflow_ring=int(fcounts[1]),
    )
