"""/predict and /accuracy end to end on SQLite and Postgres+Redis: before any model, the sandbox
says the first models are training; with a champion (a real model trained on the sandbox's
bundled BTC candles) the workers' predict job serves its forecast, which /predict says with
its drivers; a rejected model's base rate is "no edge found"; resolved predictions give
/accuracy its scorecard and calibration picture; Spanish; bad input one line, nothing
written."""

from __future__ import annotations

import asyncio
import functools
import re
from datetime import timedelta

import pytest
import pytest_asyncio

from bot.emulator.records import User
from core.predict import Forecast
from core.predict.features import Inputs
from services.model_registry import Training, record_training, serving
from services.predictions import SERVING_KEY, publish_forecasts
from services.series import series_of
from tests.e2e.conftest import Stack
from workers.jobs import predict, resolve_predictions
from workers.predict.train import train
from workers.sources.replay import load_series as load_replay

HOUR = timedelta(hours=1)
MODEL_TABLES = ("predictions", "model_registry")  # the workers' jobs write these on their own

pytestmark = pytest.mark.asyncio(loop_scope="module")


@functools.cache
def trained(horizon: str) -> Training:
    """A real model trained on the bundled BTC candles (a second or two of CPU, once)."""
    found = train(Inputs(load_replay()["BTC"].candles, None, None), "BTC", horizon)
    assert isinstance(found, Training), found
    return found


async def store_model(stack: Stack, coin: str, horizon: str, serve: bool) -> None:
    model = trained(horizon)
    reason = "edge" if serve else "no_edge"
    metrics = {**model.metrics, "decision": {"serve": serve, "reason": reason}}
    await record_training(
        stack.deps, Training(coin, horizon, model.artifact, metrics, model.features,
                             model.trained_from, model.trained_to, None),
    )  # fmt: skip


@pytest_asyncio.fixture(loop_scope="module")
async def with_models(with_candles: Stack) -> Stack:
    if not getattr(with_candles, "_predict_models", False):
        await store_model(with_candles, "BTC", "24h", serve=True)
        await store_model(with_candles, "BTC", "1h", serve=False)
        await with_candles.deps.cache.delete(SERVING_KEY)
        workers = with_candles.workers.deps
        assert workers is not None
        for _ in range(20):  # the hour's candle may still be on its way
            await predict.run(workers)
            published = await with_candles.deps.cache.get("predict:forecast:BTC:1h")
            if published and await with_candles.deps.cache.get("predict:forecast:BTC:24h"):
                break
            await asyncio.sleep(0.5)
        with_candles._predict_models = True  # type: ignore[attr-defined]
    return with_candles


async def counts(stack: Stack) -> dict[str, int]:
    return {k: v for k, v in (await stack.row_counts()).items() if k not in MODEL_TABLES}


async def test_before_any_model_the_sandbox_says_they_are_training(
    stack: Stack, alice: User
) -> None:
    reply = await stack.ask(alice, "/predict BTC")
    assert reply.text is not None
    first, last = reply.text.split("\n")
    assert first.startswith("🔮 The first models are training")
    assert last == "Not financial advice."


async def test_predict_says_the_champions_forecast(with_models: Stack, alice: User) -> None:
    reply = await with_models.ask(alice, "/predict BTC")
    text = reply.text or ""
    lines = text.split("\n")
    assert re.fullmatch(
        r"🔮 BTC in 24h: \d{1,3}% chance of being higher — "
        r"(a coin toss|low confidence|moderate confidence|high confidence)",
        lines[0],
    ), lines[0]
    assert lines[1].startswith("From ") and " at the close " in lines[1]
    assert re.fullmatch(
        r"10–90% range: [−+±][\d.]+% … [−+±][\d.]+% \([\d,.]+ … [\d,.]+\)", lines[2]
    )
    assert lines[3] == "What pushed it most:"
    assert [line[:2] for line in lines[4:7]] == ["• "] * 3
    assert all(re.search(r" — pushed it (up|down)$", line) for line in lines[4:7])
    assert re.fullmatch(r"Model v1, trained .+; walk-forward Brier skill [−+±]0\.\d{3}\.", lines[7])
    assert lines[8].startswith("No call of this model has reached its horizon yet")
    assert lines[-1] == "Not financial advice."


async def test_no_edge_gives_the_base_rate(with_models: Stack, alice: User) -> None:
    reply = await with_models.ask(alice, "/predict btc 1h")
    text = reply.text or ""
    lines = text.split("\n")
    assert lines[0] == "🔮 BTC in 1h: no edge found"
    assert re.fullmatch(
        r"My model did no better than the base rate here, so I say the base rate: "
        r"higher \d{1,3}% of the time\.",
        lines[1],
    )
    assert "What pushed it most:" not in text
    assert lines[-1] == "Not financial advice."


async def test_a_coin_without_a_model(with_models: Stack, alice: User) -> None:
    reply = await with_models.ask(alice, "/predict ETH 4h")
    assert reply.text == "🔮 I have no model for ETH 4h. I predict BTC.\nNot financial advice."


async def test_accuracy_with_resolved_calls_sends_the_calibration_picture(
    with_models: Stack, alice: User
) -> None:
    deps = with_models.deps
    series = await series_of(deps, "BTC", "1h", span=timedelta(days=3))
    assert series is not None
    closed = [c for c in series.candles if c.ts + 2 * HOUR <= deps.clock.now()][-30:-2]
    (model,) = [m for m in await serving(deps) if m.horizon == "1h"]
    past = [
        Forecast("BTC", "1h", c.ts + HOUR, float(c.close), 0.3 + 0.4 * (i % 2), None, None,
                 "model", model.version, model.created_at)
        for i, c in enumerate(closed)
    ]  # fmt: skip
    assert await publish_forecasts(deps, past) == len(past)
    workers = with_models.workers.deps
    assert workers is not None
    assert (await resolve_predictions.run(workers)).summary != "0 predictions resolved"
    for key in ("predict:scorecard:*", "predict:scorecard:BTC"):
        await deps.cache.delete(key)

    sent = await with_models.emu.send_message(alice, "/accuracy")
    text, picture = await with_models.emu.wait_for_bot_messages(
        alice, after=sent, count=2, timeout=20
    )
    lines = (text.text or "").split("\n")
    assert lines[0] == "🎯 My predictions' live record"
    assert lines[1].startswith("Calls made since ")
    one = next(line for line in lines if line.startswith("BTC 1h: "))
    assert re.match(r"BTC 1h: right \d+% of \d+ · skill [−+±][\d.]+ · ECE [\d.]+", one), one
    assert lines[-1] == "Not financial advice."
    assert picture.photo is not None and picture.photo.content.startswith(b"\x89PNG")
    assert (picture.caption or "").startswith("On the diagonal, a chance of 60% went up")

    again = await with_models.emu.send_message(alice, "/accuracy BTC")
    _, second = await with_models.emu.wait_for_bot_messages(alice, after=again, count=2, timeout=20)
    assert second.photo is not None


async def test_predict_in_spanish(with_models: Stack, alice: User) -> None:
    await with_models.ask(alice, "/language es")
    reply = await with_models.ask(alice, "/predict BTC")
    text = reply.text or ""
    assert re.match(r"🔮 BTC en 24h: \d{1,3}\s% de probabilidad de estar más alta — ", text)
    assert "Lo que más lo empujó:" in text
    assert text.endswith("No es asesoramiento financiero.")
    no_edge = await with_models.ask(alice, "/predict BTC 1h")
    assert (no_edge.text or "").startswith("🔮 BTC en 1h: sin ventaja")
    card = await with_models.ask(alice, "/accuracy ETH")
    assert (card.text or "").startswith("🎯 Aún no hay predicciones de ETH")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("/predict", "Which coin? For example /predict BTC or /predict ETH 4h"),
        ("/predict BTC 2h", "“2h” is not a horizon I predict — use 1h · 4h · 24h"),
        ("/predict BTC 4h now", "Too many words: a coin and a horizon at most"),
        ("/predict BTC ETH", "One coin at a time, please: /predict BTC"),
        ("/predict NOPECOIN", "Unknown symbol: NOPECOIN"),
        ("/predict <b>x</b>", "Not a coin I know: <b>x</b>."),
        ("/predict " + "X" * 5000, "Not a coin I know: XXXXXXXX"),
        ("/accuracy BTC ETH", "One coin at a time, please"),
        ("/accuracy NOPECOIN", "Unknown symbol: NOPECOIN"),
    ],
)
async def test_a_bad_argument_is_one_line_and_writes_nothing(
    stack: Stack, alice: User, text: str, said: str
) -> None:
    before = await counts(stack)
    reply = await stack.ask(alice, text)
    assert reply.photo is None and reply.text is not None
    assert reply.text.startswith(said) and "\n" not in reply.text, reply.text
    assert len(reply.text) < 300
    assert await counts(stack) == before
