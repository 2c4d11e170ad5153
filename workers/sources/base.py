"""Where market data comes from: the interface every source implements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from core.market import Candle, Ticker


class SourceError(Exception):
    """A source failed in a way worth retrying later (network, rate limit, maintenance)."""


class MarketSource(Protocol):
    """One exchange (or the sandbox replay). Symbols here are assets ("BTC"); the source maps
    them to its own markets ("BTC/USDT") from its market list."""

    name: str

    async def start(self) -> None:
        """Load the market list; called once before anything else."""
        ...

    def market_for(self, asset: str) -> tuple[str, str] | None:
        """The market (e.g. "BTC/USDT") and its quote ("USDT") for an asset, or None."""
        ...

    def listed(self) -> dict[str, tuple[str, str]]:
        """Every asset this source lists, with its market and quote (as `market_for`)."""
        ...

    async def fetch_tickers(self, assets: Sequence[str]) -> list[Ticker]:
        """The latest 24 h tickers of the assets this source lists; others are left out."""
        ...

    async def fetch_candles(
        self, asset: str, timeframe: str, since: datetime | None = None, limit: int = 500
    ) -> list[Candle]:
        """Closed and forming candles from `since` (open time, UTC), oldest first."""
        ...

    async def close(self) -> None: ...
