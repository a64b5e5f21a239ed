"""The registry of cross-validation suites and :func:`run`, what ``rnmf validate`` does.

A suite is a module with a function

``run_<name>(*, quick, seeds, seed, jobs, figures) -> (list[Check], dict[str, Figure])``

registered in :data:`REGISTRY` by one line (name -> module, function); a suite outside rnmf
is added at run time with :func:`register_suite`.  The suites are imported only when they
run, so a suite whose optional dependencies are missing does not break the others
(:func:`available_suites`).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import time
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .._checks import check_int
from .check import Check, Report

if TYPE_CHECKING:
    from .rate import Scenario

__all__ = ["REGISTRY", "SUITES", "available_suites", "register_suite", "run", "run_suite"]

_REGISTRY: dict[str, tuple[str, str]] = {
    "rate": ("rnmf.validate.rate", "run_rate"),
    "lif": ("rnmf.validate.lif", "run_lif"),
    "lowrank": ("rnmf.validate.lowrank", "run_lowrank"),
    "stability": ("rnmf.validate.stability", "run_stability"),
    "precision": ("rnmf.validate.precision", "run_precision"),
    "rmf": ("rnmf.validate.rmf", "run_rmf"),
    "populations": ("rnmf.validate.populations", "run_populations"),
}

#: Suite name -> (module, function), read-only view (add with :func:`register_suite`).  The
#: ``rate`` suite runs first; the others in the order asked for.
REGISTRY: Mapping[str, tuple[str, str]] = MappingProxyType(_REGISTRY)

#: Names of the suites that come with rnmf.
SUITES: tuple[str, ...] = tuple(_REGISTRY)


def register_suite(name: str, module: str, function: str) -> None:
    """Register a suite: ``run(suites=[name])`` then calls ``module.function(**options)``.

    Parameters
    ----------
    name : str
        Suite name (not one of :data:`SUITES`).
    module : str
        Importable module path, e.g. ``"mypackage.mysuite"``.
    function : str
        Name of ``run_<name>(*, quick, seeds, seed, jobs, figures) -> (checks, figures)``
        in that module.
    """
    if not isinstance(name, str) or not name or name in SUITES:
        raise ValueError(
            f"name must be a new suite name (not one of {', '.join(SUITES)}), got {name!r}"
        )
    _REGISTRY[name] = (str(module), str(function))


def available_suites() -> tuple[str, ...]:
    """The registered suites whose modules are installed (all of :data:`SUITES` in a full
    install, plus those added with :func:`register_suite`)."""
    return tuple(s for s in _REGISTRY if importlib.util.find_spec(_REGISTRY[s][0]) is not None)


def run_suite(name: str, **options: Any) -> tuple[list[Check], dict[str, Any]]:
    """Import the suite ``name`` of :data:`REGISTRY` and run it with ``options``.

    Parameters
    ----------
    name : str
        One of :data:`SUITES`.
    **options
        Keyword arguments of the suite's run function (``quick``, ``seeds``, ``seed``,
        ``jobs``, ``figures``, and any the suite adds).

    Returns
    -------
    checks : list of Check
    figures : dict of str to Figure
    """
    if name not in _REGISTRY:
        raise ValueError(f"unknown suite {name!r}; choose from {', '.join(_REGISTRY)}")
    module, function = _REGISTRY[name]
    return getattr(importlib.import_module(module), function)(**options)


def _takes(name: str, option: str) -> bool:
    """Whether suite ``name``'s run function has the keyword ``option``."""
    module, function = _REGISTRY[name]
    fn = getattr(importlib.import_module(module), function)
    return option in inspect.signature(fn).parameters


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
    long: bool = False,
    known_gaps: bool = False,
) -> Report:
    """Run the cross-validation suites and return a :class:`Report`.

    Parameters
    ----------
    scenarios : sequence of Scenario, optional
        Rate-network scenarios; defaults to :func:`rnmf.validate.rate.default_scenarios`.
    quick : bool
        Smaller networks and shorter runs (about a minute on 2 cores).
    seeds : int, optional
        Independent networks per scenario (default 3).
    seed : int
        Base seed; every simulation seed derives from it (bitwise reproducible).
    jobs : int, optional
        Worker processes (default: the number of CPUs, at most 4).
    finite_size : bool
        Also run the finite-size scaling study of Delta0 (rate suite).
    figures : bool
        Draw the figures (matplotlib, Agg backend).
    progress : callable, optional
        Called with a line of text as work proceeds (e.g. ``print``).
    suites : sequence of str, optional
        Which suites to run, any of :data:`SUITES`: ``"rate"`` (random rate
        networks, DMFT, :mod:`rnmf.validate.rate`), ``"lif"`` (Brunel LIF networks,
        :mod:`rnmf.validate.lif`), ``"lowrank"`` (low-rank networks,
        :mod:`rnmf.validate.lowrank`).  Default: all, or only ``"rate"`` when
        ``scenarios`` are given.
    long : bool
        Also run the long studies of the suites that have them (``long=True`` is passed to
        every suite whose run function takes it; e.g. the full-scale cortical microcircuit
        of the ``lif`` suite, minutes and about 3 GB).
    known_gaps : bool
        Also run the rows that document what a theory does not yet explain (``gaps=True``
        to the suites that take it); they fail by design, so the report fails.

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
        if name not in _REGISTRY:
            raise ValueError(f"unknown suite {name!r}; choose from {', '.join(_REGISTRY)}")
    say = progress or (lambda s: None)
    t0 = time.perf_counter()
    report = Report()
    common = dict(quick=quick, seeds=seeds, seed=seed, jobs=jobs, figures=figures)
    # the rate suite first (it reports its own progress), then the others in the order given
    for name in sorted(suites, key=lambda s: s != "rate"):
        if name == "rate":
            checks, figs = run_suite(
                name, **common, scenarios=scenarios, finite_size=finite_size, progress=say
            )
        else:
            t1 = time.perf_counter()
            say(f"{name} suite ...")
            extra = {"long": True} if long and _takes(name, "long") else {}
            if known_gaps and _takes(name, "gaps"):
                extra["gaps"] = True
            checks, figs = run_suite(name, **common, **extra)
            say(f"  {name}: {len(checks)} checks in {time.perf_counter() - t1:.1f} s")
        report.checks.extend(checks)
        report.figures.update(figs)
    report.meta = {
        "rnmf": _version(),
        "mode": "quick" if quick else "full",
        "suites": ", ".join(suites),
        "seeds per scenario": seeds,
        "base seed": seed,
        "processes": jobs,
        "long studies": "yes" if long else "no",
        "known-gap rows": "yes" if known_gaps else "no",
        "duration": f"{time.perf_counter() - t0:.1f} s",
    }
    return report


def _version() -> str:
    from rnmf import __version__

    return __version__
