r"""The ``precision`` suite: finite-precision theory against simulation in the chip's arithmetic.

Rows (each a :class:`~rnmf.validate.check.Check`):

* **chaos moved by rounding**: a subcritical random rate network (g = 0.9) whose
  couplings are stochastically rounded on a coarse grid becomes chaotic, with the
  :math:`\Delta_0` of the DMFT at :math:`g_{\rm eff}` (SCS 1988 eqs. 4-6 with
  :func:`rnmf.theory.precision.effective_network`); a 3-bit (nearest) chaotic network at
  its g_eff; and a chaotic network (g = 1.4) silenced by truncating its couplings
  toward zero (g_eff < 1: :math:`\Delta_0 = 0`).
* **effective time constant** of a leak stored in bfloat16 (Euler, every operation in
  bf16): the decay time of the simulated map against :math:`-\Delta t/\ln a` of the rounded
  factor (:func:`~rnmf.theory.precision.effective_tau`), with round-to-nearest where
  the increments are resolved and with stochastic rounding where they are not; the
  swamped round-to-nearest case is flagged "not predicted" by
  :func:`~rnmf.theory.precision.swamping` and shown to deviate.
* **LIF rates under short floats**: unconnected LIF neurons under Poisson drive with
  every operation in fp16 or bf16 (nearest and stochastic rounding,
  :func:`rnmf.sim.simulate_lif` with ``fmt``) against the Siegert rate (Brunel 2000,
  eq. 21) at tau_eff of the rounded propagator; the cases that
  :func:`~rnmf.theory.precision.swamping` flags (the smallest increment between reset and
  threshold is not many half-ulps of the threshold) are shown to deviate.
* **integer leaky integration**: the stationary mean bias under dithering input for
  floor, toward-zero, nearest and stochastic rounding (rounded with the simulators'
  own primitive, :func:`rnmf.sim.formats.quantize`), and the dead band of the Loihi
  preset's voltage (:func:`rnmf.sim.loihi.simulate_loihi`) against
  :func:`~rnmf.theory.precision.integer_leak`.
* **SpiNNaker ring buffers**: the fraction of saturated 16-bit slots under Poisson input
  against the Poisson tail (:func:`~rnmf.theory.precision.overflow_probability`), and no
  saturation with the host's shift.

Error models are stated per row (``note``): sem over seeds or chains, binomial sem for
counts, the O(1/sqrt N) network-to-network spread of Delta0, and the per-store rounding
bound for deterministic rounding.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .check import Check
from .seeds import map_tasks, seed_for
from .tolerance import sem

__all__ = ["run_precision"]


# --------------------------------------------------------------------------------------
# chaos transition moved by quantisation
# --------------------------------------------------------------------------------------


def _delta0_point(N: int, g: float, step_rel: float, rounding: str, T: float, seed: int):
    from rnmf import sim
    from rnmf.models import RateNetwork
    from rnmf.sim.quantizers import quantize_weights

    net = RateNetwork(N=N, g=g)
    J = sim.sample_couplings(net, seed)
    q = step_rel * g / math.sqrt(N)
    Jq = quantize_weights(J, bits=16, scale=q, rounding=rounding, seed=seed % 2**31).values
    tr = sim.simulate(
        net, T, dt=0.1, method="exp_euler", rng=seed, J=Jq, burn_in=100.0, record_units=0,
        progress=False,
    )  # fmt: skip
    return float(sim.delta0(tr))


def _chaos_rows(quick: bool, seeds: int, seed: int, jobs: int) -> list[Check]:
    from rnmf.models import RateNetwork
    from rnmf.theory import dmft
    from rnmf.theory.precision import effective_network

    N = 600 if quick else 800
    T = 100.0 if quick else 150.0
    cases = [
        # (g, step in units of sigma_J, rounding, bits, label)
        (0.9, 3.0, "stochastic", None, "subcritical pushed into chaos (SR, q = 3 sigma_J)"),
        (1.6, None, "nearest", 3, "3-bit nearest, clip 3 sigma_J"),
        (1.4, 2.0, "zero", None, "chaotic silenced (toward zero, q = 2 sigma_J)"),
    ]
    tasks, theory = [], []
    for i, (g, srel, mode, bits, _) in enumerate(cases):
        net = RateNetwork(N=N, g=g)
        if bits is not None:
            eff, _ = effective_network(net, bits=bits, clip=3.0, rounding=mode)
            srel = 3.0 / (2 ** (bits - 1) - 1)
        else:
            eff, _ = effective_network(net, step=srel * g / math.sqrt(N), rounding=mode)
        theory.append((eff, dmft.solve(eff, lyapunov=False).Delta0))
        for k in range(seeds):
            tasks.append((N, g, srel, mode, T, seed_for(seed, 71, i, k)))
    vals = map_tasks(_delta0_point, tasks, jobs)
    rows = []
    for i, (g, _, _, _, label) in enumerate(cases):
        v = vals[i * seeds : (i + 1) * seeds]
        eff, d0 = theory[i]
        quiet = d0 < 1e-8
        rows.append(
            Check(
                quantity="Delta0 at g_eff",
                params=f"g={g}, {label}: g_eff={eff.g:.3f}",
                theory=float(d0),
                sim=float(np.mean(v)),
                sem=sem(v),
                n_seeds=seeds,
                N=N,
                finite_size=0.0 if quiet else 2.0,
                floor=2e-3 if quiet else 0.0,
                note="quantised couplings enter the DMFT through mean and variance only; "
                "O(1/sqrt N) network-to-network spread of Delta0"
                + (
                    "; quiet state: decays to 0 (floor for the residual transient)" if quiet else ""
                ),
                samples=tuple(v),
            )
        )
    return rows


# --------------------------------------------------------------------------------------
# effective time constant and swamping (bfloat16 leak)
# --------------------------------------------------------------------------------------


def _tau_rows(quick: bool, seed: int) -> list[Check]:
    from rnmf import sim
    from rnmf.models import RateNetwork
    from rnmf.sim.formats import MixedPrecision
    from rnmf.theory.precision import effective_tau, swamping

    N = 100  # independent units (J = 0): the SR row's sem is over them
    net = RateNetwork(N=N, g=0.0, phi="linear")
    rows = []
    for dt, fmt in ((0.05, "bf16"), (0.004, "bf16-sr"), (0.004, "bf16")):
        rounding = "stochastic" if fmt.endswith("sr") else "nearest"
        th = effective_tau(dt, 1.0, "bfloat16", scheme="euler")
        a = th.decay
        sw = swamping((1.0 - a) * 0.5, 0.5, "bfloat16", rounding=rounding)
        tr = sim.simulate(
            net, 1.0, dt=dt, rng=seed_for(seed, 72, int(dt * 1e4)), J=np.zeros((N, N)),
            I=np.zeros(N), x0=np.ones(N), fmt=MixedPrecision.uniform(fmt), record_units="all",
            progress=False,
        )  # fmt: skip
        xT = np.asarray(tr.x[-1], dtype=np.float64)
        tau_units = -1.0 / np.log(xT)
        tau_sim = float(-1.0 / math.log(float(np.mean(xT))))
        if sw.predicted:
            if rounding == "stochastic":
                s_err = float(np.std(xT, ddof=1) / math.sqrt(N) / np.mean(xT) * tau_sim**2)
                fl, note = 0.0, "SR: unbiased stores; sem over the N independent units"
            else:
                s_err = 0.0
                k = round(1.0 / dt)
                fl = tau_sim**2 * k * 2.0**-8  # |d ln x| <= k u per store
                note = "RTN: each of the k stores errs by at most u = 2^-8 (relative)"
            rows.append(
                Check(
                    quantity="tau_eff (bf16 leak)",
                    params=f"dt={dt}, {rounding}, a=fl(1-dt)={a:.8g}",
                    theory=th.tau_eff,
                    sim=tau_sim,
                    sem=s_err,
                    n_seeds=1,
                    N=N,
                    floor=fl,
                    note=note,
                    samples=tuple(tau_units[:8]),
                )
            )
        else:
            dev = abs(tau_sim - th.tau_eff) / th.tau_eff
            rows.append(
                Check(
                    quantity="swamping flagged -> deviates",
                    params=f"dt={dt}, {rounding}: {sw.message[:60]}",
                    theory=1.0,
                    sim=float(dev > 0.1),
                    sem=0.0,
                    n_seeds=1,
                    N=N,
                    note=f"theory says 'not predicted'; measured tau {tau_sim:.4g} vs "
                    f"tau_eff {th.tau_eff:.4g} ({100 * dev:.0f}% off)",
                )
            )
    return rows


# --------------------------------------------------------------------------------------
# LIF rates under short floats: Siegert at tau_eff, swamping flagged
# --------------------------------------------------------------------------------------


def _lif_rows(quick: bool, seed: int) -> list[Check]:
    from rnmf.models import LIFNetwork
    from rnmf.sim import simulate_lif
    from rnmf.sim.formats import MixedPrecision
    from rnmf.theory.lif import siegert
    from rnmf.theory.precision import effective_tau, swamping

    # the same size in quick mode: the flagged fp16 deviation (~8%) must stand out of 3 sem
    N, T, burn = 200, 1000.0, 100.0
    dt, tau, J, C, nu = 0.1, 20.0, 0.2, 1000, 4.5  # unconnected neurons, Poisson drive
    net = LIFNetwork(N=(N,), K=((0,),), J=((0.0,),), C_ext=(C,), nu_ext=(nu,), J_ext=(J,))

    def theory(t: float) -> float:
        # Brunel (2000) eqs. 4-5 (mu = C J nu tau, sigma^2 = C J^2 nu tau) and eq. 21
        lam = C * nu * 1e-3
        return float(siegert(lam * J * t, J * math.sqrt(lam * t), tau_m=t, V_th=net.V_th,
                             V_reset=net.V_reset, t_ref=net.t_ref))  # fmt: skip

    def rates(fmt: Any, k: int) -> np.ndarray:
        r = simulate_lif(net, T, dt=dt, rng=seed_for(seed, 75, k), fmt=fmt, burn_in=burn,
                         progress=False)  # fmt: skip
        return r.spike_counts / (T * 1e-3)

    r64 = rates("float64", 0)
    th64 = theory(tau)
    rel_diff = abs(float(r64.mean()) - th64) / th64  # diffusion-approximation error
    rows = []
    for k, name in enumerate(("fp16", "fp16-sr", "bf16", "bf16-sr"), start=1):
        base, rounding = name.split("-")[0], "stochastic" if name.endswith("sr") else "nearest"
        # every operation in the short format; the propagator is rounded to nearest once
        te = effective_tau(dt, tau, base, rounding="nearest", scheme="exact")
        # smallest increment between reset and threshold (the leak at V_reset, V_inf = 0,
        # or one input PSP) against the ulp of the state at threshold
        inc = min(J, (1.0 - te.decay) * abs(net.V_reset))
        sw = swamping(inc, net.V_th, base, rounding=rounding)
        v = rates(MixedPrecision.uniform(name), k)
        th = theory(te.tau_eff)
        params = f"{name} (all arithmetic), tau_eff={te.tau_eff:.4g} ms"
        if sw.predicted:
            rows.append(
                Check(
                    quantity="LIF rate at tau_eff (Hz)",
                    params=params,
                    theory=th,
                    sim=float(v.mean()),
                    sem=sem(v),
                    n_seeds=N,
                    N=N,
                    floor=rel_diff * th,
                    note="Siegert (Brunel 2000 eq. 21) at tau_eff; sem over N independent "
                    f"neurons; floor = the diffusion-approximation error of the float64 run "
                    f"({100 * rel_diff:.1f}% of its Siegert rate {th64:.3g} Hz)",
                    samples=tuple(v[:8]),
                )
            )
        else:
            dev = abs(float(v.mean()) - th) / th
            rows.append(
                Check(
                    quantity="LIF swamping flagged -> deviates",
                    params=f"{params}: {sw.message[:50]}",
                    theory=1.0,
                    sim=float(dev > 0.05 and abs(float(v.mean()) - th) > 3 * sem(v)),
                    sem=0.0,
                    n_seeds=N,
                    N=N,
                    note=f"theory says 'not predicted'; measured {float(v.mean()):.4g} Hz vs "
                    f"Siegert at tau_eff {th:.4g} Hz ({100 * dev:.0f}% off, > 5% and 3 sem)",
                )
            )
    return rows


# --------------------------------------------------------------------------------------
# integer leaky integration
# --------------------------------------------------------------------------------------


def _integer_rows(quick: bool, seed: int) -> list[Check]:
    from rnmf.sim.formats import NumberFormat, quantize
    from rnmf.sim.loihi import simulate_loihi
    from rnmf.theory.precision import integer_leak

    D, d, I_lo, I_hi = 4096, 100, 50, 150
    delta = d / D
    n_chain = 1000 if quick else 2000
    n_steps = 1200 if quick else 2000
    burn = 400
    rows = []
    rng = np.random.default_rng(seed_for(seed, 73))
    for mode in ("floor", "zero", "nearest", "stochastic"):
        fmt = NumberFormat.fixed(40, 0, rounding=mode)
        u = np.full(n_chain, round(100 / delta), dtype=np.float64)
        means = []
        for k in range(n_steps):
            u = quantize(u * (D - d) / D, fmt, seed=seed % 2**31, step=k) + rng.integers(
                I_lo, I_hi + 1, n_chain
            )
            if k >= burn:
                means.append(u.mean())
        blocks = np.asarray(means).reshape(-1, 100).mean(axis=1) - 100 / delta
        th = integer_leak(100, d, D=D, rounding=mode)
        rows.append(
            Check(
                quantity="integer leak bias (LSB)",
                params=f"d/D={d}/{D}, {mode}, I~U{{{I_lo}..{I_hi}}}",
                theory=th.bias,
                sim=float(blocks.mean()),
                sem=sem(blocks),
                n_seeds=n_chain,
                N=1,
                floor=0.05,
                note="stationary mean: delta E u = E I + E[R(y) - y]; sem over blocks of 100 "
                "steps (>> 1/delta) of the chain average",
            )
        )
    # dead band of the Loihi voltage: v <- trunc0(v (4096 - dv)/4096) + bias, from many v0
    dv, B = 64, 300
    th = integer_leak(B, dv, D=D, rounding="zero")
    v0 = np.linspace(th.ideal - 3 * D / dv, th.ideal + 3 * D / dv, 97).round().astype(int)
    n = v0.size
    r = simulate_loihi(
        np.zeros((n, n)), 3000, du=0, dv=dv, vth=2**17 - 1, bias_mant=B, bias_exp=0, v0=v0
    )
    vf = r.v[-1]
    still = np.array_equal(r.v[-1], r.v[-2])
    rows.append(
        Check(
            quantity="Loihi dead band edges",
            params=f"dv={dv}, bias={B}: band {th.band}",
            theory=float(th.band[0] + th.band[1]),
            sim=float(vf.min() + vf.max()) if still else math.nan,
            sem=0.0,
            n_seeds=1,
            N=n,
            note="exact integer fixed points; every start ends in the band (sum of the edges)",
        )
    )
    rows.append(
        Check(
            quantity="Loihi dead band width",
            params=f"dv={dv}, bias={B}: 1/delta = {D / dv:g}",
            theory=float(th.band[1] - th.band[0]),
            sim=float(vf.max() - vf.min()),
            sem=0.0,
            n_seeds=1,
            N=n,
            note="starts on both sides of the band stop at its two edges",
        )
    )
    return rows


# --------------------------------------------------------------------------------------
# SpiNNaker ring buffers
# --------------------------------------------------------------------------------------


def _spinnaker_rows(quick: bool, seed: int) -> list[Check]:
    from rnmf.sim.spinnaker import simulate_spinnaker
    from rnmf.theory.precision import overflow_probability

    n, T = (100, 1000) if quick else (200, 2000)
    rows = []
    for n_ext, rate, w, shifts in ((100, 30.0, 0.5, (0, 0)), (100, 30.0, 0.5, None)):
        r = simulate_spinnaker(
            np.zeros((n, n)), np.zeros((n, n)), T, n_ext=n_ext, ext_rate=rate, ext_weight=w,
            shifts=shifts, v_thresh=1e3, rng=seed_for(seed, 74, 0 if shifts else 1),
        )  # fmt: skip
        w_int = r.options["ext_weight_int"]
        p = float(overflow_probability(rate=n_ext * rate / 1000.0, weight=w_int, limit=0xFFFF))
        frac = r.n_saturated_slots / (n * T)
        how = f"shift {r.shifts[0]} ({'host rule' if shifts is None else 'forced'})"
        rows.append(
            Check(
                quantity="ring-buffer saturation / slot",
                params=f"{n_ext} x {rate:g} Hz x {w} nA, {how}",
                theory=p,
                sim=frac,
                sem=math.sqrt(max(p * (1 - p), 1e-300) / (n * T)),
                n_seeds=1,
                N=n,
                floor=1e-6,
                note="Poisson tail P(X > floor(65535 / w_int)), binomial sem over neuron-steps",
            )
        )
    return rows


def run_precision(
    *, quick: bool = False, seeds: int = 3, seed: int = 0, jobs: int = 1, figures: bool = True
) -> tuple[list[Check], dict[str, Any]]:
    """Finite-precision theory against simulation (rows in the module docstring).

    Parameters
    ----------
    quick : bool
        Smaller networks and shorter runs.
    seeds : int
        Independent networks per rate-network point (>= 2).
    seed : int
        Base seed (bitwise reproducible).
    jobs : int
        Worker processes for the rate-network points.
    figures : bool
        Accepted for the common interface; this suite draws no figure.

    Returns
    -------
    checks : list of Check
    figures : dict
        Empty.
    """
    seeds = max(2, int(seeds))
    checks = []
    checks += _chaos_rows(quick, seeds, seed, jobs)
    checks += _tau_rows(quick, seed)
    checks += _lif_rows(quick, seed)
    checks += _integer_rows(quick, seed)
    checks += _spinnaker_rows(quick, seed)
    return checks, {}
