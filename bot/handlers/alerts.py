"""/alert typed and /alerts: setting an alert in one line, and looking after alerts with Pause,
Resume and Delete buttons — the same buttons a fired alert carries, with its 📈 Chart. The
guided /alert (without arguments) is `bot.handlers.alert_flow`.

In a group the alerts are the group's: /alerts shows them there, to anyone; setting one and
every press on their buttons (paging too: the list is everyone's message) is for its admins.
A press acts on the alerts of the chat it was pressed in, whatever its data says."""

from __future__ import annotations

from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler

from bot.callbacks import AlertAction, AlertChart, AlertsPage, FlowButton, decode, matches
from bot.context import CustomContext
from bot.groups import may_configure
from bot.handlers.alert_flow import guided, set_reply, stray_flow_button
from bot.handlers.charts import chart
from bot.handlers.common import ChangingCommand, answer, edit
from bot.i18n import Texts
from bot.views.alerts import alerts_page, not_your_list, page_of, with_status
from bot.views.chats import admins_only
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


def _owner(update: Update) -> int | None:
    """Whose alerts the chat of `update` holds: a private chat's person (its id is theirs),
    a group's (None)."""
    chat = update.effective_chat
    return chat.id if chat is not None and chat.type == ChatType.PRIVATE else None


async def alerts_command(update: Update, context: CustomContext) -> None:
    """The chat's alerts with Pause / Resume / Delete buttons: yours in a private chat, the
    group's in a group (in the topic asked in)."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    t = await context.texts(update)
    listing = await alerts.list_alerts(context.deps, chat.id)
    text, markup = alerts_page(t, listing.alerts, 0, _owner(update), listing.zone)
    await message.reply_html(text, reply_markup=markup)


async def _may_press(
    update: Update, context: CustomContext, owner: int | None, theirs: str
) -> bool:
    """A press on alert buttons: in a group by an admin, in a private chat by `owner` (or
    on a button without one); else answered with why (`theirs`: someone else's), False."""
    query = update.callback_query
    assert query is not None
    t = await context.texts(update)
    if _owner(update) is None:  # a group's alerts
        if await may_configure(update, context):
            return True
        await answer(query, admins_only(t), alert=True)
        return False
    presser = query.from_user.id
    if presser != _owner(update) or owner not in (None, presser):  # someone else's
        await answer(query, theirs, alert=True)
        return False
    return True


async def turn_page(update: Update, context: CustomContext) -> None:
    """◀ 🔄 ▶ under /alerts: another page of the chat's alerts in place."""
    query, chat = update.callback_query, update.effective_chat
    pressed = decode(query.data) if query is not None else None
    if query is None or chat is None or not isinstance(pressed, AlertsPage):
        return
    t = await context.texts(update)
    if not await _may_press(update, context, pressed.owner, not_your_list(t)):
        return
    await answer(query)
    listing = await alerts.list_alerts(context.deps, chat.id)
    page = alerts_page(t, listing.alerts, pressed.page, _owner(update), listing.zone)
    await edit(query, *page)


async def alert_button(update: Update, context: CustomContext) -> None:
    """Pause, Resume or Delete under /alerts, a new alert or a fired one: of an alert of the
    chat pressed in, by its person (private) or an admin (group)."""
    query, chat = update.callback_query, update.effective_chat
    pressed = decode(query.data) if query is not None else None
    if query is None or chat is None or not isinstance(pressed, AlertAction):
        return
    t = await context.texts(update)
    theirs = refusal_text(t, Refusal("alert.not_yours"))
    if not await _may_press(update, context, pressed.owner, theirs):
        return
    await answer(query)
    markup = query.message.reply_markup if isinstance(query.message, Message) else None
    page = page_of(markup)
    try:
        done = await alerts.change_alert(
            context.deps, chat.id, pressed.alert_id, pressed.action, listing=page is not None
        )
    except Refusal as refused:  # deleted meanwhile, another chat's (a forged button), the cap
        said = refusal_text(t, refused)
        message = query.message if isinstance(query.message, Message) else None
        topic = message.message_thread_id if chat.is_forum and message else None
        await context.bot.send_message(chat.id, said, parse_mode="HTML", message_thread_id=topic)
        return
    await edit(query, *_after(t, done, markup, page, _owner(update)))


def _after(
    t: Texts,
    done: AlertChange,
    markup: InlineKeyboardMarkup | None,
    page: int | None,
    owner: int | None,
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
