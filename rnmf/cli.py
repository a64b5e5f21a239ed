"""The ``rnmf`` command.

``rnmf validate`` runs the theory-vs-simulation suite, prints the table, writes
the report (markdown and figures) and exits with status 1 if a check fails.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import Any

__all__ = ["main"]


def _cmd_validate(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from . import validate

    t0 = time.perf_counter()

    def say(line: str) -> None:
        print(f"[{time.perf_counter() - t0:6.1f} s] {line}", file=sys.stderr, flush=True)

    report = validate.run(
        quick=args.quick,
        seeds=args.seeds,
        seed=args.seed,
        jobs=args.jobs,
        finite_size=not args.no_scaling,
        figures=not args.no_figures,
        progress=say,
        suites=[x.strip() for x in args.suite.split(",")] if args.suite else None,
    )
    print(report.table())
    path = report.write(args.out)
    n = len(report.checks)
    print(
        f"\n{n - report.n_failed} of {n} checks passed in {time.perf_counter() - t0:.1f} s; "
        f"report written to {path}"
    )
    if not report.passed:
        print(
            "FAILED: "
            + ", ".join(f"{c.quantity} [{c.params}]" for c in report.checks if not c.passed),
            file=sys.stderr,
        )
        return 1
    return 0


def _parse_vary(text: str) -> tuple[str, Any]:
    """``NAME=start:stop:num`` (linspace) or ``NAME=v1,v2,...`` -> (name, values)."""
    import numpy as np

    name, sep, spec = text.partition("=")
    if not sep or not name:
        raise ValueError(f"--vary needs NAME=start:stop:num or NAME=v1,v2,..., got {text!r}")
    try:
        if ":" in spec:
            parts = spec.split(":")
            if len(parts) != 3:
                raise ValueError
            start, stop, num = float(parts[0]), float(parts[1]), int(parts[2])
            if num < 1:
                raise ValueError
            values = np.linspace(start, stop, num)
        else:
            values = np.array([float(v) for v in spec.split(",")])
    except ValueError:
        raise ValueError(
            f"--vary {name}: {spec!r} is not start:stop:num (num >= 1) or a comma list of numbers"
        ) from None
    return name.strip(), values


def _parse_set(text: str) -> tuple[str, Any]:
    """``NAME=VALUE`` with VALUE an int, a float or a string."""
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise ValueError(f"--set needs NAME=VALUE, got {text!r}")
    for cast in (int, float):
        try:
            return name.strip(), cast(value)
        except ValueError:
            pass
    return name.strip(), value


def _cmd_phase(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from pathlib import Path

    import numpy as np

    from . import phase, plotting
    from .phase.problems import PROBLEMS

    if args.model not in PROBLEMS:
        raise ValueError(f"unknown model {args.model!r}; available: {', '.join(PROBLEMS)}")
    prob = PROBLEMS[args.model]
    axes = dict(_parse_vary(v) for v in args.vary)
    if not axes:
        raise ValueError("give at least one --vary NAME=start:stop:num")
    base = prob.base(**dict(_parse_set(v) for v in args.set))
    boundaries = {k: v for k, v in prob.boundaries.items() if v[0] in axes}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    store = Path(args.store) if args.store else None
    common = dict(
        executor=args.executor,
        scheduler=args.scheduler,
        n_workers=args.workers,
        progress=None if not args.quiet else False,
    )
    t0 = time.perf_counter()
    diagram = phase.sweep(
        prob.theory,
        base,
        axes,
        vectorized=True,
        store=store / "theory" if store else None,
        boundary_fns=boundaries,
        **common,
    )
    print(repr(diagram))
    print(f"theory: {np.prod(diagram.shape)} points in {time.perf_counter() - t0:.1f} s")
    overlay = None
    if args.simulate:
        if prob.simulation is None:
            raise ValueError(f"model {args.model!r} has no simulation")
        coarse = {
            k: np.linspace(v[0], v[-1], min(args.sim_points, v.size)) for k, v in axes.items()
        }
        t1 = time.perf_counter()
        overlay = phase.sweep(
            prob.simulation,
            base,
            coarse,
            seeds=args.seeds,
            seed=args.seed,
            store=store / "simulation" if store else None,
            **common,
        )
        print(repr(overlay))
        print(
            f"simulation: {np.prod(overlay.shape)} points x {args.seeds} seeds in "
            f"{time.perf_counter() - t1:.1f} s"
        )
    field = args.field or prob.label_field
    fig = plotting.plot_phase(diagram, field, overlay=overlay, title=f"{prob.description}")
    fig.savefig(out, dpi=130, bbox_inches="tight")
    diagram.to_npz(out.with_suffix(".npz"))
    if overlay is not None:
        overlay.to_npz(out.with_name(out.stem + "_simulation.npz"))
    print(f"figure written to {out}; data to {out.with_suffix('.npz')}")
    return 0 if diagram.n_failed == 0 else 1


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``rnmf`` command."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="rnmf",
        description="Mean-field theory of recurrent networks, cross-validated against simulation.",
    )
    parser.add_argument("--version", action="version", version=f"rnmf {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "validate",
        help="run the theory-vs-simulation checks and write a report",
        description="Run the cross-validation suite: DMFT predictions (Delta0, Delta(tau), "
        "Delta_inf, lambda_max; continuous and discrete time; with and without noise) against "
        "simulations over several seeds. Exits 1 if any check fails.",
    )
    p.add_argument("--quick", action="store_true", help="smaller networks, shorter runs (~1 min)")
    p.add_argument("--out", default="rnmf-report", help="output folder (default: rnmf-report)")
    p.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
    p.add_argument("--seeds", type=int, default=None, help="networks per scenario (default 3)")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPUs, max 4)")
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    p.add_argument("--no-scaling", action="store_true", help="skip the finite-size scaling study")
    p.add_argument(
        "--suite",
        default=None,
        help="comma-separated suites to run: rate, lif, lowrank (default: all)",
    )
    p.set_defaults(func=_cmd_validate)

    q = sub.add_parser(
        "phase",
        help="compute a phase diagram from theory, with simulation overlays",
        description="Sweep a model's theory over a grid of parameters (vectorised), draw the "
        "regimes with the theory's transition line, and optionally overlay simulations on a "
        "coarser grid. Example: rnmf phase rate --vary g=0.5:3:101 --vary sigma_noise=0:1:51 "
        "--simulate --seeds 3 --out phase.png",
    )
    q.add_argument("model", help="model name: rate, lowrank (rank one) or lif (Brunel model A)")
    q.add_argument(
        "--vary",
        action="append",
        default=[],
        metavar="NAME=start:stop:num",
        help="a swept model field (repeat for 2-D or 3-D)",
    )
    q.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a fixed model field, e.g. --set N=2000",
    )
    q.add_argument("--field", default=None, help="field to draw (default: the regime label)")
    q.add_argument("--simulate", action="store_true", help="overlay simulations")
    q.add_argument("--seeds", type=int, default=3, help="simulations per overlay point (3)")
    q.add_argument("--seed", type=int, default=0, help="base seed of the simulations (0)")
    q.add_argument("--sim-points", type=int, default=5, help="overlay points per axis (5)")
    q.add_argument("--executor", default="serial", choices=("serial", "processes", "dask"))
    q.add_argument("--scheduler", default=None, help="dask scheduler address (default: local)")
    q.add_argument("--workers", type=int, default=None, help="worker processes")
    q.add_argument("--store", default=None, help="folder that keeps finished points (resumable)")
    q.add_argument("--quiet", action="store_true", help="no progress bar")
    q.add_argument("--out", default="phase.png", help="figure file (data next to it as .npz)")
    q.set_defaults(func=_cmd_phase)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``rnmf`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except ValueError as exc:
        print(f"rnmf: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
