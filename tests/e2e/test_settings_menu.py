"""/settings through the emulator: one message, each setting changed in place with its buttons
(the same services as the shortcut commands), the time zone found by a typed city (nothing
found, a stray command while it waits, Back), a muted kind of notice not delivered while an
unmuted one is, someone else's press refused, and from a group the menu sent privately."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.callbacks import SettingsButton, encode
from bot.emulator.records import MessageRecord, User
from core.notices import ChatPaused, NewsStory, to_payload
from db.models import OutboxMessage
from db.outbox import OUTBOX_CHANNEL, enqueue
from services import people
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def press(stack: Stack, user: User, message: MessageRecord, label: str) -> MessageRecord:
    """Press the button labelled `label` (as shown) and wait for the message to change."""
    edits = len(message.edits)
    query = await stack.emu.press_button(user, message, text=label)
    answered = await stack.emu.wait_for_callback_answer(query)
    assert answered.answered and not answered.show_alert
    await stack.emu.wait_for(lambda: len(message.edits) > edits, what="the page edited in place")
    return message


def labels(message: MessageRecord) -> list[str]:
    return [button["text"] for button in message.buttons]


async def test_the_menu_shows_every_choice_and_opens_each_page_in_place(
    stack: Stack, alice: User
) -> None:
    menu = await stack.ask(alice, "/settings")
    assert menu.text is not None and menu.text.startswith("Your settings")
    for line in ("Language: English", "Time zone: UTC", "Portfolio currency: USD"):
        assert line in menu.text
    assert "Quiet hours: off" in menu.text and "Notices: all on" in menu.text
    assert labels(menu) == [
        "🌐 Language", "🕒 Time zone", "💵 Currency", "📊 Cost basis", "🌙 Quiet hours",
        "🔔 Notices",
    ]  # fmt: skip
    for label, says in [
        ("🌐 Language", "Choose the language"),
        ("💵 Currency", "Your portfolio is kept in"),
        ("📊 Cost basis", "How the cost of what you sell is counted"),
        ("🌙 Quiet hours", "Quiet hours: off"),
        ("🔔 Notices", "Notices"),
        ("🕒 Time zone", "Type a city or zone"),
    ]:
        await press(stack, alice, menu, label)
        assert says in (menu.text or "")
        assert labels(menu)[-1] == "◀ Back"
        await press(stack, alice, menu, "◀ Back")
        assert (menu.text or "").startswith("Your settings")
    assert len(stack.emu.bot_messages(alice)) == 1  # one message all along


async def test_language_changes_at_once_and_is_the_same_as_language(
    stack: Stack, alice: User
) -> None:
    menu = await stack.ask(alice, "/settings")
    await press(stack, alice, menu, "🌐 Language")
    assert labels(menu) == ["✓ English", "Español", "Русский", "◀ Back"]
    await press(stack, alice, menu, "Español")
    assert (menu.text or "").startswith("A partir de ahora te hablo en Español")
    assert labels(menu) == ["English", "✓ Español", "Русский", "◀ Atrás"]
    assert (await people.preferences(stack.deps, alice.id)).language == "es"
    shortcut = await stack.ask(alice, "/language")  # the shortcut reads the same choice
    assert "Español" in (shortcut.text or "")
    await press(stack, alice, menu, "◀ Atrás")
    assert (menu.text or "").startswith("Tus ajustes")


async def test_currency_cost_basis_and_quiet_hours_change_in_place(
    stack: Stack, alice: User
) -> None:
    menu = await stack.ask(alice, "/settings")
    await press(stack, alice, menu, "💵 Currency")
    await press(stack, alice, menu, "USDT")
    assert "now kept in USDT" in (menu.text or "") and "✓ USDT" in labels(menu)
    await press(stack, alice, menu, "◀ Back")
    await press(stack, alice, menu, "📊 Cost basis")
    await press(stack, alice, menu, "Average cost")
    assert "0 trades are counted again" in (menu.text or "")
    assert "✓ Average cost" in labels(menu)
    await press(stack, alice, menu, "◀ Back")
    await press(stack, alice, menu, "🌙 Quiet hours")
    await press(stack, alice, menu, "23:00–08:00")
    assert (menu.text or "").startswith("Quiet hours set: 23:00–08:00 UTC")
    assert "✓ 23:00–08:00" in labels(menu)
    assert "/quiet 22:30-06:30" in (menu.text or "")  # other hours: the command
    chosen = await people.preferences(stack.deps, alice.id)
    assert (chosen.quote, chosen.method, chosen.quiet_hours) == ("USDT", "average", (1380, 480))
    await press(stack, alice, menu, "off")
    assert (await people.preferences(stack.deps, alice.id)).quiet_hours is None
    await press(stack, alice, menu, "◀ Back")
    assert "Portfolio currency: USDT" in (menu.text or "")
    assert "Cost basis: average cost" in (menu.text or "")


async def test_a_currency_the_trades_do_not_fit_is_refused_in_place(
    stack: Stack, alice: User
) -> None:
    preview = await stack.ask(alice, "/buy BTC 0.1 @ 60000")
    query = await stack.emu.press_button(alice, preview, text="✅ Confirm")
    await stack.emu.wait_for_callback_answer(query)
    await stack.emu.wait_for(lambda: not preview.buttons, what="the trade recorded")
    menu = await stack.ask(alice, "/settings")
    await press(stack, alice, menu, "💵 Currency")
    await press(stack, alice, menu, "USDT")
    assert "Your trades are booked in USD" in (menu.text or "")
    assert labels(menu)[:3] == ["✓ USD", "USDT", "USDC"]  # kept
    assert (await people.preferences(stack.deps, alice.id)).quote == "USD"
    await press(stack, alice, menu, "◀ Back")
    await press(stack, alice, menu, "📊 Cost basis")
    await press(stack, alice, menu, "Average cost")
    assert "1 trade is counted again" in (menu.text or "")


async def test_the_time_zone_is_found_by_city(stack: Stack, alice: User) -> None:
    menu = await stack.ask(alice, "/settings")
    await press(stack, alice, menu, "🕒 Time zone")
    nothing = await stack.ask(alice, "Narnia")
    assert (nothing.text or "").startswith("No time zone matches “Narnia”")
    assert not nothing.buttons
    stray = await stack.ask(alice, "/price BTC")  # a command meanwhile is just a command
    assert "BTC" in (stray.text or "") and "time zone" not in (stray.text or "").lower()
    found = await stack.ask(alice, "sao paulo")  # still waiting: the search
    assert (found.text or "").startswith("Time zones for “sao paulo”")
    assert labels(found) == ["America/Sao Paulo", "🔍 Search again", "◀ Back"]
    await press(stack, alice, found, "America/Sao Paulo")
    assert (found.text or "").startswith("Time zone set: America/Sao_Paulo")
    assert "Time zone: America/Sao_Paulo" in (found.text or "")
    assert (await people.preferences(stack.deps, alice.id)).timezone == "America/Sao_Paulo"
    said = len(stack.emu.bot_messages(alice))
    await stack.emu.send_message(alice, "berlin")  # found: no longer waiting
    await stack.ask(alice, "/help")
    assert len(stack.emu.bot_messages(alice)) == said + 1  # only /help was answered


async def test_several_zones_and_going_back_stops_the_search(stack: Stack, alice: User) -> None:
    menu = await stack.ask(alice, "/settings")
    await press(stack, alice, menu, "🕒 Time zone")
    found = await stack.ask(alice, "new")
    assert labels(found)[0] == "America/New York" and len(labels(found)) > 3
    await press(stack, alice, found, "🔍 Search again")
    assert "Type a city or zone" in (found.text or "")
    kyiv = await stack.ask(alice, "kiev")
    assert labels(kyiv)[0] == "Europe/Kyiv"
    await press(stack, alice, menu, "◀ Back")  # leaves the search
    said = len(stack.emu.bot_messages(alice))
    await stack.emu.send_message(alice, "tokyo")
    await stack.ask(alice, "/help")
    assert len(stack.emu.bot_messages(alice)) == said + 1


async def test_someone_elses_press_is_refused(stack: Stack, alice: User) -> None:
    mallory = stack.emu.add_user("Mallory", "mallory")
    menu = await stack.ask(alice, "/settings")
    for data in (
        encode(SettingsButton("lang", alice.id, "ru")),
        encode(SettingsButton("notes", alice.id, "news_story-")),
    ):
        query = await stack.emu.press_button(mallory, menu, data, strict=False)
        answered = await stack.emu.wait_for_callback_answer(query)
        assert answered.show_alert and "someone else's settings" in (answered.answer_text or "")
    chosen = await people.preferences(stack.deps, alice.id)
    assert chosen.language == "en" and chosen.muted == ()
    assert not menu.edits


async def test_in_a_group_the_menu_goes_privately(stack: Stack, alice: User) -> None:
    bob = stack.emu.add_user("Bob", "bob")
    group = stack.emu.add_group("Traders", [alice, bob])
    said = await stack.ask(alice, "/settings@pythia_bot", chat=group)
    assert "private chat" in (said.text or "") and not said.buttons
    [menu] = await stack.emu.wait_for_bot_messages(alice)
    assert (menu.text or "").startswith("Your settings") and menu.buttons
    forged = encode(SettingsButton("quiet", alice.id, "22-07"))  # Bob, in the group
    query = await stack.emu.press_button(bob, said, forged, strict=False)
    answered = await stack.emu.wait_for_callback_answer(query)
    assert answered.show_alert and "someone else's settings" in (answered.answer_text or "")
    assert (await people.preferences(stack.deps, alice.id)).quiet_hours is None
    assert not said.edits
    stranger = stack.emu.add_user("Carol", "carol", started=False)
    others = stack.emu.add_group("Others", [stranger])
    refused = await stack.ask(stranger, "/settings@pythia_bot", chat=others)
    assert "start a private chat with me" in (refused.text or "")


async def test_a_muted_kind_is_not_delivered_an_unmuted_one_is(stack: Stack, alice: User) -> None:
    menu = await stack.ask(alice, "/settings")
    await press(stack, alice, menu, "🔔 Notices")
    await press(stack, alice, menu, "🔔 News stories about the coins you follow")
    assert (menu.text or "").startswith("Muted: News stories")
    assert labels(menu)[0] == "🔕 News stories about the coins you follow"
    assert (await people.preferences(stack.deps, alice.id)).muted == ("news_story",)
    now = stack.deps.clock.now()
    story = NewsStory(
        story_id=1, user_id=alice.id, title="Muted headline", url="https://example.com/s",
        published_at=now, at=now, coins=("BTC",), followed=("BTC",),
    )  # fmt: skip
    paused = ChatPaused(user_id=alice.id, chat_id=-42, chat_type="group", title="Heard", at=now)
    last = stack.emu.bot_messages(alice)[-1].message_id
    async with stack.deps.write() as session:  # as the workers queue them
        for key, notice in (("story", story), ("paused", paused)):
            payload = to_payload(notice)
            await enqueue(session, alice.id, "notice", payload, f"{alice.id}:{key}", now, now)
    await stack.deps.cache.publish(OUTBOX_CHANNEL, "1")
    [heard] = await stack.emu.wait_for_bot_messages(alice, after=last)
    assert "Heard" in (heard.text or "")
    statuses = await settled(stack, alice.id)
    assert statuses == {f"{alice.id}:story": "failed", f"{alice.id}:paused": "sent"}
    assert not any("Muted headline" in (m.text or "") for m in stack.emu.bot_messages(alice))
    await press(stack, alice, menu, "🔕 News stories about the coins you follow")  # back on
    assert (await people.preferences(stack.deps, alice.id)).muted == ()


async def settled(stack: Stack, chat_id: int) -> dict[str, str]:
    """Each outbox row's status for `chat_id`, once none is pending."""
    async with asyncio.timeout(10):
        while True:
            async with stack.deps.read() as session:
                query = select(OutboxMessage).where(OutboxMessage.chat_id == chat_id)
                rows = list(await session.scalars(query))
            if all(row.status != "pending" for row in rows):
                return {row.dedupe_key: row.status for row in rows}
            await asyncio.sleep(0.05)
