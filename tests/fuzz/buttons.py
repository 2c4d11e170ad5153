"""Button presses: on the buttons the bot shows, replayed from long ago, forged through the
codec of bot/callbacks.py with someone else's ids, or plain garbage.

What a press may change follows from its data and who presses (`expectation`): nothing when
it does not decode, is someone else's, or names what is not the presser's; otherwise only the
presser's own rows.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from bot import callbacks as cb
from bot.emulator import MessageRecord, User
from tests.fuzz import inputs as v
from tests.fuzz.commands import ANY, READ_ONLY, REFUSED


@dataclass
class Known:
    """What a forger could have learnt: everyone's ids, alert ids and Confirm tokens."""

    people: list[int]
    alerts: dict[int, list[int]] = field(default_factory=dict)  # person -> alert ids
    tokens: dict[int, list[str]] = field(default_factory=dict)  # person -> unanswered tokens

    def owner_of_alert(self, alert_id: int) -> int | None:
        return next((p for p, ids in self.alerts.items() if alert_id in ids), None)

    def owner_of_token(self, token: str) -> int | None:
        return next((p for p, tokens in self.tokens.items() if token in tokens), None)


@dataclass(frozen=True)
class Press:
    message: MessageRecord
    data: str
    expect: str
    how: str
    strict: bool  # the button is on the message (a real client could press it)


def expectation(data: str, presser: int, known: Known) -> str:
    """REFUSED, READ_ONLY or ANY for `presser` pressing `data`."""
    pressed = cb.decode(data)
    if pressed is None:
        return REFUSED
    owner = getattr(pressed, "owner", None)
    if owner is not None and owner != presser:
        return REFUSED
    if isinstance(pressed, cb.AlertAction) and known.owner_of_alert(pressed.alert_id) != presser:
        return REFUSED
    if isinstance(pressed, cb.ConfirmButton) and known.owner_of_token(pressed.token) != presser:
        return REFUSED
    if isinstance(pressed, cb.AlertChart | cb.AlertsPage | cb.TradesPage | cb.RefreshPrices):
        return READ_ONLY
    return ANY


def _someone(rng: random.Random, presser: int, known: Known, optional: bool = False) -> int | None:
    """An owner to put in a button: the presser, someone else, nobody, or nobody we know."""
    roll = rng.random()
    if optional and roll < 0.2:
        return None
    if roll < 0.55:
        return presser
    if roll < 0.95:
        return rng.choice(known.people)
    return rng.choice((1, 2**53, 777_000))


def _alert_id(rng: random.Random, presser: int, known: Known) -> int:
    own = known.alerts.get(presser, [])
    others = [i for p, ids in known.alerts.items() if p != presser for i in ids]
    pool = [*own, *others] if own or others else []
    if pool and rng.random() < 0.85:
        return rng.choice(pool)
    return rng.choice((1, 2, 999_999, 2**53))


def _token(rng: random.Random, presser: int, known: Known) -> str:
    pool = [t for tokens in known.tokens.values() for t in tokens]
    if pool and rng.random() < 0.85:
        return rng.choice(pool)
    return rng.choice(("AAAAAAAA", "a" * 32, "-_-_-_-_", "0123456789abcdef"))


def forged(rng: random.Random, presser: int, known: Known) -> str:
    """Data of a real button type, with fields a forger chose."""
    coins = ("BTC", "ETH", "ZZZZ", "A" * 15, "123", "DOGE")
    flow_values = (None, "BTC", "price", "70000", "<>", "x" * 40, "± 5%", "rsi")
    settings_values: tuple[str | None, ...] = (None, "es", "USDT", "average", "22-07")
    settings_values += ("news_story-", "broadcast+", "alert_fired-", "Europe/Berlin", "Mars/X")
    makers: list[Callable[[], cb.Button]] = [
        lambda: cb.AlertAction(
            rng.choice(("pause", "resume", "delete")),
            _alert_id(rng, presser, known),
            _someone(rng, presser, known, optional=True),
        ),
        lambda: cb.AlertChart(rng.choice(coins)),
        lambda: cb.AlertsPage(_someone(rng, presser, known) or presser, rng.choice((0, 1, 9999))),
        lambda: cb.FlowButton(
            _someone(rng, presser, known) or presser,
            rng.choice(cb.FLOW_STEPS),
            rng.choice(flow_values),
        ),
        lambda: cb.TradesPage(
            _someone(rng, presser, known) or presser,
            rng.choice((0, 1, 2, 10_000)),
            rng.choice((None, *coins)),
        ),
        lambda: cb.ConfirmButton(
            _token(rng, presser, known),
            rng.choice(("y", "n")),
            _someone(rng, presser, known, optional=True),
        ),
        lambda: cb.CostBasisChoice(
            rng.choice(("fifo", "average")), _someone(rng, presser, known) or presser
        ),
        lambda: cb.CurrencyChoice(
            rng.choice(("USD", "USDT", "USDC")), _someone(rng, presser, known) or presser
        ),
        lambda: cb.LanguageChoice(
            rng.choice(("en", "es", "ru")), _someone(rng, presser, known) or presser
        ),
        lambda: cb.RefreshPrices(_someone(rng, presser, known) or presser),
        lambda: cb.SettingsButton(
            rng.choice(cb.SETTINGS_PAGES),
            _someone(rng, presser, known) or presser,
            rng.choice(settings_values),
        ),
    ]
    try:
        return cb.encode(rng.choice(makers)())
    except ValueError:  # too long for Telegram: a forger would send it anyway
        return garbage(rng, [])


def garbage(rng: random.Random, seen: list[str]) -> str:
    """Data no Pythia button ever had: empty, oversized, malformed, or a real one mangled."""
    forms: list[Callable[[], str]] = [
        lambda: "",
        lambda: " ",
        lambda: ":",
        lambda: ":::",
        lambda: "x" * 65,
        lambda: "é" * 40,
        lambda: "x" * rng.choice((300, 4096)),
        lambda: rng.choice(("alert", "trade:", "alerts", "lang", "prices:", "costbasis:")),
        lambda: "alert:pause:-5",
        lambda: "alert:pause:9007199254740993",
        lambda: "alert:pause:" + "9" * 17,
        lambda: "alert:explode:1",
        lambda: "alert:pause:1:2:3:4",
        lambda: "alerts:1:99999999",
        lambda: "trade::y",
        lambda: "trade:" + "A" * 40 + ":y",
        lambda: "lang:xx:1",
        lambda: "alert:pause:١",
        lambda: "prices:" + "\u200b",
        lambda: v.hostile_word(rng)[:64],
    ]
    if seen:
        real = rng.choice(seen)
        forms += [
            lambda: real[:-1],
            lambda: real + ":1",
            lambda: real.upper(),
            lambda: real.replace(":", "::", 1),
            lambda: real + "\u200b",
        ]
    return rng.choice(forms)()


def choose_press(
    rng: random.Random,
    presser: User,
    messages: list[MessageRecord],
    seen: list[str],
    known: Known,
) -> Press | None:
    """A press in a chat whose live bot messages are `messages` (None: nothing to press)."""
    if not messages:
        return None
    with_buttons = [m for m in messages if any("callback_data" in b for b in m.buttons)]
    roll = rng.random()
    if with_buttons and roll < 0.5:
        message = rng.choice(with_buttons[-6:])  # the recent ones, as people press
        data = rng.choice([b["callback_data"] for b in message.buttons if "callback_data" in b])
        return Press(message, data, expectation(data, presser.id, known), "button", True)
    message = rng.choice(messages[-10:])
    if seen and roll < 0.65:
        data, how = rng.choice(seen), "replay"
    elif roll < 0.88:
        data, how = forged(rng, presser.id, known), "forged"
    else:
        data, how = garbage(rng, seen), "garbage"
    return Press(message, data, expectation(data, presser.id, known), how, False)
