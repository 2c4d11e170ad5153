"""Side calls: what goes with a reply but is not the reply — "sending a photo…", answering a
button press, taking buttons off an old message, the note that an answer went privately.

Each is best effort: Telegram failing one (a 5xx, a timeout, a press too old to answer) is
logged in one line and costs nothing else, above all not the reply it goes with.
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from contextvars import ContextVar
from typing import Any, TypeVar

from telegram import Bot, CallbackQuery
from telegram.constants import ChatAction
from telegram.error import TelegramError

log = logging.getLogger(__name__)

T = TypeVar("T")

# The press this update's handling has answered (or tried to): each update is handled, and its
# errors too, in a task of its own, so this is per update. Telegram refuses a second answer.
_ANSWERED: ContextVar[str | None] = ContextVar("answered_press", default=None)


async def best_effort(call: Coroutine[Any, Any, T], about: object = None) -> T | None:
    """The result of `call`, or None if Telegram refused it or could not be reached. The log
    names the call and what it was `about` (a chat, a press): a warning without a traceback,
    as the reason is all there is to it."""
    try:
        return await call
    except TelegramError as failed:
        name = getattr(call, "__qualname__", "a side call") + (
            "" if about is None else f" ({about})"
        )
        log.warning("%s failed; carrying on: %s: %s", name, type(failed).__name__, failed)
        return None


async def chat_action(bot: Bot, chat_id: int, action: ChatAction) -> None:
    """Show "sending a photo…" (or another action) in `chat_id` while a reply is prepared."""
    await best_effort(bot.send_chat_action(chat_id, action), chat_id)


async def answer_press(
    query: CallbackQuery, text: str | None = None, *, alert: bool = False
) -> bool:
    """Answer a button press (stop the spinner; `text` plain, as a pop-up with `alert`) unless
    it was answered already while handling this update; True if Telegram took this answer."""
    if _ANSWERED.get() == query.id:
        return False
    _ANSWERED.set(query.id)  # tried: whatever became of it, a second answer would be refused
    return bool(await best_effort(query.answer(text, show_alert=alert), query.id))
