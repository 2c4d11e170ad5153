"""Process plumbing shared by the end-to-end benchmarks: emulator + `pythia run` + this process.

    async with running_stack("sqlite") as stack:      # or "postgres"
        await wait_ready(stack)                         # /price BTC answers
        ... stack.client (an EmulatorClient), stack.pid (the bot), stack.emulator_pid ...

Each stack gets a temporary data dir (removed afterwards) holding the SQLite file and both
children's stderr. "postgres" means Postgres + Redis: the database `pythia_bench` is dropped and
created before the run and dropped after it, and the Redis database (14 unless
PYTHIA_BENCH_REDIS_URL says otherwise) is flushed before and after, so no remembered chart
file_id or price from an earlier run leaks in. The server URLs can be overridden with
PYTHIA_BENCH_POSTGRES_URL and PYTHIA_BENCH_REDIS_URL.

Pythia runs on the replay market at REPLAY_SPEED=1 (unless `env` says otherwise) with
TELEGRAM_RATE_LIMIT=false and a per-person flood limit (FLOOD_BURST, FLOOD_RATE) no load
generator reaches, and the emulator with --no-flood-limits: a benchmark measures Pythia, not
Telegram's rate policy nor our own (bench_flood turns both on).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.emulator import EmulatorClient  # noqa: E402

TOKEN = "4242424242:BENCH-pythia"
POSTGRES_URL = os.environ.get(
    "PYTHIA_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1/pythia_bench"
)
REDIS_URL = os.environ.get("PYTHIA_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
STACKS = {"sqlite": "SQLite + in-process cache", "postgres": "Postgres + Redis"}
STDERR_TAIL = 3000  # characters of a child's stderr shown


# ---- measuring ---------------------------------------------------------------------------------


def rss_mib(pid: int) -> float:
    """Resident memory of a process, MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: Sequence[float], q: float) -> float:
    """The value below which a fraction q of the values fall (nearest rank, no interpolation)."""
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


# ---- choosing stacks ---------------------------------------------------------------------------


def add_stack_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack", choices=["sqlite", "postgres", "both"], default="both")


def chosen_stacks(args: argparse.Namespace) -> list[str]:
    return list(STACKS) if args.stack == "both" else [args.stack]


# ---- the processes -----------------------------------------------------------------------------


@dataclass
class Stack:
    name: str
    client: EmulatorClient
    pythia: subprocess.Popen[bytes]
    emulator: subprocess.Popen[str]
    data_dir: Path

    @property
    def label(self) -> str:
        return STACKS[self.name]

    @property
    def pid(self) -> int:
        return self.pythia.pid

    @property
    def emulator_pid(self) -> int:
        return self.emulator.pid

    def check_alive(self) -> None:
        """Raise if `pythia run` has exited (its stderr is printed when the stack closes)."""
        if (code := self.pythia.poll()) is not None:
            raise RuntimeError(f"pythia run exited with status {code}")


def start_emulator(data_dir: Path, flood_limits: bool = False) -> tuple[subprocess.Popen[str], str]:
    """The emulator on a free port; returns the process and its root URL. Telegram's flood
    limits are off unless asked for: a benchmark measures Pythia, not the limits."""
    stderr = open(data_dir / "emulator.stderr", "wb")  # noqa: SIM115 (lives as long as the process)
    command = [sys.executable, "-m", "bot.emulator", "--port", "0", "--token", TOKEN]
    if not flood_limits:
        command.append("--no-flood-limits")
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True)
    assert proc.stdout is not None
    while True:
        line = proc.stdout.readline()
        if not line:
            proc.wait(10)
            raise RuntimeError("the emulator did not start")
        if match := re.match(r"control_url=(\S+)", line):
            return proc, match.group(1).removesuffix("/_emulator")


def start_pythia(
    client: EmulatorClient,
    database_url: str,
    redis_url: str | None,
    data_dir: Path,
    env: dict[str, str] | None = None,
    command: str = "run",
    name: str = "pythia",
) -> subprocess.Popen[bytes]:
    """`python -m pythia run` (bot and workers in one process; or `command` "bot" or
    "workers") talking to the emulator; its stderr goes to `name`.stderr in `data_dir`
    (appended to, so a restarted process keeps its predecessor's words)."""
    assert client.base_url and client.base_file_url, "connect the client first"
    full_env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "BOT_API_BASE_URL": client.base_url,
        "BOT_API_FILE_URL": client.base_file_url,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url or "",
        "MARKET_SOURCE": "replay",
        "REPLAY_SPEED": "1",
        "TELEGRAM_RATE_LIMIT": "false",
        # load generators send as a crowd of very busy people; bench_flood measures the limit
        "FLOOD_BURST": "100000",
        "FLOOD_RATE": "100000",
        "DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
        **(env or {}),
    }
    stderr = open(data_dir / f"{name}.stderr", "ab")  # noqa: SIM115 (lives as long as the process)
    return subprocess.Popen(
        [sys.executable, "-m", "pythia", command], cwd=data_dir, env=full_env, stderr=stderr
    )


def _stop(proc: subprocess.Popen, timeout: float) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def _show_stderr(data_dir: Path, name: str) -> None:
    path = data_dir / f"{name}.stderr"
    text = path.read_text(errors="replace") if path.exists() else ""
    if text.strip():
        print(f"{name}'s stderr:\n{text[-STDERR_TAIL:]}", file=sys.stderr, flush=True)


# ---- databases -----------------------------------------------------------------------------------


def _admin_dsn(url: str) -> tuple[str, str]:
    """(DSN of the server's `postgres` database, name of the bench database)."""
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    base, name = dsn.rsplit("/", 1)
    return base + "/postgres", name


async def reset_postgres(url: str = POSTGRES_URL) -> None:
    import asyncpg

    admin_dsn, name = _admin_dsn(url)
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def drop_postgres(url: str = POSTGRES_URL) -> None:
    import asyncpg

    admin_dsn, name = _admin_dsn(url)
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        await admin.close()


async def flush_redis(url: str = REDIS_URL) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(url)
    try:
        await redis.flushdb()
    finally:
        await redis.aclose()


# ---- a whole stack -----------------------------------------------------------------------------


@asynccontextmanager
async def running_stack(
    name: str, env: dict[str, str] | None = None, flood_limits: bool = False
) -> AsyncIterator[Stack]:
    """Emulator and `pythia run` on SQLite ("sqlite") or Postgres + Redis ("postgres"),
    stopped and cleaned up on exit; the emulator enforces Telegram's flood limits if asked.
    Pythia's stderr is printed afterwards if it wrote any; the emulator's too if the block
    failed."""
    if name not in STACKS:
        raise ValueError(f"unknown stack {name!r}")
    data_dir = Path(tempfile.mkdtemp(prefix="pythia-bench-"))
    failed = True
    try:
        if name == "sqlite":
            database_url, redis_url = f"sqlite+aiosqlite:///{data_dir}/bench.sqlite3", None
        else:
            database_url, redis_url = POSTGRES_URL, REDIS_URL
            await reset_postgres(database_url)
            await flush_redis(redis_url)
        emulator, url = start_emulator(data_dir, flood_limits)
        try:
            async with EmulatorClient(url) as client:
                pythia = start_pythia(client, database_url, redis_url, data_dir, env)
                try:
                    yield Stack(name, client, pythia, emulator, data_dir)
                    failed = False
                finally:
                    _stop(pythia, 30)
        finally:
            _stop(emulator, 10)
    finally:
        _show_stderr(data_dir, "pythia")
        if failed:
            _show_stderr(data_dir, "emulator")
        if name == "postgres":  # a cleanup failure must not hide the run's own error
            with suppress(Exception):
                await drop_postgres(database_url)
            with suppress(Exception):
                await flush_redis(redis_url)
        shutil.rmtree(data_dir, ignore_errors=True)


async def wait_ready(stack: Stack, timeout: float = 60) -> None:
    """Until `/price BTC` is answered with a price (the bot polls and the tickers are in)."""
    client = stack.client
    probe = await client.add_user("Probe")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack.check_alive()
        sent = await client.send_message(probe, "/price BTC")
        try:
            (reply,) = await client.wait_for_bot_messages(probe, after=sent, timeout=5)
        except TimeoutError:
            continue
        if reply.text and reply.text.startswith("BTC "):
            return
        await asyncio.sleep(0.2)
    raise RuntimeError("pythia never answered /price BTC")
