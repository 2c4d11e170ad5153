"""/watch, /unwatch and /prices: a person's own list of coins."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks import RefreshPrices, matches
from bot.context import CustomContext
from bot.handlers.common import ChangingCommand, answer, edit, owners_press, person_and_chat
from bot.views.refusals import refusal_text
from bot.views.watchlist import (
    not_your_watchlist,
    prices_table,
    refresh_keyboard,
    unwatch_result,
    watch_result,
)
from core.refusal import Refusal
from services import watchlist


async def watch_command(update: Update, context: CustomContext) -> None:
    """Add coins to your watchlist: /watch BTC ETH."""
    if update.effective_message is None:
        return
    t = await context.texts(update)
    person, chat = person_and_chat(update)
    try:
        watched = await watchlist.watch(context.deps, person, chat, context.args or [])
    except Refusal as refusal:
        await update.effective_message.reply_html(refusal_text(t, refusal))
        return
    await update.effective_message.reply_html(watch_result(t, watched))


async def unwatch_command(update: Update, context: CustomContext) -> None:
    """Remove coins from your watchlist: /unwatch BTC, or /unwatch all."""
    if update.effective_message is None or update.effective_user is None:
        return
    t = await context.texts(update)
    try:
        unwatched = await watchlist.unwatch(
            context.deps, update.effective_user.id, context.args or []
        )
    except Refusal as refusal:
        await update.effective_message.reply_html(refusal_text(t, refusal))
        return
    await update.effective_message.reply_html(unwatch_result(t, unwatched))


async def prices_command(update: Update, context: CustomContext) -> None:
    """Your watchlist's prices in one message, with a refresh button."""
    if update.effective_message is None or update.effective_user is None:
        return
    t = await context.texts(update)
    owner = update.effective_user.id
    prices = await watchlist.watchlist_prices(context.deps, owner)
    markup = refresh_keyboard(t, owner) if prices.coins else None
    await update.effective_message.reply_html(prices_table(t, prices), reply_markup=markup)


async def refresh_prices(update: Update, context: CustomContext) -> None:
    """The refresh button: update the table in place, for its owner only."""
    press = await owners_press(update, context, RefreshPrices, not_your_watchlist)
    if press is None:
        return
    query, pressed = press
    await answer(query)  # before the prices are read
    t = await context.texts(update)
    prices = await watchlist.watchlist_prices(context.deps, pressed.owner)
    await edit(query, prices_table(t, prices), refresh_keyboard(t, pressed.owner))


HANDLERS = [
    ChangingCommand("watch", watch_command),
    ChangingCommand("unwatch", unwatch_command),
    CommandHandler("prices", prices_command),
    CallbackQueryHandler(refresh_prices, pattern=matches(RefreshPrices)),
]
