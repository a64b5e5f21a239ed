r"""SpiNNaker preset: LIF network in s16.15 fixed point with saturating 16-bit ring buffers.

Follows the arithmetic of sPyNNaker's ``IF_curr_exp`` (Rhodes et al. 2018, Front.
Neuroinform. 12:105; Furber et al. 2014, Proc. IEEE 102:652), read in
SpiNNakerManchester/sPyNNaker:

* state and parameters in ``accum`` = s16.15 (ISO/IEC TR 18037; LSB 2^-15), every
  multiply rounded to nearest (here ties to even) and saturated;
* exact-integration LIF with the decay :math:`e^{-\Delta t/\tau_m}` stored as accum,
  exponential current synapses with decay :math:`e^{-\Delta t/\tau_s}` and
  ``init`` = :math:`(\tau_s/\Delta t)(1 - e^{-\Delta t/\tau_s})`, 1 ms steps;
* weights as unsigned 16-bit integers per synapse type (excitatory, inhibitory),
  ``w_int = round(w 2^(15 - shift))``, accumulated per (delay slot, type, neuron) in
  16-bit ring buffers that SATURATE at 0xFFFF (each saturated addition counted, as
  ``synapses.c`` does), converted back as ``slot << shift`` read as s16.15;
* the per-type ``shift`` chosen by the host like ``get_ring_buffer_shifts`` of
  ``abstract_population_vertex.py``: the expected upper bound
  :math:`\lambda\bar w + \sigma\sqrt{\lambda\bar w^2 + \lambda s_w^2}` of a slot
  (:math:`\lambda` = fan-in x rate x dt, :math:`\sigma` = ``ring_buffer_sigma``, default 5;
  sPyNNaker evaluates the :math:`s_w^2` term with a truncated Poisson sum, here its
  limit), capped by the total and floored by the largest weight, then
  ``shift = ceil(log2(max))``, plus one when :math:`2^{\rm shift} \le` max.

There is no bit-level oracle for SpiNNaker here (the board is not emulated by any
installable peer); the rules are checked against the NumPy twin
(:mod:`rnmf.sim._reference_spinnaker`), hand computations, and the saturation
probability of :func:`rnmf.theory.precision.overflow_probability`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnmf._checks import as_rng, check_array, check_int, check_nonnegative, check_positive
from rnmf.results import Result

from ._kernels.spinnaker import SpiNNakerParams, run_spinnaker
from .formats import NumberFormat, quantize

__all__ = ["ACCUM", "SpiNNakerResult", "ring_buffer_shift", "simulate_spinnaker"]

ACCUM = NumberFormat.fixed(16, 15, rounding="nearest", overflow="saturate", name="s16.15")
"""The ``accum`` type of SpiNNaker's neuron state (s16.15, round to nearest, saturating)."""


def ring_buffer_shift(
    weights: Any, *, rate: float, dt: float = 1.0, sigma: float = 5.0, fan_in: int | None = None
) -> int:
    """Left shift of one synapse type's ring buffer, chosen from the input statistics.

    Parameters
    ----------
    weights : array_like
        The non-negative weights (nA) of that synapse type onto the neurons
        ((n_post, n_pre) matrix or a flat list of the synapses of one neuron).
    rate : float
        Expected maximum presynaptic rate (Hz, ``spikes_per_second``).
    dt : float
        Time step (ms).
    sigma : float
        Standard deviations above the mean (``ring_buffer_sigma``).
    fan_in : int, optional
        Synapses per neuron; default the largest count of non-zero weights in a row.
    """
    w = np.atleast_2d(check_array("weights", weights, dtype=np.float64))
    if np.any(w < 0):
        raise ValueError("weights of one synapse type must be >= 0 (the sign is the type)")
    rate = check_nonnegative("rate", rate)
    dt = check_positive("dt", dt)
    sigma = check_nonnegative("sigma", sigma)
    nz = w[w > 0]
    if nz.size == 0:
        return 0
    n_in = (
        int(np.max(np.sum(w > 0, axis=1)))
        if fan_in is None
        else check_int("fan_in", fan_in, minimum=1)
    )
    lam = n_in * rate * dt / 1000.0
    mean, sd = float(nz.mean()), float(nz.std())
    total = float(np.max(np.sum(w, axis=1)))
    if lam > 0:
        bound = lam * mean + sigma * math.sqrt(lam * mean * mean + lam * sd * sd)
        m = min(bound, total)
    else:
        m = total
    m = max(m, float(nz.max()))
    shift = 0 if m <= 0 else int(math.ceil(max(0.0, math.log2(m))))
    if 2.0**shift <= m:
        shift += 1
    return shift


def _to_int16(w: np.ndarray, shift: int) -> np.ndarray:
    q = np.rint(w * 2.0 ** (15 - shift))
    return np.clip(q, 0, 0xFFFF).astype(np.int64)


@dataclass(frozen=True, kw_only=True, repr=False)
class SpiNNakerResult(Result):
    """A SpiNNaker-like simulation.

    Attributes
    ----------
    spikes : (n_steps, n) bool array
    V : (n_steps, n) float64 array
        Membrane potential (mV) after each step (s16.15 values).
    shifts : tuple of int
        Ring-buffer left shifts (excitatory, inhibitory).
    n_saturations : int
        Saturated ring-buffer additions.
    n_saturated_slots : int
        Ring-buffer slots (neuron, type, step) in which at least one addition saturated.
    """

    spikes: np.ndarray
    V: np.ndarray
    shifts: tuple = (0, 0)
    n_saturations: int = 0
    n_saturated_slots: int = 0

    @property
    def rates(self) -> np.ndarray:
        """Firing rate of each neuron (Hz, 1 ms steps)."""
        return self.spikes.mean(axis=0) * 1000.0 / self.options.get("dt", 1.0)

    def _repr_rows(self) -> list[tuple[str, str]]:
        T, n = self.spikes.shape
        return [
            ("neurons x steps", f"{n} x {T}"),
            ("mean rate (Hz)", f"{float(self.rates.mean()):.4g}"),
            ("shifts (exc, inh)", str(self.shifts)),
            ("saturated additions", str(self.n_saturations)),
            ("saturated slots", str(self.n_saturated_slots)),
        ]


def simulate_spinnaker(
    W_exc: Any,
    W_inh: Any,
    n_steps: int,
    *,
    tau_m: float = 20.0,
    cm: float = 1.0,
    v_rest: float = -65.0,
    v_reset: float = -65.0,
    v_thresh: float = -50.0,
    tau_refrac: float = 2.0,
    tau_syn_e: float = 5.0,
    tau_syn_i: float = 5.0,
    i_offset: float = 0.0,
    delay: int = 1,
    ext_rate: float = 0.0,
    n_ext: int = 0,
    ext_weight: float = 0.0,
    max_rate: float = 100.0,
    ring_buffer_sigma: float = 5.0,
    shifts: tuple[int, int] | None = None,
    v0: Any = None,
    rng: None | int | np.random.Generator = None,
) -> SpiNNakerResult:
    """Simulate an IF_curr_exp network with SpiNNaker's fixed-point arithmetic (1 ms steps).

    Parameters
    ----------
    W_exc, W_inh : (n, n) arrays
        Non-negative excitatory and inhibitory weights (nA), ``W[i, j]`` from j onto i.
    n_steps : int
        Number of 1 ms steps.
    tau_m, cm, v_rest, v_reset, v_thresh, tau_refrac, tau_syn_e, tau_syn_i, i_offset
        PyNN IF_curr_exp parameters (ms, nF, mV, nA).
    delay : int
        Synaptic delay (steps, 1..15).
    ext_rate, n_ext, ext_weight
        Each neuron receives ``n_ext`` independent Poisson sources of rate ``ext_rate``
        (Hz) with excitatory weight ``ext_weight`` (nA).
    max_rate : float
        Rate (Hz) assumed by the host for the ring-buffer shift (``spikes_per_second``).
    ring_buffer_sigma : float
        Standard deviations of headroom for the shift.
    shifts : (int, int), optional
        Override the (excitatory, inhibitory) shifts.
    v0 : (n,) array, optional
        Initial potentials (default ``v_rest``).
    rng : None, int or Generator
        Randomness of the external Poisson input.
    """
    We = check_array("W_exc", W_exc, dtype=np.float64)
    Wi = check_array("W_inh", W_inh, dtype=np.float64)
    if We.ndim != 2 or We.shape[0] != We.shape[1] or Wi.shape != We.shape:
        raise ValueError(
            f"W_exc and W_inh must be square and of equal shape, got {We.shape}, {Wi.shape}"
        )
    if np.any(We < 0) or np.any(Wi < 0):
        raise ValueError("W_exc and W_inh must be >= 0 (inhibition is its own synapse type)")
    n = We.shape[0]
    n_steps = check_int("n_steps", n_steps, minimum=1, maximum=10**8)
    delay = check_int("delay", delay, minimum=1, maximum=15)
    n_ext = check_int("n_ext", n_ext, minimum=0)
    ext_rate = check_nonnegative("ext_rate", ext_rate)
    ext_weight = check_nonnegative("ext_weight", ext_weight)
    for name, val in (
        ("tau_m", tau_m),
        ("cm", cm),
        ("tau_syn_e", tau_syn_e),
        ("tau_syn_i", tau_syn_i),
    ):
        check_positive(name, val)
    check_nonnegative("tau_refrac", tau_refrac)
    if v_reset >= v_thresh:
        raise ValueError(f"v_reset ({v_reset}) must be below v_thresh ({v_thresh})")
    dt = 1.0
    if shifts is None:
        w_e_all = np.hstack([We, np.full((n, n_ext), ext_weight)]) if n_ext and ext_weight else We
        se = ring_buffer_shift(
            w_e_all, rate=max(max_rate, ext_rate), dt=dt, sigma=ring_buffer_sigma
        )
        si = ring_buffer_shift(Wi, rate=max_rate, dt=dt, sigma=ring_buffer_sigma)
    else:
        se, si = (check_int("shifts", s, minimum=0, maximum=16) for s in shifts)
    q = lambda x: float(quantize(np.array([x]), ACCUM)[0])  # noqa: E731
    de, di = math.exp(-dt / tau_syn_e), math.exp(-dt / tau_syn_i)
    p = SpiNNakerParams(
        v_rest=q(v_rest),
        v_reset=q(v_reset),
        v_thresh=q(v_thresh),
        r_m=q(tau_m / cm),
        exp_tc=q(math.exp(-dt / tau_m)),
        i_offset=q(i_offset),
        decay_e=q(de),
        decay_i=q(di),
        init_e=q(tau_syn_e / dt * (1 - de)),
        init_i=q(tau_syn_i / dt * (1 - di)),
        t_refract=int(round(tau_refrac / dt)),
        shift_e=int(se),
        shift_i=int(si),
        n_slots=16,
    )
    gen = as_rng(rng)
    lam = n_ext * ext_rate * dt / 1000.0
    ext = (
        gen.poisson(lam, (n_steps, n)).astype(np.int64)
        if lam > 0
        else np.zeros((n_steps, n), np.int64)
    )
    ext_w = int(_to_int16(np.array(ext_weight), se)) if n_ext else 0
    V = np.full(n, p.v_rest) if v0 is None else quantize(check_array("v0", v0, shape=(n,)), ACCUM)
    Ie, Ii = np.zeros(n), np.zeros(n)
    refr = np.zeros(n, dtype=np.int64)
    ring = np.zeros((16, 2, n), dtype=np.int64)
    sat = np.zeros((16, 2, n), dtype=np.bool_)
    spikes = np.empty((n_steps, n), dtype=np.bool_)
    rec_V = np.empty((n_steps, n))
    counts = np.zeros(3, dtype=np.int64)
    WeT = np.ascontiguousarray(_to_int16(We, se).T)
    WiT = np.ascontiguousarray(_to_int16(Wi, si).T)
    run_spinnaker(
        WeT, WiT, delay, ext, ext_w, V, Ie, Ii, refr, ring, sat, p, ACCUM.params(), n_steps,
        spikes, rec_V, counts,
    )  # fmt: skip
    n_sat_slots = int(counts[1] + sat.sum())
    return SpiNNakerResult(
        model=None,
        method="spinnaker IF_curr_exp (s16.15, 16-bit saturating ring buffers)",
        options={
            "dt": dt,
            "delay": delay,
            "ext_rate": ext_rate,
            "n_ext": n_ext,
            "ext_weight_int": ext_w,
            "params": p._asdict(),
        },
        n_iter=n_steps,
        spikes=spikes,
        V=rec_V,
        shifts=(int(se), int(si)),
        n_saturations=int(counts[0]),
        n_saturated_slots=n_sat_slots,
    )
