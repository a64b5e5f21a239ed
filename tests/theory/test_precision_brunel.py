"""Quantised LIF weights (rnmf.theory.precision.brunel) and the storage-noise rate.

Oracles: the moments of a k-bit symmetric quantiser computed by hand (deterministic codes,
two-point stochastic rounding E w = J, Var w = q^2 f(1 - f)); Brunel 2000 eqs. 4-5 for
the input statistics; the Siegert rate (Brunel 2000 eq. 21) as the zero-noise limit of the
first-passage integrator; the spacing of bfloat16 / float16 from ml_dtypes / numpy.
"""

from __future__ import annotations

import math

import ml_dtypes
import numpy as np
import pytest

from rnmf.models import LIFNetwork
from rnmf.sim.quantizers import quantize_weights
from rnmf.theory import lif
from rnmf.theory import precision as P


def _net():
    return LIFNetwork.brunel(6.0, 2.0, N_E=2500, epsilon=0.4)


def test_deterministic_codes_match_the_simulator_quantiser():
    net = _net()
    for bits in (3, 4, 5):
        for mode in ("nearest", "zero", "floor"):
            q = P.quantized_lif_network(net, bits=bits, rounding=mode)
            sim = quantize_weights(np.asarray(net.J), bits=bits, rounding=mode).values
            assert np.allclose(q.mean, sim, rtol=0, atol=1e-15)
            assert np.all(q.var_added == 0) and np.allclose(np.asarray(q.network.J), sim)
            assert q.network.K == net.K


def test_stochastic_rounding_keeps_mean_and_adds_variance():
    net = _net()
    q = P.quantized_lif_network(net, bits=4, rounding="stochastic")
    J = np.asarray(net.J)
    step = 0.6 / 7  # max |J| / (2^3 - 1)
    assert q.scale == pytest.approx(step, rel=1e-15)
    f = 0.1 / step - 1  # J_E / q = 1.1667: codes 1 or 2
    assert np.allclose(q.mean, J, atol=1e-15)
    assert q.var_added[0, 0] == pytest.approx(step**2 * f * (1 - f), rel=1e-12)
    assert q.var_added[0, 1] == pytest.approx(0.0, abs=1e-15)  # -g J is on the grid
    # the effective network carries the exact input statistics (Brunel 2000, eqs. 4-5)
    nu = np.array([12.0, 12.0])
    m, s = lif.input_statistics(q.network, nu)
    K = np.asarray(net.K, dtype=float)
    mu = net.tau_m * 1e-3 * (K * J) @ nu + net.tau_m * 1e-3 * np.asarray(
        net.C_ext
    ) * 0.1 * np.asarray(net.nu_ext)
    var = (
        net.tau_m
        * 1e-3
        * ((K * (J**2 + q.var_added)) @ nu + np.asarray(net.C_ext) * 0.01 * np.asarray(net.nu_ext))
    )
    assert np.allclose(m, mu, rtol=1e-12) and np.allclose(s**2, var, rtol=1e-12)
    # the split network realises the same moments with integer in-degrees
    sp = P.stochastic_split_network(q)
    assert sp.populations == ("E_lo", "E_hi", "I") and sum(sp.N) == sum(net.N)
    Ks, Js = np.asarray(sp.K), np.asarray(sp.J)
    assert np.all(Ks == np.round(Ks)) and Ks[0, :2].sum() == net.K[0][0]
    assert (Ks[0, :2] * Js[0, :2]).sum() == pytest.approx(net.K[0][0] * 0.1, rel=2e-3)


def test_quantized_rates_reduce_and_move():
    net = _net()
    base = lif.stationary_rates(net).rates[0]
    fine = P.quantized_lif_rates(net, bits=16, rounding="nearest").rates[0]
    assert fine == pytest.approx(base, rel=1e-3)
    det = P.quantized_lif_rates(net, bits=4, rounding="nearest")
    # J_E -> 0.0857 mV: the effective g = 7 lowers both the Siegert and balanced rates
    # balance (van Vreeswijk & Sompolinsky 1998): nu = C_ext J_ext nu_ext / (K_I g J - K_E J_E')
    want = 1000 * 0.1 * net.nu_ext[0] / (250 * 0.6 - 1000 * 0.6 / 7)
    assert det.rates[0] < 0.85 * base and det.balanced[0] == pytest.approx(want, rel=1e-9)
    sr = P.quantized_lif_rates(net, bits=4, rounding="stochastic")
    assert sr.rates[0] == pytest.approx(base, rel=0.01) and sr.rates[0] > base
    with pytest.raises(ValueError, match="bits"):
        P.quantized_lif_network(net, bits=1)


def test_float_spacing_matches_formats():
    x = np.array([0.3, 1.0, 1.7, 10.0, 19.9, 20.0, 1000.0])
    for fmt, dt in (("bfloat16", ml_dtypes.bfloat16), ("float16", np.float16)):
        xs = x.astype(dt)
        want = (np.nextafter(xs, np.array(np.inf, dtype=dt)) - xs).astype(float)
        assert np.array_equal(P.float_spacing(xs.astype(float), fmt), want)


def test_storage_rate_limits():
    lam, J, tau = 4.5, 0.2, 20.0
    mu, sig = lam * J * tau, J * math.sqrt(lam * tau)
    kw = dict(tau_m=tau, V_th=20.0, V_reset=10.0, t_ref=2.0, dt=0.1)
    s0 = lif.siegert(mu, sig, tau_m=tau, V_th=20.0, V_reset=10.0, t_ref=2.0)
    r0 = P.stochastic_storage_rate(mu, sig, fmt="bfloat16", n_round=0, **kw)
    assert r0.rate == pytest.approx(float(s0), rel=1e-5) and r0.threshold_shift == 0
    bf = P.stochastic_storage_rate(mu, sig, fmt="bfloat16", **kw)
    f32 = P.stochastic_storage_rate(mu, sig, fmt="float32", **kw)
    assert bf.threshold_shift == 0.0625  # half the bf16 spacing 2^-3 below 20
    assert bf.rate > 1.1 * bf.rate_unrounded
    assert f32.rate == pytest.approx(bf.rate_unrounded, rel=1e-5)
