r"""Rates of LIF networks (Brunel 2000) with quantised synaptic weights.

A per-tensor symmetric k-bit quantiser stores every recurrent PSP :math:`J_{ab}` as
:math:`c\,q` with an integer code :math:`|c| \le M = 2^{k-1} - 1` and the step
:math:`q = \max_{ab}|J_{ab}|/M` (Jacob et al. 2018, CVPR, eq. 1, symmetric case).  In the
diffusion approximation the input of a neuron of population a has mean and variance
(Brunel 2000, J Comput Neurosci 8:183, eqs. 4-5)

.. math:: \mu_a = \tau\sum_b K_{ab}\,E[w_{ab}]\,\nu_b + \mu_{ext},\qquad
          \sigma_a^2 = \tau\sum_b K_{ab}\,E[w_{ab}^2]\,\nu_b + \sigma^2_{ext},

so the quantiser enters through the first two moments of a stored weight:

* deterministic rounding (nearest-even, toward zero, floor): every synapse of a block
  holds the same :math:`w = R(J/q)\,q`; the network is Brunel's with the changed
  :math:`J_{ab}` (exact);
* stochastic rounding: with :math:`J/q = k + f`, a synapse holds :math:`kq` with probability
  :math:`1 - f` and :math:`(k+1)q` with probability f, so :math:`E w = J` (the mean is kept)
  and :math:`E w^2 = J^2 + q^2 f(1 - f)`: the input variance gains
  :math:`\tau\sum_b K_{ab}\,q^2 f_{ab}(1 - f_{ab})\,\nu_b`.

The effective network that carries these moments has per block
:math:`K' = K\,(Ew)^2/E w^2` and :math:`J' = E w^2/E w` (so :math:`K'J' = K\,Ew` and
:math:`K'J'^2 = K\,Ew^2`), which :func:`rnmf.theory.lif.stationary_rates` and
:func:`rnmf.theory.lif.balanced_rates` solve unchanged.  The spread of the number of
rounded-up synapses between neurons (a quenched heterogeneity of the mean input of
variance :math:`K f(1 - f) q^2 (\tau\nu)^2`) is not included; a network that realises the
stochastic-rounding outcomes with the same count of rounded-up synapses on every neuron
(:func:`stochastic_split_network`) has none.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from rnmf._checks import check_choice, check_int, check_positive
from rnmf.models import LIFNetwork
from rnmf.results import Result

from ..lif import balanced_rates, stationary_rates
from ._common import ROUNDINGS

__all__ = [
    "QuantizedLIF",
    "QuantizedLIFRates",
    "quantized_lif_network",
    "quantized_lif_rates",
    "stochastic_split_network",
]


@dataclass(frozen=True, kw_only=True, repr=False)
class QuantizedLIF(Result):
    """The effective network of an LIF network with quantised recurrent weights.

    Attributes
    ----------
    network : LIFNetwork
        Effective network (K', J' per block) with the quantised weights' first two moments.
    scale : float
        Step q of the integer grid (mV).
    codes_low : ndarray (P, P)
        ``floor(J / q)`` (deterministic modes: the code itself), clipped to [-M, M].
    frac : ndarray (P, P)
        Probability f that a synapse holds the upper code (stochastic rounding; 0 otherwise).
    mean, second : ndarray (P, P)
        ``E w`` and ``E w^2`` of a stored weight (mV, mV^2).
    mean_shift : ndarray (P, P)
        ``E w - J``.
    var_added : ndarray (P, P)
        ``Var w = q^2 f (1 - f)`` (mV^2): the per-synapse term added to the input variance.
    """

    network: LIFNetwork
    scale: float
    codes_low: np.ndarray
    frac: np.ndarray
    mean: np.ndarray
    second: np.ndarray
    mean_shift: np.ndarray
    var_added: np.ndarray


def _codes(J: np.ndarray, q: float, M: int, rounding: str) -> tuple[np.ndarray, np.ndarray]:
    """Lower code and upper-code probability of J / q (the rounding of rnmf.sim.quantizers)."""
    y = J / q
    if rounding == "nearest":
        c, f = np.rint(y), np.zeros_like(y)
    elif rounding == "floor":
        c, f = np.floor(y), np.zeros_like(y)
    elif rounding == "zero":
        c, f = np.trunc(y), np.zeros_like(y)
    else:
        c = np.floor(y)
        f = y - c
    lo = np.clip(c, -M, M)
    hi = np.clip(c + 1, -M, M)
    f = np.where(hi == lo, 0.0, f)
    return lo, f


def quantized_lif_network(
    net: LIFNetwork,
    *,
    bits: int,
    rounding: str = "nearest",
    scale: float | None = None,
) -> QuantizedLIF:
    r"""Effective network of ``net`` with k-bit per-tensor symmetric recurrent weights.

    Parameters
    ----------
    net : LIFNetwork
        The network (its ``J`` are the recurrent PSPs; ``J_sd`` must be 0).
    bits : int
        Bits per weight (2..16); ``M = 2^(bits - 1) - 1``.
    rounding : {"nearest", "zero", "floor", "stochastic"}
        Rounding of ``J / q`` (nearest: ties to even, as :func:`rnmf.sim.quantize_weights`).
    scale : float, optional
        Step q; default ``max |J_ab| / M`` over the blocks with ``K_ab > 0``.

    Returns
    -------
    QuantizedLIF
        ``network`` goes to :func:`rnmf.theory.lif.stationary_rates` /
        :func:`~rnmf.theory.lif.balanced_rates` (module docstring for the derivation).
    """
    if not isinstance(net, LIFNetwork):
        raise ValueError(f"net must be an LIFNetwork, got {type(net).__name__}")
    bits = check_int("bits", bits, minimum=2, maximum=16)
    check_choice("rounding", rounding, ROUNDINGS)
    if np.any(np.asarray(net.J_sd, dtype=float) > 0):
        raise ValueError("net.J_sd > 0: weights already spread; quantise a network with J_sd = 0")
    M = 2 ** (bits - 1) - 1
    K = np.asarray(net.K, dtype=float)
    J = np.asarray(net.J, dtype=float)
    top = float(np.max(np.abs(np.where(K > 0, J, 0.0)), initial=0.0))
    if scale is None:
        if top == 0:
            raise ValueError("no recurrent weight to quantise (all J or K are 0)")
        q = top / M
    else:
        q = check_positive("scale", scale)
    lo, f = _codes(J, q, M, rounding)
    m1 = q * (lo + f)
    m2 = q * q * (lo * lo * (1 - f) + (lo + 1) ** 2 * f)
    spread = (f > 0) & (m1 != 0)  # two stored values: carry E w^2 through (K', J')
    with np.errstate(divide="ignore", invalid="ignore"):
        Jp = np.where(spread, m2 / np.where(spread, m1, 1.0), m1)
        Kp = np.where(spread, K * m1 * m1 / np.where(spread, m2, 1.0), K)
    conn = net.connectivity if np.array_equal(Kp, K) else "bernoulli"
    eff = dataclasses.replace(
        net,
        K=tuple(map(tuple, Kp.tolist())),
        J=tuple(map(tuple, Jp.tolist())),
        connectivity=conn,
    )
    var = q * q * f * (1.0 - f)  # two-point rounding variance (m2 - m1^2, without cancellation)
    return QuantizedLIF(
        model=net,
        method=f"{bits}-bit per-tensor symmetric ({rounding})",
        options={"bits": bits, "rounding": rounding, "scale": q},
        network=eff,
        scale=q,
        codes_low=lo,
        frac=f,
        mean=m1,
        second=m2,
        mean_shift=m1 - J,
        var_added=np.maximum(var, 0.0),
    )


@dataclass(frozen=True, kw_only=True, repr=False)
class QuantizedLIFRates(Result):
    """Stationary and balanced rates of an LIF network with quantised weights.

    Attributes
    ----------
    rates : ndarray (P,)
        Self-consistent rates (Hz) of the effective network (primary solution of
        :func:`rnmf.theory.lif.stationary_rates`).
    balanced : ndarray (P,)
        Leading-order balanced rates of the effective network (NaN if none).
    stationary : LIFStationary
    quantized : QuantizedLIF
    """

    rates: np.ndarray
    balanced: np.ndarray
    stationary: object
    quantized: QuantizedLIF


def quantized_lif_rates(
    net: LIFNetwork, *, bits: int, rounding: str = "nearest", scale: float | None = None
) -> QuantizedLIFRates:
    """Rates of ``net`` with quantised recurrent weights (:func:`quantized_lif_network`).

    The effective network is solved by :func:`rnmf.theory.lif.stationary_rates` (Brunel
    2000, eqs. 4-5 and 21) and :func:`rnmf.theory.lif.balanced_rates` (van Vreeswijk &
    Sompolinsky 1998, Sec. 4).  ``status`` is the stationary solver's; its validity flags
    (PSPs not small, refractoriness) are kept in ``stationary``.
    """
    qn = quantized_lif_network(net, bits=bits, rounding=rounding, scale=scale)
    st = stationary_rates(qn.network)
    bal = balanced_rates(qn.network)
    return QuantizedLIFRates(
        model=net,
        method=f"Siegert self-consistency at the quantised weight moments ({qn.method})",
        options=dict(qn.options),
        converged=st.converged,
        status=st.status,
        n_iter=st.n_iter,
        residual=st.residual,
        rates=np.asarray(st.rates, dtype=float),
        balanced=np.asarray(bal.rates if bal.positive else np.full(net.P, math.nan), dtype=float),
        stationary=st,
        quantized=qn,
    )


def stochastic_split_network(qn: QuantizedLIF) -> LIFNetwork:
    r"""A network that realises stochastic rounding of ``qn.model`` with fixed in-degrees.

    Every presynaptic population b with upper-code probability :math:`f_b > 0` is split
    into b_lo (fraction :math:`1 - f_b` of its neurons) and b_hi, with weights
    :math:`k_b q` and :math:`(k_b + 1) q`; every neuron receives
    :math:`\mathrm{round}(K(1 - f_b))` synapses from b_lo and the rest from b_hi, so each
    synapse holds one of the two stochastic-rounding outcomes with the right frequency and
    every neuron has the same number of rounded-up synapses (no quenched spread of the
    mean input).  Needs the same J and fraction for all targets of b (Brunel's model A).
    Populations keep their order; a split one is followed by its "_hi" half.
    """
    net = qn.model
    if qn.options.get("rounding") != "stochastic":
        raise ValueError("stochastic_split_network needs a stochastic-rounding QuantizedLIF")
    P = net.P
    K = np.asarray(net.K, dtype=float)
    f, lo, q = qn.frac, qn.codes_low, qn.scale
    parts: list[tuple[int, str, float]] = []  # (source population, half, fraction)
    for b in range(P):
        fb = f[:, b][K[:, b] > 0]
        lb = lo[:, b][K[:, b] > 0]
        if fb.size and (np.ptp(fb) > 1e-12 or np.ptp(lb) > 0):
            raise ValueError(
                f"population {b}: different weights onto different targets; the split needs "
                "one weight per presynaptic population"
            )
        fb0 = float(fb[0]) if fb.size else 0.0
        if fb0 > 0:
            parts += [(b, "lo", 1.0 - fb0), (b, "hi", fb0)]
        else:
            parts.append((b, "", 1.0))
    Nsrc = [max(1, int(round(net.N[b] * fr))) if h else net.N[b] for b, h, fr in parts]
    names = net.populations or tuple(f"P{a}" for a in range(P))
    newN, newK, newJ, rows_of = [], [], [], []
    for (b, _h, _), n in zip(parts, Nsrc, strict=True):
        newN.append(n)
        rows_of.append(b)
    for b_t in rows_of:
        Krow, Jrow = [], []
        for b, h, fr in parts:
            k_tot = K[b_t, b]
            if h == "lo":
                k_lo = int(round(k_tot * fr))
                Krow.append(float(k_lo))
                Jrow.append(float(lo[b_t, b] * q))
            elif h == "hi":
                Krow.append(float(k_tot - int(round(k_tot * (1.0 - fr)))))
                Jrow.append(float((lo[b_t, b] + 1) * q))
            else:
                Krow.append(float(k_tot))
                Jrow.append(float(qn.mean[b_t, b]))
        newK.append(tuple(Krow))
        newJ.append(tuple(Jrow))

    def per_target(x):
        arr = np.asarray(x, dtype=float)
        if arr.ndim == 0:
            return float(arr)
        return tuple(arr[rows_of].tolist()) if arr.ndim == 1 else tuple(map(tuple, arr[rows_of]))

    fields = {}
    for name in ("tau_m", "V_th", "V_reset", "t_ref", "tau_s", "nu_ext", "C_ext", "J_ext",
                 "mu_ext", "C_m", "E_L"):  # fmt: skip
        fields[name] = per_target(getattr(net, name))
    if not isinstance(net.delay, int | float):
        raise ValueError("stochastic_split_network needs one delay for all blocks")
    return dataclasses.replace(
        net,
        N=tuple(newN),
        K=tuple(newK),
        J=tuple(newJ),
        populations=tuple(names[b] + (f"_{h}" if h else "") for b, h, _ in parts),
        J_sd=0.0,
        **fields,
    )
