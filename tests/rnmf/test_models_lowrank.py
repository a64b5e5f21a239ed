"""LowRankNetwork constructors reject bad input with messages that name the argument
(issue 10, section 2: ``rank_one(M_m='1')`` accepted, complex loadings silently cast,
vectors of shape (R, N) taken for (N, R)); each case was accepted by the pre-issue code."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from rnmf.models import LowRankNetwork

E2 = np.eye(2)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: LowRankNetwork.rank_one(N=10, M_m="1"), "M_m"),
        (lambda: LowRankNetwork.rank_one(N=10, M_n="1"), "M_n"),
        (lambda: LowRankNetwork.rank_one(N=10, M_m=True), "M_m"),
        (lambda: LowRankNetwork.rank_one(N=10, S_m="2"), "S_m"),
        (lambda: LowRankNetwork.rank_one(N=10, M_m=1 + 1j), "M_m"),
        (lambda: LowRankNetwork(N=10, means=["1", "0"], cov=E2), "means"),
        (lambda: LowRankNetwork(N=10, means=[1, 0], cov=[["1", 0], [0, 1]]), "cov"),
        (lambda: LowRankNetwork(N=10, means=[1, 0], cov=E2 * (1 + 1j)), "cov.*complex"),
        (lambda: LowRankNetwork(N=10, means=[1 + 2j, 0], cov=E2), "means.*complex"),
        (lambda: LowRankNetwork(N=10, means=[[1, 0], [1]], cov=E2), "means"),
        (lambda: LowRankNetwork(N=10, means=[1, None], cov=E2), "means"),
        (lambda: LowRankNetwork(N=10, means=[1, 0, 1], cov=np.eye(3), inputs=["1"]), "inputs"),
        (
            lambda: LowRankNetwork(N=10, means=[[1, 0], [0, 1]], cov=E2, weights=["a", "b"]),
            "weights",
        ),
        (lambda: LowRankNetwork(N=1, R=2, means=np.zeros(4), cov=np.eye(4)), "R = 2 exceeds N"),
        (lambda: LowRankNetwork(N=10, means=[1, 0], cov=E2, name=3), "name"),
        # found by tests/test_fuzz.py: S_m ** 2 raised OverflowError; a (2, 3) means against a
        # 2 x 2 cov named only cov
        (lambda: LowRankNetwork.rank_one(N=10, S_m=1e300), "S_m = 1e.300 exceeds"),
        (lambda: LowRankNetwork.rank_one(N=10, S_n=1e300), "S_n = 1e.300 exceeds"),
        (lambda: LowRankNetwork(N=10, means=np.ones((2, 3)), cov=E2, weights=(1, 1)), "means"),
    ],
)
def test_gaussian_constructors_reject(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize(
    "call, match",
    [
        # complex loadings: refused, not cast (the old code dropped the imaginary part)
        (lambda: LowRankNetwork.from_vectors(np.ones(10) * (1 + 1j), np.ones(10)), "complex"),
        (lambda: LowRankNetwork.from_vectors(np.ones(10), np.ones(10) * 1j), "n is complex"),
        # (R, N) for (N, R) with R > N: caught (the old code built N = 3 units of rank 10)
        (lambda: LowRankNetwork.from_vectors(np.ones((3, 10)), np.ones((3, 10))), "transposed"),
        (lambda: LowRankNetwork(N=10, m=np.ones((2, 10)), n=np.ones((2, 10))), r"m\.T"),
        (lambda: LowRankNetwork(N=3, m=np.ones((3, 5)), n=np.ones((3, 5))), "transposed"),
        (lambda: LowRankNetwork.from_vectors(np.ones(10, bool), np.ones(10)), "booleans"),
        (lambda: LowRankNetwork.from_vectors(["1"] * 10, np.ones(10)), "strings"),
        (lambda: LowRankNetwork.from_vectors(1.0, 1.0), "shape"),
        (lambda: LowRankNetwork.from_vectors(np.ones(10), np.ones(10), N=5), "N = 5"),
        (lambda: LowRankNetwork(N=10, R=2, m=np.ones(10), n=np.ones(10)), "R = 2"),
        (
            lambda: LowRankNetwork(N=4, m=np.ones(4), n=np.ones(4), input_vectors=np.ones((4, 6))),
            "input_vectors",
        ),
        (lambda: LowRankNetwork(N=4, m=np.ones(4), n=np.ones(4), means=(1, 1)), "not both"),
        # entries whose sample covariance overflows (was: inf in cov with a RuntimeWarning)
        (
            lambda: LowRankNetwork.from_vectors(np.array([1e300, -1e300]), np.ones(2)),
            r"LowRankNetwork.m has entries up to 1e\+300",
        ),
        # m of 2 units against n of 50: the old message spoke of n only ("n has 50 rows")
        (
            lambda: LowRankNetwork.from_vectors([1.0, 2.0], np.ones(50)),
            r"m and n must have the same number of rows.*m has shape \(2,\)",
        ),
    ],
)
def test_explicit_constructors_reject(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_square_vectors_are_accepted_and_replace_works():
    """(N, R) with R <= N is fine; dataclasses.replace of an explicit network keeps its
    vectors (it failed before: the stored sample statistics were refused)."""
    rng = np.random.default_rng(0)
    m, n = rng.standard_normal((4, 4)), rng.standard_normal((4, 4))
    net = LowRankNetwork.from_vectors(m, n, g=0.1)
    assert net.R == 4 and net.N == 4
    net2 = replace(net, g=0.5)
    assert net2.g == 0.5
    np.testing.assert_array_equal(net2.m, m)
    assert replace(net) == net and hash(replace(net)) == hash(net)


def test_numeric_types_accepted():
    """Integers, numpy scalars and integer arrays are real numbers and are accepted."""
    net = LowRankNetwork.rank_one(N=10, M_m=np.float32(1.0), M_n=2, S_m=np.int64(1))
    assert net.means == ((1.0, 2.0),)
    net = LowRankNetwork.from_vectors(np.array([1, -1, 1, -1]), np.array([2, 2, 2, 2]))
    assert net.m.dtype == np.float64
