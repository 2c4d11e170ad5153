"""The one way in for tickers, polled or pushed: each exchange's latest quote stored, and each
asset's cross-exchange price cached and published, where the alert matcher hears it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, MutableMapping, Sequence
from datetime import datetime, timedelta

from core.market import PriceQuote, Ticker
from services.deps import Deps
from services.ingest import record_tickers
from services.prices import fresh_for


class LatestTickers:
    """Each market's latest ticker from either lane, so that one exchange's new tickers are
    priced against the others' latest ones (the reference price is a cross-exchange median).
    A lock keeps recordings in the order their prices came: a later price is never published
    before an earlier one."""

    def __init__(self) -> None:
        self._by_market: dict[tuple[str, str], Ticker] = {}
        self.lock = asyncio.Lock()

    def merge(self, tickers: Iterable[Ticker], now: datetime, fresh: timedelta) -> list[Ticker]:
        """Remember `tickers`; return them with the other markets' latest fresh tickers of the
        same assets (what the reference price of those assets is taken from)."""
        fresh_tickers = list(tickers)
        for ticker in fresh_tickers:
            key = (ticker.exchange, ticker.market)
            known = self._by_market.get(key)
            if known is None or known.ts <= ticker.ts:
                self._by_market[key] = ticker
        new = {(t.exchange, t.market) for t in fresh_tickers}
        assets = {t.base for t in fresh_tickers}
        for key, ticker in list(self._by_market.items()):
            if now - ticker.ts > fresh:
                del self._by_market[key]  # too old to count: forgotten
            elif ticker.base in assets and key not in new:
                fresh_tickers.append(ticker)
        return fresh_tickers


async def record(
    deps: Deps,
    latest: LatestTickers,
    known: MutableMapping[tuple[str, str], int],
    tickers: Sequence[Ticker],
) -> list[PriceQuote]:
    """Store `tickers` and publish the prices of their assets, priced with every exchange's
    latest ticker. `known`: market ids remembered between calls."""
    async with latest.lock:
        batch = latest.merge(tickers, deps.clock.now(), fresh_for(deps.settings))
        return await record_tickers(deps, batch, known)
