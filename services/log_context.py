"""What a log line is about, carried by context variables: the update being handled (set where
the bot processes updates, bot/updates.py) or the job run (set where workers run jobs,
workers/scheduler.py). The JSON log format (pythia/observe.py) adds them to every line; tasks
started inside inherit them."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

UPDATE_ID: ContextVar[int | None] = ContextVar("update_id", default=None)
JOB: ContextVar[tuple[str, str] | None] = ContextVar("job", default=None)  # (name, run id)

_runs = itertools.count(1)
_PROCESS = f"{os.getpid():x}"


@contextmanager
def handling_update(update_id: int | None) -> Iterator[None]:
    token = UPDATE_ID.set(update_id)
    try:
        yield
    finally:
        UPDATE_ID.reset(token)


@contextmanager
def running_job(name: str) -> Iterator[str]:
    """Within: log lines name the job and this run (an id unique within the process's life)."""
    run_id = f"{_PROCESS}-{next(_runs)}"
    token = JOB.set((name, run_id))
    try:
        yield run_id
    finally:
        JOB.reset(token)


def current() -> dict[str, object]:
    """The context of a line logged now: update_id, or job and run_id, or nothing."""
    found: dict[str, object] = {}
    update_id = UPDATE_ID.get()
    if update_id is not None:
        found["update_id"] = update_id
    job = JOB.get()
    if job is not None:
        found["job"], found["run_id"] = job
    return found
