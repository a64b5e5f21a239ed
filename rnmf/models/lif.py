"""Sparse networks of leaky integrate-and-fire populations: :class:`LIFNetwork` (Brunel 2000)."""

from __future__ import annotations

import contextvars
import math
import warnings
from dataclasses import dataclass, field, fields
from typing import Any, Literal

import numpy as np

from rnmf._checks import check_choice, check_finite, check_int, check_nonnegative, check_positive

__all__ = ["LIFNetwork", "UnitsWarning"]


class UnitsWarning(UserWarning):
    """A model value looks like it was given in seconds or volts (rnmf uses ms and mV)."""


#: Smallest plausible values (ms, mV) below which a value looks like seconds or volts.
_SECONDS_BELOW = {"tau_m": 1.0, "delay": 0.05, "t_ref": 0.05, "tau_s": 0.05}
_VOLTS_BELOW = 0.5  # V_th - V_reset in mV (Brunel 2000: 10 mV)


def _unit_warnings(
    values: dict[str, Any], stacklevel: int, names: dict[str, str] | None = None
) -> None:
    """Warn (:class:`UnitsWarning`) on time constants that look like seconds and on a
    threshold or threshold-reset gap that looks like volts; zero (delta synapses, no
    refractory period) is not suspicious.  ``names`` renames fields in the messages."""
    names = names or {}
    for key, lo in _SECONDS_BELOW.items():
        v = values.get(key)
        name = names.get(key, key)
        if isinstance(v, int | float) and 0.0 < v < lo:
            warnings.warn(
                f"{name} = {v:g} ms looks like a value in seconds: rnmf uses milliseconds "
                f"({name} = {v * 1000:g} ms if you meant {v:g} s)",
                UnitsWarning,
                stacklevel=stacklevel,
            )
    th, re = values.get("V_th"), values.get("V_reset")
    if isinstance(th, int | float) and 0.0 < th < _VOLTS_BELOW:
        warnings.warn(
            f"V_th = {th:g} mV looks like a value in volts: rnmf uses millivolts "
            "(Brunel 2000: V_th = 20 mV)",
            UnitsWarning,
            stacklevel=stacklevel,
        )
    elif (
        isinstance(th, int | float) and isinstance(re, int | float) and 0.0 < th - re < _VOLTS_BELOW
    ):
        warnings.warn(
            f"V_th - V_reset = {th - re:g} mV (V_th = {th:g}, V_reset = {re:g}) looks like "
            "values in volts: rnmf uses millivolts (Brunel 2000: V_th = 20, V_reset = 10 mV)",
            UnitsWarning,
            stacklevel=stacklevel,
        )


_QUIET_UNITS: contextvars.ContextVar[bool] = contextvars.ContextVar("_QUIET_UNITS", default=False)


def _quiet_units() -> bool:
    return _QUIET_UNITS.get()


def _as_float_array(name: str, value: Any) -> np.ndarray:
    if isinstance(value, str | bytes) or (
        isinstance(value, np.ndarray) and value.dtype.kind not in "biuf"
    ):
        raise ValueError(f"{name} must hold real numbers, got {value!r}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must hold real numbers, got {value!r} ({exc})") from None
    return arr


def _square(name: str, value: Any, P: int, *, minimum: float | None = None) -> tuple:
    arr = _as_float_array(name, value)
    if arr.ndim == 0:
        arr = np.full((P, P), float(arr))
    if arr.shape != (P, P):
        raise ValueError(
            f"{name} must be a {P}x{P} matrix (target x source), got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite entries")
    if minimum is not None and np.any(arr < minimum):
        raise ValueError(f"{name} entries must be >= {minimum}, got {arr.tolist()}")
    return tuple(tuple(float(v) for v in row) for row in arr)


def _vector(name: str, value: Any, P: int, *, minimum: float | None = None) -> tuple:
    arr = _as_float_array(name, value)
    if arr.ndim == 0:
        arr = np.full(P, float(arr))
    if arr.shape != (P,):
        raise ValueError(f"{name} must have one entry per population ({P}), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite entries")
    if minimum is not None and np.any(arr < minimum):
        raise ValueError(f"{name} entries must be >= {minimum}, got {arr.tolist()}")
    return tuple(float(v) for v in arr)


@dataclass(frozen=True)
class LIFNetwork:
    r"""Sparse network of leaky integrate-and-fire populations (Brunel 2000).

    Neuron i of population a obeys, below threshold,

    .. math:: \tau_m \dot V_i = -V_i + \mu_{ext,a} + \tau_m \sum_j J_{ij} \sum_k s(t - t_j^k - D_{ij})

    with delta synapses (``tau_s = 0``: each spike makes V jump by J_ab mV) or
    exponential current synapses (time constant ``tau_s``, same total charge).
    A neuron reaching ``V_th`` spikes, is reset to ``V_reset`` and ignores input for
    ``t_ref`` ms (NEST ``iaf_psc_delta`` convention).  Units: ms, mV, Hz.

    Parameters
    ----------
    N : tuple of int
        Neurons per population, e.g. ``(10000, 2500)``.
    K : matrix (P x P)
        In-degrees: ``K[a][b]`` inputs a neuron of population a receives from
        population b. With ``connectivity="bernoulli"`` it is the expected in-degree
        (connection probability ``K[a][b] / N[b]``).
    J : matrix (P x P)
        PSP amplitude in mV of one synapse from b onto a (negative = inhibitory).
    connectivity : {"fixed_indegree", "bernoulli"}
        Fixed in-degree (multapses and autapses allowed, NEST's default) or
        independent Bernoulli draws.
    delay : float
        Synaptic delay in ms (> 0); with ``delay_max`` delays are uniform in
        ``[delay, delay_max]``.
    tau_m, V_th, V_reset, t_ref : float
        Membrane time constant (ms), threshold, reset (mV), refractory period (ms).
    tau_s : float
        Synaptic time constant in ms (0 for delta synapses).
    nu_ext : vector
        Rate (Hz) of each of the ``C_ext`` external Poisson inputs per neuron.
    C_ext : vector
        Number of external Poisson inputs per neuron of each population.
    J_ext : vector
        PSP amplitude (mV) of an external input, per population.
    mu_ext : vector
        Constant external drive in mV (a constant current times the membrane
        resistance), per population.
    populations : tuple of str
        Population names for reports.

    Warns
    -----
    UnitsWarning
        When ``tau_m`` (< 1 ms), ``delay``, ``t_ref`` or ``tau_s`` (< 0.05 ms, nonzero)
        look like seconds, or ``V_th`` or ``V_th - V_reset`` (< 0.5 mV) like volts.
    """

    N: tuple
    K: tuple
    J: tuple
    connectivity: Literal["fixed_indegree", "bernoulli"] = "fixed_indegree"
    delay: float = 1.5
    delay_max: float | None = None
    tau_m: float = 20.0
    V_th: float = 20.0
    V_reset: float = 10.0
    t_ref: float = 2.0
    tau_s: float = 0.0
    nu_ext: tuple | float = 0.0
    C_ext: tuple | float = 0.0
    J_ext: tuple | float = 0.1
    mu_ext: tuple | float = 0.0
    populations: tuple = ()
    name: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        s = object.__setattr__
        Ns = np.atleast_1d(np.asarray(self.N, dtype=object))
        if Ns.ndim != 1 or Ns.size == 0:
            raise ValueError(f"LIFNetwork.N must be a sequence of population sizes, got {self.N!r}")
        P = Ns.size
        s(
            self,
            "N",
            tuple(check_int(f"LIFNetwork.N[{a}]", n, minimum=1) for a, n in enumerate(Ns.tolist())),
        )
        s(self, "K", _square("LIFNetwork.K (in-degrees)", self.K, P, minimum=0.0))
        s(self, "J", _square("LIFNetwork.J (PSP amplitudes, mV)", self.J, P))
        check_choice("LIFNetwork.connectivity", self.connectivity, ("fixed_indegree", "bernoulli"))
        if self.connectivity == "bernoulli":
            for a in range(P):
                for b in range(P):
                    p = self.K[a][b] / self.N[b]
                    if p > 1.0:
                        raise ValueError(
                            f"LIFNetwork.K[{a}][{b}] = {self.K[a][b]:g} exceeds N[{b}] = {self.N[b]}: "
                            "a Bernoulli connection probability must lie in [0, 1]"
                        )
        s(self, "tau_m", check_positive("LIFNetwork.tau_m (ms)", self.tau_m))
        s(self, "V_th", check_finite("LIFNetwork.V_th (mV)", self.V_th))
        s(self, "V_reset", check_finite("LIFNetwork.V_reset (mV)", self.V_reset))
        if self.V_reset >= self.V_th:
            raise ValueError(
                f"LIFNetwork.V_reset ({self.V_reset:g} mV) must be below V_th ({self.V_th:g} mV)"
                + (
                    "; rnmf uses millivolts (were they given in volts?)"
                    if min(abs(self.V_reset), abs(self.V_th)) < 1.0
                    else ""
                )
            )
        s(self, "t_ref", check_nonnegative("LIFNetwork.t_ref (ms)", self.t_ref))
        s(self, "tau_s", check_nonnegative("LIFNetwork.tau_s (ms)", self.tau_s))
        s(self, "delay", check_positive("LIFNetwork.delay (ms)", self.delay))
        if self.delay_max is not None:
            s(self, "delay_max", check_finite("LIFNetwork.delay_max (ms)", self.delay_max))
            if self.delay_max < self.delay:
                raise ValueError(
                    f"LIFNetwork.delay_max ({self.delay_max:g} ms) must be >= delay ({self.delay:g} ms)"
                )
        s(self, "nu_ext", _vector("LIFNetwork.nu_ext (Hz)", self.nu_ext, P, minimum=0.0))
        s(self, "C_ext", _vector("LIFNetwork.C_ext", self.C_ext, P, minimum=0.0))
        s(self, "J_ext", _vector("LIFNetwork.J_ext (mV)", self.J_ext, P))
        s(self, "mu_ext", _vector("LIFNetwork.mu_ext (mV)", self.mu_ext, P))
        pops = (
            tuple(self.populations)
            if self.populations
            else (("E", "I") if P == 2 else tuple(f"P{a}" for a in range(P)))
        )
        if len(pops) != P:
            raise ValueError(f"LIFNetwork.populations must name {P} populations, got {pops!r}")
        s(self, "populations", pops)
        if not isinstance(self.name, str):
            raise ValueError(f"LIFNetwork.name must be a string, got {self.name!r}")
        if not _quiet_units():
            _unit_warnings({f.name: getattr(self, f.name) for f in fields(self)}, stacklevel=4)

    @property
    def P(self) -> int:
        """Number of populations."""
        return len(self.N)

    @classmethod
    def brunel(
        cls,
        g: float = 5.0,
        eta: float = 2.0,
        *,
        N_E: int = 10000,
        gamma: float = 0.25,
        epsilon: float = 0.1,
        J: float = 0.1,
        D: float | None = None,
        **kwargs: Any,
    ) -> LIFNetwork:
        """Brunel (2000) model A: E and I with identical neurons.

        ``N_I = gamma N_E``, ``C_E = epsilon N_E``, ``C_I = gamma C_E``,
        ``J_EE = J_IE = J``, ``J_EI = J_II = -g J``, ``C_ext = C_E`` Poisson inputs at
        ``nu_ext = eta nu_thr`` with ``nu_thr = V_th / (J C_E tau_m)`` (Brunel 2000,
        J Comput Neurosci 8:183, Sec. 2 and eq. 5).

        Parameters
        ----------
        g : float
            Relative inhibition ``-J_I / J_E`` (>= 0).
        eta : float
            External rate in units of ``nu_thr`` (>= 0).
        N_E : int
            Excitatory neurons (``epsilon N_E`` and ``gamma N_E`` must round to >= 1).
        gamma : float
            ``N_I / N_E`` and ``C_I / C_E`` (> 0; Brunel: 0.25).
        epsilon : float
            Connection probability ``C_E / N_E`` in (0, 1].
        J : float
            Excitatory PSP amplitude in mV (> 0).
        D : float
            Synaptic delay in ms (> 0, default 1.5).  ``delay=`` (the field name of
            :class:`LIFNetwork`) is accepted as the same parameter; giving both with
            different values is an error.
        kwargs
            Other :class:`LIFNetwork` fields (``tau_m``, ``V_th``, ``V_reset``, ``t_ref``,
            ``tau_s``, ``delay_max``, ``connectivity``, ``mu_ext``, ``name``).

        Raises
        ------
        ValueError
            Naming the argument of this method that is out of range, before anything
            derived from it is computed.
        TypeError
            For a keyword that is not a field of the model or is set by this method.

        Warns
        -----
        UnitsWarning
            When ``tau_m``, ``D``, ``t_ref``, ``tau_s`` look like seconds or ``V_th -
            V_reset`` like volts (rnmf uses ms and mV).
        """
        allowed = {f.name for f in fields(cls)} - {
            "N",
            "K",
            "J",
            "nu_ext",
            "C_ext",
            "J_ext",
            "populations",
        }
        if "delay" in kwargs:
            alias = kwargs.pop("delay")
            if D is not None and alias != D:
                raise ValueError(
                    f"LIFNetwork.brunel: D = {D!r} and delay = {alias!r} name the same "
                    "synaptic delay (ms); give one of them"
                )
            D, d_name = alias, "delay"
        else:
            d_name = "D"
        if D is None:
            D = 1.5
        unknown = sorted(set(kwargs) - allowed)
        if unknown:
            raise TypeError(
                f"LIFNetwork.brunel() got unexpected keyword argument(s) {', '.join(unknown)}; "
                "it takes g, eta, N_E, gamma, epsilon, J, D (or delay) and the LIFNetwork "
                f"fields {', '.join(sorted(allowed - {'delay'}))}"
            )
        where = "LIFNetwork.brunel"
        g = check_nonnegative(f"{where}: g (relative inhibition)", g)
        eta = check_nonnegative(f"{where}: eta (nu_ext / nu_thr)", eta)
        N_E = check_int(f"{where}: N_E (excitatory neurons)", N_E, minimum=1)
        gamma = check_positive(f"{where}: gamma (N_I / N_E)", gamma)
        epsilon = check_positive(f"{where}: epsilon (connection probability)", epsilon)
        if epsilon > 1.0:
            raise ValueError(
                f"{where}: epsilon (connection probability) must be <= 1, got {epsilon!r}"
            )
        J = check_positive(f"{where}: J (excitatory PSP, mV)", J)
        D = check_positive(f"{where}: {d_name} (synaptic delay, ms)", D)
        tau_m = check_positive(f"{where}: tau_m (ms)", kwargs.pop("tau_m", 20.0))
        V_th = check_positive(
            f"{where}: V_th (mV, threshold above rest 0)", kwargs.pop("V_th", 20.0)
        )
        N_I = int(round(gamma * N_E))
        C_E = int(round(epsilon * N_E))
        C_I = int(round(gamma * C_E))
        if N_I < 1:
            raise ValueError(
                f"{where}: gamma * N_E = {gamma:g} * {N_E} rounds to {N_I} inhibitory neurons; "
                "raise gamma or N_E"
            )
        if C_E < 1 or C_I < 1:
            raise ValueError(
                f"{where}: epsilon * N_E = {epsilon:g} * {N_E} gives C_E = {C_E} excitatory and "
                f"C_I = gamma C_E = {C_I} inhibitory inputs per neuron; both must be >= 1 "
                "(raise epsilon, N_E or gamma)"
            )
        values = dict(kwargs, tau_m=tau_m, V_th=V_th, delay=D)
        values.setdefault("V_reset", 10.0)
        _unit_warnings(values, stacklevel=3, names={"delay": d_name})
        nu_thr = V_th / (J * C_E * tau_m) * 1000.0  # Hz
        if not (math.isfinite(g * J) and math.isfinite(eta * nu_thr)):
            raise ValueError(
                f"{where}: g = {g:g} or eta = {eta:g} is so large that the inhibitory PSP "
                f"g J or the external rate eta nu_thr overflows"
            )
        token = _QUIET_UNITS.set(True)  # warned above, in the caller's terms
        try:
            return cls(
                N=(N_E, N_I),
                K=((C_E, C_I), (C_E, C_I)),
                J=((J, -g * J), (J, -g * J)),
                delay=D,
                tau_m=tau_m,
                V_th=V_th,
                nu_ext=(eta * nu_thr, eta * nu_thr),
                C_ext=(C_E, C_E),
                J_ext=(J, J),
                populations=("E", "I"),
                **kwargs,
            )
        finally:
            _QUIET_UNITS.reset(token)

    def describe(self) -> str:
        """One-line summary used in reports."""
        return (
            f"LIF P={self.P} N={list(self.N)} K={[list(r) for r in self.K]} "
            f"J={[list(r) for r in self.J]} D={self.delay:g}ms nu_ext={list(self.nu_ext)}Hz"
        )
