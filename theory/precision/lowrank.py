r"""Low-rank networks with quantised couplings: effective network and phase boundaries.

The stored coupling of a rank-one network is :math:`J_{ij} = g\chi_{ij} + m_in_j/N` with
:math:`\chi_{ij} \sim N(0, 1/N)` (Mastrogiuseppe & Ostojic 2018, Neuron 99:609, eq. 1,
hereafter M&O), quantised entry by entry: :math:`Q(J_{ij})`.  Given the loadings, an entry
is Gaussian with a small mean :math:`\mu_{ij} = m_in_j/N` (O(1/N)) and standard deviation
:math:`\sigma = g/\sqrt N`, so

.. math:: Q(J_{ij}) = c\,\mu_{ij} + \big[Q(J_{ij}) - c\,\mu_{ij}\big],\qquad
          c = \frac{d}{d\mu}E\,Q(\mu + \sigma z)\Big|_{\mu = 0}

(:func:`~rnmf.theory.precision.structure_gain`, Stein's lemma).  The bracket has zero
mean up to :math:`O(\mu^2)`, is independent between entries given the loadings, and has
variance :math:`\mathrm{Var}\,Q(\sigma z) + O(\mu^2)` (the shrunk or widened random part
plus the rounding noise, :func:`~rnmf.theory.precision.quantized_coupling_moments`).
The quantised network is therefore, to leading order in 1/N, the rank-one network with

.. math:: g \to g_{\rm eff} = \sqrt{N\,\mathrm{Var}\,Q(\sigma z)},\qquad
          n \to c\,n \quad(M_mM_n \to c\,M_mM_n),

and its phase boundaries (M&O Fig. 1 and STAR Methods) move accordingly: the bistable
boundary solves :math:`g_{\rm eff}(g) = g_{BB}(c(g)\,M_mM_n)` and the chaotic one
:math:`g_{\rm eff}(g) = g_C(c(g)\,M_mM_n)`, with the conditions of
:func:`rnmf.theory.lowrank.critical_g_bistable_chaos` (:math:`s\langle\phi'\rangle = 1` in
the chaotic kappa = 0 state) and :func:`rnmf.theory.lowrank.critical_g_chaos` (bulk radius
1 of the heterogeneous static state), evaluated here at (g_eff, c s).  For a grid that scales with sigma
(``bits`` with a clip in units of sigma) g_eff/g and c are constants; for a fixed step q
both depend on g and the boundary is found by root search.  Floor rounding shifts every
coupling by about -q/2, a uniform rank-one term outside the rank-one theory: it raises.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from rnmf._checks import check_choice, check_finite, check_int, check_positive
from rnmf.models import LowRankNetwork
from rnmf.results import Result

from ._common import ROUNDINGS
from .couplings import quantized_coupling_moments, step_for_bits, structure_gain

__all__ = [
    "QuantizedLowRankBoundaries",
    "quantized_lowrank_boundaries",
    "quantized_lowrank_network",
]


def _geff_gain(
    g: float, N: int, step: float | None, bits: int | None, clip: float, rounding: str
) -> tuple[float, float]:
    sigma = g / math.sqrt(N)
    M = None
    if bits is not None:
        step, M = step_for_bits(sigma, bits, clip=clip)
    if step < 1e-4 * sigma:  # below the bin sums' range: g_eff = g (1 + O(q^2/sigma^2)), c = 1
        return g * math.sqrt(1.0 + (step / sigma) ** 2 / 6.0), 1.0
    mom = quantized_coupling_moments(sigma, step, rounding, max_level=M)
    c = structure_gain(sigma, step, rounding, max_level=M)
    return math.sqrt(max(mom.var, 0.0) * N), float(c)


def _check_mode(rounding: str, step: float | None, bits: int | None) -> None:
    check_choice("rounding", rounding, ROUNDINGS)
    if rounding == "floor":
        raise ValueError(
            "rounding='floor' shifts every coupling by about -q/2: a uniform rank-one term "
            "that the rank-one theory does not contain; use nearest, zero or stochastic"
        )
    if (step is None) == (bits is None):
        raise ValueError("give exactly one of step (grid step of the couplings) or bits")


def quantized_lowrank_network(
    net: LowRankNetwork,
    *,
    step: float | None = None,
    bits: int | None = None,
    clip: float = 3.0,
    rounding: str = "nearest",
) -> tuple[LowRankNetwork, float, float]:
    r"""The unquantised network that the quantised ``net`` behaves like (module docstring).

    Returns ``(effective network, g_eff, c)``: ``g -> g_eff`` and every ``n`` scaled by
    the structure gain c (means, covariances with n, or explicit vectors).  Pass the
    network to :func:`rnmf.theory.lowrank.solve`.
    """
    if not isinstance(net, LowRankNetwork):
        raise ValueError(f"net must be a LowRankNetwork, got {type(net).__name__}")
    _check_mode(rounding, step, bits)
    if net.g <= 0:
        raise ValueError("net.g = 0: the structure alone is not quantised by this theory")
    g_eff, c = _geff_gain(net.g, net.N, step, bits, clip, rounding)
    R = net.R
    if net.n is not None:
        eff = dataclasses.replace(net, g=g_eff, n=np.asarray(net.n) * c)
        return eff, g_eff, c
    d = np.ones(len(net.means[0]))
    d[R : 2 * R] = c  # entries (m_1..m_R, n_1..n_R, I_1..I_K)
    means = tuple(tuple(float(v) for v in np.asarray(mu) * d) for mu in net.means)
    cov = tuple(
        tuple(tuple(float(v) for v in row) for row in np.asarray(C) * np.outer(d, d))
        for C in net.cov
    )
    return dataclasses.replace(net, g=g_eff, means=means, cov=cov), g_eff, c


@dataclass(frozen=True, kw_only=True, repr=False)
class QuantizedLowRankBoundaries(Result):
    """Rank-one phase boundaries in g for quantised couplings.

    Attributes
    ----------
    strength : float
        Structure strength :math:`M_mM_n` before quantisation.
    g_bistable, g_chaos : float
        g at the bistable-chaos boundary (chaotic kappa != 0 for g below it) and at the
        static-to-chaos boundary of the heterogeneous state; NaN where the quantised
        structure is too weak (:math:`c\\,M_mM_n\\phi'(0) \\le 1`) or no root lies below
        ``g_max``.
    g_bistable_float, g_chaos_float : float
        The same boundaries without quantisation.
    ratio_bistable, gain_bistable, ratio_chaos, gain_chaos : float
        :math:`g_{\\rm eff}/g` and c at each quantised boundary.
    """

    strength: float
    g_bistable: float
    g_chaos: float
    g_bistable_float: float
    g_chaos_float: float
    ratio_bistable: float = math.nan
    gain_bistable: float = math.nan
    ratio_chaos: float = math.nan
    gain_chaos: float = math.nan


def quantized_lowrank_boundaries(
    strength: float,
    *,
    N: int,
    step: float | None = None,
    bits: int | None = None,
    clip: float = 3.0,
    rounding: str = "nearest",
    M_m: float = 1.1,
    S_m: float = 1.0,
    phi: str = "tanh",
    g_max: float = 10.0,
    n_scan: int = 60,
) -> QuantizedLowRankBoundaries:
    r"""Bistable and chaotic boundaries of a rank-one network with quantised couplings.

    Solves :math:`g_{\rm eff}(g) = g_{BB}(c(g)\,s)` and :math:`g_{\rm eff}(g) = g_C(c(g)\,s)`
    (module docstring) by a scan over g in ``(0, g_max]`` and Brent refinement.

    Parameters
    ----------
    strength : float
        :math:`s = M_mM_n` (> 0).
    N : int
        Network size (sets :math:`\sigma = g/\sqrt N` against the step).
    step, bits, clip, rounding
        Fixed grid step q, or a symmetric ``bits``-bit grid clipping at ``clip`` sigma;
        rounding nearest, zero or stochastic.
    M_m, S_m, phi, g_max
        As :func:`rnmf.theory.lowrank.critical_g_chaos`.
    n_scan : int
        Points of the scan in g (a root between two points of equal sign is missed).
    """
    from rnmf.transfer import as_transfer

    from ..lowrank.phase import _avg, _het_stable, _het_static, _scs_variance

    s = check_positive("strength", strength)
    _check_mode(rounding, step, bits)
    g_max = check_positive("g_max", check_finite("g_max", g_max))
    M_m, S_m = check_finite("M_m", M_m), check_positive("S_m", S_m)
    tr = as_transfer(phi, field_name="phi")
    w = S_m / M_m
    n_scan = check_int("n_scan", n_scan, minimum=4)

    def dphi_chaos(ge: np.ndarray) -> np.ndarray:
        # <phi'> in the chaotic kappa = 0 state at g_eff (SCS 1988 variance); 1 below g = 1
        ge = np.atleast_1d(np.asarray(ge, dtype=float))
        out = np.ones(ge.size)
        hot = ge > 1.0 + 1e-6
        if np.any(hot):
            D = _scs_variance(tr, ge[hot])
            out[hot] = _avg(tr, 0.0, D, ("dphi",), None)["dphi"]
        return out

    def bulk(ge: np.ndarray, sc: np.ndarray) -> np.ndarray:
        # bulk radius of the heterogeneous static state minus 1 (M&O STAR Methods)
        ge, sc = np.atleast_1d(ge).astype(float), np.atleast_1d(sc).astype(float)
        mu, D0, ex = _het_static(tr, ge, sc, w, None)
        out = np.full(ge.size, np.nan)
        if np.any(ex):
            b, _ = _het_stable(tr, ge[ex], sc[ex], w, M_m, mu[ex], D0[ex], None)
            out[ex] = b - 1.0
        return out

    def F(g: np.ndarray, which: str, quantized: bool = True) -> np.ndarray:
        g = np.atleast_1d(np.asarray(g, dtype=float))
        if quantized:
            pairs = [_geff_gain(float(x), N, step, bits, clip, rounding) for x in g]
            ge = np.array([p[0] for p in pairs])
            c = np.array([p[1] for p in pairs])
        else:
            ge, c = g, np.ones(g.size)
        if which == "bb":  # chaotic kappa != 0 exists while c s <phi'> > 1
            return c * s * dphi_chaos(ge) - 1.0
        return bulk(ge, c * s)

    out = {}
    grid = np.linspace(0.05, g_max, n_scan)
    for which in ("bb", "c"):
        for quantized in (True, False):
            vals = F(grid, which, quantized)
            root = math.nan
            ok = np.isfinite(vals)
            idx = np.nonzero(ok[:-1] & ok[1:] & (np.sign(vals[:-1]) != np.sign(vals[1:])))[0]
            if idx.size:
                k = int(idx[0])
                root = optimize.brentq(
                    lambda x, wh=which, qu=quantized: float(F(np.array([x]), wh, qu)[0]),
                    grid[k], grid[k + 1], xtol=1e-9,
                )  # fmt: skip
            out[(which, quantized)] = root
    res = {}
    for which, name in (("bb", "bistable"), ("c", "chaos")):
        if math.isfinite(out[(which, True)]):
            ge, c = _geff_gain(out[(which, True)], N, step, bits, clip, rounding)
            res[f"ratio_{name}"], res[f"gain_{name}"] = ge / out[(which, True)], c
    return QuantizedLowRankBoundaries(
        model=None,
        method=f"g_eff(g) = g_crit(c(g) s), {rounding}",
        options={"N": N, "step": step, "bits": bits, "clip": clip, "M_m": M_m, "S_m": S_m},
        strength=s,
        g_bistable=out[("bb", True)],
        g_chaos=out[("c", True)],
        g_bistable_float=out[("bb", False)],
        g_chaos_float=out[("c", False)],
        **res,
    )
