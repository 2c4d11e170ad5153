"""Muting a kind of notice (/settings → Notices), on SQLite and Postgres: the choice is kept in
users.muted; a muted kind queued for the person is never sent (its row fails as muted), an
unmuted kind and their own alerts are; another person's choice is theirs alone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot

from bot.delivery import OutboxSender
from bot.emulator import Emulator
from bot.request import AiohttpRequest
from core.alerts.grammar import parse_alert
from core.alerts.storage import condition_of
from core.clock import SystemClock
from core.notices import AlertFired, Broadcast, ChatPaused, NewsStory, Notice, to_payload
from core.people import MUTABLE, ChatSeen, PersonSeen
from core.refusal import BadArgument
from core.settings import Settings
from db.models import OutboxMessage, User
from db.outbox import enqueue
from services import delivery, people
from services.deps import Deps, build_deps, close_deps

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # in the past: due


@pytest.fixture
async def deps(db_url: str, engine) -> AsyncIterator[Deps]:
    built = await build_deps(Settings(database_url=db_url), SystemClock())
    yield built
    await close_deps(built)


def private(person: PersonSeen) -> ChatSeen:
    return ChatSeen(person.id, "private")


def story(user_id: int) -> NewsStory:
    return NewsStory(
        story_id=7, user_id=user_id, title="Bitcoin ETF approved", url="https://example.com/a",
        publishers=("Example",), published_at=AT, at=AT, coins=("BTC",), followed=("BTC",),
    )  # fmt: skip


def paused(user_id: int) -> ChatPaused:
    return ChatPaused(user_id=user_id, chat_id=-100, chat_type="group", title="Traders", at=AT)


def announced(user_id: int) -> Broadcast:
    return Broadcast(broadcast_id="b1", user_id=user_id, text="Maintenance at noon", at=AT)


def fired(user_id: int) -> AlertFired:
    return AlertFired(
        alert_id=1, user_id=user_id, condition=condition_of(parse_alert("BTC > 70000", AT)),
        at=AT, price=Decimal("70012.5"),
    )  # fmt: skip


async def queue(deps: Deps, chat_id: int, notices: list[Notice]) -> None:
    async with deps.write() as session:
        for n, notice in enumerate(notices):
            key = f"{chat_id}:{n}:{notice.TYPE}"
            await enqueue(session, chat_id, "notice", to_payload(notice), key, AT)


async def rows(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def settled(deps: Deps) -> None:
    """Once no row is pending."""
    async with asyncio.timeout(30):
        while any(r.status == "pending" for r in await rows(deps.sessions)):  # noqa: ASYNC110
            await asyncio.sleep(0.05)


async def test_muting_is_kept_and_said_whether_it_changed(deps: Deps) -> None:
    ana = PersonSeen(11, "Ana")
    first = await people.set_muted(deps, ana, private(ana), "news_story", True)
    assert first.changed and first.preferences.muted == ("news_story",)
    again = await people.set_muted(deps, ana, private(ana), "news_story", True)
    assert not again.changed
    both = await people.set_muted(deps, ana, private(ana), "chat_paused", True)
    assert both.preferences.muted == ("news_story", "chat_paused")  # in MUTABLE's order
    assert set(MUTABLE) == {"news_story", "chat_paused", "broadcast"}
    back = await people.set_muted(deps, ana, private(ana), "news_story", False)
    assert back.changed and back.preferences.muted == ("chat_paused",)
    assert (await people.preferences(deps, ana.id)).muted == ("chat_paused",)
    async with deps.read() as session:
        assert (await session.get(User, ana.id)).muted == ["chat_paused"]  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", ["alert_fired", "digest", "", "NEWS_STORY"])
async def test_own_alerts_and_digests_cannot_be_muted(deps: Deps, kind: str) -> None:
    bob = PersonSeen(12, "Bob")
    with pytest.raises(BadArgument) as refused:
        await people.set_muted(deps, bob, private(bob), kind, True)
    assert refused.value.code == "notices.unknown"
    assert (await people.preferences(deps, bob.id)).muted == ()


async def test_a_new_person_hears_everything(deps: Deps) -> None:
    welcome = await people.start(deps, PersonSeen(13, "Cy"), ChatSeen(13, "private"))
    assert welcome.preferences.muted == ()


async def test_a_muted_kind_is_never_claimed_an_unmuted_one_is(deps: Deps) -> None:
    ana, bob = PersonSeen(21, "Ana"), PersonSeen(22, "Bob")
    await people.set_muted(deps, ana, private(ana), "news_story", True)
    await people.start(deps, bob, private(bob))
    await queue(deps, ana.id, [story(ana.id), paused(ana.id), fired(ana.id)])
    await queue(deps, bob.id, [story(bob.id)])
    seen: list[tuple[int, str]] = []
    for _ in range(6):  # one row per chat per claim
        claimed = await delivery.claim(deps, datetime.now(UTC), timedelta(minutes=1), 10, ())
        for c in claimed:
            seen.append((c.row.chat_id, c.row.payload["notice"]["type"]))
        await delivery.sent(deps, [c.row.id for c in claimed], 1)
    assert sorted(seen) == [(21, "alert_fired"), (21, "chat_paused"), (22, "news_story")]
    muted = [r for r in await rows(deps.sessions) if r.status == "failed"]
    assert [(r.chat_id, r.payload["notice"]["type"]) for r in muted] == [(21, "news_story")]
    assert muted[0].last_error == delivery.MUTED


async def test_through_the_sender_a_muted_kind_is_not_delivered(deps: Deps) -> None:
    async with Emulator() as emu:
        alice, carol = emu.add_user("Alice", "alice"), emu.add_user("Carol", "carol")
        a, c = PersonSeen(alice.id, "Alice"), PersonSeen(carol.id, "Carol")
        await people.set_muted(deps, a, private(a), "news_story", True)
        await people.set_muted(deps, a, private(a), "chat_paused", True)
        await people.set_muted(deps, a, private(a), "broadcast", True)
        await people.start(deps, c, private(c))
        await queue(deps, alice.id, [story(alice.id), paused(alice.id), fired(alice.id)])
        await queue(deps, alice.id, [announced(alice.id)])
        await queue(deps, carol.id, [story(carol.id), paused(carol.id), announced(carol.id)])
        async with Bot(emu.token, base_url=emu.base_url, request=AiohttpRequest()) as bot:
            sender = OutboxSender(bot, deps)
            await sender.start()
            try:
                await settled(deps)
            finally:
                await sender.stop()
        [to_alice] = emu.bot_messages(alice)  # her own alert, and nothing she muted
        assert (to_alice.text or "").startswith("🔔 BTC rises above 70,000")
        to_carol = [m.text or "" for m in emu.bot_messages(carol)]
        assert len(to_carol) == 3
        assert any("Maintenance at noon" in text for text in to_carol)
        assert any("Bitcoin ETF approved" in text for text in to_carol)
        assert any("Traders" in text for text in to_carol)
        assert not emu.internal_errors


async def test_muted_news_is_not_even_queued_for_that_follower(deps: Deps) -> None:
    from services.follows import push_news
    from tests.integration.test_news_follows import follow, story

    ann, bob = PersonSeen(101, "Ann"), PersonSeen(202, "Bob")
    await follow(deps, ann.id, "BTC")
    await follow(deps, bob.id, "BTC")
    await people.set_muted(deps, ann, private(ann), "news_story", True)
    await people.set_muted(deps, bob, private(bob), "chat_paused", True)  # another kind
    await story(deps, "Bitcoin soars", ("BTC",), score=0.9)
    pushed = await push_news(deps)
    assert (pushed.followers, pushed.pushed) == (2, 1)
    assert [r.chat_id for r in await rows(deps.sessions)] == [bob.id]
    await people.set_muted(deps, ann, private(ann), "news_story", False)
    assert (await push_news(deps)).pushed == 1  # heard again: the still-fresh story
    assert sorted(r.chat_id for r in await rows(deps.sessions)) == [ann.id, bob.id]
