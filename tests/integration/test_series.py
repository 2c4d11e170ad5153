"""The series a command reads, on SQLite and Postgres: the market believed (fresh first, then
spot, coverage, the exchange order) and a timeframe read as stored, built from finer candles
where it is missing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from core.clock import FixedClock
from core.market import Candle
from core.settings import Settings
from db.candle_holdings import Holding, candle_holdings
from db.candles import candle_market, save_candles
from db.models import Market
from services.deps import Deps, build_deps, close_deps
from services.series import series_of

NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


@pytest.fixture
async def deps(db_url: str, engine) -> AsyncIterator[Deps]:  # engine: empties Postgres
    settings = Settings(database_url=db_url, symbols=["BTC", "LINK"], exchanges=["binance", "okx"])
    made = await build_deps(settings, FixedClock(NOW))
    yield made
    await close_deps(made)


def candles(start: datetime, step: timedelta, count: int, price: int = 100) -> list[Candle]:
    """`count` candles from `start`: open = close = price + i, volume 1."""
    return [
        Candle(start + i * step, *(Decimal(price + i) for _ in range(4)), Decimal(1))
        for i in range(count)
    ]


async def store(
    deps: Deps, exchange: str, pair: str, timeframe: str, rows: list[Candle], kind: str = "spot"
) -> int:
    asset, quote = pair.split("/")
    async with deps.sessions.begin() as session:
        market = await candle_market(session, exchange, pair, asset, quote, NOW)
        await session.execute(update(Market).where(Market.id == market).values(kind=kind))
        await save_candles(session, market, timeframe, rows)
    return market


async def test_a_live_market_is_believed_over_a_longer_history_that_ended_long_ago(
    deps: Deps,
) -> None:
    today = datetime(2026, 3, 10, tzinfo=UTC)
    await store(deps, "binance", "LINK/USDT", "1d", candles(today - 99 * DAY, DAY, 100, 10))
    ended = datetime(2024, 12, 7, tzinfo=UTC)
    await store(deps, "yahoo", "LINK/USD", "1d", candles(ended - 799 * DAY, DAY, 800, 20))
    series = await series_of(deps, "LINK", "1d", limit=500)
    assert series is not None
    assert (series.origin.exchange, series.origin.pair, series.origin.kind) == (
        "binance",
        "LINK/USDT",
        "spot",
    )
    assert series.origin.fresh and series.end == NOW
    assert (len(series.candles), series.candles[-1].ts, series.quote) == (100, today, "USDT")


async def test_a_stale_history_is_read_to_its_end_and_said_to_be_stale(deps: Deps) -> None:
    ended = datetime(2024, 12, 7, tzinfo=UTC)
    await store(deps, "yahoo", "LINK/USD", "1d", candles(ended - 799 * DAY, DAY, 800, 20))
    latest = await series_of(deps, "LINK", "1d", limit=500)
    assert latest is not None and not latest.origin.fresh
    assert latest.origin.age == NOW - ended and latest.end == ended
    assert len(latest.candles) == 500 and latest.candles[-1].ts == ended
    month = await series_of(deps, "LINK", "1d", span=30 * DAY)
    assert month is not None
    assert [c.ts for c in month.candles] == [ended - i * DAY for i in range(30, -1, -1)]


async def test_imported_four_hour_candles_are_read_and_continued_from_hourly_ones(
    deps: Deps,
) -> None:
    """4h imported up to 8 March 20:00, the live feed's 1h from 8 March 12:00 on (overlapping):
    one series, stored then built, no candle twice."""
    imported_end = datetime(2026, 3, 8, 20, tzinfo=UTC)
    market = await store(
        deps, "binance", "BTC/USDT", "4h", candles(imported_end - 599 * 4 * HOUR, 4 * HOUR, 600)
    )
    hours_from = datetime(2026, 3, 8, 12, tzinfo=UTC)
    hours = candles(hours_from, HOUR, int((NOW - hours_from) / HOUR) + 1, 5000)
    async with deps.sessions.begin() as session:
        await save_candles(session, market, "1h", hours)
    series = await series_of(deps, "BTC", "4h", limit=500)
    assert series is not None and series.origin.fresh
    times = [c.ts for c in series.candles]
    assert len(times) == 500 == len(set(times)) and times == sorted(times)
    stored_part = [c for c in series.candles if c.ts <= imported_end]
    assert stored_part[-1].close == Decimal(100 + 599)  # as imported, not rebuilt from hours
    built = [c for c in series.candles if c.ts > imported_end]
    assert [c.ts for c in built] == [imported_end + i * 4 * HOUR for i in range(1, 11)]
    assert built[0].volume == 4 and built[0].open == Decimal(5000 + 12)  # 00:00–04:00 of 9 March
    assert built[-1].ts == datetime(2026, 3, 10, 12, tzinfo=UTC)  # forming: 12:00, 13:00, 14:00
    assert built[-1].volume == 3


async def test_only_hourly_candles_make_four_hour_ones_whole_buckets_only(deps: Deps) -> None:
    start = datetime(2026, 3, 1, 2, tzinfo=UTC)  # starts inside a 4h bucket
    await store(deps, "okx", "BTC/USDT", "1h", candles(start, HOUR, int((NOW - start) / HOUR) + 1))
    series = await series_of(deps, "BTC", "4h", span=30 * DAY)
    assert series is not None and series.origin.exchange == "okx"
    assert series.candles[0].ts == datetime(2026, 3, 1, 4, tzinfo=UTC)
    assert all(c.volume == 4 for c in series.candles[:-1])


async def test_spot_is_believed_over_a_better_covered_perpetual(deps: Deps) -> None:
    start = NOW - 300 * HOUR
    await store(deps, "okx", "BTC/USDT:USDT", "1h", candles(start, HOUR, 301), kind="perp")
    await store(deps, "binance", "BTC/USDT", "1h", candles(NOW - 50 * HOUR, HOUR, 51))
    series = await series_of(deps, "BTC", "1h", limit=500)
    assert series is not None
    assert (series.origin.exchange, series.origin.kind, len(series.candles)) == (
        "binance",
        "spot",
        51,
    )


async def test_equal_coverage_goes_to_the_configured_exchange_order(deps: Deps) -> None:
    rows = candles(NOW - 50 * HOUR, HOUR, 51)
    await store(deps, "okx", "BTC/USDT", "1h", rows)
    await store(deps, "binance", "BTC/USDT", "1h", rows)
    series = await series_of(deps, "BTC", "1h", span=2 * DAY)
    assert series is not None and series.origin.exchange == "binance"


async def test_no_candles_no_series(deps: Deps) -> None:
    assert await series_of(deps, "BTC", "1h", limit=500) is None


async def test_holdings_say_the_newest_candle_and_the_count_since_without_reading_them(
    deps: Deps,
) -> None:
    binance = await store(deps, "binance", "BTC/USDT", "1h", candles(NOW - 9 * HOUR, HOUR, 10))
    yahoo = await store(deps, "yahoo", "BTC/USD", "1d", candles(NOW - 40 * DAY, DAY, 5))
    async with deps.sessions() as session:
        held = await candle_holdings(session, "BTC", ["1h", "1d"], NOW - 3 * HOUR)
        assert await candle_holdings(session, "DOGE", ["1h"], None) == []
    assert held == [
        Holding(binance, "binance", "BTC/USDT", "USDT", "spot", "1h", NOW, 4, NOW - 3 * HOUR),
        Holding(yahoo, "yahoo", "BTC/USD", "USD", "spot", "1d", NOW - 36 * DAY, 0, None),
    ]


async def test_indicator_alerts_are_checked_on_the_market_the_rule_believes(deps: Deps) -> None:
    from services.matching import best_market

    today = datetime(2026, 3, 10, tzinfo=UTC)
    live = await store(deps, "binance", "LINK/USDT", "1d", candles(today - 99 * DAY, DAY, 100))
    ended = datetime(2024, 12, 7, tzinfo=UTC)
    await store(deps, "yahoo", "LINK/USD", "1d", candles(ended - 799 * DAY, DAY, 800, 20))
    assert await best_market(deps, "LINK", "1d") == live
    assert await best_market(deps, "BTC", "1d") is None
