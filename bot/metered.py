"""Updates counted and timed for Prometheus (services.metrics), under a bounded label: a command
Pythia routes, a button prefix Pythia declared, or the update's kind — never what was typed."""

from __future__ import annotations

import time
from collections.abc import Awaitable
from typing import Any

from telegram import Update

from bot.callbacks import declared_prefix
from services import metrics


def label_of(update: object, commands: frozenset[str]) -> str:
    """The update's metrics label: `price`, `button:al`, `message`, `edited`, ..."""
    if not isinstance(update, Update):
        return "other"
    if update.callback_query is not None:
        prefix = declared_prefix(update.callback_query.data)
        return "button:other" if prefix is None else f"button:{prefix}"
    message = update.message or update.channel_post
    if message is None:
        if update.edited_message or update.edited_channel_post:
            return "edited"
        if update.my_chat_member or update.chat_member:
            return "member"
        return "other"
    text = message.text or message.caption or ""
    if not text.startswith("/"):
        return "message"
    name = text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else ""
    return name if name in commands else "command:other"


def received(update: object, commands: frozenset[str]) -> str:
    """Count `update` in; its label, for timing its handlers (`timed`)."""
    label = label_of(update, commands)
    metrics.update_received(label)
    return label


async def timed(label: str, coroutine: Awaitable[Any]) -> None:
    """Await an update's handlers, their time observed under `label`."""
    start = time.perf_counter()
    try:
        await coroutine
    finally:
        metrics.update_handled(label, time.perf_counter() - start)
