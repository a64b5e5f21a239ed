"""Phase-diagram figures (rnmf.phase.plotting): what is drawn, not how it looks.

The diagram is the synthetic transition line g_c(sigma) = sqrt(1 + sigma^2) (shape
of the noise-shifted chaos boundary, Schuecker, Goedeke & Helias 2018, PRX 8:041029);
the oracle for the drawn lines is PhaseDiagram.boundaries / .curves themselves and
the analytic curve.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection, QuadMesh  # noqa: E402

from rnmf import RateNetwork  # noqa: E402
from rnmf.phase import sweep  # noqa: E402
from rnmf.phase.plotting import REGIME_COLORS, plot_phase, regime_colors  # noqa: E402

NET = RateNetwork(N=100, g=1.0)


def theory(net: RateNetwork) -> dict:
    if net.g > 2.9 and net.sigma_noise > 1.9:
        raise RuntimeError("no solution")
    gc = float(np.sqrt(1.0 + net.sigma_noise**2))
    return {"excess": net.g - gc, "regime": "chaotic" if net.g > gc else "quiet"}


@pytest.fixture(scope="module")
def diagram():
    return sweep(
        theory,
        NET,
        {"g": np.linspace(0.5, 3.0, 26), "sigma_noise": np.linspace(0.0, 2.0, 21)},
        boundary_fns={"chaos": ("g", lambda n: float(np.sqrt(1 + n.sigma_noise**2)))},
    )


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _legend(fig) -> list[str]:
    return [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def test_regime_map_with_boundaries_overlay_and_failed(diagram, tmp_path):
    overlay = {
        "g": [1.0, 2.0, 2.5],
        "sigma_noise": [0.5, 0.5, 1.5],
        "labels": ["quiet", "chaotic", "chaotic"],
    }
    fig = plot_phase(diagram, label_field="regime", overlay=overlay)
    ax = fig.axes[0]
    assert len(fig.axes) == 1  # no colour bar for a categorical map
    assert _legend(fig) == [
        "chaotic",
        "quiet",
        "boundary (grid)",
        "chaos (theory)",
        "failed",
        "simulation",
    ]
    meshes = [c for c in ax.collections if isinstance(c, QuadMesh)]
    assert len(meshes) == 1
    # the two regime colours are the house colours
    fig.draw_without_rendering()
    faces = {tuple(np.round(c, 3)) for c in meshes[0].get_facecolors()}
    want = {
        tuple(np.round(matplotlib.colors.to_rgba(REGIME_COLORS[k]), 3))
        for k in ("quiet", "chaotic")
    }
    assert want <= faces
    # lines: each grid boundary line + the theory curve (halo + dashed) + failed markers
    n_grid = sum(len(v) for v in diagram.boundaries("regime").values())
    lines = ax.get_lines()
    assert len(lines) == n_grid + 2 + 1
    dashed = [ln for ln in lines if ln.get_linestyle() == "--"]
    (curve,) = dashed
    np.testing.assert_allclose(curve.get_ydata(), np.linspace(0, 2, 21))
    np.testing.assert_allclose(curve.get_xdata(), np.sqrt(1 + np.linspace(0, 2, 21) ** 2))
    failed = [ln for ln in lines if ln.get_marker() == "x"]
    assert len(failed[0].get_xdata()) == diagram.n_failed == 4
    scat = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(scat) == 1 and len(scat[0].get_offsets()) == 3
    np.testing.assert_allclose(
        scat[0].get_facecolors()[0], matplotlib.colors.to_rgba(REGIME_COLORS["quiet"])
    )
    path = tmp_path / "phase.png"
    fig.savefig(path, dpi=60)
    assert path.stat().st_size > 2000
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_numeric_heat_map_has_colorbar_and_shared_scale(diagram):
    overlay = {"x": [1.0, 2.0], "y": [0.5, 1.0], "values": [-0.5, 0.5]}
    fig = plot_phase(diagram, "excess", label_field="regime", overlay=overlay, cmap="magma")
    assert len(fig.axes) == 2  # heat map + colour bar
    assert fig.axes[1].get_ylabel() == "excess"
    ax = fig.axes[0]
    mesh = next(c for c in ax.collections if isinstance(c, QuadMesh))
    scat = next(c for c in ax.collections if isinstance(c, PathCollection))
    assert scat.norm is mesh.norm and scat.get_cmap().name == "magma"
    assert (
        ax.get_xlabel() == "g" and ax.get_ylabel() == "sigma_noise" and ax.get_title() == "excess"
    )
    assert "boundary (grid)" in _legend(fig) and "simulation" in _legend(fig)


def test_overlay_from_a_simulation_diagram_and_given_axes(diagram):
    sim = sweep(theory, NET, {"g": [1.0, 2.0, 3.0], "sigma_noise": [0.0, 1.0]})
    fig, ax = plt.subplots()
    out = plot_phase(diagram, label_field="regime", overlay=sim, ax=ax, boundaries=False)
    assert out is fig
    scat = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(scat[0].get_offsets()) == 6
    assert "boundary (grid)" not in _legend(fig) and "chaos (theory)" not in _legend(fig)


def test_one_dimensional_cut(diagram):
    cut = diagram.select(sigma_noise=1.0)
    fig = plot_phase(cut, "excess", label_field="regime")
    ax = fig.axes[0]
    vlines = [
        ln for ln in ax.get_lines() if np.ptp(ln.get_xdata()) == 0 and len(ln.get_xdata()) == 2
    ]
    xs = sorted(float(ln.get_xdata()[0]) for ln in vlines)
    # grid boundary (midpoint of bracketing grid values) and theory g_c(1) = sqrt(2)
    assert xs[0] == pytest.approx(np.sqrt(2), abs=1e-12)
    assert abs(xs[1] - np.sqrt(2)) <= 0.05
    assert set(_legend(fig)) >= {"chaotic", "quiet", "boundary (grid)", "chaos (theory)"}


def test_regime_colors_are_stable():
    c = regime_colors(["quiet", "weird", "chaotic", "other"])
    assert c["quiet"] == REGIME_COLORS["quiet"] and c["chaotic"] == REGIME_COLORS["chaotic"]
    assert c["weird"] != c["other"]
    assert regime_colors(["weird", "other"]) == {"weird": c["weird"], "other": c["other"]}


def test_bad_input(diagram):
    three = sweep(theory, NET, {"g": [1.0, 2.0], "sigma_noise": [0.0, 1.0], "I0": [0.0, 1.0]})
    with pytest.raises(ValueError, match="select"):
        plot_phase(three)
    with pytest.raises(ValueError, match="categorical"):
        plot_phase(diagram, "excess", label_field="excess")
    with pytest.raises(ValueError, match="no field 'nope'"):
        plot_phase(diagram, "nope")
    with pytest.raises(ValueError, match="coordinates 'sigma_noise'"):
        plot_phase(diagram, overlay={"g": [1.0], "values": [1.0]})
    with pytest.raises(ValueError, match="one entry per point"):
        plot_phase(diagram, overlay={"g": [1.0], "sigma_noise": [1.0], "labels": ["a", "b"]})
    with pytest.raises(ValueError, match="PhaseDiagram"):
        plot_phase({"g": 1})


# ------------------------------------------------------------- theory curves cut by branch
def _two_branch_boundary(net: RateNetwork) -> float:
    """k-th-smallest-style boundary: branch A (g = 1 + s/4) for s < 0.8, nothing for
    0.8 <= s < 1.2, branch B (g = 2.5 - s/4) for s >= 1.2, and from s >= 1.6 the value
    passes to a third branch far away (g = 0.6) -- as the '1st' of several saddle-node
    lines does when the lowest one ends."""
    s = net.sigma_noise
    if s < 0.8:
        return 1.0 + s / 4
    if s < 1.2:
        return float("nan")
    return 2.5 - s / 4 if s < 1.6 else 0.6


def test_curve_segments_cut_at_gaps_and_changes_of_branch():
    d = sweep(
        theory,
        NET,
        {"g": np.linspace(0.5, 3.0, 26), "sigma_noise": np.linspace(0.0, 2.0, 21)},
        boundary_fns={"fold": ("g", _two_branch_boundary)},
    )
    segs = d.curve_segments("fold")
    assert len(segs) == 3
    for seg in segs:  # within a piece the curve is continuous
        assert np.max(np.abs(np.diff(seg[:, 0]))) < 0.1
    np.testing.assert_allclose(segs[0][:, 1], np.linspace(0.0, 0.7, 8))
    np.testing.assert_allclose(segs[1][:, 0], 2.5 - np.linspace(1.2, 1.5, 4) / 4)
    np.testing.assert_allclose(segs[2][:, 0], 0.6)
    # a steep but smooth curve stays one piece (steps of 4 grid cells, all alike)
    steep = sweep(
        theory,
        NET,
        {"g": np.linspace(0.5, 3.0, 126), "sigma_noise": np.linspace(0.0, 1.0, 11)},
        boundary_fns={"steep": ("g", lambda n: 0.6 + 2.0 * n.sigma_noise)},
    )
    assert len(steep.curve_segments("steep")) == 1
    fig = plot_phase(d, label_field="regime")
    drawn = [ln for ln in fig.axes[0].get_lines() if ln.get_linestyle() == "--"]
    assert len(drawn) == 3  # one polyline per piece, never joined across the gap
    with pytest.raises(ValueError, match="no theory curve"):
        d.curve_segments("nope")


@pytest.mark.slow
def test_wilson_cowan_lowest_saddle_node_line_is_two_curves():
    """The '1st' saddle-node value of Wilson-Cowan (smallest I_E where det A = 0) follows the
    lower fold up to I_I ~ 0.4, where that fold ends, then the fold near I_E = 3.06: two
    branches, drawn as two curves.  (Slow under load: sympy builds the conditions; the quick
    version is the synthetic test above.)"""
    from rnmf.phase.problems.populations import (
        WilsonCowanParams,
        _boundary,
        populations_theory,
    )

    d = sweep(
        populations_theory,
        WilsonCowanParams(),
        {"I_E": np.linspace(-2, 6, 41), "I_I": np.linspace(-8, 2, 41)},
        boundary_fns={"saddle-node (1st)": ("I_E", _boundary("saddle-node", 0))},
    )
    segs = d.curve_segments("saddle-node (1st)")
    assert len(segs) == 2
    assert np.all(segs[0][:, 1] < 0.6) and np.all(segs[1][:, 1] > 0.2)
    np.testing.assert_allclose(segs[1][:, 0], 3.065, atol=0.05)
