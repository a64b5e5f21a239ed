"""The rmf validation suite and the rmf phase problem."""

import numpy as np
import pytest

from rnmf.phase.problems import PROBLEMS
from rnmf.validate import REGISTRY
from rnmf.validate.rmf import EI_BISTABLE, _sim, ei_network


def test_registered():
    assert REGISTRY["rmf"] == ("rnmf.validate.rmf", "run_rmf")
    assert "rmf" in PROBLEMS and PROBLEMS["rmf"].label_field == "regime"


def test_ei_network_is_one_class_with_fixed_indegrees():
    net = ei_network()
    assert net.N == EI_BISTABLE["N_E"] + EI_BISTABLE["N_I"]
    assert np.all((net.W > 0).sum(axis=0) == EI_BISTABLE["K_E"])
    assert np.all((net.W < 0).sum(axis=0) == EI_BISTABLE["K_I"])


def test_sim_summary_fields():
    from rnmf import IntensityNetwork

    out = _sim(IntensityNetwork.all_to_all(4, 0.5, b=1.0), 50.0, 3, 1, 1.0, None, 5.0)
    assert out["rates"].shape == (4,) and np.all(out["sem"] > 0)
    assert out["cv"].size == 6 and np.isfinite(out["corr"])


def test_phase_problem_theory_and_simulation_agree_at_bistable_point():
    p = PROBLEMS["rmf"]
    th = p.theory(p.model, {"w_E": np.array([1.5]), "w_I": np.array([-0.5])})
    assert th["regime"][0] == "bistable" and th["n_solutions"][0] == 3
    sim = p.simulation(p.model, np.random.default_rng(3))
    assert sim["regime"] == "bistable"
    assert sim["rate_high"] == pytest.approx(th["rate_high"][0], rel=0.1)


@pytest.mark.slow
def test_quick_suite_passes():
    from rnmf.validate.rmf import run_rmf

    checks, figs = run_rmf(quick=True, jobs=1, figures=True)
    failed = [c.quantity for c in checks if not c.passed]
    assert not failed, failed
    assert len(checks) >= 14 and "rmf_convergence" in figs
