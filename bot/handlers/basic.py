"""/start, /help and /language."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks import LanguageChoice, matches
from bot.context import CustomContext
from bot.handlers.common import ChangingCommand, answer, edit, owners_press, person_and_chat
from bot.i18n import Texts, texts_for
from bot.views.alerts import start_alerts
from bot.views.basic import help_text, language_keyboard, language_now, language_set, welcome
from bot.views.refusals import refusal_text
from core.refusal import Refusal
from services import people


async def start(update: Update, context: CustomContext) -> None:
    """Register the person (and the chat) and say hello."""
    if update.effective_message is None or update.effective_user is None:
        return
    hello = await people.start(context.deps, *person_and_chat(update))
    t = texts_for(hello.preferences.language)
    examples = context.deps.settings.symbols
    text = welcome(t, update.effective_user.first_name, hello.new, examples)
    if context.args == ["alerts"]:  # from a group's link: set alerts of your own here
        text += "\n\n" + start_alerts(t)
    await update.effective_message.reply_html(text)


async def help_command(update: Update, context: CustomContext) -> None:
    """List the commands, or explain one: /help price."""
    if update.effective_message is None:
        return
    t = await context.texts(update)
    topic = " ".join(context.args or []) or None
    await update.effective_message.reply_html(help_text(t, topic))


async def language_command(update: Update, context: CustomContext) -> None:
    """Show or change the language Pythia speaks to you: /language es."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    t = await context.texts(update)
    if not context.args:
        await message.reply_html(
            language_now(t), reply_markup=language_keyboard(t.language, user.id)
        )
        return
    typed = " ".join(context.args).strip().lower()
    try:
        changed = await people.set_language(context.deps, *person_and_chat(update), typed)
    except Refusal as refused:
        await message.reply_html(refusal_text(t, refused))
        return
    await message.reply_html(language_set(texts_for(typed), changed.changed))


def _not_your_language(t: Texts) -> str:
    return t._("These are someone else's settings — send /language for yours.")


async def choose_language(update: Update, context: CustomContext) -> None:
    """A language button: for the person it was shown to, and only them."""
    press = await owners_press(update, context, LanguageChoice, _not_your_language)
    if press is None:
        return
    query, pressed = press
    await answer(query)
    changed = await people.set_language(context.deps, *person_and_chat(update), pressed.language)
    t = texts_for(pressed.language)
    await edit(
        query, language_set(t, changed.changed), language_keyboard(t.language, pressed.owner)
    )


HANDLERS = [
    ChangingCommand("start", start),
    CommandHandler("help", help_command),
    ChangingCommand("language", language_command),
    CallbackQueryHandler(choose_language, pattern=matches(LanguageChoice)),
]
