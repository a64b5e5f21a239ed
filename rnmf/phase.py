"""Parameter sweeps: evaluate a theory or a simulation over a grid of model parameters.

:func:`sweep` maps a function over a 1-D to 3-D grid of values of any fields of a
model (a frozen dataclass such as :class:`rnmf.models.RateNetwork`) and returns a
:class:`PhaseDiagram`: labelled axes, named result fields (numbers or categorical
regime labels), a per-point status with the reason of each failure, and the
seeds used.  The same call runs serially, on local processes, or on a
``dask.distributed`` cluster, and with ``store=DIR`` writes every finished point
to disk as it completes, so that an interrupted sweep resumes where it stopped.

How a function plugs in
-----------------------
The engine knows nothing about theories or simulators; it calls ``fn`` in one of
three forms, chosen by the arguments of :func:`sweep` (never by inspecting the
signature):

``fn(model) -> Mapping[str, scalar]`` (default, a *theory*)
    Called once per grid point with the base model in which the swept fields are
    replaced (:func:`dataclasses.replace`).  Scalars are ``float``, ``int``,
    ``bool`` (stored as float64) or ``str`` (a categorical field such as a regime
    label).  A frozen dataclass (e.g. an :class:`rnmf.results.Result`) is accepted
    too: its scalar fields are taken, ``Status`` members become strings.

``fn(model, rng) -> Mapping[str, scalar]`` (``seeds=k``, a *simulation*)
    Called ``k`` times per point, each time with a fresh
    :class:`numpy.random.Generator`.  The seed of run ``s`` at flat grid index ``i``
    is ``SeedSequence(seed, spawn_key=(i, s)).generate_state(1, uint64)[0]``; it is
    recorded in :attr:`PhaseDiagram.seeds` so that
    ``fn(diagram.model_at(i), np.random.default_rng(diagram.seeds[idx][s]))``
    reproduces that run bit for bit.

``fn(model, params) -> Mapping[str, array]`` (``vectorized=True``, a *grid theory*)
    Called on chunks of grid points at once: ``params`` maps each swept field
    name to a 1-D array (float64, or int64 for an integer axis such as ``N``) of
    the values at the points of the chunk, and
    ``model`` is the base model (its swept fields are to be ignored).  It returns
    arrays of the same length (scalars broadcast).  Two optional keys have a
    meaning: ``"converged"`` (bool array: False marks a point failed) and
    ``"message"`` (str array: the reason).  A function may instead carry the
    attribute ``fn.vectorized = True``.

A typical DMFT plug-in (what the CLI does) is therefore::

    def dmft_point(net):                        # scalar form
        r = dmft.solve(net, raise_on_failure=True)
        return {"Delta0": r.Delta0, "regime": r.regime}

    def dmft_grid(net, params):                 # vectorised form
        r = dmft.solve_grid(net, **params)      # arrays over the chunk
        return {"Delta0": r.Delta0, "converged": r.converged}

    sweep(dmft_grid, net, {"g": g, "sigma_noise": s}, vectorized=True)

In every form an exception raised by ``fn`` (e.g.
:class:`rnmf.results.ConvergenceError`) marks the point "failed" with the
message and the sweep goes on; a grid point where the model itself is invalid
(e.g. ``g < 0``) is recorded as failed with the validation message.
``KeyboardInterrupt`` and ``SystemExit`` stop the sweep; what was stored stays.

Storage format
--------------
A store is a directory with ``manifest.json`` (model parameters, axes, function
name, seeds and a SHA-256 key of all of them; written once, atomically through a
temporary file and :func:`os.replace`) and ``points.jsonl``, an append-only log
with one JSON line per finished point (or seed run).  Each line is handed to the
kernel in a single ``write`` on an ``O_APPEND`` descriptor as soon as its point
finishes, so a killed process loses nothing that finished; ``fsync`` runs at
most once a second and at the end, so a power cut loses at most the last second.
A torn last line (the only damage a crash can do to an append-only log) is
detected and dropped on reading.  One log rather than one file per point keeps a
10^4-point sweep at two files and avoids 10^4 ``fsync`` calls; only the driver
process writes, workers return their results to it.  Floats are written with
Python's shortest round-trip repr, so a resumed diagram equals an uninterrupted
one bit for bit.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import importlib
import json
import logging
import math
import numbers
import os
import pickle
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ._parallel import single_thread_blas

__all__ = ["PhaseDiagram", "StoreMismatchError", "sweep"]

EXECUTORS = ("serial", "processes", "dask")
_STORE_FORMAT = "rnmf-phase-store"
_STORE_VERSION = 1
_NPZ_FORMAT = "rnmf-phase-diagram"


class StoreMismatchError(ValueError):
    """A store directory was made by a different sweep (model, axes, function or seeds)."""


# --------------------------------------------------------------------------------------
# model encoding (manifest, npz) and axes validation
# --------------------------------------------------------------------------------------


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


def _model_fields(model: Any) -> list[str]:
    return [f.name for f in dataclasses.fields(model) if f.init]


def _validate_axes(model: Any, axes: Any) -> dict[str, np.ndarray]:
    if not (dataclasses.is_dataclass(model) and not isinstance(model, type)):
        raise ValueError(
            f"model must be a dataclass instance such as rnmf.RateNetwork, got {type(model).__name__}"
        )
    if not isinstance(axes, Mapping) or not axes:
        raise ValueError(
            "axes must be a non-empty mapping field name -> 1-D array of values, "
            "e.g. {'g': np.linspace(0.5, 3, 101)}"
        )
    if len(axes) > 3:
        raise ValueError(f"sweep supports 1 to 3 axes, got {len(axes)}: {list(axes)}")
    valid = _model_fields(model)
    out: dict[str, np.ndarray] = {}
    for name, values in axes.items():
        if name not in valid:
            raise ValueError(
                f"unknown field {name!r} of {type(model).__name__}; valid fields: {', '.join(valid)}"
            )
        try:
            arr = np.asarray(values)
        except (TypeError, ValueError) as exc:  # pragma: no cover - ragged input
            raise ValueError(f"axis {name!r} must be a 1-D array of numbers: {exc}") from exc
        if arr.ndim != 1:
            raise ValueError(f"axis {name!r} must be 1-D, got shape {arr.shape}")
        if arr.size == 0:
            raise ValueError(f"axis {name!r} is empty; give at least one value")
        if arr.dtype.kind not in "iuf":
            raise ValueError(
                f"axis {name!r} must hold real numbers (int or float), got dtype {arr.dtype}"
            )
        if arr.dtype.kind == "f":
            arr = arr.astype(np.float64)
            if not np.all(np.isfinite(arr)):
                raise ValueError(
                    f"axis {name!r} contains NaN or infinite values; pass finite values"
                )
        else:
            arr = arr.astype(np.int64)
        if arr.size > 1:
            d = np.diff(arr)
            if not (np.all(d > 0) or np.all(d < 0)):
                raise ValueError(
                    f"axis {name!r} must be strictly increasing or decreasing (no repeated values); "
                    "sort it, e.g. np.unique(values)"
                )
        arr.setflags(write=False)
        out[name] = arr
    return out


def _point_values(axes: Mapping[str, np.ndarray], index: tuple[int, ...]) -> dict[str, Any]:
    return {name: values[k].item() for (name, values), k in zip(axes.items(), index, strict=True)}


# --------------------------------------------------------------------------------------
# workers (module level so that they pickle by reference)
# --------------------------------------------------------------------------------------


def _scalar(name: str, value: Any) -> float | str:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, np.ndarray):
        if value.ndim != 0:
            raise TypeError(f"field {name!r} is an array of shape {value.shape}, not a scalar")
        value = value.item()
    if isinstance(value, str | np.str_):
        return str(value)
    if isinstance(value, bool | np.bool_ | numbers.Integral):
        return float(int(value))
    if isinstance(value, numbers.Real):
        return float(value)
    raise TypeError(
        f"field {name!r} has a value of type {type(value).__name__}; "
        "fn must return numbers, booleans or strings"
    )


def _as_mapping(out: Any) -> Mapping[str, Any]:
    if isinstance(out, Mapping):
        return out
    if dataclasses.is_dataclass(out) and not isinstance(out, type):
        items = {}
        for f in dataclasses.fields(out):
            if f.name in ("model", "options") or f.name.startswith("_"):
                continue
            v = getattr(out, f.name)
            if isinstance(v, np.ndarray) and v.ndim == 0:
                v = v.item()
            if isinstance(v, enum.Enum | str | bool | numbers.Real | np.generic):
                items[f.name] = v
        return items
    raise TypeError(
        f"fn must return a mapping field name -> value (or a result dataclass), "
        f"got {type(out).__name__}"
    )


def _record_from_mapping(out: Any) -> tuple[bool, str, dict[str, float | str]]:
    mapping = _as_mapping(out)
    values = {str(k): _scalar(str(k), v) for k, v in mapping.items()}
    ok = True
    message = ""
    conv = mapping.get("converged", True)
    if isinstance(conv, bool | np.bool_) and not conv:
        ok = False
        status = mapping.get("status", "")
        message = f"not converged: {status}" if str(status) else "not converged"
    return ok, message, values


def _error_message(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# a work unit: (flat index, seed index or -1, seed or -1, parameter values tuple)
_Unit = tuple[int, int, int, tuple]
# a record: (flat index, seed index or -1, ok, message, values, elapsed seconds)
_Record = tuple[int, int, bool, str, dict, float]


def _run_scalar(fn: Callable, model: Any, names: tuple[str, ...], units: list[_Unit]) -> list:
    records = []
    for i, s, seed, values in units:
        t0 = time.perf_counter()
        try:
            point = dataclasses.replace(model, **dict(zip(names, values, strict=True)))
        except Exception as exc:  # invalid model at this point
            records.append((i, s, False, "invalid model: " + _error_message(exc), {}, 0.0))
            continue
        try:
            out = fn(point) if s < 0 else fn(point, np.random.default_rng(seed))
            ok, message, vals = _record_from_mapping(out)
        except Exception as exc:
            ok, message, vals = False, _error_message(exc), {}
        records.append((i, s, ok, message, vals, time.perf_counter() - t0))
    return records


def _run_vector(fn: Callable, model: Any, names: tuple[str, ...], units: list[_Unit]) -> list:
    t0 = time.perf_counter()
    records: list = []
    good = []
    for unit in units:
        i, s, _, values = unit
        try:
            dataclasses.replace(model, **dict(zip(names, values, strict=True)))
        except Exception as exc:
            records.append((i, s, False, "invalid model: " + _error_message(exc), {}, 0.0))
            continue
        good.append(unit)
    if not good:
        return records
    n = len(good)
    params = {name: np.array([u[3][k] for u in good], dtype=float) for k, name in enumerate(names)}
    try:
        out = _as_mapping(fn(model, params))
        arrays = {}
        for key, val in out.items():
            arr = np.asarray(val)
            if arr.ndim > 1 or (arr.ndim == 1 and arr.shape[0] != n):
                raise ValueError(
                    f"vectorised fn returned {key!r} with shape {arr.shape}; expected ({n},) "
                    "(one value per point of the chunk) or a scalar"
                )
            arrays[str(key)] = np.broadcast_to(arr, (n,))
    except Exception as exc:
        message = _error_message(exc)
        dt = (time.perf_counter() - t0) / n
        return records + [(u[0], u[1], False, message, {}, dt) for u in good]
    dt = (time.perf_counter() - t0) / n
    conv = arrays.get("converged")
    msgs = arrays.get("message")
    for k, u in enumerate(good):
        try:
            vals = {key: _scalar(key, arr[k]) for key, arr in arrays.items() if key != "message"}
            ok = True if conv is None else bool(conv[k])
            message = "" if ok else (str(msgs[k]) if msgs is not None else "not converged")
        except Exception as exc:
            ok, message, vals = False, _error_message(exc), {}
        records.append((u[0], u[1], ok, message, vals, dt))
    return records


# --------------------------------------------------------------------------------------
# storage
# --------------------------------------------------------------------------------------


class _Store:
    """Directory store: manifest.json + append-only points.jsonl (see module docstring)."""

    def __init__(self, path: str | os.PathLike, manifest: dict) -> None:
        self.path = Path(path)
        self.log = self.path / "points.jsonl"
        self.fd: int | None = None
        self.last_sync = 0.0
        mpath = self.path / "manifest.json"
        if self.path.exists() and not self.path.is_dir():
            raise ValueError(f"store {str(self.path)!r} exists and is not a directory")
        if mpath.exists():
            try:
                old = json.loads(mpath.read_text())
            except (OSError, ValueError) as exc:
                raise StoreMismatchError(
                    f"store {str(self.path)!r} has an unreadable manifest ({exc}); "
                    "it was left untouched: use another directory"
                ) from exc
            if old.get("format") != _STORE_FORMAT:
                raise StoreMismatchError(
                    f"{str(mpath)!r} is not an rnmf phase store; it was left untouched"
                )
            if old.get("key") != manifest["key"]:
                raise StoreMismatchError(_mismatch_message(self.path, old, manifest))
        elif self.path.exists() and any(self.path.iterdir()):
            raise StoreMismatchError(
                f"store directory {str(self.path)!r} is not empty and has no manifest.json: "
                "it is not an rnmf phase store; give an empty or new directory"
            )
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            tmp = self.path / f".manifest.{os.getpid()}.tmp"
            with open(tmp, "w") as fh:
                json.dump(manifest, fh, indent=1, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, mpath)
            _fsync_dir(self.path)

    def read(self) -> dict[tuple[int, int], _Record]:
        """Records already stored, keyed by (index, seed index); a torn tail is dropped."""
        done: dict[tuple[int, int], _Record] = {}
        if not self.log.exists():
            return done
        data = self.log.read_bytes()
        end = data.rfind(b"\n") + 1  # bytes after the last newline are a torn write
        for line in data[:end].splitlines():
            try:
                r = json.loads(line)
                rec = (
                    int(r["i"]),
                    int(r["s"]),
                    bool(r["ok"]),
                    str(r["m"]),
                    dict(r["v"]),
                    float(r["t"]),
                )
            except (ValueError, KeyError, TypeError):
                continue
            done[(rec[0], rec[1])] = rec
        self._valid_end = end
        self._size = len(data)
        return done

    def open(self) -> None:
        if self.log.exists() and getattr(self, "_size", 0) > getattr(self, "_valid_end", 0):
            os.truncate(self.log, self._valid_end)  # drop a torn last line before appending
        self.fd = os.open(self.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.last_sync = time.monotonic()

    def append(self, records: Iterable[_Record]) -> None:
        lines = []
        for i, s, ok, message, values, elapsed in records:
            lines.append(
                json.dumps({"i": i, "s": s, "ok": ok, "m": message, "v": values, "t": elapsed})
            )
        if not lines or self.fd is None:
            return
        os.write(self.fd, ("\n".join(lines) + "\n").encode())
        now = time.monotonic()
        if now - self.last_sync > 1.0:
            os.fsync(self.fd)
            self.last_sync = now

    def close(self) -> None:
        if self.fd is not None:
            os.fsync(self.fd)
            os.close(self.fd)
            self.fd = None


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory descriptors
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _mismatch_message(path: Path, old: dict, new: dict) -> str:
    diffs = []
    om, nm = old.get("model", {}), new["model"]
    if om.get("__dataclass__") != nm.get("__dataclass__"):
        diffs.append(
            f"model type {om.get('__dataclass__')} (store) vs {nm.get('__dataclass__')} (now)"
        )
    else:
        of, nf = om.get("fields", {}), nm.get("fields", {})
        for k in sorted(set(of) | set(nf)):
            if of.get(k) != nf.get(k):
                diffs.append(f"model field {k}: {of.get(k)!r} (store) vs {nf.get(k)!r} (now)")
    for key in ("axes", "fn", "seeds", "seed"):
        if old.get(key) != new.get(key):
            if key == "axes":
                diffs.append(
                    f"axes {_axes_summary(old.get('axes'))} (store) vs {_axes_summary(new['axes'])} (now)"
                )
            else:
                diffs.append(f"{key}: {old.get(key)!r} (store) vs {new.get(key)!r} (now)")
    if not diffs:
        diffs.append("store key differs")
    return (
        f"store {str(path)!r} was made by a different sweep: "
        + "; ".join(diffs)
        + ". Nothing in it was changed: use another directory, or delete this one to start over."
    )


def _axes_summary(axes: Any) -> str:
    if not isinstance(axes, dict):
        return repr(axes)
    parts = []
    for k, v in axes.items():
        if isinstance(v, list) and v:
            parts.append(f"{k}[{len(v)}: {v[0]}..{v[-1]}]")
        else:
            parts.append(f"{k}={v!r}")
    return "{" + ", ".join(parts) + "}"


def _manifest(
    model: Any, axes: Mapping[str, np.ndarray], fn: Callable, seeds: int | None, seed: int | None
) -> dict:
    key_src = {
        "model": _encode(model, compare_only=True),
        "axes": {k: v.tolist() for k, v in axes.items()},
        "fn": _qualname(fn),
        "seeds": seeds,
        "seed": seed,
    }
    key = hashlib.sha256(json.dumps(key_src, sort_keys=True).encode()).hexdigest()
    return {
        "format": _STORE_FORMAT,
        "version": _STORE_VERSION,
        "key": key,
        "model": key_src["model"],
        "model_full": _encode(model),
        "axes": key_src["axes"],
        "fn": key_src["fn"],
        "seeds": seeds,
        "seed": seed,
    }


# --------------------------------------------------------------------------------------
# progress
# --------------------------------------------------------------------------------------


class _Progress:
    def __init__(self, total: int, initial: int, enabled: bool) -> None:
        self.total, self.n, self.enabled = total, initial, enabled
        self.bar = None
        self.t0 = self.last = time.monotonic()
        if not enabled:
            return
        try:
            from tqdm.auto import tqdm
        except ImportError:
            self._write()
        else:
            self.bar = tqdm(
                total=total, initial=initial, desc="sweep", unit="pt", file=sys.stderr, leave=True
            )

    def _write(self, final: bool = False) -> None:
        elapsed = time.monotonic() - self.t0
        pct = 100.0 * self.n / self.total if self.total else 100.0
        sys.stderr.write(f"\rsweep: {self.n}/{self.total} ({pct:5.1f}%) {elapsed:7.1f} s")
        if final:
            sys.stderr.write("\n")
        sys.stderr.flush()

    def update(self, k: int) -> None:
        self.n += k
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.update(k)
        elif time.monotonic() - self.last > 0.5:
            self.last = time.monotonic()
            self._write()

    def close(self) -> None:
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.close()
        else:
            self._write(final=True)


# --------------------------------------------------------------------------------------
# executors
# --------------------------------------------------------------------------------------


def _dask_client(scheduler: Any, n_workers: int, timeout: float) -> tuple[Any, list]:
    """Return (client, things to close)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ImportError(
            "executor='dask' needs dask.distributed, an optional dependency: "
            "pip install 'rnmf[dask]' (or pip install 'dask[distributed]')"
        ) from exc
    if scheduler is None:
        with single_thread_blas():
            cluster = LocalCluster(
                n_workers=n_workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                # shutdown chatter only; failures of fn are recorded per point and
                # infrastructure failures (a killed worker) raise in this process
                silence_logs=logging.CRITICAL,
            )
        client = Client(cluster)
        return client, [client, cluster]
    if isinstance(scheduler, Client):
        return scheduler, []
    if not isinstance(scheduler, str):
        raise ValueError(
            "scheduler must be None (start a local cluster), an address such as "
            f"'tcp://host:8786', or a distributed.Client; got {type(scheduler).__name__}"
        )
    try:
        client = Client(scheduler, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise ConnectionError(
            f"could not reach the dask scheduler at {scheduler!r} within {timeout:g} s ({exc}); "
            "check the address and that the scheduler is running. Nothing was computed; "
            "a store, if given, is unchanged."
        ) from exc
    return client, [client]


class _Batch:
    """Work units wrapped so that dask ships them as one opaque object (no graph parsing)."""

    __slots__ = ("units",)

    def __init__(self, units: list[_Unit]) -> None:
        self.units = units

    def __getstate__(self) -> list[_Unit]:
        return self.units

    def __setstate__(self, state: list[_Unit]) -> None:
        self.units = state


def _run_batch(runner: Callable, fn: Callable, model: Any, names: tuple, batch: _Batch) -> list:
    return runner(fn, model, names, batch.units)


def _execute(
    runner: Callable,
    fn: Callable,
    model: Any,
    names: tuple[str, ...],
    chunks: list[list[_Unit]],
    executor: str,
    n_workers: int,
    scheduler: Any,
    timeout: float,
    on_result: Callable[[list], None],
) -> None:
    if executor == "serial" or not chunks:
        for units in chunks:
            on_result(runner(fn, model, names, units))
        return
    if executor == "processes":
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        try:
            pickle.dumps((fn, model))
        except Exception as exc:
            raise ValueError(
                f"executor='processes' sends fn and model to other processes, but they do not "
                f"pickle ({exc}); define fn at module level (no lambda or closure), or use "
                "executor='serial' or 'dask'"
            ) from exc
        with single_thread_blas():
            pool = ProcessPoolExecutor(
                max_workers=n_workers, mp_context=multiprocessing.get_context("spawn")
            )
        try:
            futures = [pool.submit(runner, fn, model, names, units) for units in chunks]
            for fut in as_completed(futures):
                on_result(fut.result())
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return
    client, to_close = _dask_client(scheduler, n_workers, timeout)
    try:
        from distributed import as_completed as dask_as_completed

        futures = [
            client.submit(_run_batch, runner, fn, model, names, _Batch(units), pure=False)
            for units in chunks
        ]
        try:
            for fut in dask_as_completed(futures):
                on_result(fut.result())
        finally:
            pending = [fut for fut in futures if not fut.done()]
            if pending:
                client.cancel(pending)
    finally:
        for obj in to_close:
            obj.close()


# --------------------------------------------------------------------------------------
# the diagram
# --------------------------------------------------------------------------------------


def _arrays_equal(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if a.shape != b.shape or a.dtype.kind != b.dtype.kind:
        return False
    if a.dtype.kind == "f":
        return bool(np.array_equal(a.view(np.uint64), b.view(np.uint64)))
    return bool(np.array_equal(a, b))


def _dicts_equal(a: Mapping[str, np.ndarray], b: Mapping[str, np.ndarray]) -> bool:
    return list(a) == list(b) and all(_arrays_equal(a[k], b[k]) for k in a)


@dataclass(frozen=True, eq=False, repr=False)
class PhaseDiagram:
    """The result of :func:`sweep`: fields over a grid of model parameters.

    Attributes
    ----------
    model : object
        The base model; grid point ``idx`` is ``model_at(idx)``.
    axes : dict of str to ndarray
        Swept field names (in grid-axis order) and their 1-D values.
    fields : dict of str to ndarray
        Result fields over the grid (shape :attr:`shape`): float64 with NaN where
        a point failed or did not return the field, or ``str`` arrays for
        categorical fields (``""`` where missing).  With seeds, numeric fields hold
        the mean over the successful seed runs and categorical fields the most
        frequent label (ties: alphabetical first).
    status : ndarray of str
        ``"ok"`` or ``"failed"`` per point (failed if any seed run failed).
    messages : ndarray of str
        The reason of each failure (``""`` where ok).
    seeds : ndarray of uint64 or None
        Shape ``shape + (k,)``: the seed of each run (see :func:`sweep`).
    seed : int or None
        The base seed the per-run seeds were derived from.
    per_seed : dict of str to ndarray
        With seeds: each field per run, shape ``shape + (k,)``.
    sem : dict of str to ndarray
        With seeds: standard error of the mean of numeric fields over the
        successful runs, :math:`s/\\sqrt{n}` with the unbiased sample standard
        deviation :math:`s` (NaN for fewer than two runs).
    seed_status : ndarray of str or None
        With seeds: ``"ok"``/``"failed"`` per run.
    timings : ndarray
        Seconds spent on each point (all its seed runs), excluded from :meth:`equals`.
    wall_time : float
        Seconds the whole call took.
    executor : str
        Executor that ran the computed points.
    fn_name : str
        Qualified name of the swept function.
    curves : dict of str to ndarray
        Theory boundaries from ``boundary_fns``: points, shape ``(m, ndim)``, columns
        in axis order, NaN where the boundary function found no transition.
    curve_axes : dict of str to str
        The axis each curve solves for.
    """

    model: Any
    axes: dict[str, np.ndarray]
    fields: dict[str, np.ndarray]
    status: np.ndarray
    messages: np.ndarray
    seeds: np.ndarray | None = None
    seed: int | None = None
    per_seed: dict[str, np.ndarray] = field(default_factory=dict)
    sem: dict[str, np.ndarray] = field(default_factory=dict)
    seed_status: np.ndarray | None = None
    timings: np.ndarray | None = None
    wall_time: float = 0.0
    executor: str = "serial"
    fn_name: str = ""
    curves: dict[str, np.ndarray] = field(default_factory=dict)
    curve_axes: dict[str, str] = field(default_factory=dict)

    # ------------------------------------------------------------------ basic facts
    @property
    def names(self) -> tuple[str, ...]:
        """Swept field names in grid-axis order."""
        return tuple(self.axes)

    @property
    def shape(self) -> tuple[int, ...]:
        """Grid shape."""
        return tuple(v.size for v in self.axes.values())

    @property
    def ndim(self) -> int:
        """Number of swept fields (1 to 3)."""
        return len(self.axes)

    @property
    def ok(self) -> np.ndarray:
        """Boolean mask of the points that succeeded."""
        return self.status == "ok"

    @property
    def n_failed(self) -> int:
        """Number of failed points."""
        return int(np.count_nonzero(self.status != "ok"))

    def is_categorical(self, name: str) -> bool:
        """True if field ``name`` holds labels (strings)."""
        return self._field(name).dtype.kind in "US"

    def _field(self, name: str) -> np.ndarray:
        if name not in self.fields:
            raise ValueError(
                f"no field {name!r} in this diagram; fields: {', '.join(self.fields) or '(none)'}"
            )
        return self.fields[name]

    def _index(self, index: int | tuple[int, ...]) -> tuple[int, ...]:
        if isinstance(index, numbers.Integral):
            n = int(np.prod(self.shape))
            if not 0 <= int(index) < n:
                raise ValueError(f"flat index {index} outside the grid of {n} points")
            return tuple(int(k) for k in np.unravel_index(int(index), self.shape))
        idx = tuple(int(k) for k in index)
        if len(idx) != self.ndim or any(
            not 0 <= k < n for k, n in zip(idx, self.shape, strict=True)
        ):
            raise ValueError(f"index {index} outside the grid of shape {self.shape}")
        return idx

    def params_at(self, index: int | tuple[int, ...]) -> dict[str, Any]:
        """Swept parameter values at a grid point (flat index or index tuple)."""
        return _point_values(self.axes, self._index(index))

    def model_at(self, index: int | tuple[int, ...]) -> Any:
        """The model at a grid point (flat index or index tuple)."""
        return dataclasses.replace(self.model, **self.params_at(index))

    def failures(self) -> list[tuple[dict[str, Any], str]]:
        """(parameters, message) of every failed point, in grid order."""
        out = []
        for flat in np.flatnonzero(self.status.ravel() != "ok"):
            idx = np.unravel_index(flat, self.shape)
            out.append((self.params_at(int(flat)), str(self.messages[idx])))
        return out

    def select(self, **where: float) -> PhaseDiagram:
        """Slice the grid at the axis value nearest to each given one (e.g. a 2-D cut of 3-D).

        Examples
        --------
        >>> cut = diagram.select(I0=0.5)   # doctest: +SKIP
        """
        index: list[Any] = [slice(None)] * self.ndim
        axes = dict(self.axes)
        for name, value in where.items():
            if name not in self.axes:
                raise ValueError(f"no axis {name!r}; axes: {', '.join(self.axes)}")
            k = int(np.argmin(np.abs(self.axes[name] - value)))
            index[self.names.index(name)] = k
            del axes[name]
        if not axes:
            raise ValueError("select() must leave at least one axis")
        idx = tuple(index)
        model = dataclasses.replace(
            self.model, **{n: self.axes[n][index[self.names.index(n)]].item() for n in where}
        )

        def cut(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[idx]

        keep = [n for n in self.names if n not in where]
        curves, curve_axes = {}, {}
        for name, pts in self.curves.items():
            if self.curve_axes[name] in where:
                continue
            sel = np.ones(len(pts), dtype=bool)
            for n in where:
                col = self.names.index(n)
                sel &= np.isclose(pts[:, col], getattr(model, n))
            cols = [self.names.index(n) for n in keep]
            curves[name] = pts[sel][:, cols]
            curve_axes[name] = self.curve_axes[name]
        return dataclasses.replace(
            self,
            model=model,
            axes=axes,
            fields={k: v[idx] for k, v in self.fields.items()},
            status=self.status[idx],
            messages=self.messages[idx],
            seeds=cut(self.seeds),
            per_seed={k: v[idx] for k, v in self.per_seed.items()},
            sem={k: v[idx] for k, v in self.sem.items()},
            seed_status=cut(self.seed_status),
            timings=cut(self.timings),
            curves=curves,
            curve_axes=curve_axes,
        )

    # ------------------------------------------------------------------ contours
    def _lines(self, z: np.ndarray, level: float) -> list[np.ndarray]:
        if self.ndim == 1:
            x = self.axes[self.names[0]]
            pts = []
            for k in range(len(x) - 1):
                a, b = z[k] - level, z[k + 1] - level
                if np.isfinite(a) and np.isfinite(b) and a * b < 0:
                    t = a / (a - b)
                    pts.append(np.array([[x[k] + t * (x[k + 1] - x[k])]]))
            return pts
        if self.ndim != 2:
            raise ValueError(
                f"contours need a 1-D or 2-D diagram, this one has {self.ndim} axes; "
                "cut it first, e.g. diagram.select(I0=0.5)"
            )
        import contourpy

        x, y = (self.axes[n].astype(float) for n in self.names)
        if len(x) < 2 or len(y) < 2:
            return []
        zz = np.ma.masked_invalid(z.T.astype(float))
        gen = contourpy.contour_generator(
            x, y, zz, line_type=contourpy.LineType.Separate, corner_mask=False
        )
        return [np.asarray(line, dtype=float) for line in gen.lines(level) if len(line) > 1]

    def contour(self, name: str, level: float = 0.0) -> list[np.ndarray]:
        """Lines where numeric field ``name`` crosses ``level`` (e.g. ``lambda_max = 0``).

        Returns a list of ``(m, ndim)`` point arrays, columns in axis order, found by
        marching squares with linear interpolation (contourpy); a 1-D diagram gives
        one ``(1, 1)`` array per crossing.
        """
        z = self._field(name)
        if self.is_categorical(name):
            raise ValueError(f"field {name!r} is categorical; use boundaries({name!r})")
        return self._lines(np.where(self.ok, z, np.nan), float(level))

    def boundaries(self, label_field: str) -> dict[tuple[str, str], list[np.ndarray]]:
        """Lines between the regions of each pair of labels of a categorical field.

        For each pair of labels ``(a, b)`` (sorted) that touch on the grid, the map
        ``+1`` at ``a``, ``-1`` at ``b``, undefined elsewhere, is contoured at 0: the
        line runs half-way between neighbouring points of the two regions (so it is
        exact to half a grid step).  Failed points belong to no region.

        Returns
        -------
        dict
            ``{(a, b): [array (m, ndim), ...]}``; columns in axis order.

        References
        ----------
        Lorensen & Cline (1987), "Marching cubes", SIGGRAPH Comput. Graph. 21:163,
        Sec. 3 (the cell-by-cell linear interpolation, here in 2-D as implemented
        by contourpy).
        """
        labels = self._field(label_field)
        if not self.is_categorical(label_field):
            raise ValueError(
                f"field {label_field!r} is numeric; use contour({label_field!r}, level)"
            )
        valid = self.ok & (labels != "")
        cats = sorted(set(labels[valid].tolist()))
        out: dict[tuple[str, str], list[np.ndarray]] = {}
        for ia, a in enumerate(cats):
            for b in cats[ia + 1 :]:
                z = np.full(labels.shape, np.nan)
                z[valid & (labels == a)] = 1.0
                z[valid & (labels == b)] = -1.0
                lines = self._lines(z, 0.0)
                if lines:
                    out[(a, b)] = lines
        return out

    def curve_deviation(
        self, curve: str, label_field: str, pair: tuple[str, str] | None = None
    ) -> float:
        """Largest distance, along the solved axis, between grid boundary and theory curve.

        For every vertex of the grid boundary lines (:meth:`boundaries`; one label
        pair or all), the theory curve ``curves[curve]`` is interpolated linearly at
        the vertex's other coordinate and the difference in the solved coordinate
        is taken; vertices outside the range of the curve are skipped.  A grid
        that resolves the transition gives a value of about one grid step of the
        solved axis.  2-D diagrams only.

        Returns
        -------
        float
            The largest deviation (NaN if no vertex lies in the curve's range).
        """
        if curve not in self.curves:
            raise ValueError(
                f"no theory curve {curve!r}; curves: {', '.join(self.curves) or '(none)'}"
            )
        if self.ndim != 2:
            raise ValueError("curve_deviation needs a 2-D diagram; cut it with select() first")
        c = self.names.index(self.curve_axes[curve])
        o = 1 - c
        pts = self.curves[curve]
        pts = pts[np.all(np.isfinite(pts), axis=1)]
        pts = pts[np.argsort(pts[:, o])]
        lines = self.boundaries(label_field)
        if pair is not None:
            key = tuple(sorted(pair))
            if key not in lines:
                raise ValueError(f"labels {pair} share no boundary; pairs: {list(lines)}")
            lines = {key: lines[key]}
        if len(pts) < 2 or not lines:
            return float("nan")
        verts = np.concatenate([ln for group in lines.values() for ln in group])
        inside = (verts[:, o] >= pts[0, o]) & (verts[:, o] <= pts[-1, o])
        if not np.any(inside):
            return float("nan")
        want = np.interp(verts[inside, o], pts[:, o], pts[:, c])
        return float(np.max(np.abs(verts[inside, c] - want)))

    # ------------------------------------------------------------------ comparison, io
    def equals(self, other: PhaseDiagram) -> bool:
        """Bit-for-bit equality of grid, fields, status, messages and seeds (not timings)."""
        if not isinstance(other, PhaseDiagram):
            return False
        if list(self.axes) != list(other.axes) or not _dicts_equal(self.axes, other.axes):
            return False
        return (
            _encode(self.model) == _encode(other.model)
            and _dicts_equal(self.fields, other.fields)
            and _arrays_equal(self.status, other.status)
            and _arrays_equal(self.messages, other.messages)
            and _arrays_equal(self.seeds, other.seeds)
            and self.seed == other.seed
            and _dicts_equal(self.per_seed, other.per_seed)
            and _dicts_equal(self.sem, other.sem)
            and _arrays_equal(self.seed_status, other.seed_status)
            and _dicts_equal(self.curves, other.curves)
        )

    def to_npz(self, path: str | os.PathLike) -> None:
        """Write the diagram to a ``.npz`` file (no pickles; the model as JSON)."""
        meta = {
            "format": _NPZ_FORMAT,
            "model": _encode(self.model),
            "axes": list(self.axes),
            "fields": list(self.fields),
            "per_seed": list(self.per_seed),
            "sem": list(self.sem),
            "curves": list(self.curves),
            "curve_axes": self.curve_axes,
            "seed": self.seed,
            "wall_time": self.wall_time,
            "executor": self.executor,
            "fn_name": self.fn_name,
        }
        arrays: dict[str, np.ndarray] = {"meta": np.array(json.dumps(meta))}
        for prefix, d in (
            ("axis", self.axes),
            ("field", self.fields),
            ("per_seed", self.per_seed),
            ("sem", self.sem),
            ("curve", self.curves),
        ):
            for k, (_, v) in enumerate(d.items()):
                arrays[f"{prefix}_{k}"] = v
        arrays["status"] = self.status
        arrays["messages"] = self.messages
        for name in ("seeds", "seed_status", "timings"):
            value = getattr(self, name)
            if value is not None:
                arrays[name] = value
        with open(path, "wb") as fh:
            np.savez_compressed(fh, **arrays)

    @classmethod
    def from_npz(cls, path: str | os.PathLike) -> PhaseDiagram:
        """Read a diagram written by :meth:`to_npz`."""
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("format") != _NPZ_FORMAT:
                raise ValueError(f"{str(path)!r} is not an rnmf phase diagram")

            def group(prefix: str, names: list[str]) -> dict[str, np.ndarray]:
                return {n: data[f"{prefix}_{k}"] for k, n in enumerate(names)}

            def opt(name: str) -> np.ndarray | None:
                return data[name] if name in data.files else None

            return cls(
                model=_decode(meta["model"]),
                axes=group("axis", meta["axes"]),
                fields=group("field", meta["fields"]),
                status=data["status"],
                messages=data["messages"],
                seeds=opt("seeds"),
                seed=meta["seed"],
                per_seed=group("per_seed", meta["per_seed"]),
                sem=group("sem", meta["sem"]),
                seed_status=opt("seed_status"),
                timings=opt("timings"),
                wall_time=float(meta["wall_time"]),
                executor=meta["executor"],
                fn_name=meta["fn_name"],
                curves=group("curve", meta["curves"]),
                curve_axes=dict(meta["curve_axes"]),
            )

    def __repr__(self) -> str:
        n = int(np.prod(self.shape))
        describe = getattr(self.model, "describe", None)
        head = f"PhaseDiagram  {' x '.join(map(str, self.shape))} = {n} points"
        head += f"  [{describe() if callable(describe) else type(self.model).__name__}]"
        rows = []
        for name, v in self.axes.items():
            step = "" if v.size < 2 else f", {v.size} values"
            rows.append(("axis " + name, f"{v[0]:g} .. {v[-1]:g}{step}"))
        for name, v in self.fields.items():
            if v.dtype.kind in "US":
                cats, counts = np.unique(v[v != ""], return_counts=True)
                text = ", ".join(
                    f"{c} {k}" for c, k in zip(cats.tolist(), counts.tolist(), strict=True)
                )
                rows.append((name, f"labels: {text}" if text else "labels: (none)"))
            else:
                finite = v[np.isfinite(v)]
                text = f"{finite.min():.4g} .. {finite.max():.4g}" if finite.size else "all NaN"
                rows.append((name, text))
        rows.append(("failed", f"{self.n_failed} of {n}"))
        if self.seeds is not None:
            rows.append(("seeds", f"{self.seeds.shape[-1]} per point (base seed {self.seed})"))
        for name, pts in self.curves.items():
            found = int(np.count_nonzero(np.all(np.isfinite(pts), axis=1)))
            rows.append(("curve " + name, f"{self.curve_axes[name]}: {found} points"))
        rows.append(("executor", f"{self.executor}, {self.wall_time:.3g} s"))
        width = max(len(k) for k, _ in rows)
        return "\n".join([head] + [f"  {k:<{width}}  {v}" for k, v in rows])

    __str__ = __repr__


# --------------------------------------------------------------------------------------
# assembly
# --------------------------------------------------------------------------------------


def _field_array(values: list[Any], shape: tuple[int, ...]) -> np.ndarray:
    """values: flat list (None where missing) -> float64 or str array."""
    if any(isinstance(v, str) for v in values):
        return np.array(["" if v is None else str(v) for v in values], dtype=str).reshape(shape)
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64).reshape(shape)


def _assemble(
    records: Mapping[tuple[int, int], _Record],
    shape: tuple[int, ...],
    k: int | None,
) -> dict[str, Any]:
    n = int(np.prod(shape))
    names: list[str] = []
    seen: set[str] = set()
    for key in sorted(records):
        for name in records[key][4]:
            if name not in seen:
                seen.add(name)
                names.append(name)
    timings = np.zeros(n)
    for (i, _), rec in records.items():
        timings[i] += rec[5]
    timings = timings.reshape(shape)
    if k is None:
        recs = [records[(i, -1)] for i in range(n)]
        status = np.array(["ok" if r[2] else "failed" for r in recs], dtype=str).reshape(shape)
        messages = np.array([r[3] for r in recs], dtype=str).reshape(shape)
        fields = {nm: _field_array([r[4].get(nm) for r in recs], shape) for nm in names}
        return dict(fields=fields, status=status, messages=messages, timings=timings)

    runs = [[records[(i, s)] for s in range(k)] for i in range(n)]
    seed_status = np.array(
        [["ok" if r[2] else "failed" for r in rr] for rr in runs], dtype=str
    ).reshape(shape + (k,))
    status = np.array(
        ["ok" if all(r[2] for r in rr) else "failed" for rr in runs], dtype=str
    ).reshape(shape)
    messages = np.array(
        ["; ".join(f"seed {s}: {r[3]}" for s, r in enumerate(rr) if not r[2]) for rr in runs],
        dtype=str,
    ).reshape(shape)
    fields: dict[str, np.ndarray] = {}
    per_seed: dict[str, np.ndarray] = {}
    sem: dict[str, np.ndarray] = {}
    for nm in names:
        flat = [r[4].get(nm) for rr in runs for r in rr]
        arr = _field_array(flat, shape + (k,))
        per_seed[nm] = arr
        ok = seed_status == "ok"
        if arr.dtype.kind in "US":
            mode = []
            for labels, good in zip(arr.reshape(n, k), ok.reshape(n, k), strict=True):
                vals = [
                    lab for lab, g in zip(labels.tolist(), good.tolist(), strict=True) if g and lab
                ]
                if vals:
                    counts = {v: vals.count(v) for v in sorted(set(vals))}
                    mode.append(max(counts, key=lambda v: counts[v]))
                else:
                    mode.append("")
            fields[nm] = np.array(mode, dtype=str).reshape(shape)
        else:
            good = ok & np.isfinite(arr)
            cnt = good.sum(axis=-1)
            tot = np.where(good, arr, 0.0).sum(axis=-1)
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.where(cnt > 0, tot / np.maximum(cnt, 1), np.nan)
                dev = np.where(good, arr - mean[..., None], 0.0)
                var = (dev**2).sum(axis=-1) / np.maximum(cnt - 1, 1)
                se = np.where(cnt > 1, np.sqrt(var / np.maximum(cnt, 1)), np.nan)
            fields[nm] = mean
            sem[nm] = se
    return dict(
        fields=fields,
        status=status,
        messages=messages,
        timings=timings,
        per_seed=per_seed,
        sem=sem,
        seed_status=seed_status,
    )


def _curves(
    boundary_fns: Mapping[str, Any] | None, model: Any, axes: Mapping[str, np.ndarray]
) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    curves: dict[str, np.ndarray] = {}
    curve_axes: dict[str, str] = {}
    if not boundary_fns:
        return curves, curve_axes
    if not isinstance(boundary_fns, Mapping):
        raise ValueError(
            "boundary_fns must be a mapping name -> (axis, f), e.g. "
            "{'chaos': ('g', lambda net: g_c(net))}"
        )
    names = list(axes)
    for cname, spec in boundary_fns.items():
        if not (isinstance(spec, tuple) and len(spec) == 2 and callable(spec[1])):
            raise ValueError(
                f"boundary_fns[{cname!r}] must be a pair (axis name, f) with f(model) -> critical "
                f"value of that axis; got {spec!r}"
            )
        solve_for, f = spec
        if solve_for not in axes:
            raise ValueError(
                f"boundary_fns[{cname!r}] solves for {solve_for!r}, which is not a swept axis "
                f"({', '.join(names)})"
            )
        others = [n for n in names if n != solve_for]
        grids = np.meshgrid(*[axes[n] for n in others], indexing="ij") if others else []
        count = int(np.prod([axes[n].size for n in others])) if others else 1
        pts = np.full((count, len(names)), np.nan)
        for n, g in zip(others, grids, strict=True):
            pts[:, names.index(n)] = g.ravel()
        if getattr(f, "vectorized", False):
            # f(model, {other axis: 1-D array}) -> critical values, one per combination
            params = {n: g.ravel().copy() for n, g in zip(others, grids, strict=True)}
            crit = np.asarray(f(model, params), dtype=float).reshape(-1)
            if crit.size != count:
                raise ValueError(
                    f"vectorised boundary_fns[{cname!r}] returned {crit.size} values for "
                    f"{count} combinations of {', '.join(others) or 'no other axis'}"
                )
            pts[:, names.index(solve_for)] = np.where(np.isfinite(crit), crit, np.nan)
        else:
            for j in range(count):
                vals = {n: g.ravel()[j].item() for n, g in zip(others, grids, strict=True)}
                try:
                    crit = float(f(dataclasses.replace(model, **vals)))
                except Exception:
                    crit = np.nan
                pts[j, names.index(solve_for)] = crit if np.isfinite(crit) else np.nan
        curves[cname] = pts
        curve_axes[cname] = solve_for
    return curves, curve_axes


# --------------------------------------------------------------------------------------
# the entry point
# --------------------------------------------------------------------------------------


def sweep(
    fn: Callable[..., Any],
    model: Any,
    axes: Mapping[str, Any],
    *,
    executor: str = "serial",
    store: str | os.PathLike | None = None,
    seeds: int | None = None,
    seed: int | None = None,
    vectorized: bool | None = None,
    n_workers: int | None = None,
    scheduler: Any = None,
    progress: bool | None = None,
    chunk: int | None = None,
    boundary_fns: Mapping[str, tuple[str, Callable[[Any], float]]] | None = None,
    retry_failed: bool = False,
    timeout: float = 10.0,
) -> PhaseDiagram:
    """Evaluate a theory or a simulation over a grid of model parameters.

    Parameters
    ----------
    fn : callable
        ``fn(model) -> Mapping`` (theory), ``fn(model, rng) -> Mapping`` when
        ``seeds`` is given (simulation), or ``fn(model, params) -> Mapping of
        arrays`` when ``vectorized`` (see the module docstring, "How a function
        plugs in").  Must be importable (module level) for ``executor="processes"``,
        and a script that uses processes must guard its entry point with
        ``if __name__ == "__main__":`` (the workers are spawned).  Its qualified
        name identifies it in a store (so two lambdas look alike).
    model : dataclass instance
        Base model, e.g. :class:`rnmf.models.RateNetwork`; the swept fields are
        replaced at each point with :func:`dataclasses.replace`.
    axes : mapping of str to 1-D array
        Field name -> strictly monotonic, finite values; 1 to 3 axes.  The grid is
        their outer product, axis order as given, flat index in C order.
    executor : {"serial", "processes", "dask"}
        Where points run: this process, a spawn-based
        :class:`concurrent.futures.ProcessPoolExecutor`, or a ``dask.distributed``
        cluster.  All give bit-identical diagrams.
    store : path, optional
        Directory in which each finished point is written as it completes;
        re-running the same call resumes, computing only missing points.  A
        directory made by a different sweep raises :class:`StoreMismatchError` and
        is left untouched.
    seeds : int, optional
        Number of seed runs per point (``fn`` then gets an ``rng``).
    seed : int, optional
        Base seed of the runs; None draws fresh entropy (recorded in the result),
        or with an existing store reuses the store's base seed.
    vectorized : bool, optional
        ``fn`` takes whole chunks of the grid; default ``getattr(fn, "vectorized", False)``.
    n_workers : int, optional
        Worker processes (processes, local dask cluster); default ``os.cpu_count()``.
    scheduler : str or distributed.Client, optional
        For ``executor="dask"``: address of an existing scheduler
        (``"tcp://host:8786"``) or a client; None starts a ``LocalCluster`` of
        ``n_workers`` single-threaded worker processes for the call.
    progress : bool, optional
        Show a progress bar on stderr (tqdm if installed); default: only when
        stderr is a terminal.
    chunk : int, optional
        Points (or seed runs) per task.  Default: 1 for serial scalar work and
        for simulations (so that each finished run is stored at once);
        ``ceil(n / (8 n_workers))`` (at most 256) for parallel theory points;
        ``ceil(n / max(16, 8 n_workers))`` for vectorised functions, at least
        ``fn.min_chunk`` where the function sets it (a large fixed cost per call).
    boundary_fns : mapping, optional
        ``{name: (axis, f)}`` with ``f(model) -> critical value of axis`` (NaN or
        an exception: no transition), evaluated for every combination of the other
        axes; stored in :attr:`PhaseDiagram.curves`.  With ``f.vectorized = True``
        it is called once as ``f(model, params)``, ``params`` mapping each other
        axis to a 1-D array of the combinations, and returns one value per row.  Example: the chaos boundary
        ``("g", lambda net: g_c(net.sigma_noise))`` in the (g, sigma_noise) plane.
    retry_failed : bool
        When resuming, compute failed points again instead of keeping them.
    timeout : float
        Seconds allowed to reach a dask scheduler given by address.

    Returns
    -------
    PhaseDiagram

    Raises
    ------
    ValueError
        Bad axes (unknown field, empty, non-finite, not 1-D, not monotonic) or options.
    StoreMismatchError
        ``store`` holds another sweep.
    ConnectionError
        The dask scheduler could not be reached within ``timeout``.
    ImportError
        ``executor="dask"`` without dask installed (``pip install 'rnmf[dask]'``).

    Examples
    --------
    >>> from rnmf import RateNetwork
    >>> d = sweep(lambda net: {"gain": net.g ** 2}, RateNetwork(N=100, g=1.0),
    ...           {"g": [0.5, 1.0, 2.0]})
    >>> d.fields["gain"].tolist()
    [0.25, 1.0, 4.0]
    """
    t_start = time.perf_counter()
    if not callable(fn):
        raise ValueError(f"fn must be callable, got {type(fn).__name__}")
    grid_axes = _validate_axes(model, axes)
    if executor not in EXECUTORS:
        raise ValueError(
            f"executor must be one of {', '.join(map(repr, EXECUTORS))}; got {executor!r}"
        )
    if seeds is not None:
        if isinstance(seeds, bool) or not isinstance(seeds, numbers.Integral) or seeds < 1:
            raise ValueError(
                f"seeds must be a positive integer (runs per point) or None, got {seeds!r}"
            )
        seeds = int(seeds)
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer or None, got {seed!r}")
        seed = int(seed)
        if seeds is None:
            raise ValueError("seed is only used with seeds=k (a stochastic fn); pass seeds too")
    if vectorized is None:
        vectorized = bool(getattr(fn, "vectorized", False))
    if vectorized and seeds is not None:
        raise ValueError(
            "a vectorised fn cannot be stochastic here: pass seeds only with a per-point fn(model, rng)"
        )
    if n_workers is None:
        n_workers = os.cpu_count() or 1
    elif (
        isinstance(n_workers, bool) or not isinstance(n_workers, numbers.Integral) or n_workers < 1
    ):
        raise ValueError(f"n_workers must be a positive integer, got {n_workers!r}")
    n_workers = int(n_workers)
    if chunk is not None and (
        isinstance(chunk, bool) or not isinstance(chunk, numbers.Integral) or chunk < 1
    ):
        raise ValueError(f"chunk must be a positive integer (points per task), got {chunk!r}")
    if not (isinstance(timeout, numbers.Real) and timeout > 0):
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if scheduler is not None and executor != "dask":
        raise ValueError("scheduler is only used with executor='dask'")
    if progress is None:
        progress = bool(getattr(sys.stderr, "isatty", lambda: False)())
    if executor == "dask":  # fail early and clearly when the extra is missing
        try:
            import distributed  # noqa: F401
        except ImportError as exc:
            raise ImportError(
                "executor='dask' needs dask.distributed, an optional dependency: "
                "pip install 'rnmf[dask]' (or pip install 'dask[distributed]')"
            ) from exc

    shape = tuple(v.size for v in grid_axes.values())
    n_points = int(np.prod(shape))
    names = tuple(grid_axes)

    # the store decides the base seed when resuming with seed=None
    st: _Store | None = None
    if store is not None and seeds is not None and seed is None:
        mpath = Path(store) / "manifest.json"
        if mpath.exists():
            try:
                seed = json.loads(mpath.read_text()).get("seed")
            except (OSError, ValueError):
                seed = None
    if seeds is not None and seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**63))

    curves, curve_axes = _curves(boundary_fns, model, grid_axes)

    done: dict[tuple[int, int], _Record] = {}
    if store is not None:
        st = _Store(store, _manifest(model, grid_axes, fn, seeds, seed))
        done = st.read()
        if retry_failed:
            done = {k: r for k, r in done.items() if r[2]}

    # work units
    units: list[_Unit] = []
    all_index = np.indices(shape).reshape(len(shape), -1).T.tolist()
    axis_lists = [grid_axes[nm].tolist() for nm in names]  # Python int/float values
    seed_table = None
    if seeds is not None:
        seed_table = np.empty((n_points, seeds), dtype=np.uint64)
        for i in range(n_points):
            for s in range(seeds):
                ss = np.random.SeedSequence(seed, spawn_key=(i, s))
                seed_table[i, s] = ss.generate_state(1, np.uint64)[0]
    for i in range(n_points):
        vals = tuple(values[k] for values, k in zip(axis_lists, all_index[i], strict=True))
        if seeds is None:
            if (i, -1) not in done:
                units.append((i, -1, -1, vals))
        else:
            for s in range(seeds):
                if (i, s) not in done:
                    units.append((i, s, int(seed_table[i, s]), vals))

    total_units = n_points * (seeds or 1)
    if chunk is None:
        if vectorized:
            # a function with a large fixed cost per call asks for bigger chunks
            least = int(getattr(fn, "min_chunk", 1))
            chunk = max(1, least, math.ceil(len(units) / max(16, 8 * n_workers)))
        elif executor == "serial" or seeds is not None:
            chunk = 1
        else:
            chunk = max(1, min(256, math.ceil(len(units) / (8 * n_workers))))
    chunks = [units[j : j + chunk] for j in range(0, len(units), chunk)]
    runner = _run_vector if vectorized else _run_scalar

    bar = _Progress(total_units, total_units - len(units), bool(progress) and bool(units))

    def on_result(records: list) -> None:
        if st is not None:
            st.append(records)
        for r in records:
            done[(r[0], r[1])] = r
        bar.update(len(records))

    try:
        if st is not None:
            st.open()
        _execute(
            runner,
            fn,
            model,
            names,
            chunks,
            executor,
            n_workers,
            scheduler,
            float(timeout),
            on_result,
        )
    finally:
        bar.close()
        if st is not None:
            st.close()

    parts = _assemble(done, shape, seeds)
    return PhaseDiagram(
        model=model,
        axes=grid_axes,
        seeds=None if seed_table is None else seed_table.reshape(shape + (seeds,)),
        seed=seed,
        wall_time=time.perf_counter() - t_start,
        executor=executor,
        fn_name=_qualname(fn),
        curves=curves,
        curve_axes=curve_axes,
        **parts,
    )
