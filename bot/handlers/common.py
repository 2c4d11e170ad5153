"""What every handler module does the same way: who asked and where, answering a press, and
editing a message in place."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, TelegramError

from core.people import ChatSeen, PersonSeen

log = logging.getLogger(__name__)


def person_and_chat(update: Update) -> tuple[PersonSeen, ChatSeen]:
    """Who sent the update, and from where (a command or a press always has both)."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    person = PersonSeen(user.id, user.first_name, user.username, user.language_code)
    return person, ChatSeen(chat.id, chat.type, chat.title, chat.username)


async def answer(query: CallbackQuery, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a button press (stop the person's spinner), best effort: a press that can no
    longer be answered (too old, a network hiccup) must not cost what the handler does next.
    `text` is plain text: Telegram shows no HTML there."""
    try:
        await query.answer(text, show_alert=alert)
    except TelegramError:
        log.info("could not answer callback query %s", query.id, exc_info=True)


async def edit(
    query: CallbackQuery, text: str | None, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Show `text` (HTML; None: keep the text) and `markup` on the pressed button's message;
    pressing twice changes nothing, and that is fine."""
    try:
        if text is None:
            await query.edit_message_reply_markup(markup)
        else:
            await query.edit_message_text(text, parse_mode="HTML", reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise
