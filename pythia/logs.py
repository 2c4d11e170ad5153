"""Pythia's log lines: text (the default), or with LOG_FORMAT=json one JSON object a line, for a
log collector: time (UTC, ISO 8601), level, logger, message, exception, and the update or job
run the line is about (services.log_context)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

from core.settings import Settings
from services import log_context

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
NOISY = ("httpx", "apscheduler.executors.default", "aiohttp.access", "alembic")


class JsonLines(logging.Formatter):
    """One JSON object a line, with the update or job run it is about."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        entry.update(log_context.current())
        return json.dumps(entry, ensure_ascii=False, default=str)


def setup_logging(settings: Settings, to_file: Path | None = None) -> None:
    """Log to stderr, or to `to_file` (the sandbox's terminal belongs to the chat)."""
    handler: logging.Handler
    if to_file is not None:
        to_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(to_file, encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonLines() if settings.log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)
