"""Hand-computed tests for the survey metrics: nps, csat, ces, survey_fcr."""

from __future__ import annotations

import math
import warnings
from datetime import datetime, timedelta, timezone
from unittest import mock

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import csmetrics
from csmetrics import (
    CES,
    CSAT,
    NPS,
    Breakdown,
    InvalidDataError,
    Survey,
    Surveys,
    UndefinedMetricWarning,
    Window,
    ces,
    csat,
    nps,
    survey_fcr,
)
from csmetrics.core import table as table_module
from csmetrics.core.model import SURVEY_KINDS

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def at(day: float) -> datetime:
    return T0 + timedelta(days=day)


def answer(id: str, kind: str, score: object, day: float = 0, **fields: object) -> Survey:
    return Survey(id=id, kind=kind, score=score, at=at(day), **fields)  # type: ignore[arg-type]


# -- NPS ------------------------------------------------------------------------------------------


def test_nps_six_is_detractor():
    r = nps([6])
    assert (r.promoters, r.passives, r.detractors) == (0, 0, 1)
    assert r.value == -100.0


@pytest.mark.parametrize("score", [7, 8])
def test_nps_seven_and_eight_are_passive(score):
    r = nps([score])
    assert (r.promoters, r.passives, r.detractors) == (0, 1, 0)
    assert r.value == 0.0


@pytest.mark.parametrize("score", [9, 10])
def test_nps_nine_and_ten_are_promoters(score):
    r = nps([score])
    assert (r.promoters, r.passives, r.detractors) == (1, 0, 0)
    assert r.value == 100.0


def test_nps_every_score_from_zero_to_ten():
    # 0..6 detractors (7), 7..8 passives (2), 9..10 promoters (2): 100 * (2 - 7) / 11.
    r = nps(list(range(11)))
    assert (r.promoters, r.passives, r.detractors, r.n) == (2, 2, 7, 11)
    assert r.value == pytest.approx(100 * (2 - 7) / 11, rel=1e-15)


def test_nps_value_formula():
    # 5 promoters, 2 passives, 3 detractors: 100 * (5 - 3) / 10 = 20.
    r = nps([10, 9, 9, 8, 7, 6, 3, 10, 9, 0])
    assert (r.promoters, r.passives, r.detractors) == (5, 2, 3)
    assert r.value == 20.0
    assert float(r) == 20.0


def test_nps_whole_number_floats_are_accepted():
    r = nps([8.0, 9.0, 0.0])
    assert (r.promoters, r.passives, r.detractors) == (1, 1, 1)


def test_nps_numpy_integer_array_is_accepted():
    r = nps(np.array([10, 6, 6], dtype=np.int64))
    assert (r.promoters, r.passives, r.detractors) == (1, 0, 2)


@pytest.mark.parametrize(
    ("bad", "shown"),
    [
        (8.5, "8.5"),
        (11, "11"),
        (-1, "-1"),
        (True, "True"),
        (math.inf, "inf"),
        ("9", "'9'"),
    ],
)
def test_nps_invalid_plain_score_names_position_field_and_value(bad, shown):
    with pytest.raises(InvalidDataError) as info:
        nps([9, 10, bad])
    message = str(info.value)
    assert "position 2" in message
    assert "'score'" in message
    assert shown in message


@pytest.mark.parametrize("bad", [8.5, 11, -1, True, math.nan, "9"])
def test_nps_invalid_survey_score_names_record_field_and_value(bad):
    with pytest.raises(InvalidDataError) as info:
        Survey(id="resp-7", kind="nps", score=bad, at=T0)  # type: ignore[arg-type]
    message = str(info.value)
    assert "'resp-7'" in message
    assert "'score'" in message
    assert repr(bad) in message


def test_invalid_data_error_is_a_value_error():
    with pytest.raises(ValueError, match="score"):
        nps([12])


def test_nps_survey_with_a_scale_is_rejected():
    with pytest.raises(InvalidDataError, match="scale"):
        Survey(id="a", kind="nps", score=9, at=T0, scale=(1, 10))


# -- CSAT -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scale", "expected"),
    [
        ((1, 2), 2),  # top box up to 3 points
        ((1, 3), 3),
        ((0, 1), 1),  # Zendesk good / bad
        ((1, 4), 3),  # top two boxes for 4 to 7 points
        ((1, 5), 4),
        ((1, 7), 6),
        ((1, 8), 6),  # top three from 8 points
        ((0, 10), 8),
        ((1, 10), 8),
    ],
)
def test_csat_default_satisfied_from_per_scale_size(scale, expected):
    low, high = scale
    r = csat(list(range(low, high + 1)), scale=scale)
    assert r.satisfied_from == expected
    assert r.scale == scale
    assert r.numerator == high - expected + 1
    assert r.denominator == high - low + 1


def test_csat_five_point_scale_counts_four_and_five():
    r = csat([5, 4, 4, 3, 1])
    assert (r.numerator, r.denominator) == (3, 5)
    assert float(r) == 0.6
    assert r.percent == pytest.approx(60.0)


def test_csat_explicit_satisfied_from():
    r = csat([5, 4, 3, 3, 2, 1], satisfied_from=3)
    assert (r.numerator, r.denominator, r.satisfied_from) == (4, 6, 3)


def test_csat_satisfied_from_between_scale_points():
    # 4.5 on 1..5 counts only the 5s.
    r = csat([5, 4, 5, 1], satisfied_from=4.5)
    assert (r.numerator, r.denominator) == (2, 4)


def test_csat_zendesk_good_bad_as_zero_one_scale():
    r = csat([1, 0, 1, 1], scale=(0, 1))
    assert (r.numerator, r.denominator) == (3, 4)
    assert float(r) == 0.75


@pytest.mark.parametrize("satisfied_from", [0, 6, True, math.nan])
def test_csat_satisfied_from_outside_scale_is_rejected(satisfied_from):
    with pytest.raises(ValueError, match="satisfied_from"):
        csat([5], satisfied_from=satisfied_from)


@pytest.mark.parametrize("scale", [(5, 1), (3, 3), (1.0, 5), (1, 5, 7), [1, 5], (True, 5)])
def test_csat_invalid_scale_option_is_rejected(scale):
    with pytest.raises(ValueError, match="scale"):
        csat([3], scale=scale)


@pytest.mark.parametrize("bad", [0, 6, 4.0 + math.inf, True])
def test_csat_score_outside_scale_is_rejected(bad):
    with pytest.raises(InvalidDataError) as info:
        csat([5, bad])
    assert "position 1" in str(info.value)
    assert "'score'" in str(info.value)


def test_csat_non_integer_score_on_scale_is_accepted():
    # Only NPS requires whole numbers; an averaged CSAT answer is on the scale.
    r = csat([4.5, 3.5])
    assert (r.numerator, r.denominator) == (1, 2)


def test_csat_survey_with_different_scale_than_metric_is_rejected():
    answers = [
        answer("a", "csat", 5),
        answer("b", "csat", 9, scale=(1, 10)),
    ]
    with pytest.raises(InvalidDataError) as info:
        csat(answers)
    message = str(info.value)
    assert "'b'" in message
    assert "'scale'" in message
    assert "(1, 10)" in message


def test_csat_survey_scale_matching_metric_scale_is_used():
    answers = [answer("a", "csat", 9, scale=(1, 10)), answer("b", "csat", 7, scale=(1, 10))]
    r = csat(answers, scale=(1, 10))
    assert (r.numerator, r.denominator, r.satisfied_from) == (1, 2, 8)


def test_csat_survey_default_scale_written_out_equals_none():
    answers = [answer("a", "csat", 4, scale=(1, 5)), answer("b", "csat", 2)]
    assert csat(answers).counts() == {"numerator": 1, "denominator": 2, "missing": 0}


# -- CES ------------------------------------------------------------------------------------------


def test_ces_mean_and_sample_std():
    # Mean 25 / 5 = 5; deviations 2, 1, 0, 1, -4: squares sum to 22, std = sqrt(22 / 4).
    r = ces([7, 6, 5, 6, 1])
    assert isinstance(r, CES)
    assert r.n == 5
    assert r.value == 5.0
    assert r.m2 == pytest.approx(22.0, rel=1e-12)
    assert r.std == pytest.approx(math.sqrt(5.5), rel=1e-12)
    assert r.total == pytest.approx(25.0)


def test_ces_single_answer_has_nan_std():
    r = ces([4])
    assert r.value == 4.0
    assert math.isnan(r.std)


def test_ces_higher_is_easier_is_recorded_and_value_not_flipped():
    r = ces([1, 2, 2], scale=(1, 5), higher_is_easier=False)
    assert r.higher_is_easier is False
    assert r.scale == (1, 5)
    assert r.value == pytest.approx(5 / 3)
    assert ces([1, 2, 2], scale=(1, 5)).higher_is_easier is True


def test_ces_default_scale_is_one_to_seven():
    assert ces([7]).scale == (1, 7)
    with pytest.raises(InvalidDataError, match="position 0"):
        ces([8])


@pytest.mark.parametrize("flag", [1, "yes", None])
def test_ces_higher_is_easier_must_be_a_bool(flag):
    with pytest.raises(ValueError, match="higher_is_easier"):
        ces([3], higher_is_easier=flag)


# -- survey FCR -----------------------------------------------------------------------------------


def test_survey_fcr_counts_yes_answers():
    r = survey_fcr([True, True, False, True])
    assert (r.numerator, r.denominator) == (3, 4)
    assert r.metric == "survey_fcr"
    assert float(r) == 0.75


def test_survey_fcr_numpy_bool_array():
    r = survey_fcr(np.array([True, False, False]))
    assert (r.numerator, r.denominator) == (1, 3)


@pytest.mark.parametrize("bad", [1, 0, 1.0, "yes"])
def test_survey_fcr_rejects_non_bool_answer(bad):
    with pytest.raises(InvalidDataError) as info:
        survey_fcr([True, bad])
    assert "position 1" in str(info.value)
    assert "'score'" in str(info.value)


def test_survey_fcr_numeric_numpy_array_is_rejected():
    with pytest.raises(InvalidDataError, match="score"):
        survey_fcr(np.array([1, 0, 1]))


@pytest.mark.parametrize("bad", [1, 0.0])
def test_fcr_survey_number_where_bool_expected_is_rejected(bad):
    with pytest.raises(InvalidDataError) as info:
        answer("q1", "fcr", bad)
    assert "'q1'" in str(info.value)
    assert "'score'" in str(info.value)


def test_survey_fcr_from_survey_records():
    answers = [answer("a", "fcr", True), answer("b", "fcr", False), answer("c", "fcr", False)]
    r = survey_fcr(answers)
    assert (r.numerator, r.denominator) == (1, 3)


# -- mixed kinds, period, by ----------------------------------------------------------------------


MIXED = [
    answer("n1", "nps", 10, agent_id="amy"),
    answer("n2", "nps", 3, agent_id="bob"),
    answer("n3", "nps", 8),
    answer("c1", "csat", 5, agent_id="amy"),
    answer("c2", "csat", 2, agent_id="amy"),
    answer("e1", "ces", 6, agent_id="bob"),
    answer("e2", "ces", 2, agent_id="bob"),
    answer("f1", "fcr", True, agent_id="amy"),
    answer("r1", "rating", 1, agent_id="amy"),
]


def test_mixed_kinds_each_metric_uses_its_own_kind():
    n = nps(MIXED)
    assert (n.promoters, n.passives, n.detractors) == (1, 1, 1)
    c = csat(MIXED)
    assert (c.numerator, c.denominator) == (1, 2)
    e = ces(MIXED)
    assert (e.n, e.value) == (2, 4.0)
    f = survey_fcr(MIXED)
    assert (f.numerator, f.denominator) == (1, 1)


def test_mixed_kinds_from_a_surveys_table_match_the_records():
    table = Surveys.from_records(MIXED)
    assert nps(table) == nps(MIXED)
    assert csat(table) == csat(MIXED)
    assert survey_fcr(table) == survey_fcr(MIXED)


def test_mixed_kinds_without_own_kind_is_undefined():
    only_nps = [answer("n1", "nps", 10)]
    with pytest.warns(UndefinedMetricWarning, match="csat"):
        r = csat(only_nps)
    assert (r.numerator, r.denominator) == (0, 0)


def test_period_keeps_answers_in_half_open_window():
    micro = timedelta(microseconds=1)
    answers = [
        Survey(id="before", kind="nps", score=0, at=at(0) - micro),
        Survey(id="at-start", kind="nps", score=10, at=at(0)),
        Survey(id="inside", kind="nps", score=8, at=at(3)),
        Survey(id="last-microsecond", kind="nps", score=9, at=at(7) - micro),
        Survey(id="at-end", kind="nps", score=0, at=at(7)),
    ]
    window = Window(start=at(0), end=at(7))
    r = nps(answers, period=window)
    # "at-start" and "last-microsecond" (promoters), "inside" (passive); the end is excluded.
    assert (r.promoters, r.passives, r.detractors) == (2, 1, 0)
    assert r.period == window


def test_period_compares_instants_across_time_zones():
    # 10:00 at UTC+2 is 08:00 UTC, before a window starting 09:00 UTC.
    plus_two = timezone(timedelta(hours=2))
    answers = [
        Survey(id="a", kind="csat", score=5, at=datetime(2026, 3, 2, 10, tzinfo=plus_two)),
        Survey(id="b", kind="csat", score=1, at=datetime(2026, 3, 2, 12, tzinfo=plus_two)),
    ]
    r = csat(answers, period=Window(start=T0, end=at(1)))
    assert (r.numerator, r.denominator) == (0, 1)


def test_period_must_be_a_period():
    with pytest.raises(TypeError, match="period=7 is not allowed"):
        nps(MIXED, period=7)  # type: ignore[arg-type]
    assert nps(MIXED, period=(at(0), at(1))) == nps(MIXED, period=Window(start=at(0), end=at(1)))


def test_by_agent_breakdown_ordered_by_key_with_missing_last():
    answers = [
        answer("1", "nps", 10, agent_id="zoe"),
        answer("2", "nps", 0),
        answer("3", "nps", 9, agent_id="amy"),
        answer("4", "nps", 7, agent_id="amy"),
        answer("5", "nps", 6, agent_id="bob", customer_id="c1"),
    ]
    r = nps(answers, by="agent_id")
    assert isinstance(r, Breakdown)
    assert list(r) == ["amy", "bob", "zoe", None]
    assert (r["amy"].promoters, r["amy"].passives, r["amy"].detractors) == (1, 1, 0)
    assert r["amy"].value == 50.0
    assert r["bob"].value == -100.0
    assert r[None].value == -100.0
    assert r.overall.value == pytest.approx(100 * (2 - 2) / 5)


def test_by_agent_to_rows_format():
    answers = [
        answer("1", "csat", 5, agent_id="amy"),
        answer("2", "csat", 1, agent_id="amy"),
        answer("3", "csat", 4),
    ]
    rows = csat(answers, by="agent_id").to_rows()
    assert rows == [
        {
            "agent_id": "amy",
            "value": 0.5,
            "numerator": 1,
            "denominator": 2,
            "missing": 0,
            "reliable": False,
        },
        {
            "agent_id": None,
            "value": 1.0,
            "numerator": 1,
            "denominator": 1,
            "missing": 0,
            "reliable": False,
        },
    ]


def test_by_integer_keys_sorted_numerically():
    answers = [answer(str(i), "fcr", i % 2 == 0, agent_id=agent) for i, agent in enumerate([10, 9])]
    r = survey_fcr(answers, by="agent_id")
    assert list(r) == [9, 10]


def test_by_customer_and_interaction():
    answers = [
        answer("1", "nps", 10, customer_id="c1", interaction_id="i1"),
        answer("2", "nps", 0, customer_id="c1", interaction_id="i2"),
    ]
    assert list(nps(answers, by="customer_id")) == ["c1"]
    assert list(nps(answers, by="interaction_id")) == ["i1", "i2"]


def test_by_unknown_field_is_rejected():
    with pytest.raises(ValueError, match="by="):
        nps(MIXED, by="channel")


def test_ces_breakdown_per_group_mean_and_std():
    answers = [
        answer("1", "ces", 7, agent_id="amy"),
        answer("2", "ces", 5, agent_id="amy"),
        answer("3", "ces", 1, agent_id="bob"),
    ]
    r = ces(answers, by="agent_id")
    assert r["amy"].value == 6.0
    assert r["amy"].std == pytest.approx(math.sqrt(2.0))
    assert r["bob"].n == 1
    assert r.overall.value == pytest.approx(13 / 3)


@pytest.mark.parametrize("func", [nps, csat, ces, survey_fcr])
def test_plain_scores_with_period_is_rejected(func):
    with pytest.raises(ValueError, match="plain scores"):
        func([True] if func is survey_fcr else [5], period=Window(start=at(0), end=at(1)))


@pytest.mark.parametrize("func", [nps, csat, ces, survey_fcr])
def test_plain_scores_with_by_is_rejected(func):
    with pytest.raises(ValueError, match="plain scores"):
        func([True] if func is survey_fcr else [5], by="agent_id")


def test_survey_records_mixed_with_plain_scores_are_rejected():
    with pytest.raises(InvalidDataError, match="position 1"):
        nps([answer("a", "nps", 9), 9])


# -- empty and undefined --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("func", "cls"), [(nps, NPS), (csat, CSAT), (ces, CES), (survey_fcr, csmetrics.Rate)]
)
def test_empty_input_is_nan_with_zero_counts_and_warning(func, cls):
    with pytest.warns(UndefinedMetricWarning, match="undefined") as caught:
        r = func([])
    assert len(caught) == 1
    assert "simplefilter" in str(caught[0].message)
    assert isinstance(r, cls)
    assert math.isnan(r.value)
    assert not r.is_defined
    assert all(v == 0 for k, v in r.counts().items() if k != "mean")


def test_period_with_no_answers_is_undefined():
    window = Window(start=at(100), end=at(101))
    with pytest.warns(UndefinedMetricWarning):
        r = nps(MIXED, period=window)
    assert r.n == 0
    assert math.isnan(float(r))


def test_undefined_warning_can_be_silenced():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        assert math.isnan(nps([]).value)


def test_empty_list_with_by_gives_empty_breakdown():
    with pytest.warns(csmetrics.UndefinedMetricWarning):
        result = csmetrics.nps([], by="agent_id")
    assert len(result) == 0
    assert result.overall.n == 0


# -- missing plain scores -------------------------------------------------------------------------


@pytest.mark.parametrize("gone", [None, math.nan, np.nan], ids=["None", "nan", "np.nan"])
def test_missing_plain_scores_are_counted_not_scored(gone):
    # 10, 9: promoters; 3: detractor; the missing answer is in no bucket.
    r = nps([10, gone, 9, 3])
    assert (r.promoters, r.passives, r.detractors, r.missing) == (2, 0, 1, 1)
    assert r.value == pytest.approx(100 * (2 - 1) / 3)
    c = csat([5, gone, 2])
    assert (c.numerator, c.denominator, c.missing) == (1, 2, 1)
    e = ces([7, gone, 5])
    assert (e.n, e.mean, e.missing) == (2, 6.0, 1)
    f = survey_fcr([True, gone, False, True])
    assert (f.numerator, f.denominator, f.missing) == (2, 3, 1)


def test_only_missing_scores_are_undefined_and_say_so():
    with pytest.warns(csmetrics.UndefinedMetricWarning):
        r = nps([None, math.nan])
    assert (r.missing, r.promoters + r.passives + r.detractors) == (2, 0)
    assert math.isnan(r.value)


def test_missing_counts_merge():
    merged = nps([10, None]).merge(nps([None, None, 0]))
    assert (merged.promoters, merged.detractors, merged.missing) == (1, 1, 3)


def test_a_rating_is_required():
    with pytest.raises(InvalidDataError, match=r"position 1.*'score'.*rating is required"):
        csmetrics.rating([4, None], by=None)


@st.composite
def _score_rows(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Scores of every kind on valid scales (the defaults for nps and fcr), valid or not."""
    n = draw(st.integers(min_value=0, max_value=30))
    codes = draw(st.lists(st.integers(0, len(SURVEY_KINDS) - 1), min_size=n, max_size=n))
    kinds = np.array(codes, dtype=np.int64)
    low, high = table_module._LOW[kinds], table_module._HIGH[kinds]
    free = ~table_module._WHOLE_SCORES[kinds]
    if free.any():  # other kinds may have their own scale
        low = np.where(free, draw(st.integers(-3, 3)), low)
        high = np.where(free, low + draw(st.integers(1, 9)), high)
    special = st.sampled_from([np.nan, np.inf, -np.inf, -0.0, 0.5, 1.0, 10.0, 11.0, -1.0])
    scores = draw(st.lists(st.one_of(special, st.floats(-12, 12)), min_size=n, max_size=n))
    return np.array(scores, dtype=np.float64), kinds, low, high


@given(rows=_score_rows(), block=st.sampled_from([1, 3, 1 << 16]))
def test_the_first_bad_score_is_the_one_every_rule_names(rows, block):
    """The blocked check names the row the rules, written one by one, find first."""
    score, kind, low, high = rows
    nps, fcr = SURVEY_KINDS.index("nps"), SURVEY_KINDS.index("fcr")
    bad = ~np.isfinite(score) | (score < low) | (score > high)
    bad |= (kind == nps) & (score != np.floor(score))
    bad |= (kind == fcr) & (score != 0) & (score != 1)
    expected = int(np.argmax(bad)) if bad.any() else None
    with mock.patch.object(table_module, "_ENCODE_BLOCK", block):
        assert table_module._first_bad_score(score, kind, low, high) == expected
