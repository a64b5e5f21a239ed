"""Unbounded transfer functions, near-critical states and input guards of the stationary DMFT.

Issue 10: each test here fails on the code before the change (relu reported quiet and
stable at g = 3, a stable chaotic state at threshold 0.5 that simulations never reach,
near-critical states labelled invalid, lyapunov_odd rejecting its own Delta0, NaN transfer
functions and huge n_tau accepted).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnmf.models import RateNetwork
from rnmf.results import ConvergenceError, Status
from rnmf.theory.dmft import solve, solve_grid
from rnmf.transfer import Transfer


# ----------------------------------------------------------------------- relu without threshold
def test_relu_strong_coupling_is_unbounded():
    """relu is homogeneous of degree 1: no bounded nonzero state, and the quiet state at its
    kink sees slope 1 on half the units: directional chi = g^2/2 = 4.5 > 1 at g = 3."""
    net = RateNetwork(N=10, g=3.0, phi="relu")
    with pytest.raises(ConvergenceError, match="no bounded stationary state") as info:
        solve(net)
    r = solve(net, raise_on_failure=False)
    assert info.value.result.regime == "unbounded"
    assert r.regime == "unbounded" and r.status is Status.UNBOUNDED and not r.converged
    assert r.Delta0 == math.inf and not r.bounded and not r.stable
    (quiet,) = r.solutions
    assert quiet.regime == "quiet" and not quiet.stable
    assert quiet.chi == pytest.approx(4.5, rel=1e-12)


@pytest.mark.parametrize("g, bounded", [(1.2, True), (1.40, True), (1.43, False)])
def test_relu_divergence_threshold(g, bounded):
    """The quiet state is stable with lambda = g/sqrt(2) - 1 below g = sqrt(2) (growth rate of
    the homogeneous network's static mode) and the network diverges above."""
    r = solve(RateNetwork(N=10, g=g, phi="relu"), raise_on_failure=False)
    assert r.bounded is bounded
    if bounded:
        assert r.regime == "quiet" and r.stable and r.converged
        assert r.chi == pytest.approx(g * g / 2, rel=1e-12)
        assert r.lambda_max == pytest.approx(g / math.sqrt(2) - 1, abs=1e-12)
    else:
        assert r.regime == "unbounded"


def test_relu_discrete_map_unbounded():
    """The map x <- J relu(x) has the same directional threshold g = sqrt(2)."""
    r = solve(RateNetwork(N=10, g=3.0, phi="relu", time="discrete"), raise_on_failure=False)
    assert r.regime == "unbounded" and not r.bounded
    q = solve(RateNetwork(N=10, g=1.2, phi="relu", time="discrete"))
    assert q.regime == "quiet" and q.stable and q.chi == pytest.approx(0.72)


# ----------------------------------------------------------------------- relu with threshold
def test_relu_threshold_unstable_fluctuating_state():
    """Threshold 0.5, g = 2: the quiet state is stable (phi = 0 around it); the fluctuating
    state at Delta0 = 1.6135 has an energy residual that increases through its root, so it is
    an amplitude barrier (simulations decay from below and diverge from far above: see
    rnmf.validate.rate.unbounded_checks), and beyond it the variance grows without bound."""
    r = solve(RateNetwork(N=10, g=2.0, phi=Transfer("relu", theta=0.5)))
    assert r.regime == "quiet" and r.stable and r.converged
    assert not r.bounded
    chaotic = [s for s in r.solutions if s.regime == "chaotic"]
    assert len(chaotic) == 1 and not chaotic[0].stable
    assert chaotic[0].Delta0 == pytest.approx(1.6135233, rel=1e-6)
    assert r.escape_Delta0 == pytest.approx(chaotic[0].Delta0)
    assert all(not s.stable for s in r.solutions if s.regime != "quiet")


def test_relu_negative_threshold_bounded_static_state():
    """phi(0) = 0.5 > 0 at g = 1 < sqrt(2): a stable heterogeneous fixed point, bounded."""
    r = solve(RateNetwork(N=10, g=1.0, phi=Transfer("relu", theta=-0.5)))
    assert r.regime == "static" and r.stable and r.bounded and r.chi < 1.0


def test_linear_above_one_is_unbounded():
    r = solve(RateNetwork(N=10, g=1.5, phi="linear"), raise_on_failure=False)
    assert r.regime == "unbounded" and r.solutions[0].lambda_max == pytest.approx(0.5)
    assert solve(RateNetwork(N=10, g=0.5, phi="linear")).bounded


def test_supralinear_custom_phi_has_a_barrier():
    """phi = relu(x)^2 grows faster than linearly: the quiet state (phi' = 0) is stable but
    large initial conditions diverge (bounded = False)."""
    tr = Transfer(
        "custom", func=lambda x: np.maximum(x, 0.0) ** 2, deriv=lambda x: 2 * np.maximum(x, 0.0)
    )
    r = solve(RateNetwork(N=10, g=1.0, phi=tr), lyapunov=False)
    assert r.regime == "quiet" and r.stable and not r.bounded


# ----------------------------------------------------------------------- NaN and sizes
def test_nan_transfer_function_raises():
    """A phi that is NaN somewhere on the real line makes every Gaussian average NaN."""
    tr = Transfer(
        "custom",
        func=lambda x: np.where(np.abs(x) < 3.0, np.tanh(x), np.nan),
        deriv=lambda x: np.where(np.abs(x) < 3.0, 1.0 / np.cosh(x) ** 2, np.nan),
    )
    with pytest.raises(ValueError, match="returned NaN at x"):
        solve(RateNetwork(N=10, g=2.0, phi=tr))


def test_huge_n_tau_refused_up_front():
    """Refused with the memory estimate before any solving (was a MemoryError after 43 s)."""
    with pytest.raises(ValueError, match="n_tau=1000000000 would allocate"):
        solve(RateNetwork(N=10, g=2.0), n_tau=10**9)


# ----------------------------------------------------------------------- near-critical
@pytest.mark.parametrize("eps", [1e-6, 3e-5])
def test_near_critical_converges(eps):
    """g = 1 + eps: Delta0 ~ eps, tail rate kappa ~ eps; the orbit is integrated over 1/kappa
    and the Schroedinger problem solved in s = kappa tau (Poeschl-Teller: lambda = 3 kappa^2/2)."""
    net = RateNetwork(N=10, g=1.0 + eps)
    r = solve(net)
    grid = solve_grid(net, g=[net.g])
    assert r.regime == "chaotic" and r.converged and r.stable
    assert r.Delta0 == pytest.approx(grid["Delta0"][0], rel=1e-8)
    assert r.lambda_max == pytest.approx(1.5 * r.kappa**2, rel=0.05)


def test_closer_to_critical_reports_the_resolution_limit():
    net = RateNetwork(N=10, g=1.0 + 1e-7)
    with pytest.raises(ConvergenceError, match="transition to chaos") as info:
        solve(net)
    part = info.value.result
    assert part.status is Status.TOLERANCE and not part.converged
    assert part.Delta0 == pytest.approx(1e-7, rel=1e-6)
    # the grid said Delta0 = 1.1e-9 at g = 1 + 1e-8 and 2.4e-10 at 1 + 1e-9: now a label
    out = solve_grid(net, g=np.array([1 + 1e-9, 1 + 1e-8, 1 + 1e-7, 1 + 1e-6]))
    assert list(out["regime"]) == ["unresolved"] * 3 + ["chaotic"]
    assert np.all(np.isnan(out["Delta0"][:3]))


def test_strong_noise_converges_and_matches_grid():
    """sigma = 5 at g = 2 raised ConvergenceError (tolerance of the Schroedinger grid)."""
    net = RateNetwork(N=10, g=2.0, sigma_noise=5.0)
    r = solve(net)
    grid = solve_grid(net, g=[2.0], sigma_noise=[5.0])
    assert r.converged and r.regime == "noise-driven"
    assert r.lambda_max == pytest.approx(grid["lambda_max"][0], abs=1e-6)


@pytest.mark.slow
def test_very_strong_noise_and_coupling():
    """sigma = 20 at g = 2 and g = 50 (Delta0 ~ 200 and 1815): lambda from lyapunov_odd."""
    for kw in (dict(g=2.0, sigma_noise=20.0), dict(g=50.0)):
        net = RateNetwork(N=10, **kw)
        r = solve(net)
        grid = solve_grid(net, **{k: [v] for k, v in kw.items()})
        assert r.converged
        assert r.lambda_max == pytest.approx(grid["lambda_max"][0], abs=1e-6)


# ----------------------------------------------------------------------- grid vs solve
def test_tiny_noise_regression():
    """Found by hypothesis: g = 0.75, sigma = 1e-5 gave Delta0 = 7.55974e-11 (1e-4 relative
    error: the regula falsi tolerance was absolute) and lyapunov_odd rejected it."""
    out = solve_grid(
        RateNetwork(N=10, g=1.0), g=np.array([0.75]), sigma_noise=np.array([1e-5]), lyapunov=True
    )
    assert out["Delta0"][0] == pytest.approx(1e-10 / (2 * math.sqrt(1 - 0.75**2)), rel=1e-9)
    assert out["lambda_max"][0] == pytest.approx(-0.25, abs=1e-8)


def test_solve_and_solve_grid_same_fields_by_default():
    """Both compute lambda_max and stability by default; the shared fields agree."""
    G = np.array([0.5, 2.0])
    out = solve_grid(RateNetwork(N=10, g=1.0), g=G)
    for i, g in enumerate(G):
        r = solve(RateNetwork(N=10, g=float(g)))
        for k in ("mu", "Delta0", "Delta_inf", "chi"):
            assert out[k][i] == pytest.approx(getattr(r, k), rel=1e-8, abs=1e-14)
        assert out["lambda_max"][i] == pytest.approx(r.lambda_max, abs=1e-6)
        assert out["stable"][i] == r.stable and out["regime"][i] == r.regime
    relu = solve_grid(RateNetwork(N=10, g=1.0, phi="relu"), g=np.array([1.0, 3.0]))
    assert list(relu["regime"]) == ["quiet", "unbounded"]
    assert relu["Delta0"][1] == math.inf and not relu["stable"][1]
