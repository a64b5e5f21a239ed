r"""Latent dynamics of low-rank networks (Beiran et al. 2021, Neural Comput 33:1572, Sec. 2).

:func:`latent_dynamics` integrates the reduced latent ODE (g = 0) or, with a random bulk,
the transient two-time DMFT of the latent variables (Sompolinsky, Crisanti & Sommers 1988
eq. 4 in two-time form); :func:`latent_fixed_points` lists the fixed points of the latent
ODE with their stability.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from rnmf.models import LowRankNetwork

from ..dmft.two_time import march
from ._load import _check_lr, _Load, _moments, _require_g0
from .stationary import LowRankState, solve

__all__ = ["LatentTrajectory", "latent_dynamics", "latent_fixed_points"]


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


# trapezoidal rule on [-8.5, 8.5] (exponentially convergent for analytic phi; Gauss-Hermite
# converges slowly for tanh: 5e-4 error with 24 nodes): <tanh^2> to ~3e-7 at Delta <= 2.3,
# 2e-6 at Delta = 9
_MAX_STEPS = 10**7  # RK4 steps of the g = 0 latent ODE (~ minutes)
_MAX_STEPS_BULK = 20_000  # O(n^2) bivariate averages of the random-bulk DMFT (~ hours beyond)
_LATENT_P = 16  # populations of the coarse measure of explicit vectors with g > 0
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
    + ec(B_{kl} + B_{lk}) + c^2g^2C_{kl}`, marched by the shared core
    :func:`rnmf.theory.dmft.two_time.march`; the latent variables follow :math:`\tilde\kappa_{k+1}
    = e\tilde\kappa_k + c\kappa_k` with :math:`\kappa_k = \langle n\phi(x_k)\rangle` (Stein's
    lemma with variance :math:`S_p + \Delta_{kk}`).  Cost O(n^2) bivariate averages.
    """
    R, K = L.R, L.K
    e, c = math.exp(-h), -math.expm1(-h)
    Y = np.zeros((n + 1, R + K))
    Y[0, :R], Y[0, R:] = k0, v0
    P_out = np.zeros((n + 1, R))

    def kappa_at(m: int, Dmm: float) -> np.ndarray:
        y = Y[m]
        mu_m = y @ L.Ma.T  # (P,)
        S_m = np.maximum(np.einsum("i,pij,j->p", y, L.Caa, y), 0.0)
        cn = np.einsum("pri,i->pr", L.Cna, y)
        mom = _moments(L.tr, mu_m[None], (S_m + Dmm)[None], ("phi", "dphi"))
        return L.w @ (mom["phi"][0][:, None] * L.Mn + cn * mom["dphi"][0][:, None])

    def row(m: int, D: np.ndarray) -> np.ndarray:
        # kappa at step m (needs Delta_mm), C_{m, l} for l <= m, then the latent step m -> m+1
        y = Y[m]
        kap = kappa_at(m, D[m, m])
        P_out[m] = kap
        S_m = np.maximum(np.einsum("i,pij,j->p", y, L.Caa, y), 0.0)
        mu_m = y @ L.Ma.T
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
        u = np.atleast_1d(uf(m * h, m))
        Y[m + 1, :R] = e * y[:R] + c * kap
        Y[m + 1, R:] = e * y[R:] + c * u
        return pp @ L.w

    D, Cm = march(row, n, h, L.g2, 0.0)
    P_out[n] = kappa_at(n, D[n, n])
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

    Explicit vectors (``LowRankNetwork.from_vectors``): the averages run over the given
    units (their empirical measure), exactly for g = 0; with a random bulk the transient
    DMFT would cost O((T/dt)^2 N) bivariate averages, so the units are then merged into at
    most 16 Gaussian populations by median splits of (m, I) (moment matched,
    :func:`rnmf.theory.lowrank._load._coarsen`).

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
    steps = T / dt
    # refuse up front (before any allocation): O(T/dt) RK4 steps for g = 0, O((T/dt)^2)
    # bivariate averages and four (T/dt + 1)^2 matrices with a random bulk
    max_steps = _MAX_STEPS_BULK if net.g > 0 else _MAX_STEPS
    if not steps <= max_steps:
        raise ValueError(
            f"T / dt = {steps:.4g} steps (T = {T:g}, dt = {dt:g}) exceeds {max_steps:g}"
            f"{' (the random-bulk DMFT costs O((T/dt)^2))' if net.g > 0 else ''}; reduce T or increase dt"
        )
    n = int(round(steps))
    if abs(n * dt - T) > 1e-9 * max(1.0, T):
        raise ValueError(f"T = {T} is not a multiple of dt = {dt}")
    if net.g > 0:
        from rnmf._memory import check_memory

        check_memory(
            "latent_dynamics",
            {"two-time matrices (3 x (T/dt + 1)^2 float64)": 24.0 * (n + 1) ** 2},
            hint=f"Reduce T = {T:g} or increase dt = {dt:g}.",
        )
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
        # O(n^2 P) bivariate averages: many explicit units are coarsened (_Load.coarse)
        K_out, V_out, P_out, d_out, _ = _latent_dmft(L.coarse(_LATENT_P), n, dt, k, v, uf)
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
