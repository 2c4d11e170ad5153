"""How prices read in chat. Pure: values in, HTML out."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.views.common import e, fit
from bot.views.symbols import problems_line
from core.formatting import format_age, format_pct, format_price
from core.market import PriceQuote
from core.symbols import SymbolRequest

ASK_FOR_SYMBOL = (
    "Which coin? Send <code>/price BTC</code>, or several at once: <code>/price BTC ETH SOL</code>."
)


def _arrow(pct: object) -> str:
    if pct is None:
        return "•"
    return "▲" if pct > 0 else "▼" if pct < 0 else "•"


def quote_line(quote: PriceQuote, name: str, now: datetime, stale_after: timedelta) -> str:
    age = quote.age(now)
    freshness = format_age(age)
    if age > stale_after:
        freshness = f"⚠️ stale, {freshness}"
    return (
        f"<b>{e(quote.asset)}</b> <code>{format_price(quote.price)}</code> {e(quote.quote)}  "
        f"{_arrow(quote.change_24h_pct)} {format_pct(quote.change_24h_pct)} 24h\n"
        f"<i>{e(name)} · {e(where(quote))} · {freshness}</i>"
    )


def where(quote: PriceQuote) -> str:
    """Which exchange said so: one name, or how many agreed and how far apart they were."""
    if len(quote.sources) < 2:
        return quote.exchange
    spread = f"{quote.spread_pct:.2f}%" if quote.spread_pct is not None else "n/a"
    return f"median of {len(quote.sources)} exchanges, spread {spread}"


def render_prices(
    request: SymbolRequest,
    quotes: Mapping[str, PriceQuote],
    names: Mapping[str, str],
    now: datetime,
    stale_after: timedelta,
    examples: tuple[str, ...],
    refresh_seconds: float,
    exchanges: tuple[str, ...] = (),
    now_following: tuple[str, ...] = (),
) -> str:
    blocks = []
    for symbol in request.symbols:
        quote = quotes.get(symbol)
        if quote is None and symbol in now_following:
            blocks.append(
                f"<b>{e(symbol)}</b>: I've started following it — its first price arrives "
                f"within {refresh_seconds:.0f} s; ask again then."
            )
        elif quote is None:
            blocks.append(
                f"<b>{e(symbol)}</b>: no price yet — the first one arrives within "
                f"{refresh_seconds:.0f} s of the market workers starting."
            )
        else:
            blocks.append(quote_line(quote, names.get(symbol, symbol), now, stale_after))
    if request.too_many:
        blocks.append(
            f"Showing the first {len(request.symbols)}; ask for at most "
            f"{len(request.symbols)} coins at once."
        )
    if request.problems:
        blocks.append(problems_line(request.problems, examples, exchanges))
    if not blocks:
        return ASK_FOR_SYMBOL
    return fit("\n\n".join(blocks))
