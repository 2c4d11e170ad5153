"""People: meeting them, and what they choose — language, time zone, quiet hours, currency and
cost basis. The one reader of a person's settings is `preferences`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from zoneinfo import available_timezones

from core.currencies import PORTFOLIO_QUOTES, book_quote
from core.people import (
    LANGUAGES,
    ChatSeen,
    CostMethod,
    PersonSeen,
    Preferences,
    find_zone,
    language_for,
    zone_places,
)
from core.refusal import BadArgument, Refusal
from db.repos import people
from db.repos import trades as trade_rows
from services.deps import Deps

LANGUAGE_KEY = "person:{}:language"  # read-through cache of users.language
LANGUAGE_TTL = 24 * 3600.0


@cache
def _places() -> dict[str, str]:
    """The zones of the system's (or the tzdata package's) database that are places."""
    return zone_places(available_timezones())


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
    cached = await deps.cache.get(key)
    if cached in LANGUAGES:
        return cached
    async with deps.read() as session:
        chosen = await people.preferences(session, user_id)
    # Someone not met yet is copied too (what `register` will store for them), or every
    # update of theirs (say, /price before /start) would read the database.
    language = chosen.language if chosen is not None else language_for(telegram_code)
    await deps.cache.set(key, language, LANGUAGE_TTL)
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
    BadArgument `timezone.unknown` with the names it may have meant."""
    return await _set(deps, person, chat, timezone=find_zone(typed, _places()))


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
