r"""Mean-field theory of low-rank plus random rate networks.

Network (:class:`rnmf._lowrank_model.LowRankNetwork`, time in units of tau):

.. math:: \dot x_i = -x_i + \sum_j \Big(g\chi_{ij} + \frac1N\sum_r m_{ir} n_{jr}\Big)\phi(x_j)
          + \sum_k I_{ik} u_k .

Mean-field description (Mastrogiuseppe & Ostojic 2018, Neuron 99:609, hereafter M&O;
STAR Methods, mean-field theory of the stationary and of the chaotic solutions for rank
one, and of rank-two structures; Beiran et al. 2021, Neural Comput 33:1572, Sec. 2 for
Gaussian mixtures):  the input to unit i is

.. math:: x_i = \sum_r m_{ir}\kappa_r + \sum_k I_{ik}u_k + \eta_i,\qquad
          \kappa_r = \frac1N\sum_j n_{jr}\phi(x_j),

with :math:`\eta_i` the field of the random bulk, a Gaussian process independent of
the loadings with :math:`\langle\eta^2\rangle = g^2\langle\phi^2\rangle` at a fixed point.
Within population p (one population for a joint Gaussian) x is Gaussian with

.. math:: \mu_p = v\cdot\bar a_p,\quad \Delta_{0,p} = v^T\Sigma_p v + \Delta_\eta,\qquad
          v = (\kappa_1..\kappa_R, u_1..u_K),

where :math:`\bar a_p`, :math:`\Sigma_p` are the means and covariance of the entries
:math:`(m_1..m_R, I_1..I_K)`, and by Gaussian integration by parts (Stein's lemma)

.. math:: \kappa_r = \sum_p \alpha_p\Big[\bar n_{r,p}\langle\phi\rangle_p
          + \mathrm{Cov}_p(n_r, x)\,\langle\phi'\rangle_p\Big]

(M&O STAR Methods, rank one with overlapping m and n; Beiran et al. 2021, Sec. 2.2).

Chaotic states (any rank R, any number of populations P).  With kappa constant in time the
input to a unit of population p splits into a quenched part, Gaussian over the units with
mean :math:`\mu_p = v\cdot\bar a_p` and variance :math:`S_p = v^T\Sigma_p v`, and the
low-pass filtered bulk field :math:`\xi_i(t)`.  Derivation: for :math:`N\to\infty` the bulk
input :math:`\eta_i = g\sum_j\chi_{ij}\phi_j` is a Gaussian process independent of the
loadings (the :math:`\chi_{ij}` are independent of m, n and of the populations), with one
autocovariance for all units, :math:`g^2\sum_p\alpha_pC_p(\tau)`, where :math:`C_p` is the
autocorrelation of :math:`\phi(x)` averaged over population p (SCS 1988 eq. 4 applied to the
mixture; M&O STAR Methods, chaotic solutions, for P = 1).  Hence

.. math:: (1 - \partial_\tau^2)\Delta(\tau) = g^2\sum_p\alpha_p
          C_p\big(S_p + \Delta(\tau);\ \mu_p,\ S_p + \Delta_0\big),

a particle in :math:`V(\Delta) = -\Delta^2/2 + g^2\sum_p\alpha_p\langle\Phi\Phi\rangle_p`
with :math:`V(\Delta_0) = V(\Delta_\infty)`, :math:`V'(\Delta_\infty) = 0`, solved by
:mod:`rnmf.theory.dmft.mixture`.  Over units and time x in population p is Gaussian with
mean :math:`\mu_p` and variance :math:`\Delta_{0,p} = S_p + \Delta_0`; as the bulk field is
independent of :math:`n_r`, Stein's lemma gives the same kappa equation as above with these
statistics.  For P = 1 this is the quenched-input DMFT of Kadmon & Sompolinsky 2015 (PRX
5:041030) used by M&O, i.e. :func:`rnmf.theory.dmft.solve` with :math:`I_0 = \mu`,
:math:`\sigma_I^2 = S`.

Stability of a fixed point (derived in this module's docstring of
:func:`linear_stability`): the linearised connectivity
:math:`(g\chi + mn^T/N)\,\mathrm{diag}\,\phi'(x)` has a bulk of radius
:math:`g\sqrt{\langle\phi'^2\rangle}` (Rajan & Abbott 2006, PRL 97:188104; M&O STAR Methods, stability of stationary states)
and outliers given by a (R+1)-dimensional eigenproblem that couples the structured
modes to the response of the bulk field (M&O STAR Methods, stability of stationary states).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from scipy import optimize, signal

from rnmf._lowrank_model import LowRankNetwork
from rnmf.models import RateNetwork
from rnmf.results import ConvergenceError, Result, Status, finish

from .dmft._common import illinois
from .gaussian import expect, nodes

__all__ = [
    "LatentTrajectory",
    "LimitCycle",
    "LowRankPhaseDiagram",
    "LowRankState",
    "connectivity_outliers",
    "critical_g_bistable_chaos",
    "critical_g_chaos",
    "latent_dynamics",
    "latent_fixed_points",
    "linear_stability",
    "phase_diagram",
    "rotational_limit_cycle",
    "solve",
]


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

    def _repr_rows(self) -> list[tuple[str, str]]:
        rows = [r for r in super()._repr_rows() if r[0] not in ("solutions", "dmft")]
        if self.solutions:
            desc = "; ".join(
                f"{s.regime}(kappa={np.array2string(s.kappa, precision=4)}, "
                f"{'stable' if s.stable else 'unstable'})"
                for s in self.solutions
            )
            rows.append(("solutions", f"{len(self.solutions)}: {desc}"))
        return rows


# ----------------------------------------------------------------------------------------
# Gaussian moments
# ----------------------------------------------------------------------------------------
def _check_lr(net: Any) -> LowRankNetwork:
    if not isinstance(net, LowRankNetwork):
        raise ValueError(
            f"net must be an rnmf LowRankNetwork, got {type(net).__name__}; "
            "build one with LowRankNetwork.rank_one(...) or LowRankNetwork(N, g, R, means, cov)"
        )
    return net


def _bounded(tr: Any) -> bool:
    return tr.kind in ("tanh", "erf")


def _moments(tr: Any, mu: Any, D: Any, which: tuple[str, ...]) -> dict[str, np.ndarray]:
    r"""Gaussian averages :math:`\langle f(\mu+\sqrt{D}z)\rangle` of the named functions.

    Names: ``phi, dphi, phi2, dphi2`` (and for scalars ``zdphi, z2dphi, pdp, zpdp, z2pdp``
    with ``pdp = phi phi'``).  Smooth phi: one trapezoidal rule shared by all functions
    (:mod:`rnmf.theory.gaussian`, exponentially accurate); relu: split at the kink.
    """
    mu, D = np.broadcast_arrays(np.asarray(mu, float), np.asarray(D, float))
    D = np.maximum(D, 0.0)

    def f_of(name: str, x: np.ndarray, z: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            if name == "phi":
                return tr(x)
            if name == "dphi":
                return tr.derivative(x)
            if name == "phi2":
                return tr(x) ** 2
            if name == "dphi2":
                return tr.derivative(x) ** 2
            if name == "zdphi":
                return z * tr.derivative(x)
            if name == "z2dphi":
                return z * z * tr.derivative(x)
            if name == "pdp":
                return tr(x) * tr.derivative(x)
            if name == "zpdp":
                return z * tr(x) * tr.derivative(x)
            if name == "z2pdp":
                return z * z * tr(x) * tr.derivative(x)
        raise KeyError(name)

    if tr.kind == "relu":
        out = {}
        if mu.ndim == 0:
            m0, s0 = float(mu), math.sqrt(float(D))
            for name in which:

                def f(x: np.ndarray, name: str = name) -> np.ndarray:
                    z = (x - m0) / s0 if s0 > 0 else np.zeros_like(x)
                    return f_of(name, x, z)

                out[name] = np.asarray(expect(f, m0, float(D), kink=tr.theta, n=48))
            return out
        for name in which:
            if name.startswith("z"):
                raise ValueError("z-weighted relu moments are scalar only")
            out[name] = np.asarray(
                expect(lambda x, name=name: f_of(name, x, x), mu, D, kink=tr.theta, n=32)
            )
        return out
    z, w = nodes(None, dmax=float(np.max(D)) if D.size else 1.0)
    x = mu[..., None] + np.sqrt(D)[..., None] * z
    return {name: f_of(name, x, z) @ w for name in which}


# ----------------------------------------------------------------------------------------
# loadings in array form
# ----------------------------------------------------------------------------------------
class _Load:
    """Loading statistics of ``net`` as arrays (numerics only)."""

    def __init__(self, net: LowRankNetwork, inputs: np.ndarray | None = None) -> None:
        self.net = net
        R, K = net.R, net.K
        self.R, self.K, self.P = R, K, net.P
        self.w = net.weight_array()
        M = net.mean_array()
        C = net.cov_array()
        self.idx = np.r_[np.arange(R), 2 * R + np.arange(K)]  # entries acting on x
        self.Ma = M[:, self.idx]  # (P, R+K)
        self.Mm = M[:, :R]  # (P, R)
        self.Mn = M[:, R : 2 * R]  # (P, R)
        self.Caa = C[:, self.idx][:, :, self.idx]  # (P, R+K, R+K)
        self.Cna = C[:, R : 2 * R][:, :, self.idx]  # (P, R, R+K)
        self.Cma = C[:, :R][:, :, self.idx]  # (P, R, R+K)
        self.Cnm = C[:, R : 2 * R, :R]  # (P, R, R)
        self.u = np.asarray(net.inputs if inputs is None else inputs, float)
        self.g2 = net.g**2
        self.tr = net.phi

    def v(self, kappa: np.ndarray) -> np.ndarray:
        kappa = np.asarray(kappa, float)
        u = np.broadcast_to(self.u, kappa.shape[:-1] + (self.K,))
        return np.concatenate([kappa, u], axis=-1)

    def stats(self, kappa: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """mu_p, S_p (static variance from the loadings), Cov_p(n_r, x) for kappa (..., R)."""
        v = self.v(kappa)
        mu = v @ self.Ma.T
        S = np.einsum("...i,pij,...j->...p", v, self.Caa, v)
        cn = np.einsum("pri,...i->...pr", self.Cna, v)
        return mu, np.maximum(S, 0.0), cn


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
    net = _check_lr(net)
    L = _Load(net)
    kappa = np.asarray(kappa, float).reshape(L.R)
    d_eta = float(Delta_eta)
    mu, S, _ = L.stats(kappa[None])
    mu, S = mu[0], S[0]
    R = L.R
    A = np.zeros((R + 1, R + 1))
    phi2 = 0.0
    dphi2 = 0.0
    v = L.v(kappa[None])[0]
    C_all = net.cov_array()
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
def _kappa_bound(L: _Load) -> float:
    """|kappa_r| <= sqrt(<n_r^2>) sqrt(<phi^2>) (Cauchy-Schwarz) with |phi| <= 1."""
    n2 = 0.0
    for p in range(L.P):
        n2 = max(n2, float(np.max(L.Mn[p] ** 2 + np.diag(L.net.cov_array()[p])[L.R : 2 * L.R])))
    B = math.sqrt(n2)
    if not _bounded(L.tr):
        u_max = float(np.max(np.abs(L.u))) if L.K else 0.0
        B = 10.0 * (1.0 + B) * (1.0 + u_max)
    return 1.02 * B + 1e-9


def _static_rank_one(L: _Load, tol: float, n_scan: int) -> list[tuple[np.ndarray, float]]:
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
        k, d = y[:R], max(y[R], 0.0)
        F, _, mu, D0, e = _kappa_map(L, k[None], np.array([d]))
        h = L.g2 * float(e["phi2"][0] @ L.w) - d
        return np.concatenate([F[0] - k, [h]])

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


# ----------------------------------------------------------------------------------------
# one-population reference path: rnmf.theory.dmft.solve per kappa (test oracle, dmft field)
# ----------------------------------------------------------------------------------------
def _chaotic_closure_vec(L: _Load, k: np.ndarray, tol: float):
    """F_c(kappa) (R,) from the random-network DMFT with mean mu(kappa), quenched variance S(kappa)."""
    from .dmft import solve as dmft_solve

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
    from .dmft import mixture

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
    from .dmft import mixture

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


def _chaotic_state(L: _Load, k: np.ndarray, options: dict, tol: float) -> LowRankState | None:
    """Build a chaotic LowRankState at a root kappa of the chaotic closure."""
    from .dmft import mixture

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

    found for rank one by a scan of kappa over its whole range :math:`|\kappa| \le
    \sqrt{\langle n^2\rangle}` (bounded phi; all roots, bistable pairs included) and for
    rank R >= 2 by Newton from many starting points.  Chaotic states (g > 0, any P and R)
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
        Scan points for rank one (>= 20).
    n_starts : int
        Quasi-random starts of the rank R >= 2 chaotic search (>= 0).
    raise_on_failure : bool
        Raise :class:`rnmf.results.ConvergenceError` if no state is found.

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
    if not (isinstance(tol, float | int) and 0 < tol < 1e-3):
        raise ValueError(f"tol must be a relative tolerance in (0, 1e-3), got {tol!r}")
    if isinstance(n_scan, bool) or not isinstance(n_scan, int) or n_scan < 20:
        raise ValueError(f"n_scan must be an integer >= 20, got {n_scan!r}")
    if isinstance(n_starts, bool) or not isinstance(n_starts, int) or n_starts < 0:
        raise ValueError(f"n_starts must be an integer >= 0, got {n_starts!r}")
    L = _Load(net)
    options = {"chaotic": chaotic, "tol": tol, "n_scan": n_scan, "n_starts": n_starts}
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
        if L.R == 1:
            found = _chaos_rank_one_all(L, max(24, n_scan // 16), sym)
        else:
            # every static state unstable through its bulk, plus the quasi-random starts
            extra = [s.kappa for s in states if s.bulk_radius > 1.0]
            found, _cost = _chaos_rank_r_all(L, extra, n_starts, sym)
        for k in found:
            st = _chaotic_state(L, k, options, tol)
            if st is not None:
                states.append(st)
    if not states:
        empty = LowRankState(
            model=net,
            method="static mean field",
            options=options,
            converged=False,
            status=Status.NO_SOLUTION,
            residual=math.inf,
        )
        if raise_on_failure:
            raise ConvergenceError(
                "no stationary low-rank mean-field state found (unbounded phi: the activity may "
                "diverge; reduce g or the structure strength)",
                empty,
            )
        return empty
    rank = {"chaotic": 0, "static": 1, "quiet": 2}
    states.sort(key=lambda s: (not s.stable, rank[s.regime], -float(s.kappa[0])))
    sols = tuple(states)
    return finish(replace(states[0], solutions=sols), raise_on_failure)


# ----------------------------------------------------------------------------------------
# rank-one phase diagram in (g, M_m M_n)
# ----------------------------------------------------------------------------------------
_PD_NODES = 161  # trapezoidal nodes on the grid (error < 1e-6 for Delta0 <~ 30, tanh)


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
    z, wq = nodes(n or 401, method="trap")
    sd = np.sqrt(np.maximum(D0, 0.0))
    x = mu[..., None] + sd[..., None] * z
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
    from .dmft import solve_grid

    g = np.asarray(g, float)
    out = solve_grid(RateNetwork(N=1, g=1.0, phi=tr), g=g)
    return np.where(out["regime"] == "quiet", 0.0, out["Delta0"]).astype(float)


def _check_pd_args(M_m: float, S_m: float, phi: Any) -> tuple[float, float, Any]:
    from rnmf.transfer import as_transfer

    M_m = float(M_m)
    if not math.isfinite(M_m) or M_m == 0:
        raise ValueError(
            f"M_m must be finite and nonzero (the strength is varied through M_n), got {M_m}"
        )
    S_m = float(S_m)
    if not math.isfinite(S_m) or S_m < 0:
        raise ValueError(f"S_m must be finite and >= 0, got {S_m}")
    tr = as_transfer(phi, field_name="phi")
    if not (tr.odd and tr.kind in ("tanh", "erf")):
        raise ValueError(
            f"the rank-one phase diagram needs an odd sigmoid phi (tanh or erf), got {tr.name}"
        )
    return M_m, S_m, tr


def _as_strengths(name: str, v: Any) -> np.ndarray:
    a = np.atleast_1d(np.asarray(v, float))
    if a.ndim != 1 or not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be a 1-D array of finite numbers")
    return a


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
        Upper end of the search (NaN returned where g_C > g_max).

    Returns
    -------
    ndarray
        :math:`g_C` for each strength (NaN where the heterogeneous state does not exist).

    Examples
    --------
    >>> round(float(critical_g_chaos(2.2)[0]), 4)  # REFERENCES.md sec. 4: 1.7959
    1.7959
    """
    M_m, S_m, tr = _check_pd_args(M_m, S_m, phi)
    s = _as_strengths("strength", strength)
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
    >>> round(float(critical_g_bistable_chaos(2.2)[0]), 4)  # REFERENCES.md sec. 4: 2.1358
    2.1358
    """
    from rnmf.transfer import as_transfer

    tr = as_transfer(phi, field_name="phi")
    s = _as_strengths("strength", strength)
    slope0 = float(tr.derivative(0.0))
    out = np.full(s.size, np.nan)
    cand = np.nonzero(s * slope0 > 1.0)[0]
    if cand.size == 0:
        return out

    def f(g: np.ndarray, sel: np.ndarray) -> np.ndarray:
        D = _scs_variance(tr, g)
        return s[cand][sel] * _avg(tr, 0.0, D, ("dphi",), None)["dphi"] - 1.0

    j = np.arange(cand.size)
    lo = np.full(cand.size, (1.0 + 1e-9) / slope0)
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
        Random strength g (>= 0) and structure strength :math:`s = M_mM_n`.
    M_m, S_m : float
        Mean (nonzero) and standard deviation of m.
    phi : str or Transfer
        tanh or erf.
    n_boundary : int
        Points per boundary curve (>= 2).

    Returns
    -------
    LowRankPhaseDiagram
    """
    M_m, S_m, tr = _check_pd_args(M_m, S_m, phi)
    gv = _as_strengths("g", g)
    sv = _as_strengths("strength", strength)
    if np.any(gv < 0):
        raise ValueError("g must be >= 0")
    if isinstance(n_boundary, bool) or not isinstance(n_boundary, int) or n_boundary < 2:
        raise ValueError(f"n_boundary must be an integer >= 2, got {n_boundary!r}")
    w = S_m / M_m
    G, S = np.meshgrid(gv, sv)
    mu, D0, exists = _het_static(tr, G, S, w, _PD_NODES)
    bulk = np.full(G.shape, np.nan)
    re_out = np.full(G.shape, np.nan)
    if np.any(exists):
        b, r = _het_stable(tr, G[exists], S[exists], w, M_m, mu[exists], D0[exists], _PD_NODES)
        bulk[exists], re_out[exists] = b, r
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
    gC = critical_g_chaos(s_line, M_m=M_m, S_m=S_m, phi=tr, g_max=max(10.0, gmax))
    gBB = critical_g_bistable_chaos(s_line, phi=tr, g_max=max(20.0, gmax))
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


# ----------------------------------------------------------------------------------------
# latent dynamics (g = 0): Beiran et al. 2021 effective circuit
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class LatentTrajectory:
    r"""Solution of the reduced latent ODE.

    Attributes
    ----------
    t : (n_times,) array
        Times in units of tau.
    kappa : (n_times, R) array
        Latent coordinates :math:`\tilde\kappa_r` of :math:`x = \sum_r m_r\tilde\kappa_r + \sum_k I_kv_k`.
    v : (n_times, K) array
        Low-pass filtered inputs, :math:`\dot v = -v + u(t)`.
    projection : (n_times, R) array
        :math:`\langle n_r\phi(x)\rangle`, what a simulation records as
        :math:`n_r^T\phi(x)/N` (equal to kappa at fixed points).
    bulk_variance : (n_times,) array
        Variance :math:`\Delta(t, t)` of the random-bulk field :math:`\xi` (zeros for g = 0).
    """

    t: np.ndarray
    kappa: np.ndarray
    v: np.ndarray
    projection: np.ndarray
    bulk_variance: np.ndarray | None = None

    def __repr__(self) -> str:
        return (
            f"LatentTrajectory(t=[{self.t[0]:g}, {self.t[-1]:g}] ({self.t.size} times), "
            f"kappa_final={np.array2string(self.kappa[-1], precision=6)})"
        )


def _latent_F(L: _Load, kappa: np.ndarray, v: np.ndarray) -> np.ndarray:
    """<n_r phi(x)> for x = m kappa + I v, per population (Beiran et al. 2021, Sec. 2.2)."""
    y = np.concatenate([np.atleast_2d(kappa), np.atleast_2d(v)], axis=-1)
    mu = y @ L.Ma.T
    S = np.maximum(np.einsum("...i,pij,...j->...p", y, L.Caa, y), 0.0)
    cn = np.einsum("pri,...i->...pr", L.Cna, y)
    e = _moments(L.tr, mu, S, ("phi", "dphi"))
    return np.einsum("p,mp,pr->mr", L.w, e["phi"], L.Mn) + np.einsum(
        "p,mpr,mp->mr", L.w, cn, e["dphi"]
    )


def _require_g0(net: LowRankNetwork, what: str) -> None:
    if net.g != 0.0:
        raise ValueError(
            f"{what} is exact for g = 0 (no random bulk); got g = {net.g}. "
            "For g > 0 use solve() for the stationary states or rnmf.sim for trajectories"
        )


# trapezoidal rule on [-8.5, 8.5] (exponentially convergent for analytic phi; Gauss-Hermite
# converges slowly for tanh: 5e-4 error with 24 nodes): <tanh^2> to ~3e-7 at Delta <= 2.3,
# 2e-6 at Delta = 9
_GH_Z = np.linspace(-8.5, 8.5, 49)
_GH_W = np.exp(-0.5 * _GH_Z**2)
_GH_W = _GH_W / _GH_W.sum()


def _phiphi(tr: Any, m1: np.ndarray, v1: np.ndarray, m2: np.ndarray, v2: np.ndarray, c: np.ndarray):
    r""":math:`\langle\phi(x_1)\phi(x_2)\rangle` for jointly Gaussian :math:`x_{1,2}` (means m,
    variances v, covariance c), by a nested 49 x 49 trapezoidal rule, broadcast."""
    s1, s2 = np.sqrt(np.maximum(v1, 0.0)), np.sqrt(np.maximum(v2, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.where(s1 * s2 > 0, c / (s1 * s2), 0.0)
    rho = np.clip(rho, -1.0, 1.0)
    z, w = _GH_Z, _GH_W
    x2 = m2[..., None, None] + s2[..., None, None] * (
        rho[..., None, None] * z[:, None] + np.sqrt(1.0 - rho**2)[..., None, None] * z[None, :]
    )
    inner = tr(x2) @ w  # (..., n_a)
    return (tr(m1[..., None] + s1[..., None] * z) * inner) @ w


def _latent_dmft(L: _Load, n: int, h: float, k0: np.ndarray, v0: np.ndarray, uf: Callable):
    r"""Two-time DMFT of the latent dynamics with a random bulk (exponential Euler, step h).

    :math:`x_i(t) = \sum_r m_{ir}\tilde\kappa_r + \sum_k I_{ik}v_k + \xi_i(t)` with the bulk
    field :math:`\dot\xi = -\xi + \eta`, :math:`\eta_i = g\sum_j\chi_{ij}\phi_j`, a Gaussian
    process for :math:`N\to\infty` with :math:`\langle\eta(t)\eta(s)\rangle = g^2C(t, s)`,
    :math:`C(t, s) = \sum_p\alpha_p\langle\phi(x(t))\phi(x(s))\rangle_p` (SCS 1988 eq. 4 for
    the transient, two-time form; M&O 2018 STAR Methods, with the low-rank drive).  With
    :math:`\xi_{k+1} = e\,\xi_k + c\,\eta_k` (:math:`e = e^{-h}, c = 1 - e`) the covariances
    :math:`\Delta_{kl} = \langle\xi_k\xi_l\rangle` and :math:`B_{kl} = \langle\xi_k\eta_l\rangle`
    obey :math:`B_{k+1,l} = eB_{kl} + cg^2C_{kl}` and :math:`\Delta_{k+1,l+1} = e^2\Delta_{kl}
    + ec(B_{kl} + B_{lk}) + c^2g^2C_{kl}`; the latent variables follow :math:`\tilde\kappa_{k+1}
    = e\tilde\kappa_k + c\kappa_k` with :math:`\kappa_k = \langle n\phi(x_k)\rangle` (Stein's
    lemma with variance :math:`S_p + \Delta_{kk}`).  Cost O(n^2) bivariate averages.
    """
    R, K = L.R, L.K
    e, c = math.exp(-h), -math.expm1(-h)
    g2 = L.g2
    Y = np.zeros((n + 1, R + K))
    Y[0, :R], Y[0, R:] = k0, v0
    D = np.zeros((n + 1, n + 1))  # Delta_{kl}
    B = np.zeros((n + 1, n + 1))  # B_{kl} = <xi_k eta_l>
    Cm = np.zeros((n + 1, n + 1))  # C_{kl}
    P_out = np.zeros((n + 1, R))
    for m in range(n + 1):
        y = Y[m]
        mu_m = y @ L.Ma.T  # (P,)
        S_m = np.maximum(np.einsum("i,pij,j->p", y, L.Caa, y), 0.0)
        cn = np.einsum("pri,i->pr", L.Cna, y)
        mom = _moments(L.tr, mu_m[None], (S_m + D[m, m])[None], ("phi", "dphi"))
        kap = L.w @ (mom["phi"][0][:, None] * L.Mn + cn * mom["dphi"][0][:, None])
        P_out[m] = kap
        if m == n:
            break
        # C_{m, l} for l <= m
        Yl = Y[: m + 1]
        mu_l = Yl @ L.Ma.T  # (m+1, P)
        S_l = np.maximum(np.einsum("li,pij,lj->lp", Yl, L.Caa, Yl), 0.0)
        cross = np.einsum("i,pij,lj->lp", y, L.Caa, Yl)
        dl = np.diag(D)[: m + 1]
        pp = _phiphi(
            L.tr,
            np.broadcast_to(mu_m, mu_l.shape),
            np.broadcast_to(S_m + D[m, m], S_l.shape),
            mu_l,
            S_l + dl[:, None],
            cross + D[m, : m + 1, None],
        )
        Cm[m, : m + 1] = pp @ L.w
        Cm[: m + 1, m] = Cm[m, : m + 1]
        # column m of B: B_{0,m} = 0, B_{i+1,m} = e B_{i,m} + c g^2 C_{i,m} (a first-order
        # recursive filter over i)
        B[1 : m + 2, m] = signal.lfilter([c * g2], [1.0, -e], Cm[: m + 1, m])
        # row m+1 of B for earlier columns
        B[m + 1, :m] = e * B[m, :m] + c * g2 * Cm[m, :m]
        # Delta row m+1: Delta_{m+1, l+1} for l <= m, Delta_{m+1, 0} = 0
        l = np.arange(m + 1)
        row = e * e * D[m, l] + e * c * (B[m, l] + B[l, m]) + c * c * g2 * Cm[m, l]
        D[m + 1, 1 : m + 2] = row
        D[1 : m + 2, m + 1] = row
        u = np.atleast_1d(uf(m * h, m))
        Y[m + 1, :R] = e * y[:R] + c * kap
        Y[m + 1, R:] = e * y[R:] + c * u
    return Y[:, :R], Y[:, R:], P_out, np.diag(D).copy(), Cm


def latent_dynamics(
    net: LowRankNetwork,
    T: float,
    *,
    dt: float = 0.01,
    u: Any = None,
    kappa0: Any = None,
    v0: Any = None,
) -> LatentTrajectory:
    r"""Integrate the reduced latent ODE of a low-rank network.

    With :math:`x_i = \sum_r m_{ir}\tilde\kappa_r + \sum_k I_{ik}v_k` (Beiran et al. 2021,
    Neural Comput 33:1572, Sec. 2; M&O 2018, rank-two structures):

    .. math:: \dot{\tilde\kappa}_r = -\tilde\kappa_r + \sum_p\alpha_p\Big[\bar n_{r,p}\langle\phi\rangle_p
              + \mathrm{Cov}_p(n_r, x)\langle\phi'\rangle_p\Big],\qquad \dot v_k = -v_k + u_k(t),

    (the effective circuit of P populations), integrated by the classical RK4 rule for
    ``g = 0``.  With a random bulk (``g > 0``) every unit also carries the field
    :math:`\xi_i`, :math:`\dot\xi = -\xi + g\sum_j\chi_{ij}\phi_j`, Gaussian for
    :math:`N\to\infty` with a two-time covariance :math:`\Delta(t, s)` that is solved
    alongside (transient dynamic mean-field theory, :func:`_latent_dmft`; static, chaotic
    and transient regimes alike).  The averages then use the variance
    :math:`S_p + \Delta(t, t)`.  That solution is the exact large-N limit of the
    exponential-Euler dynamics with step ``dt`` (the scheme of :mod:`rnmf.sim.lowrank`) and
    approaches continuous time at first order in ``dt``; it costs O((T/dt)^2) bivariate
    Gaussian averages (2.5-6 s for T = 12, dt = 0.02).  Measured against simulations
    (N = 4000, 3 networks, step input at t = 2) it agrees within the error bars at g = 0.5,
    0.8 and 1.5 (e.g. g = 1.5, t = 5: theory -1.6831, simulation -1.6889 +- 0.0026), where
    a quasi-static bulk variance is off by up to 40 % in the transient.

    Parameters
    ----------
    net : LowRankNetwork
    T : float
        Duration in units of tau (> 0).
    dt : float
        RK4 step (0 < dt <= 0.5, T a multiple of it).
    u : None, array (K,), array (n_steps, K) or callable
        Input amplitudes as for :func:`rnmf.sim.lowrank.simulate_lowrank` (row k held
        during step k; a callable is evaluated at each RK4 stage time).
    kappa0 : array (R,), optional
        Initial latent state (default 0).
    v0 : array (K,), optional
        Initial filtered input (default 0, matching a simulation started at x0 = m kappa0).

    Returns
    -------
    LatentTrajectory
    """
    net = _check_lr(net)
    from rnmf._checks import check_array, check_finite

    T = check_finite("T", T)
    dt = check_finite("dt", dt)
    if T <= 0 or not 0 < dt <= 0.5:
        raise ValueError(f"need T > 0 and 0 < dt <= 0.5, got T={T}, dt={dt}")
    n = int(round(T / dt))
    if abs(n * dt - T) > 1e-9 * max(1.0, T):
        raise ValueError(f"T = {T} is not a multiple of dt = {dt}")
    L = _Load(net)
    R, K = L.R, L.K
    k = np.zeros(R) if kappa0 is None else check_array("kappa0", np.atleast_1d(kappa0), shape=(R,))
    v = np.zeros(K) if v0 is None else check_array("v0", np.atleast_1d(v0), shape=(K,))
    const = np.asarray(net.inputs, float)
    if u is None:
        uf = lambda t, i: const  # noqa: E731
    elif callable(u):

        def uf(t: float, i: int) -> np.ndarray:
            val = np.atleast_1d(np.asarray(u(float(t)), float))
            if val.shape != (K,) or not np.all(np.isfinite(val)):
                raise ValueError(f"u(t) must return K = {K} finite amplitudes, got {val!r}")
            return val

    else:
        arr = check_array("u", u)
        if arr.shape == (K,):
            uf = lambda t, i: arr  # noqa: E731
        elif arr.shape == (n, K) or (K == 1 and arr.shape == (n,)):
            arr2 = arr.reshape(n, K)
            uf = lambda t, i: arr2[min(i, n - 1)]  # noqa: E731
        else:
            raise ValueError(
                f"u must have shape (K,) = ({K},) or (n_steps, K) = ({n}, {K}), got {arr.shape}"
            )

    def rhs(t: float, i: int, kk: np.ndarray, vv: np.ndarray, ui: np.ndarray):
        F = _latent_F(L, kk[None], vv[None])[0]
        return F - kk, ui - vv, F

    ts = np.arange(n + 1) * dt
    if net.g > 0:
        K_out, V_out, P_out, d_out, _ = _latent_dmft(L, n, dt, k, v, uf)
        for a in (ts, K_out, V_out, P_out, d_out):
            a.setflags(write=False)
        return LatentTrajectory(t=ts, kappa=K_out, v=V_out, projection=P_out, bulk_variance=d_out)
    K_out = np.empty((n + 1, R))
    V_out = np.empty((n + 1, K))
    K_out[0], V_out[0] = k, v
    for i in range(n):
        t = ts[i]
        callable_u = callable(u)
        u1 = uf(t, i)
        u2 = uf(t + dt / 2, i) if callable_u else u1
        u4 = uf(t + dt, i) if callable_u else u1
        a1, b1, _ = rhs(t, i, k, v, u1)
        a2, b2, _ = rhs(t, i, k + dt / 2 * a1, v + dt / 2 * b1, u2)
        a3, b3, _ = rhs(t, i, k + dt / 2 * a2, v + dt / 2 * b2, u2)
        a4, b4, _ = rhs(t, i, k + dt * a3, v + dt * b3, u4)
        k = k + dt / 6 * (a1 + 2 * a2 + 2 * a3 + a4)
        v = v + dt / 6 * (b1 + 2 * b2 + 2 * b3 + b4)
        K_out[i + 1], V_out[i + 1] = k, v
    P_out = _latent_F(L, K_out, V_out)
    for a in (ts, K_out, V_out, P_out):
        a.setflags(write=False)
    return LatentTrajectory(
        t=ts, kappa=K_out, v=V_out, projection=P_out, bulk_variance=np.zeros(n + 1)
    )


def latent_fixed_points(net: LowRankNetwork, *, inputs: Any = None) -> tuple[LowRankState, ...]:
    r"""Fixed points of the latent ODE (g = 0) under constant inputs, each with its stability.

    The fixed points solve :math:`\tilde\kappa = F(\tilde\kappa, u)` (Beiran et al. 2021
    Sec. 2.3); the Jacobian of the latent ODE is :math:`-1 + \langle n_r m_s\phi'\rangle`
    (ibid.), whose eigenvalues are ``state.outliers - 1``.

    Parameters
    ----------
    net : LowRankNetwork
        g must be 0.
    inputs : array (K,), optional
        Constant input amplitudes (default ``net.inputs``).
    """
    net = _check_lr(net)
    _require_g0(net, "latent_fixed_points")
    if inputs is not None:
        net = replace(net, inputs=tuple(np.atleast_1d(np.asarray(inputs, float))))
    return solve(net, chaotic=False).solutions


# ----------------------------------------------------------------------------------------
# rank two with rotational overlap: limit cycle
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True, repr=False)
class LimitCycle(Result):
    r"""Limit cycle of the rank-two rotational structure (g = 0).

    Attributes
    ----------
    exists : bool
        :math:`a\phi'(0) > 1` and :math:`b \neq 0`.
    a, b : float
        Overlap matrix :math:`\langle n_r m_s\rangle = [[a, -b], [b, a]]`.
    radius : float
        :math:`\rho^*` with :math:`a\langle\phi'\rangle_{0,\sigma_m^2\rho^{*2}} = 1`.
    projection_radius : float
        Radius of :math:`\langle n\phi(x)\rangle` on the cycle, :math:`\rho^*\sqrt{a^2+b^2}/a`.
    frequency : float
        Angular frequency :math:`b/a` (radians per tau).
    period : float
        :math:`2\pi a/|b|` (units of tau).
    floquet : float
        Radial Floquet exponent :math:`d\dot\rho/d\rho` at :math:`\rho^*` (< 0: stable).
    """

    exists: bool = False
    a: float = math.nan
    b: float = math.nan
    radius: float = math.nan
    projection_radius: float = math.nan
    frequency: float = math.nan
    period: float = math.nan
    floquet: float = math.nan
    stable: bool = False


def rotational_limit_cycle(net: LowRankNetwork) -> LimitCycle:
    r"""Limit cycle of a rank-two network with a rotation-like overlap (g = 0).

    For zero-mean loadings with :math:`\mathrm{Cov}(m_r, m_s) = \sigma_m^2\delta_{rs}` and
    :math:`\mathrm{Cov}(n_r, m_s) = [[a, -b], [b, a]]_{rs}`, the latent ODE (M&O 2018, rank-two
    structures; Beiran et al. 2021, Sec. 2) is, in polar coordinates,

    .. math:: \dot\rho = \rho\big(-1 + a\langle\phi'\rangle_{0,\sigma_m^2\rho^2}\big),\qquad
              \dot\theta = b\langle\phi'\rangle_{0,\sigma_m^2\rho^2},

    so for :math:`a\phi'(0) > 1` the origin is an unstable focus (complex outliers
    :math:`a \pm ib` of :math:`mn^T/N`) and a limit cycle of radius :math:`\rho^*`,
    :math:`a\langle\phi'\rangle = 1`, turns at angular frequency :math:`b/a`.

    Raises
    ------
    ValueError
        If the network is not of this form (rank two, one population, g = 0, zero means,
        isotropic m, rotational overlap, no inputs, odd phi with decreasing <phi'>).
    """
    net = _check_lr(net)
    _require_g0(net, "rotational_limit_cycle")
    if net.R != 2 or net.P != 1 or net.K != 0:
        raise ValueError("rotational_limit_cycle needs rank R = 2, one population and no inputs")
    tr = net.phi
    if tr.kind not in ("tanh", "erf"):
        raise ValueError("rotational_limit_cycle needs phi = tanh or erf (odd, <phi'> decreasing)")
    M = net.mean_array()[0]
    C = net.cov_array()[0]
    tol = 1e-9 * (1.0 + np.max(np.abs(C)))
    if np.max(np.abs(M)) > tol:
        raise ValueError("rotational_limit_cycle needs zero-mean loadings")
    Cmm = C[:2, :2]
    s2 = Cmm[0, 0]
    if abs(Cmm[1, 1] - s2) > tol or abs(Cmm[0, 1]) > tol or s2 <= 0:
        raise ValueError(
            "rotational_limit_cycle needs Cov(m_r, m_s) = sigma_m^2 * identity with sigma_m > 0"
        )
    O = C[2:4, :2]
    a, b = 0.5 * (O[0, 0] + O[1, 1]), 0.5 * (O[1, 0] - O[0, 1])
    if abs(O[0, 0] - O[1, 1]) > tol or abs(O[0, 1] + O[1, 0]) > tol:
        raise ValueError(f"the overlap Cov(n, m) must be [[a, -b], [b, a]], got {O.tolist()}")
    slope0 = float(tr.derivative(0.0))
    exists = bool(a * slope0 > 1.0 and b != 0.0)
    base = dict(model=net, method="polar latent ODE (M&O 2018, rank two)", a=float(a), b=float(b))
    if not exists:
        return LimitCycle(**base, exists=False)

    def f(rho: float) -> float:
        return a * float(_moments(tr, 0.0, s2 * rho * rho, ("dphi",))["dphi"]) - 1.0

    hi = 1.0
    while f(hi) > 0:
        hi *= 2.0
        if hi > 1e8:
            raise ConvergenceError("no limit-cycle radius found below 1e8")
    rho = optimize.brentq(f, 1e-12, hi, xtol=1e-14, rtol=1e-14)
    h = 1e-6 * rho
    floq = rho * (f(rho + h) - f(rho - h)) / (2 * h)
    return LimitCycle(
        **base,
        exists=True,
        radius=float(rho),
        projection_radius=float(rho * math.hypot(a, b) / a),
        frequency=float(b / a),
        period=float(2 * math.pi * a / abs(b)),
        floquet=float(floq),
        stable=bool(floq < 0),
        residual=abs(f(rho)),
    )


# ----------------------------------------------------------------------------------------
# eigenvalue outliers of the connectivity itself
# ----------------------------------------------------------------------------------------
def connectivity_outliers(
    net: LowRankNetwork, *, chi: Any = None, tol: float = 1e-12, max_terms: int = 200
) -> tuple[np.ndarray, float]:
    r"""Outliers and bulk radius of :math:`J = g\chi + mn^T/N`.

    The nonzero eigenvalues of :math:`mn^T/N` are those of the R x R overlap matrix
    :math:`n^Tm/N` (M&O 2018, Results, unit-rank structure: :math:`\lambda = n^Tm/N`); the bulk
    :math:`g\chi` is a disc of radius g (circular law) and perturbs an outlier of modulus
    > g by :math:`O(g/\sqrt N)` (Tao 2013, PTRF 155:231).  For explicit vectors the
    finite-N overlap of the given vectors is used, otherwise the population overlap
    :math:`\langle n_rm_s\rangle`.

    With the sampled bulk ``chi`` (explicit vectors only) the finite-N outliers are solved
    exactly: :math:`\lambda` outside the bulk is an eigenvalue of J iff
    :math:`\det\big(1 - n^T(\lambda - g\chi)^{-1}m/N\big) = 0` (matrix determinant lemma),
    i.e. :math:`\lambda` is an eigenvalue of
    :math:`M(\lambda) = \sum_{k\ge0} n^T(g\chi)^k m/(N\lambda^k)` (Neumann series, converging
    for :math:`|\lambda| > g`), solved by fixed-point iteration from the overlap eigenvalues.

    Parameters
    ----------
    net : LowRankNetwork
    chi : array (N, N), optional
        The random part with :math:`\chi_{ij}\sim N(0, 1/N)` (so J = g chi + m n^T / N).
    tol : float
        Relative tolerance of the fixed-point iteration and of the truncated series.
    max_terms : int
        Maximum number of series terms and of iterations.

    Returns
    -------
    outliers : ndarray of complex
        Predicted outliers (modulus > g), by decreasing modulus.
    bulk_radius : float
        g.
    """
    net = _check_lr(net)
    if net.explicit:
        O = np.asarray(net.n).T @ np.asarray(net.m) / net.N
    else:
        O = net.overlap()
    ev = np.linalg.eigvals(O).astype(complex)
    ev = ev[np.argsort(-np.abs(ev))]
    ev = ev[np.abs(ev) > net.g]
    if chi is None or net.g == 0.0 or ev.size == 0:
        return ev, float(net.g)
    if not net.explicit:
        raise ValueError("chi needs a network with explicit vectors m, n (use net.sampled(rng))")
    from rnmf._checks import check_array

    chi = check_array("chi", chi, shape=(net.N, net.N))
    m, n = np.asarray(net.m), np.asarray(net.n)
    # series terms T_k = n^T (g chi)^k m / N, computed once
    terms = [n.T @ m / net.N]
    v = m.copy()
    gmin = min(abs(complex(x)) for x in ev)
    # term k scales like (g / |lambda|)^k (spectral radius of chi -> 1): stop below tol / 10
    for _ in range(max_terms):
        if (net.g / gmin) ** len(terms) < 0.1 * tol:
            break
        v = net.g * (chi @ v)
        terms.append(n.T @ v / net.N)
    T = np.array(terms)
    out = []
    for lam in ev:
        for _ in range(max_terms):
            Ml = np.tensordot(lam ** -np.arange(T.shape[0]), T, axes=1)
            w = np.linalg.eigvals(Ml)
            new = w[np.argmin(np.abs(w - lam))]
            if abs(new - lam) <= tol * abs(lam):
                lam = new
                break
            lam = new
        else:
            raise ConvergenceError(f"finite-N outlier iteration did not converge near {lam:.6g}")
        out.append(lam)
    out = np.array(out, dtype=complex)
    return out[np.argsort(-np.abs(out))], float(net.g)
