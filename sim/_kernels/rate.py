r"""numba kernels of the dense random rate network (the compiled inner loops).

All three time steppers of :func:`rnmf.sim.simulate` are one affine update

.. math:: x \leftarrow a\,x + b\,\big(J\phi(x) + I\big) + c\,\xi,\qquad \xi \sim N(0, 1)

with the scheme in the coefficients (see :func:`rnmf.sim.rate.step_coefficients`):

* Euler(-Maruyama): :math:`a = 1 - \Delta t,\ b = \Delta t,\ c = \sigma\sqrt{\Delta t}`;
* exponential Euler: :math:`a = e^{-\Delta t},\ b = 1 - e^{-\Delta t},\
  c = \sigma\sqrt{(1 - e^{-2\Delta t})/2}` (exact Ornstein-Uhlenbeck noise);
* discrete-time map (Molgedey, Schuchhardt & Schuster 1992, eq. 1): :math:`a = 0,\ b = 1,\ c = \sigma`.

so one compiled loop serves every scheme, each specialised by numba on the
state dtype.  The kernels are dtype-generic: the scalar coefficients arrive in a
:class:`StepParams` whose floats already have the state's dtype, so a float32 run
does all its arithmetic in float32 (population statistics, which are outputs
only, are accumulated in float64).  The dense product :math:`J\phi(x)` is
``np.dot`` (BLAS gemv), the same call a NumPy loop makes, so a step costs one
read of ``J``; the k tangent vectors of the Lyapunov kernel add k gemv calls
(one gemm when k + 1 > ``GEMV_MAX``).

Kernels trust their inputs; :mod:`rnmf.sim.rate` validates them.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

__all__ = ["RecordPlan", "StepParams", "advance", "advance_tangent", "record"]


class StepParams(NamedTuple):
    """Scalar parameters of one stepping scheme (floats in the state dtype).

    Attributes
    ----------
    code : int
        Transfer-function code (0 tanh, 1 erf, 2 relu, 3 linear).
    theta : float
        relu threshold.
    a_erf : float
        :math:`\\sqrt{\\pi}/2` (``erf`` kind: :math:`\\phi(x) = \\mathrm{erf}(\\sqrt{\\pi} x/2)`).
    zero, one : float
        0 and 1 in the state dtype.
    decay, gain, noise : float
        Coefficients a, b, c of the affine update (module docstring).
    limit : float
        Divergence limit: :func:`advance` stops at the first step after which some
        :math:`|x_i|` exceeds it or is not finite.
    """

    code: int
    theta: float
    a_erf: float
    zero: float
    one: float
    decay: float
    gain: float
    noise: float
    limit: float = np.inf


class RecordPlan(NamedTuple):
    """Where a chunk of steps sits in the run, for recording.

    The state after ``s`` steps (``s`` counted from the start of the run) is
    recorded, as row ``(s - n_burn) // every``, when ``s >= n_burn`` and
    ``(s - n_burn) % every == 0``.

    Attributes
    ----------
    first_step : int
        Steps done before this chunk.
    n_burn : int
        Burn-in steps (not recorded).
    every : int
        Record every this many steps.
    """

    first_step: int
    n_burn: int
    every: int


@njit(cache=True)
def phi_scalar(v, p):
    """phi(v) for the transfer code ``p.code`` (same dtype as ``v``)."""
    if p.code == 0:
        return math.tanh(v)
    if p.code == 1:
        return math.erf(p.a_erf * v)
    if p.code == 2:
        u = v - p.theta
        if u > p.zero:
            return u
        return p.zero
    return v


@njit(cache=True)
def dphi_scalar(v, p):
    """phi'(v) for the transfer code ``p.code`` (relu: Heaviside, phi'(theta) = 0)."""
    if p.code == 0:
        c = math.cosh(v)
        return p.one / (c * c)
    if p.code == 1:
        u = p.a_erf * v
        return math.exp(-(u * u))
    if p.code == 2:
        if v > p.theta:
            return p.one
        return p.zero
    return p.one


@njit(cache=True)
def record(x, p, units, rec_x, stats, row, r):
    """Write the recorded units of ``x`` and the population moments into row ``row``.

    ``stats[row] = (mean x, mean x^2, mean phi, mean phi^2)`` over all N units,
    accumulated in float64; ``r`` receives phi(x) (reused by the next step).
    """
    n = x.shape[0]
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    s4 = 0.0
    for i in range(n):
        xi = x[i]
        ri = phi_scalar(xi, p)
        r[i] = ri
        s1 += xi
        s2 += xi * xi
        s3 += ri
        s4 += ri * ri
    stats[row, 0] = s1 / n
    stats[row, 1] = s2 / n
    stats[row, 2] = s3 / n
    stats[row, 3] = s4 / n
    for u in range(units.shape[0]):
        rec_x[row, u] = x[units[u]]


@njit(cache=True)
def advance(x, J, I, noise, n_steps, p, plan, units, rec_x, stats, r, h):
    """Advance the state ``x`` (in place) by ``n_steps`` steps and record on the way.

    Stops early when the state diverges: after a step some :math:`|x_i|` exceeds
    ``p.limit`` or is not finite (the test is merged into the update loop, O(N) per
    step against O(N^2) for the product); that state is not recorded.

    Parameters
    ----------
    x : (N,) array
        State, overwritten.
    J : (N, N) C-contiguous array
        Couplings (same dtype as ``x``).
    I : (N,) array
        External inputs.
    noise : (n_steps, N) or (0, N) array
        Standard normal increments of this chunk (empty without noise).
    n_steps : int
        Steps to take.
    p : StepParams
        Scheme coefficients and transfer code.
    plan : RecordPlan
        Position of this chunk in the run.
    units : (n_units,) int64 array
        Indices of the recorded units.
    rec_x : (n_records, n_units) array
        Recorded states (written at the recording steps).
    stats : (n_records, 4) float64 array
        Population moments (written at the recording steps).
    r, h : (N,) arrays
        Scratch space for phi(x) and J phi(x) (on entry ``r`` need not hold anything).

    Returns
    -------
    int
        Steps taken: ``n_steps``, or ``k + 1`` when the state diverged at the
        (k + 1)-th step of this chunk.
    bool
        Whether the state diverged.
    """
    n = x.shape[0]
    noisy = noise.shape[0] > 0
    fresh = False  # True when r already holds phi(x) (computed by record)
    lim = p.limit
    for k in range(n_steps):
        if not fresh:
            for i in range(n):
                r[i] = phi_scalar(x[i], p)
        fresh = False
        np.dot(J, r, h)
        ok = True
        if noisy:
            for i in range(n):
                v = p.decay * x[i] + p.gain * (h[i] + I[i]) + p.noise * noise[k, i]
                x[i] = v
                ok = ok & (abs(v) <= lim)
        else:
            for i in range(n):
                v = p.decay * x[i] + p.gain * (h[i] + I[i])
                x[i] = v
                ok = ok & (abs(v) <= lim)
        if not ok:
            return k + 1, True
        s = plan.first_step + k + 1
        if s >= plan.n_burn and (s - plan.n_burn) % plan.every == 0:
            record(x, p, units, rec_x, stats, (s - plan.n_burn) // plan.every, r)
            fresh = True
    return n_steps, False


# Up to this many right-hand sides the tangent products are separate gemv calls
# (OpenBLAS gemm is slower than repeated gemv for a few columns); above it, one gemm.
GEMV_MAX = 8


@njit(cache=True)
def advance_tangent(x, Qt, J, I, noise, n_intervals, n_ons, p, logs, Mt, Ht):
    r"""Advance the state and k tangent vectors; re-orthonormalise by QR every ``n_ons`` steps.

    The tangent map of the affine update is
    :math:`q \leftarrow a\,q + b\,J\,\mathrm{diag}(\phi'(x))\,q` (Jacobian at the
    pre-step state; the discretised Jacobian of Engelken, Wolf & Abbott 2020,
    arXiv:2006.02427); additive noise does not enter it.  The state and the tangent
    vectors use the products ``J @ phi(x)`` and ``J @ (phi'(x) * q_j)``: k + 1 gemv
    calls for k + 1 <= GEMV_MAX, otherwise one gemm.  After each interval
    ``Q, R = qr(Q)`` and ``logs[m, j] = log|R_jj|`` (Benettin et al. 1980, Meccanica
    15:9).

    Parameters
    ----------
    x : (N,) array
        State, overwritten.
    Qt : (k, N) C-contiguous array
        Orthonormal tangent vectors as rows, overwritten.
    J, I : arrays
        Couplings and inputs.
    noise : (n_intervals * n_ons, N) or (0, N) array
        Standard normal increments (empty without noise).
    n_intervals, n_ons : int
        Number of intervals and steps per interval.
    p : StepParams
        Scheme coefficients and transfer code.
    logs : (n_intervals, k) float64 array
        Output: log growth factors per interval.
    Mt, Ht : (k + 1, N) arrays
        Scratch space.
    """
    n = x.shape[0]
    kk = Qt.shape[0]
    noisy = noise.shape[0] > 0
    use_gemm = kk + 1 > GEMV_MAX
    step = 0
    for m in range(n_intervals):
        for _ in range(n_ons):
            for i in range(n):
                xi = x[i]
                Mt[0, i] = phi_scalar(xi, p)
                d = dphi_scalar(xi, p)
                for j in range(kk):
                    Mt[j + 1, i] = d * Qt[j, i]
            if use_gemm:
                np.dot(Mt, J.T, Ht)
            else:
                for j in range(kk + 1):
                    np.dot(J, Mt[j], Ht[j])
            if noisy:
                for i in range(n):
                    x[i] = p.decay * x[i] + p.gain * (Ht[0, i] + I[i]) + p.noise * noise[step, i]
            else:
                for i in range(n):
                    x[i] = p.decay * x[i] + p.gain * (Ht[0, i] + I[i])
            for j in range(kk):
                for i in range(n):
                    Qt[j, i] = p.decay * Qt[j, i] + p.gain * Ht[j + 1, i]
            step += 1
        q, R = np.linalg.qr(Qt.T)
        for j in range(kk):
            logs[m, j] = math.log(abs(R[j, j]))
        Qt[:, :] = q.T
