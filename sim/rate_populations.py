r"""Batched simulation of multi-population rate networks (:class:`~rnmf.models.RatePopulationNetwork`).

Unit i of population a follows (time in the unit of the ``tau_a``; Kadmon & Sompolinsky 2015,
PRX 5:041030, eq. 1; drive as in Rajan, Abbott & Sompolinsky 2010, PRE 82:011903)

.. math:: \tau_a\,dx_i = \Big[-x_i + \sum_j J_{ij}\phi_{b(j)}(x_j) + I_i + D_i(t)\Big]dt
          + \sqrt{\tau_a}\,\sigma_a\,dW_i

stepped with Euler(-Maruyama) or exponential Euler (input held over the step, drive
evaluated at the start of the step), per-unit coefficients from :func:`step_vectors`.

Batching.  :func:`simulate_rate_populations` advances ``networks`` sampled networks with
``trials`` initial conditions each, all at once: the state is an ``(m, N, B)`` array and a
step costs one gemm :math:`J_n\,\phi(X_n)` per network (dense couplings, read once for the B
trials) or one pass over the CSR rows (sparse fixed in-degree couplings, each weight applied
to the B trials).  :func:`lyapunov_populations` runs the QR (tangent) method with the
tangent vectors in the same gemm as the state.

Draw order (``rng``): for each network, the couplings (Gaussian blocks: an (N, N) standard
normal matrix; fixed in-degree: one uniform (N_a, N_b) matrix per block whose K smallest
entries per row pick the inputs), the quenched inputs (N normals), the drive phases
(N uniforms, sine drive only); then the initial states (an (m, B, N) normal array), then the
noise chunk by chunk.  For one population, one network and one trial this is the draw
order of :func:`rnmf.sim.simulate`, so a converted :class:`~rnmf.models.RateNetwork` gives
the same couplings, inputs, initial state and noise.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from rnmf._checks import as_rng, check_array, check_choice, check_finite, check_int
from rnmf.models import RatePopulationNetwork
from rnmf.results import ConvergenceError, Result, Status

from ._kernels.rate_populations import PopParams, advance_dense, advance_sparse, tangent_dense
from ._kernels.rate_populations import _rates as _rates_kernel
from ._kernels.rate_populations import _record as _record_kernel
from ._kernels.rate_populations import _update as _update_kernel
from ._memory import check_memory, progress_bar
from ._shared import _resolve_units, _warn_diverged
from .lyapunov import LyapunovSpectrum, _block_sem

__all__ = [
    "RatePopulationTrajectory",
    "lyapunov_populations",
    "sample_population_network",
    "simulate_rate_populations",
    "step_vectors",
]

METHODS = ("euler", "exp_euler")
_CODES = {"tanh": 0, "erf": 1, "relu": 2, "linear": 3}
_CHUNK_WORK = 4 * 10**7
_NOISE_BYTES = 16 * 2**20
_VECTOR_MIN = 8192  # N * trials from which dense runs step in the vectorised path


def _phi_numpy(x: np.ndarray, out: np.ndarray, pp: PopParams) -> None:
    """out = phi(x) population by population with NumPy ufuncs (SIMD)."""
    for a in range(pp.codes.shape[0]):
        lo, hi = int(pp.bounds[a]), int(pp.bounds[a + 1])
        xs, os_ = x[:, lo:hi, :], out[:, lo:hi, :]
        code = int(pp.codes[a])
        if code == 0:
            np.tanh(xs, out=os_)
        elif code == 1:
            from scipy.special import erf

            np.multiply(xs, math.sqrt(math.pi) / 2.0, out=os_)
            erf(os_, out=os_)
        elif code == 2:
            np.subtract(xs, pp.thetas[a], out=os_)
            np.maximum(os_, 0.0, out=os_)
        else:
            os_[...] = xs


def _advance_vectorised(x, J, I, drive, noise, n_steps, pp, units, rec_x, stats, R, H):
    """Same steps as :func:`~rnmf.sim._kernels.rate_populations.advance_dense`, with the
    transfer function in NumPy and the gemm by ``np.matmul`` (equal up to the last bit of phi)."""
    fresh = False
    for k in range(n_steps):
        if not fresh:
            _phi_numpy(x, R, pp)
        fresh = False
        np.matmul(J, R, out=H)
        if not _update_kernel(x, H, I, drive, noise, k, pp):
            return k + 1, True
        s = pp.first_step + k + 1
        if s >= pp.n_burn and (s - pp.n_burn) % pp.every == 0:
            _phi_numpy(x, R, pp)
            _record_kernel(x, R, pp, units, rec_x, stats, (s - pp.n_burn) // pp.every)
            fresh = True
    return n_steps, False


def step_vectors(net: RatePopulationNetwork, dt: float, method: str) -> tuple[np.ndarray, ...]:
    r"""Per-unit coefficients ``(a, b, c)`` of :math:`x \leftarrow a x + b(\ldots) + c\xi`.

    Euler-Maruyama: :math:`a = 1 - \Delta t/\tau,\ b = \Delta t/\tau,\ c = \sigma\sqrt{\Delta t/\tau}`;
    exponential Euler: :math:`a = e^{-\Delta t/\tau},\ b = 1 - a,\
    c = \sigma\sqrt{(1 - e^{-2\Delta t/\tau})/2}` (as :func:`rnmf.sim.rate.step_coefficients`
    with time in units of each population's tau).
    """
    pop = net.population
    tau = np.asarray(net.tau, float)[pop]
    sig = np.asarray(net.sigma_noise, float)[pop]
    h = dt / tau
    if method == "euler":
        return 1.0 - h, h, sig * np.sqrt(h)
    a = np.exp(-h)
    return a, -np.expm1(-h), sig * np.sqrt(-np.expm1(-2.0 * h) / 2.0)


@dataclass(frozen=True)
class _Sampled:
    J: np.ndarray | None  # (m, N, N) dense
    csr: tuple | None  # (indptr (m, N+1), indices (m, nnz), data (m, nnz))
    I: np.ndarray  # (m, N)
    phases: np.ndarray  # (m, N)


def _fixed_indegree(net: RatePopulationNetwork, gen: np.random.Generator, n: int) -> tuple:
    """CSR rows of one fixed in-degree network (draws: one uniform block per (a, b))."""
    N = net.N
    K = np.asarray(net.K, dtype=np.int64)
    Jw = np.asarray(net.J, float)
    sl = net.slices
    cols = [[] for _ in range(N)]
    vals = [[] for _ in range(N)]
    rows_idx = []
    rows_val = []
    for a, (lo, hi) in enumerate(sl):
        idx_a = []
        val_a = []
        for b, (blo, bhi) in enumerate(sl):
            k = int(K[a, b])
            u = gen.random((hi - lo, bhi - blo))
            if k == 0:
                continue
            pick = np.sort(np.argpartition(u, k - 1, axis=1)[:, :k], axis=1) + blo
            idx_a.append(pick)
            val_a.append(np.full(pick.shape, Jw[a, b]))
        if idx_a:
            rows_idx.append(np.concatenate(idx_a, axis=1))
            rows_val.append(np.concatenate(val_a, axis=1))
        else:
            rows_idx.append(np.zeros((hi - lo, 0), np.int64))
            rows_val.append(np.zeros((hi - lo, 0)))
    del cols, vals
    counts = np.concatenate(
        [np.full(hi - lo, r.shape[1]) for (lo, hi), r in zip(sl, rows_idx, strict=True)]
    )
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    indices = np.concatenate([r.ravel() for r in rows_idx]).astype(np.int64)
    data = np.concatenate([v.ravel() for v in rows_val])
    return indptr, indices, data


def sample_population_network(
    net: RatePopulationNetwork,
    rng: None | int | np.random.Generator = None,
    *,
    networks: int = 1,
    sparse: bool | None = None,
    dtype: Any = np.float64,
) -> _Sampled:
    """Couplings, inputs and drive phases of ``networks`` realisations (module docstring).

    Dense couplings come back as an (m, N, N) array, sparse ones (fixed in-degree with
    ``sparse`` True or None) as stacked CSR arrays.
    """
    gen = as_rng(rng)
    dtype = np.dtype(dtype)
    N = net.N
    m = networks
    pop = net.population
    sparse = (net.connectivity == "fixed_indegree") if sparse is None else bool(sparse)
    if sparse and net.connectivity != "fixed_indegree":
        raise ValueError("sparse=True needs connectivity='fixed_indegree'")
    J = None if sparse else np.empty((m, N, N), dtype=dtype)
    csr_parts = []
    I = np.empty((m, N), dtype=dtype)
    phases = np.zeros((m, N))
    for n in range(m):
        if net.connectivity == "gaussian":
            z = gen.standard_normal((N, N))
            S = (np.asarray(net.g) / np.sqrt(N))[pop][:, pop]
            z *= S
            J0 = np.asarray(net.J0)
            if np.any(J0 != 0.0):
                z += (J0 / N)[pop][:, pop]
            J[n] = z
        elif net.connectivity == "fixed_indegree":
            ip, ix, dv = _fixed_indegree(net, gen, n)
            if sparse:
                csr_parts.append((ip, ix, dv))
            else:
                Jn = np.zeros((N, N))
                rows = np.repeat(np.arange(N), np.diff(ip))
                Jn[rows, ix] = dv
                J[n] = Jn
        else:
            J[n] = net.couplings
        eta = gen.standard_normal(N)
        I[n] = np.asarray(net.I0, float)[pop] + np.asarray(net.sigma_I, float)[pop] * eta
        if net.drive is not None and net.drive.kind == "sine":
            phases[n] = net.drive.sample_phases(N, gen)
    csr = None
    if sparse:
        indptr = np.stack([p[0] for p in csr_parts])
        nnz = max(p[1].size for p in csr_parts)
        indices = np.zeros((m, nnz), np.int64)
        data = np.zeros((m, nnz), dtype=dtype)
        for n, (_, ix, dv) in enumerate(csr_parts):
            indices[n, : ix.size] = ix
            data[n, : dv.size] = dv
        csr = (indptr, indices, data)
    return _Sampled(J=J, csr=csr, I=I, phases=phases)


@dataclass(frozen=True, kw_only=True, repr=False)
class RatePopulationTrajectory(Result):
    """Simulated trials of a :class:`~rnmf.models.RatePopulationNetwork`.

    Attributes
    ----------
    t : (n_rec,) array
        Recorded times (``t[0] == burn_in``).
    x : (n_rec, m, B, n_units) array
        Recorded states of the units ``units`` in each network and trial.
    units : (n_units,) int64 array
    mean_x, mean_x2, mean_phi, mean_phi2 : (n_rec, m, B, P) float64 arrays
        Population averages over all units of each population.
    x_final : (m, N, B) array
        Final states.
    networks, trials : int
        m sampled networks, B trials (initial conditions) each.
    dt, record_every, burn_in, T, n_steps, fmt, seed, sparse
        Run settings.
    diverged, diverged_at, diverged_reason
        Divergence report (simulator convention): rows from ``diverged_at`` on are NaN.
    """

    t: np.ndarray
    x: np.ndarray
    units: np.ndarray
    mean_x: np.ndarray
    mean_x2: np.ndarray
    mean_phi: np.ndarray
    mean_phi2: np.ndarray
    x_final: np.ndarray
    networks: int = 1
    trials: int = 1
    dt: float = 0.05
    record_every: int = 1
    burn_in: float = 0.0
    T: float = 0.0
    n_steps: int = 0
    fmt: str = "float64"
    sparse: bool = False
    seed: int | None = None
    diverged: bool = False
    diverged_at: float | None = None
    diverged_reason: str = ""
    _base_hidden = (
        "model",
        "options",
        "x",
        "x_final",
        "mean_x",
        "mean_x2",
        "mean_phi",
        "mean_phi2",
    )

    @property
    def var_x(self) -> np.ndarray:
        """Population variance of x, (n_rec, m, B, P)."""
        return self.mean_x2 - self.mean_x**2


def _check_common(net: Any, dt: Any, method: str, fmt: str) -> tuple[float, np.dtype]:
    if not isinstance(net, RatePopulationNetwork):
        raise ValueError(f"expected a RatePopulationNetwork, got {type(net).__name__}")
    check_choice("method", method, METHODS)
    check_choice("fmt", fmt, ("float64", "float32"))
    dt = check_finite("dt (time step)", dt)
    tmin = min(net.tau)
    if dt <= 0 or dt >= tmin:
        raise ValueError(
            f"dt must lie in (0, min(tau) = {tmin:g}); got {dt!r} (use dt <= 0.1 * min(tau))"
        )
    for a, phi in enumerate(net.phi):
        if phi.kind not in _CODES:
            raise ValueError(
                f"phi[{a}] = {phi.name!r}: the population simulator runs the built-in transfer "
                "functions tanh, erf, relu, linear"
            )
    return dt, np.dtype(fmt)


def _steps(name: str, value: Any, dt: float, allow_zero: bool) -> int:
    v = check_finite(f"{name} (duration)", value)
    if v < 0 or (v == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {v!r}")
    n = int(round(v / dt))
    if n == 0 and not allow_zero:
        raise ValueError(f"{name} = {v:g} is shorter than one step dt = {dt:g}")
    return n


def _params(net, dt, method, dtype, limit, first, n_burn, every) -> PopParams:
    a, b, c = step_vectors(net, dt, method)
    return PopParams(
        bounds=np.concatenate([[0], np.cumsum(net.sizes)]).astype(np.int64),
        codes=np.array([_CODES[p.kind] for p in net.phi], dtype=np.int64),
        thetas=np.array([p.theta for p in net.phi], dtype=dtype),
        decay=a.astype(dtype), gain=b.astype(dtype), noise=c.astype(dtype),
        limit=float(limit), first_step=int(first), n_burn=int(n_burn), every=int(every),
    )  # fmt: skip


def _drive_chunk(net, first: int, n: int, dt: float, phases: np.ndarray, dtype) -> np.ndarray:
    """(n, m, N) drive values at the start of steps first .. first + n - 1."""
    m, N = phases.shape
    if net.drive is None:
        return np.empty((0, m, N), dtype=dtype)
    pop = net.population
    d = net.drive
    t = (first + np.arange(n)) * dt
    if d.kind == "sine":
        amp = d.unit_amplitudes(pop)
        w = 2.0 * math.pi * d.frequency
        out = amp[None, None, :] * np.cos(w * t[:, None, None] + phases[None, :, :])
        return out.astype(dtype)
    out = np.empty((n, m, N), dtype=dtype)
    for k in range(n):
        out[k] = d.evaluate(float(t[k]), pop, phases[0])[None, :]
    return out


def simulate_rate_populations(
    net: RatePopulationNetwork,
    T: float,
    *,
    dt: float = 0.05,
    rng: None | int | np.random.Generator = None,
    trials: int = 1,
    networks: int = 1,
    method: Literal["euler", "exp_euler"] = "euler",
    x0: np.ndarray | None = None,
    burn_in: float = 0.0,
    record_units: int | np.ndarray | str = 200,
    record_every: int = 1,
    fmt: Literal["float64", "float32"] = "float64",
    sparse: bool | None = None,
    J: np.ndarray | None = None,
    progress: bool | None = None,
    divergence_limit: float | None = None,
) -> RatePopulationTrajectory:
    r"""Simulate ``networks`` x ``trials`` realisations of a multi-population rate network.

    Parameters
    ----------
    net : RatePopulationNetwork
        The model (built-in transfer functions).
    T : float
        Recorded duration after ``burn_in`` (same unit as ``tau``).
    dt : float
        Time step, ``0 < dt < min(tau)``.
    rng : None, int or Generator
        Randomness; draw order in the module docstring.
    trials : int
        Initial conditions per network (B >= 1), advanced together.
    networks : int
        Independently sampled networks (m >= 1), advanced together.
    method : {"euler", "exp_euler"}
    x0 : array, optional
        Initial states, shape (N,), (m, N) or (m, N, B); default i.i.d. N(0, 1).
    burn_in, record_units, record_every, progress, divergence_limit
        Simulator options (same names and meaning as :func:`rnmf.sim.simulate`).
    fmt : {"float64", "float32"}
    sparse : bool, optional
        CSR couplings (default: True for fixed in-degree, False otherwise).
    J : array, optional
        Dense couplings (N, N) or (m, N, N) instead of sampling them (inputs and phases
        are still drawn).

    Returns
    -------
    RatePopulationTrajectory
    """
    dt, dtype = _check_common(net, dt, method, fmt)
    n_T = _steps("T", T, dt, False)
    n_burn = _steps("burn_in", burn_in, dt, True)
    every = check_int("record_every", record_every, minimum=1)
    B = check_int("trials", trials, minimum=1)
    m = check_int("networks", networks, minimum=1)
    units = _resolve_units(record_units, net.N)
    if progress is not None and not isinstance(progress, bool | np.bool_):
        raise ValueError(f"progress must be True, False or None (automatic), got {progress!r}")
    seed = int(rng) if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) else None
    N = net.N
    n_rec = n_T // every + 1
    use_sparse = (net.connectivity == "fixed_indegree") if sparse is None else bool(sparse)
    if J is not None:
        use_sparse = False
    item = dtype.itemsize
    nnz = (
        int(np.sum(np.asarray(net.K) * net.sizes[:, None]))
        if net.connectivity == "fixed_indegree"
        else 0
    )
    parts = {
        "couplings": (m * nnz * (item + 8) if use_sparse else m * N * N * item) if J is None else 0,
        "float64 draw of one network": 8.0 * N * N if net.connectivity == "gaussian" else 8.0 * nnz,
        "recorded states": n_rec * m * B * units.size * item,
        "population moments": n_rec * m * B * net.P * 4 * 8.0,
        "state and scratch": 4.0 * m * N * B * item,
    }
    check_memory(
        "simulate_rate_populations", parts, hint="Reduce N, networks, trials or T / record_every."
    )
    gen = as_rng(rng)
    if J is None:
        smp = sample_population_network(net, gen, networks=m, sparse=use_sparse, dtype=dtype)
        Jd, csr = smp.J, smp.csr
    else:
        Jd = np.asarray(J)
        if Jd.ndim == 2:
            Jd = np.broadcast_to(Jd, (m, N, N))
        Jd = check_array("J (couplings)", Jd, shape=(m, N, N), dtype=dtype)
        _check_dale(net, Jd)
        smp = sample_population_network(
            RatePopulationNetwork(**{**_fields(net), "connectivity": "explicit", "couplings": np.zeros((N, N)),
                                     "g": None, "J0": None, "K": None, "J": None, "dale": False}),
            gen, networks=m, dtype=dtype,
        )  # fmt: skip
        csr = None
    I = smp.I
    if x0 is None:
        x = np.ascontiguousarray(gen.standard_normal((m, B, N)).transpose(0, 2, 1), dtype=dtype)
    else:
        x0 = np.asarray(x0, dtype=float)
        if x0.shape == (N,):
            x0 = np.broadcast_to(x0[None, :, None], (m, N, B))
        elif x0.shape == (m, N):
            x0 = np.broadcast_to(x0[:, :, None], (m, N, B))
        x = check_array("x0 (initial state)", x0, shape=(m, N, B), dtype=dtype).copy()
    drive_scale = 0.0
    if net.drive is not None and net.drive.kind == "sine":
        drive_scale = float(np.max(net.drive.amplitudes(net.P)))
    if divergence_limit is None:
        limit = 1e10 * max(1.0, float(np.max(np.abs(x))), float(np.max(np.abs(I))),
                           max(net.sigma_noise), drive_scale)  # fmt: skip
    else:
        limit = check_finite("divergence_limit", divergence_limit)
        if limit <= 0:
            raise ValueError(f"divergence_limit must be > 0, got {limit!r}")
    limit = min(limit, 1e-2 * float(np.finfo(dtype).max))

    rec_x = np.full((n_rec, m, B, units.size), np.nan, dtype=dtype)
    stats = np.full((n_rec, m, B, net.P, 4), np.nan)
    R = np.empty((m, N, B), dtype=dtype)
    H = np.empty((m, N, B), dtype=dtype)
    pp = _params(net, dt, method, dtype, limit, 0, n_burn, every)
    if n_burn == 0:
        _rates_kernel(x, R, pp)
        _record_kernel(x, R, pp, units, rec_x, stats, 0)
    n_total = n_burn + n_T
    # large dense batches: a Python step loop around NumPy's SIMD transfer functions, one
    # BLAS gemm per network and the fused numba update (per-step overhead ~10 us, negligible
    # against the gemm); small problems stay in the fully compiled kernel
    vector_path = (not use_sparse) and N * B >= _VECTOR_MIN
    work = max(1, N * (nnz // max(N, 1) if use_sparse else N) * m * B)
    chunk = max(1, min(2000, _CHUNK_WORK // work))
    if net.noisy:
        chunk = max(1, min(chunk, _NOISE_BYTES // (8 * m * N * B)))
    done = 0
    diverged = False
    bar = progress_bar(progress, n_total, "simulate_rate_populations")
    try:
        while done < n_total:
            n = min(chunk, n_total - done)
            noise = (
                gen.standard_normal((n, m, B, N)).transpose(0, 1, 3, 2).astype(dtype, copy=False)
                if net.noisy
                else np.empty((0, m, N, B), dtype=dtype)
            )
            noise = np.ascontiguousarray(noise)
            drive = _drive_chunk(net, done, n, dt, smp.phases, dtype)
            pp = pp._replace(first_step=done)
            if vector_path:
                k, bad = _advance_vectorised(
                    x, Jd, I, drive, noise, n, pp, units, rec_x, stats, R, H
                )
            elif use_sparse:
                k, bad = advance_sparse(
                    x, csr[0], csr[1], csr[2], I, drive, noise, n, pp, units, rec_x, stats, R, H
                )
            else:
                k, bad = advance_dense(x, Jd, I, drive, noise, n, pp, units, rec_x, stats, R, H)
            done += k
            if bar is not None:
                bar.update(k)
            if bad:
                diverged = True
                break
    finally:
        if bar is not None:
            bar.close()
    reason = ""
    when = None
    if diverged:
        when = done * dt
        finite = np.isfinite(x)
        reason = (
            "the state became non-finite" if not np.all(finite)
            else f"the state exceeded the divergence limit {limit:.3g} (max |x| = {np.max(np.abs(x)):.3g})"
        )  # fmt: skip
        first_bad = (done - n_burn + every - 1) // every if done > n_burn else 0
        rec_x[max(first_bad, 0) :] = np.nan
        stats[max(first_bad, 0) :] = np.nan
        _warn_diverged("simulate_rate_populations", when, "time units", reason,
                       "an unbounded transfer function with too strong coupling, or dt too large")  # fmt: skip
    t = (n_burn + every * np.arange(n_rec)) * dt
    return RatePopulationTrajectory(
        model=net, method=method, options={"dt": dt, "trials": B, "networks": m},
        converged=not diverged, status=Status.DIVERGED if diverged else Status.CONVERGED,
        n_iter=done, t=t, x=rec_x, units=units, mean_x=stats[..., 0], mean_x2=stats[..., 1],
        mean_phi=stats[..., 2], mean_phi2=stats[..., 3], x_final=x, networks=m, trials=B, dt=dt,
        record_every=every, burn_in=n_burn * dt, T=n_T * dt, n_steps=done, fmt=str(dtype),
        sparse=use_sparse, seed=seed, diverged=diverged, diverged_at=when, diverged_reason=reason,
    )  # fmt: skip


def _check_dale(net: RatePopulationNetwork, J: np.ndarray) -> None:
    """Given couplings of a model with ``dale=True``: every population's outgoing weights
    (its columns) must share one sign."""
    if not net.dale:
        return
    Js = J.reshape(-1, net.N, net.N)
    for b, (lo, hi) in enumerate(net.slices):
        blk = Js[:, :, lo:hi]
        if np.any(blk > 0) and np.any(blk < 0):
            cols = np.flatnonzero(np.any(blk > 0, axis=(0, 1)) & np.any(blk < 0, axis=(0, 1)))
            where = f"column {lo + int(cols[0])} has both signs" if cols.size else "mixed signs"
            raise ValueError(
                f"J (couplings) violates Dale's law of the model (dale=True): the outgoing weights "
                f"of population {b} (columns {lo}..{hi - 1}) must share one sign ({where})"
            )


def _fields(net: RatePopulationNetwork) -> dict:
    from dataclasses import fields

    return {f.name: getattr(net, f.name) for f in fields(net)}


def lyapunov_populations(
    net: RatePopulationNetwork,
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
    raise_on_failure: bool = True,
    progress: bool | None = None,
) -> LyapunovSpectrum:
    r"""The k largest Lyapunov exponents of one multi-population (possibly driven) network.

    QR method (Benettin et al. 1980; Shimada & Nagashima 1979): k tangent vectors evolve
    with the Jacobian of the discretised map, :math:`Q \leftarrow a\odot Q +
    b\odot J(\phi'(x)\odot Q)`, and are re-orthonormalised every ``t_ons``; the exponents
    are the averaged logarithms of the diagonal of R per unit time.  State and tangent
    vectors share one gemm per step.  Draw order: network (as
    :func:`simulate_rate_populations`), x0, the k initial tangent vectors, then the noise.

    Returns
    -------
    rnmf.sim.lyapunov.LyapunovSpectrum
        Exponents per unit time (the unit of ``tau``).
    """
    dt, dtype = _check_common(net, dt, method, "float64")
    N = net.N
    k = check_int("k (number of exponents)", k, minimum=1, maximum=N)
    n_ons = max(1, int(round(check_finite("t_ons", t_ons) / dt)))
    n_int = _steps("T", T, dt, False) // n_ons
    if n_int < 1:
        raise ValueError(
            f"T = {T!r} is shorter than one re-orthonormalisation interval t_ons = {n_ons * dt:g}"
        )
    n_burn_int = -(-_steps("burn_in", burn_in, dt, True) // n_ons)
    seed = int(rng) if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) else None
    gen = as_rng(rng)
    if J is None:
        smp = sample_population_network(net, gen, networks=1, sparse=False)
        Jd = np.ascontiguousarray(smp.J[0])
    else:
        Jd = check_array("J (couplings)", J, shape=(N, N))
        _check_dale(net, Jd)
        smp = sample_population_network(
            RatePopulationNetwork(**{**_fields(net), "connectivity": "explicit", "couplings": Jd,
                                     "g": None, "J0": None, "K": None, "J": None, "dale": False}),
            gen, networks=1,
        )  # fmt: skip
    I = np.ascontiguousarray(smp.I[0])
    x = gen.standard_normal(N) if x0 is None else check_array("x0", x0, shape=(N,)).copy()
    Q, _ = np.linalg.qr(gen.standard_normal((N, k)))
    Q = np.ascontiguousarray(Q)
    pp = _params(net, dt, method, dtype, 1e12 * max(1.0, float(np.max(np.abs(x)))), 0, 0, 1)
    R = np.empty((N, k + 1))
    H = np.empty((N, k + 1))
    logs = np.zeros((n_int, k))
    total = n_burn_int + n_int
    bar = progress_bar(progress, total * n_ons, "lyapunov_populations")
    status = Status.CONVERGED
    step = 0
    try:
        for it in range(total):
            noise = gen.standard_normal((n_ons, N)) if net.noisy else np.empty((0, N))
            drive = (
                _drive_chunk(net, step, n_ons, dt, smp.phases[:1], np.float64)[:, 0, :]
                if net.drive
                else np.empty((0, N))
            )
            ok = tangent_dense(x, Q, Jd, I, np.ascontiguousarray(drive), noise, n_ons, pp, R, H)
            step += n_ons
            if bar is not None:
                bar.update(n_ons)
            if not ok or not np.all(np.isfinite(Q)):
                status = Status.INVALID
                break
            Qn, Rm = np.linalg.qr(Q)
            d = np.abs(np.diag(Rm))
            sgn = np.sign(np.diag(Rm))
            sgn[sgn == 0] = 1.0
            Q = np.ascontiguousarray(Qn * sgn[None, :])
            if it >= n_burn_int:
                with np.errstate(divide="ignore"):
                    logs[it - n_burn_int] = np.log(d)
    finally:
        if bar is not None:
            bar.close()
    rates = logs / (n_ons * dt)
    exps = rates.mean(axis=0)
    order = np.argsort(-exps)
    hist = np.cumsum(rates, axis=0) / np.arange(1, n_int + 1)[:, None]
    converged = status is Status.CONVERGED and bool(np.all(np.isfinite(exps)))
    res = LyapunovSpectrum(
        model=net, method=f"qr-{method}", options={"k": k, "t_ons": n_ons * dt},
        converged=converged, status=status if not converged else Status.CONVERGED, n_iter=n_int,
        exponents=exps[order], sem=_block_sem(rates)[order], history=hist[:, order],
        times=np.arange(1, n_int + 1) * n_ons * dt, t_ons=n_ons * dt, dt=dt, T=n_int * n_ons * dt,
        x_final=x, seed=seed,
    )  # fmt: skip
    if not converged and raise_on_failure:
        raise ConvergenceError(
            "lyapunov_populations: the state or the tangent vectors overflowed", res
        )
    return res
