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
import sys
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from rnmf._checks import as_rng, check_array, check_choice, check_finite, check_int
from rnmf.models import RateNetwork

from ._kernels.rate import RecordPlan, StepParams, advance, record
from .connectivity import _check_net, sample_couplings, sample_inputs

__all__ = ["METHODS", "Trajectory", "simulate", "step_coefficients"]

METHODS = ("euler", "exp_euler")
FORMATS = ("float64", "float32")
_A_ERF = math.sqrt(math.pi) / 2.0
_NOISE_CHUNK_BYTES = 8 * 2**20  # noise pre-generated in chunks of about 8 MiB
_PLAIN_CHUNK = 2000  # steps per kernel call without noise


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


def _step_params(net: RateNetwork, dt: float, method: str, dtype: np.dtype) -> StepParams:
    a, b, c = step_coefficients(net, dt, method)
    f = dtype.type
    return StepParams(
        code=int(net.phi.code),
        theta=f(net.phi.theta),
        a_erf=f(_A_ERF),
        zero=f(0.0),
        one=f(1.0),
        decay=f(a),
        gain=f(b),
        noise=f(c),
    )


@dataclass(frozen=True, repr=False)
class Trajectory:
    """A simulated trajectory of a :class:`~rnmf.models.RateNetwork`.

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

    The arrays are read-only, like the dataclass itself.
    dt : float
        Time step in units of tau (1 for the discrete map).
    record_every : int
        Steps between recorded times.
    burn_in, T : float
        Discarded and recorded durations (units of tau, or steps).
    n_steps : int
        Steps taken in total (burn-in included).
    method : str
        ``"euler"``, ``"exp_euler"`` or ``"map"``.
    fmt : str
        Number format of the state and couplings.
    seed : int or None
        The int seed passed as ``rng`` (None if a Generator or None was passed);
        with ``seed`` the run is reproduced bit for bit (couplings included).
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
        rows = [
            ("model", self.model.describe()),
            ("method", f"{self.method} (dt={self.dt:g}, fmt={self.fmt})"),
            ("t", f"{self.t.size} times in [{self.t[0]:g}, {self.t[-1]:g}]"),
            ("x", f"{self.x.shape[0]} x {self.x.shape[1]} (times x recorded units)"),
            ("<x>", f"{float(np.mean(self.mean_x)):.6g}"),
            ("<x^2>", f"{float(np.mean(self.mean_x2)):.6g}"),
            ("<phi^2>", f"{float(np.mean(self.mean_phi2)):.6g}"),
            ("seed", str(self.seed)),
        ]
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
        n = check_int(what, value, minimum=0 if allow_zero else 1)
        return n
    v = check_finite(f"{name} (duration in units of tau)", value)
    if v < 0 or (v == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} (duration in units of tau) must be {bound}, got {v!r}")
    n = int(round(v / dt))
    if n == 0 and not allow_zero:
        raise ValueError(
            f"{name} = {v:g} is shorter than one step dt = {dt:g}; increase {name} or decrease dt"
        )
    return n


def _check_fmt(fmt: Any) -> np.dtype:
    check_choice("fmt", fmt, FORMATS)
    return np.dtype(fmt)


def _resolve_units(record_units: Any, N: int) -> np.ndarray:
    if isinstance(record_units, str):
        if record_units != "all":
            raise ValueError(
                f"record_units must be an int, an array of unit indices or 'all', got {record_units!r}"
            )
        return np.arange(N, dtype=np.int64)
    if isinstance(record_units, numbers.Integral) and not isinstance(record_units, bool):
        n = int(record_units)
        if n < 0:
            raise ValueError(f"record_units must be >= 0 (number of units to record), got {n}")
        return np.arange(min(n, N), dtype=np.int64)
    arr = np.asarray(record_units)
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise ValueError(
            "record_units must be an int (first n units), a 1-D integer array of unit indices "
            f"or 'all'; got {record_units!r}"
        )
    arr = arr.astype(np.int64)
    if arr.size and (arr.min() < 0 or arr.max() >= N):
        raise ValueError(
            f"record_units indices must lie in [0, {N - 1}] for N = {N}; got min {arr.min()}, "
            f"max {arr.max()}"
        )
    return np.ascontiguousarray(arr)


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
    if not noisy:
        return _PLAIN_CHUNK
    return max(1, _NOISE_CHUNK_BYTES // (8 * N))


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
    dtype = x.dtype
    noisy = noise.shape[0] > 0
    for k in range(n_steps):
        h = J @ np.asarray(phi(x), dtype=dtype)
        h += I
        x *= p.decay
        x += p.gain * h
        if noisy:
            x += p.noise * noise[k]
        s = plan.first_step + k + 1
        if s >= plan.n_burn and (s - plan.n_burn) % plan.every == 0:
            _record_numpy(x, phi, units, rec_x, stats, (s - plan.n_burn) // plan.every)


def _custom_phi(net: RateNetwork, dtype: np.dtype):
    f = net.phi

    def phi(v: np.ndarray) -> np.ndarray:
        return np.asarray(f(v), dtype=dtype)

    return phi


# --------------------------------------------------------------------------------------
# public entry point
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
    fmt: Literal["float64", "float32"] = "float64",
    J: np.ndarray | None = None,
    I: np.ndarray | None = None,
    progress: bool = False,
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
        Duration simulated before recording starts (units of tau, or steps).
    record_units : int, array of int or "all"
        The first n units, the given unit indices, or all units.
    record_every : int
        Record every this many steps (>= 1).
    fmt : {"float64", "float32"}
        Number format of the state, couplings and arithmetic.
    J : (N, N) array, optional
        Couplings (``J[i, j]``: from j onto i), instead of sampling them.
    I : (N,) array, optional
        External inputs, instead of sampling them.
    progress : bool
        Print the fraction done to stderr after each chunk of steps.

    Returns
    -------
    Trajectory
        Recorded states, population moments over all N units at every recorded time,
        and the final state.

    Notes
    -----
    Built-in transfer functions run in a compiled numba kernel; a custom
    ``Transfer`` runs in a NumPy loop (slower for small N).

    Reproducibility: the kernels are serial and the noise is pre-generated from the
    Generator in chunks (the chunk size does not change the stream), so the same seed
    gives a bitwise identical trajectory on the same machine, BLAS library and BLAS
    thread count (a multi-threaded gemv may sum in another order elsewhere).
    ``Trajectory.seed`` reproduces a run whose ``J``, ``I`` and ``x0`` were sampled.
    """
    net = _check_net(net)
    dtype = _check_fmt(fmt)
    dt = _check_dt(net, dt, method)
    n_T = _n_steps("T", T, net, dt, allow_zero=False)
    n_burn = _n_steps("burn_in", burn_in, net, dt, allow_zero=True)
    every = check_int("record_every (steps between records)", record_every, minimum=1)
    units = _resolve_units(record_units, net.N)
    seed = int(rng) if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) else None
    gen = as_rng(rng)
    J, I, x = _network_and_state(net, gen, dtype, J, I, x0)

    N = net.N
    n_total = n_burn + n_T
    n_rec = n_T // every + 1
    rec_x = np.empty((n_rec, units.size), dtype=dtype)
    stats = np.empty((n_rec, 4), dtype=np.float64)
    p = _step_params(net, dt, method, dtype)
    custom = p.code < 0
    phi = _custom_phi(net, dtype) if custom else None
    r = np.empty(N, dtype=dtype)
    h = np.empty(N, dtype=dtype)
    if n_burn == 0:
        if custom:
            _record_numpy(x, phi, units, rec_x, stats, 0)
        else:
            record(x, p, units, rec_x, stats, 0, r)
    chunk = _chunk_len(N, net.noisy)
    done = 0
    while done < n_total:
        m = min(chunk, n_total - done)
        noise = _noise_chunk(gen, m, N, dtype, net.noisy)
        plan = RecordPlan(done, n_burn, every)
        if custom:
            _advance_numpy(x, J, I, noise, m, p, plan, units, rec_x, stats, phi)
        else:
            advance(x, J, I, noise, m, p, plan, units, rec_x, stats, r, h)
        done += m
        if progress:
            print(f"rnmf.sim.simulate: {done}/{n_total} steps", file=sys.stderr)

    step = 1.0 if net.discrete else dt
    t = (n_burn + every * np.arange(n_rec)) * step
    stats = np.ascontiguousarray(stats.T)
    for arr in (t, rec_x, units, stats, x):
        arr.flags.writeable = False
    return Trajectory(
        model=net,
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
        n_steps=n_total,
        method="map" if net.discrete else method,
        fmt=str(dtype.name),
        seed=seed,
    )
