"""Sampling the synapses of an LIF network into a CSR out-adjacency (:mod:`rnmf.sim.spiking`).

Fixed in-degree, Bernoulli or fixed-total-number connectivity drawn in chunks, two
passes over the same random stream (count, then fill), so that building needs no
memory beyond the CSR.  Per synapse the CSR stores an ``int32`` target, a
``uint8``/``uint16`` delay in steps when delays are distributed (drawn from each
block's :class:`rnmf.models.Delay` rounded to the grid, :meth:`Delay.pmf`) and a
``float32`` weight when some block has a weight spread ``J_sd > 0``
(``J (1 + J_sd xi)``, redrawn while its sign differs from ``J`` when ``J_truncate``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from rnmf._checks import as_rng, check_positive
from rnmf.models import LIFNetwork
from rnmf.models.delays import Delay

from ._kernels.spiking import fill_csr

_CHUNK_DRAWS = 1 << 22  # synapses drawn per chunk while building


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
    if net.connectivity == "fixed_total_number":
        return np.rint(K * np.asarray(net.N, dtype=float)[:, None]).astype(np.int64)
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
            elif net.connectivity == "fixed_total_number":
                # M_ab synapses, targets and sources uniform with replacement (NEST
                # fixed_total_number, Potjans & Diesmann 2014): the counts per target are
                # multinomial; targets come out ascending, sources are uniform per synapse
                m_ab = int(K[a, b])
                if m_ab == 0:
                    continue
                per_tgt = rng.multinomial(m_ab, np.full(n_a, 1.0 / n_a))
                ends = np.cumsum(per_tgt)
                t0 = 0
                while t0 < n_a:
                    start = int(ends[t0 - 1]) if t0 else 0
                    t1 = int(np.searchsorted(ends, start + _CHUNK_DRAWS, side="right"))
                    t1 = min(n_a, max(t1, t0 + 1))
                    cnt = per_tgt[t0:t1]
                    tgt = np.repeat(np.arange(lo_a + t0, lo_a + t1, dtype=np.int32), cnt)
                    src = rng.integers(0, n_b, size=tgt.size, dtype=np.int64)
                    yield a, b, tgt, (src + lo_b).astype(np.int32)
                    t0 = t1
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
    weights : ndarray of float32, shape (M,) or empty
        Per-synapse weights (mV) when some block has a weight spread, else empty (the
        block weight ``J[a][b]`` applies).
    """

    targets: np.ndarray
    offsets: np.ndarray
    delays: np.ndarray
    const_delay: int
    max_delay: int
    pop_start: np.ndarray
    in_degree: dict = field(default_factory=dict)
    weights: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.float32))

    @property
    def n_synapses(self) -> int:
        """Number of synapses M."""
        return int(self.targets.size)

    @property
    def nbytes(self) -> int:
        """Bytes held by the adjacency (targets, delays, weights, offsets)."""
        return int(
            self.targets.nbytes + self.delays.nbytes + self.weights.nbytes + self.offsets.nbytes
        )

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
                w = self.weights[lo:hi].astype(float) if self.weights.size else W[a, pop_of[j]]
                np.add.at(out, (d, self.targets[lo:hi], j), w)
        return out


@dataclass(frozen=True)
class _DelayPlan:
    """How the delays of each block are drawn, in steps of ``dt``.

    ``kind[a][b]`` is ``"fixed"`` (``steps[a][b]``), ``"uniform"`` (``U(low, high)`` ms
    rounded to the nearest step and clipped to ``[lo_steps, hi_steps]``, the sampler of
    a scalar ``delay, delay_max``) or ``"pmf"`` (inversion of ``cum[a][b]``, the
    cumulative step probabilities of :meth:`Delay.pmf`).
    """

    kind: tuple
    steps: tuple
    bounds: tuple  # (low ms, high ms, lo steps, hi steps) of uniform blocks
    cum: tuple
    lo: int  # shortest possible delay (steps)
    hi: int  # longest possible delay (steps)
    dt: float

    @property
    def const(self) -> int:
        """The shared delay in steps when every block has the same fixed delay, else 0."""
        flat = [(k, s) for kr, sr in zip(self.kind, self.steps, strict=True)
                for k, s in zip(kr, sr, strict=True)]  # fmt: skip
        if all(k == "fixed" for k, _ in flat) and len({s for _, s in flat}) == 1:
            return flat[0][1]
        return 0


def _short(d: float, dt: float) -> ValueError:
    return ValueError(
        f"LIFNetwork.delay = {d:g} ms is shorter than the time step dt = {dt:g} ms; "
        "pass a smaller dt or a longer delay"
    )


def _delay_plan(net: LIFNetwork, dt: float) -> _DelayPlan:
    """Per-block delay samplers; raises on delays shorter than ``dt`` (a ring buffer needs
    at least one step) and on distributions with mass below ``dt`` (:meth:`Delay.pmf`)."""
    P = net.P
    mat = net.delay_matrix()
    kind, steps, bounds, cum = [], [], [], []
    lo_all, hi_all = None, 0
    for a in range(P):
        kr, sr, br, cr = [], [], [], []
        for b in range(P):
            d: Delay = mat[a][b]
            st = bd = cu = None
            if d.kind == "fixed" or (d.kind == "uniform" and d.low == d.high):
                if d.mean < dt * (1.0 - 1e-9):
                    raise _short(d.mean, dt)
                k, st = "fixed", int(round(d.mean / dt))
                lo, hi = st, st
            elif d.kind == "uniform":
                if d.low < dt * (1.0 - 1e-9):
                    raise _short(d.low, dt)
                lo, hi = int(round(d.low / dt)), int(round(d.high / dt))
                k, bd = "uniform", (d.low, d.high, max(lo, 1), hi)
            else:
                pmf = d.pmf(dt)
                nz = np.flatnonzero(pmf > 0)
                lo, hi = int(nz[0]), int(nz[-1])
                c = np.cumsum(pmf[: hi + 1])
                c[-1] = 1.0
                k, cu = "pmf", c
            if k != "fixed" and lo == hi:  # all mass on one step
                k, st, bd, cu = "fixed", lo, None, None
            if hi > 65535:
                raise ValueError(
                    f"delays of more than 65535 steps are not supported (block ({a}, {b}): "
                    f"{hi} steps of dt = {dt:g} ms); use a larger dt"
                )
            kr.append(k)
            sr.append(st)
            br.append(bd)
            cr.append(cu)
            lo_all = lo if lo_all is None else min(lo_all, lo)
            hi_all = max(hi_all, hi)
        kind.append(tuple(kr))
        steps.append(tuple(sr))
        bounds.append(tuple(br))
        cum.append(tuple(cr))
    return _DelayPlan(tuple(kind), tuple(steps), tuple(bounds), tuple(cum), int(lo_all), hi_all, dt)


def _delay_steps(net: LIFNetwork, dt: float) -> tuple[int, int]:
    """Shortest and longest delay of ``net`` in steps of ``dt`` (validates them)."""
    plan = _delay_plan(net, dt)
    return plan.lo, plan.hi


def _draw_delays(plan: _DelayPlan, a: int, b: int, n: int, rng, dtype) -> np.ndarray:
    k = plan.kind[a][b]
    if k == "fixed":
        return np.full(n, plan.steps[a][b], dtype=dtype)
    if k == "uniform":
        lo_ms, hi_ms, lo, hi = plan.bounds[a][b]
        d = np.rint(rng.uniform(lo_ms, hi_ms, size=n) / plan.dt)
        return np.clip(d, lo, hi).astype(dtype)
    c = plan.cum[a][b]
    idx = np.searchsorted(c, rng.random(n), side="right")
    return np.minimum(idx, c.size - 1).astype(dtype)


def _has_spread(net: LIFNetwork) -> bool:
    return bool(np.any(np.asarray(net.J_sd, dtype=float) * np.abs(net.J) > 0))


def _draw_weights(net: LIFNetwork, a: int, b: int, n: int, rng) -> np.ndarray:
    """``J (1 + J_sd xi)`` per synapse, redrawn while the sign differs from ``J`` when
    ``J_truncate`` (NEST's ``redraw(normal(J, |J| J_sd), min=0)`` / ``max=0``)."""
    J = float(net.J[a][b])
    sd = float(net.J_sd[a][b])
    if sd == 0.0 or J == 0.0:
        return np.full(n, J, dtype=np.float32)
    w = J * (1.0 + sd * rng.standard_normal(n))
    if net.J_truncate:
        bad = np.flatnonzero(w * J <= 0.0)
        while bad.size:
            w[bad] = J * (1.0 + sd * rng.standard_normal(bad.size))
            bad = bad[w[bad] * J <= 0.0]
    return w.astype(np.float32)


def build_connectivity(
    net: LIFNetwork, *, dt: float = 0.1, rng: None | int | np.random.Generator = None
) -> Connectivity:
    """Sample the synapses of ``net`` into a CSR out-adjacency.

    Fixed in-degree: each neuron of population a draws ``K[a][b]`` sources of b
    uniformly with replacement (multapses and autapses allowed, NEST's default).
    Bernoulli: each ordered pair (autapses included) is connected with probability
    ``K[a][b] / N[b]`` (Brunel 2000, Sec. 2).  Fixed total number: block (a, b) holds
    ``round(K[a][b] N[a])`` synapses with uniformly drawn targets and sources
    (Potjans & Diesmann 2014, Cereb Cortex 24:785, Sec. 2.1; NEST
    ``fixed_total_number``).  Delays follow each block's :class:`~rnmf.models.Delay`
    rounded to the nearest step (as NEST does): a scalar ``delay, delay_max`` draws
    ``U(delay, delay_max)`` and rounds, every other distribution is drawn by inverting
    its step probabilities :meth:`~rnmf.models.Delay.pmf`.  Weights with a spread
    ``J_sd`` are drawn per synapse as ``J (1 + J_sd xi)`` (``xi ~ N(0, 1)``; redrawn
    while the sign differs from ``J`` when ``J_truncate``) and stored as float32.

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
    plan = _delay_plan(net, dt)
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
    const = plan.const
    ddtype = np.uint8 if plan.hi <= 255 else np.uint16
    delays = np.empty(M if const == 0 else 0, dtype=ddtype)
    drng = np.random.default_rng(seed_delay)
    spread = _has_spread(net)
    weights = np.empty(M if spread else 0, dtype=np.float32)
    wrng = np.random.default_rng((seed_delay, 1))  # own stream: delays unchanged by weights
    no_delays = np.empty(0, dtype=ddtype)
    no_weights = np.empty(0, dtype=np.float32)
    fill = np.ascontiguousarray(offsets[:, :P])
    for a, b, tgt, src in _pairs(net, seed_conn, pop_start):
        dsteps = _draw_delays(plan, a, b, src.size, drng, ddtype) if delays.size else no_delays
        w = _draw_weights(net, a, b, src.size, wrng) if weights.size else no_weights
        fill_csr(src, tgt, dsteps, w, a, fill, targets, delays, weights)
    return Connectivity(
        targets=targets,
        offsets=offsets,
        delays=delays,
        const_delay=const,
        max_delay=plan.hi,
        pop_start=pop_start,
        in_degree=stats,
        weights=weights,
    )
