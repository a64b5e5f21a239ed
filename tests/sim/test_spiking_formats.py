"""Tests of the LIF simulator in emulated number formats (``simulate_lif(fmt=...)``).

Oracles: the slow NumPy twin :func:`rnmf.sim._reference_lif.reference_lif_format`
(same network and random bits, vectorised rounding of
:mod:`rnmf.sim._reference_formats`), the native float64 kernel (a float64
"emulation" rounds nothing and must agree bit for bit), and the definition of
saturating fixed point (ISO/IEC TR 18037 Sec. 4.1: every stored value in range).
"""

from __future__ import annotations

import numpy as np
import pytest

from rnmf.models import LIFNetwork
from rnmf.sim._reference_lif import reference_lif_format
from rnmf.sim.formats import MixedPrecision, NumberFormat, as_precision, get_format
from rnmf.sim.spiking import _prepare, simulate_lif


def small_brunel(**kw):
    return LIFNetwork.brunel(5.0, 2.0, N_E=80, epsilon=0.1, **kw)


def _compare(net, fmt, T=25.0, seed=5):
    res = simulate_lif(net, T, rng=seed, fmt=fmt, record_units="all", progress=False)
    setup, _ = _prepare(net, T, 0.1, np.random.default_rng(seed), None)
    ref = reference_lif_format(setup, as_precision(fmt), seed)
    assert res.n_spikes > 20
    np.testing.assert_array_equal(res.senders, ref["senders"])
    np.testing.assert_array_equal(res.times, (ref["steps"] + 1.0) * 0.1)
    np.testing.assert_array_equal(res.V, ref["V"])
    assert res.n_overflow == ref["n_overflow"]
    assert res.n_overflow_ring == ref["n_overflow_ring"]
    return res


@pytest.mark.parametrize(
    "net",
    [small_brunel(), small_brunel(tau_s=2.0, delay_max=3.0)],
    ids=["delta", "exp-delays"],
)
@pytest.mark.parametrize(
    "fmt",
    ["bf16", "fp16-sr", MixedPrecision.uniform("bf16-sr"), "Q(7,10)"],
    ids=["bf16", "fp16-sr", "uniform-bf16-sr", "Q(7,10)"],
)
def test_kernel_matches_numpy_twin(net, fmt):
    """Kernel == NumPy twin bit for bit (spikes, every V, overflow counts)."""
    _compare(net, fmt)


def test_overflow_counters_match_twin():
    """A saturating Q(3, 4) state (range [-8, 7.94] mV; V_th saturates to 7.94 too)
    overflows; kernel and twin count the same."""
    net = small_brunel(mu_ext=(10.0, 10.0))
    res = _compare(net, NumberFormat.fixed(3, 4, rounding="stochastic"), T=4.0)
    assert res.n_overflow > 0
    assert np.all(np.abs(res.V) <= 8.0)


def test_float64_emulation_equals_native_kernel():
    """Emulating float64 rounds nothing: identical to the native float64 path."""
    net = small_brunel(tau_s=2.0)
    a = simulate_lif(net, 40.0, rng=2, record_units="all", progress=False)
    b = simulate_lif(net, 40.0, rng=2, fmt=get_format("float64"), record_units="all",
                     progress=False)  # fmt: skip
    np.testing.assert_array_equal(a.V, b.V)
    np.testing.assert_array_equal(a.senders, b.senders)
    assert b.n_overflow == 0 and a.fmt == "float64"


def test_stochastic_rounding_reproducible_by_seed():
    net = small_brunel()
    runs = [
        simulate_lif(net, 30.0, rng=s, fmt="bf16-sr", record_units="all", progress=False)
        for s in (4, 4, 5)
    ]
    np.testing.assert_array_equal(runs[0].V, runs[1].V)
    assert not np.array_equal(runs[0].V, runs[2].V)
    assert "stochastic" in runs[0].fmt


def test_bf16_state_values_are_bf16():
    """Every stored V is a bfloat16 number (rounding it again changes nothing)."""
    from rnmf.sim.formats import quantize

    res = simulate_lif(small_brunel(), 20.0, rng=1, fmt="bf16", record_units="all",
                       progress=False)  # fmt: skip
    np.testing.assert_array_equal(quantize(res.V, "bf16"), res.V)
    native = simulate_lif(small_brunel(), 20.0, rng=1, record_units="all", progress=False)
    assert not np.array_equal(quantize(native.V, "bf16"), native.V)


def test_bad_format_rejected():
    with pytest.raises(ValueError, match="fmt must be"):
        simulate_lif(small_brunel(), 1.0, fmt="float128")
