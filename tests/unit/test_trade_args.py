"""Reading /buy and /sell the way people type them, with a decimal point or a decimal comma."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.dates import EARLIEST
from core.numbers import BOUNDS
from core.refusal import BadArgument, Refusal
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
        ("BTC 0", "amount.not_positive", {"what": "quantity"}),
        ("BTC -1", "amount.not_a_number", {"what": "quantity", "typed": "-1"}),
        ("BTC 1e30", "amount.not_a_number", {"what": "quantity", "typed": "1e30"}),
        ("BTC NaN", "amount.not_a_number", {"what": "quantity", "typed": "NaN"}),
        ("BTC 1 @ 0", "amount.not_positive", {"what": "price"}),
        (
            "BTC 1 @ 0.0000000000000000000000000001",
            "amount.too_small",
            {"what": "price", "least": Decimal("1e-12")},
        ),
        ("BTC 1 @ 1,000,000,000,001", "amount.too_big", {"what": "price", "most": Decimal(10**12)}),
        ("SHIB 1000000000000001", "amount.too_big", {"what": "quantity", "most": Decimal(10**15)}),
        (
            "BTC 0.0000000000000000001",
            "amount.too_small",
            {"what": "quantity", "least": Decimal("1e-18")},
        ),
        ("BTC 1.0000000000000000001", "amount.too_precise", {"what": "quantity", "places": 18}),
        ("BTC 1 fee 99999999999999999", "amount.too_big", {"what": "fee", "most": Decimal(10**15)}),
        ("BTC 1 @ abc", "amount.not_a_number", {"what": "price", "typed": "abc"}),
        ("BTC 1 fee -2", "amount.not_a_number", {"what": "fee", "typed": "-2"}),
        ("BTC 1 on 2030-01-01", "trade.future", {"at": datetime(2030, 1, 1, 12, tzinfo=UTC)}),
        (
            "BTC 1 on 2026-11-26 15:06",
            "trade.future",
            {"at": datetime(2026, 11, 26, 15, 6, tzinfo=UTC)},
        ),
        ("BTC 1 @ 100 on 9999-12-31 23:00", "trade.future", {}),
        ("SOL 1 on 0001-01-01 00:00", "trade.too_early", {"earliest": date(2009, 1, 3)}),
        ("BTC 1 on 1900-01-01", "trade.too_early", {"earliest": date(2009, 1, 3)}),
        ("BTC 1 on 2009-01-02", "trade.too_early", {"earliest": date(2009, 1, 3)}),
        ("BTC 1 on ２０２４-01-01", "date.unreadable", {"typed": "２０２４-01-01"}),
        ("BTC 1 on 01/03/2024", "date.unreadable", {"typed": "01/03/2024"}),
        ("BTC 1 please", "trade.unknown_word", {"typed": "please"}),
        ("BTC 1" + "0" * 40, "amount.too_long", {"what": "quantity"}),
    ],
)
def test_bad_trades_say_why_as_codes(text: str, code: str, params: dict) -> None:
    assert refusal(text) == BadArgument(code, **params)


@pytest.mark.parametrize("zone", ["America/New_York", "Pacific/Pago_Pago", "Pacific/Kiritimati"])
def test_the_ends_of_the_calendar_are_refused_in_any_zone_without_overflow(zone: str) -> None:
    for text in ("SOL 1 on 0001-01-01 00:00", "BTC 1 @ 100 on 9999-12-31 23:00"):
        with pytest.raises(BadArgument) as caught:
            parse(text, zone)
        assert caught.value.code in ("trade.too_early", "trade.future")
    first = parse("BTC 1 on 2009-01-03 00:00", zone).executed_at
    assert first is not None and first.date() >= date(2009, 1, 2)


def test_a_moment_a_little_ahead_of_the_clock_is_now_and_a_bare_today_never_later() -> None:
    assert parse("BTC 1 on 2026-11-26 15:04").executed_at == NOW  # the person's clock runs fast
    assert parse("BTC 1 on 2026-11-26").executed_at == datetime(2026, 11, 26, 12, tzinfo=UTC)
    morning = parse_trade(["BTC", "1", "on", "2026-11-26"], NOW - timedelta(hours=6))
    assert morning.executed_at == NOW - timedelta(hours=6)  # today's midday is still to come


_WORDS = (  # noqa: SIM905 (a vocabulary reads best as the words themselves)
    "BTC btc 0 0.5 1 -1 1e5 nan 1,234 0,5 64,000.50 1.234,56 0.0000000000000000000000000001 "
    "99999999999999999999 @ @64000 0.5@64000 at price fee on today yesterday 2024-03-01 "
    "0001-01-01 9999-12-31 2008-12-31 2026-11-26 12:00 23:59 25:00 ² ١٢ ５"
).split()


@settings(max_examples=1000)
@given(
    st.lists(st.sampled_from(_WORDS) | st.text(max_size=12), max_size=9),
    st.sampled_from(["UTC", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago"]),
    st.booleans(),
)
def test_any_words_are_a_trade_within_bounds_or_a_refusal(
    words: list[str], zone: str, decimal_comma: bool
) -> None:
    try:
        request = parse_trade(words, NOW, zone, decimal_comma=decimal_comma)
    except Refusal:
        return
    for what, value in (("quantity", request.quantity), ("fee", request.fee)):
        assert BOUNDS[what].least <= value <= BOUNDS[what].most
    if request.price is not None:
        assert BOUNDS["price"].least <= request.price <= BOUNDS["price"].most
    if request.executed_at is not None:
        assert (
            EARLIEST - timedelta(days=1) <= request.executed_at.date()
            and request.executed_at <= NOW
        )
