"""Trades as CSV text: Pythia's own export, and imports of it or of a person's spreadsheet.

Export writes `id,date,side,symbol,quantity,price,fee,quote`, one trade a line in ledger
order, dates in ISO 8601 UTC (`2024-03-01T12:00:00Z`), numbers in plain decimal notation
exactly as booked (`0.00000010`, never `1E-7`).

Import reads that layout or the plain `date,side,symbol,quantity,price,fee`:
- The first line that is not blank names the columns, in any order and any case. `date`,
  `side`, `symbol`, `quantity` and `price` are needed; `fee` (empty: 0), `quote` (empty: the
  portfolio's) and `id` may be there too; any other name refuses the file. Ids are not kept:
  a trade gets its id when it is recorded.
- The delimiter is whichever of `,` `;` or a tab splits that line into those names. A UTF-8
  BOM, CRLF or CR line ends and blank lines are fine; a field cannot span two lines.
- Dates are `YYYY-MM-DD` (midnight UTC) or ISO 8601 with a time and a zone
  (`2024-03-01T12:00:00Z`, `2024-03-01 14:00+02:00`). A time without a zone is refused: it
  could be anywhere.
- Sides are buy or sell in any case; symbols are upper-cased.
- In Pythia's layout (it has an `id` column) numbers are plain: `1234.5`, `.5`, `1.5E-05`.
  The plain layout also takes digits grouped by thousands and decimal commas, when they
  cannot be misread: `1,234.56` and `1,234,567` group with commas, `1.234,56`, `1.234.567`
  with points, and `0,5` or `12,75` have a decimal comma. `1,234` and `123.456` could be
  read either way: they are read as the file's other numbers are written (a `0.5` elsewhere
  says points are decimal points, a `0,5` that commas are), as decimal points in a
  comma-delimited file with no such clue, and refused when the file gives none or both.
- Each row then meets the rules of a trade recorded now, against the person's trades and the
  rows before it in time order: a sell of more than was held at its moment is refused, and so
  is one that would leave too little for a sell already recorded after it. Rows at the same
  moment keep their order in the file.

Nothing is recorded here: ImportResult lists the trades that can be and the lines refused,
each with its reason as a Refusal: `csv.field_count` (fields, header), `csv.bad_date` (typed),
`csv.date_without_zone` (typed), `csv.missing` (what), `csv.not_plain` (what, typed),
`csv.not_a_number` (what, typed), `csv.ambiguous` (what, typed, as_point, as_comma),
`csv.unknown_coin` (symbol; see `screen`) or the ledger's `trade.*` codes. A file that cannot
be read at all raises CsvUnreadable: `csv.empty`, `csv.not_utf8`, `csv.no_header` (columns),
`csv.unknown_column` (column, columns) or `csv.column_twice`.

Files are bounded before anything in them is read: at most MAX_FILE_BYTES (`csv.too_big`:
size, limit), MAX_LINES lines, blank ones included (`csv.too_many_lines`: lines, limit), and
MAX_LINE characters a line (`csv.line_too_long`: line, limit). A field cannot span lines, so
the last bounds every field too, far below what Python's csv module refuses with an error
(128 KiB); what a person's spreadsheet writes for one trade takes a few dozen characters.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import cast

from core.currencies import book_quote
from core.dates import parse_iso
from core.numbers import within
from core.portfolio import Side, Trade, admit, in_ledger_order
from core.refusal import BadArgument, Refusal

HEADER: tuple[str, ...] = ("id", "date", "side", "symbol", "quantity", "price", "fee", "quote")
PLAIN_HEADER: tuple[str, ...] = ("date", "side", "symbol", "quantity", "price", "fee")
NEEDED = frozenset({"date", "side", "symbol", "quantity", "price"})
DELIMITERS = (",", ";", "\t")
NUMBER_COLUMNS = ("quantity", "price", "fee")
MAX_FILE_BYTES = 1024 * 1024  # some twenty thousand trades
MAX_LINES = 20_000
MAX_LINE = 1_000  # characters

_PLAIN = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_POINT_GROUPS = re.compile(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]+)?")  # 1,234.5
_COMMA_GROUPS = re.compile(r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+(?:,[0-9]+)?")  # 1.234,5
_DECIMAL_COMMA = re.compile(r"[0-9]+(?:,[0-9]+)?")  # 0,5 (and 64000)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


_SHOWN_SYMBOL = re.compile(r"[A-Z0-9]{1,15}")
Readings = Callable[[str], tuple[Decimal | None, Decimal | None]]  # see _readings


class CsvUnreadable(Refusal):
    """The whole file cannot be read as trades; the code says why."""


@dataclass(frozen=True, slots=True)
class ImportResult:
    trades: list[Trade]  # in the order to record them: time, then the file's order
    refused: list[tuple[int, str, Refusal]] = field(default_factory=list)  # line, text, why


def export_trades(trades: Iterable[Trade]) -> str:
    """Pythia's CSV of `trades`, in ledger order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for trade in in_ledger_order(trades):
        writer.writerow(
            (
                "" if trade.id is None else trade.id,
                trade.executed_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
                trade.side,
                trade.asset,
                f"{trade.quantity:f}",
                f"{trade.price:f}",
                f"{trade.fee:f}",
                trade.quote,
            )
        )
    return out.getvalue()


def import_trades(
    text: str | bytes,
    existing: Sequence[Trade] = (),
    *,
    now: datetime,
    default_quote: str | None = None,
) -> ImportResult:
    """The trades in `text` that can join `existing`, and the lines refused with the reason.

    A row without a quote currency is in `default_quote`: by default the one `existing`
    trades are in, or USD. Raises CsvUnreadable when there is no header to go by.
    """
    default_quote = default_quote or (existing[0].quote if existing else "USD")
    lines = _lines(text)
    numbered = [(n, line) for n, line in enumerate(lines, 1) if line.strip()]
    if not numbered:
        raise CsvUnreadable("csv.empty")
    (_, header_line), rows = numbered[0], numbered[1:]
    delimiter, columns = _header(header_line)
    cells = {n: next(csv.reader([line], delimiter=delimiter)) for n, line in rows}
    strict = "id" in columns
    read = lru_cache(maxsize=None)(_readings)  # this file's numbers are each read twice
    decimal_mark = None if strict else _decimal_mark(cells.values(), columns, delimiter, read)
    candidates: list[Trade] = []
    lines_of: list[int] = []
    refused: list[tuple[int, str, Refusal]] = []
    for n, line in rows:
        try:
            trade = _trade(cells[n], columns, strict, decimal_mark, default_quote, read)
        except Refusal as problem:
            refused.append((n, line, problem))
            continue
        candidates.append(trade)
        lines_of.append(n)
    _, left_out = admit(existing, candidates, "fifo", now)
    refused += [(lines_of[i], lines[lines_of[i] - 1], reason) for i, reason in left_out]
    out = {i for i, _ in left_out}
    accepted = [trade for i, trade in enumerate(candidates) if i not in out]
    return ImportResult(in_ledger_order(accepted), sorted(refused, key=lambda r: r[0]))


def _lines(text: str | bytes) -> list[str]:
    """The file's lines, once it is known to be within every bound (CsvUnreadable if not)."""
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "replace"))
    if size > MAX_FILE_BYTES:
        raise CsvUnreadable("csv.too_big", size=size, limit=MAX_FILE_BYTES)
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CsvUnreadable("csv.not_utf8") from None
    lines = text.removeprefix("\ufeff").splitlines()
    if len(lines) > MAX_LINES:
        raise CsvUnreadable("csv.too_many_lines", lines=len(lines), limit=MAX_LINES)
    for number, line in enumerate(lines, 1):
        if len(line) > MAX_LINE:
            raise CsvUnreadable("csv.line_too_long", line=number, limit=MAX_LINE)
    return lines


def _header(line: str) -> tuple[str, list[str]]:
    """The delimiter, and the column names in order."""
    for delimiter in DELIMITERS:
        names = [name.strip().lower() for name in next(csv.reader([line], delimiter=delimiter))]
        if set(names) >= NEEDED:
            unknown = [name for name in names if name not in HEADER]
            if unknown:
                raise CsvUnreadable("csv.unknown_column", column=unknown[0][:40], columns=HEADER)
            if len(set(names)) < len(names):
                raise CsvUnreadable("csv.column_twice")
            return delimiter, names
    raise CsvUnreadable("csv.no_header", columns=PLAIN_HEADER)


def _trade(
    cells: list[str],
    columns: list[str],
    strict: bool,
    decimal_mark: str | None,
    default_quote: str,
    read: Readings,
) -> Trade:
    """The trade on one line, or BadArgument saying what is wrong with it."""
    while len(cells) > len(columns) and not cells[-1].strip():
        cells = cells[:-1]  # trailing delimiters, as some spreadsheets write
    if len(cells) != len(columns):
        raise BadArgument("csv.field_count", fields=len(cells), header=len(columns))
    row = {name: cell.strip() for name, cell in zip(columns, cells, strict=True)}
    numbers = {
        name: _number(row.get(name, ""), name, strict, decimal_mark, read)
        for name in NUMBER_COLUMNS
    }
    return Trade(
        id=None,
        asset=row["symbol"].upper(),
        side=cast(Side, row["side"].lower()),  # any word: check_trade refuses all but buy/sell
        quantity=numbers["quantity"],
        price=numbers["price"],
        fee=numbers["fee"],
        executed_at=_moment(row["date"]),
        quote=row.get("quote", "").upper() or default_quote,
    )


def _moment(text: str) -> datetime:
    try:
        return parse_iso(text)
    except BadArgument as refused:  # said as a line of the file, not as something typed
        if refused.code == "date.without_zone":
            raise BadArgument("csv.date_without_zone", typed=text[:40]) from None
        raise BadArgument("csv.bad_date", typed=text[:40]) from None


def _number(
    text: str, name: str, strict: bool, decimal_mark: str | None, read: Readings
) -> Decimal:
    """The cell's number, bounded as the same number typed in chat is (`core.numbers.BOUNDS`:
    1e-999 is no price); zero and the sign are left to the ledger, which says them better."""
    value = _reading(text, name, strict, decimal_mark, read)
    if value:
        within(abs(value), name)
    return value


def _reading(
    text: str, name: str, strict: bool, decimal_mark: str | None, read: Readings
) -> Decimal:
    if not text:
        if name == "fee":
            return Decimal(0)
        raise BadArgument("csv.missing", what=name)
    if strict:
        if not _PLAIN.fullmatch(text.removeprefix("-")):
            raise BadArgument("csv.not_plain", what=name, typed=text[:40])
        return Decimal(text)
    point, comma = read(text)
    if point is None and comma is None:
        raise BadArgument("csv.not_a_number", what=name, typed=text[:40])
    if point is not None and (comma is None or point == comma):
        return point
    if point is None or comma is None:
        return comma or point or Decimal(0)  # one reading only (both None was refused above)
    if decimal_mark is None:
        raise BadArgument("csv.ambiguous", what=name, typed=text, as_point=point, as_comma=comma)
    return point if decimal_mark == "." else comma


def _readings(text: str) -> tuple[Decimal | None, Decimal | None]:
    """`text` read with a decimal point (1,234.5) and read with a decimal comma (1.234,5)."""
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    point = comma = None
    try:
        if _PLAIN.fullmatch(digits) or _POINT_GROUPS.fullmatch(digits):
            point = Decimal(sign + digits.replace(",", ""))
        if _COMMA_GROUPS.fullmatch(digits) or _DECIMAL_COMMA.fullmatch(digits):
            comma = Decimal(sign + digits.replace(".", "").replace(",", "."))
    except InvalidOperation:  # an exponent too large for Decimal
        return None, None
    return point, comma


def _decimal_mark(
    rows: Iterable[list[str]], columns: list[str], delimiter: str, read: Readings
) -> str | None:
    """ "." or "," when the numbers that can be read only one way all agree; None if not."""
    marks = set()
    places = [columns.index(name) for name in NUMBER_COLUMNS if name in columns]
    for cells in rows:
        for place in places:
            if place < len(cells):
                point, comma = read(cells[place].strip())
                if (point is None) != (comma is None):
                    marks.add("." if comma is None else ",")
    if not marks:
        return "." if delimiter == "," else None
    return marks.pop() if len(marks) == 1 else None


def screen(
    original: list[str], known: set[str], quote: str
) -> tuple[list[str], list[tuple[int, str, Refusal]]]:
    """The file's lines as the import should read them for a portfolio kept in `quote`, and
    the lines refused here (line number, text, why).

    A line of a coin not in `known` (`csv.unknown_coin`), or priced in a currency the
    portfolio is not kept in (`trade.other_currency`), is refused and blanked out (blank lines
    are skipped, so every other line keeps its number). A currency the portfolio books as its
    own (USDT in a USD one) is left empty, which the import reads as the portfolio's.
    """
    lines = list(original)
    first = next((n for n, line in enumerate(lines) if line.strip()), len(lines))
    for delimiter in DELIMITERS:
        header = lines[first] if first < len(lines) else ""
        names = [n.strip().lower() for n in next(csv.reader([header], delimiter=delimiter), [])]
        if set(names) >= NEEDED:
            break
    else:
        return lines, []  # the import says what is wrong with the first line
    symbol_at = names.index("symbol")
    quote_at = names.index("quote") if "quote" in names else len(names)
    refused: list[tuple[int, str, Refusal]] = []
    for n in range(first + 1, len(lines)):
        cells = next(csv.reader([lines[n]], delimiter=delimiter), [])
        symbol = cells[symbol_at].strip().upper() if symbol_at < len(cells) else ""
        priced_in = cells[quote_at].strip().upper() if quote_at < len(cells) else ""
        reason = None
        if symbol and symbol not in known:
            reason = BadArgument("csv.unknown_coin", symbol=_shown(symbol))
        elif priced_in and book_quote(priced_in, quote) != quote:
            reason = BadArgument("trade.other_currency", kept=quote, quote=_shown(priced_in))
        if reason is not None:
            refused.append((n + 1, lines[n], reason))
            lines[n] = ""
        elif priced_in:
            cells[quote_at] = ""
            out = io.StringIO()
            csv.writer(out, delimiter=delimiter, lineterminator="").writerow(cells)
            lines[n] = out.getvalue()
    return lines, refused


def _shown(symbol: str) -> str:
    return symbol if _SHOWN_SYMBOL.fullmatch(symbol) else symbol[:15] + "…"


def import_file(
    content: bytes, existing: Sequence[Trade], *, known: set[str], quote: str, now: datetime
) -> ImportResult:
    """A file a person sent, for a portfolio kept in `quote` holding `existing` trades: what
    can be recorded, and every line refused (by `screen` or by the import), in line order.
    Raises CsvUnreadable when the file as a whole cannot be read."""
    original = _lines(content)
    lines, screened = screen(original, known, quote)
    result = import_trades("\n".join(lines), existing, now=now, default_quote=quote)
    refused = [(n, original[n - 1], why) for n, _, why in result.refused]
    return ImportResult(result.trades, sorted([*refused, *screened], key=lambda r: r[0]))
