"""Batched trials of the rate network: one read of the couplings for many trials (issue 14).

64 trials (initial conditions) of one dense network at N = 1000 (float64, tanh, Euler):

* ``batched``: :func:`rnmf.sim.rate_populations.simulate_rate_populations` with ``trials=64``
  (one gemm (N, N) x (N, 64) per step inside the numba kernel, population moments recorded
  every step); ``batched, lean``: the same recording the moments once at the end;
* ``one-at-a-time``: :func:`rnmf.sim.simulate` run trial after trial (one gemv per step);
* ``numpy-batched``: the plain NumPy/BLAS loop ``X = a X + b (J @ tanh(X))`` on the same
  (N, 64) block;
* ``gemm bound``: the same gemm alone, repeated (the compute bound of a step: 2 N^2 B flops).

Printed: trial-steps per second of each, and the ratios batched / one-at-a-time (goal >= 5),
batched / numpy-batched (goal >= 1/1.3) and batched / gemm bound.  One BLAS thread.  The
machine may be shared: each timing is the best of ``--repeats`` runs.

Usage: ``python benchmarks/rate_batch.py [--quick] [--N 1000] [--trials 64]``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

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


if __name__ == "__main__":
    main()
