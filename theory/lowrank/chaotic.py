r"""Chaotic states of the low-rank mean-field theory: kappa closure and root search.

With kappa constant in time the bulk field is the DMFT of a random network with
per-population quenched means and variances (Mastrogiuseppe & Ostojic 2018, Neuron 99:609,
STAR Methods, chaotic solutions; Kadmon & Sompolinsky 2015, PRX 5:041030; Beiran et al.
2021, Neural Comput 33:1572, Sec. 2.2 for the populations), solved by
:mod:`rnmf.theory.dmft.mixture`; the chaotic kappa map is closed by Stein's lemma and its
roots are found by a scan plus Brent (rank one) or multi-start Newton (rank R).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import optimize

from rnmf.models import RateNetwork

from ._load import _Load, _moments
from .static import _kappa_bound, _kappa_map


# ----------------------------------------------------------------------------------------
# one-population reference path: rnmf.theory.dmft.solve per kappa (test oracle, dmft field)
# ----------------------------------------------------------------------------------------
def _chaotic_closure_vec(L: _Load, k: np.ndarray, tol: float):
    """F_c(kappa) (R,) from the random-network DMFT with mean mu(kappa), quenched variance S(kappa)."""
    from ..dmft import solve as dmft_solve

    kap = np.asarray(k, float).reshape(1, L.R)
    mu, S, cn = L.stats(kap)
    m, s = float(mu[0, 0]), float(S[0, 0])
    rn = RateNetwork(N=1, g=L.net.g, J0=0.0, I0=m, sigma_I=math.sqrt(s), phi=L.tr)
    r = dmft_solve(rn, lyapunov=False, tol=tol, raise_on_failure=False, n_tau=201)
    chaos = [x for x in (r.solutions or (r,)) if x.regime == "chaotic" and x.converged]
    if not chaos:
        return np.full(L.R, np.nan), None
    sol = chaos[0]
    e = _moments(L.tr, sol.mu, sol.Delta0, ("phi", "dphi"))
    F = L.Mn[0] * float(e["phi"]) + cn[0, 0] * float(e["dphi"])
    return F, sol


def _chaotic_closure(L: _Load, k: float, tol: float):
    """Rank-one F_c(kappa) (scalar)."""
    F, sol = _chaotic_closure_vec(L, np.array([k]), tol)
    return float(F[0]), sol


def _chaotic_rank_one(
    L: _Load, tol: float, n_scan: int, symmetric: bool
) -> list[tuple[float, Any]]:
    """One-population rank-one chaotic states through :func:`rnmf.theory.dmft.solve` per kappa.

    The original path (one DMFT solve per kappa, ~0.1 s each); :func:`solve` now uses the
    vectorised mixture DMFT, and this independent route is kept as a test oracle.
    """
    if L.g2 == 0.0:
        return []
    B = _kappa_bound(L)
    pos = np.geomspace(1e-3 * B, B, n_scan)
    grid = pos if symmetric else np.concatenate([-pos[::-1], pos])
    # chaos needs an unstable static state of the same input statistics, g^2<phi'^2> > 1
    # (Kadmon & Sompolinsky 2015, PRX 5:041030): skip the DMFT solve elsewhere
    full = np.concatenate([[0.0], grid])
    _, d_eta, mu, D0, _ = _kappa_map(L, full[:, None])
    chi = L.g2 * _moments(L.tr, mu[:, 0], np.nan_to_num(D0[:, 0]), ("dphi2",))["dphi2"]
    can = np.isfinite(d_eta) & (chi > 1.0)
    vals = np.full(grid.size, np.nan)
    for j, k in enumerate(grid):
        if can[j + 1]:
            vals[j] = _chaotic_closure(L, float(k), 1e-9)[0] - k
    roots: list[float] = []
    if symmetric and can[0]:
        F0, _ = _chaotic_closure(L, 0.0, tol)
        if np.isfinite(F0) and abs(F0) < 1e-9:
            roots.append(0.0)
    for j in range(len(grid) - 1):
        a, b, fa, fb = grid[j], grid[j + 1], vals[j], vals[j + 1]
        if not (np.isfinite(fa) and np.isfinite(fb)) or fa * fb > 0:
            continue
        try:
            k = optimize.brentq(
                lambda x: _chaotic_closure(L, x, tol)[0] - x, float(a), float(b), xtol=1e-11 * B
            )
        except ValueError:
            continue
        roots.append(float(k))
    if symmetric:
        roots += [-r for r in roots if r != 0.0]
    out = []
    for k in sorted(roots):
        F, sol = _chaotic_closure(L, k, tol)
        h = 1e-5 * B
        slope = (_chaotic_closure(L, k + h, tol)[0] - _chaotic_closure(L, k - h, tol)[0]) / (2 * h)
        out.append((k, sol, slope, abs(F - k)))
    return out


# ----------------------------------------------------------------------------------------
# chaotic solutions for any P and R: mixture DMFT (rnmf.theory.dmft.mixture) + kappa closure
# ----------------------------------------------------------------------------------------
def _mix(L: _Load):
    from ..dmft import mixture

    return mixture._Mix(L.tr, L.net.g, L.w)


def _chaos_closure(L: _Load, kappa: np.ndarray, mx: Any = None):
    r"""Chaotic kappa map for many kappa rows at once (any P, any R).

    With the shared dynamic field of :mod:`rnmf.theory.dmft.mixture` (variance
    :math:`\Delta_0`), population p has :math:`x \sim N(\mu_p, S_p + \Delta_0)` over units and
    time and, by Stein's lemma (the bulk field is independent of the loadings),

    .. math:: F_r(\kappa) = \sum_p\alpha_p\big[\bar n_{r,p}\langle\phi\rangle_p
              + \mathrm{Cov}_p(n_r, x)\langle\phi'\rangle_p\big]

    (M&O 2018 STAR Methods, chaotic solutions, eq. for kappa with overlapping m and n;
    Beiran et al. 2021 Sec. 2.2 for the sum over populations).  Returns F (M, R) (NaN rows
    where no chaotic solution exists), the shared Delta0 and Delta_inf (M,).
    """
    from ..dmft import mixture

    mx = mx or _mix(L)
    K = np.atleast_2d(np.asarray(kappa, float))
    mu, S, cn = L.stats(K)
    D0, Dinf, _, _ = mixture._chaotic_rows(mx, mu, S)
    F = np.full(K.shape, np.nan)
    ok = np.isfinite(D0)
    if np.any(ok):
        e = _moments(L.tr, mu[ok], S[ok] + D0[ok, None], ("phi", "dphi"))
        F[ok] = np.einsum("p,mp,pr->mr", L.w, e["phi"], L.Mn) + np.einsum(
            "p,mpr,mp->mr", L.w, cn[ok], e["dphi"]
        )
    return F, D0, Dinf


def _chaos_jacobian(L: _Load, k: np.ndarray, h: float, mx: Any) -> np.ndarray:
    """Central-difference Jacobian dF_r/dkappa_s of the chaotic kappa map at one kappa."""
    R = L.R
    E = h * np.eye(R)
    F, *_ = _chaos_closure(L, np.concatenate([k + E, k - E]), mx)
    return (F[:R] - F[R:]).T / (2 * h)


def _chaos_rank_one_all(L: _Load, n_scan: int, symmetric: bool) -> list[np.ndarray]:
    """All roots of F_c(kappa) = kappa (rank one, any P): vectorised scan + Brent."""
    B = _kappa_bound(L)
    mx = _mix(L)
    pos = np.geomspace(1e-3 * B, B, n_scan)
    grid = pos if symmetric else np.concatenate([-pos[::-1], pos])
    F, *_ = _chaos_closure(L, grid[:, None], mx)
    G = F[:, 0] - grid
    roots: list[float] = []
    if symmetric:
        F0, D0, _ = _chaos_closure(L, np.zeros((1, 1)), mx)
        if np.isfinite(D0[0]) and abs(F0[0, 0]) < 1e-12:
            roots.append(0.0)

    def res(x: float) -> float:
        return float(_chaos_closure(L, np.array([[x]]), mx)[0][0, 0]) - x

    for j in range(grid.size - 1):
        fa, fb = G[j], G[j + 1]
        if not (np.isfinite(fa) and np.isfinite(fb)) or fa * fb > 0:
            continue
        try:
            k = optimize.brentq(res, float(grid[j]), float(grid[j + 1]), xtol=1e-13 * B, rtol=1e-14)
        except ValueError:
            continue
        roots.append(0.0 if abs(k) < 1e-12 * B else float(k))
    if symmetric:
        roots += [-r for r in roots if r != 0.0]
    out: list[np.ndarray] = []
    for k in sorted(roots):
        if not any(abs(k - q[0]) <= 1e-9 * (1 + B) for q in out):
            out.append(np.array([k]))
    return out


def _sobol_starts(R: int, B: float, n: int) -> np.ndarray:
    """``n`` scrambled Sobol points (fixed seed: deterministic) in the box |kappa_r| <= B."""
    from scipy.stats import qmc

    m = max(1, int(math.ceil(math.log2(max(n, 1)))))
    pts = qmc.Sobol(d=R, scramble=True, seed=20210601).random_base2(m)[:n]
    return B * (2.0 * pts - 1.0)


def _chaos_rank_r_all(
    L: _Load, extra_starts: list[np.ndarray], n_starts: int, symmetric: bool
) -> tuple[list[np.ndarray], dict]:
    r"""Roots of :math:`F_c(\kappa) = \kappa` for rank R >= 2 (any P) by multi-start Newton.

    Starts: kappa = 0, ``extra_starts`` (static states) and ``n_starts`` scrambled Sobol
    points in the box :math:`|\kappa_r| \le B` that contains every state (:func:`_kappa_bound`).
    A start without a chaotic solution is moved towards 0 along its ray (factors 0.7 .. 0.05)
    until it has one.  All starts iterate together (one vectorised closure call per Newton stage): Newton steps
    with a forward-difference Jacobian, step length capped at B/2, the largest factor in
    1, 1/2, .., 1/256 that lowers the residual norm (else the start is dropped); 40 iterations
    at most.
    Odd phi without inputs: :math:`F_c(-\kappa) = -F_c(\kappa)`, so each root's mirror image is
    added (and verified).  Cost: about ``(R + 2) * n_starts * n_iter`` closure rows.
    """
    R = L.R
    B = _kappa_bound(L)
    mx = _mix(L)
    starts = [np.zeros(R)] + [np.asarray(s, float) for s in extra_starts]
    starts += list(_sobol_starts(R, B, n_starts))
    K = np.array(starts)
    F, *_ = _chaos_closure(L, K, mx)
    G = F - K
    alive = np.all(np.isfinite(G), axis=1)
    # a start outside the chaotic region is pulled towards kappa = 0 along its ray (largest
    # factor with a chaotic solution), so the starts also cover a small chaotic region
    for fac in (0.7, 0.5, 0.35, 0.25, 0.15, 0.1, 0.05):
        dead = np.nonzero(~alive)[0]
        if dead.size == 0:
            break
        Kt = fac * np.array(starts)[dead]
        Ft, *_ = _chaos_closure(L, Kt, mx)
        good = np.all(np.isfinite(Ft), axis=1)
        K[dead[good]], G[dead[good]] = Kt[good], Ft[good] - Kt[good]
        alive[dead[good]] = True
    K, G = K[alive], G[alive]
    nrm = np.linalg.norm(G, axis=1)
    h = 1e-6 * B
    tol = 1e-12 * (1.0 + B)
    done = nrm <= tol
    n_rows = len(starts)
    for _ in range(40):
        act = np.nonzero(~done)[0]
        if act.size == 0:
            break
        Ka = K[act]
        pert = (Ka[:, None, :] + h * np.eye(R)[None]).reshape(-1, R)
        Fp, *_ = _chaos_closure(L, pert, mx)
        n_rows += pert.shape[0]
        Jg = (Fp.reshape(act.size, R, R) - (G[act] + Ka)[:, None, :]) / h  # [m, s, r] dF_r/dk_s
        Jg = np.swapaxes(Jg, 1, 2) - np.eye(R)[None]
        ok = np.all(np.isfinite(Jg), axis=(1, 2))
        step = np.zeros_like(Ka)
        for i in np.nonzero(ok)[0]:
            try:
                step[i] = -np.linalg.solve(Jg[i], G[act[i]])
            except np.linalg.LinAlgError:
                ok[i] = False
        ln = np.linalg.norm(step, axis=1)
        step *= np.minimum(1.0, 0.5 * B / np.maximum(ln, 1e-300))[:, None]
        pending = np.nonzero(ok)[0]
        dead = np.nonzero(~ok)[0]
        # backtracking in three batches of step factors (one vectorised call each); the
        # largest factor that lowers the residual norm is taken
        for lams in ((1.0,), (0.5, 0.25, 0.125), (1 / 16, 1 / 64, 1 / 256)):
            if pending.size == 0:
                break
            lv = np.array(lams)
            nl = lv.size
            trial = (
                Ka[pending][:, None, :] + lv[None, :, None] * step[pending][:, None, :]
            ).reshape(-1, R)
            Ft, *_ = _chaos_closure(L, trial, mx)
            n_rows += trial.shape[0]
            Gt = (Ft - trial).reshape(pending.size, nl, R)
            nt = np.linalg.norm(Gt, axis=2)
            better = np.isfinite(nt) & (nt < nrm[act[pending]][:, None])
            acc = np.any(better, axis=1)
            first = np.argmax(better, axis=1)
            for i in np.nonzero(acc)[0]:
                j, ia = first[i], act[pending[i]]
                K[ia] = trial.reshape(pending.size, nl, R)[i, j]
                G[ia], nrm[ia] = Gt[i, j], nt[i, j]
                small = lv[j] * np.linalg.norm(step[pending[i]])
                done[ia] = (nt[i, j] <= tol) | (small <= 1e-13 * (1.0 + B))
            pending = pending[~acc]
        dead = np.concatenate([dead, pending])
        done[act[dead]] = True
        nrm[act[dead]] = np.inf
    roots: list[np.ndarray] = []
    for k, r in zip(K, nrm, strict=True):
        if not r <= 1e-9 * (1.0 + B):
            continue
        cands = [k, -k] if symmetric else [k]
        for c in cands:
            c = np.where(np.abs(c) < 1e-12 * B, 0.0, c)
            if any(np.max(np.abs(c - q)) <= 1e-6 * (1 + B) for q in roots):
                continue
            if c is not k:
                Fc, *_ = _chaos_closure(L, c[None], mx)
                if not np.max(np.abs(Fc[0] - c)) <= 1e-9 * (1.0 + B):
                    continue
            roots.append(c)
    return roots, {"starts": len(starts), "closure_rows": n_rows}
