"""/backtest end to end: the replay's candles ingested, a model stored in the registry with
out-of-fold probabilities over them, the equity picture drawn and sent through the emulator
with its figures in the caption; bad input one line, nothing written; Spanish."""

from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta

import pytest
import pytest_asyncio

from bot.emulator.records import MessageRecord, User
from core.predict.bundle import Bundle, decode, encode
from core.predict.features import Inputs
from services.model_registry import Training, record_training
from services.series import series_of
from tests.e2e.conftest import Stack
from workers.predict.train import train
from workers.sources.replay import load_series as load_replay

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
# written by the workers' prediction jobs on their own schedule once a model exists
MODEL_TABLES = ("predictions", "model_registry")

pytestmark = pytest.mark.asyncio(loop_scope="module")


@functools.cache
def trained(horizon: str) -> Bundle:
    """A real model (LightGBM texts, calibration) trained on the sandbox's bundled BTC candles,
    so the workers' predict job can load what is stored (a second of CPU, once)."""
    found = train(Inputs(load_replay()["BTC"].candles, None, None), "BTC", horizon)
    assert isinstance(found, Training), found
    return decode(found.artifact)


async def store_model(
    stack: Stack, coin: str, horizon: str, serve: bool
) -> tuple[datetime, datetime]:
    """A model of `coin` whose out-of-fold probabilities cover its stored hourly closes from
    40 days back to 3 days back: confident in the mornings (UTC), doubtful otherwise. (The
    replay's candles are shifted to today, so a model trained on the bundled files has
    probabilities at other times: the trees are kept, the out-of-fold rows made here.)"""
    series = await series_of(stack.deps, coin, "1h")
    assert series is not None and len(series.candles) > 45 * 24
    closes = [c.ts + HOUR for c in series.candles]
    last = closes[-1]
    oof = [(t, 0.7 if 6 <= t.hour < 12 else 0.4) for t in closes if last - 40 * DAY <= t]
    oof = [(t, p) for t, p in oof if t <= last - 3 * DAY]
    model = trained(horizon)
    bundle = Bundle(
        model.features, model.classifier, model.quantiles, model.calibration, 0.5, oof,
        model.params,
    )  # fmt: skip
    reason = "edge" if serve else "no_edge"
    await record_training(
        stack.deps,
        Training(
            asset=coin,
            horizon=horizon,
            artifact=encode(bundle),
            metrics={"decision": {"serve": serve, "reason": reason}, "base_rate": 0.5},
            features=list(model.features),
            trained_from=closes[0] - HOUR,
            trained_to=last - HOUR,
            incumbent_id=None,
        ),
    )
    return oof[0][0], oof[-1][0]


@pytest_asyncio.fixture(loop_scope="module")
async def with_models(with_candles: Stack) -> Stack:
    if not getattr(with_candles, "_backtest_models", False):
        await store_model(with_candles, "BTC", "24h", serve=True)
        await store_model(with_candles, "BTC", "1h", serve=False)
        await store_model(with_candles, "ETH", "4h", serve=True)
        with_candles._backtest_models = True  # type: ignore[attr-defined]
    return with_candles


async def photo_reply(stack: Stack, user: User, text: str) -> MessageRecord:
    sent = await stack.emu.send_message(user, text)
    (reply,) = await stack.emu.wait_for_bot_messages(user, after=sent, timeout=20)
    return reply


async def counts(stack: Stack) -> dict[str, int]:
    return {k: v for k, v in (await stack.row_counts()).items() if k not in MODEL_TABLES}


async def test_backtest_sends_the_equity_picture_with_its_figures(
    with_models: Stack, alice: User
) -> None:
    reply = await photo_reply(with_models, alice, "/backtest BTC")
    assert reply.photo is not None and reply.photo.content.startswith(b"\x89PNG"), reply.text
    caption = reply.caption or ""
    lines = caption.split("\n")
    assert lines[0] == "BTC backtest · 24h · long when P(up) > 55%, else flat"
    assert re.fullmatch(
        r"Strategy: [+−±][\d.,]+% · max drawdown −?[\d.,]+% · (\d+ trades?, \d+ won|no trades)"
        r" · in the market \d+%",
        lines[1],
    ), lines[1]
    assert re.fullmatch(r"Buy and hold: [+−±][\d.,]+% · max drawdown −?[\d.,]+%", lines[2])
    assert "the model's whole out-of-sample window" in lines[3]
    assert lines[4].startswith("Model v1, trained ") and lines[4].endswith("it serves /predict.")
    assert "fees 0.1% per side" in lines[5]
    assert lines[-1] == "Past results are no promise. Not financial advice."
    assert "upload_photo" in [a.action for a in with_models.emu.chat_actions]


async def test_the_same_backtest_again_reuses_telegrams_file(
    with_models: Stack, alice: User
) -> None:
    first = await photo_reply(with_models, alice, "/backtest ETH 4h 0.6")
    again = await photo_reply(with_models, alice, "/backtest eth 0.6 4h")
    assert first.photo is not None and again.photo is not None
    assert again.photo.file_id == first.photo.file_id
    assert again.caption == first.caption


async def test_a_model_that_does_not_serve_is_backtested_and_says_so(
    with_models: Stack, alice: User
) -> None:
    reply = await photo_reply(with_models, alice, "/backtest BTC 1h 0.65")
    assert reply.photo is not None, reply.text
    assert "long when P(up) > 65%" in (reply.caption or "")
    assert "it does not serve /predict: no edge found." in (reply.caption or "")


async def test_a_period_beyond_the_probabilities_says_what_was_used(
    with_models: Stack, alice: User
) -> None:
    reply = await photo_reply(with_models, alice, "/backtest BTC 24h 1y")
    assert reply.photo is not None, reply.text
    assert "you asked for 1y, but the model's out-of-sample window covers " in (reply.caption or "")


async def test_backtest_in_spanish(with_models: Stack, alice: User) -> None:
    await with_models.ask(alice, "/language es")
    reply = await photo_reply(with_models, alice, "/backtest BTC 24h 60%")
    caption = reply.caption or ""
    assert caption.startswith("Backtest de BTC · 24h · comprado si P(sube) > 60\xa0%, si no, fuera")
    assert "Comprar y mantener: " in caption
    assert caption.endswith("No es asesoramiento financiero.")
    refused = await with_models.ask(alice, "/backtest BTC 2h")
    assert refused.text is not None
    assert refused.text.startswith("No funcionó: el horizonte es uno de 1h, 4h, 24h.")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/backtest", "One coin per backtest. Send /backtest BTC, or /backtest BTC 24h 3m 0.6"),
        ("/backtest BTC ETH", "One coin per backtest."),
        ("/backtest BTC 2h", "That didn't work: the horizon is one of 1h, 4h, 24h."),
        ("/backtest BTC 1h 4h", "That didn't work: give one horizon."),
        ("/backtest BTC 0.99", "That didn't work: “0.99” is not a threshold — give a probability"),
        ("/backtest BTC 40%", "That didn't work: “40%” is not a threshold"),
        ("/backtest BTC 0.6 0.7", "That didn't work: give one threshold."),
        ("/backtest BTC 3x", "That didn't work: period looks like 24h, 7d, 2w, 3m or 1y."),
        ("/backtest BTC 20y", "That didn't work: the longest period is 10y."),
        ("/backtest NOPE", "Unknown symbol: NOPE"),
        ("/backtest SOL", "No 24h model of SOL is trained yet"),
        ("/backtest BTC 4h", "No 4h model of BTC is trained yet"),
        ("/backtest BTC 1h 2d", "The 1h model of BTC has out-of-sample predictions for "),
        ("/backtest <b>x</b>", "Not a coin I know: <b>x</b>."),
    ],
)
async def test_bad_backtest_input_gets_one_line_and_writes_nothing(
    with_models: Stack, alice: User, typed: str, expected: str
) -> None:
    await with_models.ask(alice, "/start")
    before = await counts(with_models)
    reply = await with_models.ask(alice, typed)
    assert reply.text is not None and reply.text.startswith(expected), reply.text
    assert "\n" not in reply.text
    assert await counts(with_models) == before
