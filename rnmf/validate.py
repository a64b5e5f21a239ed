"""Theory against simulation: ``Check`` rows with error bars and the ``Report``.

This is the one place (with :mod:`rnmf.phase`) where ``rnmf.theory`` meets
``rnmf.sim``.  The same model object goes to both; a :class:`Check` records the
prediction, the simulation mean and its standard error over independent
networks (seeds), and whether they agree within

.. math:: |\\text{sim} - \\text{theory}| \\le z\\,\\text{sem} + c\\,|\\text{theory}|/\\sqrt{N} + a,

that is, the statistical error plus a finite-size allowance of the stated order
(``c / sqrt(N)`` relative, or ``c / N``) and an absolute floor ``a`` for
predictions that are zero.  :func:`run` executes the default suite (what
``rnmf validate`` does) and :class:`Report` renders it as a terminal table, a
markdown file and figures.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import os
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ._checks import check_int, check_nonnegative
from ._parallel import single_thread_blas
from .models import RateNetwork

__all__ = [
    "SUITES",
    "Check",
    "Report",
    "Scenario",
    "available_suites",
    "default_scenarios",
    "run",
]


@dataclass(frozen=True)
class Check:
    """One row of a cross-validation report.

    Attributes
    ----------
    quantity : str
        What is compared, e.g. ``"Delta0"``.
    params : str
        The model parameters in words.
    theory : float
        The prediction (N -> infinity).
    sim : float
        Mean of the simulation estimates over ``n_seeds`` independent networks.
    sem : float
        Standard error of that mean.
    n_seeds : int
        Number of independent networks.
    N : int
        Network size used.
    z : float
        Multiple of the standard error allowed.
    finite_size : float
        Coefficient ``c`` of the finite-size allowance.
    order : float
        Exponent of the finite-size allowance: ``c |theory| / N**order``.
    floor : float
        Absolute allowance (for predictions that vanish).
    note : str
        Why this tolerance (which finite-size effect it covers).
    """

    quantity: str
    params: str
    theory: float
    sim: float
    sem: float
    n_seeds: int
    N: int
    z: float = 3.0
    finite_size: float = 0.0
    order: float = 0.5
    floor: float = 0.0
    note: str = ""
    samples: tuple = field(default=(), repr=False, compare=False)

    @property
    def error(self) -> float:
        """``sim - theory``."""
        return self.sim - self.theory

    @property
    def rel_error(self) -> float:
        """``|sim - theory| / |theory|`` (inf when the theory is zero)."""
        if self.theory == 0:
            return math.inf if self.error else 0.0
        return abs(self.error) / abs(self.theory)

    @property
    def allowed(self) -> float:
        """The largest ``|sim - theory|`` that passes."""
        fs = self.finite_size * abs(self.theory) / self.N**self.order
        return self.z * self.sem + fs + self.floor

    @property
    def passed(self) -> bool:
        """Whether the simulation agrees with the theory within :attr:`allowed`."""
        return bool(np.isfinite(self.sim) and abs(self.error) <= self.allowed)

    def row(self) -> list[str]:
        """The row as strings, for tables."""
        rel = "-" if not math.isfinite(self.rel_error) else f"{100 * self.rel_error:.2f}%"
        return [
            self.quantity,
            self.params,
            f"{self.theory:.5g}",
            f"{self.sim:.5g} ± {self.sem:.2g}",
            rel,
            f"{self.allowed:.3g}",
            "PASS" if self.passed else "FAIL",
        ]


_HEADER = [
    "quantity",
    "parameters",
    "theory",
    "simulation (mean ± sem)",
    "rel. err",
    "allowed |Δ|",
    "",
]


def _table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)
    ]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


@dataclass
class Report:
    """A set of checks, their figures, and how they are rendered.

    Attributes
    ----------
    checks : list of Check
    figures : dict
        Name -> matplotlib Figure, written by :meth:`write`.
    meta : dict
        Run information (seed, sizes, duration, versions).
    """

    checks: list[Check] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True when every check passed."""
        return all(c.passed for c in self.checks)

    @property
    def n_failed(self) -> int:
        """Number of failing checks."""
        return sum(not c.passed for c in self.checks)

    def table(self) -> str:
        """Plain-text table for a terminal."""
        return _table([c.row() for c in self.checks], _HEADER)

    def markdown(self) -> str:
        """The report as markdown: a table, the tolerance rule, the figures."""
        lines = ["# rnmf validation report", ""]
        for key, value in self.meta.items():
            lines.append(f"- **{key}**: {value}")
        lines += [
            "",
            f"**{len(self.checks) - self.n_failed} of {len(self.checks)} checks passed.**",
            "",
            "A check passes when |sim - theory| <= z sem + c |theory| / N^order + floor: the standard "
            "error over independent networks (seeds) plus a finite-size allowance of the stated order.",
            "",
            "| " + " | ".join(_HEADER[:-1] + ["result"]) + " | note |",
            "|" + "---|" * (len(_HEADER) + 1),
        ]
        for c in self.checks:
            lines.append("| " + " | ".join(c.row()) + f" | {c.note} |")
        if self.figures:
            lines += ["", "## Figures", ""]
            for name in self.figures:
                lines.append(f"![{name}]({name}.png)")
                lines.append("")
        return "\n".join(lines) + "\n"

    def write(self, out: str | os.PathLike) -> Path:
        """Write ``report.md`` and the figures (PNG) to the folder ``out``."""
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        for name, fig in self.figures.items():
            fig.savefig(folder / f"{name}.png", dpi=110, bbox_inches="tight")
        path = folder / "report.md"
        path.write_text(self.markdown())
        return path


# ---------------------------------------------------------------------------------------------
# Scenarios: one model, its theory, its simulations
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """A model to cross-validate and how to simulate it.

    Attributes
    ----------
    label : str
        Short name used in figures.
    model : RateNetwork
        The network (its ``N`` is the simulated size).
    T : float
        Simulated time after burn-in (units of tau; steps for the discrete map).
    burn_in : float
        Discarded transient.
    dt : float
        Integration step (continuous time).
    T_lyap : float
        Time for the Lyapunov exponent (0 to skip it).
    quantities : tuple of str
        Which predictions to check: any of ``"Delta0"``, ``"Delta_inf"``,
        ``"tau_corr"``, ``"lambda_max"``, ``"mu"``.
    lags : tuple of float
        Lags at which Delta(tau) is checked (units of tau; steps for the map).  The
        whole curve goes to the figure; single lags carry clean error bars, whereas
        the long-lag tail of one finite network is dominated by a few slow
        collective modes.
    lyap_rel : float
        Relative tolerance for ``lambda_max`` (finite-N bias is a few percent,
        REFERENCES.md sec. 1).
    """

    label: str
    model: RateNetwork
    T: float
    burn_in: float
    dt: float = 0.05
    T_lyap: float = 0.0
    quantities: tuple[str, ...] = ("Delta0", "lambda_max")
    lags: tuple[float, ...] = ()
    lyap_rel: float = 0.10


def _simulate_one(scn: Scenario, seed: int, max_lag: float) -> dict[str, Any]:
    """Run one sampled network of ``scn`` and return its estimates (runs in a worker).

    The couplings and inputs are sampled once from ``seed``; the trajectory gives
    the moments and Delta(tau), and the tangent dynamics of the same network,
    started from the trajectory's final state (already on the attractor, so a
    short alignment time of 20 tau replaces a second burn-in), give lambda_max.
    """
    from rnmf import sim
    from rnmf.sim import measures

    net = scn.model
    out: dict[str, Any] = {}
    gen = np.random.default_rng(seed)
    J = sim.sample_couplings(net, gen)
    I = sim.sample_inputs(net, gen)
    record_every = 1 if net.discrete else max(1, int(round(0.1 / scn.dt)))
    traj = sim.simulate(
        net,
        scn.T,
        dt=scn.dt,
        rng=gen,
        burn_in=scn.burn_in,
        J=J,
        I=I,
        record_units=min(net.N, 400),
        record_every=record_every,
    )
    stats = measures.population_stats(traj)
    out["mu"] = float(stats.mean_x)
    out["Delta0"] = float(stats.var_x)
    lags, delta = measures.autocorrelation(traj, max_lag=max_lag, subtract="global")
    out["lags"] = np.asarray(lags, dtype=float)
    out["Delta"] = np.asarray(delta, dtype=float)
    tail = delta[lags >= 0.75 * lags[-1]]
    out["Delta_inf"] = float(np.mean(tail))
    out["tau_corr"] = _half_width(out["lags"], out["Delta"], out["Delta_inf"])
    if scn.T_lyap > 0 and "lambda_max" in scn.quantities:
        align = 20.0 if not net.discrete else 20
        lyap = sim.lyapunov_spectrum(
            net, scn.T_lyap, k=1, dt=scn.dt, rng=gen, burn_in=align, x0=traj.x_final, J=J, I=I
        )
        out["lambda_max"] = float(np.asarray(lyap.exponents)[0])
    return out


def _half_width(lags: np.ndarray, delta: np.ndarray, delta_inf: float) -> float:
    """Lag at which (Delta - Delta_inf) first falls to half of its value at zero lag."""
    y = (delta - delta_inf) / max(delta[0] - delta_inf, 1e-300)
    below = np.nonzero(y <= 0.5)[0]
    if below.size == 0 or below[0] == 0:
        return float("nan")
    i = below[0]
    return float(lags[i - 1] + (0.5 - y[i - 1]) * (lags[i] - lags[i - 1]) / (y[i] - y[i - 1]))


def default_scenarios(quick: bool = False) -> list[Scenario]:
    """The default cross-validation suite of ``rnmf validate``.

    Continuous time without noise (quiet g = 0.5, chaotic g = 1.5 and 2.0: SCS 1988),
    with white noise (sigma = 1 at g = 1.5 and 2.5: Schuecker et al. 2018), with
    mean coupling and heterogeneous input (full run only), and the discrete-time
    map (g = 0.5 and 2.0: Molgedey et al. 1992).  The Lyapunov exponent of the
    noiseless chaotic network is checked at N >= 2000 in the full run, where the
    finite-N bias is a few percent (REFERENCES.md sec. 1); ``quick`` uses N = 1000
    and shorter runs.
    """
    N = 1000 if quick else 2000
    Nd = 1000 if quick else 2000
    T = 150.0
    T_noise = 100.0  # noise-driven states decorrelate within ~3 tau (lags up to T/4)
    TL = 100.0
    chaos = ("Delta0", "Delta_inf", "tau_corr", "lambda_max")
    noisy = ("Delta0", "tau_corr", "lambda_max")
    scn = [
        Scenario("quiet g=0.5", RateNetwork(N=N, g=0.5), T=40.0, burn_in=40.0, T_lyap=40.0),
        Scenario(
            "chaotic g=1.5",
            RateNetwork(N=N, g=1.5),
            T=T,
            burn_in=50.0,
            T_lyap=TL,
            quantities=chaos,
            lags=(1.0, 3.0),
        ),
        Scenario(
            "chaotic g=2.0",
            RateNetwork(N=N, g=2.0),
            T=T,
            burn_in=50.0,
            T_lyap=TL,
            quantities=chaos,
            lags=(1.0, 3.0),
        ),
        Scenario(
            "noise sigma=1 g=1.5",
            RateNetwork(N=N, g=1.5, sigma_noise=1.0),
            T=T_noise,
            burn_in=30.0,
            T_lyap=TL,
            quantities=noisy,
            lags=(0.5, 1.5),
        ),
        Scenario(
            "noise sigma=1 g=2.5",
            RateNetwork(N=N, g=2.5, sigma_noise=1.0),
            T=T_noise,
            burn_in=30.0,
            T_lyap=TL,
            quantities=noisy,
            lags=(1.0, 3.0),
        ),
        Scenario(
            "discrete g=0.5",
            RateNetwork(N=Nd, g=0.5, time="discrete"),
            T=50,
            burn_in=100,
            T_lyap=200,
        ),
        Scenario(
            "discrete g=2.0",
            RateNetwork(N=Nd, g=2.0, time="discrete"),
            T=500,
            burn_in=100,
            T_lyap=500,
            lags=(1.0,),
        ),
    ]
    if not quick:
        scn.append(
            Scenario(
                "J0=1.5 I0=0.3 sigma_I=0.5 g=1.8",
                RateNetwork(N=N, g=1.8, J0=1.5, I0=0.3, sigma_I=0.5),
                T=T,
                burn_in=50.0,
                quantities=("mu", "Delta0", "Delta_inf"),
                lags=(1.0,),
            )
        )
    return scn


# tolerance rules per quantity: (finite-size coefficient c, order, absolute floor, note)
_TOL = {
    "mu": (2.0, 0.5, 0.02, "population mean; O(1/sqrt(N)) network-to-network"),
    "Delta0": (2.0, 0.5, 1e-3, "O(1/sqrt(N)) network-to-network spread"),
    "Delta_inf": (2.0, 0.5, 0.03, "static part; finite-T estimate"),
    "tau_corr": (4.0, 0.5, 0.05, "half-width of Delta(tau); finite N, finite T"),
    "lag": (2.0, 0.5, 0.02, "Delta at one lag; c Delta0/sqrt(N) allowance; slow modes in the sem"),
}


def _seed_for(base: int, i_scn: int, i_seed: int) -> int:
    return int(np.random.SeedSequence([base, i_scn, i_seed]).generate_state(1)[0])


def _sem(values: Sequence[float]) -> float:
    v = np.asarray(values, dtype=float)
    return float(np.std(v, ddof=1) / np.sqrt(v.size)) if v.size > 1 else float("nan")


def _checks_for(scn: Scenario, th: Any, runs: list[dict[str, Any]]) -> list[Check]:
    net = scn.model
    params = net.describe()
    checks = []
    n = len(runs)
    for q in scn.quantities:
        if q == "lambda_max":
            if "lambda_max" not in runs[0]:
                continue
            vals = [r["lambda_max"] for r in runs]
            checks.append(
                Check(
                    "lambda_max",
                    params,
                    float(th.lambda_max),
                    float(np.mean(vals)),
                    _sem(vals),
                    n,
                    net.N,
                    finite_size=scn.lyap_rel,
                    order=0.0,
                    floor=0.005,
                    note=f"{100 * scn.lyap_rel:.0f}% finite-N bias allowed (REFERENCES sec. 1)",
                    samples=tuple(vals),
                )
            )
            continue
        vals = [r[q] for r in runs]
        c, order, floor, note = _TOL[q]
        checks.append(
            Check(
                q,
                params,
                float(getattr(th, q)),
                float(np.mean(vals)),
                _sem(vals),
                n,
                net.N,
                finite_size=c,
                order=order,
                floor=floor,
                note=note,
                samples=tuple(vals),
            )
        )
    c, order, floor, note = _TOL["lag"]
    for lag in scn.lags:
        lags = runs[0]["lags"]
        k = int(np.argmin(np.abs(lags - lag)))
        vals = [float(r["Delta"][k]) for r in runs]
        label = f"Delta(lag={lags[k]:g})" if net.discrete else f"Delta(tau={lags[k]:g})"
        th_val = float(np.asarray(th.autocorrelation(np.array([lags[k]])))[0])
        # finite-size allowance on the scale of Delta0: c Delta0 / sqrt(N), not c |Delta(lag)|
        fs = c * float(th.Delta0) / net.N**order
        checks.append(
            Check(
                label,
                params,
                th_val,
                float(np.mean(vals)),
                _sem(vals),
                n,
                net.N,
                floor=floor + fs,
                note=note,
                samples=tuple(vals),
            )
        )
    return checks


def _map(fn: Callable, tasks: Iterable[tuple], jobs: int) -> list[Any]:
    tasks = list(tasks)
    if jobs <= 1:
        return [fn(*t) for t in tasks]
    import multiprocessing as mp

    with (
        single_thread_blas(),
        ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("spawn")) as pool,
    ):
        futures = [pool.submit(fn, *t) for t in tasks]
        return [f.result() for f in futures]


def run(
    scenarios: Sequence[Scenario] | None = None,
    *,
    quick: bool = False,
    seeds: int | None = None,
    seed: int = 0,
    jobs: int | None = None,
    finite_size: bool = True,
    figures: bool = True,
    progress: Callable[[str], None] | None = None,
    suites: Sequence[str] | None = None,
) -> Report:
    """Run the cross-validation suites and return a :class:`Report`.

    Parameters
    ----------
    scenarios : sequence of Scenario, optional
        Rate-network scenarios; defaults to :func:`default_scenarios`.
    quick : bool
        Smaller networks and shorter runs (about a minute on 2 cores).
    seeds : int, optional
        Independent networks per scenario (default 3).
    seed : int
        Base seed; every simulation seed derives from it (bitwise reproducible).
    jobs : int, optional
        Worker processes (default: the number of CPUs, at most 4).
    finite_size : bool
        Also run the finite-size scaling study of Delta0.
    figures : bool
        Draw the figures (matplotlib, Agg backend).
    progress : callable, optional
        Called with a line of text as work proceeds (e.g. ``print``).
    suites : sequence of str, optional
        Which suites to run, any of :data:`SUITES`: ``"rate"`` (random rate
        networks, DMFT), ``"lif"`` (Brunel LIF networks, :mod:`rnmf.validate_lif`),
        ``"lowrank"`` (low-rank networks, :mod:`rnmf.validate_lowrank`).  Default:
        all, or only ``"rate"`` when ``scenarios`` are given.

    Notes
    -----
    With ``jobs > 1`` the simulations run in spawned processes, so a script that
    calls this function must guard its entry point with
    ``if __name__ == "__main__":``.
    """
    seeds = check_int("seeds", seeds if seeds is not None else 3, minimum=2)
    seed = check_int("seed", seed, minimum=0)
    jobs = check_int("jobs", jobs if jobs is not None else min(os.cpu_count() or 1, 4), minimum=1)
    if suites is None:
        suites = ("rate",) if scenarios is not None else available_suites()
    suites = tuple(suites)
    for name in suites:
        if name not in SUITES:
            raise ValueError(f"unknown suite {name!r}; choose from {', '.join(SUITES)}")
    say = progress or (lambda s: None)
    t0 = time.perf_counter()
    report = Report()
    if "rate" in suites:
        _run_rate(
            report,
            scenarios,
            quick=quick,
            seeds=seeds,
            seed=seed,
            jobs=jobs,
            finite_size=finite_size,
            figures=figures,
            say=say,
        )
    for name in suites:
        if name == "rate":
            continue
        t1 = time.perf_counter()
        say(f"{name} suite ...")
        module = importlib.import_module(f"rnmf.validate_{name}")
        checks, figs = getattr(module, f"run_{name}")(
            quick=quick, seeds=seeds, seed=seed, jobs=jobs, figures=figures
        )
        report.checks.extend(checks)
        report.figures.update(figs)
        say(f"  {name}: {len(checks)} checks in {time.perf_counter() - t1:.1f} s")
    report.meta = {
        "rnmf": _version(),
        "mode": "quick" if quick else "full",
        "suites": ", ".join(suites),
        "seeds per scenario": seeds,
        "base seed": seed,
        "processes": jobs,
        "duration": f"{time.perf_counter() - t0:.1f} s",
    }
    return report


SUITES = ("rate", "lif", "lowrank")


def available_suites() -> tuple[str, ...]:
    """The suites whose modules are installed (all of :data:`SUITES` in a full install)."""
    return tuple(s for s in SUITES if s == "rate" or importlib.util.find_spec(f"rnmf.validate_{s}"))


def _run_rate(
    report: Report,
    scenarios: Sequence[Scenario] | None,
    *,
    quick: bool,
    seeds: int,
    seed: int,
    jobs: int,
    finite_size: bool,
    figures: bool,
    say: Callable[[str], None],
) -> None:
    """The random rate-network suite: DMFT against simulation (adds to ``report``)."""
    from rnmf.theory import dmft

    scenarios = list(default_scenarios(quick) if scenarios is None else scenarios)

    theories = []
    for scn in scenarios:
        th = dmft.solve(scn.model)
        theories.append(th)
    max_lags = []
    for scn, th in zip(scenarios, theories, strict=True):
        if scn.model.discrete:
            max_lags.append(10)
        else:
            tc = float(th.tau_corr) if np.isfinite(th.tau_corr) and th.tau_corr > 0 else 1.0
            max_lags.append(float(min(max(6.0 * tc, 10.0), scn.T / 4)))
    tasks = [
        (scn, _seed_for(seed, i, k), max_lags[i])
        for i, scn in enumerate(scenarios)
        for k in range(seeds)
    ]
    say(f"simulating {len(scenarios)} scenarios x {seeds} seeds on {jobs} process(es) ...")
    results = _map(_simulate_one, tasks, jobs)
    per_scn: list[list[dict[str, Any]]] = []
    for i, (scn, th) in enumerate(zip(scenarios, theories, strict=True)):
        runs = results[i * seeds : (i + 1) * seeds]
        per_scn.append(runs)
        report.checks.extend(_checks_for(scn, th, runs))
        say(f"  {scn.label}: done")

    scaling = None
    if finite_size:
        say("finite-size scaling of Delta0 ...")
        scaling = finite_size_scaling(quick=quick, seed=seed, jobs=jobs)
        report.checks.append(scaling["check"])
    if figures:
        from . import plotting

        report.figures.update(plotting.validation_figures(scenarios, theories, per_scn, scaling))


def finite_size_scaling(
    *,
    g: float = 2.0,
    sizes: Sequence[int] | None = None,
    seeds: int | None = None,
    quick: bool = False,
    seed: int = 0,
    jobs: int = 1,
) -> dict[str, Any]:
    """Theory-simulation gap of Delta0 against N (chaotic SCS network).

    Two finite-size effects separate: each network's Delta0 differs from the
    N -> infinity theory by a network-to-network fluctuation whose standard
    deviation shrinks as N**-1/2 (self-averaging of a mean over N weakly
    correlated units), on top of a systematic bias of the mean that vanishes
    faster (O(1/N)).  The returned check compares the fitted log-log slope of the
    spread over networks with -1/2; the mean gap is reported and drawn.

    The spread is the scaled median absolute deviation (1.4826 MAD, equal to the
    standard deviation for Gaussian data) with a standard error 1.65 times that of
    a Gaussian standard deviation (MAD's efficiency is 37%): below N ~ 500 a few
    networks at g = 2 leave the generic chaotic state (e.g. for a limit cycle), and
    such outliers would dominate a plain standard deviation (measured sd sqrt(N):
    4.97, 2.32, 1.83, 2.46 at N = 250, 500, 1000, 2000; spread sqrt(N) 4.29, 2.46,
    2.75, 2.14 with 16 networks).  Sizes start at N = 400.  Many short runs (16
    networks of 30 tau) estimate the spread better than a few long ones at the same
    cost: the slope's standard error is about 0.3.
    """
    from rnmf.theory import dmft

    g = check_nonnegative("g", g)
    sizes = list(sizes or ((400, 800, 1600) if quick else (500, 1000, 2000)))
    seeds = seeds or 16
    base = RateNetwork(N=sizes[0], g=g)
    th = dmft.solve(base)
    scn = [
        Scenario(f"N={n}", replace(base, N=n), T=30.0, burn_in=30.0, quantities=("Delta0",))
        for n in sizes
    ]
    tasks = [
        (s, _seed_for(seed + 1000, i, k), 5.0) for i, s in enumerate(scn) for k in range(seeds)
    ]
    res = _map(_simulate_one, tasks, jobs)
    sd, sd_err, bias, bias_err = [], [], [], []
    for i in range(len(sizes)):
        gaps = np.array([r["Delta0"] for r in res[i * seeds : (i + 1) * seeds]]) - th.Delta0
        s_i = 1.4826 * float(np.median(np.abs(gaps - np.median(gaps))))
        sd.append(s_i)
        sd_err.append(1.65 * s_i / math.sqrt(2 * (seeds - 1)))
        bias.append(float(np.mean(gaps)))
        bias_err.append(s_i / math.sqrt(seeds))
    slope, icpt, slope_err = _loglog_fit(sizes, sd, sd_err)
    check = Check(
        "d log spread(Delta0) / d log N",
        f"g={g:g}, N={sizes[0]}..{sizes[-1]}, {seeds} networks each",
        -0.5,
        slope,
        slope_err,
        seeds,
        sizes[-1],
        z=3.0,
        order=0.0,
        note="network-to-network spread of Delta0 ~ N^-1/2 (self-averaging)",
    )
    return {
        "sizes": sizes,
        "sd": sd,
        "sd_err": sd_err,
        "bias": bias,
        "bias_err": bias_err,
        "slope": slope,
        "intercept": icpt,
        "theory": th.Delta0,
        "check": check,
    }


def _loglog_fit(x: Sequence[float], y: Sequence[float], yerr: Sequence[float]) -> tuple:
    """Weighted least-squares fit of log y = a log x + b; returns (a, b, stderr of a)."""
    lx = np.log(np.asarray(x, dtype=float))
    ly = np.log(np.asarray(y, dtype=float))
    w = (np.asarray(y, dtype=float) / np.asarray(yerr, dtype=float)) ** 2
    A = np.vstack([lx, np.ones_like(lx)]).T
    cov = np.linalg.inv(A.T @ (A * w[:, None]))
    a, b = cov @ (A.T @ (w * ly))
    return float(a), float(b), float(math.sqrt(cov[0, 0]))


def _version() -> str:
    from . import __version__

    return __version__
