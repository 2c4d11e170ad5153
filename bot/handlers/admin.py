"""/status and /broadcast, for the operators in ADMIN_IDS only, in their private chat.

To anyone else (and anywhere else) they do not exist: the commands are filtered before any
handler sees them, so they get what any unknown command gets (nothing), and they are not in
anyone else's command menu (the operators' own menu, per chat, lists them).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeChat, CallbackQuery, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.callbacks import AdminButton, decode, matches
from bot.context import CustomContext
from bot.handlers.common import NEW, answer, edit
from bot.handlers.fallbacks import unknown_button
from bot.i18n import Texts, texts_for
from bot.views.admin import (
    admin_menu,
    cancelled_text,
    expired_text,
    preview_keyboard,
    preview_text,
    queued_text,
    status_keyboard,
    status_text,
)
from bot.views.basic import menu
from bot.views.refusals import refusal_text
from core.people import DEFAULT_LANGUAGE, LANGUAGES
from core.refusal import Refusal
from services import admin, broadcasts

log = logging.getLogger(__name__)


async def status_command(update: Update, context: CustomContext) -> None:
    """How Pythia is doing, on one page, with a refresh button."""
    if update.effective_message is None:
        return
    t = await context.texts(update)
    found = await admin.status(context.deps, context.deps.clock.now())
    await update.effective_message.reply_html(
        status_text(t, found), reply_markup=status_keyboard(t)
    )


async def broadcast_command(update: Update, context: CustomContext) -> None:
    """Preview a message to everyone: /broadcast <text> (plain text, line breaks kept)."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    t = await context.texts(update)
    words = (message.text or "").split(None, 1)  # the command, then the text as typed
    try:
        preview = await broadcasts.preview(
            context.deps, user.id, words[1] if len(words) > 1 else ""
        )
    except Refusal as refused:
        await message.reply_html(refusal_text(t, refused))
        return
    await message.reply_html(
        preview_text(t, preview), reply_markup=preview_keyboard(t, preview.token)
    )


async def pressed(update: Update, context: CustomContext) -> None:
    """🔄 Refresh, Send or Cancel: an operator's only; anyone else's press is an unknown one."""
    query = update.callback_query
    button = decode(query.data) if query is not None else None
    if query is None or not isinstance(button, AdminButton):
        return
    if query.from_user.id not in context.deps.settings.admin_ids:
        await unknown_button(update, context)
        return
    await answer(query)
    t = await context.texts(update)
    if button.action == "refresh":
        found = await admin.status(context.deps, context.deps.clock.now())
        await edit(query, status_text(t, found), status_keyboard(t))
        return
    await _answer_broadcast(context, query.from_user.id, button, t, query)


async def _answer_broadcast(
    context: CustomContext, admin_id: int, button: AdminButton, t: Texts, query: CallbackQuery
) -> None:
    """Send or Cancel: acts once; a press after that (or after it expired) changes nothing."""
    try:
        done = await broadcasts.answer(
            context.deps, admin_id, button.token or "", button.action == "send"
        )
    except Refusal as refused:
        if refused.code == "confirm.expired":  # too late: the buttons go
            await edit(query, expired_text(t))
        return  # answered already (a second press): the first press's outcome stands
    if isinstance(done, broadcasts.Queued):
        await edit(query, queued_text(t, done))
    else:
        await edit(query, cancelled_text(t))


def handlers(admin_ids: Sequence[int]) -> list[BaseHandler[Any, CustomContext, Any]]:
    """The operators' commands: taken from `admin_ids` in private chats only; edits of them
    are not acted on (a broadcast is previewed once per message)."""
    operators = filters.User(user_id=list(admin_ids)) & filters.ChatType.PRIVATE & NEW
    return [
        CommandHandler("status", status_command, filters=operators),
        CommandHandler("broadcast", broadcast_command, filters=operators),
        CallbackQueryHandler(pressed, pattern=matches(AdminButton)),
    ]


async def publish_menu(bot: Bot, admin_ids: Sequence[int]) -> None:
    """Each operator's command menu: everyone's, and theirs. Best effort: Telegram knows no
    private chat with an operator who never started Pythia (their menu comes at the next
    start)."""
    for admin_id in admin_ids:
        for language in LANGUAGES:
            t = texts_for(language)
            commands = [BotCommand(name, text) for name, text in [*menu(t), *admin_menu(t)]]
            code = None if language == DEFAULT_LANGUAGE else language
            try:
                await bot.set_my_commands(commands, BotCommandScopeChat(admin_id), code)
            except TelegramError as exc:
                log.warning("no command menu for operator %s: %s", admin_id, exc)
                break
