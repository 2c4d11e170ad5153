"""Kraken's polled 24 h change is made rolling: its REST ticker's change runs from 00:00 UTC
(its "o" is today's opening price), so the stored change is taken against the stored candle of
24 h before; other exchanges' own rolling changes are kept. On SQLite and Postgres."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.clock import FixedClock
from core.day_change import day_ago_opens
from core.market import Candle
from core.settings import Settings
from db.models import LatestPrice, Market
from services.deps import build_deps, close_deps
from services.ingest import register_market, store_candles
from tests.fakes.exchanges import FakeExchange
from workers.jobs import ingest_prices
from workers.jobs.base import WorkerDeps
from workers.sources.ccxt_source import CcxtSource

D = Decimal
# Now as each test starts, not as the module is imported: ccxt stamps Kraken's tickers (which
# carry no time) with the real clock, and a ticker stamped well after the workers' clock reads
# is refused as from the future — which a clock frozen minutes earlier in a long run made it.
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(autouse=True)
def _now() -> None:
    global NOW
    NOW = datetime.now(UTC).replace(microsecond=0)


def flat(price: str):
    return lambda asset, when: D(price)


@pytest.fixture
async def worker(db_url: str, engine) -> AsyncIterator[tuple[WorkerDeps, dict[str, FakeExchange]]]:
    settings = Settings(database_url=db_url, symbols=["BTC", "ETH"])
    base = await build_deps(settings, FixedClock(NOW))
    deps = WorkerDeps.of(base)
    fakes = {}
    for name in ("kraken", "binance"):
        fake = await FakeExchange(name, ["BTC", "ETH"], flat("70700"), clock=lambda: NOW).start()
        fakes[name] = fake
        deps.sources.append(CcxtSource(fake.ccxt()))
    for source in deps.sources:
        await source.start()
    yield deps, fakes
    for source in deps.sources:
        await source.close()
    for fake in fakes.values():
        await fake.close()
    await close_deps(base)


async def stored_changes(deps: WorkerDeps) -> dict[tuple[str, str], Decimal | None]:
    async with deps.read() as session:
        rows = await session.execute(
            select(Market.exchange, Market.symbol, LatestPrice.change_24h_pct).join(
                LatestPrice, LatestPrice.market_id == Market.id
            )
        )
        return {(e, s): c for e, s, c in rows}


async def test_kraken_change_is_against_the_candle_a_day_before(worker) -> None:
    deps, fakes = worker
    # a day ago BTC opened its hour at 70,000: up 1 % since; ETH has no candle then
    then = day_ago_opens(NOW)["1h"]
    market_id = await register_market(deps, "kraken", "BTC/USD", "BTC", "USD")
    candle = Candle(then, D("70000"), D("70100"), D("69900"), D("70050"), D("12"))
    await store_candles(deps, market_id, "1h", [candle])
    older = Candle(then - timedelta(hours=1), D("1"), D("1"), D("1"), D("1"), D("1"))
    await store_candles(deps, market_id, "1h", [older])  # not the candle of 24 h ago

    result = await ingest_prices.run(deps)

    assert result.ok, result.summary
    changes = await stored_changes(deps)
    assert changes[("kraken", "BTC/USD")] == D("1")  # 70,700 against 70,000
    assert changes[("kraken", "ETH/USD")] is None  # not the since-midnight figure
    binance_own = await CcxtSource(fakes["binance"].ccxt()).exchange.fetch_ticker("BTC/USDT")
    assert changes[("binance", "BTC/USDT")] == D(str(binance_own["percentage"]))


async def test_a_finer_candle_a_day_ago_is_preferred(worker) -> None:
    deps, _ = worker
    opens = day_ago_opens(NOW)
    market_id = await register_market(deps, "kraken", "BTC/USD", "BTC", "USD")
    hour = Candle(opens["1h"], D("70000"), D("70100"), D("69900"), D("70050"), D("12"))
    minute = Candle(opens["1m"], D("69300"), D("69310"), D("69290"), D("69300"), D("1"))
    await store_candles(deps, market_id, "1h", [hour])
    await store_candles(deps, market_id, "1m", [minute])

    await ingest_prices.run(deps)

    changes = await stored_changes(deps)
    assert changes[("kraken", "BTC/USD")] == (D("70700") - D("69300")) / D("69300") * 100
