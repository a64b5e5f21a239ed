"""SpiNNaker preset (rnmf.sim.spinnaker): each arithmetic rule with its source, kernel vs twin.

References (read, not copied; the repository and file are named in each test):
sPyNNaker C sources (SpiNNakerManchester/sPyNNaker, neural_modelling/src/neuron/...), the
host code (spynnaker/pyNN/...), GCC's ARM fixed-point patterns (gcc-mirror/gcc,
gcc/config/arm/arm-fixed.md) and Rhodes et al. 2018, Front. Neuroinform. 12:105.
The saturation probability per slot is the Poisson tail of
rnmf.theory.precision.overflow_probability.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnmf.sim._kernels.spinnaker import SpiNNakerParams, decay_s1615, mul_accum, run_spinnaker
from rnmf.sim._reference_spinnaker import spinnaker_reference
from rnmf.sim.spinnaker import (
    _chip_constants,
    _to_int16,
    ring_buffer_shift,
    simulate_spinnaker,
    to_s1615,
)
from rnmf.theory.precision import overflow_probability


def test_accum_multiply_is_floor_without_rounding():
    """accum * accum keeps bits [46:15] of the 64-bit product (floor, no rounding).

    Source: gcc-mirror/gcc, gcc/config/arm/arm-fixed.md, ``mulsa3`` (mulsidi3, then the
    low word shifted right by 15 or-ed with the high word shifted left by 17), used by
    ``lif_neuron_closed_form`` in SpiNNakerManchester/sPyNNaker,
    neural_modelling/src/neuron/models/neuron_model_lif_impl.h (plain ``*`` on REAL).
    """
    half = 1 << 14  # 0.5 in s16.15
    assert mul_accum(3, half) == 1  # 1.5 LSB -> 1 (nearest would give 2)
    assert mul_accum(-1, half) == -1  # -0.5 LSB -> -1 (floor, not 0)
    assert mul_accum(-3, half) == -2  # -1.5 LSB -> -2
    assert mul_accum(5 << 15, 7 << 15) == 35 << 15  # exact products stay exact


def test_round_nearest_multiply_ties_up_and_saturates():
    """MULT_ROUND_NEAREST_ACCUM (the LIF multiply of earlier sPyNNaker releases).

    Sources: SpiNNakerManchester/spinn_common, include/round.h
    (``__stdfix_smul_k_round_nearest``: ``__stdfix_sat_k(__stdfix_round_s64(x * y, 15) >> 15)``;
    used by ``lif_neuron_closed_form`` of earlier versions of sPyNNaker's
    neural_modelling/src/neuron/models/neuron_model_lif_impl.h) and
    SpiNNakerManchester/spinn_common, include/stdfix-full-iso.h (``__stdfix_round_s64``:
    ``c = (x >> (n-1)) & 1; r = ((x >> n) + c) << n``: a tie rounds up, toward +inf).
    """
    half = 1 << 14
    assert mul_accum(1, half, 1) == 1  # +0.5 LSB -> 1
    assert mul_accum(-1, half, 1) == 0  # -0.5 LSB -> 0 (up, not away from zero)
    assert mul_accum(-3, half, 1) == -1  # -1.5 LSB -> -1
    assert mul_accum(3, half, 1) == 2  # 1.5 LSB -> 2 (not to even)
    assert mul_accum(2**31 - 1, 2**31 - 1, 1) == 2**31 - 1  # saturates
    assert mul_accum(2**31 - 1, 2**31 - 1, 0) != 2**31 - 1  # the GCC multiply wraps
    n = 12
    rng = np.random.default_rng(5)
    We = (rng.random((n, n)) < 0.5) * rng.uniform(0.2, 1.0, (n, n))
    kw = dict(n_ext=20, ext_rate=60.0, ext_weight=0.9, rng=2, shifts=(2, 2))
    a = simulate_spinnaker(We, 0 * We, 200, multiply="nearest", **kw)
    b = simulate_spinnaker(We, 0 * We, 200, **kw)
    pp = SpiNNakerParams(**a.options["params"])
    ext = np.random.default_rng(2).poisson(20 * 60.0 / 1000.0, (200, n))
    S, V, _ = spinnaker_reference(
        _to_int16(We, 2).T, np.zeros((n, n), np.int64), 1, ext, a.options["ext_weight_int"],
        np.full(n, pp.v_rest), pp, 200,
    )  # fmt: skip
    assert pp.mul_nearest == 1 and np.array_equal(V / 32768.0, a.V) and np.array_equal(S, a.spikes)
    assert not np.array_equal(a.V, b.V)  # the two multiplies differ in the last bits


def test_synaptic_decay_is_u032_floor():
    """syn * decay with a u0.32 factor: ``(x * d) >> 32`` (floor).

    Source: SpiNNakerManchester/sPyNNaker, neural_modelling/src/neuron/decay.h,
    ``decay_s1615``; used by ``exp_shaping`` and ``add_input_exp`` in
    neural_modelling/src/neuron/synapse_types/exp_synapse_utils.h.
    """
    d = 1 << 31  # 0.5 in u0.32
    assert decay_s1615(3, d) == 1
    assert decay_s1615(-3, d) == -2
    assert decay_s1615(1 << 15, (1 << 32) - 1) == (1 << 15) - 1  # 1.0 * (1 - 2^-32) floors


def test_host_encoding_and_chip_constants():
    """Host accum encoding and the constants the chip derives at initialisation.

    Sources: SpiNNakerManchester/DataSpecification, data_specification/enums/data_type.py
    (``encode_as_int``: ``round(Decimal(str(value)) * scale)``, half to even);
    SpiNNakerManchester/sPyNNaker, neural_modelling/src/neuron/models/
    neuron_model_lif_impl.h (``neuron_model_initialise``: R = tau_m / c_m,
    exp_TC = exp(-ts/tau_m), T_refract = ``lif_ceil_accum``(T_refract_ms / ts)) and
    neural_modelling/src/neuron/synapse_types/exp_synapse_utils.h (``decay_and_init``:
    decay = exp(-ts/tau) in u0.32, init = (tau/ts)(1 - decay)).
    """
    assert to_s1615(0.5 / 32768) == 0  # a tie goes to even
    assert to_s1615(1.5 / 32768) == 2
    assert to_s1615(-65.0) == -65 * 32768
    c = _chip_constants(20.0, 1.0, 2.5, 5.0, 3.0, 1.0)
    assert c["r_m"] == 20 * 32768
    assert abs(c["exp_tc"] - math.exp(-1 / 20) * 32768) <= 1.0
    assert c["t_refract"] == 3  # ceil(2.5)
    for x, tau in (("e", 5.0), ("i", 3.0)):
        d = c[f"decay_{x}"] / 2.0**32
        assert abs(d - math.exp(-1 / tau)) < 1e-4  # ts/tau rounded to s16.15 first
        assert c[f"init_{x}"] / 2.0**32 == pytest.approx(tau * (1 - d), abs=1e-8)


def test_weight_encoding_masks_to_16_bits():
    """Weights ``rint(|w| * 2^(16 - (shift + 1))) & 0xFFFF`` (a mask, not a clip).

    Source: SpiNNakerManchester/sPyNNaker, spynnaker/pyNN/models/neuron/
    synapse_io.py (``numpy.rint(numpy.abs(weight) * scale) ... & 0xFFFF``) and
    abstract_population_vertex.py (weight scale 2^(16 - (shift + 1))).
    """
    assert int(_to_int16(np.array(0.5), 0)) == 16384
    assert int(_to_int16(np.array(2.0 + 3 / 32768), 0)) == 3  # 65539 & 0xFFFF
    assert int(_to_int16(np.array(-1.0), 1)) == 16384  # the sign is the synapse type


def test_update_order_and_refractory_by_hand():
    """One step: slot -> syn (+= input * init), LIF with the new syn, threshold >=, reset,
    refractory countdown, then the decay of syn; V recorded at the start of the step.

    Sources: SpiNNakerManchester/sPyNNaker, neural_modelling/src/neuron/neuron.c
    (``neuron_transfer``: ring buffer to synaptic input, then the timestep update),
    neural_modelling/src/neuron/implementations/neuron_impl_standard.h
    (``neuron_impl_do_timestep_update``: record V, state update, threshold, has_spiked,
    ``synapse_types_shape_input`` last), neuron_model_lif_impl.h (refract_timer <= 0
    integrates, else counts down; has_spiked sets V_reset and T_refract),
    threshold_types/threshold_type_static.h (``value >= threshold``), synapses.c
    (slot + weight saturates at 0xFFFF).
    """
    n_steps = 40
    ext = np.zeros((n_steps, 1), dtype=np.int64)
    ext[[2, 3, 3, 10, 11, 11, 11], 0] = 1
    ext[11, 0] = 6
    r = simulate_spinnaker(
        np.zeros((1, 1)), np.zeros((1, 1)), 1, v_thresh=-60.0, tau_refrac=3.0, shifts=(3, 0)
    )
    p = SpiNNakerParams(**r.options["params"])
    w = int(_to_int16(np.array(1.7), 3))
    V0, Ie, Ii, refr = (np.array([p.v_rest]), np.zeros(1, np.int64), np.zeros(1, np.int64),
                        np.zeros(1, np.int64))  # fmt: skip
    spk, recV = np.zeros((n_steps, 1), bool), np.zeros((n_steps, 1), np.int64)
    run_spinnaker(
        np.zeros((1, 1), np.int64), np.zeros((1, 1), np.int64), 1, ext, w, V0, Ie, Ii, refr,
        np.zeros((16, 2, 1), np.int64), np.zeros((16, 2, 1), bool), p, n_steps, spk, recV,
        np.zeros(3, np.int64),
    )  # fmt: skip
    # the same neuron by hand (Python integers), the external spikes injected directly
    c = _chip_constants(20.0, 1.0, 3.0, 5.0, 5.0, 1.0)
    assert w == int(round(1.7 * 2**12))
    V, syn, timer = to_s1615(-65.0), 0, 0
    thr, reset, rest = to_s1615(-60.0), to_s1615(-65.0), to_s1615(-65.0)
    Vs, spikes = [], []
    for t in range(n_steps):
        slot = min(int(ext[t, 0]) * w, 0xFFFF)
        if slot:
            syn += ((slot << 3) * c["init_e"]) >> 32
        Vs.append(V)
        if timer <= 0:
            alpha = ((syn * c["r_m"]) >> 15) + rest
            V = alpha - ((c["exp_tc"] * (alpha - V)) >> 15)
        else:
            timer -= 1
        s = V >= thr
        if s:
            V, timer = reset, c["t_refract"]
        spikes.append(s)
        syn = (syn * c["decay_e"]) >> 32
    assert np.array_equal(recV[:, 0], np.array(Vs))
    assert np.array_equal(spk[:, 0], np.array(spikes)) and any(spikes)
    k = int(np.flatnonzero(spk[:, 0])[0])
    # the step after a spike starts at V_reset and stays there for T_refract steps
    assert np.all(recV[k + 1 : k + 2 + c["t_refract"], 0] == p.v_reset)
    assert recV[k + 2 + c["t_refract"], 0] != p.v_reset


def test_ring_buffer_shift_rule():
    """Host shift rule (get_ring_buffer_shifts / get_max_weight; Rhodes et al. 2018 Sec. 2.4.3).

    Source: SpiNNakerManchester/sPyNNaker, spynnaker/pyNN/models/neuron/
    abstract_population_vertex.py (ceil(log2 max), plus one when 2^shift <= max).
    """
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
    pp = SpiNNakerParams(**r.options["params"])
    ext = np.random.default_rng(4).poisson(50 * 30.0 / 1000.0, (300, n))
    S, V, (n_sat, n_slots) = spinnaker_reference(
        _to_int16(We, 1).T, _to_int16(Wi, 1).T, 1, ext, r.options["ext_weight_int"],
        np.full(n, pp.v_rest), pp, 300,
    )  # fmt: skip
    assert np.array_equal(S, r.spikes) and np.array_equal(V / 32768.0, r.V)
    assert n_sat == r.n_saturations and n_slots == r.n_saturated_slots and n_sat > 0
    assert r.spikes.sum() > 0


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
