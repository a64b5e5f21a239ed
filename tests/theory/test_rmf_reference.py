"""``rmf.solve`` reaches 1e-6 relative on random networks, checked by independent routes.

Three routes that share no code with the solver's transfer functions:

* linear intensity with reset: the renewal integral (the default route) against the
  stationary-density route (``method="density"``), both at their default tolerances;
* exponential intensity without reset, any sign of W: the closed form of Campbell's
  theorem, ``beta_i = lam0 exp(b_i + tau_i sum_j beta_j E(W[j, i]))`` with
  ``E(x) = int_0^x (e^u - 1)/u du = Ei(x) - ln|x| - gamma`` (Rice 1944, Bell Syst. Tech.
  J. 23:282, Sec. 1.5), solved here by scipy's ``fsolve``;
* exponential intensity with reset and no leak (``tau = inf``), jumps on a lattice
  ``h Z``: the state is a Markov chain on ``r + h Z`` (up/down jumps at the input rates,
  reset to r at rate ``lam0 e^v``) whose stationary law is a linear solve on a truncated
  lattice (RMF notes Sec. 3, the generator with the drift term dropped).
"""

import numpy as np
import pytest
from scipy import optimize, special

from rnmf import IntensityNetwork
from rnmf.theory import rmf


def _random_linear(seed):
    gen = np.random.default_rng(seed)
    N = int(gen.integers(2, 5))
    W = gen.uniform(0.05, 0.8, (N, N)) * (gen.random((N, N)) < 0.7)
    np.fill_diagonal(W, 0.0)
    return IntensityNetwork(
        W=W,
        b=gen.uniform(0.2, 1.5, N),
        tau=gen.uniform(0.5, 2.0, N),
        r=gen.uniform(0.0, 0.3, N),
        ext_rate=gen.uniform(0.0, 1.0, N),
        ext_weight=gen.uniform(0.0, 0.5, N),
    )


def _feedforward():
    return IntensityNetwork.feedforward(3, 1.2, source_rate=2.0, tau=1.0)


@pytest.mark.parametrize("seed", [pytest.param(s, marks=pytest.mark.slow) if s > 0 else s
                                  for s in range(8)])  # fmt: skip
def test_linear_renewal_and_density_routes_agree_to_1e6(seed):
    net = _random_linear(seed)
    a = rmf.solve(net)
    assert a.complete  # renewal route: a priori rate bound, exhaustive search
    d = rmf.solve(net, method="density", multiclass="starts", n_starts=1)
    assert a.converged and d.converged and a.n_solutions == d.n_solutions == 1
    np.testing.assert_allclose(d.rates, a.rates, rtol=1e-6)
    # the density route's own error estimate is honest and below 1e-6 relative
    err = d.solutions[0].error
    assert np.all(err <= 1e-6 * d.rates)
    assert np.all(np.abs(d.rates - a.rates) <= 3 * err + 1e-12)


def test_feedforward_convergence_routes_agree():
    net = _feedforward()
    a = rmf.solve(net)
    d = rmf.solve(net, method="density")
    assert a.complete
    np.testing.assert_allclose(d.rates, a.rates, rtol=1e-6)
    np.testing.assert_allclose(a.rates[:3], 2.0, rtol=1e-12)  # Poisson sources


def _E(x):
    """int_0^x (e^u - 1)/u du."""
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    nz = x != 0
    out[nz] = special.expi(x[nz]) - np.log(np.abs(x[nz])) - np.euler_gamma
    return out


def _campbell_rates(net):
    EW = _E(net.W)
    Ee = _E(net.ext_weight)

    def g(logb):
        beta = np.exp(logb)
        drive = net.b + net.tau * (EW.T @ beta + net.ext_rate * Ee)
        return logb - (np.log(net.lam0) + drive)

    sol = optimize.fsolve(g, np.zeros(net.N), xtol=1e-14, full_output=True)
    assert sol[2] == 1
    return np.exp(sol[0])


@pytest.mark.slow  # minutes: three classes on the density route (Campbell per neuron is
# checked quickly in test_rmf_density.py)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exponential_without_reset_matches_campbell_network(seed):
    gen = np.random.default_rng(100 + seed)
    N = 3
    W = gen.uniform(-0.6, 0.4, (N, N))
    np.fill_diagonal(W, 0.0)
    net = IntensityNetwork(
        W=W, b=gen.uniform(-1.0, 0.0, N), tau=gen.uniform(0.5, 1.5, N), r=0.0, phi="exp",
        lam0=0.8, reset=False, ext_rate=1.0, ext_weight=gen.uniform(-0.3, 0.3, N),
    )  # fmt: skip
    ref = _campbell_rates(net)
    res = rmf.solve(net, beta_max=20.0, multiclass="starts", n_starts=1)  # accuracy here
    assert res.converged
    np.testing.assert_allclose(res.solutions[0].rates, ref, rtol=1e-6)


def _chain_rate(r, lam, w, lam0, h, lo=-60, hi=40):
    """Stationary rate of the leak-free exponential neuron on the lattice r + h n."""
    n = np.arange(lo, hi + 1)
    v = r + h * n
    K = n.size
    Q = np.zeros((K, K))
    phi = lam0 * np.exp(v)
    i0 = int(np.flatnonzero(n == 0)[0])
    for k in range(K):
        Q[k, i0] += phi[k]
        for lk, wk in zip(lam, w, strict=True):
            j = min(max(k + int(round(wk / h)), 0), K - 1)  # clamp at the (far) ends
            Q[k, j] += lk
        Q[k, k] -= Q[k].sum()
    A = np.vstack([Q.T, np.ones(K)])
    pi = np.linalg.lstsq(A, np.r_[np.zeros(K), 1.0], rcond=None)[0]
    return float(pi @ phi)


def test_exponential_leak_free_with_reset_matches_lattice_chain():
    """E-I pair, tau = inf, jumps 0.5 and -0.25 (lattice h = 0.25): both routes to 1e-6."""
    W = np.array([[0.0, 0.5], [-0.25, 0.0]])
    net = IntensityNetwork(W=W, b=0.0, tau=np.inf, r=-1.0, phi="exp", lam0=1.0,
                           ext_rate=[3.0, 3.0], ext_weight=[0.5, 0.5])  # fmt: skip
    res = rmf.solve(net, beta_max=20.0)
    assert res.converged and res.n_solutions == 1
    beta = res.solutions[0].rates

    def g(x):
        x = np.abs(x)
        f0 = _chain_rate(-1.0, [x[1], 3.0], [-0.25, 0.5], 1.0, 0.25)
        f1 = _chain_rate(-1.0, [x[0], 3.0], [0.5, 0.5], 1.0, 0.25)
        return [f0 - x[0], f1 - x[1]]

    ref = np.abs(optimize.fsolve(g, beta, xtol=1e-13))
    np.testing.assert_allclose(beta, ref, rtol=1e-6)
