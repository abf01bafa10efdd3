"""The one HTML table renderer behind every ``_repr_html_`` and the HTML report."""

from __future__ import annotations

from datetime import datetime, timezone

import csmetrics
from csmetrics.core import html


def test_cells_are_escaped_and_values_shown_short():
    out = html.table(["agent", "rate"], [["<b>&", 0.123456789]], caption="x<y", numeric={1})
    assert "<caption>x&lt;y</caption>" in out
    assert "<td>&lt;b&gt;&amp;</td>" in out
    assert '<td class="n">0.123457</td>' in out


def test_show_formats_floats_and_times():
    assert html.show(1 / 3) == "0.333333"
    assert html.show(datetime(2026, 3, 2, 9, tzinfo=timezone.utc)) == "2026-03-02T09:00:00+00:00"
    assert html.show(7) == "7"


def test_records_without_rows_say_so():
    assert html.records([], empty="no <groups>") == "<p>no &lt;groups&gt;</p>"
    out = html.records([{"a": 1, "b": 2}], empty="", columns=["b"])
    assert "<th>b</th>" in out
    assert "<th>a</th>" not in out


def test_results_render_through_it():
    out = csmetrics.nps([10, 9, 0])._repr_html_()
    assert out.startswith("<table><caption>NPS</caption>")
    assert "<tr><th>promoters</th><td>2</td></tr>" in out
