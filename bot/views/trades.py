"""/buy, /sell, /undo, /trades, /export and CSV imports. Pure: values in, HTML and keyboards out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.views.common import MAX_MESSAGE, clip, e, fit, telegram_length
from core.formatting import format_price
from core.portfolio import Trade, format_quantity
from core.trades_csv import ImportResult

PAGE = "trades"  # callback data: trades:<owner>:<page>:<symbol or empty>
EXAMPLE = "<code>/{side} BTC 0.5 @ 64000 fee 5 on 2024-03-01</code>"
NO_TRADES = "You have no trades yet — record one with <code>/buy BTC 0.5 @ 64000</code>."
NOTHING_TO_UNDO = "You have no trades to undo."
EXPORT_EMPTY = (
    "You have no trades to export yet — record one with <code>/buy BTC 0.5 @ 64000</code>."
)
SENT_PRIVATELY = "Your trades are private: I've sent them to you in our private chat."
UNREACHABLE = (
    "Your trades are private, and I can't write to you first: open a private chat with "
    "@{bot}, press Start, then send /{command} there."
)
NOT_YOUR_PAGE = "These are someone else's trades — send /trades for yours."
_PAST = {"buy": "Bought", "sell": "Sold"}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def moment(when: datetime, timezone: str = "UTC") -> str:
    """2024-03-01 12:00 UTC, or in the person's zone: 2024-03-01 13:00 Europe/Berlin."""
    local = when.astimezone(UTC if timezone == "UTC" else ZoneInfo(timezone))
    return f"{local:%Y-%m-%d %H:%M} {e(timezone)}"


def total(trade: Trade) -> Decimal:
    """What a buy cost or a sell brought in, fee included."""
    gross = trade.quantity * trade.price
    return gross + trade.fee if trade.side == "buy" else gross - trade.fee


def _amounts(trade: Trade) -> str:
    """0.5 BTC at 64,000.00 USD"""
    price = format_price(trade.price)
    return f"{e(format_quantity(trade.quantity, trade.asset))} at {price} {e(trade.quote)}"


def trade_line(trade: Trade, timezone: str = "UTC") -> str:
    """One trade on one line: 2024-03-01 12:00 UTC · buy 0.5 BTC at 64,000.00 USD · fee 5.00 USD"""
    fee = f" · fee {e(format_quantity(trade.fee, trade.quote))}" if trade.fee else ""
    return f"{moment(trade.executed_at, timezone)} · {trade.side} {_amounts(trade)}{fee}"


def trade_preview(trade: Trade, at_market: bool, timezone: str = "UTC") -> str:
    """What Confirm would record, with its total."""
    market = " (the market price now)" if at_market else ""
    lines = [
        f"<b>Record this {trade.side}?</b>",
        f"{_capital(_amounts(trade))}{market}",
        f"Fee: {e(format_quantity(trade.fee, trade.quote))}",
        f"Total: <b>{e(format_quantity(total(trade), trade.quote))}</b>",
        f"Date: {moment(trade.executed_at, timezone)}",
    ]
    return "\n".join(lines)


def trade_recorded(trade: Trade, timezone: str = "UTC") -> str:
    return (
        f"✅ {_PAST[trade.side]} {_amounts(trade)} on {moment(trade.executed_at, timezone)} — "
        f"total {e(format_quantity(total(trade), trade.quote))}. Recorded."
    )


def not_recorded(reason: str) -> str:
    return f"Not recorded: {e(reason)}."


def not_undone(reason: str) -> str:
    return f"Not undone: {e(reason)}."


def bad_trade(side: str, reason: str, *, typing: bool) -> str:
    """One line: what was wrong, and (for what was typed) what would work."""
    line = f"Can't record that {side}: {e(reason)}."
    if not typing or "/" in reason:  # the reason already says what would work
        return line
    return f"{line} Try {EXAMPLE.format(side=side)}."


def undo_preview(trade: Trade, timezone: str = "UTC") -> str:
    return f"<b>Undo your last trade?</b>\n{trade_line(trade, timezone)}"


def undone(trade: Trade, timezone: str = "UTC") -> str:
    return f"↩️ Removed: {trade_line(trade, timezone)}."


def cannot_undo(reason: str) -> str:
    return f"Can't undo your last trade: a later sell depends on it — without it, {e(reason)}."


def trades_page(
    trades: Sequence[Trade],
    page: int,
    pages: int,
    count: int,
    asset: str | None = None,
    timezone: str = "UTC",
) -> str:
    """One page of trades, newest first."""
    if not count:
        if asset:
            return f"You have no {e(asset)} trades — see all yours with /trades."
        return NO_TRADES
    which = f"Your {e(asset)} trades" if asset else "Your trades"
    plural = "trade" if count == 1 else "trades"
    head = f"<b>{which}</b> · {count} {plural}, newest first · page {page + 1} of {pages}"
    return fit("\n".join([head, *(trade_line(t, timezone) for t in trades)]))


def page_keyboard(
    owner: int, page: int, pages: int, asset: str | None = None
) -> InlineKeyboardMarkup | None:
    if pages <= 1:
        return None
    data = f"{PAGE}:{owner}:{{}}:{asset or ''}"
    buttons = []
    if page > 0:
        buttons.append(InlineKeyboardButton("◀ Newer", callback_data=data.format(page - 1)))
    if page < pages - 1:
        buttons.append(InlineKeyboardButton("Older ▶", callback_data=data.format(page + 1)))
    return InlineKeyboardMarkup([buttons])


def export_caption(count: int) -> str:
    plural = "trade" if count == 1 else "trades"
    return f"Your {count} {plural} as CSV. Send this file back to me to import it again."


def export_filename(today: datetime) -> str:
    return f"pythia-trades-{today:%Y-%m-%d}.csv"


def too_big(size: int, limit: int) -> str:
    return (
        f"That file is {size / 1024 / 1024:.1f} MB; I import CSV files up to "
        f"{limit // 1024 // 1024} MB — split it and send the parts."
    )


def unreadable(filename: str, reason: str) -> str:
    return f"I couldn't read trades from {e(clip(filename, 40))}: {e(reason)}."


def import_preview(filename: str, result: ImportResult) -> str:
    """How many trades the file holds, and each line refused, as many as fit."""
    found, refused = len(result.trades), len(result.refused)
    name = e(clip(filename, 40))
    if found:
        plural = "trade" if found == 1 else "trades"
        head = f"<b>{name}</b>: {found} {plural} to record"
    else:
        head = f"<b>{name}</b>: nothing I can record"
    if refused:
        head += f", {refused} line{'s' if refused != 1 else ''} refused:"
    else:
        head += "."
    ask = f"Record the {found} {plural}? All of them or none." if found else ""
    room = MAX_MESSAGE - telegram_length(head) - telegram_length(ask) - 60
    lines = [head]
    for shown, (number, text, reason) in enumerate(result.refused):
        line = f"Line {number}: <code>{e(clip(text, 64))}</code> — {e(clip(reason, 160))}"
        room -= telegram_length(line) + 1
        if room < 0:
            lines.append(f"…and {refused - shown} more lines refused.")
            break
        lines.append(line)
    if ask:
        lines.append(ask)
    return "\n".join(lines)


def imported(trades: Sequence[Trade]) -> str:
    plural = "trade" if len(trades) == 1 else "trades"
    return f"✅ Recorded {len(trades)} {plural} from the file. See them with /trades."
