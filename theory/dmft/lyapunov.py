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
time-translation mode with :math:`\lambda = 0`.  (A form with an extra ``+1`` in the
potential puts the translation mode at ``E = 0`` instead; the convention here is the derivation
above, see docs/references.md sec. 1 and ``derivations/scs_dmft.py``.)

The operator is discretised with second-order finite differences on the symmetric grid
:math:`\tau_j = jh`, :math:`|j| \le M`, Dirichlet walls at :math:`\pm(M+1)h`; the lowest
eigenvalues come from :func:`scipy.linalg.eigh_tridiagonal` and are Richardson
extrapolated in :math:`h` (error :math:`O(h^4)`); the box is grown until the ground state
has decayed (``gamma T >= 15`` with :math:`\gamma = \sqrt{E_c - E_0}`: the Dirichlet walls
shift a bound state by :math:`\sim e^{-2\gamma T}`).

:func:`lyapunov_odd` solves the same problem for many states at once (phase diagrams of odd
``phi`` without mean input, where :math:`\mu = \Delta_\infty = 0`): :math:`q(\Delta_0, \Delta)`
from a cached tensor Chebyshev table (tanh; Fourier representation of the Gaussian average) or
in closed form (erf), the orbit :math:`\Delta(\tau)` parametrised through energy conservation
(no ODE for :math:`\Delta`), and the even ground state by vectorised shooting (RK4) with the
exact exponential tail as boundary condition, Sturm zero counting and Illinois regula falsi.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.linalg import eigh_tridiagonal

__all__ = [
    "SchroedingerSpectrum",
    "lowest_eigenvalues",
    "lyapunov_from_potential",
    "lyapunov_odd",
]


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


# ----------------------------------------------------------------------------------------
# vectorised lambda_max for odd phi without mean input (the phase-diagram fast path)
# ----------------------------------------------------------------------------------------
def _cheb_nodes(n: int) -> np.ndarray:
    """First-kind Chebyshev points on [-1, 1] (never at the ends)."""
    return np.cos(np.pi * (np.arange(n) + 0.5) / n)


@lru_cache(maxsize=16)
def _cheb_fit_matrix(n: int) -> np.ndarray:
    """Matrix mapping values at ``_cheb_nodes(n)`` to Chebyshev coefficients (degree n-1)."""
    x = _cheb_nodes(n)
    T = np.polynomial.chebyshev.chebvander(x, n - 1)  # (n, n), T[j, k] = T_k(x_j)
    # discrete orthogonality: c_k = (2 - [k == 0]) / n * sum_j f_j T_k(x_j)
    M = T.T * (2.0 / n)
    M[0] *= 0.5
    M.setflags(write=False)
    return M


def _u_degree(d_hi: float) -> int:
    """Chebyshev points in u = Delta/Delta0: q varies on 1 - u ~ 1/Delta0 near u = 1."""
    return int(min(400, max(49, math.ceil(13.0 * math.sqrt(max(d_hi, 1.0))))))


def _sech2_ft(k: np.ndarray) -> np.ndarray:
    r"""Fourier transform of :math:`\operatorname{sech}^2`: :math:`\int e^{-ikx}\operatorname{sech}^2x\,dx = \pi k/\sinh(\pi k/2)`."""
    x = 0.5 * math.pi * np.abs(k)
    return np.where(x < 1e-8, 2.0, 2.0 * x / np.sinh(np.maximum(x, 1e-8)))


def _q_tanh_fourier(D0: float, u: np.ndarray, n: int = 97) -> np.ndarray:
    r""":math:`\langle\operatorname{sech}^2 x_1\operatorname{sech}^2 x_2\rangle` for variances
    ``D0``, covariances ``u D0`` (mean 0), from the characteristic function of the bivariate
    normal,

    .. math:: q = \frac{1}{4\pi^2}\iint \hat f(k_1)\hat f(k_2)\,
              e^{-\frac12 \Delta_0[(1+u)k_+^2 + (1-u)k_-^2]}\,dk_+\,dk_-,
              \qquad k_\pm = (k_1 \pm k_2)/\sqrt2,

    with :math:`\hat f(k) = \pi k/\sinh(\pi k/2)`.  Trapezoidal rule in :math:`k_\pm` on
    :math:`\pm\min(9\sigma_\pm, 16.5)`, :math:`\sigma_\pm = [\Delta_0(1\pm u)]^{-1/2}`: the
    integrand is analytic in a strip of half-width :math:`\sqrt2` (exponential convergence,
    Trefethen & Weideman 2014, SIAM Rev. 56:385, Thm. 5.1) and
    :math:`|\hat f(k_1)\hat f(k_2)| < 10^{-15}` beyond; ~1e-12 absolute for every ``D0``.
    """
    sp = 1.0 / np.sqrt(D0 * (1.0 + u))
    sm = 1.0 / np.sqrt(np.maximum(D0 * (1.0 - u), 1e-300))
    Rp, Rm = np.minimum(9.0 * sp, 16.5), np.minimum(9.0 * sm, 16.5)
    t = np.linspace(-1.0, 1.0, n)
    kp, km = Rp[:, None] * t, Rm[:, None] * t
    r2 = 1.0 / math.sqrt(2.0)
    F = _sech2_ft((kp[:, :, None] + km[:, None, :]) * r2) * _sech2_ft(
        (kp[:, :, None] - km[:, None, :]) * r2
    )
    Gp = np.exp(-0.5 * D0 * (1.0 + u)[:, None] * kp**2)
    Gm = np.exp(-0.5 * D0 * (1.0 - u)[:, None] * km**2)
    h2 = (2.0 * Rp / (n - 1)) * (2.0 * Rm / (n - 1))
    return np.einsum("ij,ijk,ik->i", Gp, F, Gm) * h2 / (4.0 * math.pi**2)


@lru_cache(maxsize=8)
def _tanh_table(d_lo: float, d_hi: float, nu: int) -> tuple[np.ndarray, float, float]:
    r"""Tensor Chebyshev table of :math:`q(\Delta_0, u\Delta_0)` for :math:`\phi = \tanh`, :math:`\mu = 0`.

    Rows: Chebyshev coefficients in :math:`y = ` the affine image of :math:`\ln\Delta_0`
    on ``[d_lo, d_hi]`` (q is analytic in :math:`\ln\Delta_0` in the strip
    :math:`|\operatorname{Im}| < \pi`); columns: values at the ``nu`` first-kind points in u.
    Entries from :func:`_q_tanh_fourier`; interpolation error ~1e-10.
    """
    lo, hi = math.log(d_lo), math.log(d_hi)
    nl = int(max(25, math.ceil(3.0 * (hi - lo)))) + 1
    y = _cheb_nodes(nl)
    D0 = np.exp(lo + 0.5 * (y + 1.0) * (hi - lo))
    u = 0.5 * (_cheb_nodes(nu) + 1.0)
    vals = np.stack([_q_tanh_fourier(float(d), u) for d in D0])
    A = _cheb_fit_matrix(nl) @ vals  # (nl, nu): coefficients in y of the values at the u points
    A.setflags(write=False)
    return A, lo, hi


def _d_hi(dmax: float) -> float:
    """Upper end of the tanh table: the next power of two above ``dmax`` (at least 16)."""
    return float(2.0 ** math.ceil(math.log2(max(dmax * 1.001, 16.0))))


def _q_values(kind: str, D0: np.ndarray, nu: int) -> np.ndarray:
    r""":math:`\hat q(u) = \langle\phi'(x_1)\phi'(x_2)\rangle` at the ``nu`` Chebyshev points in u,
    for variances ``D0`` and covariances ``u D0`` (mean 0); shape ``(D0.size, nu)``."""
    u = 0.5 * (_cheb_nodes(nu) + 1.0)
    if kind == "erf":
        # phi' = exp(-a^2 x^2), a^2 = pi/4: <phi'phi'> = det(1 + 2 a^2 Sigma)^(-1/2)
        a2 = math.pi / 4.0
        d = D0[:, None]
        return 1.0 / np.sqrt((1.0 + 2.0 * a2 * d) ** 2 - (2.0 * a2 * d * u[None, :]) ** 2)
    # tanh: tensor table on a canonical range (cached between calls)
    d_hi = _d_hi(float(D0.max()))
    d_lo = 1e-6
    A, lo, hi = _tanh_table(d_lo, d_hi, _u_degree(d_hi))
    y = 2.0 * (np.log(np.clip(D0, d_lo, d_hi)) - lo) / (hi - lo) - 1.0
    Ty = np.polynomial.chebyshev.chebvander(y, A.shape[0] - 1)
    out = Ty @ A
    tiny = D0 < d_lo
    if np.any(tiny):
        # below the table: phi' = 1 - x^2 + 2x^4/3 + O(x^6) gives
        # q = 1 - 2D + (5 + 2u^2) D^2 + O(D^3), exact to ~1e-18 for D < 1e-6
        d = D0[tiny, None]
        out[tiny] = 1.0 - 2.0 * d + (5.0 + 2.0 * u[None, :] ** 2) * d * d
    return out


_C_TAIL = 0.01  # below this c = Delta/Delta0 the potential uses its even expansion to O(c^2)


def _clenshaw(coef: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Chebyshev series with per-row coefficients ``coef`` (R, n) at points ``x`` (m, R)."""
    b1 = np.zeros_like(x)
    b2 = np.zeros_like(x)
    tmp = np.empty_like(x)
    x2 = 2.0 * x
    for k in range(coef.shape[1] - 1, 0, -1):
        np.multiply(x2, b1, out=tmp)
        tmp -= b2
        tmp += coef[:, k]
        b1, b2, tmp = tmp, b1, b2
    return x * b1 - b2 + coef[:, 0]


def _p_steps(h: float, p_max: float) -> np.ndarray:
    """RK4 steps in ``p``: ``h`` beyond p = 0.9, graded down to h/20 at p = 0, where the
    potential varies on the scale 1 - c ~ 1/Delta0 (fine at large Delta0)."""
    out = []
    p = 0.0
    while p < p_max:
        step = h * min(1.0, 0.05 + p)
        out.append(step)
        p += step
    return np.array(out)


def _profile(
    kind: str, g: np.ndarray, sigma: np.ndarray, D0: np.ndarray, h: float, c_min: float
) -> dict:
    r"""Potential of the Schroedinger problem along the orbit, on a common grid in ``p``.

    The orbit :math:`c(\tau) = \Delta(\tau)/\Delta_0` (mean 0, :math:`\Delta_\infty = 0`) obeys
    energy conservation (SCS 1988 eq. 7; noise kink: Schuecker et al. 2018 eq. 7)

    .. math:: \dot c^2 = c^2 k(c),\quad k(c) = 1 - \frac{2g^2}{c^2}\int_0^c \hat C(v)\,dv,
              \quad \hat C(v) = \int_0^v \hat q,\quad k(1) = s = \frac{\sigma^4}{4\Delta_0^2},

    with :math:`\hat q(u) = q(u\Delta_0)` (Price's theorem: :math:`dC_\phi/d\Delta = q`).
    Writing :math:`k = s + (1-c)\,m(c)` and :math:`1/c = \cosh p + b\sinh p`,
    :math:`b = \sqrt{2s/(2s + m(1))}` (:math:`b = 0`: the noise-free turning point,
    :math:`c = \operatorname{sech} p`; :math:`b = 1`: the noise-dominated
    :math:`c = e^{-p}`), the lag is a smooth function of ``p``,
    :math:`d\tau/dp = \tanh(p + \operatorname{artanh} b)/\sqrt{k(c)}`, whose first
    derivative vanishes at :math:`p = 0` for every noise level and which tends to
    :math:`1/\kappa` in the tail: one grid in ``p`` (steps from :func:`_p_steps`) resolves
    the orbit of every point.  Returns the RK4 coefficients ``A`` = :math:`d\tau/dp` and
    ``B`` = :math:`g^2 q\, d\tau/dp` on the nodes and half-steps, the continuum edge
    :math:`E_c = -g^2 q(0)`, the potential top :math:`-g^2 q(\Delta_0)` and the energy
    residual :math:`k(1) - s` (consistency of ``D0``).
    """
    P = g.size
    nu = _u_degree(_d_hi(float(D0.max())))
    cheb = np.polynomial.chebyshev
    fit = _cheb_fit_matrix(nu)
    xn = _cheb_nodes(nu)
    u = 0.5 * (xn + 1.0)
    Qc = _q_values(kind, D0, nu) @ fit.T  # (P, nu) coefficients of q^(u) in x = 2u - 1
    Cc = cheb.chebint(Qc, lbnd=-1.0, scl=0.5, axis=1)
    Ic = cheb.chebint(Cc, lbnd=-1.0, scl=0.5, axis=1)
    Iv = Ic @ cheb.chebvander(xn, Ic.shape[1] - 1).T
    I1, C1 = Ic.sum(axis=1), Cc.sum(axis=1)
    g2 = g * g
    mv = 2.0 * g2[:, None] * (I1[:, None] - Iv / u**2) / (1.0 - u)
    Mc = mv @ fit.T
    m1 = 2.0 * g2 * (C1 - 2.0 * I1)
    s = sigma**4 / (4.0 * D0 * D0)
    b = np.sqrt(2.0 * s / np.maximum(2.0 * s + m1, 1e-300))  # m1 >= 0: C^ is convex
    q0 = Qc @ (-1.0) ** np.arange(nu)  # q at Delta = 0: <phi'>^2
    W_inf = g2 * q0
    W_top = g2 * Qc.sum(axis=1)
    steps = _p_steps(h, math.log(2.0 / c_min))
    M = steps.size
    nodes = np.concatenate([[0.0], np.cumsum(steps)])
    p = np.empty((2 * M + 1, 1))
    p[0::2, 0] = nodes
    p[1::2, 0] = 0.5 * (nodes[:-1] + nodes[1:])
    sh = np.sinh(p)
    den = np.cosh(p) + b * sh
    c = 1.0 / den
    x = (2.0 * np.sinh(0.5 * p) ** 2 + b * sh) / den
    # Chebyshev sums where c >= _C_TAIL; in the tail the even expansions k = k0 + k2 c^2 and
    # q = q0 + q2 c^2 (odd phi: q and k are even in Delta), matched at c = _C_TAIL
    nb = int(np.searchsorted(-np.max(c, axis=1), -_C_TAIL)) + 1
    mc = _clenshaw(Mc, 2.0 * c[:nb] - 1.0)
    qc = _clenshaw(Qc, 2.0 * c[:nb] - 1.0)
    ct = np.full((1, P), _C_TAIL)
    qs = _clenshaw(Qc, 2.0 * ct - 1.0)[0]
    k0, ks = (
        s + _clenshaw(Mc, -np.ones((1, P)))[0],
        s + (1.0 - _C_TAIL) * _clenshaw(Mc, 2.0 * ct - 1.0)[0],
    )
    c2 = c[nb:] ** 2 / _C_TAIL**2
    k = np.concatenate([s + x[:nb] * mc, k0 + (ks - k0) * c2])
    q = np.concatenate([qc, q0 + (qs - q0) * c2])
    with np.errstate(invalid="ignore", divide="ignore"):
        th = np.tanh(p)
        taup = ((th + b) / (1.0 + b * th)) / np.sqrt(k)
    taup[0] = np.sqrt(2.0 / (2.0 * s + m1))
    # lag at the end of the grid (Simpson on the half-step grid)
    tau_end = ((steps / 6.0)[:, None] * (taup[0:-1:2] + 4.0 * taup[1::2] + taup[2::2])).sum(axis=0)
    return {
        # energy consistency: k(1) from the statistics against the noise kink, s = sigma^4/(4 D0^2)
        "energy": (1.0 - 2.0 * g2 * I1) - s,
        "tau_end": tau_end,
        "B": taup * (g2 * q),
        "A": taup,
        "E_c": -W_inf,
        "E_top": -W_top,
        "h": steps,
        "M": M,
        "n": P,
    }


def _shoot(prof: dict, E: np.ndarray, sel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Integrate the even solution of :math:`-\psi'' - W\psi = E\psi` (RK4 in ``p``) from
    :math:`\psi(0) = 1, \psi'(0) = 0`.

    Returns the number of zeros on :math:`(0, \infty)` of the solution continued by the exact
    exponentials of the flat tail (Sturm: the number of even eigenvalues below ``E``), and the
    amplitude of the growing exponential :math:`(\psi' + \gamma\psi)e^{-\gamma\tau}`, a smooth
    function of ``E`` that vanishes at an eigenvalue.
    """
    A = prof["A"][:, sel]
    B = prof["B"][:, sel]
    h = prof["h"]
    G = B + A * E
    psi = np.ones(sel.size)
    chi = np.zeros(sel.size)
    logs = np.zeros(sel.size)
    count = np.zeros(sel.size, dtype=np.int64)
    for n in range(prof["M"]):
        hn = h[n]
        h2, h6 = 0.5 * hn, hn / 6.0
        a0, a1, a2 = A[2 * n], A[2 * n + 1], A[2 * n + 2]
        g0, g1, g2 = G[2 * n], G[2 * n + 1], G[2 * n + 2]
        k1p, k1c = a0 * chi, -g0 * psi
        p2, c2 = psi + h2 * k1p, chi + h2 * k1c
        k2p, k2c = a1 * c2, -g1 * p2
        p3, c3 = psi + h2 * k2p, chi + h2 * k2c
        k3p, k3c = a1 * c3, -g1 * p3
        p4, c4 = psi + hn * k3p, chi + hn * k3c
        k4p, k4c = a2 * c4, -g2 * p4
        new = psi + h6 * (k1p + 2.0 * (k2p + k3p) + k4p)
        chi = chi + h6 * (k1c + 2.0 * (k2c + k3c) + k4c)
        count += new * psi < 0.0
        psi = new
        if n % 16 == 15:
            nrm = np.abs(psi) + np.abs(chi)
            psi, chi = psi / nrm, chi / nrm
            logs += np.log(nrm)
    gam = np.sqrt(np.maximum(prof["E_c"][sel] - E, 0.0))
    f = chi + gam * psi
    count += f * psi < 0.0
    return count, f * np.exp(logs - gam * prof["tau_end"][sel])


def _ground_state(prof: dict, xtol: float = 1e-11) -> np.ndarray:
    """Lowest even eigenvalue below the continuum edge (the edge itself if there is none)."""
    from ._common import illinois

    n = prof["n"]
    allp = np.arange(n)
    Ec, Et = prof["E_c"], prof["E_top"]
    E0 = Ec.copy()
    cnt, fb = _shoot(prof, Ec, allp)
    bound = (cnt > 0) & (Et < Ec)
    idx = np.nonzero(bound)[0]
    if idx.size == 0:
        return E0
    lo, hi, cb = Et[idx].copy(), Ec[idx].copy(), cnt[idx]
    fb = fb[idx]
    # several even bound states: bisect on the zero count until exactly one lies below hi
    for _ in range(200):
        many = np.nonzero(cb > 1)[0]
        if many.size == 0:
            break
        mid = 0.5 * (lo[many] + hi[many])
        cm, fm = _shoot(prof, mid, idx[many])
        zero = cm == 0
        lo[many[zero]] = mid[zero]
        hi[many[~zero]] = mid[~zero]
        cb[many[~zero]] = cm[~zero]
        fb[many[~zero]] = fm[~zero]
    _, fa = _shoot(prof, lo, idx)
    E0[idx] = illinois(
        lambda E, sel: np.arcsinh(_shoot(prof, E, idx[sel])[1]),
        lo,
        hi,
        np.arcsinh(fa),
        np.arcsinh(fb),
        xtol=xtol,
        maxit=200,
    )
    return E0


def lyapunov_odd(
    kind: str,
    g: np.ndarray,
    sigma: np.ndarray,
    Delta0: np.ndarray,
    *,
    h: float = 0.05,
    c_min: float = 1e-7,
    chunk: int = 6000,
) -> np.ndarray:
    r"""Largest Lyapunov exponents of fluctuating states of odd ``phi`` without mean input.

    For :math:`\phi \in \{\tanh, \operatorname{erf}\}` with :math:`J_0 = I_0 = \sigma_I = 0` the
    state has :math:`\mu = 0`, :math:`\Delta_\infty = 0`, and :math:`q` depends on
    :math:`(\Delta_0, \Delta)` only.  For all points at once: the orbit is parametrised in closed
    form through energy conservation (see ``_profile``), the even ground state of
    :math:`H = -\partial_\tau^2 - g^2 q(\tau)` is found by shooting (RK4 on a common grid) with
    the exact exponential tail as boundary condition, bracketed by zero counting (Sturm) and
    polished by Illinois regula falsi; :math:`\lambda_{max} = \sqrt{-E_0} - 1`
    (SCS 1988 eq. 10; the noise kink :math:`\Delta'(0^+) = -\sigma^2/2` of Schuecker, Goedeke
    & Helias 2018, PRX 8:041029, eq. 7).  Agrees with :func:`rnmf.theory.dmft.solve` to ~1e-7
    at the default step; 10^4 points take a few seconds.

    Parameters
    ----------
    kind : {"tanh", "erf"}
        The transfer function.
    g, sigma, Delta0 : array_like
        Coupling strength, noise amplitude and the variance :math:`\Delta_0 > 0` of the
        fluctuating state at each point (broadcast together).  ``Delta0`` must solve the
        energy equation :math:`\sigma^4/8 + V(\Delta_0) = V(0)` (as returned by
        :func:`rnmf.theory.dmft.solve_grid`); a ValueError says where it does not.
    h : float
        Largest RK4 step in the orbit parameter ``p`` (graded finer near the start;
        error ~ h^4), in (0, 0.2].
    c_min : float
        The potential is taken flat once :math:`\Delta/\Delta_0 < c_{min}`, in (0, 1e-4].
    chunk : int
        Points per vectorised block (each of ~20 work arrays takes ~320 * chunk / h bytes).

    Returns
    -------
    ndarray
        :math:`\lambda_{max}` per point, with the broadcast shape.
    """
    if kind not in ("tanh", "erf"):
        raise ValueError(
            f"kind must be 'tanh' or 'erf' (odd phi with closed statistics), got {kind!r}"
        )
    arrs = []
    for name, v in (("g", g), ("sigma", sigma), ("Delta0", Delta0)):
        try:
            a = np.asarray(v, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must be a real array: {exc}") from exc
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} contains NaN or infinite entries; pass finite values")
        arrs.append(a)
    try:
        gb, sb, db = np.broadcast_arrays(*arrs)
    except ValueError as exc:
        shapes = [a.shape for a in arrs]
        raise ValueError(f"g, sigma, Delta0 do not broadcast: shapes {shapes}") from exc
    if np.any(gb < 0) or np.any(sb < 0):
        raise ValueError("g and sigma must be >= 0")
    if np.any(db <= 0):
        raise ValueError(
            "Delta0 must be > 0 (a fluctuating state); quiet states have lambda_max = g phi'(0) - 1"
        )
    if not (isinstance(h, float | int) and 0 < h <= 0.2):
        raise ValueError(f"h must be a step in (0, 0.2], got {h!r}")
    if not (isinstance(c_min, float | int) and 0 < c_min <= 1e-4):
        raise ValueError(f"c_min must be in (0, 1e-4], got {c_min!r}")
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise ValueError(f"chunk must be a positive integer, got {chunk!r}")
    shape = gb.shape
    g, sigma, D0 = gb.ravel(), sb.ravel(), db.ravel()
    from ._common import check_memory

    # ~20 work arrays of (steps in p) x (points per block), ~320 * block / h bytes
    check_memory("chunk", chunk, 320.0 * min(chunk, max(g.size, 1)) / float(h) + 16.0 * g.size)
    out = np.empty(g.size)
    for sl in np.array_split(np.arange(g.size), max(1, -(-g.size // chunk))):
        if sl.size == 0:
            continue
        prof = _profile(kind, g[sl], sigma[sl], D0[sl], float(h), float(c_min))
        bad = np.abs(prof["energy"]) > 1e-6
        if np.any(bad):
            j = int(sl[np.argmax(bad)])
            raise ValueError(
                f"Delta0 = {D0[j]:g} does not solve the energy equation at g = {g[j]:g}, "
                f"sigma = {sigma[j]:g} (relative residual {prof['energy'][bad][0]:.2g}); "
                "pass the Delta0 of solve_grid"
            )
        E0 = _ground_state(prof)
        out[sl] = np.sqrt(np.maximum(-E0, 0.0)) - 1.0
    return out.reshape(shape)
