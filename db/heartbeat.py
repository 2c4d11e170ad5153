"""Liveness for container health checks: each process refreshes a short-lived key."""

from __future__ import annotations

import socket

from db.cache import Cache

BEAT_EVERY = 15.0
BEAT_TTL = 60.0


def heartbeat_key(component: str, host: str | None = None) -> str:
    return f"heartbeat:{component}:{host or socket.gethostname()}"


async def beat(cache: Cache, component: str) -> None:
    await cache.set(heartbeat_key(component), "1", ttl=BEAT_TTL)


async def alive(cache: Cache, component: str) -> bool:
    return await cache.get(heartbeat_key(component)) is not None
