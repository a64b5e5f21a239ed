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

from rnmf._checks import (
    as_rng,
    check_array,
    check_choice,
    check_finite,
    check_int,
    check_step_count,
)
from rnmf.models import LowRankNetwork
from rnmf.results import Result, Status

from ._kernels.lowrank import LRParams, advance, step_given_phi, within
from ._kernels.rate import RecordPlan, StepParams
from ._kernels.rate_formats import advance_format
from ._memory import check_memory, progress_bar
from ._shared import (
    DIVERGENCE_FACTOR,
    _bad_phi,
    _emulated_params,
    _limit_reason,
    _resolve_precision,
    _resolve_units,
    _round_network,
    _warn_diverged,
)
from .formats import MixedPrecision, quantize
from .rate import _A_ERF, _CHUNK_WORK, _NOISE_CHUNK_BYTES

__all__ = ["LowRankTrajectory", "simulate_lowrank", "step_coefficients_lowrank"]

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


@dataclass(frozen=True, kw_only=True, repr=False)
class LowRankTrajectory(Result):
    """A simulated trajectory of a :class:`LowRankNetwork`.

    Times are in units of tau (``t``, ``dt``, ``T``, ``burn_in``, ``diverged_at``).

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
    diverged : bool
        True when the state became non-finite or exceeded the divergence limit (or a
        custom phi returned non-finite values): the run stopped there, the records
        from ``diverged_at`` on are NaN, ``converged`` is False and ``status`` is
        ``Status.DIVERGED`` (conventions shared with :class:`rnmf.sim.Trajectory`).
    diverged_at : float or None
        Time of the first diverged step (units of tau), None otherwise.
    diverged_reason : str
        What went wrong ("" when nothing did).
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
    diverged: bool = False
    diverged_at: float | None = None
    diverged_reason: str = ""

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
        with np.errstate(all="ignore"):
            rows = [
                ("model", self.model.describe()),
                ("method", f"{self.method} (dt={self.dt:g})"),
                ("t", f"{self.t.size} times in [{self.t[0]:g}, {self.t[-1]:g}] (units of tau)"),
                ("kappa (time mean)", np.array2string(np.nanmean(self.kappa, axis=0), precision=6)),
                ("<x>", f"{float(np.nanmean(self.mean_x)):.6g}"),
                ("var x", f"{float(np.nanmean(self.var_x)):.6g}"),
                ("seed", str(self.seed)),
            ]
        if self.diverged:
            rows.append(("DIVERGED", f"at t = {self.diverged_at:g}: {self.diverged_reason}"))
        w = max(len(k) for k, _ in rows)
        return "LowRankTrajectory\n" + "\n".join(f"  {k:<{w}}  {v}" for k, v in rows)

    __str__ = __repr__


def _n_steps(name: str, value: Any, dt: float, allow_zero: bool) -> int:
    v = check_finite(name, value)
    if v < 0 or (v == 0 and not allow_zero):
        raise ValueError(
            f"{name} must be {'>= 0' if allow_zero else '> 0'} (units of tau), got {v}"
        )
    check_step_count(name, v, dt, unit=" tau")
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


def _run_format(
    x, JT, I, U, gen, noisy, sp, prec: MixedPrecision, native_acc, key, n_burn, every,
    n_total, chunk, bar, rec_python, limit,
):  # fmt: skip
    """The emulated-format run: ``advance_format`` between records and input changes.

    Returns ``(x, steps done, divergence reason, overflow count)``.
    """
    N = x.size
    counts = np.zeros(1, dtype=np.int64)
    coef = np.array([sp.decay, sp.gain, sp.noise])
    r = np.empty(N)
    h = np.empty(N)
    units = np.zeros(0, dtype=np.int64)
    rec_x = np.zeros((1, 0))
    stats = np.zeros((1, 4))
    never = RecordPlan(0, 2**62, 1)  # the kernel records nothing; kappa is measured here
    fs, fa = prec.state.params(), prec.accumulator.params()
    done, reason, row, ext = 0, "", None, None
    while done < n_total and not reason:
        nxt = n_burn if done < n_burn else done + every - (done - n_burn) % every
        steps = min(chunk, n_total - done, nxt - done if nxt > done else every)
        same = np.flatnonzero(np.any(U[done : done + steps] != U[done], axis=1))
        if same.size:
            steps = int(same[0])
        if row is None or np.any(U[done] != row):  # input stored once per change
            row = U[done]
            ext = quantize(I @ row, prec.state, seed=key, step=done, site=11)
        noise = gen.standard_normal((steps, N)) if noisy else np.zeros((0, N))
        taken, bad = advance_format(
            x, JT, ext, noise, steps, sp, never._replace(first_step=done), units, rec_x,
            stats, r, h, fs, fa, key, native_acc, counts, coef,
        )  # fmt: skip
        if bad:
            reason = _limit_reason(x, limit)
        done += taken
        s = done
        if not reason and s >= n_burn and (s - n_burn) % every == 0:
            rec_python(x, (s - n_burn) // every)
        if bar is not None:
            bar.update(taken)
    return x, done, reason, int(counts[0])


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
    progress: bool | None = None,
    divergence_limit: float | None = None,
    fmt: Any = "float64",
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
    record_units : int, array of int or "all"
        Number of units to record (the first ones), their indices, or all units.
    progress : bool or None
        None (default): a progress bar on stderr that appears when the run lasts
        more than 2 s; True: from the start; False: none.
    divergence_limit : float, optional
        The run stops, and the result says ``diverged`` (with a ``RuntimeWarning``),
        when some :math:`|x_i|` exceeds this or is not finite.  Default
        :math:`10^{10}` times ``max(1, max|x0|, max|m|, max|input|, sigma_noise)``.
    fmt : "float64", a format name, NumberFormat or MixedPrecision
        Number format.  "float64" (default) runs the native kernels.  Any other format
        (:mod:`rnmf.sim.formats`) stores the sampled couplings
        :math:`J = g\chi + m n^T / N` once as a dense N x N matrix rounded to the weight
        format (as a chip stores its synapses), the initial state and the input
        :math:`\sum_k I_k u_k` (per step) in the state format, and advances with the
        format-aware update of the rate simulator
        (:func:`rnmf.sim._kernels.rate_formats.advance_format`: every operation rounded,
        stochastic rounding from the counter-based stream keyed by the integer ``rng``).
        ``kappa`` and the recorded moments are measured in float64 from the emulated
        state.  Custom transfer functions are not supported there.

    Returns
    -------
    LowRankTrajectory

    Raises
    ------
    rnmf.sim._memory.InsufficientMemoryError
        (a ``MemoryError`` and a ``ValueError``) when the bulk, the loadings and the
        recordings would not fit into the available memory; raised before allocating.
    ValueError
        When ``T + burn_in`` would take more than ``rnmf._checks.MAX_STEPS`` (1e10) time
        steps of ``dt`` (hours of computing); refused up front with the step count.
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
    if isinstance(fmt, str) and fmt == "float64":
        prec = None
    else:
        prec, _, native_acc = _resolve_precision(fmt)
        if prec is None:  # "float32": the native float32 path of simulate only
            raise ValueError(
                "simulate_lowrank runs float64 natively; give fmt as a format name such as "
                f"'fp32', 'bf16-sr', a NumberFormat or a MixedPrecision, got {fmt!r}"
            )
        if net.phi.code < 0:
            raise ValueError("fmt other than float64 needs a built-in transfer function")
    gen = as_rng(rng)
    N, R = net.N, net.R
    units = _resolve_units(record_units, N)
    n_total = n_burn + n_rec
    if progress is not None and not isinstance(progress, bool | np.bool_):
        raise ValueError(f"progress must be True, False or None (automatic), got {progress!r}")
    dense = net.g > 0.0
    noisy = net.sigma_noise > 0.0
    K = net.K
    n_records = n_rec // every + 1
    work = N * N if dense else N * (2 * R + K + 4)
    chunk = max(1, min(_CHUNK_WORK // work, _PLAIN_CHUNK))
    if noisy:
        chunk = min(chunk, max(1, _NOISE_CHUNK_BYTES // (8 * N)))
    parts = {
        f"loadings m, n and input vectors ({N} x {2 * R + K})": 8.0 * N * (2 * R + K),
        f"recorded states ({n_records} times x {units.size} units)": 8.0 * n_records * units.size,
        "recorded kappa, times and moments": 8.0 * n_records * (R + 5),
        "state and scratch vectors": 8.0 * 6 * N,
    }
    if dense:
        parts[f"random bulk g chi (N^2 = {N}^2 x 8 bytes)"] = 8.0 * N * N
    if prec is not None:
        parts[f"stored couplings J and J^T for fmt (2 x {N}^2 x 8 bytes)"] = 16.0 * N * N
    if u is not None and not (np.ndim(u) == 1 and np.shape(u) == (K,)):
        parts[f"input amplitudes ({n_total} steps x {K})"] = 8.0 * n_total * K
    if noisy:
        parts["noise buffer"] = 8.0 * chunk * N
    check_memory(
        "simulate_lowrank",
        parts,
        hint="Reduce N, T / record_every or record_units (or g = 0 for no N x N bulk).",
    )
    U = np.ascontiguousarray(_input_series(net, u, n_total, dt), dtype=np.float64)

    m, n, I = (np.ascontiguousarray(a, dtype=np.float64) for a in net.sample_loadings(gen))
    mT, nT, IT = (np.ascontiguousarray(a.T) for a in (m, n, I))
    if dense:
        G = gen.standard_normal((N, N))
        G *= net.g / math.sqrt(N)
    else:
        G = np.zeros((1, 1))
    if x0 is not None:
        x = check_array("x0", x0, shape=(N,)).astype(np.float64, copy=True)
    elif kappa0 is not None:
        k0 = np.atleast_1d(check_array("kappa0", kappa0))  # complex/str refused, not cast
        if k0.shape != (R,):
            raise ValueError(
                f"kappa0 must hold R = {R} values (shape ({R},)), got shape {k0.shape}"
            )
        x = np.ascontiguousarray(m @ k0)
    else:
        x = gen.standard_normal(N)
    if divergence_limit is not None:
        limit = check_finite("divergence_limit", divergence_limit)
        if limit <= 0:
            raise ValueError(f"divergence_limit must be > 0, got {divergence_limit!r}")
    else:
        scale = max(
            1.0,
            float(np.max(np.abs(x), initial=0.0)),
            float(np.max(np.abs(m), initial=0.0)) * max(1.0, float(np.max(np.abs(n), initial=0.0))),
            float(np.max(np.abs(I), initial=0.0)) * float(np.max(np.abs(U), initial=0.0)),
            net.sigma_noise,
        )
        limit = min(DIVERGENCE_FACTOR * scale, 1e300)
    a, b, c = step_coefficients_lowrank(net, dt, method)
    tr = net.phi
    rec_x = np.zeros((n_records, units.size))
    rec_k = np.zeros((n_records, R))
    stats = np.zeros((n_records, 4))
    r = np.zeros(N)
    h = np.zeros(N)
    kap = np.zeros(R)

    def rec_python(x_: np.ndarray, row: int) -> None:
        rr = tr(x_)
        rec_x[row] = x_[units]
        rec_k[row] = n.T @ rr / N
        stats[row] = (x_.mean(), (x_ * x_).mean(), rr.mean(), (rr * rr).mean())

    def phi_checked(x_: np.ndarray) -> tuple[np.ndarray, str]:
        with np.errstate(all="ignore"):
            rr = np.asarray(tr(x_), dtype=np.float64)
        return rr, _bad_phi(x_, rr)

    if not np.all(np.isfinite(x)):
        raise ValueError("the initial state (x0 or m kappa0) must be finite")
    reason = ""
    if tr.code < 0:
        reason = phi_checked(x)[1]
    if n_burn == 0 and not reason:
        rec_python(x, 0)
    bar = progress_bar(progress, n_total, "rnmf.sim.simulate_lowrank")
    done = 0
    n_overflow = 0
    if prec is not None and not reason:
        key = seed if seed is not None and seed >= 0 else int(gen.integers(0, 2**63))
        J = G + m @ n.T / N if dense else m @ n.T / N
        _, _, x, JT = _round_network(prec, J, np.zeros(N), x, np.dtype(np.float64), key)
        del J
        if n_burn == 0:
            rec_python(x, 0)
        sp = StepParams(
            code=int(tr.code), theta=float(tr.theta), a_erf=_A_ERF, zero=0.0, one=1.0,
            decay=a, gain=b, noise=c, limit=float(limit),
        )  # fmt: skip
        sp = _emulated_params(sp, prec, key)
        try:
            x, done, reason, n_overflow = _run_format(
                x, JT, I, U, gen, noisy, sp, prec, native_acc, key, n_burn, every, n_total,
                chunk, bar, rec_python, limit,
            )  # fmt: skip
        finally:
            if bar is not None:
                bar.close()
                bar = None
    try:
        while done < n_total and not reason:
            steps = min(chunk, n_total - done)
            noise = gen.standard_normal((steps, N)) if noisy else np.zeros((0, N))
            p = LRParams(
                tr.code, float(tr.theta), _A_ERF, a, b, c, dense, done, n_burn, every, limit
            )
            Uc = U[done : done + steps]
            taken = steps
            if tr.code == 0 and not dense and N >= _VECTOR_N:
                empty = np.zeros(0)
                for j in range(steps):
                    np.tanh(x, out=r)
                    step_given_phi(x, mT, nT, IT, Uc[j], noise[j] if noisy else empty, r, h, kap, p)
                    if not within(x, limit):
                        taken, reason = j + 1, _limit_reason(x, limit)
                        break
                    s = done + j + 1
                    if s >= n_burn and (s - n_burn) % every == 0:
                        rec_python(x, (s - n_burn) // every)
            elif tr.code >= 0:
                taken, bad = advance(
                    x, mT, nT, IT, Uc, G, noise, steps, p, units, rec_x, rec_k, stats, r, h, kap
                )
                reason = _limit_reason(x, limit) if bad else ""
            else:
                for j in range(steps):
                    rr, reason = phi_checked(x)
                    if reason:
                        taken = j
                        break
                    inp = m @ (n.T @ rr / N) + I @ Uc[j]
                    if dense:
                        inp = inp + G @ rr
                    x = a * x + b * inp
                    if noisy:
                        x = x + c * noise[j]
                    if not within(x, limit):
                        taken, reason = j + 1, _limit_reason(x, limit)
                        break
                    s = done + j + 1
                    if s >= n_burn and (s - n_burn) % every == 0:
                        rec_python(x, (s - n_burn) // every)
            done += taken
            if bar is not None:
                bar.update(taken)
    finally:
        if bar is not None:
            bar.close()
    t = n_burn * dt + np.arange(n_records) * dt * every
    diverged_at = None
    if reason:
        last_good = done - 1  # the state after `done` steps is the first bad one
        n_ok = 0 if last_good < n_burn else (last_good - n_burn) // every + 1
        for arr in (rec_x, rec_k, stats):
            arr[n_ok:] = np.nan
        diverged_at = done * dt
        _warn_diverged(
            "simulate_lowrank",
            diverged_at,
            "units of tau",
            reason,
            "an unbounded transfer function with a too strong low-rank or random part (the "
            "network has no bounded state), or a time step too large",
        )
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
        options={
            "dt": dt,
            "burn_in": n_burn * dt,
            "record_every": every,
            "divergence_limit": float(limit),
            "fmt": "float64" if prec is None else str(prec),
            "n_overflow": int(n_overflow),
        },
        converged=not reason,
        status=Status.DIVERGED if reason else Status.CONVERGED,
        n_iter=done,
        dt=dt,
        record_every=every,
        burn_in=float(burn_in),
        T=float(T),
        n_steps=done,
        method=method,
        seed=seed,
        diverged=bool(reason),
        diverged_at=diverged_at,
        diverged_reason=reason,
        **out,
    )
