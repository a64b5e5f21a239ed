"""The ``rnmf phase lif`` problem (rnmf.phase.problems.lif): unresolved theory points
count as failed, swept fields reach the theory (issue 10)."""

from __future__ import annotations

import numpy as np
import pytest

from rnmf import phase
from rnmf.phase.problems.lif import BrunelParams, lif_theory
from rnmf.theory import lif


def test_sweep_failed_count_equals_unresolved_points():
    """At g = 3.5 (g gamma near 1) |M| stays >= 0.9 beyond f_max: the theory cannot
    certify the label.  The sweep must count those points as failed, as many as a
    direct brunel_phase_diagram reports unresolved (before issue 10: 'failed 0')."""
    axes = {"g": np.array([3.5, 5.0]), "eta": np.array([1.15, 2.0])}
    d = phase.sweep(lif_theory, BrunelParams(), axes, vectorized=True, progress=False)
    G, E = np.meshgrid(axes["g"], axes["eta"], indexing="ij")
    pd = lif.brunel_phase_diagram(G, E, raise_on_failure=False)
    assert int(np.sum(~pd.resolved)) == 2
    assert d.n_failed == int(np.sum(~pd.resolved))
    np.testing.assert_array_equal(d.ok, pd.resolved)
    np.testing.assert_array_equal(d.fields["regime"], pd.regime)
    messages = [m for _, m in d.failures()]
    assert all(m.startswith("unresolved: ") and "f_max" in m for m in messages)


def test_figure_marks_unresolved_points():
    pytest.importorskip("matplotlib")
    from rnmf.phase.plotting import plot_phase

    d = phase.sweep(
        lif_theory,
        BrunelParams(),
        {"g": np.array([3.5, 5.0]), "eta": np.array([1.15, 2.0])},
        vectorized=True,
        progress=False,
    )
    fig = plot_phase(d, "regime")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "failed" in labels


def test_swept_delay_reaches_the_theory():
    """D on an axis: each point is solved with its own delay (leading mode at g = 7,
    eta = 2.25: stable at D = 1.5 ms, the unstable fast mode at 94 Hz at D = 3 ms)."""
    params = {"g": np.array([7.0, 7.0]), "eta": np.array([2.25, 2.25]), "D": np.array([1.5, 3.0])}
    out = lif_theory(BrunelParams(), params)
    for k, D in enumerate(params["D"]):
        ref = lif.brunel_phase_diagram(7.0, 2.25, D=float(D))
        assert out["frequency"][k] == pytest.approx(float(ref.frequency), rel=1e-9)
        assert out["regime"][k] == ref.regime.item()
    assert list(out["regime"]) == ["AI", "SI fast"]


def test_sim_cost_is_an_order_of_magnitude():
    """About 4 s at N_E = 10^4 (2-10 s measured), ~50x less at N_E = 10^3, more for the
    fast-firing SR state (g = 3)."""
    from rnmf.phase.problems import PROBLEMS
    from rnmf.phase.problems.lif import lif_sim_cost

    base = lif_sim_cost(BrunelParams())
    assert 1.0 < base < 20.0
    assert lif_sim_cost(BrunelParams(N_E=1000)) < base / 10
    assert lif_sim_cost(BrunelParams(g=3.0)) > base
    assert set(PROBLEMS["lif"].sweepable_fields()) == {"g", "eta", "N_E", "epsilon", "J", "D"}
