"""Golden numbers: the sample data's KPI report, bit for bit.

``tests/golden/`` holds ``csmetrics report --sample`` in every format and
every number of the `csmetrics.kpi_report` results (`scripts/golden.py`
says what exactly). A number that moves fails here: a change of definition
is made on purpose, with ``python scripts/golden.py --write`` and a
CHANGELOG entry under "Changed definitions" (docs/stability.md).
"""

from __future__ import annotations

import difflib
import importlib.util
import json
import math
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "golden.py"
GOLDEN = Path(__file__).resolve().parent / "golden"


def load_golden_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("golden", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def golden() -> ModuleType:
    return load_golden_script()


@pytest.fixture(scope="module")
def generated(golden: ModuleType) -> dict[str, str]:
    files: dict[str, str] = golden.generate()
    return files


def test_every_golden_file_is_generated(generated: dict[str, str]):
    stored = {path.name for path in GOLDEN.iterdir()}
    assert stored == set(generated)


@pytest.mark.parametrize("name", sorted(path.name for path in GOLDEN.iterdir()))
def test_report_of_the_sample_data_is_unchanged(name: str, generated: dict[str, str]):
    if name.endswith(".html"):
        pytest.importorskip("matplotlib")  # without it the page has a note, not plots
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    if generated[name] != expected:
        diff = "".join(
            list(
                difflib.unified_diff(
                    expected.splitlines(keepends=True),
                    generated[name].splitlines(keepends=True),
                    f"tests/golden/{name}",
                    "now",
                )
            )[:40]
        )
        pytest.fail(
            f"tests/golden/{name} changed. A definition change on purpose? Run "
            "python scripts/golden.py --write and add a CHANGELOG entry under "
            f'"Changed definitions".\n{diff}'
        )


def test_one_bit_of_one_number_is_a_difference(golden: ModuleType, tmp_path: Path):
    files = {name: (GOLDEN / name).read_text(encoding="utf-8") for name in ("results.json",)}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert golden.compare(files, tmp_path) == []
    numbers = json.loads(files["results.json"])
    value = numbers["default"]["ces"]["value"]
    nudged = math.nextafter(value, math.inf)  # the next float: one bit apart
    (tmp_path / "results.json").write_text(
        files["results.json"].replace(repr(value), repr(nudged)), encoding="utf-8"
    )
    assert golden.compare(files, tmp_path) == ["results.json"]


def test_floats_are_stored_with_every_bit(golden: ModuleType):
    numbers = json.loads((GOLDEN / "results.json").read_text(encoding="utf-8"))
    ces = numbers["default"]["ces"]
    # The sample's 290 CES answers add up to 1399 (an exact integer sum).
    assert ces["exact_total"] == "1399/1"
    assert ces["counts"]["n"] == 290
    assert ces["value"] == 1399 / 290


def test_the_report_does_not_depend_on_the_clock_or_the_path(generated: dict[str, str]):
    for name, text in generated.items():
        assert str(Path.cwd()) not in text, name
        assert str(SCRIPT.parents[1]) not in text, name
    scope = json.loads(generated["report.json"])["scope"]
    assert scope["as_of"] == scope["last_start"]
    assert scope["as_of_given"] is False
