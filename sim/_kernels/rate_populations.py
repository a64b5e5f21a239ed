r"""numba kernels of the batched multi-population rate network.

State ``x`` has shape ``(m, N, B)``: m sampled networks, N units, B trials per network
(initial conditions).  One step of every trial of network n is

.. math:: X \leftarrow a \odot X + b \odot \big(J_n\,\phi(X) + I_n + D_n(t)\big) + c \odot \Xi

with per-unit coefficients a, b, c (the population time constants, see
:func:`rnmf.sim.rate_populations.step_vectors`) and per-population transfer functions.
The product :math:`J_n\phi(X)` of the dense kernel is one BLAS gemm per network and step
(``np.dot`` of an (N, N) by an (N, B) matrix): the couplings are read once for all B
trials.  The sparse kernel makes one pass over the CSR rows per step and adds each
weight times the B presynaptic rates (contiguous in the trial index).

Kernels trust their inputs; :mod:`rnmf.sim.rate_populations` validates them.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

__all__ = ["PopParams", "advance_dense", "advance_sparse", "phi_code", "dphi_code", "tangent_dense"]


class PopParams(NamedTuple):
    """Per-population and per-unit parameters (arrays in the state dtype).

    Attributes
    ----------
    bounds : (P + 1,) int64 array
        Unit index where each population starts (and N at the end).
    codes : (P,) int64 array
        Transfer codes (0 tanh, 1 erf, 2 relu, 3 linear).
    thetas : (P,) array
        relu thresholds.
    decay, gain, noise : (N,) arrays
        Coefficients a, b, c of each unit.
    limit : float
        Divergence limit on :math:`|x|`.
    first_step, n_burn, every : int
        Position of the chunk in the run and the recording plan (as RecordPlan of
        :mod:`rnmf.sim._kernels.rate`).
    """

    bounds: np.ndarray
    codes: np.ndarray
    thetas: np.ndarray
    decay: np.ndarray
    gain: np.ndarray
    noise: np.ndarray
    limit: float
    first_step: int
    n_burn: int
    every: int


_A_ERF = math.sqrt(math.pi) / 2.0


@njit(cache=True)
def phi_code(v, code, theta):
    """phi(v) for a transfer code."""
    if code == 0:
        return math.tanh(v)
    if code == 1:
        return math.erf(_A_ERF * v)
    if code == 2:
        u = v - theta
        return u if u > 0 else 0.0 * u
    return v


@njit(cache=True)
def dphi_code(v, code, theta):
    """phi'(v) for a transfer code (relu: Heaviside with phi'(theta) = 0)."""
    if code == 0:
        c = math.cosh(v)
        return 1.0 / (c * c)
    if code == 1:
        u = _A_ERF * v
        return math.exp(-(u * u))
    if code == 2:
        return 1.0 if v > theta else 0.0
    return 1.0


@njit(cache=True)
def _rates(x, R, pp):
    """R[n, i, b] = phi_{pop(i)}(x[n, i, b])."""
    m, N, B = x.shape
    for a in range(pp.codes.shape[0]):
        code = pp.codes[a]
        th = pp.thetas[a]
        for n in range(m):
            for i in range(pp.bounds[a], pp.bounds[a + 1]):
                for b in range(B):
                    R[n, i, b] = phi_code(x[n, i, b], code, th)


@njit(cache=True)
def _record(x, R, pp, units, rec_x, stats, row):
    """Recorded units and per-population moments (float64) of every trial."""
    m, N, B = x.shape
    P = pp.codes.shape[0]
    for n in range(m):
        for b in range(B):
            for a in range(P):
                s1 = 0.0
                s2 = 0.0
                s3 = 0.0
                s4 = 0.0
                lo = pp.bounds[a]
                hi = pp.bounds[a + 1]
                for i in range(lo, hi):
                    xi = float(x[n, i, b])
                    ri = float(R[n, i, b])
                    s1 += xi
                    s2 += xi * xi
                    s3 += ri
                    s4 += ri * ri
                cnt = hi - lo
                stats[row, n, b, a, 0] = s1 / cnt
                stats[row, n, b, a, 1] = s2 / cnt
                stats[row, n, b, a, 2] = s3 / cnt
                stats[row, n, b, a, 3] = s4 / cnt
            for u in range(units.shape[0]):
                rec_x[row, n, b, u] = x[n, units[u], b]


@njit(cache=True)
def _update(x, H, I, drive, noise, k, pp):
    """x <- a x + b (H + I + drive[k]) + c noise[k]; returns False on divergence."""
    m, N, B = x.shape
    driven = drive.shape[0] > 0
    noisy = noise.shape[0] > 0
    lim = pp.limit
    ok = True
    for n in range(m):
        for i in range(N):
            a = pp.decay[i]
            g = pp.gain[i]
            c = pp.noise[i]
            inp = I[n, i]
            if driven:
                inp = inp + drive[k, n, i]
            for b in range(B):
                v = a * x[n, i, b] + g * (H[n, i, b] + inp)
                if noisy:
                    v += c * noise[k, n, i, b]
                x[n, i, b] = v
                ok = ok & (abs(v) <= lim)
    return ok


@njit(cache=True)
def advance_dense(x, J, I, drive, noise, n_steps, pp, units, rec_x, stats, R, H):
    """Advance every trial of every network by ``n_steps`` (dense couplings).

    Parameters
    ----------
    x : (m, N, B) array
        States, overwritten.
    J : (m, N, N) array
        Couplings of each network (``J[n, i, j]`` from j onto i).
    I : (m, N) array
        Constant inputs.
    drive : (n_steps, m, N) or (0, m, N) array
        Drive values at the start of each step (empty without drive).
    noise : (n_steps, m, N, B) or (0, ...) array
        Standard normal increments.
    n_steps : int
    pp : PopParams
    units : (n_units,) int64 array
    rec_x : (n_rec, m, B, n_units) array
    stats : (n_rec, m, B, P, 4) float64 array
    R, H : (m, N, B) scratch arrays

    Returns
    -------
    (int, bool)
        Steps taken and whether the state diverged.
    """
    m = x.shape[0]
    fresh = False  # True when R already holds phi(x) (computed for a record)
    for k in range(n_steps):
        if not fresh:
            _rates(x, R, pp)
        fresh = False
        for n in range(m):
            np.dot(J[n], R[n], H[n])
        if not _update(x, H, I, drive, noise, k, pp):
            return k + 1, True
        s = pp.first_step + k + 1
        if s >= pp.n_burn and (s - pp.n_burn) % pp.every == 0:
            _rates(x, R, pp)
            _record(x, R, pp, units, rec_x, stats, (s - pp.n_burn) // pp.every)
            fresh = True
    return n_steps, False


@njit(cache=True)
def _csr_product(indptr, indices, data, R, H):
    """H[n] = J_n R[n] for CSR matrices stacked per network (one pass over the rows)."""
    m, N, B = R.shape
    for n in range(m):
        for i in range(N):
            for b in range(B):
                H[n, i, b] = 0.0
            for p in range(indptr[n, i], indptr[n, i + 1]):
                j = indices[n, p]
                w = data[n, p]
                for b in range(B):
                    H[n, i, b] += w * R[n, j, b]


@njit(cache=True)
def advance_sparse(
    x, indptr, indices, data, I, drive, noise, n_steps, pp, units, rec_x, stats, R, H
):
    """As :func:`advance_dense` with CSR couplings ``(indptr (m, N+1), indices, data (m, nnz))``."""
    fresh = False
    for k in range(n_steps):
        if not fresh:
            _rates(x, R, pp)
        fresh = False
        _csr_product(indptr, indices, data, R, H)
        if not _update(x, H, I, drive, noise, k, pp):
            return k + 1, True
        s = pp.first_step + k + 1
        if s >= pp.n_burn and (s - pp.n_burn) % pp.every == 0:
            _rates(x, R, pp)
            _record(x, R, pp, units, rec_x, stats, (s - pp.n_burn) // pp.every)
            fresh = True
    return n_steps, False


@njit(cache=True)
def tangent_dense(x, Q, J, I, drive, noise, n_steps, pp, R, H):
    r"""Advance one trajectory ``x`` (N,) and its k tangent vectors ``Q`` (N, k) by n_steps.

    The state and the tangent vectors go through one gemm: columns
    :math:`[\phi(x), \phi'(x)\odot Q]` (one read of J per step).  Tangent update of the
    same scheme: :math:`Q \leftarrow a\odot Q + b\odot J(\phi'(x)\odot Q)` (drive and noise
    do not enter the tangent map).  ``R`` and ``H`` are (N, k + 1) scratch arrays.
    Returns False when the state diverged.
    """
    N, k1 = R.shape
    k = k1 - 1
    noisy = noise.shape[0] > 0
    driven = drive.shape[0] > 0
    lim = pp.limit
    for s in range(n_steps):
        for a in range(pp.codes.shape[0]):
            code = pp.codes[a]
            th = pp.thetas[a]
            for i in range(pp.bounds[a], pp.bounds[a + 1]):
                R[i, 0] = phi_code(x[i], code, th)
                d = dphi_code(x[i], code, th)
                for c in range(k):
                    R[i, c + 1] = d * Q[i, c]
        np.dot(J, R, H)
        ok = True
        for i in range(N):
            inp = I[i]
            if driven:
                inp = inp + drive[s, i]
            v = pp.decay[i] * x[i] + pp.gain[i] * (H[i, 0] + inp)
            if noisy:
                v += pp.noise[i] * noise[s, i]
            x[i] = v
            ok = ok & (abs(v) <= lim)
            for c in range(k):
                Q[i, c] = pp.decay[i] * Q[i, c] + pp.gain[i] * H[i, c + 1]
        if not ok:
            return False
    return True
