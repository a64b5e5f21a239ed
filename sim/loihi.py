r"""Loihi 1 preset: bit-accurate integer CUBA LIF with dense synapses.

Follows the semantics of Intel's Loihi 1 neuron and dense-synapse arithmetic
(Davies et al. 2018, IEEE Micro 38:82) as implemented by the bit-accurate CPU
process models of lava-nc 0.10 (``PyLifModelBitAcc``, ``PyDenseModelBitAcc``),
verified rule by rule against that source and run against it bit for bit by
``benchmarks/loihi_vs_lava.py``:

* weights: signed 8-bit mantissas clipped to [-256, 255] (mixed sign), [0, 255]
  (excitatory) or [-255, 0] (inhibitory); the lowest ``8 - num_weight_bits`` bits
  dropped by an arithmetic shift (one bit more for mixed-sign matrices; the
  magnitude is truncated for inhibitory ones); the summed input shifted by the weight
  exponent;
* current: :math:`u \leftarrow \mathrm{trunc}_0(u(4096 - d_u - 1)/4096) + (a \ll 6)`,
  wrapping at 24 bits by one correction of :math:`\pm 2^{24}` (lava adds the 1-bit offset
  1 to du; its sums are int32, so they wrap at 32 bits first, and an input beyond 25
  bits leaves u outside 24 bits, as in lava);
* voltage: :math:`v \leftarrow \mathrm{trunc}_0(v(4096 - d_v)/4096) + u + (m_b \ll e_b)`,
  saturating at :math:`\pm(2^{23} - 1)`;
* spike when :math:`v > \vartheta \ll 6`, then :math:`v \leftarrow 0`; no refractory
  period; spikes reach their targets at the next step.

Counters of current wraps and voltage saturations are returned.  The kernel is
:mod:`rnmf.sim._kernels.loihi`; its NumPy twin :mod:`rnmf.sim._reference_loihi`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rnmf._checks import check_array, check_int
from rnmf.results import Result

from ._kernels.loihi import LoihiParams, run_loihi

__all__ = ["LoihiResult", "loihi_weights", "simulate_loihi"]

_M = 1 << 23


def loihi_weights(W: Any, num_weight_bits: int = 8) -> np.ndarray:
    """The effective integer weights of a Loihi 1 dense synapse (lava's clip + truncate).

    The sign mode is read from the matrix (all >= 0: excitatory, all <= 0:
    inhibitory, else mixed); weights are clipped to the 8-bit mantissa range of
    that mode and their ``8 - num_weight_bits (+ 1 if mixed)`` lowest bits dropped by
    an arithmetic shift (of the magnitude for inhibitory matrices).
    """
    W = check_array("W (integer weights)", W, dtype=np.float64)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"W must be a square (n, n) matrix, got shape {W.shape}")
    if not np.all(W == np.round(W)):
        raise ValueError("W must hold integer weight mantissas (Loihi weights are integers)")
    nb = check_int("num_weight_bits", num_weight_bits, minimum=1, maximum=8)
    Wi = W.astype(np.int64)
    if Wi.min(initial=0) >= 0:
        mode = "excitatory"
    elif Wi.max(initial=0) <= 0:
        mode = "inhibitory"
    else:
        mode = "mixed"
    mixed = mode == "mixed"
    if mode == "inhibitory":
        Wi = -Wi
    Wi = np.clip(Wi, -256 if mixed else 0, 255)
    drop = 8 - nb + int(mixed)
    Wi = (Wi >> drop) << drop
    return -Wi if mode == "inhibitory" else Wi


@dataclass(frozen=True, kw_only=True, repr=False)
class LoihiResult(Result):
    """A Loihi 1 simulation: integer states and spikes of every step.

    Attributes
    ----------
    u, v : (n_steps, n) int64 arrays
        Current and voltage after each step (voltage after the reset).
    spikes : (n_steps, n) bool array
        Spikes of each step.
    weights : (n, n) int64 array
        Effective weights after clipping and truncation (before the exponent shift).
    n_wrap_u, n_sat_v : int
        Number of current wraps and voltage saturations (neuron-steps).
    """

    u: np.ndarray
    v: np.ndarray
    spikes: np.ndarray
    weights: np.ndarray
    n_wrap_u: int = 0
    n_sat_v: int = 0

    @property
    def rates(self) -> np.ndarray:
        """Spikes per step of each neuron."""
        return self.spikes.mean(axis=0)

    def _repr_rows(self) -> list[tuple[str, str]]:
        T, n = self.spikes.shape
        return [
            ("neurons x steps", f"{n} x {T}"),
            ("spikes", f"{int(self.spikes.sum())} (mean {self.spikes.mean():.4g} per neuron-step)"),
            ("current wraps", str(self.n_wrap_u)),
            ("voltage saturations", str(self.n_sat_v)),
        ]


def _int_vec(name: str, value: Any, n: int, lo: int, hi: int) -> np.ndarray:
    a = np.asarray(value)
    if a.dtype.kind not in "iub" and not (a.dtype.kind == "f" and np.all(a == np.round(a))):
        raise ValueError(f"{name} must hold integers, got {value!r}")
    a = np.broadcast_to(a.astype(np.int64), (n,)).copy() if a.ndim <= 1 else None
    if a is None:
        raise ValueError(f"{name} must be a scalar or a length-{n} vector")
    if a.size and (a.min() < lo or a.max() > hi):
        raise ValueError(f"{name} must lie in [{lo}, {hi}], got min {a.min()}, max {a.max()}")
    return a


def simulate_loihi(
    W: Any,
    n_steps: int,
    *,
    du: int,
    dv: int,
    vth: int,
    bias_mant: Any = 0,
    bias_exp: Any = 0,
    weight_exp: int = 0,
    num_weight_bits: int = 8,
    u0: Any = 0,
    v0: Any = 0,
) -> LoihiResult:
    """Simulate a Loihi 1 CUBA LIF population with recurrent dense synapses, bit for bit.

    Parameters
    ----------
    W : (n, n) integer array
        Weight mantissas, ``W[i, j]`` from j onto i (clipped and truncated by
        :func:`loihi_weights`).
    n_steps : int
        Time steps.
    du, dv : int
        12-bit decay constants of current and voltage (0..4095).
    vth : int
        Threshold mantissa (0..2^17 - 1), compared as ``vth << 6``.
    bias_mant : int or (n,) ints
        Bias mantissa (-4096..4095).
    bias_exp : int or (n,) ints
        Bias exponent (0..7).
    weight_exp : int
        Weight exponent (-8..7).
    num_weight_bits : int
        Weight precision (1..8).
    u0, v0 : int or (n,) ints
        Initial current and voltage (24-bit signed).

    Returns
    -------
    LoihiResult
    """
    Wi = loihi_weights(W, num_weight_bits)
    n = Wi.shape[0]
    n_steps = check_int("n_steps", n_steps, minimum=1, maximum=10**9)
    du = check_int("du", du, minimum=0, maximum=4095)
    dv = check_int("dv", dv, minimum=0, maximum=4095)
    vth = check_int("vth", vth, minimum=0, maximum=2**17 - 1)
    weight_exp = check_int("weight_exp", weight_exp, minimum=-8, maximum=7)
    bm = _int_vec("bias_mant", bias_mant, n, -4096, 4095)
    be = _int_vec("bias_exp", bias_exp, n, 0, 7)
    u = _int_vec("u0", u0, n, -_M + 1, _M)
    v = _int_vec("v0", v0, n, -_M + 1, _M - 1)
    bias = bm << be
    p = LoihiParams(4096 - du - 1, 4096 - dv, vth << 6, weight_exp)
    rec_u = np.empty((n_steps, n), dtype=np.int64)
    rec_v = np.empty((n_steps, n), dtype=np.int64)
    rec_s = np.empty((n_steps, n), dtype=np.bool_)
    counts = np.zeros(2, dtype=np.int64)
    a = np.zeros(n, dtype=np.int64)
    run_loihi(np.ascontiguousarray(Wi.T), bias, u, v, a, p, n_steps, rec_u, rec_v, rec_s, counts)
    return LoihiResult(
        model=None,
        method="loihi1 bit-accurate CUBA LIF",
        options={
            "du": du,
            "dv": dv,
            "vth": vth,
            "weight_exp": weight_exp,
            "num_weight_bits": num_weight_bits,
        },
        n_iter=n_steps,
        u=rec_u,
        v=rec_v,
        spikes=rec_s,
        weights=Wi,
        n_wrap_u=int(counts[0]),
        n_sat_v=int(counts[1]),
    )
