"""Chaotic states of low-rank networks with Gaussian-mixture loadings and rank R >= 2.

Theory: :mod:`rnmf.theory.dmft.mixture` (one shared dynamic field, per-population quenched
mean and variance) closed by the kappa equation in :func:`rnmf.theory.lowrank.solve`
(Mastrogiuseppe & Ostojic 2018, Neuron 99:609, STAR Methods, chaotic solutions; Beiran et al.
2021, Neural Comput 33:1572, Sec. 2.2).  Oracles: the one-population DMFT
:func:`rnmf.theory.dmft.solve` (independent code: branch scan, Brent, its own quadrature), the
original rank-one path (one DMFT solve per kappa), a brute-force grid over kappa for R = 2,
the Newton equation of the autocorrelation itself, and the simulator.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import optimize

import rnmf.theory.lowrank as lr
from rnmf.models import LowRankNetwork, RateNetwork
from rnmf.theory import dmft
from rnmf.theory.dmft import mixture
from rnmf.theory.gaussian import expect, expect2
from rnmf.theory.lowrank._load import _Load
from rnmf.theory.lowrank.chaotic import _chaos_closure, _chaotic_closure_vec, _chaotic_rank_one
from rnmf.theory.lowrank.static import _kappa_bound

REF = dict(M_m=1.1, M_n=2.0, S_m=1.0)  # docs/references.md sec. 4 (M&O 2018 Fig. 1 parameters)


def _chaotic(res):
    return sorted((s for s in res.solutions if s.regime == "chaotic"), key=lambda s: tuple(s.kappa))


def _mixture_rank_one(N: int = 2000, g: float = 2.6) -> LowRankNetwork:
    """Two genuinely different populations (means, variances and m-n covariance differ)."""
    means = [[1.6, 4.0], [0.4, 2.5]]
    cov = [[[0.25, 0.0], [0.0, 1.0]], [[1.44, 0.6], [0.6, 1.0]]]
    return LowRankNetwork(N=N, g=g, R=1, means=means, cov=cov, weights=[0.4, 0.6])


def _mixture_rank_two(g: float = 2.0) -> LowRankNetwork:
    """Rank two, two populations with different overlaps Cov(n_r, m_r) and variances of m."""
    C = []
    for o, v in (((3.0, 2.0), (1.0, 0.5)), ((2.0, 3.0), (0.5, 1.0))):
        c = np.zeros((4, 4))
        c[:2, :2] = np.diag(v)
        c[2:, 2:] = 20.0 * np.eye(2)
        c[2, 0] = c[0, 2] = o[0]
        c[3, 1] = c[1, 3] = o[1]
        C.append(c)
    return LowRankNetwork(N=1000, g=g, R=2, means=np.zeros((2, 4)), cov=C, weights=[0.5, 0.5])


# ------------------------------------------------------------------ (a) P = 1 agreement
@pytest.fixture(scope="module")
def ref_one():
    return lr.solve(LowRankNetwork.rank_one(N=10, g=2.0, **REF))


def test_p1_states_match_original_path(ref_one):
    """Every rank-one chaotic state agrees with the original path (one DMFT solve per kappa,
    :func:`rnmf.theory.dmft.solve`) to 1e-8 in kappa, Delta0, Delta_inf and the slope."""
    L = _Load(ref_one.model)
    old = _chaotic_rank_one(L, 1e-10, 14, True)
    new = _chaotic(ref_one)
    assert len(new) == len(old) == 3
    for s, (k, sol, slope, _) in zip(new, sorted(old, key=lambda t: t[0]), strict=True):
        assert s.kappa[0] == pytest.approx(k, abs=1e-8)
        assert s.Delta0 == pytest.approx(sol.Delta0, abs=1e-8)
        assert s.Delta_inf == pytest.approx(sol.Delta_inf, abs=1e-8)
        assert s.mu == pytest.approx(sol.mu, abs=1e-8)
        assert s.kappa_slope == pytest.approx(slope, abs=1e-6)
        assert s.dmft.Delta0 == pytest.approx(s.Delta0, abs=1e-8)  # DMFTResult attached


def test_p1_closure_matches_dmft_nonsymmetric():
    """The chaotic kappa map F_c(kappa) equals the one-population path at kappa values with a
    nonzero mean input (m, n correlated, no odd symmetry used) to 1e-8."""
    net = LowRankNetwork.rank_one(N=10, g=2.2, M_m=0.8, M_n=1.5, S_m=0.7, S_n=1.0, rho=0.4)
    L = _Load(net)
    ks = np.array([-0.6, -0.1, 0.05, 0.4])
    F, D0, Dinf = _chaos_closure(L, ks[:, None])
    for i, k in enumerate(ks):
        Fo, sol = _chaotic_closure_vec(L, np.array([k]), 1e-11)
        S = (0.7 * k) ** 2
        assert F[i, 0] == pytest.approx(Fo[0], abs=1e-8)
        assert D0[i] + S == pytest.approx(sol.Delta0, abs=1e-8)
        assert Dinf[i] + S == pytest.approx(sol.Delta_inf, abs=1e-8)


@settings(max_examples=8, deadline=None)
@given(
    g=st.floats(1.3, 3.0),
    mu=st.floats(-1.5, 1.5),
    S=st.floats(0.0, 2.0),
    split=st.floats(0.1, 0.9),
)
@example(g=2.0, mu=1.0, S=0.4375, split=0.5)  # near the onset: Delta_inf was off by 1.8e-7
def test_chaotic_variance_one_population_and_split(g, mu, S, split):
    """chaotic_variance for one population equals rnmf.theory.dmft.solve (I0 = mu,
    sigma_I^2 = S; Kadmon & Sompolinsky 2015 quenched-input DMFT) to 1e-8, and splitting the
    population into two identical ones with weights (split, 1 - split) changes nothing."""
    D0, Dinf, _, chi = mixture.chaotic_variance(g, "tanh", [1.0], [mu], [S])
    r = dmft.solve(RateNetwork(N=1, g=g, I0=mu, sigma_I=math.sqrt(S)), lyapunov=False)
    ch = [x for x in r.solutions if x.regime == "chaotic"]
    if not ch:
        assert np.isnan(D0[0])
        return
    assert D0[0] + S == pytest.approx(ch[0].Delta0, abs=1e-8)
    assert Dinf[0] + S == pytest.approx(ch[0].Delta_inf, abs=1e-8)
    D2, Di2, _, _ = mixture.chaotic_variance(g, "tanh", [split, 1 - split], [mu, mu], [S, S])
    assert D2[0] == pytest.approx(D0[0], abs=1e-9)
    assert Di2[0] == pytest.approx(Dinf[0], abs=1e-9)


def _scs_reference(g: float, mu: float, S: float, D0: float, Dinf: float) -> tuple[float, float]:
    """Independent solution of the quenched-input SCS equations (Kadmon & Sompolinsky 2015,
    PRX 5:041030, eqs. 3-5; Sompolinsky, Crisanti & Sommers 1988 eq. 6) for tanh.

    Unknowns: the dynamic hilltop D = Delta_inf - S and d = Delta0 - Delta_inf.  Equations:
    D = g^2 <<tanh>_y^2>_z (static variance) and energy conservation written as
    g^2 <Var_y log cosh>_z = d (2D + d)/2, divided by d^2, with x = mu + sqrt(S + D) z +
    sqrt(d) y; trapezoid on |z|, |y| <= 10 with steps 0.08 and 0.16 (error < 1e-20), Newton
    with a forward-difference Jacobian from (D0, Dinf).  Returns (Delta0, Delta_inf).
    """
    z, y = np.arange(-10.0, 10.001, 0.08), np.arange(-10.0, 10.001, 0.16)
    wz, wy = np.exp(-0.5 * z * z), np.exp(-0.5 * y * y)
    wz, wy = wz / wz.sum(), wy / wy.sum()

    def eqs(p: np.ndarray) -> np.ndarray:
        D, d = p
        x = mu + math.sqrt(S + D) * z[:, None] + math.sqrt(d) * y
        m = np.tanh(x) @ wy
        P = np.logaddexp(x, -x)
        dev = P - (P @ wy)[:, None]
        V = ((dev * dev) @ wy) @ wz
        return np.array([g * g * (m * m) @ wz - D, (g * g * V - 0.5 * d * (2 * D + d)) / d**2])

    p = np.array([Dinf - S, D0 - Dinf])
    for _ in range(5):
        F = eqs(p)
        J = np.empty((2, 2))
        for k in range(2):
            h = 1e-7 * max(abs(p[k]), 1e-2)
            J[:, k] = (eqs(p + h * np.eye(2)[k]) - F) / h
        p = p - np.linalg.solve(J, F)
    return p[0] + p[1] + S, p[0] + S


def test_chaotic_near_onset_matches_high_precision_oracle():
    """g = 2, mu = 1, S = 0.4375 lies 0.036 below the onset of chaos (S ~ 0.4735): the hilltop
    branch Delta_inf(Delta0) folds 2.6e-6 below the chaotic Delta0 and amplifies errors of
    Delta0 ~400 times.  Oracle: the quenched-input SCS equations (as in _scs_reference)
    solved with mpmath at 24 digits, trapezoid steps 0.11 and 0.2 on |z| <= 13 (checked
    against mpmath tanh-sinh quadrature of C to 20 digits), Newton to a step of 1e-20.
    Before the fix chaotic_variance returned Delta_inf 1.8e-7 too low (one secant step with
    a 1e-6 * Delta0 difference straddling the fold) and dmft.solve 2.4e-10 too high."""
    D0_ref, Dinf_ref = 3.00085961267963747, 2.99209474972604584
    S = 0.4375
    D0, Dinf, _, _ = mixture.chaotic_variance(2.0, "tanh", [1.0], [1.0], [S])
    assert D0[0] + S == pytest.approx(D0_ref, abs=1e-12)
    assert Dinf[0] + S == pytest.approx(Dinf_ref, abs=1e-10)
    r = dmft.solve(RateNetwork(N=1, g=2.0, I0=1.0, sigma_I=math.sqrt(S)), lyapunov=False)
    ch = [x for x in r.solutions if x.regime == "chaotic"]
    assert len(ch) == 1
    assert ch[0].Delta0 == pytest.approx(D0_ref, abs=1e-12)
    assert ch[0].Delta_inf == pytest.approx(Dinf_ref, abs=1e-10)


@pytest.mark.parametrize(
    ("g", "mus", "Ss"),
    [
        (1.6, [0.0, 0.5], [0.25, 0.0]),
        (2.0, [0.0, 1.0, 1.0], [1.0, 0.25, 0.45]),
        (3.0, [1.5, 0.5], [1.0, 0.0]),
    ],
)
def test_chaotic_grid_matches_independent_scs(g, mus, Ss):
    """chaotic_variance and dmft.solve agree with the independent quenched-input SCS solution
    (_scs_reference) to 1e-9 in Delta0 and Delta_inf over g in [1.6, 3], mu in [0, 1.5],
    S in [0, 1], including (2, 1, 0.45) next to the onset of chaos."""
    D0, Dinf, _, _ = mixture.chaotic_variance(g, "tanh", [1.0], np.c_[mus], np.c_[Ss])
    for i, (mu, S) in enumerate(zip(mus, Ss, strict=True)):
        r = dmft.solve(RateNetwork(N=1, g=g, I0=mu, sigma_I=math.sqrt(S)), lyapunov=False)
        ch = [x for x in r.solutions if x.regime == "chaotic"]
        assert len(ch) == 1 and np.isfinite(D0[i])
        ref = _scs_reference(g, mu, S, ch[0].Delta0, ch[0].Delta_inf)
        for got in ((D0[i] + S, Dinf[i] + S), (ch[0].Delta0, ch[0].Delta_inf)):
            assert got[0] == pytest.approx(ref[0], abs=1e-9)
            assert got[1] == pytest.approx(ref[1], abs=1e-9)


# ---------------------------------------------- (b) identical populations = one population
def test_identical_two_population_mixture_equals_p1(ref_one):
    """A mixture of two populations with the same loading distribution is the one-population
    network: same chaotic states (kappa, Delta0, Delta_inf, slope, stability)."""
    one = ref_one.model
    mix = LowRankNetwork(
        N=10,
        g=2.0,
        R=1,
        means=[one.means[0], one.means[0]],
        cov=[one.cov[0], one.cov[0]],
        weights=[0.3, 0.7],
    )
    a, b = _chaotic(ref_one), _chaotic(lr.solve(mix))
    assert len(a) == len(b) == 3
    for s, t in zip(a, b, strict=True):
        np.testing.assert_allclose(t.kappa, s.kappa, atol=1e-9)
        assert t.Delta0 == pytest.approx(s.Delta0, abs=1e-9)
        assert t.Delta_inf == pytest.approx(s.Delta_inf, abs=1e-9)
        assert t.kappa_slope == pytest.approx(s.kappa_slope, abs=1e-6)
        assert t.stable == s.stable
        np.testing.assert_allclose(t.Delta0_p, [s.Delta0] * 2, atol=1e-9)
        assert isinstance(t.dmft, mixture.MixtureChaos)
        assert t.dmft.Delta0 == pytest.approx(s.Delta0, abs=1e-9)


# ------------------------------------------------- mixture state: relations and its DMFT
@pytest.fixture(scope="module")
def mix_state():
    res = lr.solve(_mixture_rank_one())
    return res, [s for s in res.solutions if s.regime == "chaotic" and s.stable and s.kappa[0] > 0]


def test_mixture_bistable_chaos_and_closure(mix_state):
    """g = 2.6: a stable chaotic +-kappa pair (slope < 1), the kappa = 0 chaotic state unstable;
    the returned state satisfies the kappa equation, the hilltop and energy conditions and
    the population bookkeeping (Delta0 = sum_p alpha_p (Delta0_p + mu_p^2) - mu^2)."""
    res, (s,) = mix_state
    L = _Load(res.model)
    pair = [x for x in res.solutions if x.regime == "chaotic" and x.stable]
    assert len(pair) == 2 and pair[0].kappa[0] == pytest.approx(-pair[1].kappa[0], rel=1e-8)
    zero = [x for x in res.solutions if x.regime == "chaotic" and x.kappa[0] == 0.0]
    assert len(zero) == 1 and not zero[0].stable and zero[0].kappa_slope > 1
    assert 0 < s.kappa_slope < 1
    k = s.kappa[0]
    mu_p = np.array([1.6, 0.4]) * k
    S_p = np.array([0.25, 1.44]) * k * k
    np.testing.assert_allclose(s.mu_p, mu_p, rtol=1e-12)
    np.testing.assert_allclose(s.Delta0_p - S_p, s.Delta_eta, rtol=1e-12)
    # kappa = sum_p alpha_p [M_n <phi> + Cov(n, m) kappa <phi'>], adaptive quadrature (oracle)
    phi = expect(np.tanh, mu_p, s.Delta0_p, method="quad")
    dphi = expect(lambda x: 1 - np.tanh(x) ** 2, mu_p, s.Delta0_p, method="quad")
    want = 0.4 * (4.0 * phi[0]) + 0.6 * (2.5 * phi[1] + 0.6 * k * dphi[1])
    assert want == pytest.approx(k, abs=1e-7)
    w_ = L.w
    tot = float(w_ @ (s.Delta0_p + s.mu_p**2) - (w_ @ s.mu_p) ** 2)
    assert s.Delta0 == pytest.approx(tot, rel=1e-12)
    assert s.Delta_inf < s.Delta0


def test_mixture_autocorrelation_solves_newton_equation(mix_state):
    """The autocorrelation of MixtureChaos obeys (1 - d^2/dtau^2) Delta = g^2 sum_p alpha_p C_p
    (module docstring of rnmf.theory.dmft.mixture) at interior lags (finite differences,
    C_p by rnmf.theory.gaussian.expect2, not the solver's own nested rule), starts at Delta0 and decays to Delta_inf."""
    res, (s,) = mix_state
    d = s.dmft
    g2 = res.model.g**2
    for tau in (0.5, 1.5, 3.0, 8.0):
        h = 1e-2
        D = np.array([d._dyn(tau - h), d._dyn(tau), d._dyn(tau + h)])
        lhs = D[1] - (D[0] - 2 * D[1] + D[2]) / h**2
        rhs = sum(
            a * expect2(np.tanh, np.tanh, m, S + d.Delta0_dyn, S + D[1])
            for a, m, S in zip(d.weights, d.mu_p, d.S_p, strict=True)
        )
        assert lhs == pytest.approx(g2 * rhs, abs=1e-6)
    # energy conservation V(Delta0) = V(Delta_inf) and the hilltop V'(Delta_inf) = 0
    V = lambda D: mixture.potential(  # noqa: E731
        res.model.g, "tanh", d.weights, d.mu_p, d.S_p, D, Delta0=d.Delta0_dyn
    )
    h = 1e-4
    v0, vi, vp, vm = V([d.Delta0_dyn, d.Delta_inf_dyn, d.Delta_inf_dyn + h, d.Delta_inf_dyn - h])
    assert v0 == pytest.approx(vi, abs=1e-9)
    assert (vp - vm) / (2 * h) == pytest.approx(0.0, abs=1e-6)
    assert d.autocorrelation(0.0) == pytest.approx(s.Delta0, rel=1e-10)
    assert d.autocorrelation(1e3) == pytest.approx(s.Delta_inf, rel=1e-6)
    np.testing.assert_allclose(d.autocorrelation_p(0.0), s.Delta0_p, rtol=1e-10)


# ------------------------------------------------------ (c) theory versus simulation
def _simulate(N: int, T: float, seeds: tuple[int, ...], state) -> dict[str, np.ndarray]:
    from rnmf.sim.lowrank import simulate_lowrank

    net = _mixture_rank_one(N=N)
    sl = net.population_slices()
    out = {"kappa": [], "Delta0": [], "Delta0_p": [], "mu_p": []}
    for seed in seeds:
        tr = simulate_lowrank(
            net,
            T,
            dt=0.1,
            rng=seed,
            burn_in=40.0,
            kappa0=state.kappa,
            record_every=5,
            record_units=N,
        )
        X = tr.x
        out["kappa"].append(float(tr.kappa[:, 0].mean()))
        out["Delta0"].append(float(tr.var_x.mean()))
        out["Delta0_p"].append([float(X[:, lo:hi].var(axis=1).mean()) for lo, hi in sl])
        out["mu_p"].append([float(X[:, lo:hi].mean()) for lo, hi in sl])
    return {k: np.array(v) for k, v in out.items()}


def _compare(sim: dict, s, N: int, allowance: float) -> None:
    """|theory - seed mean| <= 3 sem + allowance * scale / sqrt(N).

    Each seed redraws the network (loadings and bulk), so the seed scatter contains the
    O(1/sqrt(N)) quenched fluctuations (sample means of m, n per population shift kappa and
    mu_p; the population average of the bulk field g chi phi shifts mu_p by
    ~g sqrt(<phi^2>/N_p)).  The allowance covers the finite-N bias of the same order (kappa
    is ~7 % high at N = 1000 and ~2.5 % at N = 2500) and a poorly estimated sem from few
    seeds; ``scale`` is |kappa| for kappa, the theory variance for Delta0 and Delta0_p and
    the population's standard deviation sqrt(Delta0_p) for mu_p."""
    pairs = [
        ("kappa", sim["kappa"], s.kappa[0], abs(s.kappa[0])),
        ("Delta0", sim["Delta0"], s.Delta0, s.Delta0),
        ("Delta0_p", sim["Delta0_p"], s.Delta0_p, s.Delta0_p),
        ("mu_p", sim["mu_p"], s.mu_p, np.sqrt(s.Delta0_p)),
    ]
    n = sim["kappa"].size
    for name, vals, th, scale in pairs:
        mean = vals.mean(axis=0)
        sem = vals.std(axis=0, ddof=1) / math.sqrt(n)
        tol = 3 * sem + allowance * scale / math.sqrt(N)
        assert np.all(np.abs(mean - th) <= tol), (name, mean, th, sem, tol)


def test_mixture_chaos_vs_simulation_cheap(mix_state):
    """N = 1000, 5 seeds, T = 50: kappa, Delta0 (all units and per population) and mu_p
    agree with the mixture theory within 3 sem + 3 scale / sqrt(N) (see _compare)."""
    _, (s,) = mix_state
    sim = _simulate(1000, 50.0, (0, 1, 2, 3, 4), s)
    assert np.all(sim["kappa"] > 0)  # stayed in the +kappa chaotic state
    _compare(sim, s, 1000, 3.0)
    # chaos: the two populations differ as predicted (not a common variance)
    assert np.all(np.diff(sim["Delta0_p"], axis=1) > 0)


@pytest.mark.slow
def test_mixture_chaos_vs_simulation(mix_state):
    """N = 2500, 4 seeds, T = 100 (~50 s): tolerance 3 sem + 2 scale / sqrt(N)."""
    _, (s,) = mix_state
    sim = _simulate(2500, 100.0, (0, 1, 2, 3), s)
    assert np.all(sim["kappa"] > 0)
    _compare(sim, s, 2500, 2.0)


# --------------------------------------------------- (d) rank two: complete search
def _grid_oracle(L, n_fine: int = 16) -> list[np.ndarray]:
    """Brute force: the chaotic kappa map on a coarse grid over the box |kappa_r| <= B finds
    the region where chaos exists, a fine grid (even size: no node on the axes) over it marks
    every cell where both components of F_c(kappa) - kappa change sign, and Powell's hybrid
    method from each marked cell's centre polishes the root."""
    B = _kappa_bound(L)
    ax = np.linspace(-B, B, 16)
    KK = np.array(np.meshgrid(ax, ax, indexing="ij")).reshape(2, -1).T
    F, *_ = _chaos_closure(L, KK)
    fin = np.all(np.isfinite(F), axis=1)
    E = min(B, float(np.abs(KK[fin]).max()) + (ax[1] - ax[0]))
    ax = np.linspace(-E, E, n_fine)
    KK = np.array(np.meshgrid(ax, ax, indexing="ij")).reshape(2, -1).T
    F, *_ = _chaos_closure(L, KK)
    G = (F - KK).reshape(n_fine, n_fine, 2)
    roots: list[np.ndarray] = []
    for i in range(n_fine - 1):
        for j in range(n_fine - 1):
            c = G[i : i + 2, j : j + 2].reshape(4, 2)
            if not np.all(np.isfinite(c)):
                continue
            if not (np.ptp(np.sign(c[:, 0])) > 0 and np.ptp(np.sign(c[:, 1])) > 0):
                continue
            x0 = np.array([(ax[i] + ax[i + 1]) / 2, (ax[j] + ax[j + 1]) / 2])
            if any(np.max(np.abs(x0 - q)) < 1.01 * (ax[1] - ax[0]) for q in roots):
                continue  # a root on a cell edge marks its neighbours too

            def res(k):
                Fk, *_ = _chaos_closure(L, k[None])
                return np.where(np.isfinite(Fk[0]), Fk[0] - k, 1e3)

            r = optimize.root(res, x0, method="hybr", options={"xtol": 1e-12})
            if np.max(np.abs(res(r.x))) > 1e-9:
                continue
            if not any(np.max(np.abs(r.x - q)) < 1e-6 for q in roots):
                roots.append(r.x)
    return roots


def test_rank_two_search_finds_every_grid_state():
    """Every chaotic state of a rank-two two-population network that a brute-force grid over
    kappa finds is found by solve's multi-start search, and nothing else (9 states: 0, two
    axis pairs and two mixed pairs); stability = all eigenvalues of dF/dkappa below 1,
    checked against an independent central-difference Jacobian."""
    net = _mixture_rank_two()
    L = _Load(net)
    oracle = _grid_oracle(L)
    res = lr.solve(net, n_starts=32)
    found = [s for s in res.solutions if s.regime == "chaotic"]
    assert len(oracle) == 9
    assert len(found) == len(oracle)
    for q in oracle:
        assert any(np.max(np.abs(s.kappa - q)) < 1e-7 for s in found), q
    B = _kappa_bound(L)
    h = 1e-4 * B
    E = h * np.eye(2)
    pts = np.concatenate([np.concatenate([s.kappa + E, s.kappa - E]) for s in found])
    Fall, *_ = _chaos_closure(L, pts)
    for i, s in enumerate(found):
        Fi = Fall[4 * i : 4 * i + 4]
        J = (Fi[:2] - Fi[2:]).T / (2 * h)
        lam = float(np.max(np.linalg.eigvals(J).real))
        assert s.kappa_slope == pytest.approx(lam, abs=1e-5)
        assert s.stable == (lam < 1)
        assert s.residual < 1e-9


def test_rank_two_empty_second_structure_equals_rank_one(ref_one):
    """Rank two whose second structure has zero overlap reduces to the rank-one chaotic states
    (multi-start Newton versus the rank-one scan)."""
    net2 = LowRankNetwork(
        N=10, g=2.0, R=2, means=[1.1, 0.0, 2.0, 0.0], cov=np.diag([1.0, 0.5, 0, 0])
    )
    two = _chaotic(lr.solve(net2, n_starts=16))
    one = _chaotic(ref_one)
    np.testing.assert_allclose([s.kappa[0] for s in two], [s.kappa[0] for s in one], atol=1e-8)
    assert all(s.kappa[1] == 0.0 for s in two)
    assert [s.stable for s in two] == [s.stable for s in one]


# ------------------------------------------------------------------- (e) bad input
@pytest.mark.parametrize("n_starts", [-1, 1.5, True, "8"])
def test_solve_rejects_bad_n_starts(n_starts):
    net = LowRankNetwork.rank_one(N=10, g=2.0, **REF)
    with pytest.raises(ValueError, match="n_starts"):
        lr.solve(net, n_starts=n_starts)


@pytest.mark.parametrize(
    "kw",
    [
        dict(g=math.nan),
        dict(g=-1.0),
        dict(weights=[0.5, -0.5]),
        dict(weights=[0.5, math.nan]),
        dict(mu=[0.0, math.nan]),
        dict(mu=[0.0, 0.0, 0.0]),
        dict(S=[-1.0, 0.0]),
        dict(S=np.zeros((2, 2, 2))),
        dict(phi="nope"),
    ],
)
def test_chaotic_variance_rejects_bad_input(kw):
    args = dict(g=2.0, phi="tanh", weights=[0.5, 0.5], mu=[0.0, 0.0], S=[0.1, 0.2])
    args.update(kw)
    with pytest.raises(ValueError):
        mixture.chaotic_variance(**args)


def test_mixture_potential_rejects_bad_covariance():
    with pytest.raises(ValueError, match="Delta0"):
        mixture.potential(2.0, "tanh", [1.0], [0.0], [0.0], [3.0], Delta0=1.0)


@pytest.mark.parametrize(
    "call, match",
    [
        # found by probing next to the fuzz: g = 1e300 OverflowError, g = '2' accepted,
        # weights 'a' / lags 'a' "could not convert", n_tau = 1e12 a raw 7 TiB MemoryError,
        # potential at Delta = NaN returned NaN silently
        (lambda: mixture.chaotic_variance(1e300, "tanh", [1.0], [0.0], [0.5]), "g = 1e.300"),
        (lambda: mixture.chaotic_variance("2", "tanh", [1.0], [0.0], [0.5]), "g must be a real"),
        (lambda: mixture.solve_mixture(2.0, "tanh", "a", [0.0], [0.5]), "weights must be"),
        (
            lambda: mixture.solve_mixture(2.0, "tanh", [1.0], [0.0], [0.5], n_tau=10**12),
            r"n_tau=1000000000000 would allocate .* GiB",
        ),
        (lambda: mixture.solve_mixture(2.0, "tanh", [1.0], [0.0], [0.5], n_tau="a"), "n_tau"),
        (
            lambda: mixture.potential(2.0, "tanh", [1.0], [0.0], [0.0], [np.nan], Delta0=1.0),
            "Delta",
        ),
        (lambda: mixture.potential(2.0, "tanh", [1.0], [0.0], [0.0], [0.5], Delta0=None), "Delta0"),
        (
            lambda: mixture.solve_mixture(2.0, "tanh", [1.0], [0.0], [0.5]).autocorrelation("a"),
            "lags must be numbers",
        ),
    ],
)
def test_mixture_arguments_are_named(call, match):
    with pytest.raises((ValueError, TypeError, MemoryError), match=match):
        call()


def test_solve_mixture_returns_none_without_chaos():
    """g = 0.5 < 1: no chaotic solution (chi_s = g^2 <phi'^2> < 1)."""
    assert mixture.solve_mixture(0.5, "tanh", [0.5, 0.5], [0.1, -0.2], [0.2, 0.0]) is None
