r"""Linear stability of the asynchronous state of an LIF network with delays.

A rate perturbation ``n_b e^{lambda t}`` modulates the input mean and variance; with the
single-neuron susceptibilities ``G_mu, G_sigma2`` the eigenvalues solve

.. math::

    \det\Big[I - \frac{e^{-\lambda D}}{1 + \lambda\tau_s}\big(G_\mu(\lambda)\,\tau_m K\circ J
        + G_{\sigma^2}(\lambda)\,\tau_m K\circ J^2\big)\Big] = 0

(Brunel 2000, Sec. 4; Brunel & Hakim 1999, Sec. 4).  This module holds the vectorised
characteristic function ``_Char`` (many states at once, with fixed or uniformly
distributed delays and the colored-noise correction of Fourcaud & Brunel 2002, eq. 4.33),
the Nyquist count of right-half-plane roots by the argument principle, the secant
location of the roots, and :func:`asynchronous_stability` / :class:`AsyncStability`.

References
----------
.. [1] N. Brunel, "Dynamics of sparsely connected networks of excitatory and
   inhibitory spiking neurons", J. Comput. Neurosci. 8, 183-208 (2000).
.. [2] N. Brunel and V. Hakim, "Fast global oscillations in networks of
   integrate-and-fire neurons with low firing rates", Neural Comput. 11, 1621 (1999).
.. [3] B. Lindner and L. Schimansky-Geier, "Transmission of noise coded versus
   additive signals through a neuronal ensemble", Phys. Rev. Lett. 86, 2934 (2001).
.. [4] M. J. E. Richardson, "Firing-rate response of linear and nonlinear
   integrate-and-fire neurons to modulated current-based and conductance-based
   synaptic drive", Phys. Rev. E 76, 021919 (2007).
.. [5] N. Fourcaud and N. Brunel, "Dynamics of the firing probability of noisy
   integrate-and-fire neurons", Neural Comput. 14, 2057 (2002).
.. [6] T. Schuecker, M. Diesmann and M. Helias, "Modulated escape from a metastable
   state driven by colored noise", Phys. Rev. E 92, 052119 (2015).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np

from rnmf._checks import check_array, check_choice, check_int, check_positive
from rnmf.models import Delay, LIFNetwork
from rnmf.results import Result, Status, finish

from ._linear import susceptibilities
from .inputs import _groups, _input_stats, _net_arrays, _neuron
from .network import stationary_rates
from .neuron import ALPHA_COLORED, _siegert_and_derivatives
from .transfer import _METHODS, _response_scalar


def _delay_factor(lam: Any, delay: float, delay_max: float | None) -> np.ndarray:
    """Laplace transform of the delay density (fixed, uniform on [delay, delay_max], or a
    :class:`~rnmf.models.Delay` shared by every block)."""
    if isinstance(delay, Delay):
        return delay.laplace(lam)
    lam = np.asarray(lam, dtype=complex)
    if delay_max is None or delay_max == delay:
        return np.exp(-lam * delay)
    width = delay_max - delay
    small = np.abs(lam) * width < 1e-8
    safe = np.where(small, 1.0, lam)
    full = (np.exp(-safe * delay) - np.exp(-safe * delay_max)) / (safe * width)
    return np.where(small, np.exp(-lam * 0.5 * (delay + delay_max)), full)


class _Char:
    r"""Vectorised ``det(I - e^{-lambda D}/(1 + lambda tau_s) M(lambda))`` for many states.

    ``mu, sigma, nu`` have shape (n_states, Q) (Q groups of identical populations) and
    ``A, B`` (n_states, Q, Q) are the couplings of a rate perturbation (Hz) to the input
    mean (mV) and variance (mV^2).  ``M = G_mu A + G_sigma2 B`` with the white-noise
    susceptibilities at shifted threshold and reset for ``tau_s > 0`` (Fourcaud & Brunel
    2002, eq. 4.33); the variance response then also moves the shifted boundaries,
    ``G_sigma2 -> G_sigma2 - G_mu shift/(2 sigma^2)``, exact at ``lambda = 0``.
    """

    def __init__(self, mu, sigma, nu_hz, A, B, neuron, delay, delay_max, method, dps=15):
        self.mu = np.asarray(mu, float)
        self.sigma = np.asarray(sigma, float)
        self.nu = np.asarray(nu_hz, float)
        self.A = np.asarray(A, float)
        self.B = np.asarray(B, float)
        self.nb = neuron
        self.delay, self.delay_max = delay, delay_max
        self.method, self.dps = method, dps
        self.Q = self.mu.shape[-1]
        self.shift = self.sigma * 0.5 * ALPHA_COLORED * math.sqrt(neuron["tau_s"] / neuron["tau_m"])
        _, dmu, dsig = _siegert_and_derivatives(self.mu, self.sigma, **neuron)
        self.g0_mu = dmu
        with np.errstate(divide="ignore", invalid="ignore"):
            self.g0_s = np.where(self.sigma > 0, dsig / (2.0 * self.sigma), 0.0)
        self.n_eval = 0

    def take(self, idx: np.ndarray) -> _Char:
        """The characteristic of the states ``idx`` only (shares the computed arrays)."""
        sub = object.__new__(_Char)
        sub.__dict__.update(self.__dict__)
        for name in ("mu", "sigma", "nu", "A", "B", "shift", "g0_mu", "g0_s"):
            setattr(sub, name, getattr(self, name)[idx])
        sub.n_eval = 0
        return sub

    def _susceptibilities(self, lam, idx):
        """(G_mu, G_sigma2) in Hz/mV, Hz/mV^2, shape lam.shape + (Q,)."""
        nb = self.nb
        mu, sg, nu, sh = (a[idx] for a in (self.mu, self.sigma, self.nu, self.shift))
        lq = lam[..., None]
        if self.method == "threshold":
            gm, gs = susceptibilities(
                lq,
                mu,
                sg,
                nu / 1000.0,
                nb["tau_m"],
                nb["V_th"] + sh,
                nb["V_reset"] + sh,
                nb["t_ref"],
            )
            gm, gs = 1000.0 * gm, 1000.0 * gs
        else:
            gm = np.empty(np.broadcast_shapes(lq.shape, mu.shape), complex)
            gs = np.empty_like(gm)
            lb, mb, sb, nbb, hb = np.broadcast_arrays(lq, mu, sg, nu, sh)
            with mpmath.workdps(self.dps):
                for k in np.ndindex(gm.shape):
                    if nbb[k] < 1e-12 or lb[k] == 0:
                        gm[k] = gs[k] = 0.0
                        continue
                    gm[k], gs[k] = _response_scalar(
                        complex(lb[k]),
                        float(mb[k]),
                        float(sb[k]),
                        float(nbb[k]),
                        nb["tau_m"],
                        nb["V_th"] + float(hb[k]),
                        nb["V_reset"] + float(hb[k]),
                        nb["t_ref"],
                    )
        with np.errstate(divide="ignore", invalid="ignore"):
            gs = gs - gm * np.where(sg > 0, sh / (2.0 * sg**2), 0.0)
        zero = lq == 0
        gm = np.where(zero, self.g0_mu[idx], gm)
        gs = np.where(zero, self.g0_s[idx], gs)
        silent = nu < 1e-12  # responses scale with nu_0: a silent state does not respond
        return np.where(silent, 0.0, gm), np.where(silent, 0.0, gs)

    def coupling(self, lam: Any, idx: Any) -> np.ndarray:
        """``M(lambda)`` with delay and synaptic filter, shape broadcast(lam, idx) + (Q, Q)."""
        lam, idx = np.broadcast_arrays(np.asarray(lam, complex), np.asarray(idx, int))
        self.n_eval += lam.size
        gm, gs = self._susceptibilities(lam, idx)
        filt = _delay_factor(lam, self.delay, self.delay_max) / (1.0 + lam * self.nb["tau_s"])
        return filt[..., None, None] * (
            gm[..., :, None] * self.A[idx] + gs[..., :, None] * self.B[idx]
        )

    def __call__(self, lam: Any, idx: Any) -> np.ndarray:
        M = self.coupling(lam, idx)
        if self.Q == 1:
            return 1.0 - M[..., 0, 0]
        return np.linalg.det(np.eye(self.Q) - M)


def _net_char(net: LIFNetwork, rates: np.ndarray, method: str, dps: int) -> _Char:
    """Characteristic function of one network's stationary state (one group per input class)."""
    groups = _groups(net)
    reps = [g[0] for g in groups]
    mu, sigma = _input_stats(net, rates)
    KJ, KJ2, *_ = _net_arrays(net)
    sc = net.tau_m / 1000.0
    A = np.stack([sc * KJ[reps][:, g].sum(axis=1) for g in groups], axis=1)
    B = np.stack([sc * KJ2[reps][:, g].sum(axis=1) for g in groups], axis=1)
    return _Char(
        mu[reps][None],
        sigma[reps][None],
        rates[reps][None],
        A[None],
        B[None],
        _neuron(net),
        net.delay,
        net.delay_max,
        method,
        dps,
    )


_JUMP = math.pi / 4  # largest phase step accepted between neighbouring Nyquist samples
_DELAY_TURN = math.pi / 8  # largest rotation of the delay factor e^{-i omega D} per grid step
_SPLIT = 4  # an interval that fails the phase test is cut into this many parts
_DEPTH = 8  # levels of subdivision (a 40 Hz step down to 40 / 4^8 Hz = 6e-4 Hz)
_MAX_SCAN = 1e5  # base grid points per state at most


@dataclass(frozen=True)
class _Scan:
    """Nyquist scan of several states (see :func:`_winding`)."""

    f: np.ndarray  # base grid (Hz)
    vals: np.ndarray  # (n, n_f) characteristic on the base grid
    n_unstable: np.ndarray  # (n,) right-half-plane roots by the argument principle
    tail_ok: np.ndarray  # (n,) |M| < 0.9 at f_max, 2 f_max, 4 f_max
    resolved: np.ndarray  # (n,) every phase step resolved (no aliasing, no zero on the axis)
    step: float  # base grid step actually used (Hz)
    sample_p: np.ndarray  # every sample (state, f, value), sorted by state then f
    sample_f: np.ndarray
    sample_v: np.ndarray


def _grid_step(char: _Char, df: float) -> float:
    """Base step (Hz): ``df``, at most the step over which ``e^{-i omega D_max}`` turns pi/8.

    The coupling carries the delay factor ``e^{-i omega D}``, whose phase turns by
    ``2 pi f D`` (Brunel 2000, Sec. 4): on a coarser grid the Nyquist curve can wind
    around the origin between two samples unseen (phase aliasing)."""
    if isinstance(char.delay, Delay):
        d_max = max(char.delay.support(1e-9)[1], 1e-3)
    else:
        d_max = char.delay if char.delay_max is None else max(char.delay, char.delay_max)
    return min(df, 1000.0 * _DELAY_TURN / (2.0 * math.pi * d_max))


def _winding(char: _Char, n: int, f_max: float, df: float, depth: int = _DEPTH) -> _Scan:
    """Nyquist scan of ``char`` along ``lambda = i 2 pi f``, ``0 <= f <= f_max``, for states 0..n-1.

    The base grid has step ``min(df, 1000/(16 D_max))`` Hz (:func:`_grid_step`).  Every
    interval is then checked at a finer resolution: it is cut into 4 parts and its phase
    increment is accepted only when each part turns by at most pi/4; otherwise each part
    is checked the same way, up to ``depth`` levels.  A single coarse step that hides a
    full turn around the origin (the curve winding between two samples) therefore shows
    up as large sub-steps and is resolved.  An interval still unresolved at the deepest
    level (a root on the imaginary axis, or non-finite values) marks its state
    ``resolved = False``.  The number of right-half-plane roots is ``-Delta arg / pi``
    (argument principle; conjugate pairs count twice); ``tail_ok`` says whether
    ``|M| < 0.9`` at ``f_max, 2 f_max, 4 f_max``, so the count over ``[0, f_max]`` is
    complete.
    """
    step = _grid_step(char, df)
    if f_max / step > _MAX_SCAN:
        raise ValueError(
            f"f_max / df = {f_max:g} / {step:g} Hz would scan {f_max / step:.3g} frequencies per "
            f"state; at most {_MAX_SCAN:g} (raise df or lower f_max)"
        )
    f = np.linspace(0.0, f_max, int(math.ceil(f_max / step - 1e-9)) + 1)
    pts = np.arange(n)
    vals = char(2j * math.pi * f[None, :] / 1000.0, pts[:, None])
    n_int = f.size - 1
    p = np.repeat(pts, n_int)
    k = np.tile(np.arange(n_int), n)
    fa, fb = f[k], f[k + 1]
    va, vb = vals[p, k], vals[p, k + 1]
    total = np.zeros(n)
    resolved = np.all(np.isfinite(vals), axis=1)
    samples = [(np.repeat(pts, f.size), np.tile(f, n), vals.ravel())]
    frac = np.arange(1, _SPLIT) / _SPLIT
    for level in range(depth + 1):
        if p.size == 0:
            break
        fm = fa[:, None] + (fb - fa)[:, None] * frac[None, :]  # (lanes, SPLIT - 1)
        vm = char(2j * math.pi * fm / 1000.0, p[:, None])
        samples.append((np.repeat(p, _SPLIT - 1), fm.ravel(), vm.ravel()))
        fs = np.concatenate([fa[:, None], fm, fb[:, None]], axis=1)
        vs = np.concatenate([va[:, None], vm, vb[:, None]], axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            d = np.angle(vs[:, 1:] / vs[:, :-1])
        finite = np.all(np.isfinite(vs), axis=1)
        good = finite & np.all(np.abs(d) <= _JUMP, axis=1)
        if level == depth:
            # deepest level: keep the increment, but a half turn or more within one
            # sub-step is ambiguous (a root on or next to the imaginary axis)
            clear = finite & np.all(np.abs(d) < 0.5 * math.pi, axis=1)
            resolved[p[~clear]] = False
            good = finite
        np.add.at(total, p[good], np.where(finite[good, None], d[good], 0.0).sum(axis=1))
        resolved[p[~finite]] = False
        split = ~good & finite
        if level == depth or not split.any():
            break
        p = np.repeat(p[split], _SPLIT)
        fa, fb = fs[split, :-1].ravel(), fs[split, 1:].ravel()
        va, vb = vs[split, :-1].ravel(), vs[split, 1:].ravel()
    n_unstable = np.rint(-total / math.pi).astype(int)
    tail = char(2j * math.pi * f_max * np.array([1.0, 2.0, 4.0])[None, :] / 1000.0, pts[:, None])
    tail_ok = np.max(np.abs(1.0 - tail), axis=1) < 0.9
    sp, sf, sv = (np.concatenate(x) for x in zip(*samples, strict=True))
    order = np.lexsort((sf, sp))
    return _Scan(
        f=f,
        vals=vals,
        n_unstable=n_unstable,
        tail_ok=tail_ok,
        resolved=resolved,
        step=float(f[1] - f[0]) if f.size > 1 else float(f_max),
        sample_p=sp[order],
        sample_f=sf[order],
        sample_v=sv[order],
    )


#: |det(1 - M(lambda))| below which a secant end point is accepted as a root (det -> 1
#: far from the roots; converged roots reach 1e-12 or less)
_ROOT_RESIDUAL = 1e-6


def _secant(char: _Char, pts: np.ndarray, lam0: np.ndarray, tol: float = 1e-11, max_iter: int = 60):
    """Vectorised secant iteration for ``char(lambda) = 0`` (lambda in 1/ms), one per lane."""
    x0 = np.asarray(lam0, complex).copy()
    x1 = x0 * (1 + 1e-4) + 1e-6j
    f0, f1 = char(x0, pts), char(x1, pts)
    done = np.zeros(x0.shape, bool)
    ok = np.zeros(x0.shape, bool)
    for _ in range(max_iter):
        act = ~done
        if not act.any():
            break
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            x2 = x1 - f1 * (x1 - x0) / (f1 - f0)
        bad = act & (~np.isfinite(x2) | (np.abs(x2) > 50.0))
        done |= bad
        act &= ~bad
        conv = act & (np.abs(x2 - x1) < tol * np.maximum(np.abs(x2), 1e-3))
        x0 = np.where(act, x1, x0)
        f0 = np.where(act, f1, f0)
        x1 = np.where(act, x2, x1)
        ia = np.nonzero(act & ~conv)[0]
        if ia.size:
            f1[ia] = char(x1[ia], pts[ia])
        ok |= conv
        done |= conv
    # roots come in conjugate pairs: report the one with Im >= 0
    return x1.real + 1j * np.abs(x1.imag), ok


def _roots(char: _Char, scan: _Scan):
    """All roots reached from the minima of ``|char(i omega)|`` and the real axis.

    The minima are taken over every sample of the scan (base grid and refinements).
    Returns (state index, root in 1/ms) of the distinct converged roots."""
    sp, sf = scan.sample_p, scan.sample_f
    mag = np.abs(scan.sample_v)
    same = (sp[1:-1] == sp[:-2]) & (sp[1:-1] == sp[2:])
    with np.errstate(invalid="ignore"):
        lm = same & (mag[1:-1] <= mag[:-2]) & (mag[1:-1] <= mag[2:])
    k = np.nonzero(lm)[0] + 1
    p = sp[k]
    starts = 2j * math.pi * sf[k] / 1000.0
    real = np.nonzero(scan.vals[:, 0].real < 0)[0]
    p = np.concatenate([p, real])
    starts = np.concatenate([starts, np.full(real.size, 0.05 + 0j)])
    if p.size == 0:
        return np.empty(0, int), np.empty(0, complex)
    r, ok = _secant(char, p, starts)
    p, r = p[ok], r[ok]
    if r.size:
        # a secant step can stall where |det| is not small (next to a jump of the phase
        # of the delay factor, far up the imaginary axis): only zeros of det are roots
        with np.errstate(all="ignore"):
            good = np.abs(char(r, p)) <= _ROOT_RESIDUAL
        p, r = p[good], r[good]
    order = np.lexsort((-r.real, p))
    p, r = p[order], r[order]
    keep = np.ones(p.size, bool)
    for i in range(1, p.size):
        j = i - 1
        while j >= 0 and p[j] == p[i]:
            if keep[j] and abs(r[i] - r[j]) <= 1e-7 * max(abs(r[i]), 1e-3):
                keep[i] = False
                break
            j -= 1
    return p[keep], r[keep]


@dataclass(frozen=True, kw_only=True, repr=False)
class AsyncStability(Result):
    """Linear stability of the asynchronous stationary state with delays.

    Attributes
    ----------
    rates : ndarray (P,)
        Stationary rates analysed (Hz).
    stable : bool
        No root of ``det(I - e^{-lambda D} M(lambda)) = 0`` with ``Re lambda > 0``.
    n_unstable : int
        Number of roots in the right half plane (Nyquist argument principle, counting
        complex-conjugate pairs twice).
    eigenvalue : complex
        Root with the largest real part among those located (in 1/s).
    frequency : float
        ``Im(eigenvalue) / 2 pi`` (Hz): the oscillation frequency of the mode.
    roots : tuple of complex
        All located roots (1/s), by decreasing real part.
    nyquist_frequencies, nyquist_values : ndarray
        The curve ``e^{-i omega D} M(i omega)`` used for the count (scalar networks) or
        ``1 - det(I - ...)`` (several groups).
    tail_ok : bool
        ``|coupling| < 1`` beyond ``f_max``, so the count over ``[0, f_max]`` is complete.
    validity : tuple of str
        Why the answer may be outside the theory's validity (empty when it is inside):
        with ``tau_s > 0`` the colored-noise treatment holds for ``omega tau_s <= 0.3``.
    grid_step : float
        Base step (Hz) of the Nyquist scan: ``df``, capped so that the delay factor turns
        by at most pi/8 per step; every step is then checked at 4x finer resolution.
    reason : str
        Why ``converged`` is False (empty when it is True).
    residual : float
        Largest ``|det|`` at the located roots (0 when the count is zero and no root
        was needed).
    """

    rates: np.ndarray
    stable: bool
    n_unstable: int
    eigenvalue: complex
    frequency: float
    roots: tuple = ()
    nyquist_frequencies: np.ndarray = field(default_factory=lambda: np.empty(0))
    nyquist_values: np.ndarray = field(default_factory=lambda: np.empty(0))
    tail_ok: bool = True
    validity: tuple = ()
    grid_step: float = math.nan
    reason: str = ""

    def _repr_rows(self):
        rows = [
            ("method", self.method),
            ("rates", _fmt_arr(self.rates) + " Hz"),
            ("stable", str(self.stable)),
            ("n_unstable", str(self.n_unstable)),
            ("eigenvalue", f"{self.eigenvalue.real:.4g} {self.eigenvalue.imag:+.4g}j  1/s"),
            ("frequency", f"{self.frequency:.4g} Hz"),
            ("tail_ok", str(self.tail_ok)),
        ]
        if self.reason:
            rows.append(("not converged", self.reason))
        return rows + [("  !", v) for v in self.validity]


def _fmt_arr(x) -> str:
    return "[" + ", ".join(f"{v:.6g}" for v in np.ravel(x)) + "]"


_COLORED_WT = 0.3  # omega tau_s up to which the colored-noise stability holds (measured)


def asynchronous_stability(
    net: LIFNetwork,
    *,
    rates: Any = None,
    f_max: float = 1000.0,
    df: float = 10.0,
    method: str = "threshold",
    dps: int = 15,
    raise_on_failure: bool = True,
) -> AsyncStability:
    r"""Linear stability of the asynchronous state of an LIF network with delays.

    A perturbation ``nu_b(t) = nu_b + n_b e^{lambda t}`` modulates the input mean and
    variance of population ``a`` by ``tau_m sum_b K_ab J_ab n_b e^{-lambda D}`` and
    ``tau_m sum_b K_ab J_ab^2 n_b e^{-lambda D}``; with the single-neuron responses
    ``G_mu, G_sigma2`` (:func:`transfer_function`) the eigenvalues solve

    .. math::

        \det\Big[I - \frac{e^{-\lambda D}}{1 + \lambda\tau_s}\big(G_\mu(\lambda)\,\tau_m K\circ J
            + G_{\sigma^2}(\lambda)\,\tau_m K\circ J^2\big)\Big] = 0,

    which for model A with ``tau_s = 0`` is Brunel's ``1 = e^{-lambda D}[G_mu C_E J tau
    (1 - g gamma) + G_sigma2 C_E J^2 tau (1 + g^2 gamma)]`` (Brunel 2000, Sec. 4;
    Brunel & Hakim 1999, Sec. 4).  Roots in the right half plane are counted with
    the argument principle along ``lambda = i omega``, ``0 <= f <= f_max`` (adaptively
    subdivided); the roots are then located by secant iteration from the minima of
    ``|det|`` and from the real axis.  Distributed delays (``delay_max``) enter through
    the Laplace transform of the uniform delay density.

    Exponential synapses (``tau_s > 0``) are treated to first order in ``sqrt(tau_s/tau_m)``:
    threshold and reset shifted by ``sigma alpha/2 sqrt(tau_s/tau_m)`` (Fourcaud & Brunel 2002,
    eq. 4.33, written as a shift of threshold and reset) and the input modulation
    low-pass filtered by ``1/(1 + lambda tau_s)`` (Schuecker, Diesmann & Helias 2015, Phys
    Rev E 92:052119).  This holds for slow modes: against rnmf's simulator (N_E = 5000,
    g = 4.5, eta = 0.95) the predicted frequency falls from 38.7 to 28.2 and 20.5 Hz for
    ``tau_s`` = 0, 1 and 3 ms, the simulated spectral peaks from about 32 to 27 and 22 Hz.
    For fast modes (``omega tau_s > 0.3``) it overestimates the phase lag (the colored-noise
    neuron responds faster than the white-noise one, Brunel et al. 2001 PRL 86:2186):
    ``validity`` then says so.

    Parameters
    ----------
    net : LIFNetwork
    rates : array_like (P,), optional
        Stationary rates (Hz); default the primary solution of :func:`stationary_rates`.
    f_max, df : float
        Frequency range and base resolution (Hz) of the Nyquist scan.  The step used is
        at most ``1000 / (16 D_max)`` Hz (the delay factor turns by pi/8 per step), and
        every step is checked at 4x finer resolution and subdivided until each sub-step
        turns the phase by at most pi/4, so a coarse ``df`` cannot hide a winding.
    method : {"threshold", "pcfd"}
        Susceptibilities by vectorised threshold integration of the Fokker-Planck
        equation (Richardson 2007, relative accuracy ~1e-5, ~1 s per state, vectorised over many states) or by
        parabolic cylinder functions in mpmath (the closed form, 1-3 s per state).
    dps : int
        mpmath precision for ``method="pcfd"``.

    References
    ----------
    Brunel (2000) J Comput Neurosci 8:183, Sec. 4 and Fig. 2;
    Brunel & Hakim (1999) Neural Comput 11:1621, Sec. 4; Lindner & Schimansky-Geier (2001) PRL 86:2934, eqs. 5-6;
    Richardson (2007) Phys Rev E 76:021919; Fourcaud & Brunel (2002) Neural Comput 14:2057,
    eq. 4.33.
    """
    if not isinstance(net, LIFNetwork):
        raise ValueError(f"net must be an LIFNetwork, got {type(net).__name__}")
    f_max = check_positive("f_max (Hz)", f_max)
    df = check_positive("df (Hz)", df)
    dps = check_int("dps", dps, minimum=15)
    check_choice("method", method, _METHODS)
    if not net.homogeneous or isinstance(net.delay, tuple):
        raise ValueError(
            "asynchronous_stability handles one neuron model and one delay distribution "
            "for all blocks; for per-population neurons or per-block delays use "
            "rnmf.theory.lif.linear_response (eigenvalues of M(omega), Bos et al. 2016)"
        )
    if rates is None:
        rates = stationary_rates(net).rates
    rates = check_array("rates (Hz)", rates, finite=False).reshape(np.shape(rates))
    if rates.shape != (net.P,) or np.any(~np.isfinite(rates)) or np.any(rates <= 0):
        raise ValueError(f"rates must be {net.P} finite positive values (Hz), got {rates!r}")
    ch = _net_char(net, rates, method, dps)
    if np.any(ch.sigma <= 0):
        raise ValueError("the input has sigma = 0: no diffusion-approximation response exists")
    options = dict(f_max=f_max, df=df, method=method, dps=dps)
    scan = _winding(ch, 1, f_max, df)
    _, rts = _roots(ch, scan)
    roots = sorted((complex(r) for r in rts), key=lambda z: -z.real)
    n_unstable, tail_ok = int(scan.n_unstable[0]), bool(scan.tail_ok[0])
    n_found_unstable = sum(2 if r.imag > 1e-9 else 1 for r in roots if r.real > 0)
    reasons = []
    if not scan.resolved[0]:
        reasons.append(
            "the Nyquist phase could not be resolved (a root on or next to the imaginary "
            "axis, or non-finite values): the count of unstable roots is uncertain"
        )
    if not tail_ok:
        reasons.append(
            f"|M(i omega)| >= 0.9 beyond f_max = {f_max:g} Hz: roots above f_max may be "
            "missed; raise f_max"
        )
    if n_found_unstable != n_unstable:
        reasons.append(
            f"the argument principle counts {n_unstable} unstable roots but "
            f"{n_found_unstable} were located"
        )
    ok = not reasons
    lead = roots[0] if roots else complex(math.nan, math.nan)
    residuals = (
        np.abs(ch(np.array(roots, complex), np.zeros(len(roots), int))) if roots else np.zeros(0)
    )
    # largest |det| over the located roots; with no root to locate (count 0, none found)
    # there is nothing left unsolved: 0.  A count with no located root is not converged.
    residual = float(residuals.max()) if roots else (0.0 if n_unstable == 0 else math.inf)
    validity = []
    wt = abs(lead.imag) * net.tau_s
    if net.tau_s > 0 and not wt <= _COLORED_WT:
        validity.append(
            f"omega tau_s = {wt:.2f} > {_COLORED_WT}: the colored-noise correction (shifted "
            "threshold + synaptic low-pass) overestimates the phase lag of fast modes; at "
            "g=6 eta=4, tau_s=0.5 ms it gives 156 Hz where simulations oscillate at 181 Hz"
        )
    result = AsyncStability(
        model=net,
        method=f"Nyquist count + secant roots ({'threshold integration' if method == 'threshold' else 'parabolic cylinder functions'})"
        + (", colored noise to O(sqrt(tau_s/tau_m))" if net.tau_s > 0 else ""),
        options=options,
        converged=ok,
        status=Status.CONVERGED if ok else Status.TOLERANCE,
        n_iter=ch.n_eval,
        residual=residual,
        rates=rates,
        stable=n_unstable == 0,
        n_unstable=n_unstable,
        eigenvalue=lead * 1000.0,
        frequency=float(lead.imag * 1000.0 / (2 * math.pi)),
        roots=tuple(r * 1000.0 for r in roots),
        nyquist_frequencies=scan.sample_f,
        nyquist_values=1.0 - scan.sample_v,
        tail_ok=tail_ok,
        validity=tuple(validity),
        grid_step=scan.step,
        reason="; ".join(reasons),
    )
    return finish(result, raise_on_failure)
