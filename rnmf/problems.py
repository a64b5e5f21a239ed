"""Deprecated alias of :mod:`rnmf.phase.problems` (the built-in phase-diagram problems).

The problems moved to :mod:`rnmf.phase.problems`, one file per model family
(:mod:`~rnmf.phase.problems.rate`, :mod:`~rnmf.phase.problems.lowrank`,
:mod:`~rnmf.phase.problems.lif`).  This module re-exports them under their old
names, so that code and sweep stores or ``.npz`` files that name them by their old
qualified names (``rnmf.problems.rate_theory``, ``rnmf.problems.RankOneParams``)
still resolve; importing it emits a :class:`DeprecationWarning`.
"""

from __future__ import annotations

import warnings

from rnmf.phase.problems import PROBLEMS, Problem
from rnmf.phase.problems import lif as _lif
from rnmf.phase.problems import lowrank as _lowrank
from rnmf.phase.problems.lif import BrunelParams, lif_simulation, lif_theory
from rnmf.phase.problems.lowrank import RankOneParams, lowrank_simulation, lowrank_theory
from rnmf.phase.problems.rate import (
    rate_boundary,
    rate_local_stability,
    rate_simulation,
    rate_theory,
)

__all__ = [
    "PROBLEMS",
    "BrunelParams",
    "Problem",
    "RankOneParams",
    "lif_simulation",
    "lif_theory",
    "lowrank_simulation",
    "lowrank_theory",
    "rate_boundary",
    "rate_local_stability",
    "rate_simulation",
    "rate_theory",
]

# the boundary helpers under their old qualified names as well
_balance_line = _lif._balance_line
_lowrank_g_bb = _lowrank._lowrank_g_bb
_lowrank_g_chaos = _lowrank._lowrank_g_chaos

warnings.warn(
    "rnmf.problems is deprecated; import from rnmf.phase.problems "
    "(rnmf.phase.problems.rate, .lowrank, .lif) instead",
    DeprecationWarning,
    stacklevel=2,
)
