"""/costbasis and /currency: how a person's portfolio is counted, shown and changed."""

from __future__ import annotations

from telegram import Chat, Update, User
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import CustomContext
from bot.views.portfolio import (
    COST_BASIS,
    CURRENCY,
    bad_cost_basis,
    bad_currency,
    choice_keyboard,
    cost_basis_now,
    cost_basis_result,
    currency_now,
    currency_result,
)
from core.people import ChatSeen, PersonSeen
from core.portfolio import COST_METHODS
from db.portfolio import QUOTE_CURRENCIES, change_cost_method, change_quote, settings_of
from services.deps import Deps

CHOICES = {COST_BASIS: COST_METHODS, CURRENCY: QUOTE_CURRENCIES}
BUTTONS = "|".join(f"{setting}:{choice}" for setting, all_ in CHOICES.items() for choice in all_)


def _normal(setting: str, typed: str) -> str:
    return typed.lower() if setting == COST_BASIS else typed.upper()


async def _apply(deps: Deps, setting: str, choice: str, user: User, chat: Chat) -> tuple[str, str]:
    """Set `choice` (one of CHOICES[setting]); the reply and the setting as it now stands."""
    person = PersonSeen(user.id, user.first_name, user.username, user.language_code)
    where = ChatSeen(chat.id, chat.type, chat.title, chat.username)
    if setting == COST_BASIS:
        change = await change_cost_method(deps, person, where, choice)
        return cost_basis_result(change), change.value
    change = await change_quote(deps, person, where, choice)
    return currency_result(change, choice), change.value


async def _setting_command(update: Update, context: CustomContext, setting: str) -> None:
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    if user is None or chat is None or message is None:
        return
    args, choices = context.args or [], CHOICES[setting]
    if not args:
        settings = await settings_of(context.deps, user.id)
        current = settings.method if setting == COST_BASIS else settings.quote
        text = cost_basis_now(current) if setting == COST_BASIS else currency_now(current)
        await message.reply_html(
            text, reply_markup=choice_keyboard(setting, choices, current, user.id)
        )
        return
    typed = " ".join(args)
    if len(args) != 1 or _normal(setting, typed) not in choices:
        await message.reply_html(
            bad_cost_basis(typed) if setting == COST_BASIS else bad_currency(typed)
        )
        return
    text, _ = await _apply(context.deps, setting, _normal(setting, typed), user, chat)
    await message.reply_html(text)


async def cost_basis_command(update: Update, context: CustomContext) -> None:
    """Show or set how the cost of what you sell is counted: /costbasis average."""
    await _setting_command(update, context, COST_BASIS)


async def currency_command(update: Update, context: CustomContext) -> None:
    """Show or set the currency your portfolio is kept in: /currency USDT."""
    await _setting_command(update, context, CURRENCY)


async def choose_setting(update: Update, context: CustomContext) -> None:
    """A settings button: applied for the person it was shown to, and only by them."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    setting, choice, owner = query.data.split(":")
    if query.from_user.id != int(owner):
        await query.answer(
            f"These are someone else's settings — send /{setting} for yours.", show_alert=True
        )
        return
    await query.answer()
    text, current = await _apply(context.deps, setting, choice, query.from_user, query.message.chat)
    keyboard = choice_keyboard(setting, CHOICES[setting], current, query.from_user.id)
    try:
        await query.edit_message_text(text, parse_mode="HTML", reply_markup=keyboard)
    except BadRequest as exc:  # pressed twice: nothing changed
        if "not modified" not in exc.message.lower():
            raise


HANDLERS = [
    CommandHandler("costbasis", cost_basis_command),
    CommandHandler("currency", currency_command),
    CallbackQueryHandler(choose_setting, pattern=rf"^({BUTTONS}):\d+$"),
]
