"""Network descriptions shared by the theory and the simulator (``rnmf.models``).

A model is a frozen dataclass validated in ``__post_init__``.  The same object
goes to ``rnmf.theory`` (which takes N -> infinity unless a finite-size
correction is asked for) and to ``rnmf.sim`` (which samples one network of N
units from it).  Sweeps use :func:`dataclasses.replace`.

One file per model family:

* :mod:`rnmf.models.rate` -- :class:`RateNetwork`, the random rate network;
* :mod:`rnmf.models.lowrank` -- :class:`LowRankNetwork`, low-rank plus random couplings;
* :mod:`rnmf.models.lif` -- :class:`LIFNetwork`, sparse LIF populations;
* :mod:`rnmf.models.intensity` -- :class:`IntensityNetwork`, intensity-based spiking
  networks (replica mean field);
* :mod:`rnmf.models.populations` -- :class:`PopulationModel`, population rate equations
  written by the user (symbolic stability);
* :mod:`rnmf.models.rate_populations` -- :class:`RatePopulationNetwork` and :class:`Drive`,
  random rate networks of several populations with time-dependent input.

Argument checks shared by all models live in :mod:`rnmf._checks`.
"""

from rnmf.transfer import Transfer

from .delays import Delay
from .intensity import IntensityNetwork
from .lif import LIFNetwork
from .lowrank import LowRankNetwork
from .populations import PopulationModel
from .rate import RateNetwork
from .rate_populations import Drive, RatePopulationNetwork

__all__ = [
    "Delay",
    "Drive",
    "IntensityNetwork",
    "LIFNetwork",
    "LowRankNetwork",
    "PopulationModel",
    "RateNetwork",
    "RatePopulationNetwork",
    "Transfer",
]
