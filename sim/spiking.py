r"""Time-driven simulation of sparse LIF networks of several populations.

:func:`simulate_lif` runs an :class:`rnmf.models.LIFNetwork` (Brunel 2000; Potjans &
Diesmann 2014) with a numba kernel (``rnmf.sim._kernels.spiking``):

* every population has its own neurons (``tau_m, V_th, V_reset, E_L, t_ref``) and its own
  synapses onto it: delta (``tau_s = 0``) or exponential current synapses with the
  population's ``tau_s``;
* exact integration of the subthreshold dynamics between grid points (Rotter &
  Diesmann 1999, Biol Cybern 81:381, eqs. 3-6): with delta synapses
  ``V <- V_inf + (V - V_inf) e^{-dt/tau_m}`` followed by the jump ``sum J``; with
  exponential current synapses the exact propagator of the linear (V, I) system;
  ``V_inf = E_L + mu_ext`` (rest plus the constant drive, a DC current times R);
* a neuron that reaches ``V_th`` spikes, is reset to ``V_reset`` and ignores
  input for ``t_ref`` (NEST ``iaf_psc_delta`` convention; with exponential synapses
  the current keeps integrating while V is clamped, as in ``iaf_psc_exp``);
* spikes travel along a CSR out-adjacency and land in a per-neuron ring buffer
  ``delay_steps`` ahead (Morrison et al. 2005, Neural Comput 17:1776, Sec. 3); delays
  are one per network or drawn per synapse from each block's delay law
  (:func:`build_connectivity`), weights one per block or drawn per synapse with the
  block's spread ``J_sd``;
* each neuron receives, from every external source ``s`` of its population,
  ``k ~ Poisson(C_ext nu_ext dt)`` inputs of ``J_ext`` per step (Brunel 2000, Sec. 2),
  drawn by inverting a 32-bit CDF table with random bits from the caller's
  ``numpy.random.Generator`` (sources of equal weight are merged: a sum of Poisson
  processes is Poisson).

Spike times follow NEST: a spike found in the step ``(t, t + dt]`` is stamped
``t + dt``; a spike emitted at ``t_s`` changes its targets' ``V`` at ``t_s + D``.

Memory: the CSR stores one ``int32`` target per synapse (4 bytes); distributed
delays add one ``uint8`` (two bytes past 255 steps); a weight spread adds one
``float32`` weight; otherwise weights are shared per block and cost nothing per
synapse.  So 4 bytes per synapse for Brunel's model and 9 for the Potjans-Diesmann
microcircuit (full scale: 77 169 neurons, 2.99e8 synapses, 2.7 GB in all).  Offsets
cost ``8 (P + 1)`` bytes per neuron and the ring buffer ``(max_delay_steps + 1) x 8``
bytes per neuron in float64.  With a single delay, 16 GiB hold about ``4.2e9`` synapses,
e.g. ``1e5`` neurons with ``4e4`` inputs each or ``4e5`` neurons with ``1e4`` each
(distributed delays: ``3.4e9``, with a weight spread ``1.9e9``).  Building needs no
memory beyond the CSR and one chunk of draws (two passes over the same random stream:
count, then fill).  :func:`memory_estimate` sums these parts from the model alone, and
:func:`simulate_lif` refuses a run that needs more than 80 % of the available memory
before it allocates or draws anything (Brunel's model with ``N_E = 1e8`` has 1.6e15
synapses: refused at once).
"""

from __future__ import annotations

import math
import numbers
import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnmf._checks import as_rng, check_int, check_positive
from rnmf.models import LIFNetwork
from rnmf.results import Result, Status

from ._kernels.spiking import Buckets, Net, Params, Record, State, lif_run, lif_run_format
from ._memory import check_memory, progress_bar
from ._spiking_connect import Connectivity, build_connectivity  # noqa: F401 (re-export)
from ._spiking_formats import _resolve_lif_format, _round_lif
from ._spiking_setup import (  # noqa: F401 (propagators: re-export)
    _CHUNK_WORDS,
    _n_synapses,
    _prepare,
    _rate_bin_steps,
    _resolve_units,
    _steps,
    guide_table,
    memory_estimate,
    neuron_constants,
    poisson_cdf_table,
    propagators,
)

__all__ = [
    "LIFResult",
    "build_connectivity",
    "guide_table",
    "memory_estimate",
    "poisson_cdf_table",
    "simulate_lif",
]

_CHUNK_STEPS = 1000  # steps per chunk at most: progress updates and the divergence check


# ---------------------------------------------------------------------------
# result


@dataclass(frozen=True, kw_only=True, repr=False)
class LIFResult(Result):
    """Spikes, population rates and membrane traces of an LIF network simulation.

    Attributes
    ----------
    T, dt : float
        Recorded time and step (ms).
    burn_in : float
        Time simulated before recording started (ms); recorded times lie in
        ``(burn_in, burn_in + T]``.
    fmt : str
        Number format of the state.
    senders : ndarray of int32
        Index of the neuron of each recorded spike (populations are contiguous,
        see ``pop_slices``).
    times : ndarray of float64
        Spike times in ms (end of the step in which threshold was crossed).
    n_spikes : int
        All spikes after the burn-in, recorded or not.
    overflow : bool
        True if ``max_spikes`` was reached; recording stopped there (the rates,
        ``spike_counts`` and the dynamics are complete).
    spike_counts : ndarray of int64, shape (N,)
        Spikes per neuron after the burn-in.
    pop_slices : tuple of (start, stop)
        Neuron index range of each population.
    rate_bin : float
        Bin width (ms) of ``pop_rates``.
    pop_rates : ndarray, shape (n_bins, P)
        Population rates in Hz per bin; bin ``b`` covers
        ``burn_in + (b, b + 1] * rate_bin``.
    units : ndarray of int64
        Neurons whose membrane potential was recorded (``record_units``).
    V : ndarray, shape (n_steps, len(units))
        Membrane potential (mV) after each step, at ``V_times``.
    build_time, run_time : float
        Wall-clock seconds to sample the network and to simulate it.
    build_cpu_time, run_cpu_time : float
        CPU seconds of this process for the same two parts (on a shared machine the
        wall-clock time grows with the load, the CPU time hardly).
    n_synapses : int
    bytes_per_synapse : float
        Adjacency memory per synapse (targets, delays, offsets).
    in_degree : dict
        ``(a, b) -> (mean, std, min, max)`` of the realised in-degrees.
    diverged : bool
        The state (V or the synaptic current) became non-finite (a number-format
        overflow, e.g. from enormous PSPs); checked after every chunk of at most 1000
        steps.  The run stopped there, ``converged`` is False, ``status`` is
        ``Status.DIVERGED`` and a RuntimeWarning said so.
    diverged_at : float or None
        Start (ms from the run start) of the chunk in which it happened; records from
        there on are NaN and later spikes are dropped.
    diverged_reason : str
        What became non-finite ("" when the run did not diverge).
    n_overflow : int
        Emulated formats (``fmt`` not float64/float32): roundings of the neuron update
        beyond the format's range (saturated, wrapped, or inf / NaN).
    n_overflow_ring : int
        The same for the ring-buffer accumulation of the PSPs.
    """

    T: float
    dt: float
    fmt: str
    senders: np.ndarray
    times: np.ndarray
    n_spikes: int
    overflow: bool
    spike_counts: np.ndarray
    pop_slices: tuple
    rate_bin: float
    pop_rates: np.ndarray
    units: np.ndarray
    V: np.ndarray
    build_time: float
    run_time: float
    n_synapses: int
    bytes_per_synapse: float
    in_degree: dict
    burn_in: float = 0.0
    diverged: bool = False
    diverged_at: float | None = None
    diverged_reason: str = ""
    n_overflow: int = 0
    n_overflow_ring: int = 0
    build_cpu_time: float = 0.0
    run_cpu_time: float = 0.0

    _base_hidden = ("model", "options", "in_degree", "pop_slices", "converged", "status")

    @property
    def V_index(self) -> np.ndarray:
        """Old name of :attr:`units`."""
        return self.units

    @property
    def V_times(self) -> np.ndarray:
        """Times (ms, from the start of the run) of the rows of ``V``."""
        return self.burn_in + (np.arange(self.V.shape[0]) + 1) * self.dt

    @property
    def rate_times(self) -> np.ndarray:
        """Centres (ms, from the start of the run) of the ``pop_rates`` bins."""
        return self.burn_in + (np.arange(self.pop_rates.shape[0]) + 0.5) * self.rate_bin

    @property
    def mean_rates(self) -> np.ndarray:
        """Mean firing rate of each population over the run (Hz)."""
        return np.array(
            [self.spike_counts[lo:hi].mean() / (self.T * 1e-3) for lo, hi in self.pop_slices]
        )

    def spikes(self, population: int | str) -> tuple[np.ndarray, np.ndarray]:
        """``(senders, times)`` of one population (by index or name)."""
        if isinstance(population, str):
            names = list(getattr(self.model, "populations", ()))
            if population not in names:
                raise ValueError(f"unknown population {population!r}; choose from {names}")
            population = names.index(population)
        lo, hi = self.pop_slices[population]
        m = (self.senders >= lo) & (self.senders < hi)
        return self.senders[m], self.times[m]

    def _repr_rows(self) -> list[tuple[str, str]]:
        rows = [
            ("T, dt (ms)", f"{self.T:g}, {self.dt:g} ({self.fmt})")
            if not self.burn_in
            else ("burn_in, T, dt (ms)", f"{self.burn_in:g}, {self.T:g}, {self.dt:g} ({self.fmt})"),
            ("mean rates (Hz)", ", ".join(f"{r:.4g}" for r in self.mean_rates)),
            ("spikes", f"{self.n_spikes} ({self.senders.size} recorded, overflow={self.overflow})"),
            ("synapses", f"{self.n_synapses} ({self.bytes_per_synapse:.2f} B each)"),
            ("build, run (s)", f"{self.build_time:.3g}, {self.run_time:.3g}"),
        ]
        if self.diverged:
            rows.append(("DIVERGED", f"at t = {self.diverged_at:g} ms: {self.diverged_reason}"))
        return rows


#: ring buffers larger than this (bytes) get the bucketed delivery of ``lif_run`` (measured
#: on the microcircuit: 33 % slower with a 4.3 MB ring at scale 0.1, 24 % faster at 13 MB)
_BUCKET_RING_BYTES = 1 << 23
#: bytes of ring buffer per target block of the bucketed delivery, events per bucket
_BUCKET_BLOCK_BYTES = 1 << 22
_BUCKET_CAP = 2048


def _buckets(L: int, N: int, dtype: Any, const_delay: int) -> Buckets:
    """Scratch of the bucketed delivery (:class:`rnmf.sim._kernels.spiking.Buckets`): used
    with per-synapse delays once the ring buffer outgrows the caches (the microcircuit's
    kernel time drops by about 20 % at scale 0.3 and 1); empty (direct delivery) otherwise."""
    item = np.dtype(dtype).itemsize
    if const_delay > 0 or L * N * item <= _BUCKET_RING_BYTES:
        shift, n_blocks, cap = 0, 0, 0
    else:
        shift = max(6, int(math.floor(math.log2(_BUCKET_BLOCK_BYTES / (L * item)))))
        n_blocks, cap = ((N - 1) >> shift) + 1, _BUCKET_CAP
    return Buckets(
        target=np.zeros((n_blocks, cap), dtype=np.int32),
        slot=np.zeros((n_blocks, cap), dtype=np.int32),
        psp=np.zeros((n_blocks, cap), dtype=dtype),
        n=np.zeros(n_blocks, dtype=np.int64),
        shift=shift,
    )


def simulate_lif(
    net: LIFNetwork,
    T: float,
    *,
    dt: float = 0.1,
    rng: None | int | np.random.Generator = None,
    V0: None | float | np.ndarray = None,
    burn_in: float = 0.0,
    record_units: int | np.ndarray | str = 0,
    record_spikes: bool = True,
    max_spikes: int | None = None,
    record_rates_bin: float | None = None,
    fmt: Any = "float64",
    progress: bool | None = None,
    record_V: Any = None,
) -> LIFResult:
    r"""Simulate an LIF network for ``burn_in + T`` ms and record the last ``T`` ms.

    Subthreshold dynamics (Brunel 2000, J Comput Neurosci 8:183, eq. 1)
    ``tau_m dV/dt = -(V - E_L) + mu_ext + RI_syn``, with the parameters of each neuron's
    population, are integrated exactly between grid
    points (Rotter & Diesmann 1999, Biol Cybern 81:381, eqs. 3-6); see the module
    docstring for the update order, conventions and memory use.  The memory the run
    needs (:func:`memory_estimate`) is checked against the available memory before
    anything is allocated.

    Parameters
    ----------
    net : LIFNetwork
    T : float
        Recorded time in ms (a multiple of ``dt``).
    dt : float
        Time step in ms; every delay must be ``>= dt``.
    rng : None, int or numpy.random.Generator
        Seeds connectivity, initial potentials and external input; the same seed
        gives bitwise identical output.
    V0 : None, float or array of shape (N,)
        Initial membrane potentials (mV).  Default: uniform on
        ``[min(0, V_reset), V_th)``, i.e. ``U(0, 20)`` mV for Brunel's model, as in the
        NEST and Brian2 examples of that network.
    burn_in : float
        Time (ms, a multiple of ``dt``) simulated before recording starts; not part of
        ``T``.  Spikes, rates and membrane potentials of the burn-in are not recorded;
        spike times count from the start of the run, so recorded times lie in
        ``(burn_in, burn_in + T]``.
    record_units : int, array of int or "all"
        Neurons whose membrane potential is recorded at every step: ``n`` the first n
        (0, the default: none), an index array, or every neuron.
    record_spikes : bool
        Keep ``(senders, times)`` of every spike.
    max_spikes : int, optional
        Upper bound on the recorded spikes (memory: 8 bytes each).  When reached,
        recording stops and ``overflow`` is set; the run itself continues.
    record_rates_bin : float, optional
        Bin (ms, a multiple of ``dt``) of the recorded population rates; default the
        multiple of ``dt`` closest to 1 ms.
    fmt : "float64", "float32", a format name, NumberFormat or MixedPrecision
        Number format of the state, ring buffer and weights.  "float64" and "float32"
        run the native kernel.  Any other format (:mod:`rnmf.sim.formats`; a name
        such as "bf16", "fp16-sr", "q7.8") is emulated exactly by
        :func:`rnmf.sim._kernels.spiking.lif_run_format`: the PSPs ``J``, ``J_ext``
        (and per-synapse weights of a weight spread) rounded once to the weight format, ``V0`` to the state format, the
        propagators and thresholds to nearest in the accumulator format, and every
        operation of the voltage, current and ring-buffer updates rounded to the
        accumulator format with stores of V and I rounded to the state format.
        Stochastic rounding draws the counter-based stream keyed by the integer
        ``rng`` (or a key drawn from it), so a seed fixes the run bit for bit;
        overflows are counted in ``n_overflow`` and ``n_overflow_ring``.
    progress : bool or None
        None (default): a progress bar on stderr (tqdm) that appears when the run lasts
        more than 2 s; True: from the start; False: silent.
    record_V : sequence of int, optional
        Deprecated alias of ``record_units`` (a DeprecationWarning says so).

    Returns
    -------
    LIFResult

    Raises
    ------
    ValueError
        On a non-positive ``T`` or ``dt``, delays shorter than ``dt`` or a delay law with
        mass below ``dt`` (:meth:`rnmf.models.Delay.pmf`), a malformed ``V0``,
        ``record_units``, ``burn_in`` or ``max_spikes``.
    rnmf.sim._memory.InsufficientMemoryError
        (a MemoryError and a ValueError) when the run needs more than 80 % of the
        available memory; the message gives the bytes of each part.

    References
    ----------
    Brunel N (2000) J Comput Neurosci 8:183, eq. 1 and Sec. 2 (model).
    Potjans TC, Diesmann M (2014) Cereb Cortex 24:785, Tables 4-5 (populations, weight
    spread, delay laws, fixed total numbers).
    Rotter S, Diesmann M (1999) Biol Cybern 81:381, eqs. 3-6 (exact integration).
    Morrison A, Mehring C, Geisel T, Aertsen A, Diesmann M (2005) Neural Comput
    17:1776 (ring buffers, CSR delivery).
    """
    if record_V is not None:
        if not (isinstance(record_units, numbers.Integral) and record_units == 0):
            raise ValueError("record_V is the old name of record_units; give record_units only")
        try:
            _resolve_units(record_V, sum(net.N) if isinstance(net, LIFNetwork) else 0)
        except ValueError as exc:
            raise ValueError(str(exc).replace("record_units", "record_V")) from None
        warnings.warn(
            "simulate_lif(record_V=...) is deprecated; use record_units=...",
            DeprecationWarning,
            stacklevel=2,
        )
        record_units = record_V
    if not isinstance(net, LIFNetwork):
        raise ValueError(f"net must be an rnmf.models.LIFNetwork, got {type(net).__name__}")
    prec, fmt = _resolve_lif_format(fmt)
    if not isinstance(record_spikes, bool | np.bool_):
        raise ValueError(f"record_spikes must be True or False, got {record_spikes!r}")
    if progress is not None and not isinstance(progress, bool | np.bool_):
        raise ValueError(f"progress must be True, False or None (automatic), got {progress!r}")
    dtype = np.dtype(fmt) if prec is None else np.dtype(np.float64)
    if max_spikes is not None:
        max_spikes = check_int("max_spikes", max_spikes, minimum=0)
    dt = check_positive("dt (ms)", dt)
    n_steps = _steps("T (ms)", T, dt, allow_zero=False)
    n_burn = _steps("burn_in (ms)", burn_in, dt, allow_zero=True)
    spb = _rate_bin_steps(record_rates_bin, dt)
    rb = spb * dt
    N = sum(net.N)
    rec_idx = _resolve_units(record_units, N)
    if N >= 2**31:
        raise ValueError(f"at most 2^31 - 1 neurons fit int32 indices, got N = {N}")
    check_memory(
        "simulate_lif",
        memory_estimate(
            net,
            n_steps * dt,
            dt=dt,
            burn_in=n_burn * dt,
            record_units=rec_idx,
            record_spikes=record_spikes,
            max_spikes=max_spikes,
            record_rates_bin=rb,
            fmt=fmt if prec is None else "float64",
        ),
        hint=f"The network has {_n_synapses(net):.3g} synapses; reduce N or K, "
        "record_units or T, or pass max_spikes.",
    )
    seed = int(rng) if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) else None
    if prec is not None and not isinstance(rng, np.random.Generator):
        rng = as_rng(rng)
    c0 = time.process_time()
    setup, build_time = _prepare(net, (n_burn + n_steps) * dt, dt, rng, V0)
    build_cpu = time.process_time() - c0
    if prec is not None:
        key = seed if seed is not None and seed >= 0 else int(rng.integers(0, 2**63))
    conn = setup.conn
    L = conn.max_delay + 1
    fpar = neuron_constants(net, dt).astype(dtype)
    cdf = setup.cdf
    S = setup.n_slots
    kk = np.arange(cdf.shape[1])[None, :]
    ext_val = (kk * setup.J_src.reshape(-1)[:, None]).astype(dtype)
    par = Params(
        fpar=fpar,
        V_inf=setup.V_inf.astype(dtype),
        ext_val=ext_val,
        cdf=cdf,
        guide=guide_table(cdf),
        ref_steps=setup.ref_steps,
        exp_syn=net.neuron("tau_s") > 0.0,
        has_ext=setup.has_ext,
        n_src=setup.n_src,
    )
    knet = Net(
        targets=conn.targets,
        offsets=conn.offsets,
        delays=conn.delays,
        const_delay=conn.const_delay,
        W=setup.W.astype(dtype),
        pop_start=conn.pop_start,
        pop_of=setup.pop_of,
        weights=conn.weights if prec is None else conn.weights.astype(np.float64),
    )
    st = State(
        V=setup.V0.astype(dtype),
        I=np.zeros(N, dtype=dtype),
        ref=np.zeros(N, dtype=np.int32),
        ring=np.zeros((L, N), dtype=dtype),
        fired=np.zeros(N, dtype=np.int32),
    )
    bk = _buckets(L, N, st.ring.dtype, knet.const_delay)
    fcounts = np.zeros(2, dtype=np.int64)
    if prec is not None:
        par, knet, st = _round_lif(prec, par, knet, st, key)
        fs, fa = prec.state.params(), prec.accumulator.params()
    if not record_spikes:
        cap_limit = 0
    else:
        cap_limit = max_spikes if max_spikes is not None else np.iinfo(np.int64).max
    cap = int(min(cap_limit, max(1024, 4 * N)))
    rec = Record(
        spk_i=np.empty(cap, dtype=np.int32),
        spk_t=np.empty(cap, dtype=np.int32),
        counters=np.array([0, 0, 0, 1 if record_spikes and cap_limit > 0 else 0], dtype=np.int64),
        counts=np.zeros(N, dtype=np.int64),
        rates=np.zeros((-(-n_steps // spb), net.P), dtype=np.int64),
        steps_per_bin=spb,
        V_idx=rec_idx,
        V_trace=np.zeros((n_steps if rec_idx.size else 0, rec_idx.size), dtype=dtype),
        first_step=n_burn,
    )
    # the burn-in records nothing: a scratch record with spikes off and no traces
    burn = Record(
        spk_i=np.empty(0, dtype=np.int32),
        spk_t=np.empty(0, dtype=np.int32),
        counters=np.zeros(4, dtype=np.int64),
        counts=np.zeros(N if n_burn else 0, dtype=np.int64),
        rates=np.zeros((-(-n_burn // spb), net.P), dtype=np.int64),
        steps_per_bin=spb,
        V_idx=np.empty(0, dtype=np.int64),
        V_trace=np.zeros((0, 0), dtype=dtype),
        first_step=0,
    )
    bitgen = np.random.default_rng(setup.ext_seed).bit_generator
    n_words = setup.n_words * S
    chunk = max(1, min(n_burn + n_steps, _CHUNK_STEPS, _CHUNK_WORDS // n_words))
    bad_from = None  # first step of the chunk in which the state became non-finite
    empty_ext = np.zeros((0, 0), dtype=np.uint64)
    bar = progress_bar(progress, n_burn + n_steps, "rnmf.sim.simulate_lif")
    t0 = time.perf_counter()
    c0 = time.process_time()
    try:
        for lo, hi, recording in ((0, n_burn, False), (n_burn, n_burn + n_steps, True)):
            step0 = lo
            while step0 < hi:
                n = min(chunk, hi - step0)
                if par.has_ext:
                    ext = bitgen.random_raw(n * n_words).reshape(n, n_words)
                else:
                    ext = empty_ext
                if not recording and prec is not None:
                    lif_run_format(
                        knet, par, st, burn, ext, step0, 0, n, False, fs, fa, key, fcounts
                    )
                elif not recording:
                    lif_run(knet, par, st, burn, ext, step0, 0, n, False, bk)
                else:
                    s = 0
                    while s < n:
                        growable = cap < cap_limit
                        if prec is None:
                            s = lif_run(knet, par, st, rec, ext, step0, s, n, growable, bk)
                        else:
                            s = lif_run_format(
                                knet, par, st, rec, ext, step0, s, n, growable, fs, fa, key,
                                fcounts,
                            )  # fmt: skip
                        if s < n:  # grow the spike buffer and resume
                            cap = int(min(cap_limit, 2 * cap + N))
                            spk_i = np.empty(cap, dtype=np.int32)
                            spk_t = np.empty(cap, dtype=np.int32)
                            c = int(rec.counters[0])
                            spk_i[:c] = rec.spk_i[:c]
                            spk_t[:c] = rec.spk_t[:c]
                            rec = rec._replace(spk_i=spk_i, spk_t=spk_t)
                if not (np.all(np.isfinite(st.V)) and np.all(np.isfinite(st.I))):
                    bad_from = step0
                    break
                step0 += n
                if bar is not None:
                    bar.update(n)
            if bad_from is not None:
                break
    finally:
        if bar is not None:
            bar.close()
    run_time = time.perf_counter() - t0
    run_cpu = time.process_time() - c0
    c = int(rec.counters[0])
    senders = rec.spk_i[:c].copy()
    times = (rec.spk_t[:c].astype(np.float64) + 1.0) * dt
    pop_slices = tuple((int(conn.pop_start[a]), int(conn.pop_start[a + 1])) for a in range(net.P))
    rates = rec.rates / (np.asarray(net.N, dtype=float)[None, :] * spb * dt * 1e-3)
    V_trace = rec.V_trace
    diverged_at, reason = None, ""
    if bad_from is not None:
        n_bad = int(np.sum(~(np.isfinite(st.V) & np.isfinite(st.I))))
        diverged_at = bad_from * dt
        reason = (
            f"the membrane potential or synaptic current of {n_bad} neurons became non-finite "
            f"between t = {bad_from * dt:g} and {(bad_from + chunk) * dt:g} ms"
        )
        keep = rec.spk_t[:c] < bad_from
        senders, times = senders[keep], times[keep]
        first = max(0, bad_from - n_burn)
        rates[first // spb :] = np.nan
        V_trace = V_trace.astype(float)
        V_trace[first:] = np.nan
        warnings.warn(
            f"simulate_lif: the run diverged at t = {diverged_at:g} ms: {reason}; it stopped "
            "there and the records from that time on are NaN (spikes dropped). Check the PSP "
            "amplitudes J, J_ext and the drive mu_ext (the number format overflows).",
            RuntimeWarning,
            stacklevel=2,
        )
    return LIFResult(
        model=net,
        method="time-driven exact integration (numba)",
        options={
            "dt": dt,
            "burn_in": n_burn * dt,
            "fmt": fmt,
            "max_spikes": max_spikes,
            "record_rates_bin": rb,
            "record_spikes": record_spikes,
        },
        n_iter=n_burn + n_steps if bad_from is None else bad_from,
        converged=bad_from is None,
        status=Status.CONVERGED if bad_from is None else Status.DIVERGED,
        diverged=bad_from is not None,
        diverged_at=diverged_at,
        diverged_reason=reason,
        T=n_steps * dt,
        burn_in=n_burn * dt,
        dt=dt,
        fmt=fmt,
        senders=senders,
        times=times,
        n_spikes=int(rec.counters[1]),
        overflow=bool(rec.counters[2]),
        spike_counts=rec.counts,
        pop_slices=pop_slices,
        rate_bin=rb,
        pop_rates=rates,
        units=rec_idx,
        V=V_trace,
        build_time=build_time,
        run_time=run_time,
        build_cpu_time=build_cpu,
        run_cpu_time=run_cpu,
        n_synapses=conn.n_synapses,
        bytes_per_synapse=conn.nbytes / max(conn.n_synapses, 1),
        in_degree=conn.in_degree,
        n_overflow=int(fcounts[0]),
        n_overflow_ring=int(fcounts[1]),
    )
