"""Tests of rnmf.sim.spike_measures against closed forms for synthetic spike trains.

Closed forms (Cox & Lewis 1966, *The Statistical Analysis of Series of Events*;
Dayan & Abbott 2001, Sec. 1.4): a Poisson process has CV = 1, Fano factor 1 and a
flat spectrum equal to its rate (a population of n: rate / n); a gamma process of
shape k has CV = 1/sqrt(k) and a long-window Fano factor CV^2; periodic trains have
CV = 0; identical trains have Golomb's chi = 1, independent ones chi ~ 1/sqrt(n)
(Golomb 2007, Scholarpedia 2:1347).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnmf.sim.spike_measures import (
    binned_rate,
    cv_isi,
    fano_factor,
    mean_rate,
    power_spectrum,
    synchrony,
)


def poisson_trains(n, rate, T, rng):
    """Independent homogeneous Poisson trains (rate Hz, T ms)."""
    counts = rng.poisson(rate * T * 1e-3, size=n)
    senders = np.repeat(np.arange(n), counts)
    times = rng.uniform(0.0, T, size=counts.sum())
    return senders, times


def gamma_trains(n, rate, k, T, rng):
    """Renewal trains with gamma(k) intervals of mean 1000/rate ms."""
    m = int(rate * T * 1e-3 * 1.5 + 50)
    isi = rng.gamma(k, 1000.0 / (rate * k), size=(n, m))
    t = np.cumsum(isi, axis=1)
    s = np.broadcast_to(np.arange(n)[:, None], t.shape)
    keep = t <= T
    return s[keep], t[keep]


def regular_trains(n, period, T, rng):
    phase = rng.uniform(0, period, size=n)
    k = int(T / period) + 1
    t = phase[:, None] + period * np.arange(k)[None, :]
    s = np.broadcast_to(np.arange(n)[:, None], t.shape)
    keep = (t > 0) & (t <= T)
    return s[keep], t[keep]


def modulated_trains(n, r0, m, f0, T, rng):
    """Inhomogeneous Poisson r(t) = r0 (1 + m sin 2 pi f0 t) by thinning (Lewis & Shedler 1979)."""
    s, t = poisson_trains(n, r0 * (1 + m), T, rng)
    keep = rng.uniform(size=t.size) < (1 + m * np.sin(2 * np.pi * f0 * t * 1e-3)) / (1 + m)
    return s[keep], t[keep]


RNG = np.random.default_rng(20260101)
N, RATE, T = 200, 20.0, 50_000.0
POIS = poisson_trains(N, RATE, T, RNG)


def test_mean_rate_poisson():
    got = mean_rate(*POIS, N, t_stop=T)
    assert abs(got - RATE) < 4 * math.sqrt(RATE / (N * T * 1e-3))
    # a slice of neurons and a time window
    got2 = mean_rate(*POIS, (50, 150), t_start=1000.0, t_stop=11_000.0)
    assert abs(got2 - RATE) < 4 * math.sqrt(RATE / (100 * 10.0))


def test_cv_poisson_gamma_regular():
    """CV = 1 (Poisson), 1/sqrt(k) (gamma of shape k), 0 (periodic)."""
    assert cv_isi(*POIS, N) == pytest.approx(1.0, abs=0.02)
    g = gamma_trains(100, 20.0, 4.0, 50_000.0, np.random.default_rng(1))
    assert cv_isi(*g, 100) == pytest.approx(0.5, abs=0.015)
    r = regular_trains(50, 25.0, 2000.0, np.random.default_rng(2))
    assert cv_isi(*r, 50) == pytest.approx(0.0, abs=1e-9)
    per = cv_isi(*r, 60, per_neuron=True)
    assert per.shape == (60,) and np.all(np.isnan(per[50:]))


def test_cv_requires_min_spikes():
    s = np.array([0, 0, 1, 1, 1, 1, 1])
    t = np.array([1.0, 5.0, 1.0, 2.0, 4.0, 5.0, 9.0])
    isi = np.diff(t[2:])
    assert cv_isi(s, t, 2) == pytest.approx(isi.std() / isi.mean())
    assert math.isnan(cv_isi(s, t, 2, min_spikes=6))


def test_fano_poisson_and_regular():
    """Fano = 1 (Poisson, any window); 0 for periodic trains with window = period multiple;
    CV^2 = 1/k for a gamma(k) renewal process in long windows."""
    assert fano_factor(*POIS, N, window=100.0, t_stop=T) == pytest.approx(1.0, abs=0.03)
    r = regular_trains(50, 25.0, 2000.0, np.random.default_rng(2))
    assert fano_factor(*r, 50, window=100.0, t_stop=2000.0) == pytest.approx(0.0, abs=1e-12)
    g = gamma_trains(100, 20.0, 4.0, 50_000.0, np.random.default_rng(3))
    assert fano_factor(*g, 100, window=1000.0, t_stop=50_000.0) == pytest.approx(0.25, rel=0.12)


def test_spectrum_flat_for_poisson():
    """Population of n Poisson neurons: S(f) = rate / n at all f (two-sided density)."""
    n = 100
    s, t = poisson_trains(n, RATE, 100_000.0, np.random.default_rng(4))
    r = binned_rate(s, t, n, bin_ms=1.0, t_stop=100_000.0)
    assert r.mean() == pytest.approx(RATE, rel=0.01)
    f, S = power_spectrum(r, 1.0, nperseg=1000)
    assert f[-1] == pytest.approx(500.0)
    assert f[1] == pytest.approx(1.0)
    level = RATE / n
    band = f > 5
    assert S[band].mean() == pytest.approx(level, rel=0.02)
    # each Welch estimate is chi^2 with ~2*segments dof: spread ~ 1/sqrt(100)
    assert np.all(np.abs(S[band] / level - 1.0) < 0.6)


def test_spectrum_peak_at_modulation_frequency():
    """A sinusoidally modulated rate at f0 = 40 Hz peaks at 40 Hz (resolution 1 Hz)."""
    s, t = modulated_trains(100, 20.0, 0.5, 40.0, 20_000.0, np.random.default_rng(5))
    r = binned_rate(s, t, 100, bin_ms=1.0, t_stop=20_000.0)
    f, S = power_spectrum(r, 1.0, nperseg=1000)
    assert f[np.argmax(S[1:]) + 1] == pytest.approx(40.0)
    # the peak carries the sinusoid's power (r0 m)^2 / 4 per side times the Hann
    # window's equivalent-noise bandwidth 1.5 bins; above the noise floor r0 / n
    assert S[40] > 20 * (20.0 / 100)


def test_synchrony_identical_vs_independent():
    """chi = 1 for identical trains, ~ 1/sqrt(n) for independent ones."""
    n = 100
    base_t = np.sort(np.random.default_rng(6).uniform(0, 10_000.0, size=200))
    s = np.repeat(np.arange(n), base_t.size)
    t = np.tile(base_t, n)
    assert synchrony(s, t, n, bin_ms=5.0, t_stop=10_000.0) == pytest.approx(1.0, abs=1e-12)
    si, ti = poisson_trains(n, 20.0, 10_000.0, np.random.default_rng(7))
    chi = synchrony(si, ti, n, bin_ms=5.0, t_stop=10_000.0)
    assert chi == pytest.approx(1 / math.sqrt(n), rel=0.1)


@settings(max_examples=25, deadline=None)
@given(
    shift=st.floats(-1e3, 1e3, allow_nan=False),
    scale=st.floats(0.1, 10.0, allow_nan=False),
    seed=st.integers(0, 2**16),
)
def test_cv_invariant_under_shift_and_scale(shift, scale, seed):
    """CV is dimensionless: invariant under t -> scale t + shift."""
    s, t = gamma_trains(5, 20.0, 2.0, 2000.0, np.random.default_rng(seed))
    a = cv_isi(s, t, 5, per_neuron=True)
    b = cv_isi(s, scale * t + shift, 5, per_neuron=True)
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: mean_rate([0, 1], [1.0], 2, t_stop=10.0), "shape"),
        (lambda: mean_rate([0, 1], [1.0, np.nan], 2, t_stop=10.0), "NaN"),
        (lambda: mean_rate([0.5], [1.0], 2, t_stop=10.0), "integer"),
        (lambda: mean_rate([0], [1.0], 0, t_stop=10.0), "neurons"),
        (lambda: mean_rate([0], [1.0], np.array([]), t_stop=10.0), "neurons"),
        (lambda: mean_rate([0], [1.0], 2, t_start=5.0, t_stop=5.0), "t_stop"),
        (lambda: cv_isi([0], [1.0], 2, min_spikes=1), "min_spikes"),
        (lambda: fano_factor([0], [1.0], 2, window=20.0, t_stop=30.0), "fewer than 2"),
        (lambda: fano_factor([0], [1.0], 2, window=-1.0, t_stop=30.0), "window"),
        (lambda: power_spectrum(np.ones(4), 1.0), "at least 8"),
        (lambda: power_spectrum(np.ones(100), 1.0, nperseg=200), "nperseg"),
        (lambda: power_spectrum(np.ones(100), 0.0), "bin_ms"),
        (lambda: synchrony([0], [1.0], 2, bin_ms=0.0, t_stop=30.0), "window"),
        (lambda: binned_rate([0], [1.0], 2, bin_ms=50.0, t_stop=30.0), "longer"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
