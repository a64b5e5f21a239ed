"""The result of a sweep: :class:`PhaseDiagram` (fields, contours, curves, ``.npz`` files)."""

from __future__ import annotations

import dataclasses
import json
import numbers
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._encoding import _decode, _encode

__all__ = ["PhaseDiagram"]

_NPZ_FORMAT = "rnmf-phase-diagram"
_NPZ_VERSION = 2


def _point_values(axes: Mapping[str, np.ndarray], index: tuple[int, ...]) -> dict[str, Any]:
    return {name: values[k].item() for (name, values), k in zip(axes.items(), index, strict=True)}


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
        ``"ok"`` or ``"failed"`` per point (failed if any seed run failed); in the
        partial diagrams handed to ``sweep(on_update=...)`` also ``"pending"``.
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

    def curve_segments(
        self, curve: str, *, jump_cells: float = 3.0, ratio: float = 3.0
    ) -> list[np.ndarray]:
        """The theory curve ``curves[curve]`` cut into continuous pieces, for drawing.

        A boundary function returns one critical value per value of the other axis (the
        k-th smallest where there are several), so one curve can hold several branches:
        it ends where a branch ends (NaN) and it jumps where the k-th value passes from
        one branch to another.  A 2-D curve is cut at every NaN and between consecutive
        points whose step in the solved coordinate exceeds both ``jump_cells`` grid
        steps of that axis and ``ratio`` times the larger of the neighbouring steps (a
        steep but smooth branch has steps of about the same size; a change of branch is
        a lone large step).  Pieces of a single point are dropped.

        Returns
        -------
        list of arrays (m, ndim), columns in axis order; 1-D and 3-D diagrams: the finite
        points cut at NaN only.
        """
        if curve not in self.curves:
            raise ValueError(
                f"no theory curve {curve!r}; curves: {', '.join(self.curves) or '(none)'}"
            )
        pts = np.asarray(self.curves[curve], dtype=float)
        good = np.all(np.isfinite(pts), axis=1)
        cut = np.zeros(max(len(pts) - 1, 0), bool)  # cut between i and i + 1
        cut |= ~good[:-1] | ~good[1:]
        if self.ndim == 2 and len(pts) > 1:
            c = self.names.index(self.curve_axes[curve])
            ax = np.asarray(self.axes[self.names[c]], dtype=float)
            cell = float(np.min(np.abs(np.diff(ax)))) if ax.size > 1 else 1.0
            d = np.abs(np.diff(pts[:, c]))
            d = np.where(np.isfinite(d), d, 0.0)
            prev = np.concatenate([[0.0], d[:-1]])
            nxt = np.concatenate([d[1:], [0.0]])
            cut |= (d > jump_cells * cell) & (d > ratio * np.maximum(prev, nxt))
        out: list[np.ndarray] = []
        start = 0
        for i in list(np.nonzero(cut)[0] + 1) + [len(pts)]:
            piece = pts[start:i]
            piece = piece[np.all(np.isfinite(piece), axis=1)]
            if len(piece) >= 2 or (self.ndim == 1 and len(piece) == 1):
                out.append(piece)
            start = i
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
        """Write the diagram to a ``.npz`` file (no pickles; the model as JSON).

        Storage format (version 2): ``meta`` (a JSON string: format, version, model,
        the names of axes, fields and curves in order, seed, executor, function
        name), and one array per named item: ``axis_<name>``, ``field_<name>``,
        ``per_seed_<name>``, ``sem_<name>``, ``curve_<name>``, plus ``status``,
        ``messages`` and, where present, ``seeds``, ``seed_status``, ``timings``.  So
        ``np.load(path)["field_Delta0"]`` reads one field without rnmf.  Files of
        version 1 (``field_0``, ``field_1``, ...) are still read by :meth:`from_npz`.
        """
        meta = {
            "format": _NPZ_FORMAT,
            "version": _NPZ_VERSION,
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
            for name, v in d.items():
                arrays[f"{prefix}_{name}"] = v
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
        """Read a diagram written by :meth:`to_npz` (format version 1 or 2)."""
        with np.load(path, allow_pickle=False) as data:
            if "meta" not in data.files:
                raise ValueError(f"{str(path)!r} is not an rnmf phase diagram (no meta entry)")
            meta = json.loads(str(data["meta"]))
            if not isinstance(meta, dict) or meta.get("format") != _NPZ_FORMAT:
                raise ValueError(f"{str(path)!r} is not an rnmf phase diagram")
            version = int(meta.get("version", 1))
            if version > _NPZ_VERSION:
                raise ValueError(
                    f"{str(path)!r} has phase-diagram format version {version}; this rnmf "
                    f"reads versions 1 to {_NPZ_VERSION}: update rnmf"
                )

            def group(prefix: str, names: list[str]) -> dict[str, np.ndarray]:
                if version == 1:  # positional keys field_0, field_1, ...
                    return {n: data[f"{prefix}_{k}"] for k, n in enumerate(names)}
                return {n: data[f"{prefix}_{n}"] for n in names}

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

    def to_xarray(self) -> Any:
        """The diagram as an :class:`xarray.Dataset` (xarray is an optional extra).

        Dimensions are the swept fields (coordinates: their values) and, with seeds,
        ``seed`` (the run index).  Data variables: every field, ``<field>_sem`` and
        ``<field>_per_seed`` with seeds, ``status``, ``messages``, ``timings`` and,
        with seeds, ``seeds`` (uint64) and ``seed_status``.  Attributes: ``model``
        (JSON, as in :meth:`to_npz`), ``fn_name``, ``executor``, ``wall_time``,
        ``seed`` (with seeds) and ``curves`` (JSON: per curve its solved axis and
        points, NaN written as ``NaN``).

        Raises
        ------
        ImportError
            xarray is not installed: ``pip install 'rnmf[xarray]'``.

        Examples
        --------
        >>> ds = diagram.to_xarray()                         # doctest: +SKIP
        >>> ds["Delta0"].sel(g=1.5, method="nearest")        # doctest: +SKIP
        """
        try:
            import xarray as xr
        except ImportError as exc:
            raise ImportError(
                "PhaseDiagram.to_xarray needs xarray, an optional dependency: "
                "pip install 'rnmf[xarray]' (or pip install xarray)"
            ) from exc
        dims = self.names
        run_dims = dims + ("seed",)
        data: dict[str, Any] = {}
        for name, v in self.fields.items():
            data[name] = (dims, v)
            if name in self.sem:
                data[f"{name}_sem"] = (dims, self.sem[name])
            if name in self.per_seed:
                data[f"{name}_per_seed"] = (run_dims, self.per_seed[name])
        data["status"] = (dims, self.status)
        data["messages"] = (dims, self.messages)
        if self.timings is not None:
            data["timings"] = (dims, self.timings)
        if self.seeds is not None:
            data["seeds"] = (run_dims, self.seeds)
        if self.seed_status is not None:
            data["seed_status"] = (run_dims, self.seed_status)
        coords: dict[str, Any] = {name: values for name, values in self.axes.items()}
        if self.seeds is not None:
            coords["seed"] = np.arange(self.seeds.shape[-1])
        attrs: dict[str, Any] = {
            "model": json.dumps(_encode(self.model)),
            "fn_name": self.fn_name,
            "executor": self.executor,
            "wall_time": float(self.wall_time),
            "curves": json.dumps(
                {
                    k: {"axis": self.curve_axes[k], "points": pts.tolist()}
                    for k, pts in self.curves.items()
                }
            ),
        }
        if self.seed is not None:
            attrs["seed"] = int(self.seed)
        return xr.Dataset(data, coords=coords, attrs=attrs)

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


def _curves(
    boundary_fns: Mapping[str, Any] | None,
    model: Any,
    axes: Mapping[str, np.ndarray],
    *,
    check_only: bool = False,
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
        if check_only:
            continue
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
