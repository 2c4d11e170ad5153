"""What the fake exchanges share: replies, the quoting engine over a price function, helpers,
and `Venue`, the base of each exchange's dialect (binance.py, kraken.py, coinbase.py).

Each dialect answers its exchange's public market endpoints in the exchange's own raw JSON and
says "slow down" and "down for maintenance" its own way. Shapes follow the recorded
`httpResponse`s in tests/fixtures/exchanges/ccxt_static/response/ and the raw Binance files
next to them; paths and parameters are what ccxt 4.5's binance, kraken and coinbase send.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from core.market import Candle

from .markets import Listing
from .prices import PriceFn, sampled_candle

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)
_ZERO = Decimal(0)


@dataclass
class Reply:
    status: int
    body: str
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(payload: Any, status: int = 200, **headers: str) -> Reply:
    return Reply(status, json.dumps(payload, separators=(",", ":")), headers=dict(headers))


def html_reply(status: int, title: str, **headers: str) -> Reply:
    page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
    return Reply(status, page, "text/html", dict(headers))


class NotFound(Exception):
    """No such endpoint in this fake (answered 404 and recorded in `FakeExchange.unhandled`)."""


@dataclass(frozen=True)
class Day:
    """An asset's last 24 hours as an exchange's ticker reports them."""

    last: Decimal
    open: Decimal
    high: Decimal
    low: Decimal
    volume: Decimal
    tick: Decimal  # bid = last, ask = last + tick

    @property
    def vwap(self) -> Decimal:
        return quantize_to((self.open + self.high + self.low + self.last) / 4, self.tick)

    @property
    def change(self) -> Decimal:
        return self.last - self.open

    @property
    def quote_volume(self) -> Decimal:
        return (self.volume * self.vwap).quantize(Decimal("0.00000001"))

    def change_pct(self, places: int) -> Decimal:
        if not self.open:
            return _ZERO
        return (self.change / self.open * 100).quantize(Decimal(1).scaleb(-places))


class Quoter:
    """Prices and candles as the fake serves them, from the caller's price function."""

    def __init__(self, prices: PriceFn, clock: Callable[[], datetime]) -> None:
        self.prices = prices
        self.clock = clock
        self.last_served: dict[str, Decimal] = {}

    def price(self, asset: str, when: datetime) -> Decimal:
        return self.prices(asset, when)

    def candle(self, asset: str, start: datetime, end: datetime) -> Candle:
        aggregate = getattr(self.prices, "candle", None)
        if aggregate is not None:
            return aggregate(asset, start, end)
        return sampled_candle(self.prices, asset, start, end)

    def tick(self, asset: str, price: Decimal) -> Decimal:
        places = getattr(self.prices, "places", None)
        exponent = -places(asset) if places is not None else price.as_tuple().exponent
        return Decimal(1).scaleb(min(int(exponent), 0))

    def day(self, asset: str, now: datetime) -> Day:
        """The 24 hours up to `now`; records the price served."""
        window = self.candle(asset, now - DAY, now)
        last = self.price(asset, now)
        self.last_served[asset] = last
        return Day(
            last=last,
            open=window.open,
            high=max(window.high, last),
            low=min(window.low, last),
            volume=window.volume,
            tick=self.tick(asset, last),
        )

    def candles(
        self, asset: str, step: timedelta, opens: list[datetime], now: datetime
    ) -> list[Candle]:
        """Candles opening at `opens`; the one containing `now` is still forming."""
        return [self.candle(asset, ts, min(ts + step, now)) for ts in opens if ts <= now]


def floor_to(ts: datetime, step: timedelta) -> datetime:
    return EPOCH + (ts - EPOCH) // step * step


def ceil_to(ts: datetime, step: timedelta) -> datetime:
    floor = floor_to(ts, step)
    return floor if floor == ts else floor + step


def ms(ts: datetime) -> int:
    return (ts - EPOCH) // timedelta(milliseconds=1)


def from_ms(value: str) -> datetime:
    return EPOCH + timedelta(milliseconds=int(value))


def from_s(value: str) -> datetime:
    return EPOCH + timedelta(seconds=int(value))


def quantize_to(value: Decimal, tick: Decimal) -> Decimal:
    return value.quantize(tick)


def pad(value: Decimal, places: int) -> str:
    """Fixed-point with at least `places` decimals, never rounding a digit away."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return f"{value:.{max(places, -exponent)}f}"


def trades_in(volume: Decimal) -> int:
    return 100 + int(volume) % 9_000


class Venue:
    """One exchange's dialect. Subclasses route paths and shape bodies."""

    id: str = ""
    sends_retry_after: bool = True
    timeframes: ClassVar[Mapping[str, timedelta]] = {}

    def __init__(
        self, listings: dict[str, Listing], quoter: Quoter, markets: Mapping[str, Any] | None = None
    ) -> None:
        self.listings = listings
        self.by_id = {listing.id: listing for listing in listings.values()}
        self.quoter = quoter
        # each market's raw record from the exchange (ccxt's `info`), by market id
        self.info = {m["id"]: m.get("info", {}) for m in (markets or {}).values()}

    def answer(self, path: str, query: Mapping[str, list[str]], now: datetime) -> Reply:
        raise NotImplementedError

    def rate_limited(self, retry_after: str | None) -> Reply:
        raise NotImplementedError

    def maintenance(self, retry_after: str | None) -> Reply:
        raise NotImplementedError


def minutes(*values: int) -> dict[str, timedelta]:
    return {str(v): timedelta(minutes=v) for v in values}


def param(query: Mapping[str, list[str]], key: str) -> str | None:
    values = query.get(key)
    return values[0] if values else None


def retry_header(retry_after: str | None) -> dict[str, str]:
    return {} if retry_after is None else {"Retry-After": retry_after}
