"""Parameter sweeps: evaluate a theory or a simulation over a grid of model parameters.

:func:`sweep` maps a function over a 1-D to 3-D grid of values of any fields of a
model (a frozen dataclass such as :class:`rnmf.models.RateNetwork`) and returns a
:class:`PhaseDiagram`: labelled axes, named result fields (numbers or categorical
regime labels), a per-point status with the reason of each failure, and the
seeds used.  The same call runs serially, on local processes, or on a
``dask.distributed`` cluster, and with ``store=DIR`` writes every finished point
to disk as it completes, so that an interrupted sweep resumes where it stopped.

How a function plugs in
-----------------------
The engine knows nothing about theories or simulators; it calls ``fn`` in one of
three forms, chosen by the arguments of :func:`sweep` (never by inspecting the
signature):

``fn(model) -> Mapping[str, scalar]`` (default, a *theory*)
    Called once per grid point with the base model in which the swept fields are
    replaced (:func:`dataclasses.replace`).  Scalars are ``float``, ``int``,
    ``bool`` (stored as float64) or ``str`` (a categorical field such as a regime
    label).  A frozen dataclass (e.g. an :class:`rnmf.results.Result`) is accepted
    too: its scalar fields are taken, ``Status`` members become strings.

``fn(model, rng) -> Mapping[str, scalar]`` (``seeds=k``, a *simulation*)
    Called ``k`` times per point, each time with a fresh
    :class:`numpy.random.Generator`.  The seed of run ``s`` at flat grid index ``i``
    is ``SeedSequence(seed, spawn_key=(i, s)).generate_state(1, uint64)[0]``; it is
    recorded in :attr:`PhaseDiagram.seeds` so that
    ``fn(diagram.model_at(i), np.random.default_rng(diagram.seeds[idx][s]))``
    reproduces that run bit for bit.

``fn(model, params) -> Mapping[str, array]`` (``vectorized=True``, a *grid theory*)
    Called on blocks of grid points at once: ``params`` maps each swept field
    name to a 1-D float64 array of the values at the (valid) points of the block,
    and ``model`` is the base model (its swept fields are to be ignored).  It
    returns arrays of the same length (scalars broadcast).  Two optional keys have
    a meaning: ``"converged"`` (bool array: False marks a point failed) and
    ``"message"`` (str array: the reason).  A function may instead carry the
    attribute ``fn.vectorized = True``.  The blocks are fixed by the grid alone
    (``block`` consecutive flat indices, ``fn.block`` or 256 by default), never by
    the chunk size, the executor or what a store already holds, so a function
    whose last bits depend on its batch still gives bit-identical diagrams, and a
    resumed sweep equals an uninterrupted one.

A typical DMFT plug-in (what the CLI does) is therefore::

    def dmft_point(net):                        # scalar form
        r = dmft.solve(net, raise_on_failure=True)
        return {"Delta0": r.Delta0, "regime": r.regime}

    def dmft_grid(net, params):                 # vectorised form
        r = dmft.solve_grid(net, **params)      # arrays over the chunk
        return {"Delta0": r.Delta0, "converged": r.converged}

    sweep(dmft_grid, net, {"g": g, "sigma_noise": s}, vectorized=True)

In every form an exception raised by ``fn`` (e.g.
:class:`rnmf.results.ConvergenceError`) marks the point "failed" with the
message and the sweep goes on; a grid point where the model itself is invalid
(e.g. ``g < 0``) is recorded as failed with the validation message.
``KeyboardInterrupt`` and ``SystemExit`` stop the sweep; what was stored stays.
The storage format of ``store=DIR`` and its guarantees (one sweep per store,
atomic creation, damaged records skipped with a warning, read-only stores) are
described in :mod:`rnmf.phase.store`.  With ``executor="processes"`` the worker
processes end when the sweep's process dies, even by ``kill -9``.  A
:class:`PhaseDiagram` saves to ``.npz`` (named arrays) and converts to an
:class:`xarray.Dataset` with :meth:`PhaseDiagram.to_xarray`
(``pip install 'rnmf[xarray]'``).

Modules
-------
:mod:`~rnmf.phase.engine` (:func:`sweep`), :mod:`~rnmf.phase.executors`
(serial, processes, dask), :mod:`~rnmf.phase.store` (the resumable store and its
storage format), :mod:`~rnmf.phase.diagram` (:class:`PhaseDiagram`),
:mod:`~rnmf.phase.plotting` (figures) and :mod:`rnmf.phase.problems` (the built-in
problems of ``rnmf phase MODEL``, one file per model family).
"""

from .diagram import PhaseDiagram
from .engine import sweep
from .executors import EXECUTORS as EXECUTORS
from .store import StoreInUseError, StoreMismatchError

__all__ = ["PhaseDiagram", "StoreInUseError", "StoreMismatchError", "sweep"]
