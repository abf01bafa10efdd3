"""Errors and warnings raised by csmetrics.

All warnings derive from `CsmetricsWarning`, so one filter silences or
escalates them all::

    import warnings
    import csmetrics

    warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
"""

from __future__ import annotations

__all__ = ["CsmetricsWarning", "InvalidDataError", "UndefinedMetricWarning"]


class InvalidDataError(ValueError):
    """A record holds a value the metric definitions cannot accept.

    The message names the record (its id, or its position when it has no id),
    the field and the offending value, so the bad row can be found in the
    source data. Where the error is about one row of a table, ``row`` is its
    0-based position, ``record`` its id as text (``'c-1'``, None without
    one), ``field`` the field, ``value`` the value and ``why`` the reason
    (a file reader uses them to name the file's line and cell); they
    are None otherwise.
    """

    def __init__(
        self,
        *args: object,
        row: int | None = None,
        record: str | None = None,
        field: str | None = None,
        value: object = None,
        why: str | None = None,
    ) -> None:
        super().__init__(*args)
        self.row = row
        self.record = record
        self.field = field
        self.value = value
        self.why = why


class CsmetricsWarning(UserWarning):
    """Base class of every warning emitted by csmetrics."""


class UndefinedMetricWarning(CsmetricsWarning):
    """A metric has no defined value (empty input, zero denominator).

    The value is ``nan`` and the counts are zero. Silence it with
    ``warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)``.
    """
