"""IntensityNetwork: index convention, constructors and every rejected input."""

import numpy as np
import pytest

from rnmf import IntensityNetwork
from rnmf.models import IntensityNetwork as FromModels


def test_exported_from_hub_and_models():
    assert IntensityNetwork is FromModels


def test_index_convention_W_source_row_target_column():
    """W[j, i] is the jump of neuron i caused by a spike of neuron j: a feedforward
    network built with sources in rows has its target in the last column."""
    net = IntensityNetwork.feedforward(3, 0.7)
    assert net.W.shape == (4, 4)
    np.testing.assert_array_equal(net.W[:3, 3], 0.7)  # sources (rows) -> target (column)
    assert np.all(net.W[3, :] == 0.0)  # the target projects nowhere
    assert "W[j, i]" in IntensityNetwork.__doc__ and "jump of neuron i" in IntensityNetwork.__doc__


def test_all_to_all_matches_E2():
    net = IntensityNetwork.all_to_all(4, 0.5, b=1.0, tau=1.0, r=0.0)
    expected = np.full((4, 4), 0.5) - 0.5 * np.eye(4)
    np.testing.assert_array_equal(net.W, expected)
    assert net.N == 4 and net.phi_kind == "linear"
    np.testing.assert_array_equal(net.b, 1.0)


def test_per_neuron_parameters_and_readonly():
    net = IntensityNetwork(W=np.zeros((3, 3)), b=[1.0, 2.0, 3.0], tau=[1.0, 2.0, np.inf])
    np.testing.assert_array_equal(net.b, [1, 2, 3])
    assert not net.W.flags.writeable and not net.b.flags.writeable
    assert np.isinf(net.tau[2])


def test_ei_fixed_indegree_counts():
    net = IntensityNetwork.ei(8, 4, w_E=0.4, w_I=-1.0, K_E=3, K_I=2, rng=1, phi="exp")
    W = net.W
    assert np.all((W[:8] > 0).sum(axis=0) == 3)  # 3 excitatory inputs per neuron
    assert np.all((W[8:] < 0).sum(axis=0) == 2)
    assert np.all(np.diag(W) == 0)
    assert set(np.unique(W[:8])) <= {0.0, 0.4} and set(np.unique(W[8:])) <= {0.0, -1.0}


def test_ei_erdos_renyi_reproducible():
    a = IntensityNetwork.ei(30, 10, w_E=0.2, w_I=-0.5, p=0.3, rng=7, phi="exp")
    b = IntensityNetwork.ei(30, 10, w_E=0.2, w_I=-0.5, p=0.3, rng=7, phi="exp")
    np.testing.assert_array_equal(a.W, b.W)
    frac = np.count_nonzero(a.W) / (40 * 39)
    assert 0.2 < frac < 0.4


def test_rate_bound_is_positive_root():
    net = IntensityNetwork.all_to_all(4, 0.5, b=1.0)
    B = net.rate_bound()
    c1 = 0.0 - 1.0 + 1.5
    c0 = 1.0
    assert B == pytest.approx((c1 + np.sqrt(c1 * c1 + 4 * c0)) / 2)


def test_callable_phi_accepted_and_used():
    net = IntensityNetwork(W=np.zeros((2, 2)), phi=lambda x: np.log1p(np.exp(x)))
    np.testing.assert_allclose(net.intensity([0.0]), [np.log(2.0)])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(W=np.zeros((2, 3))), "square"),
        (dict(W=np.array([[0.0, np.nan], [0.0, 0.0]])), "NaN or infinite"),
        (dict(W=np.array([[0.0, np.inf], [0.0, 0.0]])), "NaN or infinite"),
        (dict(W=np.array([[0.0, -0.1], [0.0, 0.0]])), "W must be >= 0 with phi='linear'"),
        (dict(W=np.zeros((2, 2)), b=-1.0), "b must be >= 0"),
        (dict(W=np.zeros((2, 2)), r=[0.0, -0.5]), "r must be >= 0"),
        (dict(W=np.zeros((2, 2)), ext_weight=-1.0, ext_rate=1.0), "ext_weight must be >= 0"),
        (dict(W=np.zeros((2, 2)), tau=0.0), "tau must be > 0"),
        (dict(W=np.zeros((2, 2)), tau=[1.0, -2.0]), "tau must be > 0"),
        (dict(W=np.zeros((2, 2)), b=[1.0, 2.0, 3.0]), "one entry per neuron"),
        (dict(W=np.zeros((2, 2)), b=np.nan), "NaN"),
        (dict(W=np.eye(2)), "zero diagonal"),
        (dict(W=np.zeros((2, 2)), phi="tanh"), "phi must be"),
        (dict(W=np.zeros((2, 2)), phi=lambda x: -np.ones_like(x)), "non-negative"),
        (dict(W=np.zeros((2, 2)), phi=lambda x: np.exp(-x)), "non-decreasing"),
        (dict(W=np.zeros((2, 2)), phi=lambda x: 1.0), "vectorised"),
        (dict(W=np.zeros((2, 2)), phi="exp", lam0=0.0), "lam0 must be > 0"),
        (dict(W=np.zeros((2, 2)), ext_rate=-1.0), "ext_rate must be >= 0"),
        (dict(W=np.zeros((2, 2)), reset="yes"), "reset must be"),
    ],
)
def test_bad_inputs_raise_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        IntensityNetwork(**kwargs)


def test_divergent_linear_network_rejected_before_simulation():
    """Without reset a linear network is a Hawkes process; spectral radius of
    diag(tau) W^T >= 1 means the rates diverge (Hawkes 1971, eq. 9)."""
    W = np.full((3, 3), 0.6) - 0.6 * np.eye(3)  # radius 1.2
    with pytest.raises(ValueError, match=r"spectral radius 1\.2 >= 1.*diverge"):
        IntensityNetwork(W=W, b=1.0, reset=False)
    ok = IntensityNetwork(W=W / 2, b=1.0, reset=False)  # radius 0.6: fine
    assert ok.spectral_radius() == pytest.approx(0.6)
    IntensityNetwork(W=W, b=1.0)  # with reset the same weights are fine (rates bounded)


def test_describe_names_the_model():
    net = IntensityNetwork.all_to_all(4, 0.5, b=1.0, name="E2")
    text = net.describe()
    assert "E2" in text and "N=4" in text and "linear" in text
