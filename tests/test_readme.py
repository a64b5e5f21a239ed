"""The README's Python example runs and prints what its comments say."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_example_runs(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "the README shows a Python example"
    for code in blocks:
        exec(compile(code, str(README), "exec"), {})
    printed = capsys.readouterr().out.split()
    delta0, lam, var_sim = float(printed[0]), float(printed[1]), float(printed[2])
    assert delta0 == pytest.approx(1.92480541374, rel=1e-9)  # SCS 1988, docs/references.md sec. 1
    assert lam > 0
    assert var_sim == pytest.approx(delta0, rel=0.1)  # one N = 2000 network


def test_readme_commands_are_what_ci_runs():
    text = README.read_text()
    ci = (README.parent / ".ci" / "run").read_text()
    assert "<!-- ci: test command -->" in text and "ci: test command" in ci
    assert "rnmf validate" in text
