"""Sentiment as data: the three labels, the two scores a headline gets, how well a model labels a
set (macro-F1, per-class F1, confusion matrix) and how a file's own labels map onto ours."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

NEGATIVE, NEUTRAL, POSITIVE = "negative", "neutral", "positive"
LABELS: tuple[str, str, str] = (NEGATIVE, NEUTRAL, POSITIVE)

# VADER's own convention (Hutto & Gilbert): a compound of ±0.05 or beyond carries a sentiment.
VADER_THRESHOLD = 0.05


@dataclass(frozen=True, slots=True)
class Scores:
    """What the two models say of one text."""

    vader: float  # VADER compound in [-1,1]
    model: float  # light model, P(pos)-P(neg) in [-1,1]
    label: str  # the light model's label


def vader_label(compound: float, threshold: float = VADER_THRESHOLD) -> str:
    """VADER's label for its compound score."""
    if compound >= threshold:
        return POSITIVE
    if compound <= -threshold:
        return NEGATIVE
    return NEUTRAL


@dataclass(frozen=True, slots=True)
class Evaluation:
    """How one model's labels compare with the true ones; classes in LABELS order."""

    texts: int
    macro_f1: float  # the unweighted mean of the per-class F1 of the classes present
    f1: Mapping[str, float]
    support: Mapping[str, int]  # true labels per class
    confusion: tuple[tuple[int, ...], ...]  # rows: true label, columns: predicted label
    accuracy: float


def evaluate(truth: Sequence[str], predicted: Sequence[str]) -> Evaluation:
    """Macro-F1, per-class F1 and the confusion matrix of `predicted` against `truth`.

    A class absent from the truth and never predicted would add a meaningless 0 to the mean, so
    the macro average runs over the classes the truth or the predictions contain.
    """
    if len(truth) != len(predicted):
        raise ValueError(f"{len(truth)} true labels but {len(predicted)} predictions")
    if not truth:
        raise ValueError("nothing to evaluate")
    strange = (set(truth) | set(predicted)) - set(LABELS)
    if strange:
        raise ValueError(f"labels outside {LABELS}: {sorted(strange)}")
    # imported here: the bot reads this module's labels, and scikit-learn would add 150 MB
    # and 1,500 modules to a process that never evaluates anything
    from sklearn.metrics import confusion_matrix, f1_score

    per_class = f1_score(truth, predicted, labels=list(LABELS), average=None, zero_division=0)
    seen = [label for label in LABELS if label in set(truth) | set(predicted)]
    macro = f1_score(truth, predicted, labels=seen, average="macro", zero_division=0)
    matrix = confusion_matrix(truth, predicted, labels=list(LABELS))
    right = sum(int(matrix[i][i]) for i in range(len(LABELS)))
    return Evaluation(
        texts=len(truth),
        macro_f1=float(macro),
        f1={label: float(value) for label, value in zip(LABELS, per_class, strict=True)},
        support={label: int(row.sum()) for label, row in zip(LABELS, matrix, strict=True)},
        confusion=tuple(tuple(int(n) for n in row) for row in matrix),
        accuracy=right / len(truth),
    )


class LabelMapError(ValueError):
    """A label map or a file's labels cannot be read as ours; `code` says why, `params` what."""

    def __init__(self, code: str, /, **params: Any) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params


def parse_label_map(text: str) -> dict[str, str]:
    """`'Bearish=negative,Bullish=positive,0=neutral'` as {file label: our label}.

    File labels are kept as written (trimmed); ours are any case of LABELS. Codes:
    `map.empty`, `map.not_a_pair` (item), `map.unknown_label` (item, label),
    `map.twice` (label: a file label mapped twice).
    """
    mapping: dict[str, str] = {}
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        raise LabelMapError("map.empty")
    for item in items:
        theirs, equals, ours = item.partition("=")
        theirs, ours = theirs.strip(), ours.strip().lower()
        if not equals or not theirs or not ours:
            raise LabelMapError("map.not_a_pair", item=item)
        if ours not in LABELS:
            raise LabelMapError("map.unknown_label", item=item, label=ours)
        if theirs in mapping:
            raise LabelMapError("map.twice", label=theirs)
        mapping[theirs] = ours
    return mapping


def map_labels(raw: Iterable[str], mapping: Mapping[str, str] | None = None) -> list[str]:
    """Each of a file's labels as one of LABELS.

    With a mapping, a label is looked up as written, then regardless of case; without one, a
    label must be one of LABELS in any case. Raises `labels.unmapped` (labels: the distinct
    ones that did not map, sorted, at most five; count: how many distinct ones there were).
    """
    raw = [str(label).strip() for label in raw]
    folded = {k.casefold(): v for k, v in (mapping or {}).items()}
    out: list[str] = []
    unmapped: set[str] = set()
    for label in raw:
        if mapping is not None:
            ours = mapping.get(label) or folded.get(label.casefold())
        else:
            ours = label.lower() if label.lower() in LABELS else None
        if ours is None:
            unmapped.add(label)
        else:
            out.append(ours)
    if unmapped:
        shown = tuple(sorted(unmapped)[:5])
        raise LabelMapError("labels.unmapped", labels=shown, count=len(unmapped))
    return out
