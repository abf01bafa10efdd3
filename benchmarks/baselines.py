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
- NPS: promoters 9-10, passives 7-8, detractors 0-6. CSAT: score >= 4 on
  1..5. CES: mean score of the "ces" answers.

Every function returns plain counts (ints; CES also a float mean) in the same
shape as `bench.py` extracts them from csmetrics results.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

WINDOW_DAYS = 7
FCR_COUNTS = ("numerator", "denominator", "pending", "repeats")

Counts = dict[str, Any]


# --------------------------------------------------------------------------
# pandas
# --------------------------------------------------------------------------


def pandas_contacts(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """The contacts as a DataFrame; a missing issue_id is <NA> (nullable Int64)."""
    import pandas as pd

    return pd.DataFrame(
        {
            "id": columns["id"],
            "customer_id": columns["customer_id"],
            "start": columns["start"],
            "end": columns["end"],
            "resolved": columns["resolved"],
            "channel": columns["channel"],
            "agent_id": columns["agent_id"],
            "issue_id": pd.arrays.IntegerArray(columns["issue_id"], ~columns["has_issue"]),
            "category": columns["category"],
        }
    )


def _pandas_episodes(d: pd.DataFrame, keys: list[str], as_of: pd.Timestamp) -> pd.DataFrame:
    """One row per episode (its first contact) with ``repeats`` and ``pending``.

    ``d`` must be sorted by ``keys``, then start, then id.
    """
    import pandas as pd

    window = pd.Timedelta(days=WINDOW_DAYS)
    # An open contact keeps its issue open: its end counts as +infinity.
    d = d.assign(end_or_inf=d["end"].fillna(pd.Timestamp.max))
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


def pandas_fcr(df: pd.DataFrame, *, match: str, by: str | None = None) -> Counts:
    """FCR counts with pandas; with ``by="agent_id"`` also per first-contact agent."""
    import pandas as pd

    as_of = df["start"].max()
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


def pandas_surveys(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """The survey answers as a DataFrame."""
    import pandas as pd

    return pd.DataFrame(columns)


def pandas_nps(s: pd.DataFrame) -> Counts:
    """NPS counts with pandas."""
    score = s.loc[s["kind"] == "nps", "score"]
    return {
        "promoters": int((score >= 9).sum()),
        "passives": int(((score >= 7) & (score < 9)).sum()),
        "detractors": int((score < 7).sum()),
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
    """An in-memory DuckDB connection with a fixed number of threads."""
    import duckdb

    return duckdb.connect(config={"threads": threads})


def duckdb_load_contacts(con: duckdb.DuckDBPyConnection, columns: dict[str, np.ndarray]) -> None:
    """Copy the numpy columns into a DuckDB table ``contacts``."""
    con.register("contacts_np", columns)
    con.execute(
        """
        CREATE OR REPLACE TABLE contacts AS
        SELECT id, customer_id, start, "end", resolved, channel, agent_id,
               CASE WHEN has_issue THEN issue_id END AS issue_id, category
        FROM contacts_np
        """
    )
    con.unregister("contacts_np")


def duckdb_load_surveys(con: duckdb.DuckDBPyConnection, columns: dict[str, np.ndarray]) -> None:
    """Copy the numpy columns into a DuckDB table ``surveys``."""
    con.register("surveys_np", columns)
    con.execute("CREATE OR REPLACE TABLE surveys AS SELECT * FROM surveys_np")
    con.unregister("surveys_np")


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


def _fcr_sql(match: str, by: str | None) -> str:
    source, keys = _SOURCES[match]
    group = f"GROUP BY {by} ORDER BY {by}" if by else ""
    select_by = f"{by}, " if by else ""
    return f"""
WITH {source}
ordered AS (
    SELECT *,
        max(coalesce("end", 'infinity'::TIMESTAMP)) OVER (
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
            > (SELECT max(start) FROM contacts) - INTERVAL {WINDOW_DAYS} DAY
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


def duckdb_fcr(con: duckdb.DuckDBPyConnection, *, match: str, by: str | None = None) -> Counts:
    """FCR counts in SQL; with ``by="agent_id"`` also per first-contact agent."""
    rows = con.execute(_fcr_sql(match, by)).fetchall()
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
