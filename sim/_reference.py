r"""Plain NumPy stepping of the rate network: a test oracle only (slow, no validation).

Written independently of the kernels, straight from the equations:

* Euler-Maruyama (Kloeden & Platen 1992, Sec. 9.1) for
  :math:`dx = [-x + J\phi(x) + I]\,ds + \sigma\,dW` (SCS 1988 eq. 1; Schuecker et al. 2018 eq. 1):
  ``x + dt * (-x + J @ phi(x) + I) + sigma * sqrt(dt) * xi``;
* exponential Euler with the exact Ornstein-Uhlenbeck increment (Gillespie 1996, PRE 54:2084):
  ``exp(-dt) x + (1 - exp(-dt)) (J @ phi(x) + I) + sigma sqrt((1 - exp(-2 dt)) / 2) xi``;
* discrete map (Molgedey et al. 1992, eq. 1): ``J @ phi(x) + I + sigma xi``.

The tangent dynamics are the Jacobians of these maps,
``(1 - dt) 1 + dt J diag(phi'(x))``, ``exp(-dt) 1 + (1 - exp(-dt)) J diag(phi'(x))``
and ``J diag(phi'(x))``, with QR re-orthonormalisation (Benettin et al. 1980).
"""

from __future__ import annotations

import numpy as np

from rnmf.models import RateNetwork

__all__ = ["lyapunov_reference", "step_reference", "trajectory_reference"]


def step_reference(
    net: RateNetwork,
    x: np.ndarray,
    J: np.ndarray,
    I: np.ndarray,
    xi: np.ndarray | None,
    dt: float,
    method: str,
) -> np.ndarray:
    """One step of the scheme (returns a new array); ``xi`` standard normals or None."""
    sigma = net.sigma_noise
    h = J @ net.phi(x) + I
    if net.discrete:
        out = h
        if xi is not None:
            out = out + sigma * xi
        return out
    if method == "euler":
        out = x + dt * (-x + h)
        if xi is not None:
            out = out + sigma * np.sqrt(dt) * xi
        return out
    if method == "exp_euler":
        e = np.exp(-dt)
        out = e * x + (1.0 - e) * h
        if xi is not None:
            out = out + sigma * np.sqrt((1.0 - np.exp(-2.0 * dt)) / 2.0) * xi
        return out
    raise ValueError(f"unknown method {method!r}")


def trajectory_reference(
    net: RateNetwork,
    n_steps: int,
    *,
    dt: float,
    method: str,
    x0: np.ndarray,
    J: np.ndarray,
    I: np.ndarray,
    noise: np.ndarray | None,
) -> np.ndarray:
    """All states ``(n_steps + 1, N)`` from ``x0``; ``noise`` is ``(n_steps, N)`` or None."""
    xs = np.empty((n_steps + 1, x0.size))
    xs[0] = x0
    x = np.array(x0, dtype=float)
    for k in range(n_steps):
        x = step_reference(net, x, J, I, None if noise is None else noise[k], dt, method)
        xs[k + 1] = x
    return xs


def lyapunov_reference(
    net: RateNetwork,
    n_intervals: int,
    n_ons: int,
    *,
    dt: float,
    method: str,
    x0: np.ndarray,
    Q0: np.ndarray,
    J: np.ndarray,
    I: np.ndarray,
    noise: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """``log|R_jj|`` per interval ``(n_intervals, k)`` and the final state, by the QR method."""
    x = np.array(x0, dtype=float)
    Q = np.array(Q0, dtype=float)
    logs = np.empty((n_intervals, Q.shape[1]))
    if net.discrete:
        a, b = 0.0, 1.0
    elif method == "euler":
        a, b = 1.0 - dt, dt
    else:
        a, b = np.exp(-dt), 1.0 - np.exp(-dt)
    step = 0
    for m in range(n_intervals):
        for _ in range(n_ons):
            D = net.phi.derivative(x)
            Q = a * Q + b * (J @ (D[:, None] * Q))
            x = step_reference(net, x, J, I, None if noise is None else noise[step], dt, method)
            step += 1
        Q, R = np.linalg.qr(Q)
        logs[m] = np.log(np.abs(np.diag(R)))
    return logs, x
