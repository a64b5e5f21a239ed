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

import dataclasses
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from . import driven, ei, lif, lowrank, populations, precision, rate, rmf

__all__ = ["PROBLEMS", "Problem"]


@dataclass(frozen=True)
class Problem:
    """A model with its theory, simulation and transition for phase diagrams.

    Attributes
    ----------
    name, model, theory, simulation, boundaries, label_field, description
        The registry entry: ``rnmf phase NAME`` sweeps ``theory`` (vectorised) over
        fields of ``model`` (the defaults), overlays ``simulation`` (``fn(model,
        rng)``), draws ``boundaries`` and colours by ``label_field``.
    sweepable : tuple of str, optional
        Fields the theory can vary (``--vary``); None: every numeric field of the model.
    outputs : mapping of str to str
        Theory output fields and what they hold (``--field``); empty: not declared.
    sim_outputs : mapping of str to str
        Simulation output fields and what they hold.
    sim_cost : callable, optional
        ``sim_cost(model) -> seconds``: estimated time of one simulation run.
    example : str
        A command line shown at the end of ``rnmf phase NAME --help``.
    """

    name: str
    model: Any
    theory: Callable[..., Any]
    simulation: Callable[..., Any] | None = None
    boundaries: Mapping[str, tuple[str, Callable[[Any], float]]] = field(default_factory=dict)
    label_field: str = "regime"
    description: str = ""
    sweepable: tuple[str, ...] | None = None
    outputs: Mapping[str, str] = field(default_factory=dict)
    sim_outputs: Mapping[str, str] = field(default_factory=dict)
    sim_cost: Callable[[Any], float] | None = None
    example: str = ""

    def base(self, **overrides: Any) -> Any:
        """The default model with fields replaced (validated by the model)."""
        return replace(self.model, **overrides) if overrides else self.model

    def settable(self) -> dict[str, Any]:
        """Fields of the model that ``--set`` can change, with their defaults."""
        return {
            f.name: getattr(self.model, f.name) for f in dataclasses.fields(self.model) if f.init
        }

    def sweepable_fields(self) -> tuple[str, ...]:
        """Fields the theory can vary (``--vary``)."""
        if self.sweepable is not None:
            return tuple(self.sweepable)
        return tuple(
            k
            for k, v in self.settable().items()
            if isinstance(v, numbers.Real) and not isinstance(v, bool)
        )


#: The model families, one line each (a module defining ``PROBLEM``).
_FAMILIES = (
    rate,
    lowrank,
    lif,
    populations,
    rmf,
    precision,
    ei,
    driven,
)

#: The problems of ``rnmf phase MODEL``, by name.
PROBLEMS: dict[str, Problem] = {
    family.PROBLEM["name"]: Problem(**family.PROBLEM) for family in _FAMILIES
}
