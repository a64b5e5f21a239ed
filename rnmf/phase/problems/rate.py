"""Random rate networks (``rnmf phase rate``): stationary DMFT against simulation.

Theory: :func:`rnmf.theory.dmft.solve_grid` with the DMFT Lyapunov exponent
(Sompolinsky, Crisanti & Sommers 1988; Schuecker, Goedeke & Helias 2018);
simulation: :mod:`rnmf.sim` with the largest Lyapunov exponent of the sampled
network.  :data:`PROBLEM` is this family's entry in
:data:`rnmf.phase.problems.PROBLEMS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from rnmf.models import RateNetwork

__all__ = [
    "PROBLEM",
    "rate_boundary",
    "rate_local_stability",
    "rate_sim_cost",
    "rate_simulation",
    "rate_theory",
]


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
        progress=False,  # the sweep draws its own bar
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


def rate_boundary(net: RateNetwork, params: Mapping[str, np.ndarray]) -> np.ndarray:
    """Critical g of the transition to chaos for each combination of the other axes.

    Zero crossing of the DMFT lambda_max (Schuecker, Goedeke & Helias 2018): all
    at once with :func:`rnmf.theory.dmft.transition_curve` when the other axis is
    the noise intensity, otherwise :func:`rnmf.theory.dmft.transition` per
    combination.  NaN where there is no transition.
    """
    from rnmf.theory import dmft

    names = list(params)
    n = len(next(iter(params.values()))) if params else 1
    if names == ["sigma_noise"]:
        return np.asarray(
            dmft.transition_curve(
                net, param="g", along="sigma_noise", values=params["sigma_noise"]
            ),
            dtype=float,
        )
    out = np.full(n, np.nan)
    for j in range(n):
        model = replace(net, **{k: float(v[j]) for k, v in params.items()})
        try:
            out[j] = float(dmft.transition(model, param="g"))
        except Exception:  # noqa: BLE001 - no transition in the bracket: no boundary point
            out[j] = np.nan
    return out


rate_boundary.vectorized = True  # type: ignore[attr-defined]


def rate_local_stability(net: RateNetwork, params: Mapping[str, np.ndarray]) -> np.ndarray:
    """g at which chi = g^2 <phi'^2> = 1 (local stability line), per combination.

    Schuecker, Goedeke & Helias (2018, Fig. 2): with noise the transition to chaos
    (lambda_max = 0) lies above this line.  Vectorised bisection in g on
    :func:`rnmf.theory.dmft.solve_grid` (no Lyapunov exponent needed).
    """
    from rnmf.theory import dmft

    n = len(next(iter(params.values()))) if params else 1
    fixed = {k: np.asarray(v, dtype=float) for k, v in params.items()}
    lo, hi = np.full(n, 1e-6), np.full(n, 20.0)

    def excess(g: np.ndarray) -> np.ndarray:
        return (
            np.asarray(dmft.solve_grid(net, g=g, lyapunov=False, **fixed)["chi"], dtype=float) - 1.0
        )

    f_hi = excess(hi)
    ok = f_hi > 0
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        up = excess(mid) > 0
        hi = np.where(up, mid, hi)
        lo = np.where(up, lo, mid)
    return np.where(ok, 0.5 * (lo + hi), np.nan)


rate_local_stability.vectorized = True  # type: ignore[attr-defined]


def rate_sim_cost(net: RateNetwork, *, T: float = 100.0, T_lyap: float = 100.0) -> float:
    """Rough seconds of one :func:`rate_simulation` run (trajectory + Lyapunov exponent).

    Each of the ``(T + T_lyap + 2 burn_in) / dt`` steps is dominated by one product with
    the N x N couplings; the cost per entry was measured on this project's 2-core test
    machine (a loaded one: 0.6 s at N = 400, ~90 s at N = 1000, where the couplings no
    longer fit in the CPU cache).  An order of magnitude, not a promise.
    """
    steps = (T + T_lyap + 2 * 50.0) / 0.05
    per_entry = 6e-10 if 8 * net.N**2 <= 2**21 else 1.6e-8
    return steps * (4e-6 + per_entry * net.N**2)


#: Keyword arguments of :class:`rnmf.phase.problems.Problem` (the registry entry).
PROBLEM: dict[str, Any] = dict(
    name="rate",
    model=RateNetwork(N=1000, g=1.5),
    theory=rate_theory,
    simulation=rate_simulation,
    boundaries={
        "chaos: lambda_max = 0": ("g", rate_boundary),
        "local stability: chi = 1": ("g", rate_local_stability),
    },
    description="random rate network, phi = tanh (SCS 1988; with noise Schuecker et al. 2018)",
    sweepable=("g", "J0", "I0", "sigma_I", "sigma_noise"),
    outputs={
        "regime": "quiet, static, chaotic (lambda_max > 0) or noise-driven",
        "Delta0": "variance of the activity x (DMFT)",
        "mu": "mean of the activity x (DMFT)",
        "chi": "local stability g^2 <phi'^2> (< 1: stable fixed point)",
        "lambda_max": "largest Lyapunov exponent (1/tau, DMFT)",
    },
    sim_outputs={
        "regime": "from the measured lambda_max",
        "Delta0": "population variance of x",
        "lambda_max": "largest Lyapunov exponent of the sampled network",
    },
    sim_cost=rate_sim_cost,
    example="rnmf phase rate --vary g=0.5:3:101 --vary sigma_noise=0:1:51 --store rate-store "
    "--out rate.png  (theory: ~1 min; add --simulate --set N=400 for overlays)",
)
