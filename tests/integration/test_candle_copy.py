"""Bulk candle saves on Postgres: COPY straight into an empty range, staging and upsert where
candles are stored, other writers in between, and the market held while saving."""

from __future__ import annotations

import asyncio
import dataclasses
from decimal import Decimal

import pytest
from sqlalchemy import delete, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from core.market import Candle
from db.candles import load_candles, save_candles
from db.engine import create_sessionmaker
from db.models import Market
from tests.integration.test_candle_store import hourly, new_market, statements

pytestmark = pytest.mark.parametrize("backend", ["postgres"])


def staged(seen: list[str]) -> bool:
    return any("candle_staging" in sql for sql in seen)


async def test_an_empty_range_is_copied_straight_in_and_a_stored_one_is_staged(session) -> None:
    market = await new_market(session)
    candles = hourly(6000)
    with statements(session) as seen:
        assert await save_candles(session, market, "1h", candles[:2000]) == 2000
    assert not staged(seen)
    with statements(session) as seen:  # 2000 new after the stored ones: still an empty range
        assert await save_candles(session, market, "1h", candles[2000:4000]) == 2000
    assert not staged(seen)
    changed = dataclasses.replace(candles[3999], close=Decimal("0.01"))
    with statements(session) as seen:  # one candle of the range is stored: upsert
        assert await save_candles(session, market, "1h", [changed, *candles[4000:]]) == 2001
    assert staged(seen)
    assert await load_candles(session, market, "1h") == [*candles[:3999], changed, *candles[4000:]]


async def test_the_staging_table_serves_many_saves_in_a_transaction_and_after(engine) -> None:
    sessions = create_sessionmaker(engine)
    candles = hourly(3000)
    closed = [dataclasses.replace(c, volume=c.volume + 1) for c in candles]
    async with sessions.begin() as session:
        market = await new_market(session)
        await save_candles(session, market, "1h", candles[:1])
        assert await save_candles(session, market, "1h", candles[:2000]) == 1999
        assert await save_candles(session, market, "1h", candles) == 1000
        assert await save_candles(session, market, "1h", closed[:1500]) == 1500
    # the same pooled connection again: its staging table stays, emptied by each commit
    for changed_of_closed in (1500, 3000):
        async with sessions.begin() as session:
            assert await save_candles(session, market, "1h", closed) == changed_of_closed
            assert await save_candles(session, market, "1h", candles) == 3000
            assert await save_candles(session, market, "1h", candles) == 0
    async with sessions() as session:
        assert await load_candles(session, market, "1h") == candles


async def _until_a_session_waits_for_a_lock(engine: AsyncEngine, saving: asyncio.Task) -> None:
    async with engine.connect() as connection:
        while not saving.done():
            waiting = await connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
            if waiting:
                return
            await connection.rollback()  # pg_stat_activity stays as first read until then
            await asyncio.sleep(0.01)
    await saving  # it finished without waiting: show why
    raise AssertionError("the COPY never waited for the other writer's candles")


async def _save_and_commit(session: AsyncSession, market: int, candles: list[Candle]) -> int:
    async with session.begin():
        return await save_candles(session, market, "1h", candles)


async def test_a_copy_whose_range_another_writer_fills_meanwhile_takes_the_upsert(engine) -> None:
    sessions = create_sessionmaker(engine)
    async with sessions.begin() as session:
        market = await new_market(session)
    candles = hourly(3000)
    changed = dataclasses.replace(candles[2005], close=Decimal("1.23"))
    batch = [*candles[:2005], changed, *candles[2006:]]
    async with sessions() as other, sessions() as saver:
        with statements(saver) as seen:
            async with other.begin():
                await save_candles(other, market, "1h", candles[2000:2010])
                # Not committed: the saver's check cannot see them; its COPY waits on their keys…
                saving = asyncio.create_task(_save_and_commit(saver, market, batch))
                await _until_a_session_waits_for_a_lock(engine, saving)
            # …and is refused once they are committed, undone, and the batch upserted instead.
            assert await saving == 2991
    assert any(sql.startswith("ROLLBACK TO SAVEPOINT") for sql in seen)
    assert staged(seen)
    async with sessions() as session:
        assert await load_candles(session, market, "1h") == batch


@pytest.mark.parametrize("count", [10, 1200])
async def test_a_market_cannot_be_deleted_while_candles_are_saved_under_it(
    engine, count: int
) -> None:
    sessions = create_sessionmaker(engine)
    async with sessions.begin() as session:
        market = await new_market(session)
    async with sessions.begin() as saver, engine.connect() as other:
        await save_candles(saver, market, "1h", hourly(count))
        await other.execute(text("SET lock_timeout = '100ms'"))
        with pytest.raises(DBAPIError, match="lock timeout"):
            await other.execute(delete(Market).where(Market.id == market))


async def test_only_a_bulk_save_commits_without_waiting_for_the_disk(engine) -> None:
    sessions = create_sessionmaker(engine)
    async with sessions.begin() as session:
        market = await new_market(session)
        await save_candles(session, market, "1h", hourly(10))
        assert await session.scalar(text("SHOW synchronous_commit")) == "on"
        await save_candles(session, market, "1d", hourly(1200))
        assert await session.scalar(text("SHOW synchronous_commit")) == "off"
    async with sessions() as session:  # for that transaction only
        assert await session.scalar(text("SHOW synchronous_commit")) == "on"
