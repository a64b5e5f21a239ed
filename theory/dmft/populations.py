r"""Stationary dynamic mean-field theory of multi-population rate networks.

Model: :class:`rnmf.models.RatePopulationNetwork` (Gaussian blocks or fixed in-degree),
:math:`\tau_a\dot x_i = -x_i + \sum_j J_{ij}\phi_{b(j)}(x_j) + I_i` (+ white noise).  For
:math:`N\to\infty` every unit of population a sees a Gaussian field; with
:math:`x = \mu_a + \delta x` and :math:`\Delta_a(\tau) = \langle\delta x(t)\delta x(t+\tau)\rangle_a`
(Kadmon & Sompolinsky 2015, PRX 5:041030, eqs. 3-5 for cell types; Aljadeff, Stern & Sharpee
2015, PRL 114:088101, eq. 6; the one-population case is Sompolinsky, Crisanti & Sommers
1988, PRL 61:259, eqs. 4-6):

.. math::
    \mu_a &= \sum_b \bar J_{ab}\, m_b + I_a,\qquad m_b = \langle\phi_b(\mu_b + \sqrt{\Delta_{b,0}}z)\rangle\\
    (1 - \tau_a^2\partial_\tau^2)\,\Delta_a(\tau) &= S_a(\tau) + \tau_a\sigma_a^2\delta(\tau),\qquad
    S_a = \sum_b G_{ab}\big(C_b(\Delta_b(\tau)) - c\,m_b^2\big) + \sigma_{I,a}^2

with :math:`C_b(\Delta) = \langle\phi_b(x_1)\phi_b(x_2)\rangle` (variances :math:`\Delta_{b,0}`,
covariance :math:`\Delta`) and ``(Jbar, G, c)`` from
:meth:`~rnmf.models.RatePopulationNetwork.block_statistics`.

Newton approach.  For :math:`\tau > 0` these are P coupled Newton equations
:math:`\tau_a^2\Delta_a'' = \Delta_a - S_a(\Delta)`.  Unlike P = 1 they have no potential in
general (the force on a depends on every :math:`\Delta_b` through a non-symmetric
:math:`G`), so the stationary solution is found as a boundary-value problem: the orbit leaves
:math:`(\Delta_0, \Delta'(0^+) = -\sigma_a^2/(2\tau_a))` and lands on the hilltop
:math:`\Delta_\infty = S(\Delta_\infty)` along its stable manifold,
:math:`\Delta'(L) = -A^{1/2}(\Delta(L) - \Delta_\infty)` with
:math:`A_{ab} = (\delta_{ab} - G_{ab}q_b(\Delta_{b,\infty}))/\tau_a^2`,
:math:`q_b = \langle\phi_b'\phi_b'\rangle` (Price's theorem).  The means, :math:`\Delta_0` and
:math:`\Delta_\infty` are unknown parameters of one collocation problem
(:func:`scipy.integrate.solve_bvp`), so one Newton iteration solves all of them.

Fixed points satisfy :math:`\Delta_{a,0} = \Delta_{a,\infty} = S_a`.  A fixed point is locally
stable while the largest eigenvalue of

.. math:: M_{ab} = G_{ab}\,\langle\phi_b'^2\rangle \qquad (= \alpha_b g_{ab}^2\langle\phi_b'^2\rangle)

is below 1 (the squared radius of the bulk of the Jacobian: Aljadeff, Stern & Sharpee 2015,
eq. 5; Kadmon & Sompolinsky 2015, eq. 11); chaos sets in where it crosses 1.

Largest Lyapunov exponent.  A perturbation's two-time correlation obeys
:math:`(1+\tau_a\partial_t)(1+\tau_a\partial_s)D_a(t,s) = \sum_b G_{ab}\,q_b(t-s)\,D_b(t,s)`
(the multi-population form of the tangent DMFT of Sompolinsky, Crisanti & Sommers 1988);
with :math:`D_a = e^{\gamma(t+s)}\psi_a(t-s)`:
:math:`[(1+\tau_a\gamma)^2 - \tau_a^2\partial_\tau^2]\psi_a = \sum_b G_{ab}q_b(\tau)\psi_b`, and
:math:`\lambda_{max}` is the largest :math:`\gamma` with a bounded solution (for equal
:math:`\tau_a = 1`: :math:`\lambda = -1 + \sqrt{1 - E_0}`, :math:`E_0` the ground-state energy
of :math:`-\partial^2 + 1 - Gq(\tau)`).

Balanced state.  With :math:`J \sim 1/\sqrt K` and inputs :math:`\sim\sqrt K`, the mean input
cancels to leading order and the rates solve the linear balance equations
:math:`\sum_b \bar J_{ab}m_b + I_a = 0` (van Vreeswijk & Sompolinsky 1998, Neural Comput
10:1321, eqs. 4.3-4.4; Harish & Hansel 2015, PLoS Comput Biol 11:e1004266, Sec. "Balanced
state"): :func:`balanced_rates`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.polynomial import Chebyshev

from rnmf.models import RateNetwork, RatePopulationNetwork
from rnmf.results import ConvergenceError, Result, Status, finish

from ._common import Stats

_DEG = 48  # Chebyshev degree of the C(Delta) and q(Delta) tables (as stationary._trajectory)

__all__ = [
    "PopulationDMFTResult",
    "balanced_rates",
    "critical_scale",
    "solve_populations",
    "stability_matrix",
]


@dataclass(frozen=True, kw_only=True, repr=False)
class PopulationDMFTResult(Result):
    r"""Stationary DMFT solution of a :class:`~rnmf.models.RatePopulationNetwork`.

    Attributes
    ----------
    mu, Delta0, Delta_inf : (P,) arrays
        Mean, variance :math:`\Delta_a(0)` and :math:`\Delta_a(\infty)` per population.
    regime : str
        ``"quiet"``, ``"static"`` (fixed point), ``"chaotic"`` (:math:`\lambda_{max} > 0`),
        ``"noise-driven"`` or ``"unbounded"``.
    stable : bool
        Fixed points: largest eigenvalue of ``M`` below 1.  Fluctuating states: True.
    M : (P, P) array
        :math:`M_{ab} = G_{ab}\langle\phi_b'^2\rangle` at this state.
    radius2 : float
        Largest real part of the eigenvalues of ``M`` (squared bulk radius at a fixed point).
    lambda_max : float
        Largest Lyapunov exponent (per unit time); NaN if not computed.
    tau, Delta : arrays
        Lags (n,) and the autocorrelations (n, P).
    solutions : tuple
        Every stationary state found (fixed point and fluctuating state).
    """

    mu: np.ndarray = field(default_factory=lambda: np.zeros(1))
    Delta0: np.ndarray = field(default_factory=lambda: np.zeros(1))
    Delta_inf: np.ndarray = field(default_factory=lambda: np.zeros(1))
    regime: str = ""
    stable: bool = False
    M: np.ndarray = field(default_factory=lambda: np.zeros((1, 1)))
    radius2: float = math.nan
    lambda_max: float = math.nan
    tau: np.ndarray = field(default_factory=lambda: np.zeros(1))
    Delta: np.ndarray = field(default_factory=lambda: np.zeros((1, 1)))
    solutions: tuple = ()
    _sol: Any = field(default=None, compare=False)

    def _repr_rows(self) -> list[tuple[str, str]]:
        rows = [
            ("regime", f"{self.regime} ({'stable' if self.stable else 'unstable'})"),
            ("mu", np.array2string(np.asarray(self.mu), precision=6)),
            ("Delta0", np.array2string(np.asarray(self.Delta0), precision=6)),
            ("Delta_inf", np.array2string(np.asarray(self.Delta_inf), precision=6)),
            ("radius2", f"{self.radius2:.6g}"),
            ("lambda_max", f"{self.lambda_max:.6g} (per unit time)"),
            ("status", str(self.status)),
        ]
        if self.solutions:
            rows.append(("solutions", ", ".join(s.regime for s in self.solutions)))
        return rows

    def autocorrelation(self, lags: float | np.ndarray) -> np.ndarray:
        r""":math:`\Delta_a(\tau)` at ``lags``, shape ``(len(lags), P)`` (symmetric in the lag).

        The collocation solution (cubic, continuous derivative) where available, else linear
        interpolation on the stored grid; beyond the grid, :math:`\Delta_\infty`.
        """
        lag = np.abs(np.atleast_1d(np.asarray(lags, dtype=float)))
        if not np.all(np.isfinite(lag)):
            raise ValueError("lags contain NaN or infinite values")
        D = np.asarray(self.Delta)
        if self._sol is not None and callable(self._sol):
            P = D.shape[1]
            inside = lag <= self.tau[-1]
            out = np.tile(np.asarray(self.Delta_inf, float), (lag.size, 1))
            if np.any(inside):
                out[inside] = self._sol(lag[inside])[:P].T
            return out
        out = np.empty((lag.size, D.shape[1]))
        for a in range(D.shape[1]):
            out[:, a] = np.interp(lag, self.tau, D[:, a], right=float(self.Delta_inf[a]))
        return out


# ------------------------------------------------------------------------------------------
# Gaussian averages per population
# ------------------------------------------------------------------------------------------
class _Pops:
    """Per-population Gaussian averages and block statistics of one network."""

    def __init__(self, net: RatePopulationNetwork, n: int | None = None) -> None:
        self.net = net
        self.P = net.P
        self.Jbar, self.G, centered = net.block_statistics()
        self.c = 1.0 if centered else 0.0
        self.I = np.asarray(net.I0, dtype=float)
        self.sI2 = np.asarray(net.sigma_I, dtype=float) ** 2
        self.sig2 = np.asarray(net.sigma_noise, dtype=float) ** 2
        self.tau = np.asarray(net.tau, dtype=float)
        self.st = [Stats(RateNetwork(N=1, g=0.0, phi=p), n) for p in net.phi]
        self._cache: dict = {}

    def m1(self, mu: np.ndarray, D0: np.ndarray) -> np.ndarray:
        return np.array([float(self.st[b].m1(mu[b], max(D0[b], 0.0))) for b in range(self.P)])

    def m2(self, mu: np.ndarray, D0: np.ndarray) -> np.ndarray:
        return np.array([float(self.st[b].m2(mu[b], max(D0[b], 0.0))) for b in range(self.P)])

    def d2(self, mu: np.ndarray, D0: np.ndarray) -> np.ndarray:
        return np.array([float(self.st[b].d2(mu[b], max(D0[b], 0.0))) for b in range(self.P)])

    def _table(self, kind: str, b: int, mu: float, D0: float):
        """Chebyshev interpolant of C_b or q_b in the covariance on [-D0, D0] (degree 48)."""
        key = (kind, b, float(mu), float(D0))
        tab = self._cache.get(key)
        if tab is None:
            if len(self._cache) > 4000:
                self._cache.clear()
            D0 = max(float(D0), 1e-300)
            f = self.st[b].C if kind == "C" else self.st[b].q
            tab = Chebyshev.interpolate(
                lambda d: np.asarray(f(mu, D0, np.clip(d, -D0, D0)), dtype=float),
                _DEG,
                domain=[-D0, D0],
            )
            self._cache[key] = tab
        return tab

    def C(self, b: int, mu: float, D0: float, D: np.ndarray) -> np.ndarray:
        D0 = max(float(D0), 0.0)
        if D0 == 0.0:
            return np.full(np.shape(D), float(self.st[b].m1(mu, 0.0)) ** 2)
        return self._table("C", b, mu, D0)(np.clip(D, -D0, D0))

    def q(self, b: int, mu: float, D0: float, D: np.ndarray) -> np.ndarray:
        D0 = max(float(D0), 0.0)
        if D0 == 0.0:
            return np.full(np.shape(D), float(self.st[b].d1(mu, 0.0)) ** 2)
        return self._table("q", b, mu, D0)(np.clip(D, -D0, D0))

    def q_point(self, mu: np.ndarray, D0: np.ndarray, D: np.ndarray) -> np.ndarray:
        """q_b at one covariance per population (no table)."""
        out = np.empty(self.P)
        for b in range(self.P):
            d0 = max(float(D0[b]), 0.0)
            out[b] = float(self.st[b].q(mu[b], d0, float(np.clip(D[b], -d0, d0))))
        return out

    def source(self, mu: np.ndarray, D0: np.ndarray, D: np.ndarray, m: np.ndarray) -> np.ndarray:
        """:math:`S_a` for D of shape (P, n)."""
        Cb = np.stack([self.C(b, mu[b], D0[b], D[b]) - self.c * m[b] ** 2 for b in range(self.P)])
        return self.G @ Cb + self.sI2[:, None]

    def mean_residual(self, mu: np.ndarray, D0: np.ndarray) -> np.ndarray:
        return self.Jbar @ self.m1(mu, D0) + self.I - mu


def stability_matrix(net: RatePopulationNetwork, mu: Any, Delta0: Any) -> np.ndarray:
    r""":math:`M_{ab} = G_{ab}\langle\phi_b'(\mu_b + \sqrt{\Delta_{b,0}}z)^2\rangle`.

    Aljadeff, Stern & Sharpee 2015 (PRL 114:088101, eq. 5: :math:`M_{ab} = \alpha_b g_{ab}^2`
    for linear units); Kadmon & Sompolinsky 2015 (PRX 5:041030, eq. 11).  Its largest
    eigenvalue is the squared radius of the bulk of the Jacobian at a fixed point.
    """
    pops = _Pops(net)
    return pops.G * pops.d2(np.asarray(mu, float), np.asarray(Delta0, float))[None, :]


def _rho(M: np.ndarray) -> float:
    return float(np.max(np.linalg.eigvals(M).real))


# ------------------------------------------------------------------------------------------
# fixed points
# ------------------------------------------------------------------------------------------
def _fixed_points(
    pops: _Pops, tol: float, starts: list[np.ndarray] | None = None
) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """Roots (mu, Delta0, residual) of the fixed-point equations from several starts
    (``starts``: given (mu, sqrt(Delta0)) vectors instead of the default four)."""
    from scipy.optimize import root

    P = pops.P
    if np.any(pops.sig2 > 0):
        return []

    def F(z: np.ndarray) -> np.ndarray:
        mu, s = z[:P], z[P:]
        D = s**2
        m = pops.m1(mu, D)
        r1 = pops.Jbar @ m + pops.I - mu
        r2 = pops.G @ (pops.m2(mu, D) - pops.c * m**2) + pops.sI2 - D
        return np.concatenate([r1, r2])

    scale = float(np.sum(pops.G)) + float(np.sum(pops.sI2)) + 1.0
    found: list[tuple[np.ndarray, np.ndarray, float]] = []
    if starts is None:
        starts = [np.concatenate([pops.I.copy(), np.full(P, math.sqrt(f * scale))])
                  for f in (0.0, 0.3, 1.0, 3.0)]  # fmt: skip
    for z0 in starts:
        with np.errstate(all="ignore"):
            sol = root(F, z0, method="hybr", tol=tol * 1e-2)
        if not np.all(np.isfinite(sol.x)):
            continue
        res = float(np.max(np.abs(F(sol.x))))
        if res > max(tol, 1e-10) * 100:
            continue
        mu, D = sol.x[:P], sol.x[P:] ** 2
        if not any(np.allclose(D, d, rtol=1e-6, atol=1e-9) and np.allclose(mu, m, atol=1e-7)
                   for m, d, _ in found):  # fmt: skip
            found.append((mu, D, res))
    return found


# ------------------------------------------------------------------------------------------
# fluctuating states: the Newton boundary-value problem
# ------------------------------------------------------------------------------------------
def _sqrt_stable(A: np.ndarray) -> np.ndarray | None:
    w, V = np.linalg.eig(A)
    if np.any(w.real <= 0) or np.any(np.abs(w.imag) > 1e-12 * np.abs(w.real).max()):
        return None
    return (V @ np.diag(np.sqrt(w.real)) @ np.linalg.inv(V)).real


def _bvp(
    pops: _Pops,
    D0g: np.ndarray,
    Dig: np.ndarray,
    mug: np.ndarray,
    L: float,
    tol: float,
    width: float = 2.0,
    guess: Any = None,
):
    from scipy.integrate import solve_bvp

    P = pops.P
    t2 = pops.tau**2

    def unpack(p: np.ndarray):
        return p[:P], p[P : 2 * P], p[2 * P :]

    def fun(x: np.ndarray, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        D0, Di, mu = unpack(p)
        m = pops.m1(mu, D0)
        S = pops.source(mu, D0, y[:P], m)
        return np.vstack([y[P:], (y[:P] - S) / t2[:, None]])

    def bc(ya: np.ndarray, yb: np.ndarray, p: np.ndarray) -> np.ndarray:
        D0, Di, mu = unpack(p)
        m = pops.m1(mu, D0)
        Sinf = pops.source(mu, D0, Di[:, None], m)[:, 0]
        qinf = pops.q_point(mu, D0, Di)
        A = (np.eye(P) - pops.G * qinf[None, :]) / t2[:, None]
        R = _sqrt_stable(A)
        if R is None:
            R = np.eye(P) / np.sqrt(t2)[:, None]
        return np.concatenate([
            ya[:P] - D0,
            ya[P:] + pops.sig2 / (2.0 * pops.tau),
            yb[P:] + R @ (yb[:P] - Di),
            Di - Sinf,
            pops.mean_residual(mu, D0),
        ])  # fmt: skip

    if guess is None:
        x = np.linspace(0.0, L, 301)
        shape = 1.0 / np.cosh(x / width) ** 2
        dshape = -2.0 / width * np.tanh(x / width) * shape
        y0 = np.vstack([Dig[:, None] + (D0g - Dig)[:, None] * shape[None, :],
                        (D0g - Dig)[:, None] * dshape[None, :]])  # fmt: skip
        p0 = np.concatenate([D0g, Dig, mug])
    else:
        x, y0, p0 = guess.x, guess.y, guess.p
    with np.errstate(all="ignore"):
        sol = solve_bvp(
            fun, bc, x, y0, p=p0, tol=tol, bc_tol=max(tol * 1e-2, 1e-13), max_nodes=5000
        )
    return sol


def _lyapunov(pops: _Pops, mu, D0, tau_grid, Dgrid, *, static_q: np.ndarray | None = None) -> float:
    r"""Largest :math:`\gamma` of :math:`[(1+\tau_a\gamma)^2 - \tau_a^2\partial^2]\psi = Gq\psi`."""
    from scipy.optimize import brentq

    P = pops.P
    tau = pops.tau
    if static_q is not None:  # constant q: rho(G q / (1 + tau gamma)^2) = 1

        def h(g: float) -> float:
            return _rho(pops.G * static_q[None, :] / ((1.0 + tau * g) ** 2)[:, None]) - 1.0

        lo = -1.0 / tau.max() + 1e-12
        if h(lo + 1e-9) < 0:
            return -1.0 / tau.max()
        hi = 1.0
        while h(hi) > 0:
            hi *= 2.0
        return float(brentq(h, lo + 1e-9, hi, xtol=1e-13))
    import scipy.sparse as sp
    from scipy.sparse.linalg import eigs

    # symmetric grid on [-Lmax, Lmax]
    Lmax = min(float(tau_grid[-1]), 60.0 * float(tau.max()))
    n = 1201
    s = np.linspace(-Lmax, Lmax, n)
    hstep = s[1] - s[0]
    qs = np.stack(
        [np.interp(np.abs(s), tau_grid, pops.q(b, mu[b], D0[b], Dgrid[:, b])) for b in range(P)]
    )
    lap = sp.diags([np.ones(n - 1), -2.0 * np.ones(n), np.ones(n - 1)], [-1, 0, 1]) / hstep**2
    blocks_q = [[sp.diags(-pops.G[a, b] * qs[b]) for b in range(P)] for a in range(P)]

    def lowest(g: float) -> float:
        rows = []
        for a in range(P):
            row = []
            for b in range(P):
                blk = blocks_q[a][b]
                if a == b:
                    blk = blk + (-(tau[a] ** 2) * lap + (1.0 + tau[a] * g) ** 2 * sp.eye(n))
                row.append(blk)
            rows.append(row)
        A = sp.bmat(rows, format="csc")
        shift = -float(np.max(pops.G)) * float(np.max(qs)) * P - 1.0
        w = eigs(A, k=1, sigma=shift, which="LM", return_eigenvectors=False)
        return float(w[0].real)

    lo = -1.0 / tau.max() + 1e-9
    if lowest(lo) > 0:
        return -1.0 / tau.max()
    hi = 0.5
    while lowest(hi) < 0:
        hi *= 2.0
    return float(brentq(lowest, lo, hi, xtol=1e-10))


def _hilltop(pops: _Pops, mu: np.ndarray, D0: np.ndarray) -> np.ndarray:
    """Lowest root of Delta_inf = S(Delta_inf) below D0 (monotone iteration from 0)."""
    m = pops.m1(mu, D0)
    D = np.zeros(pops.P)
    for _ in range(200):
        new = np.minimum(pops.source(mu, D0, D[:, None], m)[:, 0], 0.999 * D0)
        if np.max(np.abs(new - D)) < 1e-12:
            return new
        D = new
    return D


def _fluctuating(pops: _Pops, fps: list, tol: float, L: float, lyapunov: bool, opts: dict):
    """Search the fluctuating (chaotic or noise-driven) state from several starts."""
    P = pops.P
    scale = np.maximum(pops.G.sum(axis=1), 1e-3) + pops.sI2 + pops.sig2 / 2.0
    starts = []
    for mu, D, _ in fps:
        if np.all(D > 1e-9):
            starts += [(f * D, mu) for f in (0.93, 0.8, 0.6, 1.0)]
    starts += [(f * scale, pops.I.copy()) for f in (0.5, 1.0, 0.25)]
    for D0g, mug in starts:
        Dig = _hilltop(pops, mug, D0g)
        qinf = pops.q_point(mug, D0g, Dig)
        A = (np.eye(P) - pops.G * qinf[None, :]) / (pops.tau**2)[:, None]
        w = np.linalg.eigvals(A).real
        kappa = math.sqrt(max(float(w.min()), 1e-4))
        Lk = (
            L
            if L is not None
            else float(np.clip(14.0 / kappa, 30.0, 2000.0)) * float(pops.tau.max())
        )
        width = float(np.clip(2.0 / kappa, 1.0, Lk / 4.0))
        sol = _bvp(pops, np.asarray(D0g, float), Dig, np.asarray(mug, float), Lk, 1e-5, width)
        if not sol.success:
            continue
        sol = _bvp(pops, D0g, Dig, mug, Lk, tol, guess=sol)
        if not sol.success:
            continue
        D0, Di, mu = sol.p[:P], sol.p[P : 2 * P], sol.p[2 * P :]
        if (
            np.any(D0 <= 0)
            or np.any(D0 - Di < 1e-7 * np.maximum(D0, 1e-12))
            or np.any(np.abs(Di) > D0)
        ):
            continue
        # the stationary orbit decreases monotonically from Delta0 to Delta_inf (reject
        # multi-bump orbits that pass the hilltop and return)
        check = sol.sol(np.linspace(0.0, Lk, 4001))[:P]
        if np.any(check < Di[:, None] - 1e-6 * (D0 - Di)[:, None]) or np.any(
            np.diff(check, axis=1) > 1e-6 * (D0 - Di)[:, None]
        ):
            continue
        tau = np.linspace(0.0, Lk, 4001)
        Dg = sol.sol(tau)[:P].T
        lam = _lyapunov(pops, mu, D0, tau, Dg) if lyapunov else math.nan
        M = pops.G * pops.d2(mu, D0)[None, :]
        noisy = bool(np.any(pops.sig2 > 0))
        regime = "chaotic" if (not noisy or lam > 0) else "noise-driven"
        return PopulationDMFTResult(
            model=pops.net, method="newton-bvp", options=opts, converged=True,
            status=Status.CONVERGED, n_iter=int(sol.niter), residual=float(np.max(sol.rms_residuals)),
            mu=mu, Delta0=D0, Delta_inf=Di, regime=regime, stable=True, M=M, radius2=_rho(M),
            lambda_max=lam, tau=tau, Delta=Dg, _sol=sol.sol,
        )  # fmt: skip
    return None


def solve_populations(
    net: RatePopulationNetwork,
    *,
    tol: float = 1e-9,
    L: float | None = None,
    lyapunov: bool = True,
    fluctuating: bool = True,
    raise_on_failure: bool = True,
) -> PopulationDMFTResult:
    r"""Every stationary DMFT state of a multi-population rate network.

    Fixed points (:math:`\Delta_0 = \Delta_\infty`) from the static equations; fluctuating
    states from the Newton boundary-value problem (module docstring), searched when no
    fixed point is stable or noise is present.  The main result is the stable state (the
    fluctuating one when the fixed point is unstable).

    Parameters
    ----------
    net : RatePopulationNetwork
        Gaussian blocks or fixed in-degree; time-independent input (no ``drive``).
    tol : float
        Collocation and root tolerance.
    L : float, optional
        Lag range of the boundary-value problem (default ``max(30, 14/kappa) * max(tau)``
        with :math:`\kappa` the decay rate at the hilltop); the error of the landing
        condition decays as :math:`e^{-2\kappa L}`.
    lyapunov : bool
        Compute the largest Lyapunov exponent.
    fluctuating : bool
        Search fluctuating states when no fixed point is stable (False: fixed points only).
    raise_on_failure : bool
        Raise :class:`~rnmf.results.ConvergenceError` when no stable state is found.

    Returns
    -------
    PopulationDMFTResult

    References
    ----------
    Kadmon & Sompolinsky 2015, PRX 5:041030, eqs. 3-5 and 11; Aljadeff, Stern & Sharpee
    2015, PRL 114:088101, eqs. 5-6; Sompolinsky, Crisanti & Sommers 1988, PRL 61:259, eqs. 4-6.
    """
    if not isinstance(net, RatePopulationNetwork):
        raise ValueError(
            f"solve_populations needs a RatePopulationNetwork, got {type(net).__name__}"
        )
    if net.drive is not None:
        raise ValueError(
            "solve_populations: the network has a time-dependent drive; use "
            "rnmf.theory.dmft.driven for driven networks (or drop the drive)"
        )
    tol = float(tol)
    if not (0 < tol < 1e-2):
        raise ValueError(f"tol must lie in (0, 1e-2), got {tol!r}")
    if L is not None:
        L = float(L)
        if not (np.isfinite(L) and L > 0):
            raise ValueError(f"L (lag range) must be finite and > 0, got {L!r}")
    pops = _Pops(net)
    opts = {"tol": tol, "L": L, "lyapunov": lyapunov}
    sols: list[PopulationDMFTResult] = []
    for mu, D, res in _fixed_points(pops, tol):
        M = pops.G * pops.d2(mu, D)[None, :]
        rho = _rho(M)
        quiet = bool(np.all(D < 1e-14))
        lam = _lyapunov(pops, mu, D, None, None, static_q=pops.d2(mu, D)) if lyapunov else math.nan
        sols.append(PopulationDMFTResult(
            model=net, method="fixed-point", options=opts, residual=res, mu=mu, Delta0=D,
            Delta_inf=D.copy(), regime="quiet" if quiet else "static", stable=rho < 1.0, M=M,
            radius2=rho, lambda_max=lam, tau=np.array([0.0, 1.0]), Delta=np.vstack([D, D]),
        ))  # fmt: skip
    if fluctuating and not any(s.stable for s in sols):
        fl = _fluctuating(
            pops, [(s.mu, s.Delta0, s.residual) for s in sols], tol, L, lyapunov, opts
        )
        if fl is not None:
            sols.append(fl)
    stable = [s for s in sols if s.stable]
    if stable:
        main = stable[-1]
        return replace(main, solutions=tuple(sols))
    main = PopulationDMFTResult(
        model=net, method="newton-bvp", options=opts, converged=False, status=Status.NO_SOLUTION,
        residual=math.inf, regime="", stable=False, solutions=tuple(sols),
        mu=np.full(net.P, np.nan), Delta0=np.full(net.P, np.nan), Delta_inf=np.full(net.P, np.nan),
    )  # fmt: skip
    if raise_on_failure:
        raise ConvergenceError(
            "solve_populations: no stable stationary state found (fixed points: "
            + (", ".join(f"radius2 = {s.radius2:.4g}" for s in sols) or "none")
            + "); an unbounded phi may have no bounded state (see "
            "rnmf.theory.dmft.ei_threshold_linear), or pass raise_on_failure=False",
            main,
        )
    return finish(main, False)


def critical_scale(
    net: RatePopulationNetwork, *, bracket: tuple[float, float] = (1e-3, 1e3)
) -> float:
    r"""Factor s at which scaling every coupling std (or weight) by s puts the fixed point at
    the chaos onset, largest eigenvalue of :math:`M_{ab}(s) = s^2 G_{ab}\langle\phi_b'^2\rangle = 1`.

    Kadmon & Sompolinsky 2015 (PRX 5:041030, eq. 11); Aljadeff, Stern & Sharpee 2015 (eq. 5).
    The fixed point is followed along s (means from the mean couplings scaled alike).
    """
    from scipy.optimize import brentq

    def scaled(s: float) -> RatePopulationNetwork:
        if net.connectivity == "gaussian":
            return replace(net, g=np.asarray(net.g) * s, J0=np.asarray(net.J0) * s)
        if net.connectivity == "fixed_indegree":
            return replace(net, J=np.asarray(net.J) * s)
        raise ValueError("critical_scale: an explicit coupling matrix has no block statistics")

    last: list[np.ndarray] = []

    def h(s: float) -> float:
        pops = _Pops(scaled(s))
        # continuation: start from the branch found at the previous scale (one root search
        # instead of four; the extra starts wander for hundreds of evaluations near the onset)
        fps = _fixed_points(pops, 1e-12, starts=last[-1:]) if last else []
        if not fps:
            fps = _fixed_points(pops, 1e-12)
        if not fps:
            raise ConvergenceError(f"critical_scale: no fixed point at scale {s:g}")
        mu, D, _ = fps[0]
        last.append(np.concatenate([mu, np.sqrt(D)]))
        return _rho(pops.G * pops.d2(mu, D)[None, :]) - 1.0

    lo, hi = bracket
    if h(lo) > 0 or h(hi) < 0:
        raise ConvergenceError(f"critical_scale: the onset is not bracketed by scales {bracket}")
    return float(brentq(h, lo, hi, xtol=1e-13, rtol=1e-13))


def balanced_rates(net: RatePopulationNetwork) -> np.ndarray:
    r"""Large-K rates of the balanced state: :math:`\bar J m + I = 0`, :math:`m = -\bar J^{-1}I`.

    van Vreeswijk & Sompolinsky 1998 (Neural Comput 10:1321, eqs. 4.3-4.4); Harish & Hansel
    2015 (PLoS Comput Biol 11:e1004266).  Raises when the balance matrix is singular or a
    rate comes out negative (the balance conditions, e.g. for E-I
    :math:`I_E/I_I > J_{EI}/J_{II} > J_{EE}/J_{IE}`, are violated).
    """
    Jbar, _, _ = net.block_statistics()
    I = np.asarray(net.I0, float)
    if abs(np.linalg.det(Jbar)) < 1e-12 * max(1.0, np.abs(Jbar).max()) ** net.P:
        raise ValueError("balanced_rates: the mean coupling matrix is singular: no balanced state")
    m = -np.linalg.solve(Jbar, I)
    if np.any(m < 0):
        raise ValueError(
            f"balanced_rates: the balance equations give negative rates {m.tolist()}: the "
            "balance conditions (van Vreeswijk & Sompolinsky 1998, eq. 4.9) do not hold"
        )
    return m
