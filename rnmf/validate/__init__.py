r"""Theory against simulation: a toolkit of checks, tolerances, seeds and suites.

This is the one place (with :mod:`rnmf.phase`) where ``rnmf.theory`` meets
``rnmf.sim``.  The same model object goes to both; a :class:`Check` records the
prediction, the simulation mean and its standard error over independent
networks (seeds), and whether they agree within

.. math:: |\text{sim} - \text{theory}| \le z\,\text{sem} + c\,|\text{theory}|/\sqrt{N} + a,

that is, the statistical error plus a finite-size allowance of the stated order
(``c / sqrt(N)`` relative, or ``c / N``) and an absolute floor ``a`` for
predictions that are zero.  :func:`run` executes the registered suites (what
``rnmf validate`` does) and :class:`Report` renders them as a terminal table, a
markdown file and figures.

Modules
-------
:mod:`~rnmf.validate.check`
    :class:`Check` (one row) and :class:`Report` (table, markdown, figures).
:mod:`~rnmf.validate.tolerance`
    The error models: :func:`sem`, :func:`finite_size_term` (``c/sqrt(N)``, ``c/N``),
    :func:`measured_spread`, :func:`robust_sd`.
:mod:`~rnmf.validate.seeds`
    :func:`seed_for` (reproducible per-simulation seeds) and :func:`map_tasks` (parallel
    map over spawned one-BLAS-thread workers).
:mod:`~rnmf.validate.suites`
    :data:`REGISTRY` of suites, :data:`SUITES`, :func:`available_suites`, :func:`run`.
:mod:`~rnmf.validate.rate`, :mod:`~rnmf.validate.lif`, :mod:`~rnmf.validate.lowrank`
    The suites: random rate networks (DMFT), Brunel LIF networks, low-rank networks.

Writing a suite
---------------
A suite is a function that simulates a few independent networks per prediction and
returns :class:`Check` rows (and figures)::

    import numpy as np
    from rnmf import RateNetwork, sim
    from rnmf.theory import dmft
    from rnmf.validate import Check, Report, map_tasks, seed_for, sem

    def one_network(net, seed):
        traj = sim.simulate(net, 60.0, rng=seed, burn_in=30.0, record_units=400)
        return float(sim.population_stats(traj).var_x)

    def run_mine(*, seeds=3, seed=0, jobs=1):
        checks = []
        for i, g in enumerate((2.0, 3.0)):
            net = RateNetwork(N=500, g=g)
            vals = map_tasks(one_network, [(net, seed_for(seed, 200, i, k)) for k in range(seeds)],
                             jobs)
            checks.append(Check("Delta0", net.describe(), float(dmft.solve(net).Delta0),
                                float(np.mean(vals)), sem(vals), seeds, net.N,
                                finite_size=2.0, floor=1e-3, note="c/sqrt(N) spread"))
        return checks, {}

    checks, figures = run_mine()
    print(Report(checks, figures).table())

To run it next to the built-in suites, give it the signature ``run_mine(*, quick, seeds,
seed, jobs, figures)``, put it in an importable module and call
``register_suite("mine", "mymodule", "run_mine")`` (then ``run(suites=["rate", "mine"])``);
a suite shipped with rnmf is one file in this package plus one line in
:data:`~rnmf.validate.suites.REGISTRY`.  ``docs/validate.md`` has the full example.
"""

from __future__ import annotations

from .check import Check, Report
from .rate import TOLERANCES, Scenario, default_scenarios, finite_size_scaling, run_rate
from .seeds import map_tasks, seed_for
from .suites import REGISTRY, SUITES, available_suites, register_suite, run, run_suite
from .tolerance import finite_size_term, measured_spread, robust_sd, sem

__all__ = [
    "REGISTRY",
    "SUITES",
    "TOLERANCES",
    "Check",
    "Report",
    "Scenario",
    "available_suites",
    "default_scenarios",
    "finite_size_scaling",
    "finite_size_term",
    "map_tasks",
    "measured_spread",
    "register_suite",
    "robust_sd",
    "run",
    "run_rate",
    "run_suite",
    "seed_for",
    "sem",
]
