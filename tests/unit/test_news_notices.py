"""A pushed story as its recipient reads it — rendered from the notice when it is sent, in
their language and time zone — its Unfollow buttons, the /follow list, and the refusals of
/follow and /unfollow in every language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.callbacks import UnfollowNews, decode
from bot.delivery.summary import Recipient, message
from bot.i18n import texts_for
from bot.views.common import telegram_length
from bot.views.follow import following_keyboard, following_text
from bot.views.news_notices import story_keyboard, story_text
from bot.views.refusals import refusal_text
from core.notices import NewsStory, read_payload, to_payload
from core.people import LANGUAGES
from core.refusal import Refusal

NOW = datetime(2026, 12, 5, 13, 5, tzinfo=UTC)
EN, ES, RU = texts_for("en"), texts_for("es"), texts_for("ru")


def plain(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ")


def notice(**changes: object) -> NewsStory:
    values: dict[str, object] = {
        "story_id": 7,
        "user_id": 42,
        "title": "SEC approves spot <Ether> ETFs & more",
        "url": "https://www.coindesk.com/a?b=1&c=2",
        "publishers": ("CoinDesk", "Decrypt", "The Block", "Cointelegraph"),
        "publisher_count": 5,
        "published_at": NOW - timedelta(hours=2),
        "at": NOW,
        "sentiment": 0.8123,
        "label": "positive",
        "coins": ("BTC", "ETH"),
        "followed": ("ETH",),
    }
    values.update(changes)
    return NewsStory.model_validate(values)


def test_the_notice_goes_through_the_outbox_as_facts_and_comes_back_the_same() -> None:
    sent = notice()
    payload = to_payload(sent)
    assert payload["quiet"] is False and payload["notice"]["type"] == "news_story"
    assert read_payload(payload) == sent


def test_the_story_is_a_link_with_its_mood_publishers_age_and_coins() -> None:
    text = plain(story_text(EN, notice(), "Europe/Madrid"))
    assert '<a href="https://www.coindesk.com/a?b=1&amp;c=2">' in text
    assert "SEC approves spot &lt;Ether&gt; ETFs &amp; more" in text
    assert "🟢 positive (+0.81)" in text
    assert "5 publishers: CoinDesk, Decrypt, The Block and 2 more" in text
    assert "About BTC, ETH" in text
    assert "2 hr" in text and "12:05" in text  # published 11:05 UTC, 12:05 in Madrid


def test_the_story_reads_in_spanish_and_russian() -> None:
    es = plain(story_text(ES, notice(sentiment=-0.7, label="negative"), "Europe/Madrid"))
    assert "🔴 negativo (−0,70)" in es and "5 medios" in es
    ru = plain(story_text(RU, notice(publisher_count=1, publishers=("РБК",)), "Europe/Moscow"))
    assert "1 издание: РБК" in ru and "позитивн" in ru


def test_four_publishers_are_all_named_rather_than_and_1_more() -> None:
    four = ("CoinDesk", "Decrypt", "The Block", "Cointelegraph")
    text = story_text(EN, notice(publishers=four, publisher_count=4))
    assert "4 publishers: CoinDesk, Decrypt, The Block, Cointelegraph\n" in text
    text = story_text(EN, notice(publishers=four[:2], publisher_count=4))
    assert "4 publishers: CoinDesk, Decrypt and 2 more" in text


def test_an_unscored_story_from_one_publisher_says_so_plainly() -> None:
    text = story_text(EN, notice(sentiment=None, label=None, publishers=(), publisher_count=1))
    assert "⚪ neutral" in text and "(" not in text.split("\n")[1]
    assert "1 publisher" in text


def test_a_link_that_is_not_the_web_is_not_made_a_link() -> None:
    text = story_text(EN, notice(url="javascript:alert(1)"))
    assert "<a " not in text


def test_a_huge_title_still_fits_one_message() -> None:
    text = story_text(EN, notice(title="Bitcoin " * 2000))
    assert telegram_length(text) <= 4096


def test_a_story_a_feed_dates_ahead_is_just_now() -> None:
    text = story_text(EN, notice(published_at=NOW + timedelta(minutes=5)))
    assert "just now" in text


def test_under_the_story_an_unfollow_button_per_followed_coin() -> None:
    keyboard = story_keyboard(EN, notice(followed=("BTC", "ETH")))
    assert keyboard is not None
    (row,) = keyboard.inline_keyboard
    assert [b.text for b in row] == ["🔕 Unfollow BTC", "🔕 Unfollow ETH"]
    assert decode(row[0].callback_data) == UnfollowNews("story", "BTC", 42)


def test_the_sender_renders_a_news_notice_for_its_recipient() -> None:
    sent = notice()
    outgoing = message(Recipient(ES, "Europe/Madrid"), to_payload(sent), sent)
    assert "medios" in outgoing.text and outgoing.keyboard is not None


def test_the_follow_list_has_a_button_per_coin() -> None:
    text = following_text(EN, ["BTC", "ETH", "SOL"], 3)
    assert "<b>BTC</b>, <b>ETH</b>, <b>SOL</b>" in text and "at most 3 a day" in text
    keyboard = following_keyboard(EN, 42, ["BTC", "ETH", "SOL"])
    assert keyboard is not None
    presses = [decode(b.callback_data) for row in keyboard.inline_keyboard for b in row]
    assert presses == [UnfollowNews("list", c, 42) for c in ("BTC", "ETH", "SOL")]
    assert following_keyboard(EN, 42, []) is None
    assert "/follow news BTC" in following_text(EN, [], 3)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "refusal",
    [
        Refusal("follow.what", typed="prices"),
        Refusal("unfollow.what", typed=""),
        Refusal("follow.which_coins"),
        Refusal("unfollow.which_coins"),
        Refusal("follow.full", most=20, have=19),
        Refusal("follow.private"),
    ],
)
def test_each_refusal_is_one_line_in_every_language(language: str, refusal: Refusal) -> None:
    text = refusal_text(texts_for(language), refusal)
    assert text and "\n" not in text and "didn't work" not in text
