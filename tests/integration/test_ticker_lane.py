"""Tickers have their own lane through an exchange's ccxt rate limit: a ticker request goes
ahead of the candle pages queued before it (with one queue it waited behind them all), and
while a backfill pages candles from a slow exchange every ticker round comes in time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import ccxt.async_support as ccxt_async
import pytest
from aiohttp import web

from core.settings import Settings
from services.deps import build_deps, close_deps
from tests.fakes.exchanges import FakeExchange
from workers.backfill import backfill
from workers.jobs import ingest_prices
from workers.jobs.base import WorkerDeps
from workers.sources.ccxt_source import CcxtSource
from workers.sources.guarded import GuardedSource
from workers.sources.lanes import install, ticker_lane

ASSETS = ["BTC", "ETH", "SOL"]
PAGE_DELAY = 0.1  # seconds the exchange takes to answer a candle page
RATE_LIMIT = 100  # ms of ccxt pacing per unit of weight: a page (5) 0.5 s, the tickers 1.6 s
ROUND_EVERY = 2.0  # seconds between ticker rounds: more than their own weight's pacing


class SlowCandles(FakeExchange):
    """Binance whose candle pages take PAGE_DELAY to answer; its tickers are quick."""

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        if "klines" in request.path:
            await asyncio.sleep(PAGE_DELAY)
        return await super()._handle(request)


@pytest.fixture
async def binance() -> AsyncIterator[SlowCandles]:
    async with SlowCandles("binance", ASSETS) as fake:
        yield fake


async def rounds_during_backfill(
    deps: WorkerDeps, source: Any, exchange: SlowCandles, count: int
) -> list[int]:
    """`count` rounds of the ticker job, ROUND_EVERY apart, while a backfill pages candles from
    the same source; for each round, how many candle pages the exchange answered between the
    round's start and its ticker request. Each round's prices must reach the cache."""
    since = datetime.now(UTC) - timedelta(days=30)
    paging = asyncio.create_task(backfill(deps, source, ASSETS, "1m", since, progress=False))
    ahead: list[int] = []
    try:
        await asyncio.sleep(0.5)  # the backfill is under way
        for _ in range(count):
            seen = len(exchange.requests)
            started = datetime.now(UTC).replace(microsecond=0)  # binance stamps in ms
            result = await ingest_prices.run(deps)
            assert result.ok, result.summary
            cached = await deps.cache.get_prices(["BTC"])
            assert cached["BTC"].ts >= started  # this round's price went into the cache
            paths = [path for path, _ in exchange.requests[seen:]]
            tickers = next(i for i, path in enumerate(paths) if "ticker" in path)
            ahead.append(sum("klines" in path for path in paths[:tickers]))
            await asyncio.sleep(ROUND_EVERY)
        assert not paging.done(), "the backfill ended before the rounds did"
    finally:
        paging.cancel()
        await asyncio.gather(paging, return_exceptions=True)
    return ahead


async def test_tickers_stay_on_time_while_a_backfill_pages_candles(
    db_url: str, engine, binance: SlowCandles
) -> None:
    settings = Settings(database_url=db_url, symbols=ASSETS, ticker_interval=5)
    base = await build_deps(settings)
    exchange = install(binance.ccxt(rateLimit=RATE_LIMIT))
    source = GuardedSource(CcxtSource(exchange))
    deps = WorkerDeps.of(base, sources=[source])
    try:
        await source.start()
        ahead = await rounds_during_backfill(deps, source, binance, 3)
        pages = sum(1 for path, _ in binance.requests if "klines" in path)
    finally:
        await source.close()
        await close_deps(base)
    assert pages >= 3  # candles were paged all along
    # No round waited behind the backfill: at most the page already on its way went first.
    # (The backfill queues one page at a time, so one queue would pass this too; the lane's own
    # effect, going ahead of pages queued before it, is the next test's. How long a round takes
    # is a benchmark's business, not a test's.)
    assert max(ahead) <= 1, ahead


@pytest.mark.parametrize("lane", [True, False], ids=["ticker lane", "one queue"])
async def test_a_ticker_request_goes_ahead_of_queued_candle_pages(lane: bool) -> None:
    exchange = ccxt_async.binance({"rateLimit": 50})  # a page of 1,000 candles: 250 ms
    if lane:
        install(exchange)
    granted: list[str] = []

    async def ask(what: str, cost: float) -> None:
        await exchange.throttle(cost)
        granted.append(what)

    try:
        pages = [asyncio.create_task(ask(f"page {i}", 5)) for i in range(4)]
        await asyncio.sleep(0.01)  # the first page went, three wait their turn
        started = time.monotonic()
        with ticker_lane():
            await ask("tickers", 1)
        waited = time.monotonic() - started
        await asyncio.gather(*pages)
    finally:
        await exchange.close()
    if lane:
        assert granted[:2] == ["page 0", "tickers"]  # ahead of the three pages queued first
    else:  # one queue: behind every page asked before it
        assert granted[-1] == "tickers" and waited > 0.7
