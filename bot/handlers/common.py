"""What every handler module does the same way: who asked and where, answering a press,
taking a button only from the person it was shown to, editing a message in place, and taking a
command that changes something from new messages only."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from typing import Any, Protocol, TypeVar

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CommandHandler, ConversationHandler, filters

from bot.callbacks import decode
from bot.context import CustomContext
from bot.i18n import Texts
from bot.side_calls import answer_press
from core.people import ChatSeen, PersonSeen

# What a handler that changes something takes: a message as sent, not its edits (an edit is
# not a new request).
NEW = filters.UpdateType.MESSAGE


class ChangingCommand(CommandHandler[CustomContext, Any]):
    """A command that changes something (a trade, an alert, a setting): taken from new
    messages only. PTB's CommandHandler also takes edited ones, and acting on an edit would do
    it twice; `bot.handlers.fallbacks` answers the edit instead."""

    def __init__(
        self,
        command: str,
        callback: Callable[[Update, CustomContext], Coroutine[Any, Any, Any]],
        **options: Any,
    ) -> None:
        super().__init__(command, callback, filters=NEW, **options)


def command_names(
    handlers: Iterable[BaseHandler[Any, Any, Any]],
    kind: type[CommandHandler[Any, Any]] = CommandHandler,
) -> frozenset[str]:
    """The commands of the `kind` handlers among `handlers` and inside their conversations."""
    names: set[str] = set()
    for handler in handlers:
        if isinstance(handler, kind):
            names |= handler.commands
        elif isinstance(handler, ConversationHandler):
            inner = [*handler.entry_points, *handler.fallbacks]
            inner += [h for state in handler.states.values() for h in state]
            names |= command_names(inner, kind)
    return frozenset(names)


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
    await answer_press(query, text, alert=alert)


class Owned(Protocol):
    """A button shown to one person: `owner`."""

    @property
    def owner(self) -> int: ...


OwnedButton = TypeVar("OwnedButton", bound=Owned)


async def owners_press(
    update: Update,
    context: CustomContext,
    kind: type[OwnedButton],
    not_yours: Callable[[Texts], str],
) -> tuple[CallbackQuery, OwnedButton] | None:
    """The press and its button when `update` is a press of a `kind` button by the person it
    was shown to; None when it is not such a button, or when someone else pressed it (they
    are told `not_yours` in an alert, and nothing else is done)."""
    query = update.callback_query
    pressed = decode(query.data) if query is not None else None
    if query is None or not isinstance(pressed, kind):
        return None
    if query.from_user.id != pressed.owner:
        await answer(query, not_yours(await context.texts(update)), alert=True)
        return None
    return query, pressed


async def edit(
    query: CallbackQuery, text: str | None, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Show `text` (HTML; None: keep the text) and `markup` on the pressed button's message;
    pressing twice changes nothing, and that is fine."""
    pressed = query.message
    if text is not None and isinstance(pressed, Message) and pressed.text is None:
        # a picture or a file has no text to replace (a forged button under a chart, say):
        # the answer goes below it instead
        await pressed.reply_html(text, reply_markup=markup, do_quote=False)
        return
    try:
        if text is None:
            await query.edit_message_reply_markup(markup)
        else:
            await query.edit_message_text(text, parse_mode="HTML", reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise
