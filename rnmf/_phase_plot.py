"""Deprecated alias of :mod:`rnmf.phase.plotting` (phase-diagram figures).

Re-exports :func:`~rnmf.phase.plotting.plot_phase`,
:func:`~rnmf.phase.plotting.regime_colors` and
:data:`~rnmf.phase.plotting.REGIME_COLORS`; importing it emits a
:class:`DeprecationWarning`.  Import from :mod:`rnmf.phase.plotting` or
:mod:`rnmf.plotting` instead.
"""

from __future__ import annotations

import warnings

from rnmf.phase.plotting import REGIME_COLORS, plot_phase, regime_colors

__all__ = ["REGIME_COLORS", "plot_phase", "regime_colors"]

warnings.warn(
    "rnmf._phase_plot is deprecated; import from rnmf.phase.plotting (or rnmf.plotting) instead",
    DeprecationWarning,
    stacklevel=2,
)
