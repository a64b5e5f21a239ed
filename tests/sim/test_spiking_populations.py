"""Tests of the multi-population features of rnmf.sim.spiking.

Per-population neurons, several external Poisson sources, exponential and delta
synapses mixed, weight spread per block, delay distributions per block and
fixed-total-number connectivity.  Oracles: the NumPy twins of rnmf.sim._reference_lif
(same network, same random bits), the weight moments and delay step probabilities
of the model itself (:meth:`LIFNetwork.weight_moments`, :meth:`Delay.pmf`), and the
Poisson distribution (mean and variance of the external drive).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from rnmf.models import LIFNetwork
from rnmf.models.delays import Delay
from rnmf.sim._reference_lif import reference_lif, reference_lif_format
from rnmf.sim.formats import as_precision
from rnmf.sim.spiking import _prepare, build_connectivity, memory_estimate, simulate_lif

TG = Delay.truncated_gaussian


def hetero(**kw) -> LIFNetwork:
    """Three populations with different neurons, synapses, sources and delays."""
    args = dict(
        N=(60, 40, 30),
        K=((12, 6, 4), (10, 5, 3), (8, 4, 0)),
        J=((0.5, -2.0, 0.8), (0.6, -2.5, 0.4), (0.7, -1.5, 0.0)),
        tau_m=(20.0, 10.0, 15.0),
        V_th=(-50.0, -52.0, 15.0),
        V_reset=(-65.0, -60.0, 5.0),
        E_L=(-65.0, -62.0, 0.0),
        t_ref=(2.0, 1.0, 0.5),
        tau_s=(0.5, 2.0, 0.0),
        nu_ext=((8.0, 15.0), (8.0, 15.0), (10.0, 0.0)),
        C_ext=((300.0, 50.0), (250.0, 40.0), (200.0, 0.0)),
        J_ext=((0.6, 1.2), (0.5, 0.5), (0.4, 0.4)),
        mu_ext=(2.0, 3.0, 1.0),
        J_sd=0.3,
        J_truncate=True,
        delay=(
            (TG(1.5, 0.75, low=0.1), Delay.fixed(0.8), Delay.uniform(0.5, 1.2)),
            (Delay.lognormal(1.0, 0.3), TG(0.75, 0.4, low=0.1), Delay.fixed(2.0)),
            (Delay.fixed(1.0), Delay.fixed(1.0), Delay.fixed(1.0)),
        ),
    )
    args.update(kw)
    return LIFNetwork(**args)


@pytest.mark.parametrize(
    "kw",
    [{}, {"connectivity": "fixed_total_number"}, {"J_sd": 0.0, "delay": 1.2}],
    ids=["hetero", "total-number", "no-spread-fixed-delay"],
)
def test_kernel_matches_reference(kw):
    """Spike for spike and V to 1e-9 against the dense NumPy twin."""
    net = hetero(**kw)
    T = 100.0
    res = simulate_lif(net, T, rng=3, record_units="all", progress=False)
    setup, _ = _prepare(net, T, 0.1, np.random.default_rng(3), None)
    ref = reference_lif(setup)
    assert res.n_spikes > 100
    for a in range(3):  # every population fires
        lo, hi = res.pop_slices[a]
        assert res.spike_counts[lo:hi].sum() > 10
    np.testing.assert_array_equal(res.senders, ref["senders"])
    np.testing.assert_allclose(res.times, (ref["steps"] + 1) * 0.1, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.V, ref["V"], rtol=0, atol=1e-9)


@pytest.mark.parametrize("J_sd", [0.3, 0.0], ids=["per-synapse-weights", "block-weights"])
def test_bucketed_delivery_is_bit_identical(monkeypatch, J_sd):
    """The bucketed delivery (used when the ring buffer outgrows the caches) adds every
    target's events in the same order as direct delivery: the same spikes and bit-identical
    voltages, also when buckets fill up and are flushed in the middle of a step."""
    import rnmf.sim.spiking as sp

    net = hetero(J_sd=J_sd)
    direct = simulate_lif(net, 100.0, rng=5, record_units="all", progress=False)
    assert sp._buckets(70, 130, np.float64, 0).n.size == 0  # small ring: direct delivery
    monkeypatch.setattr(sp, "_BUCKET_RING_BYTES", 0)
    monkeypatch.setattr(sp, "_BUCKET_BLOCK_BYTES", 1)  # 64-neuron blocks: 3 buckets
    monkeypatch.setattr(sp, "_BUCKET_CAP", 3)  # flushes within a step
    bk = sp._buckets(70, 130, np.float64, 0)
    assert bk.n.size == 3 and bk.shift == 6
    bucketed = simulate_lif(net, 100.0, rng=5, record_units="all", progress=False)
    assert direct.n_spikes > 100
    np.testing.assert_array_equal(bucketed.senders, direct.senders)
    np.testing.assert_array_equal(bucketed.times, direct.times)
    np.testing.assert_array_equal(bucketed.V, direct.V)


@pytest.mark.parametrize("fmt", ["bf16", "fp16-sr"])
def test_format_kernel_matches_twin(fmt):
    """Emulated formats: kernel == NumPy twin bit for bit on the heterogeneous network."""
    net = hetero()
    T = 30.0
    res = simulate_lif(net, T, rng=4, fmt=fmt, record_units="all", progress=False)
    setup, _ = _prepare(net, T, 0.1, np.random.default_rng(4), None)
    ref = reference_lif_format(setup, as_precision(fmt), 4)
    assert res.n_spikes > 20
    np.testing.assert_array_equal(res.senders, ref["senders"])
    np.testing.assert_array_equal(res.V, ref["V"])
    assert res.n_overflow == ref["n_overflow"]
    assert res.n_overflow_ring == ref["n_overflow_ring"]


def test_weights_follow_the_model_moments():
    """Per-block mean and second moment of the sampled weights equal
    LIFNetwork.weight_moments() (truncated normal) within 5 standard errors."""
    net = LIFNetwork(
        N=(2000, 500),
        K=((200, 50), (200, 50)),
        J=((0.1, -0.5), (0.1, -0.5)),
        J_sd=((0.5, 1.0), (0.2, 0.0)),
        J_truncate=True,
    )
    c = build_connectivity(net, rng=1)
    assert c.weights.dtype == np.float32 and c.weights.size == c.n_synapses
    m1, m2 = net.weight_moments()
    for a in range(2):
        for b in range(2):
            lo, hi = sum(net.N[:b]), sum(net.N[: b + 1])
            w = np.concatenate(
                [c.weights[c.offsets[j, a] : c.offsets[j, a + 1]] for j in range(lo, hi)]
            )
            w = w.astype(float)
            assert w.size == net.N[a] * net.K[a][b]
            assert np.all(np.sign(w) == np.sign(net.J[a][b]))
            se1 = w.std() / math.sqrt(w.size) + 1e-12
            se2 = (w**2).std() / math.sqrt(w.size) + 1e-12
            assert abs(w.mean() - m1[a, b]) < 5 * se1 + 1e-7 * abs(m1[a, b])
            assert abs((w**2).mean() - m2[a, b]) < 5 * se2 + 1e-7 * m2[a, b]


@pytest.mark.parametrize(
    "d",
    [TG(1.5, 0.75, low=0.1), Delay.lognormal(1.0, 0.3), Delay.uniform(0.3, 1.1)],
    ids=["truncated-gaussian", "lognormal", "uniform"],
)
def test_delays_follow_the_step_probabilities(d):
    """The histogram of per-synapse delay steps matches Delay.pmf(dt) (chi-square test,
    p > 1e-4); for the uniform law the rounding of NEST (nearest step) is the oracle."""
    net = LIFNetwork(N=(2000,), K=((100,),), J=((0.1,),), delay=d)
    c = build_connectivity(net, dt=0.1, rng=2)
    assert c.const_delay == 0 and c.delays.dtype == np.uint8
    counts = np.bincount(c.delays, minlength=c.max_delay + 1).astype(float)
    p = d.pmf(0.1)
    p = np.concatenate([p, np.zeros(max(0, counts.size - p.size))])[: counts.size]
    keep = p * counts.sum() > 5
    expected = p[keep] / p[keep].sum() * counts[keep].sum()
    assert counts[~keep].sum() < 1e-3 * counts.sum() + 20
    chi2 = float(np.sum((counts[keep] - expected) ** 2 / expected))
    assert stats.chi2.sf(chi2, keep.sum() - 1) > 1e-4


def test_fixed_total_number_counts():
    """Fixed total number: round(K N_a) synapses per block, in-degrees binomial
    (mean K, variance K (1 - 1/N_a))."""
    net = LIFNetwork(
        N=(3000, 700), K=((40.5, 10.2), (30.0, 0.0)), J=((0.1, -0.4), (0.1, 0.0)),
        connectivity="fixed_total_number",
    )  # fmt: skip
    c = build_connectivity(net, rng=5)
    M = c.n_synapses
    assert M == round(40.5 * 3000) + round(10.2 * 3000) + round(30.0 * 700)
    mean, sd, _, _ = c.in_degree[(0, 0)]
    assert mean == pytest.approx(round(40.5 * 3000) / 3000, rel=1e-12)
    assert sd == pytest.approx(math.sqrt(40.5 * (1 - 1 / 3000)), rel=0.08)


def test_several_sources_give_poisson_drive():
    """Two Poisson sources of different weights: the input per step (from V of a neuron
    that never fires) has mean sum lam J and variance sum lam J^2."""
    dt, T = 0.1, 2000.0
    nu, C, J = (10.0, 30.0), (100.0, 20.0), (0.2, -0.7)
    net = LIFNetwork(
        N=(3,), K=((0,),), J=((0.0,),), V_th=1e6, V_reset=0.0, t_ref=0.0,
        nu_ext=(nu,), C_ext=(C,), J_ext=(J,),
    )  # fmt: skip
    res = simulate_lif(net, T, dt=dt, rng=6, V0=0.0, record_units="all", progress=False)
    P22 = math.exp(-dt / 20.0)
    V = np.vstack([np.zeros((1, 3)), res.V])
    inp = (V[1:] - V[:-1] * P22).ravel()
    lam = np.array(C) * np.array(nu) * dt * 1e-3
    mean = float(np.sum(lam * np.array(J)))
    var = float(np.sum(lam * np.array(J) ** 2))
    n = inp.size
    assert abs(inp.mean() - mean) < 5 * math.sqrt(var / n)
    assert inp.var() == pytest.approx(var, rel=5 * math.sqrt(2 / n) * 3)


def test_bytes_per_synapse_with_spread_and_delays():
    """int32 target + float32 weight + uint8 delay = 9 bytes per synapse (+ offsets)."""
    net = hetero(N=(600, 400, 300))
    c = build_connectivity(net, rng=0)
    N, P = sum(net.N), 3
    assert c.nbytes == 9 * c.n_synapses + 8 * N * (P + 1)
    est = memory_estimate(net, 10.0)
    assert est["synapses"] == pytest.approx(9 * c.n_synapses, rel=1e-12)


def test_bad_delays_rejected():
    """Delay laws with mass below dt cannot be simulated: a clear error."""
    with pytest.raises(ValueError, match="below one time"):
        simulate_lif(hetero(delay=Delay.gaussian(1.5, 0.75)), 5.0, progress=False)
    with pytest.raises(ValueError, match="below one time"):
        simulate_lif(hetero(delay=TG(1.5, 0.75, low=0.01)), 5.0, progress=False)
    with pytest.raises(ValueError, match="shorter than the time step"):
        simulate_lif(hetero(delay=Delay.uniform(0.05, 1.0)), 5.0, progress=False)
