"""Two publishers' headlines of one story are one story; a daily column's next day is not.
The pairs are real headlines of the cryptonews data set (tests/fixtures/news/README.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.news.titles import Candidate, Headline, near_duplicate, same_story, title_key

T0 = datetime(2022, 3, 10, 12, tzinfo=UTC)

SAME = [
    ("Binance announces crypto card for Ukrainian refugees",
     "Binance Introduces New Crypto Card for Ukrainian Refugees"),
    ("Central African Republic Has Adopted Bitcoin as Legal Tender - Reports",
     "Central African Republic will adopt Bitcoin as legal tender: Report"),
    ("MetaMask warns Apple users over iCloud phishing attacks",
     "MetaMask Warns Apple Users of iCloud Phishing Attacks"),
    ("Cardano Foundation and The University of Zurich expand academic blockchain research",
     "Cardano Foundation and University of Zurich Partner for Academic Blockchain Research"),
    ("Banning Bitcoin in Russia is 'same as banning the internet,' minister says",
     "Banning Bitcoin is Like Banning the Internet, Says Russia’s Finance Minister"),
    ("XRP Moves With the Market as Ripples Announces Buyout",
     "XRP Moves With the Market as Ripple Announces Buyout"),
]  # fmt: skip
DIFFERENT = [
    ("Price analysis 4/11: BTC, ETH, BNB, SOL, XRP, ADA, LUNA, AVAX, DOT, DOGE",
     "Price analysis 4/13: BTC, ETH, BNB, SOL, XRP, ADA, LUNA, AVAX, DOT, DOGE"),
    ("Bitcoin and Ethereum Consolidate Gains, LUNA and WAVES Rally",
     "Bitcoin and Ethereum Consolidate Gains, AAVE and CHZ Rally"),
    ("Paris Blockchain Week, day 1: Latest updates from the Cointelegraph team on the ground",
     "Paris Blockchain Week, April 14: Latest updates from the Cointelegraph team on the ground"),
    ("Bitcoin, Ethereum, and Altcoins Tumble", "Bitcoin, Ethereum, and Altcoins Extend Decline"),
    ("Crypto Donations to Ukraine Exceed $13 Million", "Crypto Donations to Ukraine Near USD 20M"),
]  # fmt: skip


@pytest.mark.parametrize(("a", "b"), SAME)
def test_two_takes_on_one_story_are_one_story(a: str, b: str) -> None:
    assert same_story(Headline.of(a), Headline.of(b))


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_a_column_with_other_facts_is_another_story(a: str, b: str) -> None:
    assert not same_story(Headline.of(a), Headline.of(b))


def test_numbers_are_written_one_way() -> None:
    assert title_key("Bitcoin tops $40K") == title_key("Bitcoin Tops $40,000")
    assert title_key("Bybit Inks a $150 Million Deal") == "bybit inks a $150000000 deal"
    assert title_key("Brazil’s Petrobras uses Cardano") == "brazils petrobras uses cardano"


def test_a_shouted_headline_states_no_tickers() -> None:
    assert Headline.of("BREAKING: BITCOIN HITS NEW HIGH").tickers == frozenset()
    assert Headline.of("SHIB and XRP Pause").tickers == {"SHIB", "XRP"}


def test_the_closest_story_within_the_window_is_the_one() -> None:
    title = "Binance Introduces New Crypto Card for Ukrainian Refugees"
    stories = [
        Candidate(1, "Binance launches crypto card for refugees in Europe", T0),
        Candidate(2, "Binance announces crypto card for Ukrainian refugees", T0),
        Candidate(3, title, T0 - timedelta(days=5)),  # the same words, but days before
    ]
    assert near_duplicate(title, T0 + timedelta(hours=3), stories) == 2


def test_a_story_outside_the_window_is_not_retold() -> None:
    stories = [Candidate(1, "Binance announces crypto card for Ukrainian refugees", T0)]
    title = "Binance Introduces New Crypto Card for Ukrainian Refugees"
    assert near_duplicate(title, T0 + timedelta(days=3), stories) is None
    assert near_duplicate("", T0, stories) is None
