"""Griffe extension for the documentation site: reST markup in docstrings -> Markdown.

rnmf's docstrings are numpydoc with Sphinx markup (``:func:`x```, ``:math:`x```,
``.. math::`` blocks, literal blocks introduced by ``::``).  mkdocstrings renders
Markdown, so this extension rewrites that markup before griffe parses the
docstring sections:

* ``:math:`x``` -> ``\\(x\\)`` and ``.. math::`` blocks -> ``\\[ ... \\]`` (rendered by
  MathJax through ``pymdownx.arithmatex``; multi-line blocks with ``&`` or ``\\\\`` are
  wrapped in an ``aligned`` environment, as Sphinx does);
* cross-reference roles (``:func:``, ``:class:``, ``:mod:``, ``:meth:``, ``:attr:``,
  ``:data:``, ...) -> inline code, ``~`` keeping only the last name component;
* ``text::`` -> ``text:`` followed by the (already indented) literal block;
* external links ```text <url>`_`` -> ``[text](url)``;
* "Modules", "Classes" and "Functions" sections, written as prose in rnmf, are retitled
  "Package modules" etc. so that griffe keeps them as text.

The docstrings themselves are not changed; only the site sees the conversion.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:func|class|mod|meth|attr|data|obj|exc|const|ref|term):`([^`]+)`")
_MATH = re.compile(r":math:`([^`]+)`")
_LINK = re.compile(r"`([^`<]+?)\s*<(https?://[^>]+)>`__?")
_DIRECTIVE = re.compile(r"^(\s*)\.\. math::\s*(.*)$")


def _role(match: re.Match[str]) -> str:
    target = match.group(1).strip()
    if "<" in target and target.endswith(">"):  # :func:`text <target>`
        target = target[: target.index("<")].strip()
    if target.startswith("~"):
        target = target[1:].rsplit(".", 1)[-1]
    return f"`{target}`"


def _math_block(lines: list[str], indent: str) -> list[str]:
    body = "\n".join(line.strip() for line in lines).strip()
    if "&" in body or "\\\\" in body:
        body = "\\begin{aligned}\n" + body + "\n\\end{aligned}"
    return ["", f"{indent}\\[", *[indent + b for b in body.splitlines()], f"{indent}\\]", ""]


def _blocks(text: str) -> str:
    """Turn ``.. math::`` directives into display math and ``::`` into ``:``."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _DIRECTIVE.match(line)
        if m:
            indent, first = m.group(1), m.group(2)
            body = [first] if first.strip() else []
            i += 1
            while i < len(lines):
                nxt = lines[i]
                if nxt.strip() == "":
                    # a blank line ends the block unless more indented body follows
                    if body and not (
                        i + 1 < len(lines)
                        and len(lines[i + 1]) - len(lines[i + 1].lstrip()) > len(indent)
                        and lines[i + 1].strip()
                    ):
                        break
                    i += 1
                    continue
                if len(nxt) - len(nxt.lstrip()) <= len(indent):
                    break
                body.append(nxt)
                i += 1
            out.extend(_math_block(body, indent))
            continue
        stripped = line.rstrip()
        if stripped.endswith("::") and not stripped.endswith(":::"):
            head = stripped[:-2].rstrip()
            if head.strip():
                out.append(head + ":")
            out.append("")
            i += 1
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


_FREE_SECTION = re.compile(r"^(\s*)(Modules|Classes|Functions)\n(\s*)(-+)$", re.M)


def _free_section(match: re.Match[str]) -> str:
    # rnmf writes these sections as prose, not as numpydoc "name : description" items;
    # a title griffe does not know makes them a plain (admonition) section.
    indent, title, indent2, rule = match.groups()
    return f"{indent}Package {title.lower()}\n{indent2}{rule}{'-' * 8}"


def rst_to_markdown(text: str) -> str:
    """Convert the Sphinx markup used in rnmf docstrings to Markdown (see the module doc)."""
    text = _FREE_SECTION.sub(_free_section, text)
    text = _blocks(text)
    text = _MATH.sub(lambda m: "\\(" + m.group(1) + "\\)", text)
    text = _ROLE.sub(_role, text)
    return _LINK.sub(lambda m: f"[{m.group(1)}]({m.group(2)})", text)


class RstToMarkdown(griffe.Extension):
    """Rewrite every docstring before griffe parses it (see :func:`rst_to_markdown`)."""

    def _convert(self, obj: Any) -> None:
        doc = getattr(obj, "docstring", None)
        if doc is not None and doc.value:
            doc.value = rst_to_markdown(doc.value)

    def on_instance(self, *, obj: Any, **kwargs: Any) -> None:  # griffe >= 1.0 hook
        self._convert(obj)
