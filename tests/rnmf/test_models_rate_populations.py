"""Tests of rnmf.models.rate_populations: RatePopulationNetwork and Drive (issue 14)."""

import numpy as np
import pytest

from rnmf.models import Drive, RateNetwork, RatePopulationNetwork


def ei(**kw):
    base = dict(
        N=1000, fractions=(0.8, 0.2), connectivity="fixed_indegree",
        K=[[80, 20], [80, 20]], J=[[0.1, -0.5], [0.1, -0.5]], dale=True, phi="relu",
    )  # fmt: skip
    base.update(kw)
    return RatePopulationNetwork(**base)


def test_sizes_and_slices():
    net = RatePopulationNetwork(N=10, fractions=(0.35, 0.35, 0.3), g=np.ones((3, 3)))
    assert net.sizes.sum() == 10 and net.sizes.tolist() == [4, 3, 3]
    assert net.slices == [(0, 4), (4, 7), (7, 10)]
    assert net.population.tolist() == [0] * 4 + [1] * 3 + [2] * 3


def test_block_statistics_gaussian_and_fixed_indegree():
    net = RatePopulationNetwork(
        N=100, fractions=(0.8, 0.2), g=[[1, 2], [3, 4]], J0=[[1, -1], [1, -1]]
    )
    Jbar, G, centered = net.block_statistics()
    np.testing.assert_allclose(G, [[0.8, 0.8], [7.2, 3.2]])
    np.testing.assert_allclose(Jbar, [[0.8, -0.2], [0.8, -0.2]])
    assert not centered
    Jbar, G, centered = ei().block_statistics()
    np.testing.assert_allclose(Jbar, [[8.0, -10.0], [8.0, -10.0]])
    np.testing.assert_allclose(G, [[80 * 0.01 * (1 - 80 / 800), 20 * 0.25 * (1 - 20 / 200)]] * 2)
    assert centered


def test_one_population_round_trip():
    """The converter keeps every field: RateNetwork -> population network -> RateNetwork."""
    r = RateNetwork(N=300, g=1.7, J0=0.4, phi="erf", tau=2.0, I0=0.1, sigma_I=0.2, sigma_noise=0.3)
    p = RatePopulationNetwork.from_rate_network(r)
    assert p.P == 1 and p.to_rate_network() == r
    with pytest.raises(ValueError, match="discrete"):
        RatePopulationNetwork.from_rate_network(RateNetwork(N=10, g=1.0, time="discrete"))
    with pytest.raises(ValueError, match="one-population"):
        ei().to_rate_network()


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(fractions=(0.7, 0.2)), "sum to 1"),
        (dict(fractions=(0.8, -0.2)), "fractions"),
        (dict(K=[[80, 20]]), r"\(2, 2\) block matrix"),
        (dict(J=[[0.1, -0.5, 0.0], [0.1, -0.5, 0.0]]), r"\(2, 2\) block matrix"),
        (dict(J=[[0.1, -0.5], [-0.1, -0.5]]), "Dale's law is violated"),
        (dict(K=[[900, 20], [80, 20]]), "exceeds the size"),
        (dict(K=[[80.5, 20], [80, 20]]), "whole numbers"),
        (dict(tau=(1.0, -1.0)), "tau"),
        (dict(phi=("relu",)), "one per population"),
        (dict(J=[[np.nan, -0.5], [0.1, -0.5]]), "NaN"),
    ],
)
def test_bad_input(kw, match):
    with pytest.raises(ValueError, match=match):
        ei(**kw)


def test_dale_explicit_and_gaussian():
    C = np.abs(np.random.default_rng(0).standard_normal((10, 10)))
    C[:, 8:] *= -1
    RatePopulationNetwork(
        N=10, fractions=(0.8, 0.2), connectivity="explicit", couplings=C, dale=True
    )
    C[0, 2] = -1.0
    with pytest.raises(ValueError, match="Dale's law is violated"):
        RatePopulationNetwork(
            N=10, fractions=(0.8, 0.2), connectivity="explicit", couplings=C, dale=True
        )
    with pytest.raises(ValueError, match="Gaussian blocks have both signs"):
        RatePopulationNetwork(N=10, fractions=(0.5, 0.5), g=np.ones((2, 2)), dale=True)
    with pytest.raises(ValueError, match=r"must have shape \(10, 10\)"):
        RatePopulationNetwork(N=10, connectivity="explicit", couplings=np.ones((10, 9)))


def test_drive_sine_step_callable():
    pop = np.array([0, 0, 1])
    d = Drive("sine", amplitude=(1.0, 2.0), frequency=0.25, phases="equal")
    np.testing.assert_allclose(d.evaluate(1.0, pop, np.zeros(3)), [0.0, 0.0, 0.0], atol=1e-15)
    np.testing.assert_allclose(d.evaluate(0.0, pop, np.zeros(3)), [1.0, 1.0, 2.0])
    ph = Drive("sine", amplitude=1.0, frequency=1.0).sample_phases(10_000, rng=1)
    assert ph.min() >= 0 and ph.max() < 2 * np.pi and abs(ph.mean() - np.pi) < 0.05
    s = Drive("step", times=(1.0, 2.0), levels=((0.5, 1.0), -1.0))
    np.testing.assert_allclose(s.evaluate(0.5, pop, np.zeros(3)), 0.0)
    np.testing.assert_allclose(s.evaluate(1.5, pop, np.zeros(3)), [0.5, 0.5, 1.0])
    np.testing.assert_allclose(s.evaluate(2.0, pop, np.zeros(3)), -1.0)
    c = Drive("callable", func=lambda t: np.full(3, t))
    np.testing.assert_allclose(c.evaluate(0.3, pop, np.zeros(3)), 0.3)


def test_drive_bad_input():
    pop = np.arange(2)
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        Drive("callable", func=lambda t: np.zeros(3)).evaluate(0.0, pop, np.zeros(2))
    with pytest.raises(ValueError, match="non-finite"):
        Drive("callable", func=lambda t: np.array([0.0, np.nan])).evaluate(0.0, pop, np.zeros(2))
    with pytest.raises(ValueError, match="one level per onset"):
        Drive("step", times=(1.0,), levels=())
    with pytest.raises(ValueError, match="increase"):
        Drive("step", times=(2.0, 1.0), levels=(1.0, 2.0))
    with pytest.raises(ValueError, match="amplitude"):
        Drive("sine", amplitude=-1.0)
    with pytest.raises(ValueError, match="populations"):
        ei(drive=Drive("sine", amplitude=(1.0, 2.0, 3.0)))
