"""Hostile values to put where a person types: numbers, words, dates and free text.

Each generator takes the run's `random.Random`, so a seed gives the same values every time.
`BAD_*` values are refused by construction (a command carrying one must change nothing);
`ODD_*` values may or may not be accepted, and only have to be answered gracefully.
"""

from __future__ import annotations

import random

# Numbers that can never be a quantity, price, fee or level (zero aside: see ZEROS).
BAD_AMOUNTS = (
    "NaN", "nan", "-nan", "Infinity", "-Infinity", "inf", "-inf", "∞", "-1", "-0.5", "−3",
    "1e5", "1E-7", "1e999", "1e-999", "0x10", "1_000", "--5", "5-", "1.2.3.4,5,6", "½", "1/2",
    "9" * 41, "1" + "0" * 5000, "0." + "0" * 4000 + "1", "1,2,3,4", ".", ",", "e", "1e", "12abc",
)  # fmt: skip
# Zero in every spelling: no quantity, price or level, but a fine fee.
ZEROS = ("0", "0.0", "-0", "-0.0", "+0", "0,0", "00", ".0")
# Numbers that are odd but may be fine: decimal commas, groups, tiny and huge plain values.
ODD_AMOUNTS = (
    "0,5", "1,234", "1.234", "1,234.56", "1.234,56", "70k", "70K", "1.5k", "0.00000001",
    "0.000000000000000000000000000001", "99999999999999999999999999",
    "123456789012345678901234567890", "1 000", "70 000,5", "007", "1.", ".5", "1e3", "+5",
    "5.0000000000", "١٢٣", "１２３", "$5", "5$", "5%", "1 000 000 000 000 000 000 000 000 000 000",
)  # fmt: skip
# Dates no trade can have happened on, nor any alert end.
BAD_DATES = (
    "0001-01-01", "9999-12-31", "2024-02-30", "2024-13-01", "2024-00-10", "1970-01-01",
    "2008-12-31", "2100-01-02", "99999-01-01", "-2024-01-01", "2024-1-1-1", "tomorrow",
    "31/02/2024", "yesterday-ish", "2024-02-29T25:00", "0000-00-00",
)  # fmt: skip
ODD_DATES = (
    "2024-02-29", "2024-03-01", "yesterday", "today", "2023-12-31 23:59", "2020-1-5", "2021-06-15",
)  # fmt: skip
UNKNOWN_COINS = ("ZZQX9", "NOTACOIN", "BTCX", "XXXXXXXXXXXXXXX", "B", "Q1W2E3R4T5Y6U7I")
COINS = ("BTC", "ETH", "SOL", "DOGE", "btc", "eth", "bitcoin", "Ethereum", "LTC")

ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")
RTL = ("\u202e", "\u202b", "\u200f", "\u061c")
# Control characters a Telegram client can send (no NUL); \r and \t included.
CONTROLS = (*(chr(c) for c in range(1, 32) if c != 10), "\x7f", "\x85")
MARKUP = (
    "<b>", "</b>", "<i>x</i>", "<script>alert(1)</script>", "&", "&amp;", "&lt;", "&#0;",
    "&#x110000;",
    "<a href='javascript:alert(1)'>x</a>", "<tg-spoiler>", "*bold*", "_it_", "`code`", "```pre```",
    "[link](http://x)", "||spoiler||", "\\", "<", ">", '"', "'", "<pre><code class=\"x\">",
    "<blockquote expandable>", "</code>", "<u><s>", "{x}", "{0}", "%s", "%(n)d", "{{", "}}",
)  # fmt: skip
EMOJI = ("🚀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇺🇦", "₿", "🪙", "\U0001f9ea", "❤️")
SCRIPTS = (
    "Биткоин",
    "比特币",
    "ビットコイン",
    "بيتكوين",
    "ביטקוין",
    "비트코인",
    "Ελληνικά",
    "ẞtraße",
)
WORDS = ("all", "off", "on", "fifo", "average", "usd", "every", "for", "until", "once", "@", "fee")


def pick(rng: random.Random, values: tuple[str, ...]) -> str:
    return values[rng.randrange(len(values))]


def hostile_word(rng: random.Random) -> str:
    """One token: markup, emoji, another script, invisible or control characters, or huge."""
    roll = rng.randrange(9)
    if roll == 0:
        return pick(rng, MARKUP)
    if roll == 1:
        return pick(rng, EMOJI) * rng.choice((1, 3, 700))
    if roll == 2:
        return pick(rng, SCRIPTS)
    if roll == 3:
        return pick(rng, ZERO_WIDTH).join(pick(rng, COINS))
    if roll == 4:
        return pick(rng, RTL) + pick(rng, COINS) + pick(rng, RTL)
    if roll == 5:
        return "".join(pick(rng, CONTROLS) for _ in range(rng.randint(1, 4))) + "x"
    if roll == 6:
        return rng.choice(("A", "9", "€", "я", "<")) * rng.choice((65, 300, 5000))
    if roll == 7:
        return pick(rng, WORDS)
    return pick(rng, BAD_AMOUNTS + ODD_AMOUNTS + ZEROS + UNKNOWN_COINS)


def hostile_text(rng: random.Random, words: int | None = None) -> str:
    """A line of several hostile words separated by spaces (or odd whitespace)."""
    count = words if words is not None else rng.randint(1, 6)
    separators = (" ", " ", " ", "  ", "\t", "\u00a0", "\u3000", "\n")
    parts = [hostile_word(rng) for _ in range(count)]
    return "".join(p + pick(rng, separators) for p in parts).strip() or "x"


def bad_amount(rng: random.Random) -> str:
    return pick(rng, BAD_AMOUNTS)


def bad_level(rng: random.Random) -> str:
    """A number that cannot be a quantity, a price or an alert's level."""
    return pick(rng, BAD_AMOUNTS + ZEROS)


def amount(rng: random.Random) -> str:
    """A plausible amount, odd now and then."""
    if rng.random() < 0.3:
        return pick(rng, ODD_AMOUNTS)
    return str(rng.choice((0.001, 0.01, 0.1, 0.5, 1, 2, 3, 10, 25, 100, 1000, 65000, 3500)))


def coin(rng: random.Random) -> str:
    return pick(rng, COINS)
