"""The life of a group or channel, on SQLite and on Postgres with Redis: the bot removed pauses
the group's digests and alerts (the matcher stops loading them) and tells who set it up, once;
added back, they resume; a group upgraded to a supergroup takes its settings, digests, alerts
and pending messages to the new id (twice is once); a person registering in a removed group
does not un-pause it; channels linked, found by name, listed and unlinked (only by their own)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.alerts.spec import AlertSpec, PriceLevel
from core.alerts.storage import columns_of
from core.chats import PAUSED_REMOVED, PAUSED_UNLINKED
from core.clock import FixedClock
from core.notices import ChatPaused, read_payload
from core.people import ChatSeen, PersonSeen
from core.refusal import Refusal
from core.settings import Settings
from db import outbox
from db.models import Alert, Asset, DigestSubscription, OutboxMessage
from db.repos import alerts as alert_rows
from db.repos import chats as chat_rows
from db.repos.people import register
from services import chats, matching
from services.deps import Deps, build_deps, close_deps
from workers.alerting.matcher import AlertMatcher

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
ADMIN, OTHER = 101, 202
GROUP, SUPERGROUP, CHANNEL = -4001, -1004001, -1009001


@pytest.fixture
async def deps(db_url: str, engine: object, cache_url: str | None) -> AsyncIterator[Deps]:
    settings = Settings(
        _env_file=None, database_url=db_url, redis_url=cache_url, symbols=["BTC", "ETH", "SOL"]
    )
    deps = await build_deps(settings, FixedClock(NOW))
    yield deps
    await close_deps(deps)


def admin(user_id: int = ADMIN) -> PersonSeen:
    return PersonSeen(user_id, "Ann", "ann", "es")


async def group_with_things(
    deps: Deps, chat_id: int = GROUP, digests: int = 2, at: datetime = NOW
) -> list[int]:
    """A group set up by ADMIN (language, zone chosen) with `digests` digests and two price
    alerts; the alerts' ids."""
    async with deps.write() as session:
        await register(session, admin(), ChatSeen(ADMIN, "private"), NOW)
        await register(session, admin(), ChatSeen(chat_id, "group", "Traders"), NOW)
        await chat_rows.set_up_by_if_unset(session, chat_id, ADMIN)
        await chat_rows.change(session, chat_id, language="es", timezone="Europe/Madrid")
        for hour in range(digests):
            session.add(
                DigestSubscription(
                    chat_id=chat_id,
                    created_by=ADMIN,
                    schedule=f"daily {8 + hour:02d}:00",
                    timezone="Europe/Madrid",
                    contents={"sections": ["overview"], "coins": ["BTC"]},
                    active=True,
                    created_at=NOW,
                    next_run_at=NOW + timedelta(hours=1 + hour),
                )
            )
        btc = await session.scalar(select(Asset.id).where(Asset.symbol == "BTC"))
        assert btc is not None
        ids = []
        for level in (Decimal(70000), Decimal(80000)):
            spec = AlertSpec("BTC", PriceLevel("above", level))
            ids.append(await alert_rows.add(session, ADMIN, chat_id, btc, columns_of(spec), at))
    return ids


async def matched_ids(deps: Deps) -> set[int]:
    _, alerts = await matching.active_alerts(deps)
    return {a.id for a in alerts if a.active}


async def notices_to(deps: Deps, chat_id: int) -> list[OutboxMessage]:
    async with deps.read() as session:
        rows = await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == chat_id))
        return list(rows)


async def test_removed_pauses_the_group_and_tells_who_set_it_up_once(deps: Deps) -> None:
    alerts = await group_with_things(deps)
    assert await matched_ids(deps) == set(alerts)
    later = NOW + timedelta(minutes=5)

    paused = await chats.removed(deps, GROUP, later)

    assert paused is not None and (paused.digests, paused.alerts, paused.told) == (2, 2, ADMIN)
    async with deps.read() as session:
        kept = await chat_rows.settings(session, GROUP)
    assert kept is not None and not kept.postable and kept.paused_reason == PAUSED_REMOVED
    assert await matched_ids(deps) == set()  # the matcher loads none of them
    changed = await matching.changed_alerts(deps, later)  # and a running one drops them
    assert {a.id for a in changed} == set(alerts) and not any(a.active for a in changed)
    told = await notices_to(deps, ADMIN)
    assert len(told) == 1
    notice = read_payload(told[0].payload)
    assert isinstance(notice, ChatPaused)
    assert (notice.chat_id, notice.title, notice.digests, notice.alerts) == (GROUP, "Traders", 2, 2)
    assert await chats.removed(deps, GROUP, later + timedelta(minutes=1)) is None  # once
    assert len(await notices_to(deps, ADMIN)) == 1


async def test_a_removal_seen_twice_at_once_pauses_and_tells_once(deps: Deps) -> None:
    """The update saying the bot was kicked and a send refused as Forbidden, at the same time
    (the handler and the sender, in one or two processes): one pause, one notice."""
    await group_with_things(deps)

    both = await asyncio.gather(
        *(chats.removed(deps, GROUP, NOW + timedelta(seconds=s)) for s in (1, 2))
    )

    assert sorted(p is None for p in both) == [False, True]
    assert len(await notices_to(deps, ADMIN)) == 1


async def test_a_running_matcher_drops_a_removed_groups_alerts_and_takes_them_back(
    deps: Deps,
) -> None:
    alerts = await group_with_things(deps, at=NOW - timedelta(days=1))  # long unchanged
    async with deps.write() as session:  # and someone's alert changed since
        await register(session, admin(OTHER), ChatSeen(OTHER, "private"), NOW)
        spec = AlertSpec("BTC", PriceLevel("below", Decimal(1000)))
        btc = await session.scalar(select(Asset.id).where(Asset.symbol == "BTC"))
        assert btc is not None
        await alert_rows.add(session, OTHER, OTHER, btc, columns_of(spec), NOW)
    matcher = AlertMatcher()
    await matcher.start(deps)
    assert all(alert_id in matcher.index for alert_id in alerts)

    await chats.removed(deps, GROUP, NOW)
    assert await matcher.sync(deps) >= 2  # the version changed: the two alerts re-read
    assert not any(alert_id in matcher.index for alert_id in alerts)
    assert await matcher.sync(deps) == 0  # nothing new since

    await chats.returned(deps, ChatSeen(GROUP, "group", "Traders"), admin(), NOW)
    await matcher.sync(deps)
    assert all(alert_id in matcher.index for alert_id in alerts)
    fresh = AlertMatcher()  # and one started now loads them
    await fresh.start(deps)
    assert all(alert_id in fresh.index for alert_id in alerts)


async def test_removed_from_an_unknown_chat_or_a_private_one_does_nothing(deps: Deps) -> None:
    assert await chats.removed(deps, -555, NOW) is None
    async with deps.write() as session:
        await register(session, admin(), ChatSeen(ADMIN, "private"), NOW)
    assert await chats.removed(deps, ADMIN, NOW) is None
    async with deps.read() as session:
        kept = await chat_rows.settings(session, ADMIN)
    assert kept is not None and kept.postable


async def test_a_group_without_who_set_it_up_pauses_silently(deps: Deps) -> None:
    async with deps.write() as session:
        await register(session, admin(), ChatSeen(GROUP, "group", "Quiet"), NOW)
    paused = await chats.removed(deps, GROUP, NOW)
    assert paused is not None and paused.told is None
    async with deps.read() as session:
        assert await session.scalar(select(OutboxMessage.id)) is None


async def test_a_message_in_a_removed_group_does_not_unpause_it(deps: Deps) -> None:
    await group_with_things(deps)
    await chats.removed(deps, GROUP, NOW)
    async with deps.write() as session:
        await register(session, admin(OTHER), ChatSeen(GROUP, "group", "Traders 2"), NOW)
        kept = await chat_rows.settings(session, GROUP)
    assert kept is not None and not kept.postable and kept.title == "Traders 2"


async def test_pending_messages_to_a_removed_group_are_dropped(deps: Deps) -> None:
    await group_with_things(deps)
    async with deps.write() as session:
        await outbox.enqueue(session, GROUP, "alert", {"text": "hi"}, "k1", NOW)
    await chats.removed(deps, GROUP, NOW)
    rows = await notices_to(deps, GROUP)
    assert [row.status for row in rows] == ["failed"]


async def test_returned_resumes_what_was_paused(deps: Deps) -> None:
    alerts = await group_with_things(deps)
    await chats.removed(deps, GROUP, NOW)
    again = await chats.returned(deps, ChatSeen(GROUP, "group", "Traders"), admin(), NOW)
    assert again.resumed and not again.first_time
    assert (again.digests, again.alerts, again.language) == (2, 2, "es")
    assert again.chat.postable and again.chat.language == "es"
    assert await matched_ids(deps) == set(alerts)
    changed = await matching.changed_alerts(deps, NOW)
    assert all(a.active for a in changed)


async def test_returned_to_a_new_group_is_its_first_time(deps: Deps) -> None:
    first = await chats.returned(deps, ChatSeen(-777, "supergroup", "New"), admin(), NOW)
    assert first.first_time and not first.resumed and first.chat.postable
    assert first.language is None  # Pythia does not know the adder yet
    second = await chats.returned(deps, ChatSeen(-777, "supergroup", "New"), admin(), NOW)
    assert not second.first_time and not second.resumed


async def test_migrate_moves_settings_digests_alerts_and_pending_messages(deps: Deps) -> None:
    alerts = await group_with_things(deps)
    async with deps.write() as session:
        await outbox.enqueue(session, GROUP, "alert", {"text": "hi"}, "k1", NOW)
        await outbox.enqueue(session, GROUP, "alert", {"text": "hi"}, "k2", NOW)
        sent = await outbox.enqueue(session, GROUP, "alert", {"text": "old"}, "k3", NOW)
        assert sent is not None
        await outbox.mark_sent(session, [sent], 5, NOW)
    moved = await chats.migrate(deps, GROUP, SUPERGROUP, NOW)

    assert moved is not None and (moved.digests, moved.alerts, moved.outbox) == (2, 2, 2)
    new = moved.chat
    assert (new.id, new.type, new.language, new.timezone, new.set_up_by) == (
        SUPERGROUP, "supergroup", "es", "Europe/Madrid", ADMIN,
    )  # fmt: skip
    assert new.postable and new.title == "Traders"
    async with deps.read() as session:
        old = await chat_rows.settings(session, GROUP)
        digests = list(await session.scalars(select(DigestSubscription.chat_id)))
        alert_chats = list(await session.scalars(select(Alert.chat_id)))
    assert old is not None and old.migrated_to == SUPERGROUP and not old.postable
    assert digests == [SUPERGROUP] * 2 and alert_chats == [SUPERGROUP] * 2
    assert len(await notices_to(deps, SUPERGROUP)) == 2
    assert [row.status for row in await notices_to(deps, GROUP)] == ["sent"]  # stays where it went
    assert await matched_ids(deps) == set(alerts)  # still matched, under the new chat

    again = await chats.migrate(deps, GROUP, SUPERGROUP, NOW)  # the other service message
    assert again is not None and (again.digests, again.alerts, again.outbox) == (0, 0, 0)
    assert again.chat == new


async def test_migrate_into_a_supergroup_pythia_already_saw_keeps_its_choices(deps: Deps) -> None:
    await group_with_things(deps)
    async with deps.write() as session:
        await register(session, admin(OTHER), ChatSeen(SUPERGROUP, "supergroup", "T"), NOW)
        await chat_rows.change(session, SUPERGROUP, language="ru")
    moved = await chats.migrate(deps, GROUP, SUPERGROUP, NOW)
    assert moved is not None
    assert (moved.chat.language, moved.chat.timezone, moved.chat.set_up_by) == (
        "ru", "Europe/Madrid", ADMIN,
    )  # fmt: skip


async def test_migrate_of_a_group_never_kept_does_nothing(deps: Deps) -> None:
    assert await chats.migrate(deps, -31337, -10031337, NOW) is None


async def test_a_migrated_group_stays_migrated_when_heard_from(deps: Deps) -> None:
    await group_with_things(deps)
    await chats.migrate(deps, GROUP, SUPERGROUP, NOW)
    async with deps.write() as session:
        await register(session, admin(), ChatSeen(GROUP, "group", "Traders"), NOW)
        old = await chat_rows.settings(session, GROUP)
    assert old is not None and not old.postable


# ---- channels ---------------------------------------------------------------------------------


def channel(
    chat_id: int = CHANNEL, title: str = "Alpha Calls", name: str = "AlphaCalls"
) -> ChatSeen:
    return ChatSeen(chat_id, "channel", title, name)


async def test_link_find_list_and_unlink_a_channel(deps: Deps) -> None:
    linked = await chats.link_channel(deps, admin(), channel(), NOW)
    assert linked.is_channel and linked.postable and linked.set_up_by == ADMIN
    await chats.link_channel(deps, admin(), channel(-1009002, "beta", "beta_ch"), NOW)

    assert [c.title for c in await chats.linked_channels(deps, ADMIN)] == ["Alpha Calls", "beta"]
    assert await chats.linked_channels(deps, OTHER) == []
    for typed in ("@alphacalls", "AlphaCalls", "https://t.me/AlphaCalls", " alpha calls "):
        assert (await chats.channel_for(deps, ADMIN, typed)).id == CHANNEL
    for typed in ("@nope", "", "@", "Alpha"):
        with pytest.raises(Refusal) as refused:
            await chats.channel_for(deps, ADMIN, typed)
        assert refused.value.code == "channel.unknown"
    with pytest.raises(Refusal):
        await chats.channel_for(deps, OTHER, "@AlphaCalls")  # not theirs

    async with deps.write() as session:
        session.add(
            DigestSubscription(
                chat_id=CHANNEL, created_by=ADMIN, schedule="daily 08:00", contents={},
                active=True, created_at=NOW, timezone="UTC",
            )
        )  # fmt: skip
    with pytest.raises(Refusal) as refused:
        await chats.unlink_channel(deps, OTHER, CHANNEL)  # someone else's
    assert refused.value.code == "channel.unknown"
    gone = await chats.unlink_channel(deps, ADMIN, CHANNEL)
    assert gone.id == CHANNEL
    assert [c.id for c in await chats.linked_channels(deps, ADMIN)] == [-1009002]
    async with deps.read() as session:
        kept = await chat_rows.settings(session, CHANNEL)
        assert await session.scalar(select(DigestSubscription.id)) is None
    assert kept is not None and kept.paused_reason == PAUSED_UNLINKED and not kept.postable
    with pytest.raises(Refusal):
        await chats.unlink_channel(deps, ADMIN, CHANNEL)  # twice
    with pytest.raises(Refusal):
        await chats.unlink_channel(deps, ADMIN, GROUP)  # never a channel

    relinked = await chats.link_channel(deps, admin(), channel(), NOW)  # linking again resumes
    assert relinked.postable


async def test_a_channel_another_admin_linked_stays_theirs(deps: Deps) -> None:
    await chats.link_channel(deps, admin(), channel(), NOW)
    with pytest.raises(Refusal) as refused:
        await chats.link_channel(deps, admin(OTHER), channel(), NOW)
    assert refused.value.code == "channel.taken"
    await chats.unlink_channel(deps, ADMIN, CHANNEL)
    taken = await chats.link_channel(deps, admin(OTHER), channel(), NOW)  # free once unlinked
    assert taken.set_up_by == OTHER


async def test_only_a_channel_can_be_linked(deps: Deps) -> None:
    with pytest.raises(Refusal) as refused:
        await chats.link_channel(deps, admin(), ChatSeen(GROUP, "group", "Traders"), NOW)
    assert refused.value.code == "channel.not_a_channel"
    async with deps.read() as session:
        assert await chat_rows.settings(session, GROUP) is None


async def test_a_removed_channel_is_still_listed_and_paused(deps: Deps) -> None:
    await chats.link_channel(deps, admin(), channel(), NOW)
    paused = await chats.removed(deps, CHANNEL, NOW)
    assert paused is not None and paused.told == ADMIN
    listed = await chats.linked_channels(deps, ADMIN)
    assert [c.paused_reason for c in listed] == [PAUSED_REMOVED]
