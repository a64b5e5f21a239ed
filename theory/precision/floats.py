"""Short floats: effective time constant of a rounded decay factor, swamping (see the package docstring)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import integrate

from rnmf._checks import check_choice, check_finite, check_positive
from rnmf.results import Result, Status

from ._common import ROUNDINGS, _mantissa_bits, round_float

# --------------------------------------------------------------------------------------
# short floats: effective time constant and swamping
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, repr=False)
class EffectiveTau(Result):
    """Rounded decay factor and the effective time constant it implies.

    Attributes
    ----------
    decay : float
        The rounded factor a (``exp(-dt/tau)`` or ``1 - dt/tau``).
    tau_eff : float
        :math:`-\\Delta t/\\ln a` (inf when a == 1: the leak vanished).
    leak_vanishes : bool
        Whether a rounded to 1.
    relative_error : float
        ``tau_eff / tau - 1``.
    """

    decay: float = math.nan
    tau_eff: float = math.nan
    leak_vanishes: bool = False
    relative_error: float = math.nan


def effective_tau(
    dt: float, tau: float, fmt: Any, *, rounding: str = "nearest", scheme: str = "exact"
) -> EffectiveTau:
    r"""Effective time constant of a leak whose decay factor is stored in a short float.

    :math:`a = \mathrm{fl}(e^{-\Delta t/\tau})` (``scheme="exact"``, exact integration)
    or :math:`\mathrm{fl}(1 - \Delta t/\tau)` (``"euler"``); the numbers just below 1 are
    :math:`1 - k\,2^{-(t+1)}`, so the map :math:`x \leftarrow a x` decays with
    :math:`\tau_{\rm eff} = -\Delta t/\ln a` (for Euler this includes the discretisation:
    :math:`-\Delta t/\ln(1 - \Delta t/\tau) \ne \tau` even without rounding) and the leak vanishes (a = 1)
    when :math:`\Delta t/\tau < 2^{-(t+2)}` under round-to-nearest.
    Stochastic rounding keeps :math:`E\,a` exact, so tau_eff is the unrounded one in
    expectation (:func:`rnmf.sim.simulate` rounds such constants to nearest, once).
    """
    dt = check_positive("dt", dt)
    tau = check_positive("tau", tau)
    check_choice("rounding", rounding, ROUNDINGS)
    check_choice("scheme", scheme, ("exact", "euler"))
    t = _mantissa_bits(fmt)
    exact = math.exp(-dt / tau) if scheme == "exact" else 1.0 - dt / tau
    a = round_float(exact, t, rounding)
    vanish = a >= 1.0
    if vanish:
        te = math.inf
    else:
        te = -dt / math.log(a) if a > 0 else 0.0
    return EffectiveTau(
        model=None,
        method=f"rounded decay factor ({scheme}, t={t}, {rounding})",
        options={"dt": dt, "tau": tau, "mantissa_bits": t},
        converged=not vanish,
        status=Status.CONVERGED if not vanish else Status.INVALID,
        decay=a,
        tau_eff=te,
        leak_vanishes=vanish,
        relative_error=te / tau - 1.0,
    )


@dataclass(frozen=True, kw_only=True, repr=False)
class Swamping(Result):
    """Whether increments are lost to rounding, and whether tau_eff predicts the dynamics.

    Attributes
    ----------
    ratio : float
        ``|increment| / (ulp(state) / 2)``; below 1 the increment is lost under RTN.
    lost : bool
        ``ratio <= 1`` (an increment of exactly half an ulp ties and may be lost).
    predicted : bool
        ``ratio >= margin``: increments resolved well enough that rounding acts as
        a small perturbation; otherwise the tau_eff prediction is "not predicted".
    message : str
        Plain-language verdict.
    """

    ratio: float = math.nan
    lost: bool = False
    predicted: bool = True
    message: str = ""


def swamping(
    increment: float, state: float, fmt: Any, *, rounding: str = "nearest", margin: float = 8.0
) -> Swamping:
    r"""Swamping criterion: is an increment ``increment`` added to ``state`` lost?

    Under round-to-nearest, :math:`\mathrm{fl}(v + \delta) = v` when
    :math:`|\delta| < \mathrm{ulp}(v)/2` (Higham 2002, Sec. 4.2); the prediction
    from tau_eff is marked valid only where the smallest increment exceeds
    ``margin`` half-ulps.  Stochastic rounding keeps every increment in expectation
    (Connolly, Higham & Mary 2021, Sec. 5), so it is always "predicted" in the mean.
    """
    inc = abs(check_finite("increment", increment))
    v = abs(check_finite("state", state))
    margin = check_positive("margin", margin)
    check_choice("rounding", rounding, ROUNDINGS)
    t = _mantissa_bits(fmt)
    e = math.frexp(v)[1] - 1 if v > 0 else -1074
    half_ulp = math.ldexp(1.0, e - t - 1)
    ratio = inc / half_ulp
    lost = ratio <= 1.0 and rounding != "stochastic"
    predicted = rounding == "stochastic" or ratio >= margin
    msg = (
        "increments resolved: tau_eff prediction applies"
        if predicted
        else f"not predicted: increment {inc:.3g} is only {ratio:.3g} half-ulps of the state "
        f"{v:.3g} (swamping{' — lost entirely' if lost else ''})"
    )
    return Swamping(
        model=None,
        method="swamping criterion",
        options={"mantissa_bits": t, "rounding": rounding, "margin": margin},
        converged=predicted,
        status=Status.CONVERGED if predicted else Status.INVALID,
        ratio=ratio,
        lost=lost,
        predicted=predicted,
        message=msg,
    )


# --------------------------------------------------------------------------------------
# stochastic rounding of the stored state: an added diffusion and a soft threshold
# --------------------------------------------------------------------------------------

#: smallest normal exponent of the float formats (subnormal spacing below)
_MIN_EXP = {52: -1022, 23: -126, 10: -14, 7: -126, 3: -6, 2: -14}


def float_spacing(x: Any, fmt: Any) -> np.ndarray:
    """Spacing (ulp) of the float format ``fmt`` at ``|x|``: ``2^(e - t)`` on the binade
    ``[2^e, 2^(e+1))``, the subnormal spacing below the smallest normal (IEEE 754-2019)."""
    t = _mantissa_bits(fmt)
    emin = _MIN_EXP.get(t, -126)
    a = np.abs(np.asarray(x, dtype=float))
    e = np.floor(np.log2(np.maximum(a, 2.0**emin)))
    return np.ldexp(1.0, (e - t).astype(int))


def _lif_rate_diffusion(
    mu: float, tau: float, V_th: float, V_reset: float, t_ref: float, B: Any, n_grid: int
) -> float:
    r"""Stationary rate (Hz) of :math:`dV = (\mu - V)/\tau\,dt + \sqrt{B(V)}\,dW` (Ito) with
    threshold, reset and refractory period.

    The stationary Fokker-Planck equation with flux :math:`\nu` between reset and
    threshold gives :math:`B P = 2\nu\int_{\max(V, V_r)}^{\theta} e^{\Phi(V) - \Phi(u)}du`,
    :math:`\Phi' = 2A/B` (Risken 1989, *The Fokker-Planck Equation*, ch. 5; for
    constant B this is the Siegert formula, Brunel 2000 eq. 21), and normalisation
    :math:`\nu^{-1} = t_{ref} + \int P/\nu\,dV`; trapezoid quadrature on ``n_grid`` points.
    """
    Bth = float(np.max(B(np.array([V_th]))))
    lo = min(V_reset, mu) - 12.0 * math.sqrt(max(Bth * tau / 2.0, 1e-12))
    V = np.linspace(lo, V_th, n_grid)
    b = np.asarray(B(V), dtype=float)
    phi = integrate.cumulative_trapezoid(2.0 * (mu - V) / tau / b, V, initial=0.0)
    top = float(phi.max())
    e = np.exp(-(phi - top))
    tail = -integrate.cumulative_trapezoid(e[::-1], V[::-1], initial=0.0)[::-1]
    inner = np.where(V >= V_reset, tail, float(np.interp(V_reset, V, tail)))
    T = float(integrate.trapezoid(2.0 / b * np.exp(phi - top) * inner, V))
    return 1000.0 / (t_ref + T)


@dataclass(frozen=True, kw_only=True, repr=False)
class StorageRate(Result):
    """LIF rate with the state stored in a short float under stochastic rounding.

    Attributes
    ----------
    rate : float
        Predicted rate (Hz) with the storage diffusion and the soft threshold.
    rate_unrounded : float
        The same integrator without rounding (the Siegert rate).
    threshold_shift : float
        Half the spacing just below the threshold (mV) by which the threshold moves down.
    added_variance_at_threshold : float
        :math:`n\\,u(\\theta^-)^2/(6\\,\\Delta t)` (mV^2/ms).
    """

    rate: float = math.nan
    rate_unrounded: float = math.nan
    threshold_shift: float = 0.0
    added_variance_at_threshold: float = 0.0


def stochastic_storage_rate(
    mu: float,
    sigma: float,
    *,
    tau_m: float,
    V_th: float,
    V_reset: float,
    t_ref: float,
    dt: float,
    fmt: Any = "bfloat16",
    n_round: int = 1,
    n_grid: int = 20001,
) -> StorageRate:
    r"""Rate of an LIF neuron whose potential is stored with stochastic rounding each step.

    Stochastic rounding of a value y to the grid of spacing u(y) adds a zero-mean error of
    variance :math:`u^2 f(1 - f)` (f the fraction of y above the lower neighbour;
    Connolly, Higham & Mary 2021, SIAM J. Sci. Comput. 43:A566, for its
    unbiasedness), :math:`u^2/6` on average over a uniform f.  ``n_round`` such roundings
    per step of length ``dt`` add the Ito diffusion :math:`B_q(V) = n\,u(V)^2/(6\Delta t)`
    to the input's :math:`\sigma^2/\tau` (Brunel 2000 eqs. 4-5), with the state-dependent
    spacing of the format.  At the threshold a value y within one spacing u below
    :math:`\theta` (on the grid) is stored as :math:`\theta` and fires with probability
    :math:`(y - \theta + u)/u`: a firing probability rising linearly over
    :math:`[\theta - u, \theta)`, replaced here by a sharp threshold at its midpoint
    :math:`\theta - u/2`.  The rate then follows from the first-passage formula with
    state-dependent diffusion (:func:`_lif_rate_diffusion`).  Arithmetic is assumed
    exact apart from these stores (e.g. float32 accumulation); the effective time
    constant of a rounded propagator is applied by the caller through ``tau_m``.

    Both corrections are ours (no published theory was found) and are validated against
    :func:`rnmf.sim.simulate_lif` with ``fmt="bf16-sr"`` in :mod:`rnmf.validate.precision`.
    """
    mu = check_finite("mu", mu)
    sigma = check_positive("sigma", sigma)
    tau_m, dt = check_positive("tau_m", tau_m), check_positive("dt", dt)
    V_th, V_reset = check_finite("V_th", V_th), check_finite("V_reset", V_reset)
    t_ref = float(t_ref)
    if V_reset >= V_th:
        raise ValueError(f"V_reset ({V_reset}) must be below V_th ({V_th})")
    if n_round < 0:
        raise ValueError(f"n_round must be >= 0, got {n_round!r}")
    base = sigma * sigma / tau_m

    def B(V):
        return base + n_round * float_spacing(V, fmt) ** 2 / (6.0 * dt)

    u_th = float(float_spacing(math.nextafter(V_th, -math.inf), fmt))
    shift = 0.5 * u_th if n_round > 0 else 0.0
    r0 = _lif_rate_diffusion(mu, tau_m, V_th, V_reset, t_ref, lambda V: base + 0.0 * V, n_grid)
    r = _lif_rate_diffusion(mu, tau_m, V_th - shift, V_reset, t_ref, B, n_grid)
    return StorageRate(
        model=None,
        method="first passage with storage diffusion and soft threshold",
        options={"fmt": str(fmt), "dt": dt, "n_round": n_round},
        rate=r,
        rate_unrounded=r0,
        threshold_shift=shift,
        added_variance_at_threshold=n_round * u_th * u_th / (6.0 * dt),
    )
