"""/start and /help."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import CustomContext
from bot.views.basic import help_text, welcome
from db.repos.people import ChatSeen, PersonSeen, register


async def start(update: Update, context: CustomContext) -> None:
    """Register the person (and the chat) and say hello."""
    user, chat, deps = update.effective_user, update.effective_chat, context.deps
    if user is None or chat is None or update.effective_message is None:
        return
    person = PersonSeen(user.id, user.first_name, user.username, user.language_code)
    where = ChatSeen(chat.id, chat.type, chat.title, chat.username)
    async with deps.sessions.begin() as session:
        new = await register(session, person, where, deps.clock.now())
    examples = tuple(deps.settings.symbols)
    await update.effective_message.reply_html(welcome(user.first_name, new, examples))


async def help_command(update: Update, context: CustomContext) -> None:
    """List the commands, or explain one: /help price."""
    if update.effective_message is None:
        return
    topic = " ".join(context.args or []) or None
    await update.effective_message.reply_html(help_text(topic))


HANDLERS = [
    CommandHandler("start", start),
    CommandHandler("help", help_command),
]
