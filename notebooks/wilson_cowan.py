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
# # Deriving stability conditions: Wilson–Cowan and E/I spectra
#
# A population model is written as equations; `rnmf.theory.symbolic` derives its Jacobian,
# the saddle-node (det A = 0) and Hopf (tr A = 0, det A > 0) conditions, and finds every
# fixed point on a grid of inputs.  The simulator integrates the same model object, and the
# onset of oscillations it sees is compared with the derived Hopf and saddle-node lines.
# The second half draws the spectra of excitatory/inhibitory random matrices with the
# predicted bulk radius (Rajan & Abbott 2006) and the outlier of the mean coupling.
#
# Set `RNMF_NOTEBOOK_SMALL=1` for a quick run (the test suite does this).

# %%
import os
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
from matplotlib.figure import Figure

from rnmf.models.populations import wilson_cowan
from rnmf.sim import simulate_populations
from rnmf.theory import spectra
from rnmf.theory.symbolic import conditions, locate, phase_function

SMALL = os.environ.get("RNMF_NOTEBOOK_SMALL") == "1"
NG = 40 if SMALL else 200  # theory grid per axis
NS = 6 if SMALL else 16  # simulated points per axis
OUT = Path(os.environ.get("RNMF_NOTEBOOK_OUT", Path(__file__).resolve().parent / "figures"))
OUT.mkdir(parents=True, exist_ok=True)
model = wilson_cowan()
for name, c in conditions(model).items():
    if name in ("saddle-node", "Hopf", "ISN"):
        print(c)

# %% [markdown]
# ## Bifurcation diagram in the (I_E, I_I) plane
#
# Regimes from the fixed points (stable, bistable, oscillatory = no stable fixed point), the
# derived boundary lines located on the augmented systems F = 0, C = 0, and ODE simulations
# from four initial states (markers: oscillating or not).

# %%
IE = np.linspace(-2.0, 6.0, NG)
II = np.linspace(-8.0, 2.0, NG)
X, Y = np.meshgrid(IE, II, indexing="ij")
grid = phase_function()(model, {"I_E": X.ravel(), "I_I": Y.ravel()})
labels = np.array(["stable", "bistable", "oscillatory"])
code = np.searchsorted(labels[np.argsort(labels)], grid["regime"]).reshape(X.shape)
lines_at = np.linspace(-8.0, 2.0, 25 if SMALL else 60)
sn = locate(model, "saddle-node", "I_E", (-2.0, 6.0), {"I_I": lines_at})
hopf = locate(model, "Hopf", "I_E", (-2.0, 6.0), {"I_I": lines_at})

sIE, sII = np.meshgrid(np.linspace(-1.5, 5.5, NS), np.linspace(-7.5, 1.5, NS), indexing="ij")
rng = np.random.default_rng(0)
tr = simulate_populations(
    model, 40.0, dt=0.02, burn_in=100.0, record_every=5,
    r0=rng.uniform(0, 1, (2, sIE.size)), params={"I_E": sIE.ravel(), "I_I": sII.ravel()},
)  # fmt: skip
osc = tr.amplitude(0.5).max(axis=0) > 1e-3

fig = Figure(figsize=(7, 5.5))
ax = fig.add_subplot()
ax.pcolormesh(IE, II, code.T, cmap="Pastel1", shading="nearest")
for k in range(sn.shape[1]):
    ax.plot(sn[:, k], lines_at, "k.", ms=3, label="saddle-node (derived)" if k == 0 else None)
for k in range(hopf.shape[1]):
    ax.plot(hopf[:, k], lines_at, "r.", ms=3, label="Hopf (derived)" if k == 0 else None)
ax.scatter(sIE.ravel()[osc], sII.ravel()[osc], marker="o", facecolors="none", edgecolors="b",
           label="simulation: oscillates")  # fmt: skip
ax.scatter(sIE.ravel()[~osc], sII.ravel()[~osc], marker="x", c="0.3", label="simulation: settles")
ax.set(xlabel="$I_E$", ylabel="$I_I$", xlim=(IE[0], IE[-1]), ylim=(II[0], II[-1]),
       title="Wilson–Cowan: regimes, derived lines, simulations")  # fmt: skip
ax.legend(fontsize=7, loc="lower right")
fig.savefig(OUT / "wilson_cowan_bifurcation.png", dpi=120, bbox_inches="tight")
theory_osc = np.array([grid["regime"].reshape(X.shape)[np.argmin(abs(IE - a)), np.argmin(abs(II - b))] == "oscillatory"
                       for a, b in zip(sIE.ravel(), sII.ravel(), strict=True)])  # fmt: skip
print(f"simulated points oscillating: {osc.sum()} of {osc.size}; theory says no stable fixed "
      f"point at {theory_osc.sum()}; agreement {np.mean(osc == theory_osc):.0%} (disagreement "
      "only where a stable fixed point coexists with a cycle, or at a grid edge)")  # fmt: skip

# %% [markdown]
# ## E/I random matrices: bulk radius and outlier
#
# Columns with variances sigma_E^2/N (fraction f) and sigma_I^2/N, mean couplings mu_E/N and
# mu_I/N.  The bulk fills the disc of radius sqrt(f sigma_E^2 + (1 - f) sigma_I^2) (Rajan &
# Abbott 2006); the mean adds the outlier f mu_E + (1 - f) mu_I.

# %%
N = 400 if SMALL else 2000
f, sE, sI, mE, mI = 0.8, 0.5, 1.8, 3.0, -2.0
NE = int(f * N)
sig = np.r_[np.full(NE, sE), np.full(N - NE, sI)]
mean = np.r_[np.full(NE, mE), np.full(N - NE, mI)] / N
J = np.random.default_rng(1).normal(0, 1 / np.sqrt(N), (N, N)) * sig + mean[None, :]
ev = np.linalg.eigvals(J)
pred = spectra.excitatory_inhibitory(f, sE, sI, mean_E=mE, mean_I=mI, N=N)
print(pred)
fig = Figure(figsize=(5, 5))
ax = fig.add_subplot()
ax.plot(ev.real, ev.imag, ".", ms=2, color="0.3", label=f"eigenvalues, N = {N}")
phi = np.linspace(0, 2 * np.pi, 400)
ax.plot(pred.radius * np.cos(phi), pred.radius * np.sin(phi), "r-", label="predicted bulk")
ax.plot(pred.outliers.real, pred.outliers.imag, "b+", ms=14, mew=2, label="predicted outlier")
ax.set(aspect="equal", xlabel="Re", ylabel="Im", title="E/I spectrum (Rajan & Abbott 2006)")
ax.legend(fontsize=7)
fig.savefig(OUT / "ei_spectrum.png", dpi=120, bbox_inches="tight")

# %% [markdown]
# ## E/I random matrices: the radial density
#
# With sigma_E != sigma_I the density inside the disc is not uniform: the fraction of
# eigenvalues within radius r is F(r) = 1 - u(r), with u the positive root of a quadratic
# (`rnmf.theory.spectra.excitatory_inhibitory`; the column-variance case of the block-variance
# formula `block_radial_cdf`, Aljadeff, Stern & Sharpee 2015).  The histogram of the sampled
# radii (outlier removed) against F and against the uniform disc of the same radius.

# %%
bulk = ev[np.argsort(np.abs(ev - pred.outliers[0]))[1:]] if pred.outliers.size else ev
rad = np.sort(np.abs(bulk))
rr = np.linspace(0, pred.radius, 200)
fig = Figure(figsize=(5, 3.5))
ax = fig.add_subplot()
ax.plot(rad, np.arange(1, rad.size + 1) / rad.size, "k-", lw=2, label=f"sampled, N = {N}")
ax.plot(rr, pred.radial_cdf(rr / pred.radius), "r--", label="theory F(r)")
ax.plot(rr, (rr / pred.radius) ** 2, ":", color="0.5", label="uniform disc")
ax.set(xlabel="|eigenvalue|", ylabel="fraction within radius", title="E/I radial CDF")
ax.legend(fontsize=7)
fig.savefig(OUT / "ei_radial_density.png", dpi=120, bbox_inches="tight")
print(f"KS distance to F: {spectra.ks_distance(ev, pred):.4f} "
      f"(uniform disc: {spectra.ks_distance(bulk, spectra.circular(pred.radius)):.4f})")  # fmt: skip
