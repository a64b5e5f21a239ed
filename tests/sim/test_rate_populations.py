"""Tests of rnmf.sim.rate_populations (batched multi-population rate networks, issue 14)."""

import numpy as np
import pytest

from rnmf.models import Drive, RateNetwork, RatePopulationNetwork
from rnmf.sim import simulate
from rnmf.sim._kernels.rate_populations import advance_dense, advance_sparse, tangent_dense
from rnmf.sim._reference_populations import tangent_reference, trajectory_reference
from rnmf.sim.rate_populations import (
    _params,
    lyapunov_populations,
    sample_population_network,
    simulate_rate_populations,
)


def two_pop(**kw):
    base = dict(
        N=60, fractions=(0.5, 0.5), g=[[1.5, 2.0], [1.0, 0.5]], J0=[[0.5, -1.0], [0.3, 0.0]],
        phi=("tanh", "relu"), tau=(1.0, 0.5), I0=(0.1, 0.3), sigma_I=(0.2, 0.0),
        sigma_noise=(0.1, 0.2),
    )  # fmt: skip
    base.update(kw)
    return RatePopulationNetwork(**base)


def ei(**kw):
    base = dict(
        N=100, fractions=(0.8, 0.2), connectivity="fixed_indegree", K=[[16, 4], [16, 4]],
        J=[[0.2, -0.9], [0.2, -0.8]], dale=True, phi="relu", I0=1.0,
    )  # fmt: skip
    base.update(kw)
    return RatePopulationNetwork(**base)


def _empty_records(m, B, P):
    return np.zeros((1, m, B, 0)), np.zeros((1, m, B, P, 4)), np.zeros(0, np.int64)


@pytest.mark.parametrize("method", ["euler", "exp_euler"])
def test_dense_kernel_equals_numpy_reference(method):
    """advance_dense == the NumPy twin (per-population phi and tau, drive, noise, batch)."""
    net = two_pop(drive=Drive("sine", amplitude=(0.5, 1.0), frequency=0.2))
    m, B, n = 2, 3, 25
    smp = sample_population_network(net, 1, networks=m)
    gen = np.random.default_rng(2)
    x = gen.standard_normal((m, net.N, B))
    noise = gen.standard_normal((n, m, net.N, B))
    drive = gen.standard_normal((n, m, net.N))
    pp = _params(net, 0.05, method, np.dtype(float), 1e10, 0, 10**9, 1)
    ref = trajectory_reference(x.copy(), smp.J, smp.I, drive, noise, n, pp)[-1]
    rec, st, units = _empty_records(m, B, net.P)
    xk = x.copy()
    steps, bad = advance_dense(
        xk, smp.J, smp.I, drive, noise, n, pp, units, rec, st, np.empty_like(x), np.empty_like(x)
    )
    assert steps == n and not bad
    np.testing.assert_allclose(xk, ref, rtol=1e-12, atol=1e-12)


def test_sparse_kernel_equals_dense_and_reference():
    """CSR pass == dense gemm == NumPy twin for a fixed in-degree network with Dale's law."""
    net = ei()
    m, B, n = 2, 4, 30
    sp = sample_population_network(net, 5, networks=m, sparse=True)
    de = sample_population_network(net, 5, networks=m, sparse=False)
    ip, ix, dv = sp.csr
    for k in range(m):  # same draws: the dense matrix is the CSR one
        dense = np.zeros((net.N, net.N))
        dense[np.repeat(np.arange(net.N), np.diff(ip[k])), ix[k]] = dv[k]
        np.testing.assert_array_equal(dense, de.J[k])
        assert np.all(np.diff(ip[k]) == 20)  # fixed in-degree: K_aE + K_aI
        assert np.all(dense[:, :80] >= 0) and np.all(dense[:, 80:] <= 0)  # Dale
    x = np.random.default_rng(0).standard_normal((m, net.N, B))
    pp = _params(net, 0.05, "euler", np.dtype(float), 1e10, 0, 10**9, 1)
    empty_d, empty_n = np.empty((0, m, net.N)), np.empty((0, m, net.N, B))
    rec, st, units = _empty_records(m, B, net.P)
    xs = x.copy()
    advance_sparse(
        xs,
        ip,
        ix,
        dv,
        sp.I,
        empty_d,
        empty_n,
        n,
        pp,
        units,
        rec,
        st,
        np.empty_like(x),
        np.empty_like(x),
    )
    ref = trajectory_reference(x.copy(), de.J, de.I, empty_d, empty_n, n, pp)[-1]
    np.testing.assert_allclose(xs, ref, rtol=1e-12, atol=1e-12)


def test_tangent_kernel_equals_reference():
    net = two_pop(sigma_noise=0.0)
    smp = sample_population_network(net, 3)
    gen = np.random.default_rng(1)
    x, Q = gen.standard_normal(net.N), gen.standard_normal((net.N, 3))
    pp = _params(net, 0.05, "euler", np.dtype(float), 1e10, 0, 0, 1)
    xr, Qr = tangent_reference(x.copy(), Q.copy(), smp.J[0], smp.I[0], 20, pp)
    xk, Qk = x.copy(), Q.copy()
    e2 = np.empty((0, net.N))
    assert tangent_dense(
        xk, Qk, smp.J[0], smp.I[0], e2, e2, 20, pp, np.empty((net.N, 4)), np.empty((net.N, 4))
    )
    np.testing.assert_allclose(xk, xr, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(Qk, Qr, rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize(
    "kw", [dict(g=1.8), dict(g=1.5, J0=0.3, I0=0.1, sigma_I=0.2, sigma_noise=0.3)]
)
def test_one_population_same_as_rate_simulator(kw):
    """A converted RateNetwork gives bit-identical results to rnmf.sim.simulate (same draws)."""
    r = RateNetwork(N=80, **kw)
    a = simulate(r, 5.0, dt=0.05, rng=3, record_units=10, burn_in=1.0)
    b = simulate_rate_populations(RatePopulationNetwork.from_rate_network(r), 5.0, dt=0.05, rng=3,
                                  record_units=10, burn_in=1.0)  # fmt: skip
    np.testing.assert_array_equal(a.t, b.t)
    np.testing.assert_allclose(b.x[:, 0, 0, :], a.x, rtol=0, atol=1e-12)
    np.testing.assert_allclose(b.mean_x2[:, 0, 0, 0], a.mean_x2, rtol=1e-12)


def test_batched_trials_equal_single_runs():
    """Trial b of a batched run == the same network run alone from the same x0."""
    net = two_pop(sigma_noise=0.0)
    x0 = np.random.default_rng(9).standard_normal((1, net.N, 3))
    J = sample_population_network(net, 4).J
    batch = simulate_rate_populations(net, 3.0, rng=4, trials=3, x0=x0, J=J, record_units="all")
    for b in range(3):
        one = simulate_rate_populations(net, 3.0, rng=4, x0=x0[0, :, b], J=J, record_units="all")
        np.testing.assert_allclose(batch.x[:, 0, b], one.x[:, 0, 0], rtol=1e-10, atol=1e-12)


def test_networks_are_independent_and_seeded():
    net = ei()
    a = simulate_rate_populations(net, 2.0, rng=7, networks=3, trials=2, record_units=5)
    b = simulate_rate_populations(net, 2.0, rng=7, networks=3, trials=2, record_units=5)
    np.testing.assert_array_equal(a.x, b.x)
    assert a.x.shape == (41, 3, 2, 5) and a.mean_x.shape == (41, 3, 2, 2)
    assert not np.allclose(a.x_final[0], a.x_final[1])


def test_divergence_flagged():
    net = RatePopulationNetwork(N=50, g=[[0.1]], J0=[[3.0]], phi="relu", I0=1.0)
    with pytest.warns(RuntimeWarning, match="simulate_rate_populations: the run diverged"):
        tr = simulate_rate_populations(net, 100.0, rng=1, dt=0.1, divergence_limit=1e6)
    assert tr.diverged and tr.diverged_at is not None and not tr.converged
    assert np.isnan(tr.mean_x[-1]).all()


def test_drive_callable_checked():
    bad = two_pop(drive=Drive("callable", func=lambda t: np.zeros(3)))
    with pytest.raises(ValueError, match=r"shape \(60,\)"):
        simulate_rate_populations(bad, 1.0, rng=1)
    nan = two_pop(drive=Drive("callable", func=lambda t: np.full(60, np.nan if t > 0.5 else 0.0)))
    with pytest.raises(ValueError, match="non-finite"):
        simulate_rate_populations(nan, 1.0, rng=1)


def test_step_drive_shifts_mean():
    """Linear units, a step of 1 at t = 5 on population 0: mean x approaches 1/(1 - 0) = 1."""
    net = RatePopulationNetwork(N=200, fractions=(0.5, 0.5), g=np.zeros((2, 2)), phi="linear",
                                drive=Drive("step", times=(5.0,), levels=((1.0, 0.0),)))  # fmt: skip
    tr = simulate_rate_populations(net, 20.0, rng=1, x0=np.zeros(200), dt=0.01)
    np.testing.assert_allclose(tr.mean_x[-1, 0, 0], [1.0 - np.exp(-15.0), 0.0], atol=2e-3)


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(dt=0.0), "dt"),
        (dict(dt=0.6), "min\\(tau\\)"),
        (dict(trials=0), "trials"),
        (dict(networks=0), "networks"),
        (dict(method="rk4"), "method"),
        (dict(x0=np.zeros(3)), "x0"),
        (dict(record_units=[100]), "record_units"),
    ],
)
def test_bad_input(kw, match):
    with pytest.raises(ValueError, match=match):
        simulate_rate_populations(two_pop(), 1.0, rng=1, **kw)


def test_lyapunov_quiet_and_driven():
    """Quiet linear network: lambda = -(1 - g_eff) exactly for the Euler map scaled; tanh g=0.5
    quiet state: lambda_max ~ -1 + 0.5 (bulk edge, finite N)."""
    net = RatePopulationNetwork(N=400, g=[[0.5]])
    L = lyapunov_populations(net, 50.0, rng=1, burn_in=20.0)
    assert abs(L.largest - (-0.5)) < 0.08
    driven = RatePopulationNetwork(
        N=200, g=[[0.5]], drive=Drive("sine", amplitude=1.0, frequency=0.1)
    )
    Ld = lyapunov_populations(driven, 30.0, rng=1, burn_in=10.0)
    assert Ld.largest < L.largest + 0.05  # a drive does not destabilise a quiet network


def test_vectorised_path_equals_kernel_path():
    """Large dense batches step in NumPy + gemm; the result equals the compiled kernel's."""
    import rnmf.sim.rate_populations as mod

    net = two_pop(N=64, drive=Drive("sine", amplitude=0.5, frequency=0.3))
    kw = dict(rng=2, trials=4, networks=2, record_units=5)
    old = mod._VECTOR_MIN
    try:
        mod._VECTOR_MIN = 10**12
        a = simulate_rate_populations(net, 2.0, **kw)
        mod._VECTOR_MIN = 1
        b = simulate_rate_populations(net, 2.0, **kw)
    finally:
        mod._VECTOR_MIN = old
    np.testing.assert_allclose(b.x, a.x, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(b.mean_phi2, a.mean_phi2, rtol=1e-10)


def test_given_couplings_checked_against_dale():
    """A model with dale=True refuses given couplings whose population columns mix signs."""
    N = 10
    C = np.abs(np.random.default_rng(0).standard_normal((N, N)))
    C[:, 8:] *= -1
    net = RatePopulationNetwork(N=N, fractions=(0.8, 0.2), connectivity="explicit", couplings=C,
                                dale=True, phi="tanh")  # fmt: skip
    simulate_rate_populations(net, 0.5, rng=1, J=C)
    bad = C.copy()
    bad[3, 1] = -0.5
    with pytest.raises(ValueError, match="Dale's law.*population 0.*column 1"):
        simulate_rate_populations(net, 0.5, rng=1, J=bad)
    with pytest.raises(ValueError, match="Dale's law"):
        lyapunov_populations(net, 1.0, rng=1, J=bad, burn_in=0.0)


def test_gaussian_block_shape_and_fractions_checked():
    with pytest.raises(ValueError, match=r"\(2, 2\) block matrix"):
        RatePopulationNetwork(N=10, fractions=(0.5, 0.5), g=np.ones((3, 3)))
    with pytest.raises(ValueError, match="sum to 1"):
        RatePopulationNetwork(N=10, fractions=(0.5, 0.6), g=np.ones((2, 2)))
