r"""Weight quantisers: few-bit integer couplings with the number formats' rounding modes.

k-bit symmetric integers with one per-tensor scale (int8/int4/int2), sign + magnitude
(binary weights at k = 1), and a few shared weights per neuron (TrueNorth-like: Merolla
et al. 2014, Science 345:668, four axon types per neuron).  The integer rounding is the
kernel of :mod:`rnmf.sim.formats` (nearest-even, toward zero, floor, stochastic from the
counter-based stream), so a seed fixes the result bit for bit.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from rnmf._checks import check_array, check_choice, check_int

from ._kernels import formats as _k
from .formats import ROUNDINGS, NumberFormat

__all__ = ["QuantizedWeights", "quantize_weights"]


@dataclass(frozen=True, repr=False)
class QuantizedWeights:
    """Quantised couplings: ``values = scale * codes`` (row scales for shared weights).

    Attributes
    ----------
    values : ndarray
        The dequantised weights (float64, same shape as the input).
    codes : ndarray
        Integer codes (int64; for ``"shared"``, the index of the neuron's level).
    scale : float
        Step of the integer grid (per tensor).
    scheme : str
        ``"symmetric"``, ``"sign_magnitude"`` or ``"shared"``.
    bits : int
        Bits per weight (shared: bits of each shared level).
    rounding : str
        Rounding mode used.
    levels : ndarray or None
        ``"shared"``: the (n_rows, n_shared) shared weights of each neuron.
    n_clipped : int
        Weights beyond the largest level (saturated).
    """

    values: np.ndarray
    codes: np.ndarray
    scale: float
    scheme: str
    bits: int
    rounding: str
    levels: np.ndarray | None = None
    n_clipped: int = 0

    def __repr__(self) -> str:
        return (
            f"QuantizedWeights({self.scheme}, {self.bits} bits, rounding={self.rounding}, "
            f"scale={self.scale:.4g}, shape={self.values.shape}, "
            f"zeros={float(np.mean(self.values == 0)):.3f}, clipped={self.n_clipped})"
        )


def _round_codes(y: np.ndarray, rounding: str, seed: int, site: int) -> np.ndarray:
    """Integer rounding of y (any shape) with the format kernels' integer rounding."""
    f = NumberFormat.fixed(52, 0, rounding=rounding).params()
    out = np.empty(y.size)
    _k.round_array(np.ascontiguousarray(y, dtype=np.float64).ravel(), out, f, seed, 0, site)
    return out.reshape(y.shape)


def quantize_weights(
    J: Any,
    *,
    bits: int = 8,
    scheme: Literal["symmetric", "sign_magnitude", "shared"] = "symmetric",
    rounding: str = "nearest",
    scale: float | None = None,
    n_shared: int = 4,
    seed: None | int = 0,
) -> QuantizedWeights:
    r"""Quantise a coupling matrix to few-bit integers times a per-tensor scale.

    * ``"symmetric"``: codes :math:`c = \mathrm{clip}(R(J/s), -M, M)` with
      :math:`M = 2^{k-1} - 1` (int8: M = 127, int4: 7, int2: 1, i.e. ternary);
      default scale :math:`s = \max|J| / M` (Jacob et al. 2018, CVPR, eq. 1, symmetric case).
    * ``"sign_magnitude"``: a sign bit and a (k-1)-bit magnitude without zero,
      :math:`c = \mathrm{sign}(J)\,\mathrm{clip}(R(|J|/s), 1, 2^{k-1})`; k = 1 gives
      binary weights :math:`\pm s` (Courbariaux et al. 2015, NeurIPS, BinaryConnect eq. 1).
    * ``"shared"``: each neuron (row) has ``n_shared`` signed k-bit integer weights
      (TrueNorth: four axon types per neuron, Merolla et al. 2014); the levels are the
      quantiles of the row at probabilities (2l + 1)/(2 n_shared), rounded to the
      k-bit grid, and each weight is replaced by its nearest level (stochastic
      rounding: one of the two neighbouring levels with probability proportional to
      the distance to the other).

    Parameters
    ----------
    J : (N, M) array_like
        Couplings.
    bits : int
        Bits per weight (1..16; symmetric needs >= 2).
    scheme : str
        See above.
    rounding : {"nearest", "zero", "floor", "stochastic"}
        Rounding of ``J / s`` to the integer grid.
    scale : float, optional
        Step s of the grid; default from ``max|J|``.  Pass it to fix the step
        independently of the sample (the theory of :mod:`rnmf.theory.precision`
        is stated for a given step).
    n_shared : int
        Levels per neuron for ``"shared"``.
    seed : int
        Key of the stochastic-rounding stream.
    """
    check_choice("scheme", scheme, ("symmetric", "sign_magnitude", "shared"))
    check_choice("rounding", rounding, ROUNDINGS)
    bits = check_int("bits", bits, minimum=1 if scheme == "sign_magnitude" else 2, maximum=16)
    seed = 0 if seed is None else check_int("seed", seed, minimum=0)
    J = check_array("J (couplings)", J, dtype=np.float64)
    if J.ndim != 2:
        raise ValueError(f"J (couplings) must be 2-D, got shape {J.shape}")
    top = float(np.max(np.abs(J), initial=0.0))
    if scheme == "sign_magnitude":
        M = 2 ** (bits - 1)
    else:
        M = 2 ** (bits - 1) - 1
    if scale is None:
        s = top / M if top > 0 else 1.0
    else:
        if not isinstance(scale, numbers.Real) or not (math.isfinite(scale) and scale > 0):
            raise ValueError(f"scale must be a finite number > 0, got {scale!r}")
        s = float(scale)
    if scheme == "symmetric":
        c = _round_codes(J / s, rounding, seed, 1)
        n_clip = int(np.sum(np.abs(c) > M))
        c = np.clip(c, -M, M)
        return QuantizedWeights(c * s, c.astype(np.int64), s, scheme, bits, rounding, None, n_clip)
    if scheme == "sign_magnitude":
        mag = _round_codes(np.abs(J) / s, rounding, seed, 2)
        n_clip = int(np.sum(mag > M))
        mag = np.clip(mag, 1, M)
        c = np.where(J < 0, -mag, mag)
        return QuantizedWeights(c * s, c.astype(np.int64), s, scheme, bits, rounding, None, n_clip)
    n_shared = check_int("n_shared", n_shared, minimum=1, maximum=64)
    M = 2 ** (bits - 1) - 1
    probs = (2 * np.arange(n_shared) + 1) / (2.0 * n_shared)
    lev = np.quantile(J, probs, axis=1).T  # (rows, n_shared)
    lev = np.clip(_round_codes(lev / s, "nearest", seed, 3), -M, M) * s
    lev = np.sort(lev, axis=1)
    # nearest level, or the two neighbours stochastically
    idx_hi = np.empty(J.shape, dtype=np.int64)
    for i in range(J.shape[0]):
        idx_hi[i] = np.searchsorted(lev[i], J[i])
    idx_hi = np.clip(idx_hi, 1, n_shared - 1) if n_shared > 1 else np.zeros_like(idx_hi)
    idx_lo = np.maximum(idx_hi - 1, 0)
    rows = np.arange(J.shape[0])[:, None]
    lo, hi = lev[rows, idx_lo], lev[rows, idx_hi]
    width = hi - lo
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.clip(np.where(width > 0, (J - lo) / width, 0.0), 0.0, 1.0)
    if rounding == "stochastic":
        u = _k.uniform_array(seed, 0, 4, J.size).reshape(J.shape)
        up = u < frac
    elif rounding == "nearest":
        up = frac > 0.5
    elif rounding == "floor":
        up = frac >= 1.0
    else:  # toward zero: the neighbour of smaller magnitude
        up = np.where(np.abs(hi) < np.abs(lo), True, frac >= 1.0)
    idx = np.where(up, idx_hi, idx_lo)
    values = lev[rows, idx]
    n_clip = int(np.sum((J < lev[:, :1]) | (J > lev[:, -1:])))
    return QuantizedWeights(values, idx, s, scheme, bits, rounding, lev, n_clip)
