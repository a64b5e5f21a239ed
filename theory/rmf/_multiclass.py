"""Complete search of multi-class components for :func:`rnmf.theory.rmf.solve`: the nested
scan along a nullcline of an E-I component and the branch and bound over boxes of class
rates with monotone enclosures of F (module docstring of :mod:`.solve`, step 2)."""

from __future__ import annotations

import numpy as np

from ._map import _Map, _newton


def _eliminable(m: _Map, comp: np.ndarray) -> int | None:
    """A class of the two-class component whose rate map does not increase with its own
    rate (no excitatory input from its own class), or None."""
    for c in comp:
        u = m.red.units[int(c)]
        if not np.any((u.C[:, int(c)] > 0) & (u.w > 0)):
            return int(c)
    return None


def _illinois(f, lo: float, hi: float, flo: float, fhi: float, rtol: float) -> float:
    """Root of ``f`` in a bracket (regula falsi, Illinois variant)."""
    side = 0
    x = lo
    for _ in range(60):
        x = (lo * fhi - hi * flo) / (fhi - flo) if fhi != flo else 0.5 * (lo + hi)
        fx = f(x)
        if fx == 0.0 or abs(hi - lo) <= rtol * max(abs(x), 1e-12):
            break
        if np.sign(fx) == np.sign(fhi):
            hi, fhi = x, fx
            if side == -1:
                flo *= 0.5
            side = -1
        else:
            lo, flo = x, fx
            if side == 1:
                fhi *= 0.5
            side = 1
    return x


def _nested_roots(m: _Map, comp: np.ndarray, e: int, beta: np.ndarray, B: float, n_scan: int):
    r"""All roots of a two-class component by elimination of class ``e``.

    Class ``e`` receives no excitatory input from itself, so ``F_e`` does not increase
    with ``beta_e`` (transfer functions are monotone in each input stream, see
    :class:`_Boxes`) and ``beta_e - F_e(beta_a, beta_e)`` is strictly increasing: for each
    ``beta_a`` it has exactly one root ``y(beta_a)`` in ``[0, F_e(beta_a, 0)]``.  The
    component's solutions are then exactly the roots of the scalar
    ``g(x) = F_a(x, y(x)) - x`` on ``[0, B]``, found by the same sign-change scan as a
    one-class component (complete up to roots that touch without crossing or lie closer
    than the scan spacing).  This is the reduction of an E-I network to its excitatory
    rate along the inhibitory nullcline (e.g. Wilson & Cowan 1972, Biophys. J. 12:1,
    phase-plane analysis).
    """
    a = int(comp[0]) if int(comp[0]) != e else int(comp[1])
    b = beta.copy()

    def y_of(x: float) -> float:
        b[a] = x
        b[e] = 0.0
        top = m.unit(e, b, fast=True).beta
        if top <= 0.0:
            return 0.0

        def h(yv: float) -> float:
            b[e] = yv
            return m.unit(e, b, fast=True).beta - yv

        htop = h(top)
        if htop >= 0.0:
            return top
        return _illinois(h, 0.0, top, top, htop, 1e-6)

    def g(x: float) -> float:
        yv = y_of(x)
        b[a], b[e] = x, yv
        return m.unit(a, b, fast=True).beta - x

    xs = np.unique(np.concatenate([[0.0], np.linspace(0, B, n_scan // 2 + 1)[1:],
                                   B * np.logspace(-6, 0, n_scan // 2)]))  # fmt: skip
    gs = np.array([g(x) for x in xs])
    roots = []
    near = 0
    if gs[0] == 0.0:
        roots.append(0.0)
    for k in range(xs.size - 1):
        if gs[k] * gs[k + 1] < 0:
            roots.append(_illinois(g, xs[k], xs[k + 1], gs[k], gs[k + 1], 1e-6))
        elif (
            0 < k
            and np.sign(gs[k - 1]) == np.sign(gs[k]) == np.sign(gs[k + 1]) != 0
            and abs(gs[k]) < min(abs(gs[k - 1]), abs(gs[k + 1]))
            and abs(gs[k]) < 0.02 * float(np.max(np.abs(gs)))
        ):
            near += 1
    out = []
    for x in roots:
        v = beta.copy()
        v[a], v[e] = x, y_of(x)
        out.append(v[comp])
    note = (f"class {e} eliminated along its nullcline, scan of class {a} on [0, {B:.4g}]"
            + (f"; |g| has {near} non-crossing local minima (tangency?)" if near else ""))  # fmt: skip
    return out, bool(gs[-1] > 0), note


class _Boxes:
    """Branch and bound over boxes of class rates with monotone enclosures of ``F``.

    Each transfer function is non-decreasing in the rate of an excitatory input stream
    (jump ``w > 0``) and non-increasing in that of an inhibitory one (``w < 0``): for the
    renewal route this follows from the survival function (its exponent grows with
    ``lam`` when ``w > 0``, RMF notes Sec. 3), for the density route it is the stochastic
    ordering of the state under more upward (downward) jumps, checked at every solution
    (:func:`solve` reports a violation).  Over a box ``lo <= beta <= hi`` the stream rates
    ``lam = C beta + ext`` lie between ``C lo + ext`` and ``C hi + ext`` (``C >= 0``), so

        F_c(lam_min) <= F_c(beta) <= F_c(lam_max),

    with ``lam_min`` taking the low end for excitatory and the high end for inhibitory
    streams (a corner of the stream-rate box, not necessarily of the rate box).  A box
    where ``F_c(lam_min) - hi_c > margin`` or ``F_c(lam_max) - lo_c < -margin`` for some
    class c holds no solution of ``beta = F(beta)`` (an interval-arithmetic exclusion
    test, e.g. Moore, Kearfott & Cloud 2009, "Introduction to Interval Analysis", SIAM,
    Ch. 8 on root exclusion; the margin is three times the transfer function's error
    estimate).  Boxes that survive are bisected until they are small; the survivors form
    clusters, each of which must hold a Newton root.
    """

    def __init__(self, m: _Map, comp: np.ndarray, beta: np.ndarray, B: float,
                 rel: float, max_evals: int) -> None:  # fmt: skip
        self.m, self.comp, self.beta = m, comp, beta
        self.B, self.rel, self.max_evals = B, rel, max_evals
        self.floor = 1e-7 * B
        self.n0 = m.n_eval

    def _enclosure(self, a: int, lo: np.ndarray, hi: np.ndarray) -> tuple[float, float, float]:
        c = int(self.comp[a])
        u = self.m.red.units[c]
        blo, bhi = self.beta.copy(), self.beta.copy()
        blo[self.comp], bhi[self.comp] = lo, hi
        l_lo = np.maximum(u.C @ blo + u.ext, 0.0)
        l_hi = np.maximum(u.C @ bhi + u.ext, 0.0)
        up = u.w > 0
        # snapped outward to a geometric lattice of stream rates: still bounds (F is
        # monotone in each stream), and boxes share the evaluations
        lo_l = np.where(up, self._snap(l_lo, -1), self._snap(l_hi, 1))
        hi_l = np.where(up, self._snap(l_hi, 1), self._snap(l_lo, -1))
        f_min = self.m.at(c, lo_l, fast=True)
        f_max = self.m.at(c, hi_l, fast=True)
        margin = 3.0 * max(f_min.error, f_max.error) + 1e-12 * max(1.0, f_max.beta)
        return f_min.beta, f_max.beta, margin

    def _snap(self, lam: np.ndarray, direction: int) -> np.ndarray:
        """Round ``lam`` down (-1) or up (+1) to ``{0} U {l0 q^k}``, q = 1 + rel / 4."""
        l0, lq = 1e-9 * max(self.B, 1.0), np.log1p(self.rel / 4.0)
        with np.errstate(divide="ignore"):
            k = np.log(np.maximum(lam, 1e-300) / l0) / lq
        k = np.floor(k + 1e-9) if direction < 0 else np.ceil(k - 1e-9)
        out = l0 * np.exp(k * lq)
        if direction < 0:
            out = np.where(lam < l0, 0.0, np.minimum(out, lam))
        else:
            out = np.where(lam <= 0.0, 0.0, np.maximum(out, lam))
        return out

    def excluded(self, lo: np.ndarray, hi: np.ndarray) -> bool:
        for a in range(self.comp.size):
            fmin, fmax, margin = self._enclosure(a, lo, hi)
            if fmin - hi[a] > margin or fmax - lo[a] < -margin:
                return True
        return False

    def _widths(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Relative width of each side (0 for a side below the floor)."""
        hi_f = np.maximum(hi, self.floor)
        w = np.where(lo > 0, np.log(hi_f / np.maximum(lo, 1e-300)), np.log(hi_f / self.floor))
        return np.where(hi <= self.floor, 0.0, w)

    def small(self, lo: np.ndarray, hi: np.ndarray) -> bool:
        return bool(np.all(self._widths(lo, hi) <= np.log1p(self.rel)))

    def split(self, lo: np.ndarray, hi: np.ndarray) -> tuple:
        """Bisect the widest side (relative width), geometrically where it spans a decade
        or more (rates of different states differ by orders of magnitude)."""
        ratio = np.where(lo > 0, hi / np.maximum(lo, 1e-300), np.inf)
        a = int(np.argmax(self._widths(lo, hi)))
        if lo[a] == 0.0:
            mid = hi[a] / 8.0
        elif ratio[a] > 10.0:
            mid = float(np.sqrt(lo[a] * hi[a]))
        else:
            mid = 0.5 * (lo[a] + hi[a])
        h1, l2 = hi.copy(), lo.copy()
        h1[a] = mid
        l2[a] = mid
        return (lo, h1), (l2, hi)

    def run(self) -> tuple[list, bool, str]:
        """Surviving small boxes as clusters ``[(lo, hi), ...]``; False if out of budget."""
        p = self.comp.size
        stack = [(np.zeros(p), np.full(p, self.B))]
        left: list[tuple[np.ndarray, np.ndarray]] = []
        ok = True
        while stack:
            if self.m.n_eval - self.n0 > self.max_evals:
                ok = False
                left.extend(stack)
                break
            lo, hi = stack.pop()
            if self.excluded(lo, hi):
                continue
            if self.small(lo, hi):
                left.append((lo, hi))
            else:
                stack.extend(self.split(lo, hi))
        # clusters of touching boxes (union-find)
        n = len(left)
        parent = list(range(n))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for x in range(n):
            for y in range(x + 1, n):
                (l1, h1), (l2, h2) = left[x], left[y]
                if np.all(l1 <= h2 * (1 + 1e-12)) and np.all(l2 <= h1 * (1 + 1e-12)):
                    parent[find(x)] = find(y)
        groups: dict[int, list] = {}
        for x in range(n):
            groups.setdefault(find(x), []).append(left[x])
        note = f"{n} box(es) in {len(groups)} cluster(s) left by the monotone exclusion"
        return list(groups.values()), ok, note


def _box_roots(m: _Map, comp: np.ndarray, beta: np.ndarray, B: float, max_evals: int):
    """All roots of the component ``comp`` in ``[0, B]^p`` (others fixed in ``beta``).

    Returns ``(roots, complete, note)``: ``complete`` is True when the exclusion covered
    the whole box except clusters that each yielded a Newton root inside them.
    """
    bx = _Boxes(m, comp, beta, B, rel=0.05, max_evals=max_evals)
    clusters, ok, note = bx.run()
    roots: list[np.ndarray] = []
    unresolved = 0
    for boxes in clusters:
        lo = np.min([b[0] for b in boxes], axis=0)
        hi = np.max([b[1] for b in boxes], axis=0)
        pad = hi - lo
        found = False
        starts = [0.5 * (b[0] + b[1]) for b in boxes]
        starts = [0.5 * (lo + hi)] + starts[:: max(1, len(starts) // 8)]
        for s0 in starts:
            b = beta.copy()
            b[comp] = s0
            x, conv, _, _, _ = _newton(m, comp, b, 1e-6, tol_map="fast")
            if conv and np.all(x >= lo - pad - 1e-12) and np.all(x <= hi + pad + 1e-12):
                if not any(np.allclose(x, y, rtol=1e-4, atol=1e-9 * B) for y in roots):
                    roots.append(x)
                found = True
                break
        unresolved += not found
    complete = ok and unresolved == 0
    if not ok:
        note += f"; evaluation budget ({max_evals}) exhausted before the exclusion finished"
    if unresolved:
        note += f"; {unresolved} cluster(s) without a Newton root (tangency or close roots?)"
    return roots, complete, note
