"""The client side: a real ccxt exchange pointed at a fake. Imports only ccxt, so a process that
measures its own memory (bench/bench_workers_memory.py) can use it without the server parts."""

from __future__ import annotations

import copy
import re
from typing import Any

import ccxt.async_support as ccxt_async


def build_ccxt(
    exchange_id: str, base_url: str, markets: dict[str, Any], **config: Any
) -> ccxt_async.Exchange:
    """A real ccxt.async_support exchange with `markets` set and every API URL re-pointed at
    `base_url` (paths kept). `config`: ccxt constructor settings (e.g. timeout, rateLimit)."""
    exchange = getattr(ccxt_async, exchange_id)(dict(config))
    exchange.timeout_on_exit = 0  # close() would otherwise sleep 250 ms
    point_at(exchange, base_url, markets)
    return exchange


def point_at(
    exchange: ccxt_async.Exchange, base_url: str, markets: dict[str, Any] | None = None
) -> None:
    """Re-point an existing ccxt exchange at `base_url` and, if given, set its markets."""
    exchange.urls = repoint(exchange.urls, base_url.rstrip("/"))
    if markets is not None:
        exchange.set_markets(copy.deepcopy(markets))


def repoint(value: Any, base_url: str) -> Any:
    """`value` (ccxt's urls) with the scheme and host of every URL replaced by `base_url`."""
    if isinstance(value, dict):
        return {k: repoint(v, base_url) for k, v in value.items()}
    if isinstance(value, list):
        return [repoint(v, base_url) for v in value]
    if isinstance(value, str):
        return re.sub(r"^https?://[^/]+", base_url, value)
    return value
