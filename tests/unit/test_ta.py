"""analyse(): TA-Lib's numbers on real candles, readings (facts: a state code, numbers, a lean)
that flip at their thresholds, no NaN."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
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
    Tally,
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


def reading(report: TAReport, indicator: str) -> Reading:
    (found,) = [r for r in report.readings if r.indicator == indicator]
    return found


def reading_numbers(r: Reading) -> list[float]:
    values = (r.value, r.gap_pct, r.bars_ago, r.window, r.needed, r.have)
    return [float(v) for v in values if v is not None]


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
    tally = report.tally
    assert tally.bullish + tally.bearish + tally.neutral + tally.unavailable == 6  # + 2 info


def test_real_golden_and_death_crosses_read_as_such() -> None:
    eth = analyse(load_candles("ETHUSDT_1d"), "1d")
    assert reading(eth, "sma_cross") == Reading("sma_cross", "golden_cross", "bullish", bars_ago=40)
    btc = analyse(load_candles("BTCUSDT_1h"), "1h")
    assert reading(btc, "sma_cross") == Reading("sma_cross", "death_cross", "bearish", bars_ago=100)


def test_price_against_sma_200_reads_as_the_long_term_trend() -> None:
    eth = analyse(load_candles("ETHUSDT_1d"), "1d")
    trend = reading(eth, "trend")
    assert (trend.state, trend.lean, trend.gap_pct) == ("above", "bullish", 22.6)
    assert trend.value == eth.sma_slow == pytest.approx(1860.88, abs=0.005)


def test_without_a_cross_in_view_the_sma_reading_says_which_side_it_is_on() -> None:
    assert read_sma_cross(110.0, 100.0, None, 250) == Reading(
        "sma_cross", "above", "bullish", window=51
    )
    assert read_sma_cross(90.0, 100.0, None, 250).lean == "bearish"
    assert read_sma_cross(100.0, 100.0, None, 250) == Reading("sma_cross", "level", "neutral")


@pytest.mark.parametrize(
    ("up", "down", "verdict", "lean"),
    [(3.0, 1.0, "overbought", "bearish"), (1.0, 3.0, "oversold", "bullish")],
)
def test_rsi_reading_flips_past_70_and_30(up: float, down: float, verdict: str, lean: str) -> None:
    report = analyse(candles_from_closes(zigzag(up, down)), "1h")
    rsi = reading(report, "rsi")
    assert (rsi.state, rsi.lean) == (verdict, lean)
    assert rsi.value == round(report.rsi, 1)


def test_rsi_between_the_thresholds_is_neutral() -> None:
    report = analyse(candles_from_closes(zigzag(2.0, 2.0)), "1h")
    assert 30 < report.rsi < 70
    assert reading(report, "rsi").state == "neutral"


@pytest.mark.parametrize(
    ("rsi", "shown", "lean"),
    [
        (70.04, 70.0, "neutral"),  # judged as shown: "70.0" is not above 70
        (70.06, 70.1, "bearish"),
        (29.96, 30.0, "neutral"),
        (29.94, 29.9, "bullish"),
        (0.0, 0.0, "bullish"),
        (100.0, 100.0, "bearish"),
    ],
)
def test_rsi_thresholds_apply_to_the_number_shown(rsi: float, shown: float, lean: str) -> None:
    result = read_rsi(rsi)
    assert (result.value, result.lean) == (shown, lean)


@pytest.mark.parametrize(
    ("percent_b", "state", "lean"),
    [
        (1.0, "above_upper", "bearish"),
        (1.3, "above_upper", "bearish"),
        (0.95, "near_upper", "neutral"),
        (0.6, "upper_half", "neutral"),
        (0.4, "lower_half", "neutral"),
        (0.1, "near_lower", "neutral"),
        (0.0, "below_lower", "bullish"),
        (-0.2, "below_lower", "bullish"),
        (None, "flat", "neutral"),
    ],
)
def test_percent_b_reading_flips_at_the_bands(
    percent_b: float | None, state: str, lean: str
) -> None:
    result = read_percent_b(percent_b)
    assert (result.state, result.lean) == (state, lean)


def test_macd_reading_says_which_side_and_where_the_histogram_goes() -> None:
    assert read_macd(1.0, 0.5, np.array([0.4, 0.5])) == Reading(
        "macd", "above", "bullish", motion="rising"
    )
    assert read_macd(1.0, 0.9, np.array([0.4, 0.1])).motion == "falling"
    falling = read_macd(-1.0, 0.0, np.array([-0.5, -1.0]))
    assert (falling.state, falling.motion, falling.lean) == ("below", "falling", "bearish")
    assert read_macd(-1.0, -0.5, np.array([-0.9, -0.5])).motion == "rising"
    assert read_macd(1.0, 1.0, np.array([0.0, 0.0])) == Reading("macd", "on", "neutral")


def test_too_few_candles_for_sma_200_say_so_reading_by_reading() -> None:
    report = analyse(load_candles("BTCUSDT_1h")[-150:], "1h")
    missing = Reading("trend", "unavailable", "unavailable", needed=200, have=150)
    assert reading(report, "trend") == missing
    assert reading(report, "sma_cross") == dataclasses.replace(missing, indicator="sma_cross")
    assert (report.sma_slow, report.sma_cross) == (None, None)
    assert report.sma_fast == talib.SMA(ind.closes(load_candles("BTCUSDT_1h")[-150:]), 50)[-1]
    assert report.tally.unavailable == 2
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
    assert reading(report, "rsi") == Reading("rsi", "flat", "neutral")
    assert reading(report, "percent_b").state == "flat"
    assert reading(report, "macd").state == "on"
    assert all(math.isfinite(x) for x in numbers(report))


def test_candles_out_of_order_or_an_unknown_timeframe_are_refused() -> None:
    candles = load_candles("BTCUSDT_1h")[-100:]
    with pytest.raises(ValueError, match="time order"):
        analyse(candles[::-1], "1h")
    with pytest.raises(ValueError, match="timeframe"):
        analyse(candles, "2h")


def test_volatility_looks_back_30_days_at_most() -> None:
    hourly = analyse(load_candles("BTCUSDT_1h"), "1h")
    assert reading(hourly, "volatility").span == timedelta(days=30)
    short = analyse(load_candles("BTCUSDT_1h")[-100:], "1h")
    assert reading(short, "volatility").span == timedelta(days=4)  # 99 hours, in whole days


def test_summary_tallies_directional_readings_only() -> None:
    def r(lean: str) -> Reading:
        return Reading("rsi", "x", lean)  # type: ignore[arg-type]

    assert summarise([r("bullish"), r("bullish"), r("bearish"), r("info"), r("neutral")]) == (
        Tally(bullish=2, bearish=1, neutral=1, unavailable=0, verdict="bullish")
    )
    assert summarise([r("bullish"), r("bearish"), r("unavailable")]).verdict == "mixed"
    assert summarise([r("bearish")]).verdict == "bearish"


@settings(max_examples=60)
@given(
    st.lists(st.floats(min_value=-0.2, max_value=0.2), min_size=MIN_CANDLES - 1, max_size=260),
    st.sampled_from(sorted(TIMEFRAMES)),
)
def test_no_nan_ever_reaches_the_report(returns: list[float], timeframe: str) -> None:
    closes = [float(f"{x:.8g}") for x in 100 * np.exp(np.cumsum([0.0, *returns]))]
    report = analyse(candles_from_closes(closes, timeframe), timeframe)
    assert all(math.isfinite(x) for x in numbers(report))
    assert all(math.isfinite(x) for r in report.readings for x in reading_numbers(r))
    assert len(report.readings) == 8
