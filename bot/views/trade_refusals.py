"""Why a trade, or the undo of one, cannot be: one renderer per reason code (core.portfolio's
TradeRejected, core.trade_args, services.trades). Pure; moments in the person's zone when the
service added it (`zone`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from bot.i18n import Texts
from bot.views.common import clip, e
from bot.views.refusals import says, what_label
from bot.views.symbols import problems_line
from core.symbols import SymbolProblem


def _held(t: Texts, quantity: Decimal, asset: str) -> str:
    return e(t.quantity(quantity, asset, exact=True))


@says("trade.incomplete")
def _incomplete(t: Texts) -> str:
    return t._(
        "Say which coin and how much, like <code>BTC 0.5</code> or <code>BTC 0.5 @ 64000</code>."
    )


@says("trade.not_positive")
def _not_positive(t: Texts, what: str) -> str:
    return t._("{what}: it must be more than zero.", what=what_label(t, what))


@says("trade.not_a_number")
def _not_a_number(t: Texts, what: str) -> str:
    return t._("{what}: it must be a number.", what=what_label(t, what))


@says("trade.too_large")
def _too_large(t: Texts, what: str) -> str:
    return t._("{what}: that is too large to be real.", what=what_label(t, what))


@says("trade.negative_fee")
def _negative_fee(t: Texts) -> str:
    return t._("The fee cannot be negative.")


@says("trade.unknown_word")
def _unknown_word(t: Texts, typed: str) -> str:
    return t._(
        "I don't understand “{typed}”; add <code>@ PRICE</code>, <code>fee FEE</code> or "
        "<code>on DATE</code>.",
        typed=e(clip(typed, 20)),
    )


@says("trade.future")
def _future(t: Texts, at: datetime | None = None, zone: str = "UTC") -> str:
    if at is None:
        return t._("That date is in the future; trades are recorded once they happened.")
    return t._(
        "That date, {when}, is in the future; trades are recorded once they happened.",
        when=t.moment(at, zone),
    )


@says("trade.too_early")
def _too_early(t: Texts, earliest: date) -> str:
    return t._(
        "That date is before {earliest}, when Bitcoin's first block was mined: no coin was "
        "traded then. Check the year.",
        earliest=t.date(earliest),
    )


@says("trade.not_a_side")
def _not_a_side(t: Texts, side: str) -> str:
    return t._("A trade is a buy or a sell, not “{side}”.", side=e(clip(side, 20)))


@says("trade.no_asset")
def _no_asset(t: Texts) -> str:
    return t._("The trade names no coin.")


@says("trade.no_moment")
def _no_moment(t: Texts) -> str:
    return t._("The date must be a date and a time.")


@says("trade.naive_date")
def _naive_date(t: Texts) -> str:
    return t._("The date has no time zone; give it in UTC.")


@says("trade.oversold")
def _oversold(
    t: Texts, asset: str, held: Decimal, sold: Decimal, at: datetime, zone: str = "UTC"
) -> str:
    when = t.moment(at, zone)
    if not held:
        return t._(
            "You held no {asset} on {when}, so there was nothing to sell.",
            asset=e(asset),
            when=when,
        )
    return t._(
        "You held only {held} on {when}, less than the {sold} sold.",
        held=_held(t, held, asset),
        sold=_held(t, sold, asset),
        when=when,
    )


@says("trade.starves_sell")
def _starves(t: Texts, asset: str, quantity: Decimal, at: datetime, zone: str = "UTC") -> str:
    return t._(
        "It would leave too little {asset} for the sell of {quantity} on {when}.",
        asset=e(asset),
        quantity=_held(t, quantity, asset),
        when=t.moment(at, zone),
    )


@says("trade.too_many_digits")
def _too_many_digits(t: Texts) -> str:
    return t._("The numbers have too many digits to be booked exactly.")


@says("trade.other_currency")
def _other_currency(t: Texts, kept: str, quote: str) -> str:
    return t._(
        "This portfolio is kept in {kept}, not {quote}.", kept=e(kept), quote=e(clip(quote, 16))
    )


@says("trade.unknown_coin")
def _unknown_coin(
    t: Texts, typed: str, reason: str, suggestions: Sequence[str], examples: Sequence[str]
) -> str:
    return problems_line(t, [SymbolProblem(typed, reason, tuple(suggestions))], examples)


@says("trade.no_price")
def _no_price(t: Texts, asset: str, quote: str) -> str:
    return t._(
        "I have no current price for {asset} in {quote} — give one with <code>@ PRICE</code>.",
        asset=e(asset),
        quote=e(quote),
    )


@says("trade.coin_gone")
def _coin_gone(t: Texts, asset: str) -> str:
    return t._("{asset} is no longer a coin I know.", asset=e(asset))


@says("trade.quote_changed")
def _quote_changed(t: Texts, kept: str) -> str:
    return t._("Your portfolio is now kept in {kept}; ask again.", kept=e(kept))


@says("undo.changed")
def _undo_changed(t: Texts) -> str:
    return t._("Your last trade changed since you asked; send /undo again.")


@says("undo.sell_depends")
def _sell_depends(
    t: Texts, asset: str, held: Decimal, sold: Decimal, at: datetime, zone: str = "UTC"
) -> str:
    when = t.moment(at, zone)
    if not held:
        return t._(
            "Can't undo your last trade: a later sell depends on it — without it, you held no "
            "{asset} on {when}, so there was nothing to sell.",
            asset=e(asset),
            when=when,
        )
    return t._(
        "Can't undo your last trade: a later sell depends on it — without it, you held only "
        "{held} on {when}, less than the {sold} sold.",
        held=_held(t, held, asset),
        sold=_held(t, sold, asset),
        when=when,
    )
