"""A MarketSource that backs off on its own when its exchange misbehaves."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TypeVar

from core.backoff import Backoff
from core.market import Candle, Ticker
from workers.sources.base import MarketSource, SourceError

log = logging.getLogger(__name__)
T = TypeVar("T")


class SourceCoolingDown(SourceError):
    """The source failed recently and is waiting out its back-off; nothing was asked of it."""


class GuardedSource:
    """Wraps a source: a failure starts a jittered exponential back-off for this source alone
    (honouring the exchange's Retry-After); calls during it fail fast without a request."""

    def __init__(
        self,
        source: MarketSource,
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.name = source.name
        self.backoff = backoff or Backoff()
        self._clock = clock
        self.started = False

    async def start(self) -> None:
        """Load the market list; an exchange that is down now is retried on later calls."""
        try:
            await self._guard(self.source.start)
            self.started = True
        except SourceError:
            pass  # logged by _guard; the other exchanges start without it

    async def _ensure_started(self) -> None:
        if not self.started:
            await self._guard(self.source.start)
            self.started = True

    async def close(self) -> None:
        await self.source.close()

    def market_for(self, asset: str) -> tuple[str, str] | None:
        return self.source.market_for(asset) if self.started else None

    def listed(self) -> dict[str, tuple[str, str]]:
        return self.source.listed() if self.started else {}

    async def fetch_tickers(self, assets: Sequence[str]) -> list[Ticker]:
        await self._ensure_started()
        return await self._guard(lambda: self.source.fetch_tickers(assets))

    async def fetch_candles(
        self, asset: str, timeframe: str, since: datetime | None = None, limit: int = 500
    ) -> list[Candle]:
        await self._ensure_started()
        return await self._guard(lambda: self.source.fetch_candles(asset, timeframe, since, limit))

    async def _guard(self, call: Callable[[], Awaitable[T]]) -> T:
        now = self._clock()
        if not self.backoff.ready(now):
            raise SourceCoolingDown(
                f"{self.name}: backing off for {self.backoff.waiting(now):.0f} s more"
            )
        try:
            result = await call()
        except SourceError as exc:
            delay = self.backoff.failed(self._clock(), getattr(exc, "retry_after", None))
            log.warning("%s failed (%s); retrying in %.1f s", self.name, exc, delay)
            raise
        if self.backoff.failures:
            log.info("%s recovered after %d failures", self.name, self.backoff.failures)
        self.backoff.succeeded()
        return result
