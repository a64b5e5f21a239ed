"""Low-rank mean-field theory (rnmf.theory.lowrank) against independent oracles.

Oracles: the published reference point of Mastrogiuseppe & Ostojic 2018 (docs/references.md
sec. 4), closed forms (g = 0 rank one, quiet state, linear phi, polar rank-two ODE),
numpy.linalg.eigvals of sampled matrices, scipy.integrate.quad, the random-network DMFT
(rnmf.theory.dmft) and the sympy derivation script.
"""

from __future__ import annotations

import math
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

from rnmf.models import LowRankNetwork
from rnmf.results import ConvergenceError
from rnmf.theory import lowrank as lr
from rnmf.transfer import Transfer

ROOT = Path(__file__).resolve().parents[2]
REF = dict(M_m=1.1, M_n=2.0, S_m=1.0, S_n=0.0)


def _quad(f, mu, D):
    s = math.sqrt(D)
    return integrate.quad(
        lambda z: f(mu + s * z) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi),
        -12,
        12,
        epsabs=1e-14,
        limit=200,
    )[0]


# ----------------------------------------------------------------------------- model
class TestModel:
    def test_rank_one_fields(self):
        net = LowRankNetwork.rank_one(N=100, g=0.5, M_m=1.0, M_n=2.0, S_m=0.5, S_n=1.0, rho=0.4)
        assert (net.R, net.K, net.P, net.D) == (1, 0, 1, 2)
        assert net.overlap()[0, 0] == pytest.approx(2.0 + 0.4 * 0.5 * 1.0)
        assert hash(net) == hash(replace(net))

    def test_explicit_vectors_use_sample_statistics(self):
        rng = np.random.default_rng(0)
        m, n = rng.normal(1, 2, (50, 2)), rng.normal(0, 1, (50, 2))
        net = LowRankNetwork.from_vectors(m, n, g=0.3)
        assert net.R == 2 and net.explicit and net.N == 50
        np.testing.assert_allclose(net.mean_array()[0], np.r_[m.mean(0), n.mean(0)], atol=1e-14)
        np.testing.assert_allclose(net.overlap(), n.T @ m / 50, atol=1e-12)
        with pytest.raises(ValueError):
            net.m[0, 0] = 1.0  # read-only

    def test_sampling_reproducible_and_statistics(self):
        net = LowRankNetwork.rank_one(N=20000, M_m=1.0, M_n=-1.0, S_m=2.0, S_n=0.5, rho=-0.5)
        a = net.sample_loadings(3)
        b = net.sample_loadings(3)
        for x, y in zip(a, b, strict=True):
            np.testing.assert_array_equal(x, y)
        m, n, _ = a
        # sample mean within 5 standard errors of the model (std 2 / sqrt(N))
        assert abs(m.mean() - 1.0) < 5 * 2.0 / math.sqrt(20000)
        assert np.corrcoef(m[:, 0], n[:, 0])[0, 1] == pytest.approx(-0.5, abs=0.03)

    def test_mixture_population_slices(self):
        net = LowRankNetwork(
            N=10, R=1, means=[[1, 1], [-1, 1]], cov=np.zeros((2, 2, 2)), weights=[0.3, 0.7]
        )
        m, n, _ = net.sample_loadings(0)
        assert np.all(m[:3] == 1) and np.all(m[3:] == -1)

    @pytest.mark.parametrize(
        "kw, match",
        [
            (dict(g=-1.0, means=(0, 0), cov=np.eye(2)), "g"),
            (dict(R=0, means=(0, 0), cov=np.eye(2)), "R"),
            (dict(means=(0, 0), cov=[[1, 0.5], [0.4, 1]]), "symmetric"),
            (dict(means=(0, 0), cov=[[1, 2], [2, 1]]), "semi-definite"),
            (dict(means=(0, 0), cov=[[1, 0], [0, np.nan]]), "NaN"),
            (dict(means=(0, 0, 0), cov=np.eye(2)), "shape"),
            (dict(means=(0,), cov=np.eye(1)), "2R"),
            (dict(means=(0, 0), cov=np.eye(2), tau=-1.0), "tau"),
            (dict(means=(0, 0), cov=np.eye(2), inputs=(1.0,)), "inputs"),
            (dict(means=[[0, 0], [1, 1]], cov=np.eye(2)), "weights"),
            (dict(means=[[0, 0], [1, 1]], cov=np.eye(2), weights=[1, -1]), "weights"),
            (dict(m=np.ones((10, 1)), n=np.ones((9, 1))), "rows|shape"),
            (dict(m=np.ones((10, 1)), n=np.ones((10, 2))), "shape"),
            (dict(m=np.ones((10, 0)), n=np.ones((10, 0))), "rank"),
            (dict(m=np.ones((10, 1))), "both"),
        ],
    )
    def test_bad_input(self, kw, match):
        with pytest.raises(ValueError, match=match):
            LowRankNetwork(N=10, **kw)

    def test_singular_but_consistent_covariance_is_allowed(self):
        """S_n = 0 (docs/references.md sec. 4) gives a singular covariance: allowed (PSD)."""
        net = LowRankNetwork.rank_one(N=10, **REF)
        assert net.cov_array()[0, 1, 1] == 0.0

    def test_rho_out_of_range(self):
        with pytest.raises(ValueError, match="rho"):
            LowRankNetwork.rank_one(N=10, S_m=1, S_n=1, rho=1.5)


# ------------------------------------------------------------------- static solutions
class TestReferencePoint:
    """docs/references.md sec. 4 (Mastrogiuseppe & Ostojic 2018, Neuron 99:609, Fig. 1)."""

    @pytest.fixture(scope="class")
    @classmethod
    def res(cls):
        return lr.solve(LowRankNetwork.rank_one(N=1000, g=1.0, **REF), chaotic=False)

    def test_values_to_1e6(self, res):
        assert res.regime == "static" and res.stable
        assert res.mu == pytest.approx(1.19663640081, rel=1e-6)
        assert res.Delta0 == pytest.approx(1.80848181059, rel=1e-6)
        assert res.kappa[0] == pytest.approx(1.08785127347, rel=1e-6)

    def test_all_three_states(self, res):
        """The bistable pair (+-kappa, both stable) and the unstable quiet state."""
        sols = res.solutions
        assert len(sols) == 3
        ks = sorted(float(s.kappa[0]) for s in sols)
        assert ks[0] == pytest.approx(-1.08785127347, rel=1e-6)
        assert ks[1] == 0.0
        assert ks[2] == pytest.approx(1.08785127347, rel=1e-6)
        quiet = [s for s in sols if s.regime == "quiet"][0]
        assert not quiet.stable
        # quiet state: outlier M_m M_n phi'(0) = 2.2, bulk g phi'(0) = 1
        np.testing.assert_allclose(quiet.outliers, [2.2], rtol=1e-12)
        assert quiet.bulk_radius == pytest.approx(1.0)
        mirror = [s for s in sols if s.kappa[0] < 0][0]
        assert mirror.stable and mirror.mu == pytest.approx(-res.mu, rel=1e-10)

    def test_equations_by_quadrature(self, res):
        """kappa = M_n <tanh>, Delta0 = g^2 <tanh^2> + S_m^2 kappa^2 (adaptive quad)."""
        k = res.kappa[0]
        assert 2.0 * _quad(math.tanh, res.mu, res.Delta0) == pytest.approx(k, rel=1e-9)
        assert _quad(lambda x: math.tanh(x) ** 2, res.mu, res.Delta0) + k**2 == pytest.approx(
            res.Delta0, rel=1e-9
        )


def test_g0_closed_form_outlier():
    """g = 0: the only nonzero eigenvalue of m n^T diag(phi')/N is <n m phi'> (rank one)."""
    net = LowRankNetwork.rank_one(N=1000, g=0.0, M_m=0.5, M_n=1.0, S_m=1.2, S_n=1.0, rho=0.7)
    res = lr.solve(net, chaotic=False)
    s = [x for x in res.solutions if x.kappa[0] > 0][0]
    mu, D = float(s.mu), float(s.Delta0)
    c = 0.7 * 1.2 * 1.0 * s.kappa[0]  # Cov(n, x)
    cm = 1.2**2 * s.kappa[0]  # Cov(m, x)
    # E[n m phi'(x)] with n, m regressed on x, by quadrature in x
    sech2 = lambda x: 1 / math.cosh(x) ** 2  # noqa: E731
    resid_cov = 0.7 * 1.2 - c * cm / D
    want = _quad(
        lambda x: ((1.0 + c / D * (x - mu)) * (0.5 + cm / D * (x - mu)) + resid_cov) * sech2(x),
        mu,
        D,
    )
    assert s.outliers.size == 1
    assert s.outliers[0].real == pytest.approx(want, rel=1e-9)
    assert s.stable == (want < 1)


def test_linear_phi_closed_form():
    """phi = x, g = 0, uncorrelated: kappa = M_n M_m kappa -> only kappa = 0 unless M_m M_n = 1."""
    net = LowRankNetwork.rank_one(N=10, M_m=0.5, M_n=1.0, S_m=1.0, phi="linear")
    res = lr.solve(net, chaotic=False)
    assert len(res.solutions) == 1 and res.regime == "quiet" and res.stable
    np.testing.assert_allclose(res.outliers, [0.5])


def test_outliers_vs_eigvals_of_sampled_network():
    """Bulk radius and quiet-state outlier vs numpy.linalg.eigvals (N = 400, g = 0.6).

    At the quiet state x = 0 the linearised connectivity is J itself: the outlier of the
    sampled matrix is n^T m / N perturbed by O(g / sqrt(N)) (connectivity_outliers).
    """
    N = 400
    base = LowRankNetwork.rank_one(N=N, g=0.6, M_m=1.0, M_n=1.5, S_m=1.0, S_n=0.5)
    net = base.sampled(11)
    rng = np.random.default_rng(12)
    J = (
        0.6 * rng.standard_normal((N, N)) / math.sqrt(N)
        + np.asarray(net.m) @ np.asarray(net.n).T / N
    )
    ev = np.linalg.eigvals(J)
    out, bulk = lr.connectivity_outliers(net)
    top = ev[np.argmax(np.abs(ev))]
    assert top.real == pytest.approx(out[0].real, abs=4 * 0.6 / math.sqrt(N))
    rest = np.sort(np.abs(ev))[-2]
    assert rest == pytest.approx(bulk, rel=0.15)
    quiet = [s for s in lr.solve(net, chaotic=False).solutions if s.regime == "quiet"][0]
    np.testing.assert_allclose(quiet.outliers, out, rtol=1e-12)
    # with the sampled bulk the finite-N outlier is exact (determinant lemma + Neumann series)
    chi = (J - np.asarray(net.m) @ np.asarray(net.n).T / N) / 0.6
    exact, _ = lr.connectivity_outliers(net, chi=chi)
    assert exact[0] == pytest.approx(top, rel=1e-9)
    with pytest.raises(ValueError, match="chi"):
        lr.connectivity_outliers(base, chi=chi)


def test_rank_two_finite_n_outliers_with_bulk():
    """Rank two, complex pair a +- ib: finite-N outliers with the sampled chi equal the
    eigenvalues of numpy.linalg.eigvals to 1e-9 (N = 300, g = 0.5)."""
    N, g = 300, 0.5
    O = np.array([[1.5, -1.0], [1.0, 1.5]])
    C = np.block([[np.eye(2), O.T], [O, O @ O.T + 0.2 * np.eye(2)]])
    net = LowRankNetwork(N=N, g=g, R=2, means=np.zeros(4), cov=C).sampled(3)
    chi = np.random.default_rng(4).standard_normal((N, N)) / math.sqrt(N)
    ev = np.linalg.eigvals(g * chi + np.asarray(net.m) @ np.asarray(net.n).T / N)
    out, _ = lr.connectivity_outliers(net, chi=chi)
    assert out.size == 2 and abs(out[0].imag) > 0.5
    for lam in out:
        assert np.min(np.abs(ev - lam)) < 1e-9 * abs(lam)


def test_heterogeneous_state_spectrum_vs_eigvals():
    """Fixed point of a sampled N = 500 network: bulk radius g sqrt(<phi'^2>) and no outlier
    beyond it (theory over the sampled vectors), against numpy.linalg.eigvals of
    (g chi + m n^T/N) diag(phi'(x*)).  The largest |eigenvalue| of one N = 500 matrix
    overshoots the N -> infinity edge: over 12 bulk draws (seeds 0..11) max|ev| / radius was
    1.06 +- 0.08 (range 0.96 .. 1.22), so the check is 0.85 < ratio < 1.35 (~3.5 sd)."""
    N, g = 500, 0.8
    net = LowRankNetwork.rank_one(N=N, g=g, M_m=1.5, M_n=2.0, S_m=0.5).sampled(5)
    rng = np.random.default_rng(6)
    J = g * rng.standard_normal((N, N)) / math.sqrt(N) + np.asarray(net.m) @ np.asarray(net.n).T / N
    x = np.asarray(net.m)[:, 0].copy()
    for _ in range(300):
        x += 0.5 * (-x + J @ np.tanh(x))
    for _ in range(4):  # Newton polish of the fixed point
        d = 1 / np.cosh(x) ** 2
        x -= np.linalg.solve(-np.eye(N) + J * d[None, :], -x + J @ np.tanh(x))
    assert np.max(np.abs(-x + J @ np.tanh(x))) < 1e-10
    ev = np.linalg.eigvals(J * (1 / np.cosh(x) ** 2)[None, :])
    th = [s for s in lr.solve(net, chaotic=False).solutions if s.kappa[0] > 0][0]
    assert th.stable and th.outliers.size == 0
    assert 0.85 < np.max(np.abs(ev)) / th.bulk_radius < 1.35


@settings(max_examples=15, deadline=None)
@given(
    M_m=st.floats(-2, 2),
    M_n=st.floats(-2, 2),
    S_m=st.floats(0, 1.5),
    S_n=st.floats(0, 1.5),
    rho=st.floats(-0.95, 0.95),
    g=st.floats(0, 1.5),
)
def test_every_solution_satisfies_equations(M_m, M_n, S_m, S_n, rho, g):
    """Property: every returned static state solves the mean-field equations (quadrature),
    and phi odd without input gives +-kappa pairs."""
    net = LowRankNetwork.rank_one(N=10, g=g, M_m=M_m, M_n=M_n, S_m=S_m, S_n=S_n, rho=rho)
    res = lr.solve(net, chaotic=False)
    ks = [float(s.kappa[0]) for s in res.solutions]
    for s in res.solutions:
        k = float(s.kappa[0])
        mu, D = M_m * k, S_m**2 * k**2 + s.Delta_eta
        c = rho * S_m * S_n * k
        want = (
            M_n * _quad(math.tanh, mu, D) + c * _quad(lambda x: 1 / math.cosh(x) ** 2, mu, D)
            if D > 0
            else M_n * math.tanh(mu)
        )
        assert k == pytest.approx(want, abs=1e-8)
        assert s.Delta_eta == pytest.approx(
            g**2 * (_quad(lambda x: math.tanh(x) ** 2, mu, D) if D > 0 else math.tanh(mu) ** 2),
            abs=1e-8,
        )
        assert any(abs(k + q) < 1e-7 * (1 + abs(k)) for q in ks)


def test_mixture_reduces_to_gaussian():
    """Two identical populations give the same states as one Gaussian (Beiran et al. 2021)."""
    one = LowRankNetwork.rank_one(N=10, g=0.5, M_m=1.0, M_n=2.0, S_m=0.7, S_n=0.3, rho=0.2)
    C = one.cov_array()[0]
    two = LowRankNetwork(N=10, g=0.5, R=1, means=[one.means[0]] * 2, cov=[C, C], weights=[0.4, 0.6])
    a, b = lr.solve(one, chaotic=False), lr.solve(two, chaotic=False)
    assert len(a.solutions) == len(b.solutions)
    for x, y in zip(a.solutions, b.solutions, strict=True):
        np.testing.assert_allclose(x.kappa, y.kappa, rtol=1e-9, atol=1e-12)


def test_mixture_two_populations_by_quadrature():
    """Mixture kappa = sum_p alpha_p [M_n,p <phi>_p + Cov_p(n, x) <phi'>_p] (Beiran et al. 2021, Sec. 2.2)."""
    net = LowRankNetwork(
        N=10,
        g=0.0,
        R=1,
        means=[[1.0, 1.5], [-0.5, 2.0]],
        cov=[[[0.5, 0.3], [0.3, 1.0]], [[1.0, -0.2], [-0.2, 0.5]]],
        weights=[0.3, 0.7],
    )
    for s in lr.solve(net, chaotic=False).solutions:
        k = float(s.kappa[0])
        tot = 0.0
        for w, (mm, mn), C in (
            (0.3, (1.0, 1.5), [[0.5, 0.3], [0.3, 1.0]]),
            (0.7, (-0.5, 2.0), [[1.0, -0.2], [-0.2, 0.5]]),
        ):
            mu, D = mm * k, C[0][0] * k * k
            f = lambda x, mu=mu, D=D, mn=mn, c=C[1][0] * k: (
                (mn + (c / D * (x - mu) if D > 0 else 0)) * math.tanh(x)
            )  # noqa: E731
            tot += w * (_quad(f, mu, D) if D > 0 else mn * math.tanh(mu))
        assert k == pytest.approx(tot, abs=1e-9)


def test_rank_two_states():
    """Rank two, orthogonal structures each of strength 2: kappa = 0, four single-axis states
    and four mixed states (symmetry (k1, k2) -> (+-k1, +-k2))."""
    C = np.diag([1.0, 1.0, 0.0, 0.0])
    net = LowRankNetwork(N=10, g=0.0, R=2, means=[1.0, 1.0, 2.0, 2.0], cov=C)
    # with nonzero means the two structures overlap through <n_1 m_2> = 2: just check equations
    res = lr.solve(net, chaotic=False)
    assert len(res.solutions) >= 3
    for s in res.solutions:
        mu = float(s.kappa @ [1.0, 1.0])
        D = float(s.kappa @ s.kappa)
        want = 2.0 * (_quad(math.tanh, mu, D) if D > 0 else math.tanh(mu))
        np.testing.assert_allclose(s.kappa, [want, want], atol=1e-8)


# ------------------------------------------------------------------------ chaotic state
class TestChaotic:
    """Chaotic solutions through rnmf.theory.dmft (M&O 2018 STAR Methods, chaotic solutions)."""

    @pytest.fixture(scope="class")
    @classmethod
    def res(cls):
        return lr.solve(LowRankNetwork.rank_one(N=10, g=2.0, **REF))

    def test_bistable_chaos_between_gC_and_gBB(self, res):
        """g = 2 lies between g_C = 1.7959 and g_BB = 2.1358: the stable states are a chaotic
        +-kappa pair; chaotic kappa = 0 and every fixed point are unstable."""
        stable = [s for s in res.solutions if s.stable]
        assert len(stable) == 2 and all(s.regime == "chaotic" for s in stable)
        assert stable[0].kappa[0] == pytest.approx(-stable[1].kappa[0], rel=1e-8)
        assert abs(stable[0].kappa[0]) > 0.1
        zero = [s for s in res.solutions if s.regime == "chaotic" and s.kappa[0] == 0]
        assert len(zero) == 1 and not zero[0].stable

    def test_closure_and_dmft(self, res):
        """kappa = M_n <phi> on the DMFT statistics; Delta_inf = S_m^2 kappa^2 + g^2 C(Delta_inf)
        (M&O 2018 STAR Methods) checked against the DMFT object; Delta_inf < Delta0."""
        from rnmf.models import RateNetwork
        from rnmf.theory import dmft

        s = [x for x in res.solutions if x.stable][0]
        k = s.kappa[0]
        assert 2.0 * _quad(math.tanh, s.mu, s.Delta0) == pytest.approx(k, rel=1e-7)
        assert s.Delta_inf < s.Delta0
        d = dmft.solve(RateNetwork(N=1, g=2.0, I0=1.1 * k, sigma_I=abs(k)), lyapunov=False)
        ch = [x for x in d.solutions if x.regime == "chaotic"][0]
        assert ch.Delta0 == pytest.approx(s.Delta0, rel=1e-9)
        assert ch.Delta_inf == pytest.approx(s.Delta_inf, rel=1e-9)

    def test_rank_two_with_empty_second_structure(self, res):
        """Rank two whose second structure has zero overlap reduces to the rank-one result
        (independent code path: Powell hybrid root instead of the rank-one scan)."""
        net2 = LowRankNetwork(
            N=10, g=2.0, R=2, means=[1.1, 0.0, 2.0, 0.0], cov=np.diag([1.0, 0.5, 0, 0])
        )
        two = [s for s in lr.solve(net2).solutions if s.regime == "chaotic"]
        one = [s for s in res.solutions if s.regime == "chaotic"]
        k2 = sorted(float(s.kappa[0]) for s in two)
        k1 = sorted(float(s.kappa[0]) for s in one)
        np.testing.assert_allclose(k2, k1, atol=1e-8)
        assert all(s.kappa[1] == 0.0 for s in two)
        assert sorted(s.stable for s in two) == sorted(s.stable for s in one)

    def test_kappa_zero_chaos_is_scs(self, res):
        """The kappa = 0 chaotic state is the SCS solution (docs/references.md sec. 1: 1.92480541374)."""
        zero = [s for s in res.solutions if s.regime == "chaotic" and s.kappa[0] == 0][0]
        assert zero.Delta0 == pytest.approx(1.92480541374, rel=1e-7)
        # slope of the kappa map at 0: M_m M_n <phi'> at the SCS variance
        want = 2.2 * _quad(lambda x: 1 / math.cosh(x) ** 2, 0.0, 1.92480541374)
        assert zero.kappa_slope == pytest.approx(want, rel=1e-4)


# ----------------------------------------------------------------------- phase diagram
def test_boundaries_reference():
    """g_C = 1.7959 and g_BB = 2.1358 for M_m = 1.1, M_n = 2, S_m = 1 (docs/references.md sec. 4)."""
    assert lr.critical_g_chaos(2.2, M_m=1.1, S_m=1.0)[0] == pytest.approx(1.7959, abs=6e-5)
    assert lr.critical_g_bistable_chaos(2.2)[0] == pytest.approx(2.1358, abs=6e-5)


def test_gC_is_bulk_instability_of_solved_state():
    """At g_C the state found by solve() has bulk radius 1 (independent solver path)."""
    gC = lr.critical_g_chaos(3.0, M_m=1.5, S_m=0.5)[0]
    net = LowRankNetwork.rank_one(N=10, g=gC, M_m=1.5, M_n=2.0, S_m=0.5)
    s = [x for x in lr.solve(net, chaotic=False).solutions if x.kappa[0] > 0][0]
    assert s.bulk_radius == pytest.approx(1.0, abs=1e-8)


def test_phase_diagram_labels_follow_boundaries():
    """Labels change exactly across the boundary functions along rows of the grid."""
    g = np.linspace(0.05, 3.0, 24)
    s = np.array([0.5, 1.6, 2.2, 3.5])
    pd = lr.phase_diagram(g, s, M_m=1.1, S_m=1.0, n_boundary=5)
    assert pd.labels.shape == (4, 24)
    assert set(pd.label_names()[0]) == {"homogeneous", "chaotic"}
    np.testing.assert_array_equal(pd.labels[0], np.where(g < 1, 0, 3))
    gC = lr.critical_g_chaos(s[1:], M_m=1.1, S_m=1.0)
    gBB = lr.critical_g_bistable_chaos(s[1:])
    for row, c, b in zip(pd.labels[1:], gC, gBB, strict=True):
        want = np.where(g < c, 1, np.where(g < b, 2, 3))
        np.testing.assert_array_equal(row, want)
    gb, sb = pd.boundaries["heterogeneous|chaotic"]
    assert np.all(np.isfinite(gb)) and gb.shape == sb.shape


def test_phase_diagram_kappa_matches_solve():
    g = np.array([0.5, 1.2])
    pd = lr.phase_diagram(g, [2.2], M_m=1.1, S_m=1.0, n_boundary=3)
    for j, gj in enumerate(g):
        s = lr.solve(LowRankNetwork.rank_one(N=10, g=gj, **REF), chaotic=False)
        assert pd.kappa[0, j] == pytest.approx(max(x.kappa[0] for x in s.solutions), rel=1e-6)


def test_phase_diagram_bad_input():
    with pytest.raises(ValueError, match="M_m"):
        lr.phase_diagram([1.0], [1.0], M_m=0.0)
    with pytest.raises(ValueError, match="phi"):
        lr.phase_diagram([1.0], [1.0], phi="relu")
    with pytest.raises(ValueError, match="finite"):
        lr.phase_diagram([np.nan], [1.0])
    with pytest.raises(ValueError, match="g must lie in"):
        lr.phase_diagram([-1.0], [1.0])


@pytest.mark.parametrize(
    "call, match",
    [
        # found by tests/test_fuzz.py: float() TypeErrors without the argument's name, an
        # OverflowError for S_m = 1e300, a 7 TiB allocation for n_boundary = 1e12, and g = 1e300
        # a ZeroDivisionError deep in the DMFT (g = 1e12: minutes)
        (lambda: lr.critical_g_chaos([2.0], M_m=None), "M_m must be a real number"),
        (lambda: lr.critical_g_chaos([2.0], M_m=[1.0, 2.0]), "M_m must be a real number"),
        (lambda: lr.critical_g_chaos([2.0], S_m=1e300), r"S_m / \|M_m\| .* exceeds"),
        (lambda: lr.critical_g_chaos([2.0], S_m=1j), "S_m must be a real number"),
        (lambda: lr.critical_g_chaos([2.0], g_max=None), "g_max must be a real number"),
        (lambda: lr.critical_g_chaos([2.0], g_max=1e12), "g_max must be <="),
        (lambda: lr.critical_g_chaos(1 + 1j), "strength must be real"),
        (lambda: lr.critical_g_chaos(object()), "strength"),
        (lambda: lr.critical_g_chaos(np.ones((2, 3))), r"strength must be .* 1-D"),
        (lambda: lr.critical_g_bistable_chaos([2.0], g_max=-1.0), "g_max must be > 0"),
        (lambda: lr.critical_g_bistable_chaos([2.0], phi="relu"), "phi tanh or erf"),
        (lambda: lr.phase_diagram([1e300], [2.0]), r"g must lie in \[0, 94.87\]"),
        (lambda: lr.phase_diagram([10**12], [2.0]), "g must lie in"),
        (lambda: lr.phase_diagram([1j], [2.0]), "g must be real"),
        (lambda: lr.phase_diagram([1.5], [object()]), "strength"),
        (lambda: lr.phase_diagram([1.5], [2.0], S_m=None), "S_m must be a real number"),
        (lambda: lr.phase_diagram([1.5], [2.0], n_boundary=10**12), "n_boundary must be"),
        (lambda: lr.phase_diagram([1.5], [2.0], n_boundary=True), "n_boundary"),
    ],
)
def test_phase_diagram_arguments_are_named(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_phase_diagram_resolves_large_strengths():
    """Strength 30-100 (Delta0 ~ 400-4400): the grid's fixed 161-node rule was off by 0.5-3 %
    in Delta0 and up to 3.5x in the bulk radius (0.057 against 0.199 at g = 3, s = 100), so
    labels could disagree with the boundary g_C; such points are now solved with resolved
    averages and agree with critical_g_chaos.  Beyond the resolved variance: refused."""
    pd = lr.phase_diagram([1.0, 3.0], [30.0, 100.0], n_boundary=3)
    from rnmf.theory.lowrank.phase import _het_stable, _het_static
    from rnmf.transfer import as_transfer

    tr = as_transfer("tanh")
    for i, s in enumerate((30.0, 100.0)):
        for j, g in enumerate((1.0, 3.0)):
            mu, D0, _ = _het_static(tr, np.array([g]), np.array([s]), 1.0 / 1.1, None)
            b, _ = _het_stable(tr, np.array([g]), np.array([s]), 1.0 / 1.1, 1.1, mu, D0, None)
            assert pd.Delta0[i, j] == pytest.approx(D0[0], rel=1e-9)
            assert pd.bulk_radius[i, j] == pytest.approx(b[0], rel=1e-9)
    assert np.all(pd.labels == 1)  # g < g_C(s) for every point: heterogeneous static
    assert np.all(lr.critical_g_chaos([30.0, 100.0], g_max=50.0) > 3.0)  # 8.0, 14.9
    with pytest.raises(ValueError, match=r"strength up to 200 .* = 182\^2 .*exceeds 9000"):
        lr.phase_diagram([1.0], [200.0])
    with pytest.raises(ValueError, match="strength up to 1e.300"):
        lr.critical_g_chaos(1e300)


def test_phase_diagram_at_g_zero():
    """g = 0 (no bulk): the fuzz saw it run past 60 s once; it is labelled at once now."""
    pd = lr.phase_diagram([0.0, 0.5], [0.5, 2.0], n_boundary=3)
    # no bulk: quiet below strength 1, heterogeneous static above (M&O 2018 Fig. 1, g < 1)
    assert pd.labels.tolist() == [[0, 0], [1, 1]]


# ------------------------------------------------------------------ latent / rank two
def test_latent_fixed_points_are_ode_equilibria():
    """The latent ODE started near each stable fixed point stays there; unstable ones are left."""
    net = LowRankNetwork.rank_one(N=10, M_m=1.0, M_n=2.0, S_m=0.5, S_n=0.0)
    fps = lr.latent_fixed_points(net)
    for s in fps:
        tr = lr.latent_dynamics(net, 10.0, dt=0.05, kappa0=s.kappa + 1e-3)
        if s.stable:
            np.testing.assert_allclose(tr.kappa[-1], s.kappa, atol=1e-6)
        else:
            assert abs(tr.kappa[-1, 0] - s.kappa[0]) > 0.1
        # Jacobian eigenvalue -1 + outlier: decay rate of a small perturbation (stable case)


def test_latent_linear_closed_form():
    """phi = linear, g = 0: kappa' = -kappa + sigma kappa + M_n M_I v, v' = -v + u: exact
    solution for a step input compared with RK4 (error O(dt^4))."""
    # entries [m, n, I]; <n m> = 0.5, <n I> = 0 -> kappa' = -0.5 kappa + M_n M_I v
    net = LowRankNetwork(
        N=10, R=1, means=[1.0, 0.5, 2.0], cov=np.diag([0.0, 0.0, 0.0]), phi="linear"
    )
    tr = lr.latent_dynamics(net, 5.0, dt=0.01, u=[1.0])
    t = tr.t
    v = 1 - np.exp(-t)
    # kappa' = -0.5 kappa + 0.5 * 2 * v (x = m kappa + I v, <n phi(x)> = M_n (M_m kappa + M_I v))
    # solution with kappa(0) = 0: 2 - 2 e^{-t/2}... solve: k = 2(1 - e^{-t/2}) - 2(e^{-t/2} - e^{-t})
    want = 2 * (1 - np.exp(-t / 2)) - 2 * (np.exp(-t / 2) - np.exp(-t))
    np.testing.assert_allclose(tr.v[:, 0], v, atol=1e-9)
    np.testing.assert_allclose(tr.kappa[:, 0], want, atol=1e-9)


_LAT_MEANS = (1.1, 2.0, 1.0)
_LAT_COV = ((1.0, 0.0, 0.0), (0.0, 0.0, 0.0), (0.0, 0.0, 0.25))


def test_latent_dmft_relaxes_to_the_static_state():
    """g = 0.5 with a constant input: the transient DMFT ends on the static mean-field state
    of solve() (kappa and the bulk variance Delta_eta = g^2 <phi^2>), an independent solver."""
    net = LowRankNetwork(N=10, g=0.5, R=1, means=_LAT_MEANS, cov=_LAT_COV, inputs=(-1.5,))
    tr = lr.latent_dynamics(net, 25.0, dt=0.05, u=[-1.5], kappa0=[1.0], v0=[-1.5])
    st = lr.solve(net, chaotic=False)
    (ref,) = [s for s in st.solutions if s.stable]
    # quadrature of the two-time averages: ~1e-6 (49-node trapezoidal rule)
    assert tr.projection[-1, 0] == pytest.approx(ref.kappa[0], abs=1e-5)
    assert tr.kappa[-1, 0] == pytest.approx(ref.kappa[0], abs=1e-5)
    assert tr.bulk_variance[-1] == pytest.approx(ref.Delta_eta, rel=1e-4)
    assert tr.bulk_variance[0] == 0.0  # x(0) = m kappa0 + I v0: no bulk field yet


def test_latent_dmft_small_g_approaches_the_g0_ode():
    """g -> 0: the bulk variance is O(g^2) and the trajectory tends to the g = 0 latent ODE
    (RK4); the DMFT's exponential-Euler step (the simulator's scheme) leaves a difference
    that halves with dt (first order)."""
    net0 = LowRankNetwork(N=10, g=0.0, R=1, means=_LAT_MEANS, cov=_LAT_COV, inputs=(0.0,))
    diff = []
    for dt in (0.04, 0.02):
        n = int(round(6.0 / dt))
        u = np.zeros((n, 1))
        u[int(round(2.0 / dt)) :, 0] = -1.5
        a = lr.latent_dynamics(net0, 6.0, dt=dt, u=u, kappa0=[1.0])
        b = lr.latent_dynamics(replace(net0, g=1e-3), 6.0, dt=dt, u=u, kappa0=[1.0])
        assert np.max(b.bulk_variance) < 1e-5
        diff.append(np.max(np.abs(a.projection - b.projection)))
    assert diff[1] < 0.05
    assert diff[1] / diff[0] == pytest.approx(0.5, abs=0.1)


def test_latent_dmft_matches_simulation():
    """Transient DMFT with a random bulk (static g = 0.8 and chaotic g = 1.5) against rnmf's
    simulator at N = 2000, same dt and step input (3 networks): within 3 sem + 2/sqrt(N).
    At N = 4000 the agreement was within 1 sem at t = 1, 2.5, 5, 12 (docstring)."""
    from rnmf.sim.lowrank import simulate_lowrank

    N, dt, T = 2000, 0.02, 8.0
    u = np.zeros((400, 1))
    u[100:, 0] = -1.5
    for g in (0.8, 1.5):
        net = LowRankNetwork(N=N, g=g, R=1, means=_LAT_MEANS, cov=_LAT_COV, inputs=(0.0,))
        th = lr.latent_dynamics(net, T, dt=dt, u=u, kappa0=[1.0])
        sims = np.array(
            [
                simulate_lowrank(net, T, dt=dt, kappa0=[1.0], u=u, record_units=0, rng=s).kappa[
                    :, 0
                ]
                for s in range(3)
            ]
        )
        for tq in (1.0, 3.0, 8.0):
            i = int(round(tq / dt))
            mean, sem = sims[:, i].mean(), sims[:, i].std(ddof=1) / np.sqrt(3)
            assert abs(th.projection[i, 0] - mean) < 3 * sem + 2.0 / np.sqrt(N), (g, tq)


def test_latent_validates():
    net = LowRankNetwork.rank_one(N=10, g=0.5, M_m=1.0, M_n=2.0)
    net0 = replace(net, g=0.0)
    with pytest.raises(ValueError):
        lr.latent_dynamics(net0, -1.0)
    with pytest.raises(ValueError, match="shape"):
        lr.latent_dynamics(net0, 1.0, dt=0.1, u=np.ones((3, 2)))


def _rotational(a, b, sigma_m=1.0, N=10):
    O = np.array([[a, -b], [b, a]])
    Cmm = sigma_m**2 * np.eye(2)
    Cnm = O @ Cmm / sigma_m**2 * sigma_m**2
    Cnn = O @ O.T / sigma_m**2 + 0.3 * np.eye(2)
    C = np.block([[Cmm, Cnm.T], [Cnm, Cnn]])
    return LowRankNetwork(N=N, g=0.0, R=2, means=np.zeros(4), cov=C)


def test_rotational_limit_cycle_against_latent_ode():
    """Rank two with overlap [[a, -b], [b, a]]: the RK4 latent ODE converges to the predicted
    radius and angular frequency b/a (M&O 2018 rank-two latent ODE in polar form)."""
    net = _rotational(2.0, 1.5)
    lc = lr.rotational_limit_cycle(net)
    assert lc.exists and lc.stable and lc.frequency == pytest.approx(0.75)
    tr = lr.latent_dynamics(net, 60.0, dt=0.02, kappa0=[0.1, 0.0])
    late = tr.kappa[-1000:]
    np.testing.assert_allclose(np.hypot(*late.T), lc.radius, rtol=1e-6)
    ang = np.unwrap(np.arctan2(late[:, 1], late[:, 0]))
    assert np.polyfit(tr.t[-1000:], ang, 1)[0] == pytest.approx(0.75, rel=1e-6)
    # complex outliers a +- ib of the quiet state (unstable focus)
    quiet = [s for s in lr.solve(net, chaotic=False).solutions if s.regime == "quiet"][0]
    np.testing.assert_allclose(sorted(quiet.outliers.imag), [-1.5, 1.5], atol=1e-12)


def test_rotational_no_cycle_below_threshold():
    lc = lr.rotational_limit_cycle(_rotational(0.8, 1.0))
    assert not lc.exists
    with pytest.raises(ValueError, match="rank R = 2"):
        lr.rotational_limit_cycle(LowRankNetwork.rank_one(N=10, M_m=1, M_n=1))


def test_solve_bad_input():
    net = LowRankNetwork.rank_one(N=10, **REF)
    with pytest.raises(ValueError):
        lr.solve("not a network")
    with pytest.raises(ValueError, match="tol"):
        lr.solve(net, tol=0.5)
    with pytest.raises(ValueError, match="n_scan"):
        lr.solve(net, n_scan=3)
    # found by tests/test_fuzz.py: an array for chaotic raised numpy's truth-value error,
    # n_scan = 1e12 tried to allocate 3.6 TiB
    for bad in (np.ones((2, 3)), "no", None):
        with pytest.raises(ValueError, match="chaotic must be True or False"):
            lr.solve(net, chaotic=bad)
    with pytest.raises(ValueError, match="raise_on_failure must be True or False"):
        lr.solve(net, raise_on_failure=0)
    with pytest.raises(ValueError, match="n_scan must be an integer <= 100000"):
        lr.solve(net, n_scan=10**12)
    with pytest.raises(ValueError, match="n_starts"):
        lr.solve(net, n_starts=10**12)


@pytest.mark.parametrize(
    "kw, match",
    [
        # found by probing next to the fuzz: OverflowError (means or inputs 1e300, explicit
        # entries 1e300), LinAlgError (M_m = M_n = 1e200), and g = 1e3 "converged" on the
        # unstable static state because the chaotic one was not resolved
        (dict(means=(1e300, 1.0), cov=np.eye(2)), r"LowRankNetwork.means reaches 1e\+300"),
        (dict(means=(1.0, 1.0, 1.0), cov=np.eye(3), inputs=(1e300,)), "LowRankNetwork.inputs"),
        (dict(means=(1.0, 1.0), cov=np.diag([1e300, 1.0])), r"cov \(standard deviations\)"),
        (dict(m=np.array([1e60, 1.0]), n=np.ones(2)), r"LowRankNetwork.m reaches"),
        (dict(g=1e3, means=(1.0, 2.0), cov=np.eye(2)), r"LowRankNetwork.g = 1000: .*chaotic=False"),
    ],
)
def test_solve_refuses_scales_it_cannot_resolve(kw, match):
    net = LowRankNetwork(N=kw.pop("N", 2 if "m" in kw else 10), **kw)
    with pytest.raises(ValueError, match=match):
        lr.solve(net)


def test_solve_scales_within_the_limits():
    """Rank one, g = 0, rho = 1: kappa = sqrt(2/pi) S for large S (|phi| -> sign, <|z|>),
    resolved up to the loading limit 1e50; the static states of a large g stay available."""
    for S in (1e3, 1e25):
        net = LowRankNetwork.rank_one(N=10, S_m=S, S_n=S, rho=1.0)
        k = max(float(s.kappa[0]) for s in lr.solve(net, chaotic=False).solutions)
        assert k == pytest.approx(math.sqrt(2.0 / math.pi) * S, rel=1e-6)
    big = LowRankNetwork.rank_one(N=10, g=1e3, M_m=1.0, M_n=2.0, S_m=1.0)
    assert lr.solve(big, chaotic=False).solutions


def test_connectivity_outliers_checks_chi_whenever_given():
    """chi = NaN, a string or a wrong shape was accepted without a word where it was not used."""
    net = LowRankNetwork.rank_one(N=10, M_m=1.0, M_n=2.0, S_m=1.0)
    with pytest.raises(ValueError, match="chi needs a network with explicit vectors"):
        lr.connectivity_outliers(net, chi=np.nan)
    ex = net.sampled(1)
    for bad in (np.nan, "a", np.ones((3, 3))):
        with pytest.raises((ValueError, TypeError), match="chi"):
            lr.connectivity_outliers(ex, chi=bad)


def test_divergent_relu_raises_convergence_error():
    """relu with strong positive feedback: activity diverges, no state -> ConvergenceError."""
    net = LowRankNetwork.rank_one(N=10, g=0.0, M_m=1.0, M_n=3.0, phi=Transfer("relu", theta=-1.0))
    with pytest.raises(ConvergenceError):
        lr.solve(net, chaotic=False)


def test_derivation_script_passes():
    """derivations/lowrank_rank_one.py (sympy) exits 0."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "derivations" / "lowrank_rank_one.py")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_outlier_of_heterogeneous_state_includes_bulk_response():
    """A stable heterogeneous state with an outlier outside the bulk (correlated loadings,
    g = 0.526): the predicted outlier of (g chi + m n^T/N) diag(phi'(x*)) matches
    numpy.linalg.eigvals of a sampled N = 1000 network within 4% (theory at the sample
    statistics), while the bare <n m phi'> (no bulk-field response, c = 0 in
    linear_stability) is off by more than 10%."""
    p = dict(M_m=0.62, M_n=2.482, S_m=0.131, S_n=1.67, rho=-0.225, g=0.526)
    N = 1000
    net = LowRankNetwork.rank_one(N=N, **p).sampled(2)
    rng = np.random.default_rng(102)
    m, n = np.asarray(net.m)[:, 0], np.asarray(net.n)[:, 0]
    J = p["g"] * rng.standard_normal((N, N)) / math.sqrt(N) + np.outer(m, n) / N
    x = 1.8 * m
    for _ in range(200):
        x += 0.5 * (-x + J @ np.tanh(x))
    for _ in range(4):
        d = 1 / np.cosh(x) ** 2
        x -= np.linalg.solve(-np.eye(N) + J * d[None, :], -x + J @ np.tanh(x))
    kap = n @ np.tanh(x) / N
    ev = np.linalg.eigvals(J * (1 / np.cosh(x) ** 2)[None, :])
    top = ev[np.argmax(np.abs(ev))]
    th = [s for s in lr.solve(net, chaotic=False).solutions if s.stable and s.kappa[0] * kap > 0][0]
    assert th.kappa[0] == pytest.approx(kap, rel=0.02)
    assert th.outliers.size == 1 and th.outliers[0].real > 1.5 * th.bulk_radius
    assert abs(top.imag) < 1e-9
    assert top.real == pytest.approx(th.outliers[0].real, rel=0.04)
    bare = np.mean(n * m / np.cosh(x) ** 2)
    assert abs(bare / top.real - 1) > 0.1
