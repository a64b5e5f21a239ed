r"""Vectorised linear response of the LIF neuron by threshold integration.

The Fokker-Planck equation of ``tau dV/dt = mu - V + sigma sqrt(tau) xi`` with threshold
``V_th``, reset ``V_r`` and refractory time ``t_ref`` is written in ``u = (V - mu)/sigma``
with density ``p = sigma P`` and flux ``j = tau J`` (dimensionless):

.. math::

    p' = -2u\,p - 2j + 2\frac{\mu_1}{\sigma}p_0 - \frac{s_1}{\sigma^2}p_0',\qquad
    j' = -\lambda\tau\,p + \tau\nu_1 e^{-\lambda t_{ref}}\,\delta(u - u_r),

for a perturbation ``mu(t) = mu + mu_1 e^{lambda t}``, ``sigma^2(t) = sigma^2 + s_1
e^{lambda t}`` and ``nu(t) = nu_0 + nu_1 e^{lambda t}`` (Brunel & Hakim 1999, Neural
Comput 11:1621, eqs. 22-27 written for the flux; Richardson 2007, Phys Rev E 76:021919,
eqs. 9-14, "threshold integration").  ``p(u_th) = 0`` and ``j(u_th) = tau nu_1``; the
flux must vanish far below threshold.  The problem is linear in ``(nu_1, mu_1, s_1)``:
integrating from threshold towards ``u -> -infinity`` once with the homogeneous boundary
value (``j = 1``, flux ``j_a``) and once with each source (flux ``j_b``) gives

.. math:: G = \frac{\nu_1}{\text{source}} = -\frac{\nu_0\,j_b(-\infty)}{j_a(-\infty)}

without any special function.  The stationary density ``p_0`` (flux ``tau nu_0`` above the
reset, zero below) is integrated alongside.  Classic RK4 in ``u`` with a step chosen from
the stiffness ``2|u|`` and the wavenumber ``sqrt(2|lambda tau|)``; every array lane (state x
frequency) is integrated at once with NumPy, which is what makes phase diagrams over
thousands of states affordable (the parabolic-cylinder form costs ~10 ms per evaluation in
mpmath).

Colored noise (exponential synapses, ``tau_s > 0``) is treated to first order in
``sqrt(tau_s / tau_m)``: threshold and reset are shifted by ``sigma alpha/2 sqrt(tau_s/tau_m)``
(Fourcaud & Brunel 2002, Neural Comput 14:2057, eq. 4.33, as a threshold shift; used for the
transfer function by Schuecker, Diesmann & Helias 2015, Phys Rev E 92:052119), and
the synaptic low-pass ``1/(1 + lambda tau_s)`` acts on the input modulation (applied by
the caller).
"""

from __future__ import annotations

import numpy as np

_U_BELOW = 6.0  # integrate to min(u_r, 0) - 6: p_0 ~ e^{-u^2} is below 1e-15 there
_STIFF = 0.25  # RK4 step so that h * 2|u| <= _STIFF
_WAVE = 0.25  # and h * sqrt(2 |lambda tau|) <= _WAVE
_MAX_STEPS = 40000


def _lane_steps(span: np.ndarray, u_max: np.ndarray, lam_tau: np.ndarray) -> np.ndarray:
    """RK4 steps a lane needs on a segment of length ``span`` with ``|u| <= u_max``."""
    rate = np.maximum(2.0 * u_max / _STIFF, np.sqrt(2.0 * np.abs(lam_tau)) / _WAVE)
    return np.clip(np.ceil(span * np.maximum(rate, 24.0)), 32, _MAX_STEPS).astype(int)


def _rhs(u, j0, lam_tau, two_w, w_s, y):
    """Right-hand side for the stacked state ``y = (p0, p_a, j_a, p_b, j_b)``, shape (5, lanes)."""
    d = np.empty_like(y)
    m2u = -2.0 * u
    d[0] = m2u * y[0] - 2.0 * j0
    d[1] = m2u * y[1] - 2.0 * y[2]
    d[2] = -lam_tau * y[1]
    d[3] = m2u * y[3] - 2.0 * y[4] + two_w * y[0] - w_s * d[0]
    d[4] = -lam_tau * y[3]
    return d


def _segment(y, u_top, u_bot, n, j0, lam_tau, two_w, w_s):
    """Classic RK4 from ``u_top`` down to ``u_bot`` in ``n`` equal steps (per-lane step)."""
    h = (u_bot - u_top) / n
    c = (lam_tau, two_w, w_s)
    for k in range(n):
        u = u_top + k * h
        k1 = _rhs(u, j0, *c, y)
        k2 = _rhs(u + 0.5 * h, j0, *c, y + (0.5 * h) * k1)
        k3 = _rhs(u + 0.5 * h, j0, *c, y + (0.5 * h) * k2)
        k4 = _rhs(u + h, j0, *c, y + h * k3)
        y = y + (h / 6.0) * (k1 + 2.0 * (k2 + k3) + k4)
    return y


def _ratio_lanes(lam_tau, lam_tref, u_th, u_r, w_mu, w_s, n1, n2):
    """Integrate flat lanes that share the step counts (n1, n2)."""
    u_lb = np.minimum(u_r, 0.0) - _U_BELOW
    y = np.zeros((5, lam_tau.size), complex)
    y[2] = 1.0
    c = (lam_tau, 2.0 * w_mu, w_s)
    y = _segment(y, u_th, u_r, n1, 1.0, *c)
    y[2] -= np.exp(-lam_tref)  # reinjection of the modulated flux after t_ref
    y = _segment(y, u_r, u_lb, n2, 0.0, *c)
    with np.errstate(divide="ignore", invalid="ignore"):
        return -y[4] / y[2]


_CHUNK = 16384  # lanes per NumPy pass (keeps the working set in cache)


def response_ratio(
    lam_tau: np.ndarray,
    lam_tref: np.ndarray,
    u_th: np.ndarray,
    u_r: np.ndarray,
    w_mu: np.ndarray,
    w_s: np.ndarray,
) -> np.ndarray:
    r"""``-j_b/j_a``: the rate response per unit source, in units of ``nu_0``.

    All arguments broadcast to one lane shape.  ``w_mu`` weights the mean-input source
    ``mu_1/sigma`` and ``w_s`` the variance source ``s_1/sigma^2``; the result times
    ``nu_0`` is ``nu_1`` for ``mu_1 = w_mu sigma`` and ``s_1 = w_s sigma^2``.
    ``lam_tau = lambda tau_m`` and ``lam_tref = lambda t_ref`` (complex).  Lanes are
    grouped by the number of RK4 steps they need (powers of two) and integrated in
    chunks, so a few stiff lanes do not set the cost of all others.
    """
    arrs = np.broadcast_arrays(
        np.asarray(lam_tau, complex),
        np.asarray(lam_tref, complex),
        np.asarray(u_th, float),
        np.asarray(u_r, float),
        np.asarray(w_mu, complex),
        np.asarray(w_s, complex),
    )
    shape = arrs[0].shape
    lt, lr, ut, ur, wm, ws = (a.ravel() for a in arrs)
    ulb = np.minimum(ur, 0.0) - _U_BELOW
    n1 = _lane_steps(ut - ur, np.maximum(np.abs(ut), np.abs(ur)), lt)
    n2 = _lane_steps(ur - ulb, np.abs(ulb), lt)
    # bucket by step counts rounded up to powers of two
    b1 = 2 ** np.ceil(np.log2(n1)).astype(int)
    b2 = 2 ** np.ceil(np.log2(n2)).astype(int)
    out = np.empty(lt.size, complex)
    keys = b1.astype(np.int64) * (2 * _MAX_STEPS + 1) + b2
    for key in np.unique(keys):
        idx = np.nonzero(keys == key)[0]
        m1, m2 = int(b1[idx[0]]), int(b2[idx[0]])
        for s in range(0, idx.size, _CHUNK):
            sl = idx[s : s + _CHUNK]
            out[sl] = _ratio_lanes(lt[sl], lr[sl], ut[sl], ur[sl], wm[sl], ws[sl], m1, m2)
    return out.reshape(shape)


def susceptibilities(
    lam: np.ndarray,
    mu: np.ndarray,
    sigma: np.ndarray,
    nu_khz: np.ndarray,
    tau_m: float,
    V_th: np.ndarray,
    V_reset: np.ndarray,
    t_ref: float,
) -> tuple[np.ndarray, np.ndarray]:
    """``(G_mu [1/(ms mV)], G_sigma2 [1/(ms mV^2)])`` at complex ``lam`` (1/ms), broadcast.

    ``V_th``/``V_reset`` may already carry the colored-noise shift; ``nu_khz`` is the
    stationary rate in 1/ms for the same (shifted) boundaries.
    """
    lam = np.asarray(lam, complex)
    mu, sigma, nu_khz = (np.asarray(a, float) for a in (mu, sigma, nu_khz))
    u_th = (np.asarray(V_th, float) - mu) / sigma
    u_r = (np.asarray(V_reset, float) - mu) / sigma
    stacked_w_mu = np.array([1.0, 0.0])
    stacked_w_s = np.array([0.0, 1.0])
    ex = (Ellipsis,) + (None,)
    r = response_ratio(
        (lam * tau_m)[ex],
        (lam * t_ref)[ex],
        u_th[ex],
        u_r[ex],
        stacked_w_mu,
        stacked_w_s,
    )
    g_mu = nu_khz * r[..., 0] / sigma
    g_s = nu_khz * r[..., 1] / sigma**2
    return g_mu, g_s
