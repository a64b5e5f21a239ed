"""Random-matrix spectra (rnmf.theory.spectra) against sampled matrices at several N.

Tolerances: the spectral radius of a sampled matrix exceeds the bulk radius by
O(sqrt(log N / N)) (Rider 2003), the fraction of eigenvalues outside the bulk and the
Kolmogorov-Smirnov distance of the radial distribution are O(1/sqrt(N)); each test checks the
error against C/sqrt(N) (C stated) and that it shrinks from the smaller to the larger N.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnmf.models import LowRankNetwork
from rnmf.theory import spectra

SIZES = (100, 400)


def _iid(rng, N, g=1.0):
    return rng.normal(0.0, g / np.sqrt(N), (N, N))


def test_circular_law_radius_fraction_outside_and_radial_ks():
    rng = np.random.default_rng(0)
    errs = []
    for N in SIZES:
        e = np.linalg.eigvals(_iid(rng, N, 1.3))
        sp = spectra.circular(1.3, N=N)
        assert abs(np.abs(e).max() - 1.3) < 3 * sp.edge_width
        assert spectra.fraction_outside(e, sp) < 1.0 / np.sqrt(N)
        ks = spectra.ks_distance(e, sp)
        assert ks < 1.36 / np.sqrt(N)  # the 5% Kolmogorov bound for N independent radii
        errs.append(ks)
    assert errs[1] < errs[0]


def test_real_eigenvalue_count_of_ginibre_matrices():
    """Edelman, Kostlan & Shub 1994: E[#real] = sqrt(2N/pi) + 1/2 + O(N^-1/2); the count has
    a standard deviation of order N^(1/4) (about 3 at N = 200): 20 matrices, 4 sem."""
    rng = np.random.default_rng(1)
    N = 200
    counts = [np.sum(np.abs(np.linalg.eigvals(_iid(rng, N)).imag) < 1e-10) for _ in range(20)]
    sem = np.std(counts, ddof=1) / np.sqrt(len(counts))
    assert abs(np.mean(counts) - spectra.expected_real_eigenvalues(N)) < 4 * sem + 0.5


def test_elliptic_law():
    rng = np.random.default_rng(2)
    tau = 0.5
    errs = []
    for N in SIZES:
        A, B = rng.normal(size=(N, N)), rng.normal(size=(N, N))
        S, K = (A + A.T) / np.sqrt(2), (B - B.T) / np.sqrt(2)
        J = (np.sqrt((1 + tau) / 2) * S + np.sqrt((1 - tau) / 2) * K) / np.sqrt(N)
        e = np.linalg.eigvals(J)
        sp = spectra.elliptic(1.0, tau, N=N)
        assert sp.semi_axes == (1.5, 0.5)
        assert abs(e.real.max() - 1.5) < 3 * sp.edge_width
        errs.append(spectra.ks_distance(e, sp))
        assert errs[-1] < 1.36 / np.sqrt(N)
        assert spectra.fraction_outside(e, sp) < 1.0 / np.sqrt(N)
    assert errs[1] < errs[0]


def test_rajan_abbott_radius_with_balanced_rows():
    """Rajan & Abbott 2006: f = 0.8, sigma_E = 0.5, sigma_I = 1.8, random part of each row
    summing to zero: all eigenvalues within the disc of radius sqrt(f sE^2 + (1-f) sI^2)
    (up to the edge width)."""
    rng = np.random.default_rng(3)
    f, sE, sI = 0.8, 0.5, 1.8
    out = []
    for N in SIZES:
        NE = int(f * N)
        sig = np.r_[np.full(NE, sE), np.full(N - NE, sI)]
        Z = _iid(rng, N) * sig
        Z -= Z.mean(axis=1, keepdims=True)
        e = np.linalg.eigvals(Z)
        sp = spectra.excitatory_inhibitory(f, sE, sI, N=N)
        assert sp.radius == pytest.approx(np.sqrt(f * sE**2 + (1 - f) * sI**2))
        assert abs(np.abs(e).max() - sp.radius) < 4 * sp.edge_width
        out.append(spectra.fraction_outside(e, sp))
        assert out[-1] < 2.0 / np.sqrt(N)
    # the density is not uniform; its radial CDF is predicted (tests/theory/test_spectra_density.py)
    assert spectra.ks_distance(e, sp) < 1.36 / np.sqrt(N)


def test_mean_coupling_outlier_converges():
    """Unbalanced means mu_E = 3, mu_I = -2 (times 1/N), f = 0.8: outlier 0.8*3 - 0.2*2 = 2;
    the sampled outlier approaches it with an O(radius/sqrt(N)) error."""
    rng = np.random.default_rng(4)
    f, sE, sI = 0.8, 0.5, 1.8
    errs = []
    for N in SIZES:
        NE = int(f * N)
        sig = np.r_[np.full(NE, sE), np.full(N - NE, sI)]
        mean = np.r_[np.full(NE, 3.0), np.full(N - NE, -2.0)] / N
        e = np.linalg.eigvals(_iid(rng, N) * sig + mean[None, :])
        sp = spectra.excitatory_inhibitory(f, sE, sI, mean_E=3.0, mean_I=-2.0, N=N)
        assert sp.outliers.size == 1 and sp.outliers[0] == pytest.approx(2.0)
        top = e[np.argmax(e.real)]
        errs.append(abs(top - 2.0))
        assert errs[-1] < 3 * sp.radius / np.sqrt(N)
    assert min(errs) < 0.1


def test_block_variances_largest_eigenvalue_formula():
    rng = np.random.default_rng(5)
    alpha = np.array([0.5, 0.3, 0.2])
    G = np.array([[0.5, 1.0, 0.2], [1.2, 0.3, 0.8], [0.4, 1.5, 0.6]])
    sp = spectra.block_variances(alpha, G)
    M = alpha[None, :] * G**2
    assert sp.radius == pytest.approx(np.sqrt(np.max(np.linalg.eigvals(M).real)))
    for N in SIZES:
        sizes = np.round(alpha * N).astype(int)
        lab = np.repeat(np.arange(3), sizes)
        J = _iid(rng, lab.size) * G[lab][:, lab]
        e = np.linalg.eigvals(J)
        assert abs(np.abs(e).max() - sp.radius) < 4 * sp.radius * np.sqrt(np.log(N) / N)


def test_sparse_fixed_indegree_outlier_is_exact_and_bulk_radius():
    rng = np.random.default_rng(6)
    NE, NI, KE, KI, J, g = 400, 100, 40, 10, 0.1, 2.0
    W = np.zeros((NE + NI, NE + NI))
    for i in range(NE + NI):
        W[i, rng.choice(NE, KE, replace=False)] = J
        W[i, NE + rng.choice(NI, KI, replace=False)] = -g * J
    e = np.linalg.eigvals(W)
    sp = spectra.sparse_fixed_indegree(NE, NI, KE, KI, J, g)
    lam = sp.outliers[0]
    assert np.min(np.abs(e - lam)) < 1e-9  # J (K_E - g K_I) = 2, exact
    bulk = np.delete(e, np.argmin(np.abs(e - lam)))
    assert abs(np.abs(bulk).max() - sp.radius) < 4 * sp.edge_width


def test_low_rank_outliers_reuse_connectivity_outliers():
    rng = np.random.default_rng(7)
    N = 400
    net = LowRankNetwork.rank_one(N=N, g=0.8, M_m=1.5, M_n=1.2, S_m=1.0).sampled(rng)
    chi = rng.normal(0, 1 / np.sqrt(N), (N, N))
    sp = spectra.low_rank(net, chi=chi)
    J = net.g * chi + np.outer(net.m[:, 0], net.n[:, 0]) / N
    e = np.linalg.eigvals(J)
    assert sp.radius == pytest.approx(0.8)
    assert np.min(np.abs(e - sp.outliers[0])) < 1e-6


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: spectra.elliptic(1.0, 1.5), "tau"),
        (lambda: spectra.excitatory_inhibitory(1.2, 1, 1), "fraction"),
        (lambda: spectra.block_variances([0.5, 0.6], np.ones((2, 2))), "summing to 1"),
        (lambda: spectra.circular(-1.0), "g"),
        (lambda: spectra.sparse_fixed_indegree(10, 10, 20, 1, 0.1, 1.0), "K_E"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
