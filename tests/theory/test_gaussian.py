"""Gaussian expectations: quadrature against scipy.integrate oracles and closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

from rnmf.theory.gaussian import expect, expect2, gauss_hermite, trapezoid_nodes


def logcosh(x):
    ax = np.abs(x)
    return ax + np.log1p(np.exp(-2.0 * ax)) - math.log(2.0)


def tanh2(x):
    return np.tanh(x) ** 2


def sech4(x):
    return 1.0 / np.cosh(np.clip(x, -150, 150)) ** 4


def dblquad_oracle(f, h, mu, D0, D):
    """<f(x1) h(x2)> by 2-D adaptive quadrature over the Cholesky factor of the covariance."""
    L = np.linalg.cholesky(np.array([[D0, D], [D, D0]]))

    def integrand(y, x):
        x1 = mu + L[0, 0] * x
        x2 = mu + L[1, 0] * x + L[1, 1] * y
        return (
            float(f(np.array(x1)) * h(np.array(x2)))
            * math.exp(-0.5 * (x * x + y * y))
            / (2 * math.pi)
        )

    return integrate.dblquad(integrand, -10, 10, -10, 10, epsabs=1e-13, epsrel=1e-11)[0]


# --------------------------------------------------------------------------- nodes
def test_gauss_hermite_moments_and_cache():
    """Probabilists' rule: weights sum to 1, <z^2> = 1, <z^4> = 3, <z^6> = 15 (exact to 2n-1)."""
    z, w = gauss_hermite(20)
    assert w.sum() == pytest.approx(1.0, abs=1e-14)
    assert w @ z**2 == pytest.approx(1.0, rel=1e-13)
    assert w @ z**4 == pytest.approx(3.0, rel=1e-13)
    assert w @ z**6 == pytest.approx(15.0, rel=1e-13)
    assert gauss_hermite(20)[0] is z  # cached per n
    with pytest.raises(ValueError):
        z[0] = 1.0  # read-only


def test_trapezoid_nodes_moments():
    z, w = trapezoid_nodes(181)
    assert w.sum() == pytest.approx(1.0, abs=1e-14)
    assert w @ z**4 == pytest.approx(3.0, rel=1e-13)
    assert not w.flags.writeable


@pytest.mark.parametrize("n", [0, -3, 2.5, True])
def test_bad_node_counts(n):
    with pytest.raises(ValueError, match="n"):
        gauss_hermite(n)


# --------------------------------------------------------------------------- 1-D
@pytest.mark.parametrize("f", [np.tanh, logcosh, tanh2, sech4])
@pytest.mark.parametrize("mu,D", [(0.0, 0.1), (0.3, 1.0), (-0.7, 4.0)])
def test_expect_vs_quad_small_D(f, mu, D):
    """Default rule meets 1e-10 relative for tanh / log cosh and their derivatives at D <= 4."""
    ref = expect(f, mu, D, method="quad")
    assert expect(f, mu, D) == pytest.approx(ref, rel=1e-10, abs=1e-14)


@pytest.mark.parametrize("f", [tanh2, logcosh])
@pytest.mark.parametrize("D", [10.0, 20.0])
def test_expect_vs_quad_large_D(f, D):
    """Still 1e-7 relative at D = 10-20, where log cosh grows linearly (docs/references.md sec. 1)."""
    ref = expect(f, 0.2, D, method="quad")
    assert expect(f, 0.2, D) == pytest.approx(ref, rel=1e-7)


def test_expect_gauss_hermite_method():
    """200-node Gauss-Hermite agrees with quadrature to 1e-10 at D = 2 (docs/references.md sec. 1)."""
    ref = expect(logcosh, 0.0, 2.0, method="quad")
    assert expect(logcosh, 0.0, 2.0, method="gh", n=200) == pytest.approx(ref, rel=1e-10)


def test_expect_closed_forms_and_broadcast():
    """<x^2> = mu^2 + D and <cos x> = cos(mu) exp(-D/2), broadcast over (3,1) x (4,)."""
    mu = np.array([[-1.0], [0.0], [2.0]])
    D = np.array([0.0, 0.5, 1.0, 3.0])
    out = expect(lambda x: x**2, mu, D)
    assert out.shape == (3, 4)
    np.testing.assert_allclose(out, mu**2 + D, rtol=1e-13)
    np.testing.assert_allclose(expect(np.cos, mu, D), np.cos(mu) * np.exp(-D / 2), atol=1e-14)
    assert isinstance(expect(np.tanh, 0.1, 1.0), float)


def test_expect_kink_relu_closed_form():
    """<max(x - th, 0)> = s phi_N(a) + (mu - th) Phi_N(a), a = (mu - th)/s (normal pdf/cdf)."""
    from scipy.stats import norm

    th = 0.3
    for mu, D in [(0.1, 0.5), (1.0, 2.0), (-2.0, 0.3)]:
        s = math.sqrt(D)
        a = (mu - th) / s
        exact = s * norm.pdf(a) + (mu - th) * norm.cdf(a)
        got = expect(lambda x: np.maximum(x - th, 0.0), mu, D, kink=th)
        assert got == pytest.approx(exact, rel=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    mu=st.floats(-3, 3),
    D=st.floats(0.0, 5.0),
)
def test_expect_polynomial_moments(mu, D):
    """<x^3> = mu^3 + 3 mu D for x ~ N(mu, D) (any mean and variance)."""
    assert expect(lambda x: x**3, mu, D) == pytest.approx(mu**3 + 3 * mu * D, abs=1e-11)


# --------------------------------------------------------------------------- 2-D
@pytest.mark.parametrize("D", [0.9, 0.3, -0.5])
def test_expect2_vs_dblquad(D):
    """<tanh(x1) tanh(x2)> and <tanh(x1) x2^2> against 2-D adaptive quadrature."""
    mu, D0 = 0.4, 1.3
    for f, h in ((np.tanh, np.tanh), (np.tanh, lambda x: x**2)):
        ref = dblquad_oracle(f, h, mu, D0, D)
        assert expect2(f, h, mu, D0, D) == pytest.approx(ref, rel=1e-9, abs=1e-12)


def test_expect2_limits_and_vectorisation():
    """D = D0 gives the 1-D <f h>, D = 0 the product <f><h>; an array of D equals a loop."""
    mu, D0 = 0.2, 2.0
    assert expect2(np.tanh, logcosh, mu, D0, D0) == pytest.approx(
        expect(lambda x: np.tanh(x) * logcosh(x), mu, D0), rel=1e-12
    )
    assert expect2(np.tanh, logcosh, mu, D0, 0.0) == pytest.approx(
        expect(np.tanh, mu, D0) * expect(logcosh, mu, D0), rel=1e-12
    )
    Ds = np.linspace(-D0, D0, 9)
    vec = expect2(np.tanh, np.tanh, mu, D0, Ds)
    loop = [expect2(np.tanh, np.tanh, mu, D0, d) for d in Ds]
    np.testing.assert_allclose(vec, loop, rtol=1e-12, atol=1e-15)
    # bilinear closed form <x1 x2> = mu^2 + D
    np.testing.assert_allclose(
        expect2(lambda x: x, lambda x: x, mu, D0, Ds), mu**2 + Ds, rtol=1e-12, atol=1e-14
    )


def test_expect2_relu_arccos_kernel():
    """Cho & Saul (2009) arc-cosine kernel: <relu(x1) relu(x2)> = D0 (sin t + (pi - t) cos t)/(2 pi)."""
    D0 = 1.7
    for D in (-1.2, 0.0, 0.6, 1.5, 1.7):
        t = math.acos(D / D0)
        exact = D0 * (math.sin(t) + (math.pi - t) * math.cos(t)) / (2 * math.pi)
        relu = lambda x: np.maximum(x, 0.0)
        assert expect2(relu, relu, 0.0, D0, D, kink=0.0) == pytest.approx(exact, rel=1e-9)


@settings(max_examples=25, deadline=None)
@given(mu=st.floats(-2, 2), D0=st.floats(0.05, 4.0), r=st.floats(-1.0, 1.0))
def test_expect2_symmetry_and_cauchy_schwarz(mu, D0, r):
    """<f h> = <h f>, and |<f(x1) f(x2)>| <= <f^2>."""
    D = r * D0
    a = expect2(np.tanh, np.sin, mu, D0, D)
    b = expect2(np.sin, np.tanh, mu, D0, D)
    assert a == pytest.approx(b, abs=1e-12)
    c = expect2(np.tanh, np.tanh, mu, D0, D)
    assert abs(c) <= expect(tanh2, mu, D0) + 1e-12


# --------------------------------------------------------------------------- bad input
def test_bad_inputs():
    with pytest.raises(ValueError, match="variance D"):
        expect(np.tanh, 0.0, -1.0)
    with pytest.raises(ValueError, match="NaN"):
        expect(np.tanh, np.nan, 1.0)
    with pytest.raises(ValueError, match="method"):
        expect(np.tanh, 0.0, 1.0, method="simpson")
    with pytest.raises(ValueError, match="callable"):
        expect(3.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="broadcast"):
        expect(np.tanh, np.zeros(3), np.ones(4))
    with pytest.raises(ValueError, match=r"\|D\| <= D0"):
        expect2(np.tanh, np.tanh, 0.0, 1.0, 1.5)
    with pytest.raises(ValueError, match="D0"):
        expect2(np.tanh, np.tanh, 0.0, -1.0, 0.0)
    with pytest.raises(ValueError, match="method"):
        expect2(np.tanh, np.tanh, 0.0, 1.0, 0.5, method="quad")
