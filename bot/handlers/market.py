"""/top: biggest gainers and losers among the coins Pythia follows."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import CustomContext
from bot.views.market import top_movers
from services._legacy import latest_quotes


async def top(update: Update, context: CustomContext) -> None:
    """The day's biggest moves up and down."""
    if update.effective_message is None:
        return
    deps = context.deps
    tracked = (await deps.current_directory()).tracked
    quotes = await latest_quotes(deps, tracked)
    await update.effective_message.reply_html(top_movers(list(quotes.values()), len(tracked)))


HANDLERS = [CommandHandler("top", top)]
