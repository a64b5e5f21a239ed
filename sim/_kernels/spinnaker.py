r"""numba kernel of the SpiNNaker-like LIF network (:mod:`rnmf.sim.spinnaker`).

Per 1 ms time step (sPyNNaker's IF_curr_exp with the standard neuron implementation:
Rhodes et al. 2018, Front. Neuroinform. 12:105; the arithmetic of
``neuron_model_lif_impl.h``, ``synapse_types_exponential_impl.h`` and ``synapses.c``):

1. the ring-buffer slot of this step is read for each synapse type and neuron, converted
   to current as ``slot << shift`` read as s16.15 (value ``slot * 2^(shift - 15)``), and
   cleared;
2. neuron: input :math:`I = I_e - I_i + I_{\rm off}`,
   :math:`\alpha = R(I R_m) + V_{\rm rest}`, :math:`V \leftarrow \alpha - R(e^{-\Delta t/\tau_m}(\alpha - V))`
   (exact integration), or a refractory step; spike when :math:`V \ge V_{\rm th}`,
   then :math:`V \leftarrow V_{\rm reset}`;
3. synapses: :math:`I_x \leftarrow R(I_x e^{-\Delta t/\tau_x}) + R(\mathrm{in}_x \cdot \mathrm{init}_x)`;
0. external spikes of this step are added to its slot (saturating);
4. each spike adds its 16-bit weight to the slot ``(t + delay) mod D`` of its targets,
   saturating at 0xFFFF and counting every saturated addition.

``R`` rounds each product to s16.15 (round to nearest, ties to even; saturating),
through :func:`rnmf.sim._kernels.formats.round_scalar`.  Trusts its inputs.
"""

from __future__ import annotations

from typing import NamedTuple

from numba import njit

from .formats import round_scalar

__all__ = ["SpiNNakerParams", "run_spinnaker"]


class SpiNNakerParams(NamedTuple):
    """Neuron constants, already in s16.15 values (floats), and integer settings."""

    v_rest: float
    v_reset: float
    v_thresh: float
    r_m: float
    exp_tc: float
    i_offset: float
    decay_e: float
    decay_i: float
    init_e: float
    init_i: float
    t_refract: int
    shift_e: int
    shift_i: int
    n_slots: int


@njit(cache=True)
def _q(x, f):
    v, o = round_scalar(x, f, 0.0)
    return v


@njit(cache=True)
def run_spinnaker(
    WeT, WiT, delay, ext_counts, ext_w, V, Ie, Ii, refr, ring, sat_flag, p, f, n_steps,
    rec_spikes, rec_V, counts,
):  # fmt: skip
    """Advance ``n_steps`` steps in place.

    WeT, WiT : (n, n) int64 transposed 16-bit weights (``WeT[j, i]`` from j to i).
    delay : int, synaptic delay in steps (>= 1, < n_slots).
    ext_counts : (n_steps, n) int64 external excitatory spikes arriving at each step
    (added to that step's slot before it is read).
    ext_w : int, their 16-bit weight.
    ring : (n_slots, 2, n) int64; sat_flag same shape, bool.
    counts : int64 [saturated additions, saturated slots, spikes].
    """
    n = V.shape[0]
    D = p.n_slots
    se = 2.0 ** (p.shift_e - 15)
    si = 2.0 ** (p.shift_i - 15)
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
            in_e = ring[slot, 0, i] * se
            in_i = ring[slot, 1, i] * si
            for ty in range(2):
                if sat_flag[slot, ty, i]:
                    counts[1] += 1
                    sat_flag[slot, ty, i] = False
                ring[slot, ty, i] = 0
            spike = False
            if refr[i] > 0:
                refr[i] -= 1
            else:
                inp = _q(Ie[i] - Ii[i] + p.i_offset, f)
                alpha = _q(_q(inp * p.r_m, f) + p.v_rest, f)
                V[i] = _q(alpha - _q(p.exp_tc * _q(alpha - V[i], f), f), f)
                if V[i] >= p.v_thresh:
                    spike = True
                    V[i] = p.v_reset
                    refr[i] = p.t_refract
            Ie[i] = _q(_q(Ie[i] * p.decay_e, f) + _q(in_e * p.init_e, f), f)
            Ii[i] = _q(_q(Ii[i] * p.decay_i, f) + _q(in_i * p.init_i, f), f)
            rec_spikes[t, i] = spike
            rec_V[t, i] = V[i]
        # deliver the spikes of this step to slot t + delay
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
