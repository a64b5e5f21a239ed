r"""Root search for the stationary DMFT states, shared by continuous and discrete time.

The residuals of the stationary equations of a random rate network (Sompolinsky, Crisanti &
Sommers 1988, PRL 61:259, eqs. 4-6; Kadmon & Sompolinsky 2015, PRX 5:041030, eqs. 3-5;
Schuecker, Goedeke & Helias 2018, PRX 8:041029, eq. 7 for the energy residual with noise;
Molgedey, Schuchhardt & Schuster 1992, PRL 69:3717, eqs. 2-3 for the discrete-time
variance map), the scan over :math:`\Delta_0` on every branch :math:`\mu(\Delta_0)` of the
mean equation with polishing of each sign change (:func:`find_states`), and the slope of
the mean mode of a state (:func:`_branch_slope`).  Used by
:mod:`rnmf.theory.dmft.stationary` (continuous time) and :mod:`rnmf.theory.dmft.discrete`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import optimize

from rnmf.models import RateNetwork

from ._common import Stats, branches, mean_mode_slope, mu_roots_grid, solve_mu

__all__ = ["find_states"]


_N_SCAN = 61  # quadrature nodes while scanning for brackets
_N_GRID = 90  # Delta0 scan points per branch


# ----------------------------------------------------------------------------------------
# residuals
# ----------------------------------------------------------------------------------------
def _check_net(net: Any) -> RateNetwork:
    if not isinstance(net, RateNetwork):
        raise ValueError(f"net must be an rnmf.models.RateNetwork, got {type(net).__name__}")
    return net


def _delta_inf(
    st: Stats, mu: Any, D0: Any, n: int | None = None, maxit: int = 100
) -> tuple[np.ndarray, np.ndarray]:
    r"""Smallest root of :math:`V'(\Delta) = -\Delta + g^2C_\phi(\Delta) + \sigma_I^2` in :math:`[0, \Delta_0]`.

    :math:`C_\phi` is convex on :math:`[0, \Delta_0]` (all its Taylor coefficients
    :math:`\langle\phi^{(k)}\rangle^2/k!` are >= 0, Price's theorem), so Newton from 0
    increases monotonically to the smallest root.  Returns the root (clipped to Delta0
    where there is none) and :math:`V''(\Delta_\infty) = -1 + g^2 q(\Delta_\infty)` (< 0 on a hilltop).
    """
    net = st.net
    g2, s2 = net.g**2, net.sigma_I**2
    mu, D0 = np.broadcast_arrays(np.asarray(mu, float), np.asarray(D0, float))
    D = np.zeros(D0.shape)
    done = np.zeros(D0.shape, bool)
    fp = -np.ones(D0.shape)
    for _ in range(maxit):
        f = -D + g2 * st.C(mu, D0, D, n) + s2
        fp = -1.0 + g2 * st.q(mu, D0, D, n)
        stuck = (fp >= 0.0) & (f > 0.0)  # no root above: V' increases from here
        step = np.where((fp < 0.0) & ~done, -f / np.where(fp < 0.0, fp, -1.0), 0.0)
        Dn = np.minimum(D + step, D0)
        small = np.abs(Dn - D) <= 1e-15 * np.maximum(D0, 1e-300) + 1e-300
        done = done | stuck | small | (f <= 0.0) & (D == 0.0) | (Dn >= D0)
        D = np.where(done & ~small, D, Dn)
        if np.all(done):
            break
    # rounding of <phi> = 0 (odd phi without input) leaves ~1e-33: snap to the exact 0
    D = np.where(D < 1e-14 * D0, 0.0, D)
    return D, fp


def _energy_residual(
    st: Stats, mu: Any, D0: Any, n: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Energy residual :math:`\sigma^4/8 + V(\Delta_0) - V(\Delta_\infty)` (Schuecker et al. 2018 eq. 7)."""
    net = st.net
    g2, s2 = net.g**2, net.sigma_I**2
    Dinf, fp = _delta_inf(st, mu, D0, n)
    D0a = np.asarray(D0, float)
    F = st.F(
        np.stack([np.broadcast_to(mu, D0a.shape)] * 2),
        np.stack([D0a, D0a]),
        np.stack([D0a, Dinf]),
        n,
    )
    V0 = -0.5 * D0a**2 + g2 * F[0] + s2 * D0a
    Vi = -0.5 * Dinf**2 + g2 * F[1] + s2 * Dinf
    return net.sigma_noise**4 / 8.0 + V0 - Vi, Dinf, fp


def _static_residual(st: Stats, mu: Any, D0: Any, extra: float = 0.0, n: int | None = None) -> Any:
    r"""Fixed-point variance residual :math:`g^2\langle\phi^2\rangle + \sigma_I^2 + \text{extra} - \Delta_0`."""
    net = st.net
    return net.g**2 * st.m2(mu, D0, n) + net.sigma_I**2 + extra - np.asarray(D0, float)


def _dmax(net: RateNetwork, extra: float, st: Stats | None = None) -> float:
    """An upper bound for Delta0: from |phi| <= 1 for tanh/erf (the variance of a low-pass
    filtered field is at most the field's variance plus sigma^2/2); otherwise grown by
    factors of 4 until the static residual g^2<phi^2> + ... - Delta0 is negative on every
    branch (up to 1e8: beyond, the activity diverges)."""
    noise = net.sigma_noise**2 / 2.0 + extra
    if net.phi.kind in ("tanh", "erf"):
        return 1.02 * (net.g**2 + net.sigma_I**2 + noise) + 1e-6
    st = st or Stats(net)
    D = 4.0 * (1.0 + net.sigma_I**2 + noise + net.I0**2 + net.phi.theta**2)
    while D < 1e8:
        roots = mu_roots_grid(st, np.array([D]))[0]
        if roots.size and np.all(_static_residual(st, roots, np.full(roots.size, D), noise) < 0):
            return 2.0 * D
        D *= 4.0
    return D


# ----------------------------------------------------------------------------------------
# root search
# ----------------------------------------------------------------------------------------
def find_states(
    net: RateNetwork, st: Stats, *, tol: float, extra: float = 0.0, chaotic: bool = True
) -> list[dict]:
    """All stationary states: quiet, static (Delta_inf = Delta0) and, if ``chaotic``, those
    with Delta_inf < Delta0 (chaotic or noise-driven). Shared with the discrete map
    (``extra`` = sigma^2 adds the noise variance to the static equation)."""
    Dmax = _dmax(net, extra, st)
    grid = np.geomspace(Dmax * 1e-9, Dmax, _N_GRID)
    roots = mu_roots_grid(st, grid)
    found: list[dict] = []
    static_ok = extra > 0.0 or net.sigma_noise == 0.0 or not chaotic
    # quiet states: Delta0 = 0 solves the static equation when g^2 phi(mu)^2 + sigma_I^2 + extra = 0
    if static_ok and net.sigma_I == 0.0 and extra == 0.0:
        for m in mu_roots_grid(st, np.array([0.0]))[0]:
            if net.g == 0.0 or float(net.phi(m)) == 0.0:
                found.append({"kind": "static", "mu": float(m), "D0": 0.0, "Dinf": 0.0})
    for D0s, mus in branches(grid, roots):
        residuals = []
        static_roots: list[tuple[float, float]] = []
        if static_ok:
            residuals.append(("static", lambda m, d: _static_residual(st, m, d, extra)))
        if chaotic:
            residuals.append(("chaotic", lambda m, d: _energy_residual(st, m, d)[0]))
        for kind, fun in residuals:
            if kind == "static":
                r = _static_residual(st, mus, D0s, extra, n=_N_SCAN)
            else:
                r = _energy_residual(st, mus, D0s, n=_N_SCAN)[0]
            idx = np.nonzero(np.sign(r[:-1]) * np.sign(r[1:]) < 0)[0]
            # rounding noise of an identically vanishing residual (marginal linear network)
            # is not a root
            scale = 1e-12 * np.maximum(D0s[:-1], D0s[1:]) ** (2 if kind == "chaotic" else 1)
            idx = idx[np.maximum(np.abs(r[idx]), np.abs(r[idx + 1])) > scale[idx]]
            for j in idx:
                if kind == "chaotic":
                    sol = _polish_chaotic(st, fun, D0s, mus, j, tol, static_roots)
                else:
                    sol = _polish(st, fun, D0s, mus, j, tol)
                if sol is None:
                    continue
                m, d = sol
                if kind == "static":
                    found.append({"kind": "static", "mu": m, "D0": d, "Dinf": d})
                    static_roots.append((m, d))
                else:
                    R, Dinf, fp = _energy_residual(st, m, d)
                    Dinf, fp = float(Dinf), float(fp)
                    if d - Dinf <= 1e-7 * d or fp >= 0.0:
                        continue  # the static solution seen as a degenerate orbit, or no hilltop
                    found.append({"kind": "chaotic", "mu": m, "D0": d, "Dinf": Dinf})
    # remove duplicates (roots found twice at adjacent brackets)
    unique: list[dict] = []
    for s in found:
        if not any(
            s["kind"] == u["kind"]
            and abs(s["mu"] - u["mu"]) <= 1e-7 * (1 + abs(u["mu"]))
            and abs(s["D0"] - u["D0"]) <= 1e-7 * (1 + u["D0"])
            for u in unique
        ):
            unique.append(s)
    return unique


def _polish_chaotic(
    st: Stats, fun: Any, D0s: np.ndarray, mus: np.ndarray, j: int, tol: float, static_roots: list
):
    """Polish a sign change of the energy residual, stepping around a static root inside the
    cell: where the smallest root of V' is Delta0 itself, the static solution is a degenerate
    root of the energy residual (Delta_inf = Delta0) and not a fluctuating state."""
    a, b = float(D0s[j]), float(D0s[j + 1])
    inside = [d for m, d in static_roots if a < d < b]
    if not inside:
        return _polish(st, fun, D0s, mus, j, tol)
    d_s = inside[0]
    edges = [a, d_s * (1 - 1e-7), d_s * (1 + 1e-7), b]
    mu_e = np.interp(edges, [a, b], [float(mus[j]), float(mus[j + 1])])
    for lo, hi in ((0, 1), (2, 3)):
        sub = np.array([edges[lo], edges[hi]])
        r = [
            float(fun(solve_mu(st, x, mm) if st.net.J0 else st.net.I0, x))
            for x, mm in zip(sub, mu_e[[lo, hi]], strict=True)
        ]
        if r[0] * r[1] < 0:
            sol = _polish(st, fun, sub, mu_e[[lo, hi]], 0, tol)
            if sol is not None:
                return sol
    return None


def _polish(st: Stats, fun: Any, D0s: np.ndarray, mus: np.ndarray, j: int, tol: float):
    net = st.net
    a, b = float(D0s[j]), float(D0s[j + 1])
    if net.J0 == 0.0:
        m = net.I0
        fa, fb = float(fun(m, a)), float(fun(m, b))
        # widen by one grid cell if the accurate residual does not change sign
        if fa * fb > 0:
            lo, hi = float(D0s[max(j - 1, 0)]), float(D0s[min(j + 2, len(D0s) - 1)])
            fa, fb = float(fun(m, lo)), float(fun(m, hi))
            if fa * fb > 0:
                return None
            a, b = lo, hi
        d = optimize.brentq(lambda x: float(fun(m, x)), a, b, xtol=tol * 1e-3 * b, rtol=1e-15)
        return m, d
    # J0 != 0: follow the branch mu(Delta0) inside brentq
    ma, mb = float(mus[j]), float(mus[j + 1])

    def res(x: float) -> float:
        t = (x - a) / (b - a)
        m = solve_mu(st, x, ma + t * (mb - ma), width=1e-3 * (1 + abs(mb - ma)))
        return float(fun(m, x))

    try:
        fa, fb = res(a), res(b)
        if fa * fb > 0:
            return None
        d = optimize.brentq(res, a, b, xtol=tol * 1e-3 * b, rtol=1e-15)
        t = (d - a) / (b - a)
        m = solve_mu(st, d, ma + t * (mb - ma), width=1e-3 * (1 + abs(mb - ma)))
    except ValueError:
        return None
    return m, d


def _branch_slope(st: Stats, state: dict, extra: float) -> float:
    """Mean-mode slope (see ``mean_mode_slope``), with dDelta0/dmu by implicit differentiation."""
    net = st.net
    if net.J0 == 0.0:
        return -1.0
    m, d = state["mu"], state["D0"]
    if state["kind"] == "static":
        fun = lambda mm, dd: float(_static_residual(st, mm, dd, extra))
    else:
        fun = lambda mm, dd: float(_energy_residual(st, mm, dd)[0])
    hm = 1e-5 * (1 + abs(m))
    hd = 1e-5 * max(d, 1e-8)
    if d == 0.0:
        return mean_mode_slope(st, m, d, 0.0)
    dR_dm = (fun(m + hm, d) - fun(m - hm, d)) / (2 * hm)
    dR_dd = (fun(m, d + hd) - fun(m, max(d - hd, 0.0))) / (d + hd - max(d - hd, 0.0))
    dd_dm = -dR_dm / dR_dd if dR_dd != 0 else 0.0
    return mean_mode_slope(st, m, d, dd_dm)
