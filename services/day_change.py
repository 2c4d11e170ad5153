"""Tickers whose 24 h change is not over 24 h get one that is, from the stored candles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from core.day_change import SINCE_MIDNIGHT, day_ago_opens, rolling_change_pct
from core.market import Ticker
from db.repos.day_ago import opens_at
from services.deps import Deps


async def rolling_day(deps: Deps, tickers: Sequence[Ticker]) -> list[Ticker]:
    """`tickers`, those from an exchange whose change runs from midnight given the change since
    the price a day before (from the stored 1m or 1h candle then), or none when no candle of
    then is stored: a since-midnight figure is never shown as a 24 h one."""
    wanted = sorted({(t.exchange, t.market) for t in tickers if t.exchange in SINCE_MIDNIGHT})
    if not wanted:
        return list(tickers)
    async with deps.read() as session:
        then = await opens_at(session, wanted, day_ago_opens(deps.clock.now()))
    return [
        replace(t, change_24h_pct=rolling_change_pct(t.last, then.get((t.exchange, t.market))))
        if t.exchange in SINCE_MIDNIGHT
        else t
        for t in tickers
    ]
