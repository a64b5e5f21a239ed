"""Runner executed INSIDE a lava-nc 0.10 virtual environment (Python 3.10): the oracle side
of ``benchmarks/loihi_vs_lava.py``.

Reads an npz of networks (weights, du, dv, vth, bias_mant, bias_exp, weight_exp,
num_weight_bits, u0, v0, n_steps), runs lava's bit-accurate LIF + Dense process models
(``Loihi1SimCfg(select_tag="bit_accurate_loihi")``) with Monitors on u, v and s_out, and
writes u, v, spikes of every step to an output npz.  Usage:
``python _lava_runner.py IN.npz OUT.npz``.  Imports nothing from rnmf.
"""

import sys

import numpy as np
from lava.magma.core.run_conditions import RunSteps
from lava.magma.core.run_configs import Loihi1SimCfg
from lava.proc.dense.process import Dense
from lava.proc.lif.process import LIF
from lava.proc.monitor.process import Monitor


def run_one(d, k):
    p = lambda name: d[f"{k}_{name}"]  # noqa: E731
    W = p("weights")
    n = W.shape[0]
    T = int(p("n_steps"))
    lif = LIF(
        shape=(n,),
        du=int(p("du")),
        dv=int(p("dv")),
        vth=int(p("vth")),
        bias_mant=p("bias_mant").astype(np.int32),
        bias_exp=p("bias_exp").astype(np.int32),
        u=p("u0").astype(np.int32),
        v=p("v0").astype(np.int32),
    )
    dense = Dense(
        weights=W.astype(np.int32),
        weight_exp=int(p("weight_exp")),
        num_weight_bits=int(p("num_weight_bits")),
    )
    lif.s_out.connect(dense.s_in)
    dense.a_out.connect(lif.a_in)
    mons = {}
    for name, var in (("u", lif.u), ("v", lif.v), ("s", lif.s_out)):
        m = Monitor()
        m.probe(var, T)
        mons[name] = m
    lif.run(condition=RunSteps(num_steps=T), run_cfg=Loihi1SimCfg(select_tag="bit_accurate_loihi"))
    out = {}
    for name, m in mons.items():
        data = m.get_data()
        key = next(iter(data))
        arr = next(iter(data[key].values()))
        out[name] = np.asarray(arr)
    lif.stop()
    return out


def main():
    d = np.load(sys.argv[1])
    keys = sorted({k.split("_")[0] for k in d.files})
    res = {}
    for k in keys:
        o = run_one(d, k)
        for name, arr in o.items():
            res[f"{k}_{name}"] = arr
        print(k, "done", flush=True)
    np.savez_compressed(sys.argv[2], **res)


if __name__ == "__main__":
    main()
