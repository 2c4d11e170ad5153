"""/top: the day's biggest movers. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from bot.views.common import e, fit
from core.formatting import format_pct, format_price
from core.market import PriceQuote

SHOWN = 5


def _row(quote: PriceQuote) -> str:
    return (
        f"<b>{e(quote.asset)}</b> {format_pct(quote.change_24h_pct)} · "
        f"{format_price(quote.price)} {e(quote.quote)}"
    )


def top_movers(quotes: Sequence[PriceQuote], tracked: int) -> str:
    moved = sorted(
        (q for q in quotes if q.change_24h_pct is not None), key=lambda q: q.change_24h_pct
    )
    if not moved:
        return "No 24 h changes yet — the first prices arrive within seconds of start-up."
    gainers = [q for q in reversed(moved) if q.change_24h_pct > 0][:SHOWN]
    losers = [q for q in moved if q.change_24h_pct < 0][:SHOWN]
    lines = [f"<b>Top movers, 24 h</b> — {len(moved)} of {tracked} coins followed"]
    lines.append("\n📈 <b>Gainers</b>")
    lines += [_row(q) for q in gainers] or ["none up today"]
    lines.append("\n📉 <b>Losers</b>")
    lines += [_row(q) for q in losers] or ["none down today"]
    return fit("\n".join(lines))
