r"""Shared pieces of the stationary DMFT: the result type, Gaussian statistics of
the transfer function, and the search for mean-field branches.

Notation (Sompolinsky, Crisanti & Sommers 1988, PRL 61:259; Kadmon & Sompolinsky
2015, PRX 5:041030): :math:`x = \mu + \delta x`, the autocorrelation of the
fluctuation is :math:`\Delta(\tau) = \langle \delta x(t)\,\delta x(t+\tau)\rangle`,
:math:`\Delta_0 = \Delta(0)`, and two-point averages are taken over jointly
Gaussian :math:`x_1, x_2` with means :math:`\mu`, variances :math:`\Delta_0` and
covariance :math:`\Delta`:

.. math::
    C_\phi(\Delta) = \langle \phi(x_1)\phi(x_2)\rangle,\quad
    q(\Delta) = \langle \phi'(x_1)\phi'(x_2)\rangle,\quad
    F(\Delta) = \langle \Phi(x_1)\Phi(x_2)\rangle ,

with :math:`dF/d\Delta = C_\phi` and :math:`dC_\phi/d\Delta = q` (Price's theorem).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from scipy import integrate, interpolate, optimize

from rnmf._memory import check_memory as _check_memory
from rnmf.models import RateNetwork
from rnmf.results import ConvergenceError, Result, Status, finish

from ..gaussian import expect, expect2, nodes

__all__ = ["DMFTResult"]


@dataclass(frozen=True, kw_only=True, repr=False)
class DMFTResult(Result):
    r"""Stationary dynamic mean-field solution of a random rate network.

    Attributes
    ----------
    mu : float
        Population mean :math:`\mu` of :math:`x`.
    Delta0 : float
        Variance :math:`\Delta(0)` of :math:`x` across units and time.
    Delta_inf : float
        :math:`\Delta(\infty)`: variance of the time-averaged :math:`x_i` across units.
    regime : str
        ``"quiet"`` (no fluctuations), ``"static"`` (heterogeneous fixed point),
        ``"chaotic"`` (:math:`\lambda_{max} > 0`), ``"noise-driven"`` (noise,
        :math:`\lambda_{max} \le 0`) or ``"unbounded"``: no stable bounded stationary state
        exists and the activity of an unbounded ``phi`` diverges (then ``Delta0 = inf``,
        ``converged = False`` and ``solutions`` holds the unstable states found).
    stable : bool
        Whether the state attracts: bulk (``chi < 1`` for fixed points), amplitude
        (fluctuating states: the energy residual decreases through its root, see
        :mod:`rnmf.theory.dmft.stationary`) and mean mode (slope of the reduced mean
        equation < 0).
    chi : float
        :math:`g^2 \langle \phi'(x)^2\rangle`: squared radius of the bulk of the
        Jacobian's spectrum at a fixed point (local stability when < 1).  For a quiet state
        on a kink of ``phi`` (relu at its threshold) the directional value
        :math:`g^2(\phi'(\mu^-)^2 + \phi'(\mu^+)^2)/2`: a perturbation sees the right
        slope on the units it pushes up and the left slope on the others.
    lambda_max : float
        Largest Lyapunov exponent (per unit of tau; per step for the map); NaN if not computed.
    tau_corr : float
        Half-width: first lag where :math:`(\Delta-\Delta_\infty)/(\Delta_0-\Delta_\infty) = 1/2`
        (NaN for fixed points).
    tau_int : float
        Integrated correlation time :math:`\int_0^\infty (\Delta-\Delta_\infty)/(\Delta_0-\Delta_\infty)\,d\tau`
        (for the map: :math:`1/2 + \sum_{k\ge1}` of the same ratio).
    kappa : float
        Decay rate of the tail, :math:`\Delta - \Delta_\infty \propto e^{-\kappa\tau}` (per step: ratio).
    tau, Delta : ndarray
        Lag grid (units of tau, or integer steps) and the autocorrelation on it.
    time : str
        ``"continuous"`` or ``"discrete"``.
    solutions : tuple of DMFTResult
        All coexisting stationary states found (the main result is one of them).
    bounded : bool
        False when the activity grows without bound from large initial conditions (an
        unbounded ``phi`` whose mean or variance equation has no upper root: at large
        amplitude the self-consistent variance or the mean exceeds its input); the
        stationary states found are then local attractors at most.
    escape_Delta0 : float
        For ``bounded = False``: :math:`\Delta_0` of the largest unstable state, the
        amplitude barrier above which the activity runs away (``inf`` if bounded; ``0``
        when every state is unstable).
    """

    mu: float = math.nan
    Delta0: float = math.nan
    Delta_inf: float = math.nan
    regime: str = ""
    stable: bool = False
    chi: float = math.nan
    lambda_max: float = math.nan
    tau_corr: float = math.nan
    tau_int: float = math.nan
    kappa: float = math.nan
    tau: np.ndarray = field(default_factory=lambda: np.zeros(1))
    Delta: np.ndarray = field(default_factory=lambda: np.zeros(1))
    time: str = "continuous"
    solutions: tuple = ()
    bounded: bool = True
    escape_Delta0: float = math.inf
    _interp: Any = field(default=None, compare=False)
    _tail_start: float = math.inf

    def _repr_rows(self) -> list[tuple[str, str]]:
        rows = [r for r in super()._repr_rows() if r[0] != "solutions"]
        if self.time == "discrete":
            rows.append(("units", "lags in steps; lambda_max per step"))
        else:
            rows.append(("units", "times (tau, tau_corr, tau_int) in units of tau; rates per tau"))
        if self.solutions:
            desc = ", ".join(
                f"{s.regime}(mu={s.mu:.4g}, D0={s.Delta0:.4g}, {'stable' if s.stable else 'unstable'})"
                for s in self.solutions
            )
            rows.append(("solutions", f"{len(self.solutions)}: {desc}"))
        return rows

    def autocorrelation(self, lags: float | np.ndarray) -> np.ndarray | float:
        r""":math:`\Delta(\tau)` at arbitrary lags (:math:`\Delta(-\tau) = \Delta(\tau)`).

        Continuous time: a cubic Hermite interpolant of the ODE solution up to the
        splice point and the exponential tail beyond it.  Discrete time: ``lags``
        must be integers; beyond the stored lags the geometric tail is used.
        """
        from rnmf._checks import check_array

        lag = np.abs(check_array("lags", lags, finite=False)).reshape(np.shape(lags))
        if not np.all(np.isfinite(lag)):
            raise ValueError("lags contain NaN or infinite values")
        L = self.Delta0 - self.Delta_inf
        if self.time == "discrete":
            if not np.all(lag == np.round(lag)):
                raise ValueError("the discrete-time map has integer lags only; pass integers")
            k = lag.astype(np.int64)
            kmax = self.tau.size - 1
            inside = np.minimum(k, kmax)
            out = self.Delta[inside].astype(float)
            beyond = k > kmax
            if np.any(beyond):
                tail0 = self.Delta[kmax] - self.Delta_inf
                out = np.where(
                    beyond,
                    self.Delta_inf
                    + tail0 * np.power(self.kappa, np.maximum(k - kmax, 0).astype(float)),
                    out,
                )
        elif L <= 0 or self._interp is None:
            out = np.full(lag.shape, self.Delta0)
        else:
            ts = self._tail_start
            inner = self._interp(np.minimum(lag, ts))
            ds = float(self._interp(ts)) - self.Delta_inf
            tail = self.Delta_inf + ds * np.exp(-self.kappa * np.maximum(lag - ts, 0.0))
            out = np.where(lag <= ts, inner, tail)
        out = np.asarray(out, dtype=float)
        return out if out.ndim else float(out)


def check_tol(tol: Any, name: str = "tol") -> float:
    """Return a relative tolerance in (0, 1e-3) as a float, or raise naming ``name``."""
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not 0 < float(tol) < 1e-3:
        raise ValueError(f"{name} must be a relative tolerance in (0, 1e-3), got {tol!r}")
    return float(tol)


def check_memory(name: str, value: Any, nbytes: float, hint: str | None = None) -> None:
    """Refuse, before allocating, a size argument whose arrays would not fit into memory.

    ``nbytes`` is the estimate of the peak memory the call needs for ``name = value``;
    :class:`rnmf._memory.InsufficientMemoryError` (a ValueError and a MemoryError) names the
    argument, the estimate and the available memory.
    """
    _check_memory(
        f"{name}={value!r}", {name: float(nbytes)}, hint=hint or f"Pass a smaller {name}."
    )


# ----------------------------------------------------------------------------------------
# statistics of the transfer function
# ----------------------------------------------------------------------------------------
def _no_nan(tr: Any, label: str, x: np.ndarray, out: Any) -> np.ndarray:
    """``out`` unchanged, or a ValueError naming the first finite ``x`` where it is NaN.

    The Gaussian averages sample ``phi`` on the whole real line; a NaN there (``sqrt`` or
    ``log`` of a negative argument, ``0 * inf``) would make every average NaN and the
    theory silently empty.  Overflow to ``inf`` is kept: it signals unbounded growth.
    """
    out = np.asarray(out, dtype=float)
    nan = np.isnan(out)
    if nan.any():
        xs = np.broadcast_to(np.asarray(x, dtype=float), out.shape)
        bad = nan & np.isfinite(xs)
        if bad.any():
            x_bad = float(xs[bad].flat[0])
            raise ValueError(
                f"RateNetwork.phi = {tr!r}: {label} returned NaN at x = {x_bad:.6g}; the mean-field "
                "theory averages phi over Gaussian inputs on the whole real line, so phi, phi' "
                "and Phi must be finite for every real x (e.g. use sqrt(max(x, 0)), not sqrt(x))"
            )
    return out


class Stats:
    """Gaussian averages of phi, phi', Phi for one network (numerics only)."""

    def __init__(self, net: RateNetwork, n: int | None = None) -> None:
        self.net = net
        tr = net.phi
        self.n = n
        # relu has a kink at theta: split the Gaussian integrals there (see rnmf.theory.gaussian)
        self.kink = float(tr.theta) if tr.kind == "relu" else None

        def phi(x: np.ndarray) -> np.ndarray:
            return _no_nan(tr, "phi", x, tr(x))

        def dphi(x: np.ndarray) -> np.ndarray:
            with np.errstate(over="ignore"):
                return _no_nan(tr, "phi'", x, tr.derivative(x))

        def Phi(x: np.ndarray) -> np.ndarray:
            with np.errstate(over="ignore", invalid="ignore"):
                return _no_nan(tr, "the primitive Phi", x, tr.primitive(x))

        def phi2(x: np.ndarray) -> np.ndarray:
            with np.errstate(over="ignore"):
                return phi(x) ** 2

        def dphi2(x: np.ndarray) -> np.ndarray:
            with np.errstate(over="ignore"):
                return dphi(x) ** 2

        def Phi2(x: np.ndarray) -> np.ndarray:
            with np.errstate(over="ignore"):
                return Phi(x) ** 2

        self.phi, self.dphi, self.Phi, self.phi2, self.dphi2 = phi, dphi, Phi, phi2, dphi2
        self.Phi2 = Phi2

    def _n(self, n: int | None) -> int | None:
        # kinked phi uses Gauss-Legendre pieces: 24 per piece is plenty while scanning
        n = n or self.n
        return min(n, 24) if (n is not None and self.kink is not None) else n

    # one-point
    def m1(self, mu: Any, D0: Any, n: int | None = None) -> Any:
        """<phi>."""
        return expect(self.phi, mu, D0, n=self._n(n), kink=self.kink)

    def m2(self, mu: Any, D0: Any, n: int | None = None) -> Any:
        """<phi^2>."""
        return expect(self.phi2, mu, D0, n=self._n(n), kink=self.kink)

    def d1(self, mu: Any, D0: Any, n: int | None = None) -> Any:
        """<phi'>."""
        return expect(self.dphi, mu, D0, n=self._n(n), kink=self.kink)

    def d2(self, mu: Any, D0: Any, n: int | None = None) -> Any:
        """<phi'^2>."""
        return expect(self.dphi2, mu, D0, n=self._n(n), kink=self.kink)

    # two-point
    def C(self, mu: Any, D0: Any, D: Any, n: int | None = None) -> Any:
        """C_phi(Delta) = <phi(x1) phi(x2)>."""
        return expect2(self.phi, self.phi, mu, D0, D, n=self._n(n), kink=self.kink)

    def q(self, mu: Any, D0: Any, D: Any, n: int | None = None) -> Any:
        """q(Delta) = <phi'(x1) phi'(x2)>."""
        return expect2(self.dphi, self.dphi, mu, D0, D, n=self._n(n), kink=self.kink)

    def F(self, mu: Any, D0: Any, D: Any, n: int | None = None) -> Any:
        """F(Delta) = <Phi(x1) Phi(x2)>."""
        return expect2(self.Phi, self.Phi, mu, D0, D, n=self._n(n), kink=self.kink)

    def G(self, mu: Any, D0: Any, D: Any, n: int | None = None) -> Any:
        r"""F(Delta0) - F(Delta) as the conditional variance :math:`\langle\mathrm{Var}_y\,\Phi\rangle_z`.

        With :math:`x_{1,2} = \mu + \sqrt{\Delta}\,z + \sqrt{\Delta_0 - \Delta}\,y_{1,2}`
        (the nested rule of SCS 1988 below eq. 5), :math:`\langle\Phi^2\rangle -
        \langle\Phi(x_1)\Phi(x_2)\rangle = \langle\langle(\Phi - \langle\Phi\rangle_y)^2
        \rangle_y\rangle_z`, computed in two passes on the same nodes, so the difference of
        the energy residual (Schuecker et al. 2018 eq. 7) keeps its relative digits when it is
        small: the difference of two O(1) values of F lost ~1e-15 absolute, which moved the
        chaotic :math:`\Delta_0` by ~5e-13 and the ill-conditioned :math:`\Delta_\infty`
        by up to ~6e-10 close to the onset of chaos with quenched input (g = 2, I0 = 1,
        sigma_I^2 = 0.45).  Kinked phi and negative covariances: the plain difference.
        """
        mu, D0, D = np.broadcast_arrays(*(np.asarray(v, float) for v in (mu, D0, D)))
        if self.kink is not None or np.any(D < 0):
            return self.F(mu, D0, D0, n) - self.F(mu, D0, D, n)
        shape = mu.shape
        m, v = mu.ravel(), D0.ravel()
        c = np.minimum(D.ravel(), v)
        if m.size == 0:
            return np.zeros(shape)
        nn = self._n(n)
        zo, wo = nodes(nn, dmax=float(c.max()))
        yi, wi = nodes(nn, dmax=float((v - c).max()))
        b = np.sqrt(c)[:, None, None]
        a = np.sqrt(v - c)[:, None, None]
        out = np.empty(m.size)
        step = max(1, 4_000_000 // (zo.size * yi.size))
        for i in range(0, m.size, step):
            sl = slice(i, i + step)
            P = self.Phi(m[sl, None, None] + b[sl] * zo[:, None] + a[sl] * yi)
            dev = P - (P @ wi)[..., None]
            out[sl] = ((dev * dev) @ wi) @ wo
        out = out.reshape(shape)
        return out if shape else float(out)


# ----------------------------------------------------------------------------------------
# mean-field branches mu(Delta0)
# ----------------------------------------------------------------------------------------
def mu_residual(st: Stats, mu: Any, D0: Any, n: int | None = None) -> Any:
    r"""Mean equation residual :math:`J_0\langle\phi(\mu+\sqrt{\Delta_0}z)\rangle + I_0 - \mu`.

    Kadmon & Sompolinsky 2015, PRX 5:041030, eq. 3 (mean input from the coupling mean).
    """
    net = st.net
    if net.J0 == 0.0:
        return net.I0 - np.asarray(mu, dtype=float)
    return net.J0 * st.m1(mu, D0, n) + net.I0 - mu


def _mu_width(net: RateNetwork, d0max: float) -> float:
    if net.phi.kind in ("tanh", "erf"):
        return abs(net.J0) * 1.000001 + 1e-9
    return 20.0 * (1.0 + abs(net.I0)) * (1.0 + abs(net.J0)) * (1.0 + math.sqrt(d0max)) + abs(
        net.phi.theta
    )


def mu_roots_grid(st: Stats, D0grid: np.ndarray, n_mu: int = 240) -> list[np.ndarray]:
    """All roots of the mean equation for each Delta0 of ``D0grid`` (sorted)."""
    net = st.net
    if net.J0 == 0.0:
        return [np.array([net.I0]) for _ in D0grid]
    W = _mu_width(net, float(D0grid.max()))
    mus = net.I0 + np.linspace(-W, W, n_mu)
    # an even number of scan points: no node sits on a symmetric root such as mu = I0
    R = mu_residual(st, mus[None, :], D0grid[:, None])
    ii, jj = np.nonzero(np.sign(R[:, :-1]) * np.sign(R[:, 1:]) < 0)
    D = D0grid[ii]
    root = illinois(
        lambda m, sel: mu_residual(st, m, D[sel]),
        mus[jj],
        mus[jj + 1],
        R[ii, jj],
        R[ii, jj + 1],
    )
    out = []
    for i in range(D0grid.size):
        out.append(np.unique(np.round(root[ii == i], 12)))
    return out


def illinois(
    fun: Any,
    a: np.ndarray,
    b: np.ndarray,
    fa: np.ndarray,
    fb: np.ndarray,
    *,
    xtol: float = 1e-14,
    maxit: int = 100,
) -> np.ndarray:
    """Vectorised Illinois (modified regula falsi) on brackets ``[a, b]`` with ``fa fb <= 0``.

    ``fun(x, sel)`` evaluates the residual at ``x`` for the brackets ``sel`` (an index
    array); converged brackets are not evaluated again.  A bracket end where the residual
    is exactly zero is returned as it is.
    """
    a, b = np.array(a, float), np.array(b, float)
    fa, fb = np.array(fa, float), np.array(fb, float)
    side = np.zeros(a.size, int)
    act = np.nonzero((fa != 0.0) & (fb != 0.0))[0]
    for _ in range(maxit):
        if act.size == 0:
            break
        A, B, FA, FB = a[act], b[act], fa[act], fb[act]
        den = np.where(FB != FA, FB - FA, 1.0)
        c = np.where(FB != FA, B - FB * (B - A) / den, 0.5 * (A + B))
        c = np.where((c > np.minimum(A, B)) & (c < np.maximum(A, B)), c, 0.5 * (A + B))
        fc = np.asarray(fun(c, act), dtype=float)
        left = np.sign(fc) == np.sign(FA)
        sd = side[act]
        a[act] = np.where(left, c, A)
        b[act] = np.where(left, B, c)
        fa[act] = np.where(left, fc, np.where(sd == -1, 0.5 * FA, FA))
        fb[act] = np.where(left, np.where(sd == 1, 0.5 * FB, FB), fc)
        side[act] = np.where(left, 1, -1)
        done = (np.abs(b[act] - a[act]) <= xtol * (1.0 + np.abs(c))) | (fc == 0.0)
        act = act[~done]
    return np.where(np.abs(fa) <= np.abs(fb), a, b)


def branches(D0grid: np.ndarray, roots: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Link the roots ``mu`` at successive ``D0`` into continuous branches.

    Greedy nearest-neighbour continuation: a root continues the chain whose last
    root is closest (within a quarter of the spread of all roots), so a branch runs
    through a pitchfork where its neighbours vanish; unmatched roots start new chains.
    """
    allr = np.concatenate([r for r in roots if r.size] or [np.zeros(1)])
    thr = 0.25 * (np.ptp(allr) + 1e-3 * (1.0 + np.abs(allr).max()))
    chains: list[list[tuple[int, float]]] = []
    active: list[int] = []
    for i, r in enumerate(roots):
        pairs = sorted(
            ((abs(chains[c][-1][1] - m), c, k) for c in active for k, m in enumerate(r)),
            key=lambda p: p[0],
        )
        used_c: set[int] = set()
        used_k: set[int] = set()
        for dist, c, k in pairs:
            if dist > thr or c in used_c or k in used_k:
                continue
            chains[c].append((i, float(r[k])))
            used_c.add(c)
            used_k.add(k)
        new_active = sorted(used_c)
        for k, m in enumerate(r):
            if k not in used_k:
                chains.append([(i, float(m))])
                new_active.append(len(chains) - 1)
        active = new_active
    out = []
    for ch in chains:
        idx = np.array([p[0] for p in ch])
        out.append((D0grid[idx], np.array([p[1] for p in ch])))
    return out


def solve_mu(st: Stats, D0: float, mu_guess: float, width: float | None = None) -> float:
    """The root of the mean equation nearest to ``mu_guess`` at this Delta0."""
    net = st.net
    if net.J0 == 0.0:
        return net.I0
    w = width or 1e-3 * (1.0 + abs(mu_guess))
    fa = fb = None
    for _ in range(40):
        a, b = mu_guess - w, mu_guess + w
        fa, fb = mu_residual(st, a, D0), mu_residual(st, b, D0)
        if fa * fb <= 0:
            return optimize.brentq(lambda m: mu_residual(st, m, D0), a, b, xtol=1e-15, rtol=1e-15)
        w *= 2.0
    raise ValueError(f"no mean-field root near mu={mu_guess:g} at Delta0={D0:g}")


def mean_mode_slope(st: Stats, mu: float, D0: float, dD0_dmu: float) -> float:
    r"""Slope of the reduced mean equation :math:`-\mu + J_0\langle\phi\rangle + I_0` along the branch.

    :math:`\partial_\mu\langle\phi\rangle = \langle\phi'\rangle` and
    :math:`\partial_{\Delta_0}\langle\phi\rangle = \langle\phi\,(z^2-1)\rangle/(2\Delta_0)`
    (Stein / Price); a state whose slope is positive is unstable to a uniform
    shift of the mean (saddle-node and pitchfork structure of the mean-field
    branches, Kadmon & Sompolinsky 2015 Sec. III).
    """
    net = st.net
    if net.J0 == 0.0:
        return -1.0
    dmu = st.d1(mu, D0)
    if D0 > 0:
        from ..gaussian import nodes

        z, w = nodes(None, dmax=D0)
        x = mu + math.sqrt(D0) * z
        dD = float(st.phi(x) * (z * z - 1.0) @ w) / (2.0 * D0)
    else:
        dD = 0.0
    return -1.0 + net.J0 * (dmu + dD * dD0_dmu)


def hermite_interp(t: np.ndarray, y: np.ndarray, dy: np.ndarray) -> interpolate.CubicHermiteSpline:
    """Cubic Hermite interpolant (values and slopes from the ODE)."""
    return interpolate.CubicHermiteSpline(t, y, dy)


def with_solutions(main: DMFTResult, sols: list[DMFTResult]) -> DMFTResult:
    """The main result carrying all solutions."""
    return replace(main, solutions=tuple(sols))


def unbounded_result(
    net: RateNetwork, sols: list[DMFTResult], method: str, options: dict, raise_on_failure: bool
) -> DMFTResult:
    """Result of a network whose activity diverges from large initial conditions.

    Every state found gets ``bounded=False`` and ``escape_Delta0`` (the largest Delta0 of
    an unstable state: the amplitude barrier).  With a stable state the main result is
    that local attractor; without one the main result has ``regime="unbounded"``,
    ``Delta0=inf``, status NO_SOLUTION (Status.UNBOUNDED where defined) and, by default, a
    ConvergenceError says that the network has no bounded stationary state.
    """
    unstable = [s.Delta0 for s in sols if not s.stable]
    escape = max(unstable) if unstable else 0.0
    sols = [replace(s, bounded=False, escape_Delta0=escape) for s in sols]
    stable = [s for s in sols if s.stable]
    if stable:
        sols = _order(sols)
        return finish(with_solutions(sols[0], sols), raise_on_failure)
    status = getattr(Status, "UNBOUNDED", Status.NO_SOLUTION)
    main = DMFTResult(
        model=net,
        method=method,
        options=options,
        converged=False,
        status=status,
        residual=math.inf,
        regime="unbounded",
        Delta0=math.inf,
        stable=False,
        bounded=False,
        escape_Delta0=escape,
        time="discrete" if net.discrete else "continuous",
        solutions=tuple(_order(sols)),
    )
    if raise_on_failure:
        found = "; ".join(
            f"{s.regime} (Delta0 = {s.Delta0:.4g}, chi = {s.chi:.4g}) unstable"
            for s in main.solutions
        )
        raise ConvergenceError(
            f"no bounded stationary state: the activity of {net.phi!r} at g = {net.g:g}, "
            f"J0 = {net.J0:g} diverges (the mean or variance equation has no root up to "
            f"Delta0 = 1e8: the recurrent input grows faster than the leak removes it)"
            + (f"; the stationary states found are unstable: {found}" if found else "")
            + ". Reduce g or J0, or pass raise_on_failure=False for the result with "
            "regime='unbounded'.",
            main,
        )
    return main


def _order(sols: list[DMFTResult]) -> list[DMFTResult]:
    rank = {"chaotic": 0, "noise-driven": 0, "static": 1, "quiet": 2}
    return sorted(sols, key=lambda s: (not s.stable, rank.get(s.regime, 3), -s.mu, -s.Delta0))


#: splice the exponential tail where (Delta - Delta_inf)/(Delta0 - Delta_inf) = U_SPLICE
U_SPLICE = 1e-4


def newton_trajectory(force: Any, D0: float, Dinf: float, kappa: float, n_fine: int = 4001) -> dict:
    r"""Integrate :math:`\Delta'' = -V'(\Delta)` from :math:`(\Delta_0, \Delta'(0^+))` to the hilltop.

    ``force`` is :math:`-V'` as a callable polynomial on :math:`[\Delta_\infty, \Delta_0]`
    (a :class:`numpy.polynomial.Chebyshev`); the initial velocity follows from energy
    conservation, :math:`\Delta'(0)^2 = -2\int_{\Delta_\infty}^{\Delta_0}V'` (SCS 1988,
    the particle-in-a-potential form of the DMFT).  The orbit is integrated (DOP853) until
    it is within ``U_SPLICE`` of the hilltop, where the exponential tail
    :math:`e^{-\kappa\tau}` takes over.  Returns the Hermite interpolant of the orbit, the
    splice time, the half-decay time ``tau_corr``, the integral correlation time
    ``tau_int`` (orbit plus tail), ``tau_max`` and ``v0``.
    """
    L = D0 - Dinf
    work = float(force.integ(lbnd=Dinf)(D0))
    v0 = -math.sqrt(max(-2.0 * work, 0.0))

    def rhs(t: float, y: np.ndarray) -> list:
        return [y[1], -force(y[0]), (y[0] - Dinf) / L]

    def ev_stop(t: float, y: np.ndarray) -> float:
        return y[0] - Dinf - U_SPLICE * L

    ev_stop.terminal = True
    ev_stop.direction = -1

    def ev_half(t: float, y: np.ndarray) -> float:
        return y[0] - Dinf - 0.5 * L

    ev_half.direction = -1

    def ev_turn(t: float, y: np.ndarray) -> float:
        return y[1]

    ev_turn.terminal = True
    ev_turn.direction = 1
    sol = integrate.solve_ivp(
        rhs,
        # near the transition the orbit lives on the time scale 1/kappa (kappa ~ g - 1)
        (0.0, 200.0 + 200.0 / max(kappa, 1e-12)),
        [D0, v0, 0.0],
        method="DOP853",
        rtol=1e-12,
        atol=1e-14 * max(D0, 1e-12),
        events=(ev_stop, ev_half, ev_turn),
        dense_output=True,
    )
    ok = sol.status == 1 and sol.t_events[0].size == 1
    ts = float(sol.t_events[0][0]) if sol.t_events[0].size else float(sol.t[-1])
    thalf = float(sol.t_events[1][0]) if sol.t_events[1].size else math.nan
    tfine = np.linspace(0.0, ts, n_fine)
    Y = sol.sol(tfine)
    return {
        "ok": ok,
        "interp": hermite_interp(tfine, Y[0], Y[1]),
        "tail_start": ts,
        "kappa": kappa,
        "tau_corr": thalf,
        "tau_int": float(Y[2, -1]) + (Y[0, -1] - Dinf) / L / max(kappa, 1e-300),
        "tau_max": ts + math.log(U_SPLICE / 1e-12) / max(kappa, 1e-12),
        "v0": v0,
    }
