"""Exact event-driven simulator of intensity networks: kernel == NumPy twin, rates."""

import numpy as np
import pytest

from rnmf import IntensityNetwork
from rnmf.sim import simulate_intensity
from rnmf.sim._reference_intensity import reference_run
from rnmf.sim.intensity import build_net


def _kernel_spikes(run):
    units = run.recorded[run.spike_units]
    return run.spike_times, units[:, 0], units[:, 1]


@pytest.mark.parametrize(
    ("net", "M", "T"),
    [
        (IntensityNetwork.all_to_all(4, 0.5, b=1.0), 1, 15.0),
        (IntensityNetwork.all_to_all(4, 0.5, b=1.0), 3, 6.0),
        (
            IntensityNetwork(
                W=np.array([[0, 0.6, 0.2], [-0.9, 0, -0.4], [0.3, 0.5, 0]]),
                b=[-0.5, 0.0, -1.0],
                tau=[1.0, 0.5, np.inf],
                r=-1.0,
                phi="exp",
                lam0=0.8,
                ext_rate=[2.0, 0.0, 1.0],
                ext_weight=[0.3, 0.0, -0.2],
            ),
            2,
            8.0,
        ),
        (IntensityNetwork.all_to_all(3, 0.4, b=0.2, phi=lambda x: np.log1p(np.exp(2 * x))), 2, 8.0),
        (IntensityNetwork(W=np.array([[0, 0.3], [0.4, 0]]), b=[0.5, 1.0], reset=False), 1, 10.0),
        # tau = 0.004: (t - te) / tau passes 600 three times, so the epoch of the scaled
        # deviations is moved during the run
        (IntensityNetwork.all_to_all(4, 0.5, b=1.0, tau=0.004, r=0.0), 3, 9.0),
    ],
    ids=["E2-finite", "E2-replicas", "exp-EI-ext", "callable", "hawkes", "rebase"],
)
def test_kernel_matches_reference_event_by_event(net, M, T):
    run = simulate_intensity(net, T, M=M, rng=11, record="all")
    t_k, i_k, m_k = _kernel_spikes(run)
    spikes, X = reference_run(build_net(net, M), np.tile(net.b, M), run.options["seed"], T)
    assert len(spikes) == t_k.size > 5
    ref = np.array(spikes)
    np.testing.assert_array_equal(ref[:, 1].astype(int), i_k)
    np.testing.assert_array_equal(ref[:, 2].astype(int), m_k)
    np.testing.assert_allclose(ref[:, 0], t_k, rtol=1e-12, atol=0)
    assert run.n_spikes == len(spikes)
    np.testing.assert_allclose(run.final_state, X.reshape(M, net.N), rtol=1e-12, atol=1e-12)


def test_same_seed_bitwise_identical_and_different_seeds_differ():
    net = IntensityNetwork.all_to_all(4, 0.5, b=1.0)
    a = simulate_intensity(net, 50.0, M=5, rng=3)
    b = simulate_intensity(net, 50.0, M=5, rng=3)
    c = simulate_intensity(net, 50.0, M=5, rng=4)
    assert np.array_equal(a.spike_times, b.spike_times) and np.array_equal(
        a.unit_rates, b.unit_rates
    )
    assert not np.array_equal(a.spike_times, c.spike_times)


def test_poisson_source_rate_cv_and_fano():
    """A linear neuron with b = r = 1 and no input is Poisson at rate 1: CV = Fano = 1."""
    net = IntensityNetwork.feedforward(1, 0.5, source_rate=1.0)
    run = simulate_intensity(net, 4000.0, rng=5, bin_width=5.0)
    assert abs(run.rates[0] - 1.0) < 4 * run.rate_sem[0]
    assert run.cv(0) == pytest.approx(1.0, abs=0.05)
    assert run.fano(0) == pytest.approx(1.0, abs=0.15)


def test_E2_finite_and_replica_rates():
    """RMF notes Sec. 5: the finite E2 network fires at 1.033 +- 0.003, the M = 1000
    replica network at the RMF rate 0.99674317 (0.9967 +- 0.0002)."""
    net = IntensityNetwork.all_to_all(4, 0.5, b=1.0)
    fin = simulate_intensity(net, 3000.0, M=1, rng=1, t_warm=10.0)
    pooled, sem = fin.mean_rate()  # batch means of the pooled rate: correlations included
    assert abs(pooled - 1.033) < 4 * sem + 0.003
    rep = simulate_intensity(net, 40.0, M=1000, rng=2, t_warm=5.0)
    assert np.all(np.abs(rep.rates - 0.99674317) < 4 * rep.rate_sem + 1e-4)
    m, e = rep.mean_rate()
    assert abs(m - 0.99674317) < 4 * e + 1e-4
    # counts of two neurons of the finite network are correlated, not in the replica net
    assert fin.count_correlation((0, 0), (1, 0)) > 0.1


def test_cross_covariance_shape_and_zero_lag_equals_covariance():
    net = IntensityNetwork.all_to_all(4, 0.5, b=1.0)
    run = simulate_intensity(net, 500.0, rng=9)
    lags, C = run.cross_covariance((0, 0), (1, 0), max_lag=5)
    assert lags.shape == C.shape == (11,)
    x = run.binned[:, 0].astype(float)
    y = run.binned[:, 1].astype(float)
    assert C[5] == pytest.approx(np.mean((x - x.mean()) * (y - y.mean())) / run.bin_width)


def test_max_events_stops_and_reports():
    net = IntensityNetwork.all_to_all(4, 0.5, b=1.0)
    run = simulate_intensity(net, 1000.0, rng=1, max_events=100)
    assert not run.converged and run.n_candidates == 100


def test_x0_sets_the_start_state():
    net = IntensityNetwork.all_to_all(2, 0.1, b=0.0, r=0.0, tau=1.0)
    quiet = simulate_intensity(net, 1.0, rng=1, x0=0.0)
    assert quiet.n_spikes == 0  # b = r = 0, no drive: silent forever
    loud = simulate_intensity(net, 1.0, rng=1, x0=[50.0, 50.0])
    assert loud.n_spikes >= 2


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(M=0), "M \\(number of replicas\\) must be an integer >= 1"),
        (dict(T=0.0), "T must be > 0"),
        (dict(T=np.nan), "T must be finite"),
        (dict(x0=np.zeros(3)), "x0 must be"),
        (dict(x0=-1.0), "x0 must be >= 0"),
        (dict(record=[(5, 0)]), "record must list"),
        (dict(t_warm=-1.0), "t_warm"),
        (dict(bin_width=0.0), "bin_width"),
        (dict(rng="seed"), "rng must be"),
    ],
)
def test_bad_inputs(kwargs, match):
    net = IntensityNetwork.all_to_all(4, 0.5, b=1.0)
    args = {"T": 1.0, **kwargs}
    T = args.pop("T")
    with pytest.raises(ValueError, match=match):
        simulate_intensity(net, T, **args)
    with pytest.raises(ValueError, match="IntensityNetwork"):
        simulate_intensity("net", 1.0)


def test_ziggurat_draws_are_exponential():
    """The Exp(1) draw of kernel and twin (ziggurat, Marsaglia & Tsang 2000, J. Stat.
    Softw. 5(8)): Kolmogorov-Smirnov against Exp(1), the mean, and the mass of the tail
    beyond the base edge r = 7.697, whose draws take the logarithmic branch."""
    from scipy import stats

    from rnmf.sim._reference_intensity import SplitMix64

    kn = build_net(IntensityNetwork.all_to_all(2, 0.1, b=1.0), 1)
    g = SplitMix64(2024)
    x = np.array([g.exponential(kn.zk, kn.zw, kn.zf) for _ in range(200_000)])
    assert stats.kstest(x, "expon").pvalue > 1e-3
    assert abs(x.mean() - 1.0) < 5 * x.std() / np.sqrt(x.size)
    tail = (x > 7.69711747013104972).mean()
    p = np.exp(-7.69711747013104972)
    assert abs(tail - p) < 5 * np.sqrt(p / x.size)
