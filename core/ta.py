"""Technical analysis as facts: the latest indicator values over a run of candles, each read as
a state (an indicator id, a state code, its numbers and what it leans towards), and a tally of
the leans. The bot says them in words (`bot/views/ta.py`).

Pure: candles in, a `TAReport` out. The tally counts signals; it is not a forecast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Literal

import numpy as np

from core import indicators as ind
from core.indicators import Cross, FloatArray
from core.market import TIMEFRAMES, Candle

RSI_PERIOD = 14
RSI_OVERBOUGHT = 70.0  # above: buyers have pushed hard
RSI_OVERSOLD = 30.0  # below: sellers have pushed hard
MACD_FAST, MACD_SLOW, MACD_SIGNAL = 12, 26, 9
BOLLINGER_PERIOD = 20
BOLLINGER_K = 2.0  # band half-width in standard deviations
PERCENT_B_UPPER = 1.0  # %B at or above: price is at or outside the upper band
PERCENT_B_LOWER = 0.0  # %B at or below: price is at or outside the lower band
PERCENT_B_NEAR = 0.2  # within this of a band, price reads as "near" it
ATR_PERIOD = 14
EMA_FAST, EMA_SLOW = 12, 26
SMA_FAST, SMA_SLOW = 50, 200
VOLATILITY_SPAN = timedelta(days=30)  # realised volatility looks back this far at most

# MACD's signal line needs slow + signal − 1 candles; one more tells whether the histogram rises.
MIN_CANDLES = MACD_SLOW + MACD_SIGNAL

Lean = Literal["bullish", "bearish", "neutral", "info", "unavailable"]
Indicator = Literal[
    "trend", "sma_cross", "ema_cross", "rsi", "macd", "percent_b", "atr", "volatility"
]
Motion = Literal["rising", "falling", "flat"]
UNAVAILABLE = "unavailable"  # the state of a reading with too few candles to compute it


class NotEnoughCandles(ValueError):
    """Too few candles for any useful analysis."""

    def __init__(self, needed: int, have: int) -> None:
        super().__init__(needed, have)
        self.needed = needed
        self.have = have


@dataclass(frozen=True, slots=True)
class Reading:
    """One indicator read: which (`indicator`), what it says (`state`, a code of that indicator,
    listed with its `read_…` function) and what it leans towards.

    `lean` is bullish, bearish or neutral for directional indicators, info for ones that
    measure size rather than direction, unavailable when there are too few candles. The numbers
    a state needs are set; the rest stay None. Values are rounded as they are judged (RSI to
    one place, %B to two), so a reading never contradicts the number shown with it.
    """

    indicator: Indicator
    state: str
    lean: Lean
    value: float | None = None  # the indicator's own number (a level, RSI, %B, ATR, volatility)
    gap_pct: float | None = None  # price's distance from the level, or ATR as % of price
    bars_ago: int | None = None  # candles since the last cross (0: on the last candle)
    window: int | None = None  # candles looked at without finding a cross
    motion: Motion | None = None  # where the MACD histogram goes
    span: timedelta | None = None  # the stretch of time looked at (volatility), rounded
    needed: int | None = None  # unavailable: candles it needs…
    have: int | None = None  # …and candles there are


@dataclass(frozen=True, slots=True)
class Tally:
    """How the directional readings lean, counted; `verdict` is bullish, bearish or mixed."""

    bullish: int
    bearish: int
    neutral: int
    unavailable: int
    verdict: Literal["bullish", "bearish", "mixed"]


@dataclass(frozen=True, slots=True)
class TAReport:
    """The latest indicator values after the last candle, and how they read. Never NaN."""

    timeframe: str
    candles: int
    last_ts: datetime  # open time of the last candle
    last_close: Decimal
    rsi: float | None  # None when price never moved: RSI is undefined
    macd: float
    macd_signal: float
    macd_hist: float
    bollinger_upper: float
    bollinger_middle: float
    bollinger_lower: float
    percent_b: float | None  # None when the bands are flat
    atr: float
    ema_fast: float
    ema_slow: float
    ema_cross: Cross | None
    sma_fast: float | None  # None with fewer than SMA_FAST candles
    sma_slow: float | None  # None with fewer than SMA_SLOW candles
    sma_cross: Cross | None
    volatility: float  # annualised: 0.48 is 48% a year
    readings: tuple[Reading, ...]
    tally: Tally


def analyse(candles: Sequence[Candle], timeframe: str) -> TAReport:
    """Indicators over `candles` (oldest first, one timeframe) as of the last candle."""
    if timeframe not in TIMEFRAMES:
        raise ValueError(f"unknown timeframe {timeframe!r}; one of {', '.join(TIMEFRAMES)}")
    have = len(candles)
    if have < MIN_CANDLES:
        raise NotEnoughCandles(MIN_CANDLES, have)
    if any(a.ts >= b.ts for a, b in pairwise(candles)):
        raise ValueError("candles must be in time order, oldest first, one per timestamp")
    data = ind.ohlcv_arrays(candles)
    close = data.close
    if not np.all(close > 0):
        raise ValueError("candle closes must be positive")
    price = float(close[-1])

    flat = bool(close.min() == close.max())
    rsi = None if flat else float(ind.rsi(close, RSI_PERIOD)[-1])
    macd_line, macd_signal, macd_hist = ind.macd(close, MACD_FAST, MACD_SLOW, MACD_SIGNAL)
    upper, middle, lower = ind.bollinger(close, BOLLINGER_PERIOD, BOLLINGER_K)
    percent_b = _latest(ind.percent_b(close, upper, lower))
    atr = float(ind.atr(data.high, data.low, close, ATR_PERIOD)[-1])
    ema_fast, ema_slow = ind.ema(close, EMA_FAST), ind.ema(close, EMA_SLOW)
    ema_cross = ind.last_cross(ema_fast, ema_slow)
    sma_fast = ind.sma(close, SMA_FAST) if have >= SMA_FAST else None
    sma_slow = ind.sma(close, SMA_SLOW) if have >= SMA_SLOW else None
    sma_cross = None
    if sma_fast is not None and sma_slow is not None:
        sma_cross = ind.last_cross(sma_fast, sma_slow)
    returns = min(int(VOLATILITY_SPAN / TIMEFRAMES[timeframe]), have - 1)
    volatility = ind.realised_volatility(close, ind.periods_per_year(timeframe), window=returns)

    sma_fast_now = None if sma_fast is None else float(sma_fast[-1])
    sma_slow_now = None if sma_slow is None else float(sma_slow[-1])
    readings = (
        read_trend(price, sma_slow_now, have),
        read_sma_cross(sma_fast_now, sma_slow_now, sma_cross, have),
        read_ema(float(ema_fast[-1]), float(ema_slow[-1]), ema_cross),
        read_rsi(rsi),
        read_macd(float(macd_line[-1]), float(macd_signal[-1]), macd_hist[-2:]),
        read_percent_b(percent_b),
        read_atr(atr, price),
        read_volatility(volatility, returns * TIMEFRAMES[timeframe]),
    )
    return TAReport(
        timeframe=timeframe,
        candles=have,
        last_ts=candles[-1].ts,
        last_close=candles[-1].close,
        rsi=rsi,
        macd=float(macd_line[-1]),
        macd_signal=float(macd_signal[-1]),
        macd_hist=float(macd_hist[-1]),
        bollinger_upper=float(upper[-1]),
        bollinger_middle=float(middle[-1]),
        bollinger_lower=float(lower[-1]),
        percent_b=percent_b,
        atr=atr,
        ema_fast=float(ema_fast[-1]),
        ema_slow=float(ema_slow[-1]),
        ema_cross=ema_cross,
        sma_fast=sma_fast_now,
        sma_slow=sma_slow_now,
        sma_cross=sma_cross,
        volatility=volatility,
        readings=readings,
        tally=summarise(readings),
    )


def read_trend(price: float, sma_slow: float | None, have: int) -> Reading:
    """Price against SMA 200, the long-term trend: above, below or on (value: the SMA;
    gap_pct: how far price is from it, rounded to 0.1)."""
    if sma_slow is None:
        return _needs("trend", SMA_SLOW, have)
    gap = round((price / sma_slow - 1) * 100, 1)
    if gap > 0:
        return Reading("trend", "above", "bullish", value=sma_slow, gap_pct=gap)
    if gap < 0:
        return Reading("trend", "below", "bearish", value=sma_slow, gap_pct=gap)
    return Reading("trend", "on", "neutral", value=sma_slow, gap_pct=0.0)


def read_sma_cross(
    sma_fast: float | None, sma_slow: float | None, cross: Cross | None, have: int
) -> Reading:
    """SMA 50 against SMA 200: golden_cross / death_cross (bars_ago), above / below without a
    cross in `window` candles, or level."""
    if sma_fast is None or sma_slow is None:
        return _needs("sma_cross", SMA_SLOW, have)
    lean: Lean = (
        "bullish" if sma_fast > sma_slow else "bearish" if sma_fast < sma_slow else "neutral"
    )
    if lean == "neutral":
        return Reading("sma_cross", "level", lean)
    if cross is not None:
        state = "golden_cross" if cross.direction == "up" else "death_cross"
        return Reading("sma_cross", state, lean, bars_ago=cross.bars_ago)
    state = "above" if lean == "bullish" else "below"
    return Reading("sma_cross", state, lean, window=have - SMA_SLOW + 1)


def read_ema(ema_fast: float, ema_slow: float, cross: Cross | None) -> Reading:
    """EMA 12 against EMA 26, the short-term trend: above, below (bars_ago of the last cross,
    if any) or level."""
    since = cross.bars_ago if cross is not None else None
    if ema_fast > ema_slow:
        return Reading("ema_cross", "above", "bullish", bars_ago=since)
    if ema_fast < ema_slow:
        return Reading("ema_cross", "below", "bearish", bars_ago=since)
    return Reading("ema_cross", "level", "neutral")


def read_rsi(rsi: float | None) -> Reading:
    """overbought, oversold or neutral (value: RSI to one place); flat when price never moved."""
    if rsi is None:
        return Reading("rsi", "flat", "neutral")
    shown = round(rsi, 1)  # judge the number people see, so 70.0 never reads as overbought
    if shown > RSI_OVERBOUGHT:
        return Reading("rsi", "overbought", "bearish", value=shown)
    if shown < RSI_OVERSOLD:
        return Reading("rsi", "oversold", "bullish", value=shown)
    return Reading("rsi", "neutral", "neutral", value=shown)


def read_macd(line: float, signal: float, last_hist: FloatArray) -> Reading:
    """above / below its signal line (motion: where the histogram goes), or on it.
    `last_hist` is the histogram's last two values."""
    previous, now = float(last_hist[0]), float(last_hist[1])
    motion: Motion = "rising" if now > previous else "falling" if now < previous else "flat"
    if line == signal:
        return Reading("macd", "on", "neutral")
    if line > signal:
        return Reading("macd", "above", "bullish", motion=motion)
    return Reading("macd", "below", "bearish", motion=motion)


def read_percent_b(percent_b: float | None) -> Reading:
    """Where price sits in the Bollinger bands (value: %B to two places): above_upper,
    below_lower, near_upper, near_lower, upper_half, lower_half; flat bands: flat."""
    if percent_b is None:
        return Reading("percent_b", "flat", "neutral", window=BOLLINGER_PERIOD)
    shown = round(percent_b, 2)
    if shown >= PERCENT_B_UPPER:
        return Reading("percent_b", "above_upper", "bearish", value=shown)
    if shown <= PERCENT_B_LOWER:
        return Reading("percent_b", "below_lower", "bullish", value=shown)
    if shown >= PERCENT_B_UPPER - PERCENT_B_NEAR:
        return Reading("percent_b", "near_upper", "neutral", value=shown)
    if shown <= PERCENT_B_LOWER + PERCENT_B_NEAR:
        return Reading("percent_b", "near_lower", "neutral", value=shown)
    half = "upper_half" if shown >= (PERCENT_B_UPPER + PERCENT_B_LOWER) / 2 else "lower_half"
    return Reading("percent_b", half, "neutral", value=shown)


def read_atr(atr: float, price: float) -> Reading:
    """A typical move per candle: `size` (value: the ATR; gap_pct: as % of price)."""
    return Reading("atr", "size", "info", value=atr, gap_pct=round(atr / price * 100, 1))


def read_volatility(volatility: float, span: timedelta) -> Reading:
    """Swings over `span` scaled to a year: `annualised` (value: 0.48 is 48% a year)."""
    return Reading("volatility", "annualised", "info", value=volatility, span=_rounded(span))


def summarise(readings: Sequence[Reading]) -> Tally:
    """A tally of the directional readings."""
    leans = [r.lean for r in readings]
    bullish, bearish = leans.count("bullish"), leans.count("bearish")
    verdict: Literal["bullish", "bearish", "mixed"] = "mixed"
    if bullish != bearish:
        verdict = "bullish" if bullish > bearish else "bearish"
    return Tally(bullish, bearish, leans.count("neutral"), leans.count("unavailable"), verdict)


def _needs(indicator: Indicator, needed: int, have: int) -> Reading:
    return Reading(indicator, UNAVAILABLE, "unavailable", needed=needed, have=have)


def _latest(values: FloatArray) -> float | None:
    last = float(values[-1])
    return last if np.isfinite(last) else None


def _rounded(span: timedelta) -> timedelta:
    """Whole days from two days on, whole hours from two hours on, else whole minutes."""
    for unit in (timedelta(days=1), timedelta(hours=1)):
        if span >= 2 * unit:
            return round(span / unit) * unit
    return round(span / timedelta(minutes=1)) * timedelta(minutes=1)
