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
# # Suppression of chaos by a sinusoidal drive, and a two-cell-type network
#
# Rajan, Abbott & Sompolinsky (2010, PRE 82:011903) drive a chaotic random network
# (g = 1.5, tanh) with :math:`A\cos(2\pi f t + \theta_i)`, random phases.  Above a critical
# amplitude :math:`A_c(f)` the activity locks to the drive and the largest Lyapunov exponent
# turns negative.  :math:`A_c(f)` is non-monotone: at g = 1.5 (full run, theory) it falls
# from 0.512 at f = 0.005 to 0.436 at f = 0.03 and rises again to 0.512 at f = 0.05, 1.479 at
# f = 0.2 and 3.304 at f = 0.5 (per tau).  The theory line comes from the entrained periodic DMFT state and the Hill
# operator of its tangent dynamics (`rnmf.theory.dmft.driven`); the points are the largest
# Lyapunov exponents of simulated networks (`rnmf.sim.rate_populations.lyapunov_populations`)
# on either side of the line.  Second figure: per-population variance of a two-cell-type
# network against the multi-population DMFT (`rnmf.theory.dmft.populations`).
#
# Set `RNMF_NOTEBOOK_SMALL=1` for a quick run at small size.

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from rnmf.models import Drive, RatePopulationNetwork  # noqa: E402
from rnmf.sim.rate_populations import lyapunov_populations, simulate_rate_populations  # noqa: E402
from rnmf.theory.dmft.driven import critical_amplitude  # noqa: E402
from rnmf.theory.dmft.populations import solve_populations  # noqa: E402

SMALL = os.environ.get("RNMF_NOTEBOOK_SMALL") == "1"
OUT = Path(os.environ.get("RNMF_NOTEBOOK_OUT", Path(__file__).resolve().parent / "figures"))
OUT.mkdir(parents=True, exist_ok=True)
# theory on a log grid wide enough to show the minimum of A_c(f) (the "resonant" frequency of
# RAS 2010, near f = 0.025 per tau at g = 1.5); simulations at the faster drives (a slow drive
# needs many periods of simulated time)
freqs = [0.01, 0.03, 0.2] if SMALL else [0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5]
sim_freqs = [0.2] if SMALL else [0.1, 0.2, 0.5]
N = 300 if SMALL else 1500
T = 40.0 if SMALL else 200.0
kw = dict(n_theta=12, n_gh=16, tol=1e-8) if SMALL else {}

# %% [markdown]
# ## Critical amplitude against frequency (theory) and simulated Lyapunov exponents

# %%
base = RatePopulationNetwork(N=1, g=[[1.5]])
Ac = [critical_amplitude(base, f, bracket=(0.2, 8.0), xtol=1e-3, **kw) for f in freqs]
points = []
for f, a in zip(freqs, Ac, strict=True):
    if f not in sim_freqs:
        continue
    for factor in (0.7, 1.4):
        net = RatePopulationNetwork(
            N=N, g=[[1.5]], drive=Drive("sine", amplitude=factor * a, frequency=f)
        )
        lam = lyapunov_populations(net, T, rng=1, burn_in=T / 4, progress=False).largest
        points.append((f, factor * a, lam))
fig = Figure(figsize=(5, 4))
ax = fig.subplots()
ax.plot(freqs, Ac, "k-o", label="theory $A_c(f)$")
ax.set_xscale("log")
for f, A, lam in points:
    ax.plot(f, A, "o", color="C3" if lam > 0 else "C0", mfc="none" if lam > 0 else None)
ax.set_xlabel("drive frequency f (1/tau)")
ax.set_ylabel("amplitude A")
ax.set_title("red: simulated lambda > 0 (chaotic), blue: < 0")
ax.legend()
fig.savefig(OUT / "suppression_of_chaos.png", dpi=120)
print(list(zip(freqs, np.round(Ac, 3), strict=True)))
i_min = int(np.argmin(Ac))
print(f"A_c is smallest at f = {freqs[i_min]:g} ({Ac[i_min]:.3f}); non-monotone: "
      f"{0 < i_min < len(freqs) - 1}")  # fmt: skip

# %% [markdown]
# ## Two cell types: per-population variance, DMFT against simulation

# %%
gs = np.linspace(1.1, 2.0, 3 if SMALL else 7)
th, sims = [], []
for s in gs:
    net = RatePopulationNetwork(N=N, fractions=(0.6, 0.4), g=s * np.array([[1.0, 0.6], [1.1, 0.5]]))
    th.append(solve_populations(net).Delta0)
    tr = simulate_rate_populations(net, T, rng=2, networks=2, burn_in=T / 2, record_units=0,
                                   record_every=10, progress=False)  # fmt: skip
    sims.append(tr.var_x.mean(axis=0)[:, 0, :].mean(axis=0))
th, sims = np.array(th), np.array(sims)
fig = Figure(figsize=(5, 4))
ax = fig.subplots()
for a, c in ((0, "C0"), (1, "C1")):
    ax.plot(gs, th[:, a], "-", color=c, label=f"DMFT, population {a}")
    ax.plot(gs, sims[:, a], "o", color=c, label=f"simulation, population {a}")
ax.set_xlabel("gain scale s")
ax.set_ylabel("Delta0")
ax.legend()
fig.savefig(OUT / "two_cell_types.png", dpi=120)
