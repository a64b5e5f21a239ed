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

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnmf._checks import check_array, check_choice, check_int, check_positive
from rnmf.models import LIFNetwork
from rnmf.results import Result, Status, finish

from ._newton import _LOW_START, _Ctx, _damped_newton, _halton, _search
from .balanced import balanced_rates
from .inputs import _groups, _input_stats, _jacobian, _net_arrays, _neuron, _phi
from .neuron import (
    SYNAPSE_METHODS,
    _cv,
    _rate_and_derivatives,
    _siegert_and_derivatives,
)


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
    t_ref = net.neuron("t_ref")
    if np.all(t_ref > 0):
        return 1000.0 / float(np.min(t_ref)) * (1.0 - 1e-12)
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
    synapse: str = "shift",
    raise_on_failure: bool = True,
) -> LIFStationary:
    r"""All self-consistent stationary rates of an LIF network and their stability.

    Solves ``nu_a = Phi_a(mu_a(nu), sigma_a(nu))`` for every population, with the input
    statistics of :func:`input_statistics` (Brunel 2000, eqs. 4-5; Fourcaud & Brunel
    2002, eq. 3.4; per-population neurons, several external sources, weight spread) and
    the Siegert rate (Brunel 2000, eq. 21).  Populations with identical inputs and
    neurons (e.g. E and I of Brunel's model A) share their rate at any fixed point, so
    the problem is reduced to its ``Q`` distinct groups:

    * ``Q = 1``: ``F(nu) = Phi(nu) - nu`` is scanned on ``0`` plus a log-spaced grid of
      ``n_grid`` points in ``[1e-6, nu_max]`` Hz and every sign change is refined
      (vectorised false position).  Certified: every root where F changes sign between
      grid points is found (``complete=True``); tangential double roots between grid
      points could be missed.
    * ``Q >= 2``: batched damped Newton in log-rates ``z = log nu`` on
      ``G(z) = log Phi(e^z) - z`` (analytic Jacobian of the Siegert formula), run at once
      from (i) the low-rate start ``nu = Phi(0)`` (the rates the external drive alone
      gives, floored at 1e-2 Hz: the state NNMT's relaxation from ``nu = 0`` reaches
      when it is stable), (ii) the large-K balanced rates when positive, and (iii)
      ``n_starts`` Halton points in ``[1e-2, 0.9 nu_max]^Q`` (log scale) that look for
      other solutions.  Each iteration solves ``dG dz = -G`` for every start with one
      batched linear solve, limits ``|dz| <= 3`` and halves the step until ``|G|``
      decreases (Armijo); Newton converges quadratically, so a start costs ~10
      evaluations of the rate map.  Converged points are deduplicated (relative 1e-6).
      ``n_starts=0`` runs the low-rate start alone (fastest).  No completeness guarantee
      (``complete=False``): a solution whose basin contains no start is missed.

    Each fixed point carries the eigenvalues of ``dPhi/dnu - I`` (analytic derivatives):
    the linear stability of the rate dynamics ``tau dnu/dt = -nu + Phi(nu)``.

    Exponential synapses (``tau_s > 0``) enter through ``synapse``:

    * ``"shift"`` (default): both bounds shifted by ``alpha/2 sqrt(tau_s/tau_m)``
      (Fourcaud & Brunel 2002, eq. 4.33), first order in ``k = sqrt(tau_s/tau_m)``;
      accurate to a few percent for ``k <~ 0.5`` (flagged beyond);
    * ``"taylor"``: the same to first order in the shift, ``nu_0 - alpha k/2 sigma
      d nu_0/d mu`` (eq. 4.33 to first order; Schuecker, Diesmann & Helias 2015); valid while the
      correction is small against ``nu_0`` (flagged when it exceeds 30 % or turns the
      rate negative, which happens for weak noise below threshold).

    Parameters
    ----------
    net : LIFNetwork
    tol : float
        Relative tolerance of the rates.
    nu_max : float, optional
        Upper end of the search in Hz; default ``1 / min(t_ref)`` (1e4 Hz if some
        ``t_ref = 0``).
    n_grid, n_starts : int
        Scan resolution (Q = 1) and number of extra starts (Q >= 2, >= 0).
    max_jump, max_refractory_fraction : float
        Validity flags: weights ``|J| > max_jump (V_th - V_reset)`` or ``nu t_ref >
        max_refractory_fraction`` mark the result as outside the diffusion approximation.
    synapse : {"shift", "taylor"}
        Colored-noise treatment of exponential synapses (ignored for ``tau_s = 0``).
    raise_on_failure : bool
        Raise :class:`~rnmf.results.ConvergenceError` if no fixed point is found or a
        refinement does not converge.

    Returns
    -------
    LIFStationary

    References
    ----------
    Brunel (2000) J Comput Neurosci 8:183, eqs. 4-5, 21; Amit & Brunel (1997);
    Fourcaud & Brunel (2002) Neural Comput 14:2057, eqs. 3.4, 4.33; Schuecker, Diesmann &
    Helias (2015) Phys Rev E 92:052119.
    """
    if not isinstance(net, LIFNetwork):
        raise ValueError(f"net must be an LIFNetwork, got {type(net).__name__}")
    tol = check_positive("tol", tol)
    n_grid = _check_n_grid(n_grid, 10**6)
    n_starts = check_int("n_starts", n_starts, minimum=0, maximum=10**5)
    max_jump = check_positive("max_jump", max_jump)
    max_refractory_fraction = check_positive("max_refractory_fraction", max_refractory_fraction)
    check_choice("synapse", synapse, SYNAPSE_METHODS)
    nu_max = _default_nu_max(net, nu_max)
    options = dict(tol=tol, nu_max=nu_max, n_grid=n_grid, n_starts=n_starts, synapse=synapse)
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
            return _phi(net, full, synapse)[0][..., 0] - nu

        roots, conv, n_iter = _scan_roots_1d(F, nu_max, n_grid, rtol)
        candidates = [expand(np.array([r])) for r in np.sort(roots)]
        complete = True
        method = "scan+false-position (reduced 1-D)"
    else:
        complete = False
        method = f"batched damped Newton ({Q} groups, {n_starts} extra starts)"
        reps = [g[0] for g in groups]
        z_lo, z_hi = -1.0e4, math.log(nu_max)  # log-rates: silent populations stay finite
        low = np.full(Q, math.log(_LOW_START))
        starts = [low[None, :]]
        # the drive without recurrence (exact log: a silent population stays finite)
        mu0, sig0 = _input_stats(net, np.zeros(net.P))
        ext_only = _siegert_and_derivatives(mu0, sig0, **_neuron(net), return_log=True)[0]
        if n_starts and np.all(np.isfinite(ext_only[reps])):
            starts.append(np.clip(ext_only[reps], z_lo, math.log(0.5 * nu_max))[None, :])
        bal = balanced_rates(net)
        if n_starts and bal.positive and np.all(bal.rates < nu_max):
            starts.append(np.log(bal.rates[reps])[None, :])
        if n_starts:
            h = _halton(n_starts, Q)
            lo, hi = math.log(1e-2), math.log(0.9 * nu_max)
            starts.append(lo + (hi - lo) * h)
        first = np.concatenate(starts[:1])
        rest = np.concatenate(starts[1:]) if len(starts) > 1 else np.empty((0, Q))
        with np.errstate(all="ignore"):
            z, ok, n_eval = _search(_Ctx(net, "shift", groups), first, rest, z_lo, z_hi, rtol)
            n_iter += n_eval
            if synapse == "taylor" and np.any(net.neuron("tau_s") > 0):
                # the Taylor rate can be negative far from a solution: start it from the
                # shift solutions, which lie close to its own
                first = np.concatenate([z[ok], first])
                z, ok, n_eval = _search(
                    _Ctx(net, synapse, groups), first, rest[:0], z_lo, z_hi, rtol
                )
                n_iter += n_eval
        if np.any(ok):  # one more Newton step each: rates to round-off
            ctx = _Ctx(net, synapse if synapse == "taylor" else "shift", groups)
            with np.errstate(all="ignore"):
                zp, okp, n_eval = _damped_newton(ctx, z[ok], z_lo, z_hi, 0.0, max_iter=1)
            n_iter += n_eval
            z[ok] = np.where(okp[:, None], zp, z[ok])
        candidates = []
        for zi in z[ok]:
            nu = np.exp(zi)
            if all(np.max(np.abs(nu - c) / np.maximum(nu, 1e-300)) > 1e-6 for c in candidates):
                candidates.append(nu)
        conv = bool(ok[0]) or bool(candidates)
        candidates = [expand(c) for c in sorted(candidates, key=lambda c: float(np.mean(c)))]

    nb = _neuron(net)
    sols = []
    for nu in candidates:
        mu, sigma = _input_stats(net, nu)
        phi = _phi(net, nu, synapse)[0]
        resid = float(np.max(np.abs(phi - nu)) / max(float(np.max(nu)), 1e-300))
        ev = np.linalg.eigvals(_jacobian(net, nu, synapse) - np.eye(net.P))
        cv = _cv(mu, sigma, **nb)
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
    gap = np.asarray(nb["V_th"]) - np.asarray(nb["V_reset"])
    gap_row = np.broadcast_to(gap, (net.P,))
    K = np.asarray(net.K)
    J_blk = np.where(K > 0, np.abs(np.asarray(net.J)), 0.0).max(axis=1)
    _, k_ext, w_ext = net.external()
    J_ext = np.where(k_ext > 0, np.abs(w_ext), 0.0).max(axis=1)
    ratio = np.maximum(J_blk, J_ext) / gap_row
    if np.max(ratio) > max_jump:
        a = int(np.argmax(ratio))
        validity.append(
            f"PSP {max(J_blk[a], J_ext[a]):g} mV onto {net.populations[a]} exceeds "
            f"{max_jump:g} (V_th - V_reset): the diffusion approximation needs many small jumps"
        )
    t_ref = net.neuron("t_ref")
    if any(float(np.max(s.rates * t_ref)) / 1000.0 > max_refractory_fraction for s in sols):
        validity.append(
            f"a solution has nu t_ref > {max_refractory_fraction:g}: rates dominated by "
            "refractoriness (near saturation), the white-noise approximation is poor"
        )
    validity += _colored_noise_validity(net, sols, synapse)
    if not sols and synapse == "taylor":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            silent = np.asarray(_phi(net, np.zeros(net.P), synapse)[0], dtype=float)
        if np.any(silent < 0):
            a = int(np.argmin(silent))
            validity.append(
                f"the first-order Taylor rate of {net.populations[a]} is negative "
                f"({silent[a]:.3g} Hz without recurrent input): the expansion has left its "
                "validity range (Schuecker et al. 2015), so no self-consistent rate exists in "
                "it; use synapse='shift'"
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


#: sqrt(tau_s / tau_m) above which the colored-noise shift is flagged
_K_SHIFT_MAX = 0.5
#: relative difference of the shift and Taylor rates above which both are flagged
_TAYLOR_MAX = 1.0


def _k_flag(net: LIFNetwork, subject: str, source: str) -> list[str]:
    """The flag of the expansion parameter ``k = sqrt(tau_s / tau_m)`` of the colored-noise
    theory when it exceeds :data:`_K_SHIFT_MAX` (empty list otherwise)."""
    k = np.sqrt(net.neuron("tau_s") / net.neuron("tau_m"))
    if not np.max(k) > _K_SHIFT_MAX:
        return []
    a = int(np.argmax(k))
    return [
        f"sqrt(tau_s / tau_m) = {k[a]:.3g} > {_K_SHIFT_MAX} (population "
        f"{net.populations[a]}): the colored-noise {subject} is first order in it ({source})"
    ]


def _colored_noise_validity(net, sols, synapse) -> list[str]:
    """Flags for the colored-noise treatment of exponential synapses."""
    if not np.any(net.neuron("tau_s") > 0):
        return []
    out = _k_flag(net, "shift", "Fourcaud & Brunel 2002")
    nb = _neuron(net)
    for s in sols:
        shift = _siegert_and_derivatives(s.mu, s.sigma, **nb)[0]
        taylor = _rate_and_derivatives(s.mu, s.sigma, "taylor", **nb)[0]
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.abs(taylor - shift) / np.maximum(np.abs(shift), 1e-300)
        if np.any(taylor <= 0) or np.max(rel) > _TAYLOR_MAX:
            out.append(
                f"the shift and Taylor treatments of the synaptic filter differ by "
                f"{np.max(rel):.2g} (> {_TAYLOR_MAX}) at a solution: higher orders in "
                "sqrt(tau_s / tau_m) matter (Schuecker et al. 2015)"
            )
            break
    return out


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
    g_arr = check_array("g", g, finite=False).reshape(np.shape(g))
    eta_arr = check_array("eta (nu_ext / nu_thr)", eta, finite=False).reshape(np.shape(eta))
    try:
        g, eta = np.broadcast_arrays(g_arr, eta_arr)
    except ValueError:
        raise ValueError(
            f"g (shape {g_arr.shape}) and eta (shape {eta_arr.shape}) must broadcast "
            "against each other (numpy rules)"
        ) from None
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
