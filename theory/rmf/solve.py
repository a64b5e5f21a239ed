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
   result reports; larger components use Newton from a grid of starts (not complete);
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
        Error estimate of each rate (transfer-function error propagated through
        ``(I - J)^{-1}``).
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
        True when the search is exhaustive on ``[0, beta_max]`` up to tangential roots
        (one-class components scanned, and for a linear intensity with reset
        ``beta_max`` is an a priori bound).
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
        lam = np.maximum(u.lam(beta), 0.0)
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
        if len(self._cache) > 4096:
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
        if res <= 10.0 * float(np.max(E, initial=0.0)) + tol * max(1.0, float(np.max(x))):
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
    tol: float = 1e-9,
    beta_max: float | None = None,
    symmetric: bool = True,
    n_scan: int = 48,
    n_starts: int = 9,
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
    tol : float
        Tolerance on ``|beta - F(beta)|`` (relative) and on the density solver's error.
    beta_max : float, optional
        Upper end of the rate range searched (see the module notes for the default).
    symmetric : bool
        Search solutions constant on classes of equivalent neurons (default) or the
        full N-dimensional space (multistart Newton).
    n_scan : int
        Grid points of the one-dimensional scans.
    n_starts : int
        Starting points per component of dimension >= 2 (a grid, about n_starts).
    raise_on_failure : bool
        Raise :class:`rnmf.results.ConvergenceError` when no solution is found or a rate
        misses the tolerance.

    Returns
    -------
    RMFResult
    """
    if not isinstance(net, IntensityNetwork):
        raise ValueError(f"solve needs an IntensityNetwork, got {type(net).__name__}")
    if limit not in LIMITS:
        raise ValueError(f"limit must be one of {LIMITS}, got {limit!r}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if not (np.isfinite(tol) and 0 < tol < 1):
        raise ValueError(f"tol must lie in (0, 1), got {tol!r}")
    if beta_max is not None and not (np.isfinite(beta_max) and beta_max > 0):
        raise ValueError(f"beta_max must be finite and > 0, got {beta_max!r}")
    red = reduce(net, symmetric=symmetric)
    m = _Map(red, limit, method, tol)
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
        try:
            errc = np.abs(np.linalg.solve(np.eye(red.P) - Jc, E))
        except np.linalg.LinAlgError:
            errc = np.full(red.P, np.inf)
        worst = max(worst, float(np.max(errc / np.maximum(x, 1e-300), initial=0.0)) if ok else 1.0)
        Jf = _full_jacobian(red, m, x) if net.N <= 2000 else Jc
        eig = np.linalg.eigvals(Jf) if Jf.size else np.zeros(0)
        stable = bool(np.all(eig.real < 1.0))
        sols.append(RMFSolution(red.expand(x), red.expand(errc), Jf, eig, stable, res, x))
    sols.sort(key=lambda s: float(np.mean(s.rates)))
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
                 "symmetric": symmetric, "n_scan": n_scan, "n_starts": n_starts},
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
