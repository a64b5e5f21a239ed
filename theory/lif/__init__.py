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
transfer_functions, effective_connectivity, linear_response, sensitivity_measure
    Many-population linear response: per-population transfer functions, ``M(omega)``
    with delay distributions, rate power spectra, cross-spectra and covariances,
    eigenvalues and the sensitivity measure (Bos et al. 2016; Helias et al. 2013).

Modules
-------
:mod:`.neuron`
    Siegert rate, its derivatives, CV of the ISI and the erfcx numerics behind them.
:mod:`.transfer`, :mod:`._linear`
    Single-neuron susceptibilities: parabolic cylinder functions and threshold integration.
:mod:`.inputs`
    Input statistics of a network, grouping of identical populations, the rate map Phi.
:mod:`.balanced`
    Balanced-state rates.
:mod:`.network`
    Fixed points of a network and of model A over (g, eta) grids.
:mod:`.stability`
    Characteristic function, Nyquist count and roots, asynchronous stability.
:mod:`.regimes`
    Brunel phase diagram and Hopf lines of model A.
:mod:`.spectra`
    Linear response of many populations (spectra, covariances, sensitivity measure).

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

from .balanced import BalancedRates, balanced_rates
from .inputs import input_statistics
from .network import BrunelGrid, LIFFixedPoint, LIFStationary, brunel_rates, stationary_rates
from .neuron import ALPHA_COLORED, cv_isi, siegert, siegert_derivatives
from .regimes import (
    BRUNEL_REGIMES,
    BrunelPhaseDiagram,
    HopfBoundary,
    brunel_phase_diagram,
    hopf_boundary,
)
from .spectra import (
    LinearResponse,
    SensitivityMeasure,
    effective_connectivity,
    linear_response,
    sensitivity_measure,
    transfer_functions,
)
from .stability import AsyncStability, asynchronous_stability
from .transfer import transfer_function

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
    "LinearResponse",
    "SensitivityMeasure",
    "asynchronous_stability",
    "balanced_rates",
    "brunel_phase_diagram",
    "brunel_rates",
    "cv_isi",
    "effective_connectivity",
    "hopf_boundary",
    "input_statistics",
    "linear_response",
    "sensitivity_measure",
    "siegert",
    "siegert_derivatives",
    "stationary_rates",
    "transfer_function",
    "transfer_functions",
]
