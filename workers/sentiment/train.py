"""Training the light model, reproducibly: the same seed gives the same file, byte for byte.

Data: the Twitter Financial News set (human-labelled, MIT). A fixed 20% of it (HOLDOUT_SEED,
whatever --seed says) is held out and only measured on; the regularisation strength is chosen by
5-fold cross-validation inside the other 80%, and the model is then fitted on all of that 80%.
Financial PhraseBank (CC BY-NC-SA) is only ever measured on, never trained on. Our hand-labelled
crypto headlines are a development set: measured, and looked at when choosing the features.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, train_test_split

from core.sentiment import LABELS, Evaluation, evaluate, map_labels, parse_label_map, vader_label
from workers.sentiment.card import render_card
from workers.sentiment.features import normalise
from workers.sentiment.files import read_labelled
from workers.sentiment.model import LightModel, NGrams, load_model
from workers.sentiment.scorers import DATA, Scorers

TWITTER = DATA / "twitter_financial_news" / "sent_train.csv"
TWITTER_LABELS = "0=negative,1=positive,2=neutral"  # the set's Bearish, Bullish, Neutral
PHRASEBANK = {
    "PhraseBank AllAgree": DATA / "phrasebank" / "Sentences_AllAgree.txt",
    "PhraseBank 50Agree": DATA / "phrasebank" / "Sentences_50Agree.txt",
}
CRYPTO_DEV = DATA / "crypto_headlines_dev.csv"
HOLDOUT_SEED = 0
HOLDOUT = 0.2
FOLDS = 5
GRID = (1.0, 2.0, 4.0, 8.0)  # C, the inverse regularisation strength
LEXICON_WEIGHT = 1.0
WORD = {
    "analyzer": "word",
    "ngram_range": (1, 2),
    "min_df": 2,
    "token_pattern": r"(?u)\b\w[\w']*\b",
}
CHAR = {"analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 3, "token_pattern": None}


@dataclass(frozen=True, slots=True)
class Split:
    texts: list[str]
    labels: list[str]


@dataclass(slots=True)
class Report:
    seed: int
    train: Split
    holdout: Split
    cv: dict[float, float]  # C → mean macro-F1 over the folds
    chosen: float
    model: LightModel
    results: dict[str, tuple[Evaluation, Evaluation]] = field(default_factory=dict)  # light, VADER


def twitter() -> Split:
    got = read_labelled(TWITTER)
    return Split(got.texts, map_labels(got.labels, parse_label_map(TWITTER_LABELS)))


def holdout_split(data: Split) -> tuple[Split, Split]:
    """The 80% trained on and the 20% only measured on, stratified by label."""
    a, b, c, d = train_test_split(
        data.texts, data.labels, test_size=HOLDOUT, random_state=HOLDOUT_SEED, stratify=data.labels
    )
    return Split(list(a), list(c)), Split(list(b), list(d))


def featurise(texts: Sequence[str]) -> LightModel:
    """A model with its vectorisers fitted on `texts` and no weights yet."""
    ngrams = []
    for settings in (WORD, CHAR):
        vectoriser = TfidfVectorizer(
            preprocessor=normalise, lowercase=False, sublinear_tf=True, dtype=np.float64, **settings
        ).fit(texts)
        ngrams.append(
            NGrams(
                analyzer=str(settings["analyzer"]),
                ngram_range=settings["ngram_range"],  # type: ignore[arg-type]
                token_pattern=settings["token_pattern"],  # type: ignore[arg-type]
                terms=tuple(str(term) for term in vectoriser.get_feature_names_out()),
                idf=vectoriser.idf_.astype(np.float64),
            )
        )
    empty = np.zeros((len(LABELS), 0))
    return LightModel(
        tuple(ngrams), LEXICON_WEIGHT, empty, np.zeros(len(LABELS)), sklearn.__version__
    )


def _regression(c: float, seed: int) -> LogisticRegression:
    return LogisticRegression(C=c, class_weight="balanced", max_iter=5000, random_state=seed)


def fit(texts: Sequence[str], labels: Sequence[str], c: float, seed: int) -> LightModel:
    """The light model fitted on `texts` with regularisation `c`."""
    model = featurise(texts)
    regression = _regression(c, seed).fit(model.features(texts), labels)
    assert tuple(regression.classes_) == LABELS
    model.coef, model.intercept = regression.coef_.copy(), regression.intercept_.copy()
    return model


def cross_validate(data: Split, seed: int, grid: Sequence[float] = GRID) -> dict[float, float]:
    """Mean macro-F1 of each C over FOLDS stratified folds shuffled by `seed`."""
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=seed)
    scores: dict[float, list[float]] = {c: [] for c in grid}
    texts, labels = np.asarray(data.texts, dtype=object), np.asarray(data.labels)
    for inside, outside in folds.split(texts, labels):
        skeleton = featurise(list(texts[inside]))  # features fitted inside the fold only
        x_in, x_out = (
            skeleton.features(list(texts[inside])),
            skeleton.features(list(texts[outside])),
        )
        for c in grid:
            predicted = _regression(c, seed).fit(x_in, labels[inside]).predict(x_out)
            scores[c].append(evaluate(list(labels[outside]), list(predicted)).macro_f1)
    return {c: statistics.fmean(values) for c, values in scores.items()}


def measure(
    scorers: Scorers, truth: Sequence[str], texts: Sequence[str]
) -> tuple[Evaluation, Evaluation]:
    """The light model's and VADER's evaluations on one labelled set."""
    scores = scorers.score(texts)
    light = evaluate(truth, [s.label for s in scores])
    vader = evaluate(truth, [vader_label(s.vader) for s in scores])
    return light, vader


def evaluation_sets(holdout: Split) -> dict[str, Split]:
    sets = {"Twitter held-out 20%": holdout}
    for name, path in PHRASEBANK.items():
        got = read_labelled(path, "phrasebank")
        sets[name] = Split(got.texts, map_labels(got.labels))
    got = read_labelled(CRYPTO_DEV)
    sets["crypto headlines (dev)"] = Split(got.texts, map_labels(got.labels))
    return sets


def train(seed: int, grid: Sequence[float] = GRID, data: Split | None = None) -> Report:
    """Cross-validate, fit on the 80% and measure on the held-out and evaluation-only sets."""
    training, holdout = holdout_split(data or twitter())
    cv = cross_validate(training, seed, grid)
    chosen = max(grid, key=lambda c: (round(cv[c], 6), -c))  # a tie goes to the simpler model
    model = fit(training.texts, training.labels, chosen, seed)
    return Report(seed, training, holdout, cv, chosen, model)


def save(report: Report, out: Path) -> Path:
    """Write the model to `out` and its card beside it; measure the stored model. The card."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(report.model.to_bytes())
    scorers = Scorers(load_model(out))  # measured as it will be used: from the file
    for name, split in evaluation_sets(report.holdout).items():
        report.results[name] = measure(scorers, split.labels, split.texts)
    card = card_path(out)
    card.write_text(render_card(report, scorers.version, out), encoding="utf-8")
    return card


def card_path(model: Path) -> Path:
    name = model.name.removesuffix(".gz").removesuffix(".json")
    return model.with_name(f"{name}.card.md")
