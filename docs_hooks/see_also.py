"""Griffe extension: numpydoc "See Also" sections as definition lists of links.

Griffe reads a numpydoc ``See Also`` section as a plain admonition, so
mkdocstrings showed its entries as one run-on paragraph with the names as
text. This extension rewrites each section, before the docstring is parsed,
into a Markdown definition list (the ``def_list`` extension) whose terms are
cross-references (mkdocs-autorefs) to the objects named::

    See Also                    [`resolution_rate`][csmetrics.metrics.resolution.resolution_rate]
    --------                    :   share of requests resolved by their latest contact.
    resolution_rate : share...

The docstrings stay standard numpydoc (``help()``, IDEs and ruff's pydocstyle
read them as before). A name is looked up in the scope of the documented
object (its module's members and imports), then among the package's exports
(``csmetrics.compare``); a name that resolves to nothing is a warning, which
fails ``mkdocs build --strict``.
"""

from __future__ import annotations

import contextlib
import logging
import re
from typing import Any

import griffe

_LOG = logging.getLogger("mkdocs.plugins.see_also")

# The section title, its underline, and its body up to the next section title
# (a line followed by a dash line) or the end of the docstring.
_SECTION = re.compile(
    r"^(?P<head>See Also\n-{3,}\n)(?P<body>.*?)(?=^[^\n]+\n-{3,}\n|\Z)",
    re.MULTILINE | re.DOTALL,
)


def _entries(body: str) -> list[tuple[list[str], str]]:
    """The (names, description) of each entry of a See Also body.

    An entry is ``name[, name...][ : description]`` on one line; names may
    continue on the next line after a trailing comma, and the description
    on indented lines below.
    """
    entries: list[tuple[list[str], str]] = []
    names_open = False
    for line in body.splitlines():
        if not line.strip():
            names_open = False
            continue
        if line[0].isspace() and entries and not names_open:
            names, text = entries[-1]
            entries[-1] = (names, f"{text} {line.strip()}".strip())
            continue
        head, _, text = line.strip().partition(" : ")
        names = [name.strip() for name in head.split(",") if name.strip()]
        if names_open and entries:
            entries[-1] = (entries[-1][0] + names, text.strip())
        else:
            entries.append((names, text.strip()))
        names_open = head.rstrip().endswith(",") and not text
    return entries


def _path(obj: griffe.Object, name: str) -> str | None:
    """The canonical path of the object ``name`` refers to from ``obj``, or None."""
    package = obj.package
    first, _, rest = name.partition(".")
    candidates = []
    if first == package.name:
        candidates.append(name)
    else:
        with contextlib.suppress(griffe.NameResolutionError):
            candidates.append(".".join(filter(None, [obj.resolve(first), rest])))
        if name in package.members:
            candidates.append(f"{package.name}.{name}")
    for path in candidates:
        target = _lookup(obj.modules_collection, path)
        if target is not None:
            return target
    return None


def _lookup(collection: griffe.ModulesCollection, path: str) -> str | None:
    """The canonical path of the object at ``path`` (aliases followed), or None."""
    try:
        target = collection[path]
        return str(target.final_target.path if target.is_alias else target.path)
    except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None


def _link(obj: griffe.Object, name: str) -> str:
    path = _path(obj, name)
    if path is None:
        _LOG.warning("See Also of %s: cannot resolve %r", obj.path, name)
        return f"`{name}`"
    return f"[`{name}`][{path}]"


def see_also_markdown(obj: griffe.Object, body: str) -> str:
    """A See Also body as a Markdown definition list of cross-references."""
    items = []
    for names, text in _entries(body):
        term = ", ".join(_link(obj, name) for name in names)
        items.append(f"{term}\n:   {text}" if text else term)
    return "\n\n".join(items) + "\n\n"


class SeeAlsoLinks(griffe.Extension):
    """Rewrite the See Also sections of every docstring of the package."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """Rewrite the sections once the whole package is loaded (names resolve)."""
        self._visit(pkg, seen=set())

    def _visit(self, obj: griffe.Object, seen: set[str]) -> None:
        if obj.path in seen:
            return
        seen.add(obj.path)
        docstring = obj.docstring
        if docstring is not None and "See Also\n" in docstring.value:
            docstring.value = _SECTION.sub(
                lambda m: m.group("head") + see_also_markdown(obj, m.group("body")),
                docstring.value,
            )
            docstring.__dict__.pop("parsed", None)  # parse the new text
        for member in obj.members.values():
            if not member.is_alias:
                self._visit(member, seen)  # type: ignore[arg-type]
