r"""Regimes of Brunel's model A over the (g, eta) plane, from theory alone.

At every point of a (g, eta) grid the lowest stable stationary rate (Brunel 2000,
eqs. 4-5, 21) is analysed with the eigenvalue equation of the asynchronous state
(Brunel 2000, Sec. 4), all points at once by threshold integration (Richardson 2007).
This module holds :func:`brunel_phase_diagram` with the labels :data:`BRUNEL_REGIMES`
of Brunel (2000, Fig. 2) (:class:`BrunelPhaseDiagram`) and :func:`hopf_boundary`, the
eta values where the asynchronous state gains or loses stability (:class:`HopfBoundary`).

References
----------
.. [1] N. Brunel, "Dynamics of sparsely connected networks of excitatory and
   inhibitory spiking neurons", J. Comput. Neurosci. 8, 183-208 (2000).
.. [2] N. Brunel and V. Hakim, "Fast global oscillations in networks of
   integrate-and-fire neurons with low firing rates", Neural Comput. 11, 1621 (1999).
.. [3] M. J. E. Richardson, "Firing-rate response of linear and nonlinear
   integrate-and-fire neurons to modulated current-based and conductance-based
   synaptic drive", Phys. Rev. E 76, 021919 (2007).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rnmf._checks import check_int, check_nonnegative, check_positive
from rnmf.models import LIFNetwork
from rnmf.results import Result, Status, finish

from .inputs import _neuron
from .network import brunel_rates
from .stability import _Char, _roots, _winding


def _brunel_char(g: np.ndarray, eta: np.ndarray, rates: np.ndarray, kw: dict) -> _Char:
    """Scalar characteristic of model A at flat arrays (g, eta, rate)."""
    net = LIFNetwork.brunel(1.0, 1.0, **kw)
    C_E, C_I = net.K[0]
    J = net.J[0][0]
    gamma = C_I / C_E
    nu_thr = net.V_th / (J * C_E * net.tau_m) * 1000.0
    sc = net.tau_m / 1000.0
    xe = eta * nu_thr
    mu = sc * (C_E * J * rates * (1.0 - g * gamma) + net.C_ext[0] * net.J_ext[0] * xe)
    sigma = np.sqrt(
        sc * (C_E * J**2 * rates * (1.0 + g**2 * gamma) + net.C_ext[0] * net.J_ext[0] ** 2 * xe)
    )
    A = sc * C_E * J * (1.0 - g * gamma)
    B = sc * C_E * J**2 * (1.0 + g**2 * gamma)
    return _Char(
        mu[:, None],
        sigma[:, None],
        rates[:, None],
        A[:, None, None],
        B[:, None, None],
        _neuron(net),
        net.delay,
        net.delay_max,
        "threshold",
    )


def _brunel_scan(
    g: np.ndarray, eta: np.ndarray, kw: dict, f_max: float, df: float, roots: bool = True
) -> dict:
    """Lowest stable rate, Nyquist count and (``roots``) leading root at flat arrays (g, eta)."""
    grid = brunel_rates(g, eta, raise_on_failure=False, **kw)
    r = np.where(grid.stable, grid.rates, np.inf)
    rate = np.where(np.all(np.isinf(r), axis=-1), grid.rates[..., 0], np.min(r, axis=-1))
    rate = np.maximum(np.nan_to_num(rate), 0.0)
    ch = _brunel_char(g, eta, rate, kw)
    n = g.size
    out = {
        "rate": rate,
        "mu": ch.mu[:, 0],
        "sigma": ch.sigma[:, 0],
        "A": ch.A[:, 0, 0],
        "n_stable": np.sum(grid.stable, axis=-1),
        "n_solutions": np.asarray(grid.n_solutions),
        "converged": bool(grid.converged),
        "n_unstable": np.zeros(n, int),
        "tail_ok": np.ones(n, bool),
        "resolved": np.ones(n, bool),
        "lead": np.full(n, complex(np.nan, np.nan)),
        "n_eval": 0,
    }
    idx = np.nonzero(rate > 1e-12)[0]  # a silent state does not respond: stable
    if idx.size == 0:
        return out
    sub = ch.take(idx)
    scan = _winding(sub, idx.size, f_max, df)
    n_unstable = scan.n_unstable
    out["n_unstable"][idx], out["tail_ok"][idx] = n_unstable, scan.tail_ok
    out["phase_ok"] = np.ones(n, bool)
    out["phase_ok"][idx] = scan.resolved
    out["count_ok"] = np.ones(n, bool)
    if roots:
        p, rts = _roots(sub, scan)
        first = np.ones(p.size, bool)
        first[1:] = p[1:] != p[:-1]  # roots are sorted by decreasing real part per state
        out["lead"][idx[p[first]]] = 1000.0 * rts[first]
        n_found = np.zeros(idx.size, int)
        np.add.at(n_found, p, np.where(rts.real > 0, np.where(rts.imag > 1e-9, 2, 1), 0))
        out["count_ok"][idx] = n_found == n_unstable
    out["resolved"] = out["phase_ok"] & out["count_ok"]
    out["n_eval"] = sub.n_eval
    return out


#: Regime labels of :func:`brunel_phase_diagram` (Brunel 2000, Fig. 2).
BRUNEL_REGIMES = ("AI", "SI fast", "SI slow", "SR", "quiescent")


@dataclass(frozen=True, kw_only=True, repr=False)
class BrunelPhaseDiagram(Result):
    """Regimes of Brunel's model A over a (g, eta) grid.

    Attributes
    ----------
    g, eta : ndarray (S)
        Broadcast grid.
    rate : ndarray (S)
        Lowest stable stationary rate (Hz): the state whose stability is classified.
    mu, sigma : ndarray (S)
        Its input mean and std (mV).
    n_unstable : ndarray of int (S)
        Roots of the eigenvalue equation in the right half plane.
    eigenvalue : ndarray of complex (S)
        Leading root (1/s), NaN where none was located.
    frequency : ndarray (S)
        ``Im(eigenvalue)/2 pi`` (Hz) of the leading root.
    regime : ndarray of str (S)
        One of :data:`BRUNEL_REGIMES`.
    resolved : ndarray of bool (S)
        The label is certain: an unstable root was located (unstable states), or the
        Nyquist count is complete and agrees with the located roots (stable states).
    reason : ndarray of str (S)
        Why a point is not resolved ("" where it is).
    bistable : ndarray of bool (S)
        More than one stable stationary rate exists (the lowest one is classified).
    n_fixed_points : ndarray of int (S)
        All stationary rates, stable or not (:func:`brunel_rates`).
    f_split : float
        Frequency (Hz) separating SI fast from SI slow (default ``1000 / (8 D)``: a delay
        phase lag ``omega D = pi/4``).
    """

    g: np.ndarray
    eta: np.ndarray
    rate: np.ndarray
    mu: np.ndarray
    sigma: np.ndarray
    n_unstable: np.ndarray
    eigenvalue: np.ndarray
    frequency: np.ndarray
    regime: np.ndarray
    resolved: np.ndarray
    bistable: np.ndarray
    n_fixed_points: np.ndarray
    f_split: float
    reason: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=str))

    def _repr_rows(self):
        counts = ", ".join(f"{r}: {int(np.sum(self.regime == r))}" for r in BRUNEL_REGIMES)
        return [
            ("method", self.method),
            ("grid", " x ".join(str(s) for s in self.g.shape) or "1"),
            ("regimes", counts),
            ("unresolved", str(int(np.sum(~self.resolved)))),
            ("bistable", str(int(np.sum(self.bistable)))),
        ]


def brunel_phase_diagram(
    g: Any,
    eta: Any,
    *,
    f_max: float = 1000.0,
    df: float = 20.0,
    f_split: float | None = None,
    nu_quiet: float = 0.1,
    raise_on_failure: bool = True,
    **brunel_kwargs: Any,
) -> BrunelPhaseDiagram:
    r"""Regime of Brunel's model A at every point of a (g, eta) grid, from theory alone.

    At each point the lowest stable stationary rate (:func:`brunel_rates`, Brunel 2000
    eqs. 4-5, 21) is analysed with the eigenvalue equation of :func:`asynchronous_stability`
    (Brunel 2000, Sec. 4), evaluated for all points at once by threshold integration.
    The labels follow Brunel (2000, Fig. 2):

    - ``"AI"``: asynchronous state stable (no root with ``Re lambda > 0``);
    - ``"SR"``: unstable with excitation-dominated recurrence (``g gamma < 1``; the
      lowest stable state is then near saturation and neurons fire regularly);
    - ``"SI fast"`` / ``"SI slow"``: unstable with inhibition-dominated recurrence, leading root
      above / below ``f_split``.  The two modes differ by where the phase lag of pi that
      closes the inhibitory loop comes from (Brunel 2000, Sec. 4): the fast mode has a
      period of 2-4 delays, its delay lag ``omega D`` carries about 0.55 pi (190 Hz at
      D = 1.5 ms, 96-120 Hz at D = 3 ms); the slow mode has a period of order ``tau_m``
      and its lag comes from the membrane (29 Hz at D = 1.5 ms: ``omega D`` = 0.09 pi).
      The default split is a delay lag of pi/4, ``f_split = 1000 / (8 D)`` Hz with
      ``D`` the mean delay (83 Hz at 1.5 ms, 42 Hz at 3 ms), so the labels follow the
      delay instead of a fixed frequency;
    - ``"quiescent"``: stable state with a rate below ``nu_quiet``.

    Parameters
    ----------
    g, eta : array_like
        Relative inhibition and ``nu_ext / nu_thr``, broadcast against each other.
    f_max, df : float
        Nyquist scan range and initial resolution (Hz).
    f_split : float, optional
        Frequency separating fast and slow synchronous irregular states (Hz); default
        ``1000 / (8 D)`` with ``D`` the mean synaptic delay in ms.
    nu_quiet : float
        Rate (Hz) below which a stable state is called quiescent.
    brunel_kwargs
        Passed to :meth:`LIFNetwork.brunel`.

    Examples
    --------
    >>> pd = brunel_phase_diagram([3.0, 6.0, 5.0, 4.5], [2.0, 4.0, 2.0, 0.9])
    >>> list(pd.regime)
    ['SR', 'SI fast', 'AI', 'SI slow']

    References
    ----------
    Brunel (2000) J Comput Neurosci 8:183, Sec. 4 and Fig. 2; Richardson (2007) Phys Rev E
    76:021919 (threshold integration).
    """
    g, eta = np.broadcast_arrays(np.asarray(g, dtype=float), np.asarray(eta, dtype=float))
    f_max = check_positive("f_max (Hz)", f_max)
    df = check_positive("df (Hz)", df)
    nu_quiet = check_nonnegative("nu_quiet (Hz)", nu_quiet)
    net = LIFNetwork.brunel(1.0, 1.0, **brunel_kwargs)
    if f_split is None:
        d_mean = net.delay if net.delay_max is None else 0.5 * (net.delay + net.delay_max)
        f_split = 1000.0 / (8.0 * d_mean)
    f_split = check_positive("f_split (Hz)", f_split)
    if np.any(~np.isfinite(g)) or np.any(g < 0) or np.any(~np.isfinite(eta)) or np.any(eta < 0):
        raise ValueError("g and eta must be finite and >= 0 at every grid point")
    shape = g.shape
    gf, ef = g.ravel().copy(), eta.ravel().copy()
    s = _brunel_scan(gf, ef, brunel_kwargs, f_max, df)
    freq = s["lead"].imag / (2 * math.pi)
    unstable = s["n_unstable"] > 0
    regime = np.where(s["rate"] < nu_quiet, "quiescent", "AI").astype(object)
    excit = s["A"] > 0  # recurrent input excitation-dominated: g gamma < 1
    regime[unstable & excit] = "SR"
    inhib = unstable & ~excit
    regime[inhib & (freq >= f_split)] = "SI fast"
    regime[inhib & (freq < f_split)] = "SI slow"
    # a label is certain when an unstable root was located (instability proven, and its
    # frequency sets fast/slow), or for a stable state when the count is complete (tail)
    # and agrees with the located roots
    located = np.isfinite(freq) & (s["lead"].real > 0)
    resolved = np.where(unstable, located, s["tail_ok"] & s["resolved"])
    reason = np.full(gf.size, "", dtype=object)
    st = ~unstable
    reason[st & ~s["phase_ok"]] = (
        "Nyquist phase not resolved (a root on or next to the imaginary axis)"
    )
    reason[st & s["phase_ok"] & ~s["count_ok"]] = (
        "the Nyquist count disagrees with the located roots"
    )
    reason[st & s["resolved"] & ~s["tail_ok"]] = (
        f"|M| >= 0.9 beyond f_max = {f_max:g} Hz: roots above f_max may be missed"
    )
    reason[unstable & ~located] = "unstable by the Nyquist count, but no root was located"
    ok = bool(np.all(resolved)) and s["converged"]
    result = BrunelPhaseDiagram(
        model=net,
        method="lowest stable rate + Nyquist count + secant roots (threshold integration)",
        options=dict(f_max=f_max, df=df, f_split=f_split, nu_quiet=nu_quiet, **brunel_kwargs),
        converged=ok,
        status=Status.CONVERGED if ok else Status.TOLERANCE,
        n_iter=int(s["n_eval"]),
        residual=0.0,
        g=g,
        eta=eta,
        rate=s["rate"].reshape(shape),
        mu=s["mu"].reshape(shape),
        sigma=s["sigma"].reshape(shape),
        n_unstable=s["n_unstable"].reshape(shape),
        eigenvalue=s["lead"].reshape(shape),
        frequency=freq.reshape(shape),
        regime=regime.astype(str).reshape(shape),
        resolved=resolved.reshape(shape),
        bistable=(s["n_stable"] > 1).reshape(shape),
        n_fixed_points=s["n_solutions"].reshape(shape),
        f_split=f_split,
        reason=reason.astype(str).reshape(shape),
    )
    return finish(result, raise_on_failure)


@dataclass(frozen=True, kw_only=True, repr=False)
class HopfBoundary(Result):
    """Stability boundaries of the asynchronous state of Brunel's model A in (g, eta).

    Attributes
    ----------
    g : ndarray (n_g,)
    eta : ndarray (n_g, n_max)
        For each g the ``eta = nu_ext/nu_thr`` values where the number of unstable roots
        changes (ascending, NaN-padded).
    frequency : ndarray (n_g, n_max)
        Oscillation frequency (Hz) of the mode that crosses (NaN for a jump).
    becomes_unstable : ndarray of bool (n_g, n_max)
        True where the state becomes unstable as eta increases.
    kind : ndarray of str (n_g, n_max)
        ``"hopf"`` (a complex pair crosses ``Re lambda = 0``, the rate is continuous) or
        ``"jump"`` (the lowest stable rate jumps to another branch), ``""`` for padding.
    tail_ok : ndarray of bool (n_g,)
        The Nyquist count was complete (``|M| < 0.9`` beyond ``f_max``) at every scanned
        eta of this g; where not, a crossing above ``f_max`` could be missed.
    """

    g: np.ndarray
    eta: np.ndarray
    frequency: np.ndarray
    becomes_unstable: np.ndarray
    kind: np.ndarray
    tail_ok: np.ndarray

    def _repr_rows(self):
        rows = [("method", self.method), ("status", str(self.status))]
        for i, g in enumerate(self.g):
            items = [
                f"eta={e:.4g} ({k}, {f:.4g} Hz, {'->unstable' if u else '->stable'})"
                for e, f, u, k in zip(
                    self.eta[i],
                    self.frequency[i],
                    self.becomes_unstable[i],
                    self.kind[i],
                    strict=True,
                )
                if np.isfinite(e)
            ]
            note = "" if self.tail_ok[i] else "  [count incomplete above f_max at some eta]"
            rows.append((f"g={g:g}", ("; ".join(items) or "no crossing") + note))
        return rows


def hopf_boundary(
    g_values: Any,
    *,
    eta_range: tuple[float, float] = (0.5, 5.0),
    n_eta: int = 24,
    f_max: float = 1000.0,
    df: float = 20.0,
    xtol: float = 1e-4,
    raise_on_failure: bool = True,
    **brunel_kwargs: Any,
) -> HopfBoundary:
    r"""Where the asynchronous state of Brunel's model A gains or loses stability.

    For each ``g`` the number of unstable roots of the eigenvalue equation (Brunel 2000,
    Sec. 4; :func:`asynchronous_stability`) is counted on ``n_eta`` values of ``eta``
    spread over ``eta_range``; every change of stability is bisected to ``xtol`` in eta,
    all brackets at once.  At a Hopf crossing the frequency ``Im lambda / 2 pi`` of the
    crossing pair is recorded: these are the AI/SI-fast and AI/SI-slow lines of
    Brunel (2000) Fig. 2.  A change caused by a jump of the lowest stable rate to
    another branch is reported as ``kind="jump"``.  Stability changes that happen and
    undo themselves between two eta samples are not seen (refine ``n_eta``).

    Parameters
    ----------
    g_values : array_like
        Relative inhibition strengths.
    eta_range, n_eta : tuple, int
        Range of ``nu_ext / nu_thr`` and number of scan points.
    f_max, df : float
        Nyquist scan of each state (Hz).
    xtol : float
        Bisection tolerance in eta.
    brunel_kwargs
        Passed to :meth:`LIFNetwork.brunel`.

    References
    ----------
    Brunel (2000) J Comput Neurosci 8:183, Sec. 4 and Fig. 2; Brunel & Hakim (1999).
    """
    g_values = np.atleast_1d(np.asarray(g_values, dtype=float))
    if g_values.ndim != 1 or np.any(~np.isfinite(g_values)) or np.any(g_values < 0):
        raise ValueError("g_values must be a 1-D sequence of finite values >= 0")
    lo, hi = (check_positive("eta_range", v) for v in eta_range)
    if hi <= lo:
        raise ValueError(f"eta_range must be increasing, got {eta_range!r}")
    n_eta = check_int("n_eta", n_eta, minimum=2)
    xtol = check_positive("xtol", xtol)
    f_max = check_positive("f_max (Hz)", f_max)
    df = check_positive("df (Hz)", df)
    etas = np.linspace(lo, hi, n_eta)
    G, E = np.meshgrid(g_values, etas, indexing="ij")
    scan = _brunel_scan(G.ravel(), E.ravel(), brunel_kwargs, f_max, df)
    n_eval = scan["n_eval"]
    ok = scan["converged"]
    # where |M(i omega)| stays >= 0.9 up to 4 f_max (small sigma near g gamma = 1: the
    # variance response of the delta-synapse neuron does not decay), roots above f_max
    # can be missed; reported per g rather than failing the whole search
    tail_ok = np.all(scan["tail_ok"].reshape(g_values.size, n_eta), axis=1)
    unst = (scan["n_unstable"] > 0).reshape(G.shape)
    gi, k = np.nonzero(unst[:, 1:] != unst[:, :-1])
    a, b = etas[k], etas[k + 1]
    ua = unst[gi, k]
    gb = g_values[gi]
    while gi.size and np.max(b - a) > xtol:
        mid = 0.5 * (a + b)
        sm = _brunel_scan(gb, mid, brunel_kwargs, f_max, df, roots=False)
        n_eval += sm["n_eval"]
        um = sm["n_unstable"] > 0
        same = um == ua
        a = np.where(same, mid, a)
        b = np.where(same, b, mid)
    if gi.size:
        ends = _brunel_scan(
            np.concatenate([gb, gb]), np.concatenate([a, b]), brunel_kwargs, f_max, df
        )
        n_eval += ends["n_eval"]
        m = gi.size
        ra, rb = ends["rate"][:m], ends["rate"][m:]
        ub = ends["n_unstable"][m:] > 0
        lead = np.where(ub, ends["lead"][m:], ends["lead"][:m])
        jump = np.abs(rb - ra) > 1e-3 * np.maximum(np.abs(ra), 1e-6) + 1e-9
        freq = np.where(jump, np.nan, lead.imag / (2 * math.pi))
        ok = ok and bool(np.all(jump | np.isfinite(freq)))
        eta_c = 0.5 * (a + b)
    crossings: list[list[tuple]] = [[] for _ in g_values]
    for j in range(gi.size):
        crossings[gi[j]].append((eta_c[j], freq[j], bool(ub[j]), "jump" if jump[j] else "hopf"))
    n_max = max([len(c) for c in crossings] + [1])

    def pad(col, fill, dtype):
        arr = np.full((g_values.size, n_max), fill, dtype=dtype)
        for i, c in enumerate(crossings):
            arr[i, : len(c)] = [x[col] for x in c]
        return arr

    result = HopfBoundary(
        model=None,
        method="Nyquist count on an eta scan + vectorised bisection (threshold integration)",
        options=dict(
            eta_range=(lo, hi), n_eta=n_eta, f_max=f_max, df=df, xtol=xtol, **brunel_kwargs
        ),
        converged=ok,
        status=Status.CONVERGED if ok else Status.TOLERANCE,
        n_iter=int(n_eval),
        residual=0.0,
        g=g_values,
        eta=pad(0, np.nan, float),
        frequency=pad(1, np.nan, float),
        becomes_unstable=pad(2, False, bool),
        kind=pad(3, "", object).astype(str),
        tail_ok=tail_ok,
    )
    return finish(result, raise_on_failure)
