"""/price: the latest price of one or more coins."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import CustomContext
from bot.views.price import render_prices
from services import market


async def price(update: Update, context: CustomContext) -> None:
    """Show price, 24 h change, exchange and age for each coin asked."""
    if update.effective_message is None:
        return
    t = await context.texts(update)
    prices = await market.price(context.deps, context.args or [])
    await update.effective_message.reply_html(render_prices(t, prices))


HANDLERS = [CommandHandler("price", price)]
