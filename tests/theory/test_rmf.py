"""Replica mean field, linear intensity: renewal solver, all solutions, Jacobians."""

import numpy as np
import pytest
from scipy import integrate

from rnmf import ConvergenceError, IntensityNetwork, Status
from rnmf.theory import rmf
from rnmf.theory.rmf.meanfield import mf_rate
from rnmf.theory.rmf.renewal import cumulative_input, renewal_rate, survival

E2_RMF = 0.99674317
E2_MF = 1.07145741


def _e2():
    return IntensityNetwork.all_to_all(4, 0.5, b=1.0, tau=1.0, r=0.0)


def test_E2_rmf_and_mf_rates():
    """Worked example E2 of the project's RMF notes (Sec. 5): N = 4 all-to-all, W = 0.5,
    b = 1, tau = 1, r = 0: RMF 0.99674317, classical MF 1.07145741."""
    res = rmf.solve(_e2())
    assert res.converged and res.n_solutions == 1 and res.complete
    np.testing.assert_allclose(res.rates, E2_RMF, rtol=1e-8)
    mf = rmf.solve(_e2(), limit="mf")
    np.testing.assert_allclose(mf.rates, E2_MF, rtol=1e-8)
    assert "rmf" in repr(res) and "solution 0" in repr(res)


def _laplace_rate(b, tau, r, lam, w):
    """Independent route: regularity of L(u) = E[exp(-u X)] at u = tau.

    The Laplace ODE (tau - u) L' + P(u) L + tau beta e^{-u r} = 0 with
    P(u) = -u b + tau sum lam (e^{-u w} - 1) has the integrating factor mu(u);
    mu(tau) = 0, so L stays finite at u = tau only if
    1 = tau beta int_0^tau mu(s) e^{-s r} / (tau - s) ds.  mu(s) = ((tau - s)/tau)^{-P(tau)}
    exp(int_0^s Q) with the smooth Q = (P(s) - P(tau)) / (tau - s); the algebraic endpoint
    weight (tau - s)^{-P(tau) - 1} goes to QUADPACK's 'alg' rule.
    """
    lam, w = np.atleast_1d(lam), np.atleast_1d(w)

    def P(u):
        return -u * b + tau * np.sum(lam * np.expm1(-u * w))

    Pt = P(tau)

    def Q(s):
        return (
            (P(s) - Pt) / (tau - s)
            if tau - s > 1e-9
            else -b - tau * np.sum(lam * w * np.exp(-tau * w))
        )

    def smooth(s):
        iq = integrate.quad(Q, 0.0, s, epsabs=0, epsrel=1e-13)[0]
        return tau**Pt * np.exp(iq - s * r)

    val = integrate.quad(
        smooth, 0.0, tau, weight="alg", wvar=(0.0, -Pt - 1.0), epsabs=0, epsrel=1e-12
    )[0]
    return 1.0 / (tau * val)


@pytest.mark.parametrize(
    ("b", "tau", "r", "lam", "w"),
    [
        (1.0, 1.0, 0.0, [2.99022952], [0.5]),
        (0.3, 2.0, 0.7, [1.1, 0.4], [0.37, 1.3]),
        (2.0, 0.5, 0.1, [0.8, 3.0, 0.2], [0.05, 0.2, 2.5]),
    ],
)
def test_renewal_rate_matches_laplace_regularity_condition(b, tau, r, lam, w):
    got = renewal_rate(b, tau, r, np.array(lam), np.array(w)).beta
    assert got == pytest.approx(_laplace_rate(b, tau, r, np.array(lam), np.array(w)), rel=1e-8)


def test_closed_form_survival_integrates_to_inverse_rate():
    lam, w = np.array([1.1, 0.4]), np.array([0.37, 1.3])
    rr = renewal_rate(0.3, 2.0, 0.7, lam, w)
    m1 = integrate.quad(lambda t: survival(t, 0.3, 2.0, 0.7, lam, w), 0, np.inf, epsrel=1e-12)[0]
    m2 = (
        2
        * integrate.quad(lambda t: t * survival(t, 0.3, 2.0, 0.7, lam, w), 0, np.inf, epsrel=1e-12)[
            0
        ]
    )
    assert rr.m1 == pytest.approx(m1, rel=1e-9)
    assert rr.m2 == pytest.approx(m2, rel=1e-8)


def test_cumulative_input_closed_form_against_quadrature():
    for w, tau in [(0.5, 1.0), (3.0, 0.4), (1e-3, 2.0), (20.0, 1.5), (0.7, np.inf)]:
        for t in (1e-4, 0.3, 2.0, 25.0):
            if np.isfinite(tau):
                f = lambda s, w=w, tau=tau: -np.expm1(-w * tau * (-np.expm1(-s / tau)))  # noqa: E731
            else:
                f = lambda s, w=w: -np.expm1(-w * s)  # noqa: E731
            ref = integrate.quad(f, 0, t, epsabs=1e-15, epsrel=1e-13)[0]
            assert cumulative_input(np.array([t]), w, tau)[0] == pytest.approx(
                ref, rel=1e-10, abs=1e-15
            )


def test_leak_free_limit_formula():
    """tau = inf: S(t) = exp(-r t - lam [t - (1 - e^{-w t})/w]) (RMF notes, Sec. 3)."""
    lam, w, r = 2.0, 0.3, 0.5
    ref = integrate.quad(
        lambda t: np.exp(-r * t - lam * (t - (1 - np.exp(-w * t)) / w)), 0, np.inf, epsrel=1e-13
    )[0]
    assert renewal_rate(0.0, np.inf, r, np.array([lam]), np.array([w])).beta == pytest.approx(
        1 / ref, rel=1e-9
    )
    net = IntensityNetwork.all_to_all(3, 0.3, tau=np.inf, r=0.5)
    res = rmf.solve(net)
    x = res.rates[0]
    assert renewal_rate(0.0, np.inf, 0.5, np.array([2 * x]), np.array([0.3])).beta == pytest.approx(
        x, rel=1e-9
    )


def test_rate_derivatives_match_finite_differences():
    lam, w = np.array([1.1, 0.4]), np.array([0.37, 1.3])
    rr = renewal_rate(0.3, 2.0, 0.7, lam, w)
    for k in range(2):
        h = 1e-5
        dl = np.zeros(2)
        dl[k] = h
        fd = (
            renewal_rate(0.3, 2.0, 0.7, lam + dl, w).beta
            - renewal_rate(0.3, 2.0, 0.7, lam - dl, w).beta
        ) / (2 * h)
        assert rr.dbeta_dlam[k] == pytest.approx(fd, rel=1e-6)
    beta, g = mf_rate(0.3, 2.0, 0.7, lam, w, lambda v: np.maximum(v, 0.0))
    fd = (mf_rate(0.3, 2.0, 0.7, lam + [1e-5, 0], w, lambda v: np.maximum(v, 0))[0]
          - mf_rate(0.3, 2.0, 0.7, lam - [1e-5, 0], w, lambda v: np.maximum(v, 0))[0]) / 2e-5  # fmt: skip
    assert g[0] == pytest.approx(fd, rel=1e-5)


def test_jacobian_matches_rate_map_differences():
    net = IntensityNetwork(
        W=np.array([[0, 0.4, 0.1], [0.2, 0, 0.6], [0.5, 0.3, 0]]), b=[1.0, 0.5, 0.8], tau=[1.0, 2.0, 0.5],
        r=[0.0, 0.2, 0.1],
    )  # fmt: skip
    res = rmf.solve(net)
    sol = res.solutions[0]
    F, J = rmf.rate_map(net, sol.rates)
    np.testing.assert_allclose(F, sol.rates, rtol=1e-9)
    np.testing.assert_allclose(J, sol.jacobian, rtol=1e-10)
    h = 1e-6
    for j in range(3):
        e = np.zeros(3)
        e[j] = h
        fd = (rmf.rate_map(net, sol.rates + e)[0] - rmf.rate_map(net, sol.rates - e)[0]) / (2 * h)
        np.testing.assert_allclose(J[:, j], fd, rtol=1e-5, atol=1e-9)
    assert res.classes.max() == 2  # heterogeneous: three classes


def test_rmf_below_mf_for_excitatory_linear_networks():
    """1 - e^{-x} <= x: the RMF hazard is below the MF hazard (RMF notes, Sec. 3)."""
    rng = np.random.default_rng(3)
    W = rng.uniform(0, 0.8, (5, 5)) * (rng.random((5, 5)) < 0.6)
    np.fill_diagonal(W, 0)
    net = IntensityNetwork(W=W, b=rng.uniform(0.2, 1.5, 5), tau=1.0, r=0.1)
    a = rmf.solve(net, symmetric=False, n_starts=3)
    m = rmf.solve(net, limit="mf", symmetric=False, n_starts=3)
    assert np.all(a.solutions[0].rates < m.solutions[0].rates)


def test_feedforward_convergence_target_rate():
    """Sources are Poisson at rate 1; the target receives 5 independent Poisson trains, so
    the RMF is exact for it: its rate is the renewal rate with lam = 5."""
    net = IntensityNetwork.feedforward(5, 0.8, source_rate=1.0, b=0.2, tau=1.0)
    res = rmf.solve(net)
    np.testing.assert_allclose(res.rates[:5], 1.0, rtol=1e-10)
    ref = renewal_rate(0.2, 1.0, 0.0, np.array([5.0]), np.array([0.8])).beta
    assert res.rates[5] == pytest.approx(ref, rel=1e-10)
    assert res.complete


def test_finds_silent_and_active_states_with_stability():
    """b = 0: the silent state is a solution; with strong coupling it is unstable
    (slope (N-1)(1 - e^{-w tau}) e^{r tau} > 1 of the rate map at 0) and an active
    stable state exists."""
    net = IntensityNetwork.all_to_all(4, 2.0, b=0.0, r=0.3)
    res = rmf.solve(net)
    assert res.n_solutions == 2 and res.complete
    silent, active = res.solutions
    assert np.all(silent.rates == 0.0) and not silent.stable
    assert max(silent.eigenvalues.real) == pytest.approx(
        3 * (1 - np.exp(-2.0)) * np.exp(0.3), rel=1e-8
    )
    assert active.stable and active.rates[0] > 1.0


def test_linear_without_reset_is_hawkes_closed_form():
    W = np.array([[0, 0.3], [0.5, 0]])
    net = IntensityNetwork(W=W, b=[1.0, 0.5], tau=[1.0, 2.0], reset=False)
    res = rmf.solve(net)
    A = np.diag(net.tau) @ W.T
    np.testing.assert_allclose(res.rates, np.linalg.solve(np.eye(2) - A, net.b), rtol=1e-12)


def test_external_drive_equals_a_poisson_source():
    """An external Poisson drive (rate, weight) is the same input as a source neuron."""
    a = IntensityNetwork(W=np.zeros((1, 1)), b=0.5, ext_rate=2.0, ext_weight=0.4)
    b = IntensityNetwork.feedforward(1, 0.4, source_rate=2.0, b=0.5)
    assert rmf.solve(a).rates[0] == pytest.approx(rmf.solve(b).rates[1], rel=1e-10)


def test_transfer_function_vectorised():
    net = _e2()
    x = np.full((3, 4), 0.5)
    x[1] = 1.0
    x[2] = E2_RMF
    F = rmf.transfer(net, 0, x)
    assert F.shape == (3,) and F[0] < F[1]
    assert F[2] == pytest.approx(E2_RMF, rel=1e-7)


def test_no_solution_in_range_raises_unless_asked():
    with pytest.raises(ConvergenceError, match="did not converge"):
        rmf.solve(_e2(), beta_max=0.1)
    res = rmf.solve(_e2(), beta_max=0.1, raise_on_failure=False)
    assert not res.converged and res.status is Status.NO_SOLUTION and res.n_solutions == 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(limit="dmft"), "limit must be"),
        (dict(method="magic"), "method must be"),
        (dict(tol=0.0), "tol must"),
        (dict(tol=np.nan), "tol must"),
        (dict(beta_max=-1.0), "beta_max must"),
        (dict(method="renewal", limit="rmf"), None),
    ],
)
def test_solve_bad_options(kwargs, match):
    if match is None:
        rmf.solve(_e2(), **kwargs)
        return
    with pytest.raises(ValueError, match=match):
        rmf.solve(_e2(), **kwargs)


def test_solve_rejects_other_models_and_bad_rates():
    with pytest.raises(ValueError, match="IntensityNetwork"):
        rmf.solve("E2")
    with pytest.raises(ValueError, match="finite non-negative"):
        rmf.rate_map(_e2(), np.array([1.0, -1.0, 1.0, 1.0]))
    with pytest.raises(ValueError, match="neuron must"):
        rmf.transfer(_e2(), 7, np.ones(4))
    exp_net = IntensityNetwork(W=np.zeros((2, 2)), phi="exp")
    with pytest.raises(ValueError, match="renewal"):
        rmf.solve(exp_net, method="renewal")
