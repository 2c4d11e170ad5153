"""Answers lost after the call was carried out, as the network can lose them: the bot cannot
tell whether Telegram did what it asked (see ``FAULT_MODES`` in ``methods/common.py``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web

from bot.emulator.methods.common import Fault

GONE_CHECK = 0.02  # seconds between looks at whether the client hung up


def _client_gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


async def lose_answer(
    request: web.Request, fault: Fault, answer: web.Response, stopping: Callable[[], bool]
) -> web.StreamResponse:
    """What the client gets instead of `answer` (already computed: the call's effects stay)."""
    if fault.mode == "garbage":  # the first half of the real JSON: HTTP 200, never parsable
        body = bytes(answer.body) if isinstance(answer.body, bytes | bytearray) else b"{"
        cut = body[: len(body) // 2]
        return web.Response(status=200, body=cut, content_type="application/json")
    if fault.mode == "timeout_after":
        loop = asyncio.get_running_loop()
        deadline = loop.time() + fault.hold
        # aiohttp tells a handler of a hang-up by no event: look now and then
        while not (_client_gone(request) or stopping()) and loop.time() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(GONE_CHECK)
        return answer  # to nobody, usually: the client gave up waiting
    # "reset_after": hang up without a word
    if request.transport is not None:
        request.transport.close()
    return answer
