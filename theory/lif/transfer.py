r"""Linear rate response (transfer function) of one white-noise driven LIF neuron.

For ``mu(t) = mu_0 + mu_1 e^{i omega t}`` and ``sigma^2(t) = sigma_0^2 + s_1 e^{i omega t}``
the rate responds as ``nu_0 + [G_mu(omega) mu_1 + G_{sigma^2}(omega) s_1] e^{i omega t}``.
This module holds :func:`transfer_function`, which gives ``G_mu`` and ``G_sigma2`` either
in closed form with parabolic cylinder functions (Lindner & Schimansky-Geier 2001, eqs.
5-6; Brunel & Hakim 1999, Sec. 4 and Appendix B) or by the vectorised threshold
integration of the Fokker-Planck equation in :mod:`._linear` (Richardson 2007).

References
----------
.. [1] N. Brunel and V. Hakim, "Fast global oscillations in networks of
   integrate-and-fire neurons with low firing rates", Neural Comput. 11, 1621 (1999).
.. [2] B. Lindner and L. Schimansky-Geier, "Transmission of noise coded versus
   additive signals through a neuronal ensemble", Phys. Rev. Lett. 86, 2934 (2001).
.. [3] N. Brunel, F. S. Chance, N. Fourcaud and L. F. Abbott, "Effects of synaptic noise
   and filtering on the frequency response of spiking neurons", Phys. Rev. Lett. 86,
   2186 (2001).
.. [4] M. J. E. Richardson, "Firing-rate response of linear and nonlinear
   integrate-and-fire neurons to modulated current-based and conductance-based
   synaptic drive", Phys. Rev. E 76, 021919 (2007).
"""

from __future__ import annotations

import math
from typing import Any

import mpmath
import numpy as np

from rnmf._checks import check_array, check_choice, check_finite, check_int, check_positive

from ._linear import susceptibilities
from .neuron import _siegert_and_derivatives, _validate_neuron

#: Ways to compute the susceptibilities: threshold integration or parabolic cylinder functions.
_METHODS = ("threshold", "pcfd")


#: sigma / (V_th - V_reset) range in which the responses can be evaluated
_SIGMA_RANGE = (1e-8, 1e8)
#: largest |lambda| tau_m (dimensionless): 2 pi x 1 MHz x 20 ms is 1.26e5 (pcfd: ~3 s)
_MAX_OMEGA_TAU = 1.3e5
#: largest mpmath precision (decimal digits)
_MAX_DPS = 1000


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
    gap = V_th - V_reset
    if not _SIGMA_RANGE[0] * gap <= sigma <= _SIGMA_RANGE[1] * gap:
        raise ValueError(
            f"sigma (mV) = {sigma:g} is outside [{_SIGMA_RANGE[0]:g}, {_SIGMA_RANGE[1]:g}] x "
            f"(V_th - V_reset) = [{_SIGMA_RANGE[0] * gap:g}, {_SIGMA_RANGE[1] * gap:g}] mV, "
            "where the response can be evaluated"
        )
    dps = check_int("dps", dps, minimum=15)
    if dps > _MAX_DPS:
        raise ValueError(f"dps must be <= {_MAX_DPS} (mpmath digits), got {dps}")
    try:
        is_complex = np.iscomplexobj(frequency)
    except Exception:  # noqa: BLE001 - converted (and refused) below
        is_complex = False
    if is_complex and not laplace:
        raise ValueError(
            "frequency (Hz) must be real and >= 0; pass laplace=True for complex lambda"
        )
    f = check_array(
        "frequency (Hz)" if not laplace else "frequency (lambda, 1/s)",
        frequency,
        dtype=complex if laplace else float,
    )
    if not laplace and np.any(f < 0):
        raise ValueError(
            "frequency (Hz) must be real and >= 0; pass laplace=True for complex lambda"
        )
    lam = (f / 1000.0) if laplace else (2j * math.pi * f / 1000.0)  # 1/ms
    lam = np.asarray(lam, dtype=complex)
    if lam.size and np.max(np.abs(lam)) * tau_m > _MAX_OMEGA_TAU:
        raise ValueError(
            f"frequency too high for tau_m = {tau_m:g} ms: |lambda| tau_m = "
            f"{np.max(np.abs(lam)) * tau_m:.3g} exceeds {_MAX_OMEGA_TAU:g} (f = 1 MHz at "
            "tau_m = 20 ms); the response is in its asymptotic regime long before"
        )
    nu, dmu, dsig = _siegert_and_derivatives(
        np.asarray(mu), np.asarray(sigma), tau_m, V_th, V_reset, t_ref, 0.0
    )
    check_choice("method", method, _METHODS)
    if method == "threshold":
        with np.errstate(all="ignore"):
            gm, gs = susceptibilities(
                lam, mu, sigma, float(nu) / 1000.0, tau_m, V_th, V_reset, t_ref
            )
        zero = lam == 0
        gm = np.where(zero, float(dmu), 1000.0 * gm)
        gs = np.where(zero, float(dsig) / (2.0 * sigma), 1000.0 * gs)
        if not (np.all(np.isfinite(gm)) and np.all(np.isfinite(gs))):
            raise ValueError(
                f"the threshold integration overflowed at mu = {mu:g}, sigma = {sigma:g} mV; "
                "use method='pcfd' or a larger sigma"
            )
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
