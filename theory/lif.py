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

from ._lif_linear import susceptibilities

__all__ = [
    "ALPHA_COLORED",
    "AsyncStability",
    "BRUNEL_REGIMES",
    "BalancedRates",
    "BrunelPhaseDiagram",
    "BrunelGrid",
    "HopfBoundary",
    "LIFFixedPoint",
    "LIFStationary",
    "asynchronous_stability",
    "balanced_rates",
    "brunel_phase_diagram",
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
    (Fourcaud & Brunel 2002, eq. 4.33, the first-order rate correction written as a shift of
    threshold and reset as in Schuecker, Diesmann & Helias 2015), valid to first order in
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
    7:237; Fourcaud & Brunel (2002) Neural Comput 14:2057, eq. 4.33; Schuecker, Diesmann &
    Helias (2015) Phys Rev E 92:052119.
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
    Fourcaud & Brunel (2002) Neural Comput 14:2057, eq. 4.33, for the ``tau_s`` shift (applied to
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
    method: str = "pcfd",
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
    method : {"pcfd", "threshold"}
        The closed form with parabolic cylinder functions in mpmath (accurate to ``dps``
        digits, ~10 ms per frequency) or vectorised threshold integration of the
        Fokker-Planck equation (Richardson 2007, Phys Rev E 76:021919; relative accuracy
        ~1e-5, all frequencies at once).
    dps : int
        mpmath working precision (decimal digits).

    Returns
    -------
    G_mu, G_sigma2 : ndarray of complex
        In Hz/mV and Hz/mV^2; at frequency 0 the Siegert derivatives.

    References
    ----------
    Lindner & Schimansky-Geier (2001) PRL 86:2934, eqs. 5 (signal in the mean) and 6
    (signal in the noise intensity); Brunel & Hakim (1999) Neural Comput 11:1621, Sec. 4 and
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
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    if method == "threshold":
        gm, gs = susceptibilities(lam, mu, sigma, float(nu) / 1000.0, tau_m, V_th, V_reset, t_ref)
        zero = lam == 0
        gm = np.where(zero, float(dmu), 1000.0 * gm)
        gs = np.where(zero, float(dsig) / (2.0 * sigma), 1000.0 * gs)
        return gm, gs
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


def _delay_factor(lam: Any, delay: float, delay_max: float | None) -> np.ndarray:
    """Laplace transform of the delay density (fixed, or uniform on [delay, delay_max])."""
    lam = np.asarray(lam, dtype=complex)
    if delay_max is None or delay_max == delay:
        return np.exp(-lam * delay)
    width = delay_max - delay
    small = np.abs(lam) * width < 1e-8
    safe = np.where(small, 1.0, lam)
    full = (np.exp(-safe * delay) - np.exp(-safe * delay_max)) / (safe * width)
    return np.where(small, np.exp(-lam * 0.5 * (delay + delay_max)), full)


class _Char:
    r"""Vectorised ``det(I - e^{-lambda D}/(1 + lambda tau_s) M(lambda))`` for many states.

    ``mu, sigma, nu`` have shape (n_states, Q) (Q groups of identical populations) and
    ``A, B`` (n_states, Q, Q) are the couplings of a rate perturbation (Hz) to the input
    mean (mV) and variance (mV^2).  ``M = G_mu A + G_sigma2 B`` with the white-noise
    susceptibilities at shifted threshold and reset for ``tau_s > 0`` (Fourcaud & Brunel
    2002, eq. 4.33); the variance response then also moves the shifted boundaries,
    ``G_sigma2 -> G_sigma2 - G_mu shift/(2 sigma^2)``, exact at ``lambda = 0``.
    """

    def __init__(self, mu, sigma, nu_hz, A, B, neuron, delay, delay_max, method, dps=15):
        self.mu = np.asarray(mu, float)
        self.sigma = np.asarray(sigma, float)
        self.nu = np.asarray(nu_hz, float)
        self.A = np.asarray(A, float)
        self.B = np.asarray(B, float)
        self.nb = neuron
        self.delay, self.delay_max = delay, delay_max
        self.method, self.dps = method, dps
        self.Q = self.mu.shape[-1]
        self.shift = self.sigma * 0.5 * ALPHA_COLORED * math.sqrt(neuron["tau_s"] / neuron["tau_m"])
        _, dmu, dsig = _siegert_and_derivatives(self.mu, self.sigma, **neuron)
        self.g0_mu = dmu
        with np.errstate(divide="ignore", invalid="ignore"):
            self.g0_s = np.where(self.sigma > 0, dsig / (2.0 * self.sigma), 0.0)
        self.n_eval = 0

    def take(self, idx: np.ndarray) -> _Char:
        """The characteristic of the states ``idx`` only (shares the computed arrays)."""
        sub = object.__new__(_Char)
        sub.__dict__.update(self.__dict__)
        for name in ("mu", "sigma", "nu", "A", "B", "shift", "g0_mu", "g0_s"):
            setattr(sub, name, getattr(self, name)[idx])
        sub.n_eval = 0
        return sub

    def _susceptibilities(self, lam, idx):
        """(G_mu, G_sigma2) in Hz/mV, Hz/mV^2, shape lam.shape + (Q,)."""
        nb = self.nb
        mu, sg, nu, sh = (a[idx] for a in (self.mu, self.sigma, self.nu, self.shift))
        lq = lam[..., None]
        if self.method == "threshold":
            gm, gs = susceptibilities(
                lq,
                mu,
                sg,
                nu / 1000.0,
                nb["tau_m"],
                nb["V_th"] + sh,
                nb["V_reset"] + sh,
                nb["t_ref"],
            )
            gm, gs = 1000.0 * gm, 1000.0 * gs
        else:
            gm = np.empty(np.broadcast_shapes(lq.shape, mu.shape), complex)
            gs = np.empty_like(gm)
            lb, mb, sb, nbb, hb = np.broadcast_arrays(lq, mu, sg, nu, sh)
            with mpmath.workdps(self.dps):
                for k in np.ndindex(gm.shape):
                    if nbb[k] < 1e-12 or lb[k] == 0:
                        gm[k] = gs[k] = 0.0
                        continue
                    gm[k], gs[k] = _response_scalar(
                        complex(lb[k]),
                        float(mb[k]),
                        float(sb[k]),
                        float(nbb[k]),
                        nb["tau_m"],
                        nb["V_th"] + float(hb[k]),
                        nb["V_reset"] + float(hb[k]),
                        nb["t_ref"],
                    )
        with np.errstate(divide="ignore", invalid="ignore"):
            gs = gs - gm * np.where(sg > 0, sh / (2.0 * sg**2), 0.0)
        zero = lq == 0
        gm = np.where(zero, self.g0_mu[idx], gm)
        gs = np.where(zero, self.g0_s[idx], gs)
        silent = nu < 1e-12  # responses scale with nu_0: a silent state does not respond
        return np.where(silent, 0.0, gm), np.where(silent, 0.0, gs)

    def coupling(self, lam: Any, idx: Any) -> np.ndarray:
        """``M(lambda)`` with delay and synaptic filter, shape broadcast(lam, idx) + (Q, Q)."""
        lam, idx = np.broadcast_arrays(np.asarray(lam, complex), np.asarray(idx, int))
        self.n_eval += lam.size
        gm, gs = self._susceptibilities(lam, idx)
        filt = _delay_factor(lam, self.delay, self.delay_max) / (1.0 + lam * self.nb["tau_s"])
        return filt[..., None, None] * (
            gm[..., :, None] * self.A[idx] + gs[..., :, None] * self.B[idx]
        )

    def __call__(self, lam: Any, idx: Any) -> np.ndarray:
        M = self.coupling(lam, idx)
        if self.Q == 1:
            return 1.0 - M[..., 0, 0]
        return np.linalg.det(np.eye(self.Q) - M)


def _net_char(net: LIFNetwork, rates: np.ndarray, method: str, dps: int) -> _Char:
    """Characteristic function of one network's stationary state (one group per input class)."""
    groups = _groups(net)
    reps = [g[0] for g in groups]
    mu, sigma = _input_stats(net, rates)
    KJ, KJ2, *_ = _net_arrays(net)
    sc = net.tau_m / 1000.0
    A = np.stack([sc * KJ[reps][:, g].sum(axis=1) for g in groups], axis=1)
    B = np.stack([sc * KJ2[reps][:, g].sum(axis=1) for g in groups], axis=1)
    return _Char(
        mu[reps][None],
        sigma[reps][None],
        rates[reps][None],
        A[None],
        B[None],
        _neuron(net),
        net.delay,
        net.delay_max,
        method,
        dps,
    )


_JUMP = math.pi / 4  # largest phase step accepted between Nyquist samples


def _winding(char: _Char, n: int, f_max: float, df: float, depth: int = 5):
    """Nyquist scan of ``char`` along ``lambda = i 2 pi f``, ``0 <= f <= f_max``, for states 0..n-1.

    Intervals whose phase step exceeds pi/4 are subdivided (8 parts, up to ``depth``
    levels).  Returns the frequency grid, the values there (n, n_f), the number of
    right-half-plane roots ``-Delta arg / pi`` (argument principle; conjugate pairs count
    twice) and whether ``|M| < 0.9`` at ``f_max, 2 f_max, 4 f_max`` (tail)."""
    f = np.linspace(0.0, f_max, int(math.ceil(f_max / df)) + 1)
    pts = np.arange(n)
    vals = char(2j * math.pi * f[None, :] / 1000.0, pts[:, None])
    with np.errstate(divide="ignore", invalid="ignore"):
        inc = np.angle(vals[:, 1:] / vals[:, :-1])
    sub = np.linspace(0.0, 1.0, 9)

    def refine(p, fa, fb, level):
        fs = fa[:, None] + (fb - fa)[:, None] * sub[None, :]
        v = char(2j * math.pi * fs / 1000.0, p[:, None])
        with np.errstate(divide="ignore", invalid="ignore"):
            d = np.angle(v[:, 1:] / v[:, :-1])
        if level < depth:
            r, c = np.nonzero(np.abs(d) > _JUMP)
            if r.size:
                d[r, c] = refine(p[r], fs[r, c], fs[r, c + 1], level + 1)
        return d.sum(axis=1)

    r, c = np.nonzero(np.abs(inc) > _JUMP)
    if r.size:
        inc[r, c] = refine(pts[r], f[c], f[c + 1], 1)
    n_unstable = np.rint(-inc.sum(axis=1) / math.pi).astype(int)
    tail = char(2j * math.pi * f_max * np.array([1.0, 2.0, 4.0])[None, :] / 1000.0, pts[:, None])
    tail_ok = np.max(np.abs(1.0 - tail), axis=1) < 0.9
    return f, vals, n_unstable, tail_ok


def _secant(char: _Char, pts: np.ndarray, lam0: np.ndarray, tol: float = 1e-11, max_iter: int = 60):
    """Vectorised secant iteration for ``char(lambda) = 0`` (lambda in 1/ms), one per lane."""
    x0 = np.asarray(lam0, complex).copy()
    x1 = x0 * (1 + 1e-4) + 1e-6j
    f0, f1 = char(x0, pts), char(x1, pts)
    done = np.zeros(x0.shape, bool)
    ok = np.zeros(x0.shape, bool)
    for _ in range(max_iter):
        act = ~done
        if not act.any():
            break
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            x2 = x1 - f1 * (x1 - x0) / (f1 - f0)
        bad = act & (~np.isfinite(x2) | (np.abs(x2) > 50.0))
        done |= bad
        act &= ~bad
        conv = act & (np.abs(x2 - x1) < tol * np.maximum(np.abs(x2), 1e-3))
        x0 = np.where(act, x1, x0)
        f0 = np.where(act, f1, f0)
        x1 = np.where(act, x2, x1)
        ia = np.nonzero(act & ~conv)[0]
        if ia.size:
            f1[ia] = char(x1[ia], pts[ia])
        ok |= conv
        done |= conv
    # roots come in conjugate pairs: report the one with Im >= 0
    return x1.real + 1j * np.abs(x1.imag), ok


def _roots(char: _Char, f: np.ndarray, vals: np.ndarray):
    """All roots reached from the minima of ``|char(i omega)|`` and the real axis.

    Returns (state index, root in 1/ms) of the distinct converged roots."""
    mag = np.abs(vals)
    lm = (mag[:, 1:-1] <= mag[:, :-2]) & (mag[:, 1:-1] <= mag[:, 2:])
    p, k = np.nonzero(lm)
    starts = 2j * math.pi * f[k + 1] / 1000.0
    real = np.nonzero(vals[:, 0].real < 0)[0]
    p = np.concatenate([p, real])
    starts = np.concatenate([starts, np.full(real.size, 0.05 + 0j)])
    if p.size == 0:
        return np.empty(0, int), np.empty(0, complex)
    r, ok = _secant(char, p, starts)
    p, r = p[ok], r[ok]
    order = np.lexsort((-r.real, p))
    p, r = p[order], r[order]
    keep = np.ones(p.size, bool)
    for i in range(1, p.size):
        j = i - 1
        while j >= 0 and p[j] == p[i]:
            if keep[j] and abs(r[i] - r[j]) <= 1e-7 * max(abs(r[i]), 1e-3):
                keep[i] = False
                break
            j -= 1
    return p[keep], r[keep]


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
    validity : tuple of str
        Why the answer may be outside the theory's validity (empty when it is inside):
        with ``tau_s > 0`` the colored-noise treatment holds for ``omega tau_s <= 0.3``.
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
    validity: tuple = ()

    def _repr_rows(self):
        rows = [
            ("method", self.method),
            ("rates", _fmt_arr(self.rates) + " Hz"),
            ("stable", str(self.stable)),
            ("n_unstable", str(self.n_unstable)),
            ("eigenvalue", f"{self.eigenvalue.real:.4g} {self.eigenvalue.imag:+.4g}j  1/s"),
            ("frequency", f"{self.frequency:.4g} Hz"),
            ("tail_ok", str(self.tail_ok)),
        ]
        return rows + [("  !", v) for v in self.validity]


def _fmt_arr(x) -> str:
    return "[" + ", ".join(f"{v:.6g}" for v in np.ravel(x)) + "]"


_METHODS = ("threshold", "pcfd")
_COLORED_WT = 0.3  # omega tau_s up to which the colored-noise stability holds (measured)


def asynchronous_stability(
    net: LIFNetwork,
    *,
    rates: Any = None,
    f_max: float = 1000.0,
    df: float = 10.0,
    method: str = "threshold",
    dps: int = 15,
    raise_on_failure: bool = True,
) -> AsyncStability:
    r"""Linear stability of the asynchronous state of an LIF network with delays.

    A perturbation ``nu_b(t) = nu_b + n_b e^{lambda t}`` modulates the input mean and
    variance of population ``a`` by ``tau_m sum_b K_ab J_ab n_b e^{-lambda D}`` and
    ``tau_m sum_b K_ab J_ab^2 n_b e^{-lambda D}``; with the single-neuron responses
    ``G_mu, G_sigma2`` (:func:`transfer_function`) the eigenvalues solve

    .. math::

        \det\Big[I - \frac{e^{-\lambda D}}{1 + \lambda\tau_s}\big(G_\mu(\lambda)\,\tau_m K\circ J
            + G_{\sigma^2}(\lambda)\,\tau_m K\circ J^2\big)\Big] = 0,

    which for model A with ``tau_s = 0`` is Brunel's ``1 = e^{-lambda D}[G_mu C_E J tau
    (1 - g gamma) + G_sigma2 C_E J^2 tau (1 + g^2 gamma)]`` (Brunel 2000, Sec. 4;
    Brunel & Hakim 1999, Sec. 4).  Roots in the right half plane are counted with
    the argument principle along ``lambda = i omega``, ``0 <= f <= f_max`` (adaptively
    subdivided); the roots are then located by secant iteration from the minima of
    ``|det|`` and from the real axis.  Distributed delays (``delay_max``) enter through
    the Laplace transform of the uniform delay density.

    Exponential synapses (``tau_s > 0``) are treated to first order in ``sqrt(tau_s/tau_m)``:
    threshold and reset shifted by ``sigma alpha/2 sqrt(tau_s/tau_m)`` (Fourcaud & Brunel 2002,
    eq. 4.33, written as a shift of threshold and reset) and the input modulation
    low-pass filtered by ``1/(1 + lambda tau_s)`` (Schuecker, Diesmann & Helias 2015, Phys
    Rev E 92:052119).  This holds for slow modes: against rnmf's simulator (N_E = 5000,
    g = 4.5, eta = 0.95) the predicted frequency falls from 38.7 to 28.2 and 20.5 Hz for
    ``tau_s`` = 0, 1 and 3 ms, the simulated spectral peaks from about 32 to 27 and 22 Hz.
    For fast modes (``omega tau_s > 0.3``) it overestimates the phase lag (the colored-noise
    neuron responds faster than the white-noise one, Brunel et al. 2001 PRL 86:2186):
    ``validity`` then says so.

    Parameters
    ----------
    net : LIFNetwork
    rates : array_like (P,), optional
        Stationary rates (Hz); default the primary solution of :func:`stationary_rates`.
    f_max, df : float
        Frequency range and initial resolution (Hz) of the Nyquist scan.
    method : {"threshold", "pcfd"}
        Susceptibilities by vectorised threshold integration of the Fokker-Planck
        equation (Richardson 2007, relative accuracy ~1e-5, ~1 s per state, vectorised over many states) or by
        parabolic cylinder functions in mpmath (the closed form, 1-3 s per state).
    dps : int
        mpmath precision for ``method="pcfd"``.

    References
    ----------
    Brunel (2000) J Comput Neurosci 8:183, Sec. 4 and Fig. 2;
    Brunel & Hakim (1999) Neural Comput 11:1621, Sec. 4; Lindner & Schimansky-Geier (2001) PRL 86:2934, eqs. 5-6;
    Richardson (2007) Phys Rev E 76:021919; Fourcaud & Brunel (2002) Neural Comput 14:2057,
    eq. 4.33.
    """
    if not isinstance(net, LIFNetwork):
        raise ValueError(f"net must be an LIFNetwork, got {type(net).__name__}")
    f_max = check_positive("f_max (Hz)", f_max)
    df = check_positive("df (Hz)", df)
    dps = check_int("dps", dps, minimum=15)
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    if rates is None:
        rates = stationary_rates(net).rates
    rates = np.asarray(rates, dtype=float)
    if rates.shape != (net.P,) or np.any(~np.isfinite(rates)) or np.any(rates <= 0):
        raise ValueError(f"rates must be {net.P} finite positive values (Hz), got {rates!r}")
    ch = _net_char(net, rates, method, dps)
    if np.any(ch.sigma <= 0):
        raise ValueError("the input has sigma = 0: no diffusion-approximation response exists")
    options = dict(f_max=f_max, df=df, method=method, dps=dps)
    f, vals, n_unstable, tail_ok = _winding(ch, 1, f_max, df)
    _, rts = _roots(ch, f, vals)
    roots = sorted((complex(r) for r in rts), key=lambda z: -z.real)
    n_unstable, tail_ok = int(n_unstable[0]), bool(tail_ok[0])
    n_found_unstable = sum(2 if r.imag > 1e-9 else 1 for r in roots if r.real > 0)
    ok = tail_ok and n_found_unstable == n_unstable
    lead = roots[0] if roots else complex("nan")
    validity = []
    wt = abs(lead.imag) * net.tau_s
    if net.tau_s > 0 and not wt <= _COLORED_WT:
        validity.append(
            f"omega tau_s = {wt:.2f} > {_COLORED_WT}: the colored-noise correction (shifted "
            "threshold + synaptic low-pass) overestimates the phase lag of fast modes; at "
            "g=6 eta=4, tau_s=0.5 ms it gives 156 Hz where simulations oscillate at 181 Hz"
        )
    result = AsyncStability(
        model=net,
        method=f"Nyquist count + secant roots ({'threshold integration' if method == 'threshold' else 'parabolic cylinder functions'})"
        + (", colored noise to O(sqrt(tau_s/tau_m))" if net.tau_s > 0 else ""),
        options=options,
        converged=ok,
        status=Status.CONVERGED if ok else Status.TOLERANCE,
        n_iter=ch.n_eval,
        residual=float(abs(ch(np.array([lead]), np.zeros(1, int))[0])) if roots else float("inf"),
        rates=rates,
        stable=n_unstable == 0,
        n_unstable=n_unstable,
        eigenvalue=lead * 1000.0,
        frequency=float(lead.imag * 1000.0 / (2 * math.pi)),
        roots=tuple(r * 1000.0 for r in roots),
        nyquist_frequencies=f,
        nyquist_values=1.0 - vals[0],
        tail_ok=tail_ok,
        validity=tuple(validity),
    )
    return finish(result, raise_on_failure)


# ---------------------------------------------------------------------------
# Brunel phase diagram and Hopf lines (vectorised over states)
# ---------------------------------------------------------------------------


def _brunel_char(g: np.ndarray, eta: np.ndarray, rates: np.ndarray, kw: dict) -> _Char:
    """Scalar characteristic of model A at flat arrays (g, eta, rate)."""
    net = LIFNetwork.brunel(1.0, 1.0, **kw)
    C_E, C_I = net.K[0]
    J = net.J[0][0]
    gamma = C_I / C_E
    nu_thr = net.V_th / (J * C_E * net.tau_m) * 1000.0
    sc = net.tau_m / 1000.0
    xe = eta * nu_thr
    mu = sc * (C_E * J * rates * (1.0 - g * gamma) + net.C_ext[0] * net.J_ext[0] * xe)
    sigma = np.sqrt(
        sc * (C_E * J**2 * rates * (1.0 + g**2 * gamma) + net.C_ext[0] * net.J_ext[0] ** 2 * xe)
    )
    A = sc * C_E * J * (1.0 - g * gamma)
    B = sc * C_E * J**2 * (1.0 + g**2 * gamma)
    return _Char(
        mu[:, None],
        sigma[:, None],
        rates[:, None],
        A[:, None, None],
        B[:, None, None],
        _neuron(net),
        net.delay,
        net.delay_max,
        "threshold",
    )


def _brunel_scan(
    g: np.ndarray, eta: np.ndarray, kw: dict, f_max: float, df: float, roots: bool = True
) -> dict:
    """Lowest stable rate, Nyquist count and (``roots``) leading root at flat arrays (g, eta)."""
    grid = brunel_rates(g, eta, raise_on_failure=False, **kw)
    r = np.where(grid.stable, grid.rates, np.inf)
    rate = np.where(np.all(np.isinf(r), axis=-1), grid.rates[..., 0], np.min(r, axis=-1))
    rate = np.maximum(np.nan_to_num(rate), 0.0)
    ch = _brunel_char(g, eta, rate, kw)
    n = g.size
    out = {
        "rate": rate,
        "mu": ch.mu[:, 0],
        "sigma": ch.sigma[:, 0],
        "A": ch.A[:, 0, 0],
        "n_stable": np.sum(grid.stable, axis=-1),
        "n_solutions": np.asarray(grid.n_solutions),
        "converged": bool(grid.converged),
        "n_unstable": np.zeros(n, int),
        "tail_ok": np.ones(n, bool),
        "resolved": np.ones(n, bool),
        "lead": np.full(n, complex(np.nan, np.nan)),
        "n_eval": 0,
    }
    idx = np.nonzero(rate > 1e-12)[0]  # a silent state does not respond: stable
    if idx.size == 0:
        return out
    sub = ch.take(idx)
    f, vals, n_unstable, tail_ok = _winding(sub, idx.size, f_max, df)
    out["n_unstable"][idx], out["tail_ok"][idx] = n_unstable, tail_ok
    if roots:
        p, rts = _roots(sub, f, vals)
        first = np.ones(p.size, bool)
        first[1:] = p[1:] != p[:-1]  # roots are sorted by decreasing real part per state
        out["lead"][idx[p[first]]] = 1000.0 * rts[first]
        n_found = np.zeros(idx.size, int)
        np.add.at(n_found, p, np.where(rts.real > 0, np.where(rts.imag > 1e-9, 2, 1), 0))
        out["resolved"][idx] = n_found == n_unstable
    out["n_eval"] = sub.n_eval
    return out


#: Regime labels of :func:`brunel_phase_diagram` (Brunel 2000, Fig. 2).
BRUNEL_REGIMES = ("AI", "SI fast", "SI slow", "SR", "quiescent")


@dataclass(frozen=True, kw_only=True, repr=False)
class BrunelPhaseDiagram(Result):
    """Regimes of Brunel's model A over a (g, eta) grid.

    Attributes
    ----------
    g, eta : ndarray (S)
        Broadcast grid.
    rate : ndarray (S)
        Lowest stable stationary rate (Hz): the state whose stability is classified.
    mu, sigma : ndarray (S)
        Its input mean and std (mV).
    n_unstable : ndarray of int (S)
        Roots of the eigenvalue equation in the right half plane.
    eigenvalue : ndarray of complex (S)
        Leading root (1/s), NaN where none was located.
    frequency : ndarray (S)
        ``Im(eigenvalue)/2 pi`` (Hz) of the leading root.
    regime : ndarray of str (S)
        One of :data:`BRUNEL_REGIMES`.
    resolved : ndarray of bool (S)
        The label is certain: an unstable root was located (unstable states), or the
        Nyquist count is complete and agrees with the located roots (stable states).
    bistable : ndarray of bool (S)
        More than one stable stationary rate exists (the lowest one is classified).
    n_fixed_points : ndarray of int (S)
        All stationary rates, stable or not (:func:`brunel_rates`).
    f_split : float
        Frequency (Hz) separating SI fast from SI slow.
    """

    g: np.ndarray
    eta: np.ndarray
    rate: np.ndarray
    mu: np.ndarray
    sigma: np.ndarray
    n_unstable: np.ndarray
    eigenvalue: np.ndarray
    frequency: np.ndarray
    regime: np.ndarray
    resolved: np.ndarray
    bistable: np.ndarray
    n_fixed_points: np.ndarray
    f_split: float

    def _repr_rows(self):
        counts = ", ".join(f"{r}: {int(np.sum(self.regime == r))}" for r in BRUNEL_REGIMES)
        return [
            ("method", self.method),
            ("grid", " x ".join(str(s) for s in self.g.shape) or "1"),
            ("regimes", counts),
            ("unresolved", str(int(np.sum(~self.resolved)))),
            ("bistable", str(int(np.sum(self.bistable)))),
        ]


def brunel_phase_diagram(
    g: Any,
    eta: Any,
    *,
    f_max: float = 1000.0,
    df: float = 20.0,
    f_split: float = 100.0,
    nu_quiet: float = 0.1,
    raise_on_failure: bool = True,
    **brunel_kwargs: Any,
) -> BrunelPhaseDiagram:
    r"""Regime of Brunel's model A at every point of a (g, eta) grid, from theory alone.

    At each point the lowest stable stationary rate (:func:`brunel_rates`, Brunel 2000
    eqs. 4-5, 21) is analysed with the eigenvalue equation of :func:`asynchronous_stability`
    (Brunel 2000, Sec. 4), evaluated for all points at once by threshold integration.
    The labels follow Brunel (2000, Fig. 2):

    - ``"AI"``: asynchronous state stable (no root with ``Re lambda > 0``);
    - ``"SR"``: unstable with excitation-dominated recurrence (``g gamma < 1``; the
      lowest stable state is then near saturation and neurons fire regularly);
    - ``"SI fast"`` / ``"SI slow"``: unstable with inhibition-dominated recurrence, leading root
      above / below ``f_split`` (the fast mode of Brunel's Fig. 2 lies near ``1/(4D)``
      and above, the slow one at tens of Hz);
    - ``"quiescent"``: stable state with a rate below ``nu_quiet``.

    Parameters
    ----------
    g, eta : array_like
        Relative inhibition and ``nu_ext / nu_thr``, broadcast against each other.
    f_max, df : float
        Nyquist scan range and initial resolution (Hz).
    f_split : float
        Frequency separating fast and slow synchronous irregular states (Hz).
    nu_quiet : float
        Rate (Hz) below which a stable state is called quiescent.
    brunel_kwargs
        Passed to :meth:`LIFNetwork.brunel`.

    Examples
    --------
    >>> pd = brunel_phase_diagram([3.0, 6.0, 5.0, 4.5], [2.0, 4.0, 2.0, 0.9])
    >>> list(pd.regime)
    ['SR', 'SI fast', 'AI', 'SI slow']

    References
    ----------
    Brunel (2000) J Comput Neurosci 8:183, Sec. 4 and Fig. 2; Richardson (2007) Phys Rev E
    76:021919 (threshold integration).
    """
    g, eta = np.broadcast_arrays(np.asarray(g, dtype=float), np.asarray(eta, dtype=float))
    f_max = check_positive("f_max (Hz)", f_max)
    df = check_positive("df (Hz)", df)
    f_split = check_positive("f_split (Hz)", f_split)
    nu_quiet = check_nonnegative("nu_quiet (Hz)", nu_quiet)
    shape = g.shape
    gf, ef = g.ravel().copy(), eta.ravel().copy()
    s = _brunel_scan(gf, ef, brunel_kwargs, f_max, df)
    net = LIFNetwork.brunel(1.0, 1.0, **brunel_kwargs)
    freq = s["lead"].imag / (2 * math.pi)
    unstable = s["n_unstable"] > 0
    regime = np.where(s["rate"] < nu_quiet, "quiescent", "AI").astype(object)
    excit = s["A"] > 0  # recurrent input excitation-dominated: g gamma < 1
    regime[unstable & excit] = "SR"
    inhib = unstable & ~excit
    regime[inhib & (freq >= f_split)] = "SI fast"
    regime[inhib & (freq < f_split)] = "SI slow"
    # a label is certain when an unstable root was located (instability proven, and its
    # frequency sets fast/slow), or for a stable state when the count is complete (tail)
    # and agrees with the located roots
    located = np.isfinite(freq) & (s["lead"].real > 0)
    resolved = np.where(unstable, located, s["tail_ok"] & s["resolved"])
    ok = bool(np.all(resolved)) and s["converged"]
    result = BrunelPhaseDiagram(
        model=net,
        method="lowest stable rate + Nyquist count + secant roots (threshold integration)",
        options=dict(f_max=f_max, df=df, f_split=f_split, nu_quiet=nu_quiet, **brunel_kwargs),
        converged=ok,
        status=Status.CONVERGED if ok else Status.TOLERANCE,
        n_iter=int(s["n_eval"]),
        residual=0.0,
        g=g,
        eta=eta,
        rate=s["rate"].reshape(shape),
        mu=s["mu"].reshape(shape),
        sigma=s["sigma"].reshape(shape),
        n_unstable=s["n_unstable"].reshape(shape),
        eigenvalue=s["lead"].reshape(shape),
        frequency=freq.reshape(shape),
        regime=regime.astype(str).reshape(shape),
        resolved=resolved.reshape(shape),
        bistable=(s["n_stable"] > 1).reshape(shape),
        n_fixed_points=s["n_solutions"].reshape(shape),
        f_split=f_split,
    )
    return finish(result, raise_on_failure)


@dataclass(frozen=True, kw_only=True, repr=False)
class HopfBoundary(Result):
    """Stability boundaries of the asynchronous state of Brunel's model A in (g, eta).

    Attributes
    ----------
    g : ndarray (n_g,)
    eta : ndarray (n_g, n_max)
        For each g the ``eta = nu_ext/nu_thr`` values where the number of unstable roots
        changes (ascending, NaN-padded).
    frequency : ndarray (n_g, n_max)
        Oscillation frequency (Hz) of the mode that crosses (NaN for a jump).
    becomes_unstable : ndarray of bool (n_g, n_max)
        True where the state becomes unstable as eta increases.
    kind : ndarray of str (n_g, n_max)
        ``"hopf"`` (a complex pair crosses ``Re lambda = 0``, the rate is continuous) or
        ``"jump"`` (the lowest stable rate jumps to another branch), ``""`` for padding.
    tail_ok : ndarray of bool (n_g,)
        The Nyquist count was complete (``|M| < 0.9`` beyond ``f_max``) at every scanned
        eta of this g; where not, a crossing above ``f_max`` could be missed.
    """

    g: np.ndarray
    eta: np.ndarray
    frequency: np.ndarray
    becomes_unstable: np.ndarray
    kind: np.ndarray
    tail_ok: np.ndarray

    def _repr_rows(self):
        rows = [("method", self.method), ("status", str(self.status))]
        for i, g in enumerate(self.g):
            items = [
                f"eta={e:.4g} ({k}, {f:.4g} Hz, {'->unstable' if u else '->stable'})"
                for e, f, u, k in zip(
                    self.eta[i],
                    self.frequency[i],
                    self.becomes_unstable[i],
                    self.kind[i],
                    strict=True,
                )
                if np.isfinite(e)
            ]
            note = "" if self.tail_ok[i] else "  [count incomplete above f_max at some eta]"
            rows.append((f"g={g:g}", ("; ".join(items) or "no crossing") + note))
        return rows


def hopf_boundary(
    g_values: Any,
    *,
    eta_range: tuple[float, float] = (0.5, 5.0),
    n_eta: int = 24,
    f_max: float = 1000.0,
    df: float = 20.0,
    xtol: float = 1e-4,
    raise_on_failure: bool = True,
    **brunel_kwargs: Any,
) -> HopfBoundary:
    r"""Where the asynchronous state of Brunel's model A gains or loses stability.

    For each ``g`` the number of unstable roots of the eigenvalue equation (Brunel 2000,
    Sec. 4; :func:`asynchronous_stability`) is counted on ``n_eta`` values of ``eta``
    spread over ``eta_range``; every change of stability is bisected to ``xtol`` in eta,
    all brackets at once.  At a Hopf crossing the frequency ``Im lambda / 2 pi`` of the
    crossing pair is recorded: these are the AI/SI-fast and AI/SI-slow lines of
    Brunel (2000) Fig. 2.  A change caused by a jump of the lowest stable rate to
    another branch is reported as ``kind="jump"``.  Stability changes that happen and
    undo themselves between two eta samples are not seen (refine ``n_eta``).

    Parameters
    ----------
    g_values : array_like
        Relative inhibition strengths.
    eta_range, n_eta : tuple, int
        Range of ``nu_ext / nu_thr`` and number of scan points.
    f_max, df : float
        Nyquist scan of each state (Hz).
    xtol : float
        Bisection tolerance in eta.
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
    f_max = check_positive("f_max (Hz)", f_max)
    df = check_positive("df (Hz)", df)
    etas = np.linspace(lo, hi, n_eta)
    G, E = np.meshgrid(g_values, etas, indexing="ij")
    scan = _brunel_scan(G.ravel(), E.ravel(), brunel_kwargs, f_max, df)
    n_eval = scan["n_eval"]
    ok = scan["converged"]
    # where |M(i omega)| stays >= 0.9 up to 4 f_max (small sigma near g gamma = 1: the
    # variance response of the delta-synapse neuron does not decay), roots above f_max
    # can be missed; reported per g rather than failing the whole search
    tail_ok = np.all(scan["tail_ok"].reshape(g_values.size, n_eta), axis=1)
    unst = (scan["n_unstable"] > 0).reshape(G.shape)
    gi, k = np.nonzero(unst[:, 1:] != unst[:, :-1])
    a, b = etas[k], etas[k + 1]
    ua = unst[gi, k]
    gb = g_values[gi]
    while gi.size and np.max(b - a) > xtol:
        mid = 0.5 * (a + b)
        sm = _brunel_scan(gb, mid, brunel_kwargs, f_max, df, roots=False)
        n_eval += sm["n_eval"]
        um = sm["n_unstable"] > 0
        same = um == ua
        a = np.where(same, mid, a)
        b = np.where(same, b, mid)
    if gi.size:
        ends = _brunel_scan(
            np.concatenate([gb, gb]), np.concatenate([a, b]), brunel_kwargs, f_max, df
        )
        n_eval += ends["n_eval"]
        m = gi.size
        ra, rb = ends["rate"][:m], ends["rate"][m:]
        ub = ends["n_unstable"][m:] > 0
        lead = np.where(ub, ends["lead"][m:], ends["lead"][:m])
        jump = np.abs(rb - ra) > 1e-3 * np.maximum(np.abs(ra), 1e-6) + 1e-9
        freq = np.where(jump, np.nan, lead.imag / (2 * math.pi))
        ok = ok and bool(np.all(jump | np.isfinite(freq)))
        eta_c = 0.5 * (a + b)
    crossings: list[list[tuple]] = [[] for _ in g_values]
    for j in range(gi.size):
        crossings[gi[j]].append((eta_c[j], freq[j], bool(ub[j]), "jump" if jump[j] else "hopf"))
    n_max = max([len(c) for c in crossings] + [1])

    def pad(col, fill, dtype):
        arr = np.full((g_values.size, n_max), fill, dtype=dtype)
        for i, c in enumerate(crossings):
            arr[i, : len(c)] = [x[col] for x in c]
        return arr

    result = HopfBoundary(
        model=None,
        method="Nyquist count on an eta scan + vectorised bisection (threshold integration)",
        options=dict(
            eta_range=(lo, hi), n_eta=n_eta, f_max=f_max, df=df, xtol=xtol, **brunel_kwargs
        ),
        converged=ok,
        status=Status.CONVERGED if ok else Status.TOLERANCE,
        n_iter=int(n_eval),
        residual=0.0,
        g=g_values,
        eta=pad(0, np.nan, float),
        frequency=pad(1, np.nan, float),
        becomes_unstable=pad(2, False, bool),
        kind=pad(3, "", object).astype(str),
        tail_ok=tail_ok,
    )
    return finish(result, raise_on_failure)


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

    (van Vreeswijk & Sompolinsky 1998, Sec. 4, the balance conditions; in their notation,
    with the E-to-E and E-to-I weights normalised to 1, ``m_E - J_E m_I + E m_0 = 0``,
    ``m_E - J_I m_I + I m_0 = 0``, the large-K limit of their eqs. 4.17-4.18), independent of the
    single-neuron transfer function; ``mu_ext`` is O(1) and drops out.  Populations
    with identical inputs are merged first (for Brunel's model A, ``nu = nu_ext /
    (g gamma - 1)``).  For two groups with ``W = [[w_EE, -w_EI], [w_IE, -w_II]]``
    (all ``w > 0``) the solution is positive iff
    ``I_E/I_I > w_EI/w_II > w_EE/w_IE`` or ``I_E/I_I < w_EI/w_II < w_EE/w_IE``; van
    Vreeswijk & Sompolinsky's balanced state requires the first (their eq. 4.5,
    ``E/I > J_E/J_I > 1`` after normalisation; the other ordering, eq. 4.6, gives the
    unbalanced state ``m_E = 0`` of eq. 4.7).  Corrections are ``O(1/sqrt(K))``.

    Returns
    -------
    BalancedRates
        ``converged=False`` (status NO_SOLUTION) when W is singular; ``positive`` tells
        whether the balanced state exists.  Never raises for a valid network.

    References
    ----------
    C. van Vreeswijk and H. Sompolinsky, Neural Comput. 10, 1321 (1998), Sec. 4
    (balance conditions; inequalities eqs. 4.5-4.6).
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
