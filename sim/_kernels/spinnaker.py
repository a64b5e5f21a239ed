r"""numba kernel of the SpiNNaker-like LIF network (:mod:`rnmf.sim.spinnaker`).

Integer arithmetic on the raw bits of the chip's types: ``accum`` = s16.15 (value =
bits / 2^15), the synaptic decay and init factors ``unsigned long fract`` = u0.32
(value = bits / 2^32), ring-buffer slots 16-bit unsigned.  Per 1 ms step, in the order
of sPyNNaker (the rules and their sources are listed in :mod:`rnmf.sim.spinnaker`):

0. external spikes of this step are added to its slot (saturating at 0xFFFF);
1. transfer: each slot value becomes the input ``slot << shift`` (s16.15 bits) and is added
   to the synaptic state as ``syn += (input * init) >> 32`` (floor); the slot is cleared;
2. neuron (not refractory): ``I = syn_e - syn_i + I_offset`` (wrapping 32-bit adds),
   ``alpha = mul(I, R) + V_rest``, ``V = alpha - mul(exp_TC, alpha - V)`` with
   ``mul(a, b) = (a * b) >> 15`` (floor, the ARM GCC accum multiply, wrapping) or, with
   ``mul_nearest``, ``(a * b + 2^14) >> 15`` saturated (sPyNNaker's
   ``MULT_ROUND_NEAREST_ACCUM``); a refractory neuron only counts its timer down;
3. threshold ``V >= V_th``: spike, ``V = V_reset``, timer = ``T_refract``;
4. shaping: ``syn = (syn * decay) >> 32`` (floor);
5. each spike adds its 16-bit weight to slot ``(t + delay) mod 16`` of its targets,
   saturating at 0xFFFF and counting every saturated addition.

The recorded V of a step is the potential at its start (as the chip records it).
Trusts its inputs.
"""

from __future__ import annotations

from typing import NamedTuple

from numba import njit

__all__ = ["SpiNNakerParams", "run_spinnaker"]


class SpiNNakerParams(NamedTuple):
    """Neuron constants as raw integer bits (s16.15 unless noted) and integer settings."""

    v_rest: int
    v_reset: int
    v_thresh: int
    r_m: int
    exp_tc: int
    i_offset: int
    decay_e: int  # u0.32
    decay_i: int  # u0.32
    init_e: int  # u0.32
    init_i: int  # u0.32
    t_refract: int
    shift_e: int
    shift_i: int
    n_slots: int
    mul_nearest: int = 0  # 1: MULT_ROUND_NEAREST_ACCUM (half up, saturating) instead of floor


@njit(cache=True)
def wrap32(x):
    """Two's complement 32-bit wrap of an int64 (non-saturating accum arithmetic)."""
    x = x & 0xFFFFFFFF
    if x >= 0x80000000:
        x -= 0x100000000
    return x


@njit(cache=True)
def mul_accum(a, b, nearest=0):
    """s16.15 x s16.15 -> s16.15.

    ``nearest = 0``: the GCC ARM accum multiply, bits [46:15] of the 64-bit product (floor,
    wrapping).  ``nearest = 1``: ``MULT_ROUND_NEAREST_ACCUM`` of sPyNNaker's ``round.h``,
    i.e. ``__stdfix_round_s64`` (add bit 14, then shift: ties round up, toward +inf) and
    ``__stdfix_sat_k`` (saturate to 32 bits).
    """
    if nearest:
        r = (a * b + (1 << 14)) >> 15
        if r > 0x7FFFFFFF:
            return 0x7FFFFFFF
        if r < -0x80000000:
            return -0x80000000
        return r
    return wrap32((a * b) >> 15)


@njit(cache=True)
def decay_s1615(x, d):
    """s16.15 x u0.32 -> s16.15: ``(x * d) >> 32`` (floor)."""
    return wrap32((x * d) >> 32)


@njit(cache=True)
def run_spinnaker(
    WeT, WiT, delay, ext_counts, ext_w, V, Ie, Ii, refr, ring, sat_flag, p, n_steps,
    rec_spikes, rec_V, counts,
):  # fmt: skip
    """Advance ``n_steps`` steps in place (all state as integer bits).

    WeT, WiT : (n, n) int64 transposed 16-bit weights (``WeT[j, i]`` from j to i).
    delay : int, synaptic delay in steps (>= 1, < n_slots).
    ext_counts : (n_steps, n) int64 external excitatory spikes arriving at each step.
    ext_w : int, their 16-bit weight.
    V, Ie, Ii : (n,) int64 s16.15 bits; refr : (n,) int64 timers.
    ring : (n_slots, 2, n) int64; sat_flag same shape, bool.
    rec_V : (n_steps, n) int64 bits of V at the start of each step.
    counts : int64 [saturated additions, saturated slots, spikes].
    """
    n = V.shape[0]
    D = p.n_slots
    for t in range(n_steps):
        slot = t % D
        for i in range(n):
            for _ in range(ext_counts[t, i]):
                acc = ring[slot, 0, i] + ext_w
                if acc > 0xFFFF:
                    acc = 0xFFFF
                    counts[0] += 1
                    sat_flag[slot, 0, i] = True
                ring[slot, 0, i] = acc
            # 1. transfer the slot into the synaptic state
            if ring[slot, 0, i] > 0:
                Ie[i] = wrap32(Ie[i] + decay_s1615(wrap32(ring[slot, 0, i] << p.shift_e), p.init_e))
            if ring[slot, 1, i] > 0:
                Ii[i] = wrap32(Ii[i] + decay_s1615(wrap32(ring[slot, 1, i] << p.shift_i), p.init_i))
            for ty in range(2):
                if sat_flag[slot, ty, i]:
                    counts[1] += 1
                    sat_flag[slot, ty, i] = False
                ring[slot, ty, i] = 0
            rec_V[t, i] = V[i]
            # 2.-3. neuron
            spike = False
            if refr[i] <= 0:
                inp = wrap32(wrap32(Ie[i] - Ii[i]) + p.i_offset)
                alpha = wrap32(mul_accum(inp, p.r_m, p.mul_nearest) + p.v_rest)
                V[i] = wrap32(alpha - mul_accum(p.exp_tc, wrap32(alpha - V[i]), p.mul_nearest))
            else:
                refr[i] -= 1
            if V[i] >= p.v_thresh:
                spike = True
                V[i] = p.v_reset
                refr[i] = p.t_refract
            # 4. shaping
            Ie[i] = decay_s1615(Ie[i], p.decay_e)
            Ii[i] = decay_s1615(Ii[i], p.decay_i)
            rec_spikes[t, i] = spike
        # 5. deliver the spikes of this step to slot t + delay
        tgt = (t + delay) % D
        for j in range(n):
            if rec_spikes[t, j]:
                counts[2] += 1
                for i in range(n):
                    for ty in range(2):
                        w = WeT[j, i] if ty == 0 else WiT[j, i]
                        if w > 0:
                            acc = ring[tgt, ty, i] + w
                            if acc > 0xFFFF:
                                acc = 0xFFFF
                                counts[0] += 1
                                sat_flag[tgt, ty, i] = True
                            ring[tgt, ty, i] = acc
