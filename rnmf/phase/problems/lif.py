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
    (:func:`rnmf.theory.lif.brunel_phase_diagram`: AI, SR, SI fast, SI slow, quiescent),
    ``frequency`` the leading mode's frequency (Hz) and ``bistable`` whether several
    stable rates coexist.
    """
    from rnmf.theory import lif

    n = len(next(iter(params.values())))
    g = np.asarray(params.get("g", np.full(n, p.g)), dtype=float)
    eta = np.asarray(params.get("eta", np.full(n, p.eta)), dtype=float)
    kw = dict(N_E=p.N_E, epsilon=p.epsilon, J=p.J, D=p.D)
    pd = lif.brunel_phase_diagram(g, eta, raise_on_failure=False, **kw)
    return {
        "rate": pd.rate,
        "n_fixed_points": pd.n_fixed_points.astype(float),
        "regime": pd.regime.astype(str),
        "frequency": pd.frequency,
        "bistable": pd.bistable.astype(float),
    }


lif_theory.vectorized = True  # type: ignore[attr-defined]
# each call pays ~0.5 s of NumPy loop overhead (threshold integration), so fewer, larger
# chunks: 400 points take ~20 s in one call against ~75 s in 16 chunks
lif_theory.min_chunk = 400  # type: ignore[attr-defined]


def lif_simulation(p: BrunelParams, rng: np.random.Generator) -> dict[str, float]:
    """Simulate one Brunel network for 400 ms: E rate (Hz), CV of the ISIs and the
    spectral peak of the population rate (Hz, 10-500 Hz band, after 100 ms)."""
    from rnmf import sim
    from rnmf.sim import spike_measures

    net = p.network()
    res = sim.simulate_lif(net, 400.0, dt=0.1, rng=rng)
    E = res.pop_slices[0]
    cv = spike_measures.cv_isi(res.senders, res.times, E, t_start=100.0, t_stop=400.0)
    k0 = int(round(100.0 / res.rate_bin))
    total = res.pop_rates[k0:] @ (np.asarray(net.N, dtype=float) / sum(net.N))
    f, S = spike_measures.power_spectrum(total, res.rate_bin, nperseg=min(total.size, 300))
    band = (f >= 10.0) & (f <= 500.0)
    return {
        "rate": float(
            spike_measures.mean_rate(res.senders, res.times, E, t_start=100.0, t_stop=400.0)
        ),
        "cv": float(np.nanmean(cv)),
        "peak_hz": float(f[band][np.argmax(S[band])]),
    }


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
)
