"""The metrics endpoint of a real Pythia (bot polling the emulator, workers on the replay, on
SQLite and on Postgres with Redis), scraped over HTTP: commands, presses and messages, a job
run and a failing one, outbox sends, a 429 and a refusal move the counters under the right
labels; the gauges read the database (backlog, ingestion lag, model age). The figures come from
what the bot and the workers did, never set by the test."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from prometheus_client.parser import text_string_to_metric_families

from bot.emulator.records import User
from core.predict.features import Inputs
from pythia.logs import JsonLines
from pythia.observe import metrics_endpoint, sampler
from services.model_registry import Training, record_training
from tests.e2e.conftest import BACKENDS, Stack, queue_alerts, running_stack
from tests.ports import free_port
from workers.jobs import ingest_candles, sync_markets
from workers.jobs.base import JobResult, WorkerDeps
from workers.predict.train import train
from workers.scheduler import JobSpec, run_job
from workers.sources.replay import load_series

pytestmark = pytest.mark.asyncio(loop_scope="module")

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=BACKENDS)
async def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    async with running_stack(request, tmp_path_factory.mktemp("metrics")) as shared:
        yield shared


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def scrape(stack: Stack) -> AsyncIterator[Any]:
    """Scrape the stack's endpoint (as `pythia run` serves it: both processes' figures)."""
    port = free_port()
    workers = stack.workers.deps
    assert workers is not None
    both = sampler(stack.deps, bot=True, workers=workers)
    both.every = 0.0  # each scrape reads the database afresh
    async with (
        metrics_endpoint(port, [both], host="127.0.0.1"),
        aiohttp.ClientSession() as http,
    ):

        async def get() -> Samples:
            async with http.get(f"http://127.0.0.1:{port}/metrics") as answer:
                assert answer.status == 200
                assert answer.headers["Content-Type"].startswith("text/plain")
                text = await answer.text()
            return {
                (s.name, frozenset(s.labels.items())): s.value
                for family in text_string_to_metric_families(text)
                for s in family.samples
            }

        yield get


class JsonCapture(logging.Handler):
    """Log lines as LOG_FORMAT=json writes them, formatted as they are emitted."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonLines())
        self.entries: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.entries.append(json.loads(self.format(record)))


@contextlib.contextmanager
def json_lines(*loggers: str) -> Iterator[JsonCapture]:
    capture = JsonCapture()
    for name in loggers:
        logging.getLogger(name).addHandler(capture)
    try:
        yield capture
    finally:
        for name in loggers:
            logging.getLogger(name).removeHandler(capture)


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def labelled(samples: Samples, name: str, label: str) -> set[str]:
    return {dict(key)[label] for metric, key in samples if metric == name}


async def until(scrape: Any, check: Any, timeout: float = 10.0) -> Samples:
    """Scrape until `check(samples)` holds (what it waits for happens on the bot's own time)."""
    async with asyncio.timeout(timeout):
        while True:
            samples = await scrape()
            if check(samples):
                return samples
            await asyncio.sleep(0.05)


async def test_commands_presses_and_messages_are_counted_and_timed_by_label(
    stack: Stack, scrape: Any
) -> None:
    alice = stack.emu.add_user("Alice", "alice")
    before = await scrape()
    await stack.ask(alice, "/price BTC")
    await stack.ask(alice, "/price eth")
    await stack.ask(alice, "/help")
    await stack.ask(alice, "/watch BTC")
    table = await stack.ask(alice, "/prices")
    await stack.emu.send_message(alice, "hello there")  # no reply: handled all the same
    await stack.emu.send_message(alice, "/nosuchcommand <b>")
    query = await stack.emu.press_button(alice, table, f"prices:{alice.id}")
    await stack.emu.wait_for_callback_answer(query)
    await stack.emu.press_button(alice, table, "zz:forged", strict=False)
    expected = {"price": 2, "help": 1, "watch": 1, "prices": 1, "message": 1}
    expected |= {"command:other": 1, "button:prices": 1, "button:other": 1}

    def moved(samples: Samples) -> bool:
        return all(
            value(samples, "pythia_handler_seconds_count", command=label)
            - value(before, "pythia_handler_seconds_count", command=label)
            == count
            for label, count in expected.items()
        )

    after = await until(scrape, moved)
    for label, count in expected.items():
        grew = value(after, "pythia_updates_total", command=label) - value(
            before, "pythia_updates_total", command=label
        )
        assert grew == count, label
        assert value(after, "pythia_handler_seconds_sum", command=label) > value(
            before, "pythia_handler_seconds_sum", command=label
        )
    # bounded labels: what was typed never becomes one
    commands = labelled(after, "pythia_updates_total", "command")
    assert not {"nosuchcommand", "eth", "hello there", "zz"} & commands
    assert not any("<" in c or " " in c for c in commands)


async def test_a_job_run_and_a_failing_one_are_timed_and_counted(stack: Stack, scrape: Any) -> None:
    workers = stack.workers.deps
    assert workers is not None
    before = await scrape()

    async def missing_table(deps: WorkerDeps) -> JobResult:  # a job whose database is wrong
        async with deps.engine.connect() as connection:
            await connection.exec_driver_sql("SELECT * FROM no_such_table")
        return JobResult()

    ran = await run_job(JobSpec("sync_markets", sync_markets.run, timedelta(hours=6)), workers)
    with json_lines("workers.scheduler") as logged:
        failed = await run_job(JobSpec("metrics_probe", missing_table, timedelta(hours=1)), workers)
    [line] = [e for e in logged.entries if e["level"] == "ERROR"]  # its JSON log line says which
    assert line["job"] == "metrics_probe" and line["run_id"] and "update_id" not in line
    assert "no_such_table" in line["exception"] and line["message"] == "job metrics_probe failed"
    assert ran is not None and ran.ok and failed is not None and not failed.ok
    after = await scrape()
    for job, failures in (("sync_markets", 0), ("metrics_probe", 1)):
        runs = value(after, "pythia_job_seconds_count", job_name=job) - value(
            before, "pythia_job_seconds_count", job_name=job
        )
        assert runs == 1, job  # neither runs on a schedule within the test
        assert (
            value(after, "pythia_job_failures_total", job_name=job)
            - value(before, "pythia_job_failures_total", job_name=job)
            == failures
        )
    assert value(after, "pythia_job_seconds_sum", job_name="sync_markets") > 0


async def test_a_log_line_written_while_handling_an_update_carries_its_id(
    stack: Stack, scrape: Any
) -> None:
    erin = stack.emu.add_user("Erin", "erin")
    stack.emu.fail_next("sendMessage", chat=erin, code=502)  # the reply fails: bot.errors logs
    with json_lines("bot.errors") as logged:
        await stack.ask(erin, "/help")  # the apology arrives
    [line] = [e for e in logged.entries if e["message"].startswith("Telegram failed")]
    assert isinstance(line["update_id"], int) and "job" not in line
    assert f"'update_id': {line['update_id']}}}" in line["message"]  # the update it is about


def alerts(chat_id: int, texts: list[str]) -> list[tuple[int, dict[str, Any]]]:
    return [(chat_id, {"text": text, "symbol": "BTC", "quiet": False}) for text in texts]


async def test_outbox_sends_429s_and_refusals_are_counted(stack: Stack, scrape: Any) -> None:
    bob, carol = stack.emu.add_user("Bob", "bob"), stack.emu.add_user("Carol", "carol")
    before = await scrape()
    stack.emu.fail_next("sendMessage", chat=bob, code=429, retry_after=1)
    stack.emu.fail_next("sendMessage", chat=carol, code=400)
    await queue_alerts(stack, alerts(bob.id, ["one", "two"]))
    await queue_alerts(stack, alerts(carol.id, ["never"]))

    def grew(samples: Samples, name: str) -> float:
        return value(samples, name) - value(before, name)

    after = await until(
        scrape,
        lambda s: (
            grew(s, "pythia_outbox_rows_sent_total") >= 2
            and grew(s, "pythia_outbox_failed_total") >= 1
        ),
        timeout=30,
    )
    # the 429 was seen once: by PTB's limiter (which waited and sent again), or by the sender
    retried = ("pythia_telegram_retry_after_total", "pythia_outbox_retry_after_total")
    assert sum(grew(after, name) for name in retried) == 1
    assert grew(after, "pythia_outbox_failed_total") == 1
    assert grew(after, "pythia_outbox_sent_total") >= 1  # two rows: one message or a summary
    assert [m.text for m in stack.emu.bot_messages(carol)] == []
    assert value(after, "pythia_outbox_backlog") >= 0


async def test_the_backlog_is_what_is_due_and_unsent(stack: Stack, scrape: Any) -> None:
    dave: User = stack.emu.add_user("Dave", "dave")
    await stack.app.bot_data.outbox.stop()  # nobody sends: what is queued stays due
    try:
        await queue_alerts(stack, alerts(dave.id, ["a", "b", "c"]))
        samples = await scrape()
        assert value(samples, "pythia_outbox_backlog") >= 3
    finally:
        await stack.app.bot_data.outbox.start()
    after = await until(scrape, lambda s: value(s, "pythia_outbox_backlog") == 0, timeout=30)
    assert value(after, "pythia_outbox_oldest_due_seconds") == 0


async def test_ingestion_lag_per_exchange_and_feed(stack: Stack, scrape: Any) -> None:
    from workers.jobs import ingest_news

    workers = stack.workers.deps
    assert workers is not None and workers.news is not None
    await ingest_candles.run(workers)
    await ingest_news.run(workers)
    samples = await scrape()
    exchanges = labelled(samples, "pythia_price_lag_seconds", "exchange")
    assert exchanges == {source.name for source in workers.sources}
    for exchange in exchanges:  # prices come every few (replay) seconds
        assert 0 <= value(samples, "pythia_price_lag_seconds", exchange=exchange) < 600
    for timeframe in stack.deps.settings.candle_timeframes:
        lag = value(samples, "pythia_candle_lag_seconds", exchange="replay", timeframe=timeframe)
        assert 0 < lag < 2 * 86_400, timeframe
    feeds = labelled(samples, "pythia_news_lag_seconds", "feed")
    assert feeds and feeds <= {feed.publisher for feed in workers.news.feeds}


@functools.cache
def trained(horizon: str) -> Training:
    found = train(Inputs(load_series()["BTC"].candles, None, None), "BTC", horizon)
    assert isinstance(found, Training), found
    return found


async def test_model_age_per_coin_and_horizon(stack: Stack, scrape: Any) -> None:
    assert labelled(await scrape(), "pythia_model_age_seconds", "coin") == set()
    await record_training(stack.deps, trained("1h"))
    samples = await scrape()
    age = value(samples, "pythia_model_age_seconds", coin="BTC", horizon="1h")
    assert 0 <= age < 3600 and labelled(samples, "pythia_model_age_seconds", "coin") == {"BTC"}
