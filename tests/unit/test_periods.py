"""Timeframes and periods as people type them, and candles resampled to longer timeframes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core.market import Candle, resample
from core.periods import (
    ChartArgs,
    Period,
    available_period,
    candles_in,
    chart_window,
    covers,
    longer_timeframe,
    parse_period,
    parse_timeframe,
    period_label,
    side_by_side_window,
    split_args,
)
from core.refusal import BadArgument


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
def test_bad_periods_are_refused_as_unreadable(typed: str) -> None:
    with pytest.raises(BadArgument) as refused:
        parse_period(typed)
    assert refused.value == BadArgument("period.unreadable", typed=typed.strip())


def test_a_period_over_ten_years_is_refused_with_the_longest() -> None:
    with pytest.raises(BadArgument) as refused:
        parse_period("11y")
    assert refused.value == BadArgument("period.too_long", longest="10y")
    assert parse_period("10y").span == timedelta(days=3650)


def test_timeframes() -> None:
    assert parse_timeframe("4H") == "4h" and parse_timeframe("daily") == "1d"
    with pytest.raises(BadArgument) as refused:
        parse_timeframe("3h")
    assert refused.value == BadArgument("timeframe.unknown", typed="3h", allowed=("1h", "4h", "1d"))


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
    args = split_args(["btc", "30d", "4h"])
    assert args.symbols == ("btc",) and args.timeframe == "4h" and args.period.label == "30d"
    assert split_args(["BTC"]).timeframe is None
    assert split_args(["BTC", "1m"]).period.label == "1m"  # a month, not a minute


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        (["BTC", "3x"], "period.unreadable"),
        (["BTC", "15m"], "timeframe.unknown"),
        (["BTC", "1h", "4h"], "timeframe.twice"),
        (["BTC", "7d", "1y"], "period.twice"),
    ],
)
def test_chart_arguments_that_cannot_be_used_are_refused_by_code(
    typed: list[str], code: str
) -> None:
    with pytest.raises(BadArgument) as refused:
        split_args(typed)
    assert refused.value.code == code


def args(timeframe: str | None = None, period: str | None = None) -> ChartArgs:
    return ChartArgs(("BTC",), timeframe, parse_period(period) if period else None)


@pytest.mark.parametrize(
    ("timeframe", "period", "shown"),
    [
        (None, None, ("1h", "7d")),
        ("4h", None, ("4h", "1m")),
        ("1d", None, ("1d", "6m")),
        (None, "3m", ("1h", "3m")),
        ("1d", "2y", ("1d", "2y")),
    ],
)
def test_a_chart_is_hourly_over_a_week_unless_told(
    timeframe: str | None, period: str | None, shown: tuple[str, str]
) -> None:
    window = chart_window(args(timeframe, period))
    assert (window.timeframe, window.period.label) == shown


@pytest.mark.parametrize(
    ("timeframe", "period", "shown"),
    [
        (None, None, ("1d", "30d")),
        (None, "20d", ("1h", "20d")),
        (None, "21d", ("1d", "21d")),
        ("4h", None, ("4h", "30d")),
    ],
)
def test_compare_and_corr_look_back_30_days_hourly_up_to_20(
    timeframe: str | None, period: str | None, shown: tuple[str, str]
) -> None:
    window = side_by_side_window(args(timeframe, period))
    assert (window.timeframe, window.period.label) == shown


def test_too_many_candles_suggest_the_next_longer_timeframe() -> None:
    assert chart_window(args("1h", "1y")).candles == 8760
    assert [longer_timeframe(tf) for tf in ("1h", "4h", "1d")] == ["4h", "1d", "1d"]


NOW = datetime(2024, 6, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("late", "span", "covered"),
    [
        (timedelta(0), timedelta(days=7), True),
        (3 * HOUR, timedelta(days=1), True),  # three candles late is forgiven…
        (4 * HOUR, timedelta(days=1), False),  # …a fourth is not
        (timedelta(days=2), timedelta(days=30), True),  # a tenth of a month
        (timedelta(days=4), timedelta(days=30), False),
        (-timedelta(days=9), timedelta(days=7), True),  # more than asked for
    ],
)
def test_stored_candles_cover_a_period_a_little_late_but_not_much(
    late: timedelta, span: timedelta, covered: bool
) -> None:
    assert covers(NOW - span + late, HOUR, NOW, span) is covered


@pytest.mark.parametrize(
    ("covered", "period"),
    [
        (timedelta(days=60, hours=5), Period(timedelta(days=60), "60d")),
        (timedelta(days=2), Period(timedelta(days=2), "2d")),
        (timedelta(hours=47, minutes=59), Period(timedelta(hours=47), "47h")),
        (timedelta(minutes=10), Period(timedelta(hours=1), "1h")),
    ],
)
def test_the_period_offered_instead_is_what_the_candles_cover(
    covered: timedelta, period: Period
) -> None:
    assert available_period(covered) == period
