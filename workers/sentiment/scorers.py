"""Both models behind one call: `load_scorers().score(texts)`, loaded once per process."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

from core.sentiment import LABELS, Scores
from workers.sentiment.model import LightModel, load_model
from workers.sentiment.vader import Vader, lexicon_digest

DATA = Path(__file__).resolve().parents[2] / "data" / "sentiment"
MODEL_FILE = DATA / "model-v1.json.gz"


class Scorers:
    """VADER and the light model side by side."""

    def __init__(self, model: LightModel, vader: Vader | None = None) -> None:
        self.model = model
        self.vader = vader or Vader()
        # what the scores were made with: stored beside them, so a new model is told apart
        self.version = f"{model.name}+vader-{lexicon_digest()}"

    def score(self, texts: Sequence[str]) -> list[Scores]:
        """Both models' scores of each text, in order."""
        texts = list(texts)
        compounds = self.vader.compound(texts)
        probabilities = self.model.probabilities(texts)
        negative, positive = LABELS.index("negative"), LABELS.index("positive")
        return [
            Scores(
                vader=compound,
                model=max(-1.0, min(1.0, float(p[positive] - p[negative]))),
                label=LABELS[int(p.argmax())],
            )
            for compound, p in zip(compounds, probabilities, strict=True)
        ]


@functools.cache
def _cached(path: Path) -> Scorers:
    return Scorers(load_model(path))


def load_scorers(path: Path | None = None) -> Scorers:
    """The scorers of the shipped model (or of `path`), loaded once per process.

    Raises workers.sentiment.model.ModelError when the file is missing or does not fit this
    installation (nothing is cached then, so a retrained file is picked up on the next call).
    """
    return _cached((path or MODEL_FILE).resolve())
