"""Result base class, solver status, the convergence error, and saving/loading results.

Every solver and simulator returns a frozen dataclass derived from :class:`Result`.
A solver that does not converge raises :class:`ConvergenceError` carrying the
partial result, unless the caller passed ``raise_on_failure=False``; a wrong answer
is never returned silently.

Saving and loading
------------------
Every result (and so every subclass) has :meth:`Result.to_dict`, :meth:`Result.save`
and :meth:`Result.load`.  The file written by ``save`` is ONE ``.npz`` archive
(:func:`numpy.savez_compressed`, readable with ``numpy.load(path, allow_pickle=False)``):

* entry ``__rnmf__``: a JSON header (a 0-d unicode array) ``{"format": "rnmf-result",
  "version": 1, "type": "module:QualName", "data": ...}``;
* entries ``a0``, ``a1``, ...: the numerical arrays, referenced from the header as
  ``{"__array__": "a0"}``.

In the header ``data`` a dataclass (result or model) is ``{"__dataclass__":
"module:QualName", "fields": {...}}`` (a model is rebuilt by calling its class with
its fields, so it is validated again; a result is restored field by field),
an enum member ``{"__enum__": "module:QualName", "name": ...}``, a tuple
``{"__tuple__": [...]}``, a mapping ``{"__mapping__": [[key, value], ...]}``, a
non-finite float ``{"__float__": "nan" | "inf" | "-inf"}``, a complex number
``{"__complex__": [re, im]}`` and a module-level function ``{"__callable__":
"module:qualname"}``.  Functions without an importable name (lambdas, closures) are
refused by ``save`` with a message that says how to fix it.  Classes are only
rebuilt from modules of ``rnmf``; functions are imported from their module on load,
so load only files you trust.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import json
import math
import os
import pathlib
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from ._checks import check_bool

__all__ = ["ConvergenceError", "Result", "Status", "finish", "load_result"]

FORMAT = "rnmf-result"
FORMAT_VERSION = 1
_HEADER = "__rnmf__"


class Status(enum.Enum):
    """Outcome of a solver or simulation."""

    CONVERGED = "converged"
    MAX_ITER = "maximum iterations reached"
    TOLERANCE = "tolerance not reached"
    NO_SOLUTION = "no solution in the searched range"
    INVALID = "invalid (numerical breakdown)"
    DIVERGED = "diverged (state non-finite or beyond the divergence limit)"
    UNBOUNDED = "unbounded (no bounded stationary state: the activity diverges)"

    def __str__(self) -> str:
        return self.value


class ConvergenceError(RuntimeError):
    """Raised when a solver fails; ``.result`` holds the partial result."""

    def __init__(self, message: str, result: Result | None = None) -> None:
        super().__init__(message)
        self.result = result


def _fmt(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return f"{float(value):.10g}"
    if isinstance(value, np.ndarray):
        if value.size == 0:
            return "[]"
        if value.ndim == 1 and value.size <= 4:
            return "[" + ", ".join(f"{v:.6g}" for v in value) + "]"
        if value.dtype.kind in "fiu" and not np.any(np.isfinite(value)):
            return f"array{value.shape} (no finite value)"
        return f"array{value.shape} [{np.nanmin(value):.4g} .. {np.nanmax(value):.4g}]"
    if isinstance(value, tuple | list) and len(value) > 4:
        return f"{type(value).__name__} of {len(value)}"
    if hasattr(value, "describe"):
        return value.describe()
    text = repr(value)
    return text if len(text) < 70 else text[:67] + "..."


# --------------------------------------------------------------------------------------
# equality that does not raise on arrays
# --------------------------------------------------------------------------------------


def _equal(a: Any, b: Any) -> bool:
    """Structural equality: arrays by shape and values (NaN equal to NaN), recursively."""
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return False
        if a.dtype.kind in "fc" or b.dtype.kind in "fc":
            try:
                return bool(np.array_equal(a, b, equal_nan=True))
            except TypeError:
                pass
        if a.dtype.kind == "O" or b.dtype.kind == "O":
            return all(_equal(x, y) for x, y in zip(a.ravel(), b.ravel(), strict=True))
        return bool(np.array_equal(a, b))
    if isinstance(a, float | np.floating) and isinstance(b, float | np.floating):
        return bool(a == b or (math.isnan(a) and math.isnan(b)))
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        if type(a) is not type(b):
            return False
        return all(_equal(getattr(a, f.name), getattr(b, f.name)) for f in fields(a) if f.compare)
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(map(_equal, a, b))
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - an object whose == does not give a bool is unequal
        return False


# --------------------------------------------------------------------------------------
# encoding (to_dict and save) and decoding (load)
# --------------------------------------------------------------------------------------


def _qualname(obj: Any) -> str:
    return f"{obj.__module__}:{obj.__qualname__}"


def _import(name: str, *, rnmf_only: bool) -> Any:
    module, _, qual = name.partition(":")
    if not module or not qual:
        raise ValueError(f"malformed qualified name {name!r} in the saved file")
    if rnmf_only and module.split(".")[0] != "rnmf":
        raise ValueError(
            f"refusing to rebuild class {name!r} from the saved file: only classes of rnmf are "
            "rebuilt"
        )
    obj: Any = importlib.import_module(module)
    for part in qual.split("."):
        obj = getattr(obj, part)
    return obj


def _callable_name(fn: Any, where: str) -> str:
    qual = getattr(fn, "__qualname__", None)
    module = getattr(fn, "__module__", None)
    if qual is None or module is None or "<" in qual or module == "__main__":
        raise ValueError(
            f"cannot save {where} = {fn!r}: a function is stored by its importable name and "
            f"this one has none ({'defined in __main__' if module == '__main__' else 'a lambda or closure'}). "
            "Define it at module level in an importable module, or build the transfer function "
            "with rnmf.Transfer.from_sympy('...'), which is stored as its formula"
        )
    try:
        found = _import(f"{module}:{qual}", rnmf_only=False)
    except (ImportError, AttributeError, ValueError):
        found = None
    if found is not fn:
        raise ValueError(
            f"cannot save {where} = {fn!r}: {module}.{qual} does not import back to the same "
            "object; define it at module level"
        )
    return f"{module}:{qual}"


def _dataclass_fields(obj: Any, *, store: bool) -> dict[str, Any]:
    custom = getattr(obj, "_serial_fields", None)
    if callable(custom):
        return custom()
    out = {}
    is_result = isinstance(obj, Result)
    for f in fields(obj):
        if f.name.startswith("_") and not (store and is_result):
            continue
        if store and not is_result and not f.init:
            continue
        out[f.name] = getattr(obj, f.name)
    return out


def _float_plain(v: float) -> float | str:
    return v if math.isfinite(v) else str(v)


def _encode(value: Any, arrays: dict[str, np.ndarray] | None, where: str) -> Any:
    """JSON-safe form of ``value``; with ``arrays`` (save) arrays go there, tagged."""
    store = arrays is not None
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        v = float(value)
        if math.isfinite(v):
            return v
        return {"__float__": str(v)} if store else str(v)
    if isinstance(value, complex | np.complexfloating):
        c = complex(value)
        re, im = _encode(c.real, arrays, where), _encode(c.imag, arrays, where)
        return {"__complex__": [re, im]} if store else {"real": re, "imag": im}
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "O":
            items = [_encode(v, arrays, where) for v in value.ravel()]
            return {"__objects__": items, "shape": list(value.shape)} if store else items
        if store:
            key = f"a{len(arrays)}"
            arrays[key] = value
            return {"__array__": key}
        if value.dtype.kind == "f":
            return np.vectorize(_float_plain, otypes=[object])(value).tolist() if value.size else []
        if value.dtype.kind == "c":
            return [_encode(v, None, where) for v in value.ravel()]
        return value.tolist()
    if isinstance(value, enum.Enum):
        if store:
            return {"__enum__": _qualname(type(value)), "name": value.name}
        return value.name
    if isinstance(value, np.dtype):
        return str(value)
    if isinstance(value, pathlib.PurePath):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        items = {}
        for k, v in _dataclass_fields(value, store=store).items():
            if k.startswith("_"):
                # private fields of a result: stored when they can be, else left to
                # their default (caches such as interpolants, rebuilt on demand)
                mark = len(arrays)
                try:
                    items[k] = _encode(v, arrays, f"{where}.{k}")
                except ValueError:
                    for key in list(arrays)[mark:]:
                        del arrays[key]
                continue
            items[k] = _encode(v, arrays, f"{where}.{k}")
        if store:
            return {"__dataclass__": _qualname(type(value)), "fields": items}
        return {"__type__": type(value).__qualname__, **items}
    if isinstance(value, Mapping):
        if store:
            return {
                "__mapping__": [
                    [_encode(k, arrays, where), _encode(v, arrays, f"{where}[{k!r}]")]
                    for k, v in value.items()
                ]
            }
        return {str(k): _encode(v, None, f"{where}[{k!r}]") for k, v in value.items()}
    if isinstance(value, tuple):
        items = [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(value)]
        return {"__tuple__": items} if store else items
    if isinstance(value, list):
        return [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(value)]
    if callable(value):
        if store:
            return {"__callable__": _callable_name(value, where)}
        qual = getattr(value, "__qualname__", None)
        return f"{value.__module__}:{qual}" if qual else repr(value)
    if store:
        raise ValueError(
            f"cannot save {where}: objects of type {type(value).__name__} have no stored form"
        )
    return repr(value)


def _decode(value: Any, arrays: Mapping[str, np.ndarray]) -> Any:
    if isinstance(value, list):
        return [_decode(v, arrays) for v in value]
    if not isinstance(value, dict):
        return value
    if "__array__" in value:
        return arrays[value["__array__"]]
    if "__float__" in value:
        return float(value["__float__"])
    if "__complex__" in value:
        re, im = (_decode(v, arrays) for v in value["__complex__"])
        return complex(re, im)
    if "__objects__" in value:
        items = [_decode(v, arrays) for v in value["__objects__"]]
        out = np.empty(len(items), dtype=object)
        out[:] = items
        return out.reshape(value["shape"])
    if "__tuple__" in value:
        return tuple(_decode(v, arrays) for v in value["__tuple__"])
    if "__mapping__" in value:
        return {_hashable(_decode(k, arrays)): _decode(v, arrays) for k, v in value["__mapping__"]}
    if "__enum__" in value:
        return _import(value["__enum__"], rnmf_only=True)[value["name"]]
    if "__callable__" in value:
        return _import(value["__callable__"], rnmf_only=False)
    if "__dataclass__" in value:
        cls = _import(value["__dataclass__"], rnmf_only=True)
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
            raise ValueError(f"{value['__dataclass__']} in the saved file is not a dataclass")
        kwargs = {k: _decode(v, arrays) for k, v in value["fields"].items()}
        restore = getattr(cls, "_from_serial_fields", None)
        if callable(restore):
            return restore(kwargs)
        if issubclass(cls, Result):
            obj = object.__new__(cls)
            for f in fields(cls):
                if f.name in kwargs:
                    v = kwargs[f.name]
                elif f.default is not dataclasses.MISSING:
                    v = f.default
                elif f.default_factory is not dataclasses.MISSING:
                    v = f.default_factory()
                else:
                    raise ValueError(f"the saved {cls.__name__} lacks its field {f.name!r}")
                object.__setattr__(obj, f.name, v)
            return obj
        return cls(**kwargs)
    return {k: _decode(v, arrays) for k, v in value.items()}


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


@dataclass(frozen=True, kw_only=True, repr=False)
class Result:
    """Fields shared by every result.

    Attributes
    ----------
    model : object
        The model that was solved or simulated.
    method : str
        The algorithm used.
    options : Mapping
        The keyword options it ran with.
    converged : bool
        Whether the tolerance was reached.
    status : Status
        Outcome, with the reason for failure.
    n_iter : int
        Iterations (or function evaluations) used.
    residual : float
        Final residual of the defining equations.

    Notes
    -----
    Equality (``==``) compares the fields of two results of the same type, arrays by
    shape and values (NaN equal to NaN), and never raises.  :meth:`to_dict`,
    :meth:`save` and :meth:`load` are described in the module docstring.
    """

    model: Any
    method: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    converged: bool = True
    status: Status = Status.CONVERGED
    n_iter: int = 0
    residual: float = 0.0

    _base_hidden = ("model", "options")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # @dataclass (applied after this hook) does not replace an __eq__ already in the
        # class dict, so every subclass keeps the array-safe equality.
        super().__init_subclass__(**kwargs)
        if "__eq__" not in cls.__dict__:
            cls.__eq__ = Result.__eq__

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(
            _equal(getattr(self, f.name), getattr(other, f.name)) for f in fields(self) if f.compare
        )

    __hash__ = None  # results hold arrays: not hashable

    def _repr_rows(self) -> list[tuple[str, str]]:
        rows = []
        for f in fields(self):
            if f.name in self._base_hidden or f.name.startswith("_"):
                continue
            rows.append((f.name, _fmt(getattr(self, f.name))))
        return rows

    def __repr__(self) -> str:
        rows = self._repr_rows()
        width = max((len(k) for k, _ in rows), default=0)
        head = type(self).__name__
        if self.model is not None:
            head += f"  [{_fmt(self.model)}]"
        lines = [head] + [f"  {k:<{width}}  {v}" for k, v in rows]
        return "\n".join(lines)

    __str__ = __repr__

    # -- saving and loading ------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dictionary of the public fields (``json.dumps(..., allow_nan=False)`` works).

        Arrays become nested lists, non-finite floats the strings ``"nan"``, ``"inf"``,
        ``"-inf"``, complex numbers ``{"real": ..., "imag": ...}``, enums their member name, models and nested results dictionaries
        with a ``"__type__"`` entry, functions their ``"module:qualname"``.  Fields
        whose name starts with ``_`` are left out.  For a file that loads back
        exactly, use :meth:`save`.
        """
        return _encode(self, None, type(self).__name__)

    def save(self, path: str | os.PathLike) -> pathlib.Path:
        """Write the result to one ``.npz`` file (format in the module docstring).

        Parameters
        ----------
        path : str or path-like
            Destination; ``.npz`` is appended when missing.  Written atomically
            (a temporary file renamed into place).

        Returns
        -------
        pathlib.Path
            The file written.

        Raises
        ------
        ValueError
            When a field cannot be stored (e.g. a lambda as transfer function); the
            message names the field and says how to fix it.
        """
        path = _as_path(path)
        if path.suffix != ".npz":
            path = path.with_name(path.name + ".npz")
        arrays: dict[str, np.ndarray] = {}
        data = _encode(self, arrays, type(self).__name__)
        header = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "type": _qualname(type(self)),
            "data": data,
        }
        text = json.dumps(header, allow_nan=False)
        if not path.parent.is_dir():
            raise ValueError(
                f"cannot save to {str(path)!r}: the folder {str(path.parent)!r} does not exist"
            )
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez_compressed(fh, **{_HEADER: np.array(text)}, **arrays)
            os.replace(tmp, path)
        except BaseException:
            with _suppress():
                os.unlink(tmp)
            raise
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> Result:
        """Read a result written by :meth:`save`.

        ``Result.load(path)`` returns whatever result type the file holds;
        ``SomeResult.load(path)`` also checks that it is a ``SomeResult``.

        Raises
        ------
        ValueError
            When the file is not an rnmf result file, or holds another result type.
        """
        obj = load_result(path)
        if not isinstance(obj, cls):
            raise ValueError(
                f"{str(path)!r} holds a {type(obj).__name__}, not a {cls.__name__}; "
                "use rnmf.results.Result.load to read any result"
            )
        return obj


class _suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> bool:
        return True


def _as_path(path: Any) -> pathlib.Path:
    """``path`` as a :class:`pathlib.Path`; anything but a str or path-like is refused."""
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, str | os.PathLike):
        raise TypeError(
            f"path must be a str or path-like (a file name), got {path!r} of type "
            f"{type(path).__name__}"
        )
    path = pathlib.Path(path)
    if not str(path) or str(path) == ".":
        raise ValueError(f"path must name a file, got {str(path)!r}")
    return path


def load_result(path: str | os.PathLike) -> Result:
    """Read any result written by :meth:`Result.save` (see the module docstring)."""
    path = _as_path(path)
    if not path.exists() and path.suffix != ".npz" and path.with_name(path.name + ".npz").exists():
        path = path.with_name(path.name + ".npz")
    if not path.is_file():
        raise ValueError(f"no result file at {str(path)!r}")
    try:
        with np.load(path, allow_pickle=False) as data:
            files = list(getattr(data, "files", ()))
            text = str(data[_HEADER]) if _HEADER in files else None
            arrays = {k: data[k] for k in files if k != _HEADER}
    except Exception as exc:  # noqa: BLE001 - any failure to read is "not a result file"
        raise ValueError(f"{str(path)!r} is not a readable rnmf result file (.npz): {exc}") from exc
    if text is None:
        raise ValueError(f"{str(path)!r} is an .npz file but not an rnmf result (no header)")
    try:
        header = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{str(path)!r} has a damaged rnmf header: {exc}") from exc
    if not isinstance(header, dict):
        raise ValueError(f"{str(path)!r} is not an rnmf result file")
    if header.get("format") != FORMAT:
        raise ValueError(
            f"{str(path)!r} is not an rnmf result file (format {header.get('format')!r})"
        )
    if header.get("version", 0) > FORMAT_VERSION:
        raise ValueError(
            f"{str(path)!r} was written in format version {header['version']}, newer than this "
            f"rnmf reads ({FORMAT_VERSION}); update rnmf"
        )
    obj = _decode(header["data"], arrays)
    if not isinstance(obj, Result):
        raise ValueError(f"{str(path)!r} does not hold a result")
    return obj


def finish(result: Result, raise_on_failure: bool) -> Result:
    """Return ``result``, or raise :class:`ConvergenceError` if it did not converge.

    ``raise_on_failure`` must be ``True`` or ``False`` (a string such as ``"no"`` is
    refused with a TypeError naming it, never taken as a true flag).
    """
    check_bool("raise_on_failure", raise_on_failure)
    if not result.converged and raise_on_failure:
        raise ConvergenceError(
            f"{type(result).__name__} did not converge ({result.status}; "
            f"residual {result.residual:.3g} after {result.n_iter} iterations). "
            "Pass raise_on_failure=False to get the partial result.",
            result,
        )
    return result
