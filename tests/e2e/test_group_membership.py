"""A group's life with Pythia in it, through the emulator with the real Application, on both
stacks: the bot kicked from a group with a digest and an alert (the admin who set them up is
told privately, nothing more posts there, adding it back resumes them with a hello); the bot
added for the first time says hello in the adder's language; a group upgraded to a supergroup
keeps its language, zone, digests and alerts, and the next digest goes to the new id; a send
to the old id (ChatMigrated) is re-pointed; commands with @botname work and those addressed to
another bot are ignored; plain chatter is not seen (privacy mode); a reply in a forum topic goes
into the topic."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import TypeVar

import pytest
from sqlalchemy import select

from bot.emulator.records import Chat, User
from core.alerts.spec import AlertSpec, PriceLevel
from core.alerts.storage import columns_of
from core.chats import PAUSED_REMOVED, ChatSettings
from core.digest.schedule import Schedule
from core.people import ChatSeen, PersonSeen
from db import outbox
from db.models import Alert, Asset, DigestSubscription, OutboxMessage
from db.repos import alerts as alert_rows
from db.repos import chats as chat_rows
from services import chats, digests, matching
from services.digest_posting import post_due
from tests.e2e.conftest import Stack
from tests.e2e.groups import (
    due_now,
    rows_to,
    stack_posting_when_told,  # noqa: F401  (this module's stack)
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


T = TypeVar("T")
_n = itertools.count(1)


async def eventually(check: Callable[[], Awaitable[T | None]], timeout: float = 10.0) -> T:
    """`check()`'s first truthy value (the bot acts on updates as they come)."""
    async with asyncio.timeout(timeout):
        while True:
            value = await check()
            if value:
                return value
            await asyncio.sleep(0.05)


def people(stack: Stack, language: str = "en") -> tuple[User, User]:
    n = next(_n)
    return (
        stack.emu.add_user(f"Ada{n}", f"ada{n}", language_code=language),
        stack.emu.add_user(f"Max{n}"),
    )


def seen(user: User) -> PersonSeen:
    return PersonSeen(user.id, user.first_name, user.username, user.language_code)


async def settings(stack: Stack, chat_id: int) -> ChatSettings | None:
    async with stack.deps.read() as session:
        return await chat_rows.settings(session, chat_id)


async def set_up(stack: Stack, group: Chat, admin: User) -> tuple[int, int]:
    """A digest (through the service, as /digest makes it) and a group alert (the row, as
    the admin's /alert writes it) in `group`; their ids."""
    chat = ChatSeen(group.id, group.type, group.title, group.username)
    made = await digests.create(
        stack.deps, seen(admin), chat, None, Schedule.from_text("daily 08:00"),
        sections=["overview"], coins=["BTC"],
    )  # fmt: skip
    async with stack.deps.write() as session:
        btc = await session.scalar(select(Asset.id).where(Asset.symbol == "BTC"))
        assert btc is not None
        spec = AlertSpec("BTC", PriceLevel("above", Decimal(10_000_000)))
        now = stack.deps.clock.now()
        alert = await alert_rows.add(session, admin.id, group.id, btc, columns_of(spec), now)
    return made.id, alert


async def matched(stack: Stack, alert_id: int) -> bool:
    _, alerts = await matching.active_alerts(stack.deps)
    return any(a.id == alert_id and a.active for a in alerts)


async def test_kicked_pauses_tells_the_admin_and_adding_back_resumes(stack: Stack) -> None:
    emu = stack.emu
    admin, member = people(stack)
    await emu.send_message(admin, "/start")  # the admin has a private chat with Pythia
    await emu.wait_for_bot_messages(admin, timeout=10)
    group = emu.add_group("Kicked Traders", [member], admins=[admin])
    digest_id, alert_id = await set_up(stack, group, admin)
    assert await matched(stack, alert_id)
    before = emu.last_bot_message(admin)
    assert before is not None

    emu.set_bot_status(group, "kicked", by=member)

    [told] = await emu.wait_for_bot_messages(admin, after=before, timeout=10)
    assert told.text == (
        "I was removed from the group Kicked Traders. Paused there: 1 digest and 1 alert. "
        "Add me back to the group, and they resume."
    )
    paused = await settings(stack, group.id)
    assert paused is not None and paused.paused_reason == PAUSED_REMOVED and not paused.postable
    assert not await matched(stack, alert_id)  # the matcher no longer loads it
    await due_now(stack, digest_id)
    await post_due(stack.deps)
    assert await rows_to(stack, group.id) == []  # nothing posts to the group

    assert emu.bot_messages(group) == []
    emu.set_bot_status(group, "member", by=admin)

    [hello] = await emu.wait_for_bot_messages(group, timeout=10)
    assert hello.text == "👋 I'm back. Resumed here: 1 digest and 1 alert."
    back = await settings(stack, group.id)
    assert back is not None and back.postable
    assert await matched(stack, alert_id)
    async with stack.deps.read() as session:
        next_run = await session.scalar(
            select(DigestSubscription.next_run_at).where(DigestSubscription.id == digest_id)
        )
    assert next_run is not None and next_run > stack.deps.clock.now()  # from now: no burst
    assert emu.bot_messages(admin)[-1] == told  # told once


async def test_a_send_refused_as_forbidden_pauses_the_group_like_a_removal(stack: Stack) -> None:
    emu = stack.emu
    admin, _ = people(stack)
    await emu.send_message(admin, "/start")
    await emu.wait_for_bot_messages(admin, timeout=10)
    before = emu.last_bot_message(admin)
    assert before is not None
    group = emu.add_group("Silent Kick", admins=[admin])
    digest_id, alert_id = await set_up(stack, group, admin)
    emu.chat(group).bot_status = "kicked"  # the my_chat_member update never reached Pythia

    await due_now(stack, digest_id)
    await post_due(stack.deps)  # the send meets 403

    [told] = await emu.wait_for_bot_messages(admin, after=before, timeout=15)
    assert told.body.startswith("I was removed from the group Silent Kick.")
    assert any(c.status == 403 and c.params.get("chat_id") == group.id for c in emu.calls)
    assert await _paused(stack, group.id) and not await matched(stack, alert_id)
    assert emu.bot_messages(group) == []


async def test_a_group_without_anything_set_up_is_paused_silently(stack: Stack) -> None:
    emu = stack.emu
    admin, _ = people(stack)
    group = emu.add_group("Quiet Traders", admins=[admin], bot_is_member=False)
    emu.set_bot_status(group, "member", by=admin)  # Pythia keeps the group's row from now
    await emu.wait_for_bot_messages(group, timeout=10)  # its hello
    emu.set_bot_status(group, "left", by=admin)
    kept = await eventually(lambda: settings(stack, group.id))
    await eventually(lambda: _paused(stack, group.id))
    assert kept is not None and kept.set_up_by is None and emu.bot_messages(admin) == []


async def _paused(stack: Stack, chat_id: int) -> bool | None:
    kept = await settings(stack, chat_id)
    return kept is not None and kept.paused_reason == PAUSED_REMOVED


async def test_added_for_the_first_time_says_hello_in_the_adders_language(stack: Stack) -> None:
    emu = stack.emu
    adder, member = people(stack, language="es")
    group = emu.add_group("Comerciantes", [member], admins=[adder], bot_is_member=False)

    emu.set_bot_status(group, "member", by=adder)

    [hello] = await emu.wait_for_bot_messages(group, timeout=10)
    assert hello.body.startswith("👋 Hola, soy Pythia")
    kept = await settings(stack, group.id)
    assert kept is not None and kept.postable and kept.type == "group"
    emu.set_bot_status(group, "administrator", by=adder)  # promoted: nothing to say
    await stack.ask(member, "/price@pythia_bot BTC", group)
    assert len(emu.bot_messages(group)) == 2


async def test_a_supergroup_migration_keeps_settings_and_the_next_digest_goes_there(
    stack: Stack,
) -> None:
    emu = stack.emu
    admin, member = people(stack)
    group = emu.add_group("Upgraded Traders", [member], admins=[admin])
    digest_id, alert_id = await set_up(stack, group, admin)
    await chats.set_chat_zone(stack.deps, group.id, "Europe/Madrid")
    await chats.set_chat_language(stack.deps, group.id, "es")

    new = await emu.migrate_to_supergroup(group, by=admin)

    moved = await eventually(lambda: settings(stack, new.id))
    old = await eventually(lambda: _migrated(stack, group.id))
    assert old.migrated_to == new.id and not old.postable
    assert (moved.type, moved.language, moved.timezone, moved.set_up_by) == (
        "supergroup", "es", "Europe/Madrid", admin.id,
    )  # fmt: skip
    async with stack.deps.read() as session:
        digest_chat = await session.scalar(
            select(DigestSubscription.chat_id).where(DigestSubscription.id == digest_id)
        )
        alert_chat = await session.scalar(select(Alert.chat_id).where(Alert.id == alert_id))
    assert digest_chat == new.id and alert_chat == new.id
    assert await matched(stack, alert_id)

    await due_now(stack, digest_id)
    await post_due(stack.deps)
    [posted] = await emu.wait_for_bot_messages(new, timeout=15)
    assert "BTC" in posted.body and emu.bot_messages(group) == []
    assert (await stack.ask(member, "/price BTC", new)).chat_id == new.id


async def _migrated(stack: Stack, chat_id: int) -> ChatSettings | None:
    kept = await settings(stack, chat_id)
    return kept if kept is not None and kept.migrated_to is not None else None


async def test_a_send_to_the_old_id_is_re_pointed_to_the_supergroup(stack: Stack) -> None:
    emu = stack.emu
    admin, _ = people(stack)
    group = emu.add_group("Old Id Traders", admins=[admin])
    await set_up(stack, group, admin)
    new = await emu.migrate_to_supergroup(group, by=admin)
    await eventually(lambda: _migrated(stack, group.id))
    # The upgrade is two service messages, one in each chat, handled concurrently; either one
    # moves the group. Had the second not been handled yet, it would move the row below to the
    # supergroup itself and the sender would never try the old id: wait for both.
    assert await stack.settle()
    async with stack.deps.write() as session:  # written by someone who did not know yet
        now = stack.deps.clock.now()
        await outbox.enqueue(
            session, group.id, "note", {"text": "Still here?"}, f"old{new.id}", now
        )
    await stack.deps.cache.publish(outbox.OUTBOX_CHANNEL, "1")

    [arrived] = await emu.wait_for_bot_messages(new, timeout=15)

    assert arrived.text == "Still here?"
    assert any(call.status == 400 and call.params.get("chat_id") == group.id for call in emu.calls)
    [row] = await eventually(lambda: _sent(stack, new.id))
    assert row.telegram_message_id == arrived.message_id and await rows_to(stack, group.id) == []


async def _sent(stack: Stack, chat_id: int) -> list[OutboxMessage] | None:
    rows = await rows_to(stack, chat_id)
    return rows if rows and all(row.status == "sent" for row in rows) else None


async def test_commands_for_pythia_and_for_another_bot_in_a_group(stack: Stack) -> None:
    emu = stack.emu
    admin, member = people(stack)
    group = emu.add_group("Many Bots", [member], admins=[admin])
    other = await emu.send_message(member, "/price@some_other_bot BTC", group)
    chatter = await emu.send_message(member, "what is BTC doing today?", group)
    reply = await stack.ask(member, "/price@pythia_bot ETH", group)
    assert "ETH" in reply.body
    answered = {m.reply_to_message_id for m in emu.bot_messages(group)}
    assert other.message_id not in answered and chatter.message_id not in answered
    assert len(emu.bot_messages(group)) == 1  # the other bot's command and chatter unseen


async def test_a_reply_in_a_forum_topic_goes_into_the_topic(stack: Stack) -> None:
    emu = stack.emu
    admin, member = people(stack)
    forum = emu.add_group("Forum Traders", [member], admins=[admin], is_forum=True)
    sent = await emu.send_message(member, "/price BTC", forum, thread_id=42)
    [reply] = await emu.wait_for_bot_messages(forum, after=sent, timeout=10)
    assert reply.message_thread_id == 42 and "BTC" in reply.body
