r"""Plain NumPy rounding to the emulated number formats: a test oracle only (slow).

Written independently of :mod:`rnmf.sim._kernels.formats`, vectorised over arrays,
from the same definitions: the binade spacing
:math:`\mathrm{ulp}(x) = 2^{\max(e(x), e_{\min}) - t}` of IEEE 754-2019 Sec. 3.3,
integer rounding of ``x / ulp`` (nearest-even, toward zero, floor, stochastic with
``floor(y + u)``; Connolly, Higham & Mary 2021, eq. 1.2), the overflow rules of
IEEE 754-2019 Sec. 7.4 (round-to-nearest overflows to infinity, directed roundings
toward zero to the largest finite number), and two's complement fixed point
(ISO/IEC TR 18037 Sec. 4.1).  The uniforms of stochastic rounding follow the same
SplitMix64 counter hash (Steele, Lea & Flood 2014) in NumPy uint64 arithmetic.
"""

from __future__ import annotations

import numpy as np

from ._kernels.formats import FIXED, FLOOR, NATIVE, NEAREST, OV_SATURATE, OV_WRAP, ZERO

__all__ = ["rate_format_reference", "round_reference", "uniform_reference"]

_MASK = (1 << 64) - 1


def _mix(z: np.ndarray) -> np.ndarray:
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def uniform_reference(seed: int, step: int, site: int, index: np.ndarray) -> np.ndarray:
    """Uniforms in [0, 1) of the counters ``(seed, step, site, index)`` (NumPy twin)."""
    with np.errstate(over="ignore"):
        golden = 0x9E3779B97F4A7C15
        k0 = np.array([(seed + golden * (step + 1)) & _MASK], dtype=np.uint64)
        key = _mix(k0)[0]
        idx = np.asarray(index, dtype=np.uint64)
        site_term = np.uint64((site * 0xD1B54A32D192ED03) & _MASK)
        z = _mix(key ^ (site_term + idx * np.uint64(golden)))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0**-53


def _int_round(y: np.ndarray, mode: int, u: np.ndarray | None) -> np.ndarray:
    if mode == NEAREST:
        return np.rint(y)
    if mode == ZERO:
        return np.trunc(y)
    if mode == FLOOR:
        return np.floor(y)
    return np.floor(y + u)


def round_reference(x, f, *, seed: int = 0, step: int = 0, site: int = 0, index=None):
    """Round the array ``x`` to the format ``f`` (a ``FormatParams``).

    Returns ``(values float64 array, overflow count)``; entry ``i`` uses the uniform of
    counter ``(seed, step, site, index[i])`` under stochastic rounding (default: the
    flat index).
    """
    x = np.array(x, dtype=np.float64).ravel()
    if f.kind == NATIVE:
        return x, 0
    idx = np.arange(x.size) if index is None else np.asarray(index).ravel()
    u = uniform_reference(seed, step, site, idx)
    out = np.empty_like(x)
    nan = np.isnan(x)
    out[nan] = np.nan
    inf = np.isinf(x)
    fin = ~nan & ~inf
    n_over = 0
    with np.errstate(all="ignore"):
        if f.kind == FIXED:
            lo, hi = f.kmin * 2.0**-f.frac_bits, f.kmax * 2.0**-f.frac_bits
            if f.overflow == OV_WRAP:
                out[inf] = np.nan
            else:
                out[inf] = np.where(x[inf] > 0, hi, lo)
            n_over += int(inf.sum())
            k = _int_round(x[fin] * 2.0**f.frac_bits, f.rounding, u[fin])
            over = (k > f.kmax) | (k < f.kmin)
            n_over += int(over.sum())
            if f.overflow == OV_WRAP:
                span = f.kmax - f.kmin + 1.0
                k = np.where(over, f.kmin + np.mod(k - f.kmin, span), k)
            else:
                k = np.clip(k, f.kmin, f.kmax)
            out[fin] = k * 2.0**-f.frac_bits
            return out, n_over
        # floats
        if f.overflow == OV_SATURATE:
            out[inf] = np.sign(x[inf]) * f.max_value
            n_over += int(inf.sum())
        elif f.has_inf:
            out[inf] = x[inf]
        else:
            out[inf] = np.nan
            n_over += int(inf.sum())
        xf = x[fin]
        ax = np.abs(xf)
        e = np.floor(np.log2(np.where(ax > 0, ax, 1.0)))
        # log2 may be off by one next to powers of two: correct with exact comparisons
        e = np.where(2.0**e > ax, e - 1, e)
        e = np.where(2.0 ** (e + 1) <= ax, e + 1, e)
        e = np.maximum(e, f.emin)
        ulp = 2.0 ** (e - f.man_bits)
        r = _int_round(xf / ulp, f.rounding, u[fin]) * ulp
        r = np.where(r == 0, np.copysign(0.0, xf), r)
        over = np.abs(r) > f.max_value
        n_over += int(over.sum())
        if f.overflow == OV_SATURATE:
            big = np.sign(xf) * f.max_value
        else:
            toward_zero = (f.rounding == ZERO) | ((f.rounding == FLOOR) & (xf > 0))
            inf_or_nan = np.sign(xf) * np.inf if f.has_inf else np.full_like(xf, np.nan)
            big = np.where(toward_zero, np.sign(xf) * f.max_value, inf_or_nan)
        out[fin] = np.where(over, big, r)
    return out, n_over


def rate_format_reference(
    x0, J, I, noise, n_steps, *, phi, a, b, c, state, acc, seed, native_dtype=None
):
    """States ``(n_steps + 1, N)`` of the rate update in emulated formats (NumPy twin of
    :func:`rnmf.sim._kernels.rate_formats.advance_format`).

    ``J``, ``I``, ``x0`` and the coefficients ``a, b, c`` must already be rounded to
    their formats; ``state``/``acc`` are FormatParams; ``native_dtype`` (np.float32 or
    np.float64) accumulates the products natively in that type instead of rounding to
    ``acc``.  ``noise`` is ``(n_steps, N)`` or None.
    """
    n = x0.size
    x = np.array(x0, dtype=np.float64)
    JT = np.asarray(J, dtype=np.float64).T
    out = [x.copy()]
    flat = np.arange(n * n).reshape(n, n)

    def R(v, f, step, site, index=None):
        return round_reference(v, f, seed=seed, step=step, site=site, index=index)[0]

    for k in range(n_steps):
        r = R(phi(x), state, k, 1)
        if native_dtype is not None:
            h = np.zeros(n, dtype=native_dtype)
            JTn = JT.astype(native_dtype)
            rn = r.astype(native_dtype)
            for j in range(n):
                if rn[j] != 0:
                    h = h + JTn[j] * rn[j]
            h = h.astype(np.float64)
        else:
            P = R(JT * r[:, None], acc, k, 2).reshape(n, n)
            h = np.zeros(n)
            for j in range(n):
                h = R(h + P[j], acc, k, 3, index=flat[j])
        g = R(h + I, acc, k, 4)
        v = R(R(a * x, acc, k, 5) + R(b * g, acc, k, 6), acc, k, 7)
        if noise is not None:
            v = R(v + R(c * noise[k], acc, k, 8), acc, k, 9)
        x = R(v, state, k, 10)
        out.append(x.copy())
    return np.array(out)
