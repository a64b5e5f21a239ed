"""Radial eigenvalue density of random matrices with block-structured variances
(rnmf.theory.spectra): E/I columns with different variances (Rajan & Abbott 2006) and a
three-population block matrix (Aljadeff, Stern & Sharpee 2015), against sampled matrices at
several N by the Kolmogorov-Smirnov distance of the eigenvalue radii.

Tolerance: 1.36/sqrt(N), the 5% Kolmogorov value for N independent radii (eigenvalues repel,
so the sampled distance is usually well below it); the distance must shrink with N, and the
uniform disc of the same radius (the circular law) must fit far worse at the largest N -- the
check has the power to see the non-uniform density.  Independent oracles for the formula:
the circular law (one population), the closed-form quadratic for column variances against the
general block iteration, and the normalisation of the density.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnmf.theory import spectra

SIZES = (150, 300, 600)
ALPHA = np.array([0.5, 0.3, 0.2])
G3 = np.array([[0.5, 1.0, 0.2], [1.2, 0.3, 0.8], [0.4, 1.5, 0.6]])


def test_one_population_is_the_circular_law():
    r = np.linspace(0.0, 1.3, 14)
    np.testing.assert_allclose(spectra.block_radial_cdf([1.0], [[1.3]], r), (r / 1.3) ** 2,
                               atol=1e-10)  # fmt: skip


def test_column_variances_quadratic_equals_the_block_iteration():
    f, sE, sI = 0.8, 0.5, 1.8
    sp = spectra.excitatory_inhibitory(f, sE, sI)
    r = np.linspace(0.0, sp.radius, 41)
    G = np.array([[sE, sI], [sE, sI]])
    block = spectra.block_radial_cdf([f, 1 - f], G, r)
    np.testing.assert_allclose(sp.radial_cdf(r / sp.radius), block, atol=1e-9)
    assert block[0] == 0.0 and block[-1] == 1.0 and np.all(np.diff(block) > 0)
    # the density integrates to one over the disc
    rr = np.linspace(0.0, sp.radius, 4001)
    dens = sp.radial_density(rr)
    assert np.trapezoid(2 * np.pi * rr * dens, rr) == pytest.approx(1.0, abs=2e-3)
    assert sp.radial_density(np.array([1.01 * sp.radius]))[0] == 0.0


def test_rajan_abbott_radial_density_against_sampled_matrices():
    """f = 0.8, sigma_E = 0.5, sigma_I = 1.8 (Rajan & Abbott 2006 use unequal variances of this
    kind): the density is peaked at the centre (F(r) above (r/R)^2)."""
    rng = np.random.default_rng(11)
    f, sE, sI = 0.8, 0.5, 1.8
    ks, ks_uniform = [], []
    for N in SIZES:
        NE = int(f * N)
        sig = np.r_[np.full(NE, sE), np.full(N - NE, sI)]
        e = np.linalg.eigvals(rng.normal(0.0, 1.0 / np.sqrt(N), (N, N)) * sig)
        sp = spectra.excitatory_inhibitory(f, sE, sI, N=N)
        ks.append(spectra.ks_distance(e, sp))
        ks_uniform.append(spectra.ks_distance(e, spectra.circular(sp.radius, N=N)))
        assert ks[-1] < 1.36 / np.sqrt(N)
    assert ks[-1] < ks[0]
    assert ks_uniform[-1] > 3 * 1.36 / np.sqrt(SIZES[-1])  # the uniform disc is rejected
    assert sp.radial_cdf(0.5) > 0.25


def test_three_population_block_density_against_sampled_matrices():
    rng = np.random.default_rng(12)
    ks, ks_uniform = [], []
    sp = spectra.block_variances(ALPHA, G3)  # its CDF table is built once
    assert not sp.uniform
    for N in SIZES:
        lab = np.repeat(np.arange(3), np.round(ALPHA * N).astype(int))
        J = rng.normal(0.0, 1.0 / np.sqrt(lab.size), (lab.size, lab.size)) * G3[lab][:, lab]
        e = np.linalg.eigvals(J)
        ks.append(spectra.ks_distance(e, sp))
        ks_uniform.append(spectra.ks_distance(e, spectra.circular(sp.radius)))
        assert ks[-1] < 1.36 / np.sqrt(N)
    assert ks[-1] < ks[0]
    assert ks_uniform[-1] > 3 * ks[-1]  # the uniform disc fits far worse
    # the tabulated CDF the spectrum carries agrees with the direct solution
    r = np.linspace(0.0, sp.radius, 23)
    np.testing.assert_allclose(sp.cdf(r), spectra.block_radial_cdf(ALPHA, G3, r), atol=1e-4)


def test_ensembles_without_a_density_still_say_so():
    sp = spectra.sparse_fixed_indegree(400, 100, 40, 10, 0.1, 2.0)
    with pytest.raises(ValueError, match="not uniform"):
        sp.radial_cdf(0.5)
    with pytest.raises(ValueError, match="ellipse"):
        spectra.elliptic(1.0, 0.5).radial_density(0.1)
