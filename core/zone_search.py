"""Finding a time zone by what a person types: a city, part of one, or a zone's name.

`search_zones` ranks the zones of `core.people.zone_places` for a search such as `berlin`,
`new york`, `São Paulo`, `kiev` or `utc`: the zone named exactly, then a city named exactly,
then cities beginning with it, then names with a word beginning with it, then names holding
it anywhere, then near misses (`berln`). Within a rank, the zones of the continents and oceans
come before the old aliases (`US/Eastern`, `Japan`), shorter names first. Pure: the names in,
the ranked names out.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from core.people import LONGEST_ZONE

SHOWN = 8  # at most this many matches are offered

# Cities the zone database renamed: the old name is kept as an alias, the new one is the zone.
RENAMED = {
    "kiev": "kyiv",
    "calcutta": "kolkata",
    "saigon": "ho_chi_minh",
    "rangoon": "yangon",
    "katmandu": "kathmandu",
    "ulan_bator": "ulaanbaatar",
    "godthab": "nuuk",
    "asmera": "asmara",
    "dacca": "dhaka",
    "thimbu": "thimphu",
    "ujung_pandang": "makassar",
    "faeroe": "faroe",
    "zaporozhye": "kyiv",
    "uzhgorod": "kyiv",
}
# UTC under other names: found when typed exactly, never offered beside UTC.
_UTC_ALIASES = frozenset(
    {"uct", "universal", "zulu", "gmt0", "gmt_0", "gmt+0", "greenwich", "factory"}
)
_REGIONS = (
    "africa/",
    "america/",
    "antarctica/",
    "asia/",
    "atlantic/",
    "australia/",
    "europe/",
    "indian/",
    "pacific/",
)


def normal(text: str) -> str:
    """How names are compared: lower case, accents dropped, spaces and dashes as `_`."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "_".join(plain.replace("-", " ").replace("_", " ").split())


def _offered(key: str) -> bool:
    """A zone worth offering: not UTC under another name, not an Etc/ zone (Etc/GMT-3 is
    UTC+3), not a renamed city's old name."""
    city = key.rsplit("/", 1)[-1]
    return not (key in _UTC_ALIASES or key.startswith("etc/") or city in RENAMED)


def _rank(query: str, key: str, city: str) -> int | None:
    """How well `key` (normal; its last part `city`) matches `query` (normal): 0 best, None
    not at all."""
    if query not in key:
        return None
    if key == query:
        return 0
    if city == query:
        return 1
    if city.startswith(query):
        return 2
    if any(key[i - 1] in "/_" for i in _starts(key, query) if i > 0):
        return 3
    return 4


def _starts(text: str, part: str) -> list[int]:
    found, at = [], text.find(part)
    while at >= 0:
        found.append(at)
        at = text.find(part, at + 1)
    return found


@dataclass(frozen=True)
class ZoneIndex:
    """The zones of `zone_places`, by their normal spelling, and those offered with their
    city: made once, searched often."""

    keys: Mapping[str, str]
    offered: tuple[tuple[str, str, str], ...]  # (key, city, name)
    by_city: Mapping[str, tuple[str, ...]]

    @classmethod
    def of(cls, places: Mapping[str, str]) -> ZoneIndex:
        keys = {normal(key): name for key, name in places.items()}
        offered = tuple((k, k.rsplit("/", 1)[-1], n) for k, n in keys.items() if _offered(k))
        by_city: dict[str, list[str]] = {}
        for _, city, name in offered:
            by_city.setdefault(city, []).append(name)
        return cls(keys, offered, {c: tuple(sorted(n)) for c, n in by_city.items()})


def search_zones(
    typed: str, places: Mapping[str, str] | ZoneIndex, limit: int = SHOWN
) -> tuple[str, ...]:
    """Up to `limit` zone names (as the database spells them) that `typed` may mean, best
    first; empty when nothing is near it (or nothing, or too much, was typed)."""
    query = normal(typed)
    if not query or len(query) > LONGEST_ZONE:
        return ()
    query = RENAMED.get(query, query)
    index = places if isinstance(places, ZoneIndex) else ZoneIndex.of(places)
    if query in index.keys and not _offered(query):  # `zulu`, `etc/utc`: asked for by name
        return (index.keys[query],)
    ranked: list[tuple[int, bool, int, str]] = []
    for key, city, name in index.offered:
        rank = _rank(query, key, city)
        if rank is not None:
            ranked.append((rank, not key.startswith(_REGIONS), len(key), name))
    if not ranked:
        return _near(query, index, limit)
    return tuple(name for *_, name in sorted(ranked)[:limit])


def _near(query: str, index: ZoneIndex, limit: int) -> tuple[str, ...]:
    """Cities spelled nearly as typed (`berln`, `new yrok`), the closest first."""
    close = difflib.get_close_matches(query, list(index.by_city), n=limit, cutoff=0.75)
    found = [name for city in close for name in index.by_city[city]]
    return tuple(dict.fromkeys(found))[:limit]
