"""RMF stationary density solver (any intensity, any sign of W) against independent routes."""

import numpy as np
import pytest

from rnmf import IntensityNetwork
from rnmf.theory import rmf
from rnmf.theory.rmf.density import density_rate
from rnmf.theory.rmf.renewal import _ein, renewal_rate


def lin(v):
    return np.maximum(v, 0.0)


@pytest.mark.parametrize(
    ("b", "tau", "r", "lam", "w"),
    [
        (1.0, 1.0, 0.0, [2.99022952], [0.5]),  # E2 at its solution (aligned grid)
        (0.7, 1.3, 0.2, [1.1, 0.6], [0.37, 1 / np.pi]),  # incommensurate jumps
    ],
)
def test_density_rate_matches_renewal_to_1e6_with_honest_error(b, tau, r, lam, w):
    """A converged rate to 1e-6 relative is reachable, and the reported error bounds the
    true error (renewal integral = reference to 1e-11)."""
    lam, w = np.array(lam), np.array(w)
    ref = renewal_rate(b, tau, r, lam, w)
    d = density_rate(b, tau, r, lam, w, lin, tol=1e-7)
    assert d.converged
    assert abs(d.beta - ref.beta) <= 1e-6 * ref.beta
    assert abs(d.beta - ref.beta) <= 3 * d.error + 1e-12
    np.testing.assert_allclose(d.dbeta_dlam, ref.dbeta_dlam, rtol=1e-5)
    # first-order scheme: the unextrapolated levels converge like h
    e = np.abs(d.levels - ref.beta)
    assert np.all(e[1:] / e[:-1] < 0.6) and np.all(e[1:] / e[:-1] > 0.4)


def test_E2_by_density_route_through_solve():
    net = IntensityNetwork.all_to_all(4, 0.5, b=1.0)
    res = rmf.solve(net, method="density", tol=1e-7)
    np.testing.assert_allclose(res.rates, 0.99674317, rtol=1e-7)
    assert np.all(res.solutions[0].error < 1e-6)


@pytest.mark.parametrize(
    ("w", "lam"),
    [
        ([0.4, -0.8], [2.0, 1.0]),
        pytest.param([0.3, -np.sqrt(0.5)], [1.5, 2.0], marks=pytest.mark.slow),
    ],
)
def test_exponential_without_reset_matches_campbell(w, lam):
    """No reset: X is shot noise, E[e^X] = e^b exp(tau sum lam E(w)) with
    E(x) = int_0^x (e^u - 1)/u du (Campbell's theorem, e.g. Rice 1944, Bell Syst. Tech. J.
    23:282, Sec. 1.5), so beta = lam0 E[e^X] in closed form, jumps of both signs."""
    w, lam = np.array(w), np.array(lam)
    b, tau, lam0 = -0.5, 1.2, 0.7
    ein = np.array(
        [
            _ein(np.array([abs(x)]))[0]
            if x > 0
            else sum((x**k) / (k * np.prod(np.arange(1, k + 1, dtype=float))) for k in range(1, 40))
            for x in w
        ]
    )
    ref = lam0 * np.exp(b + tau * float(lam @ ein))
    d = density_rate(b, tau, 0.0, lam, w, lambda v: lam0 * np.exp(v), reset=False, tol=1e-7)
    assert d.beta == pytest.approx(ref, rel=2e-6)


def _shift_residual(G, pi, beta, b, tau, r, lam, w, lam0, z):
    """Shifted-argument equation (RMF notes Sec. 3): with Phi(z) = E[e^{zV}],
    (z/tau)(Phi'(z) - b Phi(z)) = beta e^{zr} - lam0 Phi(z+1) + Phi(z) sum lam (e^{zw} - 1)."""
    v = G.v
    Phi = pi @ np.exp(z * v)
    dPhi = pi @ (v * np.exp(z * v))
    Phi1 = pi @ np.exp((z + 1) * v)
    lhs = (z / tau) * (dPhi - b * Phi)
    rhs = beta * np.exp(z * r) - lam0 * Phi1 + Phi * float(lam @ np.expm1(z * w))
    return (lhs - rhs) / max(abs(lhs), abs(beta))


def test_exponential_density_satisfies_shifted_argument_equation():
    """Check of the density solver for phi = lam0 e^x with reset and E/I jumps: the
    residual of the shift equation is O(h) and its Richardson combination is ~1e-6."""
    from rnmf.theory.rmf.density import _level

    b, tau, r, lam0 = -0.5, 1.0, -1.0, 1.0
    lam, w = np.array([2.0, 1.0]), np.array([0.4, -0.8])
    d = density_rate(b, tau, r, lam, w, lambda v: lam0 * np.exp(v), tol=1e-8)
    lo, hi = d.grid.v[0], d.grid.v[-1]
    for z in (-1.5, -0.5, 0.5):
        res = []
        for h in (0.01, 0.005, 0.0025):
            beta, _, G, pi = _level(
                b, tau, r, lam, w, lambda v: lam0 * np.exp(v), True, lo, hi, h, r, False
            )
            res.append(_shift_residual(G, pi, beta, b, tau, r, lam, w, lam0, z))
        assert abs(res[2]) < 0.6 * abs(res[1]) < 0.36 * abs(res[0])  # O(h)
        r1 = [2 * res[1] - res[0], 2 * res[2] - res[1]]
        assert abs((4 * r1[1] - r1[0]) / 3) < 1e-5  # two Richardson steps


@pytest.mark.slow
def test_inhibition_lowers_rate_and_solve_handles_mixed_signs():
    base = dict(b=-0.5, r=-1.0, phi="exp", lam0=1.0)
    exc = IntensityNetwork.all_to_all(3, 0.4, **base)
    W = exc.W.copy()
    W[0, :] = np.where(W[0, :] != 0, -0.8, 0.0)  # neuron 0 inhibits
    mix = IntensityNetwork(W=W, **base)
    a = rmf.solve(exc, tol=1e-6)
    m = rmf.solve(mix, tol=1e-6)
    assert np.all(m.solutions[0].rates[1:] < a.solutions[0].rates[1:])
    F, _ = rmf.rate_map(mix, m.solutions[0].rates, tol=1e-7)
    np.testing.assert_allclose(F, m.solutions[0].rates, rtol=1e-5)


def test_user_callable_intensity():
    """A softplus intensity: the density route runs and RMF stays below MF for
    excitation (convex-ish hazard averaging is not assumed: just consistency)."""
    net = IntensityNetwork.all_to_all(3, 0.3, b=0.0, r=-1.0, phi=lambda x: np.log1p(np.exp(x)))
    res = rmf.solve(net, tol=1e-6)
    assert res.converged and res.n_solutions >= 1
    F = rmf.transfer(net, 0, res.rates)
    assert F == pytest.approx(res.rates[0], rel=1e-5)
