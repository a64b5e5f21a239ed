r"""Input statistics of an LIF network and its stationary rate map.

In the diffusion approximation the synaptic input of a neuron of population ``a`` is a
Gaussian white noise with mean and variance (Brunel 2000, eqs. 4-5; Amit & Brunel 1997)

.. math::

    \mu_a = \tau_m \Big(\sum_b K_{ab} J_{ab} \nu_b + C_{ext,a} J_{ext,a} \nu_{ext,a}\Big)
            + \mu_{ext,a}, \qquad
    \sigma_a^2 = \tau_m \Big(\sum_b K_{ab} J_{ab}^2 \nu_b + C_{ext,a} J_{ext,a}^2 \nu_{ext,a}\Big).

This module holds :func:`input_statistics`, the grouping of populations with identical
inputs, and the rate map ``Phi(nu) = siegert(mu(nu), sigma(nu))`` (Brunel 2000, eq. 21)
with its analytic Jacobian, shared by the fixed-point, balanced-state and stability
modules.

References
----------
.. [1] N. Brunel, "Dynamics of sparsely connected networks of excitatory and
   inhibitory spiking neurons", J. Comput. Neurosci. 8, 183-208 (2000).
.. [2] D. J. Amit and N. Brunel, "Model of global spontaneous activity and local
   structured activity during delay periods in the cerebral cortex",
   Cereb. Cortex 7, 237 (1997).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnmf._checks import check_array
from rnmf.models import LIFNetwork

from .neuron import _siegert_and_derivatives


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
    nu = check_array("rates (Hz)", rates, finite=False).reshape(np.shape(rates))
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
