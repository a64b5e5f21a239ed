"""Deprecated alias of :mod:`rnmf.validate.lif` (the LIF cross-validation suite).

Import from :mod:`rnmf.validate.lif` instead; this module re-exports its public names and
will be removed in a future release.
"""

from __future__ import annotations

import warnings

from .validate.lif import CV_REL, FREQ_REL, RATE_REL, LIFPoint, lif_points, run_lif

__all__ = ["CV_REL", "FREQ_REL", "RATE_REL", "LIFPoint", "lif_points", "run_lif"]

warnings.warn(
    "rnmf.validate_lif is deprecated; import from rnmf.validate.lif",
    DeprecationWarning,
    stacklevel=2,
)
