"""Exhaustive solution search of ``rmf.solve`` for networks of several neuron classes."""

import numpy as np
import pytest
from scipy import optimize

from rnmf import IntensityNetwork
from rnmf.theory import rmf


def _two_class_linear(wAA=2.0, wAB=1.0, wBA=1.0, b=0.0):
    """Class A (3 neurons, all-to-all) excites class B (2 neurons, no B-B synapses)."""
    W = np.zeros((5, 5))
    W[:3, :3] = wAA
    W[:3, 3:] = wAB
    W[3:, :3] = wBA
    np.fill_diagonal(W, 0.0)
    return IntensityNetwork(W=W, b=b, r=0.0, tau=1.0)


def _many_start_newton(net, B, n=30, seed=0):
    """Roots of beta = F(beta) in the full N-dimensional space from random starts."""
    gen = np.random.default_rng(seed)
    roots = []
    for s in gen.uniform(0.0, B, (n, net.N)):
        sol = optimize.root(
            lambda x: x - rmf.rate_map(net, np.abs(x))[0],
            s,
            jac=lambda x: np.eye(net.N) - rmf.rate_map(net, np.abs(x))[1] * np.sign(x + 1e-300),
            tol=1e-12,
        )
        if sol.success and np.max(np.abs(sol.fun)) < 1e-9:
            x = np.abs(sol.x)
            if not any(np.allclose(x, y, rtol=1e-6, atol=1e-9) for y in roots):
                roots.append(x)
    return roots


@pytest.mark.parametrize("multiclass", ["nested", "boxes"])
def test_two_class_search_is_complete_and_matches_many_start_newton(multiclass):
    net = _two_class_linear()
    res = rmf.solve(net, multiclass=multiclass)
    assert res.complete and res.converged
    assert res.n_solutions == 2  # silent state and an active state
    newton = _many_start_newton(net, res.beta_max)
    assert newton  # every root that Newton reaches from 30 starts was found by the search
    for x in newton:
        assert any(np.allclose(x, s.rates, rtol=1e-7, atol=1e-10) for s in res.solutions)
    for s in res.solutions:  # and every solution found is a fixed point of the full map
        np.testing.assert_allclose(rmf.rate_map(net, s.rates)[0], s.rates, rtol=1e-9, atol=1e-12)
    silent, active = res.solutions
    np.testing.assert_allclose(silent.rates, 0.0, atol=1e-12)
    assert not silent.stable and active.stable


def test_starts_search_says_it_is_not_complete():
    res = rmf.solve(_two_class_linear(), multiclass="starts")
    assert not res.complete and res.n_solutions == 2


def test_box_budget_exhaustion_is_reported():
    res = rmf.solve(_two_class_linear(), multiclass="boxes", max_evals=5, raise_on_failure=False)
    assert not res.complete and "budget" in res.search


def _ei_exp():
    """E (11) and I (6) classes with exponential intensity, all-to-all blocks: E-E 0.9,
    E-I 0.5, I-E and I-I -0.2; b = r = -4.  Low, middle and high state."""
    NE, NI = 11, 6
    W = np.zeros((NE + NI, NE + NI))
    W[:NE, :NE] = 0.9
    W[:NE, NE:] = 0.5
    W[NE:, :] = -0.2
    np.fill_diagonal(W, 0.0)
    return IntensityNetwork(W=W, b=-4.0, r=-4.0, phi="exp", lam0=1.0, tau=1.0)


@pytest.mark.slow
def test_ei_exponential_three_states_all_found_and_checked_by_many_starts():
    net = _ei_exp()
    res = rmf.solve(net, beta_max=100.0)
    assert res.complete and res.n_solutions == 3 and res.n_stable == 2
    assert np.allclose(res.classes[:11], res.classes[0]) and res.classes[11] != res.classes[0]
    rates = [s.class_rates for s in res.solutions]
    assert rates[0][0] < 0.1 < rates[1][0] < 1.0 < rates[2][0]
    starts = rmf.solve(net, beta_max=100.0, multiclass="starts", n_starts=25,
                       raise_on_failure=False)  # fmt: skip
    for s in starts.solutions:  # every root Newton reaches is among the three
        assert any(np.allclose(s.rates, t.rates, rtol=1e-6) for t in res.solutions)
    # each state is a fixed point of the accurate class map
    for s in res.solutions:
        F, _ = rmf.rate_map(net, s.rates, tol=1e-8)
        np.testing.assert_allclose(F, s.rates, rtol=1e-6)
