"""Held-back comparison of rnmf with NNMT 1.3.0's own test fixtures.

NNMT (Layer et al. 2022, Front Neuroinform 16:835657) ships the numbers its test-suite
checks as HDF5 files under ``tests/fixtures``.  This script reads every fixture that rnmf
can express from an NNMT checkout, recomputes it with rnmf's public functions (and two
private ones where no public entry takes NNMT's inputs: ``_cross_spectra``, the spectra of
a given ``M``, and ``_taylor_and_derivatives``, the analytic derivative of the Taylor
rate) and prints the largest relative error per fixture group.  Which fixtures exist, which rnmf can
express and why the others are left out is listed in ``docs/guide/nnmt_fixtures.md``,
together with the table this script printed.

Held back: the comparison is made against fixture groups that rnmf's tests do not pin
(a few values of four groups are test oracles in ``tests/theory/test_microcircuit*.py``;
they are recomputed here with the rest).  A difference is reported, not tuned away.

Why a benchmark script and not a test: the fixtures are NNMT's files, not the project's,
and reading them needs h5py, which rnmf does not depend on.  A test that skips in every
CI run proves nothing; the values that should guard rnmf's code are already copied, with
their source, into the tests.  This script is the full sweep, run by hand.

    git clone --branch v1.3.0 https://github.com/INM-6/nnmt /tmp/nnmt
    python benchmarks/nnmt_fixtures.py --nnmt-checkout /tmp/nnmt \\
        [--h5-python /tmp/nnmtvenv/bin/python] [--json out.json]

``--h5-python`` names an interpreter with h5py (NNMT's own virtual environment has it);
it converts the HDF5 files to a NumPy archive in a temporary folder.  Default: this
interpreter.

Relative error: ``max |rnmf - nnmt| / max(|nnmt|, 1e-12 max|nnmt|)`` over the entries of
a fixture (element-wise, with a floor for exact zeros); units are converted from NNMT's
SI (V, s) to rnmf's mV and ms.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from rnmf.models import Delay, LIFNetwork
from rnmf.theory import lif
from rnmf.theory.lif.neuron import _taylor_and_derivatives
from rnmf.theory.lif.spectra import _cross_spectra
from rnmf.validate._nnmt_microcircuit import nnmt_microcircuit

FIX = "tests/fixtures"
UNIT = "unit/data"
INTEG = "integration/data"

H5_DUMP = r"""
import sys
import numpy as np
import h5py
root, out = sys.argv[1], sys.argv[2]
arrays = {}
for rel in sys.argv[3:]:
    with h5py.File(f"{root}/{rel}", "r") as h:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                v = obj[()]
                if isinstance(v, bytes):
                    v = v.decode()
                v = np.asarray(v)
                if v.dtype.kind in "SO":
                    v = v.astype(str)
                arrays[f"{rel}::{name}"] = v
        h.visititems(visit)
np.savez(out, **arrays)
"""


class Fixtures:
    """The datasets of NNMT's fixture files, keyed ``"file::group/dataset"``."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        self._a = arrays

    def __call__(self, file: str, path: str) -> np.ndarray:
        return self._a[f"{file}::{path}"]

    def groups(self, file: str, under: str = "") -> list[str]:
        """Names of the groups directly below ``under`` in ``file``."""
        pre = f"{file}::{under + '/' if under else ''}"
        return sorted({k[len(pre) :].split("/")[0] for k in self._a if k.startswith(pre)})

    def has(self, file: str, path: str) -> bool:
        return f"{file}::{path}" in self._a

    def params(self, file: str, group: str) -> dict[str, np.ndarray]:
        pre = f"{file}::{group}/params/"
        return {k[len(pre) :]: v for k, v in self._a.items() if k.startswith(pre)}


def load(checkout: Path, h5_python: str, files: list[str]) -> Fixtures:
    """Convert the fixture files to one NumPy archive with ``h5_python`` and load it."""
    root = checkout / FIX
    missing = [f for f in files if not (root / f).is_file()]
    if missing:
        raise FileNotFoundError(f"not in {root}: {missing}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "fixtures.npz"
        proc = subprocess.run(
            [h5_python, "-c", textwrap.dedent(H5_DUMP), str(root), str(out), *files],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"{h5_python} could not read the fixtures:\n{proc.stderr[-2000:]}")
        with np.load(out) as z:
            return Fixtures({k: z[k] for k in z.files})


def rel_err(ours: np.ndarray, ref: np.ndarray) -> float:
    """Largest element-wise relative error, with a floor of 1e-12 max|ref| for zeros."""
    ours, ref = np.asarray(ours), np.asarray(ref)
    if ours.shape != ref.shape:
        raise ValueError(f"shape {ours.shape} != fixture shape {ref.shape}")
    ok = np.isfinite(ref)
    if not np.any(ok):
        return math.nan
    floor = 1e-12 * np.max(np.abs(ref[ok]))
    if floor == 0.0:  # an all-zero reference: the absolute error
        return float(np.max(np.abs(ours[ok])))
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.max(np.abs(ours[ok] - ref[ok]) / np.maximum(np.abs(ref[ok]), floor)))


@dataclasses.dataclass
class Row:
    """One compared quantity of one fixture group."""

    fixture: str
    quantity: str
    function: str
    error: float
    note: str = ""


COMPARISONS: list[tuple[list[str], Callable[[Fixtures], Iterator[Row]]]] = []


def compares(*files: str):
    """Register a comparison that reads ``files`` (relative to ``tests/fixtures``)."""

    def deco(fn):
        COMPARISONS.append((list(files), fn))
        return fn

    return deco


# ------------------------------------------------------------------ single neuron
def _neuron(p: dict, n: int) -> list[dict]:
    """Per-element neuron parameters in mV and ms from a fixture's SI ``params``."""

    def vec(name, default=0.0):
        return np.broadcast_to(np.asarray(p.get(name, default), dtype=float), (n,))

    mu, sigma = vec("mu") * 1e3, vec("sigma") * 1e3
    tau_m, t_ref, tau_s = vec("tau_m") * 1e3, vec("tau_r") * 1e3, vec("tau_s") * 1e3
    V_th, V_0 = vec("V_th_rel") * 1e3, vec("V_0_rel") * 1e3
    return [
        dict(
            mu=mu[i],
            sigma=sigma[i],
            tau_m=tau_m[i],
            V_th=V_th[i],
            V_reset=V_0[i],
            t_ref=t_ref[i],
            tau_s=tau_s[i],
        )
        for i in range(n)
    ]


def _kw(d: dict, *drop: str) -> dict:
    return {k: v for k, v in d.items() if k not in ("mu", "sigma", *drop)}


@compares(
    f"{UNIT}/lif_delta_firing_rate.h5",
    f"{UNIT}/lif_exp_firing_rate_shift.h5",
    f"{UNIT}/lif_exp_firing_rate_taylor.h5",
)
def single_neuron_rates(fx: Fixtures) -> Iterator[Row]:
    """Siegert rate, white noise (Brunel 2000, eq. 21) and colored noise (Fourcaud &
    Brunel 2002 shift; Schuecker et al. 2015 Taylor)."""
    for name, synapse in [
        ("delta_firing_rate", "shift"),
        ("exp_firing_rate_shift", "shift"),
        ("exp_firing_rate_taylor", "taylor"),
    ]:
        f = f"{UNIT}/lif_{name}.h5"
        for g in fx.groups(f):
            ref = fx(f, f"{g}/output")
            neurons = _neuron(fx.params(f, g), len(ref))
            note = ""
            try:
                ours = np.array(
                    [
                        float(lif.siegert(d["mu"], d["sigma"], **_kw(d), synapse=synapse))
                        for d in neurons
                    ]
                )
                err = rel_err(ours, ref)
            except ValueError as e:
                err, note = math.nan, f"rnmf raises: {str(e)[:90]}"
            if np.any(ref < 0):
                note = note or "NNMT's Taylor rate is negative here (outside its validity)"
            yield Row(f"lif_{name}.h5 / {g}", "rate", f"siegert(synapse={synapse!r})", err, note)


@compares(f"{UNIT}/lif_exp_cvs.h5")
def single_neuron_cvs(fx: Fixtures) -> Iterator[Row]:
    """CV of the ISI (Brunel 2000, Appendix A.1) with the shifted boundaries.  NNMT takes
    the rate ``nu`` as an input (the CV is proportional to it); rnmf computes it, so rnmf's
    CV is rescaled by ``nu_fixture / siegert`` (t_ref cancels)."""
    f = f"{UNIT}/lif_exp_cvs.h5"
    for g in fx.groups(f):
        p = fx.params(f, g)
        ref = fx(f, f"{g}/output")
        ours = []
        for d, nu in zip(_neuron(p, len(ref)), np.broadcast_to(p["nu"], ref.shape), strict=True):
            cv = float(lif.cv_isi(d["mu"], d["sigma"], **_kw(d)))
            ours.append(cv * nu / float(lif.siegert(d["mu"], d["sigma"], **_kw(d))))
        yield Row(f"lif_exp_cvs.h5 / {g}", "CV", "cv_isi", rel_err(np.array(ours), ref))


@compares(
    f"{UNIT}/lif_exp_derivative_of_firing_rates_wrt_mean_input.h5",
    f"{UNIT}/lif_exp_derivative_of_firing_rates_wrt_input_rate.h5",
)
def single_neuron_derivatives(fx: Fixtures) -> Iterator[Row]:
    """d nu / d mu of the Taylor rate (Schuecker et al. 2014, App. B; NNMT differentiates
    the Taylor-corrected rate) and d nu / d nu_in = tau_m (j d nu/d mu + j^2 d nu/d sigma^2)
    of the shifted rate (Helias et al. 2013, eq. A.3)."""
    f = f"{UNIT}/lif_exp_derivative_of_firing_rates_wrt_mean_input.h5"
    for g in fx.groups(f):
        ref = fx(f, f"{g}/output")
        ours = []
        for d in _neuron(fx.params(f, g), len(ref)):
            k = _kw(d)
            _, dmu, _ = _taylor_and_derivatives(
                np.array([d["mu"]]),
                np.array([d["sigma"]]),
                k["tau_m"],
                k["V_th"],
                k["V_reset"],
                k["t_ref"],
                k["tau_s"],
            )
            ours.append(1e3 * float(dmu[0]))  # Hz/mV -> Hz/V
        ours = np.array(ours)
        note = ""
        if np.any(ref < 0):
            note = "Taylor rate negative here (outside its validity); NNMT's derivative too"
        if not np.all(np.isfinite(ref)):
            note = f"NNMT returns nan; rnmf: {np.array2string(ours, precision=5)}"
        yield Row(
            f"lif_exp_derivative_..._wrt_mean_input.h5 / {g}",
            "d nu/d mu",
            "siegert(synapse='taylor') derivative",
            rel_err(ours, ref),
            note,
        )
    f = f"{UNIT}/lif_exp_derivative_of_firing_rates_wrt_input_rate.h5"
    for g in fx.groups(f):
        p = fx.params(f, g)
        ref = fx(f, f"{g}/output")
        j = np.broadcast_to(p["j"], ref.shape) * 1e3
        ours = []
        for d, jj in zip(_neuron(p, len(ref)), j, strict=True):
            _, dmu, dsig = lif.siegert_derivatives(d["mu"], d["sigma"], **_kw(d))
            ours.append(d["tau_m"] / 1e3 * (jj * dmu + jj**2 * dsig / (2 * d["sigma"])))
        ours = np.array(ours, dtype=float)
        note = ""
        if not np.all(np.isfinite(ref)):
            note = f"NNMT returns nan (overflow); rnmf: {np.array2string(ours, precision=4)}"
        yield Row(
            f"lif_exp_derivative_..._wrt_input_rate.h5 / {g}",
            "d nu/d nu_in",
            "siegert_derivatives",
            rel_err(ours, ref),
            note,
        )


_SCHUECKER = f"{INTEG}/Schuecker2015_data.h5"


def _driven(mu: float, sigma: float, **neuron) -> LIFNetwork:
    """One unconnected population whose input has mean ``mu`` and SD ``sigma`` (mV): a
    Poisson source (one input of 1 mV) gives the variance, a DC offset the rest."""
    tau_m = neuron.get("tau_m", 20.0)
    nu_ext = 1e3 * sigma**2 / tau_m
    return LIFNetwork(
        N=(1,), K=0.0, J=0.0, nu_ext=nu_ext, C_ext=1.0, J_ext=1.0, mu_ext=mu - sigma**2, **neuron
    )


@compares(_SCHUECKER)
def schuecker2015(fx: Fixtures) -> Iterator[Row]:
    """Schuecker, Diesmann & Helias (2015), Fig. 4: rates and the colored-noise transfer
    function (shifted boundaries, no synaptic low-pass) of a neuron with t_ref = 0:
    tau_m = 20 ms, tau_s = 0.5 ms, V_reset = 15 mV, theta = 20 mV (NNMT's
    ``Schuecker2015_parameters.yaml``); the data are the paper's, made by its own code."""
    neuron = dict(tau_m=20.0, V_th=20.0, V_reset=15.0, t_ref=0.0)
    freqs = np.logspace(-1, 2.8, 500)
    for s in fx.groups(_SCHUECKER, "sigma"):
        for m in fx.groups(_SCHUECKER, f"sigma/{s}/mu"):
            g = f"sigma/{s}/mu/{m}"
            mu, sigma = float(m), float(s)
            for key, kw in [
                ("nu_0", {}),
                ("nu0_fb", dict(tau_s=0.5)),
                ("nu0_fb433", dict(tau_s=0.5, synapse="taylor")),
            ]:
                ours = lif.siegert(mu, sigma, **neuron, **kw)
                yield Row(
                    f"Schuecker2015_data.h5 / {g}",
                    key,
                    "siegert",
                    rel_err(np.atleast_1d(ours), np.atleast_1d(fx(_SCHUECKER, f"{g}/{key}"))),
                )
            net = _driven(mu, sigma, **neuron, tau_s=0.5)
            G = lif.transfer_functions(net, freqs, synaptic_filter=False)[:, 0]
            ref = fx(_SCHUECKER, f"{g}/absolute_value")
            yield Row(
                f"Schuecker2015_data.h5 / {g}",
                "abs G(f), 500 f",
                "transfer_functions",
                rel_err(np.abs(G), ref),
            )
            ph = np.angle(G, deg=True)
            yield Row(
                f"Schuecker2015_data.h5 / {g}",
                "phase (deg)",
                "transfer_functions",
                float(np.max(np.abs(ph - fx(_SCHUECKER, f"{g}/phase")))),
                "absolute error in degrees",
            )


@compares(f"{UNIT}/lif_exp_transfer_function_shift.h5")
def transfer_shift(fx: Fixtures) -> Iterator[Row]:
    """The colored-noise transfer function (shift, with the synaptic low-pass) of single
    neurons.  Expected to differ: NNMT's formula leaves out the refractory period that
    rnmf's includes (exact for delta synapses; Lindner & Schimansky-Geier 2001)."""
    f = f"{UNIT}/lif_exp_transfer_function_shift.h5"
    for g in fx.groups(f):
        p = fx.params(f, g)
        ref = fx(f, f"{g}/output") * 1e-3  # Hz/V -> Hz/mV
        freqs = np.asarray(p["omegas"], float) / (2 * np.pi)
        ours = np.empty(ref.shape, complex)
        for a, d in enumerate(_neuron(p, ref.shape[1])):
            net = _driven(d["mu"], d["sigma"], **_kw(d))
            ours[:, a] = lif.transfer_functions(net, freqs)[:, 0]
        label = f"lif_exp_transfer_function_shift.h5 / {g}"
        zero = freqs == 0.0
        if np.any(zero):
            yield Row(
                label,
                "G at f = 0 (d nu/d mu)",
                "transfer_functions",
                rel_err(ours[zero], ref[zero]),
            )
        note = "NNMT returns nan"
        if np.all(np.isfinite(ref[:2])):
            jump = np.max(np.abs(ref[1] / ref[0] - 1.0))
            note = (
                f"differs by design (refractoriness); NNMT jumps by {jump:.1e} between "
                f"f = 0 and {freqs[1]:.2g} Hz"
            )
        yield Row(
            label,
            f"G, {freqs[~zero].min():.2g}-{freqs.max():.3g} Hz",
            "transfer_functions",
            rel_err(ours[~zero], ref[~zero]),
            note,
        )


# ------------------------------------------------------------------ networks
def _si_net(p: dict, n_pop: int, *, rates=None) -> LIFNetwork:
    """An rnmf network from NNMT's SI parameter arrays (J, K, J_ext, K_ext, nu_ext, ...)."""

    def per_pop(name, default):
        return tuple(np.broadcast_to(np.asarray(p.get(name, default), float), (n_pop,)) * 1e3)

    K = np.broadcast_to(np.asarray(p["K"], float), (n_pop, n_pop))
    J = np.broadcast_to(np.asarray(p["J"], float), (n_pop, n_pop)) * 1e3
    K_ext = np.asarray(p["K_ext"], float).reshape(n_pop, -1)
    n_src = K_ext.shape[1]
    J_ext = np.broadcast_to(np.asarray(p["J_ext"], float), (n_pop, n_src)) * 1e3
    nu_ext = np.broadcast_to(np.asarray(p["nu_ext"], float), (n_pop, n_src))
    tau_m = per_pop("tau_m", 0.01)
    mu_ext = (0.0,) * n_pop
    if "I_ext" in p and "C" in p:
        mu_ext = tuple(np.asarray(tau_m) * float(p["I_ext"]) / float(p["C"]))  # ms V/s = mV
    return LIFNetwork(
        N=(1000,) * n_pop,
        K=K.tolist(),
        J=J.tolist(),
        tau_m=tau_m,
        t_ref=per_pop("tau_r", 0.0),
        tau_s=per_pop("tau_s", 0.0),
        V_th=per_pop("V_th_rel", 0.02),
        V_reset=per_pop("V_0_rel", 0.0),
        nu_ext=nu_ext.tolist(),
        C_ext=K_ext.tolist(),
        J_ext=J_ext.tolist(),
        mu_ext=mu_ext,
    )


@compares(f"{UNIT}/lif_mean_input.h5", f"{UNIT}/lif_std_input.h5")
def input_statistics(fx: Fixtures) -> Iterator[Row]:
    """mu_a = tau_m (sum_b K_ab J_ab nu_b + sum_e K_ae J_ae nu_e) + tau_m I/C and sigma_a
    (Brunel 2000, eqs. 4-5, several sources; Fourcaud & Brunel 2002 for the DC term)."""
    for which, k in [("mean", 0), ("std", 1)]:
        f = f"{UNIT}/lif_{which}_input.h5"
        for g in fx.groups(f):
            p = fx.params(f, g)
            ref = fx(f, f"{g}/output")
            n = len(ref)
            p = dict(p, K_ext=np.asarray(p["K_ext"]).reshape(n, -1))
            nu_ext = np.asarray(p["nu_ext"], float).reshape(-1)
            p["nu_ext"] = np.broadcast_to(nu_ext, (n, p["K_ext"].shape[1]))
            J = np.asarray(p["J"], float)
            p["J"] = J if J.ndim == 2 else np.broadcast_to(J, (n, n))
            p["J_ext"] = np.asarray(p["J_ext"], float).reshape(-1, p["K_ext"].shape[1])
            if p["J_ext"].shape[0] == n and p["K_ext"].shape[1] == 1:
                pass
            net = _si_net(p, n)
            ours = lif.input_statistics(net, np.broadcast_to(p["nu"], (n,)))[k] * 1e-3
            yield Row(
                f"lif_{which}_input.h5 / {g}",
                f"{which} input",
                "input_statistics",
                rel_err(ours, ref),
            )


def _hash_params(fx: Fixtures, f: str, result: str) -> dict:
    """The SI parameters NNMT stored next to ``result`` in its ``results_hash_dict``."""
    for h in fx.groups(f, "results_hash_dict"):
        if fx.has(f, f"results_hash_dict/{h}/{result}"):
            pre = f"results_hash_dict/{h}/params"
            return {k: fx(f, f"{pre}/{k}") for k in fx.groups(f, pre)}
    raise KeyError(result)


@compares(
    f"{INTEG}/lif_exp/firing_rates_fully_vectorized.h5",
    f"{INTEG}/lif_exp/firing_rates_with_external_dc_current.h5",
)
def network_rates(fx: Fixtures) -> Iterator[Row]:
    """Self-consistent rates of 8-population networks with per-population neurons
    (tau_m, t_ref, V_th, external rates differ) and an external DC current."""
    for name in ("firing_rates_fully_vectorized", "firing_rates_with_external_dc_current"):
        f = f"{INTEG}/lif_exp/{name}.h5"
        p = _hash_params(fx, f, "lif.exp.firing_rates")
        ref = fx(f, "results/lif.exp.firing_rates/val")
        method = str(np.asarray(p.get("method", "shift")).reshape(-1)[0])
        # NNMT's mean input is tau_m (K J nu + dot(K_ext J_ext, nu_ext)): with 1-D K_ext,
        # J_ext and nu_ext of one entry per population the dot product is a scalar, so
        # every population receives all 8 sources.  That network is what the fixture
        # holds, and rnmf expresses it as 8 sources per population.
        n = len(ref)
        p = dict(
            p,
            K_ext=np.broadcast_to(np.asarray(p["K_ext"], float), (n, n)),
            J_ext=np.broadcast_to(np.asarray(p["J_ext"], float), (n, n)),
            nu_ext=np.broadcast_to(np.asarray(p["nu_ext"], float), (n, n)),
        )
        net = _si_net(p, n)
        res = lif.stationary_rates(net, synapse=method)
        note = f"{res.n_solutions} fixed point(s), stable={res.stable}"
        yield Row(
            f"lif_exp/{name}.h5",
            f"rates ({method})",
            "stationary_rates",
            rel_err(res.rates, ref),
            note,
        )


_STD = f"{INTEG}/std_results.h5"


@compares(_STD)
def microcircuit_std_results(fx: Fixtures) -> Iterator[Row]:
    """The microcircuit (Potjans & Diesmann 2014) as NNMT models it: working point (shift
    and Taylor: test oracles), input statistics and CVs at NNMT's rates, delay factors."""
    net = nnmt_microcircuit()
    for key, syn in [
        ("lif.exp.firing_rates/val", "shift"),
        ("lif.exp.firing_rates_taylor", "taylor"),
    ]:
        res = lif.stationary_rates(net, synapse=syn)
        yield Row(
            "std_results.h5",
            f"rates ({syn})",
            "stationary_rates",
            rel_err(res.rates, fx(_STD, f"results/{key}")),
            "also a test oracle",
        )
    nu = fx(_STD, "results/lif.exp.firing_rates/val")
    mu, sigma = lif.input_statistics(net, nu)
    yield Row(
        "std_results.h5",
        "mean input",
        "input_statistics",
        rel_err(mu * 1e-3, fx(_STD, "results/lif.exp.mean_input/val")),
    )
    yield Row(
        "std_results.h5",
        "std input",
        "input_statistics",
        rel_err(sigma * 1e-3, fx(_STD, "results/lif.exp.std_input/val")),
    )
    cv = [
        float(lif.cv_isi(m, s, tau_m=10.0, V_th=15.0, V_reset=0.0, t_ref=2.0, tau_s=0.5))
        for m, s in zip(mu, sigma, strict=True)
    ]
    nu_rnmf = lif.siegert(mu, sigma, tau_m=10.0, V_th=15.0, V_reset=0.0, t_ref=2.0, tau_s=0.5)
    yield Row(
        "std_results.h5",
        "CV",
        "cv_isi",
        rel_err(np.array(cv) * nu / nu_rnmf, fx(_STD, "results/lif.exp.cvs")),
    )
    omegas = fx(_STD, "analysis_params/omegas") / 1e3  # rad/ms
    delay = fx(_STD, "network_params/Delay/val")  # ms; delay_dist 'none'
    D = np.array([[Delay.fixed(float(d)).characteristic(omegas) for d in row] for row in delay])
    yield Row(
        "std_results.h5",
        "delay factors D(omega)",
        "Delay.characteristic",
        rel_err(np.moveaxis(D, -1, 0), fx(_STD, "results/D")),
    )
    f = omegas * 1e3 / (2 * np.pi)
    G = lif.transfer_functions(net, f, rates=nu)
    ref = fx(_STD, "results/lif.exp.transfer_function/val") * 1e-3  # Hz/V -> Hz/mV
    yield Row(
        "std_results.h5",
        "transfer function (shift), 0.1-270 Hz",
        "transfer_functions",
        rel_err(G, ref),
        "differs by design: NNMT's formula has no refractoriness",
    )
    _, dnu_dmu, _ = lif.siegert_derivatives(
        mu, sigma, tau_m=10.0, V_th=15.0, V_reset=0.0, t_ref=2.0, tau_s=0.5
    )
    yield Row(
        "std_results.h5",
        "NNMT transfer at 0.1 Hz vs d nu/d mu",
        "siegert_derivatives",
        rel_err(dnu_dmu, ref[0].real),
        "the omega -> 0 limit: rnmf's G(0) is d nu/d mu "
        "exactly (tests/theory/test_microcircuit_spectra.py); NNMT's is not",
    )


@compares(
    *[
        f"{INTEG}/network_properties/delay_{k}.h5"
        for k in ("none", "gaussian", "truncated_gaussian", "lognormal")
    ]
)
def delay_distributions(fx: Fixtures) -> Iterator[Row]:
    """Characteristic functions E[exp(-i omega D)] of the microcircuit's delay
    distributions: fixed, Gaussian, Gaussian truncated at 0, log-normal (mean and SD of the
    delay given)."""
    make = {
        "none": lambda m, s: Delay.fixed(m),
        "gaussian": Delay.gaussian,
        "truncated_gaussian": lambda m, s: Delay.truncated_gaussian(m, s, low=0.0),
        "lognormal": Delay.lognormal,
    }
    for kind, ctor in make.items():
        f = f"{INTEG}/network_properties/delay_{kind}.h5"
        p = _hash_params(fx, f, "D")
        mean, sd = np.asarray(p["Delay"]) * 1e3, np.asarray(p["Delay_sd"]) * 1e3
        omegas = np.asarray(p["omegas"], float) / 1e3
        ours = np.empty((len(omegas),) + mean.shape, complex)
        for a in range(mean.shape[0]):
            for b in range(mean.shape[1]):
                ours[:, a, b] = ctor(float(mean[a, b]), float(sd[a, b])).characteristic(omegas)
        ref = fx(f, "results/D")
        yield Row(
            f"network_properties/delay_{kind}.h5",
            "D(omega), 19 omegas",
            "Delay.characteristic",
            rel_err(ours, ref),
        )
        if kind == "lognormal":
            yield Row(
                f"network_properties/delay_{kind}.h5",
                "conj D(omega)",
                "Delay.characteristic",
                rel_err(ours, np.conj(ref)),
                "NNMT's log-normal factor is E[exp(+i omega d)], the complex conjugate "
                "of its other distributions' (and of direct quadrature); NNMT "
                "approximates it numerically (Beaulieu 2008)",
            )


_BOS = f"{INTEG}/Bos2016_data.h5"


@compares(_BOS)
def bos2016(fx: Fixtures) -> Iterator[Row]:
    """Bos, Diesmann & Helias (2016) microcircuit, computed by their own code: Taylor
    rates and the truncated-Gaussian delay factor at the exemplary frequency.  Their PSC
    amplitude ``w`` is half NNMT's (NNMT's Bos2016 test doubles it): J = 2 w tau_s / C."""
    W, K = fx(_BOS, "params/W"), fx(_BOS, "params/I")
    tau_s, C = float(fx(_BOS, "params/tauf")), float(fx(_BOS, "params/C"))
    de = Delay.truncated_gaussian(float(fx(_BOS, "params/de")), float(fx(_BOS, "params/de_sd")))
    di = Delay.truncated_gaussian(float(fx(_BOS, "params/di")), float(fx(_BOS, "params/di_sd")))
    w = float(fx(_BOS, "params/w"))
    net = LIFNetwork(
        N=tuple(int(n) for n in fx(_BOS, "params/N")),
        K=K.tolist(),
        J=(2 * W * tau_s / C).tolist(),
        tau_m=float(fx(_BOS, "params/taum")),
        t_ref=float(fx(_BOS, "params/taur")),
        V_th=float(fx(_BOS, "params/Vth") - fx(_BOS, "params/V0")),
        V_reset=0.0,
        tau_s=tau_s,
        nu_ext=float(fx(_BOS, "params/v_ext")),
        C_ext=tuple(float(k) for k in fx(_BOS, "params/Next")),
        J_ext=2 * w * tau_s / C,
        delay=[[de, di] * 4] * 8,
    )
    res = lif.stationary_rates(net, synapse="taylor")
    yield Row(
        "Bos2016_data.h5",
        "rates (taylor)",
        "stationary_rates",
        rel_err(res.rates, fx(_BOS, "firing_rates")),
        "Bos's own code; NNMT 1.3.0 differs from it by the same 4.0e-5 (NNMT's test: 3 decimals)",
    )
    k = int(fx(_BOS, "exemplary_frequency_idx"))
    omega = float(fx(_BOS, "omegas")[k]) / 1e3
    D = np.array([[d.characteristic(omega) for d in row] for row in net.delay])
    yield Row(
        "Bos2016_data.h5",
        "delay factor at 3.28 Hz",
        "Delay.characteristic",
        rel_err(D, fx(_BOS, "delay_dist")),
    )


_NEURONS = f"{INTEG}/lif_exp/spectral_bound_and_pairwise_covariances.h5"


def _pairwise_J_eff(J, nu, mu, sigma, neuron) -> np.ndarray:
    """tau_m (d nu_i/d mu_i J_ij + d nu_i/d sigma_i^2 J_ij^2) (Helias et al. 2013, eq.
    A.3; Dahmen et al. 2019) from rnmf's derivatives, scaled to the given rates (the
    derivatives are nu^2 times a function of the bounds)."""
    rate, dmu, dsig = lif.siegert_derivatives(mu, sigma, **neuron)
    scale = (nu / rate) ** 2
    dvar = dsig / (2 * sigma)
    return neuron["tau_m"] / 1e3 * scale[:, None] * (dmu[:, None] * J + dvar[:, None] * J**2)


@compares(_NEURONS, f"{UNIT}/lif_exp_pairwise_effective_connectivity.h5")
def neuron_resolved(fx: Fixtures) -> Iterator[Row]:
    """A 100-neuron E-I network (Gaussian weights, fixed in-degree, two external sources,
    DC input) resolved neuron by neuron: each neuron is a population of its own."""
    p = _hash_params(fx, _NEURONS, "lif.exp.firing_rates")
    n = len(np.asarray(p["K"]))
    net = _si_net(p, n)
    ref = fx(_NEURONS, "results/lif.exp.firing_rates/val")
    res = lif.stationary_rates(net, n_starts=0)
    yield Row(
        "spectral_bound_and_pairwise_covariances.h5",
        "rates of 100 neurons",
        "stationary_rates(n_starts=0)",
        rel_err(res.rates, ref),
        "n_starts=0: the low-rate start only (100 populations)",
    )
    mu, sigma = lif.input_statistics(net, ref)
    yield Row(
        "spectral_bound_and_pairwise_covariances.h5",
        "mean, std input",
        "input_statistics",
        max(
            rel_err(mu * 1e-3, fx(_NEURONS, "results/lif.exp.mean_input/val")),
            rel_err(sigma * 1e-3, fx(_NEURONS, "results/lif.exp.std_input/val")),
        ),
    )
    neuron = dict(tau_m=20.0, V_th=15.0, V_reset=0.0, t_ref=2.0, tau_s=1.0)
    cv = lif.cv_isi(mu, sigma, **neuron) * ref / lif.siegert(mu, sigma, **neuron)
    yield Row(
        "spectral_bound_and_pairwise_covariances.h5",
        "CV",
        "cv_isi",
        rel_err(cv, fx(_NEURONS, "results/lif.exp.cvs")),
    )
    J = np.asarray(net.J)
    yield Row(
        "spectral_bound_and_pairwise_covariances.h5",
        "pairwise effective connectivity",
        "siegert_derivatives",
        rel_err(
            _pairwise_J_eff(J, ref, mu, sigma, neuron),
            fx(_NEURONS, "results/lif.exp.pairwise_effective_connectivity"),
        ),
    )
    f = f"{UNIT}/lif_exp_pairwise_effective_connectivity.h5"
    for g in fx.groups(f):
        q = fx.params(f, g)
        nrn = dict(
            tau_m=float(q["tau_m"]) * 1e3,
            V_th=float(q["V_th_rel"]) * 1e3,
            V_reset=float(q["V_0_rel"]) * 1e3,
            t_ref=0.0,
            tau_s=float(q["tau_s"]) * 1e3,
        )
        ours = _pairwise_J_eff(
            np.asarray(q["J"]) * 1e3,
            np.asarray(q["nu"]),
            np.asarray(q["mu"]) * 1e3,
            np.asarray(q["sigma"]) * 1e3,
            nrn,
        )
        yield Row(
            f"lif_exp_pairwise_effective_connectivity.h5 / {g}",
            "J_eff (100 x 100)",
            "siegert_derivatives",
            rel_err(ours, fx(f, f"{g}/output")),
        )


# ------------------------------------------------------------------ linear response
@compares(f"{UNIT}/lif_exp_power_spectra.h5")
def power_spectra(fx: Fixtures) -> Iterator[Row]:
    """|diag((1 - M)^-1 diag(nu/N) (1 - M)^-H)| (Bos et al. 2016, eq. 3) at NNMT's M."""
    f = f"{UNIT}/lif_exp_power_spectra.h5"
    for g in fx.groups(f):
        p = fx.params(f, g)
        M = np.asarray(p["effective_connectivity"], complex)
        C = _cross_spectra(M, np.asarray(p["nu"], float) / np.asarray(p["N"], float))
        note = "test oracle" if g == "fully_vectorized" else ""
        yield Row(
            f"lif_exp_power_spectra.h5 / {g}",
            "power spectra",
            "linear_response (its _cross_spectra)",
            rel_err(np.abs(np.einsum("faa->fa", C)), fx(f, f"{g}/output")),
            note,
        )


def _sensitivity_rows(fx, f, g, out, label) -> Iterator[Row]:
    M_all = np.asarray(fx(f, f"{g}/params/effective_connectivity"), complex)
    k = int(fx(f, f"{out}/critical_frequency_index"))
    lam = complex(fx(f, f"{out}/critical_eigenvalue"))
    freq = float(np.atleast_1d(fx(f, f"{out}/critical_frequency"))[0])
    r = lif.sensitivity_measure(M_all[k], freq, near=lam)
    yield Row(
        label,
        "critical eigenvalue",
        "sensitivity_measure",
        rel_err(np.atleast_1d(r.eigenvalue), np.atleast_1d(lam)),
    )
    for mine, theirs in [
        ("sensitivity", "sensitivity"),
        ("amplitude", "sensitivity_amp"),
        ("frequency_shift", "sensitivity_freq"),
    ]:
        yield Row(
            label,
            theirs,
            "sensitivity_measure",
            rel_err(getattr(r, mine), fx(f, f"{out}/{theirs}")),
        )


@compares(
    f"{UNIT}/lif_exp_sensitivity_measure.h5",
    f"{UNIT}/lif_exp_sensitivity_measure_all_eigenmodes.h5",
)
def sensitivity(fx: Fixtures) -> Iterator[Row]:
    """Sensitivity measure Z_ab = u_a v_b M_ab / (u v) and its projections (Bos et al.
    2016, eqs. 7, 21) at the critical frequency NNMT found, for the mode NNMT tracked."""
    f = f"{UNIT}/lif_exp_sensitivity_measure.h5"
    for g in fx.groups(f):
        yield from _sensitivity_rows(
            fx, f, g, f"{g}/output", f"lif_exp_sensitivity_measure.h5 / {g}"
        )
    f = f"{UNIT}/lif_exp_sensitivity_measure_all_eigenmodes.h5"
    for g in fx.groups(f):
        for mode in fx.groups(f, f"{g}/output"):
            yield from _sensitivity_rows(
                fx, f, g, f"{g}/output/{mode}", f"..._all_eigenmodes.h5 / {g} / mode {mode}"
            )


# ------------------------------------------------------------------ driver
def run(fx: Fixtures) -> list[Row]:
    rows: list[Row] = []
    for files, fn in COMPARISONS:
        try:
            for r in fn(fx):
                rows.append(r)
        except Exception as e:  # report, never hide: the row says what failed
            rows.append(
                Row(
                    ", ".join(Path(f).name for f in files),
                    fn.__name__,
                    "-",
                    math.nan,
                    f"runner stopped: {type(e).__name__}: {str(e)[:120]}",
                )
            )
    return rows


def table(rows: list[Row]) -> str:
    lines = [
        "| fixture (file / group) | quantity | rnmf | max rel. error | note |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        e = "nan" if math.isnan(r.error) else f"{r.error:.1e}"
        lines.append(f"| {r.fixture} | {r.quantity} | `{r.function}` | {e} | {r.note} |")
    return "\n".join(lines)


def summary(rows: list[Row]) -> str:
    """One line per fixture file and group (eigenmodes merged) and note: the largest
    error of the quantities that share them."""
    merged: dict[tuple[str, str], list[Row]] = {}
    for r in rows:
        merged.setdefault((r.fixture.split(" / mode ")[0], r.note), []).append(r)
    lines = ["| fixture (file / group) | quantities | max error | note |", "|---|---|---|---|"]
    for (fixture, note), rs in merged.items():
        errs = [r.error for r in rs if not math.isnan(r.error)]
        e = f"{max(errs):.1e}" if errs else "nan"
        qs = ", ".join(dict.fromkeys(r.quantity for r in rs))
        lines.append(f"| {fixture} | {qs} | {e} | {note} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--nnmt-checkout", default="/tmp/nnmt", type=Path)
    p.add_argument(
        "--h5-python", default=sys.executable, help="an interpreter with h5py (default: this one)"
    )
    p.add_argument("--full", action="store_true", help="one row per quantity")
    p.add_argument("--json", default=None)
    a = p.parse_args(argv)
    files = sorted({f for fs, _ in COMPARISONS for f in fs})
    try:
        fx = load(a.nnmt_checkout, a.h5_python, files)
    except FileNotFoundError as e:
        p.error(f"{str(e)[:200]}... (pass --nnmt-checkout: an NNMT 1.3.0 source checkout)")
    rows = run(fx)
    print(table(rows) if a.full else summary(rows))
    if a.json:
        Path(a.json).write_text(json.dumps([dataclasses.asdict(r) for r in rows], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
