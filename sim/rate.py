r"""Simulation of the dense random rate network :class:`~rnmf.models.RateNetwork`.

Continuous time, in units of the time constant (:math:`s = t/\tau`; Sompolinsky,
Crisanti & Sommers 1988, PRL 61:259, eq. 1, with white noise as in Schuecker,
Goedeke & Helias 2018, PRX 8:041029, eq. 1):

.. math:: dx_i = \Big[-x_i + \sum_j J_{ij}\phi(x_j) + I_i\Big]\,ds + \sigma\,dW_i(s)

Discrete time (Molgedey, Schuchhardt & Schuster 1992, PRL 69:3717, eq. 1):

.. math:: x_i(t+1) = \sum_j J_{ij}\phi(x_j(t)) + I_i + \sigma\,\xi_i(t)

Time units
----------
For continuous time, ``T``, ``dt`` and ``burn_in`` are in units of ``tau`` (the
dimensionless time ``s`` of the theory), and so are :attr:`Trajectory.t` and the
lags of :func:`rnmf.sim.measures.autocorrelation`; ``tau`` only rescales them to the
user's unit (:attr:`Trajectory.time` is ``tau * t``).  For the discrete map they
are numbers of steps and ``dt`` is ignored.

Speed
-----
Built-in transfer functions run in numba kernels (:mod:`rnmf.sim._kernels.rate`)
whose step is one BLAS gemv; a custom :class:`~rnmf.transfer.Transfer`
(``code == -1``) runs the same stepping in a Python loop over NumPy calls, which
is slower for small N (Python overhead per step) and equal for large N.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from rnmf._checks import (
    MAX_STEPS,
    as_rng,
    check_array,
    check_choice,
    check_finite,
    check_int,
    check_step_count,
)
from rnmf.models import RateNetwork
from rnmf.results import Result, Status

from ._kernels.rate import RecordPlan, StepParams, advance, record
from ._kernels.rate_formats import advance_format
from ._memory import check_memory, progress_bar
from ._shared import (
    FORMATS,
    _bad_phi,
    _divergence_hint,
    _divergence_limit,
    _emulated_params,
    _limit_reason,
    _resolve_precision,
    _resolve_units,
    _round_network,
    _warn_diverged,
)
from .connectivity import _check_net, sample_couplings, sample_inputs
from .formats import MixedPrecision, NumberFormat

__all__ = ["METHODS", "Trajectory", "simulate", "step_coefficients"]

METHODS = ("euler", "exp_euler")
_A_ERF = math.sqrt(math.pi) / 2.0
_NOISE_CHUNK_BYTES = 8 * 2**20  # noise pre-generated in chunks of about 8 MiB
_PLAIN_CHUNK = 2000  # steps per kernel call without noise
_CHUNK_WORK = 2 * 10**7  # at most about this many multiply-adds per kernel call


def step_coefficients(net: RateNetwork, dt: float, method: str) -> tuple[float, float, float]:
    r"""Coefficients ``(a, b, c)`` of the update ``x <- a x + b (J phi(x) + I) + c xi``.

    * ``"euler"`` (Euler-Maruyama; Kloeden & Platen 1992, Sec. 9.1):
      :math:`a = 1 - \Delta t,\ b = \Delta t,\ c = \sigma\sqrt{\Delta t}`.
    * ``"exp_euler"`` (exponential Euler, the leak integrated exactly with the input
      held over the step; the noise term is the exact Ornstein-Uhlenbeck increment,
      Gillespie 1996, PRE 54:2084, exact updating formula): :math:`a = e^{-\Delta t},\ b = 1 - e^{-\Delta t},\
      c = \sigma\sqrt{(1 - e^{-2\Delta t})/2}`.
    * discrete map (``net.time == "discrete"``; Molgedey et al. 1992, eq. 1):
      :math:`a = 0,\ b = 1,\ c = \sigma`.

    Parameters
    ----------
    net : RateNetwork
        The model (uses ``sigma_noise`` and ``time``).
    dt : float
        Time step in units of tau (ignored for the discrete map).
    method : {"euler", "exp_euler"}
        Scheme (ignored for the discrete map).

    Returns
    -------
    tuple of float
    """
    sigma = net.sigma_noise
    if net.discrete:
        return 0.0, 1.0, sigma
    if method == "euler":
        return 1.0 - dt, dt, sigma * math.sqrt(dt)
    a = math.exp(-dt)
    return a, -math.expm1(-dt), sigma * math.sqrt(-math.expm1(-2.0 * dt) / 2.0)


def _step_params(
    net: RateNetwork, dt: float, method: str, dtype: np.dtype, limit: float = math.inf
) -> StepParams:
    a, b, c = step_coefficients(net, dt, method)
    f = dtype.type
    return StepParams(
        limit=f(limit),
        code=int(net.phi.code),
        theta=f(net.phi.theta),
        a_erf=f(_A_ERF),
        zero=f(0.0),
        one=f(1.0),
        decay=f(a),
        gain=f(b),
        noise=f(c),
    )


@dataclass(frozen=True, kw_only=True, repr=False)
class Trajectory(Result):
    """A simulated trajectory of a :class:`~rnmf.models.RateNetwork`.

    Times are in units of tau (steps for the discrete map): ``t``, ``dt``, ``T``,
    ``burn_in`` and ``diverged_at`` are dimensionless; :attr:`time` gives ``tau * t``
    in the user's unit.

    Attributes
    ----------
    model : RateNetwork
        The simulated model.
    t : (n_times,) float64 array
        Recorded times in units of tau (steps for the discrete map), counted from the
        start of the run, so ``t[0] == burn_in``.
    x : (n_times, n_units) array
        States of the recorded units (dtype of ``fmt``).
    units : (n_units,) int array
        Indices of the recorded units.
    mean_x, mean_x2, mean_phi, mean_phi2 : (n_times,) float64 arrays
        Population averages over ALL N units at each recorded time:
        :math:`\\frac1N\\sum_i x_i`, :math:`\\frac1N\\sum_i x_i^2`,
        :math:`\\frac1N\\sum_i \\phi(x_i)`, :math:`\\frac1N\\sum_i \\phi(x_i)^2`.
    x_final : (N,) array
        State at the end of the run (continue with ``simulate(..., x0=traj.x_final)``).
    dt : float
        Time step in units of tau (1 for the discrete map).
    record_every : int
        Steps between recorded times.
    burn_in, T : float
        Discarded and recorded durations (units of tau, or steps).
    n_steps : int
        Steps taken in total (burn-in included; fewer than asked when it diverged).
    method : str
        ``"euler"``, ``"exp_euler"`` or ``"map"``.
    fmt : str
        Number format of the state and couplings.
    seed : int or None
        The int seed passed as ``rng`` (None if a Generator or None was passed);
        with ``seed`` the run is reproduced bit for bit (couplings included).
    diverged : bool
        True when the state became non-finite or exceeded the divergence limit (or
        a custom phi returned non-finite values); the run stopped there, the records
        from ``diverged_at`` on are NaN, ``converged`` is False and ``status`` is
        ``Status.DIVERGED``.
    diverged_at : float or None
        Time of the first diverged step (units of tau, or steps), None otherwise.
    diverged_reason : str
        What went wrong ("" when nothing did).
    n_overflow : int
        Emulated formats: number of roundings that overflowed the format's range
        (saturated, wrapped, or became inf / NaN); 0 for float64 / float32.

    The arrays are read-only, like the dataclass itself.
    """

    model: RateNetwork
    t: np.ndarray
    x: np.ndarray
    units: np.ndarray
    mean_x: np.ndarray
    mean_x2: np.ndarray
    mean_phi: np.ndarray
    mean_phi2: np.ndarray
    x_final: np.ndarray
    dt: float
    record_every: int
    burn_in: float
    T: float
    n_steps: int
    method: str
    fmt: str
    seed: int | None = None
    diverged: bool = False
    diverged_at: float | None = None
    diverged_reason: str = ""
    n_overflow: int = 0

    @property
    def sample_dt(self) -> float:
        """Spacing of the recorded times (units of tau, or steps)."""
        return self.dt * self.record_every

    @property
    def time(self) -> np.ndarray:
        """Recorded times in the user's unit, ``tau * t`` (equal to ``t`` for the map)."""
        return self.t if self.model.discrete else self.model.tau * self.t

    @property
    def var_x(self) -> np.ndarray:
        """Population variance of x at each recorded time (over all N units)."""
        return self.mean_x2 - self.mean_x**2

    @property
    def var_phi(self) -> np.ndarray:
        """Population variance of phi(x) at each recorded time (over all N units)."""
        return self.mean_phi2 - self.mean_phi**2

    def __repr__(self) -> str:
        unit = "steps" if self.model.discrete else "units of tau"
        with np.errstate(all="ignore"):
            rows = [
                ("model", self.model.describe()),
                ("method", f"{self.method} (dt={self.dt:g}, fmt={self.fmt})"),
                ("t", f"{self.t.size} times in [{self.t[0]:g}, {self.t[-1]:g}] ({unit})"),
                ("x", f"{self.x.shape[0]} x {self.x.shape[1]} (times x recorded units)"),
                ("<x>", f"{float(np.nanmean(self.mean_x)):.6g}" if self.t.size else "-"),
                ("<x^2>", f"{float(np.nanmean(self.mean_x2)):.6g}" if self.t.size else "-"),
                ("<phi^2>", f"{float(np.nanmean(self.mean_phi2)):.6g}" if self.t.size else "-"),
                ("seed", str(self.seed)),
            ]
        if self.n_overflow:
            rows.append(("overflows", f"{self.n_overflow} roundings beyond the format's range"))
        if self.diverged:
            rows.append(("DIVERGED", f"at t = {self.diverged_at:g}: {self.diverged_reason}"))
        w = max(len(k) for k, _ in rows)
        return "Trajectory\n" + "\n".join(f"  {k:<{w}}  {v}" for k, v in rows)

    __str__ = __repr__


# --------------------------------------------------------------------------------------
# validation shared with lyapunov.py
# --------------------------------------------------------------------------------------


def _check_dt(net: RateNetwork, dt: Any, method: str) -> float:
    check_choice("method", method, METHODS)
    if net.discrete:
        return 1.0
    dt = check_finite("dt (time step in units of tau)", dt)
    if dt <= 0:
        raise ValueError(f"dt (time step in units of tau) must be > 0, got {dt!r}")
    if method == "euler" and dt >= 1.0:
        raise ValueError(
            f"dt = {dt:g} >= 1 makes the Euler leak (1 - dt) non-contracting and the scheme "
            "unstable; use dt <= 0.1 (e.g. 0.05), or method='exp_euler'"
        )
    if method == "exp_euler" and dt > 1.0:
        raise ValueError(
            f"dt = {dt:g} > 1 is too coarse for exp_euler (the input is held constant over a "
            "step); use dt <= 0.1"
        )
    return dt


def _n_steps(name: str, value: Any, net: RateNetwork, dt: float, *, allow_zero: bool) -> int:
    """Convert a duration (units of tau, or steps for the map) to a number of steps."""
    if net.discrete:
        what = f"{name} (number of steps of the discrete map)"
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            v = float(value)
            if not np.isfinite(v):
                raise ValueError(f"{what} must be finite, got {value!r}")
            if not v.is_integer():
                raise ValueError(f"{what} must be a whole number, got {value!r}")
        n = check_int(what, value, minimum=0 if allow_zero else 1, maximum=MAX_STEPS)
        return n
    v = check_finite(f"{name} (duration in units of tau)", value)
    if v < 0 or (v == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} (duration in units of tau) must be {bound}, got {v!r}")
    check_step_count(name, v, dt, unit=" tau")
    n = int(round(v / dt))
    if n == 0 and not allow_zero:
        raise ValueError(
            f"{name} = {v:g} is shorter than one step dt = {dt:g}; increase {name} or decrease dt"
        )
    return n


def _check_fmt(fmt: Any) -> np.dtype:
    check_choice("fmt", fmt, FORMATS)
    return np.dtype(fmt)


def _network_and_state(
    net: RateNetwork,
    gen: np.random.Generator,
    dtype: np.dtype,
    J: Any,
    I: Any,
    x0: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """J, I, x0 in the documented draw order (a supplied object skips its draw)."""
    N = net.N
    if J is None:
        J = sample_couplings(net, gen, dtype=dtype)
    else:
        J = check_array("J (couplings)", J, shape=(N, N), dtype=dtype)
    if I is None:
        I = sample_inputs(net, gen, dtype=dtype)
    else:
        I = check_array("I (external inputs)", I, shape=(N,), dtype=dtype)
    if x0 is None:
        x0 = gen.standard_normal(N).astype(dtype)
    else:
        x0 = check_array("x0 (initial state)", x0, shape=(N,), dtype=dtype).copy()
    return J, I, x0


def _noise_chunk(gen: np.random.Generator, m: int, N: int, dtype: np.dtype, noisy: bool):
    if not noisy:
        return np.empty((0, N), dtype=dtype)
    z = gen.standard_normal((m, N))
    return z if dtype == np.float64 else z.astype(dtype)


def _chunk_len(N: int, noisy: bool) -> int:
    """Steps per kernel call: noise buffers of about 8 MiB, and about ``_CHUNK_WORK``
    multiply-adds (a few hundredths of a second) so that the progress bar and the
    divergence report stay responsive.  The chunking does not change the result."""
    by_work = max(1, _CHUNK_WORK // (N * N))
    if not noisy:
        return min(_PLAIN_CHUNK, by_work)
    return min(max(1, _NOISE_CHUNK_BYTES // (8 * N)), by_work)


# --------------------------------------------------------------------------------------
# NumPy path for custom transfer functions (same stepping as the kernel)
# --------------------------------------------------------------------------------------


def _record_numpy(x, phi, units, rec_x, stats, row):
    r = phi(x)
    stats[row, 0] = np.mean(x, dtype=np.float64)
    stats[row, 1] = np.mean(np.square(x, dtype=np.float64))
    stats[row, 2] = np.mean(r, dtype=np.float64)
    stats[row, 3] = np.mean(np.square(r, dtype=np.float64))
    rec_x[row] = x[units]


def _advance_numpy(x, J, I, noise, n_steps, p, plan, units, rec_x, stats, phi):
    """NumPy twin of :func:`rnmf.sim._kernels.rate.advance`; returns (steps, reason)."""
    dtype = x.dtype
    noisy = noise.shape[0] > 0
    lim = p.limit
    for k in range(n_steps):
        r = np.asarray(phi(x), dtype=dtype)
        why = _bad_phi(x, r)
        if why:
            return k, why
        h = J @ r
        h += I
        x *= p.decay
        x += p.gain * h
        if noisy:
            x += p.noise * noise[k]
        if not np.max(np.abs(x)) <= lim:
            return k + 1, _limit_reason(x, lim)
        s = plan.first_step + k + 1
        if s >= plan.n_burn and (s - plan.n_burn) % plan.every == 0:
            row = (s - plan.n_burn) // plan.every
            _record_numpy(x, phi, units, rec_x, stats, row)
            if not np.all(np.isfinite(stats[row])):
                return k + 1, _bad_phi(x, np.asarray(phi(x), dtype=dtype)) or "non-finite record"
    return n_steps, ""


def _custom_phi(net: RateNetwork, dtype: np.dtype):
    f = net.phi

    def phi(v: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.asarray(f(v), dtype=dtype)

    return phi


def _memory_parts(
    N: int, n_rec: int, n_units: int, dtype: np.dtype, sample_J: bool, chunk: int, noisy: bool
) -> dict[str, float]:
    item = dtype.itemsize
    parts = {}
    if sample_J:
        parts[f"couplings J (N^2 = {N}^2 x {item} bytes)"] = N * N * item
        if item != 8:
            parts["float64 draw of J (rounded to fmt)"] = 8.0 * N * N
    parts[f"recorded states ({n_rec} times x {n_units} units)"] = n_rec * n_units * item
    parts["recorded times and population moments"] = n_rec * 5 * 8.0
    if noisy:
        parts["noise buffer"] = chunk * N * 8.0
    parts["state and scratch vectors"] = 6.0 * N * 8
    return parts


# --------------------------------------------------------------------------------------
# emulated number formats (rnmf.sim.formats)
# --------------------------------------------------------------------------------------


def simulate(
    net: RateNetwork,
    T: float,
    *,
    dt: float = 0.05,
    rng: None | int | np.random.Generator = None,
    method: Literal["euler", "exp_euler"] = "euler",
    x0: np.ndarray | None = None,
    burn_in: float = 0.0,
    record_units: int | np.ndarray | str = 200,
    record_every: int = 1,
    fmt: str | NumberFormat | MixedPrecision = "float64",
    J: np.ndarray | None = None,
    I: np.ndarray | None = None,
    progress: bool | None = None,
    divergence_limit: float | None = None,
) -> Trajectory:
    r"""Simulate one realisation of a random rate network.

    Samples ``J`` and ``I`` (unless given) and steps

    .. math:: x \leftarrow a\,x + b\,(J\phi(x) + I) + c\,\xi

    with the scheme's coefficients (:func:`step_coefficients`): Euler-Maruyama or
    exponential Euler for the SDE of Sompolinsky, Crisanti & Sommers (1988, eq. 1)
    with white noise (Schuecker, Goedeke & Helias 2018, eq. 1), or the discrete map
    of Molgedey, Schuchhardt & Schuster (1992, eq. 1).

    Parameters
    ----------
    net : RateNetwork
        The model.
    T : float
        Recorded duration after the burn-in, in units of tau (number of steps for the
        discrete map). Rounded to a whole number of steps.
    dt : float
        Time step in units of tau (ignored for the map). Euler needs ``dt < 1``; use
        ``dt <= 0.1`` for accuracy.
    rng : None, int or numpy.random.Generator
        Randomness (SPEC 7). Draw order: J, I, x0, then the noise step by step
        (:mod:`rnmf.sim.connectivity`). Same seed -> bitwise identical trajectory.
    method : {"euler", "exp_euler"}
        Integration scheme for continuous time (ignored for the map).
    x0 : (N,) array, optional
        Initial state; default i.i.d. standard normal :math:`x_i(0) \sim N(0, 1)`.
    burn_in : float
        Duration simulated before recording starts (units of tau, or steps); not part
        of ``T``, and ``t[0] == burn_in``.
    record_units : int, array of int or "all"
        The first n units, the given unit indices, or all units.
    record_every : int
        Record every this many steps (>= 1).
    fmt : "float64", "float32", a format name, NumberFormat or MixedPrecision
        Number format of the state, couplings and arithmetic.  ``"float64"`` and
        ``"float32"`` run natively.  Any other format (``"bfloat16"``, ``"fp16-sr"``,
        ``"Q(4,11)"``, a :class:`~rnmf.sim.formats.NumberFormat`, a
        :class:`~rnmf.sim.formats.MixedPrecision`; see :func:`rnmf.sim.formats.get_format`)
        is emulated exactly by :mod:`rnmf.sim._kernels.rate_formats`: couplings rounded
        once to the weight format, activations and state rounded to the state format,
        every operation of the update rounded to the accumulator format (the scheme
        coefficients once, to nearest), (a 16-bit
        float name alone means float32 accumulation, see
        :func:`rnmf.sim.formats.as_precision`).  Stochastic rounding is keyed by the
        int ``rng`` (a Generator gives one extra integer draw after ``x0``), so a seed
        fixes the run bit for bit.
    J : (N, N) array, optional
        Couplings (``J[i, j]``: from j onto i), instead of sampling them.
    I : (N,) array, optional
        External inputs, instead of sampling them.
    progress : bool or None
        None (default): a progress bar on stderr that appears when the run lasts
        more than 2 s; True: from the start; False: none.
    divergence_limit : float, optional
        The run stops, and the result says ``diverged``, when some :math:`|x_i|`
        exceeds this (or is not finite).  Default :math:`10^{10}` times
        ``max(1, max|x0|, max|I|, sigma_noise)``.

    Returns
    -------
    Trajectory
        Recorded states, population moments over all N units at every recorded time,
        and the final state.  ``Trajectory.diverged`` (with a ``RuntimeWarning``)
        when the state ran away.

    Raises
    ------
    rnmf.sim._memory.InsufficientMemoryError
        (a ``MemoryError`` and a ``ValueError``) when the couplings and recordings
        would not fit into the available memory; raised before allocating, with the
        numbers.
    ValueError
        When ``T + burn_in`` would take more than ``rnmf._checks.MAX_STEPS`` (1e10) time
        steps of ``dt`` (hours of computing); refused up front with the step count.

    Notes
    -----
    Built-in transfer functions run in a compiled numba kernel; a custom
    ``Transfer`` runs in a NumPy loop (slower for small N), which also stops when
    phi returns NaN or inf at a finite input.

    Reproducibility: the kernels are serial and the noise is pre-generated from the
    Generator in chunks (the chunk size does not change the stream), so the same seed
    gives a bitwise identical trajectory on the same machine, BLAS library and BLAS
    thread count (a multi-threaded gemv may sum in another order elsewhere).
    ``Trajectory.seed`` reproduces a run whose ``J``, ``I`` and ``x0`` were sampled.
    """
    net = _check_net(net)
    prec, dtype, native_acc = _resolve_precision(fmt)
    dt = _check_dt(net, dt, method)
    n_T = _n_steps("T", T, net, dt, allow_zero=False)
    n_burn = _n_steps("burn_in", burn_in, net, dt, allow_zero=True)
    every = check_int("record_every (steps between records)", record_every, minimum=1)
    units = _resolve_units(record_units, net.N)
    if progress is not None and not isinstance(progress, bool | np.bool_):
        raise ValueError(f"progress must be True, False or None (automatic), got {progress!r}")
    seed = int(rng) if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) else None
    N = net.N
    n_total = n_burn + n_T
    n_rec = n_T // every + 1
    chunk = _chunk_len(N, net.noisy)
    check_memory(
        "simulate",
        _memory_parts(N, n_rec, units.size, dtype, J is None, chunk, net.noisy),
        hint="Reduce N, T / record_every or record_units, or use fmt='float32'.",
    )
    gen = as_rng(rng)
    J, I, x = _network_and_state(net, gen, dtype, J, I, x0)
    if prec is not None:
        key = seed if seed is not None and seed >= 0 else int(gen.integers(0, 2**63))
        J, I, x, JT = _round_network(prec, J, I, x, dtype, key)
    limit = _divergence_limit(divergence_limit, x, I, net.sigma_noise, dtype)

    rec_x = np.empty((n_rec, units.size), dtype=dtype)
    stats = np.empty((n_rec, 4), dtype=np.float64)
    p = _step_params(net, dt, method, dtype, limit)
    counts = np.zeros(1, dtype=np.int64)
    if prec is not None:
        p = _emulated_params(p, prec, key)
        coef = np.array([p.decay, p.gain, p.noise], dtype=dtype)
    custom = p.code < 0
    phi = _custom_phi(net, dtype) if custom else None
    r = np.empty(N, dtype=dtype)
    h = np.empty(N, dtype=dtype)
    reason = ""
    if not np.all(np.isfinite(x)):
        raise ValueError("x0 (initial state) must be finite")
    if custom:
        reason = _bad_phi(x, phi(x))
    if n_burn == 0 and not reason:
        if custom:
            _record_numpy(x, phi, units, rec_x, stats, 0)
        else:
            record(x, p, units, rec_x, stats, 0, r)
    bar = progress_bar(progress, n_total, "rnmf.sim.simulate")
    done = 0
    try:
        while done < n_total and not reason:
            m = min(chunk, n_total - done)
            noise = _noise_chunk(gen, m, N, dtype, net.noisy)
            plan = RecordPlan(done, n_burn, every)
            if custom:
                taken, reason = _advance_numpy(x, J, I, noise, m, p, plan, units, rec_x, stats, phi)
            elif prec is not None:
                taken, bad = advance_format(
                    x, JT, I, noise, m, p, plan, units, rec_x, stats, r, h,
                    prec.state.params(), prec.accumulator.params(), key, native_acc, counts,
                    coef,
                )  # fmt: skip
                reason = _limit_reason(x, limit) if bad else ""
            else:
                taken, bad = advance(x, J, I, noise, m, p, plan, units, rec_x, stats, r, h)
                reason = _limit_reason(x, limit) if bad else ""
            done += taken
            if bar is not None:
                bar.update(taken)
    finally:
        if bar is not None:
            bar.close()

    step = 1.0 if net.discrete else dt
    t = (n_burn + every * np.arange(n_rec)) * step
    diverged_at = None
    if reason:
        # the state after `done` steps is the first bad one (too large, or phi of it not
        # finite): records from that step on are NaN
        last_good = done - 1
        n_ok = 0 if last_good < n_burn else (last_good - n_burn) // every + 1
        rec_x[n_ok:] = np.nan
        stats[n_ok:] = np.nan
        diverged_at = done * step
        unit = "steps" if net.discrete else "units of tau"
        _warn_diverged("simulate", diverged_at, unit, reason, _divergence_hint(net))
    stats = np.ascontiguousarray(stats.T)
    for arr in (t, rec_x, units, stats, x):
        arr.flags.writeable = False
    return Trajectory(
        model=net,
        method="map" if net.discrete else method,
        options={
            "dt": step,
            "burn_in": n_burn * step,
            "record_every": every,
            "fmt": str(dtype.name) if prec is None else str(prec),
            "divergence_limit": float(limit),
        },
        converged=not reason,
        status=Status.DIVERGED if reason else Status.CONVERGED,
        n_iter=done,
        residual=0.0,
        t=t,
        x=rec_x,
        units=units,
        mean_x=stats[0],
        mean_x2=stats[1],
        mean_phi=stats[2],
        mean_phi2=stats[3],
        x_final=x,
        dt=step,
        record_every=every,
        burn_in=n_burn * step,
        T=n_T * step,
        n_steps=done,
        fmt=str(dtype.name) if prec is None else str(prec),
        seed=seed,
        diverged=bool(reason),
        diverged_at=diverged_at,
        diverged_reason=reason,
        n_overflow=int(counts[0]),
    )
