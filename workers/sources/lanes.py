"""Tickers in their own lane through an exchange's rate limit.

ccxt paces every request to one exchange through one queue (its throttler, with
`enableRateLimit`), first come first served. While candles are paged (the candle job catching
up, a backfill, holes refilled) a ticker request waits behind the pages queued before it, and
with a slow exchange it missed its round. In the ticker lane a request goes ahead of every
request not in it: it still spends the exchange's rate limit, so the exchange sees no more
than before, but no candle page can hold it back by more than the one being paced.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from ccxt.async_support.base.throttler import Throttler

_IN_LANE: ContextVar[bool] = ContextVar("ticker_lane", default=False)


@contextlib.contextmanager
def ticker_lane() -> Iterator[None]:
    """Requests made inside (and in tasks started inside) go through the ticker lane."""
    token = _IN_LANE.set(True)
    try:
        yield
    finally:
        _IN_LANE.reset(token)


class LaneThrottler(Throttler):
    """ccxt's throttler, with the ticker lane ahead of the queue (in order among itself)."""

    def __init__(self, config: dict[str, Any], loop: Any = None) -> None:
        super().__init__(config, loop)
        self._ahead: set[asyncio.Future[None]] = set()

    def __call__(self, cost: float | None = None) -> asyncio.Future[None]:
        if not _IN_LANE.get():
            return super().__call__(cost)
        future: asyncio.Future[None] = super().__call__(cost)  # queued last, loop running
        entry = self.queue.pop()
        self._ahead.add(future)
        future.add_done_callback(self._ahead.discard)
        place = 0
        while place < len(self.queue) and self.queue[place][0] in self._ahead:
            place += 1
        self.queue.insert(place, entry)
        return future


def install(exchange: Any) -> Any:
    """Give a ccxt exchange the ticker lane; returns the exchange."""
    exchange.throttler = LaneThrottler(exchange.tokenBucket, exchange.asyncio_loop)
    return exchange
