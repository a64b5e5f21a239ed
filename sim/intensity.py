"""Exact event-driven simulation of intensity networks and their M-replica versions.

:func:`simulate_intensity` runs the finite network (``M = 1``) or the replica network of
Baccelli & Taillefumier (2019, SIAM J. Appl. Dyn. Syst. 18:1756, Sec. 2.2) with the numba
kernel :mod:`rnmf.sim._kernels.intensity` (exact thinning, 4-ary heap event queue,
O(log NM) per event).  The result carries per-neuron rates with error bars, spike trains
of chosen units, binned counts and the measures computed from them (ISI CV, Fano
factor, cross-covariance functions).

**Index convention** (as :class:`rnmf.models.IntensityNetwork`): ``W[j, i]`` is the jump
of neuron i at a spike of neuron j.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rnmf._checks import as_rng, check_int, check_positive
from rnmf.models import IntensityNetwork
from rnmf.results import Result, Status

from ._kernels.intensity import Net, Record, draw_all, intensity_run, new_state

__all__ = ["IntensityRun", "build_net", "simulate_intensity"]

_TABLE = 4097


def _packed(*cols: np.ndarray) -> np.ndarray:
    """Neuron constants as one 64-byte row per neuron (zero padded to 8 columns)."""
    out = np.zeros((cols[0].size, 8))
    for k, c in enumerate(cols):
        out[:, k] = c
    return out


_ZIG_R = 7.69711747013104972  # rightmost edge r of the 256-layer exponential ziggurat
_ZIG_V = 0.0039496598225815571993  # area v of each layer (Marsaglia & Tsang 2000, Sec. 3)


def _ziggurat() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tables of the 256-layer ziggurat for Exp(1) (Marsaglia & Tsang 2000, J. Stat.
    Softw. 5(8), Sec. 3): edges ``e[0] = v / f(r)`` (base layer with the tail folded in),
    ``e[1] = r``, ``e[i+1] = f^{-1}(f(e[i]) + v / e[i])`` with ``f(x) = exp(-x)``, and
    ``e[256] = 0``.  Layer i is the box ``[0, e[i]]``; an abscissa below ``e[i+1]`` lies
    under the density.  Returned: ``zk[i] = floor(2**53 e[i+1] / e[i])`` (fast-accept
    bound of the 53-bit integer draw), ``zw[i] = e[i] / 2**53``, ``zf[i] = f(e[i])``.
    """
    e = np.zeros(257)
    e[0] = _ZIG_V / math.exp(-_ZIG_R)
    e[1] = _ZIG_R
    for i in range(1, 255):
        e[i + 1] = -math.log(math.exp(-e[i]) + _ZIG_V / e[i])
    e[256] = 0.0
    two53 = 9007199254740992.0
    zk = np.array([int(math.floor(two53 * e[i + 1] / e[i])) for i in range(256)], dtype=np.uint64)
    zw = e[:256] / two53
    zf = np.exp(-e)
    return zk, zw, zf


_ZK, _ZW, _ZF = _ziggurat()


def build_net(net: IntensityNetwork, M: int) -> Net:
    """The kernel's ``Net`` tuple: CSR out-adjacency over sources and neuron constants.

    A user callable phi is simulated through its piecewise-linear interpolant on 4097
    points of ``[min(b, r) - 30, max(b, r) + 30 + sum of positive jumps]`` (clamped
    outside); the interpolant of a non-decreasing function is non-decreasing, so the
    thinning stays exact for the interpolated intensity.
    """
    N = net.N
    src, tgt = np.nonzero(net.W)  # W[j, i]: source j (row), target i (column)
    order = np.lexsort((tgt, src))
    src, tgt = src[order], tgt[order]
    offsets = np.zeros(N + 1, dtype=np.int64)
    np.add.at(offsets, src + 1, 1)
    offsets = np.cumsum(offsets)
    weights = net.W[src, tgt].astype(np.float64)
    inv_tau = np.where(np.isfinite(net.tau), 1.0 / net.tau, 0.0)
    kind = {"linear": 0, "exp": 1}.get(net.phi_kind, 2)
    if kind == 2:
        lo = float(min(net.b.min(), net.r.min())) - 30.0
        hi = float(max(net.b.max(), net.r.max())) + 30.0 + float(np.clip(net.W, 0, None).sum())
        tx = np.linspace(lo, hi, _TABLE)
        ty = np.maximum.accumulate(np.asarray(net.intensity(tx), dtype=float))
    else:
        tx = np.zeros(0)
        ty = np.zeros(0)
    phi_b = np.asarray(net.intensity(net.b), dtype=float)
    if kind == 2:
        phi_b = np.interp(net.b, tx, ty)
    return Net(
        targets=tgt.astype(np.int32),
        weights=weights,
        offsets=offsets,
        b=net.b.astype(np.float64),
        inv_tau=inv_tau,
        r=net.r.astype(np.float64),
        ext_rate=net.ext_rate.astype(np.float64),
        ext_weight=net.ext_weight.astype(np.float64),
        phi_b=phi_b,
        table_x=tx,
        table_y=ty,
        kind=kind,
        lam0=float(net.lam0),
        reset=bool(net.reset),
        M=int(M),
        cn=_packed(net.b, inv_tau, net.r, net.ext_rate, net.ext_weight, phi_b),
        zk=_ZK,
        zw=_ZW,
        zf=_ZF,
    )


@dataclass(frozen=True, kw_only=True, repr=False)
class IntensityRun(Result):
    """Output of :func:`simulate_intensity`.

    Attributes
    ----------
    M, T, t_warm : replicas, simulated time, discarded warm-up.
    rates : array (N,)
        Spikes per unit time of each neuron, averaged over replicas and time.
    rate_sem : array (N,)
        Standard error of ``rates`` from batch means over ``n_batches`` time batches.
    unit_rates : array (M, N)
        Rate of every unit.
    recorded : array (n_rec, 2)
        ``(neuron, replica)`` of the recorded units.
    spike_times, spike_units : arrays
        Spikes of the recorded units (time, index into ``recorded``).
    binned : array (n_bins, n_rec)
        Spike counts of the recorded units in bins of ``bin_width``.
    n_spikes, n_candidates : int
        All spikes and all candidate events (accepted or not) in the run.
    wall_time : float
        Seconds spent in the kernel.
    final_state : array (M, N)
        X of every unit at the end of the run, ``t_warm + T`` (a run stopped early by
        ``max_events`` lacks the events it did not process).
    """

    M: int = 1
    T: float = 0.0
    t_warm: float = 0.0
    rates: np.ndarray = field(default_factory=lambda: np.zeros(0))
    rate_sem: np.ndarray = field(default_factory=lambda: np.zeros(0))
    unit_rates: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    recorded: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), int))
    spike_times: np.ndarray = field(default_factory=lambda: np.zeros(0))
    spike_units: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    binned: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), int))
    bin_width: float = 1.0
    n_spikes: int = 0
    n_candidates: int = 0
    wall_time: float = 0.0
    final_state: np.ndarray = field(default_factory=lambda: np.zeros(0))
    batch_rates: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    _base_hidden = ("model", "options", "unit_rates", "spike_times", "spike_units", "binned",
                    "final_state", "recorded", "batch_rates")  # fmt: skip

    def mean_rate(self, neurons: Any = None) -> tuple[float, float]:
        """Mean rate of ``neurons`` (default all) and its standard error.

        The error comes from batch means of the *pooled* rate, so correlations between
        the neurons (strong in a finite recurrent network) are accounted for.
        """
        idx = np.arange(self.rates.size) if neurons is None else np.atleast_1d(neurons)
        pooled = self.batch_rates[:, idx].mean(axis=1)
        return float(self.rates[idx].mean()), float(pooled.std(ddof=1) / np.sqrt(pooled.size))

    def spikes_of(self, neuron: int, replica: int = 0) -> np.ndarray:
        """Spike times of a recorded unit."""
        hit = np.flatnonzero((self.recorded[:, 0] == neuron) & (self.recorded[:, 1] == replica))
        if hit.size == 0:
            raise ValueError(f"unit (neuron {neuron}, replica {replica}) was not recorded")
        return self.spike_times[self.spike_units == hit[0]]

    def cv(self, neuron: int, replica: int = 0) -> float:
        """Coefficient of variation of the inter-spike intervals of a recorded unit."""
        isi = np.diff(self.spikes_of(neuron, replica))
        if isi.size < 2:
            return float("nan")
        return float(np.std(isi) / np.mean(isi))

    def fano(self, neuron: int, replica: int = 0, window: float | None = None) -> float:
        """Fano factor var/mean of the spike counts of a recorded unit in windows of
        ``window`` (a multiple of ``bin_width``; default the whole bin width)."""
        col = self._col(neuron, replica)
        c = self.binned[:, col].astype(float)
        k = 1 if window is None else max(1, int(round(window / self.bin_width)))
        n = c.size // k
        if n < 2:
            return float("nan")
        c = c[: n * k].reshape(n, k).sum(axis=1)
        return float(np.var(c) / np.mean(c)) if np.mean(c) > 0 else float("nan")

    def _col(self, neuron: int, replica: int) -> int:
        hit = np.flatnonzero((self.recorded[:, 0] == neuron) & (self.recorded[:, 1] == replica))
        if hit.size == 0:
            raise ValueError(f"unit (neuron {neuron}, replica {replica}) was not recorded")
        return int(hit[0])

    def count_correlation(self, a: tuple[int, int], b: tuple[int, int]) -> float:
        """Pearson correlation of the binned counts of two recorded units (neuron, replica)."""
        x = self.binned[:, self._col(*a)].astype(float)
        y = self.binned[:, self._col(*b)].astype(float)
        if x.std() == 0 or y.std() == 0:
            return float("nan")
        return float(np.corrcoef(x, y)[0, 1])

    def cross_covariance(
        self, a: tuple[int, int], b: tuple[int, int], max_lag: int = 10
    ) -> tuple[np.ndarray, np.ndarray]:
        """Cross-covariance function of two recorded units from the binned counts.

        Returns ``(lags, C)`` with lags in time units and
        ``C[l] = cov(n_a(t), n_b(t + l)) / bin_width`` (counts per bin, so
        ``C / bin_width`` approximates the covariance density integrated over a bin).
        """
        x = self.binned[:, self._col(*a)].astype(float)
        y = self.binned[:, self._col(*b)].astype(float)
        x = x - x.mean()
        y = y - y.mean()
        n = x.size
        lags = np.arange(-max_lag, max_lag + 1)
        C = np.array([np.dot(x[max(0, -l) : n - max(0, l)], y[max(0, l) : n - max(0, -l)]) / n
                      for l in lags])  # fmt: skip  # noqa: E741
        return lags * self.bin_width, C / self.bin_width


def simulate_intensity(
    net: IntensityNetwork,
    T: float,
    *,
    M: int = 1,
    rng: None | int | np.random.Generator = None,
    t_warm: float = 0.0,
    x0: Any = None,
    record: Any = None,
    bin_width: float = 1.0,
    n_batches: int = 20,
    max_recorded_spikes: int = 2_000_000,
    max_events: int | None = None,
    progress: bool = False,
) -> IntensityRun:
    """Simulate ``net`` exactly (event by event) for a time ``T`` after ``t_warm``.

    Parameters
    ----------
    net : IntensityNetwork
        ``W[j, i]`` = jump of neuron i at a spike of neuron j.
    T : float
        Recorded duration (after the warm-up), in the time unit of ``tau``.
    M : int
        Replicas: 1 is the finite network itself, M > 1 the replica network with
        random routing (each target of each spike in a uniformly drawn other replica).
    rng : None, int or numpy.random.Generator
        Seed source; the same seed gives bitwise identical runs.
    t_warm : float
        Time simulated before recording starts.
    x0 : float, array (N,) or array (M, N), optional
        Initial states (default ``b``).
    record : None, "all", or sequence of (neuron, replica)
        Units whose spike trains and binned counts are kept (default: every neuron of
        replica 0, and neuron 0 of replica 1 when M > 1).
    bin_width : float
        Bin of the recorded counts.
    n_batches : int
        Time batches for the batch-means error bars of the rates.
    max_recorded_spikes : int
        Capacity of the spike buffer (spikes beyond it are counted, not stored).
    max_events : int, optional
        Stop after this many candidate events (guards against runaway rates).
    progress : bool
        Print the progress by tenths of the run.

    Returns
    -------
    IntensityRun
    """
    if not isinstance(net, IntensityNetwork):
        raise ValueError(f"simulate_intensity needs an IntensityNetwork, got {type(net).__name__}")
    T = check_positive("T", T)
    M = check_int("M (number of replicas)", M, minimum=1)
    t_warm = float(t_warm)
    if not np.isfinite(t_warm) or t_warm < 0:
        raise ValueError(f"t_warm must be finite and >= 0, got {t_warm}")
    bin_width = check_positive("bin_width", bin_width)
    n_batches = check_int("n_batches", n_batches, minimum=2)
    cap = check_int("max_recorded_spikes", max_recorded_spikes, minimum=0)
    N = net.N
    NM = N * M
    if NM > 2**31:
        raise ValueError(f"N*M = {NM} units is too large")
    gen = as_rng(rng)
    if x0 is None:
        X = np.tile(net.b, M)
    else:
        x = np.asarray(x0, dtype=float)
        if x.ndim == 0:
            X = np.full(NM, float(x))
        elif x.shape == (N,):
            X = np.tile(x, M)
        elif x.shape == (M, N):
            X = x.ravel().copy()
        else:
            raise ValueError(f"x0 must be a scalar, shape ({N},) or ({M}, {N}); got {x.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError("x0 contains NaN or infinite entries")
        if net.phi == "linear" and np.any(X < 0):
            raise ValueError("x0 must be >= 0 with phi='linear'")
    if record is None:
        units = [(i, 0) for i in range(N)] + ([(0, 1)] if M > 1 else [])
    elif isinstance(record, str) and record == "all":
        units = [(i, m) for m in range(M) for i in range(N)]
    else:
        units = [tuple(int(v) for v in u) for u in record]
    rec_arr = np.array(units, dtype=np.int64).reshape(-1, 2)
    if rec_arr.size and (
        np.any(rec_arr[:, 0] < 0) or np.any(rec_arr[:, 0] >= N) or np.any(rec_arr[:, 1] < 0)
        or np.any(rec_arr[:, 1] >= M)
    ):  # fmt: skip
        raise ValueError(f"record must list (neuron, replica) with neuron < {N}, replica < {M}")
    rec_of = np.full(NM, -1, dtype=np.int64)
    for idx, (i, m) in enumerate(rec_arr):
        rec_of[m * N + i] = idx
    n_bins = int(np.ceil(T / bin_width))
    kn = build_net(net, M)
    seed = int(gen.integers(0, 2**63, dtype=np.int64))
    st = new_state(X.astype(np.float64), seed)
    rec = Record(
        batch=np.zeros((n_batches, N), dtype=np.int64),
        rec_of=rec_of,
        spk_t=np.zeros(cap),
        spk_u=np.zeros(cap, dtype=np.int64),
        binned=np.zeros((n_bins, rec_arr.shape[0]), dtype=np.int32),
        counters=np.zeros(4, dtype=np.int64),
        fpar=np.array([t_warm, T / n_batches, bin_width]),
    )
    draw_all(kn, st)
    budget = np.iinfo(np.int64).max if max_events is None else int(max_events)
    t_end = t_warm + T
    chunks = 10 if progress else 1
    tic = time.perf_counter()
    stopped = False
    for c in range(chunks):
        t_stop = t_warm + T * (c + 1) / chunks if c < chunks - 1 else t_end
        done = intensity_run(kn, st, rec, t_stop, budget)
        budget -= done
        if progress:
            print(f"simulate_intensity: t = {t_stop:.4g} / {t_end:.4g}, {rec.counters[1]} spikes")
        if budget <= 0:
            stopped = True
            break
    wall = time.perf_counter() - tic
    counts = st.U[:, 3].reshape(M, N)
    unit_rates = counts / T
    rates = unit_rates.mean(axis=0)
    batch_rates = rec.batch / (M * T / n_batches)
    sem = batch_rates.std(axis=0, ddof=1) / np.sqrt(n_batches)
    n_rec = int(rec.counters[0])
    # X of every unit at the end of the run from the scaled deviation Y (kernel notes)
    X_now = np.tile(kn.b, M) + st.U[:, 0] * np.exp(-(t_end - st.te[0]) * np.tile(kn.inv_tau, M))
    return IntensityRun(
        model=net,
        method="exact thinning, 4-ary heap" + (f", {M} replicas" if M > 1 else ", finite"),
        options={
            "T": T,
            "M": M,
            "t_warm": t_warm,
            "bin_width": bin_width,
            "n_batches": n_batches,
            "seed": seed,
        },  # fmt: skip
        converged=not stopped,
        status=Status.MAX_ITER if stopped else Status.CONVERGED,
        n_iter=int(rec.counters[2]),
        residual=0.0,
        M=M,
        T=T,
        t_warm=t_warm,
        rates=rates,
        rate_sem=sem,
        unit_rates=unit_rates,
        recorded=rec_arr,
        spike_times=rec.spk_t[:n_rec].copy(),
        spike_units=rec.spk_u[:n_rec].copy(),
        binned=rec.binned,
        bin_width=bin_width,
        n_spikes=int(rec.counters[1]),
        n_candidates=int(rec.counters[2]),
        wall_time=wall,
        final_state=X_now.reshape(M, N),
        batch_rates=batch_rates,
    )
