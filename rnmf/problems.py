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

__all__ = [
    "PROBLEMS",
    "Problem",
    "rate_boundary",
    "rate_local_stability",
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
        return np.asarray(dmft.solve_grid(net, g=g, **fixed)["chi"], dtype=float) - 1.0

    f_hi = excess(hi)
    ok = f_hi > 0
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        up = excess(mid) > 0
        hi = np.where(up, mid, hi)
        lo = np.where(up, lo, mid)
    return np.where(ok, 0.5 * (lo + hi), np.nan)


rate_local_stability.vectorized = True  # type: ignore[attr-defined]


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


# ------------------------------------------------------------------------- rank-one networks
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
        from .models import LowRankNetwork

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

    from .validate_lowrank import classify_trajectory

    traj = sim.simulate_lowrank(
        p.network(),
        100.0,
        dt=0.05,
        rng=rng,
        burn_in=100.0,
        kappa0=[1.0],
        record_every=10,
        record_units=200,
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


# ------------------------------------------------------------------------- Brunel LIF networks
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
        from .models import LIFNetwork

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


PROBLEMS: dict[str, Problem] = {
    "rate": Problem(
        name="rate",
        model=RateNetwork(N=1000, g=1.5),
        theory=rate_theory,
        simulation=rate_simulation,
        boundaries={
            "chaos: lambda_max = 0": ("g", rate_boundary),
            "local stability: chi = 1": ("g", rate_local_stability),
        },
        description="random rate network, phi = tanh (SCS 1988; with noise Schuecker et al. 2018)",
    ),
    "lowrank": Problem(
        name="lowrank",
        model=RankOneParams(),
        theory=lowrank_theory,
        simulation=lowrank_simulation,
        boundaries={
            "g_C: static -> chaotic": ("g", _lowrank_g_chaos),
            "g_BB: kappa -> 0 in chaos": ("g", _lowrank_g_bb),
        },
        description="rank-one network (Mastrogiuseppe & Ostojic 2018)",
    ),
    "lif": Problem(
        name="lif",
        model=BrunelParams(),
        theory=lif_theory,
        simulation=lif_simulation,
        boundaries={"balance g = 1/gamma": ("g", _balance_line)},
        label_field="rate",
        description="Brunel (2000) model A: stationary rate (Hz) and regime (SR/AI/SI)",
    ),
}
