"""JSON encoding of models and qualified names of functions, for stores and ``.npz`` files.

A model (a frozen dataclass, possibly nested, with enums, tuples, arrays and
callables as fields) is written as plain JSON that names each class and callable
by its qualified name ``module.qualname``; :func:`_decode` rebuilds it by
importing those names and calling the constructors (which validate again).
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import math
import numbers
from typing import Any

import numpy as np


def _qualname(obj: Any) -> str:
    mod = getattr(obj, "__module__", None) or "?"
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or repr(obj)
    return f"{mod}.{name}"


def _encode(value: Any, *, compare_only: bool = False) -> Any:
    """JSON-able encoding of a model (nested dataclasses, tuples, callables)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for f in dataclasses.fields(value):
            if not f.init or (compare_only and not f.compare):
                continue
            out[f.name] = _encode(getattr(value, f.name), compare_only=compare_only)
        return {"__dataclass__": _qualname(type(value)), "fields": out}
    if isinstance(value, enum.Enum):
        return {"__enum__": _qualname(type(value)), "value": _encode(value.value)}
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        v = float(value)
        return v if math.isfinite(v) else repr(v)
    if isinstance(value, tuple | list):
        return [_encode(v, compare_only=compare_only) for v in value]
    if isinstance(value, np.ndarray):
        return {"__array__": _encode(value.tolist())}
    if callable(value):
        return {"__callable__": _qualname(value)}
    return {"__repr__": repr(value)}


def _import(path: str) -> Any:
    parts = path.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(f"cannot import {path!r}")


def _decode(value: Any) -> Any:
    """Inverse of :func:`_encode` (dataclasses are rebuilt through their constructor)."""
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    if not isinstance(value, dict):
        return value
    if "__dataclass__" in value:
        cls = _import(value["__dataclass__"])
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
            raise ValueError(f"{value['__dataclass__']} is not a dataclass")
        return cls(**{k: _decode(v) for k, v in value["fields"].items()})
    if "__enum__" in value:
        return _import(value["__enum__"])(_decode(value["value"]))
    if "__array__" in value:
        return np.asarray(value["__array__"])
    if "__callable__" in value:
        try:
            return _import(value["__callable__"])
        except (ImportError, AttributeError) as exc:
            raise ValueError(
                f"cannot rebuild the model: callable {value['__callable__']} is not importable "
                "(a lambda or a local function); define it at module level"
            ) from exc
    raise ValueError(f"cannot rebuild {value.get('__repr__', value)!r} from its description")
