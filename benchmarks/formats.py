"""Speed of the emulated number formats, as ratios measured in one run.

1. The rate simulator (:func:`rnmf.sim.simulate`) with bfloat16 / float16 storage,
   float32 accumulation and stochastic rounding against the native float32 kernel on
   the same network (goal: at most 3x the float32 time).
2. The rounding workload alone (round 10^6 float64 values to bfloat16 / float16, nearest
   and stochastic) against pychop (Carson & Chen's ``chop`` in Python; ``pip install
   pychop``), the peer library for simulating low-precision arithmetic; skipped when
   pychop is absent.

Usage: ``python benchmarks/formats.py [--N 1000] [--T 50]``.  Prints one table; all
times are the best of ``--repeat`` runs after a warm-up (numba compilation excluded).
BLAS runs on one thread (set before numpy loads) so that both simulator paths use one
core, as the emulated kernel does; the emulated run includes rounding the N x N
couplings to the weight format once.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from rnmf import sim  # noqa: E402
from rnmf.models import RateNetwork  # noqa: E402
from rnmf.sim.formats import quantize  # noqa: E402


def best_of(fn, repeat: int) -> float:
    fn()  # warm-up (compilation, caches)
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def simulator_rows(N: int, T: float, repeat: int) -> list[tuple[str, float, float]]:
    net = RateNetwork(N=N, g=1.5)
    J = sim.sample_couplings(net, 0)
    run = lambda fmt: sim.simulate(  # noqa: E731
        net, T, dt=0.05, rng=1, J=J, fmt=fmt, record_units=0, progress=False
    )
    t32 = best_of(lambda: run("float32"), repeat)
    rows = [("simulate float32 (native, BLAS)", t32, 1.0)]
    for fmt in ("bf16-sr", "fp16-sr", "bf16"):
        t = best_of(lambda f=fmt: run(f), repeat)
        rows.append((f"simulate {fmt} (float32 accumulation)", t, t / t32))
    return rows


def rounding_rows(n: int, repeat: int) -> list[tuple[str, float, float]]:
    try:
        from pychop import Chop
    except ImportError:
        return [("pychop not installed: rounding comparison skipped", np.nan, np.nan)]
    x = np.random.default_rng(0).standard_normal(n) * 10.0
    rows = []
    for name, (e, t) in (("bfloat16", (8, 7)), ("float16", (5, 10))):
        for mode, rmode in (("nearest", 1), ("stochastic", 5)):
            ours = best_of(
                lambda nm=name, md=mode: quantize(
                    x, nm + ("-sr" if md == "stochastic" else ""), seed=1
                ),
                repeat,
            )
            ch = Chop(exp_bits=e, sig_bits=t, rmode=rmode)
            peer = best_of(lambda c=ch: c(x), repeat)
            rows.append(
                (f"round 1e{int(np.log10(n))} to {name} {mode}: rnmf / pychop", ours, ours / peer)
            )
    return rows


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--N", type=int, default=1000)
    ap.add_argument("--T", type=float, default=50.0)
    ap.add_argument("--n-round", type=int, default=10**6)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    rows = simulator_rows(args.N, args.T, args.repeat) + rounding_rows(args.n_round, args.repeat)
    print(f"{'case':<62} {'time (s)':>10} {'ratio':>8}")
    for name, t, r in rows:
        print(f"{name:<62} {t:>10.4f} {r:>8.3f}")
    print(
        "ratios: simulator rows vs native float32 (goal <= 3); rounding rows rnmf / pychop (< 1: faster)"
    )


if __name__ == "__main__":
    main()
