"""Technical indicators: thin typed helpers over TA-Lib, float64 arrays in and out.

Indicators are analytics, not money: prices become float64 once, here at the boundary, and stay
Decimal everywhere else. Every array helper returns an array as long as its input, NaN while the
indicator is still warming up (TA-Lib's convention), so index i always belongs to candle i.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt
import talib

from core.market import TIMEFRAMES, Candle

FloatArray = npt.NDArray[np.float64]

YEAR = timedelta(days=365)  # crypto trades every day, so a year is 365 full days of candles
CORREL_MAX_PERIOD = 100_000  # the longest window TA-Lib's CORREL accepts


class Ohlcv(NamedTuple):
    """Candle fields as parallel float64 arrays, oldest first."""

    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray


@dataclass(frozen=True, slots=True)
class Cross:
    """The most recent bar where a fast series crossed a slow one."""

    direction: Literal["up", "down"]  # up: fast went from below slow to above it
    bars_ago: int  # 0 = the last bar


def _f64(x: npt.ArrayLike) -> FloatArray:
    # TA-Lib wants C-contiguous float64; for arrays that already are, this copies nothing.
    return np.ascontiguousarray(x, dtype=np.float64)


def closes(candles: Sequence[Candle]) -> FloatArray:
    return np.fromiter((float(c.close) for c in candles), dtype=np.float64, count=len(candles))


def ohlcv_arrays(candles: Sequence[Candle]) -> Ohlcv:
    # float() per value is about twice as fast as letting numpy convert Decimal objects.
    table = np.array(
        [
            (float(c.open), float(c.high), float(c.low), float(c.close), float(c.volume))
            for c in candles
        ],
        dtype=np.float64,
    ).reshape(-1, 5)
    # Transposed and copied, each field is one contiguous row, as TA-Lib wants.
    return Ohlcv(*table.T.copy())


def periods_per_year(timeframe: str) -> float:
    """Candles of `timeframe` in a year: 8,760 for 1h, 365 for 1d."""
    return YEAR / TIMEFRAMES[timeframe]


def sma(x: npt.ArrayLike, n: int) -> FloatArray:
    return talib.SMA(_f64(x), timeperiod=n)


def ema(x: npt.ArrayLike, n: int) -> FloatArray:
    return talib.EMA(_f64(x), timeperiod=n)


def rsi(x: npt.ArrayLike, n: int = 14) -> FloatArray:
    """Wilder's RSI, 0..100. TA-Lib gives 0 for a series that never moved."""
    return talib.RSI(_f64(x), timeperiod=n)


def macd(
    x: npt.ArrayLike, fast: int = 12, slow: int = 26, signal: int = 9
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(MACD line, signal line, histogram = MACD − signal)."""
    line, signal_line, hist = talib.MACD(
        _f64(x), fastperiod=fast, slowperiod=slow, signalperiod=signal
    )
    return line, signal_line, hist


def bollinger(
    x: npt.ArrayLike, n: int = 20, k: float = 2.0
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(upper, middle, lower): SMA(n) ± k population standard deviations."""
    upper, middle, lower = talib.BBANDS(
        _f64(x), timeperiod=n, nbdevup=k, nbdevdn=k, matype=talib.MA_Type.SMA
    )
    return upper, middle, lower


def percent_b(x: npt.ArrayLike, upper: npt.ArrayLike, lower: npt.ArrayLike) -> FloatArray:
    """Where price sits in the bands: 0 at the lower, 1 at the upper; NaN where they have no width.

    TA-Lib has the bands but not %B; it is one division, guarded against flat bands.
    """
    x, upper, lower = _f64(x), _f64(upper), _f64(lower)
    width = upper - lower
    with np.errstate(divide="ignore", invalid="ignore"):
        position = (x - lower) / width
    return np.where(width > 0, position, np.nan)


def atr(high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike, n: int = 14) -> FloatArray:
    """Wilder's average true range, in price units; the first value needs n + 1 candles."""
    return talib.ATR(_f64(high), _f64(low), _f64(close), timeperiod=n)


def log_returns(x: npt.ArrayLike) -> FloatArray:
    return np.diff(np.log(_f64(x)))


def realised_volatility(
    x: npt.ArrayLike, periods_per_year: float, window: int | None = None
) -> float:
    """Annualised sample standard deviation of log returns (0.48 = 48% a year).

    `window` keeps only the last `window` returns. NaN with fewer than two returns.
    """
    # Our own: TA-Lib's STDDEV is a rolling population deviation of raw values; this is one
    # sample figure over log returns, scaled by √(periods per year).
    if window is not None and window < 2:
        raise ValueError(f"window must be at least 2 returns, not {window}")
    returns = log_returns(x)
    if window is not None:
        returns = returns[-window:]
    if returns.size < 2:
        return math.nan
    return float(np.std(returns, ddof=1) * math.sqrt(periods_per_year))


def last_cross(fast: npt.ArrayLike, slow: npt.ArrayLike) -> Cross | None:
    """The latest bar where `fast` moved to the other side of `slow`, or None if it never did.

    A touch (equal values) is not a cross; the cross counts on the bar where fast is strictly on
    the new side. Bars where either series is NaN (warm-up) are skipped.
    """
    # Our own: TA-Lib has no crossover function.
    fast, slow = _f64(fast), _f64(slow)
    if fast.shape != slow.shape:
        raise ValueError(f"series differ in length: {fast.size} and {slow.size}")
    gap = fast - slow
    sided = np.flatnonzero(np.isfinite(gap) & (gap != 0))
    signs = np.sign(gap[sided])
    flips = np.flatnonzero(signs[1:] != signs[:-1])
    if flips.size == 0:
        return None
    k = flips[-1] + 1
    return Cross("up" if signs[k] > 0 else "down", int(gap.size - 1 - sided[k]))


def correlation(a: npt.ArrayLike, b: npt.ArrayLike) -> float:
    """Pearson correlation of two price series' log returns, −1..1; NaN with fewer than 2 returns.

    The series must be aligned candle for candle. Over at most the last 100,000 returns (TA-Lib's
    limit). A series that never moves correlates 0 with anything (TA-Lib's convention).
    """
    ra, rb = log_returns(a), log_returns(b)
    if ra.shape != rb.shape:
        raise ValueError(f"series differ in length: {ra.size + 1} and {rb.size + 1}")
    if ra.size < 2:
        return math.nan
    period = min(ra.size, CORREL_MAX_PERIOD)
    return float(talib.CORREL(ra, rb, timeperiod=period)[-1])
