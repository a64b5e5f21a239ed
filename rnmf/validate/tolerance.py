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
    """
    v = np.asarray(values, dtype=float)
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
        Coefficient (dimensionless).
    scale : float
        The quantity setting the scale, ``|scale|`` is used.
    N : float
        Network size.
    order : float
        Exponent ``p`` of ``N``.

    Returns
    -------
    float
        ``c * |scale| / N**order``.
    """
    return c * abs(scale) / N**order


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
    """
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
    """
    v = np.asarray(values, dtype=float)
    s = 1.4826 * float(np.median(np.abs(v - np.median(v))))
    return s, 1.65 * s / math.sqrt(2 * (v.size - 1))
