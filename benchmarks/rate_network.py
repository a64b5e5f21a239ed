"""Speed of the dense rate-network simulator against a NumPy/BLAS loop and the memory bound.

One Euler step of ``x += dt * (-x + J @ tanh(x))`` reads all of ``J`` once, so a
single trajectory is bounded by memory bandwidth: ``bound = bandwidth / (itemsize N^2)``
steps per second.  This script measures, in one run and on one BLAS thread:

* the bandwidth (a large ``np.copyto``, read + write counted),
* the plain NumPy loop (OpenBLAS gemv through ``J @ np.tanh(x)``),
* ``rnmf.sim.simulate`` (numba kernel, gemv inside the compiled loop), recording
  nothing but the population moments every 100 steps, and with the default
  recording (200 units and the moments every step),

for N = 1000 and 4000 in float64 and float32, and prints steps/s with the ratios
sim / BLAS loop and sim / bound.

Usage: ``python benchmarks/rate_network.py [--quick]``.
"""

from __future__ import annotations

import os

# one BLAS thread, set before NumPy (and its OpenBLAS) is imported
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from rnmf.models import RateNetwork  # noqa: E402
from rnmf.sim import sample_couplings, simulate  # noqa: E402


def bandwidth(nbytes: int, repeats: int = 5) -> float:
    """Bytes per second of ``np.copyto`` (read + write counted), best of ``repeats``."""
    src = np.ones(nbytes // 8)
    dst = np.empty_like(src)
    np.copyto(dst, src)
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - t0)
    return 2 * src.nbytes / best


def numpy_loop(J: np.ndarray, x0: np.ndarray, n_steps: int, dt: float) -> float:
    """Steps/s of the plain loop ``x += dt * (-x + J @ np.tanh(x))``."""
    x = x0.copy()
    d = J.dtype.type(dt)
    t0 = time.perf_counter()
    for _ in range(n_steps):
        x += d * (-x + J @ np.tanh(x))
    return n_steps / (time.perf_counter() - t0)


def sim_rate(
    net: RateNetwork, J: np.ndarray, n_steps: int, dt: float, fmt: str, full: bool
) -> float:
    """Steps/s of rnmf.sim.simulate (J given, so sampling is not timed)."""
    kw = {} if full else {"record_units": 0, "record_every": 100}
    t0 = time.perf_counter()
    simulate(net, n_steps * dt, dt=dt, rng=1, J=J, fmt=fmt, **kw)
    return n_steps / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, short runs")
    parser.add_argument("--repeats", type=int, default=5, help="best of this many runs")
    args = parser.parse_args()

    sizes = (500, 1000) if args.quick else (1000, 4000)
    bw_bytes = (256 if args.quick else 1024) * 2**20
    dt = 0.05
    bw = bandwidth(bw_bytes)
    print(f"machine: {platform.machine()} {platform.processor() or ''}, numpy {np.__version__}")
    print(
        f"memory bandwidth (np.copyto of {bw_bytes / 2**20:.0f} MiB, read+write): {bw / 1e9:.1f} GB/s"
    )
    print("BLAS threads: 1 (OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=1)\n")

    header = (
        f"{'N':>6} {'fmt':>8} {'numpy loop':>11} {'sim':>9} {'sim+rec':>9} {'bound':>9} "
        f"{'sim/loop':>9} {'rec/loop':>9} {'sim/bound':>10} {'loop/bound':>11}"
    )
    print("steps per second")
    print(header)
    print("-" * len(header))
    for N in sizes:
        net = RateNetwork(N, 2.0)
        J64 = sample_couplings(net, 0)
        x0 = np.random.default_rng(1).standard_normal(N)
        target_s = 0.2 if args.quick else 0.6
        for fmt in ("float64", "float32"):
            J = J64 if fmt == "float64" else J64.astype(np.float32)
            itemsize = J.itemsize
            bound = bw / (itemsize * N * N)
            # warm up (numba compile/cache load, caches), then size the runs
            sim_rate(net, J, 20, dt, fmt, False)
            sim_rate(net, J, 20, dt, fmt, True)
            rate0 = numpy_loop(J, x0.astype(J.dtype), 50, dt)
            n_steps = max(50, int(target_s * rate0))
            # interleaved repeats, best of each: robust against load from other processes
            loop = s = sr = 0.0
            for _ in range(args.repeats):
                loop = max(loop, numpy_loop(J, x0.astype(J.dtype), n_steps, dt))
                s = max(s, sim_rate(net, J, n_steps, dt, fmt, False))
                sr = max(sr, sim_rate(net, J, n_steps, dt, fmt, True))
            print(
                f"{N:>6} {fmt:>8} {loop:>11.0f} {s:>9.0f} {sr:>9.0f} {bound:>9.0f} "
                f"{s / loop:>9.2f} {sr / loop:>9.2f} {s / bound:>10.2f} {loop / bound:>11.2f}"
            )
    print(
        "\nsim: moments every 100 steps, no units recorded; sim+rec: default recording "
        "(200 units + moments every step).\nRatios > 1 in sim/loop mean the simulator is faster "
        "than the NumPy loop; bound uses the measured bandwidth (J read once per step)."
    )


if __name__ == "__main__":
    main()
