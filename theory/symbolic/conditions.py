r"""Jacobian, characteristic polynomial and the stability and bifurcation conditions of a
:class:`~rnmf.models.populations.PopulationModel`, as sympy expressions and as vectorised
functions.

Linearising :math:`\tau_k\dot r_k = F_k(r; p)` at a fixed point :math:`r^*` gives
:math:`\dot{\delta r} = A\,\delta r` with :math:`A = \mathrm{diag}(1/\tau)\,\partial F/\partial r`.
With the characteristic polynomial :math:`\det(\lambda - A) = \lambda^P + a_1\lambda^{P-1} +
\dots + a_P`, the fixed point is stable iff all Hurwitz determinants
:math:`\Delta_1, \dots, \Delta_P` of :math:`(a_k)` are positive (Routh–Hurwitz criterion;
Gantmacher 1959, The Theory of Matrices vol. 2, ch. XV sec. 6).  A real eigenvalue
crosses zero where :math:`a_P = (-1)^P\det A = 0` (saddle-node); a complex pair crosses the
imaginary axis where :math:`\Delta_{P-1} = 0` with :math:`a_P > 0` and the lower determinants
positive (Hopf; Orlando's formula, Gantmacher ch. XV sec. 7).  For P = 2 these are
:math:`\det A = 0` and :math:`\mathrm{tr}\,A = 0,\ \det A > 0`.

Every :class:`Condition` holds its sympy expression (in the states and the parameters),
its LaTeX form and a lambdified NumPy function ``cond(states, **params)`` that broadcasts over
arrays (the form the vectorised phase sweep needs; see :mod:`rnmf.theory.symbolic.grid`).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from rnmf.models.populations import PopulationModel

__all__ = [
    "Condition",
    "characteristic_polynomial",
    "gain_definitions",
    "conditions",
    "hopf_condition",
    "hurwitz_determinants",
    "isn_condition",
    "jacobian",
    "paradoxical_condition",
    "response",
    "routh_hurwitz",
    "saddle_node_condition",
]

#: symbol of the characteristic polynomial
LAMBDA = sp.Symbol("lambda")
_MAX_SYMBOLIC_P = 4


def _check(model: Any) -> PopulationModel:
    if not isinstance(model, PopulationModel):
        raise TypeError(
            f"expected a PopulationModel (rnmf.models.populations), got {type(model).__name__}"
        )
    return model


@dataclass(frozen=True)
class Condition:
    r"""A condition on a fixed point: ``expr RELATION 0``.

    Attributes
    ----------
    name : str
        Short name ("saddle-node", "Hopf", "ISN", ...).
    expr : sympy expression
        In the model's states and parameters.
    relation : {"= 0", "> 0", "< 0"}
        ``"= 0"`` marks a boundary (bifurcation), ``"> 0"``/``"< 0"`` a region.
    model : PopulationModel
        The model it was derived for.
    side : tuple of (sympy expression, relation)
        Side conditions that must also hold (e.g. det A > 0 on a Hopf line).
    definitions : dict of sympy.Symbol to expression
        The gains :math:`f'` that ``expr`` is written in (e.g. ``f_E'``), each the
        derivative of a transfer function at its argument (states and parameters).
    meaning : str
        One line: what the condition says.
    reference : str
        The paper and equation (or section) behind it.
    """

    name: str
    expr: Any
    relation: str
    model: PopulationModel = field(repr=False)
    side: tuple[tuple[Any, str], ...] = ()
    meaning: str = ""
    reference: str = ""
    definitions: Mapping[Any, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.relation not in ("= 0", "> 0", "< 0"):
            raise ValueError(
                f"Condition.relation must be '= 0', '> 0' or '< 0', got {self.relation!r}"
            )

    @property
    def symbols(self) -> tuple[Any, ...]:
        """Arguments of :meth:`function`: the states, then the parameters."""
        return (*self.model.states, *self.model.parameter_symbols)

    def latex(self, *, definitions: bool = True) -> str:
        """LaTeX of ``expr RELATION 0`` with the side conditions (and the gains' definitions)."""
        out = f"{sp.latex(self.expr)} {self.relation}"
        for e, r in self.side:
            out += f",\\quad {sp.latex(e)} {r}"
        if definitions:
            used = self.expr.free_symbols | set().union(*(e.free_symbols for e, _ in self.side))
            for g, d in self.definitions.items():
                if g in used:
                    out += f",\\quad {sp.latex(g)} = {sp.latex(d)}"
        return out

    def concrete(self) -> Any:
        """``expr`` in the states and parameters only (the gains substituted)."""
        return _concrete(self.model, self.expr, self.definitions)

    def function(self) -> Any:
        """``f(states, **params) -> array``: the expression, lambdified and vectorised.

        ``states`` has shape ``(P, ...)``; each parameter (default: the model's value)
        broadcasts against ``states[0]``.
        """
        return _vectorise(self.model, self.expr, self.definitions)

    def side_function(self) -> Any:
        """``f(states, **params) -> bool array``: all side conditions hold."""
        fns = [(_vectorise(self.model, e, self.definitions), r) for e, r in self.side]

        def f(states: np.ndarray, **params: Any) -> np.ndarray:
            ok = np.ones(np.shape(states)[1:], dtype=bool)
            for fn, r in fns:
                v = fn(states, **params)
                ok &= (v > 0) if r == "> 0" else (v < 0) if r == "< 0" else np.isclose(v, 0.0)
            return ok

        return f

    def __str__(self) -> str:
        side = "".join(f", {sp.sstr(e)} {r}" for e, r in self.side)
        return f"{self.name}: {sp.sstr(self.expr)} {self.relation}{side}"


def _vectorise(
    model: PopulationModel, expr: Any, definitions: Mapping[Any, Any] | None = None
) -> Any:
    """Lambdify ``expr`` in stages: each defined symbol (gains, characteristic-polynomial
    coefficients) is evaluated first from the states, the parameters and the symbols before
    it, so that large conditions (P >= 3) never become one enormous expression."""
    remaining = {k: v for k, v in (definitions or {}).items()}
    order = []
    while remaining:
        ready = [k for k, v in remaining.items() if not (v.free_symbols & set(remaining))]
        if not ready:
            raise ValueError("circular definitions in a condition")
        for k in sorted(ready, key=str):
            order.append((k, remaining.pop(k)))
    known = [*model.states, *model.parameter_symbols]
    stages = []
    for k, v in order:
        stages.append(sp.lambdify(known, _concrete(model, v, {}), "numpy", cse=True))
        known.append(k)
    final = sp.lambdify(known, _concrete(model, expr, {}), "numpy", cse=True)

    def fn(*args: Any) -> Any:
        vals = list(args)
        for st in stages:
            vals.append(st(*vals))
        return final(*vals)

    names = list(model.params)
    defaults = dict(model.params)

    def f(states: np.ndarray, **params: Any) -> np.ndarray:
        unknown = set(params) - set(names)
        if unknown:
            raise ValueError(f"unknown parameter {sorted(unknown)[0]!r}; have {', '.join(names)}")
        vals = {**defaults, **params}
        st = np.asarray(states, dtype=float)
        if st.shape[0] != model.P:
            raise ValueError(f"states must have shape (P={model.P}, ...), got {st.shape}")
        with np.errstate(all="ignore"):
            out = fn(*st, *(vals[n] for n in names))
        return np.broadcast_to(
            np.asarray(out, dtype=float),
            np.broadcast_shapes(st.shape[1:], *(np.shape(vals[n]) for n in names)),
        ).copy()

    return f


def _tidy(expr: Any) -> Any:
    """A cheap tidy-up: factor polynomial expressions, leave transcendental ones as they are
    (sympy's simplify can take minutes on exponentials)."""
    if expr.has(sp.exp, sp.Piecewise, sp.tanh, sp.erf, sp.log) or sp.count_ops(expr) > 300:
        return expr  # transcendental or large (P >= 3 with many couplings): factoring is slow
    try:
        return sp.factor(expr)
    except sp.PolynomialError:  # pragma: no cover - non-rational input
        return expr


def _concrete(model: PopulationModel, expr: Any, definitions: Mapping[Any, Any]) -> Any:
    out = expr
    for _ in range(4):  # nested definitions (coefficients written in gains)
        if not definitions or not (out.free_symbols & set(definitions)):
            break
        out = out.xreplace(dict(definitions))
    for fname, lam in model.transfer_functions.items():
        out = out.replace(sp.Function(fname), lam)
    return out


def _gain_symbols(model: PopulationModel, expr: Any) -> tuple[Any, dict[Any, Any]]:
    """Replace each derivative f'(u) of a declared transfer function by a gain symbol."""
    found = []
    for atom in expr.atoms(sp.Subs, sp.Derivative):
        if isinstance(atom, sp.Subs):
            d = atom.expr
            if not (isinstance(d, sp.Derivative) and len(d.variables) == 1):
                continue
            fn, arg = d.expr.func, atom.point[0]
        else:
            if (
                len(atom.variables) != 1
                or isinstance(atom.variables[0], sp.Dummy)  # the inside of a Subs
                or not isinstance(atom.expr.func, sp.core.function.UndefinedFunction)
            ):
                continue
            fn, arg = atom.expr.func, atom.expr.args[0]
        if str(fn) in model.transfer_functions:
            found.append((atom, str(fn), arg))
    uses: dict[str, list[Any]] = {}
    for gen in model.rhs_generic:
        for app in gen.atoms(sp.core.function.AppliedUndef):
            uses.setdefault(str(app.func), [])
            if app.args[0] not in uses[str(app.func)]:
                uses[str(app.func)].append(app.args[0])
    repl, defs = {}, {}
    for atom, fname, arg in found:
        args = uses.get(fname, [arg])
        if len(args) <= 1:
            base, us, sub = fname.partition("_")
            name = f"{base}'_{sub}" if us else f"{fname}'"
        else:
            k = next(
                (i for i, g in enumerate(model.rhs_generic) if g.has(sp.Function(fname)(arg))), None
            )
            label = model.state_names[k].removeprefix("r_") if k is not None else str(len(repl))
            name = f"{fname}'_{label}"
        g = sp.Symbol(name, real=True)
        lam = model.transfer_functions[fname]
        x = lam.variables[0]
        repl[atom] = g
        defs[g] = sp.diff(lam.expr, x).subs(x, arg)
    return expr.xreplace(repl), defs


def jacobian(model: PopulationModel, *, gains: bool = True) -> sp.Matrix:
    r""":math:`A = \mathrm{diag}(1/\tau)\,\partial F/\partial r`, the linearisation at any state.

    With ``gains=True`` (default) the derivatives of the declared transfer functions
    appear as gain symbols (``f_E'``, defined by :func:`gain_definitions`), the form in
    which conditions are usually written; ``gains=False`` substitutes them.
    """
    model = _check(model)
    F = sp.Matrix([r / t for r, t in zip(model.rhs_generic, model.taus, strict=True)])
    A = F.jacobian(sp.Matrix(model.states))
    A, defs = _gain_symbols(model, A)
    return A if gains else A.applyfunc(lambda e: _concrete(model, e, defs))


def gain_definitions(model: PopulationModel) -> dict[Any, Any]:
    """Gain symbol -> its expression (derivative of the transfer function at its argument)."""
    model = _check(model)
    F = sp.Matrix([r / t for r, t in zip(model.rhs_generic, model.taus, strict=True)])
    _, defs = _gain_symbols(model, F.jacobian(sp.Matrix(model.states)))
    return defs


def characteristic_polynomial(model: PopulationModel) -> tuple[Any, ...]:
    r"""Coefficients :math:`(1, a_1, \dots, a_P)` of :math:`\det(\lambda - A)`.

    :math:`a_k = (-1)^k` times the sum of the principal k x k minors of A.
    """
    A = jacobian(model)
    P = A.shape[0]
    if P > _MAX_SYMBOLIC_P:
        raise ValueError(
            f"the symbolic characteristic polynomial is offered up to P = {_MAX_SYMBOLIC_P} "
            f"populations (got P = {P}); use numeric eigenvalues (fixed_points(...).eigenvalues)"
        )
    coeffs = [sp.Integer(1)]
    for k in range(1, P + 1):
        minors = [
            A.extract(list(idx), list(idx)).det(method="berkowitz")
            for idx in itertools.combinations(range(P), k)
        ]
        coeffs.append((-1) ** k * sp.Add(*minors))
    return tuple(coeffs)


def _coefficients(model: PopulationModel) -> tuple[list[Any], dict[Any, Any]]:
    """Coefficients (1, a_1, .., a_P) for the conditions: the expressions themselves for
    P <= 2, symbols a_k defined by them (see :attr:`Condition.definitions`) for P >= 3, where
    the expanded Hurwitz determinants would be very large."""
    coeffs = list(characteristic_polynomial(model))
    defs = dict(gain_definitions(model))
    P = len(coeffs) - 1
    if P <= 2:
        return coeffs, defs
    syms = [sp.Integer(1)] + [sp.Symbol(f"a_{k}", real=True) for k in range(1, P + 1)]
    defs.update({syms[k]: coeffs[k] for k in range(1, P + 1)})
    return syms, defs


def hurwitz_determinants(coeffs: Sequence[Any]) -> tuple[Any, ...]:
    r"""Hurwitz determinants :math:`\Delta_1..\Delta_P` of the monic polynomial
    :math:`\lambda^P + a_1\lambda^{P-1} + \dots + a_P` (coefficients ``(1, a_1, .., a_P)``).

    :math:`H_{ij} = a_{2j - i}` (1-based, :math:`a_0 = 1`, :math:`a_k = 0` outside 0..P);
    :math:`\Delta_k = \det H_{1..k,1..k}` (Gantmacher 1959, ch. XV sec. 6).
    """
    a = list(coeffs)
    P = len(a) - 1

    def coef(k: int) -> Any:
        return a[k] if 0 <= k <= P else 0

    H = sp.Matrix(P, P, lambda i, j: coef(2 * (j + 1) - (i + 1)))
    return tuple(H[:k, :k].det(method="berkowitz") for k in range(1, P + 1))


def routh_hurwitz(model: PopulationModel) -> tuple[Condition, ...]:
    r"""The Routh–Hurwitz conditions: the fixed point is stable iff every one holds.

    Returned as :math:`a_P > 0` and :math:`\Delta_k > 0` for k = 1..P-1 (for P = 2:
    :math:`-\mathrm{tr}A > 0` and :math:`\det A > 0`); :math:`\Delta_P = a_P\Delta_{P-1}`.
    """
    coeffs, defs = _coefficients(model)
    P = len(coeffs) - 1
    dets = hurwitz_determinants(coeffs)
    ref = "Routh-Hurwitz criterion (Gantmacher 1959, The Theory of Matrices vol. 2, ch. XV sec. 6)"
    out = [
        Condition(
            f"a_{P} > 0", _tidy(coeffs[P]), "> 0", model, definitions=defs,
            meaning="no real eigenvalue at or right of zero through det",
            reference=ref,
        )
    ]  # fmt: skip
    for k in range(1, P):
        out.append(
            Condition(f"Delta_{k} > 0", _tidy(dets[k - 1]), "> 0", model, definitions=defs,
                      meaning=f"Hurwitz determinant {k}", reference=ref)
        )  # fmt: skip
    return tuple(out)


def saddle_node_condition(model: PopulationModel) -> Condition:
    r"""Saddle-node (fold): :math:`a_P = (-1)^P\det A = 0`, a real eigenvalue at zero.

    Along a fixed-point branch in a parameter, :math:`\det A = 0` is where two fixed points
    collide (Kuznetsov 2004, Elements of Applied Bifurcation Theory, ch. 3, fold
    and Hopf bifurcations of equilibria).
    """
    coeffs, defs = _coefficients(model)
    P = len(coeffs) - 1
    return Condition(
        "saddle-node", _tidy(coeffs[P]), "= 0", model, definitions=defs,
        meaning="a real eigenvalue crosses zero: two fixed points appear or vanish",
        reference="Kuznetsov 2004, Elements of Applied Bifurcation Theory, ch. 3",
    )  # fmt: skip


def hopf_condition(model: PopulationModel) -> Condition:
    r"""Hopf: :math:`\Delta_{P-1} = 0` with :math:`a_P > 0` (and :math:`\Delta_{P-3}, .. > 0`).

    For P = 2: :math:`\mathrm{tr}A = 0` with :math:`\det A > 0`, the frequency at the onset
    is :math:`\omega = \sqrt{\det A}` (Kuznetsov 2004, ch. 3; Orlando's formula
    :math:`\Delta_{P-1} = (-1)^{P(P-1)/2}\prod_{i<j}(\lambda_i + \lambda_j)`, Gantmacher 1959
    ch. XV sec. 7).
    """
    coeffs, defs = _coefficients(model)
    P = len(coeffs) - 1
    if P < 2:
        raise ValueError("a Hopf bifurcation needs at least two populations (P >= 2)")
    dets = hurwitz_determinants(coeffs)
    side = [(_tidy(coeffs[P]), "> 0")]
    for k in range(P - 3, 0, -2):
        side.append((_tidy(dets[k - 1]), "> 0"))
    expr = _tidy(dets[P - 2]) if P > 2 else _tidy(coeffs[1])
    return Condition(
        "Hopf", expr, "= 0", model, side=tuple(side), definitions=defs,
        meaning="a complex pair of eigenvalues crosses the imaginary axis: oscillations start",
        reference="Kuznetsov 2004, ch. 3; Gantmacher 1959, ch. XV sec. 7 (Orlando)",
    )  # fmt: skip


def _index(model: PopulationModel, name: str, what: str) -> int:
    names = model.state_names
    if name not in names:
        raise ValueError(f"{what} {name!r} is not a state of the model; states: {', '.join(names)}")
    return names.index(name)


def isn_condition(model: PopulationModel, excitatory: str = "r_E") -> Condition:
    r"""Inhibition stabilisation: the excitatory population alone is unstable.

    With the inhibitory rates frozen, :math:`\tau_E\dot{\delta r}_E = (\partial F_E/\partial r_E)\,
    \delta r_E`; the network is inhibition-stabilised (ISN) iff
    :math:`A_{EE} = \tau_E^{-1}\partial F_E/\partial r_E > 0` at a stable fixed point
    (Tsodyks, Skaggs, Sejnowski & McNaughton 1997, J Neurosci 17:4382, Results; Ozeki,
    Finn, Schaffer, Miller & Ferster 2009, Neuron 62:578, the ISN condition
    :math:`w_{EE} f'_E > 1` for threshold-linear units).  For a threshold-linear E unit
    this is :math:`(w_{EE} - 1)/\tau_E > 0` in the active regime.
    """
    model = _check(model)
    k = _index(model, excitatory, "excitatory population")
    A = jacobian(model)
    return Condition(
        "ISN", _tidy(A[k, k]), "> 0", model, definitions=gain_definitions(model),
        meaning=f"{excitatory} alone (inhibition frozen) is unstable: inhibition stabilises it",
        reference="Tsodyks et al. 1997, J Neurosci 17:4382 (Results); Ozeki et al. 2009, Neuron 62:578",
    )  # fmt: skip


def response(model: PopulationModel, parameter: str) -> tuple[Any, ...]:
    r"""Steady-state response :math:`\partial r^*/\partial p` of every population, in the gains.

    Implicit function theorem at a fixed point :math:`F(r^*, p) = 0`:
    :math:`\partial r^*/\partial p = -(\partial F/\partial r)^{-1}\,\partial F/\partial p`.
    """
    model = _check(model)
    if parameter not in model.params:
        raise ValueError(f"unknown parameter {parameter!r}; have {', '.join(model.params)}")
    p = model.parameter_symbols[list(model.params).index(parameter)]
    return _response(model, p)[0]


def _response(model: PopulationModel, p: Any) -> tuple[tuple[Any, ...], dict[Any, Any]]:
    F = sp.Matrix(model.rhs_generic)
    Fr, defs = _gain_symbols(model, F.jacobian(sp.Matrix(model.states)))
    Fp, defs2 = _gain_symbols(model, F.diff(p))
    defs.update(defs2)
    det = Fr.det(method="berkowitz")
    sol = -(Fr.adjugate(method="berkowitz") * Fp) / det
    return tuple(_tidy(x) for x in sol), defs


def paradoxical_condition(
    model: PopulationModel, inhibitory: str = "r_I", input: str = "I_I"
) -> Condition:
    r"""Paradoxical response: raising the input to the inhibitory population lowers its rate.

    :math:`\partial r_I^*/\partial I_I < 0` (implicit function theorem, :func:`response`).
    For an E-I pair at a stable fixed point (:math:`\det\partial F/\partial r > 0`) it reads
    :math:`f'_I\,(w_{EE} f'_E - 1) > 0`, i.e. it happens exactly in the ISN regime (Tsodyks
    et al. 1997, Results; Ozeki et al. 2009; Sanzeni et al. 2020, eLife 9:e54875, sec.
    "Paradoxical response" of Results, for supralinear and general transfer functions).
    """
    model = _check(model)
    k = _index(model, inhibitory, "inhibitory population")
    if input not in model.params:
        raise ValueError(f"unknown parameter {input!r}; have {', '.join(model.params)}")
    exprs, defs = _response(model, model.parameter_symbols[list(model.params).index(input)])
    expr = exprs[k]
    return Condition(
        "paradoxical", _tidy(expr), "< 0", model, definitions=defs,
        meaning=f"d{inhibitory}/d{input} < 0: more input to {inhibitory}, lower {inhibitory} rate",
        reference="Tsodyks et al. 1997 (Results); Sanzeni et al. 2020, eLife 9:e54875 (Results)",
    )  # fmt: skip


def conditions(
    model: PopulationModel,
    *,
    excitatory: str | None = None,
    inhibitory: str | None = None,
    inhibitory_input: str | None = None,
) -> dict[str, Condition]:
    """Every condition that applies: saddle-node, Hopf (P >= 2), Routh–Hurwitz, and for an
    E-I model (states ``r_E``/``r_I`` and input ``I_I``, or given names) ISN and paradoxical.

    Returns a dict name -> :class:`Condition`.
    """
    model = _check(model)
    out: dict[str, Condition] = {"saddle-node": saddle_node_condition(model)}
    if model.P >= 2:
        out["Hopf"] = hopf_condition(model)
    for c in routh_hurwitz(model):
        out[c.name] = c
    names = model.state_names
    e = excitatory or ("r_E" if "r_E" in names else None)
    i = inhibitory or ("r_I" if "r_I" in names else None)
    if e is not None:
        out["ISN"] = isn_condition(model, e)
    inp = inhibitory_input or ("I_I" if "I_I" in model.params else None)
    if i is not None and inp is not None:
        out["paradoxical"] = paradoxical_condition(model, i, inp)
    return out


def substitute(expr: Any, model: PopulationModel, values: Mapping[str, float] | None = None) -> Any:
    """``expr`` with the parameters replaced by the model's values (or ``values``)."""
    vals = {**model.params, **(values or {})}
    return expr.subs({s: vals[str(s)] for s in model.parameter_symbols})
