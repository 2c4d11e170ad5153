"""Files to send as CSV imports: good ones (small, to keep the ledger small), odd ones, and
ones no import can come of (those must change nothing)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from tests.fuzz import inputs as v
from tests.fuzz.commands import ANY, REFUSED

MAX_UPLOAD = 1024 * 1024  # what the bot takes (bot/handlers/trades.py)
PLAIN = "date,side,symbol,quantity,price,fee"
OWN = "id,date,side,symbol,quantity,price,fee,quote"
# files take exponents (Pythia's own export writes 1.5E-05): not wrong there
WRONG_IN_FILES = tuple(a for a in v.BAD_AMOUNTS + v.ZEROS if "e" not in a.lower() or "999" in a)


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes
    mime_type: str | None
    expect: str
    how: str


def _rows(rng: random.Random, count: int) -> list[str]:
    """Buys (and a smaller sell now and then) at dates in the past, plainly written."""
    rows = []
    for _ in range(count):
        day = f"20{rng.randint(20, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        coin = rng.choice(("BTC", "ETH", "SOL", "DOGE"))
        side = "buy" if rng.random() < 0.8 else "sell"
        quantity = rng.choice(("0.01", "0.5", "1", "3", "100"))
        price = rng.choice(("0.1", "150", "3500", "65000"))
        rows.append(f"{day},{side},{coin},{quantity},{price},{rng.choice(('', '0', '1.5'))}")
    return rows


def _good(rng: random.Random) -> tuple[str, str]:
    roll = rng.random()
    rows = _rows(rng, rng.randint(1, 12))
    if roll < 0.4:
        return "\n".join([PLAIN, *rows]) + "\n", "plain"
    if roll < 0.6:
        own = [f"{i},{r},USD" for i, r in enumerate(rows, 1)]
        return "\n".join([OWN, *own]), "export layout"
    if roll < 0.8:
        semicolon = [r.replace(",", ";").replace(".", ",") for r in rows]
        return "\ufeff" + "\r\n".join([PLAIN.replace(",", ";"), *semicolon]), "semicolons"
    if roll < 0.9:
        hostile = [f"{r},{v.hostile_word(rng)}" for r in rows]  # one field too many on each
        return "\n".join([PLAIN, *rows[:1], *hostile]), "extra fields"
    odd = ("1e-18", "1E+3", "0.000000000000000001", "999999999999999", "1e-999", "1E-13")
    extremes = [
        f"{i},2023-0{rng.randint(1, 9)}-1{rng.randint(0, 9)},buy,BTC,{rng.choice(odd)},"
        f"{rng.choice(odd)},{rng.choice(('', '0', *odd))}"
        for i in range(rng.randint(1, 6))
    ]
    return "\n".join([OWN.removesuffix(",quote"), *extremes]), "extreme numbers"


def _all_wrong(rng: random.Random) -> tuple[str, str]:
    """A readable file whose every row is refused: nothing to confirm, nothing to record."""
    rows = []
    for _ in range(rng.randint(1, 8)):
        bad = rng.choice(
            (
                f"{v.pick(rng, v.BAD_DATES)},buy,BTC,1,100,0",
                f"2024-01-01,buy,BTC,{v.pick(rng, WRONG_IN_FILES)},100,0",
                f"2024-01-01,buy,BTC,1,{v.pick(rng, WRONG_IN_FILES)},0",
                "2024-01-01,hodl,BTC,1,100,0",
                f"2024-01-01,buy,{v.pick(rng, v.UNKNOWN_COINS)},1,100,0",
                '2024-01-01,buy,=HYPERLINK("http://x"),1,100,0',
                "2024-01-01 10:00,buy,BTC,1,100,0",  # a time without a zone
                f"2024-01-01,buy,BTC,1,100,0,{'x' * 70_000}",
            )
        )
        rows.append(bad)
    return "\n".join([PLAIN, *rows]), "every row wrong"


def choose_document(rng: random.Random) -> Document:
    roll = rng.random()
    if roll < 0.45:
        text, how = _good(rng)
        name = rng.choice(("trades.csv", "TRADES.CSV", "my trades <b>.csv", "📈.csv", "x.txt"))
        return Document(name, text.encode(), None, ANY, how)
    if roll < 0.6:
        text, how = _all_wrong(rng)
        return Document("wrong.csv", text.encode(), "text/csv", REFUSED, how)
    unreadable: list[tuple[bytes, str]] = [
        (b"", "empty"),
        (b"\n\n\r\n", "blank lines"),
        (bytes(rng.randrange(256) for _ in range(rng.choice((16, 4096)))), "binary"),
        ("\n".join([PLAIN, *_rows(rng, 3)]).encode("utf-16"), "UTF-16"),
        (
            "date,side,symbol,quantity,price,fee\n2024-01-01,buy,BTC,1,100,é\n".encode("latin-1"),
            "Latin-1",
        ),
        (b"date,side,symbol,quantity,price,fee,comment\n2024-01-01,buy,BTC,1,100,0,x\n", "column"),
        (b"date,date,side,symbol,quantity,price\n", "column twice"),
        (b"1,2,3\n4,5,6\n", "no header"),
        (b"x" * (MAX_UPLOAD + 1), "over 1 MB"),
        (PLAIN.encode() + b"\n" + b"9" * 200_000 + b"\n", "a 200 kB field"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "a picture"),
    ]
    content, how = rng.choice(unreadable)
    name = rng.choice(("trades.csv", "a.csv", "noext", "../../etc/passwd", "x" * 255))
    return Document(name, content, rng.choice((None, "text/csv", "image/png")), REFUSED, how)
