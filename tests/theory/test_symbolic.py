"""Population models and their derived conditions (rnmf.theory.symbolic.conditions).

Every condition is checked against an independent numeric route: eigenvalues of a Jacobian
computed by central finite differences of the model's vector field at random states and
random parameter points.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from rnmf.models import PopulationModel
from rnmf.models.populations import (
    from_connectivity,
    supralinear_ei,
    threshold_linear_ei,
    wilson_cowan,
)
from rnmf.theory.symbolic import (
    characteristic_polynomial,
    conditions,
    hopf_condition,
    hurwitz_determinants,
    jacobian,
    routh_hurwitz,
    saddle_node_condition,
)


def numeric_jacobian(
    model: PopulationModel, r: np.ndarray, h: float = 1e-6, **params
) -> np.ndarray:
    f = model.vector_field()
    P = model.P
    J = np.empty((P, P))
    for k in range(P):
        e = np.zeros(P)
        e[k] = h
        J[:, k] = (f(r + e, **params) - f(r - e, **params)) / (2 * h)
    return J


def random_wc(rng):
    return dict(
        w_EE=rng.uniform(5, 20), w_EI=rng.uniform(5, 20), w_IE=rng.uniform(5, 20),
        w_II=rng.uniform(0, 10), a_E=rng.uniform(0.5, 2), a_I=rng.uniform(0.5, 2),
        theta_E=rng.uniform(1, 5), theta_I=rng.uniform(1, 5), tau_E=rng.uniform(0.5, 2),
        tau_I=rng.uniform(0.2, 2), I_E=rng.uniform(-3, 3), I_I=rng.uniform(-3, 3),
    )  # fmt: skip


# ------------------------------------------------------------------------------ the model
def test_string_syntax_gives_the_wilson_cowan_right_hand_side():
    m = wilson_cowan()
    r_E, r_I, w_EE, w_EI, I_E, a_E, theta_E = sp.symbols(
        "r_E r_I w_EE w_EI I_E a_E theta_E", real=True
    )
    u = w_EE * r_E - w_EI * r_I + I_E
    expected = -r_E + 1 / (1 + sp.exp(-a_E * (u - theta_E)))
    assert sp.simplify(m.rhs[0] - expected) == 0
    assert m.state_names == ("r_E", "r_I")
    assert str(m.taus[1]) == "tau_I"


def test_sympy_triples_and_lambda_transfer_functions():
    x = sp.Symbol("x")
    m = PopulationModel(
        equations=[("r", "tau", "-r + h(w*r + I)")],
        params={"tau": 2.0, "w": 0.5, "I": 0.1},
        functions={"h": sp.Lambda(x, x / (1 + sp.Abs(x)))},
    )
    v = m.vector_field()(np.array([0.3]))
    u = 0.5 * 0.3 + 0.1
    assert v[0] == pytest.approx((-0.3 + u / (1 + u)) / 2.0, rel=1e-14)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            dict(
                equations=["tau*d(r) = -r + f(w*r + J)"],
                params={"tau": 1, "w": 1},
                functions={"f": "tanh"},
            ),
            "undefined symbol 'J'",
        ),
        (
            dict(
                equations=["tau*d(r) = -r + f(w*r)"],
                params={"tau": 1, "w": None},
                functions={"f": "tanh"},
            ),
            "parameter 'w' has no value",
        ),
        (dict(equations=["tau*d(r) = -r + q(r)"], params={"tau": 1}), "function 'q'"),
        (
            dict(equations=["tau*d(r) = -r + f(r)"], params={"tau": 1}, functions={"f": "sigmod"}),
            "not in the library",
        ),
        (dict(equations=["tau*r = -r"], params={"tau": 1}), "tau * d(STATE)"),
        (dict(equations=["tau*d(r) = -r"], params={"tau": -1.0}), "must be > 0"),
        (dict(equations=["d(r) = -r", "d(r) = r"], params={}), "more than one equation"),
        (dict(equations=["d(r) = -r + x"], params={"x": float("nan")}), "must be finite"),
    ],
)
def test_bad_models_get_clear_errors(kwargs, message):
    with pytest.raises(
        ValueError, match=message.replace("(", r"\(").replace(")", r"\)").replace("*", r"\*")
    ):
        PopulationModel(**kwargs)


def test_with_params_rejects_unknown_names_and_builtins_reject_unknown_overrides():
    with pytest.raises(ValueError, match="unknown parameter 'w_XX'"):
        wilson_cowan().with_params(w_XX=1.0)
    with pytest.raises(ValueError, match="unknown parameter"):
        wilson_cowan(w_XX=1.0)
    assert wilson_cowan().with_params(I_E=2.0).params["I_E"] == 2.0


# ------------------------------------------------------------- Jacobian and conditions
@pytest.mark.parametrize(
    "make", [wilson_cowan, threshold_linear_ei, supralinear_ei], ids=["wc", "tl", "ssn"]
)
def test_symbolic_jacobian_equals_finite_differences(make):
    rng = np.random.default_rng(1)
    m = make()
    A = sp.lambdify([*m.states, *m.parameter_symbols], jacobian(m, gains=False), "numpy")
    for _ in range(20):
        r = rng.uniform(0.05, 0.95, m.P)
        num = numeric_jacobian(m, r)
        sym = np.array(A(*r, *m.params.values()), dtype=float)
        assert np.allclose(sym, num, rtol=1e-6, atol=1e-7)


def test_wilson_cowan_conditions_against_numeric_eigenvalues_at_random_points():
    """trace/det conditions and Routh-Hurwitz stability vs eigenvalues of a finite-difference
    Jacobian at 200 random (parameters, state) pairs."""
    rng = np.random.default_rng(2)
    m = wilson_cowan()
    conds = conditions(m)
    sn, hopf = conds["saddle-node"].function(), conds["Hopf"].function()
    rh = [c.function() for c in routh_hurwitz(m)]
    for _ in range(200):
        p = random_wc(rng)
        r = rng.uniform(0, 1, 2)
        ev = np.linalg.eigvals(numeric_jacobian(m, r, **p))
        assert float(sn(r[:, None], **p)[0]) == pytest.approx(np.prod(ev).real, rel=1e-5, abs=1e-7)
        assert float(hopf(r[:, None], **p)[0]) == pytest.approx(
            -np.sum(ev).real, rel=1e-5, abs=1e-7
        )
        stable_rh = all(float(f(r[:, None], **p)[0]) > 0 for f in rh)
        if abs(np.max(ev.real)) > 1e-6:
            assert stable_rh == bool(np.max(ev.real) < 0)


@pytest.mark.parametrize("P", [3, 4])
def test_hurwitz_and_orlando_for_three_and_four_populations(P):
    """Routh-Hurwitz with P = 3, 4 (tanh populations from a random matrix): stability iff all
    conditions hold; Delta_{P-1} = (-1)^{P(P-1)/2} prod_{i<j}(lambda_i + lambda_j) (Orlando)."""
    rng = np.random.default_rng(P)
    m = from_connectivity(rng.normal(0, 1.2, (P, P)), inputs=rng.normal(0, 0.3, P))
    rh = [c.function() for c in routh_hurwitz(m)]
    hopf = hopf_condition(m).function()
    sn = saddle_node_condition(m).function()
    n_stable = 0
    for _ in range(60):
        W = rng.normal(0, 1.5, (P, P))
        p = {f"w_{a + 1}_{b + 1}": W[a, b] for a in range(P) for b in range(P)}
        r = rng.uniform(-0.8, 0.8, P)
        ev = np.linalg.eigvals(numeric_jacobian(m, r, **p))
        vals = [float(f(r[:, None], **p)[0]) for f in rh]
        if abs(np.max(ev.real)) > 1e-6:
            assert all(v > 0 for v in vals) == bool(np.max(ev.real) < 0)
            n_stable += bool(np.max(ev.real) < 0)
        orlando = (-1) ** (P * (P - 1) // 2) * np.prod(
            [ev[i] + ev[j] for i in range(P) for j in range(i + 1, P)]
        )
        assert float(hopf(r[:, None], **p)[0]) == pytest.approx(orlando.real, rel=1e-5, abs=1e-7)
        assert float(sn(r[:, None], **p)[0]) == pytest.approx(
            ((-1) ** P * np.prod(-ev)).real * (-1) ** P, rel=1e-5, abs=1e-7
        )
    assert 0 < n_stable < 60  # both outcomes were exercised


def test_hurwitz_determinants_of_a_generic_quartic():
    a = sp.symbols("a1:5")
    d = hurwitz_determinants((1, *a))
    assert sp.expand(d[1] - (a[0] * a[1] - a[2])) == 0
    assert sp.expand(d[2] - (a[2] * d[1] - a[0] ** 2 * a[3])) == 0
    assert sp.expand(d[3] - a[3] * d[2]) == 0


def test_characteristic_polynomial_refuses_more_than_four_populations():
    m = from_connectivity(np.eye(5) * 0.5)
    with pytest.raises(ValueError, match="up to P = 4"):
        characteristic_polynomial(m)


def test_isn_and_paradoxical_for_threshold_linear_units():
    """Tsodyks et al. 1997: in the active regime of a stable threshold-linear E-I network the
    inhibitory rate falls with its own input exactly when w_EE > 1 (ISN)."""
    for w_EE in (0.5, 2.0):
        m = threshold_linear_ei(w_EE=w_EE)
        conds = conditions(m)
        from rnmf.theory.symbolic import fixed_points

        (pt,) = fixed_points(m).stable  # both units active at the default inputs
        r = pt.state[:, None]
        assert np.all(m.params["w_EE"] * r[0] - m.params["w_EI"] * r[1] + m.params["I_E"] > 0)
        isn = float(conds["ISN"].function()(r)[0])
        par = float(conds["paradoxical"].function()(r)[0])
        assert isn == pytest.approx((w_EE - 1) / m.params["tau_E"])
        assert (par < 0) == (w_EE > 1)
    assert conds["ISN"].latex().startswith("\\frac{f'_{E} w_{EE} - 1}{\\tau_{E}} > 0")


def test_conditions_print_and_carry_references():
    c = conditions(wilson_cowan())
    assert set(c) >= {"saddle-node", "Hopf", "ISN", "paradoxical", "a_2 > 0", "Delta_1 > 0"}
    assert "Tsodyks" in c["ISN"].reference and "Sanzeni" in c["paradoxical"].reference
    assert "f'_E" in str(c["ISN"])
    assert "\\tau_{E}" in c["Hopf"].latex()
