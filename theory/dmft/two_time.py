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

Marching (:func:`march`): the covariance of the exponential-Euler map
:math:`\xi_{k+1} = e^{-h}\xi_k + (1 - e^{-h})\eta_k` with the cross-covariance
:math:`B_{kl} = \langle\xi_k\eta_l\rangle` (the exact large-N limit of the exponential-Euler
simulation; order 1 in h against continuous time, measured in the tests).  The core takes a
generic row callback so that other two-time problems (the low-rank latent DMFT,
:func:`rnmf.theory.lowrank.latent_dynamics`) share it.
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


def march(
    row: Callable[[int, np.ndarray], np.ndarray], n: int, h: float, g2: float, C00: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    r"""March the two-time covariance of the recurrent field on the grid :math:`t_k = kh`.

    The field obeys the exponential-Euler map :math:`\xi_{k+1} = e\,\xi_k + c\,\eta_k`
    (:math:`e = e^{-h}`, :math:`c = 1 - e`) with :math:`\eta` Gaussian,
    :math:`\langle\eta_k\eta_l\rangle = g^2C^\phi_{kl}` (Sompolinsky, Crisanti & Sommers 1988,
    PRL 61:259, eqs. 3-4 in two-time form) and :math:`\xi_0` independent of :math:`\eta`.  Then
    :math:`B_{kl} = \langle\xi_k\eta_l\rangle` obeys :math:`B_{0l} = 0`,
    :math:`B_{k+1,l} = eB_{kl} + cg^2C^\phi_{kl}` and

    .. math:: \Delta_{k+1,l+1} = e^2\Delta_{kl} + ec(B_{kl} + B_{lk}) + c^2g^2C^\phi_{kl},\qquad
              \Delta_{k,0} = e^k\Delta_{00},

    the exact large-N limit of the exponential-Euler simulation, first order in h against
    continuous time.  Shared by :func:`transient` and the low-rank latent DMFT
    (:func:`rnmf.theory.lowrank.latent_dynamics`).

    Parameters
    ----------
    row : callable
        ``row(m, Delta)`` returns :math:`C^\phi_{m,l}` for l = 0..m (it may read
        ``Delta[m, :m + 1]`` and the diagonal up to m, and advance its own mean state).
    n : int
        Number of steps.
    h, g2 : float
        Step and coupling variance :math:`g^2`.
    C00 : float
        :math:`\Delta_{00}`, the variance of the initial field.

    Returns
    -------
    Delta, Cphi : (n + 1, n + 1) arrays
        Symmetric; the last row of ``Cphi`` is not computed (zero).
    """
    from scipy import signal

    e, c = math.exp(-h), -math.expm1(-h)
    D = np.zeros((n + 1, n + 1))
    B = np.zeros((n + 1, n + 1))
    Cm = np.zeros((n + 1, n + 1))
    D[0, 0] = C00
    for m in range(n):
        Cm[m, : m + 1] = row(m, D)
        Cm[: m + 1, m] = Cm[m, : m + 1]
        # column m of B: a first-order recursive filter over the first index
        B[1 : m + 2, m] = signal.lfilter([c * g2], [1.0, -e], Cm[: m + 1, m])
        B[m + 1, :m] = e * B[m, :m] + c * g2 * Cm[m, :m]
        l = np.arange(m + 1)
        new = e * e * D[m, l] + e * c * (B[m, l] + B[l, m]) + c * c * g2 * Cm[m, l]
        D[m + 1, 1 : m + 2] = new
        D[1 : m + 2, m + 1] = new
        D[m + 1, 0] = D[0, m + 1] = e * D[m, 0]
    return D, Cm


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

    def row(m: int, D: np.ndarray) -> np.ndarray:
        d = np.diag(D)[: m + 1]
        return bivariate_average(phi, phi, mu[m], mu[: m + 1], D[m, m], d, D[m, : m + 1], n_gh)

    C, _ = march(row, n, h, g2, float(Delta_init))
    return TwoTimeResult(
        model=net, method="exp-euler-two-time", options={"h": h, "n_gh": n_gh}, converged=True,
        status=Status.CONVERGED, n_iter=n, t=t, mu=mu, C=C, h=h,
    )  # fmt: skip
