"""Exact decimals and aware UTC datetimes survive a round trip on SQLite and on Postgres."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import Asset, Candle, Market

AWKWARD = [
    Decimal("0.1"),
    Decimal("1e-8"),
    Decimal("123456789.123456789"),
    Decimal("0.000000000000000001"),
    Decimal("99999999999999999999.99999999"),
    Decimal("-42.5"),
    Decimal("0"),
    Decimal("64000.00"),
]


async def _market(session) -> int:
    now = datetime.now(UTC)
    asset = Asset(symbol="BTC", name="Bitcoin", tracked=True, created_at=now)
    session.add(asset)
    await session.flush()
    market = Market(
        exchange="binance",
        symbol="BTC/USDT",
        asset_id=asset.id,
        quote="USDT",
        active=True,
        created_at=now,
    )
    session.add(market)
    await session.flush()
    return market.id


async def test_decimals_round_trip_exactly(session) -> None:
    market_id = await _market(session)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for i, value in enumerate(AWKWARD):
        session.add(
            Candle(
                market_id=market_id,
                timeframe="1h",
                ts=start + timedelta(hours=i),
                open=value,
                high=value,
                low=value,
                close=value,
                volume=value,
            )
        )
    await session.flush()
    session.expunge_all()
    rows = (await session.scalars(select(Candle).order_by(Candle.ts))).all()
    got = [row.close for row in rows]
    assert got == AWKWARD
    assert all(type(v) is Decimal for v in got)
    # not merely equal in value: no float ever rounded a digit away
    assert [str(v.normalize()) for v in got] == [str(v.normalize()) for v in AWKWARD]


async def test_floats_are_refused_for_money(session) -> None:
    market_id = await _market(session)
    session.add(
        Candle(
            market_id=market_id,
            timeframe="1h",
            ts=datetime.now(UTC),
            open=0.1,
            high=Decimal(1),
            low=Decimal(1),
            close=Decimal(1),
            volume=Decimal(1),
        )
    )
    with pytest.raises(Exception, match="not float"):
        await session.flush()


async def test_datetimes_come_back_aware_utc(session) -> None:
    tokyo = timezone(timedelta(hours=9))
    made = datetime(2024, 3, 10, 9, 30, 15, 123456, tzinfo=tokyo)
    session.add(Asset(symbol="ETH", name="Ethereum", tracked=True, created_at=made))
    await session.flush()
    session.expunge_all()
    asset = await session.scalar(select(Asset).where(Asset.symbol == "ETH"))
    assert asset.created_at == made
    assert asset.created_at.tzinfo is not None
    assert asset.created_at.utcoffset() == timedelta(0)
    assert asset.created_at.hour == 0


async def test_naive_datetimes_are_refused(session) -> None:
    session.add(Asset(symbol="SOL", name="Solana", tracked=True, created_at=datetime(2024, 1, 1)))  # noqa: DTZ001
    with pytest.raises(Exception, match="aware"):
        await session.flush()
