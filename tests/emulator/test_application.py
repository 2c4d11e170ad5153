"""A real PTB Application, polling over HTTP, against the emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from bot.emulator import Emulator, User


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Refresh", callback_data="refresh")]])
    await update.effective_message.reply_text(
        f"Hello <b>{update.effective_user.first_name}</b>!",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
    )


async def price(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(f"{context.args[0]}: 97000")


async def refresh(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer("refreshed")
    await update.callback_query.edit_message_text("Refreshed")


@pytest.fixture
async def app(emu: Emulator) -> AsyncIterator[Application]:
    application = (
        ApplicationBuilder()
        .token(emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("price", price))
    application.add_handler(CallbackQueryHandler(refresh))
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()


async def test_start_command_reaches_handler_and_reply_is_recorded(
    app: Application, emu: Emulator, alice: User
) -> None:
    sent = await emu.send_message(alice, "/start")
    [reply] = await emu.wait_for_bot_messages(alice, count=1, after=sent, timeout=5)
    assert reply.text == "Hello Alice!"
    assert reply.parse_mode == "HTML"
    assert reply.entities == [{"type": "bold", "offset": 6, "length": 5}]
    assert reply.monotonic >= sent.monotonic  # latency is measurable from the records

    query = await emu.press_button(alice, reply, "refresh")
    answered = await emu.wait_for_callback_answer(query, timeout=5)
    assert answered.answer_text == "refreshed"
    await emu.wait_for(lambda: reply.text == "Refreshed", timeout=5, what="edit")
    assert reply.reply_markup is None  # edited without a keyboard -> removed


async def test_group_command_with_bot_mention(
    app: Application, emu: Emulator, alice: User, bob: User
) -> None:
    group = emu.add_group("Traders", members=[alice, bob], supergroup=True)
    sent = await emu.send_command(alice, "price", "BTC", chat=group, mention_bot=True)
    assert sent.text == "/price@pythia_bot BTC"
    [reply] = await emu.wait_for_bot_messages(group, after=sent, timeout=5)
    assert reply.text == "BTC: 97000"
    assert reply.reply_to_message_id == sent.message_id  # PTB quotes in groups by default


async def test_timeout_error_is_helpful(app: Application, emu: Emulator, alice: User) -> None:
    sent = await emu.send_message(alice, "no handler for plain text")
    with pytest.raises(TimeoutError, match="waiting for 1 bot message"):
        await emu.wait_for_bot_messages(alice, after=sent, timeout=0.3)
