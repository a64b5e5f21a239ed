r"""SpiNNaker preset: LIF network in s16.15 fixed point with saturating 16-bit ring buffers.

Follows the integer arithmetic of sPyNNaker's ``IF_curr_exp`` (Rhodes et al. 2018, Front.
Neuroinform. 12:105; Furber et al. 2014, Proc. IEEE 102:652) as read in the C sources of
SpiNNakerManchester/sPyNNaker (``neural_modelling/src/neuron/...``) and the host code; each
rule, with its source file, is stated by a test in ``tests/sim/test_spinnaker.py``:

* state and parameters in ``accum`` = s16.15 (ISO/IEC TR 18037; LSB 2^-15); host values are
  encoded as ``round(Decimal(str(v)) * 2^15)`` (half to even; ``DataType.S1615``);
* the LIF update ``alpha = I R + V_rest``, ``V = alpha - exp_TC (alpha - V)``
  (``neuron_model_lif_impl.h``, ``lif_neuron_closed_form``) with the plain GCC ``accum``
  multiply, which on ARM keeps bits [46:15] of the 64-bit product: floor, wrapping, no
  rounding (``mulsa3`` in gcc's ``config/arm/arm-fixed.md``); ``multiply="nearest"``
  selects the ``MULT_ROUND_NEAREST_ACCUM`` of earlier releases of that file (spinn_common's
  ``round.h``; its ``__stdfix_round_s64`` in ``stdfix-full-iso.h`` adds bit 14 before the
  shift, so ties round up, then saturates);
* ``R = tau_m / c_m``, ``exp_TC = exp(-dt/tau_m)``, ``T_refract = ceil(t_ref / dt)``
  computed on the chip at initialisation (``neuron_model_initialise``);
* exponential current synapses with u0.32 factors ``decay = exp(-dt/tau_s)`` and
  ``init = (tau_s/dt)(1 - decay)`` (``exp_synapse_utils.h``, ``decay_and_init``),
  applied as ``(x * factor) >> 32`` (``decay.h``, ``decay_s1615``: floor);
* per step: ring-buffer slot -> ``syn += (slot << shift) * init`` (``neuron.c``,
  ``neuron_transfer``), then the neuron update with the new ``syn``, the threshold
  ``V >= V_th`` (``threshold_type_static.h``), the reset, and last the decay of ``syn``
  (``neuron_impl_standard.h``, ``neuron_impl_do_timestep_update``);
* 16-bit unsigned weights ``rint(|w| 2^(15 - shift)) & 0xFFFF`` per synapse type
  (``synapse_row`` data of the host), accumulated per (delay slot, type, neuron) in
  16-bit ring buffers that SATURATE at 0xFFFF, each saturated addition counted
  (``synapses.c``, ``process_fixed_synapses``);
* the per-type ``shift`` chosen by the host like ``get_ring_buffer_shifts`` of
  ``abstract_population_vertex.py``: the expected upper bound
  :math:`\lambda\bar w + \sigma\sqrt{\lambda\bar w^2 + \lambda s_w^2}` of a slot
  (:math:`\lambda` = fan-in x rate x dt, :math:`\sigma` = ``ring_buffer_sigma``, default 5;
  sPyNNaker evaluates the :math:`s_w^2` term with a truncated Poisson sum, here its
  limit), capped by the total and floored by the largest weight, then
  ``shift = ceil(log2(max))``, plus one when :math:`2^{\rm shift} \le` max.

Not verified bit for bit (no board or emulator here): the last bit of the chip's
``kdivk``, ``expk`` and ``expulr`` (here exact values rounded to nearest), and the tick
in which a spike packet is processed (here: delivered ``delay`` steps after the spike).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from rnmf._checks import as_rng, check_array, check_int, check_nonnegative, check_positive
from rnmf.results import Result

from ._kernels.spinnaker import SpiNNakerParams, run_spinnaker
from .formats import NumberFormat

__all__ = ["ACCUM", "SpiNNakerResult", "ring_buffer_shift", "simulate_spinnaker", "to_s1615"]

ACCUM = NumberFormat.fixed(16, 15, rounding="floor", overflow="wrap", name="s16.15")
"""The ``accum`` type of SpiNNaker's neuron state (s16.15; GCC multiplies floor and wrap)."""


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
    """Host weight encoding ``rint(|w| 2^(15 - shift)) & 0xFFFF`` (numpy rint: half to even)."""
    return (np.rint(np.abs(w) * 2.0 ** (15 - shift)).astype(np.int64)) & 0xFFFF


def to_s1615(value: float) -> int:
    """Host encoding of an ``accum``: ``round(Decimal(str(v)) * 2^15)``, half to even."""
    bits = int(round(Decimal(repr(float(value))) * 32768))
    if not -(2**31) <= bits < 2**31:
        raise ValueError(f"{value!r} does not fit s16.15 (|v| < 65536)")
    return bits


def _kdivk(a: int, b: int) -> int:
    """s16.15 division a / b (bits), nearest (the chip's ``kdivk`` may differ in the last bit)."""
    return int(round(Decimal(a) * 32768 / Decimal(b)))


def _chip_constants(
    tau_m: float, cm: float, tau_refrac: float, tau_syn_e: float, tau_syn_i: float, dt: float
) -> dict[str, int]:
    """Constants the chip derives at initialisation, as integer bits."""
    ts = to_s1615(dt)
    tm = to_s1615(tau_m)
    out = {
        "r_m": _kdivk(tm, to_s1615(cm)),
        "exp_tc": int(round(math.exp(-_kdivk(ts, tm) / 32768.0) * 32768)),
    }
    r = _kdivk(to_s1615(tau_refrac), ts)
    out["t_refract"] = (r >> 15) + (1 if r & 0x7FFF else 0)  # lif_ceil_accum
    for x, tau in (("e", tau_syn_e), ("i", tau_syn_i)):
        tb = to_s1615(tau)
        decay = min(int(round(math.exp(-_kdivk(ts, tb) / 32768.0) * 2.0**32)), 2**32 - 1)
        inv = (2**32 - 1) - decay  # 1.0ulr saturates to the largest u0.32
        out[f"decay_{x}"] = decay
        out[f"init_{x}"] = ((_kdivk(tb, ts) * inv) >> 15) & 0xFFFFFFFF
    return out


@dataclass(frozen=True, kw_only=True, repr=False)
class SpiNNakerResult(Result):
    """A SpiNNaker-like simulation.

    Attributes
    ----------
    spikes : (n_steps, n) bool array
    V : (n_steps, n) float64 array
        Membrane potential (mV) at the start of each step, as the chip records it
        (s16.15 values).
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
    multiply: str = "floor",
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
    multiply : {"floor", "nearest"}
        The LIF's accum products: "floor" (current sPyNNaker, plain GCC ``*``: floor,
        wrapping) or "nearest" (the ``MULT_ROUND_NEAREST_ACCUM`` of earlier releases: ties
        up, saturating).
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
    if multiply not in ("floor", "nearest"):
        raise ValueError(f"multiply must be 'floor' or 'nearest', got {multiply!r}")
    dt = 1.0
    if shifts is None:
        w_e_all = np.hstack([We, np.full((n, n_ext), ext_weight)]) if n_ext and ext_weight else We
        se = ring_buffer_shift(
            w_e_all, rate=max(max_rate, ext_rate), dt=dt, sigma=ring_buffer_sigma
        )
        si = ring_buffer_shift(Wi, rate=max_rate, dt=dt, sigma=ring_buffer_sigma)
    else:
        se, si = (check_int("shifts", s, minimum=0, maximum=16) for s in shifts)
    c = _chip_constants(tau_m, cm, tau_refrac, tau_syn_e, tau_syn_i, dt)
    p = SpiNNakerParams(
        v_rest=to_s1615(v_rest),
        v_reset=to_s1615(v_reset),
        v_thresh=to_s1615(v_thresh),
        i_offset=to_s1615(i_offset),
        shift_e=int(se),
        shift_i=int(si),
        n_slots=16,
        mul_nearest=int(multiply == "nearest"),
        **c,
    )
    gen = as_rng(rng)
    lam = n_ext * ext_rate * dt / 1000.0
    ext = (
        gen.poisson(lam, (n_steps, n)).astype(np.int64)
        if lam > 0
        else np.zeros((n_steps, n), np.int64)
    )
    ext_w = int(_to_int16(np.array(ext_weight), se)) if n_ext else 0
    if v0 is None:
        V = np.full(n, p.v_rest, dtype=np.int64)
    else:
        V = np.array([to_s1615(x) for x in check_array("v0", v0, shape=(n,))], dtype=np.int64)
    Ie, Ii = np.zeros(n, np.int64), np.zeros(n, np.int64)
    refr = np.zeros(n, dtype=np.int64)
    ring = np.zeros((16, 2, n), dtype=np.int64)
    sat = np.zeros((16, 2, n), dtype=np.bool_)
    spikes = np.empty((n_steps, n), dtype=np.bool_)
    rec_V = np.empty((n_steps, n), dtype=np.int64)
    counts = np.zeros(3, dtype=np.int64)
    WeT = np.ascontiguousarray(_to_int16(We, se).T)
    WiT = np.ascontiguousarray(_to_int16(Wi, si).T)
    run_spinnaker(
        WeT, WiT, delay, ext, ext_w, V, Ie, Ii, refr, ring, sat, p, n_steps, spikes, rec_V,
        counts,
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
        V=rec_V / 32768.0,
        shifts=(int(se), int(si)),
        n_saturations=int(counts[0]),
        n_saturated_slots=n_sat_slots,
    )
