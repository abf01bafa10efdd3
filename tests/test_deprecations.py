"""The renamed options of decision 41: new names work, old ones warn until 0.3.

For every rename: the new name gives the number, the old name gives the same
number with a `DeprecationWarning` that names the new one, and both together
are a TypeError. These are the only tests that use the old names. Then the
mechanism itself (`csmetrics.core.check`): signatures, overloads and the line
warnings point at.
"""

from __future__ import annotations

import inspect
import sys
import typing
import warnings
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import csmetrics
from csmetrics import (
    Interaction,
    KPIReport,
    Outage,
    Sale,
    Survey,
    Window,
    agents_needed,
    cohort_retention,
    erlang_c_service_level,
    kpi_report,
    rating,
    render,
    sales_after_contact,
    uptime,
)
from csmetrics.core.check import RenamedField, keyword_now, renamed
from csmetrics.metrics.team import RatingBreakdown

T = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
JANUARY = Window(start=datetime(2026, 1, 1, tzinfo=timezone.utc), end=T.replace(month=2, day=1))
FEBRUARY = Window(start=JANUARY.end, end=T.replace(month=3, day=1))
WEEK = Window(start=T, end=T + timedelta(days=7))
STAFF = {"calls": 100, "interval_seconds": 1800, "aht_seconds": 180, "target_service_level": 0.8}


def contacts() -> list[Interaction]:
    return [
        Interaction(id="1", customer_id="ann", start=T, end=T + timedelta(hours=1)),
        Interaction(id="2", customer_id="bob", start=T, end=T + timedelta(hours=1)),
        Interaction(id="3", customer_id="ann", start=T.replace(month=1, day=5)),
        Interaction(id="4", customer_id="cy", start=T.replace(month=1, day=6)),
        Interaction(id="5", customer_id="ann", start=T.replace(month=2, day=3)),
    ]


SALES = [Sale(id="s", customer_id="ann", at=T + timedelta(days=2), amount=50.0)]
OUTAGES = [Outage(start=T + timedelta(days=1), end=T + timedelta(days=1, hours=2))]


def ratings() -> list[Survey]:
    stars = {"ann": [5, 5], "bob": [4, 3, 4, 1]}
    return [
        Survey(id=f"{a}{i}", kind="rating", score=s, at=T, agent_id=a)
        for a, scores in stars.items()
        for i, s in enumerate(scores)
    ]


def means() -> Any:
    """A breakdown of means per agent (ratings are means)."""
    return rating(ratings(), method=None)


# Each rename: (call with the new name, call with the old name, call with both).
Call = Callable[[], Any]
RENAMES: dict[str, tuple[str, Call, Call, Call]] = {
    "sales_after_contact(within_days=)": (
        "window_days=",
        lambda: sales_after_contact(contacts(), SALES, window_days=3),
        lambda: sales_after_contact(contacts(), SALES, within_days=3),  # type: ignore[call-overload]
        lambda: sales_after_contact(contacts(), SALES, within_days=3, window_days=3),  # type: ignore[call-overload]
    ),
    "erlang_c_service_level(threshold_seconds=)": (
        "threshold=",
        lambda: erlang_c_service_level(10.0, 14, threshold=20, aht_seconds=180),
        lambda: erlang_c_service_level(10.0, 14, threshold_seconds=20, aht_seconds=180),  # type: ignore[call-arg]
        lambda: erlang_c_service_level(
            10.0,
            14,
            threshold=20,
            threshold_seconds=20,  # type: ignore[call-arg]
            aht_seconds=180,
        ),
    ),
    "agents_needed(threshold_seconds=)": (
        "threshold=",
        lambda: agents_needed(**STAFF, threshold=20),
        lambda: agents_needed(**STAFF, threshold_seconds=20),  # type: ignore[call-arg]
        lambda: agents_needed(**STAFF, threshold=20, threshold_seconds=20),  # type: ignore[call-arg]
    ),
    "cohort_retention(first=)": (
        "baseline=",
        lambda: cohort_retention(contacts(), baseline=JANUARY, current=FEBRUARY),
        lambda: cohort_retention(contacts(), first=JANUARY, current=FEBRUARY),  # type: ignore[call-arg]
        lambda: cohort_retention(contacts(), first=JANUARY, baseline=JANUARY, current=FEBRUARY),  # type: ignore[call-arg]
    ),
    "cohort_retention(second=)": (
        "current=",
        lambda: cohort_retention(contacts(), baseline=JANUARY, current=FEBRUARY),
        lambda: cohort_retention(contacts(), baseline=JANUARY, second=FEBRUARY),  # type: ignore[call-arg]
        lambda: cohort_retention(contacts(), baseline=JANUARY, second=FEBRUARY, current=FEBRUARY),  # type: ignore[call-arg]
    ),
    "uptime(outages, period)": (
        "period=",
        lambda: uptime(OUTAGES, period=WEEK),
        lambda: uptime(OUTAGES, WEEK),  # type: ignore[misc]
        lambda: uptime(OUTAGES, WEEK, period=WEEK),  # type: ignore[misc]
    ),
    "rating(shrinkage=)": (
        "method=",
        lambda: rating(ratings(), method=None),
        lambda: rating(ratings(), shrinkage=None),  # type: ignore[call-overload]
        lambda: rating(ratings(), method=None, shrinkage=None),  # type: ignore[call-overload]
    ),
    "RatingBreakdown.from_means(shrinkage=)": (
        "method=",
        lambda: RatingBreakdown.from_means(means(), method="empirical-bayes"),
        lambda: RatingBreakdown.from_means(means(), shrinkage="empirical-bayes"),  # type: ignore[call-arg]
        lambda: RatingBreakdown.from_means(means(), method=None, shrinkage=None),  # type: ignore[call-arg]
    ),
}


@pytest.mark.parametrize("name", RENAMES)
def test_new_name_works_without_a_warning(name: str):
    _, new, _, _ = RENAMES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        new()


@pytest.mark.parametrize("name", RENAMES)
def test_old_name_gives_the_same_number_and_warns_naming_the_new_one(name: str):
    use, new, old, _ = RENAMES[name]
    expected = new()
    pattern = rf"is deprecated since 0\.2 and will be removed in 0\.3; use {use}"
    with pytest.warns(DeprecationWarning, match=pattern) as caught:
        got = old()
    assert got == expected  # results compare by their counts and parameters
    assert [w.filename for w in caught] == [__file__]


@pytest.mark.parametrize("name", RENAMES)
def test_old_and_new_name_together_are_an_error(name: str):
    _, _, _, both = RENAMES[name]
    with pytest.raises(TypeError, match=r"pass \w+= only"):
        both()


def test_deprecation_message_names_function_old_and_new():
    with pytest.warns(DeprecationWarning, match="within_days") as caught:
        sales_after_contact(contacts(), SALES, within_days=3)  # type: ignore[call-overload]
    assert str(caught[0].message) == (
        "`sales_after_contact(within_days=...)` is deprecated since 0.2 and will be removed "
        "in 0.3; use window_days="
    )


# -- renamed result fields ------------------------------------------------------------------


FIELDS: dict[str, tuple[Call, str, str]] = {
    "SalesAfterContact.within_days": (
        lambda: sales_after_contact(contacts(), SALES, window_days=3),
        "within_days",
        "window_days",
    ),
    "Staffing.threshold_seconds": (
        lambda: agents_needed(**STAFF, threshold=20),
        "threshold_seconds",
        "threshold",
    ),
    "CohortRetention.first": (
        lambda: cohort_retention(contacts(), baseline=JANUARY, current=FEBRUARY),
        "first",
        "baseline",
    ),
    "CohortRetention.second": (
        lambda: cohort_retention(contacts(), baseline=JANUARY, current=FEBRUARY),
        "second",
        "current",
    ),
    "Rating.shrinkage": (lambda: rating(ratings(), by=None), "shrinkage", "method"),
}


@pytest.mark.parametrize("name", FIELDS)
def test_old_field_reads_the_new_one_with_a_warning(name: str):
    make, old, new = FIELDS[name]
    result = make()
    with pytest.warns(DeprecationWarning, match=rf"`{name}` is deprecated .*; use {new}$"):
        value = getattr(result, old)
    assert value == getattr(result, new)


@pytest.mark.parametrize("name", FIELDS)
def test_old_field_is_read_only_and_not_a_field(name: str):
    make, old, new = FIELDS[name]
    result = make()
    with pytest.raises(AttributeError):
        setattr(result, old, getattr(result, new))
    assert old not in {f.name for f in result.__attrs_attrs__}
    assert old not in result.params() if hasattr(result, "params") else True
    assert isinstance(getattr(type(result), old), RenamedField)


# -- render ---------------------------------------------------------------------------------


def report() -> KPIReport:
    rows = kpi_report(contacts(), as_of=T + timedelta(days=30))
    return KPIReport(title="March", rows=tuple(rows))


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json", "csv"])
def test_render_takes_a_report_or_rows(fmt: Any):
    rows = report().rows
    untitled = render(KPIReport(title="", rows=rows), format=fmt)
    assert render(rows, format=fmt) == render(list(rows), format=fmt) == untitled


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json", "csv"])
def test_format_function_warns_and_renders(fmt: str):
    old = getattr(csmetrics, f"format_{fmt}")
    for given in (report(), report().rows):
        with pytest.warns(DeprecationWarning, match=rf'use render\(report, format="{fmt}"\)'):
            text = old(given)
        assert text == render(given, format=fmt)  # type: ignore[arg-type]


# -- the mechanism ----------------------------------------------------------------------------


RENAMED_FUNCTIONS = [
    sales_after_contact,
    erlang_c_service_level,
    agents_needed,
    cohort_retention,
    uptime,
    rating,
    RatingBreakdown.from_means,
]


@pytest.mark.parametrize("func", RENAMED_FUNCTIONS, ids=lambda f: f.__qualname__)
def test_wrapper_keeps_the_signature_and_name(func: Any):
    wrapper = getattr(func, "__func__", func)  # the function under a classmethod
    inner = wrapper.__wrapped__
    assert inspect.signature(wrapper) == inspect.signature(inner)
    assert (wrapper.__qualname__, wrapper.__doc__) == (inner.__qualname__, inner.__doc__)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="typing.get_overloads is new in 3.11")
def test_wrapper_keeps_the_overloads():
    assert len(typing.get_overloads(sales_after_contact)) == 2
    assert len(typing.get_overloads(rating)) == 2


def test_undefined_warning_inside_a_wrapper_points_at_the_caller():
    with pytest.warns(csmetrics.UndefinedMetricWarning) as caught:
        sales_after_contact([], [], window_days=3)
    assert [w.filename for w in caught] == [__file__]
    with pytest.warns(csmetrics.UndefinedMetricWarning) as caught:
        cohort_retention([], baseline=JANUARY, current=FEBRUARY)
    assert [w.filename for w in caught] == [__file__]


def test_renamed_refuses_names_the_function_does_not_have():
    def f(*, new: int = 0) -> int:
        return new

    with pytest.raises(TypeError, match="must take nowhere"):
        renamed(old="nowhere")(f)
    with pytest.raises(TypeError, match="not new"):
        renamed(new="new")(f)


def test_keyword_now_needs_a_keyword_only_parameter():
    def f(a: int, /, b: int = 0) -> int:
        return a + b

    with pytest.raises(TypeError, match="keyword-only"):
        keyword_now("b")(f)


def test_keyword_now_leaves_other_calls_to_the_function():
    with pytest.raises(TypeError):
        uptime(OUTAGES, WEEK, WEEK)  # type: ignore[misc]
    with pytest.raises(TypeError, match="period"):
        uptime(OUTAGES)  # type: ignore[call-arg]
