"""Spectral radius from covariances (Dahmen, Grün, Diesmann & Helias 2019) against the
eigenvalues of the connectivity and the closed-form relations of rnmf.theory.spectra."""

from __future__ import annotations

import numpy as np
import pytest

from rnmf.models import RateNetwork
from rnmf.sim import simulate, spectral_radius_from_covariances, spectral_radius_from_trajectory
from rnmf.theory.spectra import covariance_statistics


@pytest.mark.parametrize("g", [0.3, 0.6, 0.8])
def test_exact_covariances_give_the_bulk_radius(g):
    """C = (1-J)^-1 (1-J)^-T exactly: the estimate equals the bulk radius g up to the
    finite-N fluctuation of the matrix (a few percent at N = 300), and the statistics agree
    with the closed forms (mean auto-covariance 1/(1-g^2))."""
    rng = np.random.default_rng(int(10 * g))
    N = 300
    J = rng.normal(0, g / np.sqrt(N), (N, N))
    B = np.linalg.inv(np.eye(N) - J)
    est = spectral_radius_from_covariances(B @ B.T)
    theory = covariance_statistics(g, N)
    assert est.R == pytest.approx(g, abs=0.03)
    # a = 1/(1-R^2) amplifies the O(g/sqrt(N)) fluctuation of the realised radius by 2R/(1-R^2)
    rel = 4 * (2 * g / (1 - g**2)) * g / np.sqrt(N)
    assert est.mean_auto == pytest.approx(theory["mean_auto"], rel=rel)
    assert est.var_cross == pytest.approx(theory["var_cross"], rel=2.5 * rel)
    # the spectral radius of the sample lies just above the bulk radius
    assert abs(np.abs(np.linalg.eigvals(J)).max() - est.R) < 4 * g * np.sqrt(np.log(N) / N)


def test_closed_form_relations_invert():
    s = covariance_statistics(np.array([0.2, 0.5, 0.9]), 1000, L=0.5)
    assert np.allclose(s["R"], [0.2, 0.5, 0.9])
    assert np.allclose(s["mean_cross"] * 1000 / s["mean_auto"], 1 / 0.25 - 1)


@pytest.mark.parametrize("g, window, T", [(0.5, 25.0, 3000.0), (0.8, 60.0, 6000.0)])
def test_estimate_from_a_noise_driven_linear_network(g, window, T):
    """Linear rate network with white noise (RateNetwork, phi linear): the estimate from window
    integrals agrees with the bulk radius g within 4 jackknife errors plus the O(g/sqrt(N))
    network-to-network spread of the realised radius."""
    N = 200
    rng = np.random.default_rng(3)
    J = rng.normal(0, g / np.sqrt(N), (N, N))
    net = RateNetwork(N=N, g=g, phi="linear", sigma_noise=1.0)
    tr = simulate(net, T, dt=0.1, rng=1, J=J, burn_in=50, record_units="all", record_every=2)
    est = spectral_radius_from_trajectory(tr, window=window)
    assert np.isfinite(est.R_err) and est.R_err > 0
    assert abs(est.R - g) < 4 * est.R_err + g / np.sqrt(N)


@pytest.mark.parametrize(
    "C, message",
    [
        (np.ones(3), "square"),
        (np.array([[1.0, 0.5], [0.2, 1.0]]), "symmetric"),
        (np.array([[1.0, np.nan], [np.nan, 1.0]]), "NaN"),
        (np.array([[0.0, 0.0], [0.0, 1.0]]), "positive auto"),
    ],
)
def test_bad_covariances(C, message):
    with pytest.raises(ValueError, match=message):
        spectral_radius_from_covariances(C)


def test_trajectory_too_short_for_the_window():
    net = RateNetwork(N=20, g=0.5, phi="linear", sigma_noise=1.0)
    tr = simulate(net, 100, dt=0.1, rng=0, record_units="all")
    with pytest.raises(ValueError, match="windows"):
        spectral_radius_from_trajectory(tr, window=20.0)
