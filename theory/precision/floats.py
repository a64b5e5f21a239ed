"""Short floats: effective time constant of a rounded decay factor, swamping (see the package docstring)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

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
