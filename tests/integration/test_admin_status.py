"""/status's facts and /broadcast's queueing, on SQLite and on Postgres with Redis: what the
status counts is what the rows written through the services say (prices and candles per
exchange, news per feed, heartbeats, the outbox, failed jobs, serving models, people, alerts,
digests, paused chats, broadcasts); a broadcast reaches every private chat but those of people
who blocked Pythia, once however often Send is pressed, and Cancel writes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.alerts.spec import AlertSpec, PriceLevel
from core.alerts.storage import columns_of
from core.clock import FixedClock
from core.market import Candle, Ticker
from core.notices import Broadcast, read_payload
from core.people import ChatSeen, PersonSeen
from core.refusal import BadArgument, Refusal
from core.settings import Settings
from db.heartbeat import beat
from db.models import Asset, DigestSubscription, OutboxMessage, PendingAction
from db.news import NewsArticle, NewsCoverage, NewsFeed
from db.repos import alerts as alert_rows
from db.repos import chats as chat_rows
from db.repos import model_registry
from services import admin, broadcasts, delivery, ingest, people
from services.deps import Deps, build_deps, close_deps
from services.job_runs import record_run

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
WALL = datetime(2026, 12, 5, 12, 0, 30, tzinfo=UTC)
ADMIN, ANN, BOB, CAT = 7001, 7002, 7003, 7004
GROUP = -7100


@pytest.fixture
async def deps(db_url: str, engine: object, cache_url: str | None) -> AsyncIterator[Deps]:
    settings = Settings(
        _env_file=None,
        database_url=db_url,
        redis_url=cache_url,
        symbols=["BTC", "ETH"],
        candle_timeframes=["1h"],
        admin_ids=[ADMIN],
    )
    deps = await build_deps(settings, FixedClock(NOW))
    yield deps
    await close_deps(deps)


async def someone(deps: Deps, user_id: int, chat: ChatSeen | None = None) -> None:
    person = PersonSeen(user_id, f"P{user_id}", None, "en")
    await people.start(deps, person, chat or ChatSeen(user_id, "private"))


async def market_data(deps: Deps) -> None:
    """binance's ticker 30 s old and a 1h candle opened 2 h ago; kraken only a ticker."""
    tickers = [
        Ticker("binance", "BTC/USDT", "BTC", "USDT", Decimal(70000), NOW - timedelta(seconds=30)),
        Ticker("kraken", "ETH/USD", "ETH", "USD", Decimal(3000), NOW - timedelta(minutes=5)),
    ]
    await ingest.record_tickers(deps, tickers, {})
    market = await ingest.register_market(deps, "binance", "BTC/USDT", "BTC", "USDT")
    opened = NOW - timedelta(hours=2)
    one = Decimal(1)
    await ingest.store_candles(deps, market, "1h", [Candle(opened, one, one, one, one, one)])


async def news(deps: Deps) -> None:
    """CoinDesk fine (its newest story 40 min old), Decrypt failing three times in a row."""
    async with deps.write() as session:
        session.add_all(
            [
                NewsFeed(url="https://coindesk.example/rss", publisher="CoinDesk",
                         last_ok_at=WALL - timedelta(minutes=3), failures=0),
                NewsFeed(url="https://decrypt.example/rss", publisher="Decrypt",
                         last_ok_at=WALL - timedelta(hours=5), failures=3, last_error="timeout"),
            ]
        )  # fmt: skip
        story = NewsArticle(source="CoinDesk", url="https://coindesk.example/a", title="A",
                            title_key="a", published_at=NOW - timedelta(minutes=40),
                            fetched_at=NOW - timedelta(minutes=39))  # fmt: skip
        session.add(story)
        await session.flush()
        session.add(
            NewsCoverage(article_id=story.id, publisher="CoinDesk", url=story.url, title="A",
                         published_at=story.published_at, fetched_at=story.fetched_at)
        )  # fmt: skip


async def models_and_things(deps: Deps) -> None:
    """BTC 24h served by a champion trained 2 days ago; ETH 24h only a rejected model (no
    edge); two price alerts, three digests (one due within the hour, one late), a removed
    group."""
    async with deps.write() as session:
        ids = {s: i for s, i in (await session.execute(select(Asset.symbol, Asset.id))).all()}
        for symbol, status, age in (("BTC", "champion", 2), ("ETH", "rejected", 1)):
            await model_registry.add(
                session, asset_id=ids[symbol], horizon="24h", version=1, status=status,
                metrics={}, features={}, artifact=None, trained_from=NOW - timedelta(days=60),
                trained_to=NOW - timedelta(days=age), created_at=NOW - timedelta(days=age),
            )  # fmt: skip
        for level in (Decimal(80000), Decimal(90000)):
            spec = AlertSpec("BTC", PriceLevel("above", level))
            await alert_rows.add(session, ANN, ANN, ids["BTC"], columns_of(spec), NOW)
        for hours in (0.5, 5, -0.5):  # due soon, later, late (30 min ago)
            session.add(
                DigestSubscription(chat_id=GROUP, created_by=ANN, schedule="every 6h",
                                   timezone="UTC", contents={}, active=True, created_at=NOW,
                                   next_run_at=NOW + timedelta(hours=hours))
            )  # fmt: skip
        await chat_rows.change(session, GROUP, paused_reason="removed", paused_at=NOW)


async def test_status_says_what_the_rows_say(deps: Deps) -> None:
    for user in (ADMIN, ANN, BOB, CAT):
        await someone(deps, user)
    await someone(deps, ANN, ChatSeen(GROUP, "group", "Traders"))
    await delivery.closed_to_the_bot(deps, CAT, [], "Forbidden: blocked", NOW, person=True)
    await market_data(deps)
    await news(deps)
    await models_and_things(deps)
    for job, worker, ago, ok, said in (
        ("ingest_news", "w1", timedelta(minutes=20), False, "Traceback…\nTimeoutError: slow"),
        ("ingest_news", "w1", timedelta(minutes=10), False, "Traceback…\nValueError: bad feed\n"),
        ("ingest_prices", "w1", timedelta(minutes=1), True, "ok"),
        ("predict", "w2", timedelta(hours=2), False, "an old failure"),
    ):
        started = WALL - ago
        await record_run(deps, job, worker, started, started + timedelta(seconds=1), ok, said)
    await beat(deps.cache, "bot")
    preview = await broadcasts.preview(deps, ADMIN, "Maintenance at 14:00 UTC.")
    queued = await broadcasts.answer(deps, ADMIN, preview.token, True)

    status = await admin.status(deps, NOW, WALL)

    assert [(x.name, x.price_at, x.candles_at) for x in status.exchanges] == [
        ("binance", NOW - timedelta(seconds=30), {"1h": NOW - timedelta(hours=2)}),
        ("kraken", NOW - timedelta(minutes=5), {}),
    ]
    assert [(f.publisher, f.latest_at, f.failures, f.last_error) for f in status.feeds] == [
        ("CoinDesk", NOW - timedelta(minutes=40), 0, None),
        ("Decrypt", None, 3, "timeout"),
    ]
    assert status.bot_beat_at is not None and status.bot_beat_at >= WALL - timedelta(seconds=5)
    assert status.workers_beat_at is None  # no worker here
    assert status.workers_seen == {"w1": WALL - timedelta(seconds=59)}  # w2: over an hour ago
    assert [(j.job, j.failures, j.last_error) for j in status.failed_jobs] == [
        ("ingest_news", 2, "ValueError: bad feed")
    ]
    assert isinstance(queued, broadcasts.Queued) and queued.people == 3  # not CAT, who blocked
    assert (status.pending, status.due, status.oldest_pending_at) == (3, 3, NOW)
    assert [(b.id, b.sent, b.pending, b.failed) for b in status.broadcasts] == [
        (preview.token, 0, 3, 0)
    ]
    assert [(m.asset, m.horizon, m.champion) for m in status.models] == [
        ("BTC", "24h", True),
        ("ETH", "24h", False),
    ]
    assert status.no_edge == 1
    assert (status.people, status.active_day, status.active_week, status.blocked) == (4, 4, 4, 1)
    assert status.alerts == {"price": 2}
    assert (status.digests, status.digests_due, status.digests_late) == (3, 2, 1)
    assert status.paused_chats == {"removed": 1}


async def test_status_of_an_empty_pythia(deps: Deps) -> None:
    status = await admin.status(deps, NOW, WALL)
    assert status.exchanges == [] and status.feeds == [] and status.failed_jobs == []
    assert (status.pending, status.oldest_pending_at, status.people) == (0, None, 0)
    assert status.models == [] and status.broadcasts == [] and status.alerts == {}


async def test_a_broadcast_settles_as_it_is_sent(deps: Deps) -> None:
    for user in (ADMIN, ANN, BOB):
        await someone(deps, user)
    preview = await broadcasts.preview(deps, ADMIN, "Hello")
    await broadcasts.answer(deps, ADMIN, preview.token, True)
    claimed = await delivery.claim(deps, WALL, timedelta(seconds=30), 10, [])
    first, second, third = [c.row.id for c in claimed]
    await delivery.sent(deps, [first], 11)
    await delivery.failed(deps, [second], "Bad Request: chat not found")
    status = await admin.status(deps, NOW, WALL)
    (progress,) = status.broadcasts
    assert (progress.sent, progress.pending, progress.failed) == (1, 1, 1)
    assert (status.pending, status.failed_last_hour, status.maybe_sent_last_hour) == (1, 1, 0)
    await delivery.maybe_sent(deps, [third], "timed out: Telegram may have it")
    status = await admin.status(deps, NOW, WALL)
    assert [(b.sent, b.pending, b.failed) for b in status.broadcasts] == [(2, 0, 1)]
    assert (status.pending, status.failed_last_hour, status.maybe_sent_last_hour) == (0, 1, 1)
    later = await admin.status(deps, NOW + timedelta(hours=2), WALL)  # out of the last hour
    assert (later.failed_last_hour, later.maybe_sent_last_hour) == (0, 0)


async def count_rows(deps: Deps) -> int:
    async with deps.read() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


async def test_send_pressed_at_once_queues_one_row_per_person(deps: Deps) -> None:
    for user in (ADMIN, ANN, BOB, CAT):
        await someone(deps, user)
    await delivery.closed_to_the_bot(deps, BOB, [], "Forbidden: blocked", NOW, person=True)
    preview = await broadcasts.preview(deps, ADMIN, "Line one\n<b>not bold</b>\n\nLine three  ")
    assert preview.audience == 3 and preview.text == "Line one\n<b>not bold</b>\n\nLine three"
    outcomes = await asyncio.gather(
        *(broadcasts.answer(deps, ADMIN, preview.token, True) for _ in range(5)),
        return_exceptions=True,
    )
    queued = [o for o in outcomes if isinstance(o, broadcasts.Queued)]
    assert len(queued) == 1 and queued[0].people == 3, outcomes
    assert all(o == Refusal("confirm.answered") for o in outcomes if o is not queued[0])
    async with deps.read() as session:
        rows = (await session.scalars(select(OutboxMessage))).all()
    assert sorted(r.chat_id for r in rows) == [ADMIN, ANN, CAT]
    notices = [read_payload(r.payload) for r in rows]
    assert all(isinstance(n, Broadcast) and n.text == preview.text for n in notices)
    assert {r.dedupe_key for r in rows} == {
        f"broadcast:{preview.token}:{u}" for u in (ADMIN, ANN, CAT)
    }


async def test_cancel_and_bad_text_write_nothing(deps: Deps) -> None:
    await someone(deps, ADMIN)
    preview = await broadcasts.preview(deps, ADMIN, "Hello")
    assert isinstance(
        await broadcasts.answer(deps, ADMIN, preview.token, False), broadcasts.Cancelled
    )
    with pytest.raises(Refusal) as late:
        await broadcasts.answer(deps, ADMIN, preview.token, True)
    assert late.value.code == "confirm.answered"
    assert await count_rows(deps) == 0
    for text, code in (("", "broadcast.empty"), (" \n \n", "broadcast.empty"),
                       ("x" * 3501, "broadcast.too_long")):  # fmt: skip
        with pytest.raises(BadArgument) as refused:
            await broadcasts.preview(deps, ADMIN, text)
        assert refused.value.code == code
    async with deps.read() as session:
        assert await session.scalar(select(func.count()).select_from(PendingAction)) == 1


async def test_only_an_operator_may_broadcast(deps: Deps) -> None:
    await someone(deps, ANN)
    with pytest.raises(Refusal) as refused:
        await broadcasts.preview(deps, ANN, "Hello")
    assert refused.value.code == "admin.only"
    preview = await broadcasts.preview(deps, ADMIN, "Hello")
    with pytest.raises(Refusal):
        await broadcasts.answer(deps, ANN, preview.token, True)
    assert await count_rows(deps) == 0


async def test_a_preview_left_too_long_sends_nothing(deps: Deps) -> None:
    await someone(deps, ADMIN)
    preview = await broadcasts.preview(deps, ADMIN, "Hello")
    assert isinstance(deps.clock, FixedClock)
    deps.clock.current = NOW + timedelta(minutes=11)  # it waits 10
    with pytest.raises(Refusal) as late:
        await broadcasts.answer(deps, ADMIN, preview.token, True)
    assert late.value.code == "confirm.expired"
    assert await count_rows(deps) == 0


async def test_status_still_answers_when_redis_does_not(db_url: str, engine: object) -> None:
    settings = Settings(
        _env_file=None,
        database_url=db_url,
        redis_url="redis://127.0.0.1:9/0",
        symbols=["BTC"],
        admin_ids=[ADMIN],
    )  # fmt: skip  (nothing listens on 9)
    away = await build_deps(settings, FixedClock(NOW))
    try:
        await someone(away, ANN)
        status = await admin.status(away, NOW, WALL)
    finally:
        await close_deps(away)
    assert not status.cache_ok and status.bot_beat_at is None and status.people == 1
