"""Timeframes and periods as people type them (`/chart BTC 4h 30d`, `/compare BTC ETH 3m`), and
the rules that pick the candles a picture shows: the default window of each command, how many
candles are too many, and when stored candles do not reach back far enough.

Refusals (`core.refusal.BadArgument`): `timeframe.unknown` (typed, allowed), `timeframe.twice`,
`period.unreadable` (typed), `period.too_long` (longest), `period.twice`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.market import TIMEFRAMES
from core.refusal import BadArgument

__all__ = ["BadArgument"]  # re-exported for the areas that still import it from here

CHART_TIMEFRAMES = ("1h", "4h", "1d")
DEFAULT_TIMEFRAME = "1h"
MAX_CANDLES = 500  # beyond this a candlestick picture is a smear; a longer timeframe reads better
_PERIOD = re.compile(r"^(\d{1,4})\s*(h|d|w|m|mo|y)$")
_UNITS = {"h": 1 / 24, "d": 1, "w": 7, "m": 30, "mo": 30, "y": 365}
LONGEST = "10y"
_LONGEST_DAYS = 10 * 365
MINUTES = ("5m", "15m", "30m", "5min", "15min", "30min")  # timeframes, though "3m" is 3 months
DEFAULT_PERIOD = {"1h": timedelta(days=7), "4h": timedelta(days=30), "1d": timedelta(days=180)}
SIDE_BY_SIDE = timedelta(days=30)  # /compare and /corr look this far back unless told
HOURLY_UP_TO = timedelta(days=20)  # …on hourly candles up to this period, daily beyond
LONGER = {"1h": "4h", "4h": "1d"}  # the timeframe to suggest when there are too many candles
LATE_CANDLES = 3  # stored candles may start this many candles late…
LATE_SHARE = 0.1  # …or this share of the period late, and still count as covering it


@dataclass(frozen=True, slots=True)
class Period:
    span: timedelta
    label: str  # as the person wrote it, normalised: "7d", "3m", "1y"


@dataclass(frozen=True, slots=True)
class Window:
    """What a picture shows: candles of one timeframe over one period."""

    timeframe: str
    period: Period

    @property
    def candles(self) -> int:
        return candles_in(self.period.span, self.timeframe)


def parse_timeframe(text: str, allowed: tuple[str, ...] = CHART_TIMEFRAMES) -> str:
    value = text.strip().lower()
    if value in ("d", "1day", "day", "daily"):
        value = "1d"
    if value in ("h", "1hour", "hour", "hourly"):
        value = "1h"
    if value not in allowed:
        raise BadArgument("timeframe.unknown", typed=text.strip()[:24], allowed=allowed)
    return value


def parse_period(text: str) -> Period:
    match = _PERIOD.match(text.strip().lower())
    if not match or int(match.group(1)) == 0:
        raise BadArgument("period.unreadable", typed=text.strip()[:24])
    count, unit = int(match.group(1)), match.group(2)
    days = count * _UNITS[unit]
    if days > _LONGEST_DAYS:
        raise BadArgument("period.too_long", longest=LONGEST)
    unit = "m" if unit == "mo" else unit
    return Period(timedelta(days=days), f"{count}{unit}")


def period_label(span: timedelta) -> str:
    days = span / timedelta(days=1)
    for unit, size in (("y", 365), ("m", 30), ("d", 1)):
        if days >= size and days % size == 0:
            return f"{int(days // size)}{unit}"
    return f"{int(span / timedelta(hours=1))}h"


def period_of(span: timedelta) -> Period:
    return Period(span, period_label(span))


def candles_in(span: timedelta, timeframe: str) -> int:
    return int(span / TIMEFRAMES[timeframe])


@dataclass(frozen=True, slots=True)
class ChartArgs:
    symbols: tuple[str, ...]  # as typed; resolved to coins by the caller
    timeframe: str | None
    period: Period | None


def split_args(args: list[str], allowed: tuple[str, ...] = CHART_TIMEFRAMES) -> ChartArgs:
    """Coins, then timeframe and period in any order: `BTC 4h 30d`, `BTC ETH 3m`."""
    symbols: list[str] = []
    timeframe: str | None = None
    period: Period | None = None
    for arg in args:
        lowered = arg.strip().lower()
        if lowered in allowed or lowered in ("daily", "hourly", "d", "h") or lowered in MINUTES:
            if timeframe is not None:
                raise BadArgument("timeframe.twice")
            timeframe = parse_timeframe(lowered, allowed)
        elif re.match(r"^\d", lowered):  # "1m" is a month here, as people write periods
            if period is not None:
                raise BadArgument("period.twice")
            period = parse_period(lowered)
        else:
            symbols.append(arg)
    return ChartArgs(tuple(symbols), timeframe, period)


# ---- which candles a picture shows -------------------------------------------------------------


def chart_window(args: ChartArgs) -> Window:
    """/chart: hourly unless told, over the period that timeframe reads best at."""
    timeframe = args.timeframe or DEFAULT_TIMEFRAME
    return Window(timeframe, args.period or period_of(DEFAULT_PERIOD[timeframe]))


def side_by_side_window(args: ChartArgs) -> Window:
    """/compare and /corr: 30 days unless told, hourly up to 20 days and daily beyond."""
    period = args.period or Period(SIDE_BY_SIDE, "30d")
    timeframe = args.timeframe or ("1h" if period.span <= HOURLY_UP_TO else "1d")
    return Window(timeframe, period)


def longer_timeframe(timeframe: str) -> str:
    """The timeframe to suggest when a period holds too many candles of `timeframe`."""
    return LONGER.get(timeframe, "1d")


def covers(first: datetime, step: timedelta, now: datetime, span: timedelta) -> bool:
    """Whether candles (of `step`) stored from `first` cover the `span` before `now`: starting
    a few candles or a tenth of the period late still does."""
    starts_late = first - (now - span)
    return starts_late <= max(LATE_CANDLES * step, span * LATE_SHARE)


def available_period(covered: timedelta) -> Period:
    """The longest period, as people type it, within what stored candles `covered`: whole
    days from two days on, else whole hours (at least one)."""
    if covered >= timedelta(days=2):
        return Period(timedelta(days=covered.days), f"{covered.days}d")
    hours = max(covered // timedelta(hours=1), 1)
    return Period(timedelta(hours=hours), f"{hours}h")
