"""When two headlines tell the same story: normalised titles compared with rapidfuzz, and the
facts a rewrite keeps (its numbers, its tickers) required to agree.

Publishers rewrite each other's headlines ("Binance announces crypto card for Ukrainian
refugees" / "Binance Introduces New Crypto Card for Ukrainian Refugees"), while a daily column
keeps its words and changes its facts ("Price analysis 4/11: BTC, ETH…" / "Price analysis
4/13: …"; "…, LUNA and WAVES Rally" / "…, AAVE and CHZ Rally"). So a pair is one story when
the words are close (`SIMILAR` on rapidfuzz's 0–100 scale, the better of plain and
token-sorted ratio) and neither the numbers nor the capitalised words disagree (one headline's
are all among the other's).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from rapidfuzz import fuzz, process

SIMILAR = 85.0  # measured on the real headlines of tests/fixtures/news: 85 joins rewrites
WINDOW = timedelta(hours=48)  # how far apart two publishers' takes on one story are dated

_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "“": '"', "”": '"'})
_SCALE = {"k": 10**3, "thousand": 10**3, "m": 10**6, "mn": 10**6, "million": 10**6,
          "b": 10**9, "bn": 10**9, "billion": 10**9, "t": 10**12, "trillion": 10**12}  # fmt: skip
_NUMBER = re.compile(
    r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)\s*(k|thousand|mn|million|m|bn|billion|b|trillion|t)?(?![\w])",
    re.IGNORECASE,
)
_TICKERISH = re.compile(r"(?<![\w$])\$?([A-Z][A-Z0-9]{1,9})(?![\w])")
_NOT_WORD = re.compile(r"[^\w$% ]+")


def _plain(title: str) -> str:
    return unicodedata.normalize("NFKC", title).translate(_QUOTES)


def title_key(title: str) -> str:
    """Lower case, quotes straightened, punctuation dropped, numbers written one way
    ("$40K", "$40,000" and "$40 thousand" are all "$40000"), spaces folded."""
    text = _NUMBER.sub(lambda m: _number(m.group(1), m.group(2)), _plain(title))
    return " ".join(_NOT_WORD.sub(" ", text.lower().replace("'", "")).split())


def _number(digits: str, scale: str | None) -> str:
    value = digits.replace(",", "")
    if not re.fullmatch(r"\d+(\.\d+)?", value):
        return digits
    if scale is not None:
        scaled = float(value) * _SCALE[scale.lower()]
        return f"{scaled:.0f}" if scaled >= 1 else value
    return value


@dataclass(frozen=True, slots=True)
class Headline:
    """What the duplicate decision needs of a title: its key and the facts it states."""

    key: str
    numbers: frozenset[str]
    tickers: frozenset[str]

    @classmethod
    def of(cls, title: str) -> Headline:
        key = title_key(title)
        plain = _plain(title)
        numbers = frozenset(re.findall(r"\d+(?:\.\d+)?", key))
        # all-capital words that are not the whole headline shouting (then none count)
        shouting = plain.upper() == plain
        tickers = frozenset() if shouting else frozenset(_TICKERISH.findall(plain))
        return cls(key, numbers, tickers)


def similarity(a: str, b: str) -> float:
    """0–100: how alike two title keys read (word order aside)."""
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))


def _agree(a: frozenset[str], b: frozenset[str]) -> bool:
    """One states what the other does, or less: "$150M" and "USD 150M, F1" agree."""
    return a <= b or b <= a


def _facts_agree(a: Headline, b: Headline) -> bool:
    return _agree(a.numbers, b.numbers) and _agree(a.tickers, b.tickers)


def same_story(a: Headline, b: Headline, threshold: float = SIMILAR) -> bool:
    """Whether two headlines tell one story (their dates are checked by the caller)."""
    if not a.key or not b.key:
        return False
    return _facts_agree(a, b) and similarity(a.key, b.key) >= threshold


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stored story a new item may belong to (`key`: its stored title key, if at hand)."""

    story_id: int
    title: str
    published_at: datetime
    key: str | None = None


def near_duplicate(
    title: str,
    published_at: datetime,
    candidates: Iterable[Candidate],
    *,
    window: timedelta = WINDOW,
    threshold: float = SIMILAR,
) -> int | None:
    """The id of the stored story `title` retells (the closest that agrees on the facts, within
    `window` of `published_at`), or None: a story of its own."""
    new = Headline.of(title)
    if not new.key:
        return None
    near = [c for c in candidates if abs(c.published_at - published_at) <= window]
    keys = [c.key if c.key is not None else title_key(c.title) for c in near]
    best: dict[int, float] = {}
    for scorer in (fuzz.ratio, fuzz.token_sort_ratio):  # rapidfuzz's own loops, in C
        for _key, score, index in process.extract(
            new.key, keys, scorer=scorer, score_cutoff=threshold, limit=None
        ):
            best[index] = max(best.get(index, 0.0), score)
    for index in sorted(best, key=lambda i: -best[i]):
        if _facts_agree(new, Headline.of(near[index].title)):
            return near[index].story_id
    return None
