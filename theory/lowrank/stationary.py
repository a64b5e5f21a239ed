r"""All stationary mean-field states of a low-rank network: :class:`LowRankState` and :func:`solve`.

Static states (Mastrogiuseppe & Ostojic 2018, Neuron 99:609, STAR Methods, stationary
solutions) and chaotic states (ibid., chaotic solutions; Beiran et al. 2021, Neural Comput
33:1572, Sec. 2.2 for mixtures), each with its stability.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from rnmf._checks import check_bool, check_int
from rnmf.models import LowRankNetwork
from rnmf.results import ConvergenceError, Result, Status, finish

from ..dmft._common import check_memory, check_tol
from ..dmft.states import D_RESOLVED
from ._load import COARSE_P, _check_lr, _Load
from .chaotic import (
    _chaos_closure,
    _chaos_jacobian,
    _chaos_rank_one_all,
    _chaos_rank_r_all,
    _chaotic_closure_vec,
    _mix,
)
from .static import (
    _kappa_bound,
    _kappa_map,
    _quiet_candidates,
    _static_rank_one,
    _static_rank_r,
    kappa_search_range,
    linear_stability,
)

__all__ = ["LowRankState", "solve"]

#: Largest ``n_scan`` and ``n_starts``: the rank-one chaotic scan solves the mixture DMFT at
#: ``n_scan // 16`` kappa values (~10 ms each) and each rank-R start runs Newton (~0.1 s),
#: so beyond these limits a call would run for hours.
_MAX_SCAN = 100_000
_MAX_STARTS = 10_000

#: Largest magnitude of a loading statistic (mean, standard deviation, explicit entry, input
#: amplitude): the variance of x grows like (S kappa)^2 ~ scale^4, which must stay finite
#: (checked: rank one with rho = 1 gives kappa = sqrt(2/pi) S to 1e-15 up to S = 1e50; at
#: 1e100 the products overflow).
LOAD_MAX = 1e50


def _check_scales(net: LowRankNetwork, chaotic: bool) -> None:
    """Refuse loadings whose products overflow, and a bulk g whose chaotic state the
    mixture DMFT cannot resolve (tanh/erf averages up to a variance of ``D_RESOLVED``)."""
    parts = {}
    if net.explicit:  # named first: means and cov are their sample statistics
        parts["m"] = np.abs(np.asarray(net.m))
        parts["n"] = np.abs(np.asarray(net.n))
        if net.input_vectors is not None:
            parts["input_vectors"] = np.abs(np.asarray(net.input_vectors))
    parts["means"] = np.abs(net.mean_array())
    parts["cov (standard deviations)"] = np.sqrt(np.abs(np.diagonal(net.cov_array(), 0, 1, 2)))
    parts["inputs"] = np.abs(np.asarray(net.inputs, float))
    for name, a in parts.items():
        if a.size and float(np.max(a)) > LOAD_MAX:
            raise ValueError(
                f"LowRankNetwork.{name} reaches {float(np.max(a)):.3g}, beyond {LOAD_MAX:g}: "
                "the variance of the input (S kappa)^2 grows like the 4th power of the "
                "loadings and would overflow double precision; rescale the loadings"
            )
    if chaotic and net.g > 0 and net.phi.kind in ("tanh", "erf", "custom"):
        if net.g**2 > D_RESOLVED:
            raise ValueError(
                f"LowRankNetwork.g = {net.g:g}: the chaotic states come from the mixture DMFT, "
                f"whose Gaussian averages of the saturating phi ({net.phi.kind}) resolve "
                f"variances up to {D_RESOLVED:g} (g <= {math.sqrt(D_RESOLVED):.4g}); pass "
                "chaotic=False for the static states only (exact at any g)"
            )


# populations of the coarse measure on which chaotic states of explicit networks are solved
# (the mixture DMFT costs ~1 s per population and 24 kappa rows; 16 leaves of a sampled
# Gaussian network change kappa by ~1e-5 relative against 64)
_CHAOS_P = 16


# ----------------------------------------------------------------------------------------
# results
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True, repr=False)
class LowRankState(Result):
    r"""One stationary mean-field state of a low-rank network.

    Attributes
    ----------
    kappa : ndarray (R,)
        Latent variables :math:`\kappa_r = \langle n_r\phi(x)\rangle` (M&O STAR Methods, mean-field equations).
    mu : float
        Mean of x over all units.
    Delta0 : float
        Variance of x over units (and time): :math:`\Delta_0` (M&O STAR Methods, mean-field equations).
    Delta_inf : float
        Variance of the time-averaged x over units (:math:`=\Delta_0` at a fixed point).
    Delta_eta : float
        Equal-time variance of the random-bulk field :math:`\eta` (0 for g = 0).
    regime : str
        ``"quiet"`` (x = 0 for all units), ``"static"`` (fixed point) or ``"chaotic"``.
    stable : bool
        Fixed points: bulk radius < 1 and every outlier has real part < 1.  Chaotic
        states: the kappa mode is stable, i.e. the slope of the chaotic kappa map is < 1
        (rank R: every eigenvalue of :math:`dF_r/d\kappa_s` has real part < 1; adiabatic
        approximation; M&O Fig. 2 discussion of the bistable chaotic phase).
    bulk_radius : float
        :math:`g\sqrt{\langle\phi'^2\rangle}` (NaN for chaotic states).
    outliers : ndarray of complex
        Eigenvalues of the linearised connectivity outside the bulk (Jacobian
        eigenvalues are ``(outliers - 1) / tau``); empty for chaotic states.
    kappa_slope : float
        Chaotic states: :math:`dF/d\kappa` of the chaotic kappa map (rank one), the largest
        real part of the eigenvalues of the Jacobian :math:`dF_r/d\kappa_s` (rank R).
    mu_p, Delta0_p : ndarray (P,)
        Mean and variance of x within each population (chaotic: :math:`S_p + \Delta_0`).
    Delta_inf_p : ndarray (P,)
        Variance of the time-averaged x within each population (chaotic:
        :math:`S_p + \Delta_\infty`; equal to ``Delta0_p`` at a fixed point).
    dmft : DMFTResult, MixtureChaos or None
        The DMFT solution behind a chaotic state (``autocorrelation(lags)`` etc.): a
        :class:`rnmf.theory.dmft.DMFTResult` for one population, a
        :class:`rnmf.theory.dmft.mixture.MixtureChaos` for a mixture.
    solutions : tuple of LowRankState
        Every state found (on the main result).
    kappa_range : float
        Radius B of the box :math:`|\kappa_r| \le B` that was searched.
    kappa_range_proven : bool
        True when B provably contains every stationary state
        (:func:`rnmf.theory.lowrank.static.kappa_search_range`: bounded phi, or
        linear-growth phi with weak enough structure); False for a heuristic range, in
        which case states beyond B are not excluded (:func:`solve` also warns).
    kappa_range_reason : str
        How B was obtained.
    """

    kappa: np.ndarray = field(default_factory=lambda: np.zeros(1))
    mu: float = math.nan
    Delta0: float = math.nan
    Delta_inf: float = math.nan
    Delta_eta: float = math.nan
    regime: str = ""
    stable: bool = False
    bulk_radius: float = math.nan
    outliers: np.ndarray = field(default_factory=lambda: np.zeros(0, complex))
    kappa_slope: float = math.nan
    mu_p: np.ndarray = field(default_factory=lambda: np.zeros(0))
    Delta0_p: np.ndarray = field(default_factory=lambda: np.zeros(0))
    Delta_inf_p: np.ndarray = field(default_factory=lambda: np.zeros(0))
    dmft: Any = field(default=None, compare=False)
    solutions: tuple = ()
    kappa_range: float = math.nan
    kappa_range_proven: bool = False
    kappa_range_reason: str = ""

    def _repr_rows(self) -> list[tuple[str, str]]:
        rows = [
            r
            for r in super()._repr_rows()
            if r[0] not in ("solutions", "dmft", "kappa_range_reason")
        ]
        if self.solutions:
            desc = "; ".join(
                f"{s.regime}(kappa={np.array2string(s.kappa, precision=4)}, "
                f"{'stable' if s.stable else 'unstable'})"
                for s in self.solutions
            )
            rows.append(("solutions", f"{len(self.solutions)}: {desc}"))
        return rows


def _state_from_static(L: _Load, kappa: np.ndarray, d_eta: float, options: dict) -> LowRankState:
    net = L.net
    F, _, mu, D0, e = _kappa_map(L, kappa[None], np.array([d_eta]))
    mu_p, D0_p = mu[0], D0[0]
    mu_tot = float(L.w @ mu_p)
    var_tot = float(L.w @ (D0_p + mu_p**2) - mu_tot**2)
    bulk, _, out = linear_stability(net, kappa, d_eta)
    resid = float(np.max(np.abs(F[0] - kappa)))
    if L.g2 > 0:
        resid = max(resid, abs(L.g2 * float(e["phi2"][0] @ L.w) - d_eta))
    stable = bool(bulk < 1.0 and (out.size == 0 or np.max(out.real) < 1.0))
    quiet = d_eta == 0.0 and np.all(kappa == 0.0) and var_tot == 0.0 and np.all(L.tr(mu_p) == 0.0)
    return LowRankState(
        model=net,
        method="static mean field (M&O 2018 STAR Methods)",
        options=options,
        residual=resid,
        kappa=np.array(kappa, float),
        mu=mu_tot,
        Delta0=max(var_tot, 0.0),
        Delta_inf=max(var_tot, 0.0),
        Delta_eta=float(d_eta),
        regime="quiet" if quiet else "static",
        stable=stable,
        bulk_radius=bulk,
        outliers=out,
        mu_p=np.array(mu_p),
        Delta0_p=np.array(D0_p),
        Delta_inf_p=np.array(D0_p),
    )


def _chaotic_state(L: _Load, k: np.ndarray, options: dict, tol: float) -> LowRankState | None:
    """Build a chaotic LowRankState at a root kappa of the chaotic closure."""
    from ..dmft import mixture

    net = L.net
    mx = _mix(L)
    B = _kappa_bound(L)
    F, D0a, Dia = _chaos_closure(L, k[None], mx)
    if not np.isfinite(D0a[0]):
        return None
    D0, Dinf = float(D0a[0]), float(Dia[0])
    mu, S, _ = L.stats(k[None])
    mu_p, S_p = mu[0], S[0]
    Jac = _chaos_jacobian(L, k, 1e-5 * B, mx)
    if L.R == 1:
        slope = float(Jac[0, 0]) if np.isfinite(Jac[0, 0]) else math.nan
    else:
        slope = float(np.max(np.linalg.eigvals(Jac).real)) if np.all(np.isfinite(Jac)) else math.nan
    if L.P == 1:
        _, sol = _chaotic_closure_vec(L, k, tol)  # the one-population DMFTResult (autocorrelation)
    else:
        sol = mixture.solve_mixture(net.g, L.tr, L.w, mu_p, S_p)
    m_tot = float(L.w @ mu_p)
    spread = float(L.w @ (mu_p - m_tot) ** 2)
    return LowRankState(
        model=net,
        method=(
            "mixture DMFT with quenched input (M&O 2018 STAR Methods; Beiran et al. 2021 "
            "Sec. 2.2) + kappa closure"
        ),
        options=options,
        residual=float(np.max(np.abs(F[0] - k))),
        kappa=np.array(k, float),
        mu=m_tot,
        Delta0=float(L.w @ S_p) + D0 + spread,
        Delta_inf=float(L.w @ S_p) + Dinf + spread,
        Delta_eta=D0,
        regime="chaotic",
        stable=bool(slope < 1.0),
        kappa_slope=slope,
        mu_p=np.array(mu_p),
        Delta0_p=S_p + D0,
        Delta_inf_p=S_p + Dinf,
        dmft=sol,
    )


def _exact_check(L: _Load, Lc: _Load, st: LowRankState) -> LowRankState:
    r"""A chaotic state found on the coarse measure ``Lc``, checked on the exact one ``L``.

    With the shared bulk variance Delta_0 of the coarse DMFT, each unit's x is Gaussian with
    mean :math:`a_i\cdot v` and variance Delta_0 over time, so the exact kappa map is the
    per-unit average :math:`\frac1N\sum_i n_i\langle\phi\rangle_i`; its distance to kappa
    becomes the residual (the coarsening error, reported instead of hidden).
    """
    d0 = float(st.Delta_eta)
    F, _, mu, D0, _ = _kappa_map(L, st.kappa[None], np.array([d0]))
    resid = max(float(st.residual), float(np.max(np.abs(F[0] - st.kappa))))
    m_tot = float(L.w @ mu[0])
    spread = float(L.w @ (mu[0] - m_tot) ** 2)  # variance of the units' mean inputs
    d_inf = float(st.Delta_inf_p[0] - Lc.stats(st.kappa[None])[1][0, 0])  # bulk Delta_inf
    return replace(
        st,
        method=st.method
        + f"; explicit vectors: empirical measure of {L.P} distinct units coarsened to "
        f"{Lc.P} Gaussian populations, kappa residual checked on the exact measure",
        residual=resid,
        mu=m_tot,
        Delta0=spread + d0,
        Delta_inf=spread + d_inf,
    )


def solve(
    net: LowRankNetwork,
    *,
    chaotic: bool = True,
    tol: float = 1e-10,
    n_scan: int = 400,
    n_starts: int = 32,
    raise_on_failure: bool = True,
) -> LowRankState:
    r"""All stationary mean-field states of a low-rank network, each with its stability.

    Static states solve (M&O 2018 STAR Methods, stationary solutions; Beiran et al. 2021, Sec. 2.2)

    .. math:: \kappa_r = \sum_p\alpha_p\big[\bar n_{r,p}\langle\phi\rangle_p
              + \mathrm{Cov}_p(n_r,x)\langle\phi'\rangle_p\big],\quad
              \Delta_\eta = g^2\sum_p\alpha_p\langle\phi^2\rangle_p,\quad
              \Delta_{0,p} = v^T\Sigma_p v + \Delta_\eta,

    found for rank one by a scan of kappa over a range that provably contains every state,
    :math:`|\kappa| \le 1.02\langle|n|\rangle\sup|\phi|` for bounded phi (all roots,
    bistable pairs included; unbounded phi: a proven linear-growth bound where one
    exists, else a heuristic range with a ``RuntimeWarning`` and
    ``kappa_range_proven=False``; :func:`rnmf.theory.lowrank.static.kappa_search_range`)
    and for rank R >= 2 by Newton from many starting points in that box.

    A network given by explicit vectors (``LowRankNetwork.from_vectors``) is solved for its
    own N units, not for a Gaussian with their sample moments: the averages run over the
    empirical measure of :math:`(m_i, n_i, I_i)`, each unit with its Gaussian bulk field
    (a mixture of delta populations, :func:`rnmf.theory.lowrank._load._empirical`; units
    with equal m and I merge exactly).  Static states are exact for the given units: with
    g > 0 and more than 64 distinct units the scan runs on a moment-matched coarse mixture
    (:func:`rnmf.theory.lowrank._load._coarsen`) and every root is then polished by Newton
    on the exact measure.  Chaotic states of more than 16 distinct units are solved on the
    16-population coarse mixture (the mixture DMFT costs ~1 s per population); their
    ``residual`` is the kappa residual on the exact measure (~1e-5 for a sampled Gaussian
    network of 3000 units) and ``method`` says so.  Chaotic states (g > 0, any P and R)
    solve the mixture DMFT with per-population quenched means :math:`\mu_p` and variances
    :math:`S_p` and one shared dynamic field (module docstring, :mod:`rnmf.theory.dmft.mixture`;
    M&O 2018 STAR Methods, chaotic solutions, for P = 1; Beiran et al. 2021 Sec. 2.2 for the
    populations) closed by the same kappa equation.

    Parameters
    ----------
    net : LowRankNetwork
    chaotic : bool
        Also search chaotic states (each kappa evaluation solves the mixture DMFT, ~5-15 ms,
        vectorised over many kappa).  Rank one: a scan of ``max(24, n_scan // 16)``
        points per sign over :math:`|\kappa| \le B` (plus kappa = 0) for sign changes of
        :math:`F_c(\kappa) - \kappa`, each polished by Brent (all roots whose neighbours
        on the scan have a chaotic solution).  Rank R >= 2: damped Newton from kappa = 0,
        from every static state whose bulk radius exceeds 1 and from ``n_starts``
        scrambled Sobol points in the box :math:`|\kappa_r| \le B`, deduplicated (and
        mirrored for odd phi without inputs); cost ~``(R + 2) n_starts n_iter`` closure
        rows, ~5-10 s for R = 2 and 32 starts (about twice that for 64).
    tol : float
        Tolerance of the DMFT solves (relative, in (0, 1e-3)).
    n_scan : int
        Scan points for rank one (20 to 100000; refused up front when the scan's arrays
        would not fit into memory).
    n_starts : int
        Quasi-random starts of the rank R >= 2 chaotic search (0 to 10000).
    raise_on_failure : bool
        Raise :class:`rnmf.results.ConvergenceError` if no state is found.

    Raises
    ------
    ValueError
        For a bad argument (named in the message); for loadings (means, standard
        deviations, explicit entries, input amplitudes) beyond ``LOAD_MAX`` = 1e50, whose
        4th powers overflow; with ``chaotic=True`` for a saturating ``phi`` and
        :math:`g^2 >` :data:`rnmf.theory.dmft.states.D_RESOLVED` (g > ~94.9), where the
        mixture DMFT does not resolve the chaotic state (g = 1000 returned the unstable
        static state as converged): ``chaotic=False`` still gives the static states.

    Returns
    -------
    LowRankState
        The main state (stable first, chaotic before static, larger kappa_1 first),
        with ``solutions`` holding every state.

    Examples
    --------
    >>> net = LowRankNetwork.rank_one(N=1000, g=1.0, M_m=1.1, M_n=2.0, S_m=1.0)
    >>> round(float(solve(net, chaotic=False).kappa[0]), 8)
    1.08785127
    """
    net = _check_lr(net)
    chaotic = check_bool("chaotic", chaotic)
    raise_on_failure = check_bool("raise_on_failure", raise_on_failure)
    tol = check_tol(tol)
    n_scan = check_int("n_scan", n_scan, minimum=20, maximum=_MAX_SCAN)
    n_starts = check_int("n_starts", n_starts, minimum=0, maximum=_MAX_STARTS)
    _check_scales(net, chaotic)
    L = _Load(net)
    # the rank-one scan evaluates the kappa map at n_scan points at once: per point and
    # population ~6 float64 arrays over the quadrature nodes (<= 901 for tanh/erf, whose wide
    # variances use 201 x-nodes; <= 4001 otherwise).  Explicit units without bulk are delta
    # populations (zero variance): phi is evaluated once per unit, without nodes.
    if net.explicit and L.g2 == 0:
        n_nodes = 1
    else:
        n_nodes = 901 if L.tr.kind in ("tanh", "erf") else 4001
    P_scan = min(L.P, COARSE_P) if L.g2 > 0 else L.P
    check_memory("n_scan", n_scan, 6 * 8.0 * n_scan * P_scan * n_nodes)
    options = {"chaotic": chaotic, "tol": tol, "n_scan": n_scan, "n_starts": n_starts}
    B, proven, reason = kappa_search_range(L)
    if not proven:
        warnings.warn(
            f"lowrank.solve: {reason}; stationary states with larger |kappa| are not "
            "excluded (check with a simulation)",
            RuntimeWarning,
            stacklevel=2,
        )
    raw = _quiet_candidates(L)
    raw += _static_rank_one(L, tol, n_scan) if L.R == 1 else _static_rank_r(L, tol, 40)
    states = []
    for k, d in raw:
        if any(
            np.allclose(k, s.kappa, rtol=1e-8, atol=1e-10)
            and abs(d - s.Delta_eta) <= 1e-8 * (1 + d)
            for s in states
        ):
            continue
        states.append(_state_from_static(L, k, d, options))
    if chaotic and net.g > 0:
        sym = bool(L.tr.odd and L.K == 0)
        # the mixture DMFT costs ~P two-point averages per step: many explicit units are
        # coarsened (_Load.coarse) and the exact measure checks the kappa residual
        Lc = L.coarse(_CHAOS_P)
        if L.R == 1:
            found = _chaos_rank_one_all(Lc, max(24, n_scan // 16), sym)
        else:
            # every static state unstable through its bulk, plus the quasi-random starts
            extra = [s.kappa for s in states if s.bulk_radius > 1.0]
            found, _cost = _chaos_rank_r_all(Lc, extra, n_starts, sym)
        for k in found:
            st = _chaotic_state(Lc, k, options, tol)
            if st is not None:
                if Lc is not L:
                    st = _exact_check(L, Lc, st)
                states.append(st)
    if not states:
        empty = LowRankState(
            model=net,
            method="static mean field",
            options=options,
            converged=False,
            status=Status.NO_SOLUTION,
            residual=math.inf,
            kappa_range=B,
            kappa_range_proven=proven,
            kappa_range_reason=reason,
        )
        if raise_on_failure:
            raise ConvergenceError(
                f"no stationary low-rank mean-field state found in |kappa| <= {B:.6g} ({reason}); "
                "with unbounded phi the activity may diverge: reduce g or the structure strength",
                empty,
            )
        return empty
    rank = {"chaotic": 0, "static": 1, "quiet": 2}
    states.sort(key=lambda s: (not s.stable, rank[s.regime], -float(s.kappa[0])))
    extra = {"kappa_range": B, "kappa_range_proven": proven, "kappa_range_reason": reason}
    states = [replace(s, **extra) for s in states]
    sols = tuple(states)
    return finish(replace(states[0], solutions=sols), raise_on_failure)
