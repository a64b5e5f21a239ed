"""Models, transfer functions, results and argument checks of the hub."""

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate

from rnmf import ConvergenceError, LIFNetwork, RateNetwork, Status, Transfer
from rnmf._checks import as_rng, check_array
from rnmf.results import Result, finish


# ---------------------------------------------------------------- transfer functions
@pytest.mark.parametrize("kind", ["tanh", "erf", "relu", "linear"])
def test_derivative_matches_central_difference(kind):
    phi = Transfer(kind, theta=0.3) if kind == "relu" else Transfer(kind)
    x = np.array([-2.1, -0.7, 0.05, 0.9, 2.4])
    h = 1e-6
    fd = (phi(x + h) - phi(x - h)) / (2 * h)
    np.testing.assert_allclose(phi.derivative(x), fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("kind", ["tanh", "erf", "relu", "linear"])
def test_primitive_is_integral_of_phi(kind):
    """Phi(x) = int_0^x phi, checked by adaptive quadrature (independent oracle)."""
    phi = Transfer(kind, theta=-0.4) if kind == "relu" else Transfer(kind)
    for x in (-3.0, -0.5, 0.0, 1.2, 4.0):
        ref, _ = integrate.quad(lambda s: float(phi(s)), 0.0, x, epsabs=1e-13, epsrel=1e-13)
        assert phi.primitive(x) == pytest.approx(ref, rel=1e-10, abs=1e-12)


def test_primitives_keep_their_digits_at_small_x():
    """Taylor series: log cosh x = x^2/2 - x^4/12 + ...; the erf primitive (phi(x) =
    erf(sqrt(pi) x / 2), slope 1 at 0) is x^2/2 - pi x^4/48 + ...  (a dense grid of tiny
    arguments is where a Delta0 ~ 1e-9 noise-driven state evaluates them)."""
    x = np.array([1e-8, 3e-6, 6e-5, 1e-3, 0.5, 0.999, 1.001, 3.0])
    tiny = x < 1e-2
    ref_t = x**2 / 2 - x**4 / 12
    ref_e = x**2 / 2 - math.pi * x**4 / 48
    np.testing.assert_allclose(Transfer("tanh").primitive(x[tiny]), ref_t[tiny], rtol=1e-13)
    np.testing.assert_allclose(Transfer("erf").primitive(x[tiny]), ref_e[tiny], rtol=1e-9)
    # continuous across the switch at |x| = 1 and against log(cosh) where that is safe
    np.testing.assert_allclose(
        Transfer("tanh").primitive(x[~tiny]), np.log(np.cosh(x[~tiny])), rtol=1e-14
    )


def test_logcosh_primitive_does_not_overflow():
    x = np.array([-800.0, 800.0])
    np.testing.assert_allclose(Transfer("tanh").primitive(x), 800.0 - math.log(2.0), rtol=1e-14)


def test_erf_transfer_has_unit_slope_and_range():
    phi = Transfer("erf")
    assert phi.derivative(0.0) == pytest.approx(1.0)
    assert phi(50.0) == pytest.approx(1.0)
    assert phi.odd and not Transfer("relu").odd


def test_custom_transfer_primitive_by_quadrature():
    phi = Transfer("custom", func=np.sin, deriv=np.cos, name="sin")
    x = np.array([-2.0, 0.3, 1.7])
    np.testing.assert_allclose(phi.primitive(x), 1.0 - np.cos(x), rtol=1e-12)
    assert phi.code == -1 and repr(phi) == "Transfer(sin)"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(kind="sigmoidal"), "kind must be one of"),
        (dict(kind="custom"), "needs callables"),
        (dict(kind="custom", func=lambda x: 1.0, deriv=np.cos), "vectorised"),
        (dict(kind="relu", theta=float("nan")), "theta must be finite"),
    ],
)
def test_transfer_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Transfer(**kwargs)


# ---------------------------------------------------------------- RateNetwork
def test_rate_network_defaults_and_replace():
    net = RateNetwork(N=100, g=1.5)
    assert net.phi == Transfer("tanh") and not net.discrete and not net.noisy
    other = dataclasses.replace(net, g=2.0, sigma_noise=0.5)
    assert other.g == 2.0 and other.noisy and net.g == 1.5
    with pytest.raises(dataclasses.FrozenInstanceError):
        net.g = 3.0  # type: ignore[misc]
    assert "g=1.5" in net.describe()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(N=0, g=1.0), "N must be an integer >= 1"),
        (dict(N=10.5, g=1.0), "N must be an integer"),
        (dict(N=10, g=-1.0), "g must be >= 0"),
        (dict(N=10, g=float("inf")), "g must be finite"),
        (dict(N=10, g=1.0, tau=0.0), "tau .* must be > 0"),
        (dict(N=10, g=1.0, sigma_noise=-0.1), "sigma_noise must be >= 0"),
        (dict(N=10, g=1.0, phi="sigmoid"), "phi must be one of"),
        (dict(N=10, g=1.0, phi=np.tanh), "bare callable"),
        (dict(N=10, g=1.0, time="hybrid"), "time must be one of"),
        (dict(N=10, g="1"), "g must be a real number"),
        (dict(N=10, g=1.0, name=3), "RateNetwork.name must be a string"),  # as LowRankNetwork
        (dict(N=10, g=1.0, time=np.ones(3)), "time must be one of"),
    ],
)
def test_rate_network_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        RateNetwork(**kwargs)


@given(
    st.sampled_from(["g", "J0", "tau", "I0", "sigma_I", "sigma_noise"]),
    st.sampled_from([float("nan"), float("inf"), -float("inf")]),
)
def test_rate_network_rejects_non_finite_fields(field, value):
    with pytest.raises(ValueError, match=field):
        RateNetwork(**{"N": 10, "g": 1.0, field: value})


@given(st.floats(max_value=-1e-12, allow_nan=False, allow_infinity=False))
def test_rate_network_rejects_negative_scales(value):
    for field in ("g", "sigma_I", "sigma_noise", "tau"):
        with pytest.raises(ValueError, match=field):
            RateNetwork(**{"N": 10, "g": 1.0, field: value})


# ---------------------------------------------------------------- LIFNetwork
def test_brunel_model_a_parameters():
    """Brunel (2000) model A: nu_thr = theta / (J C_E tau) = 10 Hz; nu_ext = eta nu_thr."""
    net = LIFNetwork.brunel(g=5.0, eta=2.0)
    assert net.N == (10000, 2500) and net.K[0] == (1000.0, 250.0)
    assert net.J[0][1] == pytest.approx(-0.5) and net.nu_ext == (20.0, 20.0)
    assert net.populations == ("E", "I") and net.P == 2


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(V_reset=20.0), "V_reset .* must be below V_th"),
        (dict(tau_m=-5.0), "tau_m .* must be > 0"),
        (dict(D=0.0), r"D \(synaptic delay, ms\) must be > 0"),
        (dict(delay_max=1.0), "delay_max .* must be >= delay"),
        (dict(t_ref=-1.0), "t_ref .* must be >= 0"),
    ],
)
def test_lif_network_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LIFNetwork.brunel(**kwargs)


def test_lif_network_shape_and_probability_checks():
    with pytest.raises(ValueError, match="must be a 2x2 matrix"):
        LIFNetwork(N=(10, 5), K=[[1, 2, 3]], J=0.1)
    with pytest.raises(ValueError, match="probability must lie in"):
        LIFNetwork(N=(10, 5), K=[[20, 1], [1, 1]], J=0.1, connectivity="bernoulli")
    with pytest.raises(ValueError, match="nu_ext .* one entry per population"):
        LIFNetwork(N=(10, 5), K=1, J=0.1, nu_ext=(1.0, 2.0, 3.0))


# ---------------------------------------------------------------- results and checks
def test_result_repr_is_a_short_table_and_finish_raises():
    res = Result(
        model=RateNetwork(N=10, g=1.0),
        method="test",
        converged=False,
        status=Status.MAX_ITER,
        n_iter=7,
        residual=0.5,
    )
    text = repr(res)
    assert text.splitlines()[0].startswith("Result") and "n_iter" in text and len(text) < 600
    with pytest.raises(ConvergenceError, match="did not converge") as info:
        finish(res, raise_on_failure=True)
    assert info.value.result is res
    assert finish(res, raise_on_failure=False) is res


def test_as_rng_and_check_array():
    a = as_rng(5).standard_normal(3)
    b = as_rng(5).standard_normal(3)
    np.testing.assert_array_equal(a, b)
    gen = np.random.default_rng(1)
    assert as_rng(gen) is gen
    with pytest.raises(ValueError, match="rng must be"):
        as_rng("seed")
    with pytest.raises(ValueError, match=r"must have shape \(3, any\)"):
        check_array("x", np.zeros((2, 2)), shape=(3, None))
    with pytest.raises(ValueError, match="NaN or infinite"):
        check_array("x", [1.0, np.nan])
