"""ODE simulation of population models (rnmf.sim.populations)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import expm

from rnmf.models.populations import from_connectivity, threshold_linear_ei, wilson_cowan
from rnmf.sim import simulate_populations


def _linear():
    W = np.array([[0.5, -1.2], [0.9, -0.4]])
    return from_connectivity(W, inputs=[0.3, -0.1], taus=[1.0, 0.5], transfer="linear"), W


def test_rk4_matches_the_exact_linear_solution_with_fourth_order_convergence():
    """tau dr = -r + W r + I: r(t) = r* + expm(A t)(r0 - r*), A = diag(1/tau)(W - 1)."""
    m, W = _linear()
    tau = np.array([1.0, 0.5])
    A = (W - np.eye(2)) / tau[:, None]
    rstar = np.linalg.solve(np.eye(2) - W, [0.3, -0.1])
    r0 = np.array([1.0, -0.5])
    exact = rstar + expm(A * 2.0) @ (r0 - rstar)
    errs = []
    for dt in (0.1, 0.05, 0.025):
        tr = simulate_populations(m, 2.0, dt=dt, r0=r0, record_every=1)
        assert tr.t[-1] == pytest.approx(2.0)
        errs.append(np.max(np.abs(tr.final[:, 0] - exact)))
    order = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all(order > 3.7), order
    assert errs[-1] < 1e-7


def test_batch_equals_single_runs():
    m = wilson_cowan()
    IE = np.array([-1.0, 0.9, 2.0])
    tr = simulate_populations(m, 5.0, dt=0.01, params={"I_E": IE, "I_I": -4.0})
    for k, v in enumerate(IE):
        one = simulate_populations(m, 5.0, dt=0.01, params={"I_E": v, "I_I": -4.0})
        assert np.array_equal(one.r[:, :, 0], tr.r[:, :, k])
    assert tr.params["I_E"].tolist() == IE.tolist() and tr.params["w_EE"][0] == 16.0


def test_threshold_linear_ei_relaxes_to_its_fixed_point():
    """Default ISN: the active fixed point r = (1 - W)^-1 I = (1/3, 8/15) is a stable focus."""
    tr = simulate_populations(threshold_linear_ei(), 20.0, dt=0.01)
    assert np.allclose(tr.final[:, 0], [1 / 3, 8 / 15], atol=1e-8)
    assert np.all(tr.amplitude(0.2) < 1e-6)


def test_noise_is_reproducible_and_has_the_ou_variance():
    """Linear 1-population model tau dr = -r dt + sigma dW: stationary variance sigma^2 tau / 2
    (tau = 1); 400 runs x 40 samples, tolerance 4 standard errors."""
    m = from_connectivity([[0.0]], transfer="linear")
    a = simulate_populations(
        m, 200.0, dt=0.01, sigma=0.5, rng=3, r0=np.zeros((1, 400)), burn_in=5, record_every=500
    )
    b = simulate_populations(
        m, 200.0, dt=0.01, sigma=0.5, rng=3, r0=np.zeros((1, 400)), burn_in=5, record_every=500
    )
    assert np.array_equal(a.r, b.r)
    v = a.r[:, 0, :].var()
    assert v == pytest.approx(0.125, abs=4 * 0.125 * np.sqrt(2 / a.r[:, 0, :].size) + 0.125 * 0.01)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(T=-1.0), "T must be"),
        (dict(T=1.0, dt=0.0), "dt must be"),
        (dict(T=1.0, params={"nope": 1.0}), "unknown parameter 'nope'"),
        (dict(T=1.0, r0=np.ones(3)), "r0 must be"),
        (dict(T=1.0, sigma=-1.0), "sigma"),
    ],
)
def test_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulate_populations(wilson_cowan(), **kwargs)


def test_runaway_is_reported():
    m = from_connectivity([[2.0]], inputs=[1.0], transfer="relu")
    with pytest.raises(FloatingPointError, match="diverged"):
        simulate_populations(m, 2000.0, dt=0.1)
