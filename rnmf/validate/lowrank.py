r"""Low-rank networks: theory against simulation, as :class:`rnmf.validate.Check` rows.

The rank-one network :math:`J = g\chi + mn^T/N` with Gaussian loadings (Mastrogiuseppe &
Ostojic 2018, Neuron 99:609; :class:`rnmf.LowRankNetwork`) is checked at

* the reference point of docs/references.md sec. 4 (:math:`M_m = 1.1, M_n = 2, S_m = 1, S_n = 0,
  g = 1`, heterogeneous stationary regime): :math:`\kappa, \mu, \Delta_0` of each simulated
  network against the theory evaluated at that network's *sample* statistics of m and n
  (docs/references.md sec. 4 notes), and the coexisting pair :math:`\pm\kappa` reached from
  both sides (initial states :math:`\pm m`);
* the chaotic phase with :math:`\kappa \neq 0` away from its boundaries
  (:math:`M_m = 1.1, M_n = 5/1.1, S_m = 1`, :math:`M_mM_n = 5`, g = 3.6, between
  :math:`g_C = 2.96` and :math:`g_{BB} = 4.74`): :math:`\kappa, \mu, \Delta_0, \Delta_\infty`
  of the stationary DMFT with quenched input :math:`\mu = M_m\kappa`, variance
  :math:`S_m^2\kappa^2` (M&O 2018 STAR Methods, chaotic solutions).  At the example point
  of docs/references.md sec. 4 (:math:`M_mM_n = 4`, g = 3.2) two of six N = 2000 networks hopped
  between the :math:`\pm\kappa` wells within 80 tau, hence the deeper point;
* the outlier eigenvalue of sampled connectivity matrices (``numpy.linalg.eigvals``)
  against :math:`\lambda = \langle nm\rangle` (M&O 2018, unit-rank structure) and against the
  exact finite-N prediction of :func:`rnmf.theory.lowrank.connectivity_outliers`;
* the latent trajectory :math:`\kappa(t)` under a step input (g = 0, the reduced ODE of
  Beiran et al. 2021, Neural Comput 33:1572, Sec. 2) at a few times.

Every tolerance is :math:`z\,\mathrm{sem} + c|\text{theory}|/\sqrt N + a` (:class:`Check`), with
the reason in the row's ``note``.  The stationary equations behind the static rows are
:math:`\mu = M_m\kappa`, :math:`\Delta_0 = g^2\langle\phi^2\rangle + S_m^2\kappa^2`,
:math:`\kappa = M_n\langle\phi(\mu + \sqrt{\Delta_0}z)\rangle` (M&O 2018 STAR Methods,
stationary solutions; docs/references.md sec. 4), solved by :func:`rnmf.theory.lowrank.solve`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from .._checks import check_int
from ._lowrank_points import (
    CHAOS0_POINT,
    CHAOS_POINT,
    LATENT_BULK_SD,
    LATENT_DT,
    LATENT_G,
    LATENT_K0,
    LATENT_T,
    LATENT_TIMES,
    MIXTURE_COV,
    MIXTURE_G,
    MIXTURE_MEANS,
    MIXTURE_SD,
    MIXTURE_WEIGHTS,
    QUIET_POINT,
    REFERENCE_POINT,
    STATIC_SD,
    STEP_AMP,
    STEP_TIME,
    classify_trajectory,
    latent_net,
    latent_u,
    mixture_net,
    rank_one,
    sizes,
    strength,
    task,
)
from ._lowrank_rows import chaos_checks, latent_F_nominal, paired_check, plain_check
from .check import Check
from .lowrank_figures import kappa_vs_g_figure, phase_diagram_figure
from .seeds import map_tasks, seed_for
from .tolerance import measured_spread

__all__ = [
    "CHAOS0_POINT",
    "CHAOS_POINT",
    "MIXTURE_COV",
    "MIXTURE_G",
    "MIXTURE_MEANS",
    "MIXTURE_WEIGHTS",
    "QUIET_POINT",
    "REFERENCE_POINT",
    "classify_trajectory",
    "kappa_vs_g_figure",
    "phase_diagram_figure",
    "run_lowrank",
]

# the worker dispatch and the latent check times under the names the tests use
_task = task
_LATENT_TIMES = LATENT_TIMES


def run_lowrank(
    *, quick: bool = False, seeds: int = 3, seed: int = 0, jobs: int = 1, figures: bool = True
) -> tuple[list[Check], dict[str, Any]]:
    """Cross-validate the low-rank theory against simulations.

    Parameters
    ----------
    quick : bool
        Smaller networks (N = 1000, eigenvalues at N = 500) and a shorter chaotic run;
        the full run uses N = 2000 (eigenvalues at N = 1000).
    seeds : int
        Independent networks per check (>= 2).
    seed : int
        Base seed; every network's seed derives from it (bitwise reproducible).
    jobs : int
        Worker processes (1: run in this process).
    figures : bool
        Also draw the phase diagram with simulation markers and kappa against g (adds
        one simulated network at g = 0.5 and at g = 1.5).

    Returns
    -------
    checks : list of Check
    figures : dict
        Name -> matplotlib Figure (empty when ``figures`` is False).
    """
    from rnmf.theory import lowrank as tl

    seeds = check_int("seeds", seeds, minimum=2)
    seed = check_int("seed", seed, minimum=0)
    jobs = check_int("jobs", jobs, minimum=1)
    sz = sizes(bool(quick))

    # around kappa = 0 (g = 3, tau_corr ~ 4) the tail of one network's Delta(tau) carries a
    # collective finite-T error (sd 1.0 over networks at N = 1000, T = 60; 0.46 at T = 160):
    # twice the duration there
    T0 = 2 * sz.T_chaos
    tasks: list[tuple] = [
        ("chaos_theory", sz.N, dict(CHAOS_POINT), sz.T_chaos / 4),
        ("chaos_theory", sz.N, dict(CHAOS0_POINT), T0 / 4),
    ]
    tasks += [
        (
            "chaos",
            sz.N,
            seed_for(seed, 101, k),
            sz.T_chaos,
            sz.burn_chaos,
            sz.dt_chaos,
            dict(CHAOS_POINT),
            True,
        )
        for k in range(seeds)
    ]
    tasks += [
        (
            "chaos",
            sz.N,
            seed_for(seed, 105, k),
            T0,
            sz.burn_chaos,
            sz.dt_chaos,
            dict(CHAOS0_POINT),
            False,
        )
        for k in range(seeds)
    ]
    tasks += [("quiet", sz.N, seed_for(seed, 106, k)) for k in range(seeds)]
    tasks += [
        ("static", sz.N, REFERENCE_POINT["g"], seed_for(seed, 100, k), True) for k in range(seeds)
    ]
    tasks += [("eig", sz.N_eig, seed_for(seed, 102, k)) for k in range(seeds)]
    tasks += [("latent", sz.N_latent, seed_for(seed, 103, k)) for k in range(seeds)]
    tasks += [("latent_bulk", sz.N_latent, seed_for(seed, 108, k)) for k in range(seeds)]
    mix_th = tl.solve(mixture_net(sz.N))
    mix_state = max(
        (s for s in mix_th.solutions if s.regime == "chaotic" and s.stable),
        key=lambda s: float(s.kappa[0]),
    )
    T_mix = 50.0 if quick else 100.0
    n_mix = max(seeds, 6)
    tasks += [
        ("mixture", sz.N, seed_for(seed, 107, k), T_mix, float(mix_state.kappa[0]))
        for k in range(n_mix)
    ]
    extra_g = (0.5, 1.5) if figures else ()
    tasks += [("static", sz.N, g, seed_for(seed, 104, i), False) for i, g in enumerate(extra_g)]
    res = map_tasks(task, tasks, jobs)
    chaos_th, chaos0_th = res[0], res[1]
    pos = 2
    chaos = res[pos : pos + seeds]
    pos += seeds
    chaos0 = res[pos : pos + seeds]
    pos += seeds
    quiet = res[pos : pos + seeds]
    pos += seeds
    static = res[pos : pos + seeds]
    pos += seeds
    eig = res[pos : pos + seeds]
    pos += seeds
    latent = res[pos : pos + seeds]
    pos += seeds
    latent_bulk = res[pos : pos + seeds]
    pos += seeds
    mixture = res[pos : pos + n_mix]
    pos += n_mix
    extra = res[pos:]

    checks: list[Check] = []
    N = sz.N
    # -- reference point: heterogeneous stationary --------------------------------------
    ref = tl.solve(rank_one(N, REFERENCE_POINT), chaotic=False)
    p_ref = "rank one M_m=1.1 M_n=2 S_m=1 S_n=0 g=1, from +m"
    note_s = (
        "vs theory at each network's sample m, n stats (paired); bulk realisation leaves "
        "O(1/sqrt(N)) per network: 3 sd/sqrt(seeds) with the measured sd of the paired "
        "difference, + 2|theory|/sqrt(N)"
    )
    for q, c in (("kappa", 2.0), ("mu", 2.0), ("Delta0", 2.0)):
        floor = measured_spread(STATIC_SD[q], N, len(static))
        checks.append(
            paired_check(
                q,
                p_ref + f", N={N}",
                float(getattr(ref, q) if q != "kappa" else ref.kappa[0]),
                [r[1][q] for r in static],
                [r[1]["th"][q] for r in static],
                N,
                c=c,
                floor=floor,
                note=note_s,
            )
        )
    k_ref = float(ref.kappa[0])
    for sgn, word in ((1, "+m"), (-1, "-m")):
        checks.append(
            plain_check(
                f"{'+' if sgn > 0 else '-'}kappa from {word}",
                f"M_m=1.1 M_n=2 S_m=1 g=1, N={N}",
                sgn * k_ref,
                [r[sgn]["kappa"] for r in static],
                N,
                c=3.0,
                floor=0.0,
                note="nominal theory; sem carries the network-to-network spread, c/sqrt(N) its bias",
            )
        )
    n_states = [
        len({int(np.sign(r[s]["kappa"])) for s in (1, -1) if abs(r[s]["kappa"]) > 0.1})
        for r in static
    ]
    n_theory = sum(s.stable for s in ref.solutions)
    checks.append(
        plain_check(
            "# coexisting stable states",
            f"M_m=1.1 M_n=2 S_m=1 g=1, N={N}, runs from +m and -m",
            n_theory,
            n_states,
            N,
            c=0.0,
            floor=0.0,
            note="distinct fixed points reached from both sides (sign of kappa) vs stable states of solve()",
        )
    )
    # -- chaos in a two-population mixture (shared bulk field, population-wise statistics) --
    p_mix = f"mixture P=2 (Beiran et al. 2021 loadings), g={MIXTURE_G:g}, N={N}, T={T_mix:g}"
    note_k = (
        "sign-aligned time mean (wells of the +-pair merged); each seed redraws loadings and "
        "bulk; slow finite-N wandering in the sem, 4/sqrt(N) bias (as the rank-one chaos rows)"
    )
    note_d = "O(1/sqrt(N)) network-to-network spread (as the rank-one chaos rows)"
    rows = [
        ("mixture chaos kappa", float(mix_state.kappa[0]), "kappa", None, 4.0, note_k),
        ("mixture chaos Delta0", float(mix_state.Delta0), "Delta0", None, 2.0, note_d),
    ]
    for p in range(2):
        rows.append(
            (
                f"mixture chaos Delta0 (population {p + 1})",
                float(mix_state.Delta0_p[p]),
                "Delta0_p",
                p,
                2.0,
                note_d,
            )
        )
        rows.append(
            (
                f"mixture chaos mu (population {p + 1})",
                float(mix_state.mu_p[p]),
                "mu_p",
                p,
                4.0,
                "sign-aligned population mean of x = m_p kappa + bulk; 4/sqrt(N) as kappa",
            )
        )
    for q, th_val, key, p, c, note in rows:
        vals = [r[key] if p is None else r[key][p] for r in mixture]
        sd = MIXTURE_SD[key] if p is None else MIXTURE_SD[key][p]
        floor = measured_spread(sd, N, len(mixture))
        note += f"; + 3 sd/sqrt(networks), measured sd = {sd:g}/sqrt(N)"
        checks.append(plain_check(q, p_mix, th_val, vals, N, c=c, floor=floor, note=note))
    # -- chaos: bistable (kappa != 0) and around kappa = 0 ----------------------------------
    checks += chaos_checks(
        "chaos",
        f"rank one M_m=1.1 M_mM_n=5 S_m=1 g=3.6 (bistable chaos), N={N}, from +m",
        chaos_th["states"],
        chaos,
        N,
        bistable=True,
    )
    checks += chaos_checks(
        "chaos0",
        f"rank one M_m=1.1 M_n=2 S_m=1 g=3 (chaos, kappa=0), N={N}, from +m",
        chaos0_th["states"],
        chaos0,
        N,
        bistable=False,
    )
    # -- homogeneous stationary ------------------------------------------------------------
    p_q = f"rank one M_m=1.1 M_mM_n=0.5 S_m=1 g=0.5 (homogeneous), N={N}, from +m"
    th_q = tl.solve(rank_one(N, QUIET_POINT), chaotic=False)
    for q in ("kappa", "Delta0"):
        th_val = float(th_q.kappa[0]) if q == "kappa" else float(th_q.Delta0)
        checks.append(
            plain_check(
                f"quiet {q}",
                p_q,
                th_val,
                [r[q] for r in quiet],
                N,
                c=0.0,
                floor=1e-6,
                note="x = 0 fixed point; relaxation e^{-t/2} over 40 tau (1e-6 floor)",
            )
        )
    # -- outlier eigenvalues ----------------------------------------------------------------
    Ne = sz.N_eig
    p_eig = f"J = g chi + m n^T/N, M_m=1.1 M_n=2 S_m=1 g=1, N={Ne}"
    lam = float(rank_one(Ne, REFERENCE_POINT).overlap()[0, 0])
    checks.append(
        paired_check(
            "outlier (eigvals)",
            p_eig,
            lam,
            [r["outlier"] for r in eig],
            [r["overlap"] for r in eig],
            Ne,
            c=2.0,
            floor=0.0,
            note="vs the sample overlap n.m/N (paired; population value <n m> = M_m M_n shown); "
            "the bulk shifts it by O(g/sqrt(N))",
        )
    )
    checks.append(
        paired_check(
            "outlier - finite-N theory",
            p_eig,
            lam,
            [r["outlier"] for r in eig],
            [r["finite_N"] for r in eig],
            Ne,
            c=0.0,
            floor=1e-8,
            note="exact finite-N outlier of the sampled m, n, chi (determinant lemma); 1e-8 rounding floor",
        )
    )
    checks.append(
        plain_check(
            "outlier imag part",
            p_eig,
            0.0,
            [r["outlier_imag"] for r in eig],
            Ne,
            c=0.0,
            floor=1e-8,
            note="a real outlier (real matrix, isolated eigenvalue)",
        )
    )
    # -- latent step response -----------------------------------------------------------------
    Nl = sz.N_latent
    lat_mean = latent_F_nominal(Nl)
    for j, t in enumerate(LATENT_TIMES):
        checks.append(
            paired_check(
                f"latent kappa(t={t:g})",
                f"g=0 M_m=1.1 M_n=2 I~N(1,0.25), step u={STEP_AMP:g} at t={STEP_TIME:g}, N={Nl}",
                lat_mean[j],
                [r["sim_at"][j] for r in latent],
                [r["theory_at"][j] for r in latent],
                Nl,
                c=2.0,
                floor=2e-3,
                note="vs latent ODE at each network's sample stats (paired); non-Gaussian "
                "empirical loadings O(1/sqrt(N)); exp-Euler vs RK4 at dt=0.02 in the floor",
            )
        )
    n_steps = int(round(LATENT_T / LATENT_DT))
    lt_bulk = tl.latent_dynamics(
        replace(latent_net(Nl), g=LATENT_G),
        LATENT_T,
        dt=LATENT_DT,
        u=latent_u(n_steps, LATENT_DT),
        kappa0=[LATENT_K0],
    )
    for j, t in enumerate(LATENT_TIMES):
        checks.append(
            plain_check(
                f"latent kappa(t={t:g}), chaotic bulk",
                f"g={LATENT_G:g} M_m=1.1 M_n=2 I~N(1,0.25), step u={STEP_AMP:g} at "
                f"t={STEP_TIME:g}, N={Nl}",
                float(lt_bulk.projection[int(round(t / LATENT_DT)), 0]),
                [r[j] for r in latent_bulk],
                Nl,
                c=2.0,
                floor=measured_spread(LATENT_BULK_SD[j], Nl, seeds),
                note="vs the transient two-time DMFT (same dt, exp-Euler); each seed redraws "
                f"loadings and bulk: 3 sd/sqrt(seeds) with the measured sd = "
                f"{LATENT_BULK_SD[j]:g}/sqrt(N), + 2|kappa|/sqrt(N) for the finite-N bias",
            )
        )

    figs: dict[str, Any] = {}
    if figures:
        points = [
            (
                REFERENCE_POINT["g"],
                strength(REFERENCE_POINT),
                static[0][1]["regime"],
                "reference (from +m)",
            ),
            (CHAOS_POINT["g"], strength(CHAOS_POINT), chaos[0]["regime"], "bistable chaos"),
            (CHAOS0_POINT["g"], strength(CHAOS0_POINT), chaos0[0]["regime"], "chaos"),
            (QUIET_POINT["g"], strength(QUIET_POINT), quiet[0]["regime"], "quiet"),
        ]
        points += [(r["g"], strength(REFERENCE_POINT), r[1]["regime"], None) for r in extra]
        figs["lowrank_phase_diagram"] = phase_diagram_figure(points, n_g=60, n_s=50)
        sims = [(r["g"], [r[1]["kappa"], r[-1]["kappa"]]) for r in static[:1] + extra]
        figs["lowrank_kappa_vs_g"] = kappa_vs_g_figure(sims, N=N, latent=latent)
    return checks, figs
