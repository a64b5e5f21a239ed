"""rnmf's Loihi 1 preset against lava-nc's bit-accurate process models, bit for bit.

lava-nc 0.10 needs Python < 3.11, so it runs in its own virtual environment:

    python3.10 -m venv lava310 && lava310/bin/pip install lava-nc
    RNMF_LAVA_PYTHON=lava310/bin/python python benchmarks/loihi_vs_lava.py --networks 20 --steps 1000

This script draws random networks (10-200 neurons, mixed / excitatory / inhibitory
weights, random decays, thresholds, biases, weight exponents and precisions, random
initial states), writes them to an npz, runs ``benchmarks/_lava_runner.py`` in the lava
environment (LIF + Dense with ``Loihi1SimCfg(select_tag="bit_accurate_loihi")``), runs
:func:`rnmf.sim.loihi.simulate_loihi` on the same networks and compares u, v and the
spikes of every neuron at every step.  Exit status 0 when all are identical.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np

from rnmf.sim.loihi import simulate_loihi

HERE = pathlib.Path(__file__).resolve().parent


def draw_networks(n_networks: int, n_steps: int, seed: int, n_min: int = 10, n_max: int = 200):
    """Random Loihi networks as a dict of arrays keyed ``n{k}_{field}``."""
    rng = np.random.default_rng(seed)
    d = {}
    for k in range(n_networks):
        n = int(rng.integers(n_min, n_max + 1))
        kind = ("mixed", "mixed", "excitatory", "inhibitory")[k % 4]
        density = rng.uniform(0.05, 0.5)
        W = rng.integers(-256, 256, (n, n)) * (rng.random((n, n)) < density)
        if kind == "excitatory":
            W = np.abs(W) // 4
        elif kind == "inhibitory":
            W = -np.abs(W)
        # every fifth network drives u past 24 bits (wraps) and v into saturation
        strong = k % 5 == 2
        if strong:
            W = rng.integers(150, 256, (n, n)) * (rng.random((n, n)) < 0.8)
        d[f"n{k}_weights"] = W
        d[f"n{k}_du"] = np.array(0 if strong else int(rng.integers(0, 4096)))
        d[f"n{k}_dv"] = np.array(int(rng.integers(0, 4096)))
        vth_hi = 2**17 if strong else 500
        d[f"n{k}_vth"] = np.array(int(rng.integers(1, vth_hi)))
        d[f"n{k}_bias_mant"] = rng.integers(-200, 4096, n)
        d[f"n{k}_bias_exp"] = rng.integers(0, 8, n) if strong else rng.integers(0, 4, n)
        d[f"n{k}_weight_exp"] = np.array(
            int(rng.integers(4, 8)) if strong else int(rng.integers(-3, 3))
        )
        d[f"n{k}_num_weight_bits"] = np.array(int(rng.integers(1, 9)))
        d[f"n{k}_u0"] = rng.integers(-(2**20), 2**20, n)
        d[f"n{k}_v0"] = rng.integers(-(2**20), 2**20, n)
        d[f"n{k}_n_steps"] = np.array(n_steps)
    return d


def run_rnmf(d: dict, k: int):
    p = lambda name: d[f"n{k}_{name}"]  # noqa: E731
    return simulate_loihi(
        p("weights"),
        int(p("n_steps")),
        du=int(p("du")),
        dv=int(p("dv")),
        vth=int(p("vth")),
        bias_mant=p("bias_mant"),
        bias_exp=p("bias_exp"),
        weight_exp=int(p("weight_exp")),
        num_weight_bits=int(p("num_weight_bits")),
        u0=p("u0"),
        v0=p("v0"),
    )


def compare(n_networks: int, n_steps: int, seed: int, python: str, n_max: int = 200) -> list[dict]:
    """Run both sides and return one row per network."""
    d = draw_networks(n_networks, n_steps, seed, n_max=n_max)
    with tempfile.TemporaryDirectory() as tmp:
        fin, fout = pathlib.Path(tmp, "in.npz"), pathlib.Path(tmp, "out.npz")
        np.savez(fin, **d)
        t0 = time.perf_counter()
        proc = subprocess.run(
            [python, str(HERE / "_lava_runner.py"), str(fin), str(fout)],
            capture_output=True,
            text=True,
        )
        t_lava = time.perf_counter() - t0
        if proc.returncode != 0:
            raise RuntimeError(f"the lava runner failed:\n{proc.stderr[-3000:]}")
        lava = dict(np.load(fout))
    rows = []
    t_rnmf = 0.0
    for k in range(n_networks):
        t0 = time.perf_counter()
        r = run_rnmf(d, k)
        t_rnmf += time.perf_counter() - t0
        lu, lv, ls = lava[f"n{k}_u"], lava[f"n{k}_v"], lava[f"n{k}_s"].astype(bool)
        rows.append(
            {
                "n": r.u.shape[1],
                "steps": r.u.shape[0],
                "u_equal": bool(np.array_equal(lu, r.u)),
                "v_equal": bool(np.array_equal(lv, r.v)),
                "spikes_equal": bool(np.array_equal(ls, r.spikes)),
                "spikes": int(r.spikes.sum()),
                "wraps": r.n_wrap_u,
                "saturations": r.n_sat_v,
                "first_diff": int(np.argmax(np.any((lu != r.u) | (lv != r.v), axis=1)))
                if not (np.array_equal(lu, r.u) and np.array_equal(lv, r.v))
                else -1,
            }
        )
    rows.append({"t_lava": t_lava, "t_rnmf": t_rnmf})
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--networks", type=int, default=20)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--python", default=os.environ.get("RNMF_LAVA_PYTHON"))
    args = ap.parse_args(argv)
    if not args.python:
        print("set RNMF_LAVA_PYTHON (or --python) to the python of a lava-nc 0.10 environment")
        return 2
    rows = compare(args.networks, args.steps, args.seed, args.python)
    times = rows.pop()
    print(
        f"{'net':>4} {'n':>4} {'steps':>6} {'u':>3} {'v':>3} {'s':>3} {'spikes':>8} {'wraps':>6} {'sats':>6}"
    )
    for k, r in enumerate(rows):
        ok = lambda b: "=" if b else "X"  # noqa: E731
        print(
            f"{k:>4} {r['n']:>4} {r['steps']:>6} {ok(r['u_equal']):>3} {ok(r['v_equal']):>3} "
            f"{ok(r['spikes_equal']):>3} {r['spikes']:>8} {r['wraps']:>6} {r['saturations']:>6}"
        )
    same = sum(r["u_equal"] and r["v_equal"] and r["spikes_equal"] for r in rows)
    print(
        f"identical u, v, spikes: {same} / {len(rows)} networks "
        f"(lava {times['t_lava']:.1f} s incl. start-up, rnmf {times['t_rnmf']:.3f} s)"
    )
    return 0 if same == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
