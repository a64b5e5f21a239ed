"""Built-in phase-diagram problems: a theory and a simulation of the same model.

Each problem pairs a vectorised theory function (for :func:`rnmf.phase.sweep` with
``vectorized=True``), a simulation function (``fn(model, rng)``, for
``seeds=k``), a theory boundary (the transition condition solved directly), and a
default model.  ``rnmf phase MODEL`` looks problems up here by name; new models
plug in by adding a :class:`Problem` to :data:`PROBLEMS`.  Like
:mod:`rnmf.validate`, this module is a place where theory meets simulation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .models import RateNetwork

__all__ = ["PROBLEMS", "Problem", "rate_boundary", "rate_simulation", "rate_theory"]


def rate_theory(net: RateNetwork, params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Stationary DMFT of a random rate network over a chunk of grid points.

    Vectorised over the swept fields with :func:`rnmf.theory.dmft.solve_grid`
    (Sompolinsky, Crisanti & Sommers 1988; Schuecker, Goedeke & Helias 2018).  The
    regime label comes from the sign of the DMFT Lyapunov exponent: ``"chaotic"``
    where lambda_max > 0, else ``"quiet"``, ``"static"`` or ``"noise-driven"``.
    """
    from rnmf.theory import dmft

    arrays = {k: np.asarray(v) for k, v in params.items()}
    out = dmft.solve_grid(net, lyapunov=True, **arrays)
    return {
        "Delta0": out["Delta0"],
        "mu": out["mu"],
        "chi": out["chi"],
        "lambda_max": out["lambda_max"],
        "regime": np.asarray(out["regime"], dtype=object).astype(str),
    }


rate_theory.vectorized = True  # type: ignore[attr-defined]


def rate_simulation(
    net: RateNetwork,
    rng: np.random.Generator,
    *,
    T: float = 100.0,
    T_lyap: float = 100.0,
    burn_in: float = 50.0,
    dt: float = 0.05,
) -> dict[str, float | str]:
    """Simulate one sampled network: its Delta0, lambda_max and regime.

    The same couplings drive the trajectory and the tangent dynamics.  The regime
    is ``"chaotic"`` when the measured exponent exceeds twice its standard error,
    otherwise ``"noise-driven"`` (with noise), ``"quiet"`` (Delta0 < 1e-8) or
    ``"static"``.
    """
    from rnmf import sim

    J = sim.sample_couplings(net, rng)
    I = sim.sample_inputs(net, rng)
    traj = sim.simulate(
        net,
        T,
        dt=dt,
        rng=rng,
        burn_in=burn_in,
        J=J,
        I=I,
        record_units=1,
        record_every=max(1, int(round(0.5 / dt))) if not net.discrete else 1,
    )
    d0 = float(sim.population_stats(traj).var_x)
    ly = sim.lyapunov_spectrum(net, T_lyap, k=1, dt=dt, rng=rng, burn_in=burn_in, J=J, I=I)
    lam, sem = float(ly.exponents[0]), float(np.asarray(ly.sem)[0])
    if lam > 2.0 * sem and lam > 0:
        regime = "chaotic"
    elif net.sigma_noise > 0:
        regime = "noise-driven"
    elif d0 < 1e-8:
        regime = "quiet"
    else:
        regime = "static"
    return {"Delta0": d0, "lambda_max": lam, "regime": regime}


def rate_boundary(net: RateNetwork) -> float:
    """Critical g of the transition to chaos for this model (NaN if none in range).

    Zero crossing of the DMFT lambda_max (:func:`rnmf.theory.dmft.transition`).
    """
    from rnmf.theory import dmft

    try:
        return float(dmft.transition(net, param="g"))
    except Exception:  # noqa: BLE001 - no transition in the bracket: no boundary point
        return float("nan")


@dataclass(frozen=True)
class Problem:
    """A model with its theory, simulation and transition for phase diagrams."""

    name: str
    model: Any
    theory: Callable[..., Any]
    simulation: Callable[..., Any] | None = None
    boundaries: Mapping[str, tuple[str, Callable[[Any], float]]] = field(default_factory=dict)
    label_field: str = "regime"
    description: str = ""

    def base(self, **overrides: Any) -> Any:
        """The default model with fields replaced (validated by the model)."""
        return replace(self.model, **overrides) if overrides else self.model


PROBLEMS: dict[str, Problem] = {
    "rate": Problem(
        name="rate",
        model=RateNetwork(N=1000, g=1.5),
        theory=rate_theory,
        simulation=rate_simulation,
        boundaries={"chaos (DMFT)": ("g", rate_boundary)},
        description="random rate network, phi = tanh (SCS 1988; with noise Schuecker et al. 2018)",
    ),
}
