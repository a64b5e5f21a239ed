"""Tests of rnmf.theory.dmft.populations (stationary multi-population DMFT, issue 14)."""

import numpy as np
import pytest

from rnmf.models import Drive, RateNetwork, RatePopulationNetwork
from rnmf.results import ConvergenceError
from rnmf.theory.dmft import solve
from rnmf.theory.dmft.populations import (
    balanced_rates,
    critical_scale,
    solve_populations,
    stability_matrix,
)


@pytest.mark.parametrize("kw", [dict(g=2.0), dict(g=1.5), dict(g=1.2, sigma_noise=0.5)])
def test_one_population_reduces_to_existing_solver(kw):
    """P = 1: Delta0, Delta(tau), mean agree with rnmf.theory.dmft.solve to 1e-10 (SCS 1988)."""
    r = RateNetwork(N=1, **kw)
    ref = solve(r)
    res = solve_populations(RatePopulationNetwork.from_rate_network(r))
    assert res.regime == ref.regime
    assert abs(res.Delta0[0] - ref.Delta0) <= 1e-10 * ref.Delta0
    lags = np.array([0.3, 1.0, 2.0, 5.0])
    np.testing.assert_allclose(
        res.autocorrelation(lags)[:, 0], ref.autocorrelation(lags), atol=1e-7
    )
    # Lyapunov exponent: second-order finite differences of the Schroedinger problem
    assert abs(res.lambda_max - ref.lambda_max) < 5e-4


def test_identical_populations_equal_one_population():
    """Two copies of one population (all g_ab = g) have the one-population solution."""
    g = 1.8
    ref = solve(RateNetwork(N=1, g=g))
    res = solve_populations(
        RatePopulationNetwork(N=100, fractions=(0.3, 0.7), g=np.full((2, 2), g))
    )
    np.testing.assert_allclose(res.Delta0, ref.Delta0, rtol=1e-9)
    assert abs(res.lambda_max - ref.lambda_max) < 5e-4


def test_linear_phi_closed_form():
    """Linear phi below the onset: Delta = (1 - G)^{-1} sigma_I^2 and mu = (1 - Jbar)^{-1} I."""
    net = RatePopulationNetwork(
        N=100, fractions=(0.5, 0.5), g=[[0.5, 0.4], [0.3, 0.6]], J0=[[0.5, -1.0], [0.4, -0.2]],
        phi="linear", I0=(0.3, -0.1), sigma_I=(0.5, 0.2),
    )  # fmt: skip
    res = solve_populations(net)
    Jbar, G, _ = net.block_statistics()
    mu = np.linalg.solve(np.eye(2) - Jbar, [0.3, -0.1])
    D = np.linalg.solve(np.eye(2) - G, np.array([0.25, 0.04]) + G @ mu**2)
    np.testing.assert_allclose(res.mu, mu, rtol=1e-10)
    np.testing.assert_allclose(res.Delta0, D, rtol=1e-10)
    assert res.regime == "static" and res.stable
    np.testing.assert_allclose(res.radius2, max(np.linalg.eigvals(G).real), rtol=1e-12)
    assert abs(res.lambda_max - (np.sqrt(res.radius2) - 1.0)) < 1e-10


def test_chaos_onset_at_largest_eigenvalue():
    """tanh, zero means: the quiet state loses stability at rho(alpha_b g_ab^2) = 1
    (Aljadeff, Stern & Sharpee 2015, eq. 5), and a chaotic state with lambda > 0 appears."""
    g = np.array([[1.2, 2.5], [1.0, 1.5]])
    base = RatePopulationNetwork(N=100, fractions=(0.8, 0.2), g=g)
    _, G, _ = base.block_statistics()
    s_c = critical_scale(base)
    assert abs(s_c - 1 / np.sqrt(max(np.linalg.eigvals(G).real))) < 1e-10
    below = solve_populations(RatePopulationNetwork(N=100, fractions=(0.8, 0.2), g=0.95 * s_c * g))
    assert below.regime == "quiet" and below.lambda_max < 0
    above = solve_populations(RatePopulationNetwork(N=100, fractions=(0.8, 0.2), g=1.5 * s_c * g))
    assert above.regime == "chaotic" and above.lambda_max > 0
    assert np.all(above.Delta0 > 0) and above.Delta0[0] > above.Delta0[1]
    M = stability_matrix(above.model, above.mu, above.Delta0)
    np.testing.assert_allclose(M, above.M)


def test_balanced_rates():
    """van Vreeswijk & Sompolinsky 1998: m = -Jbar^{-1} I; negative rates refused."""
    net = RatePopulationNetwork(
        N=1000, fractions=(0.8, 0.2), connectivity="fixed_indegree", K=[[80, 20], [80, 20]],
        J=[[0.1, -0.6], [0.1, -0.5]], dale=True, phi="relu", I0=(2.0, 1.0),
    )  # fmt: skip
    m = balanced_rates(net)
    Jbar, _, _ = net.block_statistics()
    np.testing.assert_allclose(Jbar @ m + np.array([2.0, 1.0]), 0.0, atol=1e-12)
    with pytest.raises(ValueError, match="negative rates"):
        balanced_rates(RatePopulationNetwork(**{**net.__dict__, "I0": (1.0, 2.0)}))


def test_bad_input():
    with pytest.raises(ValueError, match="RatePopulationNetwork"):
        solve_populations(RateNetwork(N=10, g=1.0))
    net = RatePopulationNetwork(N=10, g=[[1.0]], drive=Drive("sine", amplitude=1.0, frequency=0.1))
    with pytest.raises(ValueError, match="driven"):
        solve_populations(net)
    with pytest.raises(ValueError, match="tol"):
        solve_populations(RatePopulationNetwork(N=10, g=[[1.0]]), tol=0.5)
    with pytest.raises(ValueError, match="explicit"):
        RatePopulationNetwork(N=2, connectivity="explicit", couplings=np.eye(2)).block_statistics()


def test_unbounded_relu_raises():
    """relu with strong excitation has no bounded state: the solver says so (never a value)."""
    net = RatePopulationNetwork(N=100, g=[[0.1]], J0=[[2.0]], phi="relu", I0=1.0)
    with pytest.raises(ConvergenceError):
        solve_populations(net)
    res = solve_populations(net, raise_on_failure=False)
    assert not res.converged and np.all(np.isnan(res.Delta0))


def test_critical_scale_closed_form_and_nonzero_means():
    """Gaussian tanh blocks, J0 = 0: the quiet state loses stability at
    s_c = 1 / sqrt(rho(G)), G_ab = alpha_b g_ab^2 (Aljadeff, Stern & Sharpee 2015); the
    continuation along s (one root search per scale) gives it to 1e-12.  With mean couplings
    and inputs the followed branch gives the value of the four-start search (0.815956603618,
    computed before the continuation was added)."""
    g0 = np.array([[2.0, 1.2], [2.2, 1.0]])
    net = RatePopulationNetwork(N=400, fractions=(0.6, 0.4), g=g0)
    G = g0**2 * np.array([0.6, 0.4])[None, :]
    assert critical_scale(net) == pytest.approx(
        1 / np.sqrt(np.max(np.linalg.eigvals(G).real)), abs=1e-12
    )
    net2 = RatePopulationNetwork(N=400, fractions=(0.6, 0.4), g=g0, J0=[[1.0, -2.0], [1.0, -2.0]],
                                 I0=(0.3, 0.1))  # fmt: skip
    assert critical_scale(net2) == pytest.approx(0.8159566036178719, abs=1e-10)
