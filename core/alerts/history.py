"""How often an alert would have fired over the last 30 days, from the candles stored: which
candles it is tested on, how much history it needs first, and the backtest when there is
enough. Pure: the caller loads the candles (`backtest_timeframe`, `LOOKBACK + warm_up(...)[0]`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from core.alerts.backtest import LOOKBACK, Backtest, backtest
from core.alerts.spec import (
    AlertSpec,
    AverageCross,
    Condition,
    MacdCross,
    NewsBurst,
    PredictionLevel,
    PriceChange,
    PriceLevel,
    RsiLevel,
    SentimentLevel,
)
from core.market import TIMEFRAMES, Candle

MINUTE_TIMEFRAMES = ("1m", "5m", "15m")  # tested on 1m candles; everything else on 1h
LONGEST_WARM_UP = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class History:
    """An alert's backtest over stored candles of `timeframe` (or, by `source`, over the stored
    sentiment index or news: `core.alerts.news`; or predictions: `core.alerts.predictions`);
    None when too few are stored. `reading`: the sentiment index now, for a sentiment alert; the
    chance of its side now, for a forecast alert, whose `no_edge` says the newest prediction was
    the base rate ("no edge found")."""

    timeframe: str
    result: Backtest | None
    source: Literal["candles", "sentiment", "news", "predictions"] = "candles"
    reading: float | None = None
    no_edge: bool = False


def backtest_timeframe(condition: Condition) -> str:
    """The stored candles a condition is tested on: 1h, or 1m when 1h cannot measure it."""
    if isinstance(condition, PriceLevel | SentimentLevel | NewsBurst | PredictionLevel):
        return "1h"
    if isinstance(condition, PriceChange):
        return "1h" if condition.window % TIMEFRAMES["1h"] == timedelta(0) else "1m"
    return "1m" if condition.timeframe in MINUTE_TIMEFRAMES else "1h"


def warm_up(condition: Condition) -> tuple[timedelta, timedelta]:
    """(history loaded before the 30 days, the least of it the condition can be read with)."""
    if isinstance(condition, PriceLevel | SentimentLevel | NewsBurst | PredictionLevel):
        return timedelta(hours=1), timedelta(0)
    if isinstance(condition, PriceChange):
        return condition.window, condition.window
    step = TIMEFRAMES[condition.timeframe]
    if isinstance(condition, RsiLevel):
        wanted, least = max(100, 5 * condition.period), condition.period + 1
    elif isinstance(condition, MacdCross):
        wanted, least = 150, 35
    elif isinstance(condition, AverageCross):
        wanted, least = 3 * condition.period + 10, condition.period + 1
    else:
        wanted, least = condition.lookback + 2, condition.lookback + 1
    return min(wanted * step, LONGEST_WARM_UP), least * step


def span_needed(spec: AlertSpec) -> timedelta:
    """How far back the candles for `history` go."""
    return LOOKBACK + warm_up(spec.condition)[0]


def history(spec: AlertSpec, candles: Sequence[Candle], now: datetime) -> History:
    """How often `spec` would have fired over the last 30 days of `candles` (oldest first, of
    `backtest_timeframe(spec.condition)`), or that too few of them are stored to say."""
    timeframe = backtest_timeframe(spec.condition)
    least = warm_up(spec.condition)[1]
    since = now - LOOKBACK
    if len(candles) < 2 or candles[-1].ts < since or candles[-1].ts - candles[0].ts <= least:
        return History(timeframe, None)
    readable = max(since, candles[0].ts + least)  # before that the condition cannot be read
    try:
        return History(timeframe, backtest(spec, candles, timeframe, since=readable))
    except ValueError:  # the candles cannot measure the condition after all
        return History(timeframe, None)
