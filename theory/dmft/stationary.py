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

Stability.  Fixed points: :math:`\chi < 1` (on a kink of ``phi`` the directional value,
see :func:`rnmf.theory.dmft.states._quiet_slopes`) and a decaying mean mode.  Fluctuating
states are also tested against a change of their amplitude.  Write the energy residual
along the mean branch as :math:`R(\Delta_0) = \sigma^4/8 + V(\Delta_0) - V(\Delta_\infty)`:
it is the energy with which the particle released at :math:`\Delta_0` arrives on the
hilltop.  :math:`R > 0` means that the self-generated input :math:`g^2C_\phi` sustains
more variance than :math:`\Delta_0` (the orbit overshoots the hilltop: correlations do not
decay to a stationary value and the variance grows); :math:`R < 0` that it sustains less
(the variance shrinks).  The amplitude therefore relaxes back to a root where
:math:`R` decreases through zero and runs away from one where it increases:
stable iff :math:`dR/d\Delta_0 < 0` — the slope criterion of the self-consistency
:math:`\Delta_0 \mapsto \Delta_0 + R` iterated as in Mastrogiuseppe & Ostojic 2017
(PLoS Comput Biol 13:e1005498, Sec. Methods) and, for fixed points of relu, the same as
:math:`\chi < 1` (there :math:`d/d\Delta_0` of the static residual is :math:`\chi - 1`).
For tanh the noise-free chaotic state has :math:`R > 0` below it (:math:`R \approx
(g^2-1)\Delta_0^2/2` at small amplitude) and :math:`R < 0` above: stable.  For relu with
threshold 0.5 at g = 2, :math:`R < 0` below the fluctuating state at
:math:`\Delta_0 = 1.61` (units below threshold are silent) and :math:`R \sim
\Delta_0^2 (g^2/2 - 1)\cdot c > 0` above (the homogeneous large-amplitude limit): unstable.
Checked in simulation (N = 800, :math:`x_0 \sim N(0, 8)`): after 2 tau the variance is
1.3 in one network, which then decays to 0, and 2.2 in another, which grows to 1e18; from
:math:`x_0 \sim N(0, 0.8)` every network decays and from :math:`N(0, 64)` every network
diverges (:func:`rnmf.validate.rate.unbounded_checks`).  A network whose mean or variance
equation still has no upper root at :math:`\Delta_0 = 10^8` (unbounded ``phi``: relu above
:math:`g = \sqrt2`, linear above g = 1, supralinear ``phi`` at any g) diverges from large
initial conditions: ``bounded = False``, and without a stable state the regime is
``"unbounded"``.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.polynomial import Chebyshev

from rnmf._checks import check_array, check_bool, check_finite, check_int, check_nonnegative
from rnmf.models import RateNetwork
from rnmf.results import ConvergenceError, Status, finish

from ..gaussian import expect2
from ._common import (
    DMFTResult,
    Stats,
    _order,
    check_memory,
    check_tol,
    mu_residual,
    newton_trajectory,
    unbounded_result,
    with_solutions,
)
from .discrete import solve_map
from .lyapunov import (
    SchroedingerSpectrum,
    lowest_eigenvalues,
    lyapunov_from_potential,
    lyapunov_odd,
)
from .states import (
    _amplitude_slope,
    _branch_slope,
    _check_net,
    _energy_residual,
    _quiet_slopes,
    _static_residual,
    check_mean_scale,
    check_resolved,
    find_states,
)

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
    D0 = check_nonnegative("Delta0", Delta0)
    m = net.I0 if mu is None else check_finite("mu", mu)
    D = check_array("Delta", Delta)
    if np.ndim(Delta) == 0:
        D = D.reshape(())  # check_array returns at least 1-D
    if D.size and not float(np.max(np.abs(D))) <= D0 * (1.0 + 1e-12):
        raise ValueError(
            f"Delta must lie in [-Delta0, Delta0] = [{-D0:g}, {D0:g}] (a covariance is bounded "
            f"by the variance Delta0), got max |Delta| = {float(np.max(np.abs(D))):g}"
        )
    D = np.clip(D, -D0, D0)
    st = Stats(net)
    out = -0.5 * D * D + net.g**2 * st.F(m, D0, D) + net.sigma_I**2 * D
    return float(out) if np.ndim(out) == 0 else out


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
    kappa = math.sqrt(max(_one_minus_g2q(st, mu, D0, Dinf), 0.0))
    out = newton_trajectory(fcheb, D0, Dinf, kappa)
    out["q"] = qp
    return out


def _one_minus_g2q(st: Stats, mu: float, D0: float, Dinf: float) -> float:
    r"""Squared tail rate :math:`\kappa^2 = 1 - g^2 q(\Delta_\infty)` (SCS 1988 eq. 9 at large lag).

    Near the transition (g -> 1, small :math:`\Delta_0`) :math:`g^2 q \to 1` and the plain
    difference keeps ~1e-16 absolute, i.e. a relative error 3e-4 of :math:`\kappa^2 = 3e-13`
    at g = 1 + 1e-6.  For tanh, with :math:`t = \tanh x` and :math:`\phi' = 1 - t^2`,
    :math:`1 - \phi'_1\phi'_2 = t_1^2 + t_2^2 - t_1^2t_2^2`, so
    :math:`\kappa^2 = (1 - g)(1 + g) + g^2(2\langle t^2\rangle - \langle t_1^2t_2^2\rangle)`
    with no cancellation inside the averages.
    """
    g = st.net.g
    if st.net.phi.kind != "tanh":
        return 1.0 - g * g * float(st.q(mu, D0, Dinf))
    m2 = float(st.m2(mu, D0))
    t4 = float(expect2(st.phi2, st.phi2, mu, D0, Dinf))
    return (1.0 - g) * (1.0 + g) + g * g * (2.0 * m2 - t4)


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
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    h = check_finite("h", h)
    if not h > 0:
        raise ValueError(f"h must be a positive grid spacing, got {h!r}")
    if T is not None:
        T = check_finite("T", T)
        if not T > 0:
            raise ValueError(f"T must be a positive box half-length, got {T!r}")
    box = T if T is not None else 40.0
    if not h <= box / 8.0:
        raise ValueError(
            f"h = {h:g} must resolve the box of half-length T = {box:g}: pass h <= T / 8"
        )
    n_fine = 2.0 * box / (h / 4.0)
    if k > n_fine / 8.0:
        raise ValueError(
            f"k = {k} eigenvalues exceed what the grid resolves (~{n_fine / 8.0:.0f} for h = "
            f"{h:g}, T = {box:g}); pass a smaller k"
        )
    # finest level h/4 on [-T, T]: ~8 float64 arrays of 2 T / (h / 4) points
    check_memory("h and T", (h, box), 8 * 8.0 * n_fine, hint="Pass a larger h or a smaller T.")
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
        if d == 0.0:
            chi, slope = _quiet_slopes(st, m)
            base["chi"] = chi
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
    amp = _amplitude_slope(st, state)
    res = DMFTResult(
        **base,
        regime="chaotic",
        stable=bool(slope < 0.0 and amp < 0.0),
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
    if lyapunov and 0.0 < tr["kappa"] < _KAPPA_SCALED and net.sigma_noise == 0.0:
        lam, err = _lyapunov_scaled(res, tr)
        if err > 1e-6:
            res = replace(res, converged=False, status=Status.TOLERANCE)
    elif lyapunov and _odd_family(net) and d > 16.0:
        # large Delta0 (strong noise or coupling): q(tau) is sharp near tau = 0 and the
        # finite-difference box needs ~1e6 points; the vectorised shooting of lyapunov_odd
        # (same Schroedinger problem, orbit in closed form) converges at h ~ 0.01
        lam2, lam4 = (
            float(lyapunov_odd(net.phi.kind, net.g, net.sigma_noise, d, h=hh))
            for hh in (0.025, 0.0125)
        )
        lam = lam4
        if abs(lam4 - lam2) > 1e-6 * max(1.0, abs(lam4)):
            res = replace(res, converged=False, status=Status.TOLERANCE)
    elif lyapunov:
        W_inf = g2 * float(st.q(m, d, dinf))
        T0 = max(40.0, tr["tail_start"] + 30.0 / max(tr["kappa"], 1e-4))
        h = _default_h(net, tr["kappa"])
        # large Delta0 (strong noise or coupling) sharpens q(tau) near 0: refine the grid
        # until the Richardson error estimate meets the tolerance (at most 3 halvings)
        for _ in range(4):
            lam, spec = lyapunov_from_potential(_W(res, tr["q"]), W_inf, T=T0, h=h)
            if spec.error <= 1e-6 * max(1.0, abs(spec.E[0])):
                break
            h *= 0.5
        else:
            res = replace(res, converged=False, status=Status.TOLERANCE)
    regime = "chaotic"
    if net.sigma_noise > 0.0 and not (lam > 0.0):
        regime = "noise-driven"
    return replace(res, lambda_max=lam, regime=regime)


#: quiet states with 1 < chi < 1 + _CHI_CRITICAL: the bifurcating fluctuating state is
#: not resolved in double precision (g = 1 + 6e-7 for tanh is the first failure)
_CHI_CRITICAL = 1.5e-6


def _odd_family(net: RateNetwork) -> bool:
    """tanh/erf without mean coupling or input, continuous time: mu = Delta_inf = 0."""
    return (
        net.phi.kind in ("tanh", "erf")
        and not net.discrete
        and net.J0 == 0.0
        and net.I0 == 0.0
        and net.sigma_I == 0.0
    )


#: below this tail rate kappa (near the transition) the Schroedinger problem is solved in
#: the scaled lag s = kappa tau (see _lyapunov_scaled)
_KAPPA_SCALED = 0.05


def _lyapunov_scaled(res: DMFTResult, tr: dict) -> tuple[float, float]:
    r"""lambda_max of a noise-free state near the transition, in the scaled lag :math:`s = \kappa\tau`.

    With :math:`W_\infty = g^2 q(\Delta_\infty) = 1 - \kappa^2` (the tail rate of
    :math:`\Delta`), :math:`H\psi = E\psi` (SCS 1988 eq. 10) becomes
    :math:`-\psi_{ss} - \tilde W(s)\psi = \tilde E\psi` with
    :math:`\tilde W = g^2[q(\Delta(s/\kappa)) - q(\Delta_\infty)]/\kappa^2` and
    :math:`E = \kappa^2\tilde E - W_\infty`, an O(1) problem on an O(1) box, whereas in
    :math:`\tau` the bound state extends over :math:`1/\kappa \sim 1/(g-1)`.  Then
    :math:`\lambda = \sqrt{-E} - 1 = \kappa^2(-\tilde E - 1)/(\sqrt{-E} + 1)` without
    cancellation.  (For tanh near g = 1 the orbit is :math:`\Delta_0\operatorname{sech}(s)`,
    :math:`\tilde W = 6\operatorname{sech}^2 s` (Poeschl-Teller), :math:`\tilde E_0 = -4`,
    :math:`\lambda \approx 3\kappa^2/2`.)  Returns lambda_max and the error estimate of
    :math:`\tilde E_0`.
    """
    g2 = res.model.g**2
    k = float(tr["kappa"])
    k2 = k * k
    qp = tr["q"]
    q_inf = float(qp(res.Delta_inf))

    def Wt(s: np.ndarray) -> np.ndarray:
        return g2 * (qp(res.autocorrelation(s / k)) - q_inf) / k2

    spec = lowest_eigenvalues(Wt, 0.0, k=1, h=0.04, T=max(40.0, tr["tail_start"] * k + 30.0))
    Et = min(float(spec.E[0]), 0.0)
    a = k2 * (-Et - 1.0)  # -E - 1
    lam = a / (math.sqrt(max(1.0 + a, 0.0)) + 1.0)
    return lam, spec.error / max(1.0, abs(Et))


def _solve_continuous(
    net: RateNetwork, *, tol: float, lyapunov: bool, raise_on_failure: bool, n_tau: int
) -> DMFTResult:
    st = Stats(net)
    options = {"tol": tol, "lyapunov": lyapunov, "n_tau": n_tau}
    states, bounded = find_states(net, st, tol=tol)
    sols = [_solution(net, st, s, lyapunov=lyapunov, n_tau=n_tau, options=options) for s in states]
    if not bounded:
        return unbounded_result(net, sols, "energy (SCS 1988)", options, raise_on_failure)
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
    crit = [x for x in sols if x.regime == "quiet" and 1.0 < x.chi < 1.0 + _CHI_CRITICAL]
    if crit and net.sigma_noise == 0.0 and net.sigma_I == 0.0:
        # the fluctuating state that bifurcates from the quiet one has Delta0 ~ chi - 1 and
        # an energy residual ~ Delta0^2 (chi - 1): below the resolution of double precision
        main = replace(main, converged=False, status=Status.TOLERANCE)
        if raise_on_failure:
            raise ConvergenceError(
                f"g = {net.g!r} lies within chi - 1 = {crit[0].chi - 1.0:.3g} of the transition "
                f"to chaos (chi = g^2 phi'(mu)^2 = 1 at the quiet state): the fluctuating state "
                "there (Delta0 ~ chi - 1, correlation time ~ 1/(chi - 1)) cannot be resolved in "
                f"double precision below chi - 1 = {_CHI_CRITICAL:g}; the partial result is in "
                ".result (pass raise_on_failure=False to get it)",
                main,
            )
        return main
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
        Raise :class:`rnmf.results.ConvergenceError` when no solution is found, a
        solution is not converged, the network has no bounded stable state (unbounded
        ``phi``: regime ``"unbounded"``) or ``g`` lies within ``chi - 1 < 1.5e-6`` of the
        transition to chaos (not resolvable in double precision); with False the partial
        result is returned.
    n_tau : int
        Points of the returned lag grid ``tau`` (>= 2; refused up front with the memory
        estimate when its arrays would not fit).

    Raises
    ------
    ValueError
        For a bad argument (the message names it); for a saturating ``phi`` (tanh, erf,
        custom) whose variance scale :math:`g^2 + \sigma_I^2 + \sigma^2/2` exceeds
        :data:`rnmf.theory.dmft.states.D_RESOLVED` (9000: g <~ 95 without noise), where the
        Gaussian averages are not resolved in double precision (g = 500 found only the
        unstable static state); for :math:`|J_0|` or :math:`|I_0|` above 1e100.

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
    tol = check_tol(tol)
    lyapunov = check_bool("lyapunov", lyapunov)
    raise_on_failure = check_bool("raise_on_failure", raise_on_failure)
    n_tau = check_int("n_tau", n_tau, minimum=2)
    # tau, Delta and ~8 temporaries of the autocorrelation evaluation, float64 each
    check_memory("n_tau", n_tau, 10 * 8.0 * n_tau)
    check_resolved(
        net.phi.kind,
        net.g,
        net.sigma_I,
        net.sigma_noise,
        discrete=net.discrete,
        prefix="RateNetwork: ",
    )
    check_mean_scale(net.J0, net.I0, prefix="RateNetwork: ")
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
