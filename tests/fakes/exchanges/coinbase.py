"""The fake Coinbase Advanced Trade: public /api/v3/brokerage/market products and candles."""

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
    ceil_to,
    from_s,
    html_reply,
    json_reply,
    ms,
    param,
    retry_header,
)


class Coinbase(Venue):
    """Rate limits and outages come from Coinbase's gateway as HTML pages, not JSON."""

    id = "coinbase"
    timeframes: ClassVar[Mapping[str, timedelta]] = {
        "ONE_MINUTE": timedelta(minutes=1),
        "FIVE_MINUTE": timedelta(minutes=5),
        "FIFTEEN_MINUTE": timedelta(minutes=15),
        "THIRTY_MINUTE": timedelta(minutes=30),
        "ONE_HOUR": timedelta(hours=1),
        "TWO_HOUR": timedelta(hours=2),
        "SIX_HOUR": timedelta(hours=6),
        "ONE_DAY": DAY,
    }
    MAX_CANDLES = 350
    PREFIX = "/api/v3/brokerage/market/products"

    def answer(self, path: str, query: Mapping[str, list[str]], now: datetime) -> Reply:
        if path == self.PREFIX:
            ids = query.get("product_ids") or list(self.by_id)
            products = [self._product(self.by_id[i], now) for i in ids if i in self.by_id]
            return json_reply({"products": products, "num_products": len(products)})
        if path.startswith(self.PREFIX + "/"):
            product, _, endpoint = path[len(self.PREFIX) + 1 :].partition("/")
            if endpoint not in ("ticker", "candles"):
                raise NotFound(path)
            listing = self.by_id.get(product)
            if listing is None:
                message = "ProductID is invalid"
                body = {"error": "NOT_FOUND", "error_details": message, "message": message}
                return json_reply(body, 404)
            if endpoint == "ticker":
                return self._trades(listing, now)
            return self._candles(listing, query, now)
        raise NotFound(path)

    def _product(self, listing: Listing, now: datetime) -> dict[str, Any]:
        day = self.quoter.day(listing.asset, now)
        return {
            **self.info[listing.id],
            "price": str(day.last),
            "price_percentage_change_24h": str(day.change_pct(14)),
            "volume_24h": str(day.volume),
            "volume_percentage_change_24h": "0",
            "mid_market_price": "",
            "approximate_quote_24h_volume": str(day.quote_volume.quantize(Decimal("0.01"))),
        }

    def _trades(self, listing: Listing, now: datetime) -> Reply:
        day = self.quoter.day(listing.asset, now)
        trade = {
            "trade_id": str(ms(now)),
            "product_id": listing.id,
            "price": str(day.last),
            "size": "0.01000000",
            "time": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "side": "BUY",
            "bid": "",
            "ask": "",
        }
        body = {"trades": [trade], "best_bid": str(day.last), "best_ask": str(day.last + day.tick)}
        return json_reply(body)

    def _candles(self, listing: Listing, query: Mapping[str, list[str]], now: datetime) -> Reply:
        step = self.timeframes.get(param(query, "granularity") or "")
        start, end = param(query, "start"), param(query, "end")
        if step is None or not start or not end:
            message = "granularity, start and end are required"
            body = {"error": "INVALID_ARGUMENT", "error_details": message, "message": message}
            return json_reply(body, 400)
        first, last = ceil_to(from_s(start), step), min(from_s(end), now)
        opens = []
        while first <= last and len(opens) <= self.MAX_CANDLES:
            opens.append(first)
            first += step
        if len(opens) > self.MAX_CANDLES:
            message = f"number of candles requested should be less than {self.MAX_CANDLES}"
            body = {"error": "INVALID_ARGUMENT", "error_details": message, "message": message}
            return json_reply(body, 400)
        candles = [
            {
                "start": str(int((c.ts - EPOCH).total_seconds())),
                "low": str(c.low),
                "high": str(c.high),
                "open": str(c.open),
                "close": str(c.close),
                "volume": str(c.volume),
            }
            for c in self.quoter.candles(listing.asset, step, opens, now)
        ]
        return json_reply({"candles": candles[::-1]})  # newest first, as coinbase sends them

    def rate_limited(self, retry_after: str | None) -> Reply:
        return html_reply(429, "429 Too Many Requests", **retry_header(retry_after))

    def maintenance(self, retry_after: str | None) -> Reply:
        return html_reply(503, "503 Service Unavailable", **retry_header(retry_after))
