r"""Lyapunov exponents of a simulated random rate network (QR / Benettin method).

The exponents are those of the discretised dynamics actually simulated
(:func:`rnmf.sim.simulate`'s schemes): the tangent vectors follow the Jacobian of
one step,

.. math:: Q \leftarrow a\,Q + b\,J\,\mathrm{diag}\big(\phi'(x)\big)\,Q

(Euler: :math:`a = 1 - \Delta t,\ b = \Delta t`; exponential Euler:
:math:`a = e^{-\Delta t},\ b = 1 - e^{-\Delta t}`; discrete map: :math:`a = 0,\ b = 1`),
and are re-orthonormalised by a QR decomposition every ``t_ons``; the k largest
exponents are the time-averaged :math:`\log|R_{jj}|` (Benettin, Galgani, Giorgilli &
Strelcyn 1980, Meccanica 15:9; Eckmann & Ruelle 1985, Rev Mod Phys 57:617;
for random rate networks Engelken, Wolf & Abbott 2020, arXiv:2006.02427).
As dt -> 0 they converge (to first order in dt) to the exponents of the ODE/SDE.
Exponents are per unit time in units of tau (per step for the discrete map).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from rnmf._checks import as_rng, check_bool, check_int, check_positive, check_step_count
from rnmf.models import RateNetwork
from rnmf.results import Result, Status, finish

from ._kernels.rate import advance_tangent
from ._memory import check_memory, progress_bar
from .connectivity import _check_net
from .rate import (
    _check_dt,
    _check_fmt,
    _chunk_len,
    _n_steps,
    _network_and_state,
    _noise_chunk,
    _step_params,
)

__all__ = ["LyapunovSpectrum", "largest_lyapunov", "lyapunov_spectrum"]


@dataclass(frozen=True, kw_only=True, repr=False)
class LyapunovSpectrum(Result):
    """The k largest Lyapunov exponents of one simulated network.

    Attributes
    ----------
    exponents : (k,) array
        Exponents sorted in descending order, per unit time in units of tau (per step
        for the discrete map).
    sem : (k,) array
        Standard errors from the spread of block means of the per-interval growth rates
        (up to 20 consecutive blocks); NaN with fewer than two intervals.
    history : (n_intervals, k) array
        Running estimates after each re-orthonormalisation interval (convergence).
    times : (n_intervals,) array
        Averaging time at each row of ``history`` (units of tau, or steps).
    t_ons : float
        Re-orthonormalisation interval actually used (a whole number of steps).
    dt : float
        Time step in units of tau (1 for the map).
    T : float
        Averaging time (after the burn-in).
    x_final : (N,) array
        Final state.
    seed : int or None
        The int seed passed as ``rng``, if any.
    """

    exponents: np.ndarray
    sem: np.ndarray
    history: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    times: np.ndarray = field(default_factory=lambda: np.empty(0))
    t_ons: float = 1.0
    dt: float = 0.05
    T: float = 0.0
    x_final: np.ndarray = field(default_factory=lambda: np.empty(0))
    seed: int | None = None

    _base_hidden = ("model", "options", "history", "times", "x_final")

    @property
    def largest(self) -> float:
        """The largest exponent (per unit tau, or per step)."""
        return float(self.exponents[0])

    @property
    def per_time(self) -> np.ndarray:
        """The exponents per unit of the user's time, ``exponents / tau`` (per step for the map)."""
        net = self.model
        if getattr(net, "discrete", False):
            return self.exponents
        return self.exponents / net.tau

    def _repr_rows(self) -> list[tuple[str, str]]:
        rows = super()._repr_rows()
        unit = "per step" if getattr(self.model, "discrete", False) else "per unit tau"
        rows.insert(0, ("units", f"exponents {unit} (per_time = exponents / tau)"))
        return rows


def _block_sem(rates: np.ndarray, n_blocks: int = 20) -> np.ndarray:
    n = rates.shape[0]
    nb = min(n_blocks, n)
    if nb < 2:
        return np.full(rates.shape[1], np.nan)
    size = n // nb
    blocks = rates[n - nb * size :].reshape(nb, size, -1).mean(axis=1)
    return blocks.std(axis=0, ddof=1) / math.sqrt(nb)


def _advance_tangent_numpy(x, Qt, J, I, noise, n_intervals, n_ons, p, logs, phi) -> None:
    """NumPy twin of :func:`rnmf.sim._kernels.rate.advance_tangent` for a custom phi.

    Same update (Jacobian :math:`a + b\\,J\\,\\mathrm{diag}(\\phi'(x))` at the pre-step
    state, Engelken, Wolf & Abbott 2020) with phi' from ``phi.derivative`` (given,
    sympy or automatic, :class:`rnmf.transfer.Transfer`).
    """
    dtype = x.dtype
    noisy = noise.shape[0] > 0
    step = 0
    with np.errstate(all="ignore"):
        for m in range(n_intervals):
            for _ in range(n_ons):
                r = np.asarray(phi(x), dtype=dtype)
                d = np.asarray(phi.derivative(x), dtype=dtype)
                M = d[None, :] * Qt
                H = M @ J.T
                x *= p.decay
                x += p.gain * (J @ r + I)
                if noisy:
                    x += p.noise * noise[step]
                Qt *= p.decay
                Qt += p.gain * H
                step += 1
            q, R = np.linalg.qr(Qt.T)
            logs[m] = np.log(np.abs(np.diag(R)))
            Qt[:, :] = q.T


def lyapunov_spectrum(
    net: RateNetwork,
    T: float,
    *,
    k: int = 1,
    dt: float = 0.05,
    rng: None | int | np.random.Generator = None,
    method: Literal["euler", "exp_euler"] = "euler",
    t_ons: float = 1.0,
    burn_in: float = 100.0,
    x0: np.ndarray | None = None,
    J: np.ndarray | None = None,
    I: np.ndarray | None = None,
    fmt: Literal["float64", "float32"] = "float64",
    raise_on_failure: bool = True,
    progress: bool | None = None,
) -> LyapunovSpectrum:
    r"""The k largest Lyapunov exponents by the QR method (module docstring).

    Parameters
    ----------
    net : RateNetwork
        The model.  Built-in transfer functions run in the compiled kernel; a custom
        :class:`~rnmf.transfer.Transfer` (given, sympy or automatic derivative) runs
        the same tangent dynamics in NumPy.
    T : float
        Averaging time after the burn-in, in units of tau (steps for the map); rounded
        down to whole re-orthonormalisation intervals.
    k : int
        Number of exponents (1 <= k <= N).
    dt : float
        Time step in units of tau (ignored for the map).
    rng : None, int or numpy.random.Generator
        Randomness. Draw order: J, I, x0, the k initial tangent vectors, then the noise.
    method : {"euler", "exp_euler"}
        Scheme; the exponents are those of this discretised map.
    t_ons : float
        Re-orthonormalisation interval (units of tau, or steps), rounded to whole steps.
    burn_in : float
        Transient (units of tau, or steps) during which state and tangent vectors
        evolve and the growth is discarded; rounded up to whole intervals.
    x0, J, I : arrays, optional
        Initial state, couplings and inputs instead of sampling them.
    fmt : {"float64", "float32"}
        Number format.
    raise_on_failure : bool
        Raise :class:`~rnmf.results.ConvergenceError` when an exponent is not finite
        (the state or the tangent vectors overflowed, or a tangent vector collapsed to
        zero, e.g. relu units all below threshold in the map); with False the partial
        result comes back with ``status = Status.INVALID``.
    progress : bool or None
        None (default): a progress bar on stderr that appears when the run lasts
        more than 2 s; True: from the start; False: none.

    Returns
    -------
    LyapunovSpectrum

    Raises
    ------
    ValueError
        When ``T``, ``burn_in`` or ``t_ons`` would take more than ``rnmf._checks.MAX_STEPS``
        (1e10) time steps of ``dt`` (hours of computing); refused up front with the count.

    References
    ----------
    Benettin et al. 1980, Meccanica 15:9 (QR method); Engelken, Wolf & Abbott 2020,
    arXiv:2006.02427 (Jacobian :math:`-1 + J\,\mathrm{diag}(\phi')` of the rate network).
    """
    net = _check_net(net)
    check_bool("raise_on_failure", raise_on_failure)
    dtype = _check_fmt(fmt)
    dt = _check_dt(net, dt, method)
    if progress is not None and not isinstance(progress, bool | np.bool_):
        raise ValueError(f"progress must be True, False or None (automatic), got {progress!r}")
    k = check_int("k (number of exponents)", k, minimum=1)
    if k > net.N:
        raise ValueError(f"k = {k} exceeds N = {net.N}; ask for at most N exponents")
    if net.discrete:
        n_ons = _n_steps("t_ons", t_ons, net, dt, allow_zero=False)
    else:
        check_positive("t_ons (re-orthonormalisation interval in units of tau)", t_ons)
        check_step_count("t_ons", t_ons, dt, unit=" tau")
        n_ons = max(1, int(round(t_ons / dt)))
    n_T = _n_steps("T", T, net, dt, allow_zero=False)
    n_int = n_T // n_ons
    if n_int < 1:
        raise ValueError(
            f"T = {T} is shorter than one re-orthonormalisation interval t_ons = {t_ons}; "
            "increase T or decrease t_ons"
        )
    n_burn_int = -(-_n_steps("burn_in", burn_in, net, dt, allow_zero=True) // n_ons)
    seed = int(rng) if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) else None
    N = net.N
    item = dtype.itemsize
    check_memory(
        "lyapunov_spectrum",
        {
            f"couplings J (N^2 = {N}^2 x {item} bytes)": N * N * item if J is None else 0,
            f"tangent vectors and scratch (3 x (k + 1) x N = {k + 1} x {N})": 3.0 * (k + 1) * N * 8,
            f"growth history ({n_int} intervals x k = {k})": 3.0 * n_int * k * 8,
        },
        hint="Reduce N, k or T / t_ons.",
    )
    gen = as_rng(rng)
    Jm, Iv, x = _network_and_state(net, gen, dtype, J, I, x0)
    Qt = np.ascontiguousarray(np.linalg.qr(gen.standard_normal((N, k)))[0].T, dtype=dtype)
    p = _step_params(net, dt, method, dtype)
    Mt = np.empty((k + 1, N), dtype=dtype)
    Ht = np.empty((k + 1, N), dtype=dtype)
    per_chunk = max(1, _chunk_len(N, net.noisy) // n_ons)

    custom = p.code < 0

    def run(n_intervals: int, logs: np.ndarray | None, stage: str) -> None:
        bar = progress_bar(progress, n_intervals * n_ons, f"rnmf.sim.lyapunov_spectrum ({stage})")
        try:
            _run(n_intervals, logs, bar)
        finally:
            if bar is not None:
                bar.close()

    def _run(n_intervals: int, logs: np.ndarray | None, bar) -> None:
        # logs=None (burn-in): the growth is discarded, one chunk of scratch suffices
        scratch = np.empty((min(per_chunk, n_intervals), k)) if logs is None else None
        done = 0
        while done < n_intervals:
            m = min(per_chunk, n_intervals - done)
            out = scratch[:m] if logs is None else logs[done : done + m]
            noise = _noise_chunk(gen, m * n_ons, N, dtype, net.noisy)
            if custom:
                _advance_tangent_numpy(x, Qt, Jm, Iv, noise, m, n_ons, p, out, net.phi)
            else:
                advance_tangent(x, Qt, Jm, Iv, noise, m, n_ons, p, out, Mt, Ht)
            done += m
            if bar is not None:
                bar.update(m * n_ons)

    if n_burn_int:
        run(n_burn_int, None, "burn-in")
    logs = np.empty((n_int, k))
    run(n_int, logs, "averaging")

    step = 1.0 if net.discrete else dt
    interval = n_ons * step
    times = interval * np.arange(1, n_int + 1)
    history = np.cumsum(logs, axis=0) / times[:, None]
    rates = logs / interval
    exps = history[-1]
    order = np.argsort(-exps, kind="stable")
    ok = bool(np.all(np.isfinite(exps)))
    with np.errstate(invalid="ignore"):
        sem = _block_sem(rates)
    exps, sem, history = exps[order], sem[order], np.ascontiguousarray(history[:, order])
    for arr in (exps, sem, history, times, x):
        arr.flags.writeable = False
    result = LyapunovSpectrum(
        model=net,
        method="map" if net.discrete else method,
        options={
            "k": k,
            "dt": step,
            "t_ons": interval,
            "burn_in": n_burn_int * interval,
            "fmt": fmt,
        },
        converged=ok,
        status=Status.CONVERGED if ok else Status.INVALID,
        n_iter=n_int,
        residual=float(np.max(sem)) if n_int >= 2 else float("nan"),
        exponents=exps,
        sem=sem,
        history=history,
        times=times,
        t_ons=interval,
        dt=step,
        T=n_int * interval,
        x_final=x,
        seed=seed,
    )
    return finish(result, raise_on_failure)


def largest_lyapunov(net: RateNetwork, T: float, **kwargs) -> LyapunovSpectrum:
    """:func:`lyapunov_spectrum` with ``k = 1`` (same keyword arguments)."""
    if "k" in kwargs:
        raise ValueError("largest_lyapunov computes k = 1; use lyapunov_spectrum for k > 1")
    return lyapunov_spectrum(net, T, k=1, **kwargs)
