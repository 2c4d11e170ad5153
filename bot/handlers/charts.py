"""/chart, /compare and /corr: pictures of the market, each with the numbers in its caption."""

from __future__ import annotations

from collections.abc import Awaitable

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import CustomContext
from bot.pictures import reply_picture
from bot.views.chart import (
    chart_caption,
    chart_title,
    compare_title,
    comparison_caption,
    correlation_title,
    correlations_caption,
)
from bot.views.series import refused
from core.refusal import Refusal
from services import charts


async def chart(update: Update, context: CustomContext) -> None:
    """Candlesticks with volume, moving averages and Bollinger bands: /chart BTC 4h 30d."""
    message = update.effective_message
    if message is None:
        return
    t = await context.texts(update)
    try:
        found = await charts.chart_data(context.deps, context.args or [])
    except Refusal as refusal:
        await message.reply_html(refused(t, refusal, "chart"))
        return

    def draw() -> Awaitable[bytes]:
        title = chart_title(found)
        return context.charts.candles(found.candles, t=t, title=title, bands=found.bands())

    key = f"{found.key}:{t.language}"  # the picture's words are in the person's language
    await reply_picture(context.deps.cache, message, key, draw, chart_caption(t, found))


async def compare(update: Update, context: CustomContext) -> None:
    """Two coins normalised on one picture, with their correlation: /compare BTC ETH 3m."""
    message = update.effective_message
    if message is None:
        return
    t = await context.texts(update)
    try:
        found = await charts.compare_data(context.deps, context.args or [])
    except Refusal as refusal:
        await message.reply_html(refused(t, refusal, "compare"))
        return

    def draw() -> Awaitable[bytes]:
        return context.charts.compare(found.points(), t=t, title=compare_title(t, found))

    key = f"{found.key}:{t.language}"
    await reply_picture(context.deps.cache, message, key, draw, comparison_caption(t, found))


async def corr(update: Update, context: CustomContext) -> None:
    """A heat-map of how the followed coins move together: /corr 90d."""
    message = update.effective_message
    if message is None:
        return
    t = await context.texts(update)
    try:
        found = await charts.correlation_data(context.deps, context.args or [])
    except Refusal as refusal:
        await message.reply_html(refused(t, refusal, "corr"))
        return

    def draw() -> Awaitable[bytes]:
        title = correlation_title(t, found)
        return context.charts.correlation(found.coins, found.matrix, t=t, title=title)

    key = f"{found.key}:{t.language}"
    await reply_picture(context.deps.cache, message, key, draw, correlations_caption(t, found))


HANDLERS = [
    CommandHandler("chart", chart),
    CommandHandler("compare", compare),
    CommandHandler("corr", corr),
]
