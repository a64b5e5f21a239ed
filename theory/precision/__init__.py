r"""Corrections to network statistics from number formats, quantisation and mismatch.

Each function predicts how far a statistic moves when a network runs with a
chip's arithmetic, and says where the prediction does not hold instead of
returning a number there.

* **Quantised couplings** (:func:`quantized_coupling_moments`,
  :func:`effective_network`).  The DMFT of random networks depends on the couplings
  only through their mean and variance (Sompolinsky, Crisanti & Sommers 1988, PRL
  61:259, eqs. 4-6), so a network with quantised couplings :math:`Q(J_{ij})` is
  predicted by the unquantised model at
  :math:`g_{\rm eff} = \sqrt{N\,\mathrm{Var}\,Q(J)}`, :math:`J_{0,\rm eff} = N\,E\,Q(J)`.
  The moments are exact sums over Gaussian bins (any step, clipping to the
  largest level included); for steps :math:`q \ll \sigma_J` they reduce to
  Sheppard's correction :math:`+q^2/12` for round-to-nearest (Sheppard 1898, Proc.
  LMS 29:353), :math:`+q^2/6` for stochastic rounding (variance of the rounding error
  :math:`q^2 f(1-f)` averaged over a uniform fraction f), a shrinkage
  :math:`-q\,E|J| + q^2/3` for truncation toward zero, and the mean shift
  :math:`-q/2` of floor (with :math:`+q^2/12`).
* **Quantised low-rank couplings** (:func:`quantized_lowrank_boundaries`,
  :mod:`.lowrank`): quantising :math:`J = g\chi + mn^T/N` entry by entry acts as
  :math:`g \to g_{\rm eff}` (random part shrunk or widened plus rounding noise) and
  :math:`n \to c\,n` (structure gain), which moves the bistable and chaotic boundaries.
* **Quantised LIF weights** (:func:`quantized_lif_rates`, :mod:`.brunel`): a k-bit
  per-tensor grid changes each PSP exactly under deterministic rounding; stochastic
  rounding keeps the mean and adds :math:`q^2 f(1-f)` per synapse to the input variance
  (Brunel 2000, eqs. 4-5); the effective network goes to the Siegert self-consistency.
* **Short floats** (:func:`effective_tau`, :func:`swamping`): the rounded decay
  factor :math:`a = \mathrm{fl}(e^{-\Delta t/\tau})` gives
  :math:`\tau_{\rm eff} = -\Delta t/\ln a`; it is 1 (no leak) when
  :math:`\Delta t/\tau` is below half the spacing of the numbers just below 1,
  :math:`2^{-(t+2)}`; an increment smaller than half an ulp of the state is lost
  under round-to-nearest (swamping; Higham 2002, *Accuracy and Stability of
  Numerical Algorithms*, Sec. 4.2), so the tau_eff prediction is flagged invalid there.
  Stochastic rounding of the stored state (:func:`stochastic_storage_rate`) adds the
  diffusion :math:`u(V)^2/(6\Delta t)` and lowers the threshold by half a spacing.
* **Integer leaky integration** (:func:`integer_leak`): :math:`u \leftarrow R(a u) + I`
  with :math:`a = 1 - \delta`, :math:`\delta = d/D`: every u with :math:`u - R(au) = I`
  is a fixed point (a dead band of width :math:`1/\delta`), and under dithering
  input the mean is biased by :math:`E[R(y) - y]/\delta`: :math:`-(1 - 1/D)/(2\delta)`
  for floor (and truncation of positive states), 0 for nearest-even and stochastic.
* **Overflow** (:func:`overflow_probability`, :func:`safe_shift`): Gaussian tail
  :math:`P = Q((L - m)/s)` of a per-step input of mean m and sd s beyond the limit L,
  or the exact Poisson tail for a count of equal weights.
* **Mismatch** (:func:`mismatch_rates`): quenched parameter heterogeneity
  :math:`p_i = p(1 + s\xi_i)`, :math:`\xi_i \sim N(0, 1)`: the population rate is the
  Siegert rate (Brunel 2000, eq. 21) averaged over the parameter distribution.

No published mean-field theory of quantised networks was found; these arguments
are ours and :mod:`rnmf.validate.precision` tests them against simulation.
"""

from ._common import MANTISSA_BITS, ROUNDINGS, round_float
from .brunel import (
    QuantizedLIF,
    QuantizedLIFRates,
    quantized_lif_network,
    quantized_lif_rates,
    stochastic_split_network,
)
from .couplings import (
    CouplingMoments,
    effective_network,
    quantized_coupling_moments,
    step_for_bits,
    structure_gain,
)
from .floats import (
    EffectiveTau,
    StorageRate,
    Swamping,
    effective_tau,
    float_spacing,
    stochastic_storage_rate,
    swamping,
)
from .integer import IntegerLeak, integer_leak, overflow_probability, safe_shift
from .lowrank import (
    QuantizedLowRankBoundaries,
    quantized_lowrank_boundaries,
    quantized_lowrank_network,
)
from .mismatch import MismatchRates, mismatch_rates

__all__ = [
    "ROUNDINGS",
    "MANTISSA_BITS",
    "CouplingMoments",
    "EffectiveTau",
    "IntegerLeak",
    "MismatchRates",
    "QuantizedLIF",
    "QuantizedLIFRates",
    "QuantizedLowRankBoundaries",
    "StorageRate",
    "Swamping",
    "effective_network",
    "effective_tau",
    "float_spacing",
    "integer_leak",
    "mismatch_rates",
    "overflow_probability",
    "quantized_coupling_moments",
    "quantized_lif_network",
    "quantized_lif_rates",
    "quantized_lowrank_boundaries",
    "quantized_lowrank_network",
    "round_float",
    "safe_shift",
    "stochastic_split_network",
    "stochastic_storage_rate",
    "step_for_bits",
    "structure_gain",
    "swamping",
]
