r"""Rank-one phase diagram in the plane (g, :math:`M_mM_n`) (Mastrogiuseppe & Ostojic 2018 Fig. 1).

Vectorised over the grid: the heterogeneous static state and its stability, the chaotic
kappa = 0 state (Sompolinsky, Crisanti & Sommers 1988 variance) and the phase boundaries
:func:`critical_g_chaos` and :func:`critical_g_bistable_chaos` (M&O 2018 STAR Methods).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rnmf._checks import (
    check_array,
    check_finite,
    check_int,
    check_nonnegative,
    check_positive,
)
from rnmf.models import RateNetwork
from rnmf.results import Result

from ..dmft._common import check_memory, illinois
from ..dmft.states import D_RESOLVED
from ..gaussian import nodes
from ._load import _moments

__all__ = [
    "LowRankPhaseDiagram",
    "PHASES",
    "critical_g_bistable_chaos",
    "critical_g_chaos",
    "phase_diagram",
]


# ----------------------------------------------------------------------------------------
# rank-one phase diagram in (g, M_m M_n)
# ----------------------------------------------------------------------------------------
#: largest n_boundary (points per boundary curve; each costs a vectorised root search)
_MAX_BOUNDARY = 100_000
_PD_NODES = 161  # trapezoidal nodes on the grid (error < 1e-6 for Delta0 <~ 30, tanh)
_PD_DMAX = 30.0  # beyond this Delta0 the grid points are solved with resolved averages


def _avg(tr: Any, mu: np.ndarray, D: np.ndarray, names: tuple[str, ...], n: int | None) -> dict:
    if n is None or tr.kind == "relu":
        return _moments(tr, mu, D, names)
    mu, D = np.broadcast_arrays(np.asarray(mu, float), np.maximum(np.asarray(D, float), 0.0))
    z, w = nodes(n, method="trap")
    x = mu[..., None] + np.sqrt(D)[..., None] * z
    out = {}
    for name in names:
        if name == "phi":
            out[name] = tr(x) @ w
        elif name == "phi2":
            out[name] = tr(x) ** 2 @ w
        elif name == "dphi":
            out[name] = tr.derivative(x) @ w
        elif name == "dphi2":
            out[name] = tr.derivative(x) ** 2 @ w
    return out


def _static_zero_variance(tr: Any, g: np.ndarray, n: int | None) -> np.ndarray:
    r"""Static kappa = 0 solution :math:`\Delta = g^2\langle\phi^2\rangle_{0,\Delta}` (0 if :math:`g\phi'(0)\le1`)."""
    g = np.asarray(g, float)
    out = np.zeros(g.shape)
    slope = float(tr.derivative(0.0))
    sel = np.nonzero(g.ravel() * abs(slope) > 1.0)[0]
    if sel.size:
        g2 = g.ravel()[sel] ** 2

        def h(D: np.ndarray, s: np.ndarray) -> np.ndarray:
            return g2[s] * _avg(tr, 0.0, D, ("phi2",), n)["phi2"] - D

        lo = 1e-12 * g2
        hi = 1.0001 * g2 + 1e-12
        idx = np.arange(sel.size)
        res = illinois(h, lo, hi, h(lo, idx), h(hi, idx))
        flat = out.ravel()
        flat[sel] = res
        out = flat.reshape(g.shape)
    return out


def _het_static(
    tr: Any, g: np.ndarray, s: np.ndarray, w: float, n: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Heterogeneous static state (mu > 0 branch) of rank one with uncorrelated loadings.

    Solves :math:`\mu = s\langle\phi\rangle`, :math:`\Delta_0 = g^2\langle\phi^2\rangle +
    w^2\mu^2` (M&O 2018 STAR Methods, stationary solutions, with :math:`s = M_mM_n`, :math:`w = S_m/M_m`)
    by nested vectorised regula falsi. Returns mu, Delta0 (NaN where the state does not
    exist) and the existence mask :math:`s\langle\phi'\rangle_{0,\Delta_{k=0}} > 1`.
    """
    g, s = np.broadcast_arrays(np.asarray(g, float), np.asarray(s, float))
    shape = g.shape
    g, s = g.ravel(), s.ravel()
    Dk0 = _static_zero_variance(tr, g, n)
    exists = s * _avg(tr, 0.0, Dk0, ("dphi",), n)["dphi"] > 1.0
    mu = np.full(g.size, np.nan)
    D0 = np.full(g.size, np.nan)
    idx = np.nonzero(exists)[0]
    if idx.size == 0:
        return mu.reshape(shape), D0.reshape(shape), exists.reshape(shape)
    gi, si = g[idx], s[idx]

    def inner(m: np.ndarray, sel: np.ndarray) -> np.ndarray:
        g2 = gi[sel] ** 2
        base = (w * m) ** 2
        if np.all(g2 == 0):
            return base

        def h(D: np.ndarray, ss: np.ndarray) -> np.ndarray:
            return g2[ss] * _avg(tr, m[ss], D, ("phi2",), n)["phi2"] + base[ss] - D

        lo = base.copy()
        hi = base + 1.0001 * g2 + 1e-12
        j = np.arange(m.size)
        return illinois(h, lo, hi, h(lo, j), h(hi, j), xtol=1e-13)

    def outer(m: np.ndarray, sel: np.ndarray) -> np.ndarray:
        D = inner(m, sel)
        return m - si[sel] * _avg(tr, m, D, ("phi",), n)["phi"]

    j = np.arange(idx.size)
    lo = 1e-9 * si
    hi = si * 1.0
    m_sol = illinois(outer, lo, hi, outer(lo, j), outer(hi, j), xtol=1e-13)
    mu[idx] = m_sol
    D0[idx] = inner(m_sol, j)
    return mu.reshape(shape), D0.reshape(shape), exists.reshape(shape)


def _het_stable(tr: Any, g: np.ndarray, s: np.ndarray, w: float, M_m: float, mu, D0, n) -> tuple:
    """Bulk radius and largest real part of the outliers (:func:`linear_stability`, rank one, rho = 0)."""
    e = _avg(tr, mu, D0, ("dphi", "dphi2", "phi2"), n)
    bulk = np.sqrt(g**2 * e["dphi2"])
    # reduced 2x2 problem (linear_stability) with n = M_n, m = M_m + S_m xi
    # the outlier averages integrate phi' (width 1/sqrt(Delta0) in z): a fixed rule of n
    # nodes on the grid (accurate for Delta0 <~ _PD_DMAX), else resolved for the largest Delta0
    if n is not None:
        z, wq = nodes(n, method="trap")
    else:
        z, wq = nodes(None, dmax=float(np.nanmax(D0, initial=1.0)))
    sd = np.sqrt(np.maximum(D0, 0.0))
    x = mu[..., None] + sd[..., None] * z
    with np.errstate(over="ignore"):  # tanh'(x) = 1/cosh(x)^2 underflows to 0 at large |x|
        dp = tr.derivative(x)
    pp = tr(x) * dp
    E = lambda f, k: (f * z**k) @ wq  # noqa: E731
    M_n = s / M_m
    kappa = mu / M_m
    S_m2 = (w * M_m) ** 2
    d_eta = np.maximum(D0 - S_m2 * kappa**2, 0.0)
    inv = np.where(sd > 0, 1.0 / np.where(sd > 0, sd, 1.0), 0.0)
    bm = S_m2 * kappa * inv
    be = d_eta * inv
    a00 = M_n * (M_m * E(dp, 0) + bm * E(dp, 1))
    a01 = M_n * be * E(dp, 1)
    a10 = (M_m * E(pp, 0) + bm * E(pp, 1)) / np.where(e["phi2"] > 0, e["phi2"], 1.0)
    a11 = be * E(pp, 1) / np.where(e["phi2"] > 0, e["phi2"], 1.0)
    tr_, det = a00 + a11, a00 * a11 - a01 * a10
    disc = tr_**2 / 4 - det
    re_max = np.where(disc >= 0, tr_ / 2 + np.sqrt(np.abs(disc)), tr_ / 2)
    mod = np.where(disc >= 0, np.abs(re_max), np.sqrt(np.abs(det)))
    re_out = np.where(mod > bulk, re_max, -np.inf)
    return bulk, re_out


def _scs_variance(tr: Any, g: np.ndarray) -> np.ndarray:
    """Chaotic kappa = 0 variance Delta0(g) of the random network (SCS 1988), via rnmf.theory.dmft."""
    from ..dmft import solve_grid

    g = np.asarray(g, float)
    out = solve_grid(RateNetwork(N=1, g=1.0, phi=tr), g=g, lyapunov=False)  # Delta0 only
    return np.where(out["regime"] == "quiet", 0.0, out["Delta0"]).astype(float)


def _check_pd_args(M_m: Any, S_m: Any, phi: Any) -> tuple[float, float, Any]:
    from rnmf.transfer import as_transfer

    M_m = check_finite("M_m", M_m)
    if M_m == 0:
        raise ValueError(
            f"M_m must be finite and nonzero (the strength is varied through M_n), got {M_m}"
        )
    S_m = check_nonnegative("S_m", S_m)
    tr = as_transfer(phi, field_name="phi")
    if not (tr.odd and tr.kind in ("tanh", "erf")):
        raise ValueError(
            f"the rank-one phase diagram needs an odd sigmoid phi (tanh or erf), got {tr.name}"
        )
    # w = S_m / M_m scales the quenched variance w^2 mu^2 (mu <= strength): beyond _W_MAX
    # the heterogeneous state is saturated and its variance overflows the averages
    w = S_m / abs(M_m)
    if not w <= _W_MAX:
        raise ValueError(
            f"S_m / |M_m| = {S_m:g} / {abs(M_m):g} = {w:.3g} exceeds {_W_MAX:g}: the quenched "
            "variance (S_m kappa)^2 of the heterogeneous state is then beyond what the Gaussian "
            "averages resolve; reduce S_m or increase M_m"
        )
    return M_m, S_m, tr


#: largest S_m / |M_m| of the rank-one phase diagram (quenched variance up to ~1e6 strength^2)
_W_MAX = 1e3
#: largest g of the phase diagram and of the boundary searches (g_max): the chaotic kappa = 0
#: variance ~0.73 g^2 comes from :func:`rnmf.theory.dmft.solve_grid`, which resolves tanh/erf
#: up to g^2 = D_RESOLVED (9000)
_G_MAX = math.sqrt(D_RESOLVED)


def _as_strengths(name: str, v: Any) -> np.ndarray:
    a = check_array(name, v)
    if np.ndim(v) == 0:
        a = a.reshape(1)
    if a.ndim != 1:
        raise ValueError(f"{name} must be a number or a 1-D array of numbers, got shape {a.shape}")
    return a


def _check_quenched(s: np.ndarray, S_m: float, M_m: float) -> None:
    """The heterogeneous state has Delta0 <= g^2 + (S_m / M_m)^2 strength^2 (mu <= strength):
    refuse strengths whose quenched variance the averages do not resolve."""
    w = S_m / abs(M_m)
    top = float(np.max(np.abs(s), initial=0.0))
    if w * top > _G_MAX:
        raise ValueError(
            f"strength up to {top:g} with S_m / |M_m| = {w:.3g}: the quenched variance "
            f"(S_m kappa)^2 <= (strength S_m / M_m)^2 = {w * top:.3g}^2 of the "
            f"heterogeneous state exceeds {D_RESOLVED:g}, beyond which the Gaussian averages "
            "of tanh/erf are not resolved; pass |strength| * S_m / |M_m| <= "
            f"{_G_MAX:.4g}"
        )


def _check_g_max(g_max: Any) -> float:
    g_max = check_positive("g_max", g_max)
    if g_max > _G_MAX:
        raise ValueError(
            f"g_max must be <= {_G_MAX:.4g} (the chaotic variance ~0.73 g^2 of tanh/erf is "
            f"resolved up to g^2 = {D_RESOLVED:g}), got {g_max:g}"
        )
    return g_max


def critical_g_chaos(
    strength: Any, *, M_m: float = 1.1, S_m: float = 1.0, phi: Any = "tanh", g_max: float = 10.0
) -> np.ndarray:
    r"""Boundary :math:`g_C(M_mM_n)` between the heterogeneous static and the chaotic phase.

    Rank one, uncorrelated Gaussian m, n: the static heterogeneous state loses stability when
    its bulk reaches the unit circle, :math:`g^2\langle\phi'^2\rangle = 1` (M&O STAR Methods
    stability of stationary states and Fig. 1; the outliers stay inside), found by vectorised regula falsi in g.

    Parameters
    ----------
    strength : float or array
        Structure strengths :math:`M_mM_n` (> 1/phi'(0) for the boundary to exist).
    M_m, S_m : float
        Mean and standard deviation of m (``M_n = strength / M_m``).
    phi : str or Transfer
        tanh or erf.
    g_max : float
        Upper end of the search (> 0, <= ~94.9; NaN returned where g_C > g_max).

    Returns
    -------
    ndarray
        :math:`g_C` for each strength (NaN where the heterogeneous state does not exist).

    Examples
    --------
    >>> round(float(critical_g_chaos(2.2)[0]), 4)  # docs/references.md sec. 4: 1.7959
    1.7959
    """
    M_m, S_m, tr = _check_pd_args(M_m, S_m, phi)
    s = _as_strengths("strength", strength)
    _check_quenched(s, S_m, M_m)
    g_max = _check_g_max(g_max)
    w = S_m / M_m
    out = np.full(s.size, np.nan)
    slope0 = float(tr.derivative(0.0))
    cand = np.nonzero(s * slope0 > 1.0)[0]
    if cand.size == 0:
        return out

    def f(g: np.ndarray, sel: np.ndarray) -> np.ndarray:
        mu, D0, ex = _het_static(tr, g, s[cand][sel], w, None)
        b, _ = _het_stable(tr, g, s[cand][sel], w, M_m, mu, D0, None)
        return np.where(ex, b - 1.0, np.nan)

    # the static branch ends where s <phi'> at the static kappa = 0 variance drops to 1
    def fe(g: np.ndarray, sel: np.ndarray) -> np.ndarray:
        Dk0 = _static_zero_variance(tr, g, None)
        return s[cand][sel] * _avg(tr, 0.0, Dk0, ("dphi",), None)["dphi"] - 1.0

    j = np.arange(cand.size)
    lo = np.full(cand.size, (1.0 + 1e-9) / slope0)
    hi = np.full(cand.size, float(g_max))
    flo, fhi = fe(lo, j), fe(hi, j)
    g_end = np.full(cand.size, float(g_max))
    inner = (flo > 0) & (fhi < 0)
    if np.any(inner):
        k = np.nonzero(inner)[0]
        g_end[k] = illinois(lambda g, sel: fe(g, k[sel]), lo[k], hi[k], flo[k], fhi[k], xtol=1e-13)
    lo = np.full(cand.size, 1e-6)
    hi = g_end * (1.0 - 1e-7)
    flo, fhi = f(lo, j), f(hi, j)
    ok = np.isfinite(flo) & np.isfinite(fhi) & (flo < 0) & (fhi > 0)
    if np.any(ok):
        k = np.nonzero(ok)[0]
        out[cand[k]] = illinois(
            lambda g, sel: f(g, k[sel]), lo[k], hi[k], flo[k], fhi[k], xtol=1e-12
        )
    return out


def critical_g_bistable_chaos(
    strength: Any, *, phi: Any = "tanh", g_max: float = 20.0
) -> np.ndarray:
    r"""Boundary :math:`g_{BB}(M_mM_n)` where the chaotic state with :math:`\kappa\neq0` disappears.

    The chaotic kappa = 0 state (SCS 1988 variance :math:`\Delta_0(g)`, from
    :func:`rnmf.theory.dmft.solve_grid`) is unstable along the structure while
    :math:`M_mM_n\langle\phi'\rangle_{0,\Delta_0(g)} > 1` (M&O 2018 STAR Methods, chaotic solutions and Fig. 1, rank one,
    uncorrelated loadings; independent of S_m).

    Examples
    --------
    >>> round(float(critical_g_bistable_chaos(2.2)[0]), 4)  # docs/references.md sec. 4: 2.1358
    2.1358
    """
    from rnmf.transfer import as_transfer

    tr = as_transfer(phi, field_name="phi")
    if not (tr.odd and tr.kind in ("tanh", "erf")):
        raise ValueError(f"critical_g_bistable_chaos needs phi tanh or erf, got {tr.name}")
    s = _as_strengths("strength", strength)
    g_max = _check_g_max(g_max)
    slope0 = float(tr.derivative(0.0))
    out = np.full(s.size, np.nan)
    cand = np.nonzero(s * slope0 > 1.0)[0]
    if cand.size == 0:
        return out

    def f(g: np.ndarray, sel: np.ndarray) -> np.ndarray:
        D = _scs_variance(tr, g)
        return s[cand][sel] * _avg(tr, 0.0, D, ("dphi",), None)["dphi"] - 1.0

    j = np.arange(cand.size)
    # start just above the onset of chaos, where the DMFT still resolves Delta0 in double
    # precision (closer than g - 1 ~ 1e-6 solve_grid reports "unresolved")
    lo = np.full(cand.size, (1.0 + 1e-6) / slope0)
    hi = np.full(cand.size, float(g_max))
    flo, fhi = f(lo, j), f(hi, j)
    ok = (flo > 0) & (fhi < 0)
    if np.any(ok):
        k = np.nonzero(ok)[0]
        out[cand[k]] = illinois(
            lambda g, sel: f(g, k[sel]), lo[k], hi[k], flo[k], fhi[k], xtol=1e-12
        )
    return out


PHASES = ("homogeneous", "heterogeneous", "chaotic_bistable", "chaotic")


@dataclass(frozen=True, kw_only=True, repr=False)
class LowRankPhaseDiagram(Result):
    r"""Rank-one phase diagram in the plane (g, :math:`M_mM_n`) (M&O 2018 Fig. 1).

    Attributes
    ----------
    g, strength : ndarray
        Grid axes.
    labels : ndarray of int, shape (len(strength), len(g))
        Index into ``phases``: 0 homogeneous stationary (x = 0), 1 heterogeneous
        stationary (bistable pair of fixed points), 2 chaotic with
        :math:`\kappa\neq0` (bistable chaos), 3 chaotic with :math:`\kappa=0`.
    phases : tuple of str
    kappa, Delta0, bulk_radius : ndarray
        Of the heterogeneous static state (NaN where it does not exist).
    boundaries : dict
        Curves as ``(g, strength)`` array pairs: ``"homogeneous|heterogeneous"``
        (:math:`M_mM_n = 1/\phi'(0)`, g < 1), ``"homogeneous|chaotic"`` (g = 1),
        ``"heterogeneous|chaotic"`` (:func:`critical_g_chaos`) and
        ``"chaotic_bistable|chaotic"`` (:func:`critical_g_bistable_chaos`).
    """

    g: np.ndarray = field(default_factory=lambda: np.zeros(0))
    strength: np.ndarray = field(default_factory=lambda: np.zeros(0))
    labels: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), int))
    phases: tuple = PHASES
    kappa: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    Delta0: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    bulk_radius: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    boundaries: dict = field(default_factory=dict)

    def label_names(self) -> np.ndarray:
        """Labels as strings."""
        return np.asarray(self.phases, dtype=object)[self.labels]


def phase_diagram(
    g: Any,
    strength: Any,
    *,
    M_m: float = 1.1,
    S_m: float = 1.0,
    phi: Any = "tanh",
    n_boundary: int = 60,
) -> LowRankPhaseDiagram:
    r"""Rank-one phase diagram on a grid, with the phase boundaries as curves.

    Uncorrelated Gaussian loadings :math:`m \sim N(M_m, S_m^2)`, :math:`n` with mean
    :math:`M_n = s/M_m` (its variance does not enter), bulk g (M&O 2018 Fig. 1 and STAR
    Methods).  Each grid point is labelled from the states' stability: the quiet
    state (stable iff :math:`g\phi'(0) < 1` and :math:`s\phi'(0) < 1`), the heterogeneous
    static pair (bulk radius and outliers of :func:`linear_stability`), the chaotic
    :math:`\kappa = 0` state (stable iff :math:`s\langle\phi'\rangle_{0,\Delta_0(g)} < 1`);
    where none of them is stable and g > 1 the attractor is the chaotic
    :math:`\kappa\neq0` pair.  Vectorised over the grid (no Python loop per point).

    Parameters
    ----------
    g, strength : 1-D arrays
        Random strength g (0 to ~94.9, the range where the chaotic variance of tanh/erf is
        resolved) and structure strength :math:`s = M_mM_n`.
    M_m, S_m : float
        Mean (nonzero) and standard deviation of m.
    phi : str or Transfer
        tanh or erf.
    n_boundary : int
        Points per boundary curve (2 to 100000).

    Returns
    -------
    LowRankPhaseDiagram
    """
    M_m, S_m, tr = _check_pd_args(M_m, S_m, phi)
    gv = _as_strengths("g", g)
    sv = _as_strengths("strength", strength)
    _check_quenched(sv, S_m, M_m)
    if np.any(gv < 0) or np.any(gv > _G_MAX):
        raise ValueError(
            f"g must lie in [0, {_G_MAX:.4g}] (the chaotic variance ~0.73 g^2 of tanh/erf is "
            f"resolved up to g^2 = {D_RESOLVED:g}), got min {gv.min():g}, max {gv.max():g}"
        )
    n_boundary = check_int("n_boundary", n_boundary, minimum=2, maximum=_MAX_BOUNDARY)
    # grid: ~12 float64 arrays of _PD_NODES per point; boundaries: ~12 arrays of the
    # quadrature (<= 4001 nodes) per boundary point
    check_memory(
        "g x strength grid / n_boundary",
        (gv.size, sv.size, n_boundary),
        12 * 8.0 * (gv.size * sv.size * _PD_NODES + n_boundary * 4001),
    )
    w = S_m / M_m
    G, S = np.meshgrid(gv, sv)
    mu, D0, exists = _het_static(tr, G, S, w, _PD_NODES)
    # the fixed rule of _PD_NODES is accurate to ~1e-6 up to Delta0 ~ _PD_DMAX; beyond (large
    # strength: Delta0 ~ (S_m kappa)^2) it was off by 0.5 % in Delta0 and 25 % in the bulk
    # radius at strength 30: those points are solved again with resolved averages
    wide = exists & (D0 > _PD_DMAX)
    if np.any(wide):
        mu[wide], D0[wide], exists[wide] = _het_static(tr, G[wide], S[wide], w, None)
    bulk = np.full(G.shape, np.nan)
    re_out = np.full(G.shape, np.nan)
    narrow = exists & ~wide
    if np.any(narrow):
        b, r = _het_stable(tr, G[narrow], S[narrow], w, M_m, mu[narrow], D0[narrow], _PD_NODES)
        bulk[narrow], re_out[narrow] = b, r
    idx = np.nonzero((exists & wide).ravel())[0]
    for lo in range(0, idx.size, 256):  # resolved rules have up to 4001 nodes: in blocks
        j = np.unravel_index(idx[lo : lo + 256], G.shape)
        bulk[j], re_out[j] = _het_stable(tr, G[j], S[j], w, M_m, mu[j], D0[j], None)
    slope0 = abs(float(tr.derivative(0.0)))
    quiet_stable = (G * slope0 < 1.0) & (S * slope0 < 1.0)
    het_stable = exists & (bulk < 1.0) & (np.nan_to_num(re_out, nan=np.inf) < 1.0)
    Dscs = _scs_variance(tr, gv)
    chaos0_unstable = S * _avg(tr, 0.0, Dscs, ("dphi",), None)["dphi"][None, :] > 1.0
    labels = np.full(G.shape, 3, dtype=int)
    labels[chaos0_unstable & (G * slope0 > 1.0)] = 2
    labels[het_stable] = 1
    labels[quiet_stable] = 0
    # boundary curves
    s_hi = float(sv.max()) if sv.size else 1.0
    # both chaotic boundaries start at (g, s) = (1/phi'(0), 1/phi'(0)), added exactly
    s_line = np.linspace(1.01 / slope0, max(s_hi, 1.02 / slope0), n_boundary - 1)
    gmax = 2 * float(gv.max(initial=1.0))
    gC = critical_g_chaos(s_line, M_m=M_m, S_m=S_m, phi=tr, g_max=min(max(10.0, gmax), _G_MAX))
    gBB = critical_g_bistable_chaos(s_line, phi=tr, g_max=min(max(20.0, gmax), _G_MAX))
    s_line = np.r_[1.0 / slope0, s_line]
    gC = np.r_[1.0 / slope0, gC]
    gBB = np.r_[1.0 / slope0, gBB]
    gq = np.linspace(0.0, 1.0 / slope0, n_boundary)
    sq = np.linspace(min(0.0, float(sv.min(initial=0.0))), 1.0 / slope0, n_boundary)
    boundaries = {
        "homogeneous|heterogeneous": (gq, np.full(n_boundary, 1.0 / slope0)),
        "homogeneous|chaotic": (np.full(n_boundary, 1.0 / slope0), sq),
        "heterogeneous|chaotic": (gC, s_line),
        "chaotic_bistable|chaotic": (gBB, s_line),
    }
    return LowRankPhaseDiagram(
        model=None,
        method="vectorised rank-one mean field (M&O 2018 Fig. 1)",
        options={"M_m": M_m, "S_m": S_m, "phi": tr.name},
        g=gv,
        strength=sv,
        labels=labels,
        kappa=mu / M_m,
        Delta0=D0,
        bulk_radius=bulk,
        boundaries=boundaries,
    )
