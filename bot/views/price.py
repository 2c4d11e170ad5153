"""How prices read in chat. Pure: values in, HTML out."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.views.common import clip, e, fit
from core.formatting import format_age, format_pct, format_price
from core.market import PriceQuote
from core.symbols import SymbolProblem, SymbolRequest

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
        f"<i>{e(name)} · {e(quote.exchange)} · {freshness}</i>"
    )


def problems_line(problems: tuple[SymbolProblem, ...], examples: tuple[str, ...]) -> str:
    """One line for everything typed that is not a known coin."""
    shown = problems[:3]
    parts = []
    for problem in shown:
        text = f"<code>{e(clip(problem.text))}</code>"
        if problem.suggestions:
            text += " (did you mean " + " or ".join(e(s) for s in problem.suggestions) + "?)"
        parts.append(text)
    more = f" and {len(problems) - 3} more" if len(problems) > 3 else ""
    unknown_only = {p.reason for p in problems} == {"unknown"}
    if len(problems) == 1:
        lead = "Unknown symbol" if unknown_only else "Not a coin I know"
    else:
        lead = "Unknown symbols" if unknown_only else "Not coins I know"
    hint = ""
    if not any(p.suggestions for p in shown):
        hint = " — try " + ", ".join(e(s) for s in examples[:4])
    return f"{lead}: {', '.join(parts)}{more}{hint}."


def render_prices(
    request: SymbolRequest,
    quotes: Mapping[str, PriceQuote],
    names: Mapping[str, str],
    now: datetime,
    stale_after: timedelta,
    examples: tuple[str, ...],
    refresh_seconds: float,
) -> str:
    blocks = []
    for symbol in request.symbols:
        quote = quotes.get(symbol)
        if quote is None:
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
        blocks.append(problems_line(request.problems, examples))
    if not blocks:
        return ASK_FOR_SYMBOL
    return fit("\n\n".join(blocks))
