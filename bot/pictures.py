"""Sending a picture once: Telegram keeps every photo it received, and its `file_id` sends the
same picture again without drawing or uploading it. The cache remembers the file_id of each
picture by a key of what it shows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InputFile, Message
from telegram.error import BadRequest

from db.cache import Cache

PICTURE_TTL = 24 * 3600.0  # how long a sent picture's file_id is reused

SendPhoto = Callable[[bytes | str | InputFile], Awaitable[Message]]


async def send_picture(
    cache: Cache,
    key: str,
    draw: Callable[[], Awaitable[bytes]],
    send_photo: SendPhoto,
    uploading: Callable[[], Awaitable[object]],
) -> None:
    """Send Telegram's copy of the picture sent under `key`, or draw it, say so while it is
    drawn (`uploading`), send it and remember its file_id. `send_photo` sends a photo (bytes or
    a file_id) with its caption, to wherever it belongs."""
    file_id = await cache.get(key)
    if file_id is not None:
        try:
            await send_photo(file_id)
            return
        except BadRequest:  # Telegram forgot the file: draw it again
            await cache.delete(key)
    await uploading()
    sent = await send_photo(await draw())
    await cache.set(key, sent.photo[-1].file_id, ttl=PICTURE_TTL)
