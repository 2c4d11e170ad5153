"""FakeStream: binance, coinbase or kraken's public ticker WebSocket on a loopback aiohttp server,
in each exchange's own message format, so ccxt.pro's real subscribing and parsing run against it.

    async with FakeStream("kraken", fake_exchange.listings) as stream:
        exchange = stream.point(ccxt.pro.kraken())
        ...
        await stream.push("BTC", Decimal("70123.4"))

What each speaks (as ccxt.pro 4.5 sends and reads it):
- binance (spot streams): `{"method": "SUBSCRIBE", "params": ["btcusdt@ticker"], "id": 1}` ->
  `{"result": null, "id": 1}`; then 24hrTicker events `{"e": "24hrTicker", "s": "BTCUSDT", ...}`.
- coinbase (Advanced Trade): `{"type": "subscribe", "product_ids": ["BTC-USD"], "channel":
  "ticker"}` -> a "subscriptions" message; then `{"channel": "ticker", "events": [{"type":
  "update", "tickers": [...]}]}`.
- kraken (v2): `{"method": "subscribe", "params": {"channel": "ticker", "symbol": ["BTC/USD"]},
  "req_id": 1}` -> `{"method": "subscribe", "success": true, ...}`; then `{"channel":
  "ticker", "type": "update", "data": [{...}]}` with JSON numbers; pings answered with pongs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.exchanges.markets import Listing

STREAMS = ("binance", "coinbase", "kraken")


class FakeStream:
    """One exchange's ticker stream on 127.0.0.1 (random port). `listings`: asset -> Listing
    (a FakeExchange's), so the stream names markets as the REST fake does."""

    def __init__(self, exchange_id: str, listings: Mapping[str, Listing]) -> None:
        if exchange_id not in STREAMS:
            raise ValueError(f"no fake stream for {exchange_id!r}; have {', '.join(STREAMS)}")
        self.id = exchange_id
        self.listings = dict(listings)
        self.url = ""
        self.refusing = False  # answer every connection attempt with HTTP 503
        self.connections = 0  # WebSocket connections accepted, ever
        self.refused = 0  # connection attempts refused
        self.received: list[dict[str, Any]] = []  # every JSON message a client sent
        self._subscribed: dict[web.WebSocketResponse, set[str]] = {}  # ws -> market names
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> FakeStream:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._serve)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"ws://{host}:{port}"
        return self

    async def close(self) -> None:
        await self.drop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeStream:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- for the test ----------------------------------------------------------------------

    def point(self, exchange: Any) -> Any:
        """Point a ccxt.pro exchange's public WebSocket URL at this server (paths kept, as
        each exchange builds its URL: binance appends a stream number to its spot URL)."""
        ws = exchange.urls["api"]["ws"]
        if self.id == "binance":
            ws["spot"] = f"{self.url}/stream/ws"
        elif self.id == "kraken":
            ws["publicV2"] = f"{self.url}/v2"
        else:
            exchange.urls["api"]["ws"] = self.url
        return exchange

    @property
    def open(self) -> int:
        """Connections now open."""
        return len(self._subscribed)

    async def subscribed(self, asset: str, timeout: float = 10.0) -> None:
        """Wait until some open connection is subscribed to `asset`'s ticker."""
        name = self._name(asset)
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(
                lambda: any(name in names for names in self._subscribed.values())
            )

    async def push(
        self, asset: str, price: Decimal, change_pct: Decimal = Decimal("1.5"), **fields: Any
    ) -> int:
        """Send `asset`'s ticker to every connection subscribed to it; returns how many."""
        name = self._name(asset)
        message = self._ticker(name, price, change_pct, fields)
        sent = 0
        for ws, names in list(self._subscribed.items()):
            if name in names and not ws.closed:
                with contextlib.suppress(ConnectionError, RuntimeError):
                    await ws.send_str(message)
                    sent += 1
        return sent

    async def drop(self) -> None:
        """Close every open connection from the server's side."""
        for ws in list(self._subscribed):
            with contextlib.suppress(Exception):
                await ws.close()
        self._subscribed.clear()

    # --- the server ------------------------------------------------------------------------

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        if self.refusing:
            self.refused += 1
            return web.Response(status=503, text="Service Unavailable")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.connections += 1
        self._subscribed[ws] = set()
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                data = json.loads(msg.data)
                self.received.append(data)
                reply = self._answer(ws, data)
                if reply is not None:
                    await ws.send_str(json.dumps(reply))
                async with self._changed:
                    self._changed.notify_all()
        finally:
            self._subscribed.pop(ws, None)
        return ws

    def _answer(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> dict[str, Any] | None:
        names = self._subscribed.setdefault(ws, set())
        if self.id == "binance" and data.get("method") == "SUBSCRIBE":
            names.update(p.split("@")[0] for p in data.get("params", []))
            return {"result": None, "id": data.get("id")}
        if self.id == "coinbase" and data.get("type") == "subscribe":
            products = list(data.get("product_ids", []))
            names.update(products)
            return {
                "channel": "subscriptions",
                "client_id": "",
                "timestamp": _iso_now(),
                "sequence_num": 0,
                "events": [{"subscriptions": {data.get("channel", "ticker"): products}}],
            }
        if self.id == "kraken" and data.get("method") == "subscribe":
            params = data.get("params", {})
            names.update(params.get("symbol", []))
            return {
                "method": "subscribe",
                "req_id": data.get("req_id"),
                "result": {"channel": params.get("channel"), "snapshot": True},
                "success": True,
                "time_in": _iso_now(),
                "time_out": _iso_now(),
            }
        if self.id == "kraken" and data.get("method") == "ping":
            return {"method": "pong", "req_id": data.get("req_id"), "time_in": _iso_now()}
        return None

    def _name(self, asset: str) -> str:
        """What the exchange's stream calls the asset's market."""
        listing = self.listings[asset.upper()]
        if self.id == "binance":
            return listing.id.lower()
        if self.id == "coinbase":
            return listing.id
        return listing.symbol

    def _ticker(self, name: str, price: Decimal, change: Decimal, fields: dict[str, Any]) -> str:
        bid, ask = price * Decimal("0.9999"), price * Decimal("1.0001")
        if self.id == "binance":
            now_ms = int(datetime.now(UTC).timestamp() * 1000)
            body: dict[str, Any] = {
                "e": "24hrTicker",
                "E": now_ms,
                "s": name.upper(),
                "p": str(price * change / 100),
                "P": str(change),
                "w": str(price),
                "x": str(price),
                "c": str(price),
                "Q": "0.01",
                "b": str(bid),
                "B": "1.5",
                "a": str(ask),
                "A": "2.5",
                "o": str(price),
                "h": str(price * Decimal("1.02")),
                "l": str(price * Decimal("0.98")),
                "v": "1234.5",
                "q": str(price * Decimal("1234.5")),
                "O": now_ms - 86_400_000,
                "C": now_ms,
                "F": 1,
                "L": 2,
                "n": 2,
            }
            return json.dumps({**body, **fields})
        if self.id == "coinbase":
            ticker = {
                "type": "ticker",
                "product_id": name,
                "price": str(price),
                "volume_24_h": "1234.5",
                "low_24_h": str(price * Decimal("0.98")),
                "high_24_h": str(price * Decimal("1.02")),
                "low_52_w": "1",
                "high_52_w": "200000",
                "price_percent_chg_24_h": str(change),
                "best_bid": str(bid),
                "best_bid_quantity": "1.5",
                "best_ask": str(ask),
                "best_ask_quantity": "2.5",
                **fields,
            }
            return json.dumps(
                {
                    "channel": "ticker",
                    "client_id": "",
                    "timestamp": _iso_now(),
                    "sequence_num": 1,
                    "events": [{"type": "update", "tickers": [ticker]}],
                }
            )
        data = {  # kraken v2 sends JSON numbers
            "symbol": name,
            "bid": float(bid),
            "bid_qty": 1.5,
            "ask": float(ask),
            "ask_qty": 2.5,
            "last": float(price),
            "volume": 1234.5,
            "vwap": float(price),
            "low": float(price * Decimal("0.98")),
            "high": float(price * Decimal("1.02")),
            "change": float(price * change / 100),
            "change_pct": float(change),
            **fields,
        }
        return json.dumps({"channel": "ticker", "type": "update", "data": [data]})


def _iso_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
