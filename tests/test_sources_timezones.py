"""Zendesk's (Rails') time-zone names: the table is complete and every zone loads."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from csmetrics.sources.timezones import RAILS_TIME_ZONES, iana_zone


def test_the_table_has_every_rails_name() -> None:
    # ActiveSupport::TimeZone::MAPPING lists 151 names for 134 distinct zones.
    assert len(RAILS_TIME_ZONES) == 151
    assert len(set(RAILS_TIME_ZONES.values())) == 134


@pytest.mark.parametrize("name", sorted(RAILS_TIME_ZONES))
def test_every_zone_loads_with_zoneinfo(name: str) -> None:
    zone = ZoneInfo(RAILS_TIME_ZONES[name])
    assert datetime(2026, 6, 1, tzinfo=zone).utcoffset() is not None
    assert iana_zone(name) == RAILS_TIME_ZONES[name]


@pytest.mark.parametrize(
    ("name", "zone", "winter", "summer"),
    [
        # Offsets in January and July 2026 (hours east of UTC).
        ("Eastern Time (US & Canada)", "America/New_York", -5, -4),
        ("Pacific Time (US & Canada)", "America/Los_Angeles", -8, -7),
        ("Arizona", "America/Phoenix", -7, -7),
        ("Brasilia", "America/Sao_Paulo", -3, -3),
        ("London", "Europe/London", 0, 1),
        ("Berlin", "Europe/Berlin", 1, 2),
        ("Kyiv", "Europe/Kiev", 2, 3),
        ("New Delhi", "Asia/Kolkata", 5.5, 5.5),
        ("Kathmandu", "Asia/Kathmandu", 5.75, 5.75),
        ("Sydney", "Australia/Sydney", 11, 10),
        ("Chatham Is.", "Pacific/Chatham", 13.75, 12.75),
        ("UTC", "Etc/UTC", 0, 0),
    ],
)
def test_known_names_map_to_their_zone_and_offsets(
    name: str, zone: str, winter: float, summer: float
) -> None:
    assert iana_zone(name) == zone
    tz = ZoneInfo(zone)
    assert datetime(2026, 1, 15, tzinfo=tz).utcoffset() == timedelta(hours=winter)
    assert datetime(2026, 7, 15, tzinfo=tz).utcoffset() == timedelta(hours=summer)


def test_names_are_matched_ignoring_case_and_spaces() -> None:
    assert iana_zone("  eastern time (us & canada) ") == "America/New_York"


def test_an_iana_name_is_returned_as_it_is() -> None:
    assert iana_zone("America/Asuncion") == "America/Asuncion"
    assert iana_zone("Europe/Berlin") == "Europe/Berlin"


def test_an_unknown_name_is_an_error_with_a_suggestion() -> None:
    with pytest.raises(
        ValueError, match=r"'Eastern Time \(US Canada\)'.*'Eastern Time \(US & Canada\)'"
    ):
        iana_zone("Eastern Time (US Canada)")


def test_the_utc_name_is_utc() -> None:
    moment = datetime(2026, 3, 8, 12, tzinfo=ZoneInfo(iana_zone("UTC")))
    assert moment.utcoffset() == timedelta(0)
    assert moment.astimezone(timezone.utc).hour == 12
