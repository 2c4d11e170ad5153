"""The outbox sender when Telegram's answer is lost: a message Telegram may have accepted is
never sent again (at most one copy reaches the person), one that never reached Telegram is
retried until exactly one arrives — and every wait runs in real seconds, whatever clock the
rest of Pythia keeps."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Bot

from bot.delivery.pacing import Pacer
from bot.emulator import Emulator, User
from bot.request import AiohttpRequest
from core.clock import ReplayClock
from db.engine import create_sessionmaker
from db.models import OutboxMessage
from tests.integration.test_outbox_sender import alert, queue, running, sender_for, settled
from tests.ports import free_port

READ_TIMEOUT = 0.5  # the sender's patience for an answer here (production: 5 s)


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator() as emulator:  # Telegram's flood limits on
        yield emulator
    assert not emulator.internal_errors, emulator.internal_errors


@pytest.fixture
async def bot(emu: Emulator) -> AsyncIterator[Bot]:
    request = AiohttpRequest(read_timeout=READ_TIMEOUT)
    async with Bot(emu.token, base_url=emu.base_url, request=request) as plain:
        yield plain


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


@pytest.fixture
def alice(emu: Emulator) -> User:
    return emu.add_user("Alice", "alice")


def fast_clock(speed: float = 600.0) -> ReplayClock:
    """The sandbox's kind of clock: starts now, runs `speed` times faster than the wall."""
    return ReplayClock(data_start=datetime.now(UTC), speed=speed)


@pytest.mark.parametrize("mode", ["garbage", "timeout_after", "reset_after"])
async def test_a_message_telegram_accepted_but_whose_answer_was_lost_is_not_sent_again(
    emu: Emulator,
    bot: Bot,
    sessions: async_sessionmaker[AsyncSession],
    alice: User,
    mode: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    emu.fail_next("sendMessage", chat=alice, mode=mode)  # a retry would be a second copy
    await queue(
        sessions, [(alice.id, "a1", alert("BTC above 70,000")), (alice.id, "a2", alert("next"))]
    )
    with caplog.at_level(logging.WARNING, logger="bot.delivery.sender"):
        async with running(sender_for(bot, sessions, clock=fast_clock())) as sender:
            stored = await settled(sessions, 2)
    assert [m.text for m in emu.bot_messages(alice)] == ["BTC above 70,000", "next"]  # once each
    first, second = stored
    assert first.status == "sent" and first.telegram_message_id is None and first.attempts == 1
    assert (first.last_error or "").startswith("ambiguous: ")
    assert second.status == "sent" and second.telegram_message_id is not None
    assert sender.stats.ambiguous == 1 and sender.stats.retried == 0
    assert [call.fault for call in emu.calls_to("sendMessage")] == [mode, None]
    [warning] = [r for r in caplog.records if "may have been sent" in r.getMessage()]
    assert f"[{first.id}]" in warning.getMessage()


async def test_a_send_that_never_reached_telegram_is_retried_and_arrives_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    port = free_port()  # a port to stop and restart the emulator on
    emu = await Emulator(flood_limits=None).start(port=port)
    alice = emu.add_user("Alice")
    async with Bot(emu.token, base_url=emu.base_url, request=AiohttpRequest()) as bot:
        await emu.stop()  # Telegram unreachable: connection refused
        await queue(sessions, [(alice.id, "a1", alert("when you are back"))])
        async with running(sender_for(bot, sessions, clock=fast_clock())) as sender:
            await _first_attempt_failed(sessions)
            await emu.start(port=port)
            [row] = await settled(sessions, 1)
        await emu.stop()
    assert [m.text for m in emu.bot_messages(alice)] == ["when you are back"]
    assert row.status == "sent" and row.attempts == 2
    assert row.telegram_message_id == emu.bot_messages(alice)[0].message_id
    assert "NotSent" in (row.last_error or "")  # the refusal it got before
    assert sender.stats.retried == 1 and sender.stats.ambiguous == 0


async def _first_attempt_failed(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with asyncio.timeout(30):
        while True:
            async with sessions() as session:
                if await session.scalar(select(OutboxMessage.last_error)):
                    return
            await asyncio.sleep(0.05)


async def test_back_off_runs_in_real_seconds_on_a_fast_clock(
    emu: Emulator, bot: Bot, sessions: async_sessionmaker[AsyncSession], alice: User
) -> None:
    emu.fail_next("sendMessage", chat=alice, code=502)
    await queue(sessions, [(alice.id, "a1", alert("hello"))])
    eager = Pacer(private_gap=0.0)  # the pacer's second between two sends to one person aside
    async with running(sender_for(bot, sessions, clock=fast_clock(), pacer=eager)):
        [row] = await settled(sessions, 1)
    failed, sent = [call.monotonic for call in emu.calls_to("sendMessage")]
    assert sent - failed >= 1.0  # the first back-off is 1-2 s of the wall, not of the replay
    assert row.status == "sent" and row.attempts == 2


async def test_telegrams_retry_after_holds_in_real_seconds_for_the_next_sender_too(
    emu: Emulator, bot: Bot, sessions: async_sessionmaker[AsyncSession], alice: User
) -> None:
    emu.fail_next("sendMessage", chat=alice, code=429, retry_after=3)
    await queue(sessions, [(alice.id, "a1", alert("after the wait"))])
    async with running(sender_for(bot, sessions, clock=fast_clock())):
        await _first_attempt_failed(sessions)  # and the hold written
    # a sender that restarts (a new pacer, knowing nothing) still waits what Telegram said
    async with running(sender_for(bot, sessions, clock=fast_clock())):
        [row] = await settled(sessions, 1)
    refused, sent = [call.monotonic for call in emu.calls_to("sendMessage")]
    assert sent - refused >= 3.0
    assert row.status == "sent" and row.attempts == 1  # the 429 cost no attempt
