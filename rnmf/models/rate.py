"""The random rate network :class:`RateNetwork` (Sompolinsky, Crisanti & Sommers 1988)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from rnmf._checks import check_choice, check_finite, check_int, check_nonnegative, check_positive
from rnmf.transfer import Transfer, as_transfer

__all__ = ["RateNetwork"]


@dataclass(frozen=True)
class RateNetwork:
    r"""Random rate network (Sompolinsky, Crisanti & Sommers 1988).

    Continuous time (``time="continuous"``), in units of the time constant
    :math:`s = t/\tau`:

    .. math:: dx_i = \Big[-x_i + \sum_j J_{ij}\,\phi(x_j) + I_i\Big]\,ds + \sigma\, dW_i(s)

    i.e. :math:`\tau\,dx_i/dt = -x_i + \sum_j J_{ij}\phi(x_j) + I_i + \sqrt{\tau}\,\sigma\,\xi_i(t)`
    with unit white noise; at ``g = 0`` the stationary variance is
    :math:`\sigma^2/2` whatever ``tau`` (Schuecker, Goedeke & Helias 2018 write
    :math:`2D\delta(t-s)`, so :math:`\sigma^2 = 2D`).

    Discrete time (``time="discrete"``, Molgedey, Schuchhardt & Schuster 1992):

    .. math:: x_i(t+1) = \sum_j J_{ij}\,\phi(x_j(t)) + I_i + \sigma\,\xi_i(t),\quad \xi \sim N(0, 1)

    Couplings :math:`J_{ij} \sim N(J_0/N,\ g^2/N)` i.i.d. (self-couplings included),
    inputs :math:`I_i = I_0 + \sigma_I \eta_i` with quenched :math:`\eta_i \sim N(0,1)`.

    Parameters
    ----------
    N : int
        Number of units (>= 1). The theory is the N -> infinity limit.
    g : float
        Coupling gain (>= 0): the standard deviation of :math:`\sqrt{N} J_{ij}`.
    J0 : float
        Mean coupling times N (any finite value).
    phi : str or Transfer
        ``"tanh"``, ``"erf"``, ``"relu"``, ``"linear"`` or a :class:`Transfer`
        (e.g. ``Transfer("relu", theta=0.5)`` or a custom callable with derivative).
    tau : float
        Time constant (> 0), in the user's time unit.  **Every time rnmf reports for
        this model is in units of tau** (dimensionless :math:`s = t/\tau`), whatever
        ``tau`` is: simulated times (``Trajectory.t``, ``dt``, ``T``, ``burn_in``),
        Lyapunov exponents (per unit tau), and the theory's ``tau_corr``,
        ``lambda_max`` and correlation lags.  ``tau`` only converts to your unit:
        ``Trajectory.time = tau * t``, ``LyapunovSpectrum.per_time = exponents / tau``;
        for the theory multiply times by ``tau`` and divide rates by it yourself.
        (The discrete map counts steps and ignores ``tau``.)
    I0 : float
        Constant external input, common to all units.
    sigma_I : float
        Standard deviation (>= 0) of the quenched Gaussian input heterogeneity.
    sigma_noise : float
        White-noise intensity (>= 0), convention above.
    time : {"continuous", "discrete"}
        Continuous-time ODE/SDE or discrete-time map.
    """

    N: int
    g: float
    J0: float = 0.0
    phi: Transfer | str = "tanh"
    tau: float = 1.0
    I0: float = 0.0
    sigma_I: float = 0.0
    sigma_noise: float = 0.0
    time: Literal["continuous", "discrete"] = "continuous"
    name: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        s = object.__setattr__
        s(self, "N", check_int("RateNetwork.N", self.N, minimum=1))
        s(self, "g", check_nonnegative("RateNetwork.g", self.g))
        s(self, "J0", check_finite("RateNetwork.J0", self.J0))
        s(self, "phi", as_transfer(self.phi, field_name="RateNetwork.phi"))
        s(self, "tau", check_positive("RateNetwork.tau (time constant)", self.tau))
        s(self, "I0", check_finite("RateNetwork.I0", self.I0))
        s(self, "sigma_I", check_nonnegative("RateNetwork.sigma_I", self.sigma_I))
        s(self, "sigma_noise", check_nonnegative("RateNetwork.sigma_noise", self.sigma_noise))
        s(
            self,
            "time",
            str(check_choice("RateNetwork.time", self.time, ("continuous", "discrete"))),
        )
        if not isinstance(self.name, str):
            raise ValueError(f"RateNetwork.name must be a string, got {self.name!r}")

    @property
    def discrete(self) -> bool:
        """True for the discrete-time map."""
        return self.time == "discrete"

    @property
    def noisy(self) -> bool:
        """True when white-noise input is present."""
        return self.sigma_noise > 0.0

    def describe(self) -> str:
        """One-line summary used in reports."""
        parts = [f"N={self.N}", f"g={self.g:g}"]
        for label, value in (("J0", self.J0), ("I0", self.I0), ("sigma_I", self.sigma_I)):
            if value:
                parts.append(f"{label}={value:g}")
        if self.sigma_noise:
            parts.append(f"sigma={self.sigma_noise:g}")
        parts.append(f"phi={self.phi.name}")
        if self.discrete:
            parts.append("discrete")
        return ", ".join(parts)
