"""Candle files are read as what they are — exchange, market, pair and timeframe from their
content or the options, never their name — exactly as written, or refused in one line."""

from __future__ import annotations

import gzip
import json
import zipfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from core.market import Candle
from workers.candle_files import (
    CandleFileError,
    ImportOptions,
    OptionError,
    check,
    count_rows,
    read_batches,
)

ROOT = Path(__file__).resolve().parents[2]
OHLCV = ROOT / "tests" / "fixtures" / "ohlcv"
LAYOUTS = OHLCV / "layouts"
KLINES_JSON = ROOT / "tests/fixtures/exchanges/binance_rest_klines/klines_1m_2024-11-16.json"
SPOT = {"exchange": "binance", "market": "spot", "tz": "UTC"}


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def candle(ts: datetime, *values: str) -> Candle:
    return Candle(ts, *(Decimal(v) for v in values))


def read(path: Path, **options: str) -> tuple[str, list[Candle]]:
    """(what the file is, its candles): "exchange symbol kind timeframe"."""
    file = check(path, ImportOptions.given(**options))
    series = file.series
    what = f"{series.exchange} {series.pair.symbol} {series.pair.kind} {series.timeframe}"
    return what, [c for batch in read_batches(file) for c in batch]


BTC_0420 = candle(utc(2021, 4, 4, 20), "57953.86000000", "58051.25000000", "57826.16000000",
                  "58025.11000000", "1240.20901600")  # fmt: skip
ETH_0420 = candle(utc(2021, 4, 4, 20), "2061.43000000", "2066.61000000", "2051.24000000",
                  "2062.56000000", "13961.84370000")  # fmt: skip


# name, options, what it is, candles, first candle
READS = [
    ("BTCUSDT_1d.csv", {**SPOT, "pair": "BTC/USDT"}, "binance BTC/USDT spot 1d", 300,
     candle(utc(2017, 8, 17), "4261.48000000", "4485.39000000", "4200.74000000",
            "4285.08000000", "795.15037700")),
    ("ETHUSDT_4h.csv", {**SPOT, "pair": "ETH/USDT"}, "binance ETH/USDT spot 4h", 300,
     candle(utc(2017, 8, 17, 4), "301.13000000", "307.96000000", "298.00000000",
            "307.96000000", "1561.95305000")),
    ("BTCUSDT_1h.csv", SPOT, "binance BTC/USDT spot 1h", 300, BTC_0420),  # its ticker column
    # prices keep every digit of the file's floats; volume 21056800 USD / close, 8 places
    ("BTC-USD.csv", {"pair": "BTC/USD"}, "yahoo BTC/USD spot 1d", 300,
     candle(utc(2014, 9, 17), "465.864013671875", "468.17401123046875", "452.4219970703125",
            "457.3340148925781", "46042.49698100")),
    ("layouts/binance_vision_spot_klines.csv", {"pair": "BTC/USDT", "market": "spot"},
     "binance BTC/USDT spot 1h", 48, BTC_0420),
    ("layouts/binance_vision_spot_klines_us.csv", {"pair": "ETH/USDT", "market": "spot"},
     "binance ETH/USDT spot 1h", 24, ETH_0420),
    ("layouts/binance_vision_usdm_klines.csv", {"pair": "ETH/USDT", "market": "perp"},
     "binance ETH/USDT:USDT perp 4h", 36,
     candle(utc(2017, 8, 17, 4), "301.13000000", "307.96000000", "298.00000000",
            "307.96000000", "1561.95305000")),
    ("layouts/bybit_v5_kline_linear.json", {}, "bybit BTC/USDT:USDT perp 1h", 48, BTC_0420),
    ("layouts/bybit_v5_kline.csv", {"pair": "ETH/USDT", "market": "spot"},
     "bybit ETH/USDT spot 1h", 36,
     candle(utc(2021, 4, 9), "2080.39000000", "2096.00000000", "2077.08000000",
            "2092.18000000", "18544.05190000")),
    ("layouts/generic_iso_offsets.csv", {**SPOT, "pair": "ETH/USDT"}, "binance ETH/USDT spot 1d",
     30, candle(utc(2017, 8, 17), "301.13000000", "312.18000000", "298.00000000",
                "302.00000000", "7030.71034000")),
    ("layouts/generic_epoch_seconds.csv", {**SPOT, "pair": "SOL/USDT"},
     "binance SOL/USDT spot 1h", 30,
     candle(utc(2021, 4, 4, 21), "23.74140000", "23.87330000", "23.30100000", "23.86550000",
            "127908.85000000")),
]  # fmt: skip


@pytest.mark.parametrize(("name", "options", "what", "count", "first"), READS)
def test_each_layout_is_read_as_what_it_is_exactly_as_written(
    name: str, options: dict[str, str], what: str, count: int, first: Candle
) -> None:
    found, candles = read(OHLCV / name, **options)
    assert found == what
    assert len(candles) == count
    assert min(candles, key=lambda c: c.ts) == first
    assert str(first.open) in {str(c.open) for c in candles}  # digits as written, zeros too


def test_the_same_candles_in_another_layout_are_the_same_candles() -> None:
    _, binance = read(LAYOUTS / "binance_vision_spot_klines.csv", pair="BTC/USDT", market="spot")
    _, bybit = read(LAYOUTS / "bybit_v5_kline_linear.json")
    _, csv_dump = read(OHLCV / "BTCUSDT_1h.csv", **SPOT)
    assert sorted(bybit, key=lambda c: c.ts) == binance == csv_dump[:48]


def test_a_real_binance_klines_answer_is_read_with_the_pair_given() -> None:
    what, candles = read(KLINES_JSON, pair="ADA/USDT", market="spot")
    assert what == "binance ADA/USDT spot 1m" and len(candles) == 500
    assert candles[0] == candle(utc(2024, 11, 16, 9, 7), "0.72270000", "0.72560000",
                                "0.72270000", "0.72440000", "574761.50000000")  # fmt: skip


def test_the_name_of_a_file_says_nothing(tmp_path: Path) -> None:
    misnamed = tmp_path / "BTCUSDT_1d.json"  # what the old importer took for binance spot 1d
    misnamed.write_bytes((LAYOUTS / "bybit_v5_kline_linear.json").read_bytes())
    assert read(misnamed)[0] == "bybit BTC/USDT:USDT perp 1h"
    nameless = tmp_path / "ETH-USD.csv"
    nameless.write_bytes((OHLCV / "BTCUSDT_1d.csv").read_bytes())
    with pytest.raises(CandleFileError, match="does not say its exchange, pair and market"):
        check(nameless, ImportOptions())


def test_yahoo_volume_is_turned_from_dollars_into_coins() -> None:
    _, candles = read(OHLCV / "BTC-USD.csv", pair="BTC/USD")
    expected = (Decimal(21056800) / Decimal("457.3340148925781")).quantize(Decimal("1E-8"))
    assert candles[0].volume == expected == Decimal("46042.49698100")
    assert all(c.volume.as_tuple().exponent == -8 for c in candles)


def test_an_inverse_perpetual_counts_its_volume_in_coins(tmp_path: Path) -> None:
    # Bybit's inverse contracts are dollars: `volume` counts them, `turnover` the coins.
    answer = {"retCode": 0, "result": {"symbol": "BTCUSD", "category": "inverse", "list": [
        ["1670608800000", "17071", "17073", "17027", "17055.5", "268611", "15.74462667"],
        ["1670605200000", "17071.5", "17071.5", "17061", "17071", "4177", "0.24470092"],
    ]}}  # fmt: skip
    path = tmp_path / "inverse.json"
    path.write_text(json.dumps(answer))
    what, candles = read(path)
    assert what == "bybit BTC/USD:BTC perp 1h"
    assert [c.volume for c in candles] == [Decimal("15.74462667"), Decimal("0.24470092")]


def test_packed_files_read_the_same(tmp_path: Path) -> None:
    source = LAYOUTS / "binance_vision_spot_klines.csv"
    packed = tmp_path / "klines.csv.gz"
    packed.write_bytes(gzip.compress(source.read_bytes()))
    zipped = tmp_path / "BTCUSDT-1h-2021-04.zip"  # as data.binance.vision serves them
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.write(source, "BTCUSDT-1h-2021-04.csv")
    options = {"pair": "BTC/USDT", "market": "spot"}
    assert read(packed, **options) == read(zipped, **options) == read(source, **options)


def test_files_stream_in_batches() -> None:
    file = check(OHLCV / "BTCUSDT_1h.csv", ImportOptions.given(**SPOT))
    assert [len(b) for b in read_batches(file, batch_rows=128)] == [128, 128, 44]
    assert count_rows(OHLCV / "BTCUSDT_1h.csv") == 301


def test_unsorted_rows_are_sorted_and_identical_repeats_kept_once(tmp_path: Path) -> None:
    lines = (LAYOUTS / "generic_epoch_seconds.csv").read_text().splitlines()
    header, rows = lines[0], lines[1:]
    path = tmp_path / "shuffled.csv"
    path.write_text("\n".join([header, *reversed(rows), rows[3], rows[7]]) + "\n")
    _, candles = read(path, **SPOT, pair="SOL/USDT")
    _, expected = read(LAYOUTS / "generic_epoch_seconds.csv", **SPOT, pair="SOL/USDT")
    assert sorted(candles, key=lambda c: c.ts) == expected


def write(tmp_path: Path, source: str, line: int, text: str, name: str = "candles.csv") -> Path:
    """A copy of a fixture with file line `line` (1 = the header) replaced by `text`."""
    lines = (OHLCV / source).read_text().splitlines()
    lines[line - 1] = text
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(
    ("source", "line", "text", "message"),
    [
        ("BTCUSDT_1d.csv", 150, "2017-08-17,1,2,3", ":150: 4 fields, expected 6"),
        ("BTCUSDT_1d.csv", 150, "2018-01-13,abc,2,1,1,5", ":150: 'abc' is not a price or volume"),
        ("BTCUSDT_1d.csv", 150, "2018-01-13,nan,2,1,1,5", ":150: 'nan' is not a price or volume"),
        ("BTCUSDT_1d.csv", 150, "2018-01-13,1,2,1,1,-5", ":150: '-5' is not a price or volume"),
        ("BTCUSDT_1d.csv", 150, "13/01/2018,1,2,1,1,5", ":150: time '13/01/2018' is not ISO 8601"),
        ("BTCUSDT_1d.csv", 150, "2018-01-13,1,2,3,1,5", ":150: prices out of order"),
        ("BTCUSDT_1d.csv", 150, "1990-01-13,1,2,1,1,5", ":150: time '1990-01-13' is not between"),
        ("BTCUSDT_1d.csv", 150, "2018-01-13 05:00:00,1,2,1,1,5",
         ":150: mixed timeframes: this candle opens 5h after the one before it, in a file of 1d"),
        ("BTCUSDT_1d.csv", 150, "2018-01-11,1,2,1,1,5",
         ":150: a second candle at 2018-01-11 00:00 UTC, not the same as on line 149"),
        ("BTCUSDT_1h.csv", 6, "2021-04-05 00:00:00,1,2,1,1,5,ETHUSDT",
         ":6: ticker 'ETHUSDT', but the file began with BTCUSDT"),
        ("BTC-USD.csv", 16, "2014-10-01 00:00:00+00:00,0,0,0,0,100,0.0,0.0", ":16: close is 0"),
        ("layouts/binance_vision_spot_klines.csv", 10,
         "1617598800000,1,2,1,1,5,1617613199999,0,0,0,0,0",
         ":10: mixed timeframes: a 4h candle (open to close time) in a file of 1h candles"),
    ],
)  # fmt: skip
def test_a_bad_record_is_refused_naming_the_file_and_line(
    tmp_path: Path, source: str, line: int, text: str, message: str
) -> None:
    path = write(tmp_path, source, line, text)
    options = {"pair": "BTC/USD"} if "USD." in source else {**SPOT, "pair": "BTC/USDT"}
    with pytest.raises(CandleFileError) as error:
        check(path, ImportOptions.given(**options))
    assert str(error.value).startswith(f"{path}{message}"), str(error.value)
    assert "\n" not in str(error.value)


def test_mixed_timeframes_are_refused_where_the_other_one_starts(tmp_path: Path) -> None:
    hourly = (OHLCV / "BTCUSDT_1h.csv").read_text().splitlines()
    daily = [f"2021-04-{day:02} 00:00:00,1,2,1,1,5,BTCUSDT" for day in range(18, 28)]
    path = tmp_path / "mixed.csv"
    path.write_text("\n".join([*hourly, *daily]) + "\n")
    with pytest.raises(CandleFileError, match=r":302: mixed timeframes: from here the candles"
                       r" are 1d apart, in a file of 1h candles"):  # fmt: skip
        check(path, ImportOptions.given(**SPOT))


@pytest.mark.parametrize(
    ("source", "options", "message"),
    [
        ("BTCUSDT_1d.csv", {}, "does not say its exchange, pair and market; give --exchange, "
                               "--pair and --market (spot or perp)"),
        ("BTCUSDT_1h.csv", {"exchange": "binance", "tz": "UTC"},
         "does not say its market; give --market (spot or perp)"),
        ("BTC-USD.csv", {}, "does not say its pair; give --pair"),
        ("BTCUSDT_1d.csv", {"exchange": "binance", "pair": "BTC/USDT", "market": "spot"},
         ":2: time '2017-08-17' has no UTC offset; give --tz"),
        ("BTC-USD.csv", {"pair": "BTC/USD", "exchange": "binance"},
         "--exchange binance, but the file is yfinance (yahoo)"),
        ("BTC-USD.csv", {"pair": "BTC/USD", "market": "perp"},
         "the options say perp, but the file holds spot candles"),
        ("layouts/bybit_v5_kline_linear.json", {"market": "spot"},
         "the options say spot, but the file holds perp candles (BTC/USDT:USDT)"),
        ("layouts/bybit_v5_kline_linear.json", {"pair": "ETH/USDT"},
         "--pair ETH/USDT, but the file is of BTC/USDT:USDT"),
        ("BTCUSDT_1h.csv", {**SPOT, "pair": "ETH/USDT"}, "--pair ETH/USDT, but the file is of "),
        ("BTCUSDT_1h.csv", {**SPOT, "timeframe": "4h"},
         "--timeframe 4h, but they are mostly 1h apart"),
        ("layouts/binance_vision_usdm_klines.csv", {"pair": "ETH/USDT", "market": "perp",
                                                    "timeframe": "1h"},
         "--timeframe 1h, but the candles last 4h (open to close time)"),
    ],
)  # fmt: skip
def test_what_the_file_and_options_do_not_say_or_contradict_is_one_line(
    source: str, options: dict[str, str], message: str
) -> None:
    with pytest.raises(CandleFileError) as error:
        check(OHLCV / source, ImportOptions.given(**options))
    assert message in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"pair": "BTC"}, "--pair 'BTC' is not a pair"),
        ({"market": "futures"}, "--market 'futures': expected spot or perp"),
        ({"pair": "BTC/USDT:USDT", "market": "spot"}, "is a perpetual, but --market says spot"),
        ({"timeframe": "2h"}, "--timeframe '2h': expected one of 1m, 5m, 15m, 1h, 4h, 1d"),
        ({"tz": "Mars/Olympus"}, "--tz 'Mars/Olympus' is not a time zone"),
        ({"exchange": "binanse"}, "--exchange 'binanse' is not an exchange ccxt knows"),
    ],
)
def test_an_option_that_cannot_be_right_is_refused(options: dict[str, str], message: str) -> None:
    with pytest.raises(OptionError, match=message):
        ImportOptions.given(**options)


def test_naive_times_are_read_in_the_zone_given() -> None:
    _, in_utc = read(OHLCV / "ETHUSDT_4h.csv", **SPOT, pair="ETH/USDT")
    _, in_dubai = read(OHLCV / "ETHUSDT_4h.csv", **{**SPOT, "tz": "Asia/Dubai"}, pair="ETH/USDT")
    assert [c.ts for c in in_dubai] == [c.ts - timedelta(hours=4) for c in in_utc]
    with pytest.raises(CandleFileError, match="2017-08-17 04:00:00' has no UTC offset; give --tz"):
        read(OHLCV / "ETHUSDT_4h.csv", exchange="binance", market="spot", pair="ETH/USDT")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.csv", "time,o,h,l,c,v\n", ":1: unknown layout 'time,o,h,l,c,v'; expected Binance"),
        ("a.csv", "", ": empty; no candles in it"),
        ("a.csv", "time,open,high,low,close,volume\n", ": a header and no candles"),
        ("a.csv", "1617566400000,1,2,1,1,5\n", ":1: no header, and 6 columns are not Binance's"),
        ("a.txt", "time,open,high,low,close,volume\n", ": expected a .csv"),
        ("a.json", "{\"retCode\": 10001, \"retMsg\": \"params error\"}",
         ": the answer is an error (retCode 10001: params error)"),
        ("a.json", "[[1, 2, 3]]", ": entry 1 has 3 values; expected Bybit's 7"),
        ("a.json", "{\"result\": {\"symbol\": \"BTCUSDT\", \"category\": \"option\", \"list\": "
                   "[[\"1617566400000\", \"1\", \"2\", \"1\", \"1\", \"5\", \"0\"]]}}",
         ": category 'option'; expected spot, linear or inverse"),
        ("a.json", "{\"result\": {\"symbol\": \"BTC-26DEC25\", \"category\": \"linear\", \"list\": "
                   "[[\"1617566400000\", \"1\", \"2\", \"1\", \"1\", \"5\", \"0\"]]}}",
         ": symbol 'BTC-26DEC25' is not a spot pair or a perpetual"),
        ("a.json", "not json", ": not JSON"),
    ],
)  # fmt: skip
def test_a_file_that_is_no_candle_file_is_refused(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(CandleFileError) as error:
        check(path, ImportOptions.given(**SPOT, pair="BTC/USDT"))
    assert str(error.value).startswith(f"{path}{message}"), str(error.value)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CandleFileError, match="no such file"):
        check(tmp_path / "BTCUSDT_1h.csv", ImportOptions())
