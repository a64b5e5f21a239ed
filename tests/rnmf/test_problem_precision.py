"""Phase problem ``precision``: (g, weight bits) theory, boundary and simulation agree."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from rnmf.phase.problems import PROBLEMS
from rnmf.phase.problems.precision import QuantizedRateNetwork


def test_theory_boundary_consistent():
    P = PROBLEMS["precision"]
    bits = np.array([2.0, 3.0, 6.0])
    gc = P.boundaries["chaos: g_eff = 1"][1](P.model, {"bits": bits})
    below = P.theory(P.model, {"g": gc * 0.97, "bits": bits})
    above = P.theory(P.model, {"g": gc * 1.03, "bits": bits})
    assert np.all(below["regime"] == "quiet") and np.all(above["regime"] == "chaotic")
    assert np.allclose(below["g_eff"], 0.97, rtol=1e-9) and np.allclose(above["g_eff"], 1.03)
    # more bits: closer to the unquantised transition g = 1 (3-sigma clip loses variance)
    assert abs(gc[-1] - 1) < abs(gc[0] - 1)
    sr = dataclasses.replace(P.model, rounding="stochastic")
    assert P.boundaries["chaos: g_eff = 1"][1](sr, {"bits": bits})[0] < gc[0]


def test_simulation_matches_regime():
    P = PROBLEMS["precision"]
    m = QuantizedRateNetwork(N=300, g=1.5, bits=3.0)
    assert m.bits == 3
    out = P.simulation(m, np.random.default_rng(1), T=50.0, burn_in=50.0)
    assert out["regime"] == "chaotic" and out["Delta0"] > 0.1
    q = P.simulation(dataclasses.replace(m, g=0.6), np.random.default_rng(2), T=20.0)
    assert q["regime"] == "quiet"
    with pytest.raises(ValueError, match="bits"):
        QuantizedRateNetwork(bits=2.5)
