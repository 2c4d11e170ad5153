"""The fake Bybit: v5 public market data (instruments, tickers, klines) in its own envelope.

Shapes follow Bybit's v5 documentation (market/instrument, market/tickers, market/kline) and
the recorded instrument records in tests/fixtures/exchanges/ccxt_static/markets/bybit.json.
Every answer is `{"retCode", "retMsg", "result", "retExtInfo", "time"}`; an error is HTTP 200
with a non-zero retCode, except what Bybit's gateway answers itself (503 pages).
"""

from __future__ import annotations

import time
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
    html_reply,
    json_reply,
    minutes,
    ms,
    pad,
    param,
)


def envelope(result: Any, now: datetime, code: int = 0, message: str = "OK") -> Reply:
    return json_reply(
        {"retCode": code, "retMsg": message, "result": result, "retExtInfo": {}, "time": ms(now)}
    )


class Bybit(Venue):
    """Bybit's API-level rate limit is retCode 10006 over HTTP 200; it sends no Retry-After
    (its X-Bapi-Limit-Reset-Timestamp header is not one ccxt reads)."""

    id = "bybit"
    sends_retry_after = False
    timeframes: ClassVar[Mapping[str, timedelta]] = {
        **minutes(1, 3, 5, 15, 30, 60, 120, 240, 360, 720),
        "D": DAY,
    }
    MAX_CANDLES = 1000

    def answer(self, path: str, query: Mapping[str, list[str]], now: datetime) -> Reply:
        category = param(query, "category")
        if path == "/v5/market/instruments-info":
            rows = [self.info[i] for i in self.by_id] if category == "spot" else []
            return envelope({"category": category, "list": rows, "nextPageCursor": ""}, now)
        if path == "/v5/market/tickers":
            if category != "spot":
                return envelope({"category": category, "list": []}, now)
            one = param(query, "symbol")
            if one is not None and one not in self.by_id:
                return envelope({}, now, 10001, "Not supported symbols")
            ids = [one] if one else list(self.by_id)
            rows = [self._ticker(self.by_id[i], now) for i in ids]
            return envelope({"category": "spot", "list": rows}, now)
        if path == "/v5/market/kline":
            return self._kline(query, now)
        raise NotFound(path)

    def _ticker(self, listing: Listing, now: datetime) -> dict[str, Any]:
        day = self.quoter.day(listing.asset, now)
        places = -int(day.tick.as_tuple().exponent)
        change = day.change / day.open if day.open else Decimal(0)
        return {
            "symbol": listing.id,
            "bid1Price": pad(day.last, places),
            "bid1Size": "2",
            "ask1Price": pad(day.last + day.tick, places),
            "ask1Size": "1.862172",
            "lastPrice": pad(day.last, places),
            "prevPrice24h": pad(day.open, places),
            "price24hPcnt": str(change.quantize(Decimal("0.0001"))),
            "highPrice24h": pad(day.high, places),
            "lowPrice24h": pad(day.low, places),
            "turnover24h": str(day.quote_volume),
            "volume24h": str(day.volume),
            "usdIndexPrice": pad(day.vwap, places),
        }

    def _kline(self, query: Mapping[str, list[str]], now: datetime) -> Reply:
        listing = self.by_id.get(param(query, "symbol") or "")
        if listing is None or param(query, "category") != "spot":
            return envelope({}, now, 10001, "Not supported symbols")
        step = self.timeframes.get(param(query, "interval") or "")
        if step is None:
            return envelope({}, now, 10001, "Invalid period!")
        limit = min(int(param(query, "limit") or 200), self.MAX_CANDLES)
        start, end = param(query, "start"), param(query, "end")
        last = floor_to(min(now, from_ms(end)) if end else now, step)
        if start:  # from the candle that contains `start`, oldest `limit` of them
            first = floor_to(from_ms(start), step)
            opens = [first + step * i for i in range(limit) if first + step * i <= last]
        else:  # the latest `limit`
            opens = [last - step * i for i in range(limit)][::-1]
        rows = [
            [
                str(ms(c.ts)),
                str(c.open),
                str(c.high),
                str(c.low),
                str(c.close),
                str(c.volume),
                str((c.volume * (c.open + c.close) / 2).quantize(Decimal("0.00000001"))),
            ]
            for c in self.quoter.candles(listing.asset, step, opens, now)
        ]
        result = {"symbol": listing.id, "category": "spot", "list": rows[::-1]}  # newest first
        return envelope(result, now)

    def rate_limited(self, retry_after: str | None) -> Reply:
        body = {
            "retCode": 10006,
            "retMsg": "Too many visits!",
            "result": {},
            "retExtInfo": {},
            "time": int(time.time() * 1000),
        }
        return json_reply(body)

    def maintenance(self, retry_after: str | None) -> Reply:
        return html_reply(503, "503 Service Temporarily Unavailable")
