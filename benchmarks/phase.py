"""Phase-diagram speed: a 100 x 100 stationary-DMFT diagram, serial vs processes vs dask.

The goal of issue 5: the (g, sigma_noise) diagram of the random rate network, with
regime labels from the sign of the DMFT Lyapunov exponent, in under 20 s on 2
cores.  Prints the wall time of each executor and its speed-up over serial, plus
the per-point cost of the scalar (non-vectorised) solver for comparison.

Run:  python benchmarks/phase.py [--n 100] [--no-dask]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from rnmf import RateNetwork  # noqa: E402
from rnmf.phase import sweep  # noqa: E402
from rnmf.phase.problems.rate import rate_simulation, rate_theory  # noqa: E402
from rnmf.theory import dmft  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100, help="grid points per axis (100)")
    ap.add_argument("--no-dask", action="store_true", help="skip the dask executor")
    ap.add_argument("--no-sim", action="store_true", help="skip the simulation sweep")
    args = ap.parse_args()
    n = args.n
    net = RateNetwork(N=1000, g=1.5)
    axes = {"g": np.linspace(0.5, 3.0, n), "sigma_noise": np.linspace(0.0, 2.0, n)}
    workers = min(os.cpu_count() or 1, 2)

    # per-point cost of the scalar solver (Delta(tau) + Schroedinger lambda_max)
    t = time.perf_counter()
    pts = [(1.2, 0.3), (2.0, 1.0), (2.7, 1.7)]
    for g, s in pts:
        dmft.solve(RateNetwork(N=1000, g=g, sigma_noise=s))
    per_point = (time.perf_counter() - t) / len(pts)

    rows = []
    t = time.perf_counter()
    ref = sweep(rate_theory, net, axes, vectorized=True, progress=False)
    t_serial = time.perf_counter() - t
    rows.append(("serial (vectorised)", t_serial, ref))
    t = time.perf_counter()
    d = sweep(
        rate_theory,
        net,
        axes,
        vectorized=True,
        executor="processes",
        n_workers=workers,
        progress=False,
    )
    rows.append((f"processes x{workers}", time.perf_counter() - t, d))
    if not args.no_dask:
        try:
            t = time.perf_counter()
            d = sweep(
                rate_theory,
                net,
                axes,
                vectorized=True,
                executor="dask",
                n_workers=workers,
                progress=False,
            )
            rows.append((f"dask LocalCluster x{workers} (incl. start)", time.perf_counter() - t, d))
        except ImportError as exc:
            print(f"dask skipped: {exc}")

    print(f"\n{n} x {n} = {n * n} points, (g, sigma_noise) plane, labels from lambda_max")
    print(f"scalar solver: {per_point:.3f} s per point -> {per_point * n * n:.0f} s for the grid")
    print(f"{'executor':<36} {'wall (s)':>9} {'vs serial':>10} {'vs scalar loop':>15} identical")
    for name, wall, diag in rows:
        same = diag.equals(ref)
        print(
            f"{name:<36} {wall:9.2f} {t_serial / wall:9.2f}x {per_point * n * n / wall:14.0f}x"
            f" {same}"
        )
    if not args.no_sim:
        _simulation_sweep(workers, not args.no_dask)
    labels, counts = np.unique(ref.fields["regime"], return_counts=True)
    print("regimes:", dict(zip(labels.tolist(), counts.tolist(), strict=True)))
    print(f"goal: < 20 s on 2 cores -> {'met' if min(r[1] for r in rows) < 20 else 'NOT met'}")


def _simulation_sweep(workers: int, dask: bool) -> None:
    """A simulation sweep (4 x 3 points x 2 seeds, N = 1000), where parallel executors pay off."""
    base = RateNetwork(N=1000, g=1.5)
    axes = {"g": np.linspace(0.8, 2.4, 4), "sigma_noise": np.linspace(0.0, 1.0, 3)}
    rows = []
    for executor in ("serial", "processes") + (("dask",) if dask else ()):
        t = time.perf_counter()
        d = sweep(
            rate_simulation,
            base,
            axes,
            seeds=2,
            seed=1,
            executor=executor,
            n_workers=workers,
            progress=False,
        )
        rows.append((executor, time.perf_counter() - t, d))
    t_serial = rows[0][1]
    print("\nsimulation sweep: 4 x 3 points x 2 seeds, N = 1000 (Delta0 + lambda_max per run)")
    print(f"{'executor':<36} {'wall (s)':>9} {'vs serial':>10} identical")
    for name, wall, d in rows:
        print(f"{name:<36} {wall:9.2f} {t_serial / wall:9.2f}x {d.equals(rows[0][2])}")


if __name__ == "__main__":
    main()
