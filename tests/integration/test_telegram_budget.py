"""Telegram's budget shared through Redis (db.budget): three replicas' limiters booking at once
get, together, at most 30 sends in any second, one a second to a person and one every three
seconds (20 a minute) to a group — counted at the slots booked, on the Redis server's clock."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import AsyncIterator

import pytest

from db.budget import GROUP_GAP, PRIVATE_GAP, TelegramBudget
from db.ratelimit import book

pytestmark = [pytest.mark.redis]

REPLICAS, TASKS = 3, 8


@pytest.fixture
async def budgets(redis_reachable: str) -> AsyncIterator[list[TelegramBudget]]:
    import redis.asyncio as redis

    client = redis.Redis.from_url(redis_reachable)
    await client.flushdb()
    await client.aclose()
    three = [TelegramBudget(redis_reachable) for _ in range(REPLICAS)]  # one client each
    yield three
    for budget in three:
        await budget.close()


async def hammer(
    budgets: list[TelegramBudget], chats: list[int], seconds: float, burst: int = 1
) -> list[tuple[float, int]]:
    """Every replica's tasks booking sends to `chats` as the outbox sender does (a slot: wait
    for it, then book the next; a busy chat: try another), for `seconds`; the server time of
    each slot booked, and its chat."""
    booked: list[tuple[float, int]] = []
    deadline = time.monotonic() + seconds

    async def ask(budget: TelegramBudget) -> None:
        while time.monotonic() < deadline:
            chat = random.choice(chats)
            booking, at = await budget.booking(chat, burst)
            if booking.booked:
                booked.append((at + booking.wait, chat))
            await asyncio.sleep(min(booking.wait, 0.05))

    await asyncio.gather(*(ask(b) for b in budgets for _ in range(TASKS)))
    return sorted(booked)


def most_in_a_window(times: list[float], window: float) -> int:
    """The most grants in any half-open window [t, t + window)."""
    most, start = 0, 0
    for end, at in enumerate(times):
        while times[start] <= at - window:
            start += 1
        most = max(most, end - start + 1)
    return most


async def test_three_replicas_together_get_at_most_30_a_second(
    budgets: list[TelegramBudget],
) -> None:
    granted = await hammer(budgets, list(range(1, 10_001)), seconds=3.0)
    times = [at for at, _ in granted]
    assert most_in_a_window(times, 1.0) <= 30
    # and they do use it (3 s at 30 a second: 90; a stalled loop on a busy box loses a few)
    assert len(granted) >= 60
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 1 / 30 - 1e-6


async def test_one_person_gets_one_a_second_whoever_asks(budgets: list[TelegramBudget]) -> None:
    granted = await hammer(budgets, [4242], seconds=3.5)
    times = [at for at, _ in granted]
    assert 3 <= len(times) <= 4
    assert all(b - a >= PRIVATE_GAP - 1e-6 for a, b in itertools.pairwise(times))
    assert most_in_a_window(times, 1.0) == 1


async def test_a_group_gets_one_every_three_seconds_so_20_a_minute(
    budgets: list[TelegramBudget],
) -> None:
    granted = await hammer(budgets, [-100777], seconds=4.0)
    times = [at for at, _ in granted]
    assert len(times) == 2
    assert times[1] - times[0] >= GROUP_GAP - 1e-6  # 20 in any 60 s at most


async def test_other_chats_go_while_one_waits(budgets: list[TelegramBudget]) -> None:
    first, other = budgets[0], budgets[1]
    started = time.monotonic()
    assert (await first.book(7)).booked
    busy = await other.book(7)
    between = time.monotonic() - started  # the wait counts from the first booking
    assert not busy.booked and PRIVATE_GAP - between - 0.01 < busy.wait <= PRIVATE_GAP
    free = await other.book(8)  # another person: a slot at most 1/30 s on
    assert free.booked and free.wait <= 1 / 30 + 1e-6


async def test_a_burst_lets_replies_go_at_once_then_one_a_second(
    budgets: list[TelegramBudget],
) -> None:
    chat = 99
    answers = []
    for _ in range(4):
        answers.append(await budgets[0].book(chat, burst=3))
        await asyncio.sleep(1 / 30)  # the bot's pace, so only the chat's limit speaks
    assert [a.booked for a in answers] == [True, True, True, False]
    assert answers[3].wait > 0.5


async def test_a_429_holds_the_chat_for_every_replica(budgets: list[TelegramBudget]) -> None:
    started = time.monotonic()
    await budgets[0].hold(55, 5.0)
    held = await budgets[2].book(55)
    between = time.monotonic() - started
    assert not held.booked and 5.0 - between - 0.01 < held.wait <= 5.0
    assert (await budgets[1].book(-55)).booked  # only that chat


def test_the_arithmetic_books_slots_apart_whatever_the_attempts() -> None:
    rng = random.Random(7)
    bot, chats, now = 0.0, {c: 0.0 for c in range(40)}, 1000.0
    slots: list[tuple[float, int]] = []
    for _ in range(20_000):
        now += rng.uniform(0, 0.004)
        chat = rng.randrange(40)
        (bot, chats[chat]), answer = book((bot, chats[chat]), now, (1 / 30 + 1e-6, 1.0), 1)
        assert answer.wait >= 0
        if answer.booked:
            slots.append((now + answer.wait, chat))
    assert 29 <= most_in_a_window(sorted(at for at, _ in slots), 1.0) <= 30
    for chat in range(40):
        mine = [at for at, c in slots if c == chat]
        assert all(b - a >= 1.0 - 1e-9 for a, b in itertools.pairwise(mine))
