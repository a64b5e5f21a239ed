"""Tests of the numba LIF network simulator (rnmf.sim.spiking).

Oracles: the plain NumPy stepping of rnmf.sim._reference_lif (same network, same
random bits, dense per-delay matrices), closed forms of the LIF neuron under
constant drive, the Siegert first-passage rate (Siegert 1951; Brunel 2000, J Comput
Neurosci 8:183, eq. 21) implemented here with scipy quadrature, the exponential
PSP shape, and the Poisson distribution (scipy.stats).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, special, stats

from rnmf.models import LIFNetwork
from rnmf.sim._reference_lif import reference_lif
from rnmf.sim.spiking import (
    _prepare,
    build_connectivity,
    poisson_cdf_table,
    propagators,
    simulate_lif,
)


def small_brunel(**kw):
    return LIFNetwork.brunel(5.0, 2.0, N_E=160, epsilon=0.1, **kw)


def single(mu, **kw):
    """One unconnected neuron with constant drive ``mu`` (mV)."""
    return LIFNetwork(N=(1,), K=((0,),), J=((0.0,),), mu_ext=mu, **kw)


def driver_and_target(J=5.0, D=1.5, **kw):
    """Population 0: one neuron driven above threshold; 1: one neuron it projects to."""
    return LIFNetwork(
        N=(1, 1),
        K=((0, 0), (1, 0)),
        J=((0.0, 0.0), (J, 0.0)),
        delay=D,
        mu_ext=(30.0, 0.0),
        **kw,
    )


# --------------------------------------------------------------------------
# kernel == NumPy reference


@pytest.mark.parametrize(
    "net",
    [
        small_brunel(),
        small_brunel(tau_s=2.0, delay_max=3.0),
        small_brunel(connectivity="bernoulli", D=0.2, delay_max=2.0),
        small_brunel(tau_s=20.0, t_ref=0.0, mu_ext=(5.0, 3.0)),
    ],
    ids=["delta", "exp-delays", "bernoulli-delays", "exp-tau_s=tau_m"],
)
def test_kernel_matches_reference(net):
    """Spike for spike and V to 1e-9 against rnmf.sim._reference_lif (dense matrices)."""
    T = 150.0
    res = simulate_lif(net, T, rng=7, record_units=np.arange(sum(net.N)))
    setup, _ = _prepare(net, T, 0.1, np.random.default_rng(7), None)
    ref = reference_lif(setup)
    assert res.n_spikes > 100
    np.testing.assert_array_equal(res.senders, ref["senders"])
    np.testing.assert_allclose(res.times, (ref["steps"] + 1) * 0.1, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.V, ref["V"], rtol=0, atol=1e-9)
    assert res.spike_counts.sum() == res.n_spikes == res.senders.size


def test_population_rates_match_spikes():
    """Binned population rates equal the recorded spikes counted per bin and population."""
    net = small_brunel()
    res = simulate_lif(net, 50.0, rng=3, record_rates_bin=2.0)
    assert res.pop_rates.shape == (25, 2)
    for a, (lo, hi) in enumerate(res.pop_slices):
        m = (res.senders >= lo) & (res.senders < hi)
        b = np.ceil(res.times[m] / 2.0 - 1e-9).astype(int) - 1
        want = np.bincount(b, minlength=25) / ((hi - lo) * 2e-3)
        np.testing.assert_allclose(res.pop_rates[:, a], want)
    np.testing.assert_allclose(res.mean_rates, res.pop_rates.mean(axis=0))


# --------------------------------------------------------------------------
# single neuron: closed forms


@pytest.mark.parametrize("tau_s", [0.0, 5.0])
def test_constant_drive_period_converges(tau_s):
    """Period -> t_ref + tau ln((mu - V_r)/(mu - theta)) with error <= dt (first-order)."""
    mu, tau, Vr, th, tref = 30.0, 20.0, 10.0, 20.0, 2.0
    exact = tref + tau * math.log((mu - Vr) / (mu - th))
    errors = []
    for dt in (0.1, 0.01, 0.001):
        res = simulate_lif(single(mu, tau_s=tau_s), 200.0, dt=dt, rng=0, V0=Vr)
        period = np.diff(res.times).mean()
        assert abs(period - exact) <= dt * (1 + 1e-9)
        errors.append(abs(period - exact))
    assert errors[2] < errors[0]


def test_subthreshold_drive_exact_relaxation():
    """No spikes; V(t) = mu + (V0 - mu) e^{-t/tau} exactly (exact integration)."""
    mu = 19.9
    res = simulate_lif(single(mu), 300.0, rng=0, V0=0.0, record_units=[0])
    assert res.n_spikes == 0
    t = res.V_times
    np.testing.assert_allclose(res.V[:, 0], mu * (1 - np.exp(-t / 20.0)), rtol=0, atol=1e-11)


def _siegert(mu, sigma, tau=20.0, th=20.0, vr=10.0, tref=2.0):
    """Siegert rate (Hz), Brunel 2000 eq. 21, integrand written with erfcx (stable)."""

    def integrand(u):
        # e^{u^2}(1 + erf u) = erfcx(-u)
        return special.erfcx(-u)

    val, _ = integrate.quad(integrand, (vr - mu) / sigma, (th - mu) / sigma, epsabs=0, epsrel=1e-12)
    return 1000.0 / (tref + tau * math.sqrt(math.pi) * val)


@pytest.mark.parametrize(("C", "J", "nu"), [(2000, 0.05, 9.5), (1000, 0.1, 10.0)])
def test_poisson_drive_matches_siegert(C, J, nu):
    """Unconnected neurons driven by C Poisson inputs of J mV at nu Hz.

    mu = C J tau nu, sigma^2 = C J^2 tau nu (Brunel 2000, eqs. 4-5): (19 mV, 0.97 mV)
    and (20 mV, 1.41 mV).  The diffusion approximation (eq. 21) holds up to O(J/sigma)
    shot-noise and O(sqrt(dt)) grid corrections (Brunel & Hakim 1999; Fourcaud &
    Brunel 2002), measured here at 1-2%; tolerance 5% (3 standard errors of counting).
    """
    net = LIFNetwork(N=(100,), K=((0,),), J=((0.0,),), nu_ext=nu, C_ext=C, J_ext=J)
    res = simulate_lif(net, 5000.0, rng=11, record_spikes=False)
    mu = C * J * 20.0 * nu * 1e-3
    sigma = math.sqrt(C * J * J * 20.0 * nu * 1e-3)
    want = _siegert(mu, sigma)
    got = res.mean_rates[0]
    assert 5.0 < want < 30.0
    assert abs(got - want) / want < 0.05, (got, want)


def test_external_counts_are_poisson():
    """With tau_m -> infinity V sums the external counts: per-step mean and variance = lambda."""
    lam = 0.5 * 40.0 * 0.1 * 1e-3 * 1000  # C nu dt = 2
    net = LIFNetwork(
        N=(1,), K=((0,),), J=((0.0,),), nu_ext=40.0, C_ext=500, J_ext=1.0,
        tau_m=1e15, V_th=1e12, V_reset=0.0,
    )  # fmt: skip
    res = simulate_lif(net, 4000.0, rng=5, V0=0.0, record_units=[0])
    k = np.rint(np.diff(np.concatenate([[0.0], res.V[:, 0]]))).astype(int)
    n = k.size
    assert abs(k.mean() - lam) < 5 * math.sqrt(lam / n)
    assert abs(k.var() - lam) < 5 * lam * math.sqrt(2.0 / n) * 1.5
    # chi-square goodness of fit against the Poisson pmf (last class: k >= 8)
    obs = np.bincount(np.minimum(k, 8), minlength=9).astype(float)
    exp = stats.poisson.pmf(np.arange(9), lam) * n
    exp[-1] = stats.poisson.sf(7, lam) * n
    chi2 = ((obs - exp) ** 2 / exp).sum()
    assert chi2 < stats.chi2.ppf(0.999, df=8)


@pytest.mark.parametrize("lam", [0.0, 1e-4, 2.0, 37.5, 400.0])
def test_poisson_table(lam):
    """The inversion table reproduces scipy's Poisson pmf to 2^-32 per entry."""
    t = poisson_cdf_table(np.array([lam]))[0].astype(float) / 2**32
    pmf = np.diff(np.concatenate([[0.0], t]))
    k = np.arange(pmf.size)
    want = stats.poisson.pmf(k, lam) if lam > 0 else (k == 0).astype(float)
    assert np.max(np.abs(pmf - want)) < 2.0**-31
    assert t[-1] == 1.0


# --------------------------------------------------------------------------
# synapses and delays


@pytest.mark.parametrize(("D", "dt"), [(1.5, 0.1), (2.35, 0.05), (0.1, 0.1)])
def test_spike_arrives_exactly_D_later(D, dt):
    """The target's V first moves D ms after the driver's first spike, by J (delta synapse)."""
    net = driver_and_target(J=5.0, D=D)
    res = simulate_lif(net, 40.0, dt=dt, rng=0, V0=0.0, record_units=[1])
    t_spike = res.times[res.senders == 0][0]
    moved = np.flatnonzero(res.V[:, 0] != 0.0)[0]
    assert res.V_times[moved] == pytest.approx(t_spike + D, abs=1e-9)
    assert res.V[moved, 0] == pytest.approx(5.0, abs=1e-12)


def test_exponential_psp_shape():
    """Exp synapse: V(s) = J tau_m/(tau_s - tau_m) (e^{-s/tau_s} - e^{-s/tau_m}) after arrival.

    Same total charge as the delta synapse: int V dt / tau_m = J.
    """
    J, tau_s, tau_m, D = 2.0, 5.0, 20.0, 1.5
    net = driver_and_target(J=J, D=D, tau_s=tau_s)
    res = simulate_lif(net, 23.0, dt=0.1, rng=0, V0=0.0, record_units=[1])
    t_spike = res.times[res.senders == 0][0]
    s = res.V_times - (t_spike + D)
    m = s >= -1e-9
    want = J * tau_m / (tau_s - tau_m) * (np.exp(-s / tau_s) - np.exp(-s / tau_m))
    np.testing.assert_allclose(res.V[m, 0], want[m], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(res.V[~m, 0], 0.0)


def test_propagator_limit_tau_s_equals_tau_m():
    """P21 is continuous at tau_s = tau_m (limit dt/tau e^{-dt/tau})."""
    a = propagators(single(0.0, tau_s=20.0), 0.1)[1]
    b = propagators(single(0.0, tau_s=20.0 * (1 + 1e-7)), 0.1)[1]
    assert a == pytest.approx(0.1 / 20.0 * math.exp(-0.1 / 20.0), rel=1e-14)
    assert a == pytest.approx(b, rel=1e-6)


def test_refractory_input_ignored():
    """Input arriving while the target is refractory is lost (NEST iaf_psc_delta)."""
    # the target is driven to fire at the same time as the driver; its input then
    # arrives 1 ms later, inside its 2 ms refractory period
    net = LIFNetwork(
        N=(1, 1), K=((0, 0), (1, 0)), J=((0.0, 0.0), (5.0, 0.0)), delay=1.0,
        mu_ext=(30.0, 30.0), t_ref=2.0,
    )  # fmt: skip
    res = simulate_lif(net, 30.0, rng=0, V0=0.0, record_units=[1])
    t_drv = res.times[res.senders == 0]
    t_tgt = res.times[res.senders == 1]
    np.testing.assert_allclose(t_drv, t_tgt)  # identical neurons, the input never counts


def test_fixed_indegree_and_bernoulli_connectivity():
    """Fixed in-degree: every neuron has exactly K inputs per population; Bernoulli:
    binomial in-degrees (mean K, variance K (1 - p)) with no multapses."""
    net = LIFNetwork(N=(300, 100), K=((30, 10), (20, 5)), J=((0.1, -0.5), (0.1, -0.5)))
    c = build_connectivity(net, rng=1)
    pop_of = np.repeat([0, 1], (300, 100))
    indeg = np.zeros((400, 2), dtype=int)
    for j in range(400):
        for a in range(2):
            t = c.targets[c.offsets[j, a] : c.offsets[j, a + 1]]
            assert np.all(pop_of[t] == a) and np.all(np.diff(t) >= 0)
            np.add.at(indeg[:, pop_of[j]], t, 1)
    K = np.array(net.K)
    np.testing.assert_array_equal(indeg[:300], np.broadcast_to(K[0], (300, 2)))
    np.testing.assert_array_equal(indeg[300:], np.broadcast_to(K[1], (100, 2)))
    assert c.in_degree[(0, 0)] == (30.0, 0.0, 30, 30)
    assert c.n_synapses == 300 * 40 + 100 * 25
    netb = LIFNetwork(
        N=(2000, 500), K=((200, 50), (200, 50)), J=((0.1, -0.5), (0.1, -0.5)),
        connectivity="bernoulli",
    )  # fmt: skip
    cb = build_connectivity(netb, rng=2)
    for (a, b), (mean, std, _, _) in cb.in_degree.items():
        k = netb.K[a][b]
        n_a = netb.N[a]
        p = k / netb.N[b]
        assert abs(mean - k) < 5 * math.sqrt(k * (1 - p) / n_a)
        assert abs(std - math.sqrt(k * (1 - p))) < 0.1 * math.sqrt(k * (1 - p))
    for j in range(0, 2500, 97):  # no multapses
        for a in range(2):
            t = cb.targets[cb.offsets[j, a] : cb.offsets[j, a + 1]]
            assert np.all(np.diff(t) > 0)


def test_bytes_per_synapse():
    """One int32 target per synapse (+1 byte with distributed delays) plus offsets."""
    net = LIFNetwork.brunel(N_E=400)
    res = simulate_lif(net, 1.0, rng=0)
    M = res.n_synapses
    assert M == 500 * 50
    assert res.bytes_per_synapse == pytest.approx(4 + 500 * 3 * 8 / M)
    c = build_connectivity(LIFNetwork.brunel(N_E=400, delay_max=3.0), rng=0)
    assert c.nbytes / c.n_synapses == pytest.approx(5 + 500 * 3 * 8 / M)


# --------------------------------------------------------------------------
# recording, formats, reproducibility


def test_max_spikes_overflow_stops_recording_only():
    """Overflow: the first max_spikes spikes are kept, counts and dynamics unaffected."""
    net = small_brunel()
    full = simulate_lif(net, 60.0, rng=4)
    cut = simulate_lif(net, 60.0, rng=4, max_spikes=100)
    assert full.n_spikes > 100 and not full.overflow
    assert cut.overflow and cut.senders.size == 100 and cut.n_spikes == full.n_spikes
    np.testing.assert_array_equal(cut.senders, full.senders[:100])
    np.testing.assert_array_equal(cut.spike_counts, full.spike_counts)
    none = simulate_lif(net, 60.0, rng=4, record_spikes=False)
    assert none.senders.size == 0 and none.n_spikes == full.n_spikes and not none.overflow


def test_seed_reproducibility():
    """Same seed -> bitwise identical output; another seed -> different spikes."""
    net = small_brunel(delay_max=2.0)
    a = simulate_lif(net, 50.0, rng=9, record_units=[0, 5])
    b = simulate_lif(net, 50.0, rng=np.random.default_rng(9), record_units=[0, 5])
    c = simulate_lif(net, 50.0, rng=10, record_units=[0, 5])
    np.testing.assert_array_equal(a.senders, b.senders)
    np.testing.assert_array_equal(a.times, b.times)
    np.testing.assert_array_equal(a.V, b.V)
    assert not np.array_equal(a.senders[:50], c.senders[:50])


def test_float32_follows_float64():
    """float32 state: same code path; V stays within float32 rounding early on and the
    population rates agree statistically."""
    net = small_brunel()
    r64 = simulate_lif(net, 200.0, rng=2, record_units=np.arange(10))
    r32 = simulate_lif(net, 200.0, rng=2, record_units=np.arange(10), fmt="float32")
    assert r32.V.dtype == np.float32
    np.testing.assert_allclose(r32.V[:20], r64.V[:20], atol=1e-4)
    n = r64.n_spikes
    assert abs(r32.n_spikes - n) < 5 * math.sqrt(n) + 0.05 * n


# --------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"T": 0.0}, "T"),
        ({"T": -5.0}, "T"),
        ({"T": float("nan")}, "T"),
        ({"dt": 0.0}, "dt"),
        ({"dt": -0.1}, "dt"),
        ({"T": 10.05}, "multiple of dt"),
        ({"dt": 2.0}, "shorter than the time step"),
        ({"V0": np.zeros(3)}, "V0"),
        ({"V0": np.full(200, np.nan)}, "NaN"),
        ({"fmt": "float128"}, "fmt must be"),
        ({"record_units": [1000]}, "record_units"),
        ({"record_units": [-1]}, "record_units"),
        ({"record_units": "some"}, "record_units"),
        ({"record_units": -2}, "record_units"),
        ({"burn_in": -1.0}, "burn_in"),
        ({"burn_in": 0.05}, "burn_in"),
        ({"burn_in": float("inf")}, "burn_in"),
        ({"progress": "yes"}, "progress"),
        ({"dt": 1e300}, "dt .* is longer than T"),
        ({"T": 1e300}, "at most 2\\^31 - 2"),
        ({"record_rates_bin": 1e300}, "record_rates_bin"),
        ({"V0": 1 + 1j}, "V0 .* must be real"),
        ({"record_V": -1}, "record_V must be >= 0"),
        ({"record_V": "1"}, "record_V must be"),
        ({"record_spikes": "no"}, "record_spikes"),
        ({"record_rates_bin": 0.25}, "record_rates_bin"),
        ({"max_spikes": -1}, "max_spikes"),
        ({"rng": -3}, "seed"),
    ],
)
def test_bad_input(kwargs, match):
    net = small_brunel()
    args = {"T": 10.0, **kwargs}
    T = args.pop("T")
    with pytest.raises(ValueError, match=match):
        simulate_lif(net, T, **args)


def test_bad_model_input():
    with pytest.raises(ValueError, match="LIFNetwork"):
        simulate_lif("not a network", 10.0)
    frac = LIFNetwork(N=(10,), K=((2.5,),), J=((0.1,),))
    with pytest.raises(ValueError, match="integer in-degrees"):
        simulate_lif(frac, 10.0)


@pytest.mark.filterwarnings("ignore::rnmf.models.lif.UnitsWarning")  # tiny delays on purpose
@settings(max_examples=15, deadline=None)
@given(
    delay=st.floats(0.0, 0.099, allow_nan=False),
    dt=st.sampled_from([0.1, 0.2]),
)
def test_delays_shorter_than_dt_rejected(delay, dt):
    """Any delay below dt raises (the ring buffer needs >= 1 step)."""
    if delay <= 0:
        delay = 1e-3
    net = small_brunel(D=delay)
    with pytest.raises(ValueError, match="shorter than the time step"):
        simulate_lif(net, 1.0, dt=dt)


def test_default_rate_bin_is_multiple_of_dt():
    """Default rate bin: the multiple of dt closest to 1 ms."""
    res = simulate_lif(single(30.0), 9.0, dt=0.3, rng=0)
    assert res.rate_bin == pytest.approx(0.9)
    assert res.pop_rates.shape == (10, 1)


@pytest.mark.slow
def test_brunel_model_A_matches_peer_simulators():
    """Brunel (2000) model A, g = 5, eta = 2, N_E = 10000, 1 s: E rate 37.3-37.4 Hz and
    ISI CV 0.41-0.42 in NEST 3.10 and Brian2 2.11 (docs/references.md, Sec. 3); the
    Siegert fixed point is 37.95 Hz (finite-size deviation of ~0.6 Hz).  Tolerance: a few
    standard errors of a 1 s, 10^4-neuron rate estimate (population fluctuations)."""
    net = LIFNetwork.brunel(5.0, 2.0)
    res = simulate_lif(net, 1000.0, rng=2026)
    s, t = res.spikes("E")
    rate = s.size / (net.N[0] * 1.0)
    assert 36.6 < rate < 38.3
    from rnmf.sim.spike_measures import cv_isi

    cv = cv_isi(s, t, net.N[0], min_spikes=5)
    assert 0.38 < cv < 0.46


# --------------------------------------------------------------------------
# memory estimate, burn-in, record_units, progress (issue 10)


def test_memory_refused_before_allocation():
    """Brunel's model with N_E = 1e8 has (N_E + N_I)(C_E + C_I) = 1.5625e15 synapses,
    6.25e15 bytes of int32 targets: refused at once with the numbers (before issue 10
    the build counted synapses for minutes)."""
    from rnmf.sim._memory import InsufficientMemoryError
    from rnmf.sim.spiking import memory_estimate

    net = LIFNetwork.brunel(N_E=10**8)
    parts = memory_estimate(net, 1.0)
    assert parts["synapses"] == 4 * 125_000_000 * 12_500_000
    with pytest.raises(InsufficientMemoryError, match=r"simulate_lif would allocate .* GiB") as e:
        simulate_lif(net, 1.0)
    assert "synapses" in str(e.value) and "available" in str(e.value)
    assert isinstance(e.value, MemoryError) and isinstance(e.value, ValueError)


def test_memory_check_uses_available_memory(monkeypatch):
    """A small run is refused when the machine has less memory than it needs."""
    from rnmf import _memory

    monkeypatch.setattr(_memory, "available_memory", lambda: 2**20)
    with pytest.raises(MemoryError, match="only 0.000977 GiB of memory is available"):
        simulate_lif(small_brunel(), 10.0, rng=0, record_units="all")


def test_memory_estimate_matches_the_arrays():
    """The synapse and ring-buffer parts equal the arrays the run builds."""
    from rnmf.sim.spiking import memory_estimate

    for net in (small_brunel(), small_brunel(delay_max=3.0)):
        conn = build_connectivity(net, rng=1)
        parts = memory_estimate(net, 10.0, record_units=5)
        assert parts["synapses"] == conn.targets.nbytes + conn.delays.nbytes
        assert parts["ring buffer"] == (conn.max_delay + 1) * sum(net.N) * 8
        assert parts["membrane traces"] == 100 * 5 * 8


def test_burn_in_is_the_head_of_a_longer_run():
    """burn_in + T with the same seed is the same run as T' = burn_in + T: the recorded
    part is its tail (spikes after burn_in, rates, V), times counted from the start."""
    net = small_brunel()
    full = simulate_lif(net, 50.0, rng=3, record_units=[0, 7])
    tail = simulate_lif(net, 30.0, rng=3, burn_in=20.0, record_units=[0, 7])
    assert tail.T == 30.0 and tail.burn_in == 20.0
    keep = full.times > 20.0
    np.testing.assert_array_equal(tail.times, full.times[keep])
    np.testing.assert_array_equal(tail.senders, full.senders[keep])
    assert tail.n_spikes == keep.sum()
    np.testing.assert_array_equal(
        tail.spike_counts, np.bincount(full.senders[keep], minlength=sum(net.N))
    )
    np.testing.assert_array_equal(tail.pop_rates, full.pop_rates[20:])
    np.testing.assert_array_equal(tail.V, full.V[200:])
    np.testing.assert_allclose(tail.V_times, full.V_times[200:])
    np.testing.assert_allclose(tail.rate_times, full.rate_times[20:])
    np.testing.assert_array_equal(tail.units, [0, 7])


def test_record_units_forms_and_record_V_alias():
    net = small_brunel()
    n = sum(net.N)
    assert simulate_lif(net, 5.0, rng=0).units.size == 0  # default: none
    assert simulate_lif(net, 5.0, rng=0, record_units=3).units.tolist() == [0, 1, 2]
    every = simulate_lif(net, 5.0, rng=0, record_units="all")
    assert every.V.shape == (50, n)
    with pytest.warns(DeprecationWarning, match="record_units"):
        old = simulate_lif(net, 5.0, rng=0, record_V=[4, 2])
    np.testing.assert_array_equal(old.V, every.V[:, [4, 2]])
    np.testing.assert_array_equal(old.V_index, [4, 2])
    with pytest.raises(ValueError, match="record_V is the old name of record_units"):
        simulate_lif(net, 5.0, rng=0, record_V=[1], record_units=[2])


def test_progress_bar_on_stderr(capsys):
    """progress=True draws a tqdm bar on stderr; False and the default (a short run)
    print nothing; the output does not depend on it."""
    net = small_brunel()
    a = simulate_lif(net, 20.0, rng=0, progress=True)
    err = capsys.readouterr().err
    assert "simulate_lif" in err and "200/200" in err
    b = simulate_lif(net, 20.0, rng=0, progress=False)
    c = simulate_lif(net, 20.0, rng=0)
    assert capsys.readouterr().err == ""
    np.testing.assert_array_equal(a.times, b.times)
    np.testing.assert_array_equal(a.times, c.times)


def test_overflowing_state_is_reported_not_returned_as_nan():
    """PSPs of 1e308 mV overflow float64 (inf - inf = NaN): the run stops, says so in
    the result and as a RuntimeWarning, and the records from there on are NaN."""
    from rnmf.results import Status

    net = LIFNetwork(
        N=(10, 10), K=((5, 5), (5, 5)), J=((1e308, -1e308), (1e308, -1e308)), mu_ext=30.0
    )
    with pytest.warns(RuntimeWarning, match="simulate_lif: the run diverged at t = 0 ms"):
        res = simulate_lif(net, 200.0, rng=0, record_units="all")
    assert res.diverged and not res.converged and res.status is Status.DIVERGED
    assert res.diverged_at == 0.0 and "non-finite" in res.diverged_reason
    assert np.all(np.isnan(res.V)) and np.all(np.isnan(res.pop_rates))
    assert "DIVERGED" in repr(res)
    ok = simulate_lif(small_brunel(), 20.0, rng=0)
    assert not ok.diverged and ok.converged and ok.diverged_at is None
