"""From a ticker on the wire to the person's sendMessage, streamed against polled.

    .venv/bin/python bench/bench_stream.py                  # 15 rounds each way
    .venv/bin/python bench/bench_stream.py --rounds 30 --ticker-interval 5

In one process, on SQLite with the in-process cache, as `pythia run` does: the workers
(WorkerRuntime) with binance's REST API (tests/fakes/exchanges) and its ticker WebSocket
(tests/fakes/streams.py) on loopback, parsed by ccxt and ccxt.pro's real code; and the bot — the
real PTB Application of bot/app.py, its outbox sender running — talking over HTTP to the in-repo
Telegram emulator (bot.emulator). Rate limits are off, as in bench_alert_latency: the emulator
has no flood limits, OUTBOX_RATE is 10,000 and PTB's AIORateLimiter is off; each round's alert
belongs to a person of its own, so the sender's one-a-second-per-person gap never applies.

Each round one alert `BTC > level` is crossed: the price is first settled below the level, then,
at the moment measured, the exchange's price moves above it: a 24hrTicker message is sent on the
stream (streaming), or the REST ticker starts answering the new price (polling: the ticker job
asks every TICKER_INTERVAL, so a move waits for the next round). Two clocks stop: when the
alert's outbox row is committed (matched, fired and queued; looked for every 2 ms) and when the
emulator receives the person's sendMessage (its own monotonic stamp, nothing polled); the
sender's part, outbox row → sendMessage, is their difference per round (to within that 2 ms).
Rounds start at random moments of the polling cycle. p99 is by nearest rank: under 100 rounds
it is the slowest round.

The fakes of the exchange and its stream are imported from tests/fakes (the only imports from
tests/): they are the network boundary the streaming tests replace too.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import functools
import logging
import random
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import ccxt.pro as ccxt_pro
from harness import median, percentile  # puts ROOT on sys.path
from sqlalchemy import func, select

from bot.app import BotRuntime, build_application
from bot.emulator import Emulator
from core.people import ChatSeen, PersonSeen
from core.settings import Settings
from db.migrate import upgrade
from db.models import OutboxMessage
from db.repos.people import register
from services.alerts import set_alert
from services.deps import Deps, build_deps, close_deps
from tests.fakes.exchanges import FakeExchange
from tests.fakes.streams import FakeStream
from workers.jobs import ingest_prices
from workers.jobs.base import WorkerDeps
from workers.runtime import WorkerRuntime
from workers.scheduler import JobSpec
from workers.sources.ccxt_source import CcxtSource
from workers.sources.streaming import TickerStream

FIRST = 101  # round r's alert belongs to person FIRST + r (their private chat has that id)
BELOW, LEVEL, STEP = Decimal(60000), Decimal(70000), Decimal(100)


class Prices:
    """What the REST fake answers now."""

    def __init__(self) -> None:
        self.btc = BELOW

    def __call__(self, asset: str, when: Any) -> Decimal:
        return self.btc if asset == "BTC" else Decimal(3000)


async def fired(deps: Deps) -> int:
    async with deps.read() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


async def until(check: Any, every: float, timeout: float = 60.0) -> None:
    """Until `await check()` is true, looking every `every` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(every)
    raise TimeoutError(f"{check} never came true")


async def newer(deps: Deps, before: int) -> bool:
    return await fired(deps) > before


async def settled(deps: Deps, price: Decimal) -> bool:
    quote = (await deps.cache.get_prices(["BTC"])).get("BTC")
    return quote is not None and quote.price == price


@contextlib.asynccontextmanager
async def telegram(settings: Settings, deps: Deps, people: int) -> AsyncIterator[Emulator]:
    """The emulator without flood limits, knowing `people` persons, and the real Application
    polling it with its outbox sender on, sharing the workers' `deps`."""
    emu = Emulator(flood_limits=None)
    await emu.start()
    for r in range(people):
        emu.add_user(f"P{r}", id=FIRST + r)
    app = build_application(
        settings,
        token=emu.token,
        base_url=emu.base_url,
        base_file_url=emu.base_file_url,
        deps=deps,
        rate_limit=False,
    )
    runtime = BotRuntime(app)
    try:
        await runtime.start(poll_timeout=1)
        yield emu
    finally:
        await runtime.stop()
        await emu.stop()
    if emu.internal_errors:
        raise RuntimeError(f"the emulator failed: {emu.internal_errors[:3]}")


async def measure(streaming: bool, rounds: int, interval: float) -> list[tuple[float, float]]:
    """Seconds from the price move to the committed outbox row and to the sendMessage received,
    one pair per round."""
    data = Path(tempfile.mkdtemp())
    url = f"sqlite+aiosqlite:///{data / 'pythia.sqlite3'}"
    await asyncio.to_thread(upgrade, url)
    settings = Settings(
        _env_file=None,
        database_url=url,
        data_dir=data,
        symbols=["BTC", "ETH"],
        ticker_interval=interval,
        alerts_max_active=1000,
        outbox_rate=10_000,
        telegram_rate_limit=False,
    )
    deps = await build_deps(settings)
    try:
        for r in range(rounds):
            person = PersonSeen(FIRST + r, f"P{r}"), ChatSeen(FIRST + r, "private")
            async with deps.sessions.begin() as session:
                await register(session, *person, deps.clock.now())
            await set_alert(deps, *person, f"BTC > {LEVEL + r * STEP}")
        prices = Prices()
        async with (
            FakeExchange("binance", ["BTC", "ETH"], prices) as fake,
            FakeStream("binance", fake.listings) as stream,
            telegram(settings, deps, rounds) as emu,
        ):
            rest = CcxtSource(fake.ccxt())

            def build() -> Any:
                exchange = ccxt_pro.binance({"timeout": 3000})
                markets = copy.deepcopy(fake.markets)
                exchange.set_markets(
                    {s: exchange.safe_market_structure(m) for s, m in markets.items()}
                )
                return stream.point(exchange)

            def streams(worker: WorkerDeps) -> dict[str, TickerStream]:
                async def tracked() -> tuple[str, ...]:
                    return (await worker.current_directory()).tracked

                return {"binance": TickerStream(rest, tracked, build=build)} if streaming else {}

            job = JobSpec("ingest_prices", ingest_prices.run, timedelta(seconds=interval))
            workers = WorkerRuntime(
                settings, deps=deps, jobs=[job], sources=[rest], streams=streams
            )
            await workers.start()
            took: list[tuple[float, float]] = []
            try:
                if streaming:
                    await stream.subscribed("BTC")
                for r in range(rounds):
                    prices.btc = BELOW
                    if streaming:
                        await stream.push("BTC", BELOW)
                    await until(lambda: settled(deps, BELOW), 0.01)
                    await asyncio.sleep(random.uniform(0, interval))  # anywhere in the poll cycle
                    before = await fired(deps)
                    above = LEVEL + r * STEP + STEP / 2
                    moved = time.monotonic()  # the emulator stamps messages on this clock
                    prices.btc = above
                    if streaming:
                        await stream.push("BTC", above)
                    await until(functools.partial(newer, deps, before), 0.002)
                    queued = time.monotonic()
                    (sent,) = await emu.wait_for_bot_messages(FIRST + r, timeout=60)
                    took.append((queued - moved, sent.monotonic - moved))
            finally:
                await workers.stop()
    finally:
        await close_deps(deps)
    return took


def figures(ms: list[float]) -> str:
    ms = sorted(ms)
    return f"p50 {median(ms):5.0f} ms, p99 {percentile(ms, 0.99):5.0f} ms, max {ms[-1]:5.0f} ms"


def summary(label: str, rounds: list[tuple[float, float]]) -> list[str]:
    row = [1000 * queued for queued, _ in rounds]
    sent = [1000 * received for _, received in rounds]
    sender = [1000 * (received - queued) for queued, received in rounds]
    head = f"{label}, {len(rounds)} alerts: ".ljust(24)
    return [
        f"{head}wire → sendMessage         {figures(sent)}",
        f"{' ' * len(head)}wire → outbox row          {figures(row)}",
        f"{' ' * len(head)}outbox row → sendMessage   {figures(sender)}",
    ]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="alerts fired each way")
    parser.add_argument("--ticker-interval", type=float, default=5.0, help="TICKER_INTERVAL")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    print(f"TICKER_INTERVAL {args.ticker_interval:g} s, {args.rounds} rounds each", flush=True)
    for label, streaming in (("streamed", True), ("polled", False)):
        for line in summary(label, await measure(streaming, args.rounds, args.ticker_interval)):
            print("  " + line, flush=True)


if __name__ == "__main__":
    asyncio.run(main())
