"""Integer arithmetic: leaky-integration dead band and bias, overflow probability, safe shifts."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special, stats

from rnmf._checks import check_choice, check_int, check_positive
from rnmf.results import Result

from ._common import ROUNDINGS

# --------------------------------------------------------------------------------------
# integer leaky integration
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, repr=False)
class IntegerLeak(Result):
    """Fixed points and mean bias of the integer leak ``u <- R(u (D - d)/D) + I``.

    Attributes
    ----------
    ideal : float
        Fixed point of the exact map, :math:`I/\\delta`.
    band : tuple of int
        (lowest, highest) integer fixed point: every state in between is stationary.
    width : int
        Number of integer fixed points (about :math:`1/\\delta`).
    bias : float
        Predicted stationary mean minus :math:`E[I]/\\delta` under dithering input (LSB).
    """

    ideal: float = math.nan
    band: tuple = ()
    width: int = 0
    bias: float = math.nan


def integer_leak(I: int, d: int, *, D: int = 4096, rounding: str = "zero") -> IntegerLeak:
    r"""Dead band and rounding bias of integer leaky integration.

    The map :math:`u \leftarrow R(u(D - d)/D) + I` (Loihi's decay with 12-bit constants,
    Davies et al. 2018, IEEE Micro 38:82; ``R`` toward zero in lava's bit-accurate LIF)
    has the fixed points :math:`u - R(u - \delta u) = I`, :math:`\delta = d/D`, a band of
    width about :math:`1/\delta` (found here by exact integer search).  Under dithering
    input the rounding error :math:`e = R(y) - y` of :math:`y = u(D-d)/D` is uniform on
    the grid :math:`\{0, 1/D, \dots\}` and the stationary mean obeys
    :math:`\delta\,E u = E I + E e`: bias :math:`E e/\delta` with
    :math:`E e = -(1 - 1/D')/2`, :math:`D' = D/\gcd(d, D)`, for floor (and toward zero at u > 0; +(1 - 1/D)/2 at u < 0),
    0 for nearest-even (ties split evenly) and stochastic rounding.
    """
    I = check_int("I", I, minimum=-(2**40), maximum=2**40)
    d = check_int("d", d, minimum=1)
    D = check_int("D", D, minimum=2)
    if d >= D:
        raise ValueError(f"d must be < D = {D}, got {d}")
    check_choice("rounding", rounding, ROUNDINGS)
    delta = d / D
    ideal = I / delta

    def R(y_num: np.ndarray) -> np.ndarray:  # y = y_num / D exactly
        if rounding == "floor":
            return np.floor_divide(y_num, D)
        if rounding == "zero":
            return np.sign(y_num) * (np.abs(y_num) // D)
        if rounding == "nearest":
            return np.rint(y_num / D).astype(np.int64)  # exact: |y_num| < 2^52
        return y_num / D  # stochastic: the expectation

    if rounding == "stochastic":
        band, width = (math.nan, math.nan), 0
    else:
        span = int(2 * D / d) + 8
        u = np.arange(
            int(math.floor(ideal)) - span, int(math.ceil(ideal)) + span + 1, dtype=np.int64
        )
        fixed = u[u - R(u * (D - d)) == I]
        band = (int(fixed.min()), int(fixed.max())) if fixed.size else ()
        width = int(fixed.size)
    # the fraction of u (D - d)/D lives on the grid 1/D' with D' = D / gcd(d, D)
    half = (1.0 - math.gcd(d, D) / D) / 2.0
    if rounding in ("nearest", "stochastic"):
        Ee = 0.0
    elif rounding == "floor" or I >= 0:
        Ee = -half
    else:
        Ee = half
    return IntegerLeak(
        model=None,
        method=f"exact integer search ({rounding})",
        options={"I": I, "d": d, "D": D},
        ideal=ideal,
        band=band,
        width=width,
        bias=Ee / delta,
    )


# --------------------------------------------------------------------------------------
# overflow
# --------------------------------------------------------------------------------------


def overflow_probability(
    mean: Any = None,
    sd: Any = None,
    limit: float = 2**16 - 1,
    *,
    rate: Any = None,
    weight: float | None = None,
) -> np.ndarray:
    r"""Probability per neuron-step that an accumulated input exceeds ``limit``.

    Gaussian (``mean``, ``sd``): :math:`P = Q((L - m)/s)`, Q the normal tail.
    Poisson (``rate`` = expected count per step, ``weight`` per event, integer
    buffer): :math:`P = P(w X > L)`, :math:`X \sim \mathrm{Poisson}(\lambda)` exactly.
    """
    L = check_positive("limit", limit)
    if rate is not None:
        if weight is None or mean is not None or sd is not None:
            raise ValueError("give either (mean, sd) or (rate, weight)")
        w = check_positive("weight", weight)
        lam = np.asarray(rate, dtype=float)
        if np.any(~np.isfinite(lam)) or np.any(lam < 0):
            raise ValueError(f"rate must be finite and >= 0, got {rate!r}")
        n_max = math.floor(L / w)  # largest count that fits
        return stats.poisson.sf(n_max, lam)
    if mean is None or sd is None:
        raise ValueError("give (mean, sd) of the per-step input, or (rate, weight)")
    m = np.asarray(mean, dtype=float)
    s = np.asarray(sd, dtype=float)
    if np.any(~np.isfinite(m)) or np.any(~np.isfinite(s)) or np.any(s < 0):
        raise ValueError("mean must be finite and sd finite and >= 0")
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(s > 0, (L - m) / np.where(s > 0, s, 1.0), np.where(m > L, -np.inf, np.inf))
    return special.ndtr(-z)


def safe_shift(
    mean: float, sd: float, *, bits: int = 16, target: float = 1e-6, max_shift: int = 16
) -> int:
    r"""Finest buffer resolution that keeps P(overflow) per slot below ``target``.

    A buffer of ``bits`` unsigned bits counting units of :math:`2^{-k}` holds inputs up to
    :math:`L_k = (2^{B} - 1)\,2^{-k}`; returns the largest k (finest resolution) with
    :func:`overflow_probability` ``(mean, sd, L_k) < target``.  In SpiNNaker's terms
    (16-bit ring buffers read as s16.15, weights in units of :math:`2^{s - 15}`) the
    left shift is :math:`s = 15 - k`; the host software chooses s from an upper bound
    of the input (Rhodes et al. 2018, Front. Neuroinform. 12:105, Sec. 2.4.3), this
    function from the Gaussian tail.  Raises ValueError when even k = 0 cannot reach
    the target.
    """
    bits = check_int("bits", bits, minimum=1, maximum=64)
    target = check_positive("target", target)
    for k in range(check_int("max_shift", max_shift, minimum=0), -1, -1):
        L = (2**bits - 1) * 2.0**-k
        if float(overflow_probability(mean, sd, L)) < target:
            return k
    raise ValueError(
        f"no shift in [0, {max_shift}] keeps P(overflow) < {target:g} for mean {mean:g}, sd {sd:g} "
        f"with {bits} bits: rescale the weights"
    )
