"""Deprecated alias of :mod:`rnmf.validate.lowrank` (the low-rank cross-validation suite).

Import from :mod:`rnmf.validate.lowrank` instead; this module re-exports its public names and
will be removed in a future release.
"""

from __future__ import annotations

import warnings

from .validate.lowrank import (
    CHAOS0_POINT,
    CHAOS_POINT,
    MIXTURE_COV,
    MIXTURE_G,
    MIXTURE_MEANS,
    MIXTURE_WEIGHTS,
    QUIET_POINT,
    REFERENCE_POINT,
    classify_trajectory,
    kappa_vs_g_figure,
    phase_diagram_figure,
    run_lowrank,
)

__all__ = [
    "CHAOS0_POINT",
    "CHAOS_POINT",
    "MIXTURE_COV",
    "MIXTURE_G",
    "MIXTURE_MEANS",
    "MIXTURE_WEIGHTS",
    "QUIET_POINT",
    "REFERENCE_POINT",
    "classify_trajectory",
    "kappa_vs_g_figure",
    "phase_diagram_figure",
    "run_lowrank",
]

warnings.warn(
    "rnmf.validate_lowrank is deprecated; import from rnmf.validate.lowrank",
    DeprecationWarning,
    stacklevel=2,
)
