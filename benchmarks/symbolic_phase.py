"""Timings of the Wilson–Cowan phase diagram from derived conditions (issue 13).

* ``rnmf phase wilson-cowan --vary I_E=-2:6:200 --vary I_I=-8:2:200``: 40 000 grid points
  (every fixed point and its eigenvalues at each, by the nullcline scan of
  :class:`rnmf.theory.symbolic.nullcline.NullclineScan`) and the seven boundary curves
  (saddle-node and Hopf, located on the augmented systems), as a user runs it, wall and CPU
  time of the child process; then the same with simulation overlays (``--simulate
  --sim-points 8``: 64 ODE points, four runs each).
* The fixed-point solver alone on an n x n grid, in the same run: the nullcline scan
  (``solve_grid(method="nullcline")``) against the multi-start search with continuation
  (``method="search"``), with the fixed-point counts of both compared point by point.
* The old per-point path against the new one through :func:`rnmf.phase.sweep` on a 30 x 30
  grid, in the same run: before, the engine's check of every grid point built the sympy
  model (``WilsonCowanParams.__post_init__``) and the theory ran the multi-start search;
  both are reproduced here (``_OldParams``, ``old_theory``).

Usage: ``python benchmarks/symbolic_phase.py [--quick]`` (``--quick``: 60 x 60 CLI grid, no
simulation).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from rnmf.models.populations import wilson_cowan  # noqa: E402
from rnmf.phase import sweep  # noqa: E402
from rnmf.phase.problems.populations import WilsonCowanParams, populations_theory  # noqa: E402
from rnmf.theory.symbolic.grid import (  # noqa: E402
    _model_of,
    _prepared,
    _scan_of,
    phase_function,
    solve_grid,
)


class _OldParams(WilsonCowanParams):
    """The check of the previous version: every construction builds the sympy model."""

    def __post_init__(self) -> None:
        self.population_model()


def old_theory(p, params):
    """The previous theory: every fixed point by the multi-start search."""
    pm = _model_of(p)
    fp = solve_grid(pm, {k: v for k, v in params.items() if k in pm.params}, method="search")
    return {"regime": fp.regime(), "n_fixed_points": fp.count.astype(float)}


old_theory.vectorized = True
old_theory.min_chunk = 256


def bench_sweep(n: int) -> None:
    axes = {"I_E": np.linspace(-2, 6, n), "I_I": np.linspace(-8, 2, n)}
    phase_function()(WilsonCowanParams(), {"I_E": axes["I_E"][:2], "I_I": axes["I_I"][:2]})
    t0 = time.process_time()
    new = sweep(populations_theory, WilsonCowanParams(), axes, progress=False)
    t_new = time.process_time() - t0
    t0 = time.process_time()
    old = sweep(old_theory, _OldParams(), axes, progress=False)
    t_old = time.process_time() - t0
    same = int(np.sum(new.fields["regime"] == old.fields["regime"]))
    print(f"sweep {n} x {n} (no boundary curves): new path {t_new:.2f} s CPU, old per-point "
          f"path {t_old:.2f} s CPU, ratio {t_old / t_new:.0f}x; regimes agree at "
          f"{same}/{n * n}")  # fmt: skip


def run_cli(n: int, simulate: bool) -> tuple[float, float]:
    """Wall and CPU seconds of ``rnmf phase wilson-cowan`` on an n x n grid."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "rnmf.cli", "phase", "wilson-cowan",
               "--vary", f"I_E=-2:6:{n}", "--vary", f"I_I=-8:2:{n}",
               "--out", os.path.join(tmp, "wc.png"), "--no-progress"]  # fmt: skip
        if simulate:
            cmd += ["--simulate", "--sim-points", "8"]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if out.returncode != 0:
            raise RuntimeError(out.stderr[-2000:])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def bench_solver(n: int) -> None:
    model = wilson_cowan()
    _prepared(model)
    _scan_of(model)  # build the lambdified functions once (as a sweep does)
    IE, II = np.meshgrid(np.linspace(-2, 6, n), np.linspace(-8, 2, n), indexing="ij")
    grid = {"I_E": IE.ravel(), "I_I": II.ravel()}
    t0 = time.process_time()
    new = solve_grid(model, grid, method="nullcline")
    t_new = time.process_time() - t0
    t0 = time.process_time()
    old = solve_grid(model, grid, method="search")
    t_old = time.process_time() - t0
    agree = int(np.sum(new.count == old.count))
    print(f"fixed points on {n} x {n}: nullcline scan {t_new:.2f} s CPU, multi-start search "
          f"{t_old:.2f} s CPU, ratio {t_old / t_new:.1f}x; counts agree at {agree}/{n * n} "
          f"points, count uncertain at {int(new.uncertain.sum())}")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    n = 60 if args.quick else 200
    bench_solver(40 if args.quick else 60)
    bench_sweep(12 if args.quick else 30)
    wall, cpu = run_cli(n, simulate=False)
    print(f"rnmf phase wilson-cowan {n} x {n} (theory + 7 boundary curves): "
          f"{wall:.1f} s wall, {cpu:.1f} s CPU")  # fmt: skip
    if not args.quick:
        wall, cpu = run_cli(n, simulate=True)
        print(f"  with --simulate --sim-points 8 (64 ODE points): {wall:.1f} s wall, "
              f"{cpu:.1f} s CPU")  # fmt: skip


if __name__ == "__main__":
    main()
