r"""DMFT of a random rate network driven by sinusoidal input (suppression of chaos).

Model: one population of Gaussian couplings (:class:`~rnmf.models.RatePopulationNetwork`
with ``P = 1``, ``J0 = 0``, time in units of tau) and the drive
:math:`D_i(t) = A\cos(\omega t + \theta_i)`, :math:`\omega = 2\pi f`, phases uniform on
:math:`[0, 2\pi)` (Rajan, Abbott & Sompolinsky 2010, PRE 82:011903, eq. 2):

.. math:: \dot x_i = -x_i + \sum_j J_{ij}\phi(x_j) + A\cos(\omega t + \theta_i).

Mean field.  :math:`x_i = d_i(t) + \xi_i(t)` with the filtered drive
:math:`d_i(t) = a\cos(\omega t + \theta_i - \arctan\omega)`, :math:`a = A/\sqrt{1+\omega^2}`,
and a Gaussian recurrent part whose input :math:`\eta_i = \sum_j J_{ij}\phi(x_j)` has covariance
:math:`g^2\langle\phi(x(t))\phi(x(s))\rangle`, averaged over the units, i.e. over the phases.
Because the phases are uniform, this average depends on :math:`\tau = t - s` only and the
autocorrelation :math:`\Delta(\tau) = \langle\xi(t)\xi(t+\tau)\rangle` obeys (RAS 2010, Sec. III)

.. math:: (1 - \partial_\tau^2)\Delta(\tau) = g^2\,\big\langle\phi(a\cos\vartheta + \xi_1)\,
          \phi(a\cos(\vartheta + \omega\tau) + \xi_2)\big\rangle_{\vartheta, \xi}

with :math:`\xi_{1,2}` Gaussian of variance :math:`\Delta(0)` and covariance :math:`\Delta(\tau)`.
In the non-chaotic (entrained) state every :math:`\xi_i` is periodic with the drive's period
:math:`T = 1/f`, so :math:`\Delta` is T-periodic: :func:`periodic_state` solves the equation on a
periodic grid (Fourier inverse of :math:`1 - \partial^2`, Newton-Krylov).

Stability and chaos.  A perturbation's correlation obeys
:math:`(1+\partial_t)(1+\partial_s)D = g^2 q(t-s) D` with
:math:`q(\tau) = \langle\phi'\phi'\rangle` (same average), so :math:`D = e^{\gamma(t+s)}\psi(\tau)`
solves the Hill equation :math:`[-\partial_\tau^2 + 1 - g^2q(\tau)]\psi = E\psi`,
:math:`(1+\gamma)^2 = 1 - E`.  The largest exponent comes from the bottom :math:`E_0` of its
lowest band (the periodic Bloch state): :math:`\lambda_{max} = -1 + \sqrt{1 - E_0}`
(:func:`driven_lyapunov`).  The entrained state is stable, and chaos suppressed, when
:math:`\lambda_{max} < 0`; the critical amplitude :math:`A_c(f)` solves
:math:`\lambda_{max} = 0` (:func:`critical_amplitude`; non-monotonic in f, RAS 2010, Fig. 3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from rnmf.models import RatePopulationNetwork
from rnmf.results import ConvergenceError, Result, Status, finish

from ..gaussian import gauss_hermite

__all__ = ["DrivenDMFTResult", "critical_amplitude", "driven_lyapunov", "periodic_state"]


@dataclass(frozen=True, kw_only=True, repr=False)
class DrivenDMFTResult(Result):
    r"""Entrained (periodic) state of a sinusoidally driven random network.

    Attributes
    ----------
    tau : (n,) array
        Lags on one period :math:`[0, T)` (units of tau).
    Delta : (n,) array
        Autocorrelation :math:`\Delta(\tau)` of the recurrent part (T-periodic).
    Delta0 : float
        :math:`\Delta(0)`.
    a : float
        Amplitude of the filtered drive, :math:`A/\sqrt{1+\omega^2}`.
    lambda_max : float
        Largest Lyapunov exponent of the entrained state (per unit tau); chaos is
        suppressed when it is negative.
    E0 : float
        Bottom of the lowest band of the Hill operator.
    """

    tau: np.ndarray = field(default_factory=lambda: np.zeros(1))
    Delta: np.ndarray = field(default_factory=lambda: np.zeros(1))
    Delta0: float = math.nan
    a: float = math.nan
    lambda_max: float = math.nan
    E0: float = math.nan

    def _repr_rows(self) -> list[tuple[str, str]]:
        return [
            ("Delta0", f"{self.Delta0:.6g}"),
            ("a (filtered drive)", f"{self.a:.6g}"),
            (
                "lambda_max",
                f"{self.lambda_max:.6g} per tau ({'chaotic' if self.lambda_max > 0 else 'entrained'})",
            ),
            ("grid", f"{self.tau.size} lags on one period"),
            ("status", str(self.status)),
        ]


def _check(net: RatePopulationNetwork) -> tuple[float, float, float, object]:
    if not isinstance(net, RatePopulationNetwork):
        raise ValueError(f"expected a RatePopulationNetwork, got {type(net).__name__}")
    if net.P != 1 or net.connectivity != "gaussian" or np.asarray(net.J0).any():
        raise ValueError(
            "the driven DMFT covers one population with zero-mean Gaussian couplings (P = 1, "
            "J0 = 0); got " + net.describe()
        )
    d = net.drive
    if d is None or d.kind != "sine" or d.phases != "random" or d.frequency <= 0:
        raise ValueError("the driven DMFT needs Drive('sine', frequency > 0, phases='random')")
    if net.tau[0] != 1.0 or any(net.I0) or any(net.sigma_I) or any(net.sigma_noise):
        raise ValueError("the driven DMFT covers tau = 1 without constant input or noise")
    return float(net.g[0][0]), float(d.frequency), float(d.amplitudes(1)[0]), net.phi[0]


class _Avg:
    """Averages over phase and Gaussian of products f(x1) h(x2) on a lag grid."""

    def __init__(self, tau: np.ndarray, a: float, omega: float, n_theta: int, n_gh: int) -> None:
        self.theta = 2 * np.pi * np.arange(n_theta) / n_theta
        z, w = gauss_hermite(n_gh)
        self.z, self.w = z, w
        self.m1 = a * np.cos(self.theta)[None, :]  # (1, n_theta)
        self.m2 = a * np.cos(self.theta[None, :] + omega * tau[:, None])  # (n, n_theta)

    def pair(self, f, h, D0: float, D: np.ndarray) -> np.ndarray:
        z, w = self.z, self.w
        D = np.clip(D, -D0, D0)
        c = np.sqrt(np.abs(D))[:, None, None, None]
        s = np.sqrt(np.maximum(D0 - np.abs(D), 0.0))[:, None, None, None]
        sg = np.sign(D)[:, None, None, None]
        zz = z[None, None, :, None]
        yy = z[None, None, None, :]
        F = (f(self.m1[:, :, None, None] + c * zz + s * yy) * w).sum(-1)  # (n, nθ, nz)
        H = (h(self.m2[:, :, None, None] + sg * c * zz + s * yy) * w).sum(-1)
        return (F * H * w[None, None, :]).sum(-1).mean(-1)


def _solve_periodic(g, phi, a, omega, n, n_theta, n_gh, tol, max_iter):
    from scipy.optimize import newton_krylov

    T = 2 * np.pi / omega
    tau = np.arange(n) * T / n
    k = np.fft.rfftfreq(n, d=T / n) * 2 * np.pi
    Linv = 1.0 / (1.0 + k**2)
    avg = _Avg(tau, a, omega, n_theta, n_gh)

    def G(D: np.ndarray) -> np.ndarray:
        S = g**2 * avg.pair(phi, phi, max(float(D[0]), 0.0), D)
        return np.fft.irfft(np.fft.rfft(S) * Linv, n)

    D = np.full(n, g**2 * 0.5 + 0.1)
    it = 0
    while it < 200:  # damped iteration to get close
        it += 1
        new = G(D)
        if np.max(np.abs(new - D)) < tol:
            D = new
            break
        D = 0.5 * D + 0.5 * new
    res = float(np.max(np.abs(G(D) - D)))
    if res > tol:
        try:
            D = newton_krylov(lambda v: G(v) - v, D, f_tol=tol, maxiter=max_iter)
        except Exception:  # noqa: BLE001 - NoConvergence: keep the iterate, report the residual
            pass
        res = float(np.max(np.abs(G(D) - D)))
    return tau, D, res, it, avg


def driven_lyapunov(
    g: float, phi, tau: np.ndarray, D: np.ndarray, avg: _Avg
) -> tuple[float, float]:
    r"""``(lambda_max, E0)`` from the Hill operator :math:`-\partial^2 + 1 - g^2 q(\tau)` on one
    period (periodic boundary conditions: the band bottom), spectral differentiation."""
    n = tau.size
    T = tau[1] * n
    q = g**2 * avg.pair(phi.derivative, phi.derivative, max(float(D[0]), 0.0), D)
    k = np.fft.fftfreq(n, d=T / n) * 2 * np.pi
    F = np.fft.fft(np.eye(n), axis=0)
    lap = np.real(np.fft.ifft(-(k**2)[:, None] * F, axis=0))  # spectral second derivative
    Hm = -lap + np.diag(1.0 - q)
    Hm = 0.5 * (Hm + Hm.T)
    E0 = float(np.linalg.eigvalsh(Hm)[0])
    return -1.0 + math.sqrt(max(1.0 - E0, 0.0)), E0


def periodic_state(
    net: RatePopulationNetwork, *, n: int | None = None, n_theta: int = 16, n_gh: int = 20,
    tol: float = 1e-10, max_iter: int = 200, raise_on_failure: bool = True,
) -> DrivenDMFTResult:  # fmt: skip
    r"""Entrained periodic state of a sinusoidally driven network, with :math:`\lambda_{max}`.

    Parameters
    ----------
    net : RatePopulationNetwork
        P = 1, zero-mean Gaussian couplings, ``Drive("sine", amplitude=A, frequency=f)``.
    n : int, optional
        Lags per period (default: spacing about 0.1 tau, at least 32).
    n_theta, n_gh : int
        Phase nodes (trapezoid, exact for trigonometric polynomials) and Gauss-Hermite nodes.
    tol : float
        Sup-norm residual of the periodic equation.

    References
    ----------
    Rajan, Abbott & Sompolinsky 2010, PRE 82:011903 (eq. 2 model; Sec. III mean-field theory).
    """
    g, f, A, phi = _check(net)
    omega = 2 * np.pi * f
    a = A / math.sqrt(1 + omega**2)
    T = 1.0 / f
    n = int(max(32, math.ceil(T / 0.1))) if n is None else int(n)
    if n < 8:
        raise ValueError(f"n (lags per period) must be >= 8, got {n}")
    tau, D, res, it, avg = _solve_periodic(g, phi, a, omega, n, n_theta, n_gh, tol, max_iter)
    lam, E0 = driven_lyapunov(g, phi, tau, D, avg)
    ok = res <= tol * 10
    out = DrivenDMFTResult(
        model=net, method="periodic-newton-krylov", options={"n": n, "n_theta": n_theta, "n_gh": n_gh, "tol": tol},
        converged=ok, status=Status.CONVERGED if ok else Status.TOLERANCE, n_iter=it, residual=res,
        tau=tau, Delta=D, Delta0=float(D[0]), a=a, lambda_max=lam, E0=E0,
    )  # fmt: skip
    return finish(out, raise_on_failure)


def critical_amplitude(
    net: RatePopulationNetwork, frequency: float, *, bracket: tuple[float, float] = (0.01, 20.0),
    xtol: float = 1e-6, **kwargs,
) -> float:  # fmt: skip
    r"""Drive amplitude :math:`A_c(f)` above which chaos is suppressed (:math:`\lambda_{max} = 0`).

    ``net`` gives g and phi (its drive, if any, is replaced).  Rajan, Abbott & Sompolinsky 2010
    (PRE 82:011903, Sec. III and Fig. 3: :math:`A_c` is smallest at an intermediate frequency).
    """
    from dataclasses import replace

    from scipy.optimize import brentq

    from rnmf.models import Drive

    def lam(A: float) -> float:
        d = Drive("sine", amplitude=A, frequency=frequency)
        return periodic_state(replace(net, drive=d), raise_on_failure=False, **kwargs).lambda_max

    lo, hi = bracket
    if lam(lo) <= 0:
        raise ConvergenceError(f"critical_amplitude: already entrained at A = {lo:g} (g <= 1?)")
    if lam(hi) >= 0:
        raise ConvergenceError(f"critical_amplitude: still chaotic at A = {hi:g}; widen bracket")
    return float(brentq(lam, lo, hi, xtol=xtol))
