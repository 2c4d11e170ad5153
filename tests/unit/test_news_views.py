"""/news and /sentiment as people read them: values in, HTML out, in every language."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.callbacks import NewsPages, decode
from bot.charts.sentiment import render_sentiment
from bot.i18n import texts_for
from bot.views.common import MAX_CAPTION, MAX_MESSAGE, telegram_length
from bot.views.news import mood, news_keyboard, news_text, no_news
from bot.views.refusals import refusal_text
from bot.views.sentiment import leaning, no_index, sentiment_caption, sentiment_title
from core.people import LANGUAGES
from core.refusal import Refusal
from services.news import LatestNews, NewsPage, StoryView
from services.sentiment_series import SentimentOverview, SentimentReading, SentimentSummary

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)
HOUR = timedelta(hours=1)


def story(
    id: int = 1,
    title: str = "Bitcoin climbs past $70K as ETF inflows return",
    *,
    url: str = "https://www.coindesk.com/markets/2026/12/05/bitcoin-climbs",
    publishers: int = 1,
    age: timedelta = 2 * HOUR,
    vader: float | None = 0.4,
    model: float | None = 0.6,
    label: str | None = "positive",
    coins: tuple[str, ...] = ("BTC",),
) -> StoryView:
    return StoryView(id, title, url, "CoinDesk", publishers, NOW - age, vader, model, label, coins)


def latest(
    stories: list[StoryView], *, total: int | None = None, number: int = 0, asset: str | None = None
) -> LatestNews:
    page = NewsPage(tuple(stories), number * 5, len(stories) if total is None else total)
    return LatestNews(asset, page, number, 5, NOW)


def test_a_story_shows_its_mark_publishers_age_and_link() -> None:
    t = texts_for("en")
    text = news_text(t, latest([story(publishers=3)]))
    assert text.startswith("📰 <b>Latest crypto news</b>")
    assert (
        '🟢 <a href="https://www.coindesk.com/markets/2026/12/05/bitcoin-climbs">'
        "<b>Bitcoin climbs past $70K as ETF inflows return</b></a>"
    ) in text
    assert "CoinDesk · 3 publishers · 2 hr. ago · BTC" in text


def test_one_publisher_is_named_without_a_count_and_the_asked_coin_is_not_repeated() -> None:
    text = news_text(texts_for("en"), latest([story(coins=("BTC", "ETH"))], asset="BTC"))
    assert text.startswith("📰 <b>News about BTC</b>")
    assert "CoinDesk · 2 hr. ago · ETH" in text
    assert "publisher" not in text.split("\n\n")[1]


def test_the_mark_is_the_models_label_else_vaders_score_else_none() -> None:
    assert mood(story(label="negative", vader=0.9)) == "negative"
    assert mood(story(label=None, model=None, vader=0.3)) == "positive"
    assert mood(story(label=None, model=None, vader=-0.3)) == "negative"
    assert mood(story(label=None, model=None, vader=0.01)) == "neutral"
    assert mood(story(label=None, model=None, vader=None)) is None
    text = news_text(texts_for("en"), latest([story(label=None, model=None, vader=None)]))
    assert "▫️ <a href=" in text


def test_a_title_with_markup_is_escaped_and_a_quote_cannot_leave_the_link() -> None:
    evil = story(
        title='<script>alert("x")</script> Bitcoin & Ether </a><b>',
        url='https://example.com/a?b=1&c="><script>',
    )
    text = news_text(texts_for("en"), latest([evil]))
    assert "<script>" not in text
    assert '&lt;script&gt;alert("x")&lt;/script&gt; Bitcoin &amp; Ether &lt;/a&gt;&lt;b&gt;' in text
    assert 'href="https://example.com/a?b=1&amp;c=&quot;&gt;&lt;script&gt;"' in text


def test_a_link_that_is_not_a_web_address_is_left_out() -> None:
    text = news_text(texts_for("en"), latest([story(url="javascript:alert(1)")]))
    assert "href" not in text and "javascript" not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_five_stories_of_any_length_fit_one_message(language: str) -> None:
    t = texts_for(language)
    long = [
        story(i, ("Ethereum & " * 400) + str(i), url="https://x.com/" + "a" * 380, publishers=99)
        for i in range(5)
    ]
    text = news_text(t, latest(long, total=40))
    assert telegram_length(text) <= MAX_MESSAGE
    assert len(re.findall(r"<a href=", text)) == 5  # every story is there, linked
    assert text.count("…") >= 5  # each headline cut short


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_renders_a_page_and_its_buttons(language: str) -> None:
    t = texts_for(language)
    page = latest([story(i, publishers=i + 1) for i in range(5)], total=12, number=1)
    text = news_text(t, page)
    assert "{" not in text and text.count("<a href=") == 5
    assert ("2" in text.split("\n")[0]) and ("3" in text.split("\n")[0])  # page 2 of 3
    markup = news_keyboard(t, 42, page)
    assert markup is not None
    pressed = [decode(button.callback_data) for button in markup.inline_keyboard[0]]
    assert pressed == [NewsPages(42, 0, None), NewsPages(42, 2, None)]


def test_one_page_has_no_buttons_and_the_last_no_older() -> None:
    t = texts_for("en")
    assert news_keyboard(t, 1, latest([story()])) is None
    last = news_keyboard(t, 1, latest([story()], total=11, number=2, asset="ETH"))
    assert last is not None
    assert [decode(b.callback_data) for b in last.inline_keyboard[0]] == [NewsPages(1, 1, "ETH")]


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_stories_yet_says_they_come_within_minutes(language: str) -> None:
    t = texts_for(language)
    assert news_text(t, latest([])) == no_news(t, None)
    assert "BTC" in no_news(t, "BTC") and "/news" in no_news(t, "BTC")
    assert "\n" not in no_news(t, None)


@pytest.mark.parametrize("language", LANGUAGES)
def test_more_than_one_coin_is_one_line(language: str) -> None:
    line = refusal_text(texts_for(language), Refusal("news.one_coin", command="sentiment", count=2))
    assert "<code>/sentiment BTC</code>" in line and "\n" not in line


# ---- /sentiment ------------------------------------------------------------------------------


def reading(value: float, ago: timedelta = timedelta(0), stories: int = 42) -> SentimentReading:
    return SentimentReading(NOW - ago, value, 10.0, stories)


def overview(asset: str | None = "BTC", week: bool = True) -> SentimentOverview:
    summary = SentimentSummary(
        asset,
        reading(0.23),
        reading(0.18, timedelta(days=1)),
        reading(0.33, timedelta(days=7)) if week else None,
    )
    points = tuple((NOW - h * HOUR, 0.2 - h / 200) for h in range(168, -1, -1))
    closes = tuple((NOW - h * HOUR, 70000 + h) for h in range(168, -1, -1))
    from decimal import Decimal

    return SentimentOverview(
        summary, points, asset or "BTC", "USDT", tuple((ts, Decimal(c)) for ts, c in closes)
    )


def test_the_index_reads_as_a_number_a_word_its_changes_and_its_stories() -> None:
    caption = sentiment_caption(texts_for("en"), overview())
    assert caption.split("\n") == [
        "🧭 <b>BTC</b> news sentiment: <b>+0.23</b> — bullish",
        "24 h: +0.05 · 7 d: −0.10",
        "From 42 stories of the last 3 days, the newer and the more widely carried counting "
        "more (−1 all bad news, +1 all good).",
    ]


def test_a_change_without_a_point_then_is_not_available() -> None:
    caption = sentiment_caption(texts_for("en"), overview(None, week=False))
    assert caption.startswith("🧭 Crypto news sentiment: <b>+0.23</b> — bullish")
    assert "24 h: +0.05 · 7 d: n/a" in caption


def test_the_index_leans_bearish_neutral_or_bullish() -> None:
    assert [leaning(v) for v in (-1, -0.15, -0.1, 0, 0.14, 0.15, 1)] == [
        "bearish", "bearish", "neutral", "neutral", "neutral", "bullish", "bullish"
    ]  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_says_the_index(language: str) -> None:
    t = texts_for(language)
    caption = sentiment_caption(t, overview())
    assert telegram_length(caption) <= MAX_CAPTION and "{" not in caption
    assert "0,23" in caption if t.decimal_comma else "0.23" in caption
    assert "42" in caption
    assert "BTC" in sentiment_title(t, overview())
    assert "BTC" in no_index(t, "BTC") and "\n" not in no_index(t, None)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_picture_is_a_png_with_or_without_prices(language: str) -> None:
    t = texts_for(language)
    shown = overview()
    drawn = render_sentiment(shown.points, shown.closes, t=t, title="BTC", price_label="BTC")
    assert drawn.startswith(b"\x89PNG")
    alone = render_sentiment(shown.points[-1:], (), t=t, title="BTC", price_label="BTC")
    assert alone.startswith(b"\x89PNG")
