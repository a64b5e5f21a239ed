r"""Transfer functions phi(x) shared by the theory and the simulator.

A :class:`Transfer` carries the function, its derivative and its primitive
``Phi(x) = int_0^x phi(s) ds`` (needed by the stationary DMFT potential, SCS 1988
eq. 6).  Built-in kinds have an integer ``code`` that the numba kernels
understand; a user callable (``kind="custom"``) runs in the theory and in the
NumPy stepping path of the simulator.

Built-in kinds
--------------
``"tanh"``     phi = tanh(x), Phi = log cosh x (Sompolinsky, Crisanti & Sommers 1988).
``"erf"``      phi = erf(sqrt(pi) x / 2): sigmoid with phi'(0) = 1, range (-1, 1).
``"relu"``     phi = max(x - theta, 0): threshold-linear with threshold ``theta``.
``"linear"``   phi = x.

Custom transfer functions
-------------------------
* ``Transfer.from_sympy("log(1 + exp(x))")`` (or a sympy expression, or simply
  ``RateNetwork(phi="log(1 + exp(x))")``): phi and its derivative are built from the
  formula (sympy differentiates it exactly); such a Transfer pickles, saves and loads
  as its formula.
* ``Transfer("custom", func=f, deriv=df)``: a vectorised callable and its derivative.
  Without ``deriv`` the derivative is automatic: the complex step
  :math:`\phi'(x) = \mathrm{Im}\,\phi(x + ih)/h` with :math:`h = 10^{-20}` (Squire &
  Trapp 1998, SIAM Rev 40:110; exact to rounding) when ``f`` is analytic on complex
  input and agrees with central differences at 13 probe points, otherwise central
  differences with :math:`h = \epsilon^{1/3}\max(1, |x|)` (relative accuracy about
  :math:`10^{-10}` for smooth phi).  :attr:`Transfer.deriv_method` says which.
  Pickling (sweeps with ``executor="processes"``) sends ``f`` by reference, so define
  it at module level; lambdas and closures are sent with cloudpickle when it is
  installed and otherwise refused with a message saying so.
"""

from __future__ import annotations

import math
import pickle
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._checks import check_finite


def _erf(x: np.ndarray) -> np.ndarray:
    """scipy.special.erf, imported on first use (keeps ``import rnmf`` free of scipy)."""
    from scipy.special import erf

    return erf(x)


__all__ = ["KINDS", "Transfer", "as_transfer"]

_EXPR_OK = re.compile(r"^[A-Za-z0-9_+\-*/^().,\s]{1,300}$")


def _sympify(expr: Any, where: str) -> Any:
    """A sympy expression in the variable x from a string or a sympy expression."""
    import sympy

    if isinstance(expr, str):
        text = expr.strip()
        if not _EXPR_OK.match(text) or "__" in text or re.search(r"\d{16,}", text):
            raise ValueError(
                f"{where}: {expr!r} is not a formula rnmf reads (letters, digits, + - * / ^ ( ) "
                "and at most 300 characters, e.g. 'log(1 + exp(x))')"
            )
        try:
            from sympy.parsing.sympy_parser import (
                convert_xor,
                parse_expr,
                standard_transformations,
            )

            out = parse_expr(
                text,
                transformations=(*standard_transformations, convert_xor),
                evaluate=False,
            )
        except Exception as exc:  # noqa: BLE001 - any parse failure is the user's formula
            raise ValueError(f"{where}: cannot read the formula {expr!r} ({exc})") from exc
    elif isinstance(expr, sympy.Basic):
        out = expr
    else:
        raise ValueError(f"{where} must be a formula string or a sympy expression, got {expr!r}")
    if not isinstance(out, sympy.Expr):
        raise ValueError(f"{where}: {expr!r} is not an expression")
    free = out.free_symbols
    if {str(v) for v in free} != {"x"}:
        raise ValueError(
            f"{where}: the formula {expr!r} must depend on the one variable x, "
            f"it has {sorted(map(str, free)) or 'none'}"
        )
    return out


class _Vectorised:
    """A lambdified sympy function that always returns a float array of the input's shape."""

    def __init__(self, fn: Callable) -> None:
        self.fn = fn

    def __call__(self, x: Any) -> np.ndarray:
        with np.errstate(all="ignore"):
            out = self.fn(x)
        return np.broadcast_to(np.asarray(out, dtype=np.result_type(out, float)), np.shape(x)) + 0.0


def _lambdify(var: Any, expr: Any) -> _Vectorised:
    import sympy

    return _Vectorised(sympy.lambdify(var, expr, modules=["numpy", "scipy"]))


_CS_H = 1e-20  # complex step (rounding-free; Squire & Trapp 1998)
_PROBE = np.linspace(-3.0, 3.0, 13) + 0.1234  # away from 0 and integer kinks


class _AutoDerivative:
    """phi' of a callable by the complex step or, failing that, central differences."""

    def __init__(self, func: Callable) -> None:
        self.func = func
        self.method = "central-difference"
        cd = self._central(_PROBE)
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                cs = self._complex(_PROBE)
        except Exception:  # noqa: BLE001 - user code that rejects complex input
            return
        if cs.shape == cd.shape and np.all(np.isfinite(cs)):
            ok = np.abs(cs - cd) <= 1e-6 * (1.0 + np.abs(cd))
            if np.all(ok[np.isfinite(cd)]):
                self.method = "complex-step"

    def _complex(self, x: np.ndarray) -> np.ndarray:
        out = np.asarray(self.func(x + 1j * _CS_H))
        if out.dtype.kind != "c":
            raise TypeError("no complex output")
        return out.imag / _CS_H

    def _central(self, x: np.ndarray) -> np.ndarray:
        h = np.finfo(float).eps ** (1.0 / 3.0) * np.maximum(1.0, np.abs(x))
        with np.errstate(all="ignore"):
            up = np.asarray(self.func(x + h), dtype=float)
            down = np.asarray(self.func(x - h), dtype=float)
        return (up - down) / (2.0 * h)

    def __call__(self, x: Any) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if self.method == "complex-step":
            with np.errstate(all="ignore"):
                return self._complex(x)
        return self._central(x)


def _rebuild(payload: bytes) -> Transfer:
    return Transfer(**pickle.loads(payload))


def _from_formula(expr: str, name: str) -> Transfer:
    return Transfer("custom", expr=expr, name=name)


KINDS = ("tanh", "erf", "relu", "linear", "custom")
_CODES = {"tanh": 0, "erf": 1, "relu": 2, "linear": 3, "custom": -1}
_A_ERF = math.sqrt(math.pi) / 2.0  # erf(a x) has slope 2a/sqrt(pi) = 1 at 0

# Gauss-Legendre nodes on [0, 1] for primitives of user callables
_GL_X, _GL_W = np.polynomial.legendre.leggauss(64)
_GL_X = 0.5 * (_GL_X + 1.0)
_GL_W = 0.5 * _GL_W


def _logcosh(x: np.ndarray) -> np.ndarray:
    """log cosh x without overflow (large |x|) and without cancellation (small |x|, where
    ``|x| + log1p(e^{-2|x|}) - log 2`` loses the digits of the x^2/2 it should give)."""
    ax = np.abs(x)
    small = ax < 1.0
    s = np.where(small, ax, 0.0)
    near = np.log1p(2.0 * np.sinh(0.5 * s) ** 2)  # cosh x - 1 = 2 sinh^2(x/2), exact
    far = ax + np.log1p(np.exp(-2.0 * ax)) - math.log(2.0)
    return np.where(small, near, far)


@dataclass(frozen=True)
class Transfer:
    """A transfer function with derivative and primitive.

    Parameters
    ----------
    kind : str
        One of ``"tanh"``, ``"erf"``, ``"relu"``, ``"linear"``, ``"custom"``.
    theta : float
        Threshold of ``"relu"`` (ignored otherwise).
    func, deriv, prim : callable, optional
        For ``kind="custom"``: vectorised ``phi``, optionally ``phi'`` (automatic when
        not given, module docstring) and the primitive ``Phi`` (``Phi(0) = 0``).
        Without ``prim`` the primitive is computed by 64-point Gauss-Legendre
        quadrature of ``func`` on [0, x].
    name : str
        A label for reports.
    expr : str
        For ``kind="custom"``: a formula in the variable x (instead of ``func``), e.g.
        ``"log(1 + exp(x))"``; see :meth:`from_sympy`.

    Attributes
    ----------
    deriv_method : str
        How phi' is computed: ``"exact"`` (built-in kinds), ``"given"``, ``"sympy"``,
        ``"complex-step"`` or ``"central-difference"``.
    """

    kind: str = "tanh"
    theta: float = 0.0
    func: Callable[[np.ndarray], np.ndarray] | None = field(default=None, compare=False)
    deriv: Callable[[np.ndarray], np.ndarray] | None = field(default=None, compare=False)
    prim: Callable[[np.ndarray], np.ndarray] | None = field(default=None, compare=False)
    name: str = ""
    expr: str = ""
    deriv_method: str = field(default="exact", init=False, compare=False)

    @classmethod
    def from_sympy(cls, expr: Any, name: str = "") -> Transfer:
        """A custom transfer function from a formula (string or sympy expression).

        phi and phi' (sympy's exact derivative) are compiled with
        :func:`sympy.lambdify`; the primitive uses quadrature.  The Transfer pickles
        (process pools) and saves as its formula.

        Parameters
        ----------
        expr : str or sympy.Expr
            A formula in the variable ``x``, e.g. ``"log(1 + exp(x))"`` or ``"tanh(x) + 0.1*x"``.
        name : str
            Label for reports (default: the formula).

        Returns
        -------
        Transfer
        """
        return cls("custom", expr=str(_sympify(expr, "Transfer.from_sympy")), name=name)

    def __post_init__(self) -> None:
        s = object.__setattr__
        if not isinstance(self.kind, str) or self.kind not in KINDS:
            raise ValueError(
                f"Transfer.kind must be one of {', '.join(KINDS)}; got {self.kind!r}. "
                "For another function use Transfer('custom', func=f[, deriv=df]) or "
                "Transfer.from_sympy('formula in x')."
            )
        s(self, "theta", check_finite("Transfer.theta", self.theta))
        if not isinstance(self.expr, str):
            raise ValueError(f"Transfer.expr must be a formula string, got {self.expr!r}")
        if self.expr and self.kind != "custom":
            raise ValueError(f"Transfer.expr is for kind='custom', got kind={self.kind!r}")
        if self.kind != "custom":
            if self.func is not None or self.deriv is not None or self.prim is not None:
                raise ValueError(
                    f"Transfer(kind={self.kind!r}) takes no func, deriv or prim; use kind='custom'"
                )
        if self.kind == "custom":
            if self.expr:
                if self.func is not None or self.deriv is not None:
                    raise ValueError("Transfer: pass either expr or func (and deriv), not both")
                import sympy

                e = _sympify(self.expr, "Transfer.expr")
                (var,) = e.free_symbols
                s(self, "func", _lambdify(var, e))
                s(self, "deriv", _lambdify(var, sympy.diff(e, var)))
                s(self, "deriv_method", "sympy")
                if not self.name:
                    s(self, "name", self.expr)
            if not callable(self.func):
                raise ValueError(
                    "a custom Transfer needs callables func (phi) and optionally deriv (phi'), "
                    "or a formula expr; "
                    f"got func={self.func!r}, deriv={self.deriv!r}"
                )
            if self.deriv is not None and not callable(self.deriv):
                raise ValueError(f"Transfer.deriv must be callable or None, got {self.deriv!r}")
            if self.prim is not None and not callable(self.prim):
                raise ValueError(f"Transfer.prim must be callable or None, got {self.prim!r}")
            probe = np.linspace(-2.0, 2.0, 5)
            checks = [("func", self.func)] + ([("deriv", self.deriv)] if self.deriv else [])
            for label, fn in checks:
                try:
                    with np.errstate(all="ignore"):
                        out = np.asarray(fn(probe), dtype=float)
                except Exception as exc:  # noqa: BLE001 - report any failure of user code
                    raise ValueError(
                        f"custom Transfer.{label} failed on an array input: {exc}"
                    ) from exc
                if out.shape != probe.shape:
                    raise ValueError(
                        f"custom Transfer.{label} must be vectorised (array in, same-shape array out); "
                        f"got shape {out.shape} for input shape {probe.shape}"
                    )
            if self.deriv is None:
                auto = _AutoDerivative(self.func)
                s(self, "deriv", auto)
                s(self, "deriv_method", auto.method)
            elif not self.expr:
                s(self, "deriv_method", "given")
        if not self.name:
            if self.kind == "relu":
                label = f"relu(theta={self.theta:g})"
            elif self.kind == "custom":
                label = getattr(self.func, "__name__", "custom")
                label = "custom" if label == "<lambda>" else label
            else:
                label = self.kind
            s(self, "name", label)

    # -- pickling and saving ---------------------------------------------------------
    def _init_fields(self) -> dict[str, Any]:
        if self.expr:
            return {"kind": self.kind, "expr": self.expr, "name": self.name}
        out = {"kind": self.kind, "theta": self.theta, "name": self.name}
        if self.kind == "custom":
            out["func"] = self.func
            out["deriv"] = None if isinstance(self.deriv, _AutoDerivative) else self.deriv
            out["prim"] = self.prim
        return out

    def _serial_fields(self) -> dict[str, Any]:
        """Fields that :meth:`rnmf.results.Result.save` stores (a formula, or functions by name)."""
        return self._init_fields()

    def __reduce__(self) -> tuple:
        if self.expr:
            return (_from_formula, (self.expr, self.name))
        fields_ = self._init_fields()
        try:
            return (_rebuild, (pickle.dumps(fields_),))
        except Exception as exc:  # noqa: BLE001 - lambdas, closures, functions in __main__
            try:
                import cloudpickle
            except ImportError:
                raise pickle.PicklingError(
                    f"Transfer {self.name!r} cannot be sent to another process: its function "
                    f"does not pickle ({exc}). Define phi (and its derivative) at module level "
                    "in an importable module, build it with Transfer.from_sympy('formula in x'), "
                    "or install cloudpickle (which sends lambdas and closures)"
                ) from exc
            return (_rebuild, (cloudpickle.dumps(fields_),))

    # -- kernels' view -------------------------------------------------------------
    @property
    def code(self) -> int:
        """Integer code for numba kernels (-1 for a user callable)."""
        return _CODES[self.kind]

    @property
    def odd(self) -> bool:
        """True when phi(-x) = -phi(x) (so mu = 0 is a solution without input)."""
        return self.kind in ("tanh", "erf", "linear")

    # -- numerics ------------------------------------------------------------------
    def __call__(self, x: np.ndarray | float) -> np.ndarray:
        """phi(x), vectorised."""
        x = np.asarray(x, dtype=float)
        if self.kind == "tanh":
            return np.tanh(x)
        if self.kind == "erf":
            return _erf(_A_ERF * x)
        if self.kind == "relu":
            return np.maximum(x - self.theta, 0.0)
        if self.kind == "linear":
            return x.copy()
        return np.asarray(self.func(x), dtype=float)

    def derivative(self, x: np.ndarray | float) -> np.ndarray:
        """phi'(x), vectorised (the Heaviside step for relu, with phi'(theta) = 0)."""
        x = np.asarray(x, dtype=float)
        if self.kind == "tanh":
            return 1.0 / np.cosh(x) ** 2
        if self.kind == "erf":
            return np.exp(-((_A_ERF * x) ** 2))
        if self.kind == "relu":
            return (x > self.theta).astype(float)
        if self.kind == "linear":
            return np.ones_like(x)
        return np.asarray(self.deriv(x), dtype=float)

    def primitive(self, x: np.ndarray | float) -> np.ndarray:
        """Phi(x) = int_0^x phi(s) ds, vectorised and overflow-safe."""
        x = np.asarray(x, dtype=float)
        if self.kind == "tanh":
            return _logcosh(x)
        if self.kind == "erf":
            # int_0^x erf(a s) ds = x erf(a x) + (exp(-a^2 x^2) - 1) / (a sqrt(pi)), a sqrt(pi) = pi/2
            return x * _erf(_A_ERF * x) + np.expm1(-((_A_ERF * x) ** 2)) * (2.0 / math.pi)
        if self.kind == "relu":
            th = self.theta
            return 0.5 * np.maximum(x - th, 0.0) ** 2 - 0.5 * max(-th, 0.0) ** 2
        if self.kind == "linear":
            return 0.5 * x * x
        if self.prim is not None:
            return np.asarray(self.prim(x), dtype=float)
        s = x[..., None] * _GL_X
        return x * np.sum(np.asarray(self.func(s), dtype=float) * _GL_W, axis=-1)

    def __repr__(self) -> str:
        return f"Transfer({self.name})"


def as_transfer(phi: Transfer | str, *, field_name: str = "phi") -> Transfer:
    """Normalise a transfer-function argument (a kind name, a formula in x, or a Transfer)."""
    if isinstance(phi, Transfer):
        return phi
    if isinstance(phi, str):
        if phi == "custom":
            raise ValueError(
                f"{field_name}='custom' needs Transfer('custom', func=...[, deriv=...]) or "
                "a formula such as 'log(1 + exp(x))'"
            )
        if phi in KINDS:
            return Transfer(phi)
        try:
            expr = _sympify(phi, field_name)
        except ValueError as exc:
            raise ValueError(
                f"{field_name} must be one of 'tanh', 'erf', 'relu', 'linear', a formula in x "
                f"such as 'log(1 + exp(x))', or a Transfer; got {phi!r} ({exc})"
            ) from None
        return Transfer("custom", expr=str(expr))
    if callable(phi):
        raise ValueError(
            f"{field_name} got a bare callable; wrap it: Transfer('custom', func=f[, deriv=df]) "
            "(the derivative is automatic when not given) or Transfer.from_sympy('formula in x')"
        )
    raise ValueError(f"{field_name} must be a kind name or a Transfer, got {type(phi).__name__}")
