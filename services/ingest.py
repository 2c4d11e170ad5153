"""Market data coming in: each exchange's latest prices, and candles — new ones, holes we left
refilled, history backfilled (files are imported by services.candle_imports).

The jobs fetch; these store what was fetched, one transaction each.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from datetime import datetime, timedelta

from core.gaps import Gap, find_gaps, resume_from
from core.market import Candle, PriceQuote, Ticker
from core.reference import reference_quotes, refusal
from db.cache import PRICE_CHANNEL
from db.candles import candle_market, last_candle_time, recent_candle_times, save_candles
from db.repos.assets import ensure_market
from db.repos.prices import save_latest
from services.deps import Deps
from services.prices import fresh_for

GAP_WINDOW = 1000  # recent candles checked for holes on each run
GAP_RETRY = timedelta(hours=6)  # a hole the exchange could not fill is asked again this late

MarketKey = tuple[str, str]  # (exchange, market), e.g. ("binance", "BTC/USDT")


# --- prices --------------------------------------------------------------------------------


async def record_tickers(
    deps: Deps, tickers: Sequence[Ticker], known: MutableMapping[MarketKey, int]
) -> list[PriceQuote]:
    """Store each exchange's latest quote; then cache the cross-exchange price of each asset,
    publish those the exchanges agree on, and return them all. A ticker that cannot count
    (no price, stamped in the future) is not stored. `known` remembers market ids from one
    call to the next.

    A disputed price (two exchanges far apart, see core.reference) is cached, so /price says
    who says what, but not published: no alert fires on a price the exchanges disagree on."""
    now = deps.clock.now()
    found: dict[MarketKey, int] = {}
    async with deps.write() as session:
        rows = []
        for ticker in tickers:
            if refusal(ticker, now) is not None:
                continue
            key = (ticker.exchange, ticker.market)
            market_id = known[key] if key in known else found.get(key)
            if market_id is None:
                market_id = found[key] = await ensure_market(
                    session, ticker.exchange, ticker.market, ticker.base, ticker.quote, now
                )
            rows.append((market_id, PriceQuote.from_ticker(ticker)))
        await save_latest(session, rows, now)
    known.update(found)  # only once committed: a rolled-back market has no id to remember
    quotes = list(reference_quotes(tickers, now, fresh_for(deps.settings)).values())
    await deps.cache.set_prices(quotes)
    for quote in quotes:
        if not quote.disputed:
            await deps.cache.publish(PRICE_CHANNEL, quote.to_json())
    return quotes


# --- candles -------------------------------------------------------------------------------


async def register_market(deps: Deps, exchange: str, market: str, asset: str, quote: str) -> int:
    """The id a market's candles are stored under; the market, and its asset if Pythia has
    never seen it, are created the first time."""
    async with deps.write() as session:
        return await candle_market(session, exchange, market, asset, quote, deps.clock.now())


async def resume_point(deps: Deps, market_id: int, timeframe: str) -> datetime:
    """Where the market's next candles are fetched from: its last stored candle (it may have
    been forming then), or the start of its first history."""
    async with deps.read() as session:
        last = await last_candle_time(session, market_id, timeframe)
    return resume_from(last, timeframe, deps.clock.now())


async def store_candles(
    deps: Deps, market_id: int, timeframe: str, candles: Sequence[Candle]
) -> int:
    """Save fetched candles (new ones added, changed ones updated); returns rows written."""
    async with deps.write() as session:
        return await save_candles(session, market_id, timeframe, candles)


async def holes(deps: Deps, market_id: int, timeframe: str) -> list[Gap]:
    """Holes among the market's recent candles, but those the exchange could not fill when
    asked within the last GAP_RETRY (its own holes, from maintenance)."""
    async with deps.read() as session:
        recent = await recent_candle_times(session, market_id, timeframe, GAP_WINDOW)
    return [
        gap
        for gap in find_gaps(recent, timeframe)
        if await deps.cache.get(_tried(market_id, timeframe, gap)) is None
    ]


async def fill_hole(
    deps: Deps, market_id: int, timeframe: str, gap: Gap, candles: Sequence[Candle]
) -> int:
    """Save what the exchange sent for `gap`; a hole it could not fill whole is left alone
    for GAP_RETRY. Returns rows written."""
    inside = [c for c in candles if gap.start <= c.ts < gap.end]
    written = await store_candles(deps, market_id, timeframe, inside) if inside else 0
    if len(inside) < gap.missing:
        await deps.cache.set(_tried(market_id, timeframe, gap), "tried", GAP_RETRY.total_seconds())
    return written


def _tried(market_id: int, timeframe: str, gap: Gap) -> str:
    return f"gap:{market_id}:{timeframe}:{gap.start.isoformat()}"
