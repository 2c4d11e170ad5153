"""Commands to type: the examples of bot/commands.py, mutated, hostile, or wrong on purpose.

Each comes with what it may do to the database: `REFUSED` (wrong by construction: nothing may
change), `READ_ONLY` (a command that only shows: nothing may change either) or `ANY` (the
person's own rows may change; never anyone else's).
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.commands import COMMANDS
from tests.fuzz import inputs as v

REFUSED, READ_ONLY, ANY = "refused", "read-only", "any"
SHOWS = {"price", "prices", "top", "chart", "ta", "compare", "corr", "trades", "help", "alerts"}
SHOWS |= {"export", "portfolio", "pnl", "news", "sentiment"}
SHOWS |= {"backtest"}
SHOWS |= {"predict", "accuracy"}
SHOWS_WITHOUT_ARGS = {"language", "timezone", "quiet", "costbasis", "currency", "follow"}
# rendering pictures takes a while: typed less often than the rest
WEIGHT = {"chart": 0.4, "compare": 0.4, "corr": 0.3, "pnl": 0.6, "portfolio": 0.6, "ta": 0.6}
WEIGHT["sentiment"] = 0.5
WEIGHT["backtest"] = 0.4
WEIGHT["accuracy"] = 0.5


@dataclass(frozen=True)
class Typed:
    text: str
    expect: str
    how: str  # which generator made it, for the report
    command: str | None = None  # the command it invokes (None: plain text, or another bot's)


def _examples() -> dict[str, list[str]]:
    """`<code>/price BTC</code>` and the like from every command's usage text."""
    found: dict[str, list[str]] = {c.name: [] for c in COMMANDS}
    for command in COMMANDS:
        for code in re.findall(r"<code>(/[^<]+)</code>", command.usage):
            typed = html.unescape(code)
            name = typed[1:].split()[0]
            if name in found:
                found[name].append(typed)
    return found


# more of what works, where the usage texts show little
MORE = {
    "costbasis": ["/costbasis fifo", "/costbasis average", "/costbasis AVERAGE"],
    "currency": ["/currency USD", "/currency usdt", "/currency USDC"],
    "language": ["/language en", "/language es", "/language ru", "/language RU"],
    "alert": ["/alert BTC > 70k every 1h", "/alert ETH < 1000 for 7d", "/alert SOL 150 once"],
    "watch": ["/watch DOGE", "/watch btc eth sol doge ltc"],
    "unwatch": ["/unwatch all", "/unwatch BTC ETH"],
    "buy": ["/buy BTC 0,5 @ 60.000,50", "/buy DOGE 1000 at 0.1 fee 0 on 2023-01-05 14:30"],
    "sell": ["/sell BTC 0.5 @ 70000 fee 1", "/sell SOL 10"],
    "trades": ["/trades", "/trades ETH"],
    "pnl": ["/pnl", "/pnl day", "/pnl all", "/pnl year"],
    "timezone": ["/timezone Asia/Kolkata", "/timezone UTC", "/timezone Pacific/Chatham"],
    "quiet": ["/quiet 00:00-23:59", "/quiet 7:00-7:30"],
    "help": ["/help alert", "/help nothing"],
    "news": ["/news", "/news BTC", "/news eth", "/news market"],
    "sentiment": ["/sentiment", "/sentiment BTC", "/sentiment sol"],
    "follow": ["/follow", "/follow news BTC", "/follow news eth sol"],
    "unfollow": ["/unfollow news BTC", "/unfollow news all"],
}
EXAMPLES = {name: found + MORE.get(name, []) for name, found in _examples().items()}
NAMES = [c.name for c in COMMANDS]


def _expect(name: str, args: str) -> str:
    if name in SHOWS or (name in SHOWS_WITHOUT_ARGS and not args.strip()):
        return READ_ONLY
    return ANY


def _trade_wrong(rng: random.Random) -> str:
    side, coin = rng.choice(("buy", "sell")), v.coin(rng)
    quantity = v.amount(rng).replace(" ", "")
    forms = (
        lambda: f"/{side} {coin} {v.bad_level(rng)}",
        lambda: f"/{side} {coin} {quantity} @ {v.bad_level(rng)}",
        lambda: f"/{side} {coin} {quantity} fee {v.bad_amount(rng)}",
        lambda: f"/{side} {coin} {quantity} on {v.pick(rng, v.BAD_DATES)}",
        lambda: f"/{side} {v.pick(rng, v.UNKNOWN_COINS)} {quantity}",
        lambda: f"/{side} {coin}",
        lambda: f"/{side}",
        lambda: f"/{side} {coin} {quantity} banana",
    )
    return rng.choice(forms)()


def _alert_wrong(rng: random.Random) -> str:
    coin = v.coin(rng)
    forms = (
        lambda: f"/alert {coin} {rng.choice(('>', '<', 'above', 'below'))} {v.bad_level(rng)}",
        lambda: f"/alert {v.pick(rng, v.UNKNOWN_COINS)} > 100",
        lambda: f"/alert {coin} rsi < {rng.choice(('150', '-5', 'NaN', '101', '1e2'))}",
        lambda: f"/alert {coin} rsi {rng.choice(('1', '501', '0'))} < 30",
        lambda: f"/alert {coin} {rng.choice(('-150%', '-500%', '+5000%', 'NaN%', '∞%'))} 1h",
        lambda: f"/alert {coin} -5% {rng.choice(('1m', '0h', '31d', '99999d', '-1h'))}",
        lambda: f"/alert {coin} volume x{rng.choice(('0', '1000', '-3', 'NaN'))}",
        lambda: f"/alert {coin} > 70000 every {rng.choice(('1m', '0h', '31d'))}",
        lambda: f"/alert {coin} > 70000 for {rng.choice(('400d', '0d', '2y'))}",
        lambda: f"/alert {coin} > 70000 until {v.pick(rng, v.BAD_DATES)}",
        lambda: f"/alert {coin} banana",
        lambda: f"/alert {coin} > 70000 rsi macd volume",
        lambda: f"/alert {coin} sentiment {rng.choice(('<', '>', '='))} {rng.choice(('NaN', 'x'))}",
        lambda: f"/alert {coin} sentiment < {rng.choice(('-1', '1', '2', '-7'))}",
        lambda: f"/alert {coin} news {rng.choice(('0', '-5', '101', '1e9', 'NaN'))} in 1h",
        lambda: f"/alert {coin} news 5 in {rng.choice(('1m', '0h', '25h', '99999d'))}",
        lambda: (
            f"/alert {coin} predict {rng.choice(('up', 'down'))} > "
            f"{rng.choice(('0%', '100%', '-5%', '1e9%', 'NaN%', '∞', '0.001'))} 24h"
        ),
        lambda: f"/alert {coin} predict up > 65% {rng.choice(('2h', '0h', '7d', '1m', '<b>'))}",
        lambda: f"/alert {coin} predict {rng.choice(('> 65%', 'up', 'up down > 60%', 'sideways'))}",
    )
    return rng.choice(forms)()


WRONG: dict[str, Callable[[random.Random], str]] = {
    "buy": _trade_wrong,
    "sell": _trade_wrong,
    "alert": _alert_wrong,
    "watch": lambda rng: (
        "/watch "
        + " ".join(rng.choice((*v.UNKNOWN_COINS, "<b>", "&", "🚀", "\u200b")) for _ in range(3))
    ),
    "unwatch": lambda rng: "/unwatch " + v.pick(rng, v.UNKNOWN_COINS),
    "follow": lambda rng: rng.choice(
        ("/follow news " + v.pick(rng, v.UNKNOWN_COINS), "/follow banana BTC", "/follow news")
    ),
    "news": lambda rng: "/news " + rng.choice((v.pick(rng, v.UNKNOWN_COINS), "BTC ETH", "<b>")),
    "sentiment": lambda rng: "/sentiment " + v.pick(rng, v.UNKNOWN_COINS),
    "predict": lambda rng: (
        "/predict "
        + rng.choice(
            (v.pick(rng, v.UNKNOWN_COINS), "BTC 2h", "BTC ETH", "1h 4h", "BTC 4h 24h", "<b>", "")
        )
    ),
    "accuracy": lambda rng: "/accuracy " + rng.choice((v.pick(rng, v.UNKNOWN_COINS), "BTC ETH")),
    "backtest": lambda rng: (
        f"/backtest {v.coin(rng)} "
        + rng.choice(("2h", "0.3", "99%", "1h 4h", "0.6 0.7", "3x", "20y", "NaN", "1e9%", "<b>"))
    ),
    "language": lambda rng: (
        "/language " + rng.choice(("xx", "klingon", "<b>", "e n", "EN-XX", "ru" * 3000))
    ),
    "timezone": lambda rng: (
        "/timezone "
        + rng.choice(("Mars/Olympus", "UTC+99", "../../etc/passwd", "Z" * 5000, "Europe/", "<b>"))
    ),
    "quiet": lambda rng: (
        "/quiet "
        + rng.choice(
            ("25:00-07:00", "22:00-07:61", "-", "24:01-01:00", "ab:cd-ef:gh", "99:99-99:99")
        )
    ),
    "costbasis": lambda rng: "/costbasis " + rng.choice(("lifo", "hifo", "random", "fifo2")),
    "currency": lambda rng: "/currency " + rng.choice(("EUR", "BTC", "usdx", "JPY", "₿")),
}


def _mutate(rng: random.Random, typed: str) -> str:
    """An example with one of its arguments replaced, doubled, or with hostile words added."""
    words = typed.split(" ")
    if len(words) > 1 and rng.random() < 0.6:
        at = rng.randrange(1, len(words))
        words[at] = v.hostile_word(rng)
    else:
        words.append(v.hostile_text(rng, rng.randint(1, 3)))
    return " ".join(words)


def _invocation(rng: random.Random, name: str) -> str:
    """How the command is written: as usual, addressed to the bot, or in odd case."""
    roll = rng.random()
    if roll < 0.12:
        return f"/{name}@pythia_bot"
    if roll < 0.16:
        return f"/{name.upper()}"
    return f"/{name}"


def typed_command(rng: random.Random) -> Typed:
    """One command line and what it may change."""
    name = rng.choices(NAMES, [WEIGHT.get(n, 1.0) for n in NAMES])[0]
    roll = rng.random()
    if name in WRONG and roll < 0.3:
        return Typed(WRONG[name](rng), REFUSED, "wrong", name)
    examples = EXAMPLES.get(name) or [f"/{name}"]
    if roll < 0.55:
        text = rng.choice(examples)
        how = "example"
    elif roll < 0.8:
        text, how = _mutate(rng, rng.choice(examples)), "mutated"
    elif roll < 0.9:
        text, how = f"/{name} {v.hostile_text(rng)}", "hostile"
    else:
        text, how = f"/{name}", "bare"
    args = text.split(" ", 1)[1] if " " in text else ""
    text = _invocation(rng, name) + (" " + args if args else "")
    return Typed(text, _expect(name, args), how, name)


def stray_command(rng: random.Random) -> Typed:
    """A command Pythia does not have, or one addressed to another bot: nothing may change."""
    forms = (
        lambda: "/" + rng.choice(("frobnicate", "admin", "sudo", "price_", "pricee", "start2")),
        lambda: f"/{rng.choice(NAMES)}@other_bot {v.hostile_text(rng, 1)}",
        lambda: "/" + "x" * rng.choice((33, 100, 4000)),
        lambda: "/" + v.hostile_word(rng),
    )
    return Typed(rng.choice(forms)(), REFUSED, "stray")


def plain_text(rng: random.Random) -> Typed:
    """Chatter (or an answer to the guided /alert, which may set an alert)."""
    if rng.random() < 0.3:
        return Typed(rng.choice(("BTC", "eth", "70000", "> 65000", "-5% 1h", "0,5")), ANY, "text")
    return Typed(v.hostile_text(rng), ANY, "text")
