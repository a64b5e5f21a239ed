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
from scipy import special

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


_A_ERF = math.sqrt(math.pi) / 2.0  # rnmf "erf" kind: phi = erf(a x), phi'(0) = 1
_WIDE_D = 100.0  # variances above which tanh/erf averages switch to the x-space rule
_X_CORE = 20.0  # tanh/erf deviate from their saturated forms by < 2e-17 beyond |x| = 20
_X_NODES = np.linspace(-_X_CORE, _X_CORE, 201)  # step 0.2


def _f_of(tr: Any, name: str, x: np.ndarray, z: np.ndarray) -> np.ndarray:
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


def _moments_wide(tr: Any, mu: np.ndarray, D: np.ndarray, which: tuple[str, ...]) -> dict:
    r"""Averages of tanh/erf-type phi at large variance D, integrated in x rather than z.

    For :math:`\sqrt D \gg 1` the features of phi (width O(1) in x) are narrower than any
    affordable step in z.  Each function is split into a saturated part with a closed-form
    average and a remainder that decays exponentially in |x|:
    :math:`\phi = \mathrm{erf}(ax) + [\phi - \mathrm{erf}(ax)]` with
    :math:`\langle\mathrm{erf}(ax)\rangle = \mathrm{erf}(a\mu/\sqrt{1 + 2a^2D})` (the
    Gaussian average of erf; Owen 1980, Commun Stat B 9:389, eq. 10,010.8),
    :math:`\phi^2 = 1 - (1 - \phi^2)`, and :math:`\phi'`, :math:`\phi'^2`, :math:`\phi\phi'`
    (also times z, z^2) decay themselves.  The remainders are integrated against the
    Gaussian density on :math:`|x| \le 20` by the trapezoidal rule with step 0.2 (analytic
    in the strip :math:`|\mathrm{Im}\,x| < \pi/2`: error ~ :math:`e^{-\pi^2/0.2} \approx 4\cdot10^{-22}`,
    Trefethen & Weideman 2014, SIAM Review 56:385, Thm. 5.1; truncation ~ :math:`e^{-40}`).
    """
    x = _X_NODES
    h = x[1] - x[0]
    sd = np.sqrt(D)[..., None]
    z = (x - mu[..., None]) / sd
    dens = h * np.exp(-0.5 * z * z) / (math.sqrt(2.0 * math.pi) * sd)
    out = {}
    for name in which:
        if name == "phi":
            sat = special.erf(_A_ERF * mu / np.sqrt(1.0 + 2.0 * _A_ERF**2 * D))
            rem = tr(x) - special.erf(_A_ERF * x)
            out[name] = sat + dens @ rem
        elif name == "phi2":
            out[name] = 1.0 - dens @ (1.0 - tr(x) ** 2)
        else:
            out[name] = np.sum(dens * _f_of(tr, name, x[None, :] + 0.0 * z, z), axis=-1)
    return out


def _moments(tr: Any, mu: Any, D: Any, which: tuple[str, ...]) -> dict[str, np.ndarray]:
    r"""Gaussian averages :math:`\langle f(\mu+\sqrt{D}z)\rangle` of the named functions.

    Names: ``phi, dphi, phi2, dphi2`` (and for scalars ``zdphi, z2dphi, pdp, zpdp, z2pdp``
    with ``pdp = phi phi'``).  D = 0: the functions at mu (exact, no quadrature).  Smooth
    phi: one trapezoidal rule in z shared by all functions (:mod:`rnmf.theory.gaussian`,
    exponentially accurate), except tanh/erf at D > 100, whose O(1)-wide features that
    rule cannot resolve at large sqrt(D): those use :func:`_moments_wide` (x-space rule,
    accurate at any D).  relu: split at the kink.
    """
    mu, D = np.broadcast_arrays(np.asarray(mu, float), np.asarray(D, float))
    D = np.maximum(D, 0.0)

    if tr.kind == "relu":
        out = {}
        if mu.ndim == 0:
            m0, s0 = float(mu), math.sqrt(float(D))
            for name in which:

                def f(x: np.ndarray, name: str = name) -> np.ndarray:
                    z = (x - m0) / s0 if s0 > 0 else np.zeros_like(x)
                    return _f_of(tr, name, x, z)

                out[name] = np.asarray(expect(f, m0, float(D), kink=tr.theta, n=48))
            return out
        for name in which:
            if name.startswith("z"):
                raise ValueError("z-weighted relu moments are scalar only")
            out[name] = np.asarray(
                expect(lambda x, name=name: _f_of(tr, name, x, x), mu, D, kink=tr.theta, n=32)
            )
        return out
    out = {name: np.empty(mu.shape) for name in which}
    zero = D == 0.0
    wide = (D > _WIDE_D) if tr.kind in ("tanh", "erf") else np.zeros(D.shape, bool)
    rest = ~zero & ~wide
    if np.any(zero):
        m0 = mu[zero]
        for name in which:
            # x = mu exactly: <z> = 0, <z^2> = 1
            if name in ("zdphi", "zpdp"):
                out[name][zero] = 0.0
            else:
                base = {"z2dphi": "dphi", "z2pdp": "pdp"}.get(name, name)
                out[name][zero] = _f_of(tr, base, m0, np.zeros_like(m0))
    if np.any(wide):
        for name, val in _moments_wide(tr, mu[wide], D[wide], which).items():
            out[name][wide] = val
    if np.any(rest):
        mr, Dr = mu[rest], D[rest]
        z, w = nodes(None, dmax=float(np.max(Dr)))
        x = mr[..., None] + np.sqrt(Dr)[..., None] * z
        for name in which:
            out[name][rest] = _f_of(tr, name, x, z) @ w
    return {name: (v if v.ndim else v[()]) for name, v in out.items()}


# ----------------------------------------------------------------------------------------
# loadings in array form
# ----------------------------------------------------------------------------------------
def _empirical(net: LowRankNetwork) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""The empirical measure of explicit vectors as a mixture of delta populations.

    Unit i carries :math:`a_i = (m_i, I_i)` (the entries that act on :math:`x_i`) and
    :math:`n_i`.  In the mean-field equations unit i contributes
    :math:`n_{ir}\langle\phi(a_i\cdot v + \eta)\rangle`, with :math:`\eta` its Gaussian bulk
    field, so units with equal :math:`a_i` form one population of weight
    :math:`N_p/N` with mean :math:`(\bar m, \bar n, \bar I)`, no variance in m and I and
    the within-population covariance of n (which then enters no average: the Stein term
    :math:`\mathrm{Cov}_p(n, x)` vanishes because x does not vary with n within p).  This
    is exact for the given N units; Gaussian loadings are never assumed.

    Returns weights (P,), means (P, D) and covariances (P, D, D), P <= N.
    """
    R = net.R
    m, n = np.asarray(net.m), np.asarray(net.n)
    I = np.asarray(net.input_vectors) if net.input_vectors is not None else np.zeros((net.N, 0))
    a = np.concatenate([m, I], axis=1)
    _, inv, counts = np.unique(a, axis=0, return_inverse=True, return_counts=True)
    inv = inv.ravel()
    X = np.concatenate([m, n, I], axis=1)
    P, D = counts.size, X.shape[1]
    M = np.zeros((P, D))
    np.add.at(M, inv, X)
    M /= counts[:, None]
    C = np.zeros((P, D, D))
    if np.any(counts > 1):
        dn = n - M[inv, R : 2 * R]
        cnn = np.zeros((P, R, R))
        np.add.at(cnn, inv, dn[:, :, None] * dn[:, None, :])
        C[:, R : 2 * R, R : 2 * R] = cnn / counts[:, None, None]
    return counts / net.N, M, C


COARSE_P = 64  # populations of the coarse measure used to scan explicit networks


def _coarsen(
    w: np.ndarray, M: np.ndarray, C: np.ndarray, idx: np.ndarray, P_max: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Merge the P delta populations of an empirical measure into ``P_max`` Gaussian ones.

    Median splits (a k-d tree): the population of largest weight times spread in the
    entries that act on x (``idx``) is split at the weighted median of its widest entry,
    until there are ``P_max``.  Each leaf becomes a Gaussian population with the leaf's
    weight, mean and covariance (moment matching: between-unit spread plus the units' own
    covariances), i.e. the empirical measure as a Gaussian mixture (Beiran et al. 2021,
    Neural Comput 33:1572, Sec. 2.2) whose error vanishes as the leaves shrink.  Used to
    scan for states cheaply; states are then polished, or checked, on the exact measure.
    """
    leaves = [np.arange(w.size)]
    A = M[:, idx]

    def spread(ix: np.ndarray) -> tuple[float, int]:
        if ix.size < 2:
            return -1.0, 0
        ww = w[ix] / w[ix].sum()
        a = A[ix]
        var = ww @ (a - ww @ a) ** 2
        j = int(np.argmax(var))
        return float(w[ix].sum() * var[j]), j

    scores = [spread(leaves[0])]
    while len(leaves) < P_max:
        k = int(np.argmax([sc for sc, _ in scores]))
        if scores[k][0] <= 0.0:
            break
        ix, j = leaves[k], scores[k][1]
        order = ix[np.argsort(A[ix, j], kind="stable")]
        cw = np.cumsum(w[order])
        cut = int(np.searchsorted(cw, 0.5 * cw[-1]))
        cut = min(max(cut, 1), order.size - 1)
        left, right = order[:cut], order[cut:]
        leaves[k : k + 1] = [left, right]
        scores[k : k + 1] = [spread(left), spread(right)]
    P, D = len(leaves), M.shape[1]
    wo, Mo, Co = np.empty(P), np.empty((P, D)), np.empty((P, D, D))
    for p, ix in enumerate(leaves):
        W = w[ix].sum()
        mean = w[ix] @ M[ix] / W
        d = M[ix] - mean
        Co[p] = (np.einsum("i,ij,ik->jk", w[ix], d, d) + np.einsum("i,ijk->jk", w[ix], C[ix])) / W
        wo[p], Mo[p] = W, mean
    return wo / wo.sum(), Mo, 0.5 * (Co + np.swapaxes(Co, 1, 2))


class _Load:
    """Loading statistics of ``net`` as arrays (numerics only).

    Gaussian or mixture loadings: the model's populations.  Explicit vectors: their
    empirical measure (:func:`_empirical`), a mixture of delta populations.
    """

    def __init__(
        self,
        net: LowRankNetwork,
        inputs: np.ndarray | None = None,
        *,
        arrays: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self.net = net
        R, K = net.R, net.K
        if arrays is not None:
            w, M, C = arrays
            self.empirical = False
        elif net.explicit:
            w, M, C = _empirical(net)
            self.empirical = True
        else:
            w, M, C = net.weight_array(), net.mean_array(), net.cov_array()
            self.empirical = False
        self.coarsened = arrays is not None
        self.R, self.K, self.P = R, K, w.size
        self.w, self.M, self.C = w, M, C
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

    def coarse(self, P_max: int = COARSE_P) -> _Load:
        """This measure with at most ``P_max`` populations (:func:`_coarsen`); ``self`` when
        it has no more than that (Gaussian, mixture, or few distinct explicit units)."""
        if self.P <= P_max:
            return self
        return _Load(self.net, self.u, arrays=_coarsen(self.w, self.M, self.C, self.idx, P_max))

    def v(self, kappa: np.ndarray) -> np.ndarray:
        kappa = np.asarray(kappa, float)
        u = np.broadcast_to(self.u, kappa.shape[:-1] + (self.K,))
        return np.concatenate([kappa, u], axis=-1)

    def stats(self, kappa: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """mu_p, S_p (static variance from the loadings), Cov_p(n_r, x) for kappa (..., R)."""
        v = self.v(kappa)
        mu = v @ self.Ma.T
        if self.empirical:  # delta populations: no variance of x from the loadings
            return mu, np.zeros(mu.shape), np.zeros(mu.shape + (self.R,))
        S = np.einsum("...i,pij,...j->...p", v, self.Caa, v)
        cn = np.einsum("pri,...i->...pr", self.Cna, v)
        return mu, np.maximum(S, 0.0), cn


def _require_g0(net: LowRankNetwork, what: str) -> None:
    if net.g != 0.0:
        raise ValueError(
            f"{what} is exact for g = 0 (no random bulk); got g = {net.g}. "
            "For g > 0 use solve() for the stationary states or rnmf.sim for trajectories"
        )
