r"""Largest Lyapunov exponent of the stationary DMFT state (continuous time).

Linearising the network around a trajectory, :math:`\dot{\delta x}_i = -\delta x_i +
\sum_j J_{ij}\phi'(x_j)\delta x_j`, the mean-field correlation of two infinitesimally
separated copies :math:`G(t,s) = \langle\delta x(t)\,\delta x(s)\rangle` obeys
(Sompolinsky, Crisanti & Sommers 1988, PRL 61:259, eq. 9)

.. math:: (\partial_t + 1)(\partial_s + 1)\, G(t, s) = g^2 q(t-s)\, G(t, s),\qquad
          q(\tau) = \langle\phi'(x(t))\,\phi'(x(t+\tau))\rangle .

With :math:`T = t+s`, :math:`\tau = t-s` and :math:`G = e^{\kappa T}\psi(\tau)`,
:math:`(\partial_t+1)(\partial_s+1) = (\partial_T+1)^2 - \partial_\tau^2`, so

.. math:: H\psi \equiv -\psi'' - g^2 q(\tau)\,\psi = -(\kappa+1)^2\,\psi = E\,\psi,

and the fastest growth :math:`\lambda_{max} = \kappa` comes from the ground state,
:math:`\lambda_{max} = \sqrt{-E_0} - 1` (SCS 1988 eq. 10; Engelken, Wolf & Abbott 2020,
arXiv:2006.02427, eq. 6).  :math:`\psi = \Delta'(\tau)` solves :math:`H\psi = -\psi`
(differentiate :math:`\Delta'' = \Delta - g^2 C_\phi(\Delta)`; :math:`dC_\phi/d\Delta = q`): the
time-translation mode with :math:`\lambda = 0`.  (``REFERENCES.md`` writes the operator
with an extra ``+1`` next to "E = -1": with the ``+1`` the translation mode sits at
``E = 0``; the convention here is the derivation above.)

The operator is discretised with second-order finite differences on the symmetric grid
:math:`\tau_j = jh`, :math:`|j| \le M`, Dirichlet walls at :math:`\pm(M+1)h`; the lowest
eigenvalues come from :func:`scipy.linalg.eigh_tridiagonal` and are Richardson
extrapolated in :math:`h` (error :math:`O(h^4)`); the box is grown until the ground state
has decayed (``gamma T >= 15`` with :math:`\gamma = \sqrt{E_c - E_0}`: the Dirichlet walls
shift a bound state by :math:`\sim e^{-2\gamma T}`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.linalg import eigh_tridiagonal

__all__ = ["SchroedingerSpectrum", "lowest_eigenvalues", "lyapunov_from_potential"]


@dataclass(frozen=True)
class SchroedingerSpectrum:
    """Lowest eigenvalues of ``H = -d^2/dtau^2 - W(tau)`` and their accuracy.

    Attributes
    ----------
    E : ndarray
        Richardson-extrapolated lowest eigenvalues (ascending).
    error : float
        Estimate of the error of ``E[0]`` (difference of the two last refinements).
    E_c : float
        Bottom of the continuum, ``-W(infinity)``.
    T : float
        Half-length of the box.
    h : float
        Coarsest grid spacing used.
    """

    E: np.ndarray
    error: float
    E_c: float
    T: float
    h: float


def _fd_eigs(W: Callable[[np.ndarray], np.ndarray], T: float, h: float, k: int) -> np.ndarray:
    M = int(round(T / h))
    tau = h * np.arange(-M, M + 1)
    d = 2.0 / h**2 - W(np.abs(tau))
    e = np.full(tau.size - 1, -1.0 / h**2)
    return eigh_tridiagonal(d, e, eigvals_only=True, select="i", select_range=(0, k - 1))


def lowest_eigenvalues(
    W: Callable[[np.ndarray], np.ndarray],
    W_inf: float,
    *,
    k: int = 1,
    h: float = 0.04,
    T: float = 40.0,
    T_max: float = 5000.0,
) -> SchroedingerSpectrum:
    r"""Lowest ``k`` eigenvalues of :math:`-\psi'' - W(|\tau|)\psi = E\psi` on the line.

    Parameters
    ----------
    W : callable
        :math:`W(\tau) = g^2 q(\tau)` for :math:`\tau \ge 0` (vectorised), even extension.
    W_inf : float
        :math:`W(\infty)`; the continuum starts at :math:`E_c = -W_\infty`.
    k : int
        Number of eigenvalues.
    h : float
        Grid spacing of the coarse level (levels h, h/2, Richardson).
    T : float
        Initial half-length of the box; grown up to ``T_max`` until the ground state decays.
    T_max : float
        Largest box.

    Returns
    -------
    SchroedingerSpectrum
    """
    E_c = -float(W_inf)
    # 1) grow the box on the coarse grid until the ground state has decayed at the walls
    #    (the Dirichlet error of a bound state is ~ exp(-2 gamma T))
    while True:
        E1 = _fd_eigs(W, T, h, 1)
        gamma = math.sqrt(max(E_c - E1[0], 0.0))
        if gamma * T >= 15.0 or T >= T_max:
            break
        T = min(T_max, max(2.0 * T, 18.0 / max(gamma, 1e-12)))
    # 2) three levels at the final box (spacing bounded so a huge box stays cheap),
    #    Richardson extrapolation of the last two; error: the change from the previous pair
    h = max(h, T / 20000.0)
    E1 = _fd_eigs(W, T, h, k)
    E2 = _fd_eigs(W, T, h / 2.0, k)
    E4 = _fd_eigs(W, T, h / 4.0, k)
    E_a = (4.0 * E2 - E1) / 3.0
    E = (4.0 * E4 - E2) / 3.0
    err = float(abs(E[0] - E_a[0]))
    return SchroedingerSpectrum(E=E, error=err, E_c=E_c, T=T, h=h)


def lyapunov_from_potential(
    W: Callable[[np.ndarray], np.ndarray], W_inf: float, *, h: float = 0.04, T: float = 40.0
) -> tuple[float, SchroedingerSpectrum]:
    r"""Largest Lyapunov exponent :math:`\sqrt{-\min(E_0, E_c)} - 1` (SCS 1988 eq. 10).

    Without a bound state below the continuum (a static state, :math:`W` constant) the
    growth rate is set by the continuum edge: :math:`\lambda = \sqrt{W_\infty} - 1 = g\sqrt{\langle\phi'^2\rangle} - 1`.
    """
    probe = W(np.array([0.0, 0.5, 2.0]))
    if np.all(np.abs(probe - W_inf) <= 1e-13 * max(1.0, abs(W_inf))):
        # constant potential (g = 0, linear phi, or a fixed point): no bound state
        spec = SchroedingerSpectrum(E=np.array([-W_inf]), error=0.0, E_c=-W_inf, T=0.0, h=h)
        return math.sqrt(max(W_inf, 0.0)) - 1.0, spec
    spec = lowest_eigenvalues(W, W_inf, k=1, h=h, T=T)
    E0 = min(float(spec.E[0]), spec.E_c)
    return math.sqrt(max(-E0, 0.0)) - 1.0, spec
