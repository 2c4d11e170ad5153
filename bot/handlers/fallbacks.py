"""What no other handler takes: presses of buttons Pythia could not have sent (or no longer
knows), and edits of commands that change something.

Edits: Telegram sends an edited message as an update of its own. A command that changes
something (/buy, /undo, /alert BTC > 70000, /watch, a setting) is acted on once, when it is
sent; acting again on its edit would preview a second trade, set a second alert. So such a
command takes new messages only (`ChangingCommand`), and its edit gets one line saying to send
it again. Commands that only read (/price, /chart, /help…) answer an edit afresh: it is how a
person fixes a typo, and answering twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler
from telegram.ext import filters as ptb_filters

from bot.callbacks import decode
from bot.context import CustomContext
from bot.handlers.common import ChangingCommand, answer, command_names
from bot.views.basic import edited_command_ignored


async def unknown_button(update: Update, context: CustomContext) -> None:
    """A press of a button no handler knows (forged, from an old version, empty): answered,
    so the person's spinner stops, and nothing else."""
    if update.callback_query is None:
        return
    t = await context.texts(update)
    await answer(update.callback_query, t._("This button no longer works."), alert=True)


class UnreadableButton(CallbackQueryHandler[CustomContext, None]):
    """Presses whose data the codec does not read as a button Pythia sends: forged, oversized,
    out of range, a game's, or empty — which PTB hands to the first handler with any pattern.
    Checked before every other handler, so they only ever see data that decodes."""

    def __init__(self) -> None:
        super().__init__(unknown_button)

    def check_update(self, update: object) -> bool:
        query = update.callback_query if isinstance(update, Update) else None
        return query is not None and decode(query.data) is None


async def edited_command(update: Update, context: CustomContext) -> None:
    """An edited command that changes something: not acted on again; one line says so."""
    message = update.effective_message
    if message is None:
        return
    await message.reply_html(edited_command_ignored(await context.texts(update)))


def changing_commands(handlers: Iterable[BaseHandler[Any, Any, Any]]) -> frozenset[str]:
    """The names of the commands among `handlers` (and their conversations) that change
    something."""
    return command_names(handlers, ChangingCommand)


def edits_of(commands: Iterable[str]) -> CommandHandler[CustomContext, None]:
    """The handler of edits of `commands` (registered last: nothing else takes them)."""
    edits = ptb_filters.UpdateType.EDITED_MESSAGE
    return CommandHandler(sorted(commands), edited_command, filters=edits)
