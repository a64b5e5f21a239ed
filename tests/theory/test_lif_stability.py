"""Threshold integration, the Brunel phase diagram and colored-noise stability.

Oracles: the closed-form susceptibilities with parabolic cylinder functions (mpmath,
Lindner & Schimansky-Geier 2001), the Siegert derivatives (omega -> 0), Brunel (2000)
Fig. 2 regime names of points A-D, and the per-state stability of the closed form.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnmf import LIFNetwork
from rnmf.theory import lif


@pytest.mark.parametrize(("mu", "sigma"), [(10.0, 5.0), (19.0, 2.0), (25.0, 1.0), (5.0, 3.0)])
def test_threshold_integration_matches_closed_form(mu, sigma):
    """Threshold integration reproduces the parabolic-cylinder susceptibilities."""
    f = np.array([0.5, 7.0, 40.0, 190.0, 600.0, 1000.0])
    gm, gs = lif.transfer_function(f, mu, sigma)
    tm, ts = lif.transfer_function(f, mu, sigma, method="threshold")
    assert np.max(np.abs(tm - gm) / np.abs(gm)) < 3e-5
    assert np.max(np.abs(ts - gs) / np.abs(gs)) < 3e-5


def test_threshold_integration_complex_lambda_and_zero():
    """Off the imaginary axis (growing modes) and at omega -> 0 (Siegert derivatives)."""
    lam = np.array([50.0 + 800.0j, -30.0 + 200.0j, 10.0 + 0.0j])  # 1/s
    gm, gs = lif.transfer_function(lam, 14.0, 4.0, laplace=True)
    tm, ts = lif.transfer_function(lam, 14.0, 4.0, laplace=True, method="threshold")
    assert np.max(np.abs(tm - gm) / np.abs(gm)) < 3e-5
    assert np.max(np.abs(ts - gs) / np.abs(gs)) < 3e-5
    nu, dmu, dsig = lif.siegert_derivatives(14.0, 4.0)
    tm, ts = lif.transfer_function([1e-4], 14.0, 4.0, method="threshold")
    assert tm[0].real == pytest.approx(float(dmu), rel=1e-4)
    assert ts[0].real == pytest.approx(float(dsig) / 8.0, rel=1e-4)


def test_stability_methods_agree_at_B():
    """Point B: threshold integration and the closed form give the same leading root."""
    net = LIFNetwork.brunel(6.0, 4.0)
    a = lif.asynchronous_stability(net)
    b = lif.asynchronous_stability(net, method="pcfd")
    assert a.n_unstable == b.n_unstable == 2
    assert abs(a.eigenvalue - b.eigenvalue) < 1e-3 * abs(b.eigenvalue)
    assert a.frequency == pytest.approx(190.2, abs=0.5)


def test_phase_diagram_points_A_to_D():
    """Brunel (2000) Fig. 2: A (g=3, eta=2) SR, B (6, 4) SI fast, C (5, 2) AI, D (4.5, 0.9)
    SI slow; frequencies of B and D as in docs/references.md sec. 6 (190 and 29 Hz)."""
    pd = lif.brunel_phase_diagram([3.0, 6.0, 5.0, 4.5], [2.0, 4.0, 2.0, 0.9])
    assert list(pd.regime) == ["SR", "SI fast", "AI", "SI slow"]
    assert pd.converged and np.all(pd.resolved)
    assert pd.frequency[1] == pytest.approx(190.2, abs=0.5)
    assert pd.frequency[3] == pytest.approx(29.0, abs=0.5)
    assert pd.rate[2] == pytest.approx(lif.stationary_rates(LIFNetwork.brunel(5.0, 2.0)).rates[0])
    assert "SI fast: 1" in repr(pd)


def test_phase_diagram_agrees_with_closed_form_per_state():
    """Grid labels against the mpmath stability of the same states, including a quiescent
    one (eta = 0.6: only the silent state exists for g = 5) and a bistable SR point."""
    g = np.array([5.5, 7.0, 5.0, 3.0])
    eta = np.array([3.2, 4.5, 0.6, 0.6])
    pd = lif.brunel_phase_diagram(g, eta)
    assert pd.regime[2] == "quiescent" and pd.rate[2] < 0.1
    assert pd.bistable[3] and not pd.bistable[0]
    for k in (0, 1):
        ref = lif.asynchronous_stability(LIFNetwork.brunel(g[k], eta[k]), method="pcfd")
        assert (pd.n_unstable[k] > 0) == (not ref.stable)
        if not ref.stable:
            assert pd.frequency[k] == pytest.approx(ref.frequency, rel=1e-3)


def test_phase_diagram_bad_input():
    with pytest.raises(ValueError, match="f_split"):
        lif.brunel_phase_diagram(5.0, 2.0, f_split=-1.0)
    with pytest.raises(ValueError, match="g"):
        lif.brunel_phase_diagram(np.nan, 2.0)


@pytest.mark.filterwarnings("ignore::rnmf.models.lif.UnitsWarning")  # tau_s -> 0 on purpose
def test_colored_noise_limit_and_validity():
    """tau_s -> 0 recovers the delta-synapse roots; omega tau_s > 0.3 is flagged."""
    d = lif.asynchronous_stability(LIFNetwork.brunel(6.0, 4.0))
    c = lif.asynchronous_stability(LIFNetwork.brunel(6.0, 4.0, tau_s=1e-6))
    assert abs(c.eigenvalue - d.eigenvalue) < 1e-3 * abs(d.eigenvalue)
    assert c.validity == () and "colored noise" in c.method
    fast = lif.asynchronous_stability(LIFNetwork.brunel(6.0, 4.0, tau_s=0.5))
    assert any("omega tau_s" in v for v in fast.validity)
    assert fast.rates[0] == pytest.approx(
        lif.stationary_rates(LIFNetwork.brunel(6.0, 4.0, tau_s=0.5)).rates[0]
    )


def test_colored_noise_zero_frequency_is_rate_jacobian():
    """At lambda = 0 the coupling equals dPhi/dnu of the colored-noise Siegert map
    (Fourcaud & Brunel 2002 shifted boundaries): one-population model with tau_s = 2 ms."""
    net = LIFNetwork(
        N=(1000,), K=((100,),), J=((0.2,),), nu_ext=(2000.0,), C_ext=(1,), J_ext=(0.1,),
        tau_s=2.0, delay=1.0,
    )  # fmt: skip
    st = lif.stationary_rates(net)
    ch = lif.stability._net_char(net, st.rates, "threshold", 15)
    lam = np.array([0.0, 2j * math.pi * 1e-6])
    m = ch.coupling(lam, np.zeros(2, int))[:, 0, 0]
    jac = lif.inputs._jacobian(net, st.rates)[0, 0]
    assert m[0].real == pytest.approx(jac, rel=1e-10)
    assert m[1].real == pytest.approx(jac, rel=1e-4)


# --- coarse Nyquist steps (issue 10) ---------------------------------------------------


@pytest.mark.parametrize(
    ("g", "eta", "freq", "df"),
    [(4.5, 0.9, 29.0, 300.0), (6.0, 4.0, 190.2, 500.0), (6.0, 4.0, 190.2, 1000.0)],
)
def test_coarse_frequency_step_finds_the_unstable_roots(g, eta, freq, df):
    """A coarse ``df`` must not hide the winding: points D (4.5, 0.9) and B (6, 4) of
    Brunel (2000) Fig. 2 have one unstable pair (29 and 190 Hz, docs/references.md
    sec. 6) whatever the step; before issue 10, df = 300 reported D stable and df >= 500
    reported B stable with residual inf and converged=True."""
    r = lif.asynchronous_stability(LIFNetwork.brunel(g, eta), df=df)
    assert not r.stable and r.n_unstable == 2
    assert r.converged and math.isfinite(r.residual) and r.residual < 1e-8
    assert r.frequency == pytest.approx(freq, abs=0.5)
    assert r.grid_step <= 1000.0 / (16 * 1.5) + 1e-9


def test_refinement_alone_detects_aliasing(monkeypatch):
    """Without the delay cap on the base step, the 4x sub-step test still resolves the
    windings that a 500 Hz grid aliases (Brunel 2000 points B and D)."""
    df = 500.0
    from rnmf.theory.lif import stability

    monkeypatch.setattr(stability, "_DELAY_TURN", 1e9)
    for g, eta in ((4.5, 0.9), (6.0, 4.0)):
        r = lif.asynchronous_stability(LIFNetwork.brunel(g, eta), df=df)
        assert r.grid_step == pytest.approx(min(df, 1000.0 / math.ceil(1000.0 / df)))
        assert r.n_unstable == 2 and r.converged


def test_converged_never_with_infinite_residual():
    """A stable state with no root to locate reports residual 0, and the base step is
    capped by the delay (D = 3 ms: 1000/48 Hz)."""
    r = lif.asynchronous_stability(LIFNetwork.brunel(5.0, 2.0, D=3.0), df=5000.0)
    assert r.converged and math.isfinite(r.residual)
    assert r.grid_step == pytest.approx(1000.0 / 48.0)
    assert "not converged" not in repr(r)


def test_fast_slow_split_follows_the_delay():
    """Brunel (2000) Sec. 4: the fast mode has a period of a few delays, the slow one of
    order tau_m.  With D = 3 ms the fast mode at g = 7, eta = 2.25 is unstable at 94 Hz
    (a fixed 100 Hz split called it slow); at D = 1.5 ms the same mode is damped at
    153 Hz (a delay mode), while point D (4.5, 0.9) stays slow (29 and 22 Hz)."""
    pd15 = lif.brunel_phase_diagram([7.0, 4.5], [2.25, 0.9])
    pd3 = lif.brunel_phase_diagram([7.0, 4.5], [2.25, 0.9], D=3.0)
    assert list(pd15.regime) == ["AI", "SI slow"]
    assert list(pd3.regime) == ["SI fast", "SI slow"]
    assert 80.0 < pd3.frequency[0] < 100.0
    assert pd15.frequency[0] > 1.5 * pd3.frequency[0]
    assert pd3.frequency[1] < pd3.f_split and pd15.frequency[1] < pd15.f_split
    assert pd3.f_split == pytest.approx(1000.0 / 24.0)
    assert pd15.f_split == pytest.approx(1000.0 / 12.0)
    fixed = lif.brunel_phase_diagram(7.0, 2.25, D=3.0, f_split=100.0)
    assert fixed.regime.item() == "SI slow"


def test_stability_with_a_delay_distribution():
    """A Delay shared by all blocks enters through its Laplace transform: Delay.fixed
    reproduces the float delay exactly, and a narrow truncated Gaussian (sd 0.01 ms)
    the same count of unstable roots (Brunel 2000 point D, g = 4.5, eta = 0.9)."""
    import dataclasses

    from rnmf.models import Delay

    base = LIFNetwork.brunel(4.5, 0.9)
    ref = lif.asynchronous_stability(base, f_max=300.0, df=5.0)
    fixed = dataclasses.replace(base, delay=Delay.fixed(1.5))
    assert fixed.delay == 1.5  # collapses to the float
    narrow = dataclasses.replace(base, delay=Delay.truncated_gaussian(1.5, 0.01, low=0.1))
    res = lif.asynchronous_stability(narrow, f_max=300.0, df=5.0)
    assert res.n_unstable == ref.n_unstable
    assert abs(res.eigenvalue - ref.eigenvalue) < 1e-3 * abs(ref.eigenvalue)
    with pytest.raises(ValueError, match="per-block delays use"):
        lif.asynchronous_stability(
            dataclasses.replace(base, delay=[[1.5, 1.0], [1.5, 1.0]]), f_max=300.0
        )


def test_only_zeros_of_the_determinant_are_reported_as_roots():
    """Brunel g = 6, eta = 4 with truncated Gaussian delays (mean 1.5 ms, sd 0.6 ms): a
    secant run used to stall at -4e-23 + 4367i /s (695 Hz), where |det| = 0.985, and report
    it as the leading root of a converged analysis.  Every root must be a zero of det
    (Brunel 2000, eq. 30 with the delay distribution's characteristic function); the
    leading one is the damped Hopf mode near 183 Hz."""
    import dataclasses

    from rnmf.models.delays import Delay

    net = LIFNetwork.brunel(6.0, 4.0, N_E=10000, epsilon=0.1)
    net = dataclasses.replace(net, delay=Delay.truncated_gaussian(1.5, 0.6, low=0.1))
    r = lif.asynchronous_stability(net)
    assert r.converged and r.stable and r.residual < 1e-6
    assert r.eigenvalue.real < -10.0
    assert 170.0 < r.frequency < 195.0
