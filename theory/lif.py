r"""Mean-field theory of networks of leaky integrate-and-fire neurons (Brunel 2000).

The diffusion approximation replaces the synaptic input of a neuron of population
``a`` by a Gaussian white noise with mean and variance (Brunel 2000, eqs. 4-5;
Amit & Brunel 1997)

.. math::

    \mu_a = \tau_m \Big(\sum_b K_{ab} J_{ab} \nu_b + C_{ext,a} J_{ext,a} \nu_{ext,a}\Big)
            + \mu_{ext,a}, \qquad
    \sigma_a^2 = \tau_m \Big(\sum_b K_{ab} J_{ab}^2 \nu_b + C_{ext,a} J_{ext,a}^2 \nu_{ext,a}\Big),

and the stationary rate of a LIF neuron driven by it is the Siegert / Ricciardi
first-passage formula (Brunel 2000, eq. 21; Amit & Brunel 1997)

.. math::

    \frac{1}{\nu} = \tau_{ref} + \tau_m \sqrt{\pi}
        \int_{(V_r-\mu)/\sigma}^{(\theta-\mu)/\sigma} e^{u^2} (1 + \operatorname{erf} u)\, du .

Units: ms, mV and Hz (rates in Hz, times in ms; ``nu * tau / 1000`` is dimensionless).

Contents
--------
siegert, siegert_derivatives
    Stationary rate and its analytic derivatives, stable for all arguments.
cv_isi
    Coefficient of variation of the inter-spike interval (Brunel 2000, Appendix A).
input_statistics, stationary_rates
    Self-consistent rates with *all* fixed points and their stability.
brunel_rates
    Vectorised rates of Brunel's model A over (g, eta) grids.
transfer_function
    Linear rate response to modulations of mu and sigma^2 (Brunel & Hakim 1999;
    Lindner & Schimansky-Geier 2001).
asynchronous_stability, hopf_boundary
    Linear stability of the asynchronous state with delays (Brunel 2000, Sec. 4).
balanced_rates
    Leading-order balanced-state rates (van Vreeswijk & Sompolinsky 1998).

References
----------
.. [1] N. Brunel, "Dynamics of sparsely connected networks of excitatory and
   inhibitory spiking neurons", J. Comput. Neurosci. 8, 183-208 (2000).
.. [2] N. Brunel and V. Hakim, "Fast global oscillations in networks of
   integrate-and-fire neurons with low firing rates", Neural Comput. 11, 1621 (1999).
.. [3] B. Lindner and L. Schimansky-Geier, "Transmission of noise coded versus
   additive signals through a neuronal ensemble", Phys. Rev. Lett. 86, 2934 (2001).
.. [4] D. J. Amit and N. Brunel, "Model of global spontaneous activity and local
   structured activity during delay periods in the cerebral cortex",
   Cereb. Cortex 7, 237 (1997).
.. [5] N. Fourcaud and N. Brunel, "Dynamics of the firing probability of noisy
   integrate-and-fire neurons", Neural Comput. 14, 2057 (2002).
.. [6] C. van Vreeswijk and H. Sompolinsky, "Chaotic balanced state in a model of
   cortical circuits", Neural Comput. 10, 1321 (1998).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
from scipy import optimize
from scipy.special import dawsn, erf, erfcx, zeta

from rnmf._checks import check_finite, check_int, check_nonnegative, check_positive
from rnmf.models import LIFNetwork
from rnmf.results import Result, Status, finish

__all__ = [
    "ALPHA_COLORED",
    "AsyncStability",
    "BalancedRates",
    "BrunelGrid",
    "HopfBoundary",
    "LIFFixedPoint",
    "LIFStationary",
    "asynchronous_stability",
    "balanced_rates",
    "brunel_rates",
    "cv_isi",
    "hopf_boundary",
    "input_statistics",
    "siegert",
    "siegert_derivatives",
    "stationary_rates",
    "transfer_function",
]

#: ``alpha = sqrt(2) |zeta(1/2)|`` of the colored-noise threshold shift (Fourcaud & Brunel 2002).
ALPHA_COLORED: float = float(math.sqrt(2.0) * abs(zeta(0.5)))

_SQRT_PI = math.sqrt(math.pi)
_LOG_SQRT_PI = math.log(_SQRT_PI)
_GL_RULES = tuple(np.polynomial.legendre.leggauss(n) for n in (12, 20, 40))
_LAG_X, _LAG_W = np.polynomial.laguerre.laggauss(60)


def _tanh_sinh_rule(h: float = 1.0 / 16.0, t_max: float = 3.6):
    """Nodes of the tanh-sinh rule on [-1, 1] as (distance to -1, distance to +1, weights)."""
    t = np.arange(-int(t_max / h), int(t_max / h) + 1) * h
    u = 0.5 * math.pi * np.sinh(t)
    w = h * 0.5 * math.pi * np.cosh(t) / np.cosh(u) ** 2
    # 1 - tanh(u) = 2 / (1 + e^{2u}); 1 + tanh(u) = 2 / (1 + e^{-2u}), both without cancellation
    to_right = 2.0 / (1.0 + np.exp(2.0 * u))
    to_left = 2.0 / (1.0 + np.exp(-2.0 * u))
    return to_left, to_right, w


_TS_LEFT, _TS_RIGHT, _TS_W = _tanh_sinh_rule()


# ---------------------------------------------------------------------------
# Siegert formula
# ---------------------------------------------------------------------------


def _int_erfcx(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    r"""``int_{x1}^{x2} erfcx(v) dv`` for ``0 <= x1 <= x2`` (Gauss-Legendre in s = log(1+v)).

    In ``s`` the integrand ``(1+v) erfcx(v)`` is smooth and tends to ``1/sqrt(pi)``; the
    number of nodes (12, 20 or 40) is chosen from the length of the interval in ``s`` so
    that the relative error stays ~1e-15 from ``x2 - x1 = 0`` up to ``x2 ~ 1e12``.
    """
    x1, x2 = np.broadcast_arrays(np.asarray(x1, dtype=float), np.asarray(x2, dtype=float))
    s1 = np.log1p(x1)
    s2 = np.log1p(x2)
    length = s2 - s1
    out = np.zeros(x1.shape)
    lower = 0.0
    for upper, (nodes, weights) in zip((2.0, 4.0, np.inf), _GL_RULES, strict=True):
        sel = (length > lower) & (length <= upper)
        lower = upper
        if not np.any(sel):
            continue
        a, b = s1[sel][:, None], s2[sel][:, None]
        half = 0.5 * (b - a)
        v = np.expm1(half * nodes + 0.5 * (b + a))
        out[sel] = half[:, 0] * np.sum(weights * (1.0 + v) * erfcx(v), axis=-1)
    return out


def _log_erfcx_neg(u: np.ndarray) -> np.ndarray:
    """``log(erfcx(-u)) = log(e^{u^2} (1 + erf u))`` without overflow or cancellation."""
    u = np.asarray(u, dtype=float)
    out = np.empty_like(u)
    neg = u <= 0
    out[neg] = np.log(erfcx(-u[neg]))
    pos = ~neg
    out[pos] = u[pos] ** 2 + np.log1p(erf(u[pos]))
    return out


def _q_erfcx(x: np.ndarray) -> np.ndarray:
    """``sqrt(pi) x erfcx(x) - 1`` for ``x >= 0`` without cancellation at large x.

    Direct below x = 30; above, the asymptotic series of erfcx (Abramowitz & Stegun
    7.1.23) with six terms, relative error < 1e-14."""
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    small = x <= 30.0
    out[small] = _SQRT_PI * x[small] * erfcx(x[small]) - 1.0
    big = ~small
    if np.any(big):
        z = 1.0 / (2.0 * x[big] ** 2)  # series in 1/(2x^2): -1, 3, -15, 105, -945, 10395
        out[big] = z * (-1.0 + z * (3.0 + z * (-15.0 + z * (105.0 + z * (-945.0 + z * 10395.0)))))
    return out


def _log_siegert_integral(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    r"""``log int_a^b erfcx(-u) du`` for ``a < b``, stable for all real a, b.

    Split at 0. For ``u < 0`` the integrand ``erfcx(|u|)`` is bounded; for ``u > 0``
    ``erfcx(-u) = 2 e^{u^2} - erfcx(u)`` and ``int_0^x e^{u^2} du = e^{x^2} F(x)`` with
    Dawson's function F, so the exponentially large part is exact and carried in log space.
    """
    ap = np.maximum(a, 0.0)
    bp = np.maximum(b, 0.0)
    neg = _int_erfcx(-np.minimum(b, 0.0), -np.minimum(a, 0.0))  # int over [a, min(b,0)]
    tail = _int_erfcx(ap, bp)  # int of erfcx(u) over [max(a,0), max(b,0)]
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        d = bp**2 - ap**2
        core = (
            2.0 * (dawsn(bp) - dawsn(ap))
            - 2.0 * dawsn(ap) * np.expm1(-d)
            + np.exp(-(bp**2)) * (neg - tail)
        )
        return np.where(b > 0, bp**2 + np.log(core), np.log(neg))


def _validate_neuron(tau_m: float, V_th: float, V_reset: float, t_ref: float, tau_s: float):
    tau_m = check_positive("tau_m (ms)", tau_m)
    V_th = check_finite("V_th (mV)", V_th)
    V_reset = check_finite("V_reset (mV)", V_reset)
    if V_reset >= V_th:
        raise ValueError(f"V_reset ({V_reset:g} mV) must be below V_th ({V_th:g} mV)")
    t_ref = check_nonnegative("t_ref (ms)", t_ref)
    tau_s = check_nonnegative("tau_s (ms)", tau_s)
    return tau_m, V_th, V_reset, t_ref, tau_s


def _validate_mu_sigma(mu: Any, sigma: Any) -> tuple[np.ndarray, np.ndarray]:
    mu = np.asarray(mu, dtype=float)
    sigma = np.asarray(sigma, dtype=float)
    if np.any(~np.isfinite(mu)):
        raise ValueError("mu (mV) must be finite; got NaN or inf")
    if np.any(~np.isfinite(sigma)):
        raise ValueError("sigma (mV) must be finite; got NaN or inf")
    if np.any(sigma < 0):
        raise ValueError(
            "sigma (mV) must be >= 0 (sigma = 0 is the deterministic limit); got a negative value"
        )
    return np.broadcast_arrays(mu, sigma)


def _log_rate_ms(mu, sigma, tau_m, V_th, V_reset, t_ref, tau_s):
    """log of the Siegert rate in 1/ms and the bounds (a, b); sigma = 0 handled."""
    shift = 0.5 * ALPHA_COLORED * math.sqrt(tau_s / tau_m)
    noisy = sigma > 0
    s = np.where(noisy, sigma, 1.0)
    a = (V_reset - mu) / s + shift
    b = (V_th - mu) / s + shift
    log_integral = np.where(noisy, _log_siegert_integral(a, b), 0.0)
    log_isi = log_integral + math.log(tau_m) + _LOG_SQRT_PI
    if t_ref > 0:
        log_isi = np.logaddexp(math.log(t_ref), log_isi)
    # deterministic limit: T = t_ref + tau ln((mu - V_r) / (mu - theta)) for mu > theta
    with np.errstate(divide="ignore", invalid="ignore"):
        fires = mu > V_th
        det_isi = t_ref + tau_m * np.log((mu - V_reset) / np.where(fires, mu - V_th, 1.0))
        log_det = np.where(fires, -np.log(det_isi), -np.inf)
    log_nu = np.where(noisy, -log_isi, log_det)
    return log_nu, a, b, log_integral, shift


def siegert(
    mu: Any,
    sigma: Any,
    *,
    tau_m: float = 20.0,
    V_th: float = 20.0,
    V_reset: float = 10.0,
    t_ref: float = 2.0,
    tau_s: float = 0.0,
    log: bool = False,
) -> np.ndarray:
    r"""Stationary firing rate (Hz) of a LIF neuron driven by Gaussian white noise.

    .. math::

        \frac{1}{\nu} = \tau_{ref} + \tau_m\sqrt{\pi}\int_{y_r}^{y_\theta}
        \operatorname{erfcx}(-u)\,du,\qquad y_\theta = \frac{\theta-\mu}{\sigma} + \frac{\alpha}{2}
        \sqrt{\frac{\tau_s}{\tau_m}},\; y_r = \frac{V_r-\mu}{\sigma} + \frac{\alpha}{2}\sqrt{\frac{\tau_s}{\tau_m}}

    (Brunel 2000, eq. 21; Amit & Brunel 1997), using
    ``erfcx(-u) = e^{u^2}(1 + erf u)``.  With exponential synapses (``tau_s > 0``) both
    bounds are shifted by ``alpha/2 sqrt(tau_s/tau_m)``, ``alpha = sqrt(2)|zeta(1/2)|``
    (Fourcaud & Brunel 2002, Sec. 4, effective threshold and reset), valid to first order in
    ``sqrt(tau_s/tau_m)``.

    The integral is evaluated without cancellation for all arguments: the bounded
    part ``u < 0`` by Gauss-Legendre quadrature of ``erfcx``, the exponentially large
    part ``u > 0`` exactly through Dawson's function in log space.  Strongly
    subthreshold inputs give tiny positive rates (use ``log=True`` to get ``log(nu)``
    below the float64 range); ``sigma = 0`` is the deterministic limit
    ``1/nu = t_ref + tau_m ln((mu - V_r)/(mu - theta))`` for ``mu > theta`` and 0 otherwise.

    Parameters
    ----------
    mu, sigma : array_like
        Mean and standard deviation (mV) of the input, broadcast against each other.
    tau_m, V_th, V_reset, t_ref, tau_s : float
        Neuron parameters in ms and mV.
    log : bool
        Return ``log(nu / Hz)`` instead of ``nu``.

    Returns
    -------
    ndarray
        Rate in Hz (or its logarithm), shape of the broadcast inputs.

    References
    ----------
    Brunel (2000) J Comput Neurosci 8:183, eq. 21; Amit & Brunel (1997) Cereb Cortex
    7:237; Fourcaud & Brunel (2002) Neural Comput 14:2057.
    """
    tau_m, V_th, V_reset, t_ref, tau_s = _validate_neuron(tau_m, V_th, V_reset, t_ref, tau_s)
    mu, sigma = _validate_mu_sigma(mu, sigma)
    log_nu = _log_rate_ms(mu, sigma, tau_m, V_th, V_reset, t_ref, tau_s)[0] + math.log(1000.0)
    out = log_nu if log else np.exp(log_nu)
    return out[()] if out.ndim == 0 else out


def _siegert_and_derivatives(mu, sigma, tau_m, V_th, V_reset, t_ref, tau_s):
    """(nu, dnu/dmu, dnu/dsigma) in Hz, Hz/mV, Hz/mV; inputs already validated."""
    log_nu, a, b, _, shift = _log_rate_ms(mu, sigma, tau_m, V_th, V_reset, t_ref, tau_s)
    nu = np.exp(log_nu)
    noisy = sigma > 0
    s = np.where(noisy, sigma, 1.0)
    base = 2.0 * log_nu + math.log(tau_m) + _LOG_SQRT_PI
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        tb = np.exp(base + _log_erfcx_neg(b))
        ta = np.exp(base + _log_erfcx_neg(a))
        d_mu = (tb - ta) / s
        d_sigma = (tb * (b - shift) - ta * (a - shift)) / s
        # mean-driven, small noise (a, b << 0): u erfcx(-u) -> -1/sqrt(pi) cancels between
        # the two terms; use q(x) = sqrt(pi) x erfcx(x) - 1 instead
        both = np.asarray((a < 0) & (b < 0))
        d_sigma = np.array(d_sigma, dtype=float)
        base = np.asarray(base)
        if np.any(both):
            C = np.exp(base[both])
            qa, qb = _q_erfcx(-a[both]), _q_erfcx(-b[both])
            fa, fb = erfcx(-a[both]), erfcx(-b[both])
            d_sigma[both] = (C * (-(qb - qa) / _SQRT_PI - shift * (fb - fa))) / s[both]
        silent = nu == 0
        d_mu = np.where(silent, 0.0, d_mu)
        d_sigma = np.where(silent, 0.0, d_sigma)
        fires = mu > V_th
        det_dmu = np.where(
            fires,
            nu**2
            * tau_m
            * (1.0 / np.where(fires, mu - V_th, 1.0) - 1.0 / np.where(fires, mu - V_reset, 1.0)),
            0.0,
        )
    d_mu = np.where(noisy, d_mu, det_dmu)
    d_sigma = np.where(noisy, d_sigma, 0.0)
    return 1000.0 * nu, 1000.0 * d_mu, 1000.0 * d_sigma


def siegert_derivatives(
    mu: Any,
    sigma: Any,
    *,
    tau_m: float = 20.0,
    V_th: float = 20.0,
    V_reset: float = 10.0,
    t_ref: float = 2.0,
    tau_s: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Siegert rate and its analytic derivatives with respect to mu and sigma.

    Differentiating the bounds of Brunel (2000) eq. 21 gives

    .. math::

        \frac{\partial\nu}{\partial\mu} = \nu^2\tau_m\sqrt\pi\,
            \frac{f(y_\theta) - f(y_r)}{\sigma},\qquad
        \frac{\partial\nu}{\partial\sigma} = \nu^2\tau_m\sqrt\pi\,
            \frac{f(y_\theta)(y_\theta - s) - f(y_r)(y_r - s)}{\sigma},

    with ``f(u) = erfcx(-u)`` and ``s`` the colored-noise shift; ``nu^2 f`` is formed in
    log space so it stays finite where ``f`` alone overflows.

    Returns
    -------
    nu, dnu_dmu, dnu_dsigma : ndarray
        In Hz, Hz/mV and Hz/mV.

    References
    ----------
    Brunel (2000) J Comput Neurosci 8:183, eq. 21 (differentiated); Brunel & Hakim (1999)
    Neural Comput 11:1621, Sec. 4 (the omega -> 0 limit of the transfer function).
    """
    tau_m, V_th, V_reset, t_ref, tau_s = _validate_neuron(tau_m, V_th, V_reset, t_ref, tau_s)
    mu, sigma = _validate_mu_sigma(mu, sigma)
    out = _siegert_and_derivatives(mu, sigma, tau_m, V_th, V_reset, t_ref, tau_s)
    return tuple(o[()] if o.ndim == 0 else o for o in out)


# ---------------------------------------------------------------------------
# CV of the ISI
# ---------------------------------------------------------------------------


def cv_isi(
    mu: Any,
    sigma: Any,
    *,
    tau_m: float = 20.0,
    V_th: float = 20.0,
    V_reset: float = 10.0,
    t_ref: float = 2.0,
    tau_s: float = 0.0,
) -> np.ndarray:
    r"""Coefficient of variation of the inter-spike interval in the diffusion approximation.

    .. math::

        CV^2 = 2\pi(\nu\tau_m)^2 \int_{y_r}^{y_\theta} e^{x^2} dx
               \int_{-\infty}^{x} e^{y^2}(1 + \operatorname{erf} y)^2 dy

    (Brunel 2000, Appendix A; the second moment of the first-passage time of the
    Ornstein-Uhlenbeck process, Tuckwell 1988).  Exchanging the order of integration,

    .. math::

        \int_{-\infty}^{y_\theta} h(y)\,[E(y_\theta) - E(\max(y_r, y))]\,dy,\quad
        h(y) = \operatorname{erfcx}(-y)^2 e^{-y^2},\; E(x) = e^{x^2} F(x),

    with Dawson's function ``F``; every factor is scaled by ``e^{-2 max(y_theta,0)^2}``,
    the tail below ``min(y_r, 0)`` is a Gauss-Laguerre integral and the rest a
    tanh-sinh integral, so the result is stable from the strongly subthreshold
    (CV -> 1) to the noise-free suprathreshold limit (CV -> 0).  ``sigma = 0`` gives
    0 where the neuron fires and NaN where it is silent (no intervals).

    Returns
    -------
    ndarray
        CV (dimensionless), shape of the broadcast ``mu``, ``sigma``.

    References
    ----------
    Brunel (2000) J Comput Neurosci 8:183, Appendix A (CV of the ISI);
    Fourcaud & Brunel (2002) Neural Comput 14:2057 for the ``tau_s`` shift (applied to
    both bounds, an approximation for the CV).
    """
    tau_m, V_th, V_reset, t_ref, tau_s = _validate_neuron(tau_m, V_th, V_reset, t_ref, tau_s)
    mu, sigma = _validate_mu_sigma(mu, sigma)
    out = _cv(mu, sigma, tau_m, V_th, V_reset, t_ref, tau_s)
    return out[()] if out.ndim == 0 else out


def _cv(mu, sigma, tau_m, V_th, V_reset, t_ref, tau_s):
    shape = mu.shape
    mu = mu.ravel()
    sigma = sigma.ravel()
    log_nu, a, b, _, _ = _log_rate_ms(mu, sigma, tau_m, V_th, V_reset, t_ref, tau_s)
    noisy = sigma > 0
    # vanishing noise far from threshold: linear-noise limit above it (Var T = tau^2
    # sigma^2/2 [(mu-theta)^-2 - (mu-V_r)^-2]), Poisson-like escape (CV = 1) below it
    far = noisy & (np.abs(mu - V_th) > 1e3 * sigma) & (sigma < 1e-6 * (V_th - V_reset))
    with np.errstate(divide="ignore", invalid="ignore"):
        T_det = t_ref + tau_m * np.log((mu - V_reset) / (mu - V_th))
        cv_lin = (
            tau_m * sigma / math.sqrt(2.0) * np.sqrt(1 / (mu - V_th) ** 2 - 1 / (mu - V_reset) ** 2)
        ) / T_det
    cv_far = np.where(mu > V_th, cv_lin, 1.0)
    noisy = noisy & ~far
    a = np.where(noisy, a, -1.0)
    b = np.where(noisy, b, 0.0)
    s = np.maximum(b, 0.0) ** 2
    c = np.minimum(a, 0.0)
    Fb = dawsn(b)
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        # tail: T(c) = e^{-c^2} That(c), That = int_0^inf erfcx(t - c)^2 e^{-t^2 + 2ct} dt
        kappa = (2.0 * np.abs(c) + 2.0)[:, None]
        tau = _LAG_X[None, :]
        bracket = erfcx(tau / kappa - c[:, None]) ** 2 * np.exp(
            2.0 * tau / kappa - (tau / kappa) ** 2
        )
        t_hat = np.sum(_LAG_W * bracket, axis=1) / kappa[:, 0]
        tail = t_hat * (np.exp(b**2 - c**2 - 2 * s) * Fb - np.exp(a**2 - c**2 - 2 * s) * dawsn(a))
        # finite part over [c, b] by tanh-sinh on three pieces: the kink of W at y = a
        # (only inside when a > 0) and the boundary layer of width ~1/(2|b|) at y = b
        p1 = np.maximum(a, c)
        p2 = np.maximum(p1, b - 4.0 / (2.0 * np.abs(b) + 1.0))
        body = np.zeros_like(b)
        for lo, hi in ((c, p1), (p1, p2), (p2, b)):
            width = (hi - lo)[:, None]
            y = np.where(
                _TS_LEFT[None, :] < _TS_RIGHT[None, :],
                lo[:, None] + 0.5 * width * _TS_LEFT[None, :],
                hi[:, None] - 0.5 * width * _TS_RIGHT[None, :],
            )
            m = np.maximum(a[:, None], y)
            log_h = 2.0 * _log_erfcx_neg(y) - y**2
            k = np.exp(log_h + b[:, None] ** 2 - 2 * s[:, None]) * Fb[:, None] - np.exp(
                log_h + m**2 - 2 * s[:, None]
            ) * dawsn(m)
            body = body + 0.5 * (hi - lo) * np.sum(_TS_W * k, axis=1)
        cv2 = 2.0 * math.pi * np.exp(2.0 * log_nu + 2.0 * math.log(tau_m) + 2.0 * s) * (tail + body)
    cv = np.sqrt(np.maximum(cv2, 0.0))
    cv = np.where(noisy, cv, np.where(mu > V_th, 0.0, np.nan))
    cv = np.where(far, cv_far, cv)
    return cv.reshape(shape)


# ---------------------------------------------------------------------------
# Network: input statistics and fixed points
# ---------------------------------------------------------------------------


def _neuron(net: LIFNetwork) -> dict[str, float]:
    return dict(
        tau_m=net.tau_m, V_th=net.V_th, V_reset=net.V_reset, t_ref=net.t_ref, tau_s=net.tau_s
    )


def _net_arrays(net: LIFNetwork):
    K = np.asarray(net.K, dtype=float)
    J = np.asarray(net.J, dtype=float)
    ext = np.asarray(net.C_ext) * np.asarray(net.J_ext) * np.asarray(net.nu_ext)
    ext2 = np.asarray(net.C_ext) * np.asarray(net.J_ext) ** 2 * np.asarray(net.nu_ext)
    return K * J, K * J**2, ext, ext2, np.asarray(net.mu_ext, dtype=float)


def input_statistics(net: LIFNetwork, rates: Any) -> tuple[np.ndarray, np.ndarray]:
    r"""Mean and standard deviation (mV) of the input to each population.

    .. math::

        \mu_a = \tau_m\Big(\sum_b K_{ab}J_{ab}\nu_b + C_{ext,a}J_{ext,a}\nu_{ext,a}\Big) + \mu_{ext,a},
        \quad \sigma_a^2 = \tau_m\Big(\sum_b K_{ab}J_{ab}^2\nu_b + C_{ext,a}J_{ext,a}^2\nu_{ext,a}\Big)

    with rates in Hz and ``tau_m`` in ms (hence a factor 1/1000).

    Parameters
    ----------
    net : LIFNetwork
    rates : array_like, shape (..., P)
        Rates in Hz (>= 0).

    References
    ----------
    Brunel (2000) J Comput Neurosci 8:183, eqs. 4-5 (there for model A);
    Amit & Brunel (1997) Cereb Cortex 7:237.
    """
    if not isinstance(net, LIFNetwork):
        raise ValueError(f"net must be an LIFNetwork, got {type(net).__name__}")
    nu = np.asarray(rates, dtype=float)
    if nu.shape[-1:] != (net.P,):
        raise ValueError(f"rates must have last axis of length P = {net.P}, got shape {nu.shape}")
    if np.any(~np.isfinite(nu)) or np.any(nu < 0):
        raise ValueError("rates (Hz) must be finite and >= 0")
    return _input_stats(net, nu)


def _input_stats(net, nu):
    KJ, KJ2, ext, ext2, mu_ext = _net_arrays(net)
    scale = net.tau_m / 1000.0
    mu = scale * (nu @ KJ.T + ext) + mu_ext
    var = scale * (nu @ KJ2.T + ext2)
    return mu, np.sqrt(np.maximum(var, 0.0))


@dataclass(frozen=True)
class LIFFixedPoint:
    """One self-consistent stationary state.

    Attributes
    ----------
    rates, mu, sigma, cv : ndarray (P,)
        Rates (Hz), input mean and std (mV), CV of the ISI.
    eigenvalues : ndarray (P,)
        Eigenvalues of ``dPhi/dnu - I`` (rate dynamics ``tau dnu/dt = -nu + Phi(nu)``),
        in units of 1/tau.
    stable : bool
        All eigenvalues have negative real part (stability of the rate dynamics; the
        oscillatory instability with delays is :func:`asynchronous_stability`).
    residual : float
        ``max |Phi(nu) - nu| / max(nu, 1e-300)``.
    """

    rates: np.ndarray
    mu: np.ndarray
    sigma: np.ndarray
    cv: np.ndarray
    eigenvalues: np.ndarray
    stable: bool
    residual: float

    def __repr__(self) -> str:
        r = ", ".join(f"{v:.6g}" for v in self.rates)
        return f"LIFFixedPoint(rates=[{r}] Hz, stable={self.stable})"


@dataclass(frozen=True, kw_only=True, repr=False)
class LIFStationary(Result):
    """Stationary states of an LIF network (all fixed points found).

    Attributes
    ----------
    rates, mu, sigma, cv, eigenvalues : ndarray
        Of the *primary* solution: the stable fixed point with the lowest mean rate
        (or the lowest-rate one if none is stable).
    stable : bool
        Stability of the primary solution under the rate dynamics.
    solutions : tuple of LIFFixedPoint
        Every fixed point found, sorted by mean rate.
    n_solutions : int
    complete : bool
        True when the search is exhaustive up to grid resolution (reduced 1-D problem);
        False for the multi-start search of P >= 2 distinct populations.
    diffusion_valid : bool
        False if the diffusion approximation is questionable (see ``validity``).
    validity : tuple of str
        Reasons, e.g. PSPs not small against ``V_th - V_reset`` or ``nu t_ref`` large.
    """

    rates: np.ndarray
    mu: np.ndarray
    sigma: np.ndarray
    cv: np.ndarray
    eigenvalues: np.ndarray
    stable: bool
    solutions: tuple = ()
    n_solutions: int = 0
    complete: bool = True
    diffusion_valid: bool = True
    validity: tuple = ()

    def _repr_rows(self):
        rows = [
            ("method", self.method),
            ("status", str(self.status)),
            ("n_solutions", str(self.n_solutions)),
        ]
        for i, s in enumerate(self.solutions):
            r = ", ".join(f"{v:.6g}" for v in s.rates)
            cv = ", ".join(f"{v:.3g}" for v in s.cv)
            rows.append(
                (f"[{i}]", f"rates [{r}] Hz  CV [{cv}]  {'stable' if s.stable else 'unstable'}")
            )
        rows.append(("diffusion_valid", str(self.diffusion_valid)))
        for v in self.validity:
            rows.append(("  !", v))
        return rows


def _groups(net: LIFNetwork) -> list[list[int]]:
    """Populations with identical inputs have identical rates at every fixed point."""
    KJ, KJ2, ext, ext2, mu_ext = _net_arrays(net)
    keys: dict[tuple, list[int]] = {}
    for a in range(net.P):
        key = (tuple(KJ[a]), tuple(KJ2[a]), ext[a], ext2[a], mu_ext[a])
        keys.setdefault(key, []).append(a)
    return list(keys.values())


def _phi(net, nu):
    mu, sigma = _input_stats(net, nu)
    return _siegert_and_derivatives(mu, sigma, **_neuron(net))


def _jacobian(net, nu):
    """dPhi_a/dnu_b (dimensionless) at rates nu (P,)."""
    KJ, KJ2, *_ = _net_arrays(net)
    mu, sigma = _input_stats(net, nu)
    _, dmu, dsig = _siegert_and_derivatives(mu, sigma, **_neuron(net))
    scale = net.tau_m / 1000.0
    with np.errstate(divide="ignore", invalid="ignore"):
        dsig_dnu = np.where(sigma[:, None] > 0, scale * KJ2 / (2.0 * sigma[:, None]), 0.0)
    return dmu[:, None] * scale * KJ + dsig[:, None] * dsig_dnu


def _vector_brent(f, lo, hi, flo, fhi, rtol, max_iter=200):
    """Vectorised bracketed root finder (Illinois false position, bisection fallback)."""
    lo, hi, flo, fhi = (np.array(x, dtype=float) for x in (lo, hi, flo, fhi))
    side = np.zeros(lo.shape, dtype=int)  # which end was kept last: -1 lo, +1 hi
    n = 0
    for n in range(1, max_iter + 1):  # noqa: B007
        with np.errstate(divide="ignore", invalid="ignore"):
            x = (lo * fhi - hi * flo) / (fhi - flo)
        bad = ~np.isfinite(x) | (x <= lo) | (x >= hi)
        x = np.where(bad, 0.5 * (lo + hi), x)
        fx = f(x)
        left = np.sign(fx) == np.sign(flo)  # root in [x, hi]: move lo
        # Illinois: halve the function value at an end kept twice in a row
        fhi = np.where(left & (side == 1), 0.5 * fhi, fhi)
        flo = np.where(~left & (side == -1), 0.5 * flo, flo)
        lo = np.where(left, x, lo)
        flo = np.where(left, fx, flo)
        hi = np.where(left, hi, x)
        fhi = np.where(left, fhi, fx)
        side = np.where(left, 1, -1)
        done = ((hi - lo) <= rtol * np.abs(hi) + 1e-300) | (fx == 0)
        if np.all(done):
            break
    conv = ((hi - lo) <= 10 * rtol * np.abs(hi) + 1e-300) | (flo == 0) | (fhi == 0)
    root = np.where(np.abs(flo) < np.abs(fhi), lo, hi)
    return root, conv, n


def _scan_roots_1d(F, nu_max, n_grid, rtol):
    """All sign changes of F on [0, nu_max] (grid 0 + log-spaced), refined."""
    grid = np.concatenate([[0.0], np.logspace(-6, math.log10(nu_max), n_grid)])
    vals = F(grid)
    roots = []
    if vals[0] == 0.0:
        roots.append(0.0)
    sc = np.nonzero(np.sign(vals[:-1]) * np.sign(vals[1:]) < 0)[0]
    if sc.size:
        r, conv, n = _vector_brent(F, grid[sc], grid[sc + 1], vals[sc], vals[sc + 1], rtol)
    else:
        r, conv, n = np.empty(0), np.empty(0, bool), 0
    exact = np.nonzero(vals[1:] == 0.0)[0] + 1
    return np.concatenate([roots, r, grid[exact]]), bool(np.all(conv)), n


def _default_nu_max(net, nu_max):
    if nu_max is not None:
        return check_positive("nu_max (Hz)", nu_max)
    if net.t_ref > 0:
        return 1000.0 / net.t_ref * (1.0 - 1e-12)
    return 1.0e4


def stationary_rates(
    net: LIFNetwork,
    *,
    tol: float = 1e-12,
    nu_max: float | None = None,
    n_grid: int = 400,
    n_starts: int = 36,
    max_jump: float = 0.1,
    max_refractory_fraction: float = 0.5,
    raise_on_failure: bool = True,
) -> LIFStationary:
    r"""All self-consistent stationary rates of an LIF network and their stability.

    Solves ``nu_a = Phi(mu_a(nu), sigma_a(nu))`` (Brunel 2000, eqs. 4-5 and 21) for
    every population.  Populations with identical inputs (identical rows of ``K``,
    ``J`` and external drive, e.g. E and I of Brunel's model A) share their rate at
    any fixed point, so the problem is reduced to its ``Q`` distinct groups:

    * ``Q = 1``: ``F(nu) = Phi(nu) - nu`` is scanned on ``0`` plus a log-spaced grid of
      ``n_grid`` points in ``[1e-6, nu_max]`` Hz and every sign change is refined
      (vectorised false position).  Guaranteed: every root where F changes sign
      between grid points is found (``complete=True``); tangential double roots
      between grid points could be missed.  ``F(nu_max) < 0`` when ``nu_max < 1/t_ref``.
    * ``Q >= 2``: multi-start Powell hybrid (analytic Jacobian, log-rate variables)
      from a grid of ``n_starts`` initial points, deduplicated; no completeness
      guarantee (``complete=False``).

    Each fixed point carries the eigenvalues of ``dPhi/dnu - I`` (analytic derivatives
    of the Siegert formula): the linear stability of the rate dynamics
    ``tau dnu/dt = -nu + Phi(nu)``.

    Parameters
    ----------
    net : LIFNetwork
    tol : float
        Relative tolerance of the rates.
    nu_max : float, optional
        Upper end of the search in Hz; default ``1/t_ref`` (1e4 Hz if ``t_ref = 0``).
    n_grid, n_starts : int
        Scan resolution (Q = 1) and number of starts (Q >= 2).
    max_jump, max_refractory_fraction : float
        Validity flags: PSPs ``|J| > max_jump (V_th - V_reset)`` or ``nu t_ref >
        max_refractory_fraction`` mark the result as outside the diffusion approximation.
    raise_on_failure : bool
        Raise :class:`~rnmf.results.ConvergenceError` if no fixed point is found or a
        refinement does not converge.

    Returns
    -------
    LIFStationary

    References
    ----------
    Brunel (2000) J Comput Neurosci 8:183, eqs. 4-5, 21; Amit & Brunel (1997).
    """
    if not isinstance(net, LIFNetwork):
        raise ValueError(f"net must be an LIFNetwork, got {type(net).__name__}")
    tol = check_positive("tol", tol)
    n_grid = check_int("n_grid", n_grid, minimum=10)
    n_starts = check_int("n_starts", n_starts, minimum=1)
    max_jump = check_positive("max_jump", max_jump)
    max_refractory_fraction = check_positive("max_refractory_fraction", max_refractory_fraction)
    nu_max = _default_nu_max(net, nu_max)
    options = dict(tol=tol, nu_max=nu_max, n_grid=n_grid, n_starts=n_starts)
    groups = _groups(net)
    Q = len(groups)
    rtol = max(tol, 4 * np.finfo(float).eps)

    def expand(x):  # group rates (..., Q) -> population rates (..., P)
        x = np.asarray(x, dtype=float)
        out = np.empty(x.shape[:-1] + (net.P,))
        for q, g in enumerate(groups):
            out[..., g] = x[..., q : q + 1]
        return out

    n_iter = 0
    if Q == 1:

        def F(nu):
            full = expand(np.asarray(nu)[..., None])
            return _phi(net, full)[0][..., 0] - nu

        roots, conv, n_iter = _scan_roots_1d(F, nu_max, n_grid, rtol)
        candidates = [expand(np.array([r])) for r in np.sort(roots)]
        complete = True
        method = "scan+false-position (reduced 1-D)"
    else:
        conv = True
        complete = False
        method = f"multi-start hybr ({Q} groups)"
        m = max(2, int(round(n_starts ** (1.0 / Q))))
        axis = np.logspace(-2, math.log10(nu_max * 0.9), m)
        candidates = []

        reps = [g[0] for g in groups]
        z_lo, z_hi = math.log(1e-300), math.log(nu_max)

        def log_phi(z):
            full = expand(np.exp(np.clip(z, z_lo, z_hi)))
            mu, sigma = _input_stats(net, full)
            return _log_rate_ms(mu, sigma, **_neuron(net))[0][..., reps] + math.log(1000.0)

        def G(z):  # log Phi(nu) - log nu
            return log_phi(z) - z

        def dG(z):
            nu = np.exp(np.clip(z, z_lo, z_hi))
            full = expand(nu)
            phi = _phi(net, full)[0][reps]
            Jf = _jacobian(net, full)[reps]
            Jq = np.stack([Jf[:, g].sum(axis=1) for g in groups], axis=1)
            return Jq * nu[None, :] / phi[:, None] - np.eye(Q)

        starts = np.log(np.array(list(itertools.product(axis, repeat=Q))))
        bal = balanced_rates(net)
        if bal.positive and np.all(bal.rates < nu_max):
            # the large-K balanced solution is a good start where the gain is high
            starts = np.concatenate([np.log(bal.rates[reps])[None, :], starts])
        # relaxation of tau dnu/dt = -nu + Phi(nu) from every start (finds the stable
        # states), then Powell hybrid from every start and every relaxed point
        z = starts.copy()
        for _ in range(300):
            z = z + np.log1p(0.3 * np.expm1(np.clip(G(z), -50, 50)))
            z = np.clip(z, z_lo, z_hi)
        n_iter += 300 * len(starts)
        with np.errstate(all="ignore"):
            for start in np.concatenate([z, starts]):
                sol = optimize.root(G, start, jac=dG, method="hybr", tol=1e-14)
                n_iter += int(sol.nfev)
                if not np.all(np.isfinite(sol.x)) or np.any(sol.x > z_hi) or np.any(sol.x < z_lo):
                    continue
                if np.max(np.abs(G(sol.x))) > 1e3 * rtol:
                    continue
                nu = np.exp(sol.x)
                if all(np.max(np.abs(nu - c) / nu) > 1e-6 for c in candidates):
                    candidates.append(nu)
        candidates = [expand(c) for c in sorted(candidates, key=lambda c: float(np.mean(c)))]

    sols = []
    for nu in candidates:
        mu, sigma = _input_stats(net, nu)
        phi = _phi(net, nu)[0]
        resid = float(np.max(np.abs(phi - nu)) / max(float(np.max(nu)), 1e-300))
        ev = np.linalg.eigvals(_jacobian(net, nu) - np.eye(net.P))
        cv = _cv(mu, sigma, **_neuron(net))
        sols.append(
            LIFFixedPoint(
                rates=nu,
                mu=mu,
                sigma=sigma,
                cv=cv,
                eigenvalues=ev,
                stable=bool(np.all(ev.real < 0)),
                residual=resid,
            )
        )
    sols.sort(key=lambda s: float(np.mean(s.rates)))
    validity = []
    J_all = np.abs(np.asarray(net.J))[np.asarray(net.K) > 0]
    J_all = np.concatenate([J_all, np.abs(np.asarray(net.J_ext))[np.asarray(net.C_ext) > 0]])
    if J_all.size and J_all.max() > max_jump * (net.V_th - net.V_reset):
        validity.append(
            f"PSP {J_all.max():g} mV exceeds {max_jump:g} (V_th - V_reset): "
            "the diffusion approximation needs many small jumps"
        )
    if any(float(np.max(s.rates)) * net.t_ref / 1000.0 > max_refractory_fraction for s in sols):
        validity.append(
            f"a solution has nu t_ref > {max_refractory_fraction:g}: rates dominated by "
            "refractoriness (near saturation), the white-noise approximation is poor"
        )
    if sols:
        stable = [s for s in sols if s.stable]
        primary = stable[0] if stable else sols[0]
        residual = max(s.residual for s in sols)
        ok = conv and residual < 1e3 * rtol + 1e-12
        status = Status.CONVERGED if ok else Status.TOLERANCE
    else:
        nanv = np.full(net.P, np.nan)
        primary = LIFFixedPoint(nanv, nanv, nanv, nanv, nanv.astype(complex), False, np.inf)
        residual, ok, status = float("inf"), False, Status.NO_SOLUTION
    result = LIFStationary(
        model=net,
        method=method,
        options=options,
        converged=ok,
        status=status,
        n_iter=int(n_iter),
        residual=residual,
        rates=primary.rates,
        mu=primary.mu,
        sigma=primary.sigma,
        cv=primary.cv,
        eigenvalues=primary.eigenvalues,
        stable=primary.stable,
        solutions=tuple(sols),
        n_solutions=len(sols),
        complete=complete,
        diffusion_valid=not validity,
        validity=tuple(validity),
    )
    return finish(result, raise_on_failure)


@dataclass(frozen=True, kw_only=True, repr=False)
class BrunelGrid(Result):
    """Fixed points of Brunel's model A over a grid of (g, eta).

    Attributes
    ----------
    g, eta : ndarray
        Broadcast grid (shape S).
    rates : ndarray (S + (n_max,))
        All fixed-point rates (Hz) at each grid point, ascending, NaN-padded.
    stable : ndarray of bool (S + (n_max,))
        Rate-dynamics stability of each (``F'(nu) < 0`` in the reduced 1-D problem).
    n_solutions : ndarray of int (S)
    """

    g: np.ndarray
    eta: np.ndarray
    rates: np.ndarray
    stable: np.ndarray
    n_solutions: np.ndarray


def brunel_rates(
    g: Any,
    eta: Any,
    *,
    tol: float = 1e-12,
    n_grid: int = 100,
    raise_on_failure: bool = True,
    **brunel_kwargs: Any,
) -> BrunelGrid:
    r"""All stationary rates of Brunel's model A on a (g, eta) grid, vectorised.

    Model A has identical E and I neurons, so ``nu_E = nu_I = nu`` with
    ``mu = C_E J tau (nu_ext + nu (1 - g gamma))``, ``sigma^2 = C_E J^2 tau (nu_ext +
    nu (1 + g^2 gamma))`` (Brunel 2000, eqs. 4-5) and ``nu = Phi(mu, sigma)`` (eq. 21).
    All grid points are scanned and refined together (same method as
    :func:`stationary_rates` with one group).

    Parameters
    ----------
    g, eta : array_like
        Relative inhibition and ``nu_ext / nu_thr``, broadcast against each other.
    brunel_kwargs
        Passed to :meth:`LIFNetwork.brunel` (``N_E, gamma, epsilon, J, D, tau_m, V_th,
        V_reset, t_ref, ...``).

    References
    ----------
    Brunel (2000) J Comput Neurosci 8:183, eqs. 4-5, 21 and Fig. 2.
    """
    g, eta = np.broadcast_arrays(np.asarray(g, dtype=float), np.asarray(eta, dtype=float))
    if np.any(~np.isfinite(g)) or np.any(g < 0):
        raise ValueError("g must be finite and >= 0")
    if np.any(~np.isfinite(eta)) or np.any(eta < 0):
        raise ValueError("eta (nu_ext / nu_thr) must be finite and >= 0")
    n_grid = check_int("n_grid", n_grid, minimum=10)
    tol = check_positive("tol", tol)
    net = LIFNetwork.brunel(1.0, 1.0, **brunel_kwargs)  # validates the kwargs
    nb = _neuron(net)
    KJ, KJ2, *_ = _net_arrays(net)
    C_E, C_I = net.K[0]
    J = net.J[0][0]
    gamma = C_I / C_E
    nu_thr = net.V_th / (J * C_E * net.tau_m) * 1000.0
    ext_rate = eta.ravel() * nu_thr
    gg = g.ravel()
    sc = net.tau_m / 1000.0
    C_ext, J_ext = net.C_ext[0], net.J_ext[0]

    def F(nu, idx=slice(None)):
        ge = gg[idx]
        xe = ext_rate[idx]
        mu = sc * (C_E * J * nu * (1.0 - ge * gamma) + C_ext * J_ext * xe)
        var = sc * (C_E * J**2 * nu * (1.0 + ge**2 * gamma) + C_ext * J_ext**2 * xe)
        return _siegert_and_derivatives(mu, np.sqrt(var), **nb)[0] - nu

    nu_max = _default_nu_max(net, None)
    grid = np.concatenate([[0.0], np.logspace(-6, math.log10(nu_max), n_grid)])
    vals = F(grid[None, :], (slice(None), None))
    crossing = np.sign(vals[:, :-1]) * np.sign(vals[:, 1:]) < 0
    pt, k = np.nonzero(crossing)
    rtol = max(tol, 4 * np.finfo(float).eps)
    root, conv, n_iter = _vector_brent(
        lambda x: F(x, pt), grid[k], grid[k + 1], vals[pt, k], vals[pt, k + 1], rtol
    )
    zero_pt = np.nonzero(vals[:, 0] == 0.0)[0]
    pt = np.concatenate([zero_pt, pt])
    root = np.concatenate([np.zeros(zero_pt.size), root])
    npts = gg.size
    counts = np.bincount(pt, minlength=npts)
    n_max = max(int(counts.max()) if counts.size else 0, 1)
    rates = np.full((npts, n_max), np.nan)
    order = np.lexsort((root, pt))
    pt, root = pt[order], root[order]
    slot = np.arange(pt.size) - np.searchsorted(pt, pt)
    rates[pt, slot] = root
    # slope of F at the root: stable iff F'(nu) < 0 (sign alternates along nu)
    stable = np.zeros_like(rates, dtype=bool)
    for j in range(n_max):
        have = ~np.isnan(rates[:, j])
        x = rates[have, j]
        h = np.maximum(1e-7 * x, 1e-12)
        idx = np.nonzero(have)[0]
        stable[have, j] = (F(x + h, idx) - F(np.maximum(x - h, 0.0), idx)) < 0
    shape = g.shape
    ok = bool(np.all(conv)) and bool(np.all(counts > 0))
    result = BrunelGrid(
        model=net,
        method="vectorised scan+false-position",
        options=dict(tol=tol, n_grid=n_grid, **brunel_kwargs),
        converged=ok,
        status=Status.CONVERGED if ok else Status.NO_SOLUTION,
        n_iter=int(n_iter),
        residual=0.0,
        g=g,
        eta=eta,
        rates=rates.reshape(shape + (n_max,)),
        stable=stable.reshape(shape + (n_max,)),
        n_solutions=counts.reshape(shape),
    )
    return finish(result, raise_on_failure)


# ---------------------------------------------------------------------------
# Linear response (transfer function)
# ---------------------------------------------------------------------------


def _response_scalar(lam, mu, sigma, nu_hz, tau_m, V_th, V_reset, t_ref):
    """(G_mu [Hz/mV], G_sigma2 [Hz/mV^2]) at one complex Laplace variable lam (1/ms)."""
    Om = -mpmath.mpc(lam) * tau_m  # LSG's i*omega for a perturbation e^{lam t}
    zT = mpmath.sqrt(2) * (mu - V_th) / sigma
    zR = mpmath.sqrt(2) * (mu - V_reset) / sigma
    ed = mpmath.exp((zR**2 - zT**2) / 4)
    D = sigma**2 / 2.0
    den = mpmath.pcfd(Om, zT) - ed * mpmath.exp(-mpmath.mpc(lam) * t_ref) * mpmath.pcfd(Om, zR)
    n1 = mpmath.pcfd(Om - 1, zT) - ed * mpmath.pcfd(Om - 1, zR)
    n2 = mpmath.pcfd(Om - 2, zT) - ed * mpmath.pcfd(Om - 2, zR)
    g_mu = nu_hz * Om / (mpmath.sqrt(D) * (Om - 1)) * n1 / den
    g_d = nu_hz * Om * (Om - 1) / (D * (2 - Om)) * n2 / den
    return complex(g_mu), complex(g_d) / 2.0


def transfer_function(
    frequency: Any,
    mu: float,
    sigma: float,
    *,
    tau_m: float = 20.0,
    V_th: float = 20.0,
    V_reset: float = 10.0,
    t_ref: float = 2.0,
    laplace: bool = False,
    dps: int = 20,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Linear rate response of a white-noise driven LIF neuron to mu and sigma^2 modulations.

    For ``mu(t) = mu_0 + mu_1 e^{i omega t}`` and ``sigma^2(t) = sigma_0^2 + s_1 e^{i omega t}``
    the rate is ``nu_0 + [G_mu(omega) mu_1 + G_{sigma^2}(omega) s_1] e^{i omega t}`` with
    (``Omega = i omega tau_m``, ``z_{T,R} = sqrt(2)(mu_0 - V_{th,r})/sigma_0``,
    ``Delta = (z_R^2 - z_T^2)/4``, ``D = sigma_0^2/2``)

    .. math::

        G_\mu = \frac{\nu_0\,\Omega}{\sqrt{D}(\Omega-1)}
            \frac{\mathcal D_{\Omega-1}(z_T) - e^{\Delta}\mathcal D_{\Omega-1}(z_R)}
                 {\mathcal D_{\Omega}(z_T) - e^{\Delta} e^{i\omega\tau_{ref}}\mathcal D_{\Omega}(z_R)},
        \qquad
        G_{\sigma^2} = \frac{\nu_0\,\Omega(\Omega-1)}{2D(2-\Omega)}
            \frac{\mathcal D_{\Omega-2}(z_T) - e^{\Delta}\mathcal D_{\Omega-2}(z_R)}
                 {\mathcal D_{\Omega}(z_T) - e^{\Delta} e^{i\omega\tau_{ref}}\mathcal D_{\Omega}(z_R)}

    with parabolic cylinder functions ``D_nu(z)`` (mpmath ``pcfd``, complex order).
    ``omega -> 0`` reproduces the derivatives of the Siegert formula (tested);
    ``|G_mu| ~ omega^{-1/2}`` at high frequency, ``G_sigma2`` tends to a constant.

    Parameters
    ----------
    frequency : array_like
        Frequencies in Hz (``omega = 2 pi f``); with ``laplace=True`` complex Laplace
        variables ``lambda`` in 1/s instead (``lambda = i omega`` on the imaginary axis).
    mu, sigma : float
        Stationary input mean and std (mV), ``sigma > 0``.
    dps : int
        mpmath working precision (decimal digits).

    Returns
    -------
    G_mu, G_sigma2 : ndarray of complex
        In Hz/mV and Hz/mV^2; at frequency 0 the Siegert derivatives.

    References
    ----------
    Lindner & Schimansky-Geier (2001) PRL 86:2934 (susceptibilities to a signal in the mean
    and in the noise intensity); Brunel & Hakim (1999) Neural Comput 11:1621, Sec. 4 and
    Appendix B;
    Brunel, Chance, Fourcaud & Abbott (2001) PRL 86:2186.
    """
    tau_m, V_th, V_reset, t_ref, _ = _validate_neuron(tau_m, V_th, V_reset, t_ref, 0.0)
    mu = check_finite("mu (mV)", mu)
    sigma = check_positive("sigma (mV)", sigma)
    dps = check_int("dps", dps, minimum=15)
    f = np.asarray(frequency)
    if not np.all(np.isfinite(f)):
        raise ValueError("frequency must be finite")
    if not laplace and (np.iscomplexobj(f) or np.any(f < 0)):
        raise ValueError(
            "frequency (Hz) must be real and >= 0; pass laplace=True for complex lambda"
        )
    lam = (f / 1000.0) if laplace else (2j * math.pi * f / 1000.0)  # 1/ms
    lam = np.asarray(lam, dtype=complex)
    nu, dmu, dsig = _siegert_and_derivatives(
        np.asarray(mu), np.asarray(sigma), tau_m, V_th, V_reset, t_ref, 0.0
    )
    gm = np.empty(lam.shape, dtype=complex)
    gs = np.empty(lam.shape, dtype=complex)
    with mpmath.workdps(dps):
        for idx, lv in np.ndenumerate(lam):
            if lv == 0:
                gm[idx], gs[idx] = float(dmu), float(dsig) / (2.0 * sigma)
            else:
                gm[idx], gs[idx] = _response_scalar(
                    lv, mu, sigma, float(nu), tau_m, V_th, V_reset, t_ref
                )
    return gm, gs


# ---------------------------------------------------------------------------
# Linear stability of the asynchronous state
# ---------------------------------------------------------------------------


def _delay_factor(net: LIFNetwork, lam: complex) -> complex:
    """Laplace transform of the delay distribution (fixed or uniform in [delay, delay_max])."""
    if net.delay_max is None or net.delay_max == net.delay:
        return complex(np.exp(-lam * net.delay))
    width = net.delay_max - net.delay
    if abs(lam) * width < 1e-8:
        return complex(np.exp(-lam * 0.5 * (net.delay + net.delay_max)))
    return complex((np.exp(-lam * net.delay) - np.exp(-lam * net.delay_max)) / (lam * width))


class _Characteristic:
    """det(I - d(lam) M(lam)) for the reduced (group) coupling of an LIF network."""

    def __init__(self, net: LIFNetwork, rates: np.ndarray, dps: int):
        self.net = net
        self.groups = _groups(net)
        reps = [g[0] for g in self.groups]
        self.mu, self.sigma = _input_stats(net, rates)
        self.mu, self.sigma = self.mu[reps], self.sigma[reps]
        self.nu = rates[reps]
        KJ, KJ2, *_ = _net_arrays(net)
        sc = net.tau_m / 1000.0
        self.A = np.stack([sc * KJ[reps][:, g].sum(axis=1) for g in self.groups], axis=1)
        self.B = np.stack([sc * KJ2[reps][:, g].sum(axis=1) for g in self.groups], axis=1)
        self.dps = dps
        self.n_eval = 0

    def coupling(self, lam: complex) -> np.ndarray:
        """Effective coupling M(lam) (dimensionless), lam in 1/ms."""
        net = self.net
        Q = len(self.groups)
        gm = np.empty(Q, dtype=complex)
        gs = np.empty(Q, dtype=complex)
        if np.all(self.nu < 1e-12):
            # responses scale with nu_0: a silent state does not respond (and the
            # parabolic cylinder functions are slow there)
            gm[:], gs[:] = 0.0, 0.0
        elif lam == 0:
            _, dmu, dsig = _siegert_and_derivatives(
                self.mu, self.sigma, net.tau_m, net.V_th, net.V_reset, net.t_ref, 0.0
            )
            gm[:], gs[:] = dmu, dsig / (2.0 * self.sigma)
        else:
            with mpmath.workdps(self.dps):
                for q in range(Q):
                    gm[q], gs[q] = _response_scalar(
                        lam,
                        float(self.mu[q]),
                        float(self.sigma[q]),
                        float(self.nu[q]),
                        net.tau_m,
                        net.V_th,
                        net.V_reset,
                        net.t_ref,
                    )
        self.n_eval += 1
        return _delay_factor(net, lam) * (gm[:, None] * self.A + gs[:, None] * self.B)

    def __call__(self, lam: complex) -> complex:
        M = self.coupling(lam)
        return complex(np.linalg.det(np.eye(M.shape[0]) - M))

    def root(self, lam0: complex, tol: float = 1e-11, max_iter: int = 60):
        """Secant iteration for det(I - M(lam)) = 0 from lam0 (1/ms)."""
        x0, x1 = lam0, lam0 * (1 + 1e-4) + 1e-6j
        f0, f1 = self(x0), self(x1)
        for _ in range(max_iter):
            if f1 == f0:
                break
            x2 = x1 - f1 * (x1 - x0) / (f1 - f0)
            if not np.isfinite(x2) or abs(x2) > 50.0:
                return None
            x0, f0, x1 = x1, f1, x2
            f1 = self(x1)
            if abs(x1 - x0) < tol * max(abs(x1), 1e-3):
                # roots come in conjugate pairs: report the one with Im >= 0
                return complex(x1.real, abs(x1.imag))
        return None


@dataclass(frozen=True, kw_only=True, repr=False)
class AsyncStability(Result):
    """Linear stability of the asynchronous stationary state with delays.

    Attributes
    ----------
    rates : ndarray (P,)
        Stationary rates analysed (Hz).
    stable : bool
        No root of ``det(I - e^{-lambda D} M(lambda)) = 0`` with ``Re lambda > 0``.
    n_unstable : int
        Number of roots in the right half plane (Nyquist argument principle, counting
        complex-conjugate pairs twice).
    eigenvalue : complex
        Root with the largest real part among those located (in 1/s).
    frequency : float
        ``Im(eigenvalue) / 2 pi`` (Hz): the oscillation frequency of the mode.
    roots : tuple of complex
        All located roots (1/s), by decreasing real part.
    nyquist_frequencies, nyquist_values : ndarray
        The curve ``e^{-i omega D} M(i omega)`` used for the count (scalar networks) or
        ``1 - det(I - ...)`` (several groups).
    tail_ok : bool
        ``|coupling| < 1`` beyond ``f_max``, so the count over ``[0, f_max]`` is complete.
    """

    rates: np.ndarray
    stable: bool
    n_unstable: int
    eigenvalue: complex
    frequency: float
    roots: tuple = ()
    nyquist_frequencies: np.ndarray = field(default_factory=lambda: np.empty(0))
    nyquist_values: np.ndarray = field(default_factory=lambda: np.empty(0))
    tail_ok: bool = True

    def _repr_rows(self):
        return [
            ("method", self.method),
            ("rates", _fmt_arr(self.rates) + " Hz"),
            ("stable", str(self.stable)),
            ("n_unstable", str(self.n_unstable)),
            ("eigenvalue", f"{self.eigenvalue.real:.4g} {self.eigenvalue.imag:+.4g}j  1/s"),
            ("frequency", f"{self.frequency:.4g} Hz"),
            ("tail_ok", str(self.tail_ok)),
        ]


def _fmt_arr(x) -> str:
    return "[" + ", ".join(f"{v:.6g}" for v in np.ravel(x)) + "]"


def asynchronous_stability(
    net: LIFNetwork,
    *,
    rates: Any = None,
    f_max: float = 1000.0,
    df: float = 10.0,
    dps: int = 15,
    raise_on_failure: bool = True,
) -> AsyncStability:
    r"""Linear stability of the asynchronous state of an LIF network with delays.

    A perturbation ``nu_b(t) = nu_b + n_b e^{lambda t}`` modulates the input mean and
    variance of population ``a`` by ``tau_m sum_b K_ab J_ab n_b e^{-lambda D}`` and
    ``tau_m sum_b K_ab J_ab^2 n_b e^{-lambda D}``; with the single-neuron responses
    ``G_mu, G_sigma2`` (:func:`transfer_function`) the eigenvalues solve

    .. math::

        \det\Big[I - e^{-\lambda D}\big(G_\mu(\lambda)\,\tau_m K\circ J
            + G_{\sigma^2}(\lambda)\,\tau_m K\circ J^2\big)\Big] = 0,

    which for model A is Brunel's ``1 = e^{-lambda D}[G_mu C_E J tau (1 - g gamma) +
    G_sigma2 C_E J^2 tau (1 + g^2 gamma)]`` (Brunel 2000, Sec. 4, linear stability of
    the stationary state; Brunel & Hakim 1999, Sec. 4).  Roots in the right half plane are counted with the argument
    principle along ``lambda = i omega``, ``0 <= f <= f_max`` (adaptively refined); the
    dominant roots are then located by secant iteration from the minima of ``|det|``.
    Distributed delays (``delay_max``) enter through the Laplace transform of the
    uniform delay density.  Delta synapses only (``tau_s = 0``).  Cost: about 100-200
    evaluations of six parabolic cylinder functions, 1-3 s per state; near saturation
    (rates of several hundred Hz, outside the diffusion approximation) mpmath is much
    slower (about a minute).

    Parameters
    ----------
    net : LIFNetwork
    rates : array_like (P,), optional
        Stationary rates (Hz); default the primary solution of :func:`stationary_rates`.
    f_max, df : float
        Frequency range and initial resolution (Hz) of the Nyquist scan.
    dps : int
        mpmath precision for the parabolic cylinder functions.

    References
    ----------
    Brunel (2000) J Comput Neurosci 8:183, Sec. 4 and Fig. 2;
    Brunel & Hakim (1999) Neural Comput 11:1621, Sec. 4; Lindner & Schimansky-Geier (2001).
    """
    if not isinstance(net, LIFNetwork):
        raise ValueError(f"net must be an LIFNetwork, got {type(net).__name__}")
    if net.tau_s != 0:
        raise ValueError(
            f"asynchronous_stability treats delta synapses only; got tau_s = {net.tau_s:g} ms "
            "(set tau_s = 0)"
        )
    f_max = check_positive("f_max (Hz)", f_max)
    df = check_positive("df (Hz)", df)
    dps = check_int("dps", dps, minimum=15)
    if rates is None:
        rates = stationary_rates(net).rates
    rates = np.asarray(rates, dtype=float)
    if rates.shape != (net.P,) or np.any(~np.isfinite(rates)) or np.any(rates <= 0):
        raise ValueError(f"rates must be {net.P} finite positive values (Hz), got {rates!r}")
    ch = _Characteristic(net, rates, dps)
    if np.any(ch.sigma <= 0):
        raise ValueError("the input has sigma = 0: no diffusion-approximation response exists")
    options = dict(f_max=f_max, df=df, dps=dps)

    # Nyquist scan with adaptive refinement of fast phase changes
    def fval(f):
        return ch(2j * math.pi * f / 1000.0)

    freqs = list(np.linspace(0.0, f_max, int(math.ceil(f_max / df)) + 1))
    vals = [fval(f) for f in freqs]
    i = 0
    while i < len(freqs) - 1:
        jump = abs(np.angle(vals[i + 1] / vals[i])) if vals[i] != 0 else np.pi
        if jump > np.pi / 4 and freqs[i + 1] - freqs[i] > 1e-3:
            fm = 0.5 * (freqs[i] + freqs[i + 1])
            freqs.insert(i + 1, fm)
            vals.insert(i + 1, fval(fm))
        else:
            i += 1
    freqs = np.array(freqs)
    vals = np.array(vals)
    phase = np.unwrap(np.angle(vals))
    n_unstable = int(round(-(phase[-1] - phase[0]) / math.pi))
    tail = [abs(1.0 - fval(f)) for f in (f_max, 2 * f_max, 4 * f_max)]
    tail_ok = bool(max(tail) < 0.9)
    # locate roots from local minima of |det| and from the real axis
    mag = np.abs(vals)
    starts = [
        2j * math.pi * freqs[k] / 1000.0
        for k in range(1, len(freqs) - 1)
        if mag[k] <= mag[k - 1] and mag[k] <= mag[k + 1]
    ]
    if vals[0].real < 0:
        starts.append(0.05)
    roots: list[complex] = []
    for s0 in starts:
        r = ch.root(complex(s0))
        if r is None:
            continue
        r = complex(r.real, abs(r.imag))
        if all(abs(r - q) > 1e-7 * max(abs(r), 1e-3) for q in roots):
            roots.append(r)
    roots.sort(key=lambda z: -z.real)
    n_found_unstable = sum(2 if r.imag > 1e-9 else 1 for r in roots if r.real > 0)
    ok = tail_ok and n_found_unstable == n_unstable
    lead = roots[0] if roots else complex("nan")
    result = AsyncStability(
        model=net,
        method="Nyquist count + secant roots (parabolic cylinder functions)",
        options=options,
        converged=ok,
        status=Status.CONVERGED if ok else Status.TOLERANCE,
        n_iter=ch.n_eval,
        residual=abs(ch(lead)) if roots else float("inf"),
        rates=rates,
        stable=n_unstable == 0,
        n_unstable=n_unstable,
        eigenvalue=lead * 1000.0,
        frequency=float(lead.imag * 1000.0 / (2 * math.pi)),
        roots=tuple(r * 1000.0 for r in roots),
        nyquist_frequencies=freqs,
        nyquist_values=1.0 - vals,
        tail_ok=tail_ok,
    )
    return finish(result, raise_on_failure)


@dataclass(frozen=True, kw_only=True, repr=False)
class HopfBoundary(Result):
    """Hopf boundaries of Brunel's model A in the (g, eta) plane.

    Attributes
    ----------
    g : ndarray (n_g,)
    eta : ndarray (n_g, n_max)
        For each g the ``eta = nu_ext/nu_thr`` values where a tracked root crosses
        ``Re lambda = 0`` (ascending, NaN-padded).
    frequency : ndarray (n_g, n_max)
        Oscillation frequency (Hz) of the crossing mode.
    becomes_unstable : ndarray of bool (n_g, n_max)
        True where the mode becomes unstable as eta increases.
    """

    g: np.ndarray
    eta: np.ndarray
    frequency: np.ndarray
    becomes_unstable: np.ndarray

    def _repr_rows(self):
        rows = [("method", self.method), ("status", str(self.status))]
        for i, g in enumerate(self.g):
            items = [
                f"eta={e:.4g} ({f:.4g} Hz, {'->unstable' if u else '->stable'})"
                for e, f, u in zip(
                    self.eta[i], self.frequency[i], self.becomes_unstable[i], strict=True
                )
                if np.isfinite(e)
            ]
            rows.append((f"g={g:g}", "; ".join(items) or "no crossing"))
        return rows


def hopf_boundary(
    g_values: Any,
    *,
    eta_range: tuple[float, float] = (1.0, 4.0),
    n_eta: int = 8,
    f_max: float = 1000.0,
    df: float = 10.0,
    dps: int = 15,
    xtol: float = 1e-6,
    raise_on_failure: bool = True,
    **brunel_kwargs: Any,
) -> HopfBoundary:
    r"""Hopf bifurcation lines of the asynchronous state of Brunel's model A.

    For each ``g`` the roots of the eigenvalue equation (:func:`asynchronous_stability`,
    Brunel 2000 Sec. 4) below ``f_max`` are located at both ends of ``eta_range`` by the
    Nyquist scan, then followed by secant continuation over ``n_eta`` values of ``eta``
    (from each end across the range, halving a step up to three times where the root
    cannot be followed); where a
    root's real part changes sign, ``Re lambda(eta) = 0`` is solved by Brent's method
    (to ``xtol`` in eta) and the frequency ``Im lambda / 2 pi`` recorded.  These are the
    boundaries of Brunel (2000) Fig. 2 between the asynchronous irregular state and the
    synchronous irregular fast (roots near ``1/(2D)``...``1/D``) and slow (tens of Hz)
    states.  Roots that enter from above ``f_max`` or are born between ``eta`` samples
    are not followed.

    Parameters
    ----------
    g_values : array_like
        Relative inhibition strengths.
    eta_range, n_eta : tuple, int
        Range of ``nu_ext / nu_thr`` and number of continuation steps.
    brunel_kwargs
        Passed to :meth:`LIFNetwork.brunel`.

    References
    ----------
    Brunel (2000) J Comput Neurosci 8:183, Sec. 4 and Fig. 2; Brunel & Hakim (1999).
    """
    g_values = np.atleast_1d(np.asarray(g_values, dtype=float))
    if g_values.ndim != 1 or np.any(~np.isfinite(g_values)) or np.any(g_values < 0):
        raise ValueError("g_values must be a 1-D sequence of finite values >= 0")
    lo, hi = (check_positive("eta_range", v) for v in eta_range)
    if hi <= lo:
        raise ValueError(f"eta_range must be increasing, got {eta_range!r}")
    n_eta = check_int("n_eta", n_eta, minimum=2)
    xtol = check_positive("xtol", xtol)
    etas = np.linspace(lo, hi, n_eta)
    out_eta: list[list[float]] = []
    out_f: list[list[float]] = []
    out_u: list[list[bool]] = []
    ok = True
    n_eval = 0

    made: list[_Characteristic] = []

    def characteristic(g, eta):
        net = LIFNetwork.brunel(g, eta, **brunel_kwargs)
        if net.tau_s != 0:
            raise ValueError("hopf_boundary treats delta synapses only (tau_s = 0)")
        st = stationary_rates(net)
        made.append(_Characteristic(net, st.rates, dps))
        return made[-1]

    for g in g_values:
        crossings: list[tuple[float, float, bool]] = []
        # roots located at both ends of the eta range, each followed across it
        for order in (range(n_eta), range(n_eta - 1, -1, -1)):
            order = list(order)
            end = asynchronous_stability(
                LIFNetwork.brunel(g, etas[order[0]], **brunel_kwargs),
                f_max=f_max,
                df=df,
                dps=dps,
                raise_on_failure=False,
            )
            n_eval += end.n_iter
            ok = ok and end.tail_ok
            for root in end.roots:
                if not (0 < root.imag / (2 * math.pi) < f_max):
                    continue
                path = [(etas[order[0]], root / 1000.0)]
                for k in order[1:]:
                    seg, seg_ok = _follow(characteristic, g, *path[-1], etas[k], depth=3)
                    path.extend(seg)
                    if not seg_ok:
                        ok = False
                        break
                for (e0, l0), (e1, l1) in itertools.pairwise(path):
                    if np.sign(l0.real) == np.sign(l1.real):
                        continue
                    state = {"lam": l0}

                    def re_part(eta, state=state, g=g):
                        r = characteristic(g, eta).root(state["lam"])
                        if r is None:
                            raise _RootLost
                        state["lam"] = r
                        return r.real

                    try:
                        eta_c = optimize.brentq(re_part, min(e0, e1), max(e0, e1), xtol=xtol)
                    except _RootLost:
                        ok = False
                        continue
                    f_c = state["lam"].imag * 1000.0 / (2 * math.pi)
                    re_hi = l1.real if e1 > e0 else l0.real
                    if all(
                        abs(eta_c - c[0]) > 100 * xtol or abs(f_c - c[1]) > 1e-3 * f_c
                        for c in crossings
                    ):
                        crossings.append((eta_c, f_c, bool(re_hi > 0)))
        crossings.sort()
        out_eta.append([c[0] for c in crossings])
        out_f.append([c[1] for c in crossings])
        out_u.append([c[2] for c in crossings])
    n_max = max([len(e) for e in out_eta] + [1])

    def pad(rows, fill, dtype):
        arr = np.full((len(rows), n_max), fill, dtype=dtype)
        for i, r in enumerate(rows):
            arr[i, : len(r)] = r
        return arr

    result = HopfBoundary(
        model=None,
        method="Nyquist roots + secant continuation in eta + Brent",
        options=dict(eta_range=(lo, hi), n_eta=n_eta, f_max=f_max, df=df, dps=dps, **brunel_kwargs),
        converged=ok,
        status=Status.CONVERGED if ok else Status.TOLERANCE,
        n_iter=int(n_eval + sum(c.n_eval for c in made)),
        residual=0.0,
        g=g_values,
        eta=pad(out_eta, np.nan, float),
        frequency=pad(out_f, np.nan, float),
        becomes_unstable=pad(out_u, False, bool),
    )
    return finish(result, raise_on_failure)


def _follow(characteristic, g, eta_a, lam_a, eta_b, depth):
    """Continue a root from (eta_a, lam_a) to eta_b, halving the step on failure.

    Returns the list of (eta, lam) reached after eta_a and whether eta_b was reached."""
    r = characteristic(g, eta_b).root(lam_a)
    if r is not None and abs(r - lam_a) < 0.5 * abs(lam_a) + 1e-3:
        return [(eta_b, r)], True
    if depth == 0:
        return [], False
    mid = 0.5 * (eta_a + eta_b)
    first, ok = _follow(characteristic, g, eta_a, lam_a, mid, depth - 1)
    if not ok:
        return first, False
    second, ok = _follow(characteristic, g, *first[-1], eta_b, depth - 1)
    return first + second, ok


class _RootLost(Exception):
    """Internal: a root could not be followed during the Hopf search."""


# ---------------------------------------------------------------------------
# Balanced state
# ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, repr=False)
class BalancedRates(Result):
    """Leading-order rates of the balanced state (van Vreeswijk & Sompolinsky 1998).

    Attributes
    ----------
    rates : ndarray (P,)
        ``nu = -W^{-1} I_ext`` in Hz (populations with identical inputs share a rate).
    positive : bool
        All rates > 0: the balanced solution exists.
    W : ndarray (Q, Q)
        Reduced total coupling ``sum_{b in B} K_ab J_ab`` (mV) between the Q groups.
    I_ext : ndarray (Q,)
        External drive ``C_ext J_ext nu_ext`` (mV Hz).
    conditions : str
        The inequalities the drive and couplings must satisfy (two groups) or the
        general criterion.
    """

    rates: np.ndarray
    positive: bool
    W: np.ndarray
    I_ext: np.ndarray
    conditions: str = ""


def balanced_rates(net: LIFNetwork) -> BalancedRates:
    r"""Leading-order balanced-state rates for large in-degree, ``J ~ 1/sqrt(K)``.

    With ``K_ab = O(K)`` and ``J_ab = O(1/sqrt(K))`` the mean input
    ``mu_a = tau (sum_b K_ab J_ab nu_b + C_ext J_ext nu_ext) + mu_ext`` is a sum of
    ``O(sqrt K)`` terms; it stays finite only if they cancel to leading order,

    .. math:: \sum_b W_{ab}\nu_b + I_{ext,a} = 0 \;\Rightarrow\; \nu = -W^{-1} I_{ext},

    (van Vreeswijk & Sompolinsky 1998, Sec. 4, the balance conditions, in their notation
    ``E m_E - J_E m_I + E m_0 = 0``, ``I m_E - J_I m_I + I m_0 = 0``), independent of the
    single-neuron transfer function; ``mu_ext`` is O(1) and drops out.  Populations
    with identical inputs are merged first (for Brunel's model A, ``nu = nu_ext /
    (g gamma - 1)``).  For two groups with ``W = [[w_EE, -w_EI], [w_IE, -w_II]]``
    (all ``w > 0``) the solution is positive iff
    ``I_E/I_I > w_EI/w_II > w_EE/w_IE`` or ``I_E/I_I < w_EI/w_II < w_EE/w_IE``; van
    Vreeswijk & Sompolinsky's balanced state requires the first (their Sec. 4,
    ``E/I > J_E/J_I > 1`` after normalisation).  Corrections are ``O(1/sqrt(K))``.

    Returns
    -------
    BalancedRates
        ``converged=False`` (status NO_SOLUTION) when W is singular; ``positive`` tells
        whether the balanced state exists.  Never raises for a valid network.

    References
    ----------
    C. van Vreeswijk and H. Sompolinsky, Neural Comput. 10, 1321 (1998), Sec. 4
    (balance conditions and the inequalities for a positive solution).
    """
    if not isinstance(net, LIFNetwork):
        raise ValueError(f"net must be an LIFNetwork, got {type(net).__name__}")
    groups = _groups(net)
    reps = [g[0] for g in groups]
    KJ, _, ext, _, _ = _net_arrays(net)
    W = np.stack([KJ[reps][:, g].sum(axis=1) for g in groups], axis=1)
    I_ext = ext[reps]
    Q = len(groups)
    if Q == 2:
        cond = (
            "two groups: positive iff I_1/I_2 > w_12/w_22 > w_11/w_21 (balanced, stable "
            "side) or I_1/I_2 < w_12/w_22 < w_11/w_21, with W = [[w_11, -w_12], [w_21, -w_22]]"
        )
    elif Q == 1:
        cond = "one group: positive iff W < 0 (net inhibition) and I_ext > 0"
    else:
        cond = "positive iff every component of -W^{-1} I_ext is > 0"
    try:
        cond_number = np.linalg.cond(W)
        if not np.isfinite(cond_number) or cond_number > 1e12:
            raise np.linalg.LinAlgError
        nu_q = -np.linalg.solve(W, I_ext)
        ok = True
    except np.linalg.LinAlgError:
        nu_q = np.full(Q, np.nan)
        ok = False
    rates = np.empty(net.P)
    for q, g in enumerate(groups):
        rates[g] = nu_q[q]
    result = BalancedRates(
        model=net,
        method="linear balance equations",
        options={},
        converged=ok,
        status=Status.CONVERGED if ok else Status.NO_SOLUTION,
        n_iter=1,
        residual=float(np.max(np.abs(W @ nu_q + I_ext))) if ok else float("inf"),
        rates=rates,
        positive=bool(ok and np.all(nu_q > 0)),
        W=W,
        I_ext=I_ext,
        conditions=cond,
    )
    return result
