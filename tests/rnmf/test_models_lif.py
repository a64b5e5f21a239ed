"""LIFNetwork and LIFNetwork.brunel: arguments validated before anything is derived
from them, the D / delay alias, and warnings on values in seconds or volts (issue 10)."""

from __future__ import annotations

import warnings

import pytest

from rnmf.models import LIFNetwork
from rnmf.models.lif import UnitsWarning


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(N_E=0), r"N_E \(excitatory neurons\) must be an integer >= 1"),
        (dict(epsilon=0), r"epsilon \(connection probability\) must be > 0"),
        (dict(J=0), r"J \(excitatory PSP, mV\) must be > 0"),
        (dict(tau_m=0), r"tau_m \(ms\) must be > 0"),
        (dict(gamma=0), r"gamma \(N_I / N_E\) must be > 0"),
        (dict(V_th=0), r"V_th .* must be > 0"),
        (dict(g=-1.0), r"g \(relative inhibition\) must be >= 0"),
        (dict(eta=float("nan")), r"eta .* must be finite"),
        (dict(epsilon=1.5), r"epsilon .* must be <= 1"),
        (dict(N_E=12.5), r"N_E .* must be an integer"),
        (dict(J="0.1"), r"J .* must be a real number"),
        (dict(N_E=5), r"epsilon \* N_E = 0.1 \* 5 gives C_E = 0"),
        (dict(N_E=2, epsilon=1.0, gamma=0.1), r"gamma \* N_E = 0.1 \* 2 rounds to 0"),
        (dict(D=2.0, delay=3.0), r"D = 2.0 and delay = 3.0 name the same synaptic delay"),
        (dict(delay=0.0), r"delay \(synaptic delay, ms\) must be > 0"),
    ],
)
def test_brunel_validates_its_own_arguments_first(kwargs, match):
    """Before issue 10, N_E=0, epsilon=0, J=0 and tau_m=0 raised ZeroDivisionError and
    other bad values messages about derived fields (K, nu_ext)."""
    with pytest.raises(ValueError, match=match) as info:
        LIFNetwork.brunel(**kwargs)
    assert "LIFNetwork.brunel" in str(info.value)


def test_brunel_rejects_unknown_and_derived_keywords():
    with pytest.raises(TypeError, match="unexpected keyword argument.*foo"):
        LIFNetwork.brunel(foo=1.0)
    with pytest.raises(TypeError, match="unexpected keyword argument.*nu_ext"):
        LIFNetwork.brunel(nu_ext=5.0)


def test_brunel_delay_is_an_alias_of_D():
    assert LIFNetwork.brunel(delay=3.0) == LIFNetwork.brunel(D=3.0)
    assert LIFNetwork.brunel(delay=3.0).delay == 3.0
    assert LIFNetwork.brunel(D=2.0, delay=2.0).delay == 2.0
    assert LIFNetwork.brunel().delay == 1.5


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(tau_m=0.02), r"tau_m = 0.02 ms looks like a value in seconds"),
        (dict(D=0.0015), r"D = 0.0015 ms looks like a value in seconds"),
        (dict(delay=0.0015), r"delay = 0.0015 ms looks like a value in seconds"),
        (dict(t_ref=0.002), r"t_ref = 0.002 ms looks like a value in seconds"),
        (dict(tau_s=0.005), r"tau_s = 0.005 ms looks like a value in seconds"),
        (dict(V_th=0.02, V_reset=0.01), r"V_th = 0.02 mV looks like a value in volts"),
        (dict(V_th=20.2, V_reset=20.0), r"V_th - V_reset = 0.2 mV .* looks like values in volts"),
    ],
)
def test_brunel_warns_on_seconds_and_volts(kwargs, match):
    with pytest.warns(UnitsWarning, match=match) as record:
        LIFNetwork.brunel(**kwargs)
    assert len(record) == 1  # once, not again from LIFNetwork.__post_init__
    assert record[0].filename == __file__  # points at the caller


def test_lif_network_fields_warn_and_name_volts():
    with pytest.warns(UnitsWarning, match="tau_m = 0.01 ms looks like a value in seconds"):
        LIFNetwork(N=(10,), K=1, J=0.1, tau_m=0.01)
    with pytest.warns(UnitsWarning), pytest.raises(ValueError, match="given in volts"):
        LIFNetwork.brunel(V_th=0.02)


def test_plausible_values_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LIFNetwork.brunel(6.0, 4.0, D=3.0, t_ref=0.0, tau_s=0.0)
        LIFNetwork(N=(10,), K=1, J=0.1, tau_m=10.0, t_ref=0.5, tau_s=0.5, delay=0.1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(N=("a",)), r"LIFNetwork.N\[0\] must be an integer"),
        (dict(N=(10.5,)), r"LIFNetwork.N\[0\] must be an integer"),
        (dict(K="1"), r"LIFNetwork.K .* must hold real numbers"),
        (dict(J=[["x"]]), r"LIFNetwork.J .* must hold real numbers"),
        (dict(nu_ext="5"), r"LIFNetwork.nu_ext .* must hold real numbers"),
        (dict(tau_m="20"), r"LIFNetwork.tau_m .* must be a real number"),
        (dict(name=3), r"LIFNetwork.name must be a string"),
    ],
)
def test_lif_network_fields_name_themselves(kwargs, match):
    args = dict(N=(10,), K=1, J=0.1)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        LIFNetwork(**args)
