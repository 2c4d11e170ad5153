"""/portfolio and /pnl: a person's holdings and results, told only to them.

Asked in a group, the answer goes to the person's private chat and the group hears only that it
went there (or that the person has to open a private chat with the bot first).
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable

from telegram import Message, Update
from telegram.constants import ChatAction, ParseMode
from telegram.ext import CommandHandler

from bot.charts import group_allocation
from bot.context import CustomContext
from bot.pictures import send_picture
from bot.private import Send, deliver_privately
from bot.views.portfolio import (
    BAD_PERIOD,
    EMPTY,
    PERIOD_NAMES,
    allocation_caption,
    cannot_reach,
    pnl_text,
    portfolio_text,
    sent_privately,
    trades_do_not_add_up,
    value_caption,
)
from core.portfolio import PortfolioView, TradeRejected
from db.portfolio import PeriodReport, period_report, portfolio_now


async def _privately(
    update: Update, context: CustomContext, send: Send, what: str, command: str
) -> None:
    unreachable = cannot_reach(what, context.bot.username, command)
    await deliver_privately(
        update, context, send, sent=sent_privately(what), unreachable=unreachable
    )


async def _picture(
    context: CustomContext,
    chat_id: int,
    key: str,
    draw: Callable[[], Awaitable[bytes]],
    caption: str,
) -> None:
    """Send to `chat_id` Telegram's copy of a picture already sent under `key`, or draw it."""
    bot = context.bot

    async def send_photo(photo) -> Message:
        return await bot.send_photo(chat_id, photo, caption=caption, parse_mode=ParseMode.HTML)

    async def uploading() -> None:
        await bot.send_chat_action(chat_id, ChatAction.UPLOAD_PHOTO)

    await send_picture(context.deps.cache, key, draw, send_photo, uploading)


def _allocation_key(user_id: int, view: PortfolioView) -> tuple[str, list[str], list[float]] | None:
    """The picture's cache key and what it draws; None when nothing priced is held.

    The key is what the picture shows — each slice and its share to 0.1% — so it is drawn
    again only when it would look different, not at every tick of the prices."""
    priced = [h for h in view.holdings if h.value]
    if not priced:
        return None
    labels = [h.asset for h in priced]
    values = [float(h.value or 0) for h in priced]  # matplotlib's numbers, not money
    slices = group_allocation(labels, values)
    total = sum(value for _, value in slices)
    shown = ";".join(f"{label}={1000 * value / total:.0f}" for label, value in slices)
    digest = hashlib.sha256(shown.encode()).hexdigest()[:24]
    return f"portfolio:allocation:{user_id}:{digest}", labels, values


async def portfolio_command(update: Update, context: CustomContext) -> None:
    """Your holdings at current prices, with a picture of the allocation."""
    user = update.effective_user
    if user is None:
        return
    try:
        view, settings = await portfolio_now(context.deps, user.id)
    except TradeRejected as exc:
        text, view = trades_do_not_add_up(exc.reason), None
    else:
        text = portfolio_text(view, settings.method)
    picture = _allocation_key(user.id, view) if view is not None else None

    async def send(chat_id: int) -> None:
        await context.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)
        if picture is not None and view is not None:
            key, labels, values = picture

            async def draw() -> bytes:
                return await context.charts.allocation(labels, values, title="Your allocation")

            await _picture(context, chat_id, key, draw, allocation_caption(view))

    await _privately(update, context, send, "portfolio", "/portfolio")


async def pnl_command(update: Update, context: CustomContext) -> None:
    """Profit and loss over a period, with a picture of the value: /pnl week."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    args = [a.lower() for a in context.args or []] or ["day"]
    if len(args) != 1 or args[0] not in PERIOD_NAMES:
        await message.reply_html(BAD_PERIOD)
        return
    report: PeriodReport | None = None
    try:
        report = await period_report(context.deps, user.id, args[0])
        text = pnl_text(report) if report is not None else EMPTY
    except TradeRejected as exc:
        text = trades_do_not_add_up(exc.reason)

    async def send(chat_id: int) -> None:
        await context.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)
        if report is not None and len(report.history) >= 2:
            points = [(day, float(value)) for day, value in report.history]  # for matplotlib
            title = f"Portfolio value · {PERIOD_NAMES[report.period]}"
            await context.bot.send_chat_action(chat_id, ChatAction.UPLOAD_PHOTO)
            png = await context.charts.value_line(points, title=title, currency=report.quote)
            caption = value_caption(report)
            await context.bot.send_photo(chat_id, png, caption=caption, parse_mode=ParseMode.HTML)

    await _privately(update, context, send, "P&amp;L", "/pnl")


HANDLERS = [
    CommandHandler("portfolio", portfolio_command),
    CommandHandler("pnl", pnl_command),
]
