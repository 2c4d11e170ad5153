"""Confirm and Cancel under a /buy, /sell, /undo or an import: the pending action is in the
database (services/pending), and services.trades.confirm takes and acts on it in one
transaction, so it acts once however often, and wherever, it is pressed.

The press is answered before anything else: someone else's at once with a line saying so (the
button carries who asked), the owner's with nothing, and the message then shows the outcome.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler

from bot.callbacks import ConfirmButton, decode, matches
from bot.context import CustomContext
from bot.handlers.common import answer, edit, person_and_chat
from bot.views.refusals import refusal_text
from bot.views.trades import expired, outcome_text
from core.refusal import Refusal
from services import trades


async def pressed(update: Update, context: CustomContext) -> None:
    """Confirm or Cancel: act once, for the person who asked only; the outcome in place."""
    query = update.callback_query
    button = decode(query.data) if query is not None else None
    if query is None or not isinstance(button, ConfirmButton):
        return
    if button.owner is not None and button.owner != query.from_user.id:
        t = await context.texts(update)
        await answer(query, refusal_text(t, Refusal("confirm.not_yours")), alert=True)
        return
    await answer(query)
    t = await context.texts(update)
    try:
        outcome = await trades.confirm(
            context.deps, *person_and_chat(update), button.token, button.yes
        )
    except Refusal as refused:
        message = query.message if isinstance(query.message, Message) else None
        # never rewrite a message that is not the one asking
        if refused.code == "confirm.expired" and message and _carries(message, query.data or ""):
            await edit(query, expired(t, message.text_html or ""))  # the buttons go
        return  # answered already, or not theirs: nothing changes
    await edit(query, outcome_text(t, outcome))  # no markup: the buttons go


def _carries(message: Message, data: str) -> bool:
    """Whether the pressed message shows a button with this data: a press replayed or forged
    under another message (anyone's, in a group) must not turn that one into "expired"."""
    markup = message.reply_markup
    rows = markup.inline_keyboard if markup is not None else ()
    return any(button.callback_data == data for row in rows for button in row)


HANDLER = CallbackQueryHandler(pressed, pattern=matches(ConfirmButton))
