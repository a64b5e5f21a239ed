"""Tables and construction of the Potjans & Diesmann (2014) cortical microcircuit.

:meth:`rnmf.models.LIFNetwork.microcircuit` documents the model and calls :func:`build`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from rnmf._checks import check_choice, check_nonnegative, check_positive

from .delays import Delay

# Potjans & Diesmann (2014) Cereb Cortex 24:785, Table 5 (also NEST's Potjans_2014 example)
_PD14_POPS = ("L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I")
_PD14_N = (20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948)
_PD14_CONN = (  # connection probabilities, target (row) x source (column)
    (0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0),
    (0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0),
    (0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.0),
    (0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0),
    (0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0),
    (0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.0),
    (0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252),
    (0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443),
)
_PD14_K_EXT = (1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100)
_PD14_N_TH = 902
_PD14_CONN_TH = (0.0, 0.0, 0.0983, 0.0619, 0.0, 0.0, 0.0512, 0.0196)
#: simulated full-scale rates (Hz) shipped with NEST's Potjans_2014 example, used by
#: default for the DC compensation of a scaled in-degree (van Albada et al. 2015)
_PD14_FULL_RATES = (0.971, 2.868, 4.746, 5.396, 8.142, 9.078, 0.991, 7.523)


def _indegrees_from_probability(p: np.ndarray, N_post: Any, N_pre: Any) -> np.ndarray:
    """In-degrees of the fixed-total-number rule: the number of synapses ``S`` drawn
    with replacement gives connection probability ``1 - (1 - 1/(N_pre N_post))^S``, so
    ``K = S / N_post = log(1 - p) / log(1 - 1/(N_pre N_post)) / N_post`` (Potjans &
    Diesmann 2014, Table 4)."""
    p = np.asarray(p, dtype=float)
    if np.any(p < 0) or np.any(p >= 1):
        raise ValueError(f"connection probabilities must lie in [0, 1), got {p.tolist()}")
    Npost = np.asarray(N_post, dtype=float)
    Npre = np.asarray(N_pre, dtype=float)
    return np.log1p(-p) / np.log1p(-1.0 / (Npre * Npost)) / Npost


def build(
    cls: Any,
    *,
    scale: float,
    k_scale: float | None,
    thalamic: bool,
    thalamic_rate: float,
    background: str,
    full_rates: Any,
    delay_low: float,
    J_sd: float,
    J_truncate: bool,
    name: str,
) -> Any:
    """The microcircuit as an instance of ``cls`` (see ``LIFNetwork.microcircuit``)."""
    from ._lif_fields import _as_float_array
    from .lif import _QUIET_UNITS

    where = "LIFNetwork.microcircuit"
    scale = check_positive(f"{where}: scale", scale)
    if scale > 1.0:
        raise ValueError(f"{where}: scale must lie in (0, 1], got {scale!r}")
    k_scale = scale if k_scale is None else check_positive(f"{where}: k_scale", k_scale)
    if k_scale > 1.0:
        raise ValueError(f"{where}: k_scale must lie in (0, 1], got {k_scale!r}")
    thalamic_rate = check_nonnegative(f"{where}: thalamic_rate (Hz)", thalamic_rate)
    check_choice(f"{where}: background", background, ("poisson", "dc"))
    delay_low = check_positive(f"{where}: delay_low (ms)", delay_low)
    J_sd = check_nonnegative(f"{where}: J_sd", J_sd)
    if not isinstance(thalamic, bool):
        raise ValueError(f"{where}: thalamic must be True or False, got {thalamic!r}")
    if full_rates is None:
        nu_full = np.array(_PD14_FULL_RATES)
    else:
        nu_full = _as_float_array(f"{where}: full_rates (Hz)", full_rates)
        if nu_full.shape != (8,) or not np.all(np.isfinite(nu_full)) or np.any(nu_full < 0):
            raise ValueError(
                f"{where}: full_rates (Hz) must be 8 finite rates >= 0, got {full_rates!r}"
            )
    N_full = np.array(_PD14_N, dtype=float)
    C = np.array(_PD14_CONN)
    K_full = _indegrees_from_probability(C, N_full[:, None], N_full[None, :])
    tau_s, C_m, tau_m = 0.5, 250.0, 10.0
    j = 87.8 * tau_s / C_m  # mV (Table 5: w = 87.8 pA)
    J_full = np.tile([j, -4.0 * j], (8, 4))
    J_full[0, 2] *= 2.0  # L4E -> L23E doubled (Table 5)
    rate = np.full((8, 1), 8.0)
    K_ext = np.array(_PD14_K_EXT, dtype=float)[:, None]
    J_ext = np.full((8, 1), j)
    if thalamic:
        K_th = _indegrees_from_probability(np.array(_PD14_CONN_TH), N_full, _PD14_N_TH)
        rate = np.hstack([rate, np.full((8, 1), thalamic_rate)])
        K_ext = np.hstack([K_ext, K_th[:, None]])
        J_ext = np.hstack([J_ext, np.full((8, 1), j)])
    dc = np.zeros(8)
    if background == "dc":
        dc += tau_m * K_ext[:, 0] * J_ext[:, 0] * rate[:, 0] / 1000.0
        K_ext[:, 0] = 0.0
    sq = math.sqrt(k_scale)
    dc += (1.0 - sq) * tau_m * ((K_full * J_full) @ nu_full) / 1000.0
    dc += (1.0 - sq) * tau_m * np.sum(K_ext * J_ext * rate, axis=1) / 1000.0
    N = tuple(max(1, int(round(n * scale))) for n in _PD14_N)
    d_e = Delay.truncated_gaussian(1.5, 0.75, low=delay_low)
    d_i = Delay.truncated_gaussian(0.75, 0.375, low=delay_low)
    delays = tuple(tuple(d_e if b % 2 == 0 else d_i for b in range(8)) for _ in range(8))
    token = _QUIET_UNITS.set(True)
    try:
        return cls(
            N=N,
            K=K_full * k_scale,
            J=J_full / sq,
            connectivity="fixed_total_number",
            delay=delays,
            tau_m=tau_m,
            V_th=-50.0,
            V_reset=-65.0,
            E_L=-65.0,
            t_ref=2.0,
            tau_s=tau_s,
            C_m=C_m,
            nu_ext=rate,
            C_ext=K_ext * k_scale,
            J_ext=J_ext / sq,
            mu_ext=dc,
            J_sd=J_sd,
            J_truncate=J_truncate,
            populations=_PD14_POPS,
            name=name,
        )
    finally:
        _QUIET_UNITS.reset(token)
