"""Frozen parameter mismatch: Siegert rate averaged over quenched heterogeneity."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from rnmf._checks import check_choice, check_finite, check_int, check_positive
from rnmf.results import ConvergenceError, Result, Status

from ..lif import siegert

# --------------------------------------------------------------------------------------
# mismatch
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, repr=False)
class MismatchRates(Result):
    """Population rate under frozen parameter mismatch.

    Attributes
    ----------
    rate : float
        Mean rate over neurons (Hz).
    rate_sd : float
        Spread of the rates across neurons (Hz).
    rate_nominal : float
        Rate at the nominal parameters (Hz).
    p_invalid : float
        Probability that a neuron's parameter is <= 0 (excluded; the theory is
        flagged not converged when it exceeds 1e-3).
    """

    rate: float = math.nan
    rate_sd: float = math.nan
    rate_nominal: float = math.nan
    p_invalid: float = 0.0


_MISMATCH_PARAMS = ("tau_m", "V_th", "t_ref", "mu", "sigma")


def mismatch_rates(
    mu: float,
    sigma: float,
    s: float,
    *,
    param: str = "V_th",
    n_quad: int = 64,
    raise_on_failure: bool = True,
    **neuron: float,
) -> MismatchRates:
    r"""Siegert rate averaged over frozen multiplicative mismatch :math:`p_i = p(1 + s\xi_i)`.

    :math:`\bar\nu = E_\xi[\nu(\mu, \sigma; p(1 + s\xi))]` and
    :math:`\mathrm{sd}\,\nu` by Gauss-Hermite quadrature over :math:`\xi \sim N(0, 1)`
    (Siegert rate: Brunel 2000, eq. 21, :func:`rnmf.theory.lif.siegert`); the
    heterogeneous mean field of quenched parameter disorder.  Nodes with
    :math:`1 + s\xi \le 0` are dropped; when they carry more than 1e-3 of the
    probability the result is not converged (raises unless ``raise_on_failure=False``).
    ``neuron`` passes tau_m, V_th, V_reset, t_ref, tau_s to the Siegert formula.
    """
    mu = check_finite("mu", mu)
    sigma = check_positive("sigma", sigma)
    s = check_finite("s (mismatch)", s)
    if s < 0:
        raise ValueError(f"s (mismatch) must be >= 0, got {s}")
    check_choice("param", param, _MISMATCH_PARAMS)
    n_quad = check_int("n_quad", n_quad, minimum=2, maximum=400)
    defaults = {"tau_m": 20.0, "V_th": 20.0, "V_reset": 10.0, "t_ref": 2.0, "tau_s": 0.0}
    defaults.update(neuron)
    base = {"mu": mu, "sigma": sigma, **defaults}
    nominal = float(siegert(mu, sigma, **defaults))
    x, w = np.polynomial.hermite_e.hermegauss(n_quad)
    w = w / w.sum()
    factor = 1.0 + s * x
    # smallest admissible factor: positive time constants and sigma, V_th above V_reset
    f_min = {"tau_m": 0.0, "t_ref": 0.0, "sigma": 0.0, "mu": -math.inf}.get(param)
    if param == "V_th":
        f_min = defaults["V_reset"] / defaults["V_th"] if defaults["V_th"] > 0 else -math.inf
    ok = factor > f_min
    p_bad = float(special.ndtr((f_min - 1.0) / s)) if s > 0 and math.isfinite(f_min) else 0.0
    vals = []
    for f_ in factor[ok]:
        kw = dict(base)
        kw[param] = base[param] * f_
        vals.append(float(siegert(kw.pop("mu"), kw.pop("sigma"), **kw)))
    v = np.array(vals)
    ww = w[ok] / w[ok].sum()
    mean = float(np.sum(ww * v))
    sd = float(math.sqrt(max(np.sum(ww * v * v) - mean**2, 0.0)))
    good = p_bad <= 1e-3
    res = MismatchRates(
        model=None,
        method=f"Gauss-Hermite ({n_quad} nodes) over {param}",
        options={"mu": mu, "sigma": sigma, "s": s, "param": param, **defaults},
        converged=good,
        status=Status.CONVERGED if good else Status.INVALID,
        rate=mean,
        rate_sd=sd,
        rate_nominal=nominal,
        p_invalid=p_bad,
    )
    if not good and raise_on_failure:
        raise ConvergenceError(
            f"mismatch s = {s:g} gives non-positive {param} with probability {p_bad:.2g} > 1e-3: "
            "the multiplicative model is not valid; reduce s",
            res,
        )
    return res
