r"""Mean-field stability conditions of random and low-rank rate networks for a user's
transfer function, derived with sympy and evaluated by Gaussian quadrature.

For :math:`\dot x_i = -x_i + \sum_j J_{ij}\phi(x_j) + I` with :math:`J_{ij}\sim N(J_0/N, g^2/N)`
(+ a rank-one part :math:`m_in_j/N`), a state with statistics :math:`x_i\sim N(\mu, \Delta_0)` has
the linearisation :math:`-1 + J\,\mathrm{diag}\,\phi'(x)`; its random bulk is a disc of radius
:math:`\sqrt{\chi}`, :math:`\chi = g^2\langle\phi'(\mu+\sqrt{\Delta_0}z)^2\rangle` (Sompolinsky,
Crisanti & Sommers 1988, PRL 61:259, the quiet state, :math:`g\phi'(0) = 1`; Rajan &
Abbott 2006 for the radius of a matrix with column scalings).  Hence

* quiet-state stability (:math:`\mu = \Delta_0 = 0`, needs :math:`\phi(0) = 0`):
  :math:`g^2\phi'(0)^2 < 1` and the mean mode :math:`J_0\phi'(0) < 1`;
* with noise the local-stability line is :math:`\chi = 1` at the noise-driven
  :math:`(\mu, \Delta_0)` (Schuecker, Goedeke & Helias 2018, PRX 8:041029, Fig. 2);
* a rank-one structure with overlap :math:`\langle n m\rangle = M_mM_n` (uncorrelated loadings)
  adds the outlier :math:`M_mM_n\langle\phi'\rangle`; the quiet state loses stability through it at
  :math:`M_mM_n\phi'(0) = 1` (Mastrogiuseppe & Ostojic 2018, Neuron 99:609, STAR Methods,
  stability of the trivial state).

Each condition comes as a sympy expression (with the Gaussian average written as an integral),
its LaTeX, and a vectorised NumPy function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from rnmf.models.populations import TRANSFER_LIBRARY, _library_expr
from rnmf.transfer import Transfer

from ..gaussian import expect

__all__ = ["MeanFieldCondition", "mean_field_conditions", "transfer_from_sympy"]

x_, z_ = sp.symbols("x z", real=True)
g_, J0_, mu_, D0_, Mm_, Mn_ = sp.symbols("g J_0 mu Delta_0 M_m M_n", real=True)


def _phi_expr(phi: Any) -> Any:
    """phi as a sympy expression in ``x``: a library spec (numeric arguments), a Lambda,
    an expression in ``x`` or a callable on a sympy symbol."""
    if isinstance(phi, str):
        name, _, rest = phi.partition("(")
        name = name.strip()
        if name not in TRANSFER_LIBRARY:
            raise ValueError(
                f"unknown transfer function {phi!r}; library: {', '.join(TRANSFER_LIBRARY)}"
            )
        args = [sp.sympify(a) for a in rest.rstrip(")").split(",") if a.strip()] if rest else []
        if any(a.free_symbols for a in args):
            raise ValueError(f"transfer-function arguments must be numbers here, got {phi!r}")
        return _library_expr(name, x_, args)
    if isinstance(phi, sp.Lambda):
        return phi(x_)
    if isinstance(phi, sp.Expr):
        extra = phi.free_symbols - {x_}
        if any(s.name != "x" for s in extra):
            raise ValueError(
                f"phi must depend on x only, found {', '.join(sorted(map(str, extra)))}"
            )
        return phi.xreplace({s: x_ for s in extra})
    if callable(phi):
        return sp.sympify(phi(x_))
    raise ValueError(
        f"phi must be a library name, a sympy expression in x or a Lambda, got {phi!r}"
    )


def transfer_from_sympy(phi: Any, name: str = "") -> Transfer:
    """A :class:`rnmf.transfer.Transfer` (custom kind: vectorised function and derivative)
    from a sympy transfer function, for the numeric DMFT and the simulator."""
    e = _phi_expr(phi)
    f = sp.lambdify(x_, e, "numpy")
    d = sp.lambdify(x_, sp.diff(e, x_), "numpy")

    def func(x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.broadcast_to(np.asarray(f(x), dtype=float), np.shape(x)).copy()

    def deriv(x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.broadcast_to(np.asarray(d(x), dtype=float), np.shape(x)).copy()

    return Transfer("custom", func=func, deriv=deriv, name=name or sp.sstr(e))


@dataclass(frozen=True)
class MeanFieldCondition:
    """``expr RELATION 0`` in the mean-field parameters (g, J_0, mu, Delta_0, M_m, M_n).

    ``function(**values)`` evaluates ``expr`` vectorised (Gaussian averages by quadrature).
    """

    name: str
    expr: Any
    relation: str
    meaning: str
    reference: str
    _fn: Callable[..., np.ndarray] = field(repr=False, compare=False, default=None)

    def function(self, **values: Any) -> np.ndarray:
        """The left-hand side at the given parameter arrays (broadcast)."""
        return self._fn(**values)

    def latex(self) -> str:
        """LaTeX of the condition."""
        return f"{sp.latex(self.expr)} {self.relation}"

    def __str__(self) -> str:
        return f"{self.name}: {sp.sstr(self.expr)} {self.relation}"


def mean_field_conditions(phi: Any) -> dict[str, MeanFieldCondition]:
    r"""The random-network and low-rank stability conditions for the transfer function ``phi``.

    Returns a dict with

    * ``"quiet"``: :math:`g^2\phi'(0)^2 - 1 < 0` (only where :math:`\phi(0) = 0`; otherwise a
      ValueError explains that no quiet state exists without input);
    * ``"mean mode"``: :math:`J_0\phi'(0) - 1 < 0`;
    * ``"chi"``: :math:`g^2\langle\phi'(\mu+\sqrt{\Delta_0}z)^2\rangle - 1 < 0`, the local stability
      of a state with statistics :math:`(\mu, \Delta_0)` (the line :math:`\chi = 1` with noise);
    * ``"outlier"``: :math:`M_mM_n\langle\phi'(\mu+\sqrt{\Delta_0}z)\rangle - 1 < 0`.
    """
    e = _phi_expr(phi)
    d = sp.diff(e, x_)
    phi0 = e.subs(x_, 0)
    d0 = d.subs(x_, 0)
    if d0.has(sp.nan, sp.zoo) or not d0.is_finite:
        d0 = sp.limit(d, x_, 0, "+")
    dfun = sp.lambdify(x_, d, "numpy")

    def dphi(x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.broadcast_to(np.asarray(dfun(x), dtype=float), np.shape(x))

    gauss = sp.exp(-(z_**2) / 2) / sp.sqrt(2 * sp.pi)
    at = mu_ + sp.sqrt(D0_) * z_
    chi_expr = g_**2 * sp.Integral(d.subs(x_, at) ** 2 * gauss, (z_, -sp.oo, sp.oo)) - 1
    out_expr = Mm_ * Mn_ * sp.Integral(d.subs(x_, at) * gauss, (z_, -sp.oo, sp.oo)) - 1
    d0f = float(d0)

    def chi_fn(g: Any, mu: Any = 0.0, Delta0: Any = 0.0) -> np.ndarray:
        mean = expect(
            lambda x: dphi(x) ** 2,
            np.asarray(mu, float),
            np.asarray(Delta0, float),
        )
        return np.asarray(g, float) ** 2 * mean - 1.0

    def out_fn(M_m: Any, M_n: Any, mu: Any = 0.0, Delta0: Any = 0.0) -> np.ndarray:
        mean = expect(dphi, np.asarray(mu, float), np.asarray(Delta0, float))
        return np.asarray(M_m, float) * np.asarray(M_n, float) * mean - 1.0

    conds = {
        "quiet": MeanFieldCondition(
            "quiet", g_**2 * d0**2 - 1, "< 0",
            "the quiet state x = 0 of a random network is linearly stable (bulk radius g|phi'(0)| < 1)",
            "Sompolinsky, Crisanti & Sommers 1988, PRL 61:259 (stability of the quiet state)",
            lambda g: np.asarray(g, float) ** 2 * d0f**2 - 1.0,
        ),
        "mean mode": MeanFieldCondition(
            "mean mode", J0_ * d0 - 1, "< 0",
            "the uniform mode (outlier J0 phi'(0)) of the quiet state is stable",
            "Rajan & Abbott 2006, PRL 97:188104 (outlier of a mean coupling)",
            lambda J0: np.asarray(J0, float) * d0f - 1.0,
        ),
        "chi": MeanFieldCondition(
            "chi", chi_expr, "< 0",
            "local stability of a state with statistics (mu, Delta0); chi = 1 is the local-"
            "stability line, with noise below the transition to chaos",
            "Schuecker, Goedeke & Helias 2018, PRX 8:041029 (Fig. 2); SCS 1988",
            chi_fn,
        ),
        "outlier": MeanFieldCondition(
            "outlier", out_expr, "< 0",
            "the rank-one outlier M_m M_n <phi'> stays inside the stable half-plane",
            "Mastrogiuseppe & Ostojic 2018, Neuron 99:609 (STAR Methods, stability)",
            out_fn,
        ),
    }  # fmt: skip
    if phi0 != 0:
        conds.pop("quiet")
        conds.pop("mean mode")
    return conds
