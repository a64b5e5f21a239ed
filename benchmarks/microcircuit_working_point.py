"""Working point of the cortical microcircuit in rnmf and NNMT, side by side in one run.

Network: the Potjans & Diesmann (2014, Cereb Cortex 24:785) microcircuit as NNMT 1.3.0
models it (Layer et al. 2022, Front Neuroinform 16:835657): 8 populations, NNMT's own
in-degree table, exponential synapses (tau_s = 0.5 ms), no weight spread.  rnmf builds it
with :func:`rnmf.validate._nnmt_microcircuit.nnmt_microcircuit`; NNMT reads its own
parameter file, ``tests/fixtures/integration/config/network_params.yaml`` of an NNMT
checkout (``--nnmt-params``), the file its fixture ``std_results.h5`` was computed from.
The two networks are the same: the script prints the largest difference of NNMT's
in-degrees from rnmf's, and the rates must agree to 1e-10.

Computed: :func:`rnmf.theory.lif.stationary_rates` (every fixed point with its stability,
``n_starts=36`` by default; ``n_starts=0``: the low-rate start alone) against
``nnmt.lif.exp.firing_rates`` (one fixed point, reached by integrating the rate dynamics),
each with the Fourcaud-Brunel ``shift`` and the Schuecker et al. (2015) ``taylor``
synapse correction.  Every configuration runs in a fresh interpreter: *cold* is the first
call in that process (all lazy imports, caches and set-up included), *warm* the median of
``--repeats`` further calls (NNMT gets a new network object per call, because it caches
results on the network).  Import time is measured separately and reported, not counted.
Wall-clock and CPU time of each call are recorded; the machine is shared, so the load
average before and after is printed and the CPU ratio is the robust one.

Install NNMT in a separate virtual environment (its pins differ from rnmf's), and get
its source for the parameter file::

    python -m venv /tmp/nnmtvenv && /tmp/nnmtvenv/bin/pip install nnmt==1.3.0
    git clone --branch v1.3.0 https://github.com/INM-6/nnmt /tmp/nnmt

    python benchmarks/microcircuit_working_point.py --nnmt-python /tmp/nnmtvenv/bin/python \\
        --nnmt-checkout /tmp/nnmt [--repeats 20] [--json out.json]

Measured (one run, 2-core machine shared with other jobs, load average 3.8 before and 4.3
after; NNMT 1.3.0; 20 warm repeats; ratio = NNMT time / rnmf time, CPU = ratio of the warm
CPU times; rel diff = largest |rnmf / NNMT - 1| over the 8 rates; in-degrees identical;
imports, not counted: rnmf 1.66 s, NNMT 1.52 s; NNMT's network object 22 ms, not counted):

| synapse | rnmf search | rnmf cold / warm ms | NNMT cold / warm ms | ratio cold / warm (CPU) | rel diff |
|---|---|---|---|---|---|
| shift | all fixed points (36 starts) | 82.0 / 90.7 | 285 / 210 | 3.5x / 2.3x (2.4x) | 9.0e-15 |
| shift | one start | 16.7 / 10.8 | 285 / 210 | 17.0x / 19.4x (18.5x) | 9.0e-15 |
| taylor | all fixed points (36 starts) | 90.0 / 87.8 | 388 / 381 | 4.3x / 4.3x (4.3x) | 4.0e-15 |
| taylor | one start | 24.3 / 23.7 | 388 / 381 | 16.0x / 16.1x (16.5x) | 4.0e-15 |

An earlier run at load 1.5-3.3 gave the same picture (2.5x and 15x CPU for shift, 4.9x and
13.6x for Taylor).  rnmf's default search does more than NNMT (36 extra Newton starts
look for further fixed points, none found here, ``complete=False``: not a proof; each
solution comes with its stability and CVs) and is still 2-4x faster.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

RNMF_SCRIPT = r"""
import json, sys, time
t0 = time.perf_counter()
from rnmf.theory import lif
from rnmf.validate._nnmt_microcircuit import nnmt_microcircuit
t_import = time.perf_counter() - t0
a = json.loads(sys.argv[1])
net = nnmt_microcircuit()
wall, cpu = [], []
for i in range(a["repeats"] + 1):
    t, c = time.perf_counter(), time.process_time()
    res = lif.stationary_rates(net, synapse=a["synapse"], n_starts=a["n_starts"])
    wall.append(time.perf_counter() - t)
    cpu.append(time.process_time() - c)
print(json.dumps({"import": t_import, "wall": wall, "cpu": cpu, "rates": [float(x) for x in
      res.rates], "n_solutions": res.n_solutions, "stable": bool(res.stable),
      "K": [list(map(float, row)) for row in net.K]}))
"""

NNMT_SCRIPT = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy as np
import nnmt
t_import = time.perf_counter() - t0
a = json.loads(sys.argv[1])
wall, cpu, build = [], [], []
for i in range(a["repeats"] + 1):
    t = time.perf_counter()
    net = nnmt.models.Microcircuit(a["params"])
    build.append(time.perf_counter() - t)
    t, c = time.perf_counter(), time.process_time()
    rates = nnmt.lif.exp.firing_rates(net, method=a["synapse"])
    wall.append(time.perf_counter() - t)
    cpu.append(time.process_time() - c)
print(json.dumps({"import": t_import, "wall": wall, "cpu": cpu, "build": build,
      "rates": [float(x) for x in np.asarray(rates)], "version": nnmt.__version__,
      "K": np.asarray(net.network_params["K"], dtype=float).tolist()}))
"""


def _child(python: str, script: str, args: dict) -> dict:
    """Run ``script`` in a fresh interpreter and return the JSON it prints last."""
    proc = subprocess.run(
        [python, "-c", textwrap.dedent(script), json.dumps(args)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{python} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(nnmt_python: str, params: str, repeats: int) -> dict:
    """Time both tools for both synapse corrections; return every measurement."""
    out: dict = {"load": [os.getloadavg()[0]], "rows": []}
    for synapse in ("shift", "taylor"):
        nn = _child(
            nnmt_python, NNMT_SCRIPT, {"synapse": synapse, "params": params, "repeats": repeats}
        )
        out["nnmt_version"] = nn["version"]
        out.setdefault("import", {})["nnmt"] = nn["import"]
        for n_starts in (36, 0):
            rn = _child(
                sys.executable,
                RNMF_SCRIPT,
                {"synapse": synapse, "n_starts": n_starts, "repeats": repeats},
            )
            out["import"]["rnmf"] = rn["import"]
            r, ref = np.array(rn["rates"]), np.array(nn["rates"])
            row = {
                "synapse": synapse,
                "n_starts": n_starts,
                "n_solutions": rn["n_solutions"],
                "rnmf_cold": rn["wall"][0],
                "rnmf_warm": float(np.median(rn["wall"][1:])),
                "rnmf_warm_cpu": float(np.median(rn["cpu"][1:])),
                "nnmt_cold": nn["wall"][0],
                "nnmt_warm": float(np.median(nn["wall"][1:])),
                "nnmt_warm_cpu": float(np.median(nn["cpu"][1:])),
                "nnmt_build": float(np.median(nn["build"])),
                "max_rel_diff": float(np.max(np.abs(r / ref - 1.0))),
                "max_K_diff": float(np.max(np.abs(np.array(rn["K"]) - np.array(nn["K"])))),
                "rnmf_rates": rn["rates"],
                "nnmt_rates": nn["rates"],
            }
            out["rows"].append(row)
    out["load"].append(os.getloadavg()[0])
    return out


def table(res: dict) -> str:
    """Markdown table of one run."""
    lines = [
        "| synapse | rnmf search | rnmf cold / warm ms | NNMT cold / warm ms "
        "| ratio cold / warm (CPU) | rel diff |",
        "|---|---|---|---|---|---|",
    ]
    for r in res["rows"]:
        search = "all fixed points (36 starts)" if r["n_starts"] else "one start"
        lines.append(
            f"| {r['synapse']} | {search} | {1e3 * r['rnmf_cold']:.1f} / "
            f"{1e3 * r['rnmf_warm']:.1f} | {1e3 * r['nnmt_cold']:.0f} / "
            f"{1e3 * r['nnmt_warm']:.0f} | {r['nnmt_cold'] / r['rnmf_cold']:.1f}x / "
            f"{r['nnmt_warm'] / r['rnmf_warm']:.1f}x "
            f"({r['nnmt_warm_cpu'] / r['rnmf_warm_cpu']:.1f}x) | {r['max_rel_diff']:.1e} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument(
        "--nnmt-python",
        default="/tmp/nnmtvenv/bin/python",
        help="a Python interpreter with nnmt 1.3.0 installed",
    )
    p.add_argument(
        "--nnmt-checkout",
        default="/tmp/nnmt",
        help="an NNMT source checkout (its tests/fixtures hold the parameters)",
    )
    p.add_argument(
        "--nnmt-params",
        default=None,
        help="NNMT parameter file (default: the checkout's integration config)",
    )
    p.add_argument("--repeats", type=int, default=20)
    p.add_argument("--json", default=None, help="also write all measurements here")
    a = p.parse_args(argv)
    params = a.nnmt_params or str(
        Path(a.nnmt_checkout) / "tests/fixtures/integration/config/network_params.yaml"
    )
    if not Path(params).is_file():
        p.error(f"NNMT parameter file not found: {params} (pass --nnmt-checkout or --nnmt-params)")
    res = run(a.nnmt_python, params, a.repeats)
    print(
        f"NNMT {res['nnmt_version']}; load average {res['load'][0]:.2f} before, "
        f"{res['load'][1]:.2f} after; import: rnmf {res['import']['rnmf']:.2f} s, "
        f"NNMT {res['import']['nnmt']:.2f} s (not counted); NNMT network object built in "
        f"{1e3 * res['rows'][0]['nnmt_build']:.0f} ms (not counted)"
    )
    print(f"largest in-degree difference NNMT - rnmf: {res['rows'][0]['max_K_diff']:.1e}")
    print(table(res))
    worst = max(r["max_rel_diff"] for r in res["rows"])
    slower = [r for r in res["rows"] if r["rnmf_warm"] >= r["nnmt_warm"]]
    print(
        f"largest relative rate difference: {worst:.1e} (goal 1e-10); "
        f"rnmf faster than NNMT in {len(res['rows']) - len(slower)}/{len(res['rows'])} rows"
    )
    if a.json:
        Path(a.json).write_text(json.dumps(res, indent=1))
    return 0 if worst < 1e-10 else 1


if __name__ == "__main__":
    raise SystemExit(main())
