"""Dataframes in: pandas, polars, pyarrow and DuckDB through narwhals.

Needs the ``frames`` extra (``pip install "csmetrics[frames]"``), which brings
narwhals; the dataframe library itself is whatever the user already has. No
dataframe library is imported unless the input is one of its frames.

Columns are read whole into numpy arrays (no per-row Python work):

- timezone-aware timestamps are converted to UTC; naive ones are an error
  unless ``assume_timezone=`` names the zone they are in;
- nulls become missing values (None keys, NaT times, nan numbers); a null in a
  flag column (``resolved``...) is False; nulls in required columns are an
  error naming the first row (the table checks this);
- key columns (ids, customer, agent, ...) may be integers or strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from csmetrics.errors import InvalidDataError

__all__ = ["frame_columns", "import_narwhals", "is_frame"]

_FRAME_MODULES = frozenset({"pandas", "polars", "pyarrow", "duckdb", "modin", "cudf", "dask"})


def is_frame(data: object) -> bool:
    """Whether ``data`` is a dataframe csmetrics reads through narwhals."""
    module = type(data).__module__.split(".", 1)[0]
    return module in _FRAME_MODULES or hasattr(data, "__narwhals_dataframe__")


def import_narwhals() -> Any:
    """Narwhals' stable API, or an ImportError saying which extra to install."""
    try:
        import narwhals.stable.v2 as nw  # noqa: PLC0415 (optional dependency)
    except ImportError as err:  # pragma: no cover - exercised without the extra
        msg = 'reading dataframes needs narwhals: pip install "csmetrics[frames]"'
        raise ImportError(msg) from err
    return nw


def frame_columns(
    data: Any,
    /,
    *,
    fields: tuple[str, ...],
    required: tuple[str, ...],
    flags: tuple[str, ...] = (),
    columns: Mapping[str, str] | None = None,
    assume_timezone: str | None = None,
) -> dict[str, Any]:
    """Read the ``fields`` csmetrics knows from a dataframe as numpy columns.

    Parameters
    ----------
    data
        A pandas, polars or pyarrow table, or a DuckDB relation.
    fields
        The csmetrics field names to look for; other columns are ignored.
    required
        Fields that must be present.
    flags
        Bool fields, where a null means False.
    columns
        csmetrics field name to the frame's column name, for columns named
        differently (``{"id": "ticket_id", "start": "created_at"}``).
    assume_timezone
        IANA zone of naive timestamp columns; without it they are an error.

    Returns
    -------
    dict
        Field name to numpy array, ready for ``from_columns``.

    Raises
    ------
    InvalidDataError
        A required column is missing (the message lists the columns found and
        needed), or a timestamp column is naive without ``assume_timezone``.
    """
    nw = import_narwhals()
    frame = nw.from_native(data)
    if hasattr(frame, "collect"):
        frame = frame.collect()
    names = dict(columns or {})
    unknown = sorted(set(names) - set(fields))
    if unknown:
        msg = f"columns={names!r}: {unknown} are not csmetrics fields; use some of {list(fields)}"
        raise ValueError(msg)
    found = list(frame.columns)
    source = {field: names.get(field, field) for field in fields}
    missing = [f for f in required if source[f] not in found]
    if missing:
        wanted = [source[f] for f in required]
        msg = f"missing columns {[source[f] for f in missing]}; found {found}, needed {wanted}"
        raise InvalidDataError(msg)
    out: dict[str, Any] = {}
    for field in fields:
        if source[field] in found:
            out[field] = _column(
                nw,
                frame[source[field]],
                field,
                flag=field in flags,
                assume_timezone=assume_timezone,
            )
    return out


def _column(nw: Any, series: Any, field: str, *, flag: bool, assume_timezone: str | None) -> Any:
    """One series as a numpy array with csmetrics' missing values."""
    dtype = series.dtype
    null = series.is_null().to_numpy()
    if isinstance(dtype, nw.Datetime):
        if dtype.time_zone is None:
            if assume_timezone is None:
                msg = (
                    f"column {series.name!r} ({field}) has naive timestamps; pass "
                    "assume_timezone='Europe/Berlin' (their zone) or store them with a zone"
                )
                raise InvalidDataError(msg)
            series = series.dt.replace_time_zone(assume_timezone)
        return series.dt.convert_time_zone("UTC").dt.replace_time_zone(None).to_numpy()
    if flag:
        return series.fill_null(value=False).to_numpy().astype(bool)
    if not null.any():
        return series.to_numpy()
    if null.all():
        # An all-null column has no meaningful dtype (pandas makes it float).
        return np.full(len(null), None, dtype=object)
    if dtype.is_integer():
        # Integer keys with nulls: keep the integers, None where null.
        objects = series.fill_null(0).to_numpy().astype(np.int64).astype(object)
    elif dtype.is_float():
        return series.to_numpy()  # nan is missing
    else:
        objects = series.to_numpy().astype(object)
    objects[null] = None
    return objects
