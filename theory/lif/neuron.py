r"""Stationary statistics of one LIF neuron driven by Gaussian white noise.

The stationary rate of a LIF neuron whose input has mean ``mu`` and standard deviation
``sigma`` is the Siegert / Ricciardi first-passage formula (Brunel 2000, eq. 21;
Amit & Brunel 1997)

.. math::

    \frac{1}{\nu} = \tau_{ref} + \tau_m \sqrt{\pi}
        \int_{(V_r-\mu)/\sigma}^{(\theta-\mu)/\sigma} e^{u^2} (1 + \operatorname{erf} u)\, du .

This module holds that rate (:func:`siegert`), its analytic derivatives
(:func:`siegert_derivatives`), the coefficient of variation of the inter-spike
interval (:func:`cv_isi`, Brunel 2000, Appendix A), the colored-noise constant
:data:`ALPHA_COLORED` (Fourcaud & Brunel 2002, eq. 4.33) and the numerics behind them:
integrals of ``erfcx`` without cancellation, Gauss-Legendre, Gauss-Laguerre and
tanh-sinh rules.  Units: ms, mV and Hz.

References
----------
.. [1] N. Brunel, "Dynamics of sparsely connected networks of excitatory and
   inhibitory spiking neurons", J. Comput. Neurosci. 8, 183-208 (2000).
.. [2] D. J. Amit and N. Brunel, "Model of global spontaneous activity and local
   structured activity during delay periods in the cerebral cortex",
   Cereb. Cortex 7, 237 (1997).
.. [3] N. Fourcaud and N. Brunel, "Dynamics of the firing probability of noisy
   integrate-and-fire neurons", Neural Comput. 14, 2057 (2002).
.. [4] T. Schuecker, M. Diesmann and M. Helias, "Modulated escape from a metastable
   state driven by colored noise", Phys. Rev. E 92, 052119 (2015).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from scipy.special import dawsn, erf, erfcx, zeta

from rnmf._checks import check_array, check_choice, check_finite, check_nonnegative, check_positive

#: ``alpha = sqrt(2) |zeta(1/2)|`` of the colored-noise threshold shift (Fourcaud & Brunel 2002).
ALPHA_COLORED: float = float(math.sqrt(2.0) * abs(zeta(0.5)))

_SQRT_PI = math.sqrt(math.pi)
_LOG_SQRT_PI = math.log(_SQRT_PI)
_LOG_1000 = math.log(1000.0)
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
    mu = check_array("mu (mV)", mu, finite=False).reshape(np.shape(mu))
    sigma = check_array("sigma (mV)", sigma, finite=False).reshape(np.shape(sigma))
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
    shift = 0.5 * ALPHA_COLORED * np.sqrt(np.divide(tau_s, tau_m))
    noisy = sigma > 0
    s = np.where(noisy, sigma, 1.0)
    a = (V_reset - mu) / s + shift
    b = (V_th - mu) / s + shift
    log_integral = np.where(noisy, _log_siegert_integral(a, b), 0.0)
    log_isi = log_integral + np.log(tau_m) + _LOG_SQRT_PI
    if np.ndim(t_ref) == 0:
        if t_ref > 0:
            log_isi = np.logaddexp(math.log(t_ref), log_isi)
    else:
        pos = np.asarray(t_ref) > 0
        log_isi = np.where(pos, np.logaddexp(np.log(np.where(pos, t_ref, 1.0)), log_isi), log_isi)
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
    synapse: str = "shift",
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
    synapse : {"shift", "taylor"}
        With ``tau_s > 0``: the shifted bounds above, or their first-order Taylor
        expansion ``nu_0 - alpha/2 sqrt(tau_s/tau_m) sigma dnu_0/dmu`` (Fourcaud &
        Brunel 2002, eq. 4.33 to first order; Schuecker, Diesmann & Helias 2015), which can
        turn negative for weak noise below threshold, where the correction outgrows
        ``nu_0`` (then ``log=True`` gives NaN).  A negative Taylor rate is returned (it is
        the formula's value, the one NNMT returns as well) with a ``RuntimeWarning`` that
        names the inputs and the first offending element.  Warn rather than raise: the
        function is vectorised over grids of ``(mu, sigma)`` where the valid entries stay
        useful, and the callers that build on the rate refuse it themselves
        (:func:`rnmf.theory.lif.stationary_rates` finds no fixed point,
        :func:`rnmf.theory.lif.linear_response` lists it in ``validity``).

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
    check_choice("synapse", synapse, SYNAPSE_METHODS)
    if synapse == "taylor" and tau_s > 0:
        nu = _taylor_and_derivatives(mu, sigma, tau_m, V_th, V_reset, t_ref, tau_s)[0]
        if np.any(nu < 0):
            _warn_negative_taylor(mu, sigma, nu, tau_m, V_th, V_reset, t_ref, tau_s)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.log(nu) if log else nu
        return out[()] if out.ndim == 0 else out
    log_nu = _log_rate_ms(mu, sigma, tau_m, V_th, V_reset, t_ref, tau_s)[0] + math.log(1000.0)
    out = log_nu if log else np.exp(log_nu)
    return out[()] if out.ndim == 0 else out


def _warn_negative_taylor(mu, sigma, nu, tau_m, V_th, V_reset, t_ref, tau_s) -> None:
    """RuntimeWarning for negative Taylor rates ``nu_0 - D dnu_0/dmu`` (``D`` the shift).

    The first-order expansion in ``k = sqrt(tau_s/tau_m)`` (Fourcaud & Brunel 2002, eq.
    4.33; Schuecker, Diesmann & Helias 2015) is valid while its correction is small against
    ``nu_0``; a negative rate means the correction exceeds ``nu_0`` itself.
    """
    mu_b, sigma_b, nu_b = np.broadcast_arrays(mu, sigma, nu)
    bad = np.flatnonzero(nu_b < 0)
    i = int(bad[0])
    warnings.warn(
        f"siegert(synapse='taylor'): negative rate {nu_b.flat[i]:.3g} Hz at mu = "
        f"{mu_b.flat[i]:g} mV, sigma = {sigma_b.flat[i]:g} mV (tau_m = {tau_m:g} ms, "
        f"tau_s = {tau_s:g} ms, V_th = {V_th:g} mV, V_reset = {V_reset:g} mV, t_ref = "
        f"{t_ref:g} ms; {bad.size} of {nu_b.size} inputs negative): the first-order Taylor "
        "expansion in sqrt(tau_s / tau_m) has left its validity range (its correction "
        "exceeds the white-noise rate, weak noise below threshold); use synapse='shift'",
        RuntimeWarning,
        stacklevel=3,
    )


def _siegert_and_derivatives(mu, sigma, tau_m, V_th, V_reset, t_ref, tau_s, return_log=False):
    """(nu, dnu/dmu, dnu/dsigma) in Hz, Hz/mV, Hz/mV; inputs already validated.

    With ``return_log``: ``(log nu, nu, dlog nu/dmu, dlog nu/dsigma)`` (Hz, Hz, 1/mV,
    1/mV), exact also where nu underflows (the Newton search works in log-rates)."""
    power = 1.0 if return_log else 2.0
    log_nu, a, b, _, shift = _log_rate_ms(mu, sigma, tau_m, V_th, V_reset, t_ref, tau_s)
    nu = np.exp(log_nu)
    noisy = sigma > 0
    s = np.where(noisy, sigma, 1.0)
    # d nu / dx = nu^2 (...): with power = 1 the same expressions give d log(nu) / dx
    base = power * log_nu + np.log(tau_m) + _LOG_SQRT_PI
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
            sh = np.broadcast_to(shift, both.shape)[both]
            d_sigma[both] = (C * (-(qb - qa) / _SQRT_PI - sh * (fb - fa))) / s[both]
        if not return_log:
            silent = nu == 0
            d_mu = np.where(silent, 0.0, d_mu)
            d_sigma = np.where(silent, 0.0, d_sigma)
        fires = mu > V_th
        det_dmu = np.where(
            fires,
            nu ** (power - 1.0)
            * nu
            * tau_m
            * (1.0 / np.where(fires, mu - V_th, 1.0) - 1.0 / np.where(fires, mu - V_reset, 1.0)),
            0.0,
        )
    d_mu = np.where(noisy, d_mu, det_dmu)
    d_sigma = np.where(noisy, d_sigma, 0.0)
    if return_log:
        return log_nu + _LOG_1000, 1000.0 * nu, d_mu, d_sigma
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
    0 where the neuron fires and NaN where it is silent (no intervals; a RuntimeWarning
    says so).

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
    if np.any(np.isnan(out)):
        warnings.warn(
            "cv_isi: the CV is undefined (NaN) where the neuron never fires (sigma = 0 and "
            "mu below threshold: no intervals)",
            RuntimeWarning,
            stacklevel=2,
        )
    return out[()] if out.ndim == 0 else out


def _cv(mu, sigma, tau_m, V_th, V_reset, t_ref, tau_s):
    mu, sigma, tau_m, V_th, V_reset, t_ref, tau_s = np.broadcast_arrays(
        mu, sigma, tau_m, V_th, V_reset, t_ref, tau_s
    )
    shape = mu.shape
    if any(np.ndim(v) and np.ptp(v) > 0 for v in (tau_m, V_th, V_reset, t_ref, tau_s)):
        tau_m, V_th, V_reset, t_ref, tau_s = (
            v.ravel() for v in (tau_m, V_th, V_reset, t_ref, tau_s)
        )
    else:  # one neuron model: keep the scalar path
        tau_m, V_th, V_reset, t_ref, tau_s = (
            float(v.flat[0]) if v.size else 0.0 for v in (tau_m, V_th, V_reset, t_ref, tau_s)
        )
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
        cv2 = 2.0 * math.pi * np.exp(2.0 * log_nu + 2.0 * np.log(tau_m) + 2.0 * s) * (tail + body)
    cv = np.sqrt(np.maximum(cv2, 0.0))
    cv = np.where(noisy, cv, np.where(mu > V_th, 0.0, np.nan))
    cv = np.where(far, cv_far, cv)
    return cv.reshape(shape)


#: Treatments of exponential synapses (colored noise) in the stationary rate.
SYNAPSE_METHODS = ("shift", "taylor")


def _taylor_and_derivatives(mu, sigma, tau_m, V_th, V_reset, t_ref, tau_s):
    r"""Colored-noise rate to first order in ``k = sqrt(tau_s / tau_m)`` (Taylor variant).

    Expanding the shifted Siegert formula (Fourcaud & Brunel 2002, eq. 4.33) to first
    order in the shift ``sigma alpha k / 2`` of both bounds gives (the "Taylor" variant
    of Schuecker, Diesmann & Helias 2015, Phys Rev E 92:052119, as in NNMT)

    .. math:: \nu = \nu_0 - \frac{\alpha k}{2} \sigma \partial_\mu \nu_0
        = \nu_0 - \frac{\alpha k}{2}\, \tau_m \sqrt\pi\, \nu_0^2
          \left[\operatorname{erfcx}(-y_\theta) - \operatorname{erfcx}(-y_r)\right],
        \quad y = (V - \mu)/\sigma,

    with ``nu_0`` the white-noise (delta-synapse) rate.  Returns ``(nu, dnu/dmu,
    dnu/dsigma)`` in Hz, Hz/mV; the derivatives are exact (second derivatives of
    ``nu_0`` in closed form: with ``t_x = tau_m sqrt(pi) nu_0^2 erfcx(-y_x)``,
    ``d(t_th - t_r)/dmu = 2 (t_th - t_r) nu_0'/nu_0 - 2 (y_th t_th - y_r t_r)/sigma``).
    Valid while the correction is small against ``nu_0`` (it can turn the rate negative
    far from that regime; the callers flag it).
    """
    log_nu, a, b, _, _ = _log_rate_ms(mu, sigma, tau_m, V_th, V_reset, t_ref, 0.0)
    nu0_hz, d0_mu, d0_sig = _siegert_and_derivatives(mu, sigma, tau_m, V_th, V_reset, t_ref, 0.0)
    nu0 = nu0_hz / 1000.0
    n_mu, n_sig = d0_mu / 1000.0, d0_sig / 1000.0
    c = 0.5 * ALPHA_COLORED * np.sqrt(np.divide(tau_s, tau_m))
    noisy = sigma > 0
    s = np.where(noisy, sigma, 1.0)
    base = 2.0 * log_nu + np.log(tau_m) + _LOG_SQRT_PI
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        tb = np.where(noisy, np.exp(base + _log_erfcx_neg(b)), 0.0)
        ta = np.where(noisy, np.exp(base + _log_erfcx_neg(a)), 0.0)
        diff = tb - ta  # = sigma dnu0/dmu
        ratio_mu = np.where(nu0 > 0, n_mu / np.where(nu0 > 0, nu0, 1.0), 0.0)
        ratio_sig = np.where(nu0 > 0, n_sig / np.where(nu0 > 0, nu0, 1.0), 0.0)
        ddiff_mu = 2.0 * diff * ratio_mu - 2.0 * (b * tb - a * ta) / s
        tau_nu2 = np.exp(2.0 * log_nu + np.log(tau_m))
        ddiff_sig = (
            2.0 * diff * ratio_sig
            - 2.0 * (b * b * tb - a * a * ta) / s
            - 2.0 * tau_nu2 * (b - a) / s
        )
    nu = nu0 - c * diff
    d_mu = n_mu - c * np.where(noisy, ddiff_mu, 0.0)
    d_sig = n_sig - c * np.where(noisy, ddiff_sig, 0.0)
    return 1000.0 * nu, 1000.0 * d_mu, 1000.0 * d_sig


def _rate_and_derivatives(mu, sigma, synapse, tau_m, V_th, V_reset, t_ref, tau_s):
    """(nu, dnu/dmu, dnu/dsigma) with the chosen colored-noise treatment (``synapse``)."""
    if synapse == "taylor" and np.any(np.asarray(tau_s) > 0):
        return _taylor_and_derivatives(mu, sigma, tau_m, V_th, V_reset, t_ref, tau_s)
    return _siegert_and_derivatives(mu, sigma, tau_m, V_th, V_reset, t_ref, tau_s)
