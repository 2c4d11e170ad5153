"""A private chat's digests keep time where their person is: /timezone (or /settings, or
/digest zone in the private chat) moves them to the same local time in the new zone; a
group's digests keep the group's zone whatever its admins' own zones are; the posting job run
every quarter of an hour across both clock changes of two zones posts each digest once a local
day, neither skipped nor doubled."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.digest.schedule import parse_schedule
from services import chats, digests
from services.deps import Deps
from services.people import set_timezone
from tests.integration.test_digests import (  # noqa: F401 (fixtures)
    ANN,
    DAILY_8,
    NOW,
    clock,
    deps,
    group,
    make,
    next_run,
    outbox_rows,
    person,
    private,
    redis_url,
)


async def test_a_persons_new_zone_moves_their_private_digests(deps: Deps) -> None:  # noqa: F811
    me = person(ANN)
    await set_timezone(deps, me, private(ANN), "Europe/Berlin")
    made = await digests.create(deps, me, private(ANN), None, DAILY_8)
    assert made.zone == "Europe/Berlin"
    assert made.next_run_at == next_run(DAILY_8, "Europe/Berlin", NOW)
    await digests.pause(deps, ANN, made.id)
    second = await digests.create(deps, me, private(ANN), None, DAILY_8)

    await set_timezone(deps, me, private(ANN), "america/new_york")

    paused, active = await digests.list_for(deps, ANN)
    assert (paused.id, active.id) == (made.id, second.id)
    assert paused.zone == active.zone == "America/New_York"
    assert active.next_run_at == next_run(DAILY_8, "America/New_York", NOW)
    assert active.next_run_at != made.next_run_at  # 08:00 there is not 08:00 in Berlin


async def test_a_group_keeps_its_zone_when_an_admin_moves(deps: Deps) -> None:  # noqa: F811
    admin = person(ANN)
    await set_timezone(deps, admin, private(ANN), "Asia/Tokyo")
    made = await digests.create(deps, admin, group(), None, DAILY_8)
    assert made.zone == "Asia/Tokyo"  # a group's first digest takes its creator's zone

    await set_timezone(deps, admin, private(ANN), "Europe/Lisbon")

    [kept] = await digests.list_for(deps, group().id)
    assert kept.zone == "Asia/Tokyo"
    assert kept.next_run_at == made.next_run_at


# (zone, the day its clocks change, a local time that day skips or repeats)
CLOCK_CHANGES = [
    ("Europe/Berlin", date(2027, 3, 28), time(2, 30)),  # 02:00–03:00 does not happen
    ("Europe/Berlin", date(2027, 10, 31), time(2, 30)),  # 02:00–03:00 happens twice
    ("America/New_York", date(2027, 3, 14), time(2, 30)),
    ("America/New_York", date(2027, 11, 7), time(1, 30)),  # 01:00–02:00 twice
]


@pytest.mark.parametrize(("zone", "change", "at"), CLOCK_CHANGES)
async def test_the_job_across_a_clock_change_posts_once_a_local_day(
    deps: Deps,  # noqa: F811
    zone: str,
    change: date,
    at: time,
) -> None:
    tz = ZoneInfo(zone)
    first_day = change - timedelta(days=1)
    start = datetime.combine(first_day, time(0), tz).astimezone(UTC)
    clock(deps).current = start
    tricky = await make(deps, schedule=parse_schedule(["daily", at.strftime("%H:%M")]))
    eight = await make(deps, schedule=DAILY_8)
    await chats.set_chat_zone(deps, group().id, zone)

    while clock(deps).current < start + timedelta(days=3):  # the job, every 15 minutes
        await digests.post_due(deps)
        clock(deps).advance(timedelta(minutes=15))

    slots: dict[int, list[datetime]] = {tricky.id: [], eight.id: []}
    for row in await outbox_rows(deps):
        _, digest_id, stamp = row.dedupe_key.split(":")
        slot = datetime.strptime(stamp, "%Y%m%d%H%M").replace(tzinfo=UTC)
        assert row.created_at - slot < timedelta(minutes=15)  # posted at the job's next run
        slots[int(digest_id)].append(slot.astimezone(tz))
    days = [first_day + timedelta(days=n) for n in range(3)]
    assert [(s.date(), s.time()) for s in slots[eight.id]] == [(d, time(8)) for d in days]
    assert [s.date() for s in slots[tricky.id]] == days
    skipped = datetime.combine(change, at, tz).astimezone(UTC).astimezone(tz).time() != at
    on_the_day = time(at.hour + 1, at.minute) if skipped else at  # the gap: an hour later
    assert [s.time() for s in slots[tricky.id]] == [at, on_the_day, at]
    if not skipped:  # the first of the two, once
        assert slots[tricky.id][1].fold == 0 and slots[tricky.id][1] == datetime.combine(
            change, at, tz
        )
