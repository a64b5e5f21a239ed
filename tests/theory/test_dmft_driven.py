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


# --- chaotic state below A_c and the state the network runs in (issue 14) ------------------
from rnmf.theory.dmft.driven import chaotic_state, critical_amplitude, solve_driven  # noqa: E402


def test_chaotic_state_entrained_above_Ac():
    """Above A_c the long-domain iteration from a peaked guess ends on the entrained
    (T-periodic) solution, and its lambda_max is the periodic state's band bottom."""
    net = RatePopulationNetwork(N=1, g=[[1.5]], drive=Drive("sine", amplitude=6.0, frequency=0.5))
    kw = dict(n_theta=12, n_gh=16)
    c = chaotic_state(net, length=16.0, **kw)
    p = periodic_state(net, **kw)
    assert c.regime == "entrained" and p.lambda_max < 0
    # 16 against 32 lags per period (both spectral): equal to 1e-6
    assert abs(c.Delta0 - p.Delta0) < 1e-6
    assert abs(c.lambda_max - p.lambda_max) < 1e-5
    assert solve_driven(net, **kw).regime == "entrained"


@pytest.mark.slow
def test_chaotic_state_below_Ac_is_not_the_unstable_orbit():
    """g = 1.5, f = 0.5, A = 1 < A_c = 3.305: the entrained orbit is unstable (lambda 0.0550,
    its growth rate) and the chaotic state has the smaller exponent 0.0383 (the rows that
    compared 0.055 with a simulated attractor compared different objects).  Domain 64 and
    128 tau agree to 2e-6 in lambda."""
    net = RatePopulationNetwork(N=1, g=[[1.5]], drive=Drive("sine", amplitude=1.0, frequency=0.5))
    p = periodic_state(net, n_theta=12, n_gh=16)
    c = chaotic_state(net, length=64.0, h=0.2)
    assert "UNSTABLE" in repr(p)
    # 0.05495 with the default 16 phase x 20 Gauss-Hermite nodes, 0.05475 with 12 x 16
    assert p.lambda_max == pytest.approx(0.05495, abs=5e-4)
    assert c.regime == "chaotic" and c.converged
    assert c.lambda_max == pytest.approx(0.03830, abs=2e-4)
    assert c.Delta0 == pytest.approx(0.69550, abs=1e-4)


@pytest.mark.slow
def test_chaotic_state_reduces_to_the_undriven_dmft():
    """A -> 0: Delta0 and lambda_max of the stationary SCS solution (0.747686, 0.046746;
    rnmf.theory.dmft.solve) within the Gauss-Hermite error of n_gh = 16 for tanh."""
    g = 1.5
    ref = solve(RateNetwork(N=1000, g=g))
    # a slow drive (the amplitude is negligible) lets a coarse spectral grid cover 200 tau
    net = RatePopulationNetwork(N=1, g=[[g]], drive=Drive("sine", amplitude=1e-8, frequency=0.05))
    c = chaotic_state(net, length=200.0, h=0.4)
    assert c.Delta0 == pytest.approx(ref.Delta0, abs=1e-4)
    assert c.lambda_max == pytest.approx(ref.lambda_max, abs=1e-3)


def test_low_frequency_period_resolution():
    """The entrained state converges spectrally in the lags per period: at f = 0.02 (period
    50 tau) n = 64 and 128 give lambda_max equal to 1e-7 (n = 500 gave the same to 1e-8)."""
    net = RatePopulationNetwork(N=1, g=[[1.5]], drive=Drive("sine", amplitude=0.5, frequency=0.02))
    a = periodic_state(net, n=64, n_theta=12, n_gh=16)
    b = periodic_state(net, n=128, n_theta=12, n_gh=16)
    assert abs(a.lambda_max - b.lambda_max) < 1e-7 and abs(a.Delta0 - b.Delta0) < 1e-7


@pytest.mark.slow
def test_critical_amplitude_non_monotone_in_frequency():
    """g = 1.5: A_c(f) has a minimum at an intermediate frequency (RAS 2010, abstract and
    Fig. 3: a "resonant" frequency): A_c(0.005) = 0.512 > A_c(0.02) = 0.439 < A_c(0.05) = 0.512
    (values of the full-resolution run, n = T / 0.1)."""
    base = RatePopulationNetwork(N=1, g=[[1.5]])
    kw = dict(n_theta=12, n_gh=16, xtol=1e-4)
    a = [critical_amplitude(base, f, bracket=(0.2, 4.0), **kw) for f in (0.005, 0.02, 0.05)]
    assert a[1] < a[0] - 0.05 and a[1] < a[2] - 0.05
    assert a[1] == pytest.approx(0.4386, abs=3e-3)


def test_transient_checks_the_drive_callable():
    """A callable drive that returns the wrong shape or NaN is refused with a clear error."""
    wrong = RatePopulationNetwork(
        N=1, g=[[0.5]], drive=Drive("callable", func=lambda t: np.zeros(2))
    )
    with pytest.raises(ValueError, match=r"shape \(1,\)"):
        transient(wrong, 1.0, h=0.1)
    nan = RatePopulationNetwork(
        N=1, g=[[0.5]], drive=Drive("callable", func=lambda t: np.array([np.nan]))
    )
    with pytest.raises(ValueError, match="non-finite"):
        transient(nan, 1.0, h=0.1)
