"""A printable derivation of a population model: equations, fixed points, conditions."""

from __future__ import annotations

import sympy as sp

from rnmf.models.populations import PopulationModel

from .conditions import conditions, gain_definitions, jacobian
from .fixed_points import fixed_points

__all__ = ["derive"]


def derive(model: PopulationModel, *, latex: bool = False, n_starts: int = 64) -> str:
    """The model, its Jacobian, every condition and every fixed point (with the conditions'
    values there), as text (``latex=False``) or as LaTeX lines (``latex=True``).

    Raises :class:`rnmf.results.ConvergenceError` when no fixed point is found.
    """
    if not isinstance(model, PopulationModel):
        raise TypeError(f"expected a PopulationModel, got {type(model).__name__}")
    show = sp.latex if latex else sp.sstr
    lines = [f"# {model.describe()}", "", "## Equations"]
    for st, tau, rhs in zip(model.states, model.taus, model.rhs_generic, strict=True):
        if latex:
            lines.append(f"{sp.latex(tau)}\\,\\dot{{{sp.latex(st)}}} = {sp.latex(rhs)}")
        else:
            lines.append(f"{sp.sstr(tau)} * d({st})/dt = {sp.sstr(rhs)}")
    for name, lam in model.transfer_functions.items():
        lines.append(f"{name}(x) = {show(lam.expr.xreplace({lam.variables[0]: sp.Symbol('x')}))}")
    lines.append("parameters: " + ", ".join(f"{k}={v:g}" for k, v in model.params.items()))
    lines += ["", "## Jacobian A = diag(1/tau) dF/dr", show(jacobian(model))]
    defs = gain_definitions(model)
    for gsym, d in defs.items():
        lines.append(f"{show(gsym)} = {show(d)}")
    conds = conditions(model) if model.P <= 4 else {}
    lines += ["", "## Conditions"]
    for name, c in conds.items():
        text = c.latex() if latex else str(c)
        lines.append(f"{name}: {text}" if latex else text)
        if c.reference:
            lines.append(f"    [{c.reference}]")
    res = fixed_points(model, n_starts=n_starts)
    lines += ["", f"## Fixed points ({res.method})"]
    for k, pt in enumerate(res.points):
        lines.append(f"#{k}: {pt!r}")
        vals = []
        for name, c in conds.items():
            v = float(c.function()(pt.state[:, None])[0])
            vals.append(f"{name}={v:.6g}")
        if vals:
            lines.append("    " + ", ".join(vals))
    return "\n".join(lines)
