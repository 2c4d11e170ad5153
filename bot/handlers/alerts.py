"""/alert and /alerts: setting alerts (typed, or step by step with buttons) and looking after
them with Pause, Resume and Delete buttons — the same buttons a fired alert carries."""

from __future__ import annotations

import contextlib
import warnings
from decimal import Decimal
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update, User
from telegram.error import BadRequest
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.context import CustomContext
from bot.handlers.charts import chart
from bot.private import deliver_privately
from bot.views.alerts import (
    ALERT,
    ANSWERED,
    ASK_COIN,
    CANCELLED,
    CHART,
    FLOW,
    FLOW_GONE,
    NOT_YOUR_FLOW,
    NOT_YOUR_LIST,
    NOT_YOURS,
    PAGE,
    SENT_PRIVATELY,
    TIMED_OUT,
    UNCHANGED,
    UNREACHABLE,
    alert_set,
    alerts_page,
    ask_kind,
    ask_level,
    bad_alert,
    card_keyboard,
    coin_keyboard,
    duplicate,
    kind_keyboard,
    level_keyboard,
    page_of,
    suggestions,
    too_many,
    with_status,
)
from bot.views.symbols import problems_line
from core.people import ChatSeen, PersonSeen
from core.periods import BadArgument
from db.alerts import (
    DuplicateAlert,
    TooManyAlerts,
    UnknownCoin,
    alert_hours,
    current_price,
    delete,
    find_coin,
    get_alert,
    list_alerts,
    pause,
    resume,
    set_alert,
)
from db.watch import watched
from services._legacy import exchanges
from services.deps import Deps

COIN, KIND, LEVEL = range(3)  # the guided flow's steps
FLOW_TIMEOUT = 600.0  # seconds a half-set alert waits for its next answer
ACTIONS = {"pause": pause, "resume": resume, "delete": delete}


# ---- setting one ---------------------------------------------------------------------------------


def _problems(deps: Deps, unknown: UnknownCoin) -> str:
    return problems_line(unknown.problems, deps.settings.symbols, exchanges(deps))


async def _set(
    context: CustomContext, user: User, where: ChatSeen, typed: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The reply to an alert typed after /alert, and the new alert's buttons (None when nothing
    was set and the reply says why)."""
    deps = context.deps
    person = PersonSeen(user.id, user.first_name, user.username, user.language_code)
    try:
        done = await set_alert(deps, person, where, typed)
    except UnknownCoin as unknown:
        return _problems(deps, unknown), None
    except BadArgument as why:
        return bad_alert(str(why)), None
    except DuplicateAlert as same:
        return duplicate(same.alert_id), None
    except TooManyAlerts as full:
        return too_many(full.cap), None
    text = alert_set(done.alert_id, done.spec, done.history, done.zone)
    return text, card_keyboard(done.alert_id)


def _where(update: Update) -> ChatSeen:
    chat = update.effective_chat
    assert chat is not None  # a command or a press always has one
    return ChatSeen(chat.id, chat.type, chat.title, chat.username)


async def alert_command(update: Update, context: CustomContext) -> int:
    """Set an alert as typed: /alert BTC > 70000, /alert ETH -5% 1h, /alert SOL rsi < 30 4h."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return ConversationHandler.END
    text, markup = await _set(context, user, _where(update), " ".join(context.args or []))
    await message.reply_html(text, reply_markup=markup)
    return ConversationHandler.END  # ends a guided /alert the person abandoned for typing


# ---- the guided /alert ---------------------------------------------------------------------------
# per_user and per_chat: one flow per person per chat. The flow's state lives in user_data under
# the chat's id, with the id of the message whose buttons are current; the owner's id rides in
# each button, so nobody else's press (or an old message's) moves the flow.


def _flow(context: CustomContext, chat_id: int) -> dict[str, Any]:
    assert context.user_data is not None
    return context.user_data.setdefault(f"{FLOW}:{chat_id}", {})


async def start_flow(update: Update, context: CustomContext) -> int:
    """/alert alone: which coin? (then what, then which level), with buttons."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    if user is None or chat is None or message is None:
        return ConversationHandler.END
    deps = context.deps
    directory = await deps.current_directory()
    followed = [s for s in deps.settings.symbols if s in directory.tracked]
    followed += [s for s in directory.tracked if s not in followed]
    coins = list(dict.fromkeys([*await watched(deps, user.id), *followed]))  # theirs first
    sent = await message.reply_html(ASK_COIN, reply_markup=coin_keyboard(user.id, coins))
    flow = _flow(context, chat.id)
    flow.clear()
    flow["message_id"] = sent.message_id
    return COIN


async def _pressed(update: Update, context: CustomContext) -> tuple[str, dict[str, Any]] | None:
    """A flow button's value, the press answered; None (answered) if it is not the presser's
    or not on the flow's current message."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    parts = query.data.split(":", 3)
    if int(parts[1]) != query.from_user.id:
        await query.answer(NOT_YOUR_FLOW, show_alert=True)
        return None
    flow = _flow(context, query.message.chat.id)
    if flow.get("message_id") != query.message.message_id:
        await query.answer(FLOW_GONE, show_alert=True)
        return None
    await query.answer()
    return (parts[3] if len(parts) > 3 else ""), flow


async def _ask_kind(update: Update, context: CustomContext, symbol: str) -> int:
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    flow = _flow(context, chat.id)
    flow["symbol"] = symbol
    text = ask_kind(symbol, await current_price(context.deps, symbol))
    markup = kind_keyboard(user.id)
    if query is not None:
        await query.edit_message_text(text, parse_mode="HTML", reply_markup=markup)
    else:
        await _drop_buttons(context, chat.id, flow.get("message_id"))
        assert update.effective_message is not None
        sent = await update.effective_message.reply_html(text, reply_markup=markup)
        flow["message_id"] = sent.message_id
    return KIND


async def pick_coin(update: Update, context: CustomContext) -> int | None:
    """A coin button."""
    pressed = await _pressed(update, context)
    if pressed is None:
        return None
    try:
        symbol = await find_coin(context.deps, pressed[0])
    except UnknownCoin as unknown:  # no longer listed since the button was made
        assert update.effective_message is not None
        await update.effective_message.reply_html(_problems(context.deps, unknown))
        return None
    return await _ask_kind(update, context, symbol)


async def type_coin(update: Update, context: CustomContext) -> int | None:
    """A coin typed instead of pressed."""
    message = update.effective_message
    assert message is not None and message.text is not None
    try:
        symbol = await find_coin(context.deps, message.text.strip())
    except UnknownCoin as unknown:
        await message.reply_html(_problems(context.deps, unknown))
        return None
    return await _ask_kind(update, context, symbol)


async def pick_kind(update: Update, context: CustomContext) -> int | None:
    """Price above / below, % move, RSI or volume: offer levels for it."""
    pressed = await _pressed(update, context)
    if pressed is None:
        return None
    kind, flow = pressed
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    flow["kind"] = kind
    offered = suggestions(kind, await current_price(context.deps, flow["symbol"]))
    await query.edit_message_text(
        ask_level(flow["symbol"], kind, bool(offered)),
        parse_mode="HTML",
        reply_markup=level_keyboard(user.id, offered),
    )
    return LEVEL


def typed_words(kind: str, typed: str) -> str:
    """A bare number typed at the level step, as the grammar wants it for that kind."""
    typed = typed.strip()
    if not typed[:1].isdigit():
        return typed  # something in the grammar's own words: "< 65000 every 1h"
    number = typed.removesuffix("%")
    if kind == "above":
        return f"> {typed}"
    if kind == "below":
        return f"< {typed}"
    if kind == "move":
        return f"±{number}% 24h"
    if kind == "rsi":
        side = "<" if _below_half(number) else ">"
        return f"rsi {side} {number}"
    return f"volume x{typed.lstrip('xX×')}"


def _below_half(number: str) -> bool:
    try:
        return Decimal(number) < 50
    except ArithmeticError:
        return True  # the grammar says what is wrong with it


async def _finish(update: Update, context: CustomContext, words: str) -> int | None:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None and update.effective_message is not None
    flow = _flow(context, chat.id)
    text, markup = await _set(context, user, _where(update), f"{flow['symbol']} {words}")
    query = update.callback_query
    if markup is None:  # refused: say why, and let them pick or type another level
        await update.effective_message.reply_html(text)
        return None
    if query is not None:
        await query.edit_message_text(text, parse_mode="HTML", reply_markup=markup)
    else:
        await _drop_buttons(context, chat.id, flow.get("message_id"))
        await update.effective_message.reply_html(text, reply_markup=markup)
    flow.clear()
    return ConversationHandler.END


async def pick_level(update: Update, context: CustomContext) -> int | None:
    """A suggested level: set the alert."""
    pressed = await _pressed(update, context)
    if pressed is None:
        return None
    return await _finish(update, context, pressed[0])


async def type_level(update: Update, context: CustomContext) -> int | None:
    """A level typed instead of pressed: set the alert."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and message.text is not None and chat is not None
    kind = _flow(context, chat.id).get("kind", "above")
    return await _finish(update, context, typed_words(kind, message.text))


async def cancel(update: Update, context: CustomContext) -> int | None:
    """/cancel or ✖️ Cancel: stop the guided flow, nothing set."""
    chat, message = update.effective_chat, update.effective_message
    assert chat is not None and message is not None
    if update.callback_query is not None:
        if await _pressed(update, context) is None:
            return None
        await update.callback_query.edit_message_text(CANCELLED)
    else:
        await _drop_buttons(context, chat.id, _flow(context, chat.id).get("message_id"))
        await message.reply_html(CANCELLED)
    _flow(context, chat.id).clear()
    return ConversationHandler.END


async def timed_out(update: object, context: CustomContext) -> None:
    """The flow waited FLOW_TIMEOUT for an answer: say so on its message."""
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    chat_id = update.effective_chat.id
    message_id = _flow(context, chat_id).get("message_id")
    _flow(context, chat_id).clear()
    if message_id is not None:
        with contextlib.suppress(BadRequest):  # deleted meanwhile: nothing to say it on
            await context.bot.edit_message_text(TIMED_OUT, chat_id, message_id)


async def stray_flow_button(update: Update, context: CustomContext) -> None:
    """A flow button pressed outside a flow of the presser's: someone else's, or an old one."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    if int(query.data.split(":")[1]) != query.from_user.id:
        await query.answer(NOT_YOUR_FLOW, show_alert=True)
        return
    await query.answer(FLOW_GONE, show_alert=True)
    await _drop_buttons(context, query.message.chat.id if query.message else None, None, query)


async def _drop_buttons(
    context: CustomContext, chat_id: int | None, message_id: int | None, query: Any = None
) -> None:
    """Take the buttons off a flow message that is no longer current."""
    try:
        if query is not None:
            await query.edit_message_reply_markup(None)
        elif chat_id is not None and message_id is not None:
            await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    except BadRequest as exc:  # already gone
        if "not modified" not in exc.message.lower():
            raise


_FLOW_BUTTON = rf"^{FLOW}:\d+"
_TEXT = filters.TEXT & ~filters.COMMAND


def guided() -> ConversationHandler:
    """The guided /alert, declared in one place."""
    # PTB warns that with per_message=False a CallbackQueryHandler is matched per chat and user,
    # not per message: what is wanted here, with the message checked in `_pressed`.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            entry_points=[CommandHandler("alert", start_flow, has_args=False)],
            states={
                COIN: [
                    CallbackQueryHandler(pick_coin, pattern=rf"{_FLOW_BUTTON}:coin:[A-Z0-9]+$"),
                    MessageHandler(_TEXT, type_coin),
                ],
                KIND: [CallbackQueryHandler(pick_kind, pattern=rf"{_FLOW_BUTTON}:kind:[a-z]+$")],
                LEVEL: [
                    CallbackQueryHandler(pick_level, pattern=rf"{_FLOW_BUTTON}:go:"),
                    MessageHandler(_TEXT, type_level),
                ],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
            },
            fallbacks=[
                CommandHandler("cancel", cancel),
                CallbackQueryHandler(cancel, pattern=rf"{_FLOW_BUTTON}:cancel$"),
                CommandHandler("alert", alert_command, has_args=True),
            ],
            allow_reentry=True,
            per_chat=True,
            per_user=True,
            conversation_timeout=FLOW_TIMEOUT,
            name="guided_alert",
        )


# ---- /alerts and the alert buttons ---------------------------------------------------------------


async def _page(deps: Deps, owner: int, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    alerts = await list_alerts(deps, owner)
    zone = (await alert_hours(deps, owner)).timezone
    return alerts_page(alerts, page, owner, zone)


async def alerts_command(update: Update, context: CustomContext) -> None:
    """Your alerts with Pause / Resume / Delete buttons, sent privately from a group."""
    user = update.effective_user
    if user is None:
        return
    text, markup = await _page(context.deps, user.id, 0)

    async def send(chat_id: int) -> Message:
        return await context.bot.send_message(chat_id, text, parse_mode="HTML", reply_markup=markup)

    unreachable = UNREACHABLE.format(bot=context.bot.username)
    await deliver_privately(update, context, send, sent=SENT_PRIVATELY, unreachable=unreachable)


async def _edit(query: Any, text: str | None, markup: InlineKeyboardMarkup | None) -> None:
    try:
        if text is None:
            await query.edit_message_reply_markup(markup)
        else:
            await query.edit_message_text(text, parse_mode="HTML", reply_markup=markup)
    except BadRequest as exc:  # pressed twice: nothing changed
        if "not modified" not in exc.message.lower():
            raise


async def turn_page(update: Update, context: CustomContext) -> None:
    """◀ 🔄 ▶ under /alerts: another page in place, for its owner only."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    _, owner, page = query.data.split(":")
    if query.from_user.id != int(owner):
        await query.answer(NOT_YOUR_LIST, show_alert=True)
        return
    await query.answer()
    await _edit(query, *await _page(context.deps, int(owner), int(page)))


async def alert_button(update: Update, context: CustomContext) -> None:
    """Pause, Resume or Delete under /alerts, a new alert or a fired one: its owner's only."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    _, action, alert_id = query.data.split(":")
    deps, owner = context.deps, query.from_user.id
    if await get_alert(deps, owner, int(alert_id)) is None:
        await query.answer(NOT_YOURS, show_alert=True)
        return
    try:
        changed = await ACTIONS[action](deps, owner, int(alert_id))
    except TooManyAlerts as full:
        await query.answer(too_many(full.cap), show_alert=True)  # plain text, no HTML
        return
    await query.answer(ANSWERED[action] if changed else UNCHANGED[action])
    markup = query.message.reply_markup if isinstance(query.message, Message) else None
    page = page_of(markup)
    if page is not None:  # a page of /alerts: show it as it now is
        await _edit(query, *await _page(deps, owner, page))
        return
    now = await get_alert(deps, owner, int(alert_id))
    await _edit(query, None, with_status(markup, int(alert_id), now.status if now else "deleted"))


async def chart_button(update: Update, context: CustomContext) -> None:
    """📈 Chart under a fired alert: the /chart picture of its coin, in that chat."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    await query.answer()
    context.args = [query.data.split(":", 1)[1]]
    await chart(update, context)


def handlers() -> list[BaseHandler[Update, CustomContext, Any]]:
    """New ones for each Application: the guided flow's ConversationHandler holds the state of
    its conversations, which must not leak from one Application into another."""
    return [
        guided(),
        CallbackQueryHandler(stray_flow_button, pattern=_FLOW_BUTTON),
        CommandHandler("alert", alert_command, has_args=True),
        CommandHandler("alerts", alerts_command),
        CallbackQueryHandler(turn_page, pattern=rf"^{PAGE}:\d+:\d+$"),
        CallbackQueryHandler(alert_button, pattern=rf"^{ALERT}:(pause|resume|delete):\d+$"),
        CallbackQueryHandler(chart_button, pattern=rf"^{CHART}:[A-Z0-9]+$"),
    ]
