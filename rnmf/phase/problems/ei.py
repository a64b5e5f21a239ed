"""Two cell types with column gains (``rnmf phase ei``) in the plane (g_E, g_I).

Model: :class:`~rnmf.models.RatePopulationNetwork` with Gaussian blocks whose standard
deviation depends on the sending population, :math:`g_{ab} = g_b` (an E and an I column;
Aljadeff, Stern & Sharpee 2015, PRL 114:088101), tanh units, zero means.  Theory: the quiet
state loses stability where the largest eigenvalue of :math:`M_{ab} = \\alpha_b g_b^2` (rank one:
:math:`\\alpha_E g_E^2 + \\alpha_I g_I^2`) crosses 1 (eq. 5 there); the largest Lyapunov
exponent of the quiet state is :math:`-1 + \\sqrt{\\rho(M)}`.  Simulation:
:func:`rnmf.sim.rate_populations.simulate_rate_populations`, per-population variance.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["PROBLEM", "EIParams", "ei_sim_cost", "ei_simulation", "ei_theory"]


@dataclass(frozen=True)
class EIParams:
    """Column gains g_E, g_I of a two-population tanh network (fraction f_E excitatory)."""

    g_E: float = 1.2
    g_I: float = 1.2
    f_E: float = 0.8
    N: int = 1000

    def __post_init__(self) -> None:
        self.network()  # validates through RatePopulationNetwork

    def network(self) -> Any:
        """The :class:`~rnmf.models.RatePopulationNetwork` these parameters describe."""
        from rnmf.models import RatePopulationNetwork

        g = [[self.g_E, self.g_I], [self.g_E, self.g_I]]
        return RatePopulationNetwork(N=self.N, fractions=(self.f_E, 1.0 - self.f_E), g=g)

    def describe(self) -> str:
        """One-line summary."""
        return f"two cell types: g_E={self.g_E:g}, g_I={self.g_I:g}, f_E={self.f_E:g}, N={self.N}"


def ei_theory(p: EIParams, params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Onset of chaos in the (g_E, g_I) plane, vectorised: ``radius2`` (largest eigenvalue of
    M at the quiet state), ``regime`` ("quiet" or "chaotic") and ``lambda_quiet`` (Lyapunov
    exponent of the quiet state, -1 + sqrt(radius2): negative where it is stable)."""
    n = len(next(iter(params.values())))
    col = {
        k: np.asarray(params.get(k, np.full(n, getattr(p, k))), dtype=float)
        for k in ("g_E", "g_I", "f_E")
    }
    rho = col["f_E"] * col["g_E"] ** 2 + (1.0 - col["f_E"]) * col["g_I"] ** 2
    return {
        "radius2": rho,
        "regime": np.where(rho < 1.0, "quiet", "chaotic").astype(str),
        "lambda_quiet": -1.0 + np.sqrt(rho),
        "converged": np.ones(n, bool),
        "message": np.full(n, "", dtype=object).astype(str),
    }


ei_theory.vectorized = True  # type: ignore[attr-defined]


def ei_simulation(p: EIParams, rng: np.random.Generator) -> dict[str, float]:
    """One network, 50 tau of burn-in and 100 tau recorded: per-population variance of x."""
    from rnmf.sim.rate_populations import simulate_rate_populations

    tr = simulate_rate_populations(p.network(), 100.0, rng=rng, burn_in=50.0, record_units=0,
                                   record_every=10, progress=False)  # fmt: skip
    var = tr.var_x.mean(axis=0)[0, 0]
    return {"Delta0_E": float(var[0]), "Delta0_I": float(var[1])}


def ei_sim_cost(p: EIParams) -> float:
    """Rough seconds of one run: 3000 gemv steps of N^2 at ~1e9 multiply-adds per second."""
    return 3000 * p.N**2 / 1e9


PROBLEM = dict(
    name="ei",
    model=EIParams(),
    theory=ei_theory,
    simulation=ei_simulation,
    boundaries={
        "chaos onset": (
            "g_I",
            lambda p: float(np.sqrt(max(1.0 - p.f_E * p.g_E**2, 0.0) / (1.0 - p.f_E))),
        )
    },
    label_field="regime",
    description="two cell types (E and I column gains), tanh: onset of chaos at rho(alpha_b g_b^2) = 1",
    sweepable=("g_E", "g_I", "f_E"),
    outputs={
        "radius2": "largest eigenvalue of M at the quiet state",
        "regime": "quiet or chaotic",
        "lambda_quiet": "Lyapunov exponent of the quiet state (per tau)",
    },  # fmt: skip
    sim_outputs={"Delta0_E": "variance of x in E", "Delta0_I": "variance of x in I"},
    sim_cost=ei_sim_cost,
    example="rnmf phase ei --vary g_E=0.5:2:41 --vary g_I=0.5:2:41",
)
