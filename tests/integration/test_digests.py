"""Scheduled digests on SQLite and on Postgres with Redis: made with the defaults, changed,
paused, deleted — each only in its own chat, refused with nothing written when it cannot be;
posted when due, once per slot, one late digest after downtime (no burst), none to a chat
Pythia cannot post to; kept across a restart; identical digests composed once; two posting
runs at once post each digest once (Postgres)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from core.chats import PAUSED_REMOVED
from core.clock import FixedClock
from core.digest.compose import compose
from core.digest.schedule import Schedule, next_run, parse_schedule
from core.market import PriceQuote
from core.notices import DigestPosted, read_payload, to_payload
from core.people import ChatSeen, PersonSeen
from core.refusal import BadArgument, Refusal
from core.settings import Settings
from db.models import DigestSubscription, OutboxMessage
from db.repos import chats as chat_rows
from services import chats, digests
from services.deps import Deps, build_deps, close_deps
from services.digest_inputs import gather
from services.people import set_language, set_timezone
from services.watchlist import watch

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)  # a Saturday
ANN, BOB = 101, 202  # group admins, say
GROUP, OTHER = -1001, -1002
DAILY_8 = parse_schedule(["daily", "08:00"])


def settings_for(db_url: str, redis_url: str | None) -> Settings:
    return Settings(
        _env_file=None,
        database_url=db_url,
        redis_url=redis_url,
        symbols=["BTC", "ETH", "SOL", "ADA", "XRP", "DOGE", "DOT", "LTC", "LINK", "AVAX", "BNB"],
    )


@pytest.fixture
def redis_url(backend: str, request: pytest.FixtureRequest) -> str | None:
    return request.getfixturevalue("cache_url") if backend == "postgres" else None


@pytest.fixture
async def deps(db_url: str, engine: Any, redis_url: str | None) -> AsyncIterator[Deps]:
    deps = await build_deps(settings_for(db_url, redis_url), FixedClock(NOW))
    yield deps
    await close_deps(deps)


def clock(deps: Deps) -> FixedClock:
    assert isinstance(deps.clock, FixedClock)
    return deps.clock


def person(user_id: int) -> PersonSeen:
    return PersonSeen(user_id, f"P{user_id}")


def group(chat_id: int = GROUP) -> ChatSeen:
    return ChatSeen(chat_id, "supergroup", title=f"Group {chat_id}")


def private(user_id: int) -> ChatSeen:
    return ChatSeen(user_id, "private")


async def make(
    deps: Deps,
    chat: ChatSeen | None = None,
    schedule: Schedule = DAILY_8,
    *,
    by: int = ANN,
    thread_id: int | None = None,
    **kwargs: Any,
) -> digests.DigestView:
    return await digests.create(deps, person(by), chat or group(), thread_id, schedule, **kwargs)


async def outbox_rows(deps: Deps) -> list[OutboxMessage]:
    async with deps.read() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == "digest")
        return list(await session.scalars(query.order_by(OutboxMessage.id)))


async def stored(deps: Deps) -> list[tuple[Any, ...]]:
    """Every digest row as it is, to show a refusal changed nothing."""
    async with deps.read() as session:
        found = await session.execute(select(DigestSubscription).order_by(DigestSubscription.id))
        return [
            (r.id, r.chat_id, r.schedule, r.timezone, r.contents, r.active, r.next_run_at)
            for r in found.scalars()
        ]


async def prices(deps: Deps) -> None:
    await deps.cache.set_prices(
        [
            PriceQuote("BTC", Decimal("90000"), "USD", "replay", NOW, Decimal("2.5")),
            PriceQuote("ETH", Decimal("3000"), "USD", "replay", NOW, Decimal("-1.25")),
            PriceQuote("SOL", Decimal("150"), "USD", "replay", NOW, Decimal("4")),
        ]
    )


# ---- making, reading, changing -----------------------------------------------------------------


async def test_a_group_digest_takes_the_defaults_and_its_creators_language_and_zone(
    deps: Deps,
) -> None:
    await set_timezone(deps, person(ANN), private(ANN), "Europe/Berlin")
    await set_language(deps, person(ANN), private(ANN), "es")
    made = await make(deps, thread_id=7)
    assert made.sections == ("overview", "movers", "news", "predictions")  # chart off
    assert made.coins == ("BTC", "ETH", "SOL")
    assert (made.chat_id, made.thread_id, made.active) == (GROUP, 7, True)
    assert made.zone == "Europe/Berlin"
    assert made.next_run_at == datetime(2026, 12, 6, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
    settings = await digests.chat_settings(deps, GROUP)
    assert settings is not None
    assert (settings.language, settings.timezone, settings.set_up_by) == (
        "es",
        "Europe/Berlin",
        ANN,
    )
    # a second admin's digest leaves the chat's language, zone and who set it up as they are
    await set_timezone(deps, person(BOB), private(BOB), "America/New_York")
    await set_language(deps, person(BOB), private(BOB), "ru")
    second = await make(deps, schedule=parse_schedule(["every", "6h"]), by=BOB)
    assert second.zone == "Europe/Berlin"
    assert second.next_run_at == datetime(2026, 12, 5, 18, 0, tzinfo=UTC)
    settings = await digests.chat_settings(deps, GROUP)
    assert settings is not None
    assert (settings.language, settings.timezone, settings.set_up_by) == (
        "es",
        "Europe/Berlin",
        ANN,
    )


async def test_a_private_digest_shows_the_watchlist_else_btc_and_eth(deps: Deps) -> None:
    assert (await make(deps, private(ANN))).coins == ("BTC", "ETH")
    await watch(deps, person(BOB), private(BOB), ["SOL", "ADA"])
    assert set((await make(deps, private(BOB), by=BOB)).coins) == {"SOL", "ADA"}


async def test_chosen_sections_and_coins(deps: Deps) -> None:
    made = await make(deps, sections=["chart", "overview"], coins=["eth", "$btc"])
    assert made.sections == ("overview", "chart")  # the digest's order
    assert made.coins == ("ETH", "BTC")
    toggled = await digests.toggle_section(deps, GROUP, made.id, "news")
    assert toggled.sections == ("overview", "news", "chart")
    toggled = await digests.toggle_section(deps, GROUP, made.id, "chart")
    assert toggled.sections == ("overview", "news")
    assert (await digests.set_sections(deps, GROUP, made.id, ["movers"])).sections == ("movers",)
    coins = await digests.set_coins(deps, GROUP, made.id, ["sol", "ada"])
    assert coins.coins == ("SOL", "ADA")
    assert (await digests.get(deps, GROUP, made.id)) == coins


async def test_a_chats_coins_are_set_on_all_its_digests_at_once(deps: Deps) -> None:
    a = await make(deps, thread_id=None)
    b = await make(deps, thread_id=5)
    c = await make(deps, thread_id=5)
    changed = await digests.set_chat_coins(deps, GROUP, 5, ["sol", "ada"])  # the topic's
    assert [(d.id, d.coins) for d in changed] == [(b.id, ("SOL", "ADA")), (c.id, ("SOL", "ADA"))]
    assert (await digests.get(deps, GROUP, a.id)).coins == a.coins
    changed = await digests.set_chat_coins(deps, GROUP, None, ["doge"])  # the whole chat's
    assert [(d.id, d.coins) for d in changed] == [(d, ("DOGE",)) for d in (a.id, b.id, c.id)]
    before = await digests.list_for(deps, GROUP)
    await refused(deps, digests.set_chat_coins(deps, GROUP, None, ["BTC", "NOTACOIN"]),
                  "coins.unknown")  # fmt: skip
    assert await digests.list_for(deps, GROUP) == before  # none of them changed
    assert await digests.set_chat_coins(deps, GROUP, 7, ["NOTACOIN"]) == []  # none there


async def test_list_is_the_chats_and_by_topic(deps: Deps) -> None:
    a = await make(deps, thread_id=None)
    b = await make(deps, thread_id=5)
    c = await make(deps, thread_id=6)
    await make(deps, group(OTHER))
    assert [d.id for d in await digests.list_for(deps, GROUP)] == [a.id, b.id, c.id]
    assert [d.id for d in await digests.list_for(deps, GROUP, 5)] == [b.id]
    assert await digests.list_for(deps, -1003) == []


async def test_pause_resume_delete(deps: Deps) -> None:
    made = await make(deps)
    paused = await digests.pause(deps, GROUP, made.id)
    assert (paused.active, paused.next_run_at) == (False, None)
    clock(deps).advance(timedelta(days=2, hours=1))  # Monday 13:00 UTC
    assert (await digests.post_due(deps)).claimed == 0
    resumed = await digests.resume(deps, GROUP, made.id)
    assert resumed.active
    assert resumed.next_run_at == datetime(2026, 12, 8, 8, 0, tzinfo=UTC)  # from now, in UTC
    gone = await digests.delete(deps, GROUP, made.id)
    assert gone.id == made.id
    assert await digests.list_for(deps, GROUP) == []


async def test_a_new_schedule_runs_from_its_next_slot(deps: Deps) -> None:
    made = await make(deps)
    changed = await digests.reschedule(deps, GROUP, made.id, parse_schedule(["weekly", "mon", "9"]))
    assert changed.schedule.text == "weekly mon 09:00"
    assert changed.next_run_at == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


# ---- refusals: nothing written ------------------------------------------------------------------


async def refused(deps: Deps, call: Any, code: str) -> Refusal:
    before = await stored(deps)
    with pytest.raises(Refusal) as caught:
        await call
    assert caught.value.code == code, caught.value
    assert await stored(deps) == before
    return caught.value


async def test_another_chats_digest_is_unknown_and_untouched(deps: Deps) -> None:
    theirs = await make(deps, group(OTHER), by=BOB)
    mine = await make(deps)
    for call in (
        digests.get(deps, GROUP, theirs.id),
        digests.toggle_section(deps, GROUP, theirs.id, "chart"),
        digests.set_sections(deps, GROUP, theirs.id, ["overview"]),
        digests.set_coins(deps, GROUP, theirs.id, ["ADA"]),
        digests.pause(deps, GROUP, theirs.id),
        digests.resume(deps, GROUP, theirs.id),
        digests.reschedule(deps, GROUP, theirs.id, DAILY_8),
        digests.delete(deps, GROUP, theirs.id),
        digests.delete(deps, GROUP, 999_999),
    ):
        found = await refused(deps, call, "digest.unknown")
        assert found.params["digest_id"] in (theirs.id, 999_999)
    assert [d.id for d in await digests.list_for(deps, OTHER)] == [theirs.id]
    assert [d.id for d in await digests.list_for(deps, GROUP)] == [mine.id]


async def test_at_most_five_digests_a_chat_every_topic_counted(deps: Deps) -> None:
    for topic in (None, 1, 2, 3, 4):
        await make(deps, thread_id=topic)
    found = await refused(deps, make(deps, thread_id=9), "digest.too_many")
    assert found.params == {"most": 5}
    assert len(await digests.list_for(deps, GROUP)) == 5
    await make(deps, group(OTHER))  # another chat has its own five


async def test_bad_coins_and_sections_are_refused(deps: Deps) -> None:
    made = await make(deps)
    eleven = ["BTC", "ETH", "SOL", "ADA", "XRP", "DOGE", "DOT", "LTC", "LINK", "AVAX", "BNB"]
    found = await refused(deps, digests.set_coins(deps, GROUP, made.id, eleven), "digest.limits")
    assert found.params == {"what": "coins", "most": 10}
    await refused(deps, make(deps, coins=eleven), "digest.limits")
    found = await refused(
        deps, digests.set_coins(deps, GROUP, made.id, ["BTC", "NOTACOIN"]), "coins.unknown"
    )
    assert [p.text for p in found.params["problems"]] == ["NOTACOIN"]
    await refused(deps, digests.set_coins(deps, GROUP, made.id, []), "digest.which_coins")
    await refused(deps, make(deps, sections=["weather"]), "digest.section")
    await refused(deps, digests.toggle_section(deps, GROUP, made.id, "weather"), "digest.section")
    await refused(deps, digests.set_sections(deps, GROUP, made.id, []), "digest.no_sections")
    only = await digests.set_sections(deps, GROUP, made.id, ["overview"])
    assert only.sections == ("overview",)
    await refused(
        deps, digests.toggle_section(deps, GROUP, made.id, "overview"), "digest.no_sections"
    )
    assert isinstance(
        await refused(deps, chats.set_chat_zone(deps, GROUP, "Mars/Olympus"), "timezone.unknown"),
        BadArgument,
    )
    await refused(deps, chats.set_chat_language(deps, GROUP, "tlh"), "language.unknown")
    await refused(deps, chats.set_chat_zone(deps, -1999, "Europe/Berlin"), "chat.unknown")


# ---- the chat's zone ----------------------------------------------------------------------------


async def test_a_new_zone_moves_every_digest_of_the_chat(deps: Deps) -> None:
    daily = await make(deps)
    every = await make(deps, schedule=parse_schedule(["every", "6h"]))
    paused = await digests.pause(deps, GROUP, (await make(deps)).id)
    theirs = await make(deps, group(OTHER))
    settings = await digests.chat_settings(deps, GROUP)
    assert settings is not None and settings.timezone == "UTC"
    after = await chats.set_chat_zone(deps, GROUP, "america/new york")
    assert after.timezone == "America/New_York"
    moved = {d.id: d for d in await digests.list_for(deps, GROUP)}
    assert {d.zone for d in moved.values()} == {"America/New_York"}
    assert moved[daily.id].next_run_at == datetime(2026, 12, 5, 13, 0, tzinfo=UTC)  # 08:00 EST
    assert moved[every.id].next_run_at == every.next_run_at  # real hours: no change
    assert moved[paused.id].next_run_at is None  # still paused
    assert (await digests.get(deps, OTHER, theirs.id)).zone == "UTC"
    spoken = await chats.set_chat_language(deps, GROUP, "ru")
    assert (spoken.language, spoken.timezone) == ("ru", "America/New_York")


# ---- posting -----------------------------------------------------------------------------------


async def test_a_due_digest_is_posted_once_and_runs_next_at_its_next_slot(deps: Deps) -> None:
    await prices(deps)
    made = await make(deps, thread_id=42)
    clock(deps).current = made.next_run_at or NOW
    now = clock(deps).now()
    result = await digests.post_due(deps)
    assert (result.claimed, result.groups, result.posted, result.skipped) == (1, 1, 1, 0)
    [row] = await outbox_rows(deps)
    assert row.chat_id == GROUP
    assert row.dedupe_key == f"digest:{made.id}:202612060800"
    notice = read_payload(row.payload)
    assert isinstance(notice, DigestPosted)
    assert (notice.digest_id, notice.thread_id, notice.slot) == (made.id, 42, now)
    assert notice.schedule == "daily 08:00"
    inputs = await gather(deps, made.sections, made.coins, now)
    expected = DigestPosted(
        digest_id=made.id,
        thread_id=42,
        slot=now,
        schedule="daily 08:00",
        facts=compose(inputs, made.sections, made.coins, now),
    )
    assert notice == expected
    assert row.payload == to_payload(expected)
    assert "overview" in notice.facts.names
    after = await digests.get(deps, GROUP, made.id)
    assert after.last_sent_at == now
    assert after.next_run_at == now + timedelta(days=1)
    assert await digests.post_due(deps) == digests.Posted()  # nothing more is due
    clock(deps).advance(timedelta(seconds=59))
    assert (await digests.post_due(deps)).claimed == 0
    assert len(await outbox_rows(deps)) == 1


async def test_the_schedule_survives_a_restart_and_the_job_posts_it(
    db_url: str, engine: Any, redis_url: str | None
) -> None:
    first = await build_deps(settings_for(db_url, redis_url), FixedClock(NOW))
    try:
        made = await make(first, schedule=parse_schedule(["every", "4h"]))
    finally:
        await close_deps(first)
    assert made.next_run_at == datetime(2026, 12, 5, 16, 0, tzinfo=UTC)
    later = datetime(2026, 12, 5, 16, 0, 5, tzinfo=UTC)
    second = await build_deps(settings_for(db_url, redis_url), FixedClock(later))
    try:
        [kept] = await digests.list_for(second, GROUP)
        assert (kept.id, kept.schedule.text, kept.next_run_at) == (
            made.id,
            "every 4h",
            made.next_run_at,
        )
        assert (await digests.post_due(second)).posted == 1
        [row] = await outbox_rows(second)
        assert row.dedupe_key == f"digest:{made.id}:202612051600"
        assert (await digests.get(second, GROUP, made.id)).next_run_at == datetime(
            2026, 12, 5, 20, 0, tzinfo=UTC
        )
    finally:
        await close_deps(second)


async def test_after_downtime_each_digest_posts_once_late_not_a_burst(deps: Deps) -> None:
    daily = await make(deps)
    hourly = await make(deps, group(OTHER), schedule=parse_schedule(["every", "1h"]))
    weekly = await make(deps, group(-1003), schedule=parse_schedule(["weekly", "sun", "08:00"]))
    assert daily.next_run_at is not None
    clock(deps).current = daily.next_run_at + timedelta(days=3, minutes=30)  # Wed 08:30
    now = clock(deps).now()
    result = await digests.post_due(deps)
    assert (result.claimed, result.posted) == (3, 3)
    found = {row.chat_id: row for row in await outbox_rows(deps)}
    assert len(found) == 3 and len(await outbox_rows(deps)) == 3
    # each is for the slot it just missed, not the first one missed
    assert found[GROUP].dedupe_key == f"digest:{daily.id}:202612090800"
    assert found[OTHER].dedupe_key == f"digest:{hourly.id}:202612090800"
    assert found[-1003].dedupe_key == f"digest:{weekly.id}:202612060800"
    for made in (daily, hourly, weekly):
        after = await digests.get(deps, made.chat_id, made.id)
        assert after.next_run_at is not None and after.next_run_at > now
    assert (await digests.post_due(deps)).claimed == 0
    assert len(await outbox_rows(deps)) == 3


async def test_after_a_month_away_still_one_each_for_the_slot_just_missed(deps: Deps) -> None:
    hourly = await make(deps, schedule=parse_schedule(["every", "1h"]))
    weekly = await make(deps, group(OTHER), schedule=parse_schedule(["weekly", "mon", "08:00"]))
    clock(deps).current = datetime(2027, 1, 6, 9, 30, tzinfo=UTC)  # a Wednesday, 32 days on
    result = await digests.post_due(deps)
    assert (result.claimed, result.posted) == (2, 2)
    keys = sorted(row.dedupe_key for row in await outbox_rows(deps))
    assert keys == sorted([f"digest:{hourly.id}:202701060900", f"digest:{weekly.id}:202701040800"])
    assert (await digests.get(deps, GROUP, hourly.id)).next_run_at == datetime(
        2027, 1, 6, 10, 0, tzinfo=UTC
    )
    assert (await digests.get(deps, OTHER, weekly.id)).next_run_at == datetime(
        2027, 1, 11, 8, 0, tzinfo=UTC
    )


async def test_a_chat_pythia_cannot_post_to_gets_nothing_then_its_next_slot_only(
    deps: Deps,
) -> None:
    made = await make(deps)
    async with deps.write() as session:
        await chat_rows.change(session, GROUP, active=False, paused_reason=PAUSED_REMOVED)
    for _ in range(3):  # three days of slots pass while the bot is out of the group
        clock(deps).advance(timedelta(days=1))
        assert (await digests.post_due(deps)).claimed == 0
    assert await outbox_rows(deps) == []
    # added back: what it missed is not sent; from its next slot on, as before. The chat is
    # postable again in the same transaction that moves its digest on (a claim between the two
    # would post the missed digest)
    back_in = await chats.returned(deps, group(), person(ANN), clock(deps).now())
    assert back_in.resumed and back_in.digests == 1
    back = await digests.get(deps, GROUP, made.id)
    assert back.next_run_at == next_run(DAILY_8, "UTC", clock(deps).now())
    assert back.next_run_at is not None and back.next_run_at > clock(deps).now()
    assert (await digests.post_due(deps)).claimed == 0
    clock(deps).current = back.next_run_at
    assert (await digests.post_due(deps)).posted == 1
    assert len(await outbox_rows(deps)) == 1


async def test_identical_digests_are_composed_once(deps: Deps) -> None:
    await prices(deps)
    chats = [-2000 - n for n in range(8)]
    for chat_id in chats[:6]:  # the same sections and coins
        await make(deps, group(chat_id))
    await make(deps, group(chats[6]), coins=["BTC"])
    await make(deps, group(chats[7]), sections=["overview", "chart"])
    clock(deps).current = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    result = await digests.post_due(deps)
    assert (result.claimed, result.groups, result.posted) == (8, 3, 8)
    rows = await outbox_rows(deps)
    assert sorted(r.chat_id for r in rows) == sorted(chats)
    facts = {r.chat_id: r.payload["notice"]["facts"] for r in rows}
    assert len({str(facts[c]) for c in chats[:6]}) == 1
    assert facts[chats[6]]["coins"] == ["BTC"]


async def test_batches_post_everything_due(deps: Deps) -> None:
    for n in range(7):
        await make(deps, group(-3000 - n))
    clock(deps).current = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    result = await digests.post_due(deps, batch=3)
    assert (result.claimed, result.posted, result.groups) == (7, 7, 1)  # composed once in all
    assert len(await outbox_rows(deps)) == 7


async def test_a_later_batch_with_other_coins_reads_them(deps: Deps) -> None:
    await prices(deps)
    await deps.cache.set_prices([PriceQuote("ADA", Decimal("0.5"), "USD", "replay", NOW)])
    for n in range(3):
        await make(deps, group(-3000 - n), sections=["overview"], coins=["BTC"])
    for n in range(3, 5):
        await make(deps, group(-3000 - n), sections=["overview"], coins=["ADA"])
    clock(deps).current = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    result = await digests.post_due(deps, batch=3)
    assert (result.claimed, result.posted) == (5, 5)
    shown = {
        row.chat_id: [
            line["coin"] for line in row.payload["notice"]["facts"]["sections"][0]["coins"]
        ]
        for row in await outbox_rows(deps)
    }
    assert shown == {-3000: ["BTC"], -3001: ["BTC"], -3002: ["BTC"], -3003: ["ADA"], -3004: ["ADA"]}


async def test_two_posting_runs_at_once_post_each_digest_once(
    deps: Deps, backend: str, db_url: str, redis_url: str | None
) -> None:
    if backend != "postgres":
        pytest.skip("SQLite has one writer: runs cannot overlap")
    count = 40
    for n in range(count):
        await make(deps, group(-4000 - n))
    at = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    other = await build_deps(settings_for(db_url, redis_url), FixedClock(at))
    try:
        results = await asyncio.gather(
            digests.post_due(deps, at, batch=4), digests.post_due(other, at, batch=4)
        )
    finally:
        await close_deps(other)
    assert sum(r.posted for r in results) == count
    assert sum(r.claimed for r in results) == count
    assert all(r.claimed > 0 for r in results)  # both took part
    rows = await outbox_rows(deps)
    assert len(rows) == count == len({r.chat_id for r in rows})
    async with deps.read() as session:
        late = select(func.count()).where(DigestSubscription.next_run_at <= at)
        assert await session.scalar(late) == 0
