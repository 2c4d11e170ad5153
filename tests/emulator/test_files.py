"""Uploads, file_id reuse, getFile and downloads."""

from __future__ import annotations

import aiohttp
import pytest
from telegram import Bot, InputMediaPhoto
from telegram.error import BadRequest, Forbidden

from bot.emulator import Emulator, User

from .conftest import make_png


async def test_photo_upload_then_reuse_by_file_id(bot: Bot, emu: Emulator, alice: User) -> None:
    png = make_png(120, 80)
    first = await bot.send_photo(alice.id, photo=png, caption="<b>BTC</b> 4h", parse_mode="HTML")
    [size] = first.photo
    assert (size.width, size.height, size.file_size) == (120, 80, len(png))
    assert first.caption == "BTC 4h"
    assert [e.type for e in first.caption_entities] == ["bold"]

    again = await bot.send_photo(alice.id, photo=size.file_id)
    assert again.photo[-1].file_unique_id == size.file_unique_id
    records = emu.bot_messages(alice)
    assert records[0].photo is records[1].photo  # the very same stored file
    assert records[0].photo.content == png

    file = await bot.get_file(size.file_id)
    assert file.file_path.endswith(".jpg")
    assert await file.download_as_bytearray() == png


async def test_photo_validation(bot: Bot, alice: User) -> None:
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(alice.id, photo=b"definitely not an image")
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_photo(alice.id, photo="AgACno-such-file")
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(alice.id, photo=make_png(), caption="x" * 1025)


async def test_user_document_download_by_bot(bot: Bot, emu: Emulator, alice: User) -> None:
    csv = b"time,side,qty\n2024-01-01,buy,0.5\n"
    await emu.send_document(alice, "trades.csv", csv, "text/csv", caption="my trades")
    [update] = await bot.get_updates()
    document = update.message.document
    assert (document.file_name, document.mime_type, document.file_size) == (
        "trades.csv",
        "text/csv",
        len(csv),
    )
    assert update.message.caption == "my trades"
    file = await document.get_file()
    assert file.file_path.startswith("documents/") or "/documents/" in file.file_path
    assert bytes(await file.download_as_bytearray()) == csv


async def test_bot_sends_document_and_mismatched_file_type(
    bot: Bot, emu: Emulator, alice: User
) -> None:
    sent = await bot.send_document(alice.id, document=b"a,b\n1,2\n", filename="export.csv")
    assert (sent.document.file_name, sent.document.mime_type) == ("export.csv", "text/csv")
    assert emu.last_bot_message(alice).document.content == b"a,b\n1,2\n"
    with pytest.raises(BadRequest, match="Can't use file of type document as photo"):
        await bot.send_photo(alice.id, photo=sent.document.file_id)
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await bot.get_file("nope")


async def test_media_group(bot: Bot, emu: Emulator, alice: User) -> None:
    messages = await bot.send_media_group(
        alice.id,
        [InputMediaPhoto(make_png(10, 10), caption="one"), InputMediaPhoto(make_png(20, 10))],
    )
    assert [m.photo[-1].width for m in messages] == [10, 20]
    assert messages[0].media_group_id == messages[1].media_group_id is not None
    assert [m.caption for m in emu.bot_messages(alice)] == ["one", None]


async def test_the_bot_downloads_up_to_20_mb_and_only_with_its_token(
    bot: Bot, emu: Emulator, alice: User
) -> None:
    big = b"x" * (20 * 1024 * 1024 + 1)
    message = await emu.send_document(alice, "huge.csv", big)
    with pytest.raises(BadRequest, match="File is too big"):
        await bot.get_file(message.document.file_id)
    small = await emu.send_document(alice, "small.csv", b"date,side\n")
    file = await bot.get_file(small.document.file_id)
    path = file.file_path.rsplit(f"/file/bot{emu.token}/", 1)[-1]
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{emu.base_file_url}123:WRONG/{path}") as response:
            assert response.status == 401
        async with http.get(f"{emu.base_file_url}{emu.token}/{path}") as response:
            assert await response.read() == b"date,side\n"


async def test_a_document_to_someone_who_never_started_the_bot_is_forbidden(
    bot: Bot, emu: Emulator
) -> None:
    carol = emu.add_user("Carol", started=False)
    group = emu.add_group("Traders", members=[carol])
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_document(carol.id, document=b"a,b\n", filename="export.csv")
    await bot.send_message(group.id, "open a private chat with me")  # the group is fine
    assert emu.bot_messages(carol) == []
