"""How often an alert would have fired over stored candles: "would have fired 4 times in 30 days".

Pure: an `AlertSpec` and candles (1m or 1h, oldest first) in, a `Backtest` out. What counts:

- An alert fires when its condition comes true, never while it stays true: it fires again only
  after the condition has been false (a price back under the level, RSI back over 30, …).
- A recurring alert also waits out its cooldown; a firing that falls inside it is skipped, and
  the alert waits for the next fresh one.
- A one-shot alert really fires once (`first[0]`), but `count` counts it as if it re-armed at
  once after each firing: how often the condition came true is what tells a useful alert from
  noise, and "would have fired 1 time" would hide it.
- Price levels are checked candle by candle with the same bounds as the live index
  (`core.alerts.index.fires`): from the previous close to this candle's high (above) or low
  (below), so at most one firing per candle; a dip and recovery inside one candle is not seen.
- Moves compare each close with the close `window` earlier; indicators and volume are read on
  closed candles of the alert's timeframe (built from the given ones when that is longer), as the
  workers evaluate them on candle close. Indicators warm up on the candles before `since`.
- Times are the open times of the candles on which the alert fired. Expiry is not applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from core import indicators as ind
from core.alerts.index import fires
from core.alerts.spec import (
    AlertSpec,
    AverageCross,
    Condition,
    MacdCross,
    Move,
    NewsBurst,
    PredictionLevel,
    PriceChange,
    PriceLevel,
    RsiLevel,
    SentimentLevel,
    VolumeSpike,
)
from core.indicators import FloatArray
from core.market import TIMEFRAMES, Candle, resample

FIRST_FEW = 5
LOOKBACK = timedelta(days=30)  # what "over the last 30 days" means to the caller


@dataclass(frozen=True, slots=True)
class Backtest:
    count: int  # firings over the span; a one-shot alert counted as if it re-armed each time
    first: tuple[datetime, ...]  # open times of the candles of the first few firings
    since: datetime  # the first candle counted
    until: datetime  # the end of the last candle
    last: datetime | None = None  # open time of the candle of the latest firing


def backtest(
    spec: AlertSpec, candles: Sequence[Candle], timeframe: str, since: datetime | None = None
) -> Backtest:
    """Firings of `spec` over `candles` of `timeframe`, counting only candles from `since` on."""
    if not candles:
        raise ValueError("no candles to test the alert against")
    step = TIMEFRAMES[timeframe]
    start = candles[0].ts if since is None else max(since, candles[0].ts)
    times = [t for t in trigger_times(spec.condition, candles, timeframe) if t >= start]
    if spec.cooldown is not None:
        times = spaced(times, spec.cooldown)
    last = times[-1] if times else None
    return Backtest(len(times), tuple(times[:FIRST_FEW]), start, candles[-1].ts + step, last)


def trigger_times(
    condition: Condition, candles: Sequence[Candle], timeframe: str
) -> list[datetime]:
    """Open times of the candles on which `condition` came true (was not true just before)."""
    if isinstance(condition, PriceLevel):
        return _price_level(condition, candles)
    if isinstance(condition, PriceChange):
        return _price_change(condition, candles, timeframe)
    if isinstance(condition, SentimentLevel | NewsBurst):
        raise ValueError("news alerts are not tested on candles (core.alerts.news)")
    if isinstance(condition, PredictionLevel):
        raise ValueError("forecast alerts are not tested on candles (core.alerts.predictions)")
    bars = _closed_candles(candles, timeframe, condition.timeframe)
    data = ind.ohlcv_arrays(bars)
    if isinstance(condition, RsiLevel):
        rsi = ind.rsi(data.close, condition.period)
        gap = rsi - float(condition.level)
        return _times(bars, _turns(gap, "up" if condition.direction == "above" else "down"))
    if isinstance(condition, MacdCross):
        line, signal, _ = ind.macd(data.close)
        return _times(bars, _turns(line - signal, condition.move))
    if isinstance(condition, AverageCross):
        average = ind.sma if condition.average == "sma" else ind.ema
        return _times(
            bars, _turns(data.close - average(data.close, condition.period), condition.move)
        )
    return _times(bars, _edges(_volume_spikes(condition, data.volume)))


def _price_level(condition: PriceLevel, candles: Sequence[Candle]) -> list[datetime]:
    direction, level = condition.direction, condition.level
    times = []
    previous = candles[0].open
    for candle in candles:
        reached = candle.high if direction == "above" else candle.low
        if fires(direction, level, previous, reached):
            times.append(candle.ts)
        previous = candle.close
    return times


def _price_change(
    condition: PriceChange, candles: Sequence[Candle], timeframe: str
) -> list[datetime]:
    step = TIMEFRAMES[timeframe]
    if condition.window < step or condition.window % step:
        raise ValueError(
            f"a {condition.window} window needs candles that divide it, not {timeframe}"
        )
    back = condition.window // step
    pct, move = condition.pct, condition.move
    state = np.full(len(candles), np.nan)  # 1.0 moved enough, 0.0 not, NaN not yet measurable
    for i in range(back, len(candles)):
        then, now = candles[i - back].close, candles[i].close
        moved = (now - then) * 100  # against pct × then: exact, no division
        up = move != "down" and moved >= pct * then
        down = move != "up" and moved <= -pct * then
        state[i] = up or down
    return _times(candles, _edges(state))


def _volume_spikes(condition: VolumeSpike, volume: FloatArray) -> FloatArray:
    """1.0 where a candle's volume is `multiple` × the mean of the ones before it, NaN unknown."""
    mean_before = np.full_like(volume, np.nan)
    mean_before[1:] = ind.sma(volume, condition.lookback)[:-1]
    with np.errstate(invalid="ignore"):
        spike = volume >= float(condition.multiple) * mean_before
    return np.where(np.isfinite(mean_before) & (mean_before > 0), spike, np.nan)


def _turns(gap: FloatArray, move: Move) -> FloatArray:
    """Bars where `gap` turned positive (up), negative (down) or either; NaN gaps are unknown."""
    ups = _edges(np.where(np.isfinite(gap), gap > 0, np.nan))
    downs = _edges(np.where(np.isfinite(gap), gap < 0, np.nan))
    return {"up": ups, "down": downs, "either": ups | downs}[move]


def _edges(state: FloatArray) -> np.ndarray:
    """True where `state` (1.0 true, 0.0 false, NaN unknown) is true after being false."""
    before = np.concatenate(([np.nan], state[:-1]))
    return (state == 1.0) & (before == 0.0)


def _times(candles: Sequence[Candle], edges: np.ndarray) -> list[datetime]:
    return [candles[int(i)].ts for i in np.flatnonzero(edges)]


def _closed_candles(candles: Sequence[Candle], have: str, want: str) -> list[Candle]:
    """Candles of the alert's timeframe, built from shorter ones; a last unfinished one dropped."""
    if TIMEFRAMES[want] < TIMEFRAMES[have]:
        raise ValueError(f"{want} candles cannot be built from {have} candles")
    if want == have:
        return list(candles)
    built = resample(list(candles), want)
    end = candles[-1].ts + TIMEFRAMES[have]
    return [c for c in built if c.ts + TIMEFRAMES[want] <= end]


def spaced(times: list[datetime], cooldown: timedelta) -> list[datetime]:
    kept: list[datetime] = []
    for t in times:
        if not kept or t - kept[-1] >= cooldown:
            kept.append(t)
    return kept
