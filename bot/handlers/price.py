"""/price: the latest price of one or more coins."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import CustomContext
from bot.views.price import render_prices
from services._legacy import ensure_tracked, exchanges, latest_quotes, resolve_symbols


async def price(update: Update, context: CustomContext) -> None:
    """Show price, 24 h change, exchange and age for each symbol asked."""
    if update.effective_message is None:
        return
    deps = context.deps
    request = await resolve_symbols(deps, context.args or [])
    quotes = await latest_quotes(deps, request.symbols)
    following = await ensure_tracked(deps, [s for s in request.symbols if s not in quotes])
    text = render_prices(
        request,
        quotes,
        deps.directory.display,
        now=deps.clock.now(),
        stale_after=timedelta(seconds=deps.settings.stale_after),
        examples=tuple(deps.settings.symbols),
        refresh_seconds=deps.settings.ticker_interval,
        exchanges=exchanges(deps),
        now_following=tuple(following),
    )
    await update.effective_message.reply_html(text)


HANDLERS = [CommandHandler("price", price)]
