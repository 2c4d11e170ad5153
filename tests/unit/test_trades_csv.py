"""Trades in and out of CSV: Pythia's layout, a person's spreadsheet, and every line refused."""

from __future__ import annotations

import contextlib
import random
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.portfolio import Ledger, Trade, TradeRejected
from core.refusal import BadArgument, Refusal
from core.trades_csv import (
    MAX_FILE_BYTES,
    MAX_LINE,
    MAX_LINES,
    CsvUnreadable,
    export_trades,
    import_file,
    import_trades,
    screen,
)

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
HEADER = "date,side,symbol,quantity,price,fee"
D = Decimal


def trade(side: str, asset: str, quantity: str, price: str, fee: str, when: str, id=None) -> Trade:
    moment = datetime.fromisoformat(when)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return Trade(id, asset, side, D(quantity), D(price), D(fee), moment, "USD")  # type: ignore


RECORDED = [
    trade("buy", "BTC", "0.5", "64000", "5", "2024-03-01T10:00:00", id=1),
    trade("buy", "ETH", "2.25", "3100.5", "0", "2024-03-02T00:00:00", id=2),
    trade("sell", "BTC", "0.00012345", "70000", "0.1", "2024-04-01T08:30:15", id=3),
]


def test_export_writes_pythias_layout_in_ledger_order() -> None:
    assert export_trades(reversed(RECORDED)) == (
        "id,date,side,symbol,quantity,price,fee,quote\r\n"
        "1,2024-03-01T10:00:00Z,buy,BTC,0.5,64000,5,USD\r\n"
        "2,2024-03-02T00:00:00Z,buy,ETH,2.25,3100.5,0,USD\r\n"
        "3,2024-04-01T08:30:15Z,sell,BTC,0.00012345,70000,0.1,USD\r\n"
    )


def test_export_never_writes_scientific_notation() -> None:
    tiny = Trade(7, "SHIB", "buy", D("1E+7"), D("1.2E-7"), D("0E-8"), NOW, "USD")
    line = export_trades([tiny]).splitlines()[1]
    assert line == "7,2024-06-01T12:00:00Z,buy,SHIB,10000000,0.00000012,0.00000000,USD"


def test_export_then_import_gives_the_same_trades_without_their_ids() -> None:
    result = import_trades(export_trades(RECORDED), now=NOW)
    assert result.refused == []
    assert result.trades == [
        Trade(None, t.asset, t.side, t.quantity, t.price, t.fee, t.executed_at, t.quote)
        for t in RECORDED
    ]


def test_the_plain_layout_with_dates_sides_and_symbols_as_people_write_them() -> None:
    text = (
        "date,side,symbol,quantity,price,fee\n"
        "2024-03-01,BUY,btc,0.5,64000,5\n"
        "2024-03-05T14:00:00+02:00,Sell,BTC,0.2,66000.50,\n"
    )
    result = import_trades(text, now=NOW)
    assert result.refused == []
    assert result.trades == [
        trade("buy", "BTC", "0.5", "64000", "5", "2024-03-01T00:00:00"),
        trade("sell", "BTC", "0.2", "66000.50", "0", "2024-03-05T12:00:00"),
    ]


def test_columns_may_come_in_any_order_and_case_with_a_quote_column() -> None:
    text = "Symbol , Side, Quantity, Price, Date, Quote\nETH,buy,1,3000,2024-03-01,eur\n"
    result = import_trades(text, now=NOW)
    day = datetime(2024, 3, 1, tzinfo=UTC)
    assert result.trades == [Trade(None, "ETH", "buy", D("1"), D("3000"), D("0"), day, "EUR")]


def test_a_semicolon_file_from_a_spreadsheet_with_bom_crlf_and_decimal_commas() -> None:
    text = (
        "\ufeffdate;side;symbol;quantity;price;fee\r\n"
        "2024-03-01;buy;BTC;0,5;64.000,50;5\r\n"
        "\r\n"
        "2024-03-02;buy;BTC;1,234;1.000;0\r\n"  # ambiguous alone: decimal commas, says the file
    )
    result = import_trades(text.encode("utf-8"), now=NOW)
    assert result.refused == []
    assert [(t.quantity, t.price) for t in result.trades] == [
        (D("0.5"), D("64000.50")),
        (D("1.234"), D("1000")),
    ]


def test_thousands_separators_are_read_when_they_cannot_be_misread() -> None:
    text = (
        "date,side,symbol,quantity,price,fee\n"
        '2024-03-01,buy,SHIB,"1,234,567",0.00002,"1,234.5"\n'
        '2024-03-02,buy,SHIB,"1,000",0.00002,0\n'  # a comma file writes decimal points
    )
    result = import_trades(text, now=NOW)
    assert [(t.quantity, t.fee) for t in result.trades] == [
        (D("1234567"), D("1234.5")),
        (D("1000"), D("0")),
    ]


def test_a_number_the_file_does_not_say_how_to_read_is_refused() -> None:
    text = "date;side;symbol;quantity;price;fee\n2024-03-01;buy;BTC;1.234;64000;0\n"
    result = import_trades(text, now=NOW)
    assert result.trades == []
    assert result.refused == [
        (
            2,
            "2024-03-01;buy;BTC;1.234;64000;0",
            BadArgument(
                "csv.ambiguous",
                what="quantity",
                typed="1.234",
                as_point=D("1.234"),
                as_comma=D("1234"),
            ),
        )
    ]


def test_pythias_own_layout_takes_only_plain_numbers() -> None:
    text = "id;date;side;symbol;quantity;price;fee;quote\n1;2024-03-01;buy;BTC;0,5;64000;0;USD\n"
    (refusal,) = import_trades(text, now=NOW).refused
    assert refusal[2] == BadArgument("csv.not_plain", what="quantity", typed="0,5")


def test_a_tab_separated_file_with_scientific_notation() -> None:
    text = "date\tside\tsymbol\tquantity\tprice\tfee\n2024-03-01\tbuy\tPEPE\t1.5E+6\t1.2E-05\t0\n"
    (bought,) = import_trades(text, now=NOW).trades
    assert (bought.quantity, bought.price) == (D("1500000"), D("0.000012"))


def held(asset: str, held: str, sold: str, when: datetime) -> TradeRejected:
    return TradeRejected("trade.oversold", asset=asset, held=D(held), sold=D(sold), at=when)


MARCH_1 = datetime(2024, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("01/03/2024,buy,BTC,1,64000,0", BadArgument("csv.bad_date", typed="01/03/2024")),
        ("2024-02-30,buy,BTC,1,64000,0", BadArgument("csv.bad_date", typed="2024-02-30")),
        (
            "2024-03-01 10:00,buy,BTC,1,64000,0",
            BadArgument("csv.date_without_zone", typed="2024-03-01 10:00"),
        ),
        (
            "2099-01-01,buy,BTC,1,64000,0",
            TradeRejected("trade.future", at=datetime(2099, 1, 1, tzinfo=UTC)),
        ),
        ("2024-03-01,hold,BTC,1,64000,0", TradeRejected("trade.not_a_side", side="hold")),
        ("2024-03-01,buy,,1,64000,0", TradeRejected("trade.no_asset")),
        ("2024-03-01,buy,BTC,,64000,0", BadArgument("csv.missing", what="quantity")),
        ("2024-03-01,buy,BTC,0,64000,0", TradeRejected("trade.not_positive", what="quantity")),
        ("2024-03-01,buy,BTC,-1,64000,0", TradeRejected("trade.not_positive", what="quantity")),
        ("2024-03-01,buy,BTC,1,-64000,0", TradeRejected("trade.not_positive", what="price")),
        ("2024-03-01,buy,BTC,1,64000,-5", TradeRejected("trade.negative_fee")),
        (
            "2024-03-01,buy,BTC,1,$64000,0",
            BadArgument("csv.not_a_number", what="price", typed="$64000"),
        ),
        (
            "2024-03-01,buy,BTC,one,64000,0",
            BadArgument("csv.not_a_number", what="quantity", typed="one"),
        ),
        ("2024-03-01,buy,BTC,1,64000", BadArgument("csv.field_count", fields=5, header=6)),
        ("2024-03-01,buy,BTC,1,64,000.50,0", BadArgument("csv.field_count", fields=7, header=6)),
        ("2024-03-01,sell,BTC,1,64000,0", held("BTC", "0", "1", MARCH_1)),
    ],
)  # fmt: skip
def test_each_refused_line_says_why(line: str, reason: Refusal) -> None:
    result = import_trades(f"{HEADER}\n{line}\n", now=NOW)
    assert result.trades == []
    assert result.refused == [(2, line, reason)]


def test_trailing_delimiters_are_tolerated() -> None:
    text = "date,side,symbol,quantity,price,fee\n2024-03-01,buy,BTC,1,64000,0,,\n"
    assert len(import_trades(text, now=NOW).trades) == 1


def test_rows_without_a_quote_are_in_the_portfolios_currency() -> None:
    in_euros = [Trade(1, "BTC", "buy", D("1"), D("60000"), D("0"), NOW, "EUR")]
    (bought,) = import_trades(f"{HEADER}\n2024-05-01,buy,ETH,1,3000,0\n", in_euros, now=NOW).trades
    assert bought.quote == "EUR"


def test_a_trade_in_another_currency_than_the_portfolio_is_refused() -> None:
    text = "date,side,symbol,quantity,price,fee,quote\n2024-05-01,buy,BTC,1,60000,0,EUR\n"
    (refusal,) = import_trades(text, RECORDED, now=NOW).refused
    assert refusal[2] == TradeRejected("trade.other_currency", kept="USD", quote="EUR")


def test_sells_are_checked_in_time_order_against_recorded_and_imported_trades() -> None:
    text = (
        "date,side,symbol,quantity,price,fee\n"
        "2024-05-02,sell,BTC,1.2,70000,0\n"  # after the buy below: 0.49987655 + 1 held
        "2024-05-01,buy,BTC,1,65000,0\n"
        "2024-05-03,sell,BTC,0.5,71000,0\n"  # 0.29987655 left: too much
        "2024-05-04,sell,ETH,2.25,3500,0\n"
    )
    result = import_trades(text, RECORDED, now=NOW)
    assert [(t.side, t.asset, t.quantity) for t in result.trades] == [
        ("buy", "BTC", D("1")),
        ("sell", "BTC", D("1.2")),
        ("sell", "ETH", D("2.25")),
    ]
    assert result.refused == [
        (
            4,
            "2024-05-03,sell,BTC,0.5,71000,0",
            held("BTC", "0.29987655", "0.5", datetime(2024, 5, 3, tzinfo=UTC)),
        )
    ]
    everything = Ledger.replay([*RECORDED, *result.trades])
    assert everything.position("ETH").quantity == 0


def test_an_imported_sell_may_not_starve_a_sell_already_recorded() -> None:
    text = "date,side,symbol,quantity,price,fee\n2024-03-15,sell,BTC,0.4999,70000,0\n"
    (refusal,) = import_trades(text, RECORDED, now=NOW).refused
    assert refusal[2] == TradeRejected(
        "trade.starves_sell",
        asset="BTC",
        quantity=D("0.00012345"),
        at=datetime(2024, 4, 1, 8, 30, 15, tzinfo=UTC),
    )


def test_rows_at_the_same_moment_keep_the_files_order() -> None:
    header, buy, sell = (
        HEADER + "\n",
        "2024-03-01,buy,SOL,1,100,0\n",
        "2024-03-01,sell,SOL,1,110,0\n",
    )
    assert [t.side for t in import_trades(header + buy + sell, now=NOW).trades] == ["buy", "sell"]
    assert [line for line, _, _ in import_trades(header + sell + buy, now=NOW).refused] == [2]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", CsvUnreadable("csv.empty")),
        ("\r\n\r\n", CsvUnreadable("csv.empty")),
        (
            "2024-03-01,buy,BTC,1,64000,0\n",
            CsvUnreadable("csv.no_header", columns=tuple(HEADER.split(","))),
        ),
        (
            "date,side,symbol,amount,price\n",
            CsvUnreadable("csv.no_header", columns=tuple(HEADER.split(","))),
        ),
        ("date,side,symbol,quantity,price,price\n", CsvUnreadable("csv.column_twice")),
        (b"date,side,symbol,quantity,price\n\xff", CsvUnreadable("csv.not_utf8")),
        (
            "date,side,symbol,quantity,price,notes\n",
            CsvUnreadable(
                "csv.unknown_column",
                column="notes",
                columns=("id", "date", "side", "symbol", "quantity", "price", "fee", "quote"),
            ),
        ),
    ],
)
def test_a_file_without_a_usable_header_is_refused_whole(
    text: str | bytes, reason: CsvUnreadable
) -> None:
    with pytest.raises(CsvUnreadable) as caught:
        import_trades(text, now=NOW)
    assert caught.value == reason


def test_screening_refuses_unknown_coins_and_other_currencies_and_books_dollar_coins() -> None:
    lines = [
        "id,date,side,symbol,quantity,price,fee,quote",
        "7,2024-01-01T00:00:00Z,buy,BTC,1,60000,0,USDT",
        "8,2024-01-02T00:00:00Z,buy,ETH,1,3000,0,EUR",
        "",
        "9,2024-01-03T00:00:00Z,buy,NOPE,1,5,0,",
    ]
    kept, refused = screen(lines, {"BTC", "ETH"}, "USD")
    assert kept == [lines[0], "7,2024-01-01T00:00:00Z,buy,BTC,1,60000,0,", "", "", ""]
    assert refused == [
        (3, lines[2], BadArgument("trade.other_currency", kept="USD", quote="EUR")),
        (5, lines[4], BadArgument("csv.unknown_coin", symbol="NOPE")),
    ]


def test_a_file_as_sent_lists_every_refused_line_in_order_with_its_own_text() -> None:
    content = (
        "\ufeffdate,side,symbol,quantity,price,fee,quote\r\n"
        "2024-01-02,buy,NOPE,1,5,0,\r\n"
        "2024-01-01,sell,BTC,1,60000,0,USDC\r\n"
        "2024-01-03,buy,BTC,1,60000,0,usdt\r\n"
    ).encode()
    result = import_file(content, [], known={"BTC"}, quote="USD", now=NOW)
    assert [(t.asset, t.quote) for t in result.trades] == [("BTC", "USD")]
    assert [(line, text[:17]) for line, text, _ in result.refused] == [
        (2, "2024-01-02,buy,NO"),
        (3, "2024-01-01,sell,B"),
    ]
    assert [why.code for _, _, why in result.refused] == ["csv.unknown_coin", "trade.oversold"]
    with pytest.raises(CsvUnreadable):
        import_file(b"\xff\xfe", [], known=set(), quote="USD", now=NOW)


# ---- files too large, too long or not text: refused whole, before anything is read ---------------


def _file(content: str | bytes) -> CsvUnreadable:
    """What import_file says of a file that cannot be read (any other exception fails)."""
    data = content.encode() if isinstance(content, str) else content
    with pytest.raises(CsvUnreadable) as caught:
        import_file(data, [], known={"BTC"}, quote="USD", now=NOW)
    return caught.value


def test_a_field_larger_than_pythons_csv_reads_is_refused_as_a_line_too_long() -> None:
    huge = "x" * (128 * 1024 + 1)  # what Python's csv module raises _csv.Error for
    for where in (f"{HEADER}\n2024-01-01,buy,BTC,1,{huge},0\n", f"{HEADER},{huge}\n"):
        line = 2 if where.startswith(HEADER + "\n") else 1
        assert _file(where) == CsvUnreadable("csv.line_too_long", line=line, limit=MAX_LINE)
    quoted = f'{HEADER}\n2024-01-01,buy,BTC,1,"{huge}",0\n'
    assert _file(quoted).code == "csv.line_too_long"


def test_a_line_of_exactly_the_limit_is_read() -> None:
    row = "2024-01-01,buy,BTC,1,100,0"
    padded = row + "," * (MAX_LINE - len(row))  # trailing delimiters are tolerated
    result = import_file(f"{HEADER}\n{padded}\n".encode(), [], known={"BTC"}, quote="USD", now=NOW)
    assert len(result.trades) == 1


def test_a_file_of_too_many_lines_is_refused_whole() -> None:
    rows = "2024-01-01,buy,BTC,1,100,0\n" * MAX_LINES  # with the header: one line too many
    assert _file(f"{HEADER}\n{rows}") == CsvUnreadable(
        "csv.too_many_lines", lines=MAX_LINES + 1, limit=MAX_LINES
    )
    assert _file("\n" * (MAX_LINES + 5)).code == "csv.too_many_lines"  # blank lines count


def test_a_file_too_big_is_refused_before_it_is_read() -> None:
    content = b"\xff" * (MAX_FILE_BYTES + 1)  # not even UTF-8: the size is said first
    assert _file(content) == CsvUnreadable(
        "csv.too_big", size=MAX_FILE_BYTES + 1, limit=MAX_FILE_BYTES
    )


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (f"{HEADER}\n2024-01-01,buy,BTC,1,100,0\n".encode("utf-16"), "csv.not_utf8"),
        (f"{HEADER}\n2024-01-01,buy,BTC,1,100,é\n".encode("latin-1"), "csv.not_utf8"),
        (f"{HEADER}\n2024-01-01,buy,BTC,1,100,0\n".encode("cp1251"), None),  # ASCII: readable
        ("дата,сторона,символ\n".encode("cp1251"), "csv.not_utf8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "csv.not_utf8"),
        (b"PK\x03\x04\x14\x00\x06\x00", "csv.no_header"),  # a spreadsheet, not its CSV
        (b"\x00\x00\x00\x00", "csv.no_header"),
        (b"", "csv.empty"),
    ],
)
def test_a_file_in_another_encoding_or_no_text_at_all_is_refused_in_one_line(
    content: bytes, code: str | None
) -> None:
    if code is None:
        assert len(import_file(content, [], known={"BTC"}, quote="USD", now=NOW).trades) == 1
    else:
        assert _file(content).code == code


def test_binary_garbage_is_refused_or_read_but_never_breaks_the_import() -> None:
    rng = random.Random(2024)
    for size in (1, 16, 4096, 200_000):
        for _ in range(20):
            content = bytes(rng.randrange(256) for _ in range(size))
            with contextlib.suppress(CsvUnreadable):
                import_file(content, [], known={"BTC"}, quote="USD", now=NOW)
    for _ in range(200):  # valid UTF-8, but any characters at all after a good header
        noise = "".join(chr(rng.choice([0, 9, 10, 13, 34, 44, 59, rng.randrange(1, 0x2FFF)]))
                        for _ in range(rng.randrange(1, 400)))  # fmt: skip
        try:
            result = import_file(f"{HEADER}\n{noise}".encode(), [], known={"BTC"}, quote="USD",
                                 now=NOW)  # fmt: skip
        except CsvUnreadable:
            continue
        assert all(isinstance(why, Refusal) for _, _, why in result.refused)


@pytest.mark.parametrize(
    ("row", "code"),
    [
        ("2024-01-01,buy,BTC,1,1e-999,0", "amount.too_small"),  # no price, however written
        ("2024-01-01,buy,BTC,1e-999,100,0", "amount.too_small"),
        ("2024-01-01,buy,BTC,1,1e99,0", "amount.too_big"),
        ("2024-01-01,buy,BTC,0.0000000000000000001,100,0", "amount.too_small"),
        ("2024-01-01,buy,BTC,1,100,1e20", "amount.too_big"),
    ],
)
def test_a_number_out_of_bounds_in_a_file_is_refused_as_in_chat(row: str, code: str) -> None:
    result = import_file(f"{HEADER}\n{row}\n".encode(), [], known={"BTC"}, quote="USD", now=NOW)
    assert result.trades == []
    assert [(line, why.code) for line, _text, why in result.refused] == [(2, code)]
