"""/portfolio and /pnl: a person's holdings and results, told only to them.

Asked in a group, the answer goes to the person's private chat and the group hears only that it
went there (or that the person has to open a private chat with the bot first).
"""

from __future__ import annotations

import hashlib

from telegram import Message, Update
from telegram.constants import ChatAction, ParseMode
from telegram.ext import CommandHandler

from bot.charts import group_allocation
from bot.context import CustomContext
from bot.i18n import Texts
from bot.pictures import send_picture
from bot.private import Send, deliver_privately
from bot.side_calls import chat_action
from bot.views.portfolio import (
    allocation_caption,
    allocation_title,
    broken_ledger,
    cannot_reach,
    empty,
    pnl_text,
    portfolio_text,
    sent_privately,
    value_caption,
    value_title,
)
from bot.views.refusals import refusal_text
from core.portfolio import PortfolioView, TradeRejected
from core.refusal import Refusal
from services import portfolio
from services.portfolio import PeriodReport


async def _privately(
    update: Update, context: CustomContext, t: Texts, send: Send, subject: str
) -> None:
    unreachable = cannot_reach(t, subject, context.bot.username)
    await deliver_privately(
        update, context, send, sent=sent_privately(t, subject), unreachable=unreachable
    )


def _allocation_key(t: Texts, user_id: int, view: PortfolioView) -> str | None:
    """The picture's cache key: what it shows — each slice and its share to 0.1%, in this
    language — so it is drawn again only when it would look different, not at every tick of
    the prices; None when nothing priced is held."""
    priced = [h for h in view.holdings if h.value]
    if not priced:
        return None
    slices = group_allocation([h.asset for h in priced], [float(h.value or 0) for h in priced])
    total = sum(value for _, value in slices)
    shown = ";".join(f"{label}={1000 * value / total:.0f}" for label, value in slices)
    digest = hashlib.sha256(shown.encode()).hexdigest()[:24]
    return f"portfolio:allocation:{user_id}:{t.language}:{digest}"


async def _allocation(
    context: CustomContext, t: Texts, chat_id: int, user_id: int, view: PortfolioView
) -> None:
    """The allocation picture: Telegram's copy of one already sent that looks the same, or
    drawn."""
    key = _allocation_key(t, user_id, view)
    if key is None:
        return
    priced = [h for h in view.holdings if h.value]
    labels, values = [h.asset for h in priced], [float(h.value or 0) for h in priced]

    async def draw() -> bytes:
        return await context.charts.allocation(labels, values, t=t, title=allocation_title(t))

    await _send_photo(context, chat_id, key, draw, allocation_caption(t, view))


async def _send_photo(context: CustomContext, chat_id: int, key: str, draw, caption: str) -> None:
    bot = context.bot

    async def send_photo(photo) -> Message:
        return await bot.send_photo(chat_id, photo, caption=caption, parse_mode=ParseMode.HTML)

    await send_picture(context.deps.cache, key, draw, send_photo, bot=bot, chat_id=chat_id)


async def portfolio_command(update: Update, context: CustomContext) -> None:
    """Your holdings at current prices, with a picture of the allocation."""
    user = update.effective_user
    if user is None:
        return
    t = await context.texts(update)
    view = None
    try:
        holdings = await portfolio.portfolio_now(context.deps, user.id)
    except TradeRejected as rejected:
        text = broken_ledger(t, rejected)
    else:
        view, text = holdings.view, portfolio_text(t, holdings.view, holdings.method)

    async def send(chat_id: int) -> None:
        await context.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)
        if view is not None:
            await _allocation(context, t, chat_id, user.id, view)

    await _privately(update, context, t, send, "portfolio")


async def _value_line(context: CustomContext, t: Texts, chat_id: int, report: PeriodReport) -> None:
    """The portfolio's value over the period, from its daily snapshots and now."""
    if len(report.history) < 2:
        return
    points = [(day, float(value)) for day, value in report.history]  # for matplotlib
    await chat_action(context.bot, chat_id, ChatAction.UPLOAD_PHOTO)
    title = value_title(t, report.period)
    png = await context.charts.value_line(points, t=t, title=title, currency=report.quote)
    caption = value_caption(t, report)
    await context.bot.send_photo(chat_id, png, caption=caption, parse_mode=ParseMode.HTML)


async def pnl_command(update: Update, context: CustomContext) -> None:
    """Profit and loss over a period, with a picture of the value: /pnl week."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    t = await context.texts(update)
    report = None
    try:
        period = " ".join(context.args or []) or "day"
        report = await portfolio.period_report(context.deps, user.id, period)
        text = pnl_text(t, report) if report is not None else empty(t)
    except TradeRejected as rejected:
        text = broken_ledger(t, rejected)
    except Refusal as refused:  # not a period: said where it was asked
        await message.reply_html(refusal_text(t, refused))
        return

    async def send(chat_id: int) -> None:
        await context.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)
        if report is not None:
            await _value_line(context, t, chat_id, report)

    await _privately(update, context, t, send, "pnl")


HANDLERS = [
    CommandHandler("portfolio", portfolio_command),
    CommandHandler("pnl", pnl_command),
]
