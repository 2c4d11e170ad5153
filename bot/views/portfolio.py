"""/portfolio, /pnl and their settings (/costbasis, /currency). Pure: values in, HTML out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.views.common import clip, e, fit, telegram_length
from core.formatting import format_pct, format_price
from core.portfolio import PERIODS, CostMethod, HoldingView, PortfolioView, format_quantity
from db.portfolio import QUOTE_CURRENCIES, PeriodReport, SettingChange

EMPTY = "Your portfolio is empty — record a trade with <code>/buy BTC 0.5 @ 64000</code>."
MAX_ROWS = 30  # holdings shown one per row; the rest are summed up in one line
MAX_NAMED = 10  # unpriced assets named before "and N more"
HEADER = ("Asset", "Quantity", "Avg cost", "Value", "P&L", "P&L %", "Share")
METHOD_NAMES = {"fifo": "FIFO", "average": "average cost"}
PERIOD_NAMES = {
    "day": "today",
    "week": "this week",
    "month": "this month",
    "year": "this year",
    "all": "all time",
}
BAD_PERIOD = (
    f"The period is {', '.join(PERIODS[:-1])} or {PERIODS[-1]} — e.g. <code>/pnl week</code>."
)
_CENT = Decimal("0.01")


def money(amount: Decimal) -> str:
    """1,234.56, and −1,234.56 with a real minus sign (as format_pct has)."""
    text = format_price(abs(amount), 2)
    return f"−{text}" if amount.quantize(_CENT, ROUND_HALF_EVEN) < 0 else text


def signed(amount: Decimal) -> str:
    """A gain or loss: +1,234.56, −1,234.56, or ±0.00."""
    rounded = amount.quantize(_CENT, ROUND_HALF_EVEN)
    sign = "+" if rounded > 0 else "−" if rounded < 0 else "±"
    return f"{sign}{format_price(abs(rounded), 2)}"


def _share(pct: Decimal) -> str:
    return f"{pct.quantize(Decimal('0.1'), ROUND_HALF_EVEN)}%"


def _row(holding: HoldingView) -> tuple[str, ...]:
    quantity = format_quantity(holding.quantity, holding.asset).removesuffix(f" {holding.asset}")
    average = format_price(holding.average_cost)
    if holding.value is None or holding.unrealised is None:
        return (holding.asset, quantity, average, "no price", "", "", "")
    return (
        holding.asset,
        quantity,
        average,
        money(holding.value),
        signed(holding.unrealised),
        format_pct(holding.unrealised_pct),
        _share(holding.share_pct) if holding.share_pct is not None else "",
    )


def _tail(rest: Sequence[HoldingView], total: Decimal) -> tuple[str, ...]:
    """One row standing for the holdings not listed: their summed value, P&L and share."""
    priced = [h for h in rest if h.value is not None and h.unrealised is not None]
    value = sum((h.value for h in priced if h.value is not None), Decimal(0))
    gain = sum((h.unrealised for h in priced if h.unrealised is not None), Decimal(0))
    share = _share(100 * value / total) if total else ""
    label = f"… and {len(rest)} more"
    return (label, "", "", money(value), signed(gain), "", share) if priced else (label,)


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


def _names(assets: Sequence[str]) -> str:
    named = ", ".join(e(a) for a in assets[:MAX_NAMED])
    more = len(assets) - MAX_NAMED
    return f"{named} and {more} more" if more > 0 else named


def portfolio_text(view: PortfolioView, method: CostMethod) -> str:
    """Holdings as one aligned table, then the totals; within Telegram's limit however many."""
    if not view.holdings:
        return EMPTY
    shown = min(len(view.holdings), MAX_ROWS)
    if shown < len(view.holdings):
        shown -= 1  # the summing-up line takes a row
    while True:
        text = _portfolio_text(view, method, shown)
        if telegram_length(text) <= 4096 or shown <= 1:
            return fit(text)
        shown = max(shown - 5, 1)


def _portfolio_text(view: PortfolioView, method: CostMethod, shown: int) -> str:
    quote = e(view.quote or "")
    rows = [HEADER, *(_row(h) for h in view.holdings[:shown])]
    if shown < len(view.holdings):
        rows.append(_tail(view.holdings[shown:], view.value))
    count = len(view.holdings)
    lines = [
        f"<b>Your portfolio</b> · {count} holding{'s' if count != 1 else ''} · {quote}",
        f"<pre>{e(aligned(rows))}</pre>",
        f"Value <b>{money(view.value)} {quote}</b> · cost basis {money(view.cost_basis)} {quote}",
        f"Unrealised P&amp;L <b>{signed(view.unrealised)} {quote}</b> "
        f"({format_pct(view.unrealised_pct)}) · realised {signed(view.realised)} {quote}",
        f"Net invested {money(view.net_invested)} {quote}",
    ]
    if view.unpriced:
        lines.append(
            f"⚠️ No price for {_names(view.unpriced)}: left out of the value and P&amp;L above."
        )
    lines.append(f"<i>Cost basis: {METHOD_NAMES[method]} — change it with /costbasis.</i>")
    return "\n".join(lines)


def allocation_caption(view: PortfolioView) -> str:
    """One line under the picture: the total value and the total P&L."""
    quote = e(view.quote or "")
    caption = (
        f"Allocation · value {money(view.value)} {quote} · P&amp;L {signed(view.total_pnl)} {quote}"
    )
    if view.unpriced:
        caption += f" · {len(view.unpriced)} without a price left out"
    return caption


def pnl_text(report: PeriodReport) -> str:
    """Realised and unrealised P&L over the period, and the value at both ends."""
    pnl, quote = report.pnl, e(report.quote)
    name = PERIOD_NAMES[report.period]
    heading = f"<b>P&amp;L {name}</b> · {quote}"
    if report.period != "all":
        heading += f" · since {_local(pnl.start, report.timezone)}"
    rows = [
        ("Realised", signed(pnl.realised)),
        ("Unrealised change", signed(pnl.unrealised_change)),
        ("Total", signed(pnl.total)),
        ("", ""),
        ("Value at the start", money(pnl.value_start)),
        ("Value now", money(pnl.value_end)),
        ("Put in, net", signed(pnl.invested)),
    ]
    lines = [heading, f"<pre>{e(aligned(rows))}</pre>"]
    lines.append(
        f"Unrealised P&amp;L went from {signed(pnl.unrealised_start)} "
        f"to {signed(pnl.unrealised_end)} {quote}."
    )
    if pnl.unpriced:
        lines.append(
            f"⚠️ No price at the start or now for {_names(pnl.unpriced)}: "
            "left out of the unrealised P&amp;L and the values."
        )
    if len(report.history) < 2:
        lines.append(
            "<i>The value chart appears once a daily snapshot falls in the period "
            "(one is taken every day just after 00:00 UTC).</i>"
        )
    return fit("\n".join(lines))


def value_caption(report: PeriodReport) -> str:
    first, last = report.history[0][1], report.history[-1][1]
    name = PERIOD_NAMES[report.period]
    return f"Portfolio value, {name}: {money(first)} → {money(last)} {e(report.quote)}"


def _local(moment: datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%a %d %b %Y %H:%M} {e(zone)}"


def trades_do_not_add_up(reason: str) -> str:
    return (
        f"Your recorded trades don't add up: {e(reason)}. "
        "See them with /trades and remove the wrong one with /undo."
    )


def sent_privately(what: str) -> str:
    return f"Your {what} is private: I've sent it to you in our private chat."


def cannot_reach(what: str, bot_username: str, command: str) -> str:
    link = f'<a href="https://t.me/{e(bot_username)}">@{e(bot_username)}</a>'
    return (
        f"Your {what} is private, and I can't write to you first: open a private chat with "
        f"{link}, press Start, then send {command} there."
    )


# ---- /costbasis and /currency -----------------------------------------------------------------

COST_BASIS = "costbasis"
CURRENCY = "currency"
_BUTTONS = {"fifo": "FIFO", "average": "Average cost"}
METHOD_MEANINGS = {
    "fifo": "the oldest units are sold first",
    "average": "every unit held costs the same",
}


def cost_basis_now(method: str) -> str:
    choices = " or ".join(
        f"<code>/costbasis {name}</code> ({meaning})" for name, meaning in METHOD_MEANINGS.items()
    )
    return f"Your cost basis is <b>{METHOD_NAMES[method]}</b>. Choose {choices}."


def cost_basis_result(change: SettingChange) -> str:
    name = METHOD_NAMES[change.value]
    if not change.changed:
        return f"Your cost basis already is {name}."
    # no count: this may be said in a group, and how much someone trades is theirs to tell
    redone = " — all your trades are counted again with it" if change.trades else ""
    return f"Cost basis set to <b>{name}</b>{redone}. See /portfolio."


def bad_cost_basis(typed: str) -> str:
    return f"The cost basis is fifo or average, not <code>{e(clip(typed))}</code>."


def currency_now(quote: str) -> str:
    choices = ", ".join(f"<code>/currency {q}</code>" for q in QUOTE_CURRENCIES)
    return (
        f"Your portfolio is kept in <b>{e(quote)}</b>. Choose {choices} — USDT and USDC "
        "trades count as USD unless you choose one of them."
    )


def currency_result(change: SettingChange, wanted: str) -> str:
    if change.refusal:
        return (
            f"Your trades are booked in {e(change.refusal)}, so your portfolio stays in "
            f"{e(change.value)}: in {e(wanted)} it would mix two currencies."
        )
    if not change.changed:
        return f"Your portfolio already is kept in {e(change.value)}."
    return f"Your portfolio is now kept in <b>{e(change.value)}</b>. See /portfolio."


def bad_currency(typed: str) -> str:
    choices = ", ".join(QUOTE_CURRENCIES[:-1]) + f" or {QUOTE_CURRENCIES[-1]}"
    return f"The currency is {choices}, not <code>{e(clip(typed))}</code>."


def choice_keyboard(
    setting: str, choices: Sequence[str], current: str, user_id: int
) -> InlineKeyboardMarkup:
    """One button per choice, the current one ticked; only `user_id` may press them."""
    buttons = [
        InlineKeyboardButton(
            ("✓ " if choice == current else "") + _BUTTONS.get(choice, choice),
            callback_data=f"{setting}:{choice}:{user_id}",
        )
        for choice in choices
    ]
    return InlineKeyboardMarkup([buttons])
