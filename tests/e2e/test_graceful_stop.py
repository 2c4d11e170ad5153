"""BotRuntime.stop (SIGTERM's path) against the emulator: a slow handler finishes and its reply
goes out; a handler that never ends is cancelled at the deadline (logged) instead of holding the
process; the outbox rows the sender had claimed are handed back, none left claimed.

The two handlers are the test's own, added to the real Application (PTB runs them as it runs
ours: concurrently, through bot.updates). tests/reliability/test_graceful_stop.py does the same
to a real `pythia bot` process with SIGTERM.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from bot.app import BotRuntime, build_application
from bot.emulator import Emulator
from core.people import ChatSeen, PersonSeen
from core.settings import Settings
from db.models import OutboxMessage
from db.outbox import enqueue
from db.repos.people import register
from services.deps import Deps, build_deps, close_deps

GRACE = 2.0  # what the test gives the handlers (the process's own is bot.shutdown.STOP_GRACE)
PEOPLE = 12


async def test_stop_lets_a_slow_handler_finish_cuts_a_hung_one_and_hands_back_claims(
    tmp_path: Path, sqlite_template: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "pythia.sqlite3"
    shutil.copy(sqlite_template, database)
    settings = Settings(database_url=f"sqlite+aiosqlite:///{database}", outbox_rate=1)
    emu = Emulator()
    await emu.start()
    deps = await build_deps(settings)
    app = build_application(
        settings, token=emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url, deps=deps
    )
    slow_started, hung_started, cut = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def slow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        slow_started.set()
        await asyncio.sleep(GRACE / 2)
        assert update.effective_message is not None
        await update.effective_message.reply_text("slow, but done")

    async def hang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        hung_started.set()
        try:
            await asyncio.Event().wait()  # never set
        except asyncio.CancelledError:
            cut.set()
            raise

    app.add_handler(CommandHandler("slow", slow), group=-1)
    app.add_handler(CommandHandler("hang", hang), group=-1)
    runtime = BotRuntime(app)
    await runtime.start(poll_timeout=1)
    try:
        people = [emu.add_user(f"P{n}") for n in range(PEOPLE)]
        now = datetime.now(UTC)
        async with deps.write() as session:
            for n, person in enumerate(people):
                seen = PersonSeen(person.id, "P"), ChatSeen(person.id, "private")
                await register(session, *seen, now)
                text = {"text": f"row {n}"}
                await enqueue(session, person.id, "backlog", text, f"r{n}", now, now)
        runtime.app.bot_data.outbox.wake()
        alice, bob = emu.add_user("Alice"), emu.add_user("Bob")
        await emu.send_message(alice, "/slow")
        await emu.send_message(bob, "/hang")
        async with asyncio.timeout(10):
            await slow_started.wait()
            await hung_started.wait()
        async with asyncio.timeout(10):  # the sender has claimed the backlog by now
            while await claimed(deps) == 0:  # noqa: ASYNC110 (the database: no event to await)
                await asyncio.sleep(0.05)
        loop = asyncio.get_running_loop()
        started = loop.time()
        with caplog.at_level(logging.WARNING, logger="bot.shutdown"):
            await runtime.stop(grace=GRACE)
        took = loop.time() - started
    finally:
        await runtime.stop()  # a second stop does nothing (or cleans up after a failure)
        await close_deps(deps)
        await emu.stop()

    assert [m.text for m in emu.bot_messages(alice)] == ["slow, but done"]
    assert cut.is_set()
    assert "1 update(s) still handled at the deadline: cancelled" in caplog.text
    assert took < GRACE + 2  # not held by the hung handler: the deadline, then closing
    deps = await build_deps(settings)
    try:
        assert await claimed(deps) == 0
        async with deps.read() as session:
            sent = await session.scalar(select(func.count()).where(OutboxMessage.status == "sent"))
        assert (sent or 0) < PEOPLE  # some were still waiting: those were handed back
    finally:
        await close_deps(deps)


async def claimed(deps: Deps) -> int:
    async with deps.read() as session:
        count = await session.scalar(
            select(func.count()).where(
                OutboxMessage.status == "pending", OutboxMessage.claimed_until.is_not(None)
            )
        )
    return count or 0
