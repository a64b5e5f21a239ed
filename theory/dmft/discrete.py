r"""Stationary mean-field theory of the discrete-time random map.

Model (:class:`rnmf.models.RateNetwork` with ``time="discrete"``):
:math:`x_i(t+1) = \sum_j J_{ij}\phi(x_j(t)) + I_i + \sigma\xi_i(t)`,
:math:`J_{ij} \sim N(J_0/N, g^2/N)`, :math:`I_i = I_0 + \sigma_I\eta_i`.

For :math:`N \to \infty` the field is Gaussian with (Molgedey, Schuchhardt & Schuster
1992, PRL 69:3717, eqs. 2-4; Cessac, Doyon, Quoy & Samuelides 1994, Physica D 74:24)

.. math::
    \mu &= J_0\langle\phi(\mu + \sqrt{q}z)\rangle + I_0, \\
    q &= g^2\langle\phi(\mu + \sqrt{q}z)^2\rangle + \sigma_I^2 + \sigma^2, \\
    \Delta(t+1, s+1) &= g^2 C_\phi(\Delta(t, s); q, \mu) + \sigma_I^2 \quad (t \ne s).

The last line is the *two-time correlation map* :math:`M(\Delta)` (Derrida & Pomeau
1986; Poole et al. 2016, NeurIPS, eq. 5 for the layer-to-layer version): it carries the
correlation of two times forward at a fixed lag.  In the stationary state every lag
:math:`k \ge 1` is therefore a fixed point of :math:`M`, the stable one reached from
:math:`\Delta(0) = q`: :math:`\Delta(k) = q` if :math:`q` itself is stable
(:math:`M'(q) = \chi = g^2\langle\phi'^2\rangle < 1`, no noise: a fixed point of the network)
and otherwise the smallest fixed point :math:`\Delta_\infty` of :math:`M` (for odd
:math:`\phi` without input, 0: the chaotic map is white in time).  The iterates of
:math:`M` from :math:`\Delta(0) = q - \sigma^2` (:func:`correlation_map`) describe how two
replicas decorrelate; their rate at :math:`q` is :math:`\chi` and the largest Lyapunov
exponent is :math:`\lambda_{max} = \tfrac12\ln\chi` per step (MSS 1992 eq. 6; Poole et al.
2016 eq. 7), the order-to-chaos transition at :math:`\chi = 1`.
"""

from __future__ import annotations

import math

import numpy as np

from rnmf.models import RateNetwork
from rnmf.results import ConvergenceError, Status, finish

from ._common import (
    DMFTResult,
    Stats,
    _order,
    check_memory,
    mu_residual,
    unbounded_result,
    with_solutions,
)
from .states import _branch_slope, _delta_inf, _quiet_slopes, _static_residual, find_states

__all__ = ["correlation_map", "solve_map"]


def correlation_map(res: DMFTResult, Delta_start: float, steps: int) -> np.ndarray:
    r"""Iterate the two-time correlation map :math:`\Delta \mapsto g^2 C_\phi(\Delta; q, \mu) + \sigma_I^2`.

    MSS 1992 eq. 4; Poole et al. 2016 eq. 5.  Two copies of the network with the same
    couplings and inputs whose states have covariance ``Delta_start`` (relative to the mean)
    have covariance ``out[t]`` after ``t`` steps (without noise; with noise the copies get
    independent noise and ``q`` includes it).

    Parameters
    ----------
    res : DMFTResult
        A discrete-time solution (its ``mu`` and ``Delta0 = q`` are used).
    Delta_start : float
        Initial covariance, ``|Delta_start| <= q``.
    steps : int
        Number of iterations (>= 0).

    Returns
    -------
    ndarray
        ``steps + 1`` values, starting with ``Delta_start``.
    """
    if not isinstance(res, DMFTResult) or res.time != "discrete":
        raise ValueError("correlation_map needs a discrete-time DMFTResult")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    check_memory("steps", steps, 8.0 * (steps + 1))
    d = float(Delta_start)
    if not math.isfinite(d) or abs(d) > res.Delta0 * (1 + 1e-12):
        raise ValueError(f"Delta_start must satisfy |Delta_start| <= q = {res.Delta0:g}, got {d!r}")
    net = res.model
    st = Stats(net)
    out = np.empty(steps + 1)
    out[0] = d
    for t in range(steps):
        d = min(net.g**2 * float(st.C(res.mu, res.Delta0, d)) + net.sigma_I**2, res.Delta0)
        out[t + 1] = d
    return out


def solve_map(net: RateNetwork, *, tol: float = 1e-10, raise_on_failure: bool = True) -> DMFTResult:
    r"""Stationary mean-field states of the discrete-time map (all fixed points of the variance map).

    Use :func:`rnmf.theory.dmft.solve`, which dispatches here for ``time="discrete"``.
    Each state carries :math:`q` (``Delta0``), :math:`\mu`, :math:`\chi = g^2\langle\phi'^2\rangle`,
    :math:`\lambda_{max} = \ln(\chi)/2` per step and the lag autocorrelation (lags 0, 1, 2).
    A state is stable if the variance map contracts there
    (:math:`g^2\,\partial_q\langle\phi^2\rangle < 1`) and the mean mode does (slope < 0).
    """
    if not isinstance(net, RateNetwork) or not net.discrete:
        raise ValueError("solve_map needs a RateNetwork with time='discrete'")
    st = Stats(net)
    extra = net.sigma_noise**2
    options = {"tol": tol}
    states, bounded = find_states(net, st, tol=tol, extra=extra, chaotic=False)
    sols = []
    g2 = net.g**2
    for s in states:
        m, q = s["mu"], s["D0"]
        chi = g2 * float(st.d2(m, q))
        lam = 0.5 * math.log(chi) if chi > 0 else -math.inf
        # contraction of the variance map q -> g^2 <phi^2>(q) + ...: d<phi^2>/dq = <(phi^2)''>/2
        hq = 1e-6 * max(q, 1e-6)
        slope_var = (
            float(_static_residual(st, m, q + hq, extra))
            - float(_static_residual(st, m, max(q - hq, 0.0), extra))
        ) / (q + hq - max(q - hq, 0.0)) + 1.0
        slope_mu = _branch_slope(st, s, extra)
        if q == 0.0:
            # quiet state: directional slopes on a kink of phi (relu at its threshold)
            chi, slope_mu = _quiet_slopes(st, m)
            lam = 0.5 * math.log(chi) if chi > 0 else -math.inf
        stable = bool(slope_var < 1.0 and slope_mu < 0.0)
        if q == 0.0:
            dinf = 0.0
        elif extra == 0.0 and chi <= 1.0:
            dinf = q
        else:
            dinf = float(_delta_inf(st, m, q)[0])
        if q == 0.0:
            regime = "quiet"
        elif chi > 1.0:
            regime = "chaotic"
        elif extra > 0.0:
            regime = "noise-driven"
        else:
            regime = "static"
        L = q - dinf
        if L > 0:
            Delta = np.array([q, dinf, dinf])
            tau_corr, tau_int = 0.5, 0.5
        else:
            Delta = np.array([q, q, q])
            tau_corr, tau_int = math.nan, math.nan
        res_val = abs(float(_static_residual(st, m, q, extra))) + abs(float(mu_residual(st, m, q)))
        sols.append(
            DMFTResult(
                model=net,
                method="variance map (MSS 1992)",
                options=options,
                residual=res_val,
                mu=m,
                Delta0=q,
                Delta_inf=dinf,
                regime=regime,
                stable=stable,
                chi=chi,
                lambda_max=lam,
                tau_corr=tau_corr,
                tau_int=tau_int,
                kappa=0.0,
                tau=np.arange(3.0),
                Delta=Delta,
                time="discrete",
            )
        )
    if not bounded:
        return unbounded_result(net, sols, "variance map (MSS 1992)", options, raise_on_failure)
    if not sols:
        empty = DMFTResult(
            model=net,
            method="variance map (MSS 1992)",
            options=options,
            converged=False,
            status=Status.NO_SOLUTION,
            residual=math.inf,
            time="discrete",
        )
        if raise_on_failure:
            raise ConvergenceError(
                "no stationary solution of the map found (for unbounded phi the variance may "
                "diverge: reduce g or J0)",
                empty,
            )
        return empty
    sols = _order(sols)
    return finish(with_solutions(sols[0], sols), raise_on_failure)
