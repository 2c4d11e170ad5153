"""/alert typed and /alerts: setting an alert in one line, and looking after alerts with Pause,
Resume and Delete buttons — the same buttons a fired alert carries, with its 📈 Chart. The
guided /alert (without arguments) is `bot.handlers.alert_flow`."""

from __future__ import annotations

from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler

from bot.callbacks import AlertAction, AlertChart, AlertsPage, FlowButton, decode, matches
from bot.context import CustomContext
from bot.handlers.alert_flow import guided, set_reply, stray_flow_button
from bot.handlers.charts import chart
from bot.handlers.common import ChangingCommand, answer, edit
from bot.i18n import Texts
from bot.private import deliver_privately
from bot.views.alerts import (
    alerts_page,
    not_your_list,
    page_of,
    sent_privately,
    unreachable,
    with_status,
)
from bot.views.refusals import refusal_text
from core.refusal import Refusal
from services import alerts
from services.alerts import AlertChange


async def alert_command(update: Update, context: CustomContext) -> int:
    """Set an alert as typed: /alert BTC > 70000, /alert ETH -5% 1h, /alert SOL rsi < 30 4h."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return ConversationHandler.END
    t = await context.texts(update)
    text, markup = await set_reply(update, context, t, " ".join(context.args or []))
    await message.reply_html(text, reply_markup=markup)
    return ConversationHandler.END  # ends a guided /alert the person abandoned for typing


async def alerts_command(update: Update, context: CustomContext) -> None:
    """Your alerts with Pause / Resume / Delete buttons, sent privately from a group."""
    user = update.effective_user
    if user is None:
        return
    t = await context.texts(update)
    listing = await alerts.list_alerts(context.deps, user.id)
    text, markup = alerts_page(t, listing.alerts, 0, user.id, listing.zone)

    async def send(chat_id: int) -> Message:
        return await context.bot.send_message(chat_id, text, parse_mode="HTML", reply_markup=markup)

    away = unreachable(t, context.bot.username)
    await deliver_privately(update, context, send, sent=sent_privately(t), unreachable=away)


async def turn_page(update: Update, context: CustomContext) -> None:
    """◀ 🔄 ▶ under /alerts: another page in place, for its owner only."""
    query = update.callback_query
    pressed = decode(query.data) if query is not None else None
    if query is None or not isinstance(pressed, AlertsPage):
        return
    t = await context.texts(update)
    if query.from_user.id != pressed.owner:
        await answer(query, not_your_list(t), alert=True)
        return
    await answer(query)
    listing = await alerts.list_alerts(context.deps, pressed.owner)
    await edit(query, *alerts_page(t, listing.alerts, pressed.page, pressed.owner, listing.zone))


async def alert_button(update: Update, context: CustomContext) -> None:
    """Pause, Resume or Delete under /alerts, a new alert or a fired one: its owner's only."""
    query = update.callback_query
    pressed = decode(query.data) if query is not None else None
    if query is None or not isinstance(pressed, AlertAction):
        return
    t, owner = await context.texts(update), query.from_user.id
    if pressed.owner not in (None, owner):  # someone else's: said at once
        await answer(query, refusal_text(t, Refusal("alert.not_yours")), alert=True)
        return
    await answer(query)
    if query.message is None:  # on an inline message: Pythia sends none
        return
    markup = query.message.reply_markup if isinstance(query.message, Message) else None
    page = page_of(markup)
    try:
        done = await alerts.change_alert(
            context.deps, owner, pressed.alert_id, pressed.action, listing=page is not None
        )
    except Refusal as refused:  # deleted meanwhile, someone else's (an old button), the cap
        await context.bot.send_message(
            query.message.chat.id, refusal_text(t, refused), parse_mode="HTML"
        )
        return
    await edit(query, *_after(t, done, markup, page, owner))


def _after(
    t: Texts, done: AlertChange, markup: InlineKeyboardMarkup | None, page: int | None, owner: int
) -> tuple[str | None, InlineKeyboardMarkup | None]:
    """A page of /alerts as it now is; any other message keeps its text, with new buttons."""
    if page is not None and done.listing is not None:
        return alerts_page(t, done.listing.alerts, page, owner, done.listing.zone)
    return None, with_status(t, markup, done.alert_id, done.status, owner)


async def chart_button(update: Update, context: CustomContext) -> None:
    """📈 Chart under a fired alert: the /chart picture of its coin, in that chat."""
    query: CallbackQuery | None = update.callback_query
    pressed = decode(query.data) if query is not None else None
    if query is None or not isinstance(pressed, AlertChart):
        return
    await answer(query)
    context.args = [pressed.symbol]
    await chart(update, context)


def handlers() -> list[BaseHandler[Update, CustomContext, Any]]:
    """New ones for each Application: the guided flow's ConversationHandler holds the state of
    its conversations, which must not leak from one Application into another."""
    return [
        guided(alert_command),
        CallbackQueryHandler(stray_flow_button, pattern=matches(FlowButton)),
        ChangingCommand("alert", alert_command, has_args=True),
        CommandHandler("alerts", alerts_command),
        CallbackQueryHandler(turn_page, pattern=matches(AlertsPage)),
        CallbackQueryHandler(alert_button, pattern=matches(AlertAction)),
        CallbackQueryHandler(chart_button, pattern=matches(AlertChart)),
    ]
