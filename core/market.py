"""Market data as plain values: what an exchange quoted, candles, and the price a person sees."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

TIMEFRAMES: dict[str, timedelta] = {
    "1m": timedelta(minutes=1),
    "5m": timedelta(minutes=5),
    "15m": timedelta(minutes=15),
    "1h": timedelta(hours=1),
    "4h": timedelta(hours=4),
    "1d": timedelta(days=1),
}


@dataclass(frozen=True, slots=True)
class Ticker:
    """One exchange's 24-hour ticker for one market, e.g. binance BTC/USDT."""

    exchange: str
    market: str
    base: str
    quote: str
    last: Decimal
    ts: datetime
    change_24h_pct: Decimal | None = None
    base_volume_24h: Decimal | None = None
    quote_volume_24h: Decimal | None = None
    bid: Decimal | None = None
    ask: Decimal | None = None
    kind: str = "spot"  # or "perp": a perpetual swap's book, never in a spot price


@dataclass(frozen=True, slots=True)
class Candle:
    """One OHLCV candle; `ts` is the candle's open time, aware UTC."""

    ts: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal


@dataclass(frozen=True, slots=True)
class PriceQuote:
    """The price of an asset as Pythia shows it: where it came from and when.

    `outliers`: exchanges whose quote was left out (no price, stamped in the future, or far
    from the others). `dispute`: when the exchanges disagree and no majority agrees, each
    exchange's price, lowest first — the price is then one exchange's, not a blend.
    """

    asset: str
    price: Decimal
    quote: str
    exchange: str
    ts: datetime
    change_24h_pct: Decimal | None = None
    volume_24h: Decimal | None = None
    sources: tuple[str, ...] = ()  # exchanges a cross-exchange price was taken from
    spread_pct: Decimal | None = None  # (highest - lowest) / price across those exchanges
    outliers: tuple[str, ...] = ()
    dispute: tuple[tuple[str, Decimal], ...] = ()

    @property
    def disputed(self) -> bool:
        return bool(self.dispute)

    def age(self, now: datetime) -> timedelta:
        return max(now - self.ts, timedelta(0))

    def to_json(self) -> str:
        return json.dumps(
            {
                "asset": self.asset,
                "price": str(self.price),
                "quote": self.quote,
                "exchange": self.exchange,
                "ts": self.ts.isoformat(),
                "change_24h_pct": _opt_str(self.change_24h_pct),
                "volume_24h": _opt_str(self.volume_24h),
                "sources": list(self.sources),
                "spread_pct": _opt_str(self.spread_pct),
                "outliers": list(self.outliers),
                "dispute": [[exchange, str(price)] for exchange, price in self.dispute],
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> PriceQuote:
        data = json.loads(text)
        return cls(
            asset=data["asset"],
            price=Decimal(data["price"]),
            quote=data["quote"],
            exchange=data["exchange"],
            ts=datetime.fromisoformat(data["ts"]).astimezone(UTC),
            change_24h_pct=_opt_decimal(data.get("change_24h_pct")),
            volume_24h=_opt_decimal(data.get("volume_24h")),
            sources=tuple(data.get("sources") or ()),
            spread_pct=_opt_decimal(data.get("spread_pct")),
            outliers=tuple(data.get("outliers") or ()),
            dispute=tuple((e, Decimal(p)) for e, p in data.get("dispute") or ()),
        )

    @classmethod
    def from_ticker(cls, ticker: Ticker) -> PriceQuote:
        return cls(
            asset=ticker.base,
            price=ticker.last,
            quote=ticker.quote,
            exchange=ticker.exchange,
            ts=ticker.ts,
            change_24h_pct=ticker.change_24h_pct,
            volume_24h=ticker.base_volume_24h,
        )


def _opt_str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _opt_decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def resample(candles: list[Candle], timeframe: str) -> list[Candle]:
    """Candles of a longer `timeframe` built from shorter ones (4h from 1h), epoch-aligned."""
    merged: dict[datetime, list[Candle]] = {}
    for candle in candles:
        merged.setdefault(floor_time(candle.ts, timeframe), []).append(candle)
    return [
        Candle(
            ts=ts,
            open=group[0].open,
            high=max(c.high for c in group),
            low=min(c.low for c in group),
            close=group[-1].close,
            volume=sum((c.volume for c in group), Decimal(0)),
        )
        for ts, group in merged.items()
    ]


def floor_time(ts: datetime, timeframe: str) -> datetime:
    """The open time of the candle of `timeframe` that contains `ts` (UTC, epoch-aligned)."""
    step = int(TIMEFRAMES[timeframe].total_seconds())
    seconds = int(ts.timestamp())
    return datetime.fromtimestamp(seconds - seconds % step, UTC)
