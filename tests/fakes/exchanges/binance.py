"""The fake Binance: spot /api/v3 tickers (24 h and rolling) and klines."""

from __future__ import annotations

import json
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
    ceil_to,
    floor_to,
    from_ms,
    json_reply,
    ms,
    pad,
    param,
    retry_header,
    trades_in,
)


class Binance(Venue):
    id = "binance"
    timeframes: ClassVar[Mapping[str, timedelta]] = {
        "1m": timedelta(minutes=1),
        "3m": timedelta(minutes=3),
        "5m": timedelta(minutes=5),
        "15m": timedelta(minutes=15),
        "30m": timedelta(minutes=30),
        "1h": timedelta(hours=1),
        "2h": timedelta(hours=2),
        "4h": timedelta(hours=4),
        "6h": timedelta(hours=6),
        "12h": timedelta(hours=12),
        "1d": DAY,
    }

    def answer(self, path: str, query: Mapping[str, list[str]], now: datetime) -> Reply:
        if path in ("/api/v3/ticker/24hr", "/api/v3/ticker"):
            rolling = path == "/api/v3/ticker"
            one = param(query, "symbol")
            many = param(query, "symbols")
            ids = [one] if one else json.loads(many) if many else list(self.by_id)
            if any(i not in self.by_id for i in ids):
                return json_reply({"code": -1121, "msg": "Invalid symbol."}, 400)
            tickers = [self._ticker(self.by_id[i], now, rolling) for i in ids]
            return json_reply(tickers[0] if one else tickers)
        if path == "/api/v3/klines":
            return self._klines(query, now)
        raise NotFound(path)

    def _ticker(self, listing: Listing, now: datetime, rolling: bool) -> dict[str, Any]:
        day = self.quoter.day(listing.asset, now)
        count = trades_in(day.volume)
        first_id = 1_000_000 + ms(now) // 1000 % 1_000_000 * 10
        ticker: dict[str, Any] = {
            "symbol": listing.id,
            "priceChange": pad(day.change, 8),
            "priceChangePercent": str(day.change_pct(3)),
            "weightedAvgPrice": pad(day.vwap, 8),
            "prevClosePrice": pad(day.open, 8),
            "lastPrice": pad(day.last, 8),
            "lastQty": "0.01000000",
            "bidPrice": pad(day.last, 8),
            "bidQty": "1.50000000",
            "askPrice": pad(day.last + day.tick, 8),
            "askQty": "0.75000000",
            "openPrice": pad(day.open, 8),
            "highPrice": pad(day.high, 8),
            "lowPrice": pad(day.low, 8),
            "volume": pad(day.volume, 8),
            "quoteVolume": pad(day.quote_volume, 8),
            "openTime": ms(now - DAY),
            "closeTime": ms(now),
            "firstId": first_id,
            "lastId": first_id + count - 1,
            "count": count,
        }
        if rolling:  # the rolling-window endpoint has no book or previous-close fields
            for key in ("prevClosePrice", "lastQty", "bidPrice", "bidQty", "askPrice", "askQty"):
                del ticker[key]
        return ticker

    def _klines(self, query: Mapping[str, list[str]], now: datetime) -> Reply:
        listing = self.by_id.get(param(query, "symbol") or "")
        if listing is None:
            return json_reply({"code": -1121, "msg": "Invalid symbol."}, 400)
        interval = param(query, "interval") or ""
        if interval not in self.timeframes:
            return json_reply({"code": -1120, "msg": "Invalid interval."}, 400)
        step = self.timeframes[interval]
        limit = min(int(param(query, "limit") or 500), 1000)
        start, end = param(query, "startTime"), param(query, "endTime")
        last = floor_to(min(now, from_ms(end)) if end else now, step)
        if start:  # the `limit` candles opening at or after startTime
            first = ceil_to(from_ms(start), step)
            opens = [first + step * i for i in range(limit) if first + step * i <= last]
        else:  # the latest `limit` candles
            opens = [last - step * i for i in range(limit)][::-1]
        rows = []
        for c in self.quoter.candles(listing.asset, step, opens, now):
            count = trades_in(c.volume)
            vwap = (c.open + c.high + c.low + c.close) / 4
            rows.append(
                [
                    ms(c.ts),
                    pad(c.open, 8),
                    pad(c.high, 8),
                    pad(c.low, 8),
                    pad(c.close, 8),
                    pad(c.volume, 8),
                    ms(c.ts + step) - 1,
                    pad((c.volume * vwap).quantize(Decimal("0.00000001")), 8),
                    count,
                    pad((c.volume / 2).quantize(Decimal("0.00000001")), 8),
                    pad((c.volume * vwap / 2).quantize(Decimal("0.00000001")), 8),
                    "0",
                ]
            )
        return json_reply(rows)

    def rate_limited(self, retry_after: str | None) -> Reply:
        message = (
            "Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute. "
            "Please use WebSocket Streams for live updates to avoid polling the API."
        )
        return json_reply({"code": -1003, "msg": message}, 429, **retry_header(retry_after))

    def maintenance(self, retry_after: str | None) -> Reply:
        body = {"code": 1, "msg": "System is under maintenance."}
        return json_reply(body, 503, **retry_header(retry_after))
