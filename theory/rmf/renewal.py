r"""Linear intensity with reset: the RMF neuron is a renewal process.

With ``phi(x) = x``, reset to r and independent Poisson inputs (rate ``lam_k``, jump
``w_k``), the probability that no spike occurs for a time t after a reset is

.. math::

    S(t) = \exp\Big(-b t - (r - b)\tau(1 - e^{-t/\tau})
                   - \sum_k \lambda_k \int_0^t \big[1 - e^{-w_k \tau (1 - e^{-s/\tau})}\big] ds\Big)

(Baccelli & Taillefumier 2019, SIAM J. Appl. Dyn. Syst. 18:1756, Sec. 4, Prop. 4.1;
leak-free limit ``tau -> inf``: ``S = exp(-r t - sum_k lam_k [t - (1 - e^{-w_k t})/w_k])``),
and the stationary rate is the inverse mean inter-spike interval,
``1/beta = int_0^inf S(t) dt`` (renewal theorem).  Derivatives with respect to the input
rates follow by differentiating under the integral:
``d beta / d lam_k = beta^2 int_0^inf S(t) G_k(t) dt`` with ``G_k`` the integral above.

The input integral has the closed form ``G = (1 - e^{-a}) t - tau e^{-a} [E(a) -
E(a e^{-t/tau})]`` (``a = w tau``, ``E`` the entire exponential integral), so S is known in
closed form and the integrals over t are done by Gauss--Legendre panels with exact
exponential tails (see :func:`renewal_rate`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

__all__ = ["RenewalRate", "cumulative_input", "renewal_rate", "survival"]


@dataclass(frozen=True)
class RenewalRate:
    """Rate of a linear-intensity RMF neuron and the ISI moments it needs."""

    beta: float
    dbeta_dlam: np.ndarray  # (K,)
    m1: float  # mean ISI  = int S
    m2: float  # E[T^2]    = 2 int t S


def _ein(x: np.ndarray) -> np.ndarray:
    """Entire function ``E(x) = int_0^x (e^u - 1)/u du = sum_k x^k / (k k!)`` (x >= 0)."""
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    small = x < 2.0
    xs = x[small]
    term = xs.copy()
    acc = xs.copy()
    for k in range(2, 40):
        term = term * xs / k
        acc = acc + term / k
    out[small] = acc
    xl = x[~small]
    out[~small] = special.expi(xl) - np.euler_gamma - np.log(xl)
    return out


def cumulative_input(t: np.ndarray, w: float, tau: float) -> np.ndarray:
    r"""``G(t) = int_0^t [1 - exp(-w tau (1 - e^{-s/tau}))] ds`` in closed form (w >= 0).

    With ``a = w tau`` and ``E`` the entire exponential integral,
    ``G = (1 - e^{-a}) t - tau e^{-a} [E(a) - E(a e^{-t/tau})]``; leak-free
    (``tau = inf``): ``G = t - (1 - e^{-w t}) / w``.
    """
    t = np.asarray(t, dtype=float)
    if w == 0.0:
        return np.zeros_like(t)
    if not np.isfinite(tau):
        return t + np.expm1(-w * t) / w
    a = w * tau
    return -np.expm1(-a) * t - tau * np.exp(-a) * (
        _ein(np.array([a]))[0] - _ein(a * np.exp(-t / tau))
    )


def survival(
    t: np.ndarray, b: float, tau: float, r: float, lam: np.ndarray, w: np.ndarray
) -> np.ndarray:
    """ISI survival function S(t) of the linear RMF neuron (closed form, see module doc)."""
    t = np.asarray(t, dtype=float)
    if np.isfinite(tau):
        H = b * t + (r - b) * tau * (-np.expm1(-t / tau))
    else:
        H = r * t
    for lk, wk in zip(np.atleast_1d(lam), np.atleast_1d(w), strict=True):
        if lk != 0.0:
            H = H + lk * cumulative_input(t, float(wk), tau)
    return np.exp(-H)


_GL_X, _GL_W = np.polynomial.legendre.leggauss(20)


def _cumulative(t: np.ndarray, b, tau, r, lam, w) -> tuple[np.ndarray, np.ndarray]:
    """H(t) and the stream integrals G_k(t) (shape (K, t.size)) in closed form."""
    if np.isfinite(tau):
        H = b * t + (r - b) * tau * (-np.expm1(-t / tau))
    else:
        H = r * t
    G = np.array([cumulative_input(t, float(wk), tau) for wk in w]).reshape(len(w), t.size)
    return H + lam @ G, G


def renewal_rate(
    b: float,
    tau: float,
    r: float,
    lam: np.ndarray,
    w: np.ndarray,
) -> RenewalRate:
    """Rate ``beta = 1 / int S``, its derivatives in the input rates and ``E[T^2]``.

    The integrals of the closed-form S (module notes) are computed by 20-point
    Gauss--Legendre on panels over which ``H = -log S`` grows by at most 1/2 and that are
    at most ``tau / 2`` long, up to ``T1`` (40 tau, or 40 / min w without leak) beyond
    which every transient is below ``e^{-40}`` and the hazard is the constant
    ``h_inf``: there the tails are exact (``int_T1^inf S = S(T1) / h_inf`` and alike).

    Parameters
    ----------
    b, tau, r : float
        Resting level, relaxation time (``inf`` allowed), reset.
    lam, w : arrays (K,)
        Rates and jump sizes (>= 0) of the Poisson input streams.

    Returns
    -------
    RenewalRate
        ``beta = 0`` when S does not decay to 0 (zero asymptotic hazard: the neuron falls
        silent); its derivative is then the one-sided limit ``g_k(inf) / S(inf)``.
    """
    lam = np.asarray(lam, dtype=float)
    w = np.asarray(w, dtype=float)
    keep = w != 0
    K_all = lam.size
    lam_a, w_a = lam[keep], w[keep]
    fin = np.isfinite(tau)
    if fin:
        T1 = 40.0 * tau
        g_inf = -np.expm1(-w_a * tau)
        h_inf = b + float(lam_a @ g_inf)
    else:
        T1 = 40.0 / float(np.min(w_a)) if w_a.size else 1.0
        g_inf = np.ones(w_a.size)
        h_inf = r + float(lam_a.sum())
    # breakpoints: H grows by <= 1/2 per panel, panels <= tau/2 (or T1/80)
    ts = np.unique(np.concatenate([T1 * np.logspace(-9, 0, 400), np.linspace(0.0, T1, 401)]))
    Hs, _ = _cumulative(ts, b, tau, r, lam_a, w_a)
    H_stop = 46.0
    if Hs[-1] > H_stop:
        T_end = float(np.interp(H_stop, Hs, ts))
        tail = False
    else:
        T_end = T1
        tail = True
    levels = np.arange(0.5, min(Hs[-1], H_stop), 0.5)
    br = np.interp(levels, Hs, ts)
    step = (tau if fin else T1 / 40.0) / 2.0
    br = np.unique(np.concatenate([[0.0, T_end], br[br < T_end], np.arange(step, T_end, step)]))
    a, c = br[:-1], br[1:]
    t = (0.5 * (c - a))[:, None] * _GL_X[None, :] + (0.5 * (a + c))[:, None]
    wt = (0.5 * (c - a))[:, None] * _GL_W[None, :]
    t, wt = t.ravel(), wt.ravel()
    H, G = _cumulative(t, b, tau, r, lam_a, w_a)
    S = np.exp(-H)
    m1 = float(wt @ S)
    m2 = 2.0 * float(wt @ (t * S))
    IG = G @ (wt * S)
    if tail:
        HT, GT = _cumulative(np.array([T1]), b, tau, r, lam_a, w_a)
        ST = float(np.exp(-HT[0]))
        if h_inf <= 0.0:
            d = np.zeros(K_all)
            d[keep] = g_inf * np.exp(HT[0])
            return RenewalRate(0.0, d, np.inf, np.inf)
        m1 += ST / h_inf
        m2 += 2.0 * ST * (T1 / h_inf + 1.0 / h_inf**2)
        IG = IG + ST * (GT[:, 0] / h_inf + g_inf / h_inf**2)
    beta = 1.0 / m1
    d = np.zeros(K_all)
    d[keep] = beta * beta * IG
    return RenewalRate(beta, d, m1, m2)
