"""Exchanges' own names, as they write them: proper names, said as they are in every language."""

from __future__ import annotations

# ccxt ids (and the candle files' sources) → the name people know; any other id is shown as it is.
EXCHANGE_NAMES: dict[str, str] = {
    "binance": "Binance",
    "binanceus": "Binance.US",
    "bitfinex": "Bitfinex",
    "bitget": "Bitget",
    "bitstamp": "Bitstamp",
    "bybit": "Bybit",
    "coinbase": "Coinbase",
    "gateio": "Gate.io",
    "htx": "HTX",
    "kraken": "Kraken",
    "kucoin": "KuCoin",
    "mexc": "MEXC",
    "okx": "OKX",
    "yahoo": "Yahoo Finance",
}
