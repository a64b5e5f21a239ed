"""The rate-network simulator (rnmf.sim.simulate) against independent oracles.

Oracles: the plain NumPy stepping of ``rnmf.sim._reference`` (written from the
equations, independent of the kernels), closed forms (Ornstein-Uhlenbeck variance
of the Euler and exact schemes, matrix exponential of a linear network, fixed
points), and published mean-field numbers (docs/references.md).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm

from rnmf.models import RateNetwork
from rnmf.sim import population_stats, sample_couplings, sample_inputs, simulate
from rnmf.sim import rate as rate_mod
from rnmf.sim._reference import trajectory_reference
from rnmf.transfer import Transfer


def _reference_run(net, traj, seed, method):
    """Re-run the documented draw order (J, I, x0, noise) through the NumPy oracle."""
    rng = np.random.default_rng(seed)
    J = sample_couplings(net, rng)
    I = sample_inputs(net, rng)
    x0 = rng.standard_normal(net.N)
    noise = rng.standard_normal((traj.n_steps, net.N)) if net.sigma_noise > 0 else None
    return trajectory_reference(
        net, traj.n_steps, dt=traj.dt, method=method, x0=x0, J=J, I=I, noise=noise
    )


@pytest.mark.parametrize("phi", ["tanh", "erf", "relu", "linear"])
@pytest.mark.parametrize("method", ["euler", "exp_euler"])
@pytest.mark.parametrize("sigma", [0.0, 0.8])
def test_kernel_matches_numpy_reference_continuous(phi, method, sigma):
    """Kernel == NumPy reference to 1e-12 (float64, N = 80, 60 steps), states and moments."""
    g = 0.9 if phi == "linear" else 1.8
    phi_ = Transfer("relu", theta=0.2) if phi == "relu" else phi
    net = RateNetwork(80, g, J0=0.5, phi=phi_, I0=0.1, sigma_I=0.3, sigma_noise=sigma)
    traj = simulate(net, 3.0, dt=0.05, rng=21, method=method, record_units="all")
    xs = _reference_run(net, traj, 21, method)
    np.testing.assert_allclose(traj.x, xs, rtol=0, atol=1e-12)
    np.testing.assert_allclose(traj.mean_x2, np.mean(xs**2, axis=1), rtol=1e-12)
    np.testing.assert_allclose(traj.mean_phi, np.mean(net.phi(xs), axis=1), atol=1e-12)
    np.testing.assert_allclose(traj.mean_phi2, np.mean(net.phi(xs) ** 2, axis=1), rtol=1e-12)
    np.testing.assert_array_equal(traj.x_final, traj.x[-1])


@pytest.mark.parametrize("phi", ["tanh", "erf", "relu", "linear"])
@pytest.mark.parametrize("sigma", [0.0, 0.5])
def test_kernel_matches_numpy_reference_discrete_map(phi, sigma):
    """Discrete map x(t+1) = J phi(x) + I + sigma xi: kernel == reference to 1e-12."""
    g = {"linear": 0.8, "relu": 1.2}.get(phi, 2.0)
    net = RateNetwork(60, g, phi=phi, I0=0.2, sigma_I=0.1, sigma_noise=sigma, time="discrete")
    traj = simulate(net, 30, rng=8, record_units="all")
    assert traj.method == "map" and traj.dt == 1.0
    xs = _reference_run(net, traj, 8, "euler")
    np.testing.assert_allclose(traj.x, xs, rtol=0, atol=1e-12)
    np.testing.assert_allclose(traj.mean_x, np.mean(xs, axis=1), atol=1e-12)


def test_custom_transfer_numpy_path_matches_kernel():
    """A custom Transfer (NumPy path) equal to tanh gives the kernel's tanh run to 1e-12."""
    custom = Transfer("custom", func=np.tanh, deriv=lambda x: 1.0 / np.cosh(x) ** 2)
    kw = dict(dt=0.05, rng=2, record_units=10, burn_in=0.5, record_every=3)
    a = simulate(RateNetwork(50, 1.6, sigma_noise=0.4, phi=custom), 2.0, **kw)
    b = simulate(RateNetwork(50, 1.6, sigma_noise=0.4), 2.0, **kw)
    np.testing.assert_allclose(a.x, b.x, atol=1e-12)
    np.testing.assert_allclose(a.mean_phi2, b.mean_phi2, atol=1e-12)
    np.testing.assert_allclose(a.x_final, b.x_final, atol=1e-12)


def test_float32_runs_in_float32_and_stays_close():
    """float32 (the rounded float64 network) tracks float64 over a short chaotic run."""
    net = RateNetwork(100, 1.5, sigma_noise=0.3)
    a = simulate(net, 2.0, rng=4, fmt="float64")
    b = simulate(net, 2.0, rng=4, fmt="float32")
    assert b.x.dtype == np.float32 and b.x_final.dtype == np.float32 and b.fmt == "float32"
    diff = np.max(np.abs(a.x - b.x))
    assert 0 < diff < 1e-4
    np.testing.assert_allclose(a.mean_x2, b.mean_x2, rtol=1e-4)


def test_same_seed_bitwise_identical_and_chunking_invariant(monkeypatch):
    """Same seed -> bitwise identical; the noise chunk size does not change the result."""
    net = RateNetwork(40, 1.5, sigma_noise=0.7, sigma_I=0.2)
    a = simulate(net, 4.0, rng=12, record_units="all")
    b = simulate(net, 4.0, rng=np.random.default_rng(12), record_units="all")
    monkeypatch.setattr(rate_mod, "_NOISE_CHUNK_BYTES", 7 * 8 * 40)  # 7 steps per chunk
    c = simulate(net, 4.0, rng=12, record_units="all")
    for other in (b, c):
        np.testing.assert_array_equal(a.x, other.x)
        np.testing.assert_array_equal(a.mean_phi2, other.mean_phi2)
        np.testing.assert_array_equal(a.x_final, other.x_final)
    assert a.seed == 12 and b.seed is None
    d = simulate(net, 4.0, rng=13, record_units="all")
    assert not np.array_equal(a.x, d.x)


def test_documented_draw_order_reproduces_the_run():
    """J, I drawn first from the Generator and passed in reproduce simulate(rng=seed)."""
    net = RateNetwork(30, 1.2, sigma_noise=0.5, sigma_I=0.4)
    a = simulate(net, 2.0, rng=5, method="exp_euler")
    rng = np.random.default_rng(5)
    J = sample_couplings(net, rng)
    I = sample_inputs(net, rng)
    b = simulate(net, 2.0, rng=rng, method="exp_euler", J=J, I=I)
    np.testing.assert_array_equal(a.x, b.x)


@pytest.mark.parametrize(
    ("method", "dt", "expected"),
    [("euler", 0.1, 1.0 / (2.0 - 0.1)), ("exp_euler", 0.2, 0.5)],
)
def test_ou_stationary_variance(method, dt, expected):
    """g = 0: x_i is an OU process. Exact scheme: Var = sigma^2/2 (docs/references.md sec. 1
    convention); Euler-Maruyama: the AR(1) closed form Var = c^2/(1 - a^2) = sigma^2/(2 - dt)."""
    net = RateNetwork(400, 0.0, sigma_noise=1.0)
    traj = simulate(net, 150.0, dt=dt, rng=1, method=method, burn_in=10.0, record_units=0)
    ps = population_stats(traj)
    assert abs(ps.var_x / expected - 1.0) < 0.03
    assert abs(ps.mean_x) < 0.02


def test_discrete_map_without_coupling():
    """g = 0 map: x(t+1) = I + sigma xi, so Var over units and time = sigma_I^2 + sigma^2."""
    net = RateNetwork(500, 0.0, I0=0.7, sigma_I=0.5, sigma_noise=0.6, time="discrete")
    traj = simulate(net, 200, rng=3, record_units=0, burn_in=1)
    ps = population_stats(traj)
    assert abs(ps.mean_x - 0.7) < 0.05
    assert abs(ps.var_x / (0.25 + 0.36) - 1.0) < 0.08


@pytest.mark.parametrize("method", ["euler", "exp_euler"])
def test_linear_network_converges_to_matrix_exponential_first_order(method):
    """phi = x, no noise: x(T) = expm((J - 1) T) x0. Both schemes are first order in dt:
    the error ratio between dt and dt/2 is about 2 (measured convergence order ~ 1)."""
    net = RateNetwork(30, 0.8, phi="linear")
    rng = np.random.default_rng(6)
    J = sample_couplings(net, rng)
    x0 = rng.standard_normal(30)
    exact = expm((J - np.eye(30)) * 2.0) @ x0
    errs = []
    for dt in (0.02, 0.01, 0.005):
        traj = simulate(net, 2.0, dt=dt, J=J, x0=x0, method=method, rng=0, record_units=0)
        errs.append(np.max(np.abs(traj.x_final - exact)))
    orders = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all(np.abs(orders - 1.0) < 0.1), orders
    assert errs[-1] < 0.01


def test_quiet_state_below_transition():
    """g = 0.5 < 1, tanh, no input: the only fixed point x = 0 is stable (SCS 1988)."""
    traj = simulate(RateNetwork(100, 0.5), 60.0, rng=2, record_units=0)
    assert np.max(np.abs(traj.x_final)) < 1e-8


def test_fixed_point_equals_input_without_coupling():
    """g = 0, no noise: x_i -> I_i (the sampled quenched input)."""
    net = RateNetwork(50, 0.0, I0=0.3, sigma_I=0.5)
    traj = simulate(net, 40.0, rng=9, method="exp_euler", dt=0.1)
    rng = np.random.default_rng(9)
    sample_couplings(net, rng)
    np.testing.assert_allclose(traj.x_final, sample_inputs(net, rng), atol=1e-12)


def test_discrete_map_q_star():
    """Discrete map, tanh, g = 2: the population variance approaches q* = 2.1214735682
    (Poole et al. 2016 NeurIPS eq. 3; docs/references.md sec. 2), N = 1000, within 3%."""
    net = RateNetwork(1000, 2.0, time="discrete")
    traj = simulate(net, 200, rng=1, burn_in=50, record_units=0)
    assert abs(population_stats(traj).mean_x2 / 2.1214735682 - 1.0) < 0.03


def test_recording_layout():
    net = RateNetwork(20, 1.0)
    traj = simulate(net, 1.0, dt=0.1, burn_in=0.5, record_every=2, record_units=[3, 7], rng=1)
    np.testing.assert_allclose(traj.t, [0.5, 0.7, 0.9, 1.1, 1.3, 1.5])
    assert traj.x.shape == (6, 2) and list(traj.units) == [3, 7]
    assert traj.n_steps == 15 and traj.T == pytest.approx(1.0)
    full = simulate(net, 1.0, dt=0.1, burn_in=0.5, record_every=2, record_units="all", rng=1)
    np.testing.assert_array_equal(full.x[:, [3, 7]], traj.x)
    np.testing.assert_array_equal(full.mean_x2, traj.mean_x2)
    assert simulate(net, 1.0, rng=1, record_units=5).x.shape[1] == 5
    assert simulate(net, 1.0, rng=1, record_units=500).x.shape[1] == 20
    slow = RateNetwork(20, 1.0, tau=10.0)
    np.testing.assert_allclose(simulate(slow, 1.0, rng=1).time, 10.0 * np.arange(21) * 0.05)
    assert "Trajectory" in repr(traj)
    assert not traj.x.flags.writeable and not traj.mean_x2.flags.writeable


def test_progress_goes_to_stderr(capsys):
    """progress=True: a tqdm bar on stderr; False and the automatic default (a short run)
    print nothing."""
    simulate(RateNetwork(10, 1.0), 1.0, rng=1, progress=True)
    captured = capsys.readouterr()
    assert "rnmf.sim.simulate" in captured.err and "20/20" in captured.err
    assert captured.out == ""
    simulate(RateNetwork(10, 1.0), 1.0, rng=1, progress=False)
    simulate(RateNetwork(10, 1.0), 1.0, rng=1)
    assert capsys.readouterr().err == ""
    with pytest.raises(ValueError, match="progress"):
        simulate(RateNetwork(10, 1.0), 1.0, rng=1, progress="yes")


_NET = RateNetwork(10, 1.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(T=0.0), "T"),
        (dict(T=-1.0), "T"),
        (dict(T=np.nan), "finite"),
        (dict(T=1.0, dt=0.0), "dt"),
        (dict(T=1.0, dt=-0.1), "dt"),
        (dict(T=1.0, dt=1.0), "Euler"),
        (dict(T=1.0, dt=1.5, method="exp_euler"), "exp_euler"),
        (dict(T=0.01, dt=0.05), "shorter than one step"),
        (dict(T=1.0, method="rk4"), "method"),
        (dict(T=1.0, fmt="float12"), "fmt"),
        (dict(T=1.0, x0=np.full(10, np.nan)), "NaN"),
        (dict(T=1.0, x0=np.zeros(9)), "shape"),
        (dict(T=1.0, J=np.zeros((10, 9))), "shape"),
        (dict(T=1.0, I=np.zeros((10, 1))), "shape"),
        (dict(T=1.0, J=np.full((10, 10), np.inf)), "NaN or infinite"),
        (dict(T=1.0, record_units=[0, 10]), r"\[0, 9\]"),
        (dict(T=1.0, record_units=-1), ">= 0"),
        (dict(T=1.0, record_units="some"), "record_units"),
        (dict(T=1.0, record_units=[0.5]), "record_units"),
        (dict(T=1.0, record_every=0), "record_every"),
        (dict(T=1.0, burn_in=-1.0), "burn_in"),
        (dict(T=1.0, rng="seed"), "rng"),
    ],
)
def test_bad_input(kwargs, match):
    T = kwargs.pop("T")
    with pytest.raises(ValueError, match=match):
        simulate(_NET, T, **kwargs)


def test_bad_input_discrete_and_model():
    net = RateNetwork(10, 1.0, time="discrete")
    with pytest.raises(ValueError, match="whole number"):
        simulate(net, 2.5)
    with pytest.raises(ValueError, match="RateNetwork"):
        simulate("net", 1.0)
    with pytest.raises(ValueError, match="tau"):
        RateNetwork(10, 1.0, tau=-1.0)


@settings(max_examples=30, deadline=None)
@given(dt=st.one_of(st.floats(max_value=0.0), st.floats(min_value=1.0, max_value=1e6)))
def test_hypothesis_invalid_euler_dt(dt):
    with pytest.raises(ValueError, match="dt"):
        simulate(_NET, 5.0, dt=dt)


@settings(max_examples=30, deadline=None)
@given(T=st.one_of(st.floats(max_value=0.0), st.just(float("nan")), st.just(float("inf"))))
def test_hypothesis_invalid_duration(T):
    with pytest.raises(ValueError, match="T"):
        simulate(_NET, T)


@settings(max_examples=20, deadline=None)
@given(idx=st.lists(st.integers(-50, 50), min_size=1, max_size=5))
def test_hypothesis_record_units(idx):
    if all(0 <= i < 10 for i in idx):
        traj = simulate(_NET, 0.1, rng=0, record_units=np.array(idx))
        assert list(traj.units) == idx
    else:
        with pytest.raises(ValueError, match="record_units"):
            simulate(_NET, 0.1, rng=0, record_units=np.array(idx))


@pytest.mark.slow
def test_scs_delta0_g2():
    """tanh, g = 2, no noise: Delta0 = 1.92480541374 (SCS 1988 eq. 6 energy conservation;
    docs/references.md sec. 1). N = 1000, two seeds; finite N and dt = 0.05 put it a few
    percent low, tolerance 5%."""
    vals = []
    for seed in (1, 2):
        traj = simulate(
            RateNetwork(1000, 2.0),
            200.0,
            rng=seed,
            burn_in=20.0,
            method="exp_euler",
            record_units=0,
        )
        vals.append(population_stats(traj).var_x)
    assert abs(np.mean(vals) / 1.92480541374 - 1.0) < 0.05


@pytest.mark.slow
def test_noise_driven_c0():
    """sigma = 1, g = 1.5: c0 = 1.11810 (Schuecker, Goedeke & Helias 2018 PRX 8:041029,
    energy conservation; docs/references.md sec. 1). N = 1000, tolerance 3%."""
    traj = simulate(
        RateNetwork(1000, 1.5, sigma_noise=1.0),
        200.0,
        rng=1,
        burn_in=20.0,
        method="exp_euler",
        record_units=0,
    )
    assert abs(population_stats(traj).var_x / 1.11810 - 1.0) < 0.03


# --------------------------------------------------------------------------------------
# issue 10: divergence, NaN-producing phi, memory estimate, chunking, custom phi
# --------------------------------------------------------------------------------------


def _sqrt_phi(x):
    return np.sqrt(x)


def _sqrt_dphi(x):
    return 0.5 / np.sqrt(x)


def test_divergence_reported_in_result_and_warning():
    """relu at g = 3 runs away (the old simulator returned |x| ~ 1e135 without a word):
    the run stops, says so in the result and in a RuntimeWarning, and leaves NaN after."""
    net = RateNetwork(200, 3.0, phi="relu")
    with pytest.warns(RuntimeWarning, match=r"simulate: the run diverged at t = .*units of tau"):
        tr = simulate(net, 200.0, rng=1)
    assert tr.diverged and not tr.converged
    assert tr.status.name == "DIVERGED"
    assert 0.0 < tr.diverged_at < 200.0
    assert "divergence limit" in tr.diverged_reason
    assert tr.n_steps == round(tr.diverged_at / tr.dt) < 4000
    before = tr.t < tr.diverged_at
    assert np.all(np.isfinite(tr.x[before])) and np.all(np.isfinite(tr.mean_x2[before]))
    assert np.all(np.isnan(tr.x[~before])) and np.all(np.isnan(tr.mean_x2[~before]))
    assert np.max(np.abs(tr.x[before])) <= tr.options["divergence_limit"]
    assert "DIVERGED" in repr(tr)
    with pytest.raises(ValueError, match="diverged"):
        population_stats(tr)


def test_bounded_run_does_not_diverge(recwarn):
    tr = simulate(RateNetwork(100, 3.0, phi="tanh", sigma_noise=0.5), 20.0, rng=1)
    assert not tr.diverged and tr.diverged_at is None and tr.diverged_reason == ""
    assert tr.converged and tr.status.name == "CONVERGED"
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


@pytest.mark.parametrize("record_every", [1, 7])
def test_divergence_kernel_and_numpy_path_agree(record_every):
    """The compiled kernel and the NumPy path (custom phi = relu) stop at the same step,
    with identical records before it."""
    relu = Transfer("custom", func=lambda x: np.maximum(x, 0.0), deriv=lambda x: 1.0 * (x > 0))
    kw = dict(rng=3, record_every=record_every, burn_in=1.0, record_units="all")
    with pytest.warns(RuntimeWarning):
        a = simulate(RateNetwork(60, 4.0, phi="relu"), 100.0, **kw)
    with pytest.warns(RuntimeWarning):
        b = simulate(RateNetwork(60, 4.0, phi=relu), 100.0, **kw)
    assert a.diverged and b.diverged
    assert a.diverged_at == b.diverged_at and a.n_steps == b.n_steps
    np.testing.assert_allclose(a.x, b.x, rtol=1e-12, atol=0, equal_nan=True)
    ok = a.t < a.diverged_at  # every record before the first bad state, none after
    assert ok.sum() >= 2 and np.all(np.isfinite(a.x[ok])) and np.all(np.isnan(a.x[~ok]))
    assert np.all(np.isfinite(a.mean_phi2[ok])) and np.all(np.isnan(a.mean_phi2[~ok]))


def test_divergence_limit_option_and_discrete_map():
    net = RateNetwork(50, 2.5, phi="linear", time="discrete")
    with pytest.warns(RuntimeWarning, match=r"t = \d+ \(steps\)"):
        tr = simulate(net, 500, rng=2, divergence_limit=1e3)
    assert tr.diverged and tr.diverged_at == int(tr.diverged_at)
    assert np.nanmax(np.abs(tr.x)) <= 1e3
    with pytest.raises(ValueError, match="divergence_limit"):
        simulate(net, 5, rng=2, divergence_limit=-1.0)


def test_nan_producing_transfer_function_flagged():
    """phi = sqrt(x) is NaN for x < 0: the old simulator returned all-NaN trajectories
    silently; now the run stops with a warning that names phi and the input."""
    phi = Transfer("custom", func=_sqrt_phi, deriv=_sqrt_dphi)
    with pytest.warns(RuntimeWarning, match="transfer function phi returned nan"):
        tr = simulate(RateNetwork(30, 1.0, phi=phi), 5.0, rng=1)
    assert tr.diverged and tr.diverged_at == 0.0
    assert "finite x = -" in tr.diverged_reason
    assert np.all(np.isnan(tr.x))


def test_nan_transfer_after_some_steps():
    """phi finite at the start (x0 > 0) and NaN once a unit goes negative: the records up
    to the last good state are kept."""
    phi = Transfer("custom", func=_sqrt_phi, deriv=_sqrt_dphi)
    x0 = np.full(30, 3.0)
    J = np.full((30, 30), -0.2 / 30)
    I = np.full(30, -2.0)
    with pytest.warns(RuntimeWarning, match="transfer function"):
        tr = simulate(RateNetwork(30, 0.0, phi=phi), 10.0, rng=1, x0=x0, J=J, I=I)
    assert tr.diverged and 0.0 < tr.diverged_at < 10.0
    ok = tr.t < tr.diverged_at
    assert ok.sum() > 5 and np.all(np.isfinite(tr.x[ok])) and np.all(np.isnan(tr.x[~ok]))


def test_memory_estimate_refuses_before_allocating():
    """Recording all of N = 2000 units for 10^7 steps needs 149 GiB: refused at once, with
    the number (the old simulator asked numpy for it and failed with a bare MemoryError
    after sampling the couplings)."""
    from rnmf.sim._memory import InsufficientMemoryError

    net = RateNetwork(2000, 1.0)
    with pytest.raises(ValueError, match=r"simulate would allocate .*GiB.*recorded states"):
        simulate(net, 5e5, record_units="all")
    with pytest.raises(MemoryError):
        simulate(net, 5e5, record_units="all")
    with pytest.raises(InsufficientMemoryError, match="couplings J"):
        simulate(RateNetwork(10**6, 1.0), 1.0, record_units=1)


def test_check_memory_unit():
    from rnmf.sim._memory import InsufficientMemoryError, check_memory

    assert check_memory("f", {"a": 100, "b": 50}, available=1000) == 150
    with pytest.raises(InsufficientMemoryError, match=r"f would allocate 1 GiB \(a: 1 GiB\)"):
        check_memory("f", {"a": 2**30, "b": 5}, available=2**30)


def test_chunking_by_work_does_not_change_the_run(monkeypatch):
    """The chunk length (noise buffer and work per kernel call, which keep the progress
    bar and the divergence check responsive) does not change a bit of the result."""
    net = RateNetwork(40, 1.5, sigma_noise=0.7)
    a = simulate(net, 4.0, rng=12, record_units="all", progress=False)
    monkeypatch.setattr(rate_mod, "_CHUNK_WORK", 3 * 40 * 40)  # 3 steps per call
    b = simulate(net, 4.0, rng=12, record_units="all", progress=False)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.x_final, b.x_final)


def test_sympy_and_automatic_derivative_transfer_in_simulation():
    """A formula string and a derivative-free callable both simulate like tanh."""
    kw = dict(rng=2, record_units=10)
    ref = simulate(RateNetwork(40, 1.6), 2.0, **kw)
    for phi in ("tanh(x)", Transfer("custom", func=np.tanh)):
        tr = simulate(RateNetwork(40, 1.6, phi=phi), 2.0, **kw)
        np.testing.assert_allclose(tr.x, ref.x, atol=1e-12)


def test_trajectory_reports_its_time_unit():
    tr = simulate(RateNetwork(10, 1.0, tau=20.0), 1.0, rng=1)
    assert "units of tau" in repr(tr)
    np.testing.assert_allclose(tr.time, 20.0 * tr.t)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(burn_in=1e300), "burn_in"),
        (dict(burn_in=10**12), "burn_in"),
        (dict(T=2e9, dt=0.1), "T"),
        (dict(dt=1e-300), "dt"),
    ],
)
def test_simulate_refuses_more_steps_than_a_run_may_take_before_any_work(kwargs, name):
    """Issue 10 fuzz: ``burn_in=1e300`` raised OverflowError from the kernel and ``10**12``
    ran for days; a step count above MAX_STEPS is refused up front with the count."""
    from rnmf._checks import MAX_STEPS

    args = dict(T=2.0, dt=0.1, rng=0, progress=False) | kwargs
    T = args.pop("T")
    with pytest.raises(ValueError, match=rf"\b{name}\b.*time steps, more than the 1e\+10") as info:
        simulate(RateNetwork(N=20, g=1.5), T, **args)
    assert "hours at a microsecond per step" in str(info.value) and MAX_STEPS == 10**10
    with pytest.raises(ValueError, match=r"burn_in .*<= 10000000000"):
        simulate(RateNetwork(N=20, g=1.5, time="discrete"), 5, burn_in=10**12, rng=0)
