r"""Leading-order rates of the balanced state of an LIF network.

With in-degrees ``K_ab = O(K)`` and weights ``J_ab = O(1/sqrt(K))`` the mean input stays
finite only if excitation and inhibition cancel to leading order, which fixes the
rates by the linear balance equations ``sum_b W_ab nu_b + I_ext,a = 0``
(van Vreeswijk & Sompolinsky 1998, Sec. 4, eqs. 4.5-4.6 and 4.17-4.18).  This module
holds :class:`BalancedRates` and :func:`balanced_rates`.

References
----------
.. [1] C. van Vreeswijk and H. Sompolinsky, "Chaotic balanced state in a model of
   cortical circuits", Neural Comput. 10, 1321 (1998).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnmf.models import LIFNetwork
from rnmf.results import Result, Status

from .inputs import _groups, _net_arrays


@dataclass(frozen=True, kw_only=True, repr=False)
class BalancedRates(Result):
    """Leading-order rates of the balanced state (van Vreeswijk & Sompolinsky 1998).

    Attributes
    ----------
    rates : ndarray (P,)
        ``nu = -W^{-1} I_ext`` in Hz (populations with identical inputs share a rate).
    positive : bool
        All rates > 0: the balanced solution exists.
    W : ndarray (Q, Q)
        Reduced total coupling ``sum_{b in B} K_ab J_ab`` (mV) between the Q groups.
    I_ext : ndarray (Q,)
        External drive ``C_ext J_ext nu_ext`` (mV Hz).
    conditions : str
        The inequalities the drive and couplings must satisfy (two groups) or the
        general criterion.
    """

    rates: np.ndarray
    positive: bool
    W: np.ndarray
    I_ext: np.ndarray
    conditions: str = ""


def balanced_rates(net: LIFNetwork) -> BalancedRates:
    r"""Leading-order balanced-state rates for large in-degree, ``J ~ 1/sqrt(K)``.

    With ``K_ab = O(K)`` and ``J_ab = O(1/sqrt(K))`` the mean input
    ``mu_a = tau (sum_b K_ab J_ab nu_b + C_ext J_ext nu_ext) + mu_ext`` is a sum of
    ``O(sqrt K)`` terms; it stays finite only if they cancel to leading order,

    .. math:: \sum_b W_{ab}\nu_b + I_{ext,a} = 0 \;\Rightarrow\; \nu = -W^{-1} I_{ext},

    (van Vreeswijk & Sompolinsky 1998, Sec. 4, the balance conditions; in their notation,
    with the E-to-E and E-to-I weights normalised to 1, ``m_E - J_E m_I + E m_0 = 0``,
    ``m_E - J_I m_I + I m_0 = 0``, the large-K limit of their eqs. 4.17-4.18), independent of the
    single-neuron transfer function; ``mu_ext`` is O(1) and drops out.  Populations
    with identical inputs are merged first (for Brunel's model A, ``nu = nu_ext /
    (g gamma - 1)``).  For two groups with ``W = [[w_EE, -w_EI], [w_IE, -w_II]]``
    (all ``w > 0``) the solution is positive iff
    ``I_E/I_I > w_EI/w_II > w_EE/w_IE`` or ``I_E/I_I < w_EI/w_II < w_EE/w_IE``; van
    Vreeswijk & Sompolinsky's balanced state requires the first (their eq. 4.5,
    ``E/I > J_E/J_I > 1`` after normalisation; the other ordering, eq. 4.6, gives the
    unbalanced state ``m_E = 0`` of eq. 4.7).  Corrections are ``O(1/sqrt(K))``.

    Returns
    -------
    BalancedRates
        ``converged=False`` (status NO_SOLUTION) when W is singular; ``positive`` tells
        whether the balanced state exists.  Never raises for a valid network.

    References
    ----------
    C. van Vreeswijk and H. Sompolinsky, Neural Comput. 10, 1321 (1998), Sec. 4
    (balance conditions; inequalities eqs. 4.5-4.6).
    """
    if not isinstance(net, LIFNetwork):
        raise ValueError(f"net must be an LIFNetwork, got {type(net).__name__}")
    groups = _groups(net)
    reps = [g[0] for g in groups]
    KJ, _, ext, _, _ = _net_arrays(net)
    W = np.stack([KJ[reps][:, g].sum(axis=1) for g in groups], axis=1)
    I_ext = ext[reps]
    Q = len(groups)
    if Q == 2:
        cond = (
            "two groups: positive iff I_1/I_2 > w_12/w_22 > w_11/w_21 (balanced, stable "
            "side) or I_1/I_2 < w_12/w_22 < w_11/w_21, with W = [[w_11, -w_12], [w_21, -w_22]]"
        )
    elif Q == 1:
        cond = "one group: positive iff W < 0 (net inhibition) and I_ext > 0"
    else:
        cond = "positive iff every component of -W^{-1} I_ext is > 0"
    try:
        cond_number = np.linalg.cond(W)
        if not np.isfinite(cond_number) or cond_number > 1e12:
            raise np.linalg.LinAlgError
        nu_q = -np.linalg.solve(W, I_ext)
        ok = True
    except np.linalg.LinAlgError:
        nu_q = np.full(Q, np.nan)
        ok = False
    rates = np.empty(net.P)
    for q, g in enumerate(groups):
        rates[g] = nu_q[q]
    result = BalancedRates(
        model=net,
        method="linear balance equations",
        options={},
        converged=ok,
        status=Status.CONVERGED if ok else Status.NO_SOLUTION,
        n_iter=1,
        residual=float(np.max(np.abs(W @ nu_q + I_ext))) if ok else float("inf"),
        rates=rates,
        positive=bool(ok and np.all(nu_q > 0)),
        W=W,
        I_ext=I_ext,
        conditions=cond,
    )
    return result
