"""Reference simulator of recurrent networks (``rnmf.sim``).

Rate networks: :func:`simulate` (numba kernels, BLAS gemv per step),
:func:`lyapunov_spectrum`, and the measures of :mod:`rnmf.sim.measures`.
Time is in units of tau for continuous-time models (steps for the discrete map).

Spiking (LIF) networks: :func:`simulate_lif` (numba kernel, ring-buffer delays,
CSR connectivity), the spike-train measures of :mod:`rnmf.sim.spike_measures`, and
:func:`to_nest`, which builds the same network in NEST (optional dependency).
"""

from . import measures, spike_measures
from .connectivity import sample_couplings, sample_inputs
from .export import NestNetwork, to_nest
from .lowrank import LowRankTrajectory, simulate_lowrank
from .lyapunov import LyapunovSpectrum, largest_lyapunov, lyapunov_spectrum
from .measures import PopulationStats, autocorrelation, delta0, mean_sem, population_stats
from .rate import Trajectory, simulate
from .spiking import LIFResult, build_connectivity, simulate_lif

__all__ = [
    "LIFResult",
    "LowRankTrajectory",
    "LyapunovSpectrum",
    "NestNetwork",
    "PopulationStats",
    "Trajectory",
    "autocorrelation",
    "build_connectivity",
    "delta0",
    "largest_lyapunov",
    "lyapunov_spectrum",
    "mean_sem",
    "measures",
    "population_stats",
    "sample_couplings",
    "sample_inputs",
    "simulate",
    "simulate_lif",
    "simulate_lowrank",
    "spike_measures",
    "to_nest",
]
