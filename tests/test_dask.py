"""Metrics on Dask DataFrames equal the one-process result, on a 2-worker LocalCluster.

Counts, distinct durations and quantiles must be bit-for-bit equal to the
result of the same call on the whole pandas frame; floating means (mean,
m2, fitted shrinkage) to 1e-12 relative. The partitionings are deliberately
bad: empty partitions, one customer's contacts spread over every partition,
time order reversed; hypothesis chooses split points and row orders.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import csmetrics
from csmetrics.adapters.dask import shuffle_key
from csmetrics.adapters.datasets import sample_paths
from csmetrics.core.reading import INTERACTION_FIELDS
from csmetrics.core.results import Durations, Rate

pd = pytest.importorskip("pandas")
dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

DATA = sample_paths()
UTC = timezone.utc


def _contacts() -> Any:
    frame = pd.read_csv(DATA.interactions)
    for column in ("start", "end", "first_response_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame


def _surveys() -> Any:
    frame = pd.read_csv(DATA.surveys, dtype={"score": str})
    flags = {"true": 1.0, "false": 0.0}
    frame["score"] = [flags[s] if s in flags else float(s) for s in frame["score"]]
    frame["at"] = pd.to_datetime(frame["at"], utc=True, format="ISO8601")
    return frame


CONTACTS = _contacts()
SURVEYS = _surveys()


@pytest.fixture
def local() -> Iterator[None]:
    """Dask's synchronous scheduler in this process: the same graph, no cluster."""
    with dask.config.set({"scheduler": "synchronous", "dataframe.shuffle.method": "tasks"}):
        yield


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A LocalCluster of 2 worker processes, the active scheduler for the module."""
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as active,
    ):
        yield active


def spread(frame: Any, *, order: str, cuts: list[int], seed: int = 0) -> Any:
    """``frame`` as a Dask DataFrame, rows in ``order``, cut at ``cuts`` (empty parts kept).

    ``"spread"`` puts every customer's first contact first, then every
    second contact, ...: a customer's contacts land in different partitions.
    """
    if order == "spread":
        rank = frame.groupby("customer_id").cumcount()
        frame = frame.assign(_rank=rank).sort_values(["_rank", "customer_id"]).drop(columns="_rank")
    elif order == "reversed" and "start" in frame:
        frame = frame.sort_values("start", ascending=False)
    elif order == "shuffled":
        frame = frame.sample(frac=1.0, random_state=seed)
    frame = frame.reset_index(drop=True)
    bounds = [0, *sorted(min(max(c, 0), len(frame)) for c in cuts), len(frame)]
    parts = [frame.iloc[a:b] for a, b in itertools.pairwise(bounds)]
    return dd.from_delayed([dask.delayed(p) for p in parts], meta=frame.iloc[:0])


BAD_CUTS = [0, 0, 400, 401, 1500, 3000, 3000]
"""Two empty partitions first, a one-row partition, an empty one at the end."""
SURVEY_CUTS = [0, 10, 10, 700, 1400]


def _close(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-12)


def assert_same(one: Any, dist: Any, path: str = "result") -> None:
    """Equal results: arrays and everything but floats exactly, floats to 1e-12 relative."""
    assert type(dist) is type(one), path
    if isinstance(one, (Durations, Rate)):
        # Counts and quantiles: bit for bit.
        assert float(dist) == float(one) or (math.isnan(float(one)) and math.isnan(float(dist)))
    if isinstance(one, Durations) and one.n:
        low, high = one.quantile(0.9), dist.quantile(0.9)
        assert high == low or (math.isnan(low) and math.isnan(high)), path
    if attrs.has(type(one)):
        for field in attrs.fields(type(one)):
            assert_same_value(getattr(one, field.name), getattr(dist, field.name), path)
    else:
        assert_same_value(one, dist, path)


def assert_same_value(a: Any, b: Any, path: str) -> None:
    if isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray), path
        assert b.dtype == a.dtype, path
        np.testing.assert_array_equal(b, a, err_msg=path)
    elif isinstance(a, float):
        assert isinstance(b, float), path
        assert _close(a, b), f"{path}: {a!r} != {b!r}"
    elif attrs.has(type(a)):
        assert_same(a, b, path)
    elif isinstance(a, Mapping):
        assert list(b) == list(a), path
        for key in a:
            assert_same_value(a[key], b[key], f"{path}[{key!r}]")
    else:
        assert b == a, path


def both(name: str, frame: Any, ddf: Any, *args: Any, **options: Any) -> tuple[Any, Any]:
    """The metric on the whole frame and on its Dask split, warnings left out."""
    metric = getattr(csmetrics, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
        return metric(frame, *args, **options), metric(ddf, *args, **options)


JAN = datetime(2026, 1, 1, tzinfo=UTC)
FEB = datetime(2026, 2, 1, tzinfo=UTC)
MAR = datetime(2026, 3, 1, tzinfo=UTC)

CONTACT_CASES: list[tuple[str, dict[str, Any]]] = [
    ("fcr", {}),
    ("fcr", {"match": "category", "by": "agent_id"}),
    ("fcr", {"match": "customer", "window_days": 3}),
    ("fcr", {"period": csmetrics.Window(start=FEB, end=MAR), "by": "channel"}),
    ("fcr", {"as_of": datetime(2026, 3, 15, tzinfo=UTC)}),
    ("resolution_rate", {"by": "category"}),
    ("reopen_rate", {}),
    ("first_response_time", {"by": "channel"}),
    ("first_response_time", {"censoring": "exclude"}),
    ("resolution_time", {"kind": "first"}),
    ("resolution_time", {}),
    ("contact_length", {"by": "agent_id"}),
    ("handle_time", {"by": "agent_id"}),
    ("asa", {}),
    ("service_level", {"threshold": 60, "by": "channel"}),
    ("abandonment_rate", {"short_abandon": 5}),
    ("escalation_rate", {"by": "category"}),
    ("complaint_rate", {}),
    ("product_gaps", {}),
    ("product_gaps", {"signal": "repeat"}),
    (
        "cohort_retention",
        {
            "baseline": csmetrics.Window(start=JAN, end=FEB),
            "current": csmetrics.Window(start=FEB, end=MAR),
        },
    ),
]

SURVEY_CASES: list[tuple[str, dict[str, Any]]] = [
    ("nps", {}),
    ("nps", {"by": "agent_id"}),
    ("csat", {"satisfied_from": 4}),
    ("ces", {}),
    ("survey_fcr", {"period": csmetrics.Window(start=FEB, end=MAR)}),
    ("rating", {}),
]


@pytest.mark.usefixtures("local")
@pytest.mark.parametrize(("name", "options"), CONTACT_CASES, ids=str)
def test_contact_metric_equals_one_process(name: str, options: dict[str, Any]) -> None:
    ddf = spread(CONTACTS, order="spread", cuts=BAD_CUTS)
    one, dist = both(name, CONTACTS, ddf, **options)
    assert_same(one, dist)


@pytest.mark.usefixtures("local")
@pytest.mark.parametrize(("name", "options"), SURVEY_CASES, ids=str)
def test_survey_metric_equals_one_process(name: str, options: dict[str, Any]) -> None:
    ddf = spread(SURVEYS, order="spread", cuts=SURVEY_CUTS)
    one, dist = both(name, SURVEYS, ddf, **options)
    assert_same(one, dist)


CLUSTER_CASES = [
    *((CONTACTS, name, options) for name, options in CONTACT_CASES),
    *((SURVEYS, name, options) for name, options in SURVEY_CASES),
]
QUICK_ON_CLUSTER = frozenset({0, 7, len(CONTACT_CASES) + 5})
"""FCR, first response time by channel and rating: the rest are slow on the cluster
(every case runs quickly on the synchronous scheduler above)."""


@pytest.mark.parametrize(
    ("frame", "name", "options"),
    [
        pytest.param(*case, marks=() if i in QUICK_ON_CLUSTER else pytest.mark.slow)
        for i, case in enumerate(CLUSTER_CASES)
    ],
    ids=[f"{name}-{options}" for _, name, options in CLUSTER_CASES],
)
def test_metric_on_a_local_cluster(
    client: Any, frame: Any, name: str, options: dict[str, Any]
) -> None:
    cuts = BAD_CUTS if frame is CONTACTS else SURVEY_CUTS
    ddf = spread(frame, order="spread", cuts=cuts)
    one, dist = both(name, frame, ddf, **options)
    assert_same(one, dist)


def test_default_as_of_is_the_whole_frames(client: Any) -> None:
    # The latest start is in one partition only; every partition must use it.
    ddf = spread(CONTACTS, order="reversed", cuts=[5, 2000])
    one, dist = both("first_response_time", CONTACTS, ddf)
    assert dist.as_of == one.as_of
    assert_same(one, dist)


def _one_customer(contacts: int) -> Any:
    """The contacts of a customer with exactly ``contacts`` of them, in time order."""
    counts = CONTACTS["customer_id"].value_counts()
    customer = counts.index[counts == contacts][0]
    return CONTACTS[CONTACTS["customer_id"] == customer].sort_values("start")


@pytest.mark.usefixtures("local")
@pytest.mark.parametrize("match", ["issue", "category", "customer"])
def test_a_customer_in_every_partition(match: str) -> None:
    # One customer's contacts, one per partition: FCR must still see them together.
    mine = _one_customer(6)
    ddf = spread(mine, order="as-is", cuts=list(range(1, len(mine))))
    assert ddf.npartitions == len(mine)
    one, dist = both("fcr", mine, ddf, match=match)
    assert_same(one, dist)


def test_a_customer_in_every_partition_of_a_cluster(client: Any) -> None:
    mine = _one_customer(4)
    ddf = spread(mine, order="reversed", cuts=[1, 2, 3])
    one, dist = both("fcr", mine, ddf)
    assert_same(one, dist)


@pytest.mark.usefixtures("local")
def test_undefined_warns_once_for_the_merged_result() -> None:
    empty = spread(CONTACTS.iloc[:0], order="as-is", cuts=[0, 0])
    with pytest.warns(csmetrics.UndefinedMetricWarning, match="fcr is undefined") as caught:
        result = csmetrics.fcr(empty)
    assert math.isnan(result.value)
    assert result.denominator == 0
    assert len([w for w in caught if w.category is csmetrics.UndefinedMetricWarning]) == 1


@pytest.mark.usefixtures("local")
def test_empty_partitions_do_not_warn() -> None:
    ddf = spread(CONTACTS, order="as-is", cuts=[0, 0, 3000, 3000])
    with warnings.catch_warnings():
        warnings.simplefilter("error", csmetrics.UndefinedMetricWarning)
        result = csmetrics.fcr(ddf)
    assert result.denominator > 0


@pytest.mark.usefixtures("local")
def test_columns_that_are_no_field_are_left_out() -> None:
    extra = CONTACTS.assign(notes="free text", csat_comment=None)
    ddf = spread(extra, order="spread", cuts=BAD_CUTS)
    one, dist = both("fcr", CONTACTS, ddf, by="agent_id")
    assert_same(one, dist)


@pytest.mark.usefixtures("local")
def test_sla_attainment_takes_its_policy() -> None:
    policy = csmetrics.SLAPolicy(rules=[csmetrics.SLARule(first_response=3600, resolution=86400)])
    ddf = spread(CONTACTS, order="spread", cuts=BAD_CUTS)
    one, dist = both("sla_attainment", CONTACTS, ddf, policy)
    assert_same(one, dist)


@pytest.mark.usefixtures("local")
def test_a_metric_without_merge_says_so() -> None:
    ddf = spread(CONTACTS, order="as-is", cuts=[100])
    with pytest.raises(TypeError, match=r"volume\(\) does not run on a Dask DataFrame"):
        csmetrics.volume(ddf)


@pytest.mark.usefixtures("local")
def test_building_a_table_refuses_to_collect() -> None:
    ddf = spread(CONTACTS, order="as-is", cuts=[100])
    with pytest.raises(TypeError, match="would collect a Dask DataFrame"):
        csmetrics.Interactions.from_frame(ddf)


@pytest.mark.usefixtures("local")
def test_reading_options_are_refused_with_a_dask_frame() -> None:
    ddf = spread(CONTACTS, order="as-is", cuts=[100])
    with pytest.raises(TypeError, match=r"fcr\(\) takes no columns= with a Dask DataFrame"):
        csmetrics.fcr(ddf, columns={"id": "ticket"})


def test_shuffle_key_by_issue_then_customer() -> None:
    frame = pd.DataFrame({"customer_id": ["a", "a", "b"], "issue_id": ["t1", None, "t1"]})
    by_issue = list(shuffle_key(frame, by_issue=True))
    by_customer = list(shuffle_key(frame, by_issue=False))
    assert by_issue[0] == by_issue[2] != by_issue[1] == by_customer[0] == by_customer[1]
    assert by_customer[0] != by_customer[2]


def test_shuffle_key_of_an_id_is_the_same_as_int_and_as_float() -> None:
    ints = pd.DataFrame({"customer_id": [7, 8], "issue_id": [700_000_001, 700_000_002]})
    floats = pd.DataFrame({"customer_id": [7, 8], "issue_id": [700_000_001.0, None]})
    assert shuffle_key(ints, by_issue=True)[0] == shuffle_key(floats, by_issue=True)[0]
    assert shuffle_key(floats, by_issue=True)[1] == shuffle_key(ints, by_issue=False)[1]


ORDERS = st.sampled_from(["as-is", "spread", "reversed", "shuffled"])


@settings(max_examples=6)
@given(
    order=ORDERS,
    cuts=st.lists(st.integers(0, len(CONTACTS)), max_size=6),
    seed=st.integers(0, 2**16),
)
def test_any_partitioning_gives_the_one_process_result(
    client: Any, order: str, cuts: list[int], seed: int
) -> None:
    ddf = spread(CONTACTS, order=order, cuts=cuts, seed=seed)
    for name, options in (
        ("fcr", {"by": "agent_id"}),
        ("first_response_time", {"by": "channel"}),
        ("handle_time", {}),
    ):
        one, dist = both(name, CONTACTS, ddf, **options)
        assert_same(one, dist, name)


@settings(max_examples=6)
@given(
    order=ORDERS,
    cuts=st.lists(st.integers(0, len(SURVEYS)), max_size=6),
    seed=st.integers(0, 2**16),
)
def test_any_survey_partitioning_gives_the_one_process_result(
    client: Any, order: str, cuts: list[int], seed: int
) -> None:
    ddf = spread(SURVEYS, order=order, cuts=cuts, seed=seed)
    for name in ("nps", "ces", "rating"):
        one, dist = both(name, SURVEYS, ddf)
        assert_same(one, dist, name)


def _lake(frame: Any, directory: Any, cuts: list[int]) -> Any:
    """``frame`` written as one Parquet file per part, cut at ``cuts``."""
    directory.mkdir(parents=True, exist_ok=True)
    bounds = [0, *cuts, len(frame)]
    for i, (a, b) in enumerate(itertools.pairwise(bounds)):
        frame.iloc[a:b].to_parquet(directory / f"part-{i:02d}.parquet", index=False)
    return directory


@pytest.mark.usefixtures("local")
def test_read_parquet_distributed_gives_the_one_process_results(tmp_path: Any) -> None:
    contacts = _lake(spread(CONTACTS, order="spread", cuts=[]).compute(), tmp_path / "c", [9, 1500])
    surveys = _lake(SURVEYS, tmp_path / "s", [700])
    one = csmetrics.Interactions.read_parquet(contacts)
    ddf = csmetrics.Interactions.read_parquet(contacts, distributed=True)
    assert ddf.npartitions == 3
    assert set(ddf.columns) == set(CONTACTS.columns) & set(INTERACTION_FIELDS.fields)
    for name, options in (("fcr", {"by": "agent_id"}), ("first_response_time", {"by": "channel"})):
        assert_same(
            getattr(csmetrics, name)(one, **options), getattr(csmetrics, name)(ddf, **options)
        )
    answers = csmetrics.Surveys.read_parquet(surveys, distributed=True)
    assert_same(csmetrics.nps(csmetrics.Surveys.read_parquet(surveys)), csmetrics.nps(answers))


@pytest.mark.usefixtures("local")
def test_read_parquet_distributed_renames_columns(tmp_path: Any) -> None:
    renamed = CONTACTS.rename(columns={"id": "Ticket ID", "start": "Created"})
    lake = _lake(renamed, tmp_path / "c", [1000])
    columns = {"id": "Ticket ID", "start": "Created"}
    ddf = csmetrics.Interactions.read_parquet(lake, columns=columns, distributed=True)
    assert "Ticket ID" not in ddf.columns
    assert_same(
        csmetrics.fcr(csmetrics.Interactions.read_parquet(lake, columns=columns)),
        csmetrics.fcr(ddf),
    )


def test_read_parquet_distributed_checks_the_files_first(tmp_path: Any) -> None:
    lake = _lake(CONTACTS, tmp_path / "c", [1000])
    CONTACTS.iloc[:5].drop(columns="customer_id").to_parquet(lake / "part-09.parquet")
    with pytest.raises(csmetrics.InvalidDataError, match=r"part-09\.parquet'.*'customer_id'"):
        csmetrics.Interactions.read_parquet(lake, distributed=True)


def test_read_parquet_distributed_refuses_one_process_options(tmp_path: Any) -> None:
    lake = _lake(CONTACTS, tmp_path / "c", [1000])
    with pytest.raises(TypeError, match=r"distributed=True\) takes no assume_timezone="):
        csmetrics.Interactions.read_parquet(lake, distributed=True, assume_timezone="UTC")
    with pytest.raises(
        TypeError, match=r"Surveys.read_parquet\(\.\.\., distributed=True\) takes no kind="
    ):
        csmetrics.Surveys.read_parquet(
            _lake(SURVEYS, tmp_path / "s", []), distributed=True, kind="nps"
        )


def test_read_parquet_distributed_on_a_local_cluster(client: Any, tmp_path: Any) -> None:
    lake = _lake(CONTACTS, tmp_path / "c", [400, 401, 2500])
    one = csmetrics.fcr(csmetrics.Interactions.read_parquet(lake))
    assert_same(one, csmetrics.fcr(csmetrics.Interactions.read_parquet(lake, distributed=True)))


TABLES = (csmetrics.Interactions.from_frame(CONTACTS), csmetrics.Surveys.from_frame(SURVEYS))


def assert_same_rows(one: Any, dist: Any) -> None:
    """Report rows: the same metrics, statuses, notes, results and intervals."""
    assert [(r.key, r.status, r.note) for r in dist] == [(r.key, r.status, r.note) for r in one]
    for a, b in zip(one, dist, strict=True):
        if a.result is not None:
            assert_same(a.result, b.result, a.key)
        assert (a.interval is None) == (b.interval is None), a.key
        if a.interval is not None:
            assert _close(a.interval.low, b.interval.low), a.key
            assert _close(a.interval.high, b.interval.high), a.key


@pytest.mark.usefixtures("local")
def test_kpi_report_on_dask_frames_equals_one_process() -> None:
    contacts = spread(CONTACTS, order="spread", cuts=BAD_CUTS)
    surveys = spread(SURVEYS, order="spread", cuts=SURVEY_CUTS)
    one = csmetrics.kpi_report(*TABLES, service_level=60)
    dist = csmetrics.kpi_report(contacts, surveys, service_level=60)
    assert {r.status for r in one} == {"ok"}
    assert_same_rows(one, dist)


@pytest.mark.usefixtures("local")
def test_kpi_report_skips_what_a_dask_frame_lacks() -> None:
    # No resolved column: FCR and resolution rate skipped; no survey frame: survey rows skipped.
    contacts = spread(CONTACTS.drop(columns="resolved"), order="as-is", cuts=[1000])
    table = csmetrics.Interactions.from_frame(CONTACTS.drop(columns="resolved"))
    one = csmetrics.kpi_report(table, as_of=datetime(2026, 3, 1, tzinfo=UTC))
    dist = csmetrics.kpi_report(contacts, as_of=datetime(2026, 3, 1, tzinfo=UTC))
    assert one[0].status == "skipped"
    assert_same_rows(one, dist)


@pytest.mark.usefixtures("local")
@pytest.mark.parametrize(
    "options",
    [
        {"by": "agent_id", "period": csmetrics.Window(start=FEB, end=MAR), "charts": True},
        # Every metric once per month: slow on the synchronous scheduler.
        pytest.param({"every": "month"}, marks=pytest.mark.slow),
    ],
    ids=["by-agent-period-charts", "every-month"],
)
def test_build_report_on_dask_frames_equals_one_process(options: dict[str, Any]) -> None:
    contacts = spread(CONTACTS, order="reversed", cuts=[0, 1200])
    surveys = spread(SURVEYS, order="shuffled", cuts=[300])
    one = csmetrics.build_report(*TABLES, service_level=60, **options)
    dist = csmetrics.build_report(contacts, surveys, service_level=60, **options)
    assert dist.scope == one.scope
    assert_same_rows(one.rows, dist.rows)
    assert [label for label, _ in dist.groups] == [label for label, _ in one.groups]
    for (_, a), (_, b) in zip(one.groups, dist.groups, strict=True):
        assert_same_rows(a, b)
    if options.get("charts"):
        table_only = ("First-contact resolution per week", "Contact reasons", "Service level")
        captions = [caption for caption, _ in one.charts if not caption.startswith(table_only)]
        assert [caption for caption, _ in dist.charts] == captions
        assert "need the contacts in one process" in dist.charts_note


def test_kpi_report_on_a_local_cluster(client: Any) -> None:
    contacts = spread(CONTACTS, order="spread", cuts=[700, 2100])
    surveys = spread(SURVEYS, order="as-is", cuts=[700])
    one = csmetrics.kpi_report(*TABLES, service_level=60)
    assert_same_rows(one, csmetrics.kpi_report(contacts, surveys, service_level=60))
