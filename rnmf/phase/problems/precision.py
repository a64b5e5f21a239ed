"""Quantised rate networks (``rnmf phase precision``): chaos transition over (g, weight bits).

Theory: the couplings of a random rate network, stored as symmetric ``bits``-bit
integers on a grid clipping at ``clip`` standard deviations, act in the DMFT like the
unquantised network at :math:`g_{\\rm eff}` (:func:`rnmf.theory.precision.effective_network`;
Sompolinsky, Crisanti & Sommers 1988, eqs. 4-6 at g_eff); the transition to chaos of
the noise-free tanh network is :math:`g_{\\rm eff} = 1`.  Simulation: the sampled
couplings quantised with :func:`rnmf.sim.formats.quantize_weights` and run by
:func:`rnmf.sim.simulate`.  One diagram per rounding mode (``--set rounding=...``).
:data:`PROBLEM` is this family's entry in :data:`rnmf.phase.problems.PROBLEMS`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnmf._checks import check_choice, check_int, check_positive
from rnmf.models import RateNetwork

__all__ = [
    "PROBLEM",
    "QuantizedRateNetwork",
    "precision_boundary",
    "precision_simulation",
    "precision_theory",
]

_ROUNDINGS = ("nearest", "zero", "floor", "stochastic")


@dataclass(frozen=True)
class QuantizedRateNetwork:
    """A random tanh rate network whose couplings are stored in ``bits``-bit integers.

    Attributes
    ----------
    N : int
        Units.
    g : float
        Coupling strength before quantisation (sd of J is g / sqrt(N)).
    bits : int
        Bits per weight (2..16; a whole number, floats like 3.0 from a sweep accepted).
    clip : float
        Full scale of the grid in units of the couplings' sd.
    rounding : str
        ``nearest``, ``zero``, ``floor`` or ``stochastic``.
    """

    N: int = 1000
    g: float = 1.5
    bits: int = 4
    clip: float = 3.0
    rounding: str = "nearest"

    def __post_init__(self) -> None:
        check_int("QuantizedRateNetwork.N", self.N, minimum=2)
        check_positive("QuantizedRateNetwork.g", self.g)
        b = self.bits
        if isinstance(b, float) and b.is_integer():
            object.__setattr__(self, "bits", int(b))
        check_int("QuantizedRateNetwork.bits", self.bits, minimum=2, maximum=16)
        check_positive("QuantizedRateNetwork.clip", self.clip)
        check_choice("QuantizedRateNetwork.rounding", self.rounding, _ROUNDINGS)

    def rate_network(self, g: float | None = None) -> RateNetwork:
        """The unquantised RateNetwork."""
        return RateNetwork(N=self.N, g=self.g if g is None else float(g))

    def describe(self) -> str:
        return f"N={self.N}, g={self.g:g}, {self.bits}-bit {self.rounding}, clip {self.clip:g} sd"


def _g_eff(model: QuantizedRateNetwork, g: float, bits: float) -> tuple[float, float]:
    from rnmf.theory.precision import effective_network

    eff, _ = effective_network(
        model.rate_network(g), bits=int(round(bits)), clip=model.clip, rounding=model.rounding
    )
    return eff.g, eff.J0


def precision_theory(
    model: QuantizedRateNetwork, params: Mapping[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """g_eff, J0_eff and the DMFT at g_eff over a chunk of (g, bits) points.

    The regime comes from the DMFT at the effective network (quiet / static /
    chaotic).  Floor rounding gives a large negative mean coupling J0_eff = -N q / 2.
    """
    from rnmf.theory import dmft

    n = len(next(iter(params.values()))) if params else 1
    g = np.asarray(params.get("g", np.full(n, model.g)), dtype=float)
    bits = np.asarray(params.get("bits", np.full(n, model.bits)), dtype=float)
    ge = np.empty(n)
    j0 = np.empty(n)
    for k in range(n):
        ge[k], j0[k] = _g_eff(model, g[k], bits[k])
    out = dmft.solve_grid(model.rate_network(), g=ge, J0=j0, lyapunov=True)
    return {
        "g_eff": ge,
        "J0_eff": j0,
        "Delta0": np.asarray(out["Delta0"], dtype=float),
        "lambda_max": np.asarray(out["lambda_max"], dtype=float),
        "regime": np.asarray(out["regime"], dtype=object).astype(str),
    }


precision_theory.vectorized = True  # type: ignore[attr-defined]


def precision_boundary(model: QuantizedRateNetwork, params: Mapping[str, np.ndarray]) -> np.ndarray:
    """Critical g (before quantisation) for each number of bits: where g_eff = 1.

    With the grid step proportional to the couplings' sd, g_eff = c(bits, rounding) g,
    so g_c = 1 / c (exact Gaussian-bin sums; the noise-free tanh transition at
    g_eff = 1, SCS 1988; for floor rounding the mean shift is ignored here).
    """
    n = len(next(iter(params.values()))) if params else 1
    bits = np.asarray(params.get("bits", np.full(n, model.bits)), dtype=float)
    out = np.empty(n)
    for k in range(n):
        c = _g_eff(model, 1.0, bits[k])[0]
        out[k] = 1.0 / c if c > 0 else math.nan
    return out


precision_boundary.vectorized = True  # type: ignore[attr-defined]


def precision_simulation(
    model: QuantizedRateNetwork,
    rng: np.random.Generator,
    *,
    T: float = 100.0,
    burn_in: float = 100.0,
) -> dict[str, float | str]:
    """Simulate one sampled network with quantised couplings: Delta0 and regime.

    ``"chaotic"`` when the population variance stays above 1e-3 after the burn-in,
    else ``"quiet"`` (a static state of a quantised network is reported as quiet only
    when it is at zero).
    """
    from rnmf import sim
    from rnmf.sim.quantizers import quantize_weights

    net = model.rate_network()
    J = sim.sample_couplings(net, rng)
    M = 2 ** (model.bits - 1) - 1
    step = model.clip * model.g / math.sqrt(model.N) / M
    Jq = quantize_weights(
        J, bits=model.bits, scale=step, rounding=model.rounding, seed=int(rng.integers(2**31))
    ).values
    tr = sim.simulate(
        net, T, dt=0.1, method="exp_euler", rng=rng, J=Jq, burn_in=burn_in, record_units=0,
        record_every=5, progress=False,
    )  # fmt: skip
    if tr.diverged:
        return {"Delta0": math.nan, "regime": "diverged"}
    st = sim.population_stats(tr)
    d0 = float(st.var_x)
    moving = float(np.std(np.asarray(tr.mean_x2)))
    if d0 < 1e-8:
        regime = "quiet"
    elif moving < 1e-6 * max(d0, 1e-12):
        regime = "static"
    else:
        regime = "chaotic"
    return {"Delta0": d0, "regime": regime}


def _sim_cost(model: QuantizedRateNetwork) -> float:
    return 2000 * (4e-6 + 6e-10 * model.N**2)


#: Keyword arguments of :class:`rnmf.phase.problems.Problem` (the registry entry).
PROBLEM: dict[str, Any] = dict(
    name="precision",
    model=QuantizedRateNetwork(N=1000, g=1.5, bits=4),
    theory=precision_theory,
    simulation=precision_simulation,
    boundaries={"chaos: g_eff = 1": ("g", precision_boundary)},
    description="random tanh rate network with k-bit quantised couplings (DMFT at g_eff)",
    sweepable=("g", "bits"),
    outputs={
        "regime": "quiet, static or chaotic (DMFT at g_eff)",
        "g_eff": "sqrt(N Var Q(J)) of the quantised couplings",
        "J0_eff": "N E Q(J) (floor rounding: -N q / 2)",
        "Delta0": "variance of the activity x (DMFT at g_eff)",
        "lambda_max": "largest Lyapunov exponent (DMFT at g_eff)",
    },
    sim_outputs={
        "regime": "chaotic when the population variance stays > 0 and fluctuates",
        "Delta0": "population variance of x",
    },
    sim_cost=_sim_cost,
    example="rnmf phase precision --vary g=0.5:2.5:41 --vary bits=2:8:7 --set rounding=stochastic",
)
