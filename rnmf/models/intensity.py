"""Networks of intensity-based (point-process) neurons: :class:`IntensityNetwork`.

The model of Baccelli & Taillefumier (2019, SIAM J. Appl. Dyn. Syst. 18:1756, Sec. 2.1),
read by the replica-mean-field theory (:mod:`rnmf.theory.rmf`) and the exact event-driven
simulator (:func:`rnmf.sim.simulate_intensity`).

**Index convention (read this): ``W[j, i]`` is the jump of neuron i caused by a spike of
neuron j** -- rows are sources, columns are targets (the transpose of the ``J[i, j]``
"target x source" convention of the rate and LIF models).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rnmf._checks import as_rng, check_array, check_finite, check_int, check_positive
from rnmf._memory import check_memory

__all__ = ["IntensityNetwork"]

_PHI_KINDS = ("linear", "exp")
#: grid on which a user intensity callable is checked (monotone, non-negative, finite)
_PHI_CHECK_GRID = np.linspace(-50.0, 50.0, 2001)


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float, order="C", copy=True)
    a.setflags(write=False)
    return a


def _per_neuron(name: str, value: Any, N: int, *, allow_inf: bool = False) -> np.ndarray:
    # refuses complex values, strings and opaque objects with a message naming the field
    arr = check_array(f"IntensityNetwork.{name}", value, finite=False)
    if np.ndim(value) == 0:  # check_array returns at least one dimension
        arr = np.full(N, float(arr[0]))
    if arr.shape != (N,):
        raise ValueError(
            f"IntensityNetwork.{name} must be a scalar or have one entry per neuron ({N}), "
            f"got shape {arr.shape}"
        )
    bad = np.isnan(arr) if allow_inf else ~np.isfinite(arr)
    if np.any(bad):
        raise ValueError(
            f"IntensityNetwork.{name} contains NaN{'' if allow_inf else ' or infinite'} entries "
            f"(neuron {int(np.flatnonzero(bad)[0])}); pass finite values"
        )
    return _readonly(arr)


@dataclass(frozen=True, eq=False)
class IntensityNetwork:
    r"""Network of N intensity-based spiking neurons (Baccelli & Taillefumier 2019).

    Neuron i has a state X_i that, between events, relaxes toward ``b[i]``,

    .. math:: \dot X_i = (b_i - X_i) / \tau_i,

    spikes as a point process with stochastic intensity ``phi(X_i(t))``, resets to
    ``r[i]`` at its own spike (unless ``reset=False``) and jumps by ``W[j, i]`` at every
    spike of neuron j (Baccelli & Taillefumier 2019, SIAM J. Appl. Dyn. Syst. 18:1756,
    Sec. 2.1, eq. 1; the linear case with leak is the Galves--Loecherbach model).
    An optional external Poisson drive of rate ``ext_rate[i]`` makes X_i jump by
    ``ext_weight[i]``.

    **Index convention: ``W[j, i]`` = jump of neuron i (target, column) caused by a spike
    of neuron j (source, row).**  ``W[0, 1] = 0.5`` means "a spike of neuron 0 raises
    neuron 1 by 0.5".  The diagonal must be zero (a neuron's own spike resets it).

    Parameters
    ----------
    W : array (N, N)
        Jump sizes, ``W[j, i]`` = jump of i at a spike of j (see above). Any sign for
        ``phi="exp"`` or a callable; non-negative for ``phi="linear"``.
    b : float or array (N,)
        Resting level that X relaxes to.
    tau : float or array (N,)
        Relaxation time (> 0; ``np.inf`` gives the leak-free model). Time unit of rates.
    r : float or array (N,)
        Reset level after a spike.
    phi : {"linear", "exp"} or callable
        Intensity: ``x`` (needs W, b, r, ext_weight >= 0), ``lam0 * exp(x)``, or a
        user callable ``f(x_array) -> array`` that is non-negative and non-decreasing
        (checked on x in [-50, 50]).
    lam0 : float
        Prefactor of the exponential intensity (> 0; ignored otherwise).
    ext_rate, ext_weight : float or array (N,)
        Rate (>= 0) and jump size of an external Poisson drive per neuron.
    reset : bool
        ``True`` (default): X_i -> r_i at a spike of i.  ``False``: no reset; with linear
        phi this is a multivariate linear Hawkes process with exponential kernels, whose
        mean rates solve ``beta = b + diag(tau) (W^T beta + ext_rate * ext_weight)`` and
        diverge when the spectral radius of ``diag(tau) W^T`` reaches 1 (Hawkes 1971,
        Biometrika 58:83, eq. 9): that network is rejected here, before any simulation.
    name : str
        Label for reports.

    Notes
    -----
    With reset, a linear network cannot diverge: the generator identity
    ``E[X_i^2] = (b_i - beta_i)/tau_i + r_i beta_i + sum_j beta_j W[j, i] + nu_i w_i`` (valid
    for the finite network and its replica limit) bounds every rate, see
    :meth:`rate_bound`.
    """

    W: Any
    b: Any = 0.0
    tau: Any = 1.0
    r: Any = 0.0
    phi: str | Callable[[np.ndarray], np.ndarray] = "linear"
    lam0: float = 1.0
    ext_rate: Any = 0.0
    ext_weight: Any = 0.0
    reset: bool = True
    name: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        s = object.__setattr__
        try:
            W = np.asarray(self.W, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"IntensityNetwork.W must be a numeric (N, N) matrix: {exc}") from exc
        if W.ndim != 2 or W.shape[0] != W.shape[1] or W.shape[0] < 1:
            raise ValueError(
                f"IntensityNetwork.W must be a square (N, N) matrix with W[j, i] = jump of i "
                f"caused by j, got shape {W.shape}"
            )
        if not np.all(np.isfinite(W)):
            j, i = np.argwhere(~np.isfinite(W))[0]
            raise ValueError(
                f"IntensityNetwork.W contains NaN or infinite entries (W[{j}, {i}] = "
                f"{W[j, i]!r}); pass finite jump sizes"
            )
        if np.any(np.diag(W) != 0.0):
            i = int(np.flatnonzero(np.diag(W))[0])
            raise ValueError(
                f"IntensityNetwork.W must have a zero diagonal (W[{i}, {i}] = {W[i, i]:g}): "
                "a neuron's own spike resets it; model self-excitation another way"
            )
        N = W.shape[0]
        s(self, "W", _readonly(W))
        for name in ("b", "r", "ext_weight"):
            s(self, name, _per_neuron(name, getattr(self, name), N))
        s(self, "ext_rate", _per_neuron("ext_rate", self.ext_rate, N))
        if np.any(self.ext_rate < 0):
            raise ValueError(f"IntensityNetwork.ext_rate must be >= 0, got {self.ext_rate.min():g}")
        tau = _per_neuron("tau", self.tau, N, allow_inf=True)
        if np.any(tau <= 0):
            i = int(np.flatnonzero(tau <= 0)[0])
            raise ValueError(
                f"IntensityNetwork.tau must be > 0 (np.inf for no leak), got tau[{i}] = {tau[i]:g}"
            )
        s(self, "tau", tau)
        if not isinstance(self.reset, bool | np.bool_):
            raise ValueError(f"IntensityNetwork.reset must be True or False, got {self.reset!r}")
        s(self, "reset", bool(self.reset))
        s(self, "lam0", check_positive("IntensityNetwork.lam0", self.lam0))
        if isinstance(self.phi, str):
            if self.phi not in _PHI_KINDS:
                raise ValueError(
                    f"IntensityNetwork.phi must be 'linear', 'exp' or a callable, got {self.phi!r}"
                )
        elif callable(self.phi):
            self._check_callable()
        else:
            raise ValueError(
                f"IntensityNetwork.phi must be 'linear', 'exp' or a callable, got {self.phi!r}"
            )
        if self.phi == "linear":
            for name in ("W", "b", "r", "ext_weight"):
                a = getattr(self, name)
                if np.any(a < 0):
                    idx = tuple(int(k) for k in np.argwhere(a < 0)[0])
                    raise ValueError(
                        f"IntensityNetwork.{name} must be >= 0 with phi='linear' (the "
                        f"intensity phi(x) = x must stay non-negative), got {name}"
                        f"{list(idx)} = {a[idx]:g}; use phi='exp' for inhibition"
                    )
            if not self.reset:
                rho = self.spectral_radius()
                if rho >= 1.0:
                    raise ValueError(
                        f"IntensityNetwork '{self.name or 'unnamed'}': linear intensity without "
                        f"reset and spectral radius {rho:.6g} >= 1 of the linear rate map "
                        "beta -> b + diag(tau) W^T beta: the rates diverge (supercritical "
                        "Hawkes process). Weaken W or shorten tau below spectral radius 1."
                    )
            if not np.all(np.isfinite(self.tau)) and not self.reset:
                raise ValueError(
                    "IntensityNetwork.tau = inf without reset: a linear intensity without leak "
                    "or reset never relaxes; give a finite tau or reset=True"
                )

    def _check_callable(self) -> None:
        x = _PHI_CHECK_GRID
        try:
            y = np.asarray(self.phi(x.copy()), dtype=float)
        except Exception as exc:  # noqa: BLE001 - report what the user's function did
            raise ValueError(
                f"IntensityNetwork.phi must accept a float array and return an array: {exc!r}"
            ) from exc
        if y.shape != x.shape:
            raise ValueError(
                f"IntensityNetwork.phi must be vectorised (array in, same-shape array out); "
                f"got shape {y.shape} for input shape {x.shape}"
            )
        ok = np.isfinite(y) | (y == np.inf)
        if np.any(np.isnan(y)) or not np.all(ok):
            raise ValueError("IntensityNetwork.phi returned NaN on [-50, 50]")
        if np.any(y < 0):
            k = int(np.flatnonzero(y < 0)[0])
            raise ValueError(f"IntensityNetwork.phi must be non-negative: phi({x[k]:g}) = {y[k]:g}")
        d = np.diff(y)
        if np.any(d < -1e-12 * np.maximum(1.0, np.abs(y[1:]))):
            k = int(np.flatnonzero(d < -1e-12 * np.maximum(1.0, np.abs(y[1:])))[0])
            raise ValueError(
                f"IntensityNetwork.phi must be non-decreasing (the simulator's thinning bound "
                f"needs it): phi({x[k]:g}) = {y[k]:g} > phi({x[k + 1]:g}) = {y[k + 1]:g}"
            )

    # ------------------------------------------------------------------ helpers
    @property
    def N(self) -> int:
        """Number of neurons."""
        return int(self.W.shape[0])

    @property
    def phi_kind(self) -> str:
        """``"linear"``, ``"exp"`` or ``"callable"``."""
        return self.phi if isinstance(self.phi, str) else "callable"

    def intensity(self, x: Any) -> np.ndarray:
        """Evaluate the intensity phi at the states ``x`` (array)."""
        x = np.asarray(x, dtype=float)
        if self.phi == "linear":
            return np.maximum(x, 0.0)
        if self.phi == "exp":
            return self.lam0 * np.exp(np.minimum(x, 700.0))
        return np.asarray(self.phi(x), dtype=float)

    def spectral_radius(self) -> float:
        """Spectral radius of the linear rate map ``beta -> diag(tau) W^T beta`` (inf if a
        neuron without leak receives input)."""
        fin = np.isfinite(self.tau)
        if np.any(~fin & (np.abs(self.W).sum(axis=0) > 0)):
            return float("inf")
        A = np.where(fin, self.tau, 0.0)[:, None] * self.W.T
        return float(np.max(np.abs(np.linalg.eigvals(A))))

    def rate_bound(self) -> float:
        """A priori bound on every stationary rate of a linear network with reset.

        From the generator identity with f(x) = x^2 (see the class notes):
        ``beta_i^2 <= E[X_i^2] = (b_i - beta_i)/tau_i + r_i beta_i + sum_j W[j,i] beta_j +
        nu_i w_i``; with ``beta_j <= B`` the positive root of
        ``B^2 = c1 B + c0`` bounds all rates. Only defined for ``phi="linear"`` with reset.
        """
        if self.phi != "linear" or not self.reset:
            raise ValueError("rate_bound needs phi='linear' and reset=True")
        inv_tau = np.where(np.isfinite(self.tau), 1.0 / self.tau, 0.0)
        c1 = float(np.max(np.maximum(self.r - inv_tau + self.W.sum(axis=0), 0.0)))
        c0 = float(np.max(self.b * inv_tau + self.ext_rate * self.ext_weight))
        return 0.5 * (c1 + np.sqrt(c1 * c1 + 4.0 * c0))

    def describe(self) -> str:
        """One-line summary used in reports."""
        W = self.W
        nz = W[W != 0]
        wtxt = f"W in [{nz.min():.3g}, {nz.max():.3g}] ({nz.size} synapses)" if nz.size else "W=0"
        label = f"'{self.name}' " if self.name else ""
        return (
            f"IntensityNetwork {label}N={self.N} phi={self.phi_kind} {wtxt} "
            f"b~{np.mean(self.b):.3g} tau~{np.mean(self.tau):.3g} r~{np.mean(self.r):.3g}"
            + ("" if self.reset else " no-reset")
        )

    # ------------------------------------------------------------------ constructors
    @classmethod
    def all_to_all(cls, N: int, w: float, **kwargs: Any) -> IntensityNetwork:
        """N neurons, every ordered pair (j != i) coupled with ``W[j, i] = w``.

        With ``N=4, w=0.5, b=1, tau=1, r=0`` this is the worked example E2 of the
        replica-mean-field notes (RMF rate 0.99674317, mean field 1.07145741).
        """
        N = check_int("N", N, minimum=1)
        # W is a dense (N, N) matrix, copied once more by the constructor
        check_memory("IntensityNetwork.all_to_all", {f"W (N^2 float64, N = {N})": 16.0 * N * N},
                     hint="N is the number of neurons")  # fmt: skip
        w = check_finite("w", w)
        if w < 0 and kwargs.get("phi", "linear") == "linear":
            raise ValueError(
                f"all_to_all: w must be >= 0 with phi='linear' (the intensity phi(x) = x "
                f"must stay non-negative), got w = {w:g}; use phi='exp' for inhibition"
            )
        W = np.full((N, N), w)
        np.fill_diagonal(W, 0.0)
        return cls(W=W, **kwargs)

    @classmethod
    def ei(
        cls,
        N_E: int,
        N_I: int,
        *,
        w_E: float,
        w_I: float,
        p: float | None = None,
        K_E: int | None = None,
        K_I: int | None = None,
        rng: None | int | np.random.Generator = None,
        **kwargs: Any,
    ) -> IntensityNetwork:
        """Excitatory-inhibitory network: neurons ``0..N_E-1`` are E, the rest I.

        Either Erdos--Renyi with connection probability ``p`` (each ordered pair j != i
        independently), or fixed in-degree: every neuron receives exactly ``K_E`` E and
        ``K_I`` I inputs drawn without replacement among the other neurons.  A spike of
        an E neuron makes its targets jump by ``w_E``, of an I neuron by ``w_I`` (pass a
        negative ``w_I`` for inhibition; needs ``phi="exp"`` or a callable).
        """
        N_E = check_int("N_E", N_E, minimum=0)
        N_I = check_int("N_I", N_I, minimum=0)
        N = N_E + N_I
        if N < 1:
            raise ValueError("ei needs N_E + N_I >= 1")
        w_E = check_finite("w_E", w_E)
        w_I = check_finite("w_I", w_I)
        gen = as_rng(rng)
        conn = np.zeros((N, N), dtype=bool)  # conn[j, i]: j -> i
        if p is not None:
            if K_E is not None or K_I is not None:
                raise ValueError("ei: give either p (Erdos-Renyi) or K_E, K_I (fixed in-degree)")
            p = check_finite("p", p)
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"p must lie in [0, 1], got {p}")
            conn = gen.random((N, N)) < p
            np.fill_diagonal(conn, False)
        else:
            if K_E is None or K_I is None:
                raise ValueError("ei needs p (Erdos-Renyi) or both K_E and K_I (fixed in-degree)")
            K_E = check_int("K_E", K_E, minimum=0)
            K_I = check_int("K_I", K_I, minimum=0)
            for i in range(N):
                e_pool = np.array([j for j in range(N_E) if j != i], dtype=int)
                i_pool = np.array([j for j in range(N_E, N) if j != i], dtype=int)
                if K_E > e_pool.size or K_I > i_pool.size:
                    raise ValueError(
                        f"ei: in-degrees K_E={K_E}, K_I={K_I} exceed the available E ({e_pool.size})"
                        f" or I ({i_pool.size}) inputs of neuron {i}"
                    )
                conn[gen.choice(e_pool, K_E, replace=False), i] = True
                conn[gen.choice(i_pool, K_I, replace=False), i] = True
        W = np.where(conn, 0.0, 0.0)
        W[:N_E] = np.where(conn[:N_E], w_E, 0.0)
        W[N_E:] = np.where(conn[N_E:], w_I, 0.0)
        return cls(W=W, **kwargs)

    @classmethod
    def feedforward(
        cls,
        n_sources: int,
        w: float,
        *,
        source_rate: float = 1.0,
        **kwargs: Any,
    ) -> IntensityNetwork:
        """Feedforward convergence: ``n_sources`` independent neurons onto one target.

        Neurons ``0..n_sources-1`` are sources (no inputs); neuron ``n_sources`` is the
        target with ``W[j, n_sources] = w``.  With ``phi="linear"`` and the default
        ``b=0``, a source fires as a Poisson process at ``source_rate`` (its b is set to
        ``source_rate``, r = b, so its intensity is constant); per-neuron arrays of
        length ``n_sources + 1`` in ``kwargs`` override this.
        """
        n = check_int("n_sources", n_sources, minimum=1)
        w = check_finite("w", w)
        rate = check_positive("source_rate", source_rate)
        N = n + 1
        W = np.zeros((N, N))
        W[:n, n] = w
        phi = kwargs.get("phi", "linear")
        if phi == "linear":
            b = np.asarray(kwargs.pop("b", 0.0), dtype=float) * np.ones(N)
            r = np.asarray(kwargs.pop("r", 0.0), dtype=float) * np.ones(N)
            b[:n] = rate
            r[:n] = rate
            kwargs["b"], kwargs["r"] = b, r
        return cls(W=W, **kwargs)
