"""/watch, /unwatch and /prices: a person's own list of coins."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import CustomContext
from bot.views.symbols import problems_line
from bot.views.watchlist import (
    ASK_WATCH,
    REFRESH,
    prices_table,
    refresh_keyboard,
    unwatch_result,
    watch_result,
)
from core.people import ChatSeen, PersonSeen
from db.watch import unwatch, watch, watched
from services._legacy import exchanges, latest_quotes, resolve_symbols
from services.deps import Deps

LIMIT = 30


def _problems(deps: Deps, request) -> str:
    if not request.problems:
        return ""
    return problems_line(request.problems, deps.settings.symbols, exchanges(deps))


async def watch_command(update: Update, context: CustomContext) -> None:
    """Add coins to your watchlist: /watch BTC ETH."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    if user is None or chat is None or message is None:
        return
    deps = context.deps
    request = await resolve_symbols(deps, context.args or [], limit=LIMIT)
    if not request.symbols:
        await message.reply_html(_problems(deps, request) or ASK_WATCH)
        return
    person = PersonSeen(user.id, user.first_name, user.username, user.language_code)
    outcome = await watch(deps, person, ChatSeen(chat.id, chat.type, chat.title), request.symbols)
    await message.reply_html(watch_result(outcome, _problems(deps, request)))


async def unwatch_command(update: Update, context: CustomContext) -> None:
    """Remove coins from your watchlist: /unwatch BTC, or /unwatch all."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    deps = context.deps
    args = context.args or []
    if [a.lower() for a in args] == ["all"]:
        removed, missing, remaining = await unwatch(deps, user.id, None)
        await message.reply_html(unwatch_result(removed, missing, remaining))
        return
    request = await resolve_symbols(deps, args, limit=LIMIT)
    if not request.symbols:
        ask = "Which coins? Send <code>/unwatch BTC</code>, or <code>/unwatch all</code>."
        await message.reply_html(_problems(deps, request) or ask)
        return
    removed, missing, remaining = await unwatch(deps, user.id, request.symbols)
    await message.reply_html(unwatch_result(removed, missing, remaining, _problems(deps, request)))


async def _table(deps: Deps, user_id: int) -> str:
    symbols = await watched(deps, user_id)
    quotes = await latest_quotes(deps, symbols)
    stale = timedelta(seconds=deps.settings.stale_after)
    return prices_table(symbols, quotes, deps.clock.now(), stale)


async def prices_command(update: Update, context: CustomContext) -> None:
    """Your watchlist's prices in one message, with a refresh button."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    text = await _table(context.deps, user.id)
    markup = refresh_keyboard(user.id) if "<pre>" in text else None
    await message.reply_html(text, reply_markup=markup)


async def refresh_prices(update: Update, context: CustomContext) -> None:
    """The refresh button: update the table in place, for its owner only."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    owner = int(query.data.split(":", 1)[1])
    if query.from_user.id != owner:
        await query.answer(
            "This is someone else's watchlist — send /prices for yours.", show_alert=True
        )
        return
    await query.answer()
    text = await _table(context.deps, owner)
    try:
        await query.edit_message_text(text, parse_mode="HTML", reply_markup=refresh_keyboard(owner))
    except BadRequest as exc:  # pressed twice within one tick: nothing changed
        if "not modified" not in exc.message.lower():
            raise


HANDLERS = [
    CommandHandler("watch", watch_command),
    CommandHandler("unwatch", unwatch_command),
    CommandHandler("prices", prices_command),
    CallbackQueryHandler(refresh_prices, pattern=rf"^{REFRESH}:\d+$"),
]
