"""LOG_FORMAT=json: one JSON object a line, with the update or job run a line is about."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime
from pathlib import Path

import pytest

from core.settings import Settings
from pythia.logs import setup_logging
from services.log_context import handling_update, running_job


def _log_to(path: Path, fmt: str) -> logging.Logger:
    setup_logging(Settings(log_format=fmt), to_file=path)
    return logging.getLogger("pythia.test")


@pytest.fixture(autouse=True)
def restore_logging():
    yield
    logging.basicConfig(handlers=[logging.NullHandler()], force=True)


def test_a_json_line_has_time_level_logger_message(tmp_path: Path) -> None:
    log = _log_to(tmp_path / "log", "json")
    log.warning("price %s for %s", "63,000", 'BTC "quoted"\nnext')
    (line,) = (tmp_path / "log").read_text().splitlines()  # a newline in a message stays inside
    entry = json.loads(line)
    assert entry["level"] == "WARNING" and entry["logger"] == "pythia.test"
    assert entry["message"] == 'price 63,000 for BTC "quoted"\nnext'
    when = datetime.fromisoformat(entry["time"])
    offset = when.utcoffset()
    assert offset is not None and offset.total_seconds() == 0
    assert "update_id" not in entry and "job" not in entry and "exception" not in entry


def test_an_exception_is_one_field_of_the_same_line(tmp_path: Path) -> None:
    log = _log_to(tmp_path / "log", "json")
    try:
        raise ValueError("no such coin")
    except ValueError:
        log.exception("handler failed")
    (line,) = (tmp_path / "log").read_text().splitlines()
    entry = json.loads(line)
    assert entry["message"] == "handler failed" and entry["level"] == "ERROR"
    assert (
        entry["exception"].startswith("Traceback")
        and "ValueError: no such coin" in entry["exception"]
    )


def test_lines_name_the_update_or_the_job_run_they_are_about(tmp_path: Path) -> None:
    log = _log_to(tmp_path / "log", "json")
    with handling_update(4242):
        log.info("handling")
    with running_job("ingest_prices") as first:
        log.info("running")
    with running_job("ingest_prices") as second:
        log.info("again")
    log.info("outside")
    entries = [json.loads(line) for line in (tmp_path / "log").read_text().splitlines()]
    assert entries[0]["update_id"] == 4242 and "job" not in entries[0]
    assert entries[1]["job"] == "ingest_prices" and entries[1]["run_id"] == first
    assert entries[2]["run_id"] == second != first
    assert "update_id" not in entries[3] and "job" not in entries[3]


def test_tasks_started_while_handling_an_update_keep_its_id(tmp_path: Path) -> None:
    log = _log_to(tmp_path / "log", "json")

    async def handler(update_id: int) -> None:
        with handling_update(update_id):
            await asyncio.sleep(0)
            await asyncio.create_task(asyncio.to_thread(log.info, "from a thread"))
            log.info("in the handler")

    async def both() -> None:
        await asyncio.gather(handler(1), handler(2))

    asyncio.run(both())
    entries = [json.loads(line) for line in (tmp_path / "log").read_text().splitlines()]
    assert sorted(e["update_id"] for e in entries) == [1, 1, 2, 2]


def test_text_stays_the_default(tmp_path: Path) -> None:
    assert Settings().log_format == "text"
    log = _log_to(tmp_path / "log", "text")
    with handling_update(7):
        log.warning("plain")
    (line,) = (tmp_path / "log").read_text().splitlines()
    assert line.endswith("WARNING pythia.test: plain")
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


def test_a_wrong_format_is_refused() -> None:
    from core.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="LOG_FORMAT"):
        load_settings(log_format="xml")
