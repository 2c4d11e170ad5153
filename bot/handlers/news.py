"""/news and /sentiment: the latest stories, paged with buttons, and the news sentiment index
with its picture against the price."""

from __future__ import annotations

from collections.abc import Awaitable

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks import NewsPages, matches
from bot.context import CustomContext
from bot.handlers.common import answer, edit, owners_press
from bot.pictures import reply_picture
from bot.views.news import news_keyboard, news_text, not_your_news
from bot.views.refusals import refusal_text
from bot.views.sentiment import no_index, price_label, sentiment_caption, sentiment_title
from core.refusal import Refusal
from services.news import asked_coin, news_page
from services.sentiment_series import sentiment_overview


async def news_command(update: Update, context: CustomContext) -> None:
    """The latest stories, five to a page: /news, or /news BTC."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    t = await context.texts(update)
    try:
        coin = await asked_coin(context.deps, context.args or [], "news")
    except Refusal as refusal:
        await message.reply_html(refusal_text(t, refusal))
        return
    latest = await news_page(context.deps, coin)
    markup = news_keyboard(t, user.id, latest)
    await message.reply_html(news_text(t, latest), reply_markup=markup)


async def turn_news_page(update: Update, context: CustomContext) -> None:
    """◀ ▶ under /news: another page in place, for whoever asked."""
    press = await owners_press(update, context, NewsPages, not_your_news)
    if press is None:
        return
    query, pressed = press
    await answer(query)  # before the page is read
    t = await context.texts(update)
    latest = await news_page(context.deps, pressed.asset, pressed.page)
    await edit(query, news_text(t, latest), news_keyboard(t, pressed.owner, latest))


async def sentiment_command(update: Update, context: CustomContext) -> None:
    """The news sentiment index now and over a week: /sentiment, or /sentiment BTC."""
    message = update.effective_message
    if message is None:
        return
    t = await context.texts(update)
    try:
        coin = await asked_coin(context.deps, context.args or [], "sentiment")
    except Refusal as refusal:
        await message.reply_html(refusal_text(t, refusal))
        return
    overview = await sentiment_overview(context.deps, coin)
    if overview.summary.now is None or not overview.points:
        await message.reply_html(no_index(t, coin))
        return

    def draw() -> Awaitable[bytes]:
        title, label = sentiment_title(t, overview), price_label(t, overview)
        points, closes = overview.points, overview.closes
        return context.charts.sentiment(points, closes, t=t, title=title, price_label=label)

    key = f"{overview.key}:{t.language}"  # the picture's words are in the person's language
    await reply_picture(context.deps.cache, message, key, draw, sentiment_caption(t, overview))


HANDLERS = [
    CommandHandler("news", news_command),
    CommandHandler("sentiment", sentiment_command),
    CallbackQueryHandler(turn_news_page, pattern=matches(NewsPages)),
]
