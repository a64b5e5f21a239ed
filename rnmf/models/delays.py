r"""Distributions of synaptic transmission delays: :class:`Delay`.

A delay distribution is shared by the simulator (which draws one delay per synapse and
rounds it to the time grid, :meth:`Delay.pmf`) and the theory (which needs the Laplace
transform / characteristic function of the density, :meth:`Delay.laplace`, to build the
effective connectivity ``K J e^{-lambda D}`` of the linearised network; Brunel & Hakim
1999; Bos et al. 2016, eq. 12; Senk et al. 2020).

Kinds (all times in ms):

``"fixed"``
    Every synapse has delay ``mean``.
``"uniform"``
    Uniform on ``[low, high]``.
``"gaussian"``
    Normal with mean ``mean`` and standard deviation ``sd`` (untruncated; it puts mass
    below any time step, so a simulation refuses it: use ``"truncated_gaussian"``).
``"truncated_gaussian"``
    A normal of parameters ``mean``, ``sd`` conditioned on ``[low, high]`` (``low``
    defaults to 0, ``high`` to infinity): what NEST's ``redraw(normal(mean, sd),
    min=low, max=high)`` draws (Potjans & Diesmann 2014 truncate at the time step).
    ``mean`` and ``sd`` are the parameters of the parent normal, not the moments of the
    truncated law (:meth:`Delay.moments` gives those).
``"lognormal"``
    Log-normal whose own mean and standard deviation are ``mean`` and ``sd``
    (``log D ~ N(m, s^2)`` with ``s^2 = log(1 + sd^2/mean^2)``, ``m = log mean - s^2/2``).

References
----------
.. [1] N. Brunel and V. Hakim, Neural Comput. 11, 1621 (1999) (delay factor).
.. [2] H. Bos, M. Diesmann and M. Helias, PLoS Comput. Biol. 12, e1005132 (2016), eq. 12.
.. [3] J. Senk et al., Phys. Rev. Research 2, 023174 (2020) (delay distributions).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import special, stats

from rnmf._checks import check_choice, check_finite, check_positive

__all__ = ["DELAY_KINDS", "Delay"]

DELAY_KINDS = ("fixed", "uniform", "gaussian", "truncated_gaussian", "lognormal")

#: largest number of grid steps a delay pmf may span (memory guard)
_MAX_STEPS = 10**6


@dataclass(frozen=True)
class Delay:
    """A distribution of synaptic delays (ms).

    Parameters
    ----------
    kind : {"fixed", "uniform", "gaussian", "truncated_gaussian", "lognormal"}
    mean : float
        Delay (``fixed``), mean (``gaussian``, ``lognormal``) or parent-normal mean
        (``truncated_gaussian``); for ``uniform`` it is set to ``(low + high) / 2``.
    sd : float
        Standard deviation (0 for ``fixed`` and ``uniform``, where it is ignored).
    low, high : float
        Support bounds of ``uniform`` (required) and ``truncated_gaussian`` (default
        ``[0, inf)``); ``None`` otherwise.

    Examples
    --------
    ``Delay.fixed(1.5)``, ``Delay.uniform(1.0, 2.0)``,
    ``Delay.truncated_gaussian(1.5, 0.75, low=0.1)``, ``Delay.lognormal(1.5, 0.5)``.
    """

    kind: Literal["fixed", "uniform", "gaussian", "truncated_gaussian", "lognormal"]
    mean: float = 0.0
    sd: float = 0.0
    low: float | None = None
    high: float | None = None

    def __post_init__(self) -> None:
        s = object.__setattr__
        check_choice("Delay.kind", self.kind, DELAY_KINDS)
        k = self.kind
        if k == "uniform":
            if self.low is None or self.high is None:
                raise ValueError("Delay.low and Delay.high (ms) are required for kind='uniform'")
            lo = check_finite("Delay.low (ms)", self.low)
            hi = check_finite("Delay.high (ms)", self.high)
            if lo < 0:
                raise ValueError(f"Delay.low (ms) must be >= 0, got {lo!r}")
            if hi < lo:
                raise ValueError(f"Delay.high ({hi:g} ms) must be >= Delay.low ({lo:g} ms)")
            s(self, "low", lo)
            s(self, "high", hi)
            s(self, "mean", 0.5 * (lo + hi))
            s(self, "sd", 0.0)
            return
        mean = check_finite("Delay.mean (ms)", self.mean)
        if k == "gaussian":
            s(self, "sd", check_positive("Delay.sd (ms)", self.sd))
        elif k == "fixed":
            if mean < 0:
                raise ValueError(f"Delay.mean (ms) must be >= 0 (a delay), got {mean!r}")
            s(self, "sd", 0.0)
        elif k == "lognormal":
            if mean <= 0:
                raise ValueError(f"Delay.mean (ms) must be > 0 for kind='lognormal', got {mean!r}")
            s(self, "sd", check_positive("Delay.sd (ms)", self.sd))
        s(self, "mean", mean)
        if k == "truncated_gaussian":
            s(self, "sd", check_positive("Delay.sd (ms)", self.sd))
            lo = 0.0 if self.low is None else check_finite("Delay.low (ms)", self.low)
            if self.high is None or (
                isinstance(self.high, int | float | np.floating) and self.high == math.inf
            ):
                hi = math.inf
            else:
                hi = check_finite("Delay.high (ms)", self.high)
            if lo < 0:
                raise ValueError(f"Delay.low (ms) must be >= 0 (no negative delays), got {lo!r}")
            if not hi > lo:
                raise ValueError(f"Delay.high ({hi:g} ms) must be > Delay.low ({lo:g} ms)")
            if self._norm() < 1e-300:
                raise ValueError(
                    f"Delay: the normal N({mean:g}, {self.sd:g}^2) has no mass on "
                    f"[Delay.low, Delay.high] = [{lo:g}, {hi:g}] ms; move the bounds or the mean"
                )
            s(self, "low", lo)
            s(self, "high", hi)
        elif self.low is not None or self.high is not None:
            raise ValueError(
                f"Delay.low/high apply to kinds 'uniform' and 'truncated_gaussian', not {k!r}"
            )

    # ---------------------------------------------------------------- constructors
    @classmethod
    def fixed(cls, d: float) -> Delay:
        """Every synapse has delay ``d`` ms."""
        return cls("fixed", mean=d)

    @classmethod
    def uniform(cls, low: float, high: float) -> Delay:
        """Uniform on ``[low, high]`` ms."""
        return cls("uniform", low=low, high=high)

    @classmethod
    def gaussian(cls, mean: float, sd: float) -> Delay:
        """Untruncated normal (theory only: it has mass at negative delays)."""
        return cls("gaussian", mean=mean, sd=sd)

    @classmethod
    def truncated_gaussian(
        cls, mean: float, sd: float, *, low: float = 0.0, high: float = math.inf
    ) -> Delay:
        """Normal of parameters ``mean, sd`` conditioned on ``[low, high]`` ms."""
        return cls("truncated_gaussian", mean=mean, sd=sd, low=low, high=high)

    @classmethod
    def lognormal(cls, mean: float, sd: float) -> Delay:
        """Log-normal with mean ``mean`` and standard deviation ``sd`` (ms)."""
        return cls("lognormal", mean=mean, sd=sd)

    # ---------------------------------------------------------------- distribution
    def _lognormal_params(self) -> tuple[float, float]:
        s2 = math.log1p((self.sd / self.mean) ** 2)
        return math.log(self.mean) - 0.5 * s2, math.sqrt(s2)

    def _norm(self) -> float:
        a = (self.low if self.low is not None else 0.0) - self.mean
        b = (math.inf if self.high is None else self.high) - self.mean
        return float(stats.norm.cdf(b / self.sd) - stats.norm.cdf(a / self.sd))

    def cdf(self, d: Any) -> np.ndarray:
        """``P(D <= d)``."""
        d = np.asarray(d, dtype=float)
        k = self.kind
        if k == "fixed":
            return (d >= self.mean).astype(float)
        if k == "uniform":
            if self.high == self.low:
                return (d >= self.low).astype(float)
            return np.clip((d - self.low) / (self.high - self.low), 0.0, 1.0)
        if k == "gaussian":
            return stats.norm.cdf((d - self.mean) / self.sd)
        if k == "truncated_gaussian":
            a, b = (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd
            return stats.truncnorm.cdf(d, a, b, loc=self.mean, scale=self.sd)
        m, s = self._lognormal_params()
        return stats.lognorm.cdf(d, s, scale=math.exp(m))

    def moments(self) -> tuple[float, float]:
        """Mean and standard deviation (ms) of the distribution itself."""
        k = self.kind
        if k == "fixed":
            return self.mean, 0.0
        if k == "uniform":
            return self.mean, (self.high - self.low) / math.sqrt(12.0)
        if k in ("gaussian", "lognormal"):
            return self.mean, self.sd
        a, b = (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd
        m, v = stats.truncnorm.stats(a, b, loc=self.mean, scale=self.sd, moments="mv")
        return float(m), float(math.sqrt(v))

    def support(self, tol: float = 1e-12) -> tuple[float, float]:
        """Interval (ms) holding all but ``tol`` of the mass (exact ends where bounded)."""
        k = self.kind
        if k == "fixed":
            return self.mean, self.mean
        if k == "uniform":
            return self.low, self.high
        if k == "gaussian":
            z = stats.norm.isf(tol / 2)
            return self.mean - z * self.sd, self.mean + z * self.sd
        if k == "truncated_gaussian":
            a, b = (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd
            lo, hi = stats.truncnorm.ppf([tol / 2, 1 - tol / 2], a, b, loc=self.mean, scale=self.sd)
            return max(float(lo), self.low), min(float(hi), self.high)
        m, s = self._lognormal_params()
        z = stats.norm.isf(tol / 2)
        return math.exp(m - z * s), math.exp(m + z * s)

    def pmf(self, dt: float, *, tol: float = 1e-12) -> np.ndarray:
        """Probabilities of a delay of ``k`` time steps, ``k = 0, 1, ..., k_max``.

        A drawn delay ``D`` is rounded to the nearest step, ``k = round(D / dt)`` (NEST's
        convention), so ``p[k] = P((k - 1/2) dt <= D < (k + 1/2) dt)``; ``p[0] = 0`` always.
        The upper tail beyond the last step holding mass above ``tol`` is cut and the
        rest renormalised (removed mass < ``tol``).

        Raises
        ------
        ValueError
            When the distribution puts more than ``tol`` of its mass below one time step
            ``dt`` (a delay shorter than the step cannot be simulated), naming the mass,
            ``dt`` and the distribution; or when it spans more than 10^6 steps.
        """
        dt = check_positive("dt (ms)", dt)
        tol = check_positive("tol", tol)
        if tol >= 1.0:
            raise ValueError(f"tol must be < 1 (a probability mass), got {tol!r}")
        below = float(self.cdf(dt * (1 - 1e-9))) if self.kind != "fixed" else 0.0
        if self.kind == "fixed" and self.mean < dt * (1 - 1e-9):
            below = 1.0
        if below > tol:
            raise ValueError(
                f"delay distribution {self!r} puts {below:.3g} of its mass below one time "
                f"step dt = {dt:g} ms (more than tol = {tol:g}); use a smaller dt or truncate it at low >= dt "
                "(Delay.truncated_gaussian(mean, sd, low=dt))"
            )
        lo, hi = self.support(tol)
        k_max = int(math.floor(hi / dt + 0.5))
        if k_max > _MAX_STEPS:
            raise ValueError(
                f"delay distribution {self!r} spans {k_max} time steps of dt = {dt:g} ms "
                f"(more than {_MAX_STEPS}); use a larger dt or a shorter delay"
            )
        if self.kind == "fixed":
            p = np.zeros(k_max + 1)
            p[k_max] = 1.0
            return p
        edges = (np.arange(1, k_max + 1) + 0.5) * dt
        cdf = self.cdf(edges)
        p = np.concatenate([[0.0], np.diff(np.concatenate([[0.0], cdf]))])
        p = np.maximum(p, 0.0)
        return p / p.sum()

    def laplace(self, lam: Any) -> np.ndarray:
        r"""Laplace transform ``E[exp(-lam D)]`` of the delay density, for complex ``lam`` (1/ms).

        ``laplace(1j * omega)`` is the characteristic function :meth:`characteristic`.
        Closed forms: fixed ``e^{-lam d}``; uniform ``(e^{-lam a} - e^{-lam b})/(lam (b -
        a))``; Gaussian ``e^{-lam mu + lam^2 sd^2 / 2}``; truncated Gaussian the same
        times ``[Phi(beta + lam sd) - Phi(alpha + lam sd)] / [Phi(beta) - Phi(alpha)]``
        (``alpha, beta`` the standardised bounds), evaluated with the Faddeeva function
        to avoid overflow; lognormal by Gauss-Legendre quadrature over ``log D``
        (panels scale with ``|lam|`` times the range).
        """
        lam = np.asarray(lam, dtype=complex)
        k = self.kind
        if k == "fixed":
            return np.exp(-lam * self.mean)
        if k == "uniform":
            a, b = self.low, self.high
            w = b - a
            small = np.abs(lam) * w < 1e-6
            safe = np.where(small, 1.0, lam)
            full = (np.exp(-safe * a) - np.exp(-safe * b)) / (safe * max(w, 1e-300))
            return np.where(small, np.exp(-lam * 0.5 * (a + b)) * (1 + (lam * w) ** 2 / 24), full)
        if k == "gaussian":
            return np.exp(-lam * self.mean + 0.5 * (lam * self.sd) ** 2)
        if k == "truncated_gaussian":
            return self._laplace_truncated(lam)
        return self._laplace_lognormal(lam)

    def characteristic(self, omega: Any, dt: float | None = None) -> np.ndarray:
        """Characteristic function ``E[exp(-i omega D)]`` (``omega`` in rad/ms).

        With ``dt`` (ms): that of the delays a simulation on that grid draws, rounded to
        whole steps (:meth:`pmf`), ``sum_k p_k e^{-i omega k dt}``."""
        omega = np.asarray(omega, dtype=float)
        if dt is None:
            return self.laplace(1j * omega)
        p = self.pmf(dt)
        k = np.nonzero(p)[0]
        return np.exp(-1j * omega[..., None] * (k * dt)) @ p[k]

    def _laplace_truncated(self, lam: np.ndarray) -> np.ndarray:
        # E[e^{-lam D}] = Z^{-1} int_a^b N(x; mu, sd) e^{-lam x} dx.  With x = mu + sd t and
        # c = lam sd: e^{-lam mu} int_alpha^beta phi(t) e^{-c t} dt
        #   = e^{-lam mu + c^2/2} [Phi(beta + c) - Phi(alpha + c)].
        # Phi(y) = erfc(-y / sqrt2) / 2 = exp(-y^2/2) w(i y / sqrt2)... combined per end so
        # that the Gaussian factors cancel: e^{-lam mu + c^2/2} Phi(y + c) for y -> end term.
        mu, sd = self.mean, self.sd
        alpha, beta = (self.low - mu) / sd, (self.high - mu) / sd
        c = lam * sd
        Z = self._norm()

        def upper_tail(y):  # e^{-lam mu + c^2/2} * (1 - Phi(y + c)) = ... stable form
            if np.isinf(y):
                return np.zeros_like(c)
            u = (y + c) / math.sqrt(2.0)
            # 1 - Phi = erfc(u)/2; for Re u >= 0: erfc(u) = e^{-u^2} w(i u)
            # e^{-lam mu + c^2/2 - u^2} = e^{-lam mu - y c - y^2/2} (Gaussian factors cancel)
            pre = np.exp(-lam * mu - y * c - 0.5 * y * y)
            pos = u.real >= 0
            val_pos = 0.5 * pre * special.wofz(1j * np.where(pos, u, 0))
            # Re u < 0: erfc(u) = 2 - erfc(-u) = 2 - e^{-u^2} w(-i u)
            full = np.exp(-lam * mu + 0.5 * c * c)
            val_neg = full - 0.5 * pre * special.wofz(-1j * np.where(pos, 0, u))
            return np.where(pos, val_pos, val_neg)

        lower = upper_tail(alpha)
        upper = upper_tail(beta)
        return (lower - upper) / Z

    def _laplace_lognormal(self, lam: np.ndarray) -> np.ndarray:
        m, s = self._lognormal_params()
        z = stats.norm.isf(1e-16)
        x_lo, x_hi = -z, z
        span = math.exp(m + z * s)
        n_panels = int(min(4000, max(16, math.ceil(float(np.max(np.abs(lam), initial=0)) * span))))
        nodes, weights = np.polynomial.legendre.leggauss(16)
        edges = np.linspace(x_lo, x_hi, n_panels + 1)
        half = 0.5 * np.diff(edges)
        mid = 0.5 * (edges[1:] + edges[:-1])
        x = (mid[:, None] + half[:, None] * nodes[None, :]).ravel()
        w = (
            (half[:, None] * weights[None, :]).ravel()
            * np.exp(-0.5 * x * x)
            / math.sqrt(2 * math.pi)
        )
        d = np.exp(m + s * x)
        flat = lam.ravel()
        out = np.empty(flat.shape, dtype=complex)
        for start in range(0, flat.size, 256):
            chunk = flat[start : start + 256]
            out[start : start + 256] = np.exp(-chunk[:, None] * d[None, :]) @ w
        return out.reshape(lam.shape)

    def describe(self) -> str:
        """Short text, e.g. ``tgauss(1.5, 0.75; [0.1, inf))``."""
        k = self.kind
        if k == "fixed":
            return f"{self.mean:g}"
        if k == "uniform":
            return f"U[{self.low:g}, {self.high:g}]"
        if k == "gaussian":
            return f"N({self.mean:g}, {self.sd:g})"
        if k == "lognormal":
            return f"logN(mean {self.mean:g}, sd {self.sd:g})"
        return f"tN({self.mean:g}, {self.sd:g}; [{self.low:g}, {self.high:g}])"
