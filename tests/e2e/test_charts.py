"""/chart, /compare, /corr and /ta end to end: candles ingested from the replay, pictures drawn
and sent through the emulator (which checks they are real images)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from core.market import Candle, floor_time
from db.candles import candle_market, save_candles
from tests.e2e.conftest import Stack, ingest_candles_now

HOUR, DAY = timedelta(hours=1), timedelta(days=1)

# The module shares one running Pythia (the `stack` fixture), so it shares one event loop.
pytestmark = pytest.mark.asyncio(loop_scope="module")


async def photo_reply(stack: Stack, user, text: str):
    sent = await stack.emu.send_message(user, text)
    (reply,) = await stack.emu.wait_for_bot_messages(user, after=sent, timeout=15)
    return reply


async def test_chart_sends_a_candlestick_picture_with_numbers(with_candles: Stack, alice) -> None:
    reply = await photo_reply(with_candles, alice, "/chart BTC")
    assert reply.photo is not None and reply.photo.content.startswith(b"\x89PNG")
    assert re.match(
        r"BTC Bitcoin · 1h · 7d — last [\d,.]+ USDT \([+−±][\d.]+%\) · high", reply.caption
    )
    assert "upload_photo" in [a.action for a in with_candles.emu.chat_actions]


async def test_the_same_chart_reuses_telegrams_file(fresh_stack: Stack, alice) -> None:
    with_candles = await ingest_candles_now(fresh_stack)
    first = await photo_reply(with_candles, alice, "/chart ETH 4h 14d")
    # stop the market moving so the next ask is the identical chart
    await with_candles.workers.stop()
    again = await photo_reply(with_candles, alice, "/chart ETH 4h 14d")
    if again.photo.file_id != first.photo.file_id:  # a tick landed between the two: once more
        first, again = again, await photo_reply(with_candles, alice, "/chart ETH 4h 14d")
    assert again.photo is not None, again.text
    assert again.photo.file_id == first.photo.file_id
    uploads = [c for c in with_candles.emu.calls_to("sendPhoto") if c.ok]
    assert len({id(c) for c in uploads}) >= 2


async def test_four_hour_candles_are_built_from_hourly_ones(with_candles: Stack, alice) -> None:
    reply = await photo_reply(with_candles, alice, "/chart sol 4h 30d")
    assert reply.caption.startswith("SOL Solana · 4h · 30d")


async def test_compare_two_coins_with_their_correlation(with_candles: Stack, alice) -> None:
    reply = await photo_reply(with_candles, alice, "/compare BTC ETH 14d")
    assert reply.photo is not None
    assert re.match(
        r"BTC [+−±][\d.]+% vs ETH [+−±][\d.]+% over 14d · correlation −?0\.\d\d", reply.caption
    )


async def test_correlation_heat_map_of_followed_coins(with_candles: Stack, alice) -> None:
    reply = await photo_reply(with_candles, alice, "/corr 14d")
    assert reply.photo is not None
    assert reply.caption.startswith("Correlation of 4 coins over 14d · most alike:")


async def test_ta_reads_every_indicator(with_candles: Stack, alice) -> None:
    reply = await with_candles.ask(alice, "/ta BTC")
    for label in (
        "SMA 200",
        "RSI(14)",
        "MACD",
        "Bollinger %B",
        "ATR(14)",
        "EMA 12",
        "Realised volatility",
    ):
        assert label in reply.text, label
    assert reply.text.rstrip().endswith("Not financial advice.")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/chart", "One coin per chart. Send /chart BTC, or /chart BTC 4h 30d"),
        ("/chart BTC ETH", "One coin per chart. To compare two, use /compare BTC ETH."),
        ("/chart BTC 15m", "That didn't work: timeframe must be one of 1h, 4h, 1d."),
        ("/chart BTC 3x", "That didn't work: period looks like 24h, 7d, 2w, 3m or 1y."),
        ("/chart BTC 1h 1y", "That is 8,760 1h candles, more than a picture shows well (500)"),
        ("/chart BTC 1d 1y", "I have only 60 days of 1d candles for BTC — try /chart BTC 1d 60d."),
        ("/chart BTC 1h 2y", "That is 17,520 1h candles"),
        ("/chart NOPE", "Unknown symbol: NOPE"),
        ("/chart LTC", "LTC isn't traded on the sandbox replay."),
        ("/compare BTC", "Compare takes two coins."),
        ("/compare BTC BTC", "Compare takes two different coins."),
        ("/corr BTC", "/corr compares the coins I follow."),
        ("/ta", "One coin and, if you like, a timeframe."),
        ("/ta BTC 7d", "One coin and, if you like, a timeframe."),
        ("/ta BTC 5m", "That didn't work: timeframe must be one of 1h, 4h, 1d."),
    ],
)
async def test_bad_chart_input_gets_one_line_and_writes_nothing(
    with_candles: Stack, alice, typed: str, expected: str
) -> None:
    await with_candles.ask(alice, "/start")
    before = await with_candles.row_counts()
    reply = await with_candles.ask(alice, typed)
    assert reply.text.startswith(expected), reply.text
    assert "\n" not in reply.text
    assert await with_candles.row_counts() == before


async def test_a_coin_without_candles_says_when_they_will_come(fresh_stack: Stack, alice) -> None:
    # XRP is listed by the replay but not followed, so no candles were ingested for it
    stack = fresh_stack
    reply = await stack.ask(alice, "/chart XRP")
    assert reply.text == (
        "No 1h candles for XRP yet — I've started following it; the first arrive within "
        "about 1 min."
    )
    assert "XRP" in (await stack.deps.current_directory()).tracked


# ---- in Spanish and Russian ---------------------------------------------------------------------


async def test_chart_caption_in_spanish_and_russian(with_candles: Stack) -> None:
    ana = with_candles.emu.add_user("Ana", "ana", language_code="es")
    spanish = await photo_reply(with_candles, ana, "/chart BTC")
    assert spanish.photo is not None
    assert re.match(
        r"BTC Bitcoin · 1h · 7d — último \d{1,3}(\.\d{3})*,\d{2} USDT \([+−±][\d,]+\xa0%\)"
        r" · máximo [\d.,]+ · mínimo [\d.,]+ · volumen [\d.,]+ BTC",
        spanish.caption,
    )
    ivan = with_candles.emu.add_user("Иван", "ivan", language_code="ru")
    russian = await photo_reply(with_candles, ivan, "/compare BTC ETH 14d")
    assert re.match(
        r"BTC [+−±][\d,]+\xa0% против ETH [+−±][\d,]+\xa0% за 14d · корреляция −?0,\d\d \(",
        russian.caption,
    )
    # the picture's words are Russian too: not the English picture sent before
    english = await photo_reply(
        with_candles, with_candles.emu.add_user("Al"), "/compare BTC ETH 14d"
    )
    assert english.photo.file_id != russian.photo.file_id


async def test_ta_in_spanish_and_russian(with_candles: Stack) -> None:
    ana = with_candles.emu.add_user("Ana", "ana_ta", language_code="es")
    spanish = await with_candles.ask(ana, "/ta BTC")
    assert re.search(r"Cierre \d{1,3}(\.\d{3})*,\d{2} · vela abierta el ", spanish.text)
    for words in ("RSI(14)", "%B de Bollinger", "Volatilidad realizada", "Señales: alcistas"):
        assert words in spanish.text, words
    assert spanish.text.rstrip().endswith("No es asesoramiento financiero.")
    ivan = with_candles.emu.add_user("Иван", "ivan_ta", language_code="ru")
    russian = await with_candles.ask(ivan, "/ta ETH 1d")
    for words in ("Закрытие", "%B Боллинджера", "Реализованная волатильность", "Сигналы:"):
        assert words in russian.text, words
    assert russian.text.rstrip().endswith("Не является финансовой рекомендацией.")


async def test_bad_chart_input_in_spanish_gets_one_line_and_writes_nothing(
    with_candles: Stack,
) -> None:
    ana = with_candles.emu.add_user("Ana", "ana_bad", language_code="es")
    await with_candles.ask(ana, "/start")
    before = await with_candles.row_counts()
    reply = await with_candles.ask(ana, "/chart BTC 15m")
    assert reply.text == (
        "No ha funcionado: la temporalidad debe ser una de estas: 1h, 4h, 1d. Envía /chart BTC, o "
        "/chart BTC 4h 30d (temporalidad 1h, 4h o 1d; periodo como 7d, 3m, 1y)."
    )
    too_long = await with_candles.ask(ana, "/chart BTC 1d 1y")
    assert too_long.text == ("Solo tengo 60 días de velas de 1d de BTC; prueba /chart BTC 1d 60d.")
    assert await with_candles.row_counts() == before


# ---- which market's candles are believed --------------------------------------------------------


def walk(end: datetime, step: timedelta, count: int, start_price: int) -> list[Candle]:
    """`count` candles of `step` ending with the one opened at `end`, prices walking up and
    down by up to 2% from `start_price`."""
    candles, price = [], Decimal(start_price)
    for i in range(count):
        close = (price * (1000 + (i * 7919) % 41 - 20) / 1000).quantize(Decimal("0.01"))
        high, low = max(price, close) * Decimal("1.003"), min(price, close) * Decimal("0.997")
        candles.append(Candle(end - (count - 1 - i) * step, price, high, low, close, Decimal(5)))
        price = close
    return candles


async def store_history(
    stack: Stack, exchange: str, pair: str, timeframe: str, candles: list[Candle]
) -> None:
    """Candles stored under a market of their own, as `pythia import-candles` stores a file."""
    asset, quote = pair.split("/")
    async with stack.deps.sessions.begin() as session:
        market = await candle_market(session, exchange, pair, asset, quote, stack.deps.clock.now())
        await save_candles(session, market, timeframe, candles)


async def test_ta_answers_from_a_fresh_market_not_a_longer_history_that_ended(
    fresh_stack: Stack, alice
) -> None:
    stack = await ingest_candles_now(fresh_stack)
    today = floor_time(stack.deps.clock.now(), "1d")
    yahoo_end = today - timedelta(days=456)  # 15 months before: long, and long over
    await store_history(stack, "yahoo", "BTC/USD", "1d", walk(yahoo_end, DAY, 800, 20_000))
    await store_history(stack, "binance", "BTC/USDT", "1d", walk(today, DAY, 100, 60_000))
    reply = await stack.ask(alice, "/ta BTC 1d")
    header, opened, market = reply.text.split("\n")[:3]
    assert header == "BTC · Bitcoin · 1d"
    assert f"{today:%b} {today.day}, {today.year}" in opened, opened  # today's candle
    assert market == "Binance · BTC/USDT · spot"
    # a coin with nothing but the old history is read from it, and the reply says how old
    await store_history(stack, "yahoo", "XRP/USD", "1d", walk(yahoo_end, DAY, 800, 100))
    stale = await stack.ask(alice, "/ta XRP 1d")
    assert "\n" in stale.text, stale.text
    assert f"{yahoo_end:%b} {yahoo_end.day}, {yahoo_end.year}" in stale.text.split("\n")[1]
    assert stale.text.split("\n")[2] == (
        "Yahoo Finance · XRP/USD · spot · ⚠️ no fresh candles: the latest opened 1 yr. ago"
    )
    compared = await photo_reply(stack, alice, "/compare BTC ETH 14d")
    assert compared.caption.split("\n")[1] == "Sandbox replay · spot: BTC/USDT, ETH/USDT"


async def test_imported_four_hour_candles_are_used_by_ta_and_chart(
    fresh_stack: Stack, alice
) -> None:
    stack = await ingest_candles_now(fresh_stack)
    built = await stack.ask(alice, "/ta BTC 4h")  # the replay's hours, four at a time
    assert built.text.split("\n")[2] == "Sandbox replay · BTC/USDT · spot"
    now = floor_time(stack.deps.clock.now(), "4h")
    imported = walk(now, 4 * HOUR, 600, 70_000)
    await store_history(stack, "binance", "BTC/USDT", "4h", imported)
    await store_history(stack, "binance", "XRP/USDT", "4h", walk(now, 4 * HOUR, 600, 100))
    for coin in ("BTC", "XRP"):  # XRP has no other candles at all
        reply = await stack.ask(alice, f"/ta {coin} 4h")
        assert reply.text.split("\n")[2] == f"Binance · {coin}/USDT · spot", reply.text
    close = (await stack.ask(alice, "/ta BTC 4h")).text.split("\n")[1]
    assert close.startswith(f"Close {imported[-1].close:,.2f} · candle opened "), close
    chart = await photo_reply(stack, alice, "/chart BTC 4h 30d")
    assert chart.caption.split("\n")[1] == "Binance · BTC/USDT · spot"
    assert f"last {imported[-1].close:,.2f} USDT" in chart.caption
