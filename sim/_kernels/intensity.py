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
events).  Each unit holds one candidate time.

Memory layout (the work of one event touches few cache lines):

* the event queue is an indexed 4-ary min-heap (Johnson 1975, Inf. Process. Lett. 4:53,
  d-heaps) whose nodes hold the pair (candidate time, unit id) themselves, node p in row
  ``p + 3`` of a 64-byte aligned (NM + 3, 2) float64 buffer, so the four children
  ``4p + 1 .. 4p + 4`` of a node, keys and ids, fill exactly one cache line: one line per
  level, O(log4 NM) lines per pop, no indirection through per-unit arrays while sifting;
* the dynamic state of a unit is one 32-byte record ``U[k] = (Y, i, bound, count)``
  (two per cache line), its heap position an int32 ``pos[k]``; ``i`` is the neuron of
  the unit, stored so that no integer division by N is needed;
* the constants of a neuron are one 64-byte row ``cn[i] = (b, 1/tau, r, ext_rate,
  ext_weight, phi(b), 0, 0)``.

Leak without an exponential per touched unit: the state is the scaled deviation
``Y = (X - b) exp((t - te) / tau)``, constant between jumps, so ``X(t) = b + Y E`` with
``E = exp(-(t - te) / tau)``; E depends only on the event time and tau, so one exp per
event serves the spiking unit and all its targets with the same tau (a jump w adds
``w / E`` to Y).  The epoch ``te`` moves to the current event time, rescaling every Y,
once ``(t - te) / tau`` passes 600, so ``1 / E`` stays below 1e261.
Exponential waiting times come from the ziggurat method (Marsaglia & Tsang 2000,
J. Stat. Softw. 5(8)): one 64-bit output and no logarithm in about 99 % of draws.

Random numbers come from a SplitMix64 stream (Steele, Lea & Flood 2014, OOPSLA,
"Fast splittable pseudorandom number generators") held in a register during a run and
stored in the state between runs, so the NumPy twin :mod:`rnmf.sim._reference_intensity`
draws exactly the same numbers in the same order and a seed reproduces a run bit for bit.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from .formats import _GOLDEN, _S11, mix64


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
    cn: np.ndarray  # float64 (N, 8) packed constants (b, 1/tau, r, ext_rate, ext_w, phi_b)
    zk: np.ndarray  # uint64 (256,) ziggurat: fast-accept thresholds of the 53-bit draw
    zw: np.ndarray  # float64 (256,) ziggurat: layer widths / 2**53
    zf: np.ndarray  # float64 (257,) ziggurat: exp(-edge) of each layer edge


class State(NamedTuple):
    """Dynamic state (carried across chunks); build it with :func:`new_state`."""

    U: np.ndarray  # float64 (NM, 4): Y = (X - b) e^{(t - te)/tau}, neuron, bound, spikes
    H: np.ndarray  # float64 (NM + 3, 2) heap node p at row p + 3: (candidate time, unit id)
    pos: np.ndarray  # int32 (NM,) heap node of each unit
    rng: np.ndarray  # uint64 (1,) SplitMix64 state
    te: np.ndarray  # float64 (1,) epoch of the scaled deviations Y


class Record(NamedTuple):
    """Recording buffers."""

    batch: np.ndarray  # int64 (n_batch, N) spikes per neuron (all replicas) per batch
    rec_of: np.ndarray  # int64 (NM,) index among recorded units, -1 if not recorded
    spk_t: np.ndarray  # float64 (cap,) spike times of recorded units
    spk_u: np.ndarray  # int64 (cap,) recorded-unit index
    binned: np.ndarray  # int32 (n_bins, n_rec) counts of recorded units per bin
    counters: np.ndarray  # int64 [n_spk_recorded, n_spikes, n_candidates, overflow]
    fpar: np.ndarray  # float64 [t_warm, T_batch, bin_width]


def _aligned(n: int, dtype: type, align: int = 64) -> np.ndarray:
    """Zeroed 1-D array of ``n`` items whose first item sits on an ``align``-byte line."""
    size = np.dtype(dtype).itemsize
    buf = np.zeros(n + align // size, dtype=dtype)
    off = (-buf.ctypes.data % align) // size
    return buf[off : off + n]


def new_state(X: np.ndarray, seed: int) -> State:
    """State of ``X.size`` units started at ``X`` (time 0), SplitMix64 seeded with ``seed``."""
    NM = X.size
    U = _aligned(4 * NM, np.float64).reshape(NM, 4)
    U[:, 0] = X
    return State(
        U=U,
        H=_aligned(2 * (NM + 3), np.float64).reshape(NM + 3, 2),
        pos=np.zeros(NM, dtype=np.int32),
        rng=np.array([seed], dtype=np.uint64),
        te=np.zeros(1),
    )


_GOLD = _GOLDEN
_B8 = np.uint64(255)
_mix = mix64  # SplitMix64 output (64 bits) of the (already advanced) state


@njit(cache=True, inline="always")
def _u01(s):  # pragma: no cover - numba
    """SplitMix64 output of the (already advanced) state ``s`` as a double in [0, 1)."""
    return float(np.int64(_mix(s) >> _S11)) * (1.0 / 9007199254740992.0)  # < 2**53: exact


@njit(cache=True)
def _exp1_slow(s, i, x, zk, zw, zf):  # pragma: no cover - numba
    """Rejected fast path of :func:`_exp1`: base-layer tail, wedges, restarts."""
    while True:
        if i == 0:  # tail beyond r: r + Exp(1) (memorylessness)
            s += _GOLD
            return zw[1] * 9007199254740992.0 - math.log(1.0 - _u01(s)), s
        s += _GOLD
        y = zf[i] + _u01(s) * (zf[i + 1] - zf[i])
        if y < math.exp(-x):
            return x, s
        s += _GOLD
        z = _mix(s)
        i = int(z & _B8)
        j = z >> _S11
        x = float(np.int64(j)) * zw[i]
        if j < zk[i]:
            return x, s


@njit(cache=True, inline="always")
def _exp1(s, zk, zw, zf):  # pragma: no cover - numba
    """Exp(1) draw by the ziggurat method (Marsaglia & Tsang 2000, J. Stat. Softw. 5(8),
    Sec. 3, 256 layers) from the SplitMix64 stream: one 64-bit output picks the layer
    (low 8 bits) and the abscissa (high 53 bits); about 99 % of draws end at the integer
    comparison, without a logarithm.  Returns ``(x, s)`` with the advanced state."""
    s += _GOLD
    z = _mix(s)
    i = int(z & _B8)
    j = z >> _S11
    x = float(np.int64(j)) * zw[i]
    if j < zk[i]:
        return x, s
    return _exp1_slow(s, i, x, zk, zw, zf)


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
def _sift_up(H, pos, p, key, unit):  # pragma: no cover - numba
    """Place ``unit`` with ``key`` at node ``p`` or above (4-ary heap, node p at row p + 3)."""
    while p > 0:
        q = (p - 1) >> 2
        kq = H[q + 3, 0]
        if kq <= key:
            break
        uq = H[q + 3, 1]
        H[p + 3, 0] = kq
        H[p + 3, 1] = uq
        pos[int(uq)] = p
        p = q
    H[p + 3, 0] = key
    H[p + 3, 1] = unit
    pos[unit] = p


@njit(cache=True, inline="always")
def _sift_down(H, pos, n, p, key, unit):  # pragma: no cover - numba
    """Place ``unit`` with ``key`` at node ``p`` or below."""
    while True:
        c = 4 * p + 1
        if c >= n:
            break
        a = c + 3
        ka = H[a, 0]
        if c + 3 < n:  # four children (key, unit) in one 64-byte line
            k1 = H[a + 1, 0]
            k2 = H[a + 2, 0]
            k3 = H[a + 3, 0]
            b = a + 2
            kb = k2
            if k1 < ka:
                a += 1
                ka = k1
            if k3 < kb:
                b += 1
                kb = k3
            if kb < ka:
                a = b
                ka = kb
        else:
            for cc in range(c + 4, n + 3):
                if H[cc, 0] < ka:
                    a = cc
                    ka = H[cc, 0]
        if ka >= key:
            break
        ua = H[a, 1]
        H[p + 3, 0] = ka
        H[p + 3, 1] = ua
        pos[int(ua)] = p
        p = a - 3
    H[p + 3, 0] = key
    H[p + 3, 1] = unit
    pos[unit] = p


_REBASE = 600.0  # largest (t - te) / tau before the deviations Y are rescaled


@njit(cache=True)
def _rebase(cn, U, te, t):  # pragma: no cover - numba
    """Move the epoch of every scaled deviation Y from ``te`` to ``t``; returns ``t``."""
    N = cn.shape[0]
    f = np.empty(N)
    for i in range(N):
        f[i] = math.exp(-(t - te) * cn[i, 1])
    for k in range(U.shape[0]):
        U[k, 0] *= f[k % N]
    return t


@njit(cache=True)
def _init(cn, tx, ty, kind, lam0, zk, zw, zf, U, H, pos, rng, te):  # pragma: no cover - numba
    """Initial candidates of every unit, in unit order, at time 0 (the epoch: U[k, 0]
    holds X on entry and ``Y = X - b`` on exit); heapify (Floyd)."""
    N = cn.shape[0]
    n = pos.size
    s = rng[0]
    for k in range(n):
        i = k % N
        U[k, 1] = i  # neuron index, read back instead of dividing k by N
        U[k, 0] -= cn[i, 0]
        p = _phi(kind, lam0, tx, ty, cn[i, 0] + U[k, 0])
        bnd = p if p > cn[i, 5] else cn[i, 5]
        U[k, 2] = bnd
        tot = bnd + cn[i, 3]
        if tot > 0.0:
            e, s = _exp1(s, zk, zw, zf)
            H[k + 3, 0] = e / tot
        else:
            H[k + 3, 0] = np.inf
        H[k + 3, 1] = k
        pos[k] = k
    rng[0] = s
    te[0] = 0.0
    if n > 1:
        for p in range((n - 2) >> 2, -1, -1):
            _sift_down(H, pos, n, p, H[p + 3, 0], int(H[p + 3, 1]))


@njit(cache=True)
def _run(
    targets,
    weights,
    offsets,
    cn,
    tx,
    ty,
    kind,
    lam0,
    zk,
    zw,
    zf,
    reset,
    M,
    U,
    H,
    pos,
    rng,
    te_arr,
    batch,
    rec_of,
    spk_t,
    spk_u,
    binned,
    counters,
    fpar,
    t_stop,
    max_events,
):  # pragma: no cover - numba
    N = cn.shape[0]
    n = pos.size
    t_warm = fpar[0]
    inv_Tb = 1.0 / fpar[1]  # batch index by a product (statistics only)
    bin_w = fpar[2]
    n_batch = batch.shape[0]
    n_bins = binned.shape[0]
    cap = spk_t.size
    n_rec = counters[0]
    n_spk = counters[1]
    n_cand = counters[2]
    n_over = counters[3]
    Mm1 = M - 1
    s = rng[0]
    te = te_arr[0]
    itmax = 0.0
    for i in range(N):
        if cn[i, 1] > itmax:
            itmax = cn[i, 1]
    n_ev = 0
    while n_ev < max_events:
        t = H[3, 0]
        if t > t_stop:
            break
        if (t - te) * itmax > _REBASE:
            te = _rebase(cn, U, te, t)
        k = int(H[3, 1])
        n_ev += 1
        i = int(U[k, 1])
        base = k - i  # m N for replica m
        bi = cn[i, 0]
        itau = cn[i, 1]
        er = cn[i, 3]
        # X(t) = b + Y E with E = exp(-(t - te) / tau): one exp per event time and time
        # constant, shared by the targets with the same tau
        E = math.exp(-(t - te) * itau)
        iE = 1.0 / E
        y = U[k, 0]
        s += _GOLD
        u = _u01(s) * (U[k, 2] + er)
        if u < er:
            y += cn[i, 4] * iE
            ph = _phi(kind, lam0, tx, ty, bi + y * E)
        else:
            ph = _phi(kind, lam0, tx, ty, bi + y * E)
            if u - er < ph:
                n_spk += 1
                if t >= t_warm:
                    U[k, 3] += 1.0
                    bt = int((t - t_warm) * inv_Tb)
                    if bt < n_batch:
                        batch[bt, i] += 1
                    ru = rec_of[k]
                    if ru >= 0:
                        if n_rec < cap:
                            spk_t[n_rec] = t
                            spk_u[n_rec] = ru
                            n_rec += 1
                        else:
                            n_over += 1
                        bb = int((t - t_warm) / bin_w)
                        if bb < n_bins:
                            binned[bb, ru] += 1
                if reset:
                    y = (cn[i, 2] - bi) * iE
                    ph = _phi(kind, lam0, tx, ty, bi + y * E)
                for e in range(offsets[i], offsets[i + 1]):
                    j = targets[e]
                    if M > 1:  # replica m + 1 + floor(u (M - 1)) mod M
                        s += _GOLD
                        q = base + (1 + int(_u01(s) * Mm1)) * N
                        if q >= n:
                            q -= n
                        q += j
                    else:
                        q = base + j
                    itj = cn[j, 1]
                    if itj == itau:
                        Ej = E
                        iEj = iE
                    else:
                        Ej = math.exp(-(t - te) * itj)
                        iEj = 1.0 / Ej
                    yq = U[q, 0] + weights[e] * iEj
                    U[q, 0] = yq
                    p = _phi(kind, lam0, tx, ty, cn[j, 0] + yq * Ej)
                    bnd = p if p > cn[j, 5] else cn[j, 5]
                    old = U[q, 2]
                    if bnd > old:
                        # superpose a Poisson stream at the excess rate: the pending
                        # candidate stays valid for the old bound (memorylessness)
                        U[q, 2] = bnd
                        ex, s = _exp1(s, zk, zw, zf)
                        extra = t + ex / (bnd - old)
                        pq = pos[q]
                        if extra < H[pq + 3, 0]:
                            _sift_up(H, pos, pq, extra, q)
        n_cand += 1
        U[k, 0] = y
        bnd = ph if ph > cn[i, 5] else cn[i, 5]
        U[k, 2] = bnd
        tot = bnd + er
        if tot > 0.0:
            ex, s = _exp1(s, zk, zw, zf)
            nk = t + ex / tot
        else:
            nk = np.inf
        pk = pos[k]
        if nk < H[pk + 3, 0]:
            _sift_up(H, pos, pk, nk, k)
        else:
            _sift_down(H, pos, n, pk, nk, k)
    rng[0] = s
    te_arr[0] = te
    counters[0] = n_rec
    counters[1] = n_spk
    counters[2] = n_cand
    counters[3] = n_over
    return n_ev


def draw_all(net: Net, st: State) -> None:
    """Initial candidates of every unit, in unit order, at time 0, and the heap."""
    _init(net.cn, net.table_x, net.table_y, net.kind, net.lam0, net.zk, net.zw, net.zf,
          st.U, st.H, st.pos, st.rng, st.te)  # fmt: skip


def intensity_run(net: Net, st: State, rec: Record, t_stop: float, max_events: int) -> int:
    """Process events until the next candidate lies beyond ``t_stop``.

    The arrays are passed to the compiled loop one by one: reading arrays out of a tuple
    inside a numba loop costs a reference count per access, 25 times slower here.
    Returns the number of candidate events processed (stops early at ``max_events``).
    """
    return int(
        _run(net.targets, net.weights, net.offsets, net.cn, net.table_x, net.table_y,
             net.kind, net.lam0, net.zk, net.zw, net.zf, net.reset, net.M,
             st.U, st.H, st.pos, st.rng, st.te,
             rec.batch, rec.rec_of, rec.spk_t, rec.spk_u, rec.binned, rec.counters,
             rec.fpar, float(t_stop), int(max_events))
    )  # fmt: skip
