r"""Linear response of LIF networks of many populations: transfer functions, effective
connectivity with delay distributions, population-rate spectra, covariances, eigenmodes
and the sensitivity measure.

Linearising the population rates around a stationary state (Brunel & Hakim 1999; Bos,
Diesmann & Helias 2016, eqs. 12-16) gives, for a perturbation ``e^{i omega t}``,

.. math::

    \delta\nu_a(\omega) = \sum_b M_{ab}(\omega)\,\delta\nu_b(\omega) + \xi_a(\omega),\qquad
    M_{ab}(\omega) = G_a(\omega)\,\frac{\tau_{m,a}}{1000}\,K_{ab}\,E[w_{ab}]\,
        \hat d_{ab}(\omega),

with the transfer function ``G_a`` of population a (rate response to its mean input
``mu_a``, Hz/mV, including the synaptic low-pass ``1/(1 + i omega tau_s)``), the
characteristic function ``hat d_ab(omega) = E[e^{-i omega D_ab}]`` of the delay
distribution of the block, and ``xi`` the finite-size (shot) noise of N_a Poisson-like
neurons, ``<xi_a xi_b^*> = delta_ab nu_a / N_a``.  Hence (Bos et al. 2016, eqs. 16 and 18;
Helias, Tetzlaff & Diesmann 2013; Dahmen et al. 2019)

.. math::

    C(\omega) = (1 - M)^{-1}\,\operatorname{diag}(\nu/N)\,(1 - M)^{-\dagger},

whose diagonal is the power spectrum of population a's mean rate and whose value at
``omega = 0`` is the matrix of integrated covariances of the population rates.  The
eigenvalues ``lambda_i(omega)`` of ``M`` locate the spectral peaks (a peak where one comes
close to 1); the sensitivity measure of Bos et al. (2016, eq. 7),
``Z_ab = (u_a^* v_b / u^* v) M_ab``, with ``u, v`` the left and right eigenvectors of the
critical eigenvalue, says which connections ``a <- b`` shape that peak: its projection on
the direction from ``lambda`` to 1 changes the peak's height, the perpendicular projection
its frequency.

Conventions and differences from NNMT: rates in Hz, frequencies in Hz (``omega = 2 pi
f``), times in ms.  ``G_a`` here is the exact white-noise response of the LIF neuron
*with* its refractory factor ``e^{-i omega t_ref}`` (Lindner & Schimansky-Geier 2001, eq.
5), for exponential synapses either threshold-shifted (``synapse="shift"``, the default)
or its first-order Taylor expansion in the shift (``synapse="taylor"``) (Schuecker,
Diesmann & Helias 2015, eqs. 18 and 29; formulas and validity ranges in
:func:`transfer_functions`: ``sqrt(tau_s / tau_m) <~ 0.5``, ``omega tau_s <~ 0.3``, and
for the Taylor variant a first-order term below half the zeroth; :func:`linear_response`
reports each breach in ``validity``).  NNMT's formula omits the refractory factor at
``omega > 0``, so at low frequency it is larger by about ``1/(1 - nu t_ref)`` (the two
agree at ``omega = 0``, where both are ``d nu / d mu``).  Exactly, with ``Omega = -i
omega tau_m``, ``z_{T,R} = sqrt 2 (mu - V_{th,r})/sigma`` and ``Delta = (z_R^2 -
z_T^2)/4``, the shift variant is ``G = R G_NNMT`` with the refractory factor

.. math::

    R(\omega) = \frac{\mathcal D_\Omega(z_T) - e^{\Delta}\mathcal D_\Omega(z_R)}
        {\mathcal D_\Omega(z_T) - e^{\Delta} e^{-i\omega t_{ref}}\mathcal D_\Omega(z_R)}

at the shifted bounds, and the Taylor variant, the first-order expansion of the product,
``G^T = R_0 G^T_NNMT - D G_{0,NNMT} dR_0/dmu`` at the unshifted ones (both tested against
NNMT 1.3.0 to 1e-9; ``R = 1`` for ``t_ref = 0``).

Only the mean-input pathway enters ``M`` (as in Bos et al. 2016 and NNMT) unless
``variance=True``, which adds the response to the modulated input variance (Brunel 2000,
Sec. 4): needed for the slow oscillatory instability of Brunel's point D, which the mean
pathway alone misses (tested).  The weight spread enters through ``E[w] = J``
(untruncated), and the noise through ``nu / N`` (Poisson approximation of each neuron;
Dahmen et al. 2019 use ``nu CV^2`` -- see :func:`linear_response`'s ``spike_noise``).

References
----------
.. [1] N. Brunel and V. Hakim, Neural Comput. 11, 1621 (1999).
.. [2] H. Bos, M. Diesmann and M. Helias, "Identifying anatomical origins of coexisting
   oscillations in the cortical microcircuit", PLoS Comput. Biol. 12, e1005132 (2016).
.. [3] M. Helias, T. Tetzlaff and M. Diesmann, "Echoes in correlated neural systems",
   New J. Phys. 15, 023002 (2013).
.. [4] D. Dahmen, S. Gruen, M. Diesmann and M. Helias, "Second type of criticality in the
   brain uncovers rich multiple-neuron dynamics", PNAS 116, 13051 (2019).
.. [5] J. Schuecker, M. Diesmann and M. Helias, "Modulated escape from a metastable state
   driven by colored noise", Phys. Rev. E 92, 052119 (2015).
.. [6] B. Lindner and L. Schimansky-Geier, Phys. Rev. Lett. 86, 2934 (2001).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnmf._checks import check_array, check_bool, check_choice, check_int, check_positive
from rnmf.models import LIFNetwork
from rnmf.results import Result, Status, finish

from ._pop_transfer import (
    _TAYLOR_TERM_MAX,
    _check_lanes,
    _frequencies,
    _low_pass,
    _rates,
    _transfer,
    transfer_functions,
)
from .inputs import _input_stats, _neuron
from .neuron import SYNAPSE_METHODS
from .stability import _COLORED_WT

__all__ = [
    "LinearResponse",
    "SensitivityMeasure",
    "effective_connectivity",
    "linear_response",
    "sensitivity_measure",
    "transfer_functions",
]


def _delay_factors(net: LIFNetwork, f: np.ndarray, dt: float | None = None) -> np.ndarray:
    """``E[exp(-i omega D_ab)]``, shape (F, P, P) (delays on a grid of ``dt`` ms if given)."""
    omega = 2.0 * math.pi * f / 1000.0  # rad/ms
    out = np.empty((f.size, net.P, net.P), dtype=complex)
    cache: dict = {}
    for a, row in enumerate(net.delay_matrix()):
        for b, d in enumerate(row):
            if d not in cache:
                cache[d] = d.characteristic(omega, dt)
            out[:, a, b] = cache[d]
    return out


def effective_connectivity(
    net: LIFNetwork,
    frequency: Any,
    *,
    rates: Any = None,
    transfer: Any = None,
    method: str = "threshold",
    variance: bool = False,
    dt: float | None = None,
    synapse: str = "shift",
) -> np.ndarray:
    r"""``M_ab(omega) = G_a(omega) tau_m,a/1000 K_ab E[w_ab] E[e^{-i omega D_ab}]``, (F, P, P).

    Bos, Diesmann & Helias (2016), eq. 12 (there with a fixed or Gaussian delay); the delay
    enters through the characteristic function of each block's distribution
    (:meth:`rnmf.models.Delay.characteristic`).  ``transfer`` (F, P) may be passed to
    reuse :func:`transfer_functions`.  ``variance=True`` adds the variance pathway
    ``G^{sigma^2}_a tau_m,a/1000 K_ab E[w_ab^2] E[e^{-i omega D_ab}]`` (Brunel 2000, Sec.
    4; neglected by Bos et al. 2016 and NNMT): then ``transfer`` must be the pair returned
    by ``transfer_functions(..., variance=True)``.  ``dt`` (ms): delays as a simulation
    on that grid draws them (rounded to whole steps, :meth:`rnmf.models.Delay.pmf`; raises
    if a distribution puts mass below one step).  ``synapse`` (``"shift"`` or ``"taylor"``)
    picks the colored-noise treatment of exponential synapses in :func:`transfer_functions`
    when ``transfer`` is not given (Schuecker, Diesmann & Helias 2015; validity ranges
    there).
    """
    f = _frequencies(frequency)
    check_choice("synapse", synapse, SYNAPSE_METHODS)
    check_bool("variance", variance)
    if transfer is None:
        transfer = transfer_functions(
            net, f, rates=rates, method=method, variance=variance, synapse=synapse
        )
    tau = net.neuron("tau_m") / 1000.0
    K = np.asarray(net.K, dtype=float)
    m1, m2 = net.weight_moments()
    if dt is not None:
        dt = check_positive("dt (ms)", dt)
    D = _delay_factors(net, f, dt)
    if variance:
        G = check_array("transfer[0]", transfer[0], shape=(f.size, net.P), dtype=complex)
        Gs = check_array("transfer[1]", transfer[1], shape=(f.size, net.P), dtype=complex)
        W = (
            G[:, :, None] * (tau[:, None] * K * m1)[None]
            + Gs[:, :, None] * (tau[:, None] * K * m2)[None]
        )
        return W * D
    G = check_array("transfer", transfer, shape=(f.size, net.P), dtype=complex)
    return G[:, :, None] * (tau[:, None] * K * m1)[None] * D


@dataclass(frozen=True, kw_only=True, repr=False)
class LinearResponse(Result):
    """Linear response of an LIF network around a stationary state.

    Attributes
    ----------
    frequency : ndarray (F,)
        Hz.
    rates : ndarray (P,)
        Working point (Hz).
    transfer : ndarray (F, P)
        Transfer functions (Hz/mV).
    connectivity : ndarray (F, P, P)
        Effective connectivity ``M(omega)``.
    cross_spectra : ndarray (F, P, P)
        ``C_ab(omega) = int dtau e^{-i omega tau} cov(r_a(t + tau), r_b(t))`` of the
        population-averaged rates ``r_a = (1/N_a) sum_i sum_k delta(t - t_ik)`` (Hz), tau in
        seconds: a two-sided spectral density in Hz^2/Hz = Hz (a Poisson neuron of rate nu
        has the flat spectrum nu).  A simulation estimate with the same convention is
        ``|FFT(r - mean)|^2 dt^2 / T`` (dt, T in s).
    power : ndarray (F, P)
        Power spectra ``C_aa(omega)`` (real, >= 0).
    eigenvalues : ndarray (F, P)
        Eigenvalues of ``M(omega)``, sorted by distance to 1 at each frequency.
    stable_margin : float
        ``min_omega min_i |1 - lambda_i(omega)|``: how close the network comes to an
        instability on the scanned frequencies.
    noise : ndarray (P,)
        Shot noise of the population rates, ``nu c / N`` (Hz).
    f_valid : float
        Highest frequency (Hz) where the transfer functions are trusted: with exponential
        synapses the colored-noise response (shift or Taylor) holds for ``omega tau_s <=
        0.3`` (the range measured for :func:`asynchronous_stability`); ``inf`` for delta
        synapses.  Instabilities are only counted below it.
    validity : tuple of str
        Why parts of the result may be outside the theory's range (empty when inside).
    """

    frequency: np.ndarray
    rates: np.ndarray
    transfer: np.ndarray
    connectivity: np.ndarray
    cross_spectra: np.ndarray
    power: np.ndarray
    eigenvalues: np.ndarray
    stable_margin: float
    noise: np.ndarray
    f_valid: float = math.inf
    validity: tuple = ()

    @property
    def covariance(self) -> np.ndarray:
        """Integrated covariances of the population rates, ``C(omega = 0)`` (needs
        frequency 0 in the grid)."""
        zero = np.nonzero(self.frequency == 0)[0]
        if zero.size == 0:
            raise ValueError("the frequency grid has no 0: pass frequency including 0 Hz")
        return self.cross_spectra[zero[0]].real

    @property
    def pairwise(self) -> np.ndarray:
        """Average cross-spectrum of a pair of distinct neurons, (F, P, P).

        The population rate is ``(1/N_a) sum_i s_i``: off the diagonal ``C_ab`` already is
        the average pair spectrum; on it ``C_aa = (noise_a + (N_a - 1) c_aa) / N_a`` with
        the single-neuron (shot) spectrum ``noise_a N_a`` removed (Helias et al. 2013;
        Dahmen et al. 2019)."""
        N = np.asarray(self.model.N, dtype=float)
        out = self.cross_spectra.copy()
        diag = np.einsum("faa->fa", out)
        single = self.noise * N
        with np.errstate(divide="ignore", invalid="ignore"):
            c = np.where(N > 1, (diag * N - single) / (N - 1), np.nan)
        idx = np.arange(len(N))
        out[:, idx, idx] = c
        return out

    def sensitivity(self, mode: int | None = None) -> SensitivityMeasure:
        """Sensitivity measure at the frequency (below ``f_valid``) where an eigenvalue of
        ``M`` comes closest to 1 (``mode=None``: the closest overall, the most prominent peak; an
        int: the i-th closest eigenvalue trajectory, tracked across frequency by
        continuity), Bos et al. (2016), eq. 7."""
        ev = _tracked(self.eigenvalues)
        dist = np.abs(1.0 - ev)  # (F, P)
        dist[self.frequency > self.f_valid] = np.inf  # outside the theory's range
        closest = np.min(dist, axis=0)
        order = np.argsort(closest)
        j = int(order[0 if mode is None else int(mode)])
        k = int(np.argmin(dist[:, j]))
        return sensitivity_measure(self.connectivity[k], float(self.frequency[k]), near=ev[k, j])

    def _repr_rows(self):
        f = self.frequency
        rows = [("method", self.method), ("status", str(self.status))]
        rows.append(("frequencies", f"{f.size} in [{f.min():g}, {f.max():g}] Hz"))
        rows.append(("stable_margin", f"{self.stable_margin:.3g}"))
        rows.append(("f_valid", f"{self.f_valid:.3g} Hz"))
        for v in self.validity:
            rows.append(("  !", v))
        for a, name in enumerate(self.model.populations):
            k = int(np.argmax(self.power[:, a]))
            rows.append((name, f"peak {self.power[k, a]:.3g} at {f[k]:g} Hz"))
        return rows


def _cross_spectra(M: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """``(1 - M)^{-1} diag(noise) (1 - M)^{-dagger}``, batched over the first axis."""
    P = M.shape[-1]
    Q = np.linalg.solve(np.eye(P)[None] - M, np.broadcast_to(np.eye(P), M.shape))
    return Q * noise[None, None, :] @ np.conj(np.swapaxes(Q, -1, -2))


def _synapse_validity(net, f, nu, synapse, first_order, inside) -> list[str]:
    """Flags for the colored-noise treatment (both variants: ``k``; Taylor: its terms)."""
    from .network import _k_flag
    from .neuron import _rate_and_derivatives

    tau_s = net.neuron("tau_s")
    if not np.any(tau_s > 0):
        return []
    out = _k_flag(net, f"{synapse} transfer function", "Schuecker et al. 2015")
    if synapse != "taylor":
        return out
    mu, sigma = _input_stats(net, nu)
    nu_t = _rate_and_derivatives(mu, sigma, "taylor", **_neuron(net))[0]
    bad = np.nonzero((tau_s > 0) & ~(nu_t > 0))[0]
    if bad.size:
        out.append(
            f"the Taylor rate is <= 0 at the working point of population "
            f"{net.populations[int(bad[0])]}: the first-order expansion has broken down "
            "(use synapse='shift')"
        )
    if first_order is not None and np.any(inside):
        r = first_order[inside]
        if np.max(r) > _TAYLOR_TERM_MAX:
            i, a = np.unravel_index(int(np.argmax(r)), r.shape)
            out.append(
                f"the first-order (Taylor) term of the transfer function of population "
                f"{net.populations[int(a)]} is {np.max(r):.3g} x the zeroth-order term (> "
                f"{_TAYLOR_TERM_MAX}) at {f[inside][i]:g} Hz: higher orders in "
                "sqrt(tau_s / tau_m) matter"
            )
    return out


def linear_response(
    net: LIFNetwork,
    frequency: Any,
    *,
    rates: Any = None,
    method: str = "threshold",
    spike_noise: str = "poisson",
    cv: Any = None,
    variance: bool = False,
    dt: float | None = None,
    synapse: str = "shift",
    raise_on_failure: bool = True,
) -> LinearResponse:
    r"""Power spectra, cross-spectra and eigenvalues of the linearised network.

    ``C(omega) = (1 - M)^{-1} diag(nu c / N) (1 - M)^{-dagger}`` (Bos et al. 2016, eqs. 16
    and 18; Helias et al. 2013) with ``c = 1`` (``spike_noise="poisson"``, Bos 2016, NNMT)
    or ``c = CV^2`` of each population (``"cv"``, the low-frequency limit of a renewal
    spike train; Dahmen et al. 2019); ``cv`` may be passed, else it comes from
    :func:`stationary_rates`.  Raises (or returns with ``Status.UNBOUNDED``) when an
    eigenvalue trajectory of ``M`` passes 1 on its right within the grid and below
    ``f_valid`` (a Nyquist-type count on the given grid: use a grid fine enough to follow
    the trajectories): the linear theory then has no stationary spectrum.  Crossings
    above ``f_valid`` are reported in ``validity`` only.

    Parameters
    ----------
    net : LIFNetwork
    frequency : array_like
        Frequencies in Hz (>= 0).
    rates : array_like (P,), optional
        Working point; default :func:`stationary_rates`.
    method : {"threshold", "pcfd"}
        Transfer-function method (:func:`transfer_functions`).
    spike_noise : {"poisson", "cv"}
    cv : array_like (P,), optional
    variance : bool
        Include the modulation of the input variance in ``M`` (Brunel 2000); off by
        default as in Bos et al. (2016) and NNMT.
    dt : float, optional
        Time step (ms) of a simulation to compare with: delays rounded to it.
    synapse : {"shift", "taylor"}
        Colored-noise treatment of exponential synapses in the transfer functions and in
        the default working point (:func:`transfer_functions`, Schuecker, Diesmann &
        Helias 2015).  ``validity`` reports where it is used outside its range:
        ``sqrt(tau_s/tau_m) > 0.5``, frequencies above ``f_valid``, and for the Taylor
        variant a first-order term larger than half the zeroth-order one
        (``|D dG_0/dmu| > 0.5 |G_0|`` at a frequency below ``f_valid``) or a Taylor rate
        ``<= 0`` at the working point.
    raise_on_failure : bool

    Returns
    -------
    LinearResponse
    """
    if not isinstance(net, LIFNetwork):
        raise ValueError(f"net must be an LIFNetwork, got {type(net).__name__}")
    f = _frequencies(frequency)
    check_choice("spike_noise", spike_noise, ("poisson", "cv"))
    check_choice("method", method, ("threshold", "pcfd"))
    check_choice("synapse", synapse, SYNAPSE_METHODS)
    check_bool("variance", variance)
    _check_lanes(f, net)
    if rates is None:
        from .network import stationary_rates

        st = stationary_rates(net, synapse=synapse)
        nu, cv_st = st.rates, st.cv
    else:
        nu, cv_st = _rates(net, rates), None
    G, Gs, first_order = _transfer(net, f, nu, method, synapse)
    low_pass = _low_pass(net, f)
    G, Gs = G / low_pass, Gs / low_pass
    M = effective_connectivity(
        net, f, rates=nu, transfer=(G, Gs) if variance else G, variance=variance, dt=dt
    )
    c = np.ones(net.P)
    if spike_noise == "cv":
        if cv is None:
            if cv_st is None:
                from .inputs import _input_stats as _is
                from .neuron import _cv

                mu, sigma = _is(net, nu)
                cv_st = _cv(mu, sigma, **_neuron(net))
            cv = cv_st
        c = check_array("cv", cv, shape=(net.P,)) ** 2
    noise = nu * c / np.asarray(net.N, dtype=float)
    ev = np.linalg.eigvals(M)
    order = np.argsort(np.abs(1.0 - ev), axis=-1)
    ev = np.take_along_axis(ev, order, axis=-1)
    margin = float(np.min(np.abs(1.0 - ev))) if ev.size else math.inf
    C = _cross_spectra(M, noise)
    power = np.real(np.einsum("faa->fa", C))
    tau_s = net.neuron("tau_s")
    f_valid = (
        1000.0 * _COLORED_WT / (2.0 * math.pi * float(np.max(tau_s)))
        if np.any(tau_s > 0)
        else math.inf
    )
    inside = f <= f_valid
    unstable = _crosses_one(ev[inside]) if np.sum(inside) else False
    validity = _synapse_validity(net, f, nu, synapse, first_order, inside)
    if np.any(~inside):
        validity.append(
            f"frequencies above {f_valid:.3g} Hz (omega tau_s > {_COLORED_WT}): the "
            f"colored-noise ({synapse}) transfer function is used beyond its range"
        )
        if _crosses_one(ev):
            validity.append(
                "an eigenvalue of M(omega) crosses 1 above that frequency: an instability "
                "there is not predicted reliably"
            )
    status = Status.CONVERGED if not unstable else Status.UNBOUNDED
    result = LinearResponse(
        model=net,
        method=f"linear response ({method}, {spike_noise} noise, {synapse})",
        options=dict(method=method, spike_noise=spike_noise, variance=variance, synapse=synapse),
        converged=not unstable,
        status=status,
        n_iter=0,
        residual=0.0,
        frequency=f,
        rates=nu,
        transfer=G,
        connectivity=M,
        cross_spectra=C,
        power=power,
        eigenvalues=ev,
        stable_margin=margin,
        noise=noise,
        f_valid=f_valid,
        validity=tuple(validity),
    )
    return finish(result, raise_on_failure)


def _tracked(ev: np.ndarray) -> np.ndarray:
    """Eigenvalues (F, P) reordered so that each column follows one trajectory
    (nearest neighbour between consecutive frequencies)."""
    out = np.array(ev, dtype=complex)
    for k in range(1, out.shape[0]):
        prev, nxt = out[k - 1], out[k]
        perm = np.argmin(np.abs(prev[:, None] - nxt[None, :]), axis=1)
        if len(set(perm.tolist())) == len(perm):
            out[k] = nxt[perm]
    return out


def _crosses_one(ev: np.ndarray) -> bool:
    """True if some eigenvalue trajectory passes 1 on its right (Re > 1 where Im changes
    sign) on the scanned grid: a Nyquist-type count of an unstable root (a heuristic on a
    finite grid; :func:`asynchronous_stability` is the adaptive count for one neuron model)."""
    if ev.shape[0] < 2:
        return bool(np.any((ev.real > 1) & (np.abs(ev.imag) < 1e-12)))
    tr = _tracked(ev)
    cur, nxt = tr[:-1], tr[1:]
    cross = (np.sign(cur.imag) != np.sign(nxt.imag)) & (0.5 * (cur.real + nxt.real) > 1.0)
    return bool(np.any(cross))


@dataclass(frozen=True)
class SensitivityMeasure:
    """Sensitivity of a spectral peak to the connections (Bos et al. 2016, eq. 7).

    Attributes
    ----------
    frequency : float
        Hz.
    eigenvalue : complex
        The critical eigenvalue of ``M`` (closest to 1).
    sensitivity : ndarray (P, P), complex
        ``Z_ab = u_a^* v_b M_ab / (u^* v)``.
    amplitude, frequency_shift : ndarray (P, P)
        Projections of ``Z`` on the unit vector from ``lambda`` towards 1 (a positive
        entry: strengthening ``a <- b`` raises the peak) and on its perpendicular (shifts
        the peak frequency).
    left, right : ndarray (P,)
        Left and right eigenvectors.
    """

    frequency: float
    eigenvalue: complex
    sensitivity: np.ndarray
    amplitude: np.ndarray
    frequency_shift: np.ndarray
    left: np.ndarray
    right: np.ndarray


def sensitivity_measure(
    M: Any,
    frequency: float = float("nan"),
    *,
    mode: int | None = None,
    near: complex | None = None,
) -> SensitivityMeasure:
    r"""Bos et al. (2016) sensitivity measure of the eigenmode of ``M`` closest to 1.

    ``Z_ab = u_a^* v_b M_ab / (u^\dagger v)`` with ``u`` (left) and ``v`` (right)
    eigenvectors of the eigenvalue ``lambda`` (eq. 7); ``sum_ab Z_ab = lambda``.  The
    unit vector ``k`` from ``lambda`` to 1 in the complex plane gives the amplitude
    projection ``Re Z k_x + Im Z k_y`` (text below eq. 7) and its perpendicular the frequency
    projection.  ``mode`` picks another eigenvalue (index into the eigenvalues sorted
    by distance to 1), ``near`` the eigenvalue closest to a given complex number (for a
    real ``M`` the conjugate pair is equally close to 1: ``near`` chooses the member).
    """
    M = check_array("M (effective connectivity)", M, dtype=complex)
    if not (isinstance(frequency, int | float) and not isinstance(frequency, bool)):
        raise ValueError(f"frequency (Hz) must be a real number, got {frequency!r}")
    if near is not None and not (
        isinstance(near, int | float | complex | np.number) and not isinstance(near, bool)
    ):
        raise ValueError(f"near must be a complex number, got {near!r}")
    if near is not None and not np.isfinite(complex(near)):
        raise ValueError(f"near must be finite, got {near!r}")
    if M.ndim != 2 or M.shape[0] != M.shape[1]:
        raise ValueError(f"M (effective connectivity) must be a square matrix, got shape {M.shape}")
    ev, V = np.linalg.eig(M)
    evl, U = np.linalg.eig(M.conj().T)  # left eigenvectors: u^H M = lambda u^H
    order = np.argsort(np.abs(1.0 - ev))
    if near is not None:
        i = int(np.argmin(np.abs(ev - complex(near))))
    else:
        if mode is not None:
            mode = check_int("mode", mode, minimum=0, maximum=len(ev) - 1)
        i = int(order[0 if mode is None else mode])
    lam = ev[i]
    j = int(np.argmin(np.abs(evl.conj() - lam)))
    u, v = U[:, j], V[:, i]
    Z = np.outer(u.conj(), v) * M / (u.conj() @ v)
    k = np.array([1.0 - lam.real, -lam.imag])
    k /= np.linalg.norm(k)
    k_per = np.array([-k[1], k[0]])
    return SensitivityMeasure(
        frequency=float(frequency),
        eigenvalue=complex(lam),
        sensitivity=Z,
        amplitude=Z.real * k[0] + Z.imag * k[1],
        frequency_shift=Z.real * k_per[0] + Z.imag * k_per[1],
        left=u,
        right=v,
    )
