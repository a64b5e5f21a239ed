"""Shared definitions of :mod:`rnmf.theory.precision`: rounding modes and float formats."""

from __future__ import annotations

import math
from typing import Any

from rnmf._checks import check_int

ROUNDINGS = ("nearest", "zero", "floor", "stochastic")
MANTISSA_BITS = {
    "float64": 52,
    "float32": 23,
    "float16": 10,
    "bfloat16": 7,
    "fp8_e4m3": 3,
    "fp8_e5m2": 2,
}
"""Stored mantissa bits t of the named float formats (IEEE 754-2019; OCP fp8)."""


def _mantissa_bits(fmt: Any) -> int:
    if isinstance(fmt, str):
        key = {"fp32": "float32", "fp16": "float16", "half": "float16", "bf16": "bfloat16"}.get(
            fmt.split("-")[0].lower(), fmt.split("-")[0].lower()
        )
        if key not in MANTISSA_BITS:
            raise ValueError(f"fmt must name a float format {sorted(MANTISSA_BITS)}, got {fmt!r}")
        return MANTISSA_BITS[key]
    if hasattr(fmt, "mantissa_bits") and getattr(fmt, "kind", "float") == "float":
        return int(fmt.mantissa_bits)
    return check_int("fmt (stored mantissa bits)", fmt, minimum=1, maximum=52)


def round_float(x: float, mantissa_bits: int, rounding: str = "nearest") -> float:
    """Round a normal float64 ``x`` to ``mantissa_bits`` stored bits (exponent range unbounded).

    Stochastic rounding has no single value: it returns the expectation ``x``.
    """
    if x == 0 or not math.isfinite(x) or rounding == "stochastic":
        return float(x)
    _, E = math.frexp(x)
    sh = mantissa_bits - (E - 1)
    y = math.ldexp(x, sh)
    k = {"nearest": round, "zero": math.trunc, "floor": math.floor}[rounding](y)
    return math.ldexp(float(k), -sh)
