"""Numbers as people read them: the one rounding rule of reports and reprs.

The library computes unrounded; only what is shown to a person is rounded,
and always the same way, so a result's ``repr`` in a notebook and its row in
a KPI report agree:

| unit | shown as | example |
| --- | --- | --- |
| ``"fraction"`` | percent, one decimal | ``0.6504`` as ``65.0%`` |
| ``"points"`` | NPS points, signed, one decimal | ``4.65`` as ``+4.7`` |
| ``"seconds"`` | the largest units that read well | ``15234.3`` as ``4h 13m`` |
| anything else | two decimals | ``4.8241`` as ``4.82`` |

``nan`` is ``n/a`` in every unit.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

__all__ = ["difference", "number", "seconds_text", "value_text"]

_MINUTE = 60
_HOUR = 60
_TWO_DAYS_IN_HOURS = 48


def seconds_text(value: float) -> str:  # noqa: PLR0911 (one return per unit reads best)
    """Seconds in the units that read best: ``26s``, ``13m 14s``, ``4h 13m``, ``2d 03h``.

    Below 10 seconds one decimal is kept unless the value is whole; below a
    minute whole seconds; then minutes and seconds, hours and minutes (below
    48 hours), days and hours. ``inf`` and ``-inf`` stay as they are; a
    negative duration (a difference) keeps its sign.

    >>> seconds_text(26.0), seconds_text(2.5), seconds_text(794.0), seconds_text(15234.3)
    ('26s', '2.5s', '13m 14s', '4h 13m')
    >>> seconds_text(200000.0), seconds_text(-90.0)
    ('2d 07h', '-1m 30s')
    """
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value < 0:
        return "-" + seconds_text(-value)
    seconds = round(value)
    if seconds < _MINUTE:
        return f"{value:.0f}s" if value >= 10 or value == seconds else f"{value:.1f}s"
    minutes, s = divmod(seconds, _MINUTE)
    if minutes < _HOUR:
        return f"{minutes}m {s:02d}s"
    hours, m = divmod(minutes, _HOUR)
    if hours < _TWO_DAYS_IN_HOURS:
        return f"{hours}h {m:02d}m"
    days, h = divmod(hours, 24)
    return f"{days}d {h:02d}h"


def number(value: float, unit: str) -> str:
    """``value`` rounded for a person in its ``unit`` (see the module docstring).

    >>> number(0.650434, "fraction"), number(4.651, "points"), number(4.8241, "mean")
    ('65.0%', '+4.7', '4.82')
    >>> number(float("nan"), "fraction")
    'n/a'
    """
    if math.isnan(value):
        return "n/a"
    if unit == "fraction":
        return f"{100 * value:.1f}%"
    if unit == "points":
        return f"{value:+.1f}"
    if unit == "seconds":
        return seconds_text(value)
    return f"{value:.2f}"


def difference(value: float, unit: str) -> str:
    """A difference of two values in ``unit``, signed: rates in percentage points.

    >>> difference(0.152, "fraction"), difference(-90.0, "seconds"), difference(3.25, "points")
    ('+15.2 pp', '-1m 30s', '+3.2')
    """
    if math.isnan(value):
        return "n/a"
    if unit == "fraction":
        return f"{100 * value:+.1f} pp"
    if unit == "seconds":
        text = seconds_text(value)
        return text if text.startswith("-") else "+" + text
    if unit == "points":
        return f"{value:+.1f}"
    return f"{value:+.2f}"


def value_text(value: object) -> str:  # noqa: PLR0911 (one return per kind of value)
    """Any other shown value: as its user would write it, not as Python's repr.

    Text in quotes, floats to 4 significant digits, datetimes in ISO 8601,
    timedeltas as `seconds_text`, a `Window` as ``start..end``, tuples
    element by element, everything else as ``str``.

    >>> from datetime import datetime, timezone
    >>> value_text("fcr"), value_text(7.0), value_text(datetime(2026, 4, 3, tzinfo=timezone.utc))
    ("'fcr'", '7', '2026-04-03T00:00:00+00:00')
    """
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return seconds_text(value.total_seconds())
    if isinstance(value, tuple):
        return "(" + ", ".join(value_text(item) for item in value) + ")"
    start, end = getattr(value, "start", None), getattr(value, "end", None)
    if isinstance(start, datetime) and isinstance(end, datetime):
        return f"{start.isoformat()}..{end.isoformat()}"
    return str(value)
