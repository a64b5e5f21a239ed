"""Argument validation helpers, in one place.

Every public entry point validates its inputs once, at the boundary, with these
helpers; kernels trust them.  Each helper raises ``ValueError`` with a message
that names the argument, the value it got and what is allowed, so a user knows
what to change.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "ArgumentTypeError",
    "as_rng",
    "check_array",
    "check_bool",
    "check_choice",
    "check_finite",
    "check_int",
    "check_nonnegative",
    "check_positive",
    "check_probability",
    "check_step_count",
]


_INT64_MAX = int(np.iinfo(np.int64).max)

#: Most time steps one simulation segment may take: hours of computing at a microsecond
#: per step; longer runs are split (continued from the final state).  A duration beyond
#: it (``burn_in=1e12``, ``dt=1e-300``) is refused up front instead of hanging.
MAX_STEPS = 10**10


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong type (a string, None or an object where a number is expected).

    A ``TypeError`` by nature, and also a ``ValueError`` so that callers catching the
    ``ValueError`` of every other bad argument catch this one too.
    """


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_text(value: Any) -> bool:
    return isinstance(value, str | bytes | np.str_ | np.bytes_)


def _contains_text(value: Any) -> bool:
    """Whether ``value`` (a scalar, a nested sequence or an array) holds a string."""
    if _is_text(value):
        return True
    if isinstance(value, np.ndarray):
        probe = value
    elif isinstance(value, list | tuple):
        try:
            probe = np.asarray(value)
        except (TypeError, ValueError):  # ragged: look at the items
            return any(_contains_text(v) for v in value)
    else:
        return False
    if probe.dtype.kind in "SU":
        return True
    return probe.dtype.kind == "O" and any(_contains_text(v) for v in probe.flat)


def check_finite(name: str, value: Any) -> float:
    """Return ``value`` as a float, or raise if it is not a finite real number."""
    if not _is_real(value):
        raise ArgumentTypeError(
            f"{name} must be a real number, got {value!r} of type {type(value).__name__}"
        )
    v = float(value)
    if not np.isfinite(v):
        raise ValueError(f"{name} must be finite, got {v!r}; pass a finite number")
    return v


def check_positive(name: str, value: Any) -> float:
    """Return ``value`` as a float, or raise unless it is finite and > 0."""
    v = check_finite(name, value)
    if v <= 0:
        raise ValueError(f"{name} must be > 0, got {v!r}")
    return v


def check_nonnegative(name: str, value: Any) -> float:
    """Return ``value`` as a float, or raise unless it is finite and >= 0."""
    v = check_finite(name, value)
    if v < 0:
        raise ValueError(f"{name} must be >= 0, got {v!r}")
    return v


def check_probability(name: str, value: Any) -> float:
    """Return ``value`` as a float, or raise unless it lies in [0, 1]."""
    v = check_finite(name, value)
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"{name} must lie in [0, 1], got {v!r}")
    return v


def check_bool(name: str, value: Any) -> bool:
    """Return ``value`` as a bool, or raise unless it is ``True`` or ``False``.

    Only ``bool`` and ``numpy.bool_`` are accepted: a string (``"no"`` is truthy), a number,
    an array or None given for a flag is refused with :class:`ArgumentTypeError`, naming
    ``name``.
    """
    if not isinstance(value, bool | np.bool_):
        raise ArgumentTypeError(
            f"{name} must be True or False, got {_short(value)} of type {type(value).__name__}"
        )
    return bool(value)


def check_int(
    name: str, value: Any, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """Return ``value`` as an int, or raise unless it is an integer in [``minimum``, ``maximum``].

    A float with an integral value (``3.0``) is accepted; ``True``/``False``, strings,
    NaN, infinities and values beyond ``maximum`` (by default the int64 range, which every
    size and count in rnmf must fit) are refused with a message naming ``name``
    (:class:`ArgumentTypeError` for a value that is not a number at all).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if _is_real(value) and np.isfinite(float(value)) and float(value).is_integer():
            value = int(value)
        elif _is_real(value):
            raise ValueError(f"{name} must be an integer, got {value!r}")
        else:
            raise ArgumentTypeError(
                f"{name} must be an integer, got {value!r} of type {type(value).__name__}"
            )
    v = int(value)
    if minimum is not None and v < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {v}")
    limit = _INT64_MAX if maximum is None else maximum
    if v > limit:
        shown = str(v) if len(str(v)) < 25 else f"{float(v):.3g}"
        raise ValueError(f"{name} must be an integer <= {limit}, got {shown}")
    return v


def check_step_count(name: str, value: float, dt: float, *, unit: str = "") -> float:
    """Return the number of steps ``value / dt``, or raise when it exceeds :data:`MAX_STEPS`.

    ``value`` and ``dt`` are checked durations (finite, ``dt > 0``); the message names
    ``name`` and ``dt``, the step count and the time it would take at a microsecond per step.
    """
    steps = float(value) / float(dt)  # inf when it overflows
    if not steps <= MAX_STEPS:
        hours = steps * 1e-6 / 3600.0
        raise ValueError(
            f"{name} = {value:g}{unit} with dt = {dt:g}{unit} is {steps:.3g} time steps, more "
            f"than the {MAX_STEPS:.0e} one run may take ({hours:.3g} hours at a microsecond "
            f"per step); reduce {name}, increase dt, or split the run and continue each part "
            "from the final state of the previous one"
        )
    return steps


def check_choice(name: str, value: Any, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise listing them.

    Only a value of the choices' own type can match: an array, a list or a number given
    where a name is expected is refused with the list of names (never compared element
    by element).
    """
    ok = not isinstance(value, np.ndarray) and any(
        isinstance(value, type(c)) and value == c for c in choices
    )
    if not ok:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value


def check_array(
    name: str,
    value: Any,
    *,
    shape: tuple[int | None, ...] | None = None,
    dtype: Any = np.float64,
    finite: bool = True,
) -> np.ndarray:
    """Return ``value`` as a contiguous array, checking its shape and finiteness.

    ``shape`` may contain ``None`` for a free dimension.  Complex input is refused for a
    real ``dtype`` (never silently cast to its real part), and so are values that cannot
    be converted; the message names ``name``.  For a numeric ``dtype``, strings (also
    numbers written as strings, ``"1.5"``), ``None`` and other objects are refused with
    :class:`ArgumentTypeError`: numpy would parse ``"1.5"`` or turn ``None`` into NaN.
    """
    want_kind = np.dtype(dtype).kind
    if want_kind in "fiubc":
        if value is None or _contains_text(value):
            raise ArgumentTypeError(
                f"{name} must be numbers (an array or a sequence of numbers), got "
                f"{_short(value)} of type {type(value).__name__}"
            )
    if want_kind in "fiub":
        try:
            is_complex = np.iscomplexobj(value)
        except Exception:  # noqa: BLE001 - objects numpy cannot inspect: converted below
            is_complex = False
        if is_complex:
            raise ValueError(
                f"{name} must be real, got complex values; pass the real part explicitly "
                "(e.g. x.real) if that is what you mean"
            )
    try:
        arr = np.ascontiguousarray(value, dtype=dtype)
    except TypeError as exc:
        raise ArgumentTypeError(
            f"{name} must be convertible to a {np.dtype(dtype).name} array, got "
            f"{_short(value)} of type {type(value).__name__}: {exc}"
        ) from exc
    except (ValueError, OverflowError) as exc:
        raise ValueError(
            f"{name} must be convertible to a {np.dtype(dtype).name} array: {exc}"
        ) from exc
    if shape is not None:
        ok = arr.ndim == len(shape) and all(
            want is None or have == want for have, want in zip(arr.shape, shape, strict=False)
        )
        if not ok:
            want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    if finite and arr.dtype.kind in "fc" and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite entries; pass finite values")
    return arr


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def as_rng(rng: None | int | np.random.Generator) -> np.random.Generator:
    """Turn ``rng`` (None, a seed, or a Generator) into a ``numpy.random.Generator``.

    Follows SPEC 7: a Generator is used as is, an int seeds a new PCG64 stream,
    ``None`` draws fresh entropy.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, bool) or not isinstance(rng, numbers.Integral | np.random.SeedSequence):
        raise ArgumentTypeError(
            f"rng must be None, an int seed or a numpy.random.Generator, got {type(rng).__name__}"
        )
    if isinstance(rng, numbers.Integral) and rng < 0:
        raise ValueError(f"rng seed must be >= 0, got {rng}")
    return np.random.default_rng(rng)
