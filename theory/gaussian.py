r"""Gaussian expectations used by the mean-field theories.

One-dimensional averages :math:`\langle f(\mu + \sqrt{D} z)\rangle_z` and
two-point averages :math:`\langle f(x_1) h(x_2)\rangle` over jointly Gaussian
:math:`x_1, x_2` with common mean :math:`\mu`, variances :math:`D_0` and
covariance :math:`D`, vectorised over broadcast parameter arrays.

Three quadrature rules are offered:

``"trap"`` (default)
    The trapezoidal rule on the truncated interval :math:`z \in [-9, 9]` with a
    step chosen from the largest variance in the call.  For integrands that are
    analytic in a strip (tanh, erf, log cosh, ...) the error decreases
    exponentially with the number of nodes *per unit of* :math:`\sqrt{D} z`
    (Trefethen & Weideman 2014, SIAM Review 56:385, Thm. 5.1), unlike
    Gauss-Hermite whose nodes spread to :math:`\pm\sqrt{4n}` and waste most of
    their resolution at large :math:`D`: 1e-14 relative at :math:`D = 4` and
    1e-12 at :math:`D = 20` for tanh, log cosh and their squares.
``"gh"``
    Probabilists' Gauss-Hermite rule with ``n`` nodes (:func:`gauss_hermite`).
``"quad"``
    Adaptive :func:`scipy.integrate.quad` (1-D only), the independent oracle.

Kinked transfer functions (relu) converge algebraically with every fixed rule;
use more nodes or ``"quad"`` where that matters.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

import numpy as np
from scipy import integrate, special

__all__ = ["expect", "expect2", "gauss_hermite", "nodes", "trapezoid_nodes"]

ArrayFn = Callable[[np.ndarray], np.ndarray]

_L = 9.0  # truncation of the z-interval: exp(-L^2/2) ~ 2.6e-18
_CHUNK = 4_000_000  # maximum number of integrand evaluations per vectorised block
_METHODS = ("trap", "gh", "quad")


@lru_cache(maxsize=64)
def gauss_hermite(n: int) -> tuple[np.ndarray, np.ndarray]:
    r"""Probabilists' Gauss-Hermite nodes and weights.

    :math:`\sum_k w_k f(z_k) \approx \int f(z)\, e^{-z^2/2} dz / \sqrt{2\pi}`, exact for
    polynomials of degree ``2n - 1``; the weights sum to one.

    Parameters
    ----------
    n : int
        Number of nodes (>= 1).

    Returns
    -------
    z, w : ndarray
        Read-only arrays of length ``n`` (cached per ``n``).
    """
    n = _check_n(n)
    z, w = special.roots_hermitenorm(n)
    w = w / w.sum()
    z.setflags(write=False)
    w.setflags(write=False)
    return z, w


@lru_cache(maxsize=64)
def trapezoid_nodes(n: int) -> tuple[np.ndarray, np.ndarray]:
    r"""Trapezoidal nodes and weights for the standard normal on :math:`[-9, 9]`.

    Weights are :math:`\propto e^{-z_k^2/2}`, normalised to sum to one (the
    trapezoidal sum of the Gaussian is exact to machine precision here).

    Parameters
    ----------
    n : int
        Number of nodes (>= 3).

    Returns
    -------
    z, w : ndarray
        Read-only arrays of length ``n`` (cached per ``n``).
    """
    n = _check_n(n)
    if n < 3:
        raise ValueError(f"the trapezoidal rule needs n >= 3 nodes, got n={n}")
    z = np.linspace(-_L, _L, n)
    w = np.exp(-0.5 * z * z)
    w /= w.sum()
    z.setflags(write=False)
    w.setflags(write=False)
    return z, w


def _check_n(n: object) -> int:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or int(n) < 1:
        raise ValueError(f"the number of quadrature nodes n must be a positive integer, got {n!r}")
    return int(n)


def _auto_n(dmax: float) -> int:
    """Node count of the trapezoidal rule for variances up to ``dmax``.

    Step h = min(0.2, 0.2/sqrt(D)): the nearest complex singularity of tanh-like
    integrands in z lies at distance pi/(2 sqrt(D)), and the trapezoidal error is
    ~exp(-2 pi d / h) ~ 1e-21 (Trefethen & Weideman 2014, eq. 5.3).
    """
    h = 0.2 / max(1.0, math.sqrt(max(dmax, 0.0)))
    n = int(math.ceil(2 * _L / h)) + 1
    n = min(max(n, 41), 4001)
    return n | 1  # odd: a node at z = 0


def nodes(n: int | None = None, *, method: str = "trap", dmax: float = 1.0) -> tuple:
    """Nodes and weights of the rule ``method`` (``n=None``: automatic for variance ``dmax``)."""
    if method == "gh":
        return gauss_hermite(200 if n is None else n)
    if method == "trap":
        return trapezoid_nodes(_auto_n(dmax) if n is None else n)
    raise ValueError(f"method must be one of 'trap', 'gh' for node rules, got {method!r}")


def _as_params(*arrays: object, names: tuple[str, ...]) -> list[np.ndarray]:
    out = []
    for name, a in zip(names, arrays, strict=True):
        try:
            arr = np.asarray(a, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must be a real number or array: {exc}") from exc
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or infinite entries; pass finite values")
        out.append(arr)
    try:
        return list(np.broadcast_arrays(*out))
    except ValueError as exc:
        shapes = ", ".join(f"{n}{a.shape}" for n, a in zip(names, out, strict=True))
        raise ValueError(f"parameter arrays do not broadcast: {shapes}") from exc


def expect(
    f: ArrayFn,
    mu: float | np.ndarray = 0.0,
    D: float | np.ndarray = 1.0,
    *,
    n: int | None = None,
    method: str = "trap",
    kink: float | None = None,
) -> np.ndarray | float:
    r"""Gaussian average :math:`\langle f(\mu + \sqrt{D}\, z)\rangle_z`, :math:`z \sim N(0,1)`.

    Parameters
    ----------
    f : callable
        Vectorised (elementwise) function.
    mu, D : float or array
        Mean and variance (>= 0), broadcast against each other.
    n : int, optional
        Number of nodes; ``None`` picks it from ``max(D)`` (trap) or 200 (gh).
    method : {"trap", "gh", "quad"}
        Quadrature rule (see the module docstring). ``"quad"`` loops over the
        broadcast elements with :func:`scipy.integrate.quad` (relative tolerance
        1e-12): slow, an oracle.

    Returns
    -------
    float or ndarray
        The average, with the broadcast shape of ``mu`` and ``D``.
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    if not callable(f):
        raise ValueError(f"f must be a vectorised callable, got {type(f).__name__}")
    mu, D = _as_params(mu, D, names=("mu", "D"))
    if np.any(D < 0):
        raise ValueError(f"the variance D must be >= 0, got min(D) = {D.min():g}")
    shape = mu.shape
    if method == "quad":
        out = np.empty(shape)
        for idx in np.ndindex(shape):
            out[idx] = _quad1(f, float(mu[idx]), float(D[idx]))
        return out if shape else float(out)
    if kink is not None:
        res = _expect_kink(f, mu.ravel(), D.ravel(), float(kink), n or 64).reshape(shape)
        return res if shape else float(res)
    z, w = nodes(n, method=method, dmax=float(D.max()) if D.size else 1.0)
    m = mu.ravel()
    s = np.sqrt(D.ravel())
    res = np.empty(m.size)
    step = max(1, _CHUNK // z.size)
    for i in range(0, m.size, step):
        x = m[i : i + step, None] + s[i : i + step, None] * z
        res[i : i + step] = np.asarray(f(x), dtype=float) @ w
    res = res.reshape(shape)
    return res if shape else float(res)


@lru_cache(maxsize=16)
def _legendre(m: int) -> tuple[np.ndarray, np.ndarray]:
    t, w = np.polynomial.legendre.leggauss(m)
    return t, w


def _pieces(breaks: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes/weights (with the normal density) on [-L, b1, ..., L] per row."""
    t, wt = _legendre(m)
    inner = breaks if breaks.shape[-1] == 1 else np.sort(breaks, axis=-1)
    inner = np.clip(inner, -_L, _L)
    ends = np.full(breaks.shape[:-1] + (1,), _L)
    edges = np.concatenate([-ends, inner, ends], axis=-1)
    lo, hi = edges[..., :-1, None], edges[..., 1:, None]
    half = 0.5 * (hi - lo)
    z = (0.5 * (hi + lo)) + half * t
    w = (half * wt) * np.exp(-0.5 * z * z) * (1.0 / math.sqrt(2.0 * math.pi))
    shp = z.shape[:-2] + (-1,)
    return z.reshape(shp), w.reshape(shp)


def _split_point(k: float, c: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Where c + s z = k, or beyond the interval if s = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(s > 0, (k - c) / np.where(s > 0, s, 1.0), 2 * _L)


def _expect_kink(f: ArrayFn, m: np.ndarray, D: np.ndarray, k: float, n: int) -> np.ndarray:
    s = np.sqrt(D)
    z, w = _pieces(_split_point(k, m, s)[:, None], n)
    return np.sum(np.asarray(f(m[:, None] + s[:, None] * z), dtype=float) * w, axis=-1)


def _expect2_kink(
    f: ArrayFn,
    h: ArrayFn,
    m: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    sgn: np.ndarray,
    k: float,
    n: int,
) -> np.ndarray:
    """Nested rule split at the kink: outer z at both kink positions, inner y per outer node."""
    zb = np.stack([_split_point(k, m, b), _split_point(k, m, sgn * b)], axis=-1)
    zb = np.where(sgn[:, None] < 0, -zb, zb)  # x2 = m + a y - b z has its kink at z = -(k - m)/b
    zo, wo = _pieces(zb, n)  # (P, 3n)
    out = []
    for fun, sg in ((f, np.ones_like(sgn)), (h, sgn)):
        c = m[:, None] + (sg * b)[:, None] * zo  # (P, 3n)
        ys, wy = _pieces(_split_point(k, c, np.broadcast_to(a[:, None], c.shape))[..., None], n)
        x = c[..., None] + a[:, None, None] * ys
        out.append(np.sum(np.asarray(fun(x), dtype=float) * wy, axis=-1))
    return np.sum(out[0] * out[1] * wo, axis=-1)


def _quad1(f: ArrayFn, mu: float, D: float) -> float:
    if D == 0.0:
        return float(np.asarray(f(np.asarray([mu])), dtype=float)[0])
    s = math.sqrt(D)
    norm = 1.0 / math.sqrt(2.0 * math.pi)

    def integrand(z: float) -> float:
        return float(np.asarray(f(np.asarray([mu + s * z])), dtype=float)[0]) * (
            norm * math.exp(-0.5 * z * z)
        )

    # split at the mean and at +-3 so quad sees the bulk of the Gaussian
    total = 0.0
    for a, b in ((-np.inf, -3.0), (-3.0, 0.0), (0.0, 3.0), (3.0, np.inf)):
        total += integrate.quad(integrand, a, b, epsabs=1e-15, epsrel=1e-12, limit=400)[0]
    return total


def expect2(
    f: ArrayFn,
    h: ArrayFn,
    mu: float | np.ndarray,
    D0: float | np.ndarray,
    D: float | np.ndarray,
    *,
    n: int | tuple[int, int] | None = None,
    method: str = "trap",
    kink: float | None = None,
) -> np.ndarray | float:
    r"""Two-point Gaussian average :math:`\langle f(x_1)\, h(x_2)\rangle`.

    :math:`x_1, x_2` are jointly Gaussian with means :math:`\mu`, variances
    :math:`D_0` and covariance :math:`D` (:math:`|D| \le D_0`). With independent
    standard normals :math:`y_1, y_2, z`,

    .. math:: x_{1} = \mu + \sqrt{D_0 - |D|}\, y_1 + \sqrt{|D|}\, z,\qquad
              x_{2} = \mu + \sqrt{D_0 - |D|}\, y_2 + \operatorname{sgn}(D)\sqrt{|D|}\, z

    so :math:`\langle f h\rangle = \langle \langle f\rangle_{y}(z)\, \langle h\rangle_{y}(\pm z)\rangle_z`
    (Sompolinsky, Crisanti & Sommers 1988, PRL 61:259, the average below eq. 5),
    a nested rule with ``n_outer * n_inner`` evaluations per element.

    Parameters
    ----------
    f, h : callable
        Vectorised functions (pass the same object twice for :math:`\langle f f\rangle`:
        it is evaluated once).
    mu, D0, D : float or array
        Mean, variance (>= 0) and covariance, broadcast together; ``|D|`` may exceed
        ``D0`` by rounding only (1e-12 relative), it is clipped.
    n : int or (int, int), optional
        Nodes of the outer (z) and inner (y) rules; ``None``: automatic.
    method : {"trap", "gh"}
        Quadrature rule of both levels.
    kink : float, optional
        A point where ``f`` and ``h`` are not smooth: both levels are split there
        (Gauss-Legendre pieces with ``n`` nodes each, default 40), see :func:`expect`.

    Returns
    -------
    float or ndarray
        The average, with the broadcast shape of the parameters.
    """
    if method not in ("trap", "gh"):
        raise ValueError(
            f"expect2 method must be 'trap' or 'gh', got {method!r} "
            "(use scipy.integrate.dblquad directly as a 2-D oracle)"
        )
    if not callable(f) or not callable(h):
        raise ValueError("f and h must be vectorised callables")
    mu, D0, D = _as_params(mu, D0, D, names=("mu", "D0", "D"))
    if np.any(D0 < 0):
        raise ValueError(f"the variance D0 must be >= 0, got min(D0) = {D0.min():g}")
    excess = np.abs(D) - D0
    if np.any(excess > 1e-12 * np.maximum(D0, 1e-300) + 1e-300):
        raise ValueError(
            "the covariance must satisfy |D| <= D0 (a valid 2x2 covariance matrix); "
            f"largest |D| - D0 = {excess.max():g}"
        )
    shape = mu.shape
    absd = np.minimum(np.abs(D), D0).ravel()
    inner_var = D0.ravel() - absd
    if n is None or isinstance(n, int | np.integer):
        n_out = n_in = n
    else:
        n_out, n_in = n
    dmax_in = float(inner_var.max()) if inner_var.size else 1.0
    dmax_out = float(absd.max()) if absd.size else 1.0
    m = mu.ravel()
    a = np.sqrt(inner_var)
    b = np.sqrt(absd)
    neg = D.ravel() < 0
    if kink is not None:
        nk = int(n_out or 40)
        res = np.empty(m.size)
        step = max(1, _CHUNK // (6 * nk * nk))
        sgn = np.where(neg, -1.0, 1.0)
        for i in range(0, m.size, step):
            sl = slice(i, i + step)
            res[sl] = _expect2_kink(f, h, m[sl], a[sl], b[sl], sgn[sl], float(kink), nk)
        res = res.reshape(shape)
        return res if shape else float(res)
    zo, wo = nodes(n_out, method=method, dmax=dmax_out)
    yi, wi = nodes(n_in, method=method, dmax=dmax_in)
    same = f is h
    res = np.empty(m.size)
    step = max(1, _CHUNK // (zo.size * yi.size))
    for i in range(0, m.size, step):
        sl = slice(i, i + step)
        x = m[sl, None, None] + b[sl, None, None] * zo[None, :, None] + a[sl, None, None] * yi
        A = np.asarray(f(x), dtype=float) @ wi
        B = A if same else np.asarray(h(x), dtype=float) @ wi
        # x2 uses -z for negative covariance: the rules are symmetric, so reverse the z axis
        B = np.where(neg[sl, None], B[:, ::-1], B)
        res[sl] = (A * B) @ wo
    res = res.reshape(shape)
    return res if shape else float(res)
