"""Value objects: one contact, one survey answer, one period.

Every class is frozen, slotted and keyword-only, and validates itself once, at
construction. Errors are `InvalidDataError` naming the record id, the field and
the offending value. Every timestamp must be timezone-aware.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Literal

import attrs

from csmetrics._check import bad_record

__all__ = ["SURVEY_KINDS", "Interaction", "Key", "Survey", "SurveyKind", "Window"]

Key = str | int
"""An identifier or grouping key: a non-empty string or an integer."""

SurveyKind = Literal["nps", "csat", "ces", "fcr", "rating"]
SURVEY_KINDS: tuple[SurveyKind, ...] = ("nps", "csat", "ces", "fcr", "rating")

DEFAULT_SCALES: dict[str, tuple[int, int]] = {
    "nps": (0, 10),
    "csat": (1, 5),
    "ces": (1, 7),
    "rating": (1, 5),
}


def _is_key(value: object) -> bool:
    if isinstance(value, str):
        return value != ""
    return isinstance(value, int) and not isinstance(value, bool)


def _optional_key(value: object) -> object:
    # Exports write a missing key as an empty cell; "" and None mean the same.
    return None if value == "" else value


def _check_aware(record: object, field: str, value: object) -> None:
    if not isinstance(value, datetime):
        bad_record(record, field, value, "expected a timezone-aware datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        bad_record(record, field, value, "naive datetime; attach a time zone")


def _check_keys(
    record: object, inst: object, required: tuple[str, ...], optional: tuple[str, ...]
) -> None:
    for name in required + optional:
        value = getattr(inst, name)
        if value is None and name in optional:
            continue
        if not _is_key(value):
            bad_record(record, name, value, "expected a non-empty str or an int")


@attrs.frozen(kw_only=True)
class Interaction:
    """One contact: a call, a chat, or one agent's handling of a ticket.

    Attributes
    ----------
    id
        Unique identifier of the contact.
    customer_id
        The customer who made the contact.
    start
        When the contact started (timezone-aware).
    end
        When it ended, or ``None`` while it is still open.
    resolved
        Whether the agent marked the customer's issue resolved at this contact.
    channel, agent_id, category
        Optional grouping fields ("phone", "chat", an agent id, a contact reason).
    issue_id
        The ticket or case the contact belongs to. A reopened ticket is a further
        Interaction with the same ``issue_id``. An empty string means missing.
    """

    id: Key
    customer_id: Key
    start: datetime
    end: datetime | None = None
    resolved: bool = False
    channel: Key | None = attrs.field(default=None, converter=_optional_key)
    agent_id: Key | None = attrs.field(default=None, converter=_optional_key)
    issue_id: Key | None = attrs.field(default=None, converter=_optional_key)
    category: Key | None = attrs.field(default=None, converter=_optional_key)

    def __attrs_post_init__(self) -> None:
        record = repr(self.id)
        _check_keys(
            record,
            self,
            ("id", "customer_id"),
            ("channel", "agent_id", "issue_id", "category"),
        )
        _check_aware(record, "start", self.start)
        if self.end is not None:
            _check_aware(record, "end", self.end)
            if self.end < self.start:
                bad_record(record, "end", self.end, f"before start {self.start}")
        if not isinstance(self.resolved, bool):
            bad_record(record, "resolved", self.resolved, "expected a bool")
        if self.resolved and self.end is None:
            bad_record(
                record,
                "resolved",
                "True",
                "an open contact (end=None) cannot be resolved",
            )


def default_scale(kind: str) -> tuple[int, int] | None:
    """Return the default (low, high) scale of a survey kind; None for "fcr"."""
    return DEFAULT_SCALES.get(kind)


def check_scale(name: str, scale: object) -> tuple[int, int]:
    """Validate a (low, high) pair of integers with low < high."""
    if (
        not isinstance(scale, tuple)
        or len(scale) != 2
        or not all(isinstance(b, int) and not isinstance(b, bool) for b in scale)
        or scale[0] >= scale[1]
    ):
        msg = f"{name}={scale!r} is not allowed; use a (low, high) tuple of ints, low < high"
        raise ValueError(msg)
    return scale


def check_score(record: object, kind: str, score: object, scale: tuple[int, int] | None) -> float:
    """Validate one survey score for its kind and scale; return it as a float."""
    if kind == "fcr":
        if not isinstance(score, bool):
            bad_record(record, "score", score, "an 'fcr' answer must be a bool")
        return float(score)
    if isinstance(score, bool) or not isinstance(score, (int, float)):
        bad_record(record, "score", score, "expected a number, not a bool or text")
    if not math.isfinite(score):
        bad_record(record, "score", score, "expected a finite number")
    if kind == "nps" and score != int(score):
        bad_record(record, "score", score, "an NPS score must be a whole number")
    assert scale is not None  # every kind but "fcr" has a scale
    low, high = scale
    if not low <= score <= high:
        bad_record(record, "score", score, f"outside the {kind} scale {low}..{high}")
    return float(score)


@attrs.frozen(kw_only=True)
class Survey:
    """One survey answer.

    Attributes
    ----------
    id
        Unique identifier of the answer.
    kind
        ``"nps"`` (0..10), ``"csat"`` (1..5), ``"ces"`` (1..7), ``"rating"``
        (1..5) or ``"fcr"`` (a bool: the customer says the issue was resolved).
    score
        The answer: a number on the scale, or a bool for ``"fcr"``.
    at
        When the answer was given (timezone-aware).
    customer_id, interaction_id, agent_id
        Optional links to the customer, the contact and the agent rated.
    scale
        ``(low, high)`` when the survey used another scale than the kind's
        default; ``None`` means the default. NPS is always 0..10.
    """

    id: Key
    kind: SurveyKind
    score: float | bool
    at: datetime
    customer_id: Key | None = attrs.field(default=None, converter=_optional_key)
    interaction_id: Key | None = attrs.field(default=None, converter=_optional_key)
    agent_id: Key | None = attrs.field(default=None, converter=_optional_key)
    scale: tuple[int, int] | None = None

    def __attrs_post_init__(self) -> None:
        record = repr(self.id)
        _check_keys(record, self, ("id",), ("customer_id", "interaction_id", "agent_id"))
        if self.kind not in SURVEY_KINDS:
            bad_record(record, "kind", self.kind, f"use one of {SURVEY_KINDS}")
        _check_aware(record, "at", self.at)
        scale = self.effective_scale
        if self.scale is not None:
            if self.kind in ("fcr", "nps"):
                bad_record(
                    record,
                    "scale",
                    self.scale,
                    f"a {self.kind!r} survey has a fixed scale",
                )
            try:
                check_scale("scale", self.scale)
            except ValueError as err:
                bad_record(record, "scale", self.scale, str(err))
        check_score(record, self.kind, self.score, scale)

    @property
    def effective_scale(self) -> tuple[int, int] | None:
        """The scale in force: ``scale`` or the kind's default (None for "fcr")."""
        return self.scale if self.scale is not None else default_scale(self.kind)


@attrs.frozen(kw_only=True)
class Window:
    """A half-open period ``[start, end)`` with timezone-aware bounds.

    Used as ``period=`` to choose which contacts or surveys a result covers.
    """

    start: datetime
    end: datetime

    def __attrs_post_init__(self) -> None:
        _check_aware("Window", "start", self.start)
        _check_aware("Window", "end", self.end)
        if self.end <= self.start:
            bad_record("Window", "end", self.end, f"not after start {self.start}")

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end
