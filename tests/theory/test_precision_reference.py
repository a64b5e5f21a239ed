"""g_eff, tau_eff and the integer bias against independent high-precision computations.

The method is that of the project notes on finite precision (docs/references.md keeps the
citations): g_eff = sqrt(N Var Q(J)) from exact sums over the Gaussian bins of the
quantiser (Sheppard 1898 for the small-step limit), tau_eff = -dt / ln fl(exp(-dt/tau))
with the decay factor rounded by the format itself, and the integer leak's bias
E[R(y) - y] / delta over the residues of u (D - d) / D.  Each value is recomputed here
by a different route (mpmath quadrature at 30 digits, the formats' own casts in numpy /
ml_dtypes, exact rational sums over a full period) and must agree to ~1e-9.
"""

from __future__ import annotations

import math
from fractions import Fraction

import ml_dtypes
import mpmath as mp
import numpy as np
import pytest

from rnmf.models import RateNetwork
from rnmf.theory import precision as P

mp.mp.dps = 30


def _mp_moments(sigma: float, q: float, rounding: str, mean: float = 0.0, M: int | None = None):
    """E Q(J), E Q(J)^2 by mpmath quadrature over each bin (an independent route)."""
    s, q, mu = mp.mpf(sigma), mp.mpf(q), mp.mpf(mean)
    pdf = lambda x: mp.npdf(x, mu, s)  # noqa: E731
    clip = (lambda c: c) if M is None else (lambda c: max(-M, min(M, c)))  # noqa: E731
    lo = int(mp.floor((mu - 14 * s) / q)) - 1
    hi = int(mp.ceil((mu + 14 * s) / q)) + 1
    E1 = E2 = mp.mpf(0)
    for k in range(lo, hi + 1):
        if rounding == "stochastic":
            a, b = k * q, (k + 1) * q
            lo_, hi_ = clip(k) * q, clip(k + 1) * q

            def m(x, p, a=a, lo_=lo_, hi_=hi_):
                f = (x - a) / q
                return (lo_**p * (1 - f) + hi_**p * f) * pdf(x)

            E1 += mp.quad(lambda x, m=m: m(x, 1), [a, b])
            E2 += mp.quad(lambda x, m=m: m(x, 2), [a, b])
            continue
        if rounding == "nearest":
            a, b = (k - mp.mpf(0.5)) * q, (k + mp.mpf(0.5)) * q
        elif rounding == "floor":
            a, b = k * q, (k + 1) * q
        else:  # toward zero
            a, b = ((k - 1) * q, k * q) if k < 0 else (k * q, (k + 1) * q)
            if k == 0:
                a, b = -q, q
        p = mp.ncdf(b, mu, s) - mp.ncdf(a, mu, s)
        c = clip(k) * q
        E1 += c * p
        E2 += c * c * p
    return E1, E2


@pytest.mark.parametrize(
    "sigma, q, rounding, mean, M",
    [
        (1.0, 0.37, "nearest", 0.0, None),
        (1.0, 2.0, "nearest", 0.0, None),
        (0.05, 0.125, "stochastic", 0.0, None),
        (1.0, 1.3, "zero", 0.2, None),
        (1.0, 0.8, "floor", -0.1, None),
        (1.0, 1.0, "nearest", 0.0, 3),  # 3-bit symmetric grid, clipping at 3 sigma
        (1.0, 0.9, "stochastic", 0.3, 2),
    ],
)
def test_coupling_moments_against_mpmath(sigma, q, rounding, mean, M):
    """Exact Gaussian-bin sums = 30-digit quadrature to 1e-10 (mean and variance)."""
    r = P.quantized_coupling_moments(sigma, q, rounding, mean=mean, max_level=M)
    E1, E2 = _mp_moments(sigma, q, rounding, mean, M)
    assert r.mean == pytest.approx(float(E1), abs=1e-10 * sigma)
    assert r.var == pytest.approx(float(E2 - E1 * E1), rel=1e-10)


def test_g_eff_against_mpmath():
    """g_eff = sqrt(N Var Q(J)) (zero mean: sqrt(N E Q^2)) for a 3-bit grid clipping at 3 sigma."""
    net = RateNetwork(N=1000, g=1.6)
    eff, _ = P.effective_network(net, bits=3, clip=3.0, rounding="nearest")
    s = 1.6 / math.sqrt(1000)
    E1, E2 = _mp_moments(s, 3 * s / 3, "nearest", 0.0, 3)
    assert abs(float(E1)) < 1e-15
    assert eff.g == pytest.approx(float(mp.sqrt(1000 * E2)), rel=1e-10)
    # small steps: Sheppard's +q^2/12 (nearest) and +q^2/6 (stochastic) to O(q^4)
    for mode, c in (("nearest", 12.0), ("stochastic", 6.0)):
        r = P.quantized_coupling_moments(1.0, 0.01, mode)
        assert r.var == pytest.approx(1.0 + 1e-4 / c, rel=1e-9)


@pytest.mark.parametrize(
    "fmt, cast, t",
    [
        ("bfloat16", lambda x: float(np.asarray(x).astype(ml_dtypes.bfloat16)), 7),
        ("float16", lambda x: float(np.float16(x)), 10),
        ("float32", lambda x: float(np.float32(x)), 23),
    ],
)
def test_effective_tau_against_format_casts(fmt, cast, t):
    """tau_eff = -dt / ln a with a = the format's own round-to-nearest of exp(-dt/tau)."""
    for dt, tau in ((0.1, 20.0), (0.1, 10.0), (1.0, 3.0), (0.05, 1.0), (0.25, 7.3)):
        a = cast(math.exp(-dt / tau))
        r = P.effective_tau(dt, tau, fmt)
        assert r.decay == a
        want = -mp.mpf(dt) / mp.log(mp.mpf(a))
        assert r.tau_eff == pytest.approx(float(want), rel=1e-12)
    # the leak vanishes exactly when exp(-dt/tau) rounds to 1: dt/tau < 2^-(t+2)
    for x in (2.0 ** -(t + 2) * 0.98, 2.0 ** -(t + 2) * 1.02):
        assert P.effective_tau(x, 1.0, fmt).leak_vanishes == (cast(math.exp(-x)) == 1.0)


@pytest.mark.parametrize("d", [1, 64, 100, 999, 4095])
@pytest.mark.parametrize("rounding", ["floor", "zero", "nearest"])
def test_integer_bias_against_exact_period_sum(d, rounding):
    """bias = E[R(y) - y] / delta, y = u (D - d) / D, with u uniform over a full period of
    residues mod 2D (dithering; 2D so that ties to even see both parities of floor y), as an
    exact rational sum."""
    D = 4096
    u0 = 10**6  # positive states (toward zero = floor there)
    tot = Fraction(0)
    for u in range(u0, u0 + 2 * D):
        y = Fraction(u * (D - d), D)
        fl = y.numerator // y.denominator
        if rounding in ("floor", "zero"):
            R = fl
        else:  # nearest, ties to even
            rem = y - fl
            R = fl + (1 if rem > Fraction(1, 2) or (rem == Fraction(1, 2) and fl % 2) else 0)
        tot += R - y
    want = tot / (2 * D) / Fraction(d, D)
    got = P.integer_leak(300, d, D=D, rounding=rounding).bias
    assert got == pytest.approx(float(want), abs=1e-9)


def test_integer_bias_negative_states_and_stochastic():
    """Toward zero at u < 0 biases upward by the same amount; stochastic rounding is unbiased."""
    D, d = 4096, 100
    neg = P.integer_leak(-300, d, D=D, rounding="zero").bias
    pos = P.integer_leak(300, d, D=D, rounding="zero").bias
    assert neg == pytest.approx(-pos, rel=1e-15) and pos < 0
    assert P.integer_leak(300, d, D=D, rounding="stochastic").bias == 0.0
