"""/top: biggest gainers and losers among the coins Pythia follows."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import CustomContext
from bot.views.market import top_movers
from services import market


async def top(update: Update, context: CustomContext) -> None:
    """The day's biggest moves up and down."""
    if update.effective_message is None:
        return
    t = await context.texts(update)
    found = await market.top(context.deps)
    await update.effective_message.reply_html(top_movers(t, found))


HANDLERS = [CommandHandler("top", top)]
