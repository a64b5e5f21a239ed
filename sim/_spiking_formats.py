"""Number-format path of :func:`rnmf.sim.spiking.simulate_lif`: resolving ``fmt`` and
rounding the host-prepared constants once (:mod:`rnmf.sim.formats`)."""

from __future__ import annotations

from typing import Any

from ._kernels.spiking import Net, Params, State
from .formats import MixedPrecision, as_precision, quantize


def _resolve_lif_format(fmt: Any) -> tuple[MixedPrecision | None, str]:
    """(None, name) for the native float64/float32 paths, else (precision, its name)."""
    if isinstance(fmt, str) and fmt in ("float64", "float32"):
        return None, fmt
    try:
        prec = as_precision(fmt)
    except ValueError as err:
        raise ValueError(
            f"fmt must be 'float64', 'float32', a format name, a NumberFormat or a "
            f"MixedPrecision: {err}"
        ) from None
    return prec, str(prec)


def _round_lif(prec: MixedPrecision, par: Params, knet: Net, st: State, key: int):
    """Weights to the weight format, V0 to the state format, constants to nearest in the
    accumulator format (prepared once by the host)."""
    acc = prec.accumulator.with_rounding("nearest")
    fpar = quantize(par.fpar, acc, seed=key, site=14)
    V_inf = quantize(par.V_inf, acc, seed=key, site=15)
    ext_val = quantize(par.ext_val, prec.weights, seed=key, site=16)
    W = quantize(knet.W, prec.weights, seed=key, site=17)
    V = quantize(st.V, prec.state, seed=key, site=18)
    weights = knet.weights
    if weights.size:  # per-synapse weights (a weight spread), rounded like W
        weights = quantize(weights, prec.weights, seed=key, site=19)
    return (
        par._replace(fpar=fpar, V_inf=V_inf, ext_val=ext_val),
        knet._replace(W=W, weights=weights),
        st._replace(V=V),
    )
