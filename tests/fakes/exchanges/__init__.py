"""Fake crypto exchanges over real HTTP: binance, kraken, coinbase, bybit and okx's public market
endpoints on a loopback aiohttp server, so ccxt's real request building, aiohttp session, error
handling and parsing all run against them. See `FakeExchange` (server.py).

Names are imported lazily: `tests.fakes.exchanges.client` alone loads only ccxt.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .client import build_ccxt, point_at
    from .markets import KRAKEN_CODES, Listing, generate_markets
    from .prices import ORIGIN, ReplayPrices, sampled_candle
    from .server import (
        DEFAULT_BASIS,
        EXCHANGES,
        FAULTS,
        FakeExchange,
        default_prices,
        replay_prices,
    )

_WHERE = {
    "build_ccxt": "client",
    "point_at": "client",
    "KRAKEN_CODES": "markets",
    "Listing": "markets",
    "generate_markets": "markets",
    "ORIGIN": "prices",
    "ReplayPrices": "prices",
    "sampled_candle": "prices",
    "DEFAULT_BASIS": "server",
    "EXCHANGES": "server",
    "FAULTS": "server",
    "FakeExchange": "server",
    "default_prices": "server",
    "replay_prices": "server",
}
__all__ = [
    "DEFAULT_BASIS",
    "EXCHANGES",
    "FAULTS",
    "KRAKEN_CODES",
    "ORIGIN",
    "FakeExchange",
    "Listing",
    "ReplayPrices",
    "build_ccxt",
    "default_prices",
    "generate_markets",
    "point_at",
    "replay_prices",
    "sampled_candle",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
