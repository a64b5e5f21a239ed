"""Symbolic stability analysis of population rate models (``rnmf.theory.symbolic``).

A :class:`~rnmf.models.populations.PopulationModel` (equations as strings or sympy
expressions, named parameters, transfer functions from a library) goes in; out come its fixed
points (closed form where sympy solves, otherwise every numeric solution found by many starts
and continuation, each with its stability), the Jacobian, the characteristic polynomial, the
Routh–Hurwitz, saddle-node and Hopf conditions, the inhibition-stabilisation and
paradoxical-response conditions -- as sympy expressions, LaTeX, and vectorised NumPy
functions that plug into :func:`rnmf.phase.sweep` (``vectorized=True``).
:func:`mean_field_conditions` derives the random-network and low-rank conditions for a
user's transfer function.

Modules: :mod:`.conditions` (Jacobian and conditions), :mod:`.fixed_points`,
:mod:`.grid` (grids, continuation, boundaries, sweep plug-ins), :mod:`.nullcline` (every
fixed point of a two-population model on a grid, certified, by a one-dimensional scan along a
nullcline), :mod:`.meanfield`,
:mod:`.report` (:func:`derive`, the text of ``rnmf derive``).
"""

from rnmf.models.populations import (
    BUILTIN_MODELS,
    TRANSFER_LIBRARY,
    PopulationModel,
    from_connectivity,
    supralinear_ei,
    threshold_linear_ei,
    wilson_cowan,
)

from .conditions import (
    Condition,
    characteristic_polynomial,
    conditions,
    gain_definitions,
    hopf_condition,
    hurwitz_determinants,
    isn_condition,
    jacobian,
    paradoxical_condition,
    response,
    routh_hurwitz,
    saddle_node_condition,
)
from .fixed_points import ClosedFormSolution, FixedPoint, FixedPoints, closed_form, fixed_points
from .grid import (
    Continuation,
    GridFixedPoints,
    boundary_function,
    continuation,
    locate,
    phase_function,
    solve_grid,
)
from .meanfield import MeanFieldCondition, mean_field_conditions, transfer_from_sympy
from .nullcline import NullclineScan
from .report import derive

__all__ = [
    "BUILTIN_MODELS",
    "TRANSFER_LIBRARY",
    "ClosedFormSolution",
    "Condition",
    "Continuation",
    "FixedPoint",
    "FixedPoints",
    "GridFixedPoints",
    "MeanFieldCondition",
    "NullclineScan",
    "PopulationModel",
    "boundary_function",
    "characteristic_polynomial",
    "closed_form",
    "conditions",
    "continuation",
    "derive",
    "fixed_points",
    "from_connectivity",
    "gain_definitions",
    "hopf_condition",
    "hurwitz_determinants",
    "isn_condition",
    "jacobian",
    "locate",
    "mean_field_conditions",
    "paradoxical_condition",
    "phase_function",
    "response",
    "routh_hurwitz",
    "saddle_node_condition",
    "solve_grid",
    "supralinear_ei",
    "threshold_linear_ei",
    "transfer_from_sympy",
    "wilson_cowan",
]
