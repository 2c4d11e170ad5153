"""The fake OKX: v5 public instruments, tickers and candles in its `{"code", "msg", "data"}`
envelope.

Shapes follow OKX's v5 documentation (public-data instruments, market tickers, candlesticks
and candlesticks history) and the recorded instrument records in
tests/fixtures/exchanges/ccxt_static/markets/okx.json. Candles come newest first, between the
exclusive bounds `before` and `after` (ms); an error is a non-zero `code`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from .markets import Listing
from .venues import (
    DAY,
    NotFound,
    Reply,
    Venue,
    floor_to,
    from_ms,
    json_reply,
    ms,
    pad,
    param,
)

_QUOTE_VOLUME = Decimal("0.00000001")


def envelope(data: list[Any], code: str = "0", message: str = "", status: int = 200) -> Reply:
    return json_reply({"code": code, "msg": message, "data": data}, status)


class Okx(Venue):
    """OKX says "too many requests" as HTTP 429 with code 50011 and "upgrading" as 503 with
    code 50001; it sends no Retry-After."""

    id = "okx"
    sends_retry_after = False
    timeframes: ClassVar[Mapping[str, timedelta]] = {
        "1m": timedelta(minutes=1),
        "3m": timedelta(minutes=3),
        "5m": timedelta(minutes=5),
        "15m": timedelta(minutes=15),
        "30m": timedelta(minutes=30),
        "1H": timedelta(hours=1),
        "2H": timedelta(hours=2),
        "4H": timedelta(hours=4),
        "6Hutc": timedelta(hours=6),
        "12Hutc": timedelta(hours=12),
        "1Dutc": DAY,
    }
    MAX_CANDLES = 300

    def answer(self, path: str, query: Mapping[str, list[str]], now: datetime) -> Reply:
        kind = param(query, "instType")
        if path == "/api/v5/public/instruments":
            return envelope([self.info[i] for i in self.by_id] if kind == "SPOT" else [])
        if path == "/api/v5/market/tickers":
            if kind != "SPOT":
                return envelope([])
            return envelope([self._ticker(listing, now) for listing in self.by_id.values()])
        if path in ("/api/v5/market/candles", "/api/v5/market/history-candles"):
            return self._candles(query, now)
        raise NotFound(path)

    def _ticker(self, listing: Listing, now: datetime) -> dict[str, Any]:
        day = self.quoter.day(listing.asset, now)
        places = -int(day.tick.as_tuple().exponent)
        today = self.quoter.candle(listing.asset, floor_to(now, DAY), now)
        return {
            "instType": "SPOT",
            "instId": listing.id,
            "last": pad(day.last, places),
            "lastSz": "0.01",
            "askPx": pad(day.last + day.tick, places),
            "askSz": "3.2197",
            "bidPx": pad(day.last, places),
            "bidSz": "4.7509",
            "open24h": pad(day.open, places),
            "high24h": pad(day.high, places),
            "low24h": pad(day.low, places),
            "volCcy24h": str(day.quote_volume),
            "vol24h": str(day.volume),
            "ts": str(ms(now)),
            "sodUtc0": pad(today.open, places),
            "sodUtc8": pad(today.open, places),
        }

    def _candles(self, query: Mapping[str, list[str]], now: datetime) -> Reply:
        listing = self.by_id.get(param(query, "instId") or "")
        if listing is None:
            return envelope([], "51001", "Instrument ID does not exist.")
        step = self.timeframes.get(param(query, "bar") or "1m")
        if step is None:
            return envelope([], "51000", "Parameter bar error")
        limit = min(int(param(query, "limit") or 100), self.MAX_CANDLES)
        before, after = param(query, "before"), param(query, "after")
        newest = floor_to(now, step)
        if after:  # strictly earlier than `after`
            newest = min(newest, floor_to(from_ms(after) - timedelta(milliseconds=1), step))
        opens = [newest - step * i for i in range(limit)]
        if before:  # strictly later than `before`
            opens = [ts for ts in opens if ts > from_ms(before)]
        rows = []
        for c in self.quoter.candles(listing.asset, step, opens[::-1], now):
            traded = (c.volume * (c.open + c.close) / 2).quantize(_QUOTE_VOLUME)
            closed = "1" if c.ts + step <= now else "0"
            row = [str(ms(c.ts)), str(c.open), str(c.high), str(c.low), str(c.close)]
            rows.append([*row, str(c.volume), str(traded), str(traded), closed])
        return envelope(rows[::-1])  # newest first

    def rate_limited(self, retry_after: str | None) -> Reply:
        return envelope([], "50011", "Too Many Requests", 429)

    def maintenance(self, retry_after: str | None) -> Reply:
        message = "Service temporarily unavailable. Please try again later."
        return envelope([], "50001", message, 503)
