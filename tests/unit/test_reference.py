"""The cross-exchange price: the exact median of fresh quotes, one vote per exchange, which
one broken book cannot move; two that disagree are said to disagree, not averaged."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from core.market import PriceQuote, Ticker
from core.reference import FAR_OFF_PCT, MAX_SKEW, SEVERAL, median, reference_quotes, refusal

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
FRESH = timedelta(seconds=30)


def tick(
    exchange: str,
    price: str | Decimal,
    age: float = 1,
    quote: str = "USDT",
    base: str = "BTC",
    change: str | None = "1.00",
    volume: str | None = "10",
    kind: str = "spot",
) -> Ticker:
    market = f"{base}/{quote}" + (f":{quote}" if kind == "perp" else "")
    return Ticker(
        exchange,
        market,
        base,
        quote,
        Decimal(price),
        NOW - timedelta(seconds=age),
        Decimal(change) if change else None,
        Decimal(volume) if volume else None,
        kind=kind,
    )


def btc(*tickers: Ticker) -> PriceQuote:
    return reference_quotes(tickers, NOW, FRESH)["BTC"]


# --- the median ----------------------------------------------------------------------------


def test_the_median_of_three_exchanges_and_their_spread() -> None:
    quote = btc(
        tick("binance", "64000.10"),
        tick("coinbase", "64010.00", quote="USD"),
        tick("kraken", "63990.00", quote="USD"),
    )
    assert quote.price == Decimal("64000.10")
    assert quote.quote == "USD"  # USDT and USD mixed
    assert quote.sources == ("binance", "coinbase", "kraken")
    assert quote.exchange == SEVERAL  # a fact, not words: the bot says "median of 3 exchanges"
    assert quote.spread_pct == Decimal("0.031")  # 20.00 / 64000.10
    assert quote.volume_24h == Decimal(30)
    assert quote.outliers == () and not quote.disputed


def test_an_even_count_takes_the_exact_mean_of_the_middle_two() -> None:
    assert btc(tick("a", "0.1230"), tick("b", "0.1240")).price == Decimal("0.1235")
    assert btc(tick("a", "100.01"), tick("b", "100.02")).price == Decimal("100.015")
    four = btc(tick("a", "10.0"), tick("b", "10.1"), tick("c", "10.2"), tick("d", "10.4"))
    assert four.price == Decimal("10.15")


def test_the_median_keeps_every_digit_without_a_float() -> None:
    low = Decimal("67000.123456789012345678901234567")  # 32 digits: more than a context's 28
    high = Decimal("67000.123456789012345678901234568")
    middle = median([high, low])
    assert middle == Decimal("67000.1234567890123456789012345675")
    assert 2 * middle == low + high
    assert median([Decimal(3)]) == 3
    assert median([Decimal("-1.5"), Decimal("1.5")]) == 0


# --- refused quotes ------------------------------------------------------------------------


def test_a_zero_price_is_refused_not_averaged_in() -> None:
    quote = btc(tick("binance", "67000.10"), tick("kraken", "0"))
    assert quote.price == Decimal("67000.10")  # not 33,500.05
    assert quote.exchange == "binance"
    assert quote.outliers == ("kraken",)


def test_negative_and_non_finite_prices_are_refused() -> None:
    for bad in ("-1", "NaN", "Infinity", "-Infinity", "0E-8"):
        quote = btc(tick("a", "64000"), tick("b", "64010"), tick("c", bad))
        assert quote.price == Decimal("64005"), bad
        assert quote.sources == ("a", "b") and quote.outliers == ("c",)
        assert refusal(tick("c", bad), NOW) == "price"


def test_an_asset_with_only_broken_quotes_has_no_price() -> None:
    assert reference_quotes([tick("a", "0"), tick("b", "NaN")], NOW, FRESH) == {}


def test_a_quote_from_the_future_is_not_fresh() -> None:
    ahead = tick("kraken", "90000", age=-(MAX_SKEW.total_seconds() + 60))  # a minute too far
    quote = btc(tick("binance", "64000"), tick("coinbase", "64010"), ahead)
    assert quote.sources == ("binance", "coinbase")
    assert quote.outliers == ("kraken",)
    assert quote.price == Decimal("64005")
    assert refusal(ahead, NOW) == "future"


def test_a_quote_within_the_clock_skew_counts() -> None:
    slightly_ahead = tick("kraken", "64020", age=-(MAX_SKEW.total_seconds() - 5))
    quote = btc(tick("binance", "64000"), slightly_ahead)
    assert quote.sources == ("binance", "kraken") and quote.outliers == ()
    assert refusal(slightly_ahead, NOW) is None


def test_a_future_quote_never_stands_alone_as_the_freshest() -> None:
    ahead = tick("kraken", "90000", age=-3600)
    quote = btc(tick("binance", "64000", age=600), ahead)  # binance's is stale: the fallback
    assert quote.price == Decimal("64000") and quote.exchange == "binance"
    assert reference_quotes([ahead], NOW, FRESH) == {}


# --- outliers and disputes -----------------------------------------------------------------


def test_one_far_off_quote_among_three_is_dropped_and_named() -> None:
    quote = btc(tick("a", "64000"), tick("b", "64001"), tick("c", "1.00"))
    assert quote.price == Decimal("64000.5")
    assert quote.sources == ("a", "b")
    assert quote.outliers == ("c",)
    assert quote.spread_pct == Decimal("0.002")  # between the two that count
    assert quote.volume_24h == Decimal(20)


def test_a_quote_just_inside_the_threshold_counts() -> None:
    inside = Decimal(100) + FAR_OFF_PCT  # 5 % above the median of 100
    quote = btc(tick("a", "99.9"), tick("b", "100"), tick("c", inside))
    assert quote.outliers == () and quote.price == 100
    outside = btc(tick("a", "99.9"), tick("b", "100"), tick("c", inside + Decimal("0.01")))
    assert outside.outliers == ("c",)


def test_two_quotes_that_disagree_are_disputed_not_averaged() -> None:
    quote = btc(
        tick("binance", "67000.10", volume="900"),
        tick("kraken", "61000.00", volume="50"),
    )
    assert quote.disputed
    assert quote.dispute == (("kraken", Decimal("61000.00")), ("binance", Decimal("67000.10")))
    assert quote.price == Decimal("67000.10")  # the more liquid exchange's, not 64,000.05
    assert quote.sources == ("binance", "kraken") and quote.outliers == ()
    assert quote.spread_pct == Decimal("8.955")


def test_two_quotes_within_the_threshold_agree() -> None:
    quote = btc(tick("a", "100"), tick("b", "104.9"))
    assert not quote.disputed and quote.price == Decimal("102.45")


def test_three_quotes_without_a_majority_are_disputed() -> None:
    quote = btc(tick("a", "100"), tick("b", "110"), tick("c", "121", volume="99"))
    assert quote.disputed
    assert [e for e, _ in quote.dispute] == ["a", "b", "c"]
    assert quote.price == Decimal(121)  # c trades the most
    assert quote.outliers == ()


def test_a_refused_quote_and_a_dispute_are_both_told() -> None:
    quote = btc(tick("a", "100"), tick("b", "120"), tick("c", "0"))
    assert quote.disputed and quote.outliers == ("c",)


# --- one vote per exchange -----------------------------------------------------------------


def test_an_exchanges_usd_books_give_one_vote_its_most_liquid() -> None:
    quote = btc(
        tick("coinbase", "64000", quote="USD", volume="5000"),
        tick("coinbase", "64090", quote="USDT", volume="20"),
        tick("coinbase", "64080", quote="USDC", volume="300"),
        tick("kraken", "64010", quote="USD"),
    )
    assert quote.sources == ("coinbase", "kraken")
    assert quote.price == Decimal("64005")  # coinbase's USD book, not a median of its three
    assert quote.volume_24h == Decimal(5010)


def test_equally_liquid_books_give_the_freshest_vote() -> None:
    quote = btc(tick("a", "64000", age=20), tick("a", "64050", age=2, quote="USDC"))
    assert quote.price == Decimal("64050") and quote.exchange == "a"


def test_one_exchange_with_several_books_stands_alone() -> None:
    quote = btc(tick("binance", "64000", volume="900"), tick("binance", "9", quote="USDC"))
    assert quote.exchange == "binance" and quote.sources == () and quote.price == 64000


def test_perpetuals_never_enter_the_spot_price() -> None:
    quote = btc(
        tick("binance", "64000"),
        tick("kraken", "64010", quote="USD"),
        tick("binance", "70000", kind="perp", volume="99999"),
        tick("bybit", "80000", kind="perp"),
    )
    assert quote.price == Decimal("64005")
    assert quote.sources == ("binance", "kraken") and quote.outliers == ()
    assert reference_quotes([tick("bybit", "80000", kind="perp")], NOW, FRESH) == {}


# --- freshness and scope -------------------------------------------------------------------


def test_stale_quotes_are_left_out_while_fresh_ones_exist() -> None:
    quote = btc(tick("a", "64000", age=5), tick("b", "50000", age=600))
    assert quote.price == Decimal("64000") and quote.exchange == "a" and quote.sources == ()
    assert quote.outliers == ()  # old, not wrong


def test_when_all_are_stale_the_freshest_stands_alone() -> None:
    quote = btc(tick("a", "64000", age=500), tick("b", "63000", age=100))
    assert quote.price == Decimal("63000") and quote.ts == NOW - timedelta(seconds=100)


def test_non_dollar_quotes_are_not_mixed_in() -> None:
    assert reference_quotes([tick("a", "60000", quote="EUR")], NOW, FRESH) == {}


def test_outliers_and_disputes_survive_the_cache() -> None:
    for quote in (
        btc(tick("a", "64000"), tick("b", "64001"), tick("c", "1.00")),
        btc(tick("a", "100"), tick("b", "120")),
    ):
        assert PriceQuote.from_json(quote.to_json()) == quote


# --- properties ----------------------------------------------------------------------------

prices = st.decimals(min_value="0.00000001", max_value=10**7, places=8)
bad_prices = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from([Decimal(0), Decimal(-1), Decimal("NaN"), Decimal("Infinity")]),
    prices,
)


@given(st.lists(prices, min_size=1, max_size=7))
def test_the_price_lies_within_the_quotes_that_count(values: list[Decimal]) -> None:
    quote = btc(*(tick(f"x{i}", p) for i, p in enumerate(values)))
    counted = [p for i, p in enumerate(values) if f"x{i}" not in quote.outliers]
    assert min(counted) <= quote.price <= max(counted)
    assert quote.spread_pct is None or quote.spread_pct >= 0
    assert len(counted) * 2 > len(values) or quote.disputed or len(values) == 1


@given(st.lists(prices, min_size=1, max_size=7), st.randoms(use_true_random=False))
def test_the_order_of_the_quotes_changes_nothing(values: list[Decimal], rng) -> None:
    tickers = [tick(f"x{i}", p, volume=str(i % 3)) for i, p in enumerate(values)]
    shuffled = list(tickers)
    rng.shuffle(shuffled)
    assert btc(*tickers) == btc(*shuffled)


@given(
    st.decimals(min_value="0.0001", max_value=10**6, places=4),
    st.lists(st.decimals(min_value="-0.01", max_value="0.01", places=4), min_size=3, max_size=6),
    bad_prices,
    st.floats(min_value=-3600, max_value=3600),
)
def test_one_bad_quote_cannot_move_agreeing_ones(
    centre: Decimal, offsets: list[Decimal], bad: Decimal, age: float
) -> None:
    good = [centre * (1 + d) for d in offsets]
    quote = btc(*(tick(f"x{i}", p) for i, p in enumerate(good)), tick("bad", bad, age=age))
    assert not quote.disputed
    assert min(good) <= quote.price <= max(good)
    assert set(quote.sources) >= {f"x{i}" for i in range(len(good))}


@given(st.lists(prices, min_size=2, max_size=5), bad_prices, st.sampled_from(["USDC", "USD"]))
def test_a_thinner_second_book_changes_no_exchanges_vote(
    values: list[Decimal], other: Decimal, quote_ccy: str
) -> None:
    tickers = [tick(f"x{i}", p, volume="100") for i, p in enumerate(values)]
    thin = tick("x0", other, quote=quote_ccy, volume="1")
    with_thin = btc(*tickers, thin)
    alone = btc(*tickers)
    assert replace(with_thin, outliers=()) == replace(alone, outliers=())


@given(st.lists(prices, min_size=2, max_size=2))
def test_the_median_of_two_is_their_exact_mean(values: list[Decimal]) -> None:
    assert 2 * median(values) == sum(values)
