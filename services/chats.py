"""The life of a group or channel with Pythia in it: removed (everything there pauses, and who
set it up is told), added back (it all resumes), upgraded to a supergroup (everything moves to
the new id), and channels a person links from their private chat (and unlinks).

A chat that is not postable (`core.chats.ChatSettings.postable`) is skipped by the digest job
(its claim joins the chat) and by the alert matcher (it loads alerts joined to their chat). The
matcher refreshes when `alerts:version` changes and re-reads alerts by `updated_at`, so a
removal or return touches the chat's alerts and bumps the version after its commit, as any
alert change does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.chats import PAUSED_REMOVED, PAUSED_UNLINKED, ChatSettings
from core.notices import ChatPaused, to_payload
from core.people import LANGUAGES, ChatSeen, PersonSeen
from core.refusal import BadArgument, Refusal
from db import outbox
from db.repos import chats, people
from db.repos import digests as digest_rows
from services import digests
from services.alerts import alerts_changed
from services.deps import Deps
from services.people import zone_named

log = logging.getLogger(__name__)

OUTBOX_KIND = "chat"
REMOVED_ERROR = "Forbidden: removed"  # last_error of the rows dropped
UNLINKED_ERROR = "unlinked"


@dataclass(frozen=True, slots=True)
class Paused:
    """What stopped posting in a chat the bot was removed from, and who was told."""

    chat: ChatSettings
    digests: int
    alerts: int
    told: int | None  # the person who set Pythia up there, if there is one


@dataclass(frozen=True, slots=True)
class Returned:
    """The bot is in the chat (again): what resumes there."""

    chat: ChatSettings
    first_time: bool  # Pythia had never been in it
    resumed: bool  # it had been paused as removed
    digests: int
    alerts: int
    language: str | None  # the adder's, if Pythia knows them


@dataclass(frozen=True, slots=True)
class Migrated:
    chat: ChatSettings  # the supergroup, as it now is
    digests: int
    alerts: int
    outbox: int  # pending messages re-pointed


async def removed(deps: Deps, chat_id: int, now: datetime | None = None) -> Paused | None:
    """The bot left, was kicked, or may not post there any more: the chat pauses (its digests
    and alerts stop), its pending messages are dropped, and who set Pythia up there is told in
    their private chat. None if the chat was not posting (unknown, already paused, migrated).
    `now`: the clock's, once the transaction has begun. One change to the chat at a time, as
    for its digests: the removal seen twice (the update, a send refused as Forbidden) pauses
    and tells once."""
    async with deps.write_for(chat_id) as session:
        now = now or deps.clock.now()
        chat = await chats.settings(session, chat_id)
        if chat is None or not chat.postable or not (chat.is_group or chat.is_channel):
            return None
        digests, alerts = await chats.counts(session, chat_id)
        await _pause(session, chat_id, PAUSED_REMOVED, REMOVED_ERROR, now)
        if chat.set_up_by is not None:
            notice = ChatPaused(
                user_id=chat.set_up_by,
                chat_id=chat_id,
                chat_type=chat.type,
                title=chat.title,
                username=chat.username,
                digests=digests,
                alerts=alerts,
                at=now,
            )
            key = f"chat_paused:{chat_id}:{now:%Y%m%d%H%M%S}"
            await outbox.enqueue(session, chat.set_up_by, OUTBOX_KIND, to_payload(notice), key, now)
    await alerts_changed(deps.cache)
    await deps.cache.publish(outbox.OUTBOX_CHANNEL, "chat")
    log.info("chat %s: the bot was removed; %s digests, %s alerts paused", chat_id, digests, alerts)
    return Paused(chat, digests, alerts, chat.set_up_by)


async def returned(
    deps: Deps, chat: ChatSeen, by: PersonSeen | None, now: datetime | None = None
) -> Returned:
    """The bot was added to a group or channel (again): its row is kept up to date, and a chat
    paused as removed posts again (its digests rescheduled from now, its alerts matched).
    `now`: the clock's, once the transaction has begun (a slot passed while it waited would
    be due at once)."""
    async with deps.write_for(chat.id) as session:
        now = now or deps.clock.now()
        first = await chats.seen(session, chat.id, chat.type, chat.title, chat.username, now)
        before = await chats.settings(session, chat.id)
        assert before is not None
        resumed = before.paused_reason == PAUSED_REMOVED
        if resumed:
            await chats.change(session, chat.id, active=True, paused_reason=None, paused_at=None)
            await chats.touch_alerts(session, chat.id, now)
            # from now, in the same transaction: the digest job must not claim what it missed
            # in between (it would post the late digest before the hello)
            await digest_rows.reschedule(session, chat.id, now)
        digests, alerts = await chats.counts(session, chat.id)
        chosen = await people.preferences(session, by.id) if by is not None else None
        after = await chats.settings(session, chat.id)
        assert after is not None
    if resumed:
        await alerts_changed(deps.cache)
    language = chosen.language if chosen is not None else None
    return Returned(after, first, resumed, digests, alerts, language)


async def migrate(deps: Deps, old_id: int, new_id: int, now: datetime) -> Migrated | None:
    """A group became the supergroup `new_id`: its language, zone and who set it up are copied
    there, its digests, alerts and pending messages move; the old row stays, inactive, with
    `migrated_to`. Idempotent (a second call moves nothing). None if Pythia never kept the group."""
    async with deps.write() as session:
        old = await chats.settings(session, old_id)
        if old is None:
            return None
        await chats.copy_to(session, old, new_id, now)
        digests, alerts, rows = await chats.move(session, old_id, new_id, now)
        await chats.change(session, old_id, active=False, migrated_to=new_id)
        new = await chats.settings(session, new_id)
        assert new is not None
    if alerts:
        await alerts_changed(deps.cache)
    if rows:
        await deps.cache.publish(outbox.OUTBOX_CHANNEL, "chat")
    log.info("chat %s became %s: %s digests, %s alerts moved", old_id, new_id, digests, alerts)
    return Migrated(new, digests, alerts, rows)


# ---- channels ---------------------------------------------------------------------------------


async def link_channel(
    deps: Deps, person: PersonSeen, channel: ChatSeen, now: datetime
) -> ChatSettings:
    """Pythia posts in `channel` from now on, set up by `person` (the bot has checked with
    Telegram that both are admins there). A channel another person linked stays theirs:
    Refusal `channel.taken`."""
    if channel.type != "channel":
        raise Refusal("channel.not_a_channel", title=channel.title or channel.username or "")
    async with deps.write_for(person.id) as session:
        await people.register(session, person, ChatSeen(person.id, "private"), now)
        kept = await chats.settings(session, channel.id)
        if (
            kept is not None
            and kept.set_up_by not in (None, person.id)
            and kept.paused_reason != PAUSED_UNLINKED
        ):
            raise Refusal("channel.taken", title=channel.title or channel.username or "")
        await chats.link(session, channel.id, channel.title, channel.username, person.id, now)
        linked = await chats.settings(session, channel.id)
        assert linked is not None
        return linked


async def _pause(
    session: AsyncSession, chat_id: int, reason: str, error: str, now: datetime
) -> int:
    """Pythia stops posting in the chat (`reason`): its alerts are told to the matcher as
    changed, its pending messages fail with `error`. Returns how many alerts were touched."""
    await chats.change(session, chat_id, active=False, paused_reason=reason, paused_at=now)
    touched = await chats.touch_alerts(session, chat_id, now)
    await outbox.fail_chat(session, chat_id, error, now)
    return touched


async def unlink_channel(deps: Deps, person_id: int, channel_id: int) -> ChatSettings:
    """Pythia stops posting in the person's channel: paused as 'unlinked', its digests deleted.
    Refusal `channel.unknown` for a channel that is not theirs (or already unlinked)."""
    now = deps.clock.now()
    async with deps.write_for(person_id) as session:
        chat = await chats.settings(session, channel_id)
        if (
            chat is None
            or not chat.is_channel
            or chat.set_up_by != person_id
            or chat.paused_reason == PAUSED_UNLINKED
        ):
            raise Refusal("channel.unknown", typed=str(channel_id))
        await chats.delete_digests(session, channel_id)
        touched = await _pause(session, channel_id, PAUSED_UNLINKED, UNLINKED_ERROR, now)
    if touched:
        await alerts_changed(deps.cache)
    return chat


async def linked_channels(deps: Deps, person_id: int) -> list[ChatSettings]:
    """The channels the person linked and has not unlinked (a removed one too: it says so)."""
    async with deps.read() as session:
        return await chats.channels_of(session, person_id)


async def channel_for(deps: Deps, person_id: int, typed: str) -> ChatSettings:
    """One of the person's linked channels, by @username (or t.me link) or title, any case.
    Refusal `channel.unknown` (typed=…) when none is."""
    wanted = _name_of(typed)
    if wanted:
        for channel in await linked_channels(deps, person_id):
            names = {(channel.username or "").lower(), (channel.title or "").strip().lower()}
            if wanted in names:
                return channel
    raise Refusal("channel.unknown", typed=typed.strip())


def _name_of(typed: str) -> str:
    """What a person typed for a channel, as a name to compare: '@Name', 't.me/name', 'Name'."""
    name = typed.strip()
    for prefix in ("https://", "http://"):
        name = name.removeprefix(prefix)
    name = name.removeprefix("t.me/").removeprefix("telegram.me/").removeprefix("@")
    return name.strip().lower()


# ---- a chat's own settings, as /digest sets them ----------------------------------------------


async def set_chat_zone(
    deps: Deps,
    chat_id: int,
    typed: str,
    *,
    person: PersonSeen | None = None,
    chat: ChatSeen | None = None,
) -> ChatSettings:
    """The chat's time zone as typed (/digest zone, like /timezone); every digest of the chat
    moves to it, from its next slot there. With `person` and `chat`, they are recorded first."""
    zone = zone_named(typed)
    async with deps.write_for(chat_id) as session:
        await _known(session, chat_id, person, chat, deps.clock.now())
        await chats.change(session, chat_id, timezone=zone)
        await digest_rows.move_to_zone(session, chat_id, zone, deps.clock.now())
        return await digests.settings_of(session, chat_id)


async def set_chat_language(
    deps: Deps,
    chat_id: int,
    language: str,
    *,
    person: PersonSeen | None = None,
    chat: ChatSeen | None = None,
) -> ChatSettings:
    """The language the chat's digests and alerts are said in (one of LANGUAGES)."""
    if language not in LANGUAGES:
        raise BadArgument("language.unknown", typed=language[:20], languages=LANGUAGES)
    async with deps.write_for(chat_id) as session:
        await _known(session, chat_id, person, chat, deps.clock.now())
        await chats.change(session, chat_id, language=language)
        return await digests.settings_of(session, chat_id)


async def _known(
    session: AsyncSession,
    chat_id: int,
    person: PersonSeen | None,
    chat: ChatSeen | None,
    now: datetime,
) -> None:
    """The person and chat recorded first, when given (the chat's own settings are read, and
    `chat.unknown` refused, once its changes are made: they change nothing of a chat Pythia
    does not know, and the refusal rolls them back)."""
    if person is not None and chat is not None and chat.id == chat_id:
        await people.register(session, person, chat, now)
