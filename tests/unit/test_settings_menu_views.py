"""The /settings views: every page in English, Spanish and Russian, within Telegram's limits,
every button's data within 64 bytes and read back by the codec, what people type escaped."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import available_timezones

import pytest
from telegram import InlineKeyboardMarkup

from bot.callbacks import MAX_DATA, MAX_ID, SettingsButton, decode
from bot.i18n import texts_for
from bot.views import settings_menu as view
from core.people import LANGUAGES, MUTABLE, Preferences, zone_places
from core.refusal import BadArgument
from core.zone_search import search_zones

NOW = datetime(2026, 12, 6, 13, 5, tzinfo=UTC)
OWNER = MAX_ID  # the longest id a button may carry
CHOSEN = Preferences(
    language="es", timezone="America/Argentina/ComodRivadavia", quote="USDT", method="average",
    quiet_start=22 * 60, quiet_end=7 * 60, muted=("news_story",),
)  # fmt: skip
LONGEST_ZONE = max(available_timezones(), key=len)


def pages(language: str) -> list[tuple[str, InlineKeyboardMarkup]]:
    t = texts_for(language)
    return [
        view.menu(t, OWNER, CHOSEN, NOW),
        view.menu(t, OWNER, Preferences(), NOW, said="<b>done</b>"),
        view.language_page(t, OWNER),
        view.currency_page(t, OWNER, "USD"),
        view.cost_basis_page(t, OWNER, "fifo", view.cost_basis_set(t, "average", True, 1234)),
        view.quiet_page(t, OWNER, CHOSEN),
        view.quiet_page(t, OWNER, Preferences()),
        view.notices_page(t, OWNER, ()),
        view.notices_page(t, OWNER, MUTABLE, view.notice_set(t, "chat_paused", True)),
        view.zone_ask(t, OWNER, LONGEST_ZONE),
        view.zones_found(t, OWNER, "x" * 500, [LONGEST_ZONE, *search_zones("a", PLACES)]),
        view.refused(t, OWNER, "no"),
    ]


PLACES = zone_places(available_timezones())


def buttons(markup: InlineKeyboardMarkup) -> list[tuple[str, str]]:
    return [(b.text, str(b.callback_data)) for row in markup.inline_keyboard for b in row]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_fits_and_every_button_reads_back(language: str) -> None:
    for text, markup in pages(language):
        assert 0 < len(text) <= 4096
        for label, data in buttons(markup):
            assert label
            assert len(data.encode()) <= MAX_DATA
            pressed = decode(data)
            assert isinstance(pressed, SettingsButton)
            assert pressed.owner == OWNER


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_menu_says_each_choice_in_the_persons_language(language: str) -> None:
    t = texts_for(language)
    text, markup = view.menu(t, OWNER, CHOSEN, NOW)
    assert "Español" in text  # a language is named in itself
    assert "America/Argentina/ComodRivadavia" in text
    assert "USDT" in text and "22:00–07:00" in text
    assert "10:05" in text  # the time there now (UTC−3)
    pages_opened = [decode(data).page for _, data in buttons(markup)]  # type: ignore[union-attr]
    assert pages_opened == ["lang", "tz", "cur", "cb", "quiet", "notes"]
    words = {
        "en": ("Your settings", "1 kind muted", "Time zone"),
        "es": ("Tus ajustes", "1 tipo silenciado", "Zona horaria"),
        "ru": ("Ваши настройки", "1 вид отключён", "Часовой пояс"),
    }[language]
    for word in words:
        assert word in text


def test_the_three_languages_each_named_in_itself_the_current_ticked() -> None:
    _, markup = view.language_page(texts_for("ru"), OWNER)
    labels = [label for label, _ in buttons(markup)]
    assert labels == ["English", "Español", "✓ Русский", "◀ Назад"]


def test_choices_tick_the_current_one_and_back_goes_to_the_menu() -> None:
    t = texts_for("en")
    _, currency = view.currency_page(t, OWNER, "USDC")
    assert [label for label, _ in buttons(currency)] == ["USD", "USDT", "✓ USDC", "◀ Back"]
    assert decode(buttons(currency)[-1][1]) == SettingsButton("menu", OWNER)
    _, quiet = view.quiet_page(t, OWNER, Preferences())
    assert [label for label, _ in buttons(quiet)][:4] == [
        "✓ off", "22:00–07:00", "23:00–08:00", "00:00–08:00",
    ]  # fmt: skip
    _, method = view.cost_basis_page(t, OWNER, "average")
    assert [label for label, _ in buttons(method)][:2] == ["FIFO", "✓ Average cost"]


def test_a_cost_basis_change_says_how_many_trades_are_counted_again() -> None:
    assert "1 trade is counted" in view.cost_basis_set(texts_for("en"), "fifo", True, 1)
    assert "1,234 trades are" in view.cost_basis_set(texts_for("en"), "fifo", True, 1234)
    assert "5 сделок" in view.cost_basis_set(texts_for("ru"), "fifo", True, 5)
    assert "already" in view.cost_basis_set(texts_for("en"), "fifo", False, 3)


def test_a_notice_button_asks_for_the_opposite_of_what_is_shown() -> None:
    t = texts_for("en")
    text, markup = view.notices_page(t, OWNER, ("chat_paused",))
    assert "🔔 News stories" in text and "🔕 When I'm removed" in text
    values = [decode(data).value for _, data in buttons(markup)[:2]]  # type: ignore[union-attr]
    assert values == ["news_story-", "chat_paused+"]  # mute the one on, hear the muted one
    assert view.notice_choice("news_story-") == ("news_story", True)
    assert view.notice_choice("chat_paused+") == ("chat_paused", False)
    for forged in ("alert_fired-", "news_story", "", "-", "digest+"):
        assert view.notice_choice(forged) is None


def test_zones_found_one_button_each_with_search_again_and_back() -> None:
    t = texts_for("en")
    text, markup = view.zones_found(t, OWNER, "new york", ["America/New_York"])
    assert "“new york”" in text
    assert buttons(markup)[0][0] == "America/New York"
    assert decode(buttons(markup)[0][1]) == SettingsButton("zone", OWNER, "America/New_York")
    assert [decode(d).page for _, d in buttons(markup)[1:]] == ["tz", "menu"]  # type: ignore[union-attr]


def test_what_was_typed_is_escaped_and_clipped() -> None:
    t = texts_for("en")
    typed = "<b>Berlin</b> & " + "x" * 200
    text, _ = view.zones_found(t, OWNER, typed, ["Europe/Berlin"])
    assert "<b>Berlin" not in text and "&lt;b&gt;Berlin" in text
    line = view.no_zone_found(t, typed)
    assert "&lt;b&gt;" in line and "&amp;" in line and len(line) < 300
    assert "Berlin, New York" in view.no_zone_found(texts_for("ru"), "Киев")


@pytest.mark.parametrize("language", LANGUAGES)
def test_group_and_refusal_words(language: str) -> None:
    t = texts_for(language)
    assert "/settings" in view.not_yours(t) and "<" not in view.not_yours(t)  # an alert: plain
    assert view.sent_privately(t)
    assert "@pythia_bot" in view.cannot_reach(t, "pythia_bot")
    from bot.views.refusals import refusal_text

    assert "/settings" in refusal_text(t, BadArgument("notices.unknown", typed="alert_fired"))


def test_a_zone_too_long_for_a_button_is_left_out() -> None:
    t = texts_for("en")
    _, markup = view.zones_found(t, OWNER, "x", ["Europe/Berlin", "A/" + "b" * 38])
    zones = [decode(d).value for _, d in buttons(markup)]  # type: ignore[union-attr]
    assert zones[0] == "Europe/Berlin" and len(zones) == 3  # Berlin, search again, back
