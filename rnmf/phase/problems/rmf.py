"""Multistable exponential-intensity E-I network (``rnmf phase rmf``) in the (w_E, w_I) plane.

Theory: :func:`rnmf.theory.rmf.phase.phase_diagram` (replica mean field: count of the
stationary states and their stability along the collective mode; Baccelli & Taillefumier
2019, SIAM J. Appl. Dyn. Syst. 18:1756, eq. (4.2)); simulation:
:func:`rnmf.sim.simulate_intensity` of the M-replica network started once from a low and
once from a high state.  :data:`PROBLEM` is this family's entry in
:data:`rnmf.phase.problems.PROBLEMS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["PROBLEM", "RMFEIParams", "rmf_simulation", "rmf_theory"]


@dataclass(frozen=True)
class RMFEIParams:
    """E-I network with identical exponential-intensity neurons and fixed in-degrees.

    Defaults: the multistable network of the ``rmf`` validation suite (states ~0.0078 and
    ~5.6 per unit time, a saddle at ~0.58).  ``M`` and ``T`` set the simulations.
    """

    w_E: float = 1.5
    w_I: float = -0.5
    K_E: int = 10
    K_I: int = 5
    b: float = -5.0
    r: float = -8.0
    tau: float = 1.0
    lam0: float = 1.0
    N_E: int = 12
    N_I: int = 6
    beta_max: float = 30.0
    M: int = 100
    T: float = 20.0

    def __post_init__(self) -> None:
        if not self.w_E > 0 or not self.w_I <= 0:
            raise ValueError(f"RMFEIParams needs w_E > 0 and w_I <= 0, got {self.w_E}, {self.w_I}")
        if self.K_E >= self.N_E or self.K_I > self.N_I:
            raise ValueError("RMFEIParams: in-degrees must fit (K_E < N_E, K_I <= N_I)")
        self.network()  # validates the rest through IntensityNetwork

    def network(self) -> Any:
        """The :class:`~rnmf.models.IntensityNetwork` (wiring drawn with seed 0)."""
        from rnmf.models import IntensityNetwork

        return IntensityNetwork.ei(
            self.N_E, self.N_I, w_E=self.w_E, w_I=self.w_I, K_E=self.K_E, K_I=self.K_I, rng=0,
            phi="exp", b=self.b, r=self.r, tau=self.tau, lam0=self.lam0,
        )  # fmt: skip

    def describe(self) -> str:
        """One-line summary."""
        return (
            f"E-I exp intensity: w_E={self.w_E:g}, w_I={self.w_I:g}, K_E={self.K_E}, "
            f"K_I={self.K_I}, b={self.b:g}, r={self.r:g}"
        )


def rmf_theory(p: RMFEIParams, params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Number of RMF stationary states, stable ones, lowest and highest stable rate.

    ``regime`` is ``"bistable"`` (two or more stable states), ``"low"`` / ``"high"``
    (one stable state below / above 1 per unit time) or ``"none"``.  Points where
    F(beta_max) > beta_max may have a state above ``beta_max``: ``converged`` is False
    there with that message.  Each point is a scan of the scalar equation
    beta = F(K_E beta, K_I beta) (see :mod:`rnmf.theory.rmf.phase`).
    """
    from rnmf.theory.rmf.phase import phase_diagram

    n = len(next(iter(params.values())))
    cols = {k: np.asarray(params.get(k, np.full(n, getattr(p, k))), dtype=float)
            for k in ("w_E", "w_I", "K_E", "K_I", "b", "r", "tau", "lam0", "beta_max")}  # fmt: skip
    out = {
        "n_solutions": np.zeros(n),
        "n_stable": np.zeros(n),
        "rate_low": np.full(n, np.nan),
        "rate_high": np.full(n, np.nan),
        "regime": np.full(n, "", dtype=object),
        "converged": np.ones(n, bool),
        "message": np.full(n, "", dtype=object),
    }
    for j in range(n):
        pd = phase_diagram(
            [cols["w_E"][j]], [cols["w_I"][j]], K_E=int(cols["K_E"][j]), K_I=int(cols["K_I"][j]),
            b=cols["b"][j], tau=cols["tau"][j], r=cols["r"][j], lam0=cols["lam0"][j],
            beta_max=cols["beta_max"][j],
        )  # fmt: skip
        st = pd.rates[0, 0][pd.stable[0, 0]]
        out["n_solutions"][j] = pd.n_solutions[0, 0]
        out["n_stable"][j] = st.size
        if st.size:
            out["rate_low"][j] = st.min()
            out["rate_high"][j] = st.max()
        out["regime"][j] = (
            "bistable" if st.size >= 2 else "none" if st.size == 0
            else ("low" if st[0] < 1.0 else "high")
        )  # fmt: skip
        if pd.above_max[0, 0]:
            out["converged"][j] = False
            out["message"][j] = "F(beta_max) > beta_max: a state above beta_max may exist"
    out["regime"] = out["regime"].astype(str)
    out["message"] = out["message"].astype(str)
    return out


rmf_theory.vectorized = True  # type: ignore[attr-defined]


def rmf_simulation(p: RMFEIParams, rng: np.random.Generator) -> dict[str, float | str]:
    """Replica network (M = ``p.M``) from a low start (X = b) and a high start (X = 0):
    E rates after ``T`` (5 tau of warm-up) and the regime they show."""
    from rnmf.sim import simulate_intensity

    net = p.network()
    E = np.arange(p.N_E)
    lo = simulate_intensity(net, p.T, M=p.M, rng=rng, t_warm=5.0, x0=p.b, record=[])
    hi = simulate_intensity(net, p.T, M=p.M, rng=rng, t_warm=5.0, x0=0.0, record=[])
    r_lo, r_hi = float(lo.rates[E].mean()), float(hi.rates[E].mean())
    regime = "bistable" if r_hi > 3 * r_lo + 0.1 else ("low" if r_hi < 1.0 else "high")
    return {"rate_low": r_lo, "rate_high": r_hi, "regime": regime}


#: Keyword arguments of :class:`rnmf.phase.problems.Problem` (the registry entry).
PROBLEM: dict[str, Any] = dict(
    name="rmf",
    model=RMFEIParams(),
    theory=rmf_theory,
    simulation=rmf_simulation,
    label_field="regime",
    description="replica mean field, exponential-intensity E-I network: multistability",
    sweepable=("w_E", "w_I", "b", "r", "lam0", "tau"),
    outputs={
        "regime": "bistable, low, high or none (stable RMF states)",
        "n_solutions": "stationary states of the RMF rate equation",
        "n_stable": "states stable along the collective mode (dF/dbeta < 1)",
        "rate_low": "lowest stable rate",
        "rate_high": "highest stable rate",
    },
    sim_outputs={
        "rate_low": "E rate from the low start",
        "rate_high": "E rate from the high start",
        "regime": "from the two rates",
    },
    example="rnmf phase rmf --vary w_E=0.8:2:9 --vary w_I=-1.5:0:7 --out rmf.png",
)
