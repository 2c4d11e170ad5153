"""Candles from files into the database: a series is added to what is stored, never changes it.

One file, one transaction: the market (spot or perpetual) and its asset are created the first
time, the asset unfollowed unless the import is asked to follow it (workers poll what is
followed), and each candle is compared with the stored one of the same time first. A candle
stored already is left as it is; one that disagrees beyond a float's formatting refuses the
whole file. Only the newest two periods may differ: the workers may have stored a candle still
forming, which the file's completes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.candle_import import Pair, differences
from core.market import TIMEFRAMES, Candle
from db.candles import load_candles, save_candles
from db.models import Asset, Market
from db.repos.assets import ensure_assets, ensure_market
from services.deps import Deps


@dataclass(frozen=True, slots=True)
class Series:
    """Where a file's candles go: one market's candles of one timeframe."""

    exchange: str
    pair: Pair
    timeframe: str


@dataclass(frozen=True, slots=True)
class Imported:
    """What importing one series did; `tracked`: whether workers follow its asset now."""

    market_id: int
    read: int
    written: int
    tracked: bool


class StoredCandleDiffers(Exception):
    """The file's candle at `stored.ts` is not the one stored: nothing was imported."""

    def __init__(self, stored: Candle, given: Candle, names: tuple[str, ...]) -> None:
        super().__init__(stored.ts, names)
        self.stored, self.given, self.names = stored, given, names


class StoredMarketDiffers(Exception):
    """The market exists as another kind (spot vs perp) than the file's: nothing imported."""

    def __init__(self, symbol: str, stored_kind: str) -> None:
        super().__init__(symbol, stored_kind)
        self.symbol, self.stored_kind = symbol, stored_kind


async def import_series(
    deps: Deps, series: Series, batches: Iterable[Sequence[Candle]], *, track: bool = False
) -> Imported:
    """Add a file's candles (in batches) to a series, all or nothing; raises
    StoredCandleDiffers (naming the earliest disagreeing candle) or StoredMarketDiffers."""
    pair, timeframe = series.pair, series.timeframe
    now = deps.clock.now()
    recent = now - 2 * TIMEFRAMES[timeframe]
    read = written = 0
    conflict: StoredCandleDiffers | None = None
    async with deps.write() as session:
        await ensure_assets(session, [pair.base], now, track=track)
        market_id = await ensure_market(
            session, series.exchange, pair.symbol, pair.base, pair.quote, now, pair.kind
        )
        kind = await session.scalar(select(Market.kind).where(Market.id == market_id))
        if kind != pair.kind:
            raise StoredMarketDiffers(pair.symbol, kind or "")
        for batch in batches:
            read += len(batch)
            stored = await _stored_at(session, market_id, timeframe, batch)
            fresh = []
            for candle in batch:
                before = stored.get(candle.ts)
                if before is None or candle.ts > recent:
                    fresh.append(candle)
                elif before == candle:  # the usual case of a file imported again: no arithmetic
                    continue
                elif (names := differences(before, candle)) and (
                    conflict is None or candle.ts < conflict.stored.ts
                ):
                    conflict = StoredCandleDiffers(before, candle, names)
            if conflict is None:  # past a conflict nothing is written, only the earliest sought
                written += await save_candles(session, market_id, timeframe, fresh)
        if conflict is not None:
            raise conflict  # the transaction rolls back: market and candles alike
        tracked = await session.scalar(select(Asset.tracked).where(Asset.symbol == pair.base))
    await deps.assets_changed()  # a market (maybe a coin) new to the directory, or followed
    return Imported(market_id, read, written, bool(tracked))


async def _stored_at(
    session: AsyncSession, market_id: int, timeframe: str, batch: Sequence[Candle]
) -> dict[datetime, Candle]:
    """The stored candles at the batch's times, by time."""
    if not batch:
        return {}
    first = min(c.ts for c in batch)
    last = max(c.ts for c in batch)
    until = last + TIMEFRAMES[timeframe]
    stored = await load_candles(session, market_id, timeframe, since=first, until=until)
    return {c.ts: c for c in stored}
