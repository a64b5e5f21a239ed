r"""Microcircuit rates: the diffusion theory against rnmf's simulation, with an error model.

The cortical microcircuit of Potjans & Diesmann (2014, Cereb Cortex 24:785) sits close to an
oscillatory (gamma) instability: its stationary diffusion theory misses the simulated
full-scale rates by up to ~20-28 % (L2/3E; rnmf 0.953 Hz, NEST's ``Potjans_2014`` example
0.971 Hz against 0.756 Hz; NNMT's own comparison with NEST shows the same gap).  Bos, Diesmann
& Helias (2016, PLoS Comput Biol 12:e1005132) moved the circuit away from that instability: L4E receives 1780 instead of 2100 background
inputs, the L4I -> L4E in-degree is 675, and the delay spreads equal the means (1.5 ms
excitatory, 0.75 ms inhibitory; the parameters of NNMT 1.3.0's ``Bos2016_network_params``
fixture).  That circuit is the passing row here; PD2014's original one is a documented gap
(:func:`microcircuit_sim_rows` with ``gap_rows=True``: the L2/3E row fails, by design).

**Error model** (stated, derived, measured; nothing tuned).  At the working point
:math:`\nu^* = \Phi(\nu^*)` (Fourcaud & Brunel 2002 shifted Siegert rate, eq. 4.33) an error
:math:`\delta\Phi` of the single-neuron transfer moves the self-consistent rates to first
order by

.. math:: \delta\nu = (1 - M)^{-1}\,\delta\Phi, \qquad M_{ab} = \partial\Phi_a/\partial\nu_b

(implicit-function theorem on :math:`\nu = \Phi(\nu)`; ``M`` the zero-frequency effective
connectivity with both pathways, :func:`closed_loop_gain`).  :math:`\delta\Phi` is *measured* in the same
run at the working point itself: unconnected neurons of every population driven by
independent Poisson trains with exactly the working point's input mean and variance and the
circuit's PSPs (the open loop, :func:`open_loop_network`), ``delta Phi = Phi_sim - nu*``.
It holds the two systematic errors of the diffusion theory, the finite-PSP (shot-noise)
error, first order in :math:`J/\sigma` (Richardson & Swarbrick 2010, PRL 105:178102;
Helias et al. 2010, PLoS Comput Biol 6:e1000929), and the :math:`O(\tau_s/\tau_m)` error of
the first-order colored-noise theory (Fourcaud & Brunel 2002; Schuecker, Diesmann & Helias
2015, Phys Rev E 92:052119).  A network row passes when

.. math:: |\nu_{sim} - \nu^*| \le z\,\sqrt{se_{sim}^2 + se_{pred}^2}
          + |[(1-M)^{-1}\delta\Phi]_a|

with ``z = 4`` (:data:`Z`), ``se_sim`` the batch-means standard error of the network rate
(10 batches) and ``se_pred = sqrt((1-M)^{-2} se_open^2)`` the propagated standard error of
the open-loop rates (independent neurons: spread of their counts).  Anything the open loop
cannot see (recurrent spike trains that are not Poisson, correlations, fluctuations near an
instability) is *not* allowed for, so a row can fail, and does for PD2014.

Both systematic terms were measured separately once (Bos 2016 working point, 1000 neurons
per population, 2 s; :func:`replace_recurrent_inputs` with ``psp=0.5`` keeps mean and
variance and halves the PSPs): the shift theory overestimates the open-loop rates by
21 / 15 / 10 / 6 / 6 / 5 / 23 / 5 % (L23E ... L6I) with the circuit's PSPs (``J_E/sigma =
0.03``, ``J_I/sigma = 0.11-0.14``) and by 11 / 8 / 6 / 3 / 3 / 3 / 14 / 3 % with halved
PSPs.  The open-loop error is thus first order in ``J``, almost all finite-PSP; the
Richardson extrapolation to ``J -> 0`` leaves a colored-noise residual of -1 / -1 / -3 / -1 /
0 / -1 / -5 / -2 % (statistical error 2-7 %).  The loop is inhibition-dominated (eigenvalues of
``M`` up to 9 in modulus) and suppresses these errors about tenfold at full scale (-1.5 % in
L23E, -7 % in L6E).  The a-priori spread of the two first-order colored-noise variants
(Taylor minus shift; Schuecker et al. 2015) is -6 % / -9 % (L23E / L6E) for the full
circuit but -49 % / -38 % in the open loop, where the Taylor variant leaves its range
(correction > 30 % of the rate): it is drawn in the figure, not used as an allowance.

**Rows.**

* default and ``quick``: the Bos circuit with ``N`` and every in-degree scaled by
  :data:`KEEP` = 0.1 and the other 90 % of each neuron's recurrent inputs replaced by
  independent Poisson trains at the full-scale working-point rates, with the same PSPs
  (moment matched for the 10 % weight spread; :func:`replace_recurrent_inputs`).  The
  connection probability, the PSPs and hence the finite-PSP error are those of the full
  circuit and its theory is exactly the full-scale working point; the loop gain is ``0.1
  M``, so the measured open-loop error shows up about ten times less suppressed (-11 % in
  L23E).  van Albada et al.'s (2015) down-scaling would instead raise the PSPs by
  ``1/sqrt(0.1)`` and put the network 10-50 % below the theory.
* ``long``: the full-scale Bos circuit (77 169 neurons, 3e8 synapses, 3.1 GB peak, ~3 min
  per simulated second on one core).  Measured with ``base_seed=0`` (1 s): every row passes;
  L23E 0.761 +- 0.014 Hz against 0.725 Hz (+5.0 %, allowed 0.068 Hz), L6E 1.087 +- 0.017
  against 1.131 (-3.9 %, allowed 0.122), the other six within 3.3 %; an earlier run (seed
  1) gave L23E 0.787 +- 0.017 Hz (+8.6 %).
* ``gap_rows``: PD2014's original circuit simulated at full scale (1 s) with the same error
  model, a documented gap.  Measured with ``base_seed=0``: L23E 0.917 +- 0.027 Hz against
  0.756 Hz (+21 %, allowed 0.114 Hz: FAIL), L23I +6.8 % (FAIL), L5I +1.9 % (FAIL, 5.5
  sem), the other five pass.  The measured open-loop term is small here (+0.005 Hz in
  L23E): the gap is not a single-neuron error of the diffusion theory but a network effect
  the stationary theory lacks.

Cost (one core): default ~11 s of CPU (the reduced network, 2 s; one open-loop run of
~16 000 unconnected neurons, 2 s), ``quick`` ~9 s; ``long`` adds ~3-4 min and 2.9 GB,
``gap_rows`` as much again.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from ..models import LIFNetwork
from ..models.delays import Delay
from .check import Check
from .seeds import seed_for

__all__ = [
    "KEEP",
    "Z",
    "bos2016_microcircuit",
    "closed_loop_gain",
    "microcircuit_error_model",
    "microcircuit_sim_rows",
    "open_loop_network",
    "rate_map",
    "replace_recurrent_inputs",
]

#: Multiple of the combined standard error allowed: z is Student-like with ~9 degrees of
#: freedom (batch means) and 8 populations are tested at once; P(|t_9| > 4) = 0.3 % per row.
Z = 4.0
#: Fraction of neurons and in-degrees kept in the default (cheap) network.
KEEP = 0.1
#: Bos et al. (2016) modifications (NNMT 1.3.0 fixture ``Bos2016_network_params.yaml``).
BOS2016_K_L4E_FROM_L4I = 675.0
BOS2016_KEXT_L4E = 1780.0

_SUITE_KEY = 4  # the lif suite's seed key; 300+ are this module's streams
_DT = 0.1


def bos2016_microcircuit(*, delay_low: float = 0.1) -> LIFNetwork:
    """The full-scale microcircuit as modified by Bos, Diesmann & Helias (2016).

    Potjans & Diesmann (2014) (:meth:`LIFNetwork.microcircuit`) with the L4I -> L4E
    in-degree 675 (instead of ~1600), 1780 background inputs to L4E (instead of 2100) and
    truncated-Gaussian delays whose standard deviations equal their means (1.5 ms
    excitatory, 0.75 ms inhibitory, truncated at ``delay_low``).

    References
    ----------
    Bos H, Diesmann M, Helias M (2016) PLoS Comput Biol 12:e1005132 (network parameters
    as in NNMT 1.3.0's fixture ``Bos2016_network_params.yaml``); Potjans TC,
    Diesmann M (2014) Cereb Cortex 24:785, Table 5.
    """
    base = LIFNetwork.microcircuit(1.0, delay_low=delay_low)
    K = np.array(base.K, dtype=float)
    K[2, 3] = BOS2016_K_L4E_FROM_L4I
    C = np.array(base.external()[1], dtype=float)
    C[2, 0] = BOS2016_KEXT_L4E
    d_e = Delay.truncated_gaussian(1.5, 1.5, low=delay_low)
    d_i = Delay.truncated_gaussian(0.75, 0.75, low=delay_low)
    delay = tuple(tuple(d_e if b % 2 == 0 else d_i for b in range(base.P)) for _ in range(base.P))
    return dataclasses.replace(
        base,
        K=tuple(map(tuple, K)),
        C_ext=tuple(map(tuple, C)),
        delay=delay,
        name="Bos et al. 2016 microcircuit",
    )


def _per_pop(net: LIFNetwork, value: Any) -> np.ndarray:
    return np.broadcast_to(np.asarray(value, dtype=float), (net.P,)).copy()


def rate_map(net: LIFNetwork, rates: Any, *, synapse: str = "shift") -> np.ndarray:
    r"""The open-loop rate map :math:`\Phi_a(\mu_a(\nu), \sigma_a(\nu))` (Hz).

    Input statistics of :func:`rnmf.theory.lif.input_statistics` (Brunel 2000, eqs. 4-5)
    and the Siegert rate with the colored-noise ``synapse`` correction of
    :func:`rnmf.theory.lif.siegert` (Brunel 2000, eq. 21; Fourcaud & Brunel 2002, eq. 4.33).
    """
    from rnmf.theory import lif

    mu, sigma = lif.input_statistics(net, rates)
    E_L = _per_pop(net, net.E_L)
    tau_m, t_ref, tau_s = (_per_pop(net, v) for v in (net.tau_m, net.t_ref, net.tau_s))
    V_th, V_r = _per_pop(net, net.V_th) - E_L, _per_pop(net, net.V_reset) - E_L
    return np.array(
        [
            float(
                lif.siegert(
                    mu[a],
                    sigma[a],
                    tau_m=tau_m[a],
                    V_th=V_th[a],
                    V_reset=V_r[a],
                    t_ref=t_ref[a],
                    tau_s=tau_s[a],
                    synapse=synapse,
                )
            )
            for a in range(net.P)
        ]
    )


def closed_loop_gain(net: LIFNetwork, rates: Any) -> np.ndarray:
    r"""``(1 - M)^{-1}``, ``M = dPhi/dnu`` at ``rates``.

    ``M`` is the zero-frequency effective connectivity with the mean and variance pathways,
    :func:`rnmf.theory.lif.effective_connectivity` (``variance=True``; Brunel 2000, Sec. 4:
    at ``omega = 0`` the transfer functions are ``d nu / d mu`` and ``d nu / d sigma^2``, so
    ``M`` is the Jacobian of :func:`rate_map`; central differences of it agree to 2e-9 on
    the Bos circuit).  Maps an error ``dPhi`` of the open-loop transfer to the error ``dnu``
    of the self-consistent rates, to first order (implicit-function theorem applied to
    ``nu = Phi(nu)``).
    """
    from rnmf.theory import lif

    nu = np.asarray(rates, dtype=float)
    M = lif.effective_connectivity(net, [0.0], rates=nu, variance=True)[0].real
    return np.linalg.inv(np.eye(net.P) - M)


def replace_recurrent_inputs(
    net: LIFNetwork,
    rates: Any,
    keep: float,
    *,
    N: Any = None,
    psp: float = 1.0,
) -> LIFNetwork:
    r"""``net`` with a fraction ``keep`` of its neurons and in-degrees, the rest of each
    neuron's recurrent inputs replaced by independent Poisson trains at ``rates``.

    Block ``(a, b)`` keeps ``keep K_ab`` recurrent inputs; the other ``(1 - keep) K_ab``,
    whose weights have the moments ``E w``, ``E w^2`` (:meth:`LIFNetwork.weight_moments`),
    become a Poisson source of weight ``E w^2 / E w`` and rate ``(1 - keep) K_ab nu_b (E
    w)^2 / E w^2``: the same contribution to the mean and variance of the input (Brunel
    2000, eqs. 4-5).  Sources of equal weight are merged (with the background).  With
    ``psp != 1`` every Poisson source's weight is multiplied by ``psp`` and its rate divided
    by ``psp^2`` (same variance) and a DC ``mu_ext`` restores the mean: the same
    diffusion-theory input with smaller or larger PSPs.  At ``rates`` equal to the
    working point the diffusion theory of the result has the same working point.

    Parameters
    ----------
    net : LIFNetwork
    rates : array_like of P
        Rates (Hz) of the replaced inputs (the full network's working point).
    keep : float
        Fraction of neurons and in-degrees kept, in [0, 1]; 0 gives unconnected neurons.
    N : array_like of P int, optional
        Neurons per population (default ``round(keep N)``, at least 1).
    psp : float
        Factor on the PSPs of the Poisson sources (> 0).
    """
    if not 0.0 <= keep <= 1.0:
        raise ValueError(f"keep must be in [0, 1], got {keep!r}")
    if not psp > 0:
        raise ValueError(f"psp must be > 0, got {psp!r}")
    nu = np.asarray(rates, dtype=float)
    if nu.shape != (net.P,) or not np.all(np.isfinite(nu)) or np.any(nu < 0):
        raise ValueError(f"rates must be {net.P} finite rates >= 0 (Hz), got {rates!r}")
    K = np.asarray(net.K, dtype=float)
    m1, m2 = net.weight_moments()
    r_e, C_e, J_e = net.external()
    sources = []
    for a in range(net.P):
        merged: dict[float, float] = {}
        for b in range(net.P):
            if K[a, b] > 0 and keep < 1.0 and m1[a, b] != 0:
                w = float(m2[a, b] / m1[a, b])
                merged[w] = (
                    merged.get(w, 0.0) + (1 - keep) * K[a, b] * nu[b] * m1[a, b] ** 2 / m2[a, b]
                )
        for r, c, j in zip(r_e[a], C_e[a], J_e[a], strict=True):
            if c * r > 0:
                merged[float(j)] = merged.get(float(j), 0.0) + c * r
        sources.append(sorted(merged.items()))
    S = max(1, max(len(s) for s in sources))
    rate = np.zeros((net.P, S))
    weight = np.full((net.P, S), 0.1)
    for a, src in enumerate(sources):
        for i, (w, total) in enumerate(src):
            rate[a, i] = total / psp**2
            weight[a, i] = w * psp
    tau_m = _per_pop(net, net.tau_m)
    # mean of the sources grows by 1/psp; a DC (mV) takes the excess back
    excess = tau_m * (rate * weight).sum(axis=1) * (1.0 - psp) / 1000.0
    mu_ext = _per_pop(net, net.mu_ext) - excess
    if N is None:
        N = tuple(max(1, int(round(keep * n))) for n in net.N)
    else:
        N = tuple(int(n) for n in N)
    return dataclasses.replace(
        net,
        N=N,
        K=tuple(map(tuple, keep * K)),
        nu_ext=tuple(map(tuple, rate)),
        C_ext=tuple(map(tuple, np.ones((net.P, S)))),
        J_ext=tuple(map(tuple, weight)),
        mu_ext=tuple(mu_ext),
    )


def open_loop_network(
    net: LIFNetwork, rates: Any, *, spikes: float, T: float, psp: float = 1.0, n_max: int = 6000
) -> LIFNetwork:
    """Unconnected neurons of every population driven as at the working point ``rates``.

    :func:`replace_recurrent_inputs` with ``keep = 0``; population ``a`` gets
    ``ceil(spikes / (nu_a T))`` neurons (at most ``n_max``), so that every population's
    rate is measured from about ``spikes`` spikes in ``T`` ms.
    """
    nu = np.asarray(rates, dtype=float)
    n = np.minimum(n_max, np.ceil(spikes / np.maximum(nu, 1e-3) / (T * 1e-3))).astype(int)
    return replace_recurrent_inputs(net, nu, 0.0, N=np.maximum(n, 20), psp=psp)


def _open_loop_rates(net: LIFNetwork, T: float, burn_in: float, seed: int) -> dict[str, Any]:
    from rnmf.sim import simulate_lif

    res = simulate_lif(
        net, T, dt=_DT, rng=seed, burn_in=burn_in, record_spikes=False, progress=False
    )
    counts = np.asarray(res.spike_counts, dtype=float)
    r, se = [], []
    for lo, hi in res.pop_slices:
        c = counts[lo:hi] / (T * 1e-3)
        r.append(c.mean())
        se.append(c.std(ddof=1) / math.sqrt(c.size))
    return {"rates": np.array(r), "sem": np.array(se), "N": sum(net.N)}


def _network_rates(
    net: LIFNetwork, T: float, burn_in: float, seed: int, n_batches: int
) -> dict[str, Any]:
    """Rates over ``(burn_in, burn_in + T]`` and their batch-means standard errors."""
    from rnmf.sim import simulate_lif

    res = simulate_lif(
        net,
        T,
        dt=_DT,
        rng=seed,
        burn_in=burn_in,
        record_spikes=False,
        progress=False,
        record_rates_bin=T / n_batches,
    )
    pr = np.asarray(res.pop_rates, dtype=float)[:n_batches]
    return {
        "rates": np.asarray(res.mean_rates),
        "sem": pr.std(axis=0, ddof=1) / math.sqrt(pr.shape[0]),
        "batches": pr.shape[0],
        "N": sum(net.N),
        "wall": res.build_time + res.run_time,
    }


def microcircuit_error_model(
    net: LIFNetwork, rates: Any, open_loop: dict[str, Any]
) -> dict[str, np.ndarray]:
    r"""Systematic term of the diffusion theory for ``net`` at its working point ``rates``.

    ``open_loop`` holds the measured rates (``"rates"``) and standard errors (``"sem"``)
    of Poisson-driven neurons with the working point's inputs (:func:`open_loop_network`).
    Returns, in Hz, the open-loop error ``open = Phi_sim - rates``, the closed-loop term
    ``shift = G open`` (``G`` = :func:`closed_loop_gain` of ``net``: the first-order change
    of the self-consistent rates), its standard error ``sem = sqrt(G^2 sem_open^2)`` (the
    neurons are independent) and ``gain = G``.
    """
    nu = np.asarray(rates, dtype=float)
    G = closed_loop_gain(net, nu)
    d = np.asarray(open_loop["rates"], dtype=float) - nu
    s = np.asarray(open_loop["sem"], dtype=float)
    return {"shift": G @ d, "sem": np.sqrt((G**2) @ s**2), "open": d, "gain": G}


def _rows(
    label: str,
    params: str,
    net: LIFNetwork,
    theory: np.ndarray,
    sim: dict[str, Any],
    err: dict[str, np.ndarray],
    note_extra: str,
) -> list[Check]:
    rows = []
    for a, pop in enumerate(net.populations):
        floor = abs(float(err["shift"][a]))
        sem_tot = math.hypot(float(sim["sem"][a]), float(err["sem"][a]))
        rows.append(
            Check(
                f"{label} rate {pop} (Hz)",
                params,
                float(theory[a]),
                float(sim["rates"][a]),
                sem_tot,
                1,
                int(sim["N"]),
                z=Z,
                finite_size=0.0,
                order=0.0,
                floor=floor,
                note=(
                    f"z={Z:g} x (batch-means sem of the network rate (+) sem of the measured term) "
                    f"+ |{float(err['shift'][a]):+.3f}| Hz: the open-loop error of the theory "
                    f"({float(err['open'][a]):+.3f} Hz, Poisson-driven neurons: finite PSPs and "
                    f"colored noise) propagated by (1-M)^-1{note_extra}"
                ),
            )
        )
    return rows


def microcircuit_sim_rows(
    *,
    quick: bool,
    long: bool,
    base_seed: int = 0,
    gap_rows: bool = False,
    figures: bool = True,
) -> tuple[list[Check], dict[str, Any]]:
    r"""Microcircuit rates, theory against rnmf's simulation (module docstring).

    Parameters
    ----------
    quick : bool
        Shorter runs (network 1 s instead of 2 s, open loop ~5 000 instead of ~10 000
        spikes per population).
    long : bool
        Add the full-scale Bos et al. (2016) circuit (~3-4 min, 3.1 GB peak).
    base_seed : int
        Base seed of the run (:func:`rnmf.validate.seeds.seed_for`, keys ``4, 300+``).
    gap_rows : bool
        Add PD2014's original circuit simulated at full scale (as costly as ``long``):
        the documented gap (L2/3E fails its allowance by design; so do L2/3I and L5I).
    figures : bool
        Draw the theory-vs-simulation bars.

    Returns
    -------
    checks : list of Check
        Rows ``microcircuit Bos2016 ... rate <pop> (Hz)``: 8 for the reduced circuit, 8
        more with ``long``, 8 more with ``gap_rows``.
    figs : dict
        ``"lif_microcircuit_rates"``.

    References
    ----------
    Potjans & Diesmann (2014) Cereb Cortex 24:785, Tables 4-5; Bos, Diesmann & Helias
    (2016) PLoS Comput Biol 12:e1005132; Fourcaud & Brunel (2002) Neural Comput 14:2057,
    eq. 4.33; Brunel (2000) J Comput Neurosci 8:183, eqs. 4-5 and 21.
    """
    from rnmf.theory import lif

    T_net = 1000.0 if quick else 2000.0
    T_open = 1000.0 if quick else 2000.0
    spikes = 5000.0 if quick else 10000.0
    burn_in = 200.0
    n_batches = 10

    def seed(i: int) -> int:
        return seed_for(base_seed, _SUITE_KEY, 300 + i)

    full = bos2016_microcircuit()
    th = lif.stationary_rates(full, n_starts=0)
    nu = np.asarray(th.rates, dtype=float)
    nu_taylor = np.asarray(lif.stationary_rates(full, n_starts=0, synapse="taylor").rates)

    def open_loop(net: LIFNetwork, rates: np.ndarray, k: int) -> dict[str, Any]:
        ol = open_loop_network(net, rates, spikes=spikes, T=T_open)
        return _open_loop_rates(ol, T_open, burn_in, seed(k))

    o_bos = open_loop(full, nu, 0)
    reduced = replace_recurrent_inputs(full, nu, KEEP)
    th_red = np.asarray(lif.stationary_rates(reduced, n_starts=0).rates)
    if not np.allclose(th_red, nu, rtol=1e-6):  # the construction's promise
        raise RuntimeError(f"reduced circuit's working point {th_red} differs from {nu}")
    sim_red = _network_rates(reduced, T_net, burn_in, seed(2), n_batches)
    err_red = microcircuit_error_model(reduced, nu, o_bos)
    checks = _rows(
        "microcircuit Bos2016 reduced",
        f"Bos et al. 2016 circuit, N and K x{KEEP:g}, {100 * (1 - KEEP):.0f}% of recurrent "
        f"inputs Poisson at the working point, T={T_net:g}ms",
        reduced,
        nu,
        sim_red,
        err_red,
        f" (loop gain {KEEP:g} M)",
    )
    panels = [("Bos 2016, N and K x0.1", nu, sim_red, err_red)]
    if long:
        sim_full = _network_rates(full, 1000.0, burn_in, seed(3), n_batches)
        err_full = microcircuit_error_model(full, nu, o_bos)
        checks += _rows(
            "microcircuit Bos2016 full",
            "Bos et al. 2016 circuit, full scale (77169 neurons), T=1000ms",
            full,
            nu,
            sim_full,
            err_full,
            "",
        )
        panels.append(("Bos 2016, full scale", nu, sim_full, err_full))
    if gap_rows:
        pd = LIFNetwork.microcircuit(1.0)
        nu_pd = np.asarray(lif.stationary_rates(pd, n_starts=0).rates, dtype=float)
        err_pd = microcircuit_error_model(pd, nu_pd, open_loop(pd, nu_pd, 10))
        sim_pd = _network_rates(pd, 1000.0, burn_in, seed(11), n_batches)
        checks += _rows(
            "microcircuit PD2014 full (documented gap)",
            "Potjans & Diesmann 2014 circuit, full scale (77169 neurons), T=1000ms",
            pd,
            nu_pd,
            sim_pd,
            err_pd,
            "; expected to FAIL in L2/3E: the circuit sits near a gamma instability that the "
            "stationary diffusion theory and this error model do not describe",
        )
        panels.append(("PD2014, full scale", nu_pd, sim_pd, err_pd))
    figs: dict[str, Any] = {}
    if figures:
        figs["lif_microcircuit_rates"] = _figure(full.populations, panels, nu_taylor, nu)
    return checks, figs


def _figure(pops, panels, nu_taylor, nu_bos) -> Any:
    """Top: theory and simulated rates per population; bottom: relative deviation with the
    allowed band and the first-order prediction of the measured open-loop error."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4.4 * len(panels), 6.0))
    axes = np.asarray(fig.subplots(2, len(panels), squeeze=False))
    x = np.arange(len(pops))
    for k, (title, theory, sim, err) in enumerate(panels):
        top, bottom = axes[0, k], axes[1, k]
        allowed = Z * np.hypot(sim["sem"], err["sem"]) + np.abs(err["shift"])
        top.bar(x - 0.2, theory, 0.4, color="0.7", label="theory (shift)")
        top.bar(
            x + 0.2,
            sim["rates"],
            0.4,
            color="C0",
            yerr=sim["sem"],
            capsize=2,
            label="simulation (± sem)",
        )
        if theory is nu_bos:
            top.plot(x - 0.2, nu_taylor, "k_", ms=10, label="Taylor variant (full circuit)")
        top.set_xticks(x, pops)
        top.set_title(title, fontsize=9)
        top.set_ylabel("rate (Hz)")
        bottom.bar(
            x, 2 * allowed / theory, 0.8, bottom=-allowed / theory, color="0.85", label="allowed"
        )
        bottom.errorbar(
            x,
            (sim["rates"] - theory) / theory,
            yerr=sim["sem"] / theory,
            fmt="o",
            color="C0",
            capsize=2,
            label="simulation",
        )
        bottom.plot(
            x, err["shift"] / theory, "x", color="C3", label="(1-M)^-1 x measured open-loop error"
        )
        bottom.axhline(0.0, color="k", lw=0.6)
        bottom.set_xticks(x, pops)
        bottom.set_ylabel("(sim - theory) / theory")
    axes[0, 0].legend(fontsize=6, loc="upper left")
    axes[1, 0].legend(fontsize=6, loc="best")
    fig.tight_layout()
    return fig
