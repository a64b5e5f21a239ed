"""rnmf: mean-field theory and reference simulation of recurrent networks.

The hub package holds what theory and simulation share: models
(:mod:`rnmf.models`), results (:mod:`rnmf.results`), transfer functions
(:mod:`rnmf.transfer`) and the cross-validation layer (:mod:`rnmf.validate`).
``rnmf.theory`` and ``rnmf.sim`` live in the top-level folders ``theory/`` and
``sim/`` of the source tree.
"""

from importlib.metadata import PackageNotFoundError, version

from .models import IntensityNetwork, LIFNetwork, LowRankNetwork, RateNetwork
from .results import ConvergenceError, Result, Status
from .transfer import Transfer

try:
    __version__ = version("rnmf")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "ConvergenceError",
    "IntensityNetwork",
    "LIFNetwork",
    "LowRankNetwork",
    "RateNetwork",
    "Result",
    "Status",
    "Transfer",
    "__version__",
]
