"""Low-rank theory: the kappa search range covers every state, and explicit vectors are solved
over their own units (issue 10, section 1).

Oracles: scipy.integrate.quad (Gaussian averages and the g = 0 closed form of the rho = 1
state), simulations of the same network (rnmf.sim.lowrank), the Gaussian-mixture code path
(a network given by explicit vectors with two distinct m values equals a two-population
mixture), and sample moments (moment matching of the coarse measure).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import integrate, optimize

from rnmf.models import LowRankNetwork
from rnmf.sim.lowrank import simulate_lowrank
from rnmf.theory import lowrank as lr
from rnmf.theory.lowrank._load import _coarsen, _f_of, _Load, _moments
from rnmf.theory.lowrank.static import kappa_search_range
from rnmf.transfer import Transfer

_NAMES = ("phi", "dphi", "phi2", "dphi2", "zdphi", "z2dphi", "pdp", "zpdp", "z2pdp")


def _quad_x(f, mu: float, D: float) -> float:
    """<f(x, z)> for x ~ N(mu, D), z = (x - mu)/sqrt(D), by adaptive quadrature in x."""
    s = math.sqrt(D)

    def g(x: float) -> float:
        return (
            f(x, (x - mu) / s) * math.exp(-((x - mu) ** 2) / (2 * D)) / math.sqrt(2 * math.pi * D)
        )

    lo, hi = mu - 12 * s, mu + 12 * s
    pts = [p for p in (-20.0, -5.0, -1.0, 0.0, 1.0, 5.0, 20.0) if lo < p < hi]
    return integrate.quad(g, lo, hi, points=pts, limit=400, epsabs=1e-15, epsrel=1e-12)[0]


@pytest.mark.parametrize("kind", ["tanh", "erf"])
@pytest.mark.parametrize(
    "mu, D", [(0.3, 50.0), (2.0, 101.0), (5.0, 1e4), (100.0, 1e6), (-20.0, 6.4e7)]
)
def test_moments_at_large_variance_vs_quad(kind, mu, D):
    """Gaussian averages of tanh/erf at variances up to 6.4e7 (sqrt(D) = 8000, the S = 100
    state) against scipy quad.  The z-rule capped at 4001 nodes could not resolve phi' there
    (the cause of the missed states: <tanh'> at D = 8.1e5 came out 2x too large)."""
    tr = Transfer(kind)
    e = _moments(tr, mu, D, _NAMES)
    for name in _NAMES:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", integrate.IntegrationWarning)
            q = _quad_x(
                lambda x, z, name=name: float(_f_of(tr, name, np.array(x), np.array(z))), mu, D
            )
        assert float(e[name]) == pytest.approx(q, rel=1e-8, abs=1e-12), name


def _rho_one_kappa(S: float) -> float:
    """g = 0, m = n = S z (rho = 1): kappa = S <z tanh(S kappa z)> (M&O 2018 STAR Methods
    kappa equation, with x = m kappa), written as S (<|z|> - <|z| (1 - tanh(a|z|))>),
    a = S kappa (the remainder decays within |z| < 50/a), by quad + brentq."""

    def F(k: float) -> float:
        a = S * k
        rem = integrate.quad(
            lambda z: (
                2 * z * (1 - math.tanh(a * z)) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
            ),
            0,
            50 / a,
            limit=200,
            epsabs=1e-17,
            epsrel=1e-13,
        )[0]
        return S * (math.sqrt(2 / math.pi) - rem) - k

    return optimize.brentq(F, 0.5 * S, S, xtol=1e-13)


@pytest.mark.parametrize("S", [30.0, 100.0])
def test_large_overlap_states_found(S):
    """rank_one(N=1000, S_m=S_n=S, rho=1): the states kappa = +-0.798 S are found, stable,
    at the closed-form value (issue 10: the old solve returned only the unstable quiet
    state for S = 30 and 100), and the search range is the proven bound <|n|> sup|phi|."""
    net = LowRankNetwork.rank_one(N=1000, S_m=S, S_n=S, rho=1.0)
    res = lr.solve(net)
    want = _rho_one_kappa(S)
    stable = sorted((s for s in res.solutions if s.stable), key=lambda s: s.kappa[0])
    assert len(stable) == 2
    assert stable[1].kappa[0] == pytest.approx(want, rel=1e-8)
    assert stable[0].kappa[0] == pytest.approx(-want, rel=1e-8)
    assert res.kappa_range_proven
    En = S * math.sqrt(2 / math.pi)
    assert res.kappa_range == pytest.approx(1.02 * En, rel=1e-9)
    assert all(abs(s.kappa[0]) <= En for s in res.solutions)


def test_large_overlap_vs_simulation():
    """S = 30, rho = 1, N = 1000, g = 0 sampled network: the simulation started at +m settles
    where the theory over the same vectors puts it (g = 0: exact for the given units, so
    they agree to the integration error), and near the N -> infinity value 0.798 S
    (O(S/sqrt(N)) sample spread)."""
    net = LowRankNetwork.rank_one(N=1000, S_m=30.0, S_n=30.0, rho=1.0).sampled(1)
    tr = simulate_lowrank(
        net, 1.0, dt=0.1, rng=1, burn_in=40.0, kappa0=[1.0], record_units=0, progress=False
    )
    k_sim = float(tr.kappa[-1, 0])
    th = max((s for s in lr.solve(net).solutions if s.stable), key=lambda s: s.kappa[0])
    assert k_sim == pytest.approx(th.kappa[0], rel=1e-9)
    assert k_sim == pytest.approx(_rho_one_kappa(30.0), rel=5 / math.sqrt(1000))


def _binary(N: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    m = rng.choice([-1.0, 1.0], N)
    return m, 2.0 * m + 0.5 * rng.standard_normal(N)


def test_binary_loadings_g0_exact_vs_simulation():
    """Binary m = +-1, n = 2m + 0.5 noise, g = 0 (issue 10): theory over the given vectors
    1.927 vs simulation 1.927 (the old theory, Gaussian with the sample moments, gave 1.347).
    For g = 0 the per-unit average is exact: agreement to the integration error."""
    m, n = _binary(2000, 0)
    net = LowRankNetwork.from_vectors(m, n)
    th = max((s for s in lr.solve(net).solutions if s.stable), key=lambda s: s.kappa[0])
    tr = simulate_lowrank(
        net, 1.0, dt=0.1, rng=0, burn_in=40.0, kappa0=[1.0], record_units=0, progress=False
    )
    assert float(tr.kappa[-1, 0]) == pytest.approx(th.kappa[0], rel=1e-9)
    # closed form: x_i = m_i kappa, kappa = <n m> tanh(kappa) for m = +-1
    s = float(np.mean(n * m))
    assert th.kappa[0] == pytest.approx(
        optimize.brentq(lambda k: s * math.tanh(k) - k, 0.5, 5), rel=1e-10
    )
    gauss = LowRankNetwork.rank_one(
        N=2000, M_m=m.mean(), M_n=n.mean(), S_m=m.std(), S_n=n.std(), rho=np.corrcoef(m, n)[0, 1]
    )
    k_gauss = max(s.kappa[0] for s in lr.solve(gauss).solutions)
    assert abs(k_gauss - th.kappa[0]) > 0.5  # what the sample-moment theory got wrong


def test_binary_loadings_with_bulk_vs_simulation():
    """Binary m, g = 0.6, N = 1000: theory over the given vectors (static, Delta_eta from the
    bulk) against 2 simulated bulks.  Tolerance: 4 sem over the bulks plus 2/sqrt(N) relative
    (finite-N bulk); the Gaussian sample-moment theory is > 0.4 away (at N = 2000: theory
    1.843, simulations 1.834 and 1.833, sample-moment theory 1.275)."""
    m, n = _binary(1000, 3)
    net = LowRankNetwork.from_vectors(m, n, g=0.6)
    th = max(
        (s for s in lr.solve(net, chaotic=False).solutions if s.stable), key=lambda s: s.kappa[0]
    )
    ks = []
    for seed in (4, 5):
        tr = simulate_lowrank(
            net, 3.0, dt=0.1, rng=seed, burn_in=25.0, kappa0=[1.0], record_units=0, progress=False
        )
        ks.append(float(tr.kappa[:, 0].mean()))
    sem = np.std(ks, ddof=1) / math.sqrt(len(ks))
    tol = 4 * sem + 2 / math.sqrt(1000) * th.kappa[0]
    assert abs(np.mean(ks) - th.kappa[0]) < tol, (ks, th.kappa)
    gauss = LowRankNetwork.rank_one(
        N=1000,
        g=0.6,
        M_m=m.mean(),
        M_n=n.mean(),
        S_m=m.std(),
        S_n=n.std(),
        rho=np.corrcoef(m, n)[0, 1],
    )
    k_gauss = max(s.kappa[0] for s in lr.solve(gauss, chaotic=False).solutions)
    assert abs(k_gauss - np.mean(ks)) > 0.4


def test_explicit_equals_mixture_including_chaos():
    """Explicit binary m (two distinct units types) is the two-population mixture with zero
    variance in m: every static and chaotic state agrees with the mixture code path
    (Beiran et al. 2021 Sec. 2.2), at g = 3 where chaos exists."""
    N = 200
    m = np.r_[np.ones(N // 2), -np.ones(N // 2)]
    n = 1.5 * m
    g = 3.0
    exp = lr.solve(LowRankNetwork.from_vectors(m, n, g=g))
    mix = lr.solve(
        LowRankNetwork(
            N=N,
            g=g,
            R=1,
            means=[[1.0, 1.5], [-1.0, -1.5]],
            cov=np.zeros((2, 2, 2)),
            weights=[0.5, 0.5],
        )
    )
    assert len(exp.solutions) == len(mix.solutions) >= 2
    assert any(s.regime == "chaotic" for s in exp.solutions)
    for a, b in zip(exp.solutions, mix.solutions, strict=True):
        assert a.regime == b.regime and a.stable == b.stable
        np.testing.assert_allclose(a.kappa, b.kappa, rtol=1e-7, atol=1e-9)
        assert a.Delta0 == pytest.approx(b.Delta0, rel=1e-7)


def test_coarse_measure_matches_moments():
    """The coarse measure of 2000 explicit units (64 Gaussian leaves) keeps the total weight,
    mean and covariance of the vectors (moment matching)."""
    rng = np.random.default_rng(2)
    m, n = rng.normal(1.0, 1.0, (2000, 1)), rng.normal(0.5, 2.0, (2000, 1))
    L = _Load(LowRankNetwork.from_vectors(m, n, g=1.0))
    assert L.P == 2000
    w, M, C = _coarsen(L.w, L.M, L.C, L.idx, 64)
    assert w.size == 64 and w.sum() == pytest.approx(1.0, abs=1e-14)
    X = np.c_[m, n]
    np.testing.assert_allclose(w @ M, X.mean(0), atol=1e-12)
    tot = np.einsum("p,pij->ij", w, C) + np.einsum("p,pi,pj->ij", w, M, M) - np.outer(w @ M, w @ M)
    np.testing.assert_allclose(tot, np.cov(X, rowvar=False, ddof=0), atol=1e-10)


def test_explicit_gaussian_sample_close_to_gaussian_theory():
    """A sampled Gaussian network (N = 2000, g = 1, reference point): the theory over its
    vectors (coarse scan, exact polish) differs from the N -> infinity Gaussian theory by
    O(1/sqrt(N)) and solves the exact per-unit equations to 1e-9."""
    base = LowRankNetwork.rank_one(N=2000, g=1.0, M_m=1.1, M_n=2.0, S_m=1.0)
    net = base.sampled(0)
    st = max(lr.solve(net, chaotic=False).solutions, key=lambda s: s.kappa[0])
    ref = max(lr.solve(base, chaotic=False).solutions, key=lambda s: s.kappa[0])
    assert st.residual < 1e-9
    assert abs(st.kappa[0] - ref.kappa[0]) < 5 / math.sqrt(2000)


def test_unbounded_phi_range_is_flagged_or_proven():
    """relu with strong structure: no bound is provable, solve warns and says so in the
    result; with weak structure the linear-growth bound holds and contains the state."""
    strong = LowRankNetwork.rank_one(
        N=10, M_m=1.0, M_n=0.6, S_m=1.5, phi=Transfer("relu", theta=-0.5)
    )
    B, proven, why = kappa_search_range(_Load(strong))
    assert not proven and "heuristic" in why
    with pytest.warns(RuntimeWarning, match="not excluded"):
        res = lr.solve(strong, chaotic=False, raise_on_failure=False)
    assert res.kappa_range_proven is False
    weak = LowRankNetwork.rank_one(
        N=10, g=0.2, M_m=0.5, M_n=0.6, S_m=0.3, phi=Transfer("relu", theta=-0.5)
    )
    B, proven, _ = kappa_search_range(_Load(weak))
    assert proven
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = lr.solve(weak, chaotic=False)
    assert res.kappa_range_proven and all(abs(s.kappa[0]) < B / 1.02 for s in res.solutions)


def test_explicit_networks_compare_by_vectors():
    """Two explicit networks with equal sample moments but different vectors are different
    models (the theory now depends on the vectors)."""
    a = LowRankNetwork.from_vectors([1.0, -1.0, 1.0, -1.0], [1.0, 1.0, 2.0, 2.0])
    b = LowRankNetwork.from_vectors([-1.0, 1.0, -1.0, 1.0], [1.0, 1.0, 2.0, 2.0])
    assert a.means == b.means and a != b
    c = LowRankNetwork.from_vectors([1.0, -1.0, 1.0, -1.0], [1.0, 1.0, 2.0, 2.0])
    assert a == c and hash(a) == hash(c)


def test_rotational_limit_cycle_refuses_explicit_vectors():
    rng = np.random.default_rng(0)
    net = LowRankNetwork.from_vectors(rng.standard_normal((50, 2)), rng.standard_normal((50, 2)))
    with pytest.raises(ValueError, match="Gaussian loadings"):
        lr.rotational_limit_cycle(net)
