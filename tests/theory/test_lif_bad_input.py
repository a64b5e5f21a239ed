"""Bad input to the LIF theory is refused up front, naming the argument (issue 10 fuzz):
no hang on huge frequencies or grids, no raw ZeroDivision/Overflow/complex errors."""

from __future__ import annotations

import numpy as np
import pytest

from rnmf.models import LIFNetwork
from rnmf.theory import lif

NET = LIFNetwork.brunel()


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: lif.transfer_function(1e300, 15.0, 5.0), "frequency too high"),
        (lambda: lif.transfer_function(10**12, 15.0, 5.0), "frequency too high"),
        (lambda: lif.transfer_function("abc", 15.0, 5.0), r"frequency \(Hz\)"),
        (lambda: lif.transfer_function(10.0, 15.0, 5.0, tau_m=1e300), "tau_m = 1e\\+300"),
        (lambda: lif.transfer_function(10.0, 15.0, 1e-300), r"sigma \(mV\) = 1e-300"),
        (lambda: lif.transfer_function(10.0, 15.0, 1e300), r"sigma \(mV\) = 1e\+300"),
        (lambda: lif.transfer_function(10.0, 15.0, 5.0, dps=10**6), "dps must be <= 1000"),
        (lambda: lif.transfer_function(1 + 1j, 15.0, 5.0), "laplace=True"),
        (lambda: lif.stationary_rates(NET, n_grid=10**12), "n_grid = 1000000000000"),
        (lambda: lif.brunel_rates(5.0, 2.0, n_grid=10**12), "n_grid = 1000000000000"),
        (lambda: lif.asynchronous_stability(NET, f_max=1e300), r"f_max / df"),
        (lambda: lif.asynchronous_stability(NET, df=1e-300), r"f_max / df"),
        (lambda: lif.siegert(1 + 1j, 5.0), r"mu \(mV\) must be real"),
        (lambda: lif.cv_isi(15.0, object()), r"sigma \(mV\)"),
        (lambda: lif.brunel_rates(1 + 1j, 2.0), "g must be real"),
        (lambda: lif.input_statistics(NET, [1 + 1j, 2.0]), r"rates \(Hz\) must be real"),
        (lambda: lif.asynchronous_stability(NET, rates=[1 + 1j, 2.0]), r"rates \(Hz\)"),
        (lambda: lif.brunel_phase_diagram(np.nan, 2.0), "g and eta must be finite"),
    ],
)
def test_refused_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_cv_of_a_silent_noise_free_neuron_warns():
    """sigma = 0 below threshold: no intervals, the CV is undefined (NaN) and a warning
    says why; above threshold the deterministic limit CV = 0."""
    with pytest.warns(RuntimeWarning, match="never fires"):
        assert np.isnan(lif.cv_isi(15.0, 0.0))
    assert lif.cv_isi(25.0, 0.0) == 0.0
