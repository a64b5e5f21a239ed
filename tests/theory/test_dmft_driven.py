"""Tests of rnmf.theory.dmft.driven (sinusoidally driven network, suppression of chaos; issue 14)."""

import numpy as np
import pytest

from rnmf.models import Drive, RatePopulationNetwork
from rnmf.theory.dmft.driven import periodic_state


def test_linear_phi_closed_form():
    """Linear phi, g < 1: Delta(tau) = g^2 a^2 cos(w tau) / (2 (1 + w^2 - g^2)), a = A/sqrt(1+w^2),
    and lambda_max = g - 1 (Hill operator with constant q = 1)."""
    g, A, f = 0.6, 1.0, 0.3
    net = RatePopulationNetwork(
        N=1, g=[[g]], phi="linear", drive=Drive("sine", amplitude=A, frequency=f)
    )
    r = periodic_state(net)
    w = 2 * np.pi * f
    a2 = A**2 / (1 + w**2)
    np.testing.assert_allclose(
        r.Delta, g**2 * a2 / 2 * np.cos(w * r.tau) / (1 + w**2 - g**2), atol=1e-9
    )
    assert abs(r.lambda_max - (g - 1)) < 1e-10


def test_strong_drive_suppresses_chaos():
    """g = 1.5, f = 0.5: lambda_max of the entrained state decreases with the amplitude and
    changes sign (Rajan, Abbott & Sompolinsky 2010, Fig. 3: A_c(f = 0.5) ~ 3.3 here)."""
    lams = []
    for A in (1.0, 6.0):
        net = RatePopulationNetwork(N=1, g=[[1.5]], drive=Drive("sine", amplitude=A, frequency=0.5))
        lams.append(periodic_state(net, n=32, n_theta=12, n_gh=16, tol=1e-8).lambda_max)
    assert lams[0] > 0 > lams[1]


def test_grid_convergence():
    """The periodic solution converges spectrally in the grid: n = 32 and 64 agree to 1e-6."""
    net = RatePopulationNetwork(N=1, g=[[1.5]], drive=Drive("sine", amplitude=4.0, frequency=0.5))
    a = periodic_state(net, n=32, n_theta=12, n_gh=16, tol=1e-10)
    b = periodic_state(net, n=64, n_theta=12, n_gh=16, tol=1e-10)
    assert abs(a.Delta0 - b.Delta0) < 1e-6 and abs(a.lambda_max - b.lambda_max) < 1e-5


def test_bad_input():
    with pytest.raises(ValueError, match="Drive"):
        periodic_state(RatePopulationNetwork(N=1, g=[[1.5]]))
    two = RatePopulationNetwork(N=10, fractions=(0.5, 0.5), g=np.ones((2, 2)),
                                drive=Drive("sine", amplitude=1.0, frequency=0.1))  # fmt: skip
    with pytest.raises(ValueError, match="one population"):
        periodic_state(two)
    with pytest.raises(ValueError, match="n"):
        periodic_state(
            RatePopulationNetwork(
                N=1, g=[[1.5]], drive=Drive("sine", amplitude=1.0, frequency=0.1)
            ),
            n=4,
        )


# --- two-time DMFT (rnmf.theory.dmft.two_time) --------------------------------------------
from rnmf.models import RateNetwork  # noqa: E402
from rnmf.theory.dmft import solve  # noqa: E402
from rnmf.theory.dmft.two_time import bivariate_average, transient  # noqa: E402


def test_two_time_uncoupled_closed_form():
    """g = 0: C(t, s) = exp(-t - s) Delta_init and mu follows the step exactly."""
    net = RatePopulationNetwork(N=1, g=[[0.0]], drive=Drive("step", times=(1.0,), levels=(0.5,)))
    r = transient(net, 3.0, h=0.1, Delta_init=2.0)
    np.testing.assert_allclose(r.C, 2.0 * np.exp(-(r.t[:, None] + r.t[None, :])), rtol=1e-12)
    expect_mu = np.where(r.t <= 1.0 + 1e-12, 0.0, 0.5 * (1 - np.exp(-(r.t - 1.0))))
    np.testing.assert_allclose(r.mu[r.t > 1.05], expect_mu[r.t > 1.05], atol=1e-12)


def test_two_time_measured_convergence_order():
    """Explicit exponential Euler in h: measured order 1 (successive differences halve)."""
    net = RatePopulationNetwork(N=1, g=[[0.8]], drive=Drive("step", times=(1.0,), levels=(0.5,)))
    vals = [transient(net, 3.0, h=h).C[-1, -1] for h in (0.1, 0.05, 0.025, 0.0125)]
    d = np.diff(vals)
    order = np.log2(d[:-1] / d[1:])
    assert np.all((order > 0.85) & (order < 1.15)), order


def test_two_time_relaxes_to_the_stationary_chaotic_state():
    """From x(0) ~ N(0, 1), g = 1.5: C(t, t) approaches the stationary Delta0 (SCS 1988)."""
    r = transient(RatePopulationNetwork(N=1, g=[[1.5]]), 30.0, h=0.05)
    ref = solve(RateNetwork(N=1, g=1.5)).Delta0
    assert abs(r.C[-1, -1] - ref) < 0.02 * ref  # O(h) bias of the scheme


def test_bivariate_average_independent_and_equal():
    """Gauss-Hermite product rule: about 2e-5 at the default order 24 (below the O(h) error of
    the scheme), converging with the order."""
    from rnmf.theory.gaussian import expect

    ref = expect(np.tanh, 0.3, 1.0) * expect(np.tanh, -0.2, 2.0)
    assert abs(bivariate_average(np.tanh, np.tanh, 0.3, -0.2, 1.0, 2.0, 0.0) - ref) < 5e-5
    assert abs(bivariate_average(np.tanh, np.tanh, 0.3, -0.2, 1.0, 2.0, 0.0, n=80) - ref) < 1e-8
    # fully correlated: <tanh(x)^2>
    same = bivariate_average(np.tanh, np.tanh, 0.3, 0.3, 1.0, 1.0, 1.0, n=80)
    assert abs(same - expect(lambda x: np.tanh(x) ** 2, 0.3, 1.0)) < 1e-8


def test_two_time_bad_input():
    with pytest.raises(ValueError, match="h"):
        transient(RatePopulationNetwork(N=1, g=[[1.0]]), 1.0, h=0.0)
    with pytest.raises(ValueError, match="sine"):
        transient(
            RatePopulationNetwork(
                N=1, g=[[1.0]], drive=Drive("sine", amplitude=1.0, frequency=0.1)
            ),
            1.0,
        )
