"""What the sender puts on the wire: one row's message, or one summary of a chat's quiet-hours
rows — rendered now, for the recipient, from the notices the rows hold.

Rows written before notices existed hold finished HTML (`{"text", "buttons", "summary", …}`);
they are sent as they are (their summary line as written).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Texts
from bot.views.admin import broadcast_notice
from bot.views.alert_notices import away_summary, fired_keyboard, fired_line, fired_text
from bot.views.chats import paused_text
from bot.views.common import e
from bot.views.digest_notice import digest_chart, digest_text
from bot.views.news_notices import story_keyboard, story_text
from core.digest.sections.chart import ChartFacts
from core.notices import AlertFired, Broadcast, ChatPaused, DigestPosted, NewsStory, Notice
from core.people import DEFAULT_LANGUAGE

BUTTON_FIELDS = ("text", "callback_data", "url")


@dataclass(frozen=True)
class Outgoing:
    text: str  # HTML
    keyboard: InlineKeyboardMarkup | None = None
    thread_id: int | None = None  # the forum topic it goes into
    chart: ChartFacts | None = None  # a picture to post with it (a digest's chart)
    slot: datetime | None = None  # the digest's slot: one picture per coin, window and slot
    language: str = DEFAULT_LANGUAGE  # the words it was said in (and its picture's)


@dataclass(frozen=True)
class Recipient:
    """Whom a message is for: their words, their time zone, their quiet hours."""

    t: Texts
    zone: str = "UTC"
    quiet_hours: tuple[int, int] | None = None


def message(to: Recipient, payload: Mapping[str, Any], notice: Notice | None) -> Outgoing:
    """One row's message: its notice rendered for `to`, or a finished row's text as it is."""
    if notice is None:
        return Outgoing(payload["text"], keyboard(payload.get("buttons")))
    if isinstance(notice, AlertFired):
        text, buttons = fired_text(to.t, notice, to.zone), fired_keyboard(to.t, notice)
        return Outgoing(text, buttons, notice.thread_id)
    if isinstance(notice, NewsStory):
        return Outgoing(story_text(to.t, notice, to.zone), story_keyboard(to.t, notice))
    if isinstance(notice, DigestPosted):
        text = digest_text(to.t, notice, to.zone)
        chart = digest_chart(notice)
        return Outgoing(text, None, notice.thread_id, chart, notice.slot, to.t.language)
    if isinstance(notice, ChatPaused):
        return Outgoing(paused_text(to.t, notice))
    if isinstance(notice, Broadcast):
        return Outgoing(broadcast_notice(to.t, notice))
    raise ValueError(f"no message for a {notice.TYPE} notice")


def summary(to: Recipient, rows: Sequence[tuple[Mapping[str, Any], Notice | None]]) -> Outgoing:
    """One message for the quiet-hours rows of a chat: a line each."""
    lines = [_line(to, payload, notice) for payload, notice in rows]
    return Outgoing(away_summary(to.t, lines, to.quiet_hours))


def _line(to: Recipient, payload: Mapping[str, Any], notice: Notice | None) -> str:
    if isinstance(notice, AlertFired):
        return fired_line(to.t, notice, to.zone)
    if notice is not None:
        raise ValueError(f"no summary line for a {notice.TYPE} notice")
    if payload.get("summary"):  # a finished row's own line
        return str(payload["summary"])
    symbol = payload.get("symbol")
    return to.t._("<b>{symbol}</b> alert", symbol=e(symbol)) if symbol else to.t._("an alert")


def keyboard(rows: Sequence[Sequence[dict[str, Any]]] | None) -> InlineKeyboardMarkup | None:
    """A finished row's `buttons` ([[{"text", "callback_data"}...]...]) as an inline keyboard."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(**{k: b[k] for k in BUTTON_FIELDS if k in b}) for b in row]
            for row in rows
        ]
    )
