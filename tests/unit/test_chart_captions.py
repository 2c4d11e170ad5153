"""Chart captions: the right numbers with the right signs, escaped, within Telegram's limit, in
the person's language."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.i18n import texts_for
from bot.views.chart import (
    candles_caption,
    compare_caption,
    correlation_caption,
    correlation_strength,
)
from bot.views.common import MAX_CAPTION, telegram_length
from core.market import Candle

T0 = datetime(2024, 1, 1, tzinfo=UTC)
EN, ES, RU = texts_for("en"), texts_for("es"), texts_for("ru")


def candle(hour: int, open_: str, high: str, low: str, close: str, volume: str) -> Candle:
    return Candle(
        T0 + timedelta(hours=hour),
        Decimal(open_),
        Decimal(high),
        Decimal(low),
        Decimal(close),
        Decimal(volume),
    )


WEEK = [
    candle(0, "62675.00", "63100.00", "61230.50", "62900.00", "5000.5"),
    candle(1, "62900.00", "65010.00", "62800.00", "64500.00", "4000.25"),
    candle(2, "64500.00", "64600.00", "63900.00", "64123.45", "3344.25"),
]


def test_the_candles_caption_has_last_change_high_low_and_volume() -> None:
    text = candles_caption(EN, "BTC", "Bitcoin", "1h", "7d", WEEK, "USDT")
    assert text == (
        "<b>BTC</b> Bitcoin · 1h · 7d — last <code>64,123.45</code> USDT (+2.31%)"
        " · high 65,010.00 · low 61,230.50 · volume 12,345 BTC"
    )


def test_a_fall_over_the_period_reads_with_a_minus_sign() -> None:
    falling = [*WEEK[:2], candle(2, "64500", "64600", "60000", "60000.00", "1")]
    text = candles_caption(EN, "BTC", "BTC", "1h", "7d", falling, "USDT")
    assert "(−4.27%)" in text
    assert text.startswith("<b>BTC</b> · 1h")  # no name repeated when it is the symbol


def test_small_prices_and_volumes_keep_their_digits() -> None:
    pepe = [
        candle(0, "0.000012000", "0.000012600", "0.000011900", "0.000012500", "12.5"),
        candle(1, "0.000012500", "0.000012700", "0.000012300", "0.000012345", "3.25"),
    ]
    text = candles_caption(EN, "PEPE", "Pepe", "1h", "2h", pepe, "USDT")
    assert "last <code>0.00001234</code> USDT (+2.88%)" in text
    assert "low 0.00001190" in text and "volume 15.75 PEPE" in text


def test_spanish_and_russian_captions_use_their_decimal_commas_and_words() -> None:
    spanish = candles_caption(ES, "BTC", "Bitcoin", "1h", "7d", WEEK, "USDT")
    assert spanish == (
        "<b>BTC</b> Bitcoin · 1h · 7d — último <code>64.123,45</code> USDT (+2,31\xa0%)"
        " · máximo 65.010,00 · mínimo 61.230,50 · volumen 12.345 BTC"
    )
    russian = candles_caption(RU, "BTC", "Bitcoin", "1h", "7d", WEEK, "USDT")
    assert "последняя <code>64\xa0123,45</code> USDT (+2,31\xa0%)" in russian
    assert "объём 12\xa0345 BTC" in russian
    compared = compare_caption(ES, "BTC", "ETH", Decimal("4.2"), -1.3, -0.82, "30d")
    assert compared == (
        "<b>BTC</b> +4,20\xa0% frente a <b>ETH</b> −1,30\xa0% en 30d"
        " · correlación −0,82 (fuerte, inversa)"
    )
    pairs = correlation_caption(RU, ["A", "B"], [[1.0, 0.3], [0.3, 1.0]], "7d")
    assert pairs == "Корреляция 2 монет за 7d: <b>A</b> и <b>B</b> 0,30 (слабая)"
    assert correlation_caption(RU, ["A"] * 21, [[1.0] * 21] * 21, "7d").startswith(
        "Корреляция 21 монеты"  # one: 21
    )


def test_a_caption_needs_candles() -> None:
    with pytest.raises(ValueError, match="at least one candle"):
        candles_caption(EN, "BTC", "Bitcoin", "1h", "7d", [], "USDT")


def test_compare_caption_has_both_moves_and_a_word_for_the_correlation() -> None:
    text = compare_caption(EN, "BTC", "ETH", Decimal("4.2"), -1.3, 0.82, "30d")
    assert text == "<b>BTC</b> +4.20% vs <b>ETH</b> −1.30% over 30d · correlation 0.82 (strong)"


def test_compare_caption_copes_with_missing_numbers() -> None:
    text = compare_caption(EN, "BTC", "ETH", None, math.nan, None, "30d")
    assert text == "<b>BTC</b> n/a vs <b>ETH</b> n/a over 30d · correlation n/a"


@pytest.mark.parametrize(
    ("r", "word"),
    [
        (0.95, "strong"),
        (0.7, "strong"),
        (0.55, "moderate"),
        (0.25, "weak"),
        (0.05, "negligible"),
        (-0.1, "negligible"),
        (-0.45, "moderate, inverse"),
        (-0.9, "strong, inverse"),
    ],
)
def test_correlation_strength_words(r: float, word: str) -> None:
    assert correlation_strength(EN, r) == word


def test_correlation_caption_names_the_most_and_least_alike_pairs() -> None:
    matrix = [
        [1.0, 0.91, 0.35],
        [0.91, 1.0, -0.42],
        [0.35, -0.42, 1.0],
    ]
    text = correlation_caption(EN, ["BTC", "ETH", "DOGE"], matrix, "30d")
    assert text == (
        "Correlation of 3 coins over 30d · most alike: <b>BTC</b> and <b>ETH</b> 0.91 (strong)"
        " · least alike: <b>ETH</b> and <b>DOGE</b> −0.42 (moderate, inverse)"
    )


def test_correlation_caption_skips_missing_values_and_says_when_there_is_nothing() -> None:
    nan = math.nan
    assert correlation_caption(EN, ["A", "B"], [[1.0, nan], [nan, 1.0]], "7d") == (
        "Correlation of 2 coins over 7d: not enough data yet."
    )
    assert correlation_caption(EN, ["A", "B"], [[1.0, 0.3], [0.3, 1.0]], "7d") == (
        "Correlation of 2 coins over 7d: <b>A</b> and <b>B</b> 0.30 (weak)"
    )
    with pytest.raises(ValueError, match="3×3 matrix"):
        correlation_caption(EN, ["A", "B", "C"], [[1.0]], "7d")


def test_what_came_from_outside_is_escaped() -> None:
    text = candles_caption(EN, "<b>", "Tom & Jerry <i>", "1h", "<7d>", WEEK, "US&D")
    assert "Tom &amp; Jerry &lt;i&gt;" in text and "&lt;7d&gt;" in text and "US&amp;D" in text
    assert "<i>" not in text
    text = compare_caption(EN, "<x>", "&", 1, 2, 0.5, "30d")
    assert "<b>&lt;x&gt;</b>" in text and "<b>&amp;</b>" in text
    text = correlation_caption(EN, ["<a>", "b&"], [[1, 0.5], [0.5, 1]], "<p>")
    assert "&lt;a&gt;" in text and "b&amp;" in text and "&lt;p&gt;" in text


def test_captions_fit_telegrams_limit_whatever_they_are_given() -> None:
    huge = "🚀&<" * 2000
    captions = [
        candles_caption(EN, huge, huge, huge, huge, WEEK, huge),
        compare_caption(EN, huge, huge, Decimal("1e9"), -1e9, -1.0, huge),
        correlation_caption(EN, [huge, huge + "x"], [[1, 0.5], [0.5, 1]], huge),
    ]
    for text in captions:
        assert "\n" not in text
        assert telegram_length(text) <= MAX_CAPTION
