"""The metric catalogue: every public metric has one entry, and the entry is right."""

from __future__ import annotations

import importlib.util
import inspect
import re
from pathlib import Path

import pytest

import csmetrics
from csmetrics import catalog


def public_metrics() -> set[str]:
    """The public functions defined in a `csmetrics.metrics` family module."""
    return {
        name
        for name in csmetrics.__all__
        if inspect.isfunction(func := getattr(csmetrics, name))
        and func.__module__.startswith("csmetrics.metrics.")
    }


def test_every_public_metric_has_one_entry():
    assert set(catalog.names()) == public_metrics()
    assert len(catalog.names()) == len(set(catalog.names()))


@pytest.mark.parametrize("name", catalog.names())
def test_entry_describes_its_function(name: str):
    entry = catalog.get(name)
    assert entry.function is getattr(csmetrics, name)
    assert entry.function.__module__ == f"csmetrics.metrics.{entry.family}"
    signature = inspect.signature(entry.function)
    assert set(entry.defaults()) <= set(entry.sources), "every default names its source"
    assert set(entry.sources) <= set(signature.parameters)
    returns = str(signature.return_annotation)
    assert entry.result.__name__ in re.findall(r"\w+", returns)
    assert entry.meaning.endswith(".")
    assert entry.partition in ((), ("period",)) or entry.input in ("contacts", "sales")
    assert entry.partition != ("period",) or entry.input == "outages"


def test_defaults_are_read_from_the_signature():
    assert catalog.get("fcr").defaults() == {
        "window_days": 7,
        "match": "issue",
        "as_of": None,
        "period": None,
        "by": None,
    }
    assert "threshold" not in catalog.get("service_level").defaults()  # required, no default


def test_unknown_name_is_refused_with_the_names():
    with pytest.raises(ValueError, match=r"name='fcrr'.*'fcr'"):
        catalog.get("fcrr")


def test_entries_are_frozen():
    with pytest.raises(AttributeError):
        catalog.get("fcr").direction = "lower"  # type: ignore[misc]
    with pytest.raises(TypeError):
        catalog.get("fcr").sources["x"] = "y"  # type: ignore[index]


@pytest.mark.parametrize(
    ("result", "direction"),
    [
        (csmetrics.nps([10, 9, 3]), "higher"),
        (csmetrics.ces([2, 3], higher_is_easier=False), "lower"),
        (csmetrics.ces([6, 7]), "higher"),
        (csmetrics.Rate(numerator=1, denominator=2, metric="reopen_rate"), "lower"),
        (csmetrics.Durations(durations=[60.0], metric="full_resolution_time"), "lower"),
        (csmetrics.Rate(numerator=1, denominator=2), None),
    ],
)
def test_direction_of_a_result(result: object, direction: str | None):
    assert catalog.direction_of(result) == direction


def load_index_script():
    path = Path(__file__).resolve().parents[1] / "scripts" / "metric_index.py"
    if not path.exists():
        pytest.skip("scripts/metric_index.py is not part of this checkout")
    spec = importlib.util.spec_from_file_location("metric_index", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_metric_has_a_docs_page():
    pages = load_index_script().pages()
    assert set(catalog.names()) <= set(pages), set(catalog.names()) - set(pages)


def test_the_docs_metric_index_is_the_catalogue():
    assert load_index_script().main(["--check"]) == 0, "run python scripts/metric_index.py"
