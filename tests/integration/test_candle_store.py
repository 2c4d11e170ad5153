"""Candles are stored exactly, saved idempotently and read back the same on SQLite and Postgres."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.market import Candle
from db.candles import (
    BULK_MIN_ROWS,
    candle_market,
    delete_candles_before,
    last_candle_time,
    load_candles,
    market_ids_for,
    save_candles,
)
from db.engine import create_sessionmaker
from db.models import Asset
from db.models import Candle as CandleRow

START = datetime(2024, 1, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
AWKWARD = [
    Decimal("0.1"),
    Decimal("1E-8"),
    Decimal("123456789.123456789"),
    Decimal("0.000000000000000001"),
    Decimal("99999999999999999999.99999999"),
    Decimal("64000.00"),
    Decimal("0"),
    Decimal("42000.10"),
]


def hourly(count: int, start: datetime = START, base: str = "42000.00") -> list[Candle]:
    """Candles that look like a market: prices in cents, volumes to 8 places."""
    candles = []
    price = Decimal(base)
    for i in range(count):
        close = price + Decimal((i * 7919) % 2001 - 1000) / 100
        candles.append(
            Candle(
                ts=start + i * HOUR,
                open=price,
                high=max(price, close) + Decimal("12.34"),
                low=min(price, close) - Decimal("5.67"),
                close=close,
                volume=Decimal(i * 104729 % 99991) / 10**8 + 1,
            )
        )
        price = close
    return candles


async def new_market(session: AsyncSession, exchange: str = "binance", asset: str = "BTC") -> int:
    return await candle_market(session, exchange, f"{asset}/USDT", asset, "USDT", START)


async def stored_rows(session: AsyncSession) -> list[tuple]:
    session.expunge_all()
    return [
        tuple(row)
        for row in await session.execute(
            select(CandleRow.__table__).order_by(
                CandleRow.market_id, CandleRow.timeframe, CandleRow.ts
            )
        )
    ]


def went_in_bulk(seen: list[str]) -> bool:
    """Whether a save took the COPY path: it is the one that commits without waiting for the
    disk (COPY itself bypasses SQLAlchemy, so it is not among the statements)."""
    return any("synchronous_commit = off" in sql for sql in seen)


@contextmanager
def statements(session: AsyncSession) -> Iterator[list[str]]:
    """The SQL the session's connection runs (COPY itself bypasses SQLAlchemy)."""
    seen: list[str] = []
    target = session.bind.sync_engine

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(target, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(target, "before_cursor_execute", record)


@pytest.mark.parametrize("count", [len(AWKWARD), 1200])  # by INSERT; by COPY on Postgres
async def test_decimals_come_back_exactly_as_saved(session, count: int) -> None:
    market = await new_market(session)
    values = [AWKWARD[i % len(AWKWARD)] for i in range(count)]
    candles = [Candle(START + i * HOUR, v, v, v, v, v) for i, v in enumerate(values)]
    assert await save_candles(session, market, "1h", candles) == count
    session.expunge_all()
    loaded = await load_candles(session, market, "1h")
    assert loaded == candles
    assert all(type(c.close) is Decimal and type(c.volume) is Decimal for c in loaded)
    # the same digits, not merely equal values: 42000.10 keeps its trailing zero
    assert [str(c.close) for c in loaded] == [str(v) for v in values]
    assert all(c.ts.tzinfo is UTC for c in loaded)


@pytest.mark.parametrize("count", [10, 5000])
async def test_saving_the_same_candles_again_writes_nothing(session, count: int) -> None:
    market = await new_market(session)
    candles = hourly(count)
    assert await save_candles(session, market, "1h", candles) == count
    before = await stored_rows(session)
    assert await save_candles(session, market, "1h", candles) == 0
    assert await stored_rows(session) == before


@pytest.mark.parametrize("count", [10, 5000])
async def test_a_candle_that_changed_is_updated_and_only_it(session, count: int) -> None:
    market = await new_market(session)
    candles = hourly(count)
    await save_candles(session, market, "1h", candles)
    forming = candles[-1]
    closed = dataclasses.replace(forming, close=forming.close + 1, volume=forming.volume * 2)
    assert await save_candles(session, market, "1h", [*candles[:-1], closed]) == 1
    loaded = await load_candles(session, market, "1h")
    assert loaded[-1] == closed
    assert loaded[:-1] == candles[:-1]


async def test_new_and_changed_candles_in_one_batch_are_all_counted(session) -> None:
    market = await new_market(session)
    candles = hourly(3000)
    await save_candles(session, market, "1h", candles[:2000])
    changed = dataclasses.replace(candles[10], high=candles[10].high + Decimal("0.01"))
    batch = [changed, *candles[1000:3000]]  # 1 changed, 1000 unchanged, 1000 new
    assert await save_candles(session, market, "1h", batch) == 1001
    assert (await load_candles(session, market, "1h"))[10] == changed


async def test_a_repeated_open_time_in_one_batch_keeps_the_last(session) -> None:
    market = await new_market(session)
    first, second = hourly(2)
    later = dataclasses.replace(first, close=Decimal("1.5"))
    assert await save_candles(session, market, "1h", [first, second, later]) == 2
    assert await load_candles(session, market, "1h") == [later, second]


async def test_big_batches_go_through_copy_on_postgres_and_match_the_batched_path(
    session, backend: str
) -> None:
    copied, batched = await new_market(session, "binance"), await new_market(session, "kraken")
    candles = hourly(5000)
    with statements(session) as seen:
        assert await save_candles(session, copied, "1h", candles) == 5000
    assert went_in_bulk(seen) == (backend == "postgres")
    with statements(session) as seen:
        for start in range(0, len(candles), BULK_MIN_ROWS):
            await save_candles(session, batched, "1h", candles[start : start + BULK_MIN_ROWS])
    assert not went_in_bulk(seen)
    assert await load_candles(session, copied, "1h") == candles
    assert await load_candles(session, batched, "1h") == candles


async def test_a_copy_falls_back_to_the_upsert_when_its_range_is_taken(session) -> None:
    market = await new_market(session)
    candles = hourly(3000)
    await save_candles(session, market, "1h", candles[1500:1501])  # one candle in the middle
    assert await save_candles(session, market, "1h", candles) == 2999
    assert await load_candles(session, market, "1h") == candles


@pytest.mark.parametrize("count", [10, 1200])
async def test_candles_under_a_market_that_does_not_exist_are_refused(session, count) -> None:
    market = await new_market(session)
    with pytest.raises(LookupError, match=f"no market with id {market + 1}"):
        await save_candles(session, market + 1, "1h", hourly(count))
    assert await stored_rows(session) == []


@pytest.mark.parametrize("count", [10, 1200])
async def test_times_in_any_zone_come_back_as_the_same_instants_in_utc(session, count) -> None:
    market = await new_market(session)
    tokyo = timezone(timedelta(hours=9))
    candles = hourly(count, start=datetime(1969, 12, 31, 20, tzinfo=tokyo))  # across 1970
    candles[1] = dataclasses.replace(candles[1], ts=candles[1].ts + timedelta(microseconds=250))
    assert await save_candles(session, market, "1h", candles) == count
    loaded = await load_candles(session, market, "1h")
    assert loaded == candles  # aware datetimes compare as instants
    assert all(c.ts.tzinfo is UTC for c in loaded)
    assert loaded[0].ts == datetime(1969, 12, 31, 11, tzinfo=UTC)
    assert loaded[1].ts == datetime(1969, 12, 31, 12, 0, 0, 250, tzinfo=UTC)


async def test_floats_nan_and_naive_times_are_refused(session) -> None:
    market = await new_market(session)
    good = hourly(1)[0]
    with pytest.raises(TypeError):
        await save_candles(session, market, "1h", [dataclasses.replace(good, close=0.1)])
    with pytest.raises(ValueError, match="not finite"):
        await save_candles(session, market, "1h", [dataclasses.replace(good, low=Decimal("NaN"))])
    with pytest.raises(ValueError, match="naive"):
        naive = dataclasses.replace(good, ts=good.ts.replace(tzinfo=None))
        await save_candles(session, market, "1h", [naive])
    with pytest.raises(ValueError, match="timeframe"):
        await save_candles(session, market, "2h", [good])
    assert await stored_rows(session) == []


async def test_load_by_since_until_and_limit(session) -> None:
    market = await new_market(session)
    candles = hourly(48)
    await save_candles(session, market, "1h", candles)
    await save_candles(session, market, "1d", [candles[0]])  # another timeframe stays apart
    at = [START + i * HOUR for i in range(48)]
    assert await load_candles(session, market, "1h") == candles
    assert await load_candles(session, market, "1h", since=at[40]) == candles[40:]
    assert await load_candles(session, market, "1h", until=at[5]) == candles[:5]
    assert await load_candles(session, market, "1h", since=at[10], until=at[20]) == candles[10:20]
    assert await load_candles(session, market, "1h", limit=3) == candles[-3:]
    assert await load_candles(session, market, "1h", since=at[10], limit=3) == candles[10:13]
    assert await load_candles(session, market, "1h", until=at[10], limit=3) == candles[7:10]
    assert await load_candles(session, market, "1h", since=at[47] + HOUR) == []
    assert await load_candles(session, market + 1, "1h") == []


async def test_last_candle_time(session) -> None:
    market = await new_market(session)
    assert await last_candle_time(session, market, "1h") is None
    await save_candles(session, market, "1h", hourly(30))
    assert await last_candle_time(session, market, "1h") == START + 29 * HOUR
    assert await last_candle_time(session, market, "1d") is None


async def test_delete_candles_before_keeps_other_timeframes_and_later_ones(session) -> None:
    btc, eth = await new_market(session), await new_market(session, asset="ETH")
    for market in (btc, eth):
        await save_candles(session, market, "1m", hourly(10))
        await save_candles(session, market, "1h", hourly(10))
    cutoff = START + 4 * HOUR
    assert await delete_candles_before(session, "1m", cutoff) == 8
    assert await delete_candles_before(session, "1m", cutoff) == 0
    assert [c.ts for c in await load_candles(session, btc, "1m")] == [
        START + i * HOUR for i in range(4, 10)
    ]
    assert len(await load_candles(session, eth, "1h")) == 10


async def test_market_ids_for_lists_the_markets_with_candles_best_covered_first(session) -> None:
    binance, kraken = await new_market(session, "binance"), await new_market(session, "kraken")
    await new_market(session, "coinbase")  # a market without candles is left out
    eth = await new_market(session, asset="ETH")
    await save_candles(session, binance, "1h", hourly(5))
    await save_candles(session, kraken, "1h", hourly(8))
    await save_candles(session, binance, "1d", hourly(20))
    await save_candles(session, eth, "1h", hourly(50))
    assert await market_ids_for(session, "BTC", "1h") == [
        (kraken, "kraken", 8),
        (binance, "binance", 5),
    ]
    assert await market_ids_for(session, "BTC", "1d") == [(binance, "binance", 20)]
    assert await market_ids_for(session, "BTC", "4h") == []
    assert await market_ids_for(session, "DOGE", "1h") == []


async def test_candle_market_creates_an_unknown_asset_once(session) -> None:
    first = await candle_market(session, "binance", "PEPE/USDT", "PEPE", "USDT", START)
    again = await candle_market(session, "binance", "PEPE/USDT", "PEPE", "USDT", START)
    assert first == again
    assert await session.scalar(select(func.count()).where(Asset.symbol == "PEPE")) == 1


async def test_a_bulk_save_commits_and_rolls_back_with_its_session(engine) -> None:
    sessions = create_sessionmaker(engine)
    async with sessions.begin() as session:
        market = await new_market(session)
    candles = hourly(3000)
    with pytest.raises(RuntimeError):
        async with sessions.begin() as session:
            assert await save_candles(session, market, "1h", candles) == 3000
            raise RuntimeError("the caller's transaction fails after the save")
    async with sessions() as session:
        assert await load_candles(session, market, "1h") == []
    async with sessions.begin() as session:  # twice in one transaction: staging is per call
        assert await save_candles(session, market, "1h", candles[:2000]) == 2000
        assert await save_candles(session, market, "1h", candles) == 1000
    async with sessions() as session:
        assert await load_candles(session, market, "1h") == candles
