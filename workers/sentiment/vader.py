"""VADER with our crypto lexicon on top of its own."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from workers.sentiment.lexicon import CRYPTO_LEXICON


def lexicon_digest() -> str:
    """Which version of our additions a VADER score was made with."""
    text = json.dumps(CRYPTO_LEXICON, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


class Vader:
    """VADER's compound score, in [-1, 1], of each text."""

    def __init__(self) -> None:
        self._analyzer = SentimentIntensityAnalyzer()  # reads the lexicon its package ships
        self._analyzer.lexicon.update(CRYPTO_LEXICON)

    def compound(self, texts: Sequence[str]) -> list[float]:
        score = self._analyzer.polarity_scores
        return [float(score(text)["compound"]) for text in texts]
