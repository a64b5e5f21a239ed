"""Result base class, solver status and the convergence error.

Every solver returns a frozen dataclass derived from :class:`Result`.  A solver
that does not converge raises :class:`ConvergenceError` carrying the partial
result, unless the caller passed ``raise_on_failure=False``; a wrong answer is
never returned silently.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

__all__ = ["ConvergenceError", "Result", "Status", "finish"]


class Status(enum.Enum):
    """Outcome of a solver."""

    CONVERGED = "converged"
    MAX_ITER = "maximum iterations reached"
    TOLERANCE = "tolerance not reached"
    NO_SOLUTION = "no solution in the searched range"
    INVALID = "invalid (numerical breakdown)"

    def __str__(self) -> str:
        return self.value


class ConvergenceError(RuntimeError):
    """Raised when a solver fails; ``.result`` holds the partial result."""

    def __init__(self, message: str, result: Result | None = None) -> None:
        super().__init__(message)
        self.result = result


def _fmt(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return f"{float(value):.10g}"
    if isinstance(value, np.ndarray):
        if value.size == 0:
            return "[]"
        if value.ndim == 1 and value.size <= 4:
            return "[" + ", ".join(f"{v:.6g}" for v in value) + "]"
        return f"array{value.shape} [{np.nanmin(value):.4g} .. {np.nanmax(value):.4g}]"
    if isinstance(value, tuple | list) and len(value) > 4:
        return f"{type(value).__name__} of {len(value)}"
    if hasattr(value, "describe"):
        return value.describe()
    text = repr(value)
    return text if len(text) < 70 else text[:67] + "..."


@dataclass(frozen=True, kw_only=True, repr=False)
class Result:
    """Fields shared by every result.

    Attributes
    ----------
    model : object
        The model that was solved or simulated.
    method : str
        The algorithm used.
    options : Mapping
        The keyword options it ran with.
    converged : bool
        Whether the tolerance was reached.
    status : Status
        Outcome, with the reason for failure.
    n_iter : int
        Iterations (or function evaluations) used.
    residual : float
        Final residual of the defining equations.
    """

    model: Any
    method: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    converged: bool = True
    status: Status = Status.CONVERGED
    n_iter: int = 0
    residual: float = 0.0

    _base_hidden = ("model", "options")

    def _repr_rows(self) -> list[tuple[str, str]]:
        rows = []
        for f in fields(self):
            if f.name in self._base_hidden or f.name.startswith("_"):
                continue
            rows.append((f.name, _fmt(getattr(self, f.name))))
        return rows

    def __repr__(self) -> str:
        rows = self._repr_rows()
        width = max((len(k) for k, _ in rows), default=0)
        head = type(self).__name__
        if self.model is not None:
            head += f"  [{_fmt(self.model)}]"
        lines = [head] + [f"  {k:<{width}}  {v}" for k, v in rows]
        return "\n".join(lines)

    __str__ = __repr__


def finish(result: Result, raise_on_failure: bool) -> Result:
    """Return ``result``, or raise :class:`ConvergenceError` if it did not converge."""
    if not result.converged and raise_on_failure:
        raise ConvergenceError(
            f"{type(result).__name__} did not converge ({result.status}; "
            f"residual {result.residual:.3g} after {result.n_iter} iterations). "
            "Pass raise_on_failure=False to get the partial result.",
            result,
        )
    return result
