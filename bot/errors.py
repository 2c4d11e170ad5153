"""The last line of defence: log the error, give the person one apologetic line."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError

from bot.context import CustomContext
from bot.i18n import Texts, texts_for
from bot.side_calls import answer_press, best_effort
from core.people import DEFAULT_LANGUAGE

log = logging.getLogger(__name__)


async def on_error(update: object, context: CustomContext) -> None:
    """Log every unhandled error; tell the person, never with a traceback.

    The apology is tried once, best effort, so it can never fail into another apology: on a
    button press it answers the press (which also stops the spinner), or, when the press was
    answered already, it replies under the pressed message; otherwise it replies to the
    message. A NetworkError (Telegram unreachable for one call, a 5xx) gets an apology too —
    the next call may well go through. After Forbidden (blocked, removed from the group) only
    a press is answered: that needs no right to write in the chat.
    """
    error = context.error
    where = update.to_dict() if isinstance(update, Update) else repr(update)
    if isinstance(error, NetworkError | Forbidden):  # Telegram's answer is all there is to it
        log.warning("Telegram failed while handling %s: %r", where, error)
    else:
        log.error("unhandled error while handling %s", where, exc_info=error)
    if not isinstance(update, Update):
        return  # nobody to tell
    query, reachable = update.callback_query, not isinstance(error, Forbidden)
    if query is None and not reachable:
        return
    sorry = (await _texts(update, context))._(
        "Sorry — something went wrong on my side. It has been logged; please try again shortly."
    )
    if query is not None and await answer_press(query, sorry, alert=True):
        return
    message = update.effective_message
    if message is not None and reachable:
        await best_effort(message.reply_text(sorry), message.chat_id)


async def _texts(update: Update, context: CustomContext) -> Texts:
    """The person's words, or English when even reading their language failed."""
    try:
        return await context.texts(update)
    except Exception:  # the database may be what failed: the apology matters more
        log.warning("could not read the language for the apology", exc_info=True)
        return texts_for(DEFAULT_LANGUAGE)
