r"""Points, sizes, measured spreads and worker tasks of the low-rank suite.

Shared by :mod:`rnmf.validate.lowrank` (the suite), :mod:`rnmf.validate._lowrank_rows` (its
rows) and :mod:`rnmf.validate.lowrank_figures`.  The tasks are top-level functions because
they run in spawned processes (:func:`rnmf.validate.map_tasks`); :func:`task` dispatches on
the kind.  The measured network-to-network spreads (``*_SD``, stored as ``sd sqrt(N)``) enter
the tolerances through :func:`rnmf.validate.tolerance.measured_spread`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from ..models.lowrank import LowRankNetwork

#: Loadings and g of the reference point (docs/references.md sec. 4).
REFERENCE_POINT = MappingProxyType({"M_m": 1.1, "M_n": 2.0, "S_m": 1.0, "S_n": 0.0, "g": 1.0})
#: A point inside the bistable chaotic phase (M_m M_n = 5, g_C = 2.962 < g < g_BB = 4.736).
#: At M_m M_n = 4, g = 3.2 two of six N = 2000 networks hopped between the wells within 80 tau
#: (the kappa map's slope is 0.76 there, 0.65 here).
CHAOS_POINT = MappingProxyType({"M_m": 1.1, "M_n": 5.0 / 1.1, "S_m": 1.0, "S_n": 0.0, "g": 3.6})
#: Chaos around kappa = 0 at the reference loadings (g_BB = 2.136 < g; kappa map slope 0.70).
CHAOS0_POINT = MappingProxyType({"M_m": 1.1, "M_n": 2.0, "S_m": 1.0, "S_n": 0.0, "g": 3.0})
#: Network-to-network sd times sqrt(N) at CHAOS_POINT (sign-aligned), measured over 16
#: networks each at N = 1000 (T = 60) and N = 2000 (T = 80), the larger of the two; a few
#: seeds estimate it poorly (quick runs failed on it), so the bistable-chaos rows add
#: 3 sd / sqrt(seeds).
CHAOS_SD = {"kappa": 6.4, "mu": 9.1, "Delta0": 36.0, "Delta_inf": 68.0}
#: sd times sqrt(N) of (simulation - theory at the network's sample m, n) at the reference
#: point, over 16 networks each at N = 1000 and 2000 (the larger): the bulk realisation
#: (g = 1, close to the bulk's own critical point) spreads the fixed point.
STATIC_SD = {"kappa": 1.4, "mu": 2.3, "Delta0": 3.1}
#: Homogeneous stationary point (g < 1 and M_m M_n < 1): x = 0.
QUIET_POINT = MappingProxyType({"M_m": 1.1, "M_n": 0.5 / 1.1, "S_m": 1.0, "S_n": 0.0, "g": 0.5})
#: g = 0 network with one input vector I ~ N(1, 0.5^2), for the latent step response.
LATENT_MEANS = (1.1, 2.0, 1.0)
LATENT_COV = ((1.0, 0.0, 0.0), (0.0, 0.0, 0.0), (0.0, 0.0, 0.25))
STEP_TIME, STEP_AMP, LATENT_T, LATENT_K0 = 2.0, -1.5, 12.0, 1.0
LATENT_TIMES = (1.0, 2.5, 5.0, 12.0)
LATENT_DT = 0.02

#: Two-population Gaussian mixture (Beiran et al. 2021) in a bistable chaotic state: the
#: populations differ in their loading means, variances and m-n covariance (kappa map slope
#: 0.65 and Delta0 - Delta_inf = 1.7, like CHAOS_POINT).  Finite networks wander between
#: and within the wells as at CHAOS_POINT (network-to-network sd of kappa 0.2-0.3 at
#: N = 2000), so the samples are sign-aligned and the tolerances are those of that point.
MIXTURE_WEIGHTS = (0.4, 0.6)
MIXTURE_MEANS = ((1.5, 4.5), (0.8, 4.0))
MIXTURE_COV = (((0.5, 0.0), (0.0, 1.0)), ((1.44, 0.6), (0.6, 1.0)))
MIXTURE_G = 3.6
#: Network-to-network sd times sqrt(N) of kappa, Delta0, Delta0_1, mu_1, Delta0_2, mu_2 at
#: the mixture point, measured over 16 networks each at N = 1000 (T = 50) and N = 2000
#: (T = 100), the larger of the two: a few seeds estimate these poorly, so the tolerance
#: uses them (3 sd / sqrt(networks)), and the check runs at least 6 networks.
MIXTURE_SD = {"kappa": 10.0, "Delta0": 47.0, "Delta0_p": (35.0, 59.0), "mu_p": (19.0, 10.0)}

#: Lags (tau) at which the simulated Delta(tau) around kappa = 0 is compared with the DMFT.
SHORT_LAGS = (1.0, 2.0)

# regime labels of a simulated network (figures)
STATIC_TOL = 1e-6  # temporal std of kappa below which a run is a fixed point


@dataclass(frozen=True)
class Sizes:
    N: int  # reference point and chaos
    N_eig: int  # eigenvalue checks
    N_latent: int
    T_chaos: float
    burn_chaos: float
    dt_chaos: float


def sizes(quick: bool) -> Sizes:
    if quick:
        return Sizes(N=1000, N_eig=400, N_latent=1000, T_chaos=60.0, burn_chaos=30.0, dt_chaos=0.1)
    return Sizes(N=2000, N_eig=1000, N_latent=2000, T_chaos=80.0, burn_chaos=30.0, dt_chaos=0.1)


def rank_one(N: int, point: Mapping[str, float], g: float | None = None) -> LowRankNetwork:
    p = dict(point)
    if g is not None:
        p["g"] = g
    return LowRankNetwork.rank_one(N=N, **p)


def strength(point: Mapping[str, float]) -> float:
    return point["M_m"] * point["M_n"]


def classify_trajectory(kappa: np.ndarray, var_time: float) -> str:
    """Regime a simulated network shows: ``"homogeneous"``, ``"heterogeneous"`` or chaos.

    Parameters
    ----------
    kappa : array
        Recorded :math:`\\kappa(t)` after the transient.
    var_time : float
        Population average of the temporal variance of the units.

    Returns
    -------
    str
        ``"homogeneous"`` (fixed point with :math:`|\\kappa|` < 0.05), ``"heterogeneous"``
        (fixed point, :math:`\\kappa\\neq0`), ``"chaotic_bistable"`` (fluctuating, the time
        mean of :math:`\\kappa` above 0.25 in modulus) or ``"chaotic"`` (phase names of
        :func:`rnmf.theory.lowrank.phase_diagram`).
    """
    k = np.asarray(kappa, dtype=float)
    if var_time < STATIC_TOL and float(np.std(k)) < STATIC_TOL:
        return "homogeneous" if abs(float(k[-1])) < 0.05 else "heterogeneous"
    return "chaotic_bistable" if abs(float(np.mean(k))) > 0.25 else "chaotic"


# ---------------------------------------------------------------------------------------------
# worker tasks (top-level functions: they run in spawned processes)
# ---------------------------------------------------------------------------------------------
def task(kind: str, *args: Any) -> dict[str, Any]:
    return {
        "static": _static_task,
        "chaos": _chaos_task,
        "chaos_theory": _chaos_theory_task,
        "eig": _eig_task,
        "latent": _latent_task,
        "quiet": _quiet_task,
        "mixture": _mixture_task,
        "latent_bulk": _latent_bulk_task,
    }[kind](*args)


def mixture_net(N: int) -> LowRankNetwork:
    return LowRankNetwork(
        N=N,
        g=MIXTURE_G,
        R=1,
        means=MIXTURE_MEANS,
        cov=MIXTURE_COV,
        weights=MIXTURE_WEIGHTS,
    )


def _mixture_task(N: int, seed: int, T: float, kappa0: float) -> dict[str, Any]:
    """One mixture network in its chaotic state: kappa, Delta0, per-population Delta0 and mu."""
    from rnmf.sim.lowrank import simulate_lowrank

    net = mixture_net(N)
    tr = simulate_lowrank(
        net, T, dt=0.1, rng=seed, burn_in=40.0, kappa0=[kappa0], record_every=5, record_units=N
    )
    # odd phi and no inputs: x -> -x maps the +kappa state onto the -kappa one, so each
    # sample is reflected into the kappa > 0 well (as for the rank-one bistable chaos)
    k = tr.kappa[:, 0]
    sign = np.where(k < 0, -1.0, 1.0)
    X = tr.x * sign[:, None]
    sl = net.population_slices()
    return {
        "kappa": float(np.mean(k * sign)),
        "Delta0": float(tr.var_x.mean()),
        "Delta0_p": [float(X[:, lo:hi].var(axis=1).mean()) for lo, hi in sl],
        "mu_p": [float(X[:, lo:hi].mean()) for lo, hi in sl],
        "flipped": float(np.mean(sign < 0)),
    }


def _quiet_task(N: int, seed: int) -> dict[str, Any]:
    """One network in the homogeneous phase, started from +m (relaxes to x = 0)."""
    from rnmf.sim.lowrank import simulate_lowrank

    traj = simulate_lowrank(
        rank_one(N, QUIET_POINT),
        2.0,
        dt=0.2,
        rng=seed,
        burn_in=40.0,
        kappa0=[1.0],
        record_units=0,
    )
    k = traj.kappa[:, 0]
    return {
        "kappa": float(k[-1]),
        "Delta0": float(traj.var_x[-1]),
        "regime": classify_trajectory(k, float(np.var(k))),
    }


def _static_task(N: int, g: float, seed: int, with_theory: bool) -> dict[str, Any]:
    """One network at the reference loadings, run from +m and from -m to its fixed points.

    Both runs use the same seed, hence the same loadings and bulk (the initial state
    :math:`x_0 = \\pm m` draws nothing).  The theory is evaluated at the sampled vectors.
    """
    from rnmf.sim.lowrank import simulate_lowrank
    from rnmf.theory import lowrank as tl

    net = rank_one(N, REFERENCE_POINT, g)
    out: dict[str, Any] = {"g": g}
    traj = None
    for sgn in (1, -1):
        # exp_euler: the fixed point does not depend on dt; 40 tau is > 15 relaxation times
        traj = simulate_lowrank(
            net,
            2.0,
            dt=0.2,
            rng=seed,
            burn_in=40.0,
            kappa0=[float(sgn)],
            record_every=1,
            record_units=0,
        )
        k = traj.kappa[:, 0]
        out[sgn] = {
            "kappa": float(k[-1]),
            "mu": float(traj.mean_x[-1]),
            "Delta0": float(traj.var_x[-1]),
            "kappa_t": np.asarray(k),
            "regime": classify_trajectory(k, float(np.var(k))),
        }
    if with_theory and traj is not None:
        th = tl.solve(traj.sampled_network(), chaotic=False)
        stable = [s for s in th.solutions if s.stable]
        out["n_stable"] = len(stable)
        for sgn in (1, -1):
            side = [s for s in stable if s.regime == "static" and np.sign(s.kappa[0]) == sgn]
            if side:
                s = side[0]
                out[sgn]["th"] = {"kappa": float(s.kappa[0]), "mu": s.mu, "Delta0": s.Delta0}
    return out


def _chaos_task(
    N: int, seed: int, T: float, burn: float, dt: float, point: dict[str, float], align: bool
) -> dict[str, Any]:
    """One network in a chaotic phase, started from +m.

    ``align``: reflect samples with kappa < 0 into the positive well (bistable chaos only;
    around kappa = 0 the reflection would manufacture a static part).
    """
    from rnmf.sim import measures
    from rnmf.sim.lowrank import simulate_lowrank

    net = rank_one(N, point)
    every = max(1, int(round(0.2 / dt)))
    traj = simulate_lowrank(
        net,
        T,
        dt=dt,
        rng=seed,
        burn_in=burn,
        kappa0=[1.0],
        record_every=every,
        record_units=min(N, 400),
    )
    # the network is odd-symmetric (x -> -x maps the +kappa state onto the -kappa one,
    # phi odd, M&O 2018); a finite network can hop between the two wells, so each sample
    # is reflected into the well of kappa > 0 before averaging
    k = traj.kappa[:, 0]
    sign = np.where(k < 0, -1.0, 1.0) if align else np.ones_like(k)
    xa = traj.x * sign[:, None]
    lags, delta = measures.autocorrelation(xa, dt=dt * every, max_lag=T / 4, subtract="global")
    var_time = float(np.mean(np.var(traj.x, axis=0)))
    return {
        "kappa": float(np.mean(k * sign)),
        "kappa_raw": float(np.mean(k)),
        "mu": float(np.mean(traj.mean_x * sign)),
        "Delta0": float(np.mean(traj.var_x)),
        "Delta_inf": float(np.mean(delta[lags >= 0.75 * lags[-1]])),
        "tail_lags": np.asarray(lags[lags >= 0.75 * lags[-1]]),
        "Delta_short": np.interp(SHORT_LAGS, lags, delta),
        "flipped": float(np.mean(sign < 0)),
        "kappa_t": np.asarray(k),
        "regime": classify_trajectory(k * sign, var_time),
    }


def _chaos_theory_task(N: int, point: dict[str, float], max_lag: float) -> dict[str, Any]:
    """Stable chaotic states at ``point`` with their DMFT autocorrelation on [0, max_lag]."""
    from rnmf.theory import lowrank as tl

    st = tl.solve(rank_one(N, point))
    chaotic = [s for s in st.solutions if s.regime == "chaotic" and s.stable]
    grid = np.linspace(0.0, max_lag, 401)
    return {
        "states": [
            {
                "kappa": float(s.kappa[0]),
                "mu": s.mu,
                "Delta0": s.Delta0,
                "Delta_inf": s.Delta_inf,
                "lags": grid,
                "Delta": np.asarray(s.dmft.autocorrelation(grid), dtype=float),
            }
            for s in chaotic
        ],
    }


def _eig_task(N: int, seed: int) -> dict[str, Any]:
    """Eigenvalues of one sampled J = g chi + m n^T / N at the reference loadings."""
    from rnmf.theory import lowrank as tl

    gen = np.random.default_rng(seed)
    net = rank_one(N, REFERENCE_POINT)
    m, n, _ = net.sample_loadings(gen)
    chi = gen.standard_normal((N, N)) / math.sqrt(N)
    J = net.g * chi + m @ n.T / N
    ev = np.linalg.eigvals(J)
    top = ev[np.argmax(np.abs(ev))]
    bulk = np.sort(np.abs(ev))[-2]
    sampled = LowRankNetwork.from_vectors(m, n, g=net.g)
    pred, _ = tl.connectivity_outliers(sampled, chi=chi)
    return {
        "outlier": float(top.real),
        "outlier_imag": float(top.imag),
        "finite_N": float(np.asarray(pred)[0].real),
        "overlap": float((n[:, 0] @ m[:, 0]) / N),
        "bulk_edge": float(bulk),
    }


def latent_net(N: int) -> LowRankNetwork:
    return LowRankNetwork(N=N, g=0.0, R=1, means=LATENT_MEANS, cov=LATENT_COV, inputs=(0.0,))


def latent_u(n_steps: int, dt: float) -> np.ndarray:
    t = np.arange(n_steps) * dt
    return np.where(t < STEP_TIME - 1e-12, 0.0, STEP_AMP)[:, None]


def _latent_task(N: int, seed: int) -> dict[str, Any]:
    """Step response of one sampled g = 0 network, simulated and from the latent ODE.

    The theory is integrated at the network's sample statistics (explicit vectors), with
    the same step input sampled on the same grid.
    """
    from rnmf.sim.lowrank import simulate_lowrank
    from rnmf.theory import lowrank as tl

    net = latent_net(N).sampled(seed)
    n_steps = int(round(LATENT_T / LATENT_DT))
    u = latent_u(n_steps, LATENT_DT)
    traj = simulate_lowrank(
        net, LATENT_T, dt=LATENT_DT, kappa0=[LATENT_K0], u=u, record_units=0, rng=seed
    )
    lt = tl.latent_dynamics(net, LATENT_T, dt=LATENT_DT, u=u, kappa0=[LATENT_K0])
    idx = [int(round(t / LATENT_DT)) for t in LATENT_TIMES]
    return {
        "t": np.asarray(traj.t),
        "sim": np.asarray(traj.kappa[:, 0]),
        "theory": np.asarray(lt.projection[:, 0]),
        "sim_at": [float(traj.kappa[i, 0]) for i in idx],
        "theory_at": [float(lt.projection[i, 0]) for i in idx],
    }


#: Random-bulk strength of the latent step response with a bulk (chaotic: g > 1).
LATENT_G = 1.5
#: Network-to-network sd of kappa at LATENT_TIMES times sqrt(N), measured over 10 networks
#: at N = 1000 (1.0, 1.9, 0.7, 0.7 at N = 2000): the transient after the step (t = 2.5)
#: spreads most.  Two or three seeds estimate it poorly, so the tolerance uses it.
LATENT_BULK_SD = (1.5, 2.8, 0.9, 0.9)


def _latent_bulk_task(N: int, seed: int) -> list[float]:
    """Step response of one network with a chaotic random bulk (g = 1.5): kappa at the
    check times."""
    from rnmf.sim.lowrank import simulate_lowrank

    net = replace(latent_net(N), g=LATENT_G)
    n_steps = int(round(LATENT_T / LATENT_DT))
    traj = simulate_lowrank(
        net,
        LATENT_T,
        dt=LATENT_DT,
        kappa0=[LATENT_K0],
        u=latent_u(n_steps, LATENT_DT),
        record_units=0,
        rng=seed,
    )
    return [float(traj.kappa[int(round(t / LATENT_DT)), 0]) for t in LATENT_TIMES]
