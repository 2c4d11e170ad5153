"""People: meeting them, and what they choose — language, time zone, quiet hours, currency and
cost basis. The one reader of a person's settings is `preferences`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from zoneinfo import available_timezones

from core.currencies import PORTFOLIO_QUOTES, book_quote
from core.people import (
    LANGUAGES,
    MUTABLE,
    ChatSeen,
    CostMethod,
    PersonSeen,
    Preferences,
    find_zone,
    language_for,
    zone_places,
)
from core.refusal import BadArgument, Refusal
from core.zone_search import ZoneIndex, search_zones
from db.cache import copy_of, keep_copy
from db.repos import digests as digest_rows
from db.repos import people
from db.repos import trades as trade_rows
from services.deps import Deps

LANGUAGE_KEY = "person:{}:language"  # read-through cache of users.language
LANGUAGE_TTL = 24 * 3600.0


@cache
def _places() -> dict[str, str]:
    """The zones of the system's (or the tzdata package's) database that are places."""
    return zone_places(available_timezones())


def zone_named(typed: str) -> str:
    """The IANA zone `typed` names (`europe/berlin`, or `berlin`, will do); BadArgument
    `timezone.unknown` with the names it may have meant."""
    return find_zone(typed, _places())


@cache
def _zone_index() -> ZoneIndex:
    return ZoneIndex.of(_places())


# ---- meeting people ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Welcome:
    new: bool
    preferences: Preferences


async def start(deps: Deps, person: PersonSeen, chat: ChatSeen) -> Welcome:
    """/start: the person (and the chat) registered; whether they are new, and their choices."""
    async with deps.write_for(person.id) as session:
        new = await people.register(session, person, chat, deps.clock.now())
        chosen = await people.preferences(session, person.id)
    return Welcome(new, chosen or Preferences())


async def preferences(deps: Deps, user_id: int) -> Preferences:
    """What the person chose, or the defaults for someone Pythia has not met."""
    async with deps.read() as session:
        return await people.preferences(session, user_id) or Preferences()


async def language_of(deps: Deps, user_id: int, telegram_code: str | None) -> str:
    """The language to speak to a person in: theirs, or their Telegram's until they have one.

    Read for nearly every update, so it is cached (the cache is only a copy: `set_language`
    writes the database first, then the copy)."""
    key = LANGUAGE_KEY.format(user_id)
    cached = await copy_of(deps.cache, key)  # None with Redis away: the database says
    if cached in LANGUAGES:
        return cached
    async with deps.read() as session:
        chosen = await people.preferences(session, user_id)
    # Someone not met yet is copied too (what `register` will store for them), or every
    # update of theirs (say, /price before /start) would read the database.
    language = chosen.language if chosen is not None else language_for(telegram_code)
    await keep_copy(deps.cache, key, language, LANGUAGE_TTL)
    return language


# ---- changing what they chose -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Changed:
    """A preference after a change: `changed` False means it already was `preferences`' value."""

    preferences: Preferences
    changed: bool
    trades: int = 0  # for a cost basis: how many trades are counted again with it


async def _set(deps: Deps, person: PersonSeen, chat: ChatSeen, **values: object) -> Changed:
    async with deps.write_for(person.id) as session:
        await people.register(session, person, chat, deps.clock.now())
        before = await people.preferences(session, person.id) or Preferences()
        changed = any(getattr(before, name) != value for name, value in values.items())
        if changed:
            await people.set_preferences(session, person.id, **values)
        after = await people.preferences(session, person.id) or Preferences()
    return Changed(after, changed)


async def set_language(deps: Deps, person: PersonSeen, chat: ChatSeen, language: str) -> Changed:
    if language not in LANGUAGES:
        raise BadArgument("language.unknown", typed=language, languages=LANGUAGES)
    result = await _set(deps, person, chat, language=language)
    await deps.cache.set(LANGUAGE_KEY.format(person.id), language, LANGUAGE_TTL)
    return result


async def set_timezone(deps: Deps, person: PersonSeen, chat: ChatSeen, typed: str) -> Changed:
    """The person's time zone, an IANA name as typed (`europe/berlin`, or `berlin`, will do);
    BadArgument `timezone.unknown` with the names it may have meant. The digests of their
    private chat move with them (its id is theirs): the same local time, in the new zone."""
    zone, now = zone_named(typed), deps.clock.now()
    async with deps.write_for(person.id) as session:
        await people.register(session, person, chat, now)
        before = await people.preferences(session, person.id) or Preferences()
        if before.timezone != zone:
            await people.set_preferences(session, person.id, timezone=zone)
            await digest_rows.move_to_zone(session, person.id, zone, now)
        after = await people.preferences(session, person.id) or Preferences()
    return Changed(after, before.timezone != zone)


def zones_like(typed: str) -> tuple[str, ...]:
    """The time zones (up to 8, best first) a typed city or zone name may mean; none: ()."""
    return search_zones(typed, _zone_index())


# /settings → Time zone asks for a city: the person's next text in that chat is the search.
# A wait of the conversation, not a choice: a cache key with a lifetime (shared by replicas).
ZONE_WAIT_KEY = "settings:zone:{}:{}"
ZONE_WAIT = 600.0  # seconds


async def ask_zone(deps: Deps, user_id: int, chat_id: int) -> Preferences:
    """Take the person's next text in `chat_id` as a zone search; their preferences now."""
    await deps.cache.set(ZONE_WAIT_KEY.format(chat_id, user_id), "1", ZONE_WAIT)
    return await preferences(deps, user_id)


async def typed_zone(deps: Deps, user_id: int, chat_id: int, typed: str) -> tuple[str, ...] | None:
    """The zones a text sent while a search was asked for may mean (the wait ends when some
    are found; nothing found: it goes on, to type another); None when none was asked for."""
    key = ZONE_WAIT_KEY.format(chat_id, user_id)
    if await copy_of(deps.cache, key) is None:  # with Redis away: no search was asked
        return None
    found = zones_like(typed)
    if found:
        await deps.cache.delete(key)
    return found


async def back_to_settings(deps: Deps, user_id: int, chat_id: int) -> Preferences:
    """/settings' main page again: the person's next text is no longer a zone search; their
    preferences now."""
    await deps.cache.delete(ZONE_WAIT_KEY.format(chat_id, user_id))
    return await preferences(deps, user_id)


async def set_quiet_hours(
    deps: Deps, person: PersonSeen, chat: ChatSeen, hours: tuple[int, int] | None
) -> Changed:
    """Quiet from `hours[0]` to `hours[1]` minutes after local midnight; None: never quiet."""
    start, end = hours if hours is not None else (None, None)
    return await _set(deps, person, chat, quiet_start=start, quiet_end=end)


async def set_cost_method(
    deps: Deps, person: PersonSeen, chat: ChatSeen, method: CostMethod
) -> Changed:
    """FIFO or average cost; the ledger is replayed with it the next time it is read."""
    if method not in ("fifo", "average"):
        raise BadArgument("cost_basis.unknown", typed=method)
    async with deps.write_for(person.id) as session:
        await people.register(session, person, chat, deps.clock.now())
        before = await people.preferences(session, person.id) or Preferences()
        count = await trade_rows.count(session, person.id)
        if before.method != method:
            await people.set_preferences(session, person.id, method=method)
        after = await people.preferences(session, person.id) or Preferences()
    return Changed(after, before.method != method, trades=count)


async def set_quote(deps: Deps, person: PersonSeen, chat: ChatSeen, quote: str) -> Changed:
    """The currency the portfolio is kept in (one of PORTFOLIO_QUOTES), unless trades the person
    has would then book in another currency: Refusal `currency.mixed` then, nothing written."""
    if quote not in PORTFOLIO_QUOTES:
        raise BadArgument("currency.unknown", typed=quote, choices=PORTFOLIO_QUOTES)
    async with deps.write_for(person.id) as session:
        await people.register(session, person, chat, deps.clock.now())
        before = await people.preferences(session, person.id) or Preferences()
        if before.quote == quote:
            return Changed(before, False)
        booked = await trade_rows.quotes_used(session, person.id)
        other = sorted({book_quote(q, quote) for q in booked} - {quote})
        if other:
            raise Refusal("currency.mixed", booked=tuple(other), kept=before.quote, wanted=quote)
        await people.set_preferences(session, person.id, quote=quote)
        after = await people.preferences(session, person.id) or Preferences()
    return Changed(after, True)


async def set_muted(
    deps: Deps, person: PersonSeen, chat: ChatSeen, kind: str, muted: bool
) -> Changed:
    """Stop (`muted`) or go back to hearing one kind of notice (one of core.people.MUTABLE);
    BadArgument `notices.unknown` for any other (a person's own alerts cannot be muted)."""
    if kind not in MUTABLE:
        raise BadArgument("notices.unknown", typed=kind)
    async with deps.write_for(person.id) as session:
        await people.register(session, person, chat, deps.clock.now())
        before = await people.preferences(session, person.id) or Preferences()
        after_kinds = {*before.muted, kind} if muted else set(before.muted) - {kind}
        kinds = tuple(k for k in MUTABLE if k in after_kinds)
        if kinds != before.muted:
            await people.set_preferences(session, person.id, muted=kinds)
        after = await people.preferences(session, person.id) or Preferences()
    return Changed(after, kinds != before.muted)
