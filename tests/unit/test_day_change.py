"""The 24 h change runs over 24 h: against the price a day before, from the candle then."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from core.day_change import day_ago_opens, rolling_change_pct

D = Decimal


def test_the_change_is_against_the_price_a_day_before() -> None:
    assert rolling_change_pct(D("71400"), D("70000")) == D("2")
    assert rolling_change_pct(D("63000"), D("70000")) == D("-10")
    assert rolling_change_pct(D("70000"), D("70000")) == 0


def test_no_price_a_day_ago_means_no_change_rather_than_a_wrong_one() -> None:
    assert rolling_change_pct(D("70000"), None) is None
    assert rolling_change_pct(D("70000"), D("0")) is None
    assert rolling_change_pct(D("70000"), D("NaN")) is None


def test_the_day_ago_price_is_the_open_of_the_candle_holding_that_moment() -> None:
    # 00:20 UTC: kraken's since-midnight change covers 20 minutes; the day-ago moment is
    # 00:20 the day before, in the 1m candle opened then and the 1h candle opened at 00:00
    now = datetime(2026, 3, 2, 0, 20, 31, tzinfo=UTC)
    assert day_ago_opens(now) == {
        "1m": datetime(2026, 3, 1, 0, 20, tzinfo=UTC),
        "1h": datetime(2026, 3, 1, 0, 0, tzinfo=UTC),
    }
