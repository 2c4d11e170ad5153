"""/costbasis and /currency: how a person's portfolio is counted, shown and changed."""

from __future__ import annotations

from typing import cast

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.callbacks import CostBasisChoice, CurrencyChoice, decode, matches
from bot.context import CustomContext
from bot.handlers.common import ChangingCommand, answer, edit, person_and_chat
from bot.i18n import Texts
from bot.views.portfolio_settings import (
    COST_BASIS,
    CURRENCY,
    choice_keyboard,
    cost_basis_now,
    cost_basis_set,
    currency_now,
    currency_set,
    not_your_settings,
)
from bot.views.refusals import refusal_text
from core.people import CostMethod, Preferences
from core.refusal import Refusal
from services import people
from services.people import Changed


def _now(t: Texts, setting: str, chosen: Preferences) -> tuple[str, str]:
    """What the setting is, said, and its value."""
    if setting == COST_BASIS:
        return cost_basis_now(t, chosen.method), chosen.method
    return currency_now(t, chosen.quote), chosen.quote


def _set(t: Texts, setting: str, change: Changed) -> tuple[str, str]:
    """What a change did, said, and the setting's value now."""
    if setting == COST_BASIS:
        return cost_basis_set(t, change), change.preferences.method
    return currency_set(t, change), change.preferences.quote


async def _change(update: Update, context: CustomContext, setting: str, typed: str) -> Changed:
    """Set the setting to what was typed or pressed (Refusal if it cannot be)."""
    if setting == COST_BASIS:
        method = cast(CostMethod, typed.strip().lower())  # the service refuses any other
        return await people.set_cost_method(context.deps, *person_and_chat(update), method)
    return await people.set_quote(context.deps, *person_and_chat(update), typed.strip().upper())


async def _setting_command(update: Update, context: CustomContext, setting: str) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    t = await context.texts(update)
    if not context.args:
        text, current = _now(t, setting, await people.preferences(context.deps, user.id))
        markup = choice_keyboard(t, setting, current, user.id)
        await message.reply_html(text, reply_markup=markup)
        return
    try:
        change = await _change(update, context, setting, " ".join(context.args))
    except Refusal as refused:
        await message.reply_html(refusal_text(t, refused))
        return
    await message.reply_html(_set(t, setting, change)[0])


async def cost_basis_command(update: Update, context: CustomContext) -> None:
    """Show or set how the cost of what you sell is counted: /costbasis average."""
    await _setting_command(update, context, COST_BASIS)


async def currency_command(update: Update, context: CustomContext) -> None:
    """Show or set the currency your portfolio is kept in: /currency USDT."""
    await _setting_command(update, context, CURRENCY)


async def choose_setting(update: Update, context: CustomContext) -> None:
    """A settings button: applied for the person it was shown to, and only by them."""
    query = update.callback_query
    pressed = decode(query.data) if query is not None else None
    if query is None or not isinstance(pressed, CostBasisChoice | CurrencyChoice):
        return
    setting = COST_BASIS if isinstance(pressed, CostBasisChoice) else CURRENCY
    if query.from_user.id != pressed.owner:
        t = await context.texts(update)
        await answer(query, not_your_settings(t, setting), alert=True)
        return
    await answer(query)
    t = await context.texts(update)
    try:
        change = await _change(update, context, setting, pressed.choice)
    except Refusal as refused:
        text, current = refusal_text(t, refused), str(refused.params.get("kept", ""))
    else:
        text, current = _set(t, setting, change)
    await edit(query, text, choice_keyboard(t, setting, current, pressed.owner))


HANDLERS = [
    ChangingCommand("costbasis", cost_basis_command),
    ChangingCommand("currency", currency_command),
    CallbackQueryHandler(choose_setting, pattern=matches(CostBasisChoice, CurrencyChoice)),
]
