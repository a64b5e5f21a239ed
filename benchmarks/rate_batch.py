"""Batched trials of the rate network: one read of the couplings for many trials (issue 14).

64 trials (initial conditions) of one dense network at N = 1000 (float64, tanh, Euler):

* ``batched``: :func:`rnmf.sim.rate_populations.simulate_rate_populations` with ``trials=64``
  (one gemm (N, N) x (N, 64) per step inside the numba kernel, population moments recorded
  every step); ``batched, lean``: the same recording the moments once at the end;
* ``one-at-a-time``: :func:`rnmf.sim.simulate` run trial after trial (one gemv per step);
* ``numpy-batched``: the plain NumPy/BLAS loop ``X = a X + b (J @ tanh(X))`` on the same
  (N, 64) block;
* ``gemm bound``: the same gemm alone, repeated (the compute bound of a step: 2 N^2 B flops);
* ``machine bounds``: the memory bound of a one-at-a-time step (8 N^2 bytes of J streamed per
  gemv, at the bandwidth of a copy of an array of J's size, i.e. from cache when J fits) and the compute bound of a batched step
  (2 N^2 B flops at the flop rate of a large square gemm); their ratio is the most batching
  can give on this machine;
* ``float32``: the batched run and the gemm in single precision (half the bytes, twice the
  SIMD width).

Printed: trial-steps per second of each, and the ratios batched / one-at-a-time (goal >= 5),
batched / numpy-batched (goal >= 1/1.3) and batched / gemm bound.  One BLAS thread.  The
machine may be shared: each timing is the best of ``--repeats`` runs.

Usage: ``python benchmarks/rate_batch.py [--quick] [--N 1000] [--trials 64] [--threads 1]``.
"""

from __future__ import annotations

import os
import sys

_threads = "1"
if "--threads" in sys.argv:
    _threads = sys.argv[sys.argv.index("--threads") + 1]
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = _threads

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from rnmf.models import RateNetwork, RatePopulationNetwork  # noqa: E402
from rnmf.sim import simulate  # noqa: E402
from rnmf.sim.rate_populations import simulate_rate_populations  # noqa: E402


def best(fn, repeats: int) -> float:
    t = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        t = min(t, time.perf_counter() - t0)
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer steps (smoke run)")
    ap.add_argument("--N", type=int, default=1000)
    ap.add_argument("--trials", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", default="1", help="BLAS/numba threads (set before import)")
    args = ap.parse_args()
    N, B = args.N, args.trials
    n_steps = 40 if args.quick else 200
    n_single = 4 if args.quick else 16  # single runs timed (rate per trial-step is what counts)
    dt = 0.05
    T = n_steps * dt
    r = RateNetwork(N=N, g=2.0)
    net = RatePopulationNetwork.from_rate_network(r)
    gen = np.random.default_rng(0)
    J = gen.standard_normal((N, N)) * (2.0 / np.sqrt(N))
    X0 = gen.standard_normal((1, N, B))

    # warm up the kernels
    simulate_rate_populations(
        net, 2 * dt, rng=1, trials=B, J=J[None], x0=X0, progress=False, record_units=0
    )
    simulate(r, 2 * dt, rng=1, J=J, x0=X0[0, :, 0], progress=False, record_units=0)

    t_batch = best(lambda: simulate_rate_populations(net, T, rng=1, trials=B, J=J[None], x0=X0,
                                                    progress=False, record_units=0), args.repeats)  # fmt: skip
    t_batch_lean = best(lambda: simulate_rate_populations(net, T, rng=1, trials=B, J=J[None], x0=X0,
                        progress=False, record_units=0, record_every=n_steps), args.repeats)  # fmt: skip

    def singles() -> None:
        for b in range(n_single):
            simulate(r, T, rng=1, J=J, x0=X0[0, :, b], progress=False, record_units=0)

    t_single = best(singles, max(1, args.repeats - 1)) / n_single * B

    def numpy_batched() -> None:
        X = X0[0].copy()
        for _ in range(n_steps):
            H = J @ np.tanh(X)
            X *= 1.0 - dt
            X += dt * H

    t_np = best(numpy_batched, args.repeats)
    R = np.tanh(X0[0])
    H = np.empty_like(R)

    def gemm_only() -> None:
        for _ in range(n_steps):
            np.dot(J, R, out=H)

    t_gemm = best(gemm_only, args.repeats)
    J32, R32 = J.astype(np.float32), R.astype(np.float32)
    H32 = np.empty_like(R32)

    def gemm32() -> None:
        for _ in range(n_steps):
            np.dot(J32, R32, out=H32)

    t_gemm32 = best(gemm32, args.repeats)
    t_batch32 = best(lambda: simulate_rate_populations(net, T, rng=1, trials=B, J=J[None], x0=X0,
                     progress=False, record_units=0, fmt="float32"), args.repeats)  # fmt: skip

    def singles32() -> None:
        for b in range(n_single):
            simulate(
                r, T, rng=1, J=J, x0=X0[0, :, b], progress=False, record_units=0, fmt="float32"
            )

    simulate(r, 2 * dt, rng=1, J=J, x0=X0[0, :, 0], progress=False, record_units=0, fmt="float32")
    t_single32 = best(singles32, max(1, args.repeats - 1)) / n_single * B
    v = np.ones(N)

    def gemv_only() -> None:
        for _ in range(n_steps):
            J @ v

    t_gemv = best(gemv_only, args.repeats)
    # machine bounds: bandwidth of a large copy (read + write), flop rate of a square gemm
    big = np.ones(N * N)  # the size of J: cache-resident when J is (8 MB at N = 1000)
    dst = np.empty_like(big)
    t_copy = best(lambda: np.copyto(dst, big), args.repeats)
    bw = 2 * big.nbytes / t_copy
    S = np.ones((1024, 1024))
    t_sq = best(lambda: S @ S, args.repeats)
    peak = 2.0 * 1024**3 / t_sq
    ts = n_steps * B
    rate = {k: ts / v for k, v in
            (("batched", t_batch), ("batched, lean", t_batch_lean), ("one-at-a-time", t_single), ("numpy-batched", t_np), ("gemm bound", t_gemm))}  # fmt: skip
    print(f"N = {N}, trials = {B}, steps = {n_steps}, float64, tanh, Euler, 1 BLAS thread")
    for k, v in rate.items():
        print(f"  {k:<14} {v:12.0f} trial-steps/s")
    flops = 2.0 * N * N * B * n_steps / t_gemm
    print(f"  gemm alone: {flops / 1e9:.2f} GFLOP/s")
    for k in ("batched", "batched, lean"):
        print(f"  [{k}] / one-at-a-time = {rate[k] / rate['one-at-a-time']:.2f}  (goal >= 5)")
        print(
            f"  [{k}] / numpy-batched = {rate[k] / rate['numpy-batched']:.2f}  (goal >= 0.77: within 1.3x)"
        )
        print(f"  [{k}] / gemm bound    = {rate[k] / rate['gemm bound']:.2f}")
    print(
        f"  gemm bound / one-at-a-time = {rate['gemm bound'] / rate['one-at-a-time']:.2f}  (the most batching can give here)"
    )
    mem_single = bw / (8.0 * N * N)  # trial-steps/s of a gemv streaming J at copy bandwidth
    cpu_batch = peak / (2.0 * N * N)  # trial-steps/s of a batched step at the square-gemm rate
    print(f"  machine: copy bandwidth {bw / 1e9:.1f} GB/s, square gemm {peak / 1e9:.1f} GFLOP/s")
    g1 = n_steps / t_gemv  # one trial per gemv
    print(f"  gemv alone              {g1:12.0f} trial-steps/s = {g1 / mem_single:.2f} x the memory bound "
          f"{mem_single:.0f} ({2e-9 * N * N * g1:.2f} GFLOP/s; gemm at B = {B}: {flops / 1e9:.2f})")  # fmt: skip
    print(
        f"  one-at-a-time run       = {rate['one-at-a-time'] / mem_single:.2f} x the memory bound"
    )
    print(
        f"  batched run             = {rate['batched'] / cpu_batch:.2f} x the compute bound {cpu_batch:.0f}"
    )
    print(f"  gemm (N, N) x (N, {B})   = {rate['gemm bound'] / cpu_batch:.2f} x the compute bound")
    print(
        f"  compute bound / memory bound = {cpu_batch / mem_single:.2f}  (the ceiling of batching here)"
    )
    print(f"  float32: batched {ts / t_batch32:.0f} trial-steps/s ({t_batch / t_batch32:.2f} x float64), "
          f"gemm {ts / t_gemm32:.0f} ({t_gemm / t_gemm32:.2f} x float64); "
          f"one-at-a-time {ts / t_single32:.0f}; float32 batched / one-at-a-time float32 = "
          f"{t_single32 / t_batch32:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
