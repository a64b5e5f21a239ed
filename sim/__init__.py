"""Reference simulator of recurrent networks (``rnmf.sim``).

Rate networks: :func:`simulate` (numba kernels, BLAS gemv per step),
:func:`lyapunov_spectrum`, and the measures of :mod:`rnmf.sim.measures`.
Time is in units of tau for continuous-time models (steps for the discrete map).
"""

from .connectivity import sample_couplings, sample_inputs
from .lyapunov import LyapunovSpectrum, largest_lyapunov, lyapunov_spectrum
from .measures import PopulationStats, autocorrelation, delta0, mean_sem, population_stats
from .rate import Trajectory, simulate

__all__ = [
    "LyapunovSpectrum",
    "PopulationStats",
    "Trajectory",
    "autocorrelation",
    "delta0",
    "largest_lyapunov",
    "lyapunov_spectrum",
    "mean_sem",
    "population_stats",
    "sample_couplings",
    "sample_inputs",
    "simulate",
]
