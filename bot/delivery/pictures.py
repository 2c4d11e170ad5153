"""Posting a message on the wire (`post`: text, or a digest with its chart) and a digest's
chart, drawn and uploaded once per coin, window and slot (and language: its axis
words are the chat's), then sent to every other chat of the batch by Telegram's `file_id`,
kept in the cache for a day. Drawn by the renderer /chart uses, on its thread, from the
candles services.charts reads (so the picture is the one /chart BTC 1h 7d would show)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from telegram import Bot, InputFile, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.charts import ChartRenderer
from bot.delivery.summary import Outgoing
from bot.i18n import Texts, texts_for
from bot.pictures import PICTURE_TTL
from bot.views.chart import chart_title
from bot.views.digest_notice import fits_caption
from core.digest.sections.chart import ChartFacts
from core.refusal import Refusal
from services import charts
from services.deps import Deps

log = logging.getLogger(__name__)

SendPhoto = Callable[[bytes | str | InputFile], Awaitable[Message]]
TOPIC_GONE = "message thread not found"  # Telegram's words for a deleted topic
LOCKS_KEPT = 1000  # keys whose lock is forgotten once this many are held and free


def picture_key(chart: ChartFacts, slot: datetime | None, language: str) -> str:
    at = "-" if slot is None else f"{slot:%Y%m%d%H%M}"
    return f"digest:chart:{chart.coin}:{chart.timeframe}:{chart.window}:{at}:{language}"


@dataclass
class DigestPictures:
    deps: Deps
    charts: ChartRenderer | None
    drawn: int = 0  # pictures drawn and uploaded (the rest went by file_id)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict, init=False)

    async def send(
        self, chart: ChartFacts, slot: datetime | None, t: Texts, send_photo: SendPhoto
    ) -> Message | None:
        """Send the chart through `send_photo`: Telegram's copy when one was uploaded for the
        same picture, else drawn now (one chat at a time per picture, so a batch draws it
        once). None when it cannot be drawn (no renderer, no candles of the coin)."""
        key = picture_key(chart, slot, t.language)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            file_id = await self.deps.cache.get(key)
            if file_id is not None:
                try:
                    return await send_photo(file_id)
                except BadRequest as exc:  # Telegram forgot the file: draw it again
                    if TOPIC_GONE in str(exc).lower():
                        raise
                    await self.deps.cache.delete(key)
            picture = await self._draw(chart, t)
            if picture is None:
                return None
            sent = await send_photo(picture)
            self.drawn += 1
            if sent.photo:
                await self.deps.cache.set(key, sent.photo[-1].file_id, ttl=PICTURE_TTL)
        self._forget_free_locks()
        return sent

    async def _draw(self, chart: ChartFacts, t: Texts) -> bytes | None:
        if self.charts is None:
            return None
        try:
            data = await charts.chart_data(self.deps, [chart.coin, chart.timeframe, chart.window])
        except Refusal as refusal:
            log.info("outbox: no digest chart of %s: %s", chart.coin, refusal.code)
            return None
        title = chart_title(data)
        return await self.charts.candles(data.candles, t=t, title=title, bands=data.bands())

    def _forget_free_locks(self) -> None:
        if len(self._locks) > LOCKS_KEPT:
            self._locks = {k: lock for k, lock in self._locks.items() if lock.locked()}


async def post(
    bot: Bot,
    pictures: DigestPictures,
    chat_id: int,
    outgoing: Outgoing,
    take: Callable[[int], None],
) -> Message:
    """Send `outgoing` to `chat_id` (into its topic): a digest with a chart as a photo with
    its text as the caption when it fits, else the text then the picture (`take` counts the
    picture in the chat's pace). The message returned settles the row: a picture that fails
    after its text went is logged, never a reason to send the text again. A topic that was
    deleted (Telegram refused it, so nothing was sent) gets the chat's general thread."""
    try:
        return await _post(bot, pictures, chat_id, outgoing, take)
    except BadRequest as exc:
        if outgoing.thread_id is None or TOPIC_GONE not in str(exc).lower():
            raise
        log.warning("outbox: topic %s of chat %s is gone; posting in the chat",
                    outgoing.thread_id, chat_id)  # fmt: skip
        return await _post(bot, pictures, chat_id, replace(outgoing, thread_id=None), take)


async def _post(
    bot: Bot,
    pictures: DigestPictures,
    chat_id: int,
    outgoing: Outgoing,
    take: Callable[[int], None],
) -> Message:
    chart = outgoing.chart
    caption = chart is not None and fits_caption(outgoing.text)
    if chart is not None and caption:
        photo = await _picture(bot, pictures, chat_id, outgoing, chart, outgoing.text)
        if photo is not None:
            return photo
    sent = await bot.send_message(
        chat_id,
        outgoing.text,
        parse_mode=ParseMode.HTML,
        reply_markup=outgoing.keyboard,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
        message_thread_id=outgoing.thread_id,
    )
    if chart is not None and not caption:
        take(chat_id)  # the picture is a message of its own in the chat's budget
        try:
            await _picture(bot, pictures, chat_id, outgoing, chart, None)
        except Exception:
            log.warning("outbox: the chart after message %s failed", sent.message_id,
                        exc_info=True)  # fmt: skip
    return sent


async def _picture(
    bot: Bot,
    pictures: DigestPictures,
    chat_id: int,
    outgoing: Outgoing,
    chart: ChartFacts,
    caption: str | None,
) -> Message | None:
    async def send_photo(photo: bytes | str | InputFile) -> Message:
        return await bot.send_photo(
            chat_id,
            photo,
            caption=caption,
            parse_mode=ParseMode.HTML if caption else None,
            message_thread_id=outgoing.thread_id,
        )

    return await pictures.send(chart, outgoing.slot, texts_for(outgoing.language), send_photo)
