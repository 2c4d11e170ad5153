"""Indicator helpers: TA-Lib's numbers on real candles, and the properties that must hold."""

from __future__ import annotations

import math
import statistics
from decimal import Decimal

import numpy as np
import pytest
import talib
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from core import indicators as ind
from core.indicators import Cross, Ohlcv
from tests.fixtures.candles import load_candles

FIXTURES = ("BTCUSDT_1h", "ETHUSDT_1d")

prices = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False)


@pytest.fixture(scope="module", params=FIXTURES)
def real(request: pytest.FixtureRequest) -> Ohlcv:
    return ind.ohlcv_arrays(load_candles(request.param))


def test_candles_become_contiguous_float64_arrays_in_order() -> None:
    candles = load_candles("BTCUSDT_1h")
    data = ind.ohlcv_arrays(candles)
    for field, values in zip(Ohlcv._fields, data, strict=True):
        assert values.dtype == np.float64
        assert values.flags.c_contiguous
        assert values.tolist() == [float(getattr(c, field)) for c in candles]
    np.testing.assert_array_equal(ind.closes(candles), data.close)


def test_no_candles_give_empty_arrays() -> None:
    assert ind.closes([]).shape == (0,)
    assert all(values.shape == (0,) for values in ind.ohlcv_arrays([]))


def test_each_helper_equals_talib_called_directly(real: Ohlcv) -> None:
    high, low, close = real.high, real.low, real.close
    pairs = [
        (ind.sma(close, 50), talib.SMA(close, timeperiod=50)),
        (ind.sma(close, 200), talib.SMA(close, timeperiod=200)),
        (ind.ema(close, 12), talib.EMA(close, timeperiod=12)),
        (ind.ema(close, 26), talib.EMA(close, timeperiod=26)),
        (ind.rsi(close), talib.RSI(close, timeperiod=14)),
        (ind.atr(high, low, close), talib.ATR(high, low, close, timeperiod=14)),
        *zip(
            ind.macd(close),
            talib.MACD(close, fastperiod=12, slowperiod=26, signalperiod=9),
            strict=True,
        ),
        *zip(
            ind.bollinger(close),
            talib.BBANDS(close, timeperiod=20, nbdevup=2.0, nbdevdn=2.0, matype=0),
            strict=True,
        ),
    ]
    for ours, theirs in pairs:
        assert ours.shape == close.shape
        np.testing.assert_array_equal(ours, theirs)  # NaN positions included


def test_warm_up_is_nan_and_nothing_after_it_is(real: Ohlcv) -> None:
    close = real.close
    for values, first in [
        (ind.sma(close, 200), 199),
        (ind.rsi(close), 14),
        (ind.macd(close)[2], 33),
        (ind.atr(real.high, real.low, close), 14),
    ]:
        assert np.isnan(values[:first]).all()
        assert np.isfinite(values[first:]).all()


def test_sma_is_the_plain_mean_of_the_last_n_closes() -> None:
    candles = load_candles("BTCUSDT_1h")
    averages = ind.sma(ind.closes(candles), 50)
    for i in (49, 500, 999):
        by_hand = sum((c.close for c in candles[i - 49 : i + 1]), Decimal(0)) / 50
        assert averages[i] == pytest.approx(float(by_hand), rel=1e-12)
    assert math.isnan(averages[48])


def test_sma_of_a_short_series_is_all_nan() -> None:
    assert np.isnan(ind.sma([1.0, 2.0, 3.0], 5)).all()


@given(st.floats(min_value=1e-6, max_value=1e9), st.integers(2, 60), st.integers(0, 100))
def test_sma_of_a_constant_is_that_constant(price: float, n: int, extra: int) -> None:
    averages = ind.sma(np.full(n + extra, price), n)
    np.testing.assert_allclose(averages[n - 1 :], price, rtol=1e-12)


@given(arrays(np.float64, st.integers(15, 300), elements=prices))
def test_rsi_stays_between_0_and_100(closes: np.ndarray) -> None:
    values = ind.rsi(closes)
    finite = values[np.isfinite(values)]
    assert finite.size == closes.size - 14
    assert ((finite >= 0) & (finite <= 100)).all()


def test_rsi_is_100_when_price_only_rises_and_0_when_it_only_falls() -> None:
    rising = np.arange(1.0, 41.0)
    assert ind.rsi(rising)[-1] == 100.0
    assert ind.rsi(rising[::-1])[-1] == 0.0


def test_macd_histogram_is_macd_minus_signal(real: Ohlcv) -> None:
    line, signal, hist = ind.macd(real.close)
    np.testing.assert_allclose(hist[33:], line[33:] - signal[33:], rtol=0, atol=1e-9)


def test_percent_b_is_1_at_the_upper_band_and_0_at_the_lower(real: Ohlcv) -> None:
    upper, middle, lower = ind.bollinger(real.close)
    warm = slice(19, None)
    assert (ind.percent_b(upper, upper, lower)[warm] == 1.0).all()
    assert (ind.percent_b(lower, upper, lower)[warm] == 0.0).all()
    np.testing.assert_allclose(ind.percent_b(middle, upper, lower)[warm], 0.5, atol=1e-9)
    assert np.isnan(ind.percent_b(real.close, upper, lower)[:19]).all()


@given(prices, prices, st.floats(min_value=0.0, max_value=1.0))
def test_percent_b_is_the_fraction_of_the_way_from_lower_to_upper(
    a: float, b: float, fraction: float
) -> None:
    lower, upper = min(a, b), max(a, b)
    if upper - lower < 1e-6 * upper:
        return  # bands too narrow for the price to sit measurably inside them
    price = lower + fraction * (upper - lower)
    assert ind.percent_b([price], [upper], [lower])[0] == pytest.approx(fraction, abs=1e-6)


def test_percent_b_is_nan_when_the_bands_are_flat() -> None:
    upper, _, lower = ind.bollinger(np.full(30, 42_000.0))
    assert np.isnan(ind.percent_b(np.full(30, 42_000.0), upper, lower)).all()


def test_periods_per_year_count_every_day_of_the_year() -> None:
    assert ind.periods_per_year("1h") == 24 * 365
    assert ind.periods_per_year("1d") == 365
    assert ind.periods_per_year("15m") == 4 * 24 * 365


@given(st.floats(min_value=1e-6, max_value=1e9), st.integers(3, 200))
def test_a_constant_price_has_zero_volatility(price: float, n: int) -> None:
    assert ind.realised_volatility(np.full(n, price), 8760) == 0.0


def test_volatility_of_alternating_moves_matches_the_formula() -> None:
    # Log returns +r, −r, +r, … (2m of them): mean 0, sample variance 2m·r² / (2m − 1).
    r, m = 0.01, 50
    closes = 100 * np.exp(np.cumsum([0.0] + [r, -r] * m))
    expected = r * math.sqrt(2 * m / (2 * m - 1)) * math.sqrt(365)
    assert ind.realised_volatility(closes, 365) == pytest.approx(expected, rel=1e-9)


def test_volatility_is_the_annualised_sample_stdev_of_log_returns(real: Ohlcv) -> None:
    returns = [math.log(b / a) for a, b in zip(real.close, real.close[1:], strict=False)]
    expected = statistics.stdev(returns) * math.sqrt(8760)
    assert ind.realised_volatility(real.close, 8760) == pytest.approx(expected, rel=1e-9)
    last_30 = statistics.stdev(returns[-30:]) * math.sqrt(365)
    assert ind.realised_volatility(real.close, 365, window=30) == pytest.approx(last_30, rel=1e-9)


def test_volatility_needs_two_returns() -> None:
    assert math.isnan(ind.realised_volatility([100.0, 101.0], 365))
    with pytest.raises(ValueError, match="window"):
        ind.realised_volatility([100.0, 101.0, 102.0], 365, window=1)


def test_last_cross_finds_the_latest_crossing() -> None:
    slow = np.zeros(8)
    fast = np.array([-1.0, -1.0, 1.0, 2.0, -1.0, -2.0, 1.0, 3.0])
    assert ind.last_cross(fast, slow) == Cross("up", 1)
    assert ind.last_cross(fast[:6], slow[:6]) == Cross("down", 1)
    assert ind.last_cross(fast[:5], slow[:5]) == Cross("down", 0)


def test_a_touch_is_not_a_cross_but_passing_through_equality_is() -> None:
    slow = np.zeros(5)
    assert ind.last_cross([-1.0, 0.0, -1.0, 0.0, -2.0], slow) is None
    assert ind.last_cross([-1.0, 0.0, 0.0, 1.0, 1.0], slow) == Cross("up", 1)


def test_last_cross_skips_the_warm_up_and_needs_both_sides() -> None:
    nan = math.nan
    assert ind.last_cross([nan, nan, 1.0, 2.0], [nan, 0.0, 0.0, 0.0]) is None
    assert ind.last_cross([nan, -1.0, 1.0], [nan, 0.0, 0.0]) == Cross("up", 0)
    with pytest.raises(ValueError, match="length"):
        ind.last_cross([1.0, 2.0], [1.0])


def test_last_cross_on_real_candles_is_where_the_averages_changed_sides(real: Ohlcv) -> None:
    fast, slow = ind.sma(real.close, 50), ind.sma(real.close, 200)
    cross = ind.last_cross(fast, slow)
    assert cross is not None
    at = fast.size - 1 - cross.bars_ago
    above = fast > slow
    assert above[at] == (cross.direction == "up")
    assert above[at - 1] != above[at]
    assert (above[at:] == above[at]).all()  # no later cross


def test_correlation_of_a_series_with_itself_is_1_and_with_its_inverse_minus_1(
    real: Ohlcv,
) -> None:
    assert ind.correlation(real.close, real.close) == pytest.approx(1.0, abs=1e-9)
    # 1/price has exactly the negated log returns.
    assert ind.correlation(real.close, 1 / real.close) == pytest.approx(-1.0, abs=1e-9)


def test_correlation_is_pearson_on_log_returns(real: Ohlcv) -> None:
    ra, rb = np.diff(np.log(real.high)), np.diff(np.log(real.low))
    expected = np.corrcoef(ra, rb)[0, 1]
    assert ind.correlation(real.high, real.low) == pytest.approx(expected, abs=1e-9)
    period = ra.size
    assert ind.correlation(real.high, real.low) == talib.CORREL(ra, rb, timeperiod=period)[-1]


def test_correlation_needs_aligned_series_with_two_returns() -> None:
    with pytest.raises(ValueError, match="length"):
        ind.correlation([1.0, 2.0, 3.0], [1.0, 2.0])
    assert math.isnan(ind.correlation([1.0, 2.0], [2.0, 1.0]))
