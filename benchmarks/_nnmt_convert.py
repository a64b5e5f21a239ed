r"""NNMT's inputs and conventions turned into rnmf's, for ``benchmarks/nnmt_fixtures.py``.

Units: NNMT's SI (V, s) become rnmf's mV and ms.  Single neurons become one unconnected
population with the fixture's input mean and SD (:func:`_driven`); NNMT's parameter
arrays become an :class:`~rnmf.models.LIFNetwork` (:func:`_si_net`).

Transfer functions: NNMT's colored-noise transfer function (Schuecker, Diesmann & Helias
2015; arXiv:1411.0432, eq. 93) leaves out the refractory factor that rnmf's white-noise
response carries (Lindner & Schimansky-Geier 2001, eq. 5, ``e^{-i omega t_ref}``).  With
the ratio of the two white-noise responses at bounds ``(V_th, V_r)``

.. math::

    R = \frac{D_\Omega(z_T) - e^{\Delta} D_\Omega(z_R)}
             {D_\Omega(z_T) - e^{\Delta} e^{-i\omega t_{ref}} D_\Omega(z_R)}, \quad
    \Omega = -i\omega\tau_m,\; z = \sqrt2 (\mu - V)/\sigma,\;
    \Delta = (z_R^2 - z_T^2)/4,

the relations (``theory/lif/_pop_transfer.py`` and ``tests/theory/test_lif_taylor_transfer.py``)
are ``G_shift = R(V_th + D, V_r + D) G_shift^NNMT`` and ``G_Taylor = R_0 G_Taylor^NNMT -
D G_0^NNMT dR_0/dmu`` with the shift ``D = sigma alpha/2 sqrt(tau_s/tau_m)``, ``R_0`` at
the unshifted bounds and ``G_0^NNMT = G_0 / R_0`` the white-noise response without the
factor (times the synaptic low-pass).  At ``omega = 0`` both tools return the rate
derivative, so there the comparison is direct.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
from _nnmt_io import Fixtures

from rnmf.models import LIFNetwork
from rnmf.theory import lif
from rnmf.theory.lif.neuron import ALPHA_COLORED


def neuron_params(p: dict, n: int) -> list[dict]:
    """Per-element neuron parameters in mV and ms from a fixture's SI ``params``."""

    def vec(name, default=0.0):
        return np.broadcast_to(np.asarray(p.get(name, default), dtype=float), (n,))

    mu, sigma = vec("mu") * 1e3, vec("sigma") * 1e3
    tau_m, t_ref, tau_s = vec("tau_m") * 1e3, vec("tau_r") * 1e3, vec("tau_s") * 1e3
    V_th, V_0 = vec("V_th_rel") * 1e3, vec("V_0_rel") * 1e3
    return [
        dict(
            mu=mu[i],
            sigma=sigma[i],
            tau_m=tau_m[i],
            V_th=V_th[i],
            V_reset=V_0[i],
            t_ref=t_ref[i],
            tau_s=tau_s[i],
        )
        for i in range(n)
    ]


def neuron_kw(d: dict, *drop: str) -> dict:
    return {k: v for k, v in d.items() if k not in ("mu", "sigma", *drop)}


def driven(mu: float, sigma: float, **neuron) -> LIFNetwork:
    """One unconnected population whose input has mean ``mu`` and SD ``sigma`` (mV): a
    Poisson source (one input of 1 mV) gives the variance, a DC offset the rest."""
    tau_m = neuron.get("tau_m", 20.0)
    nu_ext = 1e3 * sigma**2 / tau_m
    return LIFNetwork(
        N=(1,), K=0.0, J=0.0, nu_ext=nu_ext, C_ext=1.0, J_ext=1.0, mu_ext=mu - sigma**2, **neuron
    )


def si_net(p: dict, n_pop: int, *, rates=None) -> LIFNetwork:
    """An rnmf network from NNMT's SI parameter arrays (J, K, J_ext, K_ext, nu_ext, ...)."""

    def per_pop(name, default):
        return tuple(np.broadcast_to(np.asarray(p.get(name, default), float), (n_pop,)) * 1e3)

    K = np.broadcast_to(np.asarray(p["K"], float), (n_pop, n_pop))
    J = np.broadcast_to(np.asarray(p["J"], float), (n_pop, n_pop)) * 1e3
    K_ext = np.asarray(p["K_ext"], float).reshape(n_pop, -1)
    n_src = K_ext.shape[1]
    J_ext = np.broadcast_to(np.asarray(p["J_ext"], float), (n_pop, n_src)) * 1e3
    nu_ext = np.broadcast_to(np.asarray(p["nu_ext"], float), (n_pop, n_src))
    tau_m = per_pop("tau_m", 0.01)
    mu_ext = (0.0,) * n_pop
    if "I_ext" in p and "C" in p:
        mu_ext = tuple(np.asarray(tau_m) * float(p["I_ext"]) / float(p["C"]))  # ms V/s = mV
    return LIFNetwork(
        N=(1000,) * n_pop,
        K=K.tolist(),
        J=J.tolist(),
        tau_m=tau_m,
        t_ref=per_pop("tau_r", 0.0),
        tau_s=per_pop("tau_s", 0.0),
        V_th=per_pop("V_th_rel", 0.02),
        V_reset=per_pop("V_0_rel", 0.0),
        nu_ext=nu_ext.tolist(),
        C_ext=K_ext.tolist(),
        J_ext=J_ext.tolist(),
        mu_ext=mu_ext,
    )


def hash_params(fx: Fixtures, f: str, result: str) -> dict:
    """The SI parameters NNMT stored next to ``result`` in its ``results_hash_dict``."""
    for h in fx.groups(f, "results_hash_dict"):
        if fx.has(f, f"results_hash_dict/{h}/{result}"):
            pre = f"results_hash_dict/{h}/params"
            return {k: fx(f, f"{pre}/{k}") for k in fx.groups(f, pre)}
    raise KeyError(result)


def colored_shift(sigma: float, tau_s: float, tau_m: float) -> float:
    """``D = sigma alpha/2 sqrt(tau_s/tau_m)`` (mV), the colored-noise shift of threshold
    and reset (Fourcaud & Brunel 2002, eq. 4.33)."""
    return sigma * ALPHA_COLORED / 2.0 * math.sqrt(tau_s / tau_m)


def refractory_factor(f_hz, mu, sigma, tau_m, t_ref, V_th, V_r) -> tuple[complex, complex]:
    """``(R, dR/dmu)`` of the module docstring at one frequency ``f_hz`` > 0 (mpmath, at
    the caller's working precision); the derivative is analytic through ``D'_v(z) = z/2
    D_v(z) - D_{v+1}(z)`` (DLMF 12.8.3), ``dz/dmu = sqrt 2/sigma``."""
    lam = 2j * mpmath.pi * mpmath.mpf(f_hz) / 1000
    Om = -lam * tau_m
    s = mpmath.sqrt(2) / sigma
    zT, zR = s * (mu - V_th), s * (mu - V_r)
    E = mpmath.exp((zR**2 - zT**2) / 4)
    dE = E * (zR - zT) * s / 2
    e = mpmath.exp(-lam * t_ref)
    DT, DR = mpmath.pcfd(Om, zT), mpmath.pcfd(Om, zR)
    DT1, DR1 = mpmath.pcfd(Om + 1, zT), mpmath.pcfd(Om + 1, zR)
    a, da = DT, s * (zT / 2 * DT - DT1)
    b, db = E * DR, dE * DR + E * s * (zR / 2 * DR - DR1)
    num, dnum = a - b, da - db
    den, dden = a - e * b, da - e * db
    return complex(num / den), complex((dnum * den - num * dden) / den**2)


def nnmt_to_rnmf(
    G_nnmt: np.ndarray,
    f: np.ndarray,
    mu: float,
    sigma: float,
    *,
    tau_m: float,
    t_ref: float,
    tau_s: float,
    V_th: float,
    V_reset: float,
    synapse: str,
) -> np.ndarray:
    """NNMT's colored-noise transfer function (Hz/mV, with the synaptic low-pass) of one
    population at frequencies ``f`` (Hz, all > 0) carried over to rnmf's convention by
    the relations of the module docstring (closed forms in mpmath, 30 digits)."""
    D = colored_shift(sigma, tau_s, tau_m)
    G_nnmt = np.asarray(G_nnmt, dtype=complex)
    with mpmath.workdps(30):
        if synapse == "shift":
            R = [refractory_factor(x, mu, sigma, tau_m, t_ref, V_th + D, V_reset + D)[0] for x in f]
            return np.array(R) * G_nnmt
        RR = np.array([refractory_factor(x, mu, sigma, tau_m, t_ref, V_th, V_reset) for x in f])
    R0, dR0 = RR[:, 0], RR[:, 1]
    neuron = dict(tau_m=tau_m, t_ref=t_ref, V_th=V_th, V_reset=V_reset)
    G0 = lif.transfer_function(f, mu, sigma, **neuron, method="pcfd")[0]
    low_pass = 1.0 / (1.0 + 2j * math.pi * np.asarray(f) / 1000.0 * tau_s)
    return R0 * G_nnmt - D * G0 * low_pass / R0 * dR0


def nnmt_to_rnmf_net(
    net: LIFNetwork, f: np.ndarray, rates: np.ndarray, G_nnmt: np.ndarray, synapse: str
) -> np.ndarray:
    """:func:`nnmt_to_rnmf` for every population of ``net`` (``G_nnmt`` of shape (F, P),
    Hz/mV) at the working point ``rates`` (Hz)."""
    mu, sigma = lif.input_statistics(net, rates)
    E_L = net.neuron("E_L")  # rnmf's mu is relative to the resting potential
    nb = {k: net.neuron(k) for k in ("tau_m", "t_ref", "tau_s")}
    nb.update(V_th=net.neuron("V_th") - E_L, V_reset=net.neuron("V_reset") - E_L)
    out = np.empty(np.shape(G_nnmt), dtype=complex)
    for a in range(net.P):
        k = {name: float(v[a]) for name, v in nb.items()}
        out[:, a] = nnmt_to_rnmf(G_nnmt[:, a], f, mu[a], sigma[a], **k, synapse=synapse)
    return out
