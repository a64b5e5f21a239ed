r"""Classical mean field: each Poisson input train replaced by its mean drift.

The MF neuron obeys ``dX/dt = (b - X)/tau + mu`` with ``mu = sum_k lam_k w_k`` (so
``b -> b + tau mu``; Baccelli & Taillefumier 2019, SIAM J. Appl. Dyn. Syst. 18:1756,
Sec. 5.1, the mean-field limit with weights scaled as 1/N, here taken at fixed weights
for comparison).  With reset it is a renewal process with the deterministic hazard
``phi(v(t))``, ``v(t) = v_inf + (r - v_inf) e^{-t/tau}``, ``v_inf = b + tau mu``
(leak-free: ``v(t) = r + mu t``), so ``1/beta = int_0^inf exp(-int_0^t phi(v)) dt``;
without reset the state settles at ``v_inf`` and ``beta = phi(v_inf)``.
For a linear excitatory network ``1 - e^{-x} <= x`` makes the RMF hazard smaller than
the MF hazard, so MF rates are higher (notes of this project, Sec. 3).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.integrate import solve_ivp

__all__ = ["mf_rate"]


def _dphi(phi: Callable, v: np.ndarray) -> np.ndarray:
    h = 1e-6 * np.maximum(1.0, np.abs(v))
    return (phi(v + h) - phi(v - h)) / (2.0 * h)


def mf_rate(
    b: float,
    tau: float,
    r: float,
    lam: np.ndarray,
    w: np.ndarray,
    phi: Callable[[np.ndarray], np.ndarray],
    *,
    reset: bool = True,
    dphi: Callable[[np.ndarray], np.ndarray] | None = None,
    rtol: float = 1e-12,
) -> tuple[float, np.ndarray]:
    """Mean-field rate and its derivatives ``d beta / d lam_k`` (= ``w_k d beta/d mu``)."""
    lam = np.atleast_1d(np.asarray(lam, dtype=float))
    w = np.atleast_1d(np.asarray(w, dtype=float))
    mu = float(lam @ w)
    fin = np.isfinite(tau)
    d1 = dphi if dphi is not None else (lambda v: _dphi(phi, v))
    if not reset:
        if not fin:
            raise ValueError("mean field without leak and without reset has no stationary state")
        v_inf = b + tau * mu
        beta = float(phi(np.array([v_inf]))[0])
        return beta, w * float(d1(np.array([v_inf]))[0]) * tau
    v_inf = b + tau * mu if fin else np.nan

    def v_of(t: float) -> float:
        return v_inf + (r - v_inf) * np.exp(-t / tau) if fin else r + mu * t

    def dv_dmu(t: float) -> float:
        return tau * (-np.expm1(-t / tau)) if fin else t

    def rhs(t: float, y: np.ndarray) -> np.ndarray:
        v = np.array([v_of(t)])
        S = np.exp(-y[0])
        return np.array([phi(v)[0], S, d1(v)[0] * dv_dmu(t), S * y[2]])

    if fin:
        h_inf = float(phi(np.array([v_inf]))[0])
    else:
        h_inf = np.inf if mu > 0 else float(phi(np.array([r]))[0]) if mu == 0 else 0.0
    # first horizon: the time scale of the flow (tau) or of the hazard at the reset
    scale = max(float(phi(np.array([r]))[0]), 1.0 / tau if fin else abs(mu), 1e-300)
    T = min(10.0 / scale, 10.0 * tau) if fin else 10.0 / scale
    y = np.zeros(4)
    t0 = 0.0
    for _ in range(200):
        sol = solve_ivp(rhs, (t0, T), y, method="DOP853", rtol=rtol, atol=rtol * 1e-4)
        y = sol.y[:, -1]
        t0 = T
        S = np.exp(-y[0])
        h_T = float(phi(np.array([v_of(T)]))[0])
        h_min = min(h_T, h_inf)
        if S == 0.0 or (h_min > 0 and S / h_min < 1e-17 * y[1]):
            break
        if h_inf <= 0.0 and (not fin or T > 50.0 * tau):
            # silent: beta ~ phi(v_inf) / S(inf), one-sided derivative phi'(v_inf) tau / S(inf)
            slope = float(d1(np.array([v_inf]))[0]) * tau * np.exp(y[0]) if fin else 0.0
            return 0.0, w * slope
        T *= 4.0
    else:  # pragma: no cover - defensive
        raise RuntimeError("mean-field survival integral did not reach its tail")
    beta = 1.0 / y[1]
    return beta, w * beta * beta * y[3]
