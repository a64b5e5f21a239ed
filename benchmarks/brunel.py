"""Brunel (2000) model A in rnmf, NEST and Brian2, side by side in one run.

Network (Brunel 2000, J Comput Neurosci 8:183, Fig. 2C, asynchronous irregular):
N_E = 10000, N_I = 2500, C_E = 1000, C_I = 250, J = 0.1 mV, g = 5, D = 1.5 ms,
nu_ext = 2 nu_thr, dt = 0.1 ms, 1 s of model time.  All three simulators use fixed
in-degrees with multapses and autapses, V0 ~ U(0, 20) mV, input ignored while
refractory and C_E independent Poisson inputs per neuron.

    python benchmarks/brunel.py            # full network, all peers that are installed
    python benchmarks/brunel.py --quick    # N_E = 2000, 300 ms: a sanity run
    python benchmarks/brunel.py --scale    # rnmf only: 1e5 neurons, synaptic events/s

Peers are optional: NEST (``pip install nest-simulator``) runs in a subprocess of
this Python with ``OMP_NUM_THREADS=1`` and ``local_num_threads=1``; Brian2 (runtime
mode, Cython) runs in its own interpreter (``--brian-python``, default
``/tmp/brian-venv/bin/python``; brian2 2.9 on Python 3.11 needs ``numpy<2.4``) with its
code cache in a temporary folder, so its cold compile is counted as build time.
Rates and CVs are computed from each simulator's spikes with the same code
(``rnmf.sim.spike_measures``).

Measured on the idle 2-core machine (load average 0.5-0.7), after the kernel's
per-population passes:

| simulator | build (s) | simulate 1 s (s) | E rate (Hz) | CV ISI | vs rnmf |
|---|---|---|---|---|---|
| rnmf float64 | 0.68 | 1.31 | 37.60 | 0.423 | 1.0x |
| rnmf float32 | 0.27 | 1.23 | 37.68 | 0.422 | 0.9x |
| NEST 3.10.0, 1 thread | 3.32 | 19.46 | 37.62 | 0.421 | 14.9x |

Earlier run with the previous kernel and Brian2 (not re-run: its environment was gone),
on the machine shared with other jobs (load ~4.5; NEST slows more than rnmf under load, so
these ratios are inflated):

| simulator | build (s) | simulate 1 s (s) | E rate (Hz) | CV ISI | vs rnmf |
|---|---|---|---|---|---|
| rnmf float64 | 2.50 | 5.11 | 37.60 | 0.423 | 1.0x |
| rnmf float32 | 1.10 | 5.01 | 37.68 | 0.422 | 1.0x |
| NEST 3.10.0, 1 thread | 15.8 | 117.9 | 37.62 | 0.421 | 23.1x |
| Brian2 2.9.0 runtime (Cython) | 64.9 (37.1 cold compile) | 32.0 | 37.11 | 0.419 | 6.3x |

rnmf over 6 seeds: E rate 37.45 +- 0.22 Hz (SD), CV 0.423 +- 0.003.
Scale (``--scale``): 1e5 neurons x 1250 inputs (1.25e8 synapses, 4.02 B each) built in
14.6 s, 200 ms in 18.1 s (5.1e7 events/s: scattered writes over a 0.8 MB ring row);
1e5 x 1e4 (1e9 synapses, 4.00 B each, 4 GB) built in 78 s, 100 ms at 8.9 Hz in 3.5 s
(2.5e8 events/s).
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
import time
from pathlib import Path

import numpy as np

from rnmf.models import LIFNetwork
from rnmf.sim.spike_measures import cv_isi, mean_rate
from rnmf.sim.spiking import simulate_lif

NEST_SCRIPT = r"""
import json, sys, time
import numpy as np
import nest
from rnmf.models import LIFNetwork
from rnmf.sim.export import to_nest

args = json.loads(sys.argv[1])
nest.set_verbosity("M_ERROR") if hasattr(nest, "set_verbosity") else None
net = LIFNetwork.brunel(args["g"], args["eta"], N_E=args["N_E"], epsilon=args["epsilon"])
t0 = time.perf_counter()
h = to_nest(net, dt=args["dt"], rng=args["seed"], threads=1, nest=nest)
t1 = time.perf_counter()
nest.Prepare()
t2 = time.perf_counter()
nest.Run(args["T"])
t3 = time.perf_counter()
nest.Cleanup()
ev = h.recorder.get("events")
np.savez(args["out"], senders=np.asarray(ev["senders"]) - h.first_id, times=np.asarray(ev["times"]))
print(json.dumps({"build": t1 - t0, "prepare": t2 - t1, "sim": t3 - t2, "version": nest.__version__}))
"""

BRIAN_SCRIPT = r"""
import json, sys, time
args = json.loads(sys.argv[1])
t_import = time.perf_counter()
import numpy as np
from brian2 import (NeuronGroup, Synapses, PoissonInput, SpikeMonitor, Network, prefs,
                    defaultclock, ms, mV, Hz, seed, __version__)
prefs.codegen.target = "cython"
prefs.codegen.runtime.cython.cache_dir = args["cache"]
t0 = time.perf_counter()
seed(args["seed"])
rng = np.random.default_rng(args["seed"])
defaultclock.dt = args["dt"] * ms
N_E = args["N_E"]; N_I = N_E // 4; N = N_E + N_I
C_E = int(round(args["epsilon"] * N_E)); C_I = C_E // 4
J = 0.1 * mV; g = args["g"]; tau = 20 * ms; theta = 20 * mV; Vr = 10 * mV
nu_thr = 20.0 / (0.1 * C_E * 20.0) * 1000.0
nu_ext = args["eta"] * nu_thr * Hz
G = NeuronGroup(N, "dv/dt = -v/tau : volt (unless refractory)", threshold="v >= theta",
                reset="v = Vr", refractory=2 * ms, method="exact")
G.v = "rand() * 20 * mV"
SE = Synapses(G[:N_E], G, on_pre="v_post += J * int(not_refractory_post)", delay=1.5 * ms)
SE.connect(i=rng.integers(0, N_E, size=N * C_E), j=np.repeat(np.arange(N), C_E))
SI = Synapses(G[N_E:], G, on_pre="v_post += -g * J * int(not_refractory_post)", delay=1.5 * ms)
SI.connect(i=rng.integers(0, N_I, size=N * C_I), j=np.repeat(np.arange(N), C_I))
PI = PoissonInput(G, "v", C_E, nu_ext, weight="J * int(not_refractory)")
M = SpikeMonitor(G)
net = Network(G, SE, SI, PI, M)
t1 = time.perf_counter()
net.run(defaultclock.dt)  # code generation and Cython compilation (cold cache)
t2 = time.perf_counter()
net.run(args["T"] * ms)
t3 = time.perf_counter()
i = np.asarray(M.i[:]); t = np.asarray(M.t[:] / ms) + args["dt"]  # NEST convention: end of step
np.savez(args["out"], senders=i, times=t)
print(json.dumps({"build": t1 - t0, "compile": t2 - t1, "sim": t3 - t2, "version": __version__}))
"""


def analyse(senders, times, net, T):
    """E rate (Hz) over (0, T] and mean ISI CV of E neurons with >= 5 spikes."""
    nE = net.N[0]
    s = np.asarray(senders, dtype=np.int64)
    t = np.asarray(times, dtype=float)
    return mean_rate(s, t, nE, t_start=0.0, t_stop=T), cv_isi(s, t, nE, min_spikes=5)


def run_rnmf(net, T, dt, seed, fmt="float64"):
    simulate_lif(LIFNetwork.brunel(N_E=40), 1.0, dt=dt, rng=0, fmt=fmt)  # load the numba cache
    res = simulate_lif(net, T, dt=dt, rng=seed, fmt=fmt)
    rate, cv = analyse(res.senders, res.times, net, T)
    return {
        "build": res.build_time,
        "sim": res.run_time,
        "rate": rate,
        "cv": cv,
        "version": "rnmf",
        "events": res.n_spikes,
        "synapses": res.n_synapses,
        "bytes_per_synapse": res.bytes_per_synapse,
    }


def run_peer(script, python, args, env=None):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "peer.py"
        path.write_text(textwrap.dedent(script))
        out = Path(tmp) / "spikes.npz"
        cache = Path(tmp) / "cache"
        cache.mkdir()
        a = {**args, "out": str(out), "cache": str(cache)}
        proc = subprocess.run(
            [python, str(path), json.dumps(a)],
            capture_output=True,
            text=True,
            env=env,
            timeout=3600,
        )
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr[-2000:])
        info = json.loads(proc.stdout.strip().splitlines()[-1])
        data = np.load(out)
        return info, data["senders"], data["times"]


def peer_available(python, module):
    if python is None or not Path(python).exists():
        return False
    proc = subprocess.run([python, "-c", f"import {module}"], capture_output=True)
    return proc.returncode == 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="N_E = 2000, 300 ms")
    ap.add_argument("--scale", action="store_true", help="rnmf only: 1e5-neuron networks")
    ap.add_argument("--T", type=float, default=None, help="model time in ms")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-nest", action="store_true")
    ap.add_argument("--no-brian", action="store_true")
    ap.add_argument("--brian-python", default="/tmp/brian-venv/bin/python")
    opts = ap.parse_args(argv)
    if opts.scale:
        return scale(opts)
    N_E, T = (2000, 300.0) if opts.quick else (10000, 1000.0)
    if opts.T is not None:
        T = opts.T
    eps = 0.1 if not opts.quick else 0.5  # C_E = 1000 in both
    g, eta, dt = 5.0, 2.0, 0.1
    net = LIFNetwork.brunel(g, eta, N_E=N_E, epsilon=eps)
    print(f"Brunel model A: {net.describe()}, dt = {dt} ms, T = {T:g} ms, seed {opts.seed}")
    rows = {}
    rows["rnmf"] = run_rnmf(net, T, dt, opts.seed)
    rows["rnmf float32"] = run_rnmf(net, T, dt, opts.seed, fmt="float32")
    args = {"g": g, "eta": eta, "N_E": N_E, "epsilon": eps, "dt": dt, "T": T, "seed": opts.seed}
    if opts.no_nest:
        print("NEST: skipped (--no-nest)")
    elif not peer_available(sys.executable, "nest"):
        print("NEST: not installed (pip install nest-simulator); skipped")
    else:
        env = {**os.environ, "OMP_NUM_THREADS": "1"}
        info, s, t = run_peer(NEST_SCRIPT, sys.executable, args, env=env)
        rate, cv = analyse(s, t, net, T)
        rows[f"NEST {info['version']} (1 thread)"] = {
            "build": info["build"] + info["prepare"],
            "sim": info["sim"],
            "rate": rate,
            "cv": cv,
        }
    if opts.no_brian:
        print("Brian2: skipped (--no-brian)")
    elif not peer_available(opts.brian_python, "brian2"):
        print(f"Brian2: not found at {opts.brian_python} (--brian-python); skipped")
    else:
        env = {**os.environ, "OMP_NUM_THREADS": "1"}
        info, s, t = run_peer(BRIAN_SCRIPT, opts.brian_python, args, env=env)
        rate, cv = analyse(s, t, net, T)
        rows[f"Brian2 {info['version']} runtime (cython)"] = {
            "build": info["build"] + info["compile"],
            "sim": info["sim"],
            "rate": rate,
            "cv": cv,
            "note": f"build includes {info['compile']:.1f} s cold compile",
        }
    ours = rows["rnmf"]
    print()
    print("| simulator | build (s) | simulate (s) | E rate (Hz) | CV ISI | sim time vs rnmf |")
    print("|---|---|---|---|---|---|")
    for name, r in rows.items():
        ratio = r["sim"] / ours["sim"]
        print(
            f"| {name} | {r['build']:.2f} | {r['sim']:.2f} | {r['rate']:.2f} | {r['cv']:.3f} | "
            f"{ratio:.1f}x |"
        )
    for name, r in rows.items():
        if "note" in r:
            print(f"{name}: {r['note']}")
    ev = ours["events"] * ours["synapses"] / sum(net.N)
    print(
        f"rnmf: {ours['synapses']} synapses, {ours['bytes_per_synapse']:.2f} B/synapse, "
        f"{ev / ours['sim']:.3g} synaptic events/s"
    )
    se = math.sqrt(ours["rate"] / (N_E * T * 1e-3))
    print(
        f"statistical error of an E rate: Poisson counting alone {se:.2f} Hz; the network-to-"
        "network spread is larger (full network, 1 s: SD 0.22 Hz over 6 rnmf seeds)"
    )
    return rows


def scale(opts):
    """1e5 neurons: in-degree 1000, then 1e4 if the memory allows."""
    dt = 0.1
    avail = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    cases = [(80000, 0.0125, 200.0), (80000, 0.1, opts.T or 100.0)]
    simulate_lif(LIFNetwork.brunel(N_E=40), 1.0, rng=0)
    print(
        "| N | in-degree | synapses | B/synapse | build (s) | simulate (s) | model ms | rate (Hz) | events/s |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for N_E, eps, T in cases:
        net = LIFNetwork.brunel(5.0, 2.0, N_E=N_E, epsilon=eps)
        K = sum(net.K[0])
        M = sum(net.N) * K
        need = 4.3 * M + 64 * sum(net.N) + 2e9
        if need > avail:
            print(
                f"skip N = {sum(net.N)}, K = {K:g}: needs ~{need / 2**30:.1f} GiB, "
                f"{avail / 2**30:.1f} GiB available"
            )
            continue
        t0 = time.perf_counter()
        res = simulate_lif(net, T, dt=dt, rng=opts.seed, record_spikes=False)
        _ = time.perf_counter() - t0
        ev = res.n_spikes * res.n_synapses / sum(net.N)
        print(
            f"| {sum(net.N)} | {K:g} | {res.n_synapses:.3g} | {res.bytes_per_synapse:.2f} | "
            f"{res.build_time:.1f} | {res.run_time:.1f} | {T:g} | {res.mean_rates[0]:.1f} | "
            f"{ev / res.run_time:.3g} |"
        )
    gib = 16 * 2**30
    print(
        f"16 GiB hold about {gib / 4.0:.3g} synapses at 4 B/synapse (single delay), "
        f"{gib / 5.0:.3g} with per-synapse delays (state and offsets are O(N))."
    )


if __name__ == "__main__":
    main()
