"""Plain NumPy stepping of the SpiNNaker-like LIF network: a test oracle only (slow).

Written from the rules listed in :mod:`rnmf.sim.spinnaker`, vectorised over neurons;
products rounded to s16.15 with :func:`rnmf.sim._reference_formats.round_reference`.
"""

from __future__ import annotations

import numpy as np

from ._reference_formats import round_reference

__all__ = ["spinnaker_reference"]


def spinnaker_reference(WeT, WiT, delay, ext, ext_w, V0, p, f, n_steps):
    """Spikes, V ``(n_steps, n)`` and [saturated additions, saturated slots]."""
    q = lambda x: round_reference(np.asarray(x, dtype=float), f)[0]  # noqa: E731
    n = V0.size
    V, Ie, Ii = V0.astype(float).copy(), np.zeros(n), np.zeros(n)
    refr = np.zeros(n, dtype=int)
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
        in_e = ring[slot, 0] * 2.0 ** (p.shift_e - 15)
        in_i = ring[slot, 1] * 2.0 ** (p.shift_i - 15)
        n_slots += int(flag[slot].sum())
        flag[slot] = False
        ring[slot] = 0
        active = refr == 0
        refr[~active] -= 1
        inp = q(Ie - Ii + p.i_offset)
        alpha = q(q(inp * p.r_m) + p.v_rest)
        Vn = q(alpha - q(p.exp_tc * q(alpha - V)))
        V = np.where(active, Vn, V)
        s = active & (V >= p.v_thresh)
        V = np.where(s, p.v_reset, V)
        refr = np.where(s, p.t_refract, refr)
        Ie = q(q(Ie * p.decay_e) + q(in_e * p.init_e))
        Ii = q(q(Ii * p.decay_i) + q(in_i * p.init_i))
        S.append(s)
        VV.append(V.copy())
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
