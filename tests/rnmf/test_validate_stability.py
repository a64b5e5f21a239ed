"""The stability suite (rnmf.validate.stability) and the population phase problem
(rnmf.phase.problems.populations)."""

from __future__ import annotations

import numpy as np
import pytest

from rnmf.phase import sweep
from rnmf.phase.problems import PROBLEMS
from rnmf.phase.problems.populations import WilsonCowanParams, classify_runs
from rnmf.validate.suites import REGISTRY


def test_registered():
    assert REGISTRY["stability"] == ("rnmf.validate.stability", "run_stability")
    assert "wilson-cowan" in PROBLEMS


def test_classify_runs():
    fin = np.array([[0.1, 0.1, 0.9], [0.0, 0.0, 0.8]])
    assert classify_runs(fin, np.zeros((2, 3))) == "bistable"
    assert classify_runs(fin[:, :2], np.zeros((2, 2))) == "stable"
    assert classify_runs(fin, np.full((2, 3), 0.5)) == "oscillatory"
    assert classify_runs(fin, np.array([[0.0, 0.0, 0.5], [0.0, 0.0, 0.5]])) == "bistable"


def test_phase_sweep_of_the_population_problem_with_boundaries():
    """A small (I_E, I_I) sweep through rnmf.phase.sweep: regimes from the derived theory,
    the saddle-node line at I_I = -7 where the bistable region ends (I_E = 0.9351)."""
    prob = PROBLEMS["wilson-cowan"]
    d = sweep(prob.theory, WilsonCowanParams(), {"I_E": np.linspace(-1, 4, 11), "I_I": [-7.0, 0.0, 1.5]},
              boundary_fns={k: v for k, v in prob.boundaries.items() if "saddle" in k})  # fmt: skip
    assert d.n_failed == 0
    reg = d.fields["regime"]
    assert reg[0, 0] == "bistable" and reg[-1, 0] == "stable"
    at = [c[np.isclose(c[:, 1], -7.0)][0, 0] for k, c in d.curves.items()]
    assert np.nanmin(np.abs(np.array(at) - 0.93511)) < 1e-4


def test_population_simulation_regimes():
    prob = PROBLEMS["wilson-cowan"]
    rng = np.random.default_rng(0)
    assert prob.simulation(WilsonCowanParams(I_E=1.5, I_I=-4.0), rng)["regime"] == "oscillatory"
    assert prob.simulation(WilsonCowanParams(I_E=-1.0, I_I=0.0), rng)["regime"] == "stable"


@pytest.mark.slow
def test_quick_stability_suite_passes():
    from rnmf.validate.stability import run_stability

    checks, figs = run_stability(quick=True, seeds=2, seed=0)
    assert len(checks) == 10 and figs == {}
    failed = [c.row() for c in checks if not c.passed]
    assert failed == []
