"""Candles in the database: the one place they are written and read.

A save is an upsert keyed by (market, timeframe, open time). Saving the same candles again
writes nothing; a candle whose values changed (a forming candle that closed) is updated.
Postgres takes big batches through COPY into a staging table and one INSERT … SELECT; small
batches, and everything on SQLite, go as multi-row INSERTs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    cast,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.market import TIMEFRAMES, Candle
from db.models import Asset, Market
from db.models import Candle as CandleRow
from db.repos.assets import ensure_assets, ensure_market

BULK_MIN_ROWS = 1000  # more candles than this go through COPY on Postgres

VALUES = ("open", "high", "low", "close", "volume")
_KEY = ("market_id", "timeframe", "ts")
_CANDLES = CandleRow.__table__
# SQLite allows 32,766 bound variables per statement since 3.32, 999 before; Postgres 32,767.
_SQLITE_VARIABLES = 32_766 if sqlite3.sqlite_version_info >= (3, 32, 0) else 999
_PAGE_ROWS = min(1_000, _SQLITE_VARIABLES // len(_CANDLES.columns))

# Values are staged as their exact decimal text and cast to NUMERIC in the INSERT … SELECT:
# asyncpg's binary NUMERIC encoder costs about 3 µs a value, which alone would cap a COPY of
# candles near 60,000 rows/s; the text round trip is exact and several times faster.
# No indexes, TEMPORARY, dropped at the end of each call (and on commit, should a call fail).
_STAGING = Table(
    "candle_staging",
    MetaData(),
    Column("ts", DateTime(timezone=True)),
    *(Column(name, Text) for name in VALUES),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)


async def save_candles(
    session: AsyncSession, market_id: int, timeframe: str, candles: Sequence[Candle]
) -> int:
    """Upsert `candles` of one market and timeframe; returns the rows inserted or changed.

    Values must be finite Decimals and times aware. Of two candles with the same open time
    in one call, the later one wins.
    """
    if timeframe not in TIMEFRAMES:
        raise ValueError(
            f"unknown timeframe {timeframe!r}; expected one of {', '.join(TIMEFRAMES)}"
        )
    rows = _unique_sorted(candles)
    if not rows:
        return 0
    if session.bind.dialect.name == "postgresql" and len(rows) > BULK_MIN_ROWS:
        return await _save_by_copy(session, market_id, timeframe, rows)
    return await _save_by_insert(session, market_id, timeframe, rows)


async def last_candle_time(
    session: AsyncSession, market_id: int, timeframe: str
) -> datetime | None:
    """The open time of the newest stored candle, or None when there is none."""
    return await session.scalar(
        select(func.max(CandleRow.ts)).where(
            CandleRow.market_id == market_id, CandleRow.timeframe == timeframe
        )
    )


async def load_candles(
    session: AsyncSession,
    market_id: int,
    timeframe: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> list[Candle]:
    """Stored candles oldest first, open times in [since, until).

    With `limit` and no `since`, the latest `limit` of them; with `since`, the first `limit`.
    """
    query = select(CandleRow.ts, *(getattr(CandleRow, name) for name in VALUES)).where(
        CandleRow.market_id == market_id, CandleRow.timeframe == timeframe
    )
    if since is not None:
        query = query.where(CandleRow.ts >= since)
    if until is not None:
        query = query.where(CandleRow.ts < until)
    newest_first = limit is not None and since is None
    query = query.order_by(CandleRow.ts.desc() if newest_first else CandleRow.ts)
    if limit is not None:
        query = query.limit(limit)
    candles = [Candle(*row) for row in await session.execute(query)]
    if newest_first:
        candles.reverse()
    return candles


async def recent_candle_times(
    session: AsyncSession, market_id: int, timeframe: str, limit: int
) -> list[datetime]:
    """Open times of the latest `limit` stored candles, oldest first (for finding holes)."""
    rows = await session.scalars(
        select(CandleRow.ts)
        .where(CandleRow.market_id == market_id, CandleRow.timeframe == timeframe)
        .order_by(CandleRow.ts.desc())
        .limit(limit)
    )
    return sorted(rows)


async def delete_candles_before(session: AsyncSession, timeframe: str, cutoff: datetime) -> int:
    """Delete all markets' candles of `timeframe` opened before `cutoff`; returns how many."""
    result = await session.execute(
        delete(CandleRow).where(CandleRow.timeframe == timeframe, CandleRow.ts < cutoff)
    )
    return result.rowcount


async def market_ids_for(
    session: AsyncSession, asset: str, timeframe: str
) -> list[tuple[int, str, int]]:
    """(market id, exchange, candle count) of each market of `asset` with candles of
    `timeframe`, best covered first."""
    count = func.count()
    rows = await session.execute(
        select(Market.id, Market.exchange, count)
        .join(Asset, Asset.id == Market.asset_id)
        .join(CandleRow, CandleRow.market_id == Market.id)
        .where(Asset.symbol == asset, CandleRow.timeframe == timeframe)
        .group_by(Market.id, Market.exchange)
        .order_by(count.desc(), Market.exchange, Market.id)
    )
    return [(market_id, exchange, n) for market_id, exchange, n in rows]


async def candle_market(
    session: AsyncSession, exchange: str, market: str, asset: str, quote: str, now: datetime
) -> int:
    """The id of the market candles are stored under; the asset is created the first time it
    is seen (an asset that exists is left as it is, tracked or not)."""
    try:
        return await ensure_market(session, exchange, market, asset, quote, now)
    except LookupError:
        await ensure_assets(session, [asset], now)
        return await ensure_market(session, exchange, market, asset, quote, now)


# --- writing -------------------------------------------------------------------------------


def _unique_sorted(candles: Iterable[Candle]) -> list[Candle]:
    """One candle per open time (the last given), oldest first; refuses floats, NaN and
    naive times, which the ExactDecimal and UTCDateTime columns would refuse too."""
    by_time: dict[datetime, Candle] = {}
    try:
        for candle in candles:
            if not (
                candle.open.is_finite()
                and candle.high.is_finite()
                and candle.low.is_finite()
                and candle.close.is_finite()
                and candle.volume.is_finite()
            ):
                raise ValueError(f"candle at {candle.ts} has a value that is not finite")
            if candle.ts.tzinfo is None:
                raise ValueError(f"candle time {candle.ts} is naive; candles need aware UTC")
            by_time[candle.ts] = candle
    except AttributeError:  # a float or int has no is_finite(): money is Decimal only
        raise TypeError(f"candle values must be Decimal and times datetime: {candle!r}") from None
    return sorted(by_time.values(), key=attrgetter("ts"))


def _on_conflict_update(stmt: Any) -> Any:
    """Update a stored candle only when a value differs, so an unchanged one is not rewritten
    and does not count as written."""
    excluded = stmt.excluded
    return stmt.on_conflict_do_update(
        index_elements=[_CANDLES.c[name] for name in _KEY],
        set_={name: excluded[name] for name in VALUES},
        where=or_(*(_CANDLES.c[name].is_distinct_from(excluded[name]) for name in VALUES)),
    )


async def _save_by_insert(
    session: AsyncSession, market_id: int, timeframe: str, rows: list[Candle]
) -> int:
    """One statement run over all rows; SQLAlchemy sends it as multi-row INSERTs of
    `_PAGE_ROWS` rows. RETURNING gives the count on both drivers (asyncpg has no rowcount for
    many rows), and returns nothing for a conflicting row left alone by the WHERE."""
    postgres = session.bind.dialect.name == "postgresql"
    insert = (postgresql.insert if postgres else sqlite.insert)(_CANDLES)
    stmt = _on_conflict_update(insert).returning(_CANDLES.c.ts)
    params = [
        {
            "market_id": market_id,
            "timeframe": timeframe,
            "ts": c.ts,
            "open": c.open,
            "high": c.high,
            "low": c.low,
            "close": c.close,
            "volume": c.volume,
        }
        for c in rows
    ]
    result = await session.execute(
        stmt, params, execution_options={"insertmanyvalues_page_size": _PAGE_ROWS}
    )
    return len(result.all())


async def _save_by_copy(
    session: AsyncSession, market_id: int, timeframe: str, rows: list[Candle]
) -> int:
    """COPY into a staging table on the session's own connection (so inside its transaction),
    then one INSERT … SELECT. When no stored candle falls in the batch's time range (a fresh
    backfill or import) the insert needs no conflict handling, which saves a fifth of its time;
    should another writer store some of these candles meanwhile, it falls back to the upsert."""
    connection = await session.connection()
    # Through SQLAlchemy, so the transaction has begun on the driver connection before COPY.
    await connection.run_sync(lambda sync: _STAGING.create(sync))
    raw = await connection.get_raw_connection()
    await raw.driver_connection.copy_records_to_table(
        _STAGING.name,
        records=[
            (c.ts, str(c.open), str(c.high), str(c.low), str(c.close), str(c.volume)) for c in rows
        ],
        columns=[column.name for column in _STAGING.columns],
    )
    staged = select(
        literal(market_id, Integer),
        literal(timeframe, String),
        _STAGING.c.ts,
        *(cast(_STAGING.c[name], Numeric) for name in VALUES),
    )
    insert = postgresql.insert(_CANDLES).from_select([*_KEY, *VALUES], staged)
    written: int | None = None
    if await _nothing_stored_between(session, market_id, timeframe, rows[0].ts, rows[-1].ts):
        try:
            async with session.begin_nested():
                written = (await session.execute(insert)).rowcount
        except IntegrityError:
            written = None
    if written is None:
        written = (await session.execute(_on_conflict_update(insert))).rowcount
    await connection.run_sync(lambda sync: _STAGING.drop(sync))
    return written


async def _nothing_stored_between(
    session: AsyncSession, market_id: int, timeframe: str, first: datetime, last: datetime
) -> bool:
    stored = await session.scalar(
        select(
            exists().where(
                _CANDLES.c.market_id == market_id,
                _CANDLES.c.timeframe == timeframe,
                _CANDLES.c.ts.between(first, last),
            )
        )
    )
    return not stored
