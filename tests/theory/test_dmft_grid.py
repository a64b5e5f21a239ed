"""Vectorised phase diagrams of the stationary DMFT with the largest Lyapunov exponent.

``solve_grid(..., lyapunov=True)`` and ``transition_curve`` on the fast path (odd phi,
no mean input) against independent oracles: the point-wise solver ``solve`` (finite
differences of the Schroedinger operator with Richardson extrapolation on the ODE
solution, a different discretisation of the same problem), the published numbers of
docs/references.md sec. 1 (SCS 1988; Schuecker, Goedeke & Helias 2018), the closed forms of the
quiet state (lambda = g phi'(0) - 1) and of the noise-free transition (g_c = 1), and
quadrature for the Gaussian statistics.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnmf.models import RateNetwork
from rnmf.theory.dmft import solve, solve_grid, transition, transition_curve
from rnmf.theory.dmft.lyapunov import _q_tanh_fourier, _q_values, lyapunov_odd
from rnmf.theory.gaussian import expect2

NET = RateNetwork(N=10, g=1.0)


def _sech2(x: np.ndarray) -> np.ndarray:
    c = 1.0 / np.cosh(np.minimum(np.abs(x), 350.0))
    return c * c


# ----------------------------------------------------------------------- statistics
@pytest.mark.parametrize("D0", [1e-5, 0.3, 2.0, 9.0, 40.0])
def test_tanh_fourier_q_against_quadrature(D0):
    """<sech^2 x1 sech^2 x2> from the characteristic function = nested trapezoidal rule."""
    u = np.array([0.0, 0.2, 0.7, 0.95, 0.999, 1.0])
    ref = expect2(_sech2, _sech2, 0.0, D0, D0 * u)
    assert np.allclose(_q_tanh_fourier(D0, u), ref, rtol=0, atol=1e-11)


def test_q_tables_against_quadrature():
    """Tensor Chebyshev table (tanh) and closed form (erf) of q at the u points = quadrature."""
    D0 = np.array([3e-4, 0.05, 1.3, 6.2, 14.0])
    nu = 52
    u = 0.5 * (np.cos(np.pi * (np.arange(nu) + 0.5) / nu) + 1.0)
    q = _q_values("tanh", D0, nu)
    ref = expect2(_sech2, _sech2, 0.0, D0[:, None], D0[:, None] * u[None, :])
    assert np.abs(q - ref).max() < 1e-9

    def derf(x):
        return np.exp(-np.pi * x * x / 4.0)

    q = _q_values("erf", D0, nu)
    ref = expect2(derf, derf, 0.0, D0[:, None], D0[:, None] * u[None, :])
    assert np.abs(q - ref).max() < 1e-11


# ----------------------------------------------------------------------- published numbers
def test_reference_lyapunov_numbers():
    """docs/references.md sec. 1 (Schuecker, Goedeke & Helias 2018 Fig. 2 setting; SCS 1988):
    sigma = 1: g = 1.5 -> -0.10725, g = 2.5 -> +0.08895; no noise, g = 2 -> 0.1124581."""
    out = solve_grid(
        NET, g=np.array([1.5, 2.5, 2.0]), sigma_noise=np.array([1.0, 1.0, 0.0]), lyapunov=False
    )
    lam = solve_grid(
        NET, g=np.array([1.5, 2.5, 2.0]), sigma_noise=np.array([1.0, 1.0, 0.0]), lyapunov=True
    )
    assert lam["lambda_max"][0] == pytest.approx(-0.10725, abs=6e-6)
    assert lam["lambda_max"][1] == pytest.approx(0.08895, abs=6e-6)
    assert lam["lambda_max"][2] == pytest.approx(0.1124581, abs=1e-6)
    assert list(lam["regime"]) == ["noise-driven", "chaotic", "chaotic"]
    assert np.array_equal(lam["Delta0"], out["Delta0"])
    assert lam["Delta0"][0] == pytest.approx(1.11810, abs=1e-5)


# ----------------------------------------------------------------------- against solve
def test_grid_lyapunov_matches_solve_at_random_points():
    """lambda_max of the vectorised path = per-point solve (independent discretisation) at 24
    random points of the quiet, noise-driven and chaotic regimes (tanh and erf)."""
    rng = np.random.default_rng(20240611)
    g = np.concatenate([rng.uniform(0.5, 3.0, 20), [0.8, 1.05, 1.3, 2.8]])
    s = np.concatenate([rng.uniform(0.0, 2.0, 20), [0.0, 0.0, 0.02, 0.0]])
    out = solve_grid(NET, g=g, sigma_noise=s, lyapunov=True)
    for i in range(g.size):
        r = solve(RateNetwork(N=10, g=g[i], sigma_noise=s[i]))
        assert out["lambda_max"][i] == pytest.approx(r.lambda_max, abs=1e-5)
        assert out["regime"][i] == r.regime
        assert out["chi"][i] == pytest.approx(r.chi, rel=1e-9)
    assert set(out["regime"]) == {"quiet", "noise-driven", "chaotic"}
    gerf = np.array([1.2, 2.4, 3.0, 1.7])
    serf = np.array([0.4, 1.1, 0.0, 1.9])
    out = solve_grid(RateNetwork(N=10, g=1.0, phi="erf"), g=gerf, sigma_noise=serf, lyapunov=True)
    for i in range(gerf.size):
        r = solve(RateNetwork(N=10, g=gerf[i], sigma_noise=serf[i], phi="erf"))
        assert out["lambda_max"][i] == pytest.approx(r.lambda_max, abs=1e-5)


def test_lyapunov_odd_direct_and_shapes():
    """lyapunov_odd keeps the broadcast shape and equals solve at g = 0 (lambda = -1 exactly:
    no coupling, the Ornstein-Uhlenbeck relaxation) and at a chaotic point."""
    r = solve(RateNetwork(N=10, g=2.2, sigma_noise=0.5))
    lam = lyapunov_odd("tanh", np.array([[0.0], [2.2]]), 0.5, np.array([[0.125], [r.Delta0]]))
    assert lam.shape == (2, 1)
    assert lam[0, 0] == -1.0
    assert lam[1, 0] == pytest.approx(r.lambda_max, abs=1e-6)
    small = lyapunov_odd("tanh", [0.0, 2.2, 2.2], 0.5, [0.125, r.Delta0, r.Delta0], chunk=2)
    assert np.allclose(small, [lam[0, 0], lam[1, 0], lam[1, 0]], rtol=0, atol=1e-12)


@settings(max_examples=8, deadline=None)
@given(g=st.floats(0.0, 0.999), s=st.floats(0.0, 2.0))
def test_quiet_closed_form_and_noise_below_one(g, s):
    """g phi'(0) < 1: without noise the quiet state has lambda = g - 1 (SCS 1988); with noise
    the state is never chaotic below g = 1 (lambda < 0, Schuecker et al. 2018 Fig. 2)."""
    out = solve_grid(NET, g=np.array([g, g]), sigma_noise=np.array([0.0, s]), lyapunov=True)
    assert out["lambda_max"][0] == pytest.approx(g - 1.0, abs=1e-15)
    assert out["regime"][0] == "quiet"
    assert out["lambda_max"][1] < 0.0
    assert out["regime"][1] in ("quiet", "noise-driven")


def test_tiny_noise_below_the_tanh_table():
    """Delta0 ~ 3e-9 (sigma = 6e-5, found by the property test above): below the q table the
    small-variance series is used, and lambda_max tends to the linear network's g - 1."""
    out = solve_grid(NET, g=np.array([0.75]), sigma_noise=np.array([6.10351562e-05]), lyapunov=True)
    assert out["Delta0"][0] == pytest.approx(
        6.10351562e-05**2 / (2 * np.sqrt(1 - 0.75**2)), rel=1e-6
    )
    assert out["lambda_max"][0] == pytest.approx(-0.25, abs=1e-6)
    assert out["regime"][0] == "noise-driven"


def test_phase_diagram_labels():
    """Fast path with lyapunov=True: no "unresolved" label, labels follow the sign of lambda,
    noisy chaos lies above the chi = 1 line (Schuecker et al. 2018 Fig. 2), and the noise-free
    fluctuating state is chaotic (SCS 1988)."""
    G, S = np.meshgrid(np.linspace(0.5, 3.0, 9), np.linspace(0.0, 2.0, 7))
    out = solve_grid(NET, g=G, sigma_noise=S, lyapunov=True)
    lam, reg = out["lambda_max"], out["regime"]
    assert set(reg.ravel()) == {"quiet", "noise-driven", "chaotic"}
    assert np.all(np.isfinite(lam))
    noisy = (S > 0) & (reg != "quiet")
    assert np.all((reg == "chaotic")[noisy] == (lam > 0)[noisy])
    assert np.all(out["chi"][noisy & (lam > 0)] > 1.0)
    assert np.all(lam[(S == 0) & (G > 1)] > 0)
    old = solve_grid(NET, g=G, sigma_noise=S, lyapunov=False)
    assert "unresolved" in set(old["regime"].ravel())  # behaviour without lyapunov kept
    assert np.all(np.isnan(old["lambda_max"][old["regime"] != "quiet"]))


def test_fallback_path_with_lyapunov():
    """Off the fast path (J0 != 0) lyapunov=True goes through solve per point."""
    out = solve_grid(RateNetwork(N=10, g=1.0, J0=0.5), g=np.array([1.6]), lyapunov=True)
    r = solve(RateNetwork(N=10, g=1.6, J0=0.5))
    assert out["lambda_max"][0] == r.lambda_max and out["regime"][0] == r.regime


# ----------------------------------------------------------------------- transition curve
def test_transition_curve_matches_transition():
    """g_c(sigma) and sigma_c(g) agree with the brentq root of per-point solve (transition);
    g_c(0) = 1/phi'(0) = 1 (SCS 1988)."""
    gc = transition_curve(NET, values=np.array([0.0, 0.7]), xtol=1e-9)
    assert gc[0] == pytest.approx(1.0, abs=1e-8)
    ref = transition(RateNetwork(N=10, g=1.0, sigma_noise=0.7), bracket=(1.3, 2.0), xtol=1e-9)
    assert gc[1] == pytest.approx(ref, abs=1e-5)
    sc = transition_curve(NET, param="sigma_noise", along="g", values=np.array([2.0, 0.8]))
    ref = transition(RateNetwork(N=10, g=2.0), param="sigma_noise", bracket=(0.5, 1.5), xtol=1e-9)
    assert sc[0] == pytest.approx(ref, abs=1e-5)
    assert np.isnan(sc[1])  # g < 1: never chaotic, no transition in sigma


def test_transition_curve_is_the_grid_boundary():
    """The sign of the grid's lambda flips across the curve (chaos above g_c(sigma))."""
    s = np.array([0.3, 1.0, 1.8])
    gc = transition_curve(NET, values=s)
    out = solve_grid(
        NET, g=np.concatenate([gc - 1e-3, gc + 1e-3]), sigma_noise=np.tile(s, 2), lyapunov=True
    )
    assert np.all(out["lambda_max"][:3] < 0) and np.all(out["lambda_max"][3:] > 0)
    assert np.all(np.diff(gc) > 0)  # noise suppresses chaos (Schuecker et al. 2018 Fig. 2)


def test_transition_curve_fallback_path():
    """Off the fast path transition_curve calls transition per value."""
    net = RateNetwork(N=10, g=1.0, J0=0.3)
    gc = transition_curve(net, values=np.array([0.5]), bracket=(1.0, 2.5), xtol=1e-6)
    ref = transition(
        RateNetwork(N=10, g=1.0, J0=0.3, sigma_noise=0.5), bracket=(1.0, 2.5), xtol=1e-6
    )
    assert gc[0] == ref


# ----------------------------------------------------------------------- bad input
def test_bad_input():
    """Public entry points reject bad arguments with a message that says what to change."""
    D = np.array([1.0])
    with pytest.raises(ValueError, match="kind"):
        lyapunov_odd("relu", D, D, D)
    with pytest.raises(ValueError, match="NaN"):
        lyapunov_odd("tanh", np.array([np.nan]), D, D)
    with pytest.raises(ValueError, match="Delta0 must be > 0"):
        lyapunov_odd("tanh", D, D, np.array([0.0]))
    with pytest.raises(ValueError, match=">= 0"):
        lyapunov_odd("tanh", -D, D, D)
    with pytest.raises(ValueError, match="broadcast"):
        lyapunov_odd("tanh", np.ones(2), np.ones(3), 1.0)
    with pytest.raises(ValueError, match="energy equation"):
        lyapunov_odd("tanh", np.array([2.0]), np.array([1.0]), np.array([1.0]))
    with pytest.raises(ValueError, match="h must"):
        lyapunov_odd("tanh", D, D, D, h=0.0)
    with pytest.raises(ValueError, match="param and along"):
        transition_curve(NET, param="tau", values=D)
    with pytest.raises(ValueError, match="differ"):
        transition_curve(NET, param="g", along="g", values=D)
    with pytest.raises(ValueError, match="NaN"):
        transition_curve(NET, values=np.array([np.nan]))
    with pytest.raises(ValueError, match="1-D"):
        transition_curve(NET, values=np.ones((2, 2)))
    with pytest.raises(ValueError, match=">= 0"):
        transition_curve(NET, values=np.array([-1.0]))
    with pytest.raises(ValueError, match="bracket"):
        transition_curve(NET, values=D, bracket=(2.0, 1.0))
    with pytest.raises(ValueError, match="xtol"):
        transition_curve(NET, values=D, xtol=-1.0)
