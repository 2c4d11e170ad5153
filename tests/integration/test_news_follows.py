"""/follow news and the push of important stories, on SQLite and on Postgres with Redis: a
follower gets an important fresh story once, however often the push runs (and when two run at
once); at most a few a day, the most important first; nothing for a coin unfollowed, nothing
for people who follow nothing, nothing during quiet hours (a story still fresh when they end
goes then); bad input writes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from core.assets import BY_SYMBOL
from core.clock import FixedClock
from core.news.follows import MAX_FOLLOWED
from core.notices import NewsStory, read_payload
from core.people import ChatSeen, PersonSeen
from core.refusal import Refusal
from core.settings import Settings
from db.models import NewsFollow, NewsPush, OutboxMessage, User
from db.repos import news as stories_repo
from db.repos.assets import ensure_assets
from db.repos.people import register
from services.deps import Deps, build_deps, close_deps
from services.follows import dedupe_key, follow_news, push_news, unfollow_news

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
ANN, BOB, CAT = 101, 202, 303


@pytest.fixture
async def deps(
    db_url: str, engine, backend: str, request: pytest.FixtureRequest
) -> AsyncIterator[Deps]:
    redis_url = request.getfixturevalue("redis_reachable") if backend == "postgres" else None
    settings = Settings(
        _env_file=None, database_url=db_url, redis_url=redis_url, symbols=["BTC", "ETH", "SOL"]
    )
    deps = await build_deps(settings, FixedClock(NOW))
    yield deps
    await close_deps(deps)


def person(user_id: int) -> tuple[PersonSeen, ChatSeen]:
    return PersonSeen(user_id, "P"), ChatSeen(user_id, "private")


async def follow(deps: Deps, user_id: int, *coins: str) -> None:
    await follow_news(deps, *person(user_id), ["news", *coins])


async def story(
    deps: Deps,
    title: str,
    coins: tuple[str, ...],
    *,
    score: float | None = 0.8,
    publishers: tuple[str, ...] = ("CoinDesk",),
    age: timedelta = HOUR,
) -> int:
    """A story as ingestion and scoring leave it: covered, tagged and scored."""
    published = deps.clock.now() - age
    slug = title.lower().replace(" ", "-")
    async with deps.sessions.begin() as session:
        story_id = await stories_repo.add_story(
            session,
            source=publishers[0],
            url=f"https://news.example/{slug}",
            title=title,
            title_key=slug,
            summary="",
            published_at=published,
            fetched_at=published,
            publishers=len(publishers),
            vader_score=None if score is None else score / 2,
            model_score=score,
            sentiment_label=None if score is None else ("positive" if score > 0 else "negative"),
            scorer_version="test",
            scored_at=published,
        )
        await stories_repo.add_coverage(
            session,
            [
                {
                    "article_id": story_id,
                    "publisher": name,
                    "url": f"https://{name.lower()}.example/{slug}",
                    "guid": None,
                    "title": title,
                    "published_at": published + i * timedelta(minutes=5),
                    "fetched_at": published,
                }
                for i, name in enumerate(publishers)
            ],
        )
        directory = await deps.directory_in(session)
        await stories_repo.add_tags(session, [(story_id, directory.ids[c]) for c in coins])
    return story_id


async def outbox(deps: Deps) -> list[OutboxMessage]:
    async with deps.read() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def counts(deps: Deps) -> tuple[int, int, int]:
    async with deps.read() as session:
        return tuple(  # type: ignore[return-value]
            [
                await session.scalar(select(func.count()).select_from(table)) or 0
                for table in (NewsFollow, NewsPush, OutboxMessage)
            ]
        )


def notice_of(row: OutboxMessage) -> NewsStory:
    notice = read_payload(row.payload)
    assert isinstance(notice, NewsStory)
    return notice


async def test_a_follower_gets_an_important_story_once_however_often_the_push_runs(
    deps: Deps,
) -> None:
    await follow(deps, ANN, "BTC")
    story_id = await story(
        deps, "ETF approved", ("BTC", "ETH"), publishers=("CoinDesk", "Decrypt", "The Block")
    )
    first = await push_news(deps)
    assert (first.pushed, first.important, first.followers) == (1, 1, 1)
    (row,) = await outbox(deps)
    notice = notice_of(row)
    assert (row.chat_id, row.kind, row.dedupe_key) == (ANN, "news", dedupe_key(ANN, story_id))
    assert notice.user_id == ANN and notice.story_id == story_id
    assert notice.title == "ETF approved" and notice.url == "https://news.example/etf-approved"
    assert notice.publishers == ("CoinDesk", "Decrypt", "The Block")
    assert notice.publisher_count == 3 and notice.sentiment == 0.8 and notice.label == "positive"
    assert notice.coins == ("BTC", "ETH") and notice.followed == ("BTC",)
    assert notice.published_at == NOW - HOUR and notice.at == NOW
    before = await counts(deps)
    deps.clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
    again = await push_news(deps)
    assert again.pushed == 0 and await counts(deps) == before


async def test_two_pushes_at_once_send_each_story_once(deps: Deps) -> None:
    for user_id in (ANN, BOB):
        await follow(deps, user_id, "ETH")
    for i in range(3):
        await story(deps, f"Ether story {i}", ("ETH",), score=-0.9)
    results = await asyncio.gather(push_news(deps), push_news(deps))
    assert sum(r.pushed for r in results) == 6
    keys = [row.dedupe_key for row in await outbox(deps)]
    assert len(keys) == len(set(keys)) == 6


async def test_at_most_a_few_a_day_the_most_important_first(deps: Deps) -> None:
    await follow(deps, ANN, "SOL")
    weakest = await story(deps, "Solana up", ("SOL",), score=0.61)
    widest = await story(
        deps, "Solana outage", ("SOL",), score=0.0, publishers=("A", "B", "C", "D")
    )
    both = await story(deps, "Solana ETF", ("SOL",), score=0.9, publishers=("A", "B", "C"))
    strongest = await story(deps, "Solana hacked", ("SOL",), score=-0.97)
    pushed = await push_news(deps, per_day=3)
    assert pushed.pushed == 3 and pushed.important == 4
    assert [notice_of(r).story_id for r in await outbox(deps)] == [both, widest, strongest]
    deps.clock.advance(HOUR)  # type: ignore[attr-defined]
    later = await story(deps, "Solana rallies", ("SOL",), score=0.99, age=timedelta(minutes=1))
    assert (await push_news(deps, per_day=3)).pushed == 0  # the day is full
    deps.clock.advance(timedelta(hours=23, minutes=1))  # a day after the first pushes
    assert (await push_news(deps, per_day=3)).pushed == 0  # by now all of them are stale
    assert weakest not in [notice_of(r).story_id for r in await outbox(deps)]
    assert later not in [notice_of(r).story_id for r in await outbox(deps)]


async def test_the_days_cap_is_the_setting(deps: Deps) -> None:
    deps.settings = deps.settings.model_copy(update={"news_pushes_per_day": 1})
    await follow(deps, ANN, "BTC")
    for i in range(3):
        await story(deps, f"Bitcoin story {i}", ("BTC",), score=0.9)
    assert (await push_news(deps)).pushed == 1


async def test_nothing_for_an_unfollowed_coin_nor_for_people_who_follow_nothing(
    deps: Deps,
) -> None:
    await follow(deps, ANN, "BTC", "ETH")
    await follow(deps, BOB, "SOL")
    await unfollow_news(deps, ANN, ["news", "ETH"])
    await unfollow_news(deps, BOB, ["news", "all"])
    async with deps.sessions.begin() as session:
        await register(session, *person(CAT), NOW)  # never followed anything
    eth = await story(deps, "Ether falls", ("ETH",), score=-0.9)
    sol = await story(deps, "Solana falls", ("SOL",), score=-0.9)
    btc = await story(deps, "Bitcoin falls", ("BTC",), score=-0.9)
    assert (await push_news(deps)).pushed == 1
    (row,) = await outbox(deps)
    assert row.chat_id == ANN and notice_of(row).story_id == btc
    assert {eth, sol}.isdisjoint({notice_of(r).story_id for r in await outbox(deps)})


async def test_dull_stale_and_unscored_stories_are_not_pushed(deps: Deps) -> None:
    await follow(deps, ANN, "BTC")
    await story(deps, "Bitcoin flat", ("BTC",), score=0.2, publishers=("A", "B"))
    await story(deps, "Bitcoin crashed yesterday", ("BTC",), score=-0.95, age=timedelta(hours=5))
    await story(deps, "Bitcoin unscored", ("BTC",), score=None)
    pushed = await push_news(deps)
    assert (pushed.pushed, pushed.important) == (0, 0)
    assert await outbox(deps) == []


async def test_a_person_blocking_the_bot_gets_nothing(deps: Deps) -> None:
    await follow(deps, ANN, "BTC")
    async with deps.sessions.begin() as session:
        await session.execute(update(User).where(User.id == ANN).values(blocked_at=NOW))
    await story(deps, "Bitcoin soars", ("BTC",))
    assert (await push_news(deps)).pushed == 0


async def test_quiet_hours_hold_nothing_and_a_still_fresh_story_goes_when_they_end(
    deps: Deps,
) -> None:
    await follow(deps, ANN, "BTC")
    async with deps.sessions.begin() as session:  # quiet 11:00-13:00 Madrid (10:00-12:00 UTC)
        await session.execute(
            update(User)
            .where(User.id == ANN)
            .values(timezone="Europe/Madrid", quiet_start=11 * 60, quiet_end=13 * 60)
        )
    deps.clock.advance(-timedelta(minutes=30))  # type: ignore[attr-defined]  # 11:30 UTC
    stale_by_then = await story(deps, "Bitcoin drops", ("BTC",), age=timedelta(hours=3))
    fresh = await story(deps, "Bitcoin jumps", ("BTC",), age=timedelta(minutes=10))
    during = await push_news(deps)
    assert (during.pushed, during.quiet) == (0, 1) and await outbox(deps) == []
    deps.clock.advance(timedelta(minutes=31))  # 12:01 UTC: quiet hours over
    after = await push_news(deps)
    assert after.pushed == 1
    assert [notice_of(r).story_id for r in await outbox(deps)] == [fresh]
    assert stale_by_then != fresh


async def test_following_shows_adds_and_refuses_without_writing(deps: Deps) -> None:
    ann, chat = person(ANN)
    listed = await follow_news(deps, ann, chat, [])
    assert listed.following == () and await counts(deps) == (0, 0, 0)
    followed = await follow_news(deps, ann, chat, ["news", "btc", "Ethereum", "NOPE"])
    assert followed.added == ("BTC", "ETH") and [p.text for p in followed.unknown.problems] == [
        "NOPE"
    ]
    again = await follow_news(deps, ann, chat, ["news", "BTC"])
    assert again.added == () and again.already == ("BTC",) and again.following == ("BTC", "ETH")
    before = await counts(deps)
    bad = [
        (["news", "NOTACOIN"], "coins.unknown"),
        (["news"], "follow.which_coins"),
        (["BTC"], "follow.what"),
    ]
    for args, code in bad:
        with pytest.raises(Refusal) as refused:
            await follow_news(deps, ann, chat, args)
        assert refused.value.code == code
    with pytest.raises(Refusal) as refused:
        await follow_news(deps, ann, ChatSeen(-100, "group"), ["news", "SOL"])
    assert refused.value.code == "follow.private"
    with pytest.raises(Refusal) as refused:
        await unfollow_news(deps, ANN, ["news", "NOTACOIN"])
    assert refused.value.code == "coins.unknown"
    assert await counts(deps) == before
    gone = await unfollow_news(deps, ANN, ["news", "ETH", "SOL"])
    assert (gone.removed, gone.missing, gone.following) == (("ETH",), ("SOL",), ("BTC",))


async def test_following_more_than_the_cap_adds_nothing(deps: Deps) -> None:
    coins = list(BY_SYMBOL)[: MAX_FOLLOWED + 2]
    async with deps.sessions.begin() as session:
        await ensure_assets(session, coins, NOW, track=False)
    await deps.assets_changed()
    ann, chat = person(ANN)
    assert len((await follow_news(deps, ann, chat, ["news", *coins[:-3]])).following) == 19
    before = await counts(deps)
    with pytest.raises(Refusal) as refused:
        await follow_news(deps, ann, chat, ["news", *coins[-2:]])
    assert refused.value == Refusal("follow.full", most=MAX_FOLLOWED, have=19)
    assert await counts(deps) == before
    assert len((await follow_news(deps, ann, chat, ["news", coins[-1]])).following) == 20


async def test_a_later_story_gets_the_days_room_left_over_stories_already_pushed(
    deps: Deps,
) -> None:
    await follow(deps, ANN, "ETH")
    await story(deps, "Ether ETF", ("ETH",), score=0.95, publishers=("A", "B", "C"))
    await story(deps, "Ether hack", ("ETH",), score=-0.95, publishers=("A", "B", "C"))
    assert (await push_news(deps, per_day=3)).pushed == 2
    deps.clock.advance(timedelta(minutes=10))  # type: ignore[attr-defined]
    weaker = await story(deps, "Ether upgrade", ("ETH",), score=0.7, age=timedelta(minutes=2))
    assert (await push_news(deps, per_day=3)).pushed == 1
    assert notice_of((await outbox(deps))[-1]).story_id == weaker
