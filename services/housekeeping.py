"""Keeping the database small: what is past its use is deleted, hourly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from db import outbox
from db.candles import delete_candles_before
from db.repos import job_runs, model_registry, news_follows, pending
from db.repos import trades as trade_rows
from services.deps import Deps

KEEP_RUNS = timedelta(days=3)  # the job log, for looking into what the workers did lately
KEEP_EXPIRED = timedelta(days=1)  # pending actions past their expiry, to look into what was asked
KEEP_STAGED = timedelta(hours=1)  # an import's staged trades: its Confirm expires long before
# Outbox rows once sent or failed: long past any retry, and past any trigger that could make the
# same dedupe key again (an alert's trigger, a digest's slot, a story); /status reads the last day.
KEEP_SENT = timedelta(days=7)
# A story pushed to a person: the per-day cap counts the last 24 h and a story is pushed only
# while fresh (hours), so a week-old row guards nothing; it grows with people × stories.
KEEP_PUSHES = timedelta(days=7)
# A trained model's file (~70–140 kB, 21 a day) once it neither serves nor is the newest of its
# coin and horizon: nothing reads it again (a forecast, a backtest and the incumbent's
# comparison read what serves); its row, metrics and predictions stay. A month, to look into.
KEEP_MODEL_FILES = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Pruned:
    job_runs: int
    minute_candles: int
    pending_actions: int
    staged_trades: int
    outbox_rows: int = 0
    news_pushes: int = 0
    model_files: int = 0


async def prune(deps: Deps) -> Pruned:
    """Delete job runs older than KEEP_RUNS, 1m candles older than `keep_1m_days`, pending
    actions expired more than KEEP_EXPIRED ago, and trades staged for an import that was
    cancelled, never confirmed or cut short (staged more than KEEP_STAGED ago), outbox rows
    settled (sent or failed) more than KEEP_SENT ago, news pushes made more than KEEP_PUSHES
    ago, and the files of models trained more than KEEP_MODEL_FILES ago that no longer serve."""
    now = deps.clock.now()
    async with deps.write() as session:
        return Pruned(
            job_runs=await job_runs.prune(session, now - KEEP_RUNS),
            minute_candles=await delete_candles_before(
                session, "1m", now - timedelta(days=deps.settings.keep_1m_days)
            ),
            pending_actions=await pending.prune(session, now - KEEP_EXPIRED),
            staged_trades=await trade_rows.prune_staged(session, now - KEEP_STAGED),
            outbox_rows=await outbox.prune(session, now - KEEP_SENT),
            news_pushes=await news_follows.prune_pushes(session, now - KEEP_PUSHES),
            model_files=await model_registry.forget_files(session, now - KEEP_MODEL_FILES),
        )
