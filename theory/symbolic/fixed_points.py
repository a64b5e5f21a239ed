r"""Fixed points of a :class:`~rnmf.models.populations.PopulationModel`, each with its stability.

Two routes:

* closed form (:func:`closed_form`): where sympy solves :math:`F(r; p) = 0` symbolically --
  polynomial right-hand sides of low degree, and piecewise-linear ones (threshold-linear
  units), solved region by region (each pattern of active/inactive units is a linear
  system; a solution counts where its pattern's inequalities hold);
* numeric (:func:`fixed_points`): Levenberg–Marquardt from many starts (a multi-scale Sobol
  set in a box estimated from the range of the transfer functions), vectorised over starts
  and over parameter points, then de-duplicated.  Several solutions are the rule
  (bistable Wilson–Cowan), so all that are found are returned, each with the eigenvalues of
  :math:`A = \mathrm{diag}(1/\tau)\,\partial F/\partial r` and a stability label.

Parameter continuation (tracking every branch along one parameter, with the folds and Hopf
points on it) is :func:`rnmf.theory.symbolic.grid.continuation`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp
from scipy.stats import qmc

from rnmf.models.populations import PopulationModel
from rnmf.results import Result, Status, finish

__all__ = ["ClosedFormSolution", "FixedPoint", "FixedPoints", "closed_form", "fixed_points"]

_MAX_PIECES = 6  # 2**6 activation patterns at most


def _check(model: Any) -> PopulationModel:
    if not isinstance(model, PopulationModel):
        raise TypeError(
            f"expected a PopulationModel (rnmf.models.populations), got {type(model).__name__}"
        )
    return model


# ------------------------------------------------------------------------ numeric engine
class Numeric:
    """Lambdified F, its Jacobian and the time constants of a model (built once, reused)."""

    def __init__(self, model: PopulationModel) -> None:
        self.model = _check(model)
        states, psyms = list(model.states), list(model.parameter_symbols)
        F = sp.Matrix(model.rhs)
        Jm = F.jacobian(sp.Matrix(states))
        args = [*states, *psyms]
        self._F = sp.lambdify(args, list(F), "numpy", cse=True)
        self._J = sp.lambdify(args, list(Jm), "numpy", cse=True)
        self._tau = sp.lambdify(psyms, list(model.taus), "numpy")
        self.names = list(model.params)
        self.P = model.P

    def params(self, overrides: Mapping[str, Any] | None) -> list[Any]:
        vals = dict(self.model.params)
        for k, v in (overrides or {}).items():
            if k not in vals:
                raise ValueError(
                    f"unknown parameter {k!r}; the model's parameters are {', '.join(self.names)}"
                )
            vals[k] = np.asarray(v, dtype=float)
        return [vals[n] for n in self.names]

    def F(self, r: np.ndarray, p: list[Any]) -> np.ndarray:
        with np.errstate(all="ignore"):
            out = self._F(*r, *p)
        return np.stack(np.broadcast_arrays(*out, r[0]))[: self.P]

    def J(self, r: np.ndarray, p: list[Any]) -> np.ndarray:
        """Shape (..., P, P) of dF/dr (not divided by tau)."""
        with np.errstate(all="ignore"):
            out = self._J(*r, *p)
        arr = np.stack(np.broadcast_arrays(*out, r[0]))[: self.P * self.P]
        return np.moveaxis(arr, 0, -1).reshape(arr.shape[1:] + (self.P, self.P))

    def A(self, r: np.ndarray, p: list[Any]) -> np.ndarray:
        """The linearisation diag(1/tau) dF/dr, shape (..., P, P)."""
        J = self.J(r, p)
        tau = np.stack(np.broadcast_arrays(*self._tau(*p), r[0]))[: self.P]
        return J / np.moveaxis(tau, 0, -1)[..., :, None]

    def solve(
        self, r0: np.ndarray, p: list[Any], *, iters: int = 100, tol: float = 1e-11
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Levenberg–Marquardt from ``r0`` (shape (P, ...)); returns (r, converged, |F|).

        Parameters broadcast against ``r0[0]``; only points not yet converged are
        iterated (an active set), and the P x P systems are solved by Cramer's rule for
        P <= 2.
        """
        r0 = np.asarray(r0, dtype=float)
        shape = r0.shape[1:]
        r = r0.reshape(self.P, -1).copy()
        M = r.shape[1]
        pf = [
            np.broadcast_to(np.asarray(v, float), shape).reshape(-1) if np.ndim(v) else v for v in p
        ]
        f = self.F(r, pf)
        nf = np.sqrt(np.sum(f * f, axis=0))
        mu = np.full(M, 1e-3)
        active = np.nonzero(np.isfinite(nf) & (nf > tol * (1.0 + np.sqrt(np.sum(r * r, axis=0)))))[
            0
        ]
        ref = nf.copy()
        for it in range(iters):
            if active.size == 0:
                break
            if it and it % 8 == 0:  # stagnation: |F| not halved in 8 iterations -> give up
                moving = nf[active] < 0.5 * ref[active]
                ref[active] = nf[active]
                active = active[moving]
                if active.size == 0:
                    break
            ra, fa = r[:, active], f[:, active]
            pa = [v[active] if np.ndim(v) else v for v in pf]
            J = self.J(ra, pa)  # (m, P, P)
            Jt = np.swapaxes(J, -1, -2)
            JtJ = Jt @ J
            g = (Jt @ fa.T[..., None])[..., 0]
            d = np.trace(JtJ, axis1=-2, axis2=-1) / self.P + 1e-12
            lhs = JtJ + (mu[active] * d)[:, None, None] * np.eye(self.P)
            step = -_lin_solve(lhs, g)
            rn = ra + step.T
            fn_ = self.F(rn, pa)
            nn = np.sqrt(np.sum(fn_ * fn_, axis=0))
            better = nn < nf[active]
            idx = active[better]
            r[:, idx], f[:, idx], nf[idx] = rn[:, better], fn_[:, better], nn[better]
            mu[active] = np.where(better, mu[active] / 5.0, np.minimum(mu[active] * 4.0, 1e12))
            scale = 1.0 + np.sqrt(np.sum(r[:, active] ** 2, axis=0))
            keep = np.isfinite(nf[active]) & (nf[active] > tol * scale) & (mu[active] < 1e6)
            active = active[keep]
        scale = 1.0 + np.sqrt(np.sum(r * r, axis=0))
        ok = np.isfinite(nf) & (nf <= 1e3 * tol * scale)
        return r.reshape((self.P,) + shape), ok.reshape(shape), nf.reshape(shape)

    def flow(self, r0: np.ndarray, p: list[Any], sign: float, steps: int = 150) -> np.ndarray:
        """Euler steps along +F (finds stable fixed points) or -F (finds fully unstable ones,
        e.g. the focus inside a limit cycle), with the step length capped at 0.1."""
        r = np.array(r0, dtype=float)
        tau = np.stack(np.broadcast_arrays(*self._tau(*p), r[0]))[: self.P]
        for _ in range(steps):
            v = sign * self.F(r, p) / tau
            n = np.sqrt(np.sum(v * v, axis=0))
            r = r + 0.1 * v / np.maximum(1.0, n)
            r = np.where(np.isfinite(r), r, 0.0)
        return r

    def search(
        self,
        r0: np.ndarray,
        p: list[Any],
        *,
        backward: bool = True,
        steps: int = 150,
        box: tuple[Any, Any] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Levenberg–Marquardt from the starts ``r0`` (P, ..., S) and from the end points of
        forward and backward flows of half of them (LM alone stalls at local minima of
        |F|, e.g. near a saddle-node ghost), and, for P <= 3, from the mesh cells where all
        nullclines cross (:meth:`mesh_starts`).  Returns (r, converged)."""
        half = r0[..., ::2]
        pf = [v[..., :1] if np.ndim(v) else v for v in p]
        extra = [self.flow(half, pf, 1.0, steps)]
        if backward:
            extra.append(self.flow(half, pf, -1.0, steps))
        if self.P <= 3:
            ms = self.mesh_starts([v[..., 0] if np.ndim(v) else v for v in pf], r0.shape[1:-1], box)
            extra.append(ms)
        allr = np.concatenate([np.broadcast_to(r0, r0.shape), *extra], axis=-1)
        valid = np.all(np.isfinite(allr), axis=0)
        r, ok, _ = self.solve(np.nan_to_num(allr), pf)
        return r, ok & valid

    def mesh_starts(
        self,
        p: list[Any],
        shape: tuple[int, ...],
        box: tuple[Any, Any] | None = None,
        *,
        n: int | None = None,
        max_candidates: int = 6,
    ) -> np.ndarray:
        """Starts where every component of F changes sign inside a mesh cell (P <= 3).

        The box is cut into ``n**P`` cells (n = 24 for P = 2, 10 for P = 3); a cell whose corners
        see both signs of every F_k brackets a crossing of all nullclines.  Returns the centres of
        up to ``max_candidates`` such cells per parameter point, shape (P, *shape, C), NaN-padded.
        """
        P = self.P
        n = n or {1: 64, 2: 24, 3: 10}.get(P, 0)
        lo, hi = (
            self.box() if box is None else (np.asarray(box[0], float), np.asarray(box[1], float))
        )
        axes = [np.linspace(lo[k], hi[k], n + 1) for k in range(P)]
        nodes = np.stack(np.meshgrid(*axes, indexing="ij")).reshape(P, -1)  # (P, (n+1)^P)
        pts = int(np.prod(shape)) if shape else 1
        pf = [
            np.broadcast_to(np.asarray(v, float), shape).reshape(-1, 1) if np.ndim(v) else v
            for v in p
        ]
        F = self.F(np.broadcast_to(nodes[:, None, :], (P, pts, nodes.shape[1])), pf)
        F = F.reshape((P, pts) + (n + 1,) * P)
        sgn = np.sign(F)
        ok = np.ones((pts,) + (n,) * P, bool)
        score = np.zeros((pts,) + (n,) * P)
        for k in range(P):
            lo_k = np.full((pts,) + (n,) * P, np.inf)
            hi_k = np.full((pts,) + (n,) * P, -np.inf)
            for corner in np.ndindex(*(2,) * P):
                sl = (k, slice(None)) + tuple(slice(c, c + n) for c in corner)
                lo_k = np.minimum(lo_k, sgn[sl])
                hi_k = np.maximum(hi_k, sgn[sl])
                score = score + np.abs(F[sl])
            ok &= (lo_k <= 0) & (hi_k >= 0)
        score = np.where(ok, score, np.inf).reshape(pts, -1)
        C = min(max_candidates, score.shape[1])
        idx = np.argsort(score, axis=1)[:, :C]
        good = np.isfinite(np.take_along_axis(score, idx, axis=1))
        centres = np.stack(np.unravel_index(idx, (n,) * P))  # (P, pts, C)
        step = (hi - lo) / n
        out = lo[:, None, None] + (centres + 0.5) * step[:, None, None]
        out = np.where(good[None], out, np.nan)
        return out.reshape((P,) + tuple(shape) + (C,))

    def box(self) -> tuple[np.ndarray, np.ndarray]:
        """A box that holds the fixed points when tau dr = -r + G(r): the range of G."""
        rng = np.random.default_rng(12345)
        p = self.params(None)
        lo, hi = np.full(self.P, np.inf), np.full(self.P, -np.inf)
        for S in (1.0, 10.0, 100.0):
            r = rng.uniform(-S, S, size=(self.P, 512))
            G = self.F(r, p) + r
            G = np.where(np.isfinite(G), G, np.nan)
            with np.errstate(all="ignore"):
                lo = np.fmin(lo, np.nanmin(G, axis=1))
                hi = np.fmax(hi, np.nanmax(G, axis=1))
        lo = np.where(np.isfinite(lo), lo, -1.0)
        hi = np.where(np.isfinite(hi), hi, 1.0)
        pad = 0.05 * np.maximum(hi - lo, 1e-3)
        lo, hi = np.clip(lo - pad, -1e4, 1e4), np.clip(hi + pad, -1e4, 1e4)
        return lo, hi

    def starts(self, n: int, box: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """Multi-scale Sobol starts (shape (P, n)) inside the box."""
        lo, hi = (
            self.box() if box is None else (np.asarray(box[0], float), np.asarray(box[1], float))
        )
        m = int(np.ceil(np.log2(max(n, 2))))
        u = qmc.Sobol(self.P, scramble=True, seed=7).random_base2(m)[:n]
        width = hi - lo
        out = [lo + u[: n // 2] * width]
        # a finer set near the origin for models with small fixed points in a large box
        m = n - n // 2
        small = np.minimum(np.maximum(np.abs(lo), np.abs(hi)), 1.0)
        out.append(-small + u[n // 2 : n // 2 + m] * 2 * small)
        return np.concatenate(out, axis=0).T


def _lin_solve(M: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve M x = b for stacks (..., P, P), (..., P); Cramer's rule for P <= 2."""
    P = M.shape[-1]
    with np.errstate(all="ignore"):
        if P == 1:
            return b / M[..., 0]
        if P == 2:
            a, c, e, d = M[..., 0, 0], M[..., 0, 1], M[..., 1, 0], M[..., 1, 1]
            det = a * d - c * e
            return np.stack(
                [(d * b[..., 0] - c * b[..., 1]) / det, (a * b[..., 1] - e * b[..., 0]) / det], -1
            )
    return np.linalg.solve(M, b[..., None])[..., 0]


def unique_columns(r: np.ndarray, ok: np.ndarray, rtol: float = 1e-6) -> np.ndarray:
    """Distinct converged solutions among the columns of ``r`` (P, n) -> (P, k)."""
    cols = r[:, ok]
    keep: list[np.ndarray] = []
    for c in cols.T:
        if not any(np.all(np.abs(c - k) <= rtol * (1 + np.abs(k))) for k in keep):
            keep.append(c)
    keep.sort(key=lambda c: tuple(c))
    return np.array(keep).T.reshape(r.shape[0], len(keep))


def classify(ev: np.ndarray, tol: float = 1e-9) -> tuple[bool, str]:
    """Stability and a label from the eigenvalues of A."""
    re = ev.real
    complex_pair = np.any(np.abs(ev.imag) > tol)
    if np.all(re < -tol):
        return True, "stable focus" if complex_pair else "stable node"
    if np.all(re > tol):
        return False, "unstable focus" if complex_pair else "unstable node"
    if np.any(np.abs(re) <= tol):
        return False, "non-hyperbolic"
    return False, "saddle"


# ------------------------------------------------------------------------------ results
@dataclass(frozen=True)
class FixedPoint:
    """One fixed point: state, eigenvalues of A, stability."""

    state: np.ndarray
    eigenvalues: np.ndarray
    stable: bool
    kind: str
    residual: float
    names: tuple[str, ...] = ()

    def __repr__(self) -> str:
        st = ", ".join(f"{n}={v:.6g}" for n, v in zip(self.names, self.state, strict=False))
        ev = ", ".join(f"{complex(e):.4g}" for e in self.eigenvalues)
        return f"FixedPoint({st}; {self.kind}; eigenvalues [{ev}])"


@dataclass(frozen=True, kw_only=True, repr=False)
class FixedPoints(Result):
    """Every fixed point found, each with its stability (``points``, ordered by state)."""

    points: tuple[FixedPoint, ...] = ()
    params: Mapping[str, float] = field(default_factory=dict)

    @property
    def stable(self) -> tuple[FixedPoint, ...]:
        """The stable fixed points."""
        return tuple(p for p in self.points if p.stable)

    @property
    def states(self) -> np.ndarray:
        """Array (n_points, P) of the states."""
        P = self.model.P if self.model is not None else 0
        return np.array([p.state for p in self.points]).reshape(len(self.points), P)

    def _repr_rows(self) -> list[tuple[str, str]]:
        rows = [("method", self.method), ("status", str(self.status)), ("n", str(len(self.points)))]
        rows += [(f"#{i}", repr(p)) for i, p in enumerate(self.points)]
        return rows


# --------------------------------------------------------------------------- closed form
@dataclass(frozen=True)
class ClosedFormSolution:
    """A symbolic fixed point valid where all ``conditions`` hold (a region of a piecewise model)."""

    state: dict[Any, Any]
    conditions: tuple[Any, ...] = ()

    def evaluate(self, model: PopulationModel, values: Mapping[str, float] | None = None):
        """(state array, valid) at the model's parameter values (or ``values``)."""
        vals = {**model.params, **(values or {})}
        sub = {s: vals[str(s)] for s in model.parameter_symbols}
        try:
            x = np.array([complex(self.state[s].subs(sub)) for s in model.states])
        except (TypeError, ZeroDivisionError):
            return None, False
        if not np.all(np.isfinite(x)) or np.any(np.abs(x.imag) > 1e-9 * (1 + np.abs(x.real))):
            return None, False
        x = x.real
        sub_all = {**sub, **dict(zip(model.states, x, strict=True))}
        ok = True
        for c in self.conditions:
            lhs = float((c.lhs - c.rhs).subs(sub_all))
            if isinstance(c, sp.StrictGreaterThan | sp.GreaterThan):
                ok &= lhs > -1e-12
            else:
                ok &= lhs < 1e-12
        return x, bool(ok)


def _pieces(expr: Any) -> list[Any]:
    return sorted(expr.atoms(sp.Piecewise), key=sp.default_sort_key)


def closed_form(model: PopulationModel) -> tuple[ClosedFormSolution, ...] | None:
    """Symbolic fixed points, or None where sympy cannot give them in closed form.

    Piecewise-linear models (threshold-linear units) are solved for each activation
    pattern; rational right-hand sides of total degree <= 2 with sympy's ``solve``.
    Transcendental models (sigmoid, tanh) return None: use :func:`fixed_points`.
    """
    model = _check(model)
    states = list(model.states)
    eqs = list(model.rhs)
    pw = sorted(set().union(*(_pieces(e) for e in eqs)), key=sp.default_sort_key)
    if len(pw) > _MAX_PIECES:
        return None
    for p in pw:
        if len(p.args) != 2 or p.args[1].cond != sp.true:
            return None
    out = []
    for choice in itertools.product((0, 1), repeat=len(pw)):
        rep, conds = {}, []
        for p, c in zip(pw, choice, strict=True):
            (e1, c1), (e2, _) = p.args
            rep[p] = e1 if c else e2
            conds.append(c1 if c else c1.negated)
        system = [e.xreplace(rep) for e in eqs]
        if not all(e.is_polynomial(*states) for e in system):
            if pw:
                return None
            try:
                system = [sp.together(e) for e in system]
                if not all(sp.fraction(e)[0].is_polynomial(*states) for e in system):
                    return None
                system = [sp.fraction(e)[0] for e in system]
            except (sp.PolynomialError, TypeError):
                return None
        deg = sum(sp.Poly(e, *states).total_degree() for e in system)
        if deg > 2 * len(states) or max(sp.Poly(e, *states).total_degree() for e in system) > 2:
            return None
        try:
            sols = sp.solve(system, states, dict=True)
        except (NotImplementedError, sp.PolynomialError):
            return None
        for s in sols:
            if set(s) != set(states):
                continue  # a continuum of solutions (degenerate parameters): skip
            out.append(ClosedFormSolution({k: sp.simplify(v) for k, v in s.items()}, tuple(
                c.subs(s) for c in conds)))  # fmt: skip
    return tuple(out)


# ------------------------------------------------------------------------- entry point
def fixed_points(
    model: PopulationModel,
    *,
    n_starts: int = 64,
    box: tuple[Any, Any] | None = None,
    method: str = "auto",
    raise_on_failure: bool = True,
    **params: float,
) -> FixedPoints:
    """Every fixed point of a population model, each with its eigenvalues and stability.

    Parameters
    ----------
    model : PopulationModel
    n_starts : int
        Starting points of the numeric search (multi-scale Sobol set in ``box``).
    box : (lower, upper), optional
        Bounds of the search (arrays of length P); default: the range of the transfer
        functions over a wide region (see :meth:`Numeric.box`).
    method : {"auto", "closed form", "numeric"}
        ``"auto"`` uses the closed form where :func:`closed_form` gives one.
    raise_on_failure : bool
        With no fixed point found, raise :class:`rnmf.results.ConvergenceError`.
    **params
        Parameter values that replace the model's.

    Returns
    -------
    FixedPoints
    """
    model = _check(model)
    if method not in ("auto", "closed form", "numeric"):
        raise ValueError(f"method must be 'auto', 'closed form' or 'numeric', got {method!r}")
    if not (isinstance(n_starts, int) and n_starts >= 1):
        raise ValueError(f"n_starts must be a positive integer, got {n_starts!r}")
    if params:
        model = model.with_params(**params)
    num = Numeric(model)
    p = num.params(None)
    cols = None
    used = "numeric (Levenberg-Marquardt, multi-start)"
    if method in ("auto", "closed form"):
        cf = closed_form(model)
        if cf is None and method == "closed form":
            raise ValueError(
                f"sympy gives no closed form for {model.describe()}; use method='numeric'"
            )
        if cf is not None:
            found = [x for x, ok in (s.evaluate(model) for s in cf) if ok]
            r = np.array(found, dtype=float).T.reshape(model.P, len(found))
            cols = unique_columns(r, np.ones(r.shape[1], bool), rtol=1e-9)
            used = "closed form"
    if cols is None:
        r, ok = num.search(num.starts(n_starts, box), p, box=box)
        cols = unique_columns(r, ok)
    pts = []
    worst = 0.0
    for c in cols.T:
        A = num.A(c[:, None], p)[0]
        ev = np.linalg.eigvals(A)
        ev = ev[np.lexsort((ev.imag, -ev.real))]
        stable, kind = classify(ev)
        res = float(np.max(np.abs(num.F(c[:, None], p))))
        worst = max(worst, res)
        pts.append(FixedPoint(c.copy(), ev, stable, kind, res, model.state_names))
    converged = bool(pts)
    result = FixedPoints(
        model=model,
        method=used,
        options={"n_starts": n_starts, "box": box},
        converged=converged,
        status=Status.CONVERGED if converged else Status.NO_SOLUTION,
        n_iter=n_starts,
        residual=worst,
        points=tuple(pts),
        params=dict(model.params),
    )
    if not converged and raise_on_failure:
        from rnmf.results import ConvergenceError

        raise ConvergenceError(
            f"no fixed point of {model.describe()} found from {n_starts} starts in the box "
            f"{box if box is not None else num.box()}; widen box= or raise n_starts "
            "(the model may have no fixed point: a runaway or a limit cycle only)",
            result,
        )
    return finish(result, raise_on_failure)
