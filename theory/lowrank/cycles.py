r"""Limit cycle of a rank-two network with a rotational overlap (g = 0).

Polar form of the latent ODE (Mastrogiuseppe & Ostojic 2018, Neuron 99:609, rank-two
structures; Beiran et al. 2021, Neural Comput 33:1572, Sec. 2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from rnmf.models import LowRankNetwork
from rnmf.results import ConvergenceError, Result

from ._load import _check_lr, _moments, _require_g0

__all__ = ["LimitCycle", "rotational_limit_cycle"]


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
        If the network is not of this form (Gaussian loadings, not explicit vectors; rank
        two, one population, g = 0, zero means,
        isotropic m, rotational overlap, no inputs, odd phi with decreasing <phi'>).
    """
    net = _check_lr(net)
    _require_g0(net, "rotational_limit_cycle")
    if net.explicit:
        raise ValueError(
            "rotational_limit_cycle needs Gaussian loadings (the polar reduction averages over "
            "an isotropic Gaussian m); for explicit vectors integrate latent_dynamics, which "
            "averages over the given units"
        )
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
