"""FakeExchange: binance, kraken, coinbase, bybit or okx's public market API on a loopback
HTTP server."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import ccxt.async_support as ccxt_async
from aiohttp import web

from .binance import Binance
from .bybit import Bybit
from .client import build_ccxt
from .coinbase import Coinbase
from .kraken import Kraken
from .markets import generate_markets
from .okx import Okx
from .prices import PriceFn, ReplayPrices
from .venues import NotFound, Quoter, Reply, Venue, html_reply

# Fault kinds; each surfaces from CcxtSource as the CcxtSourceError kind of the same name.
FAULTS = ("rate_limit", "timeout", "maintenance", "malformed", "network")
# The default prices' offset from the replay data per exchange (all within ±0.05 %).
DEFAULT_BASIS = {
    "binance": Decimal("0"),
    "kraken": Decimal("0.0004"),
    "coinbase": Decimal("-0.0003"),
    "bybit": Decimal("0.0002"),
    "okx": Decimal("-0.0001"),
}
EXCHANGES = tuple(DEFAULT_BASIS)
# aiohttp retries a GET once when the server drops the connection; the retry of a dropped
# request arriving within this many seconds is dropped too (it is the same failing call).
_RETRY_WINDOW = 2.0

Query = dict[str, str | list[str]]


@functools.cache
def replay_prices() -> ReplayPrices:
    """The bundled replay data at speed 1, loaded once per process."""
    return ReplayPrices()


def default_prices(exchange_id: str) -> ReplayPrices:
    return replay_prices().with_basis(DEFAULT_BASIS[exchange_id])


@dataclass
class _Fault:
    kind: str
    retry_after: float | None
    remaining: int | None  # requests left to fail; None = until healed


class FakeExchange:
    """One exchange's public market endpoints on 127.0.0.1 (random port), in its own format.

        async with FakeExchange("kraken", assets=["BTC", "ETH"]) as fake:
            source = CcxtSource(fake.ccxt())
            fake.fail("rate_limit", retry_after=7)

    `prices(asset, when) -> Decimal` gives the price at a moment (default: the bundled replay
    data with a small per-exchange basis); an object with a `candle(asset, start, end)` method
    also shapes the candles (see ReplayPrices), otherwise they are sampled from `prices`.
    `clock`: what "now" is for the fake (default the wall clock). `quote`: the quote currency
    of the generated markets (default USDT on binance, bybit and okx, USD on kraken and
    coinbase).
    """

    def __init__(
        self,
        exchange_id: str,
        assets: Iterable[str],
        prices: PriceFn | None = None,
        *,
        quote: str | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if exchange_id not in EXCHANGES:
            raise ValueError(f"no fake for {exchange_id!r}; have {', '.join(EXCHANGES)}")
        self.id = exchange_id
        self.prices: PriceFn = prices if prices is not None else default_prices(exchange_id)
        self.clock = clock or (lambda: datetime.now(UTC))
        assets = [a.upper() for a in assets]
        places_of = getattr(self.prices, "places", None)
        places = {a: places_of(a) for a in assets} if places_of is not None else None
        self.markets, self.listings = generate_markets(exchange_id, assets, quote, places)
        self._quoter = Quoter(self.prices, self.clock)
        dialects: dict[str, type[Venue]] = {
            "binance": Binance,
            "kraken": Kraken,
            "coinbase": Coinbase,
            "bybit": Bybit,
            "okx": Okx,
        }
        self.venue = dialects[exchange_id](self.listings, self._quoter, self.markets)
        self.requests: list[tuple[str, Query]] = []
        self.unhandled: list[tuple[str, Query]] = []  # requests this fake has no answer for
        self.base_url = ""
        self._fault: _Fault | None = None
        self._dropped: dict[str, float] = {}  # path_qs -> when its connection was dropped
        self._release = asyncio.Event()
        self._runner: web.ServerRunner | None = None
        self._built: list[ccxt_async.Exchange] = []

    # --- lifecycle -----------------------------------------------------------------------

    async def start(self) -> FakeExchange:
        server = web.Server(self._handle, handler_cancellation=True)
        self._runner = web.ServerRunner(server, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        return self

    async def close(self) -> None:
        self._release.set()
        for exchange in self._built:
            await exchange.close()
        self._built.clear()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeExchange:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- for the test ----------------------------------------------------------------------

    def ccxt(self, **config: Any) -> ccxt_async.Exchange:
        """A fresh ccxt exchange of this kind with the generated markets, pointed at the fake;
        closed with the fake if the caller did not close it."""
        if not self.base_url:
            raise RuntimeError("start the fake first")
        exchange = build_ccxt(self.id, self.base_url, self.markets, **config)
        self._built.append(exchange)
        return exchange

    def fail(
        self, kind: str | None, *, retry_after: float | None = None, times: int | None = None
    ) -> None:
        """Answer the next `times` requests (default: all until healed) with a fault; None heals.

        rate_limit: the exchange's own rate-limit answer (binance 429 JSON -1003, coinbase 429
            HTML page, kraken 200 `EGeneral:Too many requests`, bybit 200 retCode 10006, okx
            429 code 50011), with Retry-After: retry_after where the exchange sends that header
            (binance, coinbase; not kraken, bybit, okx).
        maintenance: binance 503 "System is under maintenance.", coinbase and bybit 503 HTML
            pages, kraken 200 `EService:Unavailable`, okx 503 code 50001; Retry-After as above.
        timeout: never answer (until healed or closed); set ccxt's `timeout` low in the test.
        malformed: the normal answer cut in half (invalid JSON), HTTP 200.
        network: drop the connection without an answer. aiohttp retries a GET once after that;
            the retry is dropped too without counting against `times`.
        """
        if kind is not None and kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; one of {', '.join(FAULTS)}")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1")
        if self._fault is not None and self._fault.kind == "timeout":
            self._release.set()  # let hanging requests go (their clients gave up long ago)
            self._release = asyncio.Event()
        self._fault = None if kind is None else _Fault(kind, retry_after, times)
        self._dropped.clear()

    def heal(self) -> None:
        self.fail(None)

    def price(self, asset: str, when: datetime | None = None) -> Decimal:
        """The price this fake quotes for `asset` at `when` (default: its clock's now)."""
        return self._quoter.price(asset.upper(), when or self.clock())

    @property
    def last_served(self) -> dict[str, Decimal]:
        """asset -> the last price this fake served in a ticker."""
        return self._quoter.last_served

    @property
    def sends_retry_after(self) -> bool:
        """Whether this exchange's rate-limit and maintenance answers carry Retry-After."""
        return self.venue.sends_retry_after

    def symbol(self, asset: str) -> str:
        return self.listings[asset.upper()].symbol

    # --- the server ------------------------------------------------------------------------

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        multi = {key: request.query.getall(key) for key in request.query}
        flat: Query = {k: v[0] if len(v) == 1 else list(v) for k, v in multi.items()}
        self.requests.append((request.path, flat))
        if self._is_retry_of_dropped(request.path_qs):
            return self._drop(request)
        fault = self._take_fault()
        if fault is not None and fault.kind == "network":
            self._dropped[request.path_qs] = time.monotonic()
            return self._drop(request)
        if fault is not None and fault.kind == "timeout":
            await self._release.wait()
            return _respond(html_reply(504, "504 Gateway Time-out"))
        retry_after = None
        if fault is not None and fault.retry_after is not None:
            retry_after = f"{fault.retry_after:g}"
        if fault is not None and fault.kind == "rate_limit":
            return _respond(self.venue.rate_limited(retry_after))
        if fault is not None and fault.kind == "maintenance":
            return _respond(self.venue.maintenance(retry_after))
        try:
            reply = self.venue.answer(request.path, multi, self.clock())
        except NotFound:
            self.unhandled.append((request.path, flat))
            reply = html_reply(404, "404 Not Found")
        if fault is not None and fault.kind == "malformed":
            reply = Reply(200, reply.body[: max(len(reply.body) // 2, 1)], reply.content_type)
        return _respond(reply)

    def _take_fault(self) -> _Fault | None:
        fault = self._fault
        if fault is not None and fault.remaining is not None:
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._fault = None
        return fault

    def _is_retry_of_dropped(self, path_qs: str) -> bool:
        dropped_at = self._dropped.pop(path_qs, None)
        return dropped_at is not None and time.monotonic() - dropped_at < _RETRY_WINDOW

    @staticmethod
    def _drop(request: web.BaseRequest) -> web.StreamResponse:
        if request.transport is not None:
            request.transport.abort()
        # nothing reaches the client: its connection is gone before this is written
        return web.Response(status=500)


def _respond(reply: Reply) -> web.Response:
    return web.Response(
        status=reply.status,
        text=reply.body,
        content_type=reply.content_type,
        headers=reply.headers,
    )
