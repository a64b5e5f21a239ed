"""Tests of the LIF mean-field theory (rnmf.theory.lif).

Oracles: published numbers (Brunel 2000 via docs/references.md, independently
computed and checked against NNMT 1.3.0), multi-precision quadrature (mpmath), adaptive
scipy quadrature of the CV double integral, a Runge-Kutta threshold integration of the
linearised Fokker-Planck equation written here (independent of the parabolic-cylinder
closed form), closed-form limits and the van Vreeswijk-Sompolinsky balance equations.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.special import erfcx

from rnmf.models import LIFNetwork
from rnmf.results import ConvergenceError
from rnmf.theory import lif

NEURON = dict(tau_m=20.0, V_th=20.0, V_reset=10.0, t_ref=2.0)


# ---------------------------------------------------------------------------
# oracles
# ---------------------------------------------------------------------------


def siegert_mp(mu, sigma, tau=20.0, th=20.0, vr=10.0, tref=2.0, log=False):
    """Siegert formula (Brunel 2000 eq. 21) at 50 digits; e^{u^2}(1+erf u) as e^{u^2} erfc(-u)."""
    with mpmath.workdps(50):
        a = (mpmath.mpf(vr) - mu) / sigma
        b = (mpmath.mpf(th) - mu) / sigma
        pts = [a] + [x for x in (-10, -3, 0, 3) if a < x < b] + [b]
        integral = mpmath.quad(lambda u: mpmath.exp(u * u) * mpmath.erfc(-u), pts)
        nu = 1000 / (tref + tau * mpmath.sqrt(mpmath.pi) * integral)
        return float(mpmath.log(nu)) if log else float(nu)


def cv_quad(mu, sigma, tau=20.0, th=20.0, vr=10.0, tref=2.0):
    """CV from Brunel (2000) App. A by nested adaptive quadrature (scipy, float64).

    Inner integral e^{x^2} int_{-inf}^x e^{y^2}(1+erf y)^2 dy written with y = x - t as
    int_0^inf erfcx(t - x)^2 e^{2xt - t^2} dt (moderate x only)."""
    a, b = (vr - mu) / sigma, (th - mu) / sigma
    nu = siegert_mp(mu, sigma, tau, th, vr, tref) / 1000.0
    inner = lambda x: quad(
        lambda t: erfcx(t - x) ** 2 * np.exp(2 * x * t - t * t), 0, np.inf, epsabs=0, epsrel=1e-13
    )[0]
    R = quad(inner, a, b, epsabs=0, epsrel=1e-12, limit=200)[0]
    return math.sqrt(2 * math.pi * (nu * tau) ** 2 * R)


def fpe_response(lam, mu, sigma, nu_hz, tau=20.0, th=20.0, vr=10.0, tref=2.0, h=0.004):
    """Linear response by threshold integration of the linearised Fokker-Planck equation.

    tau dP/dt = -d/dV[(mu - V) P] + sigma^2/2 d^2P/dV^2 + reset; flux
    J = [(mu - V) P - sigma^2/2 dP/dV] / tau.  Perturbing mu (or sigma^2) by
    e^{lam t} and writing P1, J1 for the first-order parts:
    dP1/dV = 2/sigma^2 [(mu - V) P1 + mu1 P0 - tau J1] - s1/sigma^2 dP0/dV,
    dJ1/dV = -lam P1, J1 jumps by nu1 e^{-lam t_ref} at V_r, P1(V_th) = 0, J1(V_th) = nu1,
    and J1(-inf) = 0 fixes nu1 (threshold integration, after Richardson 2007).
    RK4 from V_th downwards, three linear sub-problems solved at once."""
    lam = np.atleast_1d(np.asarray(lam, complex))
    nu0 = nu_hz / 1000.0
    s2 = sigma**2
    V_low = min(vr, mu) - 10.0 * sigma

    def rhs(V, y, j0):
        P0, Pn, Jn, Pm, Jm, Ps, Js = y
        dP0 = (2 / s2) * ((mu - V) * P0 - tau * j0)
        return np.array(
            [
                dP0,
                (2 / s2) * ((mu - V) * Pn - tau * Jn),
                -lam * Pn,
                (2 / s2) * ((mu - V) * Pm + P0 - tau * Jm),
                -lam * Pm,
                (2 / s2) * ((mu - V) * Ps - tau * Js) - dP0 / s2,
                -lam * Ps,
            ]
        )

    def run(y, V0, V1, j0):
        n = max(int(np.ceil((V0 - V1) / (h * sigma))), 1)
        dv = -(V0 - V1) / n
        V = V0
        for _ in range(n):
            k1 = rhs(V, y, j0)
            k2 = rhs(V + dv / 2, y + dv / 2 * k1, j0)
            k3 = rhs(V + dv / 2, y + dv / 2 * k2, j0)
            k4 = rhs(V + dv, y + dv * k3, j0)
            y = y + dv / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
            V += dv
        return y

    y = np.zeros((7, lam.size), complex)
    y[2] = 1.0
    y = run(y, th, vr, nu0)
    y[2] = y[2] - np.exp(-lam * tref)
    y = run(y, vr, V_low, 0.0)
    return -y[4] / y[2] * 1000.0, -y[6] / y[2] * 1000.0


# ---------------------------------------------------------------------------
# Siegert formula
# ---------------------------------------------------------------------------


def test_siegert_reference_point():
    """docs/references.md sec. 3: mu = 22 mV, sigma = 1 mV gives 27.18 Hz (naive form: 43.8 Hz)."""
    nu = lif.siegert(22.0, 1.0, **NEURON)
    assert nu == pytest.approx(27.18, abs=5e-3)
    assert nu == pytest.approx(siegert_mp(22.0, 1.0), rel=1e-13)


@pytest.mark.parametrize(
    "mu, sigma",
    [
        (22.0, 1.0),  # mean-driven, large negative arguments
        (30.0, 0.1),  # y_r = -200, y_th = -100
        (19.9, 0.2),  # just below threshold, small noise
        (15.0, 5.0),
        (5.0, 1.0),  # strongly subthreshold: y_th = 15
        (-50.0, 20.0),
        (10.0, 200.0),  # huge noise, a ~ b ~ 0
        (20.0, 3.0),
    ],
)
def test_siegert_against_mpmath(mu, sigma):
    """Brunel (2000) eq. 21 evaluated at 50 digits with mpmath."""
    assert lif.siegert(mu, sigma, **NEURON) == pytest.approx(siegert_mp(mu, sigma), rel=1e-12)


def test_siegert_underflow_in_log_space():
    """Rates far below the float64 range stay finite and exact in log form (y_th = 40)."""
    mu, sigma = 0.0, 0.5
    log_nu = lif.siegert(mu, sigma, **NEURON, log=True)
    assert np.isfinite(log_nu)
    assert log_nu == pytest.approx(siegert_mp(mu, sigma, log=True), rel=1e-12)
    assert lif.siegert(mu, sigma, **NEURON) == 0.0  # underflows, never NaN
    tiny = lif.siegert(12.0, 1.0, **NEURON)  # ~1e-26 Hz, positive
    assert 0 < tiny < 1e-20
    assert tiny == pytest.approx(siegert_mp(12.0, 1.0), rel=1e-12)


def test_siegert_deterministic_limit():
    """sigma -> 0: 1/nu = t_ref + tau ln((mu - V_r)/(mu - theta)) above threshold, 0 below."""
    mu = 25.0
    exact = 1000.0 / (2.0 + 20.0 * math.log((mu - 10.0) / (mu - 20.0)))
    assert lif.siegert(mu, 0.0, **NEURON) == pytest.approx(exact, rel=1e-14)
    assert lif.siegert(mu, 1e-3, **NEURON) == pytest.approx(exact, rel=1e-4)
    assert lif.siegert(15.0, 0.0, **NEURON) == 0.0


def test_siegert_vectorised_and_no_refractoriness():
    """Broadcasting, and t_ref = 0 against mpmath."""
    mu = np.linspace(5, 30, 7)[:, None]
    sigma = np.array([1.0, 4.0, 9.0])[None, :]
    out = lif.siegert(mu, sigma, **NEURON)
    assert out.shape == (7, 3)
    assert out[3, 1] == pytest.approx(siegert_mp(mu[3, 0], 4.0), rel=1e-12)
    nu0 = lif.siegert(18.0, 3.0, tau_m=20.0, V_th=20.0, V_reset=10.0, t_ref=0.0)
    assert nu0 == pytest.approx(siegert_mp(18.0, 3.0, tref=0.0), rel=1e-12)


def test_colored_noise_shift():
    """Fourcaud & Brunel 2002: tau_s > 0 shifts both bounds by alpha/2 sqrt(tau_s/tau_m) sigma,
    alpha = sqrt(2)|zeta(1/2)| = 2.0652."""
    assert lif.ALPHA_COLORED == pytest.approx(math.sqrt(2) * 1.4603545088095868, rel=1e-14)
    mu, sigma, tau_s = 18.0, 4.0, 2.0
    shift = lif.ALPHA_COLORED / 2 * math.sqrt(tau_s / 20.0) * sigma
    colored = lif.siegert(mu, sigma, **NEURON, tau_s=tau_s)
    ref = siegert_mp(mu, sigma, th=20.0 + shift, vr=10.0 + shift)
    assert colored == pytest.approx(ref, rel=1e-12)
    assert colored < lif.siegert(mu, sigma, **NEURON)


@pytest.mark.parametrize("mu, sigma", [(15.0, 5.0), (22.0, 1.0), (8.0, 2.0), (19.5, 0.5)])
def test_siegert_derivatives_against_mpmath_differences(mu, sigma):
    """Analytic d nu/d mu and d nu/d sigma against mpmath numerical differentiation."""
    nu, dmu, dsig = lif.siegert_derivatives(mu, sigma, **NEURON)
    with mpmath.workdps(30):
        f = lambda m, s: siegert_mp(m, s)
        ref_mu = mpmath.diff(lambda m: mpmath.mpf(f(m, sigma)), mu, h=1e-4)
        ref_sig = mpmath.diff(lambda s: mpmath.mpf(f(mu, s)), sigma, h=1e-4)
    assert nu == pytest.approx(siegert_mp(mu, sigma), rel=1e-12)
    assert dmu == pytest.approx(float(ref_mu), rel=1e-6)
    assert dsig == pytest.approx(float(ref_sig), rel=1e-6)


def test_siegert_derivatives_small_noise_limit():
    """sigma -> 0 above threshold: d nu/d mu -> the deterministic derivative
    nu^2 tau [1/(mu - theta) - 1/(mu - V_r)], d nu/d sigma -> 0 (no cancellation noise);
    below threshold everything vanishes."""
    mu = 25.0
    nu0 = lif.siegert(mu, 0.0, **NEURON)
    det = (nu0 / 1000.0) ** 2 * 20.0 * (1 / 5.0 - 1 / 15.0) * 1000.0
    for sigma in (1e-3, 1e-8, 1e-200, 0.0):
        nu, dmu, dsig = lif.siegert_derivatives(mu, sigma, **NEURON)
        assert nu == pytest.approx(nu0, rel=1e-5)
        assert dmu == pytest.approx(det, rel=1e-4)
        assert abs(dsig) < 1.0 * sigma + 1e-300
    assert lif.siegert_derivatives(15.0, 1e-200, **NEURON) == (0.0, 0.0, 0.0)


@settings(max_examples=60, deadline=None)
@given(
    mu=st.floats(-100, 100),
    sigma=st.floats(0.01, 50),
    dmu=st.floats(0.01, 5),
)
def test_siegert_bounded_and_monotone(mu, sigma, dmu):
    """0 <= nu < 1/t_ref, finite everywhere, increasing in mu (Brunel 2000 eq. 21)."""
    a = lif.siegert(mu, sigma, **NEURON)
    b = lif.siegert(mu + dmu, sigma, **NEURON)
    assert np.isfinite(a) and 0.0 <= a < 500.0
    assert b >= a
    assert np.isfinite(lif.siegert(mu, sigma, **NEURON, log=True))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(mu=np.nan, sigma=1.0), "mu"),
        (dict(mu=1.0, sigma=np.nan), "sigma"),
        (dict(mu=1.0, sigma=-1.0), "sigma"),
        (dict(mu=[1.0, np.inf], sigma=1.0), "mu"),
        (dict(mu=1.0, sigma=1.0, tau_m=0.0), "tau_m"),
        (dict(mu=1.0, sigma=1.0, tau_m=-5.0), "tau_m"),
        (dict(mu=1.0, sigma=1.0, t_ref=-1.0), "t_ref"),
        (dict(mu=1.0, sigma=1.0, tau_s=-1.0), "tau_s"),
        (dict(mu=1.0, sigma=1.0, V_reset=25.0), "V_reset"),
    ],
)
def test_siegert_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        lif.siegert(**kwargs)
    with pytest.raises(ValueError, match=match):
        lif.cv_isi(**kwargs)


# ---------------------------------------------------------------------------
# CV of the ISI
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mu, sigma", [(22.0, 1.0), (30.0, 0.5), (19.9, 0.2), (15.0, 5.0), (19.0, 3.0), (40.0, 10.0)]
)
def test_cv_against_quadrature(mu, sigma):
    """Brunel (2000) App. A double integral by nested adaptive quadrature."""
    assert lif.cv_isi(mu, sigma, **NEURON) == pytest.approx(cv_quad(mu, sigma), rel=1e-9)


def test_cv_limits():
    """CV -> 1 (Poisson-like) deep below threshold, -> 0 without noise above it."""
    sub = lif.cv_isi(np.array([5.0, 0.0, -20.0]), 2.0, **NEURON)
    assert np.all(np.abs(sub - 1.0) < 1e-3)
    assert np.all(np.isfinite(sub))
    supra = lif.cv_isi(30.0, np.array([1.0, 0.1, 0.01, 0.0]), **NEURON)
    assert np.all(np.diff(supra) < 0)
    assert supra[2] < 2e-3 and supra[3] == 0.0
    with pytest.warns(RuntimeWarning, match="never fires"):
        assert np.isnan(lif.cv_isi(15.0, 0.0, **NEURON))  # silent: no intervals


def test_cv_vanishing_noise_is_finite():
    """Tiny but positive sigma: linear-noise limit above threshold, CV = 1 (escape) below."""
    cv = lif.cv_isi(np.array([25.0, 25.0, 15.0]), np.array([1e-7, 1e-200, 1e-200]), **NEURON)
    T = 2.0 + 20.0 * math.log(15.0 / 5.0)
    lin = 20.0 * 1e-7 / math.sqrt(2) * math.sqrt(1 / 25.0 - 1 / 225.0) / T
    assert cv[0] == pytest.approx(lin, rel=1e-6)
    assert 0.0 < cv[1] < 1e-150 and cv[2] == 1.0


def test_cv_and_rate_against_ou_monte_carlo():
    """Monte Carlo of the white-noise LIF neuron (exact Ornstein-Uhlenbeck steps, stationary
    variance sigma^2/2, dt = 0.01 ms) at the Brunel C input (mu = 21.0, sigma = 7.68 mV).
    Discrete-time threshold detection misses crossings, O(sqrt(dt)) (about 1.5 % here), so
    the tolerance is 3 % for the rate and 2 % for the CV (standard errors ~0.3 %)."""
    mu, sigma = 21.02515145711831, 7.682907052304934
    rng = np.random.default_rng(12345)
    n, dt, T, t0 = 1000, 0.01, 1500.0, 100.0
    dec = math.exp(-dt / 20.0)
    sd = sigma / math.sqrt(2) * math.sqrt(1 - dec**2)
    V = rng.uniform(10, 20, n)
    ref = np.zeros(n)
    last = np.full(n, np.nan)
    isis = []
    for k in range(int(T / dt)):
        active = ref <= 0
        V = np.where(active, mu + (V - mu) * dec + sd * rng.standard_normal(n), V)
        ref -= dt
        idx = np.nonzero(V >= 20.0)[0]
        if idx.size:
            t = k * dt
            ok = ~np.isnan(last[idx]) & (t > t0)
            isis.extend((t - last[idx])[ok])
            last[idx] = t
            V[idx] = 10.0
            ref[idx] = 2.0
    isis = np.asarray(isis)
    assert 1000.0 / isis.mean() == pytest.approx(lif.siegert(mu, sigma, **NEURON), rel=0.03)
    assert isis.std() / isis.mean() == pytest.approx(lif.cv_isi(mu, sigma, **NEURON), rel=0.02)


def test_cv_small_noise_asymptotics():
    """Small-noise expansion of the first-passage-time variance of the OU process:
    Var T = tau^2 sigma^2/2 [1/(mu-theta)^2 - 1/(mu-V_r)^2] (linear noise approximation),
    so CV -> sqrt(Var T)/(t_ref + T_det) as sigma -> 0."""
    mu, sigma = 30.0, 0.02
    T = 2.0 + 20.0 * math.log(20.0 / 10.0)
    var = 20.0**2 * sigma**2 / 2 * (1 / 10.0**2 - 1 / 20.0**2)
    assert lif.cv_isi(mu, sigma, **NEURON) == pytest.approx(math.sqrt(var) / T, rel=1e-3)


# ---------------------------------------------------------------------------
# Network fixed points
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "g, eta, ref, rel",
    [
        (5.0, 2.0, 37.94969709, 1e-8),
        (4.0, 1.0, 28.82034179, 1e-8),
        (6.0, 4.0, 55.84126238, 1e-8),
        (3.0, 2.0, 327.0, 1e-4),
        (4.5, 0.9, 6.517, 1e-4),
    ],
)
def test_brunel_reference_rates(g, eta, ref, rel):
    """docs/references.md sec. 3 and 6 (Brunel 2000 model A; agrees with NNMT 1.3.0 to 1e-10)."""
    res = lif.stationary_rates(LIFNetwork.brunel(g, eta))
    assert res.converged and res.n_solutions == 1 and res.complete
    np.testing.assert_allclose(res.rates, [ref, ref], rtol=rel)
    grid = lif.brunel_rates(g, eta)
    assert grid.rates[0] == pytest.approx(ref, rel=rel)


def test_brunel_input_statistics():
    """Brunel (2000) eqs. 4-5: mu = C_E J tau (nu_ext + nu(1 - g gamma)), sigma^2 likewise."""
    net = LIFNetwork.brunel(5.0, 2.0)
    nu = 37.0
    mu, sigma = lif.input_statistics(net, [nu, nu])
    assert mu[0] == pytest.approx(1000 * 0.1 * 0.02 * (20.0 + nu * (1 - 5 * 0.25)), rel=1e-14)
    assert sigma[1] ** 2 == pytest.approx(1000 * 0.01 * 0.02 * (20.0 + nu * (1 + 25 * 0.25)))


def test_all_fixed_points_found():
    """g = 3, eta = 0.5: quiescent, intermediate (unstable) and high states coexist; each is a
    root of nu = Phi(nu) and matches an independent brentq on nu_E = nu_I = nu."""
    from scipy.optimize import brentq

    net = LIFNetwork.brunel(3.0, 0.5)
    res = lif.stationary_rates(net)
    assert res.n_solutions == 3
    assert [s.stable for s in res.solutions] == [True, False, True]
    F = lambda nu: lif.siegert(*lif.input_statistics(net, [nu, nu]), **NEURON)[0] - nu
    for s, (lo, hi) in zip(res.solutions[1:], [(5.0, 100.0), (100.0, 499.0)], strict=True):
        assert s.rates[0] == pytest.approx(brentq(F, lo, hi, xtol=1e-14, rtol=1e-14), rel=1e-10)
    low = res.solutions[0].rates[0]
    assert 0 < low < 1e-30 and abs(F(low)) <= 1e-10 * low
    assert res.rates[0] == low  # primary: lowest stable
    # the grid version sees the same three states
    grid = lif.brunel_rates(3.0, 0.5)
    assert grid.n_solutions == 3
    np.testing.assert_allclose(grid.rates, [s.rates[0] for s in res.solutions], rtol=1e-9)
    np.testing.assert_array_equal(grid.stable, [True, False, True])
    text = repr(res)
    assert "n_solutions" in text and "unstable" in text


def test_brunel_grid_matches_single_solves():
    g = np.array([4.0, 5.0, 6.0])[:, None]
    eta = np.array([1.0, 2.0, 3.5])[None, :]
    grid = lif.brunel_rates(g, eta)
    assert grid.rates.shape[:2] == (3, 3)
    for i in range(3):
        for j in range(3):
            single = lif.stationary_rates(LIFNetwork.brunel(g[i, 0], eta[0, j]))
            got = grid.rates[i, j][~np.isnan(grid.rates[i, j])]
            np.testing.assert_allclose(got, [s.rates[0] for s in single.solutions], rtol=1e-9)


def test_general_two_group_network_and_jacobian():
    """Distinct E and I rows (multi-start path): the solution satisfies nu = Phi(nu), and the
    analytic Jacobian equals a finite-difference one."""
    s = 2.0 / math.sqrt(1000)
    net = LIFNetwork(
        N=(4000, 1000),
        K=((1000, 250), (1000, 250)),
        J=((s, -5 * s), (1.5 * s, -6 * s)),
        nu_ext=20.0,
        C_ext=1000,
        J_ext=(s, 0.8 * s),
    )
    res = lif.stationary_rates(net)
    assert not res.complete and res.n_solutions >= 1
    nu = res.rates
    mu, sigma = lif.input_statistics(net, nu)
    np.testing.assert_allclose(lif.siegert(mu, sigma, **NEURON), nu, rtol=1e-10)
    jac = lif.inputs._jacobian(net, nu)
    h = 1e-6 * nu
    fd = np.empty((2, 2))
    for b in range(2):
        e = np.zeros(2)
        e[b] = h[b]
        up = lif.siegert(*lif.input_statistics(net, nu + e), **NEURON)
        dn = lif.siegert(*lif.input_statistics(net, nu - e), **NEURON)
        fd[:, b] = (up - dn) / (2 * h[b])
    np.testing.assert_allclose(jac, fd, rtol=1e-6)
    np.testing.assert_allclose(res.eigenvalues, np.linalg.eigvals(fd - np.eye(2)), rtol=1e-5)


def test_constant_drive_network_and_quiescent_state():
    """No Poisson input (sigma = 0 at nu = 0): the deterministic limit enters the scan.
    mu_ext below threshold with excitation: the silent state nu = 0 is an exact fixed point.
    With inhibition and mu_ext above threshold, nu = Phi(nu) checked independently."""
    exc = LIFNetwork(N=(100,), K=((50,),), J=((0.2,),), mu_ext=15.0, nu_ext=0.0, C_ext=0.0)
    res = lif.stationary_rates(exc)
    assert res.solutions[0].rates[0] == 0.0 and res.solutions[0].stable
    inh = LIFNetwork(N=(100,), K=((50,),), J=((-0.2,),), mu_ext=25.0, nu_ext=0.0, C_ext=0.0)
    res = lif.stationary_rates(inh)
    assert res.n_solutions == 1
    nu = res.rates[0]
    mu = 25.0 - 0.02 * 50 * 0.2 * nu
    sigma = math.sqrt(0.02 * 50 * 0.04 * nu)
    assert nu == pytest.approx(siegert_mp(mu, sigma), rel=1e-10)


def test_validity_flags():
    """Large PSPs and rates near 1/t_ref are flagged, not silently accepted."""
    big = LIFNetwork.brunel(5.0, 2.0, J=2.0)
    res = lif.stationary_rates(big, raise_on_failure=False)
    assert not res.diffusion_valid and any("PSP" in v for v in res.validity)
    sat = lif.stationary_rates(LIFNetwork.brunel(3.0, 2.0))
    assert not sat.diffusion_valid and any("t_ref" in v for v in sat.validity)
    assert lif.stationary_rates(LIFNetwork.brunel(5.0, 2.0)).diffusion_valid


def test_network_bad_input():
    net = LIFNetwork.brunel(5.0, 2.0)
    with pytest.raises(ValueError, match="LIFNetwork"):
        lif.stationary_rates("not a network")
    with pytest.raises(ValueError, match="tol"):
        lif.stationary_rates(net, tol=-1.0)
    with pytest.raises(ValueError, match="length P"):
        lif.input_statistics(net, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="finite"):
        lif.input_statistics(net, [np.nan, 1.0])
    with pytest.raises(ValueError, match="eta"):
        lif.brunel_rates(5.0, np.nan)
    with pytest.raises(ValueError, match="g must"):
        lif.brunel_rates(-1.0, 2.0)
    with pytest.raises(ValueError, match="tau_m"):
        LIFNetwork.brunel(5.0, 2.0, tau_m=-20.0)


def test_no_fixed_point_raises():
    """A search range below the only fixed point finds nothing: ConvergenceError (or flagged)."""
    net = LIFNetwork.brunel(5.0, 2.0)
    with pytest.raises(ConvergenceError):
        lif.stationary_rates(net, nu_max=10.0)
    res = lif.stationary_rates(net, nu_max=10.0, raise_on_failure=False)
    assert not res.converged and res.n_solutions == 0


# ---------------------------------------------------------------------------
# Linear response
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("mu, sigma", [(15.0, 5.0), (22.0, 1.0), (21.0, 7.7)])
def test_transfer_function_zero_frequency(mu, sigma):
    """omega -> 0: G_mu -> d nu/d mu and G_sigma2 -> (d nu/d sigma)/(2 sigma) (Siegert)."""
    _, dmu, dsig = lif.siegert_derivatives(mu, sigma, **NEURON)
    gm, gs = lif.transfer_function([1e-4, 0.0], mu, sigma, **NEURON)
    np.testing.assert_allclose(gm.real, dmu, rtol=1e-8)
    np.testing.assert_allclose(gs.real, dsig / (2 * sigma), rtol=1e-8)
    assert abs(gm[1].imag) == 0.0


@pytest.mark.parametrize("mu, sigma", [(15.0, 5.0), (22.0, 1.0)])
def test_transfer_function_against_fokker_planck(mu, sigma):
    """Parabolic-cylinder closed form (Lindner & Schimansky-Geier 2001; Brunel & Hakim 1999)
    against RK4 threshold integration of the linearised Fokker-Planck equation, on and off
    the imaginary axis (1/ms)."""
    nu = lif.siegert(mu, sigma, **NEURON)
    lam = np.array([2j * np.pi * 0.01, 2j * np.pi * 0.2, 0.05 + 0.3j, -0.02 + 1.2j])
    gm_ref, gs_ref = fpe_response(lam, mu, sigma, nu)
    gm, gs = lif.transfer_function(lam * 1000.0, mu, sigma, **NEURON, laplace=True)
    np.testing.assert_allclose(gm, gm_ref, rtol=1e-7)
    np.testing.assert_allclose(gs, gs_ref, rtol=1e-7)
    if sigma > 2.0:  # noise-dominated regime: low-pass, the response lags at 10 Hz
        g10, _ = lif.transfer_function(10.0, mu, sigma, **NEURON)
        assert g10.imag < 0


def test_transfer_function_high_frequency():
    """|G_mu| ~ omega^{-1/2} at high frequency (Brunel et al. 2001; Lindner & Schimansky-Geier
    2001); G_sigma2 tends to a finite limit."""
    f = np.array([2.0e4, 8.0e4, 3.2e5])
    gm, gs = lif.transfer_function(f, 15.0, 5.0, **NEURON)
    ratio = np.abs(gm[1:]) / np.abs(gm[:-1])
    assert ratio[-1] == pytest.approx(0.5, rel=0.02)
    assert abs(ratio[-1] - 0.5) < abs(ratio[0] - 0.5) + 1e-3
    assert abs(gs[-1]) / abs(gs[-2]) == pytest.approx(1.0, rel=0.05)


def test_transfer_function_bad_input():
    with pytest.raises(ValueError, match="sigma"):
        lif.transfer_function(10.0, 15.0, 0.0)
    with pytest.raises(ValueError, match="mu"):
        lif.transfer_function(10.0, np.nan, 1.0)
    with pytest.raises(ValueError, match="frequency"):
        lif.transfer_function(-1.0, 15.0, 1.0)
    with pytest.raises(ValueError, match="frequency"):
        lif.transfer_function([np.nan], 15.0, 1.0)


# ---------------------------------------------------------------------------
# Stability of the asynchronous state (Brunel 2000 Sec. 4, docs/references.md sec. 6)
# ---------------------------------------------------------------------------


def test_stability_point_C_asynchronous():
    """Point C (g=5, eta=2): asynchronous irregular, stable."""
    res = lif.asynchronous_stability(LIFNetwork.brunel(5.0, 2.0))
    assert res.stable and res.n_unstable == 0 and res.tail_ok
    assert res.eigenvalue.real < 0


def test_stability_point_B_fast_oscillation():
    """Point B (g=6, eta=4): synchronous irregular fast, unstable at about 190 Hz."""
    res = lif.asynchronous_stability(LIFNetwork.brunel(6.0, 4.0))
    assert not res.stable and res.n_unstable == 2
    assert res.eigenvalue.real > 0
    assert res.frequency == pytest.approx(190.0, rel=0.03)
    # the located root solves the eigenvalue equation
    assert res.residual < 1e-8


def test_stability_point_D_slow_oscillation():
    """Point D (g=4.5, eta=0.9): synchronous irregular slow, unstable at about 29 Hz."""
    res = lif.asynchronous_stability(LIFNetwork.brunel(4.5, 0.9))
    assert not res.stable and res.n_unstable == 2
    assert res.frequency == pytest.approx(29.0, rel=0.03)


def test_stability_bad_input():
    with pytest.raises(ValueError, match="rates"):
        lif.asynchronous_stability(LIFNetwork.brunel(5.0, 2.0), rates=[np.nan, 1.0])
    with pytest.raises(ValueError, match="method"):
        lif.asynchronous_stability(LIFNetwork.brunel(5.0, 2.0), method="fast")
    with pytest.raises(ValueError, match="eta_range"):
        lif.hopf_boundary([5.0], eta_range=(3.0, 2.0))
    with pytest.raises(ValueError, match="g_values"):
        lif.hopf_boundary([-1.0])


def test_hopf_boundary_fast_branch():
    """g = 6: the asynchronous state loses stability to the fast oscillation between eta =
    3 and 3.5 (point B at eta = 4 oscillates near 190 Hz); the bisected crossing separates
    a stable from an unstable state (checked with the mpmath closed form)."""
    hb = lif.hopf_boundary([6.0], eta_range=(3.0, 3.5), n_eta=3)
    assert hb.converged
    eta_c = hb.eta[0, 0]
    assert 3.0 < eta_c < 3.5 and hb.becomes_unstable[0, 0] and hb.kind[0, 0] == "hopf"
    assert 150.0 < hb.frequency[0, 0] < 200.0
    below = lif.asynchronous_stability(LIFNetwork.brunel(6.0, eta_c - 0.02), method="pcfd")
    above = lif.asynchronous_stability(LIFNetwork.brunel(6.0, eta_c + 0.02), method="pcfd")
    assert below.stable and not above.stable
    assert abs(above.frequency - hb.frequency[0, 0]) < 3.0


@pytest.mark.slow
def test_hopf_boundary_slow_branch():
    """g = 4.5: at eta ~ 0.85 the quiescent state disappears (a jump onto the active branch,
    which is unstable: point D, ~29 Hz at eta = 0.9); the slow oscillation is damped above
    eta ~ 0.91 (Brunel 2000 Fig. 2, SI slow band)."""
    hb = lif.hopf_boundary([4.5], eta_range=(0.7, 1.2), n_eta=6)
    assert hb.converged
    kinds = list(hb.kind[0][np.isfinite(hb.eta[0])])
    assert kinds == ["jump", "hopf"]
    assert 0.8 < hb.eta[0, 0] < 0.9 and hb.becomes_unstable[0, 0]
    assert 0.9 < hb.eta[0, 1] < 0.95 and not hb.becomes_unstable[0, 1]
    assert 25.0 < hb.frequency[0, 1] < 40.0
    assert "g=4.5" in repr(hb)


# ---------------------------------------------------------------------------
# Balanced state (van Vreeswijk & Sompolinsky 1998)
# ---------------------------------------------------------------------------


def _balanced_net(K: int) -> LIFNetwork:
    s = 2.0 / math.sqrt(K)
    return LIFNetwork(
        N=(4 * K, K),
        K=((K, K / 4), (K, K / 4)),
        J=((s, -5 * s), (1.5 * s, -6 * s)),
        nu_ext=20.0,
        C_ext=K,
        J_ext=(s, 0.8 * s),
    )


def test_balanced_rates_closed_forms():
    """Model A: nu = nu_ext/(g gamma - 1); the two-group example: nu = -W^{-1} I solved by hand."""
    b = lif.balanced_rates(LIFNetwork.brunel(5.0, 2.0))
    np.testing.assert_allclose(b.rates, 20.0 / (5 * 0.25 - 1), rtol=1e-12)
    assert b.positive
    b2 = lif.balanced_rates(_balanced_net(1000))
    # W/(sqrt(K) j) = [[1, -1.25], [1.5, -1.5]], I/(sqrt(K) j) = 20 [1, 0.8]
    np.testing.assert_allclose(b2.rates, [80.0 / 3.0, 112.0 / 3.0], rtol=1e-12)
    assert b2.positive
    # g gamma < 1: no positive balanced solution (excitation dominated)
    assert not lif.balanced_rates(LIFNetwork.brunel(3.0, 2.0)).positive


@pytest.mark.parametrize("K_pair", [(10_000, 100_000), (100_000, 1_000_000)])
def test_siegert_fixed_point_approaches_balance(K_pair):
    """With J ~ 1/sqrt(K) the self-consistent rates converge to the balanced rates, the
    error shrinking by about sqrt(10) per decade of K (corrections O(1/sqrt K))."""
    errs = []
    for K in K_pair:
        net = _balanced_net(K)
        res = lif.stationary_rates(net)
        errs.append(np.max(np.abs(res.rates / lif.balanced_rates(net).rates - 1)))
    assert errs[1] < errs[0] / 2.5
    assert errs[1] < errs[0] / 2.5 and errs[1] > errs[0] / 6.0


# ---------------------------------------------------------------------------
# Taylor rate outside its validity range (issue 15)
# ---------------------------------------------------------------------------

# NNMT 1.3.0 unit fixture tests/fixtures/unit/data/lif_exp_firing_rate_taylor.h5, group
# 'sub_threshold_weak_noise': tau_m = 10 ms, tau_r = 2 ms, tau_s = 1 ms, V_th_rel = 20 mV,
# V_0_rel = 0; (mu, sigma) in mV; NNMT's Taylor rates in Hz (three of them negative).
_WEAK_NOISE = dict(tau_m=10.0, V_th=20.0, V_reset=0.0, t_ref=2.0, tau_s=1.0)
_WEAK_MU = [12.0, 13.0, 14.0, 15.0]
_WEAK_SIGMA = [2.0, 2.4, 2.3, 2.9]
_WEAK_NNMT = [-3.741661247254802e-05, -0.02385180976378839, -0.0802098593512584, 0.5950239597446603]


def test_negative_taylor_rate_warns():
    """Weak noise below threshold: the first-order Taylor correction (Fourcaud & Brunel
    2002, eq. 4.33; Schuecker et al. 2015) exceeds the white-noise rate and the rate turns
    negative.  rnmf returns the formula's value (NNMT's, to 1e-12) with a RuntimeWarning
    naming the inputs and pointing to synapse='shift'; positive Taylor rates stay silent."""
    import warnings

    with pytest.warns(
        RuntimeWarning, match=r"negative rate -3\.74e-05 Hz at mu = 12 mV, sigma = 2 mV"
    ):
        nu = lif.siegert(12.0, 2.0, **_WEAK_NOISE, synapse="taylor")
    np.testing.assert_allclose(nu, _WEAK_NNMT[0], rtol=1e-12)
    with pytest.warns(RuntimeWarning, match=r"3 of 4 inputs negative.*synapse='shift'") as rec:
        nu = lif.siegert(_WEAK_MU, _WEAK_SIGMA, **_WEAK_NOISE, synapse="taylor")
    assert len(rec) == 1 and "validity range" in str(rec[0].message)
    np.testing.assert_allclose(nu, _WEAK_NNMT, rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert lif.siegert(15.0, 2.9, **_WEAK_NOISE, synapse="taylor") > 0
        assert lif.siegert(12.0, 2.0, **_WEAK_NOISE) > 0  # the shift variant stays positive
        assert lif.siegert(12.0, 2.0, **dict(_WEAK_NOISE, tau_s=0.0), synapse="taylor") > 0


def test_stationary_taylor_rate_does_not_converge_on_a_negative_rate():
    """The same neuron as an uncoupled population (input mean 12 mV, SD 2 mV): the Taylor
    rate map has no positive fixed point, so stationary_rates(synapse='taylor') reports no
    solution (ConvergenceError, or status with raise_on_failure=False) instead of
    returning -3.7e-5 Hz; the shift variant converges and flags the disagreement."""
    nu_ext = 1e3 * 2.0**2 / 10.0  # one 1 mV Poisson input: sigma^2 = tau_m nu_ext J^2
    net = LIFNetwork(
        N=(1,), K=0.0, J=0.0, nu_ext=nu_ext, C_ext=1.0, J_ext=1.0, mu_ext=12.0 - 4.0, **_WEAK_NOISE
    )
    with pytest.raises(ConvergenceError):
        lif.stationary_rates(net, synapse="taylor")
    r = lif.stationary_rates(net, synapse="taylor", raise_on_failure=False)
    assert not r.converged and r.n_solutions == 0
    assert not r.diffusion_valid and any("Taylor rate" in v and "negative" in v for v in r.validity)
    s = lif.stationary_rates(net)
    assert s.converged and s.n_solutions == 1 and s.rates[0] > 0
    np.testing.assert_allclose(s.rates[0], lif.siegert(12.0, 2.0, **_WEAK_NOISE), rtol=1e-9)
    assert any("shift and Taylor" in v for v in s.validity)
