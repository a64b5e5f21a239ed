"""Tests of rnmf.theory.dmft.ei_threshold_linear (E-I threshold-linear, fixed in-degree; issue 14)."""

import numpy as np
import pytest

from rnmf.results import ConvergenceError, Status
from rnmf.theory.dmft.ei_threshold_linear import (
    critical_coupling,
    ei_network,
    relu_moments,
    runaway,
    solve_ei,
)
from rnmf.theory.gaussian import expect


def test_relu_moments_against_quadrature():
    for mu, D, th in [(0.3, 0.7, 0.0), (-1.0, 2.0, 0.5), (2.0, 0.01, 1.0), (0.4, 0.0, 0.2)]:
        m1, m2, d2 = relu_moments(mu, D, th)
        f1, f2, f3 = _relu_fns(th)
        assert abs(m1 - expect(f1, mu, D, kink=th)) < 1e-10
        assert abs(m2 - expect(f2, mu, D, kink=th)) < 1e-10
        assert abs(d2 - expect(f3, mu, D, kink=th)) < 1e-8


def _relu_fns(th):
    return (
        lambda x: np.maximum(x - th, 0.0),
        lambda x: np.maximum(x - th, 0.0) ** 2,
        lambda x: (x > th) * 1.0,
    )


@pytest.mark.parametrize("C, g", [(100, 4.0), (400, 4.0), (100, 6.0), (400, 6.0)])
def test_critical_coupling_closed_form(C, g):
    """Homogeneous active state (I > theta): J_c = 1/sqrt(C (1 + g^2 gamma)) in the sparse limit,
    with the factors 1 - C_b/N_b at finite N; scales as 1/sqrt(C) and decreases with g."""
    Jc = critical_coupling(C, g, gamma=0.25, I0=1.0, theta=0.5)
    assert abs(Jc - 1 / np.sqrt(C * (1 + g**2 * 0.25))) < 1e-12
    N = 4000
    JcN = critical_coupling(C, g, gamma=0.25, I0=1.0, theta=0.5, N=N)
    cE, cI = 1 - C / (0.8 * N), 1 - 0.25 * C / (0.2 * N)
    assert abs(JcN - 1 / np.sqrt(C * (cE + g**2 * 0.25 * cI))) < 1e-12


def test_silent_state_has_no_onset():
    with pytest.raises(ConvergenceError, match="silent state"):
        critical_coupling(100, 5.0, I0=1.0, theta=1.5)


def test_regimes_across_the_onset():
    Jc = critical_coupling(100, 5.0, N=1000)
    below = solve_ei(ei_network(1000, 100, 5.0, 0.8 * Jc))
    assert below.regime == "quiet" and below.radius2 < 1 and below.lambda_max < 0
    above = solve_ei(ei_network(1000, 100, 5.0, 1.5 * Jc))
    assert above.regime == "chaotic" and above.lambda_max > 0 and np.all(above.Delta0 > 0)
    np.testing.assert_allclose(above.Delta0[0], above.Delta0[1], rtol=1e-8)  # identical rows


def test_runaway_flagged_unbounded():
    """Strong coupling without saturation: the activity runs away; never a finite answer."""
    net = ei_network(1000, 100, 5.0, 3.0 * critical_coupling(100, 5.0))
    assert runaway(net)
    with pytest.raises(ConvergenceError, match="runs away"):
        solve_ei(net)
    res = solve_ei(net, raise_on_failure=False)
    assert (
        res.status is Status.UNBOUNDED
        and res.regime == "unbounded"
        and np.all(np.isinf(res.Delta0))
    )
    assert not runaway(ei_network(1000, 100, 5.0, 0.5 * critical_coupling(100, 5.0)))
