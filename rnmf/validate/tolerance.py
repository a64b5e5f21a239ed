r"""Tolerance models of the cross-validation: each term of a :class:`~rnmf.validate.Check`.

A check passes when :math:`|\text{sim} - \text{theory}| \le z\,\text{sem} + c\,|s|/N^{p} + a`.
The terms, and the error model each one stands for:

* :func:`sem` -- the statistical error of a mean over independent networks (seeds);
* :func:`finite_size_term` -- a systematic finite-size bias of stated order, ``c |s| / sqrt(N)``
  (``order = 0.5``: the network-to-network fluctuation of a population average, which
  self-averages as :math:`N^{-1/2}`) or ``c |s| / N`` (``order = 1``: the bias of the mean,
  e.g. the O(1/N) corrections to mean-field moments; Sompolinsky, Crisanti & Sommers 1988);
* :func:`measured_spread` -- a network-to-network spread measured once on many networks and
  stored as ``sd sqrt(N)``, for quantities whose spread two or three seeds estimate poorly;
* :func:`robust_sd` -- the spread of a sample that may contain a few outlying networks
  (scaled median absolute deviation).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .._checks import check_array, check_finite, check_int, check_nonnegative, check_positive

__all__ = ["finite_size_term", "measured_spread", "robust_sd", "sem"]


def sem(values: Sequence[float] | np.ndarray) -> float:
    r"""Standard error of the mean of independent estimates, :math:`s / \sqrt{n}`.

    Error model: the ``n`` values are independent draws (one per sampled network, i.e. per
    seed) of an estimator with finite variance; ``s`` is the sample standard deviation with
    ``n - 1`` degrees of freedom.  With two or three seeds ``s`` itself is uncertain by
    50-70 %, which is why slowly fluctuating quantities add :func:`measured_spread`.

    Parameters
    ----------
    values : sequence of float
        One estimate per independent network.

    Returns
    -------
    float
        ``std(values, ddof=1) / sqrt(n)``; NaN when fewer than two values are given.

    Raises
    ------
    TypeError
        When ``values`` are not numbers (strings, None, objects, complex).
    """
    v = check_array("values", values, finite=False)
    return float(np.std(v, ddof=1) / np.sqrt(v.size)) if v.size > 1 else float("nan")


def finite_size_term(c: float, scale: float, N: float, order: float = 0.5) -> float:
    r"""Finite-size allowance :math:`c\,|s| / N^{p}`.

    Error model: the simulation at size ``N`` differs from the :math:`N \to \infty` theory by
    a deterministic bias of relative size at most ``c / N**order`` of the scale ``s``
    (usually the prediction itself).  ``order = 0.5`` (``c / sqrt(N)``) covers quantities
    whose single-network value fluctuates as :math:`N^{-1/2}` around the theory (a population
    average of weakly correlated units); ``order = 1`` (``c / N``) covers the systematic bias
    of a mean-field moment; ``order = 0`` makes ``c`` a plain relative tolerance (e.g. a
    finite-in-degree effect that does not vanish with N).

    Parameters
    ----------
    c : float
        Coefficient (dimensionless, finite, >= 0).
    scale : float
        The quantity setting the scale (finite), ``|scale|`` is used.
    N : float
        Network size (finite, > 0).
    order : float
        Exponent ``p`` of ``N`` (finite, >= 0).

    Returns
    -------
    float
        ``c * |scale| / N**order``.

    Raises
    ------
    ValueError
        When an argument is NaN, infinite, out of range or not a real number (the message
        names it), or when the allowance overflows.
    """
    c = check_nonnegative("c", c)
    scale = check_finite("scale", scale)
    N = check_positive("N", N)
    order = check_nonnegative("order", order)
    with np.errstate(over="ignore", under="ignore"):
        value = float(np.float64(c) * abs(scale) / np.power(np.float64(N), order))
    if not math.isfinite(value):
        raise ValueError(
            f"finite_size_term(c={c!r}, scale={scale!r}, N={N!r}, order={order!r}) overflows; "
            "pass c and scale of a size whose product is finite"
        )
    return value


def measured_spread(sd_sqrt_n: float, N: int, n_networks: int, z: float = 3.0) -> float:
    r"""Allowance ``z sd / sqrt(n_networks)`` for a measured network-to-network spread.

    Error model: each network's estimate scatters around the theory with a standard
    deviation :math:`\mathrm{sd} = \mathrm{sd}\sqrt N / \sqrt N` that was measured once over
    many (typically 16) networks and is stored as ``sd_sqrt_n``; the mean over
    ``n_networks`` seeds then has the standard error :math:`\mathrm{sd}/\sqrt{n}`.  This
    replaces the sem of two or three seeds where that underestimates the spread (slow
    collective fluctuations, wandering between wells).

    Parameters
    ----------
    sd_sqrt_n : float
        Measured standard deviation over networks times ``sqrt(N)``.
    N : int
        Network size of the run.
    n_networks : int
        Seeds averaged in the run.
    z : float
        Multiple of the standard error allowed.

    Returns
    -------
    float
        ``z * sd_sqrt_n / sqrt(N * n_networks)``.

    Raises
    ------
    ValueError
        When an argument is NaN, infinite, out of range or not a number (named).
    """
    sd_sqrt_n = check_nonnegative("sd_sqrt_n", sd_sqrt_n)
    N = check_positive("N", N)
    n_networks = check_int("n_networks", n_networks, minimum=1)
    z = check_nonnegative("z", z)
    return z * sd_sqrt_n / math.sqrt(N * n_networks)


def robust_sd(values: Sequence[float] | np.ndarray) -> tuple[float, float]:
    r"""Outlier-resistant spread and its standard error: 1.4826 MAD.

    Error model: most values are Gaussian, a few networks may be outliers (e.g. they left the
    chaotic state for a limit cycle).  The scaled median absolute deviation
    :math:`1.4826\,\mathrm{median}|v - \mathrm{median}(v)|` equals the standard deviation for
    Gaussian data; its efficiency is 37 %, so its standard error is taken as 1.65 times the
    Gaussian one, :math:`1.65\,s/\sqrt{2(n-1)}`.

    Parameters
    ----------
    values : sequence of float
        One value per network (at least two).

    Returns
    -------
    sd, sd_err : float
        The spread and its standard error.

    Raises
    ------
    ValueError
        When ``values`` is not a 1-D sequence of at least two real numbers.
    """
    v = check_array("values", values, finite=False)
    if v.ndim != 1 or v.size < 2 or np.ndim(values) != 1:
        raise ValueError(
            f"values must be a 1-D sequence of at least two numbers, got shape {np.shape(values)}"
        )
    s = 1.4826 * float(np.median(np.abs(v - np.median(v))))
    return s, 1.65 * s / math.sqrt(2 * (v.size - 1))
