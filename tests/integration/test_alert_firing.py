"""Alerts matched in the workers and fired into the outbox: once per alert and event, whoever
sees the event and however often; cooldowns, pauses, expiry and quiet hours; candle-close
alerts on real BTC/USDT candles. On SQLite and Postgres."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from bot.i18n import texts_for
from bot.views.alert_notices import fired_text
from core.alerts.backtest import trigger_times
from core.alerts.grammar import parse_alert
from core.alerts.storage import columns_of
from core.clock import FixedClock
from core.market import PriceQuote
from core.notices import AlertFired, read_payload
from core.people import ChatSeen, PersonSeen
from core.settings import Settings
from db.cache import PRICE_CHANNEL, create_cache, price_key
from db.candles import save_candles
from db.engine import create_engine, create_sessionmaker
from db.models import Alert, OutboxMessage, User
from db.outbox import OUTBOX_CHANNEL
from db.repos.assets import ensure_market
from db.repos.people import register
from services.alerts import delete, pause, resume, set_alert
from services.deps import Deps, build_deps, close_deps
from tests.fixtures.candles import load_candles
from workers.alerting.matcher import AlertMatcher
from workers.jobs import alerts_expiry

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
ANN, BOB = 101, 202
D = Decimal


@pytest.fixture
async def deps(db_url: str, engine) -> AsyncIterator[Deps]:  # engine: empties Postgres
    settings = Settings(
        database_url=db_url,
        symbols=["BTC", "ETH"],
        candle_timeframes=["1m", "1h"],  # the tests store 1h candles only
        alerts_max_active=500,
    )
    deps = await build_deps(settings, FixedClock(T0))
    async with deps.sessions.begin() as session:
        for person in (ANN, BOB):
            await register(session, PersonSeen(person, "P"), ChatSeen(person, "private"), T0)
    yield deps
    await close_deps(deps)


async def add_alert(deps: Deps, text: str, user: int = ANN, announced: bool = True) -> int:
    """An alert as /alert sets it, made now, and announced to every process."""
    if announced:
        person, chat = PersonSeen(user, "P"), ChatSeen(user, "private")
        return (await set_alert(deps, person, chat, text)).alert_id
    spec = parse_alert(text, deps.clock.now())
    async with deps.sessions.begin() as session:  # a writer that forgets to announce it
        now = deps.clock.now()
        row = Alert(user_id=user, chat_id=user, asset_id=deps.directory.ids[spec.symbol])
        for name, value in columns_of(spec).items():
            setattr(row, name, value)
        row.status, row.fire_count, row.created_at, row.updated_at = "active", 0, now, now
        session.add(row)
        await session.flush()
        return row.id


def btc(price: str, at: datetime) -> PriceQuote:
    return PriceQuote("BTC", D(price), "USDT", "binance", at, D("1.25"))


async def ticks(matcher: AlertMatcher, deps: Deps, *prices: str, start: datetime = T0) -> int:
    """Feed BTC prices a second apart; returns how many alerts fired."""
    fired = 0
    for i, price in enumerate(prices):
        fired += await matcher.on_quotes(deps, [btc(price, start + timedelta(seconds=i))])
    return fired


def notice_of(row: OutboxMessage) -> AlertFired:
    notice = read_payload(row.payload)
    assert isinstance(notice, AlertFired)
    return notice


def said(row: OutboxMessage, zone: str = "UTC") -> str:
    """The row's message as the sender renders it for an English speaker in `zone`."""
    return fired_text(texts_for("en"), notice_of(row), zone)


async def outbox(deps: Deps) -> list[OutboxMessage]:
    async with deps.sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def alert_row(deps: Deps, alert_id: int) -> Alert:
    async with deps.sessions() as session:
        return await session.get_one(Alert, alert_id)


async def started(deps: Deps) -> AlertMatcher:
    matcher = AlertMatcher()
    await matcher.start(deps)
    return matcher


# ---- price alerts --------------------------------------------------------------------------------


async def test_a_price_alert_fires_once_when_crossed_into_the_outbox(deps: Deps) -> None:
    alert_id = await add_alert(deps, "BTC > 70000")
    other = await add_alert(deps, "BTC < 60000", user=BOB)
    matcher = await started(deps)
    async with deps.cache.subscribe(OUTBOX_CHANNEL) as wakes:
        assert await ticks(matcher, deps, "69000", "69999.99") == 0
        assert await ticks(matcher, deps, "70000.5", start=T0 + timedelta(seconds=5)) == 1
        assert await wakes.get(timeout=5) == "1"
    assert await ticks(matcher, deps, "69000", "71000", start=T0 + timedelta(seconds=6)) == 0

    (row,) = await outbox(deps)
    tick = T0 + timedelta(seconds=5)
    assert (row.chat_id, row.kind, row.status) == (ANN, "alert", "pending")
    assert row.dedupe_key == f"alert:{alert_id}:{tick.isoformat()}"
    assert row.not_before == T0 and row.created_at == T0
    assert set(row.payload) == {"quiet", "notice"}  # facts, rendered when the bot sends
    notice = notice_of(row)
    assert (notice.alert_id, notice.user_id, notice.condition.symbol) == (alert_id, ANN, "BTC")
    assert (notice.quiet, notice.headlines, notice.fire_count) == (False, (), 1)
    assert (notice.at, notice.price, notice.quote) == (tick, D("70000.5"), "USDT")
    assert (notice.change_pct, notice.change_window) == (D("1.25"), timedelta(hours=24))
    text = said(row)
    assert text.startswith("🔔 <b>BTC rises above 70,000 USD — once</b>\n")
    assert "BTC is at <code>70,000.50</code> USDT  ▲ +1.25% in 1 day" in text
    assert "is now off" in text

    fired = await alert_row(deps, alert_id)
    assert (fired.status, fired.fire_count, fired.last_fired_at) == ("fired", 1, tick)
    assert (await alert_row(deps, other)).status == "active"
    assert alert_id not in matcher.index


@pytest.mark.parametrize("cache_kind", ["memory", "redis"])
async def test_price_events_on_the_cache_are_matched_and_wake_the_sender(
    deps: Deps, cache_kind: str, request: pytest.FixtureRequest
) -> None:
    if cache_kind == "redis":
        url = request.getfixturevalue("redis_reachable")
        await deps.cache.close()
        deps.cache = create_cache(url)
        await deps.cache.delete(price_key("BTC"))  # another test's BTC is not the last price
    alert_id = await add_alert(deps, "BTC > 70000")
    matcher = await started(deps)
    following = asyncio.create_task(matcher.follow(deps))
    try:
        await matcher.listening.wait()
        async with deps.cache.subscribe(OUTBOX_CHANNEL) as wakes:
            # an event nobody can read, in the same batch, must not cost the good ones
            await deps.cache.publish(PRICE_CHANNEL, "not a quote")
            await deps.cache.publish(PRICE_CHANNEL, '{"asset": "BTC", "price": "abc"}')
            for i, price in enumerate(("69000", "70100")):
                await deps.cache.publish(
                    PRICE_CHANNEL, btc(price, T0 + timedelta(seconds=i)).to_json()
                )
            assert await wakes.get(timeout=30) == "1"
    finally:
        await matcher.stop_following(following)
    assert following.done() and not matcher.listening.is_set()
    (row,) = await outbox(deps)
    assert notice_of(row).alert_id == alert_id


async def test_a_tick_replayed_twice_fires_nothing_twice(deps: Deps) -> None:
    ids = [await add_alert(deps, f"BTC > {level}") for level in (70000, 70100, 70200)]
    falls = await add_alert(deps, "BTC < 69500 every 5m")
    matcher = await started(deps)
    assert await ticks(matcher, deps, "69900", "70150", "69400") == 3  # 70000, 70100, falls
    assert await ticks(matcher, deps, "69900", "70150", "69400") == 0  # the same ticks again
    fresh = await started(deps)  # a restarted process, seeing them once more
    assert await ticks(fresh, deps, "69900", "70150", "69400") == 0
    keys = sorted(row.dedupe_key for row in await outbox(deps))
    assert len(keys) == len(set(keys)) == 3
    assert [(await alert_row(deps, i)).fire_count for i in [*ids, falls]] == [1, 1, 0, 1]


async def test_two_matchers_on_separate_engines_fire_each_alert_once(
    deps: Deps, backend: str
) -> None:
    if backend != "postgres":
        pytest.skip("two processes share one database only on Postgres")
    people = (ANN, BOB)
    ids = [
        await add_alert(deps, f"BTC > {70000 + 10 * i}{' every 5m' * (i % 2)}", people[i % 3 % 2])
        for i in range(150)
    ]
    other_engine = create_engine(deps.settings.resolved_database_url)
    other = replace(deps, engine=other_engine, sessions=create_sessionmaker(other_engine))
    try:
        first, second = await started(deps), await started(other)
        # each sees its own tick crossing every level: two triggers racing for each alert
        racing = await asyncio.gather(
            ticks(first, deps, "69000", "71600"),
            ticks(second, other, "69000", "71600", start=T0 + timedelta(milliseconds=1)),
        )
        more = [await add_alert(deps, f"BTC > {72000 + i}") for i in range(50)]
        # both see the same ticks: one trigger, seen twice
        same = await asyncio.gather(
            ticks(first, deps, "71000", "72600", start=T0 + timedelta(seconds=10)),
            ticks(second, other, "71000", "72600", start=T0 + timedelta(seconds=10)),
        )
    finally:
        await other_engine.dispose()
    assert (sum(racing), sum(same)) == (len(ids), len(more))
    rows = await outbox(deps)
    assert sorted(notice_of(r).alert_id for r in rows) == [*ids, *more]
    async with deps.sessions() as session:
        counts = set(await session.scalars(select(Alert.fire_count)))
    assert counts == {1}


async def test_a_recurring_alert_waits_out_its_cooldown(deps: Deps) -> None:
    alert_id = await add_alert(deps, "BTC > 70000 every 1h")
    matcher = await started(deps)
    assert await ticks(matcher, deps, "69000", "70100") == 1
    assert await ticks(matcher, deps, "69000", "70100", start=T0 + timedelta(minutes=30)) == 0
    restarted = await started(deps)  # the cooldown is the row's, not the process's memory
    assert await ticks(restarted, deps, "69000", "70100", start=T0 + timedelta(minutes=50)) == 0
    deps.clock.advance(timedelta(minutes=61))
    later = T0 + timedelta(minutes=61)
    assert await ticks(restarted, deps, "69000", "70100", start=later) == 1
    row = await alert_row(deps, alert_id)
    assert (row.status, row.fire_count) == ("active", 2)
    assert row.last_fired_at == later + timedelta(seconds=1)
    texts = [said(r) for r in await outbox(deps)]
    assert "Fired twice; it can fire again from 14:01 (at most every 1 hour)." in texts[1]


async def test_alerts_changed_by_another_process_stop_or_start_firing(deps: Deps) -> None:
    paused = await add_alert(deps, "BTC > 70000 every 5m")
    deleted = await add_alert(deps, "BTC > 70010 every 5m")
    kept = await add_alert(deps, "BTC > 70020 every 5m")
    matcher = await started(deps)
    assert (await pause(deps, ANN, paused)).changed and (await delete(deps, ANN, deleted)).changed
    new = await add_alert(deps, "BTC > 70030")
    assert await ticks(matcher, deps, "69000", "70100") == 2
    assert {notice_of(r).alert_id for r in await outbox(deps)} == {kept, new}

    assert (await resume(deps, ANN, paused)).changed
    later = T0 + timedelta(minutes=10)
    assert await ticks(matcher, deps, "69000", "70100", start=later) == 2  # paused, kept again
    assert paused in matcher.index and deleted not in matcher.index and new not in matcher.index


async def test_a_change_without_a_version_bump_waits_for_the_next_bump(deps: Deps) -> None:
    matcher = await started(deps)
    quiet = await add_alert(deps, "BTC > 70000", announced=False)
    assert await ticks(matcher, deps, "69000", "70100") == 0  # nobody said anything changed
    await add_alert(deps, "ETH > 5000")  # the next change is announced: both are picked up
    assert await ticks(matcher, deps, "69000", "70100", start=T0 + timedelta(minutes=1)) == 1
    assert (await alert_row(deps, quiet)).status == "fired"


async def test_expired_alerts_stop_firing_and_are_marked_expired(deps: Deps) -> None:
    soon = await add_alert(deps, "BTC > 70000 for 10m")
    later = await add_alert(deps, "BTC > 70010 for 1h")
    paused = await add_alert(deps, "BTC > 70020 for 10m")
    assert (await pause(deps, ANN, paused)).status == "paused"
    matcher = await started(deps)
    deps.clock.advance(timedelta(minutes=11))
    # the expiry job has not run yet: firing itself refuses an alert past its end
    assert await ticks(matcher, deps, "69000", "70100", start=T0 + timedelta(minutes=11)) == 1
    result = await alerts_expiry.run(deps)
    assert result.summary == "2 alerts expired"
    assert [(await alert_row(deps, i)).status for i in (soon, later, paused)] == [
        "expired",
        "fired",
        "expired",
    ]
    await matcher.sync(deps)
    assert soon not in matcher.index
    assert (await alerts_expiry.run(deps)).summary == "0 alerts expired"


async def test_quiet_hours_hold_the_message_until_they_end(deps: Deps) -> None:
    async with deps.sessions.begin() as session:  # Tokyo: 21:00 now, quiet 20:00 to 07:30
        await session.execute(
            update(User)
            .where(User.id == ANN)
            .values(timezone="Asia/Tokyo", quiet_start=20 * 60, quiet_end=7 * 60 + 30)
        )
    await add_alert(deps, "BTC > 70000")
    await add_alert(deps, "BTC > 70001", user=BOB)
    matcher = await started(deps)
    assert await ticks(matcher, deps, "69000", "70100") == 2
    ann, bob = sorted(await outbox(deps), key=lambda r: r.chat_id)
    assert ann.not_before == datetime(2026, 11, 26, 22, 30, tzinfo=UTC)  # 07:30 in Tokyo
    assert ann.payload["quiet"] is True and notice_of(ann).quiet
    assert "Nov 26, 2026, 21:00 JST" in said(ann, "Asia/Tokyo")  # said in the person's zone
    assert (bob.not_before, bob.payload["quiet"]) == (T0, False)


async def test_a_time_zone_python_does_not_know_reads_as_utc(deps: Deps) -> None:
    async with deps.sessions.begin() as session:
        await session.execute(
            update(User)
            .where(User.id == ANN)
            .values(timezone="Mars/Olympus_Mons", quiet_start=11 * 60, quiet_end=13 * 60)
        )
    await add_alert(deps, "BTC > 70000")
    assert await ticks(await started(deps), deps, "69000", "70100") == 1
    (row,) = await outbox(deps)
    assert row.not_before == T0 + timedelta(hours=1)  # quiet until 13:00 UTC
    assert "Nov 26, 2026, 12:00 UTC" in said(row, "Mars/Olympus_Mons")


# ---- candle-close alerts -------------------------------------------------------------------------

FIRST, LAST = 320, 399  # the stretch of the fixture the workers live through, candle by candle


async def test_change_indicator_and_volume_alerts_fire_on_candle_close(deps: Deps) -> None:
    candles = load_candles("BTCUSDT_1h")
    async with deps.sessions.begin() as session:
        market = await ensure_market(session, "binance", "BTC/USDT", "BTC", "USDT", T0)
        await save_candles(session, market, "1h", candles[: FIRST + 1])
    deps.clock.current = candles[FIRST].ts + timedelta(minutes=30)  # candle FIRST is forming
    texts = [
        "BTC ±2% 4h every 5m",
        "BTC rsi > 70 1h every 5m",
        "BTC volume x3 1h every 5m",
        "BTC macd cross up 1h every 5m",
        "BTC volume x3 1h",
    ]
    ids = {await add_alert(deps, text, (ANN, BOB)[i == 4]): text for i, text in enumerate(texts)}
    matcher = await started(deps)
    for k in range(FIRST, LAST):  # candle k closes: k+1 is stored, forming
        async with deps.sessions.begin() as session:
            await save_candles(session, market, "1h", candles[k + 1 : k + 2])
        deps.clock.current = candles[k + 1].ts + timedelta(minutes=30)
        await matcher.on_candles(deps)
        await matcher.on_candles(deps)  # checked again before the next close: nothing new

    fired: dict[str, list[datetime]] = {text: [] for text in texts}
    for row in await outbox(deps):
        alert_id, trigger = row.dedupe_key.removeprefix("alert:").split(":", 1)
        fired[ids[int(alert_id)]].append(datetime.fromisoformat(trigger))
    window = candles[FIRST].ts, candles[LAST - 1].ts
    for text in texts[:4]:
        expected = trigger_times(parse_alert(text, T0).condition, candles, "1h")
        assert fired[text] == [t for t in expected if window[0] <= t <= window[1]], text
    assert len(fired[texts[0]]) == 4 and len(fired[texts[2]]) == 6
    assert fired[texts[4]] == fired[texts[2]][:1]  # the one-shot fires once
    moves = [said(r) for r in await outbox(deps) if notice_of(r).alert_id == min(ids)]
    assert "within 4 hours" in moves[0]
    assert "in 4 hours" in moves[0].split("\n")[1]  # the move over its window


async def test_a_candle_that_closed_before_the_alert_was_made_does_not_fire_it(
    deps: Deps,
) -> None:
    candles = load_candles("BTCUSDT_1h")
    trigger = 326  # volume x3 came true on this candle
    async with deps.sessions.begin() as session:
        market = await ensure_market(session, "binance", "BTC/USDT", "BTC", "USDT", T0)
        await save_candles(session, market, "1h", candles[: trigger + 2])
    deps.clock.current = candles[trigger + 1].ts + timedelta(minutes=30)
    await add_alert(deps, "BTC volume x3 1h")  # made after candle 326 closed
    matcher = await started(deps)
    await matcher.on_candles(deps)
    assert await outbox(deps) == []
    async with deps.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
