r"""Every fixed point of a two-population model at many parameter points at once, by
reduction to one dimension along a nullcline.

For :math:`P = 2` with a smooth right-hand side, sympy solves one equation,
:math:`F_a(x, y; p) = 0`, for the other state, :math:`y = Y_j(x; p)` (for Wilson–Cowan the
E-nullcline :math:`r_I = [a_E(w_{EE} r_E + I_E - \theta_E) + \log((1 - r_E)/r_E)]/(a_E w_{EI})`).
The fixed points are then exactly the zeros of the one-dimensional function

.. math:: h_j(x; p) = F_b\bigl(x, Y_j(x; p); p\bigr),

and a zero of a continuous function of one variable can be bracketed by its sign changes.
:class:`NullclineScan` evaluates :math:`h_j` on a fine node set (Chebyshev-clustered at the
ends of the range of the transfer function, where the low-activity fixed points sit, and
geometric down to :math:`10^{-300}` of the range from each end) for
every parameter point at once, bisects every sign change, and -- the certificate -- looks
between nodes for pairs of zeros that a sign count cannot see: at every interior local
minimum of :math:`|h_j|` the minimum is found by golden-section search; a minimum of the
opposite sign gives two more brackets, and one within round-off of zero (a tangency: the
point sits on a saddle-node line) marks the count at that point as *uncertain*.

The reduction is used only when it is exact: no piecewise pieces (``Max``, ``Piecewise``,
``Abs``, ``Heaviside``: a threshold-linear nullcline is a region, not a curve, where a unit is
silent) and sympy returns the solution for :math:`y` explicitly.  Other models use the
multi-start search of :func:`rnmf.theory.symbolic.solve_grid` (``method="search"``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from rnmf.models.populations import PopulationModel

__all__ = ["NullclineScan"]

_NONSMOOTH = (sp.Piecewise, sp.Max, sp.Min, sp.Abs, sp.Heaviside, sp.sign)
_GOLD = 0.5 * (np.sqrt(5.0) - 1.0)


def _smooth(expr: Any) -> bool:
    return not any(expr.has(t) for t in _NONSMOOTH)


class NullclineScan:
    """The one-dimensional reduction of a smooth two-population model (see the module).

    Parameters
    ----------
    model : PopulationModel
        With P = 2.
    nodes : int
        Scan nodes per parameter point.

    Raises
    ------
    ValueError
        Where the reduction is not exact for this model (P != 2, a non-smooth right-hand
        side, or no explicit solution of either equation for the other state).
    """

    def __init__(self, model: PopulationModel, nodes: int = 384) -> None:
        if model.P != 2:
            raise ValueError(f"the nullcline reduction needs P = 2 populations, got P = {model.P}")
        if not all(_smooth(e) for e in model.rhs):
            raise ValueError("the nullcline reduction needs a smooth right-hand side")
        states, psyms = list(model.states), list(model.parameter_symbols)
        found = None
        for a in (0, 1):
            b = 1 - a
            try:
                sols = sp.solve(model.rhs[a], states[b], dict=False)
            except (NotImplementedError, ValueError, TypeError):
                continue
            sols = [s for s in sols if not s.has(states[b]) and s.is_real is not False]
            if sols and all(_smooth(s) for s in sols):
                found = (a, b, sols)
                break
        if found is None:
            raise ValueError("sympy gives no explicit nullcline of this model")
        a, b, sols = found
        self.model = model
        self.x_index, self.y_index = a, b  # x = states[a] is scanned, y = states[b] = Y(x)
        x = states[a]
        args = [x, *psyms]
        self._Y = [sp.lambdify(args, s, "numpy", cse=True) for s in sols]
        self._h = [
            sp.lambdify(args, model.rhs[b].subs(states[b], s), "numpy", cse=True) for s in sols
        ]
        # the range of G_x = F_x + x (tau x' = -x + G_x): every fixed point has x in it
        self._G = sp.lambdify([*states, *psyms], model.rhs[a] + x, "numpy", cse=True)
        self.nodes = int(nodes)
        t = (np.arange(self.nodes) + 0.5) / self.nodes
        cheb = 0.5 * (1.0 - np.cos(np.pi * t))  # Chebyshev-clustered in (0, 1)
        # and geometric towards both ends (a fixed point under strong inhibition sits
        # within exp(-a I) of the end of the range of a sigmoid)
        geo = 10.0 ** -np.linspace(6.0, 300.0, 50)
        self._u = np.unique(np.concatenate([geo, cheb, 1.0 - geo]))
        self.solutions = tuple(sols)

    # ---------------------------------------------------------------------------------
    def x_range(self, p: list[Any], n: int) -> tuple[np.ndarray, np.ndarray]:
        """Range of G_x at each of the n parameter points (sampled over a wide region)."""
        rng = np.random.default_rng(2024)
        smp = np.concatenate([rng.uniform(-S, S, size=(2, 48)) for S in (1.0, 10.0, 100.0, 1e4)], 1)
        pc = [np.asarray(v, float).reshape(-1, 1) if np.ndim(v) else v for v in p]
        with np.errstate(all="ignore"):
            G = np.broadcast_to(self._G(smp[0][None], smp[1][None], *pc), (n, smp.shape[1]))
        G = np.where(np.isfinite(G), G, np.nan)
        with np.errstate(all="ignore"):
            lo, hi = np.nanmin(G, axis=1), np.nanmax(G, axis=1)
        lo = np.clip(np.where(np.isfinite(lo), lo, -1e4), -1e4, 1e4)
        hi = np.clip(np.where(np.isfinite(hi), hi, 1e4), -1e4, 1e4)
        # no padding: the nodes approach the ends geometrically (to 1e-300 of the width), and
        # a fixed point x = G_x lies inside the range (padding would put the first nodes
        # outside the domain of the nullcline, e.g. log(r_E) at r_E < 0)
        return lo, np.maximum(hi, lo + 1e-12)

    def _hj(self, j: int, x: np.ndarray, pc: list[Any]) -> np.ndarray:
        with np.errstate(all="ignore"):
            out = self._h[j](x, *pc)
        return np.broadcast_to(out, x.shape).astype(float)

    def roots(
        self, p: list[Any], n: int, *, chunk: int = 2048
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Candidate fixed points at n parameter points.

        Parameters
        ----------
        p : list
            Parameter values in the model's order, scalars or (n,) arrays.

        Returns
        -------
        r : (2, n, S) array of candidate states (NaN where none; polish with Newton)
        ok : (n, S) bool
        uncertain : (n,) bool -- a tangency (double zero within round-off) was met
        """
        rs, oks, unc = [], [], np.zeros(n, bool)
        for s0 in range(0, n, chunk):
            s1 = min(n, s0 + chunk)
            pc = [np.asarray(v, float)[s0:s1] if np.ndim(v) else v for v in p]
            r, ok, u = self._roots_chunk(pc, s1 - s0)
            rs.append(r)
            oks.append(ok)
            unc[s0:s1] = u
        S = max(r.shape[-1] for r in rs)
        r = np.concatenate(
            [np.pad(x, ((0, 0), (0, 0), (0, S - x.shape[-1])), constant_values=np.nan) for x in rs],
            axis=1,
        )
        ok = np.concatenate([np.pad(o, ((0, 0), (0, S - o.shape[-1]))) for o in oks], axis=0)
        return r, ok, unc

    def _roots_chunk(self, p: list[Any], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        lo, hi = self.x_range(p, n)
        pc = [np.asarray(v, float).reshape(-1, 1) if np.ndim(v) else v for v in p]
        X = lo[:, None] + (hi - lo)[:, None] * self._u[None, :]  # (n, M)
        uncertain = np.zeros(n, bool)
        xs, pts = [], []
        for j in range(len(self._h)):
            H = self._hj(j, X, pc)
            s = np.where(np.isnan(H), np.nan, np.sign(H))
            # zeros at nodes, sign changes between nodes
            zi, zk = np.nonzero(s == 0)
            xs.append(X[zi, zk])
            pts.append(np.stack([zi, np.full(zi.size, j)]))
            bi, bk = np.nonzero(s[:, :-1] * s[:, 1:] < 0)
            a, b = X[bi, bk], X[bi, bk + 1]
            # between nodes: interior strict local minima of |h| with one sign around them
            A = np.abs(H)
            ext = (
                (s[:, :-2] == s[:, 1:-1])
                & (s[:, 2:] == s[:, 1:-1])
                & (s[:, 1:-1] != 0)
                & (A[:, 1:-1] < A[:, :-2])
                & (A[:, 1:-1] < A[:, 2:])
            )
            ei, ek = np.nonzero(ext)
            ek = ek + 1
            if ei.size:
                sg = s[ei, ek]
                xm, hm = self._golden(j, X[ei, ek - 1], X[ei, ek + 1], sg, p, ei)
                cross = sg * hm < 0
                tol = 1e-9 * (1.0 + np.abs(H[ei, ek - 1]) + np.abs(H[ei, ek + 1]))
                touch = ~cross & (np.abs(hm) <= tol)
                uncertain[ei[touch]] = True
                xs.append(xm[touch])
                pts.append(np.stack([ei[touch], np.full(int(touch.sum()), j)]))
                ci = ei[cross]
                a = np.concatenate([a, X[ci, ek[cross] - 1], xm[cross]])
                b = np.concatenate([b, xm[cross], X[ci, ek[cross] + 1]])
                bi = np.concatenate([bi, ci, ci])
            xb = self._bisect(j, a, b, p, bi)
            xs.append(xb)
            pts.append(np.stack([bi, np.full(bi.size, j)]))
        x = np.concatenate(xs)
        idx = np.concatenate(pts, axis=1)
        # y on the nullcline branch of each zero
        y = np.full(x.size, np.nan)
        for j in range(len(self._Y)):
            sel = idx[1] == j
            if np.any(sel):
                pj = [np.asarray(v, float)[idx[0, sel]] if np.ndim(v) else v for v in p]
                with np.errstate(all="ignore"):
                    y[sel] = np.broadcast_to(self._Y[j](x[sel], *pj), (int(sel.sum()),))
        # scatter into (n, S)
        order = np.argsort(idx[0], kind="stable")
        pt = idx[0, order]
        counts = np.bincount(pt, minlength=n)
        S = max(int(counts.max()) if counts.size else 0, 1)
        slot = np.arange(pt.size) - np.repeat(np.cumsum(counts) - counts, counts)
        r = np.full((2, n, S), np.nan)
        r[self.x_index, pt, slot] = x[order]
        r[self.y_index, pt, slot] = y[order]
        ok = np.isfinite(r[0]) & np.isfinite(r[1])
        return r, ok, uncertain

    def _sub(self, p: list[Any], rows: np.ndarray) -> list[Any]:
        return [np.asarray(v, float)[rows] if np.ndim(v) else v for v in p]

    def _golden(self, j, a, b, sg, p, rows, iters: int = 48):
        """Minimum of sg*h over [a, b] (golden section), vectorised."""
        pr = self._sub(p, rows)
        c = b - _GOLD * (b - a)
        d = a + _GOLD * (b - a)
        fc = sg * self._hj(j, c, pr)
        fd = sg * self._hj(j, d, pr)
        for _ in range(iters):
            left = ~(fc > fd)  # keep [a, d]
            b = np.where(left, d, b)
            a = np.where(left, a, c)
            nc = np.where(left, b - _GOLD * (b - a), d)
            nd = np.where(left, c, a + _GOLD * (b - a))
            fnew = sg * self._hj(j, np.where(left, nc, nd), pr)
            fd, fc = np.where(left, fc, fnew), np.where(left, fnew, fd)
            c, d = nc, nd
        xm = np.where(fc < fd, c, d)
        return xm, sg * np.minimum(fc, fd)

    def _bisect(self, j, a, b, p, rows, iters: int = 60):
        pr = self._sub(p, rows)
        fa = np.sign(self._hj(j, a, pr))
        for _ in range(iters):
            m = 0.5 * (a + b)
            fm = np.sign(self._hj(j, m, pr))
            same = fm == fa
            a = np.where(same, m, a)
            b = np.where(same, b, m)
            if np.all(b - a <= 1e-15 * (1.0 + np.abs(a))):
                break
        return 0.5 * (a + b)
