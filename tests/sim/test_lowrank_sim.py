"""Low-rank simulator (rnmf.sim.lowrank) against independent oracles and the theory.

Oracles: a dense NumPy stepping written in this file (forms J = g chi + m n^T / N, unlike
the O(N R) kernel), closed forms (linear network: matrix exponential), and the mean-field
theory (rnmf.theory.lowrank) evaluated at the SAMPLE statistics of the simulated vectors
(docs/references.md sec. 4: finite-N deviations are O(1/sqrt(N)), a few percent at N = 2000).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.linalg import expm

from rnmf.models import LowRankNetwork
from rnmf.sim.lowrank import simulate_lowrank, step_coefficients_lowrank
from rnmf.theory import lowrank as lr
from rnmf.transfer import Transfer

REF = dict(M_m=1.1, M_n=2.0, S_m=1.0, S_n=0.0)


def _dense_oracle(net, traj, seed, *, x0=None, kappa0=None, U=None):
    """Replay the documented draw order with a dense J (independent of the kernel)."""
    rng = np.random.default_rng(seed)
    m, n, I = net.sample_loadings(rng)
    N = net.N
    J = m @ n.T / N
    if net.g > 0:
        J = J + net.g / math.sqrt(N) * rng.standard_normal((N, N))
    if x0 is None and kappa0 is None:
        x = rng.standard_normal(N)
    elif x0 is not None:
        x = np.array(x0, float)
    else:
        x = m @ np.atleast_1d(kappa0)
    a, b, c = step_coefficients_lowrank(net, traj.dt, traj.method)
    if U is None:
        U = np.broadcast_to(np.asarray(net.inputs, float), (traj.n_steps, net.K))
    xs, ks = [x.copy()], [n.T @ net.phi(x) / N]
    for k in range(traj.n_steps):
        x = a * x + b * (J @ net.phi(x) + I @ U[k])
        if net.sigma_noise > 0:
            x = x + c * rng.standard_normal(N)
        xs.append(x.copy())
        ks.append(n.T @ net.phi(x) / N)
    return np.array(xs), np.array(ks)


@pytest.mark.parametrize("phi", ["tanh", "erf", "relu", "linear"])
@pytest.mark.parametrize("method", ["euler", "exp_euler"])
@pytest.mark.parametrize("g", [0.0, 0.9])
def test_kernel_matches_dense_oracle(phi, method, g):
    """O(N R) kernel == dense NumPy stepping to 1e-12 (N = 60, rank 2, one input, 40 steps)."""
    C = np.eye(5) * 0.5
    C[0, 2] = C[2, 0] = 0.3
    net = LowRankNetwork(
        N=60, g=g, R=2, means=[0.5, -0.2, 1.0, 0.3, 0.2], cov=C, inputs=(0.7,), phi=phi
    )
    tr = simulate_lowrank(net, 2.0, dt=0.05, rng=4, method=method, record_units=60)
    xs, ks = _dense_oracle(net, tr, 4)
    np.testing.assert_allclose(tr.x, xs, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tr.kappa, ks, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tr.mean_x, xs.mean(axis=1), atol=1e-12)


def test_noise_and_time_varying_input_match_oracle():
    """White noise and a per-step input series (draw order: loadings, chi, x0, noise)."""
    net = LowRankNetwork(
        N=40, g=0.5, R=1, means=[1.0, 1.0, 0.5], cov=np.diag([1.0, 0.2, 1.0]), sigma_noise=0.3
    )
    U = np.sin(np.arange(30) * 0.3)[:, None]
    tr = simulate_lowrank(net, 3.0, dt=0.1, rng=9, u=U, record_units=40)
    xs, ks = _dense_oracle(net, tr, 9, U=U)
    np.testing.assert_allclose(tr.x, xs, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tr.kappa, ks, rtol=1e-12, atol=1e-12)


def test_custom_phi_path_and_vector_path():
    """A custom Transfer (NumPy path) and the vectorised tanh path of large purely low-rank
    networks (N >= 4000) agree with the dense-free oracle."""
    cube = Transfer(
        "custom",
        func=lambda x: np.tanh(x) ** 3,
        deriv=lambda x: 3 * np.tanh(x) ** 2 / np.cosh(x) ** 2,
    )
    net = LowRankNetwork.rank_one(N=30, g=0.4, M_m=1.0, M_n=2.0, S_m=0.5, phi=cube)
    tr = simulate_lowrank(net, 1.0, dt=0.1, rng=1, record_units=30)
    xs, _ = _dense_oracle(net, tr, 1)
    np.testing.assert_allclose(tr.x, xs, rtol=1e-12, atol=1e-12)
    big = LowRankNetwork.rank_one(N=5000, g=0.0, M_m=1.0, M_n=2.0, S_m=0.5, S_n=0.3)
    tr = simulate_lowrank(big, 1.0, dt=0.1, rng=2, record_units=5)
    rng = np.random.default_rng(2)
    m, n, _ = big.sample_loadings(rng)
    x = rng.standard_normal(5000)
    a, b, _ = step_coefficients_lowrank(big, 0.1, "exp_euler")
    for _ in range(10):
        x = a * x + b * m[:, 0] * (n[:, 0] @ np.tanh(x) / 5000)
    np.testing.assert_allclose(tr.x_final, x, rtol=1e-12, atol=1e-12)
    assert tr.kappa[-1, 0] == pytest.approx(n[:, 0] @ np.tanh(x) / 5000, rel=1e-12)


def test_bitwise_reproducible():
    net = LowRankNetwork.rank_one(N=200, g=1.5, M_m=1.0, M_n=1.0, S_m=1.0, sigma_noise=0.2)
    a = simulate_lowrank(net, 2.0, dt=0.1, rng=5)
    b = simulate_lowrank(net, 2.0, dt=0.1, rng=5)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.kappa, b.kappa)
    c = simulate_lowrank(net, 2.0, dt=0.1, rng=6)
    assert not np.array_equal(a.x, c.x)


def test_linear_network_matrix_exponential():
    """phi = linear, exp-Euler with dt -> exact for ... compare Euler at small dt with
    expm((J - 1) t) x0 (error O(dt))."""
    net = LowRankNetwork.rank_one(
        N=50, g=0.3, M_m=0.5, M_n=0.5, S_m=1.0, S_n=1.0, rho=0.3, phi="linear"
    )
    tr = simulate_lowrank(
        net, 2.0, dt=0.001, rng=3, method="euler", record_units=50, record_every=2000
    )
    rng = np.random.default_rng(3)
    m, n, _ = net.sample_loadings(rng)
    J = m @ n.T / 50 + 0.3 / math.sqrt(50) * rng.standard_normal((50, 50))
    x0 = rng.standard_normal(50)
    want = expm((J - np.eye(50)) * 2.0) @ x0
    np.testing.assert_allclose(tr.x[-1], want, atol=2e-3 * np.max(np.abs(want)))


# ----------------------------------------------------------------- sim vs theory
def _stationary(tr):
    return tr.kappa[:, 0].mean(), tr.mean_x.mean(), tr.var_x.mean()


def test_bistable_pair_reached_from_both_sides():
    """Reference point (docs/references.md sec. 4), N = 2000, g = 1: started at x0 = +-m, the network
    settles on the two mirror states; kappa, mu, Delta0 agree with the theory at the sample
    statistics within 8% (single network; the O(1/sqrt N) network-to-network spread is ~3%,
    see the slow multi-seed test), and the two states are exact mirror images (odd phi)."""
    net = LowRankNetwork.rank_one(N=2000, g=1.0, **REF)
    out = {}
    for sgn in (1, -1):
        tr = simulate_lowrank(net, 5.0, dt=0.1, rng=0, burn_in=40.0, kappa0=[sgn], record_every=10)
        out[sgn] = _stationary(tr)
    th = lr.solve(tr.sampled_network(), chaotic=False)
    stable = sorted((s for s in th.solutions if s.stable), key=lambda s: s.kappa[0])
    assert len(stable) == 2
    for sgn, st in zip((-1, 1), stable, strict=True):
        k, mu, D0 = out[sgn]
        assert np.sign(k) == sgn
        assert k == pytest.approx(st.kappa[0], rel=0.08)
        assert mu == pytest.approx(st.mu, rel=0.08)
        assert D0 == pytest.approx(st.Delta0, rel=0.08)
    assert out[1][0] == pytest.approx(-out[-1][0], rel=1e-12)


def test_quiet_state_g_below_one():
    """M_m M_n < 1, g < 1: every state decays to the quiet state x = 0 (theory: unique stable)."""
    net = LowRankNetwork.rank_one(N=500, g=0.5, M_m=0.8, M_n=1.0, S_m=1.0)
    tr = simulate_lowrank(net, 1.0, dt=0.1, rng=1, burn_in=60.0)
    th = lr.solve(net, chaotic=False)
    assert th.regime == "quiet" and len(th.solutions) == 1
    assert np.max(np.abs(tr.x_final)) < 1e-6


def test_latent_trajectory_under_step_input():
    """g = 0, rank one with an input vector, step input at t = 5: the simulated projection
    n^T phi(x)/N (N = 20000) follows the latent ODE (Beiran et al. 2021) to 3% of its range
    (the Monte-Carlo error of a sample average over N units is O(1/sqrt(N)), ~1%)."""
    C = np.diag([1.0, 0.0, 1.0])
    C[0, 2] = C[2, 0] = 0.5
    C[1, 0] = C[0, 1] = 0.0
    net = LowRankNetwork(N=20000, g=0.0, R=1, means=[0.5, 1.2, 1.0], cov=C)
    dt, T = 0.05, 20.0
    n = int(T / dt)
    U = np.zeros((n, 1))
    U[int(5 / dt) :] = 1.5
    tr = simulate_lowrank(net, T, dt=dt, rng=3, u=U, kappa0=[0.3], record_every=1)
    lat = lr.latent_dynamics(tr.sampled_network(), T, dt=dt, u=U, kappa0=[0.3])
    scale = np.max(np.abs(lat.projection))
    assert np.max(np.abs(tr.kappa[:, 0] - lat.projection[:, 0])) < 0.03 * scale
    assert lat.projection[-1, 0] > 2 * abs(lat.projection[int(5 / dt), 0])  # the step acts


def test_rank_two_limit_cycle_in_simulation():
    """Rank-two rotational structure (a = 2, b = 1.5), g = 0, N = 20000: the projection turns
    at the predicted angular frequency b/a and radius (M&O 2018, rank-two latent ODE) within 2%."""
    O = np.array([[2.0, -1.5], [1.5, 2.0]])
    C = np.block([[np.eye(2), O.T], [O, O @ O.T + 0.5 * np.eye(2)]])
    net = LowRankNetwork(N=20000, g=0.0, R=2, means=np.zeros(4), cov=C)
    tr = simulate_lowrank(
        net, 30.0, dt=0.02, rng=1, burn_in=20.0, kappa0=[0.1, 0.0], record_every=5
    )
    lc = lr.rotational_limit_cycle(net)
    k = tr.kappa
    assert np.hypot(k[:, 0], k[:, 1]).mean() == pytest.approx(lc.projection_radius, rel=0.02)
    ang = np.unwrap(np.arctan2(k[:, 1], k[:, 0]))
    assert np.polyfit(tr.t, ang, 1)[0] == pytest.approx(lc.frequency, rel=0.02)


@pytest.mark.slow
def test_static_state_error_bars_over_networks():
    """8 networks at the reference point (N = 2000): the mean relative deviation of kappa,
    mu and Delta0 from the theory at each network's sample statistics is within 3 standard
    errors (+0.5%) of zero."""
    net = LowRankNetwork.rank_one(N=2000, g=1.0, **REF)
    dev = []
    for seed in range(8):
        tr = simulate_lowrank(
            net, 5.0, dt=0.1, rng=seed, burn_in=40.0, kappa0=[1.0], record_every=10
        )
        th = [
            s
            for s in lr.solve(tr.sampled_network(), chaotic=False).solutions
            if s.stable and s.kappa[0] > 0
        ][0]
        k, mu, D0 = _stationary(tr)
        dev.append([k / th.kappa[0] - 1, mu / th.mu - 1, D0 / th.Delta0 - 1])
    dev = np.array(dev)
    mean, sem = dev.mean(0), dev.std(0, ddof=1) / math.sqrt(len(dev))
    assert np.all(np.abs(mean) < 3 * sem + 0.005), (mean, sem)


@pytest.mark.slow
def test_chaotic_bistable_state_in_simulation():
    """M_m = M_n = 2, S_m = 1, g = 3.2 (between g_C = 2.737 and g_BB = 3.807): the simulation
    (N = 3000) stays chaotic with a nonzero kappa of the predicted sign and size, and
    Delta0, Delta_inf agree with the theory at the sample statistics within 10%."""
    net = LowRankNetwork.rank_one(N=3000, g=3.2, M_m=2.0, M_n=2.0, S_m=1.0)
    tr = simulate_lowrank(
        net, 200.0, dt=0.1, rng=2, burn_in=50.0, kappa0=[1.0], record_units=300, record_every=2
    )
    th = [s for s in lr.solve(tr.sampled_network()).solutions if s.stable]
    assert all(s.regime == "chaotic" for s in th)
    st = max(th, key=lambda s: s.kappa[0])
    assert tr.kappa[:, 0].mean() == pytest.approx(st.kappa[0], rel=0.1)
    assert tr.var_x.mean() == pytest.approx(st.Delta0, rel=0.1)
    # Delta_inf: variance over units of the time-averaged x (recorded units)
    assert np.var(tr.x.mean(axis=0)) == pytest.approx(st.Delta_inf, rel=0.15)


@pytest.mark.slow
def test_chaotic_kappa_zero_beyond_gBB():
    """g = 4.5 > g_BB(4) = 3.807: kappa fluctuates around 0 and Delta0 is the SCS value."""
    net = LowRankNetwork.rank_one(N=3000, g=4.5, M_m=2.0, M_n=2.0, S_m=1.0)
    tr = simulate_lowrank(net, 200.0, dt=0.1, rng=3, burn_in=50.0, kappa0=[1.0], record_every=2)
    th = lr.solve(net)
    assert th.regime == "chaotic" and th.kappa[0] == 0.0
    assert abs(tr.kappa[:, 0].mean()) < 0.1
    assert tr.var_x.mean() == pytest.approx(th.Delta0, rel=0.08)


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(T=-1.0), "T"),
        (dict(T=float("nan")), "T"),
        (dict(T=1.0, dt=0.0), "dt"),
        (dict(T=1.0, dt=0.3), "multiple"),
        (dict(T=1.0, burn_in=-1.0), "burn_in"),
        (dict(T=1.0, x0=np.zeros(3)), "x0"),
        (dict(T=1.0, kappa0=[1.0, 2.0]), "kappa0"),
        (dict(T=1.0, x0=np.zeros(20), kappa0=[1.0]), "either"),
        (dict(T=1.0, u=np.ones((3, 4))), "u"),
        (dict(T=1.0, method="rk4"), "method"),
        (dict(T=1.0, record_units=[50]), "record_units"),
        (dict(T=1.0, record_every=0), "record_every"),
        (dict(T=1.0, rng=-3), "rng"),
    ],
)
def test_bad_input(kw, match):
    net = LowRankNetwork.rank_one(N=20, g=0.5, M_m=1.0, M_n=1.0)
    with pytest.raises(ValueError, match=match):
        simulate_lowrank(net, **kw)


def test_bad_network_type():
    from rnmf.models import RateNetwork

    with pytest.raises(ValueError, match="LowRankNetwork"):
        simulate_lowrank(RateNetwork(N=10, g=1.0), 1.0)


# --------------------------------------------------------------------------------------
# issue 10: divergence, NaN-producing phi, memory, options shared with the rate simulator
# --------------------------------------------------------------------------------------


def _sqrt_phi(x):
    return np.sqrt(x)


def test_lowrank_divergence_reported():
    """linear phi with overlap S_m S_n rho = 9 > 1 runs away (the old simulator returned
    kappa ~ 3e286 silently): stop, flag, warn, NaN after."""
    from rnmf.models import LowRankNetwork
    from rnmf.sim import simulate_lowrank

    net = LowRankNetwork.rank_one(N=500, S_m=3, S_n=3, rho=1.0, phi="linear")
    with pytest.warns(RuntimeWarning, match="simulate_lowrank: the run diverged"):
        tr = simulate_lowrank(net, 100.0, rng=1)
    assert tr.diverged and not tr.converged and tr.status.name == "DIVERGED"
    assert 0 < tr.diverged_at < 100.0 and "divergence limit" in tr.diverged_reason
    ok = tr.t < tr.diverged_at
    assert np.all(np.isfinite(tr.kappa[ok])) and np.all(np.isnan(tr.kappa[~ok]))
    assert "DIVERGED" in repr(tr)


@pytest.mark.parametrize("g", [0.0, 0.5])
def test_lowrank_divergence_kernel_and_numpy_path_agree(g):
    from rnmf.models import LowRankNetwork
    from rnmf.sim import simulate_lowrank
    from rnmf.transfer import Transfer

    lin = Transfer("custom", func=lambda x: 1.0 * x, deriv=lambda x: np.ones_like(x))
    kw = dict(N=200, g=g, S_m=3, S_n=3, rho=1.0)
    with pytest.warns(RuntimeWarning):
        a = simulate_lowrank(LowRankNetwork.rank_one(**kw, phi="linear"), 50.0, rng=4)
    with pytest.warns(RuntimeWarning):
        b = simulate_lowrank(LowRankNetwork.rank_one(**kw, phi=lin), 50.0, rng=4)
    assert a.diverged_at == b.diverged_at
    np.testing.assert_allclose(a.kappa, b.kappa, rtol=1e-9, equal_nan=True)


def test_lowrank_nan_transfer_flagged():
    from rnmf.models import LowRankNetwork
    from rnmf.sim import simulate_lowrank
    from rnmf.transfer import Transfer

    phi = Transfer("custom", func=_sqrt_phi)
    net = LowRankNetwork.rank_one(N=50, M_m=1.0, M_n=1.0, phi=phi)
    with pytest.warns(RuntimeWarning, match="transfer function phi returned nan"):
        tr = simulate_lowrank(net, 2.0, rng=1)
    assert tr.diverged and tr.diverged_at == 0.0 and np.all(np.isnan(tr.kappa))


def test_lowrank_options_match_the_rate_simulator(capsys):
    """record_units accepts 'all' like simulate; progress=True draws a bar on stderr,
    the automatic default stays silent for a short run; bad progress is refused."""
    from rnmf.models import LowRankNetwork
    from rnmf.sim import simulate_lowrank

    net = LowRankNetwork.rank_one(N=30, M_m=1.0, M_n=2.0)
    tr = simulate_lowrank(net, 1.0, rng=1, record_units="all", progress=True)
    assert tr.x.shape == (21, 30) and tr.units.tolist() == list(range(30))
    assert "simulate_lowrank" in capsys.readouterr().err
    simulate_lowrank(net, 1.0, rng=1)
    assert capsys.readouterr().err == ""
    with pytest.raises(ValueError, match="progress"):
        simulate_lowrank(net, 1.0, rng=1, progress="no")
    with pytest.raises(ValueError, match="record_units"):
        simulate_lowrank(net, 1.0, rng=1, record_units="some")


def test_lowrank_memory_estimate():
    from rnmf.models import LowRankNetwork
    from rnmf.sim import simulate_lowrank

    with pytest.raises(ValueError, match=r"simulate_lowrank would allocate .*random bulk"):
        simulate_lowrank(LowRankNetwork.rank_one(N=10**6, g=0.5, M_m=1.0, M_n=1.0), 1.0)
    with pytest.raises(MemoryError, match="recorded states"):
        simulate_lowrank(LowRankNetwork.rank_one(N=5000, M_m=1.0, M_n=1.0), 1e6, record_units="all")


# --------------------------------------------------------------------------
# emulated number formats (fmt=...)


@pytest.mark.parametrize("fmt", ["bf16-sr", "fp16", "uniform-bf16", "Q(3,8)"])
def test_format_run_equals_rate_simulator_on_the_stored_J(fmt):
    """fmt run == rnmf.sim.simulate in the same format on J = g chi + m n^T / N bit for bit
    (the same stored couplings, input and x0, rounded and advanced by the same rules)."""
    from rnmf.models import RateNetwork
    from rnmf.sim import simulate
    from rnmf.sim.formats import MixedPrecision

    if fmt.startswith("uniform-"):
        fmt = MixedPrecision.uniform(fmt[8:])
    N = 50
    net = LowRankNetwork(
        N=N, g=0.8, R=1, means=[1.0, 1.5, 0.5], cov=np.diag([1.0, 0.2, 1.0]), inputs=(0.3,)
    )
    tr = simulate_lowrank(net, 3.0, dt=0.1, rng=9, record_units="all", fmt=fmt, progress=False)
    rng = np.random.default_rng(9)
    m, n, I = net.sample_loadings(rng)
    J = m @ n.T / N + 0.8 / math.sqrt(N) * rng.standard_normal((N, N))
    x0 = rng.standard_normal(N)
    ref = simulate(
        RateNetwork(N=N, g=0.8), 3.0, dt=0.1, rng=9, J=J, I=I @ np.array([0.3]), x0=x0,
        fmt=fmt, record_units="all", progress=False, method="exp_euler",
    )  # fmt: skip
    np.testing.assert_array_equal(tr.x, ref.x)
    np.testing.assert_allclose(tr.kappa[:, 0], n[:, 0] @ net.phi(ref.x.T) / N, atol=1e-13)
    assert tr.options["n_overflow"] == ref.n_overflow


def test_format_float64_emulation_matches_native_with_noise_and_input():
    """Emulated float64 (nothing rounded) follows the native kernel to 1e-12 with noise
    and a time-varying input (the input is re-stored when it changes)."""
    from rnmf.sim.formats import get_format

    net = LowRankNetwork(
        N=40, g=0.5, R=1, means=[1.0, 1.0, 0.5], cov=np.diag([1.0, 0.2, 1.0]), sigma_noise=0.3
    )
    U = np.repeat(np.sin(np.arange(6) * 0.7), 5)[:, None]
    a = simulate_lowrank(net, 3.0, dt=0.1, rng=9, u=U, record_units=40, record_every=2)
    b = simulate_lowrank(
        net, 3.0, dt=0.1, rng=9, u=U, record_units=40, record_every=2, fmt=get_format("fp64")
    )
    np.testing.assert_allclose(b.x, a.x, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b.kappa, a.kappa, rtol=1e-12, atol=1e-12)


def test_format_stochastic_rounding_reproducible_and_stored_values():
    from rnmf.sim.formats import quantize

    net = LowRankNetwork.rank_one(N=300, g=0.5, **REF)
    runs = [
        simulate_lowrank(net, 2.0, rng=s, fmt="bf16-sr", record_units="all", progress=False)
        for s in (3, 3, 4)
    ]
    np.testing.assert_array_equal(runs[0].x, runs[1].x)
    assert not np.array_equal(runs[0].x, runs[2].x)
    np.testing.assert_array_equal(quantize(runs[0].x, "bf16"), runs[0].x)
    assert "stochastic" in runs[0].options["fmt"]


def test_format_rejects_float32_and_custom_phi():
    net = LowRankNetwork.rank_one(N=20, g=0.5, **REF)
    with pytest.raises(ValueError, match="float64 natively"):
        simulate_lowrank(net, 1.0, fmt="float32")
    with pytest.raises(ValueError, match="fmt must be"):
        simulate_lowrank(net, 1.0, fmt="float7")


@pytest.mark.parametrize("burn_in", [1e300, 10**12])
def test_simulate_lowrank_refuses_a_burn_in_of_more_steps_than_a_run_may_take(burn_in):
    """Issue 10 fuzz: ``burn_in=10**12`` ran (1e13 steps, weeks) and ``1e300`` raised numpy's
    "Maximum allowed dimension exceeded"; both are refused up front, naming burn_in."""
    net = LowRankNetwork.rank_one(N=50, M_m=1.0, M_n=2.0, S_m=1.0, S_n=1.0)
    with pytest.raises(ValueError, match=r"burn_in = .* time steps, more than the 1e\+10"):
        simulate_lowrank(net, 2.0, dt=0.1, rng=0, burn_in=burn_in)
