"""People and chats as Pythia knows them: what Telegram says of them, and what they chose."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from core.refusal import BadArgument

CostMethod = Literal["fifo", "average"]
LANGUAGES: tuple[str, ...] = ("en", "es", "ru")  # what Pythia speaks
DEFAULT_LANGUAGE = "en"
# The kinds of notice (their `type`) a person may mute in /settings: pushes they did not ask
# for one by one. Alerts they set (alert_fired) and a chat's digests are never among them.
MUTABLE: tuple[str, ...] = ("news_story", "chat_paused", "broadcast")


def language_for(code: str | None) -> str:
    """The language Pythia speaks to someone whose Telegram says `code` (`es-419` → es)."""
    base = (code or "").replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


# In the zone database but not places: the server's own clock, a placeholder, a template, and
# copies of every zone under other rules (posix/…, right/… with leap seconds).
_NOT_PLACES = frozenset({"localtime", "factory", "posixrules", "posix", "right"})
_NOT_PLACE_DIRS = ("posix/", "right/", "systemv/")
_OFFSET_ZONES = re.compile(r"^etc/gmt[+-]\d+$")  # Etc/GMT-3 is UTC+3: taken, never offered
_AN_OFFSET = re.compile(r"^(utc|gmt)?[+\-−]?\d")
LONGEST_ZONE = 40  # characters; no IANA name is longer (America/Argentina/ComodRivadavia: 30)


def zone_places(names: Iterable[str]) -> dict[str, str]:
    """The zone names that are places (and UTC with its aliases), by their lower-case spelling,
    from all the names the zone database has."""
    places = {}
    for name in names:
        key = name.lower()
        if key not in _NOT_PLACES and not key.startswith(_NOT_PLACE_DIRS):
            places[key] = name
    return places


def find_zone(typed: str, places: Mapping[str, str]) -> str:
    """The zone `typed` names among `places` (zone_places): its IANA name in any case, with
    spaces for underscores (`europe/berlin`, `America/New York`), or a city that names one
    zone only (`berlin`). BadArgument `timezone.unknown` (typed, suggestions) otherwise."""
    key = "_".join(typed.split()).lower()
    if not key or len(key) > LONGEST_ZONE:
        raise BadArgument("timezone.unknown", typed=typed.strip()[:LONGEST_ZONE], suggestions=())
    if key in places:
        return places[key]
    offered = {k: v for k, v in places.items() if not _OFFSET_ZONES.match(k)}
    by_city: dict[str, list[str]] = {}
    for lower, name in offered.items():
        by_city.setdefault(lower.rsplit("/", 1)[-1], []).append(name)
    found = sorted(by_city.get(key, []))
    if len(found) == 1:
        return found[0]
    if not found and not _AN_OFFSET.match(key):  # UTC+3 is no place: nothing is like it
        close = difflib.get_close_matches(key, [*offered, *by_city], n=3, cutoff=0.75)
        found = [offered.get(c) or by_city[c][0] for c in close]  # the closest first
    suggestions = tuple(dict.fromkeys(found))[:3]
    raise BadArgument("timezone.unknown", typed=typed.strip(), suggestions=suggestions)


@dataclass(frozen=True, slots=True)
class PersonSeen:
    """What Telegram says about a user."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None  # Telegram's: the language of the person's app


@dataclass(frozen=True, slots=True)
class ChatSeen:
    id: int
    type: str  # private, group, supergroup or channel
    title: str | None = None
    username: str | None = None


@dataclass(frozen=True, slots=True)
class Preferences:
    """Everything a person chose (or the defaults, before they chose): the one reading of a
    person's settings every use case shares."""

    language: str = "en"
    timezone: str = "UTC"
    quote: str = "USD"  # the currency their portfolio is kept in
    method: CostMethod = "fifo"  # how the cost of what they sell is counted
    quiet_start: int | None = None  # quiet hours, minutes after local midnight
    quiet_end: int | None = None
    muted: tuple[str, ...] = ()  # the kinds of notice (MUTABLE) they chose not to hear

    @property
    def quiet_hours(self) -> tuple[int, int] | None:
        if self.quiet_start is None or self.quiet_end is None:
            return None
        return self.quiet_start, self.quiet_end
