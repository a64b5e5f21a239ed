"""Export an :class:`rnmf.models.LIFNetwork` to NEST.

Networks that outgrow one machine run on NEST with MPI (Gewaltig & Diesmann
2007, Scholarpedia 2:1430).  :func:`to_nest` builds the same network through NEST's
Python API (NEST 3.x) in this process; :func:`nest_script` writes a standalone Python
script that builds it (``mpirun -n 64 python net.py`` on a cluster), from the same
specification (:func:`nest_spec`) and the same builder (``rnmf.sim._nest_build``,
copied verbatim into the script).

What is exported, per population: ``iaf_psc_delta`` (``tau_s = 0``) or ``iaf_psc_exp``
(``tau_syn_ex = tau_syn_in = tau_s``) neurons with the population's ``tau_m, C_m,
E_L, V_th, V_reset, t_ref`` and the constant drive as ``I_e``; per block,
``fixed_indegree`` (multapses and autapses allowed), ``pairwise_bernoulli`` or
``fixed_total_number`` connections; weights with a spread as
``normal(w, |w| J_sd)`` (``redraw``-n to the sign of ``w`` when ``J_truncate``, as the
NEST microcircuit example does); delays as NEST random parameters (``uniform``,
``redraw(normal)`` for a truncated Gaussian, ``lognormal`` with the parameters of the
underlying normal; an untruncated Gaussian is refused, as by the simulator); one
``poisson_generator`` of rate ``C_ext nu_ext`` per population and source, connected
to every neuron (each target receives an independent train); and initial potentials
as in :func:`rnmf.sim.spiking.simulate_lif`.

Unit conversions (NEST uses pA, pF): with the population's ``C_m`` and
``R = tau_m / C_m``, a constant drive ``mu_ext`` (mV) is ``I_e = mu_ext C_m / tau_m``;
a delta synapse keeps its PSP amplitude ``J`` (mV); an exponential synapse of the
same total charge has the PSC amplitude ``w = J C_m / tau_s`` (pA), since its
current ``w e^{-t/tau_s}`` carries ``w tau_s`` and moves ``V`` by ``w tau_s / C_m``
in total (Rotter & Diesmann 1999, Biol Cybern 81:381, eq. 1 and Table 1).

NEST is an optional dependency (``pip install nest-simulator``); it is imported
only when :func:`to_nest` runs.
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rnmf._checks import as_rng, check_array, check_int, check_positive
from rnmf.models import LIFNetwork
from rnmf.models.delays import Delay

from . import _nest_build

__all__ = ["NestNetwork", "nest_script", "nest_spec", "to_nest"]


@dataclass(frozen=True)
class NestNetwork:
    """Handles of a network built in NEST by :func:`to_nest`.

    Attributes
    ----------
    nest : module
        The ``nest`` module the network lives in.
    populations : tuple of NodeCollection
        One collection per population, in model order (global ids contiguous).
    generators : tuple
        The ``poisson_generator`` of each population (``None`` where ``C_ext nu_ext = 0``);
        with several external sources per population, a tuple of them.
    recorder : NodeCollection or None
        ``spike_recorder`` connected to every neuron.
    first_id : int
        NEST global id of neuron 0 of the model.
    """

    nest: Any
    populations: tuple
    generators: tuple
    recorder: Any
    first_id: int

    def simulate(self, T: float) -> tuple[np.ndarray, np.ndarray]:
        """Run ``T`` ms and return ``(senders, times)`` of all recorded spikes so far.

        ``senders`` are 0-based model indices (as in :class:`rnmf.sim.LIFResult`).
        """
        T = check_positive("T (ms)", T)
        self.nest.Simulate(T)
        if self.recorder is None:
            return np.zeros(0, dtype=np.int32), np.zeros(0)
        ev = self.recorder.get("events")
        senders = np.asarray(ev["senders"], dtype=np.int64) - self.first_id
        return senders.astype(np.int32), np.asarray(ev["times"], dtype=float)


def _delay_param(d: Delay, dt: float, where: str) -> Any:
    """A block's delay law as a NEST parameter; refuses laws with mass below ``dt``."""
    if d.kind == "fixed" or (d.kind == "uniform" and d.low == d.high):
        if d.mean < dt * (1 - 1e-9):
            raise ValueError(
                f"LIFNetwork.delay = {d.mean:g} ms{where} is shorter than the time step "
                f"dt = {dt:g} ms; pass a smaller dt or a longer delay"
            )
        return float(d.mean)
    if d.kind == "uniform":
        if d.low < dt * (1 - 1e-9):
            raise ValueError(
                f"LIFNetwork.delay = {d.low:g} ms{where} is shorter than the time step "
                f"dt = {dt:g} ms; pass a smaller dt or a longer delay"
            )
        return ["uniform", float(d.low), float(d.high)]
    d.pmf(dt)  # raises on mass below one step (an untruncated Gaussian always has some)
    if d.kind == "truncated_gaussian":
        hi = None if not np.isfinite(d.high) else float(d.high)
        return ["redraw", ["normal", float(d.mean), float(d.sd)], float(d.low), hi]
    if d.kind == "lognormal":
        # NEST takes the parameters of log D ~ N(m, s^2); the law's own mean and sd give
        # s^2 = log(1 + sd^2 / mean^2), m = log(mean) - s^2 / 2
        s2 = float(np.log1p((d.sd / d.mean) ** 2))
        return ["lognormal", float(np.log(d.mean) - 0.5 * s2), float(np.sqrt(s2))]
    raise ValueError(f"delay law {d!r}{where} cannot be exported to NEST")


def nest_spec(
    net: LIFNetwork,
    *,
    dt: float = 0.1,
    rng: None | int | np.random.Generator = None,
    V0: None | float | np.ndarray = None,
    threads: int = 1,
    C_m: float | None = None,
    record_spikes: bool = True,
) -> dict:
    """Plain-data (JSON) description of ``net`` in NEST's terms, built by :func:`to_nest`
    and :func:`nest_script`; arguments as :func:`to_nest`."""
    if not isinstance(net, LIFNetwork):
        raise ValueError(f"net must be an rnmf.models.LIFNetwork, got {type(net).__name__}")
    dt = check_positive("dt (ms)", dt)
    threads = check_int("threads", threads, minimum=1)
    P = net.P
    cm = net.neuron("C_m") if C_m is None else np.full(P, check_positive("C_m (pF)", C_m))
    delays = net.delay_matrix()
    dparams = [
        [_delay_param(delays[a][b], dt, "" if P == 1 else f" (block {a}, {b})") for b in range(P)]
        for a in range(P)
    ]
    K = np.asarray(net.K, dtype=float)
    if net.connectivity == "fixed_indegree" and np.any(np.abs(K - np.rint(K)) > 1e-9):
        raise ValueError(
            f"fixed in-degree connectivity needs integer in-degrees K, got {net.K!r}; "
            "round K or use connectivity='bernoulli'"
        )
    N = sum(net.N)
    if V0 is not None:
        V0a = np.asarray(V0, dtype=float)
        if V0a.ndim == 0:
            V0a = np.full(N, float(V0a))
        V0 = check_array("V0 (mV)", V0a, shape=(N,))
    seed = int(as_rng(rng).integers(1, 2**31 - 1))
    tau_m, tau_s = net.neuron("tau_m"), net.neuron("tau_s")
    E_L, V_th, V_reset = net.neuron("E_L"), net.neuron("V_th"), net.neuron("V_reset")
    t_ref = net.neuron("t_ref")
    exp_syn = tau_s > 0

    def weight(J: float, a: int) -> float:
        return float(J * cm[a] / tau_s[a]) if exp_syn[a] else float(J)

    pops = []
    start = 0
    for a in range(P):
        params = {
            "E_L": float(E_L[a]),
            "C_m": float(cm[a]),
            "tau_m": float(tau_m[a]),
            "V_th": float(V_th[a]),
            "V_reset": float(V_reset[a]),
            "t_ref": float(t_ref[a]),
            "I_e": float(net.mu_ext[a] * cm[a] / tau_m[a]),
        }
        if exp_syn[a]:
            params["tau_syn_ex"] = float(tau_s[a])
            params["tau_syn_in"] = float(tau_s[a])
        if V0 is None:
            v0: Any = ["uniform", float(min(E_L[a], V_reset[a])), float(V_th[a])]
        else:
            v0 = [float(v) for v in V0[start : start + net.N[a]]]
        start += net.N[a]
        model = "iaf_psc_exp" if exp_syn[a] else "iaf_psc_delta"
        pops.append({"model": model, "n": int(net.N[a]), "params": params, "V0": v0})
    conns = []
    for a in range(P):
        for b in range(P):
            k = float(net.K[a][b])
            if k == 0:
                continue
            if net.connectivity == "fixed_indegree":
                conn = {
                    "rule": "fixed_indegree",
                    "indegree": int(round(k)),
                    "allow_autapses": True,
                    "allow_multapses": True,
                }
            elif net.connectivity == "fixed_total_number":
                n_syn = int(round(k * net.N[a]))
                if n_syn == 0:
                    continue
                conn = {
                    "rule": "fixed_total_number",
                    "N": n_syn,
                    "allow_autapses": True,
                    "allow_multapses": True,
                }
            else:
                conn = {"rule": "pairwise_bernoulli", "p": k / net.N[b], "allow_autapses": True}
            w = weight(net.J[a][b], a)
            sd = float(net.J_sd[a][b])
            wp: Any = w
            if sd > 0 and w != 0:
                wp = ["normal", w, abs(w) * sd]
                if net.J_truncate:
                    wp = ["redraw", wp, 0.0, None] if w > 0 else ["redraw", wp, None, 0.0]
            conns.append({"pre": b, "post": a, "conn": conn, "weight": wp, "delay": dparams[a][b]})
    nu, C, Jx = net.external()
    gens = []
    for a in range(P):
        for q in range(nu.shape[1]):
            rate = float(C[a, q] * nu[a, q])
            if rate > 0:
                gens.append({"pop": a, "rate": rate, "weight": weight(Jx[a, q], a), "delay": dt})
    return {
        "resolution": dt,
        "seed": seed,
        "threads": threads,
        "populations": pops,
        "connections": conns,
        "generators": gens,
        "record": bool(record_spikes),
        "names": list(net.populations),
    }


def to_nest(
    net: LIFNetwork,
    *,
    dt: float = 0.1,
    rng: None | int | np.random.Generator = None,
    V0: None | float | np.ndarray = None,
    threads: int = 1,
    C_m: float | None = None,
    reset_kernel: bool = True,
    record_spikes: bool = True,
    nest: Any = None,
) -> NestNetwork:
    """Build ``net`` in NEST and return handles to it.

    Parameters
    ----------
    net : LIFNetwork
    dt : float
        NEST resolution (ms); every delay must be ``>= dt``.
    rng : None, int or numpy.random.Generator
        Draws NEST's ``rng_seed`` (in ``[1, 2^31 - 1]``).
    V0 : None, float or array of shape (N,)
        Initial potentials (mV); default uniform on ``[min(0, V_reset), V_th)`` drawn
        by NEST, as in :func:`rnmf.sim.spiking.simulate_lif`.
    threads : int
        ``local_num_threads``.
    C_m : float, optional
        Membrane capacitance (pF) of every population, overriding the model's ``C_m``
        (used for the unit conversions; no effect on the dynamics in mV).
    reset_kernel : bool
        Call ``nest.ResetKernel()`` first (sets resolution, seed and threads).
    record_spikes : bool
        Create a ``spike_recorder`` connected to all neurons.
    nest : module, optional
        An imported ``nest`` module (default: ``import nest``).

    Returns
    -------
    NestNetwork

    Raises
    ------
    ImportError
        If NEST is not installed and no module was passed.
    ValueError
        On delays shorter than ``dt`` or laws with mass below ``dt``, a non-integer fixed
        in-degree or a malformed ``V0``.

    References
    ----------
    Brunel N (2000) J Comput Neurosci 8:183, Sec. 2 (model); Potjans TC, Diesmann M
    (2014) Cereb Cortex 24:785, Table 5 (microcircuit; weight and delay redraws);
    Rotter S, Diesmann M (1999) Biol Cybern 81:381 (exact integration used by
    ``iaf_psc_*``).
    """
    spec = nest_spec(
        net, dt=dt, rng=rng, V0=V0, threads=threads, C_m=C_m, record_spikes=record_spikes
    )
    if nest is None:
        try:
            import nest  # optional dependency, imported on use
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "to_nest needs NEST: pip install nest-simulator (or rnmf[peers])"
            ) from exc
    pops, gens, recorder = _nest_build.build(nest, spec, reset_kernel=reset_kernel)
    first_id = int(pops[0][0].global_id)
    per_pop = tuple(None if not g else (g[0] if len(g) == 1 else tuple(g)) for g in gens)
    return NestNetwork(
        nest=nest,
        populations=tuple(pops),
        generators=per_pop,
        recorder=recorder,
        first_id=first_id,
    )


def nest_script(
    net: LIFNetwork,
    T: float,
    *,
    dt: float = 0.1,
    rng: None | int | np.random.Generator = None,
    V0: None | float | np.ndarray = None,
    threads: int = 1,
    C_m: float | None = None,
    path: str | Path | None = None,
) -> str:
    """A standalone Python script that builds ``net`` in NEST and simulates ``T`` ms.

    The script holds the specification of :func:`nest_spec` as JSON and the builder of
    :func:`to_nest` (copied verbatim), imports only ``json`` and ``nest``, and runs under
    MPI as is (``mpirun -n 8 python script.py``): every rank writes its spikes with a
    ``spike_recorder`` to ASCII files ``<label>-*.dat`` and rank 0 prints the build and
    simulation times.  Arguments as :func:`to_nest`; ``path`` also writes the file.

    Returns
    -------
    str
        The script's source.
    """
    T = check_positive("T (ms)", T)
    spec = nest_spec(net, dt=dt, rng=rng, V0=V0, threads=threads, C_m=C_m)
    spec["recorder_params"] = {"record_to": "ascii", "label": "rnmf_spikes"}
    builder = inspect.getsource(_nest_build).split("from __future__ import annotations", 1)[1]
    src = (
        f'"""NEST script exported by rnmf.sim.export.nest_script: {net.describe()}."""\n'
        "import json\nimport time\n\nimport nest\n"
        + builder
        + "\n\nSPEC = json.loads("
        + repr(json.dumps(spec))
        + ")\n"
        + f"T = {T!r}\n"
        + _SCRIPT_MAIN
    )
    if path is not None:
        Path(path).write_text(src)
    return src


_SCRIPT_MAIN = """

if __name__ == "__main__":
    t0 = time.perf_counter()
    pops, gens, rec = build(nest, SPEC)
    t1 = time.perf_counter()
    nest.Simulate(T)
    t2 = time.perf_counter()
    if nest.Rank() == 0:
        print(json.dumps({"build_s": t1 - t0, "simulate_s": t2 - t1,
                          "num_connections": nest.GetKernelStatus("num_connections")}))
"""
