"""The ``ei`` phase problem (issue 14): theory grid, boundary and one simulation."""

import numpy as np

from rnmf.phase.problems import PROBLEMS


def test_ei_problem_theory_and_boundary():
    pr = PROBLEMS["ei"]
    g = np.array([0.5, 1.0, 1.5])
    out = pr.theory(pr.model, {"g_E": g, "g_I": np.full(3, 1.0)})
    np.testing.assert_allclose(out["radius2"], 0.8 * g**2 + 0.2)
    assert list(out["regime"]) == ["quiet", "chaotic", "chaotic"]  # radius2 = 0.4, 1.0, 2.0
    label, fn = pr.boundaries["chaos onset"]
    gI = fn(pr.base(g_E=0.9))
    assert label == "g_I" and abs(0.8 * 0.81 + 0.2 * gI**2 - 1.0) < 1e-12
    assert set(pr.sweepable_fields()) == {"g_E", "g_I", "f_E"} and pr.sim_cost(pr.model) > 0


def test_ei_problem_simulation_quiet():
    pr = PROBLEMS["ei"]
    res = pr.simulation(pr.base(g_E=0.5, g_I=0.5, N=200), np.random.default_rng(0))
    assert res["Delta0_E"] < 1e-6 and res["Delta0_I"] < 1e-6


def test_driven_problem_theory():
    """``rnmf phase driven``: strong drive entrains (lambda < 0), weak drive stays chaotic."""
    pr = PROBLEMS["driven"]
    out = pr.theory(pr.base(frequency=0.5), {"amplitude": np.array([1.0, 6.0])})
    assert list(out["regime"]) == ["chaotic", "entrained"] and out["converged"].all()
    assert out["lambda_max"][0] > 0 > out["lambda_max"][1]
