"""/ta: the technical indicators of one coin, each read in plain words."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import CustomContext
from bot.views.series import refused
from bot.views.ta import analysis_text
from core.refusal import Refusal
from services.ta import technical_analysis


async def ta(update: Update, context: CustomContext) -> None:
    """RSI, MACD, Bollinger %B, ATR, moving-average crosses and volatility, explained."""
    message = update.effective_message
    if message is None:
        return
    t = await context.texts(update)
    try:
        analysis = await technical_analysis(context.deps, context.args or [])
    except Refusal as refusal:
        await message.reply_html(refused(t, refusal, "ta"))
        return
    await message.reply_html(analysis_text(t, analysis))


HANDLERS = [CommandHandler("ta", ta)]
