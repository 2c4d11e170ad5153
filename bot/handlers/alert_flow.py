"""The guided /alert: which coin, what kind of alert, which level — with buttons, or typed —
and the reply that sets an alert, shared with /alert typed in one line.

In a group only its admins set alerts (they post to the group); a member hears one line saying
where to set their own, and no flow starts.

per_user and per_chat: one flow per person per chat. The flow's state lives in user_data under
the chat's id, with the id of the message whose buttons are current; the owner's id rides in
each button, so nobody else's press (or an old message's) moves the flow.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.callbacks import FlowButton, decode
from bot.context import CustomContext
from bot.groups import may_configure, place_of, posted_as_the_group
from bot.handlers.common import NEW, ChangingCommand, answer, edit, person_and_chat
from bot.i18n import Texts
from bot.side_calls import best_effort
from bot.views import alert_refusals as _registers_refusals  # noqa: F401
from bot.views.alert_flow import (
    ask_coin,
    ask_kind,
    ask_level,
    cancelled,
    coin_keyboard,
    flow_gone,
    kind_keyboard,
    level_keyboard,
    not_your_flow,
    timed_out,
)
from bot.views.alerts import (
    alert_set,
    anonymous_flow,
    card_keyboard,
    members_refused,
    see_help,
)
from bot.views.refusals import refusal_text
from core.alerts.flow import KINDS, offers, typed_words
from core.refusal import BadArgument, Refusal
from services import alerts
from services.alerts import FlowCoin

COIN, KIND, LEVEL = range(3)  # the guided flow's steps
FLOW_TIMEOUT = 600.0  # seconds a half-set alert waits for its next answer
FLOW = "alertflow"  # user_data key prefix, per chat
Handler = Callable[[Update, CustomContext], Coroutine[Any, Any, object]]


async def set_reply(
    update: Update, context: CustomContext, t: Texts, typed: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The reply to an alert typed (or finished step by step): the new alert and its buttons,
    or why nothing was set (no buttons then): in a group, only an admin sets one."""
    person, chat = person_and_chat(update)
    deps = context.deps
    if not await may_configure(update, context):
        return members_refused(t, context.bot.username), None
    try:
        topic = place.thread_id if (place := place_of(update)) is not None else None
        done = await alerts.set_alert(
            deps, person, chat, typed, decimal_comma=t.decimal_comma, thread_id=topic
        )
    except Refusal as refused:
        text = refusal_text(t, refused)
        if isinstance(refused, BadArgument) and refused.code != "alert.unknown_coin":
            text += " " + see_help(t)  # what was typed did not read as an alert
        return text, None
    owner = person.id if chat.id == person.id else None  # a group's: its admins press them
    return alert_set(t, done), card_keyboard(t, done.alert_id, owner=owner)


def _flow(context: CustomContext, chat_id: int) -> dict[str, Any]:
    assert context.user_data is not None
    return context.user_data.setdefault(f"{FLOW}:{chat_id}", {})


async def start_flow(update: Update, context: CustomContext) -> int:
    """/alert alone: which coin? (then what, then which level), with buttons."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    if user is None or chat is None or message is None:
        return ConversationHandler.END
    t = await context.texts(update)
    if not await may_configure(update, context):
        await message.reply_html(members_refused(t, context.bot.username))
        return ConversationHandler.END
    if posted_as_the_group(update):  # whoever presses its buttons is not "the group"
        await message.reply_html(anonymous_flow(t))
        return ConversationHandler.END
    coins = await alerts.flow_coins(context.deps, user.id)
    sent = await message.reply_html(ask_coin(t), reply_markup=coin_keyboard(t, user.id, coins))
    flow = _flow(context, chat.id)
    flow.clear()
    flow["message_id"] = sent.message_id
    return COIN


async def _pressed(update: Update, context: CustomContext) -> tuple[FlowButton, dict] | None:
    """The flow button pressed and the flow, the press answered; None (answered with why) if
    it is not the presser's or not on the flow's current message."""
    query = update.callback_query
    assert query is not None and query.message is not None
    pressed, t = decode(query.data), await context.texts(update)
    if not isinstance(pressed, FlowButton) or pressed.owner != query.from_user.id:
        await answer(query, not_your_flow(t), alert=True)
        return None
    flow = _flow(context, query.message.chat.id)
    if flow.get("message_id") != query.message.message_id:
        await answer(query, flow_gone(t), alert=True)
        return None
    await answer(query)
    return pressed, flow


async def _ask_kind(update: Update, context: CustomContext, coin: FlowCoin) -> int:
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    assert user is not None and chat is not None and update.effective_message is not None
    t, flow = await context.texts(update), _flow(context, chat.id)
    flow["symbol"] = coin.symbol
    text, markup = ask_kind(t, coin.symbol, coin.price), kind_keyboard(t, user.id)
    if query is not None:
        await edit(query, text, markup)
        return KIND
    await _drop_buttons(context, chat.id, flow.get("message_id"))
    sent = await update.effective_message.reply_html(text, reply_markup=markup)
    flow["message_id"] = sent.message_id
    return KIND


async def _coin(update: Update, context: CustomContext, typed: str) -> int | None:
    try:
        coin = await alerts.flow_coin(context.deps, typed)
    except Refusal as refused:  # not a coin, or no longer listed since the button was made
        assert update.effective_message is not None
        t = await context.texts(update)
        await update.effective_message.reply_html(refusal_text(t, refused))
        return None
    return await _ask_kind(update, context, coin)


async def pick_coin(update: Update, context: CustomContext) -> int | None:
    """A coin button."""
    pressed = await _pressed(update, context)
    return None if pressed is None else await _coin(update, context, pressed[0].value or "")


async def type_coin(update: Update, context: CustomContext) -> int | None:
    """A coin typed instead of pressed."""
    message = update.effective_message
    assert message is not None and message.text is not None
    return await _coin(update, context, message.text.strip())


async def pick_kind(update: Update, context: CustomContext) -> int | None:
    """Price above / below, % move, RSI or volume: offer levels for it."""
    pressed = await _pressed(update, context)
    if pressed is None or update.callback_query is None:
        return None
    button, flow = pressed
    flow["kind"] = kind = button.value or KINDS[0]
    t = await context.texts(update)
    offered = offers(kind, await alerts.current_price(context.deps, flow["symbol"]))
    text = ask_level(t, flow["symbol"], kind, bool(offered))
    await edit(update.callback_query, text, level_keyboard(t, button.owner, offered))
    return LEVEL


async def _finish(update: Update, context: CustomContext, words: str) -> int | None:
    chat, message = update.effective_chat, update.effective_message
    assert chat is not None and message is not None
    t, flow = await context.texts(update), _flow(context, chat.id)
    text, markup = await set_reply(update, context, t, f"{flow['symbol']} {words}")
    if markup is None:  # refused: say why, and let them pick or type another level
        await message.reply_html(text)
        return None
    if update.callback_query is not None:
        await edit(update.callback_query, text, markup)
    else:
        await _drop_buttons(context, chat.id, flow.get("message_id"))
        await message.reply_html(text, reply_markup=markup)
    flow.clear()
    return ConversationHandler.END


async def pick_level(update: Update, context: CustomContext) -> int | None:
    """A suggested level: set the alert."""
    pressed = await _pressed(update, context)
    return None if pressed is None else await _finish(update, context, pressed[0].value or "")


async def type_level(update: Update, context: CustomContext) -> int | None:
    """A level typed instead of pressed: set the alert."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and message.text is not None and chat is not None
    t = await context.texts(update)
    kind = _flow(context, chat.id).get("kind", KINDS[0])
    words = typed_words(kind, message.text, decimal_comma=t.decimal_comma)
    return await _finish(update, context, words)


async def cancel(update: Update, context: CustomContext) -> int | None:
    """/cancel or ✖️ Cancel: stop the guided flow, nothing set."""
    chat, message = update.effective_chat, update.effective_message
    assert chat is not None and message is not None
    t = await context.texts(update)
    if update.callback_query is not None:
        if await _pressed(update, context) is None:
            return None
        await edit(update.callback_query, cancelled(t), None)
    else:
        await _drop_buttons(context, chat.id, _flow(context, chat.id).get("message_id"))
        await message.reply_html(cancelled(t))
    _flow(context, chat.id).clear()
    return ConversationHandler.END


async def flow_timed_out(update: object, context: CustomContext) -> None:
    """The flow waited FLOW_TIMEOUT for an answer: say so on its message."""
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    chat_id = update.effective_chat.id
    message_id = _flow(context, chat_id).get("message_id")
    _flow(context, chat_id).clear()
    if message_id is not None:
        t = await context.texts(update)
        said = context.bot.edit_message_text(timed_out(t), chat_id, message_id)
        await best_effort(said, chat_id)  # deleted meanwhile: nothing to say it on


async def stray_flow_button(update: Update, context: CustomContext) -> None:
    """A flow button pressed outside a flow of the presser's: someone else's, or an old one."""
    query = update.callback_query
    pressed = decode(query.data) if query is not None else None
    if query is None or not isinstance(pressed, FlowButton):
        return
    t = await context.texts(update)
    if pressed.owner != query.from_user.id:
        await answer(query, not_your_flow(t), alert=True)
        return
    await answer(query, flow_gone(t), alert=True)
    await best_effort(edit(query, None, None), query.id)  # its buttons go: best effort


async def _drop_buttons(context: CustomContext, chat_id: int, message_id: int | None) -> None:
    """Take the buttons off a flow message that is no longer current."""
    if message_id is None:
        return
    dropped = context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    await best_effort(dropped, chat_id)


def _step(step: str) -> Callable[[object], bool]:
    """A flow button of `step` (with a value where the step needs one)."""

    def pattern(data: object) -> bool:
        pressed = decode(data)
        if not isinstance(pressed, FlowButton) or pressed.step != step:
            return False
        return (
            step == "cancel" or (step != "kind" and bool(pressed.value)) or pressed.value in KINDS
        )

    return pattern


_TEXT = NEW & filters.TEXT & ~filters.COMMAND  # an edited answer is not a new one


def guided(typed_alert: Handler) -> ConversationHandler:
    """The guided /alert, declared in one place; `typed_alert` (an /alert with arguments) ends
    a flow the person abandoned for typing."""
    # PTB warns that with per_message=False a CallbackQueryHandler is matched per chat and user,
    # not per message: what is wanted here, with the message checked in `_pressed`.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            entry_points=[ChangingCommand("alert", start_flow, has_args=False)],
            states={
                COIN: [
                    CallbackQueryHandler(pick_coin, pattern=_step("coin")),
                    MessageHandler(_TEXT, type_coin),
                ],
                KIND: [CallbackQueryHandler(pick_kind, pattern=_step("kind"))],
                LEVEL: [
                    CallbackQueryHandler(pick_level, pattern=_step("go")),
                    MessageHandler(_TEXT, type_level),
                ],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, flow_timed_out)],
            },
            fallbacks=[
                ChangingCommand("cancel", cancel),
                CallbackQueryHandler(cancel, pattern=_step("cancel")),
                ChangingCommand("alert", typed_alert, has_args=True),
            ],
            allow_reentry=True,
            per_chat=True,
            per_user=True,
            conversation_timeout=FLOW_TIMEOUT,
            name="guided_alert",
        )
