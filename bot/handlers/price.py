"""/price: the latest price of one or more coins."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import CustomContext
from bot.views.price import render_prices
from core.symbols import resolve
from db.quotes import latest_quotes


async def price(update: Update, context: CustomContext) -> None:
    """Show price, 24 h change, exchange and age for each symbol asked."""
    if update.effective_message is None:
        return
    deps = context.deps
    directory = deps.directory
    request = resolve(context.args or [], directory.symbols, directory.names)
    quotes = await latest_quotes(deps, request.symbols)
    text = render_prices(
        request,
        quotes,
        directory.display,
        now=deps.clock.now(),
        stale_after=timedelta(seconds=deps.settings.stale_after),
        examples=tuple(deps.settings.symbols),
        refresh_seconds=deps.settings.ticker_interval,
    )
    await update.effective_message.reply_html(text)


HANDLERS = [CommandHandler("price", price)]
