r"""Measurements on simulated rate-network trajectories.

The quantities the dynamic mean-field theory predicts (Sompolinsky, Crisanti &
Sommers 1988, PRL 61:259; docs/references.md sec. 1): the population-averaged autocorrelation

.. math:: \Delta(\tau) = \frac1N \sum_i \big\langle (x_i(t) - m)(x_i(t+\tau) - m) \big\rangle_t,

its value at zero lag :math:`\Delta_0`, and the moments of :math:`\phi(x)`
(e.g. :math:`C_\phi(0) = \langle\phi^2\rangle`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import fft as sp_fft

from rnmf._checks import check_array, check_choice, check_finite, check_int
from rnmf.results import Result

from .rate import Trajectory

__all__ = ["PopulationStats", "autocorrelation", "delta0", "mean_sem", "population_stats"]


@dataclass(frozen=True, kw_only=True, repr=False)
class PopulationStats(Result):
    """Moments over all N units and the recorded times of a trajectory.

    ``model`` is the simulated network; moments of x are in the units of x, and
    nothing here carries time.

    Attributes
    ----------
    mean_x, var_x : float
        Grand mean of x and its variance over units and time,
        ``<x^2> - <x>^2`` (:math:`\\Delta_0` with the grand mean subtracted).
    mean_x2 : float
        Second moment ``<x^2>``.
    mean_phi, var_phi, mean_phi2 : float
        The same for phi(x); ``mean_phi2`` is :math:`C_\\phi(0) = \\langle\\phi^2\\rangle`.
    sem_mean_x, sem_var_x, sem_mean_phi2 : float
        Standard errors from up to 10 consecutive blocks of recorded times (NaN with
        fewer than two times; they ignore correlations longer than a block).
    n_times : int
        Number of recorded times averaged.
    """

    mean_x: float
    var_x: float
    mean_x2: float
    mean_phi: float
    var_phi: float
    mean_phi2: float
    sem_mean_x: float
    sem_var_x: float
    sem_mean_phi2: float
    n_times: int

    def __repr__(self) -> str:
        rows = [
            ("<x>", f"{self.mean_x:.6g} +- {self.sem_mean_x:.2g}"),
            ("var x", f"{self.var_x:.6g} +- {self.sem_var_x:.2g}"),
            ("<phi>", f"{self.mean_phi:.6g}"),
            ("var phi", f"{self.var_phi:.6g}"),
            ("<phi^2>", f"{self.mean_phi2:.6g} +- {self.sem_mean_phi2:.2g}"),
            ("n_times", str(self.n_times)),
        ]
        return "PopulationStats\n" + "\n".join(f"  {k:<8} {v}" for k, v in rows)


def _blocks(v: np.ndarray, n_blocks: int = 10) -> np.ndarray:
    nb = min(n_blocks, v.size)
    size = v.size // nb
    return v[v.size - nb * size :].reshape(nb, size).mean(axis=1)


def _sem_blocks(v: np.ndarray) -> float:
    if v.size < 2:
        return float("nan")
    b = _blocks(v)
    return float(b.std(ddof=1) / np.sqrt(b.size))


def _check_traj(traj: object) -> Trajectory:
    if not isinstance(traj, Trajectory):
        raise ValueError(f"expected a Trajectory from rnmf.sim.simulate, got {type(traj).__name__}")
    _check_not_diverged(traj)
    return traj


def _check_not_diverged(traj: Trajectory) -> None:
    if getattr(traj, "diverged", False):
        raise ValueError(
            f"the trajectory diverged at t = {traj.diverged_at:g} ({traj.diverged_reason}); "
            "its moments are undefined (the records from there on are NaN). Simulate a "
            "network with a bounded state, or measure the part before divergence with "
            "traj.x[traj.t < traj.diverged_at]"
        )


def population_stats(traj: Trajectory) -> PopulationStats:
    r"""Mean and variance of x and phi(x) over all N units and the recorded times.

    Uses the population moments the simulator accumulates over all N units at every
    recorded time (:class:`~rnmf.sim.rate.Trajectory`), so the recorded subset of
    units does not matter.  ``var_x`` estimates the DMFT :math:`\Delta_0 = \Delta(0)`
    (SCS 1988, whose eq. 6 potential fixes it by energy conservation) when the mean is zero, and ``mean_phi2`` the :math:`\langle\phi^2\rangle`
    of the discrete-map fixed point :math:`q^* = g^2\langle\phi^2\rangle` (Poole et al.
    2016, eq. 3).

    Parameters
    ----------
    traj : Trajectory

    Returns
    -------
    PopulationStats
    """
    traj = _check_traj(traj)
    mx = float(np.mean(traj.mean_x))
    mx2 = float(np.mean(traj.mean_x2))
    mp = float(np.mean(traj.mean_phi))
    mp2 = float(np.mean(traj.mean_phi2))
    # per-block variance about the grand mean, for the error bar of var_x
    var_t = traj.mean_x2 - mx**2
    return PopulationStats(
        model=traj.model,
        method="population moments over all units and recorded times",
        n_iter=int(traj.t.size),
        mean_x=mx,
        var_x=mx2 - mx**2,
        mean_x2=mx2,
        mean_phi=mp,
        var_phi=mp2 - mp**2,
        mean_phi2=mp2,
        sem_mean_x=_sem_blocks(traj.mean_x),
        sem_var_x=_sem_blocks(var_t),
        sem_mean_phi2=_sem_blocks(traj.mean_phi2),
        n_times=int(traj.t.size),
    )


def delta0(traj: Trajectory) -> float:
    r"""Population variance :math:`\Delta_0 = \langle x^2\rangle - \langle x\rangle^2` over units and time.

    Estimates :math:`\Delta_0 = \Delta(0)` of SCS 1988 (docs/references.md sec. 1; grand mean removed).
    """
    return population_stats(traj).var_x


def autocorrelation(
    x: np.ndarray | Trajectory,
    *,
    dt: float | None = None,
    max_lag: float | None = None,
    subtract: Literal["global", "unit"] = "global",
) -> tuple[np.ndarray, np.ndarray]:
    r"""Population-averaged autocorrelation :math:`\Delta(\tau)` by FFT.

    .. math:: \Delta(\ell\,\Delta t) = \frac{1}{n}\sum_{i=1}^{n} \frac{1}{T - \ell}
              \sum_{t=0}^{T-\ell-1} (x_i(t) - m_i)(x_i(t + \ell) - m_i)

    (the unbiased estimator), computed for all lags at once with a zero-padded FFT
    (Wiener-Khinchin; Press et al., Numerical Recipes 3rd ed., Sec. 13.2: padding to
    at least 2T removes the circular wrap-around).  ``subtract="global"`` uses one
    grand mean :math:`m_i = m` over units and times, so that :math:`\Delta(\infty)`
    keeps the static (quenched) variance across units, as in the DMFT
    autocorrelation with a static part :math:`\Delta_\infty \neq 0` (SCS 1988);
    ``subtract="unit"`` uses each unit's temporal mean, leaving only the fluctuations.

    Parameters
    ----------
    x : (T, n) array or Trajectory
        Samples in time (rows) of n units; a Trajectory uses its recorded units.
    dt : float, optional
        Sample spacing (default: the Trajectory's ``sample_dt``, else 1).
    max_lag : float, optional
        Largest lag, in the units of ``dt`` (default: half the duration).
    subtract : {"global", "unit"}
        Which mean to subtract (above).

    Returns
    -------
    lags : (L,) array
        ``dt * arange(L)``.
    Delta : (L,) array
        The autocorrelation at these lags.
    """
    check_choice("subtract", subtract, ("global", "unit"))
    if isinstance(x, Trajectory):
        _check_not_diverged(x)
        if dt is None:
            dt = x.sample_dt
        data = np.asarray(x.x, dtype=np.float64)
    else:
        data = check_array("x", x, finite=False)
    if dt is None:
        dt = 1.0
    dt = check_finite("dt (sample spacing)", dt)
    if dt <= 0:
        raise ValueError(f"dt (sample spacing) must be > 0, got {dt!r}")
    if data.ndim == 1:
        data = data[:, None]
    if data.ndim != 2 or data.shape[0] < 2 or data.shape[1] < 1:
        raise ValueError(
            "x must be a (T, n) array of T >= 2 samples (rows) of n >= 1 units, "
            f"got shape {data.shape}"
        )
    if not np.all(np.isfinite(data)):
        raise ValueError("x contains NaN or infinite values; pass a finite trajectory")
    n_t = data.shape[0]
    if max_lag is None:
        n_lag = n_t // 2
    else:
        ml = check_finite("max_lag", max_lag)
        if ml < 0:
            raise ValueError(f"max_lag must be >= 0, got {ml!r}")
        n_lag = int(round(ml / dt))
        if n_lag >= n_t:
            raise ValueError(
                f"max_lag = {ml:g} needs {n_lag + 1} lags but the series has only {n_t} samples "
                f"(duration {n_t * dt:g}); reduce max_lag or record longer"
            )
    if subtract == "global":
        y = data - data.mean()
    else:
        y = data - data.mean(axis=0, keepdims=True)
    n_fft = sp_fft.next_fast_len(2 * n_t, real=True)
    f = sp_fft.rfft(y, n=n_fft, axis=0)
    power = (f.real**2 + f.imag**2).mean(axis=1)
    acov = sp_fft.irfft(power, n=n_fft)[: n_lag + 1]
    Delta = acov / (n_t - np.arange(n_lag + 1))
    return dt * np.arange(n_lag + 1), Delta


def mean_sem(values: np.ndarray, axis: int = 0) -> tuple[np.ndarray | float, np.ndarray | float]:
    r"""Mean and standard error of the mean over independent repetitions (e.g. seeds).

    .. math:: \bar v = \frac1n\sum_k v_k,\qquad \mathrm{SEM} = \sqrt{\frac{1}{n(n-1)}\sum_k (v_k - \bar v)^2}

    Parameters
    ----------
    values : array
        Values, repetitions along ``axis``.
    axis : int
        The repetition axis.

    Returns
    -------
    mean, sem
        Floats for 1-D input; ``sem`` is NaN for a single repetition.
    """
    v = check_array("values", values, finite=False)
    if v.ndim == 0:
        raise ValueError(f"values must be an array of repetitions, got the scalar {values!r}")
    axis = check_int("axis", axis, minimum=-v.ndim, maximum=v.ndim - 1)
    if v.shape[axis] == 0:
        raise ValueError(
            f"values must hold at least one repetition along axis {axis}, got shape {v.shape}"
        )
    if not np.all(np.isfinite(v)):
        raise ValueError("values contain NaN or infinite entries")
    n = v.shape[axis]
    m = v.mean(axis=axis)
    s = v.std(axis=axis, ddof=1) / np.sqrt(n) if n > 1 else np.full_like(m, np.nan)
    if np.ndim(m) == 0:
        return float(m), float(s)
    return m, s
