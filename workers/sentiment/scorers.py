"""Both models behind one call: `load_scorers().score(texts)`, loaded once per process.

The model beside VADER is the fine-tuned encoder (data/sentiment/encoder-v1/) when it is there,
the TF-IDF light model (model-v1.json.gz) otherwise."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from core.sentiment import LABELS, Scores
from workers.sentiment.vader import Vader, lexicon_digest

DATA = Path(__file__).resolve().parents[2] / "data" / "sentiment"
MODEL_FILE = DATA / "model-v1.json.gz"
ENCODER_DIR = DATA / "encoder-v1"


class Model(Protocol):
    @property
    def name(self) -> str: ...

    def probabilities(self, texts: Sequence[str]) -> np.ndarray: ...


class Scorers:
    """VADER and the model side by side."""

    def __init__(self, model: Model, vader: Vader | None = None) -> None:
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


def load_model_at(path: Path) -> Model:
    """The model at `path`: an encoder folder, or a light model's file."""
    if path.is_dir():
        from workers.sentiment.encoder import load_encoder

        return load_encoder(path)
    from workers.sentiment.model import load_model

    return load_model(path)


@functools.cache
def _cached(path: Path) -> Scorers:
    return Scorers(load_model_at(path))


def default_model_path() -> Path:
    """The encoder's folder when it is shipped, the light model's file otherwise."""
    return ENCODER_DIR if ENCODER_DIR.is_dir() else MODEL_FILE


def load_scorers(path: Path | None = None) -> Scorers:
    """The scorers of the shipped model (or of `path`: a file or an encoder folder), loaded once
    per process.

    Raises workers.sentiment.ModelError when the model is missing or does not fit this
    installation (nothing is cached then, so a retrained model is picked up on the next call).
    """
    return _cached((path or default_model_path()).resolve())
