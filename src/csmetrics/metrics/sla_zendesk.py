"""Zendesk's SLA policies as `SLAPolicy` objects, read from a warehouse export.

The Zendesk connector writes a policy's versions to ``sla_policy_history``
(``id``, ``updated_at``, ``title``) and each version's targets to
``sla_policy_metric_history`` (``sla_policy_id``, ``sla_policy_updated_at``,
``metric``, ``priority``, ``target`` in minutes, ``business_hours``), the
tables dbt_zendesk's ``stg_zendesk__sla_policy_history`` and
``stg_zendesk__sla_policy_metric_history`` read. `read_sla_policies` makes
one named `SLAPolicy` per policy, from its latest version, for
`csmetrics.sla_outcomes` and `csmetrics.sla_attainment`.

The reader lives in the metrics layer, next to the `SLAPolicy` it builds:
the readers of `csmetrics.sources` sit below the metrics and cannot build
metric definitions (decision 143).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from csmetrics.core.calendar import BusinessCalendar
from csmetrics.metrics.sla import SLAPolicy, SLARule, SLATarget, TargetName
from csmetrics.sources import files, records, zendesk
from csmetrics.sources.records import Place
from csmetrics.sources.zendesk_schedules import Fail

__all__ = [
    "ZENDESK_METRICS",
    "ZENDESK_PRIORITIES",
    "read_api_sla_policies",
    "read_sla_policies",
]

PathLike = str | os.PathLike[str]

ZENDESK_METRICS: dict[str, TargetName] = {
    "first_reply_time": "first_response",
    "next_reply_time": "next_reply",
    "periodic_update_time": "periodic_update",
    "pausable_update_time": "pausable_update",
    "requester_wait_time": "requester_wait",
    "agent_work_time": "agent_work",
}
"""Zendesk's SLA metric names and the `SLARule` target each one sets."""

ZENDESK_PRIORITIES = ("urgent", "high", "normal", "low")
"""Zendesk's ticket priorities, the keys of an SLA policy's targets."""


def _failing(table: files.Table, row: int) -> Fail:
    def fail(field: str, value: object, why: str) -> NoReturn:
        table.fail(row, field, value, why)

    return fail


class _Targets:
    """The targets of each policy's latest version, checked as they are added."""

    def __init__(self, count: int) -> None:
        # Per policy, per priority: the SLARule fields and their targets.
        self.found: list[dict[str, dict[str, Any]]] = [{} for _ in range(count)]
        self.where: dict[tuple[int, str, str], str] = {}
        self.business: Fail | None = None
        """How to name the first business-hours target, if any."""

    def add(
        self,
        policy: int,
        metric: str,
        priority: str,
        minutes: int,
        *,
        business: bool,
        fail: Fail,
        where: str,
    ) -> None:
        name, level = metric.lower(), priority.lower()
        kind = ZENDESK_METRICS.get(name)
        if kind is None:
            why = f"csmetrics has no such SLA target; expected one of {', '.join(ZENDESK_METRICS)}"
            fail("metric", metric, why)
        if level not in ZENDESK_PRIORITIES:
            fail("priority", priority, f"expected {', '.join(ZENDESK_PRIORITIES)}")
        if minutes <= 0:
            fail("target", minutes, "expected minutes above 0")
        key = (policy, level, name)
        if key in self.where:
            fail("metric", metric, f"{self.where[key]} sets {name} for {level} in the same version")
        self.where[key] = where
        if business and self.business is None:
            self.business = fail
        target = SLATarget(seconds=60.0 * minutes, business=business)
        self.found[policy].setdefault(level, {})[kind] = target

    def policies(
        self, titles: list[str], calendars: dict[str | None, BusinessCalendar] | None
    ) -> tuple[SLAPolicy, ...]:
        out = []
        for title, found in zip(titles, self.found, strict=True):
            rules = [
                SLARule(priority=level, **found[level])
                for level in ZENDESK_PRIORITIES
                if level in found
            ]
            business = any(t.business for rule in found.values() for t in rule.values())
            calendar = calendars if business else None
            out.append(SLAPolicy(name=title, rules=rules, calendar=calendar))
        return tuple(out)


def _versions(directory: Path) -> tuple[files.Table, list[str], list[str], list[int]]:
    """The latest version of each policy: its row, id, title and ``updated_at``."""
    table = files.load(directory, "sla_policy_history", required=("id", "updated_at", "title"))
    assert table is not None  # a required table
    ids = files.keys(table, "id", required=True)
    updated = files.times(table, "updated_at", required=True)
    titles = files.texts(table, "title", required=True)
    versions = np.char.add(np.char.add(ids, "@"), updated.astype(str))
    repeat = files.first_repeat(versions)
    if repeat is not None:
        table.fail(repeat, "updated_at", str(updated[repeat]), f"policy {ids[repeat]} repeats it")
    # Per id, the row of the latest updated_at: sort by (id, updated_at), take each id's last.
    order = np.lexsort((updated, ids))
    last = order[np.append(ids[order][1:] != ids[order][:-1], True)]
    last = np.sort(last)  # the order of the file
    seen: dict[str, int] = {}
    for row in last.tolist():
        title = str(titles[row])
        if title in seen:
            why = f"row {table.row(seen[title])} has the same title; give each policy its own"
            table.fail(row, "title", title, why)
        seen[title] = row
    return table, ids[last].tolist(), titles[last].tolist(), updated[last].tolist()


def read_sla_policies(path: PathLike, /) -> tuple[SLAPolicy, ...]:
    """The SLA policies of a Zendesk export, one named `SLAPolicy` per policy.

    Reads ``sla_policy_history`` (``id``, ``updated_at``, ``title``) and
    ``sla_policy_metric_history`` (``sla_policy_id``,
    ``sla_policy_updated_at``, ``metric``, ``priority``, ``target``,
    ``business_hours``), one ``.csv`` or ``.parquet`` file each.

    - Each policy is its **latest version**: the ``sla_policy_history`` row
      with the latest ``updated_at``, and the metric rows whose
      ``sla_policy_updated_at`` is that time. Older versions are not used.
    - The policy's ``name`` is its ``title``, the value tickets'
      ``sla_policy`` history names (`csmetrics.sources.zendesk.read_tables`).
    - Each **priority** (``urgent``, ``high``, ``normal``, ``low``, in any
      case) gets one `SLARule`; ``metric`` sets its target as
      `ZENDESK_METRICS` maps it (``first_reply_time`` ->
      ``first_response``, ...); ``target`` is whole minutes (> 0).
    - ``business_hours`` true measures the target in business time: each
      ticket's own schedule, the calendars of
      `csmetrics.sources.zendesk.read_schedule_calendars` by schedule id
      (None: the default schedule), which the policy takes as its
      ``calendar``. A policy without such a target has
      no calendar.
    - A row with ``_fivetran_deleted`` true is not data.

    Parameters
    ----------
    path
        The export directory.

    Returns
    -------
    tuple[SLAPolicy, ...]
        One policy per id, in the order of ``sla_policy_history``; pass them
        all to `csmetrics.sla_outcomes` or `csmetrics.sla_attainment`. A
        policy whose latest version has no targets has no rules.

    Raises
    ------
    FileNotFoundError
        The directory does not exist.
    InvalidDataError
        A missing table or column; a metric csmetrics has no target for
        (such as ``total_resolution_time``), an unknown priority, a target
        that is not a whole number of minutes above 0, a bad flag, a metric
        row of a policy id not in ``sla_policy_history``, the same metric
        and priority twice in one version, two policies with one title, a
        business-hours target in an export without schedules. The message
        names the file, the row (the header is row 1) and the field.

    Examples
    --------
    >>> from csmetrics.metrics.sla_zendesk import read_sla_policies
    >>> standard, priority = read_sla_policies("tests/data/zendesk")
    >>> standard.name, standard.rules[0].priority, standard.rules[0].first_response
    ('Standard', 'urgent', SLATarget(seconds=3600.0, business=False))
    """
    directory = Path(path)
    if not directory.is_dir():
        msg = f"{directory}: no such directory"
        raise FileNotFoundError(msg)
    history, ids, titles, updated = _versions(directory)
    table = files.load(
        directory,
        "sla_policy_metric_history",
        required=(
            "sla_policy_id",
            "sla_policy_updated_at",
            "metric",
            "priority",
            "target",
            "business_hours",
        ),
    )
    assert table is not None  # a required table
    policy = files.keys(table, "sla_policy_id", required=True)
    version = files.times(table, "sla_policy_updated_at", required=True)
    metric = files.texts(table, "metric", required=True)
    priority = files.texts(table, "priority", required=True)
    minutes = files.ints(table, "target")
    business = files.flags(table, "business_hours", default=None)
    known = files.index_of(np.asarray(ids, dtype=str), policy)
    if (known < 0).any():
        row = int(np.argmax(known < 0))
        table.fail(row, "sla_policy_id", policy[row], f"no such policy in {history.path}")
    latest = version == np.asarray(updated, dtype=np.int64)[known]
    targets = _Targets(len(ids))
    for row in np.flatnonzero(latest).tolist():
        fail = _failing(table, row)
        targets.add(
            int(known[row]),
            str(metric[row]),
            str(priority[row]),
            int(minutes[row]),
            business=bool(business[row]),
            fail=fail,
            where=f"row {table.row(row)}",
        )
    calendars: dict[str | None, BusinessCalendar] | None = None
    if targets.business is not None:
        calendars = zendesk.read_schedule_calendars(directory)
        if not calendars:
            why = "a business-hours target needs the export's schedule table"
            flagged: object = True
            targets.business("business_hours", flagged, why)
    return targets.policies(titles, calendars)


def read_api_sla_policies(path: PathLike, /) -> tuple[SLAPolicy, ...]:
    """The SLA policies of Zendesk's SLA Policies API, one named `SLAPolicy` per policy.

    ``path`` is a JSON file or a directory of them, as for
    `csmetrics.sources.zendesk.read_api`: pages ``{"sla_policies": [...]}``
    (``GET /api/v2/slas/policies``) or ``{"sla_policy": {...}}`` (one
    policy); other pages and keys are ignored. Each policy has ``id``,
    ``title`` and ``policy_metrics``: objects with ``priority``, ``metric``,
    ``target`` (minutes) and ``business_hours``. The rules are those of
    `read_sla_policies` on the warehouse tables. A policy that several pages
    return is kept in the version with the latest ``updated_at`` (without
    one, the later page). Business-hours targets take the calendars of
    `csmetrics.sources.zendesk.read_api_schedules` on the same ``path``.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    InvalidDataError
        A missing ``id``, ``title`` or field of a target, and the errors of
        `read_sla_policies`; the message names the file, the object
        (``sla_policies[0] (id 1).policy_metrics[2]``) and the field.

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> page = Path(tempfile.mkdtemp()) / "sla_policies.json"
    >>> _ = page.write_text(json.dumps({"sla_policies": [{"id": 1, "title": "Standard",
    ...     "policy_metrics": [{"priority": "low", "metric": "first_reply_time",
    ...                         "target": 60, "business_hours": False}]}]}))
    >>> (standard,) = read_api_sla_policies(page)
    >>> standard.name, standard.rules[0].first_response
    ('Standard', SLATarget(seconds=3600.0, business=False))
    """
    latest: dict[str, tuple[int, Place, dict[str, Any]]] = {}
    for page_place, page in records.pages(path):
        if not isinstance(page, dict):
            continue
        one = page.get("sla_policy")
        data = {"sla_policies": [one]} if isinstance(one, dict) else page
        if "sla_policies" not in data:
            continue
        for place, obj in records.members(page_place, data["sla_policies"], "sla_policies"):
            ident = records.key(place, obj, "id", required=True)
            updated = records.moment(place, obj, "updated_at", required=False)
            stamp = _EARLIEST if updated is None else updated
            if ident not in latest or stamp >= latest[ident][0]:
                latest[ident] = (stamp, place, obj)
    titles: list[str] = []
    seen: dict[str, Place] = {}
    targets = _Targets(len(latest))
    for position, (_, place, obj) in enumerate(latest.values()):
        title = records.key(place, obj, "title", required=True)
        if title in seen:
            why = f"{seen[title].path} has the same title; give each policy its own"
            place.fail("title", title, why)
        seen[title] = place
        titles.append(title)
        for index, metric in enumerate(_list(place, obj, "policy_metrics")):
            at = place.at("policy_metrics").at(index)
            minutes = metric.get("target")
            if isinstance(minutes, bool) or not isinstance(minutes, int):
                at.fail("target", minutes, "expected a whole number of minutes")
            targets.add(
                position,
                records.key(at, metric, "metric", required=True),
                records.key(at, metric, "priority", required=True),
                minutes,
                business=records.flag(at, metric, "business_hours", default=False),
                fail=at.fail,
                where=at.path,
            )
    calendars: dict[str | None, BusinessCalendar] | None = None
    if targets.business is not None:
        found = zendesk.read_api_schedules(path)
        if not found:
            why = "a business-hours target needs the Business Hours API's schedules"
            flagged: object = True
            targets.business("business_hours", flagged, why)
        calendars = dict(found.items())
    return targets.policies(titles, calendars)


_EARLIEST = -(2**63)


def _list(place: Place, obj: dict[str, Any], field: str) -> list[dict[str, Any]]:
    value = obj.get(field)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        place.fail(field, value, "expected a list of objects")
    return value
