"""Export an :class:`rnmf.models.LIFNetwork` to NEST.

Networks that outgrow one machine run on NEST with MPI (Gewaltig & Diesmann
2007, Scholarpedia 2:1430).  :func:`to_nest` builds the same network through NEST's
Python API (NEST 3.x): ``iaf_psc_delta`` (``tau_s = 0``) or ``iaf_psc_exp`` neurons with
``E_L = 0`` so that potentials are measured from rest as in the model,
``fixed_indegree`` (multapses and autapses allowed) or ``pairwise_bernoulli``
connections, one ``poisson_generator`` of rate ``C_ext nu_ext`` per population
connected to every neuron (each target receives an independent train), the
constant drive as ``I_e``, and initial potentials as in
:func:`rnmf.sim.spiking.simulate_lif`.

Unit conversions (NEST uses pA, pF): with ``C_m`` (default 250 pF) and
``R = tau_m / C_m``, a constant drive ``mu_ext`` (mV) is ``I_e = mu_ext C_m / tau_m``;
a delta synapse keeps its PSP amplitude ``J`` (mV); an exponential synapse of the
same total charge has the PSC amplitude ``w = J C_m / tau_s`` (pA), since its
current ``w e^{-t/tau_s}`` carries ``w tau_s`` and moves ``V`` by ``w tau_s / C_m``
in total (Rotter & Diesmann 1999, Biol Cybern 81:381, eq. 1 and Table 1).

NEST is an optional dependency (``pip install nest-simulator``); it is imported
only when :func:`to_nest` runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rnmf._checks import as_rng, check_array, check_int, check_positive
from rnmf.models import LIFNetwork

__all__ = ["NestNetwork", "to_nest"]


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
        The ``poisson_generator`` of each population (``None`` where ``C_ext nu_ext = 0``).
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


def to_nest(
    net: LIFNetwork,
    *,
    dt: float = 0.1,
    rng: None | int | np.random.Generator = None,
    V0: None | float | np.ndarray = None,
    threads: int = 1,
    C_m: float = 250.0,
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
    C_m : float
        Membrane capacitance (pF) used for the unit conversions (no effect on the
        dynamics in mV).
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
        On delays shorter than ``dt``, a non-integer fixed in-degree or a malformed ``V0``.

    References
    ----------
    Brunel N (2000) J Comput Neurosci 8:183, Sec. 2 (model); Rotter S, Diesmann M
    (1999) Biol Cybern 81:381 (exact integration used by ``iaf_psc_*``).
    """
    if not isinstance(net, LIFNetwork):
        raise ValueError(f"net must be an rnmf.models.LIFNetwork, got {type(net).__name__}")
    dt = check_positive("dt (ms)", dt)
    threads = check_int("threads", threads, minimum=1)
    C_m = check_positive("C_m (pF)", C_m)
    if net.delay < dt * (1 - 1e-9):
        raise ValueError(
            f"LIFNetwork.delay = {net.delay:g} ms is shorter than the time step dt = {dt:g} ms; "
            "pass a smaller dt or a longer delay"
        )
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
    if nest is None:
        try:
            import nest  # optional dependency, imported on use
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "to_nest needs NEST: pip install nest-simulator (or rnmf[peers])"
            ) from exc
    if reset_kernel:
        nest.ResetKernel()
        nest.SetKernelStatus({"resolution": dt, "rng_seed": seed, "local_num_threads": threads})
    exp_syn = net.tau_s > 0
    model = "iaf_psc_exp" if exp_syn else "iaf_psc_delta"
    pops = []
    for a in range(net.P):
        params = {
            "E_L": 0.0,
            "C_m": C_m,
            "tau_m": net.tau_m,
            "V_th": net.V_th,
            "V_reset": net.V_reset,
            "t_ref": net.t_ref,
            "I_e": net.mu_ext[a] * C_m / net.tau_m,
        }
        if exp_syn:
            params["tau_syn_ex"] = net.tau_s
            params["tau_syn_in"] = net.tau_s
        pops.append(nest.Create(model, net.N[a], params=params))
    first_id = int(pops[0][0].global_id)
    start = 0
    for a, pop in enumerate(pops):
        if V0 is None:
            pop.set(V_m=nest.random.uniform(min=min(0.0, net.V_reset), max=net.V_th))
        else:
            pop.set(V_m=[float(v) for v in V0[start : start + net.N[a]]])
        start += net.N[a]

    def weight(J: float) -> float:
        return J * C_m / net.tau_s if exp_syn else J

    if net.delay_max is None or net.delay_max == net.delay:
        delay: Any = net.delay
    else:
        delay = nest.random.uniform(min=net.delay, max=net.delay_max)
    for a in range(net.P):
        for b in range(net.P):
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
            else:
                conn = {"rule": "pairwise_bernoulli", "p": k / net.N[b], "allow_autapses": True}
            syn = {"synapse_model": "static_synapse", "weight": weight(net.J[a][b]), "delay": delay}
            nest.Connect(pops[b], pops[a], conn_spec=conn, syn_spec=syn)
    gens = []
    for a in range(net.P):
        rate = float(net.C_ext[a]) * float(net.nu_ext[a])
        if rate <= 0:
            gens.append(None)
            continue
        pg = nest.Create("poisson_generator", params={"rate": rate})
        nest.Connect(
            pg,
            pops[a],
            conn_spec={"rule": "all_to_all"},
            syn_spec={
                "synapse_model": "static_synapse",
                "weight": weight(net.J_ext[a]),
                "delay": dt,
            },
        )
        gens.append(pg)
    recorder = None
    if record_spikes:
        recorder = nest.Create("spike_recorder")
        for pop in pops:
            nest.Connect(pop, recorder)
    return NestNetwork(
        nest=nest,
        populations=tuple(pops),
        generators=tuple(gens),
        recorder=recorder,
        first_id=first_id,
    )
