"""Candles in the database: the one place they are written and read.

A save is an upsert keyed by (market, timeframe, open time). Saving the same candles again
writes nothing; a candle whose values changed (a forming candle that closed) is updated.
Postgres takes big batches through COPY: straight into `candles` where their time range holds
no candles yet (backfills, imports), else into a staging table and one INSERT … SELECT … ON
CONFLICT. Small batches, and everything on SQLite, go as multi-row INSERTs. Candles have no
foreign key to their market: each save checks the market once instead (`_hold_market`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from datetime import date, datetime
from operator import attrgetter
from typing import Any, cast

from asyncpg import UniqueViolationError
from sqlalchemy import (
    Column,
    CursorResult,
    MetaData,
    Table,
    delete,
    exists,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from core.market import TIMEFRAMES, Candle
from db.engine import is_postgres
from db.models import Asset, Market
from db.models import Candle as CandleRow
from db.repos.assets import ensure_assets, ensure_market
from db.upsert import insert_for

BULK_MIN_ROWS = 1000  # more candles than this go through COPY on Postgres

VALUES = ("open", "high", "low", "close", "volume")
_KEY = ("market_id", "timeframe", "ts")
_CANDLES = cast(Table, CandleRow.__table__)
# SQLite allows 32,766 bound variables per statement since 3.32, 999 before; Postgres 32,767.
_SQLITE_VARIABLES = 32_766 if sqlite3.sqlite_version_info >= (3, 32, 0) else 999
_PAGE_ROWS = min(1_000, _SQLITE_VARIABLES // len(_CANDLES.columns))

# Big batches travel as COPY text: asyncpg's binary NUMERIC encoder costs over 1 µs a Decimal,
# four times what str() and the server's numeric_in cost together, and the text is exact.
_COPY_COLUMNS = [column.name for column in _CANDLES.columns]
# Where a batch meets stored candles it is staged, then upserted. TEMPORARY, made once per
# connection; emptied after each use (and by every commit, should a save fail half-way).
_STAGING = Table("candle_staging", MetaData(), *(Column(c.name, c.type) for c in _CANDLES.columns))
_CREATE_STAGING = text(
    "CREATE TEMPORARY TABLE IF NOT EXISTS candle_staging (LIKE candles) ON COMMIT DELETE ROWS"
)
_EMPTY_STAGING = text("TRUNCATE candle_staging")
_COPY_CHUNK_ROWS = 1_000  # about 100 kB: the server stores one chunk while the next is built


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
    await _hold_market(session, market_id)
    if is_postgres(session) and len(rows) > BULK_MIN_ROWS:
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
    return cast(CursorResult[Any], result).rowcount


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


async def _hold_market(session: AsyncSession, market_id: int) -> None:
    """What a foreign key from candles to markets would do, once per save instead of once per
    candle (that check cost Postgres more than storing the candle): the market must exist, and
    FOR KEY SHARE keeps it from being deleted until the saving transaction ends."""
    held = await session.scalar(
        select(Market.id).where(Market.id == market_id).with_for_update(read=True, key_share=True)
    )
    if held is None:
        raise LookupError(f"no market with id {market_id} to store candles under")


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
    stmt = _on_conflict_update(insert_for(session, _CANDLES)).returning(_CANDLES.c.ts)
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
    """COPY on the session's own connection, so inside its transaction.

    When no stored candle falls in the batch's time range (a backfill or an import) the rows
    are copied straight into `candles`: nothing to compare, so no staging and no upsert, which
    halves the server's work. Should another writer store some of them meanwhile, the unique
    key refuses the COPY, a savepoint undoes it and the batch takes the upsert instead.
    Otherwise the batch is copied into a staging table and upserted from there.

    The transaction commits without waiting for its WAL to reach the disk: a crash may lose
    its last moments of candles (never half of them), and candles can be fetched again.
    """
    connection = await session.connection()
    # Through SQLAlchemy, so the transaction has begun on the driver connection before COPY.
    await connection.execute(text("SET LOCAL synchronous_commit = off"))
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None  # an asyncpg connection, live while the session holds it

    async def copy_into(table: str) -> None:
        lines = _copy_lines(market_id, timeframe, rows)
        await driver.copy_to_table(table, source=lines, columns=_COPY_COLUMNS)

    if await _nothing_stored_between(session, market_id, timeframe, rows[0].ts, rows[-1].ts):
        try:
            async with connection.begin_nested():  # SAVEPOINT now, not at the next ORM use
                await copy_into(_CANDLES.name)
            return len(rows)
        except UniqueViolationError:
            pass  # another writer stored some of them since the check
    await connection.execute(_CREATE_STAGING)
    await copy_into(_STAGING.name)
    insert = postgresql.insert(_CANDLES).from_select(_COPY_COLUMNS, select(_STAGING))
    written = (await connection.execute(_on_conflict_update(insert))).rowcount
    await connection.execute(_EMPTY_STAGING)
    return written


async def _copy_lines(market_id: int, timeframe: str, rows: list[Candle]) -> AsyncIterator[bytes]:
    """`rows` as COPY text, in chunks: asyncpg sends each chunk as soon as it is built, so the
    server parses and stores one while this builds the next (two cores, not one after the
    other). `!s` because a Decimal's str() is three times as fast as its format()."""
    prefix = f"{market_id}\t{timeframe}\t"
    for first in range(0, len(rows), _COPY_CHUNK_ROWS):
        yield "".join(
            [
                f"{prefix}{_utc_text(c.ts)}\t{c.open!s}\t{c.high!s}\t"
                f"{c.low!s}\t{c.close!s}\t{c.volume!s}\n"
                for c in rows[first : first + _COPY_CHUNK_ROWS]
            ]
        ).encode()


class _Texts(dict[int, str]):
    """Texts made once and looked up after: of days since 1970, or of seconds into a day."""

    def __init__(self, make: Callable[[int], str]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: int) -> str:
        made = self[key] = self.make(key)
        return made


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_DAYS = _Texts(lambda day: f"{date.fromordinal(_EPOCH_ORDINAL + day)} ")
_TIMES_OF_DAY = _Texts(lambda s: f"{s // 3600:02}:{s // 60 % 60:02}:{s % 60:02}+00")


def _utc_text(ts: datetime) -> str:
    """`ts` as Postgres reads a timestamptz, in UTC. From two small tables of texts made once:
    isoformat() would take a fifth of the whole COPY's time on the client."""
    seconds = ts.timestamp()
    whole = int(seconds)
    if whole != seconds:  # a fraction of a second: no candle opens there, but be exact
        return ts.isoformat()
    day, second = divmod(whole, 86_400)
    return _DAYS[day] + _TIMES_OF_DAY[second]


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
