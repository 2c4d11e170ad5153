"""Messages in a forum's topics, and a person who blocks the bot and comes back, as the bot
receives them."""

from __future__ import annotations

import pytest
from telegram import Bot

from bot.emulator import Emulator, User


async def test_a_message_in_a_topic_reaches_the_bot_as_a_topic_message(
    emu: Emulator, bot: Bot, alice: User
) -> None:
    forum = emu.add_group("Forum", [alice], is_forum=True)
    await emu.send_message(alice, "/price BTC", forum, thread_id=7)
    await emu.send_message(alice, "/price ETH", forum)  # the General topic
    topic, general = [u.message for u in await bot.get_updates()]
    assert topic is not None and general is not None
    assert (topic.is_topic_message, topic.message_thread_id) == (True, 7)
    assert (general.is_topic_message, general.message_thread_id) == (None, None)
    reply = await topic.reply_text("in the topic")  # PTB keeps a reply in its topic
    assert emu.last_bot_message(forum).message_thread_id == reply.message_thread_id == 7


async def test_only_a_forum_has_topics(emu: Emulator, alice: User) -> None:
    group = emu.add_group("Group", [alice], supergroup=True)
    with pytest.raises(ValueError, match="not a forum"):
        await emu.send_message(alice, "hello", group, thread_id=3)


async def test_blocking_and_unblocking_the_bot_both_read_as_chat_member_updates(
    emu: Emulator, bot: Bot, alice: User
) -> None:
    emu.block_bot(alice)
    emu.unblock_bot(alice)
    blocked, unblocked = [u.my_chat_member for u in await bot.get_updates()]
    assert blocked is not None and unblocked is not None
    assert (blocked.old_chat_member.status, blocked.new_chat_member.status) == ("member", "kicked")
    assert (unblocked.old_chat_member.status, unblocked.new_chat_member.status) == (
        "kicked",
        "member",
    )
