"""/follow news end to end: the sandbox's bundled feeds ingested and scored by the real
workers, a follower's important story pushed through the outbox and rendered by the sender (a
linked headline with its mood, publishers, age and coins, and an Unfollow button that works),
nothing for someone who follows nothing, nothing twice — and bad input answered in one line
with nothing written."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.callbacks import UnfollowNews, encode
from bot.emulator.records import User
from core.news.importance import Rules, Story, most_important_first, sentiment_of
from db.locks import advisory_lock
from db.models import NewsPush
from db.repos import news_follows
from services.deps import Deps
from services.follows import Pushed, push_news
from tests.e2e.conftest import PRICED, Stack
from tests.e2e.test_news_chat import with_news  # noqa: F401  (the sandbox's news, scored)

pytestmark = pytest.mark.asyncio(loop_scope="module")

# What the sandbox has already published when it starts (workers.news.sandbox.HISTORY): the
# test pushes with freshness that wide, so a story to push is there whatever the hour.
WIDE = Rules(fresh=timedelta(days=3))


async def important_coin(stack: Stack) -> str:
    """A priced coin with an important story under WIDE."""
    deps = stack.workers.deps
    assert deps is not None
    async with deps.read() as session:
        directory = await deps.directory_in(session)
        ids = [directory.ids[c] for c in PRICED]
        since = deps.clock.now() - WIDE.fresh
        found, tags = await news_follows.scored_since(session, since, ids)
    stories = [
        Story(s.id, s.published_at, s.publishers, sentiment_of(s.model, s.vader)) for s in found
    ]
    (best, *_) = most_important_first(stories, deps.clock.now(), WIDE)
    symbol = {directory.ids[c]: c for c in PRICED}
    return next(symbol[a] for story_id, a in tags if story_id == best.id and a in symbol)


async def push_as_the_job(deps: Deps) -> Pushed:
    """`push_news` under WIDE, holding the notify_news job's lock as a scheduled run would (its
    run in between would count the day's pushes before these are written)."""
    for _ in range(600):  # a minute at most
        async with advisory_lock(deps.engine, "job:notify_news") as mine:
            if mine:
                return await push_news(deps, rules=WIDE)
        await asyncio.sleep(0.1)  # the scheduled run holds the lock
    raise AssertionError("the notify_news job held its lock for a minute")


async def pushes_to(stack: Stack, user: User) -> int:
    deps = stack.workers.deps
    assert deps is not None
    async with deps.read() as session:
        found = await session.scalar(
            select(func.count()).select_from(NewsPush).where(NewsPush.user_id == user.id)
        )
    return found or 0


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("/follow BTC", "I can follow a coin's news: send /follow news BTC."),
        ("/follow news", "Which coins? Send /follow news BTC ETH."),
        ("/follow news NOPECOIN", "Unknown symbol: NOPECOIN"),
        ("/unfollow", "Send /unfollow news BTC, or /unfollow news all;"),
        ("/unfollow news", "Which coins? Send /unfollow news BTC, or /unfollow news all."),
        ("/unfollow news <b>x</b>", "Not a coin I know: <b>x</b>."),
    ],
)
async def test_bad_input_is_one_line_and_writes_nothing(
    with_news: Stack,  # noqa: F811
    alice: User,
    text: str,
    said: str,
) -> None:
    before = await with_news.row_counts()
    reply = await with_news.ask(alice, text)
    assert reply.text is not None and reply.text.startswith(said), reply.text
    assert "\n" not in reply.text and reply.buttons == []
    assert await with_news.row_counts() == before


async def test_following_in_a_group_is_refused_in_one_line(
    with_news: Stack,  # noqa: F811
    alice: User,
) -> None:
    bob = with_news.emu.add_user("Bob", "bob")
    group = with_news.emu.add_group("Traders", members=[alice, bob])
    before = await with_news.row_counts()
    reply = await with_news.ask(alice, "/follow@pythia_bot news BTC", chat=group)
    assert reply.text is not None and reply.text.startswith("News goes to you privately")
    assert await with_news.row_counts() == before


async def test_a_follower_gets_an_important_story_and_someone_else_nothing(
    with_news: Stack,  # noqa: F811
    alice: User,
) -> None:
    bob = with_news.emu.add_user("Bob", "bob")
    nothing = await with_news.ask(bob, "/follow")
    assert nothing.text is not None and nothing.text.startswith("You follow no coin's news")
    coin = await important_coin(with_news)
    followed = await with_news.ask(alice, f"/follow news {coin}")
    assert followed.text is not None and followed.text.startswith(f"Following the news of {coin}")
    workers = with_news.workers.deps
    assert workers is not None
    await push_as_the_job(workers)  # the job may have pushed some already: it runs too
    pushed = await pushes_to(with_news, alice)
    assert 1 <= pushed <= 3  # NEWS_PUSHES_PER_DAY
    stories = await with_news.emu.wait_for_bot_messages(
        alice, count=pushed, after=followed, timeout=20
    )
    for story in stories:
        assert story.text is not None and story.text.startswith("📰 ")
        assert [e["type"] for e in story.entities if e["type"] == "text_link"] == ["text_link"]
        assert "publisher" in story.text and "Published " in story.text and coin in story.text
    story = stories[0]
    unfollow = encode(UnfollowNews("story", coin, alice.id))
    assert unfollow in [b["callback_data"] for b in story.buttons]
    again = await push_as_the_job(workers)
    assert again.pushed == 0  # each story once, and the day's room is used up
    assert len(with_news.emu.bot_messages(bob)) == 1  # the list he asked for, nothing else
    query = await with_news.emu.press_button(alice, story, unfollow)
    answered = await with_news.emu.wait_for_callback_answer(query)
    assert answered.answered and answered.answer_text == f"You no longer follow {coin} news."
    listed = await with_news.ask(alice, "/follow")
    assert listed.text is not None and listed.text.startswith("You follow no coin's news")
    assert len(with_news.emu.bot_messages(alice)) == 1 + pushed + 1  # nothing more came


async def test_the_list_has_unfollow_buttons_that_edit_it(
    with_news: Stack,  # noqa: F811
    alice: User,
) -> None:
    await with_news.ask(alice, "/follow news BTC ETH")
    listed = await with_news.ask(alice, "/follow")
    assert listed.text is not None and "BTC, ETH" in listed.text
    query = await with_news.emu.press_button(
        alice, listed, encode(UnfollowNews("list", "BTC", alice.id))
    )
    assert (await with_news.emu.wait_for_callback_answer(query)).answered
    await with_news.emu.wait_for(lambda: listed.edits, what="the list edited")
    edited = with_news.emu.bot_messages(alice)[-1]
    assert edited.text is not None and "ETH" in edited.text and "BTC" not in edited.text
    bob = with_news.emu.add_user("Bob", "bob")
    forged = await with_news.emu.press_button(
        bob, listed, encode(UnfollowNews("list", "ETH", alice.id)), strict=False
    )
    refused = await with_news.emu.wait_for_callback_answer(forged)
    assert refused.show_alert and "someone else's" in (refused.answer_text or "")
