"""What the sender puts on the wire: one row's message, or one summary of quiet-hours rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.views.common import MAX_MESSAGE, e, telegram_length

BUTTON_FIELDS = ("text", "callback_data", "url")


@dataclass(frozen=True)
class Outgoing:
    text: str  # HTML
    keyboard: InlineKeyboardMarkup | None = None


def keyboard(rows: Sequence[Sequence[dict[str, Any]]] | None) -> InlineKeyboardMarkup | None:
    """The payload's `buttons` ([[{"text", "callback_data"}...]...]) as an inline keyboard."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(**{k: b[k] for k in BUTTON_FIELDS if k in b}) for b in row]
            for row in rows
        ]
    )


def single(payload: dict[str, Any]) -> Outgoing:
    return Outgoing(payload["text"], keyboard(payload.get("buttons")))


def clock_time(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def quiet_summary(
    summaries: Sequence[str], window: tuple[int, int] | None = None, limit: int = MAX_MESSAGE
) -> Outgoing:
    """One message for the alerts that fired during quiet hours; `summaries` are one-line
    HTML each, `window` the quiet hours in minutes after local midnight."""
    count = len(summaries)
    during = f" ({clock_time(window[0])}–{clock_time(window[1])})" if window else ""
    fired = "1 alert" if count == 1 else f"{count} alerts"
    lines = [f"While you were away{during}, {fired} fired:"]
    used = telegram_length(lines[0])
    for shown, summary in enumerate(summaries):
        line = f"• {summary}"
        more = f"…and {count - shown - 1} more" if shown < count - 1 else ""
        if used + 1 + telegram_length(line) + 1 + telegram_length(more) > limit:
            lines.append(f"…and {count - shown} more")
            break
        lines.append(line)
        used += 1 + telegram_length(line)
    return Outgoing("\n".join(lines))


def summary_line(payload: dict[str, Any]) -> str:
    """A row's one-line HTML summary; its symbol when the row has none."""
    if payload.get("summary"):
        return str(payload["summary"])
    symbol = payload.get("symbol")
    return f"<b>{e(symbol)}</b> alert" if symbol else "an alert"
