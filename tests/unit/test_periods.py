"""Timeframes and periods as people type them, and candles resampled to longer timeframes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core.market import Candle, resample
from core.periods import BadArgument, candles_in, parse_period, parse_timeframe, period_label


@pytest.mark.parametrize(
    ("typed", "days", "label"),
    [
        ("7d", 7, "7d"),
        ("24h", 1, "24h"),
        ("2w", 14, "2w"),
        ("3m", 90, "3m"),
        ("3mo", 90, "3m"),
        ("1Y", 365, "1y"),
        (" 30D ", 30, "30d"),
    ],
)
def test_periods(typed: str, days: float, label: str) -> None:
    period = parse_period(typed)
    assert period.span == timedelta(days=days) and period.label == label


@pytest.mark.parametrize("typed", ["", "7", "d7", "0d", "7x", "-1d", "1e9d", "99999y", "7 days"])
def test_bad_periods_say_what_works(typed: str) -> None:
    with pytest.raises(BadArgument):
        parse_period(typed)


def test_timeframes() -> None:
    assert parse_timeframe("4H") == "4h" and parse_timeframe("daily") == "1d"
    with pytest.raises(BadArgument, match="one of 1h, 4h, 1d"):
        parse_timeframe("3h")


def test_labels_and_counts() -> None:
    assert period_label(timedelta(days=90)) == "3m" and period_label(timedelta(days=14)) == "14d"
    assert candles_in(timedelta(days=7), "1h") == 168


def test_four_hour_candles_from_hourly_ones() -> None:
    start = datetime(2024, 1, 1, 2, tzinfo=UTC)  # 02:00: the first 4h candle is partial
    hourly = [
        Candle(
            start + timedelta(hours=i),
            Decimal(10 + i),
            Decimal(20 + i),
            Decimal(5 + i),
            Decimal(11 + i),
            Decimal(1),
        )
        for i in range(6)
    ]
    four = resample(hourly, "4h")
    assert [c.ts.hour for c in four] == [0, 4]
    assert (four[0].open, four[0].high, four[0].low, four[0].close, four[0].volume) == (
        Decimal(10),
        Decimal(21),
        Decimal(5),
        Decimal(12),
        Decimal(2),
    )
    assert (four[1].open, four[1].close, four[1].volume) == (Decimal(12), Decimal(16), Decimal(4))


def test_chart_arguments_in_any_order() -> None:
    from core.periods import split_args

    args = split_args(["btc", "30d", "4h"])
    assert args.symbols == ("btc",) and args.timeframe == "4h" and args.period.label == "30d"
    assert split_args(["BTC"]).timeframe is None
    assert split_args(["BTC", "1m"]).period.label == "1m"  # a month, not a minute
    bad_args = [
        (["BTC", "3x"], "period looks like"),
        (["BTC", "15m"], "one of 1h"),
        (["BTC", "1h", "4h"], "one timeframe"),
        (["BTC", "7d", "1y"], "one period"),
    ]
    for bad, message in bad_args:
        with pytest.raises(BadArgument, match=message):
            split_args(bad)
