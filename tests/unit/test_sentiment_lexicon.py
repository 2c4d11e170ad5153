"""VADER with our crypto lexicon, and what the light model reads of a text."""

from __future__ import annotations

import math

import pytest

from core.sentiment import vader_label
from workers.sentiment.features import LEXICON_FEATURES, lexicon_row, normalise
from workers.sentiment.lexicon import CRYPTO_LEXICON
from workers.sentiment.vader import Vader


@pytest.fixture(scope="module")
def vader() -> Vader:
    return Vader()


def _vader_alone(weight: float) -> float:
    """VADER's compound of a one-word text: the weight normalised with alpha 15."""
    return round(weight / math.sqrt(weight * weight + 15), 4)


def test_the_lexicon_is_single_lower_case_tokens_on_vaders_scale() -> None:
    assert all(word == word.lower() and " " not in word for word in CRYPTO_LEXICON)
    assert all(-4 <= weight <= 4 and weight != 0 for weight in CRYPTO_LEXICON.values())


@pytest.mark.parametrize(
    ("word", "weight"),
    [("bullish", 2.0), ("bearish", -2.0), ("exploit", -2.2), ("rekt", -2.5), ("ath", 2.3)],
)
def test_a_crypto_word_alone_scores_its_weight(vader: Vader, word: str, weight: float) -> None:
    assert CRYPTO_LEXICON[word] == weight
    assert vader.compound([word]) == [_vader_alone(weight)]


def test_vaders_negation_still_turns_our_words_round(vader: Vader) -> None:
    assert vader.compound(["not bullish"]) == [_vader_alone(-0.74 * 2.0)]


@pytest.mark.parametrize(
    ("headline", "label"),
    [
        ("Bitcoin soars to a new ATH", "positive"),
        ("Bitcoin rallies as ETF inflows surge", "positive"),
        ("SEC set to approve spot Ether ETFs", "positive"),
        ("Exchange hacked, funds stolen", "negative"),
        ("Solana exploit drains $50M", "negative"),
        ("Binance to delist three tokens", "negative"),
        ("Ether plunges as traders get liquidated", "negative"),
        ("Crypto funds see record outflows", "negative"),
        ("Price analysis 3/4: BTC, ETH, BNB", "neutral"),
    ],
)
def test_crypto_headlines_plain_vader_misses(vader: Vader, headline: str, label: str) -> None:
    assert vader_label(vader.compound([headline])[0]) == label


def test_normalising_keeps_what_a_move_says_and_drops_what_differs() -> None:
    assert normalise("$BTC +5% to $45,000 https://t.co/x -3.2% 12").split() == [
        "tkr", "pctup", "to", "num", "pctdown", "num",
    ]  # fmt: skip
    assert normalise("Ether Up 4%") == "ether up  pct "


def _counts(text: str) -> dict[str, int]:
    """lexicon_row back in whole counts."""
    row = lexicon_row(text)
    return {
        name: round(math.copysign(math.expm1(abs(v)), v))
        for name, v in zip(LEXICON_FEATURES, row, strict=True)
    }


def test_market_words_are_counted_with_the_direction_of_what_moves() -> None:
    assert _counts("Net sales rose 5%") == {
        "up": 1, "down": 0, "good": 0, "bad": 0, "direction": 1, "bad_thing": 0,
        "pct_up": 0, "pct_down": 0, "balance": 1,
    }  # fmt: skip
    # a loss that grows is bad news: the direction turns round
    assert _counts("Operating loss increased")["direction"] == -1
    assert _counts("Operating loss increased")["balance"] == -2  # "loss" is also a bad word


def test_a_negation_turns_the_next_words_round() -> None:
    counts = _counts("Bitcoin did not fall, +3% today")
    assert (counts["down"], counts["direction"], counts["pct_up"]) == (-1, 1, 1)
