"""Shared fixtures: clean databases on SQLite and Postgres, caches on memory and Redis.

Postgres and Redis tests run whenever those are reachable and skip otherwise — unless
PYTHIA_REQUIRE_SERVICES=1 (as `.ci/run` sets), when an unreachable service fails the run.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import faulthandler
import functools
import os
import shutil
import sys
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from db.engine import create_engine
from db.migrate import upgrade

os.environ.setdefault("PTB_TIMEDELTA", "1")  # as `pythia` does: RetryAfter in timedeltas

# Property tests judge results, not speed (benchmarks measure speed): no per-example deadline,
# which a loaded CI box would trip (for every property: none sets its own).
# HYPOTHESIS_PROFILE=hunt gives each property that does not set its own count 5,000 examples
# instead of 100, to search before CI does.
hypothesis_settings.register_profile("pythia", deadline=None)
hypothesis_settings.register_profile(
    "hunt", hypothesis_settings.get_profile("pythia"), max_examples=5000
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "pythia"))

REQUIRE_SERVICES = os.environ.get("PYTHIA_REQUIRE_SERVICES") == "1"
# pytest-timeout (pyproject) ends a test still running after 300 s and prints its threads, which for
# an asyncio test shows only the loop waiting; this prints the loop's tasks a minute before that
HANG_REPORT_AFTER = 240.0
SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432"
REDIS_SERVER = "redis://127.0.0.1:6379"


def _alive(pid: bytes | str | None) -> bool:
    try:
        number = int(pid or 0)
        if number > 0:
            os.kill(number, 0)  # signal 0: asks only whether the process is there
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:  # another user's process: alive
        return True
    return number > 0


def _own_redis_database() -> str:
    """A Redis database this test run has to itself: runs started side by side on one machine
    (several terminals, an editor's test runner) must not flush each other's keys. Each process
    claims a free number from 15 down to 8 (7 and below: the reliability tests' and the app's),
    in database 0, for an hour; a claim whose process is gone (killed, or an xdist worker that
    left without running atexit) is taken over. With all eight held by live runs this fails
    rather than share one."""
    try:
        import redis

        client = redis.Redis.from_url(REDIS_SERVER + "/0", socket_connect_timeout=2)
        client.ping()
    except Exception:  # no Redis here: the Redis tests skip (or fail in CI) on their own
        return f"{REDIS_SERVER}/15"
    # Take a key if it still holds what was read (nothing, or a gone process's id): two runs
    # starting together cannot both take over the same dead claim.
    take = client.register_script(
        "local v = redis.call('GET', KEYS[1]) "
        "if (v == false and ARGV[1] == '') or v == ARGV[1] then "
        "redis.call('SET', KEYS[1], ARGV[2], 'EX', 3600) return 1 end return 0"
    )
    for number in range(15, 7, -1):
        key = f"pythia-tests:db:{number}"
        holder = client.get(key)
        if holder is not None and _alive(holder):
            continue
        if take(keys=[key], args=[holder or b"", os.getpid()]):
            atexit.register(client.delete, key)
            return f"{REDIS_SERVER}/{number}"
    raise RuntimeError(
        "Redis databases 8-15 are all held by test runs still going; wait for one, or set "
        "PYTHIA_TEST_REDIS_URL"
    )


# pytest-xdist's worker ("gw0", "gw1", …) when the suite runs in several processes (`make test`
# does): each worker gets a database and a Redis database of its own, derived from the ones set.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
WORKER_NUMBER = int(WORKER[2:]) if WORKER.startswith("gw") and WORKER[2:].isdigit() else 0


def _for_worker_redis(url: str) -> str:
    """`url` for this worker: the database numbered down from the one set (15, 14, …)."""
    base, _, number = url.rpartition("/")
    if not WORKER or not number.isdigit():
        return url
    return f"{base}/{int(number) - WORKER_NUMBER}"


# Set explicitly (as `.ci/run` does): those (one per xdist worker). Else a database of this
# process's own on each server.
_SET_POSTGRES = os.environ.get("PYTHIA_TEST_POSTGRES_URL")
if _SET_POSTGRES and WORKER:
    POSTGRES_URL = f"{_SET_POSTGRES}_{WORKER}"
else:
    POSTGRES_URL = _SET_POSTGRES or f"{SERVER}/pythia_test_{os.getpid()}"
_SET_REDIS = os.environ.get("PYTHIA_TEST_REDIS_URL")


@functools.cache
def redis_url() -> str:
    """This process's Redis database for tests, claimed when first asked for: an xdist
    controller runs no test and so holds none."""
    return _for_worker_redis(_SET_REDIS) if _SET_REDIS else _own_redis_database()


def redis_server() -> str:
    """The server the tests' Redis databases are on (PYTHIA_TEST_REDIS_URL's, else the local
    one), for a suite that picks its own database there: nothing is claimed."""
    return _SET_REDIS.rpartition("/")[0] if _SET_REDIS else REDIS_SERVER


OWN_POSTGRES = _SET_POSTGRES is None or bool(WORKER)
FIXTURES = Path(__file__).parent / "fixtures"
T = TypeVar("T")


def _report_tasks(item: pytest.Item) -> None:
    """Every unfinished asyncio task's stack and every thread's, to the terminal (from another
    thread: a hung loop's tasks do not move while they are read; nothing acts on this)."""
    capture = item.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        out = sys.__stderr__ or sys.stderr
        out.write(f"\n== {item.nodeid} still running after {HANG_REPORT_AFTER:.0f} s ==\n")
        for task in list(getattr(asyncio.tasks, "_all_tasks", ())):  # a WeakSet of the tasks
            if not task.done():
                task.print_stack(limit=15, file=out)
        out.flush()
        faulthandler.dump_traceback(out, all_threads=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    timer = threading.Timer(HANG_REPORT_AFTER, _report_tasks, args=(item,))
    timer.daemon = True
    timer.start()
    try:
        return (yield)
    finally:
        timer.cancel()


def unavailable(what: str, why: object) -> None:
    """Skip, or fail when CI says the service must be there."""
    message = f"{what} is not reachable ({why})"
    if REQUIRE_SERVICES:
        pytest.fail(message + " and PYTHIA_REQUIRE_SERVICES=1", pytrace=False)
    pytest.skip(message)


async def _reset_postgres(url: str) -> None:
    import asyncpg

    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    name = dsn.rsplit("/", 1)[1]
    try:
        connection = await asyncpg.connect(dsn, timeout=3)
    except asyncpg.InvalidCatalogNameError:  # first run on this machine: make the database
        admin = await asyncpg.connect(dsn.rsplit("/", 1)[0] + "/postgres", timeout=3)
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        connection = await asyncpg.connect(dsn, timeout=3)
    await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    await connection.close()


def outside_loop(func: Callable[..., T], *args: object) -> T:
    """Run blocking set-up (which may start its own event loop) on a fresh thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(func, *args).result()


async def _drop_postgres(url: str) -> None:
    import asyncpg

    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    admin = await asyncpg.connect(dsn.rsplit("/", 1)[0] + "/postgres", timeout=3)
    name = dsn.rsplit("/", 1)[1]
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


def _migrated(url: str, own: bool) -> Iterator[str]:
    try:
        outside_loop(asyncio.run, _reset_postgres(url))
    except Exception as exc:  # refused, timed out, bad credentials: all mean "not here"
        unavailable("Postgres", exc)
    outside_loop(upgrade, url)
    yield url
    if own:  # this run's own database: gone with the run
        outside_loop(asyncio.run, _drop_postgres(url))


@pytest.fixture(scope="session")
def postgres_migrated() -> Iterator[str]:
    yield from _migrated(POSTGRES_URL, OWN_POSTGRES)


@pytest.fixture(scope="session")
def postgres_migrated_apart() -> Iterator[str]:
    """A second database for a test's own Pythia while its module's shared one keeps running
    on the first (emptying the first under it deadlocked their transactions)."""
    yield from _migrated(f"{POSTGRES_URL}_apart", own=True)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test copies it (faster than migrating every time)."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    outside_loop(upgrade, f"sqlite+aiosqlite:///{path}")
    return path


TABLES_SQL = """
SELECT string_agg(format('%I', tablename), ', ') FROM pg_tables
WHERE schemaname = 'public' AND tablename <> 'alembic_version'
"""


async def _truncate(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        tables = await connection.scalar(text(TABLES_SQL))
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a clean, migrated database of `backend`."""
    if backend == "sqlite":
        path = tmp_path / "pythia.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    return request.getfixturevalue("postgres_migrated")  # the engine fixture empties it


@pytest.fixture
async def engine(db_url: str, backend: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    if backend == "postgres":
        await _truncate(db_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session inside one transaction that is rolled back after the test."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        session = AsyncSession(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        try:
            yield session
        finally:
            await session.close()
            await transaction.rollback()


@pytest.fixture
async def cache_url(backend: str, request: pytest.FixtureRequest) -> str | None:
    """The Redis URL a `backend` stack caches in, emptied first (nothing cached by an earlier
    test); None on SQLite, whose stack caches in the process."""
    if backend != "postgres":
        return None
    import redis.asyncio as redis

    url: str = request.getfixturevalue("redis_reachable")
    client = redis.Redis.from_url(url)
    await client.flushdb()
    await client.aclose()
    return url


@pytest.fixture(scope="session")
def redis_reachable() -> str:
    import redis

    try:
        url = redis_url()
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.ping()
        client.close()
    except Exception as exc:
        unavailable("Redis", exc)
    return url


@pytest.fixture
def fixtures_dir() -> Iterator[Path]:
    yield FIXTURES


@pytest.fixture(scope="session")
def redis_reachable_apart(redis_reachable: str) -> str:
    """A second Redis database, as postgres_migrated_apart is to postgres_migrated: the one
    set for this worker less the number of workers (15, 14, 13, 12 for four workers; these
    11, 10, 9, 8), else one more claimed for this run."""
    if not _SET_REDIS:
        return _own_redis_database()
    base, _, number = _SET_REDIS.rpartition("/")
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    return f"{base}/{int(number) - workers - WORKER_NUMBER}"
