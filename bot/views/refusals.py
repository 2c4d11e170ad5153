"""Refusals said in the person's language: one renderer per reason code.

Core and the services raise `core.refusal.Refusal(code, **params)`; a view module declares how
each code reads with `@says("code")` (a function of `Texts` and the parameters, returning one
line of HTML) and handlers call `refusal_text(t, refusal)`. `tests/unit/test_refusals.py`
checks that every code raised anywhere has a renderer taking its parameters.

A parameter that is a noun (what was wrong: `what="price"`) is said as a label — "Price: …" —
rather than as the subject of a sentence, so no language has to make a verb agree with it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from bot.i18n import N_, Texts
from bot.views.common import clip, e
from core.refusal import Refusal

Renderer = Callable[..., str]
RENDERERS: dict[str, Renderer] = {}


def says(*codes: str) -> Callable[[Renderer], Renderer]:
    """Declare the renderer of `codes`: `fn(t, **params) -> str` (HTML, one line)."""

    def register(fn: Renderer) -> Renderer:
        for code in codes:
            if code in RENDERERS:
                raise ValueError(f"refusal {code} has a renderer already")
            RENDERERS[code] = fn
        return fn

    return register


def refusal_text(t: Texts, refusal: Refusal) -> str:
    """The refusal as one line in `t`'s language."""
    renderer = RENDERERS.get(refusal.code)
    if renderer is None:  # a code without words is a bug; say something true meanwhile
        return t._("That didn't work, and I can't say why — please try again differently.")
    return renderer(t, **refusal.params)


# ---- what a number was meant to be --------------------------------------------------------------

WHAT = {
    "quantity": N_("Quantity"),
    "price": N_("Price"),
    "fee": N_("Fee"),
    "level": N_("Level"),
    "percentage": N_("Percentage"),
    "rsi_level": N_("RSI level"),
    "multiple": N_("Multiple"),
    "amount": N_("Amount"),
}


def what_label(t: Texts, what: str) -> str:
    """The label a refusal about a number starts with: "Price", "Quantity"…"""
    return t._(WHAT.get(what, WHAT["amount"]))


@says("amount.not_a_number")
def _not_a_number(t: Texts, what: str, typed: str) -> str:
    return t._(
        "{what}: “{typed}” is not a number I can read — write it like 0.5, 64000 or 64,000.50.",
        what=what_label(t, what),
        typed=e(clip(typed)),
    )


@says("amount.ambiguous")
def _ambiguous(t: Texts, what: str, typed: str, as_decimal: Any, as_thousands: Any) -> str:
    return t._(
        "{what}: “{typed}” could be {as_decimal} or {as_thousands}. For the first write "
        "{plain_decimal} (a dot is always a decimal point here), for the second "
        "{plain_thousands}.",
        what=what_label(t, what),
        typed=e(clip(typed)),
        as_decimal=t.number(as_decimal),
        as_thousands=t.number(as_thousands),
        plain_decimal=str(as_decimal),
        plain_thousands=str(as_thousands),
    )


@says("amount.too_long")
def _too_long(t: Texts, what: str) -> str:
    return t._(
        "{what}: that has more digits than any real amount — check it and send it again.",
        what=what_label(t, what),
    )


def _bound(t: Texts, what: str, value: Decimal) -> str:
    """A bound as the number it limits is written: 1,000% for a percentage."""
    if what == "percentage":
        places = max(0, -int(value.normalize().as_tuple().exponent))
        return t.pct(value, places, signed=False)
    return t.number(value)


@says("amount.not_positive")
def _amount_not_positive(t: Texts, what: str) -> str:
    return t._("{what}: it must be more than zero.", what=what_label(t, what))


@says("amount.too_small")
def _too_small(t: Texts, what: str, least: Decimal) -> str:
    return t._(
        "{what}: the smallest I can take is {least}.",
        what=what_label(t, what),
        least=_bound(t, what, least),
    )


@says("amount.too_big")
def _too_big(t: Texts, what: str, most: Decimal) -> str:
    return t._(
        "{what}: the largest I can take is {most}.",
        what=what_label(t, what),
        most=_bound(t, what, most),
    )


@says("amount.too_precise")
def _too_precise(t: Texts, what: str, places: int) -> str:
    return t.ngettext(
        "{what}: at most {places} decimal place, please — round it and send it again.",
        "{what}: at most {places} decimal places, please — round it and send it again.",
        places,
        what=what_label(t, what),
        places=t.number(places),
    )


# ---- confirmations ---------------------------------------------------------------------------


@says("confirm.expired")
def _expired(t: Texts) -> str:
    return t._("This confirmation has expired — send the command again.")


@says("confirm.not_yours")
def _not_yours(t: Texts) -> str:
    return t._("Only the person who asked can answer this.")


@says("confirm.answered")
def _answered(t: Texts) -> str:
    return t._("This was already answered.")


# ---- preferences -----------------------------------------------------------------------------


@says("language.unknown")
def _unknown_language(t: Texts, typed: str, languages: tuple[str, ...]) -> str:
    return t._(
        "I don't speak “{typed}”. Choose {choices}.",
        typed=e(clip(typed)),
        choices=t.or_list(f"<code>/language {code}</code>" for code in languages),
    )


@says("timezone.unknown")
def _unknown_zone(t: Texts, typed: str, suggestions: Sequence[str] = ()) -> str:
    if suggestions:
        return t._(
            "I don't know the time zone “{typed}”; did you mean {choices}?",
            typed=e(clip(typed)),
            choices=t.or_list(f"<code>/timezone {e(zone)}</code>" for zone in suggestions),
        )
    return t._(
        "I don't know the time zone “{typed}”; send one like <code>/timezone Europe/Berlin</code> "
        "or <code>/timezone America/New_York</code>.",
        typed=e(clip(typed)),
    )


# ---- dates ---------------------------------------------------------------------------------------


@says("date.unreadable")
def _unreadable_date(t: Texts, typed: str) -> str:
    return t._(
        "I can't read “{typed}” as a date; write it like 2024-03-01, 2024-03-01 14:30, today or "
        "yesterday.",
        typed=e(clip(typed)),
    )


@says("date.too_early")
def _date_too_early(t: Texts, earliest: date) -> str:
    return t._("That date is too early: give one from {earliest} on.", earliest=t.date(earliest))


@says("date.too_late")
def _date_too_late(t: Texts, latest: date) -> str:
    return t._("That date is too late: give one up to {latest}.", latest=t.date(latest))


@says("date.without_zone")
def _date_without_zone(t: Texts, typed: str) -> str:
    return t._(
        "“{typed}” has a time but no time zone; add one, like 2024-03-01T14:30Z for UTC.",
        typed=e(clip(typed)),
    )


# ---- files too large to read (core/trades_csv bounds them before reading) -----------------------

MEBIBYTE = 1024 * 1024


@says("csv.too_big")
def _file_too_big(t: Texts, size: int, limit: int) -> str:
    return t._(
        "It is {size} MB, and I read files of up to {limit} MB — split it and send the parts.",
        size=t.decimal(size / MEBIBYTE, 1),
        limit=t.number(limit // MEBIBYTE),
    )


@says("csv.too_many_lines")
def _too_many_lines(t: Texts, lines: int, limit: int) -> str:
    return t.ngettext(
        "It has {lines} line, and I read files of up to {limit} lines — split it and send the "
        "parts.",
        "It has {lines} lines, and I read files of up to {limit} lines — split it and send the "
        "parts.",
        lines,
        lines=t.number(lines),
        limit=t.number(limit),
    )


@says("csv.line_too_long")
def _line_too_long(t: Texts, line: int, limit: int) -> str:
    return t.ngettext(
        "Line {line} is longer than {limit} character, far more than a trade takes — is it the "
        "right file?",
        "Line {line} is longer than {limit} characters, far more than a trade takes — is it the "
        "right file?",
        limit,
        line=t.number(line),
        limit=t.number(limit),
    )
