"""ccxt unified markets for any list of assets, templated from the recorded market entries.

Each exchange's recorded BTC spot market (tests/fixtures/exchanges/ccxt_static/markets/) is
copied and every string that names BTC's market (its id, symbol, base id, alt names) is
swapped for the asset's, so the dicts keep the exact shape ccxt's own load_markets produces.
"""

from __future__ import annotations

import copy
import functools
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "exchanges"
MARKETS_DIR = FIXTURES / "ccxt_static" / "markets"

DEFAULT_QUOTES = {
    "binance": "USDT",
    "kraken": "USD",
    "coinbase": "USD",
    "bybit": "USDT",
    "okx": "USDT",
}
# Which recorded entry is the template for each quote (the BTC one with that quote; on bybit
# and okx the USDC books are the USDT one with the quote renamed, as the two list them alike).
_TEMPLATES = {
    "binance": {"USDT": "BTC/USDT"},
    "kraken": {"USD": "BTC/USD", "USDT": "BTC/USDT"},
    "coinbase": {"USD": "BTC/USD", "USDC": "BTC/USDC", "USDT": "BTC/USDT"},
    "bybit": {"USDT": "BTC/USDT", "USDC": "BTC/USDT"},
    "okx": {"USDT": "BTC/USDT", "USDC": "BTC/USDT"},
}

# Kraken names some assets its own way (XBT for BTC, XDG for DOGE) and prefixes its oldest
# assets with X (fiat with Z): XXBT, XETH, ZUSD. Pairs of two such legacy codes are
# X...Z... (XXBTZUSD); DOGE/USD is the exception, XDGUSD with base XXDG.
KRAKEN_CODES = {"BTC": "XBT", "DOGE": "XDG"}
_KRAKEN_X_ASSETS = {"XBT", "ETH", "XRP", "LTC", "XLM", "ETC", "XMR", "ZEC", "MLN", "REP", "XDG"}
_KRAKEN_Z_FIAT = {"USD", "EUR", "GBP", "CAD", "JPY"}


@dataclass(frozen=True)
class Listing:
    """One generated spot market: asset, unified symbol, exchange id, quote."""

    asset: str
    symbol: str
    id: str
    quote: str


@functools.cache
def _recorded(exchange_id: str) -> dict[str, Any]:
    return json.loads((MARKETS_DIR / f"{exchange_id}.json").read_text(encoding="utf-8"))


def generate_markets(
    exchange_id: str,
    assets: list[str],
    quote: str | None = None,
    places: dict[str, int] | None = None,
) -> tuple[dict[str, dict[str, Any]], dict[str, Listing]]:
    """(ccxt markets by symbol, listings by asset) for `assets` quoted in `quote`.

    `places`: decimal places of each asset's price, for the precision and tick-size fields."""
    if exchange_id not in _TEMPLATES:
        raise ValueError(f"no fake for exchange {exchange_id!r}; have {sorted(_TEMPLATES)}")
    quote = quote or DEFAULT_QUOTES[exchange_id]
    if quote not in _TEMPLATES[exchange_id]:
        raise ValueError(f"{exchange_id} fake quotes in {sorted(_TEMPLATES[exchange_id])}")
    template = _recorded(exchange_id)[_TEMPLATES[exchange_id][quote]]
    markets: dict[str, dict[str, Any]] = {}
    listings: dict[str, Listing] = {}
    for asset in dict.fromkeys(a.upper() for a in assets):
        if asset == quote:
            continue
        renames = _renames(exchange_id, template, asset, quote)
        market = _rename(copy.deepcopy(template), renames)
        if places is not None and asset in places:
            _set_tick(exchange_id, market, places[asset])
        markets[market["symbol"]] = market
        listings[asset] = Listing(asset, market["symbol"], market["id"], quote)
    return markets, listings


def _renames(exchange_id: str, template: dict[str, Any], asset: str, quote: str) -> dict[str, str]:
    symbol = f"{asset}/{quote}"
    if exchange_id in ("binance", "bybit", "okx"):
        market_id = f"{asset}-{quote}" if exchange_id == "okx" else f"{asset}{quote}"
        return {
            template["id"]: market_id,
            template["id"].lower(): market_id.lower(),
            template["symbol"]: symbol,
            template["base"]: asset,
            template["quote"]: quote,
        }
    if exchange_id == "kraken":
        code = KRAKEN_CODES.get(asset, asset)
        base_id = f"X{code}" if code in _KRAKEN_X_ASSETS else code
        quote_id = f"Z{quote}" if quote in _KRAKEN_Z_FIAT else quote
        legacy = code in _KRAKEN_X_ASSETS and quote in _KRAKEN_Z_FIAT and code != "XDG"
        old_code = KRAKEN_CODES["BTC"]
        return {
            template["id"]: base_id + quote_id if legacy else code + quote,
            template["baseId"]: base_id,
            template["quoteId"]: quote_id,
            template["symbol"]: symbol,
            template["base"]: asset,
            f"{old_code}{quote}": f"{code}{quote}",  # altname
            f"{old_code}/{quote}": f"{code}/{quote}",  # wsname
        }
    # coinbase: product ids BASE-QUOTE; the USD and USDC books alias each other
    renames = {template["symbol"]: symbol, template["base"]: asset}
    renames[template.get("info", {}).get("base_name", asset)] = asset
    for other in ("USD", "USDC", "USDT"):
        renames[f"{template['base']}-{other}"] = f"{asset}-{other}"
    return renames


def _rename(value: Any, renames: dict[str, str]) -> Any:
    """Replace every string equal to a key of `renames` (whole strings only, keys included)."""
    if isinstance(value, dict):
        return {_rename(k, renames): _rename(v, renames) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename(v, renames) for v in value]
    if isinstance(value, str):
        return renames.get(value, value)
    return value


def _set_tick(exchange_id: str, market: dict[str, Any], places: int) -> None:
    tick = Decimal(1).scaleb(-places)
    precision = market.setdefault("precision", {})
    # binance's recorded markets count decimal places (an int), the others give the tick
    precision["price"] = places if isinstance(precision.get("price"), int) else float(tick)
    info = market.get("info", {})
    if exchange_id == "binance":
        for rule in info.get("filters", []):
            if rule.get("filterType") == "PRICE_FILTER":
                rule["tickSize"] = f"{tick:.8f}"
                rule["minPrice"] = f"{tick:.8f}"
    elif exchange_id == "bybit":
        info["priceFilter"]["tickSize"] = str(tick)
    elif exchange_id == "okx":
        info["tickSz"] = str(tick)
    elif exchange_id == "kraken":
        info["pair_decimals"] = str(places)
        info["tick_size"] = str(tick)
        market.setdefault("limits", {}).setdefault("price", {})["min"] = float(tick)
    else:
        info["quote_increment"] = info["price_increment"] = str(tick)
