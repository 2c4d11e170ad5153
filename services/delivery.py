"""The outbox as its sender uses it: claiming what is due (with the preferences of the people
it is for, and for a group or channel the chat's language and zone), and settling each claim
— sent, back to the queue, failed, or the chat closed to the bot. One transaction each; the
sender decides when, and retries while the database is briefly away (a lost mark would mean a
message sent twice once the lease runs out).

Leases and holds (back-off, RetryAfter) run on the wall clock (`wall`); a row comes due on the
clock it was written in (`deps.clock`: the replay's in the sandbox).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from core.chats import ChatSettings
from core.people import DEFAULT_LANGUAGE, Preferences
from db import outbox
from db.models import OutboxMessage
from db.repos import chats, people
from services.alerts import alerts_changed
from services.deps import Deps

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A claimed row and how it is to be said: the person's preferences, or in a group or
    channel the chat's language and zone (`heard_in`)."""

    row: OutboxMessage
    preferences: Preferences


def person_of(payload: dict[str, Any], chat_id: int) -> int:
    """Whose row it is: its notice's person (or a finished row's), else the chat's (a private
    chat's id is its person's)."""
    notice = payload.get("notice")
    person = notice.get("user_id") if isinstance(notice, dict) else payload.get("user_id")
    return person if isinstance(person, int) else chat_id


MUTED = "muted"  # last_error of a row its person chose not to hear (/settings → Notices)


def muted(payload: Mapping[str, Any], chat_id: int, person: Preferences | None) -> bool:
    """A row to a person's private chat holding a notice of a kind they muted."""
    notice = payload.get("notice")
    kind = notice.get("type") if isinstance(notice, Mapping) else None
    return chat_id > 0 and person is not None and kind in person.muted


def heard_in(
    chat_id: int,
    chat: ChatSettings | None,
    person: Preferences,
    chosen: Mapping[int, Preferences],
) -> Preferences:
    """How a row to `chat_id` is said: in a private chat as its person chose; in a group or
    channel in the chat's language (else that of who set Pythia up there, else English) and
    the chat's zone; a group Pythia keeps no row of hears English."""
    if chat_id > 0:
        return person
    if chat is None:
        return replace(person, language=DEFAULT_LANGUAGE)
    setter = chosen.get(chat.set_up_by) if chat.set_up_by is not None else None
    language = chat.language or (setter.language if setter else DEFAULT_LANGUAGE)
    return replace(person, language=language, timezone=chat.timezone or "UTC")


async def claim(
    deps: Deps, wall: datetime, lease: timedelta, chats_at_most: int, skip_chats: Iterable[int]
) -> list[Claimed]:
    """The next due rows of up to `chats_at_most` chats, held for `lease`; their people's
    preferences and their groups' settings read in the same transaction, so a send needs no
    database read."""
    async with deps.write() as session:
        rows = await outbox.claim(
            session, wall, lease, chats_at_most, skip_chats=skip_chats, due=deps.clock.now()
        )
        if not rows:
            return []
        whose = {row.id: person_of(row.payload, row.chat_id) for row in rows}
        places = await chats.settings_of(session, {r.chat_id for r in rows if r.chat_id < 0})
        setters = {c.set_up_by for c in places.values() if c.set_up_by and not c.language}
        chosen = await people.preferences_of(session, set(whose.values()) | setters)
        hushed = {r.id for r in rows if muted(r.payload, r.chat_id, chosen.get(whose[r.id]))}
        if hushed:  # a kind of notice its person chose not to hear: never sent
            await outbox.mark_failed(session, sorted(hushed), MUTED)
    claimed = []
    for row in [r for r in rows if r.id not in hushed]:
        chat = places.get(row.chat_id)
        person = chosen.get(whose[row.id], Preferences())
        claimed.append(Claimed(row, heard_in(row.chat_id, chat, person, chosen)))
    return claimed


async def renew(deps: Deps, ids: Collection[int], until: datetime) -> None:
    async with deps.write() as session:
        await outbox.extend_claims(session, list(ids), until)


async def seconds_to_next(deps: Deps, wall: datetime) -> float | None:
    """Seconds until a row may next be claimed: the earliest of a hold or lease running out
    (wall clock) and a row not due yet coming due (seconds of the writers' clock: in the
    sandbox, whose replay runs fast, sooner than that — the sender's poll bounds its nap)."""
    async with deps.read() as session:
        now = deps.clock.now()
        due = await outbox.next_due(session, now)
        free = await outbox.next_free(session, wall)
    waits = [(due - now).total_seconds()] if due else []
    waits += [(free - wall).total_seconds()] if free else []
    return max(min(waits), 0.0) if waits else None


async def sent(deps: Deps, ids: Sequence[int], message_id: int) -> None:
    async with deps.write() as session:
        await outbox.mark_sent(session, ids, message_id, deps.clock.now())


async def maybe_sent(deps: Deps, ids: Sequence[int], note: str) -> None:
    """Telegram may have the message but its answer was lost: sent, with no message id and a
    note; never sent again (the Bot API cannot tell a repeat from a new message)."""
    async with deps.write() as session:
        await outbox.mark_sent(session, ids, None, deps.clock.now(), note=note)


async def later(
    deps: Deps, ids: Sequence[int], held_until: datetime, error: str, *, attempt: bool = True
) -> None:
    """Back to the queue, held until `held_until` on the wall clock; `attempt=False` when
    Telegram only said "later" (RetryAfter)."""
    async with deps.write() as session:
        await outbox.mark_retry(session, ids, held_until, error, attempt=attempt)


async def failed(deps: Deps, ids: Sequence[int], error: str) -> None:
    """Given up: never sent."""
    async with deps.write() as session:
        await outbox.mark_failed(session, ids, error)


async def release(deps: Deps, ids: Sequence[int]) -> None:
    """Hand claimed rows back untouched (a sender stopping before it sent them)."""
    async with deps.write() as session:
        await outbox.release(session, ids)


async def closed_to_the_bot(
    deps: Deps, chat_id: int, ids: Sequence[int], error: str, wall: datetime, *, person: bool
) -> int:
    """The bot may not write to this chat any more (blocked, removed): these rows and the
    chat's other pending ones fail; a person who blocked the bot has their alerts paused (they
    resume them with /alerts). Returns how many alerts were paused."""
    async with deps.write() as session:
        await outbox.mark_failed(session, ids, error)
        dropped = await outbox.fail_chat(session, chat_id, error, wall)
        paused = (
            await outbox.person_blocked_bot(session, chat_id, deps.clock.now()) if person else []
        )
    if paused:
        await alerts_changed(deps.cache)
    log.info(
        "outbox: chat %s is closed to the bot (%s): %s more rows dropped, %s alerts paused",
        chat_id, error, dropped, len(paused),
    )  # fmt: skip
    return len(paused)
