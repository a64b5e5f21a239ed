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
# # Chaos in random neural networks (Sompolinsky, Crisanti & Sommers 1988)
#
# A network of N rate units, dx/dt = -x + J tanh(x) with J_ij ~ N(0, g^2/N), is quiet
# for g < 1 and chaotic for g > 1.  Dynamic mean-field theory (DMFT) predicts the
# population autocorrelation Delta(tau) = <x_i(t) x_i(t + tau)> as the motion of a
# classical particle in a potential (SCS 1988, eqs. 5-7).  Here the theory (lines)
# meets simulations of finite networks (dots: mean over independent networks, with
# standard errors).
#
# Set the environment variable `RNMF_NOTEBOOK_SMALL=1` for a quick run at small size
# (the test suite does this).

# %%
import os
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
from matplotlib.figure import Figure

from rnmf import RateNetwork, sim
from rnmf.sim import measures
from rnmf.theory import dmft

SMALL = os.environ.get("RNMF_NOTEBOOK_SMALL") == "1"
N = 300 if SMALL else 2000
T = 60.0 if SMALL else 300.0
SEEDS = 2 if SMALL else 3
GAINS = (1.5, 2.0, 2.5, 3.0)
DT = 0.05
OUT = Path(os.environ.get("RNMF_NOTEBOOK_OUT", Path(__file__).resolve().parent / "figures"))

# %% [markdown]
# ## Theory: Delta(tau) for several g

# %%
theory = {g: dmft.solve(RateNetwork(N=N, g=g)) for g in GAINS}
for g, th in theory.items():
    print(
        f"g = {g}: Delta0 = {th.Delta0:.6f}, tau_corr = {th.tau_corr:.3f}, "
        f"lambda_max = {th.lambda_max:+.4f}"
    )

# %% [markdown]
# ## Simulation: the same model objects, several independent networks each

# %%
max_lag = 12.0
record_every = 2
sims = {}
for g in GAINS:
    curves = []
    for seed in range(SEEDS):
        traj = sim.simulate(
            RateNetwork(N=N, g=g),
            T,
            dt=DT,
            rng=1000 * seed + int(10 * g),
            burn_in=50.0,
            record_units=min(N, 400),
            record_every=record_every,
        )
        lags, delta = measures.autocorrelation(traj, max_lag=max_lag, subtract="global")
        curves.append(delta)
    curves = np.array(curves)
    sims[g] = (lags, curves.mean(0), curves.std(0, ddof=1) / np.sqrt(SEEDS))

# %% [markdown]
# ## Figure: theory lines, simulation dots

# %%
fig = Figure(figsize=(5.6, 3.8), layout="constrained")
ax = fig.subplots()
colors = ("#1f77b4", "#2ca02c", "#ff7f0e", "#d62728")
fine = np.linspace(0.0, max_lag, 400)
for c, g in zip(colors, GAINS, strict=True):
    ax.plot(fine, theory[g].autocorrelation(fine), color=c, lw=1.8, label=f"g = {g}")
    lags, mean, sem = sims[g]
    sl = slice(None, None, 6)
    ax.errorbar(lags[sl], mean[sl], yerr=sem[sl], fmt="o", ms=3.5, color=c, mec="k", mew=0.4)
ax.set_xlabel(r"lag $\tau$ (units of the time constant)")
ax.set_ylabel(r"$\Delta(\tau)$")
ax.set_title(f"DMFT (lines) vs simulation, N = {N} (dots)", fontsize=10)
ax.legend(frameon=False)
OUT.mkdir(parents=True, exist_ok=True)
fig.savefig(OUT / "scs_autocorrelation.png", dpi=120)

# %% [markdown]
# The agreement is quantified, with error bars and finite-size allowances, by
# `rnmf validate`.

# %%
for g in GAINS:
    lags, mean, _ = sims[g]
    err = np.max(np.abs(mean - theory[g].autocorrelation(lags))) / theory[g].Delta0
    print(f"g = {g}: max |Delta_sim - Delta_DMFT| / Delta0 = {err:.3f}")
