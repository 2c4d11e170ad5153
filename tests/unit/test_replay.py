"""The sandbox replay walks each real candle's path and keeps candles and ticks consistent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core.clock import ReplayClock
from core.market import Candle
from workers.sources.replay import ReplaySource, load_series, partial_candle, price_on_path

RISING = Candle(
    datetime(2024, 1, 1, tzinfo=UTC),
    Decimal("100.00"),
    Decimal("110.00"),
    Decimal("95.00"),
    Decimal("105.00"),
    Decimal("10"),
)
FALLING = Candle(
    datetime(2024, 1, 1, tzinfo=UTC),
    Decimal("100.00"),
    Decimal("104.00"),
    Decimal("90.00"),
    Decimal("92.00"),
    Decimal("10"),
)


def test_a_rising_candle_dips_to_its_low_before_its_high() -> None:
    assert [price_on_path(RISING, f, 2) for f in (0, 1 / 3, 2 / 3, 1)] == [
        Decimal("100.00"),
        Decimal("95.00"),
        Decimal("110.00"),
        Decimal("105.00"),
    ]
    assert price_on_path(RISING, 1 / 6, 2) == Decimal("97.50")


def test_a_falling_candle_peaks_before_its_low() -> None:
    assert [price_on_path(FALLING, f, 2) for f in (0, 1 / 3, 2 / 3, 1)] == [
        Decimal("100.00"),
        Decimal("104.00"),
        Decimal("90.00"),
        Decimal("92.00"),
    ]


def test_prices_keep_the_exchange_tick_size() -> None:
    assert price_on_path(RISING, 0.123, 2).as_tuple().exponent == -2


def test_a_forming_candle_holds_only_the_path_walked_so_far() -> None:
    half = partial_candle(RISING, 0.5, 2)
    assert (half.open, half.low, half.high) == (Decimal("100.00"), Decimal("95.00"), half.close)
    assert half.volume == Decimal("5.00000000")


@pytest.fixture(scope="module")
def series():
    return load_series()


def clock_at(series, elapsed: timedelta, speed: float = 60.0) -> ReplayClock:
    now = [0.0]
    clock = ReplayClock(
        data_start=datetime(2023, 11, 1, 12, tzinfo=UTC),
        speed=speed,
        started=datetime(2026, 11, 1, 12, tzinfo=UTC),
        wall=lambda: now[0],
    )
    now[0] = elapsed.total_seconds() / speed
    return clock


async def test_ticks_come_from_the_data_at_the_replay_moment(series) -> None:
    source = ReplaySource(clock_at(series, timedelta(0)), series)
    (ticker,) = await source.fetch_tickers(["BTC"])
    btc = series["BTC"]
    candle = btc.candles[btc.index_at(datetime(2023, 11, 1, 12, tzinfo=UTC))]
    assert candle.ts == datetime(2023, 11, 1, 12, tzinfo=UTC)
    assert ticker.last == candle.open
    assert ticker.ts == datetime(2026, 11, 1, 12, tzinfo=UTC)
    assert ticker.change_24h_pct is not None


async def test_prices_move_as_the_replay_advances(series) -> None:
    prices = set()
    for minutes in range(0, 180, 10):
        source = ReplaySource(clock_at(series, timedelta(minutes=minutes)), series)
        prices.add((await source.fetch_tickers(["ETH"]))[0].last)
    assert len(prices) > 10


async def test_the_last_candle_ends_at_the_live_price(series) -> None:
    source = ReplaySource(clock_at(series, timedelta(minutes=30)), series)
    (ticker,) = await source.fetch_tickers(["SOL"])
    candles = await source.fetch_candles("SOL", "1h", limit=5)
    assert len(candles) == 5
    assert candles[-1].close == ticker.last
    assert candles[-1].ts == datetime(2026, 11, 1, 12, tzinfo=UTC)
    assert [c.ts for c in candles] == sorted(c.ts for c in candles)
    daily = await source.fetch_candles("SOL", "1d", limit=3)
    assert daily[-1].ts == datetime(2026, 11, 1, tzinfo=UTC) and daily[-1].close == ticker.last


async def test_unknown_assets_and_minute_candles_are_absent(series) -> None:
    source = ReplaySource(clock_at(series, timedelta(0)), series)
    assert source.market_for("NOPE") is None
    assert await source.fetch_tickers(["NOPE"]) == []
    assert await source.fetch_candles("BTC", "1m") == []
