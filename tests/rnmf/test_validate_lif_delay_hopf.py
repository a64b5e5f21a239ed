"""Hopf boundary of Brunel's network with Gaussian delays (rnmf.validate._lif_delay_hopf).

Oracles: closed-form envelope ratios (a Gaussian process has ``Q = 2``, a fixed-amplitude
oscillation ``Q = 1``) and the noisy Hopf normal form at its bifurcation point, whose
``|z|^2`` is half-normal so that ``Q = pi/2`` for any noise strength (Kuramoto 1984, Ch. 2:
stationary density ``p(z) ~ exp(-|z|^4 / 2D)``); the sign of ``Re lambda`` of
:func:`rnmf.theory.lif.asynchronous_stability` on each side of the computed ``sd_c``; an
independent solve of the same boundary on the imaginary axis (eigenvalue of the effective
connectivity equal to 1, Bos et al. 2016 eq. 12); the Hopf frequency "about 190 Hz" of
Brunel (2000) Fig. 2, point B (docs/references.md sec. 6).
"""

import math

import numpy as np
import pytest

from rnmf.validate import Check
from rnmf.validate import _lif_delay_hopf as dh


@pytest.fixture(scope="module")
def quick():
    return dh.delay_hopf_rows(quick=True, base_seed=0)


def _normal_form_q(eps: float, D: float, rng: np.random.Generator) -> float:
    """Q of ``dz = (eps + i w) z dt - |z|^2 z dt + sqrt(D) (dW_1 + i dW_2)``: 400 independent
    chains, Euler-Maruyama (rotation exact) with dt = 0.02 for 6000 steps, the first 1500 (at
    least 4 relaxation times ~ 1/sqrt(D) here) dropped."""
    dt, w, chains = 0.02, 3.0, 400
    x = np.zeros(chains, complex)
    rot = np.exp(1j * w * dt)  # exact rotation: an Euler step of i w z would grow |z|
    u = []
    for k in range(6000):
        dW = rng.standard_normal(chains) + 1j * rng.standard_normal(chains)
        x = x * rot + (eps * x - np.abs(x) ** 2 * x) * dt + math.sqrt(D * dt) * dW
        if k >= 1500:
            u.append(np.abs(x) ** 2)
    u = np.asarray(u)
    return float(np.mean(u**2) / np.mean(u) ** 2)


def test_envelope_ratio_closed_forms():
    """White Gaussian noise: Q = 2 (the band-limited analytic signal is complex Gaussian;
    ~ 2 * 40 Hz * 20 s = 1600 independent samples, sd of Q about 0.05, allowed 0.15); a
    sinusoid of constant amplitude (a whole number of periods): Q = 1 to 1e-2."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal(200_000)  # 20 s at 0.1 ms
    assert dh.envelope_ratio(x, 0.1, 190.0, 40.0) == pytest.approx(2.0, abs=0.15)
    t = np.arange(100_000) * 1e-4
    s = np.cos(2 * math.pi * 190.0 * t)
    assert dh.envelope_ratio(s, 0.1, 190.0, 40.0) == pytest.approx(1.0, abs=1e-2)


def test_line_centre_finds_an_offset_line():
    """A Lorentzian of half-width 10 Hz centred 9.6 Hz off the start, on a flat floor and the
    4 Hz grid of the Welch estimate: the re-centred centroid reads the centre to 0.3 Hz; the
    centroid over the fixed band reads 2.3 Hz low (the pull of the truncation)."""
    f = np.arange(0.0, 500.0, 4.0)
    S = 1.0 + 100.0 / (1.0 + ((f - 197.3) / 10.0) ** 2)
    assert dh.line_centre(f, S, 187.7, 40.0) == pytest.approx(197.3, abs=0.3)
    m = np.abs(f - 187.7) <= 40.0
    assert np.sum(f[m] * S[m]) / np.sum(S[m]) < 197.3 - 1.0


@pytest.mark.parametrize("D", [0.1, 2.0])
def test_normal_form_ratio_is_pi_over_two_at_the_hopf_point_for_any_noise(D):
    """At eps = 0, E|z|^4 / (E|z|^2)^2 = pi/2 whatever D (|z|^2 half-normal): the threshold
    of the order parameter carries no noise (finite-N) dependence.  400 chains of 90 time
    units, correlation time <= 1/sqrt(0.1) = 3.2: >= 10000 independent samples, sd of Q
    (sqrt(2/n) Q) <= 0.025; allowed 0.1.  At eps = -+ 4 sqrt(D) (|z|^2 ~ N(eps, D) cut at 0:
    Q = 1.06 and about 1.9) Q is beyond pi/2 by more than 0.2."""
    rng = np.random.default_rng(7)
    assert _normal_form_q(0.0, D, rng) == pytest.approx(math.pi / 2, abs=0.1)
    assert _normal_form_q(4 * math.sqrt(D), D, rng) < math.pi / 2 - 0.2
    assert _normal_form_q(-4 * math.sqrt(D), D, rng) > math.pi / 2 + 0.2


def test_theory_boundary_is_the_sign_change_of_re_lambda(quick):
    """Re lambda of the Hopf branch changes sign at sd_c (+-0.005 ms, 25x the 2e-4 ms that
    the secant tolerance and the root accuracy allow); the imaginary-axis solve (a different
    code path: transfer functions and the delay characteristic function) finds the same
    boundary to 1e-4 ms; the frequency is Brunel's fast oscillation (about 190 Hz)."""
    th = quick[1]["theory"]
    sd_c = th["sd_c"]
    lo = dh._root(dh._net(sd_c - 0.005), th["root_per_s"])
    hi = dh._root(dh._net(sd_c + 0.005), th["root_per_s"])
    assert lo.real > 0 > hi.real
    assert abs(th["root_per_s"].real) < 0.05  # 1/s, at the converged sd_c
    sd_axis, f_axis = dh._axis_boundary(sd_c, th["f_H"], None)
    assert sd_axis == pytest.approx(sd_c, abs=1e-4)
    assert f_axis == pytest.approx(th["f_H"], abs=0.05)
    assert th["f_H"] == pytest.approx(190.0, rel=0.03)
    assert th["rate"] == pytest.approx(55.84, abs=0.01)  # docs/references.md sec. 6, point B
    # rounding delays to the 0.1 ms grid moves the boundary by ~ dt^2 / (12 * 2 sd_c) ms
    assert 0 < th["sd_c"] - th["sd_c_grid"] < 3 * dh.DT**2 / (12 * 2 * sd_c)


def test_quick_rows_pass(quick):
    rows, info = quick
    assert len(rows) == 3 and all(isinstance(c, Check) for c in rows)
    failed = [c.row() for c in rows if not c.passed]
    assert not failed, failed
    for c in rows:
        assert np.isfinite(c.sim) and np.isfinite(c.sem) and c.sem >= 0 and c.note
        assert c.N == 12500
    assert [c.n_seeds for c in rows] == [4, 3, 4]
    assert [q.size for q in info["Q"]] == [3, 4]
    assert all(np.all(np.isfinite(q)) for q in info["Q"])


def test_allowances_are_not_vacuous(quick):
    """Read back through the normal form, the Q(sd_c) allowance resolves the boundary to
    better than 60 % of sd_c on the weaker (asynchronous) side: a simulated boundary further
    away fails the row, e.g. the ~0.1 ms that a 10 % smaller loop gain would give (the
    Gaussian factor e^{-omega^2 sd^2 / 2} at 188 Hz must then make up ln(1/0.9)), about the
    deficit that would reconcile the linear theory with simulated spectral peak heights near
    the fast-oscillation line.  The model term is a
    minor part of the allowance; the frequency allowance is below 5 % of f_H."""
    from scipy.optimize import brentq

    rows, info = quick
    qc, osc, f = rows
    th = info["theory"]
    assert qc.theory == dh.Q_CRIT and qc.floor == info["dq_term"] < qc.allowed / 3
    x = brentq(lambda v: dh.normal_form_ratio(-v) - dh.Q_CRIT - qc.allowed, 1e-6, 30.0)
    resolution = x * info["noise_scale"] / abs(th["dre_dsd"])  # ms
    assert resolution < 0.6 * th["sd_c"]
    assert 0 < info["wp_term"] + info["grid_term"] < 0.05 * th["sd_c"]
    assert f.allowed < 0.05 * f.theory
    assert osc.sim == 1.0 and info["Q"][0].mean() < dh.Q_CRIT


def test_normal_form_ratio_closed_form():
    """Limits 2 (x -> -inf, exponential |z|^2), pi/2 (x = 0, half-normal: E u^2 / (E u)^2 =
    1 / (2/pi)), 1 + 1/x^2 (x -> inf); against quadrature of the cut normal at x = -3, 1.5."""
    from scipy import integrate

    q = dh.normal_form_ratio([-1e4, 0.0, 1e3])
    assert q[0] == pytest.approx(2.0, abs=1e-6) and q[1] == pytest.approx(math.pi / 2, rel=1e-12)
    assert q[2] == pytest.approx(1 + 1e-6, rel=1e-9)
    for x in (-3.0, 1.5):
        m = [integrate.quad(lambda u, k=k, x=x: u**k * math.exp(-((u - x) ** 2) / 2), 0, np.inf)[0]
             for k in range(3)]  # fmt: skip
        assert dh.normal_form_ratio(x) == pytest.approx(m[2] * m[0] / m[1] ** 2, rel=1e-9)
    x = np.linspace(-30, 30, 60001)
    assert np.max(np.abs(np.diff(dh.normal_form_ratio(x)) / np.diff(x))) <= dh._Q_SLOPE


def test_figure(quick):
    fig = dh.delay_hopf_figure(quick[1])
    assert len(fig.axes) == 2
    sd_c = quick[1]["theory"]["sd_c"]
    assert any(
        len(ln.get_xdata()) == 2 and abs(ln.get_xdata()[0] - sd_c) < 1e-12
        for ln in fig.axes[0].lines
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"quick": "yes"}, "quick"),
        ({"base_seed": -1}, "base_seed"),
        ({"base_seed": 1.5}, "base_seed"),
    ],
)
def test_rows_reject_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        dh.delay_hopf_rows(**kwargs)


def test_envelope_ratio_and_solver_reject_bad_input():
    x = np.random.default_rng(0).standard_normal(1000)
    with pytest.raises(ValueError, match="finite"):
        dh.envelope_ratio(np.r_[x, np.nan], 0.1, 190.0, 40.0)
    with pytest.raises(ValueError, match="Nyquist"):
        dh.envelope_ratio(x, 1.0, 480.0, 40.0)
    with pytest.raises(ValueError, match="half_band"):
        dh.envelope_ratio(x, 0.1, 30.0, 40.0)
    with pytest.raises(ValueError, match="xtol"):
        dh.hopf_delay_sd(xtol=0.0)
    with pytest.raises(ValueError, match="sd0"):
        dh.hopf_delay_sd(sd0=(0.45, 0.35))
    with pytest.raises(ValueError, match="unstable"):
        dh.hopf_delay_sd(sd0=(0.6, 0.7))
