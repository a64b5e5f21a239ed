"""Validation and canonical forms of :class:`rnmf.models.LIFNetwork` fields.

Each helper raises ``ValueError`` naming the field, the value and what is allowed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnmf._checks import check_finite

from .delays import Delay


def _as_float_array(name: str, value: Any) -> np.ndarray:
    if isinstance(value, str | bytes) or (
        isinstance(value, np.ndarray) and value.dtype.kind not in "biuf"
    ):
        raise ValueError(f"{name} must hold real numbers, got {value!r}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must hold real numbers, got {value!r} ({exc})") from None
    return arr


def _square(name: str, value: Any, P: int, *, minimum: float | None = None) -> tuple:
    arr = _as_float_array(name, value)
    if arr.ndim == 0:
        arr = np.full((P, P), float(arr))
    if arr.shape != (P, P):
        raise ValueError(
            f"{name} must be a {P}x{P} matrix (target x source), got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite entries")
    if minimum is not None and np.any(arr < minimum):
        raise ValueError(f"{name} entries must be >= {minimum}, got {arr.tolist()}")
    return tuple(tuple(float(v) for v in row) for row in arr)


def _vector(name: str, value: Any, P: int, *, minimum: float | None = None) -> tuple:
    arr = _as_float_array(name, value)
    if arr.ndim == 0:
        arr = np.full(P, float(arr))
    if arr.shape != (P,):
        raise ValueError(f"{name} must have one entry per population ({P}), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite entries")
    if minimum is not None and np.any(arr < minimum):
        raise ValueError(f"{name} entries must be >= {minimum}, got {arr.tolist()}")
    return tuple(float(v) for v in arr)


def _per_population(name: str, value: Any, P: int, check) -> float | tuple:
    """A neuron parameter: one float for all populations or one value per population.

    A sequence whose entries are all equal collapses to one float, so code that reads a
    homogeneous network's scalar keeps working; a heterogeneous one stays a tuple of P.
    """
    if isinstance(value, str | bytes):
        return check(name, value)  # raises naming the field
    arr = _as_float_array(name, value) if not isinstance(value, int | float) else None
    if arr is None or arr.ndim == 0:
        return check(name, value if arr is None else float(arr))
    if arr.shape != (P,):
        raise ValueError(
            f"{name} must be a number or one value per population ({P}), got shape {arr.shape}"
        )
    vals = tuple(check(f"{name}[{a}]", float(v)) for a, v in enumerate(arr))
    return vals[0] if all(v == vals[0] for v in vals) else vals


def _external(name: str, value: Any, P: int, *, minimum: float | None) -> np.ndarray:
    """External-source parameter as an array of shape (P,) or (P, S)."""
    arr = _as_float_array(name, value)
    if arr.ndim == 0:
        arr = np.full(P, float(arr))
    if arr.ndim not in (1, 2) or arr.shape[0] != P:
        raise ValueError(
            f"{name} must have one entry per population ({P}), or shape ({P}, S) for S "
            f"sources per population, got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite entries")
    if minimum is not None and np.any(arr < minimum):
        raise ValueError(f"{name} entries must be >= {minimum}, got {arr.tolist()}")
    return arr


def _delay_entry(name: str, value: Any) -> Delay:
    if isinstance(value, Delay):
        return value
    d = check_finite(name, value)
    if d <= 0:
        raise ValueError(f"{name} must be > 0 (no negative or zero delays), got {d!r}")
    return Delay.fixed(d)


def _delays(value: Any, P: int) -> Any:
    """Canonical delay field: a float (one fixed delay), a :class:`Delay` (one
    distribution for every block) or a P x P tuple of :class:`Delay`."""
    name = "LIFNetwork.delay (ms)"
    if isinstance(value, Delay) or not isinstance(value, list | tuple | np.ndarray):
        d = _delay_entry(name, value)
        if d.kind == "fixed":
            if d.mean <= 0:
                raise ValueError(f"{name} must be > 0, got {d.mean!r}")
            return d.mean
        return d
    rows = list(value)
    if len(rows) != P or any(
        not isinstance(r, list | tuple | np.ndarray) or len(r) != P for r in rows
    ):
        raise ValueError(
            f"{name} must be a number, a Delay, or a {P}x{P} matrix (target x source) of "
            f"them, got {value!r}"
        )
    mat = tuple(
        tuple(_delay_entry(f"LIFNetwork.delay[{a}][{b}] (ms)", rows[a][b]) for b in range(P))
        for a in range(P)
    )
    flat = [d for row in mat for d in row]
    if any(d.kind == "fixed" and d.mean <= 0 for d in flat):
        raise ValueError(f"{name}: fixed delays must be > 0, got {mat!r}")
    if all(d == flat[0] for d in flat):
        return _delays(flat[0], P)
    return mat
