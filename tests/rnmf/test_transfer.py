"""Custom transfer functions are first class (issue 10, section 3).

Formulas (sympy: exact derivative), derivative-free callables (complex step or
central differences, with the accuracy stated in rnmf.transfer), pickling for process
pools, and clear errors for what cannot work.
"""

from __future__ import annotations

import multiprocessing
import pickle
import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from rnmf.models import RateNetwork
from rnmf.transfer import Transfer, as_transfer

X = np.linspace(-4.0, 4.0, 41) + 0.01


def _softplus(x):
    return np.log1p(np.exp(x))


def _abs_like(x):
    return np.abs(x) + 0.1 * x  # not analytic: the complex step would give 0.1


def _phi_in_worker(net):
    return float(net.phi(np.array([0.7]))[0]), float(net.phi.derivative(np.array([0.7]))[0])


def test_from_sympy_exact_derivative():
    phi = Transfer.from_sympy("log(1 + exp(x))")
    np.testing.assert_allclose(phi(X), _softplus(X), rtol=1e-14)
    np.testing.assert_allclose(phi.derivative(X), 1.0 / (1.0 + np.exp(-X)), rtol=1e-14)
    assert phi.deriv_method == "sympy" and phi.kind == "custom"
    # the primitive (quadrature) of phi = x^2 is x^3/3
    sq = Transfer.from_sympy("x**2")
    np.testing.assert_allclose(sq.primitive(X), X**3 / 3, rtol=1e-12)
    np.testing.assert_allclose(Transfer.from_sympy("x").derivative(X), np.ones_like(X))


def test_sympy_expression_object_and_string_in_models():
    import sympy

    x = sympy.Symbol("x")
    a = Transfer.from_sympy(sympy.tanh(x) + x / 10)
    b = RateNetwork(10, 1.0, phi="tanh(x) + x/10").phi
    assert a == b
    np.testing.assert_allclose(a.derivative(X), 1 / np.cosh(X) ** 2 + 0.1, rtol=1e-13)


def test_automatic_derivative_complex_step_and_central_difference():
    """Analytic callables get the complex step (to rounding); a non-analytic one is caught
    by the cross-check and falls back to central differences (about 1e-10)."""
    a = Transfer("custom", func=_softplus)
    assert a.deriv_method == "complex-step"
    np.testing.assert_allclose(a.derivative(X), 1.0 / (1.0 + np.exp(-X)), rtol=1e-14)
    b = Transfer("custom", func=_abs_like)
    assert b.deriv_method == "central-difference"
    np.testing.assert_allclose(b.derivative(X), np.sign(X) + 0.1, rtol=1e-9)
    c = Transfer("custom", func=np.tanh, deriv=lambda v: 1 / np.cosh(v) ** 2)
    assert c.deriv_method == "given"
    assert Transfer("tanh").deriv_method == "exact"


def test_pickle_formula_module_function_and_lambda():
    for phi in (
        Transfer.from_sympy("log(1 + exp(x))"),
        Transfer("custom", func=_softplus),
        Transfer("relu", theta=0.5),
    ):
        back = pickle.loads(pickle.dumps(phi))
        assert back == phi
        np.testing.assert_array_equal(back(X), phi(X))
        np.testing.assert_array_equal(back.derivative(X), phi.derivative(X))
    pytest.importorskip("cloudpickle")
    lam = Transfer("custom", func=lambda v: np.tanh(v) + 0.1 * v)
    back = pickle.loads(pickle.dumps(lam))
    np.testing.assert_allclose(back(X), lam(X))


def test_lambda_without_cloudpickle_gives_advice(monkeypatch):
    monkeypatch.setitem(sys.modules, "cloudpickle", None)  # import cloudpickle fails
    lam = Transfer("custom", func=lambda v: np.tanh(v))
    with pytest.raises(pickle.PicklingError, match="module level.*from_sympy"):
        pickle.dumps(RateNetwork(10, 1.0, phi=lam))


def test_formula_transfer_runs_in_a_spawned_process():
    """The trap of sympy's lambdified functions (unpicklable) is gone: a model with a
    formula phi crosses into a spawn process (as executor='processes' does)."""
    net = RateNetwork(10, 1.0, phi="log(1 + exp(x))")
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        value, slope = pool.submit(_phi_in_worker, net).result(timeout=120)
    assert value == pytest.approx(float(_softplus(0.7)), rel=1e-14)
    assert slope == pytest.approx(1 / (1 + np.exp(-0.7)), rel=1e-14)


@pytest.mark.parametrize(
    ("phi", "match"),
    [
        ("tahn", "one variable x"),
        ("x + y", "one variable x"),
        ("__import__('os')", "not a formula"),
        ("exp", "not an expression"),
        ("erf(x", "cannot read"),
        ("x" * 400, "not a formula"),
        ("custom", "formula"),
        (np.tanh, "bare callable"),
        (3, "kind name"),
    ],
)
def test_bad_transfer_arguments(phi, match):
    with pytest.raises(ValueError, match=match):
        as_transfer(phi)


def test_bad_custom_transfer_construction():
    with pytest.raises(ValueError, match="either expr or func"):
        Transfer("custom", func=np.tanh, expr="tanh(x)")
    with pytest.raises(ValueError, match="kind='custom'"):
        Transfer("tanh", expr="tanh(x)")
    with pytest.raises(ValueError, match="takes no func"):
        Transfer("relu", func=np.tanh)
    with pytest.raises(ValueError, match="needs callables"):
        Transfer("custom")


@pytest.mark.parametrize("kind", [np.ones((2, 3)), ["tanh"], 1.0, None])
def test_kind_that_is_not_a_name_is_refused_naming_kind(kind):
    """Issue 10 fuzz: an array as kind gave numpy's "truth value of an array is ambiguous"."""
    with pytest.raises(ValueError, match=r"Transfer\.kind must be one of"):
        Transfer(kind)


@pytest.mark.parametrize("theta", ["0.5", "abc", None, 1j])
def test_theta_given_as_a_string_is_refused(theta):
    with pytest.raises(TypeError, match=r"Transfer\.theta must be a real number"):
        Transfer("relu", theta=theta)
