r"""Mean-field theory of low-rank plus random rate networks.

Network (:class:`rnmf.models.lowrank.LowRankNetwork`, time in units of tau):

.. math:: \dot x_i = -x_i + \sum_j \Big(g\chi_{ij} + \frac1N\sum_r m_{ir} n_{jr}\Big)\phi(x_j)
          + \sum_k I_{ik} u_k .

Mean-field description (Mastrogiuseppe & Ostojic 2018, Neuron 99:609, hereafter M&O;
STAR Methods, mean-field theory of the stationary and of the chaotic solutions for rank
one, and of rank-two structures; Beiran et al. 2021, Neural Comput 33:1572, Sec. 2 for
Gaussian mixtures):  the input to unit i is

.. math:: x_i = \sum_r m_{ir}\kappa_r + \sum_k I_{ik}u_k + \eta_i,\qquad
          \kappa_r = \frac1N\sum_j n_{jr}\phi(x_j),

with :math:`\eta_i` the field of the random bulk, a Gaussian process independent of
the loadings with :math:`\langle\eta^2\rangle = g^2\langle\phi^2\rangle` at a fixed point.
Within population p (one population for a joint Gaussian) x is Gaussian with

.. math:: \mu_p = v\cdot\bar a_p,\quad \Delta_{0,p} = v^T\Sigma_p v + \Delta_\eta,\qquad
          v = (\kappa_1..\kappa_R, u_1..u_K),

where :math:`\bar a_p`, :math:`\Sigma_p` are the means and covariance of the entries
:math:`(m_1..m_R, I_1..I_K)`, and by Gaussian integration by parts (Stein's lemma)

.. math:: \kappa_r = \sum_p \alpha_p\Big[\bar n_{r,p}\langle\phi\rangle_p
          + \mathrm{Cov}_p(n_r, x)\,\langle\phi'\rangle_p\Big]

(M&O STAR Methods, rank one with overlapping m and n; Beiran et al. 2021, Sec. 2.2).

Chaotic states (any rank R, any number of populations P).  With kappa constant in time the
input to a unit of population p splits into a quenched part, Gaussian over the units with
mean :math:`\mu_p = v\cdot\bar a_p` and variance :math:`S_p = v^T\Sigma_p v`, and the
low-pass filtered bulk field :math:`\xi_i(t)`.  Derivation: for :math:`N\to\infty` the bulk
input :math:`\eta_i = g\sum_j\chi_{ij}\phi_j` is a Gaussian process independent of the
loadings (the :math:`\chi_{ij}` are independent of m, n and of the populations), with one
autocovariance for all units, :math:`g^2\sum_p\alpha_pC_p(\tau)`, where :math:`C_p` is the
autocorrelation of :math:`\phi(x)` averaged over population p (SCS 1988 eq. 4 applied to the
mixture; M&O STAR Methods, chaotic solutions, for P = 1).  Hence

.. math:: (1 - \partial_\tau^2)\Delta(\tau) = g^2\sum_p\alpha_p
          C_p\big(S_p + \Delta(\tau);\ \mu_p,\ S_p + \Delta_0\big),

a particle in :math:`V(\Delta) = -\Delta^2/2 + g^2\sum_p\alpha_p\langle\Phi\Phi\rangle_p`
with :math:`V(\Delta_0) = V(\Delta_\infty)`, :math:`V'(\Delta_\infty) = 0`, solved by
:mod:`rnmf.theory.dmft.mixture`.  Over units and time x in population p is Gaussian with
mean :math:`\mu_p` and variance :math:`\Delta_{0,p} = S_p + \Delta_0`; as the bulk field is
independent of :math:`n_r`, Stein's lemma gives the same kappa equation as above with these
statistics.  For P = 1 this is the quenched-input DMFT of Kadmon & Sompolinsky 2015 (PRX
5:041030) used by M&O, i.e. :func:`rnmf.theory.dmft.solve` with :math:`I_0 = \mu`,
:math:`\sigma_I^2 = S`.

Stability of a fixed point (derived in this module's docstring of
:func:`linear_stability`): the linearised connectivity
:math:`(g\chi + mn^T/N)\,\mathrm{diag}\,\phi'(x)` has a bulk of radius
:math:`g\sqrt{\langle\phi'^2\rangle}` (Rajan & Abbott 2006, PRL 97:188104; M&O STAR Methods, stability of stationary states)
and outliers given by a (R+1)-dimensional eigenproblem that couples the structured
modes to the response of the bulk field (M&O STAR Methods, stability of stationary states).

Package layout (one idea per module):

* :mod:`._load` -- loading statistics as arrays (``_Load``) and Gaussian moments;
* :mod:`.static` -- static kappa map, fixed-point search and :func:`linear_stability`;
* :mod:`.chaotic` -- chaotic kappa closure (mixture DMFT) and its root search;
* :mod:`.stationary` -- :class:`LowRankState` and :func:`solve` (all stationary states);
* :mod:`.phase` -- rank-one phase diagram and its boundaries;
* :mod:`.latent` -- latent dynamics (with the transient two-time DMFT) and fixed points;
* :mod:`.cycles` -- limit cycle of the rank-two rotational structure;
* :mod:`.outliers` -- eigenvalue outliers of the connectivity.
"""

# Only the public API is re-exported; private helpers live in (and are imported from) the
# module that defines them, e.g. ``rnmf.theory.lowrank.chaotic._chaos_closure``.
from .cycles import LimitCycle, rotational_limit_cycle
from .latent import LatentTrajectory, latent_dynamics, latent_fixed_points
from .outliers import connectivity_outliers
from .phase import (
    LowRankPhaseDiagram,
    critical_g_bistable_chaos,
    critical_g_chaos,
    phase_diagram,
)
from .static import linear_stability
from .stationary import LowRankState, solve

__all__ = [
    "LatentTrajectory",
    "LimitCycle",
    "LowRankPhaseDiagram",
    "LowRankState",
    "connectivity_outliers",
    "critical_g_bistable_chaos",
    "critical_g_chaos",
    "latent_dynamics",
    "latent_fixed_points",
    "linear_stability",
    "phase_diagram",
    "rotational_limit_cycle",
    "solve",
]
