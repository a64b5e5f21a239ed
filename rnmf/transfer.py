"""Transfer functions phi(x) shared by the theory and the simulator.

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
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ._checks import check_finite


def _erf(x: np.ndarray) -> np.ndarray:
    """scipy.special.erf, imported on first use (keeps ``import rnmf`` free of scipy)."""
    from scipy.special import erf

    return erf(x)


__all__ = ["KINDS", "Transfer", "as_transfer"]

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
        For ``kind="custom"``: vectorised ``phi``, ``phi'`` and optionally the
        primitive ``Phi`` (``Phi(0) = 0``). Without ``prim`` the primitive is
        computed by 64-point Gauss-Legendre quadrature of ``func`` on [0, x].
    name : str
        A label for reports.
    """

    kind: str = "tanh"
    theta: float = 0.0
    func: Callable[[np.ndarray], np.ndarray] | None = field(default=None, compare=False)
    deriv: Callable[[np.ndarray], np.ndarray] | None = field(default=None, compare=False)
    prim: Callable[[np.ndarray], np.ndarray] | None = field(default=None, compare=False)
    name: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(
                f"Transfer.kind must be one of {', '.join(KINDS)}; got {self.kind!r}. "
                "For another function use Transfer('custom', func=f, deriv=df)."
            )
        object.__setattr__(self, "theta", check_finite("Transfer.theta", self.theta))
        if self.kind == "custom":
            if not callable(self.func) or not callable(self.deriv):
                raise ValueError(
                    "a custom Transfer needs callables func (phi) and deriv (phi'); "
                    f"got func={self.func!r}, deriv={self.deriv!r}"
                )
            if self.prim is not None and not callable(self.prim):
                raise ValueError(f"Transfer.prim must be callable or None, got {self.prim!r}")
            probe = np.linspace(-2.0, 2.0, 5)
            for label, fn in (("func", self.func), ("deriv", self.deriv)):
                try:
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
        if not self.name:
            label = f"relu(theta={self.theta:g})" if self.kind == "relu" else self.kind
            object.__setattr__(self, "name", label)

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
    """Normalise a transfer-function argument (a kind name or a Transfer)."""
    if isinstance(phi, Transfer):
        return phi
    if isinstance(phi, str):
        if phi == "custom":
            raise ValueError(f"{field_name}='custom' needs Transfer('custom', func=..., deriv=...)")
        if phi not in KINDS:
            raise ValueError(
                f"{field_name} must be one of 'tanh', 'erf', 'relu', 'linear' or a Transfer; got {phi!r}"
            )
        return Transfer(phi)
    if callable(phi):
        raise ValueError(
            f"{field_name} got a bare callable; wrap it with its derivative: "
            "Transfer('custom', func=f, deriv=df[, prim=F])"
        )
    raise ValueError(f"{field_name} must be a kind name or a Transfer, got {type(phi).__name__}")
