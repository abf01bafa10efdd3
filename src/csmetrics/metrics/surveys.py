"""Survey metrics: NPS, CSAT, CES and survey-based FCR.

- `nps`: Net Promoter Score in [-100, 100]; higher is better.
- `csat`: share of satisfied answers, a fraction in [0, 1]; higher is better.
- `ces`: mean customer effort score on its scale; higher is better with the
  default 1..7 agreement scale ("the company made it easy"), lower is better
  with the older 1..5 effort scale (``higher_is_easier=False``).
- `survey_fcr`: share of customers who say their issue was resolved at first
  contact, a fraction in [0, 1]; higher is better.

Inputs: every function takes the answers as

- plain scores: a list, a numpy array, a pandas or polars Series, or a
  pyarrow Array or ChunkedArray (None, nan or a null is a missing answer,
  counted in ``missing``), so ``df.groupby("agent_id")["score"].agg(csmetrics.nps)``
  works;
- `Survey` objects (a list or any iterable);
- a `Surveys` table, the columnar form for large data;
- with the ``frames`` extra (``pip install "csmetrics[frames]"``), a pandas,
  polars or pyarrow table or a DuckDB relation whose columns are named like
  the `Survey` fields.

``period=`` and ``by=`` need the answers' fields, so not plain scores. Given
answers of several kinds, each metric uses its own kind.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import partial
from typing import Any, ClassVar, Literal, overload

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics.core.check import bad_record, finite, one_dimensional, shown, takes_tables
from csmetrics.core.frames import is_frame, series_values
from csmetrics.core.model import (
    SURVEY_KINDS,
    PeriodLike,
    Survey,
    check_scale,
    score_type_error,
    score_type_ok,
)
from csmetrics.core.reduce import (
    group_of,
    in_period,
    reduce_counts,
    reduce_mean,
    warn_if_undefined,
)
from csmetrics.core.results import MIN_N, Breakdown, Mean, Rate, Result, check_count
from csmetrics.core.stats import ConfidenceInterval, nps_interval
from csmetrics.core.table import Encoded, Surveys

__all__ = [
    "CES",
    "CSAT",
    "NPS",
    "SurveyBy",
    "SurveyData",
    "SurveyFCR",
    "ces",
    "csat",
    "nps",
    "survey_fcr",
]

F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]
SurveyBy = Literal["agent_id", "customer_id", "interaction_id"]
"""Survey fields a survey metric can break down by."""
SURVEY_BY: tuple[SurveyBy, ...] = ("agent_id", "customer_id", "interaction_id")
SurveyData = Surveys | Iterable[Survey] | Iterable[float | None] | npt.ArrayLike
"""Plain scores (a list, array, or pandas, polars or pyarrow series; None or
nan for a missing answer), `Survey` objects, or a `Surveys` table."""


# -- results -----------------------------------------------------------------------------------


@attrs.frozen(order=False, kw_only=True, repr=False)
class CSAT(Rate):
    """Customer satisfaction: satisfied answers / answers.

    ``missing`` counts plain scores given as missing (None, nan, null): not
    answers, so not in the denominator.
    """

    _counts: ClassVar[tuple[str, ...]] = ("numerator", "denominator", "missing")
    _params: ClassVar[tuple[str, ...]] = ("metric", "scale", "satisfied_from")

    scale: tuple[int, int]
    satisfied_from: float
    metric: str = "csat"
    missing: int = attrs.field(default=0, validator=check_count)


@attrs.frozen(order=False, kw_only=True, repr=False)
class NPS(Result):
    """Net Promoter Score: ``100 * (promoters - detractors) / n``, in [-100, 100].

    ``missing`` counts plain scores given as missing (None, nan, null): not
    answers, so not in ``n``.
    """

    _counts: ClassVar[tuple[str, ...]] = ("promoters", "passives", "detractors", "missing")
    _unit: ClassVar[str] = "points"

    promoters: int = attrs.field(validator=check_count)
    passives: int = attrs.field(validator=check_count)
    detractors: int = attrs.field(validator=check_count)
    missing: int = attrs.field(default=0, validator=check_count)

    @property
    def n(self) -> int:
        """Number of answers."""
        return self.promoters + self.passives + self.detractors

    @property
    def sample_size(self) -> int:
        """The number of answers."""
        return self.n

    @property
    def default_min_n(self) -> int:
        """``MIN_N["nps"]``."""
        return MIN_N["nps"]

    @property
    def value(self) -> float:
        """NPS in [-100, 100]; nan when there are no answers."""
        return 100 * (self.promoters - self.detractors) / self.n if self.n else math.nan

    def ci(self, *, confidence_level: float = 0.95) -> ConfidenceInterval:
        """Confidence interval; see `csmetrics.core.stats.nps_interval`."""
        return nps_interval(
            self.promoters,
            self.passives,
            self.detractors,
            confidence_level=confidence_level,
        )


@attrs.frozen(order=False, kw_only=True, repr=False)
class CES(Mean):
    """Customer effort score: the mean answer on the effort scale.

    ``missing`` counts plain scores given as missing (None, nan, null): not
    answers, so not in ``n``.
    """

    _counts: ClassVar[tuple[str, ...]] = ("n", "mean", "m2", "missing")
    _params: ClassVar[tuple[str, ...]] = ("metric", "scale", "higher_is_easier")

    scale: tuple[int, int]
    higher_is_easier: bool
    metric: str = "ces"
    missing: int = attrs.field(default=0, validator=check_count)


@attrs.frozen(order=False, kw_only=True, repr=False)
class SurveyFCR(Rate):
    """Survey-based FCR: 'yes' answers / answers.

    ``missing`` counts plain answers given as missing (None, nan, null): not
    answers, so not in the denominator.
    """

    _counts: ClassVar[tuple[str, ...]] = ("numerator", "denominator", "missing")

    metric: str = "survey_fcr"
    missing: int = attrs.field(default=0, validator=check_count)


# -- metrics -----------------------------------------------------------------------------------


_MISSING_TYPES = frozenset({"NoneType", "NAType", "NaTType"})
"""Types of a missing value: None, pandas' NA and NaT (nan is checked apart)."""


def _missing(items: Any) -> Bool:
    """Where plain scores are missing: None, nan, pandas' NA or NaT."""
    if isinstance(items, np.ndarray) and items.dtype.kind == "f":
        return np.isnan(items.reshape(-1))
    values = items.tolist() if isinstance(items, np.ndarray) else items
    return np.fromiter(
        (
            type(v).__name__ in _MISSING_TYPES
            or (isinstance(v, (float, np.floating)) and math.isnan(v))
            for v in values
        ),
        dtype=bool,
        count=len(values),
    )


def _plain_scores(items: Any, kind: str, scale: tuple[int, int] | None) -> F64:
    """Validate plain scores (no records) for a kind and scale; missing ones become nan."""
    missing = _missing(items)
    if isinstance(items, np.ndarray) and items.dtype != object:
        if not score_type_ok(kind, items.dtype.type):
            bad_record("column", "score", items.dtype, score_type_error(kind))
        arr = items.reshape(-1).astype(np.float64)
    else:
        values = items.tolist() if isinstance(items, np.ndarray) else items
        given = [v for v, gone in zip(values, missing, strict=True) if not gone]
        if not all(score_type_ok(kind, cls) for cls in set(map(type, given))):
            row = next(
                i
                for i, v in enumerate(values)
                if not missing[i] and not score_type_ok(kind, type(v))
            )
            bad_record(f"at position {row}", "score", values[row], score_type_error(kind))
        arr = np.full(len(values), np.nan)
        try:
            arr[~missing] = np.asarray(given, dtype=bool if kind == "fcr" else np.float64)
        except OverflowError:  # an int beyond float64: off any scale
            row = next(i for i, v in enumerate(values) if isinstance(v, int) and abs(v) > 2**1023)
            bad_record(f"at position {row}", "score", values[row], f"off the {kind} scale")
    if scale is None:  # "fcr" answers: bools, nothing more to check
        return arr
    bad = ~missing & (np.isinf(arr) | (arr < scale[0]) | (arr > scale[1]))
    if kind == "nps":
        bad |= ~missing & (arr != np.floor(arr))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        why = f"not a valid {kind} score on the scale {scale[0]}..{scale[1]}"
        shown = items[row] if isinstance(items, np.ndarray) else list(items)[row]
        bad_record(f"at position {row}", "score", shown, why)
    return arr


def _answers(
    data: SurveyData,
    kind: str,
    scale: tuple[int, int] | None,
    period: PeriodLike | None,
    by: SurveyBy | None,
) -> tuple[F64, Encoded | None]:
    """Scores of one kind, filtered by period, with the ``by=`` group column.

    Plain scores (a list, array or series) may have missing values, given as
    nan; a table's scores never do.
    """
    series = series_values(data)
    if series is not None:
        data = series
    elif is_frame(data):
        data = Surveys.from_frame(data)
    if not isinstance(data, Surveys):
        items: Any = data if isinstance(data, np.ndarray) else list(data)  # type: ignore[arg-type]
        one_dimensional("scores", items)
        if len(items) and not isinstance(items[0], Survey):
            if period is not None or by is not None:
                msg = "period= and by= need Survey records or a Surveys table, not plain scores"
                raise ValueError(msg)
            return _plain_scores(items, kind, scale), None
        data = Surveys.from_records(items)  # each item is checked to be a Survey
    rows = np.flatnonzero(data.kind == SURVEY_KINDS.index(kind))
    if scale is not None:
        off = (data.scale_low[rows] != scale[0]) | (data.scale_high[rows] != scale[1])
        if off.any():
            row = int(rows[np.flatnonzero(off)[0]])
            record = data.id.key(int(data.id.codes[row]))
            found = (int(data.scale_low[row]), int(data.scale_high[row]))
            bad_record(repr(record), "scale", found, f"differs from the metric's scale {scale}")
    group = group_of(data, by, SURVEY_BY)
    keep = rows[in_period(data.at[rows], period)]
    return data.score[keep], None if group is None else group[keep]


@overload
def nps(
    data: SurveyData,
    /,
    *,
    period: PeriodLike | None = None,
    by: None = None,
) -> NPS: ...


@overload
def nps(
    data: SurveyData,
    /,
    *,
    period: PeriodLike | None = None,
    by: SurveyBy,
) -> Breakdown[NPS]: ...


@takes_tables("Surveys")
def nps(
    data: SurveyData,
    /,
    *,
    period: PeriodLike | None = None,
    by: SurveyBy | None = None,
) -> NPS | Breakdown[NPS]:
    """Net Promoter Score: promoters minus detractors, in points from -100 to 100.

    ``NPS = 100 * (promoters - detractors) / n`` with promoters scoring 9-10,
    passives 7-8 and detractors 0-6 on the 0..10 "how likely are you to
    recommend" question.

    Parameters
    ----------
    data
        Integer scores 0..10 (whole-number floats such as 8.0 are accepted),
        `Survey` objects (only kind ``"nps"`` is used) or a `Surveys` table.
    period
        Keep answers given in the `Window` (needs records or a table).
    by
        ``"agent_id"``, ``"customer_id"`` or ``"interaction_id"``: a
        `Breakdown` by that field.

    Returns
    -------
    NPS or Breakdown[NPS]
        ``promoters``, ``passives``, ``detractors``, ``n`` and ``value``;
        ``.ci()`` gives the multinomial-variance interval.

    Raises
    ------
    InvalidDataError
        A score that is not a whole number in 0..10 (a bool, 10.5, 11, nan).

    Warns
    -----
    UndefinedMetricWarning
        No answer in scope.

    References
    ----------
    Reichheld, "The One Number You Need to Grow", Harvard Business Review 2003;
    Bain & Company, "Measuring your Net Promoter Score".

    Examples
    --------
    >>> from csmetrics import nps
    >>> r = nps([10, 9, 9, 8, 7, 6, 3, 10, 9, 0])
    >>> r.promoters, r.passives, r.detractors, r.value
    (5, 2, 3, 20.0)
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     nps([]).value
    nan
    """
    scores, group = _answers(data, "nps", (0, 10), period, by)
    result = reduce_counts(
        partial(NPS, period=period),
        {
            "promoters": scores >= 9,
            "passives": (scores >= 7) & (scores < 9),
            "detractors": scores < 7,
            "missing": np.isnan(scores),
        },
        group,
        by,
    )
    warn_if_undefined(result, "nps", "no NPS answer in scope")
    return result


def default_satisfied_from(scale: tuple[int, int]) -> int:
    """Lowest satisfied score: top box up to 3 points, top two up to 7, else top three."""
    points = scale[1] - scale[0] + 1
    boxes = 1 if points <= 3 else 2 if points <= 7 else 3
    return scale[1] - boxes + 1


@overload
def csat(
    data: SurveyData,
    /,
    *,
    scale: tuple[int, int] = (1, 5),
    satisfied_from: float | None = None,
    period: PeriodLike | None = None,
    by: None = None,
) -> CSAT: ...


@overload
def csat(
    data: SurveyData,
    /,
    *,
    scale: tuple[int, int] = (1, 5),
    satisfied_from: float | None = None,
    period: PeriodLike | None = None,
    by: SurveyBy,
) -> Breakdown[CSAT]: ...


@takes_tables("Surveys")
def csat(
    data: SurveyData,
    /,
    *,
    scale: tuple[int, int] = (1, 5),
    satisfied_from: float | None = None,
    period: PeriodLike | None = None,
    by: SurveyBy | None = None,
) -> CSAT | Breakdown[CSAT]:
    """Customer satisfaction: the share of answers that are satisfied.

    ``CSAT = (answers with score >= satisfied_from) / answers``.

    Parameters
    ----------
    data
        Scores on ``scale``, `Survey` objects (only kind ``"csat"``; each
        survey's scale must equal ``scale``) or a `Surveys` table.
    scale
        ``(low, high)`` of the survey; default 1..5.
    satisfied_from
        Lowest score counted as satisfied. Default (None): the top box for
        scales of up to 3 points, the top two boxes for 4 to 7 points (4-5 on
        1..5), the top three for 8 or more (8-10 on 1..10).
        Zendesk's good/bad rating is ``scale=(0, 1)`` (1 = good): the default
        then counts "good" over good plus bad.
    period
        As for `nps`.
    by
        As for `nps`.

    Returns
    -------
    CSAT or Breakdown[CSAT]
        A rate with ``scale`` and the ``satisfied_from`` used.

    Raises
    ------
    InvalidDataError
        A score outside the scale, a bool, nan; a survey on another scale.

    Warns
    -----
    UndefinedMetricWarning
        No answer in scope.

    References
    ----------
    ACSI methodology; Zendesk, "About CSAT ratings" (good / (good + bad)).

    Examples
    --------
    >>> from csmetrics import csat
    >>> r = csat([5, 4, 4, 3, 1])
    >>> r.numerator, r.denominator, r.satisfied_from, float(r)
    (3, 5, 4, 0.6)
    >>> float(csat([1, 0, 1, 1], scale=(0, 1)))  # Zendesk good / bad
    0.75
    """
    scale = check_scale("scale", scale)
    if satisfied_from is None:
        satisfied_from = default_satisfied_from(scale)
    elif (number := finite(satisfied_from)) is None or not scale[0] <= number <= scale[1]:
        msg = (
            f"satisfied_from={shown(satisfied_from)!r} is not allowed; "
            f"use a score in {scale[0]}..{scale[1]}"
        )
        raise ValueError(msg)
    scores, group = _answers(data, "csat", scale, period, by)
    result = reduce_counts(
        partial(CSAT, scale=scale, satisfied_from=satisfied_from, period=period),
        {
            "numerator": scores >= satisfied_from,
            "denominator": ~np.isnan(scores),
            "missing": np.isnan(scores),
        },
        group,
        by,
    )
    warn_if_undefined(result, "csat", "no CSAT answer in scope")
    return result


@overload
def ces(
    data: SurveyData,
    /,
    *,
    scale: tuple[int, int] = (1, 7),
    higher_is_easier: bool = True,
    period: PeriodLike | None = None,
    by: None = None,
) -> CES: ...


@overload
def ces(
    data: SurveyData,
    /,
    *,
    scale: tuple[int, int] = (1, 7),
    higher_is_easier: bool = True,
    period: PeriodLike | None = None,
    by: SurveyBy,
) -> Breakdown[CES]: ...


@takes_tables("Surveys")
def ces(
    data: SurveyData,
    /,
    *,
    scale: tuple[int, int] = (1, 7),
    higher_is_easier: bool = True,
    period: PeriodLike | None = None,
    by: SurveyBy | None = None,
) -> CES | Breakdown[CES]:
    """Customer effort score: how easy customers found it, as a mean answer.

    ``CES = sum of scores / n``, on the survey's own scale (never rescaled).

    Parameters
    ----------
    data
        Scores on ``scale``, `Survey` objects (only kind ``"ces"``) or a
        `Surveys` table.
    scale
        ``(low, high)``. Default 1..7: CES 2.0, agreement with "the company
        made it easy to handle my issue", so higher is easier. CES 1.0 asked
        "how much effort did you personally have to put forth" on 1..5, where
        lower is easier: ``scale=(1, 5), higher_is_easier=False``.
    higher_is_easier
        The scale's direction, recorded on the result so comparisons and
        targets know which way is better. The value itself is not flipped.
    period
        As for `nps`.
    by
        As for `nps`.

    Returns
    -------
    CES or Breakdown[CES]
        A `Mean` (``n``, ``mean``, ``std``, t-interval via ``.ci()``).

    Warns
    -----
    UndefinedMetricWarning
        No answer in scope.

    References
    ----------
    Dixon, Freeman & Toman, "Stop Trying to Delight Your Customers", Harvard
    Business Review 2010 (CES 1.0); CEB/Gartner, "CES 2.0" (2013).

    Examples
    --------
    >>> from csmetrics import ces
    >>> r = ces([7, 6, 5, 6, 1])
    >>> r.n, r.value
    (5, 5.0)
    """
    scale = check_scale("scale", scale)
    if not isinstance(higher_is_easier, bool):
        msg = f"higher_is_easier={higher_is_easier!r} is not allowed; use True or False"
        raise ValueError(msg)
    scores, group = _answers(data, "ces", scale, period, by)
    result = reduce_mean(
        partial(CES, scale=scale, higher_is_easier=higher_is_easier, period=period),
        scores,
        group,
        by,
        measured=~np.isnan(scores),
        counts={"missing": np.isnan(scores)},
    )
    warn_if_undefined(result, "ces", "no CES answer in scope")
    return result


@overload
def survey_fcr(
    data: SurveyData,
    /,
    *,
    period: PeriodLike | None = None,
    by: None = None,
) -> SurveyFCR: ...


@overload
def survey_fcr(
    data: SurveyData,
    /,
    *,
    period: PeriodLike | None = None,
    by: SurveyBy,
) -> Breakdown[SurveyFCR]: ...


@takes_tables("Surveys")
def survey_fcr(
    data: SurveyData,
    /,
    *,
    period: PeriodLike | None = None,
    by: SurveyBy | None = None,
) -> SurveyFCR | Breakdown[SurveyFCR]:
    """Survey-based FCR: the share of customers who say one contact solved it.

    ``survey FCR = "yes" answers / answers`` to "was your issue resolved on
    the first contact?". It measures perception and complements the
    behavioural `fcr`; the two often differ by ten points or more.

    Parameters
    ----------
    data
        Bools (True = yes), `Survey` objects (only kind ``"fcr"``) or a
        `Surveys` table.
    period
        As for `nps`.
    by
        As for `nps`.

    Returns
    -------
    SurveyFCR or Breakdown[SurveyFCR]
        A rate with ``metric="survey_fcr"`` and the ``missing`` answers.

    Raises
    ------
    InvalidDataError
        An answer that is not a bool.

    Warns
    -----
    UndefinedMetricWarning
        No answer in scope.

    Examples
    --------
    >>> from csmetrics import survey_fcr
    >>> r = survey_fcr([True, True, False, True])
    >>> r.numerator, r.denominator, float(r)
    (3, 4, 0.75)
    """
    scores, group = _answers(data, "fcr", None, period, by)
    result = reduce_counts(
        partial(SurveyFCR, period=period),
        {
            "numerator": scores == 1,
            "denominator": ~np.isnan(scores),
            "missing": np.isnan(scores),
        },
        group,
        by,
    )
    warn_if_undefined(result, "survey_fcr", "no FCR survey answer in scope")
    return result
