"""Fixed points, grids, continuation and located bifurcations (rnmf.theory.symbolic).

Independent routes: a finite-difference Jacobian of the model's vector field (its eigenvalues
at the located Hopf and saddle-node points), the closed form against the numeric search, and
the implicit-function response against finite differences of numerically found fixed points.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnmf.models.populations import (
    from_connectivity,
    supralinear_ei,
    threshold_linear_ei,
    wilson_cowan,
)
from rnmf.results import ConvergenceError
from rnmf.theory.symbolic import (
    closed_form,
    conditions,
    continuation,
    fixed_points,
    locate,
    phase_function,
    response,
    solve_grid,
)


def numeric_jacobian(model, r, h=1e-6):
    """Central finite differences of the model's vector field (an independent route)."""
    f = model.vector_field()
    P = model.P
    J = np.empty((P, P))
    for k in range(P):
        e = np.zeros(P)
        e[k] = h
        J[:, k] = (f(r + e) - f(r - e)) / (2 * h)
    return J


def test_closed_form_threshold_linear_matches_numeric_search_at_random_parameters():
    rng = np.random.default_rng(0)
    cf = closed_form(threshold_linear_ei())
    assert cf is not None and len(cf) == 4  # one linear system per activation pattern
    m = threshold_linear_ei()
    for _ in range(15):
        p = dict(w_EE=rng.uniform(0.2, 3), w_EI=rng.uniform(0.5, 3), w_IE=rng.uniform(0.5, 3),
                 w_II=rng.uniform(0, 2), I_E=rng.uniform(-1, 2), I_I=rng.uniform(-1, 2))  # fmt: skip
        a = fixed_points(m, method="closed form", raise_on_failure=False, **p)
        b = fixed_points(m, method="numeric", raise_on_failure=False, **p)
        assert a.states.shape == b.states.shape
        assert np.allclose(a.states, b.states, atol=1e-7)
        for pt in a.points:
            ev = np.linalg.eigvals(numeric_jacobian(m.with_params(**p), pt.state))
            if abs(ev.real.max()) > 1e-6:
                assert pt.stable == bool(ev.real.max() < 0)


def test_transcendental_models_have_no_closed_form():
    assert closed_form(wilson_cowan()) is None
    with pytest.raises(ValueError, match="no closed form"):
        fixed_points(wilson_cowan(), method="closed form")


def test_wilson_cowan_bistable_point_has_three_fixed_points():
    res = fixed_points(wilson_cowan(), I_E=0.9, I_I=0.0)
    assert len(res.points) == 3
    assert [p.kind for p in res.points] == ["stable node", "saddle", "unstable focus"]
    assert res.residual < 1e-10
    f = wilson_cowan(I_E=0.9).vector_field()
    for p in res.points:
        assert np.max(np.abs(f(p.state))) < 1e-9


def test_supralinear_network_fixed_point_and_paradoxical_response():
    """SSN (Ahmadian et al. 2013): the implicit-function response dr/dI_I equals a finite
    difference of numerically found fixed points."""
    m = supralinear_ei(I_E=8.0, I_I=8.0)
    base = fixed_points(m)
    assert len(base.stable) == 1
    r0 = base.stable[0].state
    h = 1e-5
    up = fixed_points(m, I_I=8.0 + h).stable[0].state
    dn = fixed_points(m, I_I=8.0 - h).stable[0].state
    fd = (up - dn) / (2 * h)
    conds = conditions(m)
    sym = conds["paradoxical"].function()(r0[:, None])[0]
    assert sym == pytest.approx(fd[1], rel=1e-5, abs=1e-8)
    expr = response(m, "I_I")
    assert len(expr) == 2


def test_no_fixed_point_raises_clear_error():
    m = from_connectivity([[2.0]], inputs=[1.0], transfer="linear")  # r = 2r + 1 -> r = -1 exists
    assert fixed_points(m).states[0, 0] == pytest.approx(-1.0)
    from rnmf.models import PopulationModel

    runaway = PopulationModel(equations=["d(r) = 1 + r**2"], params={})
    with pytest.raises(ConvergenceError, match="no fixed point"):
        fixed_points(runaway, n_starts=8, method="numeric")
    res = fixed_points(runaway, n_starts=8, method="numeric", raise_on_failure=False)
    assert not res.converged and res.points == ()


def test_grid_agrees_with_pointwise_search():
    m = wilson_cowan()
    IE = np.array([-1.0, 0.9, 1.5, 2.0, 5.0])
    II = np.array([0.0, 0.0, -4.0, 0.0, -6.0])
    g = solve_grid(m, {"I_E": IE, "I_I": II})
    for k in range(IE.size):
        one = fixed_points(m, I_E=IE[k], I_I=II[k])
        assert g.count[k] == len(one.points)
        got = g.states[k][np.isfinite(g.states[k, :, 0])]
        assert np.allclose(np.sort(got[:, 0]), np.sort(one.states[:, 0]), atol=1e-7)
        assert g.n_stable[k] == len(one.stable)


def test_located_hopf_and_saddle_node_points_have_the_right_eigenvalues():
    """At a located Hopf point the finite-difference Jacobian has a purely imaginary pair; at a
    saddle-node one eigenvalue is zero."""
    m = wilson_cowan()
    II = np.array([-6.0, 1.0, 2.0])
    for name in ("Hopf", "saddle-node"):
        crit = locate(m, name, "I_E", (-4.0, 8.0), {"I_I": II})
        found = 0
        for i, row in enumerate(crit):
            for c in row[np.isfinite(row)]:
                res = fixed_points(m, I_E=c, I_I=II[i])
                evs = [np.linalg.eigvals(numeric_jacobian(m.with_params(I_E=c, I_I=II[i]), p.state))
                       for p in res.points]  # fmt: skip
                if name == "Hopf":
                    ok = [abs(e.real).max() < 1e-4 and abs(e.imag).max() > 1e-3 for e in evs]
                else:
                    ok = [np.min(np.abs(e)) < 2e-3 for e in evs]
                assert any(ok), (name, c, evs)
                found += 1
        assert found >= 2


def test_continuation_finds_the_folds_of_the_bistable_range():
    c = continuation(wilson_cowan(), "I_E", np.linspace(-2.0, 2.0, 41))
    folds = [v for kind, v, _ in c.bifurcations if kind == "saddle-node"]
    assert any(abs(v - 0.7531) < 1e-3 for v in folds) and any(abs(v - 0.9698) < 1e-3 for v in folds)
    inside = (c.values > 0.76) & (c.values < 0.96)
    assert np.all(np.isfinite(c.states[inside, 2, 0]))  # three fixed points in the fold range
    assert "saddle-node" in repr(c)


def test_phase_function_is_vectorised_with_regimes():
    fn = phase_function(conditions_at=("ISN",))
    assert fn.vectorized
    out = fn(
        wilson_cowan(),
        {"I_E": np.array([-1.0, 0.9, 1.5, 5.0]), "I_I": np.array([0.0, 0.0, -4.0, -6.0])},
    )
    assert out["regime"].tolist() == ["stable", "stable", "oscillatory", "stable"]
    assert out["n_fixed_points"].tolist()[:2] == [1.0, 3.0]
    assert np.isnan(out["r_E"][2]) and out["ISN"].shape == (4,)
