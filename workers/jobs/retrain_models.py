"""Retrain the models: `python -m pythia train --all` in a process of its own, awaited, its
progress logged line by line. Training never runs on the workers' event loop (which matches
alerts): the loop only reads the child's output.

Due when the registry is empty (the first start: at once, as soon as every tracked coin's
hourly candles are in — the sandbox's first minutes) or when the newest model is older than a
day. The job checks often and trains rarely; it is a singleton, so two workers never train at
once. After the first models, the predict job runs at once so predictions show without
waiting for its next turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import re
import signal
import sys
import time
from datetime import timedelta
from pathlib import Path

from core.clock import MARKET_NOW, MARKET_SPEED
from core.predict import TIMEFRAME
from services.predictions import SERVING_KEY, TRAINING_KEY, newest_model_at
from services.series import series_of
from workers.jobs import predict
from workers.jobs.base import JobResult, WorkerDeps

log = logging.getLogger(__name__)

RETRAIN_EVERY = timedelta(days=1)
RETRY_AFTER = 15 * 60.0  # seconds before a training is started again after an attempt
ATTEMPTED_KEY = "predict:training_attempted"
FRESH = timedelta(hours=3)  # a coin's newest stored candle this recent: its history is in
# the first training waits for this much of every coin: what training needs (MIN_ROWS labelled hours
# after the features' warm-up, ~52 days), so a new install does not try every RETRY_AFTER meanwhile
MIN_HISTORY = timedelta(days=53)
TIMEOUT = 30 * 60.0  # a training still running after this is stopped
ROOT = Path(__file__).resolve().parents[2]
LINES = re.compile(rb"[\r\n]+")
LOG_EVERY = 2.0  # seconds between progress lines (a progress bar redraws far more often)
PR_SET_PDEATHSIG = 1
POLL = 0.5  # seconds between looks at whether the training process has ended
READ_AFTER = 2.0  # seconds its remaining output is read for once the training has ended


async def _history_in(deps: WorkerDeps) -> bool:
    """Every tracked coin an exchange lists (the others never get candles) has MIN_HISTORY of
    hourly candles up to the last few hours."""
    now = deps.clock.now()
    directory = await deps.current_directory()
    coins = [asset for asset in directory.tracked if asset in directory.listed]
    if not coins:
        return False
    for asset in coins:
        series = await series_of(deps, asset, TIMEFRAME, span=MIN_HISTORY)
        if series is None or not series.candles or series.candles[-1].ts < now - FRESH:
            return False
        if series.candles[0].ts > now - MIN_HISTORY + FRESH:
            return False
    return True


async def due(deps: WorkerDeps) -> str | None:
    """Why a training is due now ("first", "daily"), or None. Not again within RETRY_AFTER of
    the last attempt, whatever came of it (a training that fails, or trains nothing, is not
    started again every few seconds)."""
    if await deps.cache.get(ATTEMPTED_KEY) is not None:
        return None
    newest = await newest_model_at(deps)
    if newest is None:
        return "first" if await _history_in(deps) else None
    return "daily" if deps.clock.now() - newest >= RETRAIN_EVERY else None


def command() -> list[str]:
    return [sys.executable, "-m", "pythia", "train", "--all"]


def environment(deps: WorkerDeps) -> dict[str, str]:
    """The child's settings: this process's environment with the database, cache and coins
    this process uses (which may have been set in code rather than in the environment), and
    the market clock's time and pace (pythia.predict_cli goes on from them)."""
    settings = deps.settings
    env = dict(os.environ)
    env["DATABASE_URL"] = settings.resolved_database_url
    env["REDIS_URL"] = settings.redis_url or ""
    env["SYMBOLS"] = ",".join(settings.symbols)
    env["MARKET_SOURCE"] = settings.market_source
    env["DATA_DIR"] = str(settings.data_dir)
    env[MARKET_NOW] = deps.clock.now().isoformat()  # the sandbox's runs ahead of the wall
    env[MARKET_SPEED] = repr(float(deps.clock.speed))  # and at what pace
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


class _Output:
    """The training's output, logged line by line (a progress bar's redraws at most every
    LOG_EVERY seconds); `last` is its last line."""

    def __init__(self) -> None:
        self.last = ""
        self._logged_at = 0.0

    def said(self, raw: bytes) -> None:
        line = raw.decode(errors="replace").strip()
        if not line:
            return
        self.last = line
        now = time.monotonic()
        if now - self._logged_at >= LOG_EVERY or "%" not in line:
            log.info("training: %s", line)
            self._logged_at = now

    async def follow(self, stream: asyncio.StreamReader) -> None:
        pending = b""
        while chunk := await stream.read(4096):
            *lines, pending = LINES.split(pending + chunk)
            for raw in lines:
                self.said(raw)
        self.said(pending)


async def train(deps: WorkerDeps, argv: list[str] | None = None) -> tuple[int, str]:
    """Run the training process to its end; its exit code and its last line of output. What
    it leaves running (holding its output open or not) is stopped when it ends."""
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        *(argv or command()),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=environment(deps),
        cwd=ROOT,
        start_new_session=True,  # its own process group: what it spawns ends with it (below)
        preexec_fn=_die_with_parent,
    )
    assert process.stdout is not None
    output = _Output()
    reader = asyncio.create_task(output.follow(process.stdout))
    try:
        async with asyncio.timeout(TIMEOUT):
            # not process.wait(): it waits for the output to close too, which whatever the
            # training left running would hold open
            while (returned := process.returncode) is None:  # noqa: ASYNC110 (no event says it)
                await asyncio.sleep(POLL)
        code = returned
        _end_group(process.pid)  # what it left behind ends
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(READ_AFTER):
                await reader  # the rest of what it said
    finally:
        if process.returncode is None:  # cancelled (shutdown) or timed out: stop the child
            process.terminate()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(10):
                    await process.wait()
            if process.returncode is None:
                process.kill()
                await process.wait()
        _end_group(process.pid)
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
    log.info("training ended with code %d in %.0f s", code, time.monotonic() - started)
    return code, output.last


def _die_with_parent() -> None:
    """In the child, before it runs: a SIGTERM when this worker process dies, even killed
    outright (Linux's PR_SET_PDEATHSIG; elsewhere nothing)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _end_group(pgid: int) -> None:
    """Stop whatever the training process left behind in its group (a pool's worker processes
    outliving it were seen: ~250 MB each)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGTERM)


async def run(deps: WorkerDeps) -> JobResult:
    if not deps.settings.train_models:
        return JobResult(summary="training is off (TRAIN_MODELS=false)")
    why = await due(deps)
    if why is None:
        return JobResult(summary="not due")
    log.info("training all models (%s)", why)
    await deps.cache.set(TRAINING_KEY, why, ttl=TIMEOUT)
    await deps.cache.set(ATTEMPTED_KEY, why, ttl=RETRY_AFTER)
    try:
        code, last = await train(deps)
    finally:
        await deps.cache.delete(TRAINING_KEY)
        await deps.cache.delete(SERVING_KEY)  # /predict sees the new models at once
    if code != 0:
        return JobResult(
            ok=False, summary=f"training ({why}) failed with code {code}: {last}"[:500]
        )
    summary = f"trained ({why}): {last}"
    if why == "first":
        summary += f"; {(await predict.run(deps)).summary}"
    return JobResult(summary=summary[:500])
