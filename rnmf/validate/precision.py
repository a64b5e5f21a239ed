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
  threshold is not many half-ulps of the threshold) are shown to deviate; and with the
  state STORED in bf16 or fp16 under stochastic rounding and float32 arithmetic (GPU
  mixed precision), against the first-passage rate with the storage noise as an added
  diffusion and a soft threshold (:func:`~rnmf.theory.precision.stochastic_storage_rate`).
* **low-rank boundaries moved by quantisation**: a rank-one network (M_mM_n = 3) whose
  full coupling matrix is stored in fixed point with stochastic rounding (step 1/4) at
  one g on each side of the quantised static-chaos boundary
  (:func:`~rnmf.theory.precision.quantized_lowrank_boundaries`, 0.75 against 2.18
  unquantised): kappa and the temporal variance of the DMFT at g_eff with the
  structure scaled by the gain c (:func:`~rnmf.theory.precision.quantized_lowrank_network`).
* **Brunel rates with quantised weights**: Brunel's model A (g = 6, eta = 2) with its
  recurrent PSPs on a 3- and 4-bit per-tensor symmetric grid, every rounding mode,
  against the Siegert self-consistency at the quantised weights' moments
  (:func:`~rnmf.theory.precision.quantized_lif_rates`): deterministic rounding changes J
  (the rate moves by up to 65 %), stochastic rounding keeps the mean and adds input
  variance (realised with fixed in-degrees by
  :func:`~rnmf.theory.precision.stochastic_split_network`).
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
from dataclasses import replace
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
    from rnmf.theory.precision import effective_tau, stochastic_storage_rate, swamping

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
    # storage in a short float with stochastic rounding, float32 arithmetic (GPU mixed
    # precision): the rounding noise of every store is an added diffusion and the
    # threshold is softened by one spacing (rnmf.theory.precision.stochastic_storage_rate)
    for k, name in enumerate(("bf16-sr", "fp16-sr"), start=5):
        base = "bfloat16" if name.startswith("bf16") else "float16"
        te = effective_tau(dt, tau, "float32", rounding="nearest", scheme="exact")
        t_e = te.tau_eff
        lam = C * nu * 1e-3
        st = stochastic_storage_rate(
            lam * J * t_e, J * math.sqrt(lam * t_e), tau_m=t_e, V_th=net.V_th,
            V_reset=net.V_reset, t_ref=net.t_ref, dt=dt, fmt=base,
        )  # fmt: skip
        v = rates(name, k)
        th = st.rate
        rows.append(
            Check(
                quantity="LIF rate, SR storage (Hz)",
                params=f"{name} storage, float32 arithmetic: Siegert {st.rate_unrounded:.4g} Hz "
                f"without the storage noise",
                theory=th,
                sim=float(v.mean()),
                sem=sem(v),
                n_seeds=N,
                N=N,
                floor=rel_diff * th,
                note="first passage with the added diffusion u(V)^2/(6 dt) of each stochastically "
                f"rounded store and the threshold lowered by u/2 = {st.threshold_shift:g} mV; "
                "sem over N independent neurons; floor as the rows above",
                samples=tuple(v[:8]),
            )
        )
    return rows


# --------------------------------------------------------------------------------------
# Brunel network with quantised weights
# --------------------------------------------------------------------------------------


def _brunel_run(net: Any, T: float, burn: float, seed: int) -> tuple[float, float]:
    """Excitatory rate (Hz) of one run and its sem over 10 time blocks."""
    from rnmf.sim import simulate_lif

    r = simulate_lif(net, burn + T, dt=0.1, rng=seed, burn_in=burn, progress=False)
    w = np.array([hi - lo for lo, hi in r.pop_slices], dtype=float)
    exc = [i for i, name in enumerate(net.populations or ()) if name.startswith("E")] or [0]
    trace = r.pop_rates[:, exc] @ (w[exc] / w[exc].sum())
    blocks = trace[: trace.size // 10 * 10].reshape(10, -1).mean(axis=1)
    return float(blocks.mean()), sem(blocks)


def _brunel_rows(quick: bool, seed: int) -> list[Check]:
    from rnmf.models import LIFNetwork
    from rnmf.sim.quantizers import quantize_weights
    from rnmf.theory.lif import stationary_rates
    from rnmf.theory.precision import quantized_lif_rates, stochastic_split_network

    # Brunel (2000) model A in the asynchronous irregular state, C_E = 1000, J = 0.1 mV
    net = LIFNetwork.brunel(6.0, 2.0, N_E=2500, epsilon=0.4)
    T, burn = 400.0, 100.0  # 10 blocks of 40 ms for the sem
    s0 = seed_for(seed, 76)
    th0 = float(stationary_rates(net).rates[0])
    sim0, _ = _brunel_run(net, T, burn, s0)
    rel_diff = abs(sim0 - th0) / th0  # diffusion-approximation error of the float64 net
    cache: dict[tuple, tuple[float, float]] = {}
    rows = []
    for bits in (3, 4):
        for mode in ("nearest", "zero", "floor", "stochastic"):
            th = quantized_lif_rates(net, bits=bits, rounding=mode)
            if mode == "stochastic":
                sim_net = stochastic_split_network(th.quantized)
                how = "split: each synapse holds k q or (k+1) q, K f rounded up per neuron"
            else:  # the simulator's quantiser on the block weights (exact for J per block)
                Jq = quantize_weights(np.asarray(net.J), bits=bits, rounding=mode).values
                sim_net = replace(net, J=tuple(map(tuple, Jq.tolist())))
                how = f"J_E -> {Jq[0, 0]:.4g} mV, J_I -> {Jq[0, 1]:.4g} mV"
            key = (sim_net.N, sim_net.K, sim_net.J)
            if key not in cache:
                cache[key] = _brunel_run(sim_net, T, burn, s0)
            v, s = cache[key]
            nu = float(th.rates[0])
            rows.append(
                Check(
                    quantity="Brunel rate, quantised J (Hz)",
                    params=f"g=6, eta=2, {bits}-bit per-tensor, {mode}: {how}",
                    theory=nu,
                    sim=v,
                    sem=s,
                    n_seeds=1,
                    N=int(sum(sim_net.N)),
                    floor=rel_diff * nu,
                    note="Siegert self-consistency (Brunel 2000 eqs. 4-5, 21) at the quantised "
                    "weights' mean and second moment (SR: + q^2 f(1-f) per synapse); sem over "
                    f"10 time blocks; floor = the float64 net's relative error ({100 * rel_diff:.1f}%"
                    f" of {th0:.3g} Hz); unquantised sim {sim0:.3g} Hz",
                )
            )
    return rows


# --------------------------------------------------------------------------------------
# low-rank network with quantised couplings
# --------------------------------------------------------------------------------------


def _lowrank_point(N: int, g: float, s: float, frac_bits: int, T: float, seed: int):
    from rnmf.models import LowRankNetwork
    from rnmf.sim import simulate_lowrank
    from rnmf.sim.formats import MixedPrecision, NumberFormat, get_format

    net = LowRankNetwork.rank_one(N, g=g, M_m=1.1, M_n=s / 1.1, S_m=1.0, S_n=1.0)
    f64 = get_format("float64")
    fmt = MixedPrecision(NumberFormat.fixed(3, frac_bits, rounding="stochastic"), f64, f64)
    tr = simulate_lowrank(
        net, T, dt=0.1, rng=seed, burn_in=50.0, kappa0=[1.5], fmt=fmt, record_every=10,
        record_units="all", progress=False,
    )  # fmt: skip
    x = np.asarray(tr.x)
    return float(np.mean(np.asarray(tr.kappa)[:, 0])), float(x.var(axis=0).mean())


def _lowrank_rows(quick: bool, seeds: int, seed: int, jobs: int) -> list[Check]:
    from rnmf.models import LowRankNetwork
    from rnmf.theory import lowrank as tl
    from rnmf.theory.precision import quantized_lowrank_boundaries, quantized_lowrank_network

    N, s, frac_bits, T = 1000, 3.0, 2, 100.0
    seeds = 2  # two networks per point keep these rows under 10 s; the floors carry N
    q = 2.0**-frac_bits
    bd = quantized_lowrank_boundaries(s, N=N, step=q, rounding="stochastic", g_max=4.0, n_scan=30)
    where = (
        f"s=M_mM_n={s:g}, SR q=2^-{frac_bits}, N={N}: g_C {bd.g_chaos_float:.3f} -> "
        f"{bd.g_chaos:.3f}, g_BB {bd.g_bistable_float:.3f} -> {bd.g_bistable:.3f}"
    )
    pts = (0.6, 1.6)  # one point each side of the quantised g_C, both static without rounding
    tasks = [(N, g, s, frac_bits, T, seed_for(seed, 77, i, k)) for i, g in enumerate(pts)
             for k in range(seeds)]  # fmt: skip
    vals = map_tasks(_lowrank_point, tasks, jobs)
    rows = []
    for i, g in enumerate(pts):
        v = vals[i * seeds : (i + 1) * seeds]
        net = LowRankNetwork.rank_one(N, g=g, M_m=1.1, M_n=s / 1.1, S_m=1.0, S_n=1.0)
        eff, g_eff, c = quantized_lowrank_network(net, step=q, rounding="stochastic")
        st, st0 = tl.solve(eff), tl.solve(net)
        kap, kap0 = abs(float(st.kappa[0])), abs(float(st0.kappa[0]))
        tvar = float(st.Delta0 - st.Delta_inf) if st.regime == "chaotic" else 0.0
        head = f"g={g}: g_eff={g_eff:.3f}, c={c:.3f}, {st.regime} (unquantised: {st0.regime}"
        kv = [abs(a) for a, _ in v]
        tv = [b for _, b in v]
        rows.append(
            Check(
                quantity="|kappa|, quantised low-rank",
                params=f"{head}, kappa {kap0:.3f}); {where}",
                theory=kap,
                sim=float(np.mean(kv)),
                sem=sem(kv),
                n_seeds=seeds,
                N=N,
                floor=4.0 / math.sqrt(N),
                note="M&O 2018 mean field at g_eff and structure c m n^T/N of the quantised J; "
                "4/sqrt(N) finite-size floor as in the lowrank suite",
                samples=tuple(kv),
            )
        )
        rows.append(
            Check(
                quantity="temporal variance of x, quantised low-rank",
                params=f"{head}: 0); {where}",
                theory=tvar,
                sim=float(np.mean(tv)),
                sem=sem(tv),
                n_seeds=seeds,
                N=N,
                finite_size=2.0,
                floor=0.05,
                note="Delta0 - Delta_inf of the DMFT at g_eff (0 in a static state); "
                "O(1/sqrt N) spread between networks, 0.05 floor for the residual transient",
                samples=tuple(tv),
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
    checks += _lowrank_rows(quick, seeds, seed, jobs)
    checks += _brunel_rows(quick, seed)
    checks += _integer_rows(quick, seed)
    checks += _spinnaker_rows(quick, seed)
    return checks, {}
