"""Working point of many-population LIF networks (issue 15): per-population neurons,
several external sources, weight spread, exponential synapses (shift and Taylor), the
Potjans & Diesmann (2014) microcircuit against NNMT 1.3.0, and the batched Newton search.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from rnmf.models import LIFNetwork
from rnmf.theory import lif
from rnmf.theory.lif.neuron import _taylor_and_derivatives
from rnmf.validate._nnmt_microcircuit import NNMT_SHIFT, NNMT_TAYLOR
from rnmf.validate._nnmt_microcircuit import nnmt_microcircuit as _nnmt_microcircuit


@pytest.mark.parametrize(("synapse", "ref"), [("shift", NNMT_SHIFT), ("taylor", NNMT_TAYLOR)])
def test_microcircuit_rates_match_nnmt(synapse, ref):
    """NNMT 1.3.0 fixture std_results.h5 (see above): relative 1e-10 required."""
    res = lif.stationary_rates(_nnmt_microcircuit(), synapse=synapse)
    assert res.converged and res.stable and res.n_solutions == 1
    np.testing.assert_allclose(res.rates, ref, rtol=1e-10, atol=0)
    # the low-rate start alone gives the same point
    fast = lif.stationary_rates(_nnmt_microcircuit(), synapse=synapse, n_starts=0)
    np.testing.assert_allclose(fast.rates, ref, rtol=1e-10, atol=0)


@pytest.mark.parametrize(
    ("synapse", "ref"),
    [
        ("shift", [32.3098618003123, 15.919886657455171, 43.79717697071967, 103.65934159661565]),
        (
            "taylor",
            [30.539266459747328, 13.590134444635867, 40.40963700624318, 102.49697927754588],
        ),
    ],
)
def test_single_neuron_colored_noise_rates_match_nnmt(synapse, ref):
    """NNMT 1.3.0 fixtures lif_exp_firing_rate_shift.h5 / _taylor.h5, group
    'fully_vectorized' (SI units there: converted to mV and ms)."""
    V_0 = [0.0, 0.1, 0.2, 0.3]
    V_th = [20.0, 25.0, 15.0, 18.0]
    mu = [2.0, 3.0, 4.0, 5.0]
    sigma = [30.0, 30.0, 40.0, 50.0]
    tau_m = [10.0, 12.0, 15.0, 9.0]
    tau_r = [2.0, 3.0, 1.5, 1.0]
    tau_s = [1.0, 2.0, 3.0, 0.5]
    for a in range(4):
        nu = lif.siegert(
            mu[a],
            sigma[a],
            tau_m=tau_m[a],
            V_th=V_th[a],
            V_reset=V_0[a],
            t_ref=tau_r[a],
            tau_s=tau_s[a],
            synapse=synapse,
        )
        assert math.isclose(nu, ref[a], rel_tol=1e-12)


def test_taylor_derivatives_are_exact():
    """Analytic dnu/dmu, dnu/dsigma of the Taylor rate against central differences."""
    mu = np.array([5.0, 12.0, 18.0, 25.0])
    sigma = np.array([4.0, 3.0, 6.0, 2.0])
    args = (10.0, 15.0, 0.0, 2.0, 0.5)
    nu, dmu, dsig = _taylor_and_derivatives(mu, sigma, *args)
    h = 1e-5
    fd_mu = (
        _taylor_and_derivatives(mu + h, sigma, *args)[0]
        - _taylor_and_derivatives(mu - h, sigma, *args)[0]
    ) / (2 * h)
    fd_sig = (
        _taylor_and_derivatives(mu, sigma + h, *args)[0]
        - _taylor_and_derivatives(mu, sigma - h, *args)[0]
    ) / (2 * h)
    np.testing.assert_allclose(dmu, fd_mu, rtol=1e-6)
    np.testing.assert_allclose(dsig, fd_sig, rtol=1e-6)


def test_finds_all_nine_states_of_two_bistable_populations():
    """Two uncoupled excitatory populations, each with three states (silent, low,
    high; the 1-D scan is the certified oracle) have 3 x 3 = 9 joint fixed points; the
    stable ones are the products of stable states."""
    kw = dict(J=0.4, nu_ext=3.0, C_ext=200, J_ext=0.4, t_ref=2.0)
    one = lif.stationary_rates(LIFNetwork(N=(1000,), K=[[200]], **kw))
    assert one.complete and one.n_solutions == 3
    r = [float(s.rates[0]) for s in one.solutions]
    st = [s.stable for s in one.solutions]
    two = lif.stationary_rates(LIFNetwork(N=(1000, 1000), K=[[200, 0], [0, 200]], **kw))
    assert two.n_solutions == 9 and not two.complete
    for s in two.solutions:
        i, j = (int(np.argmin([abs(x - v) / max(v, 1e-300) for v in r])) for x in s.rates)
        np.testing.assert_allclose(s.rates, [r[i], r[j]], rtol=1e-9)
        assert s.stable == (st[i] and st[j])


def test_per_population_neurons_and_sources_are_self_consistent():
    """A 3-population network with its own neuron per population, two external sources
    and a weight spread: every population's rate is the scalar Siegert formula of its
    own neuron at the input statistics written out by hand."""
    net = LIFNetwork(
        N=(800, 200, 300),
        K=[[80, 20, 30], [80, 20, 30], [40, 20, 10]],
        J=[[0.2, -1.0, 0.3], [0.25, -0.8, 0.2], [0.2, -1.0, 0.1]],
        tau_m=(20.0, 10.0, 15.0),
        t_ref=(2.0, 1.0, 3.0),
        V_th=(20.0, 18.0, -50.0),
        V_reset=(10.0, 8.0, -60.0),
        E_L=(0.0, 0.0, -70.0),
        tau_s=(0.0, 0.5, 1.0),
        nu_ext=[[10.0, 5.0], [10.0, 0.0], [8.0, 20.0]],
        C_ext=[[800, 100], [700, 0], [900, 200]],
        J_ext=[[0.2, 0.3], [0.2, 0.0], [0.2, 0.2]],
        mu_ext=(1.0, 0.0, 2.0),
        J_sd=0.3,
    )
    res = lif.stationary_rates(net)
    assert res.converged
    nu = res.rates
    K, J = np.asarray(net.K), np.asarray(net.J)
    rates, k_ext, w_ext = net.external()
    tau = np.array([20.0, 10.0, 15.0])
    mu = tau / 1000 * (K * J @ nu + np.sum(k_ext * w_ext * rates, 1)) + [1.0, 0.0, 2.0]
    var = tau / 1000 * (K * J**2 * 1.09 @ nu + np.sum(k_ext * w_ext**2 * rates, 1))
    m2, s2 = lif.input_statistics(net, nu)
    np.testing.assert_allclose(m2, mu, rtol=1e-13)
    np.testing.assert_allclose(s2, np.sqrt(var), rtol=1e-13)
    th, re = [20.0, 18.0, 20.0], [10.0, 8.0, 10.0]
    for a in range(3):
        ref = lif.siegert(
            mu[a],
            math.sqrt(var[a]),
            tau_m=tau[a],
            V_th=th[a],
            V_reset=re[a],
            t_ref=[2.0, 1.0, 3.0][a],
            tau_s=[0.0, 0.5, 1.0][a],
        )
        assert math.isclose(nu[a], ref, rel_tol=1e-11)


def test_homogeneous_results_unchanged_by_the_generalisation():
    """docs/references.md sec. 3: Brunel model A, g = 5, eta = 2 (37.94969709 Hz)."""
    res = lif.stationary_rates(LIFNetwork.brunel(5.0, 2.0))
    assert math.isclose(res.rates[0], 37.94969709, rel_tol=1e-9)
    # E and I with the same neuron given as a tuple collapse to one group
    net = dataclasses.replace(LIFNetwork.brunel(5.0, 2.0), tau_m=(20.0, 20.0))
    assert lif.stationary_rates(net).method.startswith("scan")


def test_silent_network():
    """Deeply subthreshold drive: every population near silent (rates below 1e-60 Hz),
    found from the start at the external drive alone, in log-rates."""
    net = LIFNetwork(
        N=(800, 200, 300),
        K=[[80, 20, 30], [80, 20, 30], [40, 20, 10]],
        J=[[0.2, -1.0, 0.3], [0.25, -0.8, 0.2], [0.2, -1.0, 0.1]],
        tau_m=(20.0, 10.0, 15.0),
        t_ref=(2.0, 1.0, 3.0),
        nu_ext=10.0,
        C_ext=(100, 80, 90),
        J_ext=0.2,
    )
    res = lif.stationary_rates(net)
    assert res.converged and res.stable and np.all(res.rates < 1e-60)
    assert np.all(res.mu < 20.0 - 5 * res.sigma)  # far below threshold


def test_bad_synapse_argument_is_named():
    with pytest.raises(ValueError, match="synapse must be one of"):
        lif.stationary_rates(LIFNetwork.brunel(), synapse="alpha")
    with pytest.raises(ValueError, match="n_starts must be an integer >= 0"):
        lif.stationary_rates(LIFNetwork.brunel(), n_starts=-1)


def test_scaled_microcircuit_keeps_the_full_scale_working_point():
    """van Albada, Helias & Diesmann (2015): with in-degrees k K, weights J / sqrt(k) and
    the DC compensation computed at the full-scale rates, the scaled network has the
    full-scale working point (mean and variance of every input are unchanged)."""
    full = lif.stationary_rates(LIFNetwork.microcircuit(thalamic=True), n_starts=0)
    small = LIFNetwork.microcircuit(0.1, thalamic=True, full_rates=full.rates)
    res = lif.stationary_rates(small, n_starts=0)
    np.testing.assert_allclose(res.rates, full.rates, rtol=1e-10)
    np.testing.assert_allclose(res.mu, full.mu, rtol=1e-10)
    np.testing.assert_allclose(res.sigma, full.sigma, rtol=1e-10)
