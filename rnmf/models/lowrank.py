r"""The low-rank plus random rate network :class:`LowRankNetwork`.

.. math:: \tau\dot x_i = -x_i + \sum_j J_{ij}\phi(x_j) + \sum_k I_{ik} u_k(t),\qquad
          J = g\chi + \frac1N\sum_{r=1}^R m_r n_r^T,\quad \chi_{ij} \sim N(0, 1/N)

(Mastrogiuseppe & Ostojic 2018, Neuron 99:609, model definition (Results, first section)
for rank one and rank two; Beiran, Dubreuil, Valente, Mastrogiuseppe & Ostojic 2021, Neural
Comput 33:1572, Sec. 2 for input vectors).  The entries of unit i,
:math:`(m_{i1}..m_{iR}, n_{i1}..n_{iR}, I_{i1}..I_{iK})`, are drawn i.i.d. across units from

* a joint Gaussian (``means`` of length D = 2R + K, ``cov`` D x D), or
* a Gaussian mixture over P populations (``weights`` alpha_p, ``means`` P x D, ``cov``
  P x D x D; Beiran et al. 2021, Sec. 2.2), or
* explicit vectors ``m`` (N, R), ``n`` (N, R) and optional ``input_vectors`` (N, K)
  given once; the theory (:mod:`rnmf.theory.lowrank`) then averages over these N units
  (their empirical measure), never over a Gaussian with their sample moments.
"""

from __future__ import annotations

import hashlib
import numbers
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from rnmf._checks import as_rng, check_finite, check_int, check_nonnegative, check_positive
from rnmf.transfer import Transfer, as_transfer

__all__ = ["LowRankNetwork"]

_SYM_TOL = 1e-10
_PSD_TOL = 1e-10
#: largest standard deviation of a loading: its square (and products of two) stay finite
_MAX_SD = 1e150


def _real_array(name: str, value: Any) -> np.ndarray:
    """``value`` as a float array, refusing what ``np.asarray(value, float)`` would silently
    convert: strings (``'1'`` -> 1.0), booleans, complex numbers (imaginary part dropped),
    ragged nested sequences and other objects."""
    if isinstance(value, str | bytes):
        raise ValueError(f"{name} must be numbers, got the string {value!r}")
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a (nested) sequence of real numbers: {exc}") from exc
    kind = raw.dtype.kind
    if kind == "O":
        flat = raw.ravel().tolist()
        if any(not _is_real_number(v) for v in flat):
            bad = next(v for v in flat if not _is_real_number(v))
            raise ValueError(
                f"{name} must hold real numbers of one shape, got {bad!r} of type "
                f"{type(bad).__name__} (ragged nesting or non-numeric entries)"
            )
        kind = "f"
    if kind in "US":
        raise ValueError(f"{name} must be numbers, got strings such as {raw.ravel()[0].item()!r}")
    if kind == "c":
        raise ValueError(
            f"{name} is complex ({raw.dtype}); the network is real: pass real values "
            "(for example .real, if the imaginary parts are meant to be dropped)"
        )
    if kind == "b":
        raise ValueError(
            f"{name} holds booleans; pass numbers (for example x.astype(float) for 0/1 entries)"
        )
    if kind not in "iuf":
        raise ValueError(f"{name} must hold real numbers, got dtype {raw.dtype}")
    return np.asarray(raw, dtype=float)


def _is_real_number(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_)


def _as_matrix_stack(name: str, value: Any, P: int, D: int, R: int) -> np.ndarray:
    arr = _real_array(f"LowRankNetwork.{name}", value)
    if arr.ndim == 2:
        arr = np.broadcast_to(arr, (P,) + arr.shape).copy()  # one covariance shared by all
    if arr.shape != (P, D, D):
        raise ValueError(
            f"LowRankNetwork.{name} must have shape ({D}, {D}) or ({P}, {D}, {D}) for "
            f"D = 2R + K = {D} loading entries [m_1..m_R, n_1..n_R, I_1..I_K] and P = {P} "
            f"population(s), as read from LowRankNetwork.means of shape ({P}, {D}) with rank "
            f"R = {R}; got shape {np.shape(value)}: pass means and cov of matching sizes"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"LowRankNetwork.{name} contains NaN or infinite entries")
    for p in range(P):
        C = arr[p]
        scale = max(float(np.max(np.abs(C))), 1e-300)
        if np.max(np.abs(C - C.T)) > _SYM_TOL * scale:
            raise ValueError(
                f"LowRankNetwork.{name} (population {p}) is not symmetric: "
                f"max |C - C^T| = {np.max(np.abs(C - C.T)):.3g}; pass a symmetric covariance"
            )
        w = np.linalg.eigvalsh(0.5 * (C + C.T))
        if w[0] < -_PSD_TOL * max(scale, 1.0):
            raise ValueError(
                f"LowRankNetwork.{name} (population {p}) is not positive semi-definite "
                f"(smallest eigenvalue {w[0]:.3g}): the variances and covariances are "
                "inconsistent (|covariance| must not exceed the product of standard deviations)"
            )
    return 0.5 * (arr + np.swapaxes(arr, 1, 2))


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float, order="C", copy=True)
    a.setflags(write=False)
    return a


@dataclass(frozen=True)
class LowRankNetwork:
    r"""Rate network with rank-R structure plus a random bulk.

    Parameters
    ----------
    N : int
        Number of units (>= 1); the theory takes N -> infinity.
    g : float
        Strength (>= 0) of the random bulk :math:`g\chi`, :math:`\chi_{ij}\sim N(0, 1/N)`.
    R : int
        Rank (>= 1). Inferred from ``m`` for explicit vectors.
    means : array, optional
        Loading means: shape (D,) for a Gaussian or (P, D) for a mixture, D = 2R + K,
        ordered :math:`[m_1..m_R, n_1..n_R, I_1..I_K]`.
    cov : array, optional
        Loading covariance(s): (D, D) or (P, D, D); symmetric positive semi-definite
        (zero variances are allowed, e.g. :math:`S_n = 0`).
    weights : array, optional
        Mixture weights :math:`\alpha_p` (> 0, normalised to sum 1); default one population.
    m, n : array (N, R), optional
        Explicit connectivity vectors (instead of ``means``/``cov``).
    input_vectors : array (N, K), optional
        Explicit input vectors (with ``m`` and ``n`` only).
    inputs : sequence of K floats
        Constant input amplitudes :math:`u_k` (default 0). Time-varying amplitudes are
        passed to the simulator and to the latent dynamics.
    phi : str or Transfer
        Transfer function (default tanh).
    tau : float
        Time constant (> 0); theory and simulator work in units of tau.
    sigma_noise : float
        White-noise intensity (>= 0), convention of :class:`rnmf.models.RateNetwork`
        (simulator only; the theory here is noise-free).
    name : str
        Label for reports.

    Notes
    -----
    Internally the loadings are always a mixture: ``means`` is stored as a tuple of P
    tuples, ``cov`` as P nested tuples, ``weights`` as a tuple. For explicit vectors
    these hold the sample statistics (``ddof=0``, a summary for reports; the theory
    averages over the vectors themselves) and ``m``, ``n``, ``input_vectors``
    hold read-only arrays (``compare=False``).

    Examples
    --------
    >>> net = LowRankNetwork.rank_one(N=2000, g=1.0, M_m=1.1, M_n=2.0, S_m=1.0)
    >>> net.R, net.K, net.P
    (1, 0, 1)
    """

    N: int
    g: float = 0.0
    R: int = 1
    means: Any = None
    cov: Any = None
    weights: Any = None
    m: Any = field(default=None, compare=False, repr=False)
    n: Any = field(default=None, compare=False, repr=False)
    input_vectors: Any = field(default=None, compare=False, repr=False)
    inputs: Any = ()
    phi: Transfer | str = "tanh"
    tau: float = 1.0
    sigma_noise: float = 0.0
    name: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        s = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731
        s("N", check_int("LowRankNetwork.N", self.N, minimum=1))
        s("g", check_nonnegative("LowRankNetwork.g", self.g))
        s("phi", as_transfer(self.phi, field_name="LowRankNetwork.phi"))
        s("tau", check_positive("LowRankNetwork.tau (time constant)", self.tau))
        s("sigma_noise", check_nonnegative("LowRankNetwork.sigma_noise", self.sigma_noise))
        if not isinstance(self.name, str):
            raise ValueError(f"LowRankNetwork.name must be a string, got {self.name!r}")
        explicit = self.m is not None or self.n is not None
        if explicit:
            self._init_explicit()
        else:
            if self.input_vectors is not None:
                raise ValueError(
                    "LowRankNetwork.input_vectors is for explicit vectors (with m and n); "
                    "for Gaussian loadings put the input entries in means/cov"
                )
            self._init_gaussian()
        K = self.K
        u = np.atleast_1d(_real_array("LowRankNetwork.inputs", self.inputs)).ravel()
        if u.size == 0:
            u = np.zeros(K)
        if u.shape != (K,):
            raise ValueError(
                f"LowRankNetwork.inputs must hold one amplitude per input vector (K = {K}), "
                f"got {np.size(self.inputs)} value(s)"
            )
        if not np.all(np.isfinite(u)):
            raise ValueError("LowRankNetwork.inputs contains NaN or infinite entries")
        s("inputs", tuple(float(v) for v in u))
        digest = None
        if self.explicit:  # the vectors are compare=False fields: equality goes by their bytes
            h = hashlib.sha256()
            for arr in (self.m, self.n, self.input_vectors):
                if arr is not None:
                    h.update(str(arr.shape).encode())
                    h.update(np.ascontiguousarray(arr).tobytes())
            digest = h.hexdigest()
        s("_vectors_digest", digest)

    def _key(self) -> tuple:
        return tuple(getattr(self, f.name) for f in fields(self) if f.compare) + (
            self._vectors_digest,
        )

    def __eq__(self, other: object) -> bool:
        """Field equality; explicit networks are equal only with identical vectors."""
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    # -- construction helpers -----------------------------------------------------
    def _init_explicit(self) -> None:
        s = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731
        if self.m is None or self.n is None:
            raise ValueError("explicit LowRankNetwork needs both m and n (arrays of shape (N, R))")
        arrs = {}
        for key in ("m", "n", "input_vectors"):
            v = getattr(self, key)
            if v is None:
                continue
            a = _real_array(f"LowRankNetwork.{key}", v)
            if a.ndim == 1:
                a = a[:, None]
            if a.ndim != 2:
                raise ValueError(
                    f"LowRankNetwork.{key} must be (N, R) or (N,), got shape {a.shape}"
                )
            if a.shape[0] != self.N:
                hint = (
                    f"; it looks transposed (R, N): pass {key}.T, of shape (N, R)"
                    if a.ndim == 2 and a.shape[1] == self.N
                    else ""
                )
                raise ValueError(
                    f"LowRankNetwork.{key} has {a.shape[0]} rows but N = {self.N}: "
                    f"every vector needs one entry per unit (shape (N, R)){hint}"
                )
            if not np.all(np.isfinite(a)):
                raise ValueError(f"LowRankNetwork.{key} contains NaN or infinite entries")
            arrs[key] = a
        if arrs["m"].shape != arrs["n"].shape:
            raise ValueError(
                f"LowRankNetwork.m and n must have the same shape (N, R); got {arrs['m'].shape} "
                f"and {arrs['n'].shape}"
            )
        R = arrs["m"].shape[1]
        if R < 1:
            raise ValueError("LowRankNetwork needs rank R >= 1 (m and n with at least one column)")
        if R > self.N:
            raise ValueError(
                f"LowRankNetwork.m has shape {arrs['m'].shape}: rank R = {R} columns exceed "
                f"N = {self.N} units, so m n^T / N cannot have rank R; the vectors look "
                "transposed: pass arrays of shape (N, R) (e.g. m.T, n.T)"
            )
        if self.R != 1 and self.R != R:
            raise ValueError(
                f"LowRankNetwork.R = {self.R!r} contradicts the explicit vectors, which have "
                f"R = {R} column(s); omit R (it is read from m)"
            )
        if "input_vectors" in arrs and arrs["input_vectors"].shape[1] > self.N:
            raise ValueError(
                f"LowRankNetwork.input_vectors has shape {arrs['input_vectors'].shape}: more "
                f"columns (K) than units (N = {self.N}); pass shape (N, K)"
            )
        s("R", R)
        blocks = [arrs["m"], arrs["n"]]
        if "input_vectors" in arrs:
            blocks.append(arrs["input_vectors"])
        X = np.concatenate(blocks, axis=1)
        with np.errstate(over="ignore", invalid="ignore"):
            mean = X.mean(axis=0)
            C = np.atleast_2d(np.cov(X, rowvar=False, ddof=0))
        if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(C))):
            big = max(arrs, key=lambda k: float(np.max(np.abs(arrs[k]))))
            raise ValueError(
                f"LowRankNetwork.{big} has entries up to {float(np.max(np.abs(arrs[big]))):.3g}: "
                "their sample mean or covariance overflows double precision; rescale the vectors"
            )
        stats = {
            "means": (tuple(float(v) for v in mean),),
            "cov": (tuple(tuple(float(v) for v in row) for row in C),),
            "weights": (1.0,),
        }
        # dataclasses.replace passes the stored statistics back: accept exactly those
        given = {k: getattr(self, k) for k in stats if getattr(self, k) is not None}
        if given and given != {k: stats[k] for k in given}:
            raise ValueError(
                "give either explicit vectors (m, n) or loading statistics (means, cov, weights), "
                "not both (explicit vectors set means/cov/weights to their sample statistics)"
            )
        for k, v in stats.items():
            s(k, v)
        for key, a in arrs.items():
            s(key, _readonly(a))

    def _init_gaussian(self) -> None:
        s = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731
        R = check_int("LowRankNetwork.R (rank)", self.R, minimum=1)
        s("R", R)
        if self.means is None or self.cov is None:
            raise ValueError(
                "LowRankNetwork needs loading statistics (means and cov) or explicit vectors (m, n); "
                "see LowRankNetwork.rank_one for the simplest case"
            )
        if R > self.N:
            raise ValueError(
                f"LowRankNetwork.R = {R} exceeds N = {self.N}: a rank-R structure needs R <= N units"
            )
        mu = _real_array("LowRankNetwork.means", self.means)
        if mu.ndim == 1:
            mu = mu[None]
        if mu.ndim != 2:
            raise ValueError(f"LowRankNetwork.means must be (D,) or (P, D), got shape {mu.shape}")
        P, D = mu.shape
        if D < 2 * R:
            raise ValueError(
                f"LowRankNetwork.means has {D} entries per population but rank R = {R} needs at "
                f"least 2R = {2 * R} ([m_1..m_R, n_1..n_R, I_1..I_K])"
            )
        if not np.all(np.isfinite(mu)):
            raise ValueError("LowRankNetwork.means contains NaN or infinite entries")
        C = _as_matrix_stack("cov", self.cov, P, D, R)
        if self.weights is None:
            if P != 1:
                raise ValueError(
                    f"LowRankNetwork.weights is needed for a mixture of P = {P} populations"
                )
            w = np.ones(1)
        else:
            w = np.atleast_1d(_real_array("LowRankNetwork.weights", self.weights))
            if w.shape != (P,):
                raise ValueError(
                    f"LowRankNetwork.weights must have one entry per population (P = {P}), got shape {w.shape}"
                )
            if not np.all(np.isfinite(w)) or np.any(w <= 0):
                raise ValueError(f"LowRankNetwork.weights must be finite and > 0, got {w.tolist()}")
            w = w / w.sum()
        s("means", tuple(tuple(float(v) for v in row) for row in mu))
        s("cov", tuple(tuple(tuple(float(v) for v in row) for row in Cp) for Cp in C))
        s("weights", tuple(float(v) for v in w))

    # -- convenience constructors ----------------------------------------------------
    @classmethod
    def rank_one(
        cls,
        N: int,
        g: float = 0.0,
        M_m: float = 0.0,
        M_n: float = 0.0,
        S_m: float = 0.0,
        S_n: float = 0.0,
        rho: float = 0.0,
        **kw: Any,
    ) -> LowRankNetwork:
        r"""Rank one with Gaussian m, n (Mastrogiuseppe & Ostojic 2018, unit-rank structure).

        ``rho`` is the correlation coefficient of m and n (|rho| <= 1), so the
        covariance of m and n is :math:`\rho S_m S_n`.
        """
        M_m = check_finite("LowRankNetwork.rank_one M_m", M_m)
        M_n = check_finite("LowRankNetwork.rank_one M_n", M_n)
        S_m = check_nonnegative("LowRankNetwork.rank_one S_m", S_m)
        S_n = check_nonnegative("LowRankNetwork.rank_one S_n", S_n)
        rho = check_finite("LowRankNetwork.rank_one rho", rho)
        if abs(rho) > 1:
            raise ValueError(f"rho is a correlation coefficient and must lie in [-1, 1], got {rho}")
        for key, v in (("S_m", S_m), ("S_n", S_n)):
            if v > _MAX_SD:
                raise ValueError(
                    f"LowRankNetwork.rank_one {key} = {v:g} exceeds {_MAX_SD:g}: its square, the "
                    "variance of the loadings, would overflow double precision"
                )
        c = rho * S_m * S_n
        return cls(N=N, g=g, R=1, means=(M_m, M_n), cov=((S_m**2, c), (c, S_n**2)), **kw)

    @classmethod
    def from_vectors(cls, m: Any, n: Any, *, g: float = 0.0, **kw: Any) -> LowRankNetwork:
        """Explicit vectors ``m``, ``n`` of shape (N, R) (or (N,) for rank one).

        N is read from ``m`` (its number of rows).  The theory (:mod:`rnmf.theory.lowrank`)
        averages over these N units (their empirical measure), not over a Gaussian with
        their sample moments.

        Raises
        ------
        ValueError
            For non-numeric, complex or boolean entries, for m with more columns than rows
            (vectors passed as (R, N) instead of (N, R)), or for an ``N`` in ``kw`` that
            disagrees with the rows of ``m``.
        """
        m_arr = _real_array("LowRankNetwork.from_vectors m", m)
        if m_arr.ndim not in (1, 2) or m_arr.shape[0] == 0:
            raise ValueError(
                f"LowRankNetwork.from_vectors m must have shape (N, R) or (N,) with N >= 1, "
                f"got shape {m_arr.shape}"
            )
        N = int(m_arr.shape[0])
        if m_arr.ndim == 2 and m_arr.shape[1] > N:
            raise ValueError(
                f"LowRankNetwork.from_vectors m has shape {m_arr.shape}: more columns (rank R = "
                f"{m_arr.shape[1]}) than rows (units N = {N}); the vectors look transposed: "
                "pass arrays of shape (N, R) (e.g. m.T, n.T)"
            )
        n_arr = _real_array("LowRankNetwork.from_vectors n", n)
        if n_arr.ndim in (1, 2) and n_arr.shape[0] != N:
            raise ValueError(
                f"LowRankNetwork.from_vectors m and n must have the same number of rows (one "
                f"entry per unit): m has shape {m_arr.shape}, n has shape {n_arr.shape}"
            )
        if "N" in kw:
            N_kw = check_int("LowRankNetwork.from_vectors N", kw.pop("N"), minimum=1)
            if N_kw != N:
                raise ValueError(
                    f"LowRankNetwork.from_vectors got N = {N_kw} but m has {N} rows; omit N "
                    "(it is read from m)"
                )
        return cls(N=N, g=g, m=m, n=n, **kw)

    # -- derived properties ----------------------------------------------------------
    @property
    def explicit(self) -> bool:
        """True when the vectors were given explicitly."""
        return self.m is not None

    @property
    def P(self) -> int:
        """Number of populations of the mixture."""
        return len(self.weights)

    @property
    def D(self) -> int:
        """Loading entries per unit, 2R + K."""
        return len(self.means[0])

    @property
    def K(self) -> int:
        """Number of input vectors."""
        return self.D - 2 * self.R

    def mean_array(self) -> np.ndarray:
        """Loading means as a (P, D) array."""
        return np.array(self.means, dtype=float)

    def cov_array(self) -> np.ndarray:
        """Loading covariances as a (P, D, D) array."""
        return np.array(self.cov, dtype=float)

    def weight_array(self) -> np.ndarray:
        """Mixture weights as a (P,) array."""
        return np.array(self.weights, dtype=float)

    def overlap(self) -> np.ndarray:
        r"""Population overlap :math:`\sigma_{rs} = \langle n_r m_s\rangle` (R x R).

        The outliers of :math:`m n^T/N` are its eigenvalues as N -> infinity
        (Mastrogiuseppe & Ostojic 2018, unit-rank structure: :math:`\lambda = n^T m/N`).
        """
        R = self.R
        out = np.zeros((R, R))
        for w, mu, C in zip(self.weight_array(), self.mean_array(), self.cov_array(), strict=True):
            out += w * (np.outer(mu[R : 2 * R], mu[:R]) + C[R : 2 * R, :R])
        return out

    def sample_loadings(
        self, rng: None | int | np.random.Generator = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Draw (or return) the vectors ``m`` (N, R), ``n`` (N, R), ``I`` (N, K).

        Explicit vectors are returned as stored (no randomness used).  For a mixture
        the first ``round(alpha_1 N)`` units form population 1 and so on (the last
        population takes the remainder), then each population is drawn from its
        Gaussian through the symmetric square root of its covariance (singular
        covariances allowed).  A Generator is advanced by N * D standard normals.
        """
        if self.explicit:
            I = self.input_vectors if self.input_vectors is not None else np.zeros((self.N, 0))
            return np.array(self.m), np.array(self.n), np.array(I)
        gen = as_rng(rng)
        Z = gen.standard_normal((self.N, self.D))
        X = np.empty_like(Z)
        for p, (lo, hi) in enumerate(self.population_slices()):
            C = self.cov_array()[p]
            w, V = np.linalg.eigh(C)
            L = V * np.sqrt(np.clip(w, 0.0, None))
            X[lo:hi] = self.mean_array()[p] + Z[lo:hi] @ L.T
        R = self.R
        return X[:, :R].copy(), X[:, R : 2 * R].copy(), X[:, 2 * R :].copy()

    def population_slices(self) -> list[tuple[int, int]]:
        """Index ranges ``[lo, hi)`` of the populations in a sampled network."""
        counts = np.round(np.cumsum(self.weight_array()) * self.N).astype(int)
        counts[-1] = self.N
        edges = np.concatenate([[0], counts])
        return [(int(edges[p]), int(edges[p + 1])) for p in range(self.P)]

    def sampled(self, rng: None | int | np.random.Generator = None) -> LowRankNetwork:
        """A network with explicit vectors drawn by :meth:`sample_loadings`."""
        m, n, I = self.sample_loadings(rng)
        return LowRankNetwork(
            N=self.N,
            g=self.g,
            m=m,
            n=n,
            input_vectors=I if I.shape[1] else None,
            inputs=self.inputs,
            phi=self.phi,
            tau=self.tau,
            sigma_noise=self.sigma_noise,
            name=self.name,
        )

    def describe(self) -> str:
        """One-line summary used in reports."""
        kind = (
            "explicit" if self.explicit else ("gaussian" if self.P == 1 else f"mixture P={self.P}")
        )
        parts = [f"N={self.N}", f"g={self.g:g}", f"R={self.R}", kind]
        if self.K:
            parts.append(f"K={self.K}")
        parts.append(f"phi={self.phi.name}")
        return ", ".join(parts)
