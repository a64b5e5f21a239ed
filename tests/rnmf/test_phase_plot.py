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
