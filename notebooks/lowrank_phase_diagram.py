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
# # Phase diagram of rank-one networks (Mastrogiuseppe & Ostojic 2018, Fig. 1)
#
# A rate network dx/dt = -x + J tanh(x) whose connectivity is a random bulk plus a
# rank-one structure, J = g chi + m n^T / N, with Gaussian loadings m ~ N(M_m, S_m^2) and
# n ~ N(M_n, S_n^2), has four phases in the plane of the random strength g and the
# structure strength M_m M_n (Mastrogiuseppe & Ostojic 2018, Neuron 99:609, Fig. 1 and STAR
# Methods): a homogeneous fixed point x = 0, a heterogeneous fixed point (a symmetric pair
# +-kappa, with kappa = <n tanh(x)>), chaos around a structured mean (kappa != 0, again a
# pair) and chaos around zero.  The theory (`rnmf.theory.lowrank.phase_diagram`) labels a
# grid and draws the boundaries as functions; simulations of finite networks, started from
# +m and from -m, show which regime each network reaches.
#
# Set `RNMF_NOTEBOOK_SMALL=1` for a quick run at small size (the test suite does this).

# %%
import os
import time
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")

from rnmf import LowRankNetwork
from rnmf.sim.lowrank import simulate_lowrank
from rnmf.theory import lowrank as tl
from rnmf.validate.lowrank import classify_trajectory, phase_diagram_figure

SMALL = os.environ.get("RNMF_NOTEBOOK_SMALL") == "1"
N = 300 if SMALL else 2000
T = 30.0 if SMALL else 100.0
BURN = 30.0 if SMALL else 50.0
GRID = (40, 30) if SMALL else (100, 100)
M_m, S_m = 1.1, 1.0
OUT = Path(os.environ.get("RNMF_NOTEBOOK_OUT", Path(__file__).resolve().parent / "figures"))

# %% [markdown]
# ## Theory: boundaries as functions
#
# The heterogeneous fixed point appears at M_m M_n = 1 (for g < 1) and becomes chaotic
# at g_C, where the bulk of its stability matrix reaches the unit circle; the chaotic
# state keeps kappa != 0 until g_BB, where M_m M_n <phi'> at the chaotic variance drops
# to 1 (docs/references.md sec. 4: g_C = 1.7959, g_BB = 2.1358 for M_m M_n = 2.2).

# %%
strengths = np.array([2.2, 3.0, 4.0, 5.0])
g_c = tl.critical_g_chaos(strengths, M_m=M_m, S_m=S_m)
g_bb = tl.critical_g_bistable_chaos(strengths)
for s, a, b in zip(strengths, g_c, g_bb, strict=True):
    print(f"M_m M_n = {s:.1f}: g_C = {a:.4f}, g_BB = {b:.4f}")

# %% [markdown]
# ## Simulations at a few points of the plane
#
# Each network is simulated twice with the same couplings, from x0 = +m and x0 = -m; a
# network in a bistable phase reaches +kappa and -kappa.

# %%
POINTS = [  # (g, M_m M_n)
    (0.5, 0.5),  # homogeneous
    (0.6, 2.2),  # heterogeneous fixed points
    (1.5, 0.6),  # chaos around zero
    (3.6, 5.0),  # chaos with kappa != 0
    (4.5, 2.2),  # chaos around zero
]
t0 = time.perf_counter()
markers = []
for i, (g, s) in enumerate(POINTS):
    net = LowRankNetwork.rank_one(N=N, g=g, M_m=M_m, M_n=s / M_m, S_m=S_m)
    finals = []
    for sign in (1, -1):
        traj = simulate_lowrank(
            net,
            T,
            dt=0.1,
            rng=100 + i,
            burn_in=BURN,
            kappa0=[float(sign)],
            record_every=2,
            record_units=min(N, 200),
        )
        k = traj.kappa[:, 0]
        regime = classify_trajectory(k, float(np.mean(np.var(traj.x, axis=0))))
        finals.append(float(np.mean(k)))
    theory = tl.phase_diagram([g], [s], M_m=M_m, S_m=S_m).label_names()[0, 0]
    print(
        f"g = {g}, M_m M_n = {s}: simulation {regime}, time-mean kappa from +m / -m = "
        f"{finals[0]:+.3f} / {finals[1]:+.3f}; theory: {theory}"
    )
    markers.append((g, s, regime, None))
print(f"simulations: {time.perf_counter() - t0:.1f} s")

# %% [markdown]
# ## Figure: theory phases and boundaries, simulation markers

# %%
fig = phase_diagram_figure(markers, g_max=5.0, s_max=6.0, n_g=GRID[0], n_s=GRID[1])
OUT.mkdir(parents=True, exist_ok=True)
fig.savefig(OUT / "lowrank_phase_diagram.png", dpi=120)

# %% [markdown]
# Finite networks close to a boundary switch between wells or stay near-static
# (docs/references.md sec. 4), so the markers sit away from the boundaries.  The quantitative
# agreement (kappa, mu, Delta0, Delta_inf, outliers, latent dynamics) is checked with
# error bars by `rnmf.validate.lowrank.run_lowrank`.
