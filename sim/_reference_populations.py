r"""Slow NumPy twin of :mod:`rnmf.sim._kernels.rate_populations` (test oracle only).

Steps :math:`X \leftarrow a\odot X + b\odot(J_n\phi(X) + I_n + D_n(t)) + c\odot\Xi` one network,
one step and one population at a time with plain NumPy, from the same inputs as the kernels.
"""

from __future__ import annotations

import numpy as np

__all__ = ["phi_reference", "step_reference", "trajectory_reference", "tangent_reference"]


def phi_reference(x: np.ndarray, code: int, theta: float, deriv: bool = False) -> np.ndarray:
    """phi (or phi') of a transfer code, elementwise."""
    from scipy.special import erf

    a = np.sqrt(np.pi) / 2.0
    if code == 0:
        return 1.0 / np.cosh(x) ** 2 if deriv else np.tanh(x)
    if code == 1:
        return np.exp(-((a * x) ** 2)) if deriv else erf(a * x)
    if code == 2:
        return (x > theta).astype(x.dtype) if deriv else np.maximum(x - theta, 0.0)
    return np.ones_like(x) if deriv else x.copy()


def _rates(x: np.ndarray, pp, deriv: bool = False) -> np.ndarray:
    out = np.empty_like(x)
    for a in range(len(pp.codes)):
        lo, hi = pp.bounds[a], pp.bounds[a + 1]
        out[..., lo:hi, :] = phi_reference(
            x[..., lo:hi, :], int(pp.codes[a]), float(pp.thetas[a]), deriv
        )
    return out


def step_reference(x, J, I, drive_k, noise_k, pp) -> np.ndarray:
    """One step of every trial: x (m, N, B), J (m, N, N) dense, I (m, N), drive_k (m, N) or
    None, noise_k (m, N, B) or None."""
    R = _rates(x, pp)
    out = np.empty_like(x)
    for n in range(x.shape[0]):
        inp = I[n] + (drive_k[n] if drive_k is not None else 0.0)
        h = J[n] @ R[n] + inp[:, None]
        v = pp.decay[:, None] * x[n] + pp.gain[:, None] * h
        if noise_k is not None:
            v = v + pp.noise[:, None] * noise_k[n]
        out[n] = v
    return out


def trajectory_reference(x, J, I, drive, noise, n_steps, pp) -> np.ndarray:
    """States after each of ``n_steps`` steps, shape (n_steps, m, N, B)."""
    out = np.empty((n_steps, *x.shape), dtype=x.dtype)
    for k in range(n_steps):
        x = step_reference(
            x, J, I, drive[k] if drive.shape[0] else None, noise[k] if noise.shape[0] else None, pp
        )
        out[k] = x
    return out


def tangent_reference(x, Q, J, I, n_steps, pp) -> tuple[np.ndarray, np.ndarray]:
    """State (N,) and tangent vectors (N, k) after n_steps (no drive, no noise)."""
    for _ in range(n_steps):
        X = x[None, :, None]
        r = _rates(X, pp)[0, :, 0]
        d = _rates(X, pp, deriv=True)[0, :, 0]
        Qn = pp.decay[:, None] * Q + pp.gain[:, None] * (J @ (d[:, None] * Q))
        x = pp.decay * x + pp.gain * (J @ r + I)
        Q = Qn
    return x, Q
