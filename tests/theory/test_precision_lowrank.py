"""Quantised low-rank couplings (rnmf.theory.precision.lowrank).

Oracles: the unquantised boundaries of the rank-one phase diagram (docs/references.md
sec. 4: g_C(2.2) = 1.7959, g_BB(2.2) = 2.1358, M&O 2018 Fig. 1); the definitions
g_eff = sqrt(N Var Q(sigma z)) and c = structure gain; the invariance of g_eff/g and c on
a grid that scales with sigma.
"""

from __future__ import annotations

import math

import pytest

from rnmf.models import LowRankNetwork
from rnmf.theory import precision as P


def test_fine_grid_reproduces_unquantised_boundaries():
    r = P.quantized_lowrank_boundaries(2.2, N=1000, step=1e-7, g_max=4.0, n_scan=30)
    assert r.g_chaos_float == pytest.approx(1.7959, abs=1e-4)
    assert r.g_bistable_float == pytest.approx(2.1358, abs=1e-4)
    assert r.g_chaos == pytest.approx(r.g_chaos_float, rel=1e-9)
    assert r.g_bistable == pytest.approx(r.g_bistable_float, rel=1e-9)


def test_relative_grid_scales_the_boundary():
    """bits with a clip in sigma: g_eff/g and c are constants, so g_q = g_crit(c s) / ratio."""
    r = P.quantized_lowrank_boundaries(2.2, N=1000, bits=3, g_max=4.0, n_scan=30)
    c, rho = r.gain_bistable, r.ratio_bistable
    ref = P.quantized_lowrank_boundaries(c * 2.2, N=1000, step=1e-7, g_max=4.0, n_scan=30)
    assert r.g_bistable * rho == pytest.approx(ref.g_bistable_float, rel=1e-7)
    assert r.gain_chaos == pytest.approx(c, rel=1e-9) and r.ratio_chaos == pytest.approx(rho)


def test_stochastic_rounding_moves_both_boundaries_down():
    r = P.quantized_lowrank_boundaries(3.0, N=1000, step=0.25, rounding="stochastic",
                                       g_max=4.0, n_scan=30)  # fmt: skip
    assert r.gain_chaos == pytest.approx(1.0, abs=1e-6)  # SR is unbiased: c = 1
    assert r.g_chaos < 0.5 * r.g_chaos_float and r.g_bistable < 0.5 * r.g_bistable_float


def test_effective_network_and_errors():
    net = LowRankNetwork.rank_one(1000, g=1.5, M_m=1.1, M_n=2.0, S_m=1.0, S_n=0.5, rho=0.2)
    eff, g_eff, c = P.quantized_lowrank_network(net, step=0.125, rounding="nearest")
    s = 1.5 / math.sqrt(1000)
    mom = P.quantized_coupling_moments(s, 0.125, "nearest")
    assert g_eff == pytest.approx(math.sqrt(1000 * mom.var), rel=1e-12) and eff.g == g_eff
    assert c == pytest.approx(P.structure_gain(s, 0.125, "nearest"), rel=1e-12)
    assert eff.means[0][0] == 1.1 and eff.means[0][1] == pytest.approx(2.0 * c)
    assert eff.cov[0][1][1] == pytest.approx(0.25 * c * c)
    assert eff.cov[0][0][1] == pytest.approx(net.cov[0][0][1] * c)
    with pytest.raises(ValueError, match="floor"):
        P.quantized_lowrank_network(net, step=0.1, rounding="floor")
    with pytest.raises(ValueError, match="exactly one"):
        P.quantized_lowrank_boundaries(2.2, N=100, step=0.1, bits=3)
