"""Sampling of couplings and inputs (rnmf.sim.connectivity)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnmf.models import RateNetwork
from rnmf.sim import sample_couplings, sample_inputs


def test_couplings_are_the_documented_transform_of_the_stream():
    """J = J0/N + g/sqrt(N) z with z the first N*N normals of the stream (row-major),
    then I = I0 + sigma_I eta with the next N normals (documented draw order)."""
    net = RateNetwork(7, 1.3, J0=0.4, I0=0.2, sigma_I=0.6)
    rng = np.random.default_rng(11)
    J = sample_couplings(net, rng)
    I = sample_inputs(net, rng)
    z = np.random.default_rng(11).standard_normal(7 * 7 + 7)
    np.testing.assert_allclose(J, 0.4 / 7 + 1.3 / np.sqrt(7) * z[:49].reshape(7, 7), rtol=1e-15)
    np.testing.assert_allclose(I, 0.2 + 0.6 * z[49:], rtol=1e-15)


def test_coupling_statistics():
    """Mean J0/N and variance g^2/N (SCS 1988, PRL 61:259, below eq. 1), within 5 standard errors."""
    N, g, J0 = 300, 1.7, 2.5
    J = sample_couplings(RateNetwork(N, g, J0=J0), 3)
    se_mean = g / np.sqrt(N) / N
    assert abs(J.mean() - J0 / N) < 5 * se_mean
    var = J.var()
    assert abs(var / (g**2 / N) - 1.0) < 5 * np.sqrt(2.0) / N
    assert J.shape == (N, N) and J.flags.c_contiguous


def test_input_statistics():
    """I_i = I0 + sigma_I eta_i: sample mean and std within 5 standard errors."""
    N = 4000
    I = sample_inputs(RateNetwork(N, 1.0, I0=-0.3, sigma_I=0.8), 5)
    assert abs(I.mean() + 0.3) < 5 * 0.8 / np.sqrt(N)
    assert abs(I.std() / 0.8 - 1.0) < 5 / np.sqrt(2 * N)


def test_float32_is_rounded_float64():
    net = RateNetwork(20, 2.0, J0=1.0)
    J64 = sample_couplings(net, 9)
    J32 = sample_couplings(net, 9, dtype=np.float32)
    assert J32.dtype == np.float32
    np.testing.assert_array_equal(J32, J64.astype(np.float32))


def test_seed_reproducibility():
    net = RateNetwork(15, 1.0)
    np.testing.assert_array_equal(sample_couplings(net, 4), sample_couplings(net, 4))
    assert not np.array_equal(sample_couplings(net, 4), sample_couplings(net, 5))


@settings(max_examples=25, deadline=None)
@given(
    N=st.integers(1, 25),
    g=st.floats(0.0, 10.0),
    J0=st.floats(-5.0, 5.0),
    seed=st.integers(0, 2**31),
)
def test_shapes_and_finiteness(N, g, J0, seed):
    net = RateNetwork(N, g, J0=J0)
    J = sample_couplings(net, seed)
    I = sample_inputs(net, seed)
    assert J.shape == (N, N) and I.shape == (N,)
    assert np.all(np.isfinite(J)) and np.all(np.isfinite(I))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: sample_couplings("net", 1), "RateNetwork"),
        (lambda: sample_couplings(RateNetwork(3, 1.0), 1, dtype=np.float16), "float64 or float32"),
        (lambda: sample_inputs(RateNetwork(3, 1.0), 1, dtype=np.int64), "float64 or float32"),
        (lambda: sample_couplings(RateNetwork(3, 1.0), -1), "seed"),
        (lambda: sample_couplings(RateNetwork(3, 1.0), 1.5), "rng"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("dtype", [float("nan"), 1, "1", True, [np.float64], object(), "int32"])
def test_dtype_that_is_not_float64_or_float32_is_refused_naming_dtype(dtype):
    """Issue 10 fuzz: ``dtype=nan`` gave numpy's "Cannot interpret 'nan' as a data type"."""
    with pytest.raises((TypeError, ValueError), match="dtype must be float64 or float32"):
        sample_couplings(RateNetwork(5, 1.0), 0, dtype=dtype)
    assert sample_couplings(RateNetwork(5, 1.0), 0, dtype="float32").dtype == np.float32
