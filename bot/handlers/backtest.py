"""/backtest: "long when P(up) > threshold" on the model's out-of-sample predictions against
buy-and-hold, as an equity picture with the figures in its caption."""

from __future__ import annotations

from collections.abc import Awaitable

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import CustomContext
from bot.pictures import reply_picture
from bot.views.backtest import backtest_caption, backtest_labels, backtest_refused, backtest_title
from core.refusal import Refusal
from services.backtest import backtest


async def backtest_command(update: Update, context: CustomContext) -> None:
    """The strategy against buy-and-hold: /backtest BTC 24h 3m 0.6."""
    message = update.effective_message
    if message is None:
        return
    t = await context.texts(update)
    try:
        found = await backtest(context.deps, context.args or [])
    except Refusal as refusal:
        await message.reply_html(backtest_refused(t, refusal))
        return

    def draw() -> Awaitable[bytes]:
        b, title, labels = found.backtest, backtest_title(t, found), backtest_labels(t, found)
        return context.charts.backtest(
            b.times, b.strategy, b.hold, b.in_market, t=t, title=title, labels=labels
        )

    key = f"{found.key}:{t.language}"  # the picture's words are in the person's language
    await reply_picture(context.deps.cache, message, key, draw, backtest_caption(t, found))


HANDLERS = [CommandHandler("backtest", backtest_command)]
