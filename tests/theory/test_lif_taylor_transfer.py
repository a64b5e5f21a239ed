"""Taylor variant of the exponential-synapse LIF transfer function (issue 15) and the
validity ranges of both colored-noise treatments.

Schuecker, Diesmann & Helias (2015, Phys Rev E 92:052119, eqs. 18 and 29) capture the
synaptic filter (``k = sqrt(tau_s/tau_m)``) by shifting threshold and reset by ``D = sigma
alpha k / 2``; the "shift" variant evaluates the white-noise response at the shifted bounds,
the "Taylor" variant is its first-order expansion ``G_0 - D dG_0/dmu``.  Oracles: NNMT 1.3.0
(values computed with ``nnmt.lif.exp._transfer_function_taylor`` / ``_shift`` and its unit
fixtures), the stationary Taylor rate (omega -> 0), and the O(k^2) difference between the
variants with its leading coefficient.

Tolerances: ``method="pcfd"`` is the closed form in mpmath (20 digits): 1e-12 against NNMT
where both evaluate the same formula (t_ref = 0), 1e-9 where the refractory factor is
applied through mpmath (measured 1e-11).  ``method="threshold"`` integrates the
Fokker-Planck equation with RK4 (relative accuracy ~1e-5 documented, 2e-6 measured here);
its Taylor term uses a five-point difference in mu whose truncation (~1e-8) is far below.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from rnmf.models import LIFNetwork
from rnmf.theory import lif
from rnmf.theory.lif import transfer_function
from rnmf.theory.lif.neuron import ALPHA_COLORED
from rnmf.theory.lif.spectra import (
    effective_connectivity,
    linear_response,
    transfer_functions,
)


def _one(mu, sigma, tau_m, tau_s, t_ref, V_th=20.0, V_reset=10.0):
    """An uncoupled population whose input has exactly mean ``mu`` and std ``sigma`` (mV):
    one external Poisson source (100 inputs of 1 mV) and a DC offset."""
    nu_ext = 1000.0 * sigma**2 / (100.0 * tau_m)
    return LIFNetwork(
        N=(1000,),
        K=[[0]],
        J=[[0.0]],
        tau_m=tau_m,
        t_ref=t_ref,
        tau_s=tau_s,
        V_th=V_th,
        V_reset=V_reset,
        nu_ext=nu_ext,
        C_ext=100,
        J_ext=1.0,
        mu_ext=mu - tau_m / 1000.0 * 100.0 * nu_ext,
    )


def _G(net, f, **kw):
    return transfer_functions(net, f, rates=[5.0], **kw)[:, 0]


def _shift(sigma, tau_s, tau_m):
    return sigma * ALPHA_COLORED / 2.0 * math.sqrt(tau_s / tau_m)


# NNMT 1.3.0, nnmt.lif.exp._transfer_function_taylor and _transfer_function_shift
# (synaptic_filter=True) at V_th_rel = 20 mV, V_0_rel = 10 mV, tau_r = 0, frequencies
# 0, 10, 50, 100, 200 Hz; Hz/V converted to Hz/mV.  Keys: (mu, sigma, tau_m, tau_s).
F_NNMT = [0.0, 10.0, 50.0, 100.0, 200.0]
NNMT_TAYLOR = {
    (15.0, 5.0, 10.0, 0.5): [
        4.982405695298143,
        4.506401595570573 - 1.4013655228743775j,
        1.6625549923847573 - 2.137483798859112j,
        0.6964084786286938 - 1.5731494808381943j,
        0.13612788962906233 - 0.9960838264531531j,
    ],
    (18.0, 3.0, 20.0, 2.0): [
        4.216269841527698,
        3.7478731648038752 - 1.758287537614173j,
        0.32746125767706274 - 1.6120674608058463j,
        -0.13957089369075895 - 0.7954458247157271j,
        -0.1469872918295867 - 0.2885512894546979j,
    ],
}
NNMT_SHIFT = {
    (15.0, 5.0, 10.0, 0.5): [
        4.897038153010162,
        4.43920161687218 - 1.3380960378516895j,
        1.7455231236304773 - 2.1097365405717463j,
        0.7495098074826007 - 1.5989996379832634j,
        0.156775552699718 - 1.0268989053649018j,
    ],
    (18.0, 3.0, 20.0, 2.0): [
        4.065435570562935,
        3.534269869019551 - 1.6491857212307126j,
        0.3652163388403781 - 1.5961593420774225j,
        -0.12388658285238814 - 0.8022354209327999j,
        -0.1442861030149212 - 0.29435727155398606j,
    ],
}


@pytest.mark.parametrize("key", list(NNMT_TAYLOR))
def test_taylor_and_shift_match_nnmt_without_refractoriness(key):
    """With t_ref = 0 rnmf's and NNMT's formulas coincide: the Taylor variant is NNMT's
    ``method='taylor'`` (Schuecker et al. 2015; arXiv:1411.0432, eq. 93) to 1e-12 in
    closed form and to 1e-5 by threshold integration."""
    mu, sigma, tau_m, tau_s = key
    net = _one(mu, sigma, tau_m, tau_s, 0.0)
    for synapse, ref in (("taylor", NNMT_TAYLOR[key]), ("shift", NNMT_SHIFT[key])):
        np.testing.assert_allclose(_G(net, F_NNMT, method="pcfd", synapse=synapse), ref, rtol=1e-12)
        np.testing.assert_allclose(
            _G(net, F_NNMT, method="threshold", synapse=synapse), ref, rtol=1e-5
        )


# NNMT 1.3.0 unit fixtures tests/fixtures/unit/data/lif_exp_transfer_function_taylor.h5
# and ..._shift.h5, group 'sub_threshold_strong_noise': tau_m = 10 ms, tau_r = 2 ms,
# tau_s = 1 ms, V_th_rel = 20 mV, V_0_rel = 0, omegas (rad/s) below; columns mu, sigma =
# (2, 30) and (5, 50) mV; Hz/V.
FIX_OMEGA = np.array([0.0, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1000.0])
FIX_COLUMNS = {
    (2.0, 30.0): (
        [
            complex(1882.913458093987, 0.0),
            complex(1985.1838633202926, -0.011848111834636339),
            complex(1985.1838560342146, -0.1184810608731647),
            complex(1985.1831274266374, -1.184810138710953),
            complex(1985.110269684302, -11.847634132256642),
            complex(1977.8545267140973, -118.01101877929587),
            complex(1464.6192193818347, -851.8918412149676),
            complex(-19.630016469802086, -380.26427591295555),
        ],
        [
            complex(1784.919865731351, 0.0),
            complex(1908.2291028595052, -0.011120219118906479),
            complex(1908.2290959484926, -0.11120218115761603),
            complex(1908.2284048475533, -1.112021359284467),
            complex(1908.1592978767044, -11.11975439693708),
            complex(1901.279685164046, -110.74048126584357),
            complex(1424.5781205755013, -795.022009006418),
            complex(-9.005442457800171, -387.9524565265224),
        ],
    ),
    (5.0, 50.0): (
        [
            complex(1896.202402054705, 0.0),
            complex(2173.630184713051, -0.011430063413678648),
            complex(2173.6301784761595, -0.11430068689411252),
            complex(2173.6295547871637, -1.1430065136189975),
            complex(2173.567187970701, -11.429706844325553),
            complex(2167.3512677203034, -113.93998365885317),
            complex(1700.9264108467253, -872.7237727439726),
            complex(-4.164949539427823, -473.4969586838881),
        ],
        [
            complex(1800.408726047489, 0.0),
            complex(2085.342084793244, -0.010939373561326645),
            complex(2085.342078660868, -0.10939371693757324),
            complex(2085.341465423595, -1.0939368182593647),
            complex(2085.2801439881705, -10.938998332293188),
            complex(2079.170830656393, -109.02155930337052),
            complex(1632.1322002980849, -824.2354301088186),
            complex(4.261413195682991, -467.85907532693693),
        ],
    ),
}


def _refractory_factor(f, mu, sigma, tau_m, t_ref, V_th, V_reset):
    """``R = [D_O(z_T) - e^Delta D_O(z_R)] / [D_O(z_T) - e^Delta e^{-i w t_ref} D_O(z_R)]``
    (mpmath; the ratio of rnmf's to NNMT's white-noise response, spectra module docstring)."""
    lam = 2j * mpmath.pi * f / 1000
    Om = -lam * tau_m
    zT = mpmath.sqrt(2) * (mu - V_th) / sigma
    zR = mpmath.sqrt(2) * (mu - V_reset) / sigma
    e = mpmath.exp((zR**2 - zT**2) / 4)
    a, b = mpmath.pcfd(Om, zT), e * mpmath.pcfd(Om, zR)
    return (a - b) / (a - mpmath.exp(-lam * t_ref) * b)


@pytest.mark.parametrize("col", list(FIX_COLUMNS))
def test_nnmt_fixture_through_the_refractory_factor(col):
    """NNMT drops the refractory factor at omega > 0 (its fixture jumps by 5% between
    omega = 0 and 1e-3 rad/s).  With ``R`` of the spectra docstring: shift ``G = R(shifted)
    G_NNMT``; Taylor ``G = R_0 G_NNMT - D G_{0,NNMT} dR_0/dmu`` (first-order expansion of
    the product), with ``G_{0,NNMT} = G_0 / R_0`` from rnmf's white-noise
    :func:`transfer_function`.  At omega = 0 both are the rate derivative: equal."""
    mu, sigma = col
    tau_m, tau_s, t_ref, V_th, V_r = 10.0, 1.0, 2.0, 20.0, 0.0
    ref_t, ref_s = (np.array(v) / 1000.0 for v in FIX_COLUMNS[col])
    f = FIX_OMEGA / (2 * np.pi)
    net = _one(mu, sigma, tau_m, tau_s, t_ref, V_th, V_r)
    GT = _G(net, f, method="pcfd", synapse="taylor")
    GS = _G(net, f, method="pcfd", synapse="shift")
    GT_thr = _G(net, f, method="threshold", synapse="taylor")
    D = _shift(sigma, tau_s, tau_m)
    low_pass = 1.0 / (1.0 + 1j * FIX_OMEGA[1:] / 1000.0 * tau_s)
    G0 = transfer_function(
        f[1:], mu, sigma, tau_m=tau_m, t_ref=t_ref, V_th=V_th, V_reset=V_r, method="pcfd"
    )[0]
    with mpmath.workdps(30):
        args = (sigma, tau_m, t_ref)
        R0 = np.array([complex(_refractory_factor(x, mu, *args, V_th, V_r)) for x in f[1:]])
        dR0 = np.array(
            [
                complex(mpmath.diff(lambda m, x=x: _refractory_factor(x, m, *args, V_th, V_r), mu))
                for x in f[1:]
            ]
        )
        RS = np.array([complex(_refractory_factor(x, mu, *args, V_th + D, V_r + D)) for x in f[1:]])
    expect_t = R0 * ref_t[1:] - D * G0 * low_pass / R0 * dR0
    np.testing.assert_allclose(GT[1:], expect_t, rtol=1e-9)
    np.testing.assert_allclose(GS[1:], RS * ref_s[1:], rtol=1e-9)
    np.testing.assert_allclose(GT_thr[1:], expect_t, rtol=1e-5)
    np.testing.assert_allclose([GT[0], GS[0]], [ref_t[0], ref_s[0]], rtol=1e-12)
    # without the factor rnmf and NNMT differ by more than 1% at low frequency
    assert abs(GT[1] / ref_t[1] - 1) > 0.01


@pytest.mark.parametrize(
    "mu, sigma, tau_m, tau_s, t_ref", [(15.0, 5.0, 10.0, 0.5, 2.0), (18.0, 4.0, 10.0, 2.0, 0.5)]
)
def test_zero_frequency_limit_is_the_taylor_rate_derivative(mu, sigma, tau_m, tau_s, t_ref):
    """omega -> 0: ``G_T`` tends to ``d nu_T / d mu`` and ``G_T^{sigma^2}`` to ``d nu_T /
    d sigma^2`` of the stationary Taylor rate ``siegert(..., synapse="taylor")`` (central
    differences, h = 1e-4 mV: error ~1e-9).  At f = 1e-5 Hz the O(omega) imaginary part is
    ~3e-7 relative; threshold integration is within 1e-6, the closed form's real part
    within 1e-10.  At f = 0 exactly the stationary derivative is returned."""
    net = _one(mu, sigma, tau_m, tau_s, t_ref)
    kw = dict(tau_m=tau_m, t_ref=t_ref, tau_s=tau_s, synapse="taylor")
    h = 1e-4
    d_mu = (lif.siegert(mu + h, sigma, **kw) - lif.siegert(mu - h, sigma, **kw)) / (2 * h)
    d_s2 = (lif.siegert(mu, sigma + h, **kw) - lif.siegert(mu, sigma - h, **kw)) / (2 * h)
    d_s2 /= 2 * sigma
    for method, tol in (("threshold", 1e-6), ("pcfd", 1e-6)):
        G, Gs = transfer_functions(
            net, [0.0, 1e-5], rates=[5.0], method=method, synapse="taylor", variance=True
        )
        assert abs(G[0, 0] - d_mu) < 1e-8 * abs(d_mu)
        assert abs(Gs[0, 0] - d_s2) < 1e-7 * abs(d_s2)
        assert abs(G[1, 0] - d_mu) < tol * abs(d_mu)
        assert abs(Gs[1, 0] - d_s2) < 2 * tol * abs(d_s2)
    G = _G(net, [1e-5], method="pcfd", synapse="taylor", synaptic_filter=False)
    assert abs(G[0].real - d_mu) < 1e-10 * abs(d_mu) + 1e-8  # FD of d_mu: ~1e-9 absolute


def test_shift_minus_taylor_is_second_order():
    """``G_shift - G_Taylor = D^2/2 d^2 G_0/dmu^2 + O(D^3)`` with ``D ~ sqrt(tau_s)``:
    halving tau_s halves the difference, and its (complex) ratio to the leading term
    (second difference of the closed form, h = 0.05 sigma) tends to 1 as O(sqrt(tau_s)):
    measured max |ratio - 1| = 0.133, 0.093, 0.066 at tau_s = 0.2, 0.1, 0.05 ms."""
    mu, sigma, tau_m, t_ref = 15.0, 5.0, 10.0, 2.0
    f = np.array([0.0, 10.0, 50.0, 100.0])
    h = 0.05 * sigma
    G = [
        transfer_function(f, m, sigma, tau_m=tau_m, t_ref=t_ref, method="pcfd", dps=30)[0]
        for m in (mu - h, mu, mu + h)
    ]
    d2 = (G[0] - 2 * G[1] + G[2]) / h**2
    diffs, errs = [], []
    for tau_s in (0.2, 0.1, 0.05):
        net = _one(mu, sigma, tau_m, tau_s, t_ref)
        S = _G(net, f, synaptic_filter=False)
        T = _G(net, f, synaptic_filter=False, synapse="taylor")
        lead = _shift(sigma, tau_s, tau_m) ** 2 / 2 * d2
        diffs.append(np.abs(S - T))
        errs.append(np.max(np.abs((S - T) / lead - 1)))
        assert np.max(np.abs(S - T) / np.abs(S)) < 0.02  # the variants agree to O(k^2)
    ratios = np.array(diffs[:-1]) / np.array(diffs[1:])
    np.testing.assert_allclose(ratios, 2.0, rtol=0.06)
    assert errs[0] < 0.15 and errs[2] < errs[1] < errs[0]
    assert 1.6 < errs[0] / errs[2] < 2.4  # quartering tau_s halves the O(D^3) remainder


@pytest.mark.parametrize(
    "mu, sigma, tau_m, tau_s, t_ref",
    [(15.0, 5.0, 10.0, 0.5, 2.0), (25.0, 2.0, 20.0, 0.5, 2.0), (18.0, 4.0, 10.0, 2.0, 0.5)],
)
def test_threshold_difference_agrees_with_analytic_derivative(mu, sigma, tau_m, tau_s, t_ref):
    """The five-point difference in mu (threshold integration) against the analytic
    derivative of the parabolic cylinder functions (pcfd), 0.1 Hz - 1 kHz, both pathways:
    measured <= 5e-6, tolerance 2e-5 (the threshold integration's own accuracy)."""
    net = _one(mu, sigma, tau_m, tau_s, t_ref)
    f = np.array([0.1, 5.0, 20.0, 80.0, 200.0, 1000.0])
    kw = dict(rates=[5.0], synapse="taylor", variance=True)
    Gt, Gst = transfer_functions(net, f, method="threshold", **kw)
    Gp, Gsp = transfer_functions(net, f, method="pcfd", **kw)
    np.testing.assert_allclose(Gt, Gp, rtol=2e-5)
    np.testing.assert_allclose(Gst, Gsp, rtol=2e-5)


def test_delta_synapses_make_the_variants_identical():
    net = _one(15.0, 5.0, 10.0, 0.0, 2.0)
    f = [0.0, 10.0, 100.0]
    np.testing.assert_array_equal(_G(net, f), _G(net, f, synapse="taylor"))


def test_linear_response_threads_the_taylor_variant(two_pop):
    """Working point, transfer functions and M all use the Taylor treatment; recorded in
    ``options`` and ``method``; the sensitivity measure reads the Taylor M."""
    net = two_pop(tau_s=0.5)
    f = np.linspace(0.0, 90.0, 10)
    st = lif.stationary_rates(net, synapse="taylor")
    r = linear_response(net, f, synapse="taylor")
    np.testing.assert_allclose(r.rates, st.rates, rtol=1e-12)
    G = transfer_functions(net, f, rates=st.rates, synapse="taylor")
    np.testing.assert_allclose(r.transfer, G, rtol=1e-13)
    M = effective_connectivity(net, f, rates=st.rates, synapse="taylor")
    np.testing.assert_allclose(r.connectivity, M, rtol=1e-13)
    assert r.options["synapse"] == "taylor" and "taylor" in r.method
    assert r.validity == ()  # high rates, k = 0.16-0.22, f below f_valid
    shift = linear_response(net, f)
    assert shift.options["synapse"] == "shift"
    assert not np.allclose(shift.transfer, r.transfer, rtol=1e-4)
    z = r.sensitivity()
    assert abs(z.sensitivity.sum() - z.eigenvalue) < 1e-10 * max(1.0, abs(z.eigenvalue))


def test_validity_reports_the_ranges(two_pop):
    """Each range is reported where it is left: k > 0.5 (both variants), frequencies
    above omega tau_s = 0.3 (both), the Taylor first-order term above half the zeroth, and
    a Taylor rate <= 0 at the working point."""
    f = np.linspace(0.0, 100.0, 11)
    # comfortably inside: ratio first/zeroth <= 0.31 below f_valid = 95 Hz
    ok = linear_response(_one(15.0, 5.0, 10.0, 0.5, 2.0), f[:-1], rates=[1.0], synapse="taylor")
    assert ok.validity == ()
    # first-order term 0.61-0.72 x the zeroth (low rate, weak noise), rate still positive
    r = linear_response(_one(12.0, 4.0, 10.0, 0.5, 2.0), f[:-1], rates=[1.0], synapse="taylor")
    assert len(r.validity) == 1 and "first-order (Taylor) term" in r.validity[0]
    assert not linear_response(_one(12.0, 4.0, 10.0, 0.5, 2.0), f[:-1], rates=[1.0]).validity
    # Taylor rate negative (nu_0 - D dnu_0/dmu < 0)
    r = linear_response(_one(12.0, 3.0, 10.0, 2.0, 2.0), f, rates=[1.0], synapse="taylor")
    assert any("Taylor rate is <= 0" in v for v in r.validity)
    assert any("omega tau_s > 0.3" in v and "(taylor)" in v for v in r.validity)
    # slow synapses: k = sqrt(6/10) > 0.5, flagged for both variants
    for synapse in ("shift", "taylor"):
        r = linear_response(two_pop(tau_s=6.0), [0.0, 5.0], synapse=synapse)
        assert any("sqrt(tau_s / tau_m) = 0.775 > 0.5" in v for v in r.validity)


def test_bad_synapse_is_refused(two_pop):
    net = two_pop(tau_s=0.5)
    for bad in ("foo", "Taylor", None, 1):
        for fn in (transfer_functions, effective_connectivity, linear_response):
            with pytest.raises(ValueError, match="synapse.*shift.*taylor"):
                fn(net, [10.0], rates=[5.0, 5.0], synapse=bad)


def test_flags_must_be_booleans(two_pop):
    """``variance='yes'`` or ``synaptic_filter=1`` are refused with the flag named, not taken
    as true."""
    net = two_pop(tau_s=0.5)
    with pytest.raises(TypeError, match="variance"):
        effective_connectivity(net, [1.0], variance="yes")
    with pytest.raises(TypeError, match="variance"):
        linear_response(net, [1.0], variance="yes")
    with pytest.raises(TypeError, match="synaptic_filter"):
        transfer_functions(net, [1.0], synaptic_filter=1)
