r"""Multi-population random rate networks and time-dependent inputs.

:class:`RatePopulationNetwork` has P populations (fractions :math:`\alpha_a` of N units,
each with its own transfer function, time constant and input).  Unit i of population a obeys

.. math::
    \tau_a\,dx_i = \Big[-x_i + \sum_j J_{ij}\,\phi_{b(j)}(x_j) + I_i + D_i(t)\Big]dt
                   + \sqrt{\tau_a}\,\sigma_a\,dW_i(t),
    \qquad I_i = I_a + \sigma_{I,a}\,\eta_i,

with the couplings from population b onto population a drawn block by block:

* ``connectivity="gaussian"`` (Aljadeff, Stern & Sharpee 2015, PRL 114:088101, eq. 1;
  Kadmon & Sompolinsky 2015, PRX 5:041030, eq. 1): :math:`J_{ij} \sim N(J_{0,ab}/N,\ g_{ab}^2/N)`
  i.i.d., N the total number of units;
* ``connectivity="fixed_indegree"`` (van Vreeswijk & Sompolinsky 1998, Neural Comput 10:1321;
  Mastrogiuseppe & Ostojic 2017, PLoS Comput Biol 13:e1005498, Sec. "Model"): every unit of
  a receives exactly :math:`K_{ab}` inputs from distinct, randomly chosen units of b, each of
  weight :math:`J_{ab}`; with ``dale=True`` every column of ``J`` has one sign (a population
  is excitatory or inhibitory);
* ``connectivity="explicit"``: a given N x N matrix (``couplings``, ``J[i, j]`` from j onto
  i; units ordered population by population).

The DMFT reads the block statistics through :meth:`RatePopulationNetwork.block_statistics`:
the mean input :math:`\sum_b \bar J_{ab} m_b` and the field variance
:math:`\sum_b G_{ab}\,(\langle\phi_b\phi_b\rangle - c\,m_b^2)` with ``c = 1`` for fixed
in-degree (the common mean input carries no quenched variance) and ``c = 0`` for Gaussian
blocks.

:class:`Drive` is a time-dependent input :math:`D_i(t)`: a sinusoid
:math:`A_a\cos(2\pi f t + \theta_i)` with phases :math:`\theta_i` uniform on
:math:`[0, 2\pi)` (Rajan, Abbott & Sompolinsky 2010, PRE 82:011903, their model) or all zero,
a sequence of steps, or a user callable :math:`I(t)` returning N values.

Times (``tau``, ``T``, ``dt``, drive frequency) are in one user unit; with every ``tau_a = 1``
that unit is tau, as for :class:`~rnmf.models.RateNetwork`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from rnmf._checks import (
    as_rng,
    check_array,
    check_choice,
    check_finite,
    check_int,
    check_nonnegative,
    check_positive,
)
from rnmf.transfer import Transfer, as_transfer

from .rate import RateNetwork

__all__ = ["CONNECTIVITIES", "DRIVE_KINDS", "Drive", "RatePopulationNetwork"]

CONNECTIVITIES = ("gaussian", "fixed_indegree", "explicit")
DRIVE_KINDS = ("sine", "step", "callable")


def _per_pop(name: str, value: Any, P: int, check: Callable[[str, Any], float]) -> tuple:
    """A scalar broadcast to P populations, or a length-P sequence, each entry checked."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | np.ndarray):
        return tuple(check(name, value) for _ in range(P))
    vals = (
        list(np.asarray(value, dtype=object).ravel())
        if isinstance(value, np.ndarray)
        else list(value)
    )
    if len(vals) != P:
        raise ValueError(
            f"{name} must be a scalar or have one entry per population (P = {P}), got {len(vals)}"
        )
    return tuple(check(f"{name}[{a}]", v) for a, v in enumerate(vals))


def _block(name: str, value: Any, P: int, *, nonneg: bool = False, integer: bool = False) -> tuple:
    """A (P, P) block matrix as a tuple of tuples (a scalar is allowed for P = 1 only)."""
    arr = (
        np.asarray(value, dtype=float) if not isinstance(value, np.ndarray) else value.astype(float)
    )
    if arr.ndim == 0 and P == 1:
        arr = arr.reshape(1, 1)
    if arr.shape != (P, P):
        raise ValueError(
            f"{name} must be a ({P}, {P}) block matrix (row a = receiving population, column b = "
            f"sending population) for P = {P} populations, got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite entries: {arr.tolist()}")
    if nonneg and np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0 everywhere, got {arr.tolist()}")
    if integer and np.any(arr != np.round(arr)):
        raise ValueError(f"{name} must hold whole numbers (in-degrees), got {arr.tolist()}")
    return tuple(tuple(float(v) for v in row) for row in arr)


@dataclass(frozen=True)
class Drive:
    r"""Time-dependent external input :math:`D_i(t)` of a :class:`RatePopulationNetwork`.

    Parameters
    ----------
    kind : {"sine", "step", "callable"}
        ``"sine"``: :math:`D_i(t) = A_{a(i)}\cos(2\pi f t + \theta_i)`, Rajan, Abbott &
        Sompolinsky 2010 (PRE 82:011903, their model), with :math:`\theta_i` i.i.d. uniform on
        :math:`[0, 2\pi)` (``phases="random"``) or 0 (``phases="equal"``).
        ``"step"``: piecewise constant, ``levels[k]`` (per population) from ``times[k]`` on
        (0 before ``times[0]``).  ``"callable"``: ``func(t)`` returns the N inputs at time t.
    amplitude : float or sequence of float
        Sine amplitude :math:`A_a` (>= 0), scalar or one per population.
    frequency : float
        Sine frequency f (>= 0) in cycles per unit time (angular frequency :math:`2\pi f`).
    phases : {"random", "equal"}
        Phases of the sine across units.
    times : sequence of float
        Step onset times (increasing, finite).
    levels : sequence
        One level per onset: a scalar or one value per population.
    func : callable
        ``func(t: float) -> (N,) array``; checked for shape and finiteness when evaluated.
    """

    kind: Literal["sine", "step", "callable"] = "sine"
    amplitude: float | tuple = 0.0
    frequency: float = 0.0
    phases: Literal["random", "equal"] = "random"
    times: tuple = ()
    levels: tuple = ()
    func: Callable[[float], np.ndarray] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        s = object.__setattr__
        check_choice("Drive.kind", self.kind, DRIVE_KINDS)
        check_choice("Drive.phases", self.phases, ("random", "equal"))
        s(
            self,
            "frequency",
            check_nonnegative("Drive.frequency (cycles per unit time)", self.frequency),
        )
        amp = self.amplitude
        if isinstance(amp, Sequence | np.ndarray):
            s(
                self,
                "amplitude",
                tuple(check_nonnegative(f"Drive.amplitude[{k}]", a) for k, a in enumerate(amp)),
            )
        else:
            s(self, "amplitude", check_nonnegative("Drive.amplitude", amp))
        times = tuple(check_finite(f"Drive.times[{k}]", t) for k, t in enumerate(self.times))
        if any(b <= a for a, b in zip(times, times[1:], strict=False)):
            raise ValueError(f"Drive.times must increase strictly, got {times}")
        s(self, "times", times)
        levels = []
        for k, lv in enumerate(self.levels):
            if isinstance(lv, Sequence | np.ndarray):
                levels.append(tuple(check_finite(f"Drive.levels[{k}]", v) for v in lv))
            else:
                levels.append(check_finite(f"Drive.levels[{k}]", lv))
        s(self, "levels", tuple(levels))
        if self.kind == "step" and (not times or len(levels) != len(times)):
            raise ValueError(
                f"Drive(kind='step') needs one level per onset time: got {len(times)} times and "
                f"{len(levels)} levels (e.g. times=(10.0,), levels=(0.5,))"
            )
        if self.kind == "callable" and not callable(self.func):
            raise ValueError("Drive(kind='callable') needs func, a callable t -> (N,) array")

    def amplitudes(self, P: int) -> np.ndarray:
        """Sine amplitude per population, shape (P,)."""
        a = (
            np.broadcast_to(np.asarray(self.amplitude, dtype=float), (P,))
            if not isinstance(self.amplitude, tuple)
            else np.asarray(self.amplitude, dtype=float)
        )
        if a.shape != (P,):
            raise ValueError(
                f"Drive.amplitude has {a.size} entries, the network has P = {P} populations"
            )
        return a

    def sample_phases(self, N: int, rng: None | int | np.random.Generator = None) -> np.ndarray:
        r"""Phases :math:`\theta_i`: uniform on :math:`[0, 2\pi)` (``"random"``) or zeros."""
        if self.kind != "sine" or self.phases == "equal":
            return np.zeros(N)
        return as_rng(rng).uniform(0.0, 2.0 * math.pi, N)

    def unit_amplitudes(self, pop: np.ndarray) -> np.ndarray:
        """Sine amplitude of every unit (``pop``: population index of each unit)."""
        P = int(pop.max()) + 1 if pop.size else 1
        return self.amplitudes(P)[pop]

    def unit_levels(self, pop: np.ndarray) -> np.ndarray:
        """(n_steps, N): the step levels per unit."""
        P = int(pop.max()) + 1 if pop.size else 1
        out = np.empty((len(self.levels), pop.size))
        for k, lv in enumerate(self.levels):
            v = (
                np.broadcast_to(np.asarray(lv, dtype=float), (P,))
                if not isinstance(lv, tuple)
                else np.asarray(lv)
            )
            if v.shape != (P,):
                raise ValueError(
                    f"Drive.levels[{k}] has {v.size} entries, the network has P = {P} populations"
                )
            out[k] = v[pop]
        return out

    def evaluate(self, t: float, pop: np.ndarray, phases: np.ndarray) -> np.ndarray:
        """The N drive values at time ``t`` (checked: shape (N,) and finite for callables)."""
        N = pop.size
        if self.kind == "sine":
            return self.unit_amplitudes(pop) * np.cos(2.0 * math.pi * self.frequency * t + phases)
        if self.kind == "step":
            k = int(np.searchsorted(np.asarray(self.times), t, side="right")) - 1
            return np.zeros(N) if k < 0 else self.unit_levels(pop)[k]
        try:
            out = np.asarray(self.func(float(t)), dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"Drive.func failed at t = {t:g}: {exc}") from exc
        if out.shape != (N,):
            raise ValueError(
                f"Drive.func must return one input per unit, shape ({N},), at t = {t:g}; got shape "
                f"{out.shape}"
            )
        if not np.all(np.isfinite(out)):
            i = int(np.flatnonzero(~np.isfinite(out))[0])
            raise ValueError(
                f"Drive.func returned a non-finite input ({out[i]}) for unit {i} at t = {t:g}; "
                "it must return finite values"
            )
        return out

    def describe(self) -> str:
        """One-line summary."""
        if self.kind == "sine":
            return f"sine(A={self.amplitude}, f={self.frequency:g}, phases={self.phases})"
        if self.kind == "step":
            return f"steps(at {self.times})"
        return f"callable({getattr(self.func, '__name__', 'func')})"


@dataclass(frozen=True)
class RatePopulationNetwork:
    r"""Rate network of P populations (module docstring for the equations).

    Parameters
    ----------
    N : int
        Total number of units (>= P).
    fractions : sequence of float
        Fraction :math:`\alpha_a` of the units in each population (> 0, summing to 1);
        sizes are ``N * fractions`` rounded (largest remainders), see :attr:`sizes`.
    connectivity : {"gaussian", "fixed_indegree", "explicit"}
        How couplings are drawn (module docstring).
    g : (P, P) array
        Gaussian blocks: standard deviation of :math:`\sqrt N J_{ij}` from b onto a (>= 0).
    J0 : (P, P) array
        Gaussian blocks: mean of :math:`N J_{ij}` from b onto a (default 0).
    K : (P, P) array of int
        Fixed in-degree: inputs each unit of a receives from b (0 <= K_ab <= N_b).
    J : (P, P) array
        Fixed in-degree: weight of each such input (signed).
    dale : bool
        Require one sign per sending population (columns of ``J``, or of ``couplings``).
    phi : str, Transfer or sequence of them
        Transfer function, one for all or one per population.
    tau : float or sequence
        Time constants (> 0).
    I0, sigma_I, sigma_noise : float or sequence
        Constant input, quenched input heterogeneity (>= 0) and white-noise intensity
        (>= 0) per population (convention of :class:`~rnmf.models.RateNetwork`).
    drive : Drive, optional
        Time-dependent input.
    couplings : (N, N) array, optional
        Explicit coupling matrix (``connectivity="explicit"``).
    """

    N: int
    fractions: tuple = (1.0,)
    connectivity: Literal["gaussian", "fixed_indegree", "explicit"] = "gaussian"
    g: Any = None
    J0: Any = None
    K: Any = None
    J: Any = None
    dale: bool = False
    phi: Any = "tanh"
    tau: Any = 1.0
    I0: Any = 0.0
    sigma_I: Any = 0.0
    sigma_noise: Any = 0.0
    drive: Drive | None = None
    couplings: np.ndarray | None = field(default=None, compare=False, repr=False)
    name: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        s = object.__setattr__
        fr = self.fractions
        if isinstance(fr, int | float) and not isinstance(fr, bool):
            fr = (fr,)
        fr = tuple(
            check_positive(f"RatePopulationNetwork.fractions[{a}]", f) for a, f in enumerate(fr)
        )
        if not fr:
            raise ValueError("RatePopulationNetwork.fractions must name at least one population")
        if abs(math.fsum(fr) - 1.0) > 1e-9:
            raise ValueError(
                f"RatePopulationNetwork.fractions must sum to 1, got {fr} (sum {math.fsum(fr):.12g}); "
                "e.g. fractions=(0.8, 0.2)"
            )
        s(self, "fractions", fr)
        P = len(fr)
        s(self, "N", check_int("RatePopulationNetwork.N", self.N, minimum=P))
        sizes = self.sizes
        if np.any(sizes < 1):
            raise ValueError(
                f"RatePopulationNetwork: population sizes {sizes.tolist()} (N = {self.N}, fractions "
                f"{fr}) must all be >= 1; increase N"
            )
        check_choice("RatePopulationNetwork.connectivity", self.connectivity, CONNECTIVITIES)
        name = "RatePopulationNetwork"
        if self.connectivity == "gaussian":
            if self.g is None:
                raise ValueError(
                    f"{name}.g (block standard deviations) is required for gaussian blocks"
                )
            s(self, "g", _block(f"{name}.g", self.g, P, nonneg=True))
            s(self, "J0", _block(f"{name}.J0", np.zeros((P, P)) if self.J0 is None else self.J0, P))
            if self.K is not None or self.J is not None:
                raise ValueError(
                    f"{name}: K and J belong to connectivity='fixed_indegree', not 'gaussian'"
                )
            if self.dale:
                raise ValueError(
                    f"{name}.dale = True needs signed weights (connectivity='fixed_indegree' or "
                    "'explicit'); Gaussian blocks have both signs in every column"
                )
        elif self.connectivity == "fixed_indegree":
            if self.K is None or self.J is None:
                raise ValueError(
                    f"{name}: connectivity='fixed_indegree' needs K (in-degrees) and J (weights)"
                )
            K = _block(f"{name}.K", self.K, P, nonneg=True, integer=True)
            for a in range(P):
                for b in range(P):
                    if K[a][b] > sizes[b]:
                        raise ValueError(
                            f"{name}.K[{a}][{b}] = {K[a][b]:g} exceeds the size {sizes[b]} of population {b}"
                        )
            s(self, "K", K)
            s(self, "J", _block(f"{name}.J", self.J, P))
            if self.g is not None or self.J0 is not None:
                raise ValueError(f"{name}: g and J0 belong to connectivity='gaussian'")
            if self.dale:
                Jm = np.asarray(self.J)
                for b in range(P):
                    col = Jm[:, b][np.asarray(K)[:, b] > 0]
                    if np.any(col > 0) and np.any(col < 0):
                        raise ValueError(
                            f"{name}: Dale's law is violated: the weights from population {b} have both "
                            f"signs, J[:, {b}] = {Jm[:, b].tolist()}; make them all >= 0 (excitatory) or "
                            "all <= 0 (inhibitory), or pass dale=False"
                        )
        else:
            if self.couplings is None:
                raise ValueError(
                    f"{name}: connectivity='explicit' needs couplings, an (N, N) matrix"
                )
            C = check_array(f"{name}.couplings", self.couplings, shape=(self.N, self.N)).copy()
            C.setflags(write=False)
            s(self, "couplings", C)
            if self.dale:
                for b, (lo, hi) in enumerate(self.slices):
                    blk = C[:, lo:hi]
                    pos = np.any(blk > 0, axis=0)
                    neg = np.any(blk < 0, axis=0)
                    if np.any(pos & neg) or (np.any(pos) and np.any(neg)):
                        j = lo + int(np.flatnonzero(pos & neg)[0]) if np.any(pos & neg) else lo
                        raise ValueError(
                            f"{name}: Dale's law is violated: the outgoing weights of population {b} "
                            f"(columns {lo}..{hi - 1}, first offending column {j}) have both signs; "
                            "pass dale=False or fix the matrix"
                        )
        if self.connectivity != "explicit" and self.couplings is not None:
            raise ValueError(f"{name}.couplings needs connectivity='explicit'")
        phis = self.phi
        if isinstance(phis, str | Transfer):
            phis = (phis,) * P
        phis = tuple(phis)
        if len(phis) != P:
            raise ValueError(
                f"{name}.phi must be one transfer function or one per population (P = {P})"
            )
        s(
            self,
            "phi",
            tuple(as_transfer(p, field_name=f"{name}.phi[{a}]") for a, p in enumerate(phis)),
        )
        s(self, "tau", _per_pop(f"{name}.tau (time constant)", self.tau, P, check_positive))
        s(self, "I0", _per_pop(f"{name}.I0", self.I0, P, check_finite))
        s(self, "sigma_I", _per_pop(f"{name}.sigma_I", self.sigma_I, P, check_nonnegative))
        s(
            self,
            "sigma_noise",
            _per_pop(f"{name}.sigma_noise", self.sigma_noise, P, check_nonnegative),
        )
        if self.drive is not None:
            if not isinstance(self.drive, Drive):
                raise ValueError(
                    f"{name}.drive must be a Drive or None, got {type(self.drive).__name__}"
                )
            if self.drive.kind == "sine":
                self.drive.amplitudes(P)
            if self.drive.kind == "step":
                self.drive.unit_levels(np.arange(P))

    # -- sizes --------------------------------------------------------------------------
    @property
    def P(self) -> int:
        """Number of populations."""
        return len(self.fractions)

    @property
    def sizes(self) -> np.ndarray:
        """Units per population: ``N * fractions`` rounded by largest remainders (sum N)."""
        f = np.asarray(self.fractions, dtype=float)
        raw = self.N * f
        n = np.floor(raw).astype(np.int64)
        rest = self.N - int(n.sum())
        if rest > 0:
            n[np.argsort(-(raw - n), kind="stable")[:rest]] += 1
        return n

    @property
    def slices(self) -> list[tuple[int, int]]:
        """``(start, stop)`` unit indices of each population."""
        edges = np.concatenate([[0], np.cumsum(self.sizes)])
        return [(int(edges[a]), int(edges[a + 1])) for a in range(self.P)]

    @property
    def population(self) -> np.ndarray:
        """Population index of every unit, shape (N,)."""
        return np.repeat(np.arange(self.P), self.sizes)

    @property
    def alpha(self) -> np.ndarray:
        r"""Actual fractions :math:`N_a/N` (equal to ``fractions`` up to rounding)."""
        return self.sizes / self.N

    # -- statistics read by the theory ----------------------------------------------------
    def block_statistics(self, *, infinite_N: bool = True) -> tuple[np.ndarray, np.ndarray, bool]:
        r"""``(Jbar, G, centered)``: the block statistics of the mean-field input.

        Mean input to a unit of a: :math:`\sum_b \bar J_{ab}\,m_b`; variance (across units
        and time) of the recurrent field: :math:`\sum_b G_{ab}(C_b - c\,m_b^2)` with
        ``centered`` c.  Gaussian blocks (Kadmon & Sompolinsky 2015, eqs. 3-5):
        :math:`\bar J_{ab} = \alpha_b J_{0,ab}`, :math:`G_{ab} = \alpha_b g_{ab}^2`, c = 0.
        Fixed in-degree (Mastrogiuseppe & Ostojic 2017, Sec. "Mean-field theory"):
        :math:`\bar J_{ab} = K_{ab}J_{ab}`, :math:`G_{ab} = K_{ab}J_{ab}^2(1 - K_{ab}/N_b)`
        (K distinct inputs drawn without replacement; the factor tends to 1 in the sparse
        limit), c = 1.  ``infinite_N`` (Gaussian blocks): use the nominal ``fractions``
        (True) or the rounded sizes ``N_a / N`` (False).
        """
        if self.connectivity == "explicit":
            raise ValueError(
                "block_statistics: an explicit coupling matrix has no block statistics; use "
                "connectivity='gaussian' or 'fixed_indegree' for the theory"
            )
        if self.connectivity == "gaussian":
            alpha = np.asarray(self.fractions) if infinite_N else self.alpha
            return (
                np.asarray(self.J0) * alpha[None, :],
                np.asarray(self.g) ** 2 * alpha[None, :],
                False,
            )
        K = np.asarray(self.K)
        J = np.asarray(self.J)
        Nb = self.sizes.astype(float)[None, :]
        return K * J, K * J**2 * (1.0 - K / Nb), True

    # -- one population ----------------------------------------------------------------
    @classmethod
    def from_rate_network(cls, net: RateNetwork) -> RatePopulationNetwork:
        """The one-population network equal to ``net`` (continuous time only)."""
        if not isinstance(net, RateNetwork):
            raise ValueError(f"from_rate_network needs a RateNetwork, got {type(net).__name__}")
        if net.discrete:
            raise ValueError(
                "from_rate_network: the discrete-time map has no population counterpart"
            )
        return cls(
            N=net.N, fractions=(1.0,), g=[[net.g]], J0=[[net.J0]], phi=net.phi, tau=net.tau,
            I0=net.I0, sigma_I=net.sigma_I, sigma_noise=net.sigma_noise, name=net.name,
        )  # fmt: skip

    def to_rate_network(self) -> RateNetwork:
        """The equivalent :class:`RateNetwork` (P = 1, Gaussian couplings, no drive)."""
        if self.P != 1 or self.connectivity != "gaussian" or self.drive is not None:
            raise ValueError(
                "to_rate_network: only a one-population network with Gaussian couplings and no "
                f"drive has a RateNetwork counterpart (P = {self.P}, connectivity = "
                f"{self.connectivity!r}, drive = {self.drive})"
            )
        return RateNetwork(
            N=self.N, g=self.g[0][0], J0=self.J0[0][0], phi=self.phi[0], tau=self.tau[0],
            I0=self.I0[0], sigma_I=self.sigma_I[0], sigma_noise=self.sigma_noise[0], name=self.name,
        )  # fmt: skip

    @property
    def noisy(self) -> bool:
        """True when some population receives white noise."""
        return any(s > 0 for s in self.sigma_noise)

    def describe(self) -> str:
        """One-line summary used in reports."""
        parts = [f"N={self.N}", f"P={self.P}", f"fractions={self.fractions}", self.connectivity]
        if self.connectivity == "gaussian":
            parts.append(f"g={np.asarray(self.g).tolist()}")
            if np.any(np.asarray(self.J0)):
                parts.append(f"J0={np.asarray(self.J0).tolist()}")
        elif self.connectivity == "fixed_indegree":
            parts.append(
                f"K={np.asarray(self.K, dtype=int).tolist()}, J={np.asarray(self.J).tolist()}"
            )
        parts.append("phi=" + ",".join(p.name for p in self.phi))
        if any(self.I0):
            parts.append(f"I0={self.I0}")
        if self.drive is not None:
            parts.append(self.drive.describe())
        return ", ".join(parts)
