"""Reading /buy and /sell the way people type them, with a decimal point or a decimal comma."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.refusal import BadArgument
from core.trade_args import parse_trade

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def parse(text: str, zone: str = "UTC", *, decimal_comma: bool = False):
    return parse_trade(text.split(), NOW, zone, decimal_comma=decimal_comma)


def refusal(text: str, *, decimal_comma: bool = False) -> BadArgument:
    with pytest.raises(BadArgument) as caught:
        parse(text, decimal_comma=decimal_comma)
    return caught.value


def test_the_shortest_form_uses_the_market_price_and_now() -> None:
    request = parse("BTC 0.5")
    assert (request.symbol, request.quantity, request.price, request.fee, request.executed_at) == (
        "BTC",
        Decimal("0.5"),
        None,
        Decimal(0),
        None,
    )


@pytest.mark.parametrize(
    "text",
    [
        "btc 0.5 @ 64000",
        "btc 0.5 @64000",
        "btc 0.5@64000",
        "btc 0.5 at 64,000",
        "btc 0.5 price 64000.00",
    ],
)
def test_the_price_however_it_is_written(text: str) -> None:
    assert parse(text).price == Decimal("64000")


def test_fee_and_date_in_any_order() -> None:
    request = parse("ETH 2 on 2024-03-01 fee 3.20 @ 3100.5")
    assert request.fee == Decimal("3.20") and request.price == Decimal("3100.5")
    assert request.executed_at == datetime(2024, 3, 1, 12, tzinfo=UTC)


def test_dates_are_in_the_persons_time_zone_and_a_bare_day_is_its_midday() -> None:
    request = parse("ETH 2 on 2024-03-01 09:30", zone="Asia/Tokyo")
    assert request.executed_at == datetime(2024, 3, 1, 0, 30, tzinfo=UTC)
    assert parse("ETH 2 on 2024-03-01", zone="Asia/Tokyo").executed_at == datetime(
        2024, 3, 1, 3, tzinfo=UTC
    )
    assert parse("ETH 2 on yesterday").executed_at == datetime(2026, 11, 25, 12, tzinfo=UTC)
    assert parse("ETH 2 on today").executed_at == NOW


def test_tiny_and_exact_amounts_stay_exact() -> None:
    assert parse("BTC 0.00000001 @ 123456789.123456789").price == Decimal("123456789.123456789")


@pytest.mark.parametrize("decimal_comma", [False, True])
def test_a_decimal_comma_that_cannot_be_misread_works_for_everyone(decimal_comma: bool) -> None:
    request = parse("btc 0,5 @ 64000,25 fee 1,5", decimal_comma=decimal_comma)
    assert (request.quantity, request.price, request.fee) == (
        Decimal("0.5"),
        Decimal("64000.25"),
        Decimal("1.5"),
    )
    assert parse("btc 1.234,56", decimal_comma=decimal_comma).quantity == Decimal("1234.56")


def test_one_comma_before_three_digits_is_thousands_in_english_and_ambiguous_otherwise() -> None:
    assert parse("btc 1,234").quantity == Decimal("1234")
    assert refusal("btc 1,234", decimal_comma=True) == BadArgument(
        "amount.ambiguous",
        what="quantity",
        typed="1,234",
        as_decimal=Decimal("1.234"),
        as_thousands=Decimal("1234"),
    )


@pytest.mark.parametrize(
    ("text", "code", "params"),
    [
        ("BTC", "trade.incomplete", {}),
        ("BTC 0", "trade.not_positive", {"what": "quantity"}),
        ("BTC -1", "amount.not_a_number", {"what": "quantity", "typed": "-1"}),
        ("BTC 1e30", "amount.not_a_number", {"what": "quantity", "typed": "1e30"}),
        ("BTC NaN", "amount.not_a_number", {"what": "quantity", "typed": "NaN"}),
        ("BTC 1 @ 0", "trade.not_positive", {"what": "price"}),
        ("BTC 1 @ abc", "amount.not_a_number", {"what": "price", "typed": "abc"}),
        ("BTC 1 fee -2", "amount.not_a_number", {"what": "fee", "typed": "-2"}),
        ("BTC 1 on 2030-01-01", "trade.future", {"at": datetime(2030, 1, 1, 12, tzinfo=UTC)}),
        ("BTC 1 on 01/03/2024", "date.unreadable", {"typed": "01/03/2024"}),
        ("BTC 1 please", "trade.unknown_word", {"typed": "please"}),
        ("BTC 1" + "0" * 40, "amount.too_long", {"what": "quantity"}),
    ],
)
def test_bad_trades_say_why_as_codes(text: str, code: str, params: dict) -> None:
    assert refusal(text) == BadArgument(code, **params)
