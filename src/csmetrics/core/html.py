"""The one HTML table renderer: notebooks' ``_repr_html_`` and the HTML report use it."""

from __future__ import annotations

import html
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

__all__ = ["fields", "records", "show", "table"]


def show(value: object) -> str:
    """A value as a table shows it: floats to 6 significant digits, times in ISO 8601."""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def table(
    header: Sequence[str],
    body: Sequence[Sequence[object]],
    *,
    caption: str | None = None,
    numeric: Collection[int] = (),
) -> str:
    """An HTML table; every cell is escaped, and columns in ``numeric`` align right."""
    esc = html.escape
    head = "".join(f"<th>{esc(c)}</th>" for c in header)
    lines = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{esc(show(c))}</td>' if i in numeric else f"<td>{esc(show(c))}</td>"
            for i, c in enumerate(cells)
        )
        + "</tr>"
        for cells in body
    )
    top = f"<caption>{esc(caption)}</caption>" if caption is not None else ""
    return f"<table>{top}<thead><tr>{head}</tr></thead><tbody>{lines}</tbody></table>"


def fields(caption: str, values: Mapping[str, object]) -> str:
    """A two-column table of named values (a result's fields), one row each."""
    esc = html.escape
    rows = "".join(
        f"<tr><th>{esc(name)}</th><td>{esc(show(value))}</td></tr>"
        for name, value in values.items()
    )
    return f"<table><caption>{esc(caption)}</caption>{rows}</table>"


def records(
    rows: Sequence[Mapping[str, object]],
    *,
    empty: str,
    columns: Sequence[str] | None = None,
    caption: str | None = None,
) -> str:
    """A table of rows (``to_rows()`` output) in ``columns`` order; ``empty`` when none."""
    if not rows:
        return f"<p>{html.escape(empty)}</p>"
    keys = list(rows[0]) if columns is None else list(columns)
    return table(keys, [[row[k] for k in keys] for row in rows], caption=caption)
