"""The nullcline scan of rnmf.theory.symbolic (every fixed point of a two-population model at
many parameter points, certified) against the independent multi-start search, near a fold
(two fixed points closer than a scan cell), under strong inhibition (a fixed point within
1e-8 of the end of the sigmoid's range), and the refusal for non-smooth models.

Oracle: ``solve_grid(method="search")`` (Levenberg–Marquardt from many starts, mesh cells,
continuation) and the residual |F| of the model at the returned states.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnmf.models.populations import threshold_linear_ei, wilson_cowan
from rnmf.theory.symbolic import locate, phase_function, solve_grid
from rnmf.theory.symbolic.nullcline import NullclineScan

WC = wilson_cowan()


def _residual(model, states, params):
    f = model.vector_field()
    st = states[np.isfinite(states[:, 0])]
    return np.max(np.abs(f(st.T, **params))) if st.size else 0.0


def test_scan_agrees_with_multistart_search_on_a_grid():
    IE, II = np.meshgrid(np.linspace(-2, 6, 10), np.linspace(-8, 2, 10), indexing="ij")
    grid = {"I_E": IE.ravel(), "I_I": II.ravel()}
    new = solve_grid(WC, grid, method="nullcline")
    old = solve_grid(WC, grid, method="search")
    np.testing.assert_array_equal(new.count, old.count)
    assert set(np.unique(new.count)) == {1, 3}
    K = new.states.shape[1]
    np.testing.assert_allclose(new.states, old.states[:, :K], atol=1e-7)
    np.testing.assert_array_equal(new.regime(), old.regime())
    assert new.uncertain is not None and not new.uncertain.any()
    assert old.uncertain is None  # the search certifies nothing


def test_two_fixed_points_closer_than_a_scan_cell_near_the_fold():
    """Just past the lower fold (I_E = 0.9351... at I_I = -5) the saddle and the node are
    ~1e-3 apart in r_E; the scan finds both (or says the count is uncertain)."""
    crit = locate(WC, "saddle-node", "I_E", (0.5, 1.5), {"I_I": np.array([-5.0])})
    ie = float(crit[0, 0])
    g = solve_grid(WC, {"I_E": np.array([ie - 1e-6]), "I_I": np.array([-5.0])})
    assert g.count[0] == 3 or g.uncertain[0]
    assert g.count[0] == 3
    st = g.states[0]
    assert np.min(np.abs(np.diff(st[:, 0]))) < 5e-3  # two of them are close
    assert _residual(WC, st, {"I_E": ie - 1e-6, "I_I": -5.0}) < 1e-9


def test_fixed_point_deep_in_the_tail_of_the_sigmoid():
    g = solve_grid(WC, {"I_E": np.array([-12.0]), "I_I": np.array([6.0])})
    assert g.count[0] == 1 and g.stable[0, 0]
    assert 0 < g.states[0, 0, 0] < 1e-6
    assert _residual(WC, g.states[0], {"I_E": -12.0, "I_I": 6.0}) < 1e-12


def test_non_smooth_models_use_the_search_and_say_so():
    tl = threshold_linear_ei()
    with pytest.raises(ValueError, match="nullcline reduction"):
        NullclineScan(tl)
    with pytest.raises(ValueError, match="method='search'"):
        solve_grid(tl, {"I_E": np.array([1.0])}, method="nullcline")
    g = solve_grid(tl, {"I_E": np.array([1.0, 2.0])})
    assert g.uncertain is None and np.all(g.count >= 1)
    out = phase_function()(tl, {"I_E": np.array([1.0, 2.0])})
    np.testing.assert_array_equal(out["count_uncertain"], [1.0, 1.0])
    with pytest.raises(ValueError, match="method must be"):
        solve_grid(WC, {"I_E": np.array([1.0])}, method="newton")


def test_phase_function_reports_a_certified_count_for_wilson_cowan():
    out = phase_function()(WC, {"I_E": np.array([0.0, 2.0]), "I_I": np.array([-7.0, -2.0])})
    np.testing.assert_array_equal(out["count_uncertain"], [0.0, 0.0])
    assert list(out["regime"]) == ["bistable", "oscillatory"]
