"""Which coins a headline (or any short text) is about, from the assets' names and tickers.

The rules, decided once and tested on hand-labelled real headlines (tests/unit/
test_news_tagging.py says the precision and recall):

- Words are matched whole (`Bitcoin`, `Bitcoin's`, `Bitcoin’s`, `bitcoins`, `$BTC`, `BTC/USDT`;
  never `Bitcoiner` or `ETHW`), the longest name first, so `Bitcoin Cash` is BCH, not BTC.
  Names of other coins that contain a known one (`Ethereum Classic`, `Wrapped Bitcoin`,
  `Baby Doge`, `Bored Ape`) are matched to stop the shorter one when no asset claims them.
- A name (`bitcoin`, `Chainlink`, `Shiba Inu`) counts in any case; a plural (`bitcoins`) too.
- A name that is also an English word (`Polygon`, `Avalanche`, `Cosmos`, `Stellar`, `Near`,
  `Harmony`, `Optimism`, `The Graph`…: COMMON_NAMES) counts only when capitalised, and then
  only where a capital means a name: in a sentence-case text; or, in Title Case, when it is
  possessive, next to a crypto word (`Avalanche network`, `Near Protocol`: CONTEXT), written
  with its ticker (`Polygon (MATIC)`), or in a list with another coin (`Solana, Polygon`).
  `Ripple` counts when capitalised (the company), never in `ripple effect`.
- A ticker that is not a word (`BTC`, `XRP`, `AVAX`) counts in any case.
- A ticker that is an English word or a name (`SOL`, `ONE`, `GAS`, `LINK`, `NEAR`, `DOT`, `UNI`,
  `ATOM`, `APE`, `TON`, `ADA`…: COMMON_TICKERS) counts only when written in capitals (in a text
  that is not all capitals) or with `$` (`$sol`).
- A ticker of one or two letters, or one that reads as an acronym (`OP`, `AR`, `AI`, `NFT`:
  ACRONYMS), counts only with `$` or right before a crypto word (`OP token`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from core.assets import BY_SYMBOL

COMMON_NAMES = frozenset(
    {"polygon", "avalanche", "cosmos", "stellar", "near", "harmony", "optimism", "the graph",
     "the sandbox", "flow"}
)  # fmt: skip
CAPITALISED_NAMES = frozenset({"ripple", "terra", "luna", "tron", "aave", "pepe"})
COMMON_TICKERS = frozenset(
    {"ONE", "GAS", "LINK", "NEAR", "DOT", "UNI", "ATOM", "OP", "APE", "SOL", "TON", "ETC", "ADA",
     "SAND", "MANA", "WAVES", "RUNE", "VET", "APT", "ARB", "SUI", "DAI", "ALGO", "FIL", "EOS",
     "FLOW", "GALA", "ROSE", "MASK", "CAKE", "BAT", "RAY", "SUN", "WIN", "HOT", "BOND", "MOVE",
     "KEY", "DASH", "NEO", "OCEAN", "RENDER", "SPELL", "SUPER", "PEOPLE", "MEME", "HIGH",
     "BAND", "ALPHA", "FORTH", "FARM", "CITY", "BLUR", "MAGIC", "PORTAL", "SAGA", "NOT",
     "TRUMP", "PEPE", "COMP", "AUDIO", "ALICE", "ACE", "ARK", "HOOK", "JOE", "RARE", "EDU"}
)  # fmt: skip
ACRONYMS = frozenset(
    {"AI", "NFT", "DAO", "ETF", "ETP", "SEC", "CEO", "CFO", "COO", "CTO", "USD", "EUR", "GBP",
     "DEFI", "GAME", "CEX", "DEX", "IPO", "FBI", "IRS", "USA", "ATM", "API", "KYC", "AML",
     "CBDC", "OTC", "APR", "APY", "TVL", "ATH", "FUD", "NEWS", "WEB", "META", "TOKEN", "COIN"}
)  # fmt: skip
CONTEXT = frozenset(
    {"network", "networks", "protocol", "blockchain", "blockchains", "chain", "mainnet",
     "testnet", "ecosystem", "foundation", "labs", "token", "tokens", "coin", "coins", "price",
     "prices", "developer", "developers", "founder", "co-founder", "cofounder", "ceo", "coo",
     "cto", "validators", "validator", "bridge", "subnet", "subnets", "parachain",
     "parachains", "staking", "wallet", "wallets", "nft", "nfts", "defi", "dapp", "dapps",
     "holders", "whales", "upgrade", "fork", "hard-fork", "etf", "etp", "etps", "smart",
     "layer-2", "rollup", "rollups", "airdrop", "community", "dao", "development"}
)  # fmt: skip
# Coins whose names contain a known one's: matched so the shorter is not (unless an asset
# claims the longer name itself).
SHADOWS = ("bitcoin cash", "bitcoin sv", "bitcoin gold", "wrapped bitcoin", "wrapped ether",
           "ethereum classic", "ethereum name service", "ethereumpow", "baby doge", "bored ape",
           "bored apes", "ripple effect", "ripple effects", "shiba inu games")  # fmt: skip
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_POSSESSIVE = ("'s", "’s", "'", "’")


@dataclass(frozen=True, slots=True)
class _Match:
    symbol: str | None  # None: a shadow, which only stops shorter names
    start: int
    end: int
    kind: str  # "name", "common_name", "capitalised", "ticker", "common_ticker", "acronym"
    text: str  # as written, without a `$` or a possessive
    dollar: bool
    possessive: bool


def kind_of(alias: str, symbol: str) -> str:
    if alias.upper() == symbol:
        if len(symbol) <= 2 or symbol in ACRONYMS:
            return "acronym"
        return "common_ticker" if symbol in COMMON_TICKERS else "ticker"
    if alias in COMMON_NAMES:
        return "common_name"
    return "capitalised" if alias in CAPITALISED_NAMES else "name"


class Tagger:
    """Built once from the assets' aliases (alias -> symbol, as the directory holds them);
    `tag(text)` is then a pure function of the text."""

    def __init__(self, aliases: Mapping[str, str]) -> None:
        self._kinds: dict[str, tuple[str, str | None]] = {}
        for alias, symbol in aliases.items():
            key = " ".join(alias.lower().split())
            if key and re.search(r"[a-z0-9]", key):
                self._kinds[key] = (kind_of(key, symbol.upper()), symbol.upper())
        for shadow in SHADOWS:
            self._kinds.setdefault(shadow, ("shadow", None))
        phrases = sorted(self._kinds, key=lambda a: (-len(a), a))
        alternation = "|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases)
        self._pattern = re.compile(
            rf"(?<![\w$/.])(\$)?({alternation})((?:'s|’s|s'|s’|s|'|’)?)(?![\w])"
            if phrases
            else r"(?!x)x",
            re.IGNORECASE,
        )

    def tag(self, text: str) -> frozenset[str]:
        """The symbols of the coins `text` is about."""
        matches = list(self._matches(text))
        title_case = _title_case(text)
        shouting = text.upper() == text
        accepted: list[_Match] = []
        pending: list[_Match] = []
        for match in matches:
            verdict = self._accept(match, text, title_case, shouting, matches)
            if verdict is True:
                accepted.append(match)
            elif verdict is None:
                pending.append(match)
        while pending:  # a common name in a list with an accepted coin ("Solana, Polygon")
            listed = [m for m in pending if any(_listed_together(text, m, o) for o in accepted)]
            if not listed:
                break
            accepted += listed
            pending = [m for m in pending if m not in listed]
        return frozenset(m.symbol for m in accepted if m.symbol is not None)

    def _matches(self, text: str) -> Iterable[_Match]:
        for found in self._pattern.finditer(text):
            dollar, written, suffix = found.group(1), found.group(2), found.group(3)
            kind, symbol = self._kinds[" ".join(written.lower().split())]
            if suffix in ("s", "S") and kind not in ("name", "capitalised", "shadow"):
                continue  # "SOLs", "ONEs", "Cosmoss": not a plural we read
            yield _Match(
                symbol,
                found.start(),
                found.end(),
                kind,
                written,
                dollar is not None,
                suffix in _POSSESSIVE or suffix in ("s'", "s’"),
            )

    def _accept(
        self, m: _Match, text: str, title_case: bool, shouting: bool, all_: list[_Match]
    ) -> bool | None:
        """True: counts; False: does not; None: a common name that counts if listed with a coin."""
        if m.symbol is None:
            return False
        if m.kind in ("name", "ticker"):
            return True
        if m.kind == "capitalised":
            return m.text[0].isupper()
        if m.kind == "acronym":
            return m.dollar or (m.text.isupper() and _next_word(text, m.end) in CONTEXT)
        if m.kind == "common_ticker":
            return m.dollar or (m.text.isupper() and not shouting)
        # a common name: capitalised, and a capital that means a name here
        if not m.text[0].isupper() or shouting:
            return m.dollar
        if not title_case or m.possessive:
            return True
        if _next_word(text, m.end) in CONTEXT or _previous_word(text, m.start) in CONTEXT:
            return True
        same_coin = any(o.symbol == m.symbol and o is not m and o.kind != m.kind for o in all_)
        return True if same_coin else None


def _title_case(text: str) -> bool:
    """Most longer words after the first capitalised: a capital there says nothing."""
    words = [w for w in _WORD.findall(text)[1:] if len(w) >= 4]
    if len(words) < 3:
        return True
    capitalised = sum(1 for w in words if w[0].isupper())
    return capitalised >= 0.6 * len(words)


def _next_word(text: str, end: int) -> str:
    found = _WORD.search(text, end)
    if found is None or text[end : found.start()].strip(" ()"):
        return ""
    return found.group(0).lower()


def _previous_word(text: str, start: int) -> str:
    words = list(_WORD.finditer(text, 0, start))
    if not words or text[words[-1].end() : start].strip() != "":
        return ""
    return words[-1].group(0).lower()


def _listed_together(text: str, a: _Match, b: _Match) -> bool:
    """`a` and `b` side by side in a list: "Solana, Polygon", "Polygon and Ethereum"."""
    first, second = (a, b) if a.start < b.start else (b, a)
    between = text[first.end : second.start].strip().lower()
    return between in (",", "&", "and", ", and", "or", ", or", "/")


def vocabulary(aliases: Mapping[str, str], symbols: Iterable[str]) -> dict[str, str]:
    """What to tag with (alias -> symbol): the stored aliases, and the catalogue's names and
    ticker of every known asset (an asset some exchange lists may have no alias stored)."""
    words = {alias.lower(): symbol for alias, symbol in aliases.items()}
    for symbol in symbols:
        info = BY_SYMBOL.get(symbol)
        if info is not None:
            for alias in (*info.aliases, info.name.lower(), symbol.lower()):
                words.setdefault(alias, symbol)
    return words
