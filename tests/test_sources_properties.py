"""Properties of the JSON readers: what an export holds comes back, however it is paged.

- Zendesk: tickets written as the API's pages (tickets, users, audits) read
  back into the same per-ticket metrics as the tickets themselves.
- Freshdesk and Intercom: splitting an export into pages, or reading its
  files in another order, gives the same tickets.
"""

from __future__ import annotations

import itertools
import json
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import csmetrics
from csmetrics import ticket_metrics
from csmetrics.sources import freshdesk, intercom, zendesk
from strategies import tickets

AS_OF = datetime(2026, 4, 1, tzinfo=timezone.utc)
FRESHDESK = Path(__file__).parent / "data" / "freshdesk" / "api"
INTERCOM = Path(__file__).parent / "data" / "intercom"


def iso(moment: datetime) -> str:
    return moment.isoformat()


def zendesk_pages(records: list[csmetrics.Ticket]) -> dict[str, Any]:
    """The tickets as Zendesk's API would return them: tickets, users, audits."""
    users = {"-1": None}
    audits: list[dict[str, Any]] = []

    def user(ident: str, role: str) -> str:
        users.setdefault(ident, role)
        return ident

    pages_tickets = []
    for ticket in records:
        customer = user(f"c-{ticket.customer_id}", "end-user")
        submitter = user("a-submitter", "agent") if ticket.submitter_role == "agent" else customer
        pages_tickets.append(
            {
                "id": str(ticket.id),
                "created_at": iso(ticket.created),
                "requester_id": customer,
                "submitter_id": submitter,
                "status": None,
                "via": {"channel": ticket.channel},
            }
        )
        for message in ticket.messages:
            if message.author == "bot":
                author = "-1"
            elif message.author == "agent":
                author = user(f"a-{message.author_id or 'x'}", "agent")
            else:
                author = customer
            event = {"type": "Comment", "author_id": author, "public": message.public}
            audits.append(
                {"ticket_id": str(ticket.id), "created_at": iso(message.at), "events": [event]}
            )
        for change in ticket.statuses:
            event = {"type": "Change", "field_name": "status", "value": change.status}
            audits.append(
                {"ticket_id": str(ticket.id), "created_at": iso(change.at), "events": [event]}
            )
        for assignment in ticket.assignments:
            value = None if assignment.assignee_id is None else f"a-{assignment.assignee_id}"
            event = {"type": "Change", "field_name": "assignee_id", "value": value}
            audits.append(
                {"ticket_id": str(ticket.id), "created_at": iso(assignment.at), "events": [event]}
            )
    roles = [{"id": ident, "role": role} for ident, role in users.items() if role is not None]
    return {"tickets": pages_tickets, "users": roles, "audits": audits}


def comparable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: str(row["ticket_id"]))


@given(tickets(max_size=6))
def test_zendesk_api_pages_read_back_into_the_same_metrics(
    records: list[csmetrics.Ticket],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for name, items in zendesk_pages(records).items():
            Path(folder, f"{name}.json").write_text(json.dumps({name: items}), encoding="utf-8")
        read = zendesk.read_api(folder)
    expected = ticket_metrics(records, as_of=AS_OF).to_rows()
    for row in expected:
        row["ticket_id"] = str(row["ticket_id"])
    assert comparable(ticket_metrics(read, as_of=AS_OF).to_rows()) == comparable(expected)


def _items(folder: Path) -> list[Any]:
    """Every top-level object of every file of an example export, in file order."""
    out: list[Any] = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "conversations" in data and "requester_id" not in data:
            data = data["conversations"]
        out.extend(data if isinstance(data, list) else [data])
    return out


@given(st.data())
def test_freshdesk_pages_in_any_split_and_order(data: st.DataObject) -> None:
    items = data.draw(st.permutations(_items(FRESHDESK)))
    cuts = sorted(data.draw(st.sets(st.integers(1, len(items) - 1), max_size=4)))
    bounds = [0, *cuts, len(items)]
    with tempfile.TemporaryDirectory() as folder:
        for number, (low, high) in enumerate(itertools.pairwise(bounds)):
            page = json.dumps(items[low:high])
            Path(folder, f"page-{number:03d}.json").write_text(page, encoding="utf-8")
        read = freshdesk.read_api(folder, statuses={6: "hold"})
    expected = freshdesk.read_api(FRESHDESK, statuses={6: "hold"})
    assert comparable(ticket_metrics(read, as_of=AS_OF).to_rows()) == comparable(
        ticket_metrics(expected, as_of=AS_OF).to_rows()
    )


@given(st.data())
def test_intercom_pages_in_any_order(data: st.DataObject) -> None:
    items = data.draw(st.permutations(_items(INTERCOM)))
    with tempfile.TemporaryDirectory() as folder:
        page = {"type": "conversation.list", "conversations": items}
        Path(folder, "all.json").write_text(json.dumps(page), encoding="utf-8")
        read = intercom.read_api(folder)
    expected = intercom.read_api(INTERCOM)
    assert comparable(ticket_metrics(read, as_of=AS_OF).to_rows()) == comparable(
        ticket_metrics(expected, as_of=AS_OF).to_rows()
    )
