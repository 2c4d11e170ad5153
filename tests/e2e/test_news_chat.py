"""/news and /sentiment end to end: the sandbox's bundled feeds ingested and scored by the real
workers and models, pages turned with the buttons, the index's picture sent through the
emulator — and bad arguments answered in one line with nothing written."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import pytest_asyncio

from bot.callbacks import NewsPages, encode
from bot.emulator.records import MessageRecord, User
from tests.e2e.conftest import Stack, ingest_candles_now
from workers.scheduler import JobSpec, run_job

# The module shares one running Pythia (the `stack` fixture), so it shares one event loop.
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module")
async def with_news(stack: Stack) -> Stack:
    """The stack once its workers have ingested the sandbox's feeds, scored the stories and
    kept the index, and ingested candles. The jobs also run on their schedule: each is run
    under its lock, as the scheduler runs it, so a scheduled run is waited for, not raced."""
    from workers.jobs import ingest_news, score_news

    workers = stack.workers.deps
    assert workers is not None
    for job in (ingest_news, score_news):
        spec = JobSpec(job.__name__.rpartition(".")[2], job.run, timedelta(minutes=1))
        for _ in range(600):  # a minute at most
            result = await run_job(spec, workers)
            if result is not None:
                break
            await asyncio.sleep(0.1)  # the scheduled run holds the lock
        assert result is not None and result.ok, result
    return await ingest_candles_now(stack)


async def photo_reply(stack: Stack, user: User, text: str) -> MessageRecord:
    sent = await stack.emu.send_message(user, text)
    (reply,) = await stack.emu.wait_for_bot_messages(user, after=sent, timeout=20)
    return reply


def links(message: MessageRecord) -> list[str]:
    return [entity["url"] for entity in message.entities if entity["type"] == "text_link"]


async def turn(stack: Stack, user: User, message: MessageRecord, data: str, edits: int) -> None:
    query = await stack.emu.press_button(user, message, data, strict=False)
    answered = await stack.emu.wait_for_callback_answer(query)
    assert answered.answered and not answered.show_alert
    await stack.emu.wait_for(lambda: len(message.edits) >= edits, what="the page edited")


async def test_news_lists_the_latest_stories_with_marks_and_links(
    with_news: Stack, alice: User
) -> None:
    before = await with_news.row_counts()
    reply = await with_news.ask(alice, "/news")
    assert reply.text is not None and reply.text.startswith("📰 Latest crypto news · page 1 of ")
    assert len(links(reply)) == 5
    assert all(url.startswith("http") for url in links(reply))
    stories = reply.text.split("\n\n")[1:-1]
    assert len(stories) == 5 and all(s[0] in "🟢⚪🔴" for s in stories)  # all scored
    assert " ago" in reply.text
    assert reply.text.endswith("how the headline reads to my model")
    assert [b["text"] for b in reply.buttons] == ["Older ▶"]
    assert await with_news.row_counts() == before  # a read writes nothing


async def test_the_buttons_turn_the_page_in_place(with_news: Stack, alice: User) -> None:
    first = await with_news.ask(alice, "/news")
    shown = list(links(first))
    await turn(with_news, alice, first, encode(NewsPages(alice.id, 1, None)), 1)
    page_two = first.edits[-1]
    assert page_two.text is not None and "page 2 of" in page_two.text
    assert [b["text"] for b in first.buttons] == ["◀ Newer", "Older ▶"]
    await turn(with_news, alice, first, encode(NewsPages(alice.id, 0, None)), 2)
    assert first.text is not None and "page 1 of" in first.text
    assert links(first) == shown
    assert len(with_news.emu.bot_messages(alice)) == 1  # edited, never sent again


async def test_a_page_past_the_last_turns_to_the_last(with_news: Stack, alice: User) -> None:
    """A button sent when there were more stories (or a forged one) still shows a page."""
    first = await with_news.ask(alice, "/news ETH")
    await turn(with_news, alice, first, encode(NewsPages(alice.id, 9999, "ETH")), 1)
    assert first.text is not None and first.text.startswith("📰 News about ETH")
    assert [b["text"] for b in first.buttons] in ([], ["◀ Newer"])


async def test_someone_elses_pages_are_answered_and_stay_as_they_are(
    with_news: Stack, alice: User
) -> None:
    bob = with_news.emu.add_user("Bob")
    group = with_news.emu.add_group("Traders", members=[alice, bob])
    shown = await with_news.ask(alice, "/news@pythia_bot", chat=group)
    query = await with_news.emu.press_button(bob, shown, encode(NewsPages(alice.id, 1, None)))
    answered = await with_news.emu.wait_for_callback_answer(query)
    assert answered.show_alert and answered.answer_text is not None
    assert "/news" in answered.answer_text
    await with_news.ask(bob, "/help", chat=group)  # handled after the press
    assert shown.edits == []


async def test_news_of_one_coin(with_news: Stack, alice: User) -> None:
    reply = await with_news.ask(alice, "/news btc")
    assert reply.text is not None and reply.text.startswith("📰 News about BTC")
    assert links(reply)


async def test_sentiment_of_the_market_is_a_picture_against_bitcoin(
    with_news: Stack, alice: User
) -> None:
    before = await with_news.row_counts()
    reply = await photo_reply(with_news, alice, "/sentiment")
    assert reply.photo is not None and reply.photo.content.startswith(b"\x89PNG"), reply.body
    assert reply.caption is not None
    head, changes, basis = reply.caption.split("\n")
    assert head.startswith("🧭 Crypto news sentiment: ")
    assert head.endswith(("— bearish", "— neutral", "— bullish"))
    assert changes.startswith("24 h: ") and " · 7 d: " in changes
    assert basis.startswith("From ") and " stories of the last 3 days" in basis
    assert await with_news.row_counts() == before


async def test_sentiment_of_a_coin(with_news: Stack, alice: User) -> None:
    reply = await photo_reply(with_news, alice, "/sentiment BTC")
    assert reply.photo is not None, reply.body
    assert reply.caption is not None and reply.caption.startswith("🧭 BTC news sentiment: ")


async def test_sentiment_in_spanish(with_news: Stack, alice: User) -> None:
    await with_news.ask(alice, "/language es")
    reply = await photo_reply(with_news, alice, "/sentiment")
    assert reply.caption is not None
    assert reply.caption.startswith("🧭 Sentimiento de las noticias cripto: ")
    news = await with_news.ask(alice, "/news")
    assert news.text is not None and news.text.startswith("📰 Últimas noticias cripto")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("/news BTCC", "Unknown symbol: BTCC (did you mean BTC"),
        ("/sentiment NOPECOIN", "Unknown symbol: NOPECOIN"),
        ("/news <b>x</b>", "Not a coin I know: <b>x</b>."),
        ("/news BTC ETH", "One coin at a time, please: /news BTC, or /news for the whole market."),
        ("/sentiment btc eth sol", "One coin at a time, please: /sentiment BTC"),
    ],
)
async def test_a_bad_argument_is_one_line_and_writes_nothing(
    with_news: Stack, alice: User, text: str, said: str
) -> None:
    before = await with_news.row_counts()
    reply = await with_news.ask(alice, text)
    assert reply.photo is None and reply.text is not None
    assert reply.text.startswith(said) and "\n" not in reply.text
    assert reply.buttons == []
    assert await with_news.row_counts() == before
