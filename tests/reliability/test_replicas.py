"""Three bot replicas behind a round-robin proxy, one Telegram budget, an alert storm.

Three `pythia bot` processes in webhook mode (bot/webhook.py: each answers Telegram's post of
an update once it has handled it) behind HAProxy (or tests/reliability/proxy.py's own when
HAProxy is missing), one `pythia workers`, Postgres + Redis, and the emulator with Telegram's
flood limits ON, posting updates to the proxy as Telegram does (a chat's next update only after
the last was answered). 2,000 one-shot alerts (10 each for 200 people) fire at once while 20
other people each type 10 commands as fast as they can, a third of the way through, and one
replica is SIGKILLed once each has answered one of them, with sends and those people's updates in
its hands.

Checked, counted in the emulator: no 429 (the three senders and every handler's replies share
one budget in Redis: 30 a second, one a second a person), no alert lost, duplicates no more
than the killed replica's sends in flight (the sender's documented window), each person's
replies in the order they typed the commands (whichever replica handled each; a command the
killed replica was handling is posted again by Telegram: one reply a person may repeat), and
every replica served updates. At 30 a second the storm takes over a minute: `make reliability`.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest

from bot.delivery.sender import IN_FLIGHT
from bot.emulator import User
from tests.reliability.cluster import Cluster, cluster, settled
from tests.reliability.proxy import Proxy, free_port, round_robin

pytestmark = [pytest.mark.reliability, pytest.mark.postgres, pytest.mark.redis]

REPLICAS = 3
PEOPLE, PER_PERSON = 200, 10
ALERTS = PEOPLE * PER_PERSON
TALKERS, COMMANDS = 20, 10
SECRET = "three-replicas-secret"
PATH = "tg"
PATIENCE = 360.0  # seconds for the storm: 2,000 at 30 a second, plus a dead replica's leases


def report(figures: dict[str, object]) -> None:
    print("\n[replicas] " + ", ".join(f"{k} {v}" for k, v in figures.items()), flush=True)


def most_in_a_second(times: list[float]) -> int:
    times, most, start = sorted(times), 0, 0
    for end, at in enumerate(times):
        while times[start] <= at - 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


async def type_commands(the: Cluster, talkers: list[User]) -> list[list[str]]:
    """Each talker sends COMMANDS `/price ZZn` at once (unknown coins: each reply names the one
    asked); returns what each typed, in order."""
    coins = [f"ZZ{n}" for n in range(COMMANDS)]
    await the.client.send_messages(
        [(talker, f"/price {coin}", None) for coin in coins for talker in talkers]
    )
    return [coins for _ in talkers]


async def all_served(proxy: Proxy, replicas: int, timeout: float) -> None:
    """Wait until each of the `replicas` has answered at least one post through `proxy`."""
    async with asyncio.timeout(timeout):
        while True:
            served = await proxy.served()
            if len(served) == replicas and all(served.values()):
                return
            await asyncio.sleep(0.1)


async def answered_in_order(the: Cluster, talkers: list[User], typed: list[list[str]]) -> int:
    """Every talker's replies name their coins in the order typed; returns how many replies
    came twice in a row (a command reposted after the kill)."""
    repeats = 0
    for talker, coins in zip(talkers, typed, strict=True):
        deadline = time.monotonic() + 120
        while True:
            replies = [m.text or "" for m in await the.client.bot_messages(talker)]
            named = [next((c for c in coins if f"{c}." in text), "?") for text in replies]
            unique = [c for i, c in enumerate(named) if i == 0 or c != named[i - 1]]
            if len(unique) >= len(coins) or time.monotonic() > deadline:
                break
            await asyncio.sleep(1)
        assert unique == coins, f"{talker.first_name}: replies {named}"
        # one update of a chat is in a replica's hands at a time: the kill repeats one at most
        assert len(named) - len(unique) <= 1, f"{talker.first_name}: replies {named}"
        repeats += len(named) - len(unique)
    return repeats


async def test_three_replicas_share_one_budget_through_an_alert_storm_and_a_kill() -> None:
    ports = [free_port() for _ in range(REPLICAS)]
    async with cluster({"LOG_LEVEL": "WARNING"}, flood_limits=True) as the:
        people = await the.people(PEOPLE)
        alerts = set(await the.price_alerts(people, PER_PERSON))
        talkers = [await the.client.add_user(f"T{i}") for i in range(TALKERS)]
        async with round_robin(ports, PATH, the.data_dir) as proxy:
            hook = {
                "WEBHOOK_URL": proxy.url, "WEBHOOK_SECRET": SECRET, "WEBHOOK_PATH": PATH,
                "WEBHOOK_LISTEN": "127.0.0.1", "TELEGRAM_RATE_LIMIT": "true",
            }  # fmt: skip
            bots = [
                the._start("bot", f"bot{i}", {**hook, "WEBHOOK_PORT": str(port)})
                for i, port in enumerate(ports)
            ]
            try:
                workers = the.start_workers()
                await the.wait_bot_answers()
                await the.wait_workers_running(workers)
                begun = time.monotonic()
                async with the.ticking():
                    await the.client.bot_messages_since(0.0, ALERTS // 3, timeout=300)
                    typed = await type_commands(the, talkers)
                    # the commands are being handled, by all three: each has answered one (a
                    # reply waits for its slot in the budget the storm is using, so that can
                    # take more than a second), and holds more
                    await all_served(proxy, REPLICAS, timeout=60)
                    the.kill(bots[1])  # a third of the way: claims and updates in its hands
                    await settled(the, ALERTS, PATIENCE)
                    messages = await the.wait_delivered(alerts, 60)
                took = time.monotonic() - begun
                repeats = await answered_in_order(the, talkers, typed)
                served = await proxy.served()
                violations = await the.client.flood_violations()
                calls = await the.client.calls()
                everything = await the.client.bot_messages_since(0.0, 0)
                posts = await the.client.webhook_posts()
            finally:
                for bot in bots:
                    if bot.poll() is None:
                        bot.terminate()
                        bot.wait(30)
                for i in range(REPLICAS):
                    _show(the, f"bot{i}")
        per_alert = Counter(alert for alert, _ in messages)
        duplicates = sum(n - 1 for n in per_alert.values())
        too_many = [c for c in calls if c.status == 429]
        report({
            "proxy": proxy.kind,
            "alerts": ALERTS,
            "delivered": len(per_alert),
            "alert messages": len(messages),
            "all bot messages": len(everything),
            "seconds": round(took, 1),
            "alert messages/s": round(len(messages) / took, 1),
            "most bot messages in one second": most_in_a_second([m.monotonic for m in everything]),
            "429s": len(too_many),
            "flood violations": len(violations),
            "duplicates": duplicates,
            "replies repeated after the kill": repeats,
            "posts answered per replica": served,
            "webhook posts not answered 2xx": sum(1 for p in posts if p.error),
        })  # fmt: skip
        assert set(per_alert) == alerts, f"{len(alerts - set(per_alert))} alerts never arrived"
        assert not too_many and not violations
        assert duplicates <= IN_FLIGHT  # the killed replica's sends in flight, at most
        assert len(served) == REPLICAS and all(n > 0 for n in served.values()), served


def _show(the: Cluster, name: str) -> None:
    path = the.data_dir / f"{name}.stderr"
    if path.exists() and (text := path.read_text(errors="replace").strip()):
        print(f"\n--- {name}.stderr (last lines)\n" + "\n".join(text.splitlines()[-15:]))
