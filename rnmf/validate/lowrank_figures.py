"""Figures of the low-rank suite: the rank-one phase diagram and kappa against g."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._lowrank_points import STEP_AMP, STEP_TIME

__all__ = ["kappa_vs_g_figure", "phase_diagram_figure"]

_PHASE_COLORS = {
    "homogeneous": "#f0f0f0",
    "heterogeneous": "#9ecae1",
    "chaotic_bistable": "#fdae6b",
    "chaotic": "#e6550d",
}
_MARKERS = {"homogeneous": "s", "heterogeneous": "o", "chaotic_bistable": "^", "chaotic": "D"}


def phase_diagram_figure(
    points: Sequence[tuple[float, float, str, str | None]] = (),
    *,
    g_max: float = 5.0,
    s_max: float = 6.0,
    n_g: int = 80,
    n_s: int = 60,
) -> Any:
    """Rank-one phase diagram in (g, M_m M_n) from theory, with simulated networks as markers.

    The phase labels and boundary curves come from :func:`rnmf.theory.lowrank.phase_diagram`
    (M&O 2018 Fig. 1; :math:`M_m = 1.1, S_m = 1`).

    Parameters
    ----------
    points : sequence of (g, strength, regime, label)
        Simulated networks: position and the regime each shows (:func:`classify_trajectory`);
        ``label`` annotates the marker (None for none).
    g_max, s_max : float
        Axis ranges.
    n_g, n_s : int
        Grid size.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from rnmf.theory import lowrank as tl

    gv = np.linspace(0.0, g_max, n_g)
    sv = np.linspace(0.0, s_max, n_s)
    pd = tl.phase_diagram(gv, sv)
    fig = Figure(figsize=(7.6, 4.6), layout="constrained")
    ax = fig.subplots()
    cmap = ListedColormap([_PHASE_COLORS[p] for p in pd.phases])
    ax.pcolormesh(
        gv, sv, pd.labels, cmap=cmap, vmin=-0.5, vmax=len(pd.phases) - 0.5, shading="nearest"
    )
    for gb, sb in pd.boundaries.values():
        ax.plot(gb, sb, color="k", lw=1.3)
    handles = [Patch(color=_PHASE_COLORS[p], label=p.replace("_", " ")) for p in pd.phases]
    seen = set()
    for g, s, regime, label in points:
        ax.plot(g, s, _MARKERS.get(regime, "x"), ms=8, mfc="w", mec="k", mew=1.4)
        if label:
            ax.annotate(label, (g, s), xytext=(6, 6), textcoords="offset points", fontsize=8)
        if regime not in seen:
            seen.add(regime)
            handles.append(
                Line2D(
                    [],
                    [],
                    ls="",
                    marker=_MARKERS.get(regime, "x"),
                    mfc="w",
                    mec="k",
                    label=f"simulation: {regime.replace('_', ' ')}",
                )
            )
    ax.set_xlim(0, g_max)
    ax.set_ylim(0, s_max)
    ax.set_xlabel("random strength g")
    ax.set_ylabel(r"structure strength $M_m M_n$")
    ax.set_title(r"rank one, $M_m=1.1$, $S_m=1$ (theory; markers: simulations)", fontsize=10)
    ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def kappa_vs_g_figure(
    sims: Sequence[tuple[float, Sequence[float]]],
    *,
    N: int,
    latent: Sequence[dict[str, Any]] = (),
    g_max: float = 2.2,
) -> Any:
    """kappa against g at the reference loadings (theory line, simulated fixed points).

    Parameters
    ----------
    sims : sequence of (g, kappas)
        Simulated fixed-point kappa values at each g (both signs).
    N : int
        Simulated size (title).
    latent : sequence of dict
        Latent step-response runs of :func:`run_lowrank` (second panel; optional).
    g_max : float
        Largest g drawn.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    from rnmf.theory import lowrank as tl

    gv = np.linspace(0.0, g_max, 221)
    pd = tl.phase_diagram(gv, [2.2])
    kap = np.where(pd.labels[0] == 1, pd.kappa[0], np.nan)
    g_c = float(tl.critical_g_chaos(2.2)[0])
    fig = Figure(figsize=(9.0 if latent else 5.0, 3.6), layout="constrained")
    axes = fig.subplots(1, 2 if latent else 1, squeeze=False)[0]
    ax = axes[0]
    ax.plot(gv, kap, "k", lw=1.6, label="theory (stable static)")
    ax.plot(gv, -kap, "k", lw=1.6)
    ax.axhline(0.0, color="0.6", lw=0.8, ls=":")
    ax.axvline(g_c, color="0.5", lw=0.8, ls="--", label=f"$g_C$ = {g_c:.4f}")
    first = True
    for g, ks in sims:
        ax.plot(
            [g] * len(ks),
            ks,
            "o",
            ms=6,
            mfc="#d62728",
            mec="k",
            label=f"simulation N={N} (from ±m)" if first else None,
        )
        first = False
    ax.set_xlabel("g")
    ax.set_ylabel(r"$\kappa$")
    ax.set_title(r"$M_m=1.1$, $M_n=2$, $S_m=1$", fontsize=10)
    ax.legend(fontsize=7, frameon=False)
    if latent:
        ax2 = axes[1]
        for i, r in enumerate(latent):
            ax2.plot(r["t"], r["theory"], "k", lw=1.4, label="latent ODE" if i == 0 else None)
            sl = slice(None, None, 25)
            ax2.plot(
                r["t"][sl],
                r["sim"][sl],
                "o",
                ms=3,
                mfc="none",
                mec="#1f77b4",
                label="simulation" if i == 0 else None,
            )
        ax2.axvline(STEP_TIME, color="0.5", lw=0.8, ls="--")
        ax2.set_xlabel("t (units of tau)")
        ax2.set_ylabel(r"$\kappa(t) = n^T\phi(x)/N$")
        ax2.set_title(f"g = 0, step input u = {STEP_AMP:g} at t = {STEP_TIME:g}", fontsize=10)
        ax2.legend(fontsize=7, frameon=False)
    return fig
