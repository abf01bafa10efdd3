"""Construction-time validation of the value objects: Interaction, Survey, Window.

Every bad value raises `InvalidDataError` (a `ValueError`) whose message names
the record id, the field and the offending value.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import attrs
import numpy as np
import pytest

import csmetrics
from csmetrics import Interaction, InvalidDataError, Survey, Window

UTC = timezone.utc
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NAIVE = datetime(2026, 3, 2, 9, 0)


def contact(**changes: object) -> Interaction:
    fields: dict[str, object] = {
        "id": "c-1",
        "customer_id": "ann",
        "start": T0,
        "end": T0 + timedelta(minutes=5),
    }
    fields.update(changes)
    return Interaction(**fields)  # type: ignore[arg-type]


def survey(**changes: object) -> Survey:
    fields: dict[str, object] = {"id": "s-1", "kind": "nps", "score": 9, "at": T0}
    fields.update(changes)
    return Survey(**fields)  # type: ignore[arg-type]


def assert_names(info: pytest.ExceptionInfo[InvalidDataError], *parts: str) -> None:
    message = str(info.value)
    for part in parts:
        assert part in message, (part, message)


def test_invalid_data_error_is_a_value_error():
    assert issubclass(InvalidDataError, ValueError)


def test_undefined_metric_warning_is_a_csmetrics_warning():
    assert issubclass(csmetrics.UndefinedMetricWarning, csmetrics.CsmetricsWarning)
    assert issubclass(csmetrics.CsmetricsWarning, UserWarning)


# -- Interaction ----------------------------------------------------------------------------------


def test_valid_interaction():
    c = contact(resolved=True, channel="chat", agent_id=7, issue_id="T1", category="billing")
    assert c.resolved is True
    assert c.agent_id == 7


def test_interaction_is_frozen_and_keyword_only():
    c = contact()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        c.resolved = True  # type: ignore[misc]
    with pytest.raises(TypeError):
        Interaction("c-1", "ann", T0)  # type: ignore[misc]


def test_interaction_naive_start_is_rejected():
    with pytest.raises(InvalidDataError) as info:
        contact(start=NAIVE, end=None)
    assert_names(info, "'c-1'", "'start'", repr(NAIVE.isoformat()), "naive")


def test_interaction_naive_end_is_rejected():
    with pytest.raises(InvalidDataError) as info:
        contact(end=NAIVE + timedelta(hours=1))
    assert_names(info, "'c-1'", "'end'", "naive")


def test_interaction_start_that_is_not_a_datetime_is_rejected():
    with pytest.raises(InvalidDataError) as info:
        contact(start="2026-03-02T09:00Z")
    assert_names(info, "'c-1'", "'start'", "'2026-03-02T09:00Z'")


def test_interaction_end_before_start_is_rejected():
    end = T0 - timedelta(seconds=1)
    with pytest.raises(InvalidDataError) as info:
        contact(end=end)
    assert_names(info, "'c-1'", "'end'", repr(end.isoformat()), "before start")


def test_interaction_end_equal_to_start_is_allowed():
    assert contact(end=T0).end == T0


def test_interaction_end_before_start_compares_instants_across_zones():
    # 10:30 at UTC+2 is 08:30 UTC: before a 09:00 UTC start.
    end = datetime(2026, 3, 2, 10, 30, tzinfo=timezone(timedelta(hours=2)))
    with pytest.raises(InvalidDataError, match="before start"):
        contact(end=end)


@pytest.mark.parametrize("field", ["id", "customer_id"])
@pytest.mark.parametrize("bad", ["", None, True, 1.5])
def test_interaction_required_key_must_be_non_empty_str_or_int(field, bad):
    with pytest.raises(InvalidDataError) as info:
        contact(**{field: bad})
    assert_names(info, f"'{field}'", repr(bad))


def test_interaction_bad_key_names_the_record_id():
    with pytest.raises(InvalidDataError) as info:
        contact(id="c-9", customer_id="")
    assert_names(info, "record 'c-9'", "'customer_id'", "''")


@pytest.mark.parametrize("field", ["channel", "agent_id", "issue_id", "category"])
def test_interaction_optional_empty_string_means_missing(field):
    assert getattr(contact(**{field: ""}), field) is None


@pytest.mark.parametrize("field", ["channel", "agent_id", "issue_id", "category"])
@pytest.mark.parametrize("bad", [True, 2.0, ("a",)])
def test_interaction_optional_key_of_wrong_type_is_rejected(field, bad):
    with pytest.raises(InvalidDataError) as info:
        contact(**{field: bad})
    assert_names(info, "'c-1'", f"'{field}'", repr(bad))


@pytest.mark.parametrize("bad", [1, 0, "yes", None])
def test_interaction_resolved_must_be_a_bool(bad):
    with pytest.raises(InvalidDataError) as info:
        contact(resolved=bad)
    assert_names(info, "'c-1'", "'resolved'", repr(bad))


def test_interaction_open_contact_marked_resolved_is_rejected():
    with pytest.raises(InvalidDataError) as info:
        contact(end=None, resolved=True)
    assert_names(info, "'c-1'", "'resolved'", "True", "open contact")


def test_interaction_open_contact_unresolved_is_allowed():
    c = contact(end=None)
    assert c.end is None
    assert c.resolved is False


def test_interaction_integer_ids_are_allowed():
    c = contact(id=0, customer_id=-5)
    assert (c.id, c.customer_id) == (0, -5)


# -- Survey ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["NPS", "promoter", "", None])
def test_survey_unknown_kind_is_rejected(kind):
    with pytest.raises(InvalidDataError) as info:
        survey(kind=kind)
    assert_names(info, "'s-1'", "'kind'", repr(kind))


def test_survey_naive_time_is_rejected():
    with pytest.raises(InvalidDataError) as info:
        survey(at=NAIVE)
    assert_names(info, "'s-1'", "'at'", "naive")


@pytest.mark.parametrize(
    ("kind", "score", "shown"),
    [
        ("nps", 11, "11"),
        ("nps", -1, "-1"),
        ("csat", 0, "0"),
        ("csat", 6, "6"),
        ("ces", 8, "8"),
        ("rating", 5.5, "5.5"),
    ],
)
def test_survey_score_outside_scale_is_rejected(kind, score, shown):
    with pytest.raises(InvalidDataError) as info:
        survey(kind=kind, score=score)
    assert_names(info, "'s-1'", "'score'", shown, "scale")


def test_survey_non_integer_nps_is_rejected():
    with pytest.raises(InvalidDataError) as info:
        survey(score=8.5)
    assert_names(info, "'s-1'", "'score'", "8.5", "whole number")


def test_survey_whole_number_float_nps_is_accepted():
    assert survey(score=8.0).score == 8.0


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_survey_nan_or_infinite_score_is_rejected(bad):
    with pytest.raises(InvalidDataError) as info:
        survey(kind="csat", score=bad)
    assert_names(info, "'s-1'", "'score'", repr(bad))


@pytest.mark.parametrize("kind", ["nps", "csat", "ces", "rating"])
def test_survey_bool_where_number_expected_is_rejected(kind):
    with pytest.raises(InvalidDataError) as info:
        survey(kind=kind, score=True)
    assert_names(info, "'s-1'", "'score'", "True")


@pytest.mark.parametrize("bad", [1, 0, 1.0, "yes"])
def test_survey_number_where_bool_expected_for_fcr_is_rejected(bad):
    with pytest.raises(InvalidDataError) as info:
        survey(kind="fcr", score=bad)
    assert_names(info, "'s-1'", "'score'", repr(bad), "bool")


def test_survey_text_score_is_rejected():
    with pytest.raises(InvalidDataError) as info:
        survey(score="9")
    assert_names(info, "'s-1'", "'score'", "'9'")


def test_survey_custom_scale():
    s = survey(kind="csat", score=9, scale=(1, 10))
    assert s.effective_scale == (1, 10)
    assert survey(kind="csat", score=3).effective_scale == (1, 5)
    assert survey(kind="fcr", score=True).effective_scale is None


def test_survey_score_outside_custom_scale_is_rejected():
    with pytest.raises(InvalidDataError, match=r"1\.\.3"):
        survey(kind="csat", score=4, scale=(1, 3))


@pytest.mark.parametrize("kind", ["nps", "fcr"])
def test_survey_fixed_scale_kinds_reject_a_scale(kind):
    score = True if kind == "fcr" else 9
    with pytest.raises(InvalidDataError) as info:
        survey(kind=kind, score=score, scale=(0, 10))
    assert_names(info, "'s-1'", "'scale'", "(0, 10)")


@pytest.mark.parametrize("scale", [(5, 1), (1, 1), (1.0, 5.0), (1, 2, 3), (True, 5)])
def test_survey_invalid_scale_is_rejected(scale):
    with pytest.raises(InvalidDataError) as info:
        survey(kind="csat", score=1, scale=scale)
    assert_names(info, "'s-1'", "'scale'")


@pytest.mark.parametrize("field", ["customer_id", "interaction_id", "agent_id"])
def test_survey_optional_keys(field):
    assert getattr(survey(**{field: ""}), field) is None
    assert getattr(survey(**{field: 3}), field) == 3
    with pytest.raises(InvalidDataError) as info:
        survey(**{field: 3.0})
    assert_names(info, f"'{field}'", "3.0")


def test_survey_kinds_constant():
    assert csmetrics.SURVEY_KINDS == ("nps", "csat", "ces", "fcr", "rating")


# -- Window ---------------------------------------------------------------------------------------


def test_window_is_half_open():
    w = Window(start=T0, end=T0 + timedelta(days=1))
    assert T0 in w
    assert T0 + timedelta(hours=23, minutes=59) in w
    assert T0 + timedelta(days=1) not in w
    assert T0 - timedelta(microseconds=1) not in w


def test_window_contains_compares_instants_across_zones():
    w = Window(start=T0, end=T0 + timedelta(hours=1))
    # 11:30 at UTC+2 is 09:30 UTC.
    assert datetime(2026, 3, 2, 11, 30, tzinfo=timezone(timedelta(hours=2))) in w


def test_window_end_not_after_start_is_rejected():
    with pytest.raises(InvalidDataError) as info:
        Window(start=T0, end=T0)
    assert_names(info, "Window", "'end'", "not after start")
    with pytest.raises(InvalidDataError):
        Window(start=T0, end=T0 - timedelta(days=1))


@pytest.mark.parametrize("field", ["start", "end"])
def test_window_naive_bound_is_rejected(field):
    bounds = {"start": T0, "end": T0 + timedelta(days=1)}
    bounds[field] = bounds[field].replace(tzinfo=None)
    with pytest.raises(InvalidDataError) as info:
        Window(**bounds)
    assert_names(info, "Window", f"'{field}'", "naive")


def test_window_equality_and_hash():
    a = Window(start=T0, end=T0 + timedelta(days=1))
    b = Window(start=T0, end=T0 + timedelta(days=1))
    assert a == b
    assert hash(a) == hash(b)


def test_numpy_scalars_from_dataframe_rows_are_accepted():
    at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    contact = csmetrics.Interaction(
        id=np.int64(1), customer_id=np.str_("a"), start=at, end=at, resolved=np.bool_(True)
    )
    assert (contact.id, contact.customer_id, contact.resolved) == (1, "a", True)
    assert type(contact.id) is int
    assert csmetrics.Survey(id="s", kind="nps", score=np.int64(9), at=at).score == 9
