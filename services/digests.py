"""Scheduled digests: a chat's (and topic's) digests — made, listed, changed, paused, deleted —
the chat's language and zone they are said in, and posting what is due.

Every change is scoped to the chat it is asked for: another chat's digest is `digest.unknown`.
Refusals: `digest.unknown` (digest_id), `digest.too_many` (most), `digest.limits` (what="coins",
most), `digest.section` (section: not one offered), `digest.no_sections` (a digest keeps one),
`digest.which_coins` (no coin typed), `coins.unknown` (services.market), `digest.schedule`
(core.digest.schedule), `timezone.unknown`, `language.unknown`, `chat.unknown` (chat_id: a
chat Pythia has not recorded).

Posting what is due: services.digest_posting.post_due (the digests job), re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.chats import ANONYMOUS_ADMIN, ChatSettings
from core.digest.compose import compose
from core.digest.facts import DigestFacts
from core.digest.registry import DEFAULT, ordered
from core.digest.schedule import Schedule, next_run
from core.people import ChatSeen, PersonSeen
from core.refusal import BadArgument, Refusal
from db.repos import chats as chat_rows
from db.repos import digests as rows
from db.repos import people
from db.repos import watchlist as watchlist_rows
from services.coins import follow, resolve_coins
from services.deps import Deps
from services.digest_inputs import available_sections, gather
from services.digest_posting import Posted as Posted
from services.digest_posting import post_due as post_due
from services.market import refuse_unknown

MAX_DIGESTS = 5  # per chat, every topic counted
MAX_COINS = 10
GROUP_COINS = ("BTC", "ETH", "SOL")  # the tracked majors a group's or channel's digest shows
PRIVATE_COINS = ("BTC", "ETH")  # a person's with an empty watchlist


@dataclass(frozen=True, slots=True)
class DigestView:
    id: int
    chat_id: int
    thread_id: int | None
    schedule: Schedule
    sections: tuple[str, ...]
    coins: tuple[str, ...]
    active: bool  # False: paused by an admin
    next_run_at: datetime | None  # None while paused
    zone: str
    last_sent_at: datetime | None


def _view(row: rows.Row) -> DigestView:
    return DigestView(
        id=row.id,
        chat_id=row.chat_id,
        thread_id=row.thread_id,
        schedule=Schedule.from_text(row.schedule),
        sections=rows.sections_of(row),
        coins=rows.coins_of(row),
        active=bool(row.active),
        next_run_at=row.next_run_at,
        zone=row.timezone or "UTC",
        last_sent_at=row.last_sent_at,
    )


async def _row(session: AsyncSession, chat_id: int, digest_id: int) -> rows.Row:
    row = await rows.one(session, chat_id, digest_id)
    if row is None:
        raise Refusal("digest.unknown", digest_id=digest_id)
    return row


# ---- making and reading ----------------------------------------------------------------------


async def create(
    deps: Deps,
    person: PersonSeen,
    chat: ChatSeen,
    thread_id: int | None,
    schedule: Schedule,
    sections: Sequence[str] | None = None,
    coins: Sequence[str] | None = None,
) -> DigestView:
    """A new digest in `chat` (its topic `thread_id`) by `person`: the default sections that
    are offered unless `sections`, the default coins unless `coins` (typed). The chat's first
    digest gives a chat with no language or zone yet its creator's."""
    offered = await available_sections(deps)
    chosen = (
        _chosen(sections, offered)
        if sections is not None
        else ordered(s for s in DEFAULT if s in offered)
    )
    now = deps.clock.now()
    async with deps.write_for(chat.id) as session:  # one chat's digests, one change at a time
        await people.register(session, person, chat, now)
        had = await rows.count(session, chat.id)
        if had >= MAX_DIGESTS:
            raise Refusal("digest.too_many", most=MAX_DIGESTS)
        picked, started = (
            await _coins(deps, session, coins)
            if coins is not None
            else (await _default_coins(deps, session, person, chat), [])
        )
        zone = await _adopt(session, chat.id, person.id, first=had == 0)
        if person.id != ANONYMOUS_ADMIN:  # nobody to tell if the bot is removed
            await chat_rows.set_up_by_if_unset(session, chat.id, person.id)
        row = await rows.add(
            session,
            chat_id=chat.id,
            created_by=person.id,
            thread_id=thread_id,
            schedule=schedule.text,
            timezone=zone,
            sections=chosen,
            coins=picked,
            next_run_at=next_run(schedule, zone, now),
            now=now,
        )
        view = _view(row)
    if started:
        await deps.assets_changed()
    return view


async def list_for(deps: Deps, chat_id: int, thread_id: int | None = None) -> list[DigestView]:
    """The chat's digests, oldest first (only the topic's, with `thread_id`)."""
    async with deps.read() as session:
        return [_view(row) for row in await rows.of_chat(session, chat_id, thread_id)]


async def get(deps: Deps, chat_id: int, digest_id: int) -> DigestView:
    async with deps.read() as session:
        return _view(await _row(session, chat_id, digest_id))


async def chat_settings(deps: Deps, chat_id: int) -> ChatSettings | None:
    """The chat's language, zone and whether Pythia may post there; None if not recorded."""
    async with deps.read() as session:
        return await chat_rows.settings(session, chat_id)


# ---- changing one ----------------------------------------------------------------------------


async def _change(deps: Deps, chat_id: int, digest_id: int, **values: Any) -> DigestView:
    async with deps.write_for(chat_id) as session:
        row = await _row(session, chat_id, digest_id)
        await rows.change(session, chat_id, digest_id, **values)
        await session.refresh(row)
        return _view(row)


async def toggle_section(deps: Deps, chat_id: int, digest_id: int, section: str) -> DigestView:
    """The section on if it was off (only a section offered), off if it was on (never the
    last one)."""
    offered = await available_sections(deps)
    async with deps.write_for(chat_id) as session:
        row = await _row(session, chat_id, digest_id)
        current = rows.sections_of(row)
        if section in current:
            wanted = tuple(s for s in current if s != section)
        elif section in offered:
            wanted = ordered((*current, section))
        else:
            raise BadArgument("digest.section", section=section[:20])
        if not wanted:
            raise Refusal("digest.no_sections")
        return await _set_contents(session, row, sections=wanted)


async def set_sections(
    deps: Deps, chat_id: int, digest_id: int, sections: Sequence[str]
) -> DigestView:
    """The digest's sections, each one offered (at least one)."""
    chosen = _chosen(sections, await available_sections(deps))
    async with deps.write_for(chat_id) as session:
        return await _set_contents(session, await _row(session, chat_id, digest_id), chosen)


async def _set_contents(
    session: AsyncSession,
    row: rows.Row,
    sections: Sequence[str] | None = None,
    coins: Sequence[str] | None = None,
) -> DigestView:
    new = rows.contents(
        rows.sections_of(row) if sections is None else sections,
        rows.coins_of(row) if coins is None else coins,
    )
    await rows.change(session, row.chat_id, row.id, contents=new)
    await session.refresh(row)
    return _view(row)


async def set_coins(deps: Deps, chat_id: int, digest_id: int, typed: Sequence[str]) -> DigestView:
    """The digest's coins, as typed (at most MAX_COINS, each one Pythia knows); coins nobody
    followed are followed from now."""
    async with deps.write_for(chat_id) as session:
        row = await _row(session, chat_id, digest_id)
        [view], started = await _with_coins(deps, session, [row], typed)
    if started:
        await deps.assets_changed()
    return view


async def set_chat_coins(
    deps: Deps, chat_id: int, thread_id: int | None, typed: Sequence[str]
) -> list[DigestView]:
    """`set_coins` for every digest of the chat (only the topic's, with `thread_id`), in one
    transaction, the coins read once; [] when it has none (what was typed is not read)."""
    async with deps.write_for(chat_id) as session:
        found = await rows.of_chat(session, chat_id, thread_id)
        if not found:
            return []
        views, started = await _with_coins(deps, session, found, typed)
    if started:
        await deps.assets_changed()
    return views


async def _with_coins(
    deps: Deps, session: AsyncSession, found: Sequence[rows.Row], typed: Sequence[str]
) -> tuple[list[DigestView], list[str]]:
    """The digests showing the coins typed, and the coins nobody followed until now."""
    picked, started = await _coins(deps, session, typed)
    return [await _set_contents(session, row, coins=picked) for row in found], started


async def pause(deps: Deps, chat_id: int, digest_id: int) -> DigestView:
    return await _change(deps, chat_id, digest_id, active=False, next_run_at=None)


async def resume(deps: Deps, chat_id: int, digest_id: int) -> DigestView:
    """Active again, from its next slot after now (what was missed while paused is not sent)."""
    async with deps.write_for(chat_id) as session:
        row = await _row(session, chat_id, digest_id)
        upcoming = next_run(Schedule.from_text(row.schedule), row.timezone, deps.clock.now())
        await rows.change(session, chat_id, digest_id, active=True, next_run_at=upcoming)
        await session.refresh(row)
        return _view(row)


async def reschedule(deps: Deps, chat_id: int, digest_id: int, schedule: Schedule) -> DigestView:
    """A new schedule; the next run is its first slot after now (a paused digest stays paused)."""
    async with deps.write_for(chat_id) as session:
        row = await _row(session, chat_id, digest_id)
        upcoming = next_run(schedule, row.timezone, deps.clock.now()) if row.active else None
        await rows.change(session, chat_id, digest_id, schedule=schedule.text, next_run_at=upcoming)
        await session.refresh(row)
        return _view(row)


async def delete(deps: Deps, chat_id: int, digest_id: int) -> DigestView:
    """The digest gone; returns what it was."""
    async with deps.write_for(chat_id) as session:
        view = _view(await _row(session, chat_id, digest_id))
        await rows.remove(session, chat_id, digest_id)
    return view


# ---- the whole chat -----------------------------------------------------------------------------


async def settings_of(session: AsyncSession, chat_id: int) -> ChatSettings:
    """The chat's settings; Refusal `chat.unknown` for a chat Pythia does not know."""
    found = await chat_rows.settings(session, chat_id)
    if found is None:
        raise Refusal("chat.unknown", chat_id=chat_id)
    return found


# ---- helpers -----------------------------------------------------------------------------------


def _chosen(sections: Sequence[str], offered: Sequence[str]) -> tuple[str, ...]:
    for section in sections:
        if section not in offered:
            raise BadArgument("digest.section", section=str(section)[:20])
    chosen = ordered(sections)
    if not chosen:
        raise Refusal("digest.no_sections")
    return chosen


async def _coins(
    deps: Deps, session: AsyncSession, typed: Sequence[str]
) -> tuple[tuple[str, ...], list[str]]:
    """The coins typed, and those of them nobody followed until now (followed from now)."""
    request = await resolve_coins(deps, session, typed, limit=MAX_COINS)
    if request.too_many:
        raise Refusal("digest.limits", what="coins", most=MAX_COINS)
    if request.problems:
        refuse_unknown(deps, request)
    if not request.symbols:
        raise Refusal("digest.which_coins")
    return request.symbols, await follow(deps, session, request.symbols)


async def _default_coins(
    deps: Deps, session: AsyncSession, person: PersonSeen, chat: ChatSeen
) -> tuple[str, ...]:
    """In a private chat the person's watchlist (else BTC, ETH); elsewhere BTC ETH SOL —
    those Pythia knows."""
    known = (await deps.directory_in(session)).ids
    if chat.type == "private":
        watched = await watchlist_rows.watched(session, person.id)
        return tuple(watched[:MAX_COINS]) or tuple(c for c in PRIVATE_COINS if c in known)
    return tuple(c for c in GROUP_COINS if c in known)


async def _adopt(session: AsyncSession, chat_id: int, user_id: int, *, first: bool) -> str:
    """The chat's zone; at its first digest, a chat with no language (or zone) yet takes its
    creator's."""
    settings = await settings_of(session, chat_id)
    if not first:
        return settings.timezone
    chosen = await people.preferences(session, user_id)
    values: dict[str, Any] = {}
    if settings.language is None and chosen is not None:
        values["language"] = chosen.language
    if settings.timezone == "UTC" and chosen is not None and chosen.timezone:
        values["timezone"] = chosen.timezone
    await chat_rows.change(session, chat_id, **values)
    return str(values.get("timezone", settings.timezone))


# ---- preview (added by helper D: "👁 Preview" under /digest) ------------------------------------


@dataclass(frozen=True, slots=True)
class DigestPreview:
    """A digest as it would post now: the digest (its zone) and its facts."""

    digest: DigestView
    facts: DigestFacts


async def preview(deps: Deps, chat_id: int, digest_id: int, now: datetime) -> DigestPreview:
    """The chat's digest `digest_id` composed as of `now`, nothing written (`digest.unknown`
    if it is not the chat's)."""
    digest = await get(deps, chat_id, digest_id)
    inputs = await gather(deps, digest.sections, digest.coins, now)
    return DigestPreview(digest, compose(inputs, digest.sections, digest.coins, now))
