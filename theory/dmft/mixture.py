r"""Stationary chaotic DMFT of a random network driven by a Gaussian mixture of quenched inputs.

Setting (the chaotic state of a low-rank plus random network whose loadings form a mixture
of P Gaussian populations, Beiran et al. 2021, Neural Comput 33:1572, Sec. 2.2; the chaotic
mean-field theory of Mastrogiuseppe & Ostojic 2018, Neuron 99:609, STAR Methods, "dynamical
mean-field theory" of the chaotic solutions, here with one quenched mean and variance per
population).  A unit i of population p receives

.. math:: x_i(t) = \mu_p + \sqrt{S_p}\,z_i + \xi_i(t),\qquad z_i \sim N(0, 1)\ \text{quenched},

where :math:`\mu_p, S_p` are the population's quenched mean and variance (set by the latent
variables and the loadings) and :math:`\xi_i` is the low-pass filtered field of the random
bulk :math:`g\chi`.  For :math:`N\to\infty` the bulk input :math:`\eta_i = g\sum_j\chi_{ij}\phi_j`
is a Gaussian process, independent of the loadings, whose autocovariance is the same for
every unit (the couplings :math:`\chi_{ij}` do not know the populations):
:math:`\langle\eta(t)\eta(t+\tau)\rangle = g^2\sum_p\alpha_p C_p(\tau)`, with
:math:`C_p(\tau) = \langle\phi(x(t))\phi(x(t+\tau))\rangle_p` averaged over the units of
population p.  Filtering by :math:`(1 + \partial_t)` gives for the shared autocovariance
:math:`\Delta(\tau) = \langle\xi(t)\xi(t+\tau)\rangle` (SCS 1988 eq. 4; M&O 2018 STAR Methods
eq. for :math:`\Delta(\tau)` in the chaotic phase)

.. math:: (1 - \partial_\tau^2)\,\Delta(\tau) = g^2\sum_p\alpha_p\,
          C_p\big(S_p + \Delta(\tau);\ \mu_p,\ S_p + \Delta_0\big),

where :math:`C_p(c; m, v)` is the average of :math:`\phi(x_1)\phi(x_2)` over jointly
Gaussian :math:`x_{1,2}` with means m, variances v and covariance c (the quenched part
:math:`\sqrt{S_p}z` is common to both times).  By Price's theorem
:math:`\partial_c\langle\Phi\Phi\rangle = C` this is Newton's equation
:math:`\Delta'' = -V'(\Delta)` in the potential

.. math:: V(\Delta) = -\tfrac12\Delta^2 + g^2\sum_p\alpha_p\,
          \langle\Phi(x_1)\Phi(x_2)\rangle_p\big|_{c = S_p + \Delta},

the multi-population version of SCS 1988 eq. 6 (for P = 1 it is
:func:`rnmf.theory.dmft.potential` with :math:`\sigma_I^2 = S`, shifted by a constant).  A
stationary chaotic solution starts at rest at :math:`\Delta_0` and comes to rest on the
hilltop :math:`\Delta_\infty < \Delta_0`:

.. math:: V'(\Delta_\infty) = 0,\quad V''(\Delta_\infty) < 0,\qquad V(\Delta_0) = V(\Delta_\infty).

Within population p the total variance of x over units and time is
:math:`\Delta_{0,p} = S_p + \Delta_0` and the variance of the time-averaged x is
:math:`\Delta_{\infty,p} = S_p + \Delta_\infty`.

Root search.  The static solution :math:`\Delta_s`, the largest root of
:math:`h(\Delta) = g^2\sum_p\alpha_p\langle\phi^2\rangle_{\mu_p, S_p+\Delta} - \Delta`, is
unstable through its bulk when :math:`\chi_s = g^2\sum_p\alpha_p\langle\phi'^2\rangle > 1`
(Rajan & Abbott 2006 bulk radius; Kadmon & Sompolinsky 2015, PRX 5:041030, onset of chaos with
quenched input); only then a chaotic solution exists.  The particle leaves :math:`\Delta_0`
downhill, so :math:`V'(\Delta_0) = h(\Delta_0) > 0`, i.e. :math:`\Delta_0 < \Delta_s`; at
:math:`\Delta_0\to\Delta_s^-` the energy residual :math:`V(\Delta_0) - V(\Delta_\infty)` is
negative (:math:`V' < 0` between the hilltop and :math:`\Delta_s` when :math:`\chi_s > 1`) and it
is positive where no hilltop exists yet.  :func:`chaotic_variance` steps
:math:`\Delta_0/\Delta_s` down from :math:`1 - 10^{-7}` (cheap quadrature) to the first positive
residual, i.e. the sign change closest to :math:`\Delta_s` (an accurate rescan where the cheap
rule misses it, next to the onset), polishes it by vectorised regula falsi (Illinois) with an
accurate rule and secant iterations with a finer one (the residual is flat,
:math:`\propto(\Delta_0-\Delta_\infty)^3`, near the onset, and the root lies just above a
fold of the hilltop branch, see ``_final_secant``); the hilltop is the smallest root
of :math:`V'` in :math:`[0, \Delta_0]` (Newton, monotone because :math:`C_p` is convex in the
covariance).  Everything is vectorised over many (:math:`\mu`, S) rows at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.polynomial import Chebyshev

from rnmf._checks import check_array, check_int, check_nonnegative
from rnmf.results import Result
from rnmf.transfer import Transfer, as_transfer

from ..gaussian import expect, expect2
from ._common import check_memory, illinois, newton_trajectory
from .states import check_resolved

__all__ = ["MixtureChaos", "chaotic_variance", "potential", "solve_mixture"]

# trapezoidal step (times sqrt(variance)) of the scan, polish and final rules: errors
# ~exp(-pi^2/h) = 7e-8, 2e-11, 7e-18 for tanh-like phi (see _Mix.two_many)
_STEPS = (0.6, 0.4, 0.25)
_FINAL = 2
# truncation |z| <= _ZMAX of the trapezoidal rules: the dropped tail weighs
# erfc(9/sqrt(2)) = 2e-19, times Phi^2 ~ (9 sqrt(variance))^2 for the primitive (log cosh grows
# like |x|).  |z| <= 8 (tail 1e-15, times ~64 variance) biased the energy residual by ~1e-13
# and Delta_inf by 1e-12 to 8e-12 (against an independent reference).
_ZMAX = 9.0
_SCAN = np.concatenate([1.0 - np.geomspace(1e-7, 0.5, 12), np.geomspace(0.3, 1e-5, 6)])


# ----------------------------------------------------------------------------------------
# Gaussian averages summed over the populations
# ----------------------------------------------------------------------------------------
class _Mix:
    """Transfer function statistics of a mixture (numerics only)."""

    def __init__(self, tr: Transfer, g: float, w: np.ndarray) -> None:
        self.tr = tr
        self.g2 = float(g) ** 2
        self.w = np.asarray(w, float)
        self.kink = float(tr.theta) if tr.kind == "relu" else None
        self.phi = tr.__call__
        self.Phi = tr.primitive

        def dphi(x: np.ndarray) -> np.ndarray:
            with np.errstate(over="ignore"):
                return tr.derivative(x)

        def phi2(x: np.ndarray) -> np.ndarray:
            return tr(x) ** 2

        def dphi2(x: np.ndarray) -> np.ndarray:
            with np.errstate(over="ignore"):
                return tr.derivative(x) ** 2

        self.dphi, self.phi2, self.dphi2 = dphi, phi2, dphi2

    def n(self, accurate: bool) -> int | None:
        """Gauss-Legendre nodes per piece for a kinked phi (relu); None: the automatic
        trapezoidal rule of :mod:`rnmf.theory.gaussian` (one-point averages)."""
        if self.kink is not None:
            return 48 if accurate else 24
        return None

    def one(self, f: Any, mu: np.ndarray, D: np.ndarray, accurate: bool = True) -> np.ndarray:
        return np.asarray(expect(f, mu, np.maximum(D, 0.0), n=self.n(accurate), kink=self.kink))

    def two(
        self, name: str, mu: np.ndarray, S: np.ndarray, D0: np.ndarray, D: np.ndarray, accurate: Any
    ) -> np.ndarray:
        r"""One of ``"C"``, ``"q"``, ``"F"``, ``"G"`` (see :meth:`two_many`): (M,) for ``mu``, ``S`` (M, P)
        and ``D0``, ``D`` (M,), at covariance S_p + D and variance S_p + D0."""
        return self.two_many((name,), mu, S, D0, D, accurate)[name]

    def two_many(
        self,
        names: tuple[str, ...],
        mu: np.ndarray,
        S: np.ndarray,
        D0: np.ndarray,
        D: np.ndarray,
        accurate: bool,
    ) -> dict[str, np.ndarray]:
        r"""Several of C = <phi phi>, q = <phi' phi'>, F = <Phi Phi>, G summed over the populations.

        G is the conditional variance :math:`\langle\mathrm{Var}_y\,\Phi(x)\rangle_z =
        F(v; v) - F(c; v)` (at variance v, covariance c), computed without the cancellation
        of the difference: the energy residual :math:`V(\Delta_0) - V(\Delta_\infty) =
        -\tfrac12(\Delta_0 - \Delta_\infty)(\Delta_0 + \Delta_\infty) + g^2 G` is
        :math:`O((\Delta_0 - \Delta_\infty)^3)` near the onset of chaos, while F is O(1)
        (rounding of F alone moved the chaotic :math:`\Delta_0` by ~5e-13 and, through the
        ill-conditioned hilltop, :math:`\Delta_\infty` by ~1e-10 at g = 2, mu = 1, S = 0.45).

        Nested rule of SCS 1988 (below eq. 5), as :func:`rnmf.theory.gaussian.expect2`:
        :math:`x_{1,2} = \mu + \sqrt{c}\,z + \sqrt{v - c}\,y_{1,2}`, one evaluation of phi on the
        shared nodes for C and q (tanh: :math:`\phi' = 1 - \phi^2`).  Trapezoidal nodes on
        :math:`|z| \le 9` (``_ZMAX``, tail 2e-19) with step 0.4/sqrt(variance) (accurate: error
        ~exp(-pi^2/0.4) ~ 2e-11 for tanh-like phi, whose nearest complex singularity lies at
        pi/(2 sqrt(variance)), Trefethen & Weideman 2014, SIAM Rev 56:385, eq. 5.3),
        0.6/sqrt(variance) (scan, ~1e-7) or 0.25/sqrt(variance) (``accurate=2``, final
        hilltop).
        """
        var = S + D0[:, None]
        cov = np.clip(S + D[:, None], 0.0, var)
        if self.kink is not None:
            fun = {"C": self.phi, "q": self.dphi, "F": self.Phi}
            n = self.n(accurate)

            def ex2(k: str, c: np.ndarray) -> np.ndarray:
                f = fun[k]
                return np.asarray(expect2(f, f, mu, var, c, n=n, kink=self.kink)) @ self.w

            return {k: ex2("F", var) - ex2("F", cov) if k == "G" else ex2(k, cov) for k in names}
        b = np.sqrt(cov)[..., None, None]
        a = np.sqrt(var - cov)[..., None, None]
        zo, wo = _trap(accurate, float(np.max(cov)) if cov.size else 1.0)
        yi, wi = _trap(accurate, float(np.max(var - cov)) if cov.size else 1.0)
        out = {}
        M, P = mu.shape
        step = max(1, 2_000_000 // (zo.size * yi.size * P))
        res = {k: np.empty((M, P)) for k in names}
        for i in range(0, M, step):
            sl = slice(i, i + step)
            x = mu[sl, :, None, None] + b[sl] * zo[:, None] + a[sl] * yi
            if "C" in names or "q" in names:
                t = self.tr(x)
                if "C" in names:
                    A = t @ wi
                    res["C"][sl] = (A * A) @ wo
                if "q" in names:
                    d = 1.0 - t * t if self.tr.kind == "tanh" else self.dphi(x)
                    A = d @ wi
                    res["q"][sl] = (A * A) @ wo
            if "F" in names or "G" in names:
                Px = self.Phi(x)
                A = Px @ wi
                if "F" in names:
                    res["F"][sl] = (A * A) @ wo
                if "G" in names:
                    dev = Px - A[..., None]
                    res["G"][sl] = ((dev * dev) @ wi) @ wo
        for k in names:
            out[k] = res[k] @ self.w
        return out


def _trap(accurate: bool, dmax: float) -> tuple[np.ndarray, np.ndarray]:
    h = _STEPS[int(accurate)] / max(1.0, math.sqrt(max(dmax, 0.0)))
    n = int(min(max(math.ceil(2.0 * _ZMAX / h) + 1, 41), 2501)) | 1
    return _trap_n(n)


@lru_cache(maxsize=32)
def _trap_n(n: int) -> tuple[np.ndarray, np.ndarray]:
    z = np.linspace(-_ZMAX, _ZMAX, n)
    w = np.exp(-0.5 * z * z)
    w /= w.sum()
    return z, w


def potential(
    g: float, phi: Any, weights: Any, mu: Any, S: Any, Delta: Any, *, Delta0: float
) -> np.ndarray:
    r"""The potential :math:`V(\Delta) = -\Delta^2/2 + g^2\sum_p\alpha_p\langle\Phi\Phi\rangle_p`.

    Multi-population form of SCS 1988 eq. 6 (see the module docstring); ``mu``, ``S`` of
    shape (P,), ``Delta`` an array of covariances of the shared field in [0, Delta0].
    """
    g, tr, w, mu, S = _check(g, phi, weights, mu, S)
    D = np.atleast_1d(check_array("Delta", Delta))
    Delta0 = check_nonnegative("Delta0", Delta0)
    if np.any(np.abs(D) > Delta0 * (1 + 1e-12)):
        raise ValueError(
            f"Delta must lie in [-Delta0, Delta0] = [{-Delta0:g}, {Delta0:g}], got max |Delta| = "
            f"{float(np.max(np.abs(D))):g}"
        )
    mx = _Mix(tr, g, w)
    M = D.size
    F = mx.two(
        "F",
        np.broadcast_to(mu, (M, mu.size)),
        np.broadcast_to(S, (M, S.size)),
        np.full(M, float(Delta0)),
        D,
        True,
    )
    return -0.5 * D * D + mx.g2 * F


# ----------------------------------------------------------------------------------------
# vectorised pieces
# ----------------------------------------------------------------------------------------
def _static(mx: _Mix, mu: np.ndarray, S: np.ndarray) -> np.ndarray:
    r"""Largest root :math:`\Delta_s` of :math:`g^2\sum_p\alpha_p\langle\phi^2\rangle_{S_p+\Delta} = \Delta`
    (M&O 2018 STAR Methods, static variance of the bulk field); NaN where it diverges."""
    M = mu.shape[0]

    def h(d: np.ndarray, sel: np.ndarray) -> np.ndarray:
        e = mx.one(mx.phi2, mu[sel], S[sel] + d[:, None])
        return mx.g2 * (e @ mx.w) - d

    allp = np.arange(M)
    lo = np.zeros(M)
    flo = h(lo, allp)
    eps = 1e-10 * max(mx.g2, 1e-300)
    z0 = flo <= 0.0
    if np.any(z0):
        fe = h(np.full(int(z0.sum()), eps), allp[z0])
        lo[z0] = np.where(fe > 0, eps, 0.0)
        flo[z0] = np.where(fe > 0, fe, 0.0)
    hi = np.full(M, 1.0001 * mx.g2 + 1e-12 if mx.tr.kind in ("tanh", "erf") else 4.0 * (1 + mx.g2))
    fhi = h(hi, allp)
    for _ in range(40):
        bad = fhi > 0
        if not np.any(bad):
            break
        hi[bad] *= 4.0
        fhi[bad] = h(hi[bad], allp[bad])
    out = np.full(M, np.nan)
    ok = (fhi <= 0) & (flo > 0)
    out[(fhi <= 0) & (flo <= 0)] = 0.0
    if np.any(ok):
        idx = np.nonzero(ok)[0]
        out[idx] = illinois(lambda d, sel: h(d, idx[sel]), lo[idx], hi[idx], flo[idx], fhi[idx])
    return out


def _hilltop(
    mx: _Mix,
    mu: np.ndarray,
    S: np.ndarray,
    D0: np.ndarray,
    accurate: bool,
    start: np.ndarray | None = None,
    maxit: int = 60,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Smallest root :math:`\Delta_\infty\in[0,\Delta_0]` of
    :math:`V'(\Delta) = -\Delta + g^2\sum_p\alpha_pC_p` and :math:`V''(\Delta_\infty)`; NaN where
    there is no hilltop.

    Newton from 0 increases monotonically to the smallest root because :math:`V'` is convex
    (:math:`C_p` has nonnegative Taylor coefficients in the covariance, Price's theorem).  A
    warm ``start`` with :math:`V'' < 0` also converges to it (the first step from above lands
    below the root, by convexity); rows whose warm start fails are redone from 0.
    """
    M = D0.size
    D = np.zeros(M) if start is None else np.clip(np.nan_to_num(start), 0.0, D0 * (1 - 1e-12))
    fp = -np.ones(M)
    act = np.arange(M)
    ok = np.zeros(M, bool)
    first = np.full(M, start is not None)
    retry = np.zeros(M, bool)
    for _ in range(maxit):
        if act.size == 0:
            break
        d, d0 = D[act], D0[act]
        e = mx.two_many(("C", "q"), mu[act], S[act], d0, d, accurate)
        f = -d + mx.g2 * e["C"]
        q = -1.0 + mx.g2 * e["q"]
        fp[act] = q
        root = np.abs(f) <= 1e-15 * (1.0 + d0) if start is not None else f <= 1e-15 * (1.0 + d0)
        root |= (f <= 0.0) & (d == 0.0)
        stuck = (q >= 0.0) & ~root
        # a warm start on the wrong side of the minimum of V': start again from 0
        redo = stuck & first[act] & (d > 0)
        retry[act[redo]] = True
        step = np.where(root | stuck, 0.0, -f / np.where(q < 0, q, -1.0))
        dn = np.maximum(d + step, 0.0)
        over = dn >= d0
        small = np.abs(step) <= 1e-14 * np.maximum(d0, 1e-300)
        D[act] = np.where(over, d, dn)
        D[act[redo]] = 0.0
        ok[act] = (root | small) & ~over
        first[act] = False
        done = (root | stuck | over | small) & ~redo
        act = act[~done]
    D = np.where(D < 1e-14 * D0, 0.0, D)
    return np.where(ok & (fp < 0), D, np.nan), fp


def _energy(
    mx: _Mix,
    mu: np.ndarray,
    S: np.ndarray,
    D0: np.ndarray,
    accurate: bool,
    start: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """V(Delta0) - V(Delta_inf) (+inf where no hilltop exists) and Delta_inf; the difference
    of the F terms as the conditional variance G (see :meth:`_Mix.two_many`)."""
    Dinf, _ = _hilltop(mx, mu, S, D0, accurate, start)
    good = np.isfinite(Dinf)
    E = np.full(D0.size, np.inf)
    if np.any(good):
        m, s, d0, di = mu[good], S[good], D0[good], Dinf[good]
        G = mx.two("G", m, s, d0, di, accurate)
        E[good] = -0.5 * (d0 - di) * (d0 + di) + mx.g2 * G
    return E, Dinf


def chaotic_variance(
    g: float, phi: Any, weights: Any, mu: Any, S: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    r"""Chaotic :math:`\Delta_0`, :math:`\Delta_\infty` of the shared field for many rows at once.

    Parameters
    ----------
    g : float
        Bulk strength (> 0).
    phi : str or Transfer
    weights : array (P,)
        Mixture weights (> 0, normalised here).
    mu, S : arrays (M, P) or (P,)
        Quenched mean and variance (>= 0) of each population, one row per case.

    Returns
    -------
    Delta0, Delta_inf : ndarray (M,)
        Equal-time and infinite-lag autocovariance of the shared dynamic field (module
        docstring); NaN where no chaotic solution exists.
    Delta_s, chi_s : ndarray (M,)
        Static solution and its squared bulk radius :math:`g^2\sum_p\alpha_p\langle\phi'^2\rangle`.

    Notes
    -----
    The root closest to :math:`\Delta_s` is returned (the largest :math:`\Delta_0`, the state
    :func:`rnmf.theory.dmft.solve` lists first for one population).
    """
    g, tr, w, mu, S = _check(g, phi, weights, mu, S)
    mu2, S2 = np.atleast_2d(mu), np.atleast_2d(S)
    mx = _Mix(tr, g, w)
    return _chaotic_rows(mx, mu2, S2)


def _chaotic_rows(
    mx: _Mix, mu: np.ndarray, S: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    M = mu.shape[0]
    D0 = np.full(M, np.nan)
    Dinf = np.full(M, np.nan)
    Ds = _static(mx, mu, S)
    chi = np.full(M, np.nan)
    fin = np.isfinite(Ds)
    if np.any(fin):
        chi[fin] = mx.g2 * (mx.one(mx.dphi2, mu[fin], S[fin] + Ds[fin, None]) @ mx.w)
    cand = np.nonzero(fin & (chi > 1.0 + 1e-12) & (Ds > 0))[0]
    if cand.size == 0 or mx.g2 == 0.0:
        return D0, Dinf, Ds, chi
    # top-down scan of Delta0 / Delta_s (cheap rule): the first ratio with a positive residual
    # brackets the largest root; the hilltop Newton starts from the previous ratio's
    a = np.full(cand.size, np.nan)
    b = np.full(cand.size, np.nan)
    act = np.arange(cand.size)
    prev = np.full(cand.size, np.nan)
    for j, ratio in enumerate(_SCAN):
        if act.size == 0:
            break
        rows = cand[act]
        x = Ds[rows] * ratio
        E, dinf = _energy(mx, mu[rows], S[rows], x, False, None if j == 0 else prev[act])
        if j == 0:
            act = act[E <= 0]  # E > 0 next to Delta_s: left to the accurate scan below
            prev[act] = dinf[E <= 0]
            continue
        up = E > 0
        hit = act[up]
        a[hit], b[hit] = x[up], Ds[rows[up]] * _SCAN[j - 1]
        prev[act] = dinf
        act = act[~up]
    # chi_s > 1 guarantees a sign change (module docstring): where the cheap rule missed it
    # (root within its error of Delta_s, close to the onset of chaos) scan again accurately
    miss = np.nonzero(~np.isfinite(a))[0]
    if miss.size:
        fine = 1.0 - np.geomspace(0.5, 1e-10, 28)
        rows = np.repeat(cand[miss], fine.size)
        grid = (Ds[cand[miss], None] * fine[None, :]).ravel()
        E, _ = _energy(mx, mu[rows], S[rows], grid, accurate=True)
        E = E.reshape(miss.size, fine.size)
        G = grid.reshape(miss.size, fine.size)
        for i, row in enumerate(miss):
            ch = np.nonzero((E[i, :-1] > 0) & (E[i, 1:] <= 0))[0]
            if ch.size:
                a[row], b[row] = G[i, ch[-1]], G[i, ch[-1] + 1]
    has = np.nonzero(np.isfinite(a))[0]
    if has.size == 0:
        return D0, Dinf, Ds, chi
    r = cand[has]
    lo, hi = a[has], b[has]
    # polish: regula falsi (Illinois) on the accurate residual, bisection while the lower end
    # has no hilltop (residual +inf); the hilltop Newton starts from the last Delta_inf
    flo, Dlo = _energy(mx, mu[r], S[r], lo, True)
    fhi, Dhi = _energy(mx, mu[r], S[r], hi, True)
    # the accurate rule may move the root across a scan point: widen once
    bad = ~((flo > 0) & (fhi <= 0))
    if np.any(bad):
        lo[bad & ~(flo > 0)] *= 0.5
        hi[bad & ~(fhi <= 0)] = np.minimum(2 * hi - lo, Ds[r] * (1 - 1e-10))[bad & ~(fhi <= 0)]
        flo[bad], Dlo[bad] = _energy(mx, mu[r[bad]], S[r[bad]], lo[bad], True)
        fhi[bad], Dhi[bad] = _energy(mx, mu[r[bad]], S[r[bad]], hi[bad], True)
    good = (flo > 0) & (fhi <= 0)
    side = np.zeros(r.size, int)
    act = np.nonzero(good)[0]
    root = hi.copy()
    for _ in range(100):
        if act.size == 0:
            break
        A, B, FA, FB = lo[act], hi[act], flo[act], fhi[act]
        fin = np.isfinite(FA)
        den = np.where(fin & (FB != FA), FB - FA, 1.0)
        c = np.where(fin, B - FB * (B - A) / den, 0.5 * (A + B))
        c = np.where((c > A) & (c < B), c, 0.5 * (A + B))
        fc, dc = _energy(mx, mu[r[act]], S[r[act]], c, True, Dhi[act])
        up = fc > 0  # root in [c, B]
        sd = side[act]
        lo[act] = np.where(up, c, A)
        flo[act] = np.where(up, fc, np.where(sd == -1, 0.5 * FA, FA))
        hi[act] = np.where(up, B, c)
        fhi[act] = np.where(up, np.where(sd == 1, 0.5 * FB, FB), fc)
        Dhi[act] = np.where(up, Dhi[act], dc)
        side[act] = np.where(up, 1, -1)
        root[act] = c
        conv = (np.abs(hi[act] - lo[act]) <= 1e-14 * hi[act]) | (fc == 0.0)
        act = act[~conv]
    idx = np.nonzero(good)[0]
    root[idx], di = _final_secant(mx, mu[r[idx]], S[r[idx]], root[idx], Dhi[idx])
    keep = np.isfinite(di) & (root[idx] - di > 1e-9 * root[idx])
    D0[r[idx][keep]] = root[idx][keep]
    Dinf[r[idx][keep]] = di[keep]
    return D0, Dinf, Ds, chi


def _final_secant(
    mx: _Mix, mu: np.ndarray, S: np.ndarray, x: np.ndarray, dstart: np.ndarray, maxit: int = 12
) -> tuple[np.ndarray, np.ndarray]:
    r"""Root of the energy residual with the final rule (step 0.25), from the polished root ``x``.

    Near the onset of chaos the chaotic :math:`\Delta_0` lies just above a fold of the hilltop
    branch: below :math:`\Delta_0^f` the potential has no hilltop, and
    :math:`\Delta_\infty(\Delta_0) - \Delta_\infty(\Delta_0^f)\propto -(\Delta_0 -
    \Delta_0^f)^{1/2}` (saddle-node of :math:`V'(\Delta) = 0`).  The residual
    :math:`E = V(\Delta_0) - V(\Delta_\infty)` keeps a finite slope there
    (:math:`V'(\Delta_\infty) = 0`) but a divergent curvature, and :math:`\Delta_\infty`
    amplifies an error of :math:`\Delta_0` by :math:`|d\Delta_\infty/d\Delta_0|`
    (~400 at g = 2, mu = 1, S = 0.4375, where the fold lies 2.6e-6 below the root).  The polish
    rule (step 0.4, error ~5e-11 in E) leaves :math:`\Delta_0` off by ~6e-9 there, and a
    single secant step with a fixed difference of 1e-6 * Delta0 straddles the fold and
    overshoots (1.8e-7 error of :math:`\Delta_\infty`).  Hence: secant iterations on the
    final rule from two points 1e-9 * Delta0 apart (the second one above, away from the fold),
    a point without hilltop (E = +inf) replaced by the midpoint towards the last finite
    iterate, until the step is below 1e-15 * Delta0; the iterate with the smallest
    :math:`|E|` is kept.  Returns :math:`\Delta_0` and its :math:`\Delta_\infty`.
    """

    def energy(xx: np.ndarray, sel: np.ndarray, start: np.ndarray) -> tuple:
        return _energy(mx, mu[sel], S[sel], xx, _FINAL, start)

    allr = np.arange(x.size)
    x0 = x.copy()
    f0, d0 = energy(x0, allr, dstart)
    x1 = x0 * (1.0 + 1e-9)
    f1, d1 = energy(x1, allr, np.where(np.isfinite(d0), d0, dstart))
    best_x, best_f, best_d = x0.copy(), np.abs(f0), d0.copy()
    better = np.abs(f1) < best_f
    best_x[better], best_f[better], best_d[better] = x1[better], np.abs(f1)[better], d1[better]
    act = np.nonzero(np.isfinite(f0) & np.isfinite(f1) & (f0 != 0.0) & (f1 != f0))[0]
    for _ in range(maxit):
        if act.size == 0:
            break
        a, b, fa, fb = x0[act], x1[act], f0[act], f1[act]
        c = b - fb * (b - a) / (fb - fa)
        c = np.clip(c, 0.99 * b, 1.01 * b)
        st = np.where(np.isfinite(d1[act]), d1[act], best_d[act])
        fc, dc = energy(c, act, st)
        for _ in range(60):  # past the fold (no hilltop): halve back towards b
            gone = ~np.isfinite(fc)
            if not np.any(gone):
                break
            c[gone] = 0.5 * (c[gone] + b[gone])
            fc[gone], dc[gone] = energy(c[gone], act[gone], st[gone])
        x0[act], f0[act] = b, fb
        x1[act], f1[act], d1[act] = c, fc, dc
        better = np.isfinite(fc) & (np.abs(fc) < best_f[act])
        bi = act[better]
        best_x[bi], best_f[bi], best_d[bi] = c[better], np.abs(fc)[better], dc[better]
        conv = (np.abs(c - b) <= 1e-15 * np.abs(b)) | (fc == 0.0) | (fc == fb) | ~np.isfinite(fc)
        act = act[~conv]
    return best_x, best_d


def _check(g: Any, phi: Any, weights: Any, mu: Any, S: Any):
    g = check_nonnegative("g", g)
    tr = as_transfer(phi, field_name="phi")
    # the shared field has variance <= g^2 sup phi^2: the limit of the one-population DMFT
    check_resolved(tr.kind, g, 0.0, 0.0)
    w = check_array("weights", weights)
    if w.ndim != 1 or np.any(w <= 0):
        raise ValueError(f"weights must be a 1-D array of finite values > 0, got {weights!r}")
    w = w / w.sum()
    P = w.size
    out = []
    for name, v in (("mu", mu), ("S", S)):
        a = check_array(name, v).reshape(np.shape(v))
        if a.shape[-1:] != (P,) or a.ndim > 2:
            raise ValueError(f"{name} must have shape (P,) or (M, P) with P = {P}, got {a.shape}")
        out.append(a)
    if np.any(out[1] < 0):
        raise ValueError("the quenched variances S must be >= 0")
    return g, tr, w, out[0], out[1]


# ----------------------------------------------------------------------------------------
# one solution with its autocorrelation
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True, repr=False)
class MixtureChaos(Result):
    r"""Chaotic solution of the mixture DMFT (module docstring).

    Attributes
    ----------
    weights, mu_p, S_p : ndarray (P,)
        Mixture weights, quenched means and quenched variances.
    Delta0_dyn, Delta_inf_dyn : float
        :math:`\Delta_0`, :math:`\Delta_\infty` of the shared dynamic field.
    mu, Delta0, Delta_inf : float
        Over all units: mean, variance of x over units and time, variance of the
        time-averaged x (including the spread of the population means).
    Delta0_p, Delta_inf_p : ndarray (P,)
        Per population: :math:`S_p + \Delta_0`, :math:`S_p + \Delta_\infty`.
    chi : float
        :math:`g^2\sum_p\alpha_p\langle\phi'^2\rangle` at :math:`\Delta_0`.
    kappa : float
        Decay rate of the tail, :math:`\kappa^2 = -V''(\Delta_\infty)`.
    tau_corr : float
        First lag where the dynamic part has decayed to half.
    tau, Delta : ndarray
        Lags and the population-averaged autocovariance :meth:`autocorrelation` on them.
    """

    weights: np.ndarray = field(default_factory=lambda: np.zeros(0))
    mu_p: np.ndarray = field(default_factory=lambda: np.zeros(0))
    S_p: np.ndarray = field(default_factory=lambda: np.zeros(0))
    Delta0_dyn: float = math.nan
    Delta_inf_dyn: float = math.nan
    mu: float = math.nan
    Delta0: float = math.nan
    Delta_inf: float = math.nan
    Delta0_p: np.ndarray = field(default_factory=lambda: np.zeros(0))
    Delta_inf_p: np.ndarray = field(default_factory=lambda: np.zeros(0))
    chi: float = math.nan
    kappa: float = math.nan
    tau_corr: float = math.nan
    tau: np.ndarray = field(default_factory=lambda: np.zeros(1))
    Delta: np.ndarray = field(default_factory=lambda: np.zeros(1))
    regime: str = "chaotic"
    _interp: Any = field(default=None, compare=False)
    _tail_start: float = math.inf

    def _dyn(self, lags: Any) -> np.ndarray:
        lag = np.abs(check_array("lags", lags, finite=False)).reshape(np.shape(lags))
        if not np.all(np.isfinite(lag)):
            raise ValueError("lags contain NaN or infinite values")
        if self._interp is None:
            return np.full(lag.shape, self.Delta0_dyn)
        ts = self._tail_start
        inner = self._interp(np.minimum(lag, ts))
        ds = float(self._interp(ts)) - self.Delta_inf_dyn
        tail = self.Delta_inf_dyn + ds * np.exp(-self.kappa * np.maximum(lag - ts, 0.0))
        return np.where(lag <= ts, inner, tail)

    def autocorrelation(self, lags: Any) -> np.ndarray | float:
        r"""Autocovariance of x averaged over all units, :math:`\Delta(\tau) + \sum_p\alpha_p
        (S_p + (\mu_p-\mu)^2)` (equals ``Delta0`` at lag 0, ``Delta_inf`` at infinite lag)."""
        w = self.weights
        static = float(w @ (self.S_p + (self.mu_p - self.mu) ** 2))
        out = np.asarray(self._dyn(lags) + static, dtype=float)
        return out if out.ndim else float(out)

    def autocorrelation_p(self, lags: Any) -> np.ndarray:
        """Autocovariance within each population, :math:`S_p + \\Delta(\\tau)`, shape (..., P)."""
        return np.asarray(self._dyn(lags))[..., None] + self.S_p


def _trajectory(mx: _Mix, mu: np.ndarray, S: np.ndarray, D0: float, Dinf: float) -> dict:
    r"""Integrate :math:`\Delta'' = -V'(\Delta)` from rest at :math:`\Delta_0`, splice the tail
    :math:`e^{-\kappa\tau}` near the hilltop (as :mod:`rnmf.theory.dmft.stationary`)."""
    dom = [Dinf, D0]
    m1, s1 = mu[None], S[None]

    def C(D: np.ndarray) -> np.ndarray:
        D = np.atleast_1d(D)
        return mx.two(
            "C", np.repeat(m1, D.size, 0), np.repeat(s1, D.size, 0), np.full(D.size, D0), D, True
        )

    fcheb = -Chebyshev.identity(domain=dom) + mx.g2 * Chebyshev.interpolate(C, 48, domain=dom)
    q = mx.two("q", m1, s1, np.array([D0]), np.array([Dinf]), True)[0]
    kappa = math.sqrt(max(1.0 - mx.g2 * q, 0.0))
    return newton_trajectory(fcheb, D0, Dinf, kappa, n_fine=2001)


def solve_mixture(
    g: float, phi: Any, weights: Any, mu: Any, S: Any, *, n_tau: int = 201, model: Any = None
) -> MixtureChaos | None:
    r"""The chaotic solution for one set of quenched population statistics (or None).

    Parameters
    ----------
    g : float
        Bulk strength.
    phi : str or Transfer
    weights, mu, S : arrays (P,)
        Mixture weights, quenched means and variances of the P populations.
    n_tau : int
        Lags stored in ``tau``/``Delta``.
    model : object, optional
        Stored as the result's ``model``.

    Returns
    -------
    MixtureChaos or None
        None where no chaotic solution exists (:math:`\chi_s \le 1`).
    """
    g, tr, w, mu, S = _check(g, phi, weights, mu, S)
    if mu.ndim != 1 or S.ndim != 1:
        raise ValueError("solve_mixture takes mu and S of shape (P,)")
    n_tau = check_int("n_tau", n_tau, minimum=2)
    check_memory("n_tau", n_tau, 10 * 8.0 * n_tau)  # tau, Delta and temporaries
    mx = _Mix(tr, g, w)
    D0a, Dia, _, _ = _chaotic_rows(mx, mu[None], S[None])
    D0, Dinf = float(D0a[0]), float(Dia[0])
    if not math.isfinite(D0):
        return None
    tr_ = _trajectory(mx, mu, S, D0, Dinf)
    m_tot = float(w @ mu)
    spread = float(w @ (mu - m_tot) ** 2)
    chi = mx.g2 * float(mx.one(mx.dphi2, mu, S + D0) @ w)
    E, _ = _energy(mx, mu[None], S[None], np.array([D0]), True)
    res = MixtureChaos(
        model=model,
        method="mixture DMFT, energy conservation (SCS 1988 eq. 6, P populations)",
        options={"n_tau": n_tau},
        converged=bool(tr_["ok"]),
        residual=abs(float(E[0])) / max(D0 * D0, 1e-300),
        weights=w,
        mu_p=mu.copy(),
        S_p=S.copy(),
        Delta0_dyn=D0,
        Delta_inf_dyn=Dinf,
        mu=m_tot,
        Delta0=float(w @ S) + D0 + spread,
        Delta_inf=float(w @ S) + Dinf + spread,
        Delta0_p=S + D0,
        Delta_inf_p=S + Dinf,
        chi=chi,
        kappa=tr_["kappa"],
        tau_corr=tr_["tau_corr"],
        _interp=tr_["interp"],
        _tail_start=tr_["tail_start"],
    )
    tau = np.linspace(0.0, tr_["tau_max"], n_tau)
    from dataclasses import replace

    return replace(res, tau=tau, Delta=np.asarray(res.autocorrelation(tau)))
