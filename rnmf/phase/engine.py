"""The sweep engine: grid validation, running the function, seeds, assembly of the diagram.

:func:`sweep` validates the grid, derives the seeds, splits the grid into work
units, hands them to an executor (:mod:`rnmf.phase.executors`), records finished
points in a store (:mod:`rnmf.phase.store`) and assembles a
:class:`~rnmf.phase.diagram.PhaseDiagram`.  How a function plugs in is described
in :mod:`rnmf.phase`.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import numbers
import os
import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ._encoding import _qualname
from .diagram import PhaseDiagram, _curves
from .executors import EXECUTORS, _execute, _Progress, _Unit
from .store import _manifest, _Record, _Store

__all__ = ["sweep"]

#: Points per call of a vectorised function unless it sets ``fn.block`` (or ``fn.min_chunk``).
_DEFAULT_BLOCK = 256

#: Most points x seed runs of one sweep (the engine keeps a record per run in memory).
_MAX_RUNS = 10**8


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


def _run_vector(
    fn: Callable, model: Any, names: tuple[str, ...], blocks: list[list[_Unit]]
) -> list:
    """Evaluate a vectorised fn block by block (each block one call, see :func:`sweep`)."""
    records: list = []
    for units in blocks:
        records.extend(_run_block(fn, model, names, units))
    return records


def _run_block(fn: Callable, model: Any, names: tuple[str, ...], units: list[_Unit]) -> list:
    """One call of a vectorised fn on the valid points of one grid-aligned block.

    Units with seed index -2 are context: computed (so that fn always sees the same
    block, whatever is already stored) but not returned.
    """
    t0 = time.perf_counter()
    records: list = []
    good = []
    for unit in units:
        i, s, _, values = unit
        try:
            dataclasses.replace(model, **dict(zip(names, values, strict=True)))
        except Exception as exc:
            if s != -2:
                records.append((i, s, False, "invalid model: " + _error_message(exc), {}, 0.0))
            continue
        good.append(unit)
    if not any(u[1] != -2 for u in good):
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
        return records + [(u[0], u[1], False, message, {}, dt) for u in good if u[1] != -2]
    dt = (time.perf_counter() - t0) / n
    conv = arrays.get("converged")
    msgs = arrays.get("message")
    for k, u in enumerate(good):
        if u[1] == -2:
            continue
        try:
            vals = {key: _scalar(key, arr[k]) for key, arr in arrays.items() if key != "message"}
            ok = True if conv is None else bool(conv[k])
            message = "" if ok else (str(msgs[k]) if msgs is not None else "not converged")
        except Exception as exc:
            ok, message, vals = False, _error_message(exc), {}
        records.append((u[0], u[1], ok, message, vals, dt))
    return records


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

    def get(i: int, s: int) -> _Record | tuple:
        # a point not computed yet (partial diagrams during a sweep): ok is None
        return records.get((i, s), (i, s, None, "", {}, 0.0))

    def word(ok: bool | None) -> str:
        return "pending" if ok is None else ("ok" if ok else "failed")

    if k is None:
        recs = [get(i, -1) for i in range(n)]
        status = np.array([word(r[2]) for r in recs], dtype=str).reshape(shape)
        messages = np.array([r[3] for r in recs], dtype=str).reshape(shape)
        fields = {nm: _field_array([r[4].get(nm) for r in recs], shape) for nm in names}
        return dict(fields=fields, status=status, messages=messages, timings=timings)

    runs = [[get(i, s) for s in range(k)] for i in range(n)]
    seed_status = np.array([[word(r[2]) for r in rr] for rr in runs], dtype=str).reshape(
        shape + (k,)
    )
    status = np.array(
        [
            "failed"
            if any(r[2] is False for r in rr)
            else ("pending" if any(r[2] is None for r in rr) else "ok")
            for rr in runs
        ],
        dtype=str,
    ).reshape(shape)
    messages = np.array(
        ["; ".join(f"seed {s}: {r[3]}" for s, r in enumerate(rr) if r[2] is False) for rr in runs],
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
    block: int | None = None,
    boundary_fns: Mapping[str, tuple[str, Callable[[Any], float]]] | None = None,
    retry_failed: bool = False,
    timeout: float = 10.0,
    on_update: Callable[[PhaseDiagram], None] | None = None,
    update_every: float = 30.0,
) -> PhaseDiagram:
    """Evaluate a theory or a simulation over a grid of model parameters.

    Parameters
    ----------
    fn : callable
        ``fn(model) -> Mapping`` (theory), ``fn(model, rng) -> Mapping`` when
        ``seeds`` is given (simulation), or ``fn(model, params) -> Mapping of
        arrays`` when ``vectorized`` (see :mod:`rnmf.phase`, "How a function plugs
        in").  Must be importable (module level) for ``executor="processes"``,
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
        is left untouched; one that another running sweep holds raises
        :class:`StoreInUseError`.  Bad records are skipped with a warning and
        computed again (see :mod:`rnmf.phase.store`).
    seeds : int, optional
        Number of seed runs per point (``fn`` then gets an ``rng``).
    seed : int, optional
        Base seed of the runs; None draws fresh entropy (recorded in the result),
        or with an existing store reuses the store's base seed (also when another
        sweep created the store a moment earlier: creation is atomic).
    vectorized : bool, optional
        ``fn`` takes whole chunks of the grid; default ``getattr(fn, "vectorized", False)``.
    n_workers : int, optional
        Worker processes (processes, local dask cluster); default ``os.cpu_count()``.
    scheduler : str or distributed.Client, optional
        For ``executor="dask"``: address of an existing scheduler
        (``"tcp://host:8786"``) or a client; None starts a ``LocalCluster`` of
        ``n_workers`` single-threaded worker processes for the call.
    progress : bool, optional
        Progress bar on stderr (tqdm).  None (default): the bar appears once the
        sweep has run for 2 s (short sweeps stay silent); True: from the start;
        False: never.
    chunk : int, optional
        Points (or seed runs) per task.  Default: 1 for serial scalar work and
        for simulations (so that each finished run is stored at once);
        ``ceil(n / (8 n_workers))`` (at most 256) for parallel theory points.
        For a vectorised function a task holds whole blocks (``chunk`` is rounded
        up to a multiple of ``block``); default one block per task serially,
        ``ceil(n_blocks / (8 n_workers))`` in parallel.  The chunk never changes
        the results.
    block : int, optional
        Points per call of a vectorised function.  The grid (flat index, C order)
        is cut into fixed blocks ``[b * block, (b + 1) * block)`` and ``fn`` is
        always called on one whole block (its valid points), also when some of
        them are already stored; so a function whose last bits depend on the batch
        (iterations until the whole batch converges, BLAS kernels chosen by array
        shape, quadrature sized to the batch) still gives the same diagram for
        every chunk, executor, worker count and interruption.  Default
        ``fn.block`` if set, else ``max(256, fn.min_chunk)``; a store records it and
        a resumed sweep uses the recorded value.
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
    on_update : callable, optional
        Called with the partial diagram (points not computed yet have status
        ``"pending"`` and no values) at most every ``update_every`` seconds while
        points finish, e.g. to redraw a figure as simulations come in.
    update_every : float
        Seconds between two calls of ``on_update`` (default 30).

    Returns
    -------
    PhaseDiagram

    Raises
    ------
    ValueError
        Bad axes (unknown field, empty, non-finite, not 1-D, not monotonic) or options.
    StoreMismatchError
        ``store`` holds another sweep.
    StoreInUseError
        Another running sweep holds ``store``.
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
    if not isinstance(executor, str) or executor not in EXECUTORS:
        raise ValueError(
            f"executor must be one of {', '.join(map(repr, EXECUTORS))}; got {executor!r}"
        )
    if store is not None and (isinstance(store, bool) or not isinstance(store, str | os.PathLike)):
        raise ValueError(
            f"store must be a folder path (str or os.PathLike) or None, got {type(store).__name__}"
        )
    for flag, value in (("vectorized", vectorized), ("retry_failed", retry_failed)):
        if value is not None and not isinstance(value, bool | np.bool_):
            raise ValueError(f"{flag} must be True or False, got {value!r}")
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
    if on_update is not None and not callable(on_update):
        raise ValueError(f"on_update must be callable, got {type(on_update).__name__}")
    if not (
        isinstance(update_every, numbers.Real)
        and not isinstance(update_every, bool)
        and update_every >= 0
    ):
        raise ValueError(f"update_every must be a number of seconds >= 0, got {update_every!r}")
    if scheduler is not None and executor != "dask":
        raise ValueError("scheduler is only used with executor='dask'")
    if progress is not None and not isinstance(progress, bool | np.bool_):
        raise ValueError(f"progress must be True, False or None, got {progress!r}")
    if executor == "dask":  # fail early and clearly when the extra is missing
        try:
            import distributed  # noqa: F401
        except ImportError as exc:
            raise ImportError(
                "executor='dask' needs dask.distributed, an optional dependency: "
                "pip install 'rnmf[dask]' (or pip install 'dask[distributed]')"
            ) from exc

    shape = tuple(v.size for v in grid_axes.values())
    n_points = math.prod(shape)
    if n_points * (seeds or 1) > _MAX_RUNS:
        raise ValueError(
            f"the grid has {' x '.join(map(str, shape))} = {n_points} points"
            + (f" x {seeds} seeds" if seeds else "")
            + f"; more than {_MAX_RUNS:.0e} runs in one sweep is refused: use coarser axes "
            "or fewer seeds, or split the sweep"
        )
    names = tuple(grid_axes)

    _curves(boundary_fns, model, grid_axes, check_only=True)  # bad specs: before any work
    curve_spec = {
        str(k): [str(v[0]), _qualname(v[1])]
        for k, v in (boundary_fns or {}).items()
        if isinstance(v, tuple) and len(v) == 2
    }

    if vectorized:
        if block is None:
            block = getattr(fn, "block", None)
        if block is None:
            block = max(_DEFAULT_BLOCK, int(getattr(fn, "min_chunk", 1)))
        if isinstance(block, bool) or not isinstance(block, numbers.Integral) or block < 1:
            raise ValueError(
                f"block must be a positive integer (points per call of a vectorised fn), "
                f"got {block!r}"
            )
        block = int(block)

    st: _Store | None = None
    done: dict[tuple[int, int], _Record] = {}
    try:
        if store is not None:
            # the lock is taken first: the base seed and the block are decided under it
            st = _Store(store)
            draw = seeds is not None and seed is None
            seed = st.bind(lambda sd: _manifest(model, grid_axes, fn, seeds, sd, block), seed, draw)
            if vectorized and isinstance(st.manifest.get("block"), int):
                block = int(st.manifest["block"])  # a resumed store keeps its blocks
            done = st.read(n_points, seeds)
            if retry_failed:
                done = {k: r for k, r in done.items() if r[2]}
        # theory boundaries: computed once per store (a resumed sweep reads them back)
        cached = st.load_curves(curve_spec) if st is not None and curve_spec else None
        if cached is not None:
            curves, curve_axes = cached
        else:
            curves, curve_axes = _curves(boundary_fns, model, grid_axes)
            if st is not None and curve_spec:
                st.save_curves(curve_spec, curves, curve_axes)
        if seeds is not None and seed is None:
            seed = int(np.random.SeedSequence().entropy % (2**63))

        # work units
        all_index = np.indices(shape).reshape(len(shape), -1).T.tolist()
        axis_lists = [grid_axes[nm].tolist() for nm in names]  # Python int/float values

        def values_at(i: int) -> tuple:
            return tuple(vals[k] for vals, k in zip(axis_lists, all_index[i], strict=True))

        seed_table = None
        if seeds is not None:
            seed_table = np.empty((n_points, seeds), dtype=np.uint64)
            for i in range(n_points):
                for s in range(seeds):
                    ss = np.random.SeedSequence(seed, spawn_key=(i, s))
                    seed_table[i, s] = ss.generate_state(1, np.uint64)[0]
        total_units = n_points * (seeds or 1)
        chunks: list
        if vectorized:
            # fn sees fixed blocks of the grid (flat indices [b*block, (b+1)*block)), whatever
            # the chunk, the executor and what is stored: a function whose last bits depend
            # on its batch still gives the same diagram (resumed == uninterrupted)
            blocks = []
            for start in range(0, n_points, block):
                idx = range(start, min(start + block, n_points))
                if all((i, -1) in done for i in idx):
                    continue
                blocks.append([(i, -2 if (i, -1) in done else -1, -1, values_at(i)) for i in idx])
            n_todo = sum(1 for b_ in blocks for u in b_ if u[1] == -1)
            if chunk is not None:
                per_task = max(1, math.ceil(chunk / block))
            elif executor == "serial":
                per_task = 1
            else:
                per_task = max(1, math.ceil(len(blocks) / (8 * n_workers)))
            chunks = [blocks[j : j + per_task] for j in range(0, len(blocks), per_task)]
            runner = _run_vector
        else:
            units: list[_Unit] = []
            for i in range(n_points):
                if seeds is None:
                    if (i, -1) not in done:
                        units.append((i, -1, -1, values_at(i)))
                else:
                    for s in range(seeds):
                        if (i, s) not in done:
                            units.append((i, s, int(seed_table[i, s]), values_at(i)))
            n_todo = len(units)
            if chunk is None:
                if executor == "serial" or seeds is not None:
                    chunk = 1
                else:
                    chunk = max(1, min(256, math.ceil(len(units) / (8 * n_workers))))
            chunks = [units[j : j + chunk] for j in range(0, len(units), chunk)]
            runner = _run_scalar

        bar = _Progress(total_units, total_units - n_todo, progress if n_todo else False)

        last_update = [time.monotonic()]

        def partial() -> PhaseDiagram:
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
                **_assemble(done, shape, seeds),
            )

        def on_result(records: list) -> None:
            if st is not None:
                st.append(records)
            for r in records:
                done[(r[0], r[1])] = r
            bar.update(len(records))
            if on_update is not None and time.monotonic() - last_update[0] >= update_every:
                on_update(partial())
                last_update[0] = time.monotonic()

        try:
            if st is not None and n_todo:
                st.open()  # a complete store is only read (it may sit in a read-only place)
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
    finally:
        if st is not None:
            st.close()

    return partial()  # every point is done now
