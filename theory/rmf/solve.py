r"""All stationary rates of an intensity network in the RMF (or MF) limit.

The stationary rates solve ``beta = F(beta)`` where ``F_i`` is the transfer function of
neuron i fed with independent Poisson trains at the presynaptic rates (Baccelli &
Taillefumier 2019, SIAM J. Appl. Dyn. Syst. 18:1756, Sec. 4, eq. (4.2); Yu & Taillefumier
2022, PLoS Comput. Biol. 18:e1010215, eq. 5 for excitation and inhibition).  RMF
networks can be multistable, so :func:`solve` looks for every solution:

1. neurons are grouped into classes with identical transfer functions (colour
   refinement, :mod:`._inputs`); solutions constant on classes live in P dimensions
   (``symmetric=False`` searches the full N-dimensional space instead);
2. the class graph is split into strongly connected components and solved upstream
   first; a one-class component is scanned on ``[0, beta_max]`` (sign changes of
   ``F(x) - x`` on a grid, each bracket refined by safeguarded Newton) -- complete up to
   roots that touch without crossing or lie closer than the scan spacing, which the
   result reports; a two-class component in which one class has no excitatory input
   from itself (E-I) is reduced to a scan along that class's nullcline
   (:func:`_nested_roots`, same guarantee); other components of up to four classes go
   to a branch and bound over boxes of rates with monotone enclosures of F
   (:class:`_Boxes`, complete when it finishes within its evaluation budget); larger
   ones use Newton from a grid of starts (not complete).  ``complete`` refers to the
   solutions constant on classes (neurons of a class share their rate);
3. every solution is polished by Newton on ``beta - F(beta)`` in the reduced space and
   gets the Jacobian ``dF_i/dbeta_j`` of the full network.

``beta_max`` defaults, for a linear intensity with reset, to the a priori bound of
:meth:`rnmf.models.IntensityNetwork.rate_bound` (no solution lies above it, so the scan
is exhaustive); otherwise to a heuristic that the result states.

What the Jacobian's eigenvalues say: all ``Re(lambda) < 1`` means the fixed point is
linearly stable for the rate dynamics ``d beta/dt = -beta + F(beta)`` (and spectral radius
< 1 means the iteration ``beta <- F(beta)`` converges locally).  That is a necessary
condition for the stationary state of the replica network to attract nearby states, not a
sufficient one: the RMF dynamics is infinite-dimensional (whole densities relax), and a
real eigenvalue > 1 marks a saddle of the rate dynamics, which the simulations of the
validation suite do not reach.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse.csgraph import connected_components

from rnmf._checks import check_choice, check_finite, check_int
from rnmf.models import IntensityNetwork
from rnmf.results import Result, Status, finish

from ._inputs import Reduced, reduce
from .transfer import LIMITS, METHODS, intensity_functions, neuron_rate

__all__ = ["RMFResult", "RMFSolution", "solve"]


@dataclass(frozen=True, repr=False)
class RMFSolution:
    """One stationary state.

    Attributes
    ----------
    rates : array (N,)
        Rate of every neuron (per unit time).
    error : array (N,)
        Error estimate of each rate: five times the transfer functions' error estimate
        plus the Newton residual, propagated through ``|(I - J)^{-1}|``.
    jacobian : array (N, N)
        ``dF_i / dbeta_j`` at the solution.
    eigenvalues : array
        Eigenvalues of ``jacobian`` (of the class Jacobian when N > 2000).
    stable : bool
        All eigenvalues have real part < 1 (see the module notes for what that implies).
    residual : float
        ``max |beta - F(beta)|``.
    """

    rates: np.ndarray
    error: np.ndarray
    jacobian: np.ndarray
    eigenvalues: np.ndarray
    stable: bool
    residual: float
    class_rates: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def __repr__(self) -> str:
        lead = float(np.max(self.eigenvalues.real)) if self.eigenvalues.size else float("nan")
        r = self.rates
        rates = "[" + ", ".join(f"{x:.8g}" for x in r[:4]) + (", ...]" if r.size > 4 else "]")
        return (
            f"RMFSolution(rates={rates}, max Re eig={lead:.4g}, "
            f"{'stable' if self.stable else 'unstable'} (rate dynamics), "
            f"error<={float(np.max(self.error, initial=0.0)):.2g})"
        )


@dataclass(frozen=True, kw_only=True, repr=False)
class RMFResult(Result):
    """Stationary states of an :class:`~rnmf.models.IntensityNetwork`.

    Attributes
    ----------
    limit : str
        ``"rmf"`` or ``"mf"``.
    solutions : tuple of RMFSolution
        Every solution found, ordered by mean rate.
    rates : array (N,)
        Rates of the first (lowest) solution.
    n_solutions, n_stable : int
        How many were found, how many are stable in the sense of :class:`RMFSolution`.
    classes : array (N,)
        Class of each neuron (neurons of a class share their transfer function).
    beta_max : float
        Upper end of the searched rate range.
    complete : bool
        True when the search for class-constant solutions is exhaustive on
        ``[0, beta_max]`` per class up to tangential roots (every component scanned,
        reduced along a nullcline or cleared by the box search; for a linear intensity
        with reset ``beta_max`` is an a priori bound).  False with the reason in
        ``search`` otherwise.
    search : str
        How the solutions were searched.
    """

    limit: str = "rmf"
    solutions: tuple = ()
    rates: np.ndarray = field(default_factory=lambda: np.zeros(0))
    n_solutions: int = 0
    n_stable: int = 0
    classes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    beta_max: float = np.inf
    complete: bool = False
    search: str = ""

    @property
    def stable_solutions(self) -> tuple:
        """The solutions with all Jacobian eigenvalues of real part < 1."""
        return tuple(s for s in self.solutions if s.stable)

    def _repr_rows(self) -> list[tuple[str, str]]:
        rows = [
            ("limit", self.limit),
            ("method", self.method),
            ("converged", str(self.converged)),
            ("status", str(self.status)),
            ("n_solutions", str(self.n_solutions)),
            ("n_stable", str(self.n_stable)),
            ("complete", str(self.complete)),
            ("search", self.search),
        ]
        for k, s in enumerate(self.solutions):
            rows.append((f"solution {k}", repr(s)))
        return rows


class _Map:
    """Evaluate the class transfer functions (and stream gradients) with a cache."""

    def __init__(self, red: Reduced, limit: str, method: str, tol: float) -> None:
        self.red = red
        self.limit, self.method, self.tol = limit, method, tol
        self.phi, self.dphi = intensity_functions(red.net)
        self.kind = red.net.phi_kind
        self.n_eval = 0
        self.methods: set[str] = set()
        self._cache: dict = {}

    def unit(self, c: int, beta: np.ndarray, tol: float | None = None, fast: bool = False):
        u = self.red.units[c]
        return self.at(c, np.maximum(u.lam(beta), 0.0), tol, fast)

    def at(self, c: int, lam: np.ndarray, tol: float | None = None, fast: bool = False):
        """Transfer function of class ``c`` at input-stream rates ``lam`` (cached)."""
        u = self.red.units[c]
        tol = self.tol if tol is None else tol
        key = (c, lam.tobytes(), tol, fast)
        if key in self._cache:
            return self._cache[key]
        self.n_eval += 1
        nr = neuron_rate(
            u.b, u.tau, u.r, lam, u.w, self.phi, kind=self.kind, reset=self.red.net.reset,
            limit=self.limit, method=self.method, tol=tol, dphi=self.dphi, fast=fast,
        )  # fmt: skip
        self.methods.add(nr.method)
        if len(self._cache) > 65536:
            self._cache.clear()
        self._cache[key] = nr
        return nr

    def block(self, comp: np.ndarray, beta: np.ndarray, tol: float | None = None):
        F = np.zeros(comp.size)
        J = np.zeros((comp.size, comp.size))
        E = np.zeros(comp.size)
        for a, c in enumerate(comp):
            fast = isinstance(tol, str)
            nr = self.unit(int(c), beta, None if fast else tol, fast=fast)
            F[a] = nr.beta
            J[a] = (nr.grad @ self.red.units[c].C)[comp] if nr.grad.size else 0.0
            E[a] = nr.error
        return F, J, E


def _newton(m: _Map, comp, beta, tol, *, max_iter=60, tol_map=None):
    """Newton on x - F(x) for the classes ``comp`` (others fixed); returns (x, ok, res, err)."""
    b = beta.copy()
    x = b[comp].copy()
    for _ in range(max_iter):
        b[comp] = x
        F, J, E = m.block(comp, b, tol_map)
        g = x - F
        res = float(np.max(np.abs(g)))
        if res <= 2.0 * float(np.max(E, initial=0.0)) + tol * max(1.0, float(np.max(x))):
            return x, True, res, E, J
        A = np.eye(comp.size) - J
        try:
            dx = np.linalg.solve(A, g)
        except np.linalg.LinAlgError:
            dx = g
        step = 1.0
        for _ls in range(30):
            xn = np.maximum(x - step * dx, 0.0)
            b[comp] = xn
            Fn, _, _ = m.block(comp, b, tol_map)
            if float(np.max(np.abs(xn - Fn))) < (1.0 - 1e-4 * step) * res or step < 1e-6:
                break
            step *= 0.5
        x = xn
    b[comp] = x
    F, J, E = m.block(comp, b, tol_map)
    res = float(np.max(np.abs(x - F)))
    return x, False, res, E, J


def _scan(m: _Map, c: int, beta: np.ndarray, B: float, n_scan: int, tol: float):
    """Roots of F_c(x) - x on [0, B] for one self-coupled class (others fixed)."""
    xs = np.unique(np.concatenate([[0.0], np.linspace(0, B, n_scan // 2 + 1)[1:],
                                   B * np.logspace(-6, 0, n_scan // 2)]))  # fmt: skip
    b = beta.copy()
    g = np.empty(xs.size)
    for k, x in enumerate(xs):
        b[c] = x
        g[k] = m.unit(c, b, fast=True).beta - x
    roots = []
    if g[0] == 0.0:
        roots.append(0.0)
    sign = np.sign(g)
    near = []
    for k in range(xs.size - 1):
        if sign[k] * sign[k + 1] < 0:
            roots.append(_bracket_newton(m, c, b, xs[k], xs[k + 1], g[k], g[k + 1], tol))
        elif (
            0 < k < xs.size - 1
            and sign[k - 1] == sign[k] == sign[k + 1] != 0
            and abs(g[k]) < min(abs(g[k - 1]), abs(g[k + 1]))
            and abs(g[k]) < 0.02 * float(np.max(np.abs(g)))
        ):
            near.append(xs[k])  # |g| dips towards 0 without crossing: possible tangency
    return roots, near, g[-1] > 0


def _bracket_newton(m: _Map, c, b, lo, hi, glo, ghi, tol):
    """Root of F_c(x) - x in [lo, hi]: Illinois on the fast map, then safeguarded
    Newton (bisection fallback) on the accurate one."""
    a, fa, z, fz = lo, glo, hi, ghi
    side = 0
    for _ in range(40):  # Illinois (regula falsi) on the scan's map
        x = (a * fz - z * fa) / (fz - fa)
        b[c] = x
        fx = m.unit(c, b, fast=True).beta - x
        if abs(z - a) <= 1e-4 * max(abs(x), 1e-12) or fx == 0.0:
            break
        if np.sign(fx) == np.sign(fz):
            z, fz = x, fx
            if side == -1:
                fa *= 0.5
            side = -1
        else:
            a, fa = x, fx
            if side == 1:
                fz *= 0.5
            side = 1
    x = (a * fz - z * fa) / (fz - fa) if fz != fa else 0.5 * (a + z)
    for _ in range(100):
        b[c] = x
        nr = m.unit(c, b)
        g = nr.beta - x
        if abs(g) <= 10.0 * nr.error + 1e-13 * max(1.0, x):
            return x
        if np.sign(g) == np.sign(glo):
            lo, glo = x, g
        else:
            hi, ghi = x, g
        dg = float(nr.grad @ m.red.units[c].C[:, c]) - 1.0 if nr.grad.size else -1.0
        xn = x - g / dg if dg != 0 else 0.5 * (lo + hi)
        if not lo < xn < hi or hi - lo < 1e-15 * max(1.0, hi):
            xn = 0.5 * (lo + hi)
        if abs(xn - x) <= 1e-14 * max(1.0, x):
            return xn
        x = xn
    return x


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


def _propagated(P: int, Jc: np.ndarray, E: np.ndarray, res: float) -> np.ndarray:
    """Error of the class rates: map error and Newton residual through ``|(I - J)^-1|``.

    The density route's error is a Richardson difference, an estimate, not a bound: it
    was seen 3.5x below the true error on random networks
    (tests/theory/test_rmf_reference.py), hence the factor 5.
    """
    try:
        return np.abs(np.linalg.inv(np.eye(P) - Jc)) @ (5.0 * E + res)
    except np.linalg.LinAlgError:
        return np.full(P, np.inf)


def _full_jacobian(red: Reduced, m: _Map, beta_c: np.ndarray) -> np.ndarray:
    net = red.net
    N = net.N
    J = np.zeros((N, N))
    for c, u in enumerate(red.units):
        nr = m.unit(c, beta_c)
        members = np.flatnonzero(red.labels == c)
        for k, wk in enumerate(u.w):
            if nr.grad.size:
                mask = net.W[:, members] == wk  # (N, n_members): j -> i with weight w_k
                J[members, :] += nr.grad[k] * mask.T
    return J


def _default_bmax(net: IntensityNetwork, m: _Map, red: Reduced) -> tuple[float, str]:
    if net.phi == "linear" and net.reset:
        return net.rate_bound(), "a priori bound from E[X^2] >= E[X]^2"
    F0 = np.array([m.unit(c, np.zeros(red.P), 1e-4).beta for c in range(red.P)])
    B = max(10.0, 50.0 * float(np.max(F0)))
    return B, f"heuristic 50 max F(0) (>= 10) = {B:.4g}; pass beta_max to search further"


def solve(
    net: IntensityNetwork,
    *,
    limit: str = "rmf",
    method: str = "auto",
    tol: float | None = None,
    beta_max: float | None = None,
    symmetric: bool = True,
    n_scan: int = 48,
    n_starts: int = 9,
    multiclass: str = "auto",
    max_evals: int = 600,
    raise_on_failure: bool = True,
) -> RMFResult:
    """All stationary rates of ``net`` in the replica-mean-field or mean-field limit.

    Parameters
    ----------
    net : IntensityNetwork
        The network (``W[j, i]`` = jump of i at a spike of j).
    limit : {"rmf", "mf"}
        Replica mean field (Poisson inputs) or classical mean field (mean drift).
    method : {"auto", "renewal", "density"}
        Transfer-function route: ``"auto"`` uses the renewal integral for a linear
        intensity with reset, the density solver otherwise; ``"density"`` forces it.
    tol : float, optional
        Tolerance on ``|beta - F(beta)|`` (relative) and on the density solver's error.
        Default 1e-9 for the renewal, closed-form and mean-field routes and 1e-7 for
        the density route (its grid refinement reaches about 1e-7 to 1e-8 in seconds;
        a smaller tolerance may not be reachable, which is then reported as
        ``Status.TOLERANCE`` / ConvergenceError, never returned as converged).
    beta_max : float, optional
        Upper end of the rate range searched (see the module notes for the default).
    symmetric : bool
        Search solutions constant on classes of equivalent neurons (default) or the
        full N-dimensional space (multistart Newton).
    n_scan : int
        Grid points of the one-dimensional scans.
    n_starts : int
        Starting points per component of dimension >= 2 searched by Newton from
        starts (``multiclass="starts"``).
    multiclass : {"auto", "nested", "boxes", "starts"}
        Search of a component of several classes.  ``"nested"`` (two classes, one of
        which has no excitatory input from its own class, e.g. E-I): that class's rate
        is eliminated (unique for each rate of the other) and the other's scanned like a
        one-class component -- complete on ``[0, beta_max]`` up to tangential or
        closer-than-scan-spacing roots (:func:`_nested_roots`).  ``"boxes"``: branch and
        bound on ``[0, beta_max]^p`` with monotone enclosures (:class:`_Boxes`), complete
        when it finishes within ``max_evals`` and every surviving box cluster yields a
        root (expensive where the nullclines run close).  ``"starts"``: Newton from a
        grid of starts (never complete).  ``"auto"``: nested where it applies, else
        boxes up to 4 classes, else starts.
    max_evals : int
        Budget of transfer-function evaluations of one box search; when it runs out
        the result is ``complete=False`` with the reason in ``search``.
    raise_on_failure : bool
        Raise :class:`rnmf.results.ConvergenceError` when no solution is found or a rate
        misses the tolerance.

    Returns
    -------
    RMFResult
    """
    if not isinstance(net, IntensityNetwork):
        raise ValueError(f"solve needs an IntensityNetwork, got {type(net).__name__}")
    limit = check_choice("limit", limit, LIMITS)
    method = check_choice("method", method, METHODS)
    multiclass = check_choice("multiclass", multiclass, ("auto", "nested", "boxes", "starts"))
    if tol is None:  # what each route reaches: see the tol parameter
        linear = isinstance(net.phi, str) and net.phi == "linear"
        density = (
            limit == "rmf"
            and not (linear and not net.reset)
            and (method == "density" or not linear)
        )
        tol = 1e-7 if density else 1e-9
    tol = check_finite("tol", tol)
    if not 1e-14 <= tol < 1:
        raise ValueError(f"tol must lie in [1e-14, 1), got {tol!r}")
    if beta_max is not None:
        beta_max = check_finite("beta_max", beta_max)
        if not 1e-12 <= beta_max <= 1e12:
            raise ValueError(
                f"beta_max must lie in [1e-12, 1e12] (rates per unit time), got {beta_max!r}"
            )
    if not isinstance(symmetric, bool | np.bool_):
        raise ValueError(f"symmetric must be True or False, got {symmetric!r}")
    n_scan = check_int("n_scan", n_scan, minimum=4, maximum=100_000)
    n_starts = check_int("n_starts", n_starts, minimum=1, maximum=100_000)
    max_evals = check_int("max_evals", max_evals, minimum=1, maximum=10**8)
    red = reduce(net, symmetric=symmetric)
    m = _Map(red, limit, method, tol)
    boxed = mono_bad = False
    if beta_max is None:
        B, how_B = _default_bmax(net, m, red)
    else:
        B, how_B = float(beta_max), "given"
    G = red.graph()
    n_comp, lab = connected_components(G, directed=True, connection="strong")
    # topological order of the condensation (sources first)
    order, done = [], set()
    deps = {k: set(lab[np.flatnonzero(G[lab == k].any(axis=0))]) - {k} for k in range(n_comp)}
    while len(order) < n_comp:
        for k in range(n_comp):
            if k not in done and deps[k] <= done:
                order.append(k)
                done.add(k)
    partial = [np.zeros(red.P)]
    complete = True
    notes: list[str] = []
    overflow = False
    for k in order:
        comp = np.flatnonzero(lab == k)
        new = []
        for beta in partial:
            if comp.size == 1 and not G[comp[0], comp[0]]:
                b = beta.copy()
                b[comp[0]] = m.unit(int(comp[0]), b).beta
                new.append(b)
            elif comp.size == 1:
                roots, near, above = _scan(m, int(comp[0]), beta, B, n_scan, tol)
                overflow |= bool(above)
                if near:
                    notes.append(f"|F-x| has {len(near)} non-crossing local minima (tangency?)")
                for x in roots:
                    b = beta.copy()
                    b[comp[0]] = x
                    new.append(b)
            elif (
                multiclass in ("auto", "nested")
                and comp.size == 2
                and (e := _eliminable(m, comp)) is not None
            ):
                boxed = True
                roots, above, note = _nested_roots(m, comp, e, beta, B, n_scan)
                overflow |= above
                notes.append(f"component of 2 classes: {note}")
                for x in roots:
                    b = beta.copy()
                    b[comp] = x
                    new.append(b)
            elif multiclass == "boxes" or (multiclass == "auto" and comp.size <= 4):
                boxed = True
                roots, ok, note = _box_roots(m, comp, beta, B, max_evals)
                complete &= ok
                notes.append(f"component of {comp.size} classes: {note}")
                for x in roots:
                    b = beta.copy()
                    b[comp] = x
                    new.append(b)
            else:
                complete = False
                n_per = max(2, int(round(n_starts ** (1.0 / comp.size))))
                if n_per**comp.size <= 2 * n_starts:
                    axes = [np.linspace(0.05, 0.95, n_per) * B] * comp.size
                    starts = np.stack(np.meshgrid(*axes, indexing="ij"), -1)
                    starts = starts.reshape(-1, comp.size)
                else:  # reproducible random starts (seeded: results do not vary by call)
                    gen = np.random.default_rng(12345)
                    starts = gen.uniform(0.02, 0.98, (n_starts, comp.size)) * B
                # the upstream-consistent diagonal start: iterate F once from 0
                starts = np.vstack([starts, m.block(comp, beta, "fast")[0][None, :]])
                for s in starts:
                    b = beta.copy()
                    b[comp] = s
                    x, ok, _, _, _ = _newton(m, comp, b, 1e-3, tol_map="fast")
                    if ok:
                        b[comp] = x
                        new.append(b)
        partial = new
    # polish, dedupe, Jacobians
    sols: list[RMFSolution] = []
    allc = np.arange(red.P)
    seen: list[np.ndarray] = []
    worst = 0.0
    for beta in partial:
        x, ok, res, E, Jc = _newton(m, allc, beta, tol)
        if any(np.allclose(x, s, rtol=1e-6, atol=1e-9) for s in seen):
            continue
        seen.append(x)
        if boxed and not mono_bad:
            for c in range(red.P):
                nr = m.unit(c, x)
                w = red.units[c].w
                if nr.grad.size and np.any(nr.grad * np.sign(w) < -1e-6 * np.abs(nr.grad).max()):
                    mono_bad = True
        errc = _propagated(red.P, Jc, E, res)
        if ok and float(np.max(errc / np.maximum(x, 1e-300))) > 10 * tol and tol > 1e-12:
            # amplified by (I - J)^-1 (near a fold or at a saddle): polish once more with
            # the transfer functions ten times tighter
            m_fine = _Map(red, limit, method, tol / 10.0)
            x2, ok2, res2, E2, J2 = _newton(m_fine, allc, x, tol / 10.0)
            if ok2:
                x, res, E, Jc = x2, res2, E2, J2
                errc = _propagated(red.P, Jc, E, res)
                m.methods |= m_fine.methods
                m.n_eval += m_fine.n_eval
        worst = max(worst, float(np.max(errc / np.maximum(x, 1e-300), initial=0.0)) if ok else 1.0)
        Jf = _full_jacobian(red, m, x) if net.N <= 2000 else Jc
        eig = np.linalg.eigvals(Jf) if Jf.size else np.zeros(0)
        stable = bool(np.all(eig.real < 1.0))
        sols.append(RMFSolution(red.expand(x), red.expand(errc), Jf, eig, stable, res, x))
    sols.sort(key=lambda s: float(np.mean(s.rates)))
    if mono_bad:
        notes.append(
            "a transfer function decreases with an excitatory input (or increases "
            "with an inhibitory one): the box exclusion is not certified"
        )
        complete = False
    if overflow:
        notes.append(f"F(beta_max) > beta_max: a solution above beta_max = {B:.4g} may exist")
        complete = False
    if net.phi != "linear" or not net.reset:
        if beta_max is None and not (net.phi == "linear" and not net.reset):
            complete = False
    search = f"{red.P} class(es), {n_comp} component(s); scan [0, {B:.4g}] ({how_B}); " + (
        "; ".join(notes) if notes else "no warnings"
    )
    if not sols:
        status, converged = Status.NO_SOLUTION, False
    elif worst > max(tol, 1e-12) * 10:
        status, converged = Status.TOLERANCE, False
    else:
        status, converged = Status.CONVERGED, True
    result = RMFResult(
        model=net,
        method="+".join(sorted(m.methods)) or "none",
        options={"limit": limit, "method": method, "tol": tol, "beta_max": B,
                 "symmetric": symmetric, "n_scan": n_scan, "n_starts": n_starts,
                 "multiclass": multiclass, "max_evals": max_evals},
        converged=converged,
        status=status,
        n_iter=m.n_eval,
        residual=float(max((s.residual for s in sols), default=np.inf)),
        limit=limit,
        solutions=tuple(sols),
        rates=sols[0].rates if sols else np.full(net.N, np.nan),
        n_solutions=len(sols),
        n_stable=sum(s.stable for s in sols),
        classes=red.labels,
        beta_max=B,
        complete=complete,
        search=search,
    )  # fmt: skip
    return finish(result, raise_on_failure)
