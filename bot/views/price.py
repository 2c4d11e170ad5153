"""How prices read in chat. Pure: values in, HTML out."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from bot.i18n import Texts
from bot.views.common import e, fit
from bot.views.symbols import problems_line
from core.market import PriceQuote
from services.market import Freshness, Prices, Unknown


def arrow(pct: Decimal | None) -> str:
    """▲ up, ▼ down, • flat or unknown: the direction at a glance."""
    if pct is None:
        return "•"
    return "▲" if pct > 0 else "▼" if pct < 0 else "•"


def age_text(t: Texts, age: timedelta, stale_after: timedelta) -> str:
    """How old a price is, with a warning once it is older than `stale_after`."""
    if age > stale_after:
        return t._("⚠️ stale, {age}", age=t.ago(age))
    return t.ago(age)


def quote_line(t: Texts, quote: PriceQuote, name: str, now: datetime, stale: timedelta) -> str:
    first = t._(
        "<b>{coin}</b> <code>{price}</code> {quote}  {arrow} {change} 24h",
        coin=e(quote.asset),
        price=t.price(quote.price),
        quote=e(quote.quote),
        arrow=arrow(quote.change_24h_pct),
        change=t.pct(quote.change_24h_pct),
    )
    second = f"{e(name)} · {where(t, quote)} · {age_text(t, quote.age(now), stale)}"
    return f"{first}\n<i>{second}</i>"


def where(t: Texts, quote: PriceQuote) -> str:
    """Which exchange said so: one name, how many agreed and how far apart they were, or — when
    they disagree — the lowest and highest price and who quotes them."""
    if quote.disputed:
        (low_exchange, low), *_, (high_exchange, high) = quote.dispute
        return t._(
            "⚠️ exchanges disagree: {low} on {low_exchange}, {high} on {high_exchange}",
            low=t.price(low),
            low_exchange=e(low_exchange),
            high=t.price(high),
            high_exchange=e(high_exchange),
        )
    count = len(quote.sources)
    if count < 2:
        return e(quote.exchange)
    return t.ngettext(
        "median of {count} exchange, spread {spread}",
        "median of {count} exchanges, spread {spread}",
        count,
        count=t.number(count),
        spread=t.pct(quote.spread_pct, signed=False),
    )


def not_priced(t: Texts, coin: str, following: bool, freshness: Freshness) -> str:
    seconds = t.number(int(freshness.first_within.total_seconds()))
    if following:
        return t._(
            "<b>{coin}</b>: I've started following it — its first price arrives within "
            "{seconds} s; ask again then.",
            coin=e(coin),
            seconds=seconds,
        )
    return t._(
        "<b>{coin}</b>: no price yet — the first one arrives within {seconds} s of the market "
        "workers starting.",
        coin=e(coin),
        seconds=seconds,
    )


def unknown_line(t: Texts, unknown: Unknown) -> str:
    return problems_line(t, unknown.problems, unknown.examples, unknown.exchanges)


def render_prices(t: Texts, prices: Prices) -> str:
    blocks = []
    fresh = prices.freshness
    for coin in prices.coins:
        quote = prices.quotes.get(coin)
        if quote is None:
            blocks.append(not_priced(t, coin, coin in prices.following, fresh))
        else:
            name = prices.names.get(coin, coin)
            blocks.append(quote_line(t, quote, name, fresh.now, fresh.stale_after))
    if prices.too_many:
        count = len(prices.coins)
        blocks.append(
            t.ngettext(
                "Showing the first {count}; ask for at most {count} coin at once.",
                "Showing the first {count}; ask for at most {count} coins at once.",
                count,
                count=t.number(count),
            )
        )
    if prices.unknown.problems:
        blocks.append(unknown_line(t, prices.unknown))
    if not blocks:
        return t._(
            "Which coin? Send <code>/price BTC</code>, or several at once: "
            "<code>/price BTC ETH SOL</code>."
        )
    return fit("\n\n".join(blocks))
