r"""Sampling one network realisation from a :class:`~rnmf.models.RateNetwork`.

Draw order (fixed, so a seed reproduces a run): from one ``numpy.random.Generator``
the simulator draws

1. the couplings ``J`` (:func:`sample_couplings`, ``N * N`` standard normals, row-major),
2. the quenched inputs ``I`` (:func:`sample_inputs`, ``N`` standard normals),
3. the initial state ``x0`` (``N`` standard normals),
4. (Lyapunov exponents only) the initial tangent vectors (``N * k`` standard normals),
5. the noise increments, step by step (``N`` standard normals per step).

A draw is skipped when the caller supplies that object, so
``rng = np.random.default_rng(s); J = sample_couplings(net, rng); I = sample_inputs(net, rng)``
followed by ``simulate(net, T, rng=rng, J=J, I=I)`` reproduces ``simulate(net, T, rng=s)``
bit for bit.  All draws are made in float64 and rounded to the requested dtype, so
a float32 network is the rounding of the float64 network with the same seed.
"""

from __future__ import annotations

import numbers

import numpy as np

from rnmf._checks import ArgumentTypeError, as_rng
from rnmf.models import RateNetwork

__all__ = ["sample_couplings", "sample_inputs"]

_DTYPES = (np.float64, np.float32)


def _check_net(net: object) -> RateNetwork:
    if not isinstance(net, RateNetwork):
        raise ValueError(
            f"net must be an rnmf.models.RateNetwork, got {type(net).__name__}; "
            "build one with RateNetwork(N, g, ...)"
        )
    return net


def _check_dtype(dtype: object) -> np.dtype:
    try:
        if isinstance(dtype, numbers.Number | list | tuple | np.ndarray):
            raise TypeError("not a data type")
        dt = np.dtype(dtype)
    except (TypeError, ValueError) as exc:
        raise ArgumentTypeError(
            f"dtype must be float64 or float32, got {dtype!r} of type {type(dtype).__name__}"
        ) from exc
    if dt not in [np.dtype(d) for d in _DTYPES]:
        raise ValueError(f"dtype must be float64 or float32, got {dt.name}")
    return dt


def sample_couplings(
    net: RateNetwork,
    rng: None | int | np.random.Generator = None,
    *,
    dtype: type | np.dtype = np.float64,
) -> np.ndarray:
    r"""Draw the coupling matrix of one network.

    .. math:: J_{ij} = \frac{J_0}{N} + \frac{g}{\sqrt{N}}\, z_{ij},\qquad z_{ij} \sim N(0, 1)\ \text{i.i.d.}

    self-couplings included (Sompolinsky, Crisanti & Sommers 1988, PRL 61:259, text
    below eq. 1, with the mean :math:`J_0/N` of their Sec. on nonzero mean couplings).
    ``J[i, j]`` is the coupling from unit j onto unit i.

    Parameters
    ----------
    net : RateNetwork
        The model (uses ``N``, ``g``, ``J0``).
    rng : None, int or numpy.random.Generator
        Randomness (SPEC 7). A Generator is advanced by ``N * N`` standard normals.
    dtype : float64 or float32
        Storage type; the draw is made in float64 and rounded.

    Returns
    -------
    numpy.ndarray
        C-contiguous ``(N, N)`` array.
    """
    net = _check_net(net)
    dt = _check_dtype(dtype)
    gen = as_rng(rng)
    N = net.N
    J = gen.standard_normal((N, N))
    J *= net.g / np.sqrt(N)
    if net.J0 != 0.0:
        J += net.J0 / N
    return np.ascontiguousarray(J, dtype=dt)


def sample_inputs(
    net: RateNetwork,
    rng: None | int | np.random.Generator = None,
    *,
    dtype: type | np.dtype = np.float64,
) -> np.ndarray:
    r"""Draw the quenched external inputs :math:`I_i = I_0 + \sigma_I \eta_i`, :math:`\eta_i \sim N(0, 1)`.

    The ``N`` normals are drawn even when ``sigma_I = 0`` so that the position of
    the later draws (initial state, noise) does not depend on ``sigma_I``.

    Parameters
    ----------
    net : RateNetwork
        The model (uses ``N``, ``I0``, ``sigma_I``).
    rng : None, int or numpy.random.Generator
        Randomness (SPEC 7). A Generator is advanced by ``N`` standard normals.
    dtype : float64 or float32
        Storage type.

    Returns
    -------
    numpy.ndarray
        ``(N,)`` array.
    """
    net = _check_net(net)
    dt = _check_dtype(dtype)
    gen = as_rng(rng)
    eta = gen.standard_normal(net.N)
    return np.ascontiguousarray(net.I0 + net.sigma_I * eta, dtype=dt)
