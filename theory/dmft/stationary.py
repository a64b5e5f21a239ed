r"""Stationary dynamic mean-field theory of continuous-time random rate networks.

Model (:class:`rnmf.models.RateNetwork`, time in units of tau):
:math:`dx_i = [-x_i + \sum_j J_{ij}\phi(x_j) + I_i]\,ds + \sigma\,dW_i`,
:math:`J_{ij} \sim N(J_0/N, g^2/N)`, :math:`I_i = I_0 + \sigma_I\eta_i`.

For :math:`N\to\infty` each unit sees a Gaussian field; with :math:`x = \mu + \delta x`
and :math:`\Delta(\tau) = \langle\delta x(t)\delta x(t+\tau)\rangle` the stationary
DMFT reads (Sompolinsky, Crisanti & Sommers 1988, PRL 61:259, eqs. 4-6; mean
coupling and quenched input: Kadmon & Sompolinsky 2015, PRX 5:041030, eqs. 3-5,
Mastrogiuseppe & Ostojic 2017, PLoS Comput Biol 13:e1005498, eqs. 9-11; white noise:
Schuecker, Goedeke & Helias 2018, PRX 8:041029, eqs. 5-7):

.. math::
    \mu &= J_0\langle\phi(\mu + \sqrt{\Delta_0}z)\rangle + I_0 \\
    (1 - \partial_\tau^2)\,\Delta(\tau) &= g^2 C_\phi(\Delta(\tau)) + \sigma_I^2 + \sigma^2\delta(\tau).

For :math:`\tau > 0` this is Newton's equation :math:`\Delta'' = -V'(\Delta)` of a particle in

.. math:: V(\Delta) = -\tfrac12\Delta^2 + g^2\langle\Phi(x_1)\Phi(x_2)\rangle + \sigma_I^2\Delta

(Price's theorem: :math:`\partial_\Delta\langle\Phi\Phi\rangle = C_\phi`), with the noise kink
:math:`\Delta'(0^+) = -\sigma^2/2` (integrate the delta across 0).  A stationary
solution must come to rest on the hilltop :math:`V'(\Delta_\infty) = 0`; energy
conservation gives

.. math:: \sigma^4/8 + V(\Delta_0) = V(\Delta_\infty).

Without noise the fixed points (static solutions) satisfy
:math:`\Delta_0 = \Delta_\infty = g^2\langle\phi^2\rangle + \sigma_I^2`, locally stable while
:math:`\chi = g^2\langle\phi'^2\rangle < 1` (bulk radius of the Jacobian, circular law).

The solver scans :math:`\Delta_0` on every branch :math:`\mu(\Delta_0)` of the mean
equation for sign changes of the energy residual and of the static residual,
polishes each root to ``tol`` and returns all coexisting states with their
stability; :math:`\Delta(\tau)` comes from integrating the second-order ODE from
:math:`(\Delta_0, \Delta'(0^+))` to within ``1e-4`` of the hilltop and splicing the
exponential tail :math:`e^{-\kappa\tau}`, :math:`\kappa^2 = 1 - g^2 q(\Delta_\infty)`.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.polynomial import Chebyshev
from scipy import optimize

from rnmf.models import RateNetwork
from rnmf.results import ConvergenceError, Status, finish

from ..gaussian import expect, nodes
from ._common import (
    DMFTResult,
    Stats,
    branches,
    illinois,
    mean_mode_slope,
    mu_residual,
    mu_roots_grid,
    newton_trajectory,
    solve_mu,
    with_solutions,
)
from .lyapunov import (
    SchroedingerSpectrum,
    lowest_eigenvalues,
    lyapunov_from_potential,
    lyapunov_odd,
)

__all__ = [
    "DMFTResult",
    "local_stability",
    "potential",
    "schroedinger",
    "solve",
    "solve_grid",
    "transition",
    "transition_curve",
]

_N_SCAN = 61  # quadrature nodes while scanning for brackets
_N_GRID = 90  # Delta0 scan points per branch


# ----------------------------------------------------------------------------------------
# residuals
# ----------------------------------------------------------------------------------------
def _check_net(net: Any) -> RateNetwork:
    if not isinstance(net, RateNetwork):
        raise ValueError(f"net must be an rnmf.models.RateNetwork, got {type(net).__name__}")
    return net


def potential(
    net: RateNetwork, Delta: Any, *, mu: float | None = None, Delta0: float
) -> np.ndarray | float:
    r"""The potential :math:`V(\Delta) = -\Delta^2/2 + g^2\langle\Phi(x_1)\Phi(x_2)\rangle + \sigma_I^2\Delta`.

    SCS 1988 eq. 6 (with the quenched-input term of Kadmon & Sompolinsky 2015 eq. 5).

    Parameters
    ----------
    net : RateNetwork
    Delta : float or array
        Covariance(s) at which to evaluate, ``|Delta| <= Delta0``.
    mu : float, optional
        Mean (defaults to ``net.I0``).
    Delta0 : float
        Variance of x (>= 0).
    """
    _check_net(net)
    st = Stats(net)
    m = net.I0 if mu is None else mu
    D = np.asarray(Delta, dtype=float)
    return -0.5 * D * D + net.g**2 * st.F(m, Delta0, D) + net.sigma_I**2 * D


def _delta_inf(
    st: Stats, mu: Any, D0: Any, n: int | None = None, maxit: int = 100
) -> tuple[np.ndarray, np.ndarray]:
    r"""Smallest root of :math:`V'(\Delta) = -\Delta + g^2C_\phi(\Delta) + \sigma_I^2` in :math:`[0, \Delta_0]`.

    :math:`C_\phi` is convex on :math:`[0, \Delta_0]` (all its Taylor coefficients
    :math:`\langle\phi^{(k)}\rangle^2/k!` are >= 0, Price's theorem), so Newton from 0
    increases monotonically to the smallest root.  Returns the root (clipped to Delta0
    where there is none) and :math:`V''(\Delta_\infty) = -1 + g^2 q(\Delta_\infty)` (< 0 on a hilltop).
    """
    net = st.net
    g2, s2 = net.g**2, net.sigma_I**2
    mu, D0 = np.broadcast_arrays(np.asarray(mu, float), np.asarray(D0, float))
    D = np.zeros(D0.shape)
    done = np.zeros(D0.shape, bool)
    fp = -np.ones(D0.shape)
    for _ in range(maxit):
        f = -D + g2 * st.C(mu, D0, D, n) + s2
        fp = -1.0 + g2 * st.q(mu, D0, D, n)
        stuck = (fp >= 0.0) & (f > 0.0)  # no root above: V' increases from here
        step = np.where((fp < 0.0) & ~done, -f / np.where(fp < 0.0, fp, -1.0), 0.0)
        Dn = np.minimum(D + step, D0)
        small = np.abs(Dn - D) <= 1e-15 * np.maximum(D0, 1e-300) + 1e-300
        done = done | stuck | small | (f <= 0.0) & (D == 0.0) | (Dn >= D0)
        D = np.where(done & ~small, D, Dn)
        if np.all(done):
            break
    # rounding of <phi> = 0 (odd phi without input) leaves ~1e-33: snap to the exact 0
    D = np.where(D < 1e-14 * D0, 0.0, D)
    return D, fp


def _energy_residual(
    st: Stats, mu: Any, D0: Any, n: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Energy residual :math:`\sigma^4/8 + V(\Delta_0) - V(\Delta_\infty)` (Schuecker et al. 2018 eq. 7)."""
    net = st.net
    g2, s2 = net.g**2, net.sigma_I**2
    Dinf, fp = _delta_inf(st, mu, D0, n)
    D0a = np.asarray(D0, float)
    F = st.F(
        np.stack([np.broadcast_to(mu, D0a.shape)] * 2),
        np.stack([D0a, D0a]),
        np.stack([D0a, Dinf]),
        n,
    )
    V0 = -0.5 * D0a**2 + g2 * F[0] + s2 * D0a
    Vi = -0.5 * Dinf**2 + g2 * F[1] + s2 * Dinf
    return net.sigma_noise**4 / 8.0 + V0 - Vi, Dinf, fp


def _static_residual(st: Stats, mu: Any, D0: Any, extra: float = 0.0, n: int | None = None) -> Any:
    r"""Fixed-point variance residual :math:`g^2\langle\phi^2\rangle + \sigma_I^2 + \text{extra} - \Delta_0`."""
    net = st.net
    return net.g**2 * st.m2(mu, D0, n) + net.sigma_I**2 + extra - np.asarray(D0, float)


def _dmax(net: RateNetwork, extra: float, st: Stats | None = None) -> float:
    """An upper bound for Delta0: from |phi| <= 1 for tanh/erf (the variance of a low-pass
    filtered field is at most the field's variance plus sigma^2/2); otherwise grown by
    factors of 4 until the static residual g^2<phi^2> + ... - Delta0 is negative on every
    branch (up to 1e8: beyond, the activity diverges)."""
    noise = net.sigma_noise**2 / 2.0 + extra
    if net.phi.kind in ("tanh", "erf"):
        return 1.02 * (net.g**2 + net.sigma_I**2 + noise) + 1e-6
    st = st or Stats(net)
    D = 4.0 * (1.0 + net.sigma_I**2 + noise + net.I0**2 + net.phi.theta**2)
    while D < 1e8:
        roots = mu_roots_grid(st, np.array([D]))[0]
        if roots.size and np.all(_static_residual(st, roots, np.full(roots.size, D), noise) < 0):
            return 2.0 * D
        D *= 4.0
    return D


# ----------------------------------------------------------------------------------------
# root search
# ----------------------------------------------------------------------------------------
def find_states(
    net: RateNetwork, st: Stats, *, tol: float, extra: float = 0.0, chaotic: bool = True
) -> list[dict]:
    """All stationary states: quiet, static (Delta_inf = Delta0) and, if ``chaotic``, those
    with Delta_inf < Delta0 (chaotic or noise-driven). Shared with the discrete map
    (``extra`` = sigma^2 adds the noise variance to the static equation)."""
    Dmax = _dmax(net, extra, st)
    grid = np.geomspace(Dmax * 1e-9, Dmax, _N_GRID)
    roots = mu_roots_grid(st, grid)
    found: list[dict] = []
    static_ok = extra > 0.0 or net.sigma_noise == 0.0 or not chaotic
    # quiet states: Delta0 = 0 solves the static equation when g^2 phi(mu)^2 + sigma_I^2 + extra = 0
    if static_ok and net.sigma_I == 0.0 and extra == 0.0:
        for m in mu_roots_grid(st, np.array([0.0]))[0]:
            if net.g == 0.0 or float(net.phi(m)) == 0.0:
                found.append({"kind": "static", "mu": float(m), "D0": 0.0, "Dinf": 0.0})
    for D0s, mus in branches(grid, roots):
        residuals = []
        static_roots: list[tuple[float, float]] = []
        if static_ok:
            residuals.append(("static", lambda m, d: _static_residual(st, m, d, extra)))
        if chaotic:
            residuals.append(("chaotic", lambda m, d: _energy_residual(st, m, d)[0]))
        for kind, fun in residuals:
            if kind == "static":
                r = _static_residual(st, mus, D0s, extra, n=_N_SCAN)
            else:
                r = _energy_residual(st, mus, D0s, n=_N_SCAN)[0]
            idx = np.nonzero(np.sign(r[:-1]) * np.sign(r[1:]) < 0)[0]
            # rounding noise of an identically vanishing residual (marginal linear network)
            # is not a root
            scale = 1e-12 * np.maximum(D0s[:-1], D0s[1:]) ** (2 if kind == "chaotic" else 1)
            idx = idx[np.maximum(np.abs(r[idx]), np.abs(r[idx + 1])) > scale[idx]]
            for j in idx:
                if kind == "chaotic":
                    sol = _polish_chaotic(st, fun, D0s, mus, j, tol, static_roots)
                else:
                    sol = _polish(st, fun, D0s, mus, j, tol)
                if sol is None:
                    continue
                m, d = sol
                if kind == "static":
                    found.append({"kind": "static", "mu": m, "D0": d, "Dinf": d})
                    static_roots.append((m, d))
                else:
                    R, Dinf, fp = _energy_residual(st, m, d)
                    Dinf, fp = float(Dinf), float(fp)
                    if d - Dinf <= 1e-7 * d or fp >= 0.0:
                        continue  # the static solution seen as a degenerate orbit, or no hilltop
                    found.append({"kind": "chaotic", "mu": m, "D0": d, "Dinf": Dinf})
    # remove duplicates (roots found twice at adjacent brackets)
    unique: list[dict] = []
    for s in found:
        if not any(
            s["kind"] == u["kind"]
            and abs(s["mu"] - u["mu"]) <= 1e-7 * (1 + abs(u["mu"]))
            and abs(s["D0"] - u["D0"]) <= 1e-7 * (1 + u["D0"])
            for u in unique
        ):
            unique.append(s)
    return unique


def _polish_chaotic(
    st: Stats, fun: Any, D0s: np.ndarray, mus: np.ndarray, j: int, tol: float, static_roots: list
):
    """Polish a sign change of the energy residual, stepping around a static root inside the
    cell: where the smallest root of V' is Delta0 itself, the static solution is a degenerate
    root of the energy residual (Delta_inf = Delta0) and not a fluctuating state."""
    a, b = float(D0s[j]), float(D0s[j + 1])
    inside = [d for m, d in static_roots if a < d < b]
    if not inside:
        return _polish(st, fun, D0s, mus, j, tol)
    d_s = inside[0]
    edges = [a, d_s * (1 - 1e-7), d_s * (1 + 1e-7), b]
    mu_e = np.interp(edges, [a, b], [float(mus[j]), float(mus[j + 1])])
    for lo, hi in ((0, 1), (2, 3)):
        sub = np.array([edges[lo], edges[hi]])
        r = [
            float(fun(solve_mu(st, x, mm) if st.net.J0 else st.net.I0, x))
            for x, mm in zip(sub, mu_e[[lo, hi]], strict=True)
        ]
        if r[0] * r[1] < 0:
            sol = _polish(st, fun, sub, mu_e[[lo, hi]], 0, tol)
            if sol is not None:
                return sol
    return None


def _polish(st: Stats, fun: Any, D0s: np.ndarray, mus: np.ndarray, j: int, tol: float):
    net = st.net
    a, b = float(D0s[j]), float(D0s[j + 1])
    if net.J0 == 0.0:
        m = net.I0
        fa, fb = float(fun(m, a)), float(fun(m, b))
        # widen by one grid cell if the accurate residual does not change sign
        if fa * fb > 0:
            lo, hi = float(D0s[max(j - 1, 0)]), float(D0s[min(j + 2, len(D0s) - 1)])
            fa, fb = float(fun(m, lo)), float(fun(m, hi))
            if fa * fb > 0:
                return None
            a, b = lo, hi
        d = optimize.brentq(lambda x: float(fun(m, x)), a, b, xtol=tol * 1e-3 * b, rtol=1e-15)
        return m, d
    # J0 != 0: follow the branch mu(Delta0) inside brentq
    ma, mb = float(mus[j]), float(mus[j + 1])

    def res(x: float) -> float:
        t = (x - a) / (b - a)
        m = solve_mu(st, x, ma + t * (mb - ma), width=1e-3 * (1 + abs(mb - ma)))
        return float(fun(m, x))

    try:
        fa, fb = res(a), res(b)
        if fa * fb > 0:
            return None
        d = optimize.brentq(res, a, b, xtol=tol * 1e-3 * b, rtol=1e-15)
        t = (d - a) / (b - a)
        m = solve_mu(st, d, ma + t * (mb - ma), width=1e-3 * (1 + abs(mb - ma)))
    except ValueError:
        return None
    return m, d


# ----------------------------------------------------------------------------------------
# building one solution
# ----------------------------------------------------------------------------------------
def _branch_slope(st: Stats, state: dict, extra: float) -> float:
    """Mean-mode slope (see ``mean_mode_slope``), with dDelta0/dmu by implicit differentiation."""
    net = st.net
    if net.J0 == 0.0:
        return -1.0
    m, d = state["mu"], state["D0"]
    if state["kind"] == "static":
        fun = lambda mm, dd: float(_static_residual(st, mm, dd, extra))
    else:
        fun = lambda mm, dd: float(_energy_residual(st, mm, dd)[0])
    hm = 1e-5 * (1 + abs(m))
    hd = 1e-5 * max(d, 1e-8)
    if d == 0.0:
        return mean_mode_slope(st, m, d, 0.0)
    dR_dm = (fun(m + hm, d) - fun(m - hm, d)) / (2 * hm)
    dR_dd = (fun(m, d + hd) - fun(m, max(d - hd, 0.0))) / (d + hd - max(d - hd, 0.0))
    dd_dm = -dR_dm / dR_dd if dR_dd != 0 else 0.0
    return mean_mode_slope(st, m, d, dd_dm)


def _trajectory(st: Stats, mu: float, D0: float, Dinf: float, n_tau: int, deg: int = 48) -> dict:
    r"""Integrate :math:`\Delta'' = -V'(\Delta)` from :math:`(\Delta_0, \Delta'(0^+))` and splice the tail."""
    net = st.net
    g2, s2 = net.g**2, net.sigma_I**2
    dom = [Dinf, D0]
    Cp = Chebyshev.interpolate(lambda D: st.C(mu, D0, D), deg, domain=dom)
    qp = Chebyshev.interpolate(lambda D: st.q(mu, D0, D), deg, domain=dom)
    fcheb = -Chebyshev.identity(domain=dom) + g2 * Cp + s2
    kappa = math.sqrt(max(1.0 - g2 * float(st.q(mu, D0, Dinf)), 0.0))
    out = newton_trajectory(fcheb, D0, Dinf, kappa)
    out["q"] = qp
    return out


def _default_h(net: RateNetwork, kappa: float) -> float:
    """Grid spacing of the Schroedinger problem: 0.04, or 0.1/kappa near the noise-free
    transition where Delta(tau) and the ground state vary on the scale 1/kappa."""
    if net.phi.kind not in ("tanh", "erf", "linear"):
        return 0.02  # kinked phi: q(tau) has a square-root cusp at 0 with noise
    if net.sigma_noise > 0.0 or kappa >= 0.1:
        return 0.04
    return 0.004 / max(kappa, 1e-8)


def _W(res: DMFTResult, qp: Any) -> Any:
    g2 = res.model.g**2

    def W(t: np.ndarray) -> np.ndarray:
        return g2 * qp(res.autocorrelation(t))

    return W


def schroedinger(
    res: DMFTResult, *, k: int = 2, h: float = 0.04, T: float | None = None
) -> SchroedingerSpectrum:
    r"""Lowest eigenvalues of :math:`H = -\partial_\tau^2 - g^2 q(\tau)` on a DMFT solution.

    :math:`\lambda_{max} = \sqrt{-E_0} - 1` (SCS 1988 eq. 10); for a noise-free chaotic state
    the first excited (odd) state is the translation mode :math:`\psi = \Delta'` with
    :math:`E_1 = -1` (see :mod:`rnmf.theory.dmft.lyapunov`).

    Parameters
    ----------
    res : DMFTResult
        A continuous-time solution with :math:`\Delta_\infty < \Delta_0`.
    k : int
        Number of eigenvalues.
    h : float
        Coarse grid spacing (levels h, h/2, h/4 with Richardson extrapolation).
    T : float, optional
        Initial half-length of the box (default: the splice point plus 30 decay lengths).
    """
    if not isinstance(res, DMFTResult) or res.time != "continuous":
        raise ValueError("schroedinger needs a continuous-time DMFTResult")
    if not res.Delta0 > res.Delta_inf:
        raise ValueError(
            "schroedinger needs a fluctuating state (Delta0 > Delta_inf); "
            "for a fixed point lambda_max = sqrt(chi) - 1"
        )
    if not (isinstance(k, int) and k >= 1):
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if not (h > 0 and math.isfinite(h)):
        raise ValueError(f"h must be a positive grid spacing, got {h!r}")
    st = Stats(res.model)
    qp = Chebyshev.interpolate(
        lambda D: st.q(res.mu, res.Delta0, D), 48, domain=[res.Delta_inf, res.Delta0]
    )
    W_inf = res.model.g**2 * float(st.q(res.mu, res.Delta0, res.Delta_inf))
    T0 = T if T is not None else max(40.0, res._tail_start + 30.0 / max(res.kappa, 1e-4))
    return lowest_eigenvalues(_W(res, qp), W_inf, k=k, h=h, T=T0)


def _solution(
    net: RateNetwork, st: Stats, state: dict, *, lyapunov: bool, n_tau: int, options: dict
) -> DMFTResult:
    g2 = net.g**2
    m, d, dinf = state["mu"], state["D0"], state["Dinf"]
    chi = g2 * float(st.d2(m, d))
    slope = _branch_slope(st, state, 0.0)
    base = dict(
        model=net,
        method="energy (SCS 1988) + Schroedinger" if lyapunov else "energy (SCS 1988)",
        options=options,
        mu=m,
        Delta0=d,
        Delta_inf=dinf,
        chi=chi,
        time="continuous",
    )
    if state["kind"] == "static":
        lam = math.sqrt(max(chi, 0.0)) - 1.0
        return DMFTResult(
            **base,
            regime="quiet" if d == 0.0 else "static",
            stable=bool(chi < 1.0 and slope < 0.0),
            lambda_max=lam,
            tau=np.zeros(1),
            Delta=np.array([d]),
            residual=abs(float(_static_residual(st, m, d))) + abs(float(mu_residual(st, m, d))),
        )
    tr = _trajectory(st, m, d, dinf, n_tau)
    R = float(_energy_residual(st, m, d)[0])
    tau = np.linspace(0.0, tr["tau_max"], n_tau)
    res = DMFTResult(
        **base,
        regime="chaotic",
        stable=bool(slope < 0.0),
        tau_corr=tr["tau_corr"],
        tau_int=tr["tau_int"],
        kappa=tr["kappa"],
        tau=tau,
        Delta=np.zeros(1),
        residual=abs(R) / max(d * d, 1e-300) + abs(float(mu_residual(st, m, d))),
        converged=tr["ok"],
        status=Status.CONVERGED if tr["ok"] else Status.INVALID,
        _interp=tr["interp"],
        _tail_start=tr["tail_start"],
    )
    res = replace(res, Delta=np.asarray(res.autocorrelation(tau)))
    lam = math.nan
    if lyapunov:
        W_inf = g2 * float(st.q(m, d, dinf))
        T0 = max(40.0, tr["tail_start"] + 30.0 / max(tr["kappa"], 1e-4))
        lam, spec = lyapunov_from_potential(
            _W(res, tr["q"]), W_inf, T=T0, h=_default_h(net, tr["kappa"])
        )
        if spec.error > 1e-6 * max(1.0, abs(spec.E[0])):
            res = replace(res, converged=False, status=Status.TOLERANCE)
    regime = "chaotic"
    if net.sigma_noise > 0.0 and not (lam > 0.0):
        regime = "noise-driven"
    return replace(res, lambda_max=lam, regime=regime)


def _order(sols: list[DMFTResult]) -> list[DMFTResult]:
    rank = {"chaotic": 0, "noise-driven": 0, "static": 1, "quiet": 2}
    return sorted(sols, key=lambda s: (not s.stable, rank.get(s.regime, 3), -s.mu, -s.Delta0))


def _solve_continuous(
    net: RateNetwork, *, tol: float, lyapunov: bool, raise_on_failure: bool, n_tau: int
) -> DMFTResult:
    st = Stats(net)
    options = {"tol": tol, "lyapunov": lyapunov, "n_tau": n_tau}
    states = find_states(net, st, tol=tol)
    sols = [_solution(net, st, s, lyapunov=lyapunov, n_tau=n_tau, options=options) for s in states]
    if not sols:
        empty = DMFTResult(
            model=net,
            method="energy (SCS 1988)",
            options=options,
            converged=False,
            status=Status.NO_SOLUTION,
            residual=math.inf,
        )
        if raise_on_failure:
            raise ConvergenceError(
                "no stationary DMFT solution found (for unbounded phi the activity may diverge: "
                "reduce g or J0)",
                empty,
            )
        return empty
    sols = _order(sols)
    main = with_solutions(sols[0], sols)
    return finish(main, raise_on_failure)


# ----------------------------------------------------------------------------------------
# public entry points
# ----------------------------------------------------------------------------------------
def solve(
    net: RateNetwork,
    *,
    tol: float = 1e-10,
    lyapunov: bool = True,
    raise_on_failure: bool = True,
    n_tau: int = 1001,
) -> DMFTResult:
    r"""Stationary DMFT of a random rate network: all coexisting states and their stability.

    Dispatches on ``net.time``: continuous time (this module; SCS 1988 eqs. 4-6,
    Schuecker et al. 2018 eq. 7) or the discrete-time map
    (:mod:`rnmf.theory.dmft.discrete`; Molgedey, Schuchhardt & Schuster 1992).

    Parameters
    ----------
    net : RateNetwork
        The network (N is ignored: N -> infinity).
    tol : float
        Relative tolerance of Delta0 and mu (> 0, < 1e-3).
    lyapunov : bool
        Compute the largest Lyapunov exponent (Schroedinger problem, SCS 1988 eq. 10).
    raise_on_failure : bool
        Raise :class:`rnmf.results.ConvergenceError` when no solution is found or a
        solution is not converged; with False the partial result is returned.
    n_tau : int
        Points of the returned lag grid ``tau`` (>= 2).

    Returns
    -------
    DMFTResult
        The attracting state (stable first, fluctuating before fixed points, larger mu
        first), with ``solutions`` holding every state found.

    Examples
    --------
    >>> from rnmf.models import RateNetwork
    >>> from rnmf.theory.dmft import solve
    >>> round(solve(RateNetwork(N=1000, g=2.0)).Delta0, 8)
    1.92480541
    """
    _check_net(net)
    if not (isinstance(tol, float | int) and 0 < tol < 1e-3):
        raise ValueError(f"tol must be a relative tolerance in (0, 1e-3), got {tol!r}")
    if isinstance(n_tau, bool) or not isinstance(n_tau, int) or n_tau < 2:
        raise ValueError(f"n_tau must be an integer >= 2, got {n_tau!r}")
    if net.discrete:
        from .discrete import solve_map

        return solve_map(net, tol=tol, raise_on_failure=raise_on_failure)
    return _solve_continuous(
        net, tol=float(tol), lyapunov=lyapunov, raise_on_failure=raise_on_failure, n_tau=n_tau
    )


def local_stability(net: RateNetwork) -> float:
    r""":math:`\chi = g^2\langle\phi'(\mu+\sqrt{\Delta_0}z)^2\rangle` on the main stationary state.

    :math:`\chi < 1` is local (linear) stability of a fixed point with the same
    statistics (circular law: bulk radius :math:`\sqrt{\chi}`); with noise, the
    transition to chaos lies above the line :math:`\chi = 1` (Schuecker, Goedeke &
    Helias 2018, PRX 8:041029, Fig. 2).
    """
    _check_net(net)
    return solve(net, lyapunov=False).chi


def transition(
    net: RateNetwork,
    *,
    param: str = "g",
    bracket: tuple[float, float] | None = None,
    xtol: float = 1e-7,
) -> float:
    r"""Critical value of a model field where :math:`\lambda_{max}` of the main state crosses zero.

    Without noise and input this is :math:`g_c = 1/\phi'(0)` (SCS 1988); with white
    noise it lies above the local-stability line (Schuecker et al. 2018 Fig. 2).

    Parameters
    ----------
    net : RateNetwork
        Template network; ``param`` is varied with :func:`dataclasses.replace`.
    param : str
        A float field of :class:`RateNetwork` (``"g"``, ``"sigma_noise"``, ``"I0"``, ...).
    bracket : (float, float), optional
        Interval with a sign change of lambda_max; default: scanned.
    xtol : float
        Absolute tolerance of the critical value.
    """
    _check_net(net)
    fields = ("g", "J0", "I0", "sigma_I", "sigma_noise")
    if param not in fields:
        raise ValueError(f"param must be one of {fields}, got {param!r}")

    def lam(v: float) -> float:
        r = solve(replace(net, **{param: float(v)}), raise_on_failure=False)
        return r.lambda_max

    if bracket is None:
        lo_default = 0.0 if param in ("sigma_I", "sigma_noise") else 0.05
        values = np.concatenate([[lo_default], np.geomspace(0.1, 10.0, 25)])
        if param in ("I0", "J0"):
            values = np.linspace(-5.0, 5.0, 41)
        lams = [lam(v) for v in values]
        bracket = None
        for i in range(len(values)):
            if lams[i] == 0.0:
                return float(values[i])
        for i in range(len(values) - 1):
            if np.isfinite(lams[i]) and np.isfinite(lams[i + 1]) and lams[i] * lams[i + 1] < 0:
                bracket = (float(values[i]), float(values[i + 1]))
                break
        if bracket is None:
            raise ValueError(
                f"lambda_max does not change sign for {param} in [{values[0]:g}, {values[-1]:g}]; "
                "pass bracket=(lo, hi)"
            )
    lo, hi = (float(b) for b in bracket)
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"bracket must be two finite numbers lo < hi, got {bracket!r}")
    flo, fhi = lam(lo), lam(hi)
    if flo == 0.0 or fhi == 0.0:
        return lo if flo == 0.0 else hi
    if not flo * fhi < 0:
        raise ValueError(
            f"lambda_max has the same sign at both ends of bracket {bracket} "
            f"({flo:.3g}, {fhi:.3g}); pass a bracket around the transition"
        )
    return float(optimize.brentq(lam, lo, hi, xtol=xtol))


def solve_grid(net: RateNetwork, *, lyapunov: bool = False, **arrays: Any) -> dict[str, np.ndarray]:
    r"""Main stationary DMFT state over broadcast parameter arrays (phase diagrams).

    Fast path, no Python loop per point: continuous time, odd ``phi`` (tanh, erf) and
    ``J0 = I0 = sigma_I = 0``.  Then :math:`\mu = 0`, the fluctuating state comes to rest
    on :math:`\Delta_\infty = 0` and the energy equation involves one-dimensional averages
    only (SCS 1988 eq. 7 with the noise kink of Schuecker et al. 2018 eq. 7),

    .. math:: \sigma^4/8 - \Delta_0^2/2 + g^2\big(\langle\Phi^2\rangle - \langle\Phi\rangle^2\big)_{\Delta_0} = 0,

    solved for all points at once by vectorised regula falsi (Illinois).  Without noise and
    for :math:`g\phi'(0) \le 1` the main state is quiet.  With ``lyapunov=True`` the largest
    Lyapunov exponent of every fluctuating state comes from
    :func:`rnmf.theory.dmft.lyapunov.lyapunov_odd` (the Schroedinger problem of SCS 1988
    eq. 10, all points at once; within ~3e-7 of :func:`solve`; 100 x 100 points in ~5 s on
    two cores, plus ~2 s once per process for the tanh table).  Every other network calls
    :func:`solve` per point (~0.1-0.3 s each).

    Parameters
    ----------
    net : RateNetwork
        Template; each keyword array replaces the field of that name.
    lyapunov : bool
        Also compute lambda_max and label noisy states by its sign.
    **arrays
        Fields ``g, J0, I0, sigma_I, sigma_noise`` as arrays, broadcast together.

    Returns
    -------
    dict
        ``mu, Delta0, Delta_inf, chi, lambda_max`` (float arrays, ``lambda_max`` NaN when
        not computed for fluctuating states) and ``regime`` (object array of str) with the
        broadcast shape.  On the fast path without ``lyapunov`` a noisy state with
        ``chi >= 1`` is labelled ``"unresolved"``: chaos needs ``lambda_max > 0``, which lies
        above ``chi = 1`` (Schuecker et al. 2018 Fig. 2); with ``chi < 1`` it is ``"noise-driven"``.
        With ``lyapunov=True`` the labels are ``"quiet"``, ``"chaotic"`` (``lambda_max > 0``)
        and ``"noise-driven"`` (noise, ``lambda_max <= 0``), as in :func:`solve`.

    Examples
    --------
    >>> import numpy as np
    >>> from rnmf.models import RateNetwork
    >>> G, S = np.meshgrid(np.linspace(0.5, 3, 100), np.linspace(0, 2, 100))
    >>> out = solve_grid(RateNetwork(N=1000, g=1.0), g=G, sigma_noise=S)
    >>> out["Delta0"].shape
    (100, 100)
    """
    _check_net(net)
    allowed = ("g", "J0", "I0", "sigma_I", "sigma_noise")
    if not arrays:
        raise ValueError(
            "solve_grid needs at least one parameter array, e.g. g=np.linspace(0, 3, 100)"
        )
    vals = {}
    for k, v in arrays.items():
        if k not in allowed:
            raise ValueError(f"solve_grid varies the fields {allowed}; got {k!r}")
        try:
            a = np.asarray(v, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{k} must be a real array: {exc}") from exc
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{k} contains NaN or infinite entries; pass finite values")
        if k in ("g", "sigma_I", "sigma_noise") and np.any(a < 0):
            raise ValueError(f"{k} must be >= 0, got min {a.min():g}")
        vals[k] = a
    try:
        bvals = dict(zip(vals, np.broadcast_arrays(*vals.values()), strict=True))
    except ValueError as exc:
        shapes = {k: v.shape for k, v in vals.items()}
        raise ValueError(f"parameter arrays do not broadcast: {shapes}") from exc
    shape = next(iter(bvals.values())).shape
    full = {k: np.broadcast_to(np.asarray(getattr(net, k), float), shape) for k in allowed}
    full.update(bvals)
    out = {
        "mu": np.zeros(shape),
        "Delta0": np.full(shape, np.nan),
        "Delta_inf": np.full(shape, np.nan),
        "chi": np.full(shape, np.nan),
        "lambda_max": np.full(shape, np.nan),
        "regime": np.full(shape, "", dtype=object),
    }
    if _fast_family(net, full):
        _grid_odd(
            net, np.array(full["g"], float), np.array(full["sigma_noise"], float), out, lyapunov
        )
        return out
    for idx in np.ndindex(shape):
        r = solve(
            replace(net, **{k: float(full[k][idx]) for k in allowed}),
            lyapunov=lyapunov,
            raise_on_failure=False,
        )
        for k in ("mu", "Delta0", "Delta_inf", "chi", "lambda_max"):
            out[k][idx] = getattr(r, k)
        out["regime"][idx] = r.regime
    return out


def _fast_family(net: RateNetwork, full: dict) -> bool:
    """Odd phi (tanh, erf) in continuous time without mean coupling or input: mu = Delta_inf = 0."""
    return (
        net.phi.kind in ("tanh", "erf")
        and not net.discrete
        and not np.any(full["J0"])
        and not np.any(full["I0"])
        and not np.any(full["sigma_I"])
    )


def _odd_delta0(net: RateNetwork, g: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Delta0 of the fluctuating state (1-D arrays g, s) and whether it exists."""
    g2 = g**2

    def R(D: np.ndarray, sel: np.ndarray) -> np.ndarray:
        # <Phi^2> - <Phi>^2 from one evaluation of Phi on the nodes
        z, w = nodes(None, dmax=float(D.max()))
        P = net.phi.primitive(np.sqrt(D)[:, None] * z)
        m1 = P @ w
        return s[sel] ** 4 / 8.0 - 0.5 * D * D + g2[sel] * ((P * P) @ w - m1 * m1)

    # |phi| <= 1: Delta0 <= g^2 + sigma^2/2 (see _dmax)
    hi = 1.02 * (g2 + s**2 / 2.0) + 1e-6
    lo = 1e-12 * hi
    allp = np.arange(g2.size)
    flo, fhi = R(lo, allp), R(hi, allp)
    has = (flo > 0) & (fhi < 0)
    idx = np.nonzero(has)[0]
    D0 = np.zeros(g2.size)
    if idx.size:
        D0[idx] = illinois(lambda D, sel: R(D, idx[sel]), lo[idx], hi[idx], flo[idx], fhi[idx])
    return D0, has


def _odd_lambda(
    net: RateNetwork, g: np.ndarray, s: np.ndarray, h: float = 0.1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """lambda_max, Delta0 and the fluctuating mask of the main state (fast family, 1-D arrays)."""
    D0, has = _odd_delta0(net, g, s)
    slope0 = float(net.phi.derivative(0.0))
    lam = np.sqrt(g**2) * abs(slope0) - 1.0
    if np.any(has):
        # the potential sharpens near tau = 0 as Delta0 grows: halve the step beyond 16
        hh = h if float(D0[has].max()) <= 16.0 else 0.5 * h
        lam[has] = lyapunov_odd(net.phi.kind, g[has], s[has], D0[has], h=hh)
    return lam, D0, has


def _grid_odd(
    net: RateNetwork, g: np.ndarray, sig: np.ndarray, out: dict, lyapunov: bool = False
) -> None:
    """Vectorised energy equation for odd phi without mean input (mu = Delta_inf = 0)."""
    st = Stats(net)
    g2 = g.ravel() ** 2
    s = sig.ravel()
    slope0 = float(net.phi.derivative(0.0))
    if lyapunov:
        lam, D0, has = _odd_lambda(net, g.ravel(), s)
    else:
        D0, has = _odd_delta0(net, g.ravel(), s)
        lam = np.where(has, np.nan, np.sqrt(g2) * abs(slope0) - 1.0)
    chi = np.where(has, g2 * expect(st.dphi2, 0.0, D0), g2 * slope0**2)
    if lyapunov:
        noisy = np.where(lam > 0.0, "chaotic", "noise-driven")
    else:
        noisy = np.where(chi < 1.0, "noise-driven", "unresolved")
    regime = np.where(has, np.where(s > 0, noisy, "chaotic"), "quiet")
    shape = g.shape
    out["Delta0"][...] = D0.reshape(shape)
    out["Delta_inf"][...] = 0.0
    out["chi"][...] = chi.reshape(shape)
    out["lambda_max"][...] = lam.reshape(shape)
    out["regime"][...] = regime.astype(object).reshape(shape)


def transition_curve(
    net: RateNetwork,
    *,
    param: str = "g",
    along: str = "sigma_noise",
    values: Any,
    bracket: tuple[float, float] | None = None,
    xtol: float = 1e-7,
) -> np.ndarray:
    r"""Critical value of ``param`` (where :math:`\lambda_{max}` crosses zero) for each value of ``along``.

    The phase boundary of :func:`transition` as a curve, e.g. :math:`g_c(\sigma)` of the
    transition to chaos with white noise (Schuecker, Goedeke & Helias 2018, PRX 8:041029,
    Fig. 2).  Fast path (odd ``phi`` tanh/erf, continuous time, ``J0 = I0 = sigma_I = 0``,
    ``param`` and ``along`` the fields ``"g"`` and ``"sigma_noise"``): all values at once, by
    vectorised Illinois regula falsi on :math:`\lambda_{max}` from
    :func:`rnmf.theory.dmft.lyapunov.lyapunov_odd` (agrees with :func:`transition` to ~1e-6).
    Otherwise :func:`transition` is called per value.

    Parameters
    ----------
    net : RateNetwork
        Template network.
    param : str
        The field that crosses the transition (a float field, as in :func:`transition`).
    along : str
        The field that parametrises the curve (another float field).
    values : array_like
        Values of ``along`` (1-D, finite; >= 0 for ``g``, ``sigma_I``, ``sigma_noise``).
    bracket : (float, float), optional
        Interval of ``param`` with a sign change of lambda_max for every value; default:
        scanned per value as in :func:`transition`.
    xtol : float
        Absolute tolerance of the critical values (> 0).

    Returns
    -------
    ndarray
        The critical ``param`` per value; NaN where lambda_max does not change sign in the
        scanned range or the bracket.

    Examples
    --------
    >>> import numpy as np
    >>> from rnmf.models import RateNetwork
    >>> gc = transition_curve(RateNetwork(N=1000, g=1.0), values=np.array([0.0, 1.0]))
    >>> bool(abs(gc[0] - 1.0) < 1e-6 and gc[1] > 1.5)
    True
    """
    _check_net(net)
    fields = ("g", "J0", "I0", "sigma_I", "sigma_noise")
    if param not in fields or along not in fields:
        raise ValueError(f"param and along must be fields among {fields}, got {param!r}, {along!r}")
    if param == along:
        raise ValueError(f"param and along must differ, got {param!r} twice")
    try:
        v = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"values must be a real 1-D array: {exc}") from exc
    if v.ndim != 1 or v.size == 0:
        raise ValueError(f"values must be a non-empty 1-D array, got shape {v.shape}")
    if not np.all(np.isfinite(v)):
        raise ValueError("values contain NaN or infinite entries; pass finite values")
    if along in ("g", "sigma_I", "sigma_noise") and np.any(v < 0):
        raise ValueError(f"{along} must be >= 0, got min {v.min():g}")
    if not (isinstance(xtol, float | int) and math.isfinite(xtol) and xtol > 0):
        raise ValueError(f"xtol must be a positive tolerance, got {xtol!r}")
    if bracket is not None:
        lo, hi = (float(b) for b in bracket)
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError(f"bracket must be two finite numbers lo < hi, got {bracket!r}")
    full = {k: np.asarray(getattr(net, k), float) for k in fields}
    if not (_fast_family(net, full) and {param, along} == {"g", "sigma_noise"}):
        out = np.full(v.size, np.nan)
        for i, x in enumerate(v):
            try:
                out[i] = transition(
                    replace(net, **{along: float(x)}), param=param, bracket=bracket, xtol=xtol
                )
            except ValueError:
                out[i] = math.nan  # no sign change for this value
        return out

    def lam(p: np.ndarray, a: np.ndarray) -> np.ndarray:
        g, s = (p, a) if param == "g" else (a, p)
        return _odd_lambda(net, g, s, h=0.05)[0]

    n = v.size
    if bracket is None:
        lo_default = 0.0 if param == "sigma_noise" else 0.05
        scan = np.concatenate([[lo_default], np.geomspace(0.1, 10.0, 25)])
    else:
        scan = np.array([lo, hi])
    out = np.full(n, np.nan)
    a = np.full(n, np.nan)
    b = np.full(n, np.nan)
    fa = np.full(n, np.nan)
    fb = np.full(n, np.nan)
    # scan in two blocks (the second, large values, only for rows without a sign change yet)
    cut = min(scan.size, 19)
    todo = np.arange(n)
    for cols in (np.arange(cut), np.arange(max(cut - 1, 0), scan.size)):
        if todo.size == 0 or cols.size < 2:
            continue
        sc = scan[cols]
        Pm = np.broadcast_to(sc, (todo.size, sc.size))
        L = lam(Pm.ravel(), np.repeat(v[todo], sc.size)).reshape(todo.size, sc.size)
        left = []
        for r, i in enumerate(todo):
            z = np.nonzero(L[r] == 0.0)[0]
            ch = np.nonzero(L[r, :-1] * L[r, 1:] < 0)[0]
            if z.size and (not ch.size or z[0] <= ch[0]):
                out[i] = sc[z[0]]
            elif ch.size:
                j = ch[0]
                a[i], b[i], fa[i], fb[i] = sc[j], sc[j + 1], L[r, j], L[r, j + 1]
            else:
                left.append(i)
        todo = np.array(left, dtype=int)
    idx = np.nonzero(np.isfinite(a))[0]
    if idx.size:
        rel = 0.1 * xtol / (1.0 + float(np.max(b[idx])))
        out[idx] = illinois(
            lambda x, sel: lam(x, v[idx[sel]]), a[idx], b[idx], fa[idx], fb[idx], xtol=rel
        )
    return out
