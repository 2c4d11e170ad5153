"""Numbers read the way a trader expects."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from core.formatting import format_age, format_pct, format_price


@pytest.mark.parametrize(
    ("price", "shown"),
    [
        ("64123.456", "64,123.46"),
        ("1234567.5", "1,234,567.50"),
        ("123.456", "123.46"),
        ("12.3456", "12.35"),
        ("1.23456", "1.2346"),
        ("0.0628612", "0.06286"),
        ("0.000012345", "0.00001234"),  # half-even: ...45 -> ...4
        ("0", "0.00"),
    ],
)
def test_prices_show_sensible_precision(price: str, shown: str) -> None:
    assert format_price(Decimal(price)) == shown


def test_percentages_carry_a_sign() -> None:
    assert format_pct(Decimal("2.345")) == "+2.34%"
    assert format_pct(Decimal("-0.5")) == "−0.50%"
    assert format_pct(Decimal("0")) == "±0.00%"
    assert format_pct(None) == "n/a"


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0, "just now"),
        (12, "12 s ago"),
        (125, "2 min ago"),
        (7300, "2 h 1 min ago"),
        (86400 * 3, "3 days ago"),
    ],
)
def test_ages_read_naturally(seconds: int, shown: str) -> None:
    assert format_age(timedelta(seconds=seconds)) == shown
