"""Sinusoidally driven random network (``rnmf phase driven``) in the plane (amplitude, frequency).

Theory: :func:`rnmf.theory.dmft.driven.periodic_state` (entrained periodic DMFT state and the
largest Lyapunov exponent from its Hill operator; Rajan, Abbott & Sompolinsky 2010, PRE
82:011903): ``regime`` is "entrained" where :math:`\\lambda_{max} < 0` (chaos suppressed) and
"chaotic" otherwise.  Where positive, ``lambda_max`` is the growth rate of perturbations of the
(unstable) entrained orbit, larger than the Lyapunov exponent of the chaotic state the network
then runs in (:func:`rnmf.theory.dmft.driven.chaotic_state`, too costly for a sweep: g = 1.5,
f = 0.5, A = 1: 0.055 against 0.038); the boundary :math:`\\lambda_{max} = 0` is exact.
Simulation: :func:`rnmf.sim.rate_populations.lyapunov_populations`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["PROBLEM", "DrivenParams", "driven_sim_cost", "driven_simulation", "driven_theory"]


@dataclass(frozen=True)
class DrivenParams:
    """Drive amplitude and frequency (cycles per tau) of a tanh network of gain g."""

    amplitude: float = 2.0
    frequency: float = 0.2
    g: float = 1.5
    N: int = 1000

    def __post_init__(self) -> None:
        self.network()

    def network(self) -> Any:
        """The :class:`~rnmf.models.RatePopulationNetwork` these parameters describe."""
        from rnmf.models import Drive, RatePopulationNetwork

        d = Drive("sine", amplitude=self.amplitude, frequency=self.frequency)
        return RatePopulationNetwork(N=self.N, g=[[self.g]], drive=d)

    def describe(self) -> str:
        """One-line summary."""
        return f"driven tanh network: g={self.g:g}, A={self.amplitude:g}, f={self.frequency:g}, N={self.N}"


def driven_theory(p: DrivenParams, params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``lambda_max`` of the entrained state (per tau), ``regime`` and ``Delta0`` per point
    (one periodic DMFT solve each: about 0.1-4 s, longer at low frequency)."""
    from dataclasses import replace

    from rnmf.theory.dmft.driven import periodic_state

    n = len(next(iter(params.values())))
    out = {
        "lambda_max": np.full(n, np.nan),
        "Delta0": np.full(n, np.nan),
        "regime": np.full(n, "", dtype=object),
        "converged": np.zeros(n, bool),
        "message": np.full(n, "", dtype=object),
    }
    for i in range(n):
        q = replace(p, **{k: float(v[i]) for k, v in params.items()})
        try:
            r = periodic_state(q.network(), raise_on_failure=False)
        except ValueError as exc:
            out["message"][i] = str(exc)
            continue
        out["lambda_max"][i], out["Delta0"][i] = r.lambda_max, r.Delta0
        out["regime"][i] = "entrained" if r.lambda_max < 0 else "chaotic"
        out["converged"][i] = r.converged
        out["message"][i] = "" if r.converged else str(r.status)
    out["regime"] = out["regime"].astype(str)
    out["message"] = out["message"].astype(str)
    return out


driven_theory.vectorized = True  # type: ignore[attr-defined]


def driven_simulation(p: DrivenParams, rng: np.random.Generator) -> dict[str, float]:
    """Largest Lyapunov exponent of one sampled network (100 tau after 50 tau of burn-in)."""
    from rnmf.sim.rate_populations import lyapunov_populations

    lam = lyapunov_populations(p.network(), 100.0, rng=rng, burn_in=50.0, progress=False).largest
    return {"lambda_max": float(lam), "regime": "entrained" if lam < 0 else "chaotic"}


def driven_sim_cost(p: DrivenParams) -> float:
    """Rough seconds: 3000 steps of two N^2 products at ~1e9 multiply-adds per second."""
    return 3000 * 2 * p.N**2 / 1e9


PROBLEM = dict(
    name="driven",
    model=DrivenParams(),
    theory=driven_theory,
    simulation=driven_simulation,
    label_field="regime",
    description="random tanh network driven by A cos(2 pi f t + theta_i): suppression of chaos (RAS 2010)",
    sweepable=("amplitude", "frequency", "g"),
    outputs={
        "lambda_max": "largest Lyapunov exponent of the entrained state (1/tau); > 0: orbit unstable",
        "Delta0": "variance of the recurrent part",
        "regime": "entrained or chaotic",
    },  # fmt: skip
    sim_outputs={"lambda_max": "measured largest Lyapunov exponent", "regime": "from its sign"},
    sim_cost=driven_sim_cost,
    example="rnmf phase driven --vary amplitude=0.5:5:10 --vary frequency=0.1:0.5:5",
)
