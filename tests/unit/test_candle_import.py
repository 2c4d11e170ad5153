"""The pure rules of importing candles: pairs as written, epoch times by their size, a series'
timeframe from its spacing, and when two versions of a candle are the same candle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.candle_import import (
    Pair,
    SpacingProblem,
    agree,
    differences,
    epoch_time,
    micros,
    read_pair,
    timeframe_of,
)
from core.market import TIMEFRAMES, Candle

T0 = datetime(2021, 4, 4, 20, tzinfo=UTC)
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


@pytest.mark.parametrize(
    ("written", "pair", "symbol"),
    [
        ("BTC/USDT", Pair("BTC", "USDT"), "BTC/USDT"),
        ("btc-usdt", Pair("BTC", "USDT"), "BTC/USDT"),
        ("BTCUSDT", Pair("BTC", "USDT"), "BTC/USDT"),
        ("SOLFDUSD", Pair("SOL", "FDUSD"), "SOL/FDUSD"),
        ("BTC/USDT:USDT", Pair("BTC", "USDT", "USDT"), "BTC/USDT:USDT"),
        ("BTC/USD:BTC", Pair("BTC", "USD", "BTC"), "BTC/USD:BTC"),
        ("BTC", None, None),
        ("USDT/USDT", None, None),
        ("BTC/USDT/ETH", None, None),
    ],
)
def test_a_pair_is_read_as_people_and_ccxt_write_it(
    written: str, pair: Pair | None, symbol: str | None
) -> None:
    assert read_pair(written) == pair
    if pair is not None:
        assert pair.symbol == symbol


def test_a_perpetual_is_its_own_market() -> None:
    spot = Pair("BTC", "USDT")
    assert (spot.kind, spot.as_kind("perp").symbol) == ("spot", "BTC/USDT:USDT")
    inverse = Pair("BTC", "USD", "BTC")
    assert inverse.inverse and inverse.as_kind("perp") == inverse
    assert inverse.as_kind("spot").symbol == "BTC/USD"


@pytest.mark.parametrize(
    "number",
    [1617566400, 1617566400_000, 1617566400_000_000],  # s, ms, µs (Binance spot since 2025)
)
def test_an_epoch_number_is_read_in_the_unit_its_size_says(number: int) -> None:
    assert epoch_time(number) == datetime(2021, 4, 4, 20, tzinfo=UTC)


@pytest.mark.parametrize("number", [0, 42, 1_000_000_000, 5_000_000_000, 10**17])
def test_an_epoch_number_of_no_unit_between_2009_and_2099_is_none(number: int) -> None:
    assert epoch_time(number) is None


# hypothesis takes naive bounds and makes the moments aware in the zone given
FIRST, LAST = datetime(2009, 1, 3), datetime(2099, 12, 31)  # noqa: DTZ001


@given(st.datetimes(min_value=FIRST, max_value=LAST, timezones=st.just(UTC)))
def test_every_moment_reads_back_from_its_milliseconds(moment: datetime) -> None:
    moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    millis = (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)
    assert epoch_time(millis) == moment


def hours(*offsets: int) -> list[datetime]:
    return [T0 + n * HOUR for n in offsets]


def timeframe(times: list[datetime], stated: str | None = None) -> str:
    return timeframe_of([micros(t) for t in times], stated)


@pytest.mark.parametrize(
    ("times", "stated", "expected"),
    [
        (hours(*range(48)), None, "1h"),
        (hours(0, 1, 2, 5, 6, 7, 8), None, "1h"),  # an outage's hole is not another timeframe
        ([T0.replace(hour=0) + n * DAY for n in range(10)], None, "1d"),
        (hours(0), "1h", "1h"),
        (hours(0, 4, 8, 12), None, "4h"),
    ],
)
def test_a_series_timeframe_is_the_step_most_candles_are_apart(
    times: list[datetime], stated: str | None, expected: str
) -> None:
    assert timeframe(times, stated) == expected


@pytest.mark.parametrize(
    ("times", "stated", "code", "at", "step"),
    [
        (hours(0), None, "single", 0, None),
        (hours(0, 2, 4, 6), None, "not_a_timeframe", 0, 2 * HOUR),
        (hours(*range(10)), "4h", "other_timeframe", 0, HOUR),
        ([T0.replace(hour=0) + n * DAY for n in range(5)] + [T0.replace(hour=0) + 4 * DAY + HOUR],
         None, "mixed", 5, HOUR),
        (hours(*range(10), 24, 48, 72, 96), None, "run", 10, DAY),
        ([T0 + timedelta(minutes=30) + n * HOUR for n in range(3)], None, "misaligned", 0, None),
    ],
)  # fmt: skip
def test_times_that_make_no_one_series_are_refused_where_they_stop(
    times: list[datetime], stated: str | None, code: str, at: int, step: timedelta | None
) -> None:
    with pytest.raises(SpacingProblem) as problem:
        timeframe(times, stated)
    assert (problem.value.code, problem.value.at, problem.value.step) == (code, at, step)


def test_a_long_run_of_holes_of_odd_lengths_is_still_holes() -> None:
    times = hours(*range(20), 22, 25, 29, *range(30, 50))  # 2h, 3h, 4h: no two alike in a row
    assert timeframe(times) == "1h"


def test_every_timeframe_is_told_from_its_own_candles() -> None:
    for name, length in TIMEFRAMES.items():
        start = datetime(2024, 1, 1, tzinfo=UTC)
        assert timeframe([start + n * length for n in range(5)]) == name


def candle(*values: str) -> Candle:
    return Candle(T0, *(Decimal(v) for v in values))


def test_a_float_written_short_or_in_full_is_one_value() -> None:
    assert agree(Decimal("465.864013671875"), Decimal("465.864"))  # a float32, two ways
    assert agree(Decimal("4261.48"), Decimal("4261.48000000"))
    assert agree(Decimal("0.30000000000000004"), Decimal("0.3"))
    assert not agree(Decimal("58025.11"), Decimal("58030.00"))  # another exchange's price
    assert not agree(Decimal("0"), Decimal("0.00000001"))


def test_differences_name_each_value_that_disagrees() -> None:
    stored = candle("100", "110", "90", "105", "12.5")
    assert differences(stored, candle("100.0", "110", "90", "105", "12.50000000")) == ()
    assert differences(stored, candle("100", "111", "90", "104", "12.5")) == ("high", "close")
