r"""Simulation of low-rank plus random rate networks (:class:`LowRankNetwork`).

.. math:: dx_i = \Big[-x_i + \sum_j g\chi_{ij}\phi(x_j) + \sum_r m_{ir}\kappa_r
          + \sum_k I_{ik}u_k(s)\Big]ds + \sigma\,dW_i,\qquad
          \kappa_r = \frac1N\sum_j n_{jr}\phi(x_j)

in units of tau (Mastrogiuseppe & Ostojic 2018, Neuron 99:609, model definition; noise convention of
:class:`rnmf.models.RateNetwork`).  The rank-R part is applied as two thin products
(O(N R) per step, never an N x N matrix), so a purely low-rank network of 10^5 units runs at
thousands of steps per second; the bulk :math:`g\chi` is a dense gemv, skipped when g = 0.

Randomness (SPEC 7, one Generator, in this order): the loadings (``N * D`` normals, none for
explicit vectors), the bulk (``N * N`` normals, only when g > 0), the initial state (``N``
normals, only when neither ``x0`` nor ``kappa0`` is given), then the noise in chunks.  The
same seed gives bitwise identical output.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnmf._checks import as_rng, check_array, check_choice, check_finite, check_int
from rnmf.models import LowRankNetwork

from ._kernels.lowrank import LRParams, advance, step_given_phi

__all__ = ["LowRankTrajectory", "simulate_lowrank", "step_coefficients_lowrank"]

_A_ERF = math.sqrt(math.pi) / 2.0
_NOISE_CHUNK_BYTES = 8 * 2**20
_PLAIN_CHUNK = 5000
_VECTOR_N = 4000  # purely low-rank tanh networks from this size step with numpy.tanh
_METHODS = ("euler", "exp_euler")


def step_coefficients_lowrank(
    net: LowRankNetwork, dt: float, method: str
) -> tuple[float, float, float]:
    r"""Coefficients ``(a, b, c)`` of ``x <- a x + b * input + c * xi``.

    ``"euler"`` (Euler-Maruyama; Kloeden & Platen 1992, Sec. 9.1): :math:`(1-\Delta t,\ \Delta t,\
    \sigma\sqrt{\Delta t})`; ``"exp_euler"`` (leak exact, input held over the step, exact
    Ornstein-Uhlenbeck noise increment, Gillespie 1996, PRE 54:2084):
    :math:`(e^{-\Delta t},\ 1-e^{-\Delta t},\ \sigma\sqrt{(1-e^{-2\Delta t})/2})`.
    """
    s = net.sigma_noise
    if method == "euler":
        return 1.0 - dt, dt, s * math.sqrt(dt)
    e = math.exp(-dt)
    return e, 1.0 - e, s * math.sqrt((1.0 - e * e) / 2.0)


@dataclass(frozen=True, repr=False)
class LowRankTrajectory:
    """A simulated trajectory of a :class:`LowRankNetwork`.

    Attributes
    ----------
    model : LowRankNetwork
        The simulated model.
    t : (n_times,) array
        Recorded times in units of tau, ``t[0] == burn_in``.
    kappa : (n_times, R) array
        Latent variables :math:`\\kappa_r = n_r^T\\phi(x)/N` of the recorded states.
    x : (n_times, n_units) array
        Recorded units.
    units : (n_units,) int array
    mean_x, mean_x2, mean_phi, mean_phi2 : (n_times,) arrays
        Population moments over all N units.
    x_final : (N,) array
        Last state.
    m, n, input_vectors : arrays
        The vectors of the simulated network ((N, R), (N, R), (N, K)).
    dt : float
    record_every : int
    burn_in, T : float
    n_steps : int
    method : str
    seed : int or None
    """

    model: LowRankNetwork
    t: np.ndarray
    kappa: np.ndarray
    x: np.ndarray
    units: np.ndarray
    mean_x: np.ndarray
    mean_x2: np.ndarray
    mean_phi: np.ndarray
    mean_phi2: np.ndarray
    x_final: np.ndarray
    m: np.ndarray
    n: np.ndarray
    input_vectors: np.ndarray
    dt: float
    record_every: int
    burn_in: float
    T: float
    n_steps: int
    method: str
    seed: int | None = None

    @property
    def var_x(self) -> np.ndarray:
        """Population variance of x at each recorded time."""
        return self.mean_x2 - self.mean_x**2

    def sampled_network(self) -> LowRankNetwork:
        """The simulated network with its explicit vectors (theory at the sample statistics)."""
        net = self.model
        return LowRankNetwork(
            N=net.N,
            g=net.g,
            m=self.m,
            n=self.n,
            input_vectors=self.input_vectors if self.input_vectors.shape[1] else None,
            inputs=net.inputs,
            phi=net.phi,
            tau=net.tau,
            sigma_noise=net.sigma_noise,
        )

    def __repr__(self) -> str:
        rows = [
            ("model", self.model.describe()),
            ("method", f"{self.method} (dt={self.dt:g})"),
            ("t", f"{self.t.size} times in [{self.t[0]:g}, {self.t[-1]:g}]"),
            ("kappa (time mean)", np.array2string(self.kappa.mean(axis=0), precision=6)),
            ("<x>", f"{float(np.mean(self.mean_x)):.6g}"),
            ("var x", f"{float(np.mean(self.var_x)):.6g}"),
            ("seed", str(self.seed)),
        ]
        w = max(len(k) for k, _ in rows)
        return "LowRankTrajectory\n" + "\n".join(f"  {k:<{w}}  {v}" for k, v in rows)

    __str__ = __repr__


def _n_steps(name: str, value: Any, dt: float, allow_zero: bool) -> int:
    v = check_finite(name, value)
    if v < 0 or (v == 0 and not allow_zero):
        raise ValueError(
            f"{name} must be {'>= 0' if allow_zero else '> 0'} (units of tau), got {v}"
        )
    k = int(round(v / dt))
    if abs(k * dt - v) > 1e-9 * max(1.0, v):
        raise ValueError(f"{name} = {v} is not a multiple of dt = {dt}; pick dt dividing it")
    if not allow_zero and k < 1:
        raise ValueError(f"{name} = {v} is shorter than one step dt = {dt}")
    return k


def _input_series(net: LowRankNetwork, u: Any, n_total: int, dt: float) -> np.ndarray:
    K = net.K
    if u is None:
        return np.broadcast_to(np.asarray(net.inputs, float), (n_total, K))
    if callable(u):
        t = np.arange(n_total) * dt
        vals = np.asarray([np.atleast_1d(np.asarray(u(float(s)), float)) for s in t])
        vals = vals.reshape(n_total, -1)
        if vals.shape[1] != K:
            raise ValueError(f"u(t) must return K = {K} input amplitudes, got {vals.shape[1]}")
        if not np.all(np.isfinite(vals)):
            raise ValueError("u(t) returned NaN or infinite values")
        return vals
    arr = check_array("u", u)
    if arr.ndim == 1 and arr.shape == (K,):
        return np.broadcast_to(arr, (n_total, K))
    if arr.ndim == 1 and K == 1 and arr.shape[0] == n_total:
        return arr[:, None]
    if arr.shape != (n_total, K):
        raise ValueError(
            f"u must have shape (K,) = ({K},) or (n_steps, K) = ({n_total}, {K}) "
            f"(one row per step, burn-in included), got {arr.shape}"
        )
    return arr


def _reference_run(x, m, n, I, U, G, noise, p: LRParams, phi: Callable, n_steps: int):
    """NumPy stepping (test oracle and the path for custom phi); returns records per step."""
    N = x.shape[0]
    recs = []
    for k in range(n_steps):
        r = phi(x)
        kap = n.T @ r / N
        s = m @ kap + I @ U[k]
        if p.dense:
            s = s + G @ r
        x = p.decay * x + p.gain * s
        if noise.shape[0]:
            x = x + p.noise * noise[k]
        r = phi(x)
        recs.append((x.copy(), n.T @ r / N, r))
    return x, recs


def simulate_lowrank(
    net: LowRankNetwork,
    T: float,
    *,
    dt: float = 0.05,
    rng: None | int | np.random.Generator = None,
    burn_in: float = 0.0,
    x0: Any = None,
    kappa0: Any = None,
    u: Any = None,
    method: str = "exp_euler",
    record_every: int = 1,
    record_units: int | Any = 10,
) -> LowRankTrajectory:
    r"""Simulate a low-rank plus random rate network.

    Parameters
    ----------
    net : LowRankNetwork
        The model; Gaussian or mixture loadings are sampled from ``rng``, explicit
        vectors are used as given.
    T : float
        Recorded duration in units of tau (> 0, a multiple of ``dt``).
    dt : float
        Time step in units of tau (0 < dt <= 1).
    rng : None, int or numpy.random.Generator
        Randomness (module docstring for the order of the draws).
    burn_in : float
        Discarded duration before recording (>= 0, a multiple of ``dt``).
    x0 : array (N,), optional
        Initial state.
    kappa0 : array (R,), optional
        Start on the structured subspace, :math:`x_0 = m\kappa_0` (use it with +/- to reach
        both states of a bistable pair, M&O Fig. 1).  Exclusive with ``x0``; without both,
        :math:`x_0 \sim N(0, 1)` i.i.d.
    u : None, array (K,), array (n_steps, K) or callable
        Input amplitudes: constant, one row per step (``n_steps = (burn_in + T) / dt``,
        row k acts during step k), or ``u(t) -> (K,)`` evaluated at the start of each step.
        Default: ``net.inputs``.
    method : {"exp_euler", "euler"}
        Integration scheme (:func:`step_coefficients_lowrank`).
    record_every : int
        Steps between records (>= 1).
    record_units : int or array of int
        Number of units to record (the first ones) or their indices.

    Returns
    -------
    LowRankTrajectory
    """
    if not isinstance(net, LowRankNetwork):
        raise ValueError(f"net must be a LowRankNetwork, got {type(net).__name__}")
    check_choice("method", method, _METHODS)
    dt = check_finite("dt", dt)
    if not 0 < dt <= 1:
        raise ValueError(f"dt must lie in (0, 1] (units of tau), got {dt}")
    n_rec = _n_steps("T", T, dt, allow_zero=False)
    n_burn = _n_steps("burn_in", burn_in, dt, allow_zero=True)
    every = check_int("record_every", record_every, minimum=1)
    if x0 is not None and kappa0 is not None:
        raise ValueError("pass either x0 or kappa0, not both")
    seed = int(rng) if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) else None
    gen = as_rng(rng)
    N, R = net.N, net.R
    if isinstance(record_units, numbers.Integral) and not isinstance(record_units, bool):
        k = check_int("record_units", record_units, minimum=0)
        units = np.arange(min(k, N), dtype=np.int64)
    else:
        units = np.asarray(record_units)
        if (
            units.ndim != 1
            or units.dtype.kind not in "iu"
            or np.any(units < 0)
            or np.any(units >= N)
        ):
            raise ValueError(
                f"record_units must be an int or indices in [0, {N}), got {record_units!r}"
            )
        units = units.astype(np.int64)
    n_total = n_burn + n_rec
    U = np.ascontiguousarray(_input_series(net, u, n_total, dt), dtype=np.float64)

    m, n, I = (np.ascontiguousarray(a, dtype=np.float64) for a in net.sample_loadings(gen))
    mT, nT, IT = (np.ascontiguousarray(a.T) for a in (m, n, I))
    dense = net.g > 0.0
    if dense:
        G = gen.standard_normal((N, N))
        G *= net.g / math.sqrt(N)
    else:
        G = np.zeros((1, 1))
    if x0 is not None:
        x = check_array("x0", x0, shape=(N,)).astype(np.float64, copy=True)
    elif kappa0 is not None:
        k0 = check_array("kappa0", np.atleast_1d(np.asarray(kappa0, float)), shape=(R,))
        x = np.ascontiguousarray(m @ k0)
    else:
        x = gen.standard_normal(N)
    a, b, c = step_coefficients_lowrank(net, dt, method)
    tr = net.phi
    n_records = n_rec // every + 1
    rec_x = np.zeros((n_records, units.size))
    rec_k = np.zeros((n_records, R))
    stats = np.zeros((n_records, 4))
    noisy = net.sigma_noise > 0.0
    r = np.zeros(N)
    h = np.zeros(N)
    kap = np.zeros(R)

    def rec_python(x_: np.ndarray, row: int) -> None:
        rr = tr(x_)
        rec_x[row] = x_[units]
        rec_k[row] = n.T @ rr / N
        stats[row] = (x_.mean(), (x_ * x_).mean(), rr.mean(), (rr * rr).mean())

    if n_burn == 0:
        rec_python(x, 0)
    chunk = max(1, _NOISE_CHUNK_BYTES // (8 * N)) if noisy else _PLAIN_CHUNK
    done = 0
    while done < n_total:
        steps = min(chunk, n_total - done)
        noise = gen.standard_normal((steps, N)) if noisy else np.zeros((0, N))
        p = LRParams(tr.code, float(tr.theta), _A_ERF, a, b, c, dense, done, n_burn, every)
        Uc = U[done : done + steps]
        if tr.code == 0 and not dense and N >= _VECTOR_N:
            empty = np.zeros(0)
            for j in range(steps):
                np.tanh(x, out=r)
                step_given_phi(x, mT, nT, IT, Uc[j], noise[j] if noisy else empty, r, h, kap, p)
                s = done + j + 1
                if s >= n_burn and (s - n_burn) % every == 0:
                    rec_python(x, (s - n_burn) // every)
        elif tr.code >= 0:
            advance(x, mT, nT, IT, Uc, G, noise, steps, p, units, rec_x, rec_k, stats, r, h, kap)
        else:
            x, recs = _reference_run(x, m, n, I, Uc, G, noise, p, tr, steps)
            for j, (xs, _, _) in enumerate(recs):
                s = done + j + 1
                if s >= n_burn and (s - n_burn) % every == 0:
                    rec_python(xs, (s - n_burn) // every)
        done += steps
    t = burn_in + np.arange(n_records) * dt * every
    out = dict(
        t=t,
        kappa=rec_k,
        x=rec_x,
        units=units,
        mean_x=stats[:, 0].copy(),
        mean_x2=stats[:, 1].copy(),
        mean_phi=stats[:, 2].copy(),
        mean_phi2=stats[:, 3].copy(),
        x_final=x,
        m=m,
        n=n,
        input_vectors=I,
    )
    for v in out.values():
        v.setflags(write=False)
    return LowRankTrajectory(
        model=net,
        dt=dt,
        record_every=every,
        burn_in=float(burn_in),
        T=float(T),
        n_steps=n_total,
        method=method,
        seed=seed,
        **out,
    )
