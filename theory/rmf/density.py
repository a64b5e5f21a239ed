r"""Stationary density of the RMF neuron for any intensity and any sign of the jumps.

The RMF neuron (Poisson inputs of rates ``lam_k`` and jumps ``w_k``) has the stationary
density equation (Baccelli & Taillefumier 2019, SIAM J. Appl. Dyn. Syst. 18:1756, Sec. 3,
eq. (3.3) for the generator)

.. math::

    0 = -\partial_v\Big[\frac{b - v}{\tau} p\Big] - \phi(v) p + \beta\,\delta(v - r)
        + \sum_k \lambda_k [p(v - w_k) - p(v)], \qquad \beta = \int \phi\, p .

It is discretised as a continuous-time Markov chain on a uniform grid of spacing ``h``
(a finite-volume scheme, Kushner & Dupuis 2001, *Numerical Methods for Stochastic Control
Problems in Continuous Time*, Ch. 4): the drift moves to the upwind neighbour at rate
``|b - v|/(tau h)``, a jump to ``v + w_k`` is split between the two neighbouring nodes so
that its mean is exact, a spike moves the state to the node at r.  The chain is a
renewal process at its spikes: with ``A = Q_0 - diag(phi)`` (drift and jumps, minus the
spike exit), the expected time spent at each node before the next spike solves
``y A = -e_r`` and ``beta = 1 / sum(y)``, ``pi = beta y``.  The system is solved by GMRES
preconditioned with its tridiagonal part (the jumps are far off the diagonal).

The error of the upwind scheme is O(h) when the grid is aligned with r, b and the jump
sizes (this module aligns it when the jumps are commensurate); the grid is refined by
factors of 2 and the rates are extrapolated (Richardson 1911, Phil. Trans. R. Soc. A
210:307) until two successive extrapolants agree to ``tol``; that difference is the
reported error estimate.  Where the density is singular (at ``v = b`` when
``(phi(b) + sum lam) tau < 1``) the expansion in h has non-integer powers, the
extrapolation is slower, and the error estimate shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.linalg import solve_banded
from scipy.sparse.linalg import LinearOperator, gmres

__all__ = ["DensityRate", "Grid", "build_grid", "density_rate", "solve_chain"]


@dataclass(frozen=True)
class Grid:
    """A discretised RMF neuron: nodes ``v``, spacing ``h``, generator pieces."""

    v: np.ndarray
    h: float
    i_r: int  # node of the reset (-1 without reset)
    phi_v: np.ndarray
    A: sparse.csr_matrix  # Q0 - diag(phi) (reset) or Q0 (no reset)
    jumps: tuple = field(default=())  # per stream: sparse (J_k - I) without the rate


@dataclass(frozen=True)
class DensityRate:
    """Extrapolated rate of one RMF neuron with its error estimate."""

    beta: float
    dbeta_dlam: np.ndarray
    error: float
    levels: np.ndarray  # rates at each grid level (before extrapolation)
    n_nodes: np.ndarray
    grid: Grid  # the finest grid
    pi: np.ndarray  # stationary probabilities on the finest grid
    converged: bool


def _unit(values: list[float]) -> float | None:
    """Largest u with every value an integer multiple (<= 2000) of u, or None."""
    vals = [abs(x) for x in values if abs(x) > 1e-12]
    if not vals:
        return None
    base = min(vals)
    for m in range(1, 2001):
        u = base / m
        if all(abs(x / u - round(x / u)) < 1e-9 * max(1.0, x / u) for x in vals):
            return u
    return None


def _domain(b, tau, r, lam, w, phi, reset) -> tuple[float, float]:
    lo = min(b, r) if reset else b
    hi = max(b, r) if reset else b
    tau_eff = tau if np.isfinite(tau) else 10.0 / max(float(np.sum(lam)), 1e-3)
    var = tau_eff * float(np.sum(lam * w * w)) / 2.0
    sd = np.sqrt(var)
    neg = float(np.sum(lam * np.minimum(w, 0.0))) * tau_eff
    pos = float(np.sum(lam * np.maximum(w, 0.0))) * tau_eff
    wmin = float(np.min(w, initial=0.0))
    wmax = float(np.max(w, initial=0.0))
    lo = lo + neg - 8.0 * sd + 3.0 * wmin - 1e-3 * (1.0 + abs(lo))
    hi = hi + pos + 8.0 * sd + 3.0 * wmax + 1e-3 * (1.0 + abs(hi))
    return lo, hi


def build_grid(
    b: float,
    tau: float,
    r: float,
    lam: np.ndarray,
    w: np.ndarray,
    phi: Callable[[np.ndarray], np.ndarray],
    reset: bool,
    lo: float,
    hi: float,
    h: float,
    anchor: float,
) -> Grid:
    """Generator of the Markov chain on ``[lo, hi]`` with nodes at ``anchor + k h``."""
    k0 = int(np.floor((lo - anchor) / h))
    k1 = int(np.ceil((hi - anchor) / h))
    v = anchor + h * np.arange(k0, k1 + 1)
    n = v.size
    idx = np.arange(n)
    rows, cols, vals = [], [], []
    if np.isfinite(tau):
        mu = (b - v) / tau
        up = np.maximum(mu, 0.0) / h
        dn = np.maximum(-mu, 0.0) / h
        up[-1] = 0.0
        dn[0] = 0.0
        rows += [idx[:-1], idx[1:]]
        cols += [idx[1:], idx[:-1]]
        vals += [up[:-1], dn[1:]]
    jumps = []
    for wk in np.atleast_1d(w):
        pos = np.clip((v + wk - v[0]) / h, 0.0, n - 1.0)
        fl = np.floor(pos + 1e-9).astype(np.int64)
        fl = np.minimum(fl, n - 1)
        frac = np.clip(pos - fl, 0.0, 1.0)
        frac[frac < 1e-9] = 0.0
        hi_idx = np.minimum(fl + 1, n - 1)
        Jr = np.concatenate([idx, idx])
        Jc = np.concatenate([fl, hi_idx])
        Jv = np.concatenate([1.0 - frac, frac])
        keep = (Jv > 0) & (Jr != Jc)
        Jk = sparse.coo_matrix((Jv[keep], (Jr[keep], Jc[keep])), shape=(n, n)).tocsr()
        Jk = Jk - sparse.diags(np.asarray(Jk.sum(axis=1)).ravel())
        jumps.append(Jk.tocsr())
    off = sparse.coo_matrix(
        (np.concatenate(vals) if vals else np.zeros(0),
         (np.concatenate(rows) if rows else np.zeros(0, int),
          np.concatenate(cols) if cols else np.zeros(0, int))),
        shape=(n, n),
    ).tocsr()  # fmt: skip
    Q0 = off - sparse.diags(np.asarray(off.sum(axis=1)).ravel())
    for lk, Jk in zip(np.atleast_1d(lam), jumps, strict=True):
        if lk != 0.0:
            Q0 = Q0 + lk * Jk
    phi_v = np.asarray(phi(v), dtype=float)
    if reset:
        A = (Q0 - sparse.diags(phi_v)).tocsr()
        i_r = int(np.argmin(np.abs(v - r)))
    else:
        A = Q0.tocsr()
        i_r = -1
    return Grid(v=v, h=h, i_r=i_r, phi_v=phi_v, A=A, jumps=tuple(jumps))


def _tri_solver(M: sparse.csr_matrix) -> Callable[[np.ndarray], np.ndarray]:
    n = M.shape[0]
    ab = np.zeros((3, n))
    ab[0, 1:] = M.diagonal(1)
    ab[1] = M.diagonal(0)
    ab[2, :-1] = M.diagonal(-1)
    ab[1][ab[1] == 0.0] = -1.0

    def solve(x: np.ndarray) -> np.ndarray:
        return solve_banded((1, 1), ab, x, check_finite=False)

    return solve


def solve_chain(G: Grid, rhs_row: np.ndarray, *, normalise_at: int = -1) -> np.ndarray:
    """Solve the row system ``y A = rhs_row`` (``A`` from the grid) by preconditioned GMRES.

    With ``normalise_at = k >= 0`` (chains without reset, where A is singular) the
    unknown ``y[k]`` is fixed to ``rhs_row[k]`` and equation k is dropped: for
    ``rhs_row = e_k`` the solution is the stationary law up to normalisation.
    """
    AT = G.A.T.tocsr()
    n = AT.shape[0]
    if normalise_at >= 0:
        # pi A = 0 with pi[k] = 1: drop equation k and unknown k (the rest stays banded)
        k = normalise_at
        rhs = np.asarray(rhs_row, dtype=float)
        keep = np.r_[0:k, k + 1 : n]
        sub = Grid(G.v[keep], G.h, -1, G.phi_v[keep], AT[keep][:, keep].T.tocsr())
        col = np.asarray(AT[keep][:, [k]].todense()).ravel()
        x = solve_chain(sub, rhs[keep] - col * rhs[k])
        return np.insert(x, k, rhs[k])
    coo = AT.tocoo()
    lower = int(max(0, np.max(coo.row - coo.col, initial=0)))
    upper = int(max(0, np.max(coo.col - coo.row, initial=0)))
    if n <= 1500 or n * (lower + upper + 1) <= 2e7:
        # SuperLU on the banded matrix (single-threaded; fill stays within the band)
        lu = sparse.linalg.splu(AT.tocsc(), permc_spec="NATURAL")
        return lu.solve(np.asarray(rhs_row, dtype=AT.dtype))
    tri = _tri_solver(AT)
    M = LinearOperator((n, n), matvec=tri, dtype=float)
    y, info = gmres(AT, rhs_row, M=M, rtol=1e-13, atol=0.0, restart=60, maxiter=10)
    scale = float(np.abs(AT).sum(axis=1).max()) * float(np.abs(y).max()) + 1e-300
    if info != 0 and float(np.abs(AT @ y - rhs_row).max()) > 1e-13 * scale:
        lu = sparse.linalg.splu(AT.tocsc())
        y = lu.solve(np.asarray(rhs_row, dtype=float))
    return y


def _level(b, tau, r, lam, w, phi, reset, lo, hi, h, anchor, derivs: bool):
    G = build_grid(b, tau, r, lam, w, phi, reset, lo, hi, h, anchor)
    n = G.v.size
    if reset:
        e = np.zeros(n)
        e[G.i_r] = -1.0
        y = solve_chain(G, e)
        m1 = float(y.sum())
        beta = 1.0 / m1
        pi = beta * y
        d = np.zeros(len(np.atleast_1d(lam)))
        if derivs:
            for k, Jk in enumerate(G.jumps):
                z = solve_chain(G, Jk.T @ y)
                d[k] = beta * beta * float(z.sum())
    else:
        i0 = int(np.argmin(np.abs(G.v - b)))
        e = np.zeros(n)
        e[i0] = 1.0
        pi = solve_chain(G, e, normalise_at=i0)
        pi = pi / pi.sum()
        beta = float(pi @ G.phi_v)
        d = np.zeros(len(np.atleast_1d(lam)))
        if derivs:
            for k, Jk in enumerate(G.jumps):
                # d pi A + pi J_k = 0 with sum(d pi) = 0: solve with d pi[i0] = 0, then
                # remove the component along pi
                rhs = -(Jk.T @ pi)
                rhs[i0] = 0.0
                dpi = solve_chain(G, rhs, normalise_at=i0)
                dpi = dpi - dpi.sum() * pi
                d[k] = float(dpi @ G.phi_v)
    return beta, d, G, pi


def density_rate(
    b: float,
    tau: float,
    r: float,
    lam: np.ndarray,
    w: np.ndarray,
    phi: Callable[[np.ndarray], np.ndarray],
    *,
    reset: bool = True,
    tol: float = 1e-7,
    n0: int = 300,
    max_levels: int = 7,
    derivs: bool = True,
    domain: tuple[float, float] | None = None,
) -> DensityRate:
    """Stationary rate of one RMF neuron by grid refinement and Richardson extrapolation.

    Parameters
    ----------
    b, tau, r : float
        Neuron parameters (``tau = inf`` allowed).
    lam, w : arrays (K,)
        Input stream rates and jump sizes (any sign).
    phi : callable
        Intensity, vectorised, non-negative and non-decreasing.
    reset : bool
        Whether a spike resets the state to r.
    tol : float
        Target relative error of the extrapolated rate.
    n0 : int
        Nodes of the coarsest grid (about).
    max_levels : int
        At most this many grids (each halving h).
    derivs : bool
        Also compute ``d beta / d lam_k`` (adjoint solves, extrapolated alike).
    domain : (lo, hi), optional
        Grid range; by default from the input statistics, then widened until the mass
        in the outer 2 % of the range is below ``1e-12``.
    """
    lam = np.atleast_1d(np.asarray(lam, dtype=float))
    w = np.atleast_1d(np.asarray(w, dtype=float))
    active = lam > 0
    lam_a, w_a = lam[active], w[active]
    if not reset and lam_a.size == 0:
        if not np.isfinite(tau):
            raise ValueError("a neuron without leak, reset or input has no stationary law")
        beta = float(np.asarray(phi(np.array([b])))[0])
        G = build_grid(b, tau, r, lam_a, w_a, phi, reset, b - 1.0, b + 1.0, 1.0, b)
        pi = (G.v == b).astype(float)
        return DensityRate(beta, np.zeros(lam.size), 0.0, np.array([beta]), np.array([3]),
                           G, pi, True)  # fmt: skip
    lo, hi = domain if domain is not None else _domain(b, tau, r, lam_a, w_a, phi, reset)
    anchor = r if reset else b
    unit = _unit([r - b, *w_a.tolist()]) if np.isfinite(tau) else _unit(list(w_a))
    # widen the domain until the outer mass is negligible (on a coarse grid)
    for _ in range(12):
        h = (hi - lo) / n0
        if unit is not None:
            h = unit / max(1, int(np.ceil(unit / h)))
        beta, _, G, pi = _level(b, tau, r, lam_a, w_a, phi, reset, lo, hi, h, anchor, False)
        edge = 0.02 * (G.v[-1] - G.v[0])
        m_lo = float(pi[G.v < G.v[0] + edge].sum())
        m_hi = float(pi[G.v > G.v[-1] - edge].sum())
        if domain is not None or (m_lo < 1e-12 and m_hi < 1e-12):
            break
        span = hi - lo
        if m_lo >= 1e-12:
            lo -= 0.5 * span
        if m_hi >= 1e-12:
            hi += 0.5 * span
    betas, ders, ns = [], [], []
    R_prev: list[np.ndarray] = []
    err = np.inf
    diffs: list[float] = []
    best = None
    for L in range(max_levels):
        hL = h / 2**L
        bL, dL, G, pi = _level(b, tau, r, lam_a, w_a, phi, reset, lo, hi, hL, anchor, derivs)
        betas.append(bL)
        ders.append(dL)
        ns.append(G.v.size)
        row = [np.concatenate([[bL], dL])]
        for k in range(1, L + 1):
            row.append(row[k - 1] + (row[k - 1] - R_prev[k - 1]) / (2.0**k - 1.0))
        if L >= 1:
            diffs.append(float(abs(row[L][0] - row[L - 1][0])))
            # conservative: the larger of the last two successive differences
            err = max(diffs[-2:])
            best = row[L]
            if L >= 2 and err <= tol * abs(row[L][0]):
                break
        R_prev = row
        best = row[L]
    full_d = np.zeros(lam.size)
    full_d[active] = best[1:]
    beta_x = float(best[0])
    return DensityRate(
        beta=beta_x,
        dbeta_dlam=full_d,
        error=err,
        levels=np.array(betas),
        n_nodes=np.array(ns),
        grid=G,
        pi=pi,
        converged=bool(err <= tol * max(abs(beta_x), 1e-300)),
    )
