"""Reference simulator of recurrent networks (``rnmf.sim``).

Rate networks: :func:`simulate` (numba kernels, BLAS gemv per step),
:func:`lyapunov_spectrum`, and the measures of :mod:`rnmf.sim.measures`.
Time is in units of tau for continuous-time models (steps for the discrete map).

Spiking (LIF) networks: :func:`simulate_lif` (numba kernel, ring-buffer delays,
CSR connectivity), the spike-train measures of :mod:`rnmf.sim.spike_measures`, and
:func:`to_nest`, which builds the same network in NEST (optional dependency).

Number formats and platforms: :class:`NumberFormat`, :class:`MixedPrecision` and
:func:`get_format` (:mod:`rnmf.sim.formats`; every simulator takes ``fmt=``), and the
presets :func:`simulate_loihi` (bit-accurate Loihi 1 CUBA LIF), :func:`simulate_spinnaker`
(s16.15 state, saturating 16-bit ring buffers) and :func:`analog` (few-bit weights,
frozen mismatch).
"""

from . import measures, spike_measures
from .analog import AnalogPreset, analog
from .connectivity import sample_couplings, sample_inputs
from .covariance import (
    CovarianceRadius,
    spectral_radius_from_covariances,
    spectral_radius_from_trajectory,
)
from .export import NestNetwork, to_nest
from .formats import MixedPrecision, NumberFormat, get_format
from .intensity import IntensityRun, simulate_intensity
from .loihi import LoihiResult, simulate_loihi
from .lowrank import LowRankTrajectory, simulate_lowrank
from .lyapunov import LyapunovSpectrum, largest_lyapunov, lyapunov_spectrum
from .measures import PopulationStats, autocorrelation, delta0, mean_sem, population_stats
from .populations import PopulationTrajectory, simulate_populations
from .rate import Trajectory, simulate
from .spiking import LIFResult, build_connectivity, simulate_lif
from .spinnaker import SpiNNakerResult, simulate_spinnaker

__all__ = [
    "AnalogPreset",
    "CovarianceRadius",
    "IntensityRun",
    "LIFResult",
    "LoihiResult",
    "LowRankTrajectory",
    "LyapunovSpectrum",
    "MixedPrecision",
    "NestNetwork",
    "NumberFormat",
    "PopulationStats",
    "PopulationTrajectory",
    "SpiNNakerResult",
    "Trajectory",
    "analog",
    "autocorrelation",
    "build_connectivity",
    "delta0",
    "get_format",
    "largest_lyapunov",
    "lyapunov_spectrum",
    "mean_sem",
    "measures",
    "population_stats",
    "sample_couplings",
    "sample_inputs",
    "simulate",
    "simulate_intensity",
    "simulate_lif",
    "simulate_loihi",
    "simulate_lowrank",
    "simulate_populations",
    "simulate_spinnaker",
    "spectral_radius_from_covariances",
    "spectral_radius_from_trajectory",
    "spike_measures",
    "to_nest",
]
