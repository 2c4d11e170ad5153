"""One record of a candle file as a candle: its open time in UTC and its values, exactly as
written. A reason it cannot be one is a ValueError whose message the importer puts after the
record's number."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation

from core.candle_import import epoch_time
from core.dates import EARLIEST, LATEST, parse_iso
from core.market import Candle
from core.refusal import BadArgument
from workers.candle_files.layouts import Layout

VOLUME_QUANTUM = Decimal("1E-8")  # coin volumes to 8 places, as Binance gives them

_WIDE = Context(prec=60)  # room for any volume / price before quantising
_EPOCH_NUMBER = re.compile(r"^\d+(?:\.0*)?$", re.ASCII)
_BARE_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_FIRST = datetime.combine(EARLIEST, datetime.min.time(), UTC)
_LAST = datetime.combine(LATEST, datetime.max.time(), UTC)


class WithoutZone(ValueError):
    """A time written without a UTC offset, and no --tz to read it in."""


@dataclass(frozen=True)
class RowReader:
    """Reads the records of one file: its layout, the zone its offset-less times are in, and
    whether its market is an inverse perpetual (whose volume is counted in contracts)."""

    layout: Layout
    tz: tzinfo | None = None
    inverse: bool = False

    def candle(self, fields: list[str]) -> Candle:
        layout = self.layout
        if len(fields) != len(layout.columns):
            raise ValueError(f"{len(fields)} fields, expected {len(layout.columns)}")
        ts = self.open_time(fields[0])
        open_, high, low, close, volume = map(number, fields[1:6])
        if self.inverse and layout.coin_volume_at is not None:
            volume = number(fields[layout.coin_volume_at])
        if layout.quote_volume:
            # yfinance gives volume in the quote currency (USD): in coins it is volume /
            # close, to 8 places like Binance's, so every source's volume means the same.
            if not close:
                raise ValueError("close is 0, so the USD volume cannot be turned into units")
            volume = _WIDE.divide(volume, close).quantize(VOLUME_QUANTUM, ROUND_HALF_EVEN, _WIDE)
        if not low <= min(open_, close) <= max(open_, close) <= high:
            raise ValueError(
                f"prices out of order: open {open_} high {high} low {low} close {close}"
            )
        return Candle(ts, open_, high, low, close, volume)

    def length(self, fields: list[str]) -> timedelta:
        """How long a candle of a layout with close times lasts: Binance's close time is the
        last millisecond (or microsecond) of the candle."""
        opened, closed = self.open_time(fields[0]), self.open_time(fields[6])
        if closed <= opened:
            raise ValueError(f"close time {fields[6]} is not after open time {fields[0]}")
        return timedelta(seconds=math.ceil((closed - opened).total_seconds()))

    def open_time(self, text: str) -> datetime:
        """A time as ISO 8601 with an offset (or without one, in `tz`), or as an epoch number
        of seconds, milliseconds or microseconds (told by its size)."""
        written = text.strip()
        if _EPOCH_NUMBER.match(written):
            moment = epoch_time(int(Decimal(written)))
            if moment is None:
                raise ValueError(
                    f"time {written} is not seconds, milliseconds or microseconds since 1970 "
                    f"between {EARLIEST} and {LATEST}"
                )
            return moment
        try:
            # A bare day has no zone either: a day in New York is not the UTC one.
            moment = parse_iso(f"{written}T00:00" if _BARE_DAY.match(written) else written,
                               naive=self.tz)  # fmt: skip
        except BadArgument as refusal:
            if refusal.code == "date.without_zone":
                raise WithoutZone(
                    f"time {written!r} has no UTC offset; give --tz with the zone the file's "
                    "times are in (e.g. --tz UTC)"
                ) from None
            raise ValueError(
                f"time {written!r} is not ISO 8601 (2024-03-01T14:00:00+00:00) or an epoch number"
            ) from None
        if not _FIRST <= moment <= _LAST:
            raise ValueError(f"time {written!r} is not between {EARLIEST} and {LATEST}")
        return moment


def number(text: str) -> Decimal:
    """The exact decimal written (a float's digits are kept as written): digits, a point and an
    exponent, nothing Decimal would also take (NaN, Infinity, signs, underscores)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value.is_signed() or "_" in text:
        raise ValueError(f"{text!r} is not a price or volume")
    return value
