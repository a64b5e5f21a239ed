r"""E-I threshold-linear networks with fixed in-degree (Mastrogiuseppe & Ostojic 2017).

Network (PLoS Comput Biol 13:e1005498, Sec. "Model"): :math:`N_E = f N` excitatory and
:math:`N_I = (1 - f)N` inhibitory threshold-linear units, :math:`\phi(x) = [x - \theta]_+`;
every unit receives exactly :math:`C_E = C` excitatory inputs of weight J and
:math:`C_I = \gamma C` inhibitory inputs of weight :math:`-gJ`, and a constant input
:math:`I`.  Rows are statistically identical, so E and I units share one mean-field
solution (Sec. "Mean-field theory"):

.. math::
    \mu = J C(1 - g\gamma)\,[\phi] + I,\qquad
    \Delta_0 = J^2 C\,(c_E + g^2\gamma c_I)\,([\phi^2] - [\phi]^2)

(for the static state; the fluctuating state replaces the second equation by the Newton
problem of :mod:`rnmf.theory.dmft.populations`), with the finite-size factors
:math:`c_b = 1 - C_b/N_b` of drawing distinct inputs (1 in the sparse limit).  The fixed
point loses stability when the bulk of the Jacobian crosses 1,

.. math:: J^2 C\,(c_E + g^2\gamma c_I)\,[\phi'^2] = 1,\qquad [\phi'^2] = \Pr(x > \theta)
          = \Phi\big((\mu - \theta)/\sqrt{\Delta_0}\big),

which defines the critical coupling :math:`J_c(C, g)` (:func:`critical_coupling`).  Without
input heterogeneity the fixed point is homogeneous (:math:`\Delta_0 = 0`: every unit gets the
same mean input), so for :math:`I > \theta` (all units active)
:math:`J_c = 1/\sqrt{C(c_E + g^2\gamma c_I)}`, and for :math:`I \le \theta` the silent state is
stable at every J.  Above :math:`J_c` the
activity fluctuates chaotically, and for strong coupling the unbounded threshold-linear
activity runs away (:func:`solve_ei` reports ``Status.UNBOUNDED``).  Here
:math:`[\cdot]` is the Gaussian average over :math:`x = \mu + \sqrt{\Delta_0}z`.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from scipy.optimize import brentq
from scipy.special import ndtr

from rnmf.models import RatePopulationNetwork
from rnmf.results import ConvergenceError, Status
from rnmf.transfer import Transfer

from .populations import PopulationDMFTResult, solve_populations

__all__ = ["critical_coupling", "ei_network", "relu_moments", "runaway", "solve_ei"]


def ei_network(
    N: int, C: int, g: float, J: float, *, gamma: float = 0.25, f: float = 0.8, I0: float = 1.0,
    theta: float = 0.0, tau: float = 1.0,
) -> RatePopulationNetwork:  # fmt: skip
    """The fixed in-degree E-I threshold-linear network of Mastrogiuseppe & Ostojic 2017.

    ``C`` excitatory and ``round(gamma * C)`` inhibitory inputs per unit, weights ``J`` and
    ``-g J``, Dale's law, ``phi = relu(theta)``, fractions ``(f, 1 - f)``.
    """
    CI = int(round(gamma * C))
    return RatePopulationNetwork(
        N=N, fractions=(f, 1.0 - f), connectivity="fixed_indegree", K=[[C, CI], [C, CI]],
        J=[[J, -g * J], [J, -g * J]], dale=True, phi=Transfer("relu", theta=theta), tau=tau,
        I0=I0,
    )  # fmt: skip


def relu_moments(mu: np.ndarray | float, D: np.ndarray | float, theta: float = 0.0) -> tuple:
    r"""Closed-form Gaussian moments of :math:`[x - \theta]_+`, :math:`x \sim N(\mu, D)`.

    With :math:`u = (\mu - \theta)/\sqrt D`: :math:`[\phi] = \sqrt D(u\Phi(u) + \varphi(u))`,
    :math:`[\phi^2] = D((1 + u^2)\Phi(u) + u\varphi(u))`, :math:`[\phi'^2] = \Phi(u)`.
    Returns ``(m1, m2, d2)``.
    """
    mu, D = np.broadcast_arrays(np.asarray(mu, float), np.asarray(D, float))
    pos = D > 0
    s = np.sqrt(np.where(pos, D, 1.0))
    u = np.where(pos, (mu - theta) / s, 0.0)
    pdf = np.exp(-0.5 * u * u) / math.sqrt(2 * math.pi)
    cdf = ndtr(u)
    r0 = np.maximum(mu - theta, 0.0)  # D = 0: no spread
    m1 = np.where(pos, s * (u * cdf + pdf), r0)
    m2 = np.where(pos, D * ((1 + u * u) * cdf + u * pdf), r0**2)
    d2 = np.where(pos, cdf, (mu > theta).astype(float))
    return m1, m2, d2


def _mean(a: float, D: float, I0: float, theta: float) -> float | None:
    """Root mu of mu - a [phi](mu, D) - I0 (unique for a < 1: the left side increases)."""

    def r(mu: float) -> float:
        return mu - a * float(relu_moments(mu, D, theta)[0]) - I0

    lo, hi = -1.0, 1.0
    for _ in range(80):
        if r(lo) < 0 < r(hi):
            return float(brentq(r, lo, hi, xtol=1e-15, rtol=1e-15))
        lo, hi = 2 * lo, 2 * hi
    return None


def _static(a: float, b: float, I0: float, theta: float) -> tuple[float, float] | None:
    """Static fixed point (mu, D): mu from the mean equation, D = b([phi^2] - [phi]^2)
    iterated from D = 0 (the lowest root; monotone map).  None when the mean equation has no
    root (a >= 1 and the excitation runs away) or D grows without bound."""
    D = 0.0
    mu = _mean(a, D, I0, theta)
    for _ in range(5000):
        if mu is None:
            return None
        m1, m2, _ = relu_moments(mu, D, theta)
        D_n = b * float(m2 - m1**2)
        if not np.isfinite(D_n) or D_n > 1e24:
            return None
        if abs(D_n - D) <= 1e-15 * max(1.0, D):
            return mu, D_n
        D = D_n
        mu = _mean(a, D, I0, theta)
    return None


def _coefficients(net: RatePopulationNetwork) -> tuple[float, float]:
    Jbar, G, _ = net.block_statistics()
    if not (np.allclose(Jbar[0], Jbar[1]) and np.allclose(G[0], G[1])):
        raise ValueError("the E and I rows of the network differ: use solve_populations")
    return float(Jbar[0].sum()), float(G[0].sum())


def critical_coupling(
    C: int, g: float, *, gamma: float = 0.25, f: float = 0.8, I0: float = 1.0, theta: float = 0.0,
    N: int | None = None, bracket: tuple[float, float] = (1e-4, 10.0),
) -> float:  # fmt: skip
    r"""Critical coupling :math:`J_c(C, g)` where the static state turns unstable.

    Solves :math:`J^2 C(c_E + g^2\gamma c_I)\Phi(u) = 1` along the static fixed point
    (module docstring; Mastrogiuseppe & Ostojic 2017, Sec. "Transition to chaos").
    ``N=None`` is the sparse limit (:math:`c_b = 1`); an int N uses :math:`c_b = 1 - C_b/N_b`.
    Raises :class:`~rnmf.results.ConvergenceError` if no onset lies in ``bracket``.
    """
    CI = int(round(gamma * C))
    cE = 1.0 if N is None else 1.0 - C / (f * N)
    cI = 1.0 if N is None else 1.0 - CI / ((1.0 - f) * N)

    def h(J: float) -> float:
        a = J * (C - g * CI)
        b = J**2 * (C * cE + g**2 * CI * cI)
        st = _static(a, b, I0, theta)
        if st is None:
            return math.inf
        _, _, d2 = relu_moments(st[0], st[1], theta)
        return b * float(d2) - 1.0

    lo, hi = bracket
    if not h(lo) < 0:
        raise ConvergenceError(
            f"critical_coupling: the static state is already unstable at J = {lo:g}"
        )
    # the static state may cease to exist before J_c (runaway): find the last J with a state
    if not h(hi) > 0:
        raise ConvergenceError(
            f"critical_coupling: no onset below J = {hi:g} (with I0 <= theta the silent state is "
            "stable at every J; otherwise widen bracket)"
        )
    return float(
        brentq(lambda J: h(J) if np.isfinite(h(J)) else 1.0, lo, hi, xtol=1e-14, rtol=1e-14)
    )


def runaway(net: RatePopulationNetwork) -> bool:
    r"""Whether the activity diverges from large initial conditions.

    At large amplitude the threshold and input are negligible and relu is homogeneous of
    degree 1, so :math:`(\mu, \sqrt{\Delta_0})` scale together; the static map
    :math:`(\mu, \Delta) \mapsto (a[\phi] + I,\ b([\phi^2] - [\phi]^2))` iterated from
    :math:`\Delta = 10^8` keeps (or grows) its amplitude when the recurrent gain exceeds the
    leak: then no bound stops the activity (the strong-coupling regime of Mastrogiuseppe &
    Ostojic 2017 without saturation).
    """
    a, b = _coefficients(net)
    theta = net.phi[0].theta
    mu, D = 0.0, 1e8
    for _ in range(400):
        m1, m2, _ = relu_moments(mu, D, theta)
        mu, D = a * float(m1) + net.I0[0], b * float(m2 - m1**2)
        if D > 1e16 or abs(mu) > 1e8 * 1e4:
            return True
        if D < 1e6 and abs(mu) < 1e6:
            return False
    return D > 1e7


def solve_ei(
    net: RatePopulationNetwork, *, raise_on_failure: bool = True, **kwargs
) -> PopulationDMFTResult:
    """Stationary DMFT of an E-I threshold-linear network, with the runaway regime flagged.

    Calls :func:`~rnmf.theory.dmft.populations.solve_populations`; when :func:`runaway` says
    the activity diverges from large amplitude and no fixed point is stable (a bounded
    fluctuating state is then not searched: the activity is taken to run away), the result has
    ``regime="unbounded"`` and ``status = Status.UNBOUNDED`` (raised as
    :class:`~rnmf.results.ConvergenceError` unless ``raise_on_failure=False``).
    """
    if any(p.kind != "relu" for p in net.phi):
        raise ValueError("solve_ei needs threshold-linear units (phi = 'relu')")
    run = runaway(net)
    # a runaway network: only a stable fixed point can hold the activity (searched first);
    # otherwise the fluctuating state is searched as usual
    res = solve_populations(net, raise_on_failure=False, fluctuating=not run, **kwargs)
    if res.converged:
        return res
    if run:
        res = replace(res, status=Status.UNBOUNDED, regime="unbounded",
                      Delta0=np.full(net.P, np.inf))  # fmt: skip
        if raise_on_failure:
            raise ConvergenceError(
                "solve_ei: no bounded stationary state: the threshold-linear activity runs away "
                "(recurrent excitation beats the leak at large amplitude); reduce J or C, raise g, "
                "or pass raise_on_failure=False",
                res,
            )
        return res
    if raise_on_failure:
        raise ConvergenceError("solve_ei: no stable stationary state found", res)
    return res
