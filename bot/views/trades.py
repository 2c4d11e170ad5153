"""/buy, /sell, /undo and /trades, and why a trade cannot be. Pure: values in, HTML and
keyboards out, in the person's language; moments in their time zone."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import ConfirmButton, TradesPage, encode
from bot.i18n import Texts
from bot.views import trade_refusals  # noqa: F401  (registers why a trade cannot be)
from bot.views.common import e, fit
from bot.views.refusals import refusal_text
from core.portfolio import Side, Trade
from core.refusal import Refusal
from services.trades import Cancelled, NotDone, Outcome, Recorded, TradePage, Undone

# Refusals of what was typed that an example of the whole command helps with.
EXAMPLE_HELPS = frozenset(
    {"trade.incomplete", "trade.unknown_word", "trade.not_positive", "amount.not_positive"}
)


def _amounts(t: Texts, trade: Trade) -> str:
    """0.5 BTC at 64,000.00 USD"""
    return t._(
        "{quantity} at {price} {quote}",
        quantity=e(t.quantity(trade.quantity, trade.asset)),
        price=t.price(trade.price),
        quote=e(trade.quote),
    )


def _total(t: Texts, trade: Trade) -> str:
    return e(t.quantity(trade.total, trade.quote))


def trade_line(t: Texts, trade: Trade, zone: str = "UTC") -> str:
    """One trade on one line: Mar 1, 2024, 12:00 UTC · buy 0.5 BTC at 64,000.00 USD · fee …"""
    values = {
        "when": t.moment(trade.executed_at, zone),
        "quantity": e(t.quantity(trade.quantity, trade.asset)),
        "price": t.price(trade.price),
        "quote": e(trade.quote),
        "fee": e(t.quantity(trade.fee, trade.quote)),
    }
    if trade.side == "buy":
        if trade.fee:
            return t._("{when} · buy {quantity} at {price} {quote} · fee {fee}", **values)
        return t._("{when} · buy {quantity} at {price} {quote}", **values)
    if trade.fee:
        return t._("{when} · sell {quantity} at {price} {quote} · fee {fee}", **values)
    return t._("{when} · sell {quantity} at {price} {quote}", **values)


# ---- asking ------------------------------------------------------------------------------------


def trade_preview(t: Texts, trade: Trade, at_market: bool, zone: str = "UTC") -> str:
    """What Confirm would record, with its total."""
    if trade.side == "buy":
        heading = t._("<b>Record this buy?</b>")
    else:
        heading = t._("<b>Record this sell?</b>")
    amounts = _amounts(t, trade)
    if at_market:
        amounts = t._("{amounts} (the market price now)", amounts=amounts)
    return "\n".join(
        [
            heading,
            amounts,
            t._("Fee: {fee}", fee=e(t.quantity(trade.fee, trade.quote))),
            t._("Total: <b>{total}</b>", total=_total(t, trade)),
            t._("Date: {when}", when=t.moment(trade.executed_at, zone)),
        ]
    )


def undo_preview(t: Texts, trade: Trade, zone: str = "UTC") -> str:
    return t._("<b>Undo your last trade?</b>") + "\n" + trade_line(t, trade, zone)


def nothing_to_undo(t: Texts) -> str:
    return t._("You have no trades to undo.")


def confirm_keyboard(
    t: Texts, token: str, owner: int, *, undo: bool = False
) -> InlineKeyboardMarkup:
    """Confirm (or Undo it) and Cancel, answerable by `owner` only."""
    yes = t._("↩️ Undo it") if undo else t._("✅ Confirm")
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(yes, callback_data=encode(ConfirmButton(token, "y", owner))),
                InlineKeyboardButton(
                    t._("✖️ Cancel"), callback_data=encode(ConfirmButton(token, "n", owner))
                ),
            ]
        ]
    )


def trade_refused(t: Texts, side: Side, refusal: Refusal) -> str:
    """One line: why the /buy or /sell cannot be, and for a typing slip what would work."""
    if refusal.code == "trade.unknown_coin":
        return refusal_text(t, refusal)
    if side == "buy":
        line = t._("Can't record that buy. {reason}", reason=refusal_text(t, refusal))
        example = t._("Try <code>/buy BTC 0.5 @ 64000 fee 5 on 2024-03-01</code>.")
    else:
        line = t._("Can't record that sell. {reason}", reason=refusal_text(t, refusal))
        example = t._("Try <code>/sell BTC 0.5 @ 64000 fee 5 on 2024-03-01</code>.")
    return f"{line} {example}" if refusal.code in EXAMPLE_HELPS else line


# ---- answered ----------------------------------------------------------------------------------


def outcome_text(t: Texts, outcome: Outcome) -> str:
    """The pending message once answered: what was done, or why not."""
    if isinstance(outcome, Recorded):
        if outcome.imported:
            return imported(t, outcome.count)
        return trade_recorded(t, outcome.trades[0], outcome.zone)
    if isinstance(outcome, Undone):
        return t._("↩️ Removed: {trade}.", trade=trade_line(t, outcome.trade, outcome.zone))
    if isinstance(outcome, Cancelled):
        return t._("Cancelled — nothing was changed.")
    return not_done(t, outcome)


def trade_recorded(t: Texts, trade: Trade, zone: str = "UTC") -> str:
    values = {
        "amounts": _amounts(t, trade),
        "when": t.moment(trade.executed_at, zone),
        "total": _total(t, trade),
    }
    if trade.side == "buy":
        return t._("✅ Bought {amounts} on {when} — total {total}. Recorded.", **values)
    return t._("✅ Sold {amounts} on {when} — total {total}. Recorded.", **values)


def imported(t: Texts, count: int) -> str:
    return t.ngettext(
        "✅ Recorded {count} trade from the file. See it with /trades.",
        "✅ Recorded {count} trades from the file. See them with /trades.",
        count,
        count=t.number(count),
    )


def not_done(t: Texts, outcome: NotDone) -> str:
    reason = refusal_text(t, outcome.refusal)
    if outcome.action == "undo":
        return t._("Not undone. {reason}", reason=reason)
    if outcome.first is None or outcome.of == 1:
        return t._("Not recorded. {reason}", reason=reason)
    head = t.ngettext(
        "Not recorded: {count} of the {total} trades no longer fits your ledger.",
        "Not recorded: {count} of the {total} trades no longer fit your ledger.",
        outcome.refused,
        count=t.number(outcome.refused),
        total=t.number(outcome.of),
    )
    first = outcome.first
    values = {"asset": e(first.asset), "when": t.moment(first.executed_at, _zone(outcome))}
    if first.side == "buy":
        which = t._("The first is the buy of {asset} on {when}.", **values)
    else:
        which = t._("The first is the sell of {asset} on {when}.", **values)
    return f"{head} {which} {reason}"


def _zone(outcome: NotDone) -> str:
    return str(outcome.refusal.params.get("zone", "UTC"))


def expired(t: Texts, text: str) -> str:
    """A pending message whose confirmation expired: as it was, and why its buttons went."""
    return fit(text + "\n\n" + refusal_text(t, Refusal("confirm.expired")))


# ---- /trades -----------------------------------------------------------------------------------


def trades_page(t: Texts, page: TradePage) -> str:
    """One page of trades, newest first."""
    if not page.total:
        if page.asset:
            return t._(
                "You have no {asset} trades — see all yours with /trades.", asset=e(page.asset)
            )
        return t._("You have no trades yet — record one with <code>/buy BTC 0.5 @ 64000</code>.")
    values = {
        "asset": e(page.asset or ""),
        "count": t.number(page.total),
        "page": t.number(page.page + 1),
        "pages": t.number(page.pages),
    }
    if page.asset:
        head = t.ngettext(
            "<b>Your {asset} trades</b> · {count} trade, newest first · page {page} of {pages}",
            "<b>Your {asset} trades</b> · {count} trades, newest first · page {page} of {pages}",
            page.total,
            **values,
        )
    else:
        head = t.ngettext(
            "<b>Your trades</b> · {count} trade, newest first · page {page} of {pages}",
            "<b>Your trades</b> · {count} trades, newest first · page {page} of {pages}",
            page.total,
            **values,
        )
    return fit("\n".join([head, *(trade_line(t, trade, page.zone) for trade in page.trades)]))


def page_keyboard(t: Texts, owner: int, page: TradePage) -> InlineKeyboardMarkup | None:
    if page.pages <= 1:
        return None
    buttons = []
    if page.page > 0:
        newer = encode(TradesPage(owner, page.page - 1, page.asset))
        buttons.append(InlineKeyboardButton(t._("◀ Newer"), callback_data=newer))
    if page.page < page.pages - 1:
        older = encode(TradesPage(owner, page.page + 1, page.asset))
        buttons.append(InlineKeyboardButton(t._("Older ▶"), callback_data=older))
    return InlineKeyboardMarkup([buttons])


def not_your_trades(t: Texts) -> str:
    return t._("These are someone else's trades — send /trades for yours.")


# ---- what a group hears ------------------------------------------------------------------------


def sent_privately(t: Texts) -> str:
    return t._("Your trades are private: I've sent them to you in our private chat.")


def cannot_reach(t: Texts, bot_username: str, command: str) -> str:
    """For /trades or /export asked in a group by someone the bot may not write to first."""
    bot = e(bot_username)
    if command == "export":
        return t._(
            "Your trades are private, and I can't write to you first: open a private chat with "
            "@{bot}, press Start, then send /export there.",
            bot=bot,
        )
    return t._(
        "Your trades are private, and I can't write to you first: open a private chat with "
        "@{bot}, press Start, then send /trades there.",
        bot=bot,
    )
