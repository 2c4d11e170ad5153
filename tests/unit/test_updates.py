"""Updates run concurrently except one person's in one chat, which run in the order they came;
a person's updates that the gate refuses, or that come on top of a long queue of theirs, are
turned away at once, and nobody's queue holds what others need to run."""

from __future__ import annotations

import asyncio
import warnings
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from bot.updates import OnePerPersonAndChat


def update(update_id: int, chat_id: int, user_id: int) -> Update:
    chat, user = Chat(chat_id, "group"), User(user_id, "Someone", is_bot=False)
    return Update(update_id, Message(update_id, datetime.now(UTC), chat, from_user=user, text="x"))


class Gate:
    """Refuses the update ids it is given; answers after `delays` seconds (by update id)."""

    def __init__(self, refuse: set[int] = frozenset(), delays: dict[int, float] | None = None):
        self.refuse, self.delays = refuse, delays or {}
        self.turned_away: list[tuple[int, bool]] = []
        self.asked = 0

    async def admit(self, update: Update) -> tuple[bool, bool]:
        self.asked += 1
        await asyncio.sleep(self.delays.get(update.update_id, 0))
        refused = update.update_id in self.refuse
        return not refused, refused and update.update_id == min(self.refuse)

    async def turn_away(self, update: Update, tell: bool) -> None:
        self.turned_away.append((update.update_id, tell))


class Broken(Gate):
    async def admit(self, update: Update) -> tuple[bool, bool]:
        raise ConnectionError("the cache is down")


async def test_one_persons_updates_in_one_chat_wait_for_each_other_and_nobody_else_does() -> None:
    processor = OnePerPersonAndChat()
    events: list[str] = []
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(tag: str) -> None:
        events.append(f"{tag} starts")
        started.set()
        await release.wait()
        events.append(f"{tag} ends")

    async def quick(tag: str) -> None:
        events.append(tag)

    first = asyncio.create_task(processor.process_update(update(1, -5, 7), slow("first")))
    await started.wait()
    same = asyncio.create_task(processor.process_update(update(2, -5, 7), quick("same person")))
    await processor.process_update(update(3, -5, 8), quick("another person"))
    await processor.process_update(update(4, 7, 7), quick("another chat"))
    await processor.process_update(object(), quick("not an update"))
    assert events == ["first starts", "another person", "another chat", "not an update"]
    release.set()
    await asyncio.gather(first, same)
    assert events[-2:] == ["first ends", "same person"]
    assert not processor._queues  # forgotten once nobody waits


async def test_a_persons_queued_updates_hold_no_slot_that_others_need_to_run() -> None:
    processor = OnePerPersonAndChat(max_running=2, max_held=100)
    release, ran = asyncio.Event(), []

    async def stuck() -> None:
        await release.wait()

    async def quick(tag: str) -> None:
        ran.append(tag)

    flood = [
        asyncio.create_task(processor.process_update(update(n, 7, 7), stuck())) for n in range(1, 9)
    ]
    await asyncio.sleep(0.01)
    await asyncio.wait_for(processor.process_update(update(100, 8, 8), quick("other")), 1)
    assert ran == ["other"]
    release.set()
    await asyncio.gather(*flood)


async def test_refused_updates_are_turned_away_at_once_and_never_run() -> None:
    gate, processor, ran = Gate(refuse={2, 3}), OnePerPersonAndChat(), []
    processor.guard(gate)

    async def handle(n: int) -> None:
        ran.append(n)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a coroutine dropped without close() would warn
        for n in range(1, 5):
            await processor.process_update(update(n, 7, 7), handle(n))
    assert ran == [1, 4]
    assert gate.turned_away == [(2, True), (3, False)]  # told once


async def test_a_person_never_has_more_than_a_few_updates_waiting() -> None:
    gate, processor = Gate(), OnePerPersonAndChat(max_waiting=3)
    processor.guard(gate)
    release, ran = asyncio.Event(), []

    async def handle(n: int) -> None:
        await release.wait()
        ran.append(n)

    tasks = [
        asyncio.create_task(processor.process_update(update(n, 7, 7), handle(n)))
        for n in range(1, 6)
    ]
    await asyncio.sleep(0.01)
    assert gate.turned_away == [(4, False), (5, False)]
    assert gate.asked == 5  # the ones on top count too
    release.set()
    await asyncio.gather(*tasks)
    assert ran == [1, 2, 3]


async def test_a_flood_on_top_of_a_full_queue_is_still_told() -> None:
    gate, processor = Gate(refuse={4, 5}), OnePerPersonAndChat(max_waiting=2)
    processor.guard(gate)
    release = asyncio.Event()

    async def handle() -> None:
        await release.wait()

    tasks = [
        asyncio.create_task(processor.process_update(update(n, 7, 7), handle()))
        for n in range(1, 6)
    ]
    await asyncio.sleep(0.01)
    assert gate.turned_away == [(3, False), (4, True), (5, False)]
    release.set()
    await asyncio.gather(*tasks)


async def test_order_is_kept_when_the_gate_answers_out_of_order() -> None:
    gate = Gate(refuse={3}, delays={1: 0.05, 2: 0.0, 3: 0.0, 4: 0.01})
    processor, ran = OnePerPersonAndChat(), []
    processor.guard(gate)

    async def handle(n: int) -> None:
        ran.append(n)

    await asyncio.gather(
        *(processor.process_update(update(n, 7, 7), handle(n)) for n in range(1, 5))
    )
    assert ran == [1, 2, 4]
    assert not processor._queues


async def test_a_broken_gate_lets_everyone_through() -> None:
    processor, ran = OnePerPersonAndChat(), []
    processor.guard(Broken())

    async def handle() -> None:
        ran.append(1)

    await processor.process_update(update(1, 7, 7), handle())
    assert ran == [1]


async def test_a_cancelled_update_does_not_break_the_line_behind_it() -> None:
    processor, ran = OnePerPersonAndChat(), []
    release = asyncio.Event()

    async def stuck() -> None:
        await release.wait()

    async def handle(n: int) -> None:
        ran.append(n)

    first = asyncio.create_task(processor.process_update(update(1, 7, 7), stuck()))
    second = asyncio.create_task(processor.process_update(update(2, 7, 7), handle(2)))
    third = asyncio.create_task(processor.process_update(update(3, 7, 7), handle(3)))
    await asyncio.sleep(0.01)
    second.cancel()
    await asyncio.sleep(0.01)
    assert ran == []  # the third still waits for the first
    release.set()
    await asyncio.gather(first, third)
    assert ran == [3]
