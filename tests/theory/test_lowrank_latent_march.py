"""The low-rank latent DMFT runs on the shared two-time marching core (issue 14)."""

from unittest import mock

import numpy as np
import pytest

import rnmf.theory.lowrank as lr
from rnmf.models import LowRankNetwork
from rnmf.theory.dmft import two_time

_MEANS = (1.1, 2.0, 1.0)
_COV = ((1.0, 0.0, 0.0), (0.0, 0.0, 0.0), (0.0, 0.0, 0.25))
#: values of latent_dynamics before it shared theory.dmft.two_time.march (its own copy of the
#: recursion), T = 4, dt = 0.05, step input -1.5 from t = 1, kappa0 = 1: kappa and the bulk
#: variance at steps 20, 40, 80
_OLD = {
    0.8: ([1.1253446464059709, 0.7207826012185088, -1.3041228756201986],
          [0.15428224536646087, 0.20544590795908715, 0.30526337904548895]),
    1.5: ([1.097778451833028, 0.64867461223287, -1.2457230264084587],
          [0.5378130275302843, 0.7390968886068151, 1.0496172971631403]),
}  # fmt: skip


@pytest.mark.parametrize("g", [0.8, 1.5])
def test_latent_dmft_unchanged_and_uses_shared_march(g):
    net = LowRankNetwork(N=10, g=g, R=1, means=_MEANS, cov=_COV, inputs=(0.0,))
    u = np.zeros((80, 1))
    u[20:, 0] = -1.5
    with mock.patch.object(
        lr.latent, "march", side_effect=two_time.march
    ) as spy:  # the shared core is the one called
        r = lr.latent_dynamics(net, 4.0, dt=0.05, u=u, kappa0=[1.0])
    assert spy.call_count == 1
    k, b = _OLD[g]
    np.testing.assert_allclose(r.kappa[[20, 40, 80], 0], k, rtol=0, atol=1e-10)
    np.testing.assert_allclose(r.bulk_variance[[20, 40, 80]], b, rtol=0, atol=1e-10)


def test_march_uncoupled_closed_form():
    """g = 0: Delta_kl = exp(-(k + l) h) Delta_00 for any row callback."""
    D, C = two_time.march(lambda m, D: np.ones(m + 1), 10, 0.1, 0.0, 2.0)
    k = np.arange(11)
    np.testing.assert_allclose(D, 2.0 * np.exp(-0.1 * (k[:, None] + k[None, :])), rtol=1e-13)
    assert np.all(C[:10, :10] == 1.0)


@pytest.mark.parametrize(("T", "dt"), [(1e300, 0.05), (1e12, 0.05), (2.0, 1e-300)])
def test_latent_refuses_huge_step_counts_up_front(T, dt):
    net = LowRankNetwork(N=10, g=0.8, R=1, means=_MEANS, cov=_COV, inputs=(0.0,))
    with pytest.raises(ValueError, match=r"T / dt"):
        lr.latent_dynamics(net, T, dt=dt)
