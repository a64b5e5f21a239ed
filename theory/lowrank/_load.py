r"""Loading statistics and Gaussian moments shared by the low-rank mean-field theory.

:class:`_Load` holds the loading statistics of a :class:`rnmf.models.LowRankNetwork` as
arrays (means and covariances of :math:`(m_1..m_R, n_1..n_R, I_1..I_K)` per population,
Beiran et al. 2021, Neural Comput 33:1572, Sec. 2); :func:`_moments` evaluates the
Gaussian averages :math:`\langle f(\mu+\sqrt{D}z)\rangle` that enter the mean-field
equations of Mastrogiuseppe & Ostojic 2018 (Neuron 99:609, STAR Methods).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from rnmf.models import LowRankNetwork

from ..gaussian import expect, nodes


# ----------------------------------------------------------------------------------------
# Gaussian moments
# ----------------------------------------------------------------------------------------
def _check_lr(net: Any) -> LowRankNetwork:
    if not isinstance(net, LowRankNetwork):
        raise ValueError(
            f"net must be an rnmf LowRankNetwork, got {type(net).__name__}; "
            "build one with LowRankNetwork.rank_one(...) or LowRankNetwork(N, g, R, means, cov)"
        )
    return net


def _bounded(tr: Any) -> bool:
    return tr.kind in ("tanh", "erf")


def _moments(tr: Any, mu: Any, D: Any, which: tuple[str, ...]) -> dict[str, np.ndarray]:
    r"""Gaussian averages :math:`\langle f(\mu+\sqrt{D}z)\rangle` of the named functions.

    Names: ``phi, dphi, phi2, dphi2`` (and for scalars ``zdphi, z2dphi, pdp, zpdp, z2pdp``
    with ``pdp = phi phi'``).  Smooth phi: one trapezoidal rule shared by all functions
    (:mod:`rnmf.theory.gaussian`, exponentially accurate); relu: split at the kink.
    """
    mu, D = np.broadcast_arrays(np.asarray(mu, float), np.asarray(D, float))
    D = np.maximum(D, 0.0)

    def f_of(name: str, x: np.ndarray, z: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            if name == "phi":
                return tr(x)
            if name == "dphi":
                return tr.derivative(x)
            if name == "phi2":
                return tr(x) ** 2
            if name == "dphi2":
                return tr.derivative(x) ** 2
            if name == "zdphi":
                return z * tr.derivative(x)
            if name == "z2dphi":
                return z * z * tr.derivative(x)
            if name == "pdp":
                return tr(x) * tr.derivative(x)
            if name == "zpdp":
                return z * tr(x) * tr.derivative(x)
            if name == "z2pdp":
                return z * z * tr(x) * tr.derivative(x)
        raise KeyError(name)

    if tr.kind == "relu":
        out = {}
        if mu.ndim == 0:
            m0, s0 = float(mu), math.sqrt(float(D))
            for name in which:

                def f(x: np.ndarray, name: str = name) -> np.ndarray:
                    z = (x - m0) / s0 if s0 > 0 else np.zeros_like(x)
                    return f_of(name, x, z)

                out[name] = np.asarray(expect(f, m0, float(D), kink=tr.theta, n=48))
            return out
        for name in which:
            if name.startswith("z"):
                raise ValueError("z-weighted relu moments are scalar only")
            out[name] = np.asarray(
                expect(lambda x, name=name: f_of(name, x, x), mu, D, kink=tr.theta, n=32)
            )
        return out
    z, w = nodes(None, dmax=float(np.max(D)) if D.size else 1.0)
    x = mu[..., None] + np.sqrt(D)[..., None] * z
    return {name: f_of(name, x, z) @ w for name in which}


# ----------------------------------------------------------------------------------------
# loadings in array form
# ----------------------------------------------------------------------------------------
class _Load:
    """Loading statistics of ``net`` as arrays (numerics only)."""

    def __init__(self, net: LowRankNetwork, inputs: np.ndarray | None = None) -> None:
        self.net = net
        R, K = net.R, net.K
        self.R, self.K, self.P = R, K, net.P
        self.w = net.weight_array()
        M = net.mean_array()
        C = net.cov_array()
        self.idx = np.r_[np.arange(R), 2 * R + np.arange(K)]  # entries acting on x
        self.Ma = M[:, self.idx]  # (P, R+K)
        self.Mm = M[:, :R]  # (P, R)
        self.Mn = M[:, R : 2 * R]  # (P, R)
        self.Caa = C[:, self.idx][:, :, self.idx]  # (P, R+K, R+K)
        self.Cna = C[:, R : 2 * R][:, :, self.idx]  # (P, R, R+K)
        self.Cma = C[:, :R][:, :, self.idx]  # (P, R, R+K)
        self.Cnm = C[:, R : 2 * R, :R]  # (P, R, R)
        self.u = np.asarray(net.inputs if inputs is None else inputs, float)
        self.g2 = net.g**2
        self.tr = net.phi

    def v(self, kappa: np.ndarray) -> np.ndarray:
        kappa = np.asarray(kappa, float)
        u = np.broadcast_to(self.u, kappa.shape[:-1] + (self.K,))
        return np.concatenate([kappa, u], axis=-1)

    def stats(self, kappa: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """mu_p, S_p (static variance from the loadings), Cov_p(n_r, x) for kappa (..., R)."""
        v = self.v(kappa)
        mu = v @ self.Ma.T
        S = np.einsum("...i,pij,...j->...p", v, self.Caa, v)
        cn = np.einsum("pri,...i->...pr", self.Cna, v)
        return mu, np.maximum(S, 0.0), cn


def _require_g0(net: LowRankNetwork, what: str) -> None:
    if net.g != 0.0:
        raise ValueError(
            f"{what} is exact for g = 0 (no random bulk); got g = {net.g}. "
            "For g > 0 use solve() for the stationary states or rnmf.sim for trajectories"
        )
