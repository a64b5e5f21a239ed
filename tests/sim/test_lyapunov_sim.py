"""Lyapunov exponents of simulated rate networks (rnmf.sim.lyapunov).

Oracles: the NumPy QR reference (rnmf.sim._reference.lyapunov_reference), closed
forms for linear networks (exponents of a linear map are log|eigenvalues|), and
published numbers (docs/references.md secs. 1-2).
"""

from __future__ import annotations

import numpy as np
import pytest

from rnmf.models import RateNetwork
from rnmf.results import ConvergenceError, Status
from rnmf.sim import largest_lyapunov, lyapunov_spectrum, sample_couplings, sample_inputs
from rnmf.sim._reference import lyapunov_reference
from rnmf.transfer import Transfer


def _symmetric(N, g, seed):
    A = np.random.default_rng(seed).standard_normal((N, N))
    return g * (A + A.T) / np.sqrt(2 * N)


@pytest.mark.parametrize(
    ("phi", "time", "method", "sigma", "k"),
    [
        ("tanh", "continuous", "euler", 0.0, 3),
        ("tanh", "continuous", "euler", 0.6, 3),
        ("erf", "continuous", "exp_euler", 0.6, 2),
        ("relu", "continuous", "exp_euler", 0.0, 2),
        ("linear", "continuous", "euler", 0.3, 2),
        ("tanh", "discrete", "euler", 0.3, 3),
        ("tanh", "continuous", "euler", 0.2, 10),  # k + 1 > 8: the gemm path
    ],
)
def test_kernel_matches_numpy_reference(phi, time, method, sigma, k):
    """Per-interval log|R_jj| and the final state: kernel == NumPy QR reference (float64)."""
    g = 0.8 if phi == "linear" else 1.7
    net = RateNetwork(40, g, phi=phi, sigma_noise=sigma, time=time, I0=0.1)
    T, t_ons = (4.0, 1.0) if time == "continuous" else (20, 2)
    res = lyapunov_spectrum(net, T, k=k, rng=5, method=method, burn_in=0, t_ons=t_ons)
    rng = np.random.default_rng(5)
    J = sample_couplings(net, rng)
    I = sample_inputs(net, rng)
    x0 = rng.standard_normal(40)
    Q0 = np.linalg.qr(rng.standard_normal((40, k)))[0]
    n_ons = int(round(res.t_ons / res.dt))
    noise = rng.standard_normal((res.n_iter * n_ons, 40)) if sigma else None
    logs, xf = lyapunov_reference(
        net, res.n_iter, n_ons, dt=res.dt, method=method, x0=x0, Q0=Q0, J=J, I=I, noise=noise
    )
    ref = np.sort(logs.sum(axis=0) / res.T)[::-1]
    np.testing.assert_allclose(res.exponents, ref, rtol=0, atol=1e-11)
    np.testing.assert_allclose(res.x_final, xf, rtol=0, atol=1e-11)
    assert np.all(np.diff(res.exponents) <= 0)
    assert res.history.shape == (res.n_iter, k)
    np.testing.assert_allclose(res.history[-1], res.exponents)


def test_linear_symmetric_network_exact():
    """phi = x, symmetric J: Euler exponents are log|1 - dt + dt mu_i| / dt exactly
    (eigenvalues mu_i of J, the QR method of a linear map), and -> mu_i - 1 as dt -> 0."""
    N, dt = 20, 0.01
    J = _symmetric(N, 0.5, 0)
    res = lyapunov_spectrum(
        RateNetwork(N, 0.5, phi="linear"), 200.0, k=4, dt=dt, J=J, rng=1, burn_in=100.0
    )
    mu = np.sort(np.linalg.eigvalsh(J))[::-1][:4]
    np.testing.assert_allclose(res.exponents, np.log(np.abs(1 - dt + dt * mu)) / dt, atol=5e-6)
    np.testing.assert_allclose(res.exponents, mu - 1.0, atol=2e-3)


def test_linear_random_network_real_parts():
    """phi = x, non-symmetric Gaussian J (complex pairs): the k largest exponents equal the
    largest real parts of the eigenvalues of -1 + J (exp-Euler, dt = 0.01), within 5e-3."""
    N = 20
    J = sample_couplings(RateNetwork(N, 0.8), 2)
    res = lyapunov_spectrum(
        RateNetwork(N, 0.8, phi="linear"),
        400.0,
        k=4,
        dt=0.01,
        J=J,
        rng=1,
        burn_in=100.0,
        method="exp_euler",
    )
    ev = np.linalg.eigvals(J)
    re = np.sort(ev.real)[::-1][:4] - 1.0
    np.testing.assert_allclose(res.exponents, re, atol=5e-3)


def test_linear_discrete_map():
    """Discrete linear map x -> J x: exponents = log|eigenvalues of J| (sorted)."""
    J = 1.5 * _symmetric(20, 0.5, 0)
    res = lyapunov_spectrum(
        RateNetwork(20, 0.75, phi="linear", time="discrete"), 300, k=3, J=J, rng=1, burn_in=100
    )
    expected = np.sort(np.log(np.abs(np.linalg.eigvalsh(J))))[::-1][:3]
    np.testing.assert_allclose(res.exponents, expected, atol=1e-3)
    assert res.method == "map" and res.dt == 1.0


@pytest.mark.parametrize(
    ("method", "expected"), [("euler", np.log(1 - 0.05) / 0.05), ("exp_euler", -1.0)]
)
def test_uncoupled_noisy_network(method, expected):
    """g = 0 with noise: the Jacobian is a(dt) 1, exponents log(a)/dt exactly (noise is additive)."""
    res = lyapunov_spectrum(
        RateNetwork(10, 0.0, sigma_noise=1.0), 5.0, k=3, rng=1, method=method, burn_in=0
    )
    np.testing.assert_allclose(res.exponents, expected, rtol=1e-12)


def test_reproducible_by_seed():
    net = RateNetwork(50, 1.6, sigma_noise=0.5)
    a = lyapunov_spectrum(net, 10.0, k=2, rng=3, burn_in=5.0)
    b = lyapunov_spectrum(net, 10.0, k=2, rng=3, burn_in=5.0)
    c = lyapunov_spectrum(net, 10.0, k=2, rng=4, burn_in=5.0)
    np.testing.assert_array_equal(a.exponents, b.exponents)
    np.testing.assert_array_equal(a.history, b.history)
    assert not np.array_equal(a.exponents, c.exponents)
    assert a.seed == 3 and "LyapunovSpectrum" in repr(a)


def test_float32_close_to_float64():
    net = RateNetwork(50, 1.6)
    a = lyapunov_spectrum(net, 5.0, k=2, rng=3, burn_in=0)
    b = lyapunov_spectrum(net, 5.0, k=2, rng=3, burn_in=0, fmt="float32")
    assert b.x_final.dtype == np.float32
    np.testing.assert_allclose(a.exponents, b.exponents, atol=1e-4)


def test_discrete_map_g2_published_value():
    """Discrete map, tanh, g = 2: lambda_max = ln(chi)/2 = 0.1547 per step (Poole et al. 2016;
    docs/references.md sec. 2, a QR simulation gave 0.1544). N = 600 (finite N lowers it by
    about 2%), tolerance 5%."""
    res = largest_lyapunov(RateNetwork(600, 2.0, time="discrete"), 1500, rng=1, burn_in=200)
    assert abs(res.largest / 0.1547 - 1.0) < 0.05
    assert res.sem[0] < 0.005


def test_noise_suppresses_chaos():
    """g = 1.5 > 1 with white noise sigma = 1: lambda_max < 0 (Schuecker, Goedeke & Helias
    2018 PRX 8:041029; docs/references.md sec. 1: DMFT -0.10725). N = 300, three seeds."""
    vals = [
        largest_lyapunov(RateNetwork(300, 1.5, sigma_noise=1.0), 100.0, rng=s, burn_in=20.0).largest
        for s in (1, 2, 3)
    ]
    assert -0.25 < np.mean(vals) < -0.05


def test_collapse_raises_convergence_error():
    """relu map with every unit below threshold: the tangent vectors vanish (log 0)."""
    net = RateNetwork(10, 1.0, phi=Transfer("relu", theta=100.0), time="discrete")
    with pytest.raises(ConvergenceError):
        largest_lyapunov(net, 10, rng=1, burn_in=0)
    res = largest_lyapunov(net, 10, rng=1, burn_in=0, raise_on_failure=False)
    assert res.status is Status.INVALID and not res.converged


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(k=0), "k"),
        (dict(k=11), "exceeds N"),
        (dict(t_ons=0.0), "t_ons"),
        (dict(T=0.5), "shorter than one re-orthonormalisation"),
        (dict(T=-1.0), "T"),
        (dict(dt=1.2), "Euler"),
        (dict(method="rk4"), "method"),
        (dict(fmt="int8"), "fmt"),
        (dict(x0=np.ones(3)), "shape"),
        (dict(burn_in=np.nan), "burn_in"),
    ],
)
def test_bad_input(kwargs, match):
    T = kwargs.pop("T", 5.0)
    with pytest.raises(ValueError, match=match):
        lyapunov_spectrum(RateNetwork(10, 1.0), T, **kwargs)


def test_bad_input_k_for_largest():
    with pytest.raises(ValueError, match="k = 1"):
        largest_lyapunov(RateNetwork(10, 1.0), 5.0, k=2)


@pytest.mark.parametrize(
    "phi",
    [
        Transfer("custom", func=np.tanh, deriv=lambda x: 1.0 / np.cosh(x) ** 2),
        Transfer("custom", func=np.tanh),  # automatic derivative (complex step)
        Transfer.from_sympy("tanh(x)"),  # sympy derivative
        "tanh(x)",  # a formula string
    ],
    ids=["given", "automatic", "sympy", "string"],
)
@pytest.mark.parametrize("time", ["continuous", "discrete"])
def test_custom_transfer_spectrum_matches_builtin(phi, time):
    """lyapunov_spectrum works with a custom phi (it refused one before): the NumPy tangent
    path with tanh written as a custom Transfer gives the kernel's tanh exponents to 1e-10."""
    kw = dict(k=3, rng=3, burn_in=10.0)
    T = 30.0 if time == "continuous" else 60
    a = lyapunov_spectrum(RateNetwork(80, 2.0, time=time), T, **kw)
    b = lyapunov_spectrum(RateNetwork(80, 2.0, phi=phi, time=time), T, **kw)
    np.testing.assert_allclose(b.exponents, a.exponents, rtol=0, atol=1e-10)
    np.testing.assert_allclose(b.x_final, a.x_final, rtol=0, atol=1e-10)


def test_custom_transfer_spectrum_matches_numpy_reference():
    """A non-built-in phi (softplus shifted to phi(0) = 0) against the QR oracle."""
    phi = Transfer.from_sympy("log(1 + exp(x)) - log(2)")
    net = RateNetwork(30, 2.5, phi=phi)
    rng = np.random.default_rng(7)
    J = sample_couplings(net, rng)
    x0 = rng.standard_normal(30)
    res = lyapunov_spectrum(net, 20.0, k=2, J=J, x0=x0, I=np.zeros(30), rng=1, burn_in=0.0)
    Q0 = np.linalg.qr(np.random.default_rng(1).standard_normal((30, 2)))[0]
    logs, x_end = lyapunov_reference(
        net, 20, 20, dt=0.05, method="euler", x0=x0, Q0=Q0, J=J, I=np.zeros(30), noise=None
    )
    np.testing.assert_allclose(res.exponents, np.sort(logs.sum(axis=0) / 20.0)[::-1], atol=1e-9)
    np.testing.assert_allclose(res.x_final, x_end, atol=1e-9)


def test_spectrum_reports_its_units():
    res = lyapunov_spectrum(RateNetwork(20, 2.0, tau=10.0), 5.0, rng=1, burn_in=1.0)
    assert "per unit tau" in repr(res)
    np.testing.assert_allclose(res.per_time, res.exponents / 10.0)


@pytest.mark.slow
def test_discrete_map_g2_large_n():
    """N = 1000, 2000 steps: within 3% of 0.1547 (docs/references.md sec. 2)."""
    res = largest_lyapunov(RateNetwork(1000, 2.0, time="discrete"), 2000, rng=1, burn_in=200)
    assert abs(res.largest / 0.1547 - 1.0) < 0.03


@pytest.mark.slow
def test_noise_driven_network_reference_value():
    """sigma = 1, g = 1.5: lambda_max = -0.10725 (DMFT) and -0.1130 (simulation, N = 2000),
    docs/references.md sec. 1. N = 1000: within 15% of the simulation value."""
    res = largest_lyapunov(RateNetwork(1000, 1.5, sigma_noise=1.0), 200.0, rng=1, burn_in=50.0)
    assert abs(res.largest / -0.1130 - 1.0) < 0.15


@pytest.mark.slow
def test_continuous_g2_chaotic():
    """tanh, g = 2, no noise: chaotic, lambda_max > 0 (SCS 1988; the DMFT value comes from
    the Schroedinger problem of docs/references.md sec. 1, simulation a few percent below).
    Rough range check at N = 1000."""
    res = largest_lyapunov(RateNetwork(1000, 2.0), 200.0, rng=1, burn_in=50.0)
    assert 0.05 < res.largest < 0.4
    assert res.largest > 5 * res.sem[0]


def test_memory_estimate_refuses_before_allocating():
    with pytest.raises(MemoryError, match=r"lyapunov_spectrum would allocate .*couplings J"):
        lyapunov_spectrum(RateNetwork(10**6, 1.0), 1.0)
    with pytest.raises(ValueError, match="GiB"):
        lyapunov_spectrum(RateNetwork(10**6, 1.0), 1.0)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [(dict(burn_in=1e300), "burn_in"), (dict(burn_in=10**12), "burn_in"), (dict(dt=1e-300), "dt")],
)
def test_lyapunov_refuses_more_steps_than_a_run_may_take(kwargs, name):
    """Issue 10 fuzz: ``burn_in=10**12`` tried to allocate 14.6 TiB for the discarded burn-in
    growth and ``dt=1e-300`` hung; both are refused up front, naming the argument."""
    args = dict(k=2, dt=0.1, rng=0, burn_in=1.0, progress=False) | kwargs
    with pytest.raises(ValueError, match=rf"\b{name}\b.*time steps, more than"):
        lyapunov_spectrum(RateNetwork(N=20, g=1.5), 5.0, **args)


def test_lyapunov_burn_in_in_scratch_chunks_gives_the_same_exponents(monkeypatch):
    """The discarded burn-in growth goes to one chunk of scratch (no (n_burn, k) array):
    a burn-in split into many small chunks gives bitwise the same exponents."""
    from rnmf.sim import lyapunov as lyap_mod

    net = RateNetwork(N=30, g=2.0)
    a = lyapunov_spectrum(net, 20.0, k=2, dt=0.1, rng=3, burn_in=30.0, progress=False)
    monkeypatch.setattr(lyap_mod, "_chunk_len", lambda N, noisy: 7)
    b = lyapunov_spectrum(net, 20.0, k=2, dt=0.1, rng=3, burn_in=30.0, progress=False)
    assert np.array_equal(a.exponents, b.exponents) and np.all(np.isfinite(a.exponents))


@pytest.mark.parametrize("flag", ["no", "1", 1, None])
def test_raise_on_failure_must_be_true_or_false(flag):
    """Found by the fuzz: ``raise_on_failure="no"`` was taken as true; refused up front."""
    with pytest.raises(TypeError, match="raise_on_failure must be True or False"):
        lyapunov_spectrum(RateNetwork(N=10, g=1.5), 2.0, k=1, rng=0, raise_on_failure=flag)
