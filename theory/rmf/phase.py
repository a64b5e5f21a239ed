r"""Phase diagram of an exponential-intensity E-I network: where is it multistable?

Every neuron receives ``K_E`` excitatory inputs (jump ``w_E > 0``) and ``K_I`` inhibitory
ones (jump ``w_I <= 0``) and all neurons share b, tau, r and ``phi(x) = lam0 e^x``
(fixed in-degree, :meth:`rnmf.models.IntensityNetwork.ei`).  All neurons then have the
same transfer function and the same input statistics, so ``beta_E = beta_I = beta`` and the
stationary rates solve the scalar equation

.. math:: \beta = F(K_E \beta, K_I \beta; w_E, w_I)

(Baccelli & Taillefumier 2019, SIAM J. Appl. Dyn. Syst. 18:1756, eq. (4.2); Yu &
Taillefumier 2022, PLoS Comput. Biol. 18:e1010215, Sec. 2 for the metastable E-I case).
Its roots are counted from the sign changes of ``F(beta) - beta`` on a grid of beta; a
root where ``F - beta`` changes from + to - has slope ``dF/dbeta < 1`` along the
collective mode (stable for the rate dynamics, see :mod:`.solve`), from - to + a saddle.
The collective mode is one eigen-direction of the network Jacobian; the others (rate
differences between neurons) are not examined here -- :func:`rnmf.theory.rmf.solve` on a
concrete network gives the full Jacobian.

The scan uses the density solver on two grids with one extrapolation step (relative error
about 1e-3), enough to count roots away from folds; ``refine=True`` polishes each root to
``tol``.  Points whose F exceeds beta at ``beta_max`` are marked (a root may lie above).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq

from rnmf.results import Result, Status

from .density import density_rate
from .meanfield import mf_rate

__all__ = ["EIPhaseDiagram", "ei_transfer", "phase_diagram"]


@dataclass(frozen=True, kw_only=True, repr=False)
class EIPhaseDiagram(Result):
    """Solution count and stability over the (w_E, w_I) plane.

    Arrays are indexed ``[i, e]`` for ``w_I[i]``, ``w_E[e]``; ``rates`` and ``stable``
    have a last axis over the solutions at that point (NaN / False padded).
    """

    w_E: np.ndarray = field(default_factory=lambda: np.zeros(0))
    w_I: np.ndarray = field(default_factory=lambda: np.zeros(0))
    n_solutions: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), int))
    n_stable: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), int))
    rates: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0)))
    stable: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0), bool))
    above_max: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), bool))
    limit: str = "rmf"

    def _repr_rows(self) -> list[tuple[str, str]]:
        ns = self.n_solutions
        return [
            ("limit", self.limit),
            ("grid", f"{self.w_I.size} w_I x {self.w_E.size} w_E"),
            ("multistable points", str(int(np.sum(self.n_stable >= 2)))),
            ("max solutions", str(int(ns.max(initial=0)))),
            ("points with F(beta_max) > beta_max", str(int(self.above_max.sum()))),
        ]


def ei_transfer(
    beta: float,
    w_E: float,
    w_I: float,
    *,
    K_E: int,
    K_I: int,
    b: float,
    tau: float,
    r: float,
    lam0: float,
    limit: str = "rmf",
    tol: float = 1e-3,
) -> float:
    """``F(K_E beta, K_I beta)`` of the E-I network's neurons (any single rate beta)."""
    lam = np.array([K_E * beta, K_I * beta])
    w = np.array([w_E, w_I])

    def phi(v: np.ndarray) -> np.ndarray:
        return lam0 * np.exp(np.minimum(v, 700.0))

    if limit == "mf":
        return mf_rate(b, tau, r, lam, w, phi, dphi=phi)[0]
    fast = tol >= 1e-4
    return density_rate(
        b, tau, r, lam, w, phi, tol=tol, n0=120 if fast else 300,
        max_levels=2 if fast else 7, derivs=False,
    ).beta  # fmt: skip


def phase_diagram(
    w_E: np.ndarray,
    w_I: np.ndarray,
    *,
    K_E: int = 10,
    K_I: int = 5,
    b: float = -4.0,
    tau: float = 1.0,
    r: float = -4.0,
    lam0: float = 1.0,
    beta_max: float = 100.0,
    n_scan: int = 24,
    limit: str = "rmf",
    refine: bool = False,
    tol: float = 1e-7,
) -> EIPhaseDiagram:
    """Count the stationary states of the exponential E-I network over (w_E, w_I).

    Parameters
    ----------
    w_E, w_I : arrays
        Excitatory (> 0) and inhibitory (<= 0) jump sizes.
    K_E, K_I : int
        In-degrees.
    b, tau, r, lam0 : float
        Neuron parameters shared by all neurons.
    beta_max : float
        Upper end of the scanned rates.
    n_scan : int
        Scan points (log-spaced from ``1e-4 beta_max``, plus 0).
    limit : {"rmf", "mf"}
    refine : bool
        Polish each root with the density solver to ``tol``.

    Returns
    -------
    EIPhaseDiagram
    """
    wE = np.atleast_1d(np.asarray(w_E, dtype=float))
    wI = np.atleast_1d(np.asarray(w_I, dtype=float))
    if wE.ndim != 1 or wI.ndim != 1 or wE.size == 0 or wI.size == 0:
        raise ValueError("w_E and w_I must be non-empty 1-d arrays")
    if np.any(~np.isfinite(wE)) or np.any(wE <= 0):
        raise ValueError(f"w_E must be finite and > 0, got {wE}")
    if np.any(~np.isfinite(wI)) or np.any(wI > 0):
        raise ValueError(f"w_I must be finite and <= 0, got {wI}")
    if limit not in ("rmf", "mf"):
        raise ValueError(f"limit must be 'rmf' or 'mf', got {limit!r}")
    if not (np.isfinite(beta_max) and beta_max > 0):
        raise ValueError(f"beta_max must be finite and > 0, got {beta_max}")
    if int(n_scan) < 4:
        raise ValueError(f"n_scan must be >= 4, got {n_scan}")
    if not (tau > 0 and lam0 > 0):
        raise ValueError("tau and lam0 must be > 0")
    kw = dict(K_E=K_E, K_I=K_I, b=b, tau=tau, r=r, lam0=lam0, limit=limit)
    xs = np.concatenate([[0.0], beta_max * np.logspace(-4, 0, int(n_scan) - 1)])
    found: dict[tuple[int, int], list[tuple[float, bool]]] = {}
    above = np.zeros((wI.size, wE.size), dtype=bool)
    n_eval = 0
    for i, wi in enumerate(wI):
        for e, we in enumerate(wE):
            g = np.array([ei_transfer(x, we, wi, **kw) - x for x in xs])
            n_eval += xs.size
            roots = []
            for k in range(xs.size - 1):
                if g[k] * g[k + 1] < 0:
                    if refine:

                        def h(x, we=we, wi=wi):
                            return ei_transfer(x, we, wi, tol=tol, **kw) - x

                        x = brentq(h, xs[k], xs[k + 1], rtol=10 * tol)
                    else:
                        x = xs[k] - g[k] * (xs[k + 1] - xs[k]) / (g[k + 1] - g[k])
                    roots.append((float(x), bool(g[k] > 0)))
            above[i, e] = bool(g[-1] > 0)
            found[(i, e)] = roots
    m = max((len(v) for v in found.values()), default=0)
    rates = np.full((wI.size, wE.size, max(m, 1)), np.nan)
    stable = np.zeros((wI.size, wE.size, max(m, 1)), dtype=bool)
    nsol = np.zeros((wI.size, wE.size), dtype=int)
    for (i, e), roots in found.items():
        nsol[i, e] = len(roots)
        for k, (x, st) in enumerate(roots):
            rates[i, e, k] = x
            stable[i, e, k] = st
    return EIPhaseDiagram(
        model=None,
        method=f"scan of F(beta) - beta ({'density' if limit == 'rmf' else 'mean field'})",
        options={**kw, "beta_max": beta_max, "n_scan": n_scan, "refine": refine},
        converged=True,
        status=Status.CONVERGED,
        n_iter=n_eval,
        residual=0.0,
        w_E=wE,
        w_I=wI,
        n_solutions=nsol,
        n_stable=stable.sum(axis=-1),
        rates=rates,
        stable=stable,
        above_max=above,
        limit=limit,
    )
