"""What a person hears when they send faster than Pythia answers anyone (bot/flood.py)."""

from __future__ import annotations

from bot.i18n import Texts


def slow_down(t: Texts) -> str:
    """Said once per flood, in the chat it came from."""
    return t._(
        "⏳ You're sending faster than I can answer, so I'm skipping some of your messages. "
        "Wait a few seconds, then send one at a time."
    )


def slow_down_press(t: Texts) -> str:
    """The answer to a press turned away (plain text: Telegram shows no HTML there)."""
    return t._("⏳ Too many presses at once — wait a few seconds and try again.")
