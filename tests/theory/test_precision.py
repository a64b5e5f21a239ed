"""Theory of finite-precision corrections (rnmf.theory.precision).

Oracles: closed forms (Sheppard's correction, the rounded decay factor of a float
with t mantissa bits, the integer dead band), Monte-Carlo over quantised Gaussian
samples, exact iteration of the integer leak, and the Poisson tail.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnmf.models import RateNetwork
from rnmf.results import ConvergenceError
from rnmf.theory import precision as P


def _quantise(J, q, mode, rng):
    y = J / q
    if mode == "nearest":
        k = np.rint(y)
    elif mode == "zero":
        k = np.trunc(y)
    elif mode == "floor":
        k = np.floor(y)
    else:
        k = np.floor(y + rng.random(y.shape))
    return k * q


@pytest.mark.parametrize("mode", P.ROUNDINGS)
@pytest.mark.parametrize("q", [0.03, 0.4, 1.7])
def test_coupling_moments_match_monte_carlo(mode, q):
    rng = np.random.default_rng(11)
    sigma, mu = 0.6, 0.07
    J = mu + sigma * rng.standard_normal(2_000_000)
    Q = _quantise(J, q, mode, rng)
    m = P.quantized_coupling_moments(sigma, q, mode, mean=mu)
    se_mean = Q.std() / math.sqrt(J.size)
    se_var = Q.var() * math.sqrt(2.0 / J.size) * 2
    assert abs(m.mean - Q.mean()) < 5 * se_mean + 1e-12
    assert abs(m.var - Q.var()) < 5 * se_var
    assert (
        abs(m.p_zero - np.mean(Q == 0)) < 5 * math.sqrt(m.p_zero * (1 - m.p_zero) / J.size) + 1e-9
    )


def test_small_step_expansions():
    """Sheppard (1898): Var Q = sigma^2 + q^2/12 (RTN); SR adds q^2/6; floor shifts the mean by -q/2."""
    s, q = 1.0, 0.05
    rn = P.quantized_coupling_moments(s, q, "nearest")
    sr = P.quantized_coupling_moments(s, q, "stochastic")
    fl = P.quantized_coupling_moments(s, q, "floor")
    tz = P.quantized_coupling_moments(s, q, "zero")
    assert rn.var_change == pytest.approx(q * q / 12, rel=1e-6)
    assert sr.var_change == pytest.approx(q * q / 6, rel=1e-6)
    assert fl.mean_shift == pytest.approx(-q / 2, rel=1e-6)
    assert sr.mean_shift == pytest.approx(0.0, abs=1e-12)
    assert tz.var == pytest.approx(tz.small_step_var, rel=1e-4)
    assert tz.var_change == pytest.approx(-q * math.sqrt(2 / math.pi) + q * q / 3, rel=1e-3)


def test_clipping_and_effective_network():
    m = P.quantized_coupling_moments(1.0, 1.0, "nearest", max_level=1)  # ternary
    # codes -1, 0, 1: Var = 2 P(|J| > 1/2)
    assert m.var == pytest.approx(2 * (1 - math.erf(0.5 / math.sqrt(2))) / 2 * 2 / 2 * 1, rel=1e-12)
    net = RateNetwork(N=1000, g=0.9)
    eff, mom = P.effective_network(net, step=2.0 * 0.9 / math.sqrt(1000), rounding="stochastic")
    assert eff.g == pytest.approx(math.sqrt(0.81 + 4 * 0.81 / 6 * 0), rel=0.5)
    assert eff.g > net.g and abs(eff.J0) < 1e-9
    fl, _ = P.effective_network(net, step=0.01, rounding="floor")
    assert fl.J0 == pytest.approx(-1000 * 0.005, rel=1e-6)  # -N q / 2
    b4, m4 = P.effective_network(net, bits=4, clip=3.0)
    assert m4.options["max_level"] == 7
    with pytest.raises(ValueError, match="exactly one"):
        P.effective_network(net)


def test_effective_tau_closed_forms():
    # bfloat16 (t = 7): exp(-0.1/20) = 0.99501... rounds to 1 - 2^-8 (spacing 2^-8 below 1)
    r = P.effective_tau(0.1, 20.0, "bfloat16")
    assert r.decay == 1 - 2.0**-8
    assert r.tau_eff == pytest.approx(-0.1 / math.log(1 - 2.0**-8), rel=1e-14)
    # the leak vanishes when dt/tau < 2^-(t+2)
    assert P.effective_tau(20 * 2.0**-9.5, 20.0, "bf16").leak_vanishes
    assert not P.effective_tau(20 * 2.0**-8.5, 20.0, "bf16").leak_vanishes
    assert P.effective_tau(0.1, 20.0, "float32").relative_error == pytest.approx(0, abs=1e-5)
    e = P.effective_tau(0.1, 1.0, "fp16", scheme="euler")
    assert e.decay == P.round_float(0.9, 10) and e.tau_eff == pytest.approx(
        -0.1 / math.log(e.decay)
    )
    assert P.effective_tau(0.001, 20.0, "bf16", rounding="stochastic").tau_eff == pytest.approx(
        20.0
    )


def test_swamping_flags_lost_increments():
    # fp16 at V = 15: ulp = 2^-7, half-ulp 2^-8 = 0.0039
    assert P.swamping(1e-3, 15.0, "fp16").lost
    assert not P.swamping(1e-3, 15.0, "fp16").predicted
    ok = P.swamping(0.05, 15.0, "fp16")
    assert ok.predicted and not ok.lost and "resolved" in ok.message
    assert P.swamping(1e-3, 15.0, "fp16", rounding="stochastic").predicted
    # RTN really loses it
    assert np.float16(15.0) + np.float16(1e-3) == np.float16(15.0)


@pytest.mark.parametrize("rounding", ["zero", "floor", "nearest"])
def test_integer_leak_band_by_iteration(rounding):
    d, I, D = 64, 100, 4096
    res = P.integer_leak(I, d, rounding=rounding)
    R = {
        "zero": lambda y: int(math.copysign(abs(y) // D, y)),
        "floor": lambda y: y // D,
        "nearest": lambda y: int(np.rint(y / D)),
    }[rounding]
    for u0 in (0, 3000, 10000):
        u = u0
        for _ in range(20000):
            u = R(u * (D - d)) + I
        assert res.band[0] <= u <= res.band[1]
    assert abs(res.width - D / d) <= 1


def test_integer_leak_bias_under_dithering():
    """Stationary mean of u <- R(u (D-d)/D) + I_t with random I_t: E u = (E I + E e)/delta."""
    rng = np.random.default_rng(5)
    D = 4096
    for d in (64, 100):
        delta = d / D
        for rounding, R in (
            ("floor", lambda y: y // D),
            ("zero", lambda y: np.sign(y) * (np.abs(y) // D)),
            ("nearest", lambda y: np.rint(y / D).astype(np.int64)),
        ):
            res = P.integer_leak(100, d, rounding=rounding)
            u = np.full(4000, int(100 / delta), dtype=np.int64)
            means = []
            for k in range(2500):
                u = R(u * (D - d)) + rng.integers(50, 151, u.size)
                if k >= 500:
                    means.append(u.mean())
            means = np.array(means)
            blocks = means.reshape(20, -1).mean(axis=1)  # blocks of 100 steps >> 1/delta
            se = blocks.std(ddof=1) / math.sqrt(blocks.size)
            assert means.mean() - 100 / delta == pytest.approx(res.bias, abs=4 * se + 0.05)
    assert P.integer_leak(100, 64, rounding="floor").bias == pytest.approx(-(1 - 1 / 64) / 2 * 64)
    assert P.integer_leak(100, 63, rounding="floor").bias == pytest.approx(
        -(1 - 1 / 4096) / 2 * 4096 / 63
    )


def test_overflow_probability_and_shift():
    rng = np.random.default_rng(2)
    x = rng.poisson(3.0, 1_000_000) * 10
    assert P.overflow_probability(rate=3.0, weight=10, limit=65) == pytest.approx(
        np.mean(x > 65), rel=0.02
    )
    assert P.overflow_probability(0.0, 1.0, 1.0) == pytest.approx(0.15865525393, rel=1e-9)
    k = P.safe_shift(1000.0, 300.0, bits=16, target=1e-6)
    assert P.overflow_probability(1000.0, 300.0, (2**16 - 1) * 2.0**-k) < 1e-6
    assert P.overflow_probability(1000.0, 300.0, (2**16 - 1) * 2.0 ** -(k + 1)) >= 1e-6
    with pytest.raises(ValueError, match="shift"):
        P.safe_shift(1e9, 1.0, bits=8)


def test_mismatch_rates_monte_carlo():
    from rnmf.theory.lif import siegert

    res = P.mismatch_rates(15.0, 5.0, 0.1, param="tau_m")
    xi = np.random.default_rng(3).standard_normal(2000)
    rates = np.array([float(siegert(15.0, 5.0, tau_m=20.0 * (1 + 0.1 * z))) for z in xi])
    assert res.rate == pytest.approx(rates.mean(), abs=4 * rates.std() / math.sqrt(xi.size))
    assert res.rate_sd == pytest.approx(rates.std(), rel=0.08)
    assert P.mismatch_rates(15.0, 5.0, 0.0).rate == pytest.approx(res.rate_nominal)
    with pytest.raises(ConvergenceError, match="mismatch"):
        P.mismatch_rates(15.0, 5.0, 0.6, param="V_th")


@pytest.mark.parametrize("mode", P.ROUNDINGS)
def test_structure_gain_monte_carlo(mode):
    """c = d E[Q(mu + sigma z)] / d mu at 0 = E[z Q(sigma z)] / sigma (Stein's lemma), by MC."""
    rng = np.random.default_rng(21)
    sigma, q = 1.0, 1.3
    z = rng.standard_normal(4_000_000)
    Q = _quantise(sigma * z, q, mode, rng)
    mc = float(np.mean(z * Q)) / sigma
    se = float(np.std(z * Q)) / math.sqrt(z.size) / sigma
    c = P.structure_gain(sigma, q, mode)
    assert c == pytest.approx(mc, abs=5 * se)
    assert P.structure_gain(1.0, 0.01, mode) == pytest.approx(1.0, abs=0.01)  # O(q)
    if mode == "stochastic":
        assert c == pytest.approx(1.0, abs=1e-6)
