"""Numbers, money, percentages, dates and durations as each language writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from bot.i18n import texts_for

EN, ES, RU = texts_for("en"), texts_for("es"), texts_for("ru")
NBSP = "\u00a0"


def test_prices_keep_the_places_they_deserve_in_each_language() -> None:
    assert EN.price(Decimal("64123.456")) == "64,123.46"
    assert ES.price(Decimal("64123.456")) == "64.123,46"
    assert RU.price(Decimal("64123.456")) == f"64{NBSP}123,46"
    assert EN.price(Decimal("0.000012345")) == "0.00001234"  # half to even
    assert ES.price(Decimal("2.12345")) == "2,1234"


def test_money_and_gains_have_a_real_minus_sign() -> None:
    assert EN.money(Decimal("-1234.5")) == "−1,234.50"
    assert ES.signed(Decimal("12.345")) == "+12,34"
    assert RU.signed(Decimal("0")) == "±0,00"


def test_percentages_follow_the_locale() -> None:
    assert EN.pct(Decimal("0.916")) == "+0.92%"
    assert ES.pct(Decimal("-12.3"), 1) == f"−12,3{NBSP}%"
    assert RU.pct(None) == "н/д"
    assert EN.pct(Decimal("5"), 0, signed=False) == "5%"


def test_quantities_show_coins_to_a_satoshi_and_money_to_the_cent() -> None:
    assert EN.quantity(Decimal("0.00012345"), "BTC") == "0.00012345 BTC"
    assert EN.quantity(Decimal("1.50000000"), "ETH") == "1.5 ETH"
    assert ES.quantity(Decimal("1234.5"), "USDT") == "1.234,50 USDT"
    assert EN.quantity(Decimal("0.000000001"), "BTC") == "0.000000001 BTC"  # not shown as 0


def test_numbers_keep_every_digit_typed() -> None:
    assert EN.number(Decimal("70000")) == "70,000"
    assert EN.number(Decimal("7E+4")) == "70,000"
    assert RU.number(Decimal("0.00001234")) == "0,00001234"
    assert EN.number(12) == "12"


def test_dates_and_times_in_the_persons_zone() -> None:
    noon = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    assert EN.moment(noon, "Europe/Madrid") == "Mar 1, 2024, 13:00 CET"
    assert ES.moment(noon, "Europe/Madrid") == "1 mar 2024, 13:00 CET"
    assert RU.time(noon, "Europe/Moscow") == "15:00"
    assert ES.day(noon) == "1 mar"
    assert EN.date(date(2009, 1, 3)) == "Jan 3, 2009"
    assert EN.moment(noon, "No/Such_Zone").endswith("12:00 UTC")


@pytest.mark.parametrize(
    ("span", "en", "ru"),
    [
        (timedelta(hours=1), "1 hour", "1 час"),
        (timedelta(minutes=90), "90 minutes", "90 минут"),
        (timedelta(days=2), "2 days", "2 дня"),
        (timedelta(days=5), "5 days", "5 дней"),
    ],
)
def test_durations_are_exact_and_plural(span: timedelta, en: str, ru: str) -> None:
    assert EN.duration(span) == en
    assert RU.duration(span) == ru


def test_ages_read_as_ago() -> None:
    assert EN.ago(timedelta(seconds=2)) == "just now"
    assert EN.ago(timedelta(minutes=3)) == "3 min. ago"
    assert ES.ago(timedelta(minutes=3)) == "hace 3 min"
    assert RU.ago(timedelta(hours=2)) == "2 ч назад"


def test_lists_are_joined_as_each_language_joins_them() -> None:
    assert EN.or_list(["BTC", "ETH", "SOL"]) == "BTC, ETH, or SOL"
    assert ES.or_list(["BTC", "ETH", "SOL"]) == "BTC, ETH o SOL"
    assert RU.and_list(["BTC", "ETH"]) == "BTC и ETH"


def test_an_unknown_language_speaks_english() -> None:
    assert texts_for("de").language == "en"
    assert ES.decimal_comma and RU.decimal_comma and not EN.decimal_comma
