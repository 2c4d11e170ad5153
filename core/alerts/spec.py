"""What an alert watches for, as values: a coin, a condition, how often, until when. Pure.

The grammar (`core.alerts.grammar`) reads these from what people type; the storage mapping
(`core.alerts.storage`) keeps them in `alerts` rows; the backtest and the workers evaluate them;
the bot's views say them in the person's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

from core.market import TIMEFRAMES

Direction = Literal["above", "below"]
Move = Literal["up", "down", "either"]

ALERT_TIMEFRAMES = tuple(TIMEFRAMES)  # 1m 5m 15m 1h 4h 1d: what candles are kept or built from
RSI_PERIOD = 14
VOLUME_LOOKBACK = 20  # candles in the "recent average" a volume spike is measured against


@dataclass(frozen=True, slots=True)
class PriceLevel:
    """Price reaches `level`: from below it for "above", from above it for "below"."""

    direction: Direction
    level: Decimal


@dataclass(frozen=True, slots=True)
class PriceChange:
    """Price moves `pct` percent or more within `window` (up, down or either way)."""

    move: Move
    pct: Decimal  # a magnitude, always > 0
    window: timedelta


@dataclass(frozen=True, slots=True)
class RsiLevel:
    """RSI(period) on `timeframe` candles goes over ("above") or under ("below") `level`."""

    direction: Direction
    level: Decimal  # strictly between 0 and 100
    timeframe: str
    period: int = RSI_PERIOD


@dataclass(frozen=True, slots=True)
class MacdCross:
    """The MACD line crosses its signal line: up is from below to above."""

    move: Move
    timeframe: str


@dataclass(frozen=True, slots=True)
class AverageCross:
    """The close crosses a moving average of `period` candles: up is from below to above."""

    average: Literal["sma", "ema"]
    period: int
    move: Move
    timeframe: str


@dataclass(frozen=True, slots=True)
class VolumeSpike:
    """A candle's volume is at least `multiple` times the average of the `lookback` before it."""

    multiple: Decimal  # > 1
    timeframe: str
    lookback: int = VOLUME_LOOKBACK


@dataclass(frozen=True, slots=True)
class SentimentLevel:
    """The coin's news sentiment index (`core.sentiment_index`, stored hourly) crosses `level`:
    from below it for "above", from above it for "below"."""

    direction: Direction
    level: Decimal  # strictly between -1 and 1


@dataclass(frozen=True, slots=True)
class NewsBurst:
    """At least `count` stories tagged with the coin are published within `window`."""

    count: int  # >= 1
    window: timedelta


@dataclass(frozen=True, slots=True)
class PredictionLevel:
    """The chance a served model gives the coin of going `side` over `horizon` (a key of
    `core.predict.HORIZONS`) crosses `level` percent: from at or under it to more than it for
    "above", from at or over it to less than it for "below" (`core.alerts.predictions`)."""

    side: Literal["up", "down"]
    direction: Direction
    level: Decimal  # a percentage, from 1 to 99
    horizon: str


CandleCondition = RsiLevel | MacdCross | AverageCross | VolumeSpike  # read on closed candles
NewsCondition = SentimentLevel | NewsBurst  # read on the stored news and sentiment index
Condition = PriceLevel | PriceChange | CandleCondition | NewsCondition | PredictionLevel


@dataclass(frozen=True, slots=True)
class AlertSpec:
    symbol: str  # as typed, upper-cased; the caller resolves it to a coin
    condition: Condition
    cooldown: timedelta | None = None  # None: fires once; else fires again after the cooldown
    expires_at: datetime | None = None  # aware UTC; None: never

    @property
    def recurring(self) -> bool:
        return self.cooldown is not None
