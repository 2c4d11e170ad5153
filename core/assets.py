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
    AssetInfo("BCH", "Bitcoin Cash", ("bitcoin cash", "bch")),
    AssetInfo("ETC", "Ethereum Classic", ("ethereum classic", "etc")),
    AssetInfo("NEAR", "NEAR Protocol", ("near protocol", "near")),
    AssetInfo("ALGO", "Algorand", ("algorand", "algo")),
    AssetInfo("ONE", "Harmony", ("harmony", "one")),
    AssetInfo("LUNA", "Terra", ("terra", "luna")),
    AssetInfo("FTM", "Fantom", ("fantom", "ftm")),
    AssetInfo("FIL", "Filecoin", ("filecoin", "fil")),
    AssetInfo("ICP", "Internet Computer", ("internet computer", "icp")),
    AssetInfo("XMR", "Monero", ("monero", "xmr")),
    AssetInfo("APE", "ApeCoin", ("apecoin", "ape")),
    AssetInfo("GRT", "The Graph", ("the graph", "grt")),
    AssetInfo("AXS", "Axie Infinity", ("axie infinity", "axs")),
    AssetInfo("SAND", "The Sandbox", ("the sandbox", "sand")),
    AssetInfo("MANA", "Decentraland", ("decentraland", "mana")),
    AssetInfo("XTZ", "Tezos", ("tezos", "xtz")),
    AssetInfo("AAVE", "Aave", ("aave",)),
    AssetInfo("HBAR", "Hedera", ("hedera", "hbar")),
    AssetInfo("VET", "VeChain", ("vechain", "vet")),
    AssetInfo("EOS", "EOS", ("eos",)),
    AssetInfo("OP", "Optimism", ("optimism", "op")),
    AssetInfo("ARB", "Arbitrum", ("arbitrum", "arb")),
    AssetInfo("APT", "Aptos", ("aptos", "apt")),
    AssetInfo("SUI", "Sui", ("sui",)),
    AssetInfo("PEPE", "Pepe", ("pepe",)),
    AssetInfo("DAI", "Dai", ("dai",)),
    AssetInfo("KSM", "Kusama", ("kusama", "ksm")),
    AssetInfo("RUNE", "THORChain", ("thorchain", "rune")),
    AssetInfo("WAVES", "Waves", ("waves",)),
    AssetInfo("CRO", "Cronos", ("cronos", "cro")),
    AssetInfo("FTT", "FTX Token", ("ftx token", "ftt")),
    AssetInfo("ZEC", "Zcash", ("zcash", "zec")),
)

BY_SYMBOL: dict[str, AssetInfo] = {a.symbol: a for a in CATALOGUE}


def info_for(symbol: str) -> AssetInfo:
    return BY_SYMBOL.get(symbol, AssetInfo(symbol, symbol, (symbol.lower(),)))
