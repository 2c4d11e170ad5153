"""Training many coins × horizons in a process pool (spawned processes, never the event loop's
thread): the inputs and the incumbents are read here, each training runs in a worker process,
each result is recorded (services.model_registry.record_training) as it comes back.

A POOLED horizon's classifier is fitted once on every tracked coin's rows (workers.predict.train
.pool_fit, in a worker process too); that horizon's trainings start when it is done and each
finishes its coin's model around it. Should the pooled fit fail, each coin trains alone."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from core.predict import HORIZONS
from core.predict.features import Packed, pack
from services.deps import Deps
from services.model_registry import (
    RegisteredModel,
    Training,
    champion,
    pool_inputs,
    record_training,
)
from workers.predict.train import POOLED, Champion, Pooled, Refused, pool_fit, train

PROCESSES = 2
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Trained:
    """A training recorded in the registry."""

    model: RegisteredModel
    seconds: float


Outcome = Trained | Refused


NICE = 19  # training yields the CPU to whatever serves people (alert matching, replies)


def _background() -> None:
    """A training process runs at the lowest CPU priority, on one thread (BLAS and OpenMP too):
    on a shared host the alert matcher and the bot take the cores first when they need them."""
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    with contextlib.suppress(OSError):
        os.nice(NICE)
    threadpool_limits(1)


async def _guarded(
    job: Awaitable[Training | Refused], asset: str, horizon: str
) -> Training | Refused:
    """The job's result; a job that raised is Refused('failed') and logged, the others go on."""
    try:
        return await job
    except Exception:
        log.exception("training %s %s failed", asset, horizon)
        return Refused(asset, horizon, "failed", 0)


async def _incumbent(deps: Deps, asset: str, horizon: str) -> Champion | None:
    held = await champion(deps, asset, horizon)
    if held is None:
        return None
    model, artifact = held
    skill = (model.metrics.get("walk_forward") or {}).get("model", {}).get("skill")
    return Champion(
        model.id, float(skill if skill is not None else 0.0), artifact, model.trained_to
    )


async def train_many(
    deps: Deps,
    assets: Sequence[str],
    horizons: Sequence[str] = tuple(HORIZONS),
    *,
    processes: int = PROCESSES,
    done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Train every asset × horizon (`processes` at a time), record each, in the order they end.
    A coin without candles is Refused('no_candles'), one with too few 'too_little_data'."""
    loop = asyncio.get_running_loop()
    outcomes: list[Outcome] = []

    def finish(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if done is not None:
            done(outcome)

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=processes, mp_context=context, initializer=_background
    ) as pool:
        # arrays: pickled to the processes in milliseconds
        packed = {asset: pack(found) for asset, found in (await pool_inputs(deps, assets)).items()}
        pooled = {
            horizon: asyncio.ensure_future(_pooled(loop, pool, packed, horizon))
            for horizon in horizons
            if horizon in POOLED
        }
        running: list[Awaitable[Training | Refused]] = []
        for asset in assets:
            if asset not in packed:
                for horizon in horizons:
                    finish(Refused(asset, horizon, "no_candles", 0))
                continue
            for horizon in horizons:
                incumbent = await _incumbent(deps, asset, horizon)
                job = _training(loop, pool, packed[asset], asset, horizon, incumbent, pooled)
                running.append(_guarded(job, asset, horizon))
        for next_done in asyncio.as_completed(running):
            result = await next_done
            if isinstance(result, Refused):
                finish(result)
                continue
            if isinstance(result, Training):
                model = await record_training(deps, result)
                finish(Trained(model, float(result.metrics.get("seconds", 0.0))))
        await asyncio.gather(*pooled.values())  # one no training waited for ends here too
    return outcomes


async def _pooled(
    loop: asyncio.AbstractEventLoop,
    pool: ProcessPoolExecutor,
    packed: dict[str, Packed],
    horizon: str,
) -> Pooled | None:
    """The pooled classifier of `horizon` (None: too few coins, or it failed, logged)."""
    try:
        return await loop.run_in_executor(pool, pool_fit, packed, horizon)
    except Exception:
        log.exception("the pooled %s classifier failed: each coin trains alone", horizon)
        return None


async def _training(
    loop: asyncio.AbstractEventLoop,
    pool: ProcessPoolExecutor,
    inputs: Packed,
    asset: str,
    horizon: str,
    incumbent: Champion | None,
    pooled: Mapping[str, Awaitable[Pooled | None]],
) -> Training | Refused:
    """One training, after its horizon's pooled classifier when there is one."""
    shared = await pooled[horizon] if horizon in pooled else None
    return await loop.run_in_executor(pool, train, inputs, asset, horizon, incumbent, shared)
