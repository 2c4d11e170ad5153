"""/watch, /unwatch and /prices. Pure: values in, HTML and keyboards out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.views.common import e, fit
from core.formatting import format_age, format_pct, format_price
from core.market import PriceQuote
from db.repos.watchlist import MAX_WATCHED
from db.watch import WatchOutcome

ASK_WATCH = "Which coins? Send <code>/watch BTC ETH SOL</code>."
EMPTY = "Your watchlist is empty — add coins with <code>/watch BTC ETH SOL</code>."
REFRESH = "prices"


def _list(symbols: Sequence[str]) -> str:
    return ", ".join(e(s) for s in symbols)


def watch_result(outcome: WatchOutcome, problems: str = "") -> str:
    if outcome.over_limit:
        return (
            f"A watchlist holds at most {MAX_WATCHED} coins and yours has "
            f"{len(outcome.watching)}; remove some with <code>/unwatch</code> first."
        )
    lines = []
    if outcome.added:
        lines.append(f"Watching {_list(outcome.added)}.")
    if outcome.already:
        lines.append(f"Already on your list: {_list(outcome.already)}.")
    if problems:
        lines.append(problems)
    if outcome.watching:
        lines.append(f"Your list: {_list(outcome.watching)} — see their prices with /prices.")
    return " ".join(lines)


def unwatch_result(
    removed: Sequence[str], missing: Sequence[str], remaining: Sequence[str], problems: str = ""
) -> str:
    lines = []
    if removed:
        lines.append(f"Removed {_list(removed)}.")
    if missing:
        verb = "isn't" if len(missing) == 1 else "aren't"
        lines.append(f"{_list(missing)} {verb} on your watchlist.")
    if problems:
        lines.append(problems)
    lines.append(f"Still watching {_list(remaining)}." if remaining else "Your watchlist is empty.")
    return " ".join(lines)


def prices_table(
    symbols: Sequence[str],
    quotes: Mapping[str, PriceQuote],
    now: datetime,
    stale_after: timedelta,
) -> str:
    """The watchlist in one message: a monospaced table that lines up on a phone."""
    if not symbols:
        return EMPTY
    rows = []
    for symbol in symbols:
        quote = quotes.get(symbol)
        if quote is None:
            rows.append((symbol, "no price yet", ""))
        else:
            rows.append((symbol, format_price(quote.price), format_pct(quote.change_24h_pct)))
    width = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [f"{s:<{width[0]}}  {p:>{width[1]}}  {c:>{width[2]}}".rstrip() for s, p, c in rows]
    known = [q for q in quotes.values() if q.asset in symbols]
    footer = "24 h change"
    if known:
        oldest = min(q.ts for q in known)
        footer += f" · prices {format_age(max(now - oldest, timedelta(0)))}"
        if now - oldest > stale_after:
            footer += " ⚠️ stale"
    return fit(f"<b>Your watchlist</b>\n<pre>{e(chr(10).join(lines))}</pre>\n<i>{footer}</i>")


def refresh_keyboard(user_id: int) -> InlineKeyboardMarkup:
    button = InlineKeyboardButton("🔄 Refresh", callback_data=f"{REFRESH}:{user_id}")
    return InlineKeyboardMarkup([[button]])
