"""Who books what in Telegram's shared budget (db.budget): the outbox sender's Pacer books each
send and waits for its slot, or leaves a chat that is not free yet for later; the handlers'
replies book in the request limiter, except a send the Pacer booked already; a Redis that fails
lets sends go on this process's own pacing. The budget here is a recording stand-in with the
same arithmetic (db.ratelimit.book) on a fixed clock; the real one is tested on Redis in
tests/integration/test_telegram_budget.py."""

from __future__ import annotations

import asyncio

from bot.delivery.pacing import PAID, Pacer
from bot.limiter import REPLY_BURST, FairRateLimiter
from db.budget import gap_of
from db.ratelimit import Booking, book


class Ledger:
    """The budget's arithmetic in memory, with every booking asked for written down."""

    def __init__(self, fail: bool = False) -> None:
        self.now, self.bot = 1000.0, 0.0
        self.chats: dict[int, float] = {}
        self.asked: list[tuple[int, int]] = []
        self.fail = fail

    async def book(self, chat_id: int, burst: int = 1) -> Booking:
        self.asked.append((chat_id, burst))
        if self.fail:
            raise ConnectionError("Redis is away")
        tats = (self.bot, self.chats.get(chat_id, 0.0))
        (self.bot, self.chats[chat_id]), answer = book(
            tats, self.now, (1 / 30, gap_of(chat_id)), burst
        )
        return answer

    async def hold(self, chat_id: int, seconds: float) -> None:
        self.chats[chat_id] = max(self.chats.get(chat_id, 0.0), self.now + seconds)

    async def close(self) -> None:
        pass


async def in_own_task(pacer: Pacer, chat: int) -> tuple[bool, int | None]:
    """What `cleared` says, and what it leaves in PAID, in a task as the sender runs it."""

    async def go() -> tuple[bool, int | None]:
        return await pacer.cleared(chat), PAID.get()

    return await asyncio.create_task(go())


async def test_the_pacer_books_each_send_and_marks_it_paid() -> None:
    ledger = Ledger()
    pacer = Pacer(budget=ledger)
    assert await in_own_task(pacer, 7) == (True, 7)
    assert ledger.asked == [(7, 1)]


async def test_a_chat_not_free_yet_is_left_for_later_and_held_until_it_is() -> None:
    ledger, clock = Ledger(), [50.0]
    pacer = Pacer(budget=ledger, clock=lambda: clock[0])
    assert (await in_own_task(pacer, 7))[0]
    assert await in_own_task(pacer, 7) == (False, None)  # another replica's send just went
    assert pacer.ready_at(7) >= 50.0 + gap_of(7) - 1e-9
    assert (await in_own_task(pacer, 8))[0]  # other chats go meanwhile


async def test_without_a_budget_or_with_redis_away_the_send_goes_on_its_own_pacing() -> None:
    assert await in_own_task(Pacer(), 7) == (True, None)
    away = Ledger(fail=True)
    assert await in_own_task(Pacer(budget=away), 7) == (True, None)
    assert away.asked == [(7, 1)]


class Telegram:
    def __init__(self) -> None:
        self.sent: list[int] = []

    def call(self, chat: int):
        async def callback() -> bool:
            self.sent.append(chat)
            return True

        return callback


async def send(limiter: FairRateLimiter, telegram: Telegram, chat: int, endpoint="sendMessage"):
    call = telegram.call(chat)
    return await limiter.process_request(call, (), {}, endpoint, {"chat_id": chat}, None)


async def test_a_reply_books_in_the_shared_budget_with_a_burst_in_any_chat() -> None:
    ledger, telegram, limiter = Ledger(), Telegram(), FairRateLimiter()
    limiter.share(ledger)
    await send(limiter, telegram, 5)
    await send(limiter, telegram, -100)
    assert ledger.asked == [(5, REPLY_BURST), (-100, REPLY_BURST)]
    assert telegram.sent == [5, -100]


async def test_a_send_the_pacer_booked_is_not_booked_again_but_the_next_one_is() -> None:
    ledger, telegram, limiter = Ledger(), Telegram(), FairRateLimiter()
    limiter.share(ledger)
    pacer = Pacer(budget=ledger)

    async def outbox_send() -> None:  # as the sender's task: book, then send through PTB
        assert await pacer.cleared(9)
        await send(limiter, telegram, 9)
        assert PAID.get() is None  # that booking was for one send
        ledger.now += 2.0  # the chat is free again
        await send(limiter, telegram, 9)  # e.g. the picture after a digest's text

    await asyncio.create_task(outbox_send())
    assert ledger.asked == [(9, 1), (9, REPLY_BURST)]
    assert telegram.sent == [9, 9]


async def test_answering_a_press_or_a_chat_action_books_nothing() -> None:
    ledger, telegram, limiter = Ledger(), Telegram(), FairRateLimiter()
    limiter.share(ledger)
    await send(limiter, telegram, 5, endpoint="sendChatAction")
    await send(limiter, telegram, 5, endpoint="editMessageText")
    assert ledger.asked == []
