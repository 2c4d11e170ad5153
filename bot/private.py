"""Answers only the person may see: in a private chat, whichever chat they were asked from."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.constants import ChatType
from telegram.error import Forbidden

from bot.context import CustomContext
from bot.side_calls import best_effort

Send = Callable[[int], Awaitable[object]]


async def deliver_privately(
    update: Update, context: CustomContext, send: Send, *, sent: str, unreachable: str
) -> None:
    """`send(chat_id)` to the chat asked in if it is private; from a group, to the person.

    The group then hears `sent`, or `unreachable` (HTML) when Telegram won't let the bot write
    first: the person never pressed Start, or blocked it. `sent` is best effort: the answer
    itself has gone, and failing to say so in the group must not turn into an apology there.
    """
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    if user is None or chat is None or message is None:
        return
    if chat.type == ChatType.PRIVATE:
        await send(chat.id)
        return
    try:
        await send(user.id)
    except Forbidden:
        await message.reply_html(unreachable)
        return
    await best_effort(message.reply_html(sent), chat.id)
