r"""numba kernel of the Loihi 1 bit-accurate CUBA LIF + dense synapses (:mod:`rnmf.sim.loihi`).

One time step, in integers (Davies et al. 2018, IEEE Micro 38:82, Sec. "Neuron model";
the order and bit widths of lava-nc 0.10's bit-accurate LIF and Dense process models):

.. math::

    u &\leftarrow \mathrm{wrap}_{24}\big(\mathrm{trunc}_0(u\,(4096 - d_u - 1)/4096) + (a \ll 6)\big)\\
    v &\leftarrow \mathrm{clip}\big(\mathrm{trunc}_0(v\,(4096 - d_v)/4096) + u + b,\ \pm(2^{23} - 1)\big)\\
    s &= [v > \vartheta \ll 6],\qquad v \leftarrow 0 \text{ where } s\\
    a &\leftarrow \mathrm{shift}_{e_w}(W s)\quad\text{(delivered at the next step)}

with :math:`\mathrm{wrap}_{24}(x) = x - 2^{24}` for :math:`x > 2^{23}` and
:math:`x + 2^{24}` for :math:`x \le -2^{23}` (one correction, as in lava), the sums
before the 24-bit correction and the clip wrapped to int32 (lava holds them in int32
arrays; with a single correction a large input can leave u beyond 24 bits), the bias
:math:`b = m_b \ll e_b`, and ``shift`` an arithmetic (floor) shift by the weight exponent.
Trusts its inputs (int64 arrays).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

__all__ = ["LoihiParams", "run_loihi"]

_M = 1 << 23


class LoihiParams(NamedTuple):
    """Integer parameters of the Loihi LIF (one population).

    Attributes
    ----------
    decay_u : int
        ``4096 - du - 1`` (lava adds the 1-bit ds_offset = 1 to du).
    decay_v : int
        ``4096 - dv`` (dm_offset = 0).
    vth : int
        Threshold already shifted left by 6.
    weight_exp : int
        Shift of the summed weights (left if > 0, arithmetic right if < 0).
    """

    decay_u: int
    decay_v: int
    vth: int
    weight_exp: int


@njit(cache=True)
def _wrap32(x):
    """Two's complement 32-bit wrap (lava computes these sums in int32)."""
    return ((x + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


@njit(cache=True)
def _trunc_decay(x, decay):
    y = x * decay
    if y >= 0:
        return y >> 12
    return -((-y) >> 12)


@njit(cache=True)
def run_loihi(WT, bias, u, v, a, p, n_steps, rec_u, rec_v, rec_s, counts):
    """Advance ``n_steps`` steps in place; record u, v (after reset) and spikes per step.

    Parameters
    ----------
    WT : (n, n) int64 array
        Transposed effective weights: ``WT[j, i]`` from j onto i.
    bias : (n,) int64 array
        Effective bias ``bias_mant << bias_exp``.
    u, v, a : (n,) int64 arrays
        Current, voltage and the pending activation (next step's input), overwritten.
    p : LoihiParams
    rec_u, rec_v : (n_steps, n) int64 arrays
    rec_s : (n_steps, n) bool array
    counts : (2,) int64 array
        Incremented: [0] current wraps, [1] voltage saturations.
    """
    n = u.shape[0]
    acc = np.zeros(n, dtype=np.int64)
    for t in range(n_steps):
        for i in range(n):
            x = _wrap32(_trunc_decay(u[i], p.decay_u) + (a[i] << 6))
            if x > _M:
                x -= 2 * _M
                counts[0] += 1
            elif x <= -_M:
                x += 2 * _M
                counts[0] += 1
            u[i] = x
            y = _wrap32(_trunc_decay(v[i], p.decay_v) + x + bias[i])
            if y > _M - 1:
                y = _M - 1
                counts[1] += 1
            elif y < -_M + 1:
                y = -_M + 1
                counts[1] += 1
            s = y > p.vth
            if s:
                y = 0
            v[i] = y
            rec_s[t, i] = s
            rec_u[t, i] = x
            rec_v[t, i] = y
        acc[:] = 0
        for j in range(n):
            if rec_s[t, j]:
                for i in range(n):
                    acc[i] += WT[j, i]
        e = p.weight_exp
        for i in range(n):
            if e >= 0:
                a[i] = acc[i] << e
            else:
                a[i] = acc[i] >> (-e)
