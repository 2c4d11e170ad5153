"""Our aiohttp transport for PTB, against the emulator: forms, uploads, errors as PTB's own —
and which side of the wire a failure happened on."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut

from bot.emulator import Emulator
from bot.request import (
    AiohttpRequest,
    AnswerLost,
    ConnectTimedOut,
    NotSent,
    ReadTimedOut,
    UnreadableAnswer,
)
from tests.emulator.conftest import make_png


@pytest.fixture
async def emu():
    async with Emulator(flood_limits=None) as emulator:
        yield emulator


@pytest.fixture
async def bot(emu: Emulator):
    async with Bot(
        emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url, request=AiohttpRequest()
    ) as ptb_bot:
        yield ptb_bot


async def test_messages_with_keyboards_round_trip(emu: Emulator, bot: Bot) -> None:
    alice = emu.add_user("Alice")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Chart", callback_data="c:BTC")]])
    sent = await bot.send_message(
        alice.id, "<b>BTC</b> 64,000", parse_mode="HTML", reply_markup=keyboard
    )
    (record,) = emu.bot_messages(alice)
    assert sent.message_id == record.message_id and record.text == "BTC 64,000"
    assert record.buttons == [{"text": "Chart", "callback_data": "c:BTC"}]


async def test_uploads_go_as_multipart(emu: Emulator, bot: Bot) -> None:
    alice = emu.add_user("Alice")
    png = make_png()
    await bot.send_photo(alice.id, png, caption="chart")
    await bot.send_document(alice.id, b"date,side\n", filename="trades.csv")
    photo, document = emu.bot_messages(alice)
    assert photo.photo.content == png and photo.caption == "chart"
    assert document.document.content == b"date,side\n"
    assert document.document.file_name == "trades.csv"


async def test_telegram_errors_surface_as_ptb_errors(emu: Emulator, bot: Bot) -> None:
    alice = emu.add_user("Alice")
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(alice.id, "<b>unclosed", parse_mode="HTML")


async def test_an_unreachable_server_is_a_network_error() -> None:
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NotSent):  # a NetworkError to PTB: refused, never sent
            await request.do_request("http://127.0.0.1:9/bot1:x/getMe", "POST")
    finally:
        await request.shutdown()


async def test_a_silent_server_times_out() -> None:
    async def hang(reader, writer) -> None:
        await asyncio.sleep(5)
        writer.close()

    server = await asyncio.start_server(hang, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    request = AiohttpRequest(read_timeout=0.2)
    await request.initialize()
    try:
        with pytest.raises(ReadTimedOut) as caught:
            await request.do_request(f"http://127.0.0.1:{port}/bot1:x/getMe", "POST")
        assert isinstance(caught.value, TimedOut) and isinstance(caught.value, AnswerLost)
    finally:
        await request.shutdown()
        server.close()


async def test_answers_lost_after_telegram_acted_say_so(emu: Emulator) -> None:
    alice = emu.add_user("Alice")
    async with Bot(
        emu.token, base_url=emu.base_url, request=AiohttpRequest(read_timeout=0.3)
    ) as bot:
        emu.fail_next("sendMessage", mode="garbage")
        with pytest.raises(UnreadableAnswer) as garbled:
            await bot.send_message(alice.id, "one")
        emu.fail_next("sendMessage", mode="timeout_after")
        with pytest.raises(ReadTimedOut):
            await bot.send_message(alice.id, "two")
        emu.fail_next("sendMessage", mode="reset_after")
        with pytest.raises(AnswerLost) as dropped:
            await bot.send_message(alice.id, "three")
    assert isinstance(garbled.value, TelegramError) and "Invalid server response" in str(
        garbled.value
    )
    assert isinstance(dropped.value, NetworkError) and not isinstance(dropped.value, NotSent)
    assert [m.text for m in emu.bot_messages(alice)] == ["one", "two", "three"]


async def test_no_free_connection_in_time_was_never_sent(emu: Emulator) -> None:
    alice = emu.add_user("Alice")
    request = AiohttpRequest(connections=1, connect_timeout=0.1, pool_timeout=0.1)
    async with Bot(emu.token, base_url=emu.base_url, request=request) as bot:
        emu.fail_next("sendMessage", mode="timeout_after", hold=1.0)  # keeps the one connection
        slow = asyncio.create_task(bot.send_message(alice.id, "slow"))
        await emu.wait_for(lambda: emu.bot_messages(alice))
        with pytest.raises(ConnectTimedOut) as caught:
            await bot.send_message(alice.id, "waits for the pool")
        await slow
    assert isinstance(caught.value, NotSent) and isinstance(caught.value, TimedOut)
    assert [m.text for m in emu.bot_messages(alice)] == ["slow"]
