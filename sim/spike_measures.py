r"""Statistics of spike trains: rates, ISI CV, Fano factor, spectra, synchrony.

All functions take spikes as two arrays, ``senders`` (neuron index of each
spike) and ``times`` (ms), as recorded by :func:`rnmf.sim.spiking.simulate_lif`
(``result.senders``, ``result.times``), plus the neurons to analyse: an int ``n``
(neurons ``0 .. n-1``), a ``(start, stop)`` slice such as ``result.pop_slices[a]``,
or an array of indices.  Times are ms, rates Hz.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import signal

from rnmf._checks import check_array, check_finite, check_int, check_positive

__all__ = [
    "binned_rate",
    "cv_isi",
    "fano_factor",
    "mean_rate",
    "power_spectrum",
    "synchrony",
]


def _neurons(neurons: Any) -> np.ndarray:
    if isinstance(neurons, int | np.integer) and not isinstance(neurons, bool):
        n = check_int("neurons", neurons, minimum=1)
        return np.arange(n)
    if isinstance(neurons, tuple) and len(neurons) == 2:
        lo = check_int("neurons[0]", neurons[0], minimum=0)
        hi = check_int("neurons[1]", neurons[1], minimum=lo + 1)
        return np.arange(lo, hi)
    arr = np.asarray(neurons)
    if arr.ndim != 1 or arr.size == 0 or arr.dtype.kind not in "iu":
        raise ValueError(
            "neurons must be a count n, a (start, stop) pair or a non-empty 1-D array of "
            f"integer indices, got {neurons!r}"
        )
    return np.unique(arr.astype(np.int64))


def _spikes(senders: Any, times: Any) -> tuple[np.ndarray, np.ndarray]:
    s = np.asarray(senders)
    if s.ndim != 1 or (s.size and s.dtype.kind not in "iu"):
        raise ValueError("senders must be a 1-D array of integer neuron indices")
    t = check_array("times (ms)", times, shape=(s.size,))
    return s.astype(np.int64), t


def _window(t_start: float, t_stop: float) -> tuple[float, float]:
    t0 = check_finite("t_start (ms)", t_start)
    t1 = check_finite("t_stop (ms)", t_stop)
    if t1 <= t0:
        raise ValueError(f"t_stop ({t1:g} ms) must exceed t_start ({t0:g} ms)")
    return t0, t1


def _select(senders, times, neurons, t0, t1):
    """Local indices (0..n-1) and times of the spikes of ``neurons`` in (t0, t1]."""
    s, t = _spikes(senders, times)
    ids = _neurons(neurons)
    pos = np.searchsorted(ids, s)
    pos_c = np.minimum(pos, ids.size - 1)
    m = (ids[pos_c] == s) & (t > t0) & (t <= t1)
    return pos_c[m], t[m], ids.size


def mean_rate(
    senders: Any, times: Any, neurons: Any, *, t_start: float = 0.0, t_stop: float
) -> float:
    """Mean firing rate (Hz) of ``neurons`` over ``(t_start, t_stop]``.

    ``nu = n_spikes / (n_neurons (t_stop - t_start))`` (Brunel 2000, J Comput Neurosci
    8:183, Sec. 3: the population-averaged rate).
    """
    t0, t1 = _window(t_start, t_stop)
    loc, _, n = _select(senders, times, neurons, t0, t1)
    return loc.size / (n * (t1 - t0) * 1e-3)


def cv_isi(
    senders: Any,
    times: Any,
    neurons: Any,
    *,
    min_spikes: int = 5,
    t_start: float = -np.inf,
    t_stop: float = np.inf,
    per_neuron: bool = False,
) -> float | np.ndarray:
    r"""Coefficient of variation of the inter-spike intervals.

    ``CV_i = std(ISI_i) / mean(ISI_i)`` per neuron (intervals between consecutive
    spikes in ``(t_start, t_stop]``; population standard deviation), averaged over
    the neurons with at least ``min_spikes`` spikes (Brunel 2000, J Comput Neurosci
    8:183, Sec. 3 and eq. 22 for the diffusion-limit theory).  Poisson trains give 1,
    periodic ones 0.

    Returns
    -------
    float or ndarray
        The mean CV (``nan`` when no neuron has ``min_spikes`` spikes) or, with
        ``per_neuron=True``, one value per neuron (``nan`` for too few spikes).
    """
    min_spikes = check_int("min_spikes", min_spikes, minimum=2)
    t0 = float(t_start) if np.isneginf(t_start) else check_finite("t_start (ms)", t_start)
    t1 = float(t_stop) if np.isposinf(t_stop) else check_finite("t_stop (ms)", t_stop)
    if t1 <= t0:
        raise ValueError(f"t_stop ({t1:g} ms) must exceed t_start ({t0:g} ms)")
    loc, t, n = _select(senders, times, neurons, t0, t1)
    order = np.lexsort((t, loc))
    loc, t = loc[order], t[order]
    same = loc[1:] == loc[:-1]
    isi = np.diff(t)[same]
    owner = loc[1:][same]
    k = np.bincount(owner, minlength=n).astype(float)
    s1 = np.bincount(owner, weights=isi, minlength=n)
    mean = s1 / np.maximum(k, 1.0)
    dev = isi - mean[owner]  # two-pass variance: no cancellation for regular trains
    var = np.bincount(owner, weights=dev * dev, minlength=n) / np.maximum(k, 1.0)
    ok = k >= (min_spikes - 1)
    cv = np.full(n, np.nan)
    cv[ok] = np.sqrt(var[ok]) / mean[ok]
    if per_neuron:
        return cv
    return float(np.mean(cv[ok])) if np.any(ok) else float("nan")


def _counts(senders, times, neurons, window, t0, t1):
    """Sparse spike counts per (neuron, window): sums of c and c^2 per neuron."""
    w = check_positive("window (ms)", window)
    n_win = int(np.floor((t1 - t0) / w + 1e-9))
    if n_win < 2:
        raise ValueError(
            f"the interval ({t0:g}, {t1:g}] ms holds fewer than 2 windows of {w:g} ms; "
            "shorten the window or lengthen the interval"
        )
    loc, t, n = _select(senders, times, neurons, t0, t0 + n_win * w)
    b = np.minimum(np.ceil((t - t0) / w).astype(np.int64) - 1, n_win - 1)
    b = np.maximum(b, 0)
    key, c = np.unique(loc * n_win + b, return_counts=True)
    owner = key // n_win
    s1 = np.bincount(owner, weights=c, minlength=n)
    s2 = np.bincount(owner, weights=c.astype(float) ** 2, minlength=n)
    return s1, s2, n_win, n, loc, b


def fano_factor(
    senders: Any,
    times: Any,
    neurons: Any,
    *,
    window: float,
    t_start: float = 0.0,
    t_stop: float,
) -> float:
    r"""Fano factor of spike counts in windows of ``window`` ms.

    Per neuron ``F_i = Var(n_i) / E[n_i]`` over the consecutive windows in
    ``(t_start, t_stop]`` (unbiased variance), averaged over neurons that spiked
    (Dayan & Abbott 2001, *Theoretical Neuroscience*, eq. 1.40: ``F = 1`` for a
    Poisson process, ``F -> CV^2`` of a renewal process for long windows, Cox & Lewis
    1966).  Returns ``nan`` when no neuron spiked.
    """
    t0, t1 = _window(t_start, t_stop)
    s1, s2, n_win, _, _, _ = _counts(senders, times, neurons, window, t0, t1)
    ok = s1 > 0
    if not np.any(ok):
        return float("nan")
    mean = s1[ok] / n_win
    var = (s2[ok] - n_win * mean**2) / (n_win - 1)
    return float(np.mean(var / mean))


def binned_rate(
    senders: Any,
    times: Any,
    neurons: Any,
    *,
    bin_ms: float,
    t_start: float = 0.0,
    t_stop: float,
) -> np.ndarray:
    """Population rate (Hz) in bins of ``bin_ms``: spikes / (n_neurons bin).

    Bin ``k`` covers ``(t_start + k bin, t_start + (k + 1) bin]``.
    """
    t0, t1 = _window(t_start, t_stop)
    w = check_positive("bin_ms", bin_ms)
    n_bins = int(np.floor((t1 - t0) / w + 1e-9))
    if n_bins < 1:
        raise ValueError(f"bin_ms = {w:g} is longer than the interval ({t0:g}, {t1:g}]")
    loc, t, n = _select(senders, times, neurons, t0, t0 + n_bins * w)
    b = np.clip(np.ceil((t - t0) / w).astype(np.int64) - 1, 0, n_bins - 1)
    return np.bincount(b, minlength=n_bins) / (n * w * 1e-3)


def power_spectrum(
    rate: Any, bin_ms: float, *, nperseg: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    r"""Two-sided power spectral density of a binned population rate (Welch).

    ``S(f) = lim (1/T) E|\int (r(t) - \bar r) e^{-2 pi i f t} dt|^2`` in Hz^2/Hz = Hz,
    estimated by Welch's averaged periodogram (Welch 1967, IEEE Trans Audio
    Electroacoust 15:70) with a Hann window, mean removed per segment, and reported
    at the non-negative frequencies as the two-sided density (half scipy's
    one-sided one).  For ``n`` independent Poisson neurons of rate ``nu`` the
    population rate has the flat spectrum ``S = nu / n`` (a single Poisson train:
    ``S = nu``; Cox & Lewis 1966, Sec. 4.5; Brunel 2000, eq. 47 at high frequency).

    Parameters
    ----------
    rate : array
        Binned rate in Hz (e.g. ``LIFResult.pop_rates[:, a]`` or :func:`binned_rate`).
    bin_ms : float
        Bin width in ms.
    nperseg : int, optional
        Segment length in bins (default: ``min(len(rate), 1024)``).

    Returns
    -------
    freq : ndarray
        Frequencies in Hz, from 0 to the Nyquist frequency ``500 / bin_ms``.
    S : ndarray
        Power spectral density (Hz).
    """
    x = check_array("rate (Hz)", rate)
    if x.ndim != 1 or x.size < 8:
        raise ValueError(f"rate must be a 1-D array of at least 8 bins, got shape {x.shape}")
    w = check_positive("bin_ms", bin_ms)
    if nperseg is None:
        nperseg = min(x.size, 1024)
    nperseg = check_int("nperseg", nperseg, minimum=8)
    if nperseg > x.size:
        raise ValueError(f"nperseg = {nperseg} exceeds the number of bins {x.size}")
    f, S = signal.welch(x, fs=1000.0 / w, nperseg=nperseg, detrend="constant")
    S = S / 2.0
    S[0] *= 2.0
    if nperseg % 2 == 0:
        S[-1] *= 2.0
    return f, S


def synchrony(
    senders: Any,
    times: Any,
    neurons: Any,
    *,
    bin_ms: float,
    t_start: float = 0.0,
    t_stop: float,
) -> float:
    r"""Golomb's synchrony measure chi of binned spike counts.

    ``chi^2 = Var_t(A) / mean_i Var_t(s_i)`` with ``s_i(t)`` the spike count of neuron
    ``i`` in bin ``t`` and ``A = mean_i s_i`` the population activity (Golomb 2007,
    Scholarpedia 2:1347, eq. 1; Golomb & Rinzel 1993).  ``chi = 1`` for identical
    trains, ``chi ~ 1/sqrt(n)`` for ``n`` independent ones.  Returns ``sqrt(chi^2)``
    (``nan`` when no neuron spiked).
    """
    t0, t1 = _window(t_start, t_stop)
    s1, s2, n_win, n, loc, b = _counts(senders, times, neurons, bin_ms, t0, t1)
    var_i = s2 / n_win - (s1 / n_win) ** 2
    denom = var_i.mean()
    if denom <= 0:
        return float("nan")
    A = np.bincount(b, minlength=n_win) / n
    return float(np.sqrt(A.var() / denom))
