"""What Pythia says about its groups and channels, in every language: the note to who set it up
when it is removed (a group, a channel, nothing paused), the hello and the welcome back, each
reason a channel could not be linked, the list of channels with an Unlink button each (within
Telegram's 64 bytes, a channel's negative id read back) — titles from outside escaped."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.callbacks import MAX_DATA, UnlinkChannel, decode
from bot.i18n import texts_for
from bot.views.chats import (
    LINK_PROBLEMS,
    back_text,
    channels_keyboard,
    channels_text,
    hello_text,
    link_problem,
    linked_text,
    paused_text,
)
from bot.views.refusals import refusal_text
from core.chats import PAUSED_REMOVED, ChatSettings
from core.notices import ChatPaused, read_payload, to_payload
from core.people import LANGUAGES
from core.refusal import Refusal

AT = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
EVIL = "<b>Pump</b> & Dump"


def paused(**fields: object) -> ChatPaused:
    base: dict[str, object] = {
        "user_id": 7, "chat_id": -4001, "chat_type": "group", "title": "Traders",
        "digests": 2, "alerts": 3, "at": AT,
    }  # fmt: skip
    return ChatPaused.model_validate(base | fields)


def test_the_paused_note_says_what_stopped_and_how_to_resume() -> None:
    t = texts_for("en")
    assert paused_text(t, paused()) == (
        "I was removed from the group <b>Traders</b>. Paused there: 2 digests and 3 alerts. "
        "Add me back to the group, and they resume."
    )
    assert "Paused there: 1 digest. " in paused_text(t, paused(digests=1, alerts=0))
    assert back_text(t, 0, 1) == "👋 I'm back. Resumed here: 1 alert."
    channel = paused(chat_type="channel", title=None, username="alpha", digests=0, alerts=0)
    assert paused_text(t, channel) == (
        "I can no longer post in the channel @alpha. Nothing of yours was posting there."
    )
    assert "&lt;b&gt;Pump&lt;/b&gt; &amp; Dump" in paused_text(t, paused(title=EVIL))


def test_the_notice_round_trips_through_the_outbox() -> None:
    notice = paused()
    assert read_payload(to_payload(notice)) == notice


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_line_in_every_language(language: str) -> None:
    t, en = texts_for(language), texts_for("en")
    said = [
        paused_text(t, paused()),
        paused_text(t, paused(chat_type="channel")),
        hello_text(t),
        back_text(t, 1, 2),
        back_text(t, 0, 0),
        *(link_problem(t, problem, EVIL) for problem in LINK_PROBLEMS),
        refusal_text(t, Refusal("channel.unknown", typed=EVIL)),
        refusal_text(t, Refusal("channel.taken", title=EVIL)),
        refusal_text(t, Refusal("channel.not_a_channel", title=EVIL)),
    ]
    for text in said:
        assert "<b>Pump</b>" not in text and len(text) <= 4096
    if language != "en":  # translated, not English
        assert paused_text(t, paused()) != paused_text(en, paused())
        assert hello_text(t) != hello_text(en)
    assert "3" in paused_text(t, paused())  # the counts are said


def test_the_channels_list_and_its_unlink_buttons() -> None:
    t = texts_for("en")
    channels = [
        ChatSettings(-1001234567890123, "channel", EVIL, "pumpdump"),
        ChatSettings(-1009, "channel", "Quiet", None, paused_reason=PAUSED_REMOVED),
    ]
    text = channels_text(t, channels)
    assert "&lt;b&gt;Pump&lt;/b&gt;" in text and "paused: I may not post there" in text
    assert "/digest @pumpdump daily 08:00" in text
    keyboard = channels_keyboard(t, 987654321, channels)
    assert keyboard is not None
    pressed = []
    for [button] in keyboard.inline_keyboard:
        assert isinstance(button.callback_data, str)
        assert len(button.callback_data.encode()) <= MAX_DATA
        pressed.append(decode(button.callback_data))
    assert pressed == [
        UnlinkChannel(987654321, -1001234567890123),
        UnlinkChannel(987654321, -1009),
    ]
    assert channels_keyboard(t, 1, []) is None
    assert "You have linked no channel" in channels_text(t, [])
    assert decode("chn:5:1009") is None  # a channel's id is negative


def test_linked_says_how_to_schedule_a_digest_there() -> None:
    t = texts_for("en")
    public = ChatSettings(-100, "channel", "Alpha", "alpha")
    assert "<code>/digest @alpha daily 08:00</code>" in linked_text(t, public)
    private = ChatSettings(-100777, "channel", "Hidden", None)
    assert "<code>/digest -100777 daily 08:00</code>" in linked_text(t, private)
