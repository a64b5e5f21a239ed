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

from rnmf.models import RateNetwork
from rnmf.results import ConvergenceError, Status, finish

from ._common import DMFTResult, Stats, mu_residual, newton_trajectory, with_solutions
from .discrete import solve_map
from .lyapunov import SchroedingerSpectrum, lowest_eigenvalues, lyapunov_from_potential
from .states import _branch_slope, _check_net, _energy_residual, _static_residual, find_states

__all__ = [
    "DMFTResult",
    "local_stability",
    "potential",
    "schroedinger",
    "solve",
]


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


# ----------------------------------------------------------------------------------------
# building one solution
# ----------------------------------------------------------------------------------------
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
