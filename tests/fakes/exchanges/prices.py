"""Moving prices for the fake exchanges: the bundled replay candles played on the wall clock.

`ReplayPrices` maps a wall-clock moment onto the bundled hourly data (`workers.sources.replay`)
with a fixed origin and a speed factor, wrapping around at the end of the data, and walks each
hourly candle's own path (`price_on_path`: open → low → high → close for a rising candle). Any
interval of wall time aggregates to one candle: whole data hours keep their OHLC, part of an hour
is the part of its path walked in that time (so 1m candles are interpolated along the hour's path,
not real minute data), and volume is the hour's volume pro rata.

Assets without bundled data (anything but BTC ETH SOL BNB XRP ADA DOGE) get a synthetic series:
the path of one of those, rescaled by a fixed factor derived from the asset's name.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from core.market import Candle
from workers.sources.replay import load_series, price_on_path

PriceFn = Callable[[str, datetime], Decimal]

# The wall-clock moment that plays the data's first whole day (a fixed offset, so a given
# moment always quotes the same price); at speed 1, wall hours and days fall on data hours and
# days, so an hourly candle of the fake is a real hourly candle of the data.
ORIGIN = datetime(2024, 1, 1, tzinfo=UTC)
_HOUR_US = 3_600_000_000
_DAY_US = 24 * _HOUR_US
_DAY = timedelta(days=1)
_VOLUME = Decimal("0.00000001")
_THIRDS = (1 / 3, 2 / 3)


def quantize(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class _Track:
    """One asset's dense hourly candles (gaps filled flat at the last close) and its scaling."""

    candles: list[Candle]
    days: list[Candle]  # the same aggregated per data day, for long intervals
    places: int
    factor: Decimal  # 1 for bundled assets; a synthetic asset's multiple of its donor


class ReplayPrices:
    """`prices(asset, when) -> Decimal` over the bundled replay data, plus `candle()`.

    `speed`: data seconds per wall second. `basis`: relative offset applied to every price
    (e.g. Decimal("0.0004") quotes 0.04 % above the data), so several fakes can quote one
    market slightly differently.
    """

    def __init__(
        self,
        *,
        speed: float = 1.0,
        basis: Decimal | str | int = 0,
        origin: datetime = ORIGIN,
        series: dict[str, Any] | None = None,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        if origin.tzinfo is None:
            raise ValueError("origin must be timezone-aware")
        self.speed = speed
        self.basis = Decimal(basis)
        self.origin = origin
        self._series = series if series is not None else load_series()
        first = max(s.times[0] for s in self._series.values())
        last = min(s.times[-1] for s in self._series.values()) + timedelta(hours=1)
        self.data_first = _ceil_day(first)
        hours = (_floor_day(last) - self.data_first) // timedelta(hours=1)
        if hours < 24:
            raise ValueError("the replay data holds less than one whole day")
        self._span_us = hours * _HOUR_US
        self._dense = {name: self._densify(s, hours) for name, s in self._series.items()}
        self._days = {name: _by_day(hourly) for name, hourly in self._dense.items()}
        self._tracks: dict[str, _Track] = {}

    def with_basis(self, basis: Decimal | str | int) -> ReplayPrices:
        """The same data and clock mapping with another basis (shares the loaded data)."""
        twin = object.__new__(ReplayPrices)
        twin.__dict__.update(self.__dict__)
        twin.basis = Decimal(basis)
        twin._tracks = {}
        return twin

    # --- the price model ---------------------------------------------------------------------

    def __call__(self, asset: str, when: datetime) -> Decimal:
        track = self._track(asset)
        candle, offset = self._at(track, self._position(when))
        raw = price_on_path(candle, offset / _HOUR_US, track.places)
        return self._scale(raw, track)

    def candle(self, asset: str, start: datetime, end: datetime) -> Candle:
        """The candle of wall-time interval [start, end), stamped `start`."""
        track = self._track(asset)
        first, last = self._position(start), self._position(end)
        if last <= first:
            price = self(asset, start)
            return Candle(start, price, price, price, price, Decimal(0))
        points: list[Decimal] = []
        volume = Decimal(0)
        position = first
        while position < last:
            if position % _DAY_US == 0 and last - position >= _DAY_US:  # a whole data day
                day = track.days[position % self._span_us // _DAY_US]
                points.extend((day.open, day.low, day.high, day.close))
                volume += day.volume
                position += _DAY_US
                continue
            hour_start = position - position % _HOUR_US
            stop = min(last, hour_start + _HOUR_US)
            candle, offset = self._at(track, position)
            a, b = offset, offset + (stop - position)
            if a == 0 and b == _HOUR_US:
                points.extend((candle.open, candle.low, candle.high, candle.close))
                volume += candle.volume
            else:
                points.extend(_sub_path(candle, a / _HOUR_US, b / _HOUR_US, track.places))
                volume += candle.volume * Decimal(b - a) / _HOUR_US
            position = stop
        return Candle(  # scaling keeps the order, so scale only the four that matter
            ts=start,
            open=self._scale(points[0], track),
            high=self._scale(max(points), track),
            low=self._scale(min(points), track),
            close=self._scale(points[-1], track),
            volume=(volume / track.factor).quantize(_VOLUME),
        )

    def places(self, asset: str) -> int:
        """Decimal places the asset is quoted in (its tick size)."""
        return self._track(asset).places

    def data_time(self, when: datetime) -> datetime:
        """The moment of the bundled data that plays at wall time `when`."""
        return self.data_first + timedelta(microseconds=self._position(when) % self._span_us)

    # --- internals ---------------------------------------------------------------------------

    def _position(self, when: datetime) -> int:
        """Microseconds of data played since the data's first day (not wrapped)."""
        if when.tzinfo is None:
            raise ValueError("when must be timezone-aware")
        wall_us = (when - self.origin) // timedelta(microseconds=1)
        return wall_us if self.speed == 1 else round(wall_us * self.speed)

    def _at(self, track: _Track, position: int) -> tuple[Candle, int]:
        local = position % self._span_us
        return track.candles[local // _HOUR_US], local % _HOUR_US

    def _scale(self, price: Decimal, track: _Track) -> Decimal:
        if track.factor != 1 or self.basis:
            price = price * track.factor * (1 + self.basis)
        return quantize(price, track.places)

    def _track(self, asset: str) -> _Track:
        track = self._tracks.get(asset)
        if track is None:
            if asset in self._dense:
                places = self._series[asset].places
                track = _Track(self._dense[asset], self._days[asset], places, Decimal(1))
            else:  # synthetic: a bundled asset's path at another price level
                names = sorted(self._dense)
                code = zlib.crc32(asset.encode())
                donor = names[code % len(names)]
                factor = Decimal(1 + code // len(names) % 97) / 10
                places = self._series[donor].places + (1 if factor < 1 else 0)
                track = _Track(self._dense[donor], self._days[donor], places, factor)
            self._tracks[asset] = track
        return track

    def _densify(self, series: Any, hours: int) -> list[Candle]:
        dense = []
        for i in range(hours):
            ts = self.data_first + timedelta(hours=i)
            candle = series.candles[series.index_at(ts)]
            if candle.ts != ts:  # a gap in the data: the market stood at the last close
                close = candle.close
                candle = Candle(ts, close, close, close, close, Decimal(0))
            dense.append(candle)
        return dense


def _by_day(hourly: list[Candle]) -> list[Candle]:
    days = []
    for i in range(0, len(hourly), 24):
        day = hourly[i : i + 24]
        days.append(
            Candle(
                ts=day[0].ts,
                open=day[0].open,
                high=max(c.high for c in day),
                low=min(c.low for c in day),
                close=day[-1].close,
                volume=sum((c.volume for c in day), Decimal(0)),
            )
        )
    return days


def _sub_path(candle: Candle, f0: float, f1: float, places: int) -> list[Decimal]:
    """The prices a candle's path passes between fractions f0 < f1 of its hour."""
    rising = candle.close >= candle.open
    vertices = (candle.low, candle.high) if rising else (candle.high, candle.low)
    points = [price_on_path(candle, f0, places)]
    points.extend(v for v, at in zip(vertices, _THIRDS, strict=True) if f0 < at < f1)
    points.append(price_on_path(candle, f1, places))
    return points


def sampled_candle(prices: PriceFn, asset: str, start: datetime, end: datetime) -> Candle:
    """A candle for a plain price function: open and close at the ends, high and low among five
    evenly spaced samples; volume 0 (a plain function says nothing about volume)."""
    if end <= start:
        price = prices(asset, start)
        return Candle(start, price, price, price, price, Decimal(0))
    samples = [prices(asset, start + (end - start) * k / 4) for k in range(5)]
    return Candle(start, samples[0], max(samples), min(samples), samples[-1], Decimal(0))


def _floor_day(ts: datetime) -> datetime:
    return ts.replace(hour=0, minute=0, second=0, microsecond=0)


def _ceil_day(ts: datetime) -> datetime:
    floor = _floor_day(ts)
    return floor if floor == ts else floor + _DAY
