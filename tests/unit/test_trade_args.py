"""Reading /buy and /sell the way people type them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.periods import BadArgument
from core.trade_args import parse_trade

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def parse(text: str, zone: str = "UTC"):
    return parse_trade(text.split(), NOW, zone)


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


def test_dates_are_in_the_persons_time_zone() -> None:
    request = parse("ETH 2 on 2024-03-01 09:30", zone="Asia/Tokyo")
    assert request.executed_at == datetime(2024, 3, 1, 0, 30, tzinfo=UTC)
    assert parse("ETH 2 on yesterday").executed_at == datetime(2026, 11, 25, 15, tzinfo=UTC)


def test_tiny_and_exact_amounts_stay_exact() -> None:
    assert parse("BTC 0.00000001 @ 123456789.123456789").price == Decimal("123456789.123456789")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("BTC", "say what and how much"),
        ("BTC 0", "more than zero"),
        ("BTC -1", "plain number"),
        ("BTC 1e30", "plain number"),
        ("BTC NaN", "plain number"),
        ("BTC 0,5", "use a dot for decimals"),
        ("BTC 1 @ 0", "price must be more than zero"),
        ("BTC 1 @ abc", "plain number"),
        ("BTC 1 fee -2", "plain number"),
        ("BTC 1 on 2030-01-01", "in the future"),
        ("BTC 1 on 01/03/2024", "dates look like"),
        ("BTC 1 please", "I don't understand"),
        ("BTC 1" + "0" * 40, "more digits"),
    ],
)
def test_bad_trades_say_what_works(text: str, message: str) -> None:
    with pytest.raises(BadArgument, match=message):
        parse(text)
