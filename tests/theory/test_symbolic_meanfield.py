"""Mean-field conditions for a user's transfer function (rnmf.theory.symbolic.meanfield),
checked against the numeric DMFT (rnmf.theory.dmft) and the low-rank outliers
(rnmf.theory.lowrank)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from rnmf.models import LowRankNetwork, RateNetwork
from rnmf.theory import dmft
from rnmf.theory.lowrank import connectivity_outliers, linear_stability
from rnmf.theory.symbolic import mean_field_conditions, transfer_from_sympy

x = sp.Symbol("x", real=True)


def test_quiet_state_threshold_for_tanh_and_a_user_function():
    """g_c = 1/|phi'(0)|: 1 for tanh, 1/2 for tanh(2x) (library spec with a gain)."""
    assert (
        sp.simplify(
            mean_field_conditions("tanh")["quiet"].expr - (sp.Symbol("g", real=True) ** 2 - 1)
        )
        == 0
    )
    c = mean_field_conditions("tanh(2)")["quiet"]
    assert c.function(g=0.5) == pytest.approx(0.0)
    with pytest.raises(ValueError, match="numbers"):
        mean_field_conditions("tanh(a)")


def test_no_quiet_state_when_phi0_is_not_zero():
    conds = mean_field_conditions(sp.Lambda(x, 1 / (1 + sp.exp(-x))))
    assert "quiet" not in conds and "chi" in conds


@pytest.mark.parametrize("g, sigma", [(1.5, 0.0), (1.5, 1.0), (0.8, 1.0)])
def test_chi_equals_the_dmft_chi_for_tanh(g, sigma):
    net = RateNetwork(N=100, g=g, sigma_noise=sigma)
    r = dmft.solve(net, lyapunov=False)
    chi = mean_field_conditions("tanh")["chi"].function(g=g, mu=r.mu, Delta0=r.Delta0) + 1
    assert chi == pytest.approx(r.chi, rel=1e-8)


def test_chi_for_a_user_sympy_transfer_function_matches_the_dmft():
    """phi = x / sqrt(1 + x^2) given as sympy: the same function drives the numeric DMFT (through
    transfer_from_sympy) and the derived chi condition."""
    phi = x / sp.sqrt(1 + x**2)
    tr = transfer_from_sympy(phi, name="x/sqrt(1+x^2)")
    assert tr(np.array([1.0]))[0] == pytest.approx(2**-0.5)
    net = RateNetwork(N=100, g=2.5, sigma_noise=0.5, phi=tr)
    r = dmft.solve(net, lyapunov=False)
    chi = mean_field_conditions(phi)["chi"].function(g=2.5, mu=r.mu, Delta0=r.Delta0) + 1
    assert chi == pytest.approx(r.chi, rel=1e-6)


def test_outlier_condition_against_lowrank_outliers():
    """Quiet state of a rank-one tanh network: the Jacobian's outlier is M_m M_n phi'(0)
    (connectivity_outliers gives M_m M_n; linear_stability at kappa = 0 the same)."""
    net = LowRankNetwork.rank_one(N=1000, g=0.5, M_m=1.3, M_n=1.1)
    out, g = connectivity_outliers(net)
    cond = mean_field_conditions("tanh")["outlier"]
    assert cond.function(M_m=1.3, M_n=1.1) + 1 == pytest.approx(out[0].real, rel=1e-12)
    res = linear_stability(net, np.zeros(1), 0.0)
    outliers = np.atleast_1d(res[1])
    assert np.max(outliers.real) == pytest.approx(cond.function(M_m=1.3, M_n=1.1) + 1, rel=1e-8)
    assert "M_{m}" in cond.latex()
