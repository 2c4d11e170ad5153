"""Reading tickers the way people type them."""

from __future__ import annotations

from core.symbols import clean, resolve

KNOWN = ("BTC", "ETH", "SOL", "DOGE", "ADA", "XRP", "BNB")
NAMES = {"bitcoin": "BTC", "ethereum": "ETH", "ether": "ETH", "dogecoin": "DOGE"}


def test_lower_case_and_decorations_are_read_as_tickers() -> None:
    assert [clean(t) for t in ("btc", "$eth", "#sol", "BTC/USDT", "eth-usd", "doge,")] == [
        "BTC",
        "ETH",
        "SOL",
        "BTC",
        "ETH",
        "DOGE",
    ]


def test_names_and_aliases_resolve_to_their_ticker() -> None:
    request = resolve(["Bitcoin", "ether"], KNOWN, NAMES)
    assert request.symbols == ("BTC", "ETH")
    assert request.problems == ()


def test_duplicates_are_asked_once() -> None:
    assert resolve(["btc", "BTC", "$btc"], KNOWN, NAMES).symbols == ("BTC",)


def test_unknown_symbols_come_with_suggestions() -> None:
    request = resolve(["BTCC", "ETHH"], KNOWN, NAMES)
    assert request.symbols == ()
    assert [p.suggestions[0] for p in request.problems] == ["BTC", "ETH"]
    assert {p.reason for p in request.problems} == {"unknown"}


def test_misspelt_names_suggest_the_coin() -> None:
    (problem,) = resolve(["bitcoinn"], KNOWN, NAMES).problems
    assert "BTC" in problem.suggestions


def test_things_that_are_not_tickers_are_told_apart() -> None:
    for text in ("🚀", "BTC';", "a" * 5000, "DROP TABLE users;--", "<b>"):
        request = resolve([text], KNOWN, NAMES)
        assert request.symbols == ()
        assert len(request.problems) == 1


def test_more_than_the_limit_is_cut_and_said() -> None:
    request = resolve(list(KNOWN), KNOWN, NAMES, limit=3)
    assert request.symbols == ("BTC", "ETH", "SOL")
    assert request.too_many is True


def test_every_quote_a_market_is_written_with_comes_off_a_pasted_ticker() -> None:
    assert [clean(t) for t in ("ETHBTC", "sol/fdusd", "bnb_try", "xrp-eur", "BTCUSD")] == [
        "ETH",
        "SOL",
        "BNB",
        "XRP",
        "BTC",
    ]


def test_a_known_ticker_that_ends_like_a_quote_stays_itself() -> None:
    request = resolve(["steth", "STETH/USDT", "ethbtc"], (*KNOWN, "STETH"), NAMES)
    assert request.symbols == ("STETH", "ETH")
