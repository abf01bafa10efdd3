"""Staffing: Erlang B and Erlang C, and how many agents a forecast needs.

- `erlang_b`: the share of calls blocked when there is no queue, a fraction in
  [0, 1]; lower is better.
- `erlang_c`: the share of calls that wait at all before an agent answers, a
  fraction in [0, 1]; lower is better.
- `erlang_c_service_level`: the share of calls answered within a threshold
  under Erlang C, a fraction in [0, 1]; higher is better.
- `erlang_c_asa`: the average speed of answer under Erlang C, in seconds;
  lower is better.
- `agents_needed`: the fewest agents that meet a service-level target (and an
  optional occupancy cap), as a `Staffing` result; ``agents`` and
  ``scheduled`` are counts of agents.

Every function takes the offered traffic in Erlangs,
``A = calls * aht_seconds / interval_seconds``: the average number of agents
the calls keep busy (100 calls of 180 s in 1800 s are 10 Erlangs).

Erlang C models a queue with Poisson arrivals, exponential handle times, as
many agents as given, and callers who never hang up (M/M/N). Where callers
abandon, it overstates waiting and so overstaffs; Erlang A (M/M/N+M, with
abandonment) is not provided yet.

Inputs: numbers only, no contact data: a forecast of the calls in an
interval, the interval's length and the average handle time.
`csmetrics.handle_time` measures the handle time of past contacts, given in
any form the contact metrics take (objects, a table or a dataframe).
"""

from __future__ import annotations

import math
from datetime import timedelta
from fractions import Fraction
from typing import Any

import attrs
import numpy as np

from csmetrics.core import html as html_table
from csmetrics.core.check import (
    RenamedField,
    finite,
    non_negative,
    plain,
    positive_number,
    renamed,
    shown,
)
from csmetrics.core.elapsed import seconds

__all__ = [
    "Staffing",
    "agents_needed",
    "erlang_b",
    "erlang_c",
    "erlang_c_asa",
    "erlang_c_service_level",
]


# -- validation -------------------------------------------------------------------------------


def _agents(value: Any) -> int:
    """``value`` as an int when it is an integer >= 0 (a float is refused, even 3.0)."""
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, (int, np.integer))
        or not 0 <= value <= MAX_AGENTS
    ):
        # The formulas take one step per agent: a billion agents would run for minutes.
        msg = f"agents={shown(value)!r} is not allowed; use an int >= 0, at most {MAX_AGENTS}"
        raise ValueError(msg)
    return int(value)


def _fraction(name: str, value: Any, allowed: str, *, low_open: bool, high_open: bool) -> float:
    """``value`` as a float when it lies in [0, 1] with the given open ends, else ValueError."""
    number = finite(value)
    ok = number is not None and 0 <= number <= 1
    if ok and ((low_open and value == 0) or (high_open and value == 1)):
        ok = False
    if not ok:
        msg = f"{name}={shown(value)!r} is not allowed; use a number in {allowed}"
        raise ValueError(msg)
    return float(value)


def _decimal(value: float) -> Fraction:
    """The number as the decimal it prints as: 0.3 is exactly 3/10, not the binary 0.2999...

    Integer decisions (the search start, the occupancy cap, the shrinkage
    round-up) are made on these exact values, so ``21 / (1 - 0.3)`` is 30, not
    the 30.000000000000004 of binary floating point.
    """
    if isinstance(value, (int, np.integer)):
        return Fraction(int(value))
    return Fraction(repr(float(value)))


# -- kernels ----------------------------------------------------------------------------------


def _erlang_b(traffic: float, agents: int) -> float:
    # B(0) = 1, B(n) = A B(n-1) / (n + A B(n-1)): every step is a ratio of
    # positive numbers no larger than A + n, so nothing overflows, and the
    # relative rounding error stays of the order of n * machine epsilon.
    b = 1.0
    for n in range(1, agents + 1):
        ab = traffic * b
        b = ab / (n + ab)
    return b


def _erlang_c(traffic: float, agents: int, b: float) -> float:
    # C = N B / (N - A (1 - B)), written as B / (1 - (A / N)(1 - B)): the
    # denominator is at most 1, so the rounded C is never below the rounded B.
    if agents <= traffic:
        return 1.0
    return min(1.0, b / (1.0 - traffic / agents * (1.0 - b)))


def _service_level(traffic: float, agents: int, c: float, threshold: float, aht: float) -> float:
    if agents <= traffic:
        return 0.0
    return 1.0 - c * math.exp(-(agents - traffic) * threshold / aht)


def _asa(traffic: float, agents: int, c: float, aht: float) -> float:
    if agents <= traffic:
        return math.inf
    return c * aht / (agents - traffic)


# -- Erlang B and C ---------------------------------------------------------------------------


def erlang_b(traffic: float, agents: int) -> float:
    """Erlang B: the share of calls blocked when every line is busy and there is no queue.

    With ``A`` Erlangs offered to ``N`` lines (or agents) and blocked calls
    lost, the blocking probability is

    ``B(N, A) = (A^N / N!) / sum(A^k / k! for k in 0..N)``,

    computed with the recursion ``B(0) = 1``,
    ``B(n) = A B(n-1) / (n + A B(n-1))``: no factorial, no overflow, so
    thousands of agents work. The formula holds for any handle-time
    distribution with that mean (Erlang's loss formula is insensitive to it).

    Parameters
    ----------
    traffic
        Offered traffic ``A`` in Erlangs: calls x average handle time /
        interval length. A finite number >= 0.
    agents
        Number of lines or agents ``N``, an int >= 0.

    Returns
    -------
    float
        The blocking probability, in [0, 1].

    Raises
    ------
    ValueError
        ``traffic`` negative or not finite, or ``agents`` negative or not an int.

    Notes
    -----
    Edge cases: with ``agents=0`` every call is blocked (1.0); with
    ``traffic=0`` and at least one agent nothing is (0.0). The work grows
    linearly with ``agents``.

    See Also
    --------
    erlang_c : the same traffic when callers queue instead.

    References
    ----------
    A. K. Erlang, "Solution of some problems in the theory of probabilities of
    significance in automatic telephone exchanges", Elektroteknikeren 13 (1917).
    R. B. Cooper, *Introduction to Queueing Theory*, 2nd ed., North Holland
    (1981), chapter 3 (the loss formula and its recursion).

    Examples
    --------
    Ten Erlangs on ten lines lose a fifth of the calls; two more lines nearly halve that:

    >>> round(erlang_b(10.0, 10), 6), round(erlang_b(10.0, 12), 6)
    (0.214582, 0.119739)
    >>> round(erlang_b(2.0, 3), 6)  # B(3, 2) = (8/6) / (1 + 2 + 2 + 8/6) = 4/19
    0.210526

    A thousand agents are no harder than ten:

    >>> round(erlang_b(1000.0, 1000), 6)
    0.024812
    >>> erlang_b(5.0, 0)
    1.0
    """
    return _erlang_b(non_negative("traffic", traffic), _agents(agents))


def erlang_c(traffic: float, agents: int) -> float:
    """Erlang C: the share of callers who have to wait before an agent answers.

    With ``A`` Erlangs offered to ``N`` agents and callers queueing (first come,
    first served) until answered, the probability that an arriving call waits is

    ``C(N, A) = N B / (N - A (1 - B))``, with ``B = erlang_b(A, N)``,

    when ``N > A``. With ``N <= A`` the queue grows without bound and every
    caller waits: ``C = 1.0``.

    Parameters
    ----------
    traffic
        Offered traffic ``A`` in Erlangs, a finite number >= 0.
    agents
        Number of agents ``N``, an int >= 0.

    Returns
    -------
    float
        The probability of waiting, in [0, 1]; never below ``erlang_b`` of the
        same arguments.

    Raises
    ------
    ValueError
        ``traffic`` negative or not finite, or ``agents`` negative or not an int.

    Notes
    -----
    Assumptions: Poisson arrivals, exponential handle times, ``N`` identical
    agents, an unlimited queue, no abandonment (M/M/N). Edge cases: ``agents
    <= traffic`` gives 1.0, including ``erlang_c(0.0, 0)``; ``traffic=0``
    with at least one agent gives 0.0.

    See Also
    --------
    erlang_c_service_level : the share of calls answered within a threshold.
    erlang_c_asa : the mean wait of all calls.
    agents_needed : the fewest agents that meet a service-level target.

    References
    ----------
    A. K. Erlang (1917), as for `erlang_b`.
    R. B. Cooper, *Introduction to Queueing Theory*, 2nd ed. (1981),
    chapter 3 (the delay formula, ``C = N B / (N - A (1 - B))``).
    N. Gans, G. Koole and A. Mandelbaum, "Telephone call centers: tutorial,
    review, and research prospects", Manufacturing & Service Operations
    Management 5(2) (2003) (Erlang C as the basic staffing model).

    Examples
    --------
    100 calls in 30 minutes with 180 s handle time are 10 Erlangs; with 14
    agents about 17% of callers wait (the Call Centre Helper worked example):

    >>> round(erlang_c(10.0, 14), 6)
    0.174132
    >>> erlang_c(10.0, 10)  # as many agents as Erlangs: the queue never clears
    1.0
    """
    a, n = non_negative("traffic", traffic), _agents(agents)
    return _erlang_c(a, n, _erlang_b(a, n))


@renamed(threshold_seconds="threshold")
def erlang_c_service_level(
    traffic: float, agents: int, *, threshold: float | timedelta, aht_seconds: float
) -> float:
    """Erlang C service level: the share of calls answered within ``threshold``.

    With ``C = erlang_c(A, N)``, average handle time ``AHT`` and threshold ``T``,
    the waits are exponential once a caller queues, and

    ``SL = 1 - C exp(-(N - A) T / AHT)``  (``N > A``), ``SL = 0.0`` (``N <= A``).

    This is the share of *all* offered calls with a wait of at most ``T``
    (a call answered at once counts as within), the ``"offered"`` formula of
    `csmetrics.metrics.service_level.service_level` with nobody abandoning.

    Parameters
    ----------
    traffic
        Offered traffic ``A`` in Erlangs, a finite number >= 0.
    agents
        Number of agents ``N``, an int >= 0.
    threshold
        The promise ``T``, seconds >= 0 or a `datetime.timedelta` (20 in an
        "80/20" target), as in `csmetrics.metrics.service_level.service_level`.
        With 0 the service level is the share answered at once, ``1 - C``.
        The old name ``threshold_seconds=`` still works until 0.3, with a
        `DeprecationWarning`.
    aht_seconds
        Average handle time, seconds > 0: the same one the traffic was computed with.

    Returns
    -------
    float
        The expected service level, in [0, 1].

    Raises
    ------
    ValueError
        A negative or non-finite ``traffic`` or ``threshold``, an
        ``aht_seconds`` <= 0, or ``agents`` negative or not an int.

    Notes
    -----
    The queue is unstable with ``agents <= traffic``: the result is 0.0.

    References
    ----------
    Cooper (1981), chapter 3 (the waiting-time distribution of M/M/N);
    Gans, Koole and Mandelbaum (2003).

    Examples
    --------
    The Call Centre Helper worked example (10 Erlangs, 180 s, 80% in 20 s): 13
    agents fall just short, 14 make it.

    >>> round(erlang_c_service_level(10.0, 13, threshold=20, aht_seconds=180), 6)
    0.795595
    >>> round(erlang_c_service_level(10.0, 14, threshold=20, aht_seconds=180), 6)
    0.88835
    >>> erlang_c_service_level(10.0, 10, threshold=20, aht_seconds=180)
    0.0
    """
    a, n = non_negative("traffic", traffic), _agents(agents)
    limit = seconds("threshold", threshold, allow_zero=True)
    aht = positive_number("aht_seconds", aht_seconds)
    return _service_level(a, n, _erlang_c(a, n, _erlang_b(a, n)), limit, aht)


def erlang_c_asa(traffic: float, agents: int, *, aht_seconds: float) -> float:
    """Erlang C average speed of answer: the mean wait of all calls, in seconds.

    ``ASA = C AHT / (N - A)`` with ``C = erlang_c(A, N)``, averaged over every
    call, including those answered at once (wait 0). ``inf`` when ``N <= A``.

    Parameters
    ----------
    traffic
        Offered traffic ``A`` in Erlangs, a finite number >= 0.
    agents
        Number of agents ``N``, an int >= 0.
    aht_seconds
        Average handle time, seconds > 0.

    Returns
    -------
    float
        The expected ASA in seconds, >= 0; ``inf`` for an unstable queue.

    Raises
    ------
    ValueError
        ``traffic`` negative or not finite, ``agents`` negative or not an int,
        ``aht_seconds`` <= 0.

    Notes
    -----
    The mean wait of the callers who do wait is ``AHT / (N - A)``; ASA is that
    times the share who wait.

    References
    ----------
    Cooper (1981), chapter 3; Gans, Koole and Mandelbaum (2003).

    Examples
    --------
    >>> round(erlang_c_asa(10.0, 14, aht_seconds=180), 4)
    7.8359
    >>> erlang_c_asa(10.0, 9, aht_seconds=180)
    inf
    """
    a, n = non_negative("traffic", traffic), _agents(agents)
    aht = positive_number("aht_seconds", aht_seconds)
    return _asa(a, n, _erlang_c(a, n, _erlang_b(a, n)), aht)


# -- staffing ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Staffing:
    """The agents a forecast interval needs under Erlang C, and what they achieve.

    ``agents`` is the fewest agents on the phones that meet the target;
    ``scheduled`` adds shrinkage (breaks, training, absence):
    ``ceil(agents / (1 - shrinkage))``. ``service_level``, ``asa``,
    ``wait_probability`` and ``occupancy`` are what ``agents`` achieve under
    Erlang C. The inputs are recorded as given.

    Not a `csmetrics.core.results.Result`: it is a plan, not a measurement, and
    plans for different intervals do not merge by adding.
    """

    agents: int
    """Agents needed on the phones: the smallest N > traffic meeting every target."""
    scheduled: int
    """Agents to schedule so that ``agents`` remain after shrinkage."""
    traffic: float
    """Offered traffic in Erlangs: ``calls * aht_seconds / interval_seconds``."""
    service_level: float
    """Share of calls answered within ``threshold`` with ``agents``, in [0, 1]."""
    asa: float
    """Average speed of answer with ``agents``, seconds."""
    wait_probability: float
    """Share of calls that wait at all (Erlang C) with ``agents``, in [0, 1]."""
    occupancy: float
    """Share of the agents' time spent handling calls, ``traffic / agents``, in [0, 1]."""
    calls: float
    interval_seconds: float
    aht_seconds: float
    target_service_level: float
    threshold: float
    """The threshold in seconds (a timedelta given is recorded as its seconds)."""
    max_occupancy: float | None
    shrinkage: float

    threshold_seconds = RenamedField[float]("threshold")
    """Deprecated alias of ``threshold``; removed in 0.3."""

    def _repr_html_(self) -> str:
        return html_table.fields("Staffing", attrs.asdict(self))


MAX_AGENTS = 1_000_000
"""The most agents `agents_needed` searches: each Erlang B step is one pass per agent."""


@renamed(threshold_seconds="threshold")
def agents_needed(
    *,
    calls: float,
    interval_seconds: float,
    aht_seconds: float,
    target_service_level: float,
    threshold: float | timedelta,
    max_occupancy: float | None = None,
    shrinkage: float = 0.0,
) -> Staffing:
    """The fewest agents that answer ``target_service_level`` of calls within the threshold.

    With traffic ``A = calls * aht_seconds / interval_seconds`` Erlangs, the
    result is the smallest integer ``N > A`` with

    ``erlang_c_service_level(A, N, threshold, aht_seconds) >= target_service_level``

    and, when ``max_occupancy`` is given, ``A / N <= max_occupancy``. The
    search starts at ``floor(A) + 1``, the smallest stable staffing; both
    conditions only get easier with more agents, so the first ``N`` meeting
    them is the minimum. ``scheduled = ceil(N / (1 - shrinkage))``.

    Parameters
    ----------
    calls
        Calls forecast to arrive in the interval, a number >= 0 (a forecast
        may be fractional).
    interval_seconds
        Length of the interval, seconds > 0 (1800 for half-hour planning).
    aht_seconds
        Average handle time (talk + hold + wrap-up), seconds > 0.
    target_service_level
        The share of calls to answer within the threshold, in (0, 1]: 0.8 in
        an "80/20" target.
    threshold
        The threshold, seconds >= 0 or a `datetime.timedelta`: 20 in an
        "80/20" target. The old name ``threshold_seconds=`` still works until
        0.3, with a `DeprecationWarning`.
    max_occupancy
        The largest share of time agents may spend on calls, in (0, 1]; None
        (default) for no cap. Capping occupancy (commonly at 0.85) stops a
        large queue from being staffed to burn-out levels.
    shrinkage
        The share of paid time agents are not available for calls, in [0, 1):
        0.3 schedules 10 agents for every 7 needed.

    Returns
    -------
    Staffing
        ``agents``, ``scheduled``, ``traffic``, the ``service_level``,
        ``asa``, ``wait_probability`` and ``occupancy`` achieved with
        ``agents``, and the inputs.

    Raises
    ------
    ValueError
        An input out of range (the message names the parameter, the value and
        what is allowed), or ``target_service_level=1`` with calls to answer:
        Erlang C gives every finite staff some calls that wait longer than any
        threshold.

    Notes
    -----
    Edge cases:

    - Zero calls need zero agents: ``agents=0``, ``scheduled=0``,
      ``service_level=1.0`` (no call is answered late), ``asa=0.0``,
      ``wait_probability=0.0`` and ``occupancy=0.0``. The functions
      `erlang_c` and `erlang_c_service_level` treat 0 agents on 0 Erlangs as
      unstable (1.0 and 0.0); a staffing plan for an empty interval is not.
    - Traffic is never rounded. Integer decisions (the search start, the
      occupancy cap, the shrinkage round-up) use the inputs as the decimals
      they print as, so 21 agents at 30% shrinkage schedule exactly 30, and a
      traffic of 9.8 Erlangs at a 70% cap needs exactly 14 agents.
    - The work grows linearly with the number of agents.

    Erlang C ignores abandonment: where callers hang up, the real queue is
    shorter than modelled and this overstaffs (Erlang A is not provided yet).

    See Also
    --------
    erlang_c_service_level : the service level of a given number of agents.
    erlang_c_asa : the mean wait of a given number of agents.

    References
    ----------
    A. K. Erlang (1917); R. B. Cooper, *Introduction to Queueing Theory*, 2nd
    ed. (1981), chapter 3; N. Gans, G. Koole and A. Mandelbaum, "Telephone
    call centers: tutorial, review, and research prospects", M&SOM 5(2)
    (2003) (staffing with Erlang C); Call Centre Helper, "Erlang
    C formula - made simple with an easy worked example" (the example below).

    Examples
    --------
    100 calls per half hour, 180 s handle time, 80% answered in 20 s, 30%
    shrinkage:

    >>> s = agents_needed(calls=100, interval_seconds=1800, aht_seconds=180,
    ...                   target_service_level=0.8, threshold=20, shrinkage=0.3)
    >>> s.traffic, s.agents, s.scheduled
    (10.0, 14, 20)
    >>> round(s.service_level, 4), round(s.asa, 2), round(s.occupancy, 4)
    (0.8884, 7.84, 0.7143)

    An occupancy cap of 70% needs one more agent than the service level does:

    >>> agents_needed(calls=100, interval_seconds=1800, aht_seconds=180,
    ...               target_service_level=0.8, threshold=20, max_occupancy=0.7).agents
    15

    An empty interval needs nobody:

    >>> quiet = agents_needed(calls=0, interval_seconds=1800, aht_seconds=180,
    ...                       target_service_level=0.8, threshold=20)
    >>> quiet.agents, quiet.scheduled, quiet.service_level
    (0, 0, 1.0)
    """
    calls_ = non_negative("calls", calls)
    interval = positive_number("interval_seconds", interval_seconds)
    aht = positive_number("aht_seconds", aht_seconds)
    target = _fraction(
        "target_service_level", target_service_level, "(0, 1]", low_open=True, high_open=False
    )
    limit = seconds("threshold", threshold, allow_zero=True)
    cap = (
        None
        if max_occupancy is None
        else _fraction("max_occupancy", max_occupancy, "(0, 1]", low_open=True, high_open=False)
    )
    shrink = _fraction("shrinkage", shrinkage, "[0, 1)", low_open=False, high_open=True)

    exact = _decimal(calls) * _decimal(aht_seconds) / _decimal(interval_seconds)
    try:
        traffic = float(exact)
    except OverflowError:
        msg = (
            f"calls={plain(calls)!r} with aht_seconds={plain(aht_seconds)!r} and "
            f"interval_seconds={plain(interval_seconds)!r}: the traffic, calls * aht_seconds / "
            "interval_seconds, is too large for a float"
        )
        raise ValueError(msg) from None
    record: dict[str, Any] = {
        "calls": calls_,
        "interval_seconds": interval,
        "aht_seconds": aht,
        "target_service_level": target,
        "threshold": limit,
        "max_occupancy": cap,
        "shrinkage": shrink,
    }
    if exact == 0:
        return Staffing(
            agents=0,
            scheduled=0,
            traffic=0.0,
            service_level=1.0,
            asa=0.0,
            wait_probability=0.0,
            occupancy=0.0,
            **record,
        )
    if target == 1:
        msg = (
            f"target_service_level={plain(target_service_level)!r} cannot be met with "
            f"{traffic:.6g} Erlangs of traffic: under Erlang C some calls wait longer than any "
            "threshold; use a target below 1"
        )
        raise ValueError(msg)

    agents = math.floor(exact) + 1
    if max_occupancy is not None:
        agents = max(agents, math.ceil(exact / _decimal(max_occupancy)))
    if agents > MAX_AGENTS:
        msg = (
            f"agents_needed: {traffic:.6g} Erlangs with max_occupancy="
            f"{plain(max_occupancy)!r} need at least {agents} agents, more than the "
            f"{MAX_AGENTS} this search covers; check calls, aht_seconds and max_occupancy"
        )
        raise ValueError(msg)
    b = _erlang_b(traffic, agents)
    while True:
        c = _erlang_c(traffic, agents, b)
        level = _service_level(traffic, agents, c, limit, aht)
        if level >= target:
            break
        agents += 1
        ab = traffic * b
        b = ab / (agents + ab)
    return Staffing(
        agents=agents,
        scheduled=math.ceil(agents / (1 - _decimal(shrinkage))),
        traffic=traffic,
        service_level=level,
        asa=_asa(traffic, agents, c, aht),
        wait_probability=c,
        occupancy=float(exact / agents),
        **record,
    )
