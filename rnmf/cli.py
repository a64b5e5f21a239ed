"""The ``rnmf`` command.

``rnmf validate`` runs the theory-vs-simulation suite, prints the table, writes
the report (markdown and figures) and exits with status 1 if a check fails.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

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
    p.add_argument(
        "--seeds", type=int, default=None, help="networks per scenario (default 4; quick 3)"
    )
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPUs, max 4)")
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    p.add_argument("--no-scaling", action="store_true", help="skip the finite-size scaling study")
    p.set_defaults(func=_cmd_validate)
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
