r"""Eigenvalue spectra of random connectivity matrices: bulk, density, outliers.

Convention: :math:`J_{ij}` couples unit j onto unit i; a random part with variance
:math:`\sigma^2/N` per entry has a bulk of radius :math:`\sigma` as :math:`N\to\infty`.

* i.i.d. entries -- circular law: eigenvalues uniform in the disc of radius
  :math:`g` (Girko 1984; Tao & Vu 2010 for any distribution with a second moment); radial
  CDF :math:`F(r) = (r/g)^2`.
* Elliptic ensemble, :math:`\langle J_{ij}J_{ji}\rangle = \tau g^2/N`: uniform in the ellipse
  with semi-axes :math:`g(1+\tau)`, :math:`g(1-\tau)` (Sommers, Crisanti, Sompolinsky & Stein
  1988, PRL 60:1895, the elliptic law).
* Excitatory/inhibitory columns with variances :math:`\sigma_E^2/N` (fraction f of the columns)
  and :math:`\sigma_I^2/N`: a disc of radius :math:`\sqrt{f\sigma_E^2 + (1-f)\sigma_I^2}` (Rajan &
  Abbott 2006, PRL 97:188104, their radius formula); with mean couplings :math:`\mu_E/N`, :math:`\mu_I/N`
  the mean adds the outlier :math:`f\mu_E + (1-f)\mu_I` when it lies outside the bulk (Tao
  2013, PTRF 155:231, outlier theorem for low-rank perturbations); when the random part of each row sums to zero (the
  constraint of Rajan & Abbott) no other eigenvalue leaves the disc, without it stray
  eigenvalues outside the disc remain at finite N.
* Block-structured variances :math:`g_{cd}^2/N` between populations of fractions
  :math:`\alpha_d`: a disc of radius :math:`\sqrt{\lambda_{\max}(M)}`,
  :math:`M_{cd} = \alpha_d g_{cd}^2` (Aljadeff, Stern & Sharpee 2015, PRL 114:088101, their main result).
* Sparse fixed in-degree (each row K_E entries J and K_I entries -gJ, columns drawn without
  replacement from N_E and N_I): rows have equal sums, so the uniform vector is an exact
  eigenvector with eigenvalue :math:`J(K_E - gK_I)`; the bulk has the radius of the entries'
  variance, :math:`J\sqrt{K_E(1 - K_E/N_E) + g^2K_I(1 - K_I/N_I)}`.
* Low-rank structure: :func:`low_rank` reuses
  :func:`rnmf.theory.lowrank.connectivity_outliers` (outliers = eigenvalues of the overlap
  matrix, finite-N exact with the sampled bulk).

Finite-N: an i.i.d. real Gaussian matrix has :math:`\sqrt{2N/\pi} + 1/2 + O(N^{-1/2})` real
eigenvalues on average (Edelman, Kostlan & Shub 1994, J AMS 7:247, asymptotic expansion of the mean count), and its
spectral radius exceeds the bulk radius by :math:`O(\sqrt{\log N / N})` (Rider 2003, J Phys A
36:3401, for the complex Ginibre ensemble); :attr:`Spectrum.edge_width` states that scale.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rnmf._checks import check_finite, check_nonnegative

__all__ = [
    "Spectrum",
    "block_radial_cdf",
    "block_variances",
    "circular",
    "covariance_statistics",
    "elliptic",
    "excitatory_inhibitory",
    "expected_real_eigenvalues",
    "fraction_outside",
    "ks_distance",
    "low_rank",
    "sparse_fixed_indegree",
]


@dataclass(frozen=True)
class Spectrum:
    """The predicted spectrum of a random matrix ensemble (N -> infinity unless stated).

    Attributes
    ----------
    radius : float
        Bulk radius (the largest semi-axis for an ellipse).
    semi_axes : (float, float)
        Real and imaginary semi-axes of the bulk (equal for a disc).
    outliers : complex array
        Eigenvalues predicted outside the bulk.
    uniform : bool
        Whether the density inside the bulk is uniform (circular and elliptic laws).
    ensemble : str
        Description and the paper behind the prediction.
    N : int or None
        Matrix size, for the finite-N scales.
    cdf : callable or None
        For a non-uniform disc: the fraction of bulk eigenvalues with :math:`|z| <= r`,
        as a function of the absolute radius r (:func:`block_radial_cdf`).
    """

    radius: float
    semi_axes: tuple[float, float]
    outliers: np.ndarray = field(default_factory=lambda: np.zeros(0, complex))
    uniform: bool = True
    ensemble: str = ""
    N: int | None = None
    cdf: Callable[[np.ndarray], np.ndarray] | None = field(default=None, repr=False)

    @property
    def edge_width(self) -> float:
        """Scale of the finite-N spread of the bulk edge, radius * sqrt(log N / N) (Rider 2003)."""
        if not self.N:
            return 0.0
        return self.radius * math.sqrt(max(math.log(self.N), 1.0) / self.N)

    def inside(self, eig: Any, margin: float = 0.0) -> np.ndarray:
        """True for eigenvalues inside the bulk enlarged by ``margin`` (absolute)."""
        z = np.asarray(eig, dtype=complex)
        a, b = self.semi_axes[0] + margin, self.semi_axes[1] + margin
        if b <= 0:
            return (np.abs(z.imag) <= margin) & (np.abs(z.real) <= a)
        return (z.real / a) ** 2 + (z.imag / b) ** 2 <= 1.0

    def radial_cdf(self, rho: Any) -> np.ndarray:
        r"""CDF of the scaled radius :math:`\rho = \sqrt{(x/a)^2 + (y/b)^2}` of bulk eigenvalues:
        :math:`\rho^2` for a uniform disc or ellipse; :math:`F(\rho R)` from :attr:`cdf` for a
        non-uniform disc (block-structured variances, :func:`block_radial_cdf`)."""
        r = np.clip(np.asarray(rho, dtype=float), 0.0, 1.0)
        if self.uniform:
            return r**2
        if self.cdf is None:
            raise ValueError(
                f"the density of {self.ensemble!r} is not uniform; only its support is predicted"
            )
        return np.asarray(self.cdf(r * self.radius), dtype=float)

    def radial_density(self, r: Any) -> np.ndarray:
        r"""Density of the eigenvalues in the plane at :math:`|z| = r` (absolute radius),
        :math:`\rho(r) = F'(r)/(2\pi r)`, normalised to 1 over the disc; 0 outside."""
        if self.semi_axes[0] != self.semi_axes[1]:
            raise ValueError("radial_density is defined for a disc, not an ellipse")
        r = np.asarray(r, dtype=float)
        R = self.radius
        if self.uniform:
            return np.where(r <= R, 1.0 / (np.pi * R**2), 0.0)
        h = 1e-5 * R
        lo = np.clip(r - h, 0.0, R)
        hi = np.clip(r + h, 0.0, R)
        dF = (self.radial_cdf(hi / R) - self.radial_cdf(lo / R)) / np.maximum(hi - lo, 1e-300)
        return np.where(r < R, dF / (2 * np.pi * np.maximum(r, h)), 0.0)

    def describe(self) -> str:
        """One line."""
        out = f"{self.ensemble}: bulk radius {self.radius:.6g}"
        if self.outliers.size:
            out += ", outliers " + ", ".join(f"{complex(o):.4g}" for o in self.outliers)
        return out

    def __repr__(self) -> str:
        return f"Spectrum({self.describe()})"


def _pos(name: str, v: Any) -> float:
    return check_nonnegative(name, v)


def circular(g: float = 1.0, *, N: int | None = None) -> Spectrum:
    """i.i.d. entries of variance g^2/N: uniform disc of radius g (circular law)."""
    g = _pos("g", g)
    return Spectrum(g, (g, g), ensemble="circular law (i.i.d.)", N=N)


def elliptic(g: float, tau: float, *, N: int | None = None) -> Spectrum:
    """Elliptic ensemble (Sommers et al. 1988): corr(J_ij, J_ji) = tau, |tau| <= 1."""
    g = _pos("g", g)
    tau = check_finite("tau", tau)
    if abs(tau) > 1:
        raise ValueError(f"tau (symmetry parameter) must lie in [-1, 1], got {tau}")
    a, b = g * (1 + tau), g * (1 - tau)
    return Spectrum(max(a, b), (a, b), ensemble=f"elliptic law (tau={tau:g})", N=N)


def excitatory_inhibitory(
    f: float,
    sigma_E: float,
    sigma_I: float,
    *,
    mean_E: float = 0.0,
    mean_I: float = 0.0,
    N: int | None = None,
) -> Spectrum:
    r"""E/I columns (Rajan & Abbott 2006): radius :math:`\sqrt{f\sigma_E^2+(1-f)\sigma_I^2}`.

    ``mean_E``, ``mean_I`` are N times the mean couplings; their rank-one mean adds the
    outlier :math:`f\mu_E + (1-f)\mu_I` when it lies outside the bulk.  The density inside
    is not uniform for :math:`\sigma_E \ne \sigma_I`: the fraction of eigenvalues within
    radius r is :math:`F(r) = 1 - u(r)`, with u the positive root of the quadratic

    .. math:: \sigma_E^2\sigma_I^2 u^2 + [r^2(\sigma_E^2+\sigma_I^2) - \sigma_E^2\sigma_I^2]\,u
              + r^4 - r^2[f\sigma_E^2 + (1-f)\sigma_I^2] = 0

    (the column-variance case of :func:`block_radial_cdf`, :math:`f\sigma_E^2/(u\sigma_E^2 + r^2)
    + (1-f)\sigma_I^2/(u\sigma_I^2 + r^2) = 1`, the ensemble Rajan & Abbott 2006 treat; u = 0 at
    the edge gives their radius; tested against sampled matrices in
    ``tests/theory/test_spectra_density.py``).
    """
    if not 0 <= f <= 1:
        raise ValueError(f"f (fraction of excitatory columns) must lie in [0, 1], got {f}")
    sE, sI = _pos("sigma_E", sigma_E), _pos("sigma_I", sigma_I)
    r = math.sqrt(f * sE**2 + (1 - f) * sI**2)
    lam = f * check_finite("mean_E", mean_E) + (1 - f) * check_finite("mean_I", mean_I)
    out = np.array([lam], complex) if abs(lam) > r else np.zeros(0, complex)
    a, c = sE**2 * sI**2, f * sE**2 + (1 - f) * sI**2

    def cdf(rad: np.ndarray) -> np.ndarray:
        x = np.clip(np.asarray(rad, dtype=float), 0.0, r) ** 2
        if a == 0.0:  # one population silent: uniform disc of the other
            return x / max(c, 1e-300)
        b = x * (sE**2 + sI**2) - a
        disc = np.sqrt(np.maximum(b * b - 4 * a * (x * x - x * c), 0.0))
        return 1.0 - np.maximum((-b + disc) / (2 * a), 0.0)

    return Spectrum(
        r, (r, r), out, uniform=(sE == sI), ensemble="E/I columns (Rajan & Abbott 2006)", N=N,
        cdf=cdf,
    )  # fmt: skip


def block_variances(alpha: Any, G: Any, *, N: int | None = None) -> Spectrum:
    r"""Populations of fractions :math:`\alpha_d` with variances :math:`g_{cd}^2/N` from d onto c:
    radius :math:`\sqrt{\lambda_{\max}(M)}`, :math:`M_{cd} = \alpha_d g_{cd}^2` (Aljadeff, Stern &
    Sharpee 2015)."""
    alpha = np.asarray(alpha, dtype=float)
    G = np.asarray(G, dtype=float)
    if alpha.ndim != 1 or G.shape != (alpha.size, alpha.size):
        raise ValueError(f"alpha must be (P,) and G (P, P); got {alpha.shape} and {G.shape}")
    if np.any(alpha < 0) or not np.isclose(alpha.sum(), 1.0):
        raise ValueError(f"alpha must be non-negative fractions summing to 1, got {alpha}")
    if np.any(G < 0) or not np.all(np.isfinite(G)):
        raise ValueError("G must hold finite non-negative standard deviations")
    M = G**2 * alpha[None, :]
    r = math.sqrt(max(np.linalg.eigvals(M).real.max(), 0.0))
    return Spectrum(r, (r, r), uniform=bool(np.allclose(G, G[0, 0])),
                    ensemble="block-structured variances (Aljadeff et al. 2015)", N=N,
                    cdf=_TabulatedCDF(alpha, G, r))  # fmt: skip


class _TabulatedCDF:
    """:func:`block_radial_cdf` on 257 radii clustered towards the edge (built at the first
    call), interpolated linearly (error about 3e-5 for the ensembles tested)."""

    def __init__(self, alpha: np.ndarray, G: np.ndarray, R: float) -> None:
        self.alpha, self.G, self.R = alpha, G, R
        self.table: tuple[np.ndarray, np.ndarray] | None = None

    def __call__(self, rad: Any) -> np.ndarray:
        if self.table is None:
            t = np.linspace(0.0, 1.0, 257)
            rr = self.R * (1.0 - (1.0 - t) ** 2)
            self.table = (rr, block_radial_cdf(self.alpha, self.G, rr))
        return np.interp(np.asarray(rad, dtype=float), *self.table)


def block_radial_cdf(alpha: Any, G: Any, r: Any, *, tol: float = 1e-12) -> np.ndarray:
    r"""Fraction of the eigenvalues of a block-variance matrix within radius r (N -> infinity).

    Entries from population d onto c have variance :math:`g_{cd}^2/N`; populations have
    fractions :math:`\alpha_c`.  With :math:`S_{cd} = \alpha_d g_{cd}^2` and
    :math:`T_{cd} = \alpha_d g_{dc}^2`, positive vectors :math:`v, w` solve

    .. math:: v_c = \frac{(Tv)_c}{(Sw)_c (Tv)_c + r^2}, \qquad
              w_c = \frac{(Sw)_c}{(Sw)_c (Tv)_c + r^2},

    (unique up to :math:`v \to cv, w \to w/c`, fixed here by
    :math:`\sum_c\alpha_c v_c = \sum_c\alpha_c w_c`) and

    .. math:: F(r) = 1 - \sum_c \alpha_c\, v_c\, (Sw)_c .

    These are the vector Dyson equations of the Hermitised resolvent at zero spectral
    parameter, written per population (Alt, Erdős & Krüger 2018, Ann. Appl. Probab. 28:148,
    "Local inhomogeneous circular law", Sec. 2; the block form of the cumulative eigenvalue
    count of Aljadeff, Stern & Sharpee 2015, PRL 114:088101).  Checks: one population gives
    :math:`F = r^2/g^2` (circular law); :math:`F = 1` at the radius
    :math:`\sqrt{\lambda_{\max}(S)}` (Aljadeff et al.), where v, w vanish; column-only
    variances reduce to the quadratic of :func:`excitatory_inhibitory`.  Solved by a
    damped fixed-point iteration, vectorised over r, to ``tol``; the points next to the
    edge, where it converges slowly, are finished by Levenberg–Marquardt.
    """
    alpha = np.asarray(alpha, dtype=float)
    G = np.asarray(G, dtype=float)
    S = alpha[None, :] * G**2
    T = alpha[None, :] * G.T**2
    R = math.sqrt(max(np.linalg.eigvals(S).real.max(), 0.0))
    rr = np.atleast_1d(np.asarray(r, dtype=float))
    x = np.clip(rr.ravel(), 0.0, R) ** 2  # (n,)
    P = alpha.size
    v = np.ones((P, x.size))
    w = np.ones((P, x.size))

    def update(v: np.ndarray, w: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a, b = T @ v, S @ w
        den = a * b + x[None, :]
        vn, wn = a / den, b / den
        c = np.sqrt((alpha @ wn) / np.maximum(alpha @ vn, 1e-300))
        return vn * c, wn / np.maximum(c, 1e-300)

    active = np.arange(x.size)
    for _ in range(400):  # damped iteration; slow only next to the edge
        if active.size == 0:
            break
        va, wa = v[:, active], w[:, active]
        vn, wn = update(va, wa, x[active])
        step = np.max(np.abs(vn - va), axis=0) + np.max(np.abs(wn - wa), axis=0)
        v[:, active], w[:, active] = 0.5 * (va + vn), 0.5 * (wa + wn)
        active = active[step > tol]
    if active.size:  # the rest by Levenberg-Marquardt on log v, log w (gauge as a residual)
        from scipy.optimize import least_squares

        for j in active:

            def res(z: np.ndarray, xj: float = float(x[j])) -> np.ndarray:
                vv, ww = np.exp(z[:P, None]), np.exp(z[P:, None])
                vn, wn = update(vv, ww, np.array([xj]))
                return np.concatenate([np.log(vn[:, 0] / vv[:, 0]), np.log(wn[:, 0] / ww[:, 0]),
                                       [np.log(alpha @ vv[:, 0]) - np.log(alpha @ ww[:, 0])]])  # fmt: skip

            z0 = np.log(np.maximum(np.concatenate([v[:, j], w[:, j]]), 1e-300))
            sol = least_squares(res, z0, method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15)
            v[:, j], w[:, j] = np.exp(sol.x[:P]), np.exp(sol.x[P:])
    F = 1.0 - alpha @ (v * (S @ w))
    F = np.where(x >= R**2 * (1 - 1e-12), 1.0, np.clip(F, 0.0, 1.0))
    return F.reshape(rr.shape) if np.ndim(r) else F.reshape(())


def sparse_fixed_indegree(N_E: int, N_I: int, K_E: int, K_I: int, J: float, g: float) -> Spectrum:
    """Fixed in-degree E/I matrix: K_E excitatory entries J and K_I inhibitory entries -g J
    per row (see the module docstring); the outlier J (K_E - g K_I) is exact."""
    for name, v, top in (("K_E", K_E, N_E), ("K_I", K_I, N_I)):
        if not (isinstance(v, int | np.integer) and 0 <= v <= top):
            raise ValueError(f"{name} must be an integer in [0, {top}], got {v!r}")
    J, g = check_finite("J", J), _pos("g", g)
    var = J**2 * (K_E * (1 - K_E / N_E) + g**2 * K_I * (1 - K_I / max(N_I, 1)))
    r = math.sqrt(var)
    lam = J * (K_E - g * K_I)
    out = np.array([lam], complex) if abs(lam) > r else np.zeros(0, complex)
    return Spectrum(r, (r, r), out, uniform=False,
                    ensemble="sparse fixed in-degree E/I", N=N_E + N_I)  # fmt: skip


def low_rank(net: Any, *, chi: Any = None) -> Spectrum:
    r"""Bulk and outliers of :math:`J = g\chi + mn^T/N` (:class:`rnmf.models.LowRankNetwork`),
    from :func:`rnmf.theory.lowrank.connectivity_outliers` (exact at finite N with ``chi``)."""
    from .lowrank import connectivity_outliers

    out, g = connectivity_outliers(net, chi=chi)
    return Spectrum(float(g), (float(g), float(g)), np.asarray(out, complex),
                    ensemble="low rank + i.i.d. (Mastrogiuseppe & Ostojic 2018)", N=net.N)  # fmt: skip


def expected_real_eigenvalues(N: int) -> float:
    """Mean number of real eigenvalues of an N x N real Gaussian matrix, sqrt(2N/pi) + 1/2
    (Edelman, Kostlan & Shub 1994; error O(N^-1/2))."""
    return math.sqrt(2 * N / math.pi) + 0.5


def fraction_outside(eig: Any, spectrum: Spectrum, margin: float = 0.0) -> float:
    """Fraction of the eigenvalues outside the predicted bulk (enlarged by ``margin``)."""
    z = np.asarray(eig, dtype=complex)
    return float(np.mean(~spectrum.inside(z, margin)))


def ks_distance(eig: Any, spectrum: Spectrum, *, exclude_outliers: bool = True) -> float:
    r"""Kolmogorov–Smirnov distance between the scaled radii of ``eig`` and the predicted radial
    CDF (:math:`\rho^2` for a uniform disc or ellipse).  Predicted outliers are removed first
    (the nearest eigenvalue to each).  For N i.i.d. radii the distance is of order
    :math:`1/\sqrt{N}` (Kolmogorov: :math:`P(\sqrt N D > 1.36) \approx 0.05`); eigenvalues
    repel, so the sampled distance is usually smaller."""
    z = np.asarray(eig, dtype=complex).ravel()
    if exclude_outliers and spectrum.outliers.size:
        keep = np.ones(z.size, bool)
        for o in spectrum.outliers:
            d = np.abs(z - o)
            d[~keep] = np.inf
            keep[int(np.argmin(d))] = False
        z = z[keep]
    a, b = spectrum.semi_axes
    rho = np.sqrt((z.real / a) ** 2 + (z.imag / max(b, 1e-300)) ** 2)
    rho.sort()
    F = spectrum.radial_cdf(rho)
    n = rho.size
    up = np.arange(1, n + 1) / n
    lo = np.arange(0, n) / n
    return float(max(np.max(up - F), np.max(F - lo)))


def covariance_statistics(R: Any, N: int, *, L: float = 0.0, D: float = 1.0) -> dict[str, Any]:
    r"""Population statistics of the covariances of a linear network with bulk radius R.

    Dahmen, Grün, Diesmann & Helias 2019 (PNAS 116:13051, Results), for window-
    integrated covariances :math:`C = D(1-J)^{-1}(1-J)^{-T}` of :math:`x = Jx + \xi`:
    mean auto-covariance :math:`\bar a = D/(1-R^2)`; variance of the cross-covariances
    :math:`\delta c^2 = \bar a^2\,[(1-R^2)^{-2} - 1]/N`; mean cross-covariance
    :math:`\bar c = \bar a\,[(1-L)^{-2} - 1]/N` with L the eigenvalue of the mean coupling.

    Returns a dict with ``mean_auto``, ``var_cross``, ``mean_cross`` and the inverse relation
    ``R`` (from the first two): :math:`R^2 = 1 - (1 + N\delta c^2/\bar a^2)^{-1/2}`.
    """
    R = np.asarray(R, dtype=float)
    if np.any((R < 0) | (R >= 1)):
        raise ValueError("R must lie in [0, 1) (a stable linear network)")
    if not (isinstance(N, int | np.integer) and N >= 2):
        raise ValueError(f"N must be an integer >= 2, got {N!r}")
    if not L < 1:
        raise ValueError(f"L (mean-coupling eigenvalue) must be < 1, got {L}")
    a = D / (1 - R**2)
    dc2 = a**2 * (1 / (1 - R**2) ** 2 - 1) / N
    cbar = a * (1 / (1 - L) ** 2 - 1) / N
    return {"mean_auto": a, "var_cross": dc2, "mean_cross": cbar,
            "R": np.sqrt(1 - 1 / np.sqrt(1 + N * dc2 / a**2))}  # fmt: skip
