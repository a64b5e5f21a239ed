"""Stationary DMFT of continuous-time random rate networks.

Oracles: published numbers (docs/references.md sec. 1: SCS 1988 and Schuecker, Goedeke &
Helias 2018), closed forms (quiet state, linear phi, g = 0 with noise, relu with
quenched input), independent computations (direct time stepping of the ODE for
Delta(tau) with Gauss-Hermite averages, energy equation with adaptive quadrature,
brute-force iteration of the static equations, the Lyapunov equation of a sampled
linear network).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, linalg, optimize

from rnmf.models import RateNetwork
from rnmf.results import ConvergenceError, Status
from rnmf.theory.dmft import (
    DMFTResult,
    local_stability,
    potential,
    schroedinger,
    solve,
    solve_grid,
    transition,
    transition_curve,
)
from rnmf.theory.gaussian import expect, expect2


@pytest.fixture(scope="module")
def g2():
    return solve(RateNetwork(N=1000, g=2.0))


# ----------------------------------------------------------------------- published numbers
@pytest.mark.parametrize("g,Delta0", [(1.5, 0.74768638055), (2.0, 1.92480541374)])
def test_scs_reference_delta0(g, Delta0):
    """SCS 1988 chaotic solution, tanh, no noise (docs/references.md sec. 1 table, 11 digits)."""
    r = solve(RateNetwork(N=1000, g=g))
    assert r.regime == "chaotic" and r.stable
    assert abs(r.Delta_inf) < 1e-20 and r.mu == 0.0
    assert r.Delta0 == pytest.approx(Delta0, rel=1e-10)
    assert r.lambda_max > 0


@pytest.mark.parametrize(
    "g,c0,lam", [(1.5, 1.11810, -0.10725), (2.5, 3.58287, 0.08895)], ids=["g1.5", "g2.5"]
)
def test_schuecker_noise_reference(g, c0, lam):
    """Schuecker, Goedeke & Helias 2018 convention, sigma = 1 (docs/references.md sec. 1 table):
    c0 and lambda_max to the digits given."""
    r = solve(RateNetwork(N=1000, g=g, sigma_noise=1.0))
    assert abs(r.Delta0 - c0) < 5e-6
    assert abs(r.lambda_max - lam) < 5e-6
    assert r.regime == ("chaotic" if lam > 0 else "noise-driven")


def test_quiet_state_closed_form():
    """g < 1, tanh: only the quiet fixed point, chi = g^2, lambda = g - 1 (SCS 1988)."""
    r = solve(RateNetwork(N=1000, g=0.5))
    assert (r.regime, r.Delta0, r.chi, r.stable) == ("quiet", 0.0, 0.25, True)
    assert r.lambda_max == pytest.approx(-0.5, abs=1e-14)
    assert len(r.solutions) == 1


def test_all_coexisting_states_g2(g2):
    """At g = 2 the chaotic state coexists with the unstable static and quiet fixed points;
    a fixed point has lambda = sqrt(chi) - 1 = g sqrt(<phi'^2>) - 1 (circular law)."""
    regimes = [s.regime for s in g2.solutions]
    assert regimes == ["chaotic", "static", "quiet"]
    static = g2.solutions[1]
    assert not static.stable and static.chi > 1
    assert static.Delta0 == pytest.approx(
        4.0 * expect(lambda x: np.tanh(x) ** 2, 0.0, static.Delta0), rel=1e-12
    )
    assert static.lambda_max == pytest.approx(math.sqrt(static.chi) - 1, rel=1e-14)
    quiet = g2.solutions[2]
    assert quiet.lambda_max == pytest.approx(1.0) and not quiet.stable


# ----------------------------------------------------------------------- independent oracles
def test_delta_tau_vs_direct_time_stepping(g2):
    """Delta(tau) from the energy solution vs RK4 stepping of Delta'' = Delta - g^2 C(Delta)
    with 150-node Gauss-Hermite averages (an independent quadrature and integrator)."""
    D0, g = g2.Delta0, 2.0

    def acc(D):
        return D - g**2 * expect2(np.tanh, np.tanh, 0.0, D0, D, method="gh", n=150)

    dt, T = 0.02, 5.0
    y = np.array([D0, 0.0])
    ts, ys = [0.0], [D0]
    for k in range(int(round(T / dt))):
        f = lambda y: np.array([y[1], acc(y[0])])
        k1 = f(y)
        k2 = f(y + 0.5 * dt * k1)
        k3 = f(y + 0.5 * dt * k2)
        k4 = f(y + dt * k3)
        y = y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        ts.append((k + 1) * dt)
        ys.append(y[0])
    np.testing.assert_allclose(g2.autocorrelation(np.array(ts)), ys, rtol=1e-7, atol=1e-9)


def test_energy_conservation_along_solution(g2):
    """Delta'^2/2 + V(Delta) = V(Delta_inf) along the returned Delta(tau) (SCS 1988 eq. 6)."""
    t = np.linspace(0.5, 8.0, 16)
    h = 1e-4
    D = g2.autocorrelation(t)
    dD = (g2.autocorrelation(t + h) - g2.autocorrelation(t - h)) / (2 * h)
    V = potential(g2.model, D, Delta0=g2.Delta0)
    Vinf = potential(g2.model, 0.0, Delta0=g2.Delta0)
    np.testing.assert_allclose(0.5 * dD**2 + V, Vinf, atol=1e-8)


def test_erf_energy_equation_by_quadrature():
    """erf transfer: Delta0^2/2 = g^2 (<Phi^2> - <Phi>^2) solved with adaptive quadrature."""
    net = RateNetwork(N=1000, g=1.8, phi="erf")
    Phi = net.phi.primitive

    def R(D):
        m1 = expect(Phi, 0.0, D, method="quad")
        m2 = expect(lambda x: Phi(x) ** 2, 0.0, D, method="quad")
        return -0.5 * D * D + net.g**2 * (m2 - m1 * m1)

    ref = optimize.brentq(R, 0.3, 3.0, xtol=1e-13)
    r = solve(net)
    assert r.regime == "chaotic"
    assert r.Delta0 == pytest.approx(ref, rel=1e-9)


def test_translation_mode_and_lyapunov_operator(g2):
    """psi = Delta'(tau) is the odd eigenstate with E = -1 exactly (lambda = 0), and
    lambda_max = sqrt(-E0) - 1 (SCS 1988 eq. 10; derivation in rnmf.theory.dmft.lyapunov)."""
    spec = schroedinger(g2, k=2)
    assert spec.E[1] == pytest.approx(-1.0, abs=1e-8)
    assert g2.lambda_max == pytest.approx(math.sqrt(-spec.E[0]) - 1.0, abs=1e-8)
    # convergence in the grid spacing (Richardson-extrapolated levels agree)
    coarse = schroedinger(g2, k=1, h=0.08)
    assert coarse.E[0] == pytest.approx(spec.E[0], abs=1e-8)


def test_static_and_quenched_input_brute_force():
    """J0, I0, sigma_I != 0, g < 1: static state; (mu, Delta0) from brute-force iteration of
    mu = J0 <phi> + I0, Delta0 = g^2 <phi^2> + sigma_I^2 with adaptive quadrature
    (Kadmon & Sompolinsky 2015 eqs. 3-4)."""
    net = RateNetwork(N=1000, g=0.8, J0=0.5, I0=0.3, sigma_I=0.4)
    mu, D = 0.0, 0.5
    for _ in range(200):
        mu, D = (
            net.J0 * expect(np.tanh, mu, D, method="quad") + net.I0,
            net.g**2 * expect(lambda x: np.tanh(x) ** 2, mu, D, method="quad") + net.sigma_I**2,
        )
    r = solve(net)
    assert r.regime == "static" and r.stable
    assert r.mu == pytest.approx(mu, rel=1e-9)
    assert r.Delta0 == pytest.approx(D, rel=1e-9)
    assert r.Delta_inf == r.Delta0
    assert r.lambda_max == pytest.approx(math.sqrt(r.chi) - 1)


def test_pitchfork_of_the_mean():
    """J0 = 2, g = 0.5: two mirror states +-mu (stable) and the unstable quiet state mu = 0."""
    r = solve(RateNetwork(N=1000, g=0.5, J0=2.0))
    states = sorted((s.mu, s.regime, s.stable) for s in r.solutions)
    assert [s[1:] for s in states] == [("static", True), ("quiet", False), ("static", True)]
    assert states[0][0] == pytest.approx(-states[2][0], rel=1e-10)
    assert r.mu > 0  # main result: the stable state with the larger mean
    # brute force from mu = 1 reaches the positive state
    mu, D = 1.0, 0.1
    for _ in range(300):
        mu, D = (
            2.0 * expect(np.tanh, mu, D) + 0.0,
            0.25 * expect(lambda x: np.tanh(x) ** 2, mu, D),
        )
    assert r.mu == pytest.approx(mu, rel=1e-9) and r.Delta0 == pytest.approx(D, rel=1e-9)


def test_chaos_with_quenched_input_hilltop():
    """tanh, g = 3, I0 = 0.3, sigma_I = 1: Delta_inf > 0 solves V'(Delta_inf) = 0, checked with
    a 2-D adaptive quadrature of C_phi (Kadmon & Sompolinsky 2015 eq. 5)."""
    net = RateNetwork(N=1000, g=3.0, I0=0.3, sigma_I=1.0)
    r = solve(net, lyapunov=False)
    assert r.regime == "chaotic" and 0 < r.Delta_inf < r.Delta0 and r.mu == 0.3
    cov = np.array([[r.Delta0, r.Delta_inf], [r.Delta_inf, r.Delta0]])
    L = np.linalg.cholesky(cov)
    C = integrate.dblquad(
        lambda y, x: (
            np.tanh(0.3 + L[0, 0] * x)
            * np.tanh(0.3 + L[1, 0] * x + L[1, 1] * y)
            * math.exp(-0.5 * (x * x + y * y))
            / (2 * math.pi)
        ),
        -10,
        10,
        -10,
        10,
        epsabs=1e-12,
        epsrel=1e-10,
    )[0]
    assert -r.Delta_inf + 9.0 * C + 1.0 == pytest.approx(0.0, abs=1e-8)


# ----------------------------------------------------------------------- closed forms
def test_linear_phi_with_noise_closed_form():
    """phi = x, g < 1, noise: S_x(w) = sigma^2/(1 + w^2 - g^2), so
    Delta(tau) = sigma^2 exp(-sqrt(1-g^2)|tau|) / (2 sqrt(1 - g^2)) and lambda = g - 1.
    (Derived in derivations/scs_dmft.py; the brief's sigma^2/(2(1-g^2)) is the discrete-map
    form and disagrees with the sampled-network check below.)"""
    g, s = 0.6, 1.3
    r = solve(RateNetwork(N=1000, g=g, phi="linear", sigma_noise=s))
    k = math.sqrt(1 - g * g)
    assert r.Delta0 == pytest.approx(s * s / (2 * k), rel=1e-10)
    t = np.linspace(0, 10, 21)
    np.testing.assert_allclose(r.autocorrelation(t), r.Delta0 * np.exp(-k * t), rtol=1e-7)
    assert r.lambda_max == pytest.approx(g - 1, abs=1e-7)
    assert r.regime == "noise-driven"


def test_linear_phi_against_sampled_lyapunov_equation():
    """Independent oracle: the stationary covariance of dx = (J - 1) x dt + sigma dW for a
    sampled Gaussian J (N = 300) solves (J-1) S + S (J-1)^T + sigma^2 = 0;
    tr S / N matches sigma^2 / (2 sqrt(1 - g^2)) up to finite-size corrections."""
    g, s, N = 0.6, 1.0, 300
    vals = []
    for seed in (1,):
        J = np.random.default_rng(seed).normal(0, g / math.sqrt(N), (N, N))
        A = J - np.eye(N)
        S = linalg.solve_continuous_lyapunov(A, -(s**2) * np.eye(N))
        vals.append(np.trace(S) / N)
    r = solve(RateNetwork(N=N, g=g, phi="linear", sigma_noise=s))
    assert np.mean(vals) == pytest.approx(r.Delta0, rel=0.04)
    assert abs(np.mean(vals) - s**2 / (2 * (1 - g * g))) > 0.1  # the other formula is excluded


def test_noise_only_g0():
    """g = 0: Ornstein-Uhlenbeck, Delta = sigma^2/2 e^{-tau}, half-width ln 2, tau_int = 1."""
    r = solve(RateNetwork(N=10, g=0.0, sigma_noise=1.0))
    assert r.Delta0 == pytest.approx(0.5, rel=1e-12)
    np.testing.assert_allclose(r.Delta, 0.5 * np.exp(-r.tau), atol=1e-10)
    assert r.tau_corr == pytest.approx(math.log(2), rel=1e-9)
    assert r.tau_int == pytest.approx(1.0, rel=1e-9)
    assert r.lambda_max == pytest.approx(-1.0, abs=1e-9)


def test_relu_quenched_input_closed_form():
    """relu (theta = 0), sigma_I = 0.5, g = 1: <relu^2> = Delta0/2, so
    Delta0 = sigma_I^2 / (1 - g^2/2) = 0.5, chi = g^2/2 (static, stable)."""
    r = solve(RateNetwork(N=10, g=1.0, phi="relu", sigma_I=0.5))
    assert r.regime == "static" and r.stable
    assert r.Delta0 == pytest.approx(0.5, rel=1e-10)
    assert r.chi == pytest.approx(0.5, rel=1e-10)
    assert r.lambda_max == pytest.approx(math.sqrt(0.5) - 1, rel=1e-10)


@settings(max_examples=15, deadline=None)
@given(g=st.floats(0.0, 0.95), s=st.floats(0.1, 2.0))
def test_linear_closed_form_property(g, s):
    """Linear phi, any g < 1 and sigma > 0: Delta0 = sigma^2 / (2 sqrt(1 - g^2))."""
    r = solve(RateNetwork(N=10, g=g, phi="linear", sigma_noise=s), lyapunov=False)
    assert r.Delta0 == pytest.approx(s * s / (2 * math.sqrt(1 - g * g)), rel=1e-8)


# ----------------------------------------------------------------------- transitions
def test_transition_to_chaos_g1():
    """Without noise and input, lambda_max crosses 0 at g_c = 1/phi'(0) = 1 (SCS 1988)."""
    gc = transition(RateNetwork(N=10, g=1.0), bracket=(0.8, 1.3), xtol=1e-4)
    assert gc == pytest.approx(1.0, abs=5e-4)


def test_noise_transition_above_local_stability():
    """With noise the transition (lambda = 0) lies above chi = 1 (Schuecker et al. 2018 Fig. 2)."""
    net = RateNetwork(N=10, g=1.0, sigma_noise=1.0)
    gc = transition(net, bracket=(1.5, 2.5), xtol=1e-5)
    g_loc = optimize.brentq(lambda g: local_stability(replace(net, g=g)) - 1.0, 1.0, 2.5, xtol=1e-8)
    assert 1.0 < g_loc < gc < 2.5
    assert solve(replace(net, g=gc)).lambda_max == pytest.approx(0.0, abs=1e-4)


# ----------------------------------------------------------------------- result object
def test_result_object(g2):
    assert isinstance(g2, DMFTResult) and g2.converged and g2.status is Status.CONVERGED
    t = np.array([-3.0, -0.5, 0.0, 0.5, 3.0])
    D = g2.autocorrelation(t)
    np.testing.assert_allclose(D, D[::-1])
    assert g2.autocorrelation(0.0) == pytest.approx(g2.Delta0, rel=1e-12)
    np.testing.assert_allclose(g2.autocorrelation(g2.tau), g2.Delta, rtol=1e-12)
    assert g2.autocorrelation(1e4) == pytest.approx(g2.Delta_inf, abs=1e-12)
    assert g2.autocorrelation(g2.tau_corr) == pytest.approx(g2.Delta0 / 2, rel=1e-7)
    assert np.all(np.diff(g2.Delta) <= 1e-15)  # monotone decay
    text = repr(g2)
    assert "DMFTResult" in text and "solutions" in text and "chaotic" in text
    assert len(text.splitlines()) < 30 and len(text) < 2500


def test_lag_grid_size():
    """Grid and options of the lag grid."""
    r = solve(RateNetwork(N=10, g=1.5), n_tau=11)
    assert r.tau.shape == (11,) and r.Delta.shape == (11,)


# ----------------------------------------------------------------------- grid
def test_solve_grid_matches_solve():
    """Vectorised phase diagram (fast path) equals point-wise solve."""
    G, S = np.meshgrid(np.array([0.5, 1.5, 2.5]), np.array([0.0, 0.8]))
    out = solve_grid(RateNetwork(N=10, g=1.0), g=G, sigma_noise=S, lyapunov=False)
    for idx in np.ndindex(G.shape):
        r = solve(RateNetwork(N=10, g=G[idx], sigma_noise=S[idx]), lyapunov=False)
        assert out["Delta0"][idx] == pytest.approx(r.Delta0, rel=1e-9, abs=1e-14)
        assert out["chi"][idx] == pytest.approx(r.chi, rel=1e-9)
    assert out["regime"][0, 0] == "quiet" and out["regime"][0, 2] == "chaotic"


def test_solve_grid_fallback_path():
    """A network off the fast path (J0 != 0) is solved point by point."""
    out = solve_grid(RateNetwork(N=10, g=0.5, J0=0.5), g=np.array([0.5, 0.8]), lyapunov=False)
    r = solve(RateNetwork(N=10, g=0.8, J0=0.5), lyapunov=False)
    assert out["Delta0"][1] == r.Delta0 and out["regime"][1] == r.regime


# ----------------------------------------------------------------------- failures / bad input
def test_no_solution_raises():
    """Linear phi with g > 1 diverges: ConvergenceError, or an UNBOUNDED result on request."""
    net = RateNetwork(N=10, g=1.5, phi="linear", sigma_noise=1.0)
    with pytest.raises(ConvergenceError, match="no bounded stationary state"):
        solve(net)
    r = solve(net, raise_on_failure=False)
    assert r.status is Status.UNBOUNDED and not r.converged and r.regime == "unbounded"


def test_bad_inputs(g2):
    with pytest.raises(ValueError, match="RateNetwork"):
        solve("g=2")
    for tol in (-1.0, 0.0, float("nan"), 0.1):
        with pytest.raises(ValueError, match="tol"):
            solve(RateNetwork(N=10, g=1.0), tol=tol)
    with pytest.raises(ValueError, match="n_tau"):
        solve(RateNetwork(N=10, g=1.0), n_tau=1)
    with pytest.raises(ValueError, match="param"):
        transition(RateNetwork(N=10, g=1.0), param="tau")
    with pytest.raises(ValueError, match="same sign"):
        transition(RateNetwork(N=10, g=1.0), bracket=(1.5, 2.0))
    with pytest.raises(ValueError, match="fluctuating"):
        schroedinger(solve(RateNetwork(N=10, g=0.5)))
    with pytest.raises(ValueError, match="NaN"):
        g2.autocorrelation(np.nan)
    with pytest.raises(ValueError, match="g"):
        solve_grid(RateNetwork(N=10, g=1.0), g=np.array([-1.0, 1.0]))
    with pytest.raises(ValueError, match="NaN"):
        solve_grid(RateNetwork(N=10, g=1.0), sigma_noise=np.array([np.nan]))
    with pytest.raises(ValueError, match="varies"):
        solve_grid(RateNetwork(N=10, g=1.0), tau=np.ones(2))
    with pytest.raises(ValueError, match="broadcast"):
        solve_grid(RateNetwork(N=10, g=1.0), g=np.ones(2), sigma_noise=np.ones(3))


def test_potential_names_its_arguments():
    """``potential`` checks Delta, Delta0 and mu itself (found by tests/test_fuzz.py).

    Before: NaN, None, complex or |Delta| > Delta0 reached the Gaussian averages, whose
    message named internal variables ('D contains NaN', 'D0 contains NaN').
    """
    net = RateNetwork(N=10, g=1.5)
    for bad in (np.nan, np.inf, None, 1 + 1j, object()):
        with pytest.raises((ValueError, TypeError), match=r"\bDelta\b"):
            potential(net, bad, Delta0=1.0)
    for bad in (-2.5, 1e300, [1.0, 2.0]):
        with pytest.raises(ValueError, match=r"Delta must lie in \[-Delta0, Delta0\]"):
            potential(net, bad, Delta0=1.0)
    for bad in (np.nan, -1.0, None, 1j):
        with pytest.raises((ValueError, TypeError), match=r"\bDelta0\b"):
            potential(net, 0.5, Delta0=bad)
    with pytest.raises(ValueError, match="Delta0"):
        potential(net, 0.5, Delta0=1e-300)  # the covariance exceeds the variance
    with pytest.raises((ValueError, TypeError), match=r"\bmu\b"):
        potential(net, 0.5, Delta0=1.0, mu=np.nan)
    v = potential(net, 0.5, Delta0=1.0)
    assert isinstance(v, float) and math.isfinite(v)
    both = potential(net, np.array([0.5, -1.0]), Delta0=1.0)
    assert both.shape == (2,) and both[0] == pytest.approx(v, rel=1e-14)


def test_flags_must_be_bool():
    """``lyapunov='no'`` was taken as true and an array raised numpy's truth-value error."""
    net = RateNetwork(N=10, g=1.5)
    for bad in ("no", np.ones((2, 3)), 1, None):
        with pytest.raises(ValueError, match="lyapunov must be True or False"):
            solve(net, lyapunov=bad)
        with pytest.raises(ValueError, match="lyapunov must be True or False"):
            solve_grid(net, g=np.array([0.5]), lyapunov=bad)
    with pytest.raises(ValueError, match="raise_on_failure must be True or False"):
        solve(net, raise_on_failure="yes")
    r = solve(net, lyapunov=np.bool_(False))  # a NumPy bool is a bool
    assert r.options["lyapunov"] is False and math.isnan(r.lambda_max)


def test_huge_sizes_and_scales_are_refused_up_front():
    """n_tau = 1e12 is refused with the memory estimate; g or sigma_noise far beyond the
    resolution of the Gaussian averages (g = 1e12: ZeroDivisionError or minutes of work
    before; g = 500: solve found only the static state and called it the main one;
    g = 1e150: solve_grid labelled it quiet) raise a ValueError naming them."""
    net = RateNetwork(N=10, g=1.5)
    for n_tau in (10**12, 1e12):
        with pytest.raises(MemoryError, match=r"n_tau=1000000000000 would allocate .* GiB"):
            solve(net, n_tau=n_tau)
    for g in (1e12, 1e150, 1e300, 500.0):
        with pytest.raises(ValueError, match=r"g = .*sigma_noise = .*exceeds 9000"):
            solve_grid(net, g=np.array([0.5, g]))
    for s in (1e12, 1e300):
        with pytest.raises(ValueError, match=r"sigma_noise = .*reduce g or sigma_noise"):
            solve_grid(net, sigma_noise=np.array([s]))
    with pytest.raises(ValueError, match="RateNetwork: g = 500"):
        solve(RateNetwork(N=10, g=500.0))
    # unbounded phi are averaged exactly on their pieces: no such limit (relu diverges)
    r = solve(RateNetwork(N=10, g=500.0, phi="relu"), raise_on_failure=False)
    assert r.regime == "unbounded"


def test_neighbouring_arguments_are_named():
    """Arguments next to the fuzzed ones: empty, string or boolean grids (numpy turned '1'
    into 1.0 and True into 1.0; an empty grid raised 'zero-size array to reduction'), an
    overflowing mean coupling ('mu contains NaN'), and transition's bracket/xtol/param (a
    NaN or negative xtol ran forever, a bracket of strings gave 'could not convert')."""
    net = RateNetwork(N=10, g=1.5)
    with pytest.raises(ValueError, match="g is empty"):
        solve_grid(net, g=np.array([]))
    with pytest.raises((ValueError, TypeError), match=r"\bg must be numbers"):
        solve_grid(net, g="1")
    with pytest.raises(ValueError, match="g must be numbers, got booleans"):
        solve_grid(net, g=True)
    with pytest.raises(ValueError, match="g must be real"):
        solve_grid(net, g=np.array([1.0 + 0j]))
    with pytest.raises(ValueError, match=r"\|J0\| = 1e\+300 exceeds"):
        solve_grid(net, J0=np.array([1e300]))
    with pytest.raises(ValueError, match=r"RateNetwork: \|I0\| = 1e\+200"):
        solve(RateNetwork(N=10, g=1.5, I0=1e200))
    assert solve_grid(net, g=3)["Delta0"].shape == ()  # a scalar grid stays 0-d
    for kw, match in (
        (dict(xtol=np.nan), "xtol"),
        (dict(xtol=-1.0), "xtol"),
        (dict(xtol="1"), "xtol"),
        (dict(bracket=("a", "b")), "bracket"),
        (dict(bracket=(1.0,)), "bracket"),
        (dict(bracket=1.0), "bracket"),
        (dict(param=np.ones(2)), "param"),
    ):
        with pytest.raises((ValueError, TypeError), match=match):
            transition(net, **kw)
        with pytest.raises((ValueError, TypeError), match=match):
            transition_curve(net, values=[0.0], **kw)
    with pytest.raises(ValueError, match="values of sigma_noise: .*exceeds 9000"):
        transition_curve(net, values=[1e300])
    with pytest.raises(ValueError, match="param and along must be fields among"):
        transition_curve(net, values=[0.0], along=None)


def test_schroedinger_and_autocorrelation_arguments(g2):
    """k = 1e12 gave scipy's 'select_range out of bounds', h = 1e300 an OverflowError, a box
    T = 1e300 a memory refusal that named h only, and lags='a' 'could not convert'."""
    with pytest.raises(ValueError, match="k = 1000000000000 eigenvalues exceed"):
        schroedinger(g2, k=10**12)
    with pytest.raises(ValueError, match=r"h = 1e\+300 must resolve the box"):
        schroedinger(g2, h=1e300)
    with pytest.raises(MemoryError, match=r"h and T=\(0.04, 1e\+300\).*smaller T"):
        schroedinger(g2, T=1e300)
    with pytest.raises(ValueError, match="h must be finite"):
        schroedinger(g2, h=np.nan)
    for bad in ("a", None):
        with pytest.raises((ValueError, TypeError), match="lags must be numbers"):
            g2.autocorrelation(bad)
    assert g2.autocorrelation(np.ones((2, 2))).shape == (2, 2)
