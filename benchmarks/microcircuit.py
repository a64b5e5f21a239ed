"""The cortical microcircuit (Potjans & Diesmann 2014) in rnmf and NEST, side by side in one run.

Network: :meth:`rnmf.models.LIFNetwork.microcircuit` (Potjans & Diesmann 2014, Cereb
Cortex 24:785, Tables 4-5: 8 populations, 77 169 neurons and ~3e8 synapses at full
scale, fixed total numbers, weights with 10 % spread redrawn to their sign, truncated
Gaussian delays, exponential synapses, Poisson background), scaled with the DC
compensation of van Albada, Helias & Diesmann (2015).  Both simulators get the same
model: NEST builds it through :func:`rnmf.sim.export.to_nest` (in a subprocess of this
Python, ``OMP_NUM_THREADS`` and ``local_num_threads`` set to 1 and to all cores).
dt = 0.1 ms, ``--T`` ms of model time (default 1000); V0 ~ U(E_L, V_th) in both.

Rates are computed from each simulator's spikes after a transient (``--t0``, default
100 ms) by the same code; the error bar of a population rate is the standard error of
its mean over ``--batches`` consecutive time batches (batch means; the population rate
is a stationary time series).  ``z`` is the difference of the two rates over the
combined error bar: independent realisations of the same model agree when ``|z| < 3``.

    python benchmarks/microcircuit.py                        # scales 0.1 and 1
    python benchmarks/microcircuit.py --scales 0.1 --T 500   # smaller
    python benchmarks/microcircuit.py --no-nest              # rnmf only

NEST is optional (``pip install nest-simulator``; ``--nest-path`` adds a folder holding
the ``nest`` package to the peer's PYTHONPATH).  The machine is shared: the load average
before and after each run is printed with it, and the CPU time of each part next to the
wall-clock time (a single-threaded run's CPU time hardly depends on the load; a NEST run
with all cores counts the CPU of all its threads).  Compare ratios from one run.

Measured on an idle 2-core machine (AMD EPYC, load average 0.2-2.4; NEST 3.10.0; rnmf
after the per-population kernel passes and bucketed delivery), simulate 1 s; ratios are
NEST time / rnmf time in the same run:

| scale | synapses | rnmf build / simulate s | NEST 1 thread build / simulate s | NEST 2 threads build / simulate s |
|---|---|---|---|---|
| 0.1 | 2.99e6 | 0.29 / 0.40 | 1.29 / 4.26: 10.6x | 1.01 / 2.15: 5.3x |
| 0.3 | 2.69e7 | 2.07 / 1.94 | 8.37 / 21.9: 11.3x | 13.0 / 10.2: 5.3x |
| 0.5 | 7.47e7 | 6.55 / 4.86 | 43.2 / 59.4: 12.2x | 36.0 / 27.2: 5.6x |
| 1 | 2.99e8 | 31.8 / 16.5 | cannot run | cannot run |

NEST 3.10 refuses the full-scale circuit with one or two threads: "Too many connections: at
most 134217726 connections supported per virtual process and synapse model" (2^27 per
thread; the full circuit needs at least 3 virtual processes).  Its peak memory was 4.4 GiB at
scale 0.5 (about 60 bytes per connection); rnmf stores 9.0 bytes per synapse (int32 target,
float32 weight, uint8 delay; 2.67 GiB in all at full scale, 5.9e7 synaptic events per second
there).  Every population rate and CV agreed between rnmf and NEST within error bars at
scales 0.3 and 0.5 (|z| <= 2.1); at 0.1 one rate has |z| = 3.2 (L5I): batch-means error bars
miss the network-to-network spread of independent realisations.  Under load the ratios
look larger (a run at load average 11-17 gave 10-11x in CPU time with the older, 2x slower
kernel): NEST slows more than rnmf when other jobs share the caches, so compare ratios from
an idle machine.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np

from rnmf.models import LIFNetwork
from rnmf.sim.spiking import memory_estimate, simulate_lif

NEST_SCRIPT = r"""
import json, os, sys, time
import numpy as np
import nest
from rnmf.models import LIFNetwork
from rnmf.sim.export import to_nest

args = json.loads(sys.argv[1])
nest.set_verbosity("M_ERROR")
net = LIFNetwork.microcircuit(args["scale"])
t0, c0 = time.perf_counter(), time.process_time()
h = to_nest(net, dt=args["dt"], rng=args["seed"], threads=args["threads"], nest=nest)
nest.Prepare()
t2, c2 = time.perf_counter(), time.process_time()
nest.Run(args["T"])
t3, c3 = time.perf_counter(), time.process_time()
t1 = t2
nest.Cleanup()
ev = h.recorder.get("events")
np.savez(args["out"], senders=np.asarray(ev["senders"]) - h.first_id, times=np.asarray(ev["times"]))
import resource
print(json.dumps({"build": t1 - t0, "prepare": t2 - t1, "sim": t3 - t2, "version": nest.__version__,
                  "build_cpu": c2 - c0, "sim_cpu": c3 - c2,
                  "connections": nest.GetKernelStatus("num_connections"),
                  "maxrss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20}))
"""


def pop_rates(senders, times, net, t0, t1, n_batches):
    """Per-population rates (Hz) over ``(t0, t1]`` and their batch-means standard errors."""
    s = np.asarray(senders, dtype=np.int64)
    t = np.asarray(times, dtype=float)
    starts = np.concatenate([[0], np.cumsum(net.N)])
    edges = np.linspace(t0, t1, n_batches + 1)
    keep = (t > t0) & (t <= t1)
    pop = np.searchsorted(starts, s[keep], side="right") - 1
    b = np.clip(np.searchsorted(edges, t[keep], side="left") - 1, 0, n_batches - 1)
    counts = np.zeros((net.P, n_batches))
    np.add.at(counts, (pop, b), 1.0)
    width = (t1 - t0) / n_batches * 1e-3
    r = counts / (np.asarray(net.N, dtype=float)[:, None] * width)
    return r.mean(axis=1), r.std(axis=1, ddof=1) / math.sqrt(n_batches)


def pop_cvs(senders, times, net, t0, t1, min_spikes=3):
    """Per-population mean CV of the inter-spike intervals over ``(t0, t1]`` (neurons with
    at least ``min_spikes`` spikes) and its standard error over those neurons."""
    s = np.asarray(senders, dtype=np.int64)
    t = np.asarray(times, dtype=float)
    keep = (t > t0) & (t <= t1)
    s, t = s[keep], t[keep]
    order = np.lexsort((t, s))
    s, t = s[order], t[order]
    starts = np.concatenate([[0], np.cumsum(net.N)])
    bounds = np.searchsorted(s, np.arange(sum(net.N) + 1))
    mean, err = np.full(net.P, np.nan), np.full(net.P, np.nan)
    for a in range(net.P):
        cvs = []
        for j in range(starts[a], starts[a + 1]):
            lo, hi = bounds[j], bounds[j + 1]
            if hi - lo >= min_spikes:
                isi = np.diff(t[lo:hi])
                cvs.append(isi.std(ddof=1) / isi.mean() if isi.size > 1 else np.nan)
        cvs = np.asarray([c for c in cvs if np.isfinite(c)])
        if cvs.size > 1:
            mean[a], err[a] = cvs.mean(), cvs.std(ddof=1) / math.sqrt(cvs.size)
    return mean, err


def run_rnmf(net, T, dt, seed, fmt="float64"):
    simulate_lif(LIFNetwork.microcircuit(0.01), 1.0, dt=dt, rng=0, fmt=fmt, progress=False)
    load0 = os.getloadavg()[0]
    res = simulate_lif(net, T, dt=dt, rng=seed, fmt=fmt, progress=False)
    return {
        "build": res.build_time,
        "sim": res.run_time,
        "build_cpu": res.build_cpu_time,
        "sim_cpu": res.run_cpu_time,
        "senders": res.senders,
        "times": res.times,
        "synapses": res.n_synapses,
        "bytes_per_synapse": res.bytes_per_synapse,
        "spikes": res.n_spikes,
        "load": (load0, os.getloadavg()[0]),
    }


def run_nest(scale, T, dt, seed, threads, nest_path):
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    if nest_path:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [nest_path, env.get("PYTHONPATH")]))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "peer.py"
        path.write_text(textwrap.dedent(NEST_SCRIPT))
        out = Path(tmp) / "spikes.npz"
        a = {"scale": scale, "T": T, "dt": dt, "seed": seed, "threads": threads, "out": str(out)}
        load0 = os.getloadavg()[0]
        proc = subprocess.run(
            [sys.executable, str(path), json.dumps(a)],
            capture_output=True,
            text=True,
            env=env,
            timeout=4 * 3600,
        )
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr[-3000:])
        info = json.loads(proc.stdout.strip().splitlines()[-1])
        data = np.load(out)
        info["senders"], info["times"] = data["senders"], data["times"]
        info["build"] = info["build"] + info["prepare"]
        info["load"] = (load0, os.getloadavg()[0])
        return info


def nest_available(nest_path):
    env = dict(os.environ)
    if nest_path:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [nest_path, env.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, "-c", "import nest"], capture_output=True, env=env)
    return proc.returncode == 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--scales", type=float, nargs="+", default=[0.1, 1.0])
    ap.add_argument("--T", type=float, default=1000.0, help="model time in ms")
    ap.add_argument("--t0", type=float, default=100.0, help="transient excluded from rates (ms)")
    ap.add_argument("--batches", type=int, default=9)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="NEST 'all cores'")
    ap.add_argument("--no-nest", action="store_true")
    ap.add_argument("--no-nest-all", action="store_true", help="skip NEST with all cores")
    ap.add_argument(
        "--nest-all-max-scale", type=float, default=1.0, help="NEST all cores up to this scale"
    )
    ap.add_argument("--nest-path", default=None, help="folder holding the nest package")
    ap.add_argument(
        "--nest-max-scale", type=float, default=1.0, help="run NEST only up to this scale"
    )
    ap.add_argument("--json", default=None, help="write the rows to this file")
    opts = ap.parse_args(argv)
    dt = 0.1
    have_nest = not opts.no_nest and nest_available(opts.nest_path)
    if not opts.no_nest and not have_nest:
        print("NEST: not installed (pip install nest-simulator, or --nest-path); skipped")
    print(f"{os.cpu_count()} cores; load average at start {os.getloadavg()}")
    summary = {}
    for scale in opts.scales:
        net = LIFNetwork.microcircuit(scale)
        est = sum(memory_estimate(net, opts.T, dt=dt).values())
        print(
            f"\n## scale {scale:g}: N = {sum(net.N)}, dt = {dt} ms, T = {opts.T:g} ms, "
            f"seed {opts.seed}; rnmf needs {est / 2**30:.2f} GiB (estimate)"
        )
        rows = {"rnmf": run_rnmf(net, opts.T, dt, opts.seed)}
        if have_nest and scale > opts.nest_max_scale:
            print(f"NEST: skipped at scale {scale:g} (--nest-max-scale {opts.nest_max_scale:g})")
        elif have_nest:
            threads = [1]
            if not opts.no_nest_all and scale <= opts.nest_all_max_scale and opts.threads > 1:
                threads.append(opts.threads)
            for n_thr in threads:
                name = "NEST 1 thread" if n_thr == 1 else f"NEST {n_thr} threads"
                try:
                    rows[name] = run_nest(scale, opts.T, dt, opts.seed, n_thr, opts.nest_path)
                except RuntimeError as err:  # e.g. NEST's 2^27 connections per thread
                    last = [ln for ln in str(err).splitlines() if ln.strip()][-1]
                    print(f"{name}: failed at scale {scale:g}: {last}")
        ours = rows["rnmf"]
        print(
            "| simulator | build wall (CPU) s | simulate wall (CPU) s | wall vs rnmf | "
            "CPU vs rnmf | load before/after |"
        )
        print("|---|---|---|---|---|---|")
        for name, r in rows.items():
            ver = f" {r['version']}" if "version" in r else ""
            print(
                f"| {name}{ver} | {r['build']:.2f} ({r['build_cpu']:.2f}) | {r['sim']:.2f} "
                f"({r['sim_cpu']:.2f}) | {r['sim'] / ours['sim']:.1f}x | "
                f"{r['sim_cpu'] / ours['sim_cpu']:.1f}x | {r['load'][0]:.1f} / {r['load'][1]:.1f} |"
            )
        rates = {
            name: pop_rates(r["senders"], r["times"], net, opts.t0, opts.T, opts.batches)
            for name, r in rows.items()
        }
        cvs = {
            name: pop_cvs(r["senders"], r["times"], net, opts.t0, opts.T)
            for name, r in rows.items()
        }
        names = list(rows)
        for label, table, unit in (("rate", rates, " (Hz)"), ("CV ISI", cvs, "")):
            head = " | ".join(f"{n} {label}{unit}" for n in names)
            two = len(names) > 1
            print(f"\n| population | {head} |" + (" z (NEST 1 thread) |" if two else ""))
            print("|---" * (len(names) + 1 + two) + "|")
            for a, pop in enumerate(net.populations):
                cells = " | ".join(f"{table[n][0][a]:.3f} +- {table[n][1][a]:.3f}" for n in names)
                z = ""
                if two:
                    (r1, e1), (r2, e2) = (
                        (table[names[0]][0][a], table[names[0]][1][a]),
                        (table[names[1]][0][a], table[names[1]][1][a]),
                    )
                    z = f" {(r1 - r2) / math.sqrt(e1**2 + e2**2 + 1e-30):+.2f} |"
                print(f"| {pop} | {cells} |{z}")
        ev = ours["spikes"] * ours["synapses"] / sum(net.N)
        print(
            f"rnmf: {ours['synapses']} synapses, {ours['bytes_per_synapse']:.2f} B/synapse "
            f"(int32 target + float32 weight + uint8 delay + CSR offsets), "
            f"{ev / ours['sim']:.3g} synaptic events/s"
        )
        for name, r in rows.items():
            if "connections" in r:
                print(
                    f"{name}: {r['connections']} connections (incl. generators and recorder), "
                    f"peak RSS {r['maxrss_gib']:.2f} GiB"
                )
        summary[scale] = {
            n: {
                "build": r["build"],
                "sim": r["sim"],
                "build_cpu": r["build_cpu"],
                "sim_cpu": r["sim_cpu"],
                "load": r["load"],
                "rates": rates[n][0].tolist(),
                "sem": rates[n][1].tolist(),
                "cv": cvs[n][0].tolist(),
                "cv_sem": cvs[n][1].tolist(),
            }
            for n, r in rows.items()
        }
    if opts.json:
        Path(opts.json).write_text(json.dumps(summary, indent=1))
    return summary


if __name__ == "__main__":
    main()
