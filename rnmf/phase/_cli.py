"""The ``rnmf phase MODEL`` command: a theory phase diagram with simulation overlays.

One sub-command per problem of :data:`rnmf.phase.problems.PROBLEMS`; its ``--help``
is generated from the registry (fields to vary and set with their defaults, output
fields, simulation cost).  Every argument is checked before any work starts, and
every error names the flag it comes from.  With ``--simulate`` the theory figure and
its data are written first; the simulation points are then added as they finish
(the figure is redrawn every 30 s and at the end), and with ``--store`` an
interrupted run resumes where it stopped.
"""

from __future__ import annotations

import argparse
import math
import numbers
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["add_phase_parser"]

_REDRAW_EVERY = 30.0  # seconds between figure updates while simulations run
_MAX_AXIS = 100_000  # values per --vary axis
_MAX_RUNS = 1_000_000  # simulation points x seeds


class CLIError(ValueError):
    """A bad command-line argument (the message names the flag)."""


# ------------------------------------------------------------------------------ help text


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, numbers.Integral):
        return "int"
    if isinstance(value, numbers.Real):
        return "float"
    if isinstance(value, str):
        return "str"
    return type(value).__name__


def _show(value: Any) -> str:
    kind = getattr(value, "kind", None)  # a Transfer: its name
    if isinstance(kind, str):
        return kind
    return f"{value:g}" if isinstance(value, float) else str(value)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.2g} s"
    if seconds < 5400:
        return f"{seconds / 60:.2g} min"
    return f"{seconds / 3600:.2g} h"


def _sim_cost_line(prob: Any, model: Any) -> str:
    if prob.simulation is None:
        return "this model has no simulation"
    if prob.sim_cost is None:
        return "cost per simulation point: not estimated for this model"
    try:
        cost = float(prob.sim_cost(model))
    except Exception:  # noqa: BLE001 - an estimate only
        return "cost per simulation point: not estimated for these parameters"
    n = getattr(model, "N", None)
    at = f" at N = {n}" if n is not None else ""
    return (
        f"cost per simulation point: ~{_duration(cost)} per seed{at} (rough; grows as N^2; "
        "measured on a loaded 2-core machine, yours may be several times faster)"
    )


def _problem_epilog(prob: Any) -> str:
    settable = prob.settable()
    sweep = prob.sweepable_fields()
    lines = ["fields the theory can vary (--vary NAME=start:stop:num or NAME=v1,v2,...):"]
    lines += [f"  {k:<12} {_type_name(settable[k]):<8} default {_show(settable[k])}" for k in sweep]
    lines += ["", "fields that can be set (--set NAME=VALUE):"]
    lines += [f"  {k:<12} {_type_name(v):<8} default {_show(v)}" for k, v in settable.items()]
    lines += ["", f"output fields of the theory (--field; default {prob.label_field}):"]
    if prob.outputs:
        lines += [f"  {k:<14} {v}" for k, v in prob.outputs.items()]
    else:
        lines += ["  (not declared by this model: see the data written next to the figure)"]
    if prob.simulation is not None:
        lines += ["", "output fields of the simulation (--simulate):"]
        if prob.sim_outputs:
            lines += [f"  {k:<14} {v}" for k, v in prob.sim_outputs.items()]
        else:
            lines += ["  (not declared by this model)"]
    lines += ["", _sim_cost_line(prob, prob.model)]
    a, b = (sweep + ("", ""))[:2]
    if prob.example:
        lines += ["", f"example: {prob.example}"]
    elif a and b:
        lines += [
            "",
            f"example: rnmf phase {prob.name} --vary {a}={_example(settable[a])} "
            f"--vary {b}={_example(settable[b])} --store {prob.name}-store --out {prob.name}.png",
        ]
    return "\n".join(lines)


def _example(value: Any) -> str:
    v = float(value)
    lo, hi = (0.0, 1.0) if v == 0 else (round(0.5 * v, 3), round(1.5 * v, 3))
    return f"{lo:g}:{hi:g}:21"


# ------------------------------------------------------------------------------ the parser


def add_phase_parser(sub: Any) -> None:
    """Register ``rnmf phase`` and one sub-command per problem on ``sub``."""
    from .problems import PROBLEMS

    q = sub.add_parser(
        "phase",
        help="compute a phase diagram from theory, with simulation overlays",
        description="Sweep a model's theory over a grid of parameters (vectorised), draw the "
        "regimes with the theory's transition lines, and optionally overlay simulations on a "
        "coarser grid. `rnmf phase MODEL --help` lists the fields of each model. Example: "
        "rnmf phase rate --vary g=0.5:3:101 --vary sigma_noise=0:1:51 --simulate --seeds 3 "
        "--store phase-store --out phase.png",
    )
    models = q.add_subparsers(dest="model", metavar="MODEL", required=True)
    for name, prob in PROBLEMS.items():
        p = models.add_parser(
            name,
            help=prob.description,
            description=f"{prob.description}.",
            epilog=_problem_epilog(prob),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _add_options(p, prob)
        p.set_defaults(func=run_phase, problem=name)


def _add_options(p: argparse.ArgumentParser, prob: Any) -> None:
    p.add_argument(
        "--vary",
        action="append",
        default=[],
        metavar="NAME=start:stop:num",
        help="a swept model field, or NAME=v1,v2,... (repeat for 2-D; fields below)",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a fixed model field, e.g. --set N=2000 (fields below)",
    )
    p.add_argument(
        "--field", default=None, help=f"output field to draw (default: {prob.label_field})"
    )
    sim_help = "overlay simulations on a coarser grid"
    if prob.simulation is not None and prob.sim_cost is not None:
        try:
            sim_help += (
                f" (~{_duration(float(prob.sim_cost(prob.model)))} per point and seed at the "
                "defaults; see below)"
            )
        except Exception:  # noqa: BLE001 - an estimate only
            pass
    p.add_argument("--simulate", action="store_true", help=sim_help)
    p.add_argument("--seeds", type=int, default=3, help="simulations per overlay point (3)")
    p.add_argument("--seed", type=int, default=0, help="base seed of the simulations (0)")
    p.add_argument("--sim-points", type=int, default=5, help="overlay points per axis (5)")
    p.add_argument("--executor", default="serial", choices=("serial", "processes", "dask"))
    p.add_argument("--scheduler", default=None, help="dask scheduler address (default: local)")
    p.add_argument("--workers", type=int, default=None, help="worker processes")
    p.add_argument(
        "--store",
        default=None,
        help="folder that keeps finished points; run the same command again to resume",
    )
    p.add_argument(
        "--no-progress",
        "--quiet",
        dest="no_progress",
        action="store_true",
        help="no progress bar (by default one appears on stderr after 2 s)",
    )
    p.add_argument("--out", default="phase.png", help="figure file (data next to it as .npz)")


# ------------------------------------------------------------------------------ checks


def _parse_number(flag: str, name: str, text: str, default: Any) -> Any:
    """Text -> a value of the type of ``default`` (the model field's default)."""
    text = text.strip()
    if isinstance(default, bool):
        low = text.lower()
        if low in ("1", "true", "yes", "on"):
            return True
        if low in ("0", "false", "no", "off"):
            return False
        raise CLIError(f"{flag} {name}={text}: {name} takes true or false, got {text!r}")
    if isinstance(default, numbers.Integral):
        try:
            v = float(text)
        except ValueError:
            raise CLIError(f"{flag} {name}={text}: {name} takes an integer, got {text!r}") from None
        if not (math.isfinite(v) and v == int(v)):
            raise CLIError(f"{flag} {name}={text}: {name} takes an integer, got {text!r}")
        return int(v)
    if isinstance(default, numbers.Real):
        try:
            v = float(text)
        except ValueError:
            raise CLIError(f"{flag} {name}={text}: {name} takes a number, got {text!r}") from None
        if not math.isfinite(v):
            raise CLIError(f"{flag} {name}={text}: {name} must be finite, got {text!r}")
        return v
    return text  # a string or an object built from its name (e.g. phi=tanh): the model checks


def _parse_set(prob: Any, items: list[str]) -> dict[str, Any]:
    settable = prob.settable()
    out: dict[str, Any] = {}
    for text in items:
        name, sep, value = text.partition("=")
        name = name.strip()
        if not sep or not name:
            raise CLIError(f"--set needs NAME=VALUE, got {text!r}")
        if name not in settable:
            raise CLIError(
                f"--set {text}: {prob.name} has no field {name!r}; fields: {', '.join(settable)}"
            )
        if name in out:
            raise CLIError(f"--set {name} is given twice")
        out[name] = _parse_number("--set", name, value, settable[name])
    return out


def _parse_vary(prob: Any, items: list[str]) -> dict[str, np.ndarray]:
    sweepable = prob.sweepable_fields()
    settable = prob.settable()
    axes: dict[str, np.ndarray] = {}
    for text in items:
        name, sep, spec = text.partition("=")
        name = name.strip()
        if not sep or not name:
            raise CLIError(f"--vary needs NAME=start:stop:num or NAME=v1,v2,..., got {text!r}")
        if name not in sweepable:
            hint = f" (fix it with --set {name}=VALUE)" if name in settable else ""
            what = "cannot vary" if name in settable else "has no field"
            raise CLIError(
                f"--vary {text}: the {prob.name} theory {what} {name!r}{hint}; "
                f"it can vary {', '.join(sweepable)}"
            )
        if name in axes:
            raise CLIError(
                f"--vary {name} is given twice; give each field once "
                "(start:stop:num or a comma list)"
            )
        values = _vary_values(text, spec)
        if not np.all(np.isfinite(values)):
            raise CLIError(f"--vary {text}: values must be finite")
        if isinstance(settable[name], numbers.Integral) and not isinstance(settable[name], bool):
            if not np.all(values == np.round(values)):
                raise CLIError(f"--vary {text}: {name} takes integers, got {values.tolist()}")
            values = values.astype(np.int64)
        axes[name] = values
    if not axes:
        raise CLIError(
            f"give at least one --vary NAME=start:stop:num; {prob.name} can vary "
            f"{', '.join(sweepable)}"
        )
    if len(axes) > 2:
        raise CLIError(
            f"--vary is given for {len(axes)} fields ({', '.join(axes)}); the figure "
            "shows 1 or 2 (use rnmf.phase.sweep for 3-D grids)"
        )
    return axes


def _vary_values(text: str, spec: str) -> np.ndarray:
    """``start:stop:num`` (linspace) or ``v1,v2,...`` -> values (checked, finite)."""
    bad = CLIError(
        f"--vary {text}: {spec!r} is not start:stop:num (num an integer >= 1) "
        "or a comma list of numbers"
    )
    try:
        if ":" in spec:
            parts = spec.split(":")
            if len(parts) != 3:
                raise bad
            start, stop, num_f = (float(x) for x in parts)
            if not (math.isfinite(num_f) and num_f == int(num_f) and num_f >= 1):
                raise bad
            if not (math.isfinite(start) and math.isfinite(stop)):
                raise CLIError(f"--vary {text}: start and stop must be finite")
            if num_f > _MAX_AXIS:
                raise CLIError(
                    f"--vary {text}: {int(num_f)} values on one axis; at most {_MAX_AXIS}"
                )
            return np.linspace(start, stop, int(num_f))
        return np.array([float(v) for v in spec.split(",")])
    except ValueError as exc:
        if isinstance(exc, CLIError):
            raise
        raise bad from None


def _check_out(out: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    formats = FigureCanvasAgg(Figure()).get_supported_filetypes()
    suffix = out.suffix.lower().lstrip(".")
    if suffix not in formats:
        raise CLIError(
            f"--out {out}: {'no' if not suffix else 'unknown'} figure format "
            f"{out.suffix!r}; end the name with one of "
            + ", ".join("." + k for k in sorted(formats))
        )
    if out.is_dir():
        raise CLIError(f"--out {out} is a folder; give a file name such as {out / 'phase.png'}")
    _check_writable_folder("--out", out.parent)


def _check_writable_folder(flag: str, folder: Path) -> None:
    """Create ``folder`` if needed and check that a file can be written in it."""
    if folder.exists() and not folder.is_dir():
        raise CLIError(f"{flag}: {folder} is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".rnmf-write-test-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise CLIError(f"{flag}: cannot write in {folder} ({exc.strerror or exc})") from None


def _check_store(store: Path) -> None:
    if store.exists() and not store.is_dir():
        raise CLIError(f"--store {store} is a file; give a folder (new, or from the same command)")
    if store.is_dir():
        foreign = [p.name for p in store.iterdir() if p.name not in ("theory", "simulation")]
        if foreign:
            raise CLIError(
                f"--store {store} holds other files ({', '.join(sorted(foreign)[:3])}): it is "
                "not a folder made by rnmf phase; give a new or empty folder"
            )
    _check_writable_folder("--store", store)


def _prepare(args: argparse.Namespace) -> dict[str, Any]:
    """Check every argument; no computation. Returns what the run needs."""
    from .engine import _validate_axes
    from .problems import PROBLEMS
    from .store import _check_manifest

    prob = PROBLEMS[args.problem]
    fixed = _parse_set(prob, args.set)
    axes = _parse_vary(prob, args.vary)
    both = sorted(set(fixed) & set(axes))
    if both:
        raise CLIError(f"{', '.join(both)} is given with both --set and --vary; give one")
    try:
        base = prob.base(**fixed)
    except (ValueError, TypeError) as exc:
        raise CLIError(f"--set: {exc}") from None
    try:
        axes = _validate_axes(base, axes)
    except ValueError as exc:
        raise CLIError(f"--vary: {exc}") from None
    for name, values in axes.items():  # every value must give a valid model
        from dataclasses import replace

        for v in (values[0], values[-1]):
            try:
                replace(base, **{name: v.item()})
            except (ValueError, TypeError) as exc:
                raise CLIError(f"--vary {name}: {name} = {v:g} is not allowed: {exc}") from None
    field = args.field or prob.label_field
    if args.field is not None and prob.outputs and args.field not in prob.outputs:
        raise CLIError(
            f"--field {args.field}: the {prob.name} theory gives {', '.join(prob.outputs)}"
        )
    for flag, value, least in (
        ("--seeds", args.seeds, 1),
        ("--sim-points", args.sim_points, 1),
        ("--seed", args.seed, 0),
    ):
        if value < least:
            raise CLIError(f"{flag} must be an integer >= {least}, got {value}")
    if args.workers is not None and args.workers < 1:
        raise CLIError(f"--workers must be an integer >= 1, got {args.workers}")
    if args.scheduler is not None and args.executor != "dask":
        raise CLIError("--scheduler is only used with --executor dask")
    if args.simulate and prob.simulation is None:
        raise CLIError(f"--simulate: the {prob.name} model has no simulation")
    out = Path(args.out)
    _check_out(out)
    store = Path(args.store) if args.store else None
    coarse = {
        k: np.unique(np.linspace(v[0], v[-1], min(args.sim_points, v.size)).astype(v.dtype))
        for k, v in axes.items()
    }
    if args.simulate:
        n_runs = int(np.prod([v.size for v in coarse.values()])) * args.seeds
        if n_runs > _MAX_RUNS:
            raise CLIError(
                f"--seeds {args.seeds}: {n_runs} simulation runs; at most {_MAX_RUNS} "
                "(lower --seeds or --sim-points)"
            )
    if store is not None:
        _check_store(store)
        try:  # a store made by another command: refused now, not after the theory
            _check_manifest(store / "theory", base, axes, prob.theory, None, None)
            if args.simulate:
                sim_axes = _validate_axes(base, coarse)
                _check_manifest(
                    store / "simulation", base, sim_axes, prob.simulation, args.seeds, args.seed
                )
        except ValueError as exc:
            raise CLIError(f"--store: {exc}") from None
    return dict(prob=prob, base=base, axes=axes, coarse=coarse, field=field, out=out, store=store)


# ------------------------------------------------------------------------------ the run


def run_phase(args: argparse.Namespace) -> int:
    """``rnmf phase MODEL ...``: theory, figure and data first, then simulations."""
    import matplotlib

    matplotlib.use("Agg")
    from .. import plotting
    from .engine import sweep

    plan = _prepare(args)
    prob, base, axes, field, out, store = (
        plan[k] for k in ("prob", "base", "axes", "field", "out", "store")
    )
    n_theory = int(np.prod([v.size for v in axes.values()]))
    progress = False if args.no_progress else None
    common = dict(executor=args.executor, scheduler=args.scheduler, n_workers=args.workers)
    boundaries = {k: v for k, v in prob.boundaries.items() if v[0] in axes}
    if args.simulate:
        n_sim = int(np.prod([v.size for v in plan["coarse"].values()]))
        est = ""
        if prob.sim_cost is not None:
            try:
                est = f", ~{_duration(n_sim * args.seeds * float(prob.sim_cost(base)))} in all"
            except Exception:  # noqa: BLE001 - an estimate only
                est = ""
        print(
            f"plan: theory on {n_theory} points, then {n_sim} simulation points x "
            f"{args.seeds} seeds{est}",
            flush=True,
        )
    if not args.no_progress:
        curves = f" and {len(boundaries)} boundary curve(s)" if boundaries else ""
        print(f"computing the theory on {n_theory} points{curves}...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    diagram = sweep(
        prob.theory,
        base,
        axes,
        vectorized=True,
        store=store / "theory" if store else None,
        boundary_fns=boundaries,
        progress=progress,
        **common,
    )
    print(repr(diagram))
    print(f"theory: {n_theory} points in {time.perf_counter() - t0:.1f} s")
    if field not in diagram.fields:
        raise CLIError(
            f"--field {field}: the {prob.name} theory gave {', '.join(diagram.fields) or 'nothing'}"
        )
    npz = out.with_suffix(".npz")
    title = prob.description

    def draw(overlay: Any = None) -> None:
        if overlay is not None and field not in overlay.fields:
            # the simulation does not measure this field: its points as plain markers
            grids = np.meshgrid(*overlay.axes.values(), indexing="ij")
            ok = overlay.ok.ravel()
            overlay = {name: g.ravel()[ok] for name, g in zip(overlay.axes, grids, strict=True)}
        fig = plotting.plot_phase(diagram, field, overlay=overlay, title=title)
        tmp = out.with_name(f".{out.stem}.tmp{out.suffix}")
        fig.savefig(tmp, dpi=130, bbox_inches="tight")
        os.replace(tmp, out)  # a reader never sees a half-written figure

    diagram.to_npz(npz)
    draw()
    print(f"figure written to {out}; data to {npz}", flush=True)
    if args.simulate:
        sim_npz = out.with_name(out.stem + "_simulation.npz")
        t1 = time.perf_counter()

        def update(partial: Any) -> None:
            draw(partial)
            n_done = int(np.count_nonzero(partial.status != "pending"))
            print(
                f"simulation: {n_done} of {partial.status.size} points done; figure updated",
                file=sys.stderr,
                flush=True,
            )

        overlay = sweep(
            prob.simulation,
            base,
            plan["coarse"],
            seeds=args.seeds,
            seed=args.seed,
            store=store / "simulation" if store else None,
            progress=progress,
            on_update=update,
            update_every=_REDRAW_EVERY,
            **common,
        )
        print(repr(overlay))
        print(
            f"simulation: {int(np.prod(overlay.shape))} points x {args.seeds} seeds in "
            f"{time.perf_counter() - t1:.1f} s"
        )
        overlay.to_npz(sim_npz)
        if field not in overlay.fields:
            print(
                f"note: the simulation does not measure {field!r} (it gives "
                f"{', '.join(overlay.fields)}); the figure marks where it ran, its values "
                "are in the simulation data",
                file=sys.stderr,
            )
        draw(overlay)
        print(f"figure updated with the simulations: {out}; simulation data: {sim_npz}")
    if diagram.n_failed:
        print(f"{diagram.n_failed} of {n_theory} theory points failed", file=sys.stderr)
    return 0 if diagram.n_failed == 0 else 1
