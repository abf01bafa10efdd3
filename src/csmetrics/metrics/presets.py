"""Vendor presets: named, versioned sets of definition choices with their sources.

Every helpdesk and warehouse model measures "first reply", "one-touch",
"reopens" and "resolution" its own way. A `Preset` names one such set of
choices, each with the published definition it comes from, so that
``ticket_metrics(tickets, preset="dbt_zendesk")`` reproduces that tool's
rules and the result says which rules it used. The public face of this
module is `csmetrics.presets`.

Each choice is a keyword option of the metric functions that use it
(`CHOICES`); a preset gives a value to some of them. An explicit keyword
beats the preset's value; a choice the preset leaves open takes the
library's default, which is Zendesk's (decisions 67 to 69).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Literal

import attrs

from csmetrics.core.check import option

__all__ = [
    "CHOICES",
    "DEFAULT",
    "Choice",
    "Preset",
    "get",
    "names",
    "resolve",
]

FirstReply = Literal["after_creating_comment", "first_public_agent_comment", "after_customer"]
"""How the first reply is found (`ticket_metrics`'s ``first_reply``)."""
TouchCount = Literal["replies_until_solved", "public_agent_comments"]
"""What a touch is (``touch_count``)."""
Untouched = Literal["none", "one", "multi"]
"""The touch class of a ticket solved with no touch (``untouched``)."""
Resolutions = Literal["to_solved_or_closed", "solved_else_closed"]
"""Which status changes are resolutions (``resolutions``)."""
ReopenedResolution = Literal["none", "last_solve"]
"""The full resolution of a ticket reopened and not solved again (``reopened_resolution``)."""
Reopens = Literal["changes", "solves_minus_one"]
"""How reopens are counted (``reopens``)."""

CHOICES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "first_reply": ("after_creating_comment", "first_public_agent_comment", "after_customer"),
        "touch_count": ("replies_until_solved", "public_agent_comments"),
        "untouched": ("none", "one", "multi"),
        "resolutions": ("to_solved_or_closed", "solved_else_closed"),
        "reopened_resolution": ("none", "last_solve"),
        "reopens": ("changes", "solves_minus_one"),
        "formula": (
            "offered",
            "answered",
            "abandoned_within_met",
            "abandoned_within_excluded",
            "short_abandoned_excluded",
        ),
    }
)
"""Every definition choice a preset can make, with its allowed values.

The ticket choices are keyword options of `ticket_metrics` (and of the
ticket aggregates that read them); ``formula`` is `service_level`'s.
"""

DEFAULT = "zendesk"
"""The preset whose choices are the library's defaults."""

TICKET_CHOICES = (
    "first_reply",
    "touch_count",
    "untouched",
    "resolutions",
    "reopened_resolution",
    "reopens",
)
"""The choices `ticket_metrics` takes, in the order they are documented."""

_DEFAULTS: Mapping[str, str] = MappingProxyType(
    {
        "first_reply": "after_creating_comment",
        "touch_count": "replies_until_solved",
        "untouched": "none",
        "resolutions": "to_solved_or_closed",
        "reopened_resolution": "none",
        "reopens": "changes",
        "formula": "offered",
    }
)


@attrs.frozen(kw_only=True)
class Choice:
    """One definition choice of a preset: its value and where it comes from.

    Attributes
    ----------
    value
        The option value (see `CHOICES`).
    source
        The published definition it follows, by name and version: a help
        article, an API reference or a package's SQL model.
    """

    value: str
    source: str


def _check_choice(inst: object, attribute: attrs.Attribute[Any], value: Choice | None) -> None:
    if value is not None:
        option(attribute.name, value.value, CHOICES[attribute.name])


@attrs.frozen(kw_only=True, repr=False)
class Preset:
    """A named, versioned, frozen set of definition choices, each with its source.

    A choice left None is one the preset does not make: the metric takes the
    library's default for it (Zendesk's), or the preset does not apply to
    that metric at all (an ``icmi-*`` preset says nothing about tickets).

    Attributes
    ----------
    name
        The preset's name (``"dbt_zendesk"``).
    version
        The version of the definitions it reproduces (a package release, or
        the date of the help articles read).
    description
        One line on whose numbers it reproduces.
    first_reply, touch_count, untouched, resolutions, reopened_resolution, reopens
        The ticket choices (`ticket_metrics`'s keywords of the same names).
    formula
        `service_level`'s formula.
    headline
        The aggregation the vendor shows for its headline numbers, with its
        source; None where not verified.
    not_modelled
        What the vendor defines differently that the preset does not
        reproduce yet.
    """

    name: str
    version: str
    description: str
    first_reply: Choice | None = attrs.field(default=None, validator=_check_choice)
    touch_count: Choice | None = attrs.field(default=None, validator=_check_choice)
    untouched: Choice | None = attrs.field(default=None, validator=_check_choice)
    resolutions: Choice | None = attrs.field(default=None, validator=_check_choice)
    reopened_resolution: Choice | None = attrs.field(default=None, validator=_check_choice)
    reopens: Choice | None = attrs.field(default=None, validator=_check_choice)
    formula: Choice | None = attrs.field(default=None, validator=_check_choice)
    headline: str | None = None
    not_modelled: tuple[str, ...] = ()

    def choices(self) -> dict[str, str]:
        """The choices the preset makes, name to value, in `CHOICES` order."""
        made = ((name, getattr(self, name)) for name in CHOICES)
        return {name: choice.value for name, choice in made if choice is not None}

    def sources(self) -> dict[str, str]:
        """The source of each choice the preset makes."""
        made = ((name, getattr(self, name)) for name in CHOICES)
        return {name: choice.source for name, choice in made if choice is not None}

    def __repr__(self) -> str:
        made = ", ".join(f"{name}={value!r}" for name, value in self.choices().items())
        return f"Preset({self.name!r}, version={self.version!r}, {made})"

    def describe(self) -> str:
        """The preset as text: each choice, its value and its source; what is not modelled."""
        lines = [f"{self.name} ({self.version}): {self.description}"]
        for name, value in self.choices().items():
            lines += [f"    {name} = {value!r}", f"        source: {self.sources()[name]}"]
        if self.headline is not None:
            lines.append(f"    headline: {self.headline}")
        lines += [f"    not modelled: {item}" for item in self.not_modelled]
        return "\n".join(lines)


_ZENDESK_FRT = "Zendesk, 'Calculating first reply time' (help center, read 2026-12)"
_ZENDESK_NATIVE = (
    "Zendesk, 'About native Support time duration metrics' (help center, read 2026-12)"
)
_ZENDESK_ONE_TOUCH = (
    "Zendesk, 'How are one-touch resolutions calculated?' (help center, article 4408820618266, "
    "read 2026-12): solved or closed tickets with exactly one agent reply"
)
_DBT = "fivetran/dbt_zendesk v1.6"
_DBT_COMMENTS = f"{_DBT}, int_zendesk__comment_metrics and zendesk__ticket_metrics"
_DBT_RESOLUTIONS = f"{_DBT}, int_zendesk__ticket_resolution_times_calendar"
_ICMI = "ICMI, 'Service Level Calculations' (Queue Tips, 2002)"

_PRESETS: tuple[Preset, ...] = (
    Preset(
        name="zendesk",
        version="Zendesk Support and Explore help center, read 2026-12",
        description="Zendesk Support's native ticket metrics and Explore's touch metrics.",
        first_reply=Choice(
            value="after_creating_comment",
            source=f"{_ZENDESK_FRT}: for a ticket an agent created with a public comment, "
            "the first reply is the next public agent comment",
        ),
        touch_count=Choice(
            value="replies_until_solved",
            source=f"{_ZENDESK_ONE_TOUCH}; a reply after a reopen makes it two-touch",
        ),
        untouched=Choice(
            value="none",
            source=f"{_ZENDESK_ONE_TOUCH}; with no agent reply the ticket is not one-touch",
        ),
        resolutions=Choice(
            value="to_solved_or_closed",
            source=f"{_ZENDESK_NATIVE}: a ticket closed without being solved is resolved",
        ),
        reopened_resolution=Choice(
            value="none",
            source=f"{_ZENDESK_NATIVE}: full resolution time is set when the ticket is solved",
        ),
        reopens=Choice(
            value="changes",
            source="Zendesk API, Ticket Metrics 'reopens': times the ticket was reopened",
        ),
        not_modelled=(
            (
                "Explore's one-touch formula as quoted by Zendesk staff in the article's "
                "comments counts tickets with fewer than two agent replies, so also none "
                "(untouched='one'); the article's text says exactly one"
            ),
            "per-ticket schedule history for business time (issue 16)",
            "the headline aggregation of Explore's dashboards (not verified)",
        ),
    ),
    Preset(
        name="dbt_zendesk",
        version="fivetran/dbt_zendesk v1.6",
        description="The zendesk__ticket_metrics model of Fivetran's dbt_zendesk package.",
        first_reply=Choice(
            value="first_public_agent_comment",
            source=f"{_DBT}, int_zendesk__ticket_reply_times: when the first public comment is "
            "an agent's it is the reply, timed from the ticket's creation",
        ),
        touch_count=Choice(
            value="public_agent_comments",
            source=f"{_DBT_COMMENTS}: is_one_touch_resolution is count_public_agent_comments = 1, "
            "every public agent comment of the ticket, the first included",
        ),
        untouched=Choice(
            value="multi",
            source=f"{_DBT_COMMENTS}: is_multi_touch_resolution is a solved or closed ticket "
            "that is neither one- nor two-touch, so also one with no agent comment",
        ),
        resolutions=Choice(
            value="solved_else_closed",
            source=f"{_DBT_RESOLUTIONS}: solves are the changes to solved, or to closed for a "
            "ticket never solved",
        ),
        reopened_resolution=Choice(
            value="last_solve",
            source=f"{_DBT_RESOLUTIONS} and zendesk__ticket_metrics: "
            "final_resolution_calendar_minutes runs to the last solve whatever the current status",
        ),
        reopens=Choice(
            value="solves_minus_one",
            source=f"{_DBT_RESOLUTIONS}: count_reopens is the number of solves minus one",
        ),
        headline="none: a table of one row per ticket, times in minutes "
        f"({_DBT}, zendesk__ticket_metrics)",
        not_modelled=(
            (
                "zendesk__ticket_metrics' own column names, minutes and nulls are in "
                "csmetrics.presets.dbt_zendesk.ticket_metrics, not in ticket_metrics's seconds; "
                "its columns it leaves out are listed in presets.dbt_zendesk.NOT_PRODUCED"
            ),
            (
                "the reply clock starts at the customer's first public comment, not at "
                "creation, when the two differ"
            ),
            "commenter roles come from the users table (or the audit log), not the comment",
        ),
    ),
    Preset(
        name="freshdesk",
        version="Freshdesk Analytics help center, read 2026-12",
        description="Freshdesk Analytics' ticket metrics.",
        resolutions=Choice(
            value="to_solved_or_closed",
            source="Freshdesk, 'Support metrics in Freshdesk Analytics' (read 2026-12): "
            "tickets in the resolved or closed status are resolved",
        ),
        first_reply=Choice(
            value="after_creating_comment",
            source="Freshdesk, 'Support metrics in Freshdesk Analytics' (read 2026-12): replies "
            "and public notes are responses; a private note is none",
        ),
        not_modelled=(
            "Freshdesk counts only tickets assigned to an agent or a group",
            "first contact resolution (a ticket resolved with its first response)",
            "touches, reopens and the time of a reopened ticket's resolution (not verified)",
            (
                "requester wait, agent wait and on-hold time: no published rule read on which "
                "statuses they count; the wait aggregates take no preset"
            ),
        ),
    ),
    Preset(
        name="intercom",
        version="Intercom REST API 2.9 and help center, read 2026-12",
        description="Intercom's conversation statistics and reports.",
        first_reply=Choice(
            value="after_customer",
            source="Intercom REST API 2.9, conversation statistics: first_admin_reply_at is "
            "the first visible teammate part after first_contact_reply_at, the customer's "
            "first message",
        ),
        resolutions=Choice(
            value="to_solved_or_closed",
            source="Intercom REST API 2.9, conversation statistics: every close counts "
            "(time_to_first_close, time_to_last_close, count_reopens)",
        ),
        reopens=Choice(
            value="changes",
            source="Intercom REST API 2.9, conversation statistics: count_reopens",
        ),
        headline="median (Intercom, 'Responsiveness report': the default aggregation)",
        not_modelled=(
            "'closed conversations on first contact': closed once with one participating teammate",
            "office hours: the API's durations leave out time outside office hours",
            (
                "requester wait, agent wait and on-hold time: Intercom publishes no status "
                "waits (snoozed time is not one); the wait aggregates take no preset"
            ),
        ),
    ),
    *(
        Preset(
            name=f"icmi-{formula.replace('_', '-')}",
            version="ICMI Queue Tips, 2002",
            description=f"ICMI's service-level formula {meaning}.",
            formula=Choice(value=formula, source=_ICMI),
        )
        for formula, meaning in (
            ("offered", "AN within / (AN + AB)"),
            ("answered", "AN within / AN"),
            ("abandoned_within_met", "(AN within + AB within) / (AN + AB)"),
            ("abandoned_within_excluded", "AN within / (AN + AB - AB within)"),
            ("short_abandoned_excluded", "AN within / (AN + AB - short abandons)"),
        )
    ),
)

_BY_NAME: Mapping[str, Preset] = MappingProxyType({preset.name: preset for preset in _PRESETS})


def names() -> tuple[str, ...]:
    """The name of every preset, the default (``"zendesk"``) first."""
    return tuple(_BY_NAME)


def get(name: str) -> Preset:
    """The preset of that name.

    Raises
    ------
    ValueError
        When ``name`` is not a preset; the message lists the names.
    """
    option("preset", name, _BY_NAME)
    return _BY_NAME[name]


def resolve(
    function: str, preset: str | None, explicit: Mapping[str, str | None], allowed: tuple[str, ...]
) -> dict[str, str]:
    """The effective choices of one call: explicit keywords, else the preset, else the default.

    ``explicit`` maps each choice the function takes to the keyword given
    (None: not given). A preset that makes none of the function's choices
    is an error: it does not apply there.
    """
    chosen: dict[str, str] = {}
    if preset is not None:
        made = get(preset).choices()
        if not set(made) & set(allowed):
            usable = [p.name for p in _PRESETS if set(p.choices()) & set(allowed)]
            msg = (
                f"preset={preset!r} defines nothing for {function}; "
                f"use one of: {', '.join(map(repr, usable))}"
            )
            raise ValueError(msg)
        chosen = {name: made[name] for name in allowed if name in made}
    out = {}
    for name in allowed:
        given = explicit.get(name)
        if given is not None:
            option(name, given, CHOICES[name])
        out[name] = given if given is not None else chosen.get(name, _DEFAULTS[name])
    return out
