"""From a ticker on the wire to the alert it fires, streamed against polled.

    .venv/bin/python bench/bench_stream.py                  # 15 rounds each way
    .venv/bin/python bench/bench_stream.py --rounds 30 --ticker-interval 5

In one process: the workers (WorkerRuntime, SQLite + in-process cache) with binance's REST API
(tests/fakes/exchanges) and its ticker WebSocket (tests/fakes/streams.py) on loopback, parsed by
ccxt and ccxt.pro's real code. Each round one person's alert `BTC > level` is crossed: the
price is first settled below the level, then, at the moment measured, the exchange's price
moves above it: a 24hrTicker message is sent on the stream (streaming), or the REST ticker
starts answering the new price (polling: the ticker job asks every TICKER_INTERVAL, so a move
waits for the next round). The clock stops when the alert's outbox row is committed: matched,
fired and queued for the bot's sender, whose sendMessage is bench_alert_latency's figure (to be
added to these). Rounds start at random moments of the polling cycle.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import functools
import logging
import random
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import ccxt.pro as ccxt_pro
from harness import median, percentile  # puts ROOT on sys.path
from sqlalchemy import func, select

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

ANN = 101
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


async def measure(streaming: bool, rounds: int, interval: float) -> list[float]:
    """Seconds from the price move to the committed outbox row, one per round."""
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
    )
    deps = await build_deps(settings)
    async with deps.sessions.begin() as session:
        await register(session, PersonSeen(ANN, "Ann"), ChatSeen(ANN, "private"), deps.clock.now())
    for r in range(rounds):
        person = PersonSeen(ANN, "Ann"), ChatSeen(ANN, "private")
        await set_alert(deps, *person, f"BTC > {LEVEL + r * STEP}")
    prices = Prices()
    async with (
        FakeExchange("binance", ["BTC", "ETH"], prices) as fake,
        FakeStream("binance", fake.listings) as stream,
    ):
        rest = CcxtSource(fake.ccxt())

        def build() -> Any:
            exchange = ccxt_pro.binance({"timeout": 3000})
            markets = copy.deepcopy(fake.markets)
            exchange.set_markets({s: exchange.safe_market_structure(m) for s, m in markets.items()})
            return stream.point(exchange)

        def streams(worker: WorkerDeps) -> dict[str, TickerStream]:
            async def tracked() -> tuple[str, ...]:
                return (await worker.current_directory()).tracked

            return {"binance": TickerStream(rest, tracked, build=build)} if streaming else {}

        job = JobSpec("ingest_prices", ingest_prices.run, timedelta(seconds=interval))
        workers = WorkerRuntime(settings, deps=deps, jobs=[job], sources=[rest], streams=streams)
        await workers.start()
        took: list[float] = []
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
                moved = time.perf_counter()
                prices.btc = above
                if streaming:
                    await stream.push("BTC", above)
                await until(functools.partial(newer, deps, before), 0.002)
                took.append(time.perf_counter() - moved)
        finally:
            await workers.stop()
            await close_deps(deps)
    return took


def summary(label: str, seconds: list[float]) -> str:
    ms = sorted(1000 * s for s in seconds)
    return (
        f"{label}: {len(ms)} alerts, price move → outbox row p50 {median(ms):.0f} ms, "
        f"p99 {percentile(ms, 0.99):.0f} ms, max {ms[-1]:.0f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="alerts fired each way")
    parser.add_argument("--ticker-interval", type=float, default=5.0, help="TICKER_INTERVAL")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    print(f"TICKER_INTERVAL {args.ticker_interval:g} s, {args.rounds} rounds each", flush=True)
    print("  " + summary("streamed", await measure(True, args.rounds, args.ticker_interval)))
    print("  " + summary("polled  ", await measure(False, args.rounds, args.ticker_interval)))


if __name__ == "__main__":
    asyncio.run(main())
