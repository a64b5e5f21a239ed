"""Matplotlib figures of rnmf: theory curves with simulation points.

Functions return :class:`matplotlib.figure.Figure` objects and never call
``plt.show()``; the caller saves or shows them.  Figures are built with the
object-oriented API on the Agg canvas, so nothing here needs a display.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .phase.plotting import REGIME_COLORS, plot_phase, regime_colors

__all__ = [
    "REGIME_COLORS",
    "plot_phase",
    "regime_colors",
    "plot_autocorrelation",
    "plot_finite_size",
    "plot_vs_g",
    "validation_figures",
]

THEORY_STYLE = {"color": "k", "lw": 1.6}
SIM_STYLE = {"fmt": "o", "ms": 4, "capsize": 2}
COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")


def _sim_mean_sem(runs: Sequence[dict[str, Any]], key: str) -> tuple[np.ndarray, np.ndarray]:
    arr = np.array([r[key] for r in runs], dtype=float)
    sem = (
        arr.std(axis=0, ddof=1) / np.sqrt(arr.shape[0])
        if arr.shape[0] > 1
        else np.zeros_like(arr[0])
    )
    return arr.mean(axis=0), sem


def plot_autocorrelation(
    panels: Sequence[tuple[str, Any, Sequence[dict[str, Any]]]],
    *,
    every: int = 4,
) -> Figure:
    """Delta(tau): DMFT curves (lines) against simulations (dots, mean ± sem over seeds).

    Parameters
    ----------
    panels : sequence of (label, DMFTResult, runs)
        ``runs`` are per-seed dictionaries with ``"lags"`` and ``"Delta"``.
    every : int
        Plot every ``every``-th simulated lag as a dot.
    """
    n = len(panels)
    ncol = min(n, 3)
    nrow = int(np.ceil(n / ncol)) if n else 1
    fig = Figure(figsize=(4.2 * ncol, 3.2 * nrow), layout="constrained")
    axes = fig.subplots(nrow, ncol, squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    for ax, (label, th, runs) in zip(axes.flat, panels, strict=False):
        lags = np.asarray(runs[0]["lags"], dtype=float)
        mean, sem = _sim_mean_sem(runs, "Delta")
        fine = np.linspace(0.0, lags[-1], 400) if lags[-1] > 20 or lags.size > 30 else lags
        ax.plot(fine, th.autocorrelation(fine), label="DMFT", **THEORY_STYLE)
        sl = slice(None, None, every if lags.size > 40 else 1)
        ax.errorbar(
            lags[sl], mean[sl], yerr=sem[sl], color=COLORS[0], label="simulation", **SIM_STYLE
        )
        ax.set_title(label, fontsize=10)
        ax.set_xlabel(
            "lag (steps)"
            if getattr(th.model, "discrete", False)
            else r"lag $\tau$ (units of $\tau_m$)"
        )
        ax.set_ylabel(r"$\Delta(\tau)$")
        ax.axhline(0.0, color="0.7", lw=0.6)
    if n:
        axes.flat[0].legend(frameon=False)
    return fig


def plot_vs_g(
    curves: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]],
    points: dict[str, list[tuple[float, float, float, float, float]]],
) -> Figure:
    """Delta0 and lambda_max against g: theory lines, simulation points.

    Parameters
    ----------
    curves : dict
        Label -> (g grid, Delta0(g), lambda_max(g)) from the theory.
    points : dict
        Label -> list of (g, Delta0 mean, Delta0 sem, lambda mean, lambda sem) from
        simulations (NaN where not measured).
    """
    fig = Figure(figsize=(9.0, 3.4), layout="constrained")
    ax0, ax1 = fig.subplots(1, 2)
    for i, (label, (gs, d0, lam)) in enumerate(curves.items()):
        c = COLORS[i % len(COLORS)]
        ax0.plot(gs, d0, color=c, lw=1.6, label=f"DMFT {label}")
        ax1.plot(gs, lam, color=c, lw=1.6, label=f"DMFT {label}")
        pts = np.array(points.get(label, []), dtype=float).reshape(-1, 5)
        if pts.size:
            ax0.errorbar(
                pts[:, 0],
                pts[:, 1],
                yerr=pts[:, 2],
                color=c,
                mec="k",
                label=f"sim {label}",
                **SIM_STYLE,
            )
            ok = np.isfinite(pts[:, 3])
            ax1.errorbar(pts[ok, 0], pts[ok, 3], yerr=pts[ok, 4], color=c, mec="k", **SIM_STYLE)
    ax0.set_xlabel("g")
    ax0.set_ylabel(r"$\Delta_0$ (variance of $x$)")
    ax1.set_xlabel("g")
    ax1.set_ylabel(r"$\lambda_{\max}$ (per $\tau$)")
    ax1.axhline(0.0, color="0.6", lw=0.8)
    ax0.legend(frameon=False, fontsize=8)
    return fig


def plot_finite_size(scaling: dict[str, Any]) -> Figure:
    """Finite-size scaling of Delta0: spread over networks and mean gap against N (log-log)."""
    fig = Figure(figsize=(4.6, 3.5), layout="constrained")
    ax = fig.subplots()
    N = np.asarray(scaling["sizes"], dtype=float)
    ax.errorbar(
        N,
        scaling["sd"],
        yerr=scaling["sd_err"],
        color=COLORS[0],
        label="spread over networks (1.4826 MAD)",
        **SIM_STYLE,
    )
    fit = np.exp(scaling["intercept"]) * N ** scaling["slope"]
    ax.plot(N, fit, color=COLORS[0], lw=1.2, label=f"fit: slope {scaling['slope']:.2f}")
    ref = scaling["sd"][0] * (N / N[0]) ** -0.5
    ax.plot(N, ref, color="0.5", ls="--", lw=1.0, label=r"$N^{-1/2}$")
    bias = np.abs(np.asarray(scaling["bias"]))
    ax.errorbar(
        N,
        bias,
        yerr=scaling["bias_err"],
        color=COLORS[1],
        fmt="s",
        ms=4,
        capsize=2,
        label="|mean gap|",
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("N")
    ax.set_ylabel(r"$\Delta_0^{sim} - \Delta_0^{DMFT}$")
    ax.legend(frameon=False, fontsize=8)
    return fig


def validation_figures(
    scenarios: Sequence[Any],
    theories: Sequence[Any],
    runs: Sequence[Sequence[dict[str, Any]]],
    scaling: dict[str, Any] | None = None,
    *,
    n_grid: int = 60,
) -> dict[str, Figure]:
    """The figures of the validation report.

    ``autocorrelation`` (every scenario with a checked Delta(tau) shape),
    ``delta0_lambda_vs_g`` (continuous-time scenarios grouped by noise level,
    theory on a grid of g) and ``finite_size`` (when ``scaling`` is given).
    """
    from rnmf.theory import dmft

    figs: dict[str, Figure] = {}
    panels = [
        (s.label, th, r) for s, th, r in zip(scenarios, theories, runs, strict=True) if s.lags
    ]
    if panels:
        figs["autocorrelation"] = plot_autocorrelation(panels)

    groups: dict[str, list[int]] = {}
    for i, s in enumerate(scenarios):
        m = s.model
        if m.discrete or m.J0 or m.I0 or m.sigma_I:
            continue
        groups.setdefault(f"sigma={m.sigma_noise:g}", []).append(i)
    curves, points = {}, {}
    for label, idx in groups.items():
        base = scenarios[idx[0]].model
        gs = np.linspace(0.2, 3.0, n_grid)
        # vectorised DMFT (fast path: tanh/erf, J0 = I0 = sigma_I = 0), lambda_max included
        grid = dmft.solve_grid(base, lyapunov=True, g=gs)
        d0 = np.asarray(grid["Delta0"], dtype=float)
        lam = np.asarray(grid["lambda_max"], dtype=float)
        curves[label] = (gs, d0, lam)
        pts = []
        for i in idx:
            r = runs[i]
            dm, ds = _sim_mean_sem(r, "Delta0")
            if "lambda_max" in r[0]:
                lm, ls = _sim_mean_sem(r, "lambda_max")
            else:
                lm, ls = np.nan, np.nan
            pts.append((scenarios[i].model.g, float(dm), float(ds), float(lm), float(ls)))
        points[label] = pts
    if curves:
        figs["delta0_lambda_vs_g"] = plot_vs_g(curves, points)
    if scaling is not None:
        figs["finite_size"] = plot_finite_size(scaling)
    return figs
