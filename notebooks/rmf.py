# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Replica mean field of intensity-based spiking networks
#
# Baccelli & Taillefumier (2019) replace a network of N point-process neurons by M
# replicas that exchange spikes through random routing.  As M grows the inputs of a
# neuron become independent Poisson trains at the stationary rates, and the network
# reduces to N single-neuron problems coupled through N rates -- without scaling the
# weights with N.  Here the theory (`rnmf.theory.rmf`) meets the exact event-driven
# simulator (`rnmf.sim.simulate_intensity`):
#
# 1. the replica network converges to the RMF rates as M grows;
# 2. the finite network (M = 1) against RMF and classical mean field (MF) as the coupling
#    grows: for a small recurrent excitatory network it sits between the two;
# 3. the multistable exponential-intensity E-I network: the count of RMF states over the
#    (w_E, w_I) plane, with simulations started low and high overlaid.
#
# `RNMF_NOTEBOOK_SMALL=1` runs it at small size (the test suite does this).

# %%
import os
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
from matplotlib.figure import Figure

from rnmf import IntensityNetwork
from rnmf.sim import simulate_intensity
from rnmf.theory import rmf
from rnmf.theory.rmf.phase import phase_diagram

SMALL = os.environ.get("RNMF_NOTEBOOK_SMALL") == "1"
OUT = Path(os.environ.get("RNMF_NOTEBOOK_OUT", Path(__file__).resolve().parent / "figures"))
OUT.mkdir(parents=True, exist_ok=True)

# %% [markdown]
# ## 1. Convergence in the number of replicas (example E2: N = 4, W = 0.5, b = 1)

# %%
e2 = IntensityNetwork.all_to_all(4, 0.5, b=1.0, tau=1.0, r=0.0)
th_rmf = rmf.solve(e2).rates[0]
th_mf = rmf.solve(e2, limit="mf").rates[0]
Ms = (1, 2, 10, 100) if SMALL else (1, 2, 10, 100, 1000)
budget = 2e4 if SMALL else 2e5  # neuron-time units per run
conv = []
for M in Ms:
    run = simulate_intensity(e2, budget / (4 * M), M=M, rng=M, t_warm=5.0, record=[])
    conv.append((run.rates.mean(), run.rate_sem.mean() / 2))
    print(f"M = {M:5d}: rate {conv[-1][0]:.5f} +- {conv[-1][1]:.5f}")
print(f"RMF {th_rmf:.8f}, MF {th_mf:.8f}")

fig = Figure(figsize=(5, 3.5))
ax = fig.add_subplot()
ax.errorbar(Ms, [c[0] for c in conv], yerr=[2 * c[1] for c in conv], fmt="o", label="simulation")
ax.axhline(th_rmf, color="k", label="RMF")
ax.axhline(th_mf, color="C3", ls="--", label="mean field")
ax.set_xscale("log")
ax.set_xlabel("replicas M")
ax.set_ylabel("rate (1/tau)")
ax.legend()
fig.tight_layout()
fig.savefig(OUT / "rmf_convergence.png", dpi=120)

# %% [markdown]
# ## 2. Finite network, RMF and MF against the coupling strength

# %%
ws = np.linspace(0.1, 1.0, 4 if SMALL else 10)
rows = []
for w in ws:
    net = IntensityNetwork.all_to_all(4, float(w), b=1.0)
    fin = simulate_intensity(
        net, 300.0 if SMALL else 3000.0, rng=int(100 * w), t_warm=10.0, record=[]
    )
    rows.append((rmf.solve(net).rates[0], rmf.solve(net, limit="mf").rates[0], fin.rates.mean(),
                 fin.rate_sem.mean() / 2))  # fmt: skip
rows = np.array(rows)
fig = Figure(figsize=(5, 3.5))
ax = fig.add_subplot()
ax.plot(ws, rows[:, 0], "k-", label="RMF")
ax.plot(ws, rows[:, 1], "C3--", label="mean field")
ax.errorbar(
    ws, rows[:, 2], yerr=2 * rows[:, 3], fmt="o", color="C2", label="finite network (M = 1)"
)
ax.set_xlabel("coupling W")
ax.set_ylabel("rate (1/tau)")
ax.legend()
fig.tight_layout()
fig.savefig(OUT / "rmf_coupling.png", dpi=120)

# %% [markdown]
# ## 3. Multistability of the exponential E-I network
#
# K_E = 10 excitatory and K_I = 5 inhibitory inputs per neuron, b = -5, r = -8.  The colour
# is the number of stable RMF states; circles mark simulations of the replica network
# (M replicas, 18 neurons) started low (X = b) and high (X = 0): filled where the two
# starts end in different states.

# %%
wE = np.array([1.0, 1.5]) if SMALL else np.linspace(0.8, 1.8, 8)
wI = np.array([-0.8, -0.4]) if SMALL else np.linspace(-1.2, 0.0, 7)
pd = phase_diagram(wE, wI, K_E=10, K_I=5, b=-5.0, r=-8.0, beta_max=30.0)
print(pd)
fig = Figure(figsize=(5, 4))
ax = fig.add_subplot()
mesh = ax.pcolormesh(wE, wI, pd.n_stable, shading="nearest", cmap="viridis", vmin=0, vmax=2)
fig.colorbar(mesh, ax=ax, label="stable RMF states")
M = 10 if SMALL else 100
for wi in wI[:: 1 if SMALL else 3]:
    for we in wE[:: 1 if SMALL else 3]:
        net = IntensityNetwork.ei(12, 6, w_E=float(we), w_I=float(wi), K_E=10, K_I=5, rng=0,
                                  phi="exp", b=-5.0, r=-8.0)  # fmt: skip
        lo = simulate_intensity(
            net, 10.0, M=M, rng=1, t_warm=3.0, x0=-5.0, record=[], max_events=5_000_000
        )
        hi = simulate_intensity(
            net, 10.0, M=M, rng=2, t_warm=3.0, x0=0.0, record=[], max_events=5_000_000
        )
        bistable = hi.rates[:12].mean() > 3 * lo.rates[:12].mean() + 0.1
        ax.plot(we, wi, "o", mfc="w" if not bistable else "r", mec="r", ms=9)
ax.set_xlabel("w_E")
ax.set_ylabel("w_I")
fig.tight_layout()
fig.savefig(OUT / "rmf_multistability.png", dpi=120)
