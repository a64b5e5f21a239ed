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
   (:func:`._multiclass._nested_roots`, same guarantee); other components of up to four classes go
   to a branch and bound over boxes of rates with monotone enclosures of F
   (:class:`._multiclass._Boxes`, complete when it finishes within its evaluation budget); larger
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
from ._map import _Map, _newton, _scan
from ._multiclass import _box_roots, _eliminable, _nested_roots
from .transfer import LIMITS, METHODS

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
