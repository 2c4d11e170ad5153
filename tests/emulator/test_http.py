"""Wire-level details: exact error bodies, JSON bodies, GET, parameter decoding."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.emulator import Emulator, FloodLimits, User


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession, emu: Emulator, method: str, **kwargs: object
) -> tuple[int, dict]:
    async with http.post(f"{emu.base_url}{emu.token}/{method}", **kwargs) as response:
        return response.status, await response.json()


async def test_exact_error_bodies(http: aiohttp.ClientSession, emu: Emulator) -> None:
    async with http.post(f"{emu.base_url}1:wrong/getMe") as response:
        assert response.status == 401
        assert await response.json() == {
            "ok": False, "error_code": 401, "description": "Unauthorized"
        }  # fmt: skip
    assert await call(http, emu, "noSuchMethod") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    status, body = await call(http, emu, "sendMessage", data={"chat_id": "5", "text": "x"})
    assert (status, body) == (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
    )


async def test_get_and_case_insensitive_method(http: aiohttp.ClientSession, emu: Emulator) -> None:
    async with http.get(f"{emu.base_url}{emu.token}/getme") as response:
        body = await response.json()
    assert body["ok"] and body["result"]["username"] == "pythia_bot"
    assert emu.calls[-1].method == "getMe"


async def test_string_params_are_not_json_decoded(
    http: aiohttp.ClientSession, emu: Emulator, alice: User
) -> None:
    markup = json.dumps({"inline_keyboard": [[{"text": "A", "callback_data": "1"}]]})
    status, body = await call(
        http, emu, "sendMessage",
        data={"chat_id": str(alice.id), "text": "123", "reply_markup": markup,
              "disable_notification": "true"},
    )  # fmt: skip
    assert status == 200
    assert body["result"]["text"] == "123"  # a numeric-looking text stays a string
    record = emu.last_bot_message(alice)
    assert record.disable_notification is True
    assert record.reply_markup == json.loads(markup)


async def test_json_body(http: aiohttp.ClientSession, emu: Emulator, alice: User) -> None:
    status, body = await call(
        http, emu, "sendMessage",
        json={"chat_id": str(alice.id), "text": "<i>hi</i>", "parse_mode": "HTML",
              "link_preview_options": {"is_disabled": True}},
    )  # fmt: skip
    assert status == 200
    assert body["result"]["entities"] == [{"type": "italic", "offset": 0, "length": 2}]
    assert body["result"]["link_preview_options"] == {"is_disabled": True}


async def test_429_body(http: aiohttp.ClientSession) -> None:
    async with Emulator(flood_limits=FloodLimits(private_burst=1)) as limited:
        user = limited.add_user("Eve")
        await call(http, limited, "sendMessage", data={"chat_id": user.id, "text": "1"})
        status, body = await call(
            http, limited, "sendMessage", data={"chat_id": user.id, "text": "2"}
        )
    assert (status, body) == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        },
    )


async def test_unknown_file_download_is_404(http: aiohttp.ClientSession, emu: Emulator) -> None:
    async with http.get(f"{emu.base_file_url}{emu.token}/documents/nope.csv") as response:
        assert response.status == 404


async def test_caption_edit_and_location(
    http: aiohttp.ClientSession, emu: Emulator, alice: User
) -> None:
    from .conftest import make_png

    form = aiohttp.FormData()
    form.add_field("chat_id", str(alice.id))
    form.add_field("caption", "old")
    form.add_field("photo", make_png(), filename="chart.png", content_type="image/png")
    status, body = await call(http, emu, "sendPhoto", data=form)
    assert status == 200
    message_id = body["result"]["message_id"]
    edit = {"chat_id": alice.id, "message_id": message_id, "caption": "<b>new</b>",
            "parse_mode": "HTML"}  # fmt: skip
    status, body = await call(http, emu, "editMessageCaption", json=edit)
    assert (status, body["result"]["caption"]) == (200, "new")
    status, body = await call(http, emu, "editMessageText", json={**edit, "text": "x"})
    assert body["description"] == "Bad Request: there is no text in the message to edit"
    status, body = await call(
        http, emu, "sendLocation", data={"chat_id": alice.id, "latitude": 1.5, "longitude": 2}
    )
    assert body["result"]["location"] == {"latitude": 1.5, "longitude": 2.0}
