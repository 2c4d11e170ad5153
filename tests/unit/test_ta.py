"""analyse(): TA-Lib's numbers on real candles, readings that flip at their thresholds, no NaN."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pytest
import talib
from hypothesis import given, settings
from hypothesis import strategies as st

from core import indicators as ind
from core.market import TIMEFRAMES, Candle
from core.ta import (
    MIN_CANDLES,
    NotEnoughCandles,
    Reading,
    TAReport,
    analyse,
    read_macd,
    read_percent_b,
    read_rsi,
    read_sma_cross,
    summarise,
)
from tests.fixtures.candles import load_candles

START = datetime(2024, 1, 1, tzinfo=UTC)


def candles_from_closes(closes: Sequence[float], timeframe: str = "1h") -> list[Candle]:
    """Candles that open at the previous close and wick 0.5% beyond their body."""
    step, candles, previous = TIMEFRAMES[timeframe], [], closes[0]
    for i, close in enumerate(closes):
        top, bottom = max(previous, close), min(previous, close)
        candles.append(
            Candle(
                START + i * step,
                Decimal(repr(previous)),
                Decimal(repr(round(top * 1.005, 8))),
                Decimal(repr(round(bottom * 0.995, 8))),
                Decimal(repr(close)),
                Decimal("1"),
            )
        )
        previous = close
    return candles


def zigzag(up: float, down: float, n: int = 120, start: float = 1000.0) -> list[float]:
    """Up `up`, down `down`, up, down, …: RSI settles at up / (up + down) × 100."""
    closes = [start]
    for i in range(n - 1):
        closes.append(closes[-1] + (up if i % 2 == 0 else -down))
    return closes


def numbers(report: TAReport) -> list[float]:
    return [
        getattr(report, f.name)
        for f in dataclasses.fields(report)
        if isinstance(getattr(report, f.name), float)
    ]


def reading(report: TAReport, label: str) -> Reading:
    (found,) = [r for r in report.readings if r.label == label]
    return found


@pytest.mark.parametrize(("name", "timeframe"), [("BTCUSDT_1h", "1h"), ("ETHUSDT_1d", "1d")])
def test_report_holds_talibs_latest_values_on_real_candles(name: str, timeframe: str) -> None:
    candles = load_candles(name)
    data = ind.ohlcv_arrays(candles)
    close = data.close
    report = analyse(candles, timeframe)

    assert report.rsi == talib.RSI(close, timeperiod=14)[-1]
    assert (report.macd, report.macd_signal, report.macd_hist) == tuple(
        series[-1] for series in talib.MACD(close, 12, 26, 9)
    )
    upper, middle, lower = talib.BBANDS(close, 20, 2.0, 2.0, 0)
    assert (report.bollinger_upper, report.bollinger_middle, report.bollinger_lower) == (
        upper[-1],
        middle[-1],
        lower[-1],
    )
    assert report.percent_b == pytest.approx((close[-1] - lower[-1]) / (upper[-1] - lower[-1]))
    assert report.atr == talib.ATR(data.high, data.low, close, 14)[-1]
    assert report.ema_fast == talib.EMA(close, 12)[-1]
    assert report.ema_slow == talib.EMA(close, 26)[-1]
    assert report.sma_fast == talib.SMA(close, 50)[-1]
    assert report.sma_slow == talib.SMA(close, 200)[-1]
    returns = int(TIMEFRAMES["1d"] * 30 / TIMEFRAMES[timeframe])
    periods = ind.periods_per_year(timeframe)
    assert report.volatility == ind.realised_volatility(close, periods, window=returns)

    assert report.candles == len(candles)
    assert (report.last_ts, report.last_close) == (candles[-1].ts, candles[-1].close)
    assert all(math.isfinite(x) for x in numbers(report))
    assert len(report.readings) == 8
    assert "not a forecast" in report.summary


def test_real_golden_and_death_crosses_read_as_such() -> None:
    eth = analyse(load_candles("ETHUSDT_1d"), "1d")
    assert reading(eth, "SMA 50").line == (
        "SMA 50 crossed above SMA 200 40 candles ago — golden cross: the longer trend turned up"
    )
    btc = analyse(load_candles("BTCUSDT_1h"), "1h")
    assert reading(btc, "SMA 50").line.startswith("SMA 50 crossed below SMA 200 100 candles ago")
    assert "death cross" in reading(btc, "SMA 50").line
    assert reading(btc, "SMA 50").lean == "bearish"


def test_price_against_sma_200_reads_as_the_long_term_trend() -> None:
    eth = analyse(load_candles("ETHUSDT_1d"), "1d")
    assert reading(eth, "SMA 200").line == (
        "SMA 200 1,860.88, price 22.6% above — long-term trend is up"
    )
    assert reading(eth, "SMA 200").lean == "bullish"


def test_without_a_cross_in_view_the_sma_reading_says_which_side_it_is_on() -> None:
    assert read_sma_cross(110.0, 100.0, None, 250).line == (
        "SMA 50 above SMA 200, no cross in 51 candles — the longer trend is up"
    )
    assert read_sma_cross(90.0, 100.0, None, 250).lean == "bearish"
    assert read_sma_cross(100.0, 100.0, None, 250).lean == "neutral"


@pytest.mark.parametrize(
    ("up", "down", "verdict", "lean"),
    [(3.0, 1.0, "overbought", "bearish"), (1.0, 3.0, "oversold", "bullish")],
)
def test_rsi_reading_flips_past_70_and_30(up: float, down: float, verdict: str, lean: str) -> None:
    report = analyse(candles_from_closes(zigzag(up, down)), "1h")
    rsi = reading(report, "RSI(14)")
    assert rsi.meaning.startswith(verdict)
    assert rsi.lean == lean
    assert rsi.value == f"{report.rsi:.1f}"


def test_rsi_between_the_thresholds_is_neutral() -> None:
    report = analyse(candles_from_closes(zigzag(2.0, 2.0)), "1h")
    assert 30 < report.rsi < 70
    assert reading(report, "RSI(14)").meaning.startswith("neutral")


@pytest.mark.parametrize(
    ("rsi", "shown", "lean"),
    [
        (70.04, "70.0", "neutral"),  # judged as shown: "70.0" is not above 70
        (70.06, "70.1", "bearish"),
        (29.96, "30.0", "neutral"),
        (29.94, "29.9", "bullish"),
        (0.0, "0.0", "bullish"),
        (100.0, "100.0", "bearish"),
    ],
)
def test_rsi_thresholds_apply_to_the_number_shown(rsi: float, shown: str, lean: str) -> None:
    result = read_rsi(rsi)
    assert (result.value, result.lean) == (shown, lean)


@pytest.mark.parametrize(
    ("percent_b", "words", "lean"),
    [
        (1.0, "at or above the upper band", "bearish"),
        (1.3, "at or above the upper band", "bearish"),
        (0.95, "near the upper band", "neutral"),
        (0.6, "upper half", "neutral"),
        (0.4, "lower half", "neutral"),
        (0.1, "near the lower band", "neutral"),
        (0.0, "at or below the lower band", "bullish"),
        (-0.2, "at or below the lower band", "bullish"),
        (None, "the bands are flat", "neutral"),
    ],
)
def test_percent_b_reading_flips_at_the_bands(
    percent_b: float | None, words: str, lean: str
) -> None:
    result = read_percent_b(percent_b)
    assert words in result.meaning
    assert result.lean == lean


def test_macd_reading_says_which_side_and_where_the_histogram_goes() -> None:
    assert read_macd(1.0, 0.5, np.array([0.4, 0.5])).line == (
        "MACD above its signal, histogram rising — momentum is turning up"
    )
    assert read_macd(1.0, 0.9, np.array([0.4, 0.1])).meaning == "upward momentum is fading"
    falling = read_macd(-1.0, 0.0, np.array([-0.5, -1.0]))
    assert (falling.meaning, falling.lean) == ("momentum is turning down", "bearish")
    assert read_macd(-1.0, -0.5, np.array([-0.9, -0.5])).meaning == "downward momentum is fading"


def test_too_few_candles_for_sma_200_say_so_line_by_line() -> None:
    report = analyse(load_candles("BTCUSDT_1h")[-150:], "1h")
    assert reading(report, "SMA 200").line == "SMA 200 needs 200 candles; 150 stored"
    assert reading(report, "SMA 50/200").line == "SMA 50/200 needs 200 candles; 150 stored"
    assert (report.sma_slow, report.sma_cross) == (None, None)
    assert report.sma_fast == talib.SMA(ind.closes(load_candles("BTCUSDT_1h")[-150:]), 50)[-1]
    assert "(2 need more candles)" in report.summary
    assert all(math.isfinite(x) for x in numbers(report))


def test_fewer_than_the_minimum_raises_not_enough_candles() -> None:
    candles = load_candles("BTCUSDT_1h")[: MIN_CANDLES - 1]
    with pytest.raises(NotEnoughCandles) as raised:
        analyse(candles, "1h")
    assert (raised.value.needed, raised.value.have) == (35, 34)
    analyse(load_candles("BTCUSDT_1h")[:MIN_CANDLES], "1h")  # exactly the minimum is enough


def test_a_price_that_never_moves_reads_as_flat_not_as_oversold() -> None:
    report = analyse(candles_from_closes([42_000.0] * 60), "1h")
    assert (report.rsi, report.percent_b, report.volatility) == (None, None, 0.0)
    assert report.atr == pytest.approx(420.0)  # only the wicks: 0.5% either side
    assert reading(report, "RSI(14)").lean == "neutral"
    assert "flat" in reading(report, "Bollinger %B").meaning
    assert reading(report, "MACD").value == "on its signal"
    assert all(math.isfinite(x) for x in numbers(report))


def test_candles_out_of_order_or_an_unknown_timeframe_are_refused() -> None:
    candles = load_candles("BTCUSDT_1h")[-100:]
    with pytest.raises(ValueError, match="time order"):
        analyse(candles[::-1], "1h")
    with pytest.raises(ValueError, match="timeframe"):
        analyse(candles, "2h")


def test_volatility_looks_back_30_days_at_most() -> None:
    hourly = analyse(load_candles("BTCUSDT_1h"), "1h")
    assert reading(hourly, "Realised volatility").meaning.endswith("last 30 days, scaled to a year")
    short = analyse(load_candles("BTCUSDT_1h")[-100:], "1h")
    assert "last 4 days" in reading(short, "Realised volatility").meaning


def test_summary_tallies_directional_readings_only() -> None:
    def r(lean: str) -> Reading:
        return Reading("X", "1", "", lean)  # type: ignore[arg-type]

    assert summarise([r("bullish"), r("bullish"), r("bearish"), r("info"), r("neutral")]) == (
        "Signals: 2 bullish, 1 bearish, 1 neutral — leaning bullish. "
        "A tally of indicators, not a forecast."
    )
    assert "— mixed." in summarise([r("bullish"), r("bearish"), r("unavailable")])
    assert "leaning bearish" in summarise([r("bearish")])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(min_value=-0.2, max_value=0.2), min_size=MIN_CANDLES - 1, max_size=260),
    st.sampled_from(sorted(TIMEFRAMES)),
)
def test_no_nan_ever_reaches_the_report(returns: list[float], timeframe: str) -> None:
    closes = [float(f"{x:.8g}") for x in 100 * np.exp(np.cumsum([0.0, *returns]))]
    report = analyse(candles_from_closes(closes, timeframe), timeframe)
    assert all(math.isfinite(x) for x in numbers(report))
    assert all("nan" not in r.line.lower() for r in report.readings)
    assert len(report.readings) == 8
