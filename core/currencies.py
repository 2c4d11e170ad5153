"""The currencies Pythia counts in, in one place: which quotes are dollars, which assets are
money, which a person may keep a portfolio in, which quotes a ticker may be written with."""

from __future__ import annotations

# Quotes whose markets give an asset's price in US dollars, best first: the cross-exchange
# reference price is a median over markets quoted in these.
USD_QUOTES: tuple[str, ...] = ("USDT", "USD", "USDC")
# Dollar stablecoins beyond those: they book as USD in a USD portfolio.
DOLLAR_STABLECOINS = frozenset({"USDT", "USDC", "BUSD", "DAI", "FDUSD", "TUSD", "USDP", "PYUSD"})
DOLLAR_LIKE = frozenset({"USD"}) | DOLLAR_STABLECOINS
# Fiat currencies people quote in; with the dollar stablecoins, what counts like money
# (always two places when shown).
FIAT = frozenset({"USD", "EUR", "GBP", "CHF", "TRY", "JPY", "RUB"})
MONEY_LIKE = FIAT | DOLLAR_STABLECOINS
# What a person may keep a portfolio in: what Pythia can price. USD is the default.
DEFAULT_QUOTE = "USD"
PORTFOLIO_QUOTES: tuple[str, ...] = ("USD", "USDT", "USDC")
# Quotes that may follow a ticker as people paste it ("BTC/USDT", "btc-usd") or as exchanges
# and files spell markets (BTCUSDT), longest first so BTCUSDT is not BTCUS + DT.
TICKER_QUOTES: tuple[str, ...] = (
    "FDUSD", "USDT", "USDC", "BUSD", "TUSD", "USD", "EUR", "TRY", "BTC", "ETH", "BNB",
)  # fmt: skip


def is_money_like(asset: str) -> bool:
    return asset.upper() in MONEY_LIKE


def book_quote(quote: str, chosen: str) -> str:
    """The currency a trade priced in `quote` is booked in, for a person who chose `chosen`:
    in a USD portfolio every dollar stablecoin is USD."""
    quote = quote.upper()
    if chosen == DEFAULT_QUOTE and quote in DOLLAR_LIKE:
        return DEFAULT_QUOTE
    return quote
