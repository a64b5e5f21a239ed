"""MkDocs hooks of the rnmf documentation site (see ``mkdocs.yml``).

1. Source tree for the API reference.  rnmf installs ``theory/`` as ``rnmf.theory`` and
   ``sim/`` as ``rnmf.sim`` (``[tool.setuptools] package-dir`` in ``pyproject.toml``), a
   layout griffe cannot follow from the repository root.  :func:`on_config` copies the
   Python sources into a temporary folder laid out as installed and points
   mkdocstrings at it, so the API pages are read from source (static analysis, nothing
   imported).
2. Example gallery.  :func:`on_files` renders every jupytext "percent" notebook of
   ``notebooks/`` as a page ``gallery/<name>.md`` (Markdown cells as text, code cells as
   Python blocks) and adds the figures of ``notebooks/figures/`` that the notebooks
   write, so the gallery shows the committed figures next to the code that makes them.
"""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


# -- 1. the installed layout, for griffe ------------------------------------------------------


def _installed_layout(dest: Path) -> None:
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    mapping: dict[str, str] = cfg.get("package-dir", {})
    for package in cfg["packages"]:
        parts = package.split(".")
        # the longest mapped prefix decides where the package lives in the source tree
        for k in range(len(parts), 0, -1):
            prefix = ".".join(parts[:k])
            if prefix in mapping:
                src = ROOT / mapping[prefix] / Path(*parts[k:])
                break
        else:
            src = ROOT / Path(*parts)
        target = dest / Path(*parts)
        target.mkdir(parents=True, exist_ok=True)
        for py in src.glob("*.py"):
            shutil.copy2(py, target / py.name)


@event_priority(100)  # before mkdocstrings builds its handlers
def on_config(config: Any) -> Any:
    """Lay the sources out as installed and make mkdocstrings read them from there."""
    tmp = Path(tempfile.mkdtemp(prefix="rnmf-docs-src-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    _installed_layout(tmp)
    handlers = config.plugins["mkdocstrings"].config.handlers
    handlers.setdefault("python", {})["paths"] = [str(tmp)]
    # the gallery section of the navigation: its index, then one page per notebook
    for i, item in enumerate(config.nav or []):
        if isinstance(item, dict) and item.get("Example gallery") == "gallery/index.md":
            pages: list[Any] = ["gallery/index.md"]
            for nb in sorted(NOTEBOOKS.glob("*.py")):
                pages.append({_title(nb.read_text(), nb.stem): f"gallery/{nb.stem}.md"})
            config.nav[i] = {"Example gallery": pages}
    return config


# -- 2. the example gallery ---------------------------------------------------------------------

_CELL = re.compile(r"^# %%(.*)$")


def notebook_to_markdown(source: str, name: str) -> str:
    """Render a jupytext percent notebook as Markdown (text cells as text, code as code)."""
    lines = source.splitlines()
    # drop the jupytext header (a leading comment block between "# ---" lines)
    if lines and lines[0].strip() == "# ---":
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "# ---")
        lines = lines[end + 1 :]
    cells: list[tuple[str, list[str]]] = []
    for line in lines:
        m = _CELL.match(line)
        if m:
            cells.append(("markdown" if "[markdown]" in m.group(1) else "code", []))
        elif cells:
            cells[-1][1].append(line)
        elif line.strip():
            cells.append(("code", [line]))
    out: list[str] = []
    for kind, body in cells:
        text = "\n".join(body).strip("\n")
        if not text.strip():
            continue
        if kind == "markdown":
            out.append("\n".join(re.sub(r"^# ?", "", b) for b in text.splitlines()))
        else:
            out.append("```python\n" + text + "\n```")
    for fig in sorted(set(re.findall(r'"([\w.-]+\.png)"', source))):
        if (NOTEBOOKS / "figures" / fig).exists():
            out.append(f"![{fig}](figures/{fig})")
    out.append(
        f"Run it with `python notebooks/{name}.py` (set `RNMF_NOTEBOOK_SMALL=1` for a quick run "
        "at small size, as the test suite does); open it in Jupyter with jupytext."
    )
    return "\n\n".join(out) + "\n"


def _title(source: str, default: str) -> str:
    m = re.search(r"^# # (.+)$", source, flags=re.M)
    return m.group(1).strip() if m else default


def on_files(files: Files, config: Any) -> Files:
    """Add the gallery index, one gallery page per notebook and the committed figures."""
    index = [
        "# Example gallery",
        "",
        "Each page is a jupytext notebook of `notebooks/` that reproduces a classic figure "
        "with rnmf, shown with the figure it writes. The test suite runs every notebook at "
        "small size.",
        "",
    ]
    for nb in sorted(NOTEBOOKS.glob("*.py")):
        source = nb.read_text()
        page = notebook_to_markdown(source, nb.stem)
        files.append(File.generated(config, f"gallery/{nb.stem}.md", content=page))
        index.append(f"- [{_title(source, nb.stem)}]({nb.stem}.md) (`notebooks/{nb.stem}.py`)")
    files.append(File.generated(config, "gallery/index.md", content="\n".join(index) + "\n"))
    for fig in sorted((NOTEBOOKS / "figures").glob("*.png")):
        files.append(File.generated(config, f"gallery/figures/{fig.name}", abs_src_path=str(fig)))
    return files
