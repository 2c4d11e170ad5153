"""The life of a group or channel as Telegram tells a bot of it: `my_chat_member` updates when
the bot is added, promoted, removed (with who did it, the old and new ChatMember), the
`new_chat_members` service message when it joins a group; a group upgraded to a supergroup
(a new -100… id, both service messages, the old id answering 400 with migrate_to_chat_id, which
PTB raises as ChatMigrated); channel admin rights and forwarded channel posts; the control API
doing the same."""

from __future__ import annotations

import pytest
from telegram import Bot, ChatMemberAdministrator, ChatMemberBanned, ChatMemberLeft, Update
from telegram.constants import MessageOriginType
from telegram.error import BadRequest, ChatMigrated, Forbidden

from bot.emulator import Emulator, EmulatorClient, User


async def updates(bot: Bot) -> list[Update]:
    got = await bot.get_updates(timeout=0)
    if got:
        await bot.get_updates(offset=got[-1].update_id + 1, timeout=0)
    return list(got)


async def test_the_bot_removed_and_added_back_is_told_who_did_it(
    bot: Bot, emu: Emulator, alice: User, bob: User
) -> None:
    group = emu.add_group("Traders", [bob], admins=[alice], creator=None)
    emu.set_bot_status(group, "kicked", by=alice)
    [kicked] = await updates(bot)
    change = kicked.my_chat_member
    assert change is not None and change.chat.id == group.id and change.from_user.id == alice.id
    assert change.old_chat_member.status == "member"
    assert isinstance(change.new_chat_member, ChatMemberBanned)
    with pytest.raises(Forbidden, match="kicked from the group"):
        await bot.send_message(group.id, "hi")

    emu.set_bot_status(group, "member", by=bob)
    back, joined = await updates(bot)
    assert back.my_chat_member is not None and back.my_chat_member.from_user.id == bob.id
    assert back.my_chat_member.old_chat_member.status == "kicked"
    assert back.my_chat_member.new_chat_member.status == "member"
    assert joined.message is not None and joined.message.from_user is not None
    assert [u.id for u in joined.message.new_chat_members] == [bot.id]
    assert joined.message.from_user.id == bob.id
    assert (await bot.send_message(group.id, "hello again")).chat.id == group.id


async def test_no_update_without_a_change_and_the_creator_by_default(
    bot: Bot, emu: Emulator, alice: User
) -> None:
    group = emu.add_group("Solo", creator=alice)
    emu.set_bot_status(group, "member")  # already one
    assert await updates(bot) == []
    emu.set_bot_status(group, "administrator")  # promoted: no service message
    [promoted] = await updates(bot)
    assert promoted.my_chat_member is not None
    assert promoted.my_chat_member.from_user.id == alice.id
    assert isinstance(promoted.my_chat_member.new_chat_member, ChatMemberAdministrator)
    emu.set_bot_status(group, "left")
    [left] = await updates(bot)
    assert left.my_chat_member is not None
    assert isinstance(left.my_chat_member.new_chat_member, ChatMemberLeft)
    with pytest.raises(ValueError, match="private"):
        emu.set_bot_status(alice, "kicked")


async def test_the_bot_leaving_is_told_of_it_too(bot: Bot, emu: Emulator, alice: User) -> None:
    group = emu.add_group("Bye", admins=[alice])
    assert await bot.leave_chat(group.id)
    [left] = await updates(bot)
    assert left.my_chat_member is not None and left.my_chat_member.from_user.id == bot.id
    assert left.my_chat_member.old_chat_member.status == "member"
    assert isinstance(left.my_chat_member.new_chat_member, ChatMemberLeft)
    with pytest.raises(Forbidden):
        await bot.send_message(group.id, "still here?")


async def test_a_group_upgraded_to_a_supergroup(bot: Bot, emu: Emulator, alice: User) -> None:
    group = emu.add_group("Traders", creator=alice)
    await emu.send_command(alice, "price", "BTC", chat=group)
    await updates(bot)

    new = await emu.migrate_to_supergroup(group)

    assert new.type == "supergroup" and new.id < -1_000_000_000_000 and new.title == "Traders"
    assert new.members == group.members and new.bot_status == "member"
    to_message, from_message = await updates(bot)
    assert to_message.message is not None and to_message.message.chat.id == group.id
    assert to_message.message.migrate_to_chat_id == new.id
    assert from_message.message is not None and from_message.message.chat.id == new.id
    assert from_message.message.migrate_from_chat_id == group.id
    for call in (
        bot.send_message(group.id, "hi"),
        bot.get_chat(group.id),
        bot.get_chat_member(group.id, alice.id),
    ):
        with pytest.raises(ChatMigrated) as migrated:
            await call
        assert migrated.value.new_chat_id == new.id
    assert emu.failed_calls()[-1].status == 400
    sent = await bot.send_message(new.id, "hello supergroup")
    assert sent.chat.id == new.id and sent.chat.type == "supergroup"
    with pytest.raises(ValueError, match="supergroup"):
        await emu.send_message(alice, "still here?", group)  # nobody posts in the old one
    with pytest.raises(ValueError, match="basic group"):
        await emu.migrate_to_supergroup(new)
    await emu.send_command(alice, "price", "ETH", chat=new)
    [asked] = await updates(bot)
    assert asked.message is not None and asked.message.chat.id == new.id


async def test_a_group_without_the_bot_migrates_silently(
    bot: Bot, emu: Emulator, alice: User
) -> None:
    group = emu.add_group("Gone", creator=alice, bot_is_member=False)
    new = await emu.migrate_to_supergroup(group)
    assert await updates(bot) == [] and new.bot_status == "left"


async def test_channel_rights_membership_and_forwarded_posts(
    bot: Bot, emu: Emulator, alice: User, bob: User
) -> None:
    channel = emu.add_channel("Alpha", "alpha_ch", admins=[alice], subscribers=[bob])
    admin = await bot.get_chat_member("@alpha_ch", alice.id)
    assert admin.status == "administrator"
    me = await bot.get_chat_member(channel.id, bot.id)
    assert isinstance(me, ChatMemberAdministrator) and me.can_post_messages

    emu.set_bot_status(channel, "administrator", by=alice, rights={"can_post_messages": False})
    [changed] = await updates(bot)
    assert changed.my_chat_member is not None
    old, new = changed.my_chat_member.old_chat_member, changed.my_chat_member.new_chat_member
    assert isinstance(old, ChatMemberAdministrator) and old.can_post_messages
    assert isinstance(new, ChatMemberAdministrator) and not new.can_post_messages
    with pytest.raises(BadRequest, match="administrator rights"):
        await bot.send_message(channel.id, "hi")

    emu.set_bot_status(channel, "left", by=alice)
    await updates(bot)
    public = await bot.get_chat("@alpha_ch")  # a public channel is seen from outside
    assert public.id == channel.id and public.type == "channel"
    assert (await bot.get_chat_member("@alpha_ch", bot.id)).status == "left"
    with pytest.raises(BadRequest, match=r"(?i)member list is inaccessible"):
        await bot.get_chat_member("@alpha_ch", alice.id)
    private = emu.add_channel("Hidden", admins=[alice], bot_is_member=False, bot_is_admin=False)
    with pytest.raises(Forbidden):
        await bot.get_chat(private.id)

    emu.set_bot_status(channel, "administrator", by=alice)
    post = await emu.send_message(alice, "BTC to the moon", channel)
    await updates(bot)
    forwarded = await emu.forward_message(alice, post)
    [got] = await updates(bot)
    assert got.message is not None and got.message.chat.id == alice.id
    assert got.message.text == "BTC to the moon"
    origin = got.message.forward_origin
    assert origin is not None and origin.type == MessageOriginType.CHANNEL
    assert origin.chat.id == channel.id and origin.message_id == post.message_id  # type: ignore[attr-defined]
    assert forwarded.chat_id == alice.id


async def test_the_control_api_migrates_and_changes_status(emu: Emulator, alice: User) -> None:
    group = emu.add_group("Remote", admins=[alice])
    assert emu.url is not None
    async with EmulatorClient(emu.url) as client:
        await client.set_bot_status(group, "kicked", by=alice)
        assert emu.chat(group).bot_status == "kicked"
        await client.set_bot_status(group, "member", by=alice)
        new = await client.migrate_to_supergroup(group, by=alice)
        assert new.type == "supergroup" and emu.chat(group).migrated_to == new.id
        channel = emu.add_channel("C", "c_ch", admins=[alice])
        post = await emu.send_message(alice, "post", channel)
        forwarded = await client.forward_message(alice, post)
        assert forwarded.extra["forward_origin"]["chat"]["id"] == channel.id
