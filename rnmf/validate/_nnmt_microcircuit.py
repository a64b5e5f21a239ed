"""Reference values of the Potjans & Diesmann (2014) microcircuit computed by NNMT 1.3.0
(Layer et al. 2022, Front Neuroinform 16:835657), used as oracles by the ``lif`` suite and
the tests.  Numbers only; the source of each is named next to it.
"""

from __future__ import annotations

import dataclasses

from rnmf.models import LIFNetwork

__all__ = ["NNMT_K", "NNMT_SHIFT", "NNMT_TAYLOR", "nnmt_microcircuit"]

# NNMT 1.3.0, tests/fixtures/integration/config/network_params.yaml: the in-degree table
# NNMT computed for the microcircuit (its K differs from the probability formula on PD2014's
# 4-digit probabilities by up to 3.4e-5, see tests/rnmf/test_models_lif.py), used as input
# so that the rates can be compared to 1e-10.
NNMT_K = [
    [2199.86486, 1079.32007, 979.241261, 467.578108, 159.240826, 0.0, 109.819852, 0.0],
    [2990.00583, 860.261056, 703.691807, 289.693864, 380.735859, 0.0, 60.5863901, 0.0],
    [159.875428, 34.5225188, 1117.17312, 794.596213, 32.6043349, 0.319552818, 667.325211, 0.0],
    [1480.97354, 16.9432378, 1813.02026, 953.325789, 16.0313926, 0.0, 1608.12283, 0.0],
    [2188.36598, 374.651134, 1135.62969, 31.3195876, 420.770722, 496.471959, 296.694639, 0.0],
    [1165.66761, 159.083568, 570.579343, 12.0666667, 300.095775, 404.17277, 124.332394, 0.0],
    [325.197985, 38.632025, 467.354637, 91.7147621, 285.670372, 21.1899271, 581.635915, 752.183189],
    [766.90502, 5.83683853, 74.6380597, 2.74016282, 136.240841, 8.55427408, 979.791723, 459.402985],
]
# NNMT 1.3.0, tests/fixtures/integration/data/std_results.h5: results/lif.exp.firing_rates
# (method 'shift') and results/lif.exp.firing_rates_taylor, in Hz.
NNMT_SHIFT = [
    0.7541882710402381,
    2.793708418630585,
    4.440218515760572,
    5.8229255634154065,
    7.1535879270500695,
    8.469816001503794,
    1.1597371641459084,
    7.75571581448936,
]
NNMT_TAYLOR = [
    0.7090197125327024,
    2.7482135760599107,
    4.561949255400232,
    5.788236662751658,
    7.278345898431579,
    8.468109916323192,
    1.0637465415790575,
    7.657477736075193,
]


def nnmt_microcircuit() -> LIFNetwork:
    """PD2014 as NNMT models it: no weight spread (NNMT's mean/std input ignore it)."""
    return dataclasses.replace(LIFNetwork.microcircuit(J_sd=0.0), K=NNMT_K)
