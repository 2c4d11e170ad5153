"""`python -m tests.fuzz --seed 7 --messages 2000 [--stack sqlite|postgres]`: a fuzz run
against the whole bot; prints the report and exits 1 if anything failed."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
from pathlib import Path

from tests.fuzz.runner import fuzz
from tests.fuzz.stack import prepare_database


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--seed", type=int, default=1, help="the same seed, the same actions")
    parser.add_argument(
        "--messages", "--actions", type=int, default=2000, dest="count", help="how many actions"
    )
    parser.add_argument(
        "--stack",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="SQLite + in-process cache, or Postgres + Redis (PYTHIA_FUZZ_POSTGRES_URL, "
        "PYTHIA_FUZZ_REDIS_URL; the database is dropped and made anew)",
    )
    parser.add_argument("--log", action="store_true", help="show the bot's warnings too")
    parser.add_argument("--progress", type=int, default=0, help="a line every N actions")
    parser.add_argument("--trace", action="store_true", help="every action on stderr")
    parser.add_argument(
        "--flood-gate",
        action="store_true",
        help="keep the bot's limit on how fast one person may send (by default it is lifted: "
        "the fuzzer sends faster than anyone may, and every action is to be handled)",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("PTB_TIMEDELTA", "1")  # as `pythia` does: RetryAfter in timedeltas
    handler = logging.StreamHandler() if args.log else logging.NullHandler()
    logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)
    with tempfile.TemporaryDirectory(prefix="pythia-fuzz-") as directory:
        database_url, redis_url = prepare_database(args.stack, Path(directory))
        report = asyncio.run(
            fuzz(
                database_url,
                redis_url,
                args.seed,
                args.count,
                args.stack,
                args.progress,
                args.flood_gate,
                args.trace,
            )
        )
    print(report.text(), flush=True)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
