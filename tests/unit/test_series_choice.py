"""Which series to believe (fresh, then spot, coverage, the exchange order) and how a timeframe
is put together from stored candles and finer ones, with values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.market import Candle
from core.series_choice import (
    Candidate,
    Origin,
    assemble,
    build,
    choose,
    coverage,
    fresh_within,
    is_fresh,
    missing_ranges,
    origin,
)

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
EXCHANGES = ["binance", "coinbase", "kraken"]


def market(
    exchange: str = "binance",
    *,
    newest: datetime = NOW - HOUR,
    coverage: int = 100,
    kind: str = "spot",
    market_id: int = 1,
) -> Candidate:
    return Candidate(market_id, exchange, "LINK/USDT", "USDT", kind, newest, coverage)


def hourly(start: datetime, count: int, *, skip: tuple[int, ...] = ()) -> list[Candle]:
    """`count` hourly candles from `start`: open = 100 + i, volume = i + 1 (all but `skip`)."""
    return [
        Candle(
            start + i * HOUR,
            Decimal(100 + i),
            Decimal(110 + i),
            Decimal(90 + i),
            Decimal(101 + i),
            Decimal(i + 1),
        )
        for i in range(count)
        if i not in skip
    ]


def four_hourly(start: datetime, count: int, close: int = 500) -> list[Candle]:
    return [
        Candle(start + i * 4 * HOUR, *(Decimal(close + i) for _ in range(4)), Decimal(7))
        for i in range(count)
    ]


# ---- fresh or stale ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timeframe", "within"),
    [("1m", 2 * HOUR), ("15m", 2 * HOUR), ("1h", 3 * HOUR), ("4h", 12 * HOUR), ("1d", 3 * DAY)],
)
def test_a_series_is_fresh_for_three_periods_and_never_less_than_two_hours(
    timeframe: str, within: timedelta
) -> None:
    assert fresh_within(timeframe) == within
    assert is_fresh(NOW - within, timeframe, NOW)
    assert not is_fresh(NOW - within - timedelta(seconds=1), timeframe, NOW)


# ---- the choice -------------------------------------------------------------------------------


def test_a_fresh_market_beats_a_longer_history_that_ended_long_ago() -> None:
    live = market("binance", newest=datetime(2026, 3, 10, tzinfo=UTC), coverage=90)
    yahoo = market("yahoo", newest=datetime(2024, 12, 7, tzinfo=UTC), coverage=500, market_id=2)
    assert choose([yahoo, live], "1d", NOW, EXCHANGES) == live


def test_among_fresh_markets_the_best_covered_wins_whatever_the_exchange_order() -> None:
    binance = market("binance", coverage=300)
    kraken = market("kraken", coverage=480, market_id=2)
    assert choose([binance, kraken], "1h", NOW, EXCHANGES) == kraken


def test_equal_coverage_goes_by_the_configured_exchange_order_then_by_name() -> None:
    binance, kraken = market("binance"), market("kraken", market_id=2)
    okx, bybit = market("okx", market_id=3), market("bybit", market_id=4)
    assert choose([binance, kraken], "1h", NOW, ["kraken", "binance"]) == kraken
    assert choose([okx, bybit, kraken], "1h", NOW, EXCHANGES) == kraken  # listed before unlisted
    assert choose([okx, bybit], "1h", NOW, EXCHANGES) == bybit


def test_spot_wins_over_a_perpetual_however_well_covered() -> None:
    spot = market("binance", coverage=40)
    perp = market("binance", kind="perp", coverage=500, market_id=2)
    assert choose([perp, spot], "1h", NOW, EXCHANGES) == spot


def test_a_perpetual_is_taken_when_no_spot_market_is_fresh() -> None:
    stale_spot = market("binance", newest=NOW - 4 * HOUR, coverage=500)
    perp = market("bybit", kind="perp", coverage=50, market_id=2)
    assert choose([stale_spot, perp], "1h", NOW, EXCHANGES) == perp


def test_when_none_is_fresh_the_most_recent_wins() -> None:
    older = market("binance", newest=NOW - 40 * DAY, coverage=500)
    recent = market("yahoo", newest=NOW - 10 * DAY, coverage=20, market_id=2)
    perp = market("bybit", kind="perp", newest=NOW - 10 * DAY, coverage=90, market_id=3)
    assert choose([older, recent], "1d", NOW, EXCHANGES) == recent
    assert choose([older, recent, perp], "1d", NOW, EXCHANGES) == recent  # spot breaks the tie


def test_no_market_no_choice() -> None:
    assert choose([], "1h", NOW, EXCHANGES) is None


def test_the_origin_says_the_market_and_how_old_its_newest_candle_is() -> None:
    live = market("binance", newest=NOW - HOUR)
    stale = market("yahoo", newest=datetime(2024, 12, 7, tzinfo=UTC), kind="spot")
    assert origin(live, "1h", NOW) == Origin("binance", "LINK/USDT", "spot", True, HOUR)
    said = origin(stale, "1d", NOW)
    assert not said.fresh and said.age == timedelta(days=458, hours=14, minutes=30)
    # a forming candle opened "in the future" of a clock a little behind is not negative age
    assert origin(market(newest=NOW + HOUR), "1h", NOW).age == timedelta(0)


# ---- coverage and where finer candles stand in ------------------------------------------------


def test_coverage_counts_finer_candles_in_whole_candles_of_the_timeframe() -> None:
    assert coverage(10, 9, "4h") == 12  # 9 hours make two whole 4h candles
    assert coverage(0, 48, "1d") == 2
    assert coverage(10, 0, "4h") == 10
    assert coverage(10, 50, "1h") == 10  # 1h is not built from anything


def test_finer_candles_stand_in_before_the_first_and_after_the_last_stored() -> None:
    since, first, last = NOW - 30 * DAY, NOW - 20 * DAY, NOW - 5 * DAY
    assert missing_ranges(since, first, last, "4h") == [
        (since, first),
        (last + 4 * HOUR, None),
    ]
    assert missing_ranges(first, first, last, "4h") == [(last + 4 * HOUR, None)]
    assert missing_ranges(since, None, None, "4h") == [(since, None)]
    assert missing_ranges(None, first, last, "1d") == [(None, first), (last + DAY, None)]


# ---- building a timeframe from a finer one ----------------------------------------------------


def test_four_hour_candles_are_built_from_whole_hours_only() -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    built = build(hourly(start, 12, skip=(6,)), "1h", "4h", NOW)
    assert built == [
        Candle(start, Decimal(100), Decimal(113), Decimal(90), Decimal(104), Decimal(10)),
        # 04:00–08:00 lacks 06:00: not a candle anyone could trust, so none
        Candle(
            start + 8 * HOUR, Decimal(108), Decimal(121), Decimal(98), Decimal(112), Decimal(42)
        ),
    ]


def test_a_bucket_the_finer_candles_start_inside_is_left_out() -> None:
    start = datetime(2026, 3, 1, 2, tzinfo=UTC)  # 02:00: the 00:00 bucket has only two hours
    assert [c.ts for c in build(hourly(start, 10), "1h", "4h", NOW)] == [
        datetime(2026, 3, 1, 4, tzinfo=UTC),
        datetime(2026, 3, 1, 8, tzinfo=UTC),
    ]


def test_the_forming_candle_is_built_while_its_hours_so_far_have_no_hole() -> None:
    start = datetime(2026, 3, 10, 8, tzinfo=UTC)  # NOW is 14:30: the 12:00 bucket is forming
    built = build(hourly(start, 7), "1h", "4h", NOW)
    assert [c.ts for c in built] == [start, start + 4 * HOUR]
    assert built[-1] == Candle(
        start + 4 * HOUR, Decimal(104), Decimal(116), Decimal(94), Decimal(107), Decimal(18)
    )
    holed = build(hourly(start, 7, skip=(5,)), "1h", "4h", NOW)  # 13:00 missing
    assert [c.ts for c in holed] == [start]


def test_a_day_is_built_from_its_twenty_four_hours() -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    (day,) = build(hourly(start, 30), "1h", "1d", NOW)
    assert day == Candle(start, Decimal(100), Decimal(133), Decimal(90), Decimal(124), Decimal(300))


def test_a_timeframe_is_not_built_from_a_longer_one() -> None:
    with pytest.raises(ValueError, match="1h candles cannot be built from 4h"):
        build(four_hourly(datetime(2026, 3, 1, tzinfo=UTC), 3), "4h", "1h", NOW)


# ---- stored, then built where missing ---------------------------------------------------------


def test_stored_four_hours_then_four_hours_built_from_hourly_ones_without_overlap() -> None:
    """4h stored up to 2023-12-31 20:00, hourly stored from 2023-12-31 16:00: one series,
    the stored candles as they are, then candles built from the hours after them."""
    stored = four_hourly(datetime(2023, 12, 31, 8, tzinfo=UTC), 4)  # 08:00 … 20:00
    hours = hourly(datetime(2023, 12, 31, 16, tzinfo=UTC), 16)  # 16:00 … 07:00 next day
    last = stored[-1].ts
    ((start, until),) = missing_ranges(stored[0].ts, stored[0].ts, last, "4h")
    assert (start, until) == (datetime(2024, 1, 1, tzinfo=UTC), None)
    finer = [c for c in hours if c.ts >= start]
    series = assemble(stored, build(finer, "1h", "4h", NOW))
    assert [c.ts.hour for c in series] == [8, 12, 16, 20, 0, 4]
    assert series[:4] == stored  # read as stored: the 16:00 and 20:00 hours are not counted
    assert series[4] == Candle(
        datetime(2024, 1, 1, tzinfo=UTC),
        Decimal(108),
        Decimal(121),
        Decimal(98),
        Decimal(112),
        Decimal(9 + 10 + 11 + 12),
    )


def test_a_stored_candle_wins_over_one_built_for_the_same_time() -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    stored = four_hourly(start, 1, close=700)
    series = assemble(stored, build(hourly(start, 8), "1h", "4h", NOW))
    assert [c.close for c in series] == [Decimal(700), Decimal(108)]


@given(
    stored_at=st.sets(st.integers(0, 30), max_size=20),
    missing=st.sets(st.integers(0, 4 * 31), max_size=10),
)
def test_every_time_appears_once_and_every_stored_candle_stays(
    stored_at: set[int], missing: set[int]
) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    stored = [four_hourly(start + i * 4 * HOUR, 1)[0] for i in sorted(stored_at)]
    series = assemble(stored, build(hourly(start, 4 * 31, skip=tuple(missing)), "1h", "4h", NOW))
    times = [c.ts for c in series]
    assert times == sorted(set(times))
    assert set(stored) <= set(series)
    for candle in series:
        if candle not in stored:  # built: only from a whole bucket of hours
            first = int((candle.ts - start) / HOUR)
            assert not missing & set(range(first, first + 4))
            assert candle.volume == sum(Decimal(i + 1) for i in range(first, first + 4))
