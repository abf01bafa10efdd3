"""Generate the sample dataset shipped in ``src/csmetrics/data``.

Run from the repository root::

    python scripts/make_sample_data.py            # rewrites the shipped CSVs
    python scripts/make_sample_data.py --out DIR  # writes them elsewhere

The output is deterministic: seeded ``numpy.random.default_rng`` streams,
integer minutes for every time but first responses (whole seconds), rows
sorted, fixed text formatting, so a re-run gives byte-identical files (tests
check this). The queue, handling and outcome columns (``first_response_at`` to
``complaint``) come from a second stream (``EXTRA_SEED``) drawn after all the
rest, so adding them changed no other value of the files.

What the data simulates: about 90 days (2026-01-05 to 2026-04-03, UTC) of a support
team of eight agents of different skill on phone, chat and email, about billing,
login, shipping, returns and technical issues. The export is cut at
2026-04-03T12:00Z (Friday noon) by contact start; a contact still running at the cut is open
(empty ``end``, ``resolved`` false). Every pattern of the FCR definition occurs:

- unresolved first contacts followed by repeat contacts within 7 days;
- contacts marked resolved whose customer still comes back within the window
  (false resolutions), a few exactly 7 days after the end (inclusive bound);
- reopened tickets after the window (same ``issue_id``, new episode);
- tickets reused for a new problem (same ``issue_id``, another category);
- phone contacts without ``issue_id`` (matched by customer and category);
- open contacts near the end of the data, and episodes still pending.

The queue, handling and outcome columns:

- ``first_response_at``: when a call or chat was answered, seconds after its
  start (a log-normal queue wait: median about 9 s for calls and 30 s for
  chats, longer on busy days); for an email, the agent's reply that ends it
  (hours, sometimes days). Empty for abandoned contacts and for the open
  emails at the cut, which are still waiting (right-censored).
- ``abandoned``: about 6% of calls and 3% of chats, never emails: unresolved
  contacts without a survey, the shorter ones more likely; ``end`` is when the
  customer gave up. They have no response, handling times or priority (the
  ``agent_id`` is the agent the contact was routed to).
- ``talk_seconds``, ``hold_seconds``, ``wrap_seconds`` for every answered,
  ended contact. For calls and chats talk + hold is the time from the answer
  to the end; less skilled agents put customers on hold more often and take
  longer over after-contact work. For an email, talk is the agent's work on
  the reply (log-normal, slower for less skilled agents), hold is empty.
- ``priority``: low, normal, high or urgent, set per ticket at its first
  contact (technical and login issues are more often high or urgent).
- ``escalated`` and ``escalated_to`` (``tier2``, ``finance``, ``logistics``):
  about 4.5% of handled contacts, only unresolved ones, over four times as
  often for technical issues and more often by less skilled agents.
- ``complaint``: about 1.5% of handled contacts, more after unresolved or
  badly rated contacts; agent ``A02`` (skilled, but abrupt) draws several
  times the others' rate, the one agent `complaint_rate` flags.

Surveys are post-contact forms (CSAT, CES, survey FCR, agent rating, NPS;
answered minutes to two days after the contact ended) plus a few relationship
NPS answers linked to a customer only. Scores depend on whether the contact
resolved the issue, so survey metrics and FCR tell a consistent story.
"""

from __future__ import annotations

import argparse
import csv
import math
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

SEED = 2026
BASE = datetime(2026, 1, 5, tzinfo=timezone.utc)  # a Monday
DAY = 1440
DAYS = 89  # 2026-01-05 (Monday) to 2026-04-03 (Friday)
EXPORT_MINUTE = (DAYS - 1) * DAY + 12 * 60  # the export cut: 2026-04-03T12:00Z
WINDOW = 7 * DAY

N_ISSUES = 2150
N_CUSTOMERS = 1400
N_RELATIONSHIP_NPS = 40

# Share of first contacts an agent resolves (before channel and category).
AGENT_SKILL = {
    "A01": 0.93,
    "A02": 0.89,
    "A03": 0.85,
    "A04": 0.81,
    "A05": 0.77,
    "A06": 0.71,
    "A07": 0.65,
    "A08": 0.57,
}
CHANNEL_AGENTS = {
    "phone": ("A01", "A02", "A05", "A07"),
    "chat": ("A02", "A03", "A06", "A08"),
    "email": ("A03", "A04", "A06", "A08"),
}
CHANNELS = ("phone", "chat", "email")
CHANNEL_WEIGHTS = (0.45, 0.35, 0.20)
CHANNEL_EASE = {"phone": 1.0, "chat": 0.96, "email": 0.88}
# Share of contacts that carry a ticket number.
CHANNEL_TICKETED = {"phone": 0.72, "chat": 0.92, "email": 1.0}
CATEGORIES = ("billing", "login", "shipping", "returns", "technical")
CATEGORY_WEIGHTS = (0.28, 0.20, 0.22, 0.15, 0.15)
CATEGORY_EASE = {
    "billing": 1.0,
    "login": 1.06,
    "shipping": 0.92,
    "returns": 0.86,
    "technical": 0.76,
}
# Relative contact volume Monday..Sunday.
WEEKDAY_VOLUME = (1.35, 1.15, 1.05, 1.0, 0.95, 0.45, 0.3)
MAX_CONTACTS_PER_CHAIN = 6

INTERACTION_FIELDS = (
    "id",
    "customer_id",
    "start",
    "end",
    "resolved",
    "channel",
    "agent_id",
    "issue_id",
    "category",
)
SURVEY_FIELDS = (
    "id",
    "kind",
    "score",
    "at",
    "customer_id",
    "interaction_id",
    "agent_id",
)
KIND_ORDER = ("nps", "csat", "ces", "fcr", "rating")

# The queue, handling and outcome columns come from a stream of their own,
# drawn after everything above, so adding them changed no other value.
EXTRA_SEED = 20260403
EXTRA_FIELDS = (
    "first_response_at",
    "abandoned",
    "talk_seconds",
    "hold_seconds",
    "wrap_seconds",
    "priority",
    "escalated",
    "escalated_to",
    "complaint",
)
PHONE_WAIT_MEDIAN = 9.0  # seconds in the queue, on an average day
CHAT_WAIT_MEDIAN = 30.0
EMAIL_WORK_MEDIAN = 4 * 60.0  # seconds of agent work on an email reply
PRIORITIES = ("low", "normal", "high", "urgent")
# Priority of a ticket by the category of its first contact (CATEGORIES order).
PRIORITY_WEIGHTS = (
    (0.25, 0.55, 0.16, 0.04),
    (0.15, 0.50, 0.27, 0.08),
    (0.25, 0.55, 0.16, 0.04),
    (0.30, 0.55, 0.12, 0.03),
    (0.10, 0.45, 0.33, 0.12),
)
# How much more often than average an unresolved contact is escalated, by category.
ESCALATION_FACTOR = (0.6, 0.7, 0.5, 0.5, 2.2)
ESCALATION_TEAM = {
    "billing": "finance",
    "login": "tier2",
    "shipping": "logistics",
    "returns": "logistics",
    "technical": "tier2",
}
COMPLAINT_BASE = 0.008  # chance of a complaint about a resolved, well-rated contact
COMPLAINT_AGENT = "A02"  # skilled, but draws complaints: the funnel flags this agent


@attrs.define(kw_only=True)
class _Contact:
    """One generated contact, times in minutes since BASE; end None if open."""

    order: int
    customer: str
    start: int
    end: int | None
    resolved: bool
    channel: str
    agent: str
    ticket: str
    category: str
    nth: int  # position in its chain: 0 is the customer's first contact


@attrs.define(kw_only=True)
class _Answer:
    """One generated survey answer."""

    kind: str
    score: str
    at: int
    customer: str
    contact: _Contact | None


def _stamp(minute: int | None) -> str:
    if minute is None:
        return ""
    return (BASE + timedelta(minutes=minute)).isoformat()


def _bool(value: bool) -> str:  # noqa: FBT001 (a plain value, not a flag)
    return "true" if value else "false"


def _pick(rng: np.random.Generator, items: tuple[str, ...], p: Any = None) -> str:
    weights = None if p is None else np.asarray(p, dtype=float) / np.sum(p)
    return items[int(rng.choice(len(items), p=weights))]


def _duration(rng: np.random.Generator, channel: str) -> int:
    """Minutes from start to end of a contact on a channel."""
    if channel == "phone":
        return int(np.clip(round(rng.lognormal(math.log(9), 0.5)), 2, 60))
    if channel == "chat":
        return int(np.clip(round(rng.lognormal(math.log(16), 0.45)), 4, 90))
    # An email contact ends when the agent's reply is sent: hours, sometimes days.
    return int(np.clip(round(rng.lognormal(math.log(10 * 60), 1.2)), 20, 6 * DAY))


def _first_start(rng: np.random.Generator) -> int:
    day_weights = np.array([WEEKDAY_VOLUME[d % 7] for d in range(DAYS)])
    day = int(rng.choice(DAYS, p=day_weights / day_weights.sum()))
    # Opening hours 08:00-20:00 UTC, busier in the morning.
    minute = int(8 * 60 + min(12 * 60 - 1, rng.gamma(2.2, 150)))
    return day * DAY + minute


def _resolve_chance(agent: str, channel: str, category: str, nth: int) -> float:
    base = AGENT_SKILL[agent] * CHANNEL_EASE[channel] * CATEGORY_EASE[category]
    if nth > 0:
        # Follow-ups are usually escalated or better informed.
        base = 0.55 + 0.4 * base
    return min(0.97, base)


def _next_gap(
    rng: np.random.Generator,
    *,
    resolved: bool,
    category: str,
) -> tuple[int, str] | None:
    """Minutes until the customer's next contact on this issue, and its category.

    None when the customer does not come back.
    """
    draw = rng.random()
    gap: int | None = None
    if not resolved:
        if draw < 0.80:  # follows up within the window: a repeat
            gap = int(rng.integers(2 * 60, 6 * DAY))
        elif draw < 0.90:  # comes back weeks later: a new episode
            gap = int(rng.integers(WINDOW + 60, 35 * DAY))
        # else: gives up
    elif draw < 0.09:  # marked resolved, but the problem was not solved
        # A few come back exactly at the window bound: still a repeat.
        exact = rng.random() < 0.06
        gap = WINDOW if exact else int(rng.integers(6 * 60, WINDOW - 60))
    elif draw < 0.13:  # reopens the same ticket after the window
        gap = int(rng.integers(WINDOW + 60, 40 * DAY))
    elif draw < 0.16:  # reuses the ticket for a new problem
        gap = int(rng.integers(DAY, 40 * DAY))
        category = _pick(rng, tuple(c for c in CATEGORIES if c != category))
    return None if gap is None else (gap, category)


def _chain(rng: np.random.Generator, *, customer: str, ticket: str, order: int) -> list[_Contact]:
    """The contacts of one customer problem, from its first contact on."""
    channel = _pick(rng, CHANNELS, CHANNEL_WEIGHTS)
    category = _pick(rng, CATEGORIES, CATEGORY_WEIGHTS)
    has_ticket = rng.random() < CHANNEL_TICKETED[channel]
    start = _first_start(rng)
    contacts: list[_Contact] = []
    if start >= EXPORT_MINUTE:
        return contacts  # after the export cut: not in the data
    for nth in range(MAX_CONTACTS_PER_CHAIN):
        agent = _pick(rng, CHANNEL_AGENTS[channel])
        end = start + _duration(rng, channel)
        is_open = end > EXPORT_MINUTE
        resolved = not is_open and bool(
            rng.random() < _resolve_chance(agent, channel, category, nth)
        )
        contacts.append(
            _Contact(
                order=order + nth,
                customer=customer,
                start=start,
                end=None if is_open else end,
                resolved=resolved,
                channel=channel,
                agent=agent,
                ticket=ticket if has_ticket else "",
                category=category,
                nth=nth,
            )
        )
        if is_open:
            break
        step = _next_gap(rng, resolved=resolved, category=category)
        if step is None:
            break
        gap, category = step
        start = end + gap
        if start >= EXPORT_MINUTE:
            break  # after the export cut: not in the data
        if rng.random() < 0.3:
            channel = _pick(rng, CHANNELS, CHANNEL_WEIGHTS)
            # A ticketed issue keeps its ticket; an unticketed phone call
            # back by email gets none (the export has no link either).
    return contacts


def _interactions(rng: np.random.Generator) -> list[_Contact]:
    popularity = 1 / np.arange(1, N_CUSTOMERS + 1) ** 0.6
    popularity /= popularity.sum()
    contacts: list[_Contact] = []
    for issue in range(N_ISSUES):
        customer = f"C{int(rng.choice(N_CUSTOMERS, p=popularity)) + 1:04d}"
        contacts += _chain(
            rng,
            customer=customer,
            ticket=f"T{10001 + issue}",
            order=MAX_CONTACTS_PER_CHAIN * issue,
        )
    contacts.sort(key=lambda c: (c.start, c.order))
    return contacts


def _score(rng: np.random.Generator, mean: float, sd: float, low: int, high: int) -> str:
    return str(int(np.clip(round(rng.normal(mean, sd)), low, high)))


def _form(rng: np.random.Generator, contact: _Contact) -> list[_Answer]:
    """The answers of one post-contact survey form."""
    assert contact.end is not None
    at = contact.end + int(np.clip(round(rng.lognormal(math.log(180), 1.3)), 5, 2 * DAY))
    if at >= EXPORT_MINUTE:
        return []
    good = contact.resolved
    first = contact.nth == 0
    skill = AGENT_SKILL[contact.agent]
    answers: list[tuple[str, str]] = []
    if rng.random() < 0.92:
        mean = (4.6 if good else 3.0) - (0 if first else 0.4) + (skill - 0.75)
        answers.append(("csat", _score(rng, mean, 0.95, 1, 5)))
    if rng.random() < 0.55:
        mean = (5.7 if good else 3.3) - (0 if first else 0.9)
        answers.append(("ces", _score(rng, mean, 1.2, 1, 7)))
    if rng.random() < 0.5:
        yes = 0.88 if good and first else 0.4 if good else 0.1
        answers.append(("fcr", _bool(bool(rng.random() < yes))))
    if rng.random() < 0.45:
        mean = 2.4 + 2.6 * skill + (0.4 if good else -0.6)
        answers.append(("rating", _score(rng, mean, 0.8, 1, 5)))
    if rng.random() < 0.35:
        mean = (8.4 if good else 5.4) - (0 if first else 0.7)
        answers.append(("nps", _score(rng, mean, 1.9, 0, 10)))
    return [
        _Answer(kind=kind, score=score, at=at, customer=contact.customer, contact=contact)
        for kind, score in answers
    ]


def _surveys(rng: np.random.Generator, contacts: list[_Contact]) -> list[_Answer]:
    answers: list[_Answer] = []
    for contact in contacts:
        if contact.end is None:
            continue
        rate = 0.20 if contact.channel == "email" else 0.15
        if rng.random() < rate:
            answers += _form(rng, contact)
    for _ in range(N_RELATIONSHIP_NPS):
        # Quarterly relationship survey: linked to a customer, not a contact.
        at = int(rng.integers(60 * DAY, EXPORT_MINUTE))
        customer = f"C{int(rng.integers(1, N_CUSTOMERS + 1)):04d}"
        answers.append(
            _Answer(
                kind="nps",
                score=_score(rng, 7.6, 2.2, 0, 10),
                at=at,
                customer=customer,
                contact=None,
            )
        )
    return answers


_Ints = npt.NDArray[np.int64]
_Floats = npt.NDArray[np.float64]
_Flags = npt.NDArray[np.bool_]


@attrs.frozen(kw_only=True)
class _Rows:
    """What the extra columns depend on, one array entry per contact in row order.

    Times are seconds since BASE; ``end`` is -1 for an open contact.
    """

    channel: _Ints  # index into CHANNELS
    category: _Ints  # index into CATEGORIES
    skill: _Floats  # AGENT_SKILL of the contact's agent
    agent: npt.NDArray[np.str_]
    start: _Ints
    end: _Ints
    resolved: _Flags
    ticket: _Ints  # one code per issue_id; no issue_id: a code of its own
    surveyed: _Flags  # a post-contact survey answer links to it
    unhappy: _Flags  # ... with a CSAT of 1 or 2

    @property
    def closed(self) -> _Flags:
        return self.end >= 0


def _rows(contacts: list[_Contact], answers: list[_Answer]) -> _Rows:
    row = {id(c): n for n, c in enumerate(contacts)}
    surveyed = np.zeros(len(contacts), dtype=bool)
    unhappy = np.zeros(len(contacts), dtype=bool)
    for answer in answers:
        if answer.contact is not None:
            surveyed[row[id(answer.contact)]] = True
            unhappy[row[id(answer.contact)]] |= answer.kind == "csat" and int(answer.score) <= 2
    tickets = [c.ticket or f"#{n}" for n, c in enumerate(contacts)]
    return _Rows(
        channel=np.array([CHANNELS.index(c.channel) for c in contacts], dtype=np.int64),
        category=np.array([CATEGORIES.index(c.category) for c in contacts], dtype=np.int64),
        skill=np.array([AGENT_SKILL[c.agent] for c in contacts]),
        agent=np.array([c.agent for c in contacts]),
        start=60 * np.array([c.start for c in contacts], dtype=np.int64),
        end=np.array([-1 if c.end is None else 60 * c.end for c in contacts], dtype=np.int64),
        resolved=np.array([c.resolved for c in contacts]),
        ticket=np.unique(tickets, return_inverse=True)[1].astype(np.int64),
        surveyed=surveyed,
        unhappy=unhappy,
    )


def _queue(rng: np.random.Generator, rows: _Rows) -> tuple[_Ints, _Flags]:
    """Seconds since BASE of each first response (-1: none) and the abandoned flags."""
    phone, chat, email = (rows.channel == CHANNELS.index(c) for c in CHANNELS)
    duration = np.where(rows.closed, rows.end - rows.start, 0)
    # Queues are longer on busy days (Mondays) and short at the weekend.
    busy = np.asarray(WEEKDAY_VOLUME)[(rows.start // (60 * DAY)) % 7]
    median = np.where(phone, PHONE_WAIT_MEDIAN, CHAT_WAIT_MEDIAN) * busy**1.5
    wait = rng.lognormal(np.log(median), np.where(phone, 1.0, 0.8))
    # Answered at least a minute before the contact ended.
    wait = np.clip(np.round(wait), 1, np.maximum(duration - 60, 1)).astype(np.int64)
    # Customers who give up: unresolved calls and chats that ended early (the
    # end is when they hung up), never one with a survey about the agent.
    can_abandon = (phone | chat) & rows.closed & ~rows.resolved & ~rows.surveyed
    minutes = duration / 60 - np.where(phone, 2, 4)  # above the shortest contact
    chance = np.where(phone, 0.9, 0.7) * np.exp(-minutes / 8)
    abandoned = can_abandon & (rng.random(len(wait)) < chance)
    # An email contact ends when the agent's reply is sent: that reply is the
    # first response, and an open email is unanswered so far.
    response = np.where(email, rows.end, rows.start + wait)
    response[abandoned | ~rows.closed] = -1
    return response, abandoned


def _work(
    rng: np.random.Generator, rows: _Rows, response: _Ints
) -> tuple[_Floats, _Floats, _Floats]:
    """Talk, hold and wrap seconds of each handled contact; nan when not recorded."""
    phone, chat, email = (rows.channel == CHANNELS.index(c) for c in CHANNELS)
    n = len(response)
    slow = 0.95 - rows.skill  # 0.02 (A01) .. 0.38 (A08)
    # Calls and chats: talk + hold is the connected time, first response to end.
    connected = np.where(response >= 0, rows.end - response, 0)
    on_hold = rng.random(n) < np.where(phone, 0.2, 0.05) + np.where(phone, 0.8, 0.3) * slow
    hold = np.where(on_hold, np.round(connected * rng.beta(2, 6, n)), 0)
    # Email: the agent's work on the reply, slower for less skilled agents.
    writing = np.round(rng.lognormal(np.log(EMAIL_WORK_MEDIAN * (1 + 2 * slow)), 0.6, n))
    talk = np.where(email, writing, connected - hold)
    # After-contact work (notes, forms): less skilled agents take longer.
    wrap_median = np.where(email, 40.0, np.where(chat, 30.0, 45.0)) * (1 + 5 * slow)
    wrap = np.clip(np.round(rng.lognormal(np.log(wrap_median), 0.5, n)), 5, 15 * 60)
    handled = response >= 0
    none = np.full(n, np.nan)
    return (
        np.where(handled, talk, none),
        np.where(handled & ~email, hold, none),
        np.where(handled, wrap, none),
    )


def _outcomes(
    rng: np.random.Generator, rows: _Rows, abandoned: _Flags
) -> tuple[_Ints, _Flags, _Flags]:
    """Priority (index into PRIORITIES, -1 none), escalated and complaint flags."""
    n = len(abandoned)
    # A ticket keeps the priority set at its first contact.
    first = np.unique(rows.ticket, return_index=True)[1]
    # The last cut is 1 (up to rounding): leave it out, so no draw falls past it.
    cumulative = np.cumsum(PRIORITY_WEIGHTS, axis=1)[:, :-1][rows.category[first]]
    by_ticket = (rng.random(len(first))[:, None] >= cumulative).sum(axis=1)
    priority = np.where(abandoned, -1, by_ticket[rows.ticket])
    handled = rows.closed & ~abandoned
    # Escalated: an unresolved contact handed to specialists, mostly technical
    # ones, and more often by less skilled agents.
    chance = 0.12 * np.asarray(ESCALATION_FACTOR)[rows.category] * (1 + 4 * (0.95 - rows.skill))
    escalated = handled & ~rows.resolved & (rng.random(n) < chance)
    # Complaints: rare, mostly about unresolved contacts and ones rated badly;
    # COMPLAINT_AGENT draws far more of them than the rest of the team.
    chance = (
        COMPLAINT_BASE
        * np.where(rows.resolved, 1.0, 3.0)
        * np.where(rows.unhappy, 4.0, 1.0)
        * np.where(rows.agent == COMPLAINT_AGENT, 3.5, 1.0)
    )
    complaint = handled & (rng.random(n) < chance)
    return priority, escalated, complaint


def _seconds(value: float) -> str:
    return "" if math.isnan(value) else str(int(value))


def _extra_cells(contacts: list[_Contact], answers: list[_Answer]) -> list[list[str]]:
    """The cells of EXTRA_FIELDS for every contact, in row order.

    Drawn from a stream of their own (``EXTRA_SEED``) after everything else,
    so the other columns and the surveys do not depend on them.
    """
    rng = np.random.default_rng(EXTRA_SEED)
    rows = _rows(contacts, answers)
    response, abandoned = _queue(rng, rows)
    talk, hold, wrap = _work(rng, rows, response)
    priority, escalated, complaint = _outcomes(rng, rows, abandoned)
    return [
        [
            "" if response[n] < 0 else (BASE + timedelta(seconds=int(response[n]))).isoformat(),
            _bool(bool(abandoned[n])),
            _seconds(talk[n]),
            _seconds(hold[n]),
            _seconds(wrap[n]),
            "" if priority[n] < 0 else PRIORITIES[priority[n]],
            _bool(bool(escalated[n])),
            ESCALATION_TEAM[CATEGORIES[rows.category[n]]] if escalated[n] else "",
            _bool(bool(complaint[n])),
        ]
        for n in range(len(contacts))
    ]


def _write(path: Path, header: tuple[str, ...], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_sample(out: Path) -> tuple[Path, Path]:
    """Generate the sample and write ``interactions.csv`` and ``surveys.csv``.

    Parameters
    ----------
    out
        Directory to write into (created if missing).

    Returns
    -------
    tuple of Path
        The interactions and surveys files written.
    """
    rng = np.random.default_rng(SEED)
    contacts = _interactions(rng)
    ids = {id(c): f"I{n:05d}" for n, c in enumerate(contacts, start=1)}
    answers = _surveys(rng, contacts)
    answers.sort(
        key=lambda a: (
            a.at,
            "" if a.contact is None else ids[id(a.contact)],
            a.customer,
            KIND_ORDER.index(a.kind),
        )
    )
    extra = _extra_cells(contacts, answers)
    out.mkdir(parents=True, exist_ok=True)
    interactions_path = out / "interactions.csv"
    surveys_path = out / "surveys.csv"
    _write(
        interactions_path,
        INTERACTION_FIELDS + EXTRA_FIELDS,
        [
            [
                ids[id(c)],
                c.customer,
                _stamp(c.start),
                _stamp(c.end),
                _bool(c.resolved),
                c.channel,
                c.agent,
                c.ticket,
                c.category,
                *cells,
            ]
            for c, cells in zip(contacts, extra, strict=True)
        ],
    )
    _write(
        surveys_path,
        SURVEY_FIELDS,
        [
            [
                f"S{n:05d}",
                a.kind,
                a.score,
                _stamp(a.at),
                a.customer,
                "" if a.contact is None else ids[id(a.contact)],
                "" if a.contact is None else a.contact.agent,
            ]
            for n, a in enumerate(answers, start=1)
        ],
    )
    return interactions_path, surveys_path


def main() -> None:
    """Write the sample CSVs (default: ``src/csmetrics/data``)."""
    default = Path(__file__).resolve().parents[1] / "src" / "csmetrics" / "data"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=default, help="output directory")
    args = parser.parse_args()
    for path in write_sample(args.out):
        with path.open(encoding="utf-8") as handle:
            rows = sum(1 for _ in handle) - 1
        print(f"wrote {path} ({rows} rows)")


if __name__ == "__main__":
    main()
