"""Timings of the low-rank module: the rank-one phase diagram and the O(N R) simulator.

* ``rnmf.theory.lowrank.phase_diagram`` on a 100 x 100 grid in (g, M_m M_n) with the four
  boundary curves (Mastrogiuseppe & Ostojic 2018 Fig. 1 loadings M_m = 1.1, S_m = 1),
  one process (target: under 30 s on 2 cores), and the boundary values at M_m M_n = 2.2
  against docs/references.md sec. 4 (g_C = 1.7959, g_BB = 2.1358).
* ``rnmf.sim.lowrank.simulate_lowrank`` of a purely low-rank network (g = 0, rank one,
  tanh) with N = 100 000, and with a dense bulk at N = 2000, each against a plain NumPy
  loop doing the same step (``x = a x + b (G @ tanh(x) + m (n @ tanh(x)) / N)``) in the
  same run (one BLAS thread).

Usage: ``python benchmarks/lowrank_phase.py [--quick]``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from rnmf.models import LowRankNetwork  # noqa: E402
from rnmf.sim.lowrank import simulate_lowrank  # noqa: E402
from rnmf.theory import lowrank  # noqa: E402


def bench_phase(n: int) -> None:
    g = np.linspace(0.02, 3.0, n)
    s = np.linspace(0.02, 4.0, n)
    lowrank.phase_diagram(g[:3], s[:3], n_boundary=3)  # warm caches (quadrature nodes)
    t0 = time.perf_counter()
    pd = lowrank.phase_diagram(g, s, M_m=1.1, S_m=1.0, n_boundary=60)
    el = time.perf_counter() - t0
    counts = {name: int(np.sum(pd.labels == i)) for i, name in enumerate(pd.phases)}
    print(f"phase_diagram {n} x {n} grid + 4 boundary curves (60 points): {el:.2f} s")
    print(f"  points per phase: {counts}")
    gC = lowrank.critical_g_chaos(2.2)[0]
    gBB = lowrank.critical_g_bistable_chaos(2.2)[0]
    print(f"  g_C(2.2) = {gC:.6f} (ref 1.7959), g_BB(2.2) = {gBB:.6f} (ref 2.1358)")


def bench_sim(N: int, g: float, steps: int) -> None:
    net = LowRankNetwork.rank_one(N=N, g=g, M_m=1.1, M_n=2.0, S_m=1.0)
    dt = 0.1
    simulate_lowrank(net, 1.0, dt=dt, rng=0)  # compile
    t0 = time.perf_counter()
    simulate_lowrank(net, steps * dt, dt=dt, rng=0, record_every=100, record_units=0)
    el = time.perf_counter() - t0
    rate = steps / el
    line = f"simulate_lowrank N = {N}, g = {g}: {rate:,.0f} steps/s"
    rng = np.random.default_rng(0)
    m, n, _ = net.sample_loadings(rng)
    m, n = m[:, 0], n[:, 0]
    G = g / np.sqrt(N) * rng.standard_normal((N, N)) if g > 0 else None
    x = rng.standard_normal(N)
    a, b = np.exp(-dt), 1 - np.exp(-dt)
    t0 = time.perf_counter()
    for _ in range(steps):
        r = np.tanh(x)
        h = m * (n @ r / N)
        if G is not None:
            h += G @ r
        x = a * x + b * h
    ref = steps / (time.perf_counter() - t0)
    line += f" (NumPy loop {ref:,.0f} steps/s, ratio {rate / ref:.2f})"
    print(line)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="smaller grid and runs")
    args = ap.parse_args()
    bench_phase(30 if args.quick else 100)
    bench_sim(100_000, 0.0, 200 if args.quick else 2000)
    bench_sim(2000, 1.0, 100 if args.quick else 1000)


if __name__ == "__main__":
    main()
