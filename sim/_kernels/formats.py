r"""numba rounding primitives of the emulated number formats (:mod:`rnmf.sim.formats`).

A value is computed in float64 and rounded to the target format after every
operation that the emulated hardware rounds (Higham & Pranesh 2019, SIAM J. Sci.
Comput. 41:C585, Sec. 2, "chop": round the exact binary64 result to the target
precision and range).  For a binary format with ``t`` stored mantissa bits the
spacing of the representable numbers in the binade of ``x`` is

.. math:: \mathrm{ulp}(x) = 2^{\max(e(x),\,e_{\min}) - t},\qquad e(x) = \lfloor\log_2|x|\rfloor,

(IEEE 754-2019, Sec. 3.3; the ``max`` gives the gradual underflow of the
subnormals), so rounding is ``R(x / ulp) * ulp`` with ``R`` an integer rounding
(nearest-even, toward zero, floor, or stochastic: ``floor(y + u)`` with ``u``
uniform on [0, 1), which rounds up with probability equal to the fractional part;
Connolly, Higham & Mary 2021, SIAM J. Sci. Comput. 43:A1326, eq. 1.2).
Fixed point Q(m, n) is an integer ``k`` times ``2^-n`` with ``k`` in
``[-2^(m+n), 2^(m+n) - 1]`` (two's complement, ISO/IEC TR 18037 Sec. 4.1), saturated
or wrapped on overflow.

The random numbers of stochastic rounding come from a counter-based stream: the
SplitMix64 finaliser (Steele, Lea & Flood 2014, OOPSLA, "Fast splittable
pseudorandom number generators", Fig. 1) applied to a key built from
``(seed, step, site, index)``, so a value's random number does not depend on the
order in which values are rounded, nor on the executor.

Kernels are dtype-generic (they compute in float64 and store in the array's
dtype; every value of a format of at most 24 significant bits and the float32
range is exact in float32) and trust their inputs.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

__all__ = [
    "FormatParams",
    "mix64",
    "round_array",
    "round_scalar",
    "uniform01",
]

# kinds
NATIVE = 0  # no rounding (float64 passthrough)
FLOAT = 1
FIXED = 2
# rounding modes
NEAREST = 0
ZERO = 1
FLOOR = 2
STOCHASTIC = 3
# overflow policies
OV_IEEE = 0  # floats: +-inf (or NaN for formats without infinities), by rounding direction
OV_SATURATE = 1
OV_WRAP = 2

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_SITE = np.uint64(0xD1B54A32D192ED03)
_TWO_M53 = 2.0**-53


class FormatParams(NamedTuple):
    """Scalar description of a number format for the kernels.

    Attributes
    ----------
    kind : int
        0 native (no rounding), 1 binary floating point, 2 fixed point.
    man_bits : int
        Stored mantissa bits ``t`` (floats).
    emin : int
        Exponent of the smallest normal number (floats).
    max_value : float
        Largest finite value (floats and fixed point).
    has_inf : bool
        Whether the float format has infinities (False: overflow gives NaN, as the
        OCP fp8 E4M3 format).
    frac_bits : int
        Fraction bits ``n`` of fixed point (LSB ``2^-n``).
    kmin, kmax : float
        Smallest and largest integer ``k`` of fixed point (exact in float64).
    rounding : int
        0 nearest-even, 1 toward zero, 2 floor, 3 stochastic.
    overflow : int
        0 IEEE (floats: infinity, or the largest finite value when the rounding
        direction points back toward zero), 1 saturate, 2 wrap (fixed point).
    """

    kind: int
    man_bits: int
    emin: int
    max_value: float
    has_inf: bool
    frac_bits: int
    kmin: float
    kmax: float
    rounding: int
    overflow: int


@njit(cache=True, inline="always")
def mix64(z):
    """SplitMix64 finaliser of a uint64 (Steele, Lea & Flood 2014, Fig. 1)."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True)
def uniform01(seed, step, site, index):
    """Uniform number in [0, 1) (53 bits) of the counter ``(seed, step, site, index)``.

    All four arguments are non-negative integers; the value depends on them only.
    """
    key = mix64(np.uint64(seed) + _GOLDEN * (np.uint64(step) + np.uint64(1)))
    z = mix64(key ^ (np.uint64(site) * _SITE + np.uint64(index) * _GOLDEN))
    return float(z >> _S11) * _TWO_M53


@njit(cache=True)
def _round_int(y, mode, u):
    """Integer rounding of y (a float64) by ``mode``; ``u`` is the stochastic uniform."""
    if mode == NEAREST:
        return np.rint(y)
    if mode == ZERO:
        return np.trunc(y)
    if mode == FLOOR:
        return np.floor(y)
    return np.floor(y + u)


@njit(cache=True)
def round_scalar(x, f, u):
    """Round the float64 ``x`` to the format ``f``.

    Parameters
    ----------
    x : float
        Value (any float64, including inf and NaN).
    f : FormatParams
        Target format.
    u : float
        Uniform number in [0, 1) (used by stochastic rounding only).

    Returns
    -------
    float
        The rounded value (exactly representable in the format, or +-inf / NaN).
    int
        1 when the value overflowed the format's range (saturated, wrapped, or
        became inf / NaN), else 0.  NaN inputs give NaN and do not count.
    """
    if f.kind == NATIVE:
        return x, 0
    if x != x:
        return x, 0
    if f.kind == FIXED:
        if math.isinf(x):
            if f.overflow == OV_WRAP:
                return math.nan, 1
            if x > 0:
                return f.kmax * 2.0 ** (-f.frac_bits), 1
            return f.kmin * 2.0 ** (-f.frac_bits), 1
        k = _round_int(math.ldexp(x, f.frac_bits), f.rounding, u)
        if k > f.kmax or k < f.kmin:
            if f.overflow == OV_WRAP:
                span = f.kmax - f.kmin + 1.0
                k = f.kmin + ((k - f.kmin) % span)
            elif k > f.kmax:
                k = f.kmax
            else:
                k = f.kmin
            return math.ldexp(k, -f.frac_bits), 1
        return math.ldexp(k, -f.frac_bits), 0
    # binary floating point
    if math.isinf(x):
        if f.overflow == OV_SATURATE:
            return math.copysign(f.max_value, x), 1
        if f.has_inf:
            return x, 0
        return math.nan, 1
    if x == 0.0:
        return x, 0
    m, E = math.frexp(x)  # x = m 2^E, 0.5 <= |m| < 1: leading bit has exponent E - 1
    e = E - 1
    if e < f.emin:
        e = f.emin
    sh = f.man_bits - e
    r = math.ldexp(_round_int(math.ldexp(x, sh), f.rounding, u), -sh)
    if r == 0.0:
        return math.copysign(0.0, x), 0
    if abs(r) <= f.max_value:
        return r, 0
    # overflow
    if f.overflow == OV_SATURATE:
        return math.copysign(f.max_value, x), 1
    toward_zero = f.rounding == ZERO or (f.rounding == FLOOR and x > 0)
    if toward_zero:
        return math.copysign(f.max_value, x), 1
    if f.has_inf:
        return math.copysign(math.inf, x), 1
    return math.nan, 1


@njit(cache=True)
def round_array(x, out, f, seed, step, site):
    """Round every entry of the 1-D array ``x`` into ``out`` (may be ``x``).

    Entry ``i`` uses the uniform of counter ``(seed, step, site, i)`` under
    stochastic rounding.  Returns the number of entries that overflowed.
    """
    n = x.shape[0]
    count = 0
    sr = f.rounding == STOCHASTIC
    for i in range(n):
        u = uniform01(seed, step, site, i) if sr else 0.0
        r, o = round_scalar(float(x[i]), f, u)
        out[i] = r
        count += o
    return count


@njit(cache=True)
def uniform_array(seed, step, site, n):
    """The uniforms of counters ``(seed, step, site, 0..n-1)`` (float64 array)."""
    out = np.empty(n)
    for i in range(n):
        out[i] = uniform01(seed, step, site, i)
    return out
