"""The guided /alert in the person's words: which coin, what kind of alert, which level — with
buttons — and how it ends when cancelled or left alone. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import FlowButton, encode
from bot.i18n import N_, Texts
from bot.views.alert_specs import sentiment_value
from bot.views.common import e
from core.alerts.flow import KINDS, Offer

FLOW_COINS = 12  # coin buttons in the guided flow

# Each kind's button (an icon and its words) and what the level step asks.
KIND_BUTTONS = {
    "above": ("📈", N_("Price above")),
    "below": ("📉", N_("Price below")),
    "move": ("↕️", N_("% move")),
    "rsi": ("", "RSI"),
    "volume": ("📊", N_("Volume spike")),
    "sentiment": ("🧭", N_("News sentiment")),
    "news": ("📰", N_("News burst")),
    "predict": ("🔮", N_("Forecast")),
}
QUESTIONS = {
    "above": N_("<b>{symbol}</b> rises above which price?"),
    "below": N_("<b>{symbol}</b> falls below which price?"),
    "move": N_("<b>{symbol}</b> moves how many percent (either way, within 24 hours)?"),
    "rsi": N_("<b>{symbol}</b> RSI(14) on 1h candles: which level?"),
    "volume": N_("<b>{symbol}</b> trades how many times its usual hourly volume?"),
    "sentiment": N_(
        "<b>{symbol}</b> news sentiment (from -1, all bad, to 1, all good) crosses which level? "
        "A level below zero watches it fall, above zero rise."
    ),
    "news": N_("<b>{symbol}</b>: how many stories about it within an hour?"),
    "predict": N_(
        "<b>{symbol}</b>: when a model's 24h forecast gives which chance? A number is the chance "
        "of up rising above it; or write it out, like <code>down &gt; 60% 4h</code>."
    ),
}


def _grid(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def _button(label: str, owner: int, step: str, value: str | None = None) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(FlowButton(owner, step, value)))


def _cancel(t: Texts, owner: int) -> list[InlineKeyboardButton]:
    return [_button("✖️ " + t.pgettext("button", "Cancel"), owner, "cancel")]


def ask_coin(t: Texts) -> str:
    return t._("<b>New alert</b> — which coin? Pick one or type its symbol. /cancel stops.")


def coin_keyboard(t: Texts, owner: int, coins: Sequence[str]) -> InlineKeyboardMarkup:
    buttons = [_button(c, owner, "coin", c) for c in coins[:FLOW_COINS]]
    return InlineKeyboardMarkup([*_grid(buttons, 4), _cancel(t, owner)])


def ask_kind(t: Texts, symbol: str, price: Decimal | None) -> str:
    if price is None:
        return t._("<b>{symbol}</b>. Tell me when it…", symbol=e(symbol))
    return t._(
        "<b>{symbol}</b> is at {price} now. Tell me when it…",
        symbol=e(symbol),
        price=t.price(price),
    )


def kind_keyboard(t: Texts, owner: int) -> InlineKeyboardMarkup:
    buttons = []
    for kind in KINDS:
        icon, words = KIND_BUTTONS[kind]
        label = f"{icon} {t._(words)}" if icon else words
        buttons.append(_button(label, owner, "kind", kind))
    return InlineKeyboardMarkup([*_grid(buttons, 2), _cancel(t, owner)])


def ask_level(t: Texts, symbol: str, kind: str, offered: bool) -> str:
    question = t._(QUESTIONS[kind], symbol=e(symbol))
    how = t._("Pick one or type a number.") if offered else t._("Type a number.")
    return f"{question} {how}"


def offer_label(t: Texts, offer: Offer) -> str:
    """+2% · 71,530 · ±5% in 24h · RSI below 30 · ×3 · below −0.3 · 5 in 1 hour"""
    if offer.level is not None and offer.pct is not None:
        return f"{t.pct(Decimal(offer.pct), places=0)} · {t.number(offer.level)}"
    if offer.kind == "sentiment" and offer.level is not None:
        level = sentiment_value(t, offer.level)
        if offer.level < 0:
            return t._("below {level}", level=level)
        return t._("above {level}", level=level)
    value = offer.value or 0
    if offer.kind == "predict":
        pct = t.pct(Decimal(value), places=0, signed=False)
        if offer.side == "down":
            return t._("down above {pct}", pct=pct)
        return t._("up above {pct}", pct=pct)
    if offer.kind == "news":
        return t.ngettext(
            "{count} in {window}",
            "{count} in {window}",
            value,
            count=t.number(value),
            window=t.duration(timedelta(hours=1)),
        )
    if offer.kind == "move":
        return t._("±{pct} in 24h", pct=t.pct(Decimal(value), places=0, signed=False))
    if offer.kind == "rsi" and value < 50:
        return t._("RSI below {level}", level=t.number(value))
    if offer.kind == "rsi":
        return t._("RSI above {level}", level=t.number(value))
    return f"×{t.number(value)}"


def level_keyboard(t: Texts, owner: int, offered: Sequence[Offer]) -> InlineKeyboardMarkup:
    buttons = [_button(offer_label(t, o), owner, "go", o.words) for o in offered]
    return InlineKeyboardMarkup([*_grid(buttons, 3), _cancel(t, owner)])


def cancelled(t: Texts) -> str:
    return t._("Cancelled — no alert was set.")


def timed_out(t: Texts) -> str:
    return t._("This alert menu timed out — send /alert to start again.")


def not_your_flow(t: Texts) -> str:
    return t._("Only the person who started this can press its buttons — send /alert for yours.")


def flow_gone(t: Texts) -> str:
    return t._("This menu is no longer active — send /alert to start again.")
