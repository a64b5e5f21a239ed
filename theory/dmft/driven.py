r"""DMFT of a random rate network driven by sinusoidal input (suppression of chaos).

Model: one population of Gaussian couplings (:class:`~rnmf.models.RatePopulationNetwork`
with ``P = 1``, ``J0 = 0``, time in units of tau) and the drive
:math:`D_i(t) = A\cos(\omega t + \theta_i)`, :math:`\omega = 2\pi f`, phases uniform on
:math:`[0, 2\pi)` (the model of Rajan, Abbott & Sompolinsky 2010, PRE 82:011903):

.. math:: \dot x_i = -x_i + \sum_j J_{ij}\phi(x_j) + A\cos(\omega t + \theta_i).

Mean field.  :math:`x_i = d_i(t) + \xi_i(t)` with the filtered drive
:math:`d_i(t) = a\cos(\omega t + \theta_i - \arctan\omega)`, :math:`a = A/\sqrt{1+\omega^2}`,
and a Gaussian recurrent part whose input :math:`\eta_i = \sum_j J_{ij}\phi(x_j)` has covariance
:math:`g^2\langle\phi(x(t))\phi(x(s))\rangle`, averaged over the units, i.e. over the phases.
Because the phases are uniform, this average depends on :math:`\tau = t - s` only and the
autocorrelation :math:`\Delta(\tau) = \langle\xi(t)\xi(t+\tau)\rangle` obeys (RAS 2010, mean-field theory)

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
:math:`\lambda_{max} = 0` (:func:`critical_amplitude`; non-monotonic in f, RAS 2010, abstract:
a "resonant" frequency; g = 1.5: A_c = 0.512, 0.475, 0.439, 0.436, 0.512, 0.826, 1.479, 3.304,
6.399 at f = 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5, 1 per tau: smallest near f = 0.025).

Below :math:`A_c` the entrained solution still exists but is unstable: its positive
``lambda_max`` is the growth rate of perturbations of the periodic orbit, not the Lyapunov
exponent of the chaotic state the network runs in.  :func:`chaotic_state` solves the same
equation for a non-periodic :math:`\Delta(\tau)` (a decaying peak on a periodic asymptote) on
a long domain and gives that exponent; :func:`solve_driven` returns whichever state is stable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from rnmf.models import RatePopulationNetwork
from rnmf.results import ConvergenceError, Result, Status, finish

from ..gaussian import gauss_hermite

__all__ = [
    "DrivenDMFTResult",
    "chaotic_state",
    "critical_amplitude",
    "driven_lyapunov",
    "periodic_state",
    "solve_driven",
]


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
        Largest Lyapunov exponent of this state (per unit tau).  For the entrained state
        (:func:`periodic_state`) a positive value is the instability rate of the periodic
        orbit, NOT the Lyapunov exponent of the chaotic attractor the network then runs in
        (that one comes from :func:`chaotic_state`, and is smaller).
    regime : str
        ``"entrained"`` (T-periodic autocorrelation) or ``"chaotic"`` (a decaying peak on
        top of the periodic part).
    E0 : float
        Bottom of the lowest band of the Hill operator.
    """

    tau: np.ndarray = field(default_factory=lambda: np.zeros(1))
    Delta: np.ndarray = field(default_factory=lambda: np.zeros(1))
    Delta0: float = math.nan
    a: float = math.nan
    lambda_max: float = math.nan
    E0: float = math.nan
    regime: str = "entrained"

    def _meaning(self) -> str:
        if self.regime == "chaotic":
            return "Lyapunov exponent of the chaotic state"
        if self.lambda_max < 0:
            return "entrained state stable: chaos suppressed"
        return "entrained state UNSTABLE: the network is chaotic, see chaotic_state"

    def _repr_rows(self) -> list[tuple[str, str]]:
        return [
            ("Delta0", f"{self.Delta0:.6g}"),
            ("a (filtered drive)", f"{self.a:.6g}"),
            (
                "lambda_max",
                f"{self.lambda_max:.6g} per tau ({self._meaning()})",
            ),
            ("regime", self.regime),
            ("grid", f"{self.tau.size} lags on [0, {self.tau[-1] + self.tau[1]:.4g})"),
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


def _solve(g, phi, a, omega, L, n, n_theta, n_gh, tol, max_iter, D):
    r"""Solve :math:`(1 - \partial^2)\Delta = g^2\langle\phi\phi\rangle` on a periodic domain of
    length L (a multiple of the drive period) from the guess D: 20 damped fixed-point steps,
    then Newton-Krylov (the fixed-point map slows down critically near :math:`A_c`)."""
    from scipy.optimize import newton_krylov

    tau = np.arange(n) * L / n
    k = np.fft.rfftfreq(n, d=L / n) * 2 * np.pi
    Linv = 1.0 / (1.0 + k**2)
    avg = _Avg(tau, a, omega, n_theta, n_gh)

    def G(D: np.ndarray) -> np.ndarray:
        S = g**2 * avg.pair(phi, phi, max(float(D[0]), 0.0), D)
        return np.fft.irfft(np.fft.rfft(S) * Linv, n)

    it = 0
    res = math.inf
    # rounds of damped fixed-point steps (20, then 100) followed by Newton-Krylov: a failed
    # Newton-Krylov run (its Krylov steps can stall far from the root) restarts from a
    # better-damped iterate
    for n_damped in (20, 100, 100):
        for _ in range(n_damped):
            it += 1
            new = G(D)
            res = float(np.max(np.abs(new - D)))
            D = 0.5 * D + 0.5 * new
            if res < tol:
                D = new
                break
        if res < tol:
            break
        try:
            D = newton_krylov(lambda v: G(v) - v, D, f_tol=tol, maxiter=max_iter)
        except Exception:  # noqa: BLE001 - NoConvergence: keep the iterate, report the residual
            pass
        res = float(np.max(np.abs(G(D) - D)))
        if res <= tol:
            break
    return tau, D, res, it, avg


def _solve_periodic(g, phi, a, omega, n, n_theta, n_gh, tol, max_iter):
    T = 2 * np.pi / omega
    return _solve(
        g, phi, a, omega, T, n, n_theta, n_gh, tol, max_iter, np.full(n, g**2 * 0.5 + 0.1)
    )


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
        Lags per period (default: spacing 0.1 tau, at least 32 and at most 64; the solution
        converges spectrally in n: at f = 0.02, n = 64 and 500 give lambda_max equal to 1e-8).
    n_theta, n_gh : int
        Phase nodes (trapezoid, exact for trigonometric polynomials) and Gauss-Hermite nodes.
    tol : float
        Sup-norm residual of the periodic equation.

    References
    ----------
    Rajan, Abbott & Sompolinsky 2010, PRE 82:011903 (model and mean-field theory; their equation
    numbers could not be checked against the text and are not cited).
    """
    g, f, A, phi = _check(net)
    omega = 2 * np.pi * f
    a = A / math.sqrt(1 + omega**2)
    T = 1.0 / f
    # spectral in tau: the entrained Delta is smooth on the scale of the period, n = 64 and
    # 500 agree to 1e-8 in lambda_max at f = 0.02 (tests); short periods keep spacing <= 0.1
    n = int(max(32, min(math.ceil(T / 0.1), 64))) if n is None else int(n)
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


def chaotic_state(
    net: RatePopulationNetwork, *, length: float | None = None, h: float = 0.2, n_theta: int = 12,
    n_gh: int = 16, tol: float = 1e-9, max_iter: int = 100, raise_on_failure: bool = True,
) -> DrivenDMFTResult:  # fmt: skip
    r"""Chaotic state of a sinusoidally driven network (below :math:`A_c`), with :math:`\lambda_{max}`.

    The same mean-field equation as :func:`periodic_state` (RAS 2010), solved for
    an autocorrelation that is *not* periodic with the drive: a peak at :math:`\tau = 0` (the
    chaotic, decorrelating part of :math:`\xi`) on top of a T-periodic asymptote (the part of
    the recurrent input locked to the drive).  It is solved on a periodic domain of ``length``
    (rounded up to whole drive periods) long enough that the peak has decayed at half the
    domain, starting from a peaked guess.  :math:`\lambda_{max}` is then the bottom of the
    spectrum of :math:`-\partial^2 + 1 - g^2q(\tau)` on that domain: the state bound by the
    peak of :math:`q` (for A = 0 this is the Lyapunov exponent of Sompolinsky, Crisanti &
    Sommers 1988, PRL 61:259, via their Schroedinger problem).

    Below :math:`A_c` this is the state the network runs in: the entrained solution of
    :func:`periodic_state` still exists there but is unstable, and its ``lambda_max`` (the
    instability rate of the periodic orbit) is larger than the Lyapunov exponent of the
    chaotic attractor (g = 1.5, f = 0.5, A = 1: 0.055 for the orbit, 0.0383 here).  When the
    iteration ends on a T-periodic solution the state is entrained: ``regime`` says so.

    Parameters
    ----------
    length : float, optional
        Domain length in units of tau (default 64, at least 4 periods).  The status is
        ``TOLERANCE`` when the chaotic peak left at half the domain (``options
        ["peak_left_at_half_domain"]``) exceeds 1 % of Delta0: lengthen the domain.
    h : float
        Grid spacing (spectral in tau; 0.2 and 0.1 agree to 1e-9 in Delta0 at f = 0.5).
    """
    g, f, A, phi = _check(net)
    omega = 2 * np.pi * f
    a = A / math.sqrt(1 + omega**2)
    T = 1.0 / f
    L0 = 64.0 if length is None else float(length)
    if not (math.isfinite(L0) and L0 > 0):
        raise ValueError(f"length must be a positive number of tau, got {length!r}")
    h = float(h)
    if not (0 < h <= 0.5):
        raise ValueError(f"h (grid spacing) must lie in (0, 0.5], got {h!r}")
    M = max(4, math.ceil(L0 / T))
    n_per = max(16, math.ceil(T / h))  # at least 16 lags per drive period
    n = M * n_per
    L = M * T
    tau = np.arange(n) * L / n
    dist = np.minimum(tau, L - tau)
    guess = 0.2 * g**2 + 0.4 * g**2 * np.exp(-dist / 3.0)
    tau, D, res, it, avg = _solve(g, phi, a, omega, L, n, n_theta, n_gh, tol, max_iter, guess)
    lam, E0 = driven_lyapunov(g, phi, tau, D, avg)
    P = D.reshape(M, n_per)
    peak = float(P[0, 0] - P[1, 0])
    tail = float(np.max(np.abs(P[M // 2] - P[M // 2 - 1])))
    chaotic = peak > 1e-6 * max(abs(D[0]), 1e-12)
    # the peak left at half the domain: 1 % of Delta0 moves lambda by < 1e-3 (g = 1.5, f = 0.5,
    # A = 1: 0.03874 at 32 tau, 0.03830 at 64 and 128 tau)
    ok = res <= tol * 10 and (not chaotic or tail <= 1e-2 * abs(D[0]))
    status = Status.CONVERGED if ok else Status.TOLERANCE
    out = DrivenDMFTResult(
        model=net, method="chaotic-long-domain", converged=ok, status=status, n_iter=it,
        options={"length": L, "h": L / n, "n_theta": n_theta, "n_gh": n_gh, "tol": tol,
                 "peak_left_at_half_domain": tail},
        residual=res, tau=tau, Delta=D, Delta0=float(D[0]), a=a, lambda_max=lam, E0=E0,
        regime="chaotic" if chaotic else "entrained",
    )  # fmt: skip
    return finish(out, raise_on_failure)


def solve_driven(net: RatePopulationNetwork, **kwargs) -> DrivenDMFTResult:
    r"""The state a driven network runs in: the entrained periodic state when it is stable
    (:math:`\lambda_{max} < 0`, :func:`periodic_state`), else the chaotic state
    (:func:`chaotic_state`), each with its largest Lyapunov exponent (RAS 2010)."""
    per = {
        k: v
        for k, v in kwargs.items()
        if k in ("n_theta", "n_gh", "tol", "max_iter", "raise_on_failure")
    }
    r = periodic_state(net, **per)
    if r.lambda_max < 0:
        return r
    return chaotic_state(net, **kwargs)


def critical_amplitude(
    net: RatePopulationNetwork, frequency: float, *, bracket: tuple[float, float] = (0.01, 20.0),
    xtol: float = 1e-6, **kwargs,
) -> float:  # fmt: skip
    r"""Drive amplitude :math:`A_c(f)` above which chaos is suppressed (:math:`\lambda_{max} = 0`).

    ``net`` gives g and phi (its drive, if any, is replaced).  Rajan, Abbott & Sompolinsky 2010
    (PRE 82:011903, abstract: :math:`A_c` is smallest at an intermediate, "resonant" frequency;
    g = 1.5: minimum near f = 0.025 per tau, see the module docstring).
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
