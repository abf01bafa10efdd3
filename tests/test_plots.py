"""Tests of csmetrics.report.plots: each plot draws the numbers of its result, and nothing else.

The drawn data are read back from the Axes (line data, bar heights, scatter
offsets) and compared with the result they came from, or with the metric
called directly (the service-level curve against `service_level` at each
threshold, the duration curve against `kaplan_meier`).
"""

from __future__ import annotations

import base64
import subprocess
import sys
import warnings
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from matplotlib.axes import Axes  # noqa: E402, TC002 (after the importorskip)
from matplotlib.figure import Figure  # noqa: E402

import csmetrics  # noqa: E402
from csmetrics import BusinessCalendar, Durations, Interaction, UndefinedMetricWarning  # noqa: E402
from csmetrics.adapters.datasets import sample  # noqa: E402
from csmetrics.core.stats import funnel_limits, kaplan_meier  # noqa: E402
from csmetrics.report.plots import (  # noqa: E402
    figure_data_uri,
    plot_durations,
    plot_funnel,
    plot_pareto,
    plot_service_level,
    plot_trend,
)

UTC = timezone.utc
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def new_axes() -> Axes:
    return Figure().add_subplot()


def line(ax: Axes, label: str):
    found = [item for item in ax.lines if item.get_label() == label]
    assert len(found) == 1, [item.get_label() for item in ax.lines]
    return found[0]


def labels(ax: Axes) -> list[str]:
    return [str(item.get_label()) for item in ax.lines]


def ydata(artist) -> np.ndarray:
    return np.asarray(artist.get_ydata(), dtype=np.float64)


def xdata(artist) -> np.ndarray:
    return np.asarray(artist.get_xdata(), dtype=np.float64)


# -- trend --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def weekly():
    return csmetrics.trend(sample().interactions, csmetrics.resolution_rate, every="week")


@pytest.fixture(scope="module")
def weekly_fcr():
    # The last week's FCR is still pending: an empty period inside the trend.
    with pytest.warns(UndefinedMetricWarning, match="undefined in 1 of 13 periods"):
        return csmetrics.trend(sample().interactions, csmetrics.fcr, every="week")


def test_trend_line_holds_each_period_value_at_its_local_start(weekly):
    ax = plot_trend(weekly)
    values = ax.lines[0]
    np.testing.assert_array_equal(ydata(values), weekly.values)
    starts = [w.start.replace(tzinfo=None) for w in weekly.windows]
    assert list(values.get_xdata()) == list(np.array(starts, dtype="datetime64[us]"))
    assert ax.get_title() == "Resolution rate per week"
    assert ax.get_xlabel() == "week starting (UTC)"


def test_trend_periods_start_in_the_trend_time_zone():
    berlin = csmetrics.trend(
        sample().interactions, csmetrics.resolution_rate, every="month", timezone="Europe/Berlin"
    )
    first = plot_trend(berlin).lines[0].get_xdata()[0]
    assert first == np.datetime64("2026-01-01T00:00")


def test_trend_band_is_each_period_interval(weekly):
    ax = plot_trend(weekly)
    (band,) = ax.collections
    intervals = [p.result.ci(confidence_level=weekly.confidence_level) for p in weekly.points]
    vertices = band.get_paths()[0].vertices[:, 1]
    assert vertices.min() == pytest.approx(min(ci.low for ci in intervals), abs=1e-12)
    assert vertices.max() == pytest.approx(max(ci.high for ci in intervals), abs=1e-12)
    assert band.get_label() == "95% interval"


def test_trend_marks_the_significant_changes(weekly):
    assert weekly.changes  # the sample has some
    marked = line(plot_trend(weekly), "significant change")
    np.testing.assert_array_equal(ydata(marked), [p.value for p in weekly.changes])


def test_trend_slope_line_is_the_fitted_slope(weekly):
    fitted = ydata(line(plot_trend(weekly), "fitted slope"))
    s = weekly.slope
    np.testing.assert_allclose(fitted, s.intercept + s.estimate * np.arange(len(weekly)))
    assert "fitted slope" not in labels(plot_trend(weekly, show_slope=False))


def test_trend_target_is_a_horizontal_line(weekly):
    target = line(plot_trend(weekly, target=0.9), "target")
    assert ydata(target).tolist() == [0.9, 0.9]


def test_trend_empty_period_is_a_gap_marked_at_the_foot(weekly_fcr):
    ax = plot_trend(weekly_fcr)
    values = ydata(ax.lines[0])
    assert np.isnan(values[-1])
    np.testing.assert_array_equal(values, weekly_fcr.values)
    empty = line(ax, "no value")
    assert list(empty.get_xdata()) == [ax.lines[0].get_xdata()[-1]]
    # The band has no polygon for the empty period: its x range stops before it.
    (band,) = ax.collections
    assert band.get_paths()[0].vertices[:, 0].max() < ax.lines[0].convert_xunits(
        ax.lines[0].get_xdata()[-1]
    )


def test_trend_of_times_is_drawn_in_hours():
    t = csmetrics.trend(sample().interactions, csmetrics.resolution_time, every="week")
    ax = plot_trend(t)
    np.testing.assert_allclose(ydata(ax.lines[0]), t.values / 3600)
    assert ax.get_ylabel() == "Resolution time (median, hours)"


def test_trend_of_nps_is_in_points():
    t = csmetrics.trend(sample().surveys, csmetrics.nps, every="month")
    ax = plot_trend(t)
    np.testing.assert_array_equal(ydata(ax.lines[0]), t.values)
    assert ax.get_ylabel() == "NPS"


def test_trend_without_periods_draws_nothing():
    with pytest.warns(UndefinedMetricWarning):
        empty = csmetrics.trend([], csmetrics.fcr)
    ax = plot_trend(empty)
    assert len(ydata(ax.lines[0])) == 0
    assert not ax.collections


def test_trend_rejects_a_bad_target(weekly):
    with pytest.raises(ValueError, match=r"target=nan is not allowed"):
        plot_trend(weekly, target=float("nan"))


# -- pareto -------------------------------------------------------------------------------------


def twin_of(ax: Axes) -> Axes:
    (twin,) = [other for other in ax.figure.axes if other is not ax]
    return twin


def test_pareto_bars_are_the_counts_in_result_order():
    reasons = csmetrics.pareto(sample().interactions)
    ax = plot_pareto(reasons)
    assert [bar.get_height() for bar in ax.patches] == reasons.counts.tolist()
    assert [bar.get_x() + bar.get_width() / 2 for bar in ax.patches] == list(range(len(reasons)))
    assert [t.get_text() for t in ax.get_xticklabels()] == list(reasons.keys)


def test_pareto_vital_few_are_coloured_and_cut_off():
    reasons = csmetrics.pareto(sample().interactions)
    vital = len(reasons.vital_few)
    assert 0 < vital < len(reasons)
    ax = plot_pareto(reasons)
    colours = [bar.get_facecolor() for bar in ax.patches]
    assert len(set(colours[:vital])) == 1
    assert colours[vital - 1] != colours[vital]
    (cut,) = ax.lines
    assert xdata(cut).tolist() == [vital - 0.5, vital - 0.5]


def test_pareto_cumulative_share_is_on_a_percent_twin_axis():
    reasons = csmetrics.pareto(sample().interactions, share=0.6)
    twin = twin_of(plot_pareto(reasons))
    np.testing.assert_array_equal(ydata(line(twin, "cumulative share")), reasons.cumulative)
    assert ydata(line(twin, "60% share")).tolist() == [0.6, 0.6]
    assert twin.get_ylim() == (0.0, 1.05)


def test_pareto_of_a_single_reason():
    contacts = [
        Interaction(id=i, customer_id="c", start=T0, end=T0, category="billing") for i in range(3)
    ]
    ax = plot_pareto(csmetrics.pareto(contacts))
    assert [bar.get_height() for bar in ax.patches] == [3]
    assert not ax.lines  # all reasons are vital: no cut-off between bars
    assert ydata(line(twin_of(ax), "cumulative share")).tolist() == [1.0]


def test_pareto_missing_reason_is_named():
    contacts = [Interaction(id=1, customer_id="c", start=T0, end=T0)]
    ax = plot_pareto(csmetrics.pareto(contacts))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["(none)"]


def test_pareto_without_contacts_draws_no_bar():
    with pytest.warns(UndefinedMetricWarning):
        empty = csmetrics.pareto([])
    ax = plot_pareto(empty)
    assert not ax.patches
    assert len(ydata(line(twin_of(ax), "cumulative share"))) == 0


# -- funnel -------------------------------------------------------------------------------------

# The team of docs/metrics/complaint_rate.md: Bob is flagged, Cy (1 of 1) is not.
TEAM = {
    "ann": (420, 9),
    "bob": (380, 30),
    "cy": (1, 1),
    "dee": (450, 12),
    "eli": (300, 14),
    "fay": (410, 10),
    "gus": (35, 2),
}


@pytest.fixture(scope="module")
def team_contacts():
    return [
        Interaction(
            id=f"{agent}-{i}",
            customer_id=f"{agent}-{i}",
            start=T0 + timedelta(minutes=i),
            end=T0 + timedelta(minutes=i + 6),
            agent_id=agent,
            complaint=i < complaints,
        )
        for agent, (n, complaints) in TEAM.items()
        for i in range(n)
    ]


def test_funnel_points_are_volume_and_rate(team_contacts):
    funnel = csmetrics.complaint_rate(team_contacts, by="agent_id")
    ax = plot_funnel(funnel)
    within, flagged = ax.collections
    expected_within = [(r.denominator, r.value) for r in funnel.values() if not r.flagged]
    np.testing.assert_array_equal(within.get_offsets(), expected_within)
    np.testing.assert_array_equal(flagged.get_offsets(), [(380, 30 / 380)])
    assert [text.get_text() for text in ax.texts] == ["bob"] == funnel.flagged


def test_funnel_curves_are_the_funnel_limits(team_contacts):
    for method in ("exact", "normal"):
        funnel = csmetrics.complaint_rate(team_contacts, by="agent_id", limits=method)
        ax = plot_funnel(funnel)
        assert (
            ydata(line(ax, f"team rate {funnel.team_rate:.2%}")).tolist() == [funnel.team_rate] * 2
        )
        for coverage in (0.95, 0.998):
            low_line = line(ax, f"{coverage * 100:g}% limits")  # the upper curve has no label
            volumes = xdata(low_line).astype(int)
            assert volumes[0] == 1
            assert volumes[-1] >= 450
            expected = [
                funnel_limits(funnel.team_rate, int(n), coverage=coverage, method=method)
                for n in volumes
            ]
            np.testing.assert_array_equal(ydata(low_line), [low for low, _ in expected])


def test_funnel_upper_curve_passes_through_each_group_limit(team_contacts):
    funnel = csmetrics.complaint_rate(team_contacts, by="agent_id")
    ax = plot_funnel(funnel)
    curves = [item for item in ax.lines if item.get_linestyle() == ":"]
    high = curves[1]  # the upper 99.8% curve, drawn after the lower one
    at = dict(zip(xdata(high).astype(int).tolist(), ydata(high).tolist(), strict=True))
    for r in funnel.values():
        if r.denominator in at:
            assert at[r.denominator] == r.high998


def test_funnel_on_the_sample_labels_the_flagged_agent():
    funnel = csmetrics.complaint_rate(sample().interactions, by="agent_id")
    ax = plot_funnel(funnel)
    assert funnel.team_rate == pytest.approx(46 / 2955)
    assert [text.get_text() for text in ax.texts] == ["A02"]
    # Flagged agents are drawn as their own, highlighted points.
    assert [len(c.get_offsets()) for c in ax.collections] == [len(funnel) - 1, 1]


def test_funnel_without_contacts_draws_no_curve():
    with pytest.warns(UndefinedMetricWarning):
        empty = csmetrics.complaint_rate([], by="agent_id")
    ax = plot_funnel(empty)
    assert not ax.lines
    assert all(len(c.get_offsets()) == 0 for c in ax.collections)


def test_funnel_refuses_a_plain_breakdown(team_contacts):
    rates = csmetrics.resolution_rate(team_contacts, by="agent_id")
    with pytest.raises(TypeError, match=r"must be a Funnel result.*got Breakdown"):
        plot_funnel(rates)


# -- service level ------------------------------------------------------------------------------


def answered(i: int, wait: float, channel: str = "phone") -> Interaction:
    start = T0 + timedelta(minutes=i)
    answer = start + timedelta(seconds=wait)
    return Interaction(
        id=f"an{i}",
        customer_id=f"c{i}",
        start=start,
        channel=channel,
        first_response_at=answer,
        end=answer + timedelta(minutes=4),
    )


def abandoned(i: int, wait: float) -> Interaction:
    start = T0 + timedelta(minutes=i)
    return Interaction(
        id=f"ab{i}",
        customer_id=f"c{i}",
        start=start,
        channel="phone",
        end=start + timedelta(seconds=wait),
        abandoned=True,
    )


# Waits on the thresholds test the boundary (wait <= threshold is within).
CALLS = [
    *(answered(i, w) for i, w in enumerate((5, 10, 15, 20, 20, 25, 40, 90.5))),
    *(abandoned(20 + i, w) for i, w in enumerate((3, 12, 20, 30, 200))),
    Interaction(id="w", customer_id="cw", start=T0 + timedelta(minutes=50), channel="phone"),
    Interaction(
        id="u",
        customer_id="cu",
        start=T0 + timedelta(minutes=9),
        end=T0 + timedelta(minutes=10),
        channel="phone",
    ),
]
AS_OF = T0 + timedelta(hours=1)
GRID = [1, 3, 5, 10, 12, 15, 19.99, 20, 20.01, 30, 60, 90.5, 200, 3000]
OPTIONS = [
    {"formula": "offered"},
    {"formula": "answered"},
    {"formula": "abandoned_within_met"},
    {"formula": "abandoned_within_excluded"},
    {"formula": "short_abandoned_excluded", "short_abandon": 12},
]


def service_levels(contacts, grid, **options) -> list[float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        return [
            csmetrics.service_level(contacts, threshold=t, as_of=AS_OF, **options).value
            for t in grid
        ]


@pytest.mark.parametrize("options", OPTIONS, ids=[o["formula"] for o in OPTIONS])
def test_service_level_curve_equals_service_level_at_each_threshold(options):
    ax = plot_service_level(CALLS, thresholds=GRID, as_of=AS_OF, **options)
    # Exactly equal, not approximately: the same counts and the same division.
    assert ydata(ax.lines[0]).tolist() == service_levels(CALLS, GRID, **options)
    np.testing.assert_allclose(xdata(ax.lines[0]) * 60, GRID)  # drawn in minutes
    assert ax.get_xlabel() == "threshold (minutes)"


def test_service_level_default_grid_runs_to_the_95th_percentile_wait():
    ax = plot_service_level(CALLS, as_of=AS_OF)
    waits = [5, 10, 15, 20, 20, 25, 40, 90.5, 3, 12, 20, 30, 200]
    grid = np.linspace(0, np.quantile(waits, 0.95), 101)[1:]
    np.testing.assert_allclose(xdata(ax.lines[0]) * 60, grid)
    assert ydata(ax.lines[0]).tolist() == service_levels(CALLS, grid.tolist())


def test_service_level_thresholds_as_timedeltas():
    ax = plot_service_level(
        CALLS, thresholds=[timedelta(seconds=20), timedelta(minutes=1)], as_of=AS_OF
    )
    assert ydata(ax.lines[0]).tolist() == service_levels(CALLS, [20, 60])


def test_service_level_curve_in_business_time():
    office = BusinessCalendar(timezone="UTC", hours={"mon": [("09:00", "09:30")]})
    ax = plot_service_level(CALLS, thresholds=GRID, as_of=AS_OF, calendar=office)
    expected = service_levels(CALLS, GRID, calendar=office)
    assert ydata(ax.lines[0]).tolist() == expected
    assert ax.get_xlabel() == "threshold (minutes, business time)"


def test_service_level_curve_on_the_sample_matches_service_level():
    contacts = sample().interactions
    ax = plot_service_level(contacts, thresholds=[20, 60, 3600])
    expected = [csmetrics.service_level(contacts, threshold=t).value for t in (20, 60, 3600)]
    assert ydata(ax.lines[0]).tolist() == expected


def test_service_level_curve_partly_undefined_warns_once():
    # Everyone abandoned: "abandoned_within_excluded" has no denominator once all are within.
    calls = [abandoned(i, w) for i, w in enumerate((5, 10))]
    with pytest.warns(UndefinedMetricWarning, match="undefined at 1 of 3 thresholds"):
        ax = plot_service_level(calls, thresholds=[1, 6, 10], formula="abandoned_within_excluded")
    assert ydata(ax.lines[0])[:2].tolist() == [0.0, 0.0]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"thresholds": [10, 0]}, r"thresholds\[1\]=0 is not allowed"),
        ({"thresholds": [-5]}, r"thresholds\[0\]=-5 is not allowed"),
        ({"formula": "icmi"}, r"formula='icmi' is not allowed"),
        ({"short_abandon": 5}, r"short_abandon=5 with formula='offered'"),
        ({"formula": "short_abandoned_excluded"}, r"short_abandon=None with formula="),
    ],
)
def test_service_level_curve_rejects_bad_options(options, message):
    with pytest.raises(ValueError, match=message):
        plot_service_level(CALLS, as_of=AS_OF, **options)


# -- durations ----------------------------------------------------------------------------------


def km_of(result: Durations):
    everything = np.concatenate((result.durations, result.censoring_times))
    observed = np.arange(len(everything)) < result.completed
    return kaplan_meier(everything, observed)


def test_duration_curve_steps_are_the_kaplan_meier_estimate():
    result = csmetrics.resolution_time(sample().interactions)
    assert result.censored > 0
    ax = plot_durations(result)
    curve = line(ax, "share still open")
    times, survival = km_of(result)
    assert curve.get_drawstyle() == "steps-post"
    assert ydata(curve)[0] == 1.0
    np.testing.assert_array_equal(ydata(curve)[1:-1], survival)
    np.testing.assert_allclose(xdata(curve)[1:-1] * 86400, times)  # drawn in days
    assert xdata(curve)[-1] * 86400 == pytest.approx(result.censoring_times.max())
    assert ax.get_xlabel() == "time (days)"


def test_duration_curve_ticks_open_work_on_the_curve():
    result = Durations(durations=[60, 120, 240, 600], censoring_times=[30, 300, 900])
    ax = plot_durations(result)
    ticks = line(ax, "still open at as_of (3)")
    np.testing.assert_allclose(xdata(ticks) * 60, [30, 300, 900])
    # At risk 6, 5, 4 at 60, 120, 240 s: S(300) = 5/6 * 4/5 * 3/4; at risk 2 at 600 s.
    np.testing.assert_allclose(ydata(ticks), [1.0, 0.5, 0.25])


def test_duration_curve_ticks_each_distinct_open_time_once_and_counts_every_unit():
    result = Durations(durations=[60, 120], censoring_times=[30, 30, 30, 300])
    ticks = line(plot_durations(result), "still open at as_of (4)")
    np.testing.assert_allclose(xdata(ticks) * 60, [30, 300])


def test_duration_curve_marks_the_median():
    result = Durations(durations=[60, 120, 240, 600], censoring_times=[300])
    ax = plot_durations(result)
    median = line(ax, "median 4 minutes")
    assert (xdata(median)[0] * 60, ydata(median)[0]) == (result.median, 0.5)


def test_duration_curve_everything_open_stays_at_one_without_median():
    result = Durations(censoring_times=[60, 3600, 7200])
    ax = plot_durations(result)
    curve = line(ax, "share still open")
    assert ydata(curve).tolist() == [1.0, 1.0]
    assert xdata(curve).tolist() == [0.0, 2.0]  # hours
    assert not [lab for lab in labels(ax) if lab.startswith("median")]


def test_duration_curve_with_excluded_open_work_has_no_ticks():
    result = Durations(durations=[60, 120], censoring_times=[300], censoring="exclude")
    ax = plot_durations(result)
    assert ydata(line(ax, "share still open")).tolist() == [1.0, 0.5, 0.0, 0.0]
    assert not [lab for lab in labels(ax) if lab.startswith("still open")]


def test_duration_curve_of_nothing_draws_nothing():
    ax = plot_durations(Durations())
    assert not ax.lines


def test_duration_curve_of_a_group():
    per_agent = csmetrics.resolution_time(sample().interactions, by="agent_id")
    ax = plot_durations(per_agent["A01"])
    _, survival = km_of(per_agent["A01"])
    np.testing.assert_array_equal(ydata(ax.lines[0])[1:-1], survival)
    with pytest.raises(TypeError, match=r"must be a Durations result.*got Breakdown"):
        plot_durations(per_agent)


# -- shared behaviour ---------------------------------------------------------------------------


def drawings():
    reasons = csmetrics.pareto(sample().interactions)
    funnel = csmetrics.complaint_rate(sample().interactions, by="agent_id")
    weekly = csmetrics.trend(sample().interactions, csmetrics.resolution_rate, every="week")
    durations = csmetrics.resolution_time(sample().interactions)
    return [
        (plot_trend, weekly),
        (plot_pareto, reasons),
        (plot_funnel, funnel),
        (plot_durations, durations),
        (plot_service_level, CALLS),
    ]


@pytest.mark.parametrize("index", range(5))
def test_plots_draw_on_the_axes_given(index):
    plot, data = drawings()[index]
    ax = new_axes()
    assert plot(data, ax=ax) is ax
    assert ax.lines or ax.patches


@pytest.mark.parametrize("index", range(5))
def test_plots_make_a_figure_without_pyplot(index):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    plot, data = drawings()[index]
    ax = plot(data)
    assert isinstance(ax.figure, Figure)
    assert plt.get_fignums() == before


@pytest.mark.parametrize(
    ("plot", "expected"),
    [
        (plot_trend, "trend must be a Trend result, as returned by csmetrics.trend"),
        (plot_pareto, "pareto must be a Pareto result, as returned by csmetrics.pareto"),
        (plot_funnel, "funnel must be a Funnel result, as returned by csmetrics.complaint_rate"),
        (plot_durations, "durations must be a Durations result, as returned by csmetrics"),
    ],
)
def test_plots_refuse_the_wrong_result_kind(plot, expected):
    rate = csmetrics.Rate(numerator=1, denominator=2)
    with pytest.raises(TypeError, match=rf"^{expected}.*; got Rate$"):
        plot(rate)


def test_plots_refuse_an_ax_that_is_not_an_axes():
    with pytest.raises(TypeError, match=r"ax='left' is not allowed; use a matplotlib Axes"):
        plot_durations(Durations(durations=[1]), ax="left")


def test_figure_data_uri_is_a_png():
    ax = plot_durations(Durations(durations=[60, 120]))
    for source in (ax, ax.figure):
        uri = figure_data_uri(source)
        assert uri.startswith("data:image/png;base64,")
        assert base64.b64decode(uri.removeprefix("data:image/png;base64,")).startswith(PNG_MAGIC)


def test_figure_data_uri_of_a_subfigure_renders_the_whole_figure():
    figure = Figure()
    left, _ = figure.subfigures(1, 2)
    ax = left.add_subplot()
    assert figure_data_uri(left) == figure_data_uri(ax) == figure_data_uri(figure)


def test_figure_data_uri_refuses_other_objects():
    with pytest.raises(TypeError, match=r"takes a matplotlib Axes or Figure, got str"):
        figure_data_uri("plot.png")


def test_importing_csmetrics_does_not_import_matplotlib():
    code = "import sys, csmetrics, csmetrics.report.plots; print('matplotlib' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_plots_without_matplotlib_say_which_extra_to_install(monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r'pip install "csmetrics\[plot\]"'):
        plot_durations(Durations(durations=[1]))
    with pytest.raises(ImportError, match=r'pip install "csmetrics\[plot\]"'):
        figure_data_uri(object())


def test_dates_are_naive_local_wall_clock():
    # A day in Berlin starts at 23:00 UTC the day before; the axis shows local midnight.
    contacts = [
        Interaction(
            id=i,
            customer_id="c",
            start=datetime(2026, 3, 2, 12, tzinfo=ZoneInfo("Europe/Berlin")),
            end=datetime(2026, 3, 2, 13, tzinfo=UTC),
            resolved=True,
        )
        for i in range(2)
    ]
    with pytest.warns(UndefinedMetricWarning, match="fewer than two defined periods"):
        t = csmetrics.trend(
            contacts, csmetrics.resolution_rate, every="day", timezone="Europe/Berlin"
        )
    assert plot_trend(t).lines[0].get_xdata()[0] == np.datetime64("2026-03-02T00:00")


def test_trend_small_periods_are_drawn_hollow():
    t = csmetrics.trend(sample().interactions, csmetrics.resolution_rate, every="week", min_n=170)
    small = [p.value for p in t.points if not p.reliable]
    assert 0 < len(small) < len(t)
    np.testing.assert_array_equal(ydata(line(plot_trend(t), "n < 170")), small)


# -- legends never cover data -------------------------------------------------------------------


def _drawn(ax: Axes):
    """The figure drawn with Agg, and the renderer, so extents are final."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(ax.figure)
    canvas.draw()
    return canvas.get_renderer()


def _legend_extent(ax: Axes):
    legends = [a.get_legend() for a in ax.figure.axes if a.get_legend() is not None]
    assert len(legends) == 1
    return legends[0].get_window_extent(_drawn(ax))


def _funnel():
    contacts = [
        Interaction(id=f"{a}{i}", customer_id=f"{a}{i}", start=T0, end=T0, agent_id=a,
                    complaint=i < c)
        for a, n, c in (("ann", 400, 8), ("bob", 400, 30), ("dee", 400, 10))
        for i in range(n)
    ]  # fmt: skip
    return csmetrics.complaint_rate(contacts, by="agent_id")


LEGEND_PLOTS = {
    "trend": lambda ax: plot_trend(
        csmetrics.trend(sample().interactions, csmetrics.resolution_rate, every="week"), ax=ax
    ),
    "pareto": lambda ax: plot_pareto(csmetrics.pareto(sample().interactions), ax=ax),
    "funnel": lambda ax: plot_funnel(_funnel(), ax=ax),
    "durations": lambda ax: plot_durations(
        Durations(durations=[60, 120, 240, 600], censoring_times=[300]), ax=ax
    ),
}


@pytest.mark.parametrize("own_figure", [True, False], ids=["new figure", "given ax"])
@pytest.mark.parametrize("name", sorted(LEGEND_PLOTS))
def test_legends_sit_outside_the_axes(name, own_figure):
    ax = LEGEND_PLOTS[name](None if own_figure else new_axes())
    legend = _legend_extent(ax)
    renderer = _drawn(ax)
    for axes in ax.figure.axes:  # the plot's axes and a twin (pareto)
        assert not legend.overlaps(axes.get_window_extent(renderer)), name
    # Right of the axes and clear of their tick labels and axis labels (a twin's too).
    decorations = [a.get_tightbbox(renderer, bbox_extra_artists=[]) for a in ax.figure.axes]
    assert legend.x0 >= max(box.x1 for box in decorations if box is not None), name


def test_the_funnel_legend_leaves_the_flagged_group_visible():
    ax = plot_funnel(_funnel())
    legend = _legend_extent(ax)
    flagged = ax.collections[-1]
    points = ax.transData.transform(flagged.get_offsets())
    assert len(points) == 1
    assert not legend.contains(*points[0])


def test_service_level_has_no_legend():
    calls = [
        Interaction(id=str(w), customer_id=str(w), start=T0, first_response_at=T0 + timedelta(
            seconds=w), end=T0 + timedelta(minutes=5))
        for w in (5, 15, 25, 45)
    ]  # fmt: skip
    ax = plot_service_level(calls, thresholds=[10, 20, 30, 60])
    assert ax.get_legend() is None
