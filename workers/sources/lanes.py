"""Tickers in their own lane through an exchange's rate limit.

ccxt paces every request to one exchange through one queue (its throttler, with
`enableRateLimit`), first come first served, each request waiting out the cost of those before
it. While candles are paged (the candle job catching up, a backfill, holes refilled) a ticker
request therefore waited behind the candle pages queued before it: on kraken (1.2 s a page) a
ticker came a second or more late, and a round whose pages queued up missed its turn.

In the ticker lane a request is paced only against other ticker requests (a throttler of its
own, with the exchange's settings); its cost is still charged to the main queue, so the candle
pages after it wait for it instead. Over any stretch of time the exchange sees no more than its
rate limit allows, give or take the one ticker request in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from time import time
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
    """ccxt's throttler, with a lane of its own for ticker requests.

    ccxt's bucket refills only while its queue is busy, so a debt left when it went idle is
    paid again after the idle time; the lane credits its idle time, so a ticker round every few
    seconds finds the lane clear. Charging the main queue only while it is busy keeps tickers
    asked while no candle is paged from piling a debt on the next candle job."""

    def __init__(self, config: dict[str, Any], loop: Any = None) -> None:
        super().__init__(config, loop)
        self.lane = Throttler(config, loop)
        self._lane_idle_from = time() * 1000  # ms, as ccxt's throttler counts

    def __call__(self, cost: float | None = None) -> asyncio.Future[None]:
        if not _IN_LANE.get():
            return super().__call__(cost)
        spent = self.config["cost"] if cost is None else cost
        if self.running:  # candle pages are being paced: the ones after it pay for it
            self.config["tokens"] -= spent
        lane = self.lane.config
        if not self.lane.running:
            idle = time() * 1000 - self._lane_idle_from
            lane["tokens"] = min(lane["tokens"] + idle * lane["refillRate"], lane["capacity"])
        future: asyncio.Future[None] = self.lane(cost)
        future.add_done_callback(self._granted)
        return future

    def _granted(self, _: asyncio.Future[None]) -> None:
        self._lane_idle_from = time() * 1000


def install(exchange: Any) -> Any:
    """Give a ccxt exchange the ticker lane; returns the exchange."""
    exchange.throttler = LaneThrottler(exchange.tokenBucket, exchange.asyncio_loop)
    return exchange
