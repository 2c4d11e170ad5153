"""/news and /sentiment p50/p99 from the cache, in process and through the emulator.

    .venv/bin/python bench/bench_news_chat.py                   # SQLite, then Postgres + Redis
    .venv/bin/python bench/bench_news_chat.py --stack sqlite
    .venv/bin/python bench/bench_news_chat.py --stack postgres --no-emulator

In process: the sandbox's feeds (the four bundled snapshots and the played-forward real
headlines, over local HTTP) are ingested by the real job and scored by the real models (VADER
and the light model), the index computed, and hourly candles of the week stored for BTC and
ETH. Then, per ask, what a handler does but the sending: the service call
(`news_page` / `sentiment_overview`) and the view (`news_text` + `news_keyboard`,
`sentiment_caption`). "cached" is the figure the issue asks for: the page or overview is in
the cache (in-process, or Redis on the Postgres stack; a warm-up ask put it there, and every
`CACHE_BURST` asks it is put there again, so the 30 s life never lapses mid-run). "read" is
for scale: the key deleted before each ask, so the database is read each time.

Through the emulator (unless --no-emulator): `pythia run` on the replay market and the
sandbox's feeds (NEWS_SOURCE=replay; at 60× so the news jobs run every 30 s and 15 s), in its
own process as bench_commands.py runs it; once /news and /sentiment have something to say, 3
warm-ups then 50 asks each, one at a time, latency from the person's message record to the
bot's reply record (long poll, PTB, handler, sendMessage, or sendPhoto by file_id once the
picture was sent). An ask made just after the cached page lapsed reads the database: that is
in these figures, as a person would meet it.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from harness import (
    POSTGRES_URL,
    REDIS_URL,
    add_stack_argument,
    chosen_stacks,
    drop_postgres,
    flush_redis,
    median,
    percentile,
    reset_postgres,
    running_stack,
    wait_ready,
)

from bot.emulator import EmulatorClient
from bot.emulator.records import User
from bot.i18n import texts_for
from bot.views.news import news_keyboard, news_text
from bot.views.sentiment import sentiment_caption
from core.clock import FixedClock
from core.market import Candle, floor_time
from core.settings import Settings
from db.candles import candle_market, save_candles
from db.migrate import upgrade
from services.deps import Deps, build_deps, close_deps
from services.news import news_page
from services.sentiment_series import sentiment_overview
from workers.jobs import ingest_news, score_news
from workers.jobs.base import WorkerDeps
from workers.news.sandbox import sandbox_feeds
from workers.news.sources import NewsSources

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)
WARM_UPS, RUNS, CACHE_BURST = 20, 2000, 200
READ_RUNS = 200
CHAT_WARM_UPS, CHAT_RUNS = 3, 50
READY_TIMEOUT = 180.0
OWNER = 4242


def row(label: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (
        f"  {label:<32} p50 {median(ms):7.3f} ms   p99 {percentile(ms, 0.99):7.3f} ms   "
        f"max {max(ms):7.3f} ms   (n={len(ms)})"
    )


# ---- in process ----------------------------------------------------------------------------------


async def prepared(settings: Settings, stack: AsyncExitStack) -> Deps:
    """Deps on a database holding the sandbox's news, scored and indexed, and a week of candles."""
    clock = FixedClock(NOW)
    server = sandbox_feeds(clock)
    await server.start()
    base = await build_deps(settings, clock)
    stack.push_async_callback(close_deps, base)
    worker = WorkerDeps.of(base, news=NewsSources(server.feeds(), server))
    stack.push_async_callback(worker.news.close)  # type: ignore[union-attr]
    for job in (ingest_news, score_news):
        result = await job.run(worker)
        if not result.ok:
            raise SystemExit(f"{job.__name__}: {result.summary}")
        print(f"  {job.__name__.rpartition('.')[2]}: {result.summary}")
    start = floor_time(NOW, "1h") - timedelta(days=7)
    async with base.write() as session:
        for coin, price in (("BTC", 97000), ("ETH", 3600)):
            market = await candle_market(session, "binance", f"{coin}/USDT", coin, "USDT", NOW)
            candles = [
                Candle(start + timedelta(hours=h), *_flat(Decimal(price + h)))
                for h in range(7 * 24)
            ]
            await save_candles(session, market, "1h", candles)
    return base


def _flat(price: Decimal) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal]:
    """open, high, low, close and a volume of 1: a candle that says only its price."""
    return price, price, price, price, Decimal(1)


async def timed(ask: Callable[[], Awaitable[object]], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await ask()
        samples.append(time.perf_counter() - started)
    return samples


async def in_process(label: str, settings: Settings) -> None:
    print(f"{label}, in process (service call + view):")
    t = texts_for("en")
    async with AsyncExitStack() as stack:
        deps = await prepared(settings, stack)

        async def news(coin: str | None) -> None:
            latest = await news_page(deps, coin)
            news_text(t, latest)
            news_keyboard(t, OWNER, latest)

        async def sentiment(coin: str | None) -> None:
            sentiment_caption(t, await sentiment_overview(deps, coin))

        asks: list[tuple[str, Callable[[], Awaitable[None]], str]] = [
            ("/news", lambda: news(None), "news:page:*:0:5"),
            ("/news BTC", lambda: news("BTC"), "news:page:BTC:0:5"),
            ("/sentiment", lambda: sentiment(None), "sentiment:overview:*"),
            ("/sentiment BTC", lambda: sentiment("BTC"), "sentiment:overview:BTC"),
        ]
        for name, ask, _ in asks:
            await timed(ask, WARM_UPS)
            samples: list[float] = []
            while len(samples) < RUNS:
                await ask()  # (re)fills the cache before the burst
                samples += await timed(ask, CACHE_BURST)
            print(row(f"{name} cached", samples))
        for name, ask, key in asks:

            async def read(ask: Callable[[], Awaitable[None]] = ask, key: str = key) -> None:
                await deps.cache.delete(key)
                await ask()

            print(row(f"{name} read (no cache)", await timed(read, READ_RUNS)))


# ---- through the emulator -----------------------------------------------------------------------


async def ask(client: EmulatorClient, user: User, text: str) -> tuple[float, str, bool]:
    sent = await client.send_message(user, text)
    (reply,) = await client.wait_for_bot_messages(user, after=sent, timeout=30)
    return reply.monotonic - sent.monotonic, reply.body, reply.photo is not None


async def wait_for_news(client: EmulatorClient) -> float:
    """Until /news lists stories and /sentiment answers with its picture."""
    user, start = await client.add_user("NewsProbe"), time.monotonic()
    news = sentiment = ""
    while time.monotonic() - start < READY_TIMEOUT:
        _, news, _ = await ask(client, user, "/news")
        _, sentiment, picture = await ask(client, user, "/sentiment")
        if news.startswith("📰") and picture:
            return time.monotonic() - start
        await asyncio.sleep(2)
    raise RuntimeError(
        f"after {READY_TIMEOUT:.0f} s: /news {news[:80]!r}, /sentiment {sentiment[:80]!r}"
    )


async def through_emulator(name: str, label: str) -> None:
    print(f"{label}, through the emulator (message to reply):")
    env = {"REPLAY_SPEED": "60", "NEWS_INTERVAL": "60", "NEWS_SOURCE": "replay"}
    async with running_stack(name, env=env) as stack:
        await wait_ready(stack)
        waited = await wait_for_news(stack.client)
        print(f"  news and the index were there {waited:.0f} s after the bot answered /price")
        for text in ("/news", "/news BTC", "/sentiment", "/sentiment BTC"):
            user = await stack.client.add_user(f"Bench {text}")
            samples = []
            for i in range(CHAT_WARM_UPS + CHAT_RUNS):
                latency, body, picture = await ask(stack.client, user, text)
                if text.startswith("/sentiment") and not picture:
                    raise RuntimeError(f"{text!r} was answered without a picture: {body[:200]}")
                if i >= CHAT_WARM_UPS:
                    samples.append(latency)
            print(row(text, samples))


def bench_stack(name: str, emulator: bool) -> None:
    """Migrations run outside the event loop (Alembic's env.py runs its own)."""
    if name == "sqlite":
        label = "SQLite + in-process cache"
        with tempfile.TemporaryDirectory() as directory:
            url = f"sqlite+aiosqlite:///{Path(directory)}/bench.sqlite3"
            upgrade(url)
            asyncio.run(in_process(label, Settings(database_url=url)))
    else:
        label = "Postgres + Redis"
        asyncio.run(reset_postgres(POSTGRES_URL))
        asyncio.run(flush_redis(REDIS_URL))
        try:
            upgrade(POSTGRES_URL)
            settings = Settings(database_url=POSTGRES_URL, redis_url=REDIS_URL)
            asyncio.run(in_process(label, settings))
        finally:
            asyncio.run(drop_postgres(POSTGRES_URL))
            asyncio.run(flush_redis(REDIS_URL))
    if emulator:
        asyncio.run(through_emulator(name, label))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_stack_argument(parser)
    parser.add_argument("--no-emulator", dest="emulator", action="store_false")
    args = parser.parse_args()
    for name in chosen_stacks(args):
        bench_stack(name, args.emulator)


if __name__ == "__main__":
    main()
