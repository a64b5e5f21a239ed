"""Transfer functions of LIF populations at their working point, for the linear response of
:mod:`rnmf.theory.lif.spectra`: the white-noise response with its refractory factor
(Lindner & Schimansky-Geier 2001, eqs. 5-6), and for exponential synapses the "shift" and
"taylor" colored-noise variants (Schuecker, Diesmann & Helias 2015, eq. 18 and the text below
eq. 29); see :func:`transfer_functions` and the module docstring of
:mod:`rnmf.theory.lif.spectra` for conventions, validity ranges and the relation to NNMT.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from rnmf._checks import check_array, check_bool, check_choice
from rnmf.models import LIFNetwork

from ._linear import susceptibilities
from .inputs import _input_stats, _neuron
from .neuron import ALPHA_COLORED, SYNAPSE_METHODS
from .transfer import _MAX_OMEGA_TAU, _response_scalar

__all__ = ["transfer_functions"]

#: most frequency x population lanes evaluated at once
_MAX_LANES = 10**6


def _frequencies(frequency: Any) -> np.ndarray:
    f = np.atleast_1d(check_array("frequency (Hz)", frequency))
    if f.ndim != 1:
        raise ValueError(f"frequency (Hz) must be a number or a 1-D array, got shape {f.shape}")
    if np.any(f < 0):
        raise ValueError("frequency (Hz) must be >= 0")
    return f


def _rates(net: LIFNetwork, rates: Any, synapse: str = "shift") -> np.ndarray:
    if rates is None:
        from .network import stationary_rates

        return stationary_rates(net, synapse=synapse).rates
    nu = check_array("rates (Hz)", rates, shape=(net.P,))
    if np.any(nu < 0):
        raise ValueError(f"rates (Hz) must be >= 0, got {nu.tolist()}")
    return nu


#: relative step ``h / sigma`` of the five-point difference in mu of the Taylor variant
#: (threshold integration); truncation ``~ (h/sigma)^4`` ~ 1e-8, far below the
#: integration's own ~1e-5 (tested against the analytic pcfd derivative)
_TAYLOR_H = 0.02
_STENCIL = np.array([1.0, -8.0, 0.0, 8.0, -1.0]) / 12.0
#: ratio |first-order term| / |zeroth-order term| of the Taylor variant above which
#: ``linear_response`` reports it as outside its range
_TAYLOR_TERM_MAX = 0.5


def _pcfd_with_dmu(lam, mu, sigma, nu_hz, dnu_hz, tau_m, V_th, V_reset, t_ref):
    r"""``(G_mu, G_sigma2, dG_mu/dmu, dG_sigma2/dmu)`` at one Laplace variable (1/ms).

    The parabolic-cylinder form of Lindner & Schimansky-Geier (2001, eqs. 5-6; as in
    :func:`rnmf.theory.lif.transfer_function`) differentiated in ``mu`` analytically with
    ``D'_v(z) = (z/2) D_v(z) - D_{v+1}(z)`` (DLMF 12.8.3), ``dz_{T,R}/dmu = sqrt 2/sigma``
    and ``dDelta/dmu = (z_R - z_T)/(sqrt 2 sigma)``; ``dnu_hz`` is ``d nu/d mu`` (Hz/mV).
    Needs an mpmath working precision set by the caller.
    """
    import mpmath

    Om = -mpmath.mpc(lam) * tau_m
    s = mpmath.sqrt(2) / sigma
    zT = s * (mu - V_th)
    zR = s * (mu - V_reset)
    ed = mpmath.exp((zR**2 - zT**2) / 4)
    d_ed = ed * (zR - zT) * s / 2
    ref = mpmath.exp(-mpmath.mpc(lam) * t_ref)
    zz = {"T": zT, "R": zR}
    D = {(o, b): mpmath.pcfd(Om + o, zz[b]) for o in (-2, -1, 0, 1) for b in zz}

    def comb(o, r):
        """``D_{Om+o}(z_T) - r e^Delta D_{Om+o}(z_R)`` and its mu-derivative."""
        val = D[o, "T"] - r * ed * D[o, "R"]
        dT = s * (zT / 2 * D[o, "T"] - D[o + 1, "T"])
        dR = s * (zR / 2 * D[o, "R"] - D[o + 1, "R"])
        return val, dT - r * (d_ed * D[o, "R"] + ed * dR)

    den, d_den = comb(0, ref)
    n1, d_n1 = comb(-1, 1)
    n2, d_n2 = comb(-2, 1)
    Dn = sigma**2 / 2.0
    c1 = Om / (mpmath.sqrt(Dn) * (Om - 1))
    c2 = Om * (Om - 1) / (Dn * (2 - Om)) / 2
    out = []
    for c, n, dn in ((c1, n1, d_n1), (c2, n2, d_n2)):
        g = c * nu_hz * n / den
        dg = c * (dnu_hz * n / den + nu_hz * dn / den - nu_hz * n * d_den / den**2)
        out.append((complex(g), complex(dg)))
    return out[0][0], out[1][0], out[0][1], out[1][1]


def _population_transfer(lam, mu, sigma, tau_m, V_th, V_r, t_ref, tau_s, method, synapse):
    """Unfiltered ``(G_mu, G_sigma2, first/zeroth)`` of one population over ``lam`` (1/ms).

    ``first/zeroth`` is ``|D dG_0/dmu| / |G_0|`` per frequency for the Taylor variant
    (``None`` otherwise); see :func:`transfer_functions` for the formulas."""
    from .neuron import _siegert_and_derivatives, _taylor_and_derivatives

    taylor = synapse == "taylor" and tau_s > 0
    shift = sigma * 0.5 * ALPHA_COLORED * math.sqrt(tau_s / tau_m)
    if not taylor:
        V_th, V_r = V_th + shift, V_r + shift
    nu_a, dmu, dsig = (
        float(x)
        for x in _siegert_and_derivatives(
            np.asarray(mu), np.asarray(sigma), tau_m, V_th, V_r, t_ref, 0.0
        )
    )
    zero = lam == 0
    if taylor:
        _, dmu_t, dsig_t = _taylor_and_derivatives(
            np.asarray(mu), np.asarray(sigma), tau_m, V_th, V_r, t_ref, tau_s
        )
        g_0, gs_0 = float(dmu_t), float(dsig_t) / (2.0 * sigma)
    else:
        # d nu / d sigma^2 of the shifted formula (the shift moves with sigma)
        g_0 = dmu
        gs_0 = dsig / (2.0 * sigma) - dmu * shift / (2.0 * sigma**2)
    if method == "threshold":
        if taylor:
            mus = mu + _TAYLOR_H * sigma * np.arange(-2.0, 3.0)
            nus = _siegert_and_derivatives(mus, np.full(5, sigma), tau_m, V_th, V_r, t_ref, 0.0)[0]
            with np.errstate(all="ignore"):
                gm, gs = susceptibilities(
                    lam[:, None], mus, sigma, nus / 1000.0, tau_m, V_th, V_r, t_ref
                )
            gm, gs = 1000.0 * gm, 1000.0 * gs
            G0, Gs0 = gm[:, 2], gs[:, 2]
            dG = gm @ _STENCIL / (_TAYLOR_H * sigma)
            dGs = gs @ _STENCIL / (_TAYLOR_H * sigma)
        else:
            with np.errstate(all="ignore"):
                gm, gs = susceptibilities(lam, mu, sigma, nu_a / 1000.0, tau_m, V_th, V_r, t_ref)
            G0, Gs0 = 1000.0 * gm, 1000.0 * gs
    else:
        import mpmath

        G0 = np.zeros(lam.shape, dtype=complex)
        Gs0 = np.zeros(lam.shape, dtype=complex)
        dG = np.zeros(lam.shape, dtype=complex)
        dGs = np.zeros(lam.shape, dtype=complex)
        with mpmath.workdps(20):
            for i, lv in enumerate(lam):
                if lv == 0:
                    continue
                if taylor:
                    G0[i], Gs0[i], dG[i], dGs[i] = _pcfd_with_dmu(
                        lv, mu, sigma, nu_a, dmu, tau_m, V_th, V_r, t_ref
                    )
                else:
                    G0[i], Gs0[i] = _response_scalar(lv, mu, sigma, nu_a, tau_m, V_th, V_r, t_ref)
    ratio = None
    with np.errstate(all="ignore"):
        if taylor:
            # G_T = G_0 - D dG_0/dmu = G_0 + D (d/dV_th + d/dV_r) G_0 (text above)
            g = G0 - shift * dG
            gs = Gs0 - shift * dGs - G0 * shift / (2.0 * sigma**2)
            ratio = np.where(zero, abs(dmu - g_0) / abs(dmu), np.abs(shift * dG) / np.abs(G0))
        else:
            g = G0
            gs = Gs0 - G0 * shift / (2.0 * sigma**2)
    g = np.where(zero, g_0, g)
    gs = np.where(zero, gs_0, gs)
    return g, gs, ratio


def _check_lanes(f: np.ndarray, net: LIFNetwork) -> None:
    if f.size * net.P > _MAX_LANES:
        raise ValueError(
            f"{f.size} frequencies x {net.P} populations exceed {_MAX_LANES} lanes; "
            "split the frequency axis"
        )


def _low_pass(net: LIFNetwork, f: np.ndarray) -> np.ndarray:
    """``1 + i omega tau_s,a``, shape (F, P): the synaptic filter's denominator."""
    return 1.0 + 2j * math.pi * f[:, None] / 1000.0 * net.neuron("tau_s")[None, :]


def _transfer(net, f, nu, method, synapse):
    """``(G (F, P), G_sigma2 (F, P), first/zeroth (F, P) or None)``, unfiltered; checked."""
    mu, sigma = _input_stats(net, nu)
    nb = {k: np.broadcast_to(np.asarray(v, dtype=float), (net.P,)) for k, v in _neuron(net).items()}
    lam = 2j * math.pi * f / 1000.0  # 1/ms
    if lam.size and np.max(np.abs(lam)) * np.max(nb["tau_m"]) > _MAX_OMEGA_TAU:
        raise ValueError(
            f"frequency too high: |omega| tau_m exceeds {_MAX_OMEGA_TAU:g}; the response is "
            "in its asymptotic regime long before"
        )
    out = np.empty((f.size, net.P), dtype=complex)
    out_s = np.empty((f.size, net.P), dtype=complex)
    ratio = np.zeros((f.size, net.P)) if synapse == "taylor" else None
    for a in range(net.P):
        if sigma[a] <= 0:
            raise ValueError(
                f"population {net.populations[a]} receives no input noise (sigma = 0): "
                "the diffusion transfer function is undefined"
            )
        tau_s = float(nb["tau_s"][a])
        g, gs, r = _population_transfer(
            lam,
            float(mu[a]),
            float(sigma[a]),
            float(nb["tau_m"][a]),
            float(nb["V_th"][a]),
            float(nb["V_reset"][a]),
            float(nb["t_ref"][a]),
            tau_s,
            method,
            synapse,
        )
        if not (np.all(np.isfinite(g)) and np.all(np.isfinite(gs))):
            raise ValueError(
                f"the transfer function of population {net.populations[a]} could not be "
                f"evaluated at mu = {mu[a]:g}, sigma = {sigma[a]:g} mV (method={method!r}); "
                "try method='pcfd'"
            )
        out[:, a], out_s[:, a] = g, gs
        if r is not None:
            ratio[:, a] = r
    return out, out_s, ratio


def transfer_functions(
    net: LIFNetwork,
    frequency: Any,
    *,
    rates: Any = None,
    method: str = "threshold",
    synaptic_filter: bool = True,
    variance: bool = False,
    synapse: str = "shift",
) -> Any:
    r"""Transfer function ``G_a(omega)`` (Hz/mV) of every population at its working point.

    ``G_a`` is the response of population a's rate to a modulation of its mean input
    ``mu_a`` (white-noise LIF, Lindner & Schimansky-Geier 2001, eq. 5, refractory factor
    ``e^{-i omega t_ref}`` included), multiplied for exponential synapses by the synaptic
    low-pass ``1 / (1 + i omega tau_s)`` (Schuecker, Diesmann & Helias 2015, second
    equation of eq. 18 and the text below eq. 29).  The colored noise of exponential
    synapses enters through the boundary conditions, to first order in ``k =
    sqrt(tau_s / tau_m)`` (Schuecker et al. 2015, eqs. 18-29; Fourcaud & Brunel 2002, eq.
    4.33): with the white-noise response ``G_0(omega; V_th, V_r)`` and the shift
    ``D = sigma alpha/2 k``, ``alpha = sqrt 2 |zeta(1/2)|``,

    .. math::

        G^{\rm shift} = G_0(\omega; V_{th} + D, V_r + D), \qquad
        G^{\rm Taylor} = G_0 + D\,(\partial_{V_{th}} + \partial_{V_r})\,G_0
            = G_0 - D\,\partial_\mu G_0 ,

    both evaluated at the working point's ``(mu, sigma)``.  They agree to first order in
    ``k`` and differ at ``O(k^2)`` (tested: the difference is ``D^2/2 d^2G_0/dmu^2`` to
    leading order).  The Taylor form is the first-order result of Schuecker et al. (arXiv
    version 1411.0432, eq. 93; NNMT's ``method='taylor'``, reproduced to 1e-12), the shift
    form its rewriting as moved boundaries (2015, text below eq. 29); at ``omega = 0`` it
    is ``d nu_T / d mu`` of the stationary Taylor rate ``nu_T = nu_0 - D d nu_0/d mu``
    (:func:`rnmf.theory.lif.siegert` with ``synapse="taylor"``; tested).
    ``d G_0 / d mu`` is analytic with ``method="pcfd"`` (derivative of the parabolic
    cylinder functions) and a five-point difference with step ``0.02 sigma`` with
    ``method="threshold"`` (tested against the analytic one: 5e-6 measured, the
    integration's own accuracy).

    Validity (reported by :func:`linear_response`): both variants need ``k <~ 0.5`` (the
    shift is a first-order result in ``k``) and ``omega tau_s <~ 0.3`` (measured for
    :func:`asynchronous_stability`; Schuecker et al. 2015 state moderate frequencies,
    ``omega sqrt(tau_m tau_s) <~ 1`` as NNMT writes it); the Taylor variant in addition
    needs its first-order term small against the zeroth, ``|D dG_0/dmu| <~ 0.5 |G_0|``,
    and a positive Taylor rate.  For delta synapses (``tau_s = 0``) both are the exact
    white-noise response.

    Parameters
    ----------
    net : LIFNetwork
    frequency : array_like
        Frequencies in Hz (>= 0), shape (F,).
    rates : array_like (P,), optional
        Working point (Hz); default the primary solution of :func:`stationary_rates` with
        the same ``synapse``.
    method : {"threshold", "pcfd"}
        Threshold integration (vectorised, relative accuracy ~1e-5) or parabolic
        cylinder functions in mpmath (~10 ms per frequency and population).
    synaptic_filter : bool
        Include ``1/(1 + i omega tau_s)``.
    variance : bool
        Also return the response ``G^{sigma^2}_a`` (Hz/mV^2) to a modulation of the input
        variance (Lindner & Schimansky-Geier 2001, eq. 6), with the shift's own
        dependence on sigma (``- G_mu D / (2 sigma^2)``), as in
        :func:`asynchronous_stability`; Taylor: ``G^{sigma^2}_0 - D d G^{sigma^2}_0/d mu -
        G_0 D/(2 sigma^2)``, the sigma^2-derivative of the Taylor rate at ``omega = 0``.
    synapse : {"shift", "taylor"}
        Colored-noise treatment of exponential synapses (ignored for ``tau_s = 0``).

    Returns
    -------
    ndarray, complex, shape (F, P); with ``variance`` a pair of them.

    References
    ----------
    Schuecker, Diesmann & Helias (2015) Phys Rev E 92:052119, eqs. 18 and 29;
    Lindner & Schimansky-Geier (2001) PRL 86:2934, eqs. 5-6; Fourcaud & Brunel (2002)
    Neural Comput 14:2057, eq. 4.33.
    """
    if not isinstance(net, LIFNetwork):
        raise ValueError(f"net must be an LIFNetwork, got {type(net).__name__}")
    f = _frequencies(frequency)
    check_choice("method", method, ("threshold", "pcfd"))
    check_choice("synapse", synapse, SYNAPSE_METHODS)
    check_bool("synaptic_filter", synaptic_filter)
    check_bool("variance", variance)
    _check_lanes(f, net)
    nu = _rates(net, rates, synapse)
    out, out_s, _ = _transfer(net, f, nu, method, synapse)
    if synaptic_filter:
        low_pass = _low_pass(net, f)
        out, out_s = out / low_pass, out_s / low_pass
    return (out, out_s) if variance else out
