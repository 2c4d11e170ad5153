"""Sending a picture once: Telegram keeps every photo it received, and its `file_id` sends the
same picture again without drawing or uploading it. The cache remembers the file_id of each
picture by a key of what it shows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Bot, InputFile, Message
from telegram.constants import ChatAction
from telegram.error import BadRequest

from bot.side_calls import chat_action
from db.cache import Cache

PICTURE_TTL = 24 * 3600.0  # how long a sent picture's file_id is reused

SendPhoto = Callable[[bytes | str | InputFile], Awaitable[Message]]


async def send_picture(
    cache: Cache,
    key: str,
    draw: Callable[[], Awaitable[bytes]],
    send_photo: SendPhoto,
    *,
    bot: Bot,
    chat_id: int,
) -> None:
    """Send Telegram's copy of the picture sent under `key`, or draw it, say so in `chat_id`
    while it is drawn (best effort: the picture matters, not the notice), send it and remember
    its file_id. `send_photo` sends a photo (bytes or a file_id) with its caption, to
    `chat_id`."""
    file_id = await cache.get(key)
    if file_id is not None:
        try:
            await send_photo(file_id)
            return
        except BadRequest:  # Telegram forgot the file: draw it again
            await cache.delete(key)
    await chat_action(bot, chat_id, ChatAction.UPLOAD_PHOTO)
    sent = await send_photo(await draw())
    await cache.set(key, sent.photo[-1].file_id, ttl=PICTURE_TTL)


async def reply_picture(
    cache: Cache,
    message: Message,
    key: str,
    draw: Callable[[], Awaitable[bytes]],
    caption: str,
) -> None:
    """Reply to `message` with the picture under `key` (drawn by `draw` if it was never sent)
    and its HTML caption, saying "sending a photo" while it is drawn."""

    async def reply(photo: bytes | str | InputFile) -> Message:
        return await message.reply_photo(photo, caption=caption, parse_mode="HTML")

    await send_picture(cache, key, draw, reply, bot=message.get_bot(), chat_id=message.chat_id)
