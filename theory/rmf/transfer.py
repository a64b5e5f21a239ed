r"""Transfer functions of the RMF (and MF) neuron: rate as a function of input rates.

``neuron_rate`` is the single-neuron transfer function ``F(lam; w)`` (rate of a neuron
receiving Poisson trains of rates ``lam_k`` and jumps ``w_k``) with its gradient, by the
route that suits the intensity: the renewal integral for a linear intensity with reset
(:mod:`.renewal`), the closed form ``b + tau sum_k lam_k w_k`` for a linear intensity
without reset (the mean of a linear Hawkes process, Hawkes 1971, Biometrika 58:83, eq. 9),
and the stationary density (:mod:`.density`) otherwise.  ``rate_map`` applies it to every
class of a network: ``beta -> F(beta)`` (Baccelli & Taillefumier 2019, SIAM J. Appl. Dyn.
Syst. 18:1756, Sec. 4, eq. (4.2): the RMF rates are its fixed points).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rnmf.models import IntensityNetwork

from ._inputs import Reduced, reduce
from .density import density_rate
from .meanfield import mf_rate
from .renewal import renewal_rate

__all__ = [
    "NeuronRate",
    "class_map",
    "intensity_functions",
    "neuron_rate",
    "rate_map",
    "transfer",
]

LIMITS = ("rmf", "mf")
METHODS = ("auto", "renewal", "density")


@dataclass(frozen=True)
class NeuronRate:
    """Rate of one neuron, its gradient in the input rates and an error estimate."""

    beta: float
    grad: np.ndarray
    error: float
    method: str


def intensity_functions(net: IntensityNetwork) -> tuple[Callable, Callable | None]:
    """``(phi, dphi)`` as vectorised callables (``dphi`` None for a user callable)."""
    if net.phi == "linear":
        return (lambda v: np.maximum(v, 0.0)), (lambda v: (v >= 0).astype(float))
    if net.phi == "exp":
        lam0 = net.lam0
        f = lambda v: lam0 * np.exp(np.minimum(v, 700.0))  # noqa: E731
        return f, f
    user = net.phi
    return (lambda v: np.asarray(user(np.asarray(v, dtype=float)), dtype=float)), None


def neuron_rate(
    b: float,
    tau: float,
    r: float,
    lam: np.ndarray,
    w: np.ndarray,
    phi: Callable,
    *,
    kind: str,
    reset: bool = True,
    limit: str = "rmf",
    method: str = "auto",
    tol: float = 1e-9,
    dphi: Callable | None = None,
    fast: bool = False,
) -> NeuronRate:
    """Transfer function of one neuron (``kind``: "linear", "exp" or "callable").

    ``fast=True`` (for scans): the density route uses two coarse grids and one
    extrapolation step (relative error about 1e-3) and no gradient.
    """
    lam = np.atleast_1d(np.asarray(lam, dtype=float))
    w = np.atleast_1d(np.asarray(w, dtype=float))
    if limit == "mf":
        beta, g = mf_rate(b, tau, r, lam, w, phi, reset=reset, dphi=dphi)
        return NeuronRate(beta, g, 1e-11 * max(beta, 1e-300), "mf-deterministic")
    if kind == "linear" and not reset:
        return NeuronRate(b + tau * float(lam @ w), tau * w, 0.0, "linear-closed-form")
    if kind == "linear" and method in ("auto", "renewal"):
        rr = renewal_rate(b, tau, r, lam, w)
        return NeuronRate(rr.beta, rr.dbeta_dlam, 1e-11 * max(rr.beta, 1e-300), "renewal")
    if method == "renewal":
        raise ValueError("method='renewal' needs phi='linear' with reset")
    if fast:
        d = density_rate(b, tau, r, lam, w, phi, reset=reset, tol=1e-3, n0=120, max_levels=2,
                         derivs=False)  # fmt: skip
        return NeuronRate(d.beta, np.zeros(lam.size), d.error, "density")
    d = density_rate(b, tau, r, lam, w, phi, reset=reset, tol=tol)
    return NeuronRate(d.beta, d.dbeta_dlam, d.error, "density")


def _class_map(red: Reduced, limit: str, method: str, tol: float):
    net = red.net
    phi, dphi = intensity_functions(net)
    kind = net.phi_kind

    def F(beta: np.ndarray, classes: np.ndarray | None = None):
        idx = range(red.P) if classes is None else classes
        out = np.zeros(red.P)
        J = np.zeros((red.P, red.P))
        err = np.zeros(red.P)
        meth = ""
        for c in idx:
            u = red.units[c]
            lam = np.maximum(u.lam(beta), 0.0)
            nr = neuron_rate(
                u.b, u.tau, u.r, lam, u.w, phi, kind=kind, reset=net.reset, limit=limit,
                method=method, tol=tol, dphi=dphi,
            )  # fmt: skip
            out[c] = nr.beta
            J[c] = nr.grad @ u.C if u.C.size else 0.0
            err[c] = nr.error
            meth = nr.method
        return out, J, err, meth

    return F


def rate_map(
    net: IntensityNetwork,
    beta: np.ndarray,
    *,
    limit: str = "rmf",
    method: str = "auto",
    tol: float = 1e-9,
) -> tuple[np.ndarray, np.ndarray]:
    """The network rate map ``F(beta)`` (per neuron) and its Jacobian ``dF_i/dbeta_j``.

    ``beta`` holds one rate per neuron.  The fixed points of this map are the RMF
    (``limit="rmf"``) or mean-field (``limit="mf"``) stationary rates.
    """
    if limit not in LIMITS:
        raise ValueError(f"limit must be one of {LIMITS}, got {limit!r}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    beta = np.asarray(beta, dtype=float)
    if beta.shape != (net.N,) or not np.all(np.isfinite(beta)) or np.any(beta < 0):
        raise ValueError(f"beta must be {net.N} finite non-negative rates, got {beta!r}")
    red = reduce(net, symmetric=False)
    Fv, J, _, _ = _class_map(red, limit, method, tol)(beta)
    return Fv, J


def transfer(
    net: IntensityNetwork,
    neuron: int,
    input_rates: np.ndarray,
    *,
    limit: str = "rmf",
    method: str = "auto",
    tol: float = 1e-9,
) -> np.ndarray:
    """Transfer function ``F_i`` of neuron ``neuron`` at presynaptic rates ``input_rates``.

    ``input_rates`` has shape ``(..., N)`` (a rate for every neuron of the network; only
    the presynaptic ones matter); the result has shape ``(...)``.  Vectorised over the
    leading axes for phase diagrams and plots.
    """
    i = int(neuron)
    if not 0 <= i < net.N:
        raise ValueError(f"neuron must lie in [0, {net.N - 1}], got {neuron}")
    if limit not in LIMITS:
        raise ValueError(f"limit must be one of {LIMITS}, got {limit!r}")
    x = np.asarray(input_rates, dtype=float)
    if x.shape[-1:] != (net.N,) or not np.all(np.isfinite(x)) or np.any(x < 0):
        raise ValueError(f"input_rates must have shape (..., {net.N}), finite and >= 0")
    phi, dphi = intensity_functions(net)
    src = np.flatnonzero(net.W[:, i])
    ws = np.unique(net.W[src, i])
    C = (net.W[src, i][None, :] == ws[:, None]).astype(float)  # (K, n_src)
    if net.ext_rate[i] > 0 and net.ext_weight[i] != 0:
        ws = np.append(ws, net.ext_weight[i])
        C = np.vstack([C, np.zeros(src.size)])
    ext = np.zeros(ws.size)
    if net.ext_rate[i] > 0 and net.ext_weight[i] != 0:
        ext[-1] = net.ext_rate[i]
    flat = x.reshape(-1, net.N)
    out = np.empty(flat.shape[0])
    for n, row in enumerate(flat):
        lam = C @ row[src] + ext
        out[n] = neuron_rate(
            float(net.b[i]), float(net.tau[i]), float(net.r[i]), lam, ws, phi,
            kind=net.phi_kind, reset=net.reset, limit=limit, method=method, tol=tol,
            dphi=dphi,
        ).beta  # fmt: skip
    return out.reshape(x.shape[:-1])


def class_map(red: Reduced, limit: str, method: str, tol: float):
    """``F(beta_classes) -> (F, J, error, method)`` for a reduced network (internal)."""
    return _class_map(red, limit, method, tol)
