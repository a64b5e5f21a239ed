"""``rnmf derive``: prints the fixed points and the conditions; clear errors on bad input."""

from __future__ import annotations

import pytest

from rnmf.cli import main


def test_derive_wilson_cowan_latex(capsys):
    assert main(["derive", "wilson-cowan", "--latex", "--param", "I_E=1"]) == 0
    out = capsys.readouterr().out
    assert "## Conditions" in out and "## Fixed points" in out
    assert "\\tau_{E}" in out and "Hopf:" in out and "saddle-node:" in out
    assert "unstable focus" in out  # I_E = 1, I_I = 0: a single fixed point inside a limit cycle


def test_derive_isn_plain_text_with_closed_form(capsys):
    assert main(["derive", "isn"]) == 0
    out = capsys.readouterr().out
    assert "closed form" in out and "r_E=0.333333" in out
    assert "ISN: (f'_E*w_EE - 1)/tau_E > 0" in out


def test_derive_custom_model(capsys):
    code = main([
        "derive", "custom", "--equation", "tau*d(r) = -r + f(w*r + I)", "--function", "f=tanh",
        "--param", "tau=1", "--param", "w=2", "--param", "I=0",
    ])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert out.count("FixedPoint(") == 3  # r = tanh(2 r): 0 and +-0.957


@pytest.mark.parametrize(
    "argv, message",
    [
        (["derive", "nope"], "unknown model 'nope'"),
        (["derive", "wilson-cowan", "--param", "w_XX=1"], "unknown parameter 'w_XX'"),
        (["derive", "custom", "--equation", "d(r) = -r + J"], "undefined symbol 'J'"),
        (["derive", "custom", "--equation", "d(r) = -r + w", "--param", "w=x"], "not a number"),
    ],
)
def test_derive_errors(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_derive_reports_models_without_fixed_points(capsys):
    code = main(["derive", "custom", "--equation", "d(r) = 1 + r**2", "--starts", "8"])
    assert code == 1
    assert "no fixed point" in capsys.readouterr().err
