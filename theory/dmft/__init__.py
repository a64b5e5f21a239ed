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
"""

from ._common import DMFTResult
from .discrete import correlation_map
from .grid import solve_grid, transition, transition_curve
from .lyapunov import SchroedingerSpectrum
from .stationary import local_stability, potential, schroedinger, solve

__all__ = [
    "DMFTResult",
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
