"""A digest as a chat reads it, in English, Spanish and Russian: every section, the limits,
headlines escaped, "not financial advice" under the forecasts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.i18n import texts_for
from bot.views.common import MAX_MESSAGE, telegram_length
from bot.views.digest_notice import digest_chart, digest_text, fits_caption
from core.chats import ChatSettings
from core.digest.compose import compose
from core.digest.inputs import DigestInputs, MoodInput, StoryInput
from core.digest.registry import NAMES
from core.digest.sections.chart import ChartFacts
from core.market import PriceQuote
from core.notices import DigestPosted
from core.people import Preferences
from core.predict import Forecast, Metrics
from services.delivery import heard_in

AT = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
COINS = ("BTC", "ETH", "SOL", "XRP", "ADA", "DOGE", "DOT", "LINK", "AVAX", "LTC")
LONG = "<script>alert(1)</script> & breaking: " + "very " * 80 + "long headline"


def inputs(title: str = "BTC <b>soars</b> & ETH") -> DigestInputs:
    quotes = {
        c: PriceQuote(
            c, Decimal("12345.678") * (i + 1), "USD", "x", AT, Decimal(i) - Decimal("4.5")
        )
        for i, c in enumerate(COINS)
    }
    stories = tuple(
        StoryInput(i, f"{title} {i}", f"https://news.example/{i}?a=1&b=2", "Desk & Co", 1 + i,
                   AT - timedelta(hours=i), (-0.5 + i / 5), (COINS[i],))
        for i in range(6)
    )  # fmt: skip
    forecasts = {
        c: Forecast(c, "24h", AT, 1.0, 0.3 + i / 20, None, None, "model", 1, AT)
        for i, c in enumerate(COINS)
    }
    forecasts["LTC"] = Forecast("LTC", "24h", AT, 1.0, 0.52, None, None, "base_rate", None, None)
    return DigestInputs(
        at=AT, quotes=quotes, tracked=COINS, names={c: c.title() for c in COINS}, stories=stories,
        moods={c: MoodInput(0.2, 5, None) for c in COINS}, market_mood=MoodInput(-0.3, 40, 0.1),
        forecasts=forecasts, record={"BTC": Metrics(1, 0.2, 0.25, 0.02, None, 0.6, 0.05, 1.0, 0.5)},
    )  # fmt: skip


def notice(
    title: str = "BTC <b>soars</b> & ETH", sections: tuple[str, ...] = NAMES
) -> DigestPosted:
    facts = compose(inputs(title), sections, COINS, AT)
    return DigestPosted(digest_id=1, slot=AT, schedule="daily 08:00", facts=facts)


@pytest.mark.parametrize("language", ["en", "es", "ru"])
def test_every_section_is_said_with_ten_coins_and_long_headlines_within_the_limit(
    language: str,
) -> None:
    t = texts_for(language)
    text = digest_text(t, notice(LONG), "Europe/Madrid")
    assert telegram_length(text) <= MAX_MESSAGE
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "LTC" in text and "08:00" in text  # 07:00 UTC in Madrid
    assert t._("Not financial advice.") in text
    assert t._("Market overview") in text and t._("Top movers, 24 h") in text


@pytest.mark.parametrize("language", ["en", "es", "ru"])
def test_words_are_the_languages_own(language: str) -> None:
    text = digest_text(texts_for(language), notice(), "UTC")
    expected = {"en": "Market digest", "es": "Resumen del mercado", "ru": "Обзор рынка"}[language]
    assert expected in text
    price = {"en": "12,345.68", "es": "12.345,68", "ru": "12\u00a0345,68"}[language]
    assert price in text
    if language != "en":
        assert "Market overview" not in text and "no edge found" not in text


def test_headlines_and_sources_are_escaped_and_links_quoted() -> None:
    text = digest_text(texts_for("en"), notice(), "UTC")
    assert "BTC &lt;b&gt;soars&lt;/b&gt; &amp; ETH" in text
    assert 'href="https://news.example/1?a=1&amp;b=2"' in text
    assert "Desk &amp; Co" in text


def test_the_base_rate_says_no_edge_and_a_record_is_counted() -> None:
    text = digest_text(texts_for("en"), notice(sections=("predictions",)), "UTC")
    assert "<b>LTC</b>: no edge found" in text
    assert "right 100% of 1 call" in text
    assert text.rstrip().endswith("<i>Not financial advice.</i>")


def test_a_digest_with_nothing_to_say_says_so() -> None:
    facts = compose(DigestInputs(at=AT), NAMES, ["BTC"], AT)
    text = digest_text(texts_for("es"), facts, "UTC")
    assert "Aún no hay nada que contar" in text


def test_the_chart_is_found_and_a_short_digest_fits_a_caption() -> None:
    short = notice(sections=("overview", "chart"))
    assert digest_chart(short) == ChartFacts(coin="BTC")
    assert digest_chart(notice(sections=("overview",))) is None
    assert fits_caption(digest_text(texts_for("ru"), short, "UTC"))
    assert not fits_caption(digest_text(texts_for("en"), notice(LONG), "UTC"))
    assert fits_caption("<b>" + "x" * 1024 + "</b>") and not fits_caption("x" * 1025)
    assert fits_caption("&amp;" * 1024)  # an entity is one character


# --- in whose words a row is said (services.delivery.heard_in, pure) ------------------------------

PERSON = Preferences(language="ru", timezone="Asia/Tokyo", quiet_start=60, quiet_end=120)
SETTER = Preferences(language="es", timezone="America/Lima")


@pytest.mark.parametrize(
    ("chat_id", "chat", "language", "zone"),
    [
        (42, None, "ru", "Asia/Tokyo"),  # a private chat: its person's
        (-100, None, "en", "Asia/Tokyo"),  # a group Pythia keeps no row of: English
        (-100, ChatSettings(-100, "supergroup", language="es", timezone="Europe/Madrid"), "es",
         "Europe/Madrid"),
        (-100, ChatSettings(-100, "group", set_up_by=7, timezone="Europe/Berlin"), "es",
         "Europe/Berlin"),  # no language: who set it up's
        (-100, ChatSettings(-100, "channel", set_up_by=8), "en", "UTC"),  # an unknown setter
    ],
)  # fmt: skip
def test_a_group_or_channel_is_spoken_to_in_its_own_language_and_zone(
    chat_id: int, chat: ChatSettings | None, language: str, zone: str
) -> None:
    heard = heard_in(chat_id, chat, PERSON, {7: SETTER})
    assert (heard.language, heard.timezone) == (language, zone)
    assert heard.quiet_hours == PERSON.quiet_hours  # the alert owner's quiet hours stay
