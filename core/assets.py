"""The assets Pythia knows by name: ticker, name and the words news use for them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AssetInfo:
    symbol: str
    name: str
    aliases: tuple[str, ...] = ()


# Facts, not code: names and common nicknames of large assets, for tagging and "did you mean".
CATALOGUE: tuple[AssetInfo, ...] = (
    AssetInfo("BTC", "Bitcoin", ("bitcoin", "btc", "xbt", "sats")),
    AssetInfo("ETH", "Ethereum", ("ethereum", "ether", "eth")),
    AssetInfo("SOL", "Solana", ("solana", "sol")),
    AssetInfo("BNB", "BNB", ("bnb", "binance coin")),
    AssetInfo("XRP", "XRP", ("xrp", "ripple")),
    AssetInfo("ADA", "Cardano", ("cardano", "ada")),
    AssetInfo("DOGE", "Dogecoin", ("dogecoin", "doge")),
    AssetInfo("LTC", "Litecoin", ("litecoin", "ltc")),
    AssetInfo("TRX", "TRON", ("tron", "trx")),
    AssetInfo("DOT", "Polkadot", ("polkadot", "dot")),
    AssetInfo("AVAX", "Avalanche", ("avalanche", "avax")),
    AssetInfo("LINK", "Chainlink", ("chainlink", "link")),
    AssetInfo("MATIC", "Polygon", ("polygon", "matic")),
    AssetInfo("SHIB", "Shiba Inu", ("shiba inu", "shib")),
    AssetInfo("TON", "Toncoin", ("toncoin", "ton")),
    AssetInfo("XLM", "Stellar", ("stellar", "xlm")),
    AssetInfo("ATOM", "Cosmos", ("cosmos", "atom")),
    AssetInfo("UNI", "Uniswap", ("uniswap", "uni")),
    AssetInfo("USDT", "Tether", ("tether", "usdt")),
    AssetInfo("USDC", "USD Coin", ("usd coin", "usdc")),
)

BY_SYMBOL: dict[str, AssetInfo] = {a.symbol: a for a in CATALOGUE}


def info_for(symbol: str) -> AssetInfo:
    return BY_SYMBOL.get(symbol, AssetInfo(symbol, symbol, (symbol.lower(),)))
