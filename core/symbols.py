"""Reading the asset symbols a person types: `/price btc eth`, `/price $SOL`, `/price bitcoin`."""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from core.currencies import TICKER_QUOTES

MAX_SYMBOLS = 10
_SHAPE = re.compile(r"^[A-Z0-9]{1,15}$")
# What people paste around tickers: "$BTC", "BTC/USDT", "btc-usd", "#eth", "BTC,", "ETHBTC".
# The shortest base wins, so the longest quote is taken off: SOLFDUSD is SOL, not SOLFD.
_QUOTE_SUFFIX = re.compile(rf"^([A-Z0-9]{{2,15}}?)[/\-_]?({'|'.join(TICKER_QUOTES)})$")


@dataclass(frozen=True, slots=True)
class SymbolProblem:
    """One argument that is not a known asset, with what Pythia guesses was meant."""

    text: str
    reason: str  # "unknown", "shape", or "unlisted" (known, but no exchange Pythia follows)
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SymbolRequest:
    symbols: tuple[str, ...] = ()
    problems: tuple[SymbolProblem, ...] = ()
    too_many: bool = False
    dropped: tuple[str, ...] = field(default=())


def undecorated(text: str) -> str:
    """Upper case, without the `$`, `#` and punctuation people type around a ticker."""
    return text.strip().strip(",;.").lstrip("$#").upper()


def clean(text: str) -> str:
    """Upper-case ticker without the decorations people type around it, nor a market's quote."""
    cleaned = undecorated(text)
    match = _QUOTE_SUFFIX.match(cleaned.replace(" ", ""))
    if match and match.group(1) not in ("USD",):
        return match.group(1)
    return cleaned


def resolve(
    args: Sequence[str],
    known: Iterable[str],
    names: Mapping[str, str] | None = None,
    limit: int = MAX_SYMBOLS,
    listed: Collection[str] | None = None,
) -> SymbolRequest:
    """Map typed arguments onto known symbols; names maps lower-case names/aliases to symbols.
    With `listed`, a known symbol no followed exchange trades is a problem too."""
    known_set = set(known)
    names = names or {}
    symbols: list[str] = []
    problems: list[SymbolProblem] = []
    for raw in args:
        if not raw.strip():
            continue
        by_name = names.get(raw.strip().lower())
        plain = undecorated(raw)  # a known ticker that merely ends like a quote: STETH, FDUSD
        candidate = by_name or (plain if plain in known_set else clean(raw))
        if candidate in known_set:
            if listed is not None and candidate not in listed:
                problems.append(SymbolProblem(raw, "unlisted"))
            elif candidate not in symbols:
                symbols.append(candidate)
            continue
        if not _SHAPE.match(candidate):
            problems.append(SymbolProblem(raw, "shape"))
            continue
        guesses = suggest(candidate, known_set if listed is None else listed, names)
        problems.append(SymbolProblem(raw, "unknown", guesses))
    too_many = len(symbols) > limit
    return SymbolRequest(
        symbols=tuple(symbols[:limit]),
        problems=tuple(problems),
        too_many=too_many,
        dropped=tuple(symbols[limit:]),
    )


def suggest(
    text: str, known: Iterable[str], names: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """Up to three known symbols close to `text`, by ticker or by name."""
    known_list = sorted(set(known))
    found = difflib.get_close_matches(text.upper(), known_list, n=3, cutoff=0.5)
    if names and len(found) < 3:
        for name in difflib.get_close_matches(text.lower(), sorted(names), n=3, cutoff=0.75):
            symbol = names[name]
            if symbol not in found and symbol in known_list:
                found.append(symbol)
    return tuple(found[:3])
