"""/costbasis and /currency: how a person's portfolio is counted, shown and changed. Pure:
values in, HTML and keyboards out, in the person's language."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import SETTINGS, CostBasisChoice, CurrencyChoice, encode
from bot.i18n import N_, Texts
from bot.views.common import clip, e
from bot.views.portfolio import METHOD_NAMES
from bot.views.refusals import says
from services.people import Changed

COST_BASIS, CURRENCY = "costbasis", "currency"
BUTTONS = {"fifo": N_("FIFO"), "average": N_("Average cost")}


def cost_basis_now(t: Texts, method: str) -> str:
    return t._(
        "Your cost basis is <b>{method}</b>. Choose <code>/costbasis fifo</code> (the oldest "
        "units are sold first) or <code>/costbasis average</code> (every unit held costs the "
        "same).",
        method=t._(METHOD_NAMES[method]),
    )


def cost_basis_set(t: Texts, change: Changed) -> str:
    method = t._(METHOD_NAMES[change.preferences.method])
    if not change.changed:
        return t._("Your cost basis is already {method}.", method=method)
    # no count: this may be said in a group, and how much someone trades is theirs to tell
    if change.trades:
        return t._(
            "Cost basis set to <b>{method}</b> — all your trades are counted again with it. "
            "See /portfolio.",
            method=method,
        )
    return t._("Cost basis set to <b>{method}</b>. See /portfolio.", method=method)


def currency_now(t: Texts, quote: str) -> str:
    return t._(
        "Your portfolio is kept in <b>{quote}</b>. Choose {choices} — USDT and USDC trades count "
        "as USD unless you choose one of them.",
        quote=e(quote),
        choices=", ".join(f"<code>/currency {q}</code>" for q in SETTINGS[CURRENCY]),
    )


def currency_set(t: Texts, change: Changed) -> str:
    quote = e(change.preferences.quote)
    if not change.changed:
        return t._("Your portfolio's currency is already {quote}.", quote=quote)
    return t._("Your portfolio is now kept in <b>{quote}</b>. See /portfolio.", quote=quote)


def not_your_settings(t: Texts, setting: str) -> str:
    if setting == COST_BASIS:
        return t._("These are someone else's settings — send /costbasis for yours.")
    return t._("These are someone else's settings — send /currency for yours.")


def choice_keyboard(t: Texts, setting: str, current: str, owner: int) -> InlineKeyboardMarkup:
    """One button per choice, the current one ticked; only `owner` may press them."""
    buttons = []
    for choice in SETTINGS[setting]:
        label = t._(BUTTONS[choice]) if choice in BUTTONS else choice
        kind = CostBasisChoice if setting == COST_BASIS else CurrencyChoice
        data = kind(choice, owner)
        tick = "✓ " if choice == current else ""
        buttons.append(InlineKeyboardButton(tick + label, callback_data=encode(data)))
    return InlineKeyboardMarkup([buttons])


@says("cost_basis.unknown")
def _unknown_method(t: Texts, typed: str) -> str:
    return t._("The cost basis is fifo or average, not <code>{typed}</code>.", typed=e(clip(typed)))


@says("currency.unknown")
def _unknown_currency(t: Texts, typed: str, choices: Sequence[str]) -> str:
    return t._(
        "The currency is {choices}, not <code>{typed}</code>.",
        choices=t.or_list(e(c) for c in choices),
        typed=e(clip(typed)),
    )


@says("currency.mixed")
def _mixed(t: Texts, booked: Sequence[str], kept: str, wanted: str) -> str:
    return t._(
        "Your trades are booked in {booked}, so your portfolio stays in {kept}: in {wanted} it "
        "would mix two currencies.",
        booked=t.and_list(e(q) for q in booked),
        kept=e(kept),
        wanted=e(wanted),
    )
