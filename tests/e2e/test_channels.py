"""Channels linked from a private chat, through the emulator with the real Application, on both
stacks: /channel @name links a channel where the person and Pythia are admins (Pythia with the
right to post), and says what to do when one of those is missing or the channel is unknown;
a post forwarded from the channel links it too; /channels lists them with one Unlink button
each, which only the person who linked it can press; the bot removed from a linked channel
pauses it and tells that person; a linked channel's digest is posted in the channel, and none
once it is unlinked."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from bot.callbacks import UnlinkChannel, encode
from bot.emulator.records import Chat, User
from core.chats import PAUSED_REMOVED, PAUSED_UNLINKED
from db.models import Chat as ChatRow
from db.models import DigestSubscription
from db.repos import chats as chat_rows
from services.digest_posting import post_due
from tests.e2e.conftest import Stack
from tests.e2e.groups import (
    due_now,
    rows_to,
    stack_posting_when_told,  # noqa: F401  (this module's stack)
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


_n = itertools.count(1)


def owner_and_channel(stack: Stack, *, bot_is_admin: bool = True) -> tuple[User, Chat, str]:
    """A person who is an admin of a new public channel (Pythia an admin there unless told)."""
    n = next(_n)
    owner = stack.emu.add_user(f"Cleo{n}", f"cleo{n}")
    name = f"alpha_calls_{n}"
    channel = stack.emu.add_channel(
        f"Alpha Calls {n}", name, admins=[owner], bot_is_admin=bot_is_admin
    )
    return owner, channel, name


async def kept(stack: Stack, chat_id: int) -> ChatRow | None:
    async with stack.deps.read() as session:
        return await session.scalar(select(ChatRow).where(ChatRow.id == chat_id))


async def test_link_a_channel_list_it_and_unlink_it_with_one_button(stack: Stack) -> None:
    owner, channel, name = owner_and_channel(stack)

    linked = await stack.ask(owner, f"/channel @{name}")

    assert linked.text == (
        f"✅ Linked Alpha Calls {name.rsplit('_', 1)[1]}: I can post there now. Schedule a "
        f"digest for it with /digest @{name} daily 08:00."
    )
    row = await kept(stack, channel.id)
    assert row is not None and (row.type, row.set_up_by, row.active) == ("channel", owner.id, True)

    listed = await stack.ask(owner, "/channels")
    assert f"Alpha Calls {name.rsplit('_', 1)[1]}" in listed.body
    [button] = [b["text"] for b in listed.buttons]
    assert button.startswith("Unlink ")

    query = await stack.emu.press_button(owner, listed, text=button)
    answered = await stack.emu.wait_for_callback_answer(query, timeout=10)
    assert answered.answer_text is not None and answered.answer_text.startswith("Unlinked ")
    await stack.emu.wait_for(lambda: "no channel" in listed.body or not listed.buttons, 10)
    async with stack.deps.read() as session:
        after = await chat_rows.settings(session, channel.id)
    assert after is not None and after.paused_reason == PAUSED_UNLINKED and not after.postable
    assert "You have linked no channel" in (await stack.ask(owner, "/channels")).body


async def test_someone_else_cannot_press_the_unlink_button(stack: Stack) -> None:
    owner, channel, name = owner_and_channel(stack)
    await stack.ask(owner, f"/channel @{name}")
    listed = await stack.ask(owner, "/channels")
    intruder = stack.emu.add_user("Mallory")
    forged = encode(UnlinkChannel(owner.id, channel.id))

    query = await stack.emu.press_button(intruder, listed, forged)

    answered = await stack.emu.wait_for_callback_answer(query, timeout=10)
    assert answered.answer_text == "That button is for whoever linked the channel."
    assert answered.show_alert
    row = await kept(stack, channel.id)
    assert row is not None and row.paused_reason is None and row.set_up_by == owner.id


async def test_only_an_admin_of_the_channel_can_link_it(stack: Stack) -> None:
    _, channel, name = owner_and_channel(stack)
    reader = stack.emu.add_user("Reader")
    stack.emu.set_member_status(channel, reader, "member")

    reply = await stack.ask(reader, f"/channel @{name}")

    assert reply.text == f"Only an admin of @{name} can link it."
    assert await kept(stack, channel.id) is None


async def test_pythia_must_be_an_admin_who_may_post(stack: Stack) -> None:
    owner, channel, name = owner_and_channel(stack, bot_is_admin=False)
    not_admin = await stack.ask(owner, f"/channel @{name}")
    assert not_admin.text == (
        f"Add me to @{name} as an admin with the right to post messages, then try again."
    )
    stack.emu.set_bot_status(channel, "administrator", owner, rights={"can_post_messages": False})
    cannot_post = await stack.ask(owner, f"/channel https://t.me/{name}")
    assert cannot_post.text == (
        f"I'm an admin of https://t.me/{name} but may not post there: give me the right to "
        "post messages, then try again."
    )
    assert await kept(stack, channel.id) is None
    stack.emu.set_bot_status(channel, "administrator", owner)  # now it may
    assert (await stack.ask(owner, f"/channel {name}")).body.startswith("✅ Linked")


async def test_an_unknown_channel_a_group_and_no_name(stack: Stack) -> None:
    owner, _, _ = owner_and_channel(stack)
    unknown = await stack.ask(owner, "/channel @no_such_channel_here")
    assert unknown.text == (
        "I can't find the channel @no_such_channel_here. Check its @name; for a private "
        "channel, forward me one of its posts."
    )
    group = stack.emu.add_group("Chat Group", admins=[owner], username="chat_group_x")
    assert (await stack.ask(owner, "/channel @chat_group_x")).text == (
        "@chat_group_x is not a channel: /digest works in groups directly."
    )
    usage = await stack.ask(owner, "/channel")
    assert usage.body.startswith("Send /channel @yourchannel, or forward me a post")
    in_group = await stack.ask(owner, "/channel @chat_group_x", group)
    assert in_group.text == "Link a channel in a private chat with me: send /channel there."


async def test_a_post_forwarded_from_the_channel_links_it(stack: Stack) -> None:
    owner, channel, _ = owner_and_channel(stack)
    post = await stack.emu.send_message(owner, "Today's call: BTC", channel)
    forwarded = await stack.emu.forward_message(owner, post)
    [reply] = await stack.emu.wait_for_bot_messages(owner, after=forwarded, timeout=10)
    assert reply.body.startswith("✅ Linked Alpha Calls")
    row = await kept(stack, channel.id)
    assert row is not None and row.set_up_by == owner.id


async def test_pythia_removed_from_a_linked_channel_tells_who_linked_it(stack: Stack) -> None:
    owner, channel, name = owner_and_channel(stack)
    linked = await stack.ask(owner, f"/channel @{name}")
    stack.emu.set_bot_status(channel, "left", owner)
    [told] = await stack.emu.wait_for_bot_messages(owner, after=linked, timeout=10)
    assert told.text == (
        f"I can no longer post in the channel Alpha Calls {name.rsplit('_', 1)[1]}. "
        "Nothing of yours was posting there."
    )
    row = await kept(stack, channel.id)
    assert row is not None and row.paused_reason == PAUSED_REMOVED
    listed = await stack.ask(owner, "/channels")
    assert "paused: I may not post there" in listed.body


async def test_a_linked_channels_digest_is_posted_there_until_it_is_unlinked(stack: Stack) -> None:
    owner, channel, name = owner_and_channel(stack)
    await stack.ask(owner, f"/channel @{name}")
    made = await stack.ask(owner, f"/digest @{name} every 6h")
    assert made.text.startswith("🗞 Digest set: every 6 hours"), made.text
    async with stack.deps.read() as session:
        digest_id = await session.scalar(
            select(DigestSubscription.id).where(DigestSubscription.chat_id == channel.id)
        )
    assert digest_id is not None

    await due_now(stack, digest_id)
    await post_due(stack.deps)

    [posted] = await stack.emu.wait_for_bot_messages(channel, timeout=15)
    assert "BTC" in posted.body and posted.chat_id == channel.id
    listed = await stack.ask(owner, "/channels")
    [button] = [b["text"] for b in listed.buttons]
    query = await stack.emu.press_button(owner, listed, text=button)
    await stack.emu.wait_for_callback_answer(query, timeout=10)
    sent_before = len(await rows_to(stack, channel.id))
    await due_now(stack, digest_id)
    await post_due(stack.deps)
    assert len(await rows_to(stack, channel.id)) == sent_before
    assert stack.emu.bot_messages(channel) == [posted]
