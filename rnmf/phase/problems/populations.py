"""Wilson–Cowan population model (``rnmf phase wilson-cowan``) in any plane of its parameters.

Theory: every fixed point at each grid point and its eigenvalues
(:func:`rnmf.theory.symbolic.solve_grid`), the regime from them (stable, bistable,
oscillatory); boundaries: the derived saddle-node (det A = 0) and Hopf (tr A = 0, det A > 0)
conditions located on the augmented systems (:func:`rnmf.theory.symbolic.locate`), solved for
``I_E``.  Simulation: the ODE from four random initial states
(:func:`rnmf.sim.simulate_populations`), classified by where the runs end.
:data:`PROBLEM` is this family's entry in :data:`rnmf.phase.problems.PROBLEMS`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from rnmf._checks import check_finite

__all__ = [
    "PROBLEM",
    "WilsonCowanParams",
    "classify_runs",
    "populations_simulation",
    "populations_theory",
]

#: the bracket of I_E in which the boundary lines are located
I_E_BRACKET = (-6.0, 10.0)


@dataclass(frozen=True)
class WilsonCowanParams:
    """The parameters of :func:`rnmf.models.populations.wilson_cowan`, as sweepable fields."""

    I_E: float = 0.0
    I_I: float = 0.0
    w_EE: float = 16.0
    w_EI: float = 12.0
    w_IE: float = 15.0
    w_II: float = 3.0
    a_E: float = 1.3
    theta_E: float = 4.0
    a_I: float = 2.0
    theta_I: float = 3.7
    tau_E: float = 1.0
    tau_I: float = 1.0

    def __post_init__(self) -> None:
        # the checks of the PopulationModel, without building it (the sweep engine
        # validates every grid point by constructing its parameters)
        for f in dataclasses.fields(self):
            v = check_finite(f"WilsonCowanParams.{f.name}", getattr(self, f.name))
            if f.name.startswith("tau") and not v > 0:
                raise ValueError(f"WilsonCowanParams.{f.name} must be > 0, got {v!r}")

    def population_model(self) -> Any:
        """The :class:`~rnmf.models.PopulationModel` these parameters describe."""
        from rnmf.models.populations import wilson_cowan

        return wilson_cowan(**dataclasses.asdict(self))

    def describe(self) -> str:
        """One-line summary."""
        return f"Wilson-Cowan: I_E={self.I_E:g}, I_I={self.I_I:g}, w_EE={self.w_EE:g}"


def populations_theory(p: Any, params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Regime, number of (stable) fixed points, the lowest stable state and the leading
    eigenvalue, vectorised over a chunk (see :func:`rnmf.theory.symbolic.phase_function`)."""
    from rnmf.theory.symbolic import phase_function

    return phase_function(conditions_at=("ISN",))(p, params)


populations_theory.vectorized = True  # type: ignore[attr-defined]
populations_theory.min_chunk = 4096  # type: ignore[attr-defined]


def classify_runs(final: np.ndarray, amplitude: np.ndarray, tol: float = 1e-3) -> str:
    """Regime from ODE runs: ``"oscillatory"`` when every run keeps oscillating,
    ``"bistable"`` when runs end at two or more distinct states (fixed points or a fixed point
    and a cycle), else ``"stable"``.  ``final`` (P, runs), ``amplitude`` (P, runs)."""
    osc = np.max(amplitude, axis=0) > tol
    if np.all(osc):
        return "oscillatory"
    ends = final[:, ~osc]
    distinct = [ends[:, 0]]
    for c in ends.T[1:]:
        if not any(np.max(np.abs(c - d)) < 1e-3 for d in distinct):
            distinct.append(c)
    return "bistable" if len(distinct) + int(np.any(osc)) >= 2 else "stable"


def populations_simulation(p: Any, rng: np.random.Generator) -> dict[str, float | str]:
    """Four ODE runs from random initial states in [0, 1]^2: regime, oscillation amplitude,
    and the mean final r_E of the runs that settle."""
    from rnmf.sim import simulate_populations

    r0 = rng.uniform(0.0, 1.0, size=(2, 4))
    # RK4 at dt = tau / 20 (the accuracy guidance of simulate_populations; the regimes at
    # test points equal those at dt = 0.02), recorded every 0.1
    tr = simulate_populations(
        p.population_model(), 60.0, dt=0.05, r0=r0, burn_in=140.0, record_every=2
    )
    amp = tr.amplitude(0.5)
    regime = classify_runs(tr.final, amp)
    settled = np.max(amp, axis=0) <= 1e-3
    return {
        "regime": regime,
        "amplitude": float(np.max(amp)),
        "r_E": float(np.mean(tr.final[0, settled])) if settled.any() else float("nan"),
    }


@lru_cache(maxsize=16)
def _located(name: str, base: WilsonCowanParams, key: tuple) -> np.ndarray:
    from rnmf.theory.symbolic import locate

    params = {k: np.asarray(v) for k, v in key}
    return locate(base.population_model(), name, "I_E", I_E_BRACKET, params, n_scan=25)


def _boundary(name: str, branch: int):
    def f(p: WilsonCowanParams, params: Mapping[str, np.ndarray]) -> np.ndarray:
        key = tuple((k, tuple(np.asarray(v, float).tolist())) for k, v in sorted(params.items()))
        crit = _located(name, p, key)
        n = max((np.asarray(v).size for v in params.values()), default=1)
        return crit[:, branch] if crit.shape[1] > branch else np.full(n, np.nan)

    f.vectorized = True  # type: ignore[attr-defined]
    f.__name__ = f.__qualname__ = f"_boundary_{name.replace('-', '_')}_{branch}"
    return f


def _sim_cost(p: WilsonCowanParams) -> float:
    """About 0.5 s per run (4000 RK4 steps of a batch of four, loaded 2-core machine)."""
    return 0.5


#: Keyword arguments of :class:`rnmf.phase.problems.Problem` (the registry entry).
PROBLEM: dict[str, Any] = dict(
    name="wilson-cowan",
    model=WilsonCowanParams(),
    theory=populations_theory,
    simulation=populations_simulation,
    boundaries={
        "saddle-node (1st)": ("I_E", _boundary("saddle-node", 0)),
        "saddle-node (2nd)": ("I_E", _boundary("saddle-node", 1)),
        "saddle-node (3rd)": ("I_E", _boundary("saddle-node", 2)),
        "saddle-node (4th)": ("I_E", _boundary("saddle-node", 3)),
        "Hopf (1st)": ("I_E", _boundary("Hopf", 0)),
        "Hopf (2nd)": ("I_E", _boundary("Hopf", 1)),
    },
    description="Wilson-Cowan E-I: regimes from fixed points, derived saddle-node and Hopf lines",
    outputs={
        "regime": "stable, bistable (>= 2 stable fixed points) or oscillatory (none stable)",
        "n_fixed_points": "fixed points found",
        "n_stable": "stable fixed points",
        "leading_real": "largest real part of the eigenvalues at the most stable fixed point",
        "r_E": "r_E at the lowest stable fixed point",
        "r_I": "r_I at the lowest stable fixed point",
        "ISN": "(f'_E w_EE - 1)/tau_E at the most stable fixed point (> 0: ISN)",
        "count_uncertain": "1 where the count of fixed points is not certified (a tangency of "
        "the reduced nullcline function: the point lies on a saddle-node line)",
    },
    sim_outputs={
        "regime": "from four ODE runs (oscillating, or ending at one or several states)",
        "amplitude": "largest peak-to-peak oscillation over the runs",
        "r_E": "mean final r_E of the runs that settle",
    },
    sim_cost=_sim_cost,
    example="rnmf phase wilson-cowan --vary I_E=-2:6:200 --vary I_I=-8:2:200 --simulate "
    "--sim-points 8 --out wc.png",
)
