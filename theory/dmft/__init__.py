"""Dynamic mean-field theory of random rate networks (``rnmf.theory.dmft``).

:func:`solve` returns every stationary state of a :class:`rnmf.models.RateNetwork`
(continuous time: Sompolinsky, Crisanti & Sommers 1988 with noise after Schuecker,
Goedeke & Helias 2018; discrete time: Molgedey, Schuchhardt & Schuster 1992) with its
stability and largest Lyapunov exponent, and says when an unbounded ``phi`` (relu, linear,
supralinear) has no bounded stable state (regime ``"unbounded"``) or diverges from large
initial conditions (``bounded = False``); :func:`solve_grid` evaluates the main state
over parameter arrays for phase diagrams (vectorised, with the Lyapunov exponent, for
odd phi without mean input); :func:`transition` locates the onset of chaos and
:func:`transition_curve` traces it along a second parameter.

Several populations (:func:`solve_populations`, :func:`stability_matrix`; Kadmon &
Sompolinsky 2015, Aljadeff, Stern & Sharpee 2015), E-I threshold-linear networks with fixed
in-degree (:func:`solve_ei`, :func:`critical_coupling`; Mastrogiuseppe & Ostojic 2017), driven
networks (:func:`solve_driven`, :func:`periodic_state`, :func:`chaotic_state`,
:func:`critical_amplitude`; Rajan, Abbott & Sompolinsky 2010)
and transients (:func:`transient`) take a :class:`rnmf.models.RatePopulationNetwork`.
"""

from ._common import DMFTResult
from .discrete import correlation_map
from .driven import (
    chaotic_state,
    critical_amplitude,
    driven_lyapunov,
    periodic_state,
    solve_driven,
)
from .ei_threshold_linear import critical_coupling, runaway, solve_ei
from .grid import solve_grid, transition, transition_curve
from .lyapunov import SchroedingerSpectrum
from .populations import critical_scale, solve_populations, stability_matrix
from .stationary import local_stability, potential, schroedinger, solve
from .two_time import transient

__all__ = [
    "DMFTResult",
    "chaotic_state",
    "critical_amplitude",
    "critical_coupling",
    "critical_scale",
    "driven_lyapunov",
    "periodic_state",
    "runaway",
    "solve_driven",
    "solve_ei",
    "solve_populations",
    "stability_matrix",
    "transient",
    "SchroedingerSpectrum",
    "correlation_map",
    "local_stability",
    "potential",
    "schroedinger",
    "solve",
    "solve_grid",
    "transition",
    "transition_curve",
]
