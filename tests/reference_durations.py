"""The `Durations` statistics as computed before results kept distinct values.

Until decision 53 a `Durations` result kept every completed duration and every
censoring time in sorted arrays, and computed its statistics from them. This
module keeps that code, self-contained (its own copy of the Kaplan-Meier
steps), as the reference the distinct-value result must match bit for bit
(`tests/test_durations.py`): every quantile in both censoring modes, the
curve, the interval, the median's standard error, min and max. The mean is
compared to the correctly rounded mean (decision 53), not to this one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from csmetrics import ConfidenceInterval
from csmetrics.core.stats import KM_TOLERANCE, z_value

F64 = npt.NDArray[np.float64]


def _steps(completed: F64, censored: F64) -> tuple[F64, F64, F64]:
    if len(completed) == 0:
        return np.empty(0), np.empty(0), np.empty(0)
    new = np.ones(len(completed), dtype=bool)
    np.not_equal(completed[1:], completed[:-1], out=new[1:])
    first = np.flatnonzero(new)
    times = completed[first]
    deaths = np.diff(np.append(first, len(completed))).astype(np.float64)
    at_risk = (len(completed) - first + len(censored)) - np.searchsorted(censored, times, "left")
    return times, deaths, at_risk.astype(np.float64)


def _curve(completed: F64, censored: F64) -> tuple[F64, F64]:
    times, deaths, n_at = _steps(completed, censored)
    if len(times) == 0:
        return times, times
    remaining = n_at - deaths
    scale = np.ones(len(times))
    np.cumprod(remaining[:-1] / n_at[1:], out=scale[1:])
    survival: F64 = scale * remaining / n_at[0]
    return times, survival


def _greenwood(completed: F64, censored: F64) -> tuple[F64, F64, F64]:
    times, survival = _curve(completed, censored)
    _, deaths, n_at = _steps(completed, censored)
    with np.errstate(divide="ignore"):
        greenwood = np.cumsum(deaths / (n_at * (n_at - deaths)))
    return times, survival, greenwood


def _band(completed: F64, censored: F64, level: float, method: str) -> tuple[F64, ...]:
    z = z_value(level)
    times, survival, greenwood = _greenwood(completed, censored)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "linear":
            half = z * survival * np.sqrt(greenwood)
            low, high = np.clip(survival - half, 0, 1), np.clip(survival + half, 0, 1)
        else:
            power = np.exp(z * np.sqrt(greenwood) / np.abs(np.log(survival)))
            low, high = survival**power, survival ** (1 / power)
    done = survival == 0
    low[done] = high[done] = 0.0
    return times, survival, low, high


def _first_at_or_below(times: F64, curve: F64, level: float) -> float:
    index = int(np.searchsorted(-curve, -(level + KM_TOLERANCE), side="left"))
    return float(times[index]) if index < len(times) else math.inf


def _km_quantile(times: F64, survival: F64, q: float) -> float:
    level = 1 - q + KM_TOLERANCE
    index = int(np.searchsorted(-survival, -level, side="left"))
    return float(times[index]) if index < len(times) else math.nan


@dataclass(frozen=True)
class ReferenceDurations:
    """The old result's statistics from its sorted ``durations`` and ``censoring_times``."""

    durations: F64
    censoring_times: F64
    censoring: str = "kaplan-meier"

    @classmethod
    def of(cls, durations: object, censoring_times: object, censoring: str) -> ReferenceDurations:
        def prepared(values: object) -> F64:
            arr = np.array(values, dtype=np.float64).reshape(-1)
            arr += 0.0
            arr.sort()
            return arr

        return cls(prepared(durations), prepared(censoring_times), censoring)

    def _data(self) -> tuple[F64, F64]:
        censored = self.censoring_times if self.censoring == "kaplan-meier" else np.empty(0)
        return self.durations, censored

    def km_curve(self) -> tuple[F64, F64]:
        return _curve(*self._data())

    def quantile(self, q: float) -> float:
        if self.censoring == "exclude":
            if not len(self.durations):
                return math.nan
            return float(np.quantile(self.durations, q))
        times, survival = self.km_curve()
        return _km_quantile(times, survival, q)

    def ci(self, level: float, method: str, q: float) -> ConfidenceInterval:
        times, survival, low, high = _band(*self._data(), level, method)
        target = 1 - q
        if math.isinf(_first_at_or_below(times, survival, target)):
            return ConfidenceInterval(
                low=math.nan, high=math.nan, confidence_level=level, method=method
            )
        return ConfidenceInterval(
            low=_first_at_or_below(times, low, target),
            high=_first_at_or_below(times, high, target),
            confidence_level=level,
            method=method,
        )

    @property
    def median_se(self) -> float:
        estimate = self.quantile(0.5)
        if math.isnan(estimate):
            return math.nan
        times, survival, greenwood = _greenwood(*self._data())
        p = 0.5
        below = np.flatnonzero(survival <= p - 0.05 + KM_TOLERANCE)
        if len(below) == 0:
            return math.nan
        above = np.flatnonzero(survival >= p + 0.05 - KM_TOLERANCE)
        t_up, s_up = (times[above[-1]], survival[above[-1]]) if len(above) else (0.0, 1.0)
        t_low, s_low = times[below[0]], survival[below[0]]
        at = int(np.searchsorted(times, estimate, side="right")) - 1
        if at < 0 or survival[at] == 0 or t_low == t_up:
            return 0.0
        with np.errstate(over="ignore"):
            density = (s_up - s_low) / (t_low - t_up)
        return float(survival[at] * math.sqrt(greenwood[at]) / density)

    @property
    def min(self) -> float:
        return float(self.durations[0]) if len(self.durations) else math.nan

    @property
    def max(self) -> float:
        return float(self.durations[-1]) if len(self.durations) else math.nan
