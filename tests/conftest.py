"""Hypothesis settings profiles for the csmetrics tests.

``default`` is what ``pytest`` runs with no environment variable set, as the
README's test command and CI run it: derandomized, so every run on every
machine tries the same examples and a failure reproduces. ``explore`` draws
fresh random examples, ten times as many (or ``HYPOTHESIS_EXAMPLES`` of
them), for the periodic search for new failures (``HYPOTHESIS_PROFILE=explore
pytest``, or ``scripts/explore`` over many seeds). ``fuzz`` is the long run of the fuzz
tests (``HYPOTHESIS_PROFILE=fuzz pytest -m fuzz``, 10,000 examples per test
or ``HYPOTHESIS_EXAMPLES``). All print the
reproduction blob of a failure, so a report can be replayed with
``@reproduce_failure``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# tests/typing is checked by `mypy --strict tests/typing`, never run.
collect_ignore = ["typing"]

SLOW_FILES = frozenset({"test_properties.py", "test_time_properties.py"})
"""Files of property tests: every test in them is slow."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the property tests ``slow``, so ``pytest -m "not slow"`` is a quick check."""
    for item in items:
        drawn = getattr(getattr(item, "obj", None), "is_hypothesis_test", False)
        if item.path.name in SLOW_FILES or drawn:
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """Run named test files in this process, everything else on every logical core.

    ``pytest`` runs with ``-n logical`` (pyproject.toml's addopts), which asks
    this hook for the number of worker processes. Each worker imports the
    libraries and collects the tests itself, seconds of CPU that a whole run
    wins back many times over but a test file or two does not. So a command
    line that names only files or single tests (``pytest tests/test_stats.py``,
    ``pytest tests/test_io.py::test_x``) runs them in this process; the plain
    ``pytest``, a directory or a marker selection use every logical core. An
    explicit ``-n N`` (or ``PYTEST_XDIST_AUTO_NUM_WORKERS``) decides instead.
    """
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # pytest-xdist reads it
    named = config.args_source is pytest.Config.ArgsSource.ARGS
    if named and all(Path(arg.split("::")[0]).is_file() for arg in config.args):
        return 0
    return None  # pytest-xdist: the number of logical cores


# Strategies draw whole lists of records per example; generation is the slow
# part, not the metric, so the too_slow check only adds noise here.
_COMMON = {
    "deadline": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow],
}

settings.register_profile("default", max_examples=100, derandomize=True, **_COMMON)
# A profile registered without a parent inherits from the current default
# profile, which is now the derandomized one above: explore must turn
# derandomization off explicitly, or every seed tries the same examples.
settings.register_profile(
    "explore",
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "1000")),
    derandomize=False,
    **_COMMON,
)
# The long fuzz run (tests/test_fuzz.py, `HYPOTHESIS_PROFILE=fuzz pytest -m fuzz`):
# fresh random examples, 10,000 per test unless HYPOTHESIS_EXAMPLES says otherwise.
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "10000")),
    derandomize=False,
    **_COMMON,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
