"""Ending background tasks for sure (services.tasks), and the naps that no longer lose a cancel."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from db.cache import MemoryCache
from services import tasks


async def _stubborn(event: asyncio.Event, rounds: list[int]) -> None:
    """A loop like the outbox runner's: napping in wait_for, woken by `event`."""
    while True:
        rounds.append(1)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), 10)
        event.clear()
        await asyncio.sleep(0)


async def test_a_cancel_lost_by_wait_for_with_its_wake_up_and_end_still_ends_the_task() -> None:
    event, rounds = asyncio.Event(), []
    task = asyncio.create_task(_stubborn(event, rounds))
    await asyncio.sleep(0.01)
    event.set()  # the wake-up and the cancel in one turn of the loop
    task.cancel()
    await asyncio.sleep(0.05)
    if not task.done():  # Python 3.11's wait_for returned the wake-up: the task naps again
        assert len(rounds) == 2
    await asyncio.wait_for(tasks.end(task, patience=0.05), 2)
    assert task.cancelled()


async def test_end_gives_an_unwinding_task_its_patience_and_raises_what_it_raised() -> None:
    cleaned = asyncio.Event()

    async def unwinding() -> None:
        try:
            await asyncio.sleep(10)
        finally:
            await asyncio.sleep(0.2)  # a second cancel here would cut the cleaning short
            cleaned.set()

    task = asyncio.create_task(unwinding())
    await asyncio.sleep(0)
    await tasks.end(task, patience=1.0)
    assert cleaned.is_set()

    async def failing() -> None:
        raise ValueError("broken")

    broken = asyncio.create_task(failing())
    await asyncio.sleep(0)
    with pytest.raises(ValueError, match="broken"):
        await tasks.end(broken)
    await tasks.end_all([asyncio.create_task(failing()), asyncio.create_task(asyncio.sleep(5))])


async def test_a_subscription_wait_keeps_a_cancel_that_lands_with_a_message() -> None:
    cache = MemoryCache()
    async with cache.subscribe("prices") as events:
        waiting = asyncio.create_task(events.get(timeout=10))
        await asyncio.sleep(0.01)
        await cache.publish("prices", "tick")  # the message and the cancel in one turn
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
