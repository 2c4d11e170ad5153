"""The fake Kraken: /0/public Ticker and OHLC; errors as HTTP 200 with an `error` list."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from .markets import Listing
from .venues import (
    DAY,
    EPOCH,
    NotFound,
    Reply,
    Venue,
    floor_to,
    from_s,
    json_reply,
    minutes,
    pad,
    param,
    quantize_to,
    trades_in,
)


class Kraken(Venue):
    """Kraken answers errors with HTTP 200 and an `error` list, and sends no Retry-After."""

    id = "kraken"
    sends_retry_after = False
    timeframes: ClassVar[Mapping[str, timedelta]] = minutes(
        1, 5, 15, 30, 60, 240, 1440, 10080, 21600
    )
    MAX_CANDLES = 720

    def answer(self, path: str, query: Mapping[str, list[str]], now: datetime) -> Reply:
        if path == "/0/public/Ticker":
            pairs = (param(query, "pair") or "").split(",")
            ids = [p for p in pairs if p] or list(self.by_id)
            if any(i not in self.by_id for i in ids):
                return json_reply({"error": ["EQuery:Unknown asset pair"]})
            result = {i: self._ticker(self.by_id[i], now) for i in ids}
            return json_reply({"error": [], "result": result})
        if path == "/0/public/OHLC":
            return self._ohlc(query, now)
        raise NotFound(path)

    def _ticker(self, listing: Listing, now: datetime) -> dict[str, Any]:
        day = self.quoter.day(listing.asset, now)
        today = self.quoter.candle(listing.asset, floor_to(now, DAY), now)
        places = max(5, -int(day.tick.as_tuple().exponent))
        count = trades_in(day.volume)
        today_vwap = quantize_to((today.open + today.high + today.low + today.close) / 4, day.tick)
        return {
            "a": [pad(day.last + day.tick, places), "1", "1.000"],
            "b": [pad(day.last, places), "2", "2.000"],
            "c": [pad(day.last, places), "0.01000000"],
            "v": [pad(today.volume, 8), pad(day.volume, 8)],
            "p": [pad(today_vwap, places), pad(day.vwap, places)],
            "t": [trades_in(today.volume), count],
            "l": [pad(min(today.low, day.last), places), pad(day.low, places)],
            "h": [pad(max(today.high, day.last), places), pad(day.high, places)],
            "o": pad(today.open, places),
        }

    def _ohlc(self, query: Mapping[str, list[str]], now: datetime) -> Reply:
        listing = self.by_id.get(param(query, "pair") or "")
        if listing is None:
            return json_reply({"error": ["EQuery:Unknown asset pair"]})
        interval = param(query, "interval") or "1"
        if interval not in self.timeframes:
            return json_reply({"error": ["EGeneral:Invalid arguments"]})
        step = self.timeframes[interval]
        forming = floor_to(now, step)
        # the latest 720 candles, of those the ones opening after `since` (seconds)
        opens = [forming - step * i for i in range(self.MAX_CANDLES)][::-1]
        since = param(query, "since")
        if since:
            opens = [ts for ts in opens if ts > from_s(since)]
        rows = []
        for c in self.quoter.candles(listing.asset, step, opens, now):
            places = max(1, -int(self.quoter.tick(listing.asset, c.close).as_tuple().exponent))
            vwap = quantize_to((c.open + c.high + c.low + c.close) / 4, Decimal(1).scaleb(-places))
            rows.append(
                [
                    int((c.ts - EPOCH).total_seconds()),
                    pad(c.open, places),
                    pad(c.high, places),
                    pad(c.low, places),
                    pad(c.close, places),
                    pad(vwap, places),
                    pad(c.volume, 8),
                    trades_in(c.volume),
                ]
            )
        last = int((forming - step - EPOCH).total_seconds())  # the newest committed candle
        return json_reply({"error": [], "result": {listing.id: rows, "last": last}})

    def rate_limited(self, retry_after: str | None) -> Reply:
        return json_reply({"error": ["EGeneral:Too many requests"]})

    def maintenance(self, retry_after: str | None) -> Reply:
        return json_reply({"error": ["EService:Unavailable"]})
