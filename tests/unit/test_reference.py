"""The cross-exchange price: the median of fresh quotes, with their spread."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from core.market import Ticker
from core.reference import SEVERAL, reference_quotes

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
FRESH = timedelta(seconds=30)


def tick(
    exchange: str,
    price: str,
    age: float = 1,
    quote: str = "USDT",
    base: str = "BTC",
    change: str | None = "1.00",
) -> Ticker:
    return Ticker(
        exchange,
        f"{base}/{quote}",
        base,
        quote,
        Decimal(price),
        NOW - timedelta(seconds=age),
        Decimal(change) if change else None,
        Decimal("10"),
    )


def test_the_median_of_three_exchanges_and_their_spread() -> None:
    quotes = reference_quotes(
        [
            tick("binance", "64000.10"),
            tick("coinbase", "64010.00", quote="USD"),
            tick("kraken", "63990.00", quote="USD"),
        ],
        NOW,
        FRESH,
    )
    btc = quotes["BTC"]
    assert btc.price == Decimal("64000.10")
    assert btc.quote == "USD"  # USDT and USD mixed
    assert btc.sources == ("binance", "coinbase", "kraken")
    assert btc.exchange == SEVERAL  # a fact, not words: the bot says "median of 3 exchanges"
    assert btc.spread_pct == Decimal("0.031")  # 20.00 / 64000.10
    assert btc.volume_24h == Decimal(30)


def test_an_even_count_averages_the_middle_two_at_quote_precision() -> None:
    btc = reference_quotes([tick("a", "100.01"), tick("b", "100.02")], NOW, FRESH)["BTC"]
    assert btc.price == Decimal("100.02")  # 100.015 rounded half-even to the cent
    assert btc.price.as_tuple().exponent == -2


def test_one_broken_exchange_does_not_move_the_price() -> None:
    btc = reference_quotes([tick("a", "64000"), tick("b", "64001"), tick("c", "1.00")], NOW, FRESH)[
        "BTC"
    ]
    assert btc.price == Decimal("64000")


def test_stale_quotes_are_left_out_while_fresh_ones_exist() -> None:
    btc = reference_quotes([tick("a", "64000", age=5), tick("b", "50000", age=600)], NOW, FRESH)[
        "BTC"
    ]
    assert btc.price == Decimal("64000") and btc.exchange == "a" and btc.sources == ()


def test_when_all_are_stale_the_freshest_stands_alone() -> None:
    btc = reference_quotes([tick("a", "64000", age=500), tick("b", "63000", age=100)], NOW, FRESH)[
        "BTC"
    ]
    assert btc.price == Decimal("63000") and btc.ts == NOW - timedelta(seconds=100)


def test_non_dollar_quotes_are_not_mixed_in() -> None:
    quotes = reference_quotes([tick("a", "60000", quote="EUR")], NOW, FRESH)
    assert quotes == {}


@given(st.lists(st.decimals(min_value=1, max_value=10**6, places=2), min_size=1, max_size=7))
def test_the_reference_lies_between_the_lowest_and_highest_quote(prices) -> None:
    tickers = [tick(f"x{i}", str(p)) for i, p in enumerate(prices)]
    btc = reference_quotes(tickers, NOW, FRESH)["BTC"]
    assert min(prices) <= btc.price <= max(prices)
    assert btc.spread_pct is None or btc.spread_pct >= 0
