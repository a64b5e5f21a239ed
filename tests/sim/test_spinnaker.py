"""SpiNNaker preset (rnmf.sim.spinnaker): kernel vs NumPy twin, shift rule, saturation.

The shift rule is sPyNNaker's get_ring_buffer_shifts (Rhodes et al. 2018, Sec. 2.4.3);
the saturation probability per slot is the Poisson tail of
rnmf.theory.precision.overflow_probability.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnmf.sim._reference_spinnaker import spinnaker_reference
from rnmf.sim.spinnaker import ACCUM, ring_buffer_shift, simulate_spinnaker
from rnmf.theory.precision import overflow_probability


def test_ring_buffer_shift_rule():
    # max weight 3.0 alone (no rate): ceil(log2 3) = 2, 2^2 = 4 > 3: shift 2
    assert ring_buffer_shift([[3.0]], rate=0.0) == 2
    # exactly a power of two needs one more bit
    assert ring_buffer_shift([[4.0]], rate=0.0) == 3
    # upper bound from statistics: 100 synapses of 0.5 nA at 10 Hz, 1 ms: lam = 1
    lam, w = 1.0, 0.5
    bound = lam * w + 5 * math.sqrt(lam * w * w)
    want = math.ceil(math.log2(bound)) + (1 if 2 ** math.ceil(math.log2(bound)) <= bound else 0)
    assert ring_buffer_shift(np.full((3, 100), 0.5), rate=10.0) == want
    with pytest.raises(ValueError, match=">= 0"):
        ring_buffer_shift([[-1.0]], rate=1.0)


def test_kernel_matches_reference():
    rng = np.random.default_rng(3)
    n = 30
    We = (rng.random((n, n)) < 0.3) * rng.uniform(0.1, 0.8, (n, n))
    Wi = (rng.random((n, n)) < 0.3) * rng.uniform(0.1, 1.5, (n, n))
    r = simulate_spinnaker(
        We, Wi, 300, n_ext=50, ext_rate=30.0, ext_weight=0.6, rng=4, shifts=(1, 1)
    )
    p = r.options["params"]
    from rnmf.sim._kernels.spinnaker import SpiNNakerParams
    from rnmf.sim.spinnaker import _to_int16

    pp = SpiNNakerParams(**p)
    ext = np.random.default_rng(4).poisson(50 * 30.0 / 1000.0, (300, n))
    S, V, (n_sat, n_slots) = spinnaker_reference(
        _to_int16(We, 1).T, _to_int16(Wi, 1).T, 1, ext, r.options["ext_weight_int"],
        np.full(n, pp.v_rest), pp, ACCUM.params(), 300,
    )  # fmt: skip
    assert np.array_equal(S, r.spikes) and np.array_equal(V, r.V)
    assert n_sat == r.n_saturations and n_slots == r.n_saturated_slots and n_sat > 0
    assert np.all(V == np.round(V * 2**15) / 2**15)  # every potential is an s16.15 number


def test_saturated_slots_match_poisson_tail():
    n, T = 200, 2000
    lam_rate, n_ext, w = 40.0, 100, 0.5  # 4 external spikes per step on average
    r = simulate_spinnaker(
        np.zeros((n, n)), np.zeros((n, n)), T, n_ext=n_ext, ext_rate=lam_rate, ext_weight=w,
        shifts=(0, 0), v_thresh=1e3, rng=7,
    )  # fmt: skip
    w_int = r.options["ext_weight_int"]
    p = float(overflow_probability(rate=n_ext * lam_rate / 1000.0, weight=w_int, limit=0xFFFF))
    frac = r.n_saturated_slots / (n * T)
    assert frac == pytest.approx(p, abs=5 * math.sqrt(p * (1 - p) / (n * T)))
    assert p > 1e-3
