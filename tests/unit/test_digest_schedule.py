"""Digest schedules: what is read as one (and what is refused), and when each runs — stepped
slot by slot across the spring-forward and fall-back of Europe/Berlin and America/New_York."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from core.digest.schedule import Schedule, next_run, parse_schedule
from core.refusal import BadArgument

BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"


# ---- reading ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("daily 08:00", "daily 08:00"),
        ("daily 8:00", "daily 08:00"),
        ("Daily 8", "daily 08:00"),
        ("daily 8am", "daily 08:00"),
        ("daily 8 am", "daily 08:00"),
        ("daily 12am", "daily 00:00"),
        ("daily 12pm", "daily 12:00"),
        ("daily 8:30pm", "daily 20:30"),
        ("daily 23:59", "daily 23:59"),
        ("daily 0:00", "daily 00:00"),
        ("weekly mon 08:00", "weekly mon 08:00"),
        ("weekly monday 09:30", "weekly mon 09:30"),
        ("WEEKLY Sunday 7pm", "weekly sun 19:00"),
        ("weekly thurs 6:05", "weekly thu 06:05"),
        ("weekly 09:30 friday", "weekly fri 09:30"),
        ("every 6h", "every 6h"),
        ("every 6 hours", "every 6h"),
        ("every 1 hour", "every 1h"),
        ("every hour", "every 1h"),
        ("every 12h", "every 12h"),
        ("every 8 hrs", "every 8h"),
    ],
)
def test_typed_schedules_read_as_their_canonical_text(typed: str, canonical: str) -> None:
    schedule = parse_schedule(typed.split())
    assert schedule.text == canonical
    assert Schedule.from_text(schedule.text) == schedule


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "daily",
        "daily 24:00",
        "daily 8:60",
        "daily 25",
        "daily 13pm",
        "daily 0am",
        "daily 8:5",
        "daily 08:00 please",
        "daily 08:00 09:00",
        "weekly 08:00",
        "weekly mo 08:00",
        "weekly funday 08:00",
        "weekly mon",
        "weekly mon tue 08:00",
        "every 5h",
        "every 24h",
        "every 0h",
        "every 6",
        "every 6 days",
        "every 6h now",
        "every",
        "hourly",
        "monthly 1 08:00",
        "<b>daily</b> 8:00",
    ],
)
def test_anything_else_is_refused_with_what_was_typed(typed: str) -> None:
    with pytest.raises(BadArgument) as refused:
        parse_schedule(typed.split())
    assert refused.value.code == "digest.schedule"
    assert refused.value.params == {"typed": typed}


def test_what_is_repeated_of_a_long_typing_is_cut() -> None:
    with pytest.raises(BadArgument) as refused:
        parse_schedule(["daily", "x" * 200])
    assert len(refused.value.params["typed"]) == 40


# ---- when: stepping through the slots ----------------------------------------------------------


def steps(schedule: str, zone: str, start: datetime, count: int) -> list[datetime]:
    """`count` slots one after the other, each the next after the one before."""
    found, after = [], start
    for _ in range(count):
        after = next_run(Schedule.from_text(schedule), zone, after)
        assert after.tzinfo is not None and after.utcoffset() == timedelta(0)
        found.append(after)
    return found


def local(moments: list[datetime], zone: str) -> list[datetime]:
    return [m.astimezone(ZoneInfo(zone)) for m in moments]


def one_a_day(moments: list[datetime], zone: str, first: date) -> None:
    """One slot each day, in order, none skipped nor doubled."""
    days = [m.date() for m in local(moments, zone)]
    assert days == [first + timedelta(days=n) for n in range(len(moments))]


def start_of(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


# (zone, the day of the change, spring (True) or fall)
TRANSITIONS = [
    (BERLIN, date(2026, 3, 29), True),
    (BERLIN, date(2026, 10, 25), False),
    (NEW_YORK, date(2026, 3, 8), True),
    (NEW_YORK, date(2026, 11, 1), False),
    (BERLIN, date(2027, 3, 28), True),
    (BERLIN, date(2027, 10, 31), False),
    (NEW_YORK, date(2027, 3, 14), True),
    (NEW_YORK, date(2027, 11, 7), False),
]


@pytest.mark.parametrize(("zone", "change", "spring"), TRANSITIONS)
def test_daily_0800_is_0800_every_day_across_the_change(
    zone: str, change: date, spring: bool
) -> None:
    first = change - timedelta(days=3)
    slots = steps("daily 08:00", zone, start_of(first, zone), 7)
    one_a_day(slots, zone, first)
    assert {m.time() for m in local(slots, zone)} == {time(8, 0)}
    offsets = {m.utcoffset() for m in local(slots, zone)}
    assert len(offsets) == 2  # the change really is crossed


@pytest.mark.parametrize(("zone", "change", "spring"), TRANSITIONS)
def test_daily_0230_neither_skips_nor_doubles(zone: str, change: date, spring: bool) -> None:
    first = change - timedelta(days=3)
    slots = steps("daily 02:30", zone, start_of(first, zone), 7)
    one_a_day(slots, zone, first)
    times = [m.time() for m in local(slots, zone)]
    expected = [time(2, 30)] * 7
    if spring:  # 02:30 does not exist that day: it runs after the gap, at 03:30 new time
        expected[3] = time(3, 30)
    assert times == expected
    assert all(b - a >= timedelta(hours=23) for a, b in pairwise(slots))


@pytest.mark.parametrize("zone", [BERLIN, NEW_YORK])
def test_a_time_the_fall_back_repeats_runs_once_the_first_time(zone: str) -> None:
    change = {BERLIN: date(2026, 10, 25), NEW_YORK: date(2026, 11, 1)}[zone]
    twice = {BERLIN: "daily 02:30", NEW_YORK: "daily 01:30"}[zone]  # the repeated hour's
    first = change - timedelta(days=1)
    slots = steps(twice, zone, start_of(first, zone), 3)
    one_a_day(slots, zone, first)
    on_the_day = local(slots, zone)[1]
    summer = local(slots, zone)[0].utcoffset()
    assert on_the_day.utcoffset() == summer  # the first 02:30 (01:30), still on summer time
    assert on_the_day.fold == 0
    # from the first occurrence, the next slot is the next day's, not the repeat an hour on
    assert next_run(Schedule.from_text(twice), zone, slots[1]) == slots[2]
    assert slots[2] - slots[1] == timedelta(hours=25)


@pytest.mark.parametrize(("zone", "change", "spring"), TRANSITIONS[:4])
def test_weekly_runs_once_a_week_at_its_local_time(zone: str, change: date, spring: bool) -> None:
    weekday = change.weekday()  # the change falls on a Sunday: so does the digest
    assert weekday == 6
    slots = steps("weekly sun 02:30", zone, start_of(change - timedelta(days=14), zone), 4)
    days = [m.date() for m in local(slots, zone)]
    assert days == [change + timedelta(days=7 * n) for n in (-2, -1, 0, 1)]
    times = [m.time() for m in local(slots, zone)]
    assert times == [time(2, 30), time(2, 30), time(3, 30) if spring else time(2, 30), time(2, 30)]
    monday = steps("weekly mon 08:00", zone, start_of(change - timedelta(days=7), zone), 3)
    assert [m.date() for m in local(monday, zone)] == [
        change - timedelta(days=6),
        change + timedelta(days=1),
        change + timedelta(days=8),
    ]
    assert {m.time() for m in local(monday, zone)} == {time(8, 0)}


@pytest.mark.parametrize(("zone", "change", "spring"), TRANSITIONS)
def test_every_6h_runs_every_six_real_hours(zone: str, change: date, spring: bool) -> None:
    slots = steps("every 6h", zone, start_of(change - timedelta(days=1), zone), 12)
    assert all(b - a == timedelta(hours=6) for a, b in pairwise(slots))
    assert {m.hour for m in slots} <= {0, 6, 12, 18}
    assert {(m.minute, m.second, m.microsecond) for m in slots} == {(0, 0, 0)}


@pytest.mark.parametrize("hours", [1, 2, 3, 4, 6, 8, 12])
def test_every_n_hours_lands_on_whole_utc_hours_divisible_by_n(hours: int) -> None:
    start = datetime(2026, 3, 7, 23, 17, 5, tzinfo=UTC)
    slots = steps(f"every {hours}h", NEW_YORK, start, 48 // hours + 2)
    assert all(m.hour % hours == 0 and m.minute == 0 for m in slots)
    assert all(b - a == timedelta(hours=hours) for a, b in pairwise(slots))
    assert slots[0] - start <= timedelta(hours=hours)


@pytest.mark.parametrize(
    "schedule", ["daily 08:00", "daily 02:30", "weekly wed 17:45", "every 6h", "every 1h"]
)
def test_after_exactly_on_a_slot_is_the_next_one(schedule: str) -> None:
    start = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)
    slot = next_run(Schedule.from_text(schedule), BERLIN, start)
    following = next_run(Schedule.from_text(schedule), BERLIN, slot)
    assert following > slot
    parsed = Schedule.from_text(schedule)
    assert next_run(parsed, BERLIN, slot - timedelta(microseconds=1)) == slot
    assert next_run(parsed, BERLIN, following - timedelta(seconds=1)) == following


def test_the_first_slot_is_today_when_its_time_is_still_to_come() -> None:
    morning = datetime(2026, 6, 1, 5, 0, tzinfo=UTC)  # 07:00 in Berlin
    assert next_run(Schedule.from_text("daily 08:00"), BERLIN, morning) == datetime(
        2026, 6, 1, 6, 0, tzinfo=UTC
    )
    assert next_run(Schedule.from_text("daily 06:00"), BERLIN, morning) == datetime(
        2026, 6, 2, 4, 0, tzinfo=UTC
    )


def test_an_unknown_zone_runs_in_utc() -> None:
    after = datetime(2026, 6, 1, 5, 0, tzinfo=UTC)
    assert next_run(Schedule.from_text("daily 08:00"), "Mars/Olympus", after) == datetime(
        2026, 6, 1, 8, 0, tzinfo=UTC
    )


def test_zones_far_from_utc_keep_their_local_day() -> None:
    """Kiritimati (UTC+14) and Pago Pago (UTC-11): the slot's local day is the next day."""
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        first = date(2026, 6, 1)
        slots = steps("daily 23:30", zone, start_of(first, zone), 4)
        one_a_day(slots, zone, first)
        assert {m.time() for m in local(slots, zone)} == {time(23, 30)}
