"""/portfolio and /pnl: holdings as one aligned table, P&L over a period, the pictures' words,
and the lines a group hears. Pure: values in, HTML out, in the person's language."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from bot.i18n import N_, Texts
from bot.views.common import e, fit, telegram_length
from bot.views.refusals import refusal_text, says
from core.portfolio import CostMethod, HoldingView, PortfolioView
from core.refusal import Refusal
from services.portfolio import PeriodReport

MAX_ROWS = 30  # holdings shown one per row; the rest are summed up in one line
MAX_NAMED = 10  # unpriced assets named before "and N more"
HEADER = (
    N_("Asset"),
    N_("Quantity"),
    N_("Avg cost"),
    N_("Value"),
    N_("P&L"),
    N_("P&L %"),
    N_("Share"),
)
METHOD_NAMES = {"fifo": N_("FIFO"), "average": N_("average cost")}
# The period as a picture's title names it.
PERIOD_NAMES = {
    "day": N_("today"),
    "week": N_("this week"),
    "month": N_("this month"),
    "year": N_("this year"),
    "all": N_("all time"),
}
PNL_HEADINGS = {
    "day": N_("<b>P&amp;L today</b> · {quote} · since {start}"),
    "week": N_("<b>P&amp;L this week</b> · {quote} · since {start}"),
    "month": N_("<b>P&amp;L this month</b> · {quote} · since {start}"),
    "year": N_("<b>P&amp;L this year</b> · {quote} · since {start}"),
    "all": N_("<b>P&amp;L all time</b> · {quote}"),
}
VALUE_CAPTIONS = {
    "day": N_("Portfolio value today: {first} → {last} {quote}"),
    "week": N_("Portfolio value this week: {first} → {last} {quote}"),
    "month": N_("Portfolio value this month: {first} → {last} {quote}"),
    "year": N_("Portfolio value this year: {first} → {last} {quote}"),
    "all": N_("Portfolio value, all time: {first} → {last} {quote}"),
}
# What a group hears when a person's own figures went to their private chat.
SENT = {
    "portfolio": N_("Your portfolio is private: I've sent it to you in our private chat."),
    "pnl": N_("Your P&amp;L is private: I've sent it to you in our private chat."),
}
UNREACHABLE = {
    "portfolio": N_(
        "Your portfolio is private, and I can't write to you first: open a private chat with "
        "{bot}, press Start, then send /portfolio there."
    ),
    "pnl": N_(
        "Your P&amp;L is private, and I can't write to you first: open a private chat with "
        "{bot}, press Start, then send /pnl there."
    ),
}


def empty(t: Texts) -> str:
    return t._("Your portfolio is empty — record a trade with <code>/buy BTC 0.5 @ 64000</code>.")


def aligned(rows: Sequence[Sequence[str]]) -> str:
    """Rows as monospaced lines: the first column to the left, the others to the right."""
    columns = max(len(row) for row in rows)
    padded = [(*row, *[""] * (columns - len(row))) for row in rows]
    widths = [max(len(row[i]) for row in padded) for i in range(columns)]
    lines = []
    for row in padded:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _share(t: Texts, pct: Decimal | None) -> str:
    return "" if pct is None else t.pct(pct, 1, signed=False)


def _row(t: Texts, holding: HoldingView) -> tuple[str, ...]:
    quantity = t.quantity(holding.quantity, holding.asset).removesuffix(f" {holding.asset}")
    average = t.price(holding.average_cost)
    if holding.value is None or holding.unrealised is None:
        return (holding.asset, quantity, average, t._("no price"))
    return (
        holding.asset,
        quantity,
        average,
        t.money(holding.value),
        t.signed(holding.unrealised),
        t.pct(holding.unrealised_pct),
        _share(t, holding.share_pct),
    )


def _tail(t: Texts, rest: Sequence[HoldingView], total: Decimal) -> tuple[str, ...]:
    """One row standing for the holdings not listed: their summed value, P&L and share."""
    priced = [h for h in rest if h.value is not None and h.unrealised is not None]
    value = sum((h.value for h in priced if h.value is not None), Decimal(0))
    gain = sum((h.unrealised for h in priced if h.unrealised is not None), Decimal(0))
    share = _share(t, 100 * value / total) if total else ""
    label = t._("… and {count} more", count=t.number(len(rest)))
    if not priced:
        return (label,)
    return (label, "", "", t.money(value), t.signed(gain), "", share)


def _names(t: Texts, assets: Sequence[str]) -> str:
    named = ", ".join(e(a) for a in assets[:MAX_NAMED])
    more = len(assets) - MAX_NAMED
    if more <= 0:
        return named
    return t._("{listed} and {count} more", listed=named, count=t.number(more))


def portfolio_text(t: Texts, view: PortfolioView, method: CostMethod) -> str:
    """Holdings as one aligned table, then the totals; within Telegram's limit however many."""
    if not view.holdings:
        return empty(t)
    shown = min(len(view.holdings), MAX_ROWS)
    if shown < len(view.holdings):
        shown -= 1  # the summing-up line takes a row
    while True:
        text = _portfolio_text(t, view, method, shown)
        if telegram_length(text) <= 4096 or shown <= 1:
            return fit(text)
        shown = max(shown - 5, 1)


def _portfolio_text(t: Texts, view: PortfolioView, method: CostMethod, shown: int) -> str:
    quote = e(view.quote or "")
    rows = [tuple(t._(name) for name in HEADER), *(_row(t, h) for h in view.holdings[:shown])]
    if shown < len(view.holdings):
        rows.append(_tail(t, view.holdings[shown:], view.value))
    count = len(view.holdings)
    lines = [
        t.ngettext(
            "<b>Your portfolio</b> · {count} holding · {quote}",
            "<b>Your portfolio</b> · {count} holdings · {quote}",
            count,
            count=t.number(count),
            quote=quote,
        ),
        f"<pre>{e(aligned(rows))}</pre>",
        t._(
            "Value <b>{value} {quote}</b> · cost basis {cost} {quote}",
            value=t.money(view.value),
            cost=t.money(view.cost_basis),
            quote=quote,
        ),
        t._(
            "Unrealised P&amp;L <b>{unrealised} {quote}</b> ({pct}) · realised {realised} {quote}",
            unrealised=t.signed(view.unrealised),
            pct=t.pct(view.unrealised_pct),
            realised=t.signed(view.realised),
            quote=quote,
        ),
        t._("Net invested {invested} {quote}", invested=t.money(view.net_invested), quote=quote),
    ]
    if view.unpriced:
        lines.append(
            t._(
                "⚠️ No price for {assets}: left out of the value and P&amp;L above.",
                assets=_names(t, view.unpriced),
            )
        )
    lines.append(
        t._(
            "<i>Cost basis: {method} — change it with /costbasis.</i>",
            method=t._(METHOD_NAMES[method]),
        )
    )
    return "\n".join(lines)


def allocation_title(t: Texts) -> str:
    return t._("Your allocation")


def allocation_caption(t: Texts, view: PortfolioView) -> str:
    """One line under the picture: the total value and the total P&L."""
    values = {
        "value": t.money(view.value),
        "pnl": t.signed(view.total_pnl),
        "quote": e(view.quote or ""),
        "count": t.number(len(view.unpriced)),
    }
    if view.unpriced:
        return t.ngettext(
            "Allocation · value {value} {quote} · P&amp;L {pnl} {quote} · "
            "{count} without a price left out",
            "Allocation · value {value} {quote} · P&amp;L {pnl} {quote} · "
            "{count} without a price left out",
            len(view.unpriced),
            **values,
        )
    return t._("Allocation · value {value} {quote} · P&amp;L {pnl} {quote}", **values)


def pnl_text(t: Texts, report: PeriodReport) -> str:
    """Realised and unrealised P&L over the period, and the value at both ends."""
    pnl, quote = report.pnl, e(report.quote)
    heading = t._(
        PNL_HEADINGS[report.period], quote=quote, start=t.moment(pnl.start, report.timezone)
    )
    rows = [
        (t._("Realised"), t.signed(pnl.realised)),
        (t._("Unrealised change"), t.signed(pnl.unrealised_change)),
        (t._("Total"), t.signed(pnl.total)),
        ("", ""),
        (t._("Value at the start"), t.money(pnl.value_start)),
        (t._("Value now"), t.money(pnl.value_end)),
        (t._("Put in, net"), t.signed(pnl.invested)),
    ]
    lines = [heading, f"<pre>{e(aligned(rows))}</pre>"]
    lines.append(
        t._(
            "Unrealised P&amp;L went from {start} to {end} {quote}.",
            start=t.signed(pnl.unrealised_start),
            end=t.signed(pnl.unrealised_end),
            quote=quote,
        )
    )
    if pnl.unpriced:
        lines.append(
            t._(
                "⚠️ No price at the start or now for {assets}: left out of the unrealised "
                "P&amp;L and the values.",
                assets=_names(t, pnl.unpriced),
            )
        )
    if len(report.history) < 2:
        lines.append(
            t._(
                "<i>The value chart appears once a daily snapshot falls in the period "
                "(one is taken every day just after 00:00 UTC).</i>"
            )
        )
    return fit("\n".join(lines))


def value_title(t: Texts, period: str) -> str:
    return t._("Portfolio value · {period}", period=t._(PERIOD_NAMES[period]))


def value_caption(t: Texts, report: PeriodReport) -> str:
    first, last = report.history[0][1], report.history[-1][1]
    return t._(
        VALUE_CAPTIONS[report.period],
        first=t.money(first),
        last=t.money(last),
        quote=e(report.quote),
    )


def broken_ledger(t: Texts, refusal: Refusal) -> str:
    """The person's stored trades do not replay: why, and how to mend it."""
    return t._(
        "Your recorded trades don't add up. {reason} See them with /trades and remove the wrong "
        "one with /undo.",
        reason=refusal_text(t, refusal),
    )


def sent_privately(t: Texts, subject: str) -> str:
    return t._(SENT[subject])


def cannot_reach(t: Texts, subject: str, bot_username: str) -> str:
    link = f'<a href="https://t.me/{e(bot_username)}">@{e(bot_username)}</a>'
    return t._(UNREACHABLE[subject], bot=link)


@says("pnl.period")
def _bad_period(t: Texts, typed: str, periods: Sequence[str]) -> str:
    return t._(
        "The period is {periods} — e.g. <code>/pnl week</code>.",
        periods=t.or_list(e(p) for p in periods),
    )
