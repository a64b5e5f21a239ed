"""The README's examples run and print what their comments say; its commands parse.

Every ```python block of README.md runs (in a temporary folder, each in a fresh namespace);
every ``rnmf ...`` command of its ```bash blocks is parsed by the real command-line parser,
so a renamed or removed flag fails here.
"""

import re
import shlex
from pathlib import Path

import pytest

from rnmf import cli

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks(lang: str) -> list[str]:
    text = README.read_text()
    return [
        re.sub(r"^ {3}", "", b, flags=re.M)  # blocks inside a numbered list are indented
        for b in re.findall(rf"^ *```{lang}\n(.*?)^ *```", text, flags=re.S | re.M)
    ]


def _run(code: str, capsys) -> list[str]:
    exec(compile(code, str(README), "exec"), {"__name__": "__readme__"})
    return capsys.readouterr().out.split()


def test_readme_python_examples_run(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = _blocks("python")
    assert blocks, "the README shows a Python example"
    outputs = [_run(code, capsys) for code in blocks]
    assert all(outputs), "every example prints something"
    # the example: DMFT against one simulated network
    example = next(o for o, b in zip(outputs, blocks, strict=True) if "sim.simulate" in b)
    delta0, lam, var_sim = float(example[0]), float(example[1]), float(example[2])
    assert delta0 == pytest.approx(1.92480541374, rel=1e-9)  # SCS 1988, docs/references.md sec. 1
    assert lam > 0
    assert var_sim == pytest.approx(delta0, rel=0.1)  # one N = 2000 network


def test_readme_save_and_reload(capsys, tmp_path, monkeypatch):
    """The newcomer's save-and-reload step writes a file and reads back the same result."""
    monkeypatch.chdir(tmp_path)
    code = next(b for b in _blocks("python") if "Result.load" in b)
    regime, delta0 = _run(code, capsys)[:2]
    assert (tmp_path / "scs_g2.npz").is_file()
    assert regime == "chaotic"
    assert float(delta0) == pytest.approx(1.92480541374, rel=1e-9)


def _commands() -> list[list[str]]:
    cmds = []
    for block in _blocks("bash"):
        text = block.replace("\\\n", " ")
        for line in text.splitlines():
            for part in re.split(r"&&|;", line.split("#")[0]):
                words = shlex.split(part)
                if words and words[0] == "rnmf":
                    cmds.append(words[1:])
    return cmds


def test_readme_rnmf_commands_parse():
    commands = _commands()
    assert any(c[:1] == ["validate"] for c in commands)
    assert any(c[:2] == ["phase", "rate"] and "--store" in c for c in commands), (
        "the README's phase diagram with simulations uses --store, so an interrupted run resumes"
    )
    parser = cli.build_parser()
    for argv in commands:
        args = parser.parse_args(argv)  # SystemExit on an unknown flag
        assert args.func is not None, argv


def test_readme_links_to_the_docs():
    text = README.read_text()
    assert "docs/references.md" in text
    assert "docs/index.md" in text and "mkdocs serve" in text
    for target in re.findall(r"\]\(((?:docs|notebooks)/[^)#]+)\)", text):
        assert (README.parent / target).exists(), f"README links to a missing file: {target}"


def test_readme_commands_are_what_ci_runs():
    text = README.read_text()
    ci = (README.parent / ".ci" / "run").read_text()
    assert "<!-- ci: test command -->" in text and "ci: test command" in ci
    assert "rnmf validate" in text
