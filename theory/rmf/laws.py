r"""Single-neuron laws of the RMF neuron at a stationary solution.

At a solution the RMF neuron i receives independent Poisson trains at the presynaptic
rates; with reset it is a renewal process (Baccelli & Taillefumier 2019, SIAM J. Appl.
Dyn. Syst. 18:1756, Sec. 4).  :func:`neuron_laws` returns

* the stationary density of X_i and its moments E[X], E[X^2] (the generator with
  f(x) = x gives, for a linear intensity, ``E[X] = beta`` and
  ``E[X^2] = (b - beta)/tau + r beta + sum_k lam_k w_k``, the moment identities tested);
* the ISI survival function S(t); CV^2 = E[T^2]/E[T]^2 - 1 with ``E[T^2] = 2 int t S``;
* the Fano factor of spike counts in long windows, which for a renewal process is CV^2
  (Cox 1962, *Renewal Theory*, Sec. 4.5, eq. 4.5.5);
* the spike-train power spectrum from the ISI law,
  ``P(omega) = beta (1 - |rho(omega)|^2) / |1 - rho(omega)|^2`` with
  ``rho(omega) = E[e^{-i omega T}]`` (Cox & Lewis 1966, *The Statistical Analysis of
  Series of Events*, Sec. 4.6; ``P -> beta CV^2`` as omega -> 0, ``P -> beta`` as
  omega -> inf).

For a linear intensity the survival function and ISI moments come from the closed-form
renewal integral (:mod:`.renewal`); otherwise, and for the density and the spectrum,
from the Markov chain of :mod:`.density` (``rho = e_r (i omega - A)^{-1} phi``, CV^2 from
two solves), on two grids with one Richardson step; ``error`` reports the change.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import expm_multiply, splu

from rnmf.models import IntensityNetwork

from ._inputs import reduce
from .density import Grid, build_grid, density_rate, solve_chain
from .renewal import renewal_rate, survival
from .solve import RMFResult, RMFSolution
from .transfer import intensity_functions

__all__ = ["NeuronLaws", "neuron_laws"]


@dataclass(frozen=True, repr=False)
class NeuronLaws:
    """Laws of one RMF neuron at a solution (see the module notes)."""

    neuron: int
    rate: float
    v: np.ndarray
    density: np.ndarray
    mean: float
    second_moment: float
    t: np.ndarray
    survival: np.ndarray
    isi_mean: float
    cv: float
    fano: float
    omega: np.ndarray
    spectrum: np.ndarray
    error: float  # estimate of the relative error of cv (grid routes)

    def __repr__(self) -> str:
        return (
            f"NeuronLaws(neuron={self.neuron}, rate={self.rate:.8g}, E[X]={self.mean:.6g}, "
            f"E[X^2]={self.second_moment:.6g}, CV={self.cv:.6g}, Fano={self.fano:.6g})"
        )


def _chain_isi(G: Grid, omega: np.ndarray) -> tuple[float, float, np.ndarray]:
    n = G.v.size
    e = np.zeros(n)
    e[G.i_r] = -1.0
    y = solve_chain(G, e)
    x = solve_chain(G, -y)
    m1, m2 = float(y.sum()), 2.0 * float(x.sum())
    rho = np.empty(omega.size, dtype=complex)
    AT = G.A.T.tocsc().astype(complex)
    for k, om in enumerate(omega):
        lu = splu((1j * om * sparse.identity(n, format="csc") - AT).tocsc())
        z = lu.solve(np.eye(1, n, G.i_r, dtype=complex).ravel())
        rho[k] = z @ G.phi_v
    return m1, m2, rho


def neuron_laws(
    net: IntensityNetwork,
    solution: RMFResult | RMFSolution | np.ndarray,
    neuron: int = 0,
    *,
    t: np.ndarray | None = None,
    omega: np.ndarray | None = None,
    tol: float = 1e-6,
) -> NeuronLaws:
    """Laws of neuron ``neuron`` of ``net`` at a stationary solution.

    Parameters
    ----------
    net : IntensityNetwork
    solution : RMFResult, RMFSolution or array (N,)
        The stationary rates (an RMFResult gives its first solution).
    neuron : int
        Which neuron.
    t : array, optional
        Times at which to evaluate the ISI survival function (default: 200 points up to
        5 mean ISIs).
    omega : array, optional
        Angular frequencies (> 0) of the power spectrum (default: 24 log-spaced points
        around the rate).
    tol : float
        Tolerance of the density solver.
    """
    if isinstance(solution, RMFResult):
        if not solution.solutions:
            raise ValueError("the RMFResult holds no solution")
        beta = solution.solutions[0].rates
    elif isinstance(solution, RMFSolution):
        beta = solution.rates
    else:
        beta = np.asarray(solution, dtype=float)
    if beta.shape != (net.N,) or np.any(~np.isfinite(beta)) or np.any(beta < 0):
        raise ValueError(f"solution must give {net.N} finite non-negative rates")
    i = int(neuron)
    if not 0 <= i < net.N:
        raise ValueError(f"neuron must lie in [0, {net.N - 1}], got {neuron}")
    red = reduce(net, symmetric=False)
    u = red.units[i]
    lam = np.maximum(u.lam(beta), 0.0)
    phi, _ = intensity_functions(net)
    d = density_rate(u.b, u.tau, u.r, lam, u.w, phi, reset=net.reset, tol=tol, derivs=False)
    G, pi = d.grid, d.pi
    rate = d.beta
    mean = float(pi @ G.v)
    second = float(pi @ G.v**2)
    dens = pi / G.h
    if not net.reset:
        nan = float("nan")
        om = np.zeros(0) if omega is None else np.asarray(omega, dtype=float)
        tt = np.zeros(0) if t is None else np.asarray(t, dtype=float)
        return NeuronLaws(i, rate, G.v, dens, mean, second, tt, np.full(tt.size, nan), nan,
                          nan, nan, om, np.full(om.size, nan), nan)  # fmt: skip
    isi = 1.0 / max(rate, 1e-300)
    tt = np.linspace(0.0, 5.0 * isi, 200) if t is None else np.asarray(t, dtype=float)
    om = (
        2 * np.pi * rate * np.logspace(-2, 1.5, 24)
        if omega is None
        else np.asarray(omega, dtype=float)
    )
    if np.any(om <= 0) or np.any(tt < 0):
        raise ValueError("omega must be > 0 and t >= 0")
    # ISI law on two grids (h, h/2) with one Richardson step
    h = G.h * 4.0
    lo, hi = G.v[0], G.v[-1]
    anchor = u.r
    active = lam > 0
    res, moms = [], []
    for hh in (h, h / 2.0):
        Gk = build_grid(u.b, u.tau, u.r, lam[active], u.w[active], phi, True, lo, hi, hh, anchor)
        res.append(_chain_isi(Gk, om))
        e = np.zeros(Gk.v.size)
        e[Gk.i_r] = -1.0
        yk = solve_chain(Gk, e)
        pk = yk / yk.sum()
        moms.append((float(pk @ Gk.v), float(pk @ Gk.v**2)))
    mean = 2 * moms[1][0] - moms[0][0]
    second = 2 * moms[1][1] - moms[0][1]
    (m1a, m2a, ra), (m1b, m2b, rb) = res
    m1 = 2 * m1b - m1a
    m2 = 2 * m2b - m2a
    rho = 2 * rb - ra
    cv2 = m2 / m1**2 - 1.0
    err = abs((m2b / m1b**2 - 1.0) - (m2a / m1a**2 - 1.0)) / max(cv2, 1e-300)
    if net.phi == "linear":
        rr = renewal_rate(u.b, u.tau, u.r, lam, u.w)
        m1, m2 = rr.m1, rr.m2
        cv2 = m2 / m1**2 - 1.0
        S = survival(tt, u.b, u.tau, u.r, lam, u.w)
    else:
        n = Gk.v.size
        e = np.eye(1, n, Gk.i_r).ravel()
        AT = Gk.A.T.tocsc()
        tu = np.linspace(0.0, float(tt.max(initial=0.0)), 401)
        Su = expm_multiply(AT, e, start=0.0, stop=tu[-1], num=tu.size, endpoint=True).sum(axis=1)
        S = np.interp(tt, tu, Su)
    r_rate = 1.0 / m1
    spec = r_rate * (1.0 - np.abs(rho) ** 2) / np.abs(1.0 - rho) ** 2
    cv = float(np.sqrt(max(cv2, 0.0)))
    return NeuronLaws(
        neuron=i, rate=rate, v=G.v, density=dens, mean=mean, second_moment=second, t=tt,
        survival=S, isi_mean=m1, cv=cv, fano=cv * cv, omega=om, spectrum=spec, error=err,
    )  # fmt: skip
