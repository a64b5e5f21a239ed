r"""Stationary DMFT over parameter grids and the transition to chaos.

:func:`solve_grid` evaluates the main state over broadcast parameter arrays (vectorised for
odd phi without mean input: SCS 1988 eq. 7 with the noise kink of Schuecker, Goedeke &
Helias 2018, PRX 8:041029, eq. 7), :func:`transition` locates the zero crossing of the
largest Lyapunov exponent (SCS 1988 eq. 10) in one parameter and :func:`transition_curve`
traces it along a second one (Schuecker et al. 2018 Fig. 2).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
from scipy import optimize

from rnmf._checks import check_array, check_bool, check_choice, check_finite
from rnmf.models import RateNetwork

from ..gaussian import expect, nodes
from ._common import Stats, check_memory, illinois
from .lyapunov import lyapunov_odd
from .states import _check_net, check_mean_scale, check_resolved
from .stationary import _CHI_CRITICAL, solve

__all__ = ["solve_grid", "transition", "transition_curve"]


def transition(
    net: RateNetwork,
    *,
    param: str = "g",
    bracket: tuple[float, float] | None = None,
    xtol: float = 1e-7,
) -> float:
    r"""Critical value of a model field where :math:`\lambda_{max}` of the main state crosses zero.

    Without noise and input this is :math:`g_c = 1/\phi'(0)` (SCS 1988); with white
    noise it lies above the local-stability line (Schuecker et al. 2018 Fig. 2).

    Parameters
    ----------
    net : RateNetwork
        Template network; ``param`` is varied with :func:`dataclasses.replace`.
    param : str
        A float field of :class:`RateNetwork` (``"g"``, ``"sigma_noise"``, ``"I0"``, ...).
    bracket : (float, float), optional
        Interval with a sign change of lambda_max; default: scanned.
    xtol : float
        Absolute tolerance of the critical value.
    """
    _check_net(net)
    fields = ("g", "J0", "I0", "sigma_I", "sigma_noise")
    param = check_choice("param", param, fields)
    xtol = check_finite("xtol", xtol)
    if xtol <= 0:
        raise ValueError(f"xtol must be a positive tolerance, got {xtol!r}")
    if bracket is not None:
        bracket = _check_bracket(bracket)

    def lam(v: float) -> float:
        r = solve(replace(net, **{param: float(v)}), raise_on_failure=False)
        return r.lambda_max

    if bracket is None:
        lo_default = 0.0 if param in ("sigma_I", "sigma_noise") else 0.05
        values = np.concatenate([[lo_default], np.geomspace(0.1, 10.0, 25)])
        if param in ("I0", "J0"):
            values = np.linspace(-5.0, 5.0, 41)
        lams = [lam(v) for v in values]
        bracket = None
        for i in range(len(values)):
            if lams[i] == 0.0:
                return float(values[i])
        for i in range(len(values) - 1):
            if np.isfinite(lams[i]) and np.isfinite(lams[i + 1]) and lams[i] * lams[i + 1] < 0:
                bracket = (float(values[i]), float(values[i + 1]))
                break
        if bracket is None:
            raise ValueError(
                f"lambda_max does not change sign for {param} in [{values[0]:g}, {values[-1]:g}]; "
                "pass bracket=(lo, hi)"
            )
    lo, hi = bracket
    flo, fhi = lam(lo), lam(hi)
    if flo == 0.0 or fhi == 0.0:
        return lo if flo == 0.0 else hi
    if not flo * fhi < 0:
        raise ValueError(
            f"lambda_max has the same sign at both ends of bracket {bracket} "
            f"({flo:.3g}, {fhi:.3g}); pass a bracket around the transition"
        )
    return float(optimize.brentq(lam, lo, hi, xtol=xtol))


def _check_bracket(bracket: Any) -> tuple[float, float]:
    """``bracket`` as two finite floats lo < hi, or a ValueError naming it."""
    b = check_array("bracket", bracket)
    if b.shape != (2,) or not b[0] < b[1]:
        raise ValueError(f"bracket must be two finite numbers lo < hi, got {bracket!r}")
    return float(b[0]), float(b[1])


def solve_grid(net: RateNetwork, *, lyapunov: bool = True, **arrays: Any) -> dict[str, np.ndarray]:
    r"""Main stationary DMFT state over broadcast parameter arrays (phase diagrams).

    Fast path, no Python loop per point: continuous time, odd ``phi`` (tanh, erf) and
    ``J0 = I0 = sigma_I = 0``.  Then :math:`\mu = 0`, the fluctuating state comes to rest
    on :math:`\Delta_\infty = 0` and the energy equation involves one-dimensional averages
    only (SCS 1988 eq. 7 with the noise kink of Schuecker et al. 2018 eq. 7),

    .. math:: \sigma^4/8 - \Delta_0^2/2 + g^2\big(\langle\Phi^2\rangle - \langle\Phi\rangle^2\big)_{\Delta_0} = 0,

    solved for all points at once by vectorised regula falsi (Illinois).  Without noise and
    for :math:`g\phi'(0) \le 1` the main state is quiet.  With ``lyapunov=True`` the largest
    Lyapunov exponent of every fluctuating state comes from
    :func:`rnmf.theory.dmft.lyapunov.lyapunov_odd` (the Schroedinger problem of SCS 1988
    eq. 10, all points at once; within ~3e-7 of :func:`solve`; 100 x 100 points in ~5 s on
    two cores, plus ~2 s once per process for the tanh table).  Every other network calls
    :func:`solve` per point (~0.1-0.3 s each).

    Parameters
    ----------
    net : RateNetwork
        Template; each keyword array replaces the field of that name.
    lyapunov : bool
        Compute lambda_max and label noisy states by its sign (default, as :func:`solve`);
        False skips it (faster; noisy states with ``chi >= 1`` are then ``"unresolved"``).
    **arrays
        Fields ``g, J0, I0, sigma_I, sigma_noise`` as arrays of real numbers, broadcast
        together (non-empty; the limits of :func:`solve` on the variance scale of a
        saturating ``phi`` and on ``J0``, ``I0`` apply to every point and are checked up front).

    Returns
    -------
    dict
        ``mu, Delta0, Delta_inf, chi, lambda_max`` (float arrays, ``lambda_max`` NaN when
        not computed for fluctuating states), ``stable`` (bool array) and ``regime`` (object
        array of str) with the broadcast shape: the fields of the main :class:`DMFTResult`
        of :func:`solve` with the same meaning and, by default, the same values (to ~3e-7
        for ``lambda_max`` on the fast path); ``"unbounded"`` states (diverging unbounded
        ``phi``) have ``Delta0 = inf``.  The lag-dependent outputs of :func:`solve`
        (``tau``, ``Delta``, ``tau_corr``, ``tau_int``, ``kappa``) and the list of all
        ``solutions`` are not computed here.  On the fast path without ``lyapunov`` a noisy state with
        ``chi >= 1`` is labelled ``"unresolved"``: chaos needs ``lambda_max > 0``, which lies
        above ``chi = 1`` (Schuecker et al. 2018 Fig. 2); with ``chi < 1`` it is ``"noise-driven"``.
        With ``lyapunov=True`` the labels are ``"quiet"``, ``"chaotic"`` (``lambda_max > 0``)
        and ``"noise-driven"`` (noise, ``lambda_max <= 0``), as in :func:`solve`.  Noise-free
        points within ``chi - 1 < 1.5e-6`` of the transition (where :func:`solve` raises)
        are ``"unresolved"`` with NaN values.

    Examples
    --------
    >>> import numpy as np
    >>> from rnmf.models import RateNetwork
    >>> G, S = np.meshgrid(np.linspace(0.5, 3, 100), np.linspace(0, 2, 100))
    >>> out = solve_grid(RateNetwork(N=1000, g=1.0), g=G, sigma_noise=S)
    >>> out["Delta0"].shape
    (100, 100)
    """
    _check_net(net)
    lyapunov = check_bool("lyapunov", lyapunov)
    allowed = ("g", "J0", "I0", "sigma_I", "sigma_noise")
    if not arrays:
        raise ValueError(
            "solve_grid needs at least one parameter array, e.g. g=np.linspace(0, 3, 100)"
        )
    vals = {}
    for k, v in arrays.items():
        if k not in allowed:
            raise ValueError(f"solve_grid varies the fields {allowed}; got {k!r}")
        a = check_array(k, v)
        if np.asarray(v).dtype.kind == "b":
            raise ValueError(f"{k} must be numbers, got booleans {v!r}")
        if np.ndim(v) == 0:
            a = a.reshape(())  # check_array returns at least 1-D
        if a.size == 0:
            raise ValueError(f"{k} is empty (shape {a.shape}); pass at least one value")
        if k in ("g", "sigma_I", "sigma_noise") and np.any(a < 0):
            raise ValueError(f"{k} must be >= 0, got min {a.min():g}")
        vals[k] = a
    try:
        bvals = dict(zip(vals, np.broadcast_arrays(*vals.values()), strict=True))
    except ValueError as exc:
        shapes = {k: v.shape for k, v in vals.items()}
        raise ValueError(f"parameter arrays do not broadcast: {shapes}") from exc
    shape = next(iter(bvals.values())).shape
    size = int(np.prod(shape))
    # ~16 float64 arrays per point (outputs, parameters, work arrays of the fast path)
    check_memory("parameter arrays (broadcast size)", size, 16 * 8.0 * size)
    full = {k: np.broadcast_to(np.asarray(getattr(net, k), float), shape) for k in allowed}
    full.update(bvals)
    check_resolved(
        net.phi.kind, full["g"], full["sigma_I"], full["sigma_noise"], discrete=net.discrete
    )
    check_mean_scale(full["J0"], full["I0"])
    out = {
        "mu": np.zeros(shape),
        "Delta0": np.full(shape, np.nan),
        "Delta_inf": np.full(shape, np.nan),
        "chi": np.full(shape, np.nan),
        "lambda_max": np.full(shape, np.nan),
        "stable": np.zeros(shape, dtype=bool),
        "regime": np.full(shape, "", dtype=object),
    }
    if _fast_family(net, full):
        _grid_odd(
            net, np.array(full["g"], float), np.array(full["sigma_noise"], float), out, lyapunov
        )
        return out
    for idx in np.ndindex(shape):
        r = solve(
            replace(net, **{k: float(full[k][idx]) for k in allowed}),
            lyapunov=lyapunov,
            raise_on_failure=False,
        )
        for k in ("mu", "Delta0", "Delta_inf", "chi", "lambda_max", "stable"):
            out[k][idx] = getattr(r, k)
        out["regime"][idx] = r.regime
    return out


def _fast_family(net: RateNetwork, full: dict) -> bool:
    """Odd phi (tanh, erf) in continuous time without mean coupling or input: mu = Delta_inf = 0."""
    return (
        net.phi.kind in ("tanh", "erf")
        and not net.discrete
        and not np.any(full["J0"])
        and not np.any(full["I0"])
        and not np.any(full["sigma_I"])
    )


def _odd_delta0(net: RateNetwork, g: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Delta0 of the fluctuating state (1-D arrays g, s) and whether it exists."""
    g2 = g**2

    def R(D: np.ndarray, sel: np.ndarray) -> np.ndarray:
        # <Phi^2> - <Phi>^2 from one evaluation of Phi on the nodes
        z, w = nodes(None, dmax=float(D.max()))
        P = net.phi.primitive(np.sqrt(D)[:, None] * z)
        m1 = P @ w
        return s[sel] ** 4 / 8.0 - 0.5 * D * D + g2[sel] * ((P * P) @ w - m1 * m1)

    # |phi| <= 1: Delta0 <= g^2 + sigma^2/2 (see _dmax).  With noise Delta0 >= sigma^2/2 at
    # g = 0 and grows with g, so 0.1 sigma^2 is a lower end even where it is below 1e-12 hi
    hi = 1.02 * (g2 + s**2 / 2.0) + 1e-6
    lo = np.maximum(np.where(s > 0, np.minimum(1e-12 * hi, 0.1 * s**2), 1e-12 * hi), 1e-150)
    allp = np.arange(g2.size)
    flo, fhi = R(lo, allp), R(hi, allp)
    has = (flo > 0) & (fhi < 0)
    idx = np.nonzero(has)[0]
    D0 = np.zeros(g2.size)
    if idx.size:
        # regula falsi in y = ln Delta0: the tolerance of illinois is absolute in its variable,
        # so Delta0 ~ 1e-10 (sigma ~ 1e-5) keeps ~1e-14 relative accuracy (in Delta0 itself
        # it had 1e-4, and lyapunov_odd's energy check failed)
        y = illinois(
            lambda Y, sel: R(np.exp(Y), idx[sel]),
            np.log(lo[idx]),
            np.log(hi[idx]),
            flo[idx],
            fhi[idx],
            maxit=400,  # R(lo) ~ 1e-25 against R(hi) ~ 1: many one-sided steps first
        )
        D0[idx] = np.exp(y)
    return D0, has


def _odd_lambda(
    net: RateNetwork, g: np.ndarray, s: np.ndarray, h: float = 0.1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """lambda_max, Delta0 and the fluctuating mask of the main state (fast family, 1-D arrays)."""
    D0, has = _odd_delta0(net, g, s)
    slope0 = float(net.phi.derivative(0.0))
    lam = np.sqrt(g**2) * abs(slope0) - 1.0
    chi0 = g**2 * slope0**2
    crit = (s == 0.0) & (chi0 > 1.0) & (chi0 < 1.0 + _CHI_CRITICAL)  # not resolved (see solve)
    lam[crit] = np.nan
    ok = has & ~crit
    if np.any(ok):
        # the potential sharpens near tau = 0 as Delta0 grows: halve the step beyond 16
        hh = h if float(D0[ok].max()) <= 16.0 else 0.5 * h
        lam[ok] = lyapunov_odd(net.phi.kind, g[ok], s[ok], D0[ok], h=hh)
    return lam, D0, has


def _grid_odd(
    net: RateNetwork, g: np.ndarray, sig: np.ndarray, out: dict, lyapunov: bool = False
) -> None:
    """Vectorised energy equation for odd phi without mean input (mu = Delta_inf = 0)."""
    st = Stats(net)
    g2 = g.ravel() ** 2
    s = sig.ravel()
    slope0 = float(net.phi.derivative(0.0))
    if lyapunov:
        lam, D0, has = _odd_lambda(net, g.ravel(), s)
    else:
        D0, has = _odd_delta0(net, g.ravel(), s)
        lam = np.where(has, np.nan, np.sqrt(g2) * abs(slope0) - 1.0)
    chi = np.where(has, g2 * expect(st.dphi2, 0.0, D0), g2 * slope0**2)
    if lyapunov:
        noisy = np.where(lam > 0.0, "chaotic", "noise-driven")
    else:
        noisy = np.where(chi < 1.0, "noise-driven", "unresolved")
    regime = np.where(has, np.where(s > 0, noisy, "chaotic"), "quiet")
    shape = g.shape
    out["Delta0"][...] = D0.reshape(shape)
    out["Delta_inf"][...] = 0.0
    out["chi"][...] = chi.reshape(shape)
    out["lambda_max"][...] = lam.reshape(shape)
    out["regime"][...] = regime.astype(object).reshape(shape)
    # fluctuating states of odd phi are stable attractors (the energy residual decreases
    # through its root); the quiet state is stable for chi = g^2 phi'(0)^2 < 1
    out["stable"][...] = np.where(has, True, g2 * slope0**2 < 1.0).reshape(shape)
    # within chi - 1 < 1.5e-6 of the noise-free transition the fluctuating state is not
    # resolved in double precision (as in solve, which raises there): no number, a label
    chi0 = g2 * slope0**2
    crit = ((s == 0.0) & (chi0 > 1.0) & (chi0 < 1.0 + _CHI_CRITICAL)).reshape(shape)
    if np.any(crit):
        for k in ("Delta0", "chi", "lambda_max"):
            out[k][crit] = np.nan
        out["regime"][crit] = "unresolved"
        out["stable"][crit] = False


def transition_curve(
    net: RateNetwork,
    *,
    param: str = "g",
    along: str = "sigma_noise",
    values: Any,
    bracket: tuple[float, float] | None = None,
    xtol: float = 1e-7,
) -> np.ndarray:
    r"""Critical value of ``param`` (where :math:`\lambda_{max}` crosses zero) for each value of ``along``.

    The phase boundary of :func:`transition` as a curve, e.g. :math:`g_c(\sigma)` of the
    transition to chaos with white noise (Schuecker, Goedeke & Helias 2018, PRX 8:041029,
    Fig. 2).  Fast path (odd ``phi`` tanh/erf, continuous time, ``J0 = I0 = sigma_I = 0``,
    ``param`` and ``along`` the fields ``"g"`` and ``"sigma_noise"``): all values at once, by
    vectorised Illinois regula falsi on :math:`\lambda_{max}` from
    :func:`rnmf.theory.dmft.lyapunov.lyapunov_odd` (agrees with :func:`transition` to ~1e-6).
    Otherwise :func:`transition` is called per value.

    Parameters
    ----------
    net : RateNetwork
        Template network.
    param : str
        The field that crosses the transition (a float field, as in :func:`transition`).
    along : str
        The field that parametrises the curve (another float field).
    values : array_like
        Values of ``along`` (1-D, finite; >= 0 for ``g``, ``sigma_I``, ``sigma_noise``).
    bracket : (float, float), optional
        Interval of ``param`` with a sign change of lambda_max for every value; default:
        scanned per value as in :func:`transition`.
    xtol : float
        Absolute tolerance of the critical values (> 0).

    Returns
    -------
    ndarray
        The critical ``param`` per value; NaN where lambda_max does not change sign in the
        scanned range or the bracket.

    Examples
    --------
    >>> import numpy as np
    >>> from rnmf.models import RateNetwork
    >>> gc = transition_curve(RateNetwork(N=1000, g=1.0), values=np.array([0.0, 1.0]))
    >>> bool(abs(gc[0] - 1.0) < 1e-6 and gc[1] > 1.5)
    True
    """
    _check_net(net)
    fields = ("g", "J0", "I0", "sigma_I", "sigma_noise")
    if not all(isinstance(v, str) and v in fields for v in (param, along)):  # no array compare
        raise ValueError(f"param and along must be fields among {fields}, got {param!r}, {along!r}")
    if param == along:
        raise ValueError(f"param and along must differ, got {param!r} twice")
    v = check_array("values", values)
    if v.ndim != 1 or v.size == 0 or np.ndim(values) == 0:
        raise ValueError(f"values must be a non-empty 1-D array, got shape {np.shape(values)}")
    if along in ("g", "sigma_I", "sigma_noise") and np.any(v < 0):
        raise ValueError(f"{along} must be >= 0, got min {v.min():g}")
    xtol = check_finite("xtol", xtol)
    if xtol <= 0:
        raise ValueError(f"xtol must be a positive tolerance, got {xtol!r}")
    if bracket is not None:
        lo, hi = _check_bracket(bracket)
    full = {k: np.asarray(getattr(net, k), float) for k in fields}
    if along in ("g", "sigma_I", "sigma_noise"):
        # the values of ``along`` are used as they are (the scanned param stays <= 10)
        scale = {k: full[k] for k in ("g", "sigma_I", "sigma_noise")}
        scale[along] = v
        check_resolved(
            net.phi.kind,
            scale["g"],
            scale["sigma_I"],
            scale["sigma_noise"],
            discrete=net.discrete,
            prefix=f"values of {along}: ",
        )
    if not (_fast_family(net, full) and {param, along} == {"g", "sigma_noise"}):
        out = np.full(v.size, np.nan)
        for i, x in enumerate(v):
            try:
                out[i] = transition(
                    replace(net, **{along: float(x)}), param=param, bracket=bracket, xtol=xtol
                )
            except ValueError:
                out[i] = math.nan  # no sign change for this value
        return out

    def lam(p: np.ndarray, a: np.ndarray) -> np.ndarray:
        g, s = (p, a) if param == "g" else (a, p)
        return _odd_lambda(net, g, s, h=0.05)[0]

    n = v.size
    if bracket is None:
        lo_default = 0.0 if param == "sigma_noise" else 0.05
        scan = np.concatenate([[lo_default], np.geomspace(0.1, 10.0, 25)])
    else:
        scan = np.array([lo, hi])
    out = np.full(n, np.nan)
    a = np.full(n, np.nan)
    b = np.full(n, np.nan)
    fa = np.full(n, np.nan)
    fb = np.full(n, np.nan)
    # scan in two blocks (the second, large values, only for rows without a sign change yet)
    cut = min(scan.size, 19)
    todo = np.arange(n)
    for cols in (np.arange(cut), np.arange(max(cut - 1, 0), scan.size)):
        if todo.size == 0 or cols.size < 2:
            continue
        sc = scan[cols]
        Pm = np.broadcast_to(sc, (todo.size, sc.size))
        L = lam(Pm.ravel(), np.repeat(v[todo], sc.size)).reshape(todo.size, sc.size)
        left = []
        for r, i in enumerate(todo):
            z = np.nonzero(L[r] == 0.0)[0]
            ch = np.nonzero(L[r, :-1] * L[r, 1:] < 0)[0]
            if z.size and (not ch.size or z[0] <= ch[0]):
                out[i] = sc[z[0]]
            elif ch.size:
                j = ch[0]
                a[i], b[i], fa[i], fb[i] = sc[j], sc[j + 1], L[r, j], L[r, j + 1]
            else:
                left.append(i)
        todo = np.array(left, dtype=int)
    idx = np.nonzero(np.isfinite(a))[0]
    if idx.size:
        rel = 0.1 * xtol / (1.0 + float(np.max(b[idx])))
        out[idx] = illinois(
            lambda x, sel: lam(x, v[idx[sel]]), a[idx], b[idx], fa[idx], fb[idx], xtol=rel
        )
    return out
