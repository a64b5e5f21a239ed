r"""Analog neuromorphic preset: few-bit weights and frozen multiplicative mismatch.

Mixed-signal chips (BrainScaleS: Schemmel et al. 2010, ISCAS, 4-bit synapses;
DYNAP-SE: Moradi et al. 2018, IEEE TBioCAS 12:106) store weights in a few bits and
their transistors differ from one another: every parameter of neuron i is
:math:`p_i = p(1 + s\xi_i)`, :math:`\xi_i \sim N(0, 1)` frozen at fabrication
(device mismatch; Pelgrom et al. 1989, IEEE JSSC 24:1433, with s a few percent up to
about 30%).  :func:`analog` returns a preset that applies both to a coupling matrix
(the input gain of each neuron is mismatched: row i scaled by :math:`1 + s\xi_i`)
and to any neuron parameter, for use with :func:`rnmf.sim.simulate` (``J=...``) and
the spiking simulators.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rnmf._checks import as_rng, check_array, check_choice, check_int, check_nonnegative

from .formats import ROUNDINGS
from .quantizers import quantize_weights

__all__ = ["AnalogPreset", "analog"]


@dataclass(frozen=True)
class AnalogPreset:
    """Few-bit weights and frozen multiplicative mismatch.

    Attributes
    ----------
    bits : int
        Bits per weight (symmetric integer grid, 2..16).
    mismatch : float
        Relative standard deviation s of every mismatched parameter (>= 0, < 1).
    clip : float or None
        Full-scale weight in units of the couplings' standard deviation (the grid
        step is ``clip * sd(J) / (2^(bits-1) - 1)``); None: the largest |J|.
    rounding : str
        Rounding of the weights to the grid.
    """

    bits: int = 4
    mismatch: float = 0.1
    clip: float | None = None
    rounding: str = "nearest"

    def __post_init__(self) -> None:
        check_int("AnalogPreset.bits", self.bits, minimum=2, maximum=16)
        s = check_nonnegative("AnalogPreset.mismatch", self.mismatch)
        if s >= 1:
            raise ValueError(f"AnalogPreset.mismatch must be < 1 (relative sd), got {s}")
        if self.clip is not None:
            check_nonnegative("AnalogPreset.clip", self.clip)
        check_choice("AnalogPreset.rounding", self.rounding, ROUNDINGS)

    def step(self, J: np.ndarray) -> float:
        """Grid step used for ``J``."""
        M = 2 ** (self.bits - 1) - 1
        top = self.clip * float(np.std(J)) if self.clip is not None else float(np.max(np.abs(J)))
        return top / M if top > 0 else 1.0

    def couplings(self, J: Any, rng: None | int | np.random.Generator = None) -> np.ndarray:
        r"""Quantised couplings with mismatched input gains: :math:`(1 + s\xi_i)\,Q(J_{ij})`."""
        J = check_array("J (couplings)", J, dtype=np.float64)
        if J.ndim != 2:
            raise ValueError(f"J must be 2-D, got shape {J.shape}")
        gen = as_rng(rng)
        seed = int(gen.integers(0, 2**62))
        q = quantize_weights(
            J, bits=self.bits, scale=self.step(J), rounding=self.rounding, seed=seed
        )
        gain = self.factors(J.shape[0], gen)
        return np.ascontiguousarray(q.values * gain[:, None])

    def factors(self, n: int, rng: None | int | np.random.Generator = None) -> np.ndarray:
        r"""Frozen factors :math:`1 + s\xi_i`, redrawn where they are <= 0 (probability
        :math:`\Phi(-1/s)`, below 1e-3 for s < 0.32)."""
        n = check_int("n", n, minimum=0)
        gen = as_rng(rng)
        f = 1.0 + self.mismatch * gen.standard_normal(n)
        bad = f <= 0
        while np.any(bad):
            f[bad] = 1.0 + self.mismatch * gen.standard_normal(int(bad.sum()))
            bad = f <= 0
        return f

    def parameters(
        self, value: float, n: int, rng: None | int | np.random.Generator = None
    ) -> np.ndarray:
        """Per-neuron values ``value * (1 + s xi_i)`` of one parameter."""
        return float(value) * self.factors(n, rng)


def analog(bits: int = 4, mismatch: float = 0.1, **kw: Any) -> AnalogPreset:
    """The analog preset: ``bits``-bit weights and multiplicative mismatch ``mismatch``."""
    return AnalogPreset(bits=bits, mismatch=mismatch, **kw)
