"""Rank-one networks (``rnmf phase lowrank``) in the plane (g, M_m M_n).

Theory: :func:`rnmf.theory.lowrank.phase_diagram` (Mastrogiuseppe & Ostojic 2018);
simulation: :func:`rnmf.sim.simulate_lowrank` started on +m, classified by
:func:`rnmf.validate.lowrank.classify_trajectory`.  :data:`PROBLEM` is this family's
entry in :data:`rnmf.phase.problems.PROBLEMS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "PROBLEM",
    "RankOneParams",
    "lowrank_sim_cost",
    "lowrank_simulation",
    "lowrank_theory",
]


@dataclass(frozen=True)
class RankOneParams:
    """Rank-one network in the plane (g, M_m M_n) of Mastrogiuseppe & Ostojic (2018, Fig. 1).

    Uncorrelated Gaussian loadings m ~ N(M_m, S_m^2), n ~ N(M_n, 0) with
    ``M_n = strength / M_m``; the sweepable fields are ``g``, ``strength``, ``M_m``,
    ``S_m`` and ``N`` (the simulated size).
    """

    g: float = 1.0
    strength: float = 2.2
    M_m: float = 1.1
    S_m: float = 1.0
    N: int = 2000

    def __post_init__(self) -> None:
        self.network()  # validates every field through LowRankNetwork
        if self.M_m == 0:
            raise ValueError("RankOneParams.M_m must be nonzero (strength = M_m M_n)")

    def network(self) -> Any:
        """The :class:`~rnmf.models.LowRankNetwork` these parameters describe."""
        from rnmf.models import LowRankNetwork

        M_n = self.strength / self.M_m if self.M_m else 0.0
        return LowRankNetwork.rank_one(N=self.N, g=self.g, M_m=self.M_m, M_n=M_n, S_m=self.S_m)

    def describe(self) -> str:
        """One-line summary."""
        return (
            f"rank one: g={self.g:g}, M_m M_n={self.strength:g}, M_m={self.M_m:g}, S_m={self.S_m:g}"
        )


def lowrank_theory(p: RankOneParams, params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Regime, kappa and Delta0 of the heterogeneous state, vectorised over a chunk.

    Labels from the stability of the quiet, heterogeneous-static and chaotic states
    (:func:`rnmf.theory.lowrank.phase_diagram`; Mastrogiuseppe & Ostojic 2018).
    """
    from rnmf.theory import lowrank

    n = len(next(iter(params.values())))
    col = {
        k: np.asarray(params.get(k, np.full(n, getattr(p, k))), dtype=float)
        for k in ("g", "strength", "M_m", "S_m")
    }
    out = {
        "regime": np.empty(n, dtype=object),
        "kappa": np.full(n, np.nan),
        "Delta0": np.full(n, np.nan),
    }
    combos = np.unique(np.stack([col["M_m"], col["S_m"]], axis=1), axis=0)
    for M_m, S_m in combos:
        sel = np.nonzero((col["M_m"] == M_m) & (col["S_m"] == S_m))[0]
        gs, ss = np.unique(col["g"][sel]), np.unique(col["strength"][sel])
        pd = lowrank.phase_diagram(gs, ss, M_m=float(M_m), S_m=float(S_m))
        ig = np.searchsorted(gs, col["g"][sel])
        js = np.searchsorted(ss, col["strength"][sel])
        names = np.asarray(pd.label_names(), dtype=object)
        out["regime"][sel] = names[js, ig]
        out["kappa"][sel] = pd.kappa[js, ig]
        out["Delta0"][sel] = pd.Delta0[js, ig]
    out["regime"] = out["regime"].astype(str)
    return out


lowrank_theory.vectorized = True  # type: ignore[attr-defined]


def lowrank_simulation(p: RankOneParams, rng: np.random.Generator) -> dict[str, float | str]:
    """Simulate one sampled rank-one network started on +m: kappa, Delta0 and the regime."""
    from rnmf import sim
    from rnmf.validate.lowrank import classify_trajectory

    traj = sim.simulate_lowrank(
        p.network(),
        100.0,
        dt=0.05,
        rng=rng,
        burn_in=100.0,
        kappa0=[1.0],
        record_every=10,
        record_units=200,
        progress=False,  # the sweep draws its own bar
    )
    k = np.asarray(traj.kappa, dtype=float).reshape(len(traj.t), -1)[:, 0]
    var_time = float(np.mean(np.var(np.asarray(traj.x), axis=0)))
    d0 = float(np.mean(traj.mean_x2) - np.mean(traj.mean_x) ** 2)
    return {"kappa": float(np.mean(k)), "Delta0": d0, "regime": classify_trajectory(k, var_time)}


def _lowrank_g_chaos(p: RankOneParams, params: Mapping[str, np.ndarray]) -> np.ndarray:
    """g_C(M_m M_n): the heterogeneous static state becomes chaotic (M&O 2018)."""
    from rnmf.theory import lowrank

    return np.asarray(lowrank.critical_g_chaos(params["strength"], M_m=p.M_m, S_m=p.S_m), float)


def _lowrank_g_bb(p: RankOneParams, params: Mapping[str, np.ndarray]) -> np.ndarray:
    """g_BB(M_m M_n): the chaotic state with kappa != 0 disappears (M&O 2018)."""
    from rnmf.theory import lowrank

    return np.asarray(lowrank.critical_g_bistable_chaos(params["strength"]), dtype=float)


_lowrank_g_chaos.vectorized = True  # type: ignore[attr-defined]
_lowrank_g_bb.vectorized = True  # type: ignore[attr-defined]


def lowrank_sim_cost(p: RankOneParams) -> float:
    """Rough seconds of one :func:`lowrank_simulation` run (200 / 0.05 = 4000 steps).

    Dominated by the product with the N x N random couplings at each step; the cost
    per entry was measured on this project's (loaded) 2-core test machine: 16 s at
    N = 800, 63 s at N = 1600.  An order of magnitude, not a promise.
    """
    return 4000 * (1e-5 + 6e-9 * p.N**2)


#: Keyword arguments of :class:`rnmf.phase.problems.Problem` (the registry entry).
PROBLEM: dict[str, Any] = dict(
    name="lowrank",
    model=RankOneParams(),
    theory=lowrank_theory,
    simulation=lowrank_simulation,
    boundaries={
        "g_C: static -> chaotic": ("g", _lowrank_g_chaos),
        "g_BB: kappa -> 0 in chaos": ("g", _lowrank_g_bb),
    },
    description="rank-one network (Mastrogiuseppe & Ostojic 2018)",
    sweepable=("g", "strength", "M_m", "S_m"),
    outputs={
        "regime": "homogeneous, heterogeneous (static, kappa != 0) or chaotic",
        "kappa": "overlap of the activity with m (heterogeneous state)",
        "Delta0": "variance of the activity (heterogeneous state)",
    },
    sim_outputs={
        "regime": "classified from the kappa trace and the temporal variance",
        "kappa": "time-averaged overlap, started on +m",
        "Delta0": "population variance of x",
    },
    sim_cost=lowrank_sim_cost,
    example="rnmf phase lowrank --vary g=0.2:4:41 --vary strength=0:4:41 --store lowrank-store "
    "--out lowrank.png",
)
