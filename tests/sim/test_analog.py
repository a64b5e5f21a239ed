"""Analog preset (rnmf.sim.analog): few-bit weights, frozen mismatch, and the g_eff it implies.

Oracle: the exact Gaussian-bin moments of rnmf.theory.precision with the gain-mismatch
factor E(1 + s xi)^2 = 1 + s^2.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnmf.models import RateNetwork
from rnmf.sim import sample_couplings
from rnmf.sim.analog import AnalogPreset, analog
from rnmf.theory.precision import effective_network


def test_levels_and_factors():
    pre = analog(bits=3, mismatch=0.2, clip=2.0)
    J = np.random.default_rng(0).standard_normal((400, 400))
    Ja = pre.couplings(J, rng=1)
    f = pre.factors(100_000, rng=2)
    assert f.mean() == pytest.approx(1.0, abs=0.003) and f.std() == pytest.approx(0.2, rel=0.02)
    no_mm = analog(bits=3, mismatch=0.0, clip=2.0).couplings(J, rng=1)
    assert len(np.unique(no_mm)) <= 7  # codes -3..3
    assert np.array_equal(Ja, pre.couplings(J, rng=1))  # frozen: same seed, same chip
    assert pre.parameters(20.0, 5, rng=3).shape == (5,)
    with pytest.raises(ValueError, match="mismatch"):
        AnalogPreset(mismatch=1.5)
    with pytest.raises(ValueError, match="bits"):
        analog(bits=1)


def test_coupling_variance_matches_g_eff():
    net = RateNetwork(N=1500, g=1.2)
    J = sample_couplings(net, 5)
    pre = analog(bits=3, mismatch=0.25, clip=2.5)
    Ja = pre.couplings(J, rng=6)
    step = pre.step(J)
    eff, _ = effective_network(net, step=step, gain_mismatch=0.25)
    # the theory's grid has no clipping: compare with a large clip for the variance part
    g_sim = math.sqrt(net.N * Ja.var())
    mom_clip = effective_network(net, bits=3, clip=2.5 * float(np.std(J)) * math.sqrt(net.N) / net.g,
                                 gain_mismatch=0.25)[0]  # fmt: skip
    assert g_sim == pytest.approx(mom_clip.g, rel=0.01)
    assert eff.g > mom_clip.g  # clipping removes variance
