"""Plain NumPy stepping of the SpiNNaker-like LIF network: a test oracle only (slow).

Written from the rules listed in :mod:`rnmf.sim.spinnaker`, vectorised over neurons, on
the raw integer bits (s16.15 state, u0.32 synaptic factors) with NumPy int64 shifts.
"""

from __future__ import annotations

import numpy as np

__all__ = ["spinnaker_reference"]


def _wrap(x):
    x = np.asarray(x, dtype=np.int64) & 0xFFFFFFFF
    return np.where(x >= 0x80000000, x - 0x100000000, x)


def _mul(a, b, nearest):
    if nearest:  # round half up (add bit 14), saturate to 32 bits
        return np.clip((np.asarray(a, dtype=np.int64) * b + (1 << 14)) >> 15, -(2**31), 2**31 - 1)
    return _wrap((np.asarray(a, dtype=np.int64) * b) >> 15)


def spinnaker_reference(WeT, WiT, delay, ext, ext_w, V0, p, n_steps):
    """Spikes, V bits at the start of each step ``(n_steps, n)`` and [saturated additions,
    saturated slots]."""
    n = V0.size
    V = np.asarray(V0, dtype=np.int64).copy()
    Ie, Ii = np.zeros(n, np.int64), np.zeros(n, np.int64)
    refr = np.zeros(n, dtype=np.int64)
    ring = np.zeros((p.n_slots, 2, n), dtype=np.int64)
    flag = np.zeros((p.n_slots, 2, n), dtype=bool)
    n_sat, n_slots = 0, 0
    S, VV = [], []
    for t in range(n_steps):
        slot = t % p.n_slots
        for i in range(n):
            for _ in range(ext[t, i]):
                ring[slot, 0, i] += ext_w
                if ring[slot, 0, i] > 0xFFFF:
                    ring[slot, 0, i] = 0xFFFF
                    n_sat += 1
                    flag[slot, 0, i] = True
        in_e = _wrap(ring[slot, 0] << p.shift_e)
        in_i = _wrap(ring[slot, 1] << p.shift_i)
        Ie = _wrap(Ie + _wrap((in_e * p.init_e) >> 32))
        Ii = _wrap(Ii + _wrap((in_i * p.init_i) >> 32))
        n_slots += int(flag[slot].sum())
        flag[slot] = False
        ring[slot] = 0
        VV.append(V.copy())
        active = refr <= 0
        refr = np.where(active, refr, refr - 1)
        inp = _wrap(_wrap(Ie - Ii) + p.i_offset)
        alpha = _wrap(_mul(inp, p.r_m, p.mul_nearest) + p.v_rest)
        Vn = _wrap(alpha - _mul(p.exp_tc, _wrap(alpha - V), p.mul_nearest))
        V = np.where(active, Vn, V)
        s = V >= p.v_thresh
        V = np.where(s, p.v_reset, V)
        refr = np.where(s, p.t_refract, refr)
        Ie = _wrap((Ie * p.decay_e) >> 32)
        Ii = _wrap((Ii * p.decay_i) >> 32)
        S.append(s)
        tgt = (t + delay) % p.n_slots
        for j in np.flatnonzero(s):
            for ty, W in ((0, WeT), (1, WiT)):
                add = ring[tgt, ty] + W[j]
                over = (add > 0xFFFF) & (W[j] > 0)
                n_sat += int(over.sum())
                flag[tgt, ty] |= over
                ring[tgt, ty] = np.minimum(add, 0xFFFF)
    n_slots += int(flag.sum())
    return np.array(S), np.array(VV), (n_sat, n_slots)
