"""Technical analysis in plain words: the latest indicator values over a run of candles, each with
a one-line reading a non-expert can follow, and a tally of what they lean towards.

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
from core.formatting import format_price
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
PERCENT_B_NEAR = 0.2  # within this of a band, price reads as "near" it (wording only)
ATR_PERIOD = 14
EMA_FAST, EMA_SLOW = 12, 26
SMA_FAST, SMA_SLOW = 50, 200
VOLATILITY_SPAN = timedelta(days=30)  # realised volatility looks back this far at most

# MACD's signal line needs slow + signal − 1 candles; one more tells whether the histogram rises.
MIN_CANDLES = MACD_SLOW + MACD_SIGNAL

Lean = Literal["bullish", "bearish", "neutral", "info", "unavailable"]


class NotEnoughCandles(ValueError):
    """Too few candles for any useful analysis."""

    def __init__(self, needed: int, have: int) -> None:
        super().__init__(f"technical analysis needs {needed} candles; {have} given")
        self.needed = needed
        self.have = have


@dataclass(frozen=True, slots=True)
class Reading:
    """One indicator as a line, `label value — meaning`: `RSI(14) 72.4 — overbought: …`.

    `lean` is what the reading points to: bullish, bearish or neutral for directional
    indicators, info for ones that measure size rather than direction, unavailable when there
    are too few candles to compute it.
    """

    label: str
    value: str
    meaning: str
    lean: Lean

    @property
    def line(self) -> str:
        head = f"{self.label} {self.value}"
        return f"{head} — {self.meaning}" if self.meaning else head


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
    summary: str


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
        summary=summarise(readings),
    )


def read_trend(price: float, sma_slow: float | None, have: int) -> Reading:
    label = f"SMA {SMA_SLOW}"
    if sma_slow is None:
        return _needs(label, SMA_SLOW, have)
    gap = round((price / sma_slow - 1) * 100, 1)
    where = f"{_price(sma_slow)}, price {abs(gap):.1f}% {'above' if gap > 0 else 'below'}"
    if gap > 0:
        return Reading(label, where, "long-term trend is up", "bullish")
    if gap < 0:
        return Reading(label, where, "long-term trend is down", "bearish")
    return Reading(label, f"{_price(sma_slow)}, price on it", "no long-term trend", "neutral")


def read_sma_cross(
    sma_fast: float | None, sma_slow: float | None, cross: Cross | None, have: int
) -> Reading:
    if sma_fast is None or sma_slow is None:
        return _needs(f"SMA {SMA_FAST}/{SMA_SLOW}", SMA_SLOW, have)
    label, slow = f"SMA {SMA_FAST}", f"SMA {SMA_SLOW}"
    lean: Lean = (
        "bullish" if sma_fast > sma_slow else "bearish" if sma_fast < sma_slow else "neutral"
    )
    if cross is not None and lean != "neutral":
        side = "above" if cross.direction == "up" else "below"
        meaning = (
            "golden cross: the longer trend turned up"
            if cross.direction == "up"
            else "death cross: the longer trend turned down"
        )
        return Reading(label, f"crossed {side} {slow} {_ago(cross.bars_ago)}", meaning, lean)
    if lean == "neutral":
        return Reading(label, f"level with {slow}", "no clear longer trend", lean)
    side, way = ("above", "up") if lean == "bullish" else ("below", "down")
    value = f"{side} {slow}, no cross in {have - SMA_SLOW + 1} candles"
    return Reading(label, value, f"the longer trend is {way}", lean)


def read_ema(ema_fast: float, ema_slow: float, cross: Cross | None) -> Reading:
    label, slow = f"EMA {EMA_FAST}", f"EMA {EMA_SLOW}"
    since = f" (crossed {_ago(cross.bars_ago)})" if cross is not None else ""
    if ema_fast > ema_slow:
        return Reading(label, f"above {slow}{since}", "short-term trend is up", "bullish")
    if ema_fast < ema_slow:
        return Reading(label, f"below {slow}{since}", "short-term trend is down", "bearish")
    return Reading(label, f"level with {slow}", "no short-term trend", "neutral")


def read_rsi(rsi: float | None) -> Reading:
    label = f"RSI({RSI_PERIOD})"
    if rsi is None:
        return Reading(label, "n/a", "price has not moved, so there is no momentum", "neutral")
    shown = round(rsi, 1)  # judge the number people see, so 70.0 never reads as overbought
    if shown > RSI_OVERBOUGHT:
        meaning = "overbought: buyers have pushed hard; pullbacks often follow"
        return Reading(label, f"{shown:.1f}", meaning, "bearish")
    if shown < RSI_OVERSOLD:
        meaning = "oversold: sellers have pushed hard; bounces often follow"
        return Reading(label, f"{shown:.1f}", meaning, "bullish")
    meaning = f"neutral: not overbought (>{RSI_OVERBOUGHT:.0f}) or oversold (<{RSI_OVERSOLD:.0f})"
    return Reading(label, f"{shown:.1f}", meaning, "neutral")


def read_macd(line: float, signal: float, last_hist: FloatArray) -> Reading:
    """`last_hist` is the histogram's last two values, to tell rising from falling."""
    previous, now = float(last_hist[0]), float(last_hist[1])
    trend = "rising" if now > previous else "falling" if now < previous else "flat"
    if line == signal:
        return Reading("MACD", "on its signal", "no momentum either way", "neutral")
    side, lean, way = ("above", "bullish", "up") if line > signal else ("below", "bearish", "down")
    meaning = {
        "rising": "momentum is turning up" if way == "up" else "downward momentum is fading",
        "falling": "upward momentum is fading" if way == "up" else "momentum is turning down",
        "flat": f"{way}ward momentum is holding",
    }[trend]
    return Reading("MACD", f"{side} its signal, histogram {trend}", meaning, lean)


def read_percent_b(percent_b: float | None) -> Reading:
    label = "Bollinger %B"
    if percent_b is None:
        meaning = f"the bands are flat: price has not moved in {BOLLINGER_PERIOD} candles"
        return Reading(label, "n/a", meaning, "neutral")
    shown = round(percent_b, 2)
    value = f"{shown:.2f}"
    if shown >= PERCENT_B_UPPER:
        meaning = "price is at or above the upper band: stretched high; often eases back"
        return Reading(label, value, meaning, "bearish")
    if shown <= PERCENT_B_LOWER:
        meaning = "price is at or below the lower band: stretched low; often bounces"
        return Reading(label, value, meaning, "bullish")
    if shown >= PERCENT_B_UPPER - PERCENT_B_NEAR:
        return Reading(label, value, "price is near the upper band", "neutral")
    if shown <= PERCENT_B_LOWER + PERCENT_B_NEAR:
        return Reading(label, value, "price is near the lower band", "neutral")
    half = "upper" if shown >= (PERCENT_B_UPPER + PERCENT_B_LOWER) / 2 else "lower"
    return Reading(label, value, f"price is in the {half} half of the bands", "neutral")


def read_atr(atr: float, price: float) -> Reading:
    value = f"{_price(atr)} ({atr / price * 100:.1f}% of price)"
    return Reading(f"ATR({ATR_PERIOD})", value, "a typical move per candle", "info")


def read_volatility(volatility: float, span: timedelta) -> Reading:
    meaning = f"swings over the last {_span(span)}, scaled to a year"
    return Reading("Realised volatility", f"{volatility * 100:.0f}% a year", meaning, "info")


def summarise(readings: Sequence[Reading]) -> str:
    """A tally of the directional readings; says plainly that it is not a forecast."""
    leans = [r.lean for r in readings]
    bullish, bearish = leans.count("bullish"), leans.count("bearish")
    verdict = "mixed"
    if bullish != bearish:
        verdict = "leaning bullish" if bullish > bearish else "leaning bearish"
    missing = leans.count("unavailable")
    short = f" ({missing} need more candles)" if missing else ""
    return (
        f"Signals: {bullish} bullish, {bearish} bearish, {leans.count('neutral')} neutral{short}"
        f" — {verdict}. A tally of indicators, not a forecast."
    )


def _needs(label: str, needed: int, have: int) -> Reading:
    return Reading(label, f"needs {needed} candles; {have} stored", "", "unavailable")


def _latest(values: FloatArray) -> float | None:
    last = float(values[-1])
    return last if np.isfinite(last) else None


def _price(value: float) -> str:
    return format_price(Decimal(repr(value)))


def _ago(bars: int) -> str:
    if bars == 0:
        return "on the last candle"
    return "1 candle ago" if bars == 1 else f"{bars} candles ago"


def _span(span: timedelta) -> str:
    if span >= timedelta(days=2):
        return f"{round(span / timedelta(days=1))} days"
    if span >= timedelta(hours=2):
        return f"{round(span / timedelta(hours=1))} hours"
    return f"{round(span / timedelta(minutes=1))} minutes"
