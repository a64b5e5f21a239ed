r"""Fixed points, regimes and bifurcation boundaries of a population model over parameter
grids, vectorised, in the form :func:`rnmf.phase.sweep` takes (``vectorized=True``).

* :func:`solve_grid` -- every fixed point at each point of a chunk of parameter values, with
  eigenvalues: for a smooth two-population model by the certified nullcline scan
  (:mod:`.nullcline`; the count is flagged where uncertain and those points are searched
  again), otherwise by Levenberg–Marquardt from many starts with continuation between
  neighbouring points (all points and starts at once).
* :func:`continuation` -- the fixed-point branches along one parameter, with the
  saddle-node and Hopf points on them located exactly.
* :func:`locate` -- the critical value of one parameter where a derived condition holds
  at a fixed point: the augmented system :math:`F(r, p) = 0,\ C(r, p) = 0` solved for
  :math:`(r, p)` (Kuznetsov 2004, Elements of Applied Bifurcation Theory, ch. 10,
  "defining systems" for folds and Hopf points).
* :func:`phase_function` / :func:`boundary_function` -- plug-ins for the phase sweep.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from rnmf.models.populations import PopulationModel
from rnmf.results import Result, Status

from .conditions import Condition, conditions
from .fixed_points import Numeric
from .nullcline import NullclineScan

__all__ = [
    "Continuation",
    "GridFixedPoints",
    "boundary_function",
    "continuation",
    "locate",
    "phase_function",
    "solve_grid",
]


_CACHE: dict[Any, tuple[Numeric, dict[str, Condition]]] = {}
_SCANS: dict[Any, NullclineScan | None] = {}


def _key(model: PopulationModel) -> Any:
    try:
        key = (model.equations, tuple(model.params.items()), tuple(model.functions.items()))
        hash(key)
        return key
    except TypeError:  # unhashable user functions: no caching
        return None


def _prepared(model: PopulationModel) -> tuple[Numeric, dict[str, Condition]]:
    """The lambdified model and its conditions, built once per model (a sweep calls the
    theory once per chunk with the same base model)."""
    key = _key(model)
    if key is not None and key in _CACHE:
        return _CACHE[key]
    out = (Numeric(model), conditions(model) if model.P <= 4 else {})
    if key is not None:
        if len(_CACHE) > 32:
            _CACHE.clear()
        _CACHE[key] = out
    return out


def _model_of(m: Any) -> PopulationModel:
    if isinstance(m, PopulationModel):
        return m
    f = getattr(m, "population_model", None)
    if callable(f):
        return f()
    raise TypeError(
        "expected a PopulationModel or an object with a population_model() method, "
        f"got {type(m).__name__}"
    )


@dataclass(frozen=True)
class GridFixedPoints:
    """Fixed points at n parameter points, padded with NaN to the largest count K.

    Attributes
    ----------
    states : (n, K, P) array
    eigenvalues : (n, K, P) complex array (of A = diag(1/tau) dF/dr, by decreasing real part)
    stable : (n, K) bool array
    count : (n,) int array, fixed points found
    uncertain : (n,) bool array or None
        True where the count is not certain: the nullcline scan met a tangency (a double
        zero within round-off, i.e. the point lies on a saddle-node line) or a candidate it
        could not polish; None for the multi-start search, which certifies nothing.
    """

    states: np.ndarray
    eigenvalues: np.ndarray
    stable: np.ndarray
    count: np.ndarray
    uncertain: np.ndarray | None = None

    @property
    def n_stable(self) -> np.ndarray:
        """Stable fixed points per parameter point."""
        return self.stable.sum(axis=1)

    def regime(self) -> np.ndarray:
        """``"stable"`` (one stable fixed point), ``"bistable"`` (two or more),
        ``"oscillatory"`` (none stable, one an unstable focus or node with complex
        eigenvalues: a limit cycle surrounds it in a bounded model), ``"unstable"``
        (none stable, no complex pair) or ``"no fixed point"``.

        A stable fixed point may coexist with a limit cycle (after a subcritical Hopf);
        fixed points alone cannot see that, simulation can (``rnmf validate --suite stability``).
        """
        ns = self.n_stable
        has_complex = np.any(np.abs(self.eigenvalues.imag) > 1e-9, axis=2) & ~self.stable
        has_complex &= np.isfinite(self.states[..., 0])
        out = np.where(ns >= 2, "bistable", np.where(ns == 1, "stable", "unstable")).astype(object)
        out[(ns == 0) & np.any(has_complex, axis=1)] = "oscillatory"
        out[self.count == 0] = "no fixed point"
        return out.astype(str)


def _dedupe(r: np.ndarray, ok: np.ndarray, rtol: float = 1e-6) -> tuple[np.ndarray, np.ndarray]:
    """r (P, n, S), ok (n, S) -> unique states (n, K, P) NaN-padded, count (n,)."""
    P, n, S = r.shape
    x = np.moveaxis(r, 0, -1).copy()  # (n, S, P)
    x[~ok] = np.nan
    key = np.where(np.isfinite(x), np.round(x, 6), np.inf)
    order = (
        np.lexsort(tuple(key[..., k] for k in range(P - 1, -1, -1)), axis=-1)
        if P > 1
        else np.argsort(key[..., 0], axis=-1)
    )
    xs = np.take_along_axis(x, order[..., None], axis=1)
    diff = np.abs(np.diff(xs, axis=1))
    same = np.all(diff <= rtol * (1 + np.abs(xs[:, 1:])), axis=-1)
    first = np.concatenate([np.ones((n, 1), bool), ~same], axis=1) & np.isfinite(xs[..., 0])
    count = first.sum(axis=1)
    K = int(count.max()) if n else 0
    out = np.full((n, max(K, 1), P), np.nan)
    idx = np.cumsum(first, axis=1) - 1
    rows, cols = np.nonzero(first)
    out[rows, idx[rows, cols]] = xs[rows, cols]
    return out, count


def _scan_of(model: PopulationModel) -> NullclineScan | None:
    """The nullcline reduction of a model, built once (None where it is not exact)."""
    key = _key(model)
    if key is not None and key in _SCANS:
        return _SCANS[key]
    try:
        scan: NullclineScan | None = NullclineScan(model)
    except ValueError:
        scan = None
    if key is not None:
        if len(_SCANS) > 32:
            _SCANS.clear()
        _SCANS[key] = scan
    return scan


def solve_grid(
    model: PopulationModel,
    params: Mapping[str, Any] | None = None,
    *,
    n_starts: int = 8,
    box: tuple[Any, Any] | None = None,
    numeric: Numeric | None = None,
    n_passes: int = 200,
    method: str = "auto",
) -> GridFixedPoints:
    """Every fixed point at each of n parameter points (vectorised over points and starts).

    Parameters
    ----------
    model : PopulationModel
    params : mapping of parameter name -> (n,) array
        The values at the points (others: the model's values).
    n_starts : int
        Starts per point of the search (the same multi-scale Sobol set at every point).
    box : (lower, upper), optional
        Search box (see :func:`rnmf.theory.symbolic.fixed_points`); giving one selects
        the search.
    n_passes : int
        Continuation passes of the search: each point restarts from the fixed points of
        its neighbours in the chunk (grid order), until no point gains a fixed point.
    method : {"auto", "nullcline", "search"}
        ``"nullcline"``: the one-dimensional reduction of a smooth two-population model
        (:class:`~rnmf.theory.symbolic.nullcline.NullclineScan`: every sign change of the
        reduced function on a fine node set, plus a search between nodes for pairs of
        zeros; it finds every fixed point and flags the points where the count is
        uncertain, which are searched again by the multi-start route). ``"search"``:
        Levenberg–Marquardt from many starts, mesh cells where all nullclines cross, and
        continuation between neighbouring points (no certificate). ``"auto"``: the
        nullcline scan where it applies, else the search.

    In the search, half of the starts are first moved along the flow (which finds stable
    fixed points that Levenberg–Marquardt can miss near a saddle-node ghost).
    """
    model = _model_of(model)
    if method not in ("auto", "nullcline", "search"):
        raise ValueError(f"method must be 'auto', 'nullcline' or 'search', got {method!r}")
    num = numeric or _prepared(model)[0]
    arrays = {k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in (params or {}).items()}
    n = max((a.size for a in arrays.values()), default=1)
    scan = _scan_of(model) if method != "search" and box is None else None
    if method == "nullcline" and scan is None:
        raise ValueError(
            f"no exact nullcline reduction for {model.describe()} (it needs P = 2, a smooth "
            "right-hand side and an explicit solution of one equation); use method='search'"
        )
    uncertain = None
    if scan is not None:
        pv = num.params({k: np.broadcast_to(a, (n,)) for k, a in arrays.items()})
        r0, ok0, uncertain = scan.roots(pv, n)
        pc = [np.asarray(v)[:, None] if np.ndim(v) else v for v in pv]
        r, ok, _ = num.solve(np.nan_to_num(r0), pc, iters=30)
        ok &= ok0
        # a candidate that does not polish is a zero the scan could not resolve
        uncertain |= np.any(ok0 & ~ok, axis=1)
        states, count = _dedupe(r, ok)
        # a bounded model has at least one fixed point: none found is a failure of the scan
        uncertain |= count == 0
        redo = np.nonzero(uncertain)[0]
        if redo.size:
            sub = {k: np.broadcast_to(a, (n,))[redo] for k, a in arrays.items()}
            g = solve_grid(model, sub, n_starts=n_starts, numeric=num, method="search")
            allr = np.concatenate(
                [np.moveaxis(states[redo], -1, 0), np.moveaxis(g.states, -1, 0)], axis=-1
            )
            allok = np.concatenate(
                [np.isfinite(states[redo, :, 0]), np.isfinite(g.states[..., 0])], axis=-1
            )
            sub_states, sub_count = _dedupe(np.nan_to_num(allr), allok)
            K = max(states.shape[1], sub_states.shape[1])
            full = np.full((n, K, model.P), np.nan)
            full[:, : states.shape[1]] = states
            full[redo] = np.nan
            full[redo, : sub_states.shape[1]] = sub_states
            states = full
            count[redo] = sub_count
        return _finish(model, num, arrays, n, states, count, uncertain)
    p = num.params({k: np.broadcast_to(a, (n,))[:, None] for k, a in arrays.items()})
    if model.P <= 3:
        # mesh cells where all nullclines cross, plus a few Sobol starts
        ms = num.mesh_starts([v[:, 0] if np.ndim(v) else v for v in p], (n,), box)
        r0 = num.starts(min(n_starts, 4), box)
        r0 = np.concatenate([np.broadcast_to(r0[:, None, :], (model.P, n, r0.shape[1])), ms], -1)
        valid = np.all(np.isfinite(r0), axis=0)
        r, ok, _ = num.solve(np.nan_to_num(r0), p)
        ok &= valid
    else:
        r0 = num.starts(n_starts, box)  # (P, S)
        r0 = np.broadcast_to(r0[:, None, :], (model.P, n, r0.shape[1]))
        r, ok = num.search(r0, p, backward=True, steps=80, box=box)
    states, count = _dedupe(r, ok)
    # continuation between neighbouring points of the chunk (adjacent in the grid's C order):
    # each point also starts from the fixed points found at its neighbours
    for _ in range(n_passes):
        if n < 2:
            break
        K = states.shape[1]
        nbc = np.zeros(n, int)
        nbc[1:] = np.maximum(nbc[1:], count[:-1])
        nbc[:-1] = np.maximum(nbc[:-1], count[1:])
        todo = np.nonzero(nbc > count)[0]
        if todo.size == 0:
            break
        nb = np.full((todo.size, 2 * K, model.P), np.nan)
        left, right = todo - 1, todo + 1
        okl, okr = left >= 0, right < n
        nb[okl, :K] = states[left[okl]]
        nb[okr, K:] = states[right[okr]]
        have = np.isfinite(nb[..., 0])
        pt = [v[todo] if np.ndim(v) else v for v in p]
        r2, ok2, _ = num.solve(np.moveaxis(np.nan_to_num(nb), -1, 0), pt)
        ok2 &= have
        allr = np.concatenate([np.moveaxis(np.nan_to_num(states[todo]), -1, 0), r2], axis=-1)
        allok = np.concatenate([np.isfinite(states[todo, :, 0]), ok2], axis=-1)
        sub, subc = _dedupe(allr, allok)
        if np.array_equal(subc, count[todo]):
            break
        if sub.shape[1] > K:
            states = np.concatenate(
                [states, np.full((n, sub.shape[1] - K, model.P), np.nan)], axis=1
            )
        states[todo] = np.nan
        states[todo, : sub.shape[1]] = sub
        count[todo] = subc
    return _finish(model, num, arrays, n, states, count, None)


def _finish(model, num, arrays, n, states, count, uncertain) -> GridFixedPoints:
    """Eigenvalues and stability of the fixed points found."""
    pk = [np.broadcast_to(np.asarray(v), (n,))[:, None] if np.ndim(v) else v for v in
          num.params({k: np.broadcast_to(a, (n,)) for k, a in arrays.items()})]  # fmt: skip
    A = num.A(np.moveaxis(states, -1, 0), pk)  # (n, K, P, P)
    fin = np.all(np.isfinite(A), axis=(-2, -1))
    A = np.where(fin[..., None, None], A, 0.0)
    ev = np.linalg.eigvals(A)
    order = np.argsort(-ev.real, axis=-1)
    ev = np.take_along_axis(ev, order, axis=-1)
    ev[~fin] = np.nan
    stable = fin & np.all(ev.real < -1e-9, axis=-1)
    return GridFixedPoints(states, ev, stable, count, uncertain)


# ------------------------------------------------------------------ locating boundaries
class _Augmented:
    """F(r, p) = 0 and C(r, p) = 0 in the unknowns (r, p), lambdified with its Jacobian."""

    def __init__(self, model: PopulationModel, condition: Condition, parameter: str) -> None:
        if parameter not in model.params:
            raise ValueError(f"unknown parameter {parameter!r}; have {', '.join(model.params)}")
        self.model = model
        self.parameter = parameter
        self.k = list(model.params).index(parameter)
        psym = model.parameter_symbols[self.k]
        unknowns = [*model.states, psym]
        eqs = sp.Matrix([*model.rhs, condition.concrete()])
        J = eqs.jacobian(sp.Matrix(unknowns))
        args = [*model.states, *model.parameter_symbols]
        self._G = sp.lambdify(args, list(eqs), "numpy", cse=True)
        self._J = sp.lambdify(args, list(J), "numpy", cse=True)
        self.side = condition.side_function()
        self.names = list(model.params)

    def _args(self, z: np.ndarray, p: list[Any]) -> list[Any]:
        q = list(p)
        q[self.k] = z[-1]
        return [*z[:-1], *q]

    def solve(self, z0: np.ndarray, p: list[Any], iters: int = 80, tol: float = 1e-10):
        """Levenberg–Marquardt on the augmented system from the starts ``z0`` (P + 1, ...);
        only starts not yet converged are iterated (an active set), and a start whose
        residual has not halved in 10 iterations is given up."""
        z0 = np.asarray(z0, dtype=float)
        m, shape = z0.shape[0], z0.shape[1:]
        z = z0.reshape(m, -1).copy()
        pf = [
            np.broadcast_to(np.asarray(v, float), shape).reshape(-1) if np.ndim(v) else v for v in p
        ]
        eye = np.eye(m)

        def sub(rows: np.ndarray) -> list[Any]:
            return [v[rows] if np.ndim(v) else v for v in pf]

        def G(z: np.ndarray, pa: list[Any]) -> np.ndarray:
            with np.errstate(all="ignore"):
                return np.stack(np.broadcast_arrays(*self._G(*self._args(z, pa)), z[0]))[:m]

        g = G(z, pf)
        ng = np.sqrt(np.sum(g * g, axis=0))
        mu = np.full(z.shape[1], 1e-4)
        active = np.nonzero(ng > tol)[0]
        ref = ng.copy()
        for it in range(iters):
            if active.size == 0:
                break
            if it and it % 10 == 0:  # stagnation: |G| not halved in 10 iterations
                moving = ng[active] < 0.5 * ref[active]
                ref[active] = ng[active]
                active = active[moving]
                if active.size == 0:
                    break
            za, pa, ga = z[:, active], sub(active), g[:, active]
            with np.errstate(all="ignore"):
                J = np.stack(np.broadcast_arrays(*self._J(*self._args(za, pa)), za[0]))[: m * m]
            J = np.moveaxis(J, 0, -1).reshape(za.shape[1:] + (m, m))
            Jt = np.swapaxes(J, -1, -2)
            lhs = Jt @ J + mu[active][:, None, None] * eye
            rhs = (Jt @ ga.T[..., None])[..., 0]
            bad = ~np.all(np.isfinite(lhs), axis=(-2, -1)) | ~np.all(np.isfinite(rhs), axis=-1)
            lhs[bad] = eye
            rhs[bad] = 0.0
            step = np.linalg.solve(lhs, rhs[..., None])[..., 0].T
            size = np.sqrt(np.sum(step * step, axis=0))
            cap = 0.1 * (1.0 + np.sqrt(np.sum(za * za, axis=0)))
            zn = za - step * np.minimum(1.0, cap / np.maximum(size, 1e-300))
            gn = G(zn, pa)
            nn = np.sqrt(np.sum(gn * gn, axis=0))
            better = nn < ng[active]
            idx = active[better]
            z[:, idx], g[:, idx], ng[idx] = zn[:, better], gn[:, better], nn[better]
            mu[active] = np.where(better, mu[active] / 5, np.minimum(mu[active] * 4, 1e10))
            active = active[(ng[active] > tol) & (mu[active] < 1e9)]
        z = z.reshape((m,) + shape)
        ng = ng.reshape(shape)
        q = [np.broadcast_to(np.asarray(v, float), shape) if np.ndim(v) else v for v in pf]
        q = [v.reshape(shape) if np.ndim(v) else v for v in q]
        q[self.k] = z[-1]
        ok = (
            np.isfinite(ng)
            & (ng < 1e-8)
            & self.side(z[:-1], **dict(zip(self.names, q, strict=True)))
        )
        return z, ok


def locate(
    model: PopulationModel,
    condition: Condition | str,
    parameter: str,
    bracket: tuple[float, float],
    params: Mapping[str, Any] | None = None,
    *,
    n_scan: int = 41,
    n_starts: int = 8,
) -> np.ndarray:
    """Critical values of ``parameter`` in ``bracket`` where ``condition`` (``expr = 0`` and
    its side conditions) holds at a fixed point, for each of n points of the other parameters.

    Starts: every fixed point at ``n_scan`` values across the bracket; each start is polished
    on the augmented system F = 0, C = 0 (Kuznetsov 2004, ch. 10).

    Returns
    -------
    (n, k) array of the distinct critical values in increasing order, NaN-padded (k >= 1).
    """
    model = _model_of(model)
    if isinstance(condition, str):
        conds = _prepared(model)[1]
        if condition not in conds:
            raise ValueError(f"unknown condition {condition!r}; have {', '.join(conds)}")
        condition = conds[condition]
    if condition.relation != "= 0":
        raise ValueError(
            f"condition {condition.name!r} is a region ({condition.relation}), not a boundary"
        )
    lo, hi = float(min(bracket)), float(max(bracket))
    arrays = {k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in (params or {}).items()}
    if parameter in arrays:
        raise ValueError(f"{parameter!r} is the parameter solved for; do not give it in params")
    n = max((a.size for a in arrays.values()), default=1)
    scan = np.linspace(lo, hi, n_scan)
    grid = {k: np.repeat(np.broadcast_to(a, (n,)), n_scan) for k, a in arrays.items()}
    grid[parameter] = np.tile(scan, n)
    num = _prepared(model)[0]
    fp = solve_grid(model, grid, n_starts=n_starts, numeric=num)
    K = fp.states.shape[1]
    # starts: every fixed point at every scan value (Newton on the augmented system from
    # each; a pair of folds inside one scan interval is found from the branch next to it)
    z0 = np.concatenate(
        [
            np.moveaxis(fp.states, -1, 0),
            np.broadcast_to(grid[parameter][:, None], (n * n_scan, K))[None],
        ]
    ).reshape(model.P + 1, n, n_scan * K)
    # more starts: where the condition changes sign along a branch (fixed points matched to
    # their nearest neighbour at the next scan value), interpolated to the estimated zero
    st = fp.states.reshape(n, n_scan, K, model.P)
    cval = condition.function()(
        np.moveaxis(fp.states, -1, 0), **{k: v[:, None] for k, v in grid.items()}
    ).reshape(n, n_scan, K)
    dist = np.linalg.norm(st[:, :-1, :, None, :] - st[:, 1:, None, :, :], axis=-1)
    dist = np.where(np.isfinite(dist), dist, np.inf)
    nb = np.argmin(dist, axis=-1)  # (n, S-1, K)
    c1 = np.take_along_axis(cval[:, 1:], nb, axis=-1)
    s1 = np.take_along_axis(st[:, 1:], nb[..., None], axis=-2)
    c0 = cval[:, :-1]
    cross = np.isfinite(c0) & np.isfinite(c1) & (np.sign(c0) != np.sign(c1))
    wgt = np.where(cross, c0 / np.where(cross, c0 - c1, 1.0), 0.0)
    zs = st[:, :-1] + wgt[..., None] * (s1 - st[:, :-1])
    ps = scan[None, :-1, None] + wgt * (scan[1] - scan[0])
    zb = np.concatenate([np.moveaxis(zs, -1, 0), ps[None]]).reshape(model.P + 1, n, -1)
    zb = np.where(cross.reshape(1, n, -1), zb, np.nan)
    z0 = np.concatenate([z0, zb], axis=-1)
    aug = _Augmented(model, condition, parameter)
    p = num.params({k: np.broadcast_to(a, (n,))[:, None] for k, a in arrays.items()})
    rows, cols = np.nonzero(np.all(np.isfinite(z0), axis=0))  # only real starts
    z, ok = aug.solve(z0[:, rows, cols], [v[rows, 0] if np.ndim(v) else v for v in p])
    ok &= (z[-1] >= lo - 1e-9) & (z[-1] <= hi + 1e-9)
    crit = np.full(z0.shape[1:], np.nan)
    crit[rows, cols] = np.where(ok, z[-1], np.nan)
    crit.sort(axis=1)
    span = max(hi - lo, 1e-12)
    d = np.diff(crit, axis=1)
    keep = np.concatenate([np.isfinite(crit[:, :1]), ~(d <= 1e-7 * span)], axis=1) & np.isfinite(
        crit
    )
    kmax = max(int(keep.sum(axis=1).max()), 1)
    out = np.full((n, kmax), np.nan)
    for i in range(n):
        v = crit[i, keep[i]]
        out[i, : v.size] = v
    return out


# --------------------------------------------------------------------------- continuation
@dataclass(frozen=True, kw_only=True, repr=False)
class Continuation(Result):
    """Fixed-point branches along one parameter, with the bifurcation points on them.

    Attributes
    ----------
    parameter : str
    values : (n,) array
    states : (n, K, P) array (NaN-padded), eigenvalues (n, K, P), stable (n, K)
    bifurcations : tuple of (kind, parameter value, state)
    """

    parameter: str = ""
    values: np.ndarray = field(default_factory=lambda: np.zeros(0))
    states: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0)))
    eigenvalues: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0)))
    stable: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), bool))
    bifurcations: tuple[tuple[str, float, np.ndarray], ...] = ()

    def _repr_rows(self) -> list[tuple[str, str]]:
        rows = [("parameter", f"{self.parameter} in [{self.values[0]:g}, {self.values[-1]:g}]"),
                ("max fixed points", str(self.states.shape[1]))]  # fmt: skip
        for kind, v, st in self.bifurcations:
            rows.append(
                (kind, f"{self.parameter} = {v:.8g} at " + ", ".join(f"{x:.5g}" for x in st))
            )
        return rows


def continuation(
    model: PopulationModel, parameter: str, values: Any, *, n_starts: int = 8
) -> Continuation:
    """Every fixed point along ``values`` of ``parameter``, with the saddle-node and Hopf
    points in that range located on the augmented systems (:func:`locate`)."""
    model = _model_of(model)
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or values.size < 2 or not np.all(np.isfinite(values)):
        raise ValueError("values must be a finite 1-D array of at least two parameter values")
    fp = solve_grid(model, {parameter: values}, n_starts=n_starts)
    conds = conditions(model)
    bif = []
    num = Numeric(model)
    for name in ("saddle-node", "Hopf"):
        if name not in conds:
            continue
        crit = locate(model, conds[name], parameter, (values.min(), values.max()),
                      n_scan=min(values.size, 81), n_starts=n_starts)[0]  # fmt: skip
        for c in crit[np.isfinite(crit)]:
            # the state at the bifurcation: the fixed point closest to C = 0 there
            g = solve_grid(model, {parameter: np.array([c])}, n_starts=n_starts, numeric=num)
            f = conds[name].function()
            sts = g.states[0][np.isfinite(g.states[0, :, 0])]
            vals = np.abs(f(sts.T, **{parameter: c})) if sts.size else np.array([])
            st = sts[int(np.argmin(vals))] if vals.size else np.full(model.P, np.nan)
            bif.append((name, float(c), st))
    bif.sort(key=lambda b: b[1])
    return Continuation(
        model=model, method="multi-start + augmented systems", options={"n_starts": n_starts},
        converged=True, status=Status.CONVERGED, parameter=parameter, values=values,
        states=fp.states, eigenvalues=fp.eigenvalues, stable=fp.stable, bifurcations=tuple(bif),
    )  # fmt: skip


# ----------------------------------------------------------------- phase-sweep plug-ins
def phase_function(
    model: PopulationModel | None = None, *, n_starts: int = 8, conditions_at: tuple[str, ...] = ()
) -> Callable[[Any, Mapping[str, np.ndarray]], dict[str, np.ndarray]]:
    """A vectorised theory ``fn(m, params)`` for :func:`rnmf.phase.sweep`.

    ``m`` is the sweep's base model: a :class:`PopulationModel`, or a parameter dataclass
    with a ``population_model()`` method (its fields are the swept parameters); ``params``
    maps swept parameter names to arrays.  Returned fields: ``regime``,
    ``n_fixed_points``, ``n_stable``, the state of the lowest stable fixed point
    (``<state>``, NaN without one), ``leading_real`` (largest real part of the eigenvalues
    at the most stable fixed point), ``count_uncertain`` (1 where the count of fixed points
    is not certified: the nullcline scan met a tangency, or the model has no nullcline
    reduction and was searched from many starts) and, for each name in ``conditions_at``, the
    condition's value at that fixed point.
    """

    def fn(m: Any, params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        pm = model if model is not None else _model_of(m)
        arrays = {k: np.asarray(v, dtype=float) for k, v in params.items() if k in pm.params}
        fp = solve_grid(pm, arrays, n_starts=n_starts)
        n = fp.states.shape[0]
        lead = np.where(
            np.isfinite(fp.eigenvalues[..., 0].real), fp.eigenvalues[..., 0].real, np.inf
        )
        best = np.argmin(lead, axis=1)
        pick_st = fp.states[np.arange(n), best]
        stable_states = np.where(fp.stable[..., None], fp.states, np.nan)
        low = np.nanargmin(np.where(fp.stable, fp.states[..., 0], np.inf), axis=1)
        low_state = stable_states[np.arange(n), low]
        out: dict[str, np.ndarray] = {
            "regime": fp.regime(),
            "n_fixed_points": fp.count.astype(float),
            "n_stable": fp.n_stable.astype(float),
            "leading_real": np.where(np.isfinite(lead.min(axis=1)), lead.min(axis=1), np.nan),
            # 1 where the fixed-point count is not certified (tangency met, or no certificate)
            "count_uncertain": (np.ones(n) if fp.uncertain is None else fp.uncertain.astype(float)),
        }
        for k, name in enumerate(pm.state_names):
            out[name] = low_state[:, k]
        if conditions_at:
            conds = _prepared(pm)[1]
            for c in conditions_at:
                out[c] = conds[c].function()(pick_st.T, **{k: v for k, v in arrays.items()})
        return out

    fn.vectorized = True  # type: ignore[attr-defined]
    fn.min_chunk = 4096  # type: ignore[attr-defined]
    return fn


def boundary_function(
    condition: str,
    solve_for: str,
    bracket: tuple[float, float],
    *,
    branch: int = 0,
    model: PopulationModel | None = None,
    n_scan: int = 41,
) -> Callable[[Any, Mapping[str, np.ndarray]], np.ndarray]:
    """A vectorised boundary ``f(m, params) -> critical values`` for ``boundary_fns`` of
    :func:`rnmf.phase.sweep`: the ``branch``-th smallest value of ``solve_for`` in
    ``bracket`` where ``condition`` holds (NaN where there is none)."""

    def f(m: Any, params: Mapping[str, np.ndarray]) -> np.ndarray:
        pm = model if model is not None else _model_of(m)
        arrays = {k: np.asarray(v, dtype=float) for k, v in params.items() if k in pm.params}
        crit = locate(pm, condition, solve_for, bracket, arrays, n_scan=n_scan)
        n = max((a.size for a in arrays.values()), default=1)
        out = np.full(n, np.nan)
        if crit.shape[1] > branch:
            out[:] = crit[:, branch]
        return out

    f.vectorized = True  # type: ignore[attr-defined]
    return f
