"""Quantised Gaussian couplings: exact bin sums, small-step expansions, g_eff (see the package docstring)."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from rnmf._checks import check_choice, check_finite, check_int, check_positive
from rnmf.models import RateNetwork
from rnmf.results import Result

from ._common import ROUNDINGS

# --------------------------------------------------------------------------------------
# quantised couplings
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, repr=False)
class CouplingMoments(Result):
    """Mean and variance of quantised Gaussian couplings.

    Attributes
    ----------
    mean, var : float
        :math:`E\\,Q(J)` and :math:`\\mathrm{Var}\\,Q(J)` for :math:`J \\sim N(\\mu, \\sigma^2)`.
    mean_shift, var_change : float
        ``mean - mu`` and ``var - sigma^2``.
    p_zero : float
        Probability that a coupling becomes 0 (sparsification).
    p_clip : float
        Probability that a coupling is clipped to the largest level.
    small_step_var : float
        The small-step expansion of ``var`` (NaN where none is given).
    """

    mean: float = math.nan
    var: float = math.nan
    mean_shift: float = math.nan
    var_change: float = math.nan
    p_zero: float = math.nan
    p_clip: float = 0.0
    small_step_var: float = math.nan


def _partial_moments(a: np.ndarray, b: np.ndarray, mu: float, sigma: float):
    """int_a^b {1, x, x^2} N(x; mu, sigma^2) dx (exact Gaussian partial moments)."""
    za, zb = (a - mu) / sigma, (b - mu) / sigma
    P = special.ndtr(zb) - special.ndtr(za)
    pa, pb = stats.norm.pdf(za), stats.norm.pdf(zb)
    za_pa = np.where(np.isfinite(za), za * pa, 0.0)
    zb_pb = np.where(np.isfinite(zb), zb * pb, 0.0)
    Ez = pa - pb  # int z phi(z)
    Ez2 = P + za_pa - zb_pb  # int z^2 phi(z)
    M0 = P
    M1 = mu * P + sigma * Ez
    M2 = mu * mu * P + 2 * mu * sigma * Ez + sigma * sigma * Ez2
    return M0, M1, M2


def quantized_coupling_moments(
    sigma: float,
    step: float,
    rounding: str = "nearest",
    *,
    mean: float = 0.0,
    max_level: int | None = None,
) -> CouplingMoments:
    r"""Exact mean and variance of :math:`Q(J)`, :math:`J \sim N(\mu, \sigma^2)`, on the grid ``step * k``.

    Sums over the Gaussian bins of the integer rounding (``nearest``: bins
    :math:`[(k - \frac12)q, (k + \frac12)q)`; ``floor``: :math:`[kq, (k+1)q)`;
    ``zero``: floor for J >= 0 and ceil below; ``stochastic``:
    :math:`E[Q|J] = J`, :math:`E[Q^2|J] = (kq)^2(1-f) + ((k+1)q)^2 f` with
    :math:`f = J/q - k` on bin k), with the codes clipped to
    :math:`[-M, M]` when ``max_level`` = M is given (symmetric k-bit: M = 2^{k-1} - 1).

    Parameters
    ----------
    sigma : float
        Standard deviation of the couplings (> 0).
    step : float
        Grid step q (> 0).
    rounding : {"nearest", "zero", "floor", "stochastic"}
    mean : float
        Mean mu of the couplings.
    max_level : int, optional
        Largest code M (saturation); None: no clipping.

    Returns
    -------
    CouplingMoments
    """
    sigma = check_positive("sigma", sigma)
    q = check_positive("step", step)
    mu = check_finite("mean", mean)
    check_choice("rounding", rounding, ROUNDINGS)
    M = math.inf if max_level is None else check_int("max_level", max_level, minimum=1)
    lo = math.floor((mu - 12 * sigma) / q) - 1
    hi = math.ceil((mu + 12 * sigma) / q) + 1
    if hi - lo > 2_000_000:
        raise ValueError(
            f"step = {q:g} is below 1e-5 sigma: use the small-step expansion (small_step_var) "
            "instead of the bin sum"
        )
    k = np.arange(lo, hi + 1, dtype=np.float64)
    clip = lambda c: np.clip(c, -M, M)  # noqa: E731
    if rounding == "stochastic":
        a, b = k * q, (k + 1) * q
        M0, M1, _ = _partial_moments(a, b, mu, sigma)
        v_lo, v_hi = clip(k) * q, clip(k + 1) * q
        Ef = (M1 - a * M0) / q  # int f dP over the bin
        E1 = np.sum(v_lo * (M0 - Ef) + v_hi * Ef)
        E2 = np.sum(v_lo**2 * (M0 - Ef) + v_hi**2 * Ef)
        p_zero = float(np.sum(np.where(k == 0, M0 - Ef, 0.0) + np.where(k == -1, Ef, 0.0)))
        small = sigma**2 + q * q / 6.0
    else:
        if rounding == "nearest":
            edges_a, edges_b, code = (k - 0.5) * q, (k + 0.5) * q, k
        elif rounding == "floor":
            edges_a, edges_b, code = k * q, (k + 1) * q, k
        else:  # zero: [k q, (k+1) q) -> k for k >= 0;  ((k-1) q, k q] -> k for k <= 0
            pos = k >= 0
            edges_a = np.where(pos, k * q, (k - 1) * q)
            edges_b = np.where(pos, (k + 1) * q, k * q)
            edges_a = np.where(k == 0, -q, edges_a)
            code = k
        P, _, _ = _partial_moments(edges_a, edges_b, mu, sigma)
        c = clip(code) * q
        E1 = np.sum(c * P)
        E2 = np.sum(c * c * P)
        p_zero = float(np.sum(np.where(code == 0, P, 0.0)))
        if rounding == "nearest":
            small = sigma**2 + q * q / 12.0
        elif rounding == "floor":
            small = sigma**2 + q * q / 12.0
        else:
            absJ = sigma * math.sqrt(2 / math.pi) * math.exp(-(mu**2) / (2 * sigma**2)) + mu * (
                1 - 2 * special.ndtr(-mu / sigma)
            )
            m_t = mu - q / 2 * (1 - 2 * special.ndtr(-mu / sigma))
            small = sigma**2 + mu**2 - q * absJ + q * q / 3.0 - m_t**2
    p_clip = 0.0
    if math.isfinite(M):
        p_clip = float(
            special.ndtr((-(M + 0.5) * q - mu) / sigma) + special.ndtr((mu - (M + 0.5) * q) / sigma)
        )
    var = float(E2 - E1 * E1)
    return CouplingMoments(
        model=None,
        method=f"Gaussian bin sums ({rounding})",
        options={"sigma": sigma, "step": q, "mean": mu, "max_level": max_level},
        mean=float(E1),
        var=var,
        mean_shift=float(E1 - mu),
        var_change=var - sigma**2,
        p_zero=p_zero,
        p_clip=p_clip,
        small_step_var=float(small),
    )


def step_for_bits(sigma: float, bits: int, *, clip: float = 3.0) -> tuple[float, int]:
    """Grid step and largest code of a symmetric k-bit quantiser clipping at ``clip * sigma``.

    Returns ``(q, M)`` with ``M = 2^(k-1) - 1`` and ``q = clip * sigma / M``.
    """
    sigma = check_positive("sigma", sigma)
    bits = check_int("bits", bits, minimum=2, maximum=32)
    clip = check_positive("clip", clip)
    M = 2 ** (bits - 1) - 1
    return clip * sigma / M, M


def effective_network(
    net: RateNetwork,
    *,
    step: float | None = None,
    bits: int | None = None,
    clip: float = 3.0,
    rounding: str = "nearest",
    gain_mismatch: float = 0.0,
) -> tuple[RateNetwork, CouplingMoments]:
    r"""The unquantised network with the quantised couplings' mean and variance.

    :math:`J_{ij} = J_0/N + g z_{ij}/\sqrt N` quantised on the grid ``step`` (or a
    symmetric ``bits``-bit grid clipping at ``clip`` standard deviations) behaves, in
    the DMFT (SCS 1988 eqs. 4-6), like ``replace(net, g=g_eff, J0=J0_eff)`` with
    :math:`g_{\rm eff} = \sqrt{N\,\mathrm{Var}\,Q(J)}` and :math:`J_{0,\rm eff} = N\,E\,Q(J)`.
    Pass the result to :func:`rnmf.theory.dmft.solve`.  Frozen input-gain mismatch
    (row i scaled by :math:`1 + s\xi_i`, the analog preset of :mod:`rnmf.sim.analog`)
    multiplies the variance by :math:`E(1 + s\xi)^2 = 1 + s^2` and keeps the mean.
    """
    s_gain = check_finite("gain_mismatch", gain_mismatch)
    if s_gain < 0:
        raise ValueError(f"gain_mismatch must be >= 0, got {gain_mismatch!r}")
    if (step is None) == (bits is None):
        raise ValueError("give exactly one of step (grid step of the couplings) or bits")
    s = net.g / math.sqrt(net.N)
    if s == 0:
        raise ValueError("net.g = 0: no random couplings to quantise")
    M = None
    if bits is not None:
        step, M = step_for_bits(s, bits, clip=clip)
    mom = quantized_coupling_moments(s, step, rounding, mean=net.J0 / net.N, max_level=M)
    g_eff = math.sqrt(max(mom.var, 0.0) * net.N * (1.0 + s_gain**2))
    return dataclasses.replace(net, g=g_eff, J0=mom.mean * net.N), mom


def structure_gain(
    sigma: float,
    step: float,
    rounding: str = "nearest",
    *,
    max_level: int | None = None,
) -> float:
    r"""Gain of a small structured coupling component through the quantiser.

    A coupling :math:`J = \mu + \sigma z` with a small structured part
    :math:`\mu = m_i n_j/N` (low-rank networks: Mastrogiuseppe & Ostojic 2018, Neuron
    99:609, eq. 1) and random part :math:`\sigma z` is quantised to
    :math:`E[Q(\mu + \sigma z)] = c\,\mu + O(\mu^2)` plus zero-mean noise, with

    .. math:: c = \frac{d}{d\mu} E[Q(\mu + \sigma z)]\Big|_{\mu=0} = \frac{E[z\,Q(\sigma z)]}{\sigma}

    (Stein's lemma), evaluated here by a central difference of the exact bin sums of
    :func:`quantized_coupling_moments`.  c = 1 for stochastic rounding without
    clipping and for steps :math:`q \ll \sigma`; coarse deterministic grids change
    it.  The quantised low-rank network then behaves like structure :math:`c\,m n^T/N`
    with random strength :math:`g_{\rm eff}` (the variance at :math:`\mu = 0`).
    """
    sigma = check_positive("sigma", sigma)
    h = 1e-4 * sigma
    up = quantized_coupling_moments(sigma, step, rounding, mean=h, max_level=max_level).mean
    dn = quantized_coupling_moments(sigma, step, rounding, mean=-h, max_level=max_level).mean
    return (up - dn) / (2 * h)
