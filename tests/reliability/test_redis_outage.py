"""Redis away for 30 seconds under `pythia bot` and `pythia workers` (real processes, Postgres,
the emulator; their Redis a private redis-server the test SIGKILLs and starts again, empty, on
the same port; never the shared one):

- during: /price answers from the database, marked stale, every time it is asked; a row queued
  in the outbox is still sent (the sender, without pub/sub wake-ups, finds it by polling); the
  flood gate lets people through; neither process exits;
- after, with no restart: /price answers unmarked again; both heartbeats are written again; the
  workers' alert matcher has subscribed again, so a price alert crossed by a tick published
  after the return fires and is delivered exactly once.

tests/integration/test_redis_outage.py covers the same services in one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.emulator.records import User
from core.market import PriceQuote, Ticker
from core.settings import Settings
from db.cache import PRICE_CHANNEL
from db.heartbeat import alive
from db.outbox import enqueue
from services import tasks
from services.deps import Deps, build_deps, close_deps
from services.ingest import record_tickers
from tests.own_redis import OwnRedis
from tests.reliability.cluster import HIGH, Cluster, cluster

pytestmark = [pytest.mark.reliability, pytest.mark.postgres]

OUTAGE = float(os.environ.get("PYTHIA_OUTAGE_SECONDS", "30"))
ASK_EVERY = 5.0  # seconds between /price asks during the outage
STALE = "stale"


async def ask_price(the: Cluster, asker: User) -> tuple[str, float]:
    started = time.monotonic()
    sent = await the.client.send_message(asker, "/price BTC")
    [reply] = await the.client.wait_for_bot_messages(asker, after=sent, timeout=15)
    return reply.text or "", time.monotonic() - started


async def store_price(deps: Deps, price: str) -> None:
    """A ticker as the ingest job stores it (the database, then the cache if it is there)."""
    ticker = Ticker("binance", "BTC/USDT", "BTC", "USDT", Decimal(price), datetime.now(UTC))
    with contextlib.suppress(Exception):  # the cache part fails while Redis is away
        await record_tickers(deps, [ticker], {})


@contextlib.asynccontextmanager
async def crossing_ticks(deps: Deps) -> AsyncIterator[None]:
    """A low then a high BTC price published every half second: crosses every alert level."""

    async def loop() -> None:
        while True:
            at = datetime.now(UTC)
            with contextlib.suppress(Exception):
                for price, ts in ((Decimal(1), at), (HIGH * 2, at + timedelta(milliseconds=1))):
                    quote = PriceQuote("BTC", price, "USDT", "binance", ts, Decimal("1.25"))
                    await deps.cache.publish(PRICE_CHANNEL, quote.to_json())
            await asyncio.sleep(0.5)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        await tasks.end(task)


async def until(what: str, timeout: float, check: Callable[[], Awaitable[bool]]) -> float:
    """Seconds until the coroutine function `check` returns true."""
    started = time.monotonic()
    while not await check():
        assert time.monotonic() - started < timeout, f"{what}: not within {timeout} s"
        await asyncio.sleep(0.5)
    return time.monotonic() - started


async def test_a_30s_redis_outage_price_answers_stale_the_sender_waits_all_recovers() -> None:
    redis = OwnRedis()
    redis.start()
    try:
        async with cluster({"REDIS_URL": redis.url(), "OUTBOX_RATE": "30"}) as the:
            mine = await build_deps(Settings(database_url=the.database_url, redis_url=redis.url()))
            try:
                await outage(the, mine, redis)
            finally:
                await close_deps(mine)
    finally:
        redis.stop()


async def outage(the: Cluster, mine: Deps, redis: OwnRedis) -> None:
    [person] = await the.people(1)
    [alert] = await the.price_alerts([person], 1)
    await store_price(mine, "64000")
    workers = the.start_workers()
    the.start_bot()
    await the.wait_bot_answers()
    await the.wait_workers_running(workers)
    asker = await the.client.add_user("Asker")
    before, _ = await ask_price(the, asker)
    assert "64" in before and STALE not in before, before

    redis.stop()
    down = time.monotonic()
    await store_price(mine, "65000")  # the workers go on storing tickers in the database
    now = datetime.now(UTC)
    async with mine.sessions.begin() as session:
        await enqueue(session, person, "note", {"text": "queued in the outage"}, "outage", now, now)
    answers: list[float] = []
    while time.monotonic() - down < OUTAGE:
        text, took = await ask_price(the, asker)
        assert STALE in text and "65" in text, text
        answers.append(took)
        the.check_alive()
        await asyncio.sleep(ASK_EVERY)
    sent = [m for m in await the.client.bot_messages_since(0.0) if m.text == "queued in the outage"]
    assert len(sent) == 1  # sent during the outage: the sender polled
    outage_seconds = time.monotonic() - down

    redis.start()  # empty, as a Redis that lost its memory
    up = time.monotonic()
    await store_price(mine, "66000")
    after, _ = await ask_price(the, asker)
    assert "66" in after and STALE not in after, after

    async def beating() -> bool:
        return await alive(mine.cache, "bot") and await alive(mine.cache, "workers")

    beats_back = await until("heartbeats", 60, beating)
    ticking = time.monotonic()
    async with crossing_ticks(mine):
        delivered = await the.wait_delivered({alert}, timeout=60)
    fired_after, since_ticks = time.monotonic() - up, time.monotonic() - ticking
    await asyncio.sleep(3)  # a second message would have arrived by now
    delivered = await the.alert_messages()
    assert [a for a, _ in delivered] == [alert]
    assert (await the.fired())[alert] == 1
    the.check_alive()
    print(
        f"\n[redis outage] {outage_seconds:.0f} s away: /price answered {len(answers)} times "
        f"from the database marked stale (slowest {max(answers):.2f} s), the row queued in it "
        f"sent by polling; after: /price unmarked, heartbeats back in {beats_back:.1f} s, the "
        f"alert crossed after the return delivered once ({since_ticks:.1f} s after the first "
        f"tick, {fired_after:.1f} s after Redis was up; ticks start once both beat)",
        flush=True,
    )
