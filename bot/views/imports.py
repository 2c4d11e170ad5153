"""/export and CSV imports: the file's caption, what a file holds, and why a line or a whole
file cannot be read. Pure: values in, HTML out, in the person's language."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from bot.i18n import Texts
from bot.views.common import MAX_MESSAGE, clip, e, telegram_length
from bot.views.refusals import refusal_text, says, what_label
from core.refusal import Refusal
from core.trades_csv import ImportResult

MEGABYTE = 1024 * 1024
SHOWN_NAME = 40  # characters of a file's name echoed


def export_caption(t: Texts, count: int) -> str:
    return t.ngettext(
        "Your {count} trade as CSV. Send this file back to me to import it again.",
        "Your {count} trades as CSV. Send this file back to me to import it again.",
        count,
        count=t.number(count),
    )


def export_filename(today: datetime) -> str:
    return f"pythia-trades-{today:%Y-%m-%d}.csv"


def nothing_to_export(t: Texts) -> str:
    return t._(
        "You have no trades to export yet — record one with <code>/buy BTC 0.5 @ 64000</code>."
    )


def too_big(t: Texts, size: int, limit: int) -> str:
    return t._(
        "That file is {size} MB; I import CSV files up to {limit} MB — split it and send the "
        "parts.",
        size=t.decimal(Decimal(size) / MEGABYTE, 1),
        limit=t.number(limit // MEGABYTE),
    )


def unreadable(t: Texts, filename: str, refusal: Refusal) -> str:
    return t._(
        "I couldn't read trades from {name}. {reason}",
        name=e(clip(filename, SHOWN_NAME)),
        reason=refusal_text(t, refusal),
    )


def import_preview(t: Texts, filename: str, result: ImportResult) -> str:
    """How many trades the file holds, and each line refused, as many as fit."""
    found, refused = len(result.trades), len(result.refused)
    name = e(clip(filename, SHOWN_NAME))
    if found:
        head = t.ngettext(
            "<b>{name}</b>: {count} trade to record.",
            "<b>{name}</b>: {count} trades to record.",
            found,
            name=name,
            count=t.number(found),
        )
    else:
        head = t._("<b>{name}</b>: nothing I can record.", name=name)
    if refused:
        head += " " + t.ngettext(
            "{count} line refused:", "{count} lines refused:", refused, count=t.number(refused)
        )
    ask = ""
    if found:
        ask = t.ngettext(
            "Record the {count} trade?",
            "Record the {count} trades? All of them or none.",
            found,
            count=t.number(found),
        )
    room = MAX_MESSAGE - telegram_length(head) - telegram_length(ask) - 80
    lines = [head]
    for shown, (number, text, why) in enumerate(result.refused):
        line = t._(
            "Line {number}: <code>{text}</code> — {reason}",
            number=t.number(number),
            text=e(clip(text, 64)),
            reason=refusal_text(t, why),
        )
        room -= telegram_length(line) + 1
        if room < 0:
            left = refused - shown
            lines.append(
                t.ngettext(
                    "…and {count} more line refused.",
                    "…and {count} more lines refused.",
                    left,
                    count=t.number(left),
                )
            )
            break
        lines.append(line)
    if ask:
        lines.append(ask)
    return "\n".join(lines)


# ---- why a file, or one of its lines, cannot be read --------------------------------------------


def _columns(columns: Sequence[str]) -> str:
    return "<code>" + e(",".join(columns)) + "</code>"


@says("csv.empty")
def _empty(t: Texts) -> str:
    return t._("The file is empty.")


@says("csv.not_utf8")
def _not_utf8(t: Texts) -> str:
    return t._("The file is not UTF-8 text — save it as CSV UTF-8.")


@says("csv.no_header")
def _no_header(t: Texts, columns: Sequence[str]) -> str:
    return t._("The first line should name the columns: {columns}.", columns=_columns(columns))


@says("csv.unknown_column")
def _unknown_column(t: Texts, column: str, columns: Sequence[str]) -> str:
    return t._(
        "Unknown column “{column}” — the columns are {columns}.",
        column=e(clip(column)),
        columns=_columns(columns),
    )


@says("csv.column_twice")
def _column_twice(t: Texts) -> str:
    return t._("A column is named twice in the first line.")


@says("csv.field_count")
def _field_count(t: Texts, fields: int, header: int) -> str:
    return t._(
        "Fields: {fields}, but the header names {header}.",
        fields=t.number(fields),
        header=t.number(header),
    )


@says("csv.bad_date")
def _bad_date(t: Texts, typed: str) -> str:
    return t._("The date “{typed}” is not YYYY-MM-DD or ISO 8601.", typed=e(clip(typed)))


@says("csv.date_without_zone")
def _date_without_zone(t: Texts, typed: str) -> str:
    return t._("The date {typed} has a time but no zone — add Z for UTC.", typed=e(clip(typed)))


@says("csv.missing")
def _missing(t: Texts, what: str) -> str:
    return t._("{what}: missing.", what=what_label(t, what))


@says("csv.not_plain")
def _not_plain(t: Texts, what: str, typed: str) -> str:
    return t._(
        "{what}: {typed} is not a plain number like 1234.5.",
        what=what_label(t, what),
        typed=e(clip(typed)),
    )


@says("csv.not_a_number")
def _not_a_number(t: Texts, what: str, typed: str) -> str:
    return t._("{what}: “{typed}” is not a number.", what=what_label(t, what), typed=e(clip(typed)))


@says("csv.ambiguous")
def _ambiguous(t: Texts, what: str, typed: str, as_point: Decimal, as_comma: Decimal) -> str:
    return t._(
        "{what}: {typed} could be {as_point} or {as_comma} — write it without thousands "
        "separators.",
        what=what_label(t, what),
        typed=e(clip(typed)),
        as_point=t.number(as_point),
        as_comma=t.number(as_comma),
    )


@says("csv.unknown_coin")
def _unknown_coin(t: Texts, symbol: str) -> str:
    return t._("{symbol} is not a coin I know.", symbol=e(clip(symbol, 16)))
