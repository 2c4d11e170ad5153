"""sendMessage / edits / deletes / keyboards / callbacks, validated like Telegram."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, EndPointNotFound, Forbidden

from bot.emulator import Emulator, User

KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("BTC", callback_data="price:BTC")],
        [InlineKeyboardButton("Docs", url="https://example.com/docs")],
    ]
)


async def test_send_html_message(bot: Bot, emu: Emulator, alice: User) -> None:
    sent = await bot.send_message(alice.id, "<b>BTC</b> &gt; 100k", parse_mode=ParseMode.HTML)
    assert sent.text == "BTC > 100k"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 3)]
    assert sent.from_user.id == emu.bot.id and sent.from_user.is_bot
    [record] = emu.bot_messages(alice)
    assert (record.text, record.parse_mode, record.message_id) == ("BTC > 100k", "HTML", 1)


async def test_invalid_html_is_rejected_with_telegrams_message(
    bot: Bot, emu: Emulator, alice: User
) -> None:
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(alice.id, "price <foo>", parse_mode=ParseMode.HTML)
    # PTB strips "Bad Request: " and capitalises; the wire text is Telegram's exact wording.
    assert caught.value.message == (
        'Can\'t parse entities: unsupported start tag "foo" at byte offset 6'
    )
    assert emu.calls[-1].description == (
        'Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 6'
    )
    with pytest.raises(BadRequest, match="can't find end tag corresponding to start tag"):
        await bot.send_message(alice.id, "<b>unclosed", parse_mode=ParseMode.HTML)
    assert emu.bot_messages(alice) == []


async def test_length_limit_counts_utf16_after_parsing(bot: Bot, alice: User) -> None:
    await bot.send_message(alice.id, "a" * 4096)
    await bot.send_message(alice.id, "<b>" + "a" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    await bot.send_message(alice.id, "😀" * 2048)  # 2048 emoji = 4096 UTF-16 code units
    for too_long in ("a" * 4097, "😀" * 2048 + "a"):
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(alice.id, too_long)


async def test_empty_text_and_unknown_chat(bot: Bot, alice: User) -> None:
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(alice.id, "   \n")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "hi")


async def test_inline_keyboard_round_trip(bot: Bot, emu: Emulator, alice: User) -> None:
    sent = await bot.send_message(alice.id, "Pick", reply_markup=KEYBOARD)
    assert sent.reply_markup == KEYBOARD
    record = emu.last_bot_message(alice)
    assert record.reply_markup == KEYBOARD.to_dict()
    assert [b["text"] for b in record.buttons] == ["BTC", "Docs"]


async def test_reply_keyboard_is_not_part_of_the_message(
    bot: Bot, emu: Emulator, alice: User
) -> None:
    sent = await bot.send_message(alice.id, "menu", reply_markup=ReplyKeyboardMarkup([["/price"]]))
    assert sent.reply_markup is None  # as in Telegram
    assert emu.last_bot_message(alice).reply_markup["keyboard"] == [[{"text": "/price"}]]


async def test_bad_keyboards_are_rejected(bot: Bot, alice: User) -> None:
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="x" * 65)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(alice.id, "x", reply_markup=too_long)
    with pytest.raises(BadRequest, match="text buttons are unallowed in the inline keyboard"):
        await bot.send_message(
            alice.id, "x", reply_markup={"inline_keyboard": [[{"text": "no action"}]]}
        )


async def test_callback_press_and_answer(bot: Bot, emu: Emulator, alice: User) -> None:
    await bot.send_message(alice.id, "Pick", reply_markup=KEYBOARD)
    query = await emu.press_button(alice, emu.last_bot_message(alice), text="BTC")
    [update] = await bot.get_updates()
    assert update.callback_query.data == "price:BTC"
    assert update.callback_query.message.text == "Pick"
    assert update.callback_query.from_user.id == alice.id
    assert await update.callback_query.answer("BTC: 97k", show_alert=True)
    answered = await emu.wait_for_callback_answer(query, timeout=1)
    assert (answered.answer_text, answered.show_alert) == ("BTC: 97k", True)
    with pytest.raises(BadRequest, match="Query is too old"):
        await update.callback_query.answer()  # answering twice
    with pytest.raises(ValueError, match="no button with callback_data"):
        await emu.press_button(alice, emu.last_bot_message(alice), "price:ETH")


async def test_edit_rules(bot: Bot, emu: Emulator, alice: User) -> None:
    sent = await bot.send_message(alice.id, "v1", reply_markup=KEYBOARD)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await sent.edit_text("v1", reply_markup=KEYBOARD)
    edited = await sent.edit_text("<i>v2</i>", parse_mode=ParseMode.HTML, reply_markup=KEYBOARD)
    assert edited.text == "v2" and edited.edit_date is not None
    # Editing without reply_markup drops the keyboard, exactly like Telegram.
    await sent.edit_text("v3")
    record = emu.last_bot_message(alice)
    assert (record.text, record.reply_markup) == ("v3", None)
    assert [v.text for v in record.edits] == ["v2", "v3"]
    assert [(v.method, v.text, v.parse_mode) for v in record.history] == [
        ("sendMessage", "v1", None),
        ("editMessageText", "v2", "HTML"),
        ("editMessageText", "v3", None),
    ]
    await bot.edit_message_reply_markup(alice.id, sent.message_id, reply_markup=KEYBOARD)
    assert record.reply_markup == KEYBOARD.to_dict()
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=alice.id, message_id=999)
    assert await sent.delete()
    assert record.deleted
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await sent.delete()


async def test_reply_to_message(bot: Bot, emu: Emulator, alice: User) -> None:
    question = await emu.send_message(alice, "price?")
    answer = await bot.send_message(alice.id, "97k", reply_to_message_id=question.message_id)
    assert answer.reply_to_message.text == "price?"
    assert emu.last_bot_message(alice).reply_to_message_id == question.message_id
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(alice.id, "x", reply_to_message_id=999)


async def test_unknown_method_answers_404(bot: Bot, emu: Emulator) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")
    assert emu.calls[-1].method == "noSuchMethod"
    assert (emu.calls[-1].status, emu.calls[-1].description) == (404, "Not Found")


async def test_blocked_user_is_forbidden(bot: Bot, emu: Emulator, alice: User) -> None:
    emu.block_bot(alice)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(alice.id, "still there?")
    [update] = await bot.get_updates()
    assert update.my_chat_member.new_chat_member.status == "kicked"
    emu.unblock_bot(alice)
    await bot.send_message(alice.id, "welcome back")


async def test_user_who_never_started_cannot_be_messaged(bot: Bot, emu: Emulator) -> None:
    carol = emu.add_user("Carol", started=False)
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(carol.id, "hi")
    await emu.send_message(carol, "/start")
    await bot.send_message(carol.id, "hi")


async def test_chat_actions_and_commands(bot: Bot, emu: Emulator, alice: User) -> None:
    assert await bot.send_chat_action(alice.id, "typing")
    assert [(a.chat_id, a.action) for a in emu.chat_actions] == [(alice.id, "typing")]
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(alice.id, "dancing")

    assert await bot.set_my_commands([("price", "Price of a coin"), ("start", "Start")])
    assert await bot.set_my_commands([("preis", "Kurs")], language_code="de")
    assert emu.my_commands() == [("price", "Price of a coin"), ("start", "Start")]
    assert emu.commands[("default", "de")] == [{"command": "preis", "description": "Kurs"}]
    assert [c.command for c in await bot.get_my_commands(language_code="de")] == ["preis"]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([("Price", "uppercase is invalid")])
    with pytest.raises(BadRequest, match="Bot_command_description_invalid"):
        await bot.set_my_commands([("price", "")])
    assert await bot.delete_my_commands()
    assert emu.my_commands() == []


async def test_dropping_the_buttons_twice_is_not_modified(
    bot: Bot, emu: Emulator, alice: User
) -> None:
    sent = await bot.send_message(alice.id, "confirm?", reply_markup=KEYBOARD)
    await bot.edit_message_reply_markup(alice.id, sent.message_id, reply_markup=None)
    assert emu.last_bot_message(alice).buttons == []
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(alice.id, sent.message_id, reply_markup=None)
