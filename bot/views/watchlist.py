"""/watch, /unwatch and /prices. Pure: values in, HTML and keyboards out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import RefreshPrices, encode
from bot.i18n import Texts
from bot.views.common import e, fit
from bot.views.price import unknown_line
from bot.views.refusals import says
from services.watchlist import Unwatched, Watched, WatchlistPrices


def _list(coins: Sequence[str]) -> str:
    return ", ".join(e(c) for c in coins)


def watch_result(t: Texts, watched: Watched) -> str:
    lines = []
    if watched.added:
        lines.append(t._("Watching {coins}.", coins=_list(watched.added)))
    if watched.already:
        lines.append(t._("Already on your list: {coins}.", coins=_list(watched.already)))
    if watched.unknown.problems:
        lines.append(unknown_line(t, watched.unknown))
    lines.append(
        t._("Your list: {coins} — see their prices with /prices.", coins=_list(watched.watching))
    )
    return " ".join(lines)


def unwatch_result(t: Texts, unwatched: Unwatched) -> str:
    lines = []
    if unwatched.removed:
        lines.append(t._("Removed {coins}.", coins=_list(unwatched.removed)))
    if unwatched.missing:
        lines.append(
            t.ngettext(
                "{coins} isn't on your watchlist.",
                "{coins} aren't on your watchlist.",
                len(unwatched.missing),
                coins=_list(unwatched.missing),
            )
        )
    if unwatched.unknown.problems:
        lines.append(unknown_line(t, unwatched.unknown))
    if unwatched.remaining:
        lines.append(t._("Still watching {coins}.", coins=_list(unwatched.remaining)))
    else:
        lines.append(t._("Your watchlist is empty."))
    return " ".join(lines)


def prices_table(t: Texts, prices: WatchlistPrices) -> str:
    """The watchlist in one message: a monospaced table that lines up on a phone."""
    if not prices.coins:
        return t._("Your watchlist is empty — add coins with <code>/watch BTC ETH SOL</code>.")
    rows = []
    for coin in prices.coins:
        quote = prices.quotes.get(coin)
        if quote is None:
            rows.append((coin, t._("no price yet"), ""))
        else:
            rows.append((coin, t.price(quote.price), t.pct(quote.change_24h_pct)))
    width = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [f"{s:<{width[0]}}  {p:>{width[1]}}  {c:>{width[2]}}".rstrip() for s, p, c in rows]
    table = e("\n".join(lines))
    return fit(t._("<b>Your watchlist</b>") + f"\n<pre>{table}</pre>\n<i>{_footer(t, prices)}</i>")


def _footer(t: Texts, prices: WatchlistPrices) -> str:
    known = [q for c, q in prices.quotes.items() if c in prices.coins]
    if not known:
        return t._("24 h change")
    fresh = prices.freshness
    age = max(fresh.now - min(q.ts for q in known), timedelta(0))
    if age > fresh.stale_after:
        return t._("24 h change · prices {age} ⚠️ stale", age=t.ago(age))
    return t._("24 h change · prices {age}", age=t.ago(age))


def refresh_keyboard(t: Texts, user_id: int) -> InlineKeyboardMarkup:
    label = t.pgettext("button", "🔄 Refresh")
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=encode(RefreshPrices(user_id)))]]
    )


def not_your_watchlist(t: Texts) -> str:
    """Plain text: what someone pressing another person's refresh button is told."""
    return t._("This is someone else's watchlist — send /prices for yours.")


@says("watch.which_coins")
def _which_to_watch(t: Texts) -> str:
    return t._("Which coins? Send <code>/watch BTC ETH SOL</code>.")


@says("unwatch.which_coins")
def _which_to_unwatch(t: Texts) -> str:
    return t._("Which coins? Send <code>/unwatch BTC</code>, or <code>/unwatch all</code>.")


@says("watch.full")
def _full(t: Texts, most: int, have: int) -> str:
    return t.ngettext(
        "A watchlist holds at most {most} coin and yours has {have}; remove some with "
        "<code>/unwatch</code> first.",
        "A watchlist holds at most {most} coins and yours has {have}; remove some with "
        "<code>/unwatch</code> first.",
        most,
        most=t.number(most),
        have=t.number(have),
    )
