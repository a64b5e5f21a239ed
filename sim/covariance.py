r"""The effective spectral radius of a network from its covariances (Dahmen, Grün, Diesmann &
Helias 2019, PNAS 116:13051).

For a linear(ised) network driven by independent noise of equal strength,
:math:`\tau\dot x = -x + Jx + \xi` (or the map :math:`x = Jx + \xi`), the covariances of
long-window integrals (spike-count covariances in the paper) are
:math:`C = D(1 - J)^{-1}(1 - J)^{-T}`.  For a random J with bulk radius R the population
statistics of C obey (in the paper's mean-field approximation, Results)

.. math:: \bar a = \frac{D}{1 - R^2},\qquad
          \frac{N\,\delta c^2}{\bar a^2} = \frac{1}{(1-R^2)^2} - 1,

with :math:`\bar a` the mean auto-covariance and :math:`\delta c^2` the variance of the
cross-covariances, hence

.. math:: R^2 = 1 - \Big(1 + N\,\delta c^2/\bar a^2\Big)^{-1/2}.

:func:`spectral_radius_from_covariances` applies this to a measured covariance matrix
(corrected for the sampling noise of a finite number of windows),
:func:`spectral_radius_from_trajectory` to a simulated :class:`~rnmf.sim.Trajectory`
(window integrals, jackknife error bar).  The closed-form relations themselves, with the mean
cross-covariance, are :func:`rnmf.theory.spectra.covariance_statistics`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "CovarianceRadius",
    "spectral_radius_from_covariances",
    "spectral_radius_from_trajectory",
]


@dataclass(frozen=True)
class CovarianceRadius:
    """Effective spectral radius estimated from covariances.

    Attributes
    ----------
    R : float
        Estimate of the bulk spectral radius (NaN where the statistics give R^2 < 0).
    R_err : float
        Its standard error (jackknife over blocks of windows; NaN without windows).
    mean_auto : float
        Mean auto-covariance :math:`\\bar a`.
    var_cross : float
        Variance of the cross-covariances :math:`\\delta c^2` (bias-corrected).
    mean_cross : float
        Mean cross-covariance.
    N : int
        Number of units.
    n_windows : int or None
        Independent windows behind the covariances (None: exact covariances).
    """

    R: float
    R_err: float
    mean_auto: float
    var_cross: float
    mean_cross: float
    N: int
    n_windows: int | None = None

    def __repr__(self) -> str:
        err = f" +- {self.R_err:.3g}" if math.isfinite(self.R_err) else ""
        return (
            f"CovarianceRadius(R={self.R:.5g}{err}, N={self.N}, mean auto {self.mean_auto:.4g}, "
            f"cross var {self.var_cross:.3g}, windows {self.n_windows})"
        )


def _stats(C: np.ndarray, n_windows: int | None) -> tuple[float, float, float, float]:
    N = C.shape[0]
    d = np.diag(C)
    off = C[~np.eye(N, dtype=bool)]
    a = float(d.mean())
    cbar = float(off.mean())
    dc2 = float(off.var())
    if n_windows:
        # sampling noise of a covariance from K windows: Var(c_ij) = (a_i a_j + c_ij^2) / K
        pairs = (d.sum() ** 2 - np.sum(d**2)) / (N * (N - 1))  # mean of a_i a_j, i != j
        noise = (float(pairs) + float(np.mean(off**2))) / n_windows
        dc2 = dc2 - noise
    ratio = N * dc2 / (a * a)
    R2 = 1.0 - 1.0 / math.sqrt(1.0 + ratio) if ratio > -1 else float("nan")
    R = math.sqrt(R2) if R2 >= 0 else float("nan")
    return R, a, dc2, cbar


def spectral_radius_from_covariances(C: Any, *, n_windows: int | None = None) -> CovarianceRadius:
    """Effective radius from a covariance matrix of window integrals (Dahmen et al. 2019).

    Parameters
    ----------
    C : (N, N) array
        Symmetric covariance matrix (N >= 2).
    n_windows : int, optional
        Number of independent windows it was estimated from: subtracts the expected
        sampling variance :math:`(a_ia_j + c_{ij}^2)/K` from the cross-covariance variance.
    """
    C = np.asarray(C, dtype=float)
    if C.ndim != 2 or C.shape[0] != C.shape[1] or C.shape[0] < 2:
        raise ValueError(f"C must be a square (N, N) matrix with N >= 2, got shape {C.shape}")
    if not np.all(np.isfinite(C)):
        raise ValueError("C contains NaN or infinite values")
    if not np.allclose(C, C.T, rtol=1e-8, atol=1e-12 * np.abs(C).max()):
        raise ValueError("C must be symmetric (a covariance matrix)")
    if np.any(np.diag(C) <= 0):
        raise ValueError("C must have positive auto-covariances on its diagonal")
    if n_windows is not None and not (isinstance(n_windows, int | np.integer) and n_windows >= 2):
        raise ValueError(f"n_windows must be an integer >= 2 or None, got {n_windows!r}")
    R, a, dc2, cbar = _stats(C, n_windows)
    return CovarianceRadius(R, float("nan"), a, dc2, cbar, C.shape[0], n_windows)


def spectral_radius_from_trajectory(
    traj: Any, *, window: float = 20.0, n_blocks: int = 10
) -> CovarianceRadius:
    """Effective radius from a simulated trajectory: covariances of window integrals.

    Parameters
    ----------
    traj : rnmf.sim.Trajectory
        Recorded with ``record_units="all"`` (or a subset: the estimate then uses those units,
        with N the number recorded), after a burn-in.
    window : float
        Window length in units of tau (steps for the map); it must exceed the slowest time
        scale :math:`\\tau/(1 - R)` several times over for the zero-frequency relations.
    n_blocks : int
        Jackknife blocks of windows for the error bar.
    """
    x = np.asarray(getattr(traj, "x", None), dtype=float)
    if x.ndim != 2 or x.shape[1] < 2:
        raise ValueError("traj must be an rnmf.sim.Trajectory with at least two recorded units")
    dt = float(traj.dt) * int(traj.record_every)
    w = int(round(window / dt))
    if w < 1:
        raise ValueError(f"window ({window}) is shorter than the recording step ({dt})")
    K = x.shape[0] // w
    if K < 2 * n_blocks:
        raise ValueError(
            f"only {K} windows of length {window} in the recording; need >= {2 * n_blocks} "
            "(record longer or shorten the window)"
        )
    S = x[: K * w].reshape(K, w, -1).sum(axis=1) * dt  # window integrals
    S = S - S.mean(axis=0)
    C = S.T @ S / (K - 1) / (w * dt)
    R, a, dc2, cbar = _stats(C, K)
    # jackknife over blocks of windows
    blocks = np.array_split(np.arange(K), n_blocks)
    vals = []
    for b in blocks:
        keep = np.setdiff1d(np.arange(K), b)
        Sk = S[keep] - S[keep].mean(axis=0)
        Ck = Sk.T @ Sk / (keep.size - 1) / (w * dt)
        vals.append(_stats(Ck, keep.size)[0])
    vals = np.asarray(vals)
    err = float(np.sqrt((n_blocks - 1) / n_blocks * np.sum((vals - vals.mean()) ** 2)))
    return CovarianceRadius(R, err, a, dc2, cbar, x.shape[1], K)
