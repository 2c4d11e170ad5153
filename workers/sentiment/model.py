"""The light model: TF-IDF of word and character n-grams plus the market-word counts, into a
multinomial logistic regression. Kept as plain numbers in one gzipped JSON file (no pickle: it
loads the same under any Python, and loading it runs no code), with the scikit-learn version it
was trained under and a few probe headlines with the probabilities it gave them: a file whose
probes come out different here is refused rather than trusted."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import normalize

from core.sentiment import LABELS
from workers.sentiment.errors import ModelError
from workers.sentiment.features import LEXICON_FEATURES, lexicon_matrix, lexicon_version, normalise

FORMAT = "pythia-sentiment-linear/1"
PROBES = (
    "Bitcoin soars to a record high as ETF inflows surge",
    "Exchange hacked, $50M in ETH stolen; withdrawals halted",
    "Ethereum developers schedule the next network upgrade call",
    "$XYZ cut to Neutral at Example Securities https://t.co/abc",
)  # fmt: skip
PROBE_TOLERANCE = 1e-6


@dataclass(frozen=True, slots=True)
class NGrams:
    """One fitted TF-IDF vectoriser as numbers: its settings, terms (column order) and idf."""

    analyzer: str  # "word" or "char_wb"
    ngram_range: tuple[int, int]
    token_pattern: str | None
    terms: tuple[str, ...]
    idf: np.ndarray

    def counter(self) -> CountVectorizer:
        return CountVectorizer(
            analyzer=self.analyzer,
            ngram_range=self.ngram_range,
            token_pattern=self.token_pattern,
            preprocessor=normalise,
            lowercase=False,  # normalise lowers
            vocabulary={term: i for i, term in enumerate(self.terms)},
            dtype=np.float64,
        )


def tfidf(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """What TfidfVectorizer(sublinear_tf=True) does with its counts: 1 + log tf, × idf, L2."""
    counts = counts.astype(np.float64).tocsr()
    counts.data = np.log(counts.data) + 1.0
    return normalize((counts @ sparse.diags(idf)).tocsr(), norm="l2", copy=False)


@dataclass(slots=True)
class LightModel:
    ngrams: tuple[NGrams, ...]
    lexicon_weight: float
    coef: np.ndarray  # (len(LABELS), features)
    intercept: np.ndarray  # (len(LABELS),)
    trained_with: str  # scikit-learn version
    digest: str = ""
    _counters: tuple[CountVectorizer, ...] = ()

    def __post_init__(self) -> None:
        self._counters = tuple(n.counter() for n in self.ngrams)

    @property
    def name(self) -> str:
        return f"light-{self.digest[:8]}"

    def features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        blocks = [
            tfidf(counter.transform(texts), n.idf)
            for counter, n in zip(self._counters, self.ngrams, strict=True)
        ]
        blocks.append(sparse.csr_matrix(lexicon_matrix(texts) * self.lexicon_weight))
        return sparse.hstack(blocks, format="csr")

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """P(negative), P(neutral), P(positive) of each text, one row each."""
        if not texts:
            return np.zeros((0, len(LABELS)))
        logits = self.features(texts) @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        return odds / odds.sum(axis=1, keepdims=True)

    def to_bytes(self, probes: Sequence[str] = PROBES) -> bytes:
        """The model as gzipped JSON, byte for byte the same for the same numbers."""
        document: dict[str, Any] = {
            "format": FORMAT,
            "sklearn": self.trained_with,
            "labels": list(LABELS),
            "lexicon": lexicon_version(),
            "lexicon_features": list(LEXICON_FEATURES),
            "lexicon_weight": self.lexicon_weight,
            "ngrams": [
                {
                    "analyzer": n.analyzer,
                    "ngram_range": list(n.ngram_range),
                    "token_pattern": n.token_pattern,
                    "terms": list(n.terms),
                    "idf": _pack(n.idf),
                }
                for n in self.ngrams
            ],
            "coef": _pack(self.coef),
            "intercept": _pack(self.intercept),
        }
        # the probes' answers are the stored numbers' (float32), not the trained ones'
        stored = _from_document(document, digest="")
        document["probes"] = [
            {"text": text, "p": [float(p) for p in row]}
            for text, row in zip(probes, stored.probabilities(list(probes)), strict=True)
        ]
        raw = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        out = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0) as packed:
            packed.write(raw.encode("utf-8"))
        return out.getvalue()


def _pack(array: np.ndarray) -> dict[str, Any]:
    data = np.ascontiguousarray(array, dtype="<f4")
    return {"shape": list(data.shape), "f4": base64.b64encode(data.tobytes()).decode("ascii")}


def _unpack(packed: dict[str, Any]) -> np.ndarray:
    data = np.frombuffer(base64.b64decode(packed["f4"]), dtype="<f4")
    return data.astype(np.float64).reshape(packed["shape"])


def _from_document(document: dict[str, Any], digest: str) -> LightModel:
    ngrams = tuple(
        NGrams(
            analyzer=n["analyzer"],
            ngram_range=(n["ngram_range"][0], n["ngram_range"][1]),
            token_pattern=n["token_pattern"],
            terms=tuple(n["terms"]),
            idf=_unpack(n["idf"]),
        )
        for n in document["ngrams"]
    )
    return LightModel(
        ngrams=ngrams,
        lexicon_weight=float(document["lexicon_weight"]),
        coef=_unpack(document["coef"]),
        intercept=_unpack(document["intercept"]),
        trained_with=document["sklearn"],
        digest=digest,
    )


def load_model(path: Path) -> LightModel:
    """The model in `path`, checked against this installation; ModelError if it cannot be used."""
    try:
        packed = path.read_bytes()
        document = json.loads(gzip.decompress(packed))
    except FileNotFoundError:
        retrain = "train one with `pythia train-sentiment`"
        raise ModelError(f"no sentiment model at {path}: {retrain}") from None
    except (OSError, EOFError, ValueError) as exc:
        raise ModelError(f"{path} is not a sentiment model file ({exc})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelError(f"{path} is not a {FORMAT} model file")
    trained_with = document.get("sklearn", "?")
    retrain = f"retrain it with `pythia train-sentiment` (scikit-learn {sklearn.__version__} here)"
    if str(trained_with).split(".")[0] != sklearn.__version__.split(".")[0]:
        raise ModelError(f"{path} was trained with scikit-learn {trained_with}: {retrain}")
    if tuple(document.get("labels", ())) != LABELS:
        raise ModelError(f"{path} has labels {document.get('labels')}, not {list(LABELS)}")
    if document.get("lexicon") != lexicon_version():
        raise ModelError(f"{path} was trained with other market-word lists: {retrain}")
    model = _from_document(document, digest=hashlib.sha256(packed).hexdigest())
    probes = document.get("probes", [])
    got = model.probabilities([probe["text"] for probe in probes])
    for probe, row in zip(probes, got, strict=True):
        if not np.allclose(row, probe["p"], atol=PROBE_TOLERANCE, rtol=0):
            raise ModelError(
                f"{path} (trained with scikit-learn {trained_with}) scores its probe "
                f"{probe['text']!r} differently here: {retrain}"
            )
    return model
