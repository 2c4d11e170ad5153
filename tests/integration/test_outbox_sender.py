"""The outbox sender against a real database (SQLite and Postgres) and the emulator over HTTP,
with Telegram's flood limits on. The bot is a plain PTB `Bot`: no AIORateLimiter, so
what keeps the limits and honours RetryAfter here is the sender alone."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Bot

from bot.delivery import OutboxSender
from bot.delivery.pacing import Pacer
from bot.emulator import Emulator, User
from bot.request import AiohttpRequest
from core.alerts.grammar import parse_alert
from core.alerts.storage import condition_of
from core.clock import SystemClock
from core.notices import AlertFired, to_payload
from core.settings import Settings
from db.cache import MemoryCache
from db.engine import create_engine, create_sessionmaker
from db.models import Alert, Asset, Chat, OutboxMessage
from db.models import User as Person
from db.outbox import OUTBOX_CHANNEL, claim, enqueue
from services.alerts import ALERTS_VERSION
from services.deps import Deps

BUTTONS = [
    [{"text": "Chart", "callback_data": "chart:BTC"}, {"text": "Pause", "callback_data": "ap:1"}]
]


def alert(text: str, **fields: Any) -> dict[str, Any]:
    return {"text": text, "buttons": BUTTONS, "symbol": "BTC", "quiet": False} | fields


def now() -> datetime:
    return datetime.now(UTC)


def fired(user_id: int, text: str = "BTC > 70000", **changes: Any) -> dict[str, Any]:
    """An outbox payload as the workers write it now: the notice of a fired alert."""
    at = datetime(2026, 11, 26, 13, 5, tzinfo=UTC)
    notice = AlertFired(
        alert_id=changes.pop("alert_id", 42), user_id=user_id,
        condition=condition_of(parse_alert(text, at)), at=at, price=Decimal("70012.5"),
        quote="USDT", change_pct=Decimal("2.314"), change_window=timedelta(hours=24), **changes,
    )  # fmt: skip
    return to_payload(notice)


async def person(sessions: async_sessionmaker[AsyncSession], user_id: int, **chosen: Any) -> None:
    at = now()
    async with sessions.begin() as session:
        session.add(Person(id=user_id, first_name="P", created_at=at, last_seen_at=at, **chosen))


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator() as emulator:  # FloodLimits(): Telegram's limits, 429 past them
        yield emulator
    assert not emulator.internal_errors, emulator.internal_errors


@pytest.fixture
async def bot(emu: Emulator) -> AsyncIterator[Bot]:
    request = AiohttpRequest()
    async with Bot(emu.token, base_url=emu.base_url, request=request) as plain:
        yield plain


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


@pytest.fixture
def alice(emu: Emulator) -> User:
    return emu.add_user("Alice", "alice")


@pytest.fixture
def bob(emu: Emulator) -> User:
    return emu.add_user("Bob", "bob")


@contextlib.asynccontextmanager
async def running(sender: OutboxSender) -> AsyncIterator[OutboxSender]:
    await sender.start()
    try:
        yield sender
    finally:
        await sender.stop()


def sender_for(
    bot: Bot, sessions: async_sessionmaker[AsyncSession], **options: Any
) -> OutboxSender:
    """A sender on `sessions`' database (and a cache of its own unless given one), on the wall
    clock unless given another."""
    cache = options.pop("cache", None) or MemoryCache()
    clock = options.pop("clock", None) or SystemClock()
    deps = Deps(Settings(), sessions.kw["bind"], sessions, cache, clock)
    return OutboxSender(bot, deps, **options)


async def queue(
    sessions: async_sessionmaker[AsyncSession], rows: list[tuple[int, str, dict[str, Any]]],
    at: datetime | None = None,
) -> None:  # fmt: skip
    async with sessions.begin() as session:
        for chat_id, key, payload in rows:
            await enqueue(session, chat_id, "alert", payload, key, at or now())


async def settled(sessions: async_sessionmaker[AsyncSession], count: int) -> list[OutboxMessage]:
    """Every row, once `count` of them are no longer pending."""
    async with asyncio.timeout(60):
        while True:
            async with sessions() as session:
                rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
            if sum(row.status != "pending" for row in rows) >= count:
                return rows
            await asyncio.sleep(0.05)


def ok_sends(emu: Emulator, chat_id: int | None = None) -> list[float]:
    return [
        call.monotonic
        for call in emu.calls_to("sendMessage")
        if call.ok and (chat_id is None or int(call.params["chat_id"]) == chat_id)
    ]


async def test_enqueue_once_per_dedupe_key(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        row_id = await enqueue(session, 1, "alert", alert("a"), "alert:1:t1", now())
        assert await enqueue(session, 1, "alert", alert("b"), "alert:1:t1", now()) is None
    async with sessions() as session:
        [row] = await session.scalars(select(OutboxMessage))
    assert row.id == row_id and row.payload["text"] == "a" and row.status == "pending"


async def test_claim_takes_one_row_per_chat_and_nothing_claimed_twice(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await queue(sessions, [(1, "a1", alert("a1")), (1, "a2", alert("a2")), (2, "b1", alert("b1"))])
    async with sessions.begin() as session:
        first = await claim(session, now(), timedelta(seconds=30), 10)
    async with sessions.begin() as session:
        second = await claim(session, now(), timedelta(seconds=30), 10)
    assert sorted(row.payload["text"] for row in first) == ["a1", "b1"]
    assert second == []  # chat 1's next row waits until a1 is done: one sender per chat
    async with sessions.begin() as session:  # a lease that ran out: the row is claimable again
        again = await claim(session, now() + timedelta(seconds=31), timedelta(seconds=30), 10)
    assert sorted(row.payload["text"] for row in again) == ["a1", "b1"]


async def test_rows_come_due_on_the_writers_clock_and_leases_run_on_the_wall_clock(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    market_time = now() + timedelta(hours=2)  # the sandbox's replay runs ahead of the wall
    await queue(sessions, [(1, "a1", alert("a1"))], at=market_time - timedelta(minutes=1))
    async with sessions.begin() as session:
        assert await claim(session, now(), timedelta(seconds=30), 10) == []
        [row] = await claim(session, now(), timedelta(seconds=30), 10, due=market_time)
    assert row.claimed_until is not None and row.claimed_until < now() + timedelta(minutes=1)


async def test_each_row_is_delivered_once_with_its_buttons(
    emu: Emulator, bot: Bot, sessions: async_sessionmaker[AsyncSession], alice: User, bob: User
) -> None:
    group = emu.add_group("Traders", [alice, bob])
    rows = [
        (alice.id, "a1", alert("<b>BTC</b> above 70,000")),
        (alice.id, "a2", alert("ETH below 3,000", buttons=[])),
        (bob.id, "b1", alert("SOL up 10% in 24h")),
        (group.id, "g1", alert("DOGE volume x3")),
    ]
    await queue(sessions, rows)
    async with running(sender_for(bot, sessions)):
        stored = await settled(sessions, 4)
    assert [row.status for row in stored] == ["sent"] * 4
    [first, second] = emu.bot_messages(alice)
    assert first.text == "BTC above 70,000" and first.entities[0]["type"] == "bold"
    assert first.reply_markup == {
        "inline_keyboard": [
            [
                {"text": "Chart", "callback_data": "chart:BTC"},
                {"text": "Pause", "callback_data": "ap:1"},
            ]
        ]
    }
    assert second.text == "ETH below 3,000" and second.reply_markup is None
    assert [m.text for m in emu.bot_messages(group)] == ["DOGE volume x3"]
    by_key = {row.dedupe_key: row for row in stored}
    assert by_key["a1"].telegram_message_id == first.message_id
    assert by_key["b1"].telegram_message_id == emu.bot_messages(bob)[0].message_id
    assert all(row.sent_at is not None and row.claimed_until is None for row in stored)
    assert len(emu.calls_to("sendMessage")) == 4 and not emu.flood_violations


async def test_retry_after_holds_that_chat_and_costs_no_attempt(
    emu: Emulator, bot: Bot, sessions: async_sessionmaker[AsyncSession], alice: User, bob: User
) -> None:
    emu.fail_next("sendMessage", chat=alice, code=429, retry_after=2)
    await queue(sessions, [(alice.id, "a1", alert("to Alice")), (bob.id, "b1", alert("to Bob"))])
    async with running(sender_for(bot, sessions)) as sender:
        stored = await settled(sessions, 2)
    [refused] = [call for call in emu.calls_to("sendMessage") if call.status == 429]
    [to_alice] = ok_sends(emu, alice.id)
    assert to_alice - refused.monotonic >= 2.0  # waited what Telegram said
    assert ok_sends(emu, bob.id)[0] < to_alice  # Bob did not wait for Alice's chat
    assert [row.status for row in stored] == ["sent", "sent"]
    assert stored[0].attempts == 1  # the 429 did not count as an attempt
    assert sender.stats.retry_after == 1 and not emu.flood_violations


async def test_network_error_is_retried_with_backoff(
    emu: Emulator, bot: Bot, sessions: async_sessionmaker[AsyncSession], alice: User
) -> None:
    emu.fail_next("sendMessage", chat=alice, code=502)
    await queue(sessions, [(alice.id, "a1", alert("hello"))])
    async with running(sender_for(bot, sessions)):
        [row] = await settled(sessions, 1)
    assert row.status == "sent" and row.attempts == 2 and "Bad Gateway" in (row.last_error or "")
    [failed, sent] = [call.monotonic for call in emu.calls_to("sendMessage")]
    assert sent - failed >= 1.0  # the first back-off is 1-2 s
    assert [m.text for m in emu.bot_messages(alice)] == ["hello"]


async def test_network_errors_give_up_after_the_last_attempt(
    emu: Emulator, bot: Bot, sessions: async_sessionmaker[AsyncSession], alice: User
) -> None:
    emu.fail_next("sendMessage", chat=alice, code=502, times=5)
    await queue(sessions, [(alice.id, "a1", alert("hello"))])
    async with running(sender_for(bot, sessions, max_attempts=2)):
        [row] = await settled(sessions, 1)
    assert row.status == "failed" and row.attempts == 2 and "Bad Gateway" in (row.last_error or "")
    assert len(emu.calls_to("sendMessage")) == 2 and not emu.bot_messages(alice)


async def _person_with_alerts(session: AsyncSession, user_id: int) -> None:
    at = now()
    session.add(Person(id=user_id, first_name="Alice", created_at=at, last_seen_at=at))
    session.add(Chat(id=user_id, type="private", created_at=at))
    asset = Asset(symbol="BTC", name="Bitcoin", created_at=at)
    session.add(asset)
    await session.flush()
    for status in ("active", "active", "fired"):
        session.add(
            Alert(user_id=user_id, chat_id=user_id, asset_id=asset.id, kind="price",
                  status=status, created_at=at, updated_at=at)
        )  # fmt: skip


async def test_a_person_who_blocked_the_bot_has_alerts_paused_and_rows_failed(
    emu: Emulator, bot: Bot, sessions: async_sessionmaker[AsyncSession], alice: User, bob: User
) -> None:
    async with sessions.begin() as session:
        await _person_with_alerts(session, alice.id)
    emu.block_bot(alice)
    await queue(sessions, [(alice.id, "a1", alert("one")), (alice.id, "a2", alert("two"))])
    await queue(sessions, [(bob.id, "b1", alert("to Bob"))])
    cache = MemoryCache()
    async with running(sender_for(bot, sessions, cache=cache)):
        stored = await settled(sessions, 3)
    assert [row.status for row in stored] == ["failed", "failed", "sent"]
    assert "blocked" in (stored[0].last_error or "")
    assert len(ok_sends(emu)) == 1 and len(emu.calls_to("sendMessage")) == 2  # one 403, no more
    async with sessions() as session:
        person = await session.get(Person, alice.id)
        statuses = sorted(await session.scalars(select(Alert.status)))
        paused_ids = list(await session.scalars(select(Alert.id).where(Alert.status == "paused")))
    assert person is not None and person.blocked_at is not None
    assert statuses == ["fired", "paused", "paused"] and len(paused_ids) == 2
    assert await cache.get(ALERTS_VERSION) is not None  # the workers hear of it


async def test_bad_request_fails_at_once(
    emu: Emulator, bot: Bot, sessions: async_sessionmaker[AsyncSession], alice: User
) -> None:
    await queue(sessions, [(alice.id, "a1", alert("x" * 5000)), (alice.id, "a2", alert("fine"))])
    async with running(sender_for(bot, sessions)):
        stored = await settled(sessions, 2)
    assert [row.status for row in stored] == ["failed", "sent"]
    assert "too long" in (stored[0].last_error or "") and stored[0].attempts == 1
    assert len(emu.calls_to("sendMessage")) == 2


async def test_a_payload_without_text_fails_at_once(
    emu: Emulator, bot: Bot, sessions: async_sessionmaker[AsyncSession], alice: User
) -> None:
    await queue(sessions, [(alice.id, "a1", {"summary": "no text"}), (alice.id, "a2", alert("ok"))])
    async with running(sender_for(bot, sessions)):
        stored = await settled(sessions, 2)
    assert [row.status for row in stored] == ["failed", "sent"]
    assert "BadPayload" in (stored[0].last_error or "") and len(emu.calls_to("sendMessage")) == 1


async def test_quiet_rows_due_together_become_one_summary(
    emu: Emulator, bot: Bot, sessions: async_sessionmaker[AsyncSession], alice: User
) -> None:
    at = now()
    async with sessions.begin() as session:
        session.add(Person(id=alice.id, first_name="Alice", created_at=at, last_seen_at=at,
                           quiet_start=22 * 60, quiet_end=7 * 60))  # fmt: skip
    quiet = [
        (alice.id, f"q{i}", alert(f"full {i}", quiet=True, summary=f"<b>BTC</b> above {i}"))
        for i in range(5)
    ]
    await queue(sessions, [*quiet, (alice.id, "loud", alert("not quiet"))])
    async with running(sender_for(bot, sessions)):
        stored = await settled(sessions, 6)
    [summary, loud] = emu.bot_messages(alice)
    assert summary.text.splitlines() == [
        "While you were away (22:00–07:00), 5 alerts fired:",
        *[f"• BTC above {i}" for i in range(5)],
    ]
    assert summary.reply_markup is None and loud.text == "not quiet"
    assert {row.telegram_message_id for row in stored[:5]} == {summary.message_id}
    assert all(row.status == "sent" for row in stored)


# ---- notices: rendered when sent, for whoever receives them ------------------------------------


async def test_a_row_written_before_notices_is_sent_as_it_was(
    emu: Emulator, bot: Bot, sessions: async_sessionmaker[AsyncSession], alice: User
) -> None:
    old = {  # what the workers wrote before notices: finished English HTML
        "text": "🔔 <b>BTC rises above 70,000 USD — once</b>\nBTC is at <code>70,012.50</code> "
        "USDT  ▲ +2.31% 24h\n<i>26 Nov 2026, 13:05 UTC</i>\nIt fired once and is now off; set "
        "a new one with /alert.",
        "buttons": [[{"text": "📈 Chart", "callback_data": "alertchart:BTC"},
                     {"text": "⏸ Pause", "callback_data": "alert:pause:42"}]],
        "alert_id": 42, "user_id": alice.id, "symbol": "BTC", "quiet": False,
        "summary": "BTC rises above 70,000 USD — <code>70,012.50</code> USDT at 13:05",
        "headlines": [],
    }  # fmt: skip
    await person(sessions, alice.id, language="ru")  # the words were said already
    await queue(sessions, [(alice.id, "old", old)])
    async with running(sender_for(bot, sessions)):
        [row] = await settled(sessions, 1)
    [message] = emu.bot_messages(alice)
    assert row.status == "sent" and row.telegram_message_id == message.message_id
    assert message.text.splitlines()[0] == "🔔 BTC rises above 70,000 USD — once"
    assert message.reply_markup == {"inline_keyboard": old["buttons"]}


async def test_a_notice_is_said_in_the_recipients_language_and_time_zone(
    emu: Emulator, bot: Bot, sessions: async_sessionmaker[AsyncSession], alice: User, bob: User
) -> None:
    await person(sessions, alice.id, language="es", timezone="Europe/Madrid")
    await person(sessions, bob.id, language="ru", timezone="Asia/Tokyo")
    group = emu.add_group("Traders", [alice, bob])
    rows = [(alice.id, "a", fired(alice.id)), (bob.id, "b", fired(bob.id, "ETH -5% 1h every 1h"))]
    await queue(sessions, [*rows, (group.id, "g", fired(bob.id, alert_id=43))])
    async with running(sender_for(bot, sessions)):
        await settled(sessions, 3)
    [spanish], [russian] = emu.bot_messages(alice), emu.bot_messages(bob)
    assert spanish.text.splitlines()[0] == "🔔 BTC sube por encima de 70.000 USD — una vez"
    assert spanish.text.splitlines()[2] == "26 nov 2026, 14:05 CET"  # Madrid
    assert [b["text"] for b in spanish.reply_markup["inline_keyboard"][0]] == [
        "📈 Gráfico",
        "⏸ Pausar",
    ]
    assert (
        spanish.reply_markup["inline_keyboard"][0][1]["callback_data"]
        == f"alert:pause:42:{alice.id}"
    )
    assert russian.text.startswith("🔔 ETH падает на 5")
    assert "22:05 JST" in russian.text  # Tokyo
    [in_group] = emu.bot_messages(group)  # a group hears English, times in the owner's zone
    assert in_group.text.startswith("🔔 BTC rises above 70,000 USD — once")
    assert "22:05 JST" in in_group.text


async def test_quiet_rows_old_and_new_are_summed_up_in_the_recipients_language(
    emu: Emulator, bot: Bot, sessions: async_sessionmaker[AsyncSession], alice: User
) -> None:
    await person(sessions, alice.id, language="ru", timezone="Europe/Moscow",
                 quiet_start=23 * 60, quiet_end=8 * 60)  # fmt: skip
    old = alert("full", quiet=True, summary="<b>SOL</b> above 200")
    new = [(alice.id, f"n{i}", fired(alice.id, alert_id=i, quiet=True)) for i in range(4)]
    await queue(sessions, [(alice.id, "old", old), *new])
    async with running(sender_for(bot, sessions)):
        await settled(sessions, 5)
    [summary] = emu.bot_messages(alice)
    lines = summary.text.replace("\xa0", " ").splitlines()
    assert lines[0] == "Пока вас не было (23:00–08:00), сработало 5 оповещений:"
    assert (
        lines[1:]
        == ["• SOL above 200"] + ["• BTC поднимается выше 70 000 USD — 70 012,50 USDT в 16:05"] * 4
    )


async def test_a_notice_that_cannot_be_read_fails_at_once(
    emu: Emulator, bot: Bot, sessions: async_sessionmaker[AsyncSession], alice: User
) -> None:
    broken = fired(alice.id)
    broken["notice"]["price"] = "a lot"
    unknown = {"quiet": False, "notice": {"type": "no_such_notice"}}
    await queue(sessions, [(alice.id, "a1", broken), (alice.id, "a2", unknown),
                           (alice.id, "a3", fired(alice.id))])  # fmt: skip
    async with running(sender_for(bot, sessions)):
        stored = await settled(sessions, 3)
    assert [row.status for row in stored] == ["failed", "failed", "sent"]
    assert all(row.attempts == 1 and "BadPayload" in (row.last_error or "") for row in stored[:2])
    assert len(emu.calls_to("sendMessage")) == 1


async def test_a_message_on_the_outbox_channel_wakes_the_sender(
    emu: Emulator, bot: Bot, sessions: async_sessionmaker[AsyncSession], alice: User
) -> None:
    cache = MemoryCache()
    async with running(sender_for(bot, sessions, cache=cache, poll=120.0)):
        await asyncio.sleep(0.2)  # the sender has looked once and found nothing
        await queue(sessions, [(alice.id, "a1", alert("woken"))])
        await cache.publish(OUTBOX_CHANNEL, "1")
        await emu.wait_for_bot_messages(alice, timeout=10)  # long before the 120 s poll


async def test_a_row_due_later_waits_for_its_time(
    emu: Emulator, bot: Bot, sessions: async_sessionmaker[AsyncSession], alice: User
) -> None:
    due = now() + timedelta(seconds=1.5)
    await queue(sessions, [(alice.id, "a1", alert("later"))], at=due)
    async with running(sender_for(bot, sessions, poll=120.0)):
        [message] = await emu.wait_for_bot_messages(alice, timeout=10)
    assert message.wall_time >= due.timestamp()


async def test_two_senders_never_send_one_row_twice(
    backend: str, db_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    if backend != "postgres":
        pytest.skip("two bot processes need Postgres; SQLite is one process by design")
    async with Emulator(flood_limits=None) as emu:  # two pacers do not share Telegram's budget
        people = [emu.add_user(f"P{i}") for i in range(60)]
        rows = [(p.id, f"{p.id}:{n}", alert(f"{p.id}:{n}")) for p in people for n in range(5)]
        await queue(sessions, rows)
        other_engine = create_engine(db_url)
        try:
            async with (
                Bot(emu.token, base_url=emu.base_url, request=AiohttpRequest()) as bot,
                running(sender_for(bot, sessions, claim_chats=10)) as one,
                running(sender_for(bot, create_sessionmaker(other_engine), claim_chats=10)) as two,
            ):
                stored = await settled(sessions, len(rows))
        finally:
            await other_engine.dispose()
        texts = [m.text for p in people for m in emu.bot_messages(p)]
    assert sorted(texts) == sorted(payload["text"] for _, _, payload in rows)  # each once
    assert all(row.status == "sent" for row in stored)
    assert one.stats.sent + two.stats.sent == len(rows)


def test_the_pacer_keeps_each_chat_and_the_whole_bot_within_telegram_limits() -> None:
    clock = [100.0]
    pacer = Pacer(clock=lambda: clock[0])
    pacer.take(1)
    assert pacer.ready_at(1) == 101.0  # a person: one a second
    assert pacer.ready_at(2) == 100.0 + 1 / 30  # another chat: after the global spacing
    clock[0] = pacer.ready_at(-5)
    pacer.take(-5)
    assert pacer.ready_at(-5) == clock[0] + 3.0  # a group: 20 a minute
    times: list[float] = []
    start = clock[0]
    while clock[0] < start + 10.0:  # many chats, sending whenever allowed, for ten seconds
        if pacer.ready_at(1000 + len(times)) <= clock[0]:
            pacer.take(1000 + len(times))
            times.append(clock[0])
        clock[0] += 0.0007 if len(times) % 7 else 0.05  # now and then the sender is late
    # never more than 30 in any one second, however late some sends started
    assert all(later - earlier >= 1.0 for earlier, later in zip(times, times[30:], strict=False))
    assert len(times) >= 250  # and close to 30 a second all the same
    pacer.hold(7, 5.0)
    assert pacer.ready_at(7) >= clock[0] + 5.0 and 7 in pacer.held() and 1 not in pacer.held()


async def test_stopping_hands_back_rows_claimed_but_not_sent(
    emu: Emulator, bot: Bot, sessions: async_sessionmaker[AsyncSession], alice: User, bob: User
) -> None:
    carol = emu.add_user("Carol")
    rows = [(person.id, person.first_name, alert("hi")) for person in (alice, bob, carol)]
    await queue(sessions, rows)
    slow = Pacer(per_second=0.2)  # one send every five seconds: the other two claims wait
    async with running(sender_for(bot, sessions, pacer=slow)):
        await emu.wait_for(lambda: emu.calls_to("sendMessage"), timeout=10)
        await settled(sessions, 1)
    async with sessions() as session:
        stored = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert [row.status for row in stored] == ["sent", "pending", "pending"]
    assert [row.claimed_until for row in stored[1:]] == [None, None]  # due again at once
    assert len(emu.calls_to("sendMessage")) == 1
