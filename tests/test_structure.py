"""The shape of the house, checked: the import graph, a light ``import rnmf``, the package list.

DESIGN.md section 1 (in the repository: ``CONTRIBUTING.md``): ``theory`` and ``sim`` import the hub
(``rnmf.models``, ``rnmf.results``, ...) and never each other; a model module imports neither;
numba is imported only in ``sim/_kernels``; only ``rnmf.validate``, ``rnmf.phase`` and the command
line combine theory with simulation. The test reads every source file's ``import`` statements with
``ast`` (lazy imports inside functions included), so it needs no import side effects.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: source folder -> installed package name (pyproject's package-dir mapping)
TOPS = {"rnmf": "rnmf", "theory": "rnmf.theory", "sim": "rnmf.sim"}


def _module_name(path: Path) -> tuple[str, bool]:
    rel = path.relative_to(ROOT)
    parts = list(rel.with_suffix("").parts)
    is_pkg = parts[-1] == "__init__"
    if is_pkg:
        parts = parts[:-1]
    return ".".join([TOPS[parts[0]], *parts[1:]]), is_pkg


def _sources() -> list[Path]:
    return sorted(
        p for top in TOPS for p in (ROOT / top).rglob("*.py") if "__pycache__" not in p.parts
    )


def _imports(path: Path) -> set[str]:
    """Absolute names of every module imported anywhere in ``path`` (relative imports resolved)."""
    name, is_pkg = _module_name(path)
    package = name if is_pkg else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.add(mod)
            # `from rnmf import sim` / `from . import lif` import submodules by name
            out.update(f"{mod}.{alias.name}" for alias in node.names)
    return out


GRAPH = {p: _imports(p) for p in _sources()}


def _hits(imports: set[str], prefix: str) -> list[str]:
    return sorted(m for m in imports if m == prefix or m.startswith(prefix + "."))


def _offenders(files_prefix: str, banned: str) -> dict[str, list[str]]:
    found = {}
    for path, imports in GRAPH.items():
        if _module_name(path)[0].startswith(files_prefix):
            hits = _hits(imports, banned)
            if hits:
                found[str(path.relative_to(ROOT))] = hits
    return found


def test_the_source_tree_is_found():
    names = {_module_name(p)[0] for p in GRAPH}
    assert {"rnmf", "rnmf.theory", "rnmf.sim", "rnmf.models"} <= names
    assert len(GRAPH) > 40


def test_theory_never_imports_sim():
    assert _offenders("rnmf.theory", "rnmf.sim") == {}


def test_sim_never_imports_theory():
    assert _offenders("rnmf.sim", "rnmf.theory") == {}


@pytest.mark.parametrize("banned", ["rnmf.theory", "rnmf.sim", "rnmf.validate", "rnmf.phase"])
def test_models_import_neither_theory_nor_sim(banned):
    assert _offenders("rnmf.models", banned) == {}


def test_numba_only_in_kernels():
    found = {
        str(p.relative_to(ROOT)): _hits(imps, "numba")
        for p, imps in GRAPH.items()
        if _hits(imps, "numba") and not _module_name(p)[0].startswith("rnmf.sim._kernels")
    }
    assert found == {}


def test_theory_meets_sim_only_in_validate_phase_and_cli():
    allowed = ("rnmf.validate", "rnmf.phase", "rnmf.cli", "rnmf._cli")
    found = {}
    for path, imports in GRAPH.items():
        name = _module_name(path)[0]
        if name.startswith(("rnmf.theory", "rnmf.sim")) or name.startswith(allowed):
            continue
        if _hits(imports, "rnmf.theory") and _hits(imports, "rnmf.sim"):
            found[name] = _hits(imports, "rnmf.theory") + _hits(imports, "rnmf.sim")
    assert found == {}


def test_import_rnmf_is_light():
    """``import rnmf`` loads neither numba nor matplotlib nor sympy (they come with rnmf.sim etc.)."""
    code = (
        "import sys, rnmf; "
        "print(','.join(m for m in ('numba', 'matplotlib', 'sympy', 'rnmf.sim', 'rnmf.theory') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_every_package_is_installed():
    """Each folder with an ``__init__.py`` is listed in pyproject, so a non-editable install has it."""
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(cfg["packages"])
    found = {_module_name(p)[0] for p in GRAPH if p.name == "__init__.py"}
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert listed - found == set(), "pyproject lists packages that do not exist"


def test_no_file_cites_a_path_outside_the_repository():
    """The project carries its own references (docs/references.md)."""
    banned = re.compile("REFERENCES" + r"\.md|\.\./" + "shared")
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout")
    found = []
    for rel in tracked:
        path = ROOT / rel
        if path.suffix not in {".py", ".md", ".toml", ".txt", ".cfg", ".yaml", ".yml", ".cff", ""}:
            continue
        try:
            text = path.read_text()
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue
        found += [
            f"{rel}:{i + 1}" for i, line in enumerate(text.splitlines()) if banned.search(line)
        ]
    assert found == []
