r"""Self-consistent stationary rates of LIF networks and their rate-dynamics stability.

The stationary rates solve ``nu_a = Phi(mu_a(nu), sigma_a(nu))`` with the input
statistics of Brunel (2000, eqs. 4-5) and the Siegert rate (eq. 21; Amit & Brunel 1997).
This module holds :func:`stationary_rates` (all fixed points of a network, with the
eigenvalues of the rate dynamics; :class:`LIFFixedPoint`, :class:`LIFStationary`),
:func:`brunel_rates` (all fixed points of Brunel's model A over a (g, eta) grid at once;
:class:`BrunelGrid`) and the vectorised root-finding helpers they share.

References
----------
.. [1] N. Brunel, "Dynamics of sparsely connected networks of excitatory and
   inhibitory spiking neurons", J. Comput. Neurosci. 8, 183-208 (2000).
.. [2] D. J. Amit and N. Brunel, "Model of global spontaneous activity and local
   structured activity during delay periods in the cerebral cortex",
   Cereb. Cortex 7, 237 (1997).
.. [3] C. van Vreeswijk and H. Sompolinsky, "Chaotic balanced state in a model of
   cortical circuits", Neural Comput. 10, 1321 (1998) (balanced rates as starting points).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize

from rnmf._checks import check_array, check_int, check_positive
from rnmf.models import LIFNetwork
from rnmf.results import Result, Status, finish

from .balanced import balanced_rates
from .inputs import _groups, _input_stats, _jacobian, _net_arrays, _neuron, _phi
from .neuron import _cv, _log_rate_ms, _siegert_and_derivatives


@dataclass(frozen=True)
class LIFFixedPoint:
    """One self-consistent stationary state.

    Attributes
    ----------
    rates, mu, sigma, cv : ndarray (P,)
        Rates (Hz), input mean and std (mV), CV of the ISI.
    eigenvalues : ndarray (P,)
        Eigenvalues of ``dPhi/dnu - I`` (rate dynamics ``tau dnu/dt = -nu + Phi(nu)``),
        in units of 1/tau.
    stable : bool
        All eigenvalues have negative real part (stability of the rate dynamics; the
        oscillatory instability with delays is :func:`asynchronous_stability`).
    residual : float
        ``max |Phi(nu) - nu| / max(nu, 1e-300)``.
    """

    rates: np.ndarray
    mu: np.ndarray
    sigma: np.ndarray
    cv: np.ndarray
    eigenvalues: np.ndarray
    stable: bool
    residual: float

    def __repr__(self) -> str:
        r = ", ".join(f"{v:.6g}" for v in self.rates)
        return f"LIFFixedPoint(rates=[{r}] Hz, stable={self.stable})"


@dataclass(frozen=True, kw_only=True, repr=False)
class LIFStationary(Result):
    """Stationary states of an LIF network (all fixed points found).

    Attributes
    ----------
    rates, mu, sigma, cv, eigenvalues : ndarray
        Of the *primary* solution: the stable fixed point with the lowest mean rate
        (or the lowest-rate one if none is stable).
    stable : bool
        Stability of the primary solution under the rate dynamics.
    solutions : tuple of LIFFixedPoint
        Every fixed point found, sorted by mean rate.
    n_solutions : int
    complete : bool
        True when the search is exhaustive up to grid resolution (reduced 1-D problem);
        False for the multi-start search of P >= 2 distinct populations.
    diffusion_valid : bool
        False if the diffusion approximation is questionable (see ``validity``).
    validity : tuple of str
        Reasons, e.g. PSPs not small against ``V_th - V_reset`` or ``nu t_ref`` large.
    """

    rates: np.ndarray
    mu: np.ndarray
    sigma: np.ndarray
    cv: np.ndarray
    eigenvalues: np.ndarray
    stable: bool
    solutions: tuple = ()
    n_solutions: int = 0
    complete: bool = True
    diffusion_valid: bool = True
    validity: tuple = ()

    def _repr_rows(self):
        rows = [
            ("method", self.method),
            ("status", str(self.status)),
            ("n_solutions", str(self.n_solutions)),
        ]
        for i, s in enumerate(self.solutions):
            r = ", ".join(f"{v:.6g}" for v in s.rates)
            cv = ", ".join(f"{v:.3g}" for v in s.cv)
            rows.append(
                (f"[{i}]", f"rates [{r}] Hz  CV [{cv}]  {'stable' if s.stable else 'unstable'}")
            )
        rows.append(("diffusion_valid", str(self.diffusion_valid)))
        for v in self.validity:
            rows.append(("  !", v))
        return rows


def _vector_brent(f, lo, hi, flo, fhi, rtol, max_iter=200):
    """Vectorised bracketed root finder (Illinois false position, bisection fallback)."""
    lo, hi, flo, fhi = (np.array(x, dtype=float) for x in (lo, hi, flo, fhi))
    side = np.zeros(lo.shape, dtype=int)  # which end was kept last: -1 lo, +1 hi
    n = 0
    for n in range(1, max_iter + 1):  # noqa: B007
        with np.errstate(divide="ignore", invalid="ignore"):
            x = (lo * fhi - hi * flo) / (fhi - flo)
        bad = ~np.isfinite(x) | (x <= lo) | (x >= hi)
        x = np.where(bad, 0.5 * (lo + hi), x)
        fx = f(x)
        left = np.sign(fx) == np.sign(flo)  # root in [x, hi]: move lo
        # Illinois: halve the function value at an end kept twice in a row
        fhi = np.where(left & (side == 1), 0.5 * fhi, fhi)
        flo = np.where(~left & (side == -1), 0.5 * flo, flo)
        lo = np.where(left, x, lo)
        flo = np.where(left, fx, flo)
        hi = np.where(left, hi, x)
        fhi = np.where(left, fhi, fx)
        side = np.where(left, 1, -1)
        done = ((hi - lo) <= rtol * np.abs(hi) + 1e-300) | (fx == 0)
        if np.all(done):
            break
    conv = ((hi - lo) <= 10 * rtol * np.abs(hi) + 1e-300) | (flo == 0) | (fhi == 0)
    root = np.where(np.abs(flo) < np.abs(fhi), lo, hi)
    return root, conv, n


#: most grid points a single brunel_rates call evaluates at once
_MAX_POINTS = 10**7


def _check_n_grid(n_grid: Any, largest: int) -> int:
    """``n_grid`` as an int in [10, largest] (the scan holds n_grid points per state)."""
    n_grid = check_int("n_grid", n_grid, minimum=10)
    if n_grid > max(largest, 10):
        raise ValueError(
            f"n_grid = {n_grid} grid points per state is more than the {max(largest, 10)} "
            "this call can hold in memory; a few hundred resolve every fixed point"
        )
    return n_grid


def _scan_roots_1d(F, nu_max, n_grid, rtol):
    """All sign changes of F on [0, nu_max] (grid 0 + log-spaced), refined."""
    grid = np.concatenate([[0.0], np.logspace(-6, math.log10(nu_max), n_grid)])
    vals = F(grid)
    roots = []
    if vals[0] == 0.0:
        roots.append(0.0)
    sc = np.nonzero(np.sign(vals[:-1]) * np.sign(vals[1:]) < 0)[0]
    if sc.size:
        r, conv, n = _vector_brent(F, grid[sc], grid[sc + 1], vals[sc], vals[sc + 1], rtol)
    else:
        r, conv, n = np.empty(0), np.empty(0, bool), 0
    exact = np.nonzero(vals[1:] == 0.0)[0] + 1
    return np.concatenate([roots, r, grid[exact]]), bool(np.all(conv)), n


def _default_nu_max(net, nu_max):
    if nu_max is not None:
        return check_positive("nu_max (Hz)", nu_max)
    if net.t_ref > 0:
        return 1000.0 / net.t_ref * (1.0 - 1e-12)
    return 1.0e4


def stationary_rates(
    net: LIFNetwork,
    *,
    tol: float = 1e-12,
    nu_max: float | None = None,
    n_grid: int = 400,
    n_starts: int = 36,
    max_jump: float = 0.1,
    max_refractory_fraction: float = 0.5,
    raise_on_failure: bool = True,
) -> LIFStationary:
    r"""All self-consistent stationary rates of an LIF network and their stability.

    Solves ``nu_a = Phi(mu_a(nu), sigma_a(nu))`` (Brunel 2000, eqs. 4-5 and 21) for
    every population.  Populations with identical inputs (identical rows of ``K``,
    ``J`` and external drive, e.g. E and I of Brunel's model A) share their rate at
    any fixed point, so the problem is reduced to its ``Q`` distinct groups:

    * ``Q = 1``: ``F(nu) = Phi(nu) - nu`` is scanned on ``0`` plus a log-spaced grid of
      ``n_grid`` points in ``[1e-6, nu_max]`` Hz and every sign change is refined
      (vectorised false position).  Guaranteed: every root where F changes sign
      between grid points is found (``complete=True``); tangential double roots
      between grid points could be missed.  ``F(nu_max) < 0`` when ``nu_max < 1/t_ref``.
    * ``Q >= 2``: multi-start Powell hybrid (analytic Jacobian, log-rate variables)
      from a grid of ``n_starts`` initial points, deduplicated; no completeness
      guarantee (``complete=False``).

    Each fixed point carries the eigenvalues of ``dPhi/dnu - I`` (analytic derivatives
    of the Siegert formula): the linear stability of the rate dynamics
    ``tau dnu/dt = -nu + Phi(nu)``.

    Parameters
    ----------
    net : LIFNetwork
    tol : float
        Relative tolerance of the rates.
    nu_max : float, optional
        Upper end of the search in Hz; default ``1/t_ref`` (1e4 Hz if ``t_ref = 0``).
    n_grid, n_starts : int
        Scan resolution (Q = 1) and number of starts (Q >= 2).
    max_jump, max_refractory_fraction : float
        Validity flags: PSPs ``|J| > max_jump (V_th - V_reset)`` or ``nu t_ref >
        max_refractory_fraction`` mark the result as outside the diffusion approximation.
    raise_on_failure : bool
        Raise :class:`~rnmf.results.ConvergenceError` if no fixed point is found or a
        refinement does not converge.

    Returns
    -------
    LIFStationary

    References
    ----------
    Brunel (2000) J Comput Neurosci 8:183, eqs. 4-5, 21; Amit & Brunel (1997).
    """
    if not isinstance(net, LIFNetwork):
        raise ValueError(f"net must be an LIFNetwork, got {type(net).__name__}")
    tol = check_positive("tol", tol)
    n_grid = _check_n_grid(n_grid, 10**6)
    n_starts = check_int("n_starts", n_starts, minimum=1)
    max_jump = check_positive("max_jump", max_jump)
    max_refractory_fraction = check_positive("max_refractory_fraction", max_refractory_fraction)
    nu_max = _default_nu_max(net, nu_max)
    options = dict(tol=tol, nu_max=nu_max, n_grid=n_grid, n_starts=n_starts)
    groups = _groups(net)
    Q = len(groups)
    rtol = max(tol, 4 * np.finfo(float).eps)

    def expand(x):  # group rates (..., Q) -> population rates (..., P)
        x = np.asarray(x, dtype=float)
        out = np.empty(x.shape[:-1] + (net.P,))
        for q, g in enumerate(groups):
            out[..., g] = x[..., q : q + 1]
        return out

    n_iter = 0
    if Q == 1:

        def F(nu):
            full = expand(np.asarray(nu)[..., None])
            return _phi(net, full)[0][..., 0] - nu

        roots, conv, n_iter = _scan_roots_1d(F, nu_max, n_grid, rtol)
        candidates = [expand(np.array([r])) for r in np.sort(roots)]
        complete = True
        method = "scan+false-position (reduced 1-D)"
    else:
        conv = True
        complete = False
        method = f"multi-start hybr ({Q} groups)"
        m = max(2, int(round(n_starts ** (1.0 / Q))))
        axis = np.logspace(-2, math.log10(nu_max * 0.9), m)
        candidates = []

        reps = [g[0] for g in groups]
        z_lo, z_hi = math.log(1e-300), math.log(nu_max)

        def log_phi(z):
            full = expand(np.exp(np.clip(z, z_lo, z_hi)))
            mu, sigma = _input_stats(net, full)
            return _log_rate_ms(mu, sigma, **_neuron(net))[0][..., reps] + math.log(1000.0)

        def G(z):  # log Phi(nu) - log nu
            return log_phi(z) - z

        def dG(z):
            nu = np.exp(np.clip(z, z_lo, z_hi))
            full = expand(nu)
            phi = _phi(net, full)[0][reps]
            Jf = _jacobian(net, full)[reps]
            Jq = np.stack([Jf[:, g].sum(axis=1) for g in groups], axis=1)
            return Jq * nu[None, :] / phi[:, None] - np.eye(Q)

        starts = np.log(np.array(list(itertools.product(axis, repeat=Q))))
        bal = balanced_rates(net)
        if bal.positive and np.all(bal.rates < nu_max):
            # the large-K balanced solution is a good start where the gain is high
            starts = np.concatenate([np.log(bal.rates[reps])[None, :], starts])
        # relaxation of tau dnu/dt = -nu + Phi(nu) from every start (finds the stable
        # states), then Powell hybrid from every start and every relaxed point
        z = starts.copy()
        for _ in range(300):
            z = z + np.log1p(0.3 * np.expm1(np.clip(G(z), -50, 50)))
            z = np.clip(z, z_lo, z_hi)
        n_iter += 300 * len(starts)
        with np.errstate(all="ignore"):
            for start in np.concatenate([z, starts]):
                sol = optimize.root(G, start, jac=dG, method="hybr", tol=1e-14)
                n_iter += int(sol.nfev)
                if not np.all(np.isfinite(sol.x)) or np.any(sol.x > z_hi) or np.any(sol.x < z_lo):
                    continue
                if np.max(np.abs(G(sol.x))) > 1e3 * rtol:
                    continue
                nu = np.exp(sol.x)
                if all(np.max(np.abs(nu - c) / nu) > 1e-6 for c in candidates):
                    candidates.append(nu)
        candidates = [expand(c) for c in sorted(candidates, key=lambda c: float(np.mean(c)))]

    sols = []
    for nu in candidates:
        mu, sigma = _input_stats(net, nu)
        phi = _phi(net, nu)[0]
        resid = float(np.max(np.abs(phi - nu)) / max(float(np.max(nu)), 1e-300))
        ev = np.linalg.eigvals(_jacobian(net, nu) - np.eye(net.P))
        cv = _cv(mu, sigma, **_neuron(net))
        sols.append(
            LIFFixedPoint(
                rates=nu,
                mu=mu,
                sigma=sigma,
                cv=cv,
                eigenvalues=ev,
                stable=bool(np.all(ev.real < 0)),
                residual=resid,
            )
        )
    sols.sort(key=lambda s: float(np.mean(s.rates)))
    validity = []
    J_all = np.abs(np.asarray(net.J))[np.asarray(net.K) > 0]
    J_all = np.concatenate([J_all, np.abs(np.asarray(net.J_ext))[np.asarray(net.C_ext) > 0]])
    if J_all.size and J_all.max() > max_jump * (net.V_th - net.V_reset):
        validity.append(
            f"PSP {J_all.max():g} mV exceeds {max_jump:g} (V_th - V_reset): "
            "the diffusion approximation needs many small jumps"
        )
    if any(float(np.max(s.rates)) * net.t_ref / 1000.0 > max_refractory_fraction for s in sols):
        validity.append(
            f"a solution has nu t_ref > {max_refractory_fraction:g}: rates dominated by "
            "refractoriness (near saturation), the white-noise approximation is poor"
        )
    if sols:
        stable = [s for s in sols if s.stable]
        primary = stable[0] if stable else sols[0]
        residual = max(s.residual for s in sols)
        ok = conv and residual < 1e3 * rtol + 1e-12
        status = Status.CONVERGED if ok else Status.TOLERANCE
    else:
        nanv = np.full(net.P, np.nan)
        primary = LIFFixedPoint(nanv, nanv, nanv, nanv, nanv.astype(complex), False, np.inf)
        residual, ok, status = float("inf"), False, Status.NO_SOLUTION
    result = LIFStationary(
        model=net,
        method=method,
        options=options,
        converged=ok,
        status=status,
        n_iter=int(n_iter),
        residual=residual,
        rates=primary.rates,
        mu=primary.mu,
        sigma=primary.sigma,
        cv=primary.cv,
        eigenvalues=primary.eigenvalues,
        stable=primary.stable,
        solutions=tuple(sols),
        n_solutions=len(sols),
        complete=complete,
        diffusion_valid=not validity,
        validity=tuple(validity),
    )
    return finish(result, raise_on_failure)


@dataclass(frozen=True, kw_only=True, repr=False)
class BrunelGrid(Result):
    """Fixed points of Brunel's model A over a grid of (g, eta).

    Attributes
    ----------
    g, eta : ndarray
        Broadcast grid (shape S).
    rates : ndarray (S + (n_max,))
        All fixed-point rates (Hz) at each grid point, ascending, NaN-padded.
    stable : ndarray of bool (S + (n_max,))
        Rate-dynamics stability of each (``F'(nu) < 0`` in the reduced 1-D problem).
    n_solutions : ndarray of int (S)
    """

    g: np.ndarray
    eta: np.ndarray
    rates: np.ndarray
    stable: np.ndarray
    n_solutions: np.ndarray


def brunel_rates(
    g: Any,
    eta: Any,
    *,
    tol: float = 1e-12,
    n_grid: int = 100,
    raise_on_failure: bool = True,
    **brunel_kwargs: Any,
) -> BrunelGrid:
    r"""All stationary rates of Brunel's model A on a (g, eta) grid, vectorised.

    Model A has identical E and I neurons, so ``nu_E = nu_I = nu`` with
    ``mu = C_E J tau (nu_ext + nu (1 - g gamma))``, ``sigma^2 = C_E J^2 tau (nu_ext +
    nu (1 + g^2 gamma))`` (Brunel 2000, eqs. 4-5) and ``nu = Phi(mu, sigma)`` (eq. 21).
    All grid points are scanned and refined together (same method as
    :func:`stationary_rates` with one group).

    Parameters
    ----------
    g, eta : array_like
        Relative inhibition and ``nu_ext / nu_thr``, broadcast against each other.
    brunel_kwargs
        Passed to :meth:`LIFNetwork.brunel` (``N_E, gamma, epsilon, J, D, tau_m, V_th,
        V_reset, t_ref, ...``).

    References
    ----------
    Brunel (2000) J Comput Neurosci 8:183, eqs. 4-5, 21 and Fig. 2.
    """
    g, eta = np.broadcast_arrays(
        check_array("g", g, finite=False).reshape(np.shape(g)),
        check_array("eta (nu_ext / nu_thr)", eta, finite=False).reshape(np.shape(eta)),
    )
    if g.size > _MAX_POINTS:
        raise ValueError(f"g and eta broadcast to {g.size} points; at most {_MAX_POINTS} at once")
    if np.any(~np.isfinite(g)) or np.any(g < 0):
        raise ValueError("g must be finite and >= 0")
    if np.any(~np.isfinite(eta)) or np.any(eta < 0):
        raise ValueError("eta (nu_ext / nu_thr) must be finite and >= 0")
    n_grid = _check_n_grid(n_grid, 10**5 // max(1, g.size) + 10)
    tol = check_positive("tol", tol)
    net = LIFNetwork.brunel(1.0, 1.0, **brunel_kwargs)  # validates the kwargs
    nb = _neuron(net)
    KJ, KJ2, *_ = _net_arrays(net)
    C_E, C_I = net.K[0]
    J = net.J[0][0]
    gamma = C_I / C_E
    nu_thr = net.V_th / (J * C_E * net.tau_m) * 1000.0
    ext_rate = eta.ravel() * nu_thr
    gg = g.ravel()
    sc = net.tau_m / 1000.0
    C_ext, J_ext = net.C_ext[0], net.J_ext[0]

    def F(nu, idx=slice(None)):
        ge = gg[idx]
        xe = ext_rate[idx]
        mu = sc * (C_E * J * nu * (1.0 - ge * gamma) + C_ext * J_ext * xe)
        var = sc * (C_E * J**2 * nu * (1.0 + ge**2 * gamma) + C_ext * J_ext**2 * xe)
        return _siegert_and_derivatives(mu, np.sqrt(var), **nb)[0] - nu

    nu_max = _default_nu_max(net, None)
    grid = np.concatenate([[0.0], np.logspace(-6, math.log10(nu_max), n_grid)])
    vals = F(grid[None, :], (slice(None), None))
    crossing = np.sign(vals[:, :-1]) * np.sign(vals[:, 1:]) < 0
    pt, k = np.nonzero(crossing)
    rtol = max(tol, 4 * np.finfo(float).eps)
    root, conv, n_iter = _vector_brent(
        lambda x: F(x, pt), grid[k], grid[k + 1], vals[pt, k], vals[pt, k + 1], rtol
    )
    zero_pt = np.nonzero(vals[:, 0] == 0.0)[0]
    pt = np.concatenate([zero_pt, pt])
    root = np.concatenate([np.zeros(zero_pt.size), root])
    npts = gg.size
    counts = np.bincount(pt, minlength=npts)
    n_max = max(int(counts.max()) if counts.size else 0, 1)
    rates = np.full((npts, n_max), np.nan)
    order = np.lexsort((root, pt))
    pt, root = pt[order], root[order]
    slot = np.arange(pt.size) - np.searchsorted(pt, pt)
    rates[pt, slot] = root
    # slope of F at the root: stable iff F'(nu) < 0 (sign alternates along nu)
    stable = np.zeros_like(rates, dtype=bool)
    for j in range(n_max):
        have = ~np.isnan(rates[:, j])
        x = rates[have, j]
        h = np.maximum(1e-7 * x, 1e-12)
        idx = np.nonzero(have)[0]
        stable[have, j] = (F(x + h, idx) - F(np.maximum(x - h, 0.0), idx)) < 0
    shape = g.shape
    ok = bool(np.all(conv)) and bool(np.all(counts > 0))
    result = BrunelGrid(
        model=net,
        method="vectorised scan+false-position",
        options=dict(tol=tol, n_grid=n_grid, **brunel_kwargs),
        converged=ok,
        status=Status.CONVERGED if ok else Status.NO_SOLUTION,
        n_iter=int(n_iter),
        residual=0.0,
        g=g,
        eta=eta,
        rates=rates.reshape(shape + (n_max,)),
        stable=stable.reshape(shape + (n_max,)),
        n_solutions=counts.reshape(shape),
    )
    return finish(result, raise_on_failure)
