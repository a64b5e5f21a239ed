"""Emulated number formats (rnmf.sim.formats) against their references.

References: numpy.float16 / numpy.float32 casts (IEEE 754 binary16/binary32,
round to nearest even), ml_dtypes bfloat16 / float8_e4m3fn / float8_e5m2 casts
(OCP 8-bit floating point spec, Micikevicius et al. 2022, arXiv:2209.05433),
bit-level definitions (ties, subnormals, overflow), and the NumPy twin
rnmf.sim._reference_formats.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnmf.sim import formats as F
from rnmf.sim import quantizers as Q
from rnmf.sim._reference_formats import round_reference, uniform_reference


def _same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return bool(np.all((a == b) & (np.signbit(a) == np.signbit(b)) | (np.isnan(a) & np.isnan(b))))


def _wide_sample(n=20000, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n) * 10.0 ** rng.uniform(-45, 45, n)
    return np.concatenate([x, [0.0, -0.0, np.inf, -np.inf, np.nan]])


def _ties(fmt, n=4000, seed=1):
    """Exact midpoints between neighbouring numbers (normal and subnormal)."""
    rng = np.random.default_rng(seed)
    t = fmt.mantissa_bits
    e = rng.integers(fmt.emin - 3, fmt.emax + 1, n)
    m = rng.integers(0, 2 ** (t + 1), n)
    e = np.maximum(e, fmt.emin)
    v = (2.0**t + m % 2**t + 0.5) * 2.0 ** (e - t)
    sub = (m % 2**t + 0.5) * 2.0 ** (fmt.emin - t)
    v = np.where(rng.random(n) < 0.3, sub, v)
    return np.concatenate([v, -v])


def test_float16_and_float32_match_numpy_casts():
    x = _wide_sample()
    for name, dt in (("float16", np.float16), ("float32", np.float32)):
        fmt = F.get_format(name)
        with np.errstate(all="ignore"):
            ref = x.astype(dt).astype(np.float64)
            ties = _ties(fmt)
            ref_t = ties.astype(dt).astype(np.float64)
        assert _same(F.quantize(x, fmt), ref), name
        assert _same(F.quantize(ties, fmt), ref_t), name


def test_float16_bit_level_cases():
    f = F.get_format("fp16")
    assert f.max == 65504.0 and f.min_normal == 2.0**-14 and f.min_subnormal == 2.0**-24
    assert f.unit_roundoff == 2.0**-11
    cases = {
        1.0 + 2.0**-11: 1.0,  # tie -> even
        1.0 + 3 * 2.0**-11: 1.0 + 2.0**-9,  # tie -> even (up)
        65519.99: 65504.0,
        65520.0: math.inf,  # tie above max rounds to 2^16 -> overflow
        2.0**-25: 0.0,  # half the smallest subnormal: tie -> 0
        3 * 2.0**-26: 2.0**-24,
        -(2.0**-26): -0.0,
    }
    for x, want in cases.items():
        got = float(F.quantize(np.array([x]), f)[0])
        assert got == want and math.copysign(1, got) == math.copysign(1, want), (x, got, want)


def test_directed_roundings_and_overflow_rules():
    f = F.get_format("fp16")
    x = np.array([1.0 + 2.0**-12, -(1.0 + 2.0**-12), 1e6, -1e6])
    assert list(F.quantize(x, f.with_rounding("zero"))) == [1.0, -1.0, 65504.0, -65504.0]
    assert list(F.quantize(x, f.with_rounding("floor"))) == [
        1.0,
        -(1 + 2.0**-10),
        65504.0,
        -math.inf,
    ]
    sat, n = F.quantize(x, f.with_overflow("saturate"), return_overflows=True)
    assert list(sat) == [1.0, -1.0, 65504.0, -65504.0] and n == 2


def test_ml_dtypes_bf16_and_fp8():
    ml = pytest.importorskip("ml_dtypes", reason="ml_dtypes not installed (pip install ml-dtypes)")
    x = _wide_sample()
    for name, dt in (
        ("bfloat16", ml.bfloat16),
        ("fp8_e4m3", ml.float8_e4m3fn),
        ("fp8_e5m2", ml.float8_e5m2),
    ):
        fmt = F.get_format(name)
        with np.errstate(all="ignore"):
            ref = x.astype(dt).astype(np.float64)
            ties = _ties(fmt)
            ref_t = ties.astype(dt).astype(np.float64)
        assert _same(F.quantize(x, fmt), ref), name
        assert _same(F.quantize(ties, fmt), ref_t), name
        assert fmt.max == float(ml.finfo(dt).max)
        assert fmt.min_subnormal == float(ml.finfo(dt).smallest_subnormal)
    assert F.get_format("e4m3").max == 448.0 and F.get_format("e5m2").max == 57344.0


def test_fixed_point_saturate_and_wrap():
    q = F.NumberFormat.fixed(3, 2)  # k in [-32, 31], LSB 0.25
    x = np.array([0.374, 0.375, -0.125, 7.75, 8.0, -8.0, -8.25, 100.0])
    got, n = F.quantize(x, q, return_overflows=True)
    assert list(got) == [0.25, 0.5, -0.0, 7.75, 7.75, -8.0, -8.0, 7.75] and n == 3
    w, n = F.quantize(x, q.with_overflow("wrap"), return_overflows=True)
    assert list(w[4:]) == [-8.0, -8.0, 7.75, 4.0]  # 100 mod 16 = 4 and n == 3
    fl = F.quantize(np.array([0.3, -0.3]), q.with_rounding("floor"))
    assert list(fl) == [0.25, -0.5]
    assert (
        F.get_format("accum").lsb == 2.0**-15 and F.get_format("Q(16,15)").max == 65536 - 2.0**-15
    )


def test_kernel_matches_reference_all_modes():
    x = _wide_sample(5000, seed=3)
    x_small = np.random.default_rng(4).standard_normal(5000) * 20
    for name in ("float16", "bfloat16", "fp8_e4m3", "fp8_e5m2", "Q(7,8)"):
        for mode in F.ROUNDINGS:
            for ov in ("ieee", "saturate", "wrap"):
                base = F.get_format(name, mode)
                if (base.kind == "fixed") == (ov == "ieee"):
                    continue
                fmt = base.with_overflow(ov)
                for data in (x, x_small):
                    got, n = F.quantize(data, fmt, seed=7, step=11, site=2, return_overflows=True)
                    ref, n_ref = round_reference(data, fmt.params(), seed=7, step=11, site=2)
                    assert _same(got, ref) and n == n_ref, (name, mode, ov)


def test_stochastic_rounding_unbiased_and_reproducible():
    f = F.get_format("bf16-sr")
    x = np.full(200000, 1.0 + 0.3 * 2.0**-7)
    a = F.quantize(x, f, seed=5, step=1)
    assert set(np.unique(a)) == {1.0, 1.0 + 2.0**-7}
    p_up = np.mean(a > 1.0)
    assert abs(p_up - 0.3) < 5 * math.sqrt(0.3 * 0.7 / x.size)
    assert _same(a, F.quantize(x, f, seed=5, step=1))
    assert not _same(a, F.quantize(x, f, seed=6, step=1))
    # counter-based: entry i depends on (seed, step, site, i) only
    part = F.quantize(x[:1000], f, seed=5, step=1)
    assert _same(part, a[:1000])
    u = F.stream_uniforms(9, 2, 3, 1000)
    assert np.array_equal(u, uniform_reference(9, 2, 3, np.arange(1000)))
    assert 0 <= u.min() and u.max() < 1 and abs(u.mean() - 0.5) < 0.05


def test_get_format_names_and_errors():
    assert F.get_format("bf16-sr").rounding == "stochastic"
    assert F.get_format("half-rz").rounding == "zero"
    assert F.get_format("fp16", rounding="floor").rounding == "floor"
    assert F.get_format("Q(4,11)").bits == 16
    with pytest.raises(ValueError, match="unknown number format"):
        F.get_format("float12")
    with pytest.raises(ValueError, match="rounding"):
        F.get_format("bf16", rounding="up")
    with pytest.raises(ValueError, match="wrap"):
        F.NumberFormat.float(5, 10, overflow="wrap")
    with pytest.raises(ValueError, match="int_bits"):
        F.NumberFormat.fixed(-1, 3)
    mp = F.as_precision("bf16")
    assert mp.weights.name == "bfloat16" and mp.accumulator.name == "float32"
    assert F.as_precision("s16.15").accumulator.kind == "fixed"


def test_weight_quantisers():
    rng = np.random.default_rng(0)
    J = rng.standard_normal((60, 80))
    for bits, M in ((8, 127), (4, 7), (2, 1)):
        q = Q.quantize_weights(J, bits=bits)
        assert np.all(np.abs(q.codes) <= M) and np.allclose(q.values, q.codes * q.scale)
        assert q.scale == pytest.approx(np.abs(J).max() / M)
        assert np.max(np.abs(q.values - J)) <= q.scale / 2 + 1e-12
    t = Q.quantize_weights(J, bits=4, rounding="zero", scale=0.5)
    assert np.all(np.abs(t.values) <= np.abs(J) + 1e-15)
    fl = Q.quantize_weights(J, bits=8, rounding="floor", scale=0.1)
    assert np.all(fl.values <= J + 1e-15) and np.all(J - fl.values < 0.1 + 1e-12)
    sr = Q.quantize_weights(np.full((400, 500), 0.13), bits=8, rounding="stochastic", scale=0.1)
    assert abs(sr.values.mean() - 0.13) < 1e-3
    b = Q.quantize_weights(J, bits=1, scheme="sign_magnitude")
    assert set(np.unique(np.abs(b.values))) == {b.scale} and np.all(np.sign(b.values) == np.sign(J))
    sh = Q.quantize_weights(J, bits=8, scheme="shared", n_shared=4)
    assert sh.levels.shape == (60, 4)
    for i in range(60):
        assert set(np.unique(sh.values[i])) <= set(sh.levels[i])
    with pytest.raises(ValueError, match="bits"):
        Q.quantize_weights(J, bits=1)


# --------------------------------------------------------------------------------------
# the rate simulator in emulated formats
# --------------------------------------------------------------------------------------


def _emulated_vs_reference(fmt, sigma_noise=0.0, N=24, n_steps=15):
    from rnmf import sim
    from rnmf.models import RateNetwork
    from rnmf.sim._reference_formats import rate_format_reference
    from rnmf.sim._shared import _resolve_precision

    net = RateNetwork(N=N, g=1.8, sigma_noise=sigma_noise, I0=0.1)
    tr = sim.simulate(
        net, n_steps * 0.1, dt=0.1, rng=42, fmt=fmt, record_units="all", progress=False
    )
    prec, dtype, native = _resolve_precision(fmt)
    gen = np.random.default_rng(42)
    J = sim.sample_couplings(net, gen)
    I = sim.sample_inputs(net, gen)
    x0 = gen.standard_normal(N)
    noise = gen.standard_normal((n_steps, N)) if sigma_noise else None
    key = 42
    J = F.quantize(J, prec.weights, seed=key, site=0)
    I = F.quantize(I, prec.state, seed=key, site=11)
    x0 = F.quantize(x0, prec.state, seed=key, site=12)
    a, b, c = F.quantize(
        np.array([0.9, 0.1, sigma_noise * math.sqrt(0.1)]),
        prec.accumulator.with_rounding("nearest"),
        seed=key,
        site=13,
    )
    xs = rate_format_reference(
        x0, J, I, noise, n_steps, phi=np.tanh, a=a, b=b, c=c,
        state=prec.state.params(), acc=prec.accumulator.params(), seed=key,
        native_dtype=dtype.type if native else None,
    )  # fmt: skip
    return tr, xs


@pytest.mark.parametrize(
    "fmt",
    ["bf16", "bf16-sr", "fp16-sr", "fp8_e4m3-sr", "Q(4,11)", F.MixedPrecision.uniform("fp16-sr")],
)
def test_rate_kernel_matches_reference(fmt):
    tr, xs = _emulated_vs_reference(fmt, sigma_noise=0.3)
    assert np.array_equal(np.asarray(tr.x, dtype=np.float64), xs)


def test_rate_emulated_reproducible_and_float_paths_unchanged():
    from rnmf import sim
    from rnmf.models import RateNetwork

    net = RateNetwork(N=50, g=1.5)
    a = sim.simulate(net, 5, rng=3, fmt="bf16-sr", progress=False)
    b = sim.simulate(net, 5, rng=3, fmt="bf16-sr", progress=False)
    assert np.array_equal(a.x, b.x) and a.fmt.startswith("bfloat16-stochastic")
    # every recorded state is a bfloat16 number
    assert _same(F.quantize(a.x, "bf16"), np.asarray(a.x, dtype=np.float64))
    c = sim.simulate(net, 5, rng=3, fmt="bf16-sr", progress=False, record_units=3)
    assert np.array_equal(c.x, a.x[:, :3])
    n64 = sim.simulate(net, 5, rng=3, fmt="float64", progress=False)
    assert n64.fmt == "float64" and n64.n_overflow == 0
    sat = sim.simulate(
        RateNetwork(N=50, g=1.5, phi="linear", I0=50.0), 3, rng=1, progress=False,
        fmt=F.get_format("Q(3,4)").with_overflow("saturate"),
    )  # fmt: skip
    assert sat.n_overflow > 0 and np.max(sat.x) <= F.get_format("Q(3,4)").max
    with pytest.raises(ValueError, match="fmt"):
        sim.simulate(net, 5, fmt="float12", progress=False)
