r"""numba kernel of the rate network in an emulated number format (:mod:`rnmf.sim.rate`).

The affine update :math:`x \leftarrow a x + b(J\phi(x) + I) + c\xi` of
:mod:`rnmf.sim._kernels.rate`, with a rounding after every operation that a
mixed-precision machine rounds (storage format S of the state and activations,
accumulator format A of the arithmetic; Higham & Pranesh 2019, SIAM J. Sci.
Comput. 41:C585, Sec. 2):

.. math::

    r_j &= R_S(\phi(x_j)),\qquad h_i = R_A(\dots R_A(R_A(w_{i1} r_1) + R_A(w_{i2} r_2)) \dots)
    \quad(\text{sequential in } j)\\
    x_i &\leftarrow R_S\Big(R_A\big(R_A(R_A(a x_i) + R_A(b\,R_A(h_i + I_i))) + R_A(c\,\xi_i)\big)\Big)

The weights w were rounded once to their storage format by the caller.  Stochastic
roundings draw the uniform of counter ``(seed, step, site, index)``
(:func:`rnmf.sim._kernels.formats.uniform01`; sites listed in ``SITES``), so the
result does not depend on the chunking of the run.  When the accumulator is the
arrays' own IEEE type with round-to-nearest (float32 or float64), the products and
sums run natively (``native_acc``; each IEEE operation is already correctly rounded)
and the loop over j is vectorised across i; ``JT`` holds the transposed couplings so
that the inner loop is contiguous.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .formats import STOCHASTIC, round_scalar, uniform01
from .rate import phi_scalar, record

__all__ = ["SITES", "advance_format"]

SITES = {
    "activation": 1,
    "product": 2,
    "sum": 3,
    "input": 4,
    "leak": 5,
    "gain": 6,
    "update": 7,
    "noise": 8,
    "noise_add": 9,
    "state": 10,
}


@njit(cache=True)
def _r(x, f, seed, step, site, index, counts):
    u = uniform01(seed, step, site, index) if f.rounding == STOCHASTIC else 0.0
    v, o = round_scalar(x, f, u)
    counts[0] += o
    return v


@njit(cache=True)
def advance_format(
    x,
    JT,
    I,
    noise,
    n_steps,
    p,
    plan,
    units,
    rec_x,
    stats,
    r,
    h,
    fs,
    fa,
    seed,
    native_acc,
    counts,
    coef,
):
    """Advance ``x`` by ``n_steps`` emulated steps (see the module docstring).

    Arguments as :func:`rnmf.sim._kernels.rate.advance`, plus ``JT`` (transposed
    couplings, C-contiguous), ``fs``/``fa`` (FormatParams of state and accumulator),
    ``seed`` (stochastic-rounding key), ``native_acc`` (accumulate in the arrays'
    own arithmetic; then ``coef`` holds (a, b, c) in the arrays' dtype and the update is
    native too) and ``counts`` (int64 array; [0] += overflows).
    Returns ``(steps taken, diverged)``.
    """
    n = x.shape[0]
    noisy = noise.shape[0] > 0
    lim = p.limit
    zero = x.dtype.type(0.0)
    for k in range(n_steps):
        step = plan.first_step + k
        for j in range(n):
            r[j] = _r(phi_scalar(float(x[j]), p), fs, seed, step, 1, j, counts)
        if native_acc:
            for i in range(n):
                h[i] = zero
            for j in range(n):
                rj = r[j]
                if rj != zero:
                    for i in range(n):
                        h[i] += JT[j, i] * rj
        else:
            for i in range(n):
                h[i] = zero
            for j in range(n):
                rj = float(r[j])
                for i in range(n):
                    q = _r(float(JT[j, i]) * rj, fa, seed, step, 2, j * n + i, counts)
                    h[i] = _r(float(h[i]) + q, fa, seed, step, 3, j * n + i, counts)
        ok = True
        if native_acc:
            # accumulator = the arrays' IEEE type: each operation below is one correctly
            # rounded float32 / float64 operation, identical to the emulated rounding
            for i in range(n):
                g = h[i] + I[i]
                v = coef[0] * x[i] + coef[1] * g
                if noisy:
                    v = v + coef[2] * noise[k, i]
                if not (abs(v) < np.inf):
                    counts[0] += 1
                v = _r(float(v), fs, seed, step, 10, i, counts)
                x[i] = v
                ok = ok & (abs(v) <= lim)
        for i in range(n if not native_acc else 0):
            g = _r(float(h[i]) + float(I[i]), fa, seed, step, 4, i, counts)
            t1 = _r(p.decay * float(x[i]), fa, seed, step, 5, i, counts)
            t2 = _r(p.gain * g, fa, seed, step, 6, i, counts)
            v = _r(t1 + t2, fa, seed, step, 7, i, counts)
            if noisy:
                t3 = _r(p.noise * float(noise[k, i]), fa, seed, step, 8, i, counts)
                v = _r(v + t3, fa, seed, step, 9, i, counts)
            v = _r(v, fs, seed, step, 10, i, counts)
            x[i] = v
            ok = ok & (abs(v) <= lim)
        if not ok:
            return k + 1, True
        s = step + 1
        if s >= plan.n_burn and (s - plan.n_burn) % plan.every == 0:
            record(x, p, units, rec_x, stats, (s - plan.n_burn) // plan.every, r)
    return n_steps, False
