"""/digest's views in English, Spanish and Russian: schedules in words, the list with its
buttons, the section toggles, the how-to, and the digest refusals — within Telegram's limits,
with what people typed escaped."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.callbacks import DigestButton, decode
from bot.i18n import texts_for
from bot.views import digest as views
from bot.views.common import MAX_MESSAGE, plain, telegram_length
from bot.views.refusals import refusal_text
from core.chats import ChatSettings
from core.digest.schedule import Schedule
from core.refusal import BadArgument, Refusal
from services.digests import DigestView

EN, ES, RU = texts_for("en"), texts_for("es"), texts_for("ru")
NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
GROUP = -1001234567890123
OFFERED = ("overview", "movers", "news", "predictions", "chart")


def _digest(
    number: int = 1,
    text: str = "daily 08:00",
    *,
    active: bool = True,
    coins: tuple[str, ...] = ("BTC", "ETH", "SOL"),
    sections: tuple[str, ...] = ("overview", "movers", "news", "predictions"),
    zone: str = "Europe/Madrid",
) -> DigestView:
    return DigestView(
        id=number,
        chat_id=GROUP,
        thread_id=None,
        schedule=Schedule.from_text(text),
        sections=sections,
        coins=coins,
        active=active,
        next_run_at=datetime(2026, 3, 2, 7, 0, tzinfo=UTC) if active else None,
        zone=zone,
        last_sent_at=None,
    )


@pytest.mark.parametrize(
    ("t", "daily", "weekly", "every", "hourly"),
    [
        (
            EN,
            "every day at 08:00 (Europe/Madrid)",
            "Mondays at 09:30 (Europe/Madrid)",
            "every 6 hours",
            "every hour",
        ),
        (
            ES,
            "cada día a las 08:00 (Europe/Madrid)",
            "los lunes a las 09:30 (Europe/Madrid)",
            "cada 6 horas",
            "cada hora",
        ),
        (
            RU,
            "каждый день в 08:00 (Europe/Madrid)",
            "по понедельникам в 09:30 (Europe/Madrid)",
            "каждые 6 часов",
            "каждый час",
        ),
    ],
)
def test_schedules_are_said_in_words_in_each_language(
    t, daily: str, weekly: str, every: str, hourly: str
) -> None:
    zone = "Europe/Madrid"
    assert views.schedule_words(t, Schedule.from_text("daily 08:00"), zone) == daily
    assert views.schedule_words(t, Schedule.from_text("weekly mon 09:30"), zone) == weekly
    assert views.schedule_words(t, Schedule.from_text("every 6h"), zone) == every
    assert views.schedule_words(t, Schedule.from_text("every 1h"), zone) == hourly


def test_every_weekday_has_its_own_words() -> None:
    said = {
        views.schedule_words(RU, Schedule.from_text(f"weekly {day} 09:00"), "UTC")
        for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    }
    assert len(said) == 7 and all("09:00" in s for s in said)


@pytest.mark.parametrize("t", [EN, ES, RU])
def test_the_list_shows_each_digest_with_its_buttons(t) -> None:
    digests = [
        _digest(1),
        _digest(2, "weekly fri 18:00", active=False),
        _digest(3, "every 4h", coins=("DOGE",)),
    ]
    text, markup = views.digest_list(t, digests, GROUP, NOW)
    assert "08:00" in text and "18:00" in text and "DOGE" in text
    assert markup is not None
    pressed = [decode(b.callback_data) for row in markup.inline_keyboard for b in row]
    assert all(isinstance(p, DigestButton) and p.chat_id == GROUP for p in pressed)
    actions = [(p.digest_id, p.action) for p in pressed if isinstance(p, DigestButton)]
    assert (1, "pause") in actions and (2, "resume") in actions and (2, "pause") not in actions
    for number in (1, 2, 3):
        assert {(number, a) for a in ("delete", "sections", "preview")} <= set(actions)
    # the next run in the chat's zone: 07:00 UTC is 08:00 in Madrid; a paused one has none
    assert t.moment(datetime(2026, 3, 2, 7, 0, tzinfo=UTC), "Europe/Madrid") in text
    assert text.count(t.moment(datetime(2026, 3, 2, 7, 0, tzinfo=UTC), "Europe/Madrid")) == 2


@pytest.mark.parametrize("t", [EN, ES, RU])
def test_no_digests_is_a_how_to_with_examples(t) -> None:
    text, markup = views.digest_list(t, [], GROUP, NOW)
    assert markup is None
    for example in ("/digest daily 08:00", "/digest weekly mon 09:30", "/digest every 6h"):
        assert example in text
    channel, _ = views.digest_list(t, [], -100777, NOW, where="@news<x>")
    assert "/digest @news&lt;x&gt; daily 08:00" in channel and "<x>" not in channel


@pytest.mark.parametrize("t", [EN, ES, RU])
def test_the_longest_list_fits_and_every_button_within_64_bytes(t) -> None:
    coins = tuple(f"C{i}OIN" for i in range(10))
    digests = [_digest(2**52 + i, "weekly wed 23:59", coins=coins) for i in range(5)]
    text, markup = views.digest_list(
        t, digests, GROUP, NOW, where="@" + "c" * 32, said=views.deleted(t, digests[0])
    )
    assert telegram_length(text) <= MAX_MESSAGE
    assert markup is not None
    for row in markup.inline_keyboard:
        for button in row:
            assert len(str(button.callback_data).encode()) <= 64
            assert decode(button.callback_data) is not None


@pytest.mark.parametrize("t", [EN, ES, RU])
def test_section_toggles_offer_only_what_is_there(t) -> None:
    digest = _digest(7, sections=("overview", "news"))
    text, markup = views.sections_editor(t, digest, ("overview", "movers", "news"), GROUP)
    assert "BTC, ETH, SOL" in text
    labels = [b.text for row in markup.inline_keyboard for b in row]
    assert labels[0].startswith("✅") and labels[1].startswith("▫️") and labels[2].startswith("✅")
    toggles = [decode(b.callback_data) for row in markup.inline_keyboard[:-1] for b in row]
    assert [p.section for p in toggles if isinstance(p, DigestButton)] == [
        "overview",
        "movers",
        "news",
    ]
    last = [decode(b.callback_data) for b in markup.inline_keyboard[-1]]
    assert [p.action for p in last if isinstance(p, DigestButton)] == ["preview", "done"]
    assert not any(views.section_name(t, "predictions") in label for label in labels)


def test_what_people_typed_is_escaped() -> None:
    line = refusal_text(EN, BadArgument("digest.schedule", typed="<b>daily</b> 25:00"))
    assert "&lt;b&gt;daily&lt;/b&gt; 25:00" in line and "<b>daily" not in line
    assert "/digest daily 08:00" in line
    zone = views.zone_unknown(EN, "<script>", ())
    assert "&lt;script&gt;" in zone and "/digest zone Europe/Madrid" in zone
    assert "&lt;" in views.channel_admins_only(EN, "<evil>")
    assert plain("Only <b>x</b> &amp; y") == "Only x & y"


@pytest.mark.parametrize("t", [EN, ES, RU])
@pytest.mark.parametrize(
    "refusal",
    [
        BadArgument("digest.schedule", typed="weekly funday"),
        Refusal("digest.unknown", digest_id=4),
        Refusal("digest.too_many", most=5),
        Refusal("digest.limits", what="coins", most=10),
        BadArgument("digest.section", section="chart"),
        Refusal("digest.no_sections"),
        Refusal("digest.which_coins"),
        Refusal("chat.unknown", chat_id=-5),
    ],
)
def test_every_digest_refusal_is_one_line_in_each_language(t, refusal: Refusal) -> None:
    line = refusal_text(t, refusal)
    assert line and "\n" not in line
    assert "That didn't work" not in line


@pytest.mark.parametrize("t", [EN, ES, RU])
def test_what_a_change_says(t) -> None:
    settings = ChatSettings(id=GROUP, type="supergroup", language="es", timezone="Asia/Tokyo")
    assert "Asia/Tokyo" in views.zone_set(t, settings, NOW)
    assert "15:00" in views.zone_set(t, settings, NOW)  # 06:00 UTC is 15:00 in Tokyo
    assert "Español" in views.language_set(t, "es")
    assert "BTC, ETH" in views.coins_set(t, [_digest(1, coins=("BTC", "ETH"))])
    assert "/digest language es" in views.language_unknown(t, "xx", ("en", "es", "ru"))
    assert "/digest coins BTC ETH SOL" in views.what_to_type(t, "coins")
