r"""Population rate models written as equations: :class:`PopulationModel`.

A population model is a small system of ODEs, one per population,

.. math:: \tau_k\,\dot r_k = F_k(r_1, \dots, r_P;\ p),

written by the user as strings (``"tau_E * d(r_E) = -r_E + f(w_EE*r_E - w_EI*r_I + I_E)"``)
or as triples ``(state, tau, rhs)`` of sympy objects, with named parameters and transfer
functions taken from :data:`TRANSFER_LIBRARY` or given as sympy expressions.  The same
frozen object goes to :mod:`rnmf.theory.symbolic` (fixed points, Jacobian, stability and
bifurcation conditions) and to :func:`rnmf.sim.simulate_populations` (ODE integration).

sympy is imported lazily (``import rnmf`` stays light); the parsed right-hand sides are
kept on the model as sympy expressions (fields ``states``, ``taus``, ``rhs``).

Built-in models: :func:`wilson_cowan`, :func:`threshold_linear_ei`,
:func:`supralinear_ei` (stabilised supralinear network) and :func:`from_connectivity`
(P populations coupled by a matrix); :data:`BUILTIN_MODELS` maps their names (as used by
``rnmf derive``) to the constructors.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "BUILTIN_MODELS",
    "TRANSFER_LIBRARY",
    "PopulationModel",
    "from_connectivity",
    "supralinear_ei",
    "threshold_linear_ei",
    "wilson_cowan",
]

#: Library of transfer functions: name -> (argument names with defaults, description).
#: A function spec is ``"name"`` or ``"name(arg1, arg2)"`` with arguments written in the
#: model's parameters, e.g. ``"sigmoid(a_E, theta_E)"``.
TRANSFER_LIBRARY: dict[str, tuple[tuple[tuple[str, float], ...], str]] = {
    "sigmoid": (
        (("a", 1.0), ("theta", 0.0)),
        "logistic 1/(1 + exp(-a (x - theta))) (Wilson & Cowan 1972)",
    ),
    "relu": ((("theta", 0.0),), "threshold-linear [x - theta]_+"),
    "threshold_linear": ((("theta", 0.0),), "threshold-linear [x - theta]_+ (alias of relu)"),
    "power": (
        (("k", 1.0), ("n", 2.0)),
        "supralinear power law k [x]_+^n (Ahmadian, Rubin & Miller 2013)",
    ),
    "tanh": ((("gain", 1.0),), "tanh(gain x)"),
    "linear": ((("gain", 1.0),), "gain x"),
}

#: functions a user may call inside an equation without declaring them
_MATH = ("exp", "log", "tanh", "sqrt", "Max", "Min", "Abs", "erf", "sin", "cos", "cosh", "sinh")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def _sympy() -> Any:
    import sympy

    return sympy


def _library_expr(name: str, x: Any, args: Sequence[Any]) -> Any:
    """The sympy expression of a library transfer function applied to ``x``."""
    sp = _sympy()
    spec, _ = TRANSFER_LIBRARY[name]
    if len(args) > len(spec):
        raise ValueError(
            f"transfer function {name!r} takes at most {len(spec)} arguments "
            f"({', '.join(a for a, _ in spec)}), got {len(args)}"
        )
    vals = list(args) + [
        sp.Float(d) if d != int(d) else sp.Integer(int(d)) for _, d in spec[len(args) :]
    ]
    if name == "sigmoid":
        a, theta = vals
        return 1 / (1 + sp.exp(-a * (x - theta)))
    if name in ("relu", "threshold_linear"):
        (theta,) = vals
        return sp.Piecewise((x - theta, x > theta), (0, True))
    if name == "power":
        k, n = vals
        return sp.Piecewise((k * x**n, x > 0), (0, True))
    if name == "tanh":
        return sp.tanh(vals[0] * x)
    return vals[0] * x  # linear


def _symbols_of(text: str, params: Mapping[str, Any], calls: set[str]) -> dict[str, Any]:
    """A local dictionary for parse_expr: every identifier becomes a real Symbol (so that
    ``E``, ``I``, ``N``, ``S`` are never sympy's constants), calls stay functions."""
    sp = _sympy()
    local: dict[str, Any] = {}
    for m in _IDENT.finditer(text):
        name = m.group(0)
        rest = text[m.end() :].lstrip()
        if rest.startswith("("):
            calls.add(name)
            continue
        local[name] = sp.Symbol(name, real=True)
    return local


def _parse(text: str, where: str, local: Mapping[str, Any]) -> Any:
    from sympy.parsing.sympy_parser import parse_expr, standard_transformations

    try:
        return parse_expr(text, local_dict=dict(local), transformations=standard_transformations)
    except Exception as exc:  # noqa: BLE001 - report any parse failure with its place
        raise ValueError(f"cannot parse {where}: {text!r} ({type(exc).__name__}: {exc})") from exc


@dataclass(frozen=True)
class PopulationModel:
    r"""A system of population rate equations :math:`\tau_k \dot r_k = F_k(r; p)`.

    Parameters
    ----------
    equations : sequence of str or (state, tau, rhs) triples
        One equation per population.  String syntax: ``"TAU * d(STATE) = RHS"`` (``TAU *``
        may be omitted, meaning tau = 1), with ``RHS`` any expression of the states,
        the parameters, the functions named in ``functions`` and ``exp, log, tanh, sqrt,
        Max, Min, Abs, erf``.  Triples hold a state name or Symbol, tau and rhs as
        strings or sympy expressions.
    params : mapping of str to float
        Every parameter that appears in the equations (or in a transfer-function spec),
        with its value.  A missing name or a value of None raises ValueError.
    functions : mapping of str to str, sympy Lambda or callable
        Transfer functions called in the equations: a :data:`TRANSFER_LIBRARY` spec such
        as ``"sigmoid(a_E, theta_E)"``, a one-argument ``sympy.Lambda``, or a Python
        callable that maps a sympy expression to a sympy expression.
    name : str
        A label for reports.

    Attributes
    ----------
    states : tuple of sympy.Symbol
        The population variables, in equation order.
    taus, rhs : tuple of sympy expressions
        Time constants and right-hand sides :math:`F_k` with the transfer functions
        substituted (symbolic in the parameters).
    parameter_symbols : tuple of sympy.Symbol
        The parameters, in the order of ``params``.
    rhs_generic : tuple of sympy expressions
        The right-hand sides with the declared transfer functions left as undefined
        functions ``f(u)`` (so that derivatives print as gains :math:`f'(u)`).
    transfer_functions : dict of str to sympy.Lambda
        The declared transfer functions, substituted into ``rhs_generic`` to give ``rhs``.
    """

    equations: tuple[Any, ...]
    params: Mapping[str, float]
    functions: Mapping[str, Any] = field(default_factory=dict)
    name: str = ""
    states: tuple[Any, ...] = field(init=False, compare=False, repr=False)
    taus: tuple[Any, ...] = field(init=False, compare=False, repr=False)
    rhs: tuple[Any, ...] = field(init=False, compare=False, repr=False)
    parameter_symbols: tuple[Any, ...] = field(init=False, compare=False, repr=False)
    rhs_generic: tuple[Any, ...] = field(init=False, compare=False, repr=False)
    transfer_functions: Mapping[str, Any] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        sp = _sympy()
        s = object.__setattr__
        if isinstance(self.equations, str) or not isinstance(self.equations, Sequence):
            raise ValueError(
                "PopulationModel.equations must be a sequence of equations (one per population), "
                f"got {type(self.equations).__name__}"
            )
        if len(self.equations) == 0:
            raise ValueError("PopulationModel.equations is empty; give one equation per population")
        s(self, "equations", tuple(self.equations))
        if not isinstance(self.params, Mapping):
            raise ValueError(
                f"PopulationModel.params must be a mapping name -> value, got {type(self.params).__name__}"
            )
        params: dict[str, float] = {}
        for k, v in self.params.items():
            if not isinstance(k, str) or not _IDENT.fullmatch(k):
                raise ValueError(f"PopulationModel.params: {k!r} is not a valid parameter name")
            if v is None:
                raise ValueError(
                    f"parameter {k!r} has no value; give it one, e.g. params={{{k!r}: 1.0}}"
                )
            try:
                fv = float(v)
            except (TypeError, ValueError):
                raise ValueError(f"parameter {k!r} must be a real number, got {v!r}") from None
            if not math.isfinite(fv):
                raise ValueError(f"parameter {k!r} must be finite, got {v!r}")
            params[k] = fv
        s(self, "params", params)
        if not isinstance(self.functions, Mapping):
            raise ValueError(
                "PopulationModel.functions must be a mapping name -> transfer function"
            )
        s(self, "functions", dict(self.functions))
        psyms = {k: sp.Symbol(k, real=True) for k in params}
        states, taus, raw = [], [], []
        for i, eq in enumerate(self.equations, start=1):
            st, tau, rhs = self._parse_equation(eq, i, psyms)
            states.append(st)
            taus.append(tau)
            raw.append(rhs)
        names = [str(x) for x in states]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"state {dup[0]!r} has more than one equation")
        clash = sorted(set(names) & set(params))
        if clash:
            raise ValueError(f"{clash[0]!r} is both a state and a parameter; rename one")
        subs = {sp.Symbol(n, real=True): st for n, st in zip(names, states, strict=True)}
        fns = self._transfer_functions(psyms)
        rhs, generic = [], []
        for r in raw:
            r = r.subs(subs)
            generic.append(r)
            for fname, lam in fns.items():
                r = r.replace(sp.Function(fname), lam)
            rhs.append(r)
        taus = [t.subs(subs) for t in taus]
        allowed = set(states) | set(psyms.values())
        for i, (t, r) in enumerate(zip(taus, rhs, strict=True), start=1):
            for what, e in (("tau", t), ("right-hand side", r)):
                bad = sorted(str(x) for x in e.free_symbols - allowed)
                if bad:
                    raise ValueError(
                        f"undefined symbol {bad[0]!r} in the {what} of equation {i} "
                        f"({self._text(i)}); add it to params with a value"
                        + (f" (also undefined: {', '.join(bad[1:])})" if len(bad) > 1 else "")
                    )
            undef = sorted(str(f.func) for f in r.atoms(sp.core.function.AppliedUndef))
            if undef:
                raise ValueError(f"function {undef[0]!r} in equation {i} is not defined")
            if set(states) & t.free_symbols:
                raise ValueError(f"tau of equation {i} depends on a state; tau must be a parameter")
            tv = float(t.subs({psyms[k]: v for k, v in params.items()}))
            if not tv > 0:
                raise ValueError(
                    f"time constant of equation {i} ({sp.sstr(t)}) is {tv:g}; it must be > 0"
                )
        s(self, "states", tuple(states))
        s(self, "taus", tuple(taus))
        s(self, "rhs", tuple(rhs))
        s(self, "parameter_symbols", tuple(psyms.values()))
        s(self, "rhs_generic", tuple(generic))
        s(self, "transfer_functions", fns)

    # -- parsing ---------------------------------------------------------------------
    def _text(self, i: int) -> str:
        eq = self.equations[i - 1]
        return repr(eq) if isinstance(eq, str) else f"equation {i}"

    def _parse_equation(self, eq: Any, i: int, psyms: Mapping[str, Any]) -> tuple[Any, Any, Any]:
        sp = _sympy()
        if isinstance(eq, str):
            if eq.count("=") != 1:
                raise ValueError(
                    f"equation {i} ({eq!r}) must contain exactly one '=': 'tau * d(r) = rhs'"
                )
            left, right = eq.split("=")
            calls: set[str] = set()
            local = _symbols_of(left, psyms, calls)
            D = sp.Function("d")
            local["d"] = D
            lhs = _parse(left, f"the left-hand side of equation {i}", local)
            ds = [a for a in lhs.atoms(sp.core.function.AppliedUndef) if a.func == D]
            if len(ds) != 1 or len(ds[0].args) != 1 or not ds[0].args[0].is_Symbol:
                raise ValueError(
                    f"the left-hand side of equation {i} ({left.strip()!r}) must be "
                    "'tau * d(STATE)' with one state, e.g. 'tau_E * d(r_E)'"
                )
            state = ds[0].args[0]
            tau = sp.simplify(lhs / ds[0])
            if tau.has(D):
                raise ValueError(f"the left-hand side of equation {i} must be linear in d({state})")
            calls = set()
            local = _symbols_of(right, psyms, calls)
            for c in calls:
                if c in self.functions:
                    local[c] = sp.Function(c)
                elif c in _MATH:
                    local[c] = getattr(sp, c)
                else:
                    raise ValueError(
                        f"function {c!r} in equation {i} is not defined: pass "
                        f"functions={{{c!r}: 'sigmoid(a, theta)'}} (library: "
                        f"{', '.join(TRANSFER_LIBRARY)}) or a sympy Lambda"
                    )
            rhs = _parse(right, f"the right-hand side of equation {i}", local)
            return sp.Symbol(str(state), real=True), tau, rhs
        if isinstance(eq, tuple | list) and len(eq) == 3:
            st, tau, rhs = eq
            st = sp.Symbol(str(st), real=True)
            out = []
            for what, e in (("tau", tau), ("rhs", rhs)):
                if isinstance(e, str):
                    calls: set[str] = set()
                    local = _symbols_of(e, psyms, calls)
                    for c in calls:
                        local[c] = sp.Function(c) if c in self.functions else getattr(sp, c, None)
                        if local[c] is None:
                            raise ValueError(f"function {c!r} in equation {i} is not defined")
                    e = _parse(e, f"the {what} of equation {i}", local)
                out.append(sp.sympify(e))
            # user sympy symbols may lack real=True: map them by name
            ren = {
                x: sp.Symbol(x.name, real=True) for x in out[0].free_symbols | out[1].free_symbols
            }
            return st, out[0].xreplace(ren), out[1].xreplace(ren)
        raise ValueError(
            f"equation {i} must be a string 'tau * d(r) = rhs' or a triple (state, tau, rhs); got {eq!r}"
        )

    def _transfer_functions(self, psyms: Mapping[str, Any]) -> dict[str, Any]:
        sp = _sympy()
        x = sp.Dummy("x", real=True)
        out = {}
        for fname, spec in self.functions.items():
            if isinstance(spec, str):
                m = re.fullmatch(r"\s*([A-Za-z_]\w*)\s*(?:\((.*)\))?\s*", spec)
                if not m or m.group(1) not in TRANSFER_LIBRARY:
                    raise ValueError(
                        f"transfer function {fname!r}: {spec!r} is not in the library "
                        f"({', '.join(TRANSFER_LIBRARY)}); write e.g. 'sigmoid(a_E, theta_E)'"
                    )
                args = []
                if m.group(2) and m.group(2).strip():
                    for a in m.group(2).split(","):
                        local = _symbols_of(a, psyms, set())
                        args.append(_parse(a, f"an argument of transfer function {fname!r}", local))
                body = _library_expr(m.group(1), x, args)
            elif isinstance(spec, sp.Lambda):
                if len(spec.variables) != 1:
                    raise ValueError(f"transfer function {fname!r} must take one argument")
                body = spec(x)
            elif callable(spec):
                body = sp.sympify(spec(x))
            else:
                raise ValueError(
                    f"transfer function {fname!r} must be a library spec, a sympy Lambda or a "
                    f"callable, got {spec!r}"
                )
            ren = {s: sp.Symbol(s.name, real=True) for s in body.free_symbols if s != x}
            out[fname] = sp.Lambda(x, body.xreplace(ren))
        return out

    # -- convenience -----------------------------------------------------------------
    @property
    def P(self) -> int:
        """Number of populations."""
        return len(self.states)

    @property
    def state_names(self) -> tuple[str, ...]:
        """Names of the population variables."""
        return tuple(str(x) for x in self.states)

    def with_params(self, **values: float) -> PopulationModel:
        """A copy with some parameter values replaced (names must exist)."""
        unknown = sorted(set(values) - set(self.params))
        if unknown:
            raise ValueError(
                f"unknown parameter {unknown[0]!r}; the model's parameters are "
                f"{', '.join(self.params)}"
            )
        return dataclasses.replace(self, params={**self.params, **values})

    def vector_field(self) -> Callable[..., np.ndarray]:
        r"""The numeric right-hand side :math:`\dot r_k = F_k / \tau_k`, vectorised.

        Returns ``f(r, **params) -> array`` where ``r`` has shape ``(P, ...)`` and the
        parameters (default: the model's values) broadcast against ``r[0]``.
        """
        sp = _sympy()
        exprs = [r / t for r, t in zip(self.rhs, self.taus, strict=True)]
        fn = sp.lambdify([*self.states, *self.parameter_symbols], exprs, "numpy")
        defaults = dict(self.params)
        names = list(self.params)

        def f(r: np.ndarray, **params: Any) -> np.ndarray:
            vals = {**defaults, **params}
            r = np.asarray(r, dtype=float)
            with np.errstate(all="ignore"):
                out = fn(*r, *(vals[n] for n in names))
            return np.stack(np.broadcast_arrays(*out))

        return f

    def describe(self) -> str:
        """One-line summary used in reports."""
        label = self.name or "population model"
        return f"{label}: P={self.P} ({', '.join(self.state_names)}), {len(self.params)} parameters"


# ------------------------------------------------------------------------ built-in models
def _merge(defaults: dict[str, float], overrides: Mapping[str, float]) -> dict[str, float]:
    unknown = sorted(set(overrides) - set(defaults))
    if unknown:
        raise ValueError(f"unknown parameter {unknown[0]!r}; available: {', '.join(defaults)}")
    return {**defaults, **overrides}


def wilson_cowan(**params: float) -> PopulationModel:
    r"""Wilson–Cowan excitatory–inhibitory pair with logistic transfer functions.

    .. math::
        \tau_E \dot r_E &= -r_E + f_E(w_{EE} r_E - w_{EI} r_I + I_E),\\
        \tau_I \dot r_I &= -r_I + f_I(w_{IE} r_E - w_{II} r_I + I_I),

    :math:`f_X(x) = 1/(1 + e^{-a_X (x - \theta_X)})` (Wilson & Cowan 1972, Biophys J
    12:1, their population equations without the refractory factor, as in most later uses).  The default
    couplings (w_EE = 16, w_EI = 12, w_IE = 15, w_II = 3, a_E = 1.3, theta_E = 4,
    a_I = 2, theta_I = 3.7) are the classic oscillatory set; in the (I_E, I_I) plane they
    give both saddle-node and Hopf bifurcations.
    """
    defaults = dict(
        tau_E=1.0, tau_I=1.0, w_EE=16.0, w_EI=12.0, w_IE=15.0, w_II=3.0,
        a_E=1.3, theta_E=4.0, a_I=2.0, theta_I=3.7, I_E=0.0, I_I=0.0,
    )  # fmt: skip
    return PopulationModel(
        equations=(
            "tau_E * d(r_E) = -r_E + f_E(w_EE*r_E - w_EI*r_I + I_E)",
            "tau_I * d(r_I) = -r_I + f_I(w_IE*r_E - w_II*r_I + I_I)",
        ),
        params=_merge(defaults, params),
        functions={"f_E": "sigmoid(a_E, theta_E)", "f_I": "sigmoid(a_I, theta_I)"},
        name="Wilson-Cowan",
    )


def threshold_linear_ei(**params: float) -> PopulationModel:
    r"""Threshold-linear E-I network, the inhibition-stabilised network (ISN).

    .. math::
        \tau_E \dot r_E &= -r_E + [w_{EE} r_E - w_{EI} r_I + I_E]_+,\\
        \tau_I \dot r_I &= -r_I + [w_{IE} r_E - w_{II} r_I + I_I]_+

    (Tsodyks, Skaggs, Sejnowski & McNaughton 1997, J Neurosci 17:4382; Ozeki et al. 2009,
    Neuron 62:578).  With w_EE > 1 the excitatory subnetwork alone is unstable and the
    network is inhibition-stabilised; the default (w_EE = 2) is an ISN.
    """
    defaults = dict(
        tau_E=1.0, tau_I=0.5, w_EE=2.0, w_EI=2.5, w_IE=2.5, w_II=1.5, I_E=1.0, I_I=0.5
    )  # fmt: skip
    return PopulationModel(
        equations=(
            "tau_E * d(r_E) = -r_E + f(w_EE*r_E - w_EI*r_I + I_E)",
            "tau_I * d(r_I) = -r_I + f(w_IE*r_E - w_II*r_I + I_I)",
        ),
        params=_merge(defaults, params),
        functions={"f": "relu"},
        name="threshold-linear E-I",
    )


def supralinear_ei(**params: float) -> PopulationModel:
    r"""Stabilised supralinear network (SSN) of one E and one I population.

    .. math::
        \tau_E \dot r_E &= -r_E + k[w_{EE} r_E - w_{EI} r_I + I_E]_+^n,\\
        \tau_I \dot r_I &= -r_I + k[w_{IE} r_E - w_{II} r_I + I_I]_+^n

    (Ahmadian, Rubin & Miller 2013, Neural Comput 25:1994, the two-population model of their
    Sec. 2).  The effective gain :math:`n k^{1/n} r^{1-1/n}` grows with the rate, so the
    network turns inhibition-stabilised as the input grows.
    """
    defaults = dict(
        tau_E=1.0, tau_I=0.5, k=0.04, n=2.0, w_EE=1.25, w_EI=0.65, w_IE=1.2, w_II=0.5,
        I_E=2.0, I_I=2.0,
    )  # fmt: skip
    return PopulationModel(
        equations=(
            "tau_E * d(r_E) = -r_E + f(w_EE*r_E - w_EI*r_I + I_E)",
            "tau_I * d(r_I) = -r_I + f(w_IE*r_E - w_II*r_I + I_I)",
        ),
        params=_merge(defaults, params),
        functions={"f": "power(k, n)"},
        name="stabilised supralinear network",
    )


def from_connectivity(
    W: Any,
    *,
    inputs: Any = None,
    taus: Any = None,
    transfer: str = "tanh",
    names: Sequence[str] | None = None,
) -> PopulationModel:
    r"""P populations coupled by a matrix: :math:`\tau_k\dot r_k = -r_k + f(\sum_l w_{kl} r_l + I_k)`.

    Parameters
    ----------
    W : (P, P) array
        Couplings, ``W[k, l]`` from population l onto k (signed); parameters ``w_k_l``.
    inputs : (P,) array, optional
        External inputs (parameters ``I_k``), default 0.
    taus : (P,) array, optional
        Time constants (parameters ``tau_k``), default 1.
    transfer : str
        A :data:`TRANSFER_LIBRARY` spec shared by all populations, e.g. ``"tanh"``,
        ``"relu"`` or ``"sigmoid(4, 0.5)"``.
    names : sequence of str, optional
        Population labels (default ``1 .. P``); states are ``r_<label>``.
    """
    W = np.asarray(W, dtype=float)
    if W.ndim != 2 or W.shape[0] != W.shape[1] or W.shape[0] < 1:
        raise ValueError(f"W must be a square (P, P) matrix, got shape {W.shape}")
    if not np.all(np.isfinite(W)):
        raise ValueError("W contains NaN or infinite values")
    P = W.shape[0]
    inputs = np.zeros(P) if inputs is None else np.broadcast_to(np.asarray(inputs, float), (P,))
    taus = np.ones(P) if taus is None else np.broadcast_to(np.asarray(taus, float), (P,))
    labels = [str(k + 1) for k in range(P)] if names is None else [str(n) for n in names]
    if len(labels) != P or not all(_IDENT.fullmatch("r_" + n) for n in labels):
        raise ValueError(f"names must be {P} identifiers, got {names!r}")
    params: dict[str, float] = {}
    eqs = []
    for k, a in enumerate(labels):
        terms = []
        for l, b in enumerate(labels):
            params[f"w_{a}_{b}"] = float(W[k, l])
            terms.append(f"w_{a}_{b}*r_{b}")
        params[f"I_{a}"] = float(inputs[k])
        params[f"tau_{a}"] = float(taus[k])
        eqs.append(f"tau_{a} * d(r_{a}) = -r_{a} + f({' + '.join(terms)} + I_{a})")
    return PopulationModel(
        equations=tuple(eqs), params=params, functions={"f": transfer}, name=f"{P} populations"
    )


#: name -> constructor (keyword parameters override the defaults), as used by ``rnmf derive``
BUILTIN_MODELS: dict[str, Callable[..., PopulationModel]] = {
    "wilson-cowan": wilson_cowan,
    "isn": threshold_linear_ei,
    "ssn": supralinear_ei,
}
