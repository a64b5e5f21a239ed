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

from ._common import (
    Stats,
    _mu_width,
    branches,
    mean_mode_slope,
    mu_residual,
    mu_roots_grid,
    solve_mu,
)

__all__ = ["D_RESOLVED", "MEAN_MAX", "check_mean_scale", "check_resolved", "find_states"]


_N_SCAN = 61  # quadrature nodes while scanning for brackets
_N_GRID = 90  # Delta0 scan points per branch


# ----------------------------------------------------------------------------------------
# residuals
# ----------------------------------------------------------------------------------------
def _check_net(net: Any) -> RateNetwork:
    if not isinstance(net, RateNetwork):
        raise ValueError(f"net must be an rnmf.models.RateNetwork, got {type(net).__name__}")
    return net


#: Largest variance scale :math:`g^2 + \sigma_I^2 + \sigma^2/2` for a saturating phi (tanh,
#: erf, custom).  The Gaussian averages use at most 4001 trapezoidal nodes on z in [-9, 9]
#: (step h = 0.0045); :math:`\tanh(\sqrt{\Delta_0} z)` has poles at distance
#: :math:`\pi/(2\sqrt{\Delta_0})` from the real axis, so the error of the rule is
#: :math:`\sim\exp(-\pi^2/(h\sqrt{\Delta_0}))` (Trefethen & Weideman 2014, SIAM Rev 56:385,
#: eq. 5.3): 1e-10 at :math:`\Delta_0 = 9000`.  Beyond, the chaotic state is lost (g = 500:
#: only the static root is found, wrongly labelled as the main state), so it is refused.
D_RESOLVED = 9.0e3


#: Largest |J0| and |I0|: the mean equation is bracketed within
#: ``20 (1 + |I0|)(1 + |J0|)(1 + sqrt(Delta0max))`` (:func:`rnmf.theory.dmft._common._mu_width`),
#: which must stay far from overflow.
MEAN_MAX = 1e100


def check_mean_scale(J0: Any, I0: Any, *, prefix: str = "") -> None:
    """Refuse a mean coupling or mean input whose bracket of the mean equation overflows.

    Arrays are accepted; the ValueError names ``J0`` or ``I0``, the value and the limit.
    """
    for name, v in (("J0", J0), ("I0", I0)):
        a = np.abs(np.asarray(v, dtype=float))
        if a.size and not float(np.max(a)) <= MEAN_MAX:
            raise ValueError(
                f"{prefix}|{name}| = {float(np.max(a)):.3g} exceeds {MEAN_MAX:g}: the search for "
                f"the mean mu (bracketed by 20 (1 + |I0|)(1 + |J0|)(1 + sqrt(Delta0))) would "
                f"overflow double precision; pass a smaller {name}"
            )


def check_resolved(
    kind: str,
    g: Any,
    sigma_I: Any,
    sigma_noise: Any,
    *,
    discrete: bool = False,
    prefix: str = "",
) -> None:
    r"""Refuse parameters whose variance a saturating ``phi`` cannot be averaged at.

    The variance of the field is bounded by :math:`g^2 + \sigma_I^2 + \sigma^2/2` for
    :math:`|\phi| \le 1` (continuous time; :math:`\sigma^2` per step in discrete time),
    see :func:`_dmax`.  Where it exceeds :data:`D_RESOLVED` the quadrature does not resolve
    ``phi`` on the scale :math:`1/\sqrt{\Delta_0}` (a confident wrong answer, or minutes of
    work): a ValueError names ``g`` and ``sigma_noise``, the value and the limit.  Unbounded
    ``phi`` (relu, linear) are averaged exactly on their pieces and are not limited here.
    Arrays are accepted (the largest value is checked).
    """
    if kind not in ("tanh", "erf", "custom"):
        return
    g, sI, sn = (np.asarray(v, dtype=float) for v in (g, sigma_I, sigma_noise))
    with np.errstate(over="ignore"):
        D = g**2 + sI**2 + sn**2 * (1.0 if discrete else 0.5)
    if D.size and not float(np.max(D)) <= D_RESOLVED:
        i = np.unravel_index(int(np.argmax(np.where(np.isnan(D), np.inf, D))), D.shape)
        gv, sIv, snv = (float(np.broadcast_to(v, D.shape)[i]) for v in (g, sI, sn))
        noise = "sigma_noise^2" if discrete else "sigma_noise^2/2"
        raise ValueError(
            f"{prefix}g = {gv:.6g}, sigma_I = {sIv:.6g}, sigma_noise = {snv:.6g}: the variance "
            f"scale g^2 + sigma_I^2 + {noise} = {float(D[i]):.3g} exceeds {D_RESOLVED:g}, "
            f"beyond which the Gaussian averages of the saturating phi ({kind}) are not "
            "resolved in double precision (its features have width 1/sqrt(Delta0)); reduce "
            "g or sigma_noise (or sigma_I).  The network is then deep in its saturated regime "
            "(Delta0 ~ 0.73 g^2 for tanh)"
        )


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
    r"""Energy residual :math:`\sigma^4/8 + V(\Delta_0) - V(\Delta_\infty)` (Schuecker et al. 2018 eq. 7),
    the F difference as the conditional variance :meth:`Stats.G` (no cancellation)."""
    net = st.net
    g2, s2 = net.g**2, net.sigma_I**2
    Dinf, fp = _delta_inf(st, mu, D0, n)
    D0a = np.asarray(D0, float)
    # V(Delta0) - V(Delta_inf) with F(Delta0) - F(Delta_inf) as a conditional variance
    # (Stats.G): no cancellation of O(1) terms when the residual is small (onset of chaos)
    G = st.G(np.broadcast_to(mu, D0a.shape), D0a, Dinf, n)
    dV = (D0a - Dinf) * (s2 - 0.5 * (D0a + Dinf)) + g2 * G
    return net.sigma_noise**4 / 8.0 + dV, Dinf, fp


def _static_residual(st: Stats, mu: Any, D0: Any, extra: float = 0.0, n: int | None = None) -> Any:
    r"""Fixed-point variance residual :math:`g^2\langle\phi^2\rangle + \sigma_I^2 + \text{extra} - \Delta_0`."""
    net = st.net
    return net.g**2 * st.m2(mu, D0, n) + net.sigma_I**2 + extra - np.asarray(D0, float)


def _grows(st: Stats, D: float, extra: float, chaotic: bool) -> bool:
    r"""Whether the activity still grows at amplitude ``D`` (no upper root of the equations).

    Growth of the mean: the mean residual :math:`J_0\langle\phi\rangle + I_0 - \mu` is
    positive at the upper end (or negative at the lower end) of the scanned range of
    :math:`\mu` (Kadmon & Sompolinsky 2015, PRX 5:041030, eq. 3).  Growth of the variance:
    on some branch :math:`\mu(\Delta_0)` the static residual
    :math:`g^2\langle\phi^2\rangle + \sigma_I^2 + \ldots - \Delta_0` (SCS 1988 eq. 4 at
    :math:`\tau = 0`) or, in continuous time, the energy residual (Schuecker et al. 2018
    eq. 7) is positive: the self-generated input variance exceeds what the leak removes,
    so the variance increases (see the amplitude stability in
    :mod:`rnmf.theory.dmft.stationary`).  An overflowing (non-finite) residual counts as growth.
    """
    net = st.net
    if net.J0 != 0.0:
        W = _mu_width(net, D)
        with np.errstate(over="ignore", invalid="ignore"):
            up = float(mu_residual(st, net.I0 + W, D))
            down = float(mu_residual(st, net.I0 - W, D))
        if not (up < 0.0 and down > 0.0):
            return True
    roots = mu_roots_grid(st, np.array([D]))[0]
    if roots.size == 0:
        return True
    Ds = np.full(roots.size, D)
    with np.errstate(over="ignore", invalid="ignore"):
        S = _static_residual(st, roots, Ds, extra)
        # a residual within rounding of zero (marginal homogeneous phi: linear at g = 1)
        # neither grows nor decays
        tiny = 1e-12 * D
        if not np.all(S <= tiny):
            return True
        if chaotic:
            R = _energy_residual(st, roots, Ds)[0]
            if not np.all(R <= tiny * D):
                return True
    return False


def _dmax(net: RateNetwork, extra: float, st: Stats | None = None, chaotic: bool = True):
    """An upper bound for Delta0 and whether the activity is bounded.

    From |phi| <= 1 for tanh/erf (the variance of a low-pass filtered field is at most the
    field's variance plus sigma^2/2); otherwise grown by factors of 4 until neither the
    mean nor the variance grows there (:func:`_grows`).  Up to ``_D_UNBOUNDED``: an
    unbounded ``phi`` whose activity still grows there has no upper root at all (the
    residuals of asymptotically homogeneous ``phi`` scale as powers of Delta0, those of
    supralinear ``phi`` grow faster), and the network diverges from large initial
    conditions.  Returns ``(Dmax, bounded)``."""
    noise = net.sigma_noise**2 / 2.0 + extra
    if net.phi.kind in ("tanh", "erf"):
        return 1.02 * (net.g**2 + net.sigma_I**2 + noise) + 1e-6, True
    st = st or Stats(net)
    D = 4.0 * (1.0 + net.sigma_I**2 + noise + net.I0**2 + net.phi.theta**2)
    while D < _D_UNBOUNDED:
        if not _grows(st, D, extra, chaotic):
            return 2.0 * D, True
        D *= 4.0
    return D, False


#: largest variance probed before an unbounded phi is declared divergent
_D_UNBOUNDED = 1e8


# ----------------------------------------------------------------------------------------
# root search
# ----------------------------------------------------------------------------------------
def find_states(
    net: RateNetwork, st: Stats, *, tol: float, extra: float = 0.0, chaotic: bool = True
) -> tuple[list[dict], bool]:
    """All stationary states: quiet, static (Delta_inf = Delta0) and, if ``chaotic``, those
    with Delta_inf < Delta0 (chaotic or noise-driven), and whether the activity is bounded
    (see :func:`_dmax`). Shared with the discrete map (``extra`` = sigma^2 adds the noise
    variance to the static equation)."""
    Dmax, bounded = _dmax(net, extra, st, chaotic)
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
            and abs(s["D0"] - u["D0"]) <= 1e-9 * max(u["D0"], s["D0"])
            for u in unique
        ):
            unique.append(s)
    return unique, bounded


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
    # near g = 1 the fluctuating root lies within ~(g - 1)/5 (relative) of the static one
    edges = [a, d_s * (1 - 1e-11), d_s * (1 + 1e-11), b]
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


def _quiet_slopes(st: Stats, m: float) -> tuple[float, float]:
    r"""Directional stability of a quiet state :math:`x_i = \mu`: ``(chi, mean_slope)``.

    A perturbation :math:`\delta x_i` sees :math:`\phi'(\mu^+)` on the units it pushes up and
    :math:`\phi'(\mu^-)` on the others.  For smooth ``phi`` both are :math:`\phi'(\mu)` and
    the bulk of the Jacobian :math:`-1 + J\phi'(\mu)` has squared radius
    :math:`\chi = g^2\phi'(\mu)^2` (circular law).  On a kink (relu at its threshold) the
    perturbation obeys the piecewise-linear network
    :math:`\dot{\delta x} = -\delta x + J\,\ell(\delta x)`,
    :math:`\ell(y) = \phi'(\mu^+)\,y^+ - \phi'(\mu^-)\,y^-`, whose self-consistent
    variance grows or decays as :math:`(1+\gamma)^2 = g^2\langle\ell(y)^2\rangle/\langle y^2\rangle`
    for symmetric Gaussian :math:`y` (the static residual of SCS 1988 eq. 4 of the
    homogeneous ``phi`` ``ell``), i.e. with the directional
    :math:`\chi = g^2[\phi'(\mu^-)^2 + \phi'(\mu^+)^2]/2`.  The mean mode must decay in both
    directions: ``mean_slope`` is :math:`\max_\pm(-1 + J_0\phi'(\mu^\pm))`
    (Kadmon & Sompolinsky 2015, PRX 5:041030, Sec. III).
    """
    net = st.net
    h = 1e-7 * (1.0 + abs(m))
    sp = float(net.phi.derivative(m + h))
    sm = float(net.phi.derivative(m - h))
    s0 = float(net.phi.derivative(m))
    if abs(sp - sm) <= 1e-4 * (1.0 + abs(s0)):
        sp = sm = s0  # smooth at mu
    chi = net.g**2 * 0.5 * (sp * sp + sm * sm)
    slope = max(-1.0 + net.J0 * sp, -1.0 + net.J0 * sm)
    return chi, slope


def _amplitude_slope(st: Stats, state: dict) -> float:
    r"""Relative slope :math:`\Delta_0\,dR/d\Delta_0 / \max(\Delta_0^2, \ldots)` of the energy
    residual along the mean branch :math:`\mu(\Delta_0)` at a fluctuating state (< 0: stable
    to amplitude perturbations; see :mod:`rnmf.theory.dmft.stationary`)."""
    net = st.net
    m, d = state["mu"], state["D0"]
    h = 1e-4 * d

    def R(x: float) -> float:
        mm = solve_mu(st, x, m) if net.J0 != 0.0 else net.I0
        return float(_energy_residual(st, mm, x)[0])

    return (R(d + h) - R(d - h)) / (2.0 * h) / d
