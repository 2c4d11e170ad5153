"""/predict COIN [1h|4h|24h] and /accuracy [COIN]: a coin's forecast from the cache, and the
live record with its calibration picture."""

from __future__ import annotations

from collections.abc import Awaitable

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import CustomContext
from bot.pictures import reply_picture
from bot.views.predictions import (
    accuracy_text,
    axis_labels,
    calibration_caption,
    calibration_series,
    calibration_title,
    predict_text,
)
from bot.views.refusals import refusal_text
from core.refusal import Refusal
from services.prediction_answers import accuracy_scorecard, predict_answer


async def predict_command(update: Update, context: CustomContext) -> None:
    """P(up), the 10-90% range, confidence, drivers, model age and record: /predict BTC 4h."""
    message = update.effective_message
    if message is None:
        return
    t = await context.texts(update)
    try:
        answer = await predict_answer(context.deps, context.args or [])
    except Refusal as refusal:
        await message.reply_html(refusal_text(t, refusal))
        return
    await message.reply_html(predict_text(t, answer))


async def accuracy_command(update: Update, context: CustomContext) -> None:
    """The live record per coin x horizon, and the calibration picture once calls resolved."""
    message = update.effective_message
    if message is None:
        return
    t = await context.texts(update)
    try:
        card = await accuracy_scorecard(context.deps, context.args or [])
    except Refusal as refusal:
        await message.reply_html(refusal_text(t, refusal))
        return
    await message.reply_html(accuracy_text(t, card))
    if not card.calibration:
        return  # nothing resolved yet: nothing to draw

    def draw() -> Awaitable[bytes]:
        title, (x_label, y_label) = calibration_title(t, card), axis_labels(t)
        series = calibration_series(card)
        return context.charts.calibration(
            series, t=t, title=title, x_label=x_label, y_label=y_label
        )

    key = f"{card.key}:{t.language}"
    await reply_picture(context.deps.cache, message, key, draw, calibration_caption(t, card))


HANDLERS = [
    CommandHandler("predict", predict_command),
    CommandHandler("accuracy", accuracy_command),
]
