"""Brunel (2000) model A (``rnmf phase lif``) in the plane (g, eta).

Theory: :func:`rnmf.theory.lif.brunel_phase_diagram` (Siegert self-consistency and
linear stability of the asynchronous state, Brunel 2000); simulation:
:func:`rnmf.sim.simulate_lif` with rate, CV and spectral peak.  :data:`PROBLEM` is
this family's entry in :data:`rnmf.phase.problems.PROBLEMS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "PROBLEM",
    "BrunelParams",
    "lif_sim_cost",
    "lif_simulation",
    "lif_theory",
]


@dataclass(frozen=True)
class BrunelParams:
    """Brunel (2000) model A in the plane (g, eta = nu_ext / nu_thr); other fields fixed."""

    g: float = 5.0
    eta: float = 2.0
    N_E: int = 10000
    epsilon: float = 0.1
    J: float = 0.1
    D: float = 1.5

    def __post_init__(self) -> None:
        self.network()  # validates through LIFNetwork

    def network(self) -> Any:
        """The :class:`~rnmf.models.LIFNetwork` these parameters describe."""
        from rnmf.models import LIFNetwork

        return LIFNetwork.brunel(
            self.g, self.eta, N_E=self.N_E, epsilon=self.epsilon, J=self.J, D=self.D
        )

    def describe(self) -> str:
        """One-line summary."""
        return f"Brunel model A: g={self.g:g}, eta={self.eta:g}, N_E={self.N_E}, J={self.J:g} mV"


def lif_theory(p: BrunelParams, params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Regimes of Brunel's model A from theory, vectorised over the grid.

    ``rate`` is the lowest stable fixed point (Hz, Siegert self-consistency),
    ``n_fixed_points`` counts all of them, ``regime`` is Brunel's (2000, Fig. 2) label of
    that state from the linear stability of the asynchronous state
    (:func:`rnmf.theory.lif.brunel_phase_diagram`: AI, SR, SI fast, SI slow, quiescent;
    fast and slow split at a delay phase lag of pi/4, ``f = 1000/(8 D)`` Hz),
    ``frequency`` the leading mode's frequency (Hz) and ``bistable`` whether several
    stable rates coexist.  A point whose label the theory cannot certify (its
    ``resolved`` flag) is returned with ``converged = False`` and the reason, so sweeps
    count it as failed and figures mark it.  Every field of :class:`BrunelParams` may
    be swept: points that share ``N_E, epsilon, J, D`` are solved together.
    """
    from rnmf.theory import lif

    n = len(next(iter(params.values())))
    cols = {
        name: np.asarray(params.get(name, np.full(n, getattr(p, name))), dtype=float)
        for name in ("g", "eta", "N_E", "epsilon", "J", "D")
    }
    out = {
        "rate": np.full(n, np.nan),
        "n_fixed_points": np.full(n, np.nan),
        "regime": np.full(n, "", dtype=object),
        "frequency": np.full(n, np.nan),
        "bistable": np.full(n, np.nan),
        "converged": np.zeros(n, bool),
        "message": np.full(n, "", dtype=object),
    }
    fixed = np.stack([cols[k] for k in ("N_E", "epsilon", "J", "D")], axis=1)
    groups, inverse = np.unique(fixed, axis=0, return_inverse=True)
    for k, (N_E, epsilon, J, D) in enumerate(groups):
        sel = np.nonzero(inverse.ravel() == k)[0]
        kw = dict(N_E=int(N_E), epsilon=float(epsilon), J=float(J), D=float(D))
        pd = lif.brunel_phase_diagram(
            cols["g"][sel], cols["eta"][sel], raise_on_failure=False, **kw
        )
        out["rate"][sel] = pd.rate
        out["n_fixed_points"][sel] = pd.n_fixed_points
        out["regime"][sel] = pd.regime
        out["frequency"][sel] = pd.frequency
        out["bistable"][sel] = pd.bistable
        out["converged"][sel] = pd.resolved
        out["message"][sel] = np.where(pd.resolved, "", "unresolved: " + pd.reason.astype(object))
    out["regime"] = out["regime"].astype(str)
    out["message"] = out["message"].astype(str)
    return out


lif_theory.vectorized = True  # type: ignore[attr-defined]
# each call pays ~0.5 s of NumPy loop overhead (threshold integration), so fewer, larger
# chunks: 400 points take ~20 s in one call against ~75 s in 16 chunks
lif_theory.min_chunk = 400  # type: ignore[attr-defined]


def lif_simulation(p: BrunelParams, rng: np.random.Generator) -> dict[str, float]:
    """Simulate one Brunel network for 100 ms of burn-in and 300 ms of recording: E rate
    (Hz), CV of the ISIs and the spectral peak of the population rate (Hz, 10-500 Hz band)."""
    from rnmf import sim
    from rnmf.sim import spike_measures

    net = p.network()
    res = sim.simulate_lif(net, 300.0, dt=0.1, rng=rng, burn_in=100.0, progress=False)
    E = res.pop_slices[0]
    cv = spike_measures.cv_isi(res.senders, res.times, E, t_start=100.0, t_stop=400.0)
    total = res.pop_rates @ (np.asarray(net.N, dtype=float) / sum(net.N))
    f, S = spike_measures.power_spectrum(total, res.rate_bin, nperseg=min(total.size, 300))
    band = (f >= 10.0) & (f <= 500.0)
    return {
        "rate": float(
            spike_measures.mean_rate(res.senders, res.times, E, t_start=100.0, t_stop=400.0)
        ),
        "cv": float(np.nanmean(cv)),
        "peak_hz": float(f[band][np.argmax(S[band])]),
    }


def lif_sim_cost(p: BrunelParams, *, T: float = 400.0, dt: float = 0.1) -> float:
    """Rough seconds of one :func:`lif_simulation` run (400 ms of Brunel's model A).

    ``4e-8 s`` per neuron and step (update and Poisson input), ``5e-9 s`` per delivered
    synaptic event (``N nu dt K`` per step, with the theory's stationary rate ``nu``) and
    ``5e-8 s`` per synapse to build the network; measured on this project's loaded 2-core
    test machine at ``N_E = 10^4`` (2-10 s per run for rates of 6-330 Hz).  An order of
    magnitude, not a promise.
    """
    from rnmf.theory import lif

    net = p.network()
    N = float(sum(net.N))
    K = float(sum(net.K[0]))
    try:
        nu = float(np.max(lif.stationary_rates(net, raise_on_failure=False).rates))
    except Exception:  # noqa: BLE001 - an estimate: fall back to a typical rate
        nu = 30.0
    nu = nu if np.isfinite(nu) else 30.0
    steps = T / dt
    return 4e-8 * N * steps + 5e-9 * N * nu * dt * 1e-3 * K * steps + 5e-8 * N * K


def _balance_line(p: BrunelParams, params: Mapping[str, np.ndarray]) -> np.ndarray:
    """g = 1/gamma = C_E / C_I: recurrent excitation and inhibition balance (Brunel 2000)."""
    n = len(next(iter(params.values()))) if params else 1
    return np.full(n, 4.0)


_balance_line.vectorized = True  # type: ignore[attr-defined]


#: Keyword arguments of :class:`rnmf.phase.problems.Problem` (the registry entry).
PROBLEM: dict[str, Any] = dict(
    name="lif",
    model=BrunelParams(),
    theory=lif_theory,
    simulation=lif_simulation,
    boundaries={"balance g = 1/gamma": ("g", _balance_line)},
    label_field="rate",
    description="Brunel (2000) model A: stationary rate (Hz) and regime (SR/AI/SI)",
    sweepable=("g", "eta", "N_E", "epsilon", "J", "D"),
    outputs={
        "rate": "lowest stable stationary rate (Hz, Siegert self-consistency)",
        "n_fixed_points": "number of stationary rates, stable or not",
        "regime": "AI, SI fast, SI slow, SR or quiescent (Brunel 2000 Fig. 2)",
        "frequency": "frequency of the leading mode (Hz)",
        "bistable": "1 where several stable rates coexist",
    },
    sim_outputs={
        "rate": "E rate (Hz) over 100-400 ms",
        "cv": "mean CV of the E inter-spike intervals",
        "peak_hz": "spectral peak of the population rate (Hz, 10-500 Hz band)",
    },
    sim_cost=lif_sim_cost,
    example="rnmf phase lif --vary g=3:8:21 --vary eta=0.6:5:19 --field regime "
    "--store lif-store --out brunel.png",
)
