"""Loihi 1 preset (rnmf.sim.loihi): kernel vs NumPy twin, hand-computed steps, weight rules.

Hand-computed values follow the bit-accurate rules of lava-nc 0.10's LIF and Dense
process models (Davies et al. 2018, IEEE Micro 38:82); the full comparison against
lava itself is tests/peers/test_loihi_lava.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnmf.sim._reference_loihi import loihi_reference
from rnmf.sim.loihi import loihi_weights, simulate_loihi


def test_weight_clip_and_truncation():
    W = np.array([[300, -300], [7, -5]])
    # mixed: clip to [-256, 255], 4 bits + 1 dropped for the sign: floor to multiples of 32
    assert loihi_weights(W, 4).tolist() == [[224, -256], [0, -32]]
    # excitatory: 6 bits -> multiples of 4
    assert loihi_weights(np.array([[7, 300], [0, 5]]), 6).tolist() == [[4, 252], [0, 4]]
    # inhibitory: magnitude truncated
    assert loihi_weights(np.array([[-7, -300], [0, -5]]), 6).tolist() == [[-4, -252], [0, -4]]
    with pytest.raises(ValueError, match="integer"):
        loihi_weights(np.array([[0.5, 1.0], [1.0, 1.0]]))


def test_single_neuron_by_hand():
    # du = 0 means decay factor (4096 - 1)/4096 (ds_offset = 1); bias only
    r = simulate_loihi(
        np.zeros((1, 1)), 3, du=0, dv=100, vth=1000, bias_mant=300, bias_exp=1, u0=4096
    )
    u1 = (4096 * 4095) >> 12
    v1 = 0 + u1 + 600
    assert r.u[0, 0] == u1 and r.v[0, 0] == v1
    u2 = (u1 * 4095) >> 12
    v2 = ((v1 * 3996) >> 12) + u2 + 600
    assert r.u[1, 0] == u2 and r.v[1, 0] == v2
    neg = simulate_loihi(np.zeros((1, 1)), 1, du=0, dv=0, vth=10, u0=-4097)
    assert neg.u[0, 0] == -((4097 * 4095) >> 12)  # truncation toward zero


def test_wrap_saturation_and_delay():
    n = 4
    W = np.full((n, n), 255)
    r = simulate_loihi(W, 4, du=4095, dv=0, vth=1, bias_mant=4095, bias_exp=7, weight_exp=7)
    # step 0: everyone spikes from the bias; the input arrives at step 1 (one step delay)
    assert r.spikes[0].all() and np.all(r.u[0] == 0)
    assert np.all(r.u[1] == ((4 * 255) << 7) << 6)  # 8355840 < 2^23: no wrap yet
    big = simulate_loihi(W, 6, du=0, dv=0, vth=2**17 - 1, weight_exp=7, u0=2**23 - 10)
    assert big.n_sat_v > 0 and big.n_wrap_u > 0 and big.spikes.any()
    assert (
        np.all(np.abs(big.v) <= 2**23 - 1) and np.all(big.u <= 2**23) and np.all(big.u > -(2**23))
    )


@pytest.mark.parametrize("seed", range(4))
def test_kernel_matches_reference(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 30))
    W = rng.integers(-256, 256, (n, n)) * (rng.random((n, n)) < 0.4)
    kw = dict(
        du=int(rng.integers(0, 4096)),
        dv=int(rng.integers(0, 4096)),
        vth=int(rng.integers(1, 300)),
        weight_exp=int(rng.integers(-2, 6)),
    )
    bm, be = rng.integers(-100, 4096, n), rng.integers(0, 4, n)
    u0, v0 = rng.integers(-(2**20), 2**20, n), rng.integers(-(2**20), 2**20, n)
    r = simulate_loihi(W, 120, bias_mant=bm, bias_exp=be, u0=u0, v0=v0, num_weight_bits=6, **kw)
    U, V, S = loihi_reference(r.weights, 120, bias=bm << be, u0=u0, v0=v0, **kw)
    assert np.array_equal(U, r.u) and np.array_equal(V, r.v) and np.array_equal(S, r.spikes)
    assert r.spikes.any()


def test_bad_input():
    W = np.zeros((3, 3))
    with pytest.raises(ValueError, match="du"):
        simulate_loihi(W, 5, du=5000, dv=0, vth=1)
    with pytest.raises(ValueError, match="bias_mant"):
        simulate_loihi(W, 5, du=0, dv=0, vth=1, bias_mant=10**6)
    with pytest.raises(ValueError, match="square"):
        simulate_loihi(np.zeros((2, 3)), 5, du=0, dv=0, vth=1)
