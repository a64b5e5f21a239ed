"""Single-neuron laws of the RMF neuron (moments, ISI, CV, Fano, spectrum) and the E-I
phase diagram."""

import numpy as np
import pytest
from scipy import integrate

from rnmf import IntensityNetwork
from rnmf.theory import rmf
from rnmf.theory.rmf.phase import phase_diagram


@pytest.fixture(scope="module")
def e2():
    net = IntensityNetwork.all_to_all(4, 0.5, b=1.0)
    return net, rmf.solve(net)


def test_moment_identities_linear(e2):
    """Generator with f(x) = x: E[X] = beta and E[X^2] = (b - beta)/tau + r beta + sum W beta
    (RMF notes Sec. 3), from the extrapolated stationary density."""
    net, res = e2
    L = rmf.neuron_laws(net, res, 0)
    beta = res.rates[0]
    assert L.mean == pytest.approx(beta, rel=1e-6)
    assert L.second_moment == pytest.approx((1.0 - beta) + 0.0 + 3 * 0.5 * beta, rel=1e-6)
    assert integrate.trapezoid(L.density, L.v) == pytest.approx(1.0, rel=1e-9)


def test_cv_fano_spectrum_survival(e2):
    net, res = e2
    L = rmf.neuron_laws(net, res, 0, t=np.linspace(0, 30, 3001), omega=np.array([1e-3, 1e3]))
    beta = res.rates[0]
    assert L.fano == pytest.approx(L.cv**2)
    assert 0.3 < L.cv < 1.0  # more regular than Poisson: reset + leak
    assert L.survival[0] == pytest.approx(1.0)
    assert np.all(np.diff(L.survival) <= 0)
    assert integrate.trapezoid(L.survival, L.t) == pytest.approx(1 / beta, rel=1e-5)
    # renewal spectrum: -> beta CV^2 at low and -> beta at high frequency
    assert L.spectrum[0] == pytest.approx(beta * L.cv**2, rel=2e-3)
    assert L.spectrum[1] == pytest.approx(beta, rel=2e-3)


def test_poisson_neuron_laws():
    """A source of the feedforward net (b = r = 1, no input) is Poisson: CV = 1,
    S(t) = e^{-t}, flat spectrum = rate."""
    net = IntensityNetwork.feedforward(2, 0.5, source_rate=1.0)
    res = rmf.solve(net)
    L = rmf.neuron_laws(net, res, 0, t=np.array([0.0, 1.0, 2.0]), omega=np.array([0.3, 3.0]))
    assert L.cv == pytest.approx(1.0, rel=1e-6)
    np.testing.assert_allclose(L.survival, np.exp(-np.array([0.0, 1.0, 2.0])), rtol=1e-9)
    np.testing.assert_allclose(L.spectrum, 1.0, rtol=1e-3)


def test_exp_laws_chain_consistency():
    """Exponential intensity: chain-based CV, survival (expm) and the rate agree:
    int S = 1/beta and the spectrum limits hold within the grid error."""
    net = IntensityNetwork.all_to_all(3, 0.4, b=-0.5, r=-1.0, phi="exp")
    res = rmf.solve(net, tol=1e-6)
    L = rmf.neuron_laws(net, res, 0, t=np.linspace(0, 40, 4001), omega=np.array([1e-3, 1e3]))
    beta = res.rates[0]
    assert integrate.trapezoid(L.survival, L.t) == pytest.approx(1 / beta, rel=2e-3)
    assert L.isi_mean == pytest.approx(1 / beta, rel=1e-4)
    assert L.spectrum[0] == pytest.approx(beta * L.cv**2, rel=5e-3)
    assert L.spectrum[1] == pytest.approx(beta, rel=5e-3)


def test_laws_bad_inputs(e2):
    net, res = e2
    with pytest.raises(ValueError, match="neuron must"):
        rmf.neuron_laws(net, res, 9)
    with pytest.raises(ValueError, match="finite non-negative"):
        rmf.neuron_laws(net, np.array([1.0, np.nan, 1.0, 1.0]))
    with pytest.raises(ValueError, match="omega"):
        rmf.neuron_laws(net, res, 0, omega=np.array([-1.0]))


def test_phase_diagram_finds_bistable_point_and_monostable_one():
    """At (w_E, w_I) = (1.5, -0.5) the E-I network has two stable states and a saddle;
    at weak excitation only the low state (RMF; solve() on the network agrees)."""
    pd = phase_diagram([0.8, 1.5], [-0.5], K_E=10, K_I=5, b=-5.0, r=-8.0, beta_max=30.0)
    assert pd.n_solutions.shape == (1, 2)
    assert pd.n_solutions[0, 1] == 3 and pd.n_stable[0, 1] == 2
    assert pd.n_solutions[0, 0] == 1 and pd.n_stable[0, 0] == 1
    stable = pd.rates[0, 1][pd.stable[0, 1]]
    assert stable.min() == pytest.approx(0.00782, rel=2e-2)
    assert stable.max() == pytest.approx(5.63, rel=2e-2)
    assert "multistable points" in repr(pd)
    mf = phase_diagram([1.5], [-0.5], K_E=10, K_I=5, b=-5.0, r=-8.0, beta_max=30.0, limit="mf")
    assert mf.n_solutions.shape == (1, 1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(w_E=[-1.0], w_I=[-0.5]), "w_E"),
        (dict(w_E=[1.0], w_I=[0.5]), "w_I"),
        (dict(w_E=[1.0], w_I=[-0.5], limit="x"), "limit"),
        (dict(w_E=[1.0], w_I=[-0.5], n_scan=2), "n_scan"),
    ],
)
def test_phase_diagram_bad_inputs(kwargs, match):
    with pytest.raises(ValueError, match=match):
        phase_diagram(**kwargs)
