"""The sandbox's first start: with an empty registry the workers train every coin's models in a
process of their own as soon as the replay's history is in, then publish, and /predict turns
from "the first models are training" to a forecast — while the bot keeps answering."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from services.model_registry import registry
from tests.e2e.conftest import Stack, running_stack

pytestmark = pytest.mark.asyncio(loop_scope="module")
TIMEOUT = 180.0  # training 4 coins x 3 horizons on 2 busy cores, and the first publication


@pytest_asyncio.fixture(loop_scope="module", params=["sqlite+memory"])
async def training_stack(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(request, tmp_path, train_models=True) as own:
        yield own


async def test_the_first_models_train_at_start_and_predict_answers(training_stack: Stack) -> None:
    alice = training_stack.emu.add_user("Alice", "alice")
    first = await training_stack.ask(alice, "/predict BTC 4h")
    assert (first.text or "").startswith("🔮 The first models are training")
    started, said = time.monotonic(), ""
    while time.monotonic() - started < TIMEOUT:
        reply = await training_stack.ask(alice, "/predict BTC 4h", timeout=10)
        said = reply.text or ""
        if said.startswith("🔮 BTC in 4h: "):
            break
        assert said.startswith(  # training, or trained and its first forecast not out yet
            ("🔮 The first models are training", "🔮 The BTC 4h model is trained; its first")
        ), said
        await asyncio.sleep(2)
    assert said.startswith("🔮 BTC in 4h: "), said
    assert said.endswith("Not financial advice.")
    while time.monotonic() - started < TIMEOUT:  # the other coins may still be training
        models = await registry(training_stack.deps)
        if len(models) == 12:
            break
        await asyncio.sleep(1)
    # every coin the replay lists (LTC is configured but not listed), 3 horizons each
    assert sorted({m.asset for m in models}) == ["BTC", "DOGE", "ETH", "SOL"]
    assert len(models) == 12
