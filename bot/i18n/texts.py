"""Words and numbers in one person's language: gettext for the words, Babel for the rest.

Every view takes a `Texts` first and says everything through it: `t._("Hello, {name}!",
name=e(first_name))`, `t.ngettext("{count} alert", "{count} alerts", n, count=t.number(n))`,
`t.price(…)`, `t.pct(…)`, `t.moment(…)`. Parameters are put in after translation
(`str.format`), so the catalogues see `{name}`, never the value; values are escaped by the
caller where they came from a person or the outside world.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_skeleton, format_timedelta
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.units import format_unit

from bot.i18n.catalogues import translations
from core.currencies import is_money_like
from core.dates import zone as zone_named
from core.formatting import decimals_for_price
from core.people import DEFAULT_LANGUAGE, LANGUAGES

# Each language named in itself: how /language offers them.
LANGUAGE_NAMES = {"en": "English", "es": "Español", "ru": "Русский"}
MINUS, PLUS, PLUS_MINUS = "−", "+", "±"  # a real minus sign, as in print
COIN_PLACES = 8  # a satoshi: the most places a coin quantity shows (money: 2)
JUST_NOW = timedelta(seconds=5)


def N_(message: str) -> str:
    """Mark a message for the catalogues where it is defined; `Texts._` translates it later."""
    return message


def zone_of(name: str | None) -> ZoneInfo:
    return zone_named(name)


class Texts:
    """Pythia's words and formats for one language."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        self.locale = Locale.parse(self.language)
        self._catalogue = translations(self.language)
        symbols = self.locale.number_symbols["latn"]
        self.decimal_comma = symbols["decimal"] == ","

    def __repr__(self) -> str:
        return f"Texts({self.language!r})"

    # ---- words ------------------------------------------------------------------------------

    def _(self, message: str, /, **params: object) -> str:
        text = self._catalogue.gettext(message)
        return text.format(**params) if params else text

    def ngettext(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        text = self._catalogue.ngettext(singular, plural, n)
        return text.format(**params) if params else text

    def pgettext(self, context: str, message: str, /, **params: object) -> str:
        text = str(self._catalogue.pgettext(context, message))
        return text.format(**params) if params else text

    def or_list(self, items: Iterable[str]) -> str:
        """`A, B or C` in this language."""
        shown = list(items)
        return format_list(shown, style="or", locale=self.locale) if shown else ""

    def and_list(self, items: Iterable[str]) -> str:
        shown = list(items)
        return format_list(shown, style="standard", locale=self.locale) if shown else ""

    # ---- numbers ----------------------------------------------------------------------------

    def number(self, value: int | Decimal) -> str:
        """Every digit of `value`, grouped: 70,000 · 0.00001234 · 1,234.5."""
        if isinstance(value, Decimal):
            value = value.normalize() if value == value.to_integral_value() else value
            if value == value.to_integral_value():
                value = value.quantize(Decimal(1))
        return format_decimal(value, locale=self.locale, decimal_quantization=False)

    def decimal(self, value: Decimal | float, places: int) -> str:
        """`value` with exactly `places` decimals (half to even), grouped."""
        pattern = "#,##0" + ("." + "0" * places if places > 0 else "")
        if isinstance(value, Decimal):
            value = value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN)
        return format_decimal(value, format=pattern, locale=self.locale)

    def price(self, value: Decimal, places: int | None = None) -> str:
        """A price with the places it deserves: 64,123.45 · 2.1234 · 0.00001235."""
        return self.decimal(value, decimals_for_price(value) if places is None else places)

    def money(self, amount: Decimal) -> str:
        """Two places, a real minus sign: 1,234.56 · −1,234.56."""
        rounded = amount.quantize(Decimal("0.01"), ROUND_HALF_EVEN)
        return (MINUS if rounded < 0 else "") + self.decimal(abs(rounded), 2)

    def signed(self, amount: Decimal, places: int = 2) -> str:
        """A gain or a loss: +1,234.56 · −1,234.56 · ±0.00."""
        rounded = amount.quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN)
        return _sign(rounded) + self.decimal(abs(rounded), places)

    def pct(self, value: Decimal | float | None, places: int = 2, *, signed: bool = True) -> str:
        """+0.92% in English, +0,92 % in Spanish; n/a for no value."""
        if value is None:
            return self._("n/a")
        exact = value if isinstance(value, Decimal) else Decimal(repr(value))
        rounded = exact.quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN)
        percent = _percent_layout(self.locale).format(self.decimal(abs(rounded), places))
        return (_sign(rounded) if signed else (MINUS if rounded < 0 else "")) + percent

    def quantity(self, quantity: Decimal, asset: str, *, exact: bool = False) -> str:
        """`0.00012345 BTC`, `1.5 ETH`, `1,234.50 USDT`: money-like assets keep two places,
        coins up to eight without trailing zeros; a non-zero amount too small for that (or any
        when `exact`) is shown whole rather than as 0."""
        money_like = is_money_like(asset)
        places = 2 if money_like else COIN_PLACES
        shown = quantity.quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN)
        if exact or (quantity and not shown):
            return f"{self.number(quantity)} {asset}"
        if money_like:
            return f"{self.decimal(quantity, 2)} {asset}"
        return f"{self.number(shown)} {asset}"

    # ---- times ------------------------------------------------------------------------------

    def _local(self, when: datetime | date, zone: str | None) -> datetime | date:
        if not isinstance(when, datetime):
            return when  # a calendar day is the same day everywhere
        return _in_zone(when, zone)

    def day(self, when: datetime | date, zone: str | None = None) -> str:
        """1 Mar · 1 mar · 1 мар."""
        return format_skeleton("MMMd", self._local(when, zone), locale=self.locale)

    def date(self, when: datetime | date, zone: str | None = None) -> str:
        """1 Mar 2024 (in the person's zone)."""
        return format_skeleton("yMMMd", self._local(when, zone), locale=self.locale)

    def time(self, when: datetime, zone: str | None = None) -> str:
        """14:30: Pythia speaks the 24-hour clock in every language."""
        return self._local(when, zone).strftime("%H:%M")

    def moment(self, when: datetime, zone: str | None = None, *, with_zone: bool = True) -> str:
        """1 Mar 2024, 14:30 CET: a date and time in the person's zone, and which zone."""
        local = _in_zone(when, zone)
        text = self.locale.datetime_formats["medium"].format(
            self.time(when, zone), self.date(when, zone)
        )
        if with_zone:
            text += " " + (local.tzname() or (zone or "UTC"))
        return text

    def ago(self, age: timedelta) -> str:
        """just now · 16 sec. ago · 3 min ago · 2 hr ago · 3 days ago."""
        if age < JUST_NOW:
            return self._("just now")
        return format_timedelta(-age, add_direction=True, format="short", locale=self.locale)

    def duration(self, span: timedelta, *, short: bool = False) -> str:
        """An exact duration in its largest whole unit: 1 hour · 90 minutes · 7 days."""
        minutes = int(span / timedelta(minutes=1))
        for unit, size in (("day", 1440), ("hour", 60), ("minute", 1)):
            if minutes and minutes % size == 0:
                length: Literal["short", "long"] = "short" if short else "long"
                return format_unit(
                    minutes // size, f"duration-{unit}", length=length, locale=self.locale
                )
        seconds = max(int(span.total_seconds()), 0)
        return format_unit(seconds, "duration-second", length="long", locale=self.locale)


def _in_zone(when: datetime, zone: str | None) -> datetime:
    """`when` in `zone`; in UTC where the zone's calendar would leave datetime's range (a
    stored year-1 moment west of Greenwich), so an odd stored row never stops a reply."""
    try:
        return when.astimezone(zone_of(zone) if zone else UTC)
    except OverflowError:
        return when.astimezone(UTC)


def _sign(value: Decimal) -> str:
    return PLUS if value > 0 else MINUS if value < 0 else PLUS_MINUS


@cache
def _percent_layout(locale: Locale) -> str:
    """Where the number goes in this locale's percentages: `{}%` or `{}\xa0%`."""
    pattern = locale.percent_formats[None].pattern
    start, end = pattern.index("#"), pattern.rindex("0") + 1
    return pattern[:start] + "{}" + pattern[end:]


@cache
def texts_for(language: str) -> Texts:
    """The shared `Texts` of a language (they hold no state of a person)."""
    return Texts(language)
