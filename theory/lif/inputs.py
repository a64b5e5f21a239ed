r"""Input statistics of an LIF network and its stationary rate map.

In the diffusion approximation the synaptic input of a neuron of population ``a`` is a
Gaussian white noise with mean and variance (Brunel 2000, eqs. 4-5; Amit & Brunel 1997;
Fourcaud & Brunel 2002, eq. 3.4)

.. math::

    \mu_a = \tau_{m,a} \Big(\sum_b K_{ab} E[w_{ab}] \nu_b
            + \sum_s C_{ext,as} J_{ext,as} \nu_{ext,as}\Big) + \mu_{ext,a}, \qquad
    \sigma_a^2 = \tau_{m,a} \Big(\sum_b K_{ab} E[w_{ab}^2] \nu_b
            + \sum_s C_{ext,as} J_{ext,as}^2 \nu_{ext,as}\Big),

with one membrane time constant per population, S external Poisson sources, and the
moments of the recurrent weights ``E[w] = J``, ``E[w^2] = J^2 (1 + J_sd^2)`` of a
Gaussian weight spread (a synapse's weight is drawn once: the variance of the summed input
over independent synapses adds the weight variance; truncated weights:
:meth:`LIFNetwork.weight_moments`).  ``mu`` is measured from the resting potential
``E_L``; thresholds and resets enter the rate formulas as ``V_th - E_L`` and ``V_reset -
E_L``.

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

from .neuron import _rate_and_derivatives


def _neuron(net: LIFNetwork) -> dict[str, Any]:
    """Neuron parameters for the rate formulas: floats for one neuron model, arrays of P
    otherwise; thresholds and resets relative to the resting potential ``E_L``."""
    if net.homogeneous:
        E_L = float(net.E_L)
        return dict(
            tau_m=net.tau_m,
            V_th=net.V_th - E_L,
            V_reset=net.V_reset - E_L,
            t_ref=net.t_ref,
            tau_s=net.tau_s,
        )
    E_L = net.neuron("E_L")
    return dict(
        tau_m=net.neuron("tau_m"),
        V_th=net.neuron("V_th") - E_L,
        V_reset=net.neuron("V_reset") - E_L,
        t_ref=net.neuron("t_ref"),
        tau_s=net.neuron("tau_s"),
    )


def _net_arrays(net: LIFNetwork):
    """``K E[w]``, ``K E[w^2]`` (P x P), external mean and variance drive (P,), ``mu_ext``.

    ``E[w^2] = J^2 (1 + J_sd^2)`` for Gaussian weights (truncated: see
    :meth:`LIFNetwork.weight_moments`); the external sources are summed over S."""
    K = np.asarray(net.K, dtype=float)
    m1, m2 = net.weight_moments()
    rates, k_ext, w_ext = net.external()
    ext = np.sum(k_ext * w_ext * rates, axis=1)
    ext2 = np.sum(k_ext * w_ext**2 * rates, axis=1)
    return K * m1, K * m2, ext, ext2, np.asarray(net.mu_ext, dtype=float)


def _tau_scale(net: LIFNetwork):
    """``tau_m / 1000`` (ms x Hz -> dimensionless): a float or an array of P."""
    return net.tau_m / 1000.0 if net.homogeneous else net.neuron("tau_m") / 1000.0


def input_statistics(net: LIFNetwork, rates: Any) -> tuple[np.ndarray, np.ndarray]:
    r"""Mean and standard deviation (mV) of the input to each population.

    .. math::

        \mu_a = \tau_{m,a}\Big(\sum_b K_{ab}E[w_{ab}]\nu_b + \sum_s C_{ext,as}J_{ext,as}
        \nu_{ext,as}\Big) + \mu_{ext,a},
        \quad \sigma_a^2 = \tau_{m,a}\Big(\sum_b K_{ab}E[w_{ab}^2]\nu_b
        + \sum_s C_{ext,as}J_{ext,as}^2\nu_{ext,as}\Big)

    with rates in Hz and ``tau_m`` in ms (hence a factor 1/1000); ``E[w^2] = J^2 (1 +
    J_sd^2)`` with a weight spread.  ``mu`` is measured from ``E_L``.

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
    scale = _tau_scale(net)
    mu = scale * (nu @ KJ.T + ext) + mu_ext
    var = scale * (nu @ KJ2.T + ext2)
    return mu, np.sqrt(np.maximum(var, 0.0))


def _groups(net: LIFNetwork) -> list[list[int]]:
    """Populations with identical inputs have identical rates at every fixed point."""
    KJ, KJ2, ext, ext2, mu_ext = _net_arrays(net)
    keys: dict[tuple, list[int]] = {}
    for a in range(net.P):
        nb = tuple(float(np.broadcast_to(v, (net.P,))[a]) for v in _neuron(net).values())
        key = (tuple(KJ[a]), tuple(KJ2[a]), ext[a], ext2[a], mu_ext[a], nb)
        keys.setdefault(key, []).append(a)
    return list(keys.values())


def _phi(net, nu, synapse="shift"):
    mu, sigma = _input_stats(net, nu)
    return _rate_and_derivatives(mu, sigma, synapse, **_neuron(net))


def _jacobian(net, nu, synapse="shift"):
    """dPhi_a/dnu_b (dimensionless) at rates nu (P,)."""
    KJ, KJ2, *_ = _net_arrays(net)
    mu, sigma = _input_stats(net, nu)
    _, dmu, dsig = _rate_and_derivatives(mu, sigma, synapse, **_neuron(net))
    scale = np.reshape(_tau_scale(net), (-1, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        dsig_dnu = np.where(sigma[:, None] > 0, scale * KJ2 / (2.0 * sigma[:, None]), 0.0)
    return dmu[:, None] * scale * KJ + dsig[:, None] * dsig_dnu
