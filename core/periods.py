"""Timeframes and periods as people type them: `/chart BTC 4h 30d`, `/compare BTC ETH 3m`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from core.market import TIMEFRAMES
from core.refusal import BadArgument

CHART_TIMEFRAMES = ("1h", "4h", "1d")
MAX_CANDLES = 500  # beyond this a candlestick picture is a smear; a longer timeframe reads better
_PERIOD = re.compile(r"^(\d{1,4})\s*(h|d|w|m|mo|y)$")
_UNITS = {"h": 1 / 24, "d": 1, "w": 7, "m": 30, "mo": 30, "y": 365}
MINUTES = ("5m", "15m", "30m", "5min", "15min", "30min")  # timeframes, though "3m" is 3 months
DEFAULT_PERIOD = {"1h": timedelta(days=7), "4h": timedelta(days=30), "1d": timedelta(days=180)}


@dataclass(frozen=True, slots=True)
class Period:
    span: timedelta
    label: str  # as the person wrote it, normalised: "7d", "3m", "1y"


def parse_timeframe(text: str, allowed: tuple[str, ...] = CHART_TIMEFRAMES) -> str:
    value = text.strip().lower()
    if value in ("d", "1day", "day", "daily"):
        value = "1d"
    if value in ("h", "1hour", "hour", "hourly"):
        value = "1h"
    if value not in allowed:
        raise BadArgument(f"timeframe must be one of {', '.join(allowed)}")
    return value


def parse_period(text: str) -> Period:
    match = _PERIOD.match(text.strip().lower())
    if not match or int(match.group(1)) == 0:
        raise BadArgument("period looks like 24h, 7d, 2w, 3m or 1y")
    count, unit = int(match.group(1)), match.group(2)
    days = count * _UNITS[unit]
    if days > 10 * 365:
        raise BadArgument("the longest period is 10y")
    unit = "m" if unit == "mo" else unit
    return Period(timedelta(days=days), f"{count}{unit}")


def period_label(span: timedelta) -> str:
    days = span / timedelta(days=1)
    for unit, size in (("y", 365), ("m", 30), ("d", 1)):
        if days >= size and days % size == 0:
            return f"{int(days // size)}{unit}"
    return f"{int(span / timedelta(hours=1))}h"


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
                raise BadArgument("give one timeframe")
            timeframe = parse_timeframe(lowered, allowed)
        elif re.match(r"^\d", lowered):  # "1m" is a month here, as people write periods
            if period is not None:
                raise BadArgument("give one period")
            period = parse_period(lowered)
        else:
            symbols.append(arg)
    return ChartArgs(tuple(symbols), timeframe, period)
