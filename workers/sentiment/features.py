"""What the light model reads of a text: the text normalised (links, tickers and numbers made
alike, the sign of a percentage kept), and a few counts of market words — rises and falls,
good and bad news, and whether what rises is a bad thing (losses, debt) — that carry what the
training tweets taught to wordings they never used (a headline, a report's sentence)."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable

import numpy as np

URL = re.compile(r"https?://\S+|www\.\S+")
CASHTAG = re.compile(r"\$[A-Za-z][A-Za-z.]{0,9}\b")
NUMBER = re.compile(r"(?<![\w])([+\-]?)[$€£]?\d+(?:[.,]\d+)*([%kKmMbB]?)")


def _number(match: re.Match[str]) -> str:
    sign, unit = match.group(1), match.group(2)
    if unit == "%":
        return {"+": " pctup ", "-": " pctdown "}.get(sign, " pct ")
    return " num "


def normalise(text: str) -> str:
    """Lower case; links dropped, $TICKERS one token, numbers one token, +5% and -5% two."""
    text = URL.sub(" ", text)
    text = CASHTAG.sub(" tkr ", text)
    text = NUMBER.sub(_number, text)
    return text.lower()


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Directions: a metric going up or down.
UP = _words(
    "rise rises rose risen rising increase increased increases increasing grow grows grew "
    "grown growing growth gain gains gained jump jumps jumped climb climbs climbed surge surges "
    "surged surging soar soars soared soaring rally rallies rallied rallying rebound rebounds "
    "rebounded recover recovers recovered recovery improve improved improves improvement higher "
    "up boost boosts boosted expand expands expanded expansion beat beats exceed exceeds "
    "exceeded outperform outperforms outperformed upgrade upgraded upgrades raise raises raised "
    "spike spikes spiked advance advances advanced doubled tripled top tops topped strengthen "
    "strengthened high highs"
)
DOWN = _words(
    "fall falls fell fallen falling drop drops dropped dropping decline declines declined "
    "declining decrease decreased decreases decreasing slump slumps slumped plunge plunges "
    "plunged plunging tumble tumbles tumbled sink sinks sank slide slides slid sliding dip dips "
    "dipped lower down cut cuts cutting miss misses missed weaken weakened weaker shrink shrinks "
    "shrank contract contracted contraction downgrade downgraded downgrades crash crashes "
    "crashed collapse collapsed collapses underperform underperformed slash slashed halved dive "
    "dives dived diving selloff sell-off narrowed narrow narrows low lows lose loses lost erase "
    "erased wipe wiped"
)
# Things whose rise is bad news ("losses widened", "debt rose"): they turn a direction round.
BAD_THINGS = _words(
    "loss losses cost costs debt debts unemployment deficit inflation layoffs expenses "
    "liabilities outflows liquidations risk risks fees fee fines penalty penalties volatility"
)
GOOD = _words(
    "profit profits profitable bullish optimistic upbeat success successful win wins won approve "
    "approved approves approval partnership partner adoption record breakout buy dividend award "
    "awarded agreement deal contract positive strong stronger robust best boom booming benefit "
    "benefits opportunity upside confidence confident support supports legal legalize legalizes "
    "legalized invest invests investment accumulate accumulation inflows moon ath all-time ally "
    "bull bulls"
)
BAD = _words(
    "bearish lawsuit lawsuits sue sues sued fraud scam scams hack hacks hacked hacker hackers "
    "exploit exploited breach stolen steal theft bankrupt bankruptcy insolvent insolvency default "
    "defaults fine fined penalty probe investigation ban bans banned delist delisted delisting "
    "warning warn warns warned concern concerns fear fears crisis recession layoff layoffs fired "
    "resign resigns resigned halt halted halts suspend suspended rejection reject rejects "
    "rejected negative weak worst bear bears rekt rug dump dumps dumped liquidated liquidation "
    "sanctions sanction crackdown downturn slowdown uncertainty threat threats risk risky bubble "
    "panic capitulation outflows phishing malware loss losses deficit"
)
NEGATIONS = _words(
    "not no never without don't doesn't didn't won't isn't aren't wasn't cannot can't fail fails"
)
TOKEN = re.compile(r"[a-z][a-z'\-]*|[+\-]?\d+(?:[.,]\d+)?%")
LEXICON_FEATURES = (
    "up", "down", "good", "bad", "direction", "bad_thing", "pct_up", "pct_down", "balance",
)  # fmt: skip


def lexicon_version() -> str:
    """A digest of the word lists: a model trained on other lists must not be used with these."""
    lists = (UP, DOWN, BAD_THINGS, GOOD, BAD, NEGATIONS)
    text = "|".join(" ".join(sorted(words)) for words in lists) + TOKEN.pattern
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def lexicon_row(text: str) -> list[float]:
    """The counts of one text, each signed and log-scaled (a fifth "up" adds little)."""
    tokens = TOKEN.findall(text.lower())
    up = down = good = bad = pct_up = pct_down = 0
    for i, token in enumerate(tokens):
        if token.endswith("%"):
            pct_up += token.startswith("+")
            pct_down += token.startswith("-")
            continue
        sign = -1 if NEGATIONS.intersection(tokens[max(0, i - 3) : i]) else 1
        up += sign * (token in UP)
        down += sign * (token in DOWN)
        good += sign * (token in GOOD)
        bad += sign * (token in BAD)
    bad_thing = any(token in BAD_THINGS for token in tokens)
    direction = (up - down) * (-1 if bad_thing else 1)
    counts = (up, down, good, bad, direction, bad_thing, pct_up, pct_down, good - bad + direction)
    return [math.copysign(math.log1p(abs(c)), c) for c in counts]


def lexicon_matrix(texts: Iterable[str]) -> np.ndarray:
    """lexicon_row of each text, one row each."""
    rows = [lexicon_row(text) for text in texts]
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(LEXICON_FEATURES))
