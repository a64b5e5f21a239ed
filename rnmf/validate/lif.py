r"""Cross-validation of the LIF mean-field theory against spiking simulations.

Brunel's (2000) model A is simulated with :func:`rnmf.sim.simulate_lif` and compared
with :mod:`rnmf.theory.lif` through :class:`rnmf.validate.Check` rows:

* **Asynchronous irregular (AI) points** (``C``: g = 5, eta = 2; full run also
  g = 6, eta = 2): population rates of E and I against the self-consistent Siegert
  rates (Brunel 2000, eqs. 4-5 and 21).  Networks are simulated at full size
  (``N_E = 10000``, ``C_E = 1000``, ``epsilon = 0.1``), so the theory is exactly the
  one of docs/references.md sec. 3.  The rate allowance is 3 % of the rate (independent of
  N, ``order = 0``): the full network runs below the diffusion theory by 1.3 % at
  ``C`` (NEST 3.10, Brian2 2.11 and rnmf agree, docs/references.md sec. 3) and by 2.7 % at
  g = 8, eta = 2 (rnmf, measured); the causes are finite-C effects that do not vanish
  with N: finite PSPs (shot noise) and recurrent spike trains that are not Poisson.
  (Identical E and I neurons differ slightly in the simulation: I fires 0.3 % more,
  37.75 against 37.64 Hz over 5 s, 4 standard errors; a plausible finite-N cause is the
  disynaptic self-feedback j -> k -> j, net inhibitory for E neurons, ``C_E^2/N_E J^2 -
  g C_E C_I/N_E J^2 = -25 J^2``, and net excitatory for I neurons, ``+125 J^2``.)
* **CV of the ISI.**  The diffusion CV (Brunel 2000, Appendix A) is 0.675 at ``C``
  but the network gives 0.42-0.43 (rnmf, NEST, Brian2).  This is *not* a
  finite-size or estimator effect (measured, 12 500 neurons, 5 s: CV 0.429 on 5 s,
  0.423 on 1 s windows): the recurrent input trains are themselves regular (CV 0.43,
  Fano factor of counts in 500 ms windows 0.18 instead of 1), so their low-frequency
  power is ``~CV^2 nu`` rather than the ``nu`` of the Poisson assumption behind
  ``sigma^2`` (recurrent inputs carry > 90 % of ``sigma^2`` everywhere in model A).
  A single neuron driven by independent Poisson trains at the rates of ``C`` fires with
  CV 0.664 (theory 0.675; rate 36.7 Hz, 3.3 % below the Siegert rate: finite PSPs),
  whereas the same neuron driven by the network's recorded
  trains gives 0.430, by the same trains with shuffled ISIs (renewal surrogates, no
  cross-correlations) 0.429 and by gamma renewal trains of CV 0.43 gives 0.421: the
  regularity of single input trains explains the whole gap, the network's collective
  fluctuations (a damped 124 Hz mode) none of it (Dummer, Wieland & Lindner 2014,
  Front Comput Neurosci 8:104: self-consistent spike-train spectra in Brunel-type
  networks; the single-neuron numbers above were measured once with 100-200 neurons
  over 5 s).  A
  network CV check against the diffusion theory would therefore fail for a known
  reason; the check made here is the one the theory is about: neurons driven by
  independent Poisson input with the statistics of point ``C`` (``C_E`` excitatory
  inputs at ``nu_ext + nu``, ``C_I`` inhibitory ones at ``nu``; input during the
  refractory period is ignored, as in NEST), compared with ``cv_isi(mu, sigma)``.
  The network CV is drawn in the figure next to the theory.
* **Oscillating point** ``B`` (g = 6, eta = 4; the asynchronous state is unstable with a
  root at ~190 Hz, Brunel 2000 Sec. 4 and Fig. 2): the peak of the population-rate
  power spectrum against ``Im lambda / 2 pi`` of :func:`asynchronous_stability`.

* **Cortical microcircuit** (Potjans & Diesmann 2014, Cereb Cortex 24:785, Tables 4-5):
  the eight population rates of the working point of
  :func:`rnmf.theory.lif.stationary_rates` (exponential synapses, Fourcaud & Brunel 2002
  shifted threshold) against NNMT 1.3.0's rates for the same network (its in-degree
  table, no weight spread; fixture ``std_results.h5``), relative ``1e-10``: both solve
  the same self-consistency equations, so only round-off may differ.
* **Microcircuit, theory against simulation** (:mod:`rnmf.validate._lif_microcircuit_sim`):
  the circuit of Bos, Diesmann & Helias (2016), where the diffusion theory is meant to
  hold, simulated against its working point with a measured error model (open-loop
  finite-PSP error of the theory carried through ``(1 - M)^-1``, plus batch-means
  errors).  By default a 10 % sample of each neuron's recurrent inputs is kept and the
  rest replaced by Poisson trains at the working point (same PSPs, same theory, ~12 s);
  ``long=True`` (``rnmf validate --long``) also simulates the full-scale circuit (77 169
  neurons, about 3 min and 3 GB).  Potjans & Diesmann's original circuit is *not* a row:
  there the theory misses the full-scale simulation by 21 % in L2/3E (rnmf, NEST and
  NNMT's published comparison agree), a network effect that the measured open-loop term
  (+0.005 Hz) does not explain; ``microcircuit_sim_rows(gap_rows=True)`` shows it.

* **Population-rate spectrum near the Hopf line** (:mod:`rnmf.validate._lif_spectra`,
  with ``long``): Brunel's model A at g = 5.5, eta = 2.5 (stable, leading root at 152 Hz):
  the peak frequency of the simulated spectrum against the linear response (Bos et al.
  2016) with an error model that includes the simulated neuron's measured pathway gains
  (its allowance, ~35 Hz, is wide: a long study, not the main job's check).  The peak
  *height* is a documented gap (``gaps=True``, ``rnmf validate --known-gaps``): the
  simulation is 2.6-2.9x below the diffusion theory, between it and the gain-corrected
  theory, and still changes with N.
* **Spectral peak height and frequency** (:mod:`rnmf.validate._lif_spectra_height`): an E-I
  network with weak recurrent coupling (pathway gains |v_I| = 0.96, |v_E| = 0.26) and
  balanced external Poisson noise, near its 69 Hz oscillatory instability (|1 - lambda| =
  0.31, peak ~25x the Poisson floor): the height and centroid of the simulated peak against
  the linear response at the simulator's grid working point, with the working point's and
  the measured pathway gains' uncertainties in the error model.
* **Hopf boundary and frequency with Gaussian delays** (:mod:`rnmf.validate._lif_delay_hopf`):
  Brunel's network at g = 6, eta = 4 with truncated Gaussian delays (mean 1.5 ms): the
  delay spread ``sd_c`` at which the asynchronous state loses stability and the Hopf
  frequency, against the envelope statistic ``Q`` of the simulated population rate (pi/2 at
  a noisy Hopf point) and its spectral peak.

Cost: a full-size network of 12 500 neurons takes about 3 s per simulated second
(one core).  The full set (3 seeds) simulates 1.2 s at C and 0.7-0.75 s at the two other
points: about 35 s of CPU, ~20-50 s on 2 shared cores; ``quick`` (2 seeds, 0.5 s at C
and B) about 10 s of CPU.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._checks import as_rng, check_int
from ..models import LIFNetwork
from .check import Check
from .seeds import map_tasks, seed_for
from .tolerance import sem

__all__ = ["LIFPoint", "lif_points", "microcircuit_rates", "run_lif"]

#: Rate allowance (relative, N-independent): finite-C deviation of the network from the
#: diffusion theory, 1.3 % at C (docs/references.md sec. 3), 2.7 % measured at g = 8, eta = 2.
RATE_REL = 0.03
#: CV allowance for Poisson-driven neurons: first-order shot-noise correction in the PSP
#: size over sigma (|J_I| / sigma = 0.065 at C); measured -1.8 % (4 s, 200 neurons).
CV_REL = 0.05
#: Frequency allowance besides one bin of resolution: nonlinear shift of the oscillation
#: away from the Hopf line (Re lambda / Im lambda = 0.04 at B) and finite size.
FREQ_REL = 0.10


#: Network scale of the microcircuit in :func:`microcircuit_rates` (the NEST comparison).
MC_SCALE = 0.1
#: Relative allowance of the working point against NNMT's (same equations; round-off).
MC_NNMT_REL = 1e-10


@dataclass(frozen=True)
class LIFPoint:
    """A point of Brunel's model A to simulate.

    Attributes
    ----------
    label : str
        Name (``"C"``, ``"B"``, ...).
    g, eta : float
        Relative inhibition and ``nu_ext / nu_thr``.
    N_E : int
        Excitatory neurons (``C_E = 1000`` fixed, ``epsilon = C_E / N_E``).
    T, burn_in : float
        Analysed time and discarded transient (ms).
    kind : {"rates", "spectrum"}
        Check the stationary rates (AI point) or the spectral peak (oscillating point).
    tau_s : float
        Exponential synaptic current time constant (ms); 0 for delta synapses.
    """

    label: str
    g: float
    eta: float
    N_E: int = 10000
    T: float = 1000.0
    burn_in: float = 200.0
    kind: str = "rates"
    tau_s: float = 0.0

    def model(self) -> LIFNetwork:
        """The network (Brunel 2000 model A, ``C_E = 1000``, ``J = 0.1`` mV, ``D = 1.5`` ms)."""
        return LIFNetwork.brunel(
            self.g, self.eta, N_E=self.N_E, epsilon=1000.0 / self.N_E, tau_s=self.tau_s
        )


def lif_points(quick: bool = False) -> list[LIFPoint]:
    """The simulated points: ``C`` (AI), ``g=6 eta=2`` (AI, full run only), ``B`` (SI fast)
    and ``C`` with exponential synapses ``tau_s = 1`` ms (colored-noise rate of Fourcaud &
    Brunel 2002: 35.55 Hz; the white-noise formula at the same input would give 41.7 Hz)."""
    if quick:
        return [
            LIFPoint("C", 5.0, 2.0, T=400.0, burn_in=100.0),
            LIFPoint("B", 6.0, 4.0, T=400.0, burn_in=100.0, kind="spectrum"),
            LIFPoint("C tau_s=1ms", 5.0, 2.0, T=400.0, burn_in=100.0, tau_s=1.0),
        ]
    return [
        LIFPoint("C", 5.0, 2.0),
        LIFPoint("g=6 eta=2", 6.0, 2.0, T=600.0, burn_in=150.0),
        LIFPoint("B", 6.0, 4.0, T=600.0, burn_in=100.0, kind="spectrum"),
        LIFPoint("C tau_s=1ms", 5.0, 2.0, T=600.0, burn_in=150.0, tau_s=1.0),
    ]


def _simulate_point(pt: LIFPoint, seed: int) -> dict[str, Any]:
    """One network at ``pt``: rates, CV, spectrum of the population rate, raster snippet."""
    from rnmf.sim import simulate_lif
    from rnmf.sim import spike_measures as sm

    net = pt.model()
    res = simulate_lif(net, pt.burn_in + pt.T, dt=0.1, rng=seed)
    t0, t1 = pt.burn_in, pt.burn_in + pt.T
    out: dict[str, Any] = {"run_time": res.run_time + res.build_time}
    out["rates"] = np.array(
        [sm.mean_rate(res.senders, res.times, sl, t_start=t0, t_stop=t1) for sl in res.pop_slices]
    )
    out["cv"] = float(sm.cv_isi(res.senders, res.times, res.pop_slices[0], t_start=t0, t_stop=t1))
    k0 = int(round(t0 / res.rate_bin))
    weights = np.asarray(net.N, dtype=float) / sum(net.N)
    total = res.pop_rates[k0:] @ weights
    f, S = sm.power_spectrum(total, res.rate_bin, nperseg=min(total.size, 500))
    out["freq"], out["spectrum"] = f, S
    band = f >= 10.0
    out["peak"] = float(f[band][np.argmax(S[band])])
    out["df"] = float(f[1] - f[0])
    m = (res.senders < 100) & (res.times > t1 - 60.0)
    out["raster"] = (res.senders[m].copy(), res.times[m].copy())
    out["rate_trace"] = (res.rate_times[k0:], total)
    return out


def microcircuit_rates(scale: float, T: float, burn_in: float, seed: int) -> dict[str, Any]:
    """Per-population rates (Hz) of one simulated microcircuit (Potjans & Diesmann 2014)
    at ``scale`` over ``(burn_in, burn_in + T]``, with the wall-clock time of the run."""
    from rnmf.sim import simulate_lif

    net = LIFNetwork.microcircuit(scale)
    res = simulate_lif(
        net, T, dt=0.1, rng=seed, burn_in=burn_in, record_spikes=False, progress=False
    )
    return {"rates": res.mean_rates, "run_time": res.run_time + res.build_time}


def _poisson_driven(
    nu: float, nu_ext: float, seed: int, *, n: int = 500, T: float = 2000.0, burn_in: float = 200.0
) -> dict[str, float]:
    r"""Unconnected LIF neurons driven by independent Poisson trains (Brunel model A inputs).

    ``C_E = 1000`` excitatory inputs (``J = 0.1`` mV) at ``nu_ext + nu`` and ``C_I = 250``
    inhibitory inputs (``-0.5`` mV) at ``nu``, delta synapses, exact leak between 0.1 ms
    steps, input during the 2 ms refractory period ignored (Brunel 2000, eq. 1; NEST
    ``iaf_psc_delta``).  Vectorised over neurons (NumPy); returns rate (Hz) and mean CV.
    """
    from rnmf.sim import spike_measures as sm

    rng = as_rng(seed)
    dt, tau, theta, V_r, ref_steps = 0.1, 20.0, 20.0, 10.0, 20
    lam_e = 1000 * (nu_ext + nu) * dt * 1e-3
    lam_i = 250 * nu * dt * 1e-3
    decay = math.exp(-dt / tau)
    n_steps = int(round((T + burn_in) / dt))
    V = rng.uniform(0.0, theta, n)
    ref = np.zeros(n, dtype=np.int64)
    senders, times = [], []
    chunk = 1000
    for s0 in range(0, n_steps, chunk):
        m = min(chunk, n_steps - s0)
        inp = 0.1 * rng.poisson(lam_e, (m, n)) - 0.5 * rng.poisson(lam_i, (m, n))
        for k in range(m):
            active = ref == 0
            V = np.where(active, V * decay + inp[k], V)
            ref = np.where(active, ref, ref - 1)
            fired = V >= theta
            if fired.any():
                idx = np.nonzero(fired)[0]
                senders.append(idx)
                times.append(np.full(idx.size, (s0 + k + 1) * dt))
                V[idx] = V_r
                ref[idx] = ref_steps
    s = np.concatenate(senders) if senders else np.zeros(0, dtype=np.int64)
    t = np.concatenate(times) if times else np.zeros(0)
    t1 = burn_in + T
    return {
        "rate": sm.mean_rate(s, t, n, t_start=burn_in, t_stop=t1),
        "cv": float(sm.cv_isi(s, t, n, t_start=burn_in, t_stop=t1)),
    }


def _seed(base: int, i: int, k: int) -> int:
    """Seed of network ``k`` at point ``i`` (suite key 4 keeps the LIF streams apart)."""
    return seed_for(base, 4, i, k)


def run_lif(
    *,
    quick: bool = False,
    seeds: int = 3,
    seed: int = 0,
    jobs: int = 1,
    figures: bool = True,
    microcircuit: bool = True,
    long: bool = False,
    gaps: bool = False,
) -> tuple[list[Check], dict[str, Any]]:
    r"""LIF theory against simulation: rates, CV and the oscillation frequency.

    Parameters
    ----------
    quick : bool
        Shorter runs (0.4 s analysed at C and B) and no second AI point.
    seeds : int
        Independent networks per point (>= 2).
    seed : int
        Base seed; every simulation seed derives from it (bitwise reproducible).
    jobs : int
        Worker processes.
    figures : bool
        Also return the figures (``lif_rates``, ``lif_spectrum``, ``lif_raster``).
    microcircuit : bool
        Also check the eight population rates of the cortical microcircuit's working point
        against NNMT 1.3.0 (module docstring; about 0.2 s), and the microcircuit's rates
        from theory against simulation (about 12 s).
    long : bool
        Also simulate the full-scale microcircuit (about 3-4 min, 3 GB), sweep the
        delay-spread Hopf boundary with 18 networks instead of 7, and check the peak
        frequency of Brunel's model A near its Hopf line.
    gaps : bool
        Also run the rows that document what the theory does not yet explain (they fail by
        design): Potjans & Diesmann's original microcircuit at full scale (minutes, 3 GB)
        and the peak height of the spectrum near the Hopf line.

    Returns
    -------
    checks : list of Check
        Per AI point: ``rate E``, ``rate I`` (Siegert self-consistency, Brunel 2000
        eqs. 4-5, 21); ``CV (Poisson-driven)`` at C (Brunel 2000, Appendix A); per
        oscillating point: ``spectral peak`` (Brunel 2000, Sec. 4); per microcircuit
        population ``microcircuit rate <pop> (Hz)`` (Potjans & Diesmann 2014).
    figures : dict of str to Figure
        Empty when ``figures`` is False.

    Notes
    -----
    See the module docstring for the tolerances and for why the *network* CV is not
    compared with the diffusion theory (it is 0.43 against 0.675 at C for a known
    reason: the recurrent input trains are not Poisson).
    """
    from rnmf.theory import lif

    seeds = check_int("seeds", seeds, minimum=2)
    seed = check_int("seed", seed, minimum=0)
    jobs = check_int("jobs", jobs, minimum=1)
    points = lif_points(quick)
    theory = {}
    for pt in points:
        net = pt.model()
        st = lif.stationary_rates(net)
        # f_max = 500 Hz, df = 25 Hz: the same roots as the defaults (1000, 10) at A-D, 4x
        # faster; completeness is still guarded by the tail test (converged=False otherwise)
        stab = lif.asynchronous_stability(
            net, rates=st.rates, f_max=500.0, df=25.0, raise_on_failure=pt.kind == "spectrum"
        )
        theory[pt.label] = (st, stab)
    tasks = [(pt, _seed(seed, i, k)) for i, pt in enumerate(points) for k in range(seeds)]
    st_c = theory["C"][0]
    nu_c = float(st_c.rates[0])
    nu_ext_c = float(points[0].model().nu_ext[0])
    mc_tasks = [(nu_c, nu_ext_c, _seed(seed, 100, k), 200, 4000.0) for k in range(seeds)]
    runs = map_tasks(_simulate_point, tasks, jobs)
    mc = map_tasks(_mc_task, mc_tasks, jobs)
    micro = None
    if microcircuit:
        from ._nnmt_microcircuit import NNMT_SHIFT, nnmt_microcircuit

        mc_net = nnmt_microcircuit()
        micro = (mc_net, lif.stationary_rates(mc_net), NNMT_SHIFT)
    per_point = {pt.label: runs[i * seeds : (i + 1) * seeds] for i, pt in enumerate(points)}

    checks: list[Check] = []
    for pt in points:
        st, stab = theory[pt.label]
        rr = per_point[pt.label]
        N = sum(pt.model().N)
        params = f"g={pt.g:g} eta={pt.eta:g} N={N} T={pt.T:g}ms ({pt.label})"
        if pt.kind == "rates":
            for a, name in enumerate(("E", "I")):
                vals = [float(r["rates"][a]) for r in rr]
                checks.append(
                    Check(
                        f"rate {name} (Hz)",
                        params,
                        float(st.rates[a]),
                        float(np.mean(vals)),
                        sem(vals),
                        seeds,
                        N,
                        finite_size=RATE_REL,
                        order=0.0,
                        note=(
                            f"{100 * RATE_REL:.0f}% finite-C allowance: the network runs 1.3% "
                            "below the diffusion theory at C (NEST, Brian2), 2.7% at g=8 eta=2 "
                            "(finite PSPs, non-Poisson recurrent trains)"
                            + (
                                f"; tau_s = {pt.tau_s:g} ms: colored-noise rate (Fourcaud & "
                                "Brunel 2002 shifted threshold), the white-noise formula would "
                                "be ~17% higher"
                                if pt.tau_s > 0
                                else ""
                            )
                        ),
                        samples=tuple(vals),
                    )
                )
        else:
            vals = [r["peak"] for r in rr]
            df = rr[0]["df"]
            checks.append(
                Check(
                    "spectral peak (Hz)",
                    params,
                    float(stab.frequency),
                    float(np.mean(vals)),
                    sem(vals),
                    seeds,
                    N,
                    finite_size=FREQ_REL,
                    order=0.0,
                    floor=df,
                    note=(
                        f"{df:g} Hz resolution + {100 * FREQ_REL:.0f}%: beyond the Hopf line "
                        "(Re/Im lambda = "
                        f"{stab.eigenvalue.real / stab.eigenvalue.imag:.2f}) the limit cycle's "
                        "frequency shifts from the linear one"
                    ),
                    samples=tuple(vals),
                )
            )
    cvs = [m["cv"] for m in mc]
    checks.append(
        Check(
            "CV ISI (Poisson-driven)",
            f"mu={st_c.mu[0]:.3f}mV sigma={st_c.sigma[0]:.3f}mV (inputs of C), "
            f"{mc_tasks[0][3]} neurons",
            float(st_c.cv[0]),
            float(np.mean(cvs)),
            sem(cvs),
            seeds,
            mc_tasks[0][3],
            finite_size=CV_REL,
            order=0.0,
            note=(
                f"{100 * CV_REL:.0f}%: shot noise of finite PSPs (|J_I|/sigma = 0.065) and the "
                "finite-window CV estimator (-0.5% at 4 s); the network's CV (0.43) differs: "
                "its recurrent trains are not Poisson (module docstring)"
            ),
            samples=tuple(cvs),
        )
    )
    if micro is not None:
        mc_net, mc_theory, nnmt_rates = micro
        N = sum(mc_net.N)
        for a, pop in enumerate(mc_net.populations):
            checks.append(
                Check(
                    f"microcircuit rate {pop} (Hz)",
                    f"Potjans-Diesmann full scale N={N}, NNMT in-degrees, vs NNMT 1.3.0",
                    float(mc_theory.rates[a]),
                    float(nnmt_rates[a]),
                    0.0,
                    1,
                    N,
                    finite_size=MC_NNMT_REL,
                    order=0.0,
                    note=(
                        "reference: NNMT 1.3.0 lif.exp.firing_rates (fixture std_results.h5); "
                        "same equations, so only round-off may differ (relative 1e-10)"
                    ),
                )
            )
    figs: dict[str, Any] = {}
    if figures:
        figs = _figures(points, theory, per_point, mc, quick)
    if microcircuit:
        from ._lif_microcircuit_sim import microcircuit_sim_rows

        mc_rows, mc_figs = microcircuit_sim_rows(
            quick=quick, long=long, base_seed=seed, figures=figures, gap_rows=gaps
        )
        checks += mc_rows
        figs.update(mc_figs)
    from ._lif_delay_hopf import delay_hopf_figure, delay_hopf_rows
    from ._lif_spectra import spectra_rows
    from ._lif_spectra_height import height_rows

    ht_rows, ht_figs = height_rows(quick=quick, base_seed=seed, jobs=jobs)
    checks += ht_rows
    if figures:
        figs.update(ht_figs)
    if long or gaps:  # model A's 152 Hz peak: a long study (its frequency row) and a gap
        sp_rows, sp_figs = spectra_rows(quick=quick, base_seed=seed, gap_rows=gaps)
        checks += sp_rows
        if figures:
            figs.update(sp_figs)
    # the 18-network sweep of the boundary is a long study; the main job runs 7 networks
    dh_rows, dh_info = delay_hopf_rows(quick=quick or not long, base_seed=seed, jobs=jobs)
    checks += dh_rows
    if figures:
        figs["lif_delay_hopf"] = delay_hopf_figure(dh_info)
    return checks, figs


def _mc_task(nu: float, nu_ext: float, seed: int, n: int, T: float) -> dict[str, float]:
    return _poisson_driven(nu, nu_ext, seed, n=n, T=T)


def _figures(points, theory, per_point, mc, quick) -> dict[str, Any]:
    from matplotlib.figure import Figure

    from rnmf.theory import lif

    figs: dict[str, Any] = {}
    # rates and CV against g at eta = 2
    g = np.linspace(3.5, 8.0, 46 if quick else 91)
    grid = lif.brunel_rates(g, 2.0)
    nu = grid.rates[:, 0]
    net0 = LIFNetwork.brunel(5.0, 2.0)
    mu, sigma = (np.empty_like(nu) for _ in range(2))
    for i, (gi, ni) in enumerate(zip(g, nu, strict=True)):
        m, s = lif.input_statistics(LIFNetwork.brunel(gi, 2.0), np.array([ni, ni]))
        mu[i], sigma[i] = m[0], s[0]
    cv = lif.cv_isi(mu, sigma, tau_m=net0.tau_m, V_th=net0.V_th, V_reset=net0.V_reset)
    fig = Figure(figsize=(9, 3.6))
    ax1, ax2 = fig.subplots(1, 2)
    ax1.plot(g, nu, "k-", label="theory (Siegert, eta=2)")
    ax2.plot(g, cv, "k-", label="diffusion theory")
    for pt in points:
        if pt.eta != 2.0:
            continue
        rr = per_point[pt.label]
        for a, (mk, col) in enumerate((("o", "C3"), ("s", "C0"))):
            v = [r["rates"][a] for r in rr]
            ax1.errorbar(
                pt.g + (a - 0.5) * 0.12,
                np.mean(v),
                yerr=sem(v),
                fmt=mk,
                color=col,
                label=f"network {'EI'[a]}",
            )
        c = [r["cv"] for r in rr]
        ax2.errorbar(pt.g, np.mean(c), yerr=sem(c), fmt="o", color="C3", label="network E")
    c = [m["cv"] for m in mc]
    ax2.errorbar(5.0, np.mean(c), yerr=sem(c), fmt="D", color="C2", label="Poisson-driven")
    ax1.set(xlabel="g", ylabel="rate (Hz)", title="AI state, eta = 2")
    ax2.set(xlabel="g", ylabel="CV of ISI", ylim=(0, 1.05))
    for ax in (ax1, ax2):
        handles, labels = ax.get_legend_handles_labels()
        uniq = dict(zip(labels, handles, strict=True))
        ax.legend(uniq.values(), uniq.keys(), fontsize=7)
    fig.tight_layout()
    figs["lif_rates"] = fig
    # spectra with the predicted frequency
    fig = Figure(figsize=(9, 3.4))
    axes = fig.subplots(1, len(points))
    for ax, pt in zip(np.atleast_1d(axes), points, strict=True):
        rr = per_point[pt.label]
        S = np.mean([r["spectrum"] for r in rr], axis=0)
        f = rr[0]["freq"]
        ax.semilogy(f[1:], S[1:], "C0-")
        _, stab = theory[pt.label]
        ax.axvline(
            stab.frequency, color="k", ls="--", lw=1, label=f"theory {stab.frequency:.0f} Hz"
        )
        ax.set(
            xlabel="f (Hz)",
            title=f"{pt.label}: {'unstable' if not stab.stable else 'stable (damped)'}",
        )
        ax.legend(fontsize=7)
    np.atleast_1d(axes)[0].set_ylabel("population-rate PSD (Hz)")
    fig.tight_layout()
    figs["lif_spectrum"] = fig
    # raster snippets
    fig = Figure(figsize=(9, 3.4))
    axes = fig.subplots(1, len(points), sharey=True)
    for ax, pt in zip(np.atleast_1d(axes), points, strict=True):
        s, t = per_point[pt.label][0]["raster"]
        ax.plot(t, s, "k.", ms=1.5)
        ax.set(xlabel="t (ms)", title=f"{pt.label} (g={pt.g:g}, eta={pt.eta:g}), last 60 ms")
    np.atleast_1d(axes)[0].set_ylabel("neuron")
    fig.tight_layout()
    figs["lif_raster"] = fig
    return figs
