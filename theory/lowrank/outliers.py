r"""Eigenvalue outliers of the low-rank plus random connectivity :math:`g\chi + mn^T/N`.

Overlap eigenvalues (Mastrogiuseppe & Ostojic 2018, Neuron 99:609, Results) and their
exact finite-N values from the matrix determinant lemma (Tao 2013, PTRF 155:231).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnmf.models import LowRankNetwork
from rnmf.results import ConvergenceError

from ._load import _check_lr

__all__ = ["connectivity_outliers"]


# ----------------------------------------------------------------------------------------
# eigenvalue outliers of the connectivity itself
# ----------------------------------------------------------------------------------------
def connectivity_outliers(
    net: LowRankNetwork, *, chi: Any = None, tol: float = 1e-12, max_terms: int = 200
) -> tuple[np.ndarray, float]:
    r"""Outliers and bulk radius of :math:`J = g\chi + mn^T/N`.

    The nonzero eigenvalues of :math:`mn^T/N` are those of the R x R overlap matrix
    :math:`n^Tm/N` (M&O 2018, Results, unit-rank structure: :math:`\lambda = n^Tm/N`); the bulk
    :math:`g\chi` is a disc of radius g (circular law) and perturbs an outlier of modulus
    > g by :math:`O(g/\sqrt N)` (Tao 2013, PTRF 155:231).  For explicit vectors the
    finite-N overlap of the given vectors is used, otherwise the population overlap
    :math:`\langle n_rm_s\rangle`.

    With the sampled bulk ``chi`` (explicit vectors only) the finite-N outliers are solved
    exactly: :math:`\lambda` outside the bulk is an eigenvalue of J iff
    :math:`\det\big(1 - n^T(\lambda - g\chi)^{-1}m/N\big) = 0` (matrix determinant lemma),
    i.e. :math:`\lambda` is an eigenvalue of
    :math:`M(\lambda) = \sum_{k\ge0} n^T(g\chi)^k m/(N\lambda^k)` (Neumann series, converging
    for :math:`|\lambda| > g`), solved by fixed-point iteration from the overlap eigenvalues.

    Parameters
    ----------
    net : LowRankNetwork
    chi : array (N, N), optional
        The random part with :math:`\chi_{ij}\sim N(0, 1/N)` (so J = g chi + m n^T / N).
    tol : float
        Relative tolerance of the fixed-point iteration and of the truncated series.
    max_terms : int
        Maximum number of series terms and of iterations.

    Returns
    -------
    outliers : ndarray of complex
        Predicted outliers (modulus > g), by decreasing modulus.
    bulk_radius : float
        g.
    """
    from rnmf._checks import check_array, check_int, check_positive

    net = _check_lr(net)
    tol = check_positive("tol", tol)
    max_terms = check_int("max_terms", max_terms, minimum=1, maximum=100_000)
    if chi is not None:  # checked whenever given, also where it is not needed below
        if not net.explicit:
            raise ValueError(
                "chi needs a network with explicit vectors m, n (use net.sampled(rng))"
            )
        chi = check_array("chi", chi, shape=(net.N, net.N))
    if net.explicit:
        O = np.asarray(net.n).T @ np.asarray(net.m) / net.N
    else:
        O = net.overlap()
    ev = np.linalg.eigvals(O).astype(complex)
    ev = ev[np.argsort(-np.abs(ev))]
    ev = ev[np.abs(ev) > net.g]
    if chi is None or net.g == 0.0 or ev.size == 0:
        return ev, float(net.g)
    m, n = np.asarray(net.m), np.asarray(net.n)
    # series terms T_k = n^T (g chi)^k m / N, computed once
    terms = [n.T @ m / net.N]
    v = m.copy()
    gmin = min(abs(complex(x)) for x in ev)
    # term k scales like (g / |lambda|)^k (spectral radius of chi -> 1): stop below tol / 10
    for _ in range(max_terms):
        if (net.g / gmin) ** len(terms) < 0.1 * tol:
            break
        v = net.g * (chi @ v)
        terms.append(n.T @ v / net.N)
    T = np.array(terms)
    out = []
    for lam in ev:
        for _ in range(max_terms):
            Ml = np.tensordot(lam ** -np.arange(T.shape[0]), T, axes=1)
            w = np.linalg.eigvals(Ml)
            new = w[np.argmin(np.abs(w - lam))]
            if abs(new - lam) <= tol * abs(lam):
                lam = new
                break
            lam = new
        else:
            raise ConvergenceError(f"finite-N outlier iteration did not converge near {lam:.6g}")
        out.append(lam)
    out = np.array(out, dtype=complex)
    return out[np.argsort(-np.abs(out))], float(net.g)
