"""The benchmarked csmetrics definitions written as plain pandas and DuckDB SQL.

These are the baselines `bench.py` times csmetrics against: what a careful
analyst would write without csmetrics. pandas code stays vectorised (sort once,
``groupby`` with ``cumcount`` / ``cummax`` / ``ffill`` / ``cumsum``, no
``apply``); the SQL uses window functions. Both follow csmetrics' documented
definitions exactly, so `bench.py` can insist on identical counts before it
times anything.

Definitions (see ``docs/metrics/*.md``):

- FCR: group contacts into issues (``match``), order each issue's contacts by
  start, then id. A contact is a *repeat* when it starts no later than 7 days
  after the running maximum of the earlier ends of its issue (an open
  contact's end counts as +infinity); any other contact opens an *episode*.
  ``as_of`` is the latest start in the data. An episode is *pending* when its
  first contact is open or ``first end + 7 days > as_of``; it is a *success*
  when it is decided, its first contact is resolved and it has no repeat.
  FCR = successes / decided episodes.
- ``match="issue"``: contacts with an ``issue_id`` are grouped by it, and a
  contact whose non-empty category differs from the latest non-empty category
  of the earlier contacts of the ticket starts a new issue; contacts without
  ``issue_id`` fall back to customer + category.
- resolution rate: a request is an ``issue_id`` (or one contact without one);
  it is resolved when its latest contact (by start, then id) is resolved.
- first response time: per contact that is not ``blocked``, the seconds from
  ``start`` to ``first_response_at``. A contact without one, or abandoned, is
  censored: at its ``end``, or at ``as_of`` while open; ``as_of`` is the
  latest start, end or first response in the data. The median and 90th
  percentile come from the Kaplan-Meier curve ``S(t) = prod over event times
  t_i <= t of (1 - d_i / n_i)`` (``d_i`` completed at ``t_i``, ``n_i`` at risk:
  time >= ``t_i``): the ``q``-quantile is the smallest event time with
  ``S(t) <= 1 - q + 1e-12``. The mean is of completed waits.
- service level (formula "offered"), per channel and overall: answered
  contacts (a first response, not abandoned) with wait <= the channel's
  threshold, over answered + abandoned, of the contacts not ``blocked``. An
  abandoned contact's wait is ``end - start``. Also counted: abandoned within
  the threshold, *waiting* (neither answered nor abandoned, still open) and
  *unanswered* (neither, but closed).
- NPS: promoters 9-10, passives 7-8, detractors 0-6. CSAT: score >= 4 on
  1..5. CES: mean score of the "ces" answers.

Every function returns plain counts (ints; floats for means and quantiles) in
the same shape as `bench.py` extracts them from csmetrics results. Both read
the Parquet files `bench.py` writes: times are ``timestamp[us, tz=UTC]``, a
missing ``issue_id`` is null.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

WINDOW_DAYS = 7
FCR_COUNTS = ("numerator", "denominator", "pending", "repeats")
SERVICE_LEVEL_COUNTS = (
    "numerator",
    "denominator",
    "answered",
    "answered_within",
    "abandoned",
    "abandoned_within",
    "short_abandoned",
    "waiting",
    "unanswered",
)
QUANTILES = {"median": 0.5, "p90": 0.9}
# csmetrics.core.stats.KM_TOLERANCE: S(t) <= 1 - q within this counts as reached.
KM_TOLERANCE = 1e-12

Counts = dict[str, Any]


# --------------------------------------------------------------------------
# pandas
# --------------------------------------------------------------------------


def pandas_read(path: Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A Parquet file (all columns, or ``columns``) as a DataFrame.

    ``issue_id`` with nulls reads as float64.
    """
    import pandas as pd

    return pd.read_parquet(path, columns=None if columns is None else list(columns))


def _pandas_episodes(d: pd.DataFrame, keys: list[str], as_of: pd.Timestamp) -> pd.DataFrame:
    """One row per episode (its first contact) with ``repeats`` and ``pending``.

    ``d`` must be sorted by ``keys``, then start, then id.
    """
    import pandas as pd

    window = pd.Timedelta(days=WINDOW_DAYS)
    # An open contact keeps its issue open: its end counts as +infinity (any
    # time after all the data).
    d = d.assign(end_or_inf=d["end"].fillna(_far_future(d["end"])))
    groups = d.groupby(keys, sort=False, dropna=False)
    first_in_issue = groups.cumcount().to_numpy() == 0
    # Latest end of the earlier contacts of the same issue (rows are sorted).
    earlier_end = groups["end_or_inf"].cummax().shift(1)
    repeat = ~first_in_issue & (d["start"] - window <= earlier_end).to_numpy()
    episode = pd.Series(np.cumsum(~repeat), index=d.index)
    first = d.loc[~repeat, ["end", "resolved", "agent_id"]]
    first["repeats"] = episode.groupby(episode, sort=False).size().to_numpy() - 1
    first["pending"] = first["end"].isna() | (first["end"] > as_of - window)
    first["success"] = ~first["pending"] & first["resolved"] & (first["repeats"] == 0)
    return first


def _far_future(times: pd.Series) -> pd.Timestamp:
    import pandas as pd

    return pd.Timestamp("2200-01-01", tz=times.dt.tz).as_unit(times.dt.unit)


def _pandas_issue_parts(df: pd.DataFrame) -> list[tuple[pd.DataFrame, list[str]]]:
    """match="issue": tickets split at category changes, plus the fallback rows."""
    t = df[df["issue_id"].notna()].sort_values(["issue_id", "start", "id"])
    tickets = t.groupby("issue_id", sort=False)
    current = tickets["category"].ffill()  # latest non-empty category so far
    before = current.shift(1).where(tickets.cumcount() > 0)
    change = t["category"].notna() & before.notna() & (t["category"] != before)
    t = t.assign(change=change)
    # Parts number from 0 and only grow along a ticket, so t stays sorted by
    # (issue_id, part, start, id).
    t["part"] = t.groupby("issue_id", sort=False)["change"].cumsum()
    rest = df[df["issue_id"].isna()].sort_values(["customer_id", "category", "start", "id"])
    return [(t, ["issue_id", "part"]), (rest, ["customer_id", "category"])]


def _fcr_counts(first: pd.DataFrame) -> Counts:
    return {
        "numerator": int(first["success"].sum()),
        "denominator": int((~first["pending"]).sum()),
        "pending": int(first["pending"].sum()),
        "repeats": int(first["repeats"].sum()),
    }


def pandas_fcr(
    df: pd.DataFrame, *, match: str, by: str | None = None, as_of: pd.Timestamp | None = None
) -> Counts:
    """FCR counts with pandas; with ``by="agent_id"`` also per first-contact agent.

    ``as_of`` defaults to the latest start; contacts starting after it are left out.
    """
    import pandas as pd

    if as_of is None:
        as_of = df["start"].max()
    else:
        df = _pandas_started_by(df, as_of)
    if match == "customer":
        parts = [(df.sort_values(["customer_id", "start", "id"]), ["customer_id"])]
    elif match == "category":
        parts = [
            (
                df.sort_values(["customer_id", "category", "start", "id"]),
                ["customer_id", "category"],
            )
        ]
    else:
        parts = _pandas_issue_parts(df)
    first = pd.concat([_pandas_episodes(d, keys, as_of) for d, keys in parts])
    overall = _fcr_counts(first)
    if by is None:
        return overall
    per = (
        first.assign(decided=~first["pending"])
        .groupby(by)[["success", "decided", "pending", "repeats"]]
        .sum()
    )
    return {
        "overall": overall,
        "groups": {str(k): [int(v) for v in row] for k, row in per.iterrows()},
    }


def pandas_resolution_rate(df: pd.DataFrame) -> Counts:
    """Resolution-rate counts with pandas."""
    has_ticket = df["issue_id"].notna()
    t = df[has_ticket].sort_values(["issue_id", "start", "id"])
    last_resolved = t.groupby("issue_id", sort=False)["resolved"].last()
    single = df.loc[~has_ticket, "resolved"]
    return {
        "numerator": int(last_resolved.sum() + single.sum()),
        "denominator": len(last_resolved) + len(single),
    }


def _km_quantiles(seconds: np.ndarray, done: np.ndarray) -> dict[str, float]:
    """Kaplan-Meier quantiles from per-unit seconds and completion flags (pandas)."""
    import pandas as pd

    times = (
        pd.DataFrame({"seconds": seconds, "done": done})
        .groupby("seconds", sort=True)["done"]
        .agg(["sum", "size"])
    )
    # At risk at t: units whose time is >= t (censored at t still at risk).
    at_risk = len(seconds) - times["size"].cumsum().shift(1, fill_value=0)
    events = times["sum"] > 0
    survival = (1 - times["sum"][events] / at_risk[events]).cumprod()
    out = {}
    for name, q in QUANTILES.items():
        reached = survival.index[survival.to_numpy() <= 1 - q + KM_TOLERANCE]
        out[name] = float(reached[0]) if len(reached) else float("nan")
    return out


def _pandas_answered(q: pd.DataFrame) -> pd.Series:
    return q["first_response_at"].notna() & ~q["abandoned"]


def _pandas_as_of(df: pd.DataFrame, as_of: pd.Timestamp | None) -> tuple[pd.DataFrame, Any]:
    """The contacts in scope and the time metrics' as_of (default: the latest event)."""
    if as_of is None:
        return df, max(df["start"].max(), df["end"].max(), df["first_response_at"].max())
    return _pandas_started_by(df, as_of), as_of


def _pandas_started_by(df: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """The contacts that started by ``as_of`` (the frame itself when that is all of them)."""
    kept = df["start"] <= as_of
    return df if kept.all() else df[kept]


def _pandas_waits(df: pd.DataFrame, as_of: Any) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The contacts not blocked, their waits in seconds and whether they were answered.

    An unanswered contact is censored at its end, or at ``as_of`` while open
    (a first response after ``as_of`` still counts, as in csmetrics).
    """
    import pandas as pd

    q = df[~df["blocked"]]
    answered = _pandas_answered(q)
    stop = q["first_response_at"].where(answered, q["end"].fillna(as_of))
    stop = stop.where(stop >= q["start"], q["start"])
    seconds = ((stop - q["start"]) / pd.Timedelta(seconds=1)).to_numpy()
    return q, seconds, answered.to_numpy()


def pandas_first_response_time(df: pd.DataFrame, *, as_of: pd.Timestamp | None = None) -> Counts:
    """First response time: counts, Kaplan-Meier median and p90, mean, with pandas."""
    df, as_of = _pandas_as_of(df, as_of)
    q, seconds, done = _pandas_waits(df, as_of)
    return {
        "n": len(q),
        "censored": int((~done).sum()),
        "excluded": int(df["blocked"].sum()),
        **_km_quantiles(seconds, done),
        "mean": float(seconds[done].mean()),
    }


def pandas_service_level(
    df: pd.DataFrame,
    thresholds: Mapping[int, float],
    *,
    by: str | None = "channel",
    as_of: pd.Timestamp | None = None,
) -> Counts:
    """Service level (formula "offered") by ``by`` (or overall only), with pandas.

    The threshold is the contact's channel's, whatever the breakdown.
    """
    import pandas as pd

    df, _ = _pandas_as_of(df, as_of)
    q = df[~df["blocked"]]
    answered = _pandas_answered(q)
    abandoned = q["abandoned"]
    wait = (q["first_response_at"].where(answered, q["end"]) - q["start"]) / pd.Timedelta(seconds=1)
    within = wait <= q["channel"].map(thresholds)
    neither = ~answered & ~abandoned
    flags = pd.DataFrame(
        {
            "numerator": answered & within,
            "denominator": answered | abandoned,
            "answered": answered,
            "answered_within": answered & within,
            "abandoned": abandoned,
            "abandoned_within": abandoned & within,
            "short_abandoned": False,
            "waiting": neither & q["end"].isna(),
            "unanswered": neither & q["end"].notna(),
        }
    )
    if by is None:
        return {name: int(v) for name, v in flags.sum().items()}
    per = flags.groupby(q[by]).sum()
    return {
        "overall": {name: int(v) for name, v in per.sum().items()},
        "groups": {str(k): [int(v) for v in row] for k, row in per.iterrows()},
    }


def pandas_first_response_time_by(
    df: pd.DataFrame, by: str = "channel", *, as_of: pd.Timestamp | None = None
) -> Counts:
    """First response time overall and per ``by``: counts and Kaplan-Meier quantiles."""
    df, as_of = _pandas_as_of(df, as_of)
    q, seconds, done = _pandas_waits(df, as_of)
    blocked = df["blocked"].groupby(df[by]).sum()

    def counts(s: np.ndarray, d: np.ndarray, excluded: int) -> list:
        found = _km_quantiles(s, d)
        return [len(s), int((~d).sum()), excluded, found["median"], found["p90"]]

    # One sort by group, then each group's rows are a slice.
    key = q[by].to_numpy()
    order = np.argsort(key, kind="stable")
    keys, first = np.unique(key[order], return_index=True)
    bounds = [*first.tolist(), len(order)]
    groups = {}
    for i, k in enumerate(keys):
        rows = order[bounds[i] : bounds[i + 1]]
        groups[str(k)] = counts(seconds[rows], done[rows], int(blocked.get(k, 0)))
    return {"overall": counts(seconds, done, int(blocked.sum())), "groups": groups}


def pandas_asa(
    df: pd.DataFrame, *, by: str | None = None, as_of: pd.Timestamp | None = None
) -> Counts:
    """Average speed of answer (answered contacts not blocked), overall and per ``by``."""
    import pandas as pd

    df, _ = _pandas_as_of(df, as_of)
    q = df[~df["blocked"]]
    q = q[_pandas_answered(q)]
    wait = (q["first_response_at"] - q["start"]) / pd.Timedelta(seconds=1)
    overall = {"n": len(wait), "mean": float(wait.mean())}
    if by is None:
        return overall
    per = wait.groupby(q[by]).agg(["size", "mean"])
    return {
        "overall": overall,
        "groups": {
            str(k): {"n": int(row["size"]), "mean": float(row["mean"])} for k, row in per.iterrows()
        },
    }


def pandas_handle_time(
    df: pd.DataFrame, *, by: str | None = None, as_of: pd.Timestamp | None = None
) -> Counts:
    """Average handle time with pandas, for contacts without talk, hold or wrap columns.

    As `duckdb_handle_time`: handled contacts (neither abandoned nor
    blocked) measured by ``end - first_response_at`` where both are
    recorded and the end is not earlier, the others counted as unmeasured.
    """
    import pandas as pd

    df, _ = _pandas_as_of(df, as_of)
    q = df[~df["abandoned"] & ~df["blocked"]]
    fallback = q["end"].notna() & (q["end"] >= q["first_response_at"])
    seconds = (q["end"] - q["first_response_at"])[fallback] / pd.Timedelta(seconds=1)

    def counts(n: int, handled: int, mean: float) -> Counts:
        return {"n": n, "fallback": n, "unmeasured": handled - n, "mean": mean}

    overall = counts(int(fallback.sum()), len(q), float(seconds.mean()))
    if by is None:
        return overall
    per = fallback.groupby(q[by]).agg(["sum", "size"])
    means = seconds.groupby(q.loc[fallback, by]).mean()
    return {
        "overall": overall,
        "groups": {
            str(k): counts(int(row["sum"]), int(row["size"]), float(means.get(k, float("nan"))))
            for k, row in per.iterrows()
        },
    }


def pandas_nps(s: pd.DataFrame) -> Counts:
    """NPS counts with pandas."""
    score = s.loc[s["kind"] == "nps", "score"]
    return {
        "promoters": int((score >= 9).sum()),
        "passives": int(((score >= 7) & (score < 9)).sum()),
        "detractors": int((score < 7).sum()),
    }


def pandas_nps_by(s: pd.DataFrame, by: str = "agent_id") -> Counts:
    """NPS counts overall and per ``by`` with pandas."""
    nps = s[s["kind"] == "nps"]
    score = nps["score"]
    flags = {
        "promoters": score >= 9,
        "passives": (score >= 7) & (score < 9),
        "detractors": score < 7,
    }
    import pandas as pd

    per = pd.DataFrame(flags).groupby(nps[by]).sum()
    return {
        "overall": {name: int(v) for name, v in per.sum().items()},
        "groups": {str(k): [int(v) for v in row] for k, row in per.iterrows()},
    }


def pandas_csat(s: pd.DataFrame) -> Counts:
    """CSAT counts with pandas (satisfied: 4 or 5 on 1..5)."""
    score = s.loc[s["kind"] == "csat", "score"]
    return {"numerator": int((score >= 4).sum()), "denominator": len(score)}


def pandas_ces(s: pd.DataFrame) -> Counts:
    """CES n and mean with pandas."""
    score = s.loc[s["kind"] == "ces", "score"]
    return {"n": len(score), "mean": float(score.mean())}


# --------------------------------------------------------------------------
# DuckDB
# --------------------------------------------------------------------------


def duckdb_connect(threads: int = 2) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with a fixed number of threads, in UTC.

    The session time zone is UTC so that day arithmetic on the ``TIMESTAMPTZ``
    columns is plain 24-hour days.
    """
    import duckdb

    con = duckdb.connect(config={"threads": threads})
    con.execute("SET TimeZone = 'UTC'")
    return con


def duckdb_load(
    con: duckdb.DuckDBPyConnection, table: str, path: Path, columns: Sequence[str] | None = None
) -> None:
    """Copy a Parquet file (all columns, or ``columns``) into the DuckDB table ``table``."""
    chosen = "*" if columns is None else ", ".join(f'"{c}"' for c in columns)
    con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute(f"CREATE TABLE {table} AS SELECT {chosen} FROM read_parquet(?)", [str(path)])


# match="issue": number the parts of each ticket (a new part at every change
# of non-empty category), then fall back to customer + category without one.
_ISSUE_SOURCE = """
tickets AS (
    SELECT *,
        last_value(category IGNORE NULLS) OVER (
            PARTITION BY issue_id ORDER BY start, id
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
    FROM contacts WHERE issue_id IS NOT NULL
),
parts AS (
    SELECT *,
        sum((category IS NOT NULL AND before IS NOT NULL
             AND category <> before)::INTEGER) OVER (
            PARTITION BY issue_id ORDER BY start, id
            ROWS UNBOUNDED PRECEDING)::BIGINT AS part
    FROM tickets
),
source AS (
    SELECT 0 AS k0, issue_id AS k1, part AS k2,
           id, start, "end", resolved, agent_id FROM parts
    UNION ALL
    SELECT 1, customer_id, category,
           id, start, "end", resolved, agent_id
    FROM contacts WHERE issue_id IS NULL
),
"""

_SOURCES = {
    "customer": ("source AS (SELECT * FROM contacts),", "customer_id"),
    "category": ("source AS (SELECT * FROM contacts),", "customer_id, category"),
    "issue": (_ISSUE_SOURCE, "k0, k1, k2"),
}


def _timestamp(as_of: Any) -> str:
    """An as_of (a timezone-aware datetime) as a DuckDB TIMESTAMPTZ literal."""
    return f"'{as_of.isoformat()}'::TIMESTAMPTZ"


def _contacts_sql(as_of: Any) -> str:
    """The contacts in scope: all, or those that started by an explicit ``as_of``."""
    if as_of is None:
        return "contacts"
    return f"(SELECT * FROM contacts WHERE start <= {_timestamp(as_of)})"


def _fcr_sql(match: str, by: str | None, as_of: Any = None) -> str:
    source, keys = _SOURCES[match]
    contacts = _contacts_sql(as_of)
    cutoff = "(SELECT max(start) FROM contacts)" if as_of is None else _timestamp(as_of)
    source = source.replace("FROM contacts", f"FROM {contacts} AS contacts")
    group = f"GROUP BY {by} ORDER BY {by}" if by else ""
    select_by = f"{by}, " if by else ""
    return f"""
WITH {source}
ordered AS (
    SELECT *,
        max(coalesce("end", 'infinity'::TIMESTAMPTZ)) OVER (
            PARTITION BY {keys} ORDER BY start, id
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_end
    FROM source
),
flagged AS (
    SELECT *,
        earlier_end IS NULL
        OR start - INTERVAL {WINDOW_DAYS} DAY > earlier_end AS opens_episode
    FROM ordered
),
numbered AS (
    SELECT *,
        sum(opens_episode::INTEGER) OVER (
            PARTITION BY {keys} ORDER BY start, id
            ROWS UNBOUNDED PRECEDING) AS episode
    FROM flagged
),
episodes AS (
    SELECT count(*) - 1 AS repeats,
        bool_or("end" IS NULL) FILTER (WHERE opens_episode) AS first_open,
        any_value("end") FILTER (WHERE opens_episode) AS first_end,
        bool_or(resolved) FILTER (WHERE opens_episode) AS first_resolved,
        any_value(agent_id) FILTER (WHERE opens_episode) AS agent_id
    FROM numbered
    GROUP BY {keys}, episode
),
judged AS (
    SELECT *,
        first_open OR first_end
            > {cutoff} - INTERVAL {WINDOW_DAYS} DAY
            AS pending
    FROM episodes
)
SELECT {select_by}
    count_if(NOT pending AND first_resolved AND repeats = 0),
    count_if(NOT pending),
    count_if(pending),
    sum(repeats)::BIGINT
FROM judged
{group}
"""


def duckdb_fcr(
    con: duckdb.DuckDBPyConnection, *, match: str, by: str | None = None, as_of: Any = None
) -> Counts:
    """FCR counts in SQL; with ``by="agent_id"`` also per first-contact agent."""
    rows = con.execute(_fcr_sql(match, by, as_of)).fetchall()
    if by is None:
        return dict(zip(FCR_COUNTS, (int(v or 0) for v in rows[0]), strict=True))
    groups = {str(row[0]): [int(v) for v in row[1:]] for row in rows}
    totals = np.array(list(groups.values()), dtype=np.int64).sum(axis=0)
    return {
        "overall": dict(zip(FCR_COUNTS, map(int, totals), strict=True)),
        "groups": groups,
    }


def duckdb_resolution_rate(con: duckdb.DuckDBPyConnection) -> Counts:
    """Resolution-rate counts in SQL."""
    numerator, denominator = con.execute(
        """
        WITH requests AS (
            SELECT arg_max(resolved, (start, id)) AS resolved
            FROM contacts WHERE issue_id IS NOT NULL GROUP BY issue_id
            UNION ALL
            SELECT resolved FROM contacts WHERE issue_id IS NULL
        )
        SELECT count_if(resolved), count(*) FROM requests
        """
    ).fetchone()
    return {"numerator": int(numerator), "denominator": int(denominator)}


# Per contact not blocked: answered (a first response, not abandoned) and the
# seconds it waited; for the others the time to their end, or to as_of while
# open (the latest start, end or first response).
_WAITS = """
as_of AS (
    SELECT greatest(max(start), max("end"), max(first_response_at)) AS t FROM contacts
),
waits AS (
    SELECT channel, agent_id, abandoned, "end" IS NULL AS still_open,
        first_response_at IS NOT NULL AND NOT abandoned AS answered,
        (greatest(
            epoch_us(CASE WHEN first_response_at IS NOT NULL AND NOT abandoned
                          THEN first_response_at
                          ELSE coalesce("end", (SELECT t FROM as_of)) END),
            epoch_us(start)) - epoch_us(start))::DOUBLE / 1e6 AS seconds
    FROM contacts WHERE NOT blocked
)
"""


# Contact length as the same ``waits`` columns: per contact not blocked, its
# end - start, censored ("answered" false) at as_of while open.
_LENGTHS = (
    _WAITS.split("waits AS (", maxsplit=1)[0]
    + """waits AS (
    SELECT channel, agent_id, "end" IS NOT NULL AS answered,
        (greatest(epoch_us(coalesce("end", (SELECT t FROM as_of))), epoch_us(start))
         - epoch_us(start))::DOUBLE / 1e6 AS seconds
    FROM contacts WHERE NOT blocked
)
"""
)


def _waits(as_of: Any = None, units: str = _WAITS) -> str:
    """The ``waits`` CTE; with an explicit ``as_of``, of the contacts started by then."""
    if as_of is None:
        return units
    return units.replace(
        """SELECT greatest(max(start), max("end"), max(first_response_at)) AS t FROM contacts""",
        f"SELECT {_timestamp(as_of)} AS t",
    ).replace("FROM contacts WHERE NOT blocked", f"FROM {_contacts_sql(as_of)} WHERE NOT blocked")


def duckdb_first_response_time(
    con: duckdb.DuckDBPyConnection, *, as_of: Any = None, units: str = _WAITS
) -> Counts:
    """First response time in SQL: Kaplan-Meier quantiles with window functions."""
    levels = [1 - q + KM_TOLERANCE for q in QUANTILES.values()]
    row = con.execute(
        f"""
        WITH {_waits(as_of, units)},
        times AS (
            SELECT seconds, count_if(answered) AS done, count(*) AS units
            FROM waits GROUP BY seconds
        ),
        at_risk AS (
            SELECT seconds, done,
                (SELECT count(*) FROM waits) - coalesce(sum(units) OVER (
                    ORDER BY seconds ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
                    0) AS n
            FROM times
        ),
        curve AS (
            SELECT seconds, product(1 - done / n) OVER (
                ORDER BY seconds ROWS UNBOUNDED PRECEDING) AS survival
            FROM at_risk WHERE done > 0
        )
        SELECT
            (SELECT count(*) FROM waits),
            (SELECT count_if(NOT answered) FROM waits),
            (SELECT count_if(blocked) FROM {_contacts_sql(as_of)}),
            (SELECT min(seconds) FROM curve WHERE survival <= $1),
            (SELECT min(seconds) FROM curve WHERE survival <= $2),
            (SELECT avg(seconds) FILTER (WHERE answered) FROM waits)
        """,
        levels,
    ).fetchone()
    n, censored, excluded, median, p90, mean = row
    nan = float("nan")
    return {
        "n": int(n),
        "censored": int(censored),
        "excluded": int(excluded),
        "median": nan if median is None else float(median),
        "p90": nan if p90 is None else float(p90),
        "mean": float(mean),
    }


def duckdb_service_level(
    con: duckdb.DuckDBPyConnection,
    thresholds: Mapping[int, float],
    *,
    by: str | None = "channel",
    as_of: Any = None,
) -> Counts:
    """Service level (formula "offered") by ``by`` (or overall only) in SQL.

    The threshold is the contact's channel's, whatever the breakdown.
    """
    limit = " ".join(f"WHEN {int(k)} THEN {float(v)!r}::DOUBLE" for k, v in thresholds.items())
    key, group = (f"{by},", f"GROUP BY {by} ORDER BY {by}") if by else ("", "")
    rows = con.execute(
        f"""
        WITH {_waits(as_of)},
        judged AS (
            SELECT *, seconds <= CASE channel {limit} END AS within FROM waits
        )
        SELECT {key}
            count_if(answered AND within), count_if(answered OR abandoned),
            count_if(answered), count_if(answered AND within),
            count_if(abandoned), count_if(abandoned AND within), 0,
            count_if(NOT answered AND NOT abandoned AND still_open),
            count_if(NOT answered AND NOT abandoned AND NOT still_open)
        FROM judged {group}
        """
    ).fetchall()
    if not by:
        return dict(zip(SERVICE_LEVEL_COUNTS, map(int, rows[0]), strict=True))
    groups = {str(row[0]): [int(v) for v in row[1:]] for row in rows}
    totals = np.array(list(groups.values()), dtype=np.int64).sum(axis=0)
    return {
        "overall": dict(zip(SERVICE_LEVEL_COUNTS, map(int, totals), strict=True)),
        "groups": groups,
    }


def duckdb_first_response_time_by(
    con: duckdb.DuckDBPyConnection, by: str = "channel", *, as_of: Any = None, units: str = _WAITS
) -> Counts:
    """First response time overall and per ``by`` in SQL: counts, Kaplan-Meier quantiles.

    The waits are counted once per (group, seconds); the overall curve adds
    those counts up per second (group -1 below: the keys are non-negative
    ints), then every curve is a window over its own partition.
    """
    levels = [1 - q + KM_TOLERANCE for q in QUANTILES.values()]
    contacts = _contacts_sql(as_of)
    sql = f"""
        WITH {_waits(as_of, units)},
        per AS (
            SELECT {by}, seconds, count_if(answered) AS done, count(*) AS units
            FROM waits GROUP BY {by}, seconds
        ),
        times AS (
            SELECT * FROM per
            UNION ALL
            SELECT -1, seconds, sum(done), sum(units) FROM per GROUP BY seconds
        ),
        at_risk AS (
            SELECT {by}, seconds, done, units,
                sum(units) OVER (PARTITION BY {by}) - coalesce(sum(units) OVER (
                    PARTITION BY {by} ORDER BY seconds
                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS n
            FROM times
        ),
        curve AS (
            SELECT {by}, seconds, product(1 - done / n) OVER (
                PARTITION BY {by} ORDER BY seconds ROWS UNBOUNDED PRECEDING) AS survival
            FROM at_risk WHERE done > 0
        ),
        blocked AS (
            SELECT {by}, count_if(blocked) AS excluded FROM {contacts} GROUP BY {by}
        )
        SELECT t.{by}, t.n, t.censored,
            coalesce(b.excluded, (SELECT count_if(blocked) FROM {contacts})),
            q.median, q.p90
        FROM (SELECT {by}, sum(units) AS n, sum(units) - sum(done) AS censored
              FROM times GROUP BY {by}) t
        LEFT JOIN (
            SELECT {by}, min(seconds) FILTER (WHERE survival <= $1) AS median,
                min(seconds) FILTER (WHERE survival <= $2) AS p90
            FROM curve GROUP BY {by}
        ) q USING ({by})
        LEFT JOIN blocked b USING ({by})
        ORDER BY t.{by}
        """
    rows = con.execute(sql, levels).fetchall()
    nan = float("nan")

    def counts(row: tuple) -> list:
        _, n, censored, excluded, median, p90 = row
        return [
            int(n),
            int(censored),
            int(excluded),
            nan if median is None else float(median),
            nan if p90 is None else float(p90),
        ]

    return {
        "overall": counts(rows[0]),
        "groups": {str(row[0]): counts(row) for row in rows[1:]},
    }


def duckdb_contact_length(
    con: duckdb.DuckDBPyConnection, *, by: str | None = None, as_of: Any = None
) -> Counts:
    """Contact length (end - start, censored at as_of while open) in SQL, as first response time.

    The same Kaplan-Meier queries as `duckdb_first_response_time` and
    `duckdb_first_response_time_by`, over each unblocked contact's length.
    """
    if by is None:
        return duckdb_first_response_time(con, as_of=as_of, units=_LENGTHS)
    return duckdb_first_response_time_by(con, by, as_of=as_of, units=_LENGTHS)


def duckdb_handle_time(
    con: duckdb.DuckDBPyConnection, *, by: str | None = None, as_of: Any = None
) -> Counts:
    """Average handle time in SQL, for contacts without talk, hold or wrap columns.

    Handled: neither abandoned nor blocked. Measured by the fallback ``end -
    first_response_at`` where both are recorded and the end is not earlier;
    the others are counted as unmeasured.
    """
    keys = f"{by}," if by else ""
    sql = f"""
        WITH handled AS (
            SELECT {keys} first_response_at IS NOT NULL AND "end" IS NOT NULL
                    AND "end" >= first_response_at AS fallback,
                (epoch_us("end") - epoch_us(first_response_at))::DOUBLE / 1e6 AS seconds
            FROM {_contacts_sql(as_of)} WHERE NOT abandoned AND NOT blocked
        )
        SELECT {keys} count_if(fallback), count_if(NOT fallback),
            avg(seconds) FILTER (WHERE fallback)
        FROM handled
        {f"GROUP BY GROUPING SETS (({by}), ()) ORDER BY {by} NULLS FIRST" if by else ""}
        """
    rows = con.execute(sql).fetchall()

    def counts(row: tuple) -> Counts:
        n, unmeasured, mean = row[-3:]
        return {
            "n": int(n),
            "fallback": int(n),
            "unmeasured": int(unmeasured),
            "mean": float("nan") if mean is None else float(mean),
        }

    if not by:
        return counts(rows[0])
    return {
        "overall": counts(rows[0]),
        "groups": {str(row[0]): counts(row) for row in rows[1:]},
    }


def duckdb_nps(con: duckdb.DuckDBPyConnection) -> Counts:
    """NPS counts in SQL."""
    row = con.execute(
        """
        SELECT count_if(score >= 9), count_if(score >= 7 AND score < 9),
               count_if(score < 7)
        FROM surveys WHERE kind = 'nps'
        """
    ).fetchone()
    return dict(zip(("promoters", "passives", "detractors"), row, strict=True))


def duckdb_asa(
    con: duckdb.DuckDBPyConnection, *, by: str | None = None, as_of: Any = None
) -> Counts:
    """Average speed of answer in SQL, overall and per ``by`` (one grouping-sets query)."""
    if not by:
        n, mean = con.execute(
            f"WITH {_waits(as_of)} SELECT count(*), avg(seconds) FROM waits WHERE answered"
        ).fetchone()
        return {"n": int(n), "mean": float(mean)}
    rows = con.execute(
        f"""
        WITH {_waits(as_of)}
        SELECT {by}, count(*), avg(seconds) FROM waits WHERE answered
        GROUP BY GROUPING SETS (({by}), ()) ORDER BY {by} NULLS FIRST
        """
    ).fetchall()
    groups = {str(row[0]): {"n": int(row[1]), "mean": float(row[2])} for row in rows[1:]}
    return {"overall": {"n": int(rows[0][1]), "mean": float(rows[0][2])}, "groups": groups}


def duckdb_nps_by(con: duckdb.DuckDBPyConnection, by: str = "agent_id") -> Counts:
    """NPS counts per ``by`` in SQL; the overall counts are their sums."""
    rows = con.execute(
        f"""
        SELECT {by}, count_if(score >= 9), count_if(score >= 7 AND score < 9),
               count_if(score < 7)
        FROM surveys WHERE kind = 'nps' GROUP BY {by} ORDER BY {by}
        """
    ).fetchall()
    groups = {str(row[0]): [int(v) for v in row[1:]] for row in rows}
    totals = np.array(list(groups.values()), dtype=np.int64).sum(axis=0)
    return {
        "overall": dict(
            zip(("promoters", "passives", "detractors"), map(int, totals), strict=True)
        ),
        "groups": groups,
    }


def duckdb_csat(con: duckdb.DuckDBPyConnection) -> Counts:
    """CSAT counts in SQL."""
    numerator, denominator = con.execute(
        "SELECT count_if(score >= 4), count(*) FROM surveys WHERE kind = 'csat'"
    ).fetchone()
    return {"numerator": int(numerator), "denominator": int(denominator)}


def duckdb_ces(con: duckdb.DuckDBPyConnection) -> Counts:
    """CES n and mean in SQL."""
    n, mean = con.execute("SELECT count(*), avg(score) FROM surveys WHERE kind = 'ces'").fetchone()
    return {"n": int(n), "mean": float(mean)}
