"""Phase-diagram figures: heat maps, regime colours, boundary lines, simulation overlays.

Re-exported by :mod:`rnmf.plotting`.  Every function returns a
:class:`matplotlib.figure.Figure` built with the object-oriented API (no pyplot
state, no display needed) and never calls ``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .diagram import PhaseDiagram

__all__ = ["REGIME_COLORS", "plot_phase", "regime_colors"]

#: Fixed colours of the usual regime labels, so that every figure agrees.
REGIME_COLORS: dict[str, str] = {
    "AI": "#9ecae1",
    "SI fast": "#fdae6b",
    "SI slow": "#a1d99b",
    "SR": "#e377c2",
    "quiescent": "#f0f0f0",
    "quiet": "#c6d4e1",
    "static": "#9fb7cc",
    "noise-driven": "#8fbf8f",
    "fixed_point": "#c6d4e1",
    "stable": "#c6d4e1",
    "chaotic": "#d9544d",
    "chaos": "#d9544d",
    "bistable": "#8e6bbf",
    "oscillatory": "#57a55a",
    "limit_cycle": "#57a55a",
    "saturated": "#f0b84b",
    "asynchronous": "#5b8fd6",
    "synchronous": "#e58a3a",
}
_CYCLE = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c")
_CURVE_STYLES = (
    "--",
    "-.",
    ":",
    (0, (5, 1, 1, 1)),
    (0, (8, 2)),
    (0, (3, 1, 1, 1, 1, 1)),
    (0, (1, 3)),
)


def regime_colors(labels: Sequence[str]) -> dict[str, str]:
    """Colour per label: :data:`REGIME_COLORS` for known regimes, a fixed cycle otherwise."""
    out: dict[str, str] = {}
    k = 0
    for lab in labels:
        if lab in REGIME_COLORS:
            out[lab] = REGIME_COLORS[lab]
        else:
            out[lab] = _CYCLE[k % len(_CYCLE)]
            k += 1
    return out


def _edges(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    if v.size == 1:
        return np.array([v[0] - 0.5, v[0] + 0.5])
    mid = 0.5 * (v[1:] + v[:-1])
    return np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]])


def _overlay_data(
    overlay: Any, diagram: PhaseDiagram, field: str | None, label_field: str | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Return x, y, numeric values or None, labels or None."""
    names = diagram.names
    if isinstance(overlay, PhaseDiagram):
        if overlay.names[: diagram.ndim] != names or overlay.ndim != diagram.ndim:
            raise ValueError(
                f"overlay diagram axes {overlay.names} differ from the diagram's {names}"
            )
        grids = np.meshgrid(*overlay.axes.values(), indexing="ij")
        ok = overlay.ok.ravel()
        x = grids[0].ravel()[ok]
        y = grids[1].ravel()[ok] if diagram.ndim == 2 else None
        values = labels = None
        if label_field is not None and label_field in overlay.fields:
            labels = overlay.fields[label_field].ravel()[ok]
        elif field is not None and field in overlay.fields:
            arr = overlay.fields[field].ravel()[ok]
            if arr.dtype.kind in "US":
                labels = arr
            else:
                values = arr
        else:
            raise ValueError(
                f"overlay diagram has none of the fields {field!r}, {label_field!r}; "
                f"it has {', '.join(overlay.fields)}"
            )
        return x, y, values, labels
    if not isinstance(overlay, Mapping):
        raise ValueError(
            "overlay must be a PhaseDiagram or a dict with one array per axis name "
            "(or 'x'/'y') and 'values' or 'labels'"
        )
    coords = []
    for k, name in enumerate(names):
        key = name if name in overlay else ("x", "y")[k]
        if key not in overlay:
            raise ValueError(f"overlay needs the coordinates {name!r} (or {('x', 'y')[k]!r})")
        coords.append(np.asarray(overlay[key], dtype=float).ravel())
    if any(c.size != coords[0].size for c in coords):
        raise ValueError("overlay coordinates must all have the same length")
    values = labels = None
    if "labels" in overlay:
        labels = np.asarray(overlay["labels"], dtype=str).ravel()
        if labels.size != coords[0].size:
            raise ValueError("overlay 'labels' must have one entry per point")
    if "values" in overlay:
        values = np.asarray(overlay["values"], dtype=float).ravel()
        if values.size != coords[0].size:
            raise ValueError("overlay 'values' must have one entry per point")
    return coords[0], (coords[1] if len(coords) > 1 else None), values, labels


def plot_phase(
    diagram: PhaseDiagram,
    field: str | None = None,
    *,
    label_field: str | None = None,
    boundaries: bool = True,
    overlay: Any = None,
    ax: Any = None,
    cmap: str = "viridis",
    title: str | None = None,
) -> Figure:
    """Draw a 2-D phase diagram (or a 1-D cut) and return its figure.

    Parameters
    ----------
    diagram : PhaseDiagram
        From :func:`rnmf.phase.sweep`; 1-D or 2-D (cut a 3-D one with
        :meth:`PhaseDiagram.select`).
    field : str, optional
        Field to show.  Numeric: a heat map with a colour bar; categorical (str): the
        regime colours with a legend.  Default: ``label_field`` if given, else the
        first field.
    label_field : str, optional
        Categorical field whose region boundaries are drawn over a numeric heat map.
    boundaries : bool
        Draw the grid boundaries between regimes (solid black) and the theory
        curves of ``diagram.curves`` (dashed, labelled in the legend).
    overlay : PhaseDiagram or dict, optional
        Simulation points as markers: a (coarser) simulation diagram on the same
        axes, or ``{"g": [...], "sigma_noise": [...], "values": [...]}`` (or
        ``"labels"``; ``"x"``/``"y"`` may stand for the axis names).  Numeric values
        share the heat map's colour scale; labels use the regime colours.
    ax : matplotlib Axes, optional
        Axes to draw into; a new figure otherwise.
    cmap : str
        Colour map of numeric fields.
    title : str, optional
        Axes title (default: the field name).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if not isinstance(diagram, PhaseDiagram):
        raise ValueError(f"diagram must be a PhaseDiagram, got {type(diagram).__name__}")
    if diagram.ndim > 2:
        raise ValueError(
            f"plot_phase draws 1-D or 2-D diagrams; this one has axes {diagram.names}: "
            f"cut it first, e.g. diagram.select({diagram.names[-1]}=...)"
        )
    if not diagram.fields:
        raise ValueError("the diagram has no fields to plot (did every point fail?)")
    if field is None:
        field = label_field if label_field is not None else next(iter(diagram.fields))
    values = diagram._field(field)
    categorical = diagram.is_categorical(field)
    if label_field is not None and not diagram.is_categorical(label_field):
        raise ValueError(f"label_field {label_field!r} must be a categorical (str) field")
    regimes_from = field if categorical else label_field

    if ax is None:
        fig = Figure(figsize=(8.0, 4.6), layout="constrained")  # no pyplot state, no display
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    names = diagram.names
    x = diagram.axes[names[0]].astype(float)
    ok = diagram.ok
    handles: list[Any] = []

    # colours of the categories (also used by a labelled overlay)
    overlay_xy = None
    if overlay is not None:
        overlay_xy = _overlay_data(overlay, diagram, field, label_field)
    cats: list[str] = []
    if regimes_from is not None:
        lab = diagram.fields[regimes_from]
        cats = sorted(set(lab[ok & (lab != "")].tolist()))
    if overlay_xy is not None and overlay_xy[3] is not None:
        cats = sorted(set(cats) | set(overlay_xy[3].tolist()) - {""})
    colors = regime_colors(cats)

    norm = None
    if diagram.ndim == 2:
        y = diagram.axes[names[1]].astype(float)
        X, Y = _edges(x), _edges(y)
        if categorical:
            codes = np.full(values.shape, np.nan)
            for k, c in enumerate(cats):
                codes[ok & (values == c)] = k
            cm = ListedColormap([colors[c] for c in cats] or ["#ffffff"])
            bn = BoundaryNorm(np.arange(len(cats) + 1) - 0.5, cm.N)
            ax.pcolormesh(X, Y, np.ma.masked_invalid(codes.T), cmap=cm, norm=bn, shading="flat")
            handles += [Patch(facecolor=colors[c], edgecolor="none", label=c) for c in cats]
        else:
            z = np.where(ok, values, np.nan)
            mesh = ax.pcolormesh(X, Y, np.ma.masked_invalid(z.T), cmap=cmap, shading="flat")
            norm = mesh.norm
            fig.colorbar(mesh, ax=ax, label=field)
        if boundaries and regimes_from is not None:
            first = True
            for lines in diagram.boundaries(regimes_from).values():
                for line in lines:
                    ax.plot(line[:, 0], line[:, 1], color="k", lw=1.4, label="_nolegend_")
                    if first:
                        handles.append(Line2D([], [], color="k", lw=1.4, label="boundary (grid)"))
                        first = False
        if boundaries:
            for k, name in enumerate(diagram.curves):
                style = _CURVE_STYLES[k % len(_CURVE_STYLES)]
                # one polyline per continuous piece: never joined across a gap or a change
                # of branch (PhaseDiagram.curve_segments)
                for seg in diagram.curve_segments(name):
                    ax.plot(seg[:, 0], seg[:, 1], color="w", lw=3.2, ls="-", label="_nolegend_")
                    ax.plot(seg[:, 0], seg[:, 1], color="k", lw=1.6, ls=style, label="_nolegend_")
                handles.append(
                    Line2D([], [], color="k", lw=1.6, ls=style, label=f"{name} (theory)")
                )
        if not np.all(ok):
            gx, gy = np.meshgrid(x, y, indexing="ij")
            ax.plot(gx[~ok], gy[~ok], "x", color="0.35", ms=4, label="_nolegend_")
            handles.append(Line2D([], [], marker="x", ls="", color="0.35", label="failed"))
        ax.set_xlim(X.min(), X.max())
        ax.set_ylim(Y.min(), Y.max())
        ax.set_ylabel(names[1])
    else:
        if categorical:
            for c in cats:
                sel = ok & (values == c)
                ax.plot(x[sel], np.zeros(sel.sum()), "s", color=colors[c], ms=8, label="_nolegend_")
                handles.append(Patch(facecolor=colors[c], label=c))
            ax.set_yticks([])
        else:
            ax.plot(x, np.where(ok, values, np.nan), "-", color="k", lw=1.5, label="_nolegend_")
            ax.set_ylabel(field)
            if regimes_from is not None:
                lab = diagram.fields[regimes_from]
                for c in cats:
                    sel = ok & (lab == c)
                    ax.plot(x[sel], values[sel], "o", color=colors[c], ms=4, label="_nolegend_")
                    handles.append(Patch(facecolor=colors[c], label=c))
        if boundaries:
            if regimes_from is not None:
                first = True
                for lines in diagram.boundaries(regimes_from).values():
                    for line in lines:
                        ax.axvline(line[0, 0], color="k", lw=1.2, label="_nolegend_")
                        if first:
                            handles.append(Line2D([], [], color="k", label="boundary (grid)"))
                            first = False
            for k, (name, pts) in enumerate(diagram.curves.items()):
                style = _CURVE_STYLES[k % len(_CURVE_STYLES)]
                for p in pts[np.all(np.isfinite(pts), axis=1)]:
                    ax.axvline(p[0], color="k", ls=style, lw=1.4, label="_nolegend_")
                handles.append(Line2D([], [], color="k", ls=style, label=f"{name} (theory)"))

    if overlay_xy is not None:
        ox, oy, ov, ol = overlay_xy
        if oy is None:
            oy = np.zeros_like(ox) if categorical or ov is None else ov
        if ol is not None:
            ax.scatter(
                ox,
                oy,
                c=[colors.get(v, "#ffffff") for v in ol],
                marker="o",
                s=60,
                edgecolors="k",
                linewidths=1.4,
                zorder=5,
                label="_nolegend_",
            )
        elif ov is not None:
            kw = {"cmap": cmap, "norm": norm} if norm is not None else {"color": "w"}
            ax.scatter(
                ox,
                oy,
                c=ov if norm is not None else None,
                marker="o",
                s=60,
                edgecolors="k",
                linewidths=1.4,
                zorder=5,
                label="_nolegend_",
                **kw,
            )
        else:
            ax.scatter(ox, oy, marker="o", s=36, facecolors="none", edgecolors="k", zorder=5)
        handles.append(Line2D([], [], marker="o", ls="", mfc="w", mec="k", label="simulation"))

    ax.set_xlabel(names[0])
    ax.set_title(title if title is not None else field)
    if handles:
        # outside the axes, so that no region of the diagram is hidden
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            fontsize="small",
            frameon=False,
            borderaxespad=0.0,
        )
    return fig
