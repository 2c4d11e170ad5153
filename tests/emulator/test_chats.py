"""Groups, supergroups and channels: privacy mode, membership, permissions, flood limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter

from bot.emulator import Emulator, FloodLimits, User


async def test_group_command_with_bot_username(
    bot: Bot, emu: Emulator, alice: User, bob: User
) -> None:
    group = emu.add_group("Traders", members=[alice, bob], supergroup=True)
    assert str(group.id).startswith("-100")
    await emu.send_message(alice, "/price@pythia_bot BTC", chat=group)
    await emu.send_message(bob, "just chatting", chat=group)  # privacy mode: not delivered
    await emu.send_message(bob, "/price@other_bot ETH", chat=group)  # another bot's command
    await emu.send_message(bob, "hey @pythia_bot", chat=group)  # mentions are delivered
    updates = await bot.get_updates()
    assert [u.message.text for u in updates] == ["/price@pythia_bot BTC", "hey @pythia_bot"]
    command = updates[0].message
    assert command.chat.type == "supergroup" and command.chat.title == "Traders"
    assert [(e.type, e.offset, e.length) for e in command.entities] == [("bot_command", 0, 17)]
    assert len(emu.chat_messages(group)) == 4  # everything is still in the chat history

    reply = await command.reply_text("BTC: 97k")
    assert reply.reply_to_message.message_id == command.message_id
    # Replies to the bot are delivered even with privacy mode.
    await emu.send_message(bob, "thanks", chat=group, reply_to=emu.last_bot_message(group))
    assert [u.message.text for u in await bot.get_updates(offset=updates[-1].update_id + 1)] == [
        "thanks"
    ]


async def test_group_membership_queries(bot: Bot, emu: Emulator, alice: User, bob: User) -> None:
    group = emu.add_group("Club", members=[bob], creator=alice, bot_is_admin=True)
    assert (await bot.get_chat_member(group.id, alice.id)).status == "creator"
    assert (await bot.get_chat_member(group.id, bob.id)).status == "member"
    assert (await bot.get_chat_member(group.id, emu.bot.id)).status == "administrator"
    carol = emu.add_user("Carol")
    assert (await bot.get_chat_member(group.id, carol.id)).status == "left"
    admins = await bot.get_chat_administrators(group.id)
    assert {a.user.id for a in admins} == {alice.id, emu.bot.id}
    assert await bot.get_chat_member_count(group.id) == 3
    chat = await bot.get_chat(group.id)
    assert (chat.title, chat.type) == ("Club", "group")
    assert await bot.leave_chat(group.id)
    with pytest.raises(Forbidden, match="bot is not a member of the group chat"):
        await bot.send_message(group.id, "anyone?")


async def test_group_bot_is_not_in(bot: Bot, emu: Emulator, alice: User) -> None:
    group = emu.add_group("Elsewhere", members=[alice], supergroup=True, bot_is_member=False)
    with pytest.raises(Forbidden, match="bot is not a member of the supergroup chat"):
        await bot.send_message(group.id, "hi")
    await emu.send_message(alice, "/start", chat=group)
    assert await bot.get_updates() == ()


async def test_channel_posting_requires_admin(bot: Bot, emu: Emulator) -> None:
    digest = emu.add_channel("Pythia Digest", username="pythia_digest")
    post = await bot.send_message("@pythia_digest", "Daily digest")
    assert post.chat.id == digest.id and post.sender_chat.id == digest.id
    assert post.from_user is None
    quiet = emu.add_channel("Quiet", bot_is_admin=False)
    with pytest.raises(BadRequest, match="Need administrator rights in the channel chat"):
        await bot.send_message(quiet.id, "hello")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message("@no_such_channel", "hello")


# PTB warns that RetryAfter.retry_after will become a timedelta; irrelevant here.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_flood_limit_answers_429() -> None:
    async with Emulator(flood_limits=FloodLimits()) as limited:
        user = limited.add_user("Dave")
        group = limited.add_group("Busy", members=[user])
        async with Bot(limited.token, base_url=limited.base_url) as limited_bot:
            for index in range(3):  # the private-chat burst
                await limited_bot.send_message(user.id, f"update {index}")
            with pytest.raises(RetryAfter) as caught:
                await limited_bot.send_message(user.id, "one too many")
            assert caught.value.retry_after == timedelta(seconds=1)  # PTB_TIMEDELTA is on
            for index in range(20):
                await limited_bot.send_message(group.id, f"group {index}")
            with pytest.raises(RetryAfter):
                await limited_bot.send_message(group.id, "one too many")
        assert limited.flood_violations == [
            ("sendMessage", user.id, 1),
            ("sendMessage", group.id, 3),
        ]
        refused = [c for c in limited.calls if c.status == 429]
        assert [c.description for c in refused] == [
            "Too Many Requests: retry after 1",
            "Too Many Requests: retry after 3",
        ]
        assert len(limited.bot_messages(user)) == 3  # the refused message was not delivered


async def test_user_edits_and_channel_posts(bot: Bot, emu: Emulator, alice: User) -> None:
    message = await emu.send_message(alice, "/alert BTC 100k")
    await emu.edit_message(alice, message, "/alert BTC 90k")
    channel = emu.add_channel("News", admins=[alice])
    await emu.send_message(alice, "breaking", chat=channel)
    updates = await bot.get_updates()
    assert updates[0].message.text == "/alert BTC 100k"
    assert updates[1].edited_message.text == "/alert BTC 90k"
    assert updates[1].edited_message.edit_date is not None
    assert updates[2].channel_post.sender_chat.id == channel.id
    assert (await bot.get_chat(alice.id)).first_name == "Alice"


async def test_privacy_mode_off_delivers_everything() -> None:
    async with Emulator(flood_limits=None, privacy_mode=False) as open_emu:
        user = open_emu.add_user("Frank")
        group = open_emu.add_group("Chatty", members=[user])
        await open_emu.send_message(user, "plain chatter", chat=group)
        async with Bot(open_emu.token, base_url=open_emu.base_url) as open_bot:
            assert (await open_bot.get_me()).can_read_all_group_messages
            [update] = await open_bot.get_updates()
            assert update.message.text == "plain chatter"
