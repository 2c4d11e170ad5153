"""Candles as a use case needs them: one asset, one timeframe, from the market
`core.series_choice` believes (fresh first, then spot, coverage, the configured exchanges),
the timeframe read as stored and built from finer candles where it is missing.

`load_series` is a building block: it takes the caller's session and opens no transaction.
`series_of` is the same as a use case of its own, for callers without one (predictions).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.market import TIMEFRAMES, Candle, floor_time
from core.series_choice import (
    FINER,
    Candidate,
    Origin,
    assemble,
    build,
    choose,
    coverage,
    missing_ranges,
    origin,
    periods_spanned,
)
from db.candle_holdings import candle_holdings, candle_range
from db.candles import load_candles
from services.deps import Deps


@dataclass(frozen=True)
class Series:
    asset: str
    timeframe: str
    origin: Origin  # the market it came from, and whether it is fresh
    quote: str
    candles: list[Candle]
    end: datetime  # the window asked ends here: now, or a stale series' newest candle

    @property
    def exchange(self) -> str:
        return self.origin.exchange

    @property
    def first(self) -> datetime | None:
        return self.candles[0].ts if self.candles else None


async def load_series(
    deps: Deps,
    session: AsyncSession,
    asset: str,
    timeframe: str,
    span: timedelta | None = None,
    limit: int | None = None,
) -> Series | None:
    """The asset's candles over the last `span` (or the latest `limit` of them), or None when
    no market has any. A stale series (none is fresh) is read over its own last span."""
    now = deps.clock.now()
    chosen = await believed(deps, session, asset, timeframe, _since(now, timeframe, span, limit))
    if chosen is None:
        return None
    said = origin(chosen, timeframe, now)
    end = now if said.fresh else chosen.newest
    since = _since(end, timeframe, span, limit)
    candles = await _read(session, chosen.market_id, timeframe, since, now)
    if limit is not None:
        candles = candles[-limit:]
    return Series(asset, timeframe, said, chosen.quote, candles, end)


async def series_of(
    deps: Deps,
    asset: str,
    timeframe: str,
    *,
    span: timedelta | None = None,
    limit: int | None = None,
) -> Series | None:
    """`load_series` in a read transaction of its own."""
    async with deps.read() as session:
        return await load_series(deps, session, asset, timeframe, span=span, limit=limit)


async def believed(
    deps: Deps, session: AsyncSession, asset: str, timeframe: str, since: datetime | None
) -> Candidate | None:
    """The market whose candles of `timeframe` to believe, weighed over [since, now)."""
    found = await candidates(session, asset, timeframe, since)
    return choose(found, timeframe, deps.clock.now(), deps.settings.exchanges)


async def candidates(
    session: AsyncSession, asset: str, timeframe: str, since: datetime | None
) -> list[Candidate]:
    """Each market of `asset` with candles of `timeframe`, stored or buildable, and how many
    it has since `since`: stored ones counted, plus what the finer ones span where stored
    ones are missing."""
    finer = FINER.get(timeframe)
    timeframes = [timeframe, finer] if finer else [timeframe]
    # finer candles are counted only where the timeframe's own are missing, below
    held = await candle_holdings(session, asset, timeframes, since, counted=[timeframe])
    own = {h.market_id: h for h in held if h.timeframe == timeframe}
    built = {h.market_id: h for h in held if h.timeframe == finer}
    found = []
    for market_id in dict.fromkeys(h.market_id for h in held):
        stored, source = own.get(market_id), built.get(market_id)
        extra = 0
        if finer is not None and source is not None and (since is None or source.newest >= since):
            first, last = (stored.first, stored.newest) if stored and stored.count else (None, None)
            for start, until in missing_ranges(since, first, last, timeframe):
                spanned = await candle_range(session, market_id, finer, start, until)
                extra += periods_spanned(*spanned, finer) if spanned else 0
        some = stored or source
        assert some is not None  # every market id came from one of the two
        found.append(
            Candidate(
                market_id,
                some.exchange,
                some.pair,
                some.quote,
                some.kind,
                newest=max(h.newest for h in (stored, source) if h is not None),
                coverage=coverage(stored.count if stored else 0, extra, timeframe),
            )
        )
    return found


def _since(
    end: datetime, timeframe: str, span: timedelta | None, limit: int | None
) -> datetime | None:
    """The open time of the first candle wanted in a window ending at `end`."""
    if span is not None:
        return floor_time(end - span, timeframe)
    if limit is not None:
        return floor_time(end, timeframe) - (limit - 1) * TIMEFRAMES[timeframe]
    return None


async def _read(
    session: AsyncSession, market_id: int, timeframe: str, since: datetime | None, now: datetime
) -> list[Candle]:
    """The market's candles of `timeframe` since `since`: stored, then built where missing."""
    stored = await load_candles(session, market_id, timeframe, since=since)
    source = FINER.get(timeframe)
    if source is None:
        return stored
    first, last = (stored[0].ts, stored[-1].ts) if stored else (None, None)
    finer: list[Candle] = []
    for start, until in missing_ranges(since, first, last, timeframe):
        finer += await load_candles(session, market_id, source, since=start, until=until)
    return assemble(stored, build(finer, source, timeframe, now))
