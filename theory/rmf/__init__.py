"""Replica-mean-field theory of intensity-based spiking networks (``rnmf.theory.rmf``).

The RMF limit (Baccelli & Taillefumier 2019, SIAM J. Appl. Dyn. Syst. 18:1756) keeps
the finite size of a network and the unscaled strength of its synapses: M replicas of
the network exchange spikes through random routing, and as M -> infinity every neuron
receives independent Poisson trains at the stationary rates of its inputs.  The network
reduces to N single-neuron problems coupled through N rates.

* :func:`solve` -- every stationary state (``limit="rmf"`` or ``"mf"``), each with its
  Jacobian and what its eigenvalues imply;
* :func:`transfer`, :func:`rate_map` -- transfer functions ``F_i(input rates)``;
* :func:`neuron_laws` -- stationary density, moments, ISI survival, CV, Fano factor and
  spike-train power spectrum of one neuron at a solution;
* :func:`phase_diagram` -- multistability of an exponential-intensity E-I network.

Modules: :mod:`.renewal` (linear intensity, survival integral), :mod:`.density`
(stationary density on a grid, any intensity), :mod:`.meanfield`, :mod:`.transfer`,
:mod:`.solve`, :mod:`.laws`, :mod:`.phase`.
"""

from .laws import NeuronLaws, neuron_laws
from .phase import EIPhaseDiagram, phase_diagram
from .solve import RMFResult, RMFSolution, solve
from .transfer import rate_map, transfer

__all__ = [
    "EIPhaseDiagram",
    "NeuronLaws",
    "RMFResult",
    "RMFSolution",
    "neuron_laws",
    "phase_diagram",
    "rate_map",
    "solve",
    "transfer",
]
