"""Builder of a NEST network from a plain-data specification (used by :mod:`rnmf.sim.export`).

This module is self-contained on purpose: it imports nothing (the ``nest`` module is an
argument), so :func:`rnmf.sim.export.nest_script` copies its source verbatim into a
standalone script that builds exactly the network :func:`rnmf.sim.export.to_nest` builds
in-process, e.g. for an MPI run of a network too large for one machine.

The specification is JSON data:

``{"resolution", "seed", "threads", "populations": [{"model", "n", "params", "V0"}],
"connections": [{"pre", "post", "conn", "weight", "delay"}], "generators": [{"pop",
"rate", "weight", "delay"}], "dc": [...], "record": bool}``

A parameter is a number or a list naming a NEST random parameter:
``["uniform", min, max]``, ``["normal", mean, std]``, ``["lognormal", mu, sigma]``
(parameters of the underlying normal, as NEST takes them) or ``["redraw", inner, min,
max]`` (``None`` for an infinite bound).
"""

from __future__ import annotations

INF = float("inf")


def nest_param(nest, p):
    """The NEST value of a parameter of the specification (a number or a random law)."""
    if isinstance(p, int | float):
        return float(p)
    kind = p[0]
    if kind == "uniform":
        return nest.random.uniform(min=p[1], max=p[2])
    if kind == "normal":
        return nest.random.normal(mean=p[1], std=p[2])
    if kind == "lognormal":
        return nest.random.lognormal(mean=p[1], std=p[2])
    if kind == "redraw":
        lo = -INF if p[2] is None else p[2]
        hi = INF if p[3] is None else p[3]
        return nest.math.redraw(nest_param(nest, p[1]), min=lo, max=hi)
    raise ValueError(f"unknown NEST parameter {p!r}")


def build(nest, spec, reset_kernel=True):
    """Create the populations, connections, generators and recorder of ``spec`` in ``nest``.

    Returns ``(populations, generators, recorder)``; ``generators[a]`` lists the Poisson
    generators of population ``a`` (one per external source of nonzero rate).
    """
    if reset_kernel:
        nest.ResetKernel()
        nest.SetKernelStatus(
            {
                "resolution": spec["resolution"],
                "rng_seed": spec["seed"],
                "local_num_threads": spec["threads"],
            }
        )
    pops = []
    for pop in spec["populations"]:
        nodes = nest.Create(pop["model"], pop["n"], params=pop["params"])
        v0 = pop["V0"]
        if isinstance(v0, list) and v0 and isinstance(v0[0], int | float):
            nodes.set(V_m=[float(v) for v in v0])
        else:
            nodes.set(V_m=nest_param(nest, v0))
        pops.append(nodes)
    for c in spec["connections"]:
        syn = {
            "synapse_model": "static_synapse",
            "weight": nest_param(nest, c["weight"]),
            "delay": nest_param(nest, c["delay"]),
        }
        nest.Connect(pops[c["pre"]], pops[c["post"]], conn_spec=c["conn"], syn_spec=syn)
    gens = [[] for _ in pops]
    for g in spec["generators"]:
        pg = nest.Create("poisson_generator", params={"rate": g["rate"]})
        nest.Connect(
            pg,
            pops[g["pop"]],
            conn_spec={"rule": "all_to_all"},
            syn_spec={
                "synapse_model": "static_synapse",
                "weight": g["weight"],
                "delay": g["delay"],
            },
        )
        gens[g["pop"]].append(pg)
    recorder = None
    if spec["record"]:
        recorder = nest.Create("spike_recorder", params=spec.get("recorder_params", {}))
        for nodes in pops:
            nest.Connect(nodes, recorder)
    return pops, gens, recorder
