"""Tickers pushed by the exchanges over WebSocket (ccxt.pro), one stream per exchange.

A stream that cannot connect, or drops, connects again after a jittered exponential back-off;
one that falls silent for `stale_after` seconds is closed and opened anew. While a stream is not
`live`, the ticker job polls its exchange as before (workers/jobs/ingest_prices.py).

Only `workers/` imports ccxt; what leaves this module is a list of `core.market.Ticker`.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Final

import ccxt.pro as ccxt_pro
from ccxt.base import errors as ccxt_errors

from core.backoff import Backoff
from core.market import Ticker
from services import tasks
from workers.sources.ccxt_source import CcxtSource

log = logging.getLogger(__name__)

Sink = Callable[[list[Ticker]], Awaitable[None]]
Assets = Callable[[], Awaitable[Sequence[str]]]

# Where watch_tickers is a slower channel than watch_ticker: coinbase's watch_tickers is its
# "ticker_batch" channel (every 5 s), watch_ticker its real-time "ticker" channel.
PER_MARKET: Final = frozenset({"coinbase"})
# binance's watch_tickers defaults to the mini ticker: no 24 h change, no bid or ask.
WATCH_PARAMS: Final[Mapping[str, Mapping[str, Any]]] = {"binance": {"name": "ticker"}}
RESUBSCRIBE_EVERY: Final = 300.0  # seconds between checks of which assets are tracked


def can_stream(exchange_id: str) -> bool:
    """Whether ccxt.pro can watch this exchange's tickers."""
    if exchange_id not in ccxt_pro.exchanges:
        return False
    has = getattr(ccxt_pro, exchange_id)().has  # built, never opened: no session to close
    return bool(has.get("watchTickers") or has.get("watchTicker"))


class _Books(CcxtSource):
    """The REST source's market index over a ccxt.pro exchange: which books to watch, and
    each pushed ticker turned into a Ticker by the very rules polled ones pass."""

    def symbols(self, assets: Sequence[str]) -> list[str]:
        return list(dict.fromkeys(book[0] for a in assets for book in self._books(a)))

    def ticker(self, item: Any) -> Ticker | None:
        symbol = item.get("symbol") if isinstance(item, Mapping) else None
        market = (self.exchange.markets or {}).get(symbol) if isinstance(symbol, str) else None
        if market is None:
            return None
        for book in self._books(market["base"]):
            if book[0] == symbol:
                return self._to_ticker(item, *book)
        return None


class TickerStream:
    """One exchange's pushed tickers, handed to `sink` in batches (what arrived while the
    previous batch was being recorded goes together in the next).

    `rest`: the started REST source of the same exchange (its markets are reused, nothing is
    loaded again). `build`: makes the ccxt.pro exchange, fresh for every connection (tests
    point it at a local server). `assets`: the tracked assets, read at every (re)connection.
    """

    def __init__(
        self,
        rest: CcxtSource,
        assets: Assets,
        *,
        build: Callable[[], Any] | None = None,
        stale_after: float = 30.0,
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = rest.name
        self._rest = rest
        self._assets = assets
        self._build = build or self._build_pro
        self.stale_after = stale_after
        self.backoff = backoff or Backoff(base=1.0, cap=60.0)
        self._clock = clock
        self.last_message = float("-inf")  # monotonic time of the last ticker received
        self.connections = 0  # connections opened (the first and every replacement)
        self.stale = 0  # connections replaced for falling silent
        self.failures = 0  # connections that failed or dropped

    @property
    def live(self) -> bool:
        """A ticker came within `stale_after` seconds: polling this exchange can pause."""
        return self._clock() - self.last_message < self.stale_after

    def _build_pro(self) -> Any:
        exchange = getattr(ccxt_pro, self.name)({"timeout": 10_000})
        exchange.set_markets(copy.deepcopy(self._rest.exchange.markets))
        return exchange

    async def run(self, sink: Sink) -> None:
        """Stream until cancelled: connect, hand tickers over, replace a silent or broken
        connection after the back-off."""
        while True:
            wait = self.backoff.waiting(self._clock())
            if wait:
                await asyncio.sleep(wait)
            try:
                await self._connection(sink)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure of the connection: replace it
                self.failures += 1
                delay = self.backoff.failed(self._clock())
                log.warning(
                    "%s ticker stream failed (%s); reconnecting in %.1f s",
                    self.name,
                    _short(exc),
                    delay,
                )

    async def _connection(self, sink: Sink) -> None:
        """One connection's life: returns when it should be replaced, raises when it broke."""
        exchange = self._build()
        exchange.number = str  # exact digit strings, as the REST source reads them
        books = _Books(exchange)
        queue: asyncio.Queue[list[Any]] = asyncio.Queue()
        watchers: list[asyncio.Task[None]] = []
        try:
            await books.start()  # markets already set: no request
            assets = tuple(await self._assets())
            symbols = books.symbols(assets)
            if not symbols:
                await asyncio.sleep(self.stale_after)
                return
            self.connections += 1
            watchers = self._watch(exchange, symbols, queue)
            refresh_at = self._clock() + RESUBSCRIBE_EVERY
            while True:
                items = await self._next(queue, watchers)
                if items is None:
                    self.stale += 1
                    log.warning(
                        "%s ticker stream silent for %.0f s; replacing it",
                        self.name,
                        self.stale_after,
                    )
                    return
                tickers = [t for t in (books.ticker(i) for i in items) if t is not None]
                self.last_message = self._clock()
                if self.backoff.failures:
                    log.info("%s ticker stream back", self.name)
                self.backoff.succeeded()
                if tickers:
                    await sink(tickers)
                if self._clock() >= refresh_at:
                    refresh_at = self._clock() + RESUBSCRIBE_EVERY
                    if tuple(await self._assets()) != assets:
                        return  # tracked assets changed: subscribe afresh
        finally:
            await tasks.end_all(watchers)  # cancelled until they end, whatever ccxt.pro awaits
            with contextlib.suppress(Exception):
                await exchange.close()

    def _watch(
        self, exchange: Any, symbols: list[str], queue: asyncio.Queue[list[Any]]
    ) -> list[asyncio.Task[None]]:
        params = dict(WATCH_PARAMS.get(self.name, {}))
        if exchange.has.get("watchTickers") and self.name not in PER_MARKET:
            calls = [lambda: exchange.watch_tickers(symbols, dict(params))]
        else:
            calls = [
                functools.partial(exchange.watch_ticker, symbol, dict(params)) for symbol in symbols
            ]
        return [
            asyncio.create_task(_pump(call, queue), name=f"{self.name} ticker watch")
            for call in calls
        ]

    async def _next(
        self, queue: asyncio.Queue[list[Any]], watchers: list[asyncio.Task[None]]
    ) -> list[Any] | None:
        """What arrived since the last call (waiting for at least one); None when nothing came
        within `stale_after`. A watcher that failed raises its error here."""
        getting = asyncio.ensure_future(queue.get())
        try:
            done, _ = await asyncio.wait(
                [getting, *watchers], timeout=self.stale_after, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            if not getting.done():
                getting.cancel()
        for task in watchers:
            if task in done:
                task.result()  # raises what broke it
                raise ConnectionError("a ticker watch ended")
        if getting not in done:
            return None
        items = list(getting.result())
        while not queue.empty():
            items.extend(queue.get_nowait())
        return items


async def _pump(call: Callable[[], Awaitable[Any]], queue: asyncio.Queue[list[Any]]) -> None:
    """Watch forever, queueing each update's tickers; ccxt errors end the watch."""
    while True:
        got = await call()
        if isinstance(got, Mapping) and "symbol" in got and "last" in got:
            queue.put_nowait([got])  # watch_ticker: one ticker
        elif isinstance(got, Mapping):
            queue.put_nowait(list(got.values()))


def _short(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, ccxt_errors.BaseError):
        text = text[:300]
    return text[:300]
