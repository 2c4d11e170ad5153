"""The sandbox market: bundled real candles played forward as if live, on the replay clock.

A tick between candle boundaries walks the candle's own path, open → low → high → close for a
rising candle (open → high → low → close for a falling one), so prices move the way the market
did within the hour, and a 24 h change compares against the same walk a day earlier.
"""

from __future__ import annotations

import bisect
import csv
import functools
import gzip
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

from core.clock import ReplayClock
from core.market import TIMEFRAMES, Candle, Ticker, floor_time

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "sandbox"
HOUR = timedelta(hours=1)
# Data before the replay starts (what charts and 24 h changes need); the other 60 of the 120
# bundled days play forward: a day of sandbox at 60x.
HISTORY = timedelta(days=60)
VOLUME_QUANTUM = Decimal("0.00000001")


@dataclass(frozen=True)
class _Series:
    times: list[datetime]
    candles: list[Candle]
    places: int  # the decimal places this asset is quoted in (its tick size)

    def index_at(self, when: datetime) -> int:
        """Index of the candle containing `when` (the previous one across a gap)."""
        return max(bisect.bisect_right(self.times, when) - 1, 0)


def _read(path: Path) -> _Series:
    candles = []
    with gzip.open(path, "rt", newline="") as handle:
        for row in csv.DictReader(handle):
            ts = datetime.fromisoformat(row["date"]).replace(tzinfo=UTC)
            candles.append(
                Candle(ts, *(Decimal(row[k]) for k in ("open", "high", "low", "close", "volume")))
            )
    # Binance pads to 8 places; the real tick is the most places any recent close needs.
    places = max(max(-int(c.close.normalize().as_tuple().exponent) for c in candles[-500:]), 0)
    return _Series([c.ts for c in candles], candles, places)


@functools.cache  # read once per process: the files never change while it runs
def load_series(data_dir: Path = DATA_DIR) -> dict[str, _Series]:
    series = {}
    for path in sorted(data_dir.glob("*USDT_1h.csv.gz")):
        series[path.name.removesuffix("USDT_1h.csv.gz")] = _read(path)
    if not series:
        raise FileNotFoundError(f"no replay data (*USDT_1h.csv.gz) in {data_dir}")
    return series


def replay_start(series: dict[str, _Series]) -> datetime:
    """The data moment the replay starts at: with HISTORY of candles behind it."""
    first = max(s.times[0] for s in series.values())
    return first + HISTORY


def price_on_path(candle: Candle, fraction: float, places: int) -> Decimal:
    """Where the price was `fraction` (0..1) of the way through `candle`."""
    rising = candle.close >= candle.open
    path = (
        [candle.open, candle.low, candle.high, candle.close]
        if rising
        else [candle.open, candle.high, candle.low, candle.close]
    )
    position = min(max(fraction, 0.0), 1.0) * 3
    leg = min(int(position), 2)
    start, end = path[leg], path[leg + 1]
    exact = start + (end - start) * Decimal(repr(position - leg))
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


class ReplaySource:
    """A MarketSource over the bundled candles; times are shifted onto the replay clock."""

    name = "replay"

    def __init__(self, clock: ReplayClock, series: dict[str, _Series] | None = None) -> None:
        self._clock = clock
        self._series = series if series is not None else load_series()
        self._warned_end = False

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    def market_for(self, asset: str) -> tuple[str, str] | None:
        return (f"{asset}/USDT", "USDT") if asset in self._series else None

    def listed(self) -> dict[str, tuple[str, str]]:
        return {asset: (f"{asset}/USDT", "USDT") for asset in self._series}

    def price_at(self, asset: str, when: datetime) -> Decimal:
        """The replayed price of `asset` at data time `when`."""
        series = self._series[asset]
        candle = series.candles[series.index_at(when)]
        if when >= candle.ts + HOUR:  # past the data's end, or inside an exchange outage
            if when > series.times[-1] + HOUR and not self._warned_end:
                log.warning("replay reached the end of its data; prices now stand still")
                self._warned_end = True
            return candle.close
        return price_on_path(candle, (when - candle.ts) / HOUR, series.places)

    async def fetch_tickers(self, assets: Sequence[str]) -> list[Ticker]:
        data_now = self._clock.data_now()
        shown_now = self._clock.now()
        tickers = []
        for asset in assets:
            if asset not in self._series:
                continue
            price = self.price_at(asset, data_now)
            before = self.price_at(asset, data_now - timedelta(hours=24))
            change = ((price / before - 1) * 100).quantize(Decimal("0.01")) if before else None
            series = self._series[asset]
            day = series.candles[series.index_at(data_now - timedelta(hours=24)) + 1 :][:24]
            volume = sum((c.volume for c in day if c.ts <= data_now), Decimal(0))
            tickers.append(
                Ticker(
                    exchange=self.name,
                    market=f"{asset}/USDT",
                    base=asset,
                    quote="USDT",
                    last=price,
                    ts=shown_now,
                    change_24h_pct=change,
                    base_volume_24h=volume,
                )
            )
        return tickers

    async def fetch_candles(
        self, asset: str, timeframe: str, since: datetime | None = None, limit: int = 500
    ) -> list[Candle]:
        """Hourly data aggregated to `timeframe`, shifted to the clock; the last one is forming."""
        if asset not in self._series or timeframe not in TIMEFRAMES:
            return []
        step = TIMEFRAMES[timeframe]
        if step < HOUR:
            return []  # the bundled data is hourly; finer candles do not exist in the sandbox
        shift, data_now = self._clock.shift, self._clock.data_now()
        start = (since - shift) if since else data_now - step * limit
        series = self._series[asset]
        buckets: dict[datetime, list[Candle]] = {}
        for candle in series.candles[series.index_at(start) :]:
            if candle.ts > data_now:
                break
            shown = floor_time(candle.ts + shift, timeframe)
            if since is None or shown >= floor_time(since, timeframe):
                buckets.setdefault(shown, []).append(candle)
        result = [self._merge(ts, group, asset, data_now) for ts, group in buckets.items()]
        # As exchanges page: from `since`, the first `limit`; without it, the latest `limit`.
        return result[:limit] if since else result[-limit:]

    def _merge(self, ts: datetime, group: list[Candle], asset: str, data_now: datetime) -> Candle:
        last = group[-1]
        if data_now < last.ts + HOUR:  # the hour still forming: only the path walked so far
            fraction = (data_now - last.ts) / HOUR
            group = [*group[:-1], partial_candle(last, fraction, self._series[asset].places)]
        return Candle(
            ts=ts,
            open=group[0].open,
            high=max(c.high for c in group),
            low=min(c.low for c in group),
            close=group[-1].close,
            volume=sum((c.volume for c in group), Decimal(0)),
        )


def partial_candle(candle: Candle, fraction: float, places: int) -> Candle:
    """The candle as it stood `fraction` of the way through its hour."""
    now = price_on_path(candle, fraction, places)
    rising = candle.close >= candle.open
    first, second = (candle.low, candle.high) if rising else (candle.high, candle.low)
    reached = [candle.open, now] + [first] * (fraction >= 1 / 3) + [second] * (fraction >= 2 / 3)
    return Candle(
        ts=candle.ts,
        open=candle.open,
        high=max(reached),
        low=min(reached),
        close=now,
        volume=(candle.volume * Decimal(repr(min(max(fraction, 0.0), 1.0)))).quantize(
            VOLUME_QUANTUM
        ),
    )


def replay_clock(
    series: dict[str, _Series],
    speed: float,
    started: datetime | None = None,
    wall: Callable[[], float] = time.monotonic,
) -> ReplayClock:
    """A clock that starts now and plays the data from replay_start(), shifted by whole days
    so candles keep their hour and day boundaries. `wall` is what makes it move."""
    started = started or datetime.now(UTC)
    base = replay_start(series)
    days = (started.date() - base.date()).days
    return ReplayClock(
        data_start=started - timedelta(days=days), speed=speed, started=started, wall=wall
    )
