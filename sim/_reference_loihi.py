r"""Plain NumPy stepping of the Loihi 1 CUBA LIF: a test oracle only (slow, no validation).

Written from the rules listed in :mod:`rnmf.sim.loihi` (Davies et al. 2018; lava-nc
0.10 bit-accurate process models), vectorised over neurons, with Python integers'
floor division for the truncations toward zero.
"""

from __future__ import annotations

import numpy as np

__all__ = ["loihi_reference"]


def loihi_reference(Wi, n_steps, *, du, dv, vth, bias, weight_exp, u0, v0):
    """u, v, spikes ``(n_steps, n)`` of the Loihi LIF from effective weights ``Wi``."""
    M = 2**23
    n = Wi.shape[0]
    u = np.array(u0, dtype=object).reshape(n) if np.ndim(u0) else np.full(n, int(u0), dtype=object)
    v = np.array(v0, dtype=object).reshape(n) if np.ndim(v0) else np.full(n, int(v0), dtype=object)
    a = np.zeros(n, dtype=object)
    W = np.asarray(Wi).astype(object)
    b = np.asarray(bias).astype(object)

    def trunc(x, k):  # trunc0(x k / 4096), exact
        y = x * k
        return np.array([yy // 4096 if yy >= 0 else -((-yy) // 4096) for yy in y], dtype=object)

    def wrap32(x):
        return np.array([((int(z) + 2**31) % 2**32) - 2**31 for z in x], dtype=object)

    U, V, S = [], [], []
    for _ in range(n_steps):
        x = wrap32(trunc(u, 4096 - du - 1) + a * 64)
        x = np.where(x > M, x - 2 * M, np.where(x <= -M, x + 2 * M, x))
        u = x
        y = wrap32(trunc(v, 4096 - dv) + u + b)
        y = np.minimum(np.maximum(y, -M + 1), M - 1)
        s = y > vth * 64
        v = np.where(s, 0, y)
        acc = W[:, s].sum(axis=1) if s.any() else np.zeros(n, dtype=object)
        a = np.array(
            [z * 2**weight_exp if weight_exp >= 0 else z // 2 ** (-weight_exp) for z in acc],
            dtype=object,
        )
        U.append(u.astype(np.int64))
        V.append(v.astype(np.int64))
        S.append(s.astype(bool))
    return np.array(U), np.array(V), np.array(S)
