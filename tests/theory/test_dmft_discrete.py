"""Mean-field theory of the discrete-time random map x(t+1) = J phi(x(t)) + I + sigma xi.

Oracles: docs/references.md sec. 2 (Molgedey, Schuchhardt & Schuster 1992; Poole et al. 2016),
closed forms for phi = x, adaptive quadrature of the variance map.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize

from rnmf.models import RateNetwork
from rnmf.theory.dmft import correlation_map, solve, transition
from rnmf.theory.gaussian import expect


def net(**kw):
    return RateNetwork(N=1000, time="discrete", **kw)


def test_reference_g2():
    """g = 2, tanh: q* = 2.1214735682, chi = 1.3626733375 (docs/references.md sec. 2: adaptive
    quadrature and 200-node Gauss-Hermite, to 1e-9; an older sheet's 2.1214735665 / 1.3626733899
    leave a fixed-point residual of 1e-9 / 4e-8) and lambda_max = ln(chi)/2 = 0.1547 per step (MSS 1992 eq. 6; Poole et al. 2016)."""
    r = solve(net(g=2.0))
    assert r.time == "discrete" and r.regime == "chaotic" and r.stable
    assert r.Delta0 == pytest.approx(2.1214735682, rel=1e-9)
    assert r.chi == pytest.approx(1.3626733375, rel=1e-9)
    assert r.lambda_max == pytest.approx(0.5 * math.log(r.chi), rel=1e-14)
    assert r.lambda_max == pytest.approx(0.1547, abs=5e-5)
    assert [s.regime for s in r.solutions] == ["chaotic", "quiet"]


def test_reference_g2_by_quadrature():
    """q* = g^2 <tanh(sqrt(q) z)^2> solved with adaptive quadrature agrees to 1e-11
    (tighter than the 10-digit table value, whose residual is 1.1e-9)."""
    f = lambda q: 4.0 * expect(lambda x: np.tanh(x) ** 2, 0.0, q, method="quad") - q
    q = optimize.brentq(f, 1.0, 4.0, xtol=1e-14)
    r = solve(net(g=2.0))
    assert r.Delta0 == pytest.approx(q, rel=1e-11)
    chi = 4.0 * expect(lambda x: np.cosh(np.clip(x, -150, 150)) ** -4, 0.0, q, method="quad")
    assert r.chi == pytest.approx(chi, rel=1e-11)


def test_reference_g05_quiet():
    """g = 0.5: q* = 0, chi = 0.25 (docs/references.md sec. 2)."""
    r = solve(net(g=0.5))
    assert (r.regime, r.Delta0, r.stable) == ("quiet", 0.0, True)
    assert r.chi == pytest.approx(0.25, abs=1e-15)
    assert r.lambda_max == pytest.approx(math.log(0.25) / 2)


def test_linear_map_closed_form():
    """phi = x: q = g^2 q + sigma_I^2 + sigma^2 and, for lags k >= 1, the stable fixed point
    of the correlation map Delta = g^2 Delta + sigma_I^2."""
    g, sI, s = 0.7, 0.4, 0.9
    r = solve(net(g=g, phi="linear", sigma_I=sI, sigma_noise=s))
    assert r.Delta0 == pytest.approx((sI**2 + s**2) / (1 - g * g), rel=1e-10)
    assert r.Delta_inf == pytest.approx(sI**2 / (1 - g * g), rel=1e-10)
    assert r.autocorrelation(5) == pytest.approx(r.Delta_inf, rel=1e-12)
    assert r.regime == "noise-driven" and r.chi == pytest.approx(g * g)


@settings(max_examples=15, deadline=None)
@given(g=st.floats(0.0, 0.95), s=st.floats(0.05, 2.0))
def test_linear_map_property(g, s):
    """Linear map with noise, any g < 1: q = sigma^2 / (1 - g^2)."""
    r = solve(net(g=g, phi="linear", sigma_noise=s))
    assert r.Delta0 == pytest.approx(s * s / (1 - g * g), rel=1e-8)


def test_lag_autocorrelation_is_a_fixed_point_of_the_correlation_map():
    """With quenched input the chaotic map's autocorrelation is flat for k >= 1 at the stable
    fixed point Delta_inf = g^2 C(Delta_inf) + sigma_I^2 (slope < 1)."""
    r = solve(net(g=2.0, sigma_I=0.5))
    assert r.regime == "chaotic" and 0 < r.Delta_inf < r.Delta0
    it = correlation_map(r, r.Delta_inf, 3)
    np.testing.assert_allclose(it, r.Delta_inf, rtol=1e-10)
    # iterates from just below q leave q at rate chi and settle on Delta_inf
    eps = 1e-7 * r.Delta0
    seq = correlation_map(r, r.Delta0 - eps, 400)
    assert (r.Delta0 - seq[1]) / eps == pytest.approx(r.chi, rel=1e-4)
    assert seq[-1] == pytest.approx(r.Delta_inf, rel=1e-9)
    np.testing.assert_allclose(r.autocorrelation([1, 2, 50]), r.Delta_inf)
    assert r.autocorrelation(0) == r.Delta0


def test_static_map_with_input():
    """g < 1 with quenched input: a fixed point, autocorrelation constant at q."""
    r = solve(net(g=0.8, sigma_I=0.5, I0=0.2, J0=0.3))
    assert r.regime == "static" and r.stable and r.chi < 1
    assert r.Delta_inf == r.Delta0
    mu, q = 0.0, 0.1
    for _ in range(300):
        mu, q = (
            0.3 * expect(np.tanh, mu, q) + 0.2,
            0.64 * expect(lambda x: np.tanh(x) ** 2, mu, q) + 0.25,
        )
    assert r.mu == pytest.approx(mu, rel=1e-9) and r.Delta0 == pytest.approx(q, rel=1e-9)


def test_map_transition_chi1():
    """Order-to-chaos transition of the map at chi = 1, i.e. g_c = 1 for tanh without input."""
    gc = transition(net(g=1.0), bracket=(0.5, 1.5), xtol=1e-6)
    assert gc == pytest.approx(1.0, abs=1e-5)


def test_bad_inputs():
    r = solve(net(g=2.0))
    with pytest.raises(ValueError, match="integer"):
        r.autocorrelation(0.5)
    with pytest.raises(ValueError, match="steps"):
        correlation_map(r, 1.0, -1)
    with pytest.raises(ValueError, match="Delta_start"):
        correlation_map(r, 10.0, 2)
    cont = solve(RateNetwork(N=10, g=0.5))
    with pytest.raises(ValueError, match="discrete"):
        correlation_map(cont, 0.0, 2)
