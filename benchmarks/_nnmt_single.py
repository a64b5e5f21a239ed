"""Single-neuron comparisons of ``benchmarks/nnmt_fixtures.py``: stationary rates (white,
shift, Taylor), CVs, rate derivatives, Schuecker et al. (2015)'s data and the
colored-noise transfer functions (shift and Taylor), against NNMT 1.3.0's unit fixtures."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator

import numpy as np
from _nnmt_convert import driven, neuron_kw, neuron_params, nnmt_to_rnmf
from _nnmt_io import INTEG, UNIT, Fixtures, Row, compares, rel_err

from rnmf.theory import lif
from rnmf.theory.lif.neuron import _taylor_and_derivatives


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
            neurons = neuron_params(fx.params(f, g), len(ref))
            note = ""
            try:
                with warnings.catch_warnings(record=True) as warned:
                    warnings.simplefilter("always", RuntimeWarning)
                    ours = np.array(
                        [
                            float(lif.siegert(d["mu"], d["sigma"], **neuron_kw(d), synapse=synapse))
                            for d in neurons
                        ]
                    )
                err = rel_err(ours, ref)
            except ValueError as e:
                err, note = math.nan, f"rnmf raises: {str(e)[:90]}"
            if np.any(ref < 0):
                note = note or (
                    f"NNMT's Taylor rate is negative here (outside its validity); rnmf warns "
                    f"({len(warned)} RuntimeWarning(s))"
                )
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
        for d, nu in zip(
            neuron_params(p, len(ref)), np.broadcast_to(p["nu"], ref.shape), strict=True
        ):
            cv = float(lif.cv_isi(d["mu"], d["sigma"], **neuron_kw(d)))
            ours.append(cv * nu / float(lif.siegert(d["mu"], d["sigma"], **neuron_kw(d))))
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
        for d in neuron_params(fx.params(f, g), len(ref)):
            k = neuron_kw(d)
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
        for d, jj in zip(neuron_params(p, len(ref)), j, strict=True):
            _, dmu, dsig = lif.siegert_derivatives(d["mu"], d["sigma"], **neuron_kw(d))
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
            net = driven(mu, sigma, **neuron, tau_s=0.5)
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


def _transfer_rows(fx: Fixtures, synapse: str) -> Iterator[Row]:
    """Rows of ``lif_exp_transfer_function_<synapse>.h5``: ``f = 0`` directly (both tools
    return the rate derivative there), ``f > 0`` directly (differs by design: NNMT leaves
    out the refractory factor) and through the relations of :mod:`_nnmt_convert`."""
    name = f"lif_exp_transfer_function_{synapse}.h5"
    f = f"{UNIT}/{name}"
    for g in fx.groups(f):
        p = fx.params(f, g)
        ref = fx(f, f"{g}/output") * 1e-3  # Hz/V -> Hz/mV
        freqs = np.asarray(p["omegas"], float) / (2 * np.pi)
        zero = freqs == 0.0
        label = f"{name} / {g}"
        fn = f"transfer_functions(synapse={synapse!r})"
        ours = np.full(ref.shape, np.nan, complex)
        through = np.full((int(np.sum(~zero)), ref.shape[1]), np.nan, complex)
        failed, negative = [], False
        for a, d in enumerate(neuron_params(p, ref.shape[1])):
            k = neuron_kw(d)
            net = driven(d["mu"], d["sigma"], **k)
            try:
                # one unconnected population: the rate does not enter mu and sigma
                ours[:, a] = lif.transfer_functions(
                    net, freqs, rates=[1.0], method="pcfd", synapse=synapse
                )[:, 0]
            except ValueError as e:
                failed.append(f"column {a}: {str(e)[:60]}")
                continue
            if np.all(np.isfinite(ref[~zero, a])):
                through[:, a] = nnmt_to_rnmf(
                    ref[~zero, a], freqs[~zero], d["mu"], d["sigma"], **k, synapse=synapse
                )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # reported in the note
                negative |= bool(lif.siegert(d["mu"], d["sigma"], **k, synapse=synapse) < 0)
        note = "; ".join(failed)
        if negative:
            note = "; ".join(["Taylor rate negative here (outside its validity)", *failed])
        if not np.any(np.isfinite(ref)):
            finite = np.abs(ours[np.isfinite(ours)])
            note = f"NNMT returns nan; rnmf |G| {finite.min():.3g}-{finite.max():.3g} Hz/mV"
            yield Row(label, "G, all f", fn, math.nan, note)
            continue
        if np.any(zero):
            yield Row(label, "G at f = 0 (d nu/d mu)", fn, rel_err(ours[zero], ref[zero]), note)
        span = f"{freqs[~zero].min():.2g}-{freqs.max():.3g} Hz"
        jump = ""
        if np.any(zero) and np.all(np.isfinite(ref[:2])):
            jump = f"; NNMT jumps by {np.max(np.abs(ref[1] / ref[0] - 1.0)):.1e} after f = 0"
        yield Row(
            label,
            f"G, {span}",
            fn,
            rel_err(ours[~zero], ref[~zero]),
            "; ".join(filter(None, [note, f"differs by design (refractoriness){jump}"])),
        )
        yield Row(
            label,
            f"G through R, {span}",
            fn,
            rel_err(ours[~zero], through),
            "; ".join(
                filter(None, [note, "NNMT's value carried over with the refractory factor R"])
            ),
        )


@compares(f"{UNIT}/lif_exp_transfer_function_shift.h5")
def transfer_shift(fx: Fixtures) -> Iterator[Row]:
    """The colored-noise transfer function (shift, with the synaptic low-pass) of single
    neurons.  Directly it differs: NNMT's formula leaves out the refractory factor that
    rnmf's includes (exact for delta synapses; Lindner & Schimansky-Geier 2001); through
    ``G = R(V_th + D, V_r + D) G_NNMT`` it must agree."""
    yield from _transfer_rows(fx, "shift")


@compares(f"{UNIT}/lif_exp_transfer_function_taylor.h5")
def transfer_taylor(fx: Fixtures) -> Iterator[Row]:
    """The Taylor variant ``G_0 - D dG_0/dmu`` (Schuecker et al. 2015; arXiv:1411.0432,
    eq. 93), compared through ``G = R_0 G_NNMT - D G_0^NNMT dR_0/dmu``."""
    yield from _transfer_rows(fx, "taylor")
