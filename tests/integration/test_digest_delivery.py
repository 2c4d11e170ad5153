"""Digests from the database to the chat, on SQLite and Postgres: what `gather` reads for the
sections (and only for them), which sections are offered, and the sender posting a
DigestPosted into a forum topic in the group's language, a chart drawn and uploaded once for
two chats, and a long digest as text then its picture — through the emulator over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from telegram import Bot

from bot.charts import ChartRenderer
from bot.delivery import OutboxSender
from bot.emulator import Emulator, User
from bot.request import AiohttpRequest
from core.clock import FixedClock
from core.digest.compose import compose
from core.digest.registry import NAMES
from core.digest.sections.news import NewsFacts
from core.digest.sections.predictions import PredictionsFacts
from core.market import Candle, PriceQuote
from core.notices import DigestPosted, to_payload
from core.predict import Forecast
from core.settings import Settings
from db.candles import candle_market, save_candles
from db.models import Chat
from db.models import User as Person
from db.news import NewsArticle, NewsAssetTag
from db.outbox import enqueue
from db.repos import news as news_repo
from services.deps import Deps, build_deps, close_deps
from services.digest_inputs import available_sections, gather
from services.predictions import publish_forecasts, resolve_due
from tests.integration.test_outbox_sender import running, settled

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
START = NOW - 9 * 24 * HOUR  # nine days of hourly BTC candles up to now


@pytest.fixture
async def deps(db_url: str, cache_url: str | None, engine: Any) -> AsyncIterator[Deps]:
    settings = Settings(database_url=db_url, redis_url=cache_url, symbols=["BTC", "ETH", "SOL"])
    made = await build_deps(settings, FixedClock(NOW))
    async with made.write() as session:
        market = await candle_market(session, "binance", "BTC/USDT", "BTC", "USDT", NOW)
        prices = [Decimal(60000 + 10 * i + (i % 7) * 30) for i in range(9 * 24)]
        candles = [Candle(START + i * HOUR, p, p, p, p, Decimal(5)) for i, p in enumerate(prices)]
        await save_candles(session, market, "1h", candles)
    await made.cache.set_prices(
        [
            PriceQuote("BTC", Decimal("62150.5"), "USD", "binance", NOW, Decimal("2.5")),
            PriceQuote("ETH", Decimal("3100"), "USD", "binance", NOW, Decimal("-3.25")),
            PriceQuote("SOL", Decimal("150"), "USD", "binance", NOW, Decimal("7.5")),
        ]
    )
    yield made
    await close_deps(made)


async def add_story(
    deps: Deps, title: str, hours_ago: float, coins: list[str], score: float
) -> None:
    at = NOW - hours_ago * HOUR
    async with deps.write() as session:
        story = NewsArticle(
            source="Desk", url=f"https://news.example/{abs(hash(title))}", title=title,
            title_key=title.lower(), published_at=at, fetched_at=at, publishers=2,
            vader_score=score / 2, model_score=score, sentiment_label="positive", scored_at=at,
        )  # fmt: skip
        session.add(story)
        await session.flush()
        for coin in coins:
            session.add(NewsAssetTag(article_id=story.id, asset_id=deps.directory.ids[coin]))


async def test_gather_reads_what_the_sections_need_from_the_database(deps: Deps) -> None:
    await add_story(deps, "Bitcoin ETF <inflows> & more", 2, ["BTC"], 0.6)
    await add_story(deps, "Ether upgrade slips", 5, ["ETH"], -0.4)
    await add_story(deps, "Old news", 30, ["BTC"], 0.1)
    async with deps.write() as session:
        await news_repo.save_point(
            session, deps.directory.ids["BTC"], NOW - HOUR, 0.35, 3.0, 4, NOW
        )
        await news_repo.save_point(session, None, NOW - 2 * HOUR, -0.1, 9.0, 12, NOW)
    made = [NOW - (48 - i) * HOUR for i in range(4)]  # resolved by now (24 h ahead)
    await publish_forecasts(
        deps, [forecast(at, p) for at, p in zip(made, [0.7, 0.4, 0.6, 0.55], strict=True)]
    )
    await publish_forecasts(deps, [forecast(NOW, 0.64)])
    assert await resolve_due(deps) == 4

    inputs = await gather(deps, NAMES, ["btc", "ETH", "NOPE"], NOW)
    assert set(inputs.quotes) == {"BTC", "ETH", "SOL"} and inputs.tracked == ("BTC", "ETH", "SOL")
    assert [s.title for s in inputs.stories] == [
        "Bitcoin ETF <inflows> & more",
        "Ether upgrade slips",
    ]
    assert inputs.stories[0].coins == ("BTC",) and inputs.stories[0].sentiment == 0.6
    assert inputs.moods["BTC"].value == pytest.approx(0.35) and "ETH" not in inputs.moods
    assert inputs.market_mood is not None and inputs.market_mood.stories == 12
    assert inputs.forecasts["BTC"].p_up == pytest.approx(0.64) and "ETH" not in inputs.forecasts
    assert inputs.record["BTC"].count == 4

    facts = compose(inputs, NAMES, ["BTC", "ETH", "NOPE"], NOW)
    assert facts.names == ("overview", "movers", "news", "predictions", "chart")
    news = facts.section(NewsFacts)
    assert news is not None and len(news.stories) == 2
    predictions = facts.section(PredictionsFacts)
    assert predictions is not None and predictions.forecasts[0].resolved == 4

    only = await gather(deps, ["overview"], ["BTC"], NOW)  # no news, no forecasts read
    assert set(only.quotes) == {"BTC"} and only.stories == () and only.forecasts == {}
    assert (await gather(deps, ["chart"], ["BTC"], NOW)).quotes == {}


def forecast(made_at: datetime, p_up: float) -> Forecast:
    return Forecast("BTC", "24h", made_at, 60000.0, p_up, -0.02, 0.03, "model", None, None)


async def test_sections_are_offered_only_where_their_capability_is(deps: Deps) -> None:
    assert await available_sections(deps) == NAMES
    bare = Deps(
        deps.settings.model_copy(update={"news_feeds": [], "train_models": False}),
        deps.engine, deps.sessions, deps.cache, deps.clock,
    )  # fmt: skip
    assert await available_sections(bare) == ("overview", "movers", "chart")
    await publish_forecasts(deps, [forecast(NOW, 0.6)])  # a stored prediction, no model row
    assert "predictions" not in await available_sections(bare)  # a model, not a forecast, counts


# --- the sender against the emulator -------------------------------------------------------------


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator() as emulator:
        yield emulator
    assert not emulator.internal_errors, emulator.internal_errors


@pytest.fixture
async def bot(emu: Emulator) -> AsyncIterator[Bot]:
    async with Bot(emu.token, base_url=emu.base_url, request=AiohttpRequest()) as plain:
        yield plain


@pytest.fixture
def alice(emu: Emulator) -> User:
    return emu.add_user("Alice", "alice")


async def chat_row(deps: Deps, chat_id: int, **columns: Any) -> None:
    async with deps.write() as session:
        session.add(Chat(id=chat_id, type="supergroup", title="Traders", created_at=NOW, **columns))


async def post(deps: Deps, chat_id: int, notice: DigestPosted) -> None:
    async with deps.write() as session:
        key = f"digest:{notice.digest_id}:{notice.slot:%Y%m%d%H%M}"
        await enqueue(session, chat_id, "digest", to_payload(notice), key, NOW)


async def digest(
    deps: Deps, sections: tuple[str, ...], thread_id: int | None = None
) -> DigestPosted:
    coins = ("BTC", "ETH")
    inputs = await gather(deps, sections, coins, NOW)
    facts = compose(inputs, sections, coins, NOW)
    return DigestPosted(digest_id=1, thread_id=thread_id, slot=NOW,
                        schedule="daily 09:00", facts=facts)  # fmt: skip


async def test_a_digest_for_a_forum_topic_goes_into_it_in_the_groups_language(
    deps: Deps, emu: Emulator, bot: Bot, alice: User
) -> None:
    group = emu.add_group("Traders", [alice], is_forum=True)
    await chat_row(deps, group.id, language="es", timezone="Europe/Madrid")
    await post(deps, group.id, await digest(deps, ("overview", "movers"), thread_id=77))
    async with running(OutboxSender(bot, deps)):
        [row] = await settled(deps.sessions, 1)
    assert row.status == "sent"
    [message] = emu.bot_messages(group)
    assert message.message_thread_id == 77
    text = message.text or ""
    assert text.splitlines()[0] == "🗞 Resumen del mercado · 10 mar 2026, 09:00 CET"  # Madrid
    assert "BTC: 62.150,50 USD (+2,50\xa0%)" in text
    assert "Mayores movimientos, 24 h" in text


async def test_a_group_without_a_language_hears_the_language_of_who_set_it_up(
    deps: Deps, emu: Emulator, bot: Bot, alice: User
) -> None:
    async with deps.write() as session:
        session.add(Person(id=alice.id, first_name="A", created_at=NOW, last_seen_at=NOW,
                           language="ru", timezone="Asia/Tokyo"))  # fmt: skip
    group = emu.add_group("Traders", [alice])
    await chat_row(deps, group.id, set_up_by=alice.id, timezone="Europe/Berlin")
    await post(deps, group.id, await digest(deps, ("overview",)))
    async with running(OutboxSender(bot, deps)):
        await settled(deps.sessions, 1)
    [message] = emu.bot_messages(group)
    text = message.text or ""
    assert text.startswith("🗞 Обзор рынка") and "09:00 CET" in text  # Berlin
    assert message.message_thread_id is None


async def test_a_chart_digest_to_two_chats_is_drawn_and_uploaded_once(
    deps: Deps, emu: Emulator, bot: Bot, alice: User
) -> None:
    groups = [emu.add_group(f"Group {i}", [alice]) for i in range(2)]
    notice = await digest(deps, ("overview", "chart"))
    for i, group in enumerate(groups):
        await chat_row(deps, group.id)
        await post(deps, group.id, notice.model_copy(update={"digest_id": i + 1}))
    renderer = ChartRenderer()
    try:
        sender = OutboxSender(bot, deps, charts=renderer)
        async with running(sender):
            rows = await settled(deps.sessions, 2)
    finally:
        renderer.close()
    assert [row.status for row in rows] == ["sent", "sent"]
    photos = [call for call in emu.calls_to("sendPhoto") if call.ok]
    assert len(photos) == 2 and sender.pictures.drawn == 1
    assert sum(isinstance(call.params.get("photo"), str) for call in photos) == 1  # a file_id
    first, second = (emu.bot_messages(group)[0] for group in groups)
    assert first.photo is not None and second.photo is not None
    assert first.photo.file_id == second.photo.file_id
    assert first.caption is not None and first.caption.startswith("🗞 Market digest")
    assert emu.calls_to("sendMessage") == []  # the text went as the caption


async def test_a_digest_too_long_for_a_caption_goes_as_text_then_its_picture(
    deps: Deps, emu: Emulator, bot: Bot, alice: User
) -> None:
    for i in range(8):
        await add_story(deps, f"Story {i}: " + "a very long headline " * 8, i + 1, ["BTC"], 0.2)
    group = emu.add_group("Traders", [alice], is_forum=True)
    await chat_row(deps, group.id)
    await post(
        deps, group.id, await digest(deps, ("overview", "movers", "news", "chart"), thread_id=5)
    )
    renderer = ChartRenderer()
    try:
        async with running(OutboxSender(bot, deps, charts=renderer)):
            [row] = await settled(deps.sessions, 1)
    finally:
        renderer.close()
    text, picture = emu.bot_messages(group)
    assert text.text is not None and text.text.startswith("🗞 Market digest")
    assert picture.photo is not None and picture.caption is None
    assert text.message_thread_id == picture.message_thread_id == 5
    assert row.status == "sent" and row.telegram_message_id == text.message_id


async def test_a_digest_for_a_deleted_topic_goes_to_the_chat_itself(
    deps: Deps, emu: Emulator, bot: Bot, alice: User
) -> None:
    group = emu.add_group("Traders", [alice], is_forum=True)
    await chat_row(deps, group.id)
    emu.fail_next("sendMessage", chat=group, code=400,
                  description="Bad Request: message thread not found")  # fmt: skip
    await post(deps, group.id, await digest(deps, ("overview",), thread_id=9))
    async with running(OutboxSender(bot, deps)):
        [row] = await settled(deps.sessions, 1)
    [message] = emu.bot_messages(group)
    assert row.status == "sent" and message.message_thread_id is None
    calls = emu.calls_to("sendMessage")
    assert [call.ok for call in calls] == [False, True]
    assert [call.params.get("message_thread_id") for call in calls] == [9, None]
