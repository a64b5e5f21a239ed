r"""Static (fixed-point) states of the low-rank mean-field theory and their stability.

The static kappa map (Mastrogiuseppe & Ostojic 2018, Neuron 99:609, STAR Methods,
stationary solutions; Beiran et al. 2021, Neural Comput 33:1572, Sec. 2.2 for mixtures),
the bulk variance :math:`\Delta_\eta = g^2\langle\phi^2\rangle`, the root search over kappa
(rank one: full scan; rank R: multi-start Newton) and :func:`linear_stability` (bulk
radius and outliers of the linearised connectivity, M&O STAR Methods, stability of
stationary states; Rajan & Abbott 2006, PRL 97:188104).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import optimize, special

from rnmf.models import LowRankNetwork

from ..dmft._common import illinois
from ._load import _bounded, _check_lr, _Load, _moments

__all__ = ["linear_stability"]


def _d_eta(L: _Load, mu: np.ndarray, S: np.ndarray) -> np.ndarray:
    r"""Largest root :math:`\Delta_\eta` of :math:`\Delta_\eta = g^2\sum_p\alpha_p\langle\phi^2\rangle_p`.

    M&O STAR Methods, stationary solutions (the random-bulk contribution :math:`g^2\langle\phi^2\rangle`
    to the variance).  ``mu``, ``S``: (M, P).  Returns (M,), NaN where the activity
    diverges (unbounded phi with g too large).
    """
    M = mu.shape[0]
    if L.g2 == 0.0:
        return np.zeros(M)

    def h(d: np.ndarray, sel: np.ndarray) -> np.ndarray:
        e = _moments(L.tr, mu[sel], S[sel] + d[:, None], ("phi2",))["phi2"]
        return L.g2 * (e @ L.w) - d

    allp = np.arange(M)
    lo = np.zeros(M)
    flo = h(lo, allp)
    # flo == 0 (quiet): take the nonzero root if the curve rises from 0
    z0 = flo <= 0.0
    if np.any(z0):
        eps = 1e-10 * max(L.g2, 1e-300)
        idx = allp[z0]
        fe = h(np.full(idx.size, eps), idx)
        lo[idx] = np.where(fe > 0, eps, 0.0)
        flo[idx] = np.where(fe > 0, fe, 0.0)
    if _bounded(L.tr):
        hi = np.full(M, 1.0001 * L.g2 + 1e-12)
    else:
        hi = np.full(M, 4.0 * (1.0 + L.g2))
    fhi = h(hi, allp)
    for _ in range(40):
        bad = fhi > 0
        if not np.any(bad):
            break
        hi[bad] *= 4.0
        fhi[bad] = h(hi[bad], allp[bad])
    out = np.full(M, np.nan)
    ok = fhi <= 0
    quiet = ok & (flo == 0.0) & (lo == 0.0)
    out[quiet] = 0.0
    run = ok & ~quiet
    if np.any(run):
        idx = np.nonzero(run)[0]
        out[idx] = illinois(lambda d, sel: h(d, idx[sel]), lo[idx], hi[idx], flo[idx], fhi[idx])
    return out


def _kappa_map(L: _Load, kappa: np.ndarray, d_eta: np.ndarray | None = None):
    """Static kappa map F(kappa) (M&O STAR Methods), with Delta_eta solved if not given."""
    kappa = np.atleast_2d(np.asarray(kappa, float))
    mu, S, cn = L.stats(kappa)
    if d_eta is None:
        d_eta = _d_eta(L, mu, S)
    D0 = S + np.asarray(d_eta)[:, None]
    e = _moments(L.tr, mu, np.nan_to_num(D0), ("phi", "dphi", "phi2"))
    F = np.einsum("p,mp,pr->mr", L.w, e["phi"], L.Mn) + np.einsum(
        "p,mpr,mp->mr", L.w, cn, e["dphi"]
    )
    F[~np.isfinite(d_eta)] = np.nan
    return F, d_eta, mu, D0, e


# ----------------------------------------------------------------------------------------
# stability of a fixed point
# ----------------------------------------------------------------------------------------
def linear_stability(
    net: LowRankNetwork, kappa: Any, Delta_eta: float
) -> tuple[float, np.ndarray, np.ndarray]:
    r"""Bulk radius and outliers of the linearised connectivity at a fixed point.

    At a fixed point :math:`x^*` the Jacobian is :math:`-1 + M`, with
    :math:`M = (g\chi + mn^T/N)\,\mathrm{diag}\,\phi'(x^*)`.  The bulk of M is a disc of
    radius :math:`g\sqrt{\langle\phi'^2\rangle}` (M&O STAR Methods, stability; Rajan &
    Abbott 2006).  An outlier :math:`\nu` with eigenvector :math:`\delta x` obeys
    :math:`\nu\,\delta x_i = m_i\delta\kappa + \delta\eta_i`,
    :math:`\delta\kappa = \langle n\phi'\delta x\rangle`, and the bulk-field response
    :math:`\delta\eta_i = g\sum_j\chi_{ij}\phi'_j\delta x_j` is, for each unit, Gaussian
    jointly with :math:`\eta_i = g\sum_j\chi_{ij}\phi_j`, hence
    :math:`\delta\eta_i = c\,\eta_i + \xi_i` with :math:`\xi_i` independent of unit i and
    :math:`c = \langle\phi\phi'\delta x\rangle/\langle\phi^2\rangle`.  Closing on
    :math:`(\delta\kappa, c)` gives the (R+1) x (R+1) generalised eigenproblem
    :math:`A v = \nu B v` (the argument of M&O STAR Methods, stability of stationary states, here for rank R and
    mixtures):

    .. math::
        A = \begin{pmatrix}\langle n_r m_s\phi'\rangle & \langle n_r\eta\phi'\rangle\\
            \langle m_s\phi\phi'\rangle & \langle\eta\phi\phi'\rangle\end{pmatrix},\qquad
        B = \mathrm{diag}(1, .., 1, \langle\phi^2\rangle).

    For g = 0 it reduces to the eigenvalues of :math:`\langle n_r m_s\phi'\rangle`, the
    Jacobian of the latent dynamics plus one (Beiran et al. 2021, Sec. 2.3).

    Parameters
    ----------
    net : LowRankNetwork
    kappa : array (R,)
        Latent state of the fixed point.
    Delta_eta : float
        Variance of the bulk field at the fixed point (>= 0).

    Returns
    -------
    bulk_radius : float
    eigenvalues : ndarray of complex
        All R (+1) eigenvalues of the reduced problem.
    outliers : ndarray of complex
        Those outside the bulk, sorted by decreasing real part.
    """
    from rnmf._checks import check_array, check_nonnegative

    net = _check_lr(net)
    L = _Load(net)
    kappa = np.atleast_1d(check_array("kappa", kappa))
    if kappa.shape != (L.R,):
        raise ValueError(f"kappa must hold R = {L.R} values, got shape {kappa.shape}")
    d_eta = check_nonnegative("Delta_eta", Delta_eta)
    mu, S, _ = L.stats(kappa[None])
    mu, S = mu[0], S[0]
    R = L.R
    A = np.zeros((R + 1, R + 1))
    phi2 = 0.0
    dphi2 = 0.0
    v = L.v(kappa[None])[0]
    C_all = L.C
    for p in range(L.P):
        Dp = S[p] + d_eta
        e = _moments(
            L.tr,
            mu[p],
            Dp,
            ("phi", "dphi", "phi2", "dphi2", "zdphi", "z2dphi", "pdp", "zpdp", "z2pdp"),
        )
        e = {k: float(val) for k, val in e.items()}
        sd = math.sqrt(Dp) if Dp > 0 else 0.0
        inv = 1.0 / sd if sd > 0 else 0.0
        cm = np.einsum("ri,i->r", L.Cma[p], v)  # Cov(m_s, x)
        cn = np.einsum("ri,i->r", L.Cna[p], v)  # Cov(n_r, x)
        bm, bn, be = cm * inv, cn * inv, d_eta * inv  # regression slopes on z
        Mm, Mn = L.Mm[p], L.Mn[p]
        Cnm = C_all[p][R : 2 * R, :R]

        def ab(mu_a, mu_b, cab, ba, bb, f0, f1, f2):
            return (mu_a * mu_b + cab - ba * bb) * f0 + (mu_a * bb + mu_b * ba) * f1 + ba * bb * f2

        wp = L.w[p]
        A[:R, :R] += wp * ab(
            Mn[:, None],
            Mm[None, :],
            Cnm,
            bn[:, None],
            bm[None, :],
            e["dphi"],
            e["zdphi"],
            e["z2dphi"],
        )
        A[:R, R] += wp * ab(Mn, 0.0, 0.0, bn, be, e["dphi"], e["zdphi"], e["z2dphi"])
        A[R, :R] += wp * (Mm * e["pdp"] + bm * e["zpdp"])
        A[R, R] += wp * (be * e["zpdp"])
        phi2 += wp * e["phi2"]
        dphi2 += wp * e["dphi2"]
    bulk = math.sqrt(L.g2 * dphi2)
    if L.g2 == 0.0 or phi2 <= 0.0 or d_eta <= 0.0:
        ev = np.linalg.eigvals(A[:R, :R]).astype(complex)
    else:
        B = np.ones(R + 1)
        B[R] = phi2
        ev = np.linalg.eigvals(A / B[:, None]).astype(complex)
    ev = ev[np.argsort(-ev.real)]
    out = ev[np.abs(ev) > bulk * (1 + 1e-9)]
    return bulk, ev, out


# ----------------------------------------------------------------------------------------
# static solutions
# ----------------------------------------------------------------------------------------
_SUP_PHI = {"tanh": 1.0, "erf": 1.0}  # sup |phi| of the bounded built-in kinds
# linear growth |phi(x)| <= a + b |x| of the unbounded built-in kinds: (a, b)
_GROWTH = {"linear": lambda th: (0.0, 1.0), "relu": lambda th: (max(-th, 0.0), 1.0)}
_MARGIN = 1.02  # scan to 2 % beyond the bound: F(+-B) - (+-B) has a definite sign there


def _abs_mean(mu: np.ndarray, var: np.ndarray) -> np.ndarray:
    r""":math:`E|y|` for :math:`y \sim N(\mu, s^2)`: :math:`s\sqrt{2/\pi}e^{-\mu^2/2s^2}
    + \mu\,\mathrm{erf}(\mu/\sqrt2 s)` (the folded normal mean; Leone, Nelson & Nottingham
    1961, Technometrics 3:543, eq. 2)."""
    s = np.sqrt(np.maximum(var, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(s > 0, mu / (math.sqrt(2.0) * s), 0.0)
        fold = s * math.sqrt(2.0 / math.pi) * np.exp(-(r**2)) + mu * special.erf(r)
    return np.where(s > 0, fold, np.abs(mu))


def kappa_search_range(L: _Load) -> tuple[float, bool, str]:
    r"""Radius B of the box :math:`|\kappa_r| \le B` searched for states, and whether it
    provably contains every state.

    Bounded phi (tanh, erf; :math:`\sup|\phi| = 1`): at any stationary state, static or
    chaotic, :math:`\kappa_r = \langle n_r\phi(x)\rangle` (average over units, and time)
    so :math:`|\kappa_r| \le \langle|n_r|\rangle\sup|\phi|` (M&O 2018 STAR Methods,
    definition of kappa), with :math:`\langle|n_r|\rangle` the folded-normal mean summed
    over the populations, or the mean of :math:`|n_{ir}|` over explicit vectors.  The
    search runs to :math:`B = 1.02\max_r\langle|n_r|\rangle`, where
    :math:`F(\pm B) \mp B` has the sign that brackets every root inside.

    Linear-growth phi (relu, linear: :math:`|\phi(x)| \le a + b|x|`): with L2 norms over
    units (and time), :math:`x = \sum_r m_r\kappa_r + \sum_k I_ku_k + \xi` and
    :math:`\|\xi\| \le g\|\phi\|` (the bulk field has variance :math:`g^2\langle\phi^2\rangle`,
    and low-pass filtering does not increase it), :math:`|\kappa|_2 \le \nu\|\phi\|` with
    :math:`\nu^2 = \sum_r\langle n_r^2\rangle`, hence
    :math:`\|\phi\|(1 - c) \le a + b\|I\cdot u\|`, :math:`c = b(\lambda_m\nu + g)`,
    :math:`\lambda_m^2` the largest eigenvalue of :math:`\langle mm^T\rangle`.  For c < 1
    this bounds kappa; otherwise (and for custom phi) no bound is known: the search uses
    a heuristic range and says so.

    Returns
    -------
    B : float
    proven : bool
    reason : str
        How B was obtained (for reports and warnings).
    """
    R, w = L.R, L.w
    Mn = L.Mn
    var_n = np.diagonal(L.C[:, R : 2 * R, R : 2 * R], axis1=1, axis2=2)  # (P, R)
    kind = L.tr.kind
    if kind in _SUP_PHI:
        abs_n = w @ _abs_mean(Mn, var_n)  # (R,)
        B = float(np.max(abs_n)) * _SUP_PHI[kind]
        return _MARGIN * B + 1e-12, True, f"|kappa_r| <= <|n_r|> sup|phi| = {B:.6g}"
    n2 = w @ (Mn**2 + var_n)
    nu = math.sqrt(float(np.sum(n2)))
    mm = np.einsum("p,pr,ps->rs", w, L.Mm, L.Mm) + np.einsum("p,prs->rs", w, L.C[:, :R, :R])
    lam_m = math.sqrt(max(float(np.linalg.eigvalsh(mm)[-1]), 0.0))
    u_max = float(np.max(np.abs(L.u))) if L.K else 0.0
    if kind in _GROWTH:
        a, b = _GROWTH[kind](float(L.tr.theta))
        c = b * (lam_m * nu + math.sqrt(L.g2))
        if c < 1.0:
            Ii = L.M[:, 2 * R :]
            II = np.einsum("p,pk,pl->kl", w, Ii, Ii) + np.einsum(
                "p,pkl->kl", w, L.C[:, 2 * R :, 2 * R :]
            )
            Iu = math.sqrt(max(float(L.u @ II @ L.u), 0.0)) if L.K else 0.0
            phi_norm = (a + b * Iu) / (1.0 - c)
            B = float(np.max(np.sqrt(n2))) * phi_norm
            return (
                _MARGIN * B + 1e-12,
                True,
                f"linear growth bound |kappa_r| <= sqrt(<n_r^2>) ||phi|| = {B:.6g} (c = {c:.3g} < 1)",
            )
        why = (
            f"phi = {L.tr.name} is unbounded and the structure is too strong for the "
            f"linear-growth bound (b (lambda_m nu + g) = {c:.3g} >= 1)"
        )
    else:
        why = f"no bound on |phi| is known for phi = {L.tr.name}"
    B = 10.0 * (1.0 + nu) * (1.0 + u_max)
    return 1.02 * B + 1e-9, False, f"{why}; searched the heuristic range |kappa_r| <= {B:.6g}"


def _kappa_bound(L: _Load) -> float:
    """Radius of the kappa search box (:func:`kappa_search_range`)."""
    return kappa_search_range(L)[0]


def _static_residual(L: _Load, y: np.ndarray) -> np.ndarray:
    """Residual of the static equations in (kappa_1..kappa_R, Delta_eta)."""
    R = L.R
    k, d = y[:R], max(y[R], 0.0)
    F, _, mu, D0, e = _kappa_map(L, k[None], np.array([d]))
    h = L.g2 * float(e["phi2"][0] @ L.w) - d
    return np.concatenate([F[0] - k, [h]])


def _polish(
    L: _Load, sols: list[tuple[np.ndarray, float]], tol: float
) -> list[tuple[np.ndarray, float]]:
    """Newton on (kappa, Delta_eta) with the exact measure ``L`` from the roots ``sols`` of
    a coarse measure (:meth:`_Load.coarse`); a root that does not converge nearby is dropped."""
    B = _kappa_bound(L)
    out: list[tuple[np.ndarray, float]] = []
    for k0, d0 in sols:
        y0 = np.concatenate([k0, [d0]])
        r = optimize.root(lambda y: _static_residual(L, y), y0, method="hybr", tol=1e-13)
        y = r.x
        if not np.all(np.isfinite(y)) or y[L.R] < -1e-12:
            continue
        if np.max(np.abs(_static_residual(L, y))) > 1e3 * tol * (1 + np.max(np.abs(y))):
            continue
        if np.max(np.abs(y - y0)) > 0.1 * (1.0 + np.max(np.abs(y0))):
            continue
        k = np.where(np.abs(y[: L.R]) < 1e-12 * B, 0.0, y[: L.R])
        d = max(float(y[L.R]), 0.0)
        if any(
            np.max(np.abs(k - s)) <= 1e-9 * (1 + np.max(np.abs(s)))
            and abs(d - ds) <= 1e-9 * (1 + ds)
            for s, ds in out
        ):
            continue
        out.append((k, d))
    return out


def _scan_load(L: _Load) -> _Load:
    """The measure to scan on: exact, or coarse for many explicit units with g > 0 (each
    evaluation then solves Delta_eta over all units; the roots are polished exactly)."""
    return L.coarse() if L.g2 > 0 else L


def _static_rank_one(L: _Load, tol: float, n_scan: int) -> list[tuple[np.ndarray, float]]:
    Ls = _scan_load(L)
    if Ls is not L:
        return _polish(L, _static_rank_one(Ls, tol, n_scan), tol)
    B = _kappa_bound(L)
    half = np.geomspace(1e-7 * B, B, n_scan // 2)
    grid = np.concatenate([-half[::-1], half])
    F, d_eta, *_ = _kappa_map(L, grid[:, None])
    G = F[:, 0] - grid
    found = []
    ok = np.isfinite(G)
    idx = np.nonzero(ok[:-1] & ok[1:] & (np.sign(G[:-1]) * np.sign(G[1:]) <= 0))[0]

    def res(k: float) -> float:
        Fk, *_ = _kappa_map(L, np.array([[k]]))
        return float(Fk[0, 0] - k)

    for j in idx:
        a, b = float(grid[j]), float(grid[j + 1])
        fa, fb = res(a), res(b)
        if fa == 0.0:
            k = a
        elif fb == 0.0:
            k = b
        elif fa * fb < 0:
            k = optimize.brentq(res, a, b, xtol=1e-15, rtol=4 * np.finfo(float).eps)
        else:
            continue
        found.append(k)
    found = [0.0 if abs(k) < 1e-12 * B else k for k in found]
    sols = []
    for k in sorted(set(found)):
        if any(abs(k - s) <= 1e-9 * (1 + abs(s)) for s, _ in sols):
            continue
        _, d, *_ = _kappa_map(L, np.array([[k]]))
        sols.append((k, float(d[0])))
    # a symmetric root at kappa = 0 may sit between two scan points of the same sign
    return [(np.array([k]), d) for k, d in sols]


def _static_rank_r(L: _Load, tol: float, n_starts: int) -> list[tuple[np.ndarray, float]]:
    Ls = _scan_load(L)
    if Ls is not L:
        return _polish(L, _static_rank_r(Ls, tol, n_starts), tol)
    R = L.R
    B = _kappa_bound(L)
    rng = np.random.default_rng(12345)
    starts = [np.zeros(R)]
    if R == 2:
        for rad in (0.05, 0.3, 0.7):
            for ang in np.linspace(0, 2 * np.pi, 8, endpoint=False):
                starts.append(rad * B * np.array([np.cos(ang), np.sin(ang)]))
    else:
        for _ in range(n_starts):
            d = rng.standard_normal(R)
            starts.append(B * rng.uniform(0.05, 0.8) * d / np.linalg.norm(d))

    def res(y: np.ndarray) -> np.ndarray:
        return _static_residual(L, y)

    sols: list[tuple[np.ndarray, float]] = []
    for k0 in starts:
        _, d0, *_ = _kappa_map(L, k0[None])
        if not np.isfinite(d0[0]):
            continue
        r = optimize.root(res, np.concatenate([k0, d0]), method="hybr", tol=1e-13)
        y = r.x
        if y[R] < -1e-12 or not np.all(np.isfinite(y)):
            continue
        if np.max(np.abs(res(y))) > 1e3 * tol * (1 + np.max(np.abs(y))):
            continue
        k, d = np.where(np.abs(y[:R]) < 1e-12 * B, 0.0, y[:R]), max(float(y[R]), 0.0)
        if any(
            np.max(np.abs(k - s)) <= 1e-7 * (1 + np.max(np.abs(s)))
            and abs(d - ds) <= 1e-7 * (1 + ds)
            for s, ds in sols
        ):
            continue
        sols.append((k, d))
    return sols


def _quiet_candidates(L: _Load) -> list[tuple[np.ndarray, float]]:
    """kappa = 0, Delta_eta = 0 solves the equations when S = 0 and phi(mu) = 0."""
    k0 = np.zeros((1, L.R))
    mu, S, cn = L.stats(k0)
    if np.all(S == 0) and np.all(L.tr(mu[0]) == 0.0):
        F, *_ = _kappa_map(L, k0, np.zeros(1))
        if np.all(F == 0.0):
            return [(np.zeros(L.R), 0.0)]
    return []
