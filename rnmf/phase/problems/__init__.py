"""Built-in phase-diagram problems: a theory and a simulation of the same model.

Each problem pairs a vectorised theory function (for :func:`rnmf.phase.sweep` with
``vectorized=True``), a simulation function (``fn(model, rng)``, for
``seeds=k``), a theory boundary (the transition condition solved directly), and a
default model.  ``rnmf phase MODEL`` looks problems up here by name.  Like
:mod:`rnmf.validate`, this package is a place where theory meets simulation.

One file per model family (:mod:`~rnmf.phase.problems.rate`,
:mod:`~rnmf.phase.problems.lowrank`, :mod:`~rnmf.phase.problems.lif`), each
defining ``PROBLEM``, the keyword arguments of its :class:`Problem`.  A new model
family is a new file here plus one line in ``_FAMILIES``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from . import lif, lowrank, rate

__all__ = ["PROBLEMS", "Problem"]


@dataclass(frozen=True)
class Problem:
    """A model with its theory, simulation and transition for phase diagrams."""

    name: str
    model: Any
    theory: Callable[..., Any]
    simulation: Callable[..., Any] | None = None
    boundaries: Mapping[str, tuple[str, Callable[[Any], float]]] = field(default_factory=dict)
    label_field: str = "regime"
    description: str = ""

    def base(self, **overrides: Any) -> Any:
        """The default model with fields replaced (validated by the model)."""
        return replace(self.model, **overrides) if overrides else self.model


#: The model families, one line each (a module defining ``PROBLEM``).
_FAMILIES = (
    rate,
    lowrank,
    lif,
)

#: The problems of ``rnmf phase MODEL``, by name.
PROBLEMS: dict[str, Problem] = {
    family.PROBLEM["name"]: Problem(**family.PROBLEM) for family in _FAMILIES
}
