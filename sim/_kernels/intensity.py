"""numba kernel of the exact event-driven simulator of intensity networks.

One kernel, :func:`intensity_run`, simulates the finite network (``M = 1``, a spike of j
is delivered in its own copy) and the M-replica network of Baccelli & Taillefumier
(2019, SIAM J. Appl. Dyn. Syst. 18:1756, Sec. 2.2: each target of a spike receives the
jump in a replica drawn uniformly among the other M - 1, independently per target and
per spike).  Units are ``k = m N + i`` (replica m, neuron i).

Exactness (Lewis & Shedler 1979, Naval Res. Logist. Q. 26:403, thinning): between two
events touching unit k, X_k relaxes monotonically toward b_i, so for a non-decreasing phi
the intensity is bounded by ``max(phi(X_k(t0)), phi(b_i))``; candidate events of the
Poisson process at that bound plus the external rate are accepted as spikes with
probability ``phi(X(t)) / bound``.  A jump that lowers the intensity leaves the bound
valid (nothing to do); one that raises it above the bound adds an independent Poisson
stream at the excess rate, whose first point replaces the pending candidate if earlier
(superposition and memorylessness; the bound is tightened at the unit's own candidate
events).  Each unit holds one candidate time, kept in an indexed binary min-heap:
O(log NM) per event.

Random numbers come from a SplitMix64 stream (Steele, Lea & Flood 2014, OOPSLA,
"Fast splittable pseudorandom number generators") carried in the state, so the NumPy
twin :mod:`rnmf.sim._reference_intensity` draws exactly the same numbers in the same
order and a seed reproduces a run bit for bit.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit


class Net(NamedTuple):
    """Out-adjacency (CSR over sources) and neuron constants."""

    targets: np.ndarray  # int32 (nnz,)
    weights: np.ndarray  # float64 (nnz,)
    offsets: np.ndarray  # int64 (N+1,)
    b: np.ndarray  # (N,)
    inv_tau: np.ndarray  # (N,) 0 for no leak
    r: np.ndarray  # (N,)
    ext_rate: np.ndarray  # (N,)
    ext_weight: np.ndarray  # (N,)
    phi_b: np.ndarray  # (N,) phi(b_i)
    table_x: np.ndarray  # (n_tab,) grid of a tabulated phi (callable), else empty
    table_y: np.ndarray
    kind: int  # 0 linear, 1 exp, 2 table
    lam0: float
    reset: bool
    M: int


class State(NamedTuple):
    """Dynamic state (carried across chunks)."""

    X: np.ndarray  # (NM,) state at its last update time
    t0: np.ndarray  # (NM,) last update time
    cand: np.ndarray  # (NM,) next candidate time
    bound: np.ndarray  # (NM,) thinning bound valid since t0
    heap: np.ndarray  # int64 (NM,) unit indices, min-heap on cand
    pos: np.ndarray  # int64 (NM,) position of each unit in the heap
    rng: np.ndarray  # uint64 (1,) SplitMix64 state


class Record(NamedTuple):
    """Recording buffers."""

    counts: np.ndarray  # int64 (NM,) spikes per unit after t_warm
    batch: np.ndarray  # int64 (n_batch, N) spikes per neuron (all replicas) per batch
    rec_of: np.ndarray  # int64 (NM,) index among recorded units, -1 if not recorded
    spk_t: np.ndarray  # float64 (cap,) spike times of recorded units
    spk_u: np.ndarray  # int64 (cap,) recorded-unit index
    binned: np.ndarray  # int32 (n_bins, n_rec) counts of recorded units per bin
    counters: np.ndarray  # int64 [n_spk_recorded, n_spikes, n_candidates, overflow]
    fpar: np.ndarray  # float64 [t_warm, T_batch, bin_width]


@njit(cache=True, inline="always")
def _next(rng):  # pragma: no cover - numba
    s = rng[0] + np.uint64(0x9E3779B97F4A7C15)
    rng[0] = s
    z = s
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(cache=True, inline="always")
def uniform(rng):  # pragma: no cover - numba
    """Uniform double in [0, 1) from the top 53 bits."""
    return float(_next(rng) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True, inline="always")
def _phi(kind, lam0, tx, ty, x):  # pragma: no cover - numba
    if kind == 0:
        return x if x > 0.0 else 0.0
    if kind == 1:
        return lam0 * math.exp(x if x < 700.0 else 700.0)
    n = tx.size
    if x <= tx[0]:
        return ty[0]
    if x >= tx[n - 1]:
        return ty[n - 1]
    f = (x - tx[0]) / (tx[1] - tx[0])
    j = int(f)
    if j >= n - 1:
        j = n - 2
    a = f - j
    return ty[j] * (1.0 - a) + ty[j + 1] * a


@njit(cache=True, inline="always")
def _sift_up(heap, pos, cand, p):  # pragma: no cover - numba
    k = heap[p]
    c = cand[k]
    while p > 0:
        q = (p - 1) >> 1
        kq = heap[q]
        if cand[kq] <= c:
            break
        heap[p] = kq
        pos[kq] = p
        p = q
    heap[p] = k
    pos[k] = p


@njit(cache=True, inline="always")
def _sift_down(heap, pos, cand, p):  # pragma: no cover - numba
    n = heap.size
    k = heap[p]
    c = cand[k]
    while True:
        q = 2 * p + 1
        if q >= n:
            break
        if q + 1 < n and cand[heap[q + 1]] < cand[heap[q]]:
            q += 1
        kq = heap[q]
        if cand[kq] >= c:
            break
        heap[p] = kq
        pos[kq] = p
        p = q
    heap[p] = k
    pos[k] = p


@njit(cache=True, inline="always")
def _update(heap, pos, cand, k, new):  # pragma: no cover - numba
    old = cand[k]
    cand[k] = new
    if new < old:
        _sift_up(heap, pos, cand, pos[k])
    else:
        _sift_down(heap, pos, cand, pos[k])


@njit(cache=True)
def heap_init(st):  # pragma: no cover - numba
    """Build the heap from scratch (Floyd)."""
    heap, pos, cand = st.heap, st.pos, st.cand
    n = heap.size
    for p in range(n):
        heap[p] = p
        pos[p] = p
    for p in range(n // 2 - 1, -1, -1):
        _sift_down(heap, pos, cand, p)


@njit(cache=True)
def _run(
    targets,
    weights,
    offsets,
    b,
    inv_tau,
    r,
    ext_rate,
    ext_weight,
    phi_b,
    tx,
    ty,
    kind,
    lam0,
    reset,
    M,
    X,
    t0,
    cand,
    bound,
    heap,
    pos,
    rng,
    counts,
    batch,
    rec_of,
    spk_t,
    spk_u,
    binned,
    counters,
    fpar,
    t_stop,
    max_events,
    init,
):  # pragma: no cover - numba
    N = b.size
    if init:  # initial candidates of every unit, in unit order, at time 0
        for k in range(X.size):
            i = k % N
            t0[k] = 0.0
            p = _phi(kind, lam0, tx, ty, X[k])
            bnd = p if p > phi_b[i] else phi_b[i]
            bound[k] = bnd
            tot = bnd + ext_rate[i]
            cand[k] = -math.log(1.0 - uniform(rng)) / tot if tot > 0.0 else np.inf
        return 0
    t_warm = fpar[0]
    T_batch = fpar[1]
    bin_w = fpar[2]
    n_batch = batch.shape[0]
    n_bins = binned.shape[0]
    cap = spk_t.size
    n_ev = 0
    while n_ev < max_events:
        k = heap[0]
        t = cand[k]
        if t > t_stop:
            break
        n_ev += 1
        i = k % N
        m = k // N
        dt = t - t0[k]
        if dt > 0.0 and inv_tau[i] > 0.0:
            X[k] = b[i] + (X[k] - b[i]) * math.exp(-dt * inv_tau[i])
        t0[k] = t
        u = uniform(rng) * (bound[k] + ext_rate[i])
        if u < ext_rate[i]:
            X[k] += ext_weight[i]
        elif u - ext_rate[i] < _phi(kind, lam0, tx, ty, X[k]):
            counters[1] += 1
            if t >= t_warm:
                counts[k] += 1
                bt = int((t - t_warm) / T_batch)
                if bt < n_batch:
                    batch[bt, i] += 1
                ru = rec_of[k]
                if ru >= 0:
                    c = counters[0]
                    if c < cap:
                        spk_t[c] = t
                        spk_u[c] = ru
                        counters[0] = c + 1
                    else:
                        counters[3] += 1
                    bb = int((t - t_warm) / bin_w)
                    if bb < n_bins:
                        binned[bb, ru] += 1
            if reset:
                X[k] = r[i]
            for s in range(offsets[i], offsets[i + 1]):
                j = targets[s]
                if M > 1:
                    mm = (m + 1 + int(uniform(rng) * (M - 1))) % M
                else:
                    mm = m
                q = mm * N + j
                dq = t - t0[q]
                if dq > 0.0 and inv_tau[j] > 0.0:
                    X[q] = b[j] + (X[q] - b[j]) * math.exp(-dq * inv_tau[j])
                t0[q] = t
                X[q] += weights[s]
                p = _phi(kind, lam0, tx, ty, X[q])
                bnd = p if p > phi_b[j] else phi_b[j]
                old = bound[q]
                if bnd > old:
                    # superpose a Poisson stream at the excess rate: the pending candidate
                    # stays valid for the old bound (memorylessness)
                    bound[q] = bnd
                    extra = t - math.log(1.0 - uniform(rng)) / (bnd - old)
                    if extra < cand[q]:
                        cand[q] = extra
                        _sift_up(heap, pos, cand, pos[q])
        counters[2] += 1
        p = _phi(kind, lam0, tx, ty, X[k])
        bnd = p if p > phi_b[i] else phi_b[i]
        bound[k] = bnd
        tot = bnd + ext_rate[i]
        nk = t - math.log(1.0 - uniform(rng)) / tot if tot > 0.0 else np.inf
        _update(heap, pos, cand, k, nk)
    return n_ev


def _flat(net, st, rec):
    return (net.targets, net.weights, net.offsets, net.b, net.inv_tau, net.r, net.ext_rate,
            net.ext_weight, net.phi_b, net.table_x, net.table_y, net.kind, net.lam0,
            net.reset, net.M, st.X, st.t0, st.cand, st.bound, st.heap, st.pos, st.rng,
            rec.counts, rec.batch, rec.rec_of, rec.spk_t, rec.spk_u, rec.binned,
            rec.counters, rec.fpar)  # fmt: skip


def draw_all(net: Net, st: State, rec: Record) -> None:
    """Initial candidates of every unit, in unit order, at time 0."""
    _run(*_flat(net, st, rec), 0.0, 0, True)


def intensity_run(net: Net, st: State, rec: Record, t_stop: float, max_events: int) -> int:
    """Process events until the next candidate lies beyond ``t_stop``.

    The arrays are passed to the compiled loop one by one: reading arrays out of a tuple
    inside a numba loop costs a reference count per access, 25 times slower here.
    Returns the number of candidate events processed (stops early at ``max_events``).
    """
    return int(_run(*_flat(net, st, rec), float(t_stop), int(max_events), False))
