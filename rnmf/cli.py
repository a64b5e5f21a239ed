"""The ``rnmf`` command.

``rnmf validate`` runs the theory-vs-simulation suite, prints the table, writes
the report (markdown and figures) and exits with status 1 if a check fails.
``rnmf phase MODEL`` computes a phase diagram (:mod:`rnmf.phase._cli`).

Every argument is checked before any work starts; a bad one prints
``rnmf: error: ...`` naming the flag and exits with status 2, without a traceback
(set the environment variable ``RNMF_TRACEBACK=1`` to see one).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence

__all__ = ["main"]


def _check_validate_args(args: argparse.Namespace) -> list[str] | None:
    """Every argument of ``rnmf validate`` checked before any work; returns the suites.

    The report folder is created (to check that it is writable) only once every other
    argument is valid, so a refused command leaves nothing behind."""
    from pathlib import Path

    from .phase._cli import CLIError, _check_writable_folder
    from .validate.suites import SUITES

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CLIError(
            f"--out {out} is a file; the report is a folder (report.md and figures): "
            "give a folder name"
        )
    for flag, value, least in (("--seeds", args.seeds, 2), ("--jobs", args.jobs, 1)):
        if value is not None and value < least:
            raise CLIError(f"{flag} must be an integer >= {least}, got {value}")
    if args.seed < 0:
        raise CLIError(f"--seed must be an integer >= 0, got {args.seed}")
    suites = None
    if args.suite is not None:
        if not args.suite.strip():
            raise CLIError(
                f"--suite {args.suite!r} is empty; name suites from {', '.join(SUITES)} "
                "(comma-separated), or leave out --suite to run them all"
            )
        suites = [x.strip() for x in args.suite.split(",")]
        bad = [x for x in suites if x not in SUITES]
        if bad or not all(suites):
            raise CLIError(
                f"--suite {args.suite}: unknown suite {', '.join(map(repr, bad)) or repr('')}; "
                f"choose from {', '.join(SUITES)}"
            )
    _check_writable_folder("--out", out)
    return suites


def _cmd_validate(args: argparse.Namespace) -> int:
    suites = _check_validate_args(args)
    import matplotlib

    matplotlib.use("Agg")
    from . import validate

    t0 = time.perf_counter()

    def say(line: str) -> None:
        if not args.no_progress:
            print(f"[{time.perf_counter() - t0:6.1f} s] {line}", file=sys.stderr, flush=True)

    report = validate.run(
        quick=args.quick,
        seeds=args.seeds,
        seed=args.seed,
        jobs=args.jobs,
        finite_size=not args.no_scaling,
        figures=not args.no_figures,
        progress=say,
        suites=suites,
        long=args.long,
        known_gaps=args.known_gaps,
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
    p.add_argument("--seeds", type=int, default=None, help="networks per scenario (default 3)")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPUs, max 4)")
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    p.add_argument("--no-scaling", action="store_true", help="skip the finite-size scaling study")
    p.add_argument(
        "--no-progress", action="store_true", help="no progress lines on stderr (shown by default)"
    )
    p.add_argument(
        "--long",
        action="store_true",
        help="also run the long studies (full-scale cortical microcircuit: minutes, ~3 GB)",
    )
    p.add_argument(
        "--known-gaps",
        action="store_true",
        help="also run the rows documenting what the theory does not yet explain "
        "(they fail by design; the full-scale original microcircuit: minutes, ~3 GB)",
    )
    p.add_argument(
        "--suite",
        default=None,
        help="comma-separated suites to run: rate, lif, lowrank (default: all)",
    )
    p.set_defaults(func=_cmd_validate)

    from .phase._cli import add_phase_parser

    add_phase_parser(sub)
    from ._cli_derive import _derive_parser

    _derive_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``rnmf`` console script."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        if not exc.code:  # --help, --version: argparse's own exit
            raise
        return 2  # a usage error, already printed with the flag it concerns
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print(
            "rnmf: interrupted; with --store, run the same command again to resume",
            file=sys.stderr,
        )
        return 130
    except (ValueError, TypeError, OSError, ImportError, RuntimeError, MemoryError) as exc:
        if os.environ.get("RNMF_TRACEBACK"):
            raise
        print(f"rnmf: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: still no traceback unless asked for
        if os.environ.get("RNMF_TRACEBACK"):
            raise
        print(
            f"rnmf: error: internal error {type(exc).__name__}: {exc} (please report it; "
            "set RNMF_TRACEBACK=1 to see the traceback)",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
