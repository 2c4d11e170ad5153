"""Quiet hours: read as people type them, and applied in the person's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.quiet_hours import parse_quiet_hours, quiet_until
from core.refusal import BadArgument


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("22:00-07:00", (1320, 420)),
        ("22-7", (1320, 420)),
        ("23:30 to 6:15", (1410, 375)),
        ("9:00–17:00", (540, 1020)),
        (" 0:00 — 6:00 ", (0, 360)),
        ("off", None),
        ("Never", None),
    ],
)
def test_quiet_hours_as_people_write_them(typed: str, minutes: tuple[int, int] | None) -> None:
    assert parse_quiet_hours(typed) == minutes


@pytest.mark.parametrize("typed", ["22:00-22:00", "24:00-07:00", "22:60-07:00", "soon", ""])
def test_what_cannot_be_quiet_hours_is_refused_with_what_was_typed(typed: str) -> None:
    with pytest.raises(BadArgument) as caught:
        parse_quiet_hours(typed)
    assert (caught.value.code, caught.value.params) == ("quiet.unreadable", {"typed": typed})


def at(hour: int, minute: int = 0, day: int = 26, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def test_outside_quiet_hours_nothing_waits() -> None:
    assert quiet_until(at(12), "UTC", 22 * 60, 7 * 60) is None
    assert quiet_until(at(7), "UTC", 22 * 60, 7 * 60) is None  # the end is not quiet any more


def test_quiet_hours_that_wrap_midnight_end_the_next_morning() -> None:
    assert quiet_until(at(22), "UTC", 22 * 60, 7 * 60) == at(7, day=27)
    assert quiet_until(at(23, 59), "UTC", 22 * 60, 7 * 60) == at(7, day=27)
    assert quiet_until(at(3), "UTC", 22 * 60, 7 * 60) == at(7)


def test_quiet_hours_within_one_day() -> None:
    assert quiet_until(at(13), "UTC", 12 * 60, 14 * 60 + 30) == at(14, 30)
    assert quiet_until(at(11, 59), "UTC", 12 * 60, 14 * 60 + 30) is None


def test_quiet_hours_are_the_persons_local_time() -> None:
    # 23:30 in Tokyo is 14:30 UTC; quiet until 07:00 Tokyo, 22:00 UTC
    assert quiet_until(at(14, 30), "Asia/Tokyo", 22 * 60, 7 * 60) == at(22)
    assert quiet_until(at(14, 30), "UTC", 22 * 60, 7 * 60) is None


def test_quiet_hours_end_at_the_local_wall_time_across_a_clock_change() -> None:
    # Berlin leaves summer time on 25 Oct 2026: 02:00 at night is 00:00 UTC, 07:00 is 06:00 UTC
    assert quiet_until(at(0, 0, day=25, month=10), "Europe/Berlin", 22 * 60, 7 * 60) == at(
        6, day=25, month=10
    )


def test_no_or_empty_quiet_hours_mean_none() -> None:
    assert quiet_until(at(3), "UTC", None, 7 * 60) is None
    assert quiet_until(at(3), "UTC", 5 * 60, 5 * 60) is None


@given(
    st.datetimes(
        min_value=datetime(2020, 1, 1),  # noqa: DTZ001 (hypothesis wants naive bounds)
        max_value=datetime(2030, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    st.integers(0, 1439),
    st.integers(0, 1439),
    st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]),
)
def test_quiet_hours_end_in_the_future_within_a_day(now, start, end, zone) -> None:
    until = quiet_until(now, zone, start, end)
    if until is not None:
        assert now < until <= now + timedelta(days=1, hours=1)
        assert quiet_until(until, zone, start, end) is None


@pytest.mark.parametrize("unknown", [None, "", "Mars/Olympus_Mons", "../etc/passwd"])
def test_a_zone_python_does_not_know_keeps_quiet_hours_in_utc(unknown: str | None) -> None:
    for hour in (3, 12, 22):
        assert quiet_until(at(hour), unknown, 22 * 60, 7 * 60) == quiet_until(
            at(hour), "UTC", 22 * 60, 7 * 60
        )
    assert quiet_until(at(3), unknown, 22 * 60, 7 * 60) == at(7)
