"""The rows and the report of a cross-validation: :class:`Check` and :class:`Report`.

A :class:`Check` records one prediction, the simulation mean over independent
networks (seeds), its standard error, and the tolerance rule

.. math:: |\\text{sim} - \\text{theory}| \\le z\\,\\text{sem} + c\\,|\\text{theory}|/N^{\\text{order}} + a

(statistical error, finite-size allowance of a stated order, absolute floor; the
terms are the functions of :mod:`rnmf.validate.tolerance`).  A :class:`Report`
collects checks and figures and renders them as a terminal table, a markdown
file and PNG figures.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._checks import ArgumentTypeError
from .tolerance import finite_size_term

__all__ = ["Check", "Report"]


@dataclass(frozen=True)
class Check:
    """One row of a cross-validation report.

    Attributes
    ----------
    quantity : str
        What is compared, e.g. ``"Delta0"``.
    params : str
        The model parameters in words.
    theory : float
        The prediction (N -> infinity).
    sim : float
        Mean of the simulation estimates over ``n_seeds`` independent networks.
    sem : float
        Standard error of that mean (:func:`rnmf.validate.tolerance.sem`).
    n_seeds : int
        Number of independent networks.
    N : int
        Network size used.
    z : float
        Multiple of the standard error allowed.
    finite_size : float
        Coefficient ``c`` of the finite-size allowance.
    order : float
        Exponent of the finite-size allowance: ``c |theory| / N**order``
        (:func:`rnmf.validate.tolerance.finite_size_term`).
    floor : float
        Absolute allowance (for predictions that vanish).
    note : str
        Why this tolerance (which finite-size effect it covers).
    samples : tuple
        The per-network estimates behind ``sim`` (not compared, not shown).
    """

    quantity: str
    params: str
    theory: float
    sim: float
    sem: float
    n_seeds: int
    N: int
    z: float = 3.0
    finite_size: float = 0.0
    order: float = 0.5
    floor: float = 0.0
    note: str = ""
    samples: tuple = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        # numbers only (NaN allowed: a missing prediction or simulation is a failed row);
        # a number given as a string would compare as text or fail deep in the arithmetic
        for name in ("theory", "sim", "sem", "n_seeds", "N", "z", "finite_size", "order", "floor"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Real) or isinstance(value, bool):
                raise ArgumentTypeError(
                    f"Check.{name} must be a real number, got {value!r} of type "
                    f"{type(value).__name__}"
                )

    @property
    def error(self) -> float:
        """``sim - theory``."""
        return self.sim - self.theory

    @property
    def rel_error(self) -> float:
        """``|sim - theory| / |theory|`` (inf when the theory is zero)."""
        if self.theory == 0:
            return math.inf if self.error else 0.0
        return abs(self.error) / abs(self.theory)

    @property
    def allowed(self) -> float:
        """The largest ``|sim - theory|`` that passes: ``z sem + c |theory| / N**order + floor``."""
        if not math.isfinite(self.theory):  # no prediction: the row fails, nothing to scale
            return math.nan
        fs = finite_size_term(self.finite_size, self.theory, self.N, self.order)
        return self.z * self.sem + fs + self.floor

    @property
    def passed(self) -> bool:
        """Whether the simulation agrees with the theory within :attr:`allowed`."""
        return bool(np.isfinite(self.sim) and abs(self.error) <= self.allowed)

    def row(self) -> list[str]:
        """The row as strings, for tables."""
        rel = "-" if not math.isfinite(self.rel_error) else f"{100 * self.rel_error:.2f}%"
        return [
            self.quantity,
            self.params,
            f"{self.theory:.5g}",
            f"{self.sim:.5g} ± {self.sem:.2g}",
            rel,
            f"{self.allowed:.3g}",
            "PASS" if self.passed else "FAIL",
        ]


_HEADER = [
    "quantity",
    "parameters",
    "theory",
    "simulation (mean ± sem)",
    "rel. err",
    "allowed |Δ|",
    "",
]


def _table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)
    ]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


@dataclass
class Report:
    """A set of checks, their figures, and how they are rendered.

    Attributes
    ----------
    checks : list of Check
    figures : dict
        Name -> matplotlib Figure, written by :meth:`write`.
    meta : dict
        Run information (seed, sizes, duration, versions).
    """

    checks: list[Check] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True when every check passed."""
        return all(c.passed for c in self.checks)

    @property
    def n_failed(self) -> int:
        """Number of failing checks."""
        return sum(not c.passed for c in self.checks)

    def table(self) -> str:
        """Plain-text table for a terminal."""
        return _table([c.row() for c in self.checks], _HEADER)

    def markdown(self) -> str:
        """The report as markdown: a table, the tolerance rule, the figures."""
        lines = ["# rnmf validation report", ""]
        for key, value in self.meta.items():
            lines.append(f"- **{key}**: {value}")
        lines += [
            "",
            f"**{len(self.checks) - self.n_failed} of {len(self.checks)} checks passed.**",
            "",
            "A check passes when |sim - theory| <= z sem + c |theory| / N^order + floor: the standard "
            "error over independent networks (seeds) plus a finite-size allowance of the stated order.",
            "",
            "| " + " | ".join(_HEADER[:-1] + ["result"]) + " | note |",
            "|" + "---|" * (len(_HEADER) + 1),
        ]
        for c in self.checks:
            lines.append("| " + " | ".join(c.row()) + f" | {c.note} |")
        if self.figures:
            lines += ["", "## Figures", ""]
            for name in self.figures:
                lines.append(f"![{name}]({name}.png)")
                lines.append("")
        return "\n".join(lines) + "\n"

    def write(self, out: str | os.PathLike) -> Path:
        """Write ``report.md`` and the figures (PNG) to the folder ``out``."""
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        for name, fig in self.figures.items():
            fig.savefig(folder / f"{name}.png", dpi=110, bbox_inches="tight")
        path = folder / "report.md"
        path.write_text(self.markdown())
        return path
