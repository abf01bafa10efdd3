"""The package's layers: imports point down only, and private names stay home.

From the bottom: ``core`` (value objects, validation, tables, engines,
statistics, result bases), ``adapters`` (paths in from files and bundled
data), ``sources`` (readers of helpdesk exports), ``metrics`` (one module
per KPI family), ``catalog`` (one entry per public metric), ``presets``
(named definition sets), ``analysis``,
``report``, and on top the command line and the package's re-exports. A
module may import from its own layer and the layers below it; every import
counts, including those inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "csmetrics"

LAYERS = (
    "core",
    "adapters",
    "sources",
    "metrics",
    "catalog",
    "presets",
    "analysis",
    "report",
    "top",
)
"""Bottom to top."""


def layer(module: str) -> str:
    """The layer of a module path such as ``csmetrics.core.table``."""
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return parts[1]
    return "top"  # csmetrics, csmetrics.cli, csmetrics.__main__


def package(module: str) -> str:
    """The package a private name is private to (``csmetrics.core``, ...)."""
    parts = module.split(".")
    return ".".join(parts[:2]) if layer(module) != "top" else "csmetrics"


def modules() -> dict[str, Path]:
    out = {}
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imports(path: Path) -> list[tuple[str, str, int]]:
    """Each ``(module, name, line)`` a file imports from csmetrics."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("csmetrics"):
            assert node.module is not None
            found += [(node.module, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [
                (alias.name, "", node.lineno)
                for alias in node.names
                if alias.name.startswith("csmetrics")
            ]
    return found


MODULES = modules()


def test_every_module_has_a_layer() -> None:
    assert {layer(m) for m in MODULES} == set(LAYERS)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module: str) -> None:
    here = LAYERS.index(layer(module))
    upward = []
    for target, name, line in imports(MODULES[module]):
        full = f"{target}.{name}" if f"{target}.{name}" in MODULES else target
        if LAYERS.index(layer(full)) > here:
            upward.append(f"line {line}: {full}")
    assert not upward, f"{module} imports from a higher layer: {upward}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_private_names_stay_in_their_package(module: str) -> None:
    leaks = [
        f"line {line}: {target}.{name}"
        for target, name, line in imports(MODULES[module])
        if (name.startswith("_") or any(p.startswith("_") for p in target.split(".")[1:]))
        and package(target) != package(module)
    ]
    assert not leaks, f"{module} imports private names of another package: {leaks}"
