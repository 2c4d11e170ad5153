"""The one reader of typed dates: days, moments, today and yesterday in the person's zone,
and nothing before Bitcoin or absurdly far ahead."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.dates import EARLIEST, LATEST, parse_date, parse_iso, zone
from core.refusal import BadArgument

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "day", "at"),
    [
        ("2024-03-01", date(2024, 3, 1), None),
        ("2024-3-1", date(2024, 3, 1), None),
        ("2024-03-01 14:30", date(2024, 3, 1), time(14, 30)),
        ("2024-03-01T14:30", date(2024, 3, 1), time(14, 30)),
        ("  2024-03-01   14:30 ", date(2024, 3, 1), time(14, 30)),
    ],
)
def test_days_and_moments_are_read(typed: str, day: date, at: time | None) -> None:
    found = parse_date(typed, NOW)
    assert (found.day, found.at) == (day, at)


def test_today_and_yesterday_are_the_persons_days() -> None:
    # 03:00 UTC is still the 4th in New York
    assert parse_date("today", NOW, "America/New_York").day == date(2026, 12, 4)
    assert parse_date("yesterday", NOW, "Asia/Tokyo").day == date(2026, 12, 4)


def test_a_bare_day_and_the_end_of_a_day_in_the_persons_zone() -> None:
    found = parse_date("2024-03-01", NOW)
    assert found.moment("Europe/Berlin") == datetime(2024, 3, 1, 11, 0, tzinfo=UTC)
    assert found.end_of_day("Europe/Madrid") == datetime(2024, 3, 1, 23, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("2024-02-30", "date.unreadable"),
        ("next tuesday", "date.unreadable"),
        ("2024-03-01 25:00", "date.unreadable"),
        ("0001-01-01", "date.too_early"),
        ("9999-12-31 23:00", "date.too_late"),
        ("2008-12-31", "date.too_early"),
        ("2100-01-01", "date.too_late"),
        ("２０２４-03-01", "date.unreadable"),  # digits are ASCII, as everywhere else
        ("2024-03-01 ²:00", "date.unreadable"),
    ],
)
def test_unreadable_or_absurd_dates_are_refused(typed: str, code: str) -> None:
    with pytest.raises(BadArgument) as refused:
        parse_date(typed, NOW, "America/New_York")
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("written", "moment"),
    [
        ("2024-03-01", datetime(2024, 3, 1, tzinfo=UTC)),
        ("2024-03-01T14:30:00+02:00", datetime(2024, 3, 1, 12, 30, tzinfo=UTC)),
        ("2024-03-01T14:30Z", datetime(2024, 3, 1, 14, 30, tzinfo=UTC)),
        (" 2024-03-01 14:30:00+00:00 ", datetime(2024, 3, 1, 14, 30, tzinfo=UTC)),
    ],
)
def test_files_and_command_lines_write_iso_dates(written: str, moment: datetime) -> None:
    assert parse_iso(written) == moment


def test_an_iso_moment_without_a_zone_needs_one_said() -> None:
    with pytest.raises(BadArgument) as refused:
        parse_iso("2024-03-01 14:30")
    assert refused.value.code == "date.without_zone"
    assert parse_iso("2024-03-01 14:30", naive=UTC) == datetime(2024, 3, 1, 14, 30, tzinfo=UTC)
    with pytest.raises(BadArgument) as unreadable:
        parse_iso("01/03/2024")
    assert unreadable.value.code == "date.unreadable"


def test_a_caller_narrows_the_range_and_is_told_which_end() -> None:
    with pytest.raises(BadArgument) as early:
        parse_date("2026-12-04", NOW, earliest=date(2026, 12, 5))
    assert (early.value.code, early.value.params) == (
        "date.too_early",
        {"earliest": date(2026, 12, 5)},
    )
    with pytest.raises(BadArgument) as late:
        parse_date("2026-12-06", NOW, latest=date(2026, 12, 5))
    assert (late.value.code, late.value.params) == ("date.too_late", {"latest": date(2026, 12, 5)})
    with pytest.raises(BadArgument) as never_wider:
        parse_date("1999-01-01", NOW, earliest=date(1990, 1, 1))
    assert never_wider.value.params == {"earliest": EARLIEST}


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("0001-01-01T00:00:00+05:00", "date.too_early"),
        ("9999-12-31T23:00:00-05:00", "date.too_late"),
    ],
)
def test_an_iso_moment_that_cannot_be_said_in_utc_is_refused(written: str, code: str) -> None:
    with pytest.raises(BadArgument) as refused:
        parse_iso(written)
    assert refused.value.code == code


def test_a_zone_that_names_none_is_utc() -> None:
    assert zone("Europe/Berlin").key == "Europe/Berlin"
    for name in (None, "", "Mars/Olympus", "../../etc/passwd"):
        assert zone(name).key == "UTC"


_ZONES = sorted(
    {"UTC", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Tokyo"}
)


@settings(max_examples=300)
@given(st.dates(EARLIEST, LATEST), st.times(), st.sampled_from(_ZONES))
def test_every_day_read_can_be_moved_into_any_zone(day: date, at: time, zone_name: str) -> None:
    typed = f"{day.isoformat()} {at:%H:%M}"
    found = parse_date(typed, NOW, zone_name)
    assert found.moment(zone_name).astimezone(zone("Pacific/Pago_Pago"))
    assert found.end_of_day(zone_name).astimezone(zone("Pacific/Kiritimati"))
    assert abs(found.moment(zone_name).date() - day) <= timedelta(days=1)


@settings(max_examples=500)
@given(st.text(max_size=30), st.sampled_from(_ZONES))
def test_any_text_is_a_day_in_range_or_a_refusal(text: str, zone_name: str) -> None:
    try:
        found = parse_date(text, NOW, zone_name)
    except BadArgument:
        return
    assert EARLIEST <= found.day <= LATEST
