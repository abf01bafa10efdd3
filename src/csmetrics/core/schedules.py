"""Business time per ticket: each ticket under its own schedule history.

A helpdesk moves a ticket between business-hours schedules while it is open
(Zendesk's ticket schedule history: a trigger switches an urgent ticket to a
24/7 schedule at noon). `TicketSchedules` holds, for every ticket, the
pieces of its life under each schedule, and measures business time piecewise:
the open time of ``[start, end)`` is the sum, over the ticket's pieces, of the
open time of the piece's calendar inside ``[start, end)`` and the piece.

``B_t(x)``, the business time of ticket ``t`` from its creation to ``x``, is
the business time of the ticket's earlier pieces (each whole) plus that of the
piece holding ``x`` from its start to ``x``; ``business(start, end) = B_t(end)
- B_t(start)``. The sums run in integer microseconds, so the result is exact
to the microsecond, and a schedule applied 3 seconds after creation gives the
ticket 3 seconds under the schedule before it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics.core.calendar import BusinessCalendar
from csmetrics.core.check import bad_record
from csmetrics.core.reduce import segment_starts
from csmetrics.core.table import OPEN, _row_name
from csmetrics.core.tickets import Tickets

__all__ = [
    "PER_TICKET",
    "CalendarOption",
    "PerTicket",
    "TicketClock",
    "TicketSchedules",
    "calendar_param",
]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

PerTicket = Literal["per-ticket"]
PER_TICKET: Final[PerTicket] = "per-ticket"
"""The ``calendar`` a result records when each ticket had its own schedule history."""

CalendarOption = BusinessCalendar | Mapping[Any, BusinessCalendar] | None
"""What ``calendar=`` takes for tickets: one calendar for all, or calendars by schedule id."""

_US = 1_000_000


def calendar_param(calendar: CalendarOption) -> BusinessCalendar | PerTicket | None:
    """What a result records: the one calendar, ``"per-ticket"`` or None."""
    if isinstance(calendar, Mapping):
        return PER_TICKET
    return calendar


def _check_calendars(calendars: Mapping[Any, BusinessCalendar]) -> None:
    for key, value in calendars.items():
        if not isinstance(value, BusinessCalendar):
            msg = (
                f"calendar[{key!r}]={value!r} is not allowed; map each schedule id to a "
                "csmetrics.BusinessCalendar (key None: the schedule before any change)"
            )
            raise TypeError(msg)


@attrs.frozen(eq=False)
class TicketSchedules:
    """Every ticket's life cut into pieces, one per schedule in force.

    Attributes
    ----------
    ticket
        The ticket row of each piece; sorted by ticket, then start.
    start
        When the piece's schedule took effect (epoch microseconds).
    calendar
        Index of its calendar in ``calendars``.
    calendars
        The distinct calendars.
    before
        Business microseconds of the ticket's earlier pieces, each whole.
    last
        Per ticket, its last piece.
    end
        When the piece ends: the next piece's start, `OPEN` for the last.
    """

    ticket: I64
    start: I64
    calendar: I64
    calendars: tuple[BusinessCalendar, ...]
    before: I64
    last: I64
    end: I64

    @classmethod
    def of(
        cls, table: Tickets, calendars: Mapping[Any, BusinessCalendar], cutoff: int
    ) -> TicketSchedules:
        """The pieces of ``table``'s tickets up to ``cutoff``, from their schedule changes.

        Before its first change (or without any) a ticket is on the schedule
        of key None, the default; a ticket without a default and without a
        change at its creation, or a change to a schedule id ``calendars``
        does not have, is an `InvalidDataError` naming the ticket.
        """
        _check_calendars(calendars)
        n, changes = len(table), table.schedule_changes
        ids = list(calendars)
        keep = np.flatnonzero(changes.at <= cutoff)
        # Schedule ids of the data to calendar indexes (-1: not in the mapping).
        lookup = np.full(len(changes.value.keys) + 1, -1, dtype=np.int64)
        for code in range(len(changes.value.keys)):
            key = changes.value.key(code)
            if key in calendars:
                lookup[code] = ids.index(key)
        index = lookup[changes.value.codes[keep]]
        if (bad := np.flatnonzero(index < 0)).size:
            row = int(keep[bad[0]])
            bad_record(
                _row_name(table.id, int(changes.ticket[row])),
                "schedule_changes.schedule_id",
                changes.value.key(int(changes.value.codes[row])),
                f"no calendar for this schedule id; calendar= has {sorted(map(str, ids))}",
            )
        ticket, start = changes.ticket[keep], changes.at[keep]
        if None in calendars:
            # The default piece goes before the ticket's changes, so a change
            # at the creation instant supersedes it.
            ticket = np.concatenate([np.arange(n, dtype=np.int64), ticket])
            start = np.concatenate([table.created, start])
            index = np.concatenate([np.full(n, ids.index(None), dtype=np.int64), index])
            order = np.lexsort((start, ticket))
            ticket, start, index = ticket[order], start[order], index[order]
        else:
            first = np.flatnonzero(segment_starts(ticket))
            has = np.zeros(n, dtype=bool)
            has[ticket[first]] = start[first] == table.created[ticket[first]]
            if (missing := np.flatnonzero(~has)).size:
                bad_record(
                    _row_name(table.id, int(missing[0])),
                    "schedule_changes",
                    "no schedule at creation",
                    "give the default schedule as calendar={None: ..., ...}",
                )
        end = np.empty_like(start)
        end[:-1] = start[1:]
        last = np.ones(len(ticket), dtype=bool)
        last[:-1] = segment_starts(ticket)[1:]
        end[last] = np.maximum(start[last], cutoff)
        whole = _business(calendars, ids, index, start, end)
        before = np.cumsum(whole) - whole
        firsts = segment_starts(ticket)
        offsets = np.maximum.accumulate(np.where(firsts, np.arange(len(ticket)), 0))
        before -= before[offsets]
        last_of = np.full(n, -1, dtype=np.int64)
        last_of[ticket[last]] = np.flatnonzero(last)
        return cls(
            ticket=ticket,
            start=start,
            calendar=index,
            calendars=tuple(calendars[key] for key in ids),
            before=before,
            last=last_of,
            end=np.where(last, OPEN, end),
        )

    def piece(self, ticket: I64, at: I64) -> I64:
        """The piece of each ticket in force at ``at``: its last one starting at or before."""
        piece = self.last[ticket]
        late = np.flatnonzero(self.start[piece] > at)
        while late.size:  # steps back one piece at a time: tickets have few
            piece[late] -= 1
            late = late[self.start[piece[late]] > at[late]]
        return piece

    def cumulative(self, ticket: I64, at: I64) -> I64:
        """``B_t(at)``: business microseconds of each ticket from its first piece to ``at``."""
        piece = self.piece(ticket, at)
        partial = np.zeros(len(at), dtype=np.int64)
        for index, calendar in enumerate(self.calendars):
            rows = np.flatnonzero(self.calendar[piece] == index)
            if rows.size:
                seconds = calendar.business_seconds_array(self.start[piece[rows]], at[rows])
                partial[rows] = np.rint(seconds * _US).astype(np.int64)
        out: I64 = self.before[piece] + partial
        return out

    def add_business_seconds(self, ticket: I64, start: I64, seconds: F64) -> I64:
        """The instant at which ``seconds`` of each ticket's open time have passed since ``start``.

        Walks the ticket's pieces from the one holding ``start``: the open
        time left in a piece is spent first, the rest carried into the next
        piece; the last piece runs on for ever. `OPEN` where never.
        """
        out = np.full(len(ticket), OPEN, dtype=np.int64)
        left = np.rint(np.asarray(seconds, dtype=np.float64) * _US).astype(np.int64)
        piece = self.piece(ticket, start)
        since = start.copy()
        rows = np.arange(len(ticket))
        while rows.size:
            p = piece[rows]
            last = self.end[p] == OPEN
            room = np.zeros(len(rows), dtype=np.int64)
            finite = np.flatnonzero(~last)
            for index, calendar in enumerate(self.calendars):
                mine = finite[self.calendar[p[finite]] == index]
                if mine.size:
                    room[mine] = np.rint(
                        calendar.business_seconds_array(since[rows[mine]], self.end[p[mine]]) * _US
                    ).astype(np.int64)
            here = last | (room >= left[rows])
            for index, calendar in enumerate(self.calendars):
                mine = np.flatnonzero(here & (self.calendar[p] == index))
                if mine.size:
                    out[rows[mine]] = calendar.add_business_seconds_array(
                        since[rows[mine]], left[rows[mine]] / _US
                    )
            carry = np.flatnonzero(~here)
            left[rows[carry]] -= room[carry]
            since[rows[carry]] = self.end[p[carry]]
            piece[rows[carry]] += 1
            rows = rows[carry]
        return out

    def business_seconds(self, ticket: I64, start: I64, end: I64) -> F64:
        """Business seconds of ``[start, end)`` of each ticket, under its schedule history.

        ``start`` must be at or after the ticket's first piece (its creation).
        The part in each piece is measured by that piece's calendar: the
        piece holding ``start`` from ``start`` to its end, the whole pieces
        between, and the piece holding ``end`` from its start to ``end``
        (one piece: ``[start, end)`` itself). Under ``convention="split"``
        this is ``B_t(end) - B_t(start)``; under ``"single"`` each part is
        measured whole by the schedule in force at its end, as
        `add_business_seconds` walks the pieces, so a breach time and the
        elapsed time agree.
        """
        if not len(ticket):
            return np.zeros(0)
        first, last = self.piece(ticket, start), self.piece(ticket, end)
        one = first == last
        head_end = np.where(one, end, self.end[first])
        micros = self._within(first, start, head_end)
        many = np.flatnonzero(~one)
        if many.size:
            f, g = first[many], last[many]
            middle = self.before[g] - self.before[f + 1]
            micros[many] += middle + self._within(g, self.start[g], end[many])
        out: F64 = micros.astype(np.float64) / _US
        return out

    def _within(self, piece: I64, start: I64, end: I64) -> I64:
        """Business microseconds of ``[start, end)``, each inside one piece, by its calendar."""
        out = np.zeros(len(piece), dtype=np.int64)
        for index, calendar in enumerate(self.calendars):
            rows = np.flatnonzero(self.calendar[piece] == index)
            if rows.size:
                seconds = calendar.business_seconds_array(start[rows], end[rows])
                out[rows] = np.rint(seconds * _US).astype(np.int64)
        return out


def _business(
    calendars: Mapping[Any, BusinessCalendar], ids: list[Any], index: I64, start: I64, end: I64
) -> I64:
    """Business microseconds of each piece, each under its own calendar."""
    out = np.zeros(len(start), dtype=np.int64)
    for position, key in enumerate(ids):
        rows = np.flatnonzero(index == position)
        if rows.size:
            seconds = calendars[key].business_seconds_array(start[rows], end[rows])
            out[rows] = np.rint(seconds * _US).astype(np.int64)
    return out


class TicketClock:
    """How long a ticket's intervals last, and when a time budget runs out.

    ``seconds(ticket, start, end)`` measures ``[start, end)`` of each row's
    ticket; ``deadline(ticket, start, seconds)`` is the instant at which
    ``seconds`` have passed from ``start`` (`OPEN`: never). Calendar time
    without a calendar, one `BusinessCalendar`'s open hours, or each
    ticket's own schedule history (`TicketSchedules`).
    """

    def __init__(self, table: Tickets, cutoff: int, calendar: CalendarOption) -> None:
        self._one: BusinessCalendar | None = None
        self._schedules: TicketSchedules | None = None
        if isinstance(calendar, Mapping):
            self._schedules = TicketSchedules.of(table, calendar, cutoff)
        elif calendar is not None:
            if not isinstance(calendar, BusinessCalendar):
                msg = f"calendar={calendar!r} is not allowed; use a csmetrics.BusinessCalendar"
                raise TypeError(msg)
            self._one = calendar

    def seconds(self, ticket: I64, start: I64, end: I64) -> F64:
        """Seconds of ``[start, end)`` on each row's ticket clock."""
        if self._schedules is not None:
            return self._schedules.business_seconds(ticket, start, end)
        if self._one is not None:
            return self._one.business_seconds_array(start, end)
        out: F64 = (end - start).astype(np.float64) / _US
        return out

    def deadline(self, ticket: I64, start: I64, seconds: F64) -> I64:
        """The instant ``seconds`` after ``start`` on each row's ticket clock."""
        if self._schedules is not None:
            return self._schedules.add_business_seconds(ticket, start, seconds)
        if self._one is not None:
            return self._one.add_business_seconds_array(start, seconds)
        out: I64 = start + np.rint(np.asarray(seconds) * _US).astype(np.int64)
        return out
