"""The data of every button Pythia sends, through one typed codec.

Callback data comes back from Telegram as a string anyone can forge, so it is read here and
nowhere else: `decode` returns one of the button types below or None for anything malformed,
oversized or out of range, and handlers are routed by type (`pattern=matches(AlertAction)`).
Each button's layout is declared once, as `prefix:field:field…`; the layouts are those Pythia
has always sent, so buttons on messages already in people's chats keep working.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, ClassVar, cast

MAX_DATA = 64  # bytes: Telegram's limit for callback data
MAX_ID = 2**53  # Telegram's ids fit in 52 bits; ours (rows) too
MAX_PAGE = 10_000


class Kind:
    """How one field reads and writes."""

    def dump(self, value: Any) -> str:
        return str(value)

    def load(self, text: str) -> Any:
        raise NotImplementedError


@dataclass(frozen=True)
class Number(Kind):
    """A whole number from `low` to `high`; `optional`: may be left out (None)."""

    low: int = 0
    high: int = MAX_ID
    optional: bool = False

    def dump(self, value: Any) -> str:
        if value is None and self.optional:
            return ""
        if not isinstance(value, int) or not self.low <= value <= self.high:
            raise ValueError(f"{value!r} is not a number from {self.low} to {self.high}")
        return str(value)

    def load(self, text: str) -> int | None:
        # as `dump` writes it, and only so: ASCII digits (`\d` would take "١٢" for 12), no
        # leading zeros or "-0", at most 16 digits (a 5,000-digit number is not parsed at all)
        if not re.fullmatch(r"0|-?[1-9][0-9]{0,15}", text):
            return None
        value = int(text)
        return value if self.low <= value <= self.high else None


@dataclass(frozen=True)
class Choice(Kind):
    values: tuple[str, ...]

    def dump(self, value: Any) -> str:
        if value not in self.values:
            raise ValueError(f"{value!r} is not one of {self.values}")
        return str(value)

    def load(self, text: str) -> str | None:
        return text if text in self.values else None


@dataclass(frozen=True)
class Text(Kind):
    """Text matching `shape` (a regular expression); `optional`: may be empty (None)."""

    shape: str
    optional: bool = False

    def dump(self, value: Any) -> str:
        if value is None and self.optional:
            return ""
        if not isinstance(value, str) or not re.fullmatch(self.shape, value):
            raise ValueError(f"{value!r} does not match {self.shape}")
        return value

    def load(self, text: str) -> str | None:
        if text == "" and self.optional:
            return None
        return text if re.fullmatch(self.shape, text) else None


ID = Number()
PAGE = Number(0, MAX_PAGE)
SYMBOL = Text(r"[A-Z0-9]{1,15}")
TOKEN = Text(r"[A-Za-z0-9_-]{8,32}")


class Button:
    """A button's data. Subclasses are frozen dataclasses declared with `@button`."""

    PREFIX: ClassVar[str]
    KINDS: ClassVar[tuple[Kind, ...]]


_BY_PREFIX: dict[str, type[Button]] = {}


def button(prefix: str, *kinds: Kind) -> Callable[[type[Any]], type[Any]]:
    """Declare a button type: its prefix and how each of its fields (in order) reads."""

    def declare(cls: type[Any]) -> type[Any]:
        if prefix in _BY_PREFIX or ":" in prefix:
            raise ValueError(f"button prefix {prefix!r} is taken or malformed")
        if len(fields(cls)) != len(kinds):
            raise ValueError(f"{cls.__name__}: one kind per field")
        cls.PREFIX, cls.KINDS = prefix, kinds
        _BY_PREFIX[prefix] = cls
        return cls

    return declare


def encode(data: Button) -> str:
    """The callback data of a button (ValueError if a field is out of range or it is too long)."""
    values = [getattr(data, f.name) for f in fields(cast(Any, data))]  # a dataclass: @button
    parts = [kind.dump(value) for kind, value in zip(data.KINDS, values, strict=True)]
    while parts and parts[-1] == "" and _optional(data.KINDS[len(parts) - 1]):
        parts.pop()  # an empty optional field at the end is left out
    text = ":".join([data.PREFIX, *parts])
    if len(text.encode()) > MAX_DATA:
        raise ValueError(f"callback data over {MAX_DATA} bytes: {text!r}")
    return text


def declared_prefix(data: object) -> str | None:
    """The prefix of `data` if it is a declared button's (a bounded label for metrics)."""
    if not isinstance(data, str):
        return None
    prefix = data.partition(":")[0]
    return prefix if prefix in _BY_PREFIX else None


def decode(data: object) -> Button | None:
    """The button `data` stands for, or None if it is not one Pythia sent (or could have)."""
    if not isinstance(data, str) or not data or len(data) > MAX_DATA:
        return None
    try:
        if len(data.encode()) > MAX_DATA:
            return None
    except UnicodeEncodeError:  # a lone surrogate: no text Telegram could have carried
        return None
    prefix, _, rest = data.partition(":")
    cls = _BY_PREFIX.get(prefix)
    if cls is None:
        return None
    texts = rest.split(":", len(cls.KINDS) - 1) if rest or cls.KINDS else []
    if not cls.KINDS:
        return cls() if not rest else None
    texts += [""] * (len(cls.KINDS) - len(texts))  # empty optional fields left out at the end
    values = []
    for kind, text in zip(cls.KINDS, texts, strict=True):
        value = kind.load(text)
        if value is None and not (_optional(kind) and text == ""):
            return None
        values.append(value)
    return cls(*values)


def _optional(kind: Kind) -> bool:
    return isinstance(kind, Text | Number) and kind.optional


def matches(*types: type[Button]) -> Callable[[object], bool]:
    """A CallbackQueryHandler pattern: the data decodes to one of `types`."""
    return lambda data: isinstance(decode(data), types)


# ---- every button Pythia sends ------------------------------------------------------------------


@button("alert", Choice(("pause", "resume", "delete")), ID, Number(optional=True))
@dataclass(frozen=True, slots=True)
class AlertAction(Button):
    """Pause, Resume or Delete one alert (under /alerts, a new alert or a fired one); `owner`,
    whose alert it is, lets a press by anyone else be answered at once (buttons sent before it
    was added have none)."""

    action: str
    alert_id: int
    owner: int | None = None


@button("alertchart", SYMBOL)
@dataclass(frozen=True, slots=True)
class AlertChart(Button):
    """📈 Chart under a fired alert."""

    symbol: str


@button("alerts", ID, PAGE)
@dataclass(frozen=True, slots=True)
class AlertsPage(Button):
    """◀ 🔄 ▶ under /alerts: a page of `owner`'s alerts."""

    owner: int
    page: int


FLOW_STEPS = ("coin", "kind", "go", "cancel")
FLOW_VALUE = Text(r"[A-Za-z0-9 .,<>=%±+\-×x]{1,40}", optional=True)


@button("alertflow", ID, Choice(FLOW_STEPS), FLOW_VALUE)
@dataclass(frozen=True, slots=True)
class FlowButton(Button):
    """A step of the guided /alert: a coin, a kind, a level (`go`), or cancel."""

    owner: int
    step: str
    value: str | None = None


@button("trades", ID, PAGE, Text(r"[A-Z0-9]{1,15}", optional=True))
@dataclass(frozen=True, slots=True)
class TradesPage(Button):
    """◀ Newer / Older ▶ under /trades (of one asset, or all)."""

    owner: int
    page: int
    asset: str | None = None


@button("trade", TOKEN, Choice(("y", "n")), Number(optional=True))
@dataclass(frozen=True, slots=True)
class ConfirmButton(Button):
    """Confirm (y) or Cancel (n) a pending action, by its token; `owner`, who asked, lets a
    press by anyone else be answered at once (buttons sent before it was added have none)."""

    token: str
    choice: str
    owner: int | None = None

    @property
    def yes(self) -> bool:
        return self.choice == "y"


SETTINGS = {"costbasis": ("fifo", "average"), "currency": ("USD", "USDT", "USDC")}


@button("costbasis", Choice(SETTINGS["costbasis"]), ID)
@dataclass(frozen=True, slots=True)
class CostBasisChoice(Button):
    choice: str
    owner: int


@button("currency", Choice(SETTINGS["currency"]), ID)
@dataclass(frozen=True, slots=True)
class CurrencyChoice(Button):
    choice: str
    owner: int


@button("lang", Choice(("en", "es", "ru")), ID)
@dataclass(frozen=True, slots=True)
class LanguageChoice(Button):
    """A language under /language."""

    language: str
    owner: int


@button("unfollow", Choice(("list", "story")), SYMBOL, ID)
@dataclass(frozen=True, slots=True)
class UnfollowNews(Button):
    """Unfollow a coin's news: beside it under /follow (`list`), or under a pushed story
    (`story`); `owner` is whose follow it is."""

    where: str
    symbol: str
    owner: int


@button("prices", ID)
@dataclass(frozen=True, slots=True)
class RefreshPrices(Button):
    """🔄 Refresh under /prices."""

    owner: int


@button("news", ID, PAGE, Text(r"[A-Z0-9]{1,15}", optional=True))
@dataclass(frozen=True, slots=True)
class NewsPages(Button):
    """◀ ▶ under /news (of one coin, or the whole market): `owner`'s page `page`."""

    owner: int
    page: int
    asset: str | None = None


DIGEST_ACTIONS = ("list", "sections", "toggle", "pause", "resume", "delete", "preview", "done")


@button(
    "dg",
    Choice(DIGEST_ACTIONS),
    Number(low=-MAX_ID),
    Number(optional=True),
    Text(r"[a-z]{1,16}", optional=True),
)
@dataclass(frozen=True, slots=True)
class DigestButton(Button):
    """A digest's button under /digest or a new digest: `action` on digest `digest_id` of chat
    `chat_id` (the chat pressed in, or a channel configured from a private chat); `section`
    for a toggle."""

    action: str
    chat_id: int
    digest_id: int | None = None
    section: str | None = None


@button("chn", ID, Number(low=-MAX_ID, high=-1))
@dataclass(frozen=True, slots=True)
class UnlinkChannel(Button):
    """Unlink under /channels: `owner` stops Pythia posting in channel `channel_id`."""

    owner: int
    channel_id: int


@button("adm", Choice(("refresh", "send", "cancel")), Text(r"[A-Za-z0-9_-]{8,32}", optional=True))
@dataclass(frozen=True, slots=True)
class AdminButton(Button):
    """An operator's button: 🔄 Refresh under /status; Send or Cancel under a /broadcast
    preview, by its pending action's token."""

    action: str
    token: str | None = None


SETTINGS_PAGES = ("menu", "lang", "tz", "zone", "cur", "cb", "quiet", "notes")


@button("set", Choice(SETTINGS_PAGES), ID, Text(r"[A-Za-z0-9_/+\-]{1,40}", optional=True))
@dataclass(frozen=True, slots=True)
class SettingsButton(Button):
    """A button of /settings: open `page` of `owner`'s settings, or with `value` choose it
    there (a language, a zone, a currency, a cost basis, a quiet-hours preset, a notice kind
    to mute or hear again)."""

    page: str
    owner: int
    value: str | None = None
