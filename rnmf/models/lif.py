"""Sparse networks of leaky integrate-and-fire populations: :class:`LIFNetwork` (Brunel 2000)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from rnmf._checks import check_choice, check_finite, check_int, check_nonnegative, check_positive

__all__ = ["LIFNetwork"]


def _square(name: str, value: Any, P: int, *, minimum: float | None = None) -> tuple:
    arr = np.asarray(value, dtype=float)
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
    arr = np.asarray(value, dtype=float)
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
        Ns = np.atleast_1d(np.asarray(self.N))
        if Ns.ndim != 1 or Ns.size == 0:
            raise ValueError(f"LIFNetwork.N must be a sequence of population sizes, got {self.N!r}")
        P = Ns.size
        s(
            self,
            "N",
            tuple(
                check_int(f"LIFNetwork.N[{a}]", int(n) if float(n).is_integer() else n, minimum=1)
                for a, n in enumerate(Ns.tolist())
            ),
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
        D: float = 1.5,
        **kwargs: Any,
    ) -> LIFNetwork:
        """Brunel (2000) model A: E and I with identical neurons.

        ``N_I = gamma N_E``, ``C_E = epsilon N_E``, ``C_I = gamma C_E``,
        ``J_EE = J_IE = J``, ``J_EI = J_II = -g J``, ``C_ext = C_E`` Poisson inputs at
        ``nu_ext = eta nu_thr`` with ``nu_thr = V_th / (J C_E tau_m)`` (Brunel 2000,
        J Comput Neurosci 8:183, Sec. 2 and eq. 5).
        """
        tau_m = kwargs.pop("tau_m", 20.0)
        V_th = kwargs.pop("V_th", 20.0)
        N_I = int(round(gamma * N_E))
        C_E = int(round(epsilon * N_E))
        C_I = int(round(gamma * C_E))
        nu_thr = V_th / (J * C_E * tau_m) * 1000.0  # Hz
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

    def describe(self) -> str:
        """One-line summary used in reports."""
        return (
            f"LIF P={self.P} N={list(self.N)} K={[list(r) for r in self.K]} "
            f"J={[list(r) for r in self.J]} D={self.delay:g}ms nu_ext={list(self.nu_ext)}Hz"
        )
