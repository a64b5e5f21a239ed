"""Sparse networks of leaky integrate-and-fire populations: :class:`LIFNetwork` (Brunel 2000)."""

from __future__ import annotations

import contextvars
import math
import warnings
from dataclasses import dataclass, field, fields
from typing import Any, Literal

import numpy as np

from rnmf._checks import check_choice, check_finite, check_int, check_nonnegative, check_positive

from . import _microcircuit
from ._lif_fields import (
    _delays,
    _external,
    _per_population,
    _square,
    _vector,
)
from ._microcircuit import _indegrees_from_probability
from .delays import Delay

__all__ = ["Delay", "LIFNetwork", "UnitsWarning"]


class UnitsWarning(UserWarning):
    """A model value looks like it was given in seconds or volts (rnmf uses ms and mV)."""


_INT64_MAX = float(np.iinfo(np.int64).max)

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


@dataclass(frozen=True)
class LIFNetwork:
    r"""Sparse network of leaky integrate-and-fire populations (Brunel 2000).

    Neuron i of population a obeys, below threshold,

    .. math:: \tau_{m,a} \dot V_i = -(V_i - E_{L,a}) + \mu_{ext,a}
              + \tau_{m,a} \sum_j J_{ij} \sum_k s(t - t_j^k - D_{ij})

    with delta synapses (``tau_s = 0``: each spike makes V jump by J_ab mV) or
    exponential current synapses (time constant ``tau_s``, same total charge).
    A neuron reaching ``V_th`` spikes, is reset to ``V_reset`` and ignores input for
    ``t_ref`` ms (NEST ``iaf_psc_delta`` / ``iaf_psc_exp`` convention).  Units: ms, mV,
    Hz, pF, pA.

    **Weights are in mV, never pA.**  ``J`` is the PSP jump of a delta synapse, and for
    an exponential synapse the jump that the same charge would cause if delivered at once:
    a PSC of peak amplitude ``w`` (pA) decaying with ``tau_s`` (ms) carries ``w tau_s``
    and gives ``J = w tau_s / C_m`` (mV, with ``C_m`` in pF); NEST's ``iaf_psc_exp`` weight
    is ``w = J C_m / tau_s``.  The constant drive ``mu_ext`` is in mV too: a DC current
    ``I`` (pA) gives ``mu_ext = I tau_m / C_m``.  :meth:`psc_to_psp` converts.

    Parameters
    ----------
    N : tuple of int
        Neurons per population, e.g. ``(10000, 2500)``.
    K : matrix (P x P)
        In-degrees: ``K[a][b]`` inputs a neuron of population a receives from
        population b. With ``connectivity="bernoulli"`` it is the expected in-degree
        (connection probability ``K[a][b] / N[b]``); with ``"fixed_total_number"`` the
        block holds ``round(K[a][b] N[a])`` synapses with random pre- and postsynaptic
        neurons (Potjans & Diesmann 2014), so ``K`` may be fractional.
    J : matrix (P x P)
        Mean synaptic weight in mV (see above) of one synapse from b onto a (negative =
        inhibitory).
    connectivity : {"fixed_indegree", "bernoulli", "fixed_total_number"}
        Fixed in-degree (multapses and autapses allowed, NEST's default), independent
        Bernoulli draws, or a fixed total number of synapses per block.
    delay : float, Delay, or matrix (P x P) of float / Delay
        Synaptic delay in ms (> 0), one :class:`~rnmf.models.delays.Delay` distribution
        for every block, or one per block (target x source).  With a float ``delay``,
        ``delay_max`` makes delays uniform in ``[delay, delay_max]``.  Stored as a float
        when every block has the same fixed delay, as one ``Delay`` when every block
        shares one distribution, else as a P x P tuple; :meth:`delay_matrix` always
        gives the P x P tuple of ``Delay``.
    tau_m, V_th, V_reset, t_ref, C_m, E_L : float or tuple of P floats
        Membrane time constant (ms), threshold, reset (mV), refractory period (ms),
        membrane capacitance (pF, used only to convert currents: export, DC input) and
        resting potential (mV).  A tuple gives one value per population; equal entries
        collapse to one float.  :meth:`neuron` returns any of them as an array of P.
    tau_s : float or tuple of P floats
        Synaptic time constant in ms of the synapses *onto* each population (0 for
        delta synapses; one population may not mix 0 and > 0 with another only when
        all are 0 or all > 0 -- mixing is allowed, each population is its own kind).
    nu_ext : vector (P,) or matrix (P, S)
        Rate (Hz) of each external Poisson input; a matrix gives S independent sources
        per population (e.g. cortical background and thalamus).
    C_ext : vector (P,) or matrix (P, S)
        Number of external Poisson inputs of each source per neuron (may be fractional
        for the theory; the simulator draws one Poisson process of rate
        ``C_ext nu_ext``).
    J_ext : vector (P,) or matrix (P, S)
        Weight (mV, as ``J``) of an external input.
    mu_ext : vector
        Constant external drive in mV (a DC current ``I`` gives ``I tau_m / C_m``),
        per population.
    J_sd : float or matrix (P x P)
        Relative standard deviation of the recurrent weights of each block: a synapse
        has weight ``J[a][b] (1 + J_sd[a][b] xi)``, ``xi ~ N(0, 1)`` drawn once per
        synapse (Potjans & Diesmann 2014: 0.1).  External weights are fixed.
    J_truncate : bool
        If True, a weight whose sign would differ from ``J[a][b]`` is redrawn (NEST
        ``redraw(normal(...), min=0)`` for excitation, ``max=0`` for inhibition): the
        normal conditioned on the sign of ``J``.  :meth:`weight_moments` gives the
        resulting first and second moments, which the theory uses.
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
    connectivity: Literal["fixed_indegree", "bernoulli", "fixed_total_number"] = "fixed_indegree"
    delay: Any = 1.5
    delay_max: float | None = None
    tau_m: float | tuple = 20.0
    V_th: float | tuple = 20.0
    V_reset: float | tuple = 10.0
    t_ref: float | tuple = 2.0
    tau_s: float | tuple = 0.0
    nu_ext: tuple | float = 0.0
    C_ext: tuple | float = 0.0
    J_ext: tuple | float = 0.1
    mu_ext: tuple | float = 0.0
    populations: tuple = ()
    name: str = field(default="", compare=False)
    C_m: float | tuple = 250.0
    E_L: float | tuple = 0.0
    J_sd: tuple | float = 0.0
    J_truncate: bool = False

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
        s(self, "J", _square("LIFNetwork.J (weights, mV)", self.J, P))
        check_choice(
            "LIFNetwork.connectivity",
            self.connectivity,
            ("fixed_indegree", "bernoulli", "fixed_total_number"),
        )
        if self.connectivity == "bernoulli":
            for a in range(P):
                for b in range(P):
                    p = self.K[a][b] / self.N[b]
                    if p > 1.0:
                        raise ValueError(
                            f"LIFNetwork.K[{a}][{b}] = {self.K[a][b]:g} exceeds N[{b}] = {self.N[b]}: "
                            "a Bernoulli connection probability must lie in [0, 1]"
                        )
        per = _per_population
        s(self, "tau_m", per("LIFNetwork.tau_m (ms)", self.tau_m, P, check_positive))
        s(self, "V_th", per("LIFNetwork.V_th (mV)", self.V_th, P, check_finite))
        s(self, "V_reset", per("LIFNetwork.V_reset (mV)", self.V_reset, P, check_finite))
        th, re = self.neuron("V_th"), self.neuron("V_reset")
        if np.any(re >= th):
            a = int(np.argmax(re >= th))
            where = "" if P == 1 or np.ndim(self.V_th) == np.ndim(self.V_reset) == 0 else f"[{a}]"
            raise ValueError(
                f"LIFNetwork.V_reset{where} ({re[a]:g} mV) must be below V_th{where} "
                f"({th[a]:g} mV)"
                + (
                    "; rnmf uses millivolts (were they given in volts?)"
                    if min(abs(re[a]), abs(th[a])) < 1.0
                    else ""
                )
            )
        s(self, "t_ref", per("LIFNetwork.t_ref (ms)", self.t_ref, P, check_nonnegative))
        s(self, "tau_s", per("LIFNetwork.tau_s (ms)", self.tau_s, P, check_nonnegative))
        s(self, "C_m", per("LIFNetwork.C_m (pF)", self.C_m, P, check_positive))
        s(self, "E_L", per("LIFNetwork.E_L (mV)", self.E_L, P, check_finite))
        if self.delay_max is not None:
            if not isinstance(self.delay, int | float) or isinstance(self.delay, bool):
                raise ValueError(
                    "LIFNetwork.delay_max applies to a scalar delay only; give "
                    "Delay.uniform(low, high) for a distribution"
                )
            s(self, "delay_max", check_finite("LIFNetwork.delay_max (ms)", self.delay_max))
        s(self, "delay", _delays(self.delay, P))
        if self.delay_max is not None and self.delay_max < self.delay:
            raise ValueError(
                f"LIFNetwork.delay_max ({self.delay_max:g} ms) must be >= delay ({self.delay:g} ms)"
            )
        ext = [
            _external("LIFNetwork.nu_ext (Hz)", self.nu_ext, P, minimum=0.0),
            _external("LIFNetwork.C_ext", self.C_ext, P, minimum=0.0),
            _external("LIFNetwork.J_ext (mV)", self.J_ext, P, minimum=None),
        ]
        n_src = {e.shape[1] for e in ext if e.ndim == 2}
        if len(n_src) > 1:
            raise ValueError(
                "LIFNetwork.nu_ext, C_ext and J_ext must give the same number of external "
                f"sources per population, got shapes {[e.shape for e in ext]}"
            )
        if n_src:
            S = n_src.pop()
            ext = [np.repeat(e[:, None], S, axis=1) if e.ndim == 1 else e for e in ext]
            as_t = [tuple(tuple(float(v) for v in row) for row in e) for e in ext]
        else:
            as_t = [tuple(float(v) for v in e) for e in ext]
        s(self, "nu_ext", as_t[0])
        s(self, "C_ext", as_t[1])
        s(self, "J_ext", as_t[2])
        s(self, "mu_ext", _vector("LIFNetwork.mu_ext (mV)", self.mu_ext, P))
        s(
            self,
            "J_sd",
            _square("LIFNetwork.J_sd (relative weight spread)", self.J_sd, P, minimum=0.0),
        )
        if not isinstance(self.J_truncate, bool | np.bool_):
            raise ValueError(
                f"LIFNetwork.J_truncate must be True or False, got {self.J_truncate!r}"
            )
        s(self, "J_truncate", bool(self.J_truncate))
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
            values = {f.name: getattr(self, f.name) for f in fields(self)}
            for key in ("tau_m", "t_ref", "tau_s"):
                if isinstance(values[key], tuple):
                    nz = [v for v in values[key] if v > 0]
                    values[key] = min(nz) if nz else 0.0
            if not isinstance(self.delay, float):
                values["delay"] = min(d.moments()[0] for row in self.delay_matrix() for d in row)
            th_rel, re_rel = th - self.neuron("E_L"), re - self.neuron("E_L")
            if np.ndim(self.V_th) or np.ndim(self.V_reset) or np.ndim(self.E_L):
                values["V_th"], values["V_reset"] = None, None
                gap = float(np.min(th - re))
                if 0.0 < gap < _VOLTS_BELOW:
                    values["V_th"], values["V_reset"] = float(th_rel[0]), float(th_rel[0] - gap)
            elif self.E_L != 0.0:
                values["V_th"], values["V_reset"] = float(th_rel[0]), float(re_rel[0])
            _unit_warnings(values, stacklevel=4)

    @property
    def n_sources(self) -> int:
        """Number of external Poisson sources per population (columns of ``nu_ext``)."""
        return len(self.nu_ext[0]) if isinstance(self.nu_ext[0], tuple) else 1

    def neuron(self, name: str) -> np.ndarray:
        """A neuron parameter (``tau_m, V_th, V_reset, t_ref, tau_s, C_m, E_L``) as an array of P."""
        check_choice("name", name, ("tau_m", "V_th", "V_reset", "t_ref", "tau_s", "C_m", "E_L"))
        v = getattr(self, name)
        return np.array(v, dtype=float) if isinstance(v, tuple) else np.full(self.P, float(v))

    @property
    def homogeneous(self) -> bool:
        """True when every neuron parameter is one float (all populations alike)."""
        return not any(
            isinstance(getattr(self, k), tuple)
            for k in ("tau_m", "V_th", "V_reset", "t_ref", "tau_s", "C_m", "E_L")
        )

    def external(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """External Poisson sources as arrays of shape (P, S): rates (Hz), in-degrees, weights (mV)."""
        out = []
        for v in (self.nu_ext, self.C_ext, self.J_ext):
            a = np.asarray(v, dtype=float)
            out.append(a[:, None] if a.ndim == 1 else a)
        return out[0], out[1], out[2]

    def delay_matrix(self) -> tuple:
        """P x P tuple (target x source) of :class:`Delay`, whatever form ``delay`` has."""
        if isinstance(self.delay, Delay):
            d = self.delay
        elif isinstance(self.delay, float):
            d = (
                Delay.fixed(self.delay)
                if self.delay_max is None or self.delay_max == self.delay
                else Delay.uniform(self.delay, self.delay_max)
            )
        else:
            return self.delay
        return tuple(tuple(d for _ in range(self.P)) for _ in range(self.P))

    def weight_moments(self) -> tuple[np.ndarray, np.ndarray]:
        r"""First and second moments (mV, mV^2) of a recurrent weight, P x P each.

        Untruncated: ``E w = J``, ``E w^2 = J^2 (1 + J_sd^2)``.  With ``J_truncate`` the
        relative factor ``1 + J_sd xi`` is a normal conditioned on ``> 0``:
        ``E[1 + s xi | xi > -1/s] = 1 + s lambda`` and ``E[(1 + s xi)^2 | .] = 1 + 2 s
        lambda + s^2 (1 - lambda/s)`` with ``lambda = phi(1/s) / Phi(1/s)`` (moments of
        the truncated normal; Johnson, Kotz & Balakrishnan 1994, eq. 13.134).
        """
        J = np.asarray(self.J, dtype=float)
        sd = np.asarray(self.J_sd, dtype=float)
        if not self.J_truncate:
            return J, J**2 * (1.0 + sd**2)
        from scipy import special

        with np.errstate(divide="ignore", invalid="ignore"):
            alpha = np.where(sd > 0, 1.0 / np.where(sd > 0, sd, 1.0), np.inf)
            # inverse Mills ratio phi(alpha)/Phi(alpha), stable for all alpha
            lam = np.where(
                np.isfinite(alpha),
                np.sqrt(2.0 / np.pi)
                / special.erfcx(-np.where(np.isfinite(alpha), alpha, 0) / np.sqrt(2.0)),
                0.0,
            )
            m1 = 1.0 + sd * lam
            m2 = 1.0 + 2.0 * sd * lam + sd**2 * (1.0 - alpha * lam)
        m2 = np.where(sd > 0, m2, 1.0)
        m1 = np.where(sd > 0, m1, 1.0)
        return J * m1, J**2 * m2

    @staticmethod
    def psc_to_psp(w: Any, tau_s: Any, C_m: Any) -> Any:
        """Weight in mV (``J = w tau_s / C_m``) of an exponential PSC of peak ``w`` pA."""
        return (
            np.asarray(w, dtype=float)
            * np.asarray(tau_s, dtype=float)
            / np.asarray(C_m, dtype=float)
        )

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
        if gamma * N_E > _INT64_MAX or gamma * epsilon * N_E > _INT64_MAX:
            raise ValueError(
                f"{where}: gamma (N_I / N_E) = {gamma:g} makes gamma * N_E = {gamma * N_E:.3g} "
                "inhibitory neurons, more than any network can hold"
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

    @classmethod
    def from_probabilities(
        cls,
        N: Any,
        p: Any,
        J: Any,
        *,
        connectivity: Literal["fixed_total_number", "bernoulli"] = "fixed_total_number",
        **kwargs: Any,
    ) -> LIFNetwork:
        """Network from connection probabilities ``p[a][b]`` (target x source) in [0, 1].

        ``connectivity="bernoulli"``: ``K = p N_b`` (expected in-degree).
        ``"fixed_total_number"``: ``K = log(1 - p) / log(1 - 1/(N_a N_b)) / N_a``, the
        in-degree whose random synapses (drawn with replacement) connect a pair with
        probability ``p`` (Potjans & Diesmann 2014, Table 4); needs ``p < 1``.
        Other keywords are :class:`LIFNetwork` fields.
        """
        where = "LIFNetwork.from_probabilities"
        check_choice(f"{where}: connectivity", connectivity, ("fixed_total_number", "bernoulli"))
        Ns = np.atleast_1d(np.asarray(N, dtype=object))
        if Ns.ndim != 1 or Ns.size == 0:
            raise ValueError(f"{where}: N must be a sequence of population sizes, got {N!r}")
        n = np.array([check_int(f"{where}: N[{a}]", v, minimum=1) for a, v in enumerate(Ns)], float)
        P = n.size
        pm = np.array(_square(f"{where}: p (connection probabilities)", p, P))
        bad = (pm < 0) | (pm > 1) | ((pm >= 1) & (connectivity == "fixed_total_number"))
        if np.any(bad):
            a, b = (int(i) for i in np.argwhere(bad)[0])
            top = "1" if connectivity == "bernoulli" else "1 (exclusive: K would be infinite)"
            raise ValueError(f"{where}: p[{a}][{b}] = {float(pm[a, b])!r} must lie in [0, {top}]")
        if connectivity == "bernoulli":
            K = pm * n[None, :]
        else:
            K = _indegrees_from_probability(pm, n[:, None], n[None, :])
        return cls(N=tuple(int(v) for v in n), K=K, J=J, connectivity=connectivity, **kwargs)

    @classmethod
    def microcircuit(
        cls,
        scale: float = 1.0,
        *,
        k_scale: float | None = None,
        thalamic: bool = False,
        thalamic_rate: float = 15.0,
        background: Literal["poisson", "dc"] = "poisson",
        full_rates: Any = None,
        delay_low: float = 0.1,
        J_sd: float = 0.1,
        J_truncate: bool = True,
        name: str = "Potjans & Diesmann 2014 microcircuit",
    ) -> LIFNetwork:
        r"""The cortical microcircuit of Potjans & Diesmann (2014), optionally scaled.

        Eight populations L23E, L23I, L4E, L4I, L5E, L5I, L6E, L6I of current-based LIF
        neurons with exponential synapses (Potjans & Diesmann 2014, Cereb Cortex 24:785,
        Tables 4 and 5; the same numbers as NEST's ``Potjans_2014`` example):

        * sizes ``N`` and connection probabilities ``C_ab`` (Table 5, "Populations" and
          "Connectivity"; rows = target, columns = source); in-degrees from the
          fixed-total-number rule, ``K_ab = log(1 - C_ab) / log(1 - 1/(N_a N_b)) / N_a``
          (Table 4, "Connectivity", eq. for the number of synapses; ``connectivity =
          "fixed_total_number"``);
        * PSC amplitude ``w = 87.8 pA`` (sd 10 %, ``J_sd = 0.1``; Table 5), doubled for
          L4E -> L23E, inhibitory ``-4 w`` (``g = -4``); as weights in mV ``J = w tau_s /
          C_m`` (0.1756 mV);
        * delays: truncated normal, excitatory 1.5 +- 0.75 ms, inhibitory 0.75 +- 0.375
          ms (Table 5), truncated below at ``delay_low`` (PD2014 redraw at the 0.1 ms
          time step);
        * neurons: ``tau_m = 10 ms, C_m = 250 pF, tau_s = 0.5 ms, t_ref = 2 ms, E_L =
          V_reset = -65 mV, V_th = -50 mV`` (Table 5, "Neuron model");
        * external input: ``K_ext = 1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100``
          Poisson inputs of 8 Hz with weight ``w`` (Table 5, "Background");
          ``background="dc"`` replaces them by the DC current of equal mean
          (``I = 8 Hz K_ext w tau_s``, PD2014 Sec. "Model" alternative);
        * thalamus (``thalamic=True``): 902 neurons with connection probabilities 0.0983
          (L4E), 0.0619 (L4I), 0.0512 (L6E), 0.0196 (L6I) (Table 5, "Thalamic input")
          firing as Poisson processes at ``thalamic_rate`` Hz (PD2014 drive the thalamus
          with a transient pulse; a constant rate, here an assumed 15 Hz by default, is
          what a stationary theory can use), added as a second external source.

        **Scaling** (van Albada, Helias & Diesmann 2015, PLoS Comput Biol 11:e1004490,
        eqs. 2-3 and Sec. "Scaling"): ``N -> round(scale N)``, all in-degrees (recurrent,
        background, thalamic) ``K -> k_scale K`` (``k_scale`` defaults to ``scale``),
        weights ``J -> J / sqrt(k_scale)`` (keeps the input variance) and a DC drive
        ``mu_ext = (1 - sqrt(k_scale)) tau_m (sum_b K_ab J_ab nu_b + sum_s C_ext J_ext
        nu_ext) / 1000`` (mV) that restores the mean input of the full-scale network at the
        full-scale rates ``full_rates``.  With ``full_rates`` set to the theory's
        full-scale working point the scaled network has exactly the full-scale working
        point; the default is the simulated full-scale rates shipped with NEST's
        ``Potjans_2014`` example (0.971, 2.868, 4.746, 5.396, 8.142, 9.078, 0.991, 7.523
        Hz), so the match is then approximate.

        Parameters
        ----------
        scale : float
            Fraction of neurons (and, by default, of in-degrees) kept, in (0, 1].
        k_scale : float, optional
            Fraction of in-degrees kept, in (0, 1] (default ``scale``).
        thalamic : bool
            Add the thalamic population as a second external Poisson source.
        thalamic_rate : float
            Rate (Hz) of each thalamic neuron (>= 0).
        background : {"poisson", "dc"}
            Background as Poisson input or as its mean current.
        full_rates : array_like of 8, optional
            Full-scale rates (Hz) for the DC compensation of ``k_scale < 1``.
        delay_low : float
            Lower truncation of the delay distributions (ms, > 0).
        J_sd : float
            Relative weight spread (0.1 in PD2014).
        J_truncate : bool
            Redraw weights of the wrong sign (NEST example; negligible at ``J_sd = 0.1``).

        References
        ----------
        Potjans & Diesmann (2014) Cereb Cortex 24:785, Tables 4-5; van Albada, Helias &
        Diesmann (2015) PLoS Comput Biol 11:e1004490, eqs. 2-3.
        """
        return _microcircuit.build(
            cls,
            scale=scale,
            k_scale=k_scale,
            thalamic=thalamic,
            thalamic_rate=thalamic_rate,
            background=background,
            full_rates=full_rates,
            delay_low=delay_low,
            J_sd=J_sd,
            J_truncate=J_truncate,
            name=name,
        )

    def describe(self) -> str:
        """One-line summary used in reports."""
        if isinstance(self.delay, float):
            D = f"{self.delay:g}" + ("" if self.delay_max is None else f"-{self.delay_max:g}")
        elif isinstance(self.delay, Delay):
            D = self.delay.describe()
        else:
            D = "per-block " + ",".join(sorted({d.describe() for r in self.delay for d in r}))
        text = (
            f"LIF P={self.P} N={list(self.N)} K={[list(r) for r in self.K]} "
            f"J={[list(r) for r in self.J]} D={D}ms nu_ext={list(self.nu_ext)}Hz"
        )
        if self.P > 4:  # the matrices would fill a page
            text = f"LIF {self.name or 'network'} P={self.P} N={list(self.N)} D={D}ms"
        return text
