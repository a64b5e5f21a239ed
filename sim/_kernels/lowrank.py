r"""numba kernels of the low-rank plus random rate network (:mod:`rnmf.sim.lowrank`).

One step of the affine scheme (coefficients a, b, c of :func:`rnmf.sim.lowrank.step_coefficients`)

.. math:: \kappa_r = \frac1N\sum_j n_{jr}\phi(x_j),\qquad
          x_i \leftarrow a x_i + b\Big(\sum_j G_{ij}\phi(x_j) + \sum_r m_{ir}\kappa_r
          + \sum_k I_{ik}u_k(t)\Big) + c\,\xi_i

costs O(N R + N K) for the structured part (the rank-R matrix is never formed) plus one
BLAS gemv with the dense bulk :math:`G = g\chi` when g > 0 (Mastrogiuseppe & Ostojic 2018,
Neuron 99:609, model definition).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

__all__ = ["LRParams", "advance", "phi_lr", "step_given_phi", "within"]


class LRParams(NamedTuple):
    """Scalars of one run.

    Attributes
    ----------
    code : int
        Transfer code (0 tanh, 1 erf, 2 relu, 3 linear).
    theta, a_erf : float
        relu threshold and erf scale sqrt(pi)/2.
    decay, gain, noise : float
        Coefficients a, b, c of the update.
    dense : bool
        Whether the random bulk G is present.
    first_step, n_burn, every : int
        Steps done before this chunk, burn-in steps, steps between records.
    limit : float
        Divergence limit: :func:`advance` stops after the first step that leaves some
        :math:`|x_i|` above it or not finite.
    """

    code: int
    theta: float
    a_erf: float
    decay: float
    gain: float
    noise: float
    dense: bool
    first_step: int
    n_burn: int
    every: int
    limit: float = math.inf


@njit(cache=True)
def phi_lr(v, code, theta, a_erf):
    """phi(v) for a transfer code."""
    if code == 0:
        return math.tanh(v)
    if code == 1:
        return math.erf(a_erf * v)
    if code == 2:
        u = v - theta
        return u if u > 0.0 else 0.0
    return v


@njit(cache=True)
def _phi_and_kappa(x, nT, r, kap, p):
    N = x.shape[0]
    for i in range(N):
        r[i] = phi_lr(x[i], p.code, p.theta, p.a_erf)
    _kappa(nT, r, kap)


@njit(cache=True, fastmath={"reassoc"})
def _kappa(nT, r, kap):
    """kappa_r = n_r . r / N; reassociation lets LLVM vectorise the sum (deterministic for a
    given build, unlike a multithreaded BLAS dot)."""
    N = r.shape[0]
    for q in range(nT.shape[0]):
        row = nT[q]
        acc = 0.0
        for i in range(N):
            acc += row[i] * r[i]
        kap[q] = acc / N


@njit(cache=True)
def _update(x, mT, IT, u_row, kap, noise_row, h, p):
    """x <- a x + b (h + m kappa + I u) + c xi, with h holding the bulk input on entry."""
    N = x.shape[0]
    for q in range(mT.shape[0]):
        row = mT[q]
        kq = kap[q]
        for i in range(N):
            h[i] += row[i] * kq
    for q in range(IT.shape[0]):
        row = IT[q]
        uq = u_row[q]
        for i in range(N):
            h[i] += row[i] * uq
    a = p.decay
    b = p.gain
    if noise_row.shape[0] > 0:
        c = p.noise
        for i in range(N):
            x[i] = a * x[i] + b * h[i] + c * noise_row[i]
    else:
        for i in range(N):
            x[i] = a * x[i] + b * h[i]


@njit(cache=True)
def _record(x, r, kap, units, rec_x, rec_k, stats, row):
    N = x.shape[0]
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    s4 = 0.0
    for i in range(N):
        xi = x[i]
        ri = r[i]
        s1 += xi
        s2 += xi * xi
        s3 += ri
        s4 += ri * ri
    stats[row, 0] = s1 / N
    stats[row, 1] = s2 / N
    stats[row, 2] = s3 / N
    stats[row, 3] = s4 / N
    for q in range(kap.shape[0]):
        rec_k[row, q] = kap[q]
    for u in range(units.shape[0]):
        rec_x[row, u] = x[units[u]]


@njit(cache=True)
def within(x, limit):
    """True when every :math:`|x_i| \\le` ``limit`` (False for NaN or inf)."""
    ok = True
    for i in range(x.shape[0]):
        ok = ok & (abs(x[i]) <= limit)
    return ok


@njit(cache=True)
def advance(x, mT, nT, IT, U, G, noise, n_steps, p, units, rec_x, rec_k, stats, r, h, kap):
    """Advance ``x`` in place by ``n_steps`` steps, recording on the way.

    Stops after the first step whose state leaves ``p.limit`` (or is not finite);
    that state is not recorded.

    Parameters
    ----------
    x : (N,) float64
        State (overwritten).
    mT, nT : (R, N) float64, C-contiguous
        Connectivity vectors, one per row.
    IT : (K, N) float64
        Input vectors, one per row.
    U : (n_steps, K) float64
        Input amplitudes during each step of this chunk.
    G : (N, N) float64
        Dense bulk g * chi (ignored unless ``p.dense``).
    noise : (n_steps, N) or (0, N) float64
        Standard normals of this chunk (empty without noise).
    p : LRParams
    units : (n_units,) int64
        Recorded units.
    rec_x, rec_k, stats : float64 arrays
        Recorded states, kappa and population moments (mean x, x^2, phi, phi^2).
    r, h : (N,) float64
        Scratch: phi(x) and the total input.
    kap : (R,) float64
        Scratch: kappa of the current state.

    Returns
    -------
    int
        Steps taken (``n_steps`` unless the state diverged).
    bool
        Whether the state diverged.
    """
    N = x.shape[0]
    noisy = noise.shape[0] > 0
    empty = np.zeros(0)
    _phi_and_kappa(x, nT, r, kap, p)
    for k in range(n_steps):
        if p.dense:
            np.dot(G, r, h)
        else:
            for i in range(N):
                h[i] = 0.0
        if noisy:
            _update(x, mT, IT, U[k], kap, noise[k], h, p)
        else:
            _update(x, mT, IT, U[k], kap, empty, h, p)
        if not within(x, p.limit):
            return k + 1, True
        _phi_and_kappa(x, nT, r, kap, p)
        step = p.first_step + k + 1
        if step >= p.n_burn and (step - p.n_burn) % p.every == 0:
            _record(x, r, kap, units, rec_x, rec_k, stats, (step - p.n_burn) // p.every)
    return n_steps, False


@njit(cache=True)
def step_given_phi(x, mT, nT, IT, u_row, noise_row, r, h, kap, p):
    """One step of a purely low-rank network when ``r = phi(x)`` was computed outside.

    Used for large purely low-rank networks, where a SIMD ``numpy.tanh`` is several times
    faster than the scalar libm call; ``kap`` receives kappa of the state before the step.
    """
    _kappa(nT, r, kap)
    for i in range(x.shape[0]):
        h[i] = 0.0
    _update(x, mT, IT, u_row, kap, noise_row, h, p)
