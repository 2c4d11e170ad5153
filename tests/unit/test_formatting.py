"""Numbers read the way a trader expects, in each language."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from bot.i18n import texts_for
from core.formatting import decimals_for_price

EN, ES, RU = texts_for("en"), texts_for("es"), texts_for("ru")


@pytest.mark.parametrize(
    ("price", "places", "shown"),
    [
        ("64123.456", 2, "64,123.46"),
        ("1234567.5", 2, "1,234,567.50"),
        ("123.456", 2, "123.46"),
        ("12.3456", 2, "12.35"),
        ("1.23456", 4, "1.2346"),
        ("0.0628612", 5, "0.06286"),
        ("0.000012345", 8, "0.00001234"),  # half-even: ...45 -> ...4
        ("0", 2, "0.00"),
    ],
)
def test_prices_show_sensible_precision(price: str, places: int, shown: str) -> None:
    assert decimals_for_price(Decimal(price)) == places
    assert EN.price(Decimal(price)) == shown


def test_prices_in_spanish_and_russian_keep_the_places_and_change_the_marks() -> None:
    assert ES.price(Decimal("64123.456")) == "64.123,46"
    assert RU.price(Decimal("64123.456")) == "64\xa0123,46"
    assert ES.price(Decimal("0.000012345")) == "0,00001234"


def test_percentages_carry_a_sign() -> None:
    assert EN.pct(Decimal("2.345")) == "+2.34%"
    assert EN.pct(Decimal("-0.5")) == "−0.50%"
    assert EN.pct(Decimal("0")) == "±0.00%"
    assert EN.pct(None) == "n/a"
    assert ES.pct(Decimal("-0.5")) == "−0,50\xa0%" and ES.pct(None) == "n/d"


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0, "just now"),
        (12, "12 sec. ago"),
        (125, "2 min. ago"),
        (7300, "2 hr. ago"),
        (86400 * 3, "3 days ago"),
    ],
)
def test_ages_read_naturally(seconds: int, shown: str) -> None:
    assert EN.ago(timedelta(seconds=seconds)) == shown


def test_ages_in_russian_and_spanish() -> None:
    assert RU.ago(timedelta(minutes=7)) == "7 мин. назад"
    assert ES.ago(timedelta(minutes=7)) == "hace 7 min"
