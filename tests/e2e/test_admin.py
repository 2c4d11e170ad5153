"""/status and /broadcast through the emulator, on both stacks: an operator (in ADMIN_IDS) sees
what the rows say and broadcasts once however often Send is pressed; to anyone else the commands
do not exist — the same nothing an unknown command gets, and not in their command menu."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import func, select

from bot.callbacks import AdminButton, decode, encode
from bot.emulator.records import MessageRecord, User
from bot.handlers.admin import publish_menu
from db import outbox
from db.models import OutboxMessage, PendingAction
from services import admin, delivery
from services.job_runs import record_run
from tests.e2e.conftest import BACKENDS, Stack, ingest_candles_now, running_stack

pytestmark = pytest.mark.asyncio(loop_scope="module")

ADMIN_ID = 5_550_001
FROM_THE_TEAM = "📢 Message from Pythia's team"


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=BACKENDS)
async def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    """A Pythia whose operator is ADMIN_ID."""
    directory = tmp_path_factory.mktemp("admin")
    async with running_stack(request, directory, admin_ids=[ADMIN_ID]) as shared:
        yield shared


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def ada(stack: Stack) -> User:
    """The operator, who has started Pythia."""
    user = stack.emu.add_user("Ada", "ada", id=ADMIN_ID)
    await stack.ask(user, "/start")
    return user


async def started(stack: Stack, name: str) -> User:
    user = stack.emu.add_user(name)
    await stack.ask(user, "/start")
    return user


async def count(stack: Stack, table: type, *where: Any) -> int:
    async with stack.deps.sessions() as session:
        found = await session.scalar(select(func.count()).select_from(table).where(*where))
    return int(found or 0)


def replies_after(stack: Stack, user: User, sent: MessageRecord) -> list[MessageRecord]:
    return [m for m in stack.emu.bot_messages(user) if m.message_id > sent.message_id]


async def test_status_shows_what_the_rows_say(stack: Stack, ada: User) -> None:
    await ingest_candles_now(stack)  # candles stored (the job also runs on its own schedule)
    wall = datetime.now(UTC)
    failed = "Traceback…\nRuntimeError: feed down"
    started = wall - timedelta(minutes=2)
    await record_run(stack.deps, "ingest_news", "e2e-worker", started, started, False, failed)
    now = stack.deps.clock.now()
    later = now + timedelta(days=30)  # stays pending through the test
    async with stack.deps.write() as session:
        await outbox.enqueue(session, 777, "test", {"text": "x"}, "admin-e2e:later", later, now)

    reply = await stack.ask(ada, "/status")
    facts = await admin.status(stack.deps, stack.deps.clock.now())

    text = reply.text or ""
    assert text.startswith("🩺 Pythia status")
    assert "ingest_news ×1, last 2 min. ago: RuntimeError: feed down" in text
    pending = int(re.search(r"Pending: (\d+)", text).group(1))  # type: ignore[union-attr]
    assert pending >= 1 and facts.pending >= 1
    assert f"People: {facts.people} · active in 24 h: {facts.active_day}" in text
    assert re.search(r"\n\w+: price (just now|\d+ \w+\.? ago) · 1h candle ", text), text
    assert "Bot heartbeat: " in text and "e2e-worker: last job 2 min. ago" in text
    assert [b["text"] for b in reply.buttons] == ["🔄 Refresh"]

    stamp = re.compile(r"Updated at (\d\d:\d\d:\d\d) UTC")
    first = stamp.search(text)
    assert first is not None, text
    await asyncio.sleep(1.0)  # the page says the second it was made: the refresh's is another
    edits = len(reply.edits)
    query = await stack.emu.press_button(ada, reply, text="🔄 Refresh")
    await stack.emu.wait_for_callback_answer(query)
    await stack.emu.wait_for(lambda: len(reply.edits) > edits, what="the refreshed status")
    assert (reply.text or "").startswith("🩺 Pythia status") and reply.buttons
    again = stamp.search(reply.text or "")
    assert again is not None and again.group(1) != first.group(1)


async def test_to_anyone_else_the_commands_do_not_exist(stack: Stack, ada: User) -> None:
    bob = await started(stack, "Bob")
    before = await count(stack, PendingAction)
    for typed in ("/nosuchcommand", "/status", "/broadcast Hello all", "/status@pythia_bot"):
        sent = await stack.emu.send_message(bob, typed)
        helped = await stack.ask(bob, "/help")
        assert replies_after(stack, bob, sent) == [helped], typed  # nothing before /help's
    # the operator too, in a group: not there (what Pythia says about itself is private)
    group = stack.emu.add_group("Ops", members=[ada, bob])
    for typed in ("status", "broadcast"):
        sent = await stack.emu.send_command(ada, typed, "Hi", chat=group, mention_bot=True)
        helped = await stack.ask(ada, "/help@pythia_bot", chat=group)
        later = [m for m in stack.emu.bot_messages(group) if m.message_id > sent.message_id]
        assert later == [helped], typed
    assert await count(stack, PendingAction) == before
    # a forged operator's button: what any button Pythia does not know gets
    last = stack.emu.bot_messages(bob)[-1]
    query = await stack.emu.press_button(bob, last, encode(AdminButton("refresh")), strict=False)
    answered = await stack.emu.wait_for_callback_answer(query)
    assert (answered.answer_text, answered.show_alert) == ("This button no longer works.", True)
    # and not in anyone's menu but the operator's
    await publish_menu(stack.app.bot, [ADMIN_ID])  # at start-up Ada had not started Pythia
    names = {name for name, _ in stack.emu.my_commands()}
    mine = {name for name, _ in stack.emu.my_commands(f"chat:{ADMIN_ID}")}
    assert "status" not in names and "broadcast" not in names and "price" in names
    assert {"status", "broadcast", "price"} <= mine
    assert {"status", "broadcast"} <= {
        n for n, _ in stack.emu.my_commands(f"chat:{ADMIN_ID}", "es")
    }


async def test_bad_broadcasts_are_refused_in_one_line(stack: Stack, ada: User) -> None:
    before = await count(stack, PendingAction), await count(stack, OutboxMessage)
    empty = await stack.ask(ada, "/broadcast")
    assert empty.text == (
        "Write the message after the command: /broadcast We are back after maintenance."
    )
    long = await stack.ask(ada, "/broadcast " + "x" * 3501)
    assert long.text == "That message is 3,501 characters long; a broadcast can have at most 3,500."
    assert not empty.buttons and not long.buttons
    assert (await count(stack, PendingAction), await count(stack, OutboxMessage)) == before


async def test_a_cancelled_broadcast_writes_nothing(stack: Stack, ada: User) -> None:
    preview = await stack.ask(ada, "/broadcast Hello <b>everyone</b>\nSecond line")
    assert FROM_THE_TEAM + "\n\nHello <b>everyone</b>\nSecond line" in (preview.text or "")
    rows = await count(stack, OutboxMessage)
    query = await stack.emu.press_button(ada, preview, text="✖️ Cancel")
    await stack.emu.wait_for_callback_answer(query)
    await stack.emu.wait_for(lambda: not preview.buttons, what="the cancelled preview")
    assert preview.text == "✖️ Cancelled: nothing was sent."
    assert await count(stack, OutboxMessage) == rows


async def test_send_pressed_twice_reaches_everyone_once_but_who_blocked(
    stack: Stack, ada: User
) -> None:
    carol, dave = await started(stack, "Carol"), await started(stack, "Dave")
    stack.emu.block_bot(dave)  # and Pythia learnt it from a send that failed
    await delivery.closed_to_the_bot(
        stack.deps, dave.id, [], "Forbidden: bot was blocked by the user", datetime.now(UTC),
        person=True,
    )  # fmt: skip
    reachable = await admin_audience(stack)
    assert ada.id in reachable and carol.id in reachable and dave.id not in reachable

    preview = await stack.ask(ada, "/broadcast Maintenance tonight.\nBack by 02:00 UTC.")
    assert f"It will go to {len(reachable)} people" in (preview.text or "")
    send = next(b["callback_data"] for b in preview.buttons if b["text"] == "📢 Send")
    token = decode(send).token  # type: ignore[union-attr]
    first = await stack.emu.press_button(ada, preview, send)
    second = await stack.emu.press_button(ada, preview, send)  # before the first was answered
    await stack.emu.wait_for_callback_answer(first)
    await stack.emu.wait_for_callback_answer(second)
    await stack.emu.wait_for(lambda: not preview.buttons, what="the queued outcome")
    assert (preview.text or "").startswith(f"✅ Queued for {len(reachable)} people.")

    mine = OutboxMessage.dedupe_key.like(f"broadcast:{token}:%")
    assert await count(stack, OutboxMessage, mine) == len(reachable)
    assert await count(stack, OutboxMessage, mine, OutboxMessage.chat_id == dave.id) == 0
    expected = f"{FROM_THE_TEAM}\n\nMaintenance tonight.\nBack by 02:00 UTC."

    def delivered() -> dict[int, int]:
        return {
            chat: sum(m.text == expected for m in stack.emu.bot_messages(chat))
            for chat in reachable
        }

    await stack.emu.wait_for(lambda: all(delivered().values()), 15, "everyone's broadcast")
    assert set(delivered().values()) == {1}  # once each
    assert not any(m.text == expected for m in stack.emu.bot_messages(dave))
    await all_marked_sent(stack, token)
    status = await stack.ask(ada, "/status")
    assert f"sent {len(reachable)} · pending 0 · failed 0" in (status.text or "")


async def all_marked_sent(stack: Stack, token: str, timeout: float = 10.0) -> None:
    """Wait until the sender has marked every row of broadcast `token` sent."""
    async with asyncio.timeout(timeout):
        while True:
            facts = await admin.status(stack.deps, stack.deps.clock.now())
            if any(b.id == token and b.pending == 0 for b in facts.broadcasts):
                return
            await asyncio.sleep(0.05)


async def admin_audience(stack: Stack) -> set[int]:
    """Who a broadcast reaches now, as the database says (private chats, not blocked)."""
    from db.repos.status import audience_ids

    async with stack.deps.sessions() as session:
        return set(await audience_ids(session))
