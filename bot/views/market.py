"""/top: the day's biggest movers. Pure."""

from __future__ import annotations

from bot.i18n import Texts
from bot.views.common import e, fit
from core.market import PriceQuote
from services.market import Top


def _row(t: Texts, quote: PriceQuote) -> str:
    return (
        f"<b>{e(quote.asset)}</b> {t.pct(quote.change_24h_pct)} · "
        f"{t.price(quote.price)} {e(quote.quote)}"
    )


def top_movers(t: Texts, top: Top) -> str:
    movers = top.movers
    if not movers.changed:
        return t._("No 24 h changes yet — the first prices arrive within seconds of start-up.")
    lines = [
        t.ngettext(
            "<b>Top movers, 24 h</b> — {changed} of {count} coin followed",
            "<b>Top movers, 24 h</b> — {changed} of {count} coins followed",
            top.followed,
            changed=t.number(movers.changed),
            count=t.number(top.followed),
        ),
        "",
        t._("📈 <b>Gainers</b>"),
    ]
    lines += [_row(t, q) for q in movers.gainers] or [t._("none up today")]
    lines += ["", t._("📉 <b>Losers</b>")]
    lines += [_row(t, q) for q in movers.losers] or [t._("none down today")]
    return fit("\n".join(lines))
