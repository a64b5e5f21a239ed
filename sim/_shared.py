"""Pieces shared by rnmf's simulators (rate, low-rank, multi-population rate and LIF):
which units to record, the divergence check and its warning, and the resolution of an
emulated number format (:mod:`rnmf.sim.formats`) into the parameters of a run.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from rnmf._checks import check_finite
from rnmf.models import RateNetwork

from ._kernels.rate import StepParams
from .formats import MixedPrecision, NumberFormat, as_precision, quantize

#: Native storage formats of the rate simulators.
FORMATS = ("float64", "float32")
#: Default divergence limit of the rate simulators: this factor times the scale of the
#: initial state, the input and the noise.
DIVERGENCE_FACTOR = 1e10  # default divergence limit: this times the scale of x0, I, sigma


def _resolve_units(
    record_units: Any, N: int, *, noun: str = "unit", integral_floats: bool = False
) -> np.ndarray:
    """``record_units`` of every simulator as int64 indices: an int n (the first n), an index
    array, or ``"all"``.  ``integral_floats`` (the LIF simulator) also takes float arrays of
    whole numbers and ``None`` (no unit); ``noun`` names the units in the messages."""
    if isinstance(record_units, str):
        if record_units != "all":
            raise ValueError(
                f"record_units must be an int, an array of {noun} indices or 'all', "
                f"got {record_units!r}"
            )
        return np.arange(N, dtype=np.int64)
    if isinstance(record_units, numbers.Integral) and not isinstance(record_units, bool):
        n = int(record_units)
        if n < 0:
            raise ValueError(f"record_units must be >= 0 (number of {noun}s to record), got {n}")
        return np.arange(min(n, N), dtype=np.int64)
    if integral_floats:
        return _integral_float_units(record_units, N, noun)
    arr = np.asarray(record_units)
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise ValueError(
            f"record_units must be an int (first n {noun}s), a 1-D integer array of {noun} "
            f"indices or 'all'; got {record_units!r}"
        )
    arr = arr.astype(np.int64)
    if arr.size and (arr.min() < 0 or arr.max() >= N):
        raise ValueError(
            f"record_units indices must lie in [0, {N - 1}] for N = {N}; got min {arr.min()}, "
            f"max {arr.max()}"
        )
    return np.ascontiguousarray(arr)


def _integral_float_units(record_units: Any, N: int, noun: str) -> np.ndarray:
    """The lenient array branch of :func:`_resolve_units` (whole-number floats, None)."""
    if isinstance(record_units, bool):
        raise ValueError(
            f"record_units must be an int, an index array or 'all', got {record_units!r}"
        )
    try:
        arr = np.asarray(record_units if record_units is not None else (), dtype=float).ravel()
    except (TypeError, ValueError):
        raise ValueError(
            f"record_units must be an int, a 1-D array of {noun} indices or 'all', "
            f"got {record_units!r}"
        ) from None
    if arr.size and (
        np.any(~np.isfinite(arr)) or np.any(arr != np.rint(arr)) or arr.min() < 0 or arr.max() >= N
    ):
        raise ValueError(
            f"record_units indices must be integers in [0, {N - 1}] for N = {N}, "
            f"got {record_units!r}"
        )
    return arr.astype(np.int64)


def _bad_phi(x: np.ndarray, r: np.ndarray) -> str:
    """Reason text when phi(x) is not finite at a finite x ("" otherwise)."""
    bad = ~np.isfinite(r)
    if not np.any(bad):
        return ""
    i = int(np.flatnonzero(bad)[0])
    return (
        f"the transfer function phi returned {r[i]} at the finite x = {x[i]:.6g} "
        f"({int(bad.sum())} of {x.size} units)"
    )


def _limit_reason(x: np.ndarray, lim: float) -> str:
    finite = np.isfinite(x)
    if not np.all(finite):
        return f"the state became non-finite ({int((~finite).sum())} of {x.size} units)"
    return f"the state exceeded the divergence limit {lim:.3g} (max |x| = {np.max(np.abs(x)):.3g})"


def _divergence_limit(value: Any, x0: np.ndarray, I: np.ndarray, sigma: float, dtype) -> float:
    if value is not None:
        lim = check_finite("divergence_limit", value)
        if lim <= 0:
            raise ValueError(f"divergence_limit must be > 0, got {value!r}")
    else:
        scale = max(
            1.0,
            float(np.max(np.abs(x0), initial=0.0)),
            float(np.max(np.abs(I), initial=0.0)),
            sigma,
        )
        lim = DIVERGENCE_FACTOR * scale
    return min(lim, 1e-2 * float(np.finfo(dtype).max))


def _divergence_hint(net: RateNetwork) -> str:
    if net.phi.code < 0 and net.phi.kind == "custom":
        extra = " or a transfer function undefined for some inputs"
    else:
        extra = ""
    return (
        "an unbounded transfer function with too strong coupling (the network has no bounded "
        f"state), a time step too large{extra}"
    )


def _warn_diverged(func: str, when: float, unit: str, reason: str, hint: str) -> None:
    warnings.warn(
        f"{func}: the run diverged at t = {when:g} ({unit}): {reason}; it stopped there and the "
        f"records from that time on are NaN. Likely cause: {hint}.",
        RuntimeWarning,
        stacklevel=3,
    )


def _is_ieee_rn(f: NumberFormat, bits: int) -> bool:
    """Whether ``f`` is IEEE binary32/64 with round-to-nearest and IEEE overflow."""
    if bits == 64:
        return f.kind == "native"
    return (
        f.kind == "float"
        and (f.exponent_bits, f.mantissa_bits) == (8, 23)
        and f.rounding == "nearest"
        and f.overflow == "ieee"
        and not f.finite_only
    )


def _resolve_precision(fmt: Any) -> tuple[MixedPrecision | None, np.dtype, bool]:
    """(precision or None for the native paths, storage dtype, native accumulation)."""
    if isinstance(fmt, str) and fmt in FORMATS:
        return None, np.dtype(fmt), False
    try:
        prec = as_precision(fmt)
    except ValueError as err:
        raise ValueError(
            f"fmt must be 'float64', 'float32', a format name, a NumberFormat or a "
            f"MixedPrecision: {err}"
        ) from None
    acc = prec.accumulator
    fits32 = prec.weights.exact_in_float32 and prec.state.exact_in_float32
    if _is_ieee_rn(acc, 32) and fits32:
        return prec, np.dtype(np.float32), True
    if _is_ieee_rn(acc, 64):
        return prec, np.dtype(np.float64), True
    return prec, np.dtype(np.float64), False


def _round_network(prec: MixedPrecision, J, I, x, dtype: np.dtype, key: int):
    """Couplings to the weight format, inputs and initial state to the state format."""
    J = quantize(J, prec.weights, seed=key, step=0, site=0).astype(dtype)
    I = quantize(I, prec.state, seed=key, step=0, site=11).astype(dtype)
    x = quantize(x, prec.state, seed=key, step=0, site=12).astype(dtype)
    return J, I, x, np.ascontiguousarray(J.T)


def _emulated_params(p: StepParams, prec: MixedPrecision, key: int) -> StepParams:
    """Scheme coefficients rounded to nearest in the accumulator format (constants prepared
    once by the host, as float64 scalars)."""
    acc = prec.accumulator.with_rounding("nearest")
    c = quantize(
        np.array([p.decay, p.gain, p.noise], dtype=np.float64), acc, seed=key, step=0, site=13
    )
    return p._replace(
        decay=float(c[0]), gain=float(c[1]), noise=float(c[2]), limit=float(p.limit),
        theta=float(p.theta), a_erf=float(p.a_erf), zero=0.0, one=1.0,
    )  # fmt: skip


# --------------------------------------------------------------------------------------
# public entry point
# --------------------------------------------------------------------------------------
