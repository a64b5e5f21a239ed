"""Held-back comparison of rnmf with NNMT 1.3.0's own test fixtures.

NNMT (Layer et al. 2022, Front Neuroinform 16:835657) ships the numbers its test-suite
checks as HDF5 files under ``tests/fixtures``.  This script reads every fixture that rnmf
can express from an NNMT checkout, recomputes it with rnmf's public functions (and three
private ones where no public entry takes NNMT's inputs: ``_cross_spectra``, the spectra of
a given ``M``, and ``_siegert_and_derivatives`` / ``_taylor_and_derivatives``, the analytic
rate derivatives) and prints the largest relative error per fixture group.  Which
fixtures exist, which rnmf can express and why the others are left out is listed in
``docs/guide/nnmt_fixtures.md``, together with the table this script printed.

Held back: the comparison is made against fixture groups that rnmf's tests do not pin
(a few values of four groups are test oracles in ``tests/theory/test_microcircuit*.py``;
they are recomputed here with the rest).  A difference is reported, not tuned away.

Why a benchmark script and not a test: the fixtures are NNMT's files, not the project's,
and reading them needs h5py, which rnmf does not depend on.  A test that skips in every
CI run proves nothing; the values that should guard rnmf's code are already copied, with
their source, into the tests.  This script is the full sweep, run by hand.

    git clone --branch v1.3.0 https://github.com/INM-6/nnmt /tmp/nnmt
    python benchmarks/nnmt_fixtures.py --nnmt-checkout /tmp/nnmt \\
        [--h5-python /tmp/nnmtvenv/bin/python] [--json out.json]

``--h5-python`` names an interpreter with h5py (NNMT's own virtual environment has it);
it converts the HDF5 files to a NumPy archive in a temporary folder.  Default: this
interpreter.

Relative error: ``max |rnmf - nnmt| / max(|nnmt|, 1e-12 max|nnmt|)`` over the entries of
a fixture (element-wise, with a floor for exact zeros); units are converted from NNMT's
SI (V, s) to rnmf's mV and ms.  NNMT's transfer functions leave out the refractory factor
rnmf's carry; they are compared directly (differs by design) and carried over through the
closed-form relation of ``benchmarks/_nnmt_convert.py``.

Modules: ``_nnmt_io`` (reading the fixtures, error measure, registry), ``_nnmt_convert``
(units, networks, the transfer-function relation), ``_nnmt_single`` (single neurons),
``_nnmt_network`` (networks, linear response), ``_nnmt_microcircuit`` (``std_results.h5``,
Bos et al. 2016, legacy fixtures).  This file runs them in that order.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
from pathlib import Path

# importing the comparison modules registers their comparisons
import _nnmt_microcircuit
import _nnmt_network
import _nnmt_single
from _nnmt_io import COMPARISONS, Fixtures, Row, load

#: modules in the order their comparisons run (each in its own definition order)
MODULES = (_nnmt_single, _nnmt_network, _nnmt_microcircuit)


# ------------------------------------------------------------------ driver
def run(fx: Fixtures) -> list[Row]:
    rows: list[Row] = []
    order = [m.__name__ for m in MODULES]
    for files, fn in sorted(COMPARISONS, key=lambda c: order.index(c[1].__module__)):
        try:
            for r in fn(fx):
                rows.append(r)
        except Exception as e:  # report, never hide: the row says what failed
            rows.append(
                Row(
                    ", ".join(Path(f).name for f in files),
                    fn.__name__,
                    "-",
                    math.nan,
                    f"runner stopped: {type(e).__name__}: {str(e)[:120]}",
                )
            )
    return rows


def table(rows: list[Row]) -> str:
    lines = [
        "| fixture (file / group) | quantity | rnmf | max rel. error | note |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        e = "nan" if math.isnan(r.error) else f"{r.error:.1e}"
        lines.append(f"| {r.fixture} | {r.quantity} | `{r.function}` | {e} | {r.note} |")
    return "\n".join(lines)


def summary(rows: list[Row]) -> str:
    """One line per fixture file and group (eigenmodes merged) and note: the largest
    error of the quantities that share them."""
    merged: dict[tuple[str, str], list[Row]] = {}
    for r in rows:
        merged.setdefault((r.fixture.split(" / mode ")[0], r.note), []).append(r)
    lines = ["| fixture (file / group) | quantities | max error | note |", "|---|---|---|---|"]
    for (fixture, note), rs in merged.items():
        errs = [r.error for r in rs if not math.isnan(r.error)]
        e = f"{max(errs):.1e}" if errs else "nan"
        qs = ", ".join(dict.fromkeys(r.quantity for r in rs))
        lines.append(f"| {fixture} | {qs} | {e} | {note} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--nnmt-checkout", default="/tmp/nnmt", type=Path)
    p.add_argument(
        "--h5-python", default=sys.executable, help="an interpreter with h5py (default: this one)"
    )
    p.add_argument("--full", action="store_true", help="one row per quantity")
    p.add_argument("--json", default=None)
    a = p.parse_args(argv)
    files = sorted({f for fs, _ in COMPARISONS for f in fs})
    try:
        fx = load(a.nnmt_checkout, a.h5_python, files)
    except FileNotFoundError as e:
        p.error(f"{str(e)[:200]}... (pass --nnmt-checkout: an NNMT 1.3.0 source checkout)")
    rows = run(fx)
    print(table(rows) if a.full else summary(rows))
    if a.json:
        Path(a.json).write_text(json.dumps([dataclasses.asdict(r) for r in rows], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
