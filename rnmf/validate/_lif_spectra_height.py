r"""Peak height and frequency of a population-rate spectrum near an oscillatory instability.

Issue 15: the linear response of :mod:`rnmf.theory.lif.spectra` against
:func:`rnmf.sim.simulate_lif` for a two-population (E, I) network in the asynchronous state
close to its delayed-inhibition Hopf line, at a point chosen so that the error sources that
make Brunel's model A unusable for the *height* (:mod:`rnmf.validate._lif_spectra`: finite
PSP jumps, a loop gain that is a small difference of large pathway gains) are small.

**Network** (:func:`height_network`).  ``N_E = N_I = 10000``, fixed in-degree ``K = 150``
from each population, delta synapses ``J_E = 0.05`` mV, ``J_I = -0.2`` mV (``g = 4``), delay
5 ms, and the noise from outside: 1000 excitatory (``+0.1`` mV, 56 Hz) and 1000 inhibitory
(``-0.1`` mV, 44 Hz) Poisson sources per neuron (mean drive 24 mV, ``sigma`` 4.5 mV), no DC.
Fluctuation-driven neurons (rate 15 Hz, CV 0.70), small recurrent jumps, a loop dominated
by inhibition (``g N_I / N_E = 4``): pathway gains ``|v_I| = 0.96``, ``|v_E| = 0.26`` at the
peak, margin ``|1 - lambda| = 0.31``; the diffusion theory's spectrum peaks at 68-70 Hz at
~25 times the Poisson floor ``nu / N``.

**Theory.**  ``S = w^T (1 - M)^{-1} diag(nu / N_a) (1 - M)^{-dagger} w`` (Bos, Diesmann &
Helias 2016, eq. 16) with the mean *and* variance pathways in ``M`` (Brunel 2000, Sec. 4;
here the variance pathway lowers the raw height from 39 to 26 floors)
at the working point of the simulated neuron on its time grid: the simulator checks the
threshold once per step ``DT``, which acts as a threshold raised by the mean overshoot of a
random walk, ``0.5826 sigma_step`` (Broadie, Glasserman & Kou 1997, ``-zeta(1/2)/sqrt(2
pi)``) plus the skewness term ``kappa_3 / (6 sigma_step^2)`` (Siegmund 1979; the same
correction reproduced the open-loop rate of model A to 0.03 %, :mod:`._lif_spectra`), with
``sigma_step^2`` and ``kappa_3`` the second and third cumulants of one step's input
(:func:`grid_threshold_shift`; 0.192 mV here).  Rates: 14.996 Hz shifted, 15.306 Hz
unshifted.

**What was measured (module author's runs, ``DT = 0.1`` ms).**

* Network, 3 x 2 s (seeds 2000-2002): rate 15.032 +- 0.006 Hz (shifted theory 14.996,
  unshifted 15.306); the spectrum follows the theory bin by bin from 20 to 200 Hz (largest
  deviations ~20 % at single bins, the Welch scatter of one bin being 15 % there).
* Pathway gains of the simulated neuron (:func:`rnmf.validate._lif_spectra.open_loop_gain`,
  20 000 neurons x 4 s, input rate 15.03 Hz, 10 % modulation at 62, 70, 78 Hz): relative
  to the shifted diffusion theory ``kappa_I = 1.000 e^{0.004 i}`` (per frequency 1.008,
  0.999, 0.993; phases 0.001, 0.015, -0.005 rad; standard error 1.3 % and 0.013 rad per
  frequency); ``kappa_E = 1.043 e^{0.055 i}`` (1.009, 1.049, 1.072; 0.057, 0.034, 0.073
  rad; standard error 4.5-5 % and 0.045-0.05 rad per frequency: the E pathway is 4x
  weaker, its gain 4x noisier, and its phase lead, 2 standard errors, is not resolved).
  ``PATHWAY_GAIN`` holds the means and their standard errors.  Relative to the *unshifted* theory the I
  gain is 0.955: the 4.5 % is the grid's threshold shift, not a neuron defect, and no
  phase lead of the model-A size (0.04-0.09 rad) appears: the jumps are 4-10x smaller and
  the frequency half.

**Rows (module author's runs).**  Theory: height 21.3 floors (3 bins at 68 Hz; raw peak
23.8), centroid 68.70 Hz.  Full (4 x 3 s): base seed 0: height 25.4 +- 1.7 (allowed 6.7),
centroid 68.68 +- 0.36 Hz (allowed 1.6); base seed 1: 17.9 +- 1.7 (6.6), 69.64 +- 0.65
(2.5); base seeds 2, 3: 23.3 +- 1.8, 22.0 +- 1.8; 69.02, 69.41 Hz.  The four heights
scatter by 3.2 where their sems say 1.7 (chi^2 = 10.4 on 3 degrees of freedom, p ~ 0.015):
the height's network-to-network spread may exceed the Welch prediction; the centroids
(mean 69.2 Hz, 0.5 Hz above the theory, within the gains' term) scatter as predicted.  With 4 x 4 s: 23.0 +- 1.4, 19.0 +- 1.6; 68.70, 69.39 Hz.  Quick (2 x 2 s, base
seeds 0-3): heights 23.5, 18.5, 26.1, 20.0 (allowed 10-12), centroids 68.7-70.4 Hz
(allowed 2.4-2.6).  All pass; the mean over the runs' independent networks, ~21, sits on
the theory.  Not resolved: the grid threshold shift (without it the theory says 23.2) and,
in the height, the variance pathway (without it 25.4 at the same bins); the centroid of the
full rows does exclude the theory without the variance pathway (71.2 Hz, 2.5 Hz away).

**Estimators.**  Welch (Hann, 250 ms segments, 4 Hz bins) of the rate of all neurons
binned at ``DT`` (:func:`rnmf.validate._lif_spectra._simulate`), in units of each
network's floor ``nu / N``; the theory is smoothed by the window's kernel
(:func:`rnmf.validate._lif_spectra.expected_welch`).  *Height*: mean over the three bins
centred on the theory's peak bin (no maximum over noisy bins: unbiased).  *Frequency*:
centroid of the spectrum over the bins within ``CENTROID_HZ`` of that bin, the same
functional of the simulated and the expected-Welch theory spectra.

**Error model (rows).**  ``|sim - theory| <= 3 sem + wp + gain`` where

* ``sem`` is the larger of the seeds' standard error and the Welch prediction
  (:func:`welch_covariance`: Gaussian periodograms, Hann-window correlation ``4/9`` of
  adjacent and ``1/36`` of next-adjacent bins, ``1/36`` between neighbouring segments
  overlapping by half, the square of Harris' (1978, Table 1) 16.7 %; checked on white
  noise to 1 %; the expected-Welch theory as ``S``), since
  two to four seeds estimate their own spread poorly;
* ``wp`` is the change of the predicted quantity when the working point is moved from the
  theory's rate to the simulated mean rate (``rates=`` of the linear response);
* ``gain`` is the change under the measured pathway gains ``PATHWAY_GAIN`` (each pathway's
  modulus and phase moved by its standard error; the larger of the two signs; plus the
  shift from ``kappa = 1`` to the measured mean), propagated through the linear response.

References
----------
N. Brunel, J. Comput. Neurosci. 8, 183 (2000), Sec. 4.
H. Bos, M. Diesmann and M. Helias, PLoS Comput. Biol. 12, e1005132 (2016), eq. 16.
M. Broadie, P. Glasserman and S. Kou, Math. Finance 7, 325 (1997), Theorem 1.
D. Siegmund, Adv. Appl. Probab. 11, 701 (1979).
P. D. Welch, IEEE Trans. Audio Electroacoust. 15, 70 (1967).
F. J. Harris, Proc. IEEE 66, 51 (1978), Table 1.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._checks import check_int
from ..models import LIFNetwork
from ._lif_spectra import DT, SEGMENT_MS, _simulate, expected_welch, theory_spectrum
from .check import Check
from .seeds import map_tasks, seed_for
from .tolerance import sem

__all__ = [
    "CENTROID_HZ",
    "HEIGHT_POINT",
    "PATHWAY_GAIN",
    "grid_threshold_shift",
    "height_measurements",
    "height_figure",
    "height_network",
    "height_rows",
    "height_theory",
    "welch_covariance",
    "working_point",
]

#: Multiple of the standard error allowed.
Z = 3.0
#: The network of the rows (see the module docstring).
HEIGHT_POINT = {
    "N": 10000,
    "K": 150,
    "J": 0.05,
    "g": 4.0,
    "delay": 5.0,
    "nu_ext": (56.0, 44.0),
    "C_ext": 1000,
    "J_ext": 0.1,
}
#: Half-width (Hz) of the window of the centroid (frequency row).
CENTROID_HZ = 16.0
#: Band (Hz) searched for the theory's peak and drawn.
BAND = (20.0, 200.0)
#: Measured pathway gains of the simulated neuron relative to the diffusion theory with the
#: grid's threshold shift (:func:`rnmf.validate._lif_spectra.open_loop_gain`, 20 000 neurons
#: x 4 s, input 15.03 Hz, 62/70/78 Hz): ``(kappa_E, kappa_I)``, the standard errors of
#: their modulus (relative) and phase (rad), means over the three frequencies.
PATHWAY_GAIN = {
    "kappa": (1.043 * np.exp(0.055j), 1.000 * np.exp(0.004j)),
    "se_abs": (0.028, 0.008),
    "se_arg": (0.027, 0.008),
    "rate_in": 15.03,
}
#: Hann window (periodic): squared correlation of the periodogram at bins 1 and 2 apart,
#: ``|sum w^2 e^{-2 pi i k n / L}|^2 / (sum w^2)^2`` = (2/3)^2 and (1/6)^2.
_RHO_BIN = (1.0, 4.0 / 9.0, 1.0 / 36.0)
#: Correlation of the periodograms of two Hann segments overlapping by 50 %: the square of
#: the window overlap correlation ``sum w_n w_{n+L/2} / sum w^2 = 1/6`` (Harris 1978, Table 1:
#: 16.7 %), as for the bins (Gaussian data: ``Cov(|X|^2, |Y|^2) = |Cov(X, Y)|^2``).
_RHO_OVERLAP = 1.0 / 36.0


def height_network(*, V_th: float = 20.0) -> LIFNetwork:
    """The network of :data:`HEIGHT_POINT` (``V_th`` to apply :func:`grid_threshold_shift`)."""
    p = HEIGHT_POINT
    K, J, g, N = p["K"], p["J"], p["g"], p["N"]
    nu_e, nu_i = p["nu_ext"]
    C, Je = p["C_ext"], p["J_ext"]
    return LIFNetwork(
        N=(N, N), K=((K, K), (K, K)), J=((J, -g * J), (J, -g * J)), delay=p["delay"],
        nu_ext=((nu_e, nu_i), (nu_e, nu_i)), C_ext=((C, C), (C, C)),
        J_ext=((Je, -Je), (Je, -Je)), V_th=V_th, name="E-I, external E/I noise",
    )  # fmt: skip


def grid_threshold_shift(net: LIFNetwork, rate: float, dt: float = DT) -> float:
    r"""Effective threshold rise (mV) of a neuron whose threshold is checked every ``dt``.

    A random walk with steps of variance ``s^2`` and third cumulant ``k_3`` crossing a
    level overshoots it on average by ``0.5826 s + k_3 / (6 s^2)`` (Broadie, Glasserman &
    Kou 1997, Theorem 1, ``0.5826 = -zeta(1/2) / sqrt(2 pi)``; Siegmund 1979 for the
    skewness term), so the discretely monitored neuron fires like a continuous one with
    the threshold raised by that much.  Per step: ``s^2 = dt sum_s C_s J_s^2 nu_s`` and
    ``k_3 = dt sum_s C_s J_s^3 nu_s`` over the external sources and the recurrent inputs
    (all at ``rate``), for population 0 (homogeneous populations, delta synapses).
    """
    if not net.homogeneous or float(np.max(np.asarray(net.tau_s, dtype=float))) != 0.0:
        raise ValueError("grid_threshold_shift needs homogeneous populations and delta synapses")
    nu_e, C_e, J_e = (np.asarray(a[0], dtype=float) for a in net.external())
    K, J = np.asarray(net.K, dtype=float)[0], np.asarray(net.J, dtype=float)[0]
    lam = np.concatenate([C_e * nu_e, K * rate]) * dt / 1000.0
    w = np.concatenate([J_e, J])
    s2, k3 = float(np.sum(lam * w**2)), float(np.sum(lam * w**3))
    return 1.4603545088095868 / math.sqrt(2.0 * math.pi) * math.sqrt(s2) + k3 / (6.0 * s2)


def working_point(dt: float = DT, *, n_iter: int = 8) -> tuple[LIFNetwork, float]:
    """The network with the threshold raised by :func:`grid_threshold_shift` at its own
    self-consistent rate (fixed-point iteration), and that rate (Hz).  Raises
    :class:`rnmf.results.ConvergenceError` when the iteration has not settled to 1e-9 Hz."""
    from rnmf.results import ConvergenceError
    from rnmf.theory import lif

    net = height_network()
    rate = float(lif.stationary_rates(net).rates[0])
    shifted, last = net, math.inf
    for _ in range(n_iter):
        shifted = height_network(
            V_th=float(np.ravel(net.V_th)[0]) + grid_threshold_shift(net, rate, dt)
        )
        last, rate = rate, float(lif.stationary_rates(shifted).rates[0])
        if abs(rate - last) < 1e-9:
            return shifted, rate
    raise ConvergenceError(f"threshold-shift iteration: rate moved {abs(rate - last):.3g} Hz")


def welch_covariance(S: np.ndarray, n_seg: int) -> np.ndarray:
    """Covariance of a Hann-window Welch estimate at consecutive bins (spectrum ``S`` there).

    Gaussian process, locally flat spectrum: ``Cov(P_j, P_k) = rho_{|j-k|} S_j S_k (1 + 2
    rho_o (n - 1) / n) / n`` for ``n`` segments (Welch 1967), with the bin correlations
    ``rho`` of the Hann window (``1, 4/9, 1/36``, zero beyond: squares of ``sum w^2 e^{-2 pi i
    k n / L} / sum w^2 = 1, -2/3, 1/6``) and ``rho_o = 1/36`` between segments overlapping
    by half (the square of the overlap correlation 1/6, Harris 1978, Table 1).
    """
    S = np.asarray(S, dtype=float)
    d = np.abs(np.subtract.outer(np.arange(S.size), np.arange(S.size)))
    rho = np.where(d < 3, np.asarray(_RHO_BIN)[np.minimum(d, 2)], 0.0)
    return rho * np.outer(S, S) * (1.0 + 2.0 * _RHO_OVERLAP * (n_seg - 1) / n_seg) / n_seg


def _spectrum(net: LIFNetwork, freq: np.ndarray, rates: Any, gain: Any, variance: bool):
    if variance:
        return theory_spectrum(net, freq, rates=rates, gain=gain)
    from rnmf.theory import lif

    lr = lif.linear_response(net, freq, rates=rates, dt=DT, variance=False)
    w = np.asarray(net.N, dtype=float) / sum(net.N)
    return np.real(np.einsum("a,fab,b->f", w, lr.cross_spectra, w)), float(w @ lr.rates)


def height_theory(
    net: LIFNetwork,
    f_bins: np.ndarray,
    *,
    rates: Any = None,
    gain: Any = None,
    variance: bool = True,
    peak_bin: float | None = None,
) -> dict[str, Any]:
    """Expected Welch estimate of the linear-response spectrum near its peak, in floors.

    The theory (:func:`rnmf.validate._lif_spectra.theory_spectrum`, Bos et al. 2016, eq.
    16; ``variance=False`` drops Brunel's variance pathway) on a 0.5 Hz grid, smoothed by
    the window kernel at the Welch bins ``f_bins``.  ``peak_bin`` fixes the bin the
    estimators are centred on (default: the theory's own maximum in ``BAND``).  Returns
    ``f_peak`` (that bin), ``height`` (mean over it and its two neighbours), ``centroid``
    (Hz, bins within ``CENTROID_HZ``), ``bins``/``E`` (the expected estimate around the
    peak), ``nu`` (rate, Hz) and ``height_raw`` (maximum of the unsmoothed spectrum).
    """
    df = float(f_bins[1] - f_bins[0])
    nperseg = int(round(SEGMENT_MS / DT))
    if peak_bin is None:
        coarse = np.arange(BAND[0], BAND[1] + 1e-9, 1.0)
        S_c, _ = _spectrum(net, coarse, rates, gain, variance)
        f0 = float(coarse[int(np.argmax(S_c))])
    else:
        f0 = float(peak_bin)
    lo, hi = f0 - CENTROID_HZ - 4 * df, f0 + CENTROID_HZ + 4 * df
    inner = (f_bins >= lo) & (f_bins <= hi)
    bins = f_bins[inner]
    fine = np.arange(bins[0] - 8.5 * df, bins[-1] + 8.5 * df + 1e-9, 0.5)
    S, nu = _spectrum(net, fine, rates, gain, variance)
    floor = nu / sum(net.N)
    E = expected_welch(fine, S, bins, nperseg, DT) / floor
    if peak_bin is None:  # the Welch bin of the maximum, then the window centred on it
        mid = (np.abs(bins - f0) <= CENTROID_HZ) & (bins >= BAND[0])
        k = int(np.flatnonzero(mid)[np.argmax(E[mid])])
        return height_theory(
            net, f_bins, rates=rates, gain=gain, variance=variance, peak_bin=float(bins[k])
        )
    k = int(np.argmin(np.abs(bins - f0)))
    return {
        "f_peak": float(bins[k]),
        "height": float(np.mean(E[k - 1 : k + 2])),
        "centroid": _centroid(bins, E, float(bins[k])),
        "bins": bins,
        "E": E,
        "nu": nu,
        "height_raw": float(S.max() / floor),
    }


def _centroid(f: np.ndarray, S: np.ndarray, f0: float) -> float:
    m = np.abs(f - f0) <= CENTROID_HZ + 1e-9
    return float(np.sum(f[m] * S[m]) / np.sum(S[m]))


def _times(quick: bool) -> tuple[float, float, int]:
    """(T, burn_in, n_seeds): quick 2 x 2.1 s, full 4 x 3.1 s of simulated time (~1.8 s
    CPU per simulated second, plus ~8 s for the theory)."""
    return (2000.0, 100.0, 2) if quick else (3000.0, 100.0, 4)


def _run(T: float, burn: float, seed: int) -> dict[str, Any]:
    out = _simulate(height_network(), T, burn, seed)
    return {k: out[k] for k in ("f", "S", "rate", "n_seg")}


def height_measurements(
    *, quick: bool = False, base_seed: int = 0, jobs: int = 1
) -> dict[str, Any]:
    """The simulations, theory and rows behind :func:`height_rows` (``rows``, ``info``,
    ``curves``)."""
    if not isinstance(quick, bool):
        raise ValueError(f"quick must be True or False, got {quick!r}")
    if isinstance(base_seed, bool) or not isinstance(base_seed, (int, np.integer)) or base_seed < 0:
        raise ValueError(f"base_seed must be an integer >= 0, got {base_seed!r}")
    jobs = check_int("jobs", jobs, minimum=1)
    from rnmf.theory import lif

    T, burn, n = _times(quick)
    net_th, nu_th = working_point()
    st = lif.asynchronous_stability(net_th)
    if not st.stable:
        raise RuntimeError("the height point is not stable in theory")
    sims = map_tasks(_run, [(T, burn, seed_for(base_seed, 4, 31, k)) for k in range(n)], jobs)
    f = sims[0]["f"]
    N = sum(net_th.N)
    th = height_theory(net_th, f)
    f0, bins = th["f_peak"], th["bins"]
    k0 = int(np.argmin(np.abs(bins - f0)))
    inner = (f >= bins[0] - 1e-9) & (f <= bins[-1] + 1e-9)
    A = np.array([s["S"][inner] / (s["rate"] / N) for s in sims])  # (seeds, bins)
    heights = A[:, k0 - 1 : k0 + 2].mean(axis=1)
    cents = np.array([_centroid(bins, a, f0) for a in A])
    rates = np.array([s["rate"] for s in sims])
    n_seg = int(sims[0]["n_seg"])
    # Welch prediction of the standard errors (theory's expected spectrum as S)
    cov = welch_covariance(th["E"], n_seg)
    wh = np.zeros(bins.size)
    wh[k0 - 1 : k0 + 2] = 1.0 / 3.0
    sd_h = math.sqrt(float(wh @ cov @ wh))
    m = np.abs(bins - f0) <= CENTROID_HZ + 1e-9
    wc = np.where(m, (bins - th["centroid"]) / np.sum(th["E"][m]), 0.0)
    sd_c = math.sqrt(float(wc @ cov @ wc))
    sem_h = max(sem(heights), sd_h / math.sqrt(n))
    sem_c = max(sem(cents), sd_c / math.sqrt(n))
    # working point: the theory at the simulated rate, same bins
    rate_sim = float(rates.mean())
    at_sim = height_theory(net_th, f, rates=[rate_sim, rate_sim], peak_bin=f0)
    wp_h, wp_c = abs(at_sim["height"] - th["height"]), abs(at_sim["centroid"] - th["centroid"])
    # pathway gains: measured mean, then each modulus / phase moved by its standard error
    kap = np.asarray(PATHWAY_GAIN["kappa"], dtype=complex)
    meas = height_theory(net_th, f, gain=kap, peak_bin=f0)
    moved = []
    for b in range(2):
        for s in (-1.0, 1.0):
            for part in ("se_abs", "se_arg"):
                g = kap.copy()
                d = s * PATHWAY_GAIN[part][b]
                g[b] = g[b] * (1.0 + d) if part == "se_abs" else g[b] * np.exp(1j * d)
                moved.append(height_theory(net_th, f, gain=g, peak_bin=f0))
    gain_h = abs(meas["height"] - th["height"]) + max(
        abs(x["height"] - meas["height"]) for x in moved
    )
    gain_c = abs(meas["centroid"] - th["centroid"]) + max(
        abs(x["centroid"] - meas["centroid"]) for x in moved
    )
    novar = height_theory(net_th, f, variance=False, peak_bin=f0)
    plain = height_theory(height_network(), f, peak_bin=f0)
    params = (
        f"E-I N={N} K={HEIGHT_POINT['K']} J={HEIGHT_POINT['J']:g}/-{HEIGHT_POINT['g'] * HEIGHT_POINT['J']:g}mV "
        f"D={HEIGHT_POINT['delay']:g}ms dt={DT:g}ms T={T:g}ms"
    )  # fmt: skip
    rows = [
        Check(
            f"spectrum height / (nu/N), 3 bins at {f0:g} Hz", params, th["height"],
            float(heights.mean()), sem_h, n, N, z=Z, floor=wp_h + gain_h,
            note=f"3 sem (max of seeds' and Welch {sd_h / math.sqrt(n):.2g}) + working point "
            f"{wp_h:.2g} + pathway gains {gain_h:.2g}; theory with the grid threshold shift "
            f"(without: {plain['height']:.3g}; without the variance pathway: "
            f"{novar['height']:.3g})",
            samples=tuple(heights),
        ),
        Check(
            f"spectrum peak centroid (Hz), +-{CENTROID_HZ:g} Hz", params, th["centroid"],
            float(cents.mean()), sem_c, n, N, z=Z, floor=wp_c + gain_c,
            note=f"3 sem (max of seeds' and Welch {sd_c / math.sqrt(n):.2g}) + working point "
            f"{wp_c:.2g} + pathway gains {gain_c:.2g} Hz (without the variance pathway: "
            f"{novar['centroid']:.4g} Hz)",
            samples=tuple(cents),
        ),
    ]  # fmt: skip
    info = {
        "theory_rate": nu_th, "sim_rate": rate_sim, "sim_rate_sem": sem(rates),
        "peak_bin_Hz": f0, "theory_height": th["height"], "theory_height_raw": th["height_raw"],
        "theory_centroid": th["centroid"], "sim_height": float(heights.mean()),
        "sim_height_sem": sem(heights), "welch_sd_height": sd_h / math.sqrt(n),
        "sim_centroid": float(cents.mean()), "sim_centroid_sem": sem(cents),
        "welch_sd_centroid": sd_c / math.sqrt(n), "wp_height": wp_h, "wp_centroid": wp_c,
        "gain_height": gain_h, "gain_centroid": gain_c, "novar_height": novar["height"],
        "novar_centroid": novar["centroid"], "unshifted_height": plain["height"],
        "unshifted_centroid": plain["centroid"], "threshold_shift_mV": float(np.ravel(net_th.V_th)[0]) - 20.0,
        "root_per_s": st.eigenvalue, "hopf_freq_Hz": st.frequency, "n_seeds": n, "T_ms": T,
        "n_seg": n_seg,
    }  # fmt: skip
    curves = {"f": bins, "A_sim": A, "A_theory": th["E"], "A_novar": novar["E"]}
    return {"rows": rows, "info": info, "curves": curves}


def height_figure(meas: dict[str, Any]) -> Any:
    """Simulated spectrum near the peak (mean +- sem over networks) against the expected
    Welch estimate of the linear response, with and without the variance pathway."""
    from matplotlib.figure import Figure

    c, info = meas["curves"], meas["info"]
    fig = Figure(figsize=(6.0, 3.6))
    ax = fig.subplots()
    m = c["A_sim"].mean(axis=0)
    se = np.array([sem(c["A_sim"][:, j]) for j in range(m.size)])
    ax.errorbar(c["f"], m, se, fmt="o", ms=3, color="C0", label=f"network ({info['n_seeds']})")
    ax.plot(c["f"], c["A_theory"], "-", color="k", label="linear response (Welch-smoothed)")
    ax.plot(c["f"], c["A_novar"], "--", color="C3", label="without variance pathway")
    ax.set(xlabel="frequency (Hz)", ylabel="S / (nu / N)", title="E-I network near its Hopf line")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def height_rows(
    *, quick: bool = False, base_seed: int = 0, jobs: int = 1
) -> tuple[list[Check], dict[str, Any]]:
    """Peak height and centroid of the population-rate spectrum of :func:`height_network`.

    Parameters
    ----------
    quick : bool
        The CI version (2 networks of 2 s instead of 4 of 3 s).
    base_seed : int
        Base seed (:func:`rnmf.validate.seeds.seed_for`).
    jobs : int
        Worker processes for the simulations (:func:`rnmf.validate.seeds.map_tasks`).

    Returns
    -------
    rows : list of Check
        Height (3 bins at the theory's peak, in floors) and centroid; error model in the
        module docstring.
    figures : dict of str to Figure
        ``lif_spectrum_height``.
    """
    meas = height_measurements(quick=quick, base_seed=base_seed, jobs=jobs)
    return meas["rows"], {"lif_spectrum_height": height_figure(meas)}
