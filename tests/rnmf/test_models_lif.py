"""LIFNetwork and LIFNetwork.brunel: arguments validated before anything is derived
from them, the D / delay alias, and warnings on values in seconds or volts (issue 10)."""

from __future__ import annotations

import warnings

import pytest

from rnmf.models import LIFNetwork
from rnmf.models.lif import UnitsWarning


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(N_E=0), r"N_E \(excitatory neurons\) must be an integer >= 1"),
        (dict(epsilon=0), r"epsilon \(connection probability\) must be > 0"),
        (dict(J=0), r"J \(excitatory PSP, mV\) must be > 0"),
        (dict(tau_m=0), r"tau_m \(ms\) must be > 0"),
        (dict(gamma=0), r"gamma \(N_I / N_E\) must be > 0"),
        (dict(V_th=0), r"V_th .* must be > 0"),
        (dict(g=-1.0), r"g \(relative inhibition\) must be >= 0"),
        (dict(eta=float("nan")), r"eta .* must be finite"),
        (dict(epsilon=1.5), r"epsilon .* must be <= 1"),
        (dict(N_E=12.5), r"N_E .* must be an integer"),
        (dict(J="0.1"), r"J .* must be a real number"),
        (dict(N_E=5), r"epsilon \* N_E = 0.1 \* 5 gives C_E = 0"),
        (dict(N_E=2, epsilon=1.0, gamma=0.1), r"gamma \* N_E = 0.1 \* 2 rounds to 0"),
        (dict(D=2.0, delay=3.0), r"D = 2.0 and delay = 3.0 name the same synaptic delay"),
        (dict(delay=0.0), r"delay \(synaptic delay, ms\) must be > 0"),
    ],
)
def test_brunel_validates_its_own_arguments_first(kwargs, match):
    """Before issue 10, N_E=0, epsilon=0, J=0 and tau_m=0 raised ZeroDivisionError and
    other bad values messages about derived fields (K, nu_ext)."""
    with pytest.raises(ValueError, match=match) as info:
        LIFNetwork.brunel(**kwargs)
    assert "LIFNetwork.brunel" in str(info.value)


def test_brunel_rejects_unknown_and_derived_keywords():
    with pytest.raises(TypeError, match="unexpected keyword argument.*foo"):
        LIFNetwork.brunel(foo=1.0)
    with pytest.raises(TypeError, match="unexpected keyword argument.*nu_ext"):
        LIFNetwork.brunel(nu_ext=5.0)


def test_brunel_delay_is_an_alias_of_D():
    assert LIFNetwork.brunel(delay=3.0) == LIFNetwork.brunel(D=3.0)
    assert LIFNetwork.brunel(delay=3.0).delay == 3.0
    assert LIFNetwork.brunel(D=2.0, delay=2.0).delay == 2.0
    assert LIFNetwork.brunel().delay == 1.5


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(tau_m=0.02), r"tau_m = 0.02 ms looks like a value in seconds"),
        (dict(D=0.0015), r"D = 0.0015 ms looks like a value in seconds"),
        (dict(delay=0.0015), r"delay = 0.0015 ms looks like a value in seconds"),
        (dict(t_ref=0.002), r"t_ref = 0.002 ms looks like a value in seconds"),
        (dict(tau_s=0.005), r"tau_s = 0.005 ms looks like a value in seconds"),
        (dict(V_th=0.02, V_reset=0.01), r"V_th = 0.02 mV looks like a value in volts"),
        (dict(V_th=20.2, V_reset=20.0), r"V_th - V_reset = 0.2 mV .* looks like values in volts"),
    ],
)
def test_brunel_warns_on_seconds_and_volts(kwargs, match):
    with pytest.warns(UnitsWarning, match=match) as record:
        LIFNetwork.brunel(**kwargs)
    assert len(record) == 1  # once, not again from LIFNetwork.__post_init__
    assert record[0].filename == __file__  # points at the caller


def test_lif_network_fields_warn_and_name_volts():
    with pytest.warns(UnitsWarning, match="tau_m = 0.01 ms looks like a value in seconds"):
        LIFNetwork(N=(10,), K=1, J=0.1, tau_m=0.01)
    with pytest.warns(UnitsWarning), pytest.raises(ValueError, match="given in volts"):
        LIFNetwork.brunel(V_th=0.02)


def test_plausible_values_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LIFNetwork.brunel(6.0, 4.0, D=3.0, t_ref=0.0, tau_s=0.0)
        LIFNetwork(N=(10,), K=1, J=0.1, tau_m=10.0, t_ref=0.5, tau_s=0.5, delay=0.1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(N=("a",)), r"LIFNetwork.N\[0\] must be an integer"),
        (dict(N=(10.5,)), r"LIFNetwork.N\[0\] must be an integer"),
        (dict(K="1"), r"LIFNetwork.K .* must hold real numbers"),
        (dict(J=[["x"]]), r"LIFNetwork.J .* must hold real numbers"),
        (dict(nu_ext="5"), r"LIFNetwork.nu_ext .* must hold real numbers"),
        (dict(tau_m="20"), r"LIFNetwork.tau_m .* must be a real number"),
        (dict(name=3), r"LIFNetwork.name must be a string"),
    ],
)
def test_lif_network_fields_name_themselves(kwargs, match):
    args = dict(N=(10,), K=1, J=0.1)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        LIFNetwork(**args)


# ---------------------------------------------------------------- issue 15: many populations
import math  # noqa: E402

import numpy as np  # noqa: E402
from scipy import integrate, stats  # noqa: E402

from rnmf.models import Delay  # noqa: E402


def _two(**kw):
    args = dict(N=(100, 50), K=[[10, 5], [10, 5]], J=[[0.1, -0.5], [0.1, -0.5]])
    args.update(kw)
    return LIFNetwork(**args)


def test_per_population_neuron_parameters():
    net = _two(tau_m=(20.0, 10.0), t_ref=(2.0, 1.0), V_th=20.0, C_m=(250.0, 200.0))
    assert net.tau_m == (20.0, 10.0) and net.V_th == 20.0
    np.testing.assert_array_equal(net.neuron("tau_m"), [20.0, 10.0])
    np.testing.assert_array_equal(net.neuron("V_th"), [20.0, 20.0])
    assert not net.homogeneous
    # equal entries collapse to the scalar: the homogeneous model is unchanged
    assert _two(tau_m=(20.0, 20.0)) == _two()
    assert _two(tau_m=(20.0, 20.0)).tau_m == 20.0 and _two().homogeneous


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            dict(tau_m=(20.0, 10.0, 5.0)),
            r"LIFNetwork.tau_m \(ms\) must be a number or one value per population \(2\)",
        ),
        (dict(t_ref=(2.0, -1.0)), r"LIFNetwork.t_ref \(ms\)\[1\] must be >= 0"),
        (dict(V_reset=(10.0, 25.0)), r"LIFNetwork.V_reset\[1\] \(25 mV\) must be below V_th\[1\]"),
        (dict(C_m=(250.0, 0.0)), r"LIFNetwork.C_m \(pF\)\[1\] must be > 0"),
        (dict(nu_ext=[[1.0, 2.0]]), r"LIFNetwork.nu_ext \(Hz\) must have one entry per population"),
        (
            dict(nu_ext=[[1, 2], [3, 4]], C_ext=[[1, 2, 3], [1, 2, 3]]),
            "same number of external sources",
        ),
        (dict(J_sd=-0.1), r"LIFNetwork.J_sd .* must be >= 0"),
        (dict(J_truncate="yes"), "LIFNetwork.J_truncate must be True or False"),
        (dict(delay=[[1.0, -1.0], [1.0, 1.0]]), r"LIFNetwork.delay\[0\]\[1\] \(ms\) must be > 0"),
        (dict(delay=[[1.0, 1.0]]), r"LIFNetwork.delay \(ms\) must be a number, a Delay, or a 2x2"),
        (dict(delay=Delay.uniform(1, 2), delay_max=3.0), "delay_max applies to a scalar delay"),
    ],
)
def test_many_population_fields_name_themselves(kwargs, match):
    with pytest.raises(ValueError, match=match):
        _two(**kwargs)


def test_several_external_sources():
    net = _two(nu_ext=[[8.0, 15.0], [8.0, 0.0]], C_ext=[[100, 10], [80, 0]], J_ext=0.2)
    rates, k, w = net.external()
    assert net.n_sources == 2 and rates.shape == k.shape == w.shape == (2, 2)
    np.testing.assert_array_equal(w, 0.2)
    one = _two(nu_ext=5.0, C_ext=100)
    assert one.n_sources == 1 and one.nu_ext == (5.0, 5.0)
    assert one.external()[0].shape == (2, 1)


def test_delay_forms_and_matrix():
    d = Delay.truncated_gaussian(1.5, 0.75, low=0.1)
    assert _two(delay=d).delay == d
    assert _two(delay=[[1.5, 1.5], [1.5, 1.5]]).delay == 1.5  # collapses to the old float
    mixed = _two(delay=[[d, 0.8], [d, 0.8]])
    m = mixed.delay_matrix()
    assert m[0][0] == d and m[1][1] == Delay.fixed(0.8)
    assert _two(delay=1.0, delay_max=2.0).delay_matrix()[0][1] == Delay.uniform(1.0, 2.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(kind="fixed", mean=-1.0), r"Delay.mean \(ms\) must be >= 0"),
        (dict(kind="uniform", low=-1.0, high=1.0), r"Delay.low \(ms\) must be >= 0"),
        (dict(kind="uniform", low=2.0, high=1.0), r"Delay.high \(1 ms\) must be >= Delay.low"),
        (dict(kind="truncated_gaussian", mean=1.0, sd=0.5, low=-0.5), "no negative delays"),
        (dict(kind="gaussian", mean=1.0, sd=0.0), r"Delay.sd \(ms\) must be > 0"),
        (dict(kind="lognormal", mean=0.0, sd=1.0), "must be > 0 for kind='lognormal'"),
        (dict(kind="weibull", mean=1.0), "Delay.kind must be one of"),
        (dict(kind="truncated_gaussian", mean=-50.0, sd=1.0), "has no mass on"),
    ],
)
def test_delay_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Delay(**kwargs)


@pytest.mark.parametrize(
    "d",
    [
        Delay.gaussian(1.5, 0.75),
        Delay.truncated_gaussian(0.75, 0.375),  # truncated at 0: mass below 0.1 ms
        Delay.uniform(0.0, 1.0),
        Delay.fixed(0.05),
    ],
)
def test_delay_pmf_refuses_mass_below_one_step(d):
    with pytest.raises(ValueError, match=r"of its mass below one time step dt = 0.1 ms"):
        d.pmf(0.1)


@pytest.mark.parametrize(
    "d",
    [
        Delay.fixed(1.5),
        Delay.uniform(1.0, 2.0),
        Delay.truncated_gaussian(1.5, 0.75, low=0.1),
        Delay.truncated_gaussian(1.5, 0.75, low=0.1, high=2.0),
        Delay.lognormal(1.5, 0.5),
    ],
)
def test_delay_pmf_and_laplace(d):
    """pmf: mass 1, mean within dt^2/12-type rounding error of the true mean (0.1 ms grid);
    laplace: against adaptive quadrature of the density at complex arguments."""
    p = d.pmf(0.1)
    assert p[0] == 0.0 and math.isclose(p.sum(), 1.0, rel_tol=1e-12)
    mean, sd = d.moments()
    assert abs((np.arange(p.size) * 0.1 * p).sum() - mean) < 2e-3
    assert abs(d.laplace(0.0) - 1.0) < 1e-12
    if d.kind == "fixed":
        assert abs(d.characteristic(2.0) - np.exp(-3j)) < 1e-15
        return
    if d.kind == "uniform":
        pdf = lambda x: np.ones_like(x) / (d.high - d.low)  # noqa: E731
    elif d.kind == "lognormal":
        s2 = math.log1p((d.sd / d.mean) ** 2)
        pdf = lambda x: stats.lognorm.pdf(x, math.sqrt(s2), scale=d.mean * math.exp(-s2 / 2))  # noqa: E731
    else:
        a, b = (d.low - d.mean) / d.sd, (d.high - d.mean) / d.sd
        pdf = lambda x: stats.truncnorm.pdf(x, a, b, loc=d.mean, scale=d.sd)  # noqa: E731
    lo, hi = d.support(1e-15)
    for lam in (0.4, 3j, 1 - 6j, 60j, -0.5 + 2j):
        re = integrate.quad(
            lambda x, lam=lam: (np.exp(-lam * x) * pdf(x)).real, lo, hi, limit=4000, epsabs=1e-14
        )[0]
        im = integrate.quad(
            lambda x, lam=lam: (np.exp(-lam * x) * pdf(x)).imag, lo, hi, limit=4000, epsabs=1e-14
        )[0]
        assert abs(d.laplace(lam) - (re + 1j * im)) < 1e-9


def test_weight_moments():
    net = _two(J_sd=0.5)
    m1, m2 = net.weight_moments()
    np.testing.assert_allclose(m1, net.J)
    np.testing.assert_allclose(m2, np.asarray(net.J) ** 2 * 1.25)
    tr = _two(J_sd=0.5, J_truncate=True)
    m1, m2 = tr.weight_moments()
    # the relative factor 1 + s xi conditioned on > 0 (scipy truncnorm as the oracle)
    t = stats.truncnorm(-2.0, np.inf, loc=1.0, scale=0.5)
    np.testing.assert_allclose(m1, np.asarray(tr.J) * t.mean(), rtol=1e-12)
    np.testing.assert_allclose(m2, np.asarray(tr.J) ** 2 * t.moment(2), rtol=1e-12)


def test_from_probabilities_validates_and_matches_rule():
    with pytest.raises(ValueError, match=r"p\[0\]\[1\] = -0.2 must lie in \[0, 1"):
        LIFNetwork.from_probabilities((100, 50), [[0.1, -0.2], [0.3, 0.1]], 0.1)
    with pytest.raises(ValueError, match=r"p\[1\]\[1\] = 1.5 must lie in \[0, 1\]"):
        LIFNetwork.from_probabilities(
            (100, 50), [[0.1, 0.2], [0.3, 1.5]], 0.1, connectivity="bernoulli"
        )
    net = LIFNetwork.from_probabilities((100, 50), [[0.1, 0.2], [0.3, 0.4]], 0.1)
    # probability that a pair is connected by >= 1 of the K N_a synapses drawn with replacement
    S = np.asarray(net.K) * np.array([[100], [50]])
    pairs = np.array([[100 * 100, 100 * 50], [50 * 100, 50 * 50]])
    np.testing.assert_allclose(1 - (1 - 1 / pairs) ** S, [[0.1, 0.2], [0.3, 0.4]], rtol=1e-12)


def test_microcircuit_tables():
    """Potjans & Diesmann (2014) Table 5; in-degrees against NNMT 1.3.0's fixture
    tests/fixtures/integration/config/network_params.yaml: equal to 2e-8 for the large
    in-degrees, to 3.4e-5 for the smallest (NNMT's table was computed from probabilities
    with more digits than the 4 of PD2014's Table 5; the difference grows as p shrinks)."""
    net = LIFNetwork.microcircuit()
    assert sum(net.N) == 77169 and net.P == 8 and net.connectivity == "fixed_total_number"
    K = np.asarray(net.K)
    nnmt_K = {(0, 0): 2199.86486, (0, 1): 1079.32007, (2, 2): 1117.17312}
    for (a, b), v in nnmt_K.items():
        assert math.isclose(K[a, b], v, rel_tol=2e-8)
    assert math.isclose(K[2, 5], 0.319552818, rel_tol=4e-5)
    assert math.isclose(K[5, 3], 12.0666667, rel_tol=4e-5)
    J = np.asarray(net.J)
    assert math.isclose(J[1, 0], 87.8 * 0.5 / 250.0) and math.isclose(J[0, 2], 2 * J[1, 0])
    assert math.isclose(J[3, 1], -4 * J[1, 0])
    assert net.mu_ext == (0.0,) * 8 and net.n_sources == 1
    d = net.delay_matrix()
    assert d[5][2] == Delay.truncated_gaussian(1.5, 0.75, low=0.1)
    assert d[5][3] == Delay.truncated_gaussian(0.75, 0.375, low=0.1)
    assert net.neuron("E_L")[0] == -65.0 and net.tau_s == 0.5
    th = LIFNetwork.microcircuit(thalamic=True)
    k_th = th.external()[1][:, 1]
    assert k_th[0] == 0.0 and math.isclose(k_th[2], -902 * math.log1p(-0.0983), rel_tol=1e-6)


def test_microcircuit_scaling_keeps_the_mean_and_variance_of_the_input():
    """van Albada, Helias & Diesmann (2015) eqs. 2-3: at the full-scale rates the scaled
    network receives the same input mean (DC compensation) and variance."""
    nu = np.array([1.0, 3.0, 4.0, 6.0, 8.0, 9.0, 1.0, 7.0])

    def stats_(net):
        K, J, J2 = np.asarray(net.K), np.asarray(net.J), net.weight_moments()[1]
        r, k, w = net.external()
        mu = 10.0 * (K * J @ nu + np.sum(k * w * r, 1)) / 1000 + np.asarray(net.mu_ext)
        var = 10.0 * (K * J2 @ nu + np.sum(k * w**2 * r, 1)) / 1000
        return mu, var

    full = stats_(LIFNetwork.microcircuit(thalamic=True))
    small = LIFNetwork.microcircuit(0.1, thalamic=True, full_rates=nu)
    assert small.N[0] == 2068
    for a, b in zip(full, stats_(small), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    dc = LIFNetwork.microcircuit(background="dc")
    base = stats_(LIFNetwork.microcircuit())
    mu_dc, var_dc = stats_(dc)
    np.testing.assert_allclose(mu_dc, base[0], rtol=1e-12)  # same mean, background as DC
    assert np.all(var_dc < base[1])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(scale=0.0), "scale must be > 0"),
        (dict(scale=2.0), r"scale must lie in \(0, 1\]"),
        (dict(k_scale=1.5), r"k_scale must lie in \(0, 1\]"),
        (dict(full_rates=[1.0] * 7), "full_rates .* must be 8 finite rates"),
        (dict(background="noise"), "background must be one of"),
        (dict(thalamic_rate=-1.0), "thalamic_rate .* must be >= 0"),
    ],
)
def test_microcircuit_validates(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LIFNetwork.microcircuit(**kwargs)
