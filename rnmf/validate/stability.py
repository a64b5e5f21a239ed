r"""The stability suite: derived conditions against simulation and sampled spectra.

Rows (``run_stability``):

* **Hopf line vs onset of oscillations** (Wilson–Cowan, I_I = 1): the derived Hopf point in
  I_E (:func:`rnmf.theory.symbolic.locate`, tr A = 0 with det A > 0) against the I_E where ODE
  runs (:func:`rnmf.sim.simulate_populations`, a scan of I_E, batch-vectorised) stop settling.
  Error model: the scan resolution (step / sqrt(12) as the sem of the located edge) plus the
  critical slowing down near the onset (a run that decays as exp(Re(lambda) t) with
  Re(lambda) ~ distance still looks oscillating after T; floor = 3/T in units of the
  eigenvalue's slope, set as one scan step).
* **saddle-node vs a second stable state** (Wilson–Cowan, I_I = -7): the derived fold in I_E
  against the I_E where runs from a low and a high initial state stop ending apart.
* **ISN boundary vs paradoxical response** (threshold-linear E-I, Tsodyks et al. 1997): the
  derived zero of the ISN condition in w_EE against the w_EE where the simulated steady-state
  r_I first falls when I_I rises (linear interpolation of the simulated response).
* **sampled spectra**: bulk radius (circular law, Rajan & Abbott E/I with balanced rows),
  the outlier of a fixed in-degree matrix, against :mod:`rnmf.theory.spectra`; allowance
  c * radius * sqrt(log N / N) for the edge (Rider 2003) on top of 3 sem over matrices; the
  non-uniform radial density of the E/I matrices (Kolmogorov–Smirnov distance of the
  eigenvalue radii from the predicted CDF, floor 1.36/sqrt(N)).
* **Dahmen's R vs eigenvalues**: the radius estimated from the covariances of noise-driven
  linear networks (:func:`rnmf.sim.spectral_radius_from_trajectory`) against the bulk radius g,
  and for a tanh network against sqrt(chi) of the DMFT (Dahmen et al. 2019; the linearisation
  of a fluctuating state is approximate: 5 % floor, stated in the row).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._checks import check_int
from .check import Check
from .seeds import seed_for
from .tolerance import sem

__all__ = ["run_stability"]


def _edge(x: np.ndarray, flag: np.ndarray) -> float:
    """Midpoint of the first change of ``flag`` along ``x`` (NaN without one)."""
    change = np.nonzero(flag[1:] != flag[:-1])[0]
    if change.size == 0:
        return float("nan")
    k = change[0]
    return float(0.5 * (x[k] + x[k + 1]))


def _hopf_row(quick: bool) -> Check:
    from rnmf.models.populations import wilson_cowan
    from rnmf.sim import simulate_populations
    from rnmf.theory.symbolic import locate, solve_grid

    m = wilson_cowan(I_I=1.0)
    crit = locate(m, "Hopf", "I_E", (1.5, 3.0), {"I_I": np.array([1.0])})[0]
    theory = float(crit[np.isfinite(crit)][0])
    step = 0.02 if quick else 0.01
    x = np.arange(theory - 0.2, theory + 0.2 + step / 2, step)
    T = 200.0 if quick else 400.0
    # start each run next to the fixed point that carries the complex pair (perturbed by 1e-3):
    # it decays on the stable side of the Hopf point and grows into the cycle beyond it, also
    # when the bifurcation is subcritical
    fp = solve_grid(m, {"I_E": x})
    focus = np.argmax(np.nan_to_num(np.abs(fp.eigenvalues[..., 0].imag), nan=-1.0), axis=1)
    r0 = fp.states[np.arange(x.size), focus].T + 1e-3
    tr = simulate_populations(m, T, dt=0.02, burn_in=20.0, record_every=5, params={"I_E": x}, r0=r0)
    # growth of the oscillation: peak-to-peak r_E over the first and the last fifth of the run
    # (a decaying focus shrinks by exp(Re(lambda) * 0.8 T); a cycle keeps its size)
    k = tr.r.shape[0] // 5
    early = np.ptp(tr.r[:k, 0], axis=0)
    late = np.ptp(tr.r[-k:, 0], axis=0)
    osc = late >= 0.99 * early
    return Check(
        "Hopf: onset of oscillations (I_E)", "Wilson-Cowan, I_I=1", theory, _edge(x, osc),
        step / np.sqrt(12), 1, 2, z=3.0, floor=step,
        note="derived tr A = 0 (det A > 0) vs ODE runs started 1e-3 from the focus; sem = "
        "resolution, floor = one step (growth or decay of the oscillation over 0.8 T)",
    )  # fmt: skip


def _fold_row(quick: bool) -> Check:
    from rnmf.models.populations import wilson_cowan
    from rnmf.sim import simulate_populations
    from rnmf.theory.symbolic import locate

    m = wilson_cowan(I_I=-7.0)
    crit = locate(m, "saddle-node", "I_E", (0.5, 1.5), {"I_I": np.array([-7.0])})[0]
    theory = float(crit[np.isfinite(crit)][0])
    step = 0.02 if quick else 0.01
    x = np.arange(theory - 0.2, theory + 0.2 + step / 2, step)
    lo = simulate_populations(
        m, 10.0, dt=0.02, burn_in=150.0, params={"I_E": x}, r0=np.array([0.0, 0.0])
    )
    hi = simulate_populations(
        m, 10.0, dt=0.02, burn_in=150.0, params={"I_E": x}, r0=np.array([1.0, 0.0])
    )
    apart = np.max(np.abs(lo.final - hi.final), axis=0) > 1e-3
    return Check(
        "saddle-node: second stable state (I_E)", "Wilson-Cowan, I_I=-7", theory, _edge(x, apart),
        step / np.sqrt(12), 1, 2, z=3.0, floor=step,
        note="derived det A = 0 vs runs from low/high starts ending apart; sem = resolution, "
        "floor = one step (slow passage near the fold)",
    )  # fmt: skip


def _isn_row(quick: bool) -> Check:
    from rnmf.models.populations import threshold_linear_ei
    from rnmf.sim import simulate_populations
    from rnmf.theory.symbolic import Condition, conditions, locate

    m = threshold_linear_ei()
    c = conditions(m)["ISN"]
    boundary = Condition("ISN boundary", c.expr, "= 0", m, definitions=c.definitions)
    crit = locate(m, boundary, "w_EE", (0.5, 1.5), {"I_I": np.array([0.5])})[0]
    theory = float(crit[np.isfinite(crit)][0])
    w = np.linspace(0.6, 1.4, 9 if quick else 17)
    dI = 1e-3
    kw = dict(dt=0.01, burn_in=40.0, record_every=100)
    a = simulate_populations(m, 1.0, params={"w_EE": w, "I_I": 0.5}, **kw)
    b = simulate_populations(m, 1.0, params={"w_EE": w, "I_I": 0.5 + dI}, **kw)
    resp = (b.final[1] - a.final[1]) / dI
    k = np.nonzero(resp < 0)[0]
    if k.size == 0 or k[0] == 0:
        measured = float("nan")
    else:
        j = k[0]
        measured = float(w[j - 1] + (w[j] - w[j - 1]) * resp[j - 1] / (resp[j - 1] - resp[j]))
    return Check(
        "ISN boundary: paradoxical response (w_EE)", "threshold-linear E-I", theory, measured,
        0.0, 1, 2, z=3.0, floor=1e-3,
        note="derived zero of (f'_E w_EE - 1)/tau_E vs the sign change of the simulated "
        "dr_I/dI_I (linear in w_EE between scan points for threshold-linear units)",
    )  # fmt: skip


def _spectra_rows(quick: bool, seeds: int, seed: int) -> list[Check]:
    from rnmf.theory import spectra

    N = 200 if quick else 600
    rows = []
    radii: dict[str, list[float]] = {"circ": [], "ei": [], "out": []}
    ks_ei: list[float] = []
    f, sE, sI = 0.8, 0.5, 1.8
    for s in range(seeds):
        rng = np.random.default_rng(seed_for(seed, 31, s))
        X = rng.normal(0, 1 / np.sqrt(N), (N, N))
        radii["circ"].append(float(np.abs(np.linalg.eigvals(1.2 * X)).max()))
        NE = int(f * N)
        sig = np.r_[np.full(NE, sE), np.full(N - NE, sI)]
        Z = X * sig
        Z -= Z.mean(axis=1, keepdims=True)
        eig_ei = np.linalg.eigvals(Z)
        radii["ei"].append(float(np.abs(eig_ei).max()))
        ks_ei.append(spectra.ks_distance(eig_ei, spectra.excitatory_inhibitory(f, sE, sI, N=N)))
        NEi, NIi = int(0.8 * N), N - int(0.8 * N)
        KE, KI = NEi // 10, NIi // 10
        W = np.zeros((N, N))
        for i in range(N):
            W[i, rng.choice(NEi, KE, replace=False)] = 0.1
            W[i, NEi + rng.choice(NIi, KI, replace=False)] = -0.2
        e = np.linalg.eigvals(W)
        lam = spectra.sparse_fixed_indegree(NEi, NIi, KE, KI, 0.1, 2.0).outliers
        target = complex(lam[0]) if lam.size else 0.1 * (KE - 2 * KI)
        radii["out"].append(float(e[np.argmin(np.abs(e - target))].real))
    edge = np.sqrt(np.log(N) / N)
    circ = spectra.circular(1.2, N=N)
    ei = spectra.excitatory_inhibitory(f, sE, sI, N=N)
    rows.append(Check("spectral radius (circular law)", "g=1.2", circ.radius, float(np.mean(radii["circ"])),
                      sem(radii["circ"]), seeds, N, floor=2 * circ.radius * edge,
                      note="floor 2 r sqrt(log N / N): edge overshoot (Rider 2003)"))  # fmt: skip
    rows.append(Check("spectral radius (Rajan-Abbott E/I)", "f=0.8, sE=0.5, sI=1.8", ei.radius,
                      float(np.mean(radii["ei"])), sem(radii["ei"]), seeds, N, floor=2 * ei.radius * edge,
                      note="balanced rows; floor 2 r sqrt(log N / N) (Rider 2003)"))  # fmt: skip
    rows.append(Check("radial density (Rajan-Abbott E/I): KS distance", "f=0.8, sE=0.5, sI=1.8",
                      0.0, float(np.mean(ks_ei)), sem(ks_ei), seeds, N, floor=1.36 / np.sqrt(N),
                      note="non-uniform radial CDF 1 - u(r) (quadratic in u); floor: Kolmogorov "
                      "5% value 1.36/sqrt(N) (eigenvalues repel: conservative)"))  # fmt: skip
    NEi, NIi = int(0.8 * N), N - int(0.8 * N)
    pred = spectra.sparse_fixed_indegree(NEi, NIi, NEi // 10, NIi // 10, 0.1, 2.0).outliers
    lam = float(pred[0].real)
    rows.append(Check("fixed in-degree outlier", "J=0.1, g=2", lam, float(np.mean(radii["out"])),
                      sem(radii["out"]), seeds, N, floor=1e-8,
                      note="exact eigenvalue (equal row sums): round-off floor"))  # fmt: skip
    return rows


def _dahmen_rows(quick: bool, seeds: int, seed: int) -> list[Check]:
    from rnmf.models import RateNetwork
    from rnmf.sim import simulate, spectral_radius_from_trajectory
    from rnmf.theory import dmft

    N = 100 if quick else 200
    rows = []
    for g, window, T in (
        (0.5, 25.0, 1500.0 if quick else 3000.0),
        (0.8, 60.0, 3000.0 if quick else 6000.0),
    ):
        est = []
        for s in range(seeds):
            net = RateNetwork(N=N, g=g, phi="linear", sigma_noise=1.0)
            tr = simulate(net, T, dt=0.1, rng=seed_for(seed, 41, int(10 * g), s), burn_in=50.0,
                          record_units="all", record_every=2)  # fmt: skip
            est.append(spectral_radius_from_trajectory(tr, window=window).R)
        rows.append(Check("R from covariances (linear)", f"g={g}", g, float(np.mean(est)), sem(est), seeds, N,
                          finite_size=1.0, order=0.5,
                          note="Dahmen et al. 2019 estimator; allowance g/sqrt(N): realised radius"))  # fmt: skip
    g, sigma = 0.8, 0.5
    r = dmft.solve(RateNetwork(N=N, g=g, sigma_noise=sigma), lyapunov=False)
    est = []
    for s in range(seeds):
        net = RateNetwork(N=N, g=g, sigma_noise=sigma)
        tr = simulate(net, 2000.0 if quick else 4000.0, dt=0.1, rng=seed_for(seed, 42, s), burn_in=50.0,
                      record_units="all", record_every=2)  # fmt: skip
        est.append(spectral_radius_from_trajectory(tr, window=30.0).R)
    R = float(np.sqrt(r.chi))
    rows.append(Check("R from covariances (tanh)", f"g={g}, sigma={sigma}", R, float(np.mean(est)), sem(est),
                      seeds, N, finite_size=1.0, order=0.5, floor=0.05 * R,
                      note="vs sqrt(chi) of the DMFT; 5% floor: linearisation of a fluctuating state"))  # fmt: skip
    return rows


def run_stability(
    *,
    quick: bool = False,
    seeds: int = 3,
    seed: int = 0,
    jobs: int = 1,
    figures: bool = True,
    progress: Callable[[str], None] | None = None,
) -> tuple[list[Check], dict[str, Any]]:
    """Derived stability conditions against simulation, sampled spectra against theory.

    Parameters
    ----------
    quick : bool
        Coarser scans, smaller matrices and shorter runs.
    seeds : int
        Independent matrices / networks for the spectra and covariance rows (>= 2).
    seed : int
        Base seed.
    jobs : int
        Accepted for the common signature (the rows are vectorised, not parallel).
    figures : bool
        Accepted for the common signature (this suite draws no figure).
    progress : callable, optional
        Called with a line of text as each group of rows finishes.

    Returns
    -------
    checks : list of Check
    figures : dict (empty)
    """
    seeds = check_int("seeds", seeds, minimum=2)
    seed = check_int("seed", seed, minimum=0)
    check_int("jobs", jobs, minimum=1)
    say = progress or (lambda _line: None)
    checks = [_hopf_row(quick), _fold_row(quick), _isn_row(quick)]
    say("stability: bifurcation rows done")
    checks += _spectra_rows(quick, seeds, seed)
    say("stability: spectra rows done")
    checks += _dahmen_rows(quick, seeds, seed)
    say("stability: covariance rows done")
    return checks, {}
