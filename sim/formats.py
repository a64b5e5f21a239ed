r"""Number formats for hardware-constrained simulation: emulated floats, fixed point, quantisers.

A :class:`NumberFormat` describes how a simulator stores and rounds numbers:

* binary floating point with ``e`` exponent and ``t`` stored mantissa bits
  (IEEE 754-2019 Sec. 3.3): float64, float32, float16, bfloat16, and the OCP 8-bit
  formats fp8 E4M3 (no infinities, largest 448) and E5M2 (Micikevicius et al. 2022,
  arXiv:2209.05433, Table 1), with subnormals;
* fixed point Q(m, n): a sign bit, m integer bits and n fraction bits, two's
  complement, LSB :math:`2^{-n}` (ISO/IEC TR 18037 Sec. 4.1; SpiNNaker's ``accum``
  is Q(16, 15));

each with a rounding mode (``"nearest"`` = round to nearest, ties to even;
``"zero"`` = truncation toward zero; ``"floor"`` = toward minus infinity, an
arithmetic right shift; ``"stochastic"``: up with probability equal to the
fractional part, Connolly, Higham & Mary 2021, eq. 1.2) and an overflow policy
(``"ieee"`` for floats: infinity, ``"saturate"``, ``"wrap"`` for fixed point),
with overflow counters.  A :class:`MixedPrecision` gives separate formats to the
stored weights, the state and the accumulator (e.g. bf16 weights and state with
fp32 accumulation, as on GPUs).

Emulation is exact: a simulator computes each operation in float64 and rounds
the result to the format after every operation that the hardware rounds
(Higham & Pranesh 2019, SIAM J. Sci. Comput. 41:C585).  Stochastic rounding uses a
counter-based random stream keyed by ``(seed, step, site, index)``
(:mod:`rnmf.sim._kernels.formats`), so a seed fixes a run bit for bit whatever
the order of evaluation or the executor.

Weight quantisers with the same rounding modes are in :mod:`rnmf.sim.quantizers`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from rnmf._checks import check_choice, check_int

from ._kernels import formats as _k
from ._kernels.formats import FormatParams

__all__ = [
    "FORMATS",
    "ROUNDINGS",
    "MixedPrecision",
    "NumberFormat",
    "as_precision",
    "get_format",
    "quantize",
    "stream_uniforms",
]

ROUNDINGS = ("nearest", "zero", "floor", "stochastic")
OVERFLOWS = ("ieee", "saturate", "wrap")
_ROUND_CODE = {
    "nearest": _k.NEAREST,
    "zero": _k.ZERO,
    "floor": _k.FLOOR,
    "stochastic": _k.STOCHASTIC,
}
_OV_CODE = {"ieee": _k.OV_IEEE, "saturate": _k.OV_SATURATE, "wrap": _k.OV_WRAP}
_ALIASES = {
    "fp64": "float64",
    "double": "float64",
    "fp32": "float32",
    "single": "float32",
    "fp16": "float16",
    "half": "float16",
    "bf16": "bfloat16",
    "e4m3": "fp8_e4m3",
    "e5m2": "fp8_e5m2",
    "fp8": "fp8_e4m3",
    "accum": "s16.15",
}
_ROUND_SUFFIX = {"rn": "nearest", "rz": "zero", "rd": "floor", "sr": "stochastic"}


@dataclass(frozen=True)
class NumberFormat:
    """A number format: binary floating point or two's complement fixed point.

    Attributes
    ----------
    name : str
        Short name (``"bfloat16"``, ``"Q(16,15)"``, ...).
    kind : {"native", "float", "fixed"}
        ``"native"`` is float64 itself (no rounding, the reference).
    exponent_bits, mantissa_bits : int
        Floats: exponent field width and stored mantissa bits t (precision t + 1).
    int_bits, frac_bits : int
        Fixed point Q(m, n): integer bits m (sign excluded) and fraction bits n.
    rounding : {"nearest", "zero", "floor", "stochastic"}
        Rounding mode (nearest = ties to even).
    overflow : {"ieee", "saturate", "wrap"}
        Floats: ``"ieee"`` (overflow to +-inf, or to the largest finite number when
        the rounding direction points toward zero; NaN for formats without
        infinities) or ``"saturate"``; fixed point: ``"saturate"`` or ``"wrap"``.
    finite_only : bool
        Float formats without infinities whose all-ones exponent still encodes
        numbers (OCP fp8 E4M3: largest 448, one NaN per sign).
    """

    name: str
    kind: Literal["native", "float", "fixed"]
    exponent_bits: int = 0
    mantissa_bits: int = 0
    int_bits: int = 0
    frac_bits: int = 0
    rounding: str = "nearest"
    overflow: str = "ieee"
    finite_only: bool = False

    def __post_init__(self) -> None:
        check_choice("NumberFormat.kind", self.kind, ("native", "float", "fixed"))
        check_choice("NumberFormat.rounding", self.rounding, ROUNDINGS)
        check_choice("NumberFormat.overflow", self.overflow, OVERFLOWS)
        if self.kind == "float":
            check_int("NumberFormat.exponent_bits", self.exponent_bits, minimum=2, maximum=11)
            check_int("NumberFormat.mantissa_bits", self.mantissa_bits, minimum=1, maximum=52)
            if self.overflow == "wrap":
                raise ValueError(
                    "NumberFormat.overflow = 'wrap' applies to fixed point only; floats take "
                    "'ieee' or 'saturate'"
                )
        elif self.kind == "fixed":
            check_int("NumberFormat.int_bits", self.int_bits, minimum=0, maximum=52)
            check_int("NumberFormat.frac_bits", self.frac_bits, minimum=0, maximum=60)
            if self.int_bits + self.frac_bits > 52:
                raise ValueError(
                    f"NumberFormat: int_bits + frac_bits = {self.int_bits + self.frac_bits} > 52 "
                    "(the emulation holds the integer exactly in float64); use fewer bits"
                )
            if self.overflow == "ieee":
                raise ValueError(
                    "NumberFormat.overflow must be 'saturate' or 'wrap' for fixed point, got 'ieee'"
                )

    # ---- constructors -------------------------------------------------------------
    @classmethod
    def float(
        cls,
        exponent_bits: int,
        mantissa_bits: int,
        *,
        rounding: str = "nearest",
        overflow: str = "ieee",
        finite_only: bool = False,
        name: str | None = None,
    ) -> NumberFormat:
        """A binary float with the given exponent and stored mantissa widths."""
        nm = name or f"float(e{exponent_bits}m{mantissa_bits})"
        return cls(nm, "float", exponent_bits, mantissa_bits, 0, 0, rounding, overflow, finite_only)

    @classmethod
    def fixed(
        cls,
        int_bits: int,
        frac_bits: int,
        *,
        rounding: str = "nearest",
        overflow: str = "saturate",
        name: str | None = None,
    ) -> NumberFormat:
        """Two's complement fixed point Q(m, n): m integer bits, n fraction bits, a sign bit."""
        nm = name or f"Q({int_bits},{frac_bits})"
        return cls(nm, "fixed", 0, 0, int_bits, frac_bits, rounding, overflow)

    def with_rounding(self, rounding: str) -> NumberFormat:
        """The same format with another rounding mode."""
        return replace(self, rounding=rounding)

    def with_overflow(self, overflow: str) -> NumberFormat:
        """The same format with another overflow policy."""
        return replace(self, overflow=overflow)

    # ---- properties ---------------------------------------------------------------
    @property
    def bits(self) -> int:
        """Total storage bits."""
        if self.kind == "native":
            return 64
        if self.kind == "float":
            return 1 + self.exponent_bits + self.mantissa_bits
        return 1 + self.int_bits + self.frac_bits

    @property
    def emin(self) -> int:
        """Exponent of the smallest normal number (floats): ``2 - 2^(e-1)``."""
        if self.kind == "native":
            return -1022
        return 2 - 2 ** (self.exponent_bits - 1)

    @property
    def emax(self) -> int:
        """Exponent of the largest binade (floats)."""
        if self.kind == "native":
            return 1023
        bias = 2 ** (self.exponent_bits - 1) - 1
        return bias + 1 if self.finite_only else bias

    @property
    def max(self) -> float:
        """Largest finite value."""
        if self.kind == "native":
            return float(np.finfo(np.float64).max)
        if self.kind == "fixed":
            return math.ldexp(2 ** (self.int_bits + self.frac_bits) - 1, -self.frac_bits)
        t = self.mantissa_bits
        if self.finite_only:  # the all-ones mantissa of the top binade is NaN
            return math.ldexp(2 ** (t + 1) - 2, self.emax - t)
        return math.ldexp(2 ** (t + 1) - 1, self.emax - t)

    @property
    def min(self) -> float:
        """Most negative finite value."""
        if self.kind == "fixed":
            return -math.ldexp(2 ** (self.int_bits + self.frac_bits), -self.frac_bits)
        return -self.max

    @property
    def min_normal(self) -> float:
        """Smallest positive normal number (floats); the LSB for fixed point."""
        if self.kind == "fixed":
            return self.lsb
        return math.ldexp(1.0, self.emin)

    @property
    def min_subnormal(self) -> float:
        """Smallest positive number (floats: ``2^(emin - t)``; fixed point: the LSB)."""
        if self.kind == "fixed":
            return self.lsb
        if self.kind == "native":
            return 5e-324
        return math.ldexp(1.0, self.emin - self.mantissa_bits)

    @property
    def lsb(self) -> float:
        """Fixed point: ``2^-n``; floats: the spacing at 1 (machine epsilon)."""
        if self.kind == "fixed":
            return math.ldexp(1.0, -self.frac_bits)
        return self.eps

    @property
    def eps(self) -> float:
        """Spacing of the numbers at 1: ``2^-t`` (fixed point: the LSB)."""
        if self.kind == "native":
            return 2.0**-52
        if self.kind == "fixed":
            return self.lsb
        return math.ldexp(1.0, -self.mantissa_bits)

    @property
    def unit_roundoff(self) -> float:
        """Unit roundoff ``u = 2^-(t+1)`` (floats, relative); fixed point: ``2^-(n+1)`` (absolute)."""
        return self.eps / 2.0

    def ulp(self, x: Any) -> np.ndarray:
        """Spacing of the format's numbers at |x| (floats: ``2^(max(e(x), emin) - t)``)."""
        x = np.abs(np.asarray(x, dtype=np.float64))
        if self.kind == "fixed":
            return np.full_like(x, self.lsb)
        t = 52 if self.kind == "native" else self.mantissa_bits
        with np.errstate(divide="ignore"):
            _, E = np.frexp(x)
        e = np.maximum(E - 1, self.emin)
        return np.ldexp(1.0, e - t)

    def params(self) -> FormatParams:
        """The kernels' scalar description."""
        kind = {"native": _k.NATIVE, "float": _k.FLOAT, "fixed": _k.FIXED}[self.kind]
        span = 2.0 ** (self.int_bits + self.frac_bits) if self.kind == "fixed" else 0.0
        return FormatParams(
            kind=kind,
            man_bits=int(self.mantissa_bits),
            emin=int(self.emin),
            max_value=float(self.max),
            has_inf=not self.finite_only,
            frac_bits=int(self.frac_bits),
            kmin=-span,
            kmax=span - 1.0,
            rounding=_ROUND_CODE[self.rounding],
            overflow=_OV_CODE[self.overflow],
        )

    @property
    def exact_in_float32(self) -> bool:
        """Whether every value of the format is a float32 (so float32 arrays can hold it)."""
        if self.kind == "native":
            return False
        if self.kind == "fixed":
            return self.int_bits + self.frac_bits <= 23 and self.frac_bits <= 126
        return self.mantissa_bits <= 23 and self.exponent_bits <= 8

    def describe(self) -> str:
        """One line: name, bits, rounding, overflow."""
        return f"{self.name} ({self.bits} bits, rounding={self.rounding}, overflow={self.overflow})"

    def __str__(self) -> str:
        return self.name if self.rounding == "nearest" else f"{self.name}-{self.rounding}"


FORMATS: dict[str, NumberFormat] = {
    "float64": NumberFormat("float64", "native"),
    "float32": NumberFormat.float(8, 23, name="float32"),
    "float16": NumberFormat.float(5, 10, name="float16"),
    "bfloat16": NumberFormat.float(8, 7, name="bfloat16"),
    "fp8_e4m3": NumberFormat.float(4, 3, finite_only=True, name="fp8_e4m3"),
    "fp8_e5m2": NumberFormat.float(5, 2, name="fp8_e5m2"),
    "s16.15": NumberFormat.fixed(16, 15, name="s16.15"),
    "s0.15": NumberFormat.fixed(0, 15, name="s0.15"),
}
"""Named presets (float64 is the native reference, never rounded)."""


def get_format(spec: Any, rounding: str | None = None) -> NumberFormat:
    """Resolve a format from a :class:`NumberFormat` or a name.

    Names: the keys of :data:`FORMATS` and aliases (``fp32``, ``fp16``, ``half``,
    ``bf16``, ``e4m3``, ``e5m2``, ``accum`` = s16.15), ``"Q(m,n)"``, and a rounding
    suffix ``-rn``/``-rz``/``-rd``/``-sr`` or ``-nearest``/``-zero``/``-floor``/``-stochastic``
    (e.g. ``"bf16-sr"``).  ``rounding`` overrides the suffix.
    """
    if isinstance(spec, NumberFormat):
        fmt = spec
    elif isinstance(spec, str):
        base, _, suffix = spec.strip().lower().partition("-")
        base = _ALIASES.get(base, base)
        if base in FORMATS:
            fmt = FORMATS[base]
        elif base.startswith("q(") and base.endswith(")"):
            try:
                m, n = (int(s) for s in base[2:-1].split(","))
            except ValueError:
                raise ValueError(f"fixed-point format must read 'Q(m,n)', got {spec!r}") from None
            fmt = NumberFormat.fixed(m, n)
        else:
            raise ValueError(
                f"unknown number format {spec!r}; use one of {sorted(FORMATS)}, an alias "
                f"{sorted(_ALIASES)}, 'Q(m,n)', optionally with -rn/-rz/-rd/-sr, or a NumberFormat"
            )
        if suffix:
            mode = _ROUND_SUFFIX.get(suffix, suffix)
            check_choice("rounding suffix of the format name", mode, ROUNDINGS)
            fmt = fmt.with_rounding(mode)
    else:
        raise ValueError(f"format must be a NumberFormat or a name, got {spec!r}")
    if rounding is not None:
        check_choice("rounding", rounding, ROUNDINGS)
        fmt = fmt.with_rounding(rounding)
    return fmt


@dataclass(frozen=True)
class MixedPrecision:
    """Separate formats for stored weights, the state and the accumulator.

    Attributes
    ----------
    weights : NumberFormat
        Format in which couplings are stored (rounded once).
    state : NumberFormat
        Format in which the state is stored between steps (rounded at every store).
    accumulator : NumberFormat
        Format of the arithmetic: the products are summed and every operation of the
        update is rounded to it (float32 accumulation of 16-bit operands on GPUs).
    name : str
        Display name.
    """

    weights: NumberFormat
    state: NumberFormat
    accumulator: NumberFormat
    name: str = ""

    def __post_init__(self) -> None:
        for field in ("weights", "state", "accumulator"):
            if not isinstance(getattr(self, field), NumberFormat):
                raise ValueError(
                    f"MixedPrecision.{field} must be a NumberFormat, got {getattr(self, field)!r}"
                )
        if not self.name:
            object.__setattr__(
                self, "name", f"{self.weights}/{self.state}/{self.accumulator} (w/state/acc)"
            )

    @classmethod
    def uniform(cls, fmt: Any) -> MixedPrecision:
        """Everything in one format (pure low precision)."""
        f = get_format(fmt)
        return cls(f, f, f, name=str(f))

    def __str__(self) -> str:
        return self.name


def as_precision(fmt: Any) -> MixedPrecision:
    """A :class:`MixedPrecision` from a name, a NumberFormat or a MixedPrecision.

    A 16-bit or shorter float name alone means storage (weights and state) in that
    format with float32 accumulation, the mixed precision of GPU kernels
    (Micikevicius et al. 2018, ICLR, "Mixed precision training", Sec. 3); use
    ``MixedPrecision.uniform`` for arithmetic in the short format too.
    """
    if isinstance(fmt, MixedPrecision):
        return fmt
    f = get_format(fmt)
    if f.kind == "float" and f.bits <= 16:
        acc = FORMATS["float32"]
        return MixedPrecision(f, f, acc, name=f"{f} (float32 accumulation)")
    return MixedPrecision(f, f, f, name=str(f))


def quantize(
    x: Any,
    fmt: Any,
    *,
    seed: int = 0,
    step: int = 0,
    site: int = 0,
    return_overflows: bool = False,
) -> np.ndarray | tuple[np.ndarray, int]:
    """Round the values ``x`` to the format ``fmt`` (float64 output, same shape).

    Parameters
    ----------
    x : array_like
        Real values (inf and NaN allowed).
    fmt : NumberFormat or str
        Target format (see :func:`get_format`).
    seed, step, site : int
        Counter of the stochastic-rounding stream (flat index of each entry is the
        fourth component); ignored by deterministic roundings.
    return_overflows : bool
        Also return the number of entries that overflowed.
    """
    f = get_format(fmt)
    seed = check_int("seed", seed, minimum=0)
    step = check_int("step", step, minimum=0)
    site = check_int("site", site, minimum=0)
    a = np.asarray(x)
    if a.dtype.kind == "c":
        raise ValueError("x must be real, got complex values")
    a = np.ascontiguousarray(a, dtype=np.float64)
    out = np.empty(a.size)
    n = _k.round_array(a.ravel(), out, f.params(), seed, step, site)
    out = out.reshape(a.shape)
    return (out, int(n)) if return_overflows else out


def stream_uniforms(seed: int, step: int, site: int, n: int) -> np.ndarray:
    """The uniforms in [0, 1) of the counter-based stream for indices 0..n-1."""
    return _k.uniform_array(
        check_int("seed", seed, minimum=0),
        check_int("step", step, minimum=0),
        check_int("site", site, minimum=0),
        check_int("n", n, minimum=0),
    )
