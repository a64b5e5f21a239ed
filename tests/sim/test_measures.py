"""Measures on trajectories (rnmf.sim.measures) against direct sums and closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnmf.models import RateNetwork
from rnmf.sim import (
    autocorrelation,
    delta0,
    mean_sem,
    population_stats,
    sample_couplings,
    sample_inputs,
    simulate,
)


def _direct(y, max_lag, subtract):
    """O(T^2) oracle: unbiased autocovariance, averaged over units."""
    y = np.asarray(y, dtype=float)
    m = y.mean() if subtract == "global" else y.mean(axis=0)
    z = y - m
    T = y.shape[0]
    return np.array(
        [np.mean(np.sum(z[: T - k] * z[k:], axis=0) / (T - k)) for k in range(max_lag + 1)]
    )


@pytest.mark.parametrize("subtract", ["global", "unit"])
def test_fft_autocorrelation_equals_direct_sum(subtract):
    rng = np.random.default_rng(0)
    y = rng.standard_normal((97, 4)).cumsum(axis=0) + rng.standard_normal(4)
    lags, D = autocorrelation(y, dt=0.25, max_lag=60 * 0.25, subtract=subtract)
    np.testing.assert_allclose(lags, 0.25 * np.arange(61))
    np.testing.assert_allclose(D, _direct(y, 60, subtract), rtol=1e-10, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    T=st.integers(2, 40),
    n=st.integers(1, 3),
    seed=st.integers(0, 1000),
    subtract=st.sampled_from(["global", "unit"]),
)
def test_hypothesis_fft_equals_direct(T, n, seed, subtract):
    y = np.random.default_rng(seed).standard_normal((T, n))
    _, D = autocorrelation(y, max_lag=T - 1, subtract=subtract)
    np.testing.assert_allclose(D, _direct(y, T - 1, subtract), rtol=1e-9, atol=1e-12)


def test_ou_autocorrelation_closed_form():
    """g = 0, sigma = 1, exact OU scheme: Delta(tau) = (sigma^2/2) exp(-|tau|)
    (stationary OU autocovariance, Gardiner, Handbook of Stochastic Methods, Sec. 3.8.4;
    docs/references.md sec. 1 noise convention)."""
    net = RateNetwork(200, 0.0, sigma_noise=1.0)
    traj = simulate(net, 300.0, dt=0.1, rng=7, method="exp_euler", burn_in=10.0, record_units="all")
    lags, D = autocorrelation(traj, max_lag=3.0, subtract="unit")
    np.testing.assert_allclose(lags[1] - lags[0], 0.1)
    np.testing.assert_allclose(D, 0.5 * np.exp(-lags), atol=0.015)


def test_global_keeps_quenched_variance_unit_removes_it():
    """x_i = I_i + OU: with the grand mean, Delta(inf) = var of the quenched inputs
    (static variance, the Delta_inf != 0 part of SCS 1988); per-unit means remove it."""
    net = RateNetwork(200, 0.0, sigma_I=1.0, sigma_noise=1.0)
    traj = simulate(net, 200.0, dt=0.1, rng=3, method="exp_euler", burn_in=10.0, record_units="all")
    rng = np.random.default_rng(3)
    sample_couplings(net, rng)
    I = sample_inputs(net, rng)
    _, Dg = autocorrelation(traj, max_lag=6.0, subtract="global")
    _, Du = autocorrelation(traj, max_lag=6.0, subtract="unit")
    tail = 0.5 * np.exp(-6.0)
    assert abs(Dg[-1] - (np.var(I) + tail)) < 0.03
    assert abs(Du[-1] - tail) < 0.01
    assert abs(Dg[0] - (np.var(I) + 0.5)) < 0.04


def test_population_stats_equal_direct_moments():
    """The kernel's population moments over all N units equal the moments of the recorded
    full state; var = <x^2> - <x>^2 over units and time."""
    net = RateNetwork(60, 1.8, J0=1.0, I0=0.2, sigma_noise=0.3)
    traj = simulate(net, 5.0, rng=2, record_units="all")
    ps = population_stats(traj)
    x = traj.x
    p = net.phi(x)
    assert ps.mean_x == pytest.approx(x.mean(), rel=1e-12)
    assert ps.var_x == pytest.approx(x.var(), rel=1e-10)
    assert ps.mean_phi == pytest.approx(p.mean(), rel=1e-12)
    assert ps.var_phi == pytest.approx(p.var(), rel=1e-10)
    assert ps.mean_phi2 == pytest.approx(np.mean(p**2), rel=1e-12)
    assert delta0(traj) == ps.var_x
    assert ps.n_times == x.shape[0] and np.isfinite(ps.sem_var_x)
    assert "PopulationStats" in repr(ps)
    # the moments do not depend on which units are recorded
    part = simulate(net, 5.0, rng=2, record_units=3)
    assert population_stats(part).var_x == ps.var_x


def test_mean_sem():
    v = np.array([1.0, 2.0, 4.0, 7.0])
    m, s = mean_sem(v)
    assert m == pytest.approx(3.5)
    assert s == pytest.approx(np.sqrt(np.sum((v - 3.5) ** 2) / 3 / 4))
    m2, s2 = mean_sem(np.stack([v, 2 * v], axis=1))
    np.testing.assert_allclose(m2, [3.5, 7.0])
    np.testing.assert_allclose(s2, [s, 2 * s])
    m1, s1 = mean_sem([5.0])
    assert m1 == 5.0 and np.isnan(s1)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: autocorrelation(np.zeros((10, 2)), max_lag=10), "max_lag"),
        (lambda: autocorrelation(np.zeros((10, 2)), max_lag=-1), "max_lag"),
        (lambda: autocorrelation(np.zeros((10, 2, 2))), "shape"),
        (lambda: autocorrelation(np.zeros((1, 2))), "shape"),
        (lambda: autocorrelation(np.full((10, 2), np.nan)), "NaN"),
        (lambda: autocorrelation(np.zeros((10, 2)), dt=0.0), "dt"),
        (lambda: autocorrelation(np.zeros((10, 2)), subtract="none"), "subtract"),
        (lambda: mean_sem([]), "repetition"),
        (lambda: mean_sem([1.0, np.nan]), "NaN"),
        (lambda: population_stats(np.zeros(3)), "Trajectory"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("axis", [0.5, "0", None, 2, -3, True, [0]])
def test_mean_sem_refuses_an_axis_that_is_not_an_axis_naming_it(axis):
    """Issue 10 fuzz: ``mean_sem(v, axis=0.5)`` raised "tuple indices must be integers"."""
    with pytest.raises(ValueError, match=r"\baxis\b"):
        mean_sem(np.ones((4, 2)), axis=axis)
    m, s = mean_sem(np.arange(8.0).reshape(4, 2), axis=-1)
    assert m.shape == (4,) and s.shape == (4,)


@pytest.mark.parametrize("bad", [[1.0 + 1j, 2.0], [object(), 1.0], ["1", "2"], None])
def test_measures_refuse_values_that_are_not_real_numbers(bad):
    """Complex, objects and numbers written as strings are refused, naming the argument."""
    with pytest.raises((TypeError, ValueError), match=r"\bvalues\b"):
        mean_sem(bad)
    x = np.array([bad, bad], dtype=object).T if bad is not None else None
    with pytest.raises((TypeError, ValueError), match=r"\bx\b"):
        autocorrelation(x)
