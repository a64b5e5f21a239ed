r"""Two-time DMFT of a random rate network with time-dependent input (transients).

One population, :math:`J_{ij}\sim N(0, g^2/N)`, a common time-dependent input :math:`I(t)`
(a :class:`~rnmf.models.Drive` of kind ``"step"`` or ``"callable"`` evaluated per population),
initial states i.i.d. :math:`N(\mu_0, \Delta_{init})`.  With :math:`\eta_i = \sum_j J_{ij}\phi(x_j)`
Gaussian of covariance :math:`g^2C_\phi(t,s)` (Sompolinsky, Crisanti & Sommers 1988, PRL 61:259,
eqs. 3-4, without assuming stationarity; Crisanti & Sompolinsky 2018, PRE 98:062120, Sec. II):

.. math::
    \dot\mu = -\mu + I(t),\qquad
    C(t,s) = e^{-t-s}\Delta_{init} + \int_0^t\!\!\int_0^s e^{-(t-u)-(s-v)}\,g^2C_\phi(u,v)\,du\,dv

with :math:`C_\phi(u,v) = \langle\phi(x(u))\phi(x(v))\rangle` over the Gaussian of means
:math:`\mu(u), \mu(v)`, variances :math:`C(u,u), C(v,v)` and covariance :math:`C(u,v)`.

Marching (:func:`march`): with :math:`B(t,s) = \int_0^s e^{-(s-v)}g^2C_\phi(t,v)dv`,
:math:`B(t, s+h) = e^{-h}B(t,s) + (1-e^{-h})g^2C_\phi(t,s)` and
:math:`C(t+h, s) = e^{-h}C(t,s) + (1-e^{-h})B(t,s)`: an explicit exponential-Euler scheme of
order 1 in h (measured in the tests).  The core takes a generic two-point average so that
other two-time problems (e.g. the low-rank latent DMFT) can share it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from rnmf.models import RatePopulationNetwork
from rnmf.results import Result, Status

from ..gaussian import gauss_hermite

__all__ = ["TwoTimeResult", "bivariate_average", "march", "transient"]


def bivariate_average(f: Callable, h: Callable, m1, m2, v1, v2, c, n: int = 24) -> np.ndarray:
    r""":math:`\langle f(x_1)h(x_2)\rangle`, :math:`(x_1, x_2)` Gaussian with means m1, m2,
    variances v1, v2 and covariance c (arrays broadcast), Gauss-Hermite of order n squared."""
    z, w = gauss_hermite(n)
    m1, m2, v1, v2, c = np.broadcast_arrays(*(np.asarray(a, float) for a in (m1, m2, v1, v2, c)))
    s1 = np.sqrt(np.maximum(v1, 0.0))[..., None, None]
    s2 = np.sqrt(np.maximum(v2, 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where(s1[..., 0, 0] * s2 > 0, c / (s1[..., 0, 0] * s2), 0.0)
    rho = np.clip(rho, -1.0, 1.0)[..., None, None]
    s2 = s2[..., None, None]
    z1 = z[:, None]
    z2 = z[None, :]
    x1 = m1[..., None, None] + s1 * z1
    x2 = m2[..., None, None] + s2 * (rho * z1 + np.sqrt(1 - rho**2) * z2)
    return np.einsum("...ij,i,j->...", f(x1) * h(x2), w, w)


def march(avg: Callable, mu: np.ndarray, C00: float, g2: float, h: float) -> np.ndarray:
    """March C(t_k, t_j) on the grid t_k = k h (k = 0..n) from C(0, 0) = C00.

    ``avg(mu_k, mu_j, C_kk, C_jj, C_kj)`` returns the two-point average of phi (arrays over j);
    ``mu`` holds the means on the grid.  Returns the symmetric (n+1, n+1) matrix C.
    """
    n = mu.size - 1
    C = np.zeros((n + 1, n + 1))
    B = np.zeros(n + 2)
    C[0, 0] = C00
    e = math.exp(-h)
    for k in range(n):
        d = np.diag(C)[: k + 1]
        Cphi = avg(mu[k], mu[: k + 1], C[k, k], d, C[k, : k + 1])
        B[0] = 0.0
        for j in range(k + 1):  # B(t_k, t_{j+1}) from B(t_k, t_j)
            B[j + 1] = e * B[j] + (1 - e) * g2 * Cphi[j]
        row = e * C[k, : k + 1] + (1 - e) * B[: k + 1]
        C[k + 1, : k + 1] = row
        C[: k + 1, k + 1] = row
        C[k + 1, k + 1] = e * C[k, k + 1] + (1 - e) * B[k + 1]
    return C


@dataclass(frozen=True, kw_only=True, repr=False)
class TwoTimeResult(Result):
    """Transient two-time DMFT: grid ``t``, means ``mu`` and the matrix ``C[k, j] = C(t_k, t_j)``."""

    t: np.ndarray = field(default_factory=lambda: np.zeros(1))
    mu: np.ndarray = field(default_factory=lambda: np.zeros(1))
    C: np.ndarray = field(default_factory=lambda: np.zeros((1, 1)))
    h: float = math.nan

    def _repr_rows(self) -> list[tuple[str, str]]:
        return [
            ("grid", f"{self.t.size} times, h = {self.h:g} (units of tau)"),
            ("C(T, T)", f"{self.C[-1, -1]:.6g}"),
            ("mu(T)", f"{self.mu[-1]:.6g}"),
        ]


def transient(
    net: RatePopulationNetwork, T: float, *, h: float = 0.05, Delta_init: float = 1.0, mu0: float = 0.0,
    n_gh: int = 24,
) -> TwoTimeResult:  # fmt: skip
    r"""Two-time DMFT from i.i.d. initial states :math:`N(\mu_0, \Delta_{init})` up to time T.

    ``net``: one population, zero-mean Gaussian couplings, tau = 1; an optional step or callable
    drive is read as a common input (its value on unit 0).
    """
    if not isinstance(net, RatePopulationNetwork) or net.P != 1 or net.connectivity != "gaussian":
        raise ValueError("transient covers one population with Gaussian couplings")
    if np.asarray(net.J0).any() or net.tau[0] != 1.0 or any(net.sigma_I) or any(net.sigma_noise):
        raise ValueError("transient covers J0 = 0, tau = 1, no quenched input and no noise")
    if net.drive is not None and net.drive.kind == "sine":
        raise ValueError(
            "transient: a sine drive with random phases is not a common input; use driven.periodic_state"
        )
    h = float(h)
    if not (0 < h <= 0.5):
        raise ValueError(f"h must lie in (0, 0.5], got {h!r}")
    n = int(round(float(T) / h))
    if n < 1:
        raise ValueError(f"T = {T!r} is shorter than one step h = {h:g}")
    t = np.arange(n + 1) * h
    pop = np.zeros(1, dtype=int)
    inp = np.array(
        [
            net.I0[0] + (net.drive.evaluate(float(tk), pop, np.zeros(1))[0] if net.drive else 0.0)
            for tk in t
        ]
    )
    mu = np.empty(n + 1)  # exact for piecewise-constant input held over each step
    mu[0] = mu0
    e = math.exp(-h)
    for k in range(n):
        mu[k + 1] = e * mu[k] + (1 - e) * inp[k]
    phi = net.phi[0]
    g2 = float(net.g[0][0]) ** 2

    def avg(m1, m2, v1, v2, c):
        return bivariate_average(phi, phi, m1, m2, v1, v2, c, n_gh)

    C = march(avg, mu, float(Delta_init), g2, h)
    return TwoTimeResult(
        model=net, method="exp-euler-two-time", options={"h": h, "n_gh": n_gh}, converged=True,
        status=Status.CONVERGED, n_iter=n, t=t, mu=mu, C=C, h=h,
    )  # fmt: skip
