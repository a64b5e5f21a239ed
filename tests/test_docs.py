"""The documentation site: it builds without warnings, and its examples run.

The site (``mkdocs.yml``, ``docs/``) is built in strict mode, where any warning (a broken link,
a page missing from the navigation, a docstring the API reference cannot render) fails the
build.  The build needs the ``docs`` extra (mkdocs, mkdocstrings[python],
pymdown-extensions); without it that test skips.  The Python examples of the user guide run
without it.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GUIDE_PAGES = [
    "index.md",
    "guide/rate.md",
    "guide/lowrank.md",
    "guide/lif.md",
    "guide/phase.md",
    "guide/saveload.md",
]
DOCS_TOOLS = ("mkdocs", "mkdocstrings", "mkdocstrings_handlers.python", "pymdownx")


def _have(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def python_blocks(page: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", (DOCS / page).read_text(), flags=re.S)


@pytest.mark.parametrize("page", GUIDE_PAGES)
def test_user_guide_examples_run(page, tmp_path, monkeypatch, capsys):
    """Every Python block of a page runs, in order, in one namespace (as a reader would)."""
    blocks = python_blocks(page)
    assert blocks, f"{page} has runnable examples"
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__docs__"}
    for code in blocks:
        exec(compile(code, str(DOCS / page), "exec"), namespace)
    out = capsys.readouterr().out
    assert out.strip(), f"the examples of {page} print what their comments describe"


def test_guide_examples_print_what_they_say(tmp_path, monkeypatch, capsys):
    """Spot checks of the numbers the comments of the guide state."""
    monkeypatch.chdir(tmp_path)
    ns: dict = {}
    for code in python_blocks("guide/saveload.md"):
        exec(compile(code, "saveload.md", "exec"), ns)
    assert ns["back"] == ns["state"]
    assert type(ns["back"]).__name__ == "DMFTResult"
    # SCS 1988 at g = 2 (docs/references.md sec. 1)
    assert ns["back"].Delta0 == pytest.approx(1.92480541374, rel=1e-9)
    capsys.readouterr()


def test_every_page_is_in_the_navigation():
    nav = (ROOT / "mkdocs.yml").read_text()
    pages = [
        p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md") if not p.name.startswith("_")
    ]
    missing = [p for p in pages if p not in nav]
    assert not missing, f"pages not in the mkdocs.yml nav: {missing}"


def test_gallery_renders_every_notebook():
    sys.path.insert(0, str(DOCS))
    try:
        if not _have("mkdocs"):
            pytest.skip("mkdocs is not installed (pip install -e '.[docs]')")
        from _hooks import notebook_to_markdown
    finally:
        sys.path.remove(str(DOCS))
    for nb in sorted((ROOT / "notebooks").glob("*.py")):
        page = notebook_to_markdown(nb.read_text(), nb.stem)
        assert "```python" in page and page.lstrip().startswith("# "), nb.name
        assert "jupytext" not in page.split("```")[0], "the jupytext header is dropped"


def test_rst_markup_becomes_markdown():
    if not _have("griffe"):
        pytest.skip("griffe is not installed (pip install -e '.[docs]')")
    sys.path.insert(0, str(DOCS))
    try:
        from _griffe_rst import rst_to_markdown
    finally:
        sys.path.remove(str(DOCS))
    text = (
        "See :func:`~rnmf.theory.dmft.solve` and :class:`rnmf.RateNetwork`; "
        ":math:`\\Delta_0 = g^2`.\n\n.. math::\n\n    a &= b \\\\\n    c &= d\n\nAn example::\n\n"
        "    x = 1\n"
    )
    md = rst_to_markdown(text)
    assert "`solve`" in md and "`rnmf.RateNetwork`" in md
    assert "\\(\\Delta_0 = g^2\\)" in md
    assert "\\begin{aligned}" in md and "\\[" in md and "\\]" in md
    assert "An example:\n" in md and "::" not in md


@pytest.mark.skipif(
    not all(_have(m) for m in DOCS_TOOLS),
    reason="the docs tools are not installed (pip install -e '.[docs]')",
)
def test_site_builds_without_warnings(tmp_path):
    """``mkdocs build --strict``: every warning is an error."""
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert "WARNING" not in log, log[-4000:]
    site = tmp_path / "site"
    for page in ("index.html", "references.html", "validate.html", "gallery/index.html"):
        assert (site / page).is_file(), page
    # the API reference is rendered from the docstrings
    dmft_api = (site / "api" / "theory_dmft.html").read_text()
    for name in ("solve_grid", "DMFTResult", "lambda_max"):
        assert name in dmft_api, name
    assert ":func:`" not in dmft_api and ".. math::" not in dmft_api
    assert (site / "gallery" / "figures" / "scs_autocorrelation.png").is_file()
