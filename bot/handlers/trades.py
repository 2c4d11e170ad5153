"""/buy, /sell, /undo, /trades, /export and CSV imports: a person's own trade history.

Every change waits for the person's Confirm (bot/confirm.py); listings and exports of trades
only ever go to the person's private chat.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import ChatAction, ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import confirm
from bot.callbacks import TradesPage, matches
from bot.context import CustomContext
from bot.handlers.common import NEW, ChangingCommand, answer, edit, owners_press
from bot.i18n import Texts
from bot.private import Send, deliver_privately
from bot.side_calls import chat_action
from bot.views.imports import (
    export_caption,
    export_filename,
    import_preview,
    nothing_to_export,
    too_big,
    unreadable,
)
from bot.views.refusals import refusal_text
from bot.views.trades import (
    cannot_reach,
    confirm_keyboard,
    not_your_trades,
    nothing_to_undo,
    page_keyboard,
    sent_privately,
    trade_preview,
    trade_refused,
    trades_page,
    undo_preview,
)
from core.portfolio import Side
from core.refusal import Refusal
from core.trades_csv import CsvUnreadable
from services import imports, trades

MAX_UPLOAD = 1024 * 1024  # a CSV of some twenty thousand trades


async def _privately(
    update: Update, context: CustomContext, t: Texts, send: Send, command: str
) -> None:
    unreachable = cannot_reach(t, context.bot.username, command)
    await deliver_privately(update, context, send, sent=sent_privately(t), unreachable=unreachable)


async def _trade(update: Update, context: CustomContext, side: Side) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    t = await context.texts(update)
    args, comma = context.args or [], t.decimal_comma
    try:
        asked = await trades.prepare_trade(context.deps, user.id, side, args, decimal_comma=comma)
    except Refusal as refused:
        await message.reply_html(trade_refused(t, side, refused))
        return
    text = trade_preview(t, asked.trade, asked.at_market, asked.zone)
    await message.reply_html(text, reply_markup=confirm_keyboard(t, asked.token, user.id))


async def buy_command(update: Update, context: CustomContext) -> None:
    """Record a buy after a Confirm: /buy BTC 0.5 @ 64000 fee 5 on 2024-03-01."""
    await _trade(update, context, "buy")


async def sell_command(update: Update, context: CustomContext) -> None:
    """Record a sell after a Confirm: /sell ETH 2 @ 3500."""
    await _trade(update, context, "sell")


async def undo_command(update: Update, context: CustomContext) -> None:
    """Remove your last recorded trade, after a Confirm."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    t = await context.texts(update)
    try:
        asked = await trades.prepare_undo(context.deps, user.id)
    except Refusal as refused:
        await message.reply_html(refusal_text(t, refused))
        return
    if asked is None:
        await message.reply_html(nothing_to_undo(t))
        return
    markup = confirm_keyboard(t, asked.token, user.id, undo=True)
    await message.reply_html(undo_preview(t, asked.trade, asked.zone), reply_markup=markup)


async def trades_command(update: Update, context: CustomContext) -> None:
    """Your trade history, newest first, ten to a page: /trades or /trades BTC."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    t = await context.texts(update)
    try:
        coin = " ".join(context.args or []) or None
        page = await trades.trade_page(context.deps, user.id, 0, coin)
    except Refusal as refused:
        await message.reply_html(refusal_text(t, refused))
        return
    text, markup = trades_page(t, page), page_keyboard(t, user.id, page)

    async def send(chat_id: int) -> Message:
        return await context.bot.send_message(
            chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
        )

    await _privately(update, context, t, send, "trades")


async def turn_page(update: Update, context: CustomContext) -> None:
    """◀ ▶ under /trades: another page in place, for its owner only."""
    press = await owners_press(update, context, TradesPage, not_your_trades)
    if press is None:
        return
    query, pressed = press
    await answer(query)
    t = await context.texts(update)
    try:
        page = await trades.trade_page(context.deps, pressed.owner, pressed.page, pressed.asset)
    except Refusal:
        return  # a coin no longer known: the page stays as it was
    await edit(query, trades_page(t, page), page_keyboard(t, pressed.owner, page))


async def export_command(update: Update, context: CustomContext) -> None:
    """Your trades as a CSV file, sent to you privately."""
    if update.effective_user is None:
        return
    t = await context.texts(update)
    exported = await imports.export(context.deps, update.effective_user.id)

    async def send(chat_id: int) -> Message:
        if exported is None:
            return await context.bot.send_message(
                chat_id, nothing_to_export(t), parse_mode=ParseMode.HTML
            )
        content, name = exported.csv.encode(), export_filename(exported.at)
        caption = export_caption(t, exported.count)
        await chat_action(context.bot, chat_id, ChatAction.UPLOAD_DOCUMENT)
        return await context.bot.send_document(chat_id, content, filename=name, caption=caption)

    await _privately(update, context, t, send, "export")


async def _download(message: Message, t: Texts) -> bytes | None:
    """The document's bytes, or None after saying it is too big to import."""
    document = message.document
    assert document is not None  # the handler's filter
    size = document.file_size or 0
    if size <= MAX_UPLOAD:
        content = bytes(await (await document.get_file()).download_as_bytearray())
        if len(content) <= MAX_UPLOAD:
            return content
        size = len(content)
    await message.reply_html(too_big(t, size, MAX_UPLOAD))
    return None


async def import_document(update: Update, context: CustomContext) -> None:
    """A CSV file sent in a private chat: show what it holds, record it on Confirm."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or message.document is None:
        return
    t = await context.texts(update)
    content = await _download(message, t)
    if content is None:
        return
    name = message.document.file_name or "?"
    try:
        asked = await imports.read_import(context.deps, user.id, content)
    except CsvUnreadable as why:
        await message.reply_html(unreadable(t, name, why))
        return
    except Refusal as refused:
        await message.reply_html(refusal_text(t, refused))
        return
    markup = confirm_keyboard(t, asked.token, user.id) if asked.token else None
    await message.reply_html(import_preview(t, name, asked.result), reply_markup=markup)


HANDLERS = [
    ChangingCommand("buy", buy_command),
    ChangingCommand("sell", sell_command),
    ChangingCommand("undo", undo_command),
    CommandHandler("trades", trades_command),
    CommandHandler("export", export_command),
    MessageHandler(NEW & filters.ChatType.PRIVATE & filters.Document.ALL, import_document),
    confirm.HANDLER,
    CallbackQueryHandler(turn_page, pattern=matches(TradesPage)),
]
