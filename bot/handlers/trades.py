"""/buy, /sell, /undo, /trades, /export and CSV imports: a person's own trade history.

Every change waits for the person's Confirm; listings and exports of trades only ever go to the
person's private chat.
"""

from __future__ import annotations

from typing import Any

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.confirm import Confirmations
from bot.context import CustomContext
from bot.private import deliver_privately
from bot.views.symbols import problems_line
from bot.views.trades import (
    EXPORT_EMPTY,
    NOT_YOUR_PAGE,
    NOTHING_TO_UNDO,
    PAGE,
    SENT_PRIVATELY,
    UNREACHABLE,
    bad_trade,
    cannot_undo,
    export_caption,
    export_filename,
    import_preview,
    imported,
    not_recorded,
    not_undone,
    page_keyboard,
    too_big,
    trade_preview,
    trade_recorded,
    trades_page,
    undo_preview,
    undone,
    unreadable,
)
from core.people import ChatSeen, PersonSeen
from core.periods import BadArgument
from core.portfolio import Side, TradeRejected
from core.trades_csv import CsvUnreadable
from db.portfolio import read_settings
from db.trading import (
    UnknownAsset,
    dump_trades,
    export_csv,
    find_asset,
    last_trade,
    load_trades,
    prepare_trade,
    read_import,
    record_trades,
    trade_page,
    undo_trade,
)

MAX_UPLOAD = 1024 * 1024  # a CSV of some twenty thousand trades


def _seen(update: Update) -> tuple[PersonSeen, ChatSeen]:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None  # a press or a message always has both
    person = PersonSeen(user.id, user.first_name, user.username, user.language_code)
    return person, ChatSeen(chat.id, chat.type, chat.title, chat.username)


async def _timezone(context: CustomContext, user_id: int) -> str:
    async with context.deps.sessions() as session:
        return (await read_settings(session, user_id)).timezone


# ---- on Confirm ------------------------------------------------------------------------------


async def _record(update: Update, context: CustomContext, data: Any) -> str:
    person, chat = _seen(update)
    try:
        recorded = await record_trades(context.deps, person, chat, load_trades(data["trades"]))
    except TradeRejected as why:
        return not_recorded(why.reason)
    if data.get("import"):
        return imported(recorded)
    return trade_recorded(recorded[0], data["timezone"])


async def _undo(update: Update, context: CustomContext, data: Any) -> str:
    person, _ = _seen(update)
    try:
        trade = await undo_trade(context.deps, person.id, data["id"])
    except TradeRejected as why:
        return not_undone(why.reason)  # the ledger changed since the question
    return undone(trade, data["timezone"])


CONFIRM = Confirmations("trade", {"record": _record, "undo": _undo})


# ---- commands --------------------------------------------------------------------------------


async def _trade(update: Update, context: CustomContext, side: Side) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    deps = context.deps
    try:
        prepared = await prepare_trade(deps, user.id, side, context.args or [])
    except UnknownAsset as unknown:
        await message.reply_html(problems_line([unknown.problem], deps.settings.symbols))
        return
    except BadArgument as why:
        await message.reply_html(bad_trade(side, str(why), typing=True))
        return
    except TradeRejected as why:
        await message.reply_html(bad_trade(side, why.reason, typing=False))
        return
    data = {"trades": dump_trades([prepared.trade]), "timezone": prepared.timezone}
    markup = await CONFIRM.ask(deps.cache, user.id, "record", data)
    text = trade_preview(prepared.trade, prepared.at_market, prepared.timezone)
    await message.reply_html(text, reply_markup=markup)


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
    try:
        trade = await last_trade(context.deps, user.id)
    except TradeRejected as why:
        await message.reply_html(cannot_undo(why.reason))
        return
    if trade is None:
        await message.reply_html(NOTHING_TO_UNDO)
        return
    timezone = await _timezone(context, user.id)
    data = {"id": trade.id, "timezone": timezone}
    markup = await CONFIRM.ask(context.deps.cache, user.id, "undo", data, "↩️ Undo it")
    await message.reply_html(undo_preview(trade, timezone), reply_markup=markup)


def _unreachable(context: CustomContext, command: str) -> str:
    return UNREACHABLE.format(bot=context.bot.username, command=command)


async def trades_command(update: Update, context: CustomContext) -> None:
    """Your trade history, newest first, ten to a page: /trades or /trades BTC."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    deps = context.deps
    asset = None
    if context.args:
        try:
            asset = await find_asset(deps, " ".join(context.args))
        except UnknownAsset as unknown:
            await message.reply_html(problems_line([unknown.problem], deps.settings.symbols))
            return
    page = await trade_page(deps, user.id, 0, asset)
    text = trades_page(page.trades, page.page, page.pages, page.total, asset, page.timezone)
    markup = page_keyboard(user.id, page.page, page.pages, asset)

    async def send(chat_id: int) -> Message:
        return await context.bot.send_message(chat_id, text, parse_mode="HTML", reply_markup=markup)

    await deliver_privately(
        update, context, send, sent=SENT_PRIVATELY, unreachable=_unreachable(context, "trades")
    )


async def turn_page(update: Update, context: CustomContext) -> None:
    """◀ ▶ under /trades: another page in place, for its owner only."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    _, owner_text, page_text, asset_text = query.data.split(":")
    owner, asset = int(owner_text), asset_text or None
    if query.from_user.id != owner:
        await query.answer(NOT_YOUR_PAGE, show_alert=True)
        return
    await query.answer()
    page = await trade_page(context.deps, owner, int(page_text), asset)
    text = trades_page(page.trades, page.page, page.pages, page.total, asset, page.timezone)
    markup = page_keyboard(owner, page.page, page.pages, asset)
    try:
        await query.edit_message_text(text, parse_mode="HTML", reply_markup=markup)
    except BadRequest as exc:  # the trades did not change since the last press
        if "not modified" not in exc.message.lower():
            raise


async def export_command(update: Update, context: CustomContext) -> None:
    """Your trades as a CSV file, sent to you privately."""
    user = update.effective_user
    if user is None:
        return
    deps = context.deps
    content = await export_csv(deps, user.id)

    async def send(chat_id: int) -> Message:
        if content is None:
            return await context.bot.send_message(chat_id, EXPORT_EMPTY, parse_mode="HTML")
        return await context.bot.send_document(
            chat_id,
            content.encode(),
            filename=export_filename(deps.clock.now()),
            caption=export_caption(content.count("\n") - 1),
        )

    await deliver_privately(
        update, context, send, sent=SENT_PRIVATELY, unreachable=_unreachable(context, "export")
    )


async def import_document(update: Update, context: CustomContext) -> None:
    """A CSV file sent in a private chat: show what it holds, record it on Confirm."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or message.document is None:
        return
    document = message.document
    name = document.file_name or "the file"
    if (document.file_size or 0) > MAX_UPLOAD:
        await message.reply_html(too_big(document.file_size or 0, MAX_UPLOAD))
        return
    content = bytes(await (await document.get_file()).download_as_bytearray())
    if len(content) > MAX_UPLOAD:
        await message.reply_html(too_big(len(content), MAX_UPLOAD))
        return
    try:
        result = await read_import(context.deps, user.id, content)
    except CsvUnreadable as why:
        await message.reply_html(unreadable(name, str(why)))
        return
    markup = None
    if result.trades:
        timezone = await _timezone(context, user.id)
        data = {"trades": dump_trades(result.trades), "import": True, "timezone": timezone}
        markup = await CONFIRM.ask(context.deps.cache, user.id, "record", data)
    await message.reply_html(import_preview(name, result), reply_markup=markup)


HANDLERS = [
    CommandHandler("buy", buy_command),
    CommandHandler("sell", sell_command),
    CommandHandler("undo", undo_command),
    CommandHandler("trades", trades_command),
    CommandHandler("export", export_command),
    MessageHandler(filters.ChatType.PRIVATE & filters.Document.ALL, import_document),
    CONFIRM.handler(),
    CallbackQueryHandler(turn_page, pattern=rf"^{PAGE}:\d+:\d+:[A-Z0-9]*$"),
]
